package cli

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/tenantatlas/nolegacyruns/internal/pipeline"
	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/gitrepo"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// sealedRules says which rules the rule file seals; nil when none is.
func sealedRules(cfg *config.Config) func(string) bool {
	sealed := map[string]bool{}
	for _, r := range cfg.Rules.Rules {
		if r.Sealed {
			sealed[r.ID] = true
		}
	}
	if len(sealed) == 0 {
		return nil
	}
	return func(id string) bool { return sealed[id] }
}

// renames returns a function that maps, root-relative, the old path of
// each file the change renamed to its new one, so that baseline entries
// follow their files: the index against HEAD with --staged, the work tree
// against HEAD otherwise, against the merge base with --diff. It asks git
// only when called, which the baseline does only when some finding is not
// recorded while some entry is stale.
func (c *command) renames(ctx context.Context, root string, o *options, _ scanner.Source) func() (map[string]string, error) {
	top, inGit := gitsrc.FindTop(root)
	if !inGit {
		return nil
	}
	return func() (map[string]string, error) {
		if c.listenNow != nil {
			c.listenNow() // git will run: a signal must stop it cleanly
		}
		base := "HEAD"
		if o.diff != "" {
			b, err := gitsrc.MergeBase(ctx, top, o.diff)
			if err != nil {
				return nil, err
			}
			base = b
		} else if _, err := gitsrc.ResolveCommit(ctx, top, "HEAD"); err != nil {
			return nil, nil // no commit yet: nothing was renamed
		}
		var drivers []string
		if repo, err := gitrepo.Open(top, c.gitEnv()); err == nil {
			drivers = gitsrc.FilterDrivers(repo.FilterKeys)
		}
		cs, err := gitsrc.Changes(ctx, top, base, o.staged, drivers)
		if err != nil {
			return nil, err
		}
		prefix, err := filepath.Rel(top, root)
		if err != nil {
			return nil, err
		}
		prefix = filepath.ToSlash(prefix)
		if prefix == "." {
			prefix = ""
		} else {
			prefix += "/"
		}
		m := map[string]string{}
		for old, to := range gitsrc.Renames(cs) {
			o, ok1 := strings.CutPrefix(old, prefix)
			n, ok2 := strings.CutPrefix(to, prefix)
			if ok1 && ok2 {
				m[o] = n
			}
		}
		return m, nil
	}
}

// suggestSealing says which rules a full write or update left with no
// finding and no baseline entry, and suggests sealing them.
func (c *command) suggestSealing(r *pipeline.Run, b *baseline.File) {
	if b == nil {
		return
	}
	left := map[string]bool{}
	for _, f := range r.Findings {
		left[f.Rule.ID] = true
	}
	for _, e := range b.Entries {
		left[e.Rule] = true
	}
	var zero []string
	for _, rule := range c.rules {
		if !scanner.Reserved(rule.ID) && !rule.Sealed && !left[rule.ID] {
			zero = append(zero, rule.ID)
		}
	}
	if len(zero) == 0 {
		return
	}
	for _, id := range zero {
		c.notef("rule %s has no findings and no baseline entries left", id)
	}
	c.notice("seal them with sealed: true in the rule file, so that their debt stays at zero")
}
