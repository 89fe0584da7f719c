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
	Covers func(path string) bool    // the run's scope; nil for everything
	Ran    func(baseline.Entry) bool // whether the run ran the entry's rule; nil for all
}

// Process implements Processor.
func (a *ApplyBaseline) Process(_ context.Context, r *Run) error {
	b := a.File
	if a.Ran != nil {
		// Entries of rules not run are neither used nor stale.
		b = &baseline.File{Version: b.Version}
		for _, e := range a.File.Entries {
			if a.Ran(e) {
				b.Entries = append(b.Entries, e)
			}
		}
	}
	r.Stale = b.Apply(r.Findings, a.Covers)
	return nil
}

// ErrIncomplete says a baseline was not written because files could not be read.
var ErrIncomplete = errors.New("some files could not be read, so the baseline would be incomplete")

// WriteBaseline records the findings: the entries of the files the run
// covered are replaced, the others kept.
type WriteBaseline struct {
	Path   string
	Out    io.Writer                 // instead of Path: standard output
	Old    *baseline.File            // the baseline there now, if any
	Covers func(path string) bool    // nil for everything
	Ran    func(baseline.Entry) bool // whether the run ran the entry's rule; nil for all
	// Set by Process: the findings recorded from this run, and those kept
	// for files it did not cover.
	Recorded, Kept int
}

// Process implements Processor.
func (w *WriteBaseline) Process(_ context.Context, r *Run) error {
	if len(r.Errors) > 0 {
		return ErrIncomplete
	}
	kept := func(e baseline.Entry) bool {
		return w.Covers != nil && !w.Covers(e.Path) || w.Ran != nil && !w.Ran(e)
	}
	b := baseline.MergeKeep(w.Old, r.Findings, kept)
	save := func() error { return b.Save(w.Path) }
	if w.Out != nil {
		save = func() error { return b.Write(w.Out) }
	}
	if err := save(); err != nil {
		return fmt.Errorf("writing the baseline: %w", err)
	}
	for _, e := range b.Entries {
		if kept(e) {
			w.Kept += e.Count
		} else {
			w.Recorded += e.Count
		}
	}
	return nil
}
