// Package sharedlog measures what happens when several writers append
// records to one log file: the article's claim that unlocked writers corrupt
// it, and that a lock, or a single writer, keeps it whole.
//
// Every record is one line that says who wrote it and what it should hold
// (see Encode), so that Check can count, in a file that may be damaged, the
// records that arrived intact, the torn ones, the lost and the duplicated.
//
// The modes (see Mode) are:
//
//   - unlocked: each process opens the file with O_APPEND and writes through
//     its own 4 KiB buffer, as an ordinary logger does; no lock.
//   - unlocked-noappend: the same without O_APPEND; every process writes from
//     its own offset, starting at 0.
//   - locked: a procsync.Lock held around each record's write and flush.
//   - mutex: goroutines of one process sharing one *os.File under a
//     sync.Mutex.
//   - channel: goroutines sending records to one writer goroutine.
//   - callback: workers of a procpool.Pool return records (Record) and the
//     parent's success callback, a single writer, appends them
//     (SingleWriter); see RunCallback.
//
// Process modes re-execute the current binary as writer processes, and the
// callback mode as pool workers. A program that runs them must call
// ServeIfChild and procpool.ServeIfWorker first thing in main (a test
// binary, first thing in TestMain):
//
//	func main() {
//		for _, serve := range []func() (bool, error){sharedlog.ServeIfChild, procpool.ServeIfWorker} {
//			if ok, err := serve(); ok {
//				if err != nil {
//					fmt.Fprintln(os.Stderr, err)
//					os.Exit(1)
//				}
//				os.Exit(0)
//			}
//		}
//		...
//	}
package sharedlog
