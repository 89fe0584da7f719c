// Package rules is the rule model: the rules a rule file declares, as the engine, the reports and the fixes see them.
package rules

// Severity says whether a finding fails the run.
type Severity uint8

const (
	// SeverityError findings fail the run.
	SeverityError Severity = iota
	// SeverityWarning findings are reported but do not fail the run.
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// MatchMode says how a token must sit in the text to count.
type MatchMode uint8

const (
	// Substring matches the token anywhere.
	Substring MatchMode = iota
	// Word requires that the runes around the match are not letters, digits or '_'.
	Word
	// Regex reads each token as an RE2 expression, matched within one line.
	Regex
	// Term reads each token as a name and matches it in every naming
	// convention (pkg/term): camelCase, snake_case, kebab-case, dotted,
	// spaced, either number of its last word.
	Term
)

func (m MatchMode) String() string {
	switch m {
	case Word:
		return "word"
	case Regex:
		return "regex"
	case Term:
		return "term"
	}
	return "substring"
}

// Rule is one named set of forbidden tokens.
type Rule struct {
	ID         string
	Message    string
	Hint       string
	URL        string // a page that explains the rule: editors link it, SARIF's helpUri
	Severity   Severity
	Match      MatchMode
	IgnoreCase bool
	Tokens     []string
	Include    []string // narrows the rule set's scope; empty means everywhere in scope
	Exclude    []string
	Fix        map[string]string // token -> replacement
	// Allow lists plain strings: a match that lies inside an occurrence of
	// one of them on its line is no finding.
	Allow []string
	// Examples are snippets the rule must flag (Bad) and must not (Good),
	// checked by --test.
	Examples Examples
	// Sealed says the rule's debt reached zero and must stay there: a
	// baseline entry or an inline suppression for it is an error.
	Sealed bool
}

// Examples are a rule's test cases.
type Examples struct {
	Bad  []string
	Good []string
}

// Set is a whole configuration: a global scope and its rules.
type Set struct {
	Include []string // empty means every file
	Exclude []string
	Rules   []Rule
	// RequireReason makes a suppression without "-- reason" a finding.
	RequireReason bool
	// RequireUntil makes a suppression without "until=YYYY-MM-DD" a finding.
	RequireUntil bool
	// Today is the date (UTC, YYYY-MM-DD) that suppressions' until= dates
	// are judged against; a directive past its date suppresses nothing.
	// Empty: no directive has expired.
	Today string
	// StrictSuppressions makes unused suppressions errors, not warnings.
	StrictSuppressions bool
	// NotRun names the rules this run leaves out (--rule, --skip-rule): they
	// are never matched, and suppressions that name them are neither used
	// nor unused.
	NotRun map[string]bool
}
