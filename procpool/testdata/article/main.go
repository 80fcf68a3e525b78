// Command article is the article's example as a Go program: a Pool of 10
// workers running 100 tasks of 50 ms through ApplyAsync with a callback,
// then Close and Join, timed from before New to after Join, pool start-up
// included, as the article times CPython's Pool. Its workers are the
// program itself, re-executed. It prints the seconds it took. It lives
// under testdata so that `go test ./...` leaves it alone;
// BenchmarkArticleVsPython builds it.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"github.com/poolbench/poolbench/procpool"
)

const workers, tasks, sleep = 10, 100, 50 * time.Millisecond

func init() {
	procpool.MustRegister("sleep", func(a []byte) ([]byte, error) {
		time.Sleep(time.Duration(binary.LittleEndian.Uint64(a)))
		return a, nil
	})
}

func main() {
	if served, err := procpool.ServeRole(); served {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	elapsed, err := run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "article:", err)
		os.Exit(1)
	}
	fmt.Println(elapsed.Seconds())
}

func run() (time.Duration, error) {
	args := binary.LittleEndian.AppendUint64(nil, uint64(sleep))
	start := time.Now()
	p, err := procpool.New(workers)
	if err != nil {
		return 0, err
	}
	done := 0
	cb := func(r procpool.Result) {
		if r.Err == nil {
			done++
		}
	}
	for range tasks {
		if _, err := p.ApplyAsync(procpool.Task{Func: "sleep", Args: args}, cb, cb); err != nil {
			p.Terminate()
			p.Join()
			return 0, err
		}
	}
	p.Close()
	if err := p.Join(); err != nil {
		return 0, err
	}
	elapsed := time.Since(start)
	if done != tasks {
		return 0, fmt.Errorf("%d of %d tasks succeeded", done, tasks)
	}
	return elapsed, nil
}
