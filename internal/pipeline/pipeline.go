// Package pipeline runs a scan's findings through the processors that follow the engine, in the one order that Build decides.
package pipeline

import (
	"context"

	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// Run is what a scan found, as it passes from one processor to the next.
type Run struct {
	Findings []*result.Finding
	Errors   []result.FileError
	Stats    result.Stats
	Stale    int // baseline entries of the scanned files that no longer occur
	// Progress is the baseline's count per rule, when one is in use.
	Progress []baseline.Progress
}

// Processor changes a run's findings in one way.
type Processor interface {
	Process(ctx context.Context, r *Run) error
}

// Config says which processors a run needs.
type Config struct {
	Changed       gitsrc.Changed // --diff: the lines that count
	DiffBase      map[string]int // --diff: each key's findings at the merge base
	Baseline      *ApplyBaseline // a baseline in effect
	WriteBaseline *WriteBaseline // --write-baseline
	Fix           *Fix           // --fix
	PathPrefix    string         // --path-prefix, clean
}

// Build puts the processors a run needs in their order.
func Build(c Config) []Processor {
	var ps []Processor
	if c.Changed != nil {
		// First: everything after judges only what the diff changed.
		ps = append(ps, OnlyChanged{Lines: c.Changed, Base: c.DiffBase})
	}
	if c.Baseline != nil {
		// Before writing or fixing: baselined findings are kept, never fixed.
		ps = append(ps, c.Baseline)
	}
	if c.WriteBaseline != nil {
		ps = append(ps, c.WriteBaseline)
	}
	if c.Fix != nil {
		// After the baseline, before the prefix: fixes need root-relative paths.
		ps = append(ps, c.Fix)
	}
	if c.PathPrefix != "" {
		// Last: only the reports see prefixed paths.
		ps = append(ps, PathPrefix(c.PathPrefix))
	}
	return ps
}

// Apply runs the processors in order; the first error stops it.
func Apply(ctx context.Context, r *Run, ps []Processor) error {
	for _, p := range ps {
		if err := p.Process(ctx, r); err != nil {
			return err
		}
	}
	return nil
}
