package scanner

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Directive is the marker of an inline suppression. It is plain text to the
// scanner, so it works in any language's comments:
//
//	nolegacyruns:ignore RULE[,RULE...] -- reason       this line, or the next if alone
//	nolegacyruns:ignore-file RULE[,RULE...] -- reason  the whole file (first 20 lines)
const Directive = "nolegacyruns:ignore"

const (
	// directiveSpan is how far past the marker a directive is read.
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
	file      bool // ignore-file
	alone     bool // nothing but comment punctuation before it on its line
	rules     []string
	used      []bool
	reason    string
	problem   string // why it is malformed, if it is
	text      string // the directive as written, for messages
}

// parseDirective reads a directive from the marker to the end of its line.
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
	for _, id := range strings.FieldsFunc(trimCommentEnd(spec), func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if !ruleIDLike(id) {
			break
		}
		d.rules = append(d.rules, id)
	}
	d.used = make([]bool, len(d.rules))
	if len(d.rules) == 0 {
		d.problem = "it names no rule; blanket suppressions are not allowed"
	}
	return d, true
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

// onlyPunctuation reports whether a line prefix holds no letter or digit,
// so that a directive after it stands alone on its line.
func onlyPunctuation(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
		b = b[n:]
	}
	return true
}

// applySuppressions settles one file: it drops matches inside directives,
// marks suppressed findings, and adds findings for malformed and unused
// directives. fs are the file's findings, in order.
func (e *Engine) applySuppressions(fs []*result.Finding, dirs []directive, path string, alloc func() *result.Finding) []*result.Finding {
	known := func(id string) bool {
		return slices.ContainsFunc(e.rules[:e.user], func(r rules.Rule) bool { return r.ID == id })
	}
	for i := range dirs {
		if d := &dirs[i]; d.problem == "" && d.file && d.line > fileDirectiveLines {
			d.problem = fmt.Sprintf("ignore-file must be in the first %d lines", fileDirectiveLines)
		}
	}
	out := fs[:0]
	for _, f := range fs {
		inside := false
		for i := range dirs {
			d := &dirs[i]
			if d.line == f.Line && f.Column >= d.col {
				inside = true // a token in the directive's own text
				break
			}
			if d.problem != "" || !(d.file || d.line == f.Line || (d.alone && d.line == f.Line-1)) {
				continue
			}
			if j := slices.Index(d.rules, f.Rule.ID); j >= 0 {
				d.used[j] = true
				if f.Suppression == nil {
					f.Suppression = &result.Suppression{Kind: result.InSource, Justification: d.reason}
				}
			}
		}
		if !inside {
			out = append(out, f)
		}
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
		case e.requireReason && d.reason == "":
			add(invalid, d.text, "it gives no reason after --, and the rule file sets require_reason")
		}
		for j, id := range d.rules {
			switch {
			case !known(id):
				add(invalid, id, fmt.Sprintf("it names %q, which is not a rule", id))
			case !d.used[j]:
				add(unused, id, fmt.Sprintf("nothing of rule %q is suppressed by it", id))
			}
		}
	}
	result.Sort(out)
	return out
}
