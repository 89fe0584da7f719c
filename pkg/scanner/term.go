package scanner

import (
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/term"
)

// Term rules (match: term) are matched like case-insensitive tokens: each
// term's spellings (pkg/term: every separator, both numbers of its last
// word) are patterns of the shared matcher, and termBounded in
// selectMatches keeps the occurrences that are whole spellings of the term
// where they stand.

// A TermChecker tells whether a replacement still contains one of a rule's
// terms; the matcher is built once for all of the rule's fixes.
type TermChecker struct {
	terms []string
	m     *matcher
	low   []byte // the lowered text's buffer, reused from call to call
}

// NewTermChecker returns the checker of the replacements for terms.
func NewTermChecker(terms []string) *TermChecker {
	return &TermChecker{terms: terms, m: newMatcher([]rules.Rule{{ID: "t", Match: rules.Term, Tokens: terms}}, false, nil)}
}

// In reports a term that the replacement term repl contains when written
// in one of the usual conventions (camelCase, PascalCase, snake_case,
// SCREAMING_SNAKE_CASE, kebab-case, dotted, spaced, either number): a fix
// to repl would leave a finding behind.
func (c *TermChecker) In(repl string) (string, bool) {
	terms, m := c.terms, c.m
	for _, sp := range term.Spellings(repl) {
		words := append([]string(nil), sp.Words...)
		var forms []string
		forms = append(forms, term.Example(sp), strings.ToUpper(sp.Text()))
		for i, w := range words {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
		forms = append(forms, strings.Join(words, sp.Sep))
		for _, f := range forms {
			hay := []byte(f)
			for _, o := range m.selectMatches(hay, m.occurrences(hay, 0, nil, &c.low), len(hay), nil, map[int32]int{}, 0) {
				for _, t := range terms {
					if _, _, ok := term.Parse(t, f[o.start:o.end]); ok {
						return t, true
					}
				}
			}
		}
	}
	return "", false
}
