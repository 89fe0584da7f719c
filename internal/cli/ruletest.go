package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// examples is a scanner source of a rule's example snippets, as files
// named bad/N and good/N.
type examples map[string]string

func (x examples) List(_ context.Context, add func([]scanner.Entry)) error {
	var es []scanner.Entry
	for p := range x {
		es = append(es, scanner.Entry{Path: p, Regular: true})
	}
	add(es)
	return nil
}

func (x examples) Open(p string) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader(x[p])), nil
}

// testRules checks every example of the rules that run (--test): each bad
// one must yield a finding of its rule, each good one none. It prints one
// line per rule, as go test does per package, with each failing example
// after a FAIL, and fails the outcome's exit status with 1 on a failure.
func (c *command) testRules(ctx context.Context, cfg *config.Config) outcome {
	w := c.env.Stdout
	failed, tested := 0, 0
	for _, r := range cfg.Rules.Rules {
		if cfg.Rules.NotRun[r.ID] {
			continue
		}
		n := len(r.Examples.Bad) + len(r.Examples.Good)
		if n == 0 {
			fmt.Fprintf(w, "?   \t%s\t[no examples]\n", r.ID)
			continue
		}
		tested++
		problems, err := c.testRule(ctx, r, cfg.Rules.Today)
		if err != nil {
			return fail(err)
		}
		if len(problems) == 0 {
			fmt.Fprintf(w, "ok  \t%s\t%s\n", r.ID, plural(n, "example", "examples"))
			continue
		}
		failed++
		// An example is the rule file's text: quoted, and safe in a CI log.
		fmt.Fprintf(w, "FAIL\t%s\t%s\n", r.ID, report.LogSafe(problems[0]))
		for _, p := range problems[1:] {
			fmt.Fprintf(w, "    \t%s\t%s\n", strings.Repeat(" ", len(r.ID)), report.LogSafe(p))
		}
	}
	if tested == 0 {
		c.notice("no rule has examples: add examples: {bad: [...], good: [...]} to a rule")
	}
	if failed > 0 {
		c.errorf("%s of %s failed", plural(failed, "rule", "rules"), plural(tested, "tested rule", "tested rules"))
		c.hint("make each bad example hold a match of its rule and each good one none, or fix the rule")
		return outcome{counts: result.Counts{Errors: failed}}
	}
	return outcome{}
}

// testRule runs one rule, out of the rule file's scope, on its examples and
// describes each example that fails. today dates suppressions' until=, as
// in a run.
func (c *command) testRule(ctx context.Context, r rules.Rule, today string) ([]string, error) {
	r.Include, r.Exclude = nil, nil
	eng, err := scanner.Compile(&rules.Set{Include: []string{"**"}, Rules: []rules.Rule{r}, Today: today})
	if err != nil {
		return nil, err
	}
	src := examples{}
	for i, s := range r.Examples.Bad {
		src[fmt.Sprintf("bad/%d", i+1)] = s
	}
	for i, s := range r.Examples.Good {
		src[fmt.Sprintf("good/%d", i+1)] = s
	}
	res, err := eng.Scan(ctx, scanner.Options{Root: c.env.Dir, Source: src, Workers: 1})
	if err != nil {
		return nil, err
	}
	for _, fe := range res.Errors {
		return nil, fmt.Errorf("example %s of rule %q: %v", fe.Path, r.ID, fe.Err)
	}
	found := map[string][]*result.Finding{}
	for _, f := range res.Findings {
		if f.Rule.ID == r.ID && f.Suppression == nil {
			found[f.Path] = append(found[f.Path], f)
		}
	}
	var out []string
	// A binary file is never searched: such an example says nothing.
	const binary = "a NUL byte in its first 8 KiB makes it a binary file, which the guard never searches"
	for i, s := range r.Examples.Bad {
		if scanner.Binary([]byte(s)) {
			out = append(out, fmt.Sprintf("bad example %d %s: %s", i+1, snippet(s), binary))
		} else if len(found[fmt.Sprintf("bad/%d", i+1)]) == 0 {
			out = append(out, fmt.Sprintf("bad example %d %s: no finding", i+1, snippet(s)))
		}
	}
	for i, s := range r.Examples.Good {
		if scanner.Binary([]byte(s)) {
			out = append(out, fmt.Sprintf("good example %d %s: %s", i+1, snippet(s), binary))
		}
		for _, f := range found[fmt.Sprintf("good/%d", i+1)] {
			out = append(out, fmt.Sprintf("good example %d %s: flagged %q at %d:%d", i+1, snippet(s), f.Match, f.Line, f.Column))
		}
	}
	return out, nil
}

// snippet quotes an example on one line, cut if long.
func snippet(s string) string {
	const max = 60
	if len(s) > max {
		cut := max
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
