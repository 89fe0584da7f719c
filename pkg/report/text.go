package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Text is the default format: one "path:line:column: severity: message"
// line per finding, with the hint indented below it. What a pull request
// chooses is printed so that GitHub's runner reads no workflow command in
// it (logsafe.go).
type Text struct {
	Color bool
}

const (
	bold   = "\x1b[1m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

func (t *Text) paint(code, s string) string {
	if !t.Color {
		return s
	}
	return code + s + reset
}

// Write implements Format.
func (t *Text) Write(w io.Writer, r *Report) error {
	var bw *bufio.Writer // made for the first finding: most runs have none
	var ew *errWriter
	for f := range r.Active() {
		if bw == nil {
			bw = bufio.NewWriterSize(w, 64<<10)
			ew = &errWriter{w: bw}
		}
		sev := f.Rule.Severity.String()
		code := red
		if f.Rule.Severity == rules.SeverityWarning {
			code = yellow
		}
		ew.printf("%s: %s: %s: %s (%s)\n",
			t.paint(bold, LogPath(f.Path)+":"+strconv.Itoa(f.Line)+":"+strconv.Itoa(f.Column)),
			t.paint(code, sev), LogSafe(Message(f)), logQuote(f.Match), f.Rule.ID)
		if f.Rule.Hint != "" {
			ew.printf("    %s %s\n", t.paint(dim, "hint:"), LogSafe(f.Rule.Hint))
		}
	}
	if bw == nil {
		return nil
	}
	if ew.err != nil {
		return ew.err
	}
	return bw.Flush()
}

// QuotePath returns p as is when it is plain, or Go-quoted when it holds
// anything that would break a path:line:column line or a terminal: control
// characters, invalid UTF-8, a colon, a quote or leading/trailing space.
func QuotePath(p string) string {
	plain := utf8.ValidString(p) && !strings.ContainsAny(p, ":\"") &&
		strings.TrimSpace(p) == p && p != ""
	if plain {
		for _, r := range p {
			if !unicode.IsPrint(r) && r != ' ' {
				plain = false
				break
			}
		}
	}
	if plain {
		return p
	}
	return strconv.Quote(p)
}
