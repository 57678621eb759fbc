// Package catalog reads Kubernetes objects from YAML files and directories,
// remembering where each came from, and answers Crossplane's required
// resource selectors from them.
//
// The tools (validate, explain, available) work offline on what a platform
// repository holds. They report problems as file:line, so every document
// keeps its YAML node tree to find the line of a field path.
package catalog
