package render

import "testing"

// TestRenderProposal renders the auxiliary resources of the design
// proposal, as its examples show them.
func TestRenderProposal(t *testing.T) {
	cases := map[string]renderCase{
		"ProposalNetworkPolicy": {
			reason: "The proposal's egress NetworkPolicy selects the session's pods by name.",
			tmpl: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: "debug-egress-{{ .Session.Name }}"
  namespace: "{{ .TargetNamespace }}"
spec:
  podSelector:
    matchLabels:
      breakglass.telekom.de/session: "{{ .Session.Name }}"
  policyTypes:
    - Egress
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/8
`,
			want: renderWant{obj: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: debug-egress-inc-1234
  namespace: debug-sessions-prod
spec:
  podSelector:
    matchLabels:
      breakglass.telekom.de/session: inc-1234
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/8
`},
		},
		"ProposalIsolationPolicyKeepsNumbersAndEmptyLists": {
			reason: "The binding example's policy has an empty ingress list and port 53, which must stay a list and an integer.",
			tmpl: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: "debug-isolation-{{ .Session.Name }}"
  namespace: "{{ .TargetNamespace }}"
spec:
  podSelector:
    matchLabels:
      breakglass.telekom.de/session: "{{ .Session.Name }}"
  policyTypes: [Ingress, Egress]
  ingress: []
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
      ports:
        - protocol: UDP
          port: 53
`,
			want: renderWant{obj: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: debug-isolation-inc-1234
  namespace: debug-sessions-prod
spec:
  podSelector:
    matchLabels:
      breakglass.telekom.de/session: inc-1234
  policyTypes: [Ingress, Egress]
  ingress: []
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
      ports:
        - protocol: UDP
          port: 53
`},
		},
		"ProposalServiceAccountLabelsBecomeAMap": {
			reason: "The proposal's `labels: \"{{ .Labels | toYaml | nindent 12 }}\"` must yield a map, not a string.",
			tmpl: `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: "debug-sa-{{ .Session.Name }}"
  namespace: "{{ .TargetNamespace }}"
  labels: "{{ .Labels | toYaml | nindent 12 }}"
`,
			want: renderWant{obj: `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: debug-sa-inc-1234
  namespace: debug-sessions-prod
  labels:
    breakglass.telekom.de/session: inc-1234
    breakglass.telekom.de/session-type: debug
`},
		},
		"ProposalRoleBinding": {
			reason: "The proposal's RoleBinding binds the session's ServiceAccount to view.",
			tmpl: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: "debug-reader-{{ .Session.Name }}"
  namespace: "{{ .TargetNamespace }}"
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: "debug-sa-{{ .Session.Name }}"
    namespace: "{{ .TargetNamespace }}"
`,
			want: renderWant{obj: `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: debug-reader-inc-1234
  namespace: debug-sessions-prod
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: debug-sa-inc-1234
    namespace: debug-sessions-prod
`},
		},
	}
	testRender(t, cases)
}
