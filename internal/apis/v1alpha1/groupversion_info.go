// Package v1alpha1 contains the breakglass.telekom.de/v1alpha1 API types that
// the function reads: templates, pod templates, cluster bindings, cluster
// configs, and the DebugSession composite resource.
//
// +kubebuilder:object:generate=true
// +groupName=breakglass.telekom.de
// +versionName=v1alpha1
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Group and version of every type in this package.
const (
	Group   = "breakglass.telekom.de"
	Version = "v1alpha1"
)

// SchemeGroupVersion is the group and version of every type in this package.
var SchemeGroupVersion = schema.GroupVersion{Group: Group, Version: Version}

// Kinds of the types in this package.
const (
	DebugSessionKind               = "DebugSession"
	DebugSessionTemplateKind       = "DebugSessionTemplate"
	DebugPodTemplateKind           = "DebugPodTemplate"
	DebugSessionClusterBindingKind = "DebugSessionClusterBinding"
	ClusterConfigKind              = "ClusterConfig"
)

// APIVersion is the apiVersion string of every type in this package.
var APIVersion = SchemeGroupVersion.String()
