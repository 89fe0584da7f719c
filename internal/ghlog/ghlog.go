// Package ghlog reads a step's output as GitHub's runner could, for tests:
// which of its lines the runner might take for workflow commands.
package ghlog

import (
	"strings"
	"unicode"
)

// Command is a line the runner might take for a workflow command.
type Command struct {
	Name string // the text after "::" or "##[", up to a space, "::" or "]"
	Line string
}

// Commands lists the lines of out that the runner might read as workflow
// commands (actions/runner, src/Runner.Common/ActionCommand.cs): a line
// ends at CR, LF or CRLF (.NET's ReadLine); TryParseV2 takes a line whose
// text, after the white space String.TrimStart trims (unicode.IsSpace is
// the same set), starts with "::"; TryParse takes the first "##[" of a line
// and the "]" after it. It reads more than the runner does, so that a test
// of it holds for any runner: any name counts, not only the runner's
// commands (after ::stop-commands::TOKEN, TOKEN is one too), a line that
// starts with "::" counts without a second "::" (.NET's culture-sensitive
// search can find one in ":\u00ad:"), and "##[" counts without a "]".
func Commands(out string) []Command {
	var cmds []Command
	for _, line := range lines(out) {
		if t := strings.TrimLeftFunc(line, unicode.IsSpace); strings.HasPrefix(t, "::") {
			cmds = append(cmds, Command{name(t[2:], "::"), line})
		} else if _, after, ok := strings.Cut(line, "##["); ok {
			cmds = append(cmds, Command{name(after, "]"), line})
		}
	}
	return cmds
}

func lines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
}

// name is the start of s up to a space or end.
func name(s, end string) string {
	if i := strings.Index(s, end); i >= 0 {
		s = s[:i]
	}
	n, _, _ := strings.Cut(s, " ")
	return n
}
