package gitsrc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os/exec"
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
	out, err := run(ctx, dir, nil, "merge-base", ref, "HEAD")
	if err == nil {
		return strings.TrimSpace(string(out)), nil
	}
	// Why: no such commit, or no shared history (one git call when all is well).
	if _, err := run(ctx, dir, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return "", &BaseError{Ref: ref, Reason: "no such commit in this clone"}
	}
	return "", &BaseError{Ref: ref, Reason: "it shares no history with HEAD in this clone"}
}

// Changed maps each file that differs from base to its added or changed
// lines (1-based, in the new version), sorted. A file git calls binary, or
// one in conflict, counts whole: its one range is WholeFile.
type Changed map[string][]LineRange

// LineRange is the lines [From, To] inclusive.
type LineRange struct{ From, To int }

// WholeFile is the range that stands for every line of a file.
func WholeFile() LineRange { return LineRange{From: 1, To: math.MaxInt} }

// Has reports whether line is one of the file's changed lines.
func (c Changed) Has(path string, line int) bool {
	rs := c[path]
	i := sort.Search(len(rs), func(i int) bool { return rs[i].To >= line })
	return i < len(rs) && rs[i].From <= line
}

// diffArgs pins every diff setting that a user's or a repository's
// configuration (or GIT_DIFF_OPTS) could change: the parser reads this
// format and no other. Not --minimal: it is quadratic on a large file of
// repeated lines (26 s against 0.7 s on 100,000 lines), and without it
// Myers gives up on a minimal diff only beyond an edit cost of 256, where
// it may count a few more lines as changed, never fewer.
func diffArgs() []string {
	return []string{
		"-c", "diff.noprefix=false",
		"-c", "diff.mnemonicPrefix=false",
		"-c", "diff.suppressBlankEmpty=false",
		"-c", "diff.interHunkContext=0",
		"-c", "diff.relative=false",
		"-c", "diff.renames=false",
		"-c", "diff.algorithm=myers",
		"-c", "diff.indentHeuristic=false",
		"-c", "diff.submodule=short",
		"-c", "diff.ignoreSubmodules=none",
		"-c", "diff.colorMoved=no",
		"-c", "color.diff=never",
		"-c", "color.ui=never",
		"-c", "core.bigFileThreshold=512m",
		"-c", "core.checkStat=default", // minimal could take a changed file for clean
		"-c", "core.trustctime=true",
		"diff", "--raw", "-z", "-p", "-U0", "--inter-hunk-context=0",
		"--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--no-relative",
		"--src-prefix=a/", "--dst-prefix=b/", "--diff-algorithm=myers", "--no-minimal",
		"--no-indent-heuristic", "--submodule=short", "--ignore-submodules=none", "-O/dev/null",
	}
}

// Diff returns the regular files added, changed, retyped (a symlink that
// became a file) or in conflict since base, with their added or changed
// lines: in the work tree, or in the index when staged is set. Deleted
// files, symlinks and submodules are left out. No filter, textconv or
// external diff driver runs, whatever the repository's configuration says.
func Diff(ctx context.Context, dir, base string, staged bool) (Changed, error) {
	return DiffFilters(ctx, dir, base, staged, nil)
}

// DiffFilters is Diff when the caller has read the names of the configured
// filter drivers itself (a non-nil, maybe empty, list): git is not asked.
func DiffFilters(ctx context.Context, dir, base string, staged bool, drivers []string) (Changed, error) {
	if strings.HasPrefix(base, "-") {
		return nil, &BaseError{Ref: base, Reason: "a ref cannot start with -"}
	}
	var args []string
	if drivers == nil {
		var err error
		if drivers, err = filterDrivers(ctx, dir); err != nil {
			return nil, err
		}
	}
	args = filtersOff(drivers)
	args = append(args, diffArgs()...)
	if staged {
		args = append(args, "--cached")
	}
	out, err := run(ctx, dir, nil, append(args, base, "--")...)
	if err != nil {
		return nil, err
	}
	return parseRawPatch(out)
}

// filterDrivers asks git for the names of the configured filter drivers.
func filterDrivers(ctx context.Context, dir string) ([]string, error) {
	out, err := run(ctx, dir, nil, "config", "-z", "--name-only", "--get-regexp", `^filter\.`)
	if err != nil {
		var ge *Error
		if ee := (*exec.ExitError)(nil); errors.As(err, &ge) && errors.As(ge.Err, &ee) && ee.ExitCode() == 1 {
			return []string{}, nil // none configured
		}
		return nil, err
	}
	return FilterDrivers(splitZ(out)), nil
}

// FilterDrivers returns the distinct driver names in config keys of the
// form filter.<driver>.<key> (a driver's name may hold dots and "=").
func FilterDrivers(keys []string) []string {
	names := []string{}
	seen := map[string]bool{}
	for _, key := range keys {
		rest, ok := strings.CutPrefix(key, "filter.")
		i := strings.LastIndexByte(rest, '.')
		if !ok || i < 0 || seen[rest[:i]] {
			continue
		}
		seen[rest[:i]] = true
		names = append(names, rest[:i])
	}
	return names
}

// filtersOff returns settings that empty every configured filter driver's
// commands: git runs no filter whose command is empty, and a driver that is
// not required lets the content through as it is.
func filtersOff(drivers []string) []string {
	var args []string
	for _, name := range drivers {
		for _, k := range []string{"clean", "smudge", "process"} {
			if strings.Contains(name, "=") {
				args = append(args, "--config-env=filter."+name+"."+k+"="+emptyVar)
			} else {
				args = append(args, "-c", "filter."+name+"."+k+"=")
			}
		}
		if strings.Contains(name, "=") {
			args = append(args, "--config-env=filter."+name+".required="+emptyVar)
		} else {
			args = append(args, "-c", "filter."+name+".required=false")
		}
	}
	return args
}

// rawEntry is one record of git diff --raw -z.
type rawEntry struct {
	newMode uint64
	status  byte
	path    string
}

// parseRawPatch reads the output of git diff --raw -z -p: the raw records
// (which files, and what they became), a NUL, then the patch (which lines).
func parseRawPatch(out []byte) (Changed, error) {
	var entries []rawEntry
	for len(out) > 0 && out[0] == ':' {
		f, paths, rest, err := rawRecord(out)
		if err != nil {
			return nil, err
		}
		out = rest
		mode, err := strconv.ParseUint(f[1], 8, 32)
		if err != nil {
			return nil, fmt.Errorf("git diff: unexpected raw record %q", ":"+strings.Join(f, " "))
		}
		entries = append(entries, rawEntry{newMode: mode, status: f[4][0], path: paths[len(paths)-1]})
	}
	if len(out) > 0 {
		if out[0] != 0 && len(entries) > 0 {
			return nil, errors.New("git diff: no separator after the raw output")
		}
		if out[0] == 0 {
			out = out[1:]
		}
	}
	patch, err := parseDiff(out)
	if err != nil {
		return nil, err
	}
	ch := Changed{}
	listed := map[string]bool{}
	for _, e := range entries {
		listed[e.path] = true
		switch {
		case e.status == 'D':
		case e.status == 'U':
			// In conflict: no single version to compare.
			ch[e.path] = []LineRange{WholeFile()}
		case e.newMode&0o170000 == 0o100000:
			ch[e.path] = patch[e.path]
		}
	}
	for p := range patch {
		if !listed[p] {
			return nil, fmt.Errorf("git diff: patch for %q, which the raw output does not list", p)
		}
	}
	return ch, nil
}

// parseDiff reads a zero-context unified diff, file section by file
// section ("diff --git" headers). Each hunk is read by its "@@ -a,b +c,d @@"
// counts, so that a changed line that reads like a header ("+++ x",
// "--- x", "@@ ...") is content. A file git calls binary counts whole.
// Files whose new side is /dev/null are left out.
func parseDiff(out []byte) (Changed, error) {
	ch := Changed{}
	var sec *section
	budget := maxUnmovedTotal
	end := func() {
		if sec != nil && sec.newSide() {
			if sec.binary {
				ch[sec.path] = []LineRange{WholeFile()}
			} else {
				ch[sec.path] = mergeRanges(append(ch[sec.path], sec.lines...))
			}
		}
		sec = nil
	}
	for len(out) > 0 {
		line := nextLine(&out)
		switch {
		case bytes.HasPrefix(line, []byte("diff --git ")):
			end()
			p, err := gitHeaderPath(string(line[len("diff --git "):]))
			if err != nil {
				return nil, err
			}
			sec = &section{path: p, budget: &budget}
		case bytes.HasPrefix(line, []byte("* Unmerged path ")):
			end()
		case sec == nil:
			return nil, fmt.Errorf("git diff: unexpected line %q", line)
		case bytes.HasPrefix(line, []byte("@@")):
			if sec.plus == "" {
				return nil, fmt.Errorf("git diff: hunk without a +++ line in %q", sec.path)
			}
			if err := sec.hunk(string(line), &out); err != nil {
				return nil, err
			}
		case sec.hunks > 0:
			// Only hunks follow the first hunk in a section.
			return nil, fmt.Errorf("git diff: unexpected line %q after a hunk of %q", line, sec.path)
		case bytes.HasPrefix(line, []byte("+++ ")):
			sec.plus = string(line[4:])
			if sec.plus != "/dev/null" {
				p, err := diffPath(sec.plus)
				if err != nil {
					return nil, err
				}
				if p != sec.path {
					return nil, fmt.Errorf("git diff: +++ %q in the section of %q", p, sec.path)
				}
			}
		case bytes.HasPrefix(line, []byte("deleted file mode ")):
			sec.deleted = true
		case bytes.HasPrefix(line, []byte("Binary files ")) && bytes.HasSuffix(line, []byte(" differ")):
			sec.binary = true
		}
		// Other header lines (index, old mode, new mode, new file mode,
		// --- a/...) say nothing about the new side's lines.
	}
	end()
	return ch, nil
}

// section is one file's part of a patch.
type section struct {
	path    string
	plus    string // the +++ line's name, "" until seen
	deleted bool
	binary  bool
	hunks   int
	lines   []LineRange
	budget  *int // line pairs unmoved may still compare
}

// newSide reports whether the section's file exists after the change.
func (s *section) newSide() bool { return !s.deleted && s.plus != "/dev/null" }

// hunk reads one hunk: its header h, then exactly as many old and new lines
// as the header counts, then any "\ No newline at end of file" lines.
func (s *section) hunk(h string, out *[]byte) error {
	oldN, newAt, newN, ok := hunkHeader(h)
	if !ok {
		return fmt.Errorf("git diff: unexpected hunk header %q in %q", h, s.path)
	}
	s.hunks++
	var removed, added []hunkLine
	var last *hunkLine
	context := false
	for oldN > 0 || newN > 0 {
		if len(*out) == 0 {
			return fmt.Errorf("git diff: hunk %q of %q ends early", h, s.path)
		}
		line := nextLine(out)
		c := byte(' ') // suppressBlankEmpty prints an empty context line as ""
		if len(line) > 0 {
			c = line[0]
		}
		switch {
		case c == '\\':
			if last != nil {
				last.noEOL = true
			}
		case c == '-' && oldN > 0:
			removed = append(removed, hunkLine{text: line[1:]})
			last = &removed[len(removed)-1]
			oldN--
		case c == '+' && newN > 0:
			added = append(added, hunkLine{text: line[1:], n: newAt})
			last = &added[len(added)-1]
			newAt++
			newN--
		case c == ' ' && oldN > 0 && newN > 0:
			context = true
			last = nil
			oldN--
			newN--
			newAt++
		default:
			return fmt.Errorf("git diff: line %q does not fit hunk %q of %q", line, h, s.path)
		}
	}
	for bytes.HasPrefix(*out, []byte("\\")) {
		nextLine(out)
		if last != nil {
			last.noEOL = true
		}
	}
	var kept []bool
	if n := len(removed) * len(added); !context && n <= maxUnmoved && n <= *s.budget {
		*s.budget -= n
		kept = unmoved(removed, added)
	}
	for i, l := range added {
		if kept == nil || !kept[i] {
			s.addLine(l.n)
		}
	}
	return nil
}

// hunkLine is a removed or added line of a hunk.
type hunkLine struct {
	text  []byte
	noEOL bool // the file ends on it, without a newline
	n     int  // added lines: the line number
}

// maxUnmoved and maxUnmovedTotal bound the line pairs unmoved compares,
// for one hunk and for a whole diff (some 0.2 s).
const (
	maxUnmoved      = 1 << 20
	maxUnmovedTotal = 1 << 25
)

// unmoved marks the added lines of a hunk that a longest common
// subsequence of its removed and added lines keeps. Git's Myers diff is
// not always minimal (it leaves out lines that repeat often before it
// compares, and takes shortcuts on costly diffs), so a hunk can remove
// and add the same line; matched in order, such a line is not new. Kept
// lines map, in order, onto removed lines between the hunks before and
// after, so nothing added hides. Callers keep r*a within maxUnmoved, so
// that the table stays small; past the bounds every added line counts.
func unmoved(removed, added []hunkLine) []bool {
	r, a := len(removed), len(added)
	if r == 0 || a == 0 {
		return nil
	}
	// Number the distinct lines, so that the table compares ints.
	ids := map[string]int32{}
	id := func(l hunkLine) int32 {
		k := "\n" + string(l.text)
		if l.noEOL {
			k = "$" + string(l.text)
		}
		n, ok := ids[k]
		if !ok {
			n = int32(len(ids))
			ids[k] = n
		}
		return n
	}
	x, y := make([]int32, r), make([]int32, a)
	for i, l := range removed {
		x[i] = id(l)
	}
	for j, l := range added {
		y[j] = id(l)
	}
	// t[i*w+j]: the LCS length of x[i:] and y[j:]; at most min(r, a),
	// which r*a <= maxUnmoved keeps within uint16.
	w := a + 1
	t := make([]uint16, (r+1)*w)
	for i := r - 1; i >= 0; i-- {
		row, next := t[i*w:(i+1)*w], t[(i+1)*w:(i+2)*w]
		for j := a - 1; j >= 0; j-- {
			switch {
			case x[i] == y[j]:
				row[j] = next[j+1] + 1
			case next[j] >= row[j+1]:
				row[j] = next[j]
			default:
				row[j] = row[j+1]
			}
		}
	}
	kept := make([]bool, a)
	for i, j := 0, 0; i < r && j < a; {
		switch {
		case x[i] == y[j]:
			kept[j] = true
			i++
			j++
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			i++
		default:
			j++
		}
	}
	return kept
}

func (s *section) addLine(n int) {
	if k := len(s.lines); k > 0 && s.lines[k-1].To == n-1 {
		s.lines[k-1].To = n
		return
	}
	s.lines = append(s.lines, LineRange{n, n})
}

// nextLine cuts the first line (without its newline) off out.
func nextLine(out *[]byte) []byte {
	b := *out
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		*out = b[i+1:]
		return b[:i]
	}
	*out = nil
	return b
}

// mergeRanges sorts ranges and joins those that touch or overlap.
func mergeRanges(rs []LineRange) []LineRange {
	sort.Slice(rs, func(i, j int) bool { return rs[i].From < rs[j].From })
	out := rs[:0]
	for _, r := range rs {
		if k := len(out); k > 0 && r.From <= out[k-1].To+1 {
			if r.To > out[k-1].To {
				out[k-1].To = r.To
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// gitHeaderPath reads the path of a "diff --git a/P b/P" header, given
// what follows "diff --git ". Without renames both names are the same
// path, which is how a name with spaces splits unambiguously; a name with
// special characters comes C-quoted.
func gitHeaderPath(s string) (string, error) {
	bad := fmt.Errorf("git diff: cannot read the header %q", "diff --git "+s)
	var a, b string
	if strings.HasPrefix(s, `"`) {
		i := quotedEnd(s)
		if i < 0 || i+1 >= len(s) || s[i+1] != ' ' {
			return "", bad
		}
		var err1, err2 error
		a, err1 = unquoteC(s[:i+1])
		b, err2 = unquoteC(s[i+2:])
		if err1 != nil || err2 != nil {
			return "", bad
		}
	} else {
		if len(s) < 5 || (len(s)-5)%2 != 0 {
			return "", bad
		}
		n := (len(s) - 5) / 2
		a, b = s[:2+n], s[3+n:]
		if s[2+n] != ' ' {
			return "", bad
		}
	}
	pa, ok1 := strings.CutPrefix(a, "a/")
	pb, ok2 := strings.CutPrefix(b, "b/")
	if !ok1 || !ok2 || pa != pb || pa == "" {
		return "", bad
	}
	return pa, nil
}

// quotedEnd returns the index of the quote that closes the C-quoted string
// s starts with, or -1.
func quotedEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
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

// hunkHeader reads "@@ -a[,b] +c[,d] @@ ...": the old line count b and the
// new side's first line c and count d (a missing count is 1).
func hunkHeader(h string) (oldN, newAt, newN int, ok bool) {
	rest, ok := strings.CutPrefix(h, "@@ -")
	if !ok {
		return 0, 0, 0, false
	}
	oldSpec, rest, ok1 := strings.Cut(rest, " +")
	newSpec, rest, ok2 := strings.Cut(rest, " @@")
	if !ok1 || !ok2 || (rest != "" && rest[0] != ' ') {
		return 0, 0, 0, false
	}
	_, oldN, ok1 = rangeSpec(oldSpec)
	newAt, newN, ok2 = rangeSpec(newSpec)
	if !ok1 || !ok2 || (newN > 0 && newAt < 1) {
		return 0, 0, 0, false
	}
	return oldN, newAt, newN, true
}

// rangeSpec reads "start[,count]".
func rangeSpec(s string) (start, count int, ok bool) {
	a, n, hasN := strings.Cut(s, ",")
	start, err := strconv.Atoi(a)
	if err != nil || start < 0 || !digits(a) {
		return 0, 0, false
	}
	count = 1
	if hasN {
		if count, err = strconv.Atoi(n); err != nil || !digits(n) {
			return 0, 0, false
		}
	}
	return start, count, true
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
