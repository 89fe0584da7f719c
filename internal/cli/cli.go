// Package cli turns command-line flags into a scan and its reports; only this layer knows about stdio, flags and exit codes.
package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/tenantatlas/nolegacyruns"
	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// Exit codes.
const (
	ExitClean     = 0   // no error-severity finding
	ExitFindings  = 1   // at least one error-severity finding
	ExitTrouble   = 2   // usage, configuration, git or read error
	ExitInterrupt = 130 // stopped by SIGINT or SIGTERM
)

// Env is the outside world as the command sees it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Dir            string // current directory
	IsTerminal     bool   // stdout is a terminal
}

// Main runs the command with the process's own arguments and stdio.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, _ := os.Getwd()
	env := Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Dir: dir}
	if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		env.IsTerminal = true
	}
	return Run(ctx, os.Args[1:], env)
}

// Version is the module version the binary was built from.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

const defaultName = "(default)"

// usageError is a mistake in the command line: exit 2 with a hint.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

type options struct {
	config      string
	root        string
	jobs        int
	format      string
	color       string
	noGitignore bool
	listRules   bool
	version     bool
	quiet       bool
	staged      bool
	diff        string
	reports     []reportSpec
	installHook bool
	force       bool
	baseline    string
	writeBase   string
	strict      bool
	fix         bool
	dryRun      bool
	init        bool
	explain     string
	pathPrefix  string
	paths       []string
}

// reportSpec is one --report FORMAT=FILE.
type reportSpec struct{ format, file string }

// reportFlag collects repeated --report values.
type reportFlag struct{ o *options }

func (r reportFlag) String() string { return "" }

func (r reportFlag) Set(v string) error {
	format, file, ok := strings.Cut(v, "=")
	if !ok || file == "" {
		return fmt.Errorf("want FORMAT=FILE, like sarif=results.sarif")
	}
	if _, ok := report.Lookup(format); !ok {
		return fmt.Errorf("unknown format %q (use one of %s)", format, report.Names())
	}
	r.o.reports = append(r.o.reports, reportSpec{format, file})
	return nil
}

const usageHead = `usage: nolegacyruns [flags] [path ...]

nolegacyruns fails when a forbidden token from its rule file appears in the
files it scans, and prints each one as path:line:column.

Rule file: --config FILE, or .nolegacyruns.yaml in the current folder or
above it; without one, the embedded TenantAtlas rules (spec 087) apply.
Root: --root DIR, or the rule file's folder, or the git work tree, or the
current folder. Paths narrow the scan; the rule file's globs still apply.

Exit status: 0 no error finding, 1 error findings, 2 usage, config, git or
read error, 130 interrupted.

Examples:
  nolegacyruns                          scan the repository you are in
  nolegacyruns app/Models               scan one folder
  nolegacyruns --config rules.yaml .    use your own rules
  nolegacyruns --format json > out.json
  nolegacyruns --list-rules             show the rules in effect
  nolegacyruns --staged                 check what is about to be committed
  nolegacyruns --diff origin/main --report sarif=results.sarif
                                        a pull request: new findings only, plus SARIF
  nolegacyruns --install-hook           run --staged before every commit
  nolegacyruns --write-baseline .nolegacyruns-baseline.json
                                        accept today's findings; only new ones fail
  nolegacyruns --fix --dry-run          show the mechanical fixes as a diff
  nolegacyruns --explain legacy-run-types

Flags:
`

func newFlags(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("nolegacyruns", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.config, "config", "", "rule `file` (default: .nolegacyruns.yaml found upwards, else the embedded rules)")
	fs.StringVar(&o.root, "root", "", "`dir` that paths and globs are relative to")
	fs.IntVar(&o.jobs, "j", 0, "number of CPUs to search with, each keeping a few reads in flight (default: the number of CPUs)")
	fs.StringVar(&o.format, "format", "text", "output `format`: "+report.Names())
	fs.StringVar(&o.color, "color", "auto", "colour the text output `when`: auto, always or never (NO_COLOR turns auto off)")
	fs.BoolVar(&o.noGitignore, "no-gitignore", false, "scan files that git ignores too")
	fs.BoolVar(&o.listRules, "list-rules", false, "print the rules in effect and exit")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.quiet, "q", false, "no summary line on stderr")
	fs.BoolVar(&o.staged, "staged", false, "scan the staged contents of the files about to be committed, from the git index")
	fs.StringVar(&o.diff, "diff", "", "report only findings on lines added or changed since the merge base of `ref` and HEAD")
	fs.Var(reportFlag{o}, "report", "also write a report to a file: `format=file` (repeatable), e.g. sarif=results.sarif")
	fs.BoolVar(&o.installHook, "install-hook", false, "write a git pre-commit hook that runs nolegacyruns --staged, and exit")
	fs.BoolVar(&o.force, "force", false, "with --install-hook: replace an existing hook")
	fs.StringVar(&o.baseline, "baseline", "", "report only findings not recorded in this baseline `file` (default: the rule file's baseline:, else "+baseline.DefaultFile+" in the root if it exists)")
	fs.StringVar(&o.writeBase, "write-baseline", "", "record the current findings in `file` and exit 0; writing again prunes stale entries")
	fs.BoolVar(&o.strict, "strict", false, "make unused suppressions errors, not warnings")
	fs.BoolVar(&o.fix, "fix", false, "rewrite findings whose rule has a fix: for their token, in place")
	fs.BoolVar(&o.dryRun, "dry-run", false, "with --fix: print a unified diff and change nothing")
	fs.BoolVar(&o.init, "init", false, "write a commented starter "+config.FileName+" in the current folder, and exit")
	fs.StringVar(&o.pathPrefix, "path-prefix", "", "put `prefix` before every path in the reports, as golangci-lint does (for a --root below the repository, in CI annotations)")
	fs.StringVar(&o.explain, "explain", "", "print a `rule`'s message, hint, tokens, match mode, scope and fixes, and exit")
	return fs
}

func printUsage(w io.Writer) {
	var o options
	fs := newFlags(&o)
	fmt.Fprint(w, usageHead)
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		name, usage := flag.UnquoteUsage(f)
		if name == "int" {
			name = "N"
		}
		head := strings.TrimSpace(dash + f.Name + " " + name)
		if name == "" {
			head = dash + f.Name
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "  %s\n      %s\n", head, usage)
	})
	fmt.Fprintln(w, "\nFormats:")
	for _, s := range report.Formats() {
		fmt.Fprintf(w, "  %-11s %s\n", s.Name, s.Help)
	}
}

// Run is the whole command; it returns the exit status.
func Run(ctx context.Context, args []string, env Env) int {
	c := &command{env: env, start: time.Now()}
	code, err := c.run(ctx, args)
	if err != nil {
		c.report(err)
		if code == ExitClean || code == ExitFindings {
			code = ExitTrouble
		}
	}
	return code
}

type command struct {
	env   Env
	opt   options
	start time.Time
}

// errorf prints one message in the house style.
func (c *command) errorf(format string, args ...any) {
	fmt.Fprintf(c.env.Stderr, "nolegacyruns: "+format+"\n", args...)
}

func (c *command) hint(format string, args ...any) {
	fmt.Fprintf(c.env.Stderr, "hint: "+format+"\n", args...)
}

func (c *command) report(err error) {
	var ue *usageError
	var ce *config.Error
	var ge *gitsrc.Error
	var be *gitsrc.BaseError
	var ble *baseline.Error
	switch {
	case errors.As(err, &ue):
		c.errorf("%s", ue.msg)
		c.hint("%s", ue.hint)
	case errors.As(err, &ce):
		c.errorf("%v", err)
		c.hint("fix the rule file; see the rule file section of the README, or run nolegacyruns --init for a template")
	case errors.As(err, &ble):
		c.errorf("%v", err)
		c.hint("write the baseline again with --write-baseline, or pass --baseline with the right file")
	case errors.As(err, &be):
		c.errorf("%v", err)
		c.hint("in CI, fetch the full history (actions/checkout with fetch-depth: 0, or GIT_DEPTH: 0 on GitLab) and pass a ref that exists, like origin/main")
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

func (c *command) run(ctx context.Context, args []string) (int, error) {
	o := &c.opt
	fs := newFlags(o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(c.env.Stdout)
			return ExitClean, nil
		}
		return ExitTrouble, &usageError{msg: strings.TrimPrefix(err.Error(), "flag "), hint: "run nolegacyruns --help for the list of flags"}
	}
	o.paths = fs.Args()
	if o.version {
		fmt.Fprintf(c.env.Stdout, "nolegacyruns %s\n", Version())
		return ExitClean, nil
	}
	if _, ok := report.Lookup(o.format); !ok {
		return ExitTrouble, &usageError{msg: fmt.Sprintf("unknown format %q", o.format), hint: "use one of " + report.Names()}
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return ExitTrouble, &usageError{msg: fmt.Sprintf("unknown --color %q", o.color), hint: "use auto, always or never"}
	}
	if o.jobs < 0 {
		return ExitTrouble, &usageError{msg: fmt.Sprintf("-j %d is negative", o.jobs), hint: "give -j the number of CPUs to use, or leave it out"}
	}
	if o.installHook {
		return c.installHook(ctx)
	}
	if o.init {
		return c.initConfig()
	}
	if err := c.checkModes(); err != nil {
		return ExitTrouble, err
	}
	cfg, root, err := c.loadConfig()
	if err != nil {
		return ExitTrouble, err
	}
	cfg.Rules.StrictSuppressions = o.strict
	if o.explain != "" {
		return c.explainRule(cfg, o.explain)
	}
	if o.listRules {
		fmt.Fprintf(c.env.Stdout, "# rule file: %s\n# root: %s\n%s", cfg.Path, root, config.Describe(&cfg.Rules))
		return ExitClean, nil
	}
	eng, err := scanner.Compile(&cfg.Rules)
	if err != nil {
		return ExitTrouble, err
	}
	sopt, keep, err := c.sources(ctx, root, cfg.Rules.Include)
	if err != nil {
		return ExitTrouble, err
	}
	if o.jobs > 0 {
		// -j N uses N CPUs; each keeps four reads in flight, so that blocking
		// reads overlap (about 8% faster than one read per CPU, measured).
		runtime.GOMAXPROCS(o.jobs)
		sopt.Workers = 4 * o.jobs
	}
	if cfg.Path != defaultName {
		if r, err := c.rel(root, cfg.Path); err == nil {
			sopt.Skip = append(sopt.Skip, r) // the rule file lists every token
		}
	}
	for _, b := range []string{c.baselineFile(cfg, root), o.writeBase} {
		if b != "" {
			if r, err := c.rel(root, b); err == nil {
				sopt.Skip = append(sopt.Skip, r) // and so does the baseline
			}
		}
	}
	res, err := eng.Scan(ctx, sopt)
	if err != nil {
		if ctx.Err() != nil {
			c.errorf("interrupted")
			return ExitInterrupt, nil
		}
		return ExitTrouble, err
	}
	if keep != nil {
		kept := res.Findings[:0]
		for _, f := range res.Findings {
			if keep(f) {
				kept = append(kept, f)
			}
		}
		res.Findings = kept
	}
	return c.finish(ctx, cfg, root, eng, res)
}

// checkModes rejects flag combinations that cannot mean anything.
func (c *command) checkModes() error {
	o := &c.opt
	switch {
	case o.dryRun && !o.fix:
		return &usageError{msg: "--dry-run only goes with --fix", hint: "run nolegacyruns --fix --dry-run"}
	case o.fix && o.staged:
		return &usageError{msg: "--fix rewrites the work tree, so it cannot fix what --staged reads from the index", hint: "run nolegacyruns --fix, review, then git add"}
	case o.fix && o.writeBase != "":
		return &usageError{msg: "--fix and --write-baseline do not go together", hint: "fix first, then write the baseline"}
	}
	return nil
}

// loadConfig finds the rule file and the root.
func (c *command) loadConfig() (*config.Config, string, error) {
	o := &c.opt
	var cfg *config.Config
	var err error
	name := o.config
	if name == "" {
		name = findUp(c.env.Dir, config.FileName)
	}
	if name != "" {
		cfg, err = config.Load(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, "", &usageError{msg: fmt.Sprintf("rule file %s does not exist", name), hint: "check the --config path, or leave --config out to use the embedded rules"}
			}
			return nil, "", err
		}
	} else {
		cfg, err = config.Parse(defaultName, nolegacyruns.DefaultRules())
		if err != nil {
			return nil, "", err
		}
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

func findUp(dir, name string) string {
	for d := dir; ; {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
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

// sources decides which files to scan: a folder walk, git's list of files,
// the index, or a diff. includes are the rule file's include globs. keep,
// when not nil, filters the findings.
func (c *command) sources(ctx context.Context, root string, includes []string) (opt scanner.Options, keep func(result.Finding) bool, err error) {
	o := &c.opt
	opt = scanner.Options{Root: root}
	var rels []string
	for _, p := range o.paths {
		r, err := c.rel(root, p)
		if err != nil {
			return opt, nil, err
		}
		rels = append(rels, r)
	}
	top, inGit := gitsrc.FindTop(root)
	if o.staged || o.diff != "" {
		if !inGit {
			return opt, nil, &usageError{msg: fmt.Sprintf("%s needs a git repository, and %s is not in one", modeName(o), root), hint: "run it inside a git checkout, or drop the flag to scan the folder"}
		}
		return c.gitSources(ctx, root, top, rels)
	}
	if o.noGitignore || !inGit {
		opt.Paths = rels
		return opt, nil, nil
	}
	// Inside git: tracked and unignored files, plus any file named outright.
	opt.List = true
	var specs []string
	for _, r := range rels {
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(r)))
		switch {
		case err != nil:
			return opt, nil, &usageError{msg: fmt.Sprintf("%s: %v", r, errors.Unwrap(err)), hint: "check the path"}
		case fi.IsDir():
			if r == "" {
				specs = append(specs, ".")
			} else {
				specs = append(specs, gitsrc.Literal(r))
			}
		default:
			opt.Files = append(opt.Files, r)
			opt.Regular = append(opt.Regular, false)
		}
	}
	if len(rels) == 0 {
		// The whole repository: stream git's lists into the scan as they come.
		specs := includePrefixes(includes)
		opt.Feed = func(add func([]string, []bool)) error {
			return gitsrc.StreamFiles(ctx, root, specs, func(files []gitsrc.File) {
				paths, regular := scannable(files)
				add(paths, regular)
			})
		}
		return opt, nil, nil
	}
	if len(specs) > 0 {
		files, err := gitsrc.ListFiles(ctx, root, specs)
		if err != nil {
			return opt, nil, err
		}
		paths, regular := scannable(files)
		opt.Files = append(opt.Files, paths...)
		opt.Regular = append(opt.Regular, regular...)
	}
	return opt, nil, nil
}

// scannable drops what is never scanned (symlinks, submodules) and says
// which files git knows to be regular.
func scannable(files []gitsrc.File) ([]string, []bool) {
	paths := make([]string, 0, len(files))
	regular := make([]bool, 0, len(files))
	for _, f := range files {
		if f.Mode == "120000" || f.Mode == "160000" {
			continue
		}
		paths = append(paths, f.Path)
		regular = append(regular, f.Regular())
	}
	return paths, regular
}

// includePrefixes turns include globs into pathspecs for the folders they
// start with (app/** gives app), so that git does not walk folders no
// include can reach. A glob that starts with a wildcard gives none at all.
func includePrefixes(includes []string) []string {
	var specs []string
	seen := map[string]bool{}
	for _, g := range includes {
		var lit []string
		for _, seg := range strings.Split(g, "/") {
			if strings.ContainsAny(seg, "*?[{\\") {
				break
			}
			lit = append(lit, seg)
		}
		if len(lit) == 0 {
			return nil
		}
		p := strings.Join(lit, "/")
		if !seen[p] {
			seen[p] = true
			specs = append(specs, gitsrc.Literal(p))
		}
	}
	return specs
}

func modeName(o *options) string {
	if o.staged {
		return "--staged"
	}
	return "--diff"
}

// gitSources lists the staged or changed files. Git names them relative to
// the work tree's top; the scan wants them relative to the root.
func (c *command) gitSources(ctx context.Context, root, top string, rels []string) (scanner.Options, func(result.Finding) bool, error) {
	o := &c.opt
	opt := scanner.Options{Root: root, List: true, Files: []string{}}
	prefix, err := filepath.Rel(top, root)
	if err != nil {
		return opt, nil, err
	}
	prefix = filepath.ToSlash(prefix)
	if prefix == "." {
		prefix = ""
	} else {
		prefix += "/"
	}
	inScope := func(p string) (string, bool) {
		r, ok := strings.CutPrefix(p, prefix)
		if !ok {
			return "", false
		}
		if len(rels) == 0 {
			return r, true
		}
		for _, x := range rels {
			if x == "" || r == x || strings.HasPrefix(r, x+"/") {
				return r, true
			}
		}
		return "", false
	}

	// Which files: the index against HEAD, or the diff against the base.
	var files []string // top-relative
	var lines gitsrc.Changed
	if o.diff != "" {
		base, err := gitsrc.MergeBase(ctx, top, o.diff)
		if err != nil {
			return opt, nil, err
		}
		if lines, err = gitsrc.Diff(ctx, top, base, o.staged); err != nil {
			return opt, nil, err
		}
		for p := range lines {
			files = append(files, p)
		}
	}
	var blobs []gitsrc.Blob
	if o.staged {
		var err error
		if o.diff == "" {
			blobs, err = gitsrc.Staged(ctx, top)
		} else {
			sort.Strings(files)
			blobs, err = gitsrc.IndexEntries(ctx, top, files)
		}
		if err != nil {
			return opt, nil, err
		}
		files = files[:0]
		for _, b := range blobs {
			files = append(files, b.Path)
		}
	}

	rootLines := gitsrc.Changed{}
	ids := map[string]string{} // root-relative path -> staged object
	for i, p := range files {
		r, ok := inScope(p)
		if !ok {
			continue
		}
		opt.Files = append(opt.Files, r)
		if lines != nil {
			rootLines[r] = lines[p]
		}
		if o.staged {
			ids[r] = blobs[i].ID
		}
	}
	sort.Strings(opt.Files)
	if o.staged {
		want := make([]string, 0, len(ids))
		for _, id := range ids {
			want = append(want, id)
		}
		data, err := gitsrc.ReadBlobs(ctx, top, want)
		if err != nil {
			return opt, nil, err
		}
		opt.Open = func(p string) ([]byte, error) { return data[ids[p]], nil }
	}
	if lines == nil {
		return opt, nil, nil
	}
	return opt, func(f result.Finding) bool { return rootLines.Has(f.Path, f.Line) }, nil
}

// finish applies the baseline, writes a baseline or fixes, then reports.
func (c *command) finish(ctx context.Context, cfg *config.Config, root string, eng *scanner.Engine, res *scanner.Result) (int, error) {
	o := &c.opt
	rep := &report.Report{
		Tool: "nolegacyruns", Version: Version(), Rules: eng.Rules(),
		Findings: res.Findings, Errors: res.Errors, Stats: res.Stats,
	}
	if o.writeBase != "" {
		if len(res.Errors) > 0 {
			for _, e := range res.Errors {
				c.errorf("%s: %v", report.QuotePath(e.Path), e.Err)
			}
			return ExitTrouble, &usageError{msg: "some files could not be read, so the baseline would be incomplete", hint: "fix their permissions or exclude them, then write the baseline again"}
		}
		b := baseline.New(res.Findings)
		if err := b.Save(c.abs(o.writeBase)); err != nil {
			return ExitTrouble, fmt.Errorf("writing the baseline: %w", err)
		}
		n := 0
		for _, e := range b.Entries {
			n += e.Count
		}
		c.errorf("recorded %s in %s", plural(n, "finding", "findings"), o.writeBase)
		return ExitClean, nil
	}
	if name := c.baselineFile(cfg, root); name != "" {
		b, err := baseline.Load(name)
		if err != nil {
			var be *baseline.Error
			switch {
			case errors.Is(err, os.ErrNotExist):
				return ExitTrouble, &usageError{msg: fmt.Sprintf("baseline %s does not exist", c.display(name)), hint: "create it with --write-baseline " + c.display(name)}
			case errors.As(err, &be):
				be.File = c.display(be.File)
			}
			return ExitTrouble, err
		}
		rep.Stale = b.Apply(rep.Findings)
	}
	if o.fix {
		return c.fix(ctx, root, rep)
	}
	return c.output(rep)
}

// baselineFile is the baseline in effect: --baseline, the rule file's
// baseline:, or the default file if it exists in the root.
func (c *command) baselineFile(cfg *config.Config, root string) string {
	switch {
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

// output writes the reports and the summary, and picks the exit status.
func (c *command) output(rep *report.Report) (int, error) {
	if p := strings.Trim(filepath.ToSlash(c.opt.pathPrefix), "/"); p != "" {
		for i := range rep.Findings {
			rep.Findings[i].Path = p + "/" + rep.Findings[i].Path
		}
		for i := range rep.Errors {
			rep.Errors[i].Path = p + "/" + rep.Errors[i].Path
		}
	}
	f, _ := report.Lookup(c.opt.format)
	if t, ok := f.(*report.Text); ok {
		t.Color = c.opt.color == "always" || (c.opt.color == "auto" && c.env.IsTerminal && c.env.Getenv("NO_COLOR") == "")
	}
	if err := f.Write(c.env.Stdout, rep); err != nil {
		return ExitTrouble, fmt.Errorf("writing the report: %w", err)
	}
	for _, r := range c.opt.reports {
		if err := c.writeReport(r, rep); err != nil {
			return ExitTrouble, err
		}
	}
	for _, e := range rep.Errors {
		c.errorf("%s: %v", report.QuotePath(e.Path), e.Err)
	}
	counts := rep.Count()
	if !c.opt.quiet {
		c.summary(rep, counts)
	}
	if rep.Stale > 0 {
		c.hint("%s in the baseline no longer occur; run --write-baseline again to prune them", plural(rep.Stale, "recorded finding", "recorded findings"))
	}
	switch {
	case len(rep.Errors) > 0:
		c.hint("%d file(s) could not be read, so the scan is incomplete; fix their permissions or exclude them in the rule file", len(rep.Errors))
		return ExitTrouble, nil
	case counts.Errors > 0:
		return ExitFindings, nil
	}
	return ExitClean, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (c *command) summary(rep *report.Report, n result.Counts) {
	took := time.Since(c.start).Round(time.Millisecond)
	scanned := plural(rep.Stats.FilesScanned, "file", "files") + " scanned in " + took.String()
	var quiet []string
	if n.Suppressed > 0 {
		quiet = append(quiet, fmt.Sprintf("%d suppressed", n.Suppressed))
	}
	if n.Baselined > 0 {
		quiet = append(quiet, fmt.Sprintf("%d in the baseline", n.Baselined))
	}
	if rep.Stale > 0 {
		quiet = append(quiet, fmt.Sprintf("%d stale in the baseline", rep.Stale))
	}
	also := ""
	if len(quiet) > 0 {
		also = " (" + strings.Join(quiet, ", ") + ")"
	}
	if total := n.Errors + n.Warnings; total == 0 {
		c.errorf("no findings%s; %s", also, scanned)
	} else {
		c.errorf("%s (%s, %s) in %s%s; %s", plural(total, "finding", "findings"),
			plural(n.Errors, "error", "errors"), plural(n.Warnings, "warning", "warnings"),
			plural(n.Files, "file", "files"), also, scanned)
	}
	if rep.Stats.FilesScanned == 0 && len(c.opt.paths) == 0 && !c.opt.staged && c.opt.diff == "" {
		c.hint("no file matched the rule file's include globs; check include and exclude, or the --root")
	}
}

// writeReport writes one --report file atomically.
func (c *command) writeReport(r reportSpec, rep *report.Report) error {
	f, _ := report.Lookup(r.format)
	var buf bytes.Buffer
	if err := f.Write(&buf, rep); err != nil {
		return err
	}
	if err := fileio.Write(c.abs(r.file), buf.Bytes(), 0o644, nil); err != nil {
		return fmt.Errorf("writing the %s report to %s: %w", r.format, r.file, err)
	}
	return nil
}
