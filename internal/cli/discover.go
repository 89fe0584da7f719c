package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
)

// loadConfig finds the rule file and the root.
func (c *command) loadConfig() (*config.Config, string, error) {
	o := &c.opt
	var cfg *config.Config
	var err error
	name := o.config
	if name == "" {
		var err error
		if name, err = discover(c.env.Dir); err != nil {
			return nil, "", err
		}
	}
	if name != "" {
		cfg, err = config.Load(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, "", &usageError{msg: fmt.Sprintf("rule file %s does not exist", name), hint: "check the --config path, or leave --config out to use the embedded rules"}
			}
			if errors.Is(err, fileio.ErrNotRegular) {
				return nil, "", &usageError{msg: fmt.Sprintf("cannot read the rule file %s: %v", name, errors.Unwrap(err)), hint: "give --config a rule file, or leave --config out to use the embedded rules"}
			}
			return nil, "", err
		}
	} else {
		cfg = defaultConfig() // rules.yaml, parsed at build time: see defaults.go
	}
	var root string
	switch {
	case o.root != "":
		root = c.abs(o.root)
		fi, err := os.Stat(root)
		if err != nil || !fi.IsDir() {
			return nil, "", &usageError{msg: fmt.Sprintf("root %s is not a folder", o.root), hint: "give --root an existing folder"}
		}
	case name != "":
		root = filepath.Dir(c.abs(name))
	default:
		if top, ok := gitsrc.FindTop(c.env.Dir); ok {
			root = top
		} else {
			root = c.env.Dir
		}
	}
	return cfg, root, nil
}

// discover finds the rule file from dir upwards, stopping at the top of
// the git work tree dir is in: a stray rule file in a home folder must not
// take over a repository's scan.
func discover(dir string) (string, error) {
	top, inGit := gitsrc.FindTop(dir)
	for d := dir; ; {
		var found []string
		for _, n := range []string{config.FileName, config.AltFileName} {
			p := filepath.Join(d, n)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				found = append(found, p)
			}
		}
		switch len(found) {
		case 2:
			return "", &usageError{msg: fmt.Sprintf("both %s and %s are in %s", config.FileName, config.AltFileName, d),
				hint: fmt.Sprintf("keep one of them (%s is the usual name), or pass --config", config.FileName)}
		case 1:
			return found[0], nil
		}
		parent := filepath.Dir(d)
		if parent == d || (inGit && d == top) {
			return "", nil
		}
		d = parent
	}
}

// baselineFile is the baseline in effect: --baseline, the rule file's
// baseline:, or the default file if it exists in the root.
func (c *command) baselineFile(cfg *config.Config, root string) string {
	switch {
	case c.opt.noBaseline:
		return ""
	case c.opt.baseline != "":
		return c.abs(c.opt.baseline)
	case cfg.Baseline != "":
		if filepath.IsAbs(cfg.Baseline) {
			return cfg.Baseline
		}
		return filepath.Join(filepath.Dir(c.abs(cfg.Path)), cfg.Baseline)
	}
	def := filepath.Join(root, baseline.DefaultFile)
	if _, err := os.Stat(def); err == nil {
		return def
	}
	return ""
}
