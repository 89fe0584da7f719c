package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/internal/pipeline"
	"github.com/tenantatlas/nolegacyruns/internal/source"
	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// run wires one invocation from its parsed flags (or their error): mode →
// rule file → source → engine → findings pipeline → reports, and says what
// it came to.
func (c *command) run(ctx context.Context, o *options, err error) outcome {
	if err != nil {
		return fail(err)
	}
	c.opt = *o
	o = &c.opt
	if c.env.Listen != nil {
		ctx, c.stopListening = c.listen(ctx)
		c.ctx = ctx
	}
	if err := checkMode(o); err != nil {
		return fail(err)
	}
	if o.installHook {
		return fail(c.installHook(ctx))
	}
	if o.init {
		return fail(c.initConfig())
	}
	cfg, root, err := c.loadConfig()
	if err != nil {
		return fail(err)
	}
	cfg.Rules.StrictSuppressions = o.strict
	cfg.Rules.Today = c.start.UTC().Format(time.DateOnly) // until= dates are UTC days
	if o.explain != "" {
		return fail(c.explainRule(cfg, o.explain))
	}
	ran, err := selectRules(o, &cfg.Rules)
	if err != nil {
		return fail(err)
	}
	if o.test {
		return c.testRules(ctx, cfg)
	}
	if o.listRules {
		c.listRules(cfg, root)
		return outcome{}
	}
	if o.history {
		return c.history(ctx, cfg, root, ran)
	}
	eng, err := scanner.Compile(&cfg.Rules)
	if err != nil {
		return fail(err)
	}
	for _, r := range eng.Rules() {
		if !cfg.Rules.NotRun[r.ID] {
			c.rules = append(c.rules, r) // the reports describe the rules that ran
		}
	}
	if err := c.checkOutputs(); err != nil {
		return fail(err)
	}
	if name := c.baselineFile(cfg, root); o.update && name != "" {
		if err := fileio.CheckWritable(name); err != nil {
			return fail(&usageError{msg: fmt.Sprintf("cannot update the baseline %s: %v", c.display(name), err), hint: "give --update-baseline a baseline file that you can write to"})
		}
	}
	src, changed, err := c.pickSource(ctx, root, cfg.Rules.Include)
	if err != nil {
		return fail(err)
	}
	if cl, ok := src.(io.Closer); ok {
		defer cl.Close() // the index source's git cat-file; every read was checked
	}
	opt := scanner.Options{Root: root, Source: src, Skip: c.skips(cfg, root), Shard: o.shard}
	if o.jobs > 0 {
		// -j N uses N CPUs, with the engine's own count of workers for them
		// (one each, four once a scan goes on). In-process tests cannot
		// change the CPUs: they get the most workers at once.
		if c.env.SetCPUs != nil {
			c.env.SetCPUs(o.jobs)
		} else {
			opt.Workers = 4 * o.jobs
		}
	}
	res, err := eng.Scan(ctx, opt)
	if err != nil {
		return fail(err)
	}
	if err := c.checkEmpty(res, root, cfg); err != nil {
		return fail(err)
	}

	r := &pipeline.Run{Findings: res.Findings, Errors: res.Errors, Stats: res.Stats}
	pc := pipeline.Config{Changed: changed, PathPrefix: o.pathPrefix}
	if c.diffBase != nil && len(res.Findings) > 0 {
		// Only a file with findings now can have new ones: the others'
		// base versions need no scan.
		base, err := c.diffBase()
		if err != nil {
			return fail(err)
		}
		withFindings := map[string]string{}
		for _, f := range res.Findings {
			if id, ok := base.Files[f.Path]; ok {
				withFindings[f.Path] = id
			}
		}
		base.Files = withFindings
		if pc.DiffBase, err = c.scanBase(ctx, eng, opt, base); err != nil {
			return fail(err)
		}
	}
	covers := coverage(src, o)
	sealed := sealedRules(cfg)
	if o.writeBase == "-" {
		pc.WriteBaseline = &pipeline.WriteBaseline{Out: c.env.Stdout, Sealed: sealed}
	} else if o.writeBase != "" {
		w := &pipeline.WriteBaseline{Path: c.abs(o.writeBase), Covers: covers, Ran: ran, Sealed: sealed}
		if fi, err := os.Stat(w.Path); (covers != nil || ran != nil) && err == nil && fi.Mode().IsRegular() {
			// A narrowed run keeps the entries of the files it did not scan
			// and of the rules it did not run.
			if w.Old, err = baseline.Load(w.Path); err != nil {
				return fail(c.baselineError(err, o.writeBase))
			}
		}
		pc.WriteBaseline = w
	} else if name := c.baselineFile(cfg, root); name != "" {
		b, err := baseline.Load(name)
		if err != nil {
			return fail(c.baselineError(err, name))
		}
		if o.diff != "" {
			covers = func(string) bool { return false } // a diff judges some lines only: nothing is stale
		}
		pc.Baseline = &pipeline.ApplyBaseline{File: b, Name: c.display(name), Covers: covers, Ran: ran, Sealed: sealed,
			Renames: c.renames(ctx, root, name, o)}
		if o.update {
			pc.Baseline.Update = name
		}
	} else if o.update {
		return fail(&usageError{msg: "--update-baseline: there is no baseline to update", hint: "write one with --write-baseline " + baseline.DefaultFile + ", or name it: --update-baseline FILE"})
	}
	if o.fix {
		pc.Fix = &pipeline.Fix{Root: root, DryRun: o.dryRun}
	}
	err = pipeline.Apply(ctx, r, pipeline.Build(pc))
	switch {
	case pc.Fix != nil:
		return c.fixed(ctx, r, pc.Fix, err)
	case err != nil:
		return fail(err)
	case pc.WriteBaseline != nil:
		return c.written(r, pc.WriteBaseline, ran, covers)
	}
	if o.diff != "" {
		r.Progress = nil // a diff sees new findings only: no count of the whole debt
	}
	out := c.output(r)
	if u := pc.Baseline; u != nil && u.Update != "" && out.err == nil {
		c.updated(r, u, covers)
	}
	return out
}

// The parts of run below print what a run did; each is a function of its
// own so that run's frame, which is on the stack while the rules compile
// and the files are searched, holds none of their formatting.

// listRules prints --list-rules.
//
//go:noinline
func (c *command) listRules(cfg *config.Config, root string) {
	shown := cfg.Rules
	shown.Rules = nil
	for _, r := range cfg.Rules.Rules {
		if !cfg.Rules.NotRun[r.ID] {
			shown.Rules = append(shown.Rules, r)
		}
	}
	fmt.Fprint(c.env.Stdout, report.LogLines(fmt.Sprintf("# rule file: %s\n# root: %s\n%s", cfg.Path, root, config.Describe(&shown))))
}

// written says what --write-baseline recorded.
//
//go:noinline
func (c *command) written(r *pipeline.Run, w *pipeline.WriteBaseline, ran func(baseline.Entry) bool, covers func(string) bool) outcome {
	kept := ""
	if w.Kept > 0 {
		what := "files this run did not scan"
		switch {
		case ran != nil && w.Covers != nil:
			what = "files or rules this run did not check"
		case ran != nil:
			what = "rules this run did not run"
		}
		kept = fmt.Sprintf(" (and kept %d of %s)", w.Kept, what)
	}
	to := c.opt.writeBase
	if to == "-" {
		to = "standard output"
	}
	c.notef("recorded %s in %s%s", plural(w.Recorded, "finding", "findings"), to, kept)
	if covers == nil {
		c.suggestSealing(r, w.File)
	}
	if w.Refused > 0 {
		c.errorf("%s of sealed rules not recorded", plural(w.Refused, "finding", "findings"))
		c.hint("a sealed rule's debt must stay at zero: fix them, or remove sealed: true from the rule")
		return outcome{counts: result.Counts{Errors: w.Refused}}
	}
	return outcome{}
}

// updated says what --update-baseline changed.
//
//go:noinline
func (c *command) updated(r *pipeline.Run, u *pipeline.ApplyBaseline, covers func(string) bool) {
	moved := ""
	if u.Moved > 0 {
		moved = fmt.Sprintf(", moved %s to the new names of renamed files", plural(u.Moved, "finding", "findings"))
	}
	switch {
	case u.Removed == 0 && u.Moved == 0:
		c.notef("the baseline %s is up to date (%s)", u.Name, plural(u.Left, "finding", "findings"))
	case u.Removed == 0:
		c.notef("updated the baseline %s%s (%d left)", u.Name, moved, u.Left)
	default:
		c.notef("removed %s no longer found from %s%s (%d left)", plural(u.Removed, "finding", "findings"), u.Name, moved, u.Left)
	}
	if covers == nil {
		c.suggestSealing(r, u.Pruned)
	}
}

// scanBase scans the changed files as they were at the merge base, with
// the same engine, and counts each identity key's findings there.
func (c *command) scanBase(ctx context.Context, eng *scanner.Engine, opt scanner.Options, base *source.Index) (map[string]int, error) {
	defer base.Close()
	opt.Source = base
	res, err := eng.Scan(ctx, opt)
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		e := res.Errors[0]
		return nil, fmt.Errorf("reading %s as it was at the merge base: %w", report.LogPath(e.Path), e.Err)
	}
	counts := make(map[string]int, len(res.Findings))
	var key []byte
	for _, f := range res.Findings {
		key = result.AppendKey(key[:0], f)
		counts[string(key)]++
	}
	return counts, nil
}

// selectRules applies --rule and --skip-rule: the rules left out are
// marked not run. ran says whether the run judges a baseline entry: not if
// its rule did not run, nor if it is an unused suppression of such a rule.
// It is nil when every rule runs.
func selectRules(o *options, rs *rules.Set) (ran func(baseline.Entry) bool, err error) {
	if len(o.onlyRules) == 0 && len(o.skipRules) == 0 {
		return nil, nil
	}
	known := map[string]bool{}
	var ids []string
	for _, r := range rs.Rules {
		known[r.ID] = true
		ids = append(ids, r.ID)
	}
	for _, f := range []struct {
		name string
		ids  []string
	}{{"--rule", o.onlyRules}, {"--skip-rule", o.skipRules}} {
		for _, id := range f.ids {
			if !known[id] {
				hint := "the rules are " + strings.Join(ids, ", ")
				if scanner.Reserved(id) {
					hint = "the built-in rules always run; " + hint
				}
				return nil, &usageError{msg: fmt.Sprintf("%s %s: no such rule", f.name, id), hint: hint}
			}
		}
	}
	notRun := map[string]bool{}
	left := 0
	for _, id := range ids {
		if len(o.onlyRules) > 0 && !slices.Contains(o.onlyRules, id) || slices.Contains(o.skipRules, id) {
			notRun[id] = true
		} else {
			left++
		}
	}
	if left == 0 {
		return nil, &usageError{msg: "--rule and --skip-rule leave no rule to run", hint: "skip fewer rules, or drop --skip-rule"}
	}
	if len(notRun) == 0 {
		return nil, nil
	}
	rs.NotRun = notRun
	return func(e baseline.Entry) bool {
		if e.Rule == scanner.UnusedSuppression {
			return !notRun[e.Match]
		}
		return !notRun[e.Rule]
	}, nil
}

// coverage is the scope of a narrowed run, for the baseline: which files it
// looked at. nil means every file.
func coverage(src scanner.Source, o *options) func(string) bool {
	var covers func(string) bool
	if len(o.paths) > 0 || o.staged || o.diff != "" {
		if cv, ok := src.(interface{ Covers(string) bool }); ok {
			covers = cv.Covers
		}
	}
	if sh := o.shard; sh.Split() {
		// A shard judges the baseline entries of its own files only.
		if covers == nil {
			return sh.Has
		}
		inner := covers
		return func(p string) bool { return sh.Has(p) && inner(p) }
	}
	return covers
}

// skips are the files that list every token by design: the rule file and
// the baselines.
func (c *command) skips(cfg *config.Config, root string) []string {
	var out []string
	for _, f := range []string{cfg.Path, c.baselineFile(cfg, root), c.opt.writeBase} {
		if f == "" || f == defaultName || f == "-" {
			continue
		}
		if r, err := c.rel(root, f); err == nil {
			out = append(out, r)
		}
	}
	return out
}

// checkEmpty fails a full run that selected no file at all, as eslint and
// prettier do for patterns that match nothing: a gate that looks at nothing
// must not pass. Narrowed runs with nothing to scan are fine.
func (c *command) checkEmpty(res *scanner.Result, root string, cfg *config.Config) error {
	o := &c.opt
	if o.allowEmpty || len(o.paths) > 0 || o.staged || o.diff != "" ||
		res.Stats.FilesScanned+res.Stats.FilesBinary+res.Stats.FilesElsewhere > 0 || len(res.Errors) > 0 {
		// (With --shard, a part may be empty; the run is not if another
		// part has files.)
		return nil
	}
	inc := "every file"
	if len(cfg.Rules.Include) > 0 {
		inc = strings.Join(cfg.Rules.Include, ", ")
	}
	return &usageError{
		msg:  fmt.Sprintf("no file to scan in %s (include: %s)", c.display(root), inc),
		hint: "check the rule file's include and exclude globs, or --root; pass --allow-empty if an empty scan is fine",
	}
}

func (c *command) baselineError(err error, name string) error {
	var be *baseline.Error
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &usageError{msg: fmt.Sprintf("baseline %s does not exist", c.display(name)), hint: "create it with --write-baseline " + c.display(name)}
	case errors.Is(err, fileio.ErrNotRegular):
		return &usageError{msg: fmt.Sprintf("cannot read the baseline %s: %v", c.display(name), errors.Unwrap(err)), hint: "give --baseline the file that --write-baseline wrote"}
	case errors.As(err, &be):
		be.File = c.display(be.File)
	}
	return err
}
