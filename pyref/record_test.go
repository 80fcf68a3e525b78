package pyref

import "testing"

func TestDecodeRecord(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
	}{
		{`{"k":"begin","pid":7,"start_method":"fork","version":"3.11.7"}`, true},
		{`{"k":"t","i":2,"v":"00ff","l":0.5}`, true},
		{`{"k":"t","i":2,"e":"error","m":"boom","l":0.5}`, true},
		{`{"k":"spawn","pid":9,"s":0.01}`, true},
		{`{"k":"cb","pid":9}`, true},
		{`{"k":"t","i":5,"v":"","l":0}`, false},             // index out of range
		{`{"k":"t","i":-1,"v":"","l":0}`, false},            // negative index
		{`{"k":"t","i":1,"v":"zz","l":0}`, false},           // not hex
		{`{"k":"t","i":1,"l":0}`, false},                    // neither value nor error
		{`{"k":"t","i":1,"v":"","e":"error","l":0}`, false}, // both
		{`{"k":"t","i":1,"v":""}`, false},                   // no latency
		{`{"k":"spawn","pid":0,"s":1}`, false},
		{`{"k":"cb"}`, false},
		{`{"k":"warp"}`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		_, _, err := decodeRecord([]byte(tt.line), 5)
		if (err == nil) != tt.ok {
			t.Errorf("decodeRecord(%s): %v", tt.line, err)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	for _, s := range []string{
		`{"k":"t","i":2,"v":"00ff","l":0.5}`,
		`{"k":"t","i":2,"e":"error","m":"boom","l":0.5}`,
		`{"k":"spawn","pid":9,"s":0.01}`,
		`{"k":"begin","pid":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, task, err := decodeRecord(line, 5)
		if err != nil {
			return
		}
		if rec.Kind == "t" {
			if task == nil || task.index < 0 || task.index >= 5 || task.latency < 0 || (task.err != nil) == (rec.Value != nil) {
				t.Fatalf("accepted a bad task %q: %+v", line, task)
			}
		}
	})
}
