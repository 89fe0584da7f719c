package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tenantatlas/nolegacyruns/internal/cli"
	"github.com/tenantatlas/nolegacyruns/internal/ghlog"
)

var update = flag.Bool("update", false, "rewrite the scripts' golden files from the actual output")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"nolegacyruns": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs every testdata/script/*.txtar end to end, with a real git.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "../../testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			e.Setenv("GIT_AUTHOR_NAME", "t")
			e.Setenv("GIT_AUTHOR_EMAIL", "t@example.com")
			e.Setenv("GIT_COMMITTER_NAME", "t")
			e.Setenv("GIT_COMMITTER_EMAIL", "t@example.com")
			e.Setenv("NO_COLOR", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"nocommands": noCommands},
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, nil
		},
	})
}

// noCommands is the script command "nocommands [-github] stdout|stderr|FILE":
// GitHub's runner could read no workflow command in the text (ghlog), or,
// with -github, none but the github format's own: annotations, its notice
// and its folded list.
func noCommands(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! nocommands")
	}
	github := len(args) > 0 && args[0] == "-github"
	if github {
		args = args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: nocommands [-github] stdout|stderr|FILE")
	}
	text := ts.ReadFile(args[0])
	for _, c := range ghlog.Commands(text) {
		ours := github && (strings.HasPrefix(c.Line, "::error file=") || strings.HasPrefix(c.Line, "::warning file=") ||
			strings.HasPrefix(c.Line, "::notice title=nolegacyruns::") || strings.HasPrefix(c.Line, "::group::nolegacyruns: ") || c.Line == "::endgroup::")
		if !ours {
			ts.Fatalf("%s: the runner reads the workflow command %q in %q", args[0], c.Name, c.Line)
		}
	}
}
