// Package auth declares the names of github.com/nebius/gosdk/auth that
// provider-kubernetes calls. See ../go.mod for why it exists.
package auth

// BearerToken is an IAM token; the stand-in never issues one.
type BearerToken struct {
	Token string
}

// NewPrivateKeyParser returns nothing usable: the stand-in SDK never reads
// credentials.
func NewPrivateKeyParser([]byte, string, string) any { return nil }
