package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tenantatlas/nolegacyruns"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/fix"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// fix rewrites fixable findings (or prints their diff), then reports what
// is left for a human.
func (c *command) fix(ctx context.Context, root string, rep *report.Report) (int, error) {
	files, err := fix.Apply(ctx, root, rep.Findings, c.opt.dryRun)
	if err != nil {
		if ctx.Err() != nil {
			c.errorf("interrupted; files already fixed stay fixed, the rest are untouched")
			return ExitInterrupt, nil
		}
		return ExitTrouble, err
	}
	fixed := map[string]bool{} // path:line:column of each rewritten finding
	nfixed, nfiles, skipped := 0, 0, 0
	for _, f := range files {
		if f.Skipped != "" {
			c.errorf("%s: not fixed: %s", report.QuotePath(f.Path), f.Skipped)
			skipped++
			continue
		}
		if c.opt.dryRun {
			fmt.Fprint(c.env.Stdout, f.Diff)
		}
		nfiles++
		for _, x := range f.Fixed {
			nfixed++
			fixed[fmt.Sprintf("%s:%d:%d", x.Path, x.Line, x.Column)] = true
		}
	}
	verb := "fixed"
	if c.opt.dryRun {
		verb = "would fix"
	} else {
		// What was rewritten is no longer a finding.
		left := rep.Findings[:0]
		for _, f := range rep.Findings {
			if !fixed[fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Column)] {
				left = append(left, f)
			}
		}
		rep.Findings = left
	}
	c.errorf("%s %s in %s", verb, plural(nfixed, "finding", "findings"), plural(nfiles, "file", "files"))
	if c.opt.dryRun {
		// The diff is the output; the findings stay as they are.
		n := rep.Count()
		if !c.opt.quiet {
			c.summary(rep, n)
		}
		if n.Errors > 0 || len(rep.Errors) > 0 {
			return ExitFindings, nil
		}
		return ExitClean, nil
	}
	code, err := c.output(rep)
	if skipped > 0 && code == ExitClean {
		code = ExitFindings
	}
	return code, err
}

// initConfig writes a commented starter rule file.
func (c *command) initConfig() (int, error) {
	path := filepath.Join(c.env.Dir, config.FileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return ExitTrouble, &usageError{msg: fmt.Sprintf("%s already exists", config.FileName), hint: "edit it, or remove it to start over"}
	}
	if err != nil {
		return ExitTrouble, err
	}
	_, werr := f.WriteString(starter())
	if err := errors.Join(werr, f.Close()); err != nil {
		return ExitTrouble, err
	}
	c.errorf("wrote %s: edit its rules, then run nolegacyruns", config.FileName)
	return ExitClean, nil
}

const starterHead = `# nolegacyruns rule file. nolegacyruns finds it in the current folder or
# above, and globs are relative to the folder it is in.
#
# version: 1 is the format; include/exclude are doublestar globs over
# slash paths ("vendor" and "vendor/**" both cover vendor/). Each rule has an
# id, a message that names the replacement, tokens, and optionally:
#   hint: what to do instead          severity: error | warning
#   match: substring | word           case_sensitive: true | false
#   include/exclude: narrow the rule  fix: {token: replacement} for --fix
# Suppress one line with a comment: nolegacyruns:ignore RULE -- reason
# require_reason: true makes the "-- reason" mandatory.
#
# This template starts from the embedded TenantAtlas rules (spec 087).

`

// starter is the embedded rules with the template's header instead of theirs.
func starter() string {
	body := string(nolegacyruns.DefaultRules())
	if i := strings.Index(body, "version:"); i >= 0 {
		body = body[i:]
	}
	return starterHead + body
}

// explainRule prints one rule in full.
func (c *command) explainRule(cfg *config.Config, id string) (int, error) {
	rules := append(append([]rules.Rule(nil), cfg.Rules.Rules...), scanner.BuiltinRules(cfg.Rules.StrictSuppressions)...)
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
		if r.ID != id {
			continue
		}
		w := c.env.Stdout
		fmt.Fprintf(w, "%s (%s)\n\n  %s\n", r.ID, r.Severity, r.Message)
		if r.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", r.Hint)
		}
		if len(r.Tokens) > 0 {
			mode := r.Match.String()
			if r.IgnoreCase {
				mode += ", ignoring case"
			} else {
				mode += ", case-sensitive"
			}
			fmt.Fprintf(w, "\nmatch: %s\ntokens:\n", mode)
			for _, t := range r.Tokens {
				fmt.Fprintf(w, "  %s\n", t)
			}
			fmt.Fprintf(w, "\nscope: %s\n", scopeText(cfg.Rules.Include, cfg.Rules.Exclude, r.Include, r.Exclude))
		} else {
			fmt.Fprintf(w, "\nbuilt in: reported about nolegacyruns:ignore comments themselves\n")
		}
		if len(r.Fix) > 0 {
			keys := make([]string, 0, len(r.Fix))
			for k := range r.Fix {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintf(w, "\nfixes (nolegacyruns --fix):\n")
			for _, k := range keys {
				fmt.Fprintf(w, "  %s -> %s\n", k, r.Fix[k])
			}
		}
		fmt.Fprintf(w, "\nsuppress one line: // nolegacyruns:ignore %s -- reason\n", r.ID)
		return ExitClean, nil
	}
	return ExitTrouble, &usageError{msg: fmt.Sprintf("no rule %q in %s", id, cfg.Path), hint: "rules: " + strings.Join(ids, ", ")}
}

func scopeText(inc, exc, rinc, rexc []string) string {
	s := "files matching " + strings.Join(inc, ", ")
	if len(rinc) > 0 {
		s += ", narrowed to " + strings.Join(rinc, ", ")
	}
	if all := append(append([]string(nil), exc...), rexc...); len(all) > 0 {
		s += "; not " + strings.Join(all, ", ")
	}
	return s
}
