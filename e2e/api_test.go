//go:build e2e

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAPI starts the api command against the control plane and asks it, with
// real ServiceAccount tokens, what each caller may use: the API server
// authenticates the tokens through TokenReview, and each caller sees only
// the binding that admits them.
func TestAPI(t *testing.T) {
	admin.ApplyFile(t, "api.yaml")
	base := startAPI(t)

	type want struct {
		code        int
		binding     string
		maxDuration string
	}
	cases := map[string]struct {
		reason string
		token  string
		want   want
	}{
		"NoToken": {
			reason: "Without a token nothing is served.",
			want:   want{code: http.StatusUnauthorized},
		},
		"ForgedToken": {
			reason: "A token the API server did not issue is refused.",
			token:  "e30.e30.forged",
			want:   want{code: http.StatusUnauthorized},
		},
		"TenantA": {
			reason: "Tenant A's ServiceAccount gets tenant A's binding and its limit.",
			token:  token(t, "e2e-api-tenant-a"),
			want:   want{code: http.StatusOK, binding: "e2e-api-tenant-a", maxDuration: "1h"},
		},
		"TenantB": {
			reason: "Tenant B's ServiceAccount gets tenant B's binding, and nothing of tenant A's.",
			token:  token(t, "e2e-api-tenant-b"),
			want:   want{code: http.StatusOK, binding: "e2e-api-tenant-b", maxDuration: "2h"},
		},
		"Outsider": {
			reason: "A caller no binding admits cannot tell the template exists.",
			token:  token(t, "e2e-api-outsider"),
			want:   want{code: http.StatusNotFound},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			code, body := get(t, base+"/api/v1/debug-sessions/templates/e2e-api/clusters", tc.token)
			got := want{code: code}
			if code == http.StatusOK {
				var cl struct {
					Clusters []struct {
						BindingRef  struct{ Name string } `json:"bindingRef"`
						Constraints struct {
							MaxDuration string `json:"maxDuration"`
						} `json:"constraints"`
					} `json:"clusters"`
				}
				if err := json.Unmarshal(body, &cl); err != nil || len(cl.Clusters) != 1 {
					t.Fatalf("want one cluster, got %s (%v)", body, err)
				}
				got.binding, got.maxDuration = cl.Clusters[0].BindingRef.Name, cl.Clusters[0].Constraints.MaxDuration
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nGET clusters: -want, +got:\n%s\nbody: %s", tc.reason, diff, body)
			}
		})
	}
}

// startAPI runs the function binary's api command on a free loopback port
// with a fresh self-signed certificate, and returns its base URL.
func startAPI(t *testing.T) string {
	t.Helper()
	bin := functionBinary(t)
	dir := t.TempDir()
	writeCert(t, dir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()

	cmd := exec.Command(bin, "api", "--address", addr, "--tls-certs-dir", dir, "--kubeconfig", admin.kubeconfig, "--resync", "1m")
	logf, err := os.Create(filepath.Join(dir, "api.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "api.log"))
			t.Logf("api log:\n%s", b)
		}
	})
	base := "https://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, _ := get(t, base+"/healthz", ""); code == http.StatusOK {
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("the api command did not become healthy on %s", addr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// functionBinary is the function binary `make build` wrote.
func functionBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("E2E_FUNCTION"); b != "" {
		return b
	}
	cache := os.Getenv("CACHE_DIR")
	if cache == "" {
		cache = filepath.Join("..", ".cache")
	}
	b, err := filepath.Abs(filepath.Join(cache, "bin", "function-debug-session"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(b); err != nil {
		t.Fatalf("no function binary (run 'make build', or set E2E_FUNCTION): %v", err)
	}
	return b
}

// token asks the API server for a token of a ServiceAccount.
func token(t *testing.T, sa string) string {
	t.Helper()
	return strings.TrimSpace(admin.MustRun(t, "", "-n", targetNamespace, "create", "token", sa, "--duration", "10m"))
}

func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// The certificate is the test's own, self-signed.
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	rsp, err := c.Do(req)
	if err != nil {
		return 0, nil
	}
	defer rsp.Body.Close()
	body, _ := io.ReadAll(rsp.Body) // a short body shows in the diff
	return rsp.StatusCode, body
}

// writeCert writes a self-signed certificate for 127.0.0.1 to dir.
func writeCert(t *testing.T, dir string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "e2e api"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:   time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
}
