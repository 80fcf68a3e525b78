package cli

import (
	"bytes"
	"io"
	"os"
)

// maxInput is the most readInput reads: far beyond any results file or
// journal (a sweep of every strategy keeps a few MiB), and a bound on what
// a wrong path (/dev/zero, a disk image) costs before it is refused.
const maxInput = 256 << 20

// readInput reads a results file or journal the user named. Input that
// cannot be one (its first byte past blanks is not '{') is returned as far
// as that first byte, for the decoder to say what it is, and input larger
// than maxInput is refused, so that neither reads without end.
func readInput(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("%s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	var data []byte
	buf := make([]byte, 64<<10)
	blank := true // all read so far is blanks: the first byte is still to come
	for {
		n, err := f.Read(buf)
		data = append(data, buf[:n]...)
		if blank {
			if first := bytes.TrimLeft(buf[:n], " \t\r\n"); len(first) > 0 {
				if first[0] != '{' {
					return data, nil
				}
				blank = false
			}
		}
		if len(data) > maxInput {
			return nil, usagef("%s: over %d MiB: not a poolbench results file", path, maxInput>>20)
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, usagef("%s: %v", path, unwrapPath(err))
		}
	}
}
