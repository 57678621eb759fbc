// Package telemetry records what the function decided, for dashboards, alerts
// and audits: Prometheus metrics with bounded label cardinality, and one
// structured audit log line per session transition.
//
// Labels never carry user or session names. Template and cluster labels
// carry only names of objects the platform team wrote (a
// DebugSessionTemplate that exists, a cluster that has a ClusterConfig);
// anything a user typed that resolves to no such object is counted under
// Unresolved. So the number of series is bounded by the platform's
// configuration, not by what users ask for. docs/observability.md lists
// every metric and the audit record.
package telemetry
