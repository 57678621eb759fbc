package requirements

import (
	"fmt"

	"github.com/k8s-breakglass/function-debug-session/input/v1beta1"
	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/outcome"
)

// PodTemplateName is the name of the pod template that t names, with a
// Failed error when it names none.
func PodTemplateName(t *v1alpha1.DebugSessionTemplate) (string, error) {
	if t.Spec.PodTemplateRef == nil || t.Spec.PodTemplateRef.Name == "" {
		return "", outcome.Failed(t.Describe(), "spec.podTemplateRef.name", "a pod template is required")
	}
	return t.Spec.PodTemplateRef.Name, nil
}

// Missing returns a Failed error that names a required object Crossplane
// answered does not exist, or nil when everything needed was found.
func (f *Fetched) Missing(s *v1alpha1.DebugSession, in *v1beta1.Input) error {
	if f.Template == nil {
		ns := s.Spec.TemplateRef.Namespace
		if ns == "" {
			ns = in.GetConfigNamespace()
		}
		id := v1alpha1.Describe(v1alpha1.DebugSessionTemplateKind, ns, s.Spec.TemplateRef.Name)
		return outcome.New(v1alpha1.StateFailed, id, "", id+" not found").WithReason(outcome.ReasonMissingInput)
	}
	if f.PodTemplate == nil {
		name, err := PodTemplateName(f.Template)
		if err != nil {
			return err
		}
		id := v1alpha1.Describe(v1alpha1.DebugPodTemplateKind, f.Template.Namespace, name)
		return outcome.New(v1alpha1.StateFailed, f.Template.Describe(), "spec.podTemplateRef",
			fmt.Sprintf("%s not found, named by %s spec.podTemplateRef", id, f.Template.Describe())).WithReason(outcome.ReasonMissingInput)
	}
	return nil
}
