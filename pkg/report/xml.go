package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
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

type csRoot struct {
	XMLName xml.Name `xml:"checkstyle"`
	Version string   `xml:"version,attr"`
	Files   []csFile `xml:"file"`
}

type csFile struct {
	Name   string    `xml:"name,attr"`
	Errors []csError `xml:"error"`
}

type csError struct {
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

// Write implements Format.
func (Checkstyle) Write(w io.Writer, r *Report) error {
	root := csRoot{Version: "4.3"}
	for _, f := range r.Active() {
		if n := len(root.Files); n == 0 || root.Files[n-1].Name != xmlText(f.Path) {
			root.Files = append(root.Files, csFile{Name: xmlText(f.Path)})
		}
		cf := &root.Files[len(root.Files)-1]
		cf.Errors = append(cf.Errors, csError{
			Line: f.Line, Column: f.Column, Severity: f.Rule.Severity.String(),
			Message: xmlText(fmt.Sprintf("%s: %q", Message(f), f.Match)),
			Source:  "nolegacyruns." + f.Rule.ID,
		})
	}
	return writeXML(w, root)
}

type juSuites struct {
	XMLName xml.Name  `xml:"testsuites"`
	Suites  []juSuite `xml:"testsuite"`
}

type juSuite struct {
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Cases    []juCase `xml:"testcase"`
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

// Write implements Format.
func (JUnit) Write(w io.Writer, r *Report) error {
	s := juSuite{Name: "nolegacyruns"}
	for _, f := range r.Active() {
		where := fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Column)
		c := juCase{Name: xmlText(where + " " + f.Rule.ID), Classname: "nolegacyruns." + f.Rule.ID, File: xmlText(f.Path)}
		text := xmlText(fmt.Sprintf("%s: %s: %q\n%s", where, Message(f), f.Match, f.Rule.Hint))
		if f.Rule.Severity.String() == "warning" {
			c.SystemOut = "warning: " + text
		} else {
			c.Failure = &juFailure{Message: xmlText(Message(f)), Type: f.Rule.ID, Text: text}
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
	}
	for _, e := range r.Errors {
		s.Cases = append(s.Cases, juCase{Name: xmlText(e.Path + " unreadable"), Classname: "nolegacyruns",
			Failure: &juFailure{Message: xmlText(e.Err.Error()), Type: "read-error"}})
		s.Errors++
	}
	if len(s.Cases) == 0 {
		s.Cases = append(s.Cases, juCase{Name: "no forbidden tokens", Classname: "nolegacyruns"})
	}
	s.Tests = len(s.Cases)
	return writeXML(w, juSuites{Suites: []juSuite{s}})
}

func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
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
