package natspool

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/natspool/internal/wire"
	"github.com/poolbench/poolbench/procpool"
)

// A worker whose connection closes while the answer to its ready message
// is still on its way (its pool finished meanwhile, and its server went)
// exits cleanly, as one whose connection closes while it serves does. The
// owner here is the test itself, on a real server: it welcomes the worker,
// then shuts the server down instead of answering the ready.
func TestWorkerGoesCleanlyWhenTheServerGoesBeforeReady(t *testing.T) {
	srv, nc := serverConn(t, "")
	const pool = "readyrace"
	prefix := wire.SubjectRoot + "." + pool
	if _, err := nc.Subscribe(prefix+".hello", func(m *nats.Msg) {
		b, _ := json.Marshal(wire.Welcome{Protocol: wire.Protocol, Index: 1, Heartbeat: int64(time.Second)})
		m.Respond(b)
	}); err != nil {
		t.Fatal(err)
	}
	readied := make(chan struct{}, 1)
	if _, err := nc.Subscribe(prefix+".ready", func(*nats.Msg) { readied <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	cmd, stderr, exited := startWorker(t, srv.ClientURL(), pool)
	select {
	case <-readied:
	case err := <-exited:
		t.Fatalf("worker exited before its ready message: %v: %s", err, stderr.String())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatal("no ready message from the worker in 30 s")
	}
	srv.Shutdown()
	select {
	case err := <-exited:
		if err != nil || stderr.Len() > 0 {
			t.Fatalf("worker: %v, stderr %q; want a clean, silent exit", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatal("worker still running 30 s after its server went")
	}
}

// A worker welcomed by a pool of another protocol (here one from before
// there was a version, which says none) tells the pool why it cannot
// serve, in its ready message, and exits with that error. The owner is the
// test itself, on a real server.
func TestWorkerRefusesAPoolOfAnotherProtocol(t *testing.T) {
	srv, nc := serverConn(t, "")
	const pool = "oldpool"
	prefix := wire.SubjectRoot + "." + pool
	if _, err := nc.Subscribe(prefix+".hello", func(m *nats.Msg) {
		b, _ := json.Marshal(wire.Welcome{Index: 1, Heartbeat: int64(time.Second)})
		m.Respond(b)
	}); err != nil {
		t.Fatal(err)
	}
	said := make(chan wire.Ready, 1)
	if _, err := nc.Subscribe(prefix+".ready", func(m *nats.Msg) {
		var rd wire.Ready
		json.Unmarshal(m.Data, &rd)
		said <- rd
		m.Respond(nil)
	}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	cmd, stderr, done := startWorker(t, srv.ClientURL(), pool)
	want := fmt.Sprintf("the worker speaks natspool protocol %d, the pool 0", wire.Protocol)
	select {
	case rd := <-said:
		if !bytes.Contains([]byte(rd.Error), []byte(want)) {
			t.Errorf("ready message %+v; want an error with %q", rd, want)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("no ready message in 30 s")
	}
	select {
	case err := <-done:
		if err == nil || !bytes.Contains(stderr.Bytes(), []byte(want)) {
			t.Errorf("worker: %v, stderr %q; want it to fail saying %q", err, stderr.String(), want)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("worker still running 30 s after its refusal")
	}
}

// startWorker starts the test binary as a local worker, w1, of pool on the
// server at url, with its stderr kept, and returns the channel its Wait's
// error arrives on.
func startWorker(t *testing.T, url, pool string) (*exec.Cmd, *bytes.Buffer, <-chan error) {
	t.Helper()
	return startWorkerEnv(t, wire.WorkerEnv{URL: url, Pool: pool, ID: "w1"})
}

// startWorkerEnv starts this test binary as a worker process of env.
func startWorkerEnv(t *testing.T, we wire.WorkerEnv) (*exec.Cmd, *bytes.Buffer, <-chan error) {
	t.Helper()
	env, _ := json.Marshal(we)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), procpool.RoleEnv(wire.RoleWorker, string(env)))
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return cmd, stderr, exited
}

// A worker a host started for a pool that has finished since (no pool
// answers its hello) has nothing to serve and exits cleanly and silently;
// one a pool started itself, whose pool must be there, says so and fails.
func TestHostsWorkerForAFinishedPoolExitsQuietly(t *testing.T) {
	srv, _ := serverConn(t, "")
	for _, tc := range []struct {
		name string
		env  wire.WorkerEnv
		fail bool
	}{
		{"a host's", wire.WorkerEnv{URL: srv.ClientURL(), Pool: "finished", Host: "h1"}, false},
		{"a pool's own", wire.WorkerEnv{URL: srv.ClientURL(), Pool: "finished", ID: "w1"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, stderr, exited := startWorkerEnv(t, tc.env)
			select {
			case err := <-exited:
				if failed := err != nil; failed != tc.fail || failed != bytes.Contains(stderr.Bytes(), []byte("no pool answered")) {
					t.Fatalf("worker: %v, stderr %q; want failed %v, saying so", err, stderr.String(), tc.fail)
				}
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Fatal("worker still running 30 s after no pool answered")
			}
		})
	}
}
