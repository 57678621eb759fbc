package rollout

import (
	"testing"
	"time"

	"github.com/crossplane/function-sdk-go/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/k8s-breakglass/function-debug-session/internal/apis/v1alpha1"
	"github.com/k8s-breakglass/function-debug-session/internal/auxiliary"
	"github.com/k8s-breakglass/function-debug-session/internal/delivery"
	"github.com/k8s-breakglass/function-debug-session/internal/render"
	"github.com/k8s-breakglass/function-debug-session/internal/resolution"
)

const workload resource.Name = "workload"

func aux(name, tmpl string, o ...func(*v1alpha1.AuxiliaryResource)) v1alpha1.AuxiliaryResource {
	j, err := yaml.YAMLToJSON([]byte(tmpl))
	if err != nil {
		panic(err)
	}
	r := v1alpha1.AuxiliaryResource{Name: name, Template: runtime.RawExtension{Raw: j}}
	for _, fn := range o {
		fn(&r)
	}
	return r
}

func createAfter(r *v1alpha1.AuxiliaryResource) { f := false; r.CreateBefore = &f }
func keep(r *v1alpha1.AuxiliaryResource)        { f := false; r.DeleteAfter = &f }
func ignore(r *v1alpha1.AuxiliaryResource)      { r.FailurePolicy = v1alpha1.FailurePolicyIgnore }

func cm(name string) string {
	return `{apiVersion: v1, kind: ConfigMap, metadata: {name: ` + name + `}}`
}

// enabled enables resources of a session template alone.
func enabled(t *testing.T, rs ...v1alpha1.AuxiliaryResource) *auxiliary.Enabled {
	t.Helper()
	tmpl := &v1alpha1.DebugSessionTemplate{ObjectMeta: metav1.ObjectMeta{Name: "network-debug-session", Namespace: "breakglass-system"}}
	tmpl.Spec.AuxiliaryResources = rs
	en, err := auxiliary.Enable(nil, []resolution.Layer{{Source: tmpl.Describe(), Template: tmpl}})
	if err != nil {
		t.Fatal(err)
	}
	return en
}

// renderAll renders resources the way RunFunction does, in a target
// namespace and under the default policy.
func renderAll(en *auxiliary.Enabled) (*auxiliary.Result, error) {
	c := auxiliary.Context{
		Session:         &v1alpha1.DebugSession{ObjectMeta: metav1.ObjectMeta{Name: "inc-1234", Namespace: "team-a"}},
		TargetNamespace: "debug-sessions-prod",
	}
	return auxiliary.Render(render.New(), en, c, auxiliary.PolicyFor(nil, nil))
}

func ready(names ...resource.Name) Observed {
	o := Observed{}
	for _, n := range names {
		o[n] = delivery.Readiness{Observed: true, Ready: true}
	}
	return o
}

func (o Observed) with(name resource.Name, r delivery.Readiness) Observed {
	o[name] = r
	return o
}

// observer is an Observer over fixed readiness and ready-since times.
type observer struct {
	Observed
	since map[resource.Name]time.Time
}

func (o observer) Readiness(name resource.Name) delivery.Readiness { return o.Observed[name] }
func (o observer) ReadySince(name resource.Name) time.Time         { return o.since[name] }
