package gitsrc

import "strings"

// missingID reads git's messages for an object it lacks: a lazy fetch that
// protocol.allow=never or GIT_NO_LAZY_FETCH stopped, or an object that was
// never there. It reports whether stderr has one, and the first object id
// they name. It finds what the expression
//
//	could not fetch ([0-9a-f]{40,64}) from promisor remote|lazy fetching disabled|unable to read (?:tree )?([0-9a-f]{40,64})|missing (?:blob|tree|commit) object '?([0-9a-f]{40,64})
//
// finds, match after match, without linking package regexp (whose init
// builds Unicode tables at every start of the binary).
func missingID(stderr string) (found bool, id string) {
	for i := 0; i < len(stderr); {
		end, oid, ok := missingAt(stderr, i)
		if !ok {
			i++
			continue
		}
		if oid != "" {
			return true, oid
		}
		found, i = true, end
	}
	return found, ""
}

// missingAt matches one of the messages at s[i:]: where the match ends and
// the id it names.
func missingAt(s string, i int) (end int, id string, ok bool) {
	rest := s[i:]
	switch {
	case strings.HasPrefix(rest, "could not fetch "):
		j := i + len("could not fetch ")
		n := hexRun(s[j:])
		const tail = " from promisor remote"
		if n < 40 || n > 64 || !strings.HasPrefix(s[j+n:], tail) {
			return 0, "", false
		}
		return j + n + len(tail), s[j : j+n], true
	case strings.HasPrefix(rest, "lazy fetching disabled"):
		return i + len("lazy fetching disabled"), "", true
	case strings.HasPrefix(rest, "unable to read "):
		j := i + len("unable to read ")
		if strings.HasPrefix(s[j:], "tree ") {
			j += len("tree ")
		}
		return objectID(s, j)
	case strings.HasPrefix(rest, "missing "):
		j := i + len("missing ")
		for _, kind := range []string{"blob", "tree", "commit"} {
			if strings.HasPrefix(s[j:], kind+" object ") {
				j += len(kind + " object ")
				if j < len(s) && s[j] == '\'' {
					j++
				}
				return objectID(s, j)
			}
		}
	}
	return 0, "", false
}

// objectID matches 40 to 64 hex digits at s[j:], as many as there are.
func objectID(s string, j int) (end int, id string, ok bool) {
	n := min(hexRun(s[j:]), 64)
	if n < 40 {
		return 0, "", false
	}
	return j + n, s[j : j+n], true
}

// hexRun is how many lower-case hex digits s starts with.
func hexRun(s string) int {
	n := 0
	for n < len(s) && ('0' <= s[n] && s[n] <= '9' || 'a' <= s[n] && s[n] <= 'f') {
		n++
	}
	return n
}
