//go:build !unix

package scanner

import (
	"io"
	"os"
)

func openFile(name string) (*os.File, error) { return os.Open(name) }

func isEOF(err error) bool { return err == io.EOF }
