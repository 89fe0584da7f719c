package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/tenantatlas/nolegacyruns"
	"github.com/tenantatlas/nolegacyruns/internal/pipeline"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
	"github.com/tenantatlas/nolegacyruns/pkg/term"
)

// fixed reports what --fix did (or, in a dry run, would do), then the
// findings left for a human.
func (c *command) fixed(ctx context.Context, r *pipeline.Run, x *pipeline.Fix, err error) outcome {
	if err != nil {
		if ctx.Err() != nil {
			c.errorf("interrupted; files already fixed stay fixed, the rest are untouched")
			return outcome{cancelled: true}
		}
		return fail(err)
	}
	nfixed, nfiles, skipped := 0, 0, 0
	for _, f := range x.Files {
		if f.Skipped != "" {
			c.errorf("%s: not fixed: %s", report.LogPath(f.Path), f.Skipped)
			skipped++
			continue
		}
		if x.DryRun {
			fmt.Fprint(c.env.Stdout, f.Diff)
		}
		nfiles++
		nfixed += len(f.Fixed)
	}
	verb := "fixed"
	if x.DryRun {
		verb = "would fix"
	}
	c.notef("%s %s in %s", verb, plural(nfixed, "finding", "findings"), plural(nfiles, "file", "files"))
	var out outcome
	if x.DryRun {
		// The diff is the output; the findings stay as they are.
		out = c.finish(r)
	} else {
		out = c.output(r)
	}
	out.unfixed = skipped
	return out
}

// initConfig writes a commented starter rule file.
func (c *command) initConfig() error {
	path := filepath.Join(c.env.Dir, config.FileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return &usageError{msg: fmt.Sprintf("%s already exists", config.FileName), hint: "edit it, or remove it to start over"}
	}
	if err != nil {
		return err
	}
	_, werr := f.WriteString(starter())
	if err := errors.Join(werr, f.Close()); err != nil {
		return err
	}
	c.notef("wrote %s: edit its rules, then run nolegacyruns", config.FileName)
	return nil
}

const starterHead = `# nolegacyruns rule file. nolegacyruns finds it in the current folder or
# above, and globs are relative to the folder it is in.
#
# version: 1 is the format; include/exclude are doublestar globs over
# slash paths ("vendor" and "vendor/**" both cover vendor/). Each rule has an
# id, a message that names the replacement, tokens, and optionally:
#   hint: what to do instead          severity: error | warning
#   match: substring | word | regex | term
#   case_sensitive: true | false      (not for term: terms ignore case)
#   (regex: RE2 expressions, matched per line, leftmost-longest;
#    term: a name in every spelling: InventorySyncRun also matches
#    inventory_sync_runs, inventory-sync-run, INVENTORY_SYNC_RUN, ...)
#   allow: [text, ...]                a match inside one of these is fine
#   include/exclude: narrow the rule  fix: {token: replacement} for --fix
#   examples: {bad: [...], good: [...]}  checked by nolegacyruns --test
#   sealed: true once its debt is zero: no baseline entry or suppression
# Suppress one line with a comment: nolegacyruns:ignore RULE -- reason
# (until=YYYY-MM-DD after RULE ends it); require_reason: true makes the
# "-- reason" mandatory, require_until: true the date.
#
# This template starts from the embedded TenantAtlas rules (spec 087).

`

// orList quotes words and joins them with commas and a final "or".
func orList(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = strconv.Quote(w)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// starter is the embedded rules with the template's header instead of theirs.
func starter() string {
	body := string(nolegacyruns.DefaultRules())
	if i := strings.Index(body, "version:"); i >= 0 {
		body = body[i:]
	}
	return starterHead + body
}

// explainRule prints one rule in full.
func (c *command) explainRule(cfg *config.Config, id string) error {
	all := append(append([]rules.Rule(nil), cfg.Rules.Rules...), scanner.BuiltinRules(cfg.Rules.StrictSuppressions)...)
	var ids []string
	for _, r := range all {
		ids = append(ids, r.ID)
		if r.ID != id {
			continue
		}
		// The rule file's text, a line at a time safe in a CI log.
		w := &strings.Builder{}
		fmt.Fprintf(w, "%s (%s)\n\n  %s\n", r.ID, r.Severity, r.Message)
		if r.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", r.Hint)
		}
		if r.URL != "" {
			fmt.Fprintf(w, "  more: %s\n", r.URL)
		}
		if len(r.Tokens) > 0 {
			mode := r.Match.String()
			if r.Match == rules.Term {
				mode += ", every spelling, ignoring case"
			} else if r.IgnoreCase {
				mode += ", ignoring case"
			} else {
				mode += ", case-sensitive"
			}
			fmt.Fprintf(w, "\nmatch: %s\ntokens:\n", mode)
			for _, t := range r.Tokens {
				fmt.Fprintf(w, "  %s\n", t)
				if r.Match == rules.Term {
					var sp []string
					for _, s := range term.Spellings(t) {
						sp = append(sp, term.Example(s))
					}
					fmt.Fprintf(w, "    spellings: %s\n", strings.Join(sp, ", "))
				}
				if r.Match == rules.Regex {
					if lits := scanner.RegexLiterals(t, r.IgnoreCase); len(lits) > 0 {
						fmt.Fprintf(w, "    read on lines that hold %s\n", orList(lits))
					} else {
						fmt.Fprintf(w, "    read on every line: no literal is required\n")
					}
				}
			}
			if len(r.Allow) > 0 {
				fmt.Fprintf(w, "allowed (a match inside one of these is no finding):\n")
				for _, a := range r.Allow {
					fmt.Fprintf(w, "  %s\n", a)
				}
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
		if ex := r.Examples; len(ex.Bad)+len(ex.Good) > 0 {
			fmt.Fprintf(w, "\nexamples (nolegacyruns --test):\n")
			for _, s := range ex.Bad {
				fmt.Fprintf(w, "  bad:  %s\n", exampleText(s))
			}
			for _, s := range ex.Good {
				fmt.Fprintf(w, "  good: %s\n", exampleText(s))
			}
		}
		fmt.Fprintf(w, "\nsuppress one line: // nolegacyruns:ignore %s -- reason\n", r.ID)
		fmt.Fprint(c.env.Stdout, report.LogLines(w.String()))
		return nil
	}
	return &usageError{msg: fmt.Sprintf("no rule %q in %s", id, cfg.Path), hint: "rules: " + strings.Join(ids, ", ")}
}

// exampleText shows an example as written, its further lines indented.
func exampleText(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n        ")
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
