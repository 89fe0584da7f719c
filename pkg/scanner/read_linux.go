//go:build linux && !portableread

package scanner

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

// The scan's opens, closes and folder listings are raw system calls on
// Linux, which do not tell the Go scheduler that the thread may block:
// they return in microseconds from the kernel's caches, while the
// scheduler's bookkeeping for a blocking call (and its monitor handing the
// worker's processor to a new thread when a call runs past 20 us) cost
// more than the call on a git work tree. Reads stay plain system calls: a
// read may wait for a disk, and then the processor goes to another worker
// (the engine runs four per CPU once a scan goes on, for that overlap);
// raw reads measured the same on a warm tree (task-clock on Monica within
// noise). A big file's chunks, whose reads of 256 KiB run past the
// monitor's 20 us, first read raw what the page cache holds
// (preadCached), which cannot wait. Nothing here waits for another
// process (O_NONBLOCK).

func closeFD(fd int) error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// openAt opens root/dir/name through the worker's path buffer, so that no
// path string is allocated for the files that have no finding.
func (w *worker) openAt(dir string, name []byte) (rawFile, error) {
	b := append(w.pathBuf[:0], w.s.opt.Root...)
	if dir != "" {
		b = append(append(b, '/'), dir...)
	}
	b = append(append(append(b, '/'), name...), 0)
	w.pathBuf = b
	for {
		fd, _, errno := syscall.RawSyscall6(syscall.SYS_OPENAT, atFDCWD, uintptr(unsafe.Pointer(&b[0])), uintptr(openFlags), 0, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return -1, &os.PathError{Op: "open", Path: string(b[:len(b)-1]), Err: errno}
		}
		return rawFile(fd), nil
	}
}

// atFDCWD (-100) makes openat resolve relative paths against the current folder.
const atFDCWD = ^uintptr(99)

// notRegular reports errors that mean the path is not a regular file any
// more: a symlink (O_NOFOLLOW), a folder, or a socket.
func notRegular(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENXIO)
}

// preadCached reads at off only what the page cache holds already
// (preadv2 with RWF_NOWAIT), as a raw system call: one that cannot wait
// for a disk need not tell the scheduler, whose hand-off of a processor
// after 20 us was a third of a 64 MB file's context switches and 5% of its
// CPU time. ok is false when it read nothing that way (nothing cached at
// off, an old kernel, a file system without it, an error): the caller then
// reads with a plain pread, which may wait and says why it failed.
func preadCached(fd int, p []byte, off int64) (n int, ok bool) {
	if sysPreadv2 == 0 || len(p) == 0 {
		return 0, false
	}
	iov := syscall.Iovec{Base: &p[0]}
	iov.SetLen(len(p))
	r, _, errno := syscall.RawSyscall6(sysPreadv2, uintptr(fd), uintptr(unsafe.Pointer(&iov)), 1, uintptr(off), 0, rwfNoWait)
	if errno != 0 {
		return 0, false
	}
	return int(r), true
}

// rwfNoWait is RWF_NOWAIT of linux/fs.h.
const rwfNoWait = 0x8
