package scanner

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// naiveRegex is the reference for regex rules, written from the spec and
// sharing nothing with the engine but Go's regexp: for each line (without
// its line break, and without the \r of a CRLF), from each rune start p,
// the longest span that some expression matches starting exactly at p with
// the whole line around it, then on after its end. "Starting exactly at p"
// is an expression behind a prefix that consumes exactly the runes before
// p, so that ^, $ and \b still see the whole line. It returns
// "line:col-endcol:text" for each match, and false for lines longer than
// its prefix can count.
func naiveRegex(r rules.Rule, text []byte) ([]string, bool) {
	var out []string
	for n, line := range bytes.Split(text, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if utf8.RuneCount(line) > 300 {
			return nil, false
		}
		var starts []int // rune starts, as regexp steps through the line
		for p := 0; p < len(line); {
			starts = append(starts, p)
			_, w := utf8.DecodeRune(line[p:])
			p += w
		}
		for k := 0; k < len(starts); {
			p, best := starts[k], -1
			for _, t := range r.Tokens {
				flags := ""
				if r.IgnoreCase {
					flags = "i"
				}
				re := naiveCompile(fmt.Sprintf(`\A(?s:.){%d}(?%s:%s)`, k, flags, t))
				if loc := re.FindIndex(line); loc != nil && loc[1] > best {
					best = loc[1]
				}
			}
			if best <= p {
				k++
				continue
			}
			out = append(out, fmt.Sprintf("%d:%d-%d:%s", n+1, p+1, best+1, line[p:best]))
			for k < len(starts) && starts[k] < best {
				k++
			}
		}
	}
	return out, true
}

var naiveCache = map[string]*regexp.Regexp{}

func naiveCompile(expr string) *regexp.Regexp {
	re := naiveCache[expr]
	if re == nil {
		if len(naiveCache) > 1<<14 {
			clear(naiveCache)
		}
		re = regexp.MustCompile(expr)
		re.Longest()
		naiveCache[expr] = re
	}
	return re
}

func regexRule(ignoreCase bool, exprs ...string) rules.Rule {
	return rules.Rule{ID: "r", Message: "m", Match: rules.Regex, IgnoreCase: ignoreCase, Tokens: exprs}
}

func TestRegexMatches(t *testing.T) {
	tests := []struct {
		name string
		rule rules.Rule
		text string
		want []string
	}{
		{"anchors", regexRule(false, `^foo`, `bar$`), "foo foo bar bar\nxfoo bar\r\n", []string{"1:1-4:foo", "1:13-16:bar", "2:6-9:bar"}},
		{"word boundary after a previous match", regexRule(false, `\bab`), "ababab ab", []string{"1:1-3:ab", "1:8-10:ab"}},
		{"boundary sees the previous match", regexRule(false, `a\B`), "aaa", []string{"1:1-2:a", "1:2-3:a"}},
		{"leftmost then longest across expressions", regexRule(false, `ab`, `abcd`, `bcdef`), "abcdef", []string{"1:1-5:abcd"}},
		{"leftmost wins over longer", regexRule(false, `bcdef`, `abc`), "abcdef", []string{"1:1-4:abc"}},
		{"posix longest in one expression", regexRule(false, `a|ab|abc`), "abcd", []string{"1:1-4:abc"}},
		{"case-insensitive", regexRule(true, `inventory_?sync`), "InventorySync INVENTORY_SYNC", []string{"1:1-14:InventorySync", "1:15-29:INVENTORY_SYNC"}},
		{"kelvin", regexRule(true, `k+`), "\u212aK", []string{"1:1-5:\u212aK"}},
		{"never across lines", regexRule(false, `a\s*b`), "a\nb a b", []string{"2:3-6:a b"}},
		{"bare expression", regexRule(false, `[0-9]{3}`), "x 1234 5\n999", []string{"1:3-6:123", "2:1-4:999"}},
		{"literal and bare mixed", regexRule(false, `foo[0-9]`, `[xy]{2}`), "foo1 xy\nxx foo", []string{"1:1-5:foo1", "1:6-8:xy", "2:1-3:xx"}},
		{"alternation literals", regexRule(false, `(alpha|beta)_run`), "beta_run alpha_run gamma_run", []string{"1:1-9:beta_run", "1:10-19:alpha_run"}},
		{"invalid utf8", regexRule(false, `a.b`, "\uFFFD"), "a\xffb \xfe", []string{"1:1-4:a\xffb", "1:5-6:\xfe"}},
		{"no final line break", regexRule(false, `end$`), "the end", []string{"1:5-8:end"}},
		{"candidate lines without the other literals", regexRule(false, `\bfunction \w*Run\(`, `[0-9]{3}`),
			"function x(\nfunction getRun( 123\nfunction Run(", []string{"2:1-17:function getRun(", "2:18-21:123", "3:1-14:function Run("}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, _ := naiveRegex(tt.rule, []byte(tt.text))
			if !reflect.DeepEqual(ref, tt.want) {
				t.Errorf("reference = %q, want %q", ref, tt.want)
			}
			e, err := Compile(&rules.Set{Rules: []rules.Rule{tt.rule}})
			if err != nil {
				t.Fatal(err)
			}
			for _, size := range []int{e.m.minBuf(), e.m.minBuf() + 3, 1 << 16} {
				if got := streamFind(e, []byte(tt.text), size); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("buffer %d: matcher = %q, want %q", size, got, tt.want)
				}
			}
		})
	}
}

func TestRegexRequired(t *testing.T) {
	tests := []struct {
		expr string
		fold bool
		want string // the literals, joined by |; "" for none
	}{
		{`foo`, false, "foo"},
		{`\bfoo\w*bar_baz`, false, "bar_baz"},
		{`a\bbc`, false, "abc"},
		{`(alpha|beta)_run`, false, "_run"},
		{`(alpha|beta)x`, false, "alpha|beta"},
		{`x*`, false, ""},
		{`[0-9]+`, false, ""},
		{`(foo)+`, false, "foo"},
		{`(foo){0,2}bar`, false, "bar"},
		{`a|[b]`, false, ""},
		{`(?i)Sync`, false, "SYNC(fold)"},
		{`sync`, true, "SYNC(fold)"},
		{`(?i)ab(?-i)cd`, false, "cd"},
		{`abc\nd`, false, "abc"},
		{`a\x{FFFD}b`, false, "a"},
		{`\bfunction \w*SyncRun\w*\(`, false, "SyncRun"},
		{`DB::table\(['"][a-z_]+_runs`, false, "DB::table("},
	}
	for _, tt := range tests {
		re, err := parseRegex(tt.expr, tt.fold)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range required(re) {
			s := l.s
			if l.fold {
				s += "(fold)"
			}
			got = append(got, s)
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("required(%q) = %q, want %q", tt.expr, g, tt.want)
		}
	}
}

func TestRegexMusts(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`\bfunction \w*SyncRun\w*\(`, "function |SyncRun|("},
		{`a\bb(cd)+e?`, "ab|cd"},
		{`(?i:x)yz`, "yz"},
		{`(a|b)c`, "c"},
		{`x{2,}y\x{FFFD}z`, "x|y|z"},
	}
	for _, tt := range tests {
		re, err := parseRegex(tt.expr, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(mustAll(re), "|"); got != tt.want {
			t.Errorf("mustAll(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestCheckRegex(t *testing.T) {
	tests := []struct{ expr, err string }{
		{`foo`, ""},
		{`\bfoo\b`, ""},
		{`(a`, "does not compile: missing closing )"},
		{`a**`, "does not compile: invalid nested repetition operator"},
		{`x*`, "can match the empty string"},
		{`^`, "can match the empty string"},
		{`\b`, "can match the empty string"},
		{`a|`, "can match the empty string"},
		{`(a?){3}`, "can match the empty string"},
		{`a{0}`, "can match the empty string"},
		{`[^\x00-\x{10FFFF}]`, ""},
		{`a\Qb*`, `ends inside \Q…; close the quote with \E`},
		{`a\Qb*\E`, ""},
		// Lines are matched one at a time: an expression that needs a line
		// break would never match, a rule that silently finds nothing.
		{`foo\nbar`, "needs a line break"},
		{`foo[\n]bar`, "needs a line break"},
		{`InventorySync\s*\n\s*Run`, "needs a line break"},
		{`(?:\n)+x`, "needs a line break"},
		{`x(\n|\n\n)`, "needs a line break"},
		{`(?s)a.b`, ""},
		{`a(\n|b)`, ""},
		{`[\n\r]`, ""},
		{`a\n*b`, ""},
		{`a[^x]b`, ""},
	}
	for _, tt := range tests {
		err := CheckRegex(tt.expr, false)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("CheckRegex(%q) = %v, want %q", tt.expr, err, tt.err)
		}
	}
}

// FuzzRegex checks the regex path, prefilter and streaming included, against
// the naive reference, with a read buffer small enough that lines straddle
// its edges.
func FuzzRegex(f *testing.F) {
	f.Add("foo\x00bar$", "foo foo bar\nbar\r\nxfoo", uint8(0))
	f.Add(`\bab`, "ababab ab", uint8(0))
	f.Add("ab\x00abcd\x00bcdef", "abcdef abcd", uint8(4))
	f.Add("(?i)inv.sync\x00[0-9]+", "INV_SYNC 12 inv.sync\n999", uint8(1))
	f.Add(`k\w*`, "\u212a\u017f KS", uint8(1))
	f.Add(`^a|b$`, "ab\nba\nb", uint8(2))
	f.Add("a\\Qb)\x00c", "a\\Qb) ab) c", uint8(0))
	f.Add(`x[^y]{3}z`, strings.Repeat("x123z ", 20), uint8(9))
	f.Add("ab+c\x00[0-9]{2}", "xabbbc 12\r\n345 abc\nab", uint8(0x80))
	f.Add(`(?i)\bsync\b`, "Sync SYNC sync_ x\n", uint8(0x83))
	f.Fuzz(func(t *testing.T, exprs, text string, mode uint8) {
		r := regexRule(mode&1 != 0)
		for _, x := range strings.Split(exprs, "\x00") {
			if CheckRegex(x, r.IgnoreCase) == nil && len(r.Tokens) < 8 && len(x) < 64 {
				r.Tokens = append(r.Tokens, x)
			}
		}
		if len(r.Tokens) == 0 || strings.IndexByte(text[:min(len(text), binaryProbe)], 0) >= 0 || utf16Order([]byte(text)) != nil {
			return
		}
		e, err := Compile(&rules.Set{Rules: []rules.Rule{r}})
		if err != nil {
			t.Fatal(err)
		}
		size := e.m.minBuf() + int(mode>>1)%13
		if mode&0x80 != 0 && strings.Contains(text, "\n") {
			// Many short lines, so that reads cut lines at every offset.
			text = strings.Repeat(text, 3*size/len(text)+1)
		}
		want, ok := naiveRegex(r, []byte(text))
		if !ok {
			return
		}
		got := streamFind(e, []byte(text), size)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("exprs %q text %q: engine %q, reference %q", r.Tokens, text, got, want)
		}
	})
}
