package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of a DebugSessionClusterBinding, written by the status
// controller (the `status` command). Each is True when what it names holds.
const (
	// BindingReady is True when the binding is in force: enabled, its
	// template exists, its spec is valid and it applies to some cluster.
	BindingReady = "Ready"
	// BindingTemplateNotFound is True when spec.templateRef names no
	// DebugSessionTemplate.
	BindingTemplateNotFound = "TemplateNotFound"
	// BindingInvalidSpec is True when the function would ignore part of the
	// spec: an invalid glob, a malformed clusterSelector, an invalid
	// allowlist pattern.
	BindingInvalidSpec = "InvalidSpec"
	// BindingShadowed is True when, on every cluster the binding matches, a
	// binding picked before it always wins.
	BindingShadowed = "Shadowed"
	// BindingTie is True when another binding of the same template has the
	// same priority and specificity on a cluster both match, so only the
	// namespace/name order decides.
	BindingTie = "Tie"
)

// DebugSessionClusterBindingStatus is what a binding currently applies to.
type DebugSessionClusterBindingStatus struct {
	// ObservedGeneration is the generation the status was computed from.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, TemplateNotFound, InvalidSpec, Shadowed and Tie.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// MatchedClusters are the known clusters the binding applies to,
	// sorted: every ClusterConfig its clusters globs or clusterSelector
	// match, and every cluster a binding names exactly.
	// +optional
	MatchedClusters []string `json:"matchedClusters,omitempty"`

	// ActiveSessions counts the DebugSessions that have not ended and whose
	// status.binding is this binding.
	ActiveSessions int32 `json:"activeSessions"`
}
