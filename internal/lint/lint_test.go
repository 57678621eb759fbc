package lint

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/k8s-breakglass/function-debug-session/example/install"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
)

const (
	template = `apiVersion: breakglass.telekom.de/v1alpha1
kind: DebugSessionTemplate
metadata: {name: netops, namespace: breakglass-system}
spec:
  podTemplateRef: {name: pod}
  allowed: {clusters: ["prod-*"], groups: [sre]}
  approvers: {groups: [security]}
  constraints: {maxDuration: 2h, maxRenewals: 1}
`
	podTemplate = `apiVersion: breakglass.telekom.de/v1alpha1
kind: DebugPodTemplate
metadata: {name: pod, namespace: breakglass-system}
spec:
  template:
    spec:
      containers: [{name: debug, image: busybox}]
`
	binding = `apiVersion: breakglass.telekom.de/v1alpha1
kind: DebugSessionClusterBinding
metadata: {name: prod, namespace: breakglass-system}
spec:
  templateRef: {name: netops}
  clusters: ["prod-*"]
`
)

// labelled is template with a label a selector can select.
var labelled = strings.Replace(template, "namespace: breakglass-system}", "namespace: breakglass-system, labels: {tier: network}}", 1)

// selectorBinding selects labelled instead of naming it.
var selectorBinding = strings.Replace(binding, "  templateRef: {name: netops}\n", "  templateSelector: {matchLabels: {tier: network}}\n", 1)

// doc joins YAML documents into one stream.
func doc(docs ...string) string { return strings.Join(docs, "---\n") }

func TestLint(t *testing.T) {
	schemas, err := LoadSchemas(install.CRDs)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason string
		yaml   string
		want   []string
	}{
		"Clean": {
			reason: "A template, its pod template and a binding that follow every rule give no problem.",
			yaml:   doc(template, podTemplate, binding),
		},
		"OtherKindsSkipped": {
			reason: "Documents of other kinds, and DebugSessions, are not platform configuration and are skipped.",
			yaml:   doc("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n", "apiVersion: breakglass.telekom.de/v1alpha1\nkind: DebugSession\nmetadata: {name: s}\nspec: {bogus: 1}\n", "just: values\n"),
		},
		"YAMLSyntax": {
			reason: "YAML that does not parse is an error at its line.",
			yaml:   "apiVersion: v1\nkind: [\n",
			want:   []string{"error f.yaml:2: document: yaml: line 2: did not find expected node content"},
		},
		"UnknownField": {
			reason: "A field the schema does not know is a typo the API server would drop.",
			yaml:   doc(strings.Replace(template, "  podTemplateRef:", "  maxDurations: 1h\n  podTemplateRef:", 1), podTemplate),
			want:   []string{"error f.yaml:5: DebugSessionTemplate breakglass-system/netops: spec.maxDurations: unknown field"},
		},
		"WrongType": {
			reason: "A value of the wrong type is reported with its field and line.",
			yaml:   doc(template, podTemplate, strings.Replace(binding, "  clusters:", "  priority: high\n  clusters:", 1)),
			want:   []string{`error f.yaml:23: DebugSessionClusterBinding breakglass-system/prod: spec.priority: Invalid value: "string": spec.priority in body must be of type integer: "string"`},
		},
		"InvalidGlob": {
			reason: "A glob that does not compile matches nothing at run time.",
			yaml:   doc(template, podTemplate, strings.Replace(binding, `["prod-*"]`, `["prod-[a"]`, 1)),
			want:   []string{`error f.yaml:23: DebugSessionClusterBinding breakglass-system/prod: spec.clusters[0]: invalid glob "prod-[a": unterminated character class; it matches nothing`},
		},
		"InvalidSelector": {
			reason: "A malformed clusterSelector matches no cluster.",
			yaml:   doc(template, podTemplate, strings.Replace(binding, `  clusters: ["prod-*"]`, "  clusterSelector: {matchExpressions: [{key: env, operator: In}]}", 1)),
			want:   []string{"error f.yaml:23: DebugSessionClusterBinding breakglass-system/prod: spec.clusterSelector: values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty: the binding matches no cluster"},
		},
		"BadDuration": {
			reason: "A duration the function cannot parse is an error.",
			yaml:   doc(strings.Replace(template, "maxDuration: 2h", "maxDuration: 2 hours", 1), podTemplate),
			want:   []string{`error f.yaml:8: DebugSessionTemplate breakglass-system/netops: spec.constraints.maxDuration: "2 hours" is not a duration (write it like 30m, 2h or 1h30m)`},
		},
		"DefaultLongerThanMax": {
			reason: "A default duration above the maximum denies every session that does not ask for less.",
			yaml:   doc(strings.Replace(template, "maxDuration: 2h", "maxDuration: 2h, defaultDuration: 3h", 1), podTemplate),
			want:   []string{"error f.yaml:8: DebugSessionTemplate breakglass-system/netops: spec.constraints.defaultDuration: 3h is longer than maxDuration 2h: every session without a duration would be denied"},
		},
		"MissingPodTemplate": {
			reason: "A template whose pod template is not among the files fails every session.",
			yaml:   template,
			want:   []string{"error f.yaml:5: DebugSessionTemplate breakglass-system/netops: spec.podTemplateRef.name: DebugPodTemplate breakglass-system/pod is not among the files: sessions of this template would fail"},
		},
		"JobWithAlwaysRestartingPod": {
			reason: "A Job template whose pod template restarts Always fails every session: the Job would be refused.",
			yaml:   doc(strings.Replace(template, "  podTemplateRef:", "  workloadType: Job\n  podTemplateRef:", 1), strings.Replace(podTemplate, "      containers:", "      restartPolicy: Always\n      containers:", 1)),
			want:   []string{"error f.yaml:5: DebugSessionTemplate breakglass-system/netops: spec.workloadType: Job, but DebugPodTemplate breakglass-system/pod says restartPolicy Always, which a Job refuses: sessions of this template would fail"},
		},
		"JobWithUnsetRestartPolicy": {
			reason: "A pod template that leaves restartPolicy unset runs as a Job (Never) and as any other kind.",
			yaml:   doc(strings.Replace(template, "  podTemplateRef:", "  workloadType: Job\n  podTemplateRef:", 1), podTemplate),
		},
		"MissingTemplate": {
			reason: "A binding whose template is not among the files applies to nothing.",
			yaml:   binding,
			want:   []string{"error f.yaml:5: DebugSessionClusterBinding breakglass-system/prod: spec.templateRef.name: DebugSessionTemplate breakglass-system/netops is not among the files: the binding applies to nothing"},
		},
		"TemplateSelectorClean": {
			reason: "A binding that selects its template by label gives no problem.",
			yaml:   doc(labelled, podTemplate, selectorBinding),
		},
		"TemplateSelectorSelectsNothing": {
			reason: "A selector that selects no template among the files applies to nothing, like a missing templateRef; the template may come later, so it is a warning.",
			yaml:   doc(template, podTemplate, selectorBinding),
			want:   []string{"warning f.yaml:22: DebugSessionClusterBinding breakglass-system/prod: spec.templateSelector: selects no DebugSessionTemplate of namespace breakglass-system among the files: the binding applies to nothing"},
		},
		"TemplateSelectorInvalid": {
			reason: "A selector that does not parse selects no template.",
			yaml:   doc(labelled, podTemplate, strings.Replace(selectorBinding, "{matchLabels: {tier: network}}", "{matchExpressions: [{key: tier, operator: In}]}", 1)),
			want:   []string{"error f.yaml:22: DebugSessionClusterBinding breakglass-system/prod: spec.templateSelector: values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty: it selects no template"},
		},
		"TemplateRefAndSelector": {
			reason: "A binding may not both name and select templates.",
			yaml:   doc(labelled, podTemplate, strings.Replace(selectorBinding, "  templateSelector:", "  templateRef: {name: netops}\n  templateSelector:", 1)),
			want:   []string{"error f.yaml:23: DebugSessionClusterBinding breakglass-system/prod: spec.templateSelector: is set together with spec.templateRef; set exactly one: the binding applies to no template"},
		},
		"TemplateSelectorWidening": {
			reason: "A selector binding is held to every template it selects.",
			yaml:   doc(labelled, podTemplate, selectorBinding+"  constraints: {maxDuration: 8h}\n"),
			want:   []string{"warning f.yaml:24: DebugSessionClusterBinding breakglass-system/prod: spec.constraints.maxDuration: 8h widens the template's 2h"},
		},
		"TemplateSelectorTie": {
			reason: "A selector binding and a templateRef binding of one template can tie.",
			yaml:   doc(labelled, podTemplate, binding, strings.Replace(selectorBinding, "name: prod,", "name: prod-too,", 1)),
			want:   []string{"warning f.yaml:28: DebugSessionClusterBinding breakglass-system/prod-too: spec.priority: ties with DebugSessionClusterBinding breakglass-system/prod on cluster prod-x (priority 0, glob with 5 literal characters); the function picks breakglass-system/prod, the first by namespace/name: give one a higher priority"},
		},
		"Tie": {
			reason: "Two bindings with the same priority and the same pattern tie on every cluster the pattern matches.",
			yaml:   doc(template, podTemplate, binding, strings.Replace(binding, "name: prod,", "name: prod-too,", 1)),
			want:   []string{"warning f.yaml:28: DebugSessionClusterBinding breakglass-system/prod-too: spec.priority: ties with DebugSessionClusterBinding breakglass-system/prod on cluster prod-x (priority 0, glob with 5 literal characters); the function picks breakglass-system/prod, the first by namespace/name: give one a higher priority"},
		},
		"NoTieWithPriority": {
			reason: "A higher priority makes the order explicit.",
			yaml:   doc(template, podTemplate, binding, strings.Replace(binding, "name: prod,", "name: prod-too,", 1)+"  priority: 10\n"),
		},
		"Widening": {
			reason: "A binding that raises the template's limits or empties its approvers widens what the template allows.",
			yaml:   doc(template, podTemplate, binding+"  constraints: {maxDuration: 8h, maxRenewals: 5}\n  approvers: {}\n"),
			want: []string{
				"warning f.yaml:24: DebugSessionClusterBinding breakglass-system/prod: spec.constraints.maxDuration: 8h widens the template's 2h",
				"warning f.yaml:24: DebugSessionClusterBinding breakglass-system/prod: spec.constraints.maxRenewals: 5 widens the template's 1",
				"warning f.yaml:25: DebugSessionClusterBinding breakglass-system/prod: spec.approvers: lists nobody, which turns off the approval that template netops requires",
			},
		},
		"UntrustedNamespace": {
			reason: "A binding outside the input's bindingNamespaces is ignored by the function.",
			yaml:   doc(template, podTemplate, strings.Replace(binding, "namespace: breakglass-system}", "namespace: team-a}\n", 1)),
			want: []string{
				"warning f.yaml:20: DebugSessionClusterBinding team-a/prod: metadata.namespace: team-a is not one of the function input's bindingNamespaces ([breakglass-system]): the function ignores this binding",
				"error f.yaml:23: DebugSessionClusterBinding team-a/prod: spec.templateRef.name: DebugSessionTemplate team-a/netops is not among the files: the binding applies to nothing",
			},
		},
		"TemplateParse": {
			reason: "An auxiliary resource whose template does not parse fails the sessions that enable it.",
			yaml:   doc(template+"  auxiliaryResources:\n  - name: cm\n    template:\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: \"{{ .Session.Name \"}\n", podTemplate),
			want:   []string{`error f.yaml:10: DebugSessionTemplate breakglass-system/netops: spec.auxiliaryResources[0]: auxiliaryResources[cm] template.metadata.name: line 1: unclosed action`},
		},
		"TrialRenderInDefaultNamespace": {
			reason: "Sample sessions run where the function would put them: namespaceConstraints.defaultNamespace beats targetNamespace, so a resource placed there is in policy.",
			yaml:   doc(template+"  targetNamespace: debug-sessions\n  namespaceConstraints: {defaultNamespace: debug-netops}\n  auxiliaryResources:\n  - name: cm\n    template:\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: cm, namespace: debug-netops}\n", podTemplate),
		},
		"TrialRenderMissingKey": {
			reason: "A template that reads a variable the function does not have fails at render time.",
			yaml:   doc(template+"  auxiliaryResources:\n  - name: cm\n    template:\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: \"{{ .Session.Owner }}\"}\n", podTemplate),
			want:   []string{`error f.yaml:10: DebugSessionTemplate breakglass-system/netops: spec.auxiliaryResources[0]: auxiliaryResources[cm] template.metadata.name: line 1, column 11: at <.Session.Owner>: can't evaluate field Owner in type render.SessionVariables`},
		},
		"KindPolicy": {
			reason: "A kind outside the allowed list fails every session that enables it.",
			yaml:   doc(template+"  auxiliaryResources:\n  - name: crb\n    template:\n      apiVersion: rbac.authorization.k8s.io/v1\n      kind: ClusterRoleBinding\n      metadata: {name: x}\n", podTemplate),
			want:   []string{`error f.yaml:10: DebugSessionTemplate breakglass-system/netops: spec.auxiliaryResources[0]: auxiliaryResources[crb]: kind ClusterRoleBinding.rbac.authorization.k8s.io is cluster-scoped; auxiliary resources must be namespaced objects in the target namespace`},
		},
		"Duplicate": {
			reason: "Two definitions of one object in one directory cannot both exist.",
			yaml:   doc(template, podTemplate, podTemplate),
			want:   []string{"error f.yaml:20: DebugPodTemplate breakglass-system/pod: metadata.name: is defined twice in . (first at f.yaml:10)"},
		},
		"InputChecked": {
			reason: "The function input in a Composition is validated with its field paths.",
			yaml: doc(template, podTemplate, `apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata: {name: c}
spec:
  pipeline:
  - step: s
    input:
      apiVersion: debugsession.fn.breakglass.telekom.de/v1beta1
      kind: Input
      delivery: {mode: Carrier}
`),
			want: []string{`error f.yaml:27: Composition c: spec.pipeline[0].input.delivery.mode: Unsupported value: "Carrier": supported values: "ProviderKubernetes", "Local"`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, p := range Lint(catalog.Parse("f.yaml", []byte(tc.yaml)), schemas) {
				got = append(got, string(p.Severity)+" "+p.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nLint(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
