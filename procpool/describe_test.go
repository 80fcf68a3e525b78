package procpool

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

type describePoint struct{ X, Y int }

var describeSum = Func("test.describe.sum", func(ctx context.Context, p describePoint) (int, error) { return p.X + p.Y, nil })

func TestNamesListsEveryRegisteredFunction(t *testing.T) {
	names := Names()
	for _, want := range []string{"test.echo", describeSum.Name()} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v, lacks %s", names, want)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("Names() not sorted: %v", names)
	}
}

func TestSignature(t *testing.T) {
	tests := []struct{ name, want string }{
		{describeSum.Name(), "func(procpool.describePoint) (int, error)"},
		{"test.echo", "func([]byte) ([]byte, error)"},
	}
	for _, tt := range tests {
		if got, err := Signature(tt.name); err != nil || got != tt.want {
			t.Errorf("Signature(%s) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := Signature("test.nobody"); !errors.Is(err, ErrUnknownFunc) {
		t.Errorf("Signature of an unknown name: %v, want ErrUnknownFunc", err)
	}
}

func TestArgsFromJSON(t *testing.T) {
	tests := []struct {
		name, fn, js string
		wantErr      string // "" for success
	}{
		{"typed", describeSum.Name(), `{"X":2,"Y":5}`, ""},
		{"typed, wrong type", describeSum.Name(), `"two"`, "argument of test.describe.sum: json: cannot unmarshal"},
		{"typed, not JSON", describeSum.Name(), `{X:2}`, "argument of test.describe.sum"},
		{"raw gets the text", "test.echo", `["a", 1]`, ""},
		{"raw, not JSON", "test.echo", `[a`, "not a JSON value"},
		{"unknown", "test.nobody", `1`, "unknown function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, err := ArgsFromJSON(tt.fn, []byte(tt.js))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The arguments are what the function itself decodes.
			out, err := Run(tt.fn, args)
			if err != nil {
				t.Fatal(err)
			}
			if tt.fn == "test.echo" {
				if string(out) != tt.js {
					t.Errorf("raw function got %q, want the JSON text %q", out, tt.js)
				}
				return
			}
			sum, err := describeSum.Decode(out)
			if err != nil || sum != 7 {
				t.Errorf("typed function returned %d, %v; want 7", sum, err)
			}
		})
	}
}
