package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

const mergeUsage = `usage: nolegacyruns merge [-q] [-o FILE] REPORT...

Merges the JSON or SARIF reports of the shards of one run (--shard 1/N to
N/N, each once) into the report the run without --shard would have
written, byte for byte, on standard output or in FILE, and exits as that
run would: 0 no error finding, 1 error findings, 2 a shard could not read
a file, or the reports do not make one run.

Flags:
  -o FILE   write the merged report to FILE
  -q        print nothing on stderr but errors
`

// maxPartSize bounds each report a merge reads. A merge holds every part
// in memory, decoded (3 to 4 times its size), so a bound is what stops a
// file that is no shard's report (a log, a runaway file) before it is
// read, rather than when the memory runs out. It admits the reports of the
// worst case the guard documents, a million findings in one shard: 202 MiB
// of JSON and 786 MiB of SARIF, whose merges peak at 788 MiB and 2.3 GiB
// (measured; docs/RELIABILITY.md). What is not a regular file (a FIFO,
// /dev/zero) is refused before it is read.
const maxPartSize = 1 << 30

// runMerge is "nolegacyruns merge": the shards' reports made one.
func runMerge(args []string, env Env) int {
	c := &command{env: env}
	fs := flag.NewFlagSet("nolegacyruns merge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&c.opt.quiet, "q", false, "")
	outFile := fs.String("o", "", "")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(env.Stdout, mergeUsage)
				return ExitClean
			}
			c.report(&usageError{msg: "merge: " + strings.TrimPrefix(err.Error(), "flag "), hint: "run nolegacyruns merge --help"})
			return ExitTrouble
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			files = append(files, rest...)
			break
		}
		files = append(files, rest[0])
		args = rest[1:]
	}
	out := c.merge(files, *outFile)
	if out.err != nil {
		c.report(out.err)
	}
	return verdict(out)
}

func (c *command) merge(files []string, outFile string) outcome {
	if len(files) == 0 {
		return fail(&usageError{msg: "merge: no report to merge", hint: "name the JSON or SARIF reports of every shard: nolegacyruns merge part*.json"})
	}
	if outFile != "" {
		if err := fileio.CheckWritable(c.abs(outFile)); err != nil {
			return fail(&usageError{msg: fmt.Sprintf("merge: cannot write %s: %v", outFile, err), hint: "give -o a file in an existing folder that you can write to"})
		}
	}
	var parts []report.Part
	for _, f := range files {
		data, err := fileio.ReadLimited(c.abs(f), maxPartSize)
		if errors.Is(err, fileio.ErrTooLarge) {
			return fail(&usageError{msg: fmt.Sprintf("merge: %s is larger than %d GiB, more than a shard's report of a million findings", f, maxPartSize>>30),
				hint: "name the reports that the shards wrote; a run with more findings than that is better recorded in a baseline (--write-baseline) or split by rule (--rule)"})
		}
		if err != nil {
			return fail(&usageError{msg: fmt.Sprintf("merge: cannot read %s: %v", f, errors.Unwrap(err)), hint: "name the reports that the shards wrote (--report json=FILE or sarif=FILE)"})
		}
		parts = append(parts, report.Part{Name: f, Data: data})
	}
	var buf bytes.Buffer
	m, err := report.Merge(&buf, parts)
	var me *report.MergeError
	if errors.As(err, &me) {
		return fail(&usageError{msg: "merge: " + me.Msg, hint: me.Hint})
	}
	if err != nil {
		return fail(err)
	}
	if outFile == "" {
		if _, err := c.env.Stdout.Write(buf.Bytes()); err != nil {
			return fail(fmt.Errorf("writing the report: %w", err))
		}
	} else if err := fileio.WriteFile(c.abs(outFile), buf.Bytes(), 0o644); err != nil {
		return fail(fmt.Errorf("writing the merged report to %s: %w", outFile, err))
	}
	for _, e := range m.ReadErrors {
		c.errorf("%s: %s", report.LogPath(e.Path), e.Error)
	}
	if !c.opt.quiet {
		var quiet []string
		for _, q := range []struct {
			n    int
			what string
		}{{m.Suppressed, "suppressed"}, {m.Baselined, "in the baseline"}, {m.StaleBaseline, "stale in the baseline"}} {
			if q.n > 0 {
				quiet = append(quiet, fmt.Sprintf("%d %s", q.n, q.what))
			}
		}
		also := ""
		if len(quiet) > 0 {
			also = " (" + strings.Join(quiet, ", ") + ")"
		}
		found := "no findings" + also
		if total := m.Errors + m.Warnings; total > 0 {
			found = fmt.Sprintf("%s (%s, %s) in %s%s", plural(total, "finding", "findings"),
				plural(m.Errors, "error", "errors"), plural(m.Warnings, "warning", "warnings"), plural(m.Files, "file", "files"), also)
		}
		scanned := ""
		if m.FilesScanned >= 0 {
			scanned = "; " + plural(m.FilesScanned, "file", "files") + " scanned"
		}
		c.errorf("merged %s: %s%s", plural(m.Parts, "shard", "shards"), found, scanned)
	}
	if len(m.ReadErrors) > 0 {
		c.hint("%s could not be read, so the scan is incomplete; fix their permissions or exclude them in the rule file",
			plural(len(m.ReadErrors), "file", "files"))
	}
	return outcome{counts: result.Counts{Errors: m.Errors, Warnings: m.Warnings, Files: m.Files}, fileErrors: len(m.ReadErrors)}
}
