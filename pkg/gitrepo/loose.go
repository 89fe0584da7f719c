package gitrepo

import (
	"bufio"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// OpenLoose streams the contents of a blob stored as a loose object in
// objects (a repository's objects folder), as git cat-file would: what git
// add has just written is loose. A blob that is not loose (packed, or in an
// alternate) is fs.ErrNotExist: ask git for it.
func OpenLoose(objects, id string) (io.ReadCloser, error) {
	if len(id) != 40 && len(id) != 64 {
		return nil, fmt.Errorf("object id %q: %w", id, fs.ErrNotExist)
	}
	// Non-blocking, so that a FIFO planted in the objects folder cannot
	// hang the run; only a regular file is read.
	f, err := os.OpenFile(filepath.Join(objects, id[:2], id[2:]), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("object %s: not a regular file", id)
	}
	z, err := zlib.NewReader(bufio.NewReaderSize(f, 32<<10))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("object %s: %v", id, err)
	}
	br := bufio.NewReaderSize(z, 64<<10)
	hdr, err := br.ReadString(0)
	var size int64
	if err == nil {
		var ok bool
		if size, ok = blobHeader(hdr[:len(hdr)-1]); !ok {
			err = errors.New("not a blob")
		}
	}
	if err != nil {
		z.Close()
		f.Close()
		return nil, fmt.Errorf("object %s: %v", id, err)
	}
	return &loose{r: io.LimitReader(br, size), size: size, z: z, f: f, id: id}, nil
}

// blobHeader parses "blob <size>".
func blobHeader(h string) (int64, bool) {
	const prefix = "blob "
	if len(h) <= len(prefix) || h[:len(prefix)] != prefix {
		return 0, false
	}
	n, err := strconv.ParseInt(h[len(prefix):], 10, 64)
	return n, err == nil && n >= 0
}

type loose struct {
	r    io.Reader
	size int64
	read int64
	z    io.ReadCloser
	f    *os.File
	id   string
}

func (l *loose) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.read += int64(n)
	if err == io.EOF && l.read != l.size {
		return n, fmt.Errorf("object %s: truncated", l.id)
	}
	return n, err
}

func (l *loose) Close() error {
	l.z.Close()
	return l.f.Close()
}
