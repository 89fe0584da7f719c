//go:build unix

// Command compare times nolegacyruns against ripgrep and the read-only floor on generated corpora, and prints a markdown table of medians and ratios.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
)

var (
	bin     = flag.String("bin", "", "nolegacyruns binary")
	floor   = flag.String("floor", "", "floor binary")
	laravel = flag.String("laravel", "", "Laravel-shaped corpus (bench/gen -shape laravel)")
	tree    = flag.String("tree", "", "1 GB tree corpus (bench/gen -shape tree)")
	scales  = flag.String("scales", "", "comma-separated trees of growing size, for the scaling rows")
	gitTree = flag.String("git", "", "a real Laravel application's git work tree (../shared/corpora/unpack.sh)")
	gitLog  = flag.String("gitlog", "", "the same work tree with a 64 MB log, resources/bench.log")
	staged  = flag.String("staged", "", "the same work tree with one file changed and staged")
	hello   = flag.String("hello", "", "a hello-world Go binary built with the same toolchain")
	rounds  = flag.Int("rounds", 5, "rounds; each runs every command of a row, in alternating order")
	runs    = flag.Int("runs", 3, "runs per command per round")
	work    = flag.String("work", os.TempDir(), "folder for rule files and hyperfine exports")
)

type cmd struct {
	name string
	dir  string
	args []string
}

func (c cmd) line() string { return strings.Join(c.args, " ") }

// times runs hyperfine rounds, alternating the order of the commands, and
// returns every measured time per command.
func times(cmds []cmd) [][]float64 {
	all := make([][]float64, len(cmds))
	for r := 0; r < *rounds; r++ {
		order := make([]int, len(cmds))
		for i := range order {
			order[i] = i
			if r%2 == 1 {
				order[i] = len(cmds) - 1 - i
			}
		}
		for _, i := range order {
			out := filepath.Join(*work, "hyperfine.json")
			h := exec.Command("hyperfine", "-N", "-i", "--warmup", "1", "--runs", fmt.Sprint(*runs),
				"--style", "none", "--export-json", out, quote(cmds[i].args))
			h.Dir = cmds[i].dir
			h.Stderr = os.Stderr
			if err := h.Run(); err != nil {
				fail("hyperfine: %v", err)
			}
			var res struct {
				Results []struct{ Times []float64 } `json:"results"`
			}
			data, _ := os.ReadFile(out)
			if err := json.Unmarshal(data, &res); err != nil || len(res.Results) != 1 {
				fail("reading hyperfine output: %v", err)
			}
			all[i] = append(all[i], res.Results[0].Times...)
		}
	}
	return all
}

func quote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '\"$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// peakRSS runs a command once and returns its peak resident memory in MiB.
func peakRSS(c cmd) float64 {
	x := exec.Command(c.args[0], c.args[1:]...)
	x.Dir = c.dir
	x.Run()
	if x.ProcessState == nil {
		return 0
	}
	ru, ok := x.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "compare: "+format+"\n", args...)
	os.Exit(1)
}

func tokens(corpus string, n int) []string {
	data, err := os.ReadFile(corpus + ".tokens")
	if err != nil {
		fail("%v (generate the corpus with bench/gen)", err)
	}
	t := strings.Fields(string(data))
	if len(t) < n {
		fail("%s.tokens has %d tokens, want %d", corpus, len(t), n)
	}
	return t[:n]
}

// ruleFiles writes a rule file and an rg pattern file with the first n tokens.
func ruleFiles(corpus string, n int) (rules, pats string) {
	t := tokens(corpus, n)
	var b strings.Builder
	b.WriteString("rules:\n  - id: bench\n    message: benchmark tokens\n    tokens:\n")
	for _, x := range t {
		fmt.Fprintf(&b, "      - %q\n", x)
	}
	rules = filepath.Join(*work, fmt.Sprintf("rules-%d.yaml", n))
	pats = filepath.Join(*work, fmt.Sprintf("tokens-%d.txt", n))
	os.WriteFile(rules, []byte(b.String()), 0o644)
	os.WriteFile(pats, []byte(strings.Join(t, "\n")+"\n"), 0o644)
	return rules, pats
}

// defaultTokens are the nine tokens of the embedded rules' first rule, the
// seed's: what rg searches for in the git work tree rows.
var defaultTokens = []string{
	"InventorySyncRun", "inventory_sync_runs", "InventorySyncRunResource",
	"EntraGroupSyncRun", "entra_group_sync_runs", "EntraGroupSyncRunResource",
	"BackupScheduleRun", "backup_schedule_runs", "BackupScheduleRunsRelationManager",
}

type row struct {
	name   string
	cmds   []cmd // ours first, then what it is compared with
	target string
	mem    bool
}

func main() {
	flag.Parse()
	for _, tool := range []string{"rg", "hyperfine"} {
		if _, err := exec.LookPath(tool); err != nil {
			fail("%s is not installed; it is a Debian package: apt-get install ripgrep hyperfine", tool)
		}
	}
	if *bin == "" {
		fail("-bin is required")
	}
	rgVersion, _ := exec.Command("rg", "--version").Output()
	fmt.Printf("ripgrep: %s\n", strings.SplitN(string(rgVersion), "\n", 2)[0])

	var rows []row
	// Each row's command is a fresh slice (slices.Concat): rows that
	// appended to seed shared its spare capacity, and the log row's file
	// name overwrote the git row's first folder (rg searched three of the
	// four folders).
	seed := []string{"rg", "-F", "-n", "--column"}
	for _, t := range defaultTokens {
		seed = append(seed, "-e", t)
	}
	dirs := []string{"app", "database", "resources", "routes"}
	if *gitTree != "" {
		rows = append(rows, row{"git work tree, default rules", []cmd{
			{"nolegacyruns", *gitTree, []string{*bin, "-q"}},
			{"rg", *gitTree, slices.Concat(seed, dirs)},
			{"--no-gitignore", *gitTree, []string{*bin, "-q", "--no-gitignore"}},
		}, "<= 0.8x rg; <= 1.1x --no-gitignore; <= 32 MiB", true})
		var files []string
		filepath.WalkDir(filepath.Join(*gitTree, "app"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".php") && len(files) < 20 {
				rel, _ := filepath.Rel(*gitTree, p)
				files = append(files, rel)
			}
			return nil
		})
		rows = append(rows, row{"git work tree, pre-commit, 20 files", []cmd{
			{"nolegacyruns", *gitTree, append([]string{*bin, "-q"}, files...)},
			{"rg", *gitTree, slices.Concat(seed, files)},
		}, "<= 0.7x rg", false})
	}
	if *gitLog != "" {
		rows = append(rows, row{"git work tree + 64 MB log in resources/", []cmd{
			{"nolegacyruns", *gitLog, []string{*bin, "-q"}},
			{"rg", *gitLog, slices.Concat(seed, dirs)},
		}, "<= 0.8x rg", true})
		rows = append(rows, row{"64 MB log named alone", []cmd{
			{"nolegacyruns", *gitLog, []string{*bin, "-q", "resources/bench.log"}},
			{"rg", *gitLog, slices.Concat(seed, []string{"resources/bench.log"})},
		}, "<= 1.0x rg", true})
	}
	if *staged != "" {
		out, err := exec.Command("git", "-C", *staged, "diff", "--cached", "--name-only").Output()
		one := strings.TrimSpace(string(out))
		if err != nil || one == "" || strings.Contains(one, "\n") {
			fail("%s: want exactly one staged file (%v)", *staged, err)
		}
		// What it must stay close to: git naming the change, plus one file's search.
		ref := func(gitArgs string) []string {
			return []string{"sh", "-c", "git " + gitArgs + " >/dev/null && " + quote([]string{*bin, "-q", one})}
		}
		rows = append(rows, row{"--staged, one file changed", []cmd{
			{"nolegacyruns", *staged, []string{*bin, "-q", "--staged"}},
			{"git diff --cached --name-only + 1 file", *staged, ref("diff --cached --name-only")},
		}, "<= 1.5x", false})
		rows = append(rows, row{"--diff HEAD, one file changed", []cmd{
			{"nolegacyruns", *staged, []string{*bin, "-q", "--diff", "HEAD"}},
			{"git diff --name-only HEAD + 1 file", *staged, ref("diff --name-only HEAD")},
		}, "<= 1.5x", false})
	}
	if *hello != "" {
		rows = append(rows, row{"--version", []cmd{
			{"nolegacyruns", ".", []string{*bin, "--version"}},
			{"hello world", ".", []string{*hello}},
		}, "<= 1.25x", false})
	}
	if *laravel != "" {
		e := []string{"rg", "-F", "-n", "--column"}
		for _, t := range tokens(*laravel, 9) {
			e = append(e, "-e", t)
		}
		rows = append(rows, row{"laravel, default rules", []cmd{
			{"nolegacyruns", *laravel, []string{*bin, "-q"}},
			{"rg", *laravel, slices.Concat(e, dirs)},
			{"floor", *laravel, append([]string{*floor}, dirs...)},
		}, "<= 0.8x rg, <= 32 MiB", true})
		var files []string
		filepath.WalkDir(filepath.Join(*laravel, "app"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && len(files) < 20 {
				rel, _ := filepath.Rel(*laravel, p)
				files = append(files, rel)
			}
			return nil
		})
		rows = append(rows, row{"pre-commit, 20 files", []cmd{
			{"nolegacyruns", *laravel, append([]string{*bin, "-q"}, files...)},
			{"rg", *laravel, slices.Concat(e, files)},
		}, "< 15 ms", false})
	}
	if *tree != "" {
		for _, n := range []int{9, 500, 5000} {
			rules, pats := ruleFiles(*tree, n)
			target := map[int]string{9: "<= 0.8x rg; <= 1.4x floor", 500: "<= 1.0x rg", 5000: "log growth in tokens"}[n]
			cmds := []cmd{
				{"nolegacyruns", *tree, []string{*bin, "-q", "--no-gitignore", "--config", rules, "--root", "."}},
				{"rg", *tree, []string{"rg", "-F", "-n", "--column", "-f", pats, "."}},
			}
			if n == 9 {
				cmds = append(cmds, cmd{"floor", *tree, []string{*floor, "."}})
			}
			rows = append(rows, row{fmt.Sprintf("1 GB tree, %d tokens", n), cmds, target, n == 9})
		}
	}
	if *scales != "" {
		for _, dir := range strings.Split(*scales, ",") {
			rules, pats := ruleFiles(dir, 9)
			rows = append(rows, row{"scaling: " + filepath.Base(dir), []cmd{
				{"nolegacyruns", dir, []string{*bin, "-q", "--no-gitignore", "--config", rules, "--root", "."}},
				{"rg", dir, []string{"rg", "-F", "-n", "--column", "-f", pats, "."}},
			}, "linear in bytes, flat memory", true})
		}
	}

	fmt.Println()
	fmt.Println("| scenario | nolegacyruns median | compared with | its median | ratio | peak RSS (ours / theirs) | target |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(os.Stderr, "compare: %s\n", r.name)
		all := times(r.cmds)
		ours := median(all[0])
		for i := 1; i < len(r.cmds); i++ {
			theirs := median(all[i])
			mem := ""
			if r.mem {
				mem = fmt.Sprintf("%.1f / %.1f MiB", peakRSS(r.cmds[0]), peakRSS(r.cmds[i]))
			}
			fmt.Printf("| %s | %.1f ms | %s | %.1f ms | %.2fx | %s | %s |\n",
				r.name, ours*1000, r.cmds[i].name, theirs*1000, ours/theirs, mem, r.target)
		}
	}
}
