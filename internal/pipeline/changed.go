package pipeline

import (
	"context"

	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
)

// OnlyChanged keeps the findings on lines a diff added or changed.
type OnlyChanged struct{ Lines gitsrc.Changed }

// Process implements Processor.
func (o OnlyChanged) Process(_ context.Context, r *Run) error {
	kept := r.Findings[:0]
	for _, f := range r.Findings {
		if o.Lines.Has(f.Path, f.Line) {
			kept = append(kept, f)
		}
	}
	r.Findings = kept
	return nil
}
