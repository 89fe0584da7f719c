package report

import (
	"encoding/base64"
	"io"
	"iter"
	"strings"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// JSON is one document: {"version":1,"findings":[...],"summary":{...}}.
type JSON struct{}

type jsonFinding struct {
	Path string `json:"path"`
	// PathBytes is the path's bytes in base64 when they are not UTF-8
	// (Path shows U+FFFD for them).
	PathBytes string `json:"path_bytes,omitempty"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndColumn int    `json:"end_column"`
	Rule      string `json:"rule"`
	Severity  string `json:"severity"`
	Match     string `json:"match"`
	Message   string `json:"message"`
	Hint      string `json:"hint,omitempty"`
	// Suppressed findings only: "inSource" or "baseline", and the reason.
	Suppression   string `json:"suppression,omitempty"`
	Justification string `json:"justification,omitempty"`
}

type jsonError struct {
	Path      string `json:"path"`
	PathBytes string `json:"path_bytes,omitempty"`
	Error     string `json:"error"`
}

type jsonSummary struct {
	FilesScanned      int `json:"files_scanned"`
	Findings          int `json:"findings"`
	Errors            int `json:"errors"`
	Warnings          int `json:"warnings"`
	Suppressed        int `json:"suppressed"`
	Baselined         int `json:"baselined"`
	StaleBaseline     int `json:"stale_baseline"`
	FilesWithFindings int `json:"files_with_findings"`
	FilesBinary       int `json:"files_binary"`
	FilesSkipped      int `json:"files_skipped"`
	ReadErrors        int `json:"read_errors"`
	// Baseline: per rule, findings in the baseline and fixed since it was
	// written; only when a baseline is in use.
	Baseline map[string]BaselineCounts `json:"baseline,omitempty"`
}

// jsonTool is the version and the rules of a shard's run (a report of a
// whole run has none): a merge refuses shards that differ in them, as it
// refuses SARIF parts whose tool.driver differ. It says what SARIF's rule
// descriptors say.
type jsonTool struct {
	Name    string     `json:"name"`
	Version string     `json:"version,omitempty"`
	Rules   []jsonRule `json:"rules"`
}

type jsonRule struct {
	ID       string   `json:"id"`
	Severity string   `json:"severity"`
	Match    string   `json:"match"`
	Tokens   []string `json:"tokens,omitempty"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
	URL      string   `json:"url,omitempty"`
}

type jsonDoc struct {
	Version    int           `json:"version"`
	Shard      *Shard        `json:"shard,omitempty"`
	Tool       *jsonTool     `json:"tool,omitempty"`
	Findings   []jsonFinding `json:"findings"`
	Suppressed []jsonFinding `json:"suppressed"`
	ReadErrors []jsonError   `json:"read_errors"`
	Summary    jsonSummary   `json:"summary"`
}

// Write implements Format.
func (JSON) Write(w io.Writer, r *Report) error {
	c := r.Count()
	doc := jsonDoc{
		Version:    1,
		Findings:   []jsonFinding{},
		Suppressed: []jsonFinding{},
		ReadErrors: make([]jsonError, 0, len(r.Errors)),
		Summary: jsonSummary{
			FilesScanned:      r.Stats.FilesScanned,
			Findings:          c.Errors + c.Warnings,
			Suppressed:        c.Suppressed,
			Baselined:         c.Baselined,
			StaleBaseline:     r.Stale,
			Errors:            c.Errors,
			Warnings:          c.Warnings,
			FilesWithFindings: c.Files,
			FilesBinary:       r.Stats.FilesBinary,
			FilesSkipped:      r.Stats.FilesSkipped,
			ReadErrors:        len(r.Errors),
			Baseline:          r.baselineCounts(),
		},
	}
	if r.Shard.Count > 0 {
		doc.Shard = &r.Shard
		doc.Tool = &jsonTool{Name: r.Tool, Version: r.Version, Rules: []jsonRule{}}
		for _, rule := range r.Rules {
			doc.Tool.Rules = append(doc.Tool.Rules, jsonRule{ID: rule.ID, Severity: rule.Severity.String(), Match: rule.Match.String(),
				Tokens: rule.Tokens, Message: rule.Message, Hint: rule.Hint, URL: rule.URL})
		}
	}
	for _, e := range r.Errors {
		doc.ReadErrors = append(doc.ReadErrors, jsonError{Path: validUTF8(e.Path), PathBytes: pathBytes(e.Path), Error: e.Err.Error()})
	}
	return writeJSON(w, doc, jsonArray{"findings", r.jsonFindings(false)}, jsonArray{"suppressed", r.jsonFindings(true)})
}

// jsonFindings yields the reported findings, or the suppressed ones.
func (r *Report) jsonFindings(suppressed bool) iter.Seq[any] {
	return func(yield func(any) bool) {
		for i := range r.Findings {
			f := r.Findings[i]
			if (f.Suppression != nil) != suppressed {
				continue
			}
			jf := jsonFinding{
				Path: validUTF8(f.Path), PathBytes: pathBytes(f.Path), Line: f.Line, Column: f.Column, EndColumn: f.EndColumn,
				Rule: f.Rule.ID, Severity: f.Rule.Severity.String(), Match: validUTF8(f.Match),
				Message: Message(f), Hint: f.Rule.Hint,
			}
			if suppressed {
				jf.Suppression, jf.Justification = suppressionKind(f.Suppression), validUTF8(f.Suppression.Justification)
			}
			if !yield(jf) {
				return
			}
		}
	}
}

// validUTF8 keeps JSON lossless for the common case and valid always: invalid
// bytes become U+FFFD (encoding/json would do the same silently).
func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// pathBytes is a path that is not UTF-8, in base64; "" for the others.
func pathBytes(p string) string {
	if utf8.ValidString(p) {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte(p))
}

func suppressionKind(s *result.Suppression) string {
	if s.Kind == result.External {
		return "baseline"
	}
	return s.Kind
}
