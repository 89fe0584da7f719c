package lsp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

func TestPositions(t *testing.T) {
	text := "a\r\nbé😀c\rd\n\nlast"
	tests := []struct {
		off     int
		p16, p8 position
	}{
		{0, position{0, 0}, position{0, 0}},
		{1, position{0, 1}, position{0, 1}}, // before \r\n
		{3, position{1, 0}, position{1, 0}},
		{4, position{1, 1}, position{1, 1}},  // after b
		{6, position{1, 2}, position{1, 3}},  // after é
		{10, position{1, 4}, position{1, 7}}, // after 😀: two UTF-16 units
		{12, position{2, 0}, position{2, 0}}, // after a lone \r
		{14, position{3, 0}, position{3, 0}}, // the empty line
		{15, position{4, 0}, position{4, 0}}, // "last"
		{19, position{4, 4}, position{4, 4}}, // the end
		{99, position{4, 4}, position{4, 4}}, // past the end
		{-1, position{0, 0}, position{0, 0}}, // before the start
		{13, position{2, 1}, position{2, 1}}, // after d
		{11, position{1, 5}, position{1, 8}}, // after c
		{2, position{0, 1}, position{0, 1}},  // inside \r\n: the line's end
	}
	ix := newLineIndex([]byte(text))
	for _, tc := range tests {
		if got := ix.position(tc.off, utf16Enc); got != tc.p16 && tc.off != 2 {
			t.Errorf("position(%d, utf-16) = %v, want %v", tc.off, got, tc.p16)
		}
		if got := ix.position(tc.off, utf8Enc); got != tc.p8 && tc.off != 2 {
			t.Errorf("position(%d, utf-8) = %v, want %v", tc.off, got, tc.p8)
		}
	}
	offsets := []struct {
		p    position
		enc  encoding
		want int
	}{
		{position{1, 3}, utf16Enc, 6},   // inside 😀: its start
		{position{1, 4}, utf8Enc, 6},    // inside 😀's bytes: its start
		{position{0, 50}, utf16Enc, 1},  // past the line's end: before its break
		{position{2, 9}, utf8Enc, 13},   // past the end of a line "d"
		{position{9, 0}, utf16Enc, 19},  // past the last line
		{position{-1, 0}, utf16Enc, 0},  // a negative line
		{position{1, -3}, utf16Enc, 3},  // a negative character
		{position{4, 2}, utf8Enc, 17},   // in the last line
		{position{1, 4}, utf16Enc, 10},  // after 😀
		{position{1, 5}, utf16Enc, 11},  // after c
		{position{1, 8}, utf8Enc, 11},   // after c
		{position{3, 0}, utf16Enc, 14},  // the empty line
		{position{3, 5}, utf16Enc, 14},  // past the empty line's end
		{position{4, 99}, utf16Enc, 19}, // past the last line's end
		{position{1, 1 << 30}, utf8Enc, 11},
	}
	for _, tc := range offsets {
		if got := ix.offset(tc.p, tc.enc); got != tc.want {
			t.Errorf("offset(%v, %v) = %d, want %d", tc.p, tc.enc, got, tc.want)
		}
	}
}

func TestApplyChange(t *testing.T) {
	r := func(l1, c1, l2, c2 int) *lspRange { return &lspRange{position{l1, c1}, position{l2, c2}} }
	tests := []struct {
		text string
		ch   contentChange
		enc  encoding
		want string
	}{
		{"abc", contentChange{Text: "whole"}, utf16Enc, "whole"},
		{"abc", contentChange{Range: r(0, 1, 0, 2), Text: "X"}, utf16Enc, "aXc"},
		{"a😀b", contentChange{Range: r(0, 1, 0, 3), Text: ""}, utf16Enc, "ab"},
		{"a😀b", contentChange{Range: r(0, 1, 0, 5), Text: ""}, utf8Enc, "ab"},
		{"ab\ncd", contentChange{Range: r(0, 2, 1, 0), Text: ""}, utf16Enc, "abcd"},
		{"ab\ncd", contentChange{Range: r(1, 1, 0, 1), Text: "-"}, utf16Enc, "a-d"}, // reversed
		{"ab", contentChange{Range: r(5, 0, 6, 0), Text: "!"}, utf16Enc, "ab!"},     // past the end
		{"", contentChange{Range: r(0, 0, 0, 0), Text: "new"}, utf16Enc, "new"},
	}
	for _, tc := range tests {
		if got := string(applyChange([]byte(tc.text), tc.ch, tc.enc)); got != tc.want {
			t.Errorf("%q with %+v: %q, want %q", tc.text, tc.ch, got, tc.want)
		}
	}
}

func TestRuleListEnd(t *testing.T) {
	tests := []struct {
		line, open, close, rule string
		want                    int // -1: not a directive to join
	}{
		{"// nolegacyruns:ignore a -- why", "//", "", "b", len("// nolegacyruns:ignore a")},
		{"  // nolegacyruns:ignore a, b2,c -- why", "//", "", "d", len("  // nolegacyruns:ignore a, b2,c")},
		{"// nolegacyruns:ignore a", "//", "", "b", len("// nolegacyruns:ignore a")},
		{"// nolegacyruns:ignore a -- why", "//", "", "a", -1}, // names it already: not alone
		{"// nolegacyruns:ignore-file a -- why", "//", "", "b", -1},
		{"// nolegacyruns:ignore -- why", "//", "", "b", -1},
		{"// nolegacyruns:ignored a", "//", "", "b", -1},
		{"# nolegacyruns:ignore a -- why", "//", "", "b", -1}, // another language's comment
		{"x(); // nolegacyruns:ignore a", "//", "", "b", -1},  // after code
		{"{{-- nolegacyruns:ignore a -- why --}}", "{{--", " --}}", "b", len("{{-- nolegacyruns:ignore a")},
		{"{{-- nolegacyruns:ignore a --}} {{ x }}", "{{--", " --}}", "b", -1}, // code after it
		{"<!-- nolegacyruns:ignore a -->", "<!--", " -->", "b", len("<!-- nolegacyruns:ignore a")},
		{"", "//", "", "b", -1},
	}
	for _, tc := range tests {
		got, ok := ruleListEnd(tc.line, tc.open, tc.close, tc.rule)
		if !ok {
			got = -1
		}
		if got != tc.want {
			t.Errorf("ruleListEnd(%q) = %d, want %d", tc.line, got, tc.want)
		}
	}
}

func TestCommentStyle(t *testing.T) {
	tests := []struct{ lang, file, open string }{
		{"php", "/a/b.php", "//"},
		{"php", "/a/v.blade.php", "{{--"},
		{"blade", "/a/v.php", "{{--"},
		{"", "/a/V.BLADE.PHP", "{{--"},
		{"yaml", "/a/x", "#"},
		{"", "/a/x.yml", "#"},
		{"", "/a/Dockerfile", "#"},
		{"sql", "/a/x", "--"},
		{"html", "/a/x", "<!--"},
		{"twig", "/a/x", "{#"},
		{"erb", "/a/x", "<%#"},
		{"css", "/a/x", "/*"},
		{"javascript", "/a/x.js", "//"},
		{"", "/a/unknown", "//"},
		{"json", "/a/x.json", ""},
		{"", "/a/x.json", ""},
	}
	for _, tc := range tests {
		open, _, ok := commentStyle(tc.lang, tc.file)
		if !ok {
			open = ""
		}
		if open != tc.open {
			t.Errorf("commentStyle(%q, %q) = %q, want %q", tc.lang, tc.file, open, tc.open)
		}
	}
}

func TestURIs(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX paths")
	}
	for _, p := range []string{"/a/b.php", "/a b/c#d?e%f.php", "/ünï/😀.php", "/a/:colon"} {
		u := pathURI(p)
		got, ok := uriPath(u)
		if !ok || got != p {
			t.Errorf("%q -> %q -> %q %v", p, u, got, ok)
		}
	}
	for _, u := range []string{"untitled:Untitled-1", "file://otherhost/a", "http://x/a", "file:", "%zz"} {
		if p, ok := uriPath(u); ok {
			t.Errorf("uriPath(%q) = %q, want none", u, p)
		}
	}
	if p, ok := uriPath("file://localhost/a/%20b"); !ok || p != filepath.FromSlash("/a/ b") {
		t.Errorf("localhost: %q %v", p, ok)
	}
}

func TestReadFraming(t *testing.T) {
	in := "Content-Length: 2\r\n\r\n{}" +
		"content-length: 3\nContent-Type: application/vscode-jsonrpc; charset=utf-8\n\n[1]" + // lower case, bare \n
		"Content-Length: 11\r\n\r\n01234567890" + // over the limit: skipped
		"Content-Length: 2\r\n\r\nok"
	c := newConn(strings.NewReader(in), io.Discard)
	c.max = 10
	var got []string
	for {
		b, err := c.read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errTooLarge) {
			got = append(got, "skipped")
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	if strings.Join(got, " ") != "{} [1] skipped ok" {
		t.Errorf("read %q", got)
	}
}

func TestWriteFraming(t *testing.T) {
	var b bytes.Buffer
	c := newConn(strings.NewReader(""), &b)
	c.notify("x", map[string]string{"é": "<&>"})
	want := `{"jsonrpc":"2.0","method":"x","params":{"é":"\u003c\u0026\u003e"}}`
	if b.String() != "Content-Length: "+itoa(len(want))+"\r\n\r\n"+want {
		t.Errorf("wrote %q", b.String())
	}
}

func itoa(n int) string {
	var b []byte
	for n >= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(append([]byte{byte('0' + n)}, b...))
}

// FuzzPositions holds the server's position arithmetic to a plain
// reference: at every rune boundary, position and offset are inverses, and
// a UTF-16 character count is that of unicode/utf16.
func FuzzPositions(f *testing.F) {
	for _, s := range []string{"", "a\r\nb", "é😀\rx\n", "\n\n\r\r\n", "\xff\xfe😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		text := []byte(s)
		ix := newLineIndex(text)
		lineStart := 0
		for off := 0; off <= len(text); {
			for _, enc := range []encoding{utf16Enc, utf8Enc} {
				p := ix.position(off, enc)
				if back := ix.offset(p, enc); back != off && !(off > 0 && text[off-1] == '\r' && off < len(text) && text[off] == '\n') {
					t.Fatalf("%q: offset %d -> %v (%v) -> %d", s, off, p, enc, back)
				}
			}
			if off < len(text) && (text[off] == '\n' || text[off] == '\r') {
				next := off + 1
				if text[off] == '\r' && next < len(text) && text[next] == '\n' {
					next++
				}
				off, lineStart = next, next
				continue
			}
			p := ix.position(off, utf16Enc)
			if want := len(utf16.Encode([]rune(string(text[lineStart:off])))); p.Character != want {
				t.Fatalf("%q: offset %d has UTF-16 character %d, want %d", s, off, p.Character, want)
			}
			if off == len(text) {
				break
			}
			_, size := utf8.DecodeRune(text[off:])
			off += size
		}
		// Every byte offset, a character's middle too, in order: the same
		// position as a fresh index gives (which counts from the line's start).
		for off := 0; off <= len(text); off++ {
			if got, want := ix.position(off, utf16Enc), newLineIndex(text).position(off, utf16Enc); got != want {
				t.Fatalf("%q: offset %d is %v after the offsets before it, %v alone", s, off, got, want)
			}
		}
	})
}

// FuzzRead: any input ends in messages, a skipped message, EOF or a
// framing error, never a panic or a loop.
func FuzzRead(f *testing.F) {
	f.Add([]byte("Content-Length: 2\r\n\r\n{}"))
	f.Add([]byte("Content-Length: 99999999999999999999\r\n\r\n"))
	f.Add([]byte("Content-Length: 1\r\nContent-Length: 2\r\n\r\n{}"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c := newConn(bytes.NewReader(in), io.Discard)
		c.max = 1 << 10
		for i := 0; ; i++ {
			_, err := c.read()
			var fe *frameError
			if err == io.EOF || errors.As(err, &fe) {
				return
			}
			if i > len(in) {
				t.Fatal("more messages than bytes")
			}
		}
	})
}

// BenchmarkManyChanges is one notification of 1,000 edits (a multi-cursor
// replace) to a 2 MB document.
func BenchmarkManyChanges(b *testing.B) {
	text := []byte(strings.Repeat("$x = InventorySyncRun::first(); // some text here\n", 40000))
	var chs []contentChange
	for i := 999; i >= 0; i-- {
		l := i * 40
		chs = append(chs, contentChange{Range: &lspRange{position{l, 5}, position{l, 21}}, Text: "OperationRun"})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := text
		for _, ch := range chs {
			t = applyChange(t, ch, utf16Enc)
		}
	}
}

// FuzzApplyChange holds applyChange, which looks for line breaks only as
// far as it must, to the whole-text line index.
func FuzzApplyChange(f *testing.F) {
	f.Add("a\r\nbé😀c\rd\n\nlast", 1, 2, 3, 0, "X", false)
	f.Add("ab", 5, 0, 0, 1, "", true)
	f.Add("\r\n\r", 1, 0, 2, 0, "\n", false)
	f.Fuzz(func(t *testing.T, text string, l1, c1, l2, c2 int, repl string, u8 bool) {
		enc := utf16Enc
		if u8 {
			enc = utf8Enc
		}
		ix := newLineIndex([]byte(text))
		p1, p2 := position{l1, c1}, position{l2, c2}
		a, b := ix.offset(p1, enc), ix.offset(p2, enc)
		if b < a {
			a, b = b, a
		}
		want := text[:a] + repl + text[b:]
		got := string(applyChange([]byte(text), contentChange{Range: &lspRange{p1, p2}, Text: repl}, enc))
		if got != want {
			t.Fatalf("%q %v-%v %q (%v): %q, want %q", text, p1, p2, repl, enc, got, want)
		}
	})
}

func TestRemovalSpan(t *testing.T) {
	rule := &rules.Rule{ID: scanner.UnusedSuppression}
	tests := []struct {
		text      string
		line, col int
		match     string
		want      string // the text without the span; "-" none
	}{
		{"# nolegacyruns:ignore a -- x\nb\n", 1, 3, "a", "b\n"},
		{"x # nolegacyruns:ignore a\n", 1, 5, "a", "x\n"},
		{"### nolegacyruns:ignore a\r\nb", 1, 5, "a", "b"},
		{"<!-- nolegacyruns:ignore a, b -->", 1, 6, "b", "<!-- nolegacyruns:ignore a -->"},
		{"<!-- nolegacyruns:ignore a, b -->", 1, 6, "a", "<!-- nolegacyruns:ignore b -->"},
		{"// nolegacyruns:ignore a", 1, 4, "c", "-"},  // not in the list
		{"// nolegacyruns:ignore a", 1, 1, "a", "-"},  // not the marker
		{"// nolegacyruns:ignore a", 1, 99, "a", "-"}, // past the line
		{"// nolegacyruns:ignore a", 5, 4, "a", "-"},  // past the text
		{"x nolegacyruns:ignore a", 1, 3, "a", "-"},   // no opener
	}
	for _, tc := range tests {
		f := &result.Finding{Line: tc.line, Column: tc.col, Match: tc.match, Rule: rule}
		got := "-"
		if a, b, ok := removalSpan([]byte(tc.text), f); ok {
			got = tc.text[:a] + tc.text[b:]
		}
		if got != tc.want {
			t.Errorf("%q at %d:%d: %q, want %q", tc.text, tc.line, tc.col, got, tc.want)
		}
	}
}

func TestSilences(t *testing.T) {
	eng, err := scanner.Compile(&rules.Set{Rules: []rules.Rule{{ID: "x", Message: "m", Tokens: []string{"Foo"}}}})
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("a\nFoo\n")
	set := &Setup{Engine: eng, Root: t.TempDir()}
	fs, err := search(context.Background(), set, "a.php", text)
	if err != nil || len(fs) != 1 {
		t.Fatalf("%v %v", fs, err)
	}
	a := &analysis{set: set, rel: "a.php", text: text, items: []item{{f: fs[0]}}}
	for _, tc := range []struct {
		off  int
		s    string
		want bool
	}{
		{2, "// nolegacyruns:ignore x -- why\n", true},
		{2, "nothing\n", false},
		{2, "// nolegacyruns:ignore y -- why\n", false},   // names another rule: a new finding
		{0, "// nolegacyruns:ignore x -- why\n", false},   // covers line a, not Foo
		{2, "\"// nolegacyruns:ignore x -- why\n", false}, // in a string
	} {
		if got := silences(context.Background(), a, tc.off, tc.s); got != tc.want {
			t.Errorf("inserting %q at %d: %v, want %v", tc.s, tc.off, got, tc.want)
		}
	}
}
