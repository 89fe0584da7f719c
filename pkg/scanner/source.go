package scanner

import (
	"context"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Entry is one file or folder a source names: a root-relative, slash-separated path.
type Entry struct {
	Path string
	// Named marks a path the user named: the engine looks at it first, walks
	// it when it is a folder, and reports it missing as an error rather than
	// skipping it as vanished.
	Named bool
	// Regular says the lister knows it is a regular file (git's index does),
	// so it is opened without a stat; otherwise the engine checks first, and
	// never opens a symlink, FIFO or device.
	Regular bool
	// Walk marks a folder for the engine to walk, asking the source (a
	// Walker) about each entry; a folder that is not there lists nothing.
	Walk bool
}

// Source says which files a scan reads. List calls add with batches of
// entries as they become known, from any goroutine, and returns when the list
// is complete. An error fails the scan: a partial list is no pass.
type Source interface {
	List(ctx context.Context, add func([]Entry)) error
}

// An Instant source's List, when Instant reports true, only hands over
// entries it holds already: it waits on no process and lists no folder
// (the files a pre-commit hook names). The engine lists it before starting
// any worker, and searches a few small named files without starting any.
type Instant interface {
	Source
	Instant() bool
}

// Opener is a Source whose contents do not come from the file system (the
// git index). Open is called once for each listed file, from any goroutine.
type Opener interface {
	Source
	Open(path string) (io.ReadCloser, error)
}

// A Walker is a Source whose folders (entries with Walk) the engine walks
// itself, in parallel with the search, asking the source what to take:
// git's listing of untracked files, decided by its ignore rules.
type Walker interface {
	Source
	// Enter returns the chooser of a folder the walk has listed, given its
	// parent's (nil for a folder the source listed) and whether the listing
	// has an entry of a given name, so that the source need not look for
	// files that are not there; nil skips the folder. It is called from any goroutine. An *fs.PathError names
	// the root-relative file that could not be read; any other error is
	// the folder's.
	Enter(parent Chooser, dir string, has func(name string) bool) (Chooser, error)
	// Rest is called once every walked folder is done, to list what the
	// walk did not meet (git's tracked files that are not where the index
	// says): add as in List.
	Rest(add func([]Entry))
}

// A Chooser decides which entries of one folder the walk takes.
type Chooser interface {
	// Choose is called for each entry of the folder but .git: its base
	// name and its type (fs.ModeDir, fs.ModeSymlink, 0 for a regular file,
	// ...). The name is only valid during the call.
	Choose(name []byte, typ fs.FileMode) Choice
}

// Choice is what the walk does with an entry.
type Choice uint8

const (
	Take Choice = iota // as the walk would without a Walker
	Drop               // leave it out, uncounted
	Skip               // leave it out, counted as skipped (not a regular file)
)

// Paths is the engine's own walk of the named files and folders ("" is the
// root). A path inside another named folder is walked once.
type Paths []string

// Instant implements Instant: the paths are walked by the workers.
func (Paths) Instant() bool { return true }

// List implements Source.
func (ps Paths) List(_ context.Context, add func([]Entry)) error {
	clean := make([]string, 0, len(ps))
	for _, p := range ps {
		clean = append(clean, strings.TrimPrefix(path.Clean("/"+p), "/"))
	}
	if len(ps) == 0 {
		clean = append(clean, "")
	}
	sort.Strings(clean)
	var out []Entry
next:
	for _, p := range clean {
		for _, e := range out {
			if within(p, e.Path) {
				continue next
			}
		}
		out = append(out, Entry{Path: p, Named: true})
	}
	add(out)
	return nil
}

// within reports whether p is dir or below it ("" is the root).
func within(p, dir string) bool {
	return dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
}

// Files is a fixed list of files, as a lister found them: a file that is gone
// when it is read is skipped, not an error.
type Files []Entry

// List implements Source.
func (fs Files) List(_ context.Context, add func([]Entry)) error {
	add(fs)
	return nil
}
