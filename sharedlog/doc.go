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
//   - unlocked-whole: writer processes open the file with O_APPEND and
//     write each record in one write(2); no lock. On Linux every record
//     arrives whole: the kernel appends each write to a regular file in one
//     piece.
//   - unlocked-split: the same through a 4 KiB bufio.Writer, which flushes
//     when full, mid-record: the pieces of a record go out in two write(2)
//     calls and other writers' appends land between them.
//   - unlocked-noappend: one write(2) per record without O_APPEND; every
//     process writes from its own offset, starting at 0.
//   - locked: a procsync.Lock held around each record's write(2).
//   - py-unlocked: the tutorial's code run by python3: multiprocessing.Process
//     writers doing open(path, 'a') and f.write(record), no lock (see
//     RunPython). CPython's file object flushes before a write that does not
//     fit its buffer, so its write(2) calls end on record boundaries.
//   - py-locked: the same with a multiprocessing.Lock held around each
//     f.write(record) and f.flush().
//   - mutex: goroutines of one process sharing one *os.File under a
//     sync.Mutex.
//   - channel: goroutines sending records to one writer goroutine.
//   - callback: workers of a procpool.Pool return records (Record) and the
//     parent's success callback, a single writer, appends them
//     (SingleWriter); see RunCallback.
//
// Mode.Describe says the same in results.LogMode's fields, for readers that
// judge a run without parsing mode names.
//
// Process modes re-execute the current binary as writer processes, and the
// callback mode as pool workers: both are roles (procpool.RegisterRole), so
// a program that runs them must call procpool.ServeRole first thing in main
// (a test binary, first thing in TestMain):
//
//	func main() {
//		if served, err := procpool.ServeRole(); served {
//			if err != nil {
//				fmt.Fprintln(os.Stderr, err)
//				os.Exit(1)
//			}
//			os.Exit(0)
//		}
//		...
//	}
package sharedlog
