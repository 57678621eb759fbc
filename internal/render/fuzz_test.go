package render

import (
	"encoding/json"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
)

// fuzzLimits keep each fuzz input cheap while exercising every limit.
var fuzzLimits = Limits{MaxTemplateBytes: 4 << 10, MaxStringBytes: 64 << 10, MaxIterations: 1000, MaxWork: 1 << 20, MaxDepth: 16}

var fuzzSeeds = []string{
	`{{ .Session.Name }}`,
	`{{ .Labels | toYaml | nindent 12 }}`,
	`{{ range $k, $v := .Cluster.Labels }}{{ $k }}={{ $v }}{{ end }}`,
	`{{ until 100000000 }}`,
	`{{ repeat 1000000000 "x" }}`,
	`{{ $d := dict }}{{ range until 64 }}{{ $d = dict "a" $d "b" $d }}{{ end }}{{ $d }}`,
	`{{ define "x" }}{{ template "x" }}{{ end }}`,
	`{{ printf "%0999999999d" 1 }}`,
	`{{ list 1 2 | toJson }}`,
	`{{ regexReplaceAll "" "abc" "$0$0" }}`,
	`{{ fromYaml "a: [1, {b: c}]" | toYaml }}`,
	`{{ index .Labels "x" | default "y" | upper | quote }}`,
	`{{ with .Session }}{{ .Reason | trunc 5 }}{{ end }}`,
	`{{ if eq .TargetNamespace "x" }}a{{ else }}b{{ end }}`,
	`{{ div 1 0 }}`,
	`{{`,
	`}}{{`,
}

// FuzzRenderLeaf renders arbitrary template text. It must never panic, and
// the same input must always give the same output or the same error.
func FuzzRenderLeaf(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	r := New(WithLimits(fuzzLimits))
	f.Fuzz(func(t *testing.T, leaf string) {
		raw := runtime.RawExtension{Raw: []byte(`{"x":` + jsonString(leaf) + `}`)}
		if !json.Valid(raw.Raw) {
			return
		}
		first := renderOnce(r, raw)
		// A fresh renderer must agree: the cache must not change results.
		if again := renderOnce(New(WithLimits(fuzzLimits)), raw); again != first {
			t.Fatalf("Render is not deterministic for %q:\nfirst: %s\nagain: %s", leaf, first, again)
		}
	})
}

// FuzzRenderTemplate renders arbitrary template documents, YAML or JSON.
func FuzzRenderTemplate(f *testing.F) {
	f.Add([]byte(`{"metadata":{"name":"{{ .Session.Name }}","labels":"{{ .Labels | toYaml }}"}}`))
	f.Add([]byte("kind: ConfigMap\ndata:\n  a: '{{ .TargetNamespace }}'\n"))
	f.Add([]byte(`[1, 2]`))
	f.Add([]byte(`a: &a [*a]`))
	r := New(WithLimits(fuzzLimits))
	f.Fuzz(func(t *testing.T, doc []byte) {
		raw := runtime.RawExtension{Raw: doc}
		first := renderOnce(r, raw)
		if again := renderOnce(r, raw); again != first {
			t.Fatalf("Render is not deterministic for %q:\nfirst: %s\nagain: %s", doc, first, again)
		}
	})
}

func renderOnce(r *Renderer, raw runtime.RawExtension) string {
	obj, err := r.Render(raw, vars(), 64<<10)
	if err != nil {
		return "error: " + err.Error()
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return "unserialisable: " + err.Error()
	}
	return string(b)
}

// BenchmarkParseCache renders templates with a warm cache and with no cache,
// interleaved in the same run, and reports how many times faster the cached
// render is (uncached/cached). It asserts nothing about time. "proposal" is
// the three small resources of a typical template, where decoding and YAML dominate;
// "script" is a ConfigMap holding a longer templated script, where parsing
// does.
func BenchmarkParseCache(b *testing.B) {
	cases := map[string][]runtime.RawExtension{
		"proposal": {
			{Raw: []byte(`{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"debug-egress-{{ .Session.Name }}","namespace":"{{ .TargetNamespace }}"},"spec":{"podSelector":{"matchLabels":{"breakglass.telekom.de/session":"{{ .Session.Name }}"}},"policyTypes":["Egress"],"egress":[{"to":[{"ipBlock":{"cidr":"10.0.0.0/8"}}]}]}}`)},
			{Raw: []byte(`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"debug-sa-{{ .Session.Name }}","namespace":"{{ .TargetNamespace }}","labels":"{{ .Labels | toYaml | nindent 12 }}"}}`)},
			{Raw: []byte(`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"debug-reader-{{ .Session.Name }}","namespace":"{{ .TargetNamespace }}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"ServiceAccount","name":"debug-sa-{{ .Session.Name }}","namespace":"{{ .TargetNamespace }}"}]}}`)},
		},
		"script": {{Raw: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"debug-tools-{{ .Session.Name }}"},"data":{"init.sh":` + jsonString(script) + `}}`)}},
	}
	for name, templates := range cases {
		b.Run(name, func(b *testing.B) {
			cached, uncached := New(), New(WithCacheSize(0))
			v := vars()
			render := func(r *Renderer) time.Duration {
				start := time.Now()
				for _, t := range templates {
					if _, err := r.Render(t, v, 1<<20); err != nil {
						b.Fatal(err)
					}
				}
				return time.Since(start)
			}
			render(cached) // Warm the cache and the slot pools.
			render(uncached)
			var tc, tu time.Duration
			for b.Loop() {
				tc += render(cached)
				tu += render(uncached)
			}
			b.ReportMetric(float64(tc.Nanoseconds())/float64(b.N), "cached-ns/op")
			b.ReportMetric(float64(tu.Nanoseconds())/float64(b.N), "uncached-ns/op")
			b.ReportMetric(float64(tu)/float64(tc), "uncached/cached")
		})
	}
}

const script = `#!/bin/sh
# Debug session {{ .Session.Name }} in {{ .Session.Namespace }} on {{ .Cluster.Name }}
# requested by {{ .Session.RequestedBy | quote }} for {{ .Session.Reason | quote }}
set -eu
{{- range $k, $v := .Labels }}
export LABEL_{{ $k | upper | replace "." "_" | replace "/" "_" | replace "-" "_" }}={{ $v | quote }}
{{- end }}
{{- if eq .Cluster.Environment "production" }}
echo "production cluster: read-only tools only"
READ_ONLY=1
{{- else }}
READ_ONLY=0
{{- end }}
{{- with .Cluster.Location }}
REGION={{ . | quote }}
{{- end }}
EXPIRES={{ .Session.ExpiresAt | default "unknown" | quote }}
TARGET={{ .TargetNamespace | quote }}
TEMPLATE={{ printf "%s/%s" .Template.Namespace .Template.Name | quote }}
{{- range $i, $p := list "tcpdump" "dig" "curl" "ss" "ip" }}
TOOL_{{ $i }}={{ $p }}
{{- end }}
HASH={{ .Session.Name | sha256sum | trunc 12 }}
`
