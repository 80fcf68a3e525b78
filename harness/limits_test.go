package harness

import (
	"strings"
	"testing"

	"github.com/poolbench/poolbench/strategies"
)

// TestCapProcesses: process-per-task is capped at the machine's limit by
// default, at --max-processes when given, not at all when oversubscribing
// without a cap; a cap past the limit is refused; the run's notes say when
// the cap holds tasks back.
func TestCapProcesses(t *testing.T) {
	limit, _ := processLimit()
	ppt, err := strategies.Lookup("process-per-task")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		tasks, max  int
		oversub     bool
		want        int
		wantErr     string
		wantNoteFor bool
	}{
		{name: "default", tasks: 10, want: limit},
		{name: "default, more tasks than the limit", tasks: limit + 1, want: limit, wantNoteFor: true},
		{name: "given", tasks: 10, max: 4, want: 4, wantNoteFor: true},
		{name: "given, above the tasks", tasks: 3, max: 4, want: 4},
		{name: "oversubscribed", tasks: limit * 2, oversub: true, want: 0},
		{name: "oversubscribed with a cap", tasks: limit * 2, max: limit * 2, oversub: true, want: limit * 2},
		{name: "past the limit", tasks: 10, max: limit + 1, wantErr: "is more than the"},
		{name: "negative", tasks: 10, max: -1, wantErr: "want at least 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &plan{Config: Config{Tasks: c.tasks, MaxProcesses: c.max, AllowOversubscribe: c.oversub},
				strategies: []strategies.Strategy{ppt}}
			err := p.capProcesses()
			if c.wantErr != "" {
				if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want a config error with %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.maxProcesses != c.want {
				t.Errorf("cap %d, want %d", p.maxProcesses, c.want)
			}
			noted := len(p.notes) == 1 && strings.HasPrefix(p.notes[0], "process-per-task: at most")
			if noted != c.wantNoteFor || len(p.notes) > 1 {
				t.Errorf("notes %q; want a note on the cap: %v", p.notes, c.wantNoteFor)
			}
		})
	}
}
