package natspool

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/poolbench/poolbench/natspool/internal/wire"
)

// ServeHost gives up once the server is out of reach longer than its
// grace, and says which way: a server it served on and lost is
// ErrServerLost; an address where no server ever answered (a wrong port,
// a typo) says so rather than calling it lost.
func TestServeHostGivesUp(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start bool // a server is there at first, then shut down
		lost  bool
		want  string
	}{
		{"never reached", false, false, "no server answered at"},
		{"reached, then lost", true, true, "lost the server at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeLoopbackAddr(t)
			var srv *Server
			var asked chan *nats.Msg // a host's requests for pools: it is connected
			if tc.start {
				var nc *nats.Conn
				srv, nc = serverConn(t, addr)
				asked = make(chan *nats.Msg, 8)
				if _, err := nc.ChanSubscribe(wire.SubjectDiscover, asked); err != nil {
					t.Fatal(err)
				}
				if err := nc.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			done := make(chan error, 1)
			go func() {
				done <- ServeHost(context.Background(), HostConfig{
					URL: "nats://" + addr, Procs: 1, Path: os.Args[0],
					Args: []string{"-test.run=^$"}, Grace: 300 * time.Millisecond,
				})
			}()
			if srv != nil {
				select { // the host connects before the server goes
				case <-asked:
				case <-time.After(30 * time.Second):
					t.Fatal("the host did not connect in 30 s")
				}
				srv.Shutdown()
			}
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrServerLost) != tc.lost {
					t.Fatalf("ServeHost: %v; want an error saying %q, ErrServerLost %v", err, tc.want, tc.lost)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("ServeHost still running 30 s after the server went")
			}
		})
	}
}
