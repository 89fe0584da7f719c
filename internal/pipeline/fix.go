package pipeline

import (
	"context"
	"fmt"

	"github.com/tenantatlas/nolegacyruns/pkg/fix"
)

// Fix rewrites the fixable findings under Root; with DryRun it only
// computes their diffs. What it rewrote is no longer a finding.
type Fix struct {
	Root   string
	DryRun bool
	// Files is set by Process: what happened to each file.
	Files []fix.File
}

// Process implements Processor.
func (x *Fix) Process(ctx context.Context, r *Run) error {
	files, err := fix.Apply(ctx, x.Root, r.Findings, x.DryRun)
	x.Files = files
	if err != nil || x.DryRun {
		return err
	}
	fixed := map[string]bool{} // path:line:column of each rewritten finding
	for _, f := range files {
		for _, x := range f.Fixed {
			fixed[fmt.Sprintf("%s:%d:%d", x.Path, x.Line, x.Column)] = true
		}
	}
	left := r.Findings[:0]
	for _, f := range r.Findings {
		if !fixed[fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Column)] {
			left = append(left, f)
		}
	}
	r.Findings = left
	return nil
}
