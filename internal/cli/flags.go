package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/config"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

const defaultName = "(default)"

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
	baselineSet bool // --baseline given, even as ""
	noBaseline  bool
	allowEmpty  bool
	writeBase   string
	update      bool   // --update-baseline
	updateFile  string // its FILE, if given
	strict      bool
	fix         bool
	dryRun      bool
	init        bool
	explain     string
	test        bool
	pathPrefix  string
	shardFlag   string        // --shard I/N
	shard       scanner.Shard // parsed by checkMode
	onlyRules   []string      // --rule
	skipRules   []string      // --skip-rule
	history     bool          // --history: the paths are revisions
	maxCount    int
	since       string
	rulesAtEach bool // --rules-at-commit
	paths       []string
}

// listFlag collects a repeatable flag's values.
type listFlag struct{ to *[]string }

func (l listFlag) String() string { return "" }

func (l listFlag) Set(v string) error {
	if v == "" {
		return errors.New("want a rule id")
	}
	*l.to = append(*l.to, v)
	return nil
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
	if _, ok := report.Lookup(format); !ok && format != "html" { // html: --history only (checkMode)
		return fmt.Errorf("unknown format %q (use one of %s)", format, report.Names())
	}
	r.o.reports = append(r.o.reports, reportSpec{format, file})
	return nil
}

const usageHead = `usage: nolegacyruns [flags] [path ...]

nolegacyruns fails when a forbidden token from its rule file appears in the
files it scans, and prints each one as path:line:column.

Rule file: --config FILE, or .nolegacyruns.yaml (or .yml) in the current
folder or above it, up to the top of the git work tree; without one, the
embedded TenantAtlas rules (spec 087) apply.
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
  nolegacyruns --update-baseline        drop fixed findings from the baseline (adds none)
  nolegacyruns --fix --dry-run          show the mechanical fixes as a diff
  nolegacyruns --explain legacy-run-types
  nolegacyruns --shard 2/4 --format json > part2.json
                                        one of four CI machines; then
  nolegacyruns merge part1.json part2.json part3.json part4.json
                                        the report and exit status of the whole run
  nolegacyruns lsp                      the language server, for editors (see the README)
  nolegacyruns --test                   check the rule file's examples

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
	fs.BoolVar(&o.quiet, "q", false, "print nothing on stderr but errors")
	fs.BoolVar(&o.staged, "staged", false, "scan the staged contents of the files about to be committed, from the git index")
	fs.StringVar(&o.diff, "diff", "", "report only findings on lines added or changed since the merge base of `ref` and HEAD")
	fs.Var(reportFlag{o}, "report", "also write a report to a file: `format=file` (repeatable), e.g. sarif=results.sarif")
	fs.BoolVar(&o.installHook, "install-hook", false, "write a git pre-commit hook that runs nolegacyruns --staged, and exit")
	fs.BoolVar(&o.force, "force", false, "with --install-hook: replace an existing hook")
	fs.BoolVar(&o.allowEmpty, "allow-empty", false, "pass a full run that selects no file at all (by default an error: the globs or root are likely wrong)")
	fs.BoolVar(&o.noBaseline, "no-baseline", false, "use no baseline, even if one is configured or present")
	fs.StringVar(&o.baseline, "baseline", "", "report only findings not recorded in this baseline `file` (default: the rule file's baseline:, else "+baseline.DefaultFile+" in the root if it exists)")
	fs.StringVar(&o.writeBase, "write-baseline", "", "record the current findings in `file` and exit 0; writing again prunes stale entries")
	fs.Var(updateFlag{o}, "update-baseline", "remove from the baseline (`file`, default: the one in effect) the findings that no longer occur; never adds one")
	fs.BoolVar(&o.strict, "strict", false, "make unused suppressions errors, not warnings")
	fs.BoolVar(&o.fix, "fix", false, "rewrite findings whose rule has a fix: for their token, in place")
	fs.BoolVar(&o.dryRun, "dry-run", false, "with --fix: print a unified diff and change nothing")
	fs.BoolVar(&o.init, "init", false, "write a commented starter "+config.FileName+" in the current folder, and exit")
	fs.StringVar(&o.shardFlag, "shard", "", "scan part `I/N` of the files (by a hash of the path, the same on every machine); merge the parts' JSON or SARIF with nolegacyruns merge")
	fs.StringVar(&o.pathPrefix, "path-prefix", "", "put `prefix` before every path in the reports, as golangci-lint does (for a --root below the repository, in CI annotations)")
	fs.Var(listFlag{&o.onlyRules}, "rule", "run only the rule with this `id` (repeatable)")
	fs.Var(listFlag{&o.skipRules}, "skip-rule", "leave out the rule with this `id` (repeatable)")
	fs.BoolVar(&o.history, "history", false, "report the findings of each first-parent commit of HEAD, or of the range given (like v1.0..HEAD): counts, what came back, a burn-down page with --format html")
	fs.IntVar(&o.maxCount, "max-count", 0, "with --history: only the newest `N` commits")
	fs.StringVar(&o.since, "since", "", "with --history: only commits since `date` (as git log --since reads it)")
	fs.BoolVar(&o.rulesAtEach, "rules-at-commit", false, "with --history: judge each commit by its own rule file, not the current one")
	fs.BoolVar(&o.test, "test", false, "check every rule's examples (bad ones must be flagged, good ones not), print ok or FAIL per rule, and exit")
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
	fmt.Fprintln(w, "\nFormats of --history:")
	for _, s := range report.HistoryFormats() {
		fmt.Fprintf(w, "  %-11s %s\n", s.Name, s.Help)
	}
}

// updateFlag is --update-baseline [FILE]: a flag whose value is optional.
type updateFlag struct{ o *options }

func (u updateFlag) String() string   { return "" }
func (u updateFlag) IsBoolFlag() bool { return true }

func (u updateFlag) Set(v string) error {
	u.o.update = true
	if v != "true" {
		u.o.updateFile = v
	}
	return nil
}

// errHelp says --help was asked for.
var errHelp = errors.New("help")

// parseArgs reads flags and paths in any order, as rg and golangci-lint do;
// after "--" everything is a path.
func parseArgs(args []string) (*options, error) {
	o := &options{}
	fs := newFlags(o)
	args = joinUpdateFile(args)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, &usageError{msg: strings.TrimPrefix(err.Error(), "flag "), hint: "run nolegacyruns --help for the list of flags"}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			o.paths = append(o.paths, rest...)
			break
		}
		o.paths = append(o.paths, rest[0])
		args = rest[1:]
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "baseline" {
			o.baselineSet = true
		}
	})
	return o, nil
}

// joinUpdateFile reads "--update-baseline FILE" as "--update-baseline=FILE"
// when the next argument is no flag: FILE is optional, so a path to scan
// goes before the flag, or after --.
func joinUpdateFile(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if (a == "--update-baseline" || a == "-update-baseline") && i+1 < len(args) &&
			args[i+1] != "" && !strings.HasPrefix(args[i+1], "-") {
			out = append(out, a+"="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}
