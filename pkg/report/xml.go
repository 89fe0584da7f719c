package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Checkstyle is the checkstyle XML that Jenkins' warnings plugin and
// GitLab's code quality converters read.
type Checkstyle struct{}

// JUnit is JUnit XML for test report views: one failing test case per
// error finding, a passing one when there is none.
type JUnit struct{}

var (
	_ Format = Checkstyle{}
	_ Format = JUnit{}
)

// Write implements Format.
func (Checkstyle) Write(w io.Writer, r *Report) error {
	x := newXMLStream(w)
	x.start("checkstyle", "version", "4.3")
	file := ""
	for f := range r.Active() {
		if name := xmlText(f.Path); name != file || !x.open("file") {
			if x.open("file") {
				x.end()
			}
			x.start("file", "name", name)
			file = name
		}
		x.start("error",
			"line", strconv.Itoa(f.Line),
			"column", strconv.Itoa(f.Column),
			"severity", f.Rule.Severity.String(),
			"message", xmlText(fmt.Sprintf("%s: %q", Message(f), f.Match)),
			"source", "nolegacyruns."+f.Rule.ID)
		x.end()
	}
	return x.close()
}

// Write implements Format. A test case is named by the finding's identity
// (path, rule, match, and a short fingerprint), so that test history in CI
// follows a finding when lines move.
func (JUnit) Write(w io.Writer, r *Report) error {
	tests, failures := 0, 0
	for f := range r.Active() {
		tests++
		if f.Rule.Severity != rules.SeverityWarning {
			failures++
		}
	}
	errs := len(r.Errors)
	tests += errs
	empty := tests == 0
	if empty {
		tests = 1
	}
	x := newXMLStream(w)
	x.start("testsuites")
	x.start("testsuite", "name", "nolegacyruns", "tests", strconv.Itoa(tests), "failures", strconv.Itoa(failures), "errors", strconv.Itoa(errs))
	fps := fingerprints(r.Findings)
	for i := range r.Findings {
		f := r.Findings[i]
		fp := fps()
		if f.Suppression != nil {
			continue
		}
		where := fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Column)
		x.testCase(xmlText(fmt.Sprintf("%s: %s %q [%.8s]", f.Path, f.Rule.ID, f.Match, fp)), "nolegacyruns."+f.Rule.ID, xmlText(f.Path))
		text := xmlText(fmt.Sprintf("%s: %s: %q\n%s", where, Message(f), f.Match, f.Rule.Hint))
		if f.Rule.Severity == rules.SeverityWarning {
			x.textElement("system-out", "warning: "+text)
		} else {
			x.start("failure", "message", xmlText(Message(f)), "type", f.Rule.ID)
			x.text(text)
			x.end()
		}
		x.end()
	}
	for _, e := range r.Errors {
		x.testCase(xmlText(e.Path+" unreadable"), "nolegacyruns", "")
		x.start("failure", "message", xmlText(e.Err.Error()), "type", "read-error")
		x.end()
		x.end()
	}
	if empty {
		x.testCase("no forbidden tokens", "nolegacyruns", "")
		x.end()
	}
	return x.close()
}

// testCase opens a JUnit test case; a file attribute only when there is one.
func (x *xmlStream) testCase(name, classname, file string) {
	if file == "" {
		x.start("testcase", "name", name, "classname", classname)
	} else {
		x.start("testcase", "name", name, "classname", classname, "file", file)
	}
}

// textElement writes <name>text</name>, or nothing when text is empty.
func (x *xmlStream) textElement(name, text string) {
	if text == "" {
		return
	}
	x.start(name)
	x.text(text)
	x.end()
}

// xmlHeader is the XML declaration every document starts with.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// xmlStream writes an indented XML document element by element, so that
// a report of a million findings is never held whole. It writes what
// encoding/xml's Encoder with Indent("", "  ") writes, byte for byte (a
// test holds it to that), without the reflection and the package's
// start-up cost: element and attribute names here are fixed ASCII, so only
// values need escaping.
type xmlStream struct {
	w          *bufio.Writer
	stack      []string
	indentedIn bool // the last thing written was a start tag
	started    bool // something was written after the header
}

func newXMLStream(w io.Writer) *xmlStream {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(xmlHeader) // a write error sticks and comes back from close
	return &xmlStream{w: bw}
}

// indent starts a tag on a new line at the depth of the open elements, as
// encoding/xml does; an end tag right after its start tag stays on its line.
func (x *xmlStream) indent(end bool) {
	if end && x.indentedIn {
		x.indentedIn = false
		return
	}
	x.indentedIn = !end
	if x.started {
		x.w.WriteByte('\n')
	}
	x.started = true
	for range len(x.stack) {
		x.w.WriteString("  ")
	}
}

// start opens an element with attributes given as name, value pairs.
func (x *xmlStream) start(name string, attrs ...string) {
	x.indent(false)
	x.w.WriteByte('<')
	x.w.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.w.WriteByte(' ')
		x.w.WriteString(attrs[i])
		x.w.WriteString(`="`)
		x.escape(attrs[i+1])
		x.w.WriteByte('"')
	}
	x.w.WriteByte('>')
	x.stack = append(x.stack, name)
}

// open reports whether the innermost open element is name.
func (x *xmlStream) open(name string) bool {
	return len(x.stack) > 0 && x.stack[len(x.stack)-1] == name
}

func (x *xmlStream) end() {
	name := x.stack[len(x.stack)-1]
	x.stack = x.stack[:len(x.stack)-1]
	x.indent(true)
	x.w.WriteString("</")
	x.w.WriteString(name)
	x.w.WriteByte('>')
}

// text writes character data inside the innermost element.
func (x *xmlStream) text(s string) { x.escape(s) }

// close ends every open element and flushes.
func (x *xmlStream) close() error {
	for len(x.stack) > 0 {
		x.end()
	}
	x.w.WriteString("\n")
	return x.w.Flush()
}

// escape writes s escaped as encoding/xml's EscapeText does: the five
// markup characters and tab, newline and carriage return as references,
// and invalid UTF-8 and characters outside XML's range as U+FFFD.
func (x *xmlStream) escape(s string) {
	last := 0
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		i += width
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if !xmlChar(r) || (r == utf8.RuneError && width == 1) {
				esc = "\uFFFD"
				break
			}
			continue
		}
		x.w.WriteString(s[last : i-width])
		x.w.WriteString(esc)
		last = i
	}
	x.w.WriteString(s[last:])
}

// xmlChar reports whether r is in XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// xmlText makes s safe for XML 1.0: invalid UTF-8 and the control
// characters XML cannot hold even escaped become U+FFFD.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			return '\uFFFD'
		}
		return r
	}, s)
}
