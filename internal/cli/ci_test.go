//go:build unix

package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A job summary file that is a FIFO nothing reads is an error at once, as
// for --report: the run does not wait for a reader (where no signal would
// stop it).
func TestStepSummaryFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "summary.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs:", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.php"), []byte("<?php BackupScheduleRun::x();\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Dir: dir, Getenv: func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return fifo
		}
		return ""
	}}
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), []string{"-q", "--no-gitignore", "--format", "github", "a.php"}, env)
	}()
	select {
	case code := <-done:
		if code != ExitTrouble || !strings.Contains(errb.String(), "(GITHUB_STEP_SUMMARY): it is a FIFO and no process is reading it") {
			t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		// Free the run: open the FIFO for reading, so its open returns.
		if r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			defer r.Close()
			<-done
		}
		t.Fatal("the run waits for a reader of the job summary FIFO")
	}
}
