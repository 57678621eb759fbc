// Command e2e-harness holds the small tools the e2e scripts need and a fresh
// machine may lack: certificate generation (openssl may be absent), a loopback
// OCI registry that Crossplane pulls the Function package from, a package
// pusher, and a process that holds the private network namespace the whole
// control plane runs in.
package main

import (
	"fmt"
	"os"
)

// commands maps a subcommand to its entry point. Each parses its own flags so
// that the scripts read like the shell commands they replace.
var commands = map[string]func(args []string) error{
	"certs":    runCerts,
	"sign":     runSign,
	"registry": runRegistry,
	"push":     runPush,
	"hold":     runHold,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: e2e-harness certs|sign|registry|push|hold [flags]")
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "e2e-harness %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
