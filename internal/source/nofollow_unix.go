//go:build unix

package source

import "syscall"

const oNoFollow = syscall.O_NOFOLLOW
