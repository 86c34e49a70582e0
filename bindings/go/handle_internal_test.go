package toz

import (
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// The handle machinery with a plain Go pointer standing in for a C handle.
func TestHandleFreesExactlyOnce(t *testing.T) {
	var freed atomic.Int32
	free := func(*int) { freed.Add(1) }

	h := newHandle(new(int), "Thing", free)
	for i := 0; i < 3; i++ {
		h.close()
	}
	if freed.Load() != 1 {
		t.Fatalf("freed %d times after repeated close", freed.Load())
	}
	err := h.use(func(*int) error { t.Fatal("closed handle used"); return nil })
	if !errors.Is(err, ErrClosed) || err.Error() != "toz: CLOSED: Thing used after Close" {
		t.Fatalf("use after close = %v", err)
	}
	runtime.GC()
	runtime.GC()
	if freed.Load() != 1 {
		t.Fatal("the finalizer freed a closed handle again")
	}

	// Handles dropped without close are freed by the finalizer.
	freed.Store(0)
	for i := 0; i < 50; i++ {
		newHandle(new(int), "Thing", free)
	}
	deadline := time.Now().Add(10 * time.Second)
	for freed.Load() != 50 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if freed.Load() != 50 {
		t.Fatalf("finalizers freed %d of 50 dropped handles", freed.Load())
	}

	// A nil handle passes the zero pointer (NULL) through.
	var none *handle[*int]
	var got *int = new(int)
	none.use(func(p *int) error { got = p; return nil })
	if got != nil {
		t.Fatal("nil handle did not pass NULL")
	}
}

// close waits for a use in flight.
func TestCloseWaitsForUse(t *testing.T) {
	v := 7
	var inUse, freedWhileInUse atomic.Bool
	h := newHandle(&v, "Thing", func(*int) { freedWhileInUse.Store(inUse.Load()) })
	entered, release := make(chan struct{}), make(chan struct{})
	go h.use(func(p *int) error {
		inUse.Store(true)
		close(entered)
		<-release
		inUse.Store(false)
		return nil
	})
	<-entered
	done := make(chan struct{})
	go func() { h.close(); close(done) }()
	select {
	case <-done:
		t.Fatal("close did not wait for the use in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-done
	if freedWhileInUse.Load() {
		t.Fatal("freed while in use")
	}
}
