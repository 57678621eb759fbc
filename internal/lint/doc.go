// Package lint checks templates, pod templates, bindings and cluster configs
// before a platform team applies them: against the generated CRD schemas,
// and against the rules the function applies at run time, by calling the
// same packages (glob, resolution, auxiliary, render) on sample values.
//
// Cross-object checks (references, ties, widening) resolve a reference in
// the referring document's own directory first and then among everything
// given, so a repository of one set of objects and a folder of independent
// examples (each defining its own netops-debug) both lint as meant.
package lint
