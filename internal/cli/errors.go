package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tenantatlas/nolegacyruns/internal/pipeline"
	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
)

// usageError is a mistake in the command line: exit 2 with a hint.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

// errorf prints one message in the house style. Every message is one
// line that GitHub's runner reads no workflow command in, whatever path,
// git output or rule file text it holds (report.LogSafe): it starts with
// our prefix, and its line breaks and ##[ are escaped.
func (c *command) errorf(format string, args ...any) {
	fmt.Fprintf(c.env.Stderr, "nolegacyruns: %s\n", report.LogSafe(fmt.Sprintf(format, args...)))
}

func (c *command) hint(format string, args ...any) {
	fmt.Fprintf(c.env.Stderr, "hint: %s\n", report.LogSafe(fmt.Sprintf(format, args...)))
}

// notef prints a message that is not an error: -q silences it.
func (c *command) notef(format string, args ...any) {
	if !c.opt.quiet {
		c.errorf(format, args...)
	}
}

// notice prints a hint that is not about an error: -q silences it.
func (c *command) notice(format string, args ...any) {
	if !c.opt.quiet {
		c.hint(format, args...)
	}
}

func (c *command) report(err error) {
	var ue *usageError
	var ce *config.Error
	var ge *gitsrc.Error
	var be *gitsrc.BaseError
	var ble *baseline.Error
	var me *gitsrc.MissingObjectError
	switch {
	case errors.As(err, &ue):
		c.errorf("%s", ue.msg)
		c.hint("%s", ue.hint)
	case errors.As(err, &ce):
		c.errorf("%v", err)
		c.hint("fix the rule file; see the rule file section of the README, or run nolegacyruns --init for a template")
	case errors.As(err, &ble) && ble.Msg == baseline.ConflictMarkers:
		c.errorf("%v", err)
		c.hint("keep the lines of both sides, delete the marker lines, then run nolegacyruns --update-baseline (or set merge=union for the file in .gitattributes)")
	case errors.As(err, &ble) && strings.Contains(ble.Msg, "sealed"):
		c.errorf("%v", err)
		c.hint("remove the entry and fix its finding, or remove sealed: true from the rule")
	case errors.As(err, &ble):
		c.errorf("%v", err)
		c.hint("write the baseline again with --write-baseline, or pass --baseline with the right file")
	case errors.Is(err, pipeline.ErrIncomplete):
		c.errorf("%v", err)
		c.hint("fix their permissions or exclude them, then write the baseline again")
	case errors.As(err, &be):
		c.errorf("%v", err)
		c.hint("in CI, fetch the full history (actions/checkout with fetch-depth: 0, or GIT_DEPTH: 0 on GitLab) and pass a ref that exists, like origin/main")
	case errors.As(err, &me):
		c.errorf("%v", err)
		c.hint("this is a partial clone (git clone --filter): fetch what the diff needs first, with git diff --stat REF, or clone without --filter (actions/checkout: leave filter unset)")
	case errors.As(err, &ge):
		c.errorf("%v", err)
		c.hint("run inside a working git checkout, or pass --no-gitignore to walk the folder without git")
	case errors.Is(err, context.Canceled):
		c.errorf("interrupted")
	default:
		c.errorf("%v", err)
		c.hint("check the file or folder named above, then run again")
	}
}

// display shortens an absolute path to one relative to the current folder,
// when it is inside it.
func (c *command) display(p string) string {
	if r, err := filepath.Rel(c.env.Dir, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

func (c *command) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(c.env.Dir, p)
}

// rel turns a command-line path into a root-relative slash path.
func (c *command) rel(root, p string) (string, error) {
	r, err := filepath.Rel(root, c.abs(p))
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", &usageError{msg: fmt.Sprintf("%s is outside the root %s", p, root), hint: "pass paths inside the root, or set --root"}
	}
	if r == "." {
		r = ""
	}
	return filepath.ToSlash(r), nil
}
