package report

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// The XML formats once went through encoding/xml; they now write the same
// bytes by hand, so that the binary does not initialise encoding/xml at
// start-up. refCheckstyle and refJUnit are the encoding/xml versions, kept
// as the reference the hand-written writer must match byte for byte.

type csError struct {
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
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

type refStream struct {
	w     *bufio.Writer
	enc   *xml.Encoder
	stack []string
	err   error
}

func newRefStream(w io.Writer) *refStream {
	bw := bufio.NewWriterSize(w, 64<<10)
	_, err := bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	return &refStream{w: bw, enc: enc, err: err}
}

func (x *refStream) start(name string, attrs ...string) {
	se := xml.StartElement{Name: xml.Name{Local: name}}
	for i := 0; i+1 < len(attrs); i += 2 {
		se.Attr = append(se.Attr, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	if x.err == nil {
		x.err = x.enc.EncodeToken(se)
	}
	x.stack = append(x.stack, name)
}

func (x *refStream) open(name string) bool {
	return len(x.stack) > 0 && x.stack[len(x.stack)-1] == name
}

func (x *refStream) end() {
	name := x.stack[len(x.stack)-1]
	x.stack = x.stack[:len(x.stack)-1]
	if x.err == nil {
		x.err = x.enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: name}})
	}
}

func (x *refStream) element(name string, v any) {
	if x.err == nil {
		x.err = x.enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}})
	}
}

func (x *refStream) close() error {
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

func refCheckstyle(w io.Writer, r *Report) error {
	x := newRefStream(w)
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

func refJUnit(w io.Writer, r *Report) error {
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
	x := newRefStream(w)
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

// xmlReports are the sample, the empty report, and reports of random
// findings with hostile text: every byte value, quotes, markup, newlines,
// invalid UTF-8, and characters outside XML's range.
func xmlReports(seed uint64) []*Report {
	out := []*Report{sample(), {Tool: "nolegacyruns", Rules: []rules.Rule{*ruleErr}}}
	rng := rand.New(rand.NewPCG(seed, 1))
	pieces := []string{"a", "Z", "/", " ", "\t", "\n", "\r", "\"", "'", "&", "<", ">", "]]>", "\x00", "\x01", "\x7f",
		"\xff", "\xc3", "é", "\uFFFD", "\uFFFE", "\uFFFF", "\U0001F600", "\ud7ff", "\ue000", "%", "&amp;", "--"}
	str := func() string {
		var b bytes.Buffer
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	for range 300 {
		r := &Report{Tool: "nolegacyruns"}
		nr := 1 + rng.IntN(3)
		rs := make([]*rules.Rule, nr)
		for i := range rs {
			rs[i] = &rules.Rule{ID: fmt.Sprintf("r%d-%s", i, str()), Message: str(), Hint: str(), Tokens: []string{str()}}
			if rng.IntN(2) == 0 {
				rs[i].Severity = rules.SeverityWarning
			}
			r.Rules = append(r.Rules, *rs[i])
		}
		paths := []string{str(), str(), str()}
		for range rng.IntN(8) {
			f := &result.Finding{Path: paths[rng.IntN(len(paths))], Line: rng.IntN(100), Column: rng.IntN(50),
				Rule: rs[rng.IntN(nr)], Match: str(), LineText: str(), TextColumn: 1}
			switch rng.IntN(5) {
			case 0:
				f.Suppression = &result.Suppression{Kind: "inSource", Justification: str()}
			case 1:
				f.Suppression = &result.Suppression{Kind: "external"}
			}
			r.Findings = append(r.Findings, f)
		}
		for range rng.IntN(3) {
			r.Errors = append(r.Errors, result.FileError{Path: str(), Err: errors.New(str())})
		}
		out = append(out, r)
	}
	return out
}

// TestXMLMatchesEncodingXML holds the hand-written XML writer to
// encoding/xml's output, byte for byte.
func TestXMLMatchesEncodingXML(t *testing.T) {
	for _, c := range []struct {
		name     string
		got, ref func(io.Writer, *Report) error
	}{
		{"checkstyle", Checkstyle{}.Write, refCheckstyle},
		{"junit", JUnit{}.Write, refJUnit},
	} {
		for i, r := range xmlReports(7) {
			var got, want bytes.Buffer
			if err := c.got(&got, r); err != nil {
				t.Fatal(err)
			}
			if err := c.ref(&want, r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%s, report %d: hand-written XML differs from encoding/xml:\n got: %q\nwant: %q", c.name, i, got.Bytes(), want.Bytes())
			}
		}
	}
}

// FuzzXMLEscape holds the writer's escaping of any text, in an attribute
// and as character data, to encoding/xml's.
func FuzzXMLEscape(f *testing.F) {
	for _, s := range []string{"", "a\"b'c&d<e>f\tg\nh\ri", "\xff\x00\uFFFE\uFFFD", "é\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got bytes.Buffer
		x := newXMLStream(&got)
		x.start("a", "v", s)
		x.text(s)
		if err := x.close(); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		ref := newRefStream(&want)
		ref.element("a", struct {
			V    string `xml:"v,attr"`
			Text string `xml:",chardata"`
		}{s, s})
		if err := ref.close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("escaping %q:\n got: %q\nwant: %q", s, got.Bytes(), want.Bytes())
		}
	})
}

// FuzzGitHubEscapes holds the hand-written workflow-command escapes to the
// strings.Replacers they replaced.
func FuzzGitHubEscapes(f *testing.F) {
	data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	property := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	for _, s := range []string{"", "a", "%", "a:b,c\r\nd%e", ":,", "100%\n", "\xff:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ghData(s), data.Replace(s); got != want {
			t.Errorf("ghData(%q) = %q, want %q", s, got, want)
		}
		if got, want := ghProperty(s), property.Replace(s); got != want {
			t.Errorf("ghProperty(%q) = %q, want %q", s, got, want)
		}
	})
}
