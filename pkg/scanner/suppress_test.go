package scanner

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

func TestParseDirective(t *testing.T) {
	tests := []struct {
		text    string
		ok      bool
		file    bool
		rules   []string
		reason  string
		problem bool
	}{
		{"nolegacyruns:ignore a -- why", true, false, []string{"a"}, "why", false},
		{"nolegacyruns:ignore a,b-c -- why */", true, false, []string{"a", "b-c"}, "why", false},
		{"nolegacyruns:ignore a, b", true, false, []string{"a", "b"}, "", false},
		{"nolegacyruns:ignore-file a -- generated", true, true, []string{"a"}, "generated", false},
		{"nolegacyruns:ignore a LegacyRun -- text after the ids", true, false, []string{"a"}, "text after the ids", false},
		{"nolegacyruns:ignore a -->", true, false, []string{"a"}, "", false},
		{"nolegacyruns:ignore", true, false, nil, "", true},
		{"nolegacyruns:ignore -- no rule", true, false, nil, "no rule", true},
		{"nolegacyruns:ignored", false, false, nil, "", false},
		{"nolegacyruns:ignore-filex a", false, false, nil, "", false},
		{"nolegacyruns:ignore a,b until=2026-01-31 -- why", true, false, []string{"a", "b"}, "why", false},
		{"nolegacyruns:ignore a until=2026-1-31 -- why", true, false, []string{"a"}, "why", true},
		{"nolegacyruns:ignore a until= -- why", true, false, []string{"a"}, "why", true},
	}
	for _, tt := range tests {
		d, ok := parseDirective(tt.text)
		if ok != tt.ok {
			t.Errorf("%q: ok %v", tt.text, ok)
			continue
		}
		if !ok {
			continue
		}
		if d.file != tt.file || !reflect.DeepEqual(d.rules, tt.rules) || d.reason != tt.reason || (d.problem != "") != tt.problem {
			t.Errorf("%q: got file=%v rules=%q reason=%q problem=%q", tt.text, d.file, d.rules, d.reason, d.problem)
		}
	}
}

// TestReadDirective: the marker is a directive only after a comment opener;
// its text ends at its comment's closer; alone means nothing else but
// whitespace on its line.
func TestReadDirective(t *testing.T) {
	long := strings.Repeat(" ", directiveSpan+100)
	tests := []struct {
		text  string
		ok    bool
		alone bool
		rest  string // the line after the directive's text
	}{
		{"// nolegacyruns:ignore a -- x", true, true, ""},
		{"\t  # nolegacyruns:ignore a", true, true, ""},
		{"## nolegacyruns:ignore a", true, true, ""},
		{"-- nolegacyruns:ignore a -- sql", true, true, ""},
		{"/// nolegacyruns:ignore a", true, true, ""},
		{"/** nolegacyruns:ignore a -- x */", true, true, ""},
		{"/* nolegacyruns:ignore a -- x */ InventorySyncRun::first();", true, false, " InventorySyncRun::first();"},
		{"/*nolegacyruns:ignore a*/x", true, false, "x"},
		{"<!-- nolegacyruns:ignore a -- x --> <b>", true, false, " <b>"},
		{"<!-- nolegacyruns:ignore a -->", true, true, ""},
		{"{{-- nolegacyruns:ignore a -- x --}}", true, true, ""},
		{"{{-- nolegacyruns:ignore a -- x --}}{{ $run }}", true, false, "{{ $run }}"},
		{"{# nolegacyruns:ignore a -- x #} {{ y }}", true, false, " {{ y }}"},
		{"<%# nolegacyruns:ignore a -- x %>  ", true, true, "  "},
		{"});  // nolegacyruns:ignore a -- x", true, false, ""},
		{"<?php // nolegacyruns:ignore-file a -- x", true, false, ""},
		{"/* nolegacyruns:ignore a -- spans\n lines */", true, true, ""},
		{"/* nolegacyruns:ignore a */ \r\nnext", true, true, " \r"},
		{"\ufeff// nolegacyruns:ignore a", true, true, ""},
		{long + "// nolegacyruns:ignore a", false, false, ""},                                                                     // its line starts too far back to tell a string from a comment
		{"// nolegacyruns:ignore a -- " + long + "x\n", true, false, long[directiveSpan-len("nolegacyruns:ignore a -- "):] + "x"}, // read no further than the span
		{`$s = "nolegacyruns:ignore a -- x"; InventorySyncRun::x();`, false, false, ""},
		{`$s = "// nolegacyruns:ignore a -- x"; InventorySyncRun::x();`, false, false, ""},
		{`$t = '# nolegacyruns:ignore a -- x'; InventorySyncRun::x();`, false, false, ""},
		{"$u = `/* nolegacyruns:ignore a -- x */`; InventorySyncRun::x();", false, false, ""},
		{`$v = "a \" // nolegacyruns:ignore a -- x"; InventorySyncRun::x();`, false, false, ""},
		{`echo "it's"; // nolegacyruns:ignore a -- x`, true, false, ""},
		{`$w = 'say "hi"'; # nolegacyruns:ignore a -- x`, true, false, ""},
		{"// see nolegacyruns:ignore a", false, false, ""},
		{" * nolegacyruns:ignore a", false, false, ""},
		{"/nolegacyruns:ignore a", false, false, ""},
		{"-nolegacyruns:ignore a", false, false, ""},
		{"// nolegacyruns:ignored a", false, false, ""},
	}
	for _, tt := range tests {
		at := strings.Index(tt.text, Directive)
		d, end, ok := readDirective([]byte(tt.text), strings.LastIndexByte(tt.text[:at], '\n')+1, at)
		if ok != tt.ok {
			t.Errorf("%.60q: ok %v", tt.text, ok)
			continue
		}
		if !ok {
			continue
		}
		eol := strings.IndexByte(tt.text[end:]+"\n", '\n')
		if d.alone != tt.alone || tt.text[end:end+eol] != tt.rest || len(d.rules) != 1 || d.rules[0] != "a" {
			t.Errorf("%.60q: alone %v, rest %.60q, rules %q", tt.text, d.alone, tt.text[end:end+eol], d.rules)
		}
	}
}

// FuzzDirective: parsing never panics, ids are well-formed, and a directive
// inside a scanned file never makes a token in its own text count.
func FuzzDirective(f *testing.F) {
	for _, s := range []string{"nolegacyruns:ignore a -- why", "nolegacyruns:ignore-file a,b -- x */",
		"nolegacyruns:ignore", "nolegacyruns:ignored", "nolegacyruns:ignore a -->", "nolegacyruns:ignore LegacyRun",
		"nolegacyruns:ignore a until=2026-01-31 -- x", "nolegacyruns:ignore a until=9999-99-99"} {
		f.Add(s)
	}
	e, _ := Compile(&rules.Set{Rules: []rules.Rule{{ID: "a", Tokens: []string{"LegacyRun"}}}})
	f.Fuzz(func(t *testing.T, text string) {
		d, ok := parseDirective(Directive + text)
		if ok {
			for _, id := range d.rules {
				if !ruleIDLike(id) {
					t.Fatalf("rule id %q", id)
				}
			}
			if d.problem == "" && len(d.rules) == 0 {
				t.Fatal("no rules and no problem")
			}
		}
		if !ok {
			return // not a directive: its text is ordinary text
		}
		line := "// " + Directive + strings.ReplaceAll(text, "\n", " ") + "\n"
		s := &scan{e: e}
		w := &worker{s: s, buf: make([]byte, 64<<10)}
		w.search("f", nil, strings.NewReader(line))
		for _, f := range w.findings {
			if f.Rule.ID == "a" && f.Suppression == nil {
				t.Fatalf("a token inside the directive counted: %+v", f)
			}
		}
	})
}

// suppressRules are the rules of the suppression tests: a substring rule, a
// dotted word rule and a third one.
var suppressRules = &rules.Set{Rules: []rules.Rule{
	{ID: "sym", Tokens: []string{"InventorySyncRun"}},
	{ID: "types", Match: rules.Word, Tokens: []string{"inventory.sync"}},
	{ID: "other", Tokens: []string{"OtherRun"}},
}}

// settle scans text as one file with a buffer of size bytes, and renders
// each finding as "line:col rule match", "(suppressed)" appended if it is.
func settle(e *Engine, text string, size int) []string {
	w := &worker{s: &scan{e: e}, buf: make([]byte, size)}
	w.search("f", nil, &trickle{data: []byte(text)})
	var out []string
	for _, f := range w.findings {
		s := fmt.Sprintf("%d:%d %s %s", f.Line, f.Column, f.Rule.ID, f.Match)
		if f.Suppression != nil {
			s += " (suppressed)"
		}
		out = append(out, s)
	}
	return out
}

// TestSuppressionScope: a directive covers its own comment's text and
// nothing else; what follows the comment is code, whatever rules it names.
func TestSuppressionScope(t *testing.T) {
	e := mustCompile(t, suppressRules)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"code after a block comment, named rule: a finding, suppressed",
			"/* nolegacyruns:ignore sym -- x */ InventorySyncRun::first();\n",
			[]string{"1:36 sym InventorySyncRun (suppressed)"}},
		{"code after a block comment, other rule: a finding",
			"/* nolegacyruns:ignore types -- x */ InventorySyncRun::first();\n",
			[]string{"1:4 unused-suppression types", "1:38 sym InventorySyncRun"}},
		{"code after html, blade, twig comments",
			"<!-- nolegacyruns:ignore other -- x --> InventorySyncRun\n{{-- nolegacyruns:ignore other -- x --}} InventorySyncRun\n{# nolegacyruns:ignore other -- x #}InventorySyncRun",
			[]string{"1:6 unused-suppression other", "1:41 sym InventorySyncRun", "2:6 unused-suppression other", "2:42 sym InventorySyncRun",
				"3:4 unused-suppression other", "3:37 sym InventorySyncRun"}},
		{"a marker in a string is text",
			`$s = "nolegacyruns:ignore sym -- x"; InventorySyncRun::x();` + "\n",
			[]string{"1:38 sym InventorySyncRun"}},
		{"a marker in prose is text, and its tokens count",
			"see nolegacyruns:ignore sym InventorySyncRun\n",
			[]string{"1:29 sym InventorySyncRun"}},
		{"a trailing directive after code covers its own line only",
			"});  // nolegacyruns:ignore sym -- trailing\nInventorySyncRun::next();\n",
			[]string{"1:9 unused-suppression sym", "2:1 sym InventorySyncRun"}},
		{"a block comment with code after it does not reach the next line",
			"/* nolegacyruns:ignore sym -- x */ foo();\nInventorySyncRun::next();\n",
			[]string{"1:4 unused-suppression sym", "2:1 sym InventorySyncRun"}},
		{"an alone directive covers the next line",
			"\t// nolegacyruns:ignore sym -- x\nInventorySyncRun::next();\n-- nolegacyruns:ignore types -- sql\nSELECT 'inventory.sync';\n",
			[]string{"2:1 sym InventorySyncRun (suppressed)", "4:9 types inventory.sync (suppressed)"}},
		{"tokens in the directive's own text are no findings, and use nothing",
			"// nolegacyruns:ignore sym -- the next line\n// nolegacyruns:ignore other -- mentions InventorySyncRun and inventory.sync\n",
			[]string{"1:4 unused-suppression sym", "2:4 unused-suppression other"}},
		{"ignore-file after code on its line",
			"<?php /* nolegacyruns:ignore-file sym -- generated */ InventorySyncRun;\nInventorySyncRun; OtherRun;\n",
			[]string{"1:55 sym InventorySyncRun (suppressed)", "2:1 sym InventorySyncRun (suppressed)", "2:19 other OtherRun"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range []int{e.m.minBuf(), 64 << 10} {
				if got := settle(e, tt.text, size); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("buffer %d:\ngot  %q\nwant %q", size, got, tt.want)
				}
			}
		})
	}
}

// TestDirectiveAcrossReads: whether a directive stands alone does not depend
// on where the reads of its file happen to cut.
func TestDirectiveAcrossReads(t *testing.T) {
	e := mustCompile(t, suppressRules)
	size := e.m.minBuf() + 50
	for k := 0; k < size; k += 11 {
		text := strings.Repeat("x\n", k/2) + strings.Repeat(" ", 100) + "// nolegacyruns:ignore sym -- x\nInventorySyncRun\n" +
			strings.Repeat("y\n", size/2)
		got := settle(e, text, size)
		if len(got) != 1 || !strings.HasSuffix(got[0], "(suppressed)") {
			t.Fatalf("%d lines before: %q", k/2, got)
		}
	}
}

// FuzzDirectiveScope: adding a directive that names one rule changes nothing
// else. A directive naming rule A (or an unknown id) goes into some text on
// a line of its own, after a line's code, or between two spaces within a
// line, in one of the comment styles. Then every finding of the text is
// still found at its place (no token outside the directive's comment is
// hidden), findings of other rules are unchanged, findings of A are
// suppressed exactly on the lines the directive covers, the only other new
// findings are the built-in ones about the directive, and a minimal read
// buffer gives the same result. Inputs where a token overlaps an edge of the
// inserted text are skipped: there the text itself changed.
func FuzzDirectiveScope(f *testing.F) {
	f.Add("InventorySyncRun\x00inventory.sync\x00OtherRun", "<?php\nInventorySyncRun::first(); 'inventory.sync';\n\nOtherRun\n", "why", uint8(0), uint32(1))
	f.Add("InventorySyncRun\x00inventory.sync\x00OtherRun", "});\nInventorySyncRun::x(); 'inventory.sync' OTHERRUN\n", "InventorySyncRun", uint8(1), uint32(0))
	f.Add("Run\x00sync\x00run", "a Run b sync c RUN\n  \nRun sync run", "Run sync */ run", uint8(2+3*3), uint32(2|5<<16))
	f.Add("Run\x00sync\x00run", "  \nRun sync run", "-->", uint8(1+3*4), uint32(0|1<<12))
	f.Add("/\x00-\x00{", "x\n// y -- z\n", "", uint8(0), uint32(1|2<<12))
	f.Add("a.b\x00a.b\x00A", "a.b.c a.b. A\n", "x", uint8(1+3*6), uint32(3<<12))
	styles := [...][2]string{{"//", ""}, {"#", ""}, {"--", ""}, {"/*", "*/"}, {"<!--", "-->"}, {"{{--", "--}}"}, {"{#", "#}"}, {"<%#", "%>"}}
	f.Fuzz(func(t *testing.T, toks, code, reason string, form uint8, where uint32) {
		rs := &rules.Set{Rules: []rules.Rule{
			{ID: "a", Tokens: nil},
			{ID: "b", Match: rules.Word},
			{ID: "c", IgnoreCase: true},
		}}
		for i, tok := range strings.Split(toks, "\x00") {
			r := &rs.Rules[i%3]
			if CheckToken(tok, r.IgnoreCase) == nil && len(r.Tokens) < 8 && !slices.Contains(r.Tokens, tok) {
				r.Tokens = append(r.Tokens, tok)
			}
		}
		for i, def := range []string{"InventorySyncRun", "inventory.sync", "otherrun"} {
			if len(rs.Rules[i].Tokens) == 0 {
				rs.Rules[i].Tokens = []string{def}
			}
		}
		e, err := Compile(rs)
		if err != nil {
			t.Fatal(err)
		}
		code = strings.ReplaceAll(code[:min(len(code), 4<<10)], "\x00", "")
		for strings.Contains(code, Directive) {
			code = strings.ReplaceAll(code, Directive, "")
		}
		kind := int(form % 3)
		style := styles[int(form/3)%len(styles)]
		if kind == 2 {
			style = styles[3+int(form/3)%5] // within a line: a comment that closes
		}
		id := [...]string{"a", "b", "c", "zz"}[where>>12&3]
		reason = strings.NewReplacer("\n", "", "\r", "", "\x00", "").Replace(reason[:min(len(reason), 200)])
		for _, bad := range []string{Directive, style[1]} {
			for bad != "" && strings.Contains(reason, bad) {
				reason = strings.ReplaceAll(reason, bad, "")
			}
		}
		body := style[0] + " " + Directive + " " + id + " -- " + reason
		if style[1] != "" {
			body += " " + style[1]
		}

		// orig is the text without the directive, text the one with it, at p.
		starts := []int{0}
		for i := 0; i < len(code); i++ {
			if code[i] == '\n' {
				starts = append(starts, i+1)
			}
		}
		k := int(where&0x3ff) % len(starts)
		eol := len(code)
		if k+1 < len(starts) {
			eol = starts[k+1] - 1
		}
		orig, p, d := code, 0, ""
		switch kind {
		case 0:
			p, d = starts[k], body+"\n"
		case 1:
			p, d = eol, " "+body
		case 2:
			at := starts[k] + int(where>>16)%(eol-starts[k]+1)
			orig, p, d = code[:at]+"  "+code[at:], at+1, body
		}
		text := orig[:p] + d + orig[p:]
		marker := p + strings.Index(d, Directive)
		closed := p + len(strings.TrimRight(d, "\n")) // just past the comment
		if style[1] == "" && kind == 2 {
			t.Fatal("a line comment within a line")
		}
		for _, r := range rs.Rules {
			if crosses(r, []byte(orig), p) {
				return
			}
			for _, x := range []int{p, marker, closed, p + len(d)} {
				if crosses(r, []byte(text), x) {
					return
				}
			}
		}

		// The directive's line, and whether it stands alone on it.
		dline := strings.Count(text[:marker], "\n") + 1
		lineStart := strings.LastIndexByte(text[:marker], '\n') + 1
		lineEnd := strings.IndexByte(text[marker:]+"\n", '\n') + marker
		opener := marker - len(" ") - len(style[0])
		alone := marker-lineStart <= directiveSpan && isBlankText([]byte(text[lineStart:opener])) &&
			(lineEnd-marker < directiveSpan || marker+directiveSpan >= len(text)) && isBlankText([]byte(text[closed:lineEnd]))

		before := scanFindings(e, orig, 64<<10)
		after := scanFindings(e, text, 64<<10)
		if small := scanFindings(e, text, e.m.minBuf()+int(form>>5)); !reflect.DeepEqual(small, after) {
			t.Fatalf("a minimal buffer changed the findings:\n%v\nvs\n%v", small, after)
		}
		type key struct {
			rule, match string
			off         int
		}
		if marker-lineStart > directiveSpan || inString([]byte(text[lineStart:opener])) {
			// Too far into its line to tell a string from a comment, or after
			// an opener inside a string: plain text, which suppresses nothing,
			// and every finding of the text without it stays.
			got := map[key]bool{}
			for _, f := range after {
				if Reserved(f.Rule.ID) || f.Suppression != nil {
					t.Fatalf("%q: plain text acted as a directive: %+v", text, f)
				}
				switch off := offset(text, f.Line, f.Column); {
				case off >= p+len(d):
					got[key{f.Rule.ID, f.Match, off - len(d)}] = true
				case off+len(f.Match) <= p:
					got[key{f.Rule.ID, f.Match, off}] = true
				}
			}
			for _, f := range before {
				if k := (key{f.Rule.ID, f.Match, offset(orig, f.Line, f.Column)}); !got[k] {
					t.Fatalf("%q: %+v lost", text, f)
				}
			}
			return
		}
		want := map[key]int{}
		for _, f := range before {
			if Reserved(f.Rule.ID) || f.Suppression != nil {
				t.Fatalf("text without a directive: %+v", f)
			}
			want[key{f.Rule.ID, f.Match, offset(orig, f.Line, f.Column)}]++
		}
		used := false
		var builtin []string
		for _, f := range after {
			if Reserved(f.Rule.ID) {
				builtin = append(builtin, fmt.Sprintf("%d:%d %s %s", f.Line, f.Column, f.Rule.ID, f.Match))
				continue
			}
			covered := id != "zz" && f.Rule.ID == id && (f.Line == dline || alone && f.Line == dline+1)
			if (f.Suppression != nil) != covered {
				t.Fatalf("%q: %+v: suppressed %v, want %v (directive on line %d, alone %v)", text, f, f.Suppression != nil, covered, dline, alone)
			}
			used = used || covered
			off := offset(text, f.Line, f.Column)
			switch {
			case off >= p+len(d):
				off -= len(d)
			case off >= p && off+len(f.Match) <= marker:
				continue // the comment opener is text, though not code
			case off >= p:
				t.Fatalf("%q: a token in the directive's own text counted: %+v", text, f)
			}
			kf := key{f.Rule.ID, f.Match, off}
			if want[kf] == 0 {
				t.Fatalf("%q: a new finding %+v", text, f)
			}
			want[kf]--
		}
		for kf, n := range want {
			if n > 0 {
				t.Fatalf("%q: the directive hid %+v", text, kf)
			}
		}
		var wantBuiltin []string
		switch col := marker - lineStart + 1; {
		case id == "zz":
			wantBuiltin = []string{fmt.Sprintf("%d:%d %s zz", dline, col, InvalidSuppression)}
		case !used:
			wantBuiltin = []string{fmt.Sprintf("%d:%d %s %s", dline, col, UnusedSuppression, id)}
		}
		if !reflect.DeepEqual(builtin, wantBuiltin) {
			t.Fatalf("%q: built-in findings %q, want %q", text, builtin, wantBuiltin)
		}
	})
}

func scanFindings(e *Engine, text string, size int) []*result.Finding {
	w := &worker{s: &scan{e: e}, buf: make([]byte, size)}
	w.search("f", nil, &trickle{data: []byte(text)})
	return w.findings
}

// offset turns a 1-based line and byte column into an offset in text.
func offset(text string, line, col int) int {
	at := 0
	for ; line > 1; line-- {
		at += strings.IndexByte(text[at:], '\n') + 1
	}
	return at + col - 1
}

// crosses reports whether some token of r occurs in text starting before x
// and ending after it, valid or not.
func crosses(r rules.Rule, text []byte, x int) bool {
	for _, t := range r.Tokens {
		for s := max(0, x-4*len(t)); s < x; s++ {
			if r.IgnoreCase {
				for q := x + 1; q <= len(text) && q <= s+4*len(t); q++ {
					if bytes.EqualFold(text[s:q], []byte(t)) {
						return true
					}
				}
			} else if bytes.HasPrefix(text[s:], []byte(t)) && s+len(t) > x {
				return true
			}
		}
	}
	return false
}
