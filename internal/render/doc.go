// Package render renders the templates of auxiliary resources.
//
// A template is a Kubernetes object written as YAML or JSON in which every
// string value is a Go text/template with sprig functions. Rendering is
// sandboxed and deterministic: templates see only the session's Variables,
// cannot read the environment, the filesystem, the network, the clock or a
// random source, and every loop, allocation and output byte is bounded by
// Limits. The same template and variables always give the same object.
package render
