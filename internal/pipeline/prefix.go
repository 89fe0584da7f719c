package pipeline

import "context"

// PathPrefix puts a folder before every path the reports show (a root below
// the repository, in CI annotations). It is clean and relative.
type PathPrefix string

// Process implements Processor.
func (p PathPrefix) Process(_ context.Context, r *Run) error {
	for i := range r.Findings {
		r.Findings[i].Path = string(p) + "/" + r.Findings[i].Path
	}
	for i := range r.Errors {
		r.Errors[i].Path = string(p) + "/" + r.Errors[i].Path
	}
	return nil
}
