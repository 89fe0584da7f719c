// Package fileio reads files with a size limit and writes them so that a reader, or a crash, never sees half of one.
package fileio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
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

// Write replaces name with data: a temporary file in the same folder, fsync,
// chmod, rename. before, if set, runs just before the rename and can veto it.
func Write(name string, data []byte, mode os.FileMode, before func(tmp string) error) error {
	tmp, err := createTemp(filepath.Dir(name), filepath.Base(name))
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), mode)
	}
	if err == nil && before != nil {
		err = before(tmp.Name())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	// Make the rename itself durable.
	if d, err := os.Open(filepath.Dir(name)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
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
	}
	return err
}

// ErrTooLarge says a file is over the limit ReadLimited was given.
var ErrTooLarge = errors.New("file too large")

// ReadLimited reads a whole file, refusing one larger than limit bytes
// before reading more than that.
func ReadLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, ErrTooLarge
	}
	return data, nil
}
