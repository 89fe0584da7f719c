package history

import "strings"

// CommitURL turns a remote's URL into the prefix of its commits' web
// pages, for the hosts whose page layout is known (GitHub, GitLab,
// Bitbucket and Codeberg), or "" for any other. Credentials and ports
// are dropped; a path with characters outside [A-Za-z0-9._~/-] gives "".
func CommitURL(remote string) string {
	host, path, ok := splitRemote(strings.TrimSpace(remote))
	if !ok {
		return ""
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	segs := strings.Split(path, "/")
	if len(segs) < 2 {
		return ""
	}
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return ""
		}
	}
	for _, c := range []byte(path) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._~/-", c) >= 0) {
			return ""
		}
	}
	host = strings.ToLower(host)
	switch host {
	case "github.com", "codeberg.org":
		return "https://" + host + "/" + path + "/commit/"
	case "gitlab.com":
		return "https://" + host + "/" + path + "/-/commit/"
	case "bitbucket.org":
		return "https://" + host + "/" + path + "/commits/"
	}
	return ""
}

// splitRemote reads https://[user@]host[:port]/path, ssh://[user@]host[:port]/path
// and the scp-like [user@]host:path.
func splitRemote(u string) (host, path string, ok bool) {
	if scheme, rest, found := strings.Cut(u, "://"); found {
		switch strings.ToLower(scheme) {
		case "https", "http", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return "", "", false
		}
		hostPart, p, _ := strings.Cut(rest, "/")
		if i := strings.LastIndexByte(hostPart, '@'); i >= 0 {
			hostPart = hostPart[i+1:]
		}
		hostPart, _, _ = strings.Cut(hostPart, ":")
		return hostPart, p, hostPart != ""
	}
	hostPart, p, found := strings.Cut(u, ":")
	if !found || strings.ContainsAny(hostPart, "/\\") {
		return "", "", false
	}
	if i := strings.LastIndexByte(hostPart, '@'); i >= 0 {
		hostPart = hostPart[i+1:]
	}
	return hostPart, p, hostPart != ""
}
