package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// GitHub prints workflow commands that GitHub Actions turns into
// annotations on the pull request. GitHub shows at most 10 error and 10
// warning annotations of a step and drops the rest silently, so it
// annotates the first 10 errors, then the first 10 warnings, and says in
// one notice how many are not annotated and where they all are: listed
// below in the log, in a folded group, and wherever Elsewhere says.
type GitHub struct {
	// Elsewhere names the other places with the full list, such as "in
	// the job summary" or "in results.sarif".
	Elsewhere []string
}

var _ Format = (*GitHub)(nil)

// GitHubAnnotations is how many annotations of each severity GitHub
// shows per step.
const GitHubAnnotations = 10

// Write implements Format.
func (g *GitHub) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	ew := &errWriter{w: bw}
	total, annotated := 0, 0
	for _, sev := range []rules.Severity{rules.SeverityError, rules.SeverityWarning} {
		n := 0
		for f := range r.Active() {
			if sev == rules.SeverityError {
				total++
			}
			if severityOf(f) != sev || n == GitHubAnnotations {
				continue
			}
			n++
			annotated++
			ghAnnotate(ew, f)
		}
	}
	if rest := total - annotated; rest > 0 {
		where := append(append([]string{}, g.Elsewhere...), "below")
		ew.printf("::notice title=nolegacyruns::%s", ghData(fmt.Sprintf(
			"%s not annotated: GitHub shows %d error and %d warning annotations per step; all %d are listed %s",
			plural(rest, "finding is", "findings are"), GitHubAnnotations, GitHubAnnotations, total, listOf(where))))
		ew.printf("\n::group::nolegacyruns: %s\n", plural(total, "finding", "findings"))
		for f := range r.Active() {
			// A plain log line: a line break in it could start a workflow
			// command, so none is left, nor the old form ##[ that the
			// runner reads anywhere in a line (see logsafe.go).
			ew.printf("%s\n", noLegacyCommand(oneLine(fmt.Sprintf("%s:%d:%d: %s: %s: %s (%s)", LogPath(f.Path), f.Line, f.Column,
				f.Rule.Severity, Message(f), strconv.Quote(f.Match), f.Rule.ID))))
		}
		ew.printf("::endgroup::\n")
	}
	if ew.err != nil {
		return ew.err
	}
	return bw.Flush()
}

// oneLine escapes line breaks, so that a text stays on its log line.
func oneLine(s string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(validUTF8(s))
}

func severityOf(f *result.Finding) rules.Severity {
	if f.Rule.Severity == rules.SeverityWarning {
		return rules.SeverityWarning
	}
	return rules.SeverityError
}

func ghAnnotate(ew *errWriter, f *result.Finding) {
	cmd := "error"
	if severityOf(f) == rules.SeverityWarning {
		cmd = "warning"
	}
	msg := fmt.Sprintf("%s: %q", Message(f), f.Match)
	if f.Rule.Hint != "" {
		msg += "\nhint: " + f.Rule.Hint
	}
	ew.printf("::%s file=%s,line=%d,col=%d,endColumn=%d,title=%s::%s\n", cmd,
		ghProperty(validUTF8(f.Path)), f.Line, f.Column, f.EndColumn,
		ghProperty("nolegacyruns "+f.Rule.ID), ghData(validUTF8(msg)))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// listOf joins "a", "b" and "c" as "a, b and c".
func listOf(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// ghData escapes a workflow command's message: %, CR and LF.
func ghData(s string) string { return ghEscape(s, false) }

// ghProperty escapes a workflow command's property value: also : and ,.
func ghProperty(s string) string { return ghEscape(s, true) }

// ghEscape percent-encodes the bytes workflow commands reserve. It is a
// function, not a package-level strings.Replacer, so that nothing is built
// at start-up.
func ghEscape(s string, property bool) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '%':
			esc = "%25"
		case '\r':
			esc = "%0D"
		case '\n':
			esc = "%0A"
		case ':':
			esc = "%3A"
		case ',':
			esc = "%2C"
		}
		if esc == "" || !property && (s[i] == ':' || s[i] == ',') {
			continue
		}
		if last == 0 {
			b.Grow(len(s) + 2*4)
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
