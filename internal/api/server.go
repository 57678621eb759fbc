package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/crossplane/function-sdk-go/logging"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/k8s-breakglass/function-debug-session/internal/available"
	"github.com/k8s-breakglass/function-debug-session/internal/preview"
)

// Paths the server answers.
const (
	PathTemplates = "/api/v1/debug-sessions/templates"
	PathClusters  = PathTemplates + "/{name}/clusters"
)

// A Caller is an authenticated user.
type Caller struct {
	User   string
	Groups []string
}

// An Authenticator identifies the caller who presents token.
type Authenticator interface {
	// Authenticate returns ErrUnauthenticated when the token does not
	// identify anyone, and another error when it could not find out.
	Authenticate(ctx context.Context, token string) (Caller, error)
}

// ErrUnauthenticated is a token that identifies nobody.
var ErrUnauthenticated = errors.New("the bearer token does not identify a user")

// Server answers the API.
type Server struct {
	Auth     Authenticator
	Function preview.Runner
	Source   preview.Source
	Input    *unstructured.Unstructured
	Log      logging.Logger
}

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathTemplates, s.authenticated(s.templates))
	mux.HandleFunc("GET "+PathClusters, s.authenticated(s.clusters))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	return mux
}

type handler func(w http.ResponseWriter, r *http.Request, c Caller)

// authenticated runs h for the caller the bearer token identifies, and
// answers 401 without a token or with one that identifies nobody.
func (s *Server) authenticated(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			unauthorized(w)
			return
		}
		c, err := s.Auth.Authenticate(r.Context(), strings.TrimSpace(token))
		if errors.Is(err, ErrUnauthenticated) {
			unauthorized(w)
			return
		}
		if err != nil {
			s.Log.Info("Cannot authenticate a caller", "error", err)
			writeError(w, http.StatusServiceUnavailable, "cannot authenticate the caller now; try again")
			return
		}
		h(w, r, c)
	}
}

func (s *Server) find(r *http.Request, c Caller, template string) (*available.Answer, error) {
	f := &available.Finder{Function: s.Function, Source: s.Source, Input: s.Input}
	return f.Find(r.Context(), available.Query{User: c.User, Groups: c.Groups, Cluster: r.URL.Query().Get("cluster"), Template: template})
}

func (s *Server) templates(w http.ResponseWriter, r *http.Request, c Caller) {
	a, err := s.find(r, c, "")
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, a.List)
}

func (s *Server) clusters(w http.ResponseWriter, r *http.Request, c Caller) {
	name := r.PathValue("name")
	a, err := s.find(r, c, name)
	if err != nil {
		s.fail(w, err)
		return
	}
	cl, ok := a.Clusters[name]
	if !ok {
		// The same answer whether the template does not exist or the
		// caller may not use it: neither tells them anything.
		writeError(w, http.StatusNotFound, "no template "+name+" that you may use")
		return
	}
	writeJSON(w, http.StatusOK, cl)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	s.Log.Info("Cannot answer a request", "error", err)
	writeError(w, http.StatusInternalServerError, "cannot compute the answer")
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="function-debug-session"`)
	writeError(w, http.StatusUnauthorized, "a valid Kubernetes bearer token is required")
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}
