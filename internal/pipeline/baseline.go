package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
)

// ApplyBaseline marks the findings a baseline records, and counts its stale
// entries among the files the run covered.
type ApplyBaseline struct {
	File   *baseline.File
	Covers func(path string) bool // the run's scope; nil for everything
}

// Process implements Processor.
func (a *ApplyBaseline) Process(_ context.Context, r *Run) error {
	r.Stale = a.File.Apply(r.Findings, a.Covers)
	return nil
}

// ErrIncomplete says a baseline was not written because files could not be read.
var ErrIncomplete = errors.New("some files could not be read, so the baseline would be incomplete")

// WriteBaseline records the findings: the entries of the files the run
// covered are replaced, the others kept.
type WriteBaseline struct {
	Path   string
	Out    io.Writer              // instead of Path: standard output
	Old    *baseline.File         // the baseline there now, if any
	Covers func(path string) bool // nil for everything
	// Set by Process: the findings recorded from this run, and those kept
	// for files it did not cover.
	Recorded, Kept int
}

// Process implements Processor.
func (w *WriteBaseline) Process(_ context.Context, r *Run) error {
	if len(r.Errors) > 0 {
		return ErrIncomplete
	}
	b := baseline.Merge(w.Old, r.Findings, w.Covers)
	save := func() error { return b.Save(w.Path) }
	if w.Out != nil {
		save = func() error { return b.Write(w.Out) }
	}
	if err := save(); err != nil {
		return fmt.Errorf("writing the baseline: %w", err)
	}
	for _, e := range b.Entries {
		if w.Covers == nil || w.Covers(e.Path) {
			w.Recorded += e.Count
		} else {
			w.Kept += e.Count
		}
	}
	return nil
}
