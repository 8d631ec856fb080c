// Wrapper main for etcd: go.etcd.io/etcd/server/v3 has relative replace directives,
// so `go install` refuses it; a separate module that requires it builds fine.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
