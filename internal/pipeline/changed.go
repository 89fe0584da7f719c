package pipeline

import (
	"context"

	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// OnlyChanged keeps the new findings of a diff. With Base, a finding is new
// when its identity key (rule, path, match, trimmed line) occurs more often
// now than at the merge base: moving, re-indenting or re-wrapping a line
// around a finding, or deleting code near it, makes nothing new, and a
// copied line does. Of a key's occurrences, those on changed lines count as
// the new ones first. Without Base, the findings on changed lines are new.
type OnlyChanged struct {
	Lines gitsrc.Changed
	// Base counts each key's findings in the changed files at the merge
	// base, under the files' new names.
	Base map[string]int
}

// Process implements Processor.
func (o OnlyChanged) Process(_ context.Context, r *Run) error {
	if o.Base == nil {
		kept := r.Findings[:0]
		for _, f := range r.Findings {
			if o.Lines.Has(f.Path, f.Line) {
				kept = append(kept, f)
			}
		}
		r.Findings = kept
		return nil
	}
	byKey := map[string][]int{}
	var order []string
	for i, f := range r.Findings {
		if _, ok := o.Lines[f.Path]; !ok {
			continue // not changed: nothing in it is new
		}
		k := result.Key(f)
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], i)
	}
	isNew := make([]bool, len(r.Findings))
	for _, k := range order {
		idx := byKey[k]
		excess := len(idx) - o.Base[k]
		for _, i := range idx {
			if excess > 0 && o.Lines.Has(r.Findings[i].Path, r.Findings[i].Line) {
				isNew[i] = true
				excess--
			}
		}
		for _, i := range idx {
			if excess > 0 && !isNew[i] {
				isNew[i] = true
				excess--
			}
		}
	}
	kept := r.Findings[:0]
	for i, f := range r.Findings {
		if isNew[i] {
			kept = append(kept, f)
		}
	}
	r.Findings = kept
	return nil
}
