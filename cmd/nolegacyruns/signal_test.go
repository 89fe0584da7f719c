package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binary returns a path named nolegacyruns that runs this test binary as the
// command (testscript.Main dispatches on the name).
func binary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "nolegacyruns")
	if err := os.Symlink(exe, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	return link
}

// SIGINT stops a scan in the middle of a huge file: exit 130, a message,
// and no temporary file left behind.
func TestInterrupt(t *testing.T) {
	dir := hugeTree(t)
	cmd := exec.Command(binary(t), "--no-gitignore", "--report", "sarif=out.sarif", "--config", "rules.yaml")
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForOpen(cmd.Process.Pid, "huge.txt") // let it get into the file
	interrupt(t, cmd, &stderr)
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if _, err := os.Stat(filepath.Join(dir, "out.sarif")); err == nil || len(left) > 0 {
		t.Errorf("left behind: out.sarif exists=%v, hidden files %v", err == nil, left)
	}
}

// A scan that writes no file listens for signals only after its first
// moments (listenAfter): past them, SIGINT is exit 130 with the message
// as for any run.
func TestInterruptReadOnly(t *testing.T) {
	dir := hugeTree(t)
	cmd := exec.Command(binary(t), "--no-gitignore", "--config", "rules.yaml")
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForOpen(cmd.Process.Pid, "huge.txt")
	time.Sleep(time.Second) // well past listenAfter (50 ms), in a 64 GB read
	interrupt(t, cmd, &stderr)
}

// hugeTree makes a folder with a rule file and a 64 GB sparse file, which
// a scan takes long enough to read to be interrupted in it.
func hugeTree(t *testing.T) string {
	dir := t.TempDir()
	f, _ := os.Create(filepath.Join(dir, "huge.txt"))
	f.WriteString(strings.Repeat("text ", 2000))
	if err := f.Truncate(64 << 30); err != nil {
		t.Skip("no sparse files:", err)
	}
	f.Close()
	os.WriteFile(filepath.Join(dir, "rules.yaml"), []byte("rules:\n  - {id: a, message: m, tokens: [LegacyRun]}\n"), 0o644)
	return dir
}

// A reader that goes away (nolegacyruns | head -1) ends the run quietly.
func TestClosedStdout(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "app"), 0o755)
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		b.WriteString("BackupScheduleRun\n")
	}
	os.WriteFile(filepath.Join(dir, "app", "x.php"), []byte(b.String()), 0o644)
	cmd := exec.Command(binary(t), "--no-gitignore")
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	out.Close()
	cmd.Wait()
	if !strings.HasPrefix(line, "app/x.php:1:1:") {
		t.Errorf("first line %q", line)
	}
	if s := stderr.String(); strings.Contains(s, "panic") || strings.Contains(s, "goroutine") || strings.Contains(s, "broken pipe") {
		t.Errorf("not quiet: %q", s)
	}
}

// waitForOpen waits until process pid has a file named name open (read from
// /proc), or at most 20 s; without /proc it waits a second.
func waitForOpen(pid int, name string) {
	fds := filepath.Join("/proc", fmt.Sprint(pid), "fd")
	if _, err := os.Stat(fds); err != nil {
		time.Sleep(time.Second)
		return
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		ents, _ := os.ReadDir(fds)
		for _, e := range ents {
			if target, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && filepath.Base(target) == name {
				return
			}
		}
	}
}

// SIGINT while git is still being asked is exit 130 too, not a git error.
func TestInterruptWhileGitRuns(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, ".git"), 0o755) // a work tree, as far as discovery goes
	bin := t.TempDir()
	marker := filepath.Join(dir, "git-started")
	// A git that hangs: it says it started, then waits far longer than the test.
	script := "#!/bin/sh\n: > '" + marker + "'\nexec sleep 600\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	interruptOnce(t, cmd, marker)
}

// interruptOnce starts cmd, waits (at most 20 s) until the file marker
// exists, which a fake git writes when it starts, then interrupts it.
func interruptOnce(t *testing.T, cmd *exec.Cmd, marker string) {
	t.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(marker); err == nil {
			break
		}
	}
	interrupt(t, cmd, &stderr)
}

// interrupt sends SIGINT to a started command and wants it to end with
// exit 130 and "nolegacyruns: interrupted" on stderr, within a minute.
func interrupt(t *testing.T, cmd *exec.Cmd, stderr *strings.Builder) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "nolegacyruns: interrupted\n") {
			t.Fatalf("exit: %v; stderr %q", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("SIGINT did not stop the run")
	}
}
