package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/gitsrc"
	"github.com/tenantatlas/nolegacyruns/pkg/history"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// checkHistory decides which flags go with --history, and the reverse.
func checkHistory(o *options) error {
	if !o.history {
		for _, f := range []struct {
			set  bool
			name string
		}{{o.maxCount != 0, "--max-count"}, {o.since != "", "--since"}, {o.rulesAtEach, "--rules-at-commit"}} {
			if f.set {
				return &usageError{msg: f.name + " only goes with --history", hint: "run nolegacyruns --history " + f.name + " ..."}
			}
		}
		if o.format == "html" {
			return &usageError{msg: "the html format is the --history page", hint: "run nolegacyruns --history --format html, or use one of " + report.Names()}
		}
		for _, r := range o.reports {
			if r.format == "html" {
				return &usageError{msg: "the html report is the --history page", hint: "run nolegacyruns --history --report html=FILE"}
			}
		}
		return nil
	}
	for _, f := range []struct {
		set  bool
		name string
	}{
		{o.staged, "--staged"}, {o.diff != "", "--diff"}, {o.fix, "--fix"}, {o.writeBase != "", "--write-baseline"},
		{o.installHook, "--install-hook"}, {o.init, "--init"}, {o.explain != "", "--explain"}, {o.listRules, "--list-rules"},
		{o.noGitignore, "--no-gitignore"}, {o.pathPrefix != "", "--path-prefix"}, {o.allowEmpty, "--allow-empty"},
		{o.shardFlag != "", "--shard"},
	} {
		if f.set {
			return &usageError{msg: "--history and " + f.name + " do not go together", hint: "--history reads every commit's tree from git; run " + f.name + " without it"}
		}
	}
	if o.maxCount < 0 {
		return &usageError{msg: fmt.Sprintf("--max-count %d is negative", o.maxCount), hint: "give --max-count the number of newest commits to report, or leave it out"}
	}
	if _, ok := report.LookupHistory(o.format); !ok {
		return &usageError{msg: fmt.Sprintf("--history cannot print the %s format", o.format), hint: "use one of " + report.HistoryNames()}
	}
	for _, r := range o.reports {
		if _, ok := report.LookupHistory(r.format); !ok {
			return &usageError{msg: fmt.Sprintf("--history cannot write a %s report", r.format), hint: "use one of " + report.HistoryNames()}
		}
	}
	return nil
}

// history runs --history: every commit's tree judged as a plain run
// would judge it, each blob searched once.
func (c *command) history(ctx context.Context, cfg *config.Config, root string, ran func(baseline.Entry) bool) outcome {
	o := &c.opt
	top, inGit := gitsrc.FindTop(root)
	if !inGit {
		return fail(&usageError{msg: fmt.Sprintf("--history needs a git repository, and %s is not in one", root), hint: "run it inside a git clone with its history"})
	}
	if err := c.checkOutputs(); err != nil {
		return fail(err)
	}
	if o.baseline != "" {
		// Named on the command line, it must be there, as for a plain run:
		// a typo is not a history judged without a baseline.
		if _, err := os.Stat(c.abs(o.baseline)); err != nil {
			return fail(c.baselineError(err, c.abs(o.baseline)))
		}
	}
	if o.since != "" {
		// git log reads a date it cannot read as now, and lists nothing.
		var de *gitsrc.DateError
		if err := gitsrc.CheckDate(ctx, top, o.since); errors.As(err, &de) {
			return fail(&usageError{msg: "--since " + de.Error(),
				hint: `give --since a date or an age, like 2024-06-30, "2024-06-30 14:00", midnight, yesterday, "2 weeks ago", "last friday" or @1719705600 (a Unix time); git log would read this one as now and list no commit`})
		} else if err != nil {
			return fail(err)
		}
	}
	prefix, err := filepath.Rel(top, root)
	if err != nil {
		return fail(err)
	}
	prefix = filepath.ToSlash(prefix)
	if prefix == "." {
		prefix = ""
	} else {
		prefix += "/"
	}
	p := &policy{c: c, cfg: cfg, top: top, root: root, prefix: prefix, ran: ran,
		setups: map[[2]string]*history.Setup{}, sets: map[string]*config.Config{}}
	if err := p.init(); err != nil {
		return fail(err)
	}
	shallow, err := gitsrc.ShallowCommits(ctx, top)
	if err != nil {
		return fail(err)
	}
	// Entries follow renames (git log -M, about 40% of a history's time on
	// a real application) only where a baseline can have entries: not when
	// the one baseline file never existed in the history walked.
	renames := !o.noBaseline
	if bp := p.baselinePath(cfg); renames && !o.rulesAtEach && bp != "" {
		if rel, ok := p.topRel(bp); ok {
			if ever, err := gitsrc.EverChanged(ctx, top, o.paths, rel); err == nil && !ever {
				renames = false
			}
		}
	}
	opt := history.Options{Dir: top, Prefix: prefix, Setup: p.at, Shallow: shallow,
		Log: gitsrc.LogSpec{Revs: o.paths, MaxCount: o.maxCount, Since: o.since, Renames: renames}}
	if o.jobs > 0 {
		if c.env.SetCPUs != nil {
			c.env.SetCPUs(o.jobs)
		}
		opt.Workers = 4 * o.jobs
	}
	res, err := history.Run(ctx, opt)
	var ge *gitsrc.Error
	if errors.As(err, &ge) && badRange(ge.Stderr) && len(o.paths) == 0 {
		// HEAD names no commit: say so rather than git's "bad revision".
		if branch, other, unborn := gitsrc.Unborn(ctx, top); unborn {
			if other == "" {
				return fail(&usageError{msg: "--history: this repository has no commits yet",
					hint: "commit first: --history reports the commits of HEAD's first-parent history"})
			}
			return fail(&usageError{msg: fmt.Sprintf("--history: the branch %s has no commits yet", branch),
				hint: "commit first, or give --history a revision that has commits, like " + other})
		}
	}
	if err != nil {
		return fail(c.historyError(err))
	}
	h := &report.History{Tool: "nolegacyruns", Version: Version(), Result: res,
		CommitURL: history.CommitURL(gitsrc.RemoteURL(ctx, top))}
	f, _ := report.LookupHistory(o.format)
	if err := f.Write(c.env.Stdout, h); err != nil {
		return fail(fmt.Errorf("writing the report: %w", err))
	}
	for _, s := range o.reports {
		f, _ := report.LookupHistory(s.format)
		if s.file == "-" {
			if err := f.Write(c.env.Stdout, h); err != nil {
				return fail(fmt.Errorf("writing the report: %w", err))
			}
			continue
		}
		var buf bytes.Buffer
		if err := f.Write(&buf, h); err != nil {
			return fail(err)
		}
		if err := fileio.WriteFile(c.abs(s.file), buf.Bytes(), 0o644); err != nil {
			return fail(fmt.Errorf("writing the %s report to %s: %w", s.format, s.file, err))
		}
	}
	c.historySummary(res)
	return outcome{}
}

// historySummary is the closing line on stderr; -q silences it.
func (c *command) historySummary(res *history.Result) {
	if c.opt.quiet {
		return
	}
	took := time.Since(c.start).Round(time.Millisecond)
	if len(res.Commits) == 0 {
		c.errorf("no commits to report; %s", took)
		return
	}
	total := func(cm history.Commit) int {
		n := 0
		for _, v := range cm.Counts {
			n += v
		}
		return n
	}
	first, last := res.Commits[0], res.Commits[len(res.Commits)-1]
	events := 0
	for _, cm := range res.Commits {
		if len(cm.Added) > 0 {
			events++
		}
	}
	c.errorf("%s: %s now, %d at %.12s; %s brought findings back; %s scanned in %s",
		plural(len(res.Commits), "commit", "commits"), plural(total(last), "finding", "findings"), total(first), first.ID,
		plural(events, "commit", "commits"), plural(res.BlobsScanned, "blob", "blobs"), took)
}

// historyError gives the history's own errors their hints.
func (c *command) historyError(err error) error {
	var se *history.ShallowError
	var re *history.ReadError
	var ge *gitsrc.Error
	var me *gitsrc.MissingObjectError
	switch {
	case errors.As(err, &se) && se.Newer == 0:
		return &usageError{msg: err.Error(),
			hint: "deepen the clone (git fetch --unshallow, or git fetch --deepen=N; in CI, fetch-depth: 0): each commit reported is compared with its parent"}
	case errors.As(err, &se):
		return &usageError{msg: err.Error(),
			hint: fmt.Sprintf("deepen the clone (git fetch --unshallow, or git fetch --deepen=N; in CI, fetch-depth: 0), or report at most the %s this clone holds with their parents: --max-count %d",
				plural(se.Newer, "commit", "commits"), se.Newer)}
	case errors.As(err, &re) && errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.As(err, &re):
		var ce *config.Error
		var ble *baseline.Error
		if errors.As(err, &ble) {
			return &usageError{msg: err.Error(), hint: "report from a later commit on (--max-count, --since or a range like COMMIT..HEAD), or judge without the baseline: --no-baseline"}
		}
		if errors.As(err, &ce) {
			return &usageError{msg: err.Error(), hint: "report from a later commit on (--max-count, --since or a range like COMMIT..HEAD), or leave out --rules-at-commit to judge every commit by the current rule file"}
		}
		return &usageError{msg: err.Error(), hint: "this clone lacks or cannot read that object (a partial clone?); clone without --filter, or run git fsck"}
	case errors.As(err, &me):
		return &usageError{msg: err.Error(), hint: "this clone lacks or cannot read that object (a partial clone?); clone without --filter, or run git fsck"}
	case errors.As(err, &ge) && strings.HasPrefix(ge.Error(), "git log") && !badRange(ge.Stderr):
		return &usageError{msg: err.Error(), hint: "git could not read this history: run git fsck, or report a part of it that git can read (--max-count, --since, or a range)"}
	case errors.As(err, &ge) && strings.HasPrefix(ge.Error(), "git log"):
		return &usageError{msg: err.Error(), hint: "give --history a revision or range that exists here, like HEAD~100..HEAD or v1.0..HEAD"}
	}
	return err
}

// badRange reports whether git log's stderr says the revisions it was
// given do not name commits here, rather than that it could not read one.
func badRange(stderr string) bool {
	for _, s := range []string{"bad revision", "unknown revision", "ambiguous argument", "revision range", "bad default revision", "does not have any commits"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// policy is what a plain run of a commit would use: the rule file (the
// current one, or with --rules-at-commit the commit's own) and the
// baseline as it was at that commit.
type policy struct {
	c      *command
	cfg    *config.Config
	top    string
	root   string
	prefix string
	ran    func(baseline.Entry) bool

	ruleFiles []string                     // top-relative candidates, --rules-at-commit
	setups    map[[2]string]*history.Setup // by rule file and baseline blob
	sets      map[string]*config.Config    // parsed, per rule file blob
	engines   map[string]*scanner.Engine
}

func (p *policy) init() error {
	p.engines = map[string]*scanner.Engine{}
	if !p.c.opt.rulesAtEach {
		return nil
	}
	if p.cfg.Path != defaultName {
		r, ok := p.topRel(p.c.abs(p.cfg.Path))
		if !ok {
			return &usageError{msg: fmt.Sprintf("--rules-at-commit reads the rule file from each commit, and %s is outside the repository", p.c.display(p.cfg.Path)), hint: "keep the rule file in the repository, or leave out --rules-at-commit"}
		}
		p.ruleFiles = []string{r}
		return nil
	}
	p.ruleFiles = []string{p.prefix + config.FileName, p.prefix + config.AltFileName}
	return nil
}

// topRel is an absolute path relative to the top, if it is inside it.
func (p *policy) topRel(abs string) (string, bool) {
	r, err := filepath.Rel(p.top, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || r == "." {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// at implements history.Options.Setup.
func (p *policy) at(t history.Tree, read func(string, int64) ([]byte, error)) (*history.Setup, error) {
	cfg, ruleBlob, err := p.rulesAt(t, read)
	if err != nil {
		return nil, err
	}
	bpath := p.baselinePath(cfg)
	key := [2]string{ruleBlob, ""}
	var bl *baseline.File
	if bpath != "" {
		if r, ok := p.topRel(bpath); ok {
			e, ok, err := entryAt(t, read, r)
			if err == errOutside {
				return nil, &baseline.Error{File: r, Msg: err.Error()}
			} else if err != nil {
				return nil, err
			}
			if ok {
				key[1] = r + "\x00" + e.ID
			} else {
				bpath = "" // not there at this commit: no baseline
			}
		} else if p.c.opt.baseline != "" || cfg.Baseline != "" {
			key[1] = bpath // outside the repository: as it is now
		} else {
			bpath = ""
		}
	}
	if s, ok := p.setups[key]; ok {
		return s, nil
	}
	if bpath != "" {
		if r, ok := p.topRel(bpath); ok {
			e, _, _ := entryAt(t, read, r)
			data, err := read(e.ID, baseline.MaxSize)
			if err != nil {
				return nil, err
			}
			if len(data) > baseline.MaxSize {
				return nil, &baseline.Error{File: r, Msg: fmt.Sprintf("file is larger than %d MiB", baseline.MaxSize>>20)}
			}
			if bl, err = baseline.Parse(r, data); err != nil {
				return nil, err
			}
		} else {
			if bl, err = baseline.Load(bpath); err != nil {
				return nil, p.c.baselineError(err, bpath)
			}
		}
	}
	eng, ok := p.engines[ruleBlob]
	if !ok {
		if eng, err = scanner.Compile(&cfg.Rules); err != nil {
			return nil, err
		}
		p.engines[ruleBlob] = eng
	}
	s := &history.Setup{Engine: eng, Baseline: bl, Ran: p.ran}
	if bpath != "" {
		if r, ok := p.topRel(bpath); ok {
			s.BaselinePath = r // a file of the commit: its entries follow renames
		}
	}
	for _, r := range eng.Rules() {
		if !cfg.Rules.NotRun[r.ID] {
			s.Rules = append(s.Rules, r)
		}
	}
	for _, f := range []string{cfg.Path, bpath} {
		if f == "" || f == defaultName {
			continue
		}
		if r, err := p.c.rel(p.root, p.c.abs(f)); err == nil {
			s.Skip = append(s.Skip, r)
		}
	}
	p.setups[key] = s
	return s, nil
}

// rulesAt is the rule file in effect at a commit, and a key for it.
func (p *policy) rulesAt(t history.Tree, read func(string, int64) ([]byte, error)) (*config.Config, string, error) {
	if len(p.ruleFiles) == 0 {
		return p.cfg, "", nil
	}
	for _, name := range p.ruleFiles {
		e, ok, err := entryAt(t, read, name)
		if err == errOutside {
			return nil, "", &config.Error{File: name, Msg: err.Error()}
		} else if err != nil {
			return nil, "", err
		}
		if !ok {
			continue
		}
		key := name + "\x00" + e.ID
		if cfg, ok := p.sets[key]; ok {
			return cfg, key, nil
		}
		data, err := read(e.ID, config.MaxSize)
		if err != nil {
			return nil, "", err
		}
		if len(data) > config.MaxSize {
			return nil, "", &config.Error{File: name, Msg: fmt.Sprintf("file is larger than %d MiB", config.MaxSize>>20)}
		}
		cfg, err := config.Parse(name, data)
		if err != nil {
			return nil, "", err
		}
		cfg.Path = filepath.Join(p.top, filepath.FromSlash(name))
		p.applySelection(&cfg.Rules)
		p.sets[key] = cfg
		return cfg, key, nil
	}
	// No rule file at this commit: a plain run there uses the embedded rules.
	cfg := defaultConfig()
	p.applySelection(&cfg.Rules)
	return cfg, "(default)", nil
}

// errOutside is a symbolic link that leaves the commit's tree.
var errOutside = errors.New("a symbolic link out of the repository, which --history cannot read at a commit")

// entryAt is the regular file at name in a commit's tree, following
// symbolic links inside the tree as a checkout would (a few at most); ok is
// false when there is none. A link out of the tree is errOutside.
func entryAt(t history.Tree, read func(string, int64) ([]byte, error), name string) (gitsrc.TreeEntry, bool, error) {
	for range 8 {
		e, ok := t.Entry(name)
		if !ok || e.Regular() {
			return e, ok, nil
		}
		if e.Mode != "120000" {
			return e, false, nil
		}
		target, err := read(e.ID, 4096)
		if err != nil {
			return e, false, err
		}
		name = path.Clean(path.Join(path.Dir(name), string(target)))
		if len(target) > 4096 || path.IsAbs(string(target)) || name == ".." || strings.HasPrefix(name, "../") {
			return e, false, errOutside
		}
	}
	return gitsrc.TreeEntry{}, false, nil
}

// applySelection carries --strict, --rule and --skip-rule over to a
// commit's own rule file; ids it does not have are left alone.
func (p *policy) applySelection(rs *rules.Set) {
	rs.StrictSuppressions = p.c.opt.strict
	rs.Today = p.cfg.Rules.Today // until= dates expire as in a plain run
	o := &p.c.opt
	if len(o.onlyRules) == 0 && len(o.skipRules) == 0 {
		return
	}
	rs.NotRun = map[string]bool{}
	for _, r := range rs.Rules {
		only := len(o.onlyRules) > 0 && !contains(o.onlyRules, r.ID)
		if only || contains(o.skipRules, r.ID) {
			rs.NotRun[r.ID] = true
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// baselinePath is the baseline a plain run with this rule file would use,
// absolute; "" for none. The default file counts when a commit has it.
func (p *policy) baselinePath(cfg *config.Config) string {
	o := &p.c.opt
	switch {
	case o.noBaseline:
		return ""
	case o.baseline != "":
		return p.c.abs(o.baseline)
	case cfg.Baseline != "":
		if filepath.IsAbs(cfg.Baseline) {
			return cfg.Baseline
		}
		return filepath.Join(filepath.Dir(p.c.abs(cfg.Path)), cfg.Baseline)
	}
	return filepath.Join(p.root, baseline.DefaultFile)
}
