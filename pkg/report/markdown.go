package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// Markdown is a summary for people reading a CI page or a pull request
// comment: the counts, the findings per rule, then a table of every
// finding, each linked to its line when LinkBase is set. With a Limit it
// stops before that many bytes, with a note that says how many findings
// are left out (GitHub's step summary holds 1 MiB).
type Markdown struct {
	// LinkBase is the URL the file paths are appended to, percent-encoded,
	// with "#L" and the line after them: for GitHub
	// "https://github.com/OWNER/REPO/blob/SHA/".
	LinkBase string
	// Limit is the most bytes to write (at least 1 KiB: the counts and
	// the note are always written); 0 is no limit.
	Limit int
	// FullList says where the full list is, for the note when the summary
	// is cut ("in nolegacyruns.sarif"); empty, the note says to run the
	// guard locally.
	FullList string
	// Cut is set by Write: the summary left findings or file errors out.
	Cut bool
}

var _ Format = (*Markdown)(nil)

// cutReserve is room kept for the note that ends a cut summary.
const cutReserve = 512

// Write implements Format.
func (m *Markdown) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	ew := &errWriter{w: bw}
	written := 0
	where := "run nolegacyruns locally for the full list"
	if m.FullList != "" {
		where = "the full list is " + mdText(m.FullList)
	}
	// The note's room: its text, and FullList as escaped (a _ is \_).
	reserve := cutReserve + len(mdText(m.FullList))
	// put writes s unless it would leave no room for the note.
	put := func(s string) bool {
		if m.Limit > 0 && written+len(s)+reserve > m.Limit {
			return false
		}
		written += len(s)
		ew.printf("%s", s)
		return true
	}
	c := r.Count()
	total := c.Errors + c.Warnings
	var head strings.Builder
	head.WriteString("### nolegacyruns\n\n")
	if total == 0 {
		head.WriteString("**No findings**")
	} else {
		fmt.Fprintf(&head, "**%s** (%s, %s) in %s", plural(total, "finding", "findings"),
			plural(c.Errors, "error", "errors"), plural(c.Warnings, "warning", "warnings"), plural(c.Files, "file", "files"))
	}
	for _, s := range []struct {
		n    int
		what string
	}{{c.Suppressed, "suppressed in the code"}, {c.Baselined, "in the baseline"}, {r.Stale, "stale in the baseline"}} {
		if s.n > 0 {
			fmt.Fprintf(&head, " · %d %s", s.n, s.what)
		}
	}
	fmt.Fprintf(&head, " · %s scanned", plural(r.Stats.FilesScanned, "file", "files"))
	if r.Shard.Count > 0 {
		fmt.Fprintf(&head, " in shard %d/%d", r.Shard.Index, r.Shard.Count)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(&head, " · **%s could not be read**", plural(len(r.Errors), "file", "files"))
	}
	head.WriteString("\n")
	// The head is always written: the limit is for the tables.
	written += len(head.String())
	ew.printf("%s", head.String())
	shown, cut := 0, false

	if !cut && total > 0 {
		cut = !put("\n| rule | severity | findings |\n|---|---|--:|\n")
		for _, rc := range countRules(r) {
			if cut = cut || !put(fmt.Sprintf("| %s | %s | %d |\n", mdText(rc.id), rc.severity, rc.n)); cut {
				break
			}
		}
		cut = cut || !put("\n| location | severity | rule | message |\n|---|---|---|---|\n")
		for f := range r.Active() {
			if cut {
				break
			}
			if cut = !put(m.row(f)); !cut {
				shown++
			}
		}
	}
	if !cut && len(r.Errors) > 0 {
		cut = !put("\n| could not read | error |\n|---|---|\n")
		for _, e := range r.Errors {
			if cut = cut || !put(fmt.Sprintf("| %s | %s |\n", mdText(QuotePath(e.Path)), mdText(e.Err.Error()))); cut {
				break
			}
		}
	}
	m.Cut = cut
	if cut {
		ew.printf("\n> [!NOTE]\n> The summary is cut here to fit GitHub's 1 MiB step summary (%d of %s not shown); %s.\n",
			total-shown, plural(total, "finding", "findings"), where)
	}
	if ew.err != nil {
		return ew.err
	}
	return bw.Flush()
}

// row is one finding's line of the table.
func (m *Markdown) row(f *result.Finding) string {
	loc := mdText(QuotePath(f.Path) + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Column))
	if m.LinkBase != "" {
		loc = "[" + loc + "](" + m.LinkBase + URI(f.Path) + "#L" + strconv.Itoa(f.Line) + ")"
	}
	return "| " + loc + " | " + f.Rule.Severity.String() + " | " + mdText(f.Rule.ID) + " | " +
		mdText(Message(f)+": "+strconv.Quote(f.Match)) + " |\n"
}

type ruleCount struct {
	id, severity string
	n            int
}

// countRules counts the reported findings per rule: the rules in the
// report's order, then any other rule by id.
func countRules(r *Report) []ruleCount {
	n := map[string]*ruleCount{}
	for f := range r.Active() {
		rc := n[f.Rule.ID]
		if rc == nil {
			rc = &ruleCount{id: f.Rule.ID, severity: f.Rule.Severity.String()}
			n[f.Rule.ID] = rc
		}
		rc.n++
	}
	var out []ruleCount
	for _, rule := range r.Rules {
		if rc := n[rule.ID]; rc != nil {
			out = append(out, *rc)
			delete(n, rule.ID)
		}
	}
	var rest []ruleCount
	for _, rc := range n {
		rest = append(rest, *rc)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].id < rest[j].id })
	return append(out, rest...)
}

// mdText escapes s for a Markdown table cell: every ASCII punctuation
// character that Markdown or a table could read as syntax is
// backslash-escaped, and control characters become spaces, so that a file
// name or a match is shown as it is and cannot add a link, an image, HTML
// or a column. GFM's autolinks need the text www. or :// as it stands: the
// dot after www and the colon before // are escaped too (@ always is).
func mdText(s string) string {
	var b strings.Builder
	s = validUTF8(s)
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch {
		case r < ' ' || r == 0x7f:
			b.WriteByte(' ')
		case r < utf8.RuneSelf && strings.ContainsRune("\\`*_{}[]<>()#!|~&$@", r),
			r == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"),
			r == ':' && strings.HasPrefix(s[i+1:], "//"):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
