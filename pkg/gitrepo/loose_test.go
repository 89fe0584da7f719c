package gitrepo

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func git(t *testing.T, dir string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

// A loose blob reads as git cat-file prints it; a packed one is not there.
func TestOpenLoose(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	for _, format := range []string{"sha1", "sha256"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			git(t, dir, nil, "init", "-q", "--object-format="+format)
			objects := filepath.Join(dir, ".git", "objects")
			big := bytes.Repeat([]byte("InventorySyncRun \x00\xff\n"), 100000)
			for _, content := range [][]byte{nil, []byte("x"), []byte("a\r\nb\x00c"), big} {
				id := strings.TrimSpace(git(t, dir, content, "hash-object", "-w", "--stdin"))
				rc, err := OpenLoose(objects, id)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, content) {
					t.Fatalf("%s: %d bytes, %v; want %d bytes", id, len(got), err, len(content))
				}
			}
			id := strings.TrimSpace(git(t, dir, []byte("packed\n"), "hash-object", "-w", "--stdin"))
			git(t, dir, []byte(id+"\n"), "pack-objects", "-q", filepath.Join(objects, "pack", "pack"))
			git(t, dir, nil, "prune-packed")
			if _, err := OpenLoose(objects, id); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("a packed blob: %v, want fs.ErrNotExist", err)
			}
			// A tree is not a blob.
			tree := strings.TrimSpace(git(t, dir, nil, "write-tree"))
			if _, err := OpenLoose(objects, tree); err == nil || errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("a tree: %v, want an error", err)
			}
		})
	}
}

// A loose object cut short is an error, not a short file.
func TestOpenLooseTruncated(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git(t, dir, nil, "init", "-q")
	id := strings.TrimSpace(git(t, dir, bytes.Repeat([]byte("x"), 1<<16), "hash-object", "-w", "--stdin"))
	p := filepath.Join(dir, ".git", "objects", id[:2], id[2:])
	b, _ := os.ReadFile(p)
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := OpenLoose(filepath.Join(dir, ".git", "objects"), id)
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if err == nil {
		t.Fatal("a truncated object read without error")
	}
}
