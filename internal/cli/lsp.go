package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tenantatlas/nolegacyruns/internal/lsp"
	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

const lspUsage = `usage: nolegacyruns lsp [flags]

Speaks the Language Server Protocol on standard input and output, for
editors: the findings of each open document, as you type, for the rule file
in effect for its folder, with its fixes and a suppression as code actions.
It never writes a file. See the README for editor setup.

Flags:
  --config FILE     use this rule file for every document
  --baseline FILE   use this baseline (default: the rule file's baseline:, else
                    .nolegacyruns-baseline.json in the root if it exists)
  --no-baseline     use no baseline at all
  --strict          unused suppressions are errors, not warnings
`

// runLSP is `nolegacyruns lsp`: the language server on stdin and stdout.
func runLSP(ctx context.Context, args []string, env Env) int {
	c := &command{env: env}
	o := &c.opt
	fs := flag.NewFlagSet("nolegacyruns lsp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.config, "config", "", "")
	fs.StringVar(&o.baseline, "baseline", "", "")
	fs.BoolVar(&o.noBaseline, "no-baseline", false, "")
	fs.BoolVar(&o.strict, "strict", false, "")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(env.Stdout, lspUsage)
		return ExitClean
	case err != nil:
		c.report(&usageError{msg: "lsp: " + strings.TrimPrefix(err.Error(), "flag "), hint: "run nolegacyruns lsp --help for its flags"})
		return ExitTrouble
	case fs.NArg() > 0:
		c.report(&usageError{msg: fmt.Sprintf("lsp takes no paths, found %q", fs.Arg(0)), hint: "the editor names the files; to scan a folder named lsp, run nolegacyruns ./lsp"})
		return ExitTrouble
	}
	if o.config != "" {
		o.config = c.abs(o.config)
		if fi, err := os.Stat(o.config); err != nil || !fi.Mode().IsRegular() {
			c.report(&usageError{msg: fmt.Sprintf("rule file %s does not exist", c.display(o.config)), hint: "check the --config path, or leave --config out to use the rule file found from each document's folder"})
			return ExitTrouble
		}
	}
	if o.baseline != "" {
		o.baseline = c.abs(o.baseline)
	}
	return lsp.Serve(ctx, env.Stdin, env.Stdout, lsp.Options{Loader: newLSPLoader(env, *o), Stderr: env.Stderr, Version: Version(), Dir: env.Dir})
}

// lspLoader finds and loads rule files and baselines for the server with
// the command's own discovery, as a run in the document's folder would.
// The server keeps a setup per folder; their engines and baselines are
// shared here, so that a big baseline is held once, not once per folder.
type lspLoader struct {
	env       Env
	opt       options                             // --config, --baseline, --no-baseline, --strict, absolute
	engines   map[string]stamped[*scanner.Engine] // by rule file ("" the embedded rules)
	baselines map[string]stamped[*baseline.File]  // by path
}

// stamped is something loaded from a file, with the file's state then.
type stamped[T any] struct {
	fi os.FileInfo
	v  T
}

func newLSPLoader(env Env, o options) *lspLoader {
	return &lspLoader{env: env, opt: o, engines: map[string]stamped[*scanner.Engine]{}, baselines: map[string]stamped[*baseline.File]{}}
}

// unchanged reports whether a file is as it was when loaded.
func unchanged(before os.FileInfo, name string) bool {
	now, err := os.Stat(name)
	return err == nil && before != nil && os.SameFile(before, now) && before.Size() == now.Size() && before.ModTime().Equal(now.ModTime())
}

// stat is a file's state before it is loaded (nil when it cannot be had).
func stat(name string) os.FileInfo {
	fi, err := os.Stat(name)
	if err != nil {
		return nil
	}
	return fi
}

// Find implements lsp.Loader.
func (l *lspLoader) Find(dir string) (string, error) {
	if l.opt.config != "" {
		return l.opt.config, nil
	}
	return discover(dir)
}

// Load implements lsp.Loader.
func (l *lspLoader) Load(dir, ruleFile, base string) (*lsp.Setup, error) {
	env := l.env
	env.Dir = dir
	c := &command{env: env, opt: l.opt}
	c.opt.config = ruleFile // "": the embedded rules, as discovery found no file
	cfg, root, err := c.loadConfig()
	if err != nil {
		return nil, err
	}
	if _, inGit := gitsrc.FindTop(dir); ruleFile == "" && !inGit {
		root = base // a run outside git starts in the folder the editor opened
	}
	cfg.Rules.StrictSuppressions = l.opt.strict
	cfg.Rules.Today = time.Now().UTC().Format(time.DateOnly) // until= dates; as of the engine's compile
	eng := l.engines[ruleFile]
	if ruleFile != "" && !unchanged(eng.fi, ruleFile) || eng.v == nil {
		eng = stamped[*scanner.Engine]{fi: stat(ruleFile)}
		if eng.v, err = scanner.Compile(&cfg.Rules); err != nil {
			return nil, err
		}
		l.engines[ruleFile] = eng
	}
	set := &lsp.Setup{Engine: eng.v, Root: root, Skip: c.skips(cfg, root)}
	if ruleFile != "" {
		set.RuleFile = ruleFile
		set.Deps = append(set.Deps, ruleFile)
	}
	name := c.baselineFile(cfg, root)
	switch {
	case name != "":
		set.Deps = append(set.Deps, name)
		b := l.baselines[name]
		if !unchanged(b.fi, name) {
			b = stamped[*baseline.File]{fi: stat(name)}
			if b.v, err = baseline.Load(name); err != nil {
				// Named from the server's folder (the workspace), not the document's.
				return nil, (&command{env: l.env}).baselineError(err, name)
			}
			l.baselines[name] = b
		}
		set.Baseline = b.v
	case !l.opt.noBaseline:
		set.Deps = append(set.Deps, filepath.Join(root, baseline.DefaultFile)) // if it appears
	}
	return set, nil
}

// Reload implements lsp.Loader.
func (l *lspLoader) Reload() {
	clear(l.engines)
	clear(l.baselines)
}

// Explain implements lsp.Loader.
func (l *lspLoader) Explain(err error) string {
	var b bytes.Buffer
	env := l.env
	env.Stderr = &b
	c := &command{env: env}
	c.report(err)
	return b.String()
}
