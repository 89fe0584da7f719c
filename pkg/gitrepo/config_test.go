package gitrepo

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// gitConfigList is git's reading of a config file: key (as git prints it),
// value and whether there was one; ok false when git rejects the file.
func gitConfigList(t testing.TB, file string) ([]string, bool) {
	t.Helper()
	cmd := exec.Command("git", "config", "-z", "--list", "--file", file)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+filepath.Dir(file))
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, false
		}
		t.Fatal(err)
	}
	var kv []string
	for _, rec := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if rec == "" {
			continue
		}
		k, v, has := strings.Cut(rec, "\n")
		if has {
			kv = append(kv, k+"="+v)
		} else {
			kv = append(kv, k+" (no value)")
		}
	}
	return kv, true
}

func ourConfigList(data []byte) ([]string, error) {
	var kv []string
	err := parseConfig("f", data, func(_, key, value string, has bool) error {
		if has {
			kv = append(kv, key+"="+value)
		} else {
			kv = append(kv, key+" (no value)")
		}
		return nil
	})
	return kv, err
}

// checkConfig holds parseConfig to git's own reading of data: the same keys
// and values where git reads the file, an error where git rejects it or
// where it includes another file.
func checkConfig(t testing.TB, data []byte) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want, gitOK := gitConfigList(t, file)
	got, err := ourConfigList(data)
	includes := false
	for _, k := range want {
		k, _, _ = strings.Cut(k, "=")
		if k == "include.path" || (strings.HasPrefix(k, "includeif.") && strings.HasSuffix(k, ".path")) {
			includes = true
		}
	}
	switch {
	case !gitOK || includes:
		if err == nil {
			t.Fatalf("git rejects (or includes from) %q; we read %q", data, got)
		}
	case err != nil:
		if !errors.Is(err, ErrUnsupported) {
			t.Fatalf("%q: %v is not ErrUnsupported", data, err)
		}
		// Refusing what git reads hands the listing to git: slower, never
		// wrong. Only a handful of odd files may do it.
		if !refusedOK(data) {
			t.Fatalf("git reads %q as %q; we refused: %v", data, want, err)
		}
	case !reflect.DeepEqual(got, want):
		t.Fatalf("%q:\n got %q\nwant %q", data, got, want)
	}
}

// refusedOK is what we knowingly leave to git: a file with a NUL byte.
func refusedOK(data []byte) bool { return strings.IndexByte(string(data), 0) >= 0 }

var configCases = []string{
	"[core]\n\tignoreCase = true\n\texcludesFile = ~/x\n",
	"[core]\nignorecase\n",
	"[Core]\n  IgnoreCase=  yes  ; comment\n",
	"[core] excludesfile = \"/a b/c\" # c\n",
	"[core]\n\texcludesfile = a\\\n  b\n",
	"[core]\n\texcludesfile = \"a\\tb\\\\c\\\"d\"\n",
	"[core]\n\texcludesfile = a   b\t\tc  \n",
	"[filter \"lfs\"]\n\tclean = git-lfs clean -- %f\n\tsmudge = x\n\trequired = true\n",
	"[filter \"a.b=c\"]\n\tclean = x\n",
	"[filter \"q\\\"uote\"]\n\tclean = x\n",
	"[filter.Old]\n\tclean = x\n",
	"[include]\n\tpath = other\n",
	"[includeIf \"gitdir:/x/\"]\n\tpath = other\n",
	"\xef\xbb\xbf[core]\nbare = false\n",
	"[core]\r\n\tbare = false\r\n",
	"[core]\n\tx = \"unterminated\n",
	"[core\n",
	"key = outside\n",
	"[core]\n\tbad key = 1\n",
	"[core]\n\tx = a\\q\n",
	"[core]\n\tx = ;\n",
	"[core]\n\tx = \"\"\n",
	"[core]\n\tx =\n",
	"[a \"\"]\n\tx = 1\n",
	"[a \"b\" ]\n\tx = 1\n",
	"[a  \"b\"]\n\tx = 1\n",
	"[a-b.c-d]\n\tk-1 = v\n",
	"[]\nx=1\n",
	"# only a comment\n; another\n",
	"[core]x=1\n",
	"[core] ; c\n x = 1\n",
	"[core]\n\tx = a\\\r\nb\n",
	"[core]\n\t1x = 2\n",
	"[core]\n\tx = \"a\"b\"c\"\n",
	"[core]\n\tx = a\x00b\n",
}

func TestConfigMatchesGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	for _, c := range configCases {
		checkConfig(t, []byte(c))
	}
}

func FuzzConfig(f *testing.F) {
	if _, err := exec.LookPath("git"); err != nil {
		f.Skip("no git")
	}
	for _, c := range configCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1024 {
			return
		}
		checkConfig(t, data)
	})
}
