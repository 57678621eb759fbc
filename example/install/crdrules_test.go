package install_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
)

// Messages of the CRD rules, as the API server reports them after the
// field path.
const (
	msgGlob          = "every entry must be a glob pattern: `*`, `?` and non-empty `[...]` classes, and no `]` outside a class"
	msgLabelKey      = "every key must be a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
	msgAuxName       = "name must be a DNS label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit"
	msgAuxUnique     = "auxiliaryResources must have unique names"
	msgPriority      = "priority must be between 0 and 1000000"
	msgWhere         = "set clusters or clusterSelector: a binding must say which clusters it applies to"
	msgDefaultMax    = "defaultDuration must not be longer than maxDuration"
	msgOneTemplate   = "set exactly one of templateRef and templateSelector"
	msgEmptySelector = "templateSelector must set matchLabels or matchExpressions: an empty selector would bind every template"
)

func msgDuration(f string) string {
	return f + " must be a positive duration such as 30m, 2h or 1h30m"
}

// object is a custom resource of kind with spec; mutations edit it.
func object(kind string, spec map[string]any, mutations ...func(map[string]any)) map[string]any {
	o := map[string]any{
		"apiVersion": "breakglass.telekom.de/v1alpha1",
		"kind":       kind,
		"metadata":   map[string]any{"name": "x", "namespace": "breakglass-system"},
		"spec":       spec,
	}
	for _, m := range mutations {
		m(o)
	}
	return o
}

// put sets a value at a path of nested maps below spec, creating the maps.
func put(v any, path ...string) func(map[string]any) {
	return func(o map[string]any) {
		m, _ := o["spec"].(map[string]any)
		for _, p := range path[:len(path)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[path[len(path)-1]] = v
	}
}

func drop(path string) func(map[string]any) {
	return func(o map[string]any) { delete(o["spec"].(map[string]any), path) } //nolint:forcetypeassert // Tests build spec as a map.
}

func binding(m ...func(map[string]any)) map[string]any {
	return object("DebugSessionClusterBinding", map[string]any{"templateRef": map[string]any{"name": "netops"}, "clusters": []any{"prod-*"}}, m...)
}

func template(m ...func(map[string]any)) map[string]any {
	return object("DebugSessionTemplate", map[string]any{"podTemplateRef": map[string]any{"name": "netshoot"}}, m...)
}

func podTemplate(m ...func(map[string]any)) map[string]any {
	return object("DebugPodTemplate", map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "debug", "image": "netshoot"}}}}}, m...)
}

func aux(name string, kind string) map[string]any {
	return map[string]any{"name": name, "template": map[string]any{"apiVersion": "v1", "kind": kind}}
}

// describe lists errors as "field: detail", or "field: type" when the API
// server gives no detail.
func describe(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		d := e.Detail
		if d == "" {
			d = e.Type.String()
		}
		out = append(out, e.Field+": "+d)
	}
	return out
}

func TestCRDRules(t *testing.T) {
	crds := map[string]*admissiontest.CRD{
		"DebugSessionClusterBinding": admissiontest.LoadCRD(t, "crd-debugsessionclusterbindings.yaml"),
		"DebugSessionTemplate":       admissiontest.LoadCRD(t, "crd-debugsessiontemplates.yaml"),
		"DebugPodTemplate":           admissiontest.LoadCRD(t, "crd-debugpodtemplates.yaml"),
	}
	cases := map[string]struct {
		reason string
		obj    map[string]any
		want   []string
	}{
		"ValidBinding":           {reason: "A binding with a template and a glob is admitted.", obj: binding()},
		"SelectorOnly":           {reason: "An empty clusterSelector alone says which clusters (all that have a ClusterConfig).", obj: binding(drop("clusters"), put(map[string]any{}, "clusterSelector"))},
		"NoTemplateRef":          {reason: "A binding names its template or selects templates.", obj: binding(drop("templateRef")), want: []string{"spec: " + msgOneTemplate}},
		"EmptyTemplateName":      {reason: "A templateRef names a template.", obj: binding(put(map[string]any{"name": ""}, "templateRef")), want: []string{"spec.templateRef.name: spec.templateRef.name in body should be at least 1 chars long"}},
		"TemplateSelectorOnly":   {reason: "A templateSelector instead of a templateRef is admitted.", obj: binding(drop("templateRef"), put(map[string]any{"tier": "network"}, "templateSelector", "matchLabels"), put("[PROD] ", "displayNamePrefix"))},
		"TemplateSelectorExprs":  {reason: "matchExpressions alone make a selector that says something.", obj: binding(drop("templateRef"), put([]any{map[string]any{"key": "tier", "operator": "Exists"}}, "templateSelector", "matchExpressions"))},
		"BothTemplateFields":     {reason: "templateRef and templateSelector exclude each other.", obj: binding(put(map[string]any{"tier": "network"}, "templateSelector", "matchLabels")), want: []string{"spec: " + msgOneTemplate}},
		"EmptyTemplateSelector":  {reason: "An empty templateSelector would bind every template, present and future.", obj: binding(drop("templateRef"), put(map[string]any{}, "templateSelector")), want: []string{"spec.templateSelector: " + msgEmptySelector}},
		"EmptyTemplateLabels":    {reason: "Empty matchLabels and matchExpressions say nothing either.", obj: binding(drop("templateRef"), put(map[string]any{"matchLabels": map[string]any{}, "matchExpressions": []any{}}, "templateSelector")), want: []string{"spec.templateSelector: " + msgEmptySelector}},
		"PrefixTooLong":          {reason: "A display name prefix is short.", obj: binding(put(strings.Repeat("x", 65), "displayNamePrefix")), want: []string{"spec.displayNamePrefix: may not be more than 64 bytes"}},
		"NeitherClusters":        {reason: "A binding without clusters and clusterSelector applies nowhere.", obj: binding(drop("clusters")), want: []string{"spec: " + msgWhere}},
		"EmptyClusters":          {reason: "An empty clusters list is no better.", obj: binding(put([]any{}, "clusters")), want: []string{"spec: " + msgWhere}},
		"UnterminatedClass":      {reason: "A glob with an open class is refused on the field.", obj: binding(put([]any{"prod-[a"}, "clusters")), want: []string{"spec.clusters: " + msgGlob}},
		"StrayBracket":           {reason: "A ']' outside a class is refused.", obj: binding(put([]any{"prod]"}, "clusters")), want: []string{"spec.clusters: " + msgGlob}},
		"BadUserGlob":            {reason: "allowed.users are globs too.", obj: binding(put([]any{"[]"}, "allowed", "users")), want: []string{"spec.allowed.users: " + msgGlob}},
		"BadDeniedNodeGlob":      {reason: "deniedNodes are globs too.", obj: binding(put([]any{"node-[!]"}, "schedulingConstraints", "deniedNodes")), want: []string{"spec.schedulingConstraints.deniedNodes: " + msgGlob}},
		"BadAutoApproveGlob":     {reason: "autoApproveFor.clusters are globs too.", obj: template(put([]any{"[^"}, "approvers", "autoApproveFor", "clusters")), want: []string{"spec.approvers.autoApproveFor.clusters: " + msgGlob}},
		"PriorityTooHigh":        {reason: "Priority is bounded above.", obj: binding(put(int64(1000001), "priority")), want: []string{"spec.priority: " + msgPriority}},
		"NegativePriority":       {reason: "Priority is not negative.", obj: binding(put(int64(-1), "priority")), want: []string{"spec.priority: " + msgPriority}},
		"MaxPriority":            {reason: "The bound itself is admitted.", obj: binding(put(int64(1000000), "priority"))},
		"CapsOK":                 {reason: "Caps of one session are admitted.", obj: binding(put(int64(1), "maxActiveSessionsPerUser"), put(int64(1), "maxActiveSessionsTotal"))},
		"PerUserCapZero":         {reason: "A per-user cap of 0 would let nobody start; it is refused.", obj: binding(put(int64(0), "maxActiveSessionsPerUser")), want: []string{"spec.maxActiveSessionsPerUser: spec.maxActiveSessionsPerUser in body should be greater than or equal to 1"}},
		"TotalCapNegative":       {reason: "A negative total cap is refused.", obj: binding(put(int64(-2), "maxActiveSessionsTotal")), want: []string{"spec.maxActiveSessionsTotal: spec.maxActiveSessionsTotal in body should be greater than or equal to 1"}},
		"DurationsOK":            {reason: "Parseable positive durations with default within max are admitted.", obj: binding(put(map[string]any{"maxDuration": "1h30m", "defaultDuration": "90m", "approvalTimeout": "0.5h"}, "constraints"))},
		"MaxDurationWords":       {reason: "A duration must parse.", obj: binding(put("1 hour", "constraints", "maxDuration")), want: []string{"spec.constraints.maxDuration: " + msgDuration("maxDuration")}},
		"DefaultDurationZero":    {reason: "A duration must be positive.", obj: template(put("0s", "constraints", "defaultDuration")), want: []string{"spec.constraints.defaultDuration: " + msgDuration("defaultDuration")}},
		"NegativeTimeout":        {reason: "A negative approval timeout is refused.", obj: template(put("-1h", "constraints", "approvalTimeout")), want: []string{"spec.constraints.approvalTimeout: " + msgDuration("approvalTimeout")}},
		"DefaultAboveMax":        {reason: "defaultDuration may not exceed maxDuration.", obj: binding(put(map[string]any{"maxDuration": "1h", "defaultDuration": "61m"}, "constraints")), want: []string{"spec.constraints.defaultDuration: " + msgDefaultMax}},
		"BadNodeSelectorKey":     {reason: "nodeSelector keys are label keys.", obj: binding(put(map[string]any{"bad key": "x"}, "schedulingConstraints", "nodeSelector")), want: []string{"spec.schedulingConstraints.nodeSelector: " + msgLabelKey}},
		"BadDeniedLabelKey":      {reason: "deniedNodeLabels keys are label keys.", obj: template(put(map[string]any{"-x": "*"}, "schedulingConstraints", "deniedNodeLabels")), want: []string{"spec.schedulingConstraints.deniedNodeLabels: " + msgLabelKey}},
		"BadPodLabelKey":         {reason: "Pod template labels are labels.", obj: podTemplate(put(map[string]any{"a/b/c": "x"}, "template", "metadata", "labels")), want: []string{"spec.template.metadata.labels: " + msgLabelKey}},
		"AuxNameNotDNSLabel":     {reason: "Auxiliary resource names name composed resources and must be DNS labels.", obj: binding(put([]any{aux("Net_Pol", "NetworkPolicy")}, "auxiliaryResources")), want: []string{"spec.auxiliaryResources[0].name: " + msgAuxName}},
		"AuxNamesDuplicate":      {reason: "Two auxiliary resources of one list may not share a name.", obj: template(put([]any{aux("np", "NetworkPolicy"), aux("np", "ConfigMap")}, "auxiliaryResources")), want: []string{"spec.auxiliaryResources: " + msgAuxUnique}},
		"OptionNamesDuplicate":   {reason: "Sessions pick an option by name, so names are unique.", obj: template(put([]any{map[string]any{"name": "gpu"}, map[string]any{"name": "gpu"}}, "schedulingOptions", "options")), want: []string{"spec.schedulingOptions: option names must be unique"}},
		"OptionTwoDefaults":      {reason: "Only one option can be used when none is named.", obj: template(put([]any{map[string]any{"name": "a", "default": true}, map[string]any{"name": "b", "default": true}}, "schedulingOptions", "options")), want: []string{"spec.schedulingOptions: at most one option may be the default"}},
		"OptionNameNotDNSLabel":  {reason: "Option names are DNS labels.", obj: binding(put([]any{map[string]any{"name": "GPU pool"}}, "schedulingOptions", "options")), want: []string{"spec.schedulingOptions.options[0].name: " + msgAuxName}},
		"OptionsEmpty":           {reason: "Options without any option offer nothing.", obj: binding(put([]any{}, "schedulingOptions", "options")), want: []string{"spec.schedulingOptions.options: spec.schedulingOptions.options in body should have at least 1 items"}},
		"DefaultNamespaceNotDNS": {reason: "The default namespace must be a namespace name.", obj: template(put("Debug_NS", "namespaceConstraints", "defaultNamespace")), want: []string{"spec.namespaceConstraints.defaultNamespace: defaultNamespace must be a namespace name (a DNS label)"}},
		"BadNamespaceGlob":       {reason: "Namespace patterns are globs.", obj: binding(put([]any{"debug-[a"}, "namespaceConstraints", "allowedNamespaces", "patterns")), want: []string{"spec.namespaceConstraints.allowedNamespaces.patterns: " + msgGlob}},
		"WindowBackwards":        {reason: "A binding that expires before it starts never exists.", obj: binding(put("2026-12-01T00:00:00Z", "effectiveFrom"), put("2026-11-01T00:00:00Z", "expiresAt")), want: []string{"spec.expiresAt: expiresAt must be after effectiveFrom"}},
		"WindowOK":               {reason: "A forward window is admitted.", obj: binding(put("2026-11-01T00:00:00Z", "effectiveFrom"), put("2026-12-01T00:00:00Z", "expiresAt"), put(true, "hidden"))},
		"JobTemplate":            {reason: "A Job template with pods and a backoff limit within bounds is admitted.", obj: template(put("Job", "workloadType"), put(int64(2), "replicas"), put(int64(10), "backoffLimit"))},
		"UnknownWorkloadType":    {reason: "Only the three workload kinds exist.", obj: template(put("StatefulSet", "workloadType")), want: []string{`spec.workloadType: supported values: "DaemonSet", "Deployment", "Job"`}},
		"BackoffAboveBound":      {reason: "Every retry is a new pod on the target: the backoff limit is bounded.", obj: template(put("Job", "workloadType"), put(int64(11), "backoffLimit")), want: []string{"spec.backoffLimit: spec.backoffLimit in body should be less than or equal to 10"}},
		"BackoffWithoutJob":      {reason: "Only a Job retries its pods.", obj: template(put("Deployment", "workloadType"), put(int64(1), "backoffLimit")), want: []string{"spec.backoffLimit: backoffLimit needs workloadType Job"}},
		"BackoffDefaultKind":     {reason: "The default kind is a DaemonSet, which does not retry either.", obj: template(put(int64(1), "backoffLimit")), want: []string{"spec.backoffLimit: backoffLimit needs workloadType Job"}},
		"JobWithoutPods":         {reason: "A Job of zero pods runs nothing.", obj: template(put("Job", "workloadType"), put(int64(0), "replicas")), want: []string{"spec.replicas: a Job needs at least one pod"}},
		"DeploymentOfZero":       {reason: "A Deployment may still be scaled to zero.", obj: template(put("Deployment", "workloadType"), put(int64(0), "replicas"))},
		"JobWithDisruptionBudget": {
			reason: "A Job's pods get no disruption budget.",
			obj:    template(put("Job", "workloadType"), put(map[string]any{"minAvailable": int64(1)}, "podDisruptionBudget")),
			want:   []string{"spec.podDisruptionBudget: a Job's pods get no PodDisruptionBudget: they are meant to finish, and an eviction counts as a failed attempt"},
		},
		"PodTemplateAuxUnique": {reason: "The same holds for a pod template's list.", obj: podTemplate(put([]any{aux("np", "NetworkPolicy"), aux("np", "ConfigMap")}, "auxiliaryResources")), want: []string{"spec.auxiliaryResources: " + msgAuxUnique}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kind, _ := tc.obj["kind"].(string)
			got := describe(crds[kind].Validate(tc.obj))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nValidate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestCRDsAccepted checks every shipped CRD as the API server does on
// create, including the static cost of its validation rules.
func TestCRDsAccepted(t *testing.T) {
	for _, f := range []string{"crd-clusterconfigs.yaml", "crd-debugpodtemplates.yaml", "crd-debugsessionclusterbindings.yaml", "crd-debugsessiontemplates.yaml"} {
		if _, err := admissiontest.LoadCRDE(f); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestCRDTransitionRules checks the rules that compare an update with the
// object it replaces.
func TestCRDTransitionRules(t *testing.T) {
	crd := admissiontest.LoadCRD(t, "crd-debugsessiontemplates.yaml")
	const immutable = "spec.workloadType: workloadType is immutable: the running sessions' workloads would be left behind on their clusters; create a new template"
	cases := map[string]struct {
		reason   string
		old, obj map[string]any
		want     []string
	}{
		"SameKind": {
			reason: "Any other change to a Job template is admitted.",
			old:    template(put("Job", "workloadType")),
			obj:    template(put("Job", "workloadType"), put(int64(2), "backoffLimit")),
		},
		"DaemonSetToJob": {
			reason: "A running session's DaemonSet would be orphaned when its Object starts managing a Job instead.",
			old:    template(put("DaemonSet", "workloadType")),
			obj:    template(put("Job", "workloadType")),
			want:   []string{immutable},
		},
		"DefaultToDeployment": {
			reason: "Leaving workloadType out means DaemonSet; setting it to another kind later is a change too.",
			old:    template(),
			obj:    template(put("Deployment", "workloadType")),
			want:   []string{immutable},
		},
		"DefaultSpelledOut": {
			reason: "Writing the default out changes nothing.",
			old:    template(),
			obj:    template(put("DaemonSet", "workloadType")),
		},
		"JobRemoved": {
			reason: "Removing workloadType from a Job template turns it into a DaemonSet one.",
			old:    template(put("Job", "workloadType")),
			obj:    template(),
			want:   []string{immutable},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := describe(crd.ValidateUpdate(tc.obj, tc.old))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nValidateUpdate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
