//go:build !unix

package measure

import "os"

// rusage reports CPU times only: other systems have no rusage.
func rusage(state *os.ProcessState) Usage {
	return Usage{
		UserSeconds:   state.UserTime().Seconds(),
		SystemSeconds: state.SystemTime().Seconds(),
	}
}
