package main

// renderCases are hostile templates of auxiliary resources: bombs,
// recursion, aliases, nesting and values that print differently each call.
func renderCases() map[string]hostileCase {
	aliasBomb := `a: &a [x,x,x,x,x,x,x,x,x,x]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]`
	deep := any("bottom")
	for range 150 {
		deep = map[string]any{"n": deep}
	}
	return map[string]hostileCase{
		"RepeatBomb": {
			reason: "A template that asks for a 100 MB string is refused before it is built.",
			args:   hostile(aux(configMap(`{{ repeat 100000000 "x" }}`))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.v: line 1, column 3: at <repeat 100000000 \"x\">: error calling repeat: repeat 100000000 would make a string of 100000000 bytes, more than the 1048576 allowed"},
		},
		"UntilBomb": {
			reason: "A range over a hundred million numbers is refused before it starts.",
			args:   hostile(aux(configMap(`{{ range until 100000000 }}x{{ end }}`))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.v: line 1, column 9: at <until 100000000>: error calling until: until 100000000 would make a list of 100000000 elements, more than the 10000 allowed"},
		},
		"DictionaryDoubling": {
			reason: "A dictionary that doubles on every iteration exhausts the budget, not the memory.",
			args:   hostile(aux(configMap(`{{ $d := dict }}{{ range until 64 }}{{ $d = dict "a" $d "b" $d }}{{ end }}{{ $d | toJson }}`))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.v: line 1, column 44: at <dict \"a\" $d \"b\" $d>: error calling dict: the template does more work than the limit of 8388608 units allows; loops or data are too large"},
		},
		"Recursion": {
			reason: "A template that includes itself stops at text/template's depth limit.",
			args:   hostile(aux(configMap(`{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" . }}`))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.v: {{define}} and {{block}} are not supported: every string is a template of its own"},
		},
		"AliasBombInFromYaml": {
			reason: "A YAML alias bomb read with fromYaml expands to a million values, which the budget refuses.",
			args:   hostile(aux(configMap("{{ fromYaml `" + aliasBomb + "` | toJson }}"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.v: line 1, column 3: at <fromYaml `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]`>: error calling fromYaml: error converting YAML to JSON: yaml: document contains excessive aliasing"},
		},
		"CollidingKeysInFromYaml": {
			reason: "YAML keys that become one JSON key would render one of two values at random, an object that never settles: refused.",
			args:   hostile(aux(configMap("{{ fromYaml `0: a\n0.0: b` | toJson }}"))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.v: line 1, column 3: at <fromYaml `0: a\n0.0: b`>: error calling fromYaml: the mapping at the top level has keys that YAML reads as different values (0 as a float, 0 as an integer) but JSON as the same key \"0\": quote them to keep them apart"},
		},
		"DeeplyNestedTemplate": {
			reason: "An auxiliary template nested 150 levels deep is refused with the path where it gets too deep.",
			args:   hostile(aux(map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x"}, "data": deep})),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n: the template is nested more than 100 levels deep"},
		},
		"MissingVariable": {
			reason: "A variable that does not exist is an error naming the resource and field, not an empty string.",
			args:   hostile(aux(configMap(`{{ .Session.Owner }}`))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.v: line 1, column 11: at <.Session.Owner>: can't evaluate field Owner in type render.SessionVariables"},
		},
		"DotPrinted": {
			reason: "The dot stored in a dictionary and printed renders the same on every call, and holds no address.",
			args:   hostile(aux(configMap(`{{ $d := dict }}{{range until 010}}{{ $d = dict "0" $}}{{ end }}{{ $d }}`))),
			want:   hostileWant{state: "Pending", message: "Waiting for extra before the debug pods start. Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
		"PointerVerb": {
			reason: "printf %p would print an address; it is refused.",
			args:   hostile(aux(configMap(`{{ printf "%p" .Labels }}`))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.v: line 1, column 3: at <printf \"%p\" .Labels>: error calling printf: printf \"%p\": the %p verb prints a memory address and is not supported"},
		},
		"EnvironmentRead": {
			reason: "Templates cannot read the function's environment.",
			args:   hostile(aux(configMap(`{{ env "HOME" }}`))),
			want:   hostileWant{state: "Failed", message: "DebugSessionTemplate breakglass-system/netops-debug auxiliaryResources[extra] template.data.v: line 1: function \"env\" not defined"},
		},
		"IgnoredFailure": {
			reason: "A resource with failurePolicy ignore that fails to render is skipped with a message; the session goes on.",
			args: hostile(func(s *scenario) {
				specOf(s.template)["auxiliaryResources"] = []any{map[string]any{"name": "extra", "failurePolicy": "ignore", "template": configMap(`{{ repeat 100000000 "x" }}`)}}
			}),
			want: hostileWant{state: "Active", message: "Active on cluster prod-cluster-a for 1h; 0 of 3 renewals used."},
		},
	}
}
