package scanner

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Directive is the marker of an inline suppression, in a comment of any
// language:
//
//	nolegacyruns:ignore RULE[,RULE...] -- reason       this line, or the next if alone
//	nolegacyruns:ignore-file RULE[,RULE...] -- reason  the whole file (first 20 lines)
//
// Either may give an end date after its rules, until=YYYY-MM-DD: after that
// day (UTC) it suppresses nothing and is itself an invalid-suppression.
//
// The marker is a directive only right after a comment opener on its line,
// with nothing but whitespace between: //, #, -- (runs like /// or ## too),
// /* or /**, <!--, {{--, {#, <%#, and only when that opener is not inside a
// quoted string on its line. Anywhere else (a string, prose) it is plain
// text. The directive's text runs from the marker to its comment's closer
// (*/, -->, --}}, #}, %>) or to the end of the line; only that text is exempt
// from the rules, and whatever follows the closer is code. A directive is
// alone when its line holds nothing but whitespace around its comment;
// only then does it also cover the next line.
const Directive = "nolegacyruns:ignore"

const (
	// directiveSpan is how far around its marker a directive is read: its
	// line back to the opener and, for alone, the line start; forward to
	// the closer and, for alone, the line end.
	directiveSpan = 1 << 10
	// fileDirectiveLines is how early an ignore-file directive must come.
	fileDirectiveLines = 20
)

// Built-in rules: findings about suppressions themselves.
const (
	UnusedSuppression  = "unused-suppression"
	InvalidSuppression = "invalid-suppression"
)

// Reserved reports whether a rule id belongs to a built-in rule.
func Reserved(id string) bool { return id == UnusedSuppression || id == InvalidSuppression }

// BuiltinRules are the rules every engine adds after the rule set's own:
// unused-suppression (an error when strict) and invalid-suppression.
// (Not inlined: its literal would stay in Compile's frame while the
// matcher builds, and push the stack past 8 KiB.)
//
//go:noinline
func BuiltinRules(strict bool) []rules.Rule {
	unused := rules.Rule{
		ID:       UnusedSuppression,
		Message:  "this suppression suppresses nothing",
		Hint:     "remove it, or fix the rule id it names",
		Severity: rules.SeverityWarning,
	}
	if strict {
		unused.Severity = rules.SeverityError
	}
	return []rules.Rule{unused, {
		ID:      InvalidSuppression,
		Message: "this suppression is malformed",
		Hint:    "write nolegacyruns:ignore RULE[,RULE...] -- reason",
	}}
}

// directive is one parsed suppression in a file.
type directive struct {
	line, col int
	endCol    int  // the column just past its text, closer included
	file      bool // ignore-file
	alone     bool // nothing but whitespace besides its comment on its line
	rules     []string
	used      []bool
	reason    string
	until     string // the until= date, YYYY-MM-DD, if given
	problem   string // why it is malformed, if it is
	text      string // the directive as written, for messages
}

// parseDirective reads a directive's text, from the marker on.
// ok is false when the text only looks like one (nolegacyruns:ignored).
func parseDirective(text string) (d directive, ok bool) {
	rest := strings.TrimPrefix(text, Directive)
	if r, found := strings.CutPrefix(rest, "-file"); found {
		d.file, rest = true, r
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return d, false
	}
	d.text = strings.TrimSpace(text)
	spec, reason, _ := strings.Cut(trimCommentEnd(strings.TrimSpace(rest)), "--")
	d.reason = strings.TrimSpace(reason)
	// The rule list is ids separated by commas (and spaces after them); it
	// ends at the first word that cannot be a rule id.
	words := strings.FieldsFunc(trimCommentEnd(spec), func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	for _, id := range words {
		if !ruleIDLike(id) {
			break
		}
		d.rules = append(d.rules, id)
	}
	// After the rules, until=YYYY-MM-DD may give an end date. A date
	// written any other way, or another option, is a problem, never
	// ignored: the suppression would not end.
	for _, w := range words[len(d.rules):] {
		if v, ok := strings.CutPrefix(w, "until="); ok {
			if t, err := time.Parse(time.DateOnly, v); err != nil || t.Format(time.DateOnly) != v {
				d.problem = fmt.Sprintf("until=%s is not a date; write until=YYYY-MM-DD", v)
			}
			d.until = v
			break
		}
		if option(w) {
			d.problem = fmt.Sprintf("%q is not an end date; write until=YYYY-MM-DD after the rules", w)
			break
		}
	}
	for _, w := range strings.Fields(d.reason) {
		if l := strings.ToLower(w); d.problem == "" && len(l) > 6 && (l[:6] == "until=" || l[:6] == "until:") && '0' <= l[6] && l[6] <= '9' {
			d.problem = fmt.Sprintf("%s comes after --, in the reason, where it ends nothing; put it before --", w)
		}
	}
	d.used = make([]bool, len(d.rules))
	if len(d.rules) == 0 {
		d.problem = "it names no rule; blanket suppressions are not allowed"
	}
	return d, true
}

// option reports whether a word reads as an option of a directive:
// until in any case and spelling (Until=, until:), or key=value.
func option(w string) bool {
	if len(w) >= 5 && strings.EqualFold(w[:5], "until") && len(w) > 5 {
		return true
	}
	k, _, ok := strings.Cut(w, "=")
	return ok && k != "" && strings.IndexFunc(k, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' && r != '-' }) < 0
}

func ruleIDLike(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' && i > 0) {
			return false
		}
	}
	return s != ""
}

// trimCommentEnd drops comment closers: */ --> --}} #} %> }}.
func trimCommentEnd(s string) string {
	for _, end := range []string{"*/", "-->", "--}}", "#}", "%>", "}}"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, end))
	}
	return s
}

// expired reports whether the directive's end date is before today
// (both YYYY-MM-DD, so they compare as text).
func (d *directive) expired(today string) bool {
	return d.until != "" && today != "" && d.until < today
}

// readDirective reads the directive whose marker starts at buf[at], if the
// marker follows a comment opener. lineStart is where the marker's line
// starts in buf, negative if before it. buf must hold directiveSpan bytes
// before the marker (or the line start) and after it (or the end of the
// file), so that the result never depends on where reads happen to cut.
// end is the offset just past the directive's text.
func readDirective(buf []byte, lineStart, at int) (d directive, end int, ok bool) {
	lo := max(at-directiveSpan, lineStart, 0)
	pre := bytes.TrimRightFunc(buf[lo:at], isBlank)
	open, closer, ok := commentOpener(pre)
	if !ok || lo != lineStart || inString(pre[:open]) {
		// Not after an opener; or its line starts too far back to tell;
		// or the opener is inside a string ("// nolegacyruns:ignore …").
		return d, 0, false
	}
	line := buf[at:min(at+directiveSpan, len(buf))]
	lineEnds := at+directiveSpan >= len(buf) // the file ends within the span
	if k := bytes.IndexByte(line, '\n'); k >= 0 {
		line, lineEnds = line[:k], true
	}
	text, after := line, []byte(nil)
	if k := bytes.Index(line, []byte(closer)); closer != "" && k >= 0 {
		text, after = line[:k], line[k+len(closer):]
	}
	if d, ok = parseDirective(string(text)); !ok {
		return d, 0, false
	}
	end = at + len(line) - len(after)
	d.text = strings.TrimSpace(string(buf[at:end]))
	d.alone = lo == lineStart && isBlankText(pre[:open]) && lineEnds && isBlankText(after)
	return d, end, true
}

// inString reports whether a line that starts with b continues inside a
// quoted string: "…", '…' or `…`, with backslash escapes. Strings that span
// lines are not seen.
func inString(b []byte) bool {
	var quote byte
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case quote == 0 && (c == '"' || c == '\'' || c == '`'):
			quote = c
		case quote != 0 && c == '\\':
			i++
		case c == quote:
			quote = 0
		}
	}
	return quote != 0
}

// commentOpener finds the comment opener that b ends with: its offset in b,
// and the closer of its comment ("" for a line comment).
func commentOpener(b []byte) (at int, closer string, ok bool) {
	for _, c := range [...][2]string{{"<!--", "-->"}, {"{{--", "--}}"}, {"<%#", "%>"}, {"{#", "#}"}} {
		if bytes.HasSuffix(b, []byte(c[0])) {
			return len(b) - len(c[0]), c[1], true
		}
	}
	if len(b) == 0 {
		return 0, "", false
	}
	last, i := b[len(b)-1], len(b)
	for i > 0 && b[i-1] == last {
		i--
	}
	switch run := len(b) - i; {
	case last == '#', (last == '/' || last == '-') && run >= 2:
		return i, "", true
	case last == '*' && i > 0 && b[i-1] == '/':
		return i - 1, "*/", true
	}
	return 0, "", false
}

// isBlank is whitespace, and the byte order mark.
func isBlank(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

func isBlankText(b []byte) bool { return len(bytes.TrimLeftFunc(b, isBlank)) == 0 }

// applySuppressions settles one file: it drops matches in directives' text,
// marks suppressed findings, and adds findings for malformed and unused
// directives. fs are the file's findings, in order.
func (e *Engine) applySuppressions(fs []*result.Finding, dirs []directive, path string, alloc func() *result.Finding) []*result.Finding {
	known := func(id string) bool {
		return slices.ContainsFunc(e.rules[:e.user], func(r rules.Rule) bool { return r.ID == id })
	}
	sealed := func(id string) bool {
		i := slices.IndexFunc(e.rules[:e.user], func(r rules.Rule) bool { return r.ID == id })
		return i >= 0 && e.rules[i].Sealed
	}
	for i := range dirs {
		if d := &dirs[i]; d.problem == "" && d.file && d.line > fileDirectiveLines {
			d.problem = fmt.Sprintf("ignore-file must be in the first %d lines", fileDirectiveLines)
		}
	}
	out := fs[:0]
	for _, f := range fs {
		// A match within a directive's own text is no code: it is dropped,
		// and suppresses or uses nothing.
		if slices.ContainsFunc(dirs, func(d directive) bool {
			return d.line == f.Line && f.Column >= d.col && f.EndColumn <= d.endCol
		}) {
			continue
		}
		for i := range dirs {
			d := &dirs[i]
			if d.problem != "" || d.expired(e.today) || !(d.file || d.line == f.Line || (d.alone && d.line == f.Line-1)) {
				continue
			}
			if j := slices.Index(d.rules, f.Rule.ID); j >= 0 && !sealed(f.Rule.ID) {
				d.used[j] = true
				if f.Suppression == nil {
					f.Suppression = &result.Suppression{Kind: result.InSource, Justification: d.reason}
				}
			}
		}
		out = append(out, f)
	}
	unused, invalid := &e.rules[e.user], &e.rules[e.user+1]
	for i := range dirs {
		d := &dirs[i]
		add := func(rule *rules.Rule, match, why string) {
			f := alloc()
			*f = result.Finding{Path: path, Line: d.line, Column: d.col, EndColumn: d.col + len(Directive),
				Rule: rule, Match: match, LineText: d.text, Detail: why}
			out = append(out, f)
		}
		switch {
		case d.problem != "":
			add(invalid, d.text, d.problem)
			continue
		case d.expired(e.today):
			// Past its date it suppresses nothing, so it is not judged unused either.
			add(invalid, d.text, fmt.Sprintf("it expired: until=%s has passed (UTC); fix the finding, or give a later date", d.until))
			continue
		}
		if e.requireReason && d.reason == "" {
			add(invalid, d.text, "it gives no reason after --, and the rule file sets require_reason")
		}
		if e.requireUntil && d.until == "" {
			add(invalid, d.text, "it gives no until=YYYY-MM-DD, and the rule file sets require_until")
		}
		for j, id := range d.rules {
			switch {
			case !known(id):
				add(invalid, id, fmt.Sprintf("it names %q, which is not a rule", id))
			case sealed(id):
				add(invalid, id, fmt.Sprintf("rule %q is sealed: its debt reached zero and must stay there; fix the finding instead", id))
			case e.notRun[id]:
				// Its rule did not run: the suppression is neither used nor unused.
			case !d.used[j]:
				add(unused, id, fmt.Sprintf("nothing of rule %q is suppressed by it", id))
			}
		}
	}
	result.Sort(out)
	return out
}
