package render

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// vars are the variables of a typical session.
func vars() *Variables {
	return &Variables{
		Session: SessionVariables{
			Name:        "inc-1234",
			Namespace:   "team-a",
			Cluster:     "prod-cluster-a",
			RequestedBy: "alice@example.com",
			Reason:      "INC-1234: packet loss",
			ExpiresAt:   "2026-01-01T10:00:00Z",
		},
		TargetNamespace: "debug-sessions-prod",
		Labels: map[string]string{
			"breakglass.telekom.de/session":      "inc-1234",
			"breakglass.telekom.de/session-type": "debug",
		},
		Template: TemplateVariables{Name: "network-debug-session", Namespace: "breakglass-system", DisplayName: "Network Debug Session"},
		Binding:  BindingVariables{Name: "prod-binding", Namespace: "breakglass-system"},
		Cluster: ClusterVariables{
			Name:        "prod-cluster-a",
			Labels:      map[string]string{"environment": "production"},
			Environment: "production",
			Location:    "eu-west-1",
		},
	}
}

// tmpl returns a template as the API server stores it: JSON.
func tmpl(t *testing.T, y string) runtime.RawExtension {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(y))
	if err != nil {
		t.Fatalf("bad test template: %v", err)
	}
	return runtime.RawExtension{Raw: j}
}

// object reads an expected object, with integers as int64.
func object(t *testing.T, y string) map[string]any {
	t.Helper()
	v, err := decodeYAML([]byte(y))
	if err != nil {
		t.Fatalf("bad expected object: %v", err)
	}
	m, _ := v.(map[string]any)
	return m
}

// renderWant is what rendering a template gives: the object, as YAML, or
// the error.
type renderWant struct {
	obj string
	err string
}

// renderCase is one case of testRender: tmpl, written as YAML, is rendered
// with the variables of vars().
type renderCase struct {
	reason string
	tmpl   string
	want   renderWant
}

// testRender runs a table of render cases against one Renderer, so that
// every case after the first also goes through the parse cache.
func testRender(t *testing.T, cases map[string]renderCase) {
	t.Helper()
	r := New()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			raw := runtime.RawExtension{}
			if tc.tmpl != "" {
				raw = tmpl(t, tc.tmpl)
			}
			got, err := r.Render(raw, vars(), 1<<20)
			if diff := cmp.Diff(tc.want.err, errString(err)); diff != "" {
				t.Errorf("%s\nRender(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if tc.want.err != "" {
				return
			}
			if diff := cmp.Diff(object(t, tc.want.obj), got); diff != "" {
				t.Errorf("%s\nRender(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRender(t *testing.T) {
	cases := map[string]renderCase{
		"EveryVariable": {
			reason: "Every variable of the design is available under its documented name.",
			tmpl: `
data:
  session: "{{ .Session.Name }} {{ .Session.Namespace }} {{ .Session.Cluster }} {{ .Session.RequestedBy }} {{ .Session.ExpiresAt }}"
  reason: "{{ .Session.Reason }}"
  target: "{{ .TargetNamespace }}"
  template: "{{ .Template.Name }} {{ .Template.Namespace }} {{ .Template.DisplayName }}"
  binding: "{{ .Binding.Name }} {{ .Binding.Namespace }}"
  cluster: "{{ .Cluster.Name }} {{ .Cluster.Labels.environment }} {{ .Cluster.Environment }} {{ .Cluster.Location }}"
  label: '{{ index .Labels "breakglass.telekom.de/session" }}'
  annotations: "{{ .Annotations | toYaml }}"
`,
			want: renderWant{obj: `
data:
  session: inc-1234 team-a prod-cluster-a alice@example.com 2026-01-01T10:00:00Z
  reason: "INC-1234: packet loss"
  target: debug-sessions-prod
  template: network-debug-session breakglass-system Network Debug Session
  binding: prod-binding breakglass-system
  cluster: prod-cluster-a production production eu-west-1
  label: inc-1234
  annotations: {}
`},
		},
		"PlainReasonStaysAString": {
			reason: "A reason that reads like YAML stays a string: only actions ending in toYaml, toJson, indent or nindent become structure.",
			tmpl:   `{data: {reason: "{{ .Session.Reason }}", quoted: "{{ .Session.Reason | quote }}"}}`,
			want:   renderWant{obj: `{data: {reason: "INC-1234: packet loss", quoted: "\"INC-1234: packet loss\""}}`},
		},
		"JSONListBecomesAList": {
			reason: "A single toJson action that produces a list becomes a list.",
			tmpl:   `{spec: {args: "{{ list .Session.Name .Session.Cluster | toJson }}"}}`,
			want:   renderWant{obj: `{spec: {args: [inc-1234, prod-cluster-a]}}`},
		},
		"ScalarOutputStaysAString": {
			reason: "A YAML-producing action whose output is a scalar stays a string.",
			tmpl:   `{data: {n: "{{ 5 | toJson }}"}}`,
			want:   renderWant{obj: `{data: {n: "5"}}`},
		},
		"TextAroundAnActionIsNotStructure": {
			reason: "A string with text besides the action is a string even when its action produces YAML.",
			tmpl:   `{data: {l: "labels: {{ .Labels | toYaml }}"}}`,
			want:   renderWant{obj: `{data: {l: "labels: breakglass.telekom.de/session: inc-1234\nbreakglass.telekom.de/session-type: debug"}}`},
		},
		"StringsWithoutActionsAreKept": {
			reason: "Strings without an action, numbers, booleans and nulls are copied as they are.",
			tmpl:   `{a: "plain }} {", b: 3, c: 1.5, d: true, e: null}`,
			want:   renderWant{obj: `{a: "plain }} {", b: 3, c: 1.5, d: true, e: null}`},
		},
		"KeysAreSorted": {
			reason: "keys returns sorted keys, so the output is the same on every call.",
			tmpl:   `{a: '{{ keys .Cluster.Labels (dict "zone" "a" "app" "x") | join "," }}'}`,
			want:   renderWant{obj: `{a: "app,environment,zone"}`},
		},
		"MergeDoesNotModifyItsArguments": {
			reason: "merge returns a new dictionary; the labels it merged into are unchanged.",
			tmpl:   `{a: '{{ $m := merge .Cluster.Labels (dict "extra" "x") }}{{ len $m }} {{ len .Cluster.Labels }}'}`,
			want:   renderWant{obj: `{a: "2 1"}`},
		},
		"RequiredPassesValues": {
			reason: "required returns a value that is set.",
			tmpl:   `{a: '{{ required "a session name is required" .Session.Name }}'}`,
			want:   renderWant{obj: `{a: inc-1234}`},
		},
		"FromYamlReadsMaps": {
			reason: "fromYaml reads a YAML document into a dictionary.",
			tmpl:   `{a: '{{ (fromYaml "x: 1\nname: two").name }}'}`,
			want:   renderWant{obj: `{a: two}`},
		},
		"RequiredFailsOnEmpty": {
			reason: "required fails with its message when the value is empty.",
			tmpl:   `{metadata: {name: '{{ required "the binding must have a name" .Binding.Namespace | trimAll "x" | required "x" }}{{ required "no reason" "" }}'}}`,
			want:   renderWant{err: `template.metadata.name: line 1, column 96: at <required "no reason" "">: error calling required: no reason`},
		},
		"MissingKeyIsAnError": {
			reason: "missingkey=error: a label that does not exist is an error naming the field path.",
			tmpl:   `{metadata: {labels: {team: "{{ .Cluster.Labels.team }}"}}}`,
			want:   renderWant{err: `template.metadata.labels.team: line 1, column 11: at <.Cluster.Labels.team>: map has no entry for key "team"`},
		},
		"UnknownVariableIsAnError": {
			reason: "A misspelt variable is an error naming the field path.",
			tmpl:   `{spec: {egress: [{to: [{ipBlock: {cidr: "{{ .Sesion.Name }}"}}]}]}}`,
			want:   renderWant{err: `template.spec.egress[0].to[0].ipBlock.cidr: line 1, column 10: at <.Sesion.Name>: can't evaluate field Sesion in type render.variables`},
		},
		"KeysThatAreNotIdentifiersAreBracketed": {
			reason: "Field paths quote keys with dots or slashes in brackets.",
			tmpl:   `{metadata: {labels: {"breakglass.telekom.de/session": "{{ .Nope }}"}}}`,
			want:   renderWant{err: `template.metadata.labels[breakglass.telekom.de/session]: line 1, column 3: at <.Nope>: can't evaluate field Nope in type render.variables`},
		},
		"ParseErrorsNameTheField": {
			reason: "A syntax error names the field and the line.",
			tmpl:   `{metadata: {name: "{{ .Session.Name "}}`,
			want:   renderWant{err: `template.metadata.name: line 1: unclosed action`},
		},
		"EmptyTemplate": {
			reason: "A resource without a template is an error.",
			tmpl:   ``,
			want:   renderWant{err: `template: the template is empty`},
		},
		"TemplateMustBeAnObject": {
			reason: "A template that is not an object is an error.",
			tmpl:   `[a, b]`,
			want:   renderWant{err: `template: the template must be an object`},
		},
	}
	testRender(t, cases)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestRenderIsDeterministic renders the same templates many times, also
// concurrently, and expects the same bytes every time.
func TestRenderIsDeterministic(t *testing.T) {
	src := tmpl(t, `
metadata:
  labels: "{{ .Labels | toYaml | nindent 4 }}"
  annotations:
    keys: '{{ keys (dict "b" 1 "a" 2 "c" 3) | join "," }}'
    values: '{{ values (dict "b" 1 "a" 2 "c" 3) | toJson }}'
    dict: '{{ dict "z" 1 "y" (list 1 2) "x" (dict "k" "v") }}'
    range: '{{ range $k, $v := .Cluster.Labels }}{{ $k }}={{ $v }};{{ end }}'
    sha: '{{ .Session.Name | sha256sum }}'
data:
  json: '{{ dict "z" 1 "y" (list 1 2) "x" (dict "k" "v") | toPrettyJson }}'
`)
	r := New()
	first := renderJSON(t, r, src)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := renderJSON(t, r, src); got != first {
					t.Errorf("Rendering must be deterministic.\nfirst: %s\nlater: %s", first, got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func renderJSON(t *testing.T, r *Renderer, raw runtime.RawExtension) string {
	t.Helper()
	obj, err := r.Render(raw, vars(), 1<<20)
	if err != nil {
		t.Errorf("Render(...): %v", err)
		return ""
	}
	b, _ := json.Marshal(obj)
	return string(b)
}

func TestRenderOutputLimit(t *testing.T) {
	_, err := New().Render(tmpl(t, `{a: '{{ repeat 100 "x" }}', b: '{{ repeat 100 "y" }}'}`), vars(), 150)
	if !errors.Is(err, ErrOutputLimit) {
		t.Errorf("Output beyond the caller's limit must fail with ErrOutputLimit; got %v", err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "template.b: ") {
		t.Errorf("The error must name the field that crossed the limit; got %v", err)
	}
}
