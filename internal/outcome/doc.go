// Package outcome is the one way a session fails. Every step of the pipeline
// (reading the session, requirements, resolution, scheduling, workload,
// auxiliary resources, lifecycle, delivery) returns an *Error when the
// session cannot go on: it carries the state the session takes (Denied when
// the requester asked for something the configuration forbids, Failed when
// the configuration or the function's input is at fault), the object at
// fault and the field path in it, and the message users read in the
// session's status.
//
// The orchestrator stops with whatever error a step returned and never
// parses its text: StateOf tells the state, and the object and field are
// fields of the error.
package outcome
