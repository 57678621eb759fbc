// Package available answers "which debug sessions may I start, where, and
// under which constraints?" for one user. For every template and cluster it
// runs the function on a session the user could create, through
// preview.Run, and keeps what the function would not deny: the answer is
// exactly what the user would get, and only settings of bindings that admit
// the user are ever reported.
//
// JSON field names follow the upstream breakglass API
// (DebugSessionTemplateResponse, AvailableClusterDetail) where it has them.
package available
