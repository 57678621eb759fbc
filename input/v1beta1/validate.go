package v1beta1

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate checks the input and returns every problem with its field path.
func (in *Input) Validate() field.ErrorList {
	if in == nil {
		return nil
	}
	var errs field.ErrorList
	if in.ConfigNamespace != "" {
		errs = append(errs, validateNamespace(field.NewPath("configNamespace"), in.ConfigNamespace)...)
	}
	if in.DefaultTargetNamespace != "" {
		errs = append(errs, validateNamespace(field.NewPath("defaultTargetNamespace"), in.DefaultTargetNamespace)...)
	}
	if len(in.BindingNamespaces) > maxBindingNamespaceListLength {
		errs = append(errs, field.TooMany(field.NewPath("bindingNamespaces"), len(in.BindingNamespaces), maxBindingNamespaceListLength))
	}
	for i, ns := range in.BindingNamespaces {
		p := field.NewPath("bindingNamespaces").Index(i)
		if ns == AllBindingNamespaces {
			if len(in.BindingNamespaces) > 1 {
				errs = append(errs, field.Invalid(p, ns, `"*" trusts every namespace and must be the only entry`))
			}
			continue
		}
		errs = append(errs, validateNamespace(p, ns)...)
	}
	errs = append(errs, in.Delivery.validate(field.NewPath("delivery"))...)
	errs = append(errs, in.AuxiliaryResources.validate(field.NewPath("auxiliaryResources"))...)
	switch in.DeniedNodeGlobs {
	case "", DeniedNodeGlobsAdmissionPolicy, DeniedNodeGlobsReject:
	default:
		errs = append(errs, field.NotSupported(field.NewPath("deniedNodeGlobs"), in.DeniedNodeGlobs, []string{deniedNodeGlobsAdmission, deniedNodeGlobsReject}))
	}
	switch in.PodAccess {
	case "", PodAccessEnforce, PodAccessOff:
	default:
		errs = append(errs, field.NotSupported(field.NewPath("podAccess"), in.PodAccess, []string{string(PodAccessEnforce), string(PodAccessOff)}))
	}
	if in.TTL != nil && in.TTL.Duration < minTTL {
		errs = append(errs, field.Invalid(field.NewPath("ttl"), in.TTL.Duration.String(), "must be at least 1s"))
	}
	return errs
}

// validate checks the delivery settings; nil means every default.
func (d *Delivery) validate(p *field.Path) field.ErrorList {
	if d == nil {
		return nil
	}
	var errs field.ErrorList
	switch d.Mode {
	case "", DeliveryProviderKubernetes, DeliveryLocal:
	default:
		errs = append(errs, field.NotSupported(p.Child("mode"), d.Mode, []string{deliveryModeProviderK8s, deliveryModeLocal}))
	}
	switch d.ObjectAPIVersion {
	case "", DefaultObjectAPIVersion, NamespacedObjectAPIVersion:
	default:
		errs = append(errs, field.NotSupported(p.Child("objectAPIVersion"), d.ObjectAPIVersion, []string{DefaultObjectAPIVersion, NamespacedObjectAPIVersion}))
	}
	switch d.DeletionPolicy {
	case "", DefaultDeletionPolicy, OrphanDeletionPolicy:
	default:
		errs = append(errs, field.NotSupported(p.Child("deletionPolicy"), d.DeletionPolicy, []string{DefaultDeletionPolicy, OrphanDeletionPolicy}))
	}
	return errs
}

// validate checks the auxiliary resource limits; nil means every default.
func (a *AuxiliaryResources) validate(p *field.Path) field.ErrorList {
	if a == nil {
		return nil
	}
	var errs field.ErrorList
	for i, gk := range a.AllowedKinds {
		if gk.Kind == "" {
			errs = append(errs, field.Required(p.Child("allowedKinds").Index(i).Child("kind"), "a kind is required"))
		}
	}
	if m := a.MaxPerSession; m != nil && (*m < 0 || *m > maxConfigurablePerSession) {
		errs = append(errs, field.Invalid(p.Child("maxPerSession"), *m, fmt.Sprintf("must be between 0 and %d", maxConfigurablePerSession)))
	}
	if m := a.MaxRenderedBytes; m != nil && (*m < 0 || *m > maxConfigurableRenderedBytes) {
		errs = append(errs, field.Invalid(p.Child("maxRenderedBytes"), *m, fmt.Sprintf("must be between 0 and %d", maxConfigurableRenderedBytes)))
	}
	return errs
}

func validateNamespace(p *field.Path, ns string) field.ErrorList {
	msgs := validation.IsDNS1123Label(ns)
	errs := make(field.ErrorList, 0, len(msgs))
	for _, msg := range msgs {
		errs = append(errs, field.Invalid(p, ns, msg))
	}
	return errs
}
