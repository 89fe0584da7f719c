// Package result is the findings model: what a scan found, and the one identity key that baselines, SARIF fingerprints and JUnit names share.
package result

import (
	"sort"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Finding is one match of one rule.
type Finding struct {
	Path      string // root-relative, slash-separated
	Line      int    // 1-based
	Column    int    // 1-based byte offset in the line
	EndColumn int    // column just after the match
	Rule      *rules.Rule
	Match     string // the text as it stands in the file
	// Detail says more for built-in rules: what is wrong with a suppression.
	Detail string
	// Suppression is set when a directive or the baseline silences this
	// finding; reports count it apart and SARIF marks it.
	Suppression *Suppression
	LineText    string // the line, without its line break, capped at 1 KiB
	// TextColumn is the byte column where LineText starts: 1 unless the line
	// was cut because the match sits more than 1 KiB into it.
	TextColumn int
	// TextColumn16 is the same column in UTF-16 code units (SARIF's).
	TextColumn16 int
}

// Suppression says why a finding is not reported.
type Suppression struct {
	Kind          string // InSource (a directive) or External (the baseline)
	Justification string
}

// Suppression kinds, as SARIF names them.
const (
	InSource = "inSource"
	External = "external"
)

// Baselined reports whether the baseline silences f.
func (f *Finding) Baselined() bool { return f.Suppression != nil && f.Suppression.Kind == External }

// FileError is a file that could not be scanned.
type FileError struct {
	Path string
	Err  error
}

func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Stats count what a scan looked at.
type Stats struct {
	FilesScanned int   // files read and searched
	FilesBinary  int   // skipped: NUL byte in the first 8 KiB
	FilesSkipped int   // not regular files: symlinks, FIFOs, devices, vanished
	Bytes        int64 // bytes searched
	// FilesElsewhere are files in scope that belong to another part of a
	// sharded scan: not read, but they tell a part that the whole scan is
	// not empty.
	FilesElsewhere int
}

// Add adds another scan's counts.
func (s *Stats) Add(o Stats) {
	s.FilesScanned += o.FilesScanned
	s.FilesBinary += o.FilesBinary
	s.FilesSkipped += o.FilesSkipped
	s.Bytes += o.Bytes
	s.FilesElsewhere += o.FilesElsewhere
}

// Sort puts findings in report order: path, line, column, rule.
func Sort(fs []*Finding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Rule.ID < b.Rule.ID
	})
}

// SortErrors puts file errors in path order.
func SortErrors(es []FileError) {
	sort.Slice(es, func(i, j int) bool { return es[i].Path < es[j].Path })
}

// Key is what identifies a finding across edits: rule, path, the matched
// text and the trimmed line, never the line number, so inserting lines above
// it or re-indenting it keeps its identity.
func Key(f *Finding) string { return string(AppendKey(nil, f)) }

// AppendKey appends f's key to dst, for hashing many keys without
// allocating one string each.
func AppendKey(dst []byte, f *Finding) []byte {
	dst = append(append(dst, f.Rule.ID...), 0)
	dst = append(append(dst, f.Path...), 0)
	dst = append(append(dst, f.Match...), 0)
	return append(dst, strings.TrimSpace(f.LineText)...)
}

// KeyOf is the identity key of a recorded finding (a baseline entry), whose
// line is already trimmed.
func KeyOf(rule, path, match, line string) string {
	return rule + "\x00" + path + "\x00" + match + "\x00" + line
}

// BaselineProgress is what a baseline says about one rule in a run.
type BaselineProgress struct {
	Rule      string
	Baselined int // findings of the run that the baseline records
	Fixed     int // recorded findings of the covered files that no longer occur
}

// Counts summarises findings by severity; suppressed ones are counted apart.
type Counts struct {
	Errors, Warnings, Files int
	Suppressed              int // by a directive in the code
	Baselined               int // by the baseline file
}

// Count tallies findings.
func Count(fs []*Finding) Counts {
	var c Counts
	last := ""
	files := map[string]bool{}
	for _, f := range fs {
		switch {
		case f.Baselined():
			c.Baselined++
			continue
		case f.Suppression != nil:
			c.Suppressed++
			continue
		}
		if f.Rule.Severity == rules.SeverityWarning {
			c.Warnings++
		} else {
			c.Errors++
		}
		if f.Path != last {
			files[f.Path] = true
			last = f.Path
		}
	}
	c.Files = len(files)
	return c
}
