// Command etcd is the etcd server at the version pinned in go.mod, built from
// the Go module proxy because the e2e harness may not download release
// binaries. It adds nothing: etcdmain.Main is the entry point of the released
// etcd binary.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
