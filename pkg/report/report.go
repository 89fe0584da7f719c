// Package report renders scan results in each output format; every format is one small type.
package report

import (
	"fmt"
	"io"
	"iter"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Report is everything one run has to say, already in its final order.
type Report struct {
	Tool     string // "nolegacyruns"
	Version  string
	Rules    []rules.Rule
	Findings []*result.Finding
	Errors   []result.FileError
	Stats    result.Stats
	Stale    int // baseline entries that no longer occur
	// Baseline is the baseline's count per rule, when one is in use.
	Baseline []result.BaselineProgress
	// Shard is the part of a sharded run (--shard I/N) that this report
	// covers; the zero Shard is a whole run. JSON and SARIF record it, so
	// that merging the parts can check that each is there once.
	Shard Shard
}

// Shard is one of Count parts of a run, from 1.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// BaselineCounts is one rule's line of the baseline progress, in the JSON
// summary and the SARIF run's properties.
type BaselineCounts struct {
	Baselined int `json:"baselined"`
	Fixed     int `json:"fixed"`
}

// baselineCounts maps each rule with baseline entries to its counts; nil
// without a baseline.
func (r *Report) baselineCounts() map[string]BaselineCounts {
	if len(r.Baseline) == 0 {
		return nil
	}
	m := make(map[string]BaselineCounts, len(r.Baseline))
	for _, p := range r.Baseline {
		m[p.Rule] = BaselineCounts{Baselined: p.Baselined, Fixed: p.Fixed}
	}
	return m
}

// Count tallies the findings of a report.
func (r *Report) Count() result.Counts { return result.Count(r.Findings) }

// Format writes a report to w.
type Format interface {
	Write(w io.Writer, r *Report) error
}

// Spec names a format for --format and its help.
type Spec struct {
	Name string
	Help string
	New  func() Format
}

// Formats lists every format, in the order the help shows them.
func Formats() []Spec {
	return []Spec{
		{"text", "path:line:column: lines for people (default)", func() Format { return &Text{} }},
		{"json", "one JSON document with findings and a summary", func() Format { return JSON{} }},
		{"sarif", "SARIF 2.1.0 for GitHub code scanning and other SARIF viewers", func() Format { return SARIF{} }},
		{"github", "GitHub Actions: 10 error and 10 warning annotations, the rest listed in the log; a job summary when GITHUB_STEP_SUMMARY is set", func() Format { return &GitHub{} }},
		{"gitlab", "GitLab Code Quality JSON (artifacts:reports:codequality)", func() Format { return GitLab{} }},
		{"markdown", "a Markdown summary: counts per rule and a table of every finding (PR comments, CI pages)", func() Format { return &Markdown{} }},
		{"checkstyle", "Checkstyle XML for Jenkins and GitLab", func() Format { return Checkstyle{} }},
		{"junit", "JUnit XML for test report views", func() Format { return JUnit{} }},
	}
}

// Lookup returns a new format by name.
func Lookup(name string) (Format, bool) {
	for _, s := range Formats() {
		if s.Name == name {
			return s.New(), true
		}
	}
	return nil, false
}

// Names lists the format names, comma-separated, for messages (and the
// usage of --format, which every run builds: a constant, which a test holds
// to Formats).
func Names() string { return "text, json, sarif, github, gitlab, markdown, checkstyle, junit" }

// Active yields the findings that are reported: not suppressed. It copies
// nothing, since a run can have millions.
func (r *Report) Active() iter.Seq[*result.Finding] {
	return func(yield func(*result.Finding) bool) {
		for i := range r.Findings {
			if r.Findings[i].Suppression == nil && !yield(r.Findings[i]) {
				return
			}
		}
	}
}

// Message is a finding's message with the detail of built-in rules.
func Message(f *result.Finding) string {
	if f.Detail != "" {
		return f.Rule.Message + ": " + f.Detail
	}
	return f.Rule.Message
}

// errWriter remembers the first write error, so formats can write freely.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
