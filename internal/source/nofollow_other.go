//go:build !unix

package source

// oNoFollow is 0 where open has no such flag. The in-process listing does
// not run there anyway: gitrepo.Open leaves every repository to git, since
// only git can check ownership (safe.directory) on Windows.
const oNoFollow = 0
