package scanner

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
)

// worker scans the tasks it pops, each with its own buffers.
type worker struct {
	s        *scan
	buf      []byte
	occs     []occ
	lowered  []byte // the lowered text for case-insensitive tokens (lower.go)
	findings []*result.Finding
	store    []result.Finding // the chunk that new findings go in
	errs     []result.FileError
	stats    result.Stats
	push     []task
	arena    []byte // names of the files of the folder being read
	// A walked folder's whole listing: names, their spans and types.
	list      []byte
	listSpans [][2]int
	listTypes []fs.FileMode
	spans     [][2]int // each file's name in arena
	known     []bool   // each file is known to be regular
	active    []bool   // the current file's rules, reused across files
	cur       pathRef  // the file being searched
	pathBuf   []byte   // NUL-terminated absolute path, for openAt
}

func (w *worker) run() {
	if w.buf == nil {
		w.buf = make([]byte, w.s.bufSize)
	}
	for {
		t, ok := w.s.pop()
		if !ok {
			return
		}
		w.push = w.push[:0]
		if !w.s.stopped.Load() {
			switch {
			case t.dir:
				w.readDir(t)
			case t.names != nil:
				w.scanBatch(t)
			case t.chunk != nil:
				w.searchChunk(t.chunk)
			default:
				w.scanFile(t.rel, t.st)
			}
		}
		w.s.done(w.push)
	}
}

func (w *worker) fail(rel string, err error) {
	if !w.s.opt.Shard.Has(rel) {
		return // another part's to report
	}
	w.errs = append(w.errs, result.FileError{Path: displayPath(rel), Err: unwrapPathError(err)})
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// typeUnknown marks a folder entry whose type the file system did not say.
const typeUnknown = ^fs.FileMode(0)

// readDir lists a folder, queues its subfolders and scans its files itself.
// File names go into a reused arena: most files are never given a path
// string of their own, which keeps the garbage, and so the memory, flat.
func (w *worker) readDir(t task) {
	w.arena, w.spans, w.known = w.arena[:0], w.spans[:0], w.known[:0]
	var err error
	if t.walked {
		err = w.readWalked(t)
	} else {
		err = readDir(w.s.abs(t.rel), w.buf, func(name []byte, typ fs.FileMode) {
			w.entry(t, nil, name, typ)
		})
	}
	if err != nil {
		w.fail(t.rel, err)
		return
	}
	w.scanNames(t)
}

// readWalked lists a folder walked for a Walker: the whole listing first,
// so that the source knows which of its files are there (git's .gitignore)
// before it chooses among them.
func (w *worker) readWalked(t task) error {
	w.list, w.listSpans, w.listTypes = w.list[:0], w.listSpans[:0], w.listTypes[:0]
	err := readDir(w.s.abs(t.rel), w.buf, func(name []byte, typ fs.FileMode) {
		w.listSpans = append(w.listSpans, [2]int{len(w.list), len(w.list) + len(name)})
		w.list = append(w.list, name...)
		w.listTypes = append(w.listTypes, typ)
	})
	if err != nil {
		return err
	}
	has := func(name string) bool {
		for _, sp := range w.listSpans {
			if string(w.list[sp[0]:sp[1]]) == name {
				return true
			}
		}
		return false
	}
	ch, err := w.s.walker.Enter(t.parent, t.rel, has)
	if err != nil {
		// The source names the file it could not read (an ignore file).
		var pe *fs.PathError
		if errors.As(err, &pe) {
			w.fail(pe.Path, pe.Err)
			return nil
		}
		return err
	}
	if ch == nil {
		return nil
	}
	for i, sp := range w.listSpans {
		w.entry(t, ch, w.list[sp[0]:sp[1]], w.listTypes[i])
	}
	return nil
}

// entry takes one entry of folder t: a subfolder is queued, a file's name
// goes into the arena; a Walker's chooser, if any, decides first.
func (w *worker) entry(t task, ch Chooser, name []byte, typ fs.FileMode) {
	sc := w.s.e.sc
	if string(name) == ".git" {
		return
	}
	if typ == typeUnknown {
		fi, err := os.Lstat(w.s.abs(join(t.rel, string(name))))
		if err != nil {
			return // gone already
		}
		typ = fi.Mode().Type()
	}
	if ch != nil {
		switch ch.Choose(name, typ) {
		case Drop:
			return
		case Skip:
			w.skipped(t.rel, name)
			return
		}
	}
	switch {
	case typ.IsDir():
		rel := join(t.rel, string(name))
		st := sc.child(t.st, rel)
		if !sc.prune(st) {
			w.push = append(w.push, task{rel: rel, dir: true, st: st, walked: ch != nil, parent: ch})
		}
	case typ.IsRegular():
		w.spans = append(w.spans, [2]int{len(w.arena), len(w.arena) + len(name)})
		w.arena = append(w.arena, name...)
		w.known = append(w.known, true)
	default:
		// Symlinks are not followed; FIFOs, sockets and devices are never opened.
		w.skipped(t.rel, name)
	}
}

// skipped counts a folder entry that is not scanned, in its own part.
func (w *worker) skipped(dir string, name []byte) {
	if !w.s.opt.Shard.Split() || w.s.opt.Shard.Has(join(dir, string(name))) {
		w.stats.FilesSkipped++
	}
}

// scanBatch scans a folder's worth of listed files.
func (w *worker) scanBatch(t task) {
	w.arena, w.spans, w.known = w.arena[:0], w.spans[:0], w.known[:0]
	for i, n := range t.names {
		w.spans = append(w.spans, [2]int{len(w.arena), len(w.arena) + len(n)})
		w.arena = append(w.arena, n...)
		w.known = append(w.known, t.regular[i])
	}
	w.scanNames(t)
}

// scanNames scans the files named in w.arena, all in folder t.
func (w *worker) scanNames(t task) {
	sc := w.s.e.sc
	shard := w.s.opt.Shard
	needPath := len(w.s.skip) > 0 || sc.needsPath(t.st) || shard.Split()
	for i, sp := range w.spans {
		if w.s.stopped.Load() {
			return
		}
		name := w.arena[sp[0]:sp[1]]
		w.cur = pathRef{dir: t.rel, name: name}
		var rel string
		if needPath {
			rel = w.relPath()
		}
		in, active := sc.file(t.st, rel, w.active)
		w.active = active
		if !in || (needPath && w.s.skip[rel]) {
			continue
		}
		if !w.known[i] {
			// Listed without a type (untracked in git): never open a
			// symlink, FIFO or device.
			fi, err := os.Lstat(w.s.abs(w.relPath()))
			if err != nil || !fi.Mode().IsRegular() {
				if shard.Has(rel) {
					w.stats.FilesSkipped++
				}
				continue
			}
		}
		if !shard.Has(rel) {
			w.stats.FilesElsewhere++
			continue
		}
		r, err := w.openAt(t.rel, name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || notRegular(err) {
				// Vanished (its folder too, maybe replaced by a file: git
				// calls such a tracked file deleted), or no longer a
				// regular file.
				w.stats.FilesSkipped++
			} else {
				w.fail(w.relPath(), err)
			}
			continue
		}
		w.searchCur(active, r)
		r.Close()
	}
}

// pathRef is the file being searched; its path string is made on demand.
type pathRef struct {
	dir  string
	name []byte
	rel  string
}

// relPath returns the current file's root-relative path.
func (w *worker) relPath() string {
	if w.cur.rel == "" {
		w.cur.rel = join(w.cur.dir, string(w.cur.name))
	}
	return w.cur.rel
}

// scanFile searches one file: named on the command line (a regular file
// when it was queued), or with its contents from an Opener.
func (w *worker) scanFile(rel string, st []globState) {
	in, active := w.s.e.sc.file(st, rel, w.active)
	w.active = active
	if !in || w.s.skip[rel] {
		return
	}
	if !w.s.opt.Shard.Has(rel) {
		w.stats.FilesElsewhere++
		return
	}
	if w.s.opener != nil {
		rc, err := w.s.opener.Open(rel)
		if err != nil {
			w.fail(rel, err)
			return
		}
		w.search(rel, active, rc)
		rc.Close()
		return
	}
	r, err := openFile(w.s.abs(rel))
	if err != nil {
		w.fail(rel, err) // the user named it, so even "vanished" is an error
		return
	}
	w.search(rel, active, r)
	r.Close()
}
