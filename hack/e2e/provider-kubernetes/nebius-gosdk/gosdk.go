// Package gosdk declares the names of github.com/nebius/gosdk that
// provider-kubernetes calls, so that the provider builds without the real
// module. See go.mod for why.
package gosdk

import (
	"context"
	"errors"

	"github.com/nebius/gosdk/auth"
)

// errStub is what every use of the stand-in returns: the e2e harness must
// never reach Nebius authentication, and if it does it should say so.
var errStub = errors.New("nebius authentication is not available in the e2e build of provider-kubernetes")

// SDK is never constructed: New always fails.
type SDK struct{}

// Option configures New; the stand-in ignores it.
type Option func()

// New fails: see errStub.
func New(context.Context, ...Option) (*SDK, error) { return nil, errStub }

// WithCredentials returns an Option that does nothing.
func WithCredentials(any) Option { return func() {} }

// ServiceAccountReader returns nothing usable; New fails before it is read.
func ServiceAccountReader(any) any { return nil }

// BearerToken fails: see errStub.
func (*SDK) BearerToken(context.Context) (auth.BearerToken, error) {
	return auth.BearerToken{}, errStub
}
