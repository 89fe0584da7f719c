package history

import (
	"regexp"
	"testing"
)

func TestCommitURL(t *testing.T) {
	for _, c := range []struct{ remote, want string }{
		{"https://github.com/acme/app.git", "https://github.com/acme/app/commit/"},
		{"https://user:tok3n@github.com/acme/app", "https://github.com/acme/app/commit/"},
		{"git@github.com:acme/app.git", "https://github.com/acme/app/commit/"},
		{"ssh://git@github.com:22/acme/app.git", "https://github.com/acme/app/commit/"},
		{"https://GitHub.com/acme/app/", "https://github.com/acme/app/commit/"},
		{"git@gitlab.com:group/sub/app.git", "https://gitlab.com/group/sub/app/-/commit/"},
		{"https://bitbucket.org/acme/app.git", "https://bitbucket.org/acme/app/commits/"},
		{"https://codeberg.org/acme/app.git", "https://codeberg.org/acme/app/commit/"},
		{"https://git.example.com/acme/app.git", ""}, // unknown layout: no links
		{"/srv/git/app.git", ""},
		{"file:///srv/git/app.git", ""},
		{"../app", ""},
		{"", ""},
		{"https://github.com/acme", ""},
		{"https://github.com/acme/app\"><script>", ""},
		{"https://github.com/acme/../../evil", ""},
		{"javascript:alert(1)//github.com/a/b", ""},
		{"C:\\repos\\app", ""},
	} {
		if got := CommitURL(c.remote); got != c.want {
			t.Errorf("CommitURL(%q) = %q, want %q", c.remote, got, c.want)
		}
	}
}

var safeURL = regexp.MustCompile(`^https://(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)+/(commit|-/commit|commits)/$`)

// FuzzCommitURL: whatever the remote, the prefix is empty or a plain
// https URL on a known host, with nothing that could leave an attribute.
func FuzzCommitURL(f *testing.F) {
	for _, s := range []string{"git@github.com:a/b.git", "https://u:p@gitlab.com/a/b/c", "ssh://h:1/a/b", "x:y", "https://github.com/a/b?c#d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, remote string) {
		if got := CommitURL(remote); got != "" && !safeURL.MatchString(got) {
			t.Errorf("CommitURL(%q) = %q", remote, got)
		}
	})
}
