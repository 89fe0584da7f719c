package cli

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// checkMode decides, once, whether the flags make sense together, and
// cleans the ones that need it. Nothing has been read or run yet.
func checkMode(o *options) error {
	if err := checkHistory(o); err != nil {
		return err
	}
	if _, ok := report.Lookup(o.format); !ok && !o.history {
		return &usageError{msg: fmt.Sprintf("unknown format %q", o.format), hint: "use one of " + report.Names()}
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return &usageError{msg: fmt.Sprintf("unknown --color %q", o.color), hint: "use auto, always or never"}
	}
	seen := map[string]string{}
	for _, r := range o.reports {
		if f, ok := seen[r.format]; ok {
			return &usageError{msg: fmt.Sprintf("the %s report is given twice, to %s and to %s", r.format, f, r.file), hint: "pass --report once per format"}
		}
		seen[r.format] = r.file
	}
	switch {
	case o.jobs < 0:
		return &usageError{msg: fmt.Sprintf("-j %d is negative", o.jobs), hint: "give -j the number of CPUs to use, or leave it out"}
	case o.dryRun && !o.fix:
		return &usageError{msg: "--dry-run only goes with --fix", hint: "run nolegacyruns --fix --dry-run"}
	case o.force && !o.installHook:
		return &usageError{msg: "--force only goes with --install-hook", hint: "run nolegacyruns --install-hook --force"}
	case o.fix && o.staged:
		return &usageError{msg: "--fix rewrites the work tree, so it cannot fix what --staged reads from the index", hint: "run nolegacyruns --fix, review, then git add"}
	case o.fix && o.writeBase != "":
		return &usageError{msg: "--fix and --write-baseline do not go together", hint: "fix first, then write the baseline"}
	case o.writeBase != "" && o.diff != "":
		return &usageError{msg: "--write-baseline cannot record a --diff run, which sees only the changed lines", hint: "write the baseline without --diff (with --staged or paths to update some files only)"}
	case o.test && (len(o.paths) > 0 || o.fix || o.staged || o.diff != "" || o.writeBase != "" || o.listRules):
		return &usageError{msg: "--test checks the rule file's examples and scans no files, so it takes no paths, --fix, --staged, --diff, --write-baseline or --list-rules", hint: "run nolegacyruns --test alone, with --config, --rule or --skip-rule"}
	case o.noBaseline && o.baselineSet && o.baseline != "":
		return &usageError{msg: "--no-baseline and --baseline do not go together", hint: "pass one of them"}
	}
	if o.shardFlag != "" {
		sh, err := scanner.ParseShard(o.shardFlag)
		if err != nil {
			return &usageError{msg: "--shard " + err.Error(), hint: "give --shard the part to scan and the number of parts, like --shard 2/4 (from 1/4 to 4/4)"}
		}
		if o.writeBase != "" {
			return &usageError{msg: "--write-baseline cannot record a --shard run, which sees a part of the files", hint: "write the baseline from a run without --shard"}
		}
		o.shard = sh
	}
	if err := checkUpdate(o); err != nil {
		return err
	}
	if o.baselineSet && o.baseline == "" {
		o.noBaseline = true
	}
	if o.pathPrefix != "" {
		p := filepath.ToSlash(o.pathPrefix)
		if path.IsAbs(p) || filepath.IsAbs(o.pathPrefix) {
			return &usageError{msg: fmt.Sprintf("--path-prefix %s is absolute", o.pathPrefix), hint: "give the root's path relative to the repository, like services/api"}
		}
		p = path.Clean(p)
		if p == ".." || strings.HasPrefix(p, "../") {
			return &usageError{msg: fmt.Sprintf("--path-prefix %s climbs out of the repository", o.pathPrefix), hint: "give the root's path relative to the repository, like services/api"}
		}
		if p == "." {
			p = ""
		}
		o.pathPrefix = p
	}
	return nil
}

func modeName(o *options) string {
	if o.staged {
		return "--staged"
	}
	return "--diff"
}

// checkUpdate decides --update-baseline [FILE]: FILE is the baseline in
// effect for the run.
func checkUpdate(o *options) error {
	if !o.update {
		return nil
	}
	switch {
	case o.writeBase != "":
		return &usageError{msg: "--update-baseline and --write-baseline do not go together", hint: "--update-baseline only removes fixed findings; --write-baseline records everything"}
	case o.diff != "":
		return &usageError{msg: "--update-baseline cannot update from a --diff run, which sees only the changed lines", hint: "update without --diff (with --staged or paths to update some files only)"}
	case o.fix:
		return &usageError{msg: "--fix and --update-baseline do not go together", hint: "fix first, then update the baseline"}
	case o.shardFlag != "":
		return &usageError{msg: "--update-baseline cannot update from a --shard run, which sees a part of the files", hint: "update the baseline from a run without --shard"}
	case o.noBaseline:
		return &usageError{msg: "--update-baseline and --no-baseline do not go together", hint: "pass one of them"}
	case o.updateFile != "" && o.baselineSet && o.baseline != o.updateFile:
		return &usageError{msg: fmt.Sprintf("--update-baseline %s and --baseline %s name two files", o.updateFile, o.baseline), hint: "pass the file once, to --update-baseline"}
	}
	if o.updateFile != "" {
		o.baseline, o.baselineSet = o.updateFile, true
	}
	return nil
}
