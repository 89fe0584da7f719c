package gitsrc

import (
	"reflect"
	"testing"
)

func TestHunkRange(t *testing.T) {
	for h, want := range map[string]LineRange{
		"@@ -1,2 +3,4 @@":            {3, 6},
		"@@ -10 +12 @@ func x() {":   {12, 12},
		"@@ -5,3 +4,0 @@":            {4, 3}, // a pure deletion adds no line
		"@@ -0,0 +1,7 @@":            {1, 7},
		"@@@ -1,1 -1,1 +1,2 @@@ ...": {1, 2},
	} {
		got, ok := hunkRange(h)
		if !ok || got != want {
			t.Errorf("%q: %v %v, want %v", h, got, ok, want)
		}
	}
	if _, ok := hunkRange("@@ nonsense @@"); ok {
		t.Error("accepted a bad header")
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

func TestUnquoteC(t *testing.T) {
	for in, want := range map[string]string{
		`"a\tb"`:          "a\tb",
		`"new\nline"`:     "new\nline",
		`"q\"uote\\"`:     `q"uote\`,
		`"\303\251t\351"`: "ét\xe9",
	} {
		if got, err := unquoteC(in); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := unquoteC(`"bad\`); err == nil {
		t.Error("accepted a trailing backslash")
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
