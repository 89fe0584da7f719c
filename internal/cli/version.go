package cli

import "fmt"

// A release build sets these with -ldflags -X (see .goreleaser.yaml); they
// are never assigned at run time.
var (
	version string // the release, such as v1.2.3
	commit  string // the commit it was built from
)

// releaseVersion is --version's text for a release build: the version,
// and the commit's first 12 digits as for a build from a checkout.
func releaseVersion(v, c string) string {
	if c != "" {
		v += fmt.Sprintf(" (%.12s)", c)
	}
	return v
}
