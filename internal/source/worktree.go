package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	entries []gitindex.Entry // those inside the folders to walk, and above them (keeper)
	// Folders above the ones to walk that have tracked entries the index
	// read left out (hasTrackedBelow).
	droppedBelow map[string]bool
	seen         []bool         // entries the walk met (each written by one worker)
	folded       map[string]int // lowercase path -> entry, with core.ignoreCase
	global       *gitignore.Stack

	mu     sync.Mutex
	levels map[string]levelResult // listed folders' choosers, by path from the top
	// Walked folders that are ignored but were taken for their tracked
	// files (by path from the top): Enter makes them trackedOnly without
	// asking the ignore rules again. Rare: nIgnored spares Enter the lock.
	ignored  map[string]bool
	nIgnored atomic.Int32
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
	// The listing needs no object id, and no entry outside the folders it
	// lists: each 4 KiB of them kept is a page fault, a dear thing in a
	// short run (Monica, the default rules: 2,093 entries and 117 KB of
	// paths in the index, 1,161 and 70 KB of them in scope).
	c := gitindex.Config{NoOIDs: true}
	if !repo.IgnoreCase {
		// (With core.ignoreCase, a path is looked up in any case: all kept.)
		c.Keep = w.keeper()
	}
	idx, err := c.ReadFile(filepath.Join(repo.GitDir, "index"), repo.HashSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A new repository: nothing is tracked yet.
	case err != nil:
		return nil, err
	case len(idx.Entries) > math.MaxInt32:
		// A folder keeps its entries' bounds in 32 bits. (Each entry is
		// 62 bytes of the file at least: 128 GiB.)
		return nil, gitrepo.ErrUnsupported
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
		if errors.Is(err, errReadShort) {
			// git dies: "cannot use ... as an exclude file".
			return nil, fmt.Errorf("%w: %s", gitrepo.ErrUnsupported, err)
		}
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

// keeper returns the Keep of the index read, nil if the whole work tree is
// walked: the entries inside a folder to walk (or that are one: a file or a
// submodule a pathspec names), which the walk and Rest look up, and those
// of a folder above them (a submodule there leaves them out). Of the
// entries below a folder above that it leaves out, it notes that there
// were some: a folder with tracked files is never another repository.
func (w *Worktree) keeper() func(path []byte) bool {
	var walked, above []string
	for _, d := range w.dirs {
		t := strings.TrimSuffix(w.prefix+d, "/")
		if t == "" {
			return nil
		}
		walked = append(walked, t)
		for a := parentDir(t); a != "" && !slices.Contains(above, a); a = parentDir(a) {
			above = append(above, a)
		}
	}
	inside := func(p []byte, d string) bool {
		return len(p) > len(d) && p[len(d)] == '/' && string(p[:len(d)]) == d
	}
	return func(p []byte) bool {
		for _, t := range walked {
			if string(p) == t || inside(p, t) {
				return true
			}
		}
		for _, a := range above {
			if string(p) == a {
				return true
			}
			if inside(p, a) {
				if w.droppedBelow == nil {
					w.droppedBelow = map[string]bool{}
				}
				w.droppedBelow[a] = true
			}
		}
		return false
	}
}

// maxPatternFile bounds an ignore file's size: a hostile one cannot make
// the guard allocate without limit (git would try, and die).
const maxPatternFile = 64 << 20

// errReadShort is a pattern file that git opens but cannot read whole: a
// folder (of a size above 0), or a file that reads shorter than its size.
// git skips such a .gitignore, and dies on info/exclude or
// core.excludesFile.
var errReadShort = errors.New("cannot be read whole")

// readPatterns reads a pattern file as git's add_patterns does: nil if
// there is none; of a FIFO or a device (whose size is 0) nothing is read,
// and nothing blocks; of what cannot be read whole, errReadShort. A
// .gitignore in the work tree is never followed through a symlink (git
// warns, and a warning fails the listing).
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
	if fi.Size() == 0 {
		return nil, nil
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: p, Err: errReadShort}
	}
	if fi.Size() > maxPatternFile {
		return nil, fmt.Errorf("%d bytes, more than an ignore file may have (%d)", fi.Size(), maxPatternFile)
	}
	// git reads the size it saw, and uses nothing if it gets less.
	b := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, &fs.PathError{Op: "read", Path: p, Err: errReadShort}
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
		lo, hi := p.span(top)
		// An ignored folder was taken for its tracked files only; its
		// .gitignore is never read (git does not read it either).
		if p.trackedOnly || w.tookIgnored(top) {
			return &folder{w: w, dir: top, lo: int32(lo), hi: int32(hi), stack: p.stack, trackedOnly: true}, nil
		}
		if has != nil && !has(".gitignore") {
			return &folder{w: w, dir: top, lo: int32(lo), hi: int32(hi), stack: p.stack}, nil
		}
		return w.folder(p.stack, top, lo, hi)
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
	lo, hi := 0, len(w.entries)
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
		lo, hi = w.span(lo, hi, 0, top)
	}
	f, err := w.folder(st, top, lo, hi)
	if err != nil {
		return nil, err
	}
	return f.(*folder), nil
}

// folder is the chooser of the folder at top (a path from the top of the
// work tree), whose tracked files are entries[lo:hi], with its .gitignore
// read and pushed on parent.
func (w *Worktree) folder(parent *gitignore.Stack, top string, lo, hi int) (scanner.Chooser, error) {
	base := ""
	if top != "" {
		base = top + "/"
	}
	abs := filepath.Join(w.repo.Top, filepath.FromSlash(base+".gitignore"))
	l, err := readPatterns(abs, base, true)
	if errors.Is(err, errReadShort) {
		l, err = nil, nil // git skips it (a folder named .gitignore)
	}
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
	return &folder{w: w, dir: top, lo: int32(lo), hi: int32(hi), stack: parent.Push(l)}, nil
}

// folder decides the entries of one folder: dir is its path from the top
// ("" at the top), and entries[lo:hi] are the index entries inside it, all
// starting with dir + "/", so that a name is looked up among them only. In
// an ignored folder that holds tracked files, only those are taken
// (trackedOnly).
type folder struct {
	w           *Worktree
	dir         string
	lo, hi      int32 // 48 bytes a folder, not 64: one is made for each
	stack       *gitignore.Stack
	trackedOnly bool
}

// off is the length of the folder's path and its slash, which every entry
// of entries[f.lo:f.hi] starts with.
func (f *folder) off() int {
	if f.dir == "" {
		return 0
	}
	return len(f.dir) + 1
}

// span returns the entries inside the subfolder at top (a path from the
// top of the work tree, one name longer than f.dir).
func (f *folder) span(top string) (lo, hi int) {
	off := f.off()
	return f.w.span(int(f.lo), int(f.hi), off, top[off:])
}

// tookIgnored reports whether Choose took the folder at top although it is
// ignored. The Choose that took a folder comes before the folder's Enter.
func (w *Worktree) tookIgnored(top string) bool {
	if w.nIgnored.Load() == 0 {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ignored[top]
}

func (w *Worktree) takeIgnored(top string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ignored == nil {
		w.ignored = map[string]bool{}
	}
	w.ignored[strings.Clone(top)] = true
	w.nIgnored.Add(1)
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
	// pb is the path from the top and a slash, which the entries of a
	// subfolder of that name start with; key is that past the folder's
	// own path: the name and the slash.
	var buf [256]byte
	pb := buf[:0]
	if f.dir != "" {
		pb = append(append(pb, f.dir...), '/')
	}
	off := len(pb)
	pb = append(append(pb, name...), '/')
	key := unsafe.String(unsafe.SliceData(pb[off:]), len(pb)-off)
	p := unsafe.String(unsafe.SliceData(pb), len(pb)-1)
	// The name's entry, or where it would be, among the folder's.
	lo, hi := int(f.lo), int(f.hi)
	at := w.search(lo, hi, off, key[:len(key)-1])
	i, exact := -1, at < hi && w.entries[at].Path[off:] == key[:len(key)-1]
	if exact {
		i = at
	} else if w.folded != nil {
		i = w.foldedLookup(p)
	}
	var e *gitindex.Entry
	if i >= 0 {
		e = &w.entries[i]
	}
	if typ.IsDir() {
		// Whether the index has entries inside it: they come at or after
		// the name's own place.
		below := func() bool {
			j := w.search(at, hi, off, key)
			return j < hi && strings.HasPrefix(w.entries[j].Path[off:], key) || w.foldedBelow(unsafe.String(unsafe.SliceData(pb), len(pb)))
		}
		switch {
		case exact && e.Mode == gitindex.ModeGitlink:
			return scanner.Drop
		case f.trackedOnly:
			if below() {
				return scanner.Take // for its tracked files only
			}
			return scanner.Drop
		case f.stack.Ignored(p, true):
			if below() {
				w.takeIgnored(p)
				return scanner.Take // for its tracked files only
			}
			return scanner.Drop
		case !below() && isNested(w.repo.Top, strings.Clone(p)):
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

// search returns the first entry of entries[lo:hi] whose path from byte off
// on is not less than key, hi if there is none. The entries of
// entries[lo:hi] share their first off bytes: they are one folder's.
func (w *Worktree) search(lo, hi, off int, key string) int {
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		p := w.entries[m].Path[off:]
		// The names of a folder mostly differ in their first byte: that
		// compared inline, the runtime's comparison is rarely called.
		less := p < key
		if p != "" && key != "" && p[0] != key[0] {
			less = p[0] < key[0]
		}
		if less {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// span returns the entries inside a subfolder, given by its name, of the
// folder whose entries are entries[lo:hi] (off bytes of path each): they
// sort together, from name + "/" up to name + "0" ('/' + 1).
func (w *Worktree) span(lo, hi, off int, name string) (int, int) {
	var buf [256]byte
	key := append(append(buf[:0], name...), '/')
	k := unsafe.String(unsafe.SliceData(key), len(key))
	lo = w.search(lo, hi, off, k)
	key[len(key)-1] = '/' + 1
	return lo, w.search(lo, hi, off, k)
}

// lookup returns the index of a path's (first) entry (-1 if it is not
// tracked), and whether the name matched exactly, not only with
// core.ignoreCase folding.
func (w *Worktree) lookup(p string) (int, bool) {
	if i := w.search(0, len(w.entries), 0, p); i < len(w.entries) && w.entries[i].Path == p {
		return i, true
	}
	return w.foldedLookup(p), false
}

// foldedLookup returns the entry of a path in another case
// (core.ignoreCase), -1 if none.
func (w *Worktree) foldedLookup(p string) int {
	if w.folded != nil {
		if i, ok := w.folded[lowerASCII(p)]; ok {
			return i
		}
	}
	return -1
}

// markSeen marks every stage of the tracked path at entry i as met by the walk.
func (w *Worktree) markSeen(i int) {
	for p := w.entries[i].Path; i < len(w.entries) && w.entries[i].Path == p; i++ {
		w.seen[i] = true
	}
}

// hasTrackedBelow reports whether the index has entries inside folder p:
// they sort together, right after p + "/"; or had, before the read left
// them out.
func (w *Worktree) hasTrackedBelow(p string) bool {
	d := p + "/"
	i := w.search(0, len(w.entries), 0, d)
	return i < len(w.entries) && strings.HasPrefix(w.entries[i].Path, d) || w.foldedBelow(d) || w.droppedBelow[p]
}

// foldedBelow reports whether the index has entries inside folder d (with
// its slash) in another case (core.ignoreCase).
func (w *Worktree) foldedBelow(d string) bool {
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
