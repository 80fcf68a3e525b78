package natspool

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poolbench/poolbench/natspool/internal/wire"
	"github.com/poolbench/poolbench/procpool"
)

// netns is a network namespace the test made to stand for a second host,
// joined to this one by a veth pair: HostIP here, PeerIP inside.
type netns struct {
	Name           string
	HostIP, PeerIP string
}

// newNetns makes the namespace and its link, or skips the test saying why.
func newNetns(t *testing.T) *netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command (iproute2) to make a network namespace")
	}
	id := os.Getpid() % 60000
	n := &netns{
		Name:   fmt.Sprintf("pbnats%d", id),
		HostIP: fmt.Sprintf("10.213.%d.%d", id/64%256, id%64*4+1),
		PeerIP: fmt.Sprintf("10.213.%d.%d", id/64%256, id%64*4+2),
	}
	host, peer := fmt.Sprintf("pbh%d", id), fmt.Sprintf("pbp%d", id)
	ip := func(args ...string) error {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := ip("netns", "add", n.Name); err != nil {
		t.Skipf("cannot make a network namespace here: %v", err)
	}
	// Deleting the namespace deletes the veth end inside it, and with it
	// the pair.
	t.Cleanup(func() { ip("netns", "del", n.Name) })
	for _, args := range [][]string{
		{"link", "add", host, "type", "veth", "peer", "name", peer},
		{"link", "set", peer, "netns", n.Name},
		{"addr", "add", n.HostIP + "/30", "dev", host},
		{"link", "set", host, "up"},
		{"-n", n.Name, "addr", "add", n.PeerIP + "/30", "dev", peer},
		{"-n", n.Name, "link", "set", peer, "up"},
		{"-n", n.Name, "link", "set", "lo", "up"},
	} {
		if err := ip(args...); err != nil {
			if args[0] == "link" && args[1] == "add" {
				t.Skipf("cannot make a veth pair here: %v", err)
			}
			t.Fatal(err)
		}
	}
	return n
}

// A worker in another network namespace, reaching the owner only over the
// veth pair, joins the pool that listens on the pair's address, runs its
// tasks, and exits when the pool closes.
func TestWorkerInAnotherNetworkNamespaceJoins(t *testing.T) {
	ns := newNetns(t)
	p := newPool(t, 0, Listen(ns.HostIP+":0"))
	if !strings.Contains(p.URL(), ns.HostIP) {
		t.Fatalf("pool listens at %s, want %s", p.URL(), ns.HostIP)
	}
	env, _ := json.Marshal(wire.WorkerEnv{URL: p.URL(), Pool: p.ID()})
	cmd := exec.Command("ip", "netns", "exec", ns.Name, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), procpool.RoleEnv(wire.RoleWorker, string(env)))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := p.Map(ctx, "test.pid", make([][]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	// ip netns exec execs the worker: its pid is the one started here.
	for _, r := range res {
		if pid, _ := strconv.Atoi(string(r.Value)); pid != cmd.Process.Pid || r.WorkerPID != pid {
			t.Fatalf("task ran in %q (result says %d), want the namespaced worker %d", r.Value, r.WorkerPID, cmd.Process.Pid)
		}
	}
	mine, _ := os.Readlink("/proc/self/ns/net")
	theirs, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid))
	if err != nil || theirs == mine {
		t.Fatalf("worker's network namespace %q (%v), the test's %q: want another", theirs, err, mine)
	}
	p.Close()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Fatalf("namespaced worker after the pool closed: %v, want a clean exit", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("namespaced worker still running 30s after its pool closed")
	}
}
