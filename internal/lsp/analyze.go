package lsp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/tenantatlas/nolegacyruns/internal/fileuri"
	"github.com/tenantatlas/nolegacyruns/internal/pipeline"
	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// document is an open text document.
type document struct {
	uri     string
	path    string // absolute, "" when the URI is not a file
	lang    string // the client's languageId
	version int32
	text    []byte
	result  *analysis // of this version, once searched
}

// analysis is what a search of one version of a document found.
type analysis struct {
	enc   encoding
	ix    *lineIndex
	items []item // reported findings, in report order
	fail  string // the document could not be searched: why
	// What it searched, to check an edit before offering it.
	set  *Setup
	rel  string
	text []byte
}

// item is one reported finding and where it is in the text.
type item struct {
	f          *result.Finding
	start, end int // byte offsets
	diag       diagnostic
}

func (a *analysis) findings() []*result.Finding {
	out := make([]*result.Finding, len(a.items))
	for i, it := range a.items {
		out[i] = it.f
	}
	return out
}

func (a *analysis) diagnostics() []diagnostic {
	out := make([]diagnostic, 0, len(a.items)+1)
	if a.fail != "" {
		out = append(out, diagnostic{Severity: severityError, Source: "nolegacyruns", Code: "read-error", Message: a.fail})
	}
	for _, it := range a.items {
		out = append(out, it.diag)
	}
	return out
}

// current returns the analysis of a document's current version.
func (s *server) current(ctx context.Context, d *document) *analysis {
	if d.result == nil {
		d.result = s.analyze(ctx, d)
	}
	return d.result
}

// analyze searches a document's text with the rules in effect for its
// path, as a run of the command on that one file would (nolegacyruns
// FILE): the same engine, scope, suppressions and baseline.
func (s *server) analyze(ctx context.Context, d *document) *analysis {
	a := &analysis{enc: s.enc, ix: newLineIndex(d.text)}
	d.result = a
	if d.path == "" {
		return a // not a file: an untitled buffer, a diff view
	}
	set, err := s.setup(filepath.Dir(d.path))
	if err != nil {
		s.showError(err)
		return a
	}
	rel, ok := inRoot(set.Root, d.path)
	if !ok {
		return a
	}
	if fi, err := os.Lstat(d.path); err == nil && !fi.Mode().IsRegular() {
		return a // a symlink, or no file: a run never follows one
	}
	a.set, a.rel, a.text = set, rel, d.text
	findings, err := search(ctx, set, rel, d.text)
	if err != nil {
		a.fail = "could not search this file: " + err.Error()
		return a
	}
	nl := newlineStarts(d.text)
	for _, f := range findings {
		start := byteOffset(d.text, nl, f.Line, f.Column)
		end := min(start+f.EndColumn-f.Column, len(d.text))
		it := item{f: f, start: start, end: end}
		it.diag = diagnostic{
			Range:    lspRange{a.ix.position(start, a.enc), a.ix.position(end, a.enc)},
			Severity: severityError,
			Code:     f.Rule.ID,
			Source:   "nolegacyruns",
			// As the text format has it: message, match, rule, hint.
			Message: report.Message(f) + ": " + strconv.Quote(f.Match) + " (" + f.Rule.ID + ")",
		}
		if f.Rule.URL != "" {
			it.diag.CodeDescription = &codeDescription{Href: f.Rule.URL}
		}
		if f.Rule.ID == scanner.UnusedSuppression {
			it.diag.Tags = []int{tagUnnecessary}
		}
		if f.Rule.Severity == rules.SeverityWarning {
			it.diag.Severity = severityWarning
		}
		if f.Rule.Hint != "" {
			it.diag.Message += "\nhint: " + f.Rule.Hint
		}
		a.items = append(a.items, it)
	}
	return a
}

// search returns the reported findings of a text at a root-relative path:
// the engine's, with the baseline applied as a run applies it.
func search(ctx context.Context, set *Setup, rel string, text []byte) ([]*result.Finding, error) {
	res, err := set.Engine.Scan(ctx, scanner.Options{Root: set.Root, Source: docSource{rel, text}, Skip: set.Skip, Workers: 1})
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return nil, res.Errors[0].Err
	}
	run := &pipeline.Run{Findings: res.Findings, Errors: res.Errors, Stats: res.Stats}
	var pc pipeline.Config
	if set.Baseline != nil {
		pc.Baseline = &pipeline.ApplyBaseline{File: set.Baseline, Covers: func(p string) bool { return p == rel }}
	}
	if err := pipeline.Apply(ctx, run, pipeline.Build(pc)); err != nil {
		return nil, err
	}
	var out []*result.Finding
	rep := report.Report{Findings: run.Findings}
	for f := range rep.Active() {
		out = append(out, f)
	}
	return out, nil
}

// docSource is one document as a scan source: its path and its text as
// the editor holds it, not as saved.
type docSource struct {
	path string
	text []byte
}

func (d docSource) List(_ context.Context, add func([]scanner.Entry)) error {
	add([]scanner.Entry{{Path: d.path, Regular: true}})
	return nil
}

func (d docSource) Open(string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(d.text)), nil
}

// inRoot returns p relative to root as a slash path, if it is inside it.
func inRoot(root, p string) (string, bool) {
	r, err := filepath.Rel(root, p)
	if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// uriPath returns the file path of a file: URI.
func uriPath(uri string) (string, bool) {
	host, p, ok := fileuri.Parse(uri)
	if !ok {
		return "", false
	}
	if runtime.GOOS == "windows" {
		// file:///C:/x is /C:/x here.
		p = strings.TrimPrefix(p, "/")
		if host != "" {
			p = `\\` + host + `\` + p // a UNC path
		}
	} else if host != "" && host != "localhost" {
		return "", false
	}
	return filepath.Clean(filepath.FromSlash(p)), true
}

// pathURI is the file: URI of an absolute path.
func pathURI(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x
	}
	return fileuri.FromPath(p)
}

// errorPlace is the position of a rule file's or a baseline's error, if
// it has one, and the error without it. A relative file is relative to dir.
func errorPlace(err error, dir string) (file, code string, line, col int, msg string, ok bool) {
	var ce *config.Error
	var be *baseline.Error
	switch {
	case errors.As(err, &ce) && ce.File != "(default)":
		file, code, line, col, msg = ce.File, "rule-file", ce.Line, ce.Col, ce.Msg
		if ce.Rule != "" {
			msg = "rule " + strconv.Quote(ce.Rule) + ": " + msg
		}
	case errors.As(err, &be):
		file, code, line, col, msg = be.File, "baseline", be.Line, be.Col, be.Msg
	default:
		return "", "", 0, 0, "", false
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	return file, code, line, col, msg, true
}
