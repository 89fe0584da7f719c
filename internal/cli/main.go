// Package cli turns command-line flags into a scan and its reports; only this layer knows about stdio, flags and exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/tenantatlas/nolegacyruns/internal/source"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Exit codes.
const (
	ExitClean     = 0   // no error-severity finding
	ExitFindings  = 1   // at least one error-severity finding
	ExitTrouble   = 2   // usage, configuration, git or read error
	ExitInterrupt = 130 // stopped by SIGINT or SIGTERM
)

// Env is the outside world as the command sees it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Dir            string // current directory
	IsTerminal     bool   // stdout is a terminal
	Self           string // how to run this program again: its path, for the hook
	// SetCPUs, when set, limits the process to n CPUs (-j). Tests that run
	// the command in-process leave it nil: it is process-wide.
	SetCPUs func(n int)
	// Listen, when set, is called once the flags show there is work to do
	// (not for --version or --help, which start nothing): it returns a
	// context that SIGINT and SIGTERM cancel, and a function that stops
	// listening. Tests that run the command in-process leave it nil.
	Listen func(context.Context) (context.Context, context.CancelFunc)
	// settle, when set, fills in what Main reads of the process (Dir,
	// IsTerminal) and sets the memory limit. Run calls it once the flags
	// show there is work to do: --version and --help read nothing of the
	// process (the current folder, stdout's mode, the environment) and
	// change nothing. Tests that run the command in-process leave it nil.
	settle func(*Env)
}

// Main runs the command with the process's own arguments and stdio.
func Main() int {
	env := Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Self: os.Args[0],
		SetCPUs: func(n int) { runtime.GOMAXPROCS(n) },
		Listen: func(ctx context.Context) (context.Context, context.CancelFunc) {
			// os/signal's loop blocks a thread of its own: started only
			// when the run has work that an interrupt should stop cleanly.
			return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		},
		settle: settleProcess}
	return Run(context.Background(), os.Args[1:], env)
}

// settleProcess is Main's Env.settle.
func settleProcess(env *Env) {
	// The first os.Getenv copies the whole environment into a map.
	if os.Getenv("GOMEMLIMIT") == "" {
		// Below this the heap grows as usual; near it the collector works
		// harder, so that a million findings stay well under 256 MiB.
		debug.SetMemoryLimit(memoryLimit)
	}
	env.Dir, _ = os.Getwd()
	if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		env.IsTerminal = true
	}
}

// settled is env with what Main reads of the process filled in.
func settled(env Env) Env {
	if env.settle != nil {
		env.settle(&env)
		env.settle = nil
	}
	return env
}

// memoryLimit is the soft limit of the Go heap (GOMEMLIMIT overrides it).
const memoryLimit = 160 << 20

// Version is the version stamped into a release build, else the module
// version the binary was built from, with the VCS revision when the build
// recorded one.
func Version() string {
	if version != "" {
		return releaseVersion(version, commit)
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev != "" && v == "devel" {
		v += fmt.Sprintf(" (%.12s%s)", rev, dirty)
	}
	return v
}

// Run is the whole command; it returns the exit status.
func Run(ctx context.Context, args []string, env Env) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		// What scripts and installers ask: answered before the flag set
		// (every flag and its usage text) is made.
		return printVersion(env.Stdout)
	}
	start := time.Now()
	if len(args) > 0 && args[0] == "merge" {
		return runMerge(args[1:], settled(env))
	}
	if len(args) > 0 && args[0] == "lsp" {
		return runLSP(ctx, args[1:], settled(env))
	}
	o, err := parseArgs(args)
	switch {
	case errors.Is(err, errHelp):
		printUsage(env.Stdout)
		return ExitClean
	case err == nil && o.version:
		return printVersion(env.Stdout)
	}
	return runCommand(ctx, o, err, settled(env), start)
}

func printVersion(w io.Writer) int {
	io.WriteString(w, "nolegacyruns "+Version()+"\n")
	return ExitClean
}

// runCommand is a run past --help and --version: it sets up the command,
// runs it, and reports how it went. (A function of its own, so that the
// command's state and the deep call chains are not on the stack, and
// need not grow it, when the flags asked for help or the version only.)
func runCommand(ctx context.Context, o *options, err error, env Env, start time.Time) int {
	c := &command{env: env, start: start, ctx: ctx}
	out := c.run(ctx, o, err)
	if c.stopListening != nil {
		defer c.stopListening()
	}
	ctx = c.ctx // the run's own: cancelled by a signal once it listens
	if out.err != nil && ctx.Err() == nil {
		c.report(out.err)
	}
	if ctx.Err() != nil && out.err != nil {
		c.errorf("interrupted")
		out.cancelled = true
	}
	return verdict(out)
}

type command struct {
	env   Env
	opt   options
	start time.Time
	rules []rules.Rule // the compiled rules, for the reports
	// diffBase lists, with --diff, the changed files as they were at the
	// merge base (under their new names), to count what was there before.
	diffBase func() (*source.Index, error)

	ctx           context.Context    // the run's context, once it listens for signals
	stopListening context.CancelFunc // set by Env.Listen
	listenNow     func()             // listen at once, if it waits (listen.go)

	jobSummary      []byte // for GITHUB_STEP_SUMMARY, made before the reports name it
	jobSummaryWhole bool   // it lists every finding: it was not cut
}
