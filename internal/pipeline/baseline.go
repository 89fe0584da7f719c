package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
)

// ApplyBaseline marks the findings a baseline records, and counts its stale
// entries among the files the run covered; with Update set it then removes
// those stale entries from the file, and adds nothing.
type ApplyBaseline struct {
	File   *baseline.File
	Name   string                    // the file's name, for messages
	Covers func(path string) bool    // the run's scope; nil for everything
	Ran    func(baseline.Entry) bool // whether the run ran the entry's rule; nil for all
	// Sealed says whether a rule is sealed: an entry of one is an error.
	Sealed func(rule string) bool
	// Renames, when set, maps the old path of each file renamed in the
	// change to its new one, so that recorded debt follows its file. It is
	// called only when some finding is new, so a passing run asks no git.
	Renames func() (map[string]string, error)
	// Update, when set, is the file to write the pruned baseline to.
	Update string
	// Set by Process with Update: the recorded findings removed and kept,
	// those moved to their files' new names, and the baseline written.
	Removed, Left, Moved int
	Pruned               *baseline.File
}

// Process implements Processor.
func (a *ApplyBaseline) Process(_ context.Context, r *Run) error {
	if a.Sealed != nil {
		for _, e := range a.File.Entries {
			if a.Sealed(e.Rule) {
				return &baseline.Error{File: a.Name, Line: e.Pos, Col: 1,
					Msg: fmt.Sprintf("entry for rule %q, which is sealed: its debt must stay at zero", e.Rule)}
			}
		}
	}
	unread := map[string]bool{}
	for _, e := range r.Errors {
		unread[e.Path] = true
	}
	covers := a.Covers
	if len(unread) > 0 {
		// A file that could not be read is not judged: its entries are not stale.
		covers = func(p string) bool { return !unread[p] && (a.Covers == nil || a.Covers(p)) }
	}
	all := a.File
	applied := a.ran(all).Apply(r.Findings, covers)
	if a.Renames != nil && hasNew(r) {
		renames, err := a.Renames()
		if err != nil {
			return err
		}
		if len(renames) > 0 {
			for _, f := range r.Findings {
				if f.Baselined() {
					f.Suppression = nil
				}
			}
			moved := 0
			for _, e := range all.Entries {
				if to, ok := renames[e.Path]; ok && to != e.Path {
					moved += max(e.Count, 1)
				}
			}
			all = all.Renamed(renames)
			applied = a.ran(all).Apply(r.Findings, covers)
			a.Moved = moved
		}
	}
	r.Stale, r.Progress = applied.Stale, applied.Rules
	if a.Update == "" {
		return nil
	}
	keep := func(e baseline.Entry) bool {
		return covers != nil && !covers(e.Path) || a.Ran != nil && !a.Ran(e)
	}
	pruned := all.Pruned(applied, keep)
	if err := pruned.Save(a.Update); err != nil {
		return fmt.Errorf("writing the baseline: %w", err)
	}
	a.Pruned = pruned
	a.Left = pruned.Count()
	a.Removed = all.Count() - a.Left
	return nil
}

// ran is the baseline without the entries of rules the run did not run,
// which are neither used nor stale.
func (a *ApplyBaseline) ran(all *baseline.File) *baseline.File {
	if a.Ran == nil {
		return all
	}
	b := &baseline.File{Version: all.Version}
	for _, e := range all.Entries {
		if a.Ran(e) {
			b.Entries = append(b.Entries, e)
		}
	}
	return b
}

// hasNew reports whether some finding is neither suppressed nor baselined.
func hasNew(r *Run) bool {
	for _, f := range r.Findings {
		if f.Suppression == nil {
			return true
		}
	}
	return false
}

// ErrIncomplete says a baseline was not written because files could not be read.
var ErrIncomplete = errors.New("some files could not be read, so the baseline would be incomplete")

// WriteBaseline records the findings: the entries of the files the run
// covered are replaced, the others kept. Findings of sealed rules are never
// recorded.
type WriteBaseline struct {
	Path   string
	Out    io.Writer                 // instead of Path: standard output
	Old    *baseline.File            // the baseline there now, if any
	Covers func(path string) bool    // nil for everything
	Ran    func(baseline.Entry) bool // whether the run ran the entry's rule; nil for all
	Sealed func(rule string) bool    // nil: none is
	// Set by Process: the findings recorded from this run, those kept
	// for files it did not cover, and those of sealed rules left out;
	// File is what was written.
	Recorded, Kept, Refused int
	File                    *baseline.File
}

// Process implements Processor.
func (w *WriteBaseline) Process(_ context.Context, r *Run) error {
	if len(r.Errors) > 0 {
		return ErrIncomplete
	}
	kept := func(e baseline.Entry) bool {
		return w.Covers != nil && !w.Covers(e.Path) || w.Ran != nil && !w.Ran(e)
	}
	fs := r.Findings
	if w.Sealed != nil {
		fs = fs[:0:0]
		for _, f := range r.Findings {
			if w.Sealed(f.Rule.ID) && f.Suppression == nil {
				w.Refused++
				continue
			}
			fs = append(fs, f)
		}
	}
	b := baseline.MergeKeep(w.Old, fs, kept)
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
	w.File = b
	return nil
}
