package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crossplane/function-sdk-go/logging"
	"github.com/google/go-cmp/cmp"
	authnv1 "k8s.io/api/authentication/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/k8s-breakglass/function-debug-session/internal/api"
	"github.com/k8s-breakglass/function-debug-session/internal/catalog"
)

// fakeTokenReviews answers TokenReviews as the API server would, for the
// tokens it knows; "down" makes it fail.
func fakeTokenReviews(t *testing.T, users map[string]authnv1.UserInfo) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/apis/authentication.k8s.io/v1/tokenreviews" {
			http.NotFound(w, r)
			return
		}
		tr := &authnv1.TokenReview{}
		if err := json.NewDecoder(r.Body).Decode(tr); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if tr.Spec.Token == "down" {
			http.Error(w, "etcd is gone", http.StatusInternalServerError)
			return
		}
		u, ok := users[tr.Spec.Token]
		tr.APIVersion, tr.Kind = "authentication.k8s.io/v1", "TokenReview"
		tr.Status = authnv1.TokenReviewStatus{Authenticated: ok, User: u}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(tr)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAPI(t *testing.T) {
	kube := fakeTokenReviews(t, map[string]authnv1.UserInfo{
		"ann-token":  {Username: "ann@tenant-a.example.com", Groups: []string{"tenant-a-admins", "system:authenticated"}},
		"bert-token": {Username: "bert@tenant-b.example.com", Groups: []string{"tenant-b-admins"}},
		"eve-token":  {Username: "eve@example.com", Groups: []string{"everyone"}},
	})
	// The fake speaks JSON only; a real API server also speaks protobuf.
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: kube.URL, ContentConfig: rest.ContentConfig{ContentType: "application/json"}})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := catalog.Load(filepath.Join("..", "example", "binding-tenant-isolation", "required.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := &api.Server{
		Auth:     api.TokenReviewer{Client: cs.AuthenticationV1().TokenReviews()},
		Function: toolFunction(now), Source: objs, Log: logging.NewNopLogger(),
	}
	srv := httptest.NewTLSServer(s.Handler())
	t.Cleanup(srv.Close)

	type want struct {
		code int
		body string
	}
	cases := map[string]struct {
		reason string
		path   string
		token  string
		want   want
	}{
		"NoToken": {
			reason: "A request without a bearer token is not served.",
			path:   api.PathTemplates,
			want:   want{code: http.StatusUnauthorized, body: `{"error":"a valid Kubernetes bearer token is required"}`},
		},
		"BadToken": {
			reason: "A token the API server does not authenticate is not served.",
			path:   api.PathTemplates, token: "forged",
			want: want{code: http.StatusUnauthorized, body: `{"error":"a valid Kubernetes bearer token is required"}`},
		},
		"ReviewFails": {
			reason: "When the TokenReview itself fails, the caller is told to retry, not that the token is bad.",
			path:   api.PathTemplates, token: "down",
			want: want{code: http.StatusServiceUnavailable, body: `{"error":"cannot authenticate the caller now; try again"}`},
		},
		"TenantATemplates": {
			reason: "Tenant A's admin sees the template, usable on one cluster.",
			path:   api.PathTemplates, token: "ann-token",
			want: want{code: http.StatusOK, body: `{"templates":[{"name":"tenant-debug","namespace":"breakglass-system","displayName":"Tenant Debug","workloadType":"DaemonSet","targetNamespace":"breakglass-debug","requiresApproval":false,"hasAvailableClusters":true,"availableClusterCount":1}],"total":1}`},
		},
		"TenantAClusters": {
			reason: "Tenant A's admin sees only tenant A's cluster and binding.",
			path:   "/api/v1/debug-sessions/templates/tenant-debug/clusters", token: "ann-token",
			want: want{code: http.StatusOK, body: `{"templateName":"tenant-debug","templateDisplayName":"Tenant Debug","clusters":[{"name":"tenant-a-prod","displayName":"Tenant A Production","environment":"production","location":"eu-west-1","bindingRef":{"name":"tenant-a-debug","namespace":"breakglass-system","priority":0},"targetNamespace":"breakglass-debug","schedulingConstraints":{"summary":"Control-plane nodes excluded, worker nodes only; only nodes where tenant is tenant-a"},"approval":{"required":false,"canAutoApprove":false}}]}`},
		},
		"TenantBClusters": {
			reason: "Tenant B's admin sees only tenant B's cluster; nothing of tenant A's binding.",
			path:   "/api/v1/debug-sessions/templates/tenant-debug/clusters", token: "bert-token",
			want: want{code: http.StatusOK, body: `{"templateName":"tenant-debug","templateDisplayName":"Tenant Debug","clusters":[{"name":"tenant-b-prod","displayName":"Tenant B Production","environment":"production","location":"eu-west-1","bindingRef":{"name":"tenant-b-debug","namespace":"breakglass-system","priority":0},"targetNamespace":"breakglass-debug","schedulingConstraints":{"summary":"Control-plane nodes excluded, worker nodes only; only nodes where tenant is tenant-b"},"approval":{"required":false,"canAutoApprove":false}}]}`},
		},
		"OutsiderTemplates": {
			reason: "A user no binding admits sees an empty list.",
			path:   api.PathTemplates, token: "eve-token",
			want: want{code: http.StatusOK, body: `{"templates":[],"total":0}`},
		},
		"OutsiderClusters": {
			reason: "A user who may not use a template gets the same 404 as for a template that does not exist.",
			path:   "/api/v1/debug-sessions/templates/tenant-debug/clusters", token: "eve-token",
			want: want{code: http.StatusNotFound, body: `{"error":"no template tenant-debug that you may use"}`},
		},
		"OneCluster": {
			reason: "?cluster= limits the answer to one cluster.",
			path:   api.PathTemplates + "?cluster=tenant-b-prod", token: "ann-token",
			want: want{code: http.StatusOK, body: `{"templates":[],"total":0}`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			rsp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer rsp.Body.Close()
			body, err := io.ReadAll(rsp.Body)
			if err != nil {
				t.Fatal(err)
			}
			got := want{code: rsp.StatusCode, body: strings.TrimSpace(string(body))}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nGET %s: -want, +got:\n%s", tc.reason, tc.path, diff)
			}
		})
	}
}
