package fix

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
	"github.com/tenantatlas/nolegacyruns/pkg/term"
)

func scan(t *testing.T, root string) []*result.Finding {
	t.Helper()
	e, err := scanner.Compile(&rules.Set{Rules: []rules.Rule{{ID: "types", Match: rules.Word,
		Tokens: []string{"inventory.sync"}, Fix: map[string]string{"inventory.sync": "inventory_sync"}}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Scan(context.Background(), scanner.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings
}

func TestApply(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, "a.php")
	os.WriteFile(name, []byte("a 'inventory.sync'\nb inventory.sync c inventory.sync"), 0o600)
	files, err := Apply(context.Background(), root, scan(t, root), false)
	if err != nil || len(files) != 1 || len(files[0].Fixed) != 3 || files[0].Skipped != "" {
		t.Fatalf("files %+v err %v", files, err)
	}
	got, _ := os.ReadFile(name)
	if string(got) != "a 'inventory_sync'\nb inventory_sync c inventory_sync" {
		t.Fatalf("fixed to %q", got)
	}
	if fi, _ := os.Stat(name); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	// Idempotent: nothing left to fix.
	if f := scan(t, root); len(f) != 0 {
		t.Fatalf("second scan found %v", f)
	}
	left, _ := filepath.Glob(filepath.Join(root, ".nolegacyruns-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// A file that changed after the scan is left alone and reported.
func TestApplySkipsChangedFile(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, "a.php")
	os.WriteFile(name, []byte("x = 'inventory.sync'\n"), 0o644)
	fs := scan(t, root)
	edited := "// a line added by someone else\nx = 'inventory.sync'\n"
	os.WriteFile(name, []byte(edited), 0o644)
	files, err := Apply(context.Background(), root, fs, false)
	if err != nil || len(files) != 1 || !strings.Contains(files[0].Skipped, "changed on disk") {
		t.Fatalf("files %+v err %v", files, err)
	}
	if got, _ := os.ReadFile(name); string(got) != edited {
		t.Fatalf("file was rewritten: %q", got)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, "a.php")
	os.WriteFile(name, []byte("x = 'inventory.sync'"), 0o644)
	files, _ := Apply(context.Background(), root, scan(t, root), true)
	want := "--- a/a.php\n+++ b/a.php\n@@ -1,1 +1,1 @@\n-x = 'inventory.sync'\n\\ No newline at end of file\n+x = 'inventory_sync'\n\\ No newline at end of file\n"
	if len(files) != 1 || files[0].Diff != want {
		t.Fatalf("diff %q", files[0].Diff)
	}
	if got, _ := os.ReadFile(name); string(got) != "x = 'inventory.sync'" {
		t.Fatal("dry run wrote the file")
	}
}

func TestCancelledBeforeAnyFile(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "a.php"), []byte("inventory.sync"), 0o644)
	fs := scan(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Apply(ctx, root, fs, false); err == nil {
		t.Fatal("no error after cancel")
	}
	if got, _ := os.ReadFile(filepath.Join(root, "a.php")); string(got) != "inventory.sync" {
		t.Fatal("file changed after cancel")
	}
}

// Suppressed and baselined findings are never rewritten.
func TestSuppressedAndBaselinedUntouched(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, "a.php")
	os.WriteFile(name, []byte("inventory.sync inventory.sync"), 0o644)
	fs := scan(t, root)
	fs[0].Suppression = &result.Suppression{Kind: "external"}
	fs[1].Suppression = &result.Suppression{Kind: "inSource"}
	files, _ := Apply(context.Background(), root, fs, false)
	if got, _ := os.ReadFile(name); len(files) != 0 || string(got) != "inventory.sync inventory.sync" {
		t.Fatalf("files %+v, content %q", files, got)
	}
}

// --fix keeps the setuid, setgid and sticky bits.
func TestApplyKeepsSpecialBits(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, "a.php")
	os.WriteFile(name, []byte("x = 'inventory.sync'\n"), 0o644)
	mode := 0o755 | os.ModeSetuid | os.ModeSetgid | os.ModeSticky
	os.Chmod(name, mode)
	if fi, _ := os.Stat(name); fi.Mode() != mode {
		t.Skipf("file system keeps %v of %v", fi.Mode(), mode)
	}
	files, err := Apply(context.Background(), root, scan(t, root), false)
	if err != nil || len(files) != 1 || files[0].Skipped != "" {
		t.Fatalf("files %+v err %v", files, err)
	}
	if fi, _ := os.Stat(name); fi.Mode() != mode {
		t.Errorf("mode %v, want %v", fi.Mode(), mode)
	}
}

// A file with other hard links is left alone, in a dry run too, and the
// reason given; it is never split from its other names.
func TestApplyRefusesHardLinks(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, "a.php")
	content := "x = 'inventory.sync'\n"
	os.WriteFile(name, []byte(content), 0o644)
	other := filepath.Join(t.TempDir(), "elsewhere.php")
	if err := os.Link(name, other); err != nil {
		t.Skip("no hard links:", err)
	}
	before, _ := os.Stat(name)
	for _, dry := range []bool{true, false} {
		files, err := Apply(context.Background(), root, scan(t, root), dry)
		if err != nil || len(files) != 1 || !strings.Contains(files[0].Skipped, "hard links (2 names)") || files[0].Diff != "" {
			t.Fatalf("dry run %v: files %+v err %v", dry, files, err)
		}
	}
	after, _ := os.Stat(name)
	got, _ := os.ReadFile(other)
	if !os.SameFile(before, after) || string(got) != content {
		t.Fatalf("split or rewritten: same inode %v, other name holds %q", os.SameFile(before, after), got)
	}
}

// A file whose name is as long as the file system allows can be fixed: the
// temporary file's name fits too.
func TestApplyLongName(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, strings.Repeat("a", 251)+".php")
	if err := os.WriteFile(name, []byte("inventory.sync"), 0o644); err != nil {
		t.Skip(err)
	}
	files, err := Apply(context.Background(), root, scan(t, root), false)
	if err != nil || len(files) != 1 || files[0].Skipped != "" {
		t.Fatalf("files %+v err %v", files, err)
	}
	if got, _ := os.ReadFile(name); string(got) != "inventory_sync" {
		t.Fatalf("content %q", got)
	}
}

// Diff headers quote paths as git does (checked against git 2.39), so that
// a file name cannot start a line of its own: no "::error" workflow command
// in a CI log. A name with a space gets git's trailing tab.
func TestDiffHeaderQuoting(t *testing.T) {
	tests := []struct{ path, minus string }{
		{"app/a.php", "a/app/a.php"},
		{"a b.php", "a/a b.php\t"},
		{"c:d.php", "a/c:d.php"},
		{"new\nline.php", `"a/new\nline.php"`},
		{"x\n::error file=x::pwned", `"a/x\n::error file=x::pwned"` + "\t"},
		{"cr\r.php", `"a/cr\r.php"`},
		{"bad\xff.php", `"a/bad\377.php"`},
		{"héllo.php", `"a/h\303\251llo.php"`},
		{"q\"x.php", `"a/q\"x.php"`},
		{`back\slash.php`, `"a/back\\slash.php"`},
		{"tab\tx.php", `"a/tab\tx.php"`},
		{"del\x7f.php", `"a/del\177.php"`},
		{"bell\a.php", `"a/bell\a.php"`},
		{"esc\x1b.php", `"a/esc\033.php"`},
		{"nul\x00.php", `"a/nul\000.php"`},
		{"sp ace\n.php", `"a/sp ace\n.php"` + "\t"},
	}
	for _, tt := range tests {
		d := UnifiedDiff(tt.path, []byte("inventory.sync\n"), []byte("inventory_sync\n"))
		lines := strings.Split(d, "\n")
		plus := strings.Replace(tt.minus, "a/", "b/", 1)
		if lines[0] != "--- "+tt.minus || lines[1] != "+++ "+plus {
			t.Errorf("%q: headers %q, %q", tt.path, lines[0], lines[1])
		}
		if len(lines) != 6 { // five and the empty one after the last newline
			t.Errorf("%q: %d lines in\n%s", tt.path, len(lines), d)
		}
	}
}

// The headers are the ones git itself prints for the same names.
func TestDiffHeaderMatchesGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	names := []string{"a b.php", "new\nline.php", "bad\xff.php", "h\u00e9llo.php", "q\"x.php", `back\slash.php`, "tab\tx.php", "del\x7f.php", "esc\x1b.php", "sp ace\n.php", "plain.php"}
	var made []string
	for _, n := range names {
		if os.WriteFile(filepath.Join(dir, n), []byte("inventory.sync\n"), 0o644) == nil {
			made = append(made, n)
		}
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "core.quotePath=true", "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "x")
	for _, n := range made {
		os.WriteFile(filepath.Join(dir, n), []byte("inventory_sync\n"), 0o644)
	}
	var want strings.Builder
	for _, l := range strings.SplitAfter(git("diff", "--no-color"), "\n") {
		if strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ") {
			want.WriteString(l)
		}
	}
	// git sorts by path bytes; so does this.
	var got strings.Builder
	sort.Strings(made)
	for _, n := range made {
		got.WriteString(header(n))
	}
	if got.String() != want.String() {
		t.Fatalf("headers:\n%s\ngit's:\n%s", got.String(), want.String())
	}
}

// A term rule's fix is written in the convention of each match.
func TestTermReplacement(t *testing.T) {
	r := &rules.Rule{ID: "t", Match: rules.Term, Tokens: []string{"InventorySyncRun", "backup schedule run"},
		Fix: map[string]string{"InventorySyncRun": "OperationRun", "backup schedule run": "operation run"}}
	for match, want := range map[string]string{
		"inventory-sync-runs":  "operation-runs",
		"inventorySyncRuns":    "operationRuns",
		"INVENTORY_SYNC_RUN":   "OPERATION_RUN",
		"Inventory sync runs":  "Operation runs",
		"inventory_sync_run":   "operation_run",
		"InventorySyncRun":     "OperationRun",
		"BackupScheduleRuns":   "OperationRuns",
		"backup.schedule.run":  "operation.run",
		"Backup Schedule Runs": "Operation Runs",
		"backup_schedule_runs": "operation_runs",
		"BACKUP-SCHEDULE-RUN":  "OPERATION-RUN",
		"backupScheduleRun":    "operationRun",
	} {
		got, ok := Replacement(&result.Finding{Rule: r, Match: match})
		if !ok || got != want {
			t.Errorf("Replacement(%q) = %q, %v, want %q", match, got, ok, want)
		}
	}
	if got, ok := Replacement(&result.Finding{Rule: r, Match: "InventorySync"}); ok {
		t.Errorf("a text that spells no term was replaced with %q", got)
	}
}

// When two terms cover the match (bus and buse both cover buses), the
// replacement is the first term's in the rule, every time: it was taken
// in a map's order, which changes from run to run.
func TestReplacementDeterministic(t *testing.T) {
	for _, toks := range [][]string{{"bus", "buse"}, {"buse", "bus"}} {
		r := rules.Rule{ID: "r", Match: rules.Term, Tokens: toks, Fix: map[string]string{"bus": "car", "buse": "van"}}
		want, _ := term.Rewrite(toks[0], r.Fix[toks[0]], "buses")
		for range 50 {
			if got, ok := Replacement(&result.Finding{Rule: &r, Match: "buses"}); !ok || got != want {
				t.Fatalf("tokens %q: %q, %v; want %q every time", toks, got, ok, want)
			}
		}
	}
	r := rules.Rule{ID: "r", IgnoreCase: true, Tokens: []string{"Run", "RUN"}, Fix: map[string]string{"Run": "Op", "RUN": "OP"}}
	for range 50 {
		if got, ok := Replacement(&result.Finding{Rule: &r, Match: "rUn"}); !ok || got != "Op" {
			t.Fatalf("ignore case: %q, %v; want Op every time", got, ok)
		}
	}
}
