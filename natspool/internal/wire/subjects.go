package wire

import "time"

// Subjects every pool shares: discovery by remote workers. A pool's own
// subjects are SubjectRoot.<pool id>.*: .w.<worker id> (tasks to one
// worker), .res, .hello, .ready, .beat and .ctl. A host that starts
// workers listens on SubjectRoot.host.<host id> (HostSubject).
const (
	SubjectRoot     = "poolbench.natspool"
	SubjectDiscover = SubjectRoot + ".discover"
	SubjectAnnounce = SubjectRoot + ".announce"
)

// HostSubject is where the host of that id takes Replace messages.
func HostSubject(hostID string) string { return SubjectRoot + ".host." + hostID }

// Replace asks a host for a worker in place of one of its own that the
// pool gave up on (lost, or stopped past its task timeout), as a pool
// replaces its local workers.
type Replace struct {
	Pool   string `json:"pool"`
	Worker string `json:"worker"` // the ID of the worker given up on
}

// RoleWorker is the role (procpool.RegisterRole) of a worker process; its
// spec is a WorkerEnv, as JSON.
const RoleWorker = "nats-worker"

// WorkerEnv tells a worker process where to connect and whom to serve.
type WorkerEnv struct {
	URL  string `json:"url"`
	Pool string `json:"pool"`
	// ID is the worker's subject name, chosen by whoever started it (its
	// pool, or a host); empty, the worker picks one.
	ID string `json:"id,omitempty"`
	// Host is the id of the host that started it, if one did: its hello
	// passes it on, so that the pool can ask that host for a replacement.
	Host string `json:"host,omitempty"`
}

// A side that misses missedBeats heartbeats, and at least minSilence, is
// given up on by the other: the floor keeps a loaded machine's late
// timers from passing for a lost worker or a dead owner.
const (
	missedBeats = 4
	minSilence  = time.Second
)

// SilenceLimit is how long a side waits, with heartbeats every beat,
// before it gives up on the other.
func SilenceLimit(beat time.Duration) time.Duration {
	return max(missedBeats*beat, minSilence)
}
