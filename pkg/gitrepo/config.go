package gitrepo

import (
	"bytes"
	"strings"
)

// parseConfig reads a git config file as git's own parser does and calls
// set with each key (section[.subsection].name, the section and name in
// lowercase), its value, and whether it had one ("key" alone is true). What
// git would reject, and include directives, are ErrUnsupported: git reads
// those itself.
func parseConfig(file string, b []byte, set func(file, key, value string, hasValue bool) error) error {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(b, 0) >= 0 {
		// git reads names and values as C strings, cut at a NUL.
		return unsupported("%s: a NUL byte", file)
	}
	p := &cfgParser{b: b}
	section := ""
	for {
		p.skipSpace(true)
		c, ok := p.next()
		if !ok {
			return nil
		}
		switch {
		case c == '\n':
		case c == '#' || c == ';':
			p.skipLine()
		case c == '[':
			s, ok := p.section()
			if !ok {
				return unsupported("%s:%d: bad section header", file, p.line)
			}
			section = s
		case isAlpha(c):
			name := []byte{lower(c)}
			for {
				c, ok = p.peek()
				if !ok || !(isAlpha(c) || isDigit(c) || c == '-') {
					break
				}
				p.i++
				name = append(name, lower(c))
			}
			p.skipSpace(false)
			c, ok = p.peek()
			hasValue := false
			value := ""
			switch {
			case !ok || c == '\n':
			case c == '=':
				p.i++
				v, ok := p.value()
				if !ok {
					return unsupported("%s:%d: bad value", file, p.line)
				}
				value, hasValue = v, true
			default:
				return unsupported("%s:%d: bad config line", file, p.line)
			}
			key := string(name)
			if sec, _, _ := strings.Cut(section, "."); (sec == "include" || sec == "includeif") && key == "path" {
				return unsupported("%s:%d: includes another file", file, p.line)
			}
			if section != "" {
				key = section + "." + key // git 2.39 reads a key before any section as is
			}
			if err := set(file, key, value, hasValue); err != nil {
				return err
			}
		default:
			return unsupported("%s:%d: bad config line", file, p.line)
		}
	}
}

type cfgParser struct {
	b    []byte
	i    int
	line int
}

func (p *cfgParser) peek() (byte, bool) {
	if p.i >= len(p.b) {
		return 0, false
	}
	c := p.b[p.i]
	if c == '\r' && p.i+1 < len(p.b) && p.b[p.i+1] == '\n' {
		return '\n', true
	}
	return c, true
}

func (p *cfgParser) next() (byte, bool) {
	c, ok := p.peek()
	if !ok {
		return 0, false
	}
	if c == '\n' {
		p.line++
		if p.b[p.i] == '\r' {
			p.i++
		}
	}
	p.i++
	return c, true
}

func (p *cfgParser) skipSpace(newlines bool) {
	for {
		c, ok := p.peek()
		if !ok || !(c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
			return
		}
		p.next()
	}
}

func (p *cfgParser) skipLine() {
	for {
		c, ok := p.next()
		if !ok || c == '\n' {
			return
		}
	}
}

// section reads a header after its '[': "name]", "name "sub"]" or the
// old "name.sub]", returning name (lowercase) and subsection joined by '.'.
func (p *cfgParser) section() (string, bool) {
	var name []byte
	for {
		c, ok := p.next()
		if !ok || c == '\n' {
			return "", false
		}
		switch {
		case c == ']':
			return string(name), len(name) > 0
		case c == ' ' || c == '\t' || c == '\r':
			for {
				c, ok = p.next()
				if !ok || c == '\n' {
					return "", false
				}
				if c != ' ' && c != '\t' && c != '\r' {
					break
				}
			}
			if c != '"' {
				return "", false
			}
			var sub []byte
			for {
				c, ok := p.next()
				if !ok || c == '\n' {
					return "", false
				}
				if c == '"' {
					break
				}
				if c == '\\' {
					if c, ok = p.next(); !ok || c == '\n' {
						return "", false
					}
				}
				sub = append(sub, c)
			}
			if c, ok := p.next(); !ok || c != ']' {
				return "", false
			}
			return string(name) + "." + string(sub), true
		case isAlpha(c) || isDigit(c) || c == '-' || c == '.':
			name = append(name, lower(c))
		default:
			return "", false
		}
	}
}

// value reads a value after its '=', as git's parse_value: quotes, the
// escapes \\ \" \n \t \b and a line continuation, comments outside quotes,
// runs of spaces inside kept as single spaces each, and the ends trimmed.
func (p *cfgParser) value() (string, bool) {
	var v []byte
	quote := false
	spaces := 0
	for {
		c, ok := p.next()
		if !ok || c == '\n' {
			if quote {
				return "", false
			}
			return string(v), true
		}
		if !quote && (c == ';' || c == '#') {
			p.skipLine()
			return string(v), true
		}
		if !quote && (c == ' ' || c == '\t' || c == '\r') {
			if len(v) > 0 {
				spaces++
			}
			continue
		}
		for ; spaces > 0; spaces-- {
			v = append(v, ' ')
		}
		switch c {
		case '\\':
			c, ok = p.next()
			if !ok {
				// git reads the end of the file as a newline: a continuation.
				if quote {
					return "", false
				}
				return string(v), true
			}
			switch c {
			case '\n':
				continue
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'n':
				c = '\n'
			case '\\', '"':
			default:
				return "", false
			}
			v = append(v, c)
		case '"':
			quote = !quote
		default:
			v = append(v, c)
		}
	}
}

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
