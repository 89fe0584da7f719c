package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
)

const hookScript = `#!/bin/sh
# Installed by nolegacyruns --install-hook: check what is about to be committed.
# Skip once with: git commit --no-verify
exec nolegacyruns --staged
`

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
	_, werr := tmp.WriteString(hookScript)
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
