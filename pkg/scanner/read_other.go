//go:build !unix

package scanner

import (
	"io"
	"os"
	"path/filepath"
)

func openFile(name string) (*os.File, error) { return os.Open(name) }

func (w *worker) openAt(dir string, name []byte) (*os.File, error) {
	return os.Open(filepath.Join(w.s.opt.Root, filepath.FromSlash(dir), string(name)))
}

func isEOF(err error) bool { return err == io.EOF }

func notRegular(err error) bool { return false }
