package gitsrc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// BaseError is a --diff ref that git cannot resolve or join to HEAD.
type BaseError struct {
	Ref    string
	Reason string
}

func (e *BaseError) Error() string {
	return fmt.Sprintf("cannot diff against %q: %s", e.Ref, e.Reason)
}

// MergeBase returns the merge base of ref and HEAD.
func MergeBase(ctx context.Context, dir, ref string) (string, error) {
	if strings.HasPrefix(ref, "-") {
		return "", &BaseError{Ref: ref, Reason: "a ref cannot start with -"}
	}
	if _, err := run(ctx, dir, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return "", &BaseError{Ref: ref, Reason: "no such commit in this clone"}
	}
	out, err := run(ctx, dir, nil, "merge-base", ref, "HEAD")
	if err != nil {
		return "", &BaseError{Ref: ref, Reason: "it shares no history with HEAD in this clone"}
	}
	return strings.TrimSpace(string(out)), nil
}

// Changed maps each file that differs from base to its added or changed
// lines (1-based, in the new version), sorted.
type Changed map[string][]LineRange

// LineRange is the lines [From, To] inclusive.
type LineRange struct{ From, To int }

// Has reports whether line is one of the file's changed lines.
func (c Changed) Has(path string, line int) bool {
	rs := c[path]
	i := sort.Search(len(rs), func(i int) bool { return rs[i].To >= line })
	return i < len(rs) && rs[i].From <= line
}

// Diff returns the lines added or changed since base: in the work tree, or
// in the index when staged is set.
func Diff(ctx context.Context, dir, base string, staged bool) (Changed, error) {
	args := []string{"diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--diff-filter=ACM", "--src-prefix=a/", "--dst-prefix=b/"}
	if staged {
		args = append(args, "--cached")
	}
	out, err := run(ctx, dir, nil, append(args, base, "--")...)
	if err != nil {
		return nil, err
	}
	return parseDiff(out)
}

// parseDiff reads the "+++ b/path" and "@@ -a,b +c,d @@" lines of a
// zero-context unified diff.
func parseDiff(out []byte) (Changed, error) {
	ch := Changed{}
	path := ""
	for len(out) > 0 {
		line := out
		if i := bytes.IndexByte(out, '\n'); i >= 0 {
			line, out = out[:i], out[i+1:]
		} else {
			out = nil
		}
		switch {
		case bytes.HasPrefix(line, []byte("+++ ")):
			p, err := diffPath(string(line[4:]))
			if err != nil {
				return nil, err
			}
			path = p
			if _, ok := ch[path]; !ok && path != "" {
				ch[path] = nil
			}
		case bytes.HasPrefix(line, []byte("@@ ")) && path != "":
			r, ok := hunkRange(string(line))
			if !ok {
				return nil, fmt.Errorf("git diff: unexpected hunk header %q", line)
			}
			if r.To >= r.From {
				ch[path] = append(ch[path], r)
			}
		}
	}
	return ch, nil
}

// diffPath decodes "b/path", "\"b/pa\\th\"" or "/dev/null".
func diffPath(s string) (string, error) {
	s = strings.TrimSuffix(s, "\t")
	if s == "/dev/null" {
		return "", nil
	}
	if strings.HasPrefix(s, `"`) {
		u, err := unquoteC(s)
		if err != nil {
			return "", fmt.Errorf("git diff: cannot read path %s", s)
		}
		s = u
	}
	return strings.TrimPrefix(s, "b/"), nil
}

// unquoteC undoes git's C-style quoting, including octal escapes of raw bytes.
func unquoteC(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", errors.New("not quoted")
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", errors.New("trailing backslash")
		}
		switch c = s[i]; c {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\':
			b.WriteByte(c)
		default:
			if i+3 > len(s) {
				return "", errors.New("short octal escape")
			}
			v, err := strconv.ParseUint(s[i:i+3], 8, 8)
			if err != nil {
				return "", err
			}
			b.WriteByte(byte(v))
			i += 2
		}
	}
	return b.String(), nil
}

// hunkRange reads the new-file side of "@@ -a,b +c,d @@".
func hunkRange(h string) (LineRange, bool) {
	i := strings.Index(h, " +")
	if i < 0 {
		return LineRange{}, false
	}
	spec := h[i+2:]
	if j := strings.IndexByte(spec, ' '); j >= 0 {
		spec = spec[:j]
	}
	start, count := spec, "1"
	if k := strings.IndexByte(spec, ','); k >= 0 {
		start, count = spec[:k], spec[k+1:]
	}
	a, err1 := strconv.Atoi(start)
	n, err2 := strconv.Atoi(count)
	if err1 != nil || err2 != nil {
		return LineRange{}, false
	}
	return LineRange{From: a, To: a + n - 1}, true
}
