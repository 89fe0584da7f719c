// Package hugeheap backs the start of the Go heap with one huge page as the program starts, on Linux, when the kernel allows it.
//
// A short run (a pre-commit hook on a few files, --version) touches 150-200
// fresh 4 KiB pages of its heap and goroutine stacks, and each first touch
// is a page fault. On the virtual machines this was measured on (see
// docs/BENCHMARKS.md) a fault costs 10-15 us, more than the search of the
// files; one madvise(MADV_COLLAPSE) of the 2 MiB around the heap's first
// spans and stacks costs about 0.2 ms and takes 70-100 of those faults
// away. Import it from package main only, for its init: the earlier it
// runs, the more of the start it covers, so on amd64 it imports nothing
// but unsafe (elsewhere also syscall) and allocates nothing.
//
// It is skipped when the administrator turned transparent huge pages off
// ("[never]" in /sys/kernel/mm/transparent_hugepage/enabled, or in its
// hugepages-2048kB/enabled); the kernel itself refuses it for a process
// started with prctl(PR_SET_THP_DISABLE), and on kernels before 6.1, which
// do not know MADV_COLLAPSE. It changes where the heap's memory comes
// from, never what is in it: pages already there are copied into the huge
// page, the rest read as zeros, as fresh pages do. Like any huge page
// allocation it may make the kernel reclaim or compact memory first; Go's
// runtime stopped calling MADV_COLLAPSE (golang/go#63334) because it did
// so again and again with the heap locked, where this runs once, before
// the program does anything else.
package hugeheap
