package v1beta1

import (
	"slices"
	"time"
)

// GetConfigNamespace returns the namespace of templates and cluster configs.
func (in *Input) GetConfigNamespace() string {
	if in == nil || in.ConfigNamespace == "" {
		return DefaultConfigNamespace
	}
	return in.ConfigNamespace
}

// GetBindingNamespaces returns the trusted binding namespaces, sorted and
// without duplicates. A lone "*" means every namespace.
func (in *Input) GetBindingNamespaces() []string {
	if in == nil || len(in.BindingNamespaces) == 0 {
		return []string{in.GetConfigNamespace()}
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(in.BindingNamespaces))
	for _, ns := range in.BindingNamespaces {
		if ns == AllBindingNamespaces {
			return []string{AllBindingNamespaces}
		}
		if seen[ns] {
			continue
		}
		seen[ns] = true
		out = append(out, ns)
	}
	slices.Sort(out)
	return out
}

// TrustsBindingNamespace reports whether bindings in ns are trusted.
func (in *Input) TrustsBindingNamespace(ns string) bool {
	for _, t := range in.GetBindingNamespaces() {
		if t == AllBindingNamespaces || t == ns {
			return true
		}
	}
	return false
}

// GetDeliveryMode returns the delivery mode.
func (in *Input) GetDeliveryMode() DeliveryMode {
	if in == nil || in.Delivery == nil || in.Delivery.Mode == "" {
		return DeliveryProviderKubernetes
	}
	return in.Delivery.Mode
}

// GetObjectAPIVersion returns the apiVersion of provider-kubernetes Objects.
func (in *Input) GetObjectAPIVersion() string {
	if in == nil || in.Delivery == nil || in.Delivery.ObjectAPIVersion == "" {
		return DefaultObjectAPIVersion
	}
	return in.Delivery.ObjectAPIVersion
}

// GetDeletionPolicy returns the deletion policy of provider-kubernetes Objects.
func (in *Input) GetDeletionPolicy() string {
	if in == nil || in.Delivery == nil || in.Delivery.DeletionPolicy == "" {
		return DefaultDeletionPolicy
	}
	return in.Delivery.DeletionPolicy
}

// GetWatch reports whether provider-kubernetes should watch the debug
// workloads on the target cluster.
func (in *Input) GetWatch() bool {
	return in != nil && in.Delivery != nil && in.Delivery.Watch != nil && *in.Delivery.Watch
}

// GetDefaultTargetNamespace returns the fallback target namespace.
func (in *Input) GetDefaultTargetNamespace() string {
	if in == nil || in.DefaultTargetNamespace == "" {
		return DefaultTargetNamespace
	}
	return in.DefaultTargetNamespace
}

// GetAllowedKinds returns the input's kind allowlist, or nil to use the
// built-in default.
func (in *Input) GetAllowedKinds() []GroupKind {
	if in == nil || in.AuxiliaryResources == nil {
		return nil
	}
	return in.AuxiliaryResources.AllowedKinds
}

// GetMaxPerSession returns the limit of auxiliary resources per session.
func (in *Input) GetMaxPerSession() int {
	if in == nil || in.AuxiliaryResources == nil || in.AuxiliaryResources.MaxPerSession == nil {
		return DefaultMaxPerSession
	}
	return int(*in.AuxiliaryResources.MaxPerSession)
}

// GetMaxRenderedBytes returns the limit of rendered auxiliary bytes per
// session.
func (in *Input) GetMaxRenderedBytes() int64 {
	if in == nil || in.AuxiliaryResources == nil || in.AuxiliaryResources.MaxRenderedBytes == nil {
		return DefaultMaxRenderedBytes
	}
	return *in.AuxiliaryResources.MaxRenderedBytes
}

// GetPodAccess returns whether access to debug pods is confined.
func (in *Input) GetPodAccess() PodAccess {
	if in == nil || in.PodAccess == "" {
		return PodAccessEnforce
	}
	return in.PodAccess
}

// GetDeniedNodeGlobs returns how glob patterns in deniedNodes are enforced.
func (in *Input) GetDeniedNodeGlobs() DeniedNodeGlobs {
	if in == nil || in.DeniedNodeGlobs == "" {
		return DeniedNodeGlobsAdmissionPolicy
	}
	return in.DeniedNodeGlobs
}

// GetTTL returns the longest time Crossplane may cache a response.
func (in *Input) GetTTL() time.Duration {
	if in == nil || in.TTL == nil {
		return DefaultTTL
	}
	return in.TTL.Duration
}
