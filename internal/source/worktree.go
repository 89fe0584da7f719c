package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/tenantatlas/nolegacyruns/pkg/gitignore"
	"github.com/tenantatlas/nolegacyruns/pkg/gitindex"
	"github.com/tenantatlas/nolegacyruns/pkg/gitrepo"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// Worktree is the files of Git, listed without running git: the tracked
// ones from the index file, the untracked ones found by the engine's own
// walk and kept unless git's ignore rules leave them out. Its file set is
// git ls-files -c -o --exclude-standard's (the differential tests hold it
// to that); what it cannot read as git does, NewWorktree refuses. A
// Worktree serves one scan: it records which tracked files the walk met.
type Worktree struct {
	root    string
	prefix  string   // root relative to the top: "" or "dir/"
	dirs    []string // root-relative folders listed; "" is the root
	named   []string // root-relative files named outright
	isNamed map[string]bool
	repo    *gitrepo.Repo
	entries []gitindex.Entry
	seen    []bool         // entries the walk met (each written by one worker)
	folded  map[string]int // lowercase path -> entry, with core.ignoreCase
	global  *gitignore.Stack

	mu     sync.Mutex
	levels map[string]levelResult // listed folders' choosers, by path from the top
}

// NewWorktree reads the index and the exclude files of the repository that
// root is in. dirs and named are root-relative, as Git's Pathspecs and
// Named: the folders to list and the files named outright; with neither,
// the whole root. An error means the caller should ask git (Git) instead.
func NewWorktree(root string, repo *gitrepo.Repo, dirs, named []string) (*Worktree, error) {
	rel, err := filepath.Rel(repo.Top, root)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, gitrepo.ErrUnsupported
	}
	w := &Worktree{root: root, repo: repo, dirs: dirs, named: named, isNamed: map[string]bool{}, levels: map[string]levelResult{}}
	if rel = filepath.ToSlash(rel); rel != "." {
		w.prefix = rel + "/"
	}
	if dirs == nil && len(named) == 0 {
		w.dirs = []string{""} // the whole root
	}
	w.dirs = outermost(w.dirs)
	for _, n := range named {
		w.isNamed[w.prefix+n] = true
	}
	// The listing needs no object id: leaving them out saves a page fault
	// for every 200 entries (SHA-1).
	idx, err := gitindex.ReadFile(filepath.Join(repo.GitDir, "index"), repo.HashSize, gitindex.NoOIDs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A new repository: nothing is tracked yet.
	case err != nil:
		return nil, err
	default:
		w.entries = idx.Entries
	}
	w.seen = make([]bool, len(w.entries))
	if repo.IgnoreCase {
		w.folded = make(map[string]int, len(w.entries))
		for i, e := range w.entries {
			if _, ok := w.folded[lowerASCII(e.Path)]; !ok {
				w.folded[lowerASCII(e.Path)] = i
			}
		}
	}
	// info/exclude takes precedence over core.excludesFile.
	var global []*gitignore.List
	for _, f := range []string{filepath.Join(repo.CommonDir, "info", "exclude"), repo.ExcludesFile} {
		if f == "" {
			continue
		}
		l, err := readPatterns(f, "", false)
		if err != nil {
			return nil, err
		}
		if l != nil {
			global = append(global, l)
		}
	}
	w.global = gitignore.NewStack(repo.IgnoreCase, global...)
	return w, nil
}

// maxPatternFile bounds an ignore file's size: a hostile one cannot make
// the guard allocate without limit (git would try, and die).
const maxPatternFile = 64 << 20

// readPatterns reads a pattern file as git's add_patterns does: nil if
// there is none; of a folder, a FIFO or a device (whose size is 0) nothing
// is read, and nothing blocks. A .gitignore in the work tree is never
// followed through a symlink (git warns, and a warning fails the listing).
func readPatterns(p, base string, noFollow bool) (*gitignore.List, error) {
	flags := syscall.O_RDONLY | syscall.O_CLOEXEC | syscall.O_NONBLOCK
	if noFollow {
		flags |= oNoFollow
	}
	f, err := os.OpenFile(p, flags, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() == 0 {
		return nil, nil
	}
	if fi.Size() > maxPatternFile {
		return nil, fmt.Errorf("%d bytes, more than an ignore file may have (%d)", fi.Size(), maxPatternFile)
	}
	// git reads the size it saw, and uses nothing if it gets less.
	b := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, nil
	}
	return gitignore.Parse(b, base), nil
}

// List implements scanner.Source: named files, then the folders to walk.
// The walk takes tracked files as it meets them; Rest lists the others.
func (w *Worktree) List(_ context.Context, add func([]scanner.Entry)) error {
	if len(w.named) > 0 {
		es := make([]scanner.Entry, 0, len(w.named))
		for _, p := range w.named {
			es = append(es, scanner.Entry{Path: p, Named: true})
		}
		add(es)
	}
	walks := make([]scanner.Entry, 0, len(w.dirs))
	for _, d := range w.dirs {
		if d == "" {
			walks = append(walks, scanner.Entry{Walk: true})
			continue
		}
		// A pathspec: git lists the folder (or the file: an include glob
		// without wildcards) as it would meet it in its parent.
		fi, err := os.Lstat(filepath.Join(w.root, filepath.FromSlash(d)))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue
		}
		if err != nil {
			return err
		}
		ch, err := w.Enter(nil, parentDir(d), nil)
		if err != nil {
			return err
		}
		if ch == nil {
			continue
		}
		switch c := ch.Choose([]byte(path.Base(d)), fi.Mode().Type()); {
		case c == scanner.Take && fi.IsDir():
			walks = append(walks, scanner.Entry{Path: d, Walk: true})
		case c == scanner.Take || c == scanner.Skip:
			// A file; or another repository, which the engine counts as
			// skipped, as when git lists it.
			add([]scanner.Entry{{Path: d}})
		}
	}
	add(walks)
	return nil
}

// Rest implements scanner.Walker: the tracked files in scope that the walk
// did not meet (deleted, in an ignored folder, below a symlink, replaced by
// a folder), listed as git lists them: the engine then finds what is there.
func (w *Worktree) Rest(add func([]scanner.Entry)) {
	const batch = 512
	var es []scanner.Entry
	unmerged := ""
	for i := range w.entries {
		e := &w.entries[i]
		if w.seen[i] {
			continue
		}
		rel, ok := strings.CutPrefix(e.Path, w.prefix)
		if !ok || !w.inDirs(rel) || w.isNamed[e.Path] {
			continue
		}
		switch {
		case e.Stage != 0:
			// A conflict: one entry per stage. Scan the work tree's file
			// once, type unknown.
			if e.Path != unmerged {
				unmerged = e.Path
				es = append(es, scanner.Entry{Path: rel})
			}
		case e.Mode == gitindex.ModeSymlink || e.Mode == gitindex.ModeGitlink:
			// Never followed.
		default:
			es = append(es, scanner.Entry{Path: rel, Regular: true})
		}
		if len(es) == batch {
			add(es)
			es = nil
		}
	}
	if len(es) > 0 {
		add(es)
	}
}

// outermost drops folders inside other folders of the list.
func outermost(dirs []string) []string {
	var out []string
next:
	for i, d := range dirs {
		for j, o := range dirs {
			if i != j && (o == "" || strings.HasPrefix(d, o+"/") || (d == o && j < i)) {
				continue next
			}
		}
		out = append(out, d)
	}
	return out
}

func parentDir(p string) string {
	if d := path.Dir(p); d != "." {
		return d
	}
	return ""
}

func (w *Worktree) inDirs(rel string) bool {
	for _, d := range w.dirs {
		if d == "" || rel == d || strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}

// Covers reports whether a run over this source looked at path.
func (w *Worktree) Covers(p string) bool { return covers(w.named, w.dirs, p) }

// Enter implements scanner.Walker: the ignore rules in force in dir.
func (w *Worktree) Enter(parent scanner.Chooser, dir string, has func(string) bool) (scanner.Chooser, error) {
	top := strings.TrimSuffix(w.prefix+dir, "/")
	if p, ok := parent.(*folder); ok && p != nil {
		// An ignored folder was taken for its tracked files only; its
		// .gitignore is never read (git does not read it either).
		if p.trackedOnly || p.stack.Ignored(top, true) {
			return &folder{w: w, dir: top + "/", stack: p.stack, trackedOnly: true}, nil
		}
		if has != nil && !has(".gitignore") {
			return &folder{w: w, dir: top + "/", stack: p.stack}, nil
		}
		return w.folder(p.stack, top)
	}
	// A folder the source listed: the rules from the top down to it.
	f, err := w.listed(top)
	if f == nil || err != nil {
		return nil, err // a nil *folder is no Chooser at all
	}
	return f, nil
}

// listed returns the chooser of a folder named from the top (not walked
// into from its parent), nil if it or a folder above it is left out (a
// submodule, ignored, another repository). Folders above several listed
// ones are read once: the results are kept.
func (w *Worktree) listed(top string) (*folder, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.listedLocked(top)
}

func (w *Worktree) listedLocked(top string) (*folder, error) {
	if r, ok := w.levels[top]; ok {
		return r.f, r.err
	}
	f, err := w.level(top)
	w.levels[top] = levelResult{f, err}
	return f, err
}

type levelResult struct {
	f   *folder
	err error
}

func (w *Worktree) level(top string) (*folder, error) {
	st := w.global
	if top != "" {
		parent, err := w.listedLocked(parentDir(top))
		if parent == nil || err != nil {
			return nil, err
		}
		st = parent.stack
		if i, exact := w.lookup(top); exact && w.entries[i].Mode == gitindex.ModeGitlink {
			return nil, nil
		}
		if st.Ignored(top, true) || (!w.hasTrackedBelow(top) && isNested(w.repo.Top, top)) {
			return nil, nil
		}
	}
	f, err := w.folder(st, top)
	if err != nil {
		return nil, err
	}
	return f.(*folder), nil
}

func (w *Worktree) folder(parent *gitignore.Stack, top string) (scanner.Chooser, error) {
	base := ""
	if top != "" {
		base = top + "/"
	}
	abs := filepath.Join(w.repo.Top, filepath.FromSlash(base+".gitignore"))
	l, err := readPatterns(abs, base, true)
	if err != nil && errors.Is(err, fs.ErrPermission) {
		// A folder that cannot be read is the folder's error, not its
		// .gitignore's.
		d, derr := os.Open(filepath.Dir(abs))
		if derr != nil {
			return nil, errors.Unwrap(derr) // the engine names the folder
		}
		d.Close()
	}
	if err != nil {
		// Named from the root, as the engine names files.
		rel, rerr := filepath.Rel(w.root, abs)
		if rerr != nil {
			rel = abs
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &fs.PathError{Op: "read", Path: filepath.ToSlash(rel), Err: err}
	}
	return &folder{w: w, dir: base, stack: parent.Push(l)}, nil
}

// folder decides the entries of one folder: dir is its path from the top,
// with a trailing slash ("" at the top). In an ignored folder that holds
// tracked files, only those are taken (trackedOnly).
type folder struct {
	w           *Worktree
	dir         string
	stack       *gitignore.Stack
	trackedOnly bool
}

// Choose implements scanner.Chooser, as git's treat_path: tracked files
// are taken (and marked, so that Rest lists the rest); FIFOs, sockets and
// devices are never listed; a folder that is a submodule, ignored without
// tracked files, or another repository is not walked into (another
// repository is one untracked, skipped entry).
func (f *folder) Choose(name []byte, typ fs.FileMode) scanner.Choice {
	w := f.w
	if w.repo.IgnoreCase && strings.EqualFold(string(name), ".git") {
		return scanner.Drop
	}
	// The path is only looked at, never kept: on the stack, no allocation.
	var buf [256]byte
	pb := append(append(buf[:0], f.dir...), name...)
	p := unsafe.String(unsafe.SliceData(pb), len(pb))
	i, exact := w.lookup(p)
	var e *gitindex.Entry
	if i >= 0 {
		e = &w.entries[i]
	}
	if typ.IsDir() {
		switch {
		case exact && e.Mode == gitindex.ModeGitlink:
			return scanner.Drop
		case f.trackedOnly || f.stack.Ignored(p, true):
			if w.hasTrackedBelow(p) {
				return scanner.Take // for its tracked files only
			}
			return scanner.Drop
		case !w.hasTrackedBelow(p) && isNested(w.repo.Top, strings.Clone(p)):
			return scanner.Skip
		}
		return scanner.Take
	}
	switch {
	case e != nil:
		if !exact {
			// Tracked in another case (core.ignoreCase): git lists the
			// index's name, which Rest does.
			return scanner.Drop
		}
		w.markSeen(i)
		if w.isNamed[p] || e.Mode == gitindex.ModeSymlink || e.Mode == gitindex.ModeGitlink {
			return scanner.Drop
		}
		return scanner.Take
	case f.trackedOnly || w.isNamed[p]:
		return scanner.Drop
	case typ.IsRegular() || typ&fs.ModeSymlink != 0:
		if f.stack.Ignored(p, false) {
			return scanner.Drop
		}
		return scanner.Take
	}
	return scanner.Drop // git lists no FIFO, socket or device
}

func isNested(top, p string) bool {
	return gitrepo.IsNested(filepath.Join(top, filepath.FromSlash(p)))
}

// lookup returns the index of a path's (first) entry (-1 if it is not
// tracked), and whether the name matched exactly, not only with
// core.ignoreCase folding.
func (w *Worktree) lookup(p string) (int, bool) {
	i := sort.Search(len(w.entries), func(i int) bool { return w.entries[i].Path >= p })
	if i < len(w.entries) && w.entries[i].Path == p {
		return i, true
	}
	if w.folded != nil {
		if i, ok := w.folded[lowerASCII(p)]; ok {
			return i, false
		}
	}
	return -1, false
}

// markSeen marks every stage of the tracked path at entry i as met by the walk.
func (w *Worktree) markSeen(i int) {
	for p := w.entries[i].Path; i < len(w.entries) && w.entries[i].Path == p; i++ {
		w.seen[i] = true
	}
}

// hasTrackedBelow reports whether the index has entries inside folder p:
// they sort together, right after p + "/".
func (w *Worktree) hasTrackedBelow(p string) bool {
	d := p + "/"
	i := sort.Search(len(w.entries), func(i int) bool { return w.entries[i].Path >= d })
	if i < len(w.entries) && strings.HasPrefix(w.entries[i].Path, d) {
		return true
	}
	if w.folded != nil {
		ld := lowerASCII(d)
		for k := range w.folded {
			if strings.HasPrefix(k, ld) {
				return true
			}
		}
	}
	return false
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
