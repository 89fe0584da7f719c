package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// heavyInits are packages whose init once ran at every start of the
// command, --version included, for formats, rule files and fingerprints
// most runs never use (encoding/xml, YAML, crypto/sha256's FIPS 140
// module), CPU features detected once for all (golang.org/x/sys/cpu, which
// also built the environment map), file: URIs (net/url linked net/netip and
// unique), and packages a guard has no business initialising. None of them
// may allocate in its init. Go's regexp is linked for `match: regex` rules;
// its init and the Unicode tables it makes every start build are the price
// (counted in extraInitBudget).
var heavyInits = []string{
	"encoding/xml", "go.yaml.in/yaml/v3", "gopkg.in/yaml.v3",
	"crypto/internal/fips140", "crypto/internal/fips140/sha256", "crypto/internal/fips140/aes/gcm",
	"golang.org/x/sys/cpu", "net/netip", "unique",
	"text/template", "html/template", "net", "net/http", "os/user", "crypto/x509", "crypto/tls",
}

// extraInitBudget is how many bytes the package inits of the command may
// allocate beyond those of a hello-world program built by the same
// toolchain: today about 19.7 KB with Go 1.26 (the Unicode tables for
// regex rules 10.9 KB, compress/flate for loose git objects 4.2 KB,
// regexp/syntax 2.3 KB, encoding/base64 for JSON 1.4 KB, doublestar 0.5 KB);
// 25.6 KB before golang.org/x/sys/cpu and net/url left the binary, 72 KB
// before YAML, XML and crypto stopped initialising at start-up.
const extraInitBudget = 22 << 10

// TestStartupInits builds the command and a hello-world program and runs
// both with GODEBUG=inittrace=1, which prints each package init's
// allocations. No package of this module, and no package in heavyInits,
// may allocate in its init; a standard package the hello-world also
// initialises may not allocate much more than there; and everything else
// together stays within extraInitBudget; on linux/amd64, none may allocate
// before internal/hugeheap's. Allocations and order, not times, are
// asserted: they do not depend on the machine's load.
func TestStartupInits(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build with")
	}
	dir := t.TempDir()
	ours := filepath.Join(dir, "nolegacyruns")
	build(t, gobin, ".", ours)
	hello := filepath.Join(dir, "hello")
	src := filepath.Join(dir, "hellosrc")
	os.Mkdir(src, 0o755)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n"), 0o644)
	os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o644)
	build(t, gobin, src, hello)

	got, order := initTrace(t, ours, "--version")
	base, _ := initTrace(t, hello)
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		// internal/hugeheap spares page faults only to what runs after
		// it: no init may allocate before its own (it imports only unsafe
		// here).
		const hh = "github.com/tenantatlas/nolegacyruns/internal/hugeheap"
		if !slices.Contains(order, hh) {
			t.Errorf("no init of %s in the trace", hh)
		}
		for _, pkg := range order {
			if pkg == hh {
				break
			}
			if got[pkg].allocs > 0 {
				t.Errorf("init of %s allocates %d bytes before the heap has its huge page: keep %s's imports to unsafe", pkg, got[pkg].bytes, hh)
			}
		}
	}
	heavy := map[string]bool{}
	for _, p := range heavyInits {
		heavy[p] = true
	}
	extra := 0
	for pkg, a := range got {
		h, inHello := base[pkg]
		switch {
		case a.allocs > 0 && strings.HasPrefix(pkg, "github.com/tenantatlas/nolegacyruns"):
			t.Errorf("init of %s allocates %d bytes in %d allocations: build what it needs on first use", pkg, a.bytes, a.allocs)
		case a.allocs > 0 && heavy[pkg]:
			t.Errorf("init of %s runs at start-up (%d bytes, %d allocations): keep it out of the command or make it lazy", pkg, a.bytes, a.allocs)
		case pkg == "unicode":
			// regexp makes it build its tables: counted in the budget.
			extra += a.bytes - h.bytes
		case inHello && a.bytes > h.bytes+1024:
			t.Errorf("init of %s allocates %d bytes, %d in a hello-world: something makes it build more (as regexp made unicode build its tables)", pkg, a.bytes, h.bytes)
		case !inHello:
			extra += a.bytes
		}
	}
	if extra > extraInitBudget {
		t.Errorf("package inits allocate %d bytes beyond a hello-world's, budget %d:\n%s", extra, extraInitBudget, describe(got, base))
	}
	t.Logf("package inits allocate %d bytes beyond a hello-world's (budget %d)", extra, extraInitBudget)
}

func build(t *testing.T, gobin, dir, out string) {
	t.Helper()
	cmd := exec.Command(gobin, "build", "-o", out, ".")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", dir, err, b)
	}
}

type initCost struct{ bytes, allocs int }

var initLine = regexp.MustCompile(`(?m)^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)

// initTrace runs a program with GODEBUG=inittrace=1 and reads what each
// package's init allocated, and the order of the inits.
func initTrace(t *testing.T, bin string, args ...string) (map[string]initCost, []string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.String())
	}
	out := map[string]initCost{}
	var order []string
	for _, m := range initLine.FindAllStringSubmatch(stderr.String(), -1) {
		b, _ := strconv.Atoi(m[2])
		a, _ := strconv.Atoi(m[3])
		out[m[1]] = initCost{b, a}
		order = append(order, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("%s printed no init trace:\n%s", bin, stderr.String())
	}
	return out, order
}

func describe(got, base map[string]initCost) string {
	var b strings.Builder
	for pkg, a := range got {
		if _, ok := base[pkg]; !ok && a.allocs > 0 {
			b.WriteString("  " + pkg + ": " + strconv.Itoa(a.bytes) + " bytes, " + strconv.Itoa(a.allocs) + " allocations\n")
		}
	}
	return b.String()
}
