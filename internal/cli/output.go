package cli

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/internal/pipeline"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// reportOf is what the formats render.
func (c *command) reportOf(r *pipeline.Run) *report.Report {
	rep := &report.Report{Tool: "nolegacyruns", Version: Version(), Rules: c.rules,
		Findings: r.Findings, Errors: r.Errors, Stats: r.Stats, Stale: r.Stale, Baseline: r.Progress}
	if sh := c.opt.shard; sh.Split() {
		rep.Shard = report.Shard{Index: sh.Index, Count: sh.Count}
	}
	return rep
}

// output writes the reports, the file errors and the summary.
func (c *command) output(r *pipeline.Run) outcome {
	rep := c.reportOf(r)
	if err := c.makeStepSummary(rep); err != nil {
		return fail(err)
	}
	f := c.format(c.opt.format, true)
	if err := f.Write(c.env.Stdout, rep); err != nil {
		return fail(fmt.Errorf("writing the report: %w", err))
	}
	for _, s := range c.opt.reports {
		if err := c.writeReport(s, rep); err != nil {
			return fail(err)
		}
	}
	if err := c.writeStepSummary(); err != nil {
		return fail(err)
	}
	return c.finish(r)
}

// finish prints the file errors and the summary, and tallies the outcome.
func (c *command) finish(r *pipeline.Run) outcome {
	for _, e := range r.Errors {
		c.errorf("%s: %v", report.LogPath(e.Path), e.Err)
	}
	counts := result.Count(r.Findings)
	for _, p := range r.Progress {
		// The migration's progress, per rule, whenever a baseline is in use.
		c.notef("%s: %d in the baseline, %d fixed since it was written", p.Rule, p.Baselined, p.Fixed)
	}
	c.summary(r, counts)
	if r.Stale > 0 && !c.opt.update {
		if r.Stale == 1 {
			c.notice("1 recorded finding in the baseline no longer occurs; run --update-baseline to prune it")
		} else {
			c.notice("%d recorded findings in the baseline no longer occur; run --update-baseline to prune them", r.Stale)
		}
	}
	if len(r.Errors) > 0 {
		c.hint("%s could not be read, so the scan is incomplete; fix their permissions or exclude them in the rule file",
			plural(len(r.Errors), "file", "files"))
	}
	return outcome{counts: counts, fileErrors: len(r.Errors)}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// summary is the closing line on stderr; -q silences it.
func (c *command) summary(r *pipeline.Run, n result.Counts) {
	if c.opt.quiet {
		return
	}
	took := time.Since(c.start).Round(time.Millisecond)
	scanned := plural(r.Stats.FilesScanned, "file", "files") + " scanned in " + took.String()
	if sh := c.opt.shard; sh.Split() {
		scanned = fmt.Sprintf("shard %s: %s scanned in %s (%s in the other shards)", sh,
			plural(r.Stats.FilesScanned, "file", "files"), took, plural(r.Stats.FilesElsewhere, "file", "files"))
	}
	var quiet []string
	if n.Suppressed > 0 {
		quiet = append(quiet, fmt.Sprintf("%d suppressed", n.Suppressed))
	}
	if n.Baselined > 0 {
		quiet = append(quiet, fmt.Sprintf("%d in the baseline", n.Baselined))
	}
	if r.Stale > 0 {
		quiet = append(quiet, fmt.Sprintf("%d stale in the baseline", r.Stale))
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
}

// writeReport writes one --report file (see fileio.WriteFile), or standard
// output for -.
func (c *command) writeReport(s reportSpec, rep *report.Report) error {
	f := c.format(s.format, false)
	if s.file == "-" {
		return f.Write(c.env.Stdout, rep)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, rep); err != nil {
		return err
	}
	if err := fileio.WriteFile(c.abs(s.file), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the %s report to %s: %w", s.format, s.file, err)
	}
	return nil
}

// checkOutputs refuses, before the scan, report and baseline files that
// could not be written at its end.
func (c *command) checkOutputs() error {
	for _, r := range c.opt.reports {
		if r.file == "-" {
			continue
		}
		if err := fileio.CheckWritable(c.abs(r.file)); err != nil {
			return &usageError{msg: fmt.Sprintf("cannot write the %s report to %s: %v", r.format, r.file, err), hint: "give --report FORMAT=FILE a file in an existing folder that you can write to, or - for standard output"}
		}
	}
	if f := c.opt.writeBase; f != "" && f != "-" {
		if err := fileio.CheckWritable(c.abs(f)); err != nil {
			return &usageError{msg: fmt.Sprintf("cannot write the baseline to %s: %v", f, err), hint: "give --write-baseline a file in an existing folder that you can write to"}
		}
	}
	return nil
}
