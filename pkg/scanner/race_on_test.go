//go:build race

package scanner

const raceBuild = true
