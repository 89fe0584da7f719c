package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// GitHub prints workflow commands that GitHub Actions turns into
// annotations on the pull request.
type GitHub struct{}

var _ Format = GitHub{}

// Write implements Format.
func (GitHub) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	ew := &errWriter{w: bw}
	for f := range r.Active() {
		cmd := "error"
		if f.Rule.Severity.String() == "warning" {
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
	if ew.err != nil {
		return ew.err
	}
	return bw.Flush()
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
