// Package api serves, over HTTPS, the templates and clusters a caller may
// use: the same answers as the available command, for the caller a
// Kubernetes TokenReview of their bearer token names, over objects kept in
// an informer cache.
//
//	GET /api/v1/debug-sessions/templates
//	GET /api/v1/debug-sessions/templates/{name}/clusters
//
// Both take an optional ?cluster= to ask about one cluster.
package api
