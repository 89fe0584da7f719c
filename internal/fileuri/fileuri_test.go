package fileuri

import (
	"net/url"
	"strings"
	"testing"
)

// The reference for each function is net/url, which only this test links.

func refParse(uri string) (host, path string, ok bool) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return "", "", false
	}
	if strings.HasPrefix(u.Host, "[") {
		return "", "", false // an IP literal: not read here (see Parse)
	}
	return u.Host, u.Path, true
}

func refFromPath(p string) string { return (&url.URL{Scheme: "file", Path: p}).String() }

var unescapes = []string{
	"", "a", "a/b", "%20", "a%20b", "%2F", "%2f", "%zz", "%", "%2", "%%", "a%", "a%g0", "%0g",
	"+", "a+b%2B", "%e2%82%ac", "%E2%82%AC", "%C3%A9t%C3%A9", "%ff", "%00", "%7", "%é", "ä%41",
	"a%2%20", "%25", "%2525", "/a b/c#d?e%f.php", "%%41", "100%",
}

func TestUnescape(t *testing.T) {
	for _, s := range unescapes {
		checkUnescape(t, s)
	}
}

func checkUnescape(t *testing.T, s string) {
	t.Helper()
	got, err := Unescape(s)
	want, werr := url.PathUnescape(s)
	if got != want || (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
		t.Errorf("Unescape(%q) = %q, %v; url.PathUnescape: %q, %v", s, got, err, want, werr)
	}
}

var uris = []string{
	"file:///a/b.php", "file:///a%20b/c%23d%3Fe%25f.php", "FILE:///x", "File:/x", "file:/", "file:", "file:x",
	"file://", "file://host", "file://host/", "file://localhost/a/%20b", "file://LOCALHOST/a", "file://localhost:80/a",
	"file://localhost:/a", "file://localhost:x/a", "file://:80/a", "file://a:b:1/x", "file://user@localhost/x",
	"file://us%20er:p%40ss@host/x", "file://u%zz@host/x", "file://u:p%zz@host/x", "file://a b@host/x",
	"file://a@b@host/x", "file://é@host/x", "file://h%C3%A9/x", "file://h%41/x", "file://h%25/x", "file://h%zz/x",
	"file://h o/x", "file://h<o>/x", "file://h\"/x", "file://h{/x", "file://h]/x", "file://h[/x", "file://[::1]/x",
	"file://[::1]:80/x", "file://[zz]/x", "file://a[::1]/x", "file:///a?b#c", "file:///a?", "file:///a??", "file:///a#%zz",
	"file:///a#b%20c", "file:///a%zz", "file:///a\n", "file:///a#\n", "file:///a\x7f", "file://\x01/a", "file:///C:/x",
	"file://server/share/x", "untitled:Untitled-1", "http://x/a", "%zz", "", "file", ":file:///a", "fil:///a",
	"files:///a", "file:////a", "file:///", "file://h/%2F", "file:///a+b", "file:///ä", "file:///%e4", "file://ä/x",
	"file://\xff/x", "file:///\xff", "file://h:/", "file://@/x", "file://@h/x", "file://:@h/x", "file://h?x/y",
	"file://h#x/y",
}

func TestParse(t *testing.T) {
	for _, u := range uris {
		checkParse(t, u)
	}
}

func checkParse(t *testing.T, u string) {
	t.Helper()
	h, p, ok := Parse(u)
	wh, wp, wok := refParse(u)
	if h != wh || p != wp || ok != wok {
		t.Errorf("Parse(%q) = %q, %q, %v; url.Parse: %q, %q, %v", u, h, p, ok, wh, wp, wok)
	}
}

var paths = []string{
	"/", "/a/b.php", "/a b/c#d?e%f.php", "/ünï/😀.php", "/a/:colon", "/C:/x/y", "/a+b&c=d;e,f$g@h~i",
	"/!'()*[]{}<>\"|\\^`", "/\x00\x01\x7f\x80\xff", "//server/share", "/a?b", "/%2F",
}

func TestFromPath(t *testing.T) {
	for _, p := range paths {
		checkFromPath(t, p)
	}
}

func checkFromPath(t *testing.T, p string) {
	t.Helper()
	u := FromPath(p)
	if want := refFromPath(p); u != want {
		t.Errorf("FromPath(%q) = %q, url: %q", p, u, want)
	}
	if h, back, ok := Parse(u); !ok || h != "" || back != p {
		t.Errorf("Parse(FromPath(%q)) = %q, %q, %v", p, h, back, ok)
	}
}

func FuzzUnescape(f *testing.F) {
	for _, s := range unescapes {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkUnescape(t, s) })
}

func FuzzParse(f *testing.F) {
	for _, u := range uris {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, u string) {
		checkParse(t, u)
		checkParse(t, "file:"+u) // most mutations lose the scheme
		checkParse(t, "file://"+u)
	})
}

func FuzzFromPath(f *testing.F) {
	for _, p := range paths {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		checkFromPath(t, p)
	})
}
