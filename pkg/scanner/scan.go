// Package scanner finds forbidden tokens in the files a source names and reports them with their position.
package scanner

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Options say where and how to scan.
type Options struct {
	// Root is the folder that paths are relative to.
	Root string
	// Source names the files to scan; nil walks the whole root. Scope globs
	// apply to whatever it names.
	Source Source
	// Skip lists root-relative files never to scan (the rule file itself).
	Skip []string
	// Shard, when split, scans only the files of one part: the files of
	// the other parts are neither read nor counted, and their file errors
	// are left to the part that has them.
	Shard Shard
	// Workers is the number of files read at once. 0 means one per CPU
	// (GOMAXPROCS), growing to four per CPU once the scan has taken
	// growAfter tasks, so that reads blocked in the kernel overlap with
	// searching on a big tree while a small one starts no more threads.
	Workers int

	tune tuning // sizes that tests shrink (chunk.go)
}

// Result is everything a scan found, in a deterministic order.
type Result struct {
	Findings []*result.Finding  // sorted by path, line, column, rule
	Errors   []result.FileError // sorted by path
	Stats    result.Stats
}

const (
	bufSize     = 256 << 10
	inlineBuf   = 16 << 10 // the buffer of a search in Scan's goroutine
	binaryProbe = 8 << 10
	maxLineText = 1 << 10
)

// Binary reports whether a file that starts with head is skipped as
// binary, never searched: a NUL byte in its first 8 KiB, and no UTF-16
// byte order mark.
func Binary(head []byte) bool {
	return utf16Order(head) == nil && bytes.IndexByte(head[:min(len(head), binaryProbe)], 0) >= 0
}

// Scan searches the files the source names. It returns ctx.Err() if the
// context was cancelled before the scan finished.
func (e *Engine) Scan(ctx context.Context, opt Options) (*Result, error) {
	workers, first := opt.Workers, opt.Workers
	if workers <= 0 {
		// One worker per CPU to begin with: a small scan is over before
		// more would pay for their threads, stacks and buffers. A scan
		// that goes on gets four per CPU, so that reads blocked in the
		// kernel overlap with searching (growAfter).
		first = runtime.GOMAXPROCS(0)
		workers = 4 * first
	}
	src := opt.Source
	if src == nil {
		src = Paths(nil)
	}
	s := newScan(e, opt, src)
	stop := context.AfterFunc(ctx, func() { s.stopped.Store(true) })
	defer stop()

	var wg sync.WaitGroup
	var listErr error
	inline := false
	if q, ok := src.(Instant); ok && opt.Workers <= 0 && q.Instant() {
		// Listed before any worker starts; a few small files are then
		// searched in this goroutine: a second thread, its processor's
		// memory caches and a goroutine per worker cost more than their
		// search (26 of a pre-commit run's 394 page faults on 20 files).
		listErr = src.List(ctx, s.add)
		s.done(nil)
		inline = listErr == nil && s.few()
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			listErr = src.List(ctx, s.add)
			s.done(nil) // the listing was work in progress until now
		}()
	}
	if inline {
		first, workers = 1, 1
	}
	if opt.tune.inline != nil {
		opt.tune.inline(inline)
	}
	least := 8 * (e.m.maxLen + utf8.UTFMax) // what a round carries over is at most an eighth of it
	s.bufSize = max(bufSize, least)
	if opt.tune.bufSize > 0 {
		s.bufSize = max(opt.tune.bufSize, e.m.minBuf())
	}
	if inline {
		// A small buffer: each 4 KiB page of a fresh buffer costs a page
		// fault the first time a read fills it (14 us on the benchmark's
		// VMs), and a few more rounds of read cost less. Sized to the
		// biggest named file, the buffer was 21 of a pre-commit run's 345
		// faults on 20 files, 4% of its time.
		s.bufSize = min(s.bufSize, max(inlineBuf, least))
	}
	ws := make([]*worker, workers)
	for i := range ws {
		ws[i] = &worker{s: s} // each allocates its buffer when it starts
	}
	start := func(ws []*worker) {
		for _, w := range ws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.run()
			}()
		}
	}
	runWorkers := func() {
		if inline {
			ws[0].run()
			return
		}
		if first < len(ws) {
			// The rest start from pop, holding a task: wg cannot reach zero
			// before they are added.
			s.grow = func() { start(ws[first:]) }
		}
		start(ws[:first])
		wg.Wait()
	}
	runWorkers()
	if s.walker != nil && listErr == nil && ctx.Err() == nil {
		// The walk is over: what it did not meet, the source lists now.
		s.busy, s.popped = 1, 0
		s.walker.Rest(s.add)
		s.done(nil)
		runWorkers()
	}
	s.closeBig()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if listErr != nil {
		return nil, listErr
	}
	res := &Result{}
	total, holders := 0, 0
	for _, w := range ws {
		total += len(w.findings)
		if len(w.findings) > 0 {
			holders++
		}
		res.Errors = append(res.Errors, w.errs...)
		res.Stats.Add(w.stats)
	}
	// Findings can be millions: their pointers are copied once, into a
	// slice of the right size.
	for _, w := range ws {
		switch {
		case holders == 1 && len(w.findings) > 0:
			res.Findings = w.findings
		case holders > 1:
			if res.Findings == nil {
				res.Findings = make([]*result.Finding, 0, total)
			}
			res.Findings = append(res.Findings, w.findings...)
		}
		w.findings = nil
	}
	res.Errors = append(res.Errors, s.errs...)
	result.Sort(res.Findings)
	result.SortErrors(res.Errors)
	return res, nil
}

// Floor walks and reads the files of opt exactly as Scan does, but searches
// nothing: the physical floor that benchmarks measure Scan against.
func Floor(ctx context.Context, opt Options) (result.Stats, error) {
	e := &Engine{m: &matcher{directive: -1}, sc: newScope(&rules.Set{})}
	res, err := e.Scan(ctx, opt)
	if err != nil {
		return result.Stats{}, err
	}
	return res.Stats, nil
}
