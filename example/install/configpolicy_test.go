package install_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"

	"github.com/k8s-breakglass/function-debug-session/internal/admissiontest"
)

const configPolicyFile = "admission-config.yaml"

// loadConfigPolicy compiles the configuration policy with the API server's
// admission code.
func loadConfigPolicy(t *testing.T) *admissiontest.Policy {
	t.Helper()
	var p *admissionregistrationv1.ValidatingAdmissionPolicy
	var b *admissionregistrationv1.ValidatingAdmissionPolicyBinding
	for _, doc := range admissiontest.ReadYAML(t, configPolicyFile) {
		switch doc["kind"] {
		case "ValidatingAdmissionPolicy":
			p = &admissionregistrationv1.ValidatingAdmissionPolicy{}
			fromYAML(t, doc, p)
			admissiontest.DefaultMatch(p.Spec.MatchConstraints)
		case "ValidatingAdmissionPolicyBinding":
			b = &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
			fromYAML(t, doc, b)
			admissiontest.DefaultMatch(b.Spec.MatchResources)
		}
	}
	if p.Spec.FailurePolicy == nil || *p.Spec.FailurePolicy != admissionregistrationv1.Fail {
		t.Fatalf("%s must fail closed", configPolicyFile)
	}
	return admissiontest.Compile(t, p, b)
}

// admitConfig runs obj through the policy as a CREATE and returns the
// denial messages.
func admitConfig(t *testing.T, p *admissiontest.Policy, obj map[string]any) []string {
	t.Helper()
	kind, _ := obj["kind"].(string)
	gvk := schema.GroupVersionKind{Group: "breakglass.telekom.de", Version: "v1alpha1", Kind: kind}
	res := gvk.GroupVersion().WithResource(strings.ToLower(kind) + "s")
	matched, denials := p.Evaluate(t, admissiontest.Request{
		Object: &unstructured.Unstructured{Object: obj}, Kind: gvk, Resource: res,
		Namespace: "breakglass-system", Name: "x", Operation: admission.Create, User: "admin",
	})
	if !matched {
		t.Fatalf("%s does not match a %s", configPolicyFile, kind)
	}
	var out []string
	for _, d := range denials {
		out = append(out, d.Message)
	}
	return out
}

func TestConfigPolicy(t *testing.T) {
	p := loadConfigPolicy(t)
	const (
		msgRange       = ": every range in a glob [...] class must run forwards, like a-z"
		msgValue       = ": every value must be a label value (at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit)"
		msgSel         = "spec.clusterSelector.matchExpressions: keys must be label keys; In and NotIn need at least one value, Exists and DoesNotExist take none"
		msgTemplateSel = "spec.templateSelector.matchExpressions: keys must be label keys; In and NotIn need at least one value, Exists and DoesNotExist take none"
		msgTerms       = "spec.schedulingConstraints.requiredNodeAffinity.nodeSelectorTerms must hold at least one term and no empty term: an empty term matches no node"
		msgExpr        = "spec.schedulingConstraints.requiredNodeAffinity matchExpressions: keys must be label keys; In and NotIn need at least one value, Exists and DoesNotExist take none, Gt and Lt exactly one integer"
		msgField       = "spec.schedulingConstraints.requiredNodeAffinity matchFields: only metadata.name, with In or NotIn and exactly one node name"
		msgPref        = "spec.schedulingConstraints.preferredNodeAffinity: weights are 1 to 100; In and NotIn need at least one value, Exists and DoesNotExist take none, Gt and Lt exactly one integer"
		msgTol         = "spec.schedulingConstraints.tolerations: operator is Equal or Exists, effect NoSchedule, PreferNoSchedule or NoExecute; Exists takes no value and Equal needs a key"
		msgTSC         = "spec.schedulingConstraints.topologySpreadConstraints: maxSkew above 0, a topologyKey, and whenUnsatisfiable DoNotSchedule or ScheduleAnyway"
		msgAnti        = "spec.schedulingConstraints requiredPodAntiAffinity and preferredPodAntiAffinity: every term needs a topologyKey, weights are 1 to 100; In and NotIn need at least one value, Exists and DoesNotExist take none"
		msgAux         = ": set createBefore: false; the function can only observe that a Pod, Job, CronJob, StatefulSet, ReplicaSet or ReplicationController was applied, not that it is ready"
	)
	expr := func(op string, values ...any) map[string]any {
		e := map[string]any{"key": "node-role.kubernetes.io/control-plane", "operator": op}
		if values != nil {
			e["values"] = values
		}
		return e
	}
	terms := func(t ...any) map[string]any { return map[string]any{"nodeSelectorTerms": t} }
	term := func(e ...any) map[string]any { return map[string]any{"matchExpressions": e} }
	sc := func(v any, f string) func(map[string]any) { return put(v, "schedulingConstraints", f) }
	// opts sets scheduling options, each with the constraints of its own
	// sc-style modifier, so an option's constraints get the same checks.
	opts := func(cs map[string]map[string]any) func(map[string]any) {
		var list []any
		for _, name := range []string{"gpu", "sriov"} {
			if c, ok := cs[name]; ok {
				list = append(list, map[string]any{"name": name, "schedulingConstraints": c})
			}
		}
		return put(list, "schedulingOptions", "options")
	}

	cases := map[string]struct {
		reason string
		obj    map[string]any
		want   []string
	}{
		"PlainBinding":          {reason: "A binding without scheduling constraints is admitted.", obj: binding()},
		"ForwardRange":          {reason: "A class with a forward range is admitted.", obj: binding(put([]any{"prod-[a-c]*"}, "clusters"))},
		"BackwardRange":         {reason: "A range that runs backwards is no valid glob.", obj: binding(put([]any{"prod-[c-a]"}, "clusters")), want: []string{"spec.clusters" + msgRange}},
		"BackwardInUsers":       {reason: "Every glob list is checked and named.", obj: template(put([]any{"[z-a]@example.com"}, "allowed", "users"), put([]any{"n[9-0]"}, "schedulingConstraints", "deniedNodes")), want: []string{"spec.allowed.users, spec.schedulingConstraints.deniedNodes" + msgRange}},
		"BadLabelValue":         {reason: "nodeSelector values are label values.", obj: binding(sc(map[string]any{"pool": "not a value"}, "nodeSelector")), want: []string{"spec.schedulingConstraints.nodeSelector" + msgValue}},
		"DeniedAnyValue":        {reason: "deniedNodeLabels may deny any value with *.", obj: binding(sc(map[string]any{"pool": "*"}, "deniedNodeLabels"))},
		"StarNotInSelector":     {reason: "* is no label value elsewhere.", obj: binding(sc(map[string]any{"pool": "*"}, "nodeSelector")), want: []string{"spec.schedulingConstraints.nodeSelector" + msgValue}},
		"SelectorValue":         {reason: "clusterSelector.matchLabels values are label values.", obj: binding(put(map[string]any{"env": "prod!"}, "clusterSelector", "matchLabels")), want: []string{"spec.clusterSelector.matchLabels" + msgValue}},
		"PodLabelValue":         {reason: "Pod template label values are label values.", obj: podTemplate(put(map[string]any{"app": strings.Repeat("x", 64)}, "template", "metadata", "labels")), want: []string{"spec.template.metadata.labels" + msgValue}},
		"SelectorInNoValue":     {reason: "A selector In needs values.", obj: binding(put([]any{map[string]any{"key": "env", "operator": "In"}}, "clusterSelector", "matchExpressions")), want: []string{msgSel}},
		"SelectorExistsOK":      {reason: "A selector Exists without values is admitted.", obj: binding(put([]any{map[string]any{"key": "env", "operator": "Exists"}}, "clusterSelector", "matchExpressions"))},
		"TemplateSelectorValue": {reason: "templateSelector.matchLabels values are label values too.", obj: binding(drop("templateRef"), put(map[string]any{"tier": "net work"}, "templateSelector", "matchLabels")), want: []string{"spec.templateSelector.matchLabels" + msgValue}},
		"TemplateSelectorBadOp": {reason: "A templateSelector operator the selector parser refuses is refused at admission.", obj: binding(drop("templateRef"), put([]any{map[string]any{"key": "tier", "operator": "Like", "values": []any{"net"}}}, "templateSelector", "matchExpressions")), want: []string{msgTemplateSel}},
		"TemplateSelectorOK":    {reason: "A well-formed templateSelector is admitted.", obj: binding(drop("templateRef"), put(map[string]any{"tier": "network"}, "templateSelector", "matchLabels"), put([]any{map[string]any{"key": "deprecated", "operator": "DoesNotExist"}}, "templateSelector", "matchExpressions"))},
		"NoTerms":               {reason: "A required affinity without terms is refused.", obj: binding(sc(terms(), "requiredNodeAffinity")), want: []string{msgTerms}},
		"EmptyTerm":             {reason: "An empty term matches no node.", obj: binding(sc(terms(map[string]any{}), "requiredNodeAffinity")), want: []string{msgTerms}},
		"DoesNotExistOK":        {reason: "The proposal's control-plane exclusion is admitted.", obj: binding(sc(terms(term(expr("DoesNotExist"))), "requiredNodeAffinity"))},
		"InWithoutValues":       {reason: "In needs at least one value.", obj: binding(sc(terms(term(expr("In"))), "requiredNodeAffinity")), want: []string{msgExpr}},
		"ExistsWithValues":      {reason: "Exists takes no values.", obj: binding(sc(terms(term(expr("Exists", "x"))), "requiredNodeAffinity")), want: []string{msgExpr}},
		"GtNotInteger":          {reason: "Gt needs one integer.", obj: binding(sc(terms(term(expr("Gt", "ten"))), "requiredNodeAffinity")), want: []string{msgExpr}},
		"GtInteger":             {reason: "Gt with one integer is admitted.", obj: binding(sc(terms(term(expr("Gt", "10"))), "requiredNodeAffinity"))},
		"UnknownOperator":       {reason: "An unknown operator is refused.", obj: binding(sc(terms(term(expr("Like", "x"))), "requiredNodeAffinity")), want: []string{msgExpr}},
		"FieldTwoNames":         {reason: "A node field requirement holds exactly one name.", obj: binding(sc(terms(map[string]any{"matchFields": []any{map[string]any{"key": "metadata.name", "operator": "NotIn", "values": []any{"a", "b"}}}}), "requiredNodeAffinity")), want: []string{msgField}},
		"PreferredBadOp":        {reason: "Preferred terms follow the same operator rules.", obj: template(sc([]any{map[string]any{"weight": int64(10), "preference": term(expr("NotIn"))}}, "preferredNodeAffinity")), want: []string{msgPref}},
		"TolerationExists":      {reason: "Exists with a value is refused.", obj: binding(sc([]any{map[string]any{"key": "dedicated", "operator": "Exists", "value": "x"}}, "tolerations")), want: []string{msgTol}},
		"TolerationNoKey":       {reason: "Equal without a key is refused.", obj: binding(sc([]any{map[string]any{"operator": "Equal", "value": "x"}}, "tolerations")), want: []string{msgTol}},
		"TolerationOK":          {reason: "A keyed Equal toleration is admitted.", obj: binding(sc([]any{map[string]any{"key": "dedicated", "value": "debug", "effect": "NoSchedule"}}, "tolerations"))},
		"SpreadZeroSkew":        {reason: "maxSkew must be positive.", obj: binding(sc([]any{map[string]any{"maxSkew": int64(0), "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}}, "topologySpreadConstraints")), want: []string{msgTSC}},
		"AntiNoTopology":        {reason: "An anti-affinity term needs a topologyKey.", obj: binding(sc([]any{map[string]any{"topologyKey": ""}}, "requiredPodAntiAffinity")), want: []string{msgAnti}},
		"OptionOK":              {reason: "A scheduling option with valid constraints is admitted.", obj: template(opts(map[string]map[string]any{"gpu": {"nodeSelector": map[string]any{"accelerator": "nvidia"}}}))},
		"OptionLabelValue": {reason: "An option's nodeSelector values are label values, named by option.", obj: binding(opts(map[string]map[string]any{"gpu": {"nodeSelector": map[string]any{"accelerator": "not a value"}}})),
			want: []string{"spec.schedulingOptions.options[gpu].schedulingConstraints.nodeSelector" + msgValue}},
		"OptionDeniedNodesRange": {reason: "An option's denied node globs are checked like the mandatory ones.", obj: template(opts(map[string]map[string]any{"sriov": {"deniedNodes": []any{"n[9-0]"}}})),
			want: []string{"spec.schedulingOptions.options[sriov].schedulingConstraints.deniedNodes" + msgRange}},
		"OptionAndMandatoryBothNamed": {reason: "A rule broken by the mandatory constraints and by an option names both.", obj: binding(sc(terms(), "requiredNodeAffinity"), opts(map[string]map[string]any{"gpu": {"requiredNodeAffinity": terms()}})),
			want: []string{"spec.schedulingConstraints, spec.schedulingOptions.options[gpu].schedulingConstraints" + strings.TrimPrefix(msgTerms, "spec.schedulingConstraints")}},
		"OptionToleration": {reason: "An option's tolerations follow the same rules.", obj: binding(opts(map[string]map[string]any{"gpu": {"tolerations": []any{map[string]any{"operator": "Equal", "value": "x"}}}})),
			want: []string{"spec.schedulingOptions.options[gpu].schedulingConstraints" + strings.TrimPrefix(msgTol, "spec.schedulingConstraints")}},
		"NamespaceBackwardRange": {reason: "Namespace patterns are globs, checked like the others.", obj: template(put([]any{"debug-[z-a]"}, "namespaceConstraints", "deniedNamespaces", "patterns")),
			want: []string{"spec.namespaceConstraints.deniedNamespaces.patterns" + msgRange}},
		"NamespaceLabelValue": {reason: "Namespace selector label values are label values.", obj: binding(put([]any{map[string]any{"matchLabels": map[string]any{"team": "not a value"}}}, "namespaceConstraints", "allowedNamespaces", "selectorTerms")),
			want: []string{"spec.namespaceConstraints.allowedNamespaces.selectorTerms.matchLabels" + msgValue}},
		"NamespaceSelectorInNoValue": {reason: "A namespace selector In needs values.", obj: binding(put([]any{map[string]any{"matchExpressions": []any{map[string]any{"key": "team", "operator": "In"}}}}, "namespaceConstraints", "deniedNamespaces", "selectorTerms")),
			want: []string{"spec.namespaceConstraints selectorTerms matchExpressions: keys must be label keys; In and NotIn need at least one value, Exists and DoesNotExist take none"}},
		"NamespaceConstraintsOK": {reason: "Valid namespace constraints are admitted.", obj: template(put(map[string]any{"allowUserNamespace": true, "defaultNamespace": "debug", "allowedNamespaces": map[string]any{"patterns": []any{"debug-*"}, "selectorTerms": []any{map[string]any{"matchLabels": map[string]any{"team": "a"}, "matchExpressions": []any{map[string]any{"key": "pci", "operator": "DoesNotExist"}}}}}}, "namespaceConstraints"))},
		"AuxJobCreateFirst":      {reason: "createBefore (the default) on a Job would hold pods back for nothing.", obj: template(put([]any{aux("migrate", "Job")}, "auxiliaryResources")), want: []string{"spec.auxiliaryResources migrate" + msgAux}},
		"AuxJobAfter":            {reason: "A Job with createBefore: false is admitted.", obj: template(put([]any{map[string]any{"name": "migrate", "createBefore": false, "template": map[string]any{"kind": "Job"}}}, "auxiliaryResources"))},
		"AuxPolicyFirst":         {reason: "A NetworkPolicy is ready once applied, so createBefore is fine.", obj: podTemplate(put([]any{aux("np", "NetworkPolicy")}, "auxiliaryResources"))},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := admitConfig(t, p, tc.obj)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nadmission: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
