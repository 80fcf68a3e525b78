package sharedlog

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/poolbench/poolbench/procpool"
)

func TestMain(m *testing.M) {
	if served, err := procpool.ServeRole(); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}
