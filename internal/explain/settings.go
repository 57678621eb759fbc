package explain

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/preview"
	"github.com/k8s-breakglass/function-debug-session/internal/workload"
)

// settings lists every effective setting with the object it came from:
// what resolution recorded in Result.Sources, the workload from the
// template and pod template, the session caps of each binding and the
// scheduling constraints of each layer (both may have several sources) and
// the user's nodeSelector.
func settings(o *preview.Outcome) []Setting {
	res, t := o.Resolution, o.Fetched.Template
	var out []Setting
	out = append(out, Setting{Field: "workloadType", Value: string(workload.Kind(t)), Source: t.Describe()})
	if pt := o.Fetched.PodTemplate; pt != nil {
		out = append(out, Setting{Field: "podTemplate", Value: podSummary(pt), Source: pt.Describe()})
	}
	values := resolvedValues(o)
	for _, f := range slices.Sorted(maps.Keys(res.Sources)) {
		out = append(out, Setting{Field: f, Value: values[f], Source: res.Sources[f]})
	}
	out = append(out, capSources(o)...)
	out = append(out, schedulingSources(o)...)
	if ns := o.Session.Spec.NodeSelector; len(ns) > 0 {
		v := labels(ns)
		if !res.AllowUserNodeSelector {
			v += " (refused: no binding sets allowUserNodeSelector)"
		}
		out = append(out, Setting{Field: "nodeSelector", Value: v, Source: "user: " + o.Session.Describe() + " spec.nodeSelector"})
	}
	return out
}

// resolvedValues renders the value of every field resolution has a source
// for.
func resolvedValues(o *preview.Outcome) map[string]string {
	res := o.Resolution
	out := map[string]string{
		"targetNamespace":       res.TargetNamespace,
		"allowUserNodeSelector": fmt.Sprint(res.AllowUserNodeSelector),
		"displayName":           res.DisplayName,
	}
	var c map[string]any
	if b, err := json.Marshal(res.Constraints); err == nil {
		_ = json.Unmarshal(b, &c) // a struct of strings and numbers always round-trips
	}
	for k, v := range c {
		out["constraints."+k] = fmt.Sprint(v)
	}
	if a := res.Approvers; a != nil {
		out["approvers"] = people(a.Groups, a.Users)
		if out["approvers"] == "" {
			out["approvers"] = "nobody (approval off)"
		}
		if auto := a.AutoApproveFor; auto != nil {
			out["approvers"] += fmt.Sprintf("; auto-approve groups [%s] clusters [%s]", strings.Join(auto.Groups, ", "), strings.Join(auto.Clusters, ", "))
		}
	}
	return out
}

// capSources lists the session caps of every binding the session applies
// through: each holds over that binding's own sessions, so one field may
// have several sources, and the smallest is met first.
func capSources(o *preview.Outcome) []Setting {
	var out []Setting
	for _, b := range o.Resolution.Bindings() {
		if n := b.Spec.MaxActiveSessionsPerUser; n != nil {
			out = append(out, Setting{Field: "maxActiveSessionsPerUser", Value: fmt.Sprint(*n), Source: b.Describe()})
		}
		if n := b.Spec.MaxActiveSessionsTotal; n != nil {
			out = append(out, Setting{Field: "maxActiveSessionsTotal", Value: fmt.Sprint(*n), Source: b.Describe()})
		}
	}
	slices.SortStableFunc(out, func(a, b Setting) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// schedulingSources names, for each scheduling field, the layers that set
// it. Fields merge across layers (section "Scheduling constraints" of the
// design), so the value says how much each layer adds.
func schedulingSources(o *preview.Outcome) []Setting {
	var out []Setting
	for _, l := range o.Resolution.Layers {
		sc := l.SchedulingConstraints()
		if sc == nil {
			continue
		}
		src := l.Source
		if l.Option != nil {
			src = fmt.Sprintf("%s scheduling option %q", l.Source, l.Option.Name)
		}
		for _, f := range schedulingFields(sc) {
			out = append(out, Setting{Field: "schedulingConstraints." + f.name, Value: f.value, Source: src})
		}
	}
	slices.SortStableFunc(out, func(a, b Setting) int { return strings.Compare(a.Field, b.Field) })
	return out
}

type fieldValue struct{ name, value string }

func schedulingFields(sc *v1alpha1.SchedulingConstraints) []fieldValue {
	var out []fieldValue
	add := func(name string, n int, v string) {
		if n > 0 {
			out = append(out, fieldValue{name, v})
		}
	}
	if r := sc.RequiredNodeAffinity; r != nil {
		add("requiredNodeAffinity", len(r.NodeSelectorTerms), fmt.Sprintf("%d term(s)", len(r.NodeSelectorTerms)))
	}
	add("preferredNodeAffinity", len(sc.PreferredNodeAffinity), fmt.Sprintf("%d term(s)", len(sc.PreferredNodeAffinity)))
	add("requiredPodAntiAffinity", len(sc.RequiredPodAntiAffinity), fmt.Sprintf("%d term(s)", len(sc.RequiredPodAntiAffinity)))
	add("preferredPodAntiAffinity", len(sc.PreferredPodAntiAffinity), fmt.Sprintf("%d term(s)", len(sc.PreferredPodAntiAffinity)))
	add("nodeSelector", len(sc.NodeSelector), labels(sc.NodeSelector))
	add("tolerations", len(sc.Tolerations), tolerations(sc))
	add("topologySpreadConstraints", len(sc.TopologySpreadConstraints), fmt.Sprintf("%d constraint(s)", len(sc.TopologySpreadConstraints)))
	add("deniedNodes", len(sc.DeniedNodes), strings.Join(sc.DeniedNodes, ", "))
	add("deniedNodeLabels", len(sc.DeniedNodeLabels), labels(sc.DeniedNodeLabels))
	return out
}

func tolerations(sc *v1alpha1.SchedulingConstraints) string {
	out := make([]string, 0, len(sc.Tolerations))
	for _, t := range sc.Tolerations {
		s := t.Key
		if t.Value != "" {
			s += "=" + t.Value
		}
		if t.Effect != "" {
			s += ":" + string(t.Effect)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func labels(m map[string]string) string {
	out := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, ", ")
}

func people(groups, users []string) string {
	var parts []string
	if len(groups) > 0 {
		parts = append(parts, "groups "+strings.Join(groups, ", "))
	}
	if len(users) > 0 {
		parts = append(parts, "users "+strings.Join(users, ", "))
	}
	return strings.Join(parts, "; ")
}

func podSummary(pt *v1alpha1.DebugPodTemplate) string {
	cs := make([]string, 0, len(pt.Spec.Template.Spec.Containers))
	for _, c := range pt.Spec.Template.Spec.Containers {
		cs = append(cs, c.Name+" ("+c.Image+")")
	}
	return "containers " + strings.Join(cs, ", ")
}
