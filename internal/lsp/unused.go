package lsp

import (
	"context"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// removal is the edit that takes an unused suppression away: its rule id
// from the directive's list, or, when it is the only one, the whole
// comment (and its line, when the comment stands alone on it). It is
// offered only when a search of the edited text has one finding fewer, so
// that a directive the parser here misreads is left alone.
func removal(ctx context.Context, a *analysis, it item) (from, to int, ok bool) {
	from, to, ok = removalSpan(a.text, it.f)
	if !ok || a.set == nil {
		return 0, 0, false
	}
	edited := append(append([]byte(nil), a.text[:from]...), a.text[to:]...)
	after, err := search(ctx, a.set, a.rel, edited)
	if err != nil || len(after) != len(a.items)-1 {
		return 0, 0, false
	}
	return from, to, true
}

// removalSpan finds what to delete for an unused-suppression finding,
// whose column is the directive's marker and whose match is the rule id.
func removalSpan(text []byte, f *result.Finding) (from, to int, ok bool) {
	nl := newlineStarts(text)
	if f.Line-1 >= len(nl) {
		return 0, 0, false
	}
	start := nl[f.Line-1]
	next := len(text)
	if f.Line < len(nl) {
		next = nl[f.Line]
	}
	end := next
	for end > start && (text[end-1] == '\n' || text[end-1] == '\r') {
		end--
	}
	line := string(text[start:end])
	m := f.Column - 1
	if m < 0 || m > len(line) || !strings.HasPrefix(line[m:], scanner.Directive) {
		return 0, 0, false
	}
	// The rule list: ids separated by commas and blanks.
	at := m + len(scanner.Directive)
	at += len(line[at:]) - len(strings.TrimPrefix(line[at:], "-file"))
	type span struct{ a, b int }
	var ids []span
	i := at
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == ',' && len(ids) > 0) {
			i++
		}
		j := i
		for j < len(line) && (line[j] >= 'a' && line[j] <= 'z' || line[j] >= '0' && line[j] <= '9' || line[j] == '-' && j > i && !strings.HasPrefix(line[j:], "--")) {
			j++
		}
		if j == i {
			break
		}
		ids = append(ids, span{i, j})
		i = j
		k := i
		for k < len(line) && (line[k] == ' ' || line[k] == '\t') {
			k++
		}
		if k >= len(line) || line[k] != ',' {
			break
		}
	}
	for n, s := range ids {
		if line[s.a:s.b] != f.Match {
			continue
		}
		if len(ids) > 1 {
			// Only this id, with the comma that joins it to its neighbour.
			if n > 0 {
				return start + ids[n-1].b, start + s.b, true
			}
			return start + s.a, start + ids[1].a, true
		}
		// The whole comment: back to its opener, on to its closer.
		open := commentStart(line, m)
		if open < 0 {
			return 0, 0, false
		}
		close, first := len(line), len(line) // after the earliest closer, if any
		for _, c := range []string{"*/", "-->", "--}}", "#}", "%>"} {
			if k := strings.Index(line[s.b:], c); k >= 0 && s.b+k < first {
				first, close = s.b+k, s.b+k+len(c)
			}
		}
		if strings.TrimSpace(line[:open]) == "" && strings.TrimSpace(line[close:]) == "" {
			return start, next, true // the comment's own line
		}
		for open > 0 && (line[open-1] == ' ' || line[open-1] == '\t') {
			open--
		}
		return start + open, start + close, true
	}
	return 0, 0, false
}

// commentStart finds the opener of the comment whose marker is at m:
// only blanks between them.
func commentStart(line string, m int) int {
	k := m
	for k > 0 && (line[k-1] == ' ' || line[k-1] == '\t') {
		k--
	}
	for _, o := range []string{"{{--", "<!--", "<%#", "/**", "/*", "//", "--", "{#", "#"} {
		if strings.HasSuffix(line[:k], o) {
			s := k - len(o)
			if o == "//" || o == "--" || o == "#" {
				for s > 0 && line[s-1] == o[0] { // runs: ///, ##
					s--
				}
			}
			return s
		}
	}
	return -1
}
