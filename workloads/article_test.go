package workloads

import (
	"encoding/binary"
	"testing"
)

// The article's function runs as the example wants (sleep, then i + 100),
// refuses arguments of another shape, and is a function only: no workload
// of that name, and no faulty twin, so that it never shows in a run or in
// poolbench list.
func TestArticleFunc(t *testing.T) {
	fn, err := LookupFunc(ArticleFuncName)
	if err != nil {
		t.Fatal(err)
	}
	args := binary.LittleEndian.AppendUint64(nil, 0) // no sleep
	args = binary.LittleEndian.AppendUint64(args, 7)
	if out, err := fn(args); err != nil || string(out) != "107" {
		t.Fatalf("article.func(i=7) = %q, %v; want 107", out, err)
	}
	if _, err := fn(args[:8]); err == nil {
		t.Error("article.func took 8 bytes of arguments")
	}
	if _, err := Lookup(ArticleFuncName); err == nil {
		t.Error("article.func is a workload")
	}
	if _, err := LookupFunc(FaultyName(ArticleFuncName)); err == nil {
		t.Error("article.func has a faulty twin")
	}
}
