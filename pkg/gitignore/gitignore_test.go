package gitignore

import (
	"fmt"
	"strings"
	"testing"
)

// wildmatch as git's wildmatch.c behaves (the differential tests in
// internal/source hold the whole to git itself).
func TestWildmatch(t *testing.T) {
	for _, c := range []struct {
		pat, text      string
		pathname, fold bool
		want           bool
	}{
		{"foo", "foo", true, false, true},
		{"f?o", "f/o", true, false, false},
		{"f?o", "f/o", false, false, true},
		{"*.php", "a/b.php", true, false, false},
		{"*.php", "a/b.php", false, false, true},
		{"**/b.php", "b.php", true, false, true},
		{"**/b.php", "a/c/b.php", true, false, true},
		{"a/**/b", "a/b", true, false, true},
		{"a/**/b", "a/x/y/b", true, false, true},
		{"a/**", "a/x/y", true, false, true},
		{"a**b", "a/x/b", true, false, false}, // ** not between slashes is *
		{"[!a]", "b", true, false, true},
		{"[^a]", "a", true, false, false},
		{"[]a]", "]", true, false, true},
		{"[a-c]", "b", true, false, true},
		{"[[:alpha:]]", "é", true, false, false},  // ASCII classes
		{"[[:space:]]", "\v", true, false, false}, // git's ctype: no vertical tab
		{"[[:bogus:]]", "a", true, false, false},
		{"[a", "[a", true, false, false}, // an unclosed class never matches
		{`\*`, "*", true, false, true},
		{`a\`, `a\`, true, false, false}, // a trailing backslash never matches
		{"?", "é", true, false, false},   // one byte, not one character
		{"FOO", "foo", true, true, true},
		{`\F`, "f", true, true, false}, // escaped: compared as written
		{"[A-Z]", "a", true, true, true},
		{"[[:upper:]]", "a", true, true, true},
	} {
		if got := wildmatch(c.pat, c.text, c.pathname, c.fold); got != c.want {
			t.Errorf("wildmatch(%q, %q, pathname %v, fold %v) = %v, want %v", c.pat, c.text, c.pathname, c.fold, got, c.want)
		}
	}
}

func TestStack(t *testing.T) {
	top := Parse([]byte("\xef\xbb\xbf# comment\n*.log\n!keep.log\n/build/\ndocs/*.md\nsp\\ \ntrail  \n\\#h\n\\!bang\nx\r\n"), "")
	sub := Parse([]byte("*.php\n!a.php\n/only-here.txt\nlib/*.js\n"), "app/")
	st := NewStack(false, Parse([]byte("secret\n"), ""))
	root := st.Push(top)
	app := root.Push(sub)
	for _, c := range []struct {
		s     *Stack
		path  string
		isDir bool
		want  bool
	}{
		{root, "x.log", false, true},
		{root, "keep.log", false, false},
		{root, "a/keep.log", false, false},
		{root, "build", true, true},
		{root, "build", false, false},  // folders only
		{root, "a/build", true, false}, // anchored
		{root, "docs/a.md", false, true},
		{root, "a/docs/a.md", false, false}, // a slash anchors
		{root, "sp ", false, true},
		{root, "trail", false, true},
		{root, "#h", false, true},
		{root, "!bang", false, true},
		{root, "x", false, true}, // CRLF
		{root, "secret", false, true},
		{app, "app/b.php", false, true},
		{app, "app/a.php", false, false},
		{app, "app/x.log", false, true},
		{root, "b.php", false, false},
		{app, "app/only-here.txt", false, true}, // anchored at app/
		{app, "app/x/only-here.txt", false, false},
		{app, "app/lib/a.js", false, true},
		{app, "app/x/lib/a.js", false, false},
		{app, "application/lib/a.js", false, false}, // not below app/
		{app, "lib/a.js", false, false},
	} {
		if got := c.s.Ignored(c.path, c.isDir); got != c.want {
			t.Errorf("Ignored(%q, dir %v) = %v, want %v", c.path, c.isDir, got, c.want)
		}
	}
}

// Parse keeps one copy of the file and one slice of patterns: no
// allocation per line.
func TestParseAllocations(t *testing.T) {
	var data []byte
	for i := range 200 {
		data = fmt.Appendf(data, "# comment %d\n/dir%d/\n*.ext%d\n\n!keep%d  \r\n", i, i, i, i)
	}
	var l *List
	if n := testing.AllocsPerRun(10, func() { l = Parse(data, "") }); n > 3 {
		t.Errorf("%v allocations, want at most 3", n)
	}
	if len(l.patterns) != 600 || cap(l.patterns) != 600 {
		t.Errorf("%d patterns in a slice of %d, want 600 in 600", len(l.patterns), cap(l.patterns))
	}
}

// benchList is a Laravel application's kind of top .gitignore.
const benchList = `/bootstrap/ssr
/node_modules
/public/build
/public/hot
/public/storage
/public/vendor
/storage/*.key
/vendor
/tests/Browser/screenshots/
/tests/Browser/console/
.env
.env.backup
.env.production
.phpunit.result.cache
.phpactor.json
Homestead.json
Homestead.yaml
auth.json
npm-debug.log
yarn-error.log
/.fleet
/.idea
/.vscode
.DS_Store
*.swp
_ide_helper.php
`

// BenchmarkIgnored asks about the files and folders of a Laravel-shaped
// tree, as the walk does: each with the stack of its folder.
func BenchmarkIgnored(b *testing.B) {
	root := NewStack(false, Parse(nil, "")).Push(Parse([]byte(benchList), ""))
	db := root.Push(Parse([]byte("*.sqlite*\n"), "database/"))
	type ask struct {
		s     *Stack
		path  string
		isDir bool
	}
	var asks []ask
	for _, d := range []string{"app/Http/Controllers", "app/Models", "resources/js/Pages/Settings", "routes", "database/migrations"} {
		s := root
		if strings.HasPrefix(d, "database/") {
			s = db
		}
		for i := range 20 {
			asks = append(asks, ask{s, fmt.Sprintf("%s/File%02d.php", d, i), false})
		}
		asks = append(asks, ask{s, d + "/Sub", true})
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, a := range asks {
			if a.s.Ignored(a.path, a.isDir) {
				b.Fatal(a.path)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(asks)), "ns/path")
}
