// Package fileuri reads and writes the percent-encoded paths of file: URIs
// (the language server's documents, SARIF's artifact locations) as net/url
// does, without linking net/url.
//
// net/url links net/netip, unique and weak, whose package inits run at
// every start of the binary, --version included. The few functions here are
// what the command used net/url for; their tests hold them to net/url
// (tables and fuzz targets), which only the tests import.
package fileuri

import (
	"strconv"
	"strings"
)

// Unescape decodes every %XX of s, as url.PathUnescape does: it fails
// when a % is not followed by two hexadecimal digits, and leaves '+' alone.
func Unescape(s string) (string, error) {
	return unescape(s, false)
}

// EscapeError is a % in s that is not followed by two hexadecimal digits
// (or, in a host, an escape of an ASCII byte): the same text as url's.
type EscapeError string

func (e EscapeError) Error() string { return "invalid URL escape " + strconv.Quote(string(e)) }

// errInvalid is any other way in which url.Parse would fail: the callers
// only ask whether it did.
type errInvalid struct{}

func (errInvalid) Error() string { return "invalid URI" }

// Parse reads a file: URI as url.Parse reads it and returns its host and
// its unescaped path: ok is false where url.Parse fails, where the scheme
// is not file (in any case), and where the path is empty (file:x, file://h).
// The one difference: an IP literal host (file://[::1]/x) is not read (ok
// is false), since telling a valid one needs net/netip; a file URI has no
// use for it.
func Parse(uri string) (host, path string, ok bool) {
	u, frag, hasFrag := strings.Cut(uri, "#")
	if hasFrag {
		if _, err := unescape(frag, false); err != nil {
			return "", "", false
		}
	}
	for i := 0; i < len(u); i++ {
		if b := u[i]; b < ' ' || b == 0x7f {
			return "", "", false // url: invalid control character
		}
	}
	if len(u) < 5 || !strings.EqualFold(u[:4], "file") || u[4] != ':' {
		return "", "", false
	}
	rest, _, _ := strings.Cut(u[5:], "?")
	if !strings.HasPrefix(rest, "/") {
		return "", "", false // opaque: no path
	}
	if strings.HasPrefix(rest, "//") {
		authority := rest[2:]
		rest = ""
		if i := strings.IndexByte(authority, '/'); i >= 0 {
			authority, rest = authority[:i], authority[i:]
		}
		var err error
		if host, err = parseAuthority(authority); err != nil {
			return "", "", false
		}
	}
	if rest == "" {
		return "", "", false
	}
	path, err := unescape(rest, false)
	if err != nil {
		return "", "", false
	}
	return host, path, true
}

// FromPath is the file: URI of an absolute slash path (starting with /),
// as url.URL{Scheme: "file", Path: p}.String() writes it.
func FromPath(p string) string {
	var b strings.Builder
	b.Grow(len("file://") + len(p) + 16)
	b.WriteString("file://")
	for i := 0; i < len(p); i++ {
		c := p[i]
		if pathKeeps(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

const upperhex = "0123456789ABCDEF"

// pathKeeps says whether url writes c as it is in a path (its
// encodePath mode): letters, digits, -_.~ and the reserved characters
// other than ?.
func pathKeeps(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '_', '.', '~', '$', '&', '+', ',', '/', ':', ';', '=', '@':
		return true
	}
	return false
}

// hostKeeps says whether c may appear unescaped in a host (url's
// encodeHost mode, for ASCII bytes).
func hostKeeps(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '_', '.', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '[', ']', '<', '>', '"':
		return true
	}
	return false
}

// parseAuthority is url's [userinfo@]host[:port] for a URI whose scheme is
// not http or https: the host, unescaped, with its port.
func parseAuthority(authority string) (string, error) {
	i := strings.LastIndexByte(authority, '@')
	host, err := parseHost(authority[i+1:])
	if err != nil || i < 0 {
		return host, err
	}
	userinfo := authority[:i]
	for j := 0; j < len(userinfo); j++ {
		c := userinfo[j]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		}
		switch c {
		case '-', '.', '_', ':', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', '%', '@':
			continue
		}
		return "", errInvalid{} // url: invalid userinfo
	}
	user, pass, _ := strings.Cut(userinfo, ":")
	if _, err := unescape(user, false); err != nil {
		return "", err
	}
	if _, err := unescape(pass, false); err != nil {
		return "", err
	}
	return host, nil
}

func parseHost(host string) (string, error) {
	if strings.IndexByte(host, '[') >= 0 {
		// Past position 0 url rejects it; at 0 it is an IP literal, which
		// this package does not read (see Parse).
		return "", errInvalid{}
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		for _, c := range []byte(host[i+1:]) {
			if c < '0' || c > '9' {
				return "", errInvalid{} // url: invalid port
			}
		}
	}
	return unescape(host, true)
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte { return 9*(c>>6) + (c & 15) }

// unescape is url's unescape in its path modes, or in its host mode: there
// a % may escape only bytes of 0x80 and above (and %25), and every other
// ASCII byte must be one a host may hold.
func unescape(s string, inHost bool) (string, error) {
	n := 0
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '%':
			n++
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				e := s[i:]
				if len(e) > 3 {
					e = e[:3]
				}
				return "", EscapeError(e)
			}
			if inHost && unhex(s[i+1]) < 8 && s[i:i+3] != "%25" {
				return "", EscapeError(s[i : i+3])
			}
			i += 3
		case inHost && c < 0x80 && !hostKeeps(c):
			return "", errInvalid{} // url: invalid character in host name
		default:
			i++
		}
	}
	if n == 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s)-2*n)
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b), nil
}
