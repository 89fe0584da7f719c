package report

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/internal/ghlog"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

func TestLogLine(t *testing.T) {
	for _, c := range []struct{ in, line, safe string }{
		{"plain text", "plain text", "plain text"},
		{"Foo::bar(); // ::x::", "Foo::bar(); // ::x::", "Foo::bar(); // ::x::"},
		{"::stop-commands::tok", `:\x3astop-commands::tok`, "::stop-commands::tok"},
		{" \t\u00a0\u3000::error::x", " \t\u00a0\u3000:\\x3aerror::x", " \t\u00a0\u3000::error::x"},
		{"::class", `:\x3aclass`, "::class"},
		{":\u00ad:x", ":\u00ad:x", ":\u00ad:x"},
		{"x ##[error]y", `x #\x23[error]y`, `x #\x23[error]y`},
		{"###[a]##[b]", `##\x23[a]#\x23[b]`, `##\x23[a]#\x23[b]`},
		{"## [x] #[y]", "## [x] #[y]", "## [x] #[y]"},
		{"a\r\n::error::x", `a\r\n::error::x`, `a\r\n::error::x`},
		{"\n::error::x", `\n::error::x`, `\n::error::x`},
		{"\u200b::error::x", "\u200b::error::x", "\u200b::error::x"},
	} {
		if got := LogLine(c.in); got != c.line {
			t.Errorf("LogLine(%q) = %q, want %q", c.in, got, c.line)
		}
		if got := LogSafe(c.in); got != c.safe {
			t.Errorf("LogSafe(%q) = %q, want %q", c.in, got, c.safe)
		}
	}
	if got, want := LogLines("a\n  ::x::y\nb ##[c]\n::d"), "a\n  :\\x3ax::y\nb #\\x23[c]\n:\\x3ad"; got != want {
		t.Errorf("LogLines: %q, want %q", got, want)
	}
	for _, c := range []struct{ in, want string }{
		{"app/a.php", "app/a.php"},
		{"app/x##[error]y.php", `"app/x#\x23[error]y.php"`},
		{"::error file=README.md::pwned", `"::error file=README.md::pwned"`},
		{"a\n::warning::b", `"a\n::warning::b"`},
	} {
		if got := LogPath(c.in); got != c.want {
			t.Errorf("LogPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// hostile is a report of what a pull request chooses: file names, matched
// text, lines of code and, through its rule file, messages and hints that
// a runner could read as workflow commands.
func hostile() *Report {
	r := &rules.Rule{ID: "forged", Message: "see ##[warning]msg\n::error::from the message",
		Hint: "x\r::stop-commands::hint ##[add-mask]h", Tokens: []string{"x"}}
	var fs []*result.Finding
	for i, p := range []string{"::error file=README.md::pwned", "x##[error]y.php", "a\r::warning::cr", "a\n::notice::lf",
		"  ::stop-commands::sp", "\u00a0::error::nbsp", "#\u00ad#[error]shy", "plain.php"} {
		for j, m := range []string{"##[add-mask]secret", "::stop-commands::m", "\n::error::match"} {
			fs = append(fs, &result.Finding{Path: p, Line: 1 + j, Column: 1 + i, EndColumn: 2 + i, Rule: r, Match: m,
				Detail: "it names \"##[error]d\"", LineText: []string{"::stop-commands::tok x", "\t::error::x", "a ##[error]b"}[j]})
		}
	}
	result.Sort(fs)
	return &Report{Tool: "nolegacyruns", Version: "v1.0.0", Rules: []rules.Rule{*r}, Findings: fs,
		Errors: []result.FileError{{Path: "::error::unreadable\n##[error]x", Err: errors.New("file shrank while it was read ##[error]e")}}}
}

// No format for people prints a line that GitHub's runner could take for a
// workflow command, whatever the pull request chose, but the github
// format's own commands; quoted paths unquote to the file's name.
func TestHumanFormatsCarryNoCommand(t *testing.T) {
	r := hostile()
	for _, name := range []string{"text", "markdown", "github"} {
		out := string(render(t, name, r))
		for _, c := range ghlog.Commands(out) {
			ours := name == "github" && (strings.HasPrefix(c.Line, "::error file=") || strings.HasPrefix(c.Line, "::warning file=") ||
				strings.HasPrefix(c.Line, "::notice title=nolegacyruns::") || strings.HasPrefix(c.Line, "::group::nolegacyruns: ") || c.Line == "::endgroup::")
			if !ours {
				t.Errorf("%s: the runner reads %q in %q", name, c.Name, c.Line)
			}
		}
	}
	// Few enough findings for annotations alone: none but ours either.
	few := hostile()
	few.Findings = few.Findings[:3]
	for _, c := range ghlog.Commands(string(render(t, "github", few))) {
		if !strings.HasPrefix(c.Line, "::error file=") {
			t.Errorf("github: the runner reads %q in %q", c.Name, c.Line)
		}
	}
	out := string(render(t, "text", r))
	for _, f := range r.Findings {
		q := LogPath(f.Path)
		if !strings.Contains(out, "\n"+q+":") && !strings.HasPrefix(out, q+":") {
			t.Errorf("text: no line for %q", q)
		}
		if p, err := strconv.Unquote(q); q != f.Path && (err != nil || p != f.Path) {
			t.Errorf("%q does not unquote to %q: %q, %v", q, f.Path, p, err)
		}
		if m, err := strconv.Unquote(logQuote(f.Match)); err != nil || m != f.Match {
			t.Errorf("%q does not unquote to %q", logQuote(f.Match), f.Match)
		}
	}
	if strings.Count(out, "\n") != 2*len(r.Findings) {
		t.Errorf("text: %d lines for %d findings and their hints:\n%s", strings.Count(out, "\n"), len(r.Findings), out)
	}

	h := sampleHistory()
	for i := range h.Result.Commits {
		c := &h.Result.Commits[i]
		c.Author, c.Subject = "Eve\n::error::author ##[warning]a", "::stop-commands::subject ##[error]s"
		c.Added = r.Findings
	}
	out = string(mustWrite(t, HistoryText{}, h))
	if cmds := ghlog.Commands(out); len(cmds) > 0 {
		t.Errorf("history text: the runner reads %v in\n%s", cmds, out)
	}
	if !strings.Contains(out, "\n      :\\x3astop-commands::tok x\n") || !strings.Contains(out, "\n      :\\x3aerror::x\n") {
		t.Errorf("history text: lines of code that start with :: are not shown as such:\n%s", out)
	}
}

func mustWrite(t *testing.T, f HistoryFormat, h *History) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b, h); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Whatever the text, LogSafe keeps it on one line after a prefix of ours,
// LogLine and LogLines as lines of their own, and LogPath on a line of a
// finding, and the runner reads no command in any of them; what is quoted
// unquotes to the text.
func FuzzLogSafe(f *testing.F) {
	for _, s := range []string{"::error::x", "a\r\n##[error]b", " \u3000::x", "###[", "\u0085::x::y", ":\u00ad:", "\xff::x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{"nolegacyruns: " + LogSafe(s) + "\n", LogLine(s), LogLines(s),
			LogPath(s) + ":1:1: error: m " + logQuote(s) + " (id)", "      " + LogLine(printable(s))} {
			if cmds := ghlog.Commands(out); len(cmds) > 0 {
				t.Fatalf("%q: the runner reads %v", s, cmds)
			}
		}
		if strings.ContainsAny(LogSafe(s), "\r\n") || strings.ContainsAny(LogLine(s), "\r\n") {
			t.Fatalf("%q: a line break is left", s)
		}
		if got, want := strings.Count(LogLines(s), "\n"), strings.Count(s, "\n"); got != want {
			t.Fatalf("%q: LogLines has %d line breaks, not %d", s, got, want)
		}
		if q := LogPath(s); q != s {
			if p, err := strconv.Unquote(q); err != nil || p != s {
				t.Fatalf("LogPath(%q) = %q unquotes to %q, %v", s, q, p, err)
			}
		}
	})
}

// The history formats for machines and the page keep their bytes: only the
// text format changes what a pull request chose.
func TestHistoryMachineFormatsUnchanged(t *testing.T) {
	h := sampleHistory()
	h.Result.Commits[1].Subject = "##[error]s"
	if out := mustWrite(t, HistoryJSON{}, h); !bytes.Contains(out, []byte(`"subject": "##[error]s"`)) {
		t.Errorf("history json changed the subject:\n%s", out)
	}
}
