package pyref

import "testing"

func TestDecodeRecord(t *testing.T) {
	tests := []struct {
		line  string
		tasks int // decoded, when ok
		ok    bool
	}{
		{`{"k":"begin","pid":7,"start_method":"fork","version":"3.11.7"}`, 0, true},
		{`{"k":"t","i":2,"e":"error","m":"boom","l":0.5}`, 1, true},
		{`{"k":"t","i":2,"e":"error","m":"boom","l":0.5,"d":1.5}`, 1, true},
		{`{"k":"tb","is":[0,4],"ls":[0.5,0.25],"ws":[9,0],"ds":[1,2],"ns":[32,0]}`, 2, true},
		{`{"k":"spawn","pid":9,"s":0.01}`, 0, true},
		{`{"k":"cb","pid":9}`, 0, true},
		{`{"k":"t","i":5,"e":"error","l":0}`, 0, false},        // index out of range
		{`{"k":"t","i":-1,"e":"error","l":0}`, 0, false},       // negative index
		{`{"k":"t","i":1,"l":0}`, 0, false},                    // no error kind
		{`{"k":"t","i":1,"e":"error"}`, 0, false},              // no latency
		{`{"k":"t","i":1,"e":"error","l":0,"d":-1}`, 0, false}, // finished before it began
		{`{"k":"tb","is":[],"ls":[],"ws":[],"ds":[],"ns":[]}`, 0, false},
		{`{"k":"tb","is":[1],"ls":[0.5],"ws":[9],"ds":[1]}`, 0, false},                  // no length
		{`{"k":"tb","is":[1,2],"ls":[0.5],"ws":[9,9],"ds":[1,1],"ns":[0,0]}`, 0, false}, // lists of other lengths
		{`{"k":"tb","is":[5],"ls":[0.5],"ws":[9],"ds":[1],"ns":[0]}`, 0, false},         // index out of range
		{`{"k":"tb","is":[1],"ls":[-1],"ws":[9],"ds":[1],"ns":[0]}`, 0, false},          // negative latency
		{`{"k":"tb","is":[1],"ls":[1],"ws":[-9],"ds":[1],"ns":[0]}`, 0, false},          // negative pid
		{`{"k":"tb","is":[1],"ls":[1],"ws":[9],"ds":[1],"ns":[-1]}`, 0, false},          // negative length
		{`{"k":"tb","is":[1],"ls":[1],"ws":[9],"ds":[1],"ns":[99999999999]}`, 0, false}, // too long
		{`{"k":"spawn","pid":0,"s":1}`, 0, false},
		{`{"k":"cb"}`, 0, false},
		{`{"k":"warp"}`, 0, false},
		{`not json`, 0, false},
	}
	for _, tt := range tests {
		_, ts, err := decodeRecord([]byte(tt.line), 5)
		if (err == nil) != tt.ok || len(ts) != tt.tasks {
			t.Errorf("decodeRecord(%s): %d tasks, %v", tt.line, len(ts), err)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	for _, s := range []string{
		`{"k":"tb","is":[0,4],"ls":[0.5,0.25],"ws":[9,0],"ds":[1,2],"ns":[32,0]}`,
		`{"k":"t","i":2,"e":"error","m":"boom","l":0.5}`,
		`{"k":"spawn","pid":9,"s":0.01}`,
		`{"k":"begin","pid":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, ts, err := decodeRecord(line, 5)
		if err != nil {
			return
		}
		if (rec.Kind == "t" || rec.Kind == "tb") != (len(ts) > 0) || (rec.Kind == "t" && len(ts) != 1) {
			t.Fatalf("%q: %d tasks from a %q record", line, len(ts), rec.Kind)
		}
		for _, task := range ts {
			if task.index < 0 || task.index >= 5 || task.latency < 0 || task.worker < 0 ||
				task.length < 0 || task.length > maxValue || (task.err != nil) != (rec.Kind == "t") {
				t.Fatalf("accepted a bad task %q: %+v", line, task)
			}
		}
	})
}
