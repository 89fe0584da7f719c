//go:build race

package gitsrc

const raceBuild = true
