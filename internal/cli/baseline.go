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
// each file renamed since the baseline was written to its new one, so
// that baseline entries follow their files: the renames of the commits
// since the last commit that changed the baseline file (name), of HEAD's
// first-parent history, commit by commit as --history finds them, then
// those of the index (--staged) or the work tree against HEAD. When that
// commit is unknown (git does not track the baseline, or a shallow clone
// lacks it) or the baseline has changed since HEAD, only the renames
// since HEAD count (since the merge base with --diff), as they did before.
// It asks git only when called, which the baseline does only when some
// finding is not recorded.
func (c *command) renames(ctx context.Context, root, name string, o *options) func() (map[string]string, error) {
	top, inGit := gitsrc.FindTop(root)
	if !inGit {
		return nil
	}
	return func() (map[string]string, error) {
		if c.listenNow != nil {
			c.listenNow() // git will run: a signal must stop it cleanly
		}
		_, err := gitsrc.ResolveCommit(ctx, top, "HEAD")
		born := err == nil
		if !born && o.diff == "" {
			return nil, nil // no commit yet: nothing was renamed
		}
		var drivers []string
		if repo, err := gitrepo.Open(top, c.gitEnv()); err == nil {
			drivers = gitsrc.FilterDrivers(repo.FilterKeys)
		}
		var m *gitsrc.RenameMap // the renames since the baseline's commit, to HEAD
		var cs []gitsrc.FileChange
		listed := false // cs are the changes since HEAD
		abs, err := filepath.Abs(name)
		if err != nil {
			return nil, err
		}
		if rel, err := filepath.Rel(top, abs); born && err == nil && filepath.IsLocal(rel) {
			rel = filepath.ToSlash(rel)
			since, ok, err := gitsrc.RenamesSince(ctx, top, "HEAD", rel)
			if err != nil {
				return nil, err
			}
			if ok {
				if cs, err = gitsrc.Changes(ctx, top, "HEAD", o.staged, drivers); err != nil {
					return nil, err
				}
				listed, m = true, since
				for _, ch := range cs {
					if ch.Path == rel || ch.OldPath == rel {
						m = nil // the baseline changed since HEAD: written now
					}
				}
			}
		}
		if m == nil {
			// The renames since HEAD, or since the merge base with --diff.
			m = gitsrc.NewRenameMap()
			if o.diff != "" {
				base, err := gitsrc.MergeBase(ctx, top, o.diff)
				if err != nil {
					return nil, err
				}
				if cs, err = gitsrc.Changes(ctx, top, base, o.staged, drivers); err != nil {
					return nil, err
				}
			} else if !listed {
				if cs, err = gitsrc.Changes(ctx, top, "HEAD", o.staged, drivers); err != nil {
					return nil, err
				}
			}
		}
		m.ApplyChanges(cs)
		prefix, err := filepath.Rel(top, root)
		if err != nil {
			return nil, err
		}
		return rootRelative(m.Map(), filepath.ToSlash(prefix)), nil
	}
}

// rootRelative keeps the renames of files under the root (prefix, relative
// to the top), root-relative.
func rootRelative(m map[string]string, prefix string) map[string]string {
	if prefix == "." || prefix == "" {
		return m
	}
	prefix += "/"
	out := map[string]string{}
	for old, to := range m {
		o, ok1 := strings.CutPrefix(old, prefix)
		n, ok2 := strings.CutPrefix(to, prefix)
		if ok1 && ok2 {
			out[o] = n
		}
	}
	return out
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
