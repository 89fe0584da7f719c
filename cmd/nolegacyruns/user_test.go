//go:build unix

package main

import (
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// asUser returns a command that runs nolegacyruns in dir as an unprivileged
// user: as root, a copy of this test binary (which root's private build
// folder would hide) run as nobody (65534), so that permissions apply; as
// anyone else, this binary as is.
func asUser(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	if os.Geteuid() != 0 {
		cmd := exec.Command(binary(t), args...)
		cmd.Dir = dir
		return cmd
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := os.MkdirTemp("", "nolegacyruns-bin")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bin) })
	copyFile(t, exe, filepath.Join(bin, "nolegacyruns"))
	os.Chmod(bin, 0o755)
	cmd := exec.Command(filepath.Join(bin, "nolegacyruns"), args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return cmd
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// A tree every user can read, with a folder no one but root may write to.
func userTree(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "nolegacyruns-tree")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "ro"), 0o755); os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	os.Mkdir(filepath.Join(dir, "app"), 0o755)
	os.WriteFile(filepath.Join(dir, "app", "x.php"), []byte("<?php BackupScheduleRun::x();\n"), 0o644)
	os.Mkdir(filepath.Join(dir, "ro"), 0o555)
	return dir
}

// A report or baseline in a folder the user cannot write to is refused
// before the scan, naming the path as given. Runs as nobody when root.
func TestUnwritableFolderAsUser(t *testing.T) {
	dir := userTree(t)
	for _, args := range [][]string{{"--report", "json=ro/r.json"}, {"--write-baseline", "ro/b.json"}} {
		cmd := asUser(t, dir, append([]string{"--no-gitignore"}, args...)...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		code := exitCode(cmd.Run())
		name := args[1][strings.Index(args[1], "=")+1:]
		want := "to " + name + ": cannot create files in its folder: permission denied\n"
		if code != 2 || stdout.Len() > 0 || !strings.Contains(stderr.String(), want) || strings.Contains(stderr.String(), "scanned") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout.String(), stderr.String())
		}
	}
}

// The real /dev/null and /dev/stdout, as a user who may not replace them:
// written in place, and still a device and a link after. Behind /dev/stdout
// here is a regular file, which gets the report after the text output.
func TestDevicesAsUser(t *testing.T) {
	fi, err := os.Lstat("/dev/stdout")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Skip("/dev/stdout is not a link to /proc/self/fd/1 here")
	}
	dir := userTree(t)
	out, err := os.CreateTemp("", "nolegacyruns-stdout")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	out.Chmod(0o666) // reopened through /dev/stdout by the user
	cmd := asUser(t, dir, "--no-gitignore", "-q", "--report", "json=/dev/null", "--report", "sarif=/dev/stdout")
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = out, &stderr
	if code := exitCode(cmd.Run()); code != 1 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	got, _ := os.ReadFile(out.Name())
	if !strings.HasPrefix(string(got), "app/x.php:1:7: error: ") || !strings.Contains(string(got), "\n{\n  \"$schema\"") {
		t.Errorf("stdout holds %q", got)
	}
	if fi, err := os.Lstat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("/dev/null is now %v", fi.Mode())
	}
	if fi, err := os.Lstat("/dev/stdout"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("/dev/stdout is now %v", fi.Mode())
	}
}

// Inside git, a folder the user cannot read fails the run (exit 2) and is
// named, as it is outside git: git itself only warns and lists the rest.
// The in-process listing names it as the walk does; git's, as git does.
// Runs as nobody when root, with the repository owned by that user.
func TestUnreadableFolderInGitAsUser(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := userTree(t)
	os.Remove(filepath.Join(dir, "ro"))
	secret := filepath.Join(dir, "app", "secret")
	os.Mkdir(secret, 0o755)
	os.WriteFile(filepath.Join(secret, "y.php"), []byte("<?php InventorySyncRun::x();\n"), 0o644)
	t.Cleanup(func() { os.Chmod(secret, 0o755) })
	git := exec.Command("git", "init", "-q")
	git.Dir = dir
	if out, err := git.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	if os.Geteuid() == 0 {
		// git refuses a repository another user owns.
		filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Lchown(p, 65534, 65534) })
	}
	os.Chmod(secret, 0o000)
	cmd := asUser(t, dir, "-q")
	cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	code := exitCode(cmd.Run())
	if code != 2 || !strings.Contains(stderr.String(), "nolegacyruns: app/secret: permission denied\n") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	// The same through git.
	cmd = asUser(t, dir, "-q")
	cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_NAMESPACE=x")
	stderr.Reset()
	cmd.Stderr = &stderr
	code = exitCode(cmd.Run())
	if code != 2 || !strings.Contains(stderr.String(), "app/secret: permission denied (git could not list this folder)") {
		t.Fatalf("through git: exit %d, stderr %q", code, stderr.String())
	}
}
