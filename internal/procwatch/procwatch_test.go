package procwatch

import "testing"

// hasRole matches the role's entry, alone or with a spec, and nothing
// else: not another role that starts with the same name, not the role
// name elsewhere in the environment.
func TestHasRole(t *testing.T) {
	tests := []struct {
		environ, role string
		want          bool
	}{
		{"A=1\x00POOLBENCH_ROLE=worker\x00B=2\x00", "worker", true},
		{"POOLBENCH_ROLE=nats-worker:{\"url\":\"x\"}\x00", "nats-worker", true},
		{"POOLBENCH_ROLE=nats-worker:{}\x00", "worker", false},
		{"POOLBENCH_ROLE=workers\x00", "worker", false},
		{"POOLBENCH_ROLE=trial:worker\x00", "worker", false},
		{"X=POOLBENCH_ROLE=worker\x00", "worker", false},
		{"", "worker", false},
	}
	for _, tt := range tests {
		if got := hasRole([]byte(tt.environ), tt.role); got != tt.want {
			t.Errorf("hasRole(%q, %q) = %v, want %v", tt.environ, tt.role, got, tt.want)
		}
	}
}
