package lsp_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantatlas/nolegacyruns/internal/cli"
)

// serverEnv makes the test binary run the command instead of the tests:
// Neovim starts it as its language server.
const serverEnv = "NOLEGACYRUNS_LSP_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) == "1" {
		os.Exit(cli.Main())
	}
	os.Exit(m.Run())
}

// TestNeovim runs a real client: Neovim's built-in LSP client, headless,
// with testdata/nvim/session.lua, which opens a file, waits for the
// diagnostics and checks them, applies the fix and the suppression code
// actions and checks the buffer. Without nvim it skips, except in CI
// (CI=true), where .ci/run installs Debian's neovim and it must run.
func TestNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nvim is not installed, and CI=true: .ci/run installs Debian's neovim package")
		}
		t.Skip("nvim is not installed (Debian: apt-get install neovim); CI runs this test")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("testdata/nvim/session.lua")
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"utf-16", "utf-8"} {
		t.Run(enc, func(t *testing.T) { neovim(t, nvim, self, script, enc) })
	}
}

func neovim(t *testing.T, nvim, self, script, enc string) {
	utf8 := "0"
	if enc == "utf-8" {
		utf8 = "1"
	}
	dir := t.TempDir()
	text := "<?php\n$t = 'é😀inventory.sync'; // x\n$x = InventorySyncRun::first();\n"
	writeTree(t, dir, rulesFile+"-- app/a.php --\n"+text)
	out := filepath.Join(t.TempDir(), "out")
	home := t.TempDir()

	// The timeout only guards against a hang; nothing is timed.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "--noplugin",
		"-c", "luafile "+script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), serverEnv+"=1",
		"NLR_SERVER="+self, "NLR_FILE="+filepath.Join(dir, "app", "a.php"), "NLR_ROOT="+dir, "NLR_OUT="+out, "NLR_UTF8="+utf8,
		"HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home, "XDG_STATE_HOME="+home, "XDG_CACHE_HOME="+home)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("nvim: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil || !strings.HasSuffix(string(got), "\nok\n") {
		t.Fatalf("the session did not finish: %v\n%s\n%s", err, got, b)
	}
	t.Logf("%s", got)
	// The client changed its buffer; the server wrote nothing.
	if disk, _ := os.ReadFile(filepath.Join(dir, "app", "a.php")); string(disk) != text {
		t.Errorf("the file on disk changed:\n%s", disk)
	}
}
