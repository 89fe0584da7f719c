// Package fix rewrites findings that their rule knows a replacement for, safely: verified, atomic, idempotent.
package fix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/term"
)

// Replacement returns what a finding's rule replaces its match with.
func Replacement(f *result.Finding) (string, bool) {
	if f.Rule.Match == rules.Term {
		// In the convention of the match: inventory-sync-runs → operation-runs.
		// Two terms can cover one spelling (bus and buse cover buses): the
		// rule's first wins, in the order of its tokens (the fix keys are
		// tokens), never in a map's order.
		for _, tok := range f.Rule.Tokens {
			if r, ok := f.Rule.Fix[tok]; ok {
				if s, ok := term.Rewrite(tok, r, f.Match); ok {
					return s, true
				}
			}
		}
		return "", false
	}
	if r, ok := f.Rule.Fix[f.Match]; ok {
		return r, true
	}
	if f.Rule.IgnoreCase {
		for _, tok := range f.Rule.Tokens {
			if r, ok := f.Rule.Fix[tok]; ok && strings.EqualFold(tok, f.Match) {
				return r, true
			}
		}
	}
	return "", false
}

// Fixable reports whether --fix may touch a finding: reported (not
// suppressed or baselined) and with a replacement.
func Fixable(f *result.Finding) bool {
	_, ok := Replacement(f)
	return ok && f.Suppression == nil
}

// File is what happened to one file.
type File struct {
	Path    string
	Fixed   []*result.Finding // rewritten (or, in a dry run, would be)
	Skipped string            // why the file was left alone, if it was
	Diff    string            // unified diff, in a dry run
}

// ErrChanged says a file is not what was scanned any more.
var ErrChanged = errors.New("changed on disk since it was scanned; left alone, run again")

// Apply fixes the fixable findings under root, one file at a time. With
// dryRun it only computes the diffs. Files are processed in path order.
func Apply(ctx context.Context, root string, findings []*result.Finding, dryRun bool) ([]File, error) {
	byPath := map[string][]*result.Finding{}
	for _, f := range findings {
		if Fixable(f) {
			byPath[f.Path] = append(byPath[f.Path], f)
		}
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []File
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		res := File{Path: p}
		diff, err := fixFile(filepath.Join(root, filepath.FromSlash(p)), p, byPath[p], dryRun)
		if err != nil {
			res.Skipped = err.Error()
		} else {
			res.Fixed, res.Diff = byPath[p], diff
		}
		out = append(out, res)
	}
	return out, nil
}

func fixFile(name, rel string, fs []*result.Finding, dryRun bool) (string, error) {
	before, err := os.Lstat(name)
	if err != nil {
		return "", err
	}
	// Checked before the dry run too, so that it shows what a real one does.
	if err := fileio.Replaceable(before); err != nil {
		return "", err
	}
	old, err := os.ReadFile(name)
	if err != nil {
		return "", err
	}
	starts := lineStarts(old)
	type edit struct {
		off, end int
		repl     string
	}
	var edits []edit
	for _, f := range fs {
		if f.Line > len(starts) {
			return "", ErrChanged
		}
		off := starts[f.Line-1] + f.Column - 1
		end := off + len(f.Match)
		if end > len(old) || string(old[off:end]) != f.Match {
			return "", ErrChanged
		}
		r, _ := Replacement(f)
		edits = append(edits, edit{off, end, r})
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].off < edits[j].off })
	var b bytes.Buffer
	at := 0
	for _, e := range edits {
		if e.off < at {
			return "", errors.New("overlapping fixes")
		}
		b.Write(old[at:e.off])
		b.WriteString(e.repl)
		at = e.end
	}
	b.Write(old[at:])
	fixed := b.Bytes()
	if dryRun {
		return UnifiedDiff(rel, old, fixed), nil
	}
	return "", fileio.Replace(name, fixed, before, func() error {
		// Last look: a file edited while we worked is left alone.
		now, err := os.Lstat(name)
		if err != nil || !os.SameFile(before, now) || now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime()) {
			return ErrChanged
		}
		return nil
	})
}

func lineStarts(b []byte) []int {
	starts := []int{0}
	for i, c := range b {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// UnifiedDiff renders a diff of two versions of a file whose lines were
// edited in place (fixes never add or remove lines), with 3 lines of context.
func UnifiedDiff(path string, old, new []byte) string {
	a, b := splitLines(old), splitLines(new)
	if len(a) != len(b) {
		return header(path) + "(line counts differ)\n"
	}
	var changed []int
	for i := range a {
		if a[i] != b[i] {
			changed = append(changed, i)
		}
	}
	if len(changed) == 0 {
		return ""
	}
	var w strings.Builder
	w.WriteString(header(path))
	const ctx = 3
	for i := 0; i < len(changed); {
		from := max(changed[i]-ctx, 0)
		j := i
		for j+1 < len(changed) && changed[j+1]-changed[j] <= 2*ctx {
			j++
		}
		to := min(changed[j]+ctx, len(a)-1)
		fmt.Fprintf(&w, "@@ -%d,%d +%d,%d @@\n", from+1, to-from+1, from+1, to-from+1)
		for l := from; l <= to; {
			if a[l] == b[l] {
				writeLine(&w, ' ', a[l])
				l++
				continue
			}
			// A run of changed lines: all removals, then all additions.
			run := l
			for run <= to && a[run] != b[run] {
				run++
			}
			for x := l; x < run; x++ {
				writeLine(&w, '-', a[x])
			}
			for x := l; x < run; x++ {
				writeLine(&w, '+', b[x])
			}
			l = run
		}
		i = j + 1
	}
	return w.String()
}

// header is the diff's ---/+++ lines, with path quoted as git quotes it.
// A path with a space gets a trailing tab, as git gives it, for patch(1).
func header(path string) string {
	tab := ""
	if strings.Contains(path, " ") {
		tab = "\t"
	}
	return "--- " + QuoteGit("a/"+path) + tab + "\n+++ " + QuoteGit("b/"+path) + tab + "\n"
}

// QuoteGit quotes a path as git does with core.quotePath on (its default):
// unchanged unless it holds a control character, '"', '\\', DEL or a
// byte of 0x80 or more; then in double quotes, with \a \b \t \n \v \f
// \r \" \\ and three-digit octal for the other such bytes. No line break
// survives, so a file name cannot start a line of its own in a CI log.
func QuoteGit(p string) string {
	i := 0
	for i < len(p) && !mustQuote(p[i]) {
		i++
	}
	if i == len(p) {
		return p
	}
	var b strings.Builder
	b.WriteByte('"')
	b.WriteString(p[:i])
	for ; i < len(p); i++ {
		c := p[i]
		if !mustQuote(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('\\')
		if e := strings.IndexByte("\a\b\t\n\v\f\r\"\\", c); e >= 0 {
			b.WriteByte("abtnvfr\"\\"[e])
		} else {
			fmt.Fprintf(&b, "%03o", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func mustQuote(c byte) bool {
	return c < 0x20 || c == '"' || c == '\\' || c >= 0x7f
}

func writeLine(w *strings.Builder, prefix byte, line string) {
	w.WriteByte(prefix)
	if s, ok := strings.CutSuffix(line, "\n"); ok {
		w.WriteString(s)
		w.WriteByte('\n')
		return
	}
	w.WriteString(line)
	w.WriteString("\n\\ No newline at end of file\n")
}

// splitLines keeps each line's "\n".
func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}
