package strategies

import (
	"context"
	"testing"
)

// TestMapChunkSize: the *-pool-map strategies hand the pool the plan's
// chunk size: with the whole batch as one chunk, one worker runs every
// task, whatever the pool's size.
func TestMapChunkSize(t *testing.T) {
	for _, s := range []Strategy{PoolMap{}, NATSPoolMap{}, PyPoolMap{}} {
		t.Run(s.Name(), func(t *testing.T) {
			p := plan(t, "io", "2ms", 12, 3)
			skipPythonWithout(t, p, s)
			p.ChunkSize = 12
			rec := NewRecorder()
			if err := s.Run(context.Background(), p, rec); err != nil {
				t.Fatal(err)
			}
			o := rec.Outcome()
			if o.Tasks != 12 || o.Errors != 0 {
				t.Fatalf("%d tasks, %d errors (%v)", o.Tasks, o.Errors, o.ErrorSamples)
			}
			if len(o.WorkerPIDs) != 1 {
				t.Fatalf("tasks ran in workers %v; one chunk of 12 must run in one", o.WorkerPIDs)
			}
		})
	}
}
