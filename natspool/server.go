package natspool

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Server is a NATS server embedded in this process.
type Server struct {
	ns *server.Server
	// Started is how long the server took to accept connections.
	Started time.Duration
}

// ParseListen reads a listen address, host:port with a port number from 0
// (any free port) to 65535, as StartServer takes it: a program can refuse
// a bad one before it starts anything.
func ParseListen(addr string) (host string, port int, err error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("natspool: listen address %q: %w", addr, err)
	}
	port, err = strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("natspool: listen address %q: want a port number from 0 to 65535", addr)
	}
	return host, port, nil
}

// CheckURL checks that s names a server as nats.go reads it: a comma list
// of URLs, each with a host, the scheme nats:// when none is given
// (10.0.0.1:4222 and natshost are fine), empty entries skipped. What no
// connection could use is refused before anything starts, rather than
// found unreachable after a timeout.
func CheckURL(s string) error {
	bad := fmt.Errorf("natspool: server URL %q: want one such as nats://10.0.0.1:4222", s)
	n := 0
	for _, one := range strings.Split(s, ",") {
		one = strings.TrimSpace(one)
		if one == "" {
			continue
		}
		if !strings.Contains(one, "://") {
			one = "nats://" + one
		}
		if u, err := url.Parse(one); err != nil || u.Host == "" {
			return bad
		}
		n++
	}
	if n == 0 {
		return bad
	}
	return nil
}

// StartServer starts a NATS server in this process, listening on addr
// (host:port; "" is a random loopback port), and waits until it accepts
// connections. inProcess makes it listen nowhere: only connections made
// with Server.Conn reach it.
func StartServer(addr string, inProcess bool) (*Server, error) {
	start := time.Now()
	opts := &server.Options{
		Host:   "127.0.0.1",
		Port:   server.RANDOM_PORT,
		NoLog:  true,
		NoSigs: true,
		// No HTTP monitoring, no cluster, no JetStream: the pool's owner
		// keeps the task state itself (see doc.go).
		DontListen: inProcess,
	}
	if addr != "" {
		host, p, err := ParseListen(addr)
		if err != nil {
			return nil, err
		}
		opts.Host, opts.Port = host, p
		if p == 0 {
			opts.Port = server.RANDOM_PORT
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natspool: embedded server: %w", err)
	}
	// Start returns once the client listener is open (its accept loop runs
	// on), so the readiness check below passes on its first look instead
	// of on its next 25 ms poll, as it would beside a `go ns.Start()`.
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("natspool: embedded server on %s not ready after 10s", addr)
	}
	return &Server{ns: ns, Started: time.Since(start)}, nil
}

// ClientURL is the URL other processes connect to ("" for an in-process server).
func (s *Server) ClientURL() string {
	if s.ns.Addr() == nil {
		return ""
	}
	return s.ns.ClientURL()
}

// Conn connects to the server in process, without a socket.
func (s *Server) Conn(opts ...nats.Option) (*nats.Conn, error) {
	return nats.Connect("", append(opts, nats.InProcessServer(s.ns))...)
}

// waitUnsubscribed waits, at most d, until no client of the server is
// subscribed to subject: a pool's workers all are to its control subject,
// and a stop or kill sent there just before a shutdown would otherwise die
// in the server's buffers, remote workers learning of their pool's end
// only from its silence. (A client subscribed to every subject, such as
// `nats sub '>'` watching, makes it wait all of d.)
func (s *Server) waitUnsubscribed(subject string, d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end) && s.ns.GlobalAccount().SubscriptionInterest(subject); {
		time.Sleep(2 * time.Millisecond)
	}
}

// Shutdown stops the server and waits until it has.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
