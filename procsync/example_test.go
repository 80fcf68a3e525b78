package procsync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/poolbench/poolbench/procsync"
)

// The article's pattern: acquire, use the shared resource, release. Every
// process that opens a Lock on the same path takes part.
func ExampleLock() {
	dir, _ := os.MkdirTemp("", "procsync-example-")
	defer os.RemoveAll(dir)

	lock, err := procsync.NewLock(filepath.Join(dir, "print.lock"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer lock.Close()
	if err := lock.Acquire(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("hello 0")
	if err := lock.Release(); err != nil {
		fmt.Println(err)
	}
	// Output: hello 0
}
