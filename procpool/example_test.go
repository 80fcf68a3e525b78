package procpool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/procpool"
)

// The program that uses a pool registers its functions at package level,
// so that its workers (the same executable, re-executed) find them, and
// calls procpool.ServeIfWorker first thing in main (here, TestMain).

// Square is a typed function: its argument and result travel gob-encoded.
var Square = procpool.Func("example.square", func(ctx context.Context, x int) (int, error) {
	return x * x, nil
})

func init() {
	// A raw function: bytes in, bytes out, no encoding at all.
	procpool.MustRegister("example.upper", func(args []byte) ([]byte, error) {
		return []byte(strings.ToUpper(string(args))), nil
	})
}

func ExampleNew() {
	pool, err := procpool.New(2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Terminate()
	fmt.Println(pool.Workers(), "workers")
	// Output: 2 workers
}

func ExamplePool_Apply() {
	pool, err := procpool.New(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Terminate()
	r, err := pool.Apply(context.Background(), procpool.Task{Func: "example.upper", Args: []byte("hello")})
	fmt.Println(string(r.Value), err)
	// Output: HELLO <nil>
}

func ExamplePool_ApplyAsync() {
	pool, err := procpool.New(2)
	if err != nil {
		fmt.Println(err)
		return
	}
	var got []string // callbacks run one at a time: no lock needed
	for _, w := range []string{"a", "b", "c"} {
		pool.ApplyAsync(procpool.Task{Func: "example.upper", Args: []byte(w)},
			func(r procpool.Result) { got = append(got, string(r.Value)) }, nil)
	}
	pool.Close()
	pool.Join() // waits for the callbacks too
	slices.Sort(got)
	fmt.Println(got)
	// Output: [A B C]
}

func ExamplePool_Map() {
	pool, err := procpool.New(2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Terminate()
	res, err := pool.Map(context.Background(), "example.upper", [][]byte{[]byte("x"), []byte("y")}, procpool.ChunkSize(2))
	for _, r := range res {
		fmt.Print(string(r.Value), " ")
	}
	fmt.Println(err)
	// Output: X Y <nil>
}

func ExamplePool_Imap() {
	pool, err := procpool.New(2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Terminate()
	seq, err := pool.Imap(context.Background(), "example.upper", [][]byte{[]byte("p"), []byte("q"), []byte("r")})
	if err != nil {
		fmt.Println(err)
		return
	}
	for r := range seq {
		fmt.Print(string(r.Value))
		break // a later range goes on from here
	}
	for r := range seq {
		fmt.Print(string(r.Value))
	}
	fmt.Println()
	// Output: PQR
}

func ExampleSubmit() {
	pool, err := procpool.New(2)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Terminate()
	f, err := procpool.Submit(pool, Square, 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Get(context.Background()))
	squares, err := procpool.MapOf(context.Background(), pool, Square, []int{1, 2, 3})
	fmt.Println(squares, err)
	// Output:
	// 49 <nil>
	// [1 4 9] <nil>
}

func ExampleTaskError() {
	pool, err := procpool.New(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Terminate()
	_, err = pool.Apply(context.Background(), procpool.Task{Func: "no.such.function"})
	var te *procpool.TaskError
	fmt.Println(errors.As(err, &te), errors.Is(err, procpool.ErrTaskPanicked))
	// Output: true false
}

// The README's snippet is ExampleSubmit, verbatim: what the README shows
// runs on every go test.
func TestREADMEShowsExampleSubmit(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skip("no README beside the package:", err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	start := strings.Index(s, "func ExampleSubmit() {\n")
	end := strings.Index(s[start:], "\t// Output:")
	if start < 0 || end < 0 {
		t.Fatal("ExampleSubmit not found")
	}
	body := s[start+len("func ExampleSubmit() {\n") : start+end]
	if !strings.Contains(string(readme), body) {
		t.Fatalf("README.md does not show ExampleSubmit's body:\n%s", body)
	}
}
