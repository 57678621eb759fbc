package api

import (
	"context"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	authnclient "k8s.io/client-go/kubernetes/typed/authentication/v1"
)

// TokenReviewer authenticates callers with a Kubernetes TokenReview, so the
// API knows callers exactly as the API server does, with the groups its
// authenticators give them.
type TokenReviewer struct {
	Client    authnclient.TokenReviewInterface
	Audiences []string
}

// Authenticate reviews token.
func (t TokenReviewer) Authenticate(ctx context.Context, token string) (Caller, error) {
	tr, err := t.Client.Create(ctx, &authnv1.TokenReview{Spec: authnv1.TokenReviewSpec{Token: token, Audiences: t.Audiences}}, metav1.CreateOptions{})
	if err != nil {
		return Caller{}, err
	}
	if !tr.Status.Authenticated || tr.Status.User.Username == "" {
		return Caller{}, ErrUnauthenticated
	}
	return Caller{User: tr.Status.User.Username, Groups: tr.Status.User.Groups}, nil
}
