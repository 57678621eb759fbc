// A stand-in for github.com/nebius/gosdk, whose module zip the Go module
// proxy refuses. provider-kubernetes imports it only for the Nebius identity
// type, which the e2e harness never configures; every call fails, so a
// ProviderConfig that asked for it would report an error rather than connect.
module github.com/nebius/gosdk

go 1.24.0
