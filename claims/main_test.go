package claims

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/procpool"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// CheckAPI's pool re-executes this test binary as its workers.
	if served, err := procpool.ServeRole(); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// Race-built workers would each sleep a second on exit.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	goleak.VerifyTestMain(m)
}
