package cli

import (
	"context"
	"sync"
	"time"
)

// listenAfter is how long a run that writes no file and starts no git
// process goes before it listens for SIGINT and SIGTERM. Listening costs a
// thread of its own (os/signal's loop blocks one) and about a sixth of a
// pre-commit run on 20 files; such a run is over first, and until then a
// signal ends it as it ends any program, with nothing of it to clean up.
const listenAfter = 50 * time.Millisecond

// listen returns the run's context, which SIGINT and SIGTERM cancel once
// the run listens, and the function that stops listening. A run that
// writes files or asks git listens at once; a read-only one after
// listenAfter, or as soon as c.listenNow is called (before a git process
// starts).
func (c *command) listen(ctx context.Context) (context.Context, context.CancelFunc) {
	if !c.readOnly() {
		return c.env.Listen(ctx)
	}
	run, cancel := context.WithCancel(ctx)
	var (
		mu   sync.Mutex
		stop context.CancelFunc
		over bool
	)
	arm := func() {
		mu.Lock()
		defer mu.Unlock()
		if over || stop != nil {
			return
		}
		var sig context.Context
		sig, stop = c.env.Listen(run)
		// A signal cancels the run (stop and the run's end cancel sig too,
		// once the run is over).
		context.AfterFunc(sig, cancel)
	}
	t := time.AfterFunc(listenAfter, arm)
	c.listenNow = arm
	return run, func() {
		t.Stop()
		mu.Lock()
		over = true
		s := stop
		mu.Unlock()
		if s != nil {
			s()
		}
		cancel()
	}
}

// readOnly reports whether the run only reads files and git's index, and
// writes to standard output and error only: a plain scan.
func (c *command) readOnly() bool {
	o := &c.opt
	return !o.staged && o.diff == "" && !o.history && !o.fix && !o.update && o.writeBase == "" &&
		!o.init && !o.installHook && len(o.reports) == 0 && c.stepSummary() == ""
}
