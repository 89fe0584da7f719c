package scanner

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// Options say where and how to scan.
type Options struct {
	// Root is the folder that paths are relative to.
	Root string
	// Paths limits the walk to these root-relative, slash-separated files or
	// folders; empty means the whole root. Scope globs still apply.
	Paths []string
	// List says to scan exactly Files (from git, say) and walk no folder.
	List bool
	// Files are root-relative, slash-separated candidate files for List.
	// Scope globs still apply.
	Files []string
	// Feed, when set with List, streams more files while the scan runs: it
	// calls add with batches, from any goroutine, and returns when the list
	// is complete. An error fails the scan: a partial list is no pass.
	Feed func(add func(files []string, regular []bool)) error
	// Regular, when not nil, says for each of Files whether its lister
	// knows it to be a regular file (git's index does): such files are
	// opened without a stat. The others are checked first.
	Regular []bool
	// Open, when set, supplies file contents instead of the file system (for
	// contents read from the git index). It is called only for Files.
	Open func(path string) ([]byte, error)
	// Skip lists root-relative files never to scan (the rule file itself).
	Skip []string
	// Workers is the number of files read at once; 0 means 4 per CPU, so
	// that reads blocked in the kernel overlap with searching.
	Workers int
}

// Result is everything a scan found, in a deterministic order.
type Result struct {
	Findings []result.Finding   // sorted by path, line, column, rule
	Errors   []result.FileError // sorted by path
	Stats    result.Stats
}

const (
	bufSize     = 256 << 10
	binaryProbe = 8 << 10
	maxLineText = 1 << 10
)

// Scan searches the files the options name. It returns ctx.Err() if the
// context was cancelled before the scan finished.
func (e *Engine) Scan(ctx context.Context, opt Options) (*Result, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = 4 * runtime.NumCPU()
	}
	s := &scan{e: e, opt: opt, skip: map[string]bool{}}
	for _, p := range opt.Skip {
		s.skip[p] = true
	}
	stop := context.AfterFunc(ctx, func() { s.stopped.Store(true) })
	defer stop()

	if opt.List {
		s.queueList(opt.Files, opt.Regular, opt.Open == nil)
		if opt.Feed != nil {
			s.busy++ // the feed is work in progress until it returns
		}
	} else {
		s.queueRoots(opt.Paths)
	}
	var wg sync.WaitGroup
	var feedErr error
	if opt.List && opt.Feed != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			feedErr = opt.Feed(s.add)
			s.done(nil)
		}()
	}
	ws := make([]*worker, workers)
	for i := range ws {
		ws[i] = &worker{s: s, buf: make([]byte, max(bufSize, 8*(e.m.maxLen+utf8.UTFMax)))}
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			w.run()
		}(ws[i])
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if feedErr != nil {
		return nil, feedErr
	}
	res := &Result{}
	for _, w := range ws {
		res.Findings = append(res.Findings, w.findings...)
		res.Errors = append(res.Errors, w.errs...)
		res.Stats.FilesScanned += w.stats.FilesScanned
		res.Stats.FilesBinary += w.stats.FilesBinary
		res.Stats.FilesSkipped += w.stats.FilesSkipped
		res.Stats.Bytes += w.stats.Bytes
	}
	res.Errors = append(res.Errors, s.errs...)
	result.Sort(res.Findings)
	sort.Slice(res.Errors, func(i, j int) bool { return res.Errors[i].Path < res.Errors[j].Path })
	return res, nil
}

// task is a folder to read, a batch of listed files in one folder, or one
// file (named on the command line, or with contents from Options.Open).
type task struct {
	rel string // root-relative slash path; "" is the root
	dir bool
	st  []globState // folder: its own state; file: its folder's state
	// A batch of listed files in folder rel, scanned like a folder's files.
	names   []string
	regular []bool
}

// scan is the shared state of one Scan call: a stack of work that workers
// pop from and push folders onto.
type scan struct {
	e       *Engine
	opt     Options
	stopped atomic.Bool

	mu      sync.Mutex
	cond    *sync.Cond
	stack   []task
	busy    int
	errs    []result.FileError // errors found while queueing
	skip    map[string]bool
	dirMemo map[string][]globState
}

func (s *scan) abs(rel string) string {
	if rel == "" {
		return s.opt.Root
	}
	return filepath.Join(s.opt.Root, filepath.FromSlash(rel))
}

// dirState computes a folder's state from the root down (list mode).
func (s *scan) dirState(dir string) []globState {
	if dir == "" || dir == "." {
		return s.e.sc.root()
	}
	if st, ok := s.dirMemo[dir]; ok {
		return st
	}
	st := s.e.sc.child(s.dirState(path.Dir(dir)), dir)
	s.dirMemo[dir] = st
	return st
}

// pruned reports whether dir or any folder above it is out of scope.
func (s *scan) pruned(dir string) bool {
	for d := dir; d != "" && d != "."; d = path.Dir(d) {
		if s.e.sc.prune(s.dirState(d)) {
			return true
		}
	}
	return false
}

// add queues a batch from the feed while workers run.
func (s *scan) add(files []string, regular []bool) {
	s.mu.Lock()
	batch := s.batches(files, regular, true)
	// Newest first on the stack, like queueList, so that workers take a
	// batch's folders in list order.
	for i, j := 0, len(batch)-1; i < j; i, j = i+1, j-1 {
		batch[i], batch[j] = batch[j], batch[i]
	}
	s.stack = append(s.stack, batch...)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// queueList queues listed files. With batch, the files of one folder go in
// one task, scanned by the same loop as a walked folder's files.
func (s *scan) queueList(files []string, regular []bool, batch bool) {
	s.cond = sync.NewCond(&s.mu)
	s.dirMemo = map[string][]globState{}
	s.stack = s.batches(files, regular, batch)
	// Reverse so that workers pop in list order, which keeps reads local.
	for i, j := 0, len(s.stack)-1; i < j; i, j = i+1, j-1 {
		s.stack[i], s.stack[j] = s.stack[j], s.stack[i]
	}
}

// batches turns listed files into tasks, sorted and without duplicates. With
// batch, the files of one folder go in one task, scanned by the same loop as
// a walked folder's files. s.mu must be held once workers run.
func (s *scan) batches(files []string, regular []bool, batch bool) []task {
	var tasks []task
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return files[order[a]] < files[order[b]] })
	for k, i := range order {
		f := files[i]
		dir := path.Dir(f)
		if (k > 0 && files[order[k-1]] == f) || inGitDir(f) || s.pruned(dir) {
			continue // named twice, or out of scope
		}
		if !batch {
			tasks = append(tasks, task{rel: f, st: s.dirState(dir)})
			continue
		}
		if dir == "." {
			dir = ""
		}
		if n := len(tasks); n == 0 || tasks[n-1].rel != dir {
			tasks = append(tasks, task{rel: dir, st: s.dirState(dir)})
		}
		t := &tasks[len(tasks)-1]
		t.names = append(t.names, path.Base(f))
		t.regular = append(t.regular, regular != nil && regular[i])
	}
	return tasks
}

func (s *scan) queueRoots(paths []string) {
	s.cond = sync.NewCond(&s.mu)
	s.dirMemo = map[string][]globState{}
	if len(paths) == 0 {
		paths = []string{""}
	}
	for _, p := range paths {
		p = strings.TrimPrefix(path.Clean("/"+p), "/")
		if inGitDir(p) {
			continue
		}
		fi, err := os.Lstat(s.abs(p))
		if err != nil {
			s.errs = append(s.errs, result.FileError{Path: displayPath(p), Err: unwrapPathError(err)})
			continue
		}
		switch {
		case fi.IsDir():
			if p != "" && s.pruned(p) {
				continue
			}
			s.stack = append(s.stack, task{rel: p, dir: true, st: s.dirState(p)})
		case fi.Mode().IsRegular():
			dir := path.Dir(p)
			if s.pruned(dir) {
				continue
			}
			s.stack = append(s.stack, task{rel: p, st: s.dirState(dir)})
		}
	}
}

// inGitDir reports whether a path is inside a .git folder, which is never read.
func inGitDir(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == ".git" {
			return true
		}
	}
	return false
}

func displayPath(p string) string {
	if p == "" {
		return "."
	}
	return p
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// pop blocks until there is work or all work is done.
func (s *scan) pop() (task, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.stack) == 0 {
		if s.busy == 0 {
			return task{}, false
		}
		s.cond.Wait()
	}
	t := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.busy++
	return t, true
}

func (s *scan) done(push []task) {
	s.mu.Lock()
	s.stack = append(s.stack, push...)
	s.busy--
	if len(push) > 0 || s.busy == 0 {
		s.cond.Broadcast()
	}
	s.mu.Unlock()
}

type worker struct {
	s        *scan
	buf      []byte
	occs     []occ
	findings []result.Finding
	errs     []result.FileError
	stats    result.Stats
	push     []task
	arena    []byte   // names of the files of the folder being read
	spans    [][2]int // each file's name in arena
	known    []bool   // each file is known to be regular
	active   []bool   // the current file's rules, reused across files
	cur      pathRef  // the file being searched
	pathBuf  []byte   // NUL-terminated absolute path, for openAt
}

func (w *worker) run() {
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
			default:
				w.scanFile(t.rel, t.st)
			}
		}
		w.s.done(w.push)
	}
}

func (w *worker) fail(rel string, err error) {
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
	sc := w.s.e.sc
	w.arena, w.spans, w.known = w.arena[:0], w.spans[:0], w.known[:0]
	err := readDir(w.s.abs(t.rel), w.buf, func(name []byte, typ fs.FileMode) {
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
		switch {
		case typ.IsDir():
			rel := join(t.rel, string(name))
			st := sc.child(t.st, rel)
			if !sc.prune(st) {
				w.push = append(w.push, task{rel: rel, dir: true, st: st})
			}
		case typ.IsRegular():
			w.spans = append(w.spans, [2]int{len(w.arena), len(w.arena) + len(name)})
			w.arena = append(w.arena, name...)
			w.known = append(w.known, true)
		default:
			// Symlinks are not followed; FIFOs, sockets and devices are never opened.
			w.stats.FilesSkipped++
		}
	})
	if err != nil {
		w.fail(t.rel, err)
		return
	}
	w.scanNames(t)
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
	needPath := len(w.s.skip) > 0 || sc.needsPath(t.st)
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
				w.stats.FilesSkipped++
				continue
			}
		}
		r, err := w.openAt(t.rel, name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || notRegular(err) {
				w.stats.FilesSkipped++ // vanished, or no longer a regular file
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
// when it was queued), or with its contents from Options.Open.
func (w *worker) scanFile(rel string, st []globState) {
	in, active := w.s.e.sc.file(st, rel, w.active)
	w.active = active
	if !in || w.s.skip[rel] {
		return
	}
	if w.s.opt.Open != nil {
		data, err := w.s.opt.Open(rel)
		if err != nil {
			w.fail(rel, err)
			return
		}
		w.search(rel, active, bytes.NewReader(data))
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

type reader interface {
	Read([]byte) (int, error)
}

// search streams one file through the matcher with a fixed buffer. Each round
// accepts matches that start before cut; the bytes after cut (and a little
// before it, for word boundaries) are carried into the next round, so a token
// that straddles two reads is still found and memory stays flat.
func (w *worker) search(rel string, active []bool, r reader) {
	w.cur = pathRef{rel: rel}
	w.searchCur(active, r)
}

// searchCur searches the file that w.cur names.
func (w *worker) searchCur(active []bool, r reader) {
	m := w.s.e.m
	buf := w.buf
	overlap := m.maxLen + utf8.UTFMax
	var (
		base     int // absolute offset of buf[0]
		n        int // valid bytes in buf
		scanFrom int // absolute: match starts before this were decided
		line     = 1
		lineAt   int // absolute offset of the start of line `line`
		counted  int // absolute: newlines before this are counted
		first    = true
		eof      bool
		next     map[int32]int
		isActive func(int32) bool
		lastLine int // line of the previous finding, whose text can be shared
		lastCol  int
		lastFrom int // absolute offset where that text starts
	)
	if active != nil {
		isActive = func(r int32) bool { return int(r) >= len(active) || active[r] }
	}
	first0 := len(w.findings)
	var dirs []directive
	countTo := func(abs int) {
		seg := buf[counted-base : abs-base]
		if k := bytes.Count(seg, []byte{'\n'}); k > 0 {
			line += k
			lineAt = counted + bytes.LastIndexByte(seg, '\n') + 1
		}
		counted = abs
	}
	for {
		if w.s.stopped.Load() {
			return // cancelled: the result is thrown away
		}
		for n < len(buf) && !eof {
			k, err := r.Read(buf[n:])
			n += k
			if err != nil {
				if notRegular(err) {
					w.stats.FilesSkipped++ // a folder where a file was listed
					return
				}
				if !isEOF(err) {
					w.fail(w.relPath(), err)
					return
				}
				eof = true
			} else if k == 0 {
				eof = true
			}
		}
		if first {
			first = false
			if order := utf16Order(buf[:n]); order != nil {
				w.searchUTF16(active, order, buf[:n], r, eof)
				return
			}
			if bytes.IndexByte(buf[:min(n, binaryProbe)], 0) >= 0 {
				w.stats.FilesBinary++
				return
			}
		}
		cut := base + n
		if !eof {
			cut -= overlap
		}
		w.stats.Bytes += int64(cut - scanFrom)
		w.occs = m.occurrences(buf[:n], scanFrom-base, w.occs[:0])
		if len(w.occs) > 0 {
			if next == nil {
				next = map[int32]int{}
			}
			for _, o := range m.selectMatches(buf[:n], w.occs, cut-base, isActive, next, base) {
				countTo(base + o.start)
				col := base + o.start - lineAt + 1
				if m.pats[o.pat].rule == m.directive {
					end := o.start + min(directiveSpan, len(buf[o.start:n]))
					if k := bytes.IndexByte(buf[o.start:end], '\n'); k >= 0 {
						end = o.start + k
					}
					if d, ok := parseDirective(string(buf[o.start:end])); ok {
						d.line, d.col = line, col
						d.alone = lineAt >= base && onlyPunctuation(buf[lineAt-base:o.start])
						dirs = append(dirs, d)
					}
					continue
				}
				w.findings = append(w.findings, result.Finding{
					Path:      w.relPath(),
					Line:      line,
					Column:    col,
					EndColumn: col + o.end - o.start,
					Rule:      &w.s.e.rules[m.pats[o.pat].rule],
					Match:     string(buf[o.start:o.end]),
				})
				f := &w.findings[len(w.findings)-1]
				if prev := len(w.findings) - 2; line == lastLine && base+o.start >= lastFrom &&
					base+o.end-lastFrom <= len(w.findings[prev].LineText) {
					// Findings on one line share its text.
					f.LineText, f.TextColumn = w.findings[prev].LineText, lastCol
				} else {
					f.LineText, f.TextColumn = lineText(buf[:n], max(lineAt-base, 0), o.start)
					f.TextColumn += base + max(lineAt-base, 0) - lineAt
					lastLine, lastCol, lastFrom = line, f.TextColumn, lineAt+f.TextColumn-1
				}
			}
		}
		if eof {
			break
		}
		keep := cut - utf8.UTFMax
		if keep > counted {
			countTo(keep)
		}
		copy(buf, buf[keep-base:n])
		n -= keep - base
		base = keep
		scanFrom = cut
	}
	w.stats.FilesScanned++
	if len(dirs) > 0 {
		w.findings = append(w.findings[:first0], w.s.e.applySuppressions(w.findings[first0:], dirs, w.relPath())...)
	}
}

// maxUTF16 bounds the UTF-16 files decoded in memory.
const maxUTF16 = 256 << 20

// utf16Order returns the byte order of a UTF-16 file: a byte order mark,
// then NUL bytes, which any ASCII in UTF-16 has. Text that merely starts
// with the bytes FF FE is not UTF-16.
func utf16Order(b []byte) binary.ByteOrder {
	if bytes.IndexByte(b, 0) < 0 {
		return nil
	}
	switch {
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return binary.LittleEndian
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return binary.BigEndian
	}
	return nil
}

// searchUTF16 decodes a UTF-16 file with a byte order mark to UTF-8 and
// searches that; lines and columns are those of the UTF-8 text.
func (w *worker) searchUTF16(active []bool, order binary.ByteOrder, head []byte, r reader, eof bool) {
	data := append([]byte(nil), head...)
	for !eof {
		if len(data) > maxUTF16 {
			w.fail(w.relPath(), fmt.Errorf("UTF-16 file larger than %d MiB; convert it to UTF-8 or exclude it", maxUTF16>>20))
			return
		}
		data = slices.Grow(data, 64<<10)
		k, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+k]
		if err != nil && !isEOF(err) {
			w.fail(w.relPath(), err)
			return
		}
		eof = k == 0 || err != nil
	}
	units := make([]uint16, (len(data)-2)/2)
	for i := range units {
		units[i] = order.Uint16(data[2+2*i:])
	}
	text := []byte(string(utf16.Decode(units)))
	if len(data)%2 == 1 {
		text = utf8.AppendRune(text, utf8.RuneError) // a dangling byte
	}
	w.searchCur(active, bytes.NewReader(text))
}

// lineText returns the line around buf[at] that starts at buf[start],
// without its line break, capped at maxLineText bytes, and the offset of its
// first byte from start.
func lineText(buf []byte, start, at int) (string, int) {
	end := bytes.IndexByte(buf[at:], '\n')
	if end < 0 {
		end = len(buf)
	} else {
		end += at
	}
	from := start
	if end-start > maxLineText {
		end = start + maxLineText
		if end < at+1 {
			from, end = at, min(at+maxLineText, len(buf))
		}
	}
	return strings.TrimSuffix(string(buf[from:end]), "\r"), from - start + 1
}

// Floor walks and reads the files of opt exactly as Scan does, but searches
// nothing: the physical floor that benchmarks measure Scan against.
func Floor(ctx context.Context, opt Options) (result.Stats, error) {
	e := &Engine{m: &matcher{directive: -1}, sc: newScope(&rules.Set{})}
	res, err := e.Scan(ctx, opt)
	if err != nil {
		return result.Stats{}, err
	}
	return res.Stats, nil
}
