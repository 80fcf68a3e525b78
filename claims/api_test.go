package claims

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
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
		verdict   string
		figures   []string
	}{
		{7, stmtJoinRunning, "holds: Join before Close returns an error",
			[]string{`"procpool: pool is still running; call Close or Terminate before Join"`, "after Close it returned no error"}},
		{8, stmtJoinNeeded, "does not hold: every task ran without Join",
			[]string{"4 of 4 tasks done in ", "with no Join, by worker"}},
		{8, stmtTruthyResult, "does not hold: called for empty values too",
			[]string{"ran for 2 of 2 empty values and 2 of 2 non-empty ones", "ran the error callback once and the success callback never",
				`unknown workload "claims.unregistered"`}},
		{5, stmtCallbackPID + " (pid recorded inside the callback)", "holds: callbacks in the caller, tasks in workers",
			[]string{"callbacks ran in pid " + self + ";", "the caller is pid " + self + ";"}},
	}
	if len(got) != len(tests) {
		t.Fatalf("%d claims, want %d: %+v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		c := got[i]
		t.Logf("%d %s | %s | %s", c.ID, c.Statement, c.Figures, c.Verdict)
		t.Run(strconv.Itoa(tt.id)+" "+tt.statement, func(t *testing.T) {
			if c.ID != tt.id || c.Statement != tt.statement || c.Verdict != tt.verdict || c.Measurement == "" {
				t.Errorf("got %+v\nwant id %d, statement %q, verdict %q", c, tt.id, tt.statement, tt.verdict)
			}
			for _, f := range tt.figures {
				if !strings.Contains(c.Figures, f) {
					t.Errorf("figures %q lack %q", c.Figures, f)
				}
			}
		})
	}
}

func TestCheckAPICancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CheckAPI(ctx); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err = %v, want context canceled", err)
	}
}
