package v1alpha1

// Describe names an object in messages: "Kind namespace/name", or "Kind
// name" for a cluster-scoped one (a legacy cluster-scoped DebugSession).
// Every message that names an object uses it, so that users can search logs
// and statuses for one spelling.
func Describe(kind, namespace, name string) string {
	if namespace == "" {
		return kind + " " + name
	}
	return kind + " " + namespace + "/" + name
}

// Describe names the session in messages.
func (s *DebugSession) Describe() string {
	return Describe(DebugSessionKind, s.Namespace, s.Name)
}

// Describe names the template in messages.
func (t *DebugSessionTemplate) Describe() string {
	return Describe(DebugSessionTemplateKind, t.Namespace, t.Name)
}

// Describe names the pod template in messages.
func (p *DebugPodTemplate) Describe() string {
	return Describe(DebugPodTemplateKind, p.Namespace, p.Name)
}

// Describe names the binding in messages.
func (b *DebugSessionClusterBinding) Describe() string {
	return Describe(DebugSessionClusterBindingKind, b.Namespace, b.Name)
}

// Describe names the cluster config in messages.
func (c *ClusterConfig) Describe() string {
	return Describe(ClusterConfigKind, c.Namespace, c.Name)
}
