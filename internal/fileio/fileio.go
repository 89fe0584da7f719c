// Package fileio reads files with a size limit and writes them so that a reader, or a crash, never sees half of one.
package fileio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
)

// TempPrefix starts the name of every temporary file this package makes.
const TempPrefix = ".nolegacyruns-"

// tempBase is how much of the original name a temporary name keeps: enough
// to tell whose it is, short enough that any name fits NAME_MAX (255 bytes).
const tempBase = 32

// createTemp makes a new file in dir named after base, readable only by us.
func createTemp(dir, base string) (*os.File, error) {
	if len(base) > tempBase {
		cut := tempBase
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut]
	}
	for range 100 {
		name := filepath.Join(dir, TempPrefix+base+"."+strconv.FormatUint(uint64(rand.Uint32()), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot find a free temporary file name")
}

// replace puts data in place of name (a regular file or nothing) through a
// temporary file in the same folder: written, given owner's owner (where
// allowed) and mode, fsynced, renamed. check, if set, runs just before the
// rename and can veto it.
func replace(name string, data []byte, mode os.FileMode, owner os.FileInfo, check func() error) error {
	tmp, err := createTemp(filepath.Dir(name), filepath.Base(name))
	if err != nil {
		return describe(err)
	}
	_, err = tmp.Write(data)
	if err == nil && owner != nil {
		// Before the chmod: chown clears the setuid and setgid bits.
		chown(tmp, owner)
	}
	if err == nil {
		err = tmp.Chmod(mode & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky))
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && check != nil {
		err = check()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return describe(err)
	}
	// Make the rename itself durable.
	if d, err := os.Open(filepath.Dir(name)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// ErrHardLinks says a file has other names that a replacement would split
// it from.
var ErrHardLinks = errors.New("the file has other hard links")

// Replaceable says whether Replace may replace the file fi describes: a
// regular file with no other hard links.
func Replaceable(fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	if n := links(fi); n > 1 {
		return fmt.Errorf("%w (%d names); it is left alone rather than split from them, so edit it by hand", ErrHardLinks, n)
	}
	return nil
}

// Replace atomically swaps the regular file name, which before describes,
// for one holding data, with the same owner (where allowed) and mode,
// setuid, setgid and sticky bits included. check, if set, runs just before
// the rename and can veto it. A file with other hard links is refused
// (ErrHardLinks), never split from them.
func Replace(name string, data []byte, before os.FileInfo, check func() error) error {
	if err := Replaceable(before); err != nil {
		return err
	}
	return replace(name, data, before.Mode(), before, check)
}

// target is where WriteFile puts its data.
type target struct {
	path    string      // the file to replace, create or open
	fi      os.FileInfo // what is there now (links followed); nil if nothing
	inPlace bool        // open it and write through: never rename over it
}

var errIsDir = errors.New("it is a folder")

// locate decides how to write name: as the shell's > would, following
// symbolic links, but replacing a regular file by rename.
func locate(name string) (target, error) {
	fi, err := os.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fi = nil
	case err != nil:
		return target{}, describe(err)
	case fi.IsDir():
		return target{}, errIsDir
	case fi.Mode()&fs.ModeSocket != 0:
		return target{}, errors.New("it is a socket")
	case !fi.Mode().IsRegular():
		// A device or a FIFO: /dev/null, /dev/stdout on a pipe.
		return target{path: name, fi: fi, inPlace: true}, nil
	}
	p, magic, err := resolve(name)
	if err != nil {
		return target{}, describe(err)
	}
	if magic && fi != nil {
		// /dev/stdout or /proc/self/fd/N on a regular file: the link names
		// an open file, not a path one could rename over.
		return target{path: name, fi: fi, inPlace: true}, nil
	}
	return target{path: p, fi: fi}, nil
}

// resolve follows name's symbolic links to the path they end at, which may
// not exist yet. magic reports a link in /proc, which names an open file.
func resolve(name string) (p string, magic bool, err error) {
	p = name
	for range 40 {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode()&fs.ModeSymlink == 0 {
			return p, false, nil
		}
		if err != nil {
			return "", false, err
		}
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if err != nil {
			return "", false, err
		}
		if dir == "/proc" || strings.HasPrefix(dir, "/proc/") {
			return p, true, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", false, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		p = link
	}
	return "", false, syscall.ELOOP
}

// CheckWritable says, before any work is done, why WriteFile(name) would
// fail, so that a run can be refused before it starts. The error does not
// name name: the caller knows it as the user gave it. A FIFO is not opened
// here, since closing it would end its reader's input; whether anything
// reads it is only known when WriteFile opens it.
func CheckWritable(name string) error {
	t, err := locate(name)
	if err != nil {
		return err
	}
	if t.inPlace {
		return describe(access(t.path, wOK))
	}
	dir := filepath.Dir(t.path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("its folder does not exist")
	case err != nil:
		return describe(err)
	case !fi.IsDir():
		return errors.New("its folder is not a folder")
	}
	if err := access(dir, wOK|xOK); err != nil {
		return fmt.Errorf("cannot create files in its folder: %w", describe(err))
	}
	return nil
}

// WriteFile writes data to name as the shell's > would, but atomically: a
// regular file (one a symbolic link points to included, the link is kept)
// is replaced through a temporary file and a rename, keeping its mode and
// owner; a new one gets perm. A device or FIFO (/dev/null, /dev/stdout on a
// pipe) is opened and written in place, and a regular file behind
// /dev/stdout or /proc/self/fd/N is appended to, like the descriptor it
// names. A FIFO must have a reader when it is opened: WriteFile never waits
// for one. Errors do not name name or any temporary file.
func WriteFile(name string, data []byte, perm os.FileMode) error {
	t, err := locate(name)
	switch {
	case err != nil:
		return err
	case t.inPlace:
		return writeInPlace(t, data)
	case t.fi != nil:
		return replace(t.path, data, t.fi.Mode().Perm(), t.fi, nil)
	}
	return replace(t.path, data, perm, nil, nil)
}

func writeInPlace(t target, data []byte) error {
	flag := os.O_WRONLY | nonblock
	if t.fi.Mode().IsRegular() {
		flag = os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(t.path, flag, 0)
	if errors.Is(err, syscall.ENXIO) && t.fi.Mode()&fs.ModeNamedPipe != 0 {
		return errors.New("it is a FIFO and no process is reading it; start the reader first")
	}
	if err != nil {
		return describe(err)
	}
	// O_NONBLOCK only kept the open from waiting for a reader; Fd puts the
	// file back in blocking mode, so a slow reader slows the write down
	// rather than failing it.
	f.Fd()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return describe(err)
}

// AppendFile appends data to name, creating it with perm if it does not
// exist, as the shell's >> would (GitHub's job summary file). Like
// WriteFile, it never waits for a reader of a FIFO.
func AppendFile(name string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE|nonblock, perm)
	if errors.Is(err, syscall.ENXIO) {
		if fi, serr := os.Stat(name); serr == nil && fi.Mode()&fs.ModeNamedPipe != 0 {
			return errors.New("it is a FIFO and no process is reading it; start the reader first")
		}
	}
	if err != nil {
		return describe(err)
	}
	f.Fd() // back to blocking: a slow reader slows the write down
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return describe(err)
}

// describe drops the operation and path that os errors carry: they may be a
// temporary file's, and the caller names the file as the user knows it.
func describe(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	var se *os.SyscallError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	case errors.As(err, &se):
		err = se.Err
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOTDIR):
		return errors.New("part of its path is a file, not a folder")
	case errors.Is(err, syscall.EISDIR):
		return errIsDir
	}
	return err
}

// errNoWriter says ReadLimited found a FIFO that no process writes to: as
// a device or a folder, it wraps ErrNotRegular.
var errNoWriter error = noWriterError{}

type noWriterError struct{}

func (noWriterError) Error() string {
	return "it is a FIFO and no process is writing to it; start the writer first"
}

func (noWriterError) Is(target error) bool { return target == ErrNotRegular }

// ErrTooLarge says a file is over the limit ReadLimited was given.
var ErrTooLarge = errors.New("file too large")

// ErrNotRegular says a file is not a regular file: ReadLimited reads no
// device, socket or folder. Its errors say which it is.
var ErrNotRegular = errors.New("not a regular file")

type notRegularError struct{ mode fs.FileMode }

func (e notRegularError) Error() string {
	m := e.mode
	switch {
	case m.IsDir():
		return "it is a folder, not a regular file"
	case m&fs.ModeNamedPipe != 0:
		return "it is a FIFO, not a regular file"
	case m&fs.ModeDevice != 0:
		return "it is a device, not a regular file"
	case m&fs.ModeSocket != 0:
		return "it is a socket, not a regular file"
	}
	return "it is not a regular file"
}

func (e notRegularError) Is(target error) bool { return target == ErrNotRegular }

// ReadLimited reads a whole regular file (a symbolic link to one is
// followed), refusing one larger than limit bytes before reading more than
// that. A FIFO is read only if a process writes to it (a process
// substitution, --baseline <(git show main:b.json)), up to limit bytes:
// opened O_NONBLOCK, it is never waited on, and without a writer it is an
// error at once. A device such as /dev/zero, which never ends, a socket or
// a folder is refused before anything is read, with an *os.PathError that
// wraps ErrNotRegular.
func ReadLimited(name string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	fifo := fi.Mode()&fs.ModeNamedPipe != 0
	if !fi.Mode().IsRegular() && !fifo {
		return nil, &os.PathError{Op: "read", Path: name, Err: notRegularError{fi.Mode()}}
	}
	if fi.Size() > limit {
		return nil, ErrTooLarge
	}
	// Room for the size it has now and a little more, so that a file read
	// whole is not copied as its buffer grows; one that grows is still
	// read only to limit+1 bytes. A FIFO's reads wait for its data in the
	// runtime's poller.
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if fifo && buf.Len() == 0 {
		return nil, &os.PathError{Op: "read", Path: name, Err: errNoWriter}
	}
	if int64(buf.Len()) > limit {
		return nil, ErrTooLarge
	}
	return buf.Bytes(), nil
}
