package claims

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/poolbench/poolbench/results"
)

func TestCheckAPI(t *testing.T) {
	got, err := CheckAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	self := strconv.Itoa(os.Getpid())
	tests := []struct {
		id        int
		statement string
		kind      results.VerdictKind
		verdict   string
		figures   []string
	}{
		{7, stmtJoinRunning, results.Holds, "holds: Join before Close returns an error",
			[]string{`"procpool: pool is still running; call Close or Terminate before Join"`, "after Close it returned no error"}},
		{8, stmtJoinNeeded, results.DoesNotHold, "does not hold: every task ran before Join was called",
			[]string{"5 of 5 tasks done before Join, within ", "by worker"}},
		{8, stmtTruthyResult, results.DoesNotHold, "does not hold: called for empty values too; a failure goes to the error callback",
			[]string{"ran for 2 of 2 empty values and 2 of 2 non-empty ones", "ran the error callback once and the success callback never",
				`unknown function "claims.unregistered"`}},
		{5, stmtCallbackPID + " (pid recorded inside the callback)", results.Holds, "holds: callbacks ran in pid " + self + ", tasks in pid ",
			[]string{"callbacks ran in pid " + self + ";", "the caller is pid " + self}},
	}
	if len(got) != len(tests) {
		t.Fatalf("%d claims, want %d: %+v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		c := got[i]
		t.Logf("%d %s | %s | %s", c.ID, c.Statement, c.Figures, c.Verdict)
		t.Run(strconv.Itoa(tt.id)+" "+tt.statement, func(t *testing.T) {
			if c.ID != tt.id || c.Statement != tt.statement || c.Kind != tt.kind || !strings.HasPrefix(c.Verdict, tt.verdict) || c.Measurement == "" {
				t.Errorf("got %+v\nwant id %d, statement %q, kind %q, verdict %q", c, tt.id, tt.statement, tt.kind, tt.verdict)
			}
			for _, f := range tt.figures {
				if !strings.Contains(c.Figures, f) {
					t.Errorf("figures %q lack %q", c.Figures, f)
				}
			}
		})
	}
	// The tasks' own pids are the workers', not this process's.
	if strings.Contains(got[3].Figures, "reported pid "+self) {
		t.Errorf("a task reported this process's pid: %s", got[3].Figures)
	}
}

func TestCheckAPICancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CheckAPI(ctx); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err = %v, want context canceled", err)
	}
}

// Claim 8's two outcomes, from the counts the check records.
func TestJoinNeeded(t *testing.T) {
	tests := []struct {
		done    int
		kind    results.VerdictKind
		verdict string
	}{
		{0, results.Holds, "holds: no task was done before Join, after 20.0 s"},
		{2, results.DoesNotHold, "does not hold: 2 of 5 tasks ran before Join was called"},
		{5, results.DoesNotHold, "does not hold: every task ran before Join was called"},
	}
	for _, tt := range tests {
		c := joinNeeded(tt.done, 5, 20, []int{7})
		if c.Kind != tt.kind || c.Verdict != tt.verdict {
			t.Errorf("%d done: %s %q, want %s %q", tt.done, c.Kind, c.Verdict, tt.kind, tt.verdict)
		}
	}
}

// Claim 5 from the API check: the callbacks' pids against the pids the
// tasks reported from inside their workers.
func TestCallbackPID(t *testing.T) {
	valued := func(task, cb, worker, reported int) callbackCall {
		return callbackCall{task: task, pid: cb, workerPID: worker, reported: reported, valueLen: 3}
	}
	empty := func(task, cb, worker int) callbackCall { return callbackCall{task: task, pid: cb, workerPID: worker} }
	tests := []struct {
		name    string
		calls   []callbackCall
		kind    results.VerdictKind
		verdict string
	}{
		{"in the caller", []callbackCall{empty(0, 10, 20), valued(2, 10, 20, 20), valued(3, 10, 21, 21)},
			results.Holds, "holds: callbacks ran in pid 10, tasks in pid 20, 21"},
		{"in a worker", []callbackCall{empty(0, 20, 20), valued(2, 10, 20, 20), valued(3, 10, 21, 21)},
			results.DoesNotHold, "does not hold: task 0's callback in pid 20, a process that ran tasks"},
		{"no task reported its pid", []callbackCall{empty(0, 10, 20), empty(1, 10, 21)},
			results.NotMeasured, "not measured: no task reported the pid it ran in"},
		{"the pool names another worker", []callbackCall{valued(2, 10, 20, 22)},
			results.NotMeasured, "not measured: the pool's record of the workers disagrees with what the tasks reported (task 2 reported pid 22, the pool worker 20)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := callbackPID(tt.calls, 10)
			if c.Kind != tt.kind || c.Verdict != tt.verdict {
				t.Errorf("%s %q\nwant %s %q", c.Kind, c.Verdict, tt.kind, tt.verdict)
			}
		})
	}
}

// Claim 8's statement about values, on callbacks as the check records them.
func TestTruthyResult(t *testing.T) {
	ok := func(task, n int) callbackCall { return callbackCall{task: task, valueLen: n} }
	tests := []struct {
		name             string
		success, failure []callbackCall
		kind             results.VerdictKind
	}{
		{"every value", []callbackCall{ok(0, 0), ok(1, 0), ok(2, 3), ok(3, 3)}, []callbackCall{{task: 4}}, results.DoesNotHold},
		{"non-empty only", []callbackCall{ok(2, 3), ok(3, 3)}, []callbackCall{{task: 4}}, results.Holds},
		{"some missing", []callbackCall{ok(2, 3)}, nil, results.NotMeasured},
	}
	for _, tt := range tests {
		if c := truthyResult(tt.success, tt.failure, nil); c.Kind != tt.kind {
			t.Errorf("%s: %s %q, want %s", tt.name, c.Kind, c.Verdict, tt.kind)
		}
	}
}
