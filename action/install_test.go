//go:build unix

package action

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The release server below serves these tags; latest is goodTag.
const (
	goodTag     = "v1.2.3"
	tamperedTag = "v6.6.6" // the archive's bytes differ from checksums.txt
	unlistedTag = "v7.7.7" // checksums.txt lacks the archive
	brokenTag   = "v5.0.0" // the server refuses (403, as for a rate limit)
	linkTag     = "v4.0.0" // a listed archive whose nolegacyruns is a symlink
)

// linkArchive is an archive whose nolegacyruns is a symlink to /bin/sh,
// and its checksums.txt.
func linkArchive() (sums, archive []byte) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "nolegacyruns", Linkname: "/bin/sh", Typeflag: tar.TypeSymlink, Mode: 0o777})
	tw.Close()
	zw.Close()
	return fmt.Appendf(nil, "%x  %s\n", sha256.Sum256(buf.Bytes()), archiveName), buf.Bytes()
}

// archiveName is the archive of this machine's platform, as GoReleaser
// names it (.goreleaser.yaml).
var archiveName = fmt.Sprintf("nolegacyruns_%s_%s.tar.gz", runtime.GOOS, runtime.GOARCH)

// release returns checksums.txt and this platform's archive: GoReleaser's
// own from a snapshot build when NLR_RELEASE_DIST names its dist folder
// (.ci/run does), else an archive of the same layout around a binary built
// here with the release's version stamp.
func release(t *testing.T) (sums, archive []byte) {
	if dist := os.Getenv("NLR_RELEASE_DIST"); dist != "" {
		sums, err := os.ReadFile(filepath.Join(dist, "checksums.txt"))
		if err != nil {
			t.Fatal(err)
		}
		archive, err := os.ReadFile(filepath.Join(dist, archiveName))
		if err != nil {
			t.Fatal(err)
		}
		return sums, archive
	}
	bin := filepath.Join(t.TempDir(), "nolegacyruns")
	build := exec.Command("go", "build", "-trimpath", "-o", bin,
		"-ldflags", "-X github.com/tenantatlas/nolegacyruns/internal/cli.version="+goodTag+
			" -X github.com/tenantatlas/nolegacyruns/internal/cli.commit=0123456789abcdef",
		"github.com/tenantatlas/nolegacyruns/cmd/nolegacyruns")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	exe, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range []struct {
		name string
		body []byte
		mode int64
	}{{"README.md", []byte("readme\n"), 0o644}, {"nolegacyruns", exe, 0o755}} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg})
		tw.Write(f.body)
	}
	tw.Close()
	zw.Close()
	archive = buf.Bytes()
	sums = fmt.Appendf(nil, "%x  nolegacyruns_windows_amd64.zip\n%x  %s\n", sha256.Sum256(nil), sha256.Sum256(archive), archiveName)
	return sums, archive
}

// server serves the releases of the tags above under /releases, as GitHub
// does (download/TAG/FILE and latest/download/FILE), and records the paths
// asked for.
func server(t *testing.T) (*httptest.Server, func() []string) {
	sums, archive := release(t)
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		tag, file, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/releases/download/"), "/")
		if rest, latest := strings.CutPrefix(r.URL.Path, "/releases/latest/download/"); latest {
			// GitHub redirects latest to the tag.
			http.Redirect(w, r, "/releases/download/"+goodTag+"/"+rest, http.StatusFound)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		s, a := sums, archive
		switch tag {
		case goodTag:
		case tamperedTag:
			a = append(bytes.Clone(a), 0)
		case unlistedTag:
			s = []byte("0000  nolegacyruns_plan9_386.tar.gz\n")
		case linkTag:
			s, a = linkArchive()
		case brokenTag:
			http.Error(w, "rate limited", http.StatusForbidden)
			return
		default:
			http.NotFound(w, r)
			return
		}
		switch file {
		case "checksums.txt":
			w.Write(s)
		case archiveName:
			w.Write(a)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}

func runnerOS() string {
	switch runtime.GOOS {
	case "linux":
		return "Linux"
	case "darwin":
		return "macOS"
	}
	return runtime.GOOS
}

func runnerArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "X64"
	case "arm64":
		return "ARM64"
	}
	return runtime.GOARCH
}

// needTools skips without bash or curl, except in CI, where the test must run.
func needTools(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to test the action's install script (.ci/run installs it)", tool)
			}
			t.Skipf("%s not found: the action's install script is not tested", tool)
		}
	}
}

// TestInstall runs install.sh as the action does, against a local release
// server: it takes the tag the action is used at, latest, a pinned version
// or source; it verifies the archive against checksums.txt and never falls
// back to a source build when the check fails.
func TestInstall(t *testing.T) {
	needTools(t)
	srv, asked := server(t)
	for _, tt := range []struct {
		name, version, ref, os, arch string
		code                         int    // the script's exit status
		found                        string // found= in GITHUB_OUTPUT ("" when not written)
		paths                        []string
		stderr                       string
	}{
		{name: "the action's tag", ref: goodTag, code: 0, found: "true",
			paths: []string{"/releases/download/v1.2.3/checksums.txt", "/releases/download/v1.2.3/" + archiveName}},
		{name: "a branch means latest", ref: "main", code: 0, found: "true",
			paths: []string{"/releases/latest/download/checksums.txt", "/releases/download/v1.2.3/checksums.txt",
				"/releases/latest/download/" + archiveName, "/releases/download/v1.2.3/" + archiveName}},
		{name: "pinned", version: "1.2.3", ref: "main", code: 0, found: "true",
			paths: []string{"/releases/download/v1.2.3/checksums.txt", "/releases/download/v1.2.3/" + archiveName}},
		{name: "source", version: "source", ref: goodTag, code: 0, found: "false", stderr: "version: source: building from source"},
		{name: "no such release", version: "v9.9.9", code: 0, found: "false",
			paths: []string{"/releases/download/v9.9.9/checksums.txt"}, stderr: "no release v9.9.9 at "},
		{name: "no binary for the platform", version: goodTag, arch: "ARM", code: 0, found: "false", stderr: `runner architecture "ARM"`},
		{name: "tampered archive", version: tamperedTag, code: 1,
			stderr: "nolegacyruns: " + archiveName + " of release v6.6.6 does not match checksums.txt (sha256 "},
		{name: "archive not in checksums.txt", version: unlistedTag, code: 1,
			stderr: "nolegacyruns: checksums.txt of release v7.7.7 lists no " + archiveName + "\nhint: "},
		{name: "a symlink for the binary", version: linkTag, code: 1,
			stderr: "nolegacyruns: " + archiveName + " holds no nolegacyruns\nhint: "},
		{name: "server refuses", version: brokenTag, code: 1, stderr: "HTTP 403\nhint: retry the job, or use version: source\n"},
		{name: "not a version", version: "../../evil", code: 1, stderr: `nolegacyruns: version "../../evil" is not a release` + "\nhint: "},
		{name: "not a version either", version: "v1.2.3/../../x", code: 1, stderr: "is not a release"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(asked())
			tmp := t.TempDir()
			out := filepath.Join(tmp, "github_output")
			osName, arch := runnerOS(), runnerArch()
			if tt.os != "" {
				osName = tt.os
			}
			if tt.arch != "" {
				arch = tt.arch
			}
			cmd := exec.Command("bash", "install.sh")
			cmd.Env = append(os.Environ(), "NLR_VERSION="+tt.version, "NLR_ACTION_REF="+tt.ref,
				"NLR_RELEASES="+srv.URL+"/releases", "RUNNER_OS="+osName, "RUNNER_ARCH="+arch,
				"RUNNER_TEMP="+tmp, "GITHUB_OUTPUT="+out)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr:\n%s\nwant it to hold %q", code, tt.code, stderr.String(), tt.stderr)
			}
			outputs, _ := os.ReadFile(out)
			found := ""
			for _, l := range strings.Split(string(outputs), "\n") {
				if v, ok := strings.CutPrefix(l, "found="); ok {
					found = v
				}
			}
			if found != tt.found {
				t.Errorf("found=%q, want %q; outputs:\n%s", found, tt.found, outputs)
			}
			if tt.paths != nil {
				if got := asked()[before:]; strings.Join(got, " ") != strings.Join(tt.paths, " ") {
					t.Errorf("asked for\n%q\nwant\n%q", got, tt.paths)
				}
			}
			bin := filepath.Join(tmp, "nolegacyruns-bin", "nolegacyruns")
			_, statErr := os.Stat(bin)
			if tt.found != "true" {
				if statErr == nil {
					t.Fatalf("%s installed, but nothing should be", bin)
				}
				return
			}
			if !strings.Contains(string(outputs), "bin="+bin+"\n") {
				t.Errorf("outputs lack bin=%s:\n%s", bin, outputs)
			}
			v, err := exec.Command(bin, "--version").Output()
			if err != nil || !strings.HasPrefix(string(v), "nolegacyruns v") || !strings.Contains(string(v), " (") {
				t.Fatalf("%s --version: %q, %v; want the stamped version and commit", bin, v, err)
			}
			// Nothing is left behind in the runner's temporary folder.
			left, _ := filepath.Glob(filepath.Join(tmp, "nolegacyruns-dl.*"))
			if len(left) != 0 {
				t.Errorf("left behind: %q", left)
			}
		})
	}
}
