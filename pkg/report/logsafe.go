package report

import (
	"strconv"
	"strings"
	"unicode"
)

// GitHub's runner reads workflow commands in every line a step prints, on
// standard output and standard error (actions/runner, ActionCommand.cs),
// and a line ends at CR or LF:
//
//   - "::name args::value" (TryParseV2) when the line, after the white
//     space it trims, starts with "::";
//   - "##[name args]value" (TryParse, the old form) at the first "##[" of
//     the line, wherever it is.
//
// Either can annotate the pull request, mask text, or, with stop-commands,
// turn off every later command of the step, ours included. The formats for
// people (text, the github list, --history text, --explain, --list-rules,
// --test) and every message on standard error print what a pull request
// chooses (file names, lines of code, commit authors and subjects, its rule
// file) so that the runner reads no command in it:
//
//   - it holds no line break (each is written \r or \n);
//   - "##[" is written "#\x23[": \x23 is the Go escape of #, so a path or a
//     match printed Go-quoted still unquotes to what it is;
//   - a line that would start with "::" starts ":\x3a".
//
// The runner finds "::" and "##[" with .NET's culture-sensitive search,
// which skips characters such as U+00AD: so a line that starts with "::" is
// changed whatever follows (its second "::" could be ":\u00ad:"), while a
// "##[" that such a character splits is left alone, since the runner then
// takes the command's name from the wrong place ("#\u00ad#[error]" names
// "[error", no command). Paths and matches are Go-quoted when they hold
// "##[" (LogPath, logQuote), so the escape always stands in a quoted string
// there; in free text (a rule's message) it reads as the Go escape it is.
// Nothing else changes: a "::" after the start of a line (PHP's
// Foo::bar()) or a "##" without "[" is printed as it is. The machine
// formats (JSON, SARIF, Checkstyle, JUnit, GitLab) and the Markdown
// summary, which escapes # and [ and has no line break in a cell, are left
// alone; so is the --fix --dry-run diff, a patch whose lines must stay the
// file's.

// noLegacyCommand writes ##[ as #\x23[.
func noLegacyCommand(s string) string {
	if !strings.Contains(s, "##[") {
		return s
	}
	return strings.ReplaceAll(s, "##[", `#\x23[`)
}

// LogSafe makes s safe to print inside a line of a CI log, after text of
// ours: its line breaks are written \r and \n, and ##[ is written #\x23[.
func LogSafe(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
	}
	return noLegacyCommand(s)
}

// LogLine makes s safe to print as a whole line of a CI log (or the start
// of one): LogSafe, and when the line would start with "::" after the white
// space the runner trims (unicode.IsSpace is .NET's Char.IsWhiteSpace), its
// second ":" is written \x3a.
func LogLine(s string) string {
	s = LogSafe(s)
	rest := strings.TrimLeftFunc(s, unicode.IsSpace)
	if strings.HasPrefix(rest, "::") {
		i := len(s) - len(rest) + 1
		s = s[:i] + `\x3a` + s[i+1:]
	}
	return s
}

// LogLines applies LogLine to each line of s, which ends with a line break
// or not.
func LogLines(s string) string {
	if !strings.Contains(s, "::") && !strings.Contains(s, "##[") && !strings.Contains(s, "\r") {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		body, nl := strings.CutSuffix(l, "\n")
		lines[i] = LogLine(body)
		if nl {
			lines[i] += "\n"
		}
	}
	return strings.Join(lines, "")
}

// LogPath is a path for a line of a CI log: QuotePath, and Go-quoted also
// when it holds ##[, which is written #\x23[ there. It never holds a line
// break or ##[, and never starts a line with "::" (a colon makes QuotePath
// quote it).
func LogPath(p string) string {
	if strings.Contains(p, "##[") {
		return logQuote(p)
	}
	return QuotePath(p)
}

// logQuote is strconv.Quote, with ##[ written #\x23[.
func logQuote(s string) string { return noLegacyCommand(strconv.Quote(s)) }
