package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts is a context cancelled by the first SIGINT or SIGTERM. A second
// signal exits at once; every child poolbench starts dies with it, since
// each is started with a parent-death signal.
type interrupts struct {
	ctx  context.Context
	stop func()
	mu   sync.Mutex
	sig  os.Signal
}

func watchInterrupts(parent context.Context) *interrupts {
	ctx, cancel := context.WithCancel(parent)
	in := &interrupts{ctx: ctx}
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			in.mu.Lock()
			in.sig = s
			in.mu.Unlock()
			cancel()
		case <-done:
			return
		}
		select {
		case s := <-ch:
			os.Exit(signalCode(s))
		case <-done:
		}
	}()
	in.stop = func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
	return in
}

// err turns a run error into an interruptedError when a signal caused it.
func (in *interrupts) err(err error) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.sig == nil || err == nil {
		return err
	}
	return interruptedError{sig: signalName(in.sig), code: signalCode(in.sig)}
}

func signalCode(s os.Signal) int {
	if s == syscall.SIGTERM {
		return 128 + int(syscall.SIGTERM)
	}
	return 128 + int(syscall.SIGINT)
}

func signalName(s os.Signal) string {
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}
