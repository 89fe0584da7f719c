package cli

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/pkg/report"
)

// stepSummaryMax is the most GitHub takes in a step's summary file; more,
// and it shows none of it.
const stepSummaryMax = 1 << 20

// format returns a new format set up for this run: colour for text on a
// terminal, links to the lines for Markdown, and for GitHub's annotations
// the other places that list every finding.
func (c *command) format(name string, stdout bool) report.Format {
	f, _ := report.Lookup(name)
	switch f := f.(type) {
	case *report.Text:
		f.Color = stdout && (c.opt.color == "always" || (c.opt.color == "auto" && c.env.IsTerminal && c.env.Getenv("NO_COLOR") == ""))
	case *report.Markdown:
		f.LinkBase = c.linkBase()
	case *report.GitHub:
		if c.stepSummary() != "" && c.jobSummaryWhole {
			f.Elsewhere = append(f.Elsewhere, "in the job summary")
		}
		f.Elsewhere = append(f.Elsewhere, c.reportFiles()...)
	}
	return f
}

// reportFiles are the --report files, as "in FILE".
func (c *command) reportFiles() []string {
	var out []string
	for _, r := range c.opt.reports {
		if r.file != "-" {
			out = append(out, "in "+r.file)
		}
	}
	return out
}

// linkBase is the URL that a file's path follows in a link to its lines
// at the commit being checked: on GitHub Actions and on GitLab CI.
func (c *command) linkBase() string {
	get := c.env.Getenv
	if s, r, sha := get("GITHUB_SERVER_URL"), get("GITHUB_REPOSITORY"), get("GITHUB_SHA"); s != "" && r != "" && sha != "" {
		return strings.TrimSuffix(s, "/") + "/" + r + "/blob/" + sha + "/"
	}
	if p, sha := get("CI_PROJECT_URL"), get("CI_COMMIT_SHA"); p != "" && sha != "" {
		return strings.TrimSuffix(p, "/") + "/-/blob/" + sha + "/"
	}
	return ""
}

// stepSummary is the file GitHub shows as the job summary, when the run
// annotates for GitHub (--format github or --report github=FILE) in a
// GitHub Actions step.
func (c *command) stepSummary() string {
	uses := c.opt.format == "github"
	for _, r := range c.opt.reports {
		uses = uses || r.format == "github"
	}
	if !uses {
		return ""
	}
	return c.env.Getenv("GITHUB_STEP_SUMMARY")
}

// makeStepSummary makes the Markdown summary for GitHub's step summary
// file, cut to what is left of its 1 MiB, before any report is written: the
// notice of --format github names the job summary only if it lists every
// finding.
func (c *command) makeStepSummary(rep *report.Report) error {
	name := c.stepSummary()
	if name == "" {
		return nil
	}
	used := int64(0)
	if fi, err := os.Stat(name); err == nil && fi.Mode().IsRegular() {
		used = fi.Size()
	}
	left := stepSummaryMax - int(min(used, stepSummaryMax))
	if left < 2<<10 {
		c.notef("the job summary is full (%d bytes of GitHub's %d), so nolegacyruns adds nothing to it", used, stepSummaryMax)
		return nil
	}
	md := &report.Markdown{LinkBase: c.linkBase(), Limit: left - 1, FullList: listOf(append([]string{"in the job log"}, c.reportFiles()...))}
	var buf bytes.Buffer
	buf.WriteString("\n") // apart from what the step wrote before
	if err := md.Write(&buf, rep); err != nil {
		return err
	}
	c.jobSummary, c.jobSummaryWhole = buf.Bytes(), !md.Cut
	return nil
}

// writeStepSummary appends the summary that makeStepSummary made to
// GitHub's step summary file.
func (c *command) writeStepSummary() error {
	name := c.stepSummary()
	if c.jobSummary == nil {
		return nil
	}
	if err := fileio.AppendFile(name, c.jobSummary, 0o644); err != nil {
		return fmt.Errorf("writing the job summary to %s (GITHUB_STEP_SUMMARY): %w", name, err)
	}
	return nil
}

// listOf joins "a", "b" and "c" as "a, b and c".
func listOf(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
