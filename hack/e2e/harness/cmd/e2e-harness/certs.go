package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// validity is long enough for any test run and short enough that a leaked
// certificate from a scratch directory is worthless soon.
const validity = 7 * 24 * time.Hour

// runCerts writes everything the control plane needs to a fresh directory: a
// CA, the API server's serving certificate, an admin client certificate (in
// system:masters, used by every component and by the tests, which impersonate
// users from it), the service account signing key pair and a kubeconfig.
func runCerts(args []string) error {
	fs := flag.NewFlagSet("certs", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory to write certificates and the kubeconfig to")
	server := fs.String("server", "https://127.0.0.1:6443", "API server URL for the kubeconfig")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-dir is required")
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}

	ca, err := newCA("e2e-kubernetes-ca")
	if err != nil {
		return err
	}
	if err := ca.write(*dir, "ca"); err != nil {
		return err
	}

	// The API server is reached as 127.0.0.1 from outside and as the
	// kubernetes Service (first address of the service range) from inside.
	apiserver, err := ca.issue(pkix.Name{CommonName: "kube-apiserver"}, x509.ExtKeyUsageServerAuth,
		[]string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		[]net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")})
	if err != nil {
		return err
	}
	if err := apiserver.write(*dir, "apiserver"); err != nil {
		return err
	}

	admin, err := ca.issue(pkix.Name{CommonName: "e2e-admin", Organization: []string{"system:masters"}}, x509.ExtKeyUsageClientAuth, nil, nil)
	if err != nil {
		return err
	}
	if err := admin.write(*dir, "admin"); err != nil {
		return err
	}

	// Service account tokens are signed with RSA, which every component
	// accepts for --service-account-key-file.
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(*dir, "sa.key"), "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)); err != nil {
		return err
	}
	if err := writePEM(filepath.Join(*dir, "sa.pub"), "PUBLIC KEY", saPub); err != nil {
		return err
	}

	return os.WriteFile(filepath.Join(*dir, "admin.kubeconfig"), kubeconfig(*server, ca.certPEM, admin.certPEM, admin.keyPEM), 0o600)
}

// runSign issues a serving certificate from an existing CA. The harness uses
// it for the function: Crossplane dials functions with mTLS only, verifying
// the server against the CA that `crossplane core init` created, and the
// function verifies Crossplane's client certificate against the same CA.
func runSign(args []string) error {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	caCert := fs.String("ca-cert", "", "PEM CA certificate")
	caKey := fs.String("ca-key", "", "PEM CA private key")
	dir := fs.String("dir", "", "directory to write tls.crt, tls.key and ca.crt to")
	cn := fs.String("cn", "", "common name")
	dns := fs.String("dns", "", "comma-separated DNS names")
	ips := fs.String("ip", "127.0.0.1", "comma-separated IP addresses")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *caCert == "" || *caKey == "" || *dir == "" || *cn == "" {
		return errors.New("-ca-cert, -ca-key, -dir and -cn are required")
	}
	ca, err := loadCA(*caCert, *caKey)
	if err != nil {
		return err
	}
	var names []string
	if *dns != "" {
		names = strings.Split(*dns, ",")
	}
	var addrs []net.IP
	for _, s := range strings.Split(*ips, ",") {
		if s == "" {
			continue
		}
		ip := net.ParseIP(s)
		if ip == nil {
			return fmt.Errorf("invalid IP address %q", s)
		}
		addrs = append(addrs, ip)
	}
	// Crossplane's function client and server both present this pair, so it
	// is good for both usages.
	kp, err := ca.issue(pkix.Name{CommonName: *cn}, x509.ExtKeyUsageServerAuth, names, addrs, x509.ExtKeyUsageClientAuth)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*dir, "tls.crt"), kp.certPEM, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*dir, "tls.key"), kp.keyPEM, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*dir, "ca.crt"), ca.certPEM, 0o600)
}

// keyPair is a certificate with its key, parsed and as PEM.
type keyPair struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte
}

func newCA(cn string) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return newKeyPair(der, key)
}

func (ca *keyPair) issue(subject pkix.Name, usage x509.ExtKeyUsage, dns []string, ips []net.IP, more ...x509.ExtKeyUsage) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  append([]x509.ExtKeyUsage{usage}, more...),
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, err
	}
	return newKeyPair(der, key)
}

func newKeyPair(der []byte, key crypto.Signer) (*keyPair, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &keyPair{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

func (kp *keyPair) write(dir, name string) error {
	if err := os.WriteFile(filepath.Join(dir, name+".crt"), kp.certPEM, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".key"), kp.keyPEM, 0o600)
}

// loadCA reads a CA written by anyone: Crossplane writes PKCS#1 RSA keys, this
// tool PKCS#8.
func loadCA(certFile, keyFile string) (*keyPair, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("CA certificate or key is not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	var key any
	switch kb.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(kb.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(kb.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(kb.Bytes)
	}
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported CA key type %T", key)
	}
	return &keyPair{cert: cert, key: signer, certPEM: certPEM, keyPEM: keyPEM}, nil
}

func writePEM(file, typ string, der []byte) error {
	return os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err) // crypto/rand never fails on Linux.
	}
	return n
}

// kubeconfig embeds everything so the file works from any directory.
func kubeconfig(server string, ca, cert, key []byte) []byte {
	b64 := base64.StdEncoding.EncodeToString
	return []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: e2e-admin
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: e2e
  context:
    cluster: e2e
    user: e2e-admin
current-context: e2e
`, server, b64(ca), b64(cert), b64(key)))
}
