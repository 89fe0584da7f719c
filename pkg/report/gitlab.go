package report

import (
	"io"
	"iter"
)

// GitLab is GitLab's Code Quality report: a JSON array of Code Climate
// issues, read from artifacts:reports:codequality. A finding's fingerprint
// is its SARIF partial fingerprint (the identity key and its occurrence,
// hashed), so that GitLab matches it across line insertions above it.
type GitLab struct{}

var _ Format = GitLab{}

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

// Write implements Format. Suppressed findings are left out: GitLab has no
// place for them.
func (GitLab) Write(w io.Writer, r *Report) error {
	return writeJSONArray(w, r.gitlabIssues())
}

func (r *Report) gitlabIssues() iter.Seq[any] {
	return func(yield func(any) bool) {
		fps := fingerprints(r.Findings)
		for i := range r.Findings {
			f := r.Findings[i]
			fp := fps() // every finding counts for the occurrence numbers
			if f.Suppression != nil {
				continue
			}
			sev := "major"
			if f.Rule.Severity.String() == "warning" {
				sev = "minor"
			}
			is := gitlabIssue{
				Description: validUTF8(sarifMessage(f)),
				CheckName:   f.Rule.ID,
				Fingerprint: fp,
				Severity:    sev,
				Location:    gitlabLocation{Path: validUTF8(f.Path), Lines: gitlabLines{Begin: f.Line}},
			}
			if !yield(is) {
				return
			}
		}
	}
}
