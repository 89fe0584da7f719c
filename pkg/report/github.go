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

// The escapes of workflow commands; a Replacer is immutable and safe to share.
var (
	ghDataEscapes     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscapes = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// ghData escapes a workflow command's message.
func ghData(s string) string { return ghDataEscapes.Replace(s) }

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string { return ghPropertyEscapes.Replace(s) }
