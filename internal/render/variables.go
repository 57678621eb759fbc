package render

// Variables are what a template sees as its dot. Field names are those of
// the design: `.Session.Name`, `.TargetNamespace`, `.Labels` and so on.
type Variables struct {
	Session         SessionVariables
	TargetNamespace string
	// Labels are the session's standard labels, the same as on its pods.
	Labels map[string]string
	// Annotations are the session's standard annotations.
	Annotations map[string]string
	Template    TemplateVariables
	Binding     BindingVariables
	Cluster     ClusterVariables
}

// SessionVariables describe the DebugSession.
type SessionVariables struct {
	Name        string
	Namespace   string
	Cluster     string
	RequestedBy string
	Reason      string
	// ExpiresAt is RFC 3339, or empty before the session is active.
	ExpiresAt string
}

// TemplateVariables describe the DebugSessionTemplate.
type TemplateVariables struct {
	Name        string
	Namespace   string
	DisplayName string
}

// BindingVariables describe the binding that applies; empty when the
// template applies alone.
type BindingVariables struct {
	Name      string
	Namespace string
}

// ClusterVariables describe the target cluster, from its ClusterConfig.
type ClusterVariables struct {
	Name        string
	Labels      map[string]string
	Environment string
	Location    string
}

// variables are what templates see as their dot. Its dictionaries hold `any` so that sprig's
// dictionary functions (keys, pick, merge, hasKey…) accept them, and they are
// never nil, so `{{ .Annotations | toYaml }}` gives `{}` rather than `null`.
type variables struct {
	Session         SessionVariables
	TargetNamespace string
	Labels          map[string]any
	Annotations     map[string]any
	Template        TemplateVariables
	Binding         BindingVariables
	Cluster         clusterDot
}

type clusterDot struct {
	Name        string
	Labels      map[string]any
	Environment string
	Location    string
}

func newVariables(v *Variables) *variables {
	if v == nil {
		v = &Variables{}
	}
	return &variables{
		Session:         v.Session,
		TargetNamespace: v.TargetNamespace,
		Labels:          anyMap(v.Labels),
		Annotations:     anyMap(v.Annotations),
		Template:        v.Template,
		Binding:         v.Binding,
		Cluster: clusterDot{
			Name:        v.Cluster.Name,
			Labels:      anyMap(v.Cluster.Labels),
			Environment: v.Cluster.Environment,
			Location:    v.Cluster.Location,
		},
	}
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
