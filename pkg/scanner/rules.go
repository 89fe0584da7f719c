// Package scanner finds forbidden tokens in a tree of files and reports them with their position.
package scanner

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/term"
)

// Engine is a compiled, immutable rule set; it is safe for concurrent use.
type Engine struct {
	rules         []rules.Rule // the rule set's, then the built-in ones
	user          int          // how many of rules come from the rule set
	m             *matcher
	sc            *scope
	requireReason bool
	requireUntil  bool
	today         string          // YYYY-MM-DD, UTC: suppressions until before it have expired
	notRun        map[string]bool // rules this run leaves out
}

// Rules returns the compiled rules in configuration order, then the
// built-in unused-suppression and invalid-suppression rules.
func (e *Engine) Rules() []rules.Rule { return e.rules }

// Compile validates a rule set and builds its matcher.
func Compile(rs *rules.Set) (*Engine, error) {
	if err := Validate(rs); err != nil {
		return nil, err
	}
	all := append(append([]rules.Rule(nil), rs.Rules...), BuiltinRules(rs.StrictSuppressions)...)
	return &Engine{rules: all, user: len(rs.Rules), m: newMatcher(all, true, rs.NotRun), sc: newScope(rs),
		requireReason: rs.RequireReason, requireUntil: rs.RequireUntil, today: rs.Today, notRun: rs.NotRun}, nil
}

// Validate reports why a rule set cannot be compiled, or nil, without
// building its matcher.
func Validate(rs *rules.Set) error {
	if len(rs.Rules) == 0 {
		return errors.New("no rules")
	}
	if err := checkGlobs(rs.Include); err != nil {
		return err
	}
	if err := checkGlobs(rs.Exclude); err != nil {
		return err
	}
	seen := make(map[string]bool, len(rs.Rules))
	for i := range rs.Rules {
		r := &rs.Rules[i]
		if seen[r.ID] {
			return fmt.Errorf("rule %q: duplicate id", r.ID)
		}
		if Reserved(r.ID) {
			return fmt.Errorf("rule %q: the id is reserved for a built-in rule", r.ID)
		}
		seen[r.ID] = true
		if len(r.Tokens) == 0 {
			return fmt.Errorf("rule %q: no tokens", r.ID)
		}
		for _, t := range r.Tokens {
			if err := CheckRuleToken(r, t); err != nil {
				return fmt.Errorf("rule %q: %v", r.ID, err)
			}
		}
		if r.Match == rules.Regex && len(r.Fix) > 0 {
			return fmt.Errorf("rule %q: %s", r.ID, ErrRegexFix)
		}
		for _, a := range r.Allow {
			if err := CheckAllow(a); err != nil {
				return fmt.Errorf("rule %q: %v", r.ID, err)
			}
		}
		if err := checkGlobs(r.Include); err != nil {
			return fmt.Errorf("rule %q: %v", r.ID, err)
		}
		if err := checkGlobs(r.Exclude); err != nil {
			return fmt.Errorf("rule %q: %v", r.ID, err)
		}
	}
	return nil
}

// ErrRegexFix says why a regex rule cannot have a fix.
const ErrRegexFix = "fix: is not supported with match: regex, whose matches are not fixed strings; remove fix: or list the spellings as tokens of a substring or word rule"

// CheckRuleToken reports why a token cannot be matched in its rule's mode, or nil.
func CheckRuleToken(r *rules.Rule, t string) error {
	if r.Match == rules.Regex {
		if t == "" {
			return errors.New("empty token")
		}
		return CheckRegex(t, r.IgnoreCase)
	}
	if r.Match == rules.Term {
		if err := CheckToken(t, true); err != nil {
			return err
		}
		if len(term.Words(t)) == 0 {
			return fmt.Errorf("term %q has no letter or digit, so it names no words", t)
		}
		return nil
	}
	return CheckToken(t, r.IgnoreCase)
}

// CheckToken reports why a token cannot be matched, or nil.
func CheckToken(t string, ignoreCase bool) error {
	switch {
	case t == "":
		return errors.New("empty token")
	case strings.ContainsAny(t, "\n\r"):
		return fmt.Errorf("token %q contains a line break", t)
	case !utf8.ValidString(t):
		return fmt.Errorf("token %q is not valid UTF-8", t)
	case ignoreCase && strings.ContainsRune(t, utf8.RuneError):
		return fmt.Errorf("token %q contains U+FFFD, which cannot be matched without case", t)
	}
	return nil
}

// maxAllow is the longest allow string: deciding a match reads that far
// around it.
const maxAllow = 1024

// CheckAllow reports why an allow string cannot be used, or nil.
func CheckAllow(a string) error {
	switch {
	case a == "":
		return errors.New("empty allow string")
	case strings.ContainsAny(a, "\n\r"):
		return fmt.Errorf("allow string %q contains a line break", a)
	case len(a) > maxAllow:
		return fmt.Errorf("allow string %.20q… is longer than %d bytes", a, maxAllow)
	}
	return nil
}

func checkGlobs(globs []string) error {
	for _, g := range globs {
		if err := CheckGlob(g); err != nil {
			return err
		}
	}
	return nil
}

// CheckGlob reports why a glob is unusable, or nil.
func CheckGlob(g string) error {
	switch {
	case g == "":
		return errors.New("empty glob")
	case strings.HasPrefix(g, "/") || (len(g) > 1 && g[1] == ':'):
		return fmt.Errorf("glob %q is absolute; globs are slash paths relative to the root", g)
	case strings.Contains(g, "\\"):
		return fmt.Errorf("glob %q contains a backslash; use forward slashes", g)
	case !doublestar.ValidatePattern(g):
		return fmt.Errorf("glob %q is not a valid pattern", g)
	}
	for _, seg := range strings.Split(g, "/") {
		if seg == ".." {
			return fmt.Errorf("glob %q climbs out of the root with ..", g)
		}
	}
	if path.Clean(g) != g {
		return fmt.Errorf("glob %q is not clean; write %q", g, path.Clean(g))
	}
	return nil
}
