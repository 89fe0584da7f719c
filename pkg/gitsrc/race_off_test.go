//go:build !race

package gitsrc

// raceBuild says whether the race detector is on; big-data tests shrink
// under it, since it slows Go code tenfold.
const raceBuild = false
