package natspool

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

func TestFits(t *testing.T) {
	const limit = 1000
	for _, tc := range []struct {
		name         string
		args, result int
		fits         bool
	}{
		{"small", 10, 10, true},
		{"arguments at the limit", limit - len("fn") - msgOverhead, 0, true},
		{"arguments a byte over", limit - len("fn") - msgOverhead + 1, 0, false},
		{"result at the limit", 0, limit - resultOverhead, true},
		{"result a byte over", 0, limit - resultOverhead + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Fits("fn", tc.args, tc.result, limit)
			if tc.fits != (err == nil) {
				t.Fatalf("Fits(%d, %d) = %v, want fits %v", tc.args, tc.result, err, tc.fits)
			}
			if err != nil && !errors.Is(err, ErrFrameTooLarge) {
				t.Errorf("%v does not wrap ErrFrameTooLarge", err)
			}
		})
	}
}

// MaxPayloadAt reads the limit a server was configured with, as its
// clients see it, and names the address when no server answers there.
func TestMaxPayloadAt(t *testing.T) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true, MaxPayload: 4096})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	if got, err := MaxPayloadAt(ns.ClientURL(), 5*time.Second); err != nil || got != 4096 {
		t.Fatalf("MaxPayloadAt = %d, %v; want the server's 4096", got, err)
	}
	url := "nats://" + freeLoopbackAddr(t)
	if _, err := MaxPayloadAt(url, 5*time.Second); err == nil || !strings.Contains(err.Error(), url) {
		t.Fatalf("no server: %v, want an error naming %s", err, url)
	}
}

// CheckURL takes what nats.go connects to, a URL or a comma list of
// them, with or without a scheme, and refuses what names no server.
func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"nats://10.0.0.1:4222", true},
		{"nats://a:4222, nats://b:4222", true},
		{"tls://user:pw@host:4443", true},
		{"10.0.0.1:4222", true}, // nats.go adds nats://
		{"natshost", true},
		{"nats://a:4222,", true}, // nats.go skips the empty entry
		{"nats://", false},
		{"", false},
		{" , ", false},
		{"nats://[::1", false},
	} {
		if err := CheckURL(tc.url); (err == nil) != tc.ok {
			t.Errorf("CheckURL(%q) = %v, want ok %v", tc.url, err, tc.ok)
		}
	}
}
