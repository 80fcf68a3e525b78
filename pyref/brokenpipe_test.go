package pyref

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// A script whose reader is gone (its trial was stopped or interrupted)
// goes quietly: no traceback on the standard error poolbench shares with
// it, only a failing exit.
func TestScriptGoesQuietlyWhenItsReaderIsGone(t *testing.T) {
	in := needPython(t)
	spec, err := Job{Strategy: "serial", Workload: "noop", Tasks: 200, Workers: 1}.wire()
	if err != nil {
		t.Fatal(err)
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	script, err := scriptPath()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // nobody reads the records
	var stderr bytes.Buffer
	cmd := exec.Command(in.Path, "-I", script)
	cmd.Stdin = bytes.NewReader(specJSON)
	cmd.Stderr = &stderr
	cmd.ExtraFiles = []*os.File{w}
	err = cmd.Run()
	w.Close()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("exit %v, want 1", err)
	}
	if stderr.Len() > 0 {
		t.Errorf("it wrote to stderr:\n%s", stderr.String())
	}
}
