package report

import (
	"bufio"
	"encoding/xml"
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

type csError struct {
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

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
		x.element("error", csError{
			Line: f.Line, Column: f.Column, Severity: f.Rule.Severity.String(),
			Message: xmlText(fmt.Sprintf("%s: %q", Message(f), f.Match)),
			Source:  "nolegacyruns." + f.Rule.ID,
		})
	}
	return x.close()
}

type juSuite struct {
	Name                    string
	Tests, Failures, Errors int
}

type juCase struct {
	Name      string     `xml:"name,attr"`
	Classname string     `xml:"classname,attr"`
	File      string     `xml:"file,attr,omitempty"`
	Failure   *juFailure `xml:"failure,omitempty"`
	SystemOut string     `xml:"system-out,omitempty"`
}

type juFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// Write implements Format. A test case is named by the finding's identity
// (path, rule, match, and a short fingerprint), so that test history in CI
// follows a finding when lines move.
func (JUnit) Write(w io.Writer, r *Report) error {
	s := juSuite{Name: "nolegacyruns"}
	for f := range r.Active() {
		s.Tests++
		if f.Rule.Severity != rules.SeverityWarning {
			s.Failures++
		}
	}
	s.Errors = len(r.Errors)
	s.Tests += s.Errors
	empty := s.Tests == 0
	if empty {
		s.Tests = 1
	}
	x := newXMLStream(w)
	x.start("testsuites")
	x.start("testsuite", "name", s.Name, "tests", strconv.Itoa(s.Tests), "failures", strconv.Itoa(s.Failures), "errors", strconv.Itoa(s.Errors))
	fps := fingerprints(r.Findings)
	for i := range r.Findings {
		f := r.Findings[i]
		fp := fps()
		if f.Suppression != nil {
			continue
		}
		where := fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Column)
		c := juCase{Name: xmlText(fmt.Sprintf("%s: %s %q [%.8s]", f.Path, f.Rule.ID, f.Match, fp)), Classname: "nolegacyruns." + f.Rule.ID, File: xmlText(f.Path)}
		text := xmlText(fmt.Sprintf("%s: %s: %q\n%s", where, Message(f), f.Match, f.Rule.Hint))
		if f.Rule.Severity == rules.SeverityWarning {
			c.SystemOut = "warning: " + text
		} else {
			c.Failure = &juFailure{Message: xmlText(Message(f)), Type: f.Rule.ID, Text: text}
		}
		x.element("testcase", c)
	}
	for _, e := range r.Errors {
		x.element("testcase", juCase{Name: xmlText(e.Path + " unreadable"), Classname: "nolegacyruns",
			Failure: &juFailure{Message: xmlText(e.Err.Error()), Type: "read-error"}})
	}
	if empty {
		x.element("testcase", juCase{Name: "no forbidden tokens", Classname: "nolegacyruns"})
	}
	return x.close()
}

// xmlStream writes an indented XML document element by element, so that
// a report of a million findings is never held whole.
type xmlStream struct {
	w     *bufio.Writer
	enc   *xml.Encoder
	stack []string
	err   error
}

func newXMLStream(w io.Writer) *xmlStream {
	bw := bufio.NewWriterSize(w, 64<<10)
	_, err := bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	return &xmlStream{w: bw, enc: enc, err: err}
}

// start opens an element with attributes given as name, value pairs.
func (x *xmlStream) start(name string, attrs ...string) {
	se := xml.StartElement{Name: xml.Name{Local: name}}
	for i := 0; i+1 < len(attrs); i += 2 {
		se.Attr = append(se.Attr, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	if x.err == nil {
		x.err = x.enc.EncodeToken(se)
	}
	x.stack = append(x.stack, name)
}

// open reports whether the innermost open element is name.
func (x *xmlStream) open(name string) bool {
	return len(x.stack) > 0 && x.stack[len(x.stack)-1] == name
}

func (x *xmlStream) end() {
	name := x.stack[len(x.stack)-1]
	x.stack = x.stack[:len(x.stack)-1]
	if x.err == nil {
		x.err = x.enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: name}})
	}
}

func (x *xmlStream) element(name string, v any) {
	if x.err == nil {
		x.err = x.enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}})
	}
}

// close ends every open element and flushes.
func (x *xmlStream) close() error {
	for len(x.stack) > 0 {
		x.end()
	}
	if x.err == nil {
		x.err = x.enc.Flush()
	}
	if x.err == nil {
		_, x.err = x.w.WriteString("\n")
	}
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
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
