package gitsrc

import (
	"reflect"
	"testing"
)

func TestHunkHeader(t *testing.T) {
	type counts struct{ oldN, newAt, newN int }
	for h, want := range map[string]counts{
		"@@ -1,2 +3,4 @@":          {2, 3, 4},
		"@@ -10 +12 @@ func x() {": {1, 12, 1},
		"@@ -5,3 +4,0 @@":          {3, 4, 0}, // a pure deletion adds no line
		"@@ -0,0 +1,7 @@":          {0, 1, 7},
		"@@ -1 +1 @@ @@ -9 +9 @@":  {1, 1, 1}, // function context that reads like a header
	} {
		oldN, newAt, newN, ok := hunkHeader(h)
		if got := (counts{oldN, newAt, newN}); !ok || got != want {
			t.Errorf("%q: %v %v, want %v", h, got, ok, want)
		}
	}
	for _, h := range []string{
		"@@ nonsense @@",
		"@@@ -1,1 -1,1 +1,2 @@@ combined",
		"@@ -1 +x @@",
		"@@ -1 +0,1 @@",
		"@@ -1 +1,-1 @@",
		"@@ -1 ++1 @@",
		"@@ -1 +1",
		"@@ -1 +1 @@x",
		"@@ - +1 @@",
	} {
		if _, _, _, ok := hunkHeader(h); ok {
			t.Errorf("%q: accepted a bad header", h)
		}
	}
}

func TestParseDiff(t *testing.T) {
	diff := "diff --git a/app/x.php b/app/x.php\n" +
		"index 1..2 100644\n--- a/app/x.php\n+++ b/app/x.php\n" +
		"@@ -2,0 +3,2 @@\n+a\n+b\n@@ -9 +11 @@\n-c\n+d\n" +
		"diff --git \"a/app/we\\tird.php\" \"b/app/we\\tird.php\"\n" +
		"--- /dev/null\n+++ \"b/app/we\\tird.php\"\n@@ -0,0 +1 @@\n+e\n" +
		"diff --git a/gone.php b/gone.php\n--- a/gone.php\n+++ /dev/null\n@@ -1 +0,0 @@\n-f\n"
	got, err := parseDiff([]byte(diff))
	if err != nil {
		t.Fatal(err)
	}
	want := Changed{"app/x.php": {{3, 4}, {11, 11}}, "app/we\tird.php": {{1, 1}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, c := range []struct {
		line int
		want bool
	}{{2, false}, {3, true}, {4, true}, {5, false}, {11, true}, {12, false}} {
		if got.Has("app/x.php", c.line) != c.want {
			t.Errorf("line %d: %v", c.line, !c.want)
		}
	}
}

func TestParseDiffCases(t *testing.T) {
	const h = "diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n"
	for _, c := range []struct {
		name, diff string
		want       Changed
	}{
		{"content that reads like file headers", h +
			"@@ -1,2 +1,4 @@\n---- a/y\n--- b/y\n++++ b/y\n+++ b/other\n+-- /dev/null\n+@@ -1 +1 @@\n" +
			"@@ -9,0 +11 @@\n++++ /dev/null\n",
			Changed{"x": {{1, 4}, {11, 11}}}},
		{"a +++ /dev/null content line does not end the file", h +
			"@@ -1 +1 @@\n--- /dev/null\n+++ /dev/null\n@@ -5,0 +6 @@\n+InventorySyncRun\n",
			Changed{"x": {{1, 1}, {6, 6}}}},
		{"diff --git as content", h + "@@ -0,0 +1,2 @@\n+diff --git a/y b/y\n++++ b/y\n",
			Changed{"x": {{1, 2}}}},
		{"no final newline on either side", h +
			"@@ -3 +3 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n",
			Changed{"x": {{3, 3}}}},
		{"only the final newline differs", h +
			"@@ -3 +3 @@\n-a\n\\ No newline at end of file\n+a\n",
			Changed{"x": {{3, 3}}}},
		{"a line git removes and adds again is not new", h +
			"@@ -1,5 +1,8 @@\n-}\n-}\n-}\n-}\n-}\n+n1\n+n2\n+n3\n+n4\n+}\n+n5\n+n6\n+n7\n",
			Changed{"x": {{1, 4}, {6, 8}}}},
		{"no final newline, then more lines", h +
			"@@ -3 +3,2 @@\n-a\n\\ No newline at end of file\n+a\n+b\n",
			Changed{"x": {{3, 4}}}},
		{"context lines, and suppressBlankEmpty's empty ones", h +
			"@@ -1,4 +1,4 @@\n-a\n+A\n c\n\n-d\n+D\n",
			Changed{"x": {{1, 1}, {4, 4}}}},
		{"binary", "diff --git a/b.bin b/b.bin\nindex 1..2 100644\nBinary files a/b.bin and b/b.bin differ\n",
			Changed{"b.bin": {WholeFile()}}},
		{"new binary", "diff --git a/n.bin b/n.bin\nnew file mode 100644\nindex 0..2\nBinary files /dev/null and b/n.bin differ\n",
			Changed{"n.bin": {WholeFile()}}},
		{"deleted binary", "diff --git a/d.bin b/d.bin\ndeleted file mode 100644\nindex 1..0\nBinary files a/d.bin and /dev/null differ\n",
			Changed{}},
		{"mode change, empty new file", "diff --git a/m b/m\nold mode 100644\nnew mode 100755\n" +
			"diff --git a/e b/e\nnew file mode 100644\nindex 0000000..e69de29\n",
			Changed{"m": nil, "e": nil}},
		{"symlink that became a file", "diff --git a/l b/l\ndeleted file mode 120000\nindex 1..0\n--- a/l\n+++ /dev/null\n" +
			"@@ -1 +0,0 @@\n-target\n\\ No newline at end of file\n" +
			"diff --git a/l b/l\nnew file mode 100644\nindex 0..2\n--- /dev/null\n+++ b/l\n@@ -0,0 +1,2 @@\n+a\n+b\n",
			Changed{"l": {{1, 2}}}},
		{"names with spaces, and with \" b/\" in them", "diff --git a/x y b/x y\n--- a/x y\t\n+++ b/x y\t\n@@ -1 +1 @@\n-a\n+b\n" +
			"diff --git a/a b/c b/a b/c\n--- a/a b/c\t\n+++ b/a b/c\t\n@@ -2 +2 @@\n-a\n+b\n",
			Changed{"x y": {{1, 1}}, "a b/c": {{2, 2}}}},
		{"quoted names: newline, quote, invalid UTF-8", "diff --git \"a/new\\nline\\377\" \"b/new\\nline\\377\"\n" +
			"--- \"a/new\\nline\\377\"\n+++ \"b/new\\nline\\377\"\n@@ -0,0 +1 @@\n+a\n" +
			"diff --git \"a/q\\\"uote\" \"b/q\\\"uote\"\n--- \"a/q\\\"uote\"\n+++ \"b/q\\\"uote\"\n@@ -0,0 +1 @@\n+a\n",
			Changed{"new\nline\xff": {{1, 1}}, "q\"uote": {{1, 1}}}},
		{"unmerged path notes", "* Unmerged path u\n" + h + "@@ -1 +1 @@\n-a\n+b\n* Unmerged path v\n",
			Changed{"x": {{1, 1}}}},
		{"nothing", "", Changed{}},
	} {
		got, err := parseDiff([]byte(c.diff))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
}

// Output that does not follow the format is an error, never a guess.
func TestParseDiffRejects(t *testing.T) {
	const h = "diff --git a/x b/x\n--- a/x\n+++ b/x\n"
	for name, diff := range map[string]string{
		"hunk cut short":            h + "@@ -1,2 +1,2 @@\n-a\n+b\n",
		"more lines than counted":   h + "@@ -1 +1 @@\n-a\n+b\n+c\n",
		"a header after a hunk":     h + "@@ -1 +1 @@\n-a\n+b\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
		"hunk before +++":           "diff --git a/x b/x\n@@ -1 +1 @@\n-a\n+b\n",
		"+++ of another file":       "diff --git a/x b/x\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
		"text before any section":   "hello\n" + h,
		"combined diff":             h + "@@@ -1 -1 +1 @@@\n",
		"a bad hunk header":         h + "@@ -1 +1\n-a\n+b\n",
		"unequal header names":      "diff --git a/x b/y\n",
		"header without prefixes":   "diff --git x x\n",
		"no-prefix header":          "diff --git x y x y\n",
		"unterminated quoted name":  "diff --git \"a/x b/x\n",
		"removed line miscounted":   h + "@@ -1,0 +1 @@\n-a\n",
		"context without old lines": h + "@@ -1,0 +1 @@\n a\n",
	} {
		if got, err := parseDiff([]byte(diff)); err == nil {
			t.Errorf("%s: accepted, got %v", name, got)
		}
	}
}

func TestParseRawPatch(t *testing.T) {
	z := "\x00"
	raw := ":100644 100644 1 0 M" + z + "m.php" + z +
		":120000 100644 2 0 T" + z + "was-link" + z +
		":100644 120000 3 0 T" + z + "now-link" + z +
		":000000 120000 0 4 A" + z + "new-link" + z +
		":000000 160000 0 5 A" + z + "sub" + z +
		":100644 000000 6 0 D" + z + "gone.php" + z +
		":100644 000000 7 0 U" + z + "conflict.php" + z +
		":100644 100755 8 0 M" + z + "mode.sh" + z +
		":000000 100644 0 9 A" + z + "with\nnewline" + z +
		z
	patch := "diff --git a/m.php b/m.php\n--- a/m.php\n+++ b/m.php\n@@ -1 +1,2 @@\n-a\n+b\n+c\n" +
		"diff --git a/was-link b/was-link\ndeleted file mode 120000\n--- a/was-link\n+++ /dev/null\n@@ -1 +0,0 @@\n-t\n" +
		"diff --git a/was-link b/was-link\nnew file mode 100644\n--- /dev/null\n+++ b/was-link\n@@ -0,0 +1 @@\n+x\n" +
		"diff --git a/new-link b/new-link\nnew file mode 120000\n--- /dev/null\n+++ b/new-link\n@@ -0,0 +1 @@\n+t\n" +
		"diff --git a/sub b/sub\nnew file mode 160000\n--- /dev/null\n+++ b/sub\n@@ -0,0 +1 @@\n+Subproject commit 5\n" +
		"* Unmerged path conflict.php\n" +
		"diff --git a/mode.sh b/mode.sh\nold mode 100644\nnew mode 100755\n" +
		"diff --git \"a/with\\nnewline\" \"b/with\\nnewline\"\nnew file mode 100644\n--- /dev/null\n+++ \"b/with\\nnewline\"\n@@ -0,0 +1 @@\n+x\n"
	got, err := parseRawPatch([]byte(raw + patch))
	if err != nil {
		t.Fatal(err)
	}
	want := Changed{
		"m.php": {{1, 2}}, "was-link": {{1, 1}}, "conflict.php": {WholeFile()},
		"mode.sh": nil, "with\nnewline": {{1, 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if got, err := parseRawPatch(nil); err != nil || len(got) != 0 {
		t.Errorf("no changes: %v %v", got, err)
	}
	for name, out := range map[string]string{
		"a patch for a file not listed": ":100644 100644 1 0 M" + z + "a" + z + z +
			"diff --git a/b b/b\n--- a/b\n+++ b/b\n@@ -1 +1 @@\n-a\n+b\n",
		"truncated raw record": ":100644 100644 1 0 M" + z + "a",
		"bad raw record":       ":100644 1 0 M" + z + "a" + z,
		"no separator":         ":100644 100644 1 0 M" + z + "a" + z + "diff --git a/a b/a\n",
	} {
		if got, err := parseRawPatch([]byte(out)); err == nil {
			t.Errorf("%s: accepted, got %v", name, got)
		}
	}
}

func TestUnquoteC(t *testing.T) {
	for in, want := range map[string]string{
		`"a\tb"`:              "a\tb",
		`"new\nline"`:         "new\nline",
		`"q\"uote\\"`:         `q"uote\`,
		`"\303\251t\351"`:     "ét\xe9",
		`"all\a\b\t\n\v\f\r"`: "all\a\b\t\n\v\f\r",
		`""`:                  "",
		`"\000"`:              "\x00",
	} {
		if got, err := unquoteC(in); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`"bad\`, `"bad\"`, `"\12"`, `"\9zz"`, `"\400"`, `unquoted`, `"`} {
		if got, err := unquoteC(in); err == nil {
			t.Errorf("%s: accepted, got %q", in, got)
		}
	}
}

func TestSplitZ(t *testing.T) {
	if got := splitZ([]byte("a\x00b c\x00\n\x00")); !reflect.DeepEqual(got, []string{"a", "b c", "\n"}) {
		t.Errorf("%q", got)
	}
	if got := splitZ(nil); got != nil {
		t.Errorf("%q", got)
	}
}
