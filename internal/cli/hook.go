package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
)

// hookScript runs the guard that installed it, found by the path it was
// installed from, then on PATH: git GUIs run hooks with a minimal PATH.
func hookScript(self string) string {
	return `#!/bin/sh
# Installed by nolegacyruns --install-hook: check what is about to be committed.
# Skip once with: git commit --no-verify
guard=` + shellQuote(self) + `
if [ -x "$guard" ]; then exec "$guard" --staged; fi
if command -v nolegacyruns >/dev/null 2>&1; then exec nolegacyruns --staged; fi
echo "nolegacyruns: the pre-commit hook cannot find nolegacyruns at $guard or on PATH" >&2
echo "hint: install it (go install github.com/tenantatlas/nolegacyruns/cmd/nolegacyruns@latest), then run nolegacyruns --install-hook --force; skip once with git commit --no-verify" >&2
exit 2
`
}

// shellQuote quotes s for sh: inside single quotes nothing is special.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// selfPath is the absolute path this program was run as, without resolving
// symlinks (a versioned install keeps its stable link), or "" if unknown.
func (c *command) selfPath() string {
	p := c.env.Self
	if p == "" {
		return ""
	}
	if !strings.ContainsRune(p, filepath.Separator) {
		lp, err := exec.LookPath(p)
		if err != nil {
			return ""
		}
		p = lp
	}
	return c.abs(p)
}

// installHook writes the pre-commit hook where git will look for it,
// honouring core.hooksPath.
func (c *command) installHook(ctx context.Context) error {
	top, ok := gitsrc.FindTop(c.env.Dir)
	if !ok {
		return &usageError{msg: "--install-hook needs a git repository, and this folder is not in one", hint: "run it inside your repository"}
	}
	dir, err := gitsrc.HooksDir(ctx, top)
	if err != nil {
		return err
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(top, dir)
	}
	path := filepath.Join(dir, "pre-commit")
	if _, err := os.Lstat(path); err == nil && !c.opt.force {
		return &usageError{msg: fmt.Sprintf("%s already exists", path), hint: "add `nolegacyruns --staged` to it by hand, or pass --force to replace it"}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".pre-commit-*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(hookScript(c.selfPath()))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o755)); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	rel, err := filepath.Rel(c.env.Dir, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = path
	}
	c.notef("installed the pre-commit hook in %s", filepath.ToSlash(rel))
	return nil
}
