package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tenantatlas/nolegacyruns/internal/ghlog"
	"github.com/tenantatlas/nolegacyruns/internal/pipeline"
	"github.com/tenantatlas/nolegacyruns/pkg/baseline"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

func run(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Dir: dir}
	code = Run(context.Background(), args, env)
	return code, out.String(), errb.String()
}

// hostileNames are file names that break naive printers.
var hostileNames = []string{"a b.php", "c:d.php", "100%.php", "new\nline.php", "bad\xff.php", "-dash.php", "quote\".php", "comma,x.php"}

// Every format stays valid, and prints each hostile name safely.
func TestHostileFileNames(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "app"), 0o755)
	for _, n := range hostileNames {
		if err := os.WriteFile(filepath.Join(dir, "app", n), []byte("<?php BackupScheduleRun::x();\n"), 0o644); err != nil {
			t.Skipf("file system refuses %q: %v", n, err)
		}
	}
	args := []string{"--no-gitignore", "-q", "--format"}

	code, out, _ := run(t, dir, append(args, "text")...)
	if code != ExitFindings || strings.Count(out, "\n") != 2*len(hostileNames) {
		t.Fatalf("text: exit %d, %d lines:\n%s", code, strings.Count(out, "\n"), out)
	}
	for _, want := range []string{`"app/new\nline.php":1:7:`, `"app/bad\xff.php":1:7:`, `"app/c:d.php":1:7:`, "app/a b.php:1:7:", "app/-dash.php:1:7:"} {
		if !strings.Contains(out, want) {
			t.Errorf("text: no %q in\n%s", want, out)
		}
	}

	_, out, _ = run(t, dir, append(args, "json")...)
	var doc struct{ Findings []struct{ Path string } }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Findings) != len(hostileNames) {
		t.Fatalf("json: %v, %d findings", err, len(doc.Findings))
	}

	_, out, _ = run(t, dir, append(args, "sarif")...)
	sch, err := jsonschema.NewCompiler().Compile("../../testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("sarif: %v", err)
	}

	_, out, _ = run(t, dir, append(args, "github")...)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(hostileNames) {
		t.Fatalf("github: %d lines for %d findings:\n%s", len(lines), len(hostileNames), out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "::error file=app/") {
			t.Errorf("github: %q", l)
		}
	}
	if !strings.Contains(out, "file=app/new%0Aline.php,") || !strings.Contains(out, "file=app/c%3Ad.php,") || !strings.Contains(out, "file=app/comma%2Cx.php,") {
		t.Errorf("github escaping:\n%s", out)
	}

	for _, f := range []string{"checkstyle", "junit"} {
		_, out, _ = run(t, dir, append(args, f)...)
		var v any
		if err := xml.Unmarshal([]byte(out), &v); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// A leading dash is a path after --.
func TestDashPathAfterDoubleDash(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "-rf.php"), []byte("BackupScheduleRun"), 0o644)
	os.WriteFile(filepath.Join(dir, ".nolegacyruns.yaml"), []byte("rules:\n  - {id: a, message: m, tokens: [BackupScheduleRun]}\n"), 0o644)
	code, out, errs := run(t, dir, "--no-gitignore", "--", "-rf.php")
	if code != ExitFindings || !strings.HasPrefix(out, "-rf.php:1:1:") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

// Every message is one line of ours, whatever it quotes: no line break,
// no ##[ that GitHub's runner would read as a workflow command.
func TestMessagesCarryNoCommand(t *testing.T) {
	var errb bytes.Buffer
	c := &command{env: Env{Stderr: &errb}}
	c.errorf("%s: %v", "a\r::warning::x", errors.New("b\n::error::y ##[add-mask]z"))
	c.hint("see %s", "\n  ::stop-commands::t")
	c.report(&usageError{msg: "x##[error]y", hint: "h\n::error::h"})
	want := "nolegacyruns: a\\r::warning::x: b\\n::error::y #\\x23[add-mask]z\n" +
		"hint: see \\n  ::stop-commands::t\n" +
		"nolegacyruns: x#\\x23[error]y\n" +
		"hint: h\\n::error::h\n"
	if errb.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errb.String(), want)
	}
	if cmds := ghlog.Commands(errb.String()); len(cmds) > 0 {
		t.Errorf("the runner reads %v", cmds)
	}
}

// Messages follow the house style: prefixed, lowercase, no trailing period,
// with a hint.
func TestMessageStyle(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"--bogus"}, {"--format", "x"}, {"--config", "missing.yaml"}, {"--dry-run"}, {"--staged"}, {"--explain", "x"},
		{"--rule", "x"}, {"--skip-rule", "unused-suppression"}, {"--rule", "legacy-run-types", "--skip-rule", "legacy-run-types"},
		{"lsp", "--bogus"}, {"lsp", "app"}, {"lsp", "--config", "missing.yaml"}} {
		code, _, errs := run(t, dir, args...)
		if code != ExitTrouble {
			t.Errorf("%v: exit %d", args, code)
		}
		lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
		first := lines[0]
		msg := strings.TrimPrefix(first, "nolegacyruns: ")
		if msg == first || msg == "" || strings.HasSuffix(msg, ".") || strings.ToLower(msg[:1]) != msg[:1] {
			t.Errorf("%v: message %q", args, first)
		}
		if len(lines) < 2 || !strings.HasPrefix(lines[len(lines)-1], "hint: ") {
			t.Errorf("%v: no hint in %q", args, errs)
		}
	}
}

// Files that could not be read make the run fail with exit 2, even with no
// finding: the guard never passes when it could not look.
func TestReadErrorsExit2(t *testing.T) {
	var out, errb bytes.Buffer
	c := &command{env: Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}, opt: options{format: "text", quiet: true}}
	r := &pipeline.Run{Errors: []result.FileError{{Path: "app/locked.php", Err: os.ErrPermission}}}
	if code := verdict(c.output(r)); code != ExitTrouble {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"nolegacyruns: app/locked.php: permission denied\n", "hint: 1 file could not be read, so the scan is incomplete"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr %q lacks %q", errb.String(), want)
		}
	}
}

// Colour in auto mode: only on a terminal, and never with NO_COLOR set.
func TestColourDecision(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "app"), 0o755)
	os.WriteFile(filepath.Join(dir, "app", "x.php"), []byte("BackupScheduleRun"), 0o644)
	for _, c := range []struct {
		terminal bool
		noColor  string
		want     bool
	}{{true, "", true}, {true, "1", false}, {false, "", false}} {
		var out, errb bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errb, Dir: dir, IsTerminal: c.terminal,
			Getenv: func(k string) string {
				if k == "NO_COLOR" {
					return c.noColor
				}
				return ""
			}}
		Run(context.Background(), []string{"--no-gitignore", "-q"}, env)
		if got := strings.Contains(out.String(), "\x1b["); got != c.want {
			t.Errorf("terminal=%v NO_COLOR=%q: colour %v", c.terminal, c.noColor, got)
		}
	}
}

func TestIncludePrefixes(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want []string
	}{
		{[]string{"app/**", "database/**", "app/x/*.php"}, []string{":(literal)app", ":(literal)database", ":(literal)app/x"}},
		{[]string{"app/**", "*.php"}, nil},
		{[]string{"**"}, nil},
		{[]string{"src/{a,b}/**"}, []string{":(literal)src"}},
	} {
		if got := includePrefixes(c.in); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
}

// A hook whose guard is gone, and not on PATH either, says how to fix it
// instead of sh's "not found".
func TestHookWithoutGuard(t *testing.T) {
	dir := t.TempDir()
	hook := filepath.Join(dir, "pre-commit")
	if err := os.WriteFile(hook, []byte(hookScript("/nonexistent/it's gone/nolegacyruns")), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", hook)
	cmd.Env = []string{"PATH=" + dir}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("err %v, output %s", err, out)
	}
	for _, want := range []string{"nolegacyruns: the pre-commit hook cannot find nolegacyruns at /nonexistent/it's gone/nolegacyruns or on PATH\n", "hint: install it"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
}

// --version shows the module version, or the VCS revision of a build from
// a checkout.
func TestVersion(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}}
	for _, tt := range []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: rev}, "v1.2.3"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "devel (0123456789ab)"},
		{debug.BuildInfo{Settings: append(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"})}, "devel (0123456789ab-dirty)"},
		{debug.BuildInfo{}, "devel"},
	} {
		if got := versionOf(&tt.bi); got != tt.want {
			t.Errorf("versionOf(%+v) = %q, want %q", tt.bi, got, tt.want)
		}
	}
	// A release build's stamp (-ldflags -X), as .goreleaser.yaml sets it.
	for _, tt := range [][3]string{
		{"v1.2.3", "0123456789abcdef0123", "v1.2.3 (0123456789ab)"},
		{"v0.0.0-SNAPSHOT-0123456", "", "v0.0.0-SNAPSHOT-0123456"},
	} {
		if got := releaseVersion(tt[0], tt[1]); got != tt[2] {
			t.Errorf("releaseVersion(%q, %q) = %q, want %q", tt[0], tt[1], got, tt[2])
		}
	}
}

// --version and --help read nothing of the process (Env.settle is not
// called: no environment, current folder or stdout mode), whichever way
// they are asked; --version alone, which skips the flag set, prints what
// the flag set's --version prints. A run with work settles once.
func TestVersionAndHelpSettleNothing(t *testing.T) {
	want := "nolegacyruns " + Version() + "\n"
	for _, args := range [][]string{
		{"--version"}, {"-version"}, {"--version=true"}, {"--version", "-q"}, {"-q", "--version", "app"},
		{"--help"}, {"-h"}, {"-help"}, {"--format", "json", "--help"},
	} {
		var out, errb bytes.Buffer
		settles := 0
		env := Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Dir: t.TempDir(),
			settle: func(*Env) { settles++ }}
		if code := Run(context.Background(), args, env); code != ExitClean || errb.Len() > 0 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errb.String())
		}
		if settles != 0 {
			t.Errorf("%q: settled the environment %d times", args, settles)
		}
		isHelp := strings.Contains(strings.Join(args, " "), "h")
		if !isHelp && out.String() != want {
			t.Errorf("%q printed %q, want %q", args, out.String(), want)
		}
		if isHelp && !strings.HasPrefix(out.String(), "usage: nolegacyruns") {
			t.Errorf("%q printed %q", args, out.String())
		}
	}
	for _, args := range [][]string{{"--list-rules"}, {"--version=false", "--list-rules"}, {"--bogus"}, {"merge", "--bogus"}, {"lsp", "--bogus"}} {
		settles := 0
		var dir string
		env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" },
			settle: func(e *Env) { settles++; e.Dir = t.TempDir(); dir = e.Dir }}
		Run(context.Background(), args, env)
		if settles != 1 || dir == "" {
			t.Errorf("%q: settled %d times", args, settles)
		}
	}
}

// -j in a run called in-process leaves the process's CPU limit alone.
func TestJobsInProcess(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "app"), 0o755)
	os.WriteFile(filepath.Join(dir, "app", "x.php"), []byte("<?php\n"), 0o644)
	before := runtime.GOMAXPROCS(0)
	if code, _, errs := run(t, dir, "--no-gitignore", "-j", "1"); code != ExitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Fatalf("GOMAXPROCS %d -> %d", before, after)
	}
}

// --fix --dry-run exits 2, naming the file, when a file could not be read,
// as a plain run does.
func TestDryRunReadErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "app"), 0o755)
	os.WriteFile(filepath.Join(dir, "app", "x.php"), []byte("<?php $t = 'inventory.sync';\n"), 0o644)
	code, out, errs := run(t, dir, "--no-gitignore", "--fix", "--dry-run", "app/x.php", "gone.php")
	if code != ExitTrouble || !strings.Contains(out, "+<?php $t = 'inventory_sync';") ||
		!strings.Contains(errs, "nolegacyruns: gone.php: ") || !strings.Contains(errs, "hint: 1 file could not be read") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

// A report or baseline file that cannot be written, or a format given
// twice, is a usage error (exit 2) before the scan: nothing is printed but
// the error, which names the path as given and no temporary file.
func TestOutputsCheckedBeforeScan(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "app"), 0o755)
	os.WriteFile(filepath.Join(dir, "app", "x.php"), []byte("BackupScheduleRun"), 0o644)
	for _, tt := range []struct{ args []string }{
		{[]string{"--report", "json=nodir/r.json"}},
		{[]string{"--report", "json=app"}},
		{[]string{"--report", "json=app/x.php/r.json"}},
		{[]string{"--report", "sarif=ok.sarif", "--report", "json=" + strings.Repeat("x", 256)}},
		{[]string{"--report", "json=a.json", "--report", "json=b.json"}},
		{[]string{"--write-baseline", "app/x.php/b.json"}},
	} {
		code, out, errs := run(t, dir, append([]string{"--no-gitignore"}, tt.args...)...)
		path := tt.args[len(tt.args)-1]
		path = path[strings.Index(path, "=")+1:]
		if code != ExitTrouble || out != "" || !strings.HasPrefix(errs, "nolegacyruns: ") || !strings.Contains(errs, path) ||
			strings.Contains(errs, "scanned") || strings.Contains(errs, ".nolegacyruns-") {
			t.Errorf("%v: exit %d\n%s%s", tt.args, code, out, errs)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("files written: %v", left)
	}
}

// SARIF columns are UTF-16 code units everywhere: also for a match more
// than 1 KiB into its line, and on a line longer than the read buffer.
func TestSARIFColumnsFarIntoLine(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "app"), 0o755)
	files := map[string]struct {
		prefix string
		col16  int
	}{
		"near.php": {strings.Repeat("é", 10) + " ", 12},
		"far.php":  {strings.Repeat("é", 2000) + " ", 2002},
		"huge.php": {strings.Repeat("😀", 100000) + strings.Repeat("é", 3) + " ", 200005},
	}
	for name, f := range files {
		os.WriteFile(filepath.Join(dir, "app", name), []byte(f.prefix+"InventorySyncRun x InventorySyncRun\n"), 0o644)
	}
	_, out, errs := run(t, dir, "--no-gitignore", "-q", "--format", "sarif")
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartColumn, EndColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("%v\n%s", err, errs)
	}
	seen := map[string]int{}
	for _, r := range log.Runs[0].Results {
		loc := r.Locations[0].PhysicalLocation
		name := strings.TrimPrefix(loc.ArtifactLocation.URI, "app/")
		want := files[name].col16 + seen[name]*19
		seen[name]++
		if loc.Region.StartColumn != want || loc.Region.EndColumn != want+16 {
			t.Errorf("%s: columns %d-%d, want %d-%d", name, loc.Region.StartColumn, loc.Region.EndColumn, want, want+16)
		}
	}
	if len(seen) != 3 {
		t.Fatalf("results for %v", seen)
	}
}

func TestSelectRules(t *testing.T) {
	set := func() *rules.Set {
		return &rules.Set{Rules: []rules.Rule{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	}
	tests := []struct {
		only, skip []string
		notRun     string // sorted ids, or the error
	}{
		{nil, nil, ""},
		{[]string{"a"}, nil, "b,c"},
		{[]string{"a", "c", "a"}, nil, "b"},
		{nil, []string{"b"}, "b"},
		{[]string{"a", "b"}, []string{"b"}, "b,c"},
		{[]string{"a", "b", "c"}, nil, ""},
		{[]string{"x"}, nil, "--rule x: no such rule"},
		{nil, []string{"invalid-suppression"}, "--skip-rule invalid-suppression: no such rule"},
		{[]string{"a"}, []string{"a"}, "--rule and --skip-rule leave no rule to run"},
	}
	for _, tt := range tests {
		rs := set()
		ran, err := selectRules(&options{onlyRules: tt.only, skipRules: tt.skip}, rs)
		var got string
		if err != nil {
			got = err.Error()
		} else {
			var ids []string
			for id := range rs.NotRun {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			got = strings.Join(ids, ",")
			if (ran == nil) != (got == "") {
				t.Errorf("%v %v: ran is nil: %v, not run %q", tt.only, tt.skip, ran == nil, got)
			}
			if ran != nil && got == "b" && (ran(baseline.Entry{Rule: "b"}) || !ran(baseline.Entry{Rule: "a"}) ||
				ran(baseline.Entry{Rule: "unused-suppression", Match: "b"}) || !ran(baseline.Entry{Rule: "unused-suppression", Match: "a"})) {
				t.Errorf("%v %v: ran judges the wrong entries", tt.only, tt.skip)
			}
		}
		if got != tt.notRun {
			t.Errorf("only %v skip %v: got %q, want %q", tt.only, tt.skip, got, tt.notRun)
		}
	}
}
