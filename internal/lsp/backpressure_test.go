package lsp

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// stuckWriter is a client that never reads: every write blocks.
type stuckWriter struct{ done chan struct{} }

func (w stuckWriter) Write(p []byte) (int, error) {
	<-w.done
	return 0, io.ErrClosedPipe
}

// TestBackpressure: while the client does not read what the server writes,
// the server stops reading too, after a bounded amount of messages in
// bytes, not a count of messages that may each be as big as MaxMessage.
func TestBackpressure(t *testing.T) {
	inR, inW := io.Pipe()
	out := stuckWriter{make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); close(out.done); inR.Close() }()
	go Serve(ctx, inR, out, Options{Loader: fixedLoader{}, Stderr: io.Discard})

	// The reply to initialize blocks the server; then 1 MiB notifications.
	body := `{"jsonrpc":"2.0","method":"$/note","params":"` + strings.Repeat("a", 1<<20) + `"}`
	var sent atomic.Int64
	go func() {
		if _, err := io.WriteString(inW, frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`)); err != nil {
			return
		}
		for i := 0; i < 200; i++ {
			if _, err := io.WriteString(inW, frame(body)); err != nil {
				return
			}
			sent.Add(1)
		}
	}()
	// Wait until the server stops taking messages.
	last := int64(-1)
	for n := sent.Load(); n != last; n = sent.Load() {
		last = n
		time.Sleep(300 * time.Millisecond)
	}
	if max := int64(maxQueued>>20) + 3; last > max {
		t.Errorf("the server took %d MiB from a client that reads nothing, want at most %d", last, max)
	}
	t.Logf("took %d messages of 1 MiB", last)
}
