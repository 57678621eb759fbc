package access

import (
	"fmt"
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// MarkerGroup and MarkerResource name the RBAC resource that marks who
// belongs to a session: a session's Role grants MarkerVerb on it with the
// workload name as resourceName. Nothing serves this resource; the
// session's admission policies only ask the authorizer about it, to tell a
// member of one session reaching the pods of another session they also
// belong to from a member reaching a pod that belongs to no session (see
// Policy).
const (
	MarkerGroup    = "breakglass.telekom.de"
	MarkerResource = "debugworkloads"
	MarkerVerb     = "connect"
)

// Target is a session on its target cluster.
type Target struct {
	// Session names the DebugSession in messages, as namespace/name.
	Session string
	// Workload is the name of the debug workload. Every debug pod's name
	// starts with it and a dash (workload names are capped at 57
	// characters so that generated pod names keep the whole prefix).
	Workload string
	// Namespace is the session's target namespace.
	Namespace string
	// Labels for the objects: the session's standard labels.
	Labels map[string]string
}

// meta returns the metadata of one of the session's objects; namespace is
// empty for a cluster-scoped one.
func (t Target) meta(name, namespace string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: maps.Clone(t.Labels)}
}

// validate refuses a target the objects cannot be built for.
func (t Target) validate(what string) error {
	if t.Workload == "" || t.Namespace == "" {
		return errorf("cannot build the %s of DebugSession %s without the workload name and target namespace", what, t.Session)
	}
	return nil
}

// typeMeta returns the apiVersion and kind of a typed object.
func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func toUnstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, errorf("cannot convert %s to an unstructured object: %v", obj.GetObjectKind().GroupVersionKind().Kind, err)
	}
	// Typed objects always serialise an empty status and creation time;
	// they would only be noise in the desired state.
	delete(u, "status")
	unstructured.RemoveNestedField(u, "metadata", "creationTimestamp")
	return &unstructured.Unstructured{Object: u}, nil
}

// errorf returns a plain error. Its message names the object and field at
// fault, so the caller can report it as it is.
func errorf(format string, a ...any) error {
	return fmt.Errorf(format, a...) //nolint:err113 // Messages are built per object and field; there is nothing to compare them against.
}
