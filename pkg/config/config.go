// Package config loads rule files into validated scanner rule sets, with errors that name file, line and column.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tenantatlas/nolegacyruns/internal/fileio"
	"github.com/tenantatlas/nolegacyruns/internal/yaml"
	"github.com/tenantatlas/nolegacyruns/pkg/rules"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
	"github.com/tenantatlas/nolegacyruns/pkg/term"
)

// MaxSize is the largest rule file accepted: big enough for 100,000 tokens,
// small enough that a stray multi-gigabyte file is refused before it is read.
const MaxSize = 32 << 20

// FileName is the rule file looked for from the current folder upwards;
// AltFileName is found too.
const (
	FileName    = ".nolegacyruns.yaml"
	AltFileName = ".nolegacyruns.yml"
)

// Config is a loaded rule file.
type Config struct {
	Path          string // as given; "(default)" for the embedded rules
	Rules         rules.Set
	Baseline      string // baseline file named by the config, if any
	RequireReason bool   // suppressions must give a reason
	RequireUntil  bool   // suppressions must give an end date
}

// Error is a problem at a place in a rule file.
type Error struct {
	File      string
	Line, Col int
	Rule      string // rule id, if the problem is inside a rule
	Msg       string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads and parses a rule file.
func Load(name string) (*Config, error) {
	data, err := fileio.ReadLimited(name, MaxSize)
	if errors.Is(err, fileio.ErrTooLarge) {
		return nil, &Error{File: name, Msg: fmt.Sprintf("file is larger than %d MiB", MaxSize>>20)}
	}
	if err != nil {
		return nil, err
	}
	return Parse(name, data)
}

// validID reports whether id is a rule id: lower-case letters, digits and
// hyphens, not starting with a hyphen (what ^[a-z0-9][a-z0-9-]*$ matches;
// a loop, so that no regexp is compiled at start-up).
func validID(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' && i > 0) {
			return false
		}
	}
	return id != ""
}

// validURL reports whether u is an absolute http or https address with a
// host and no whitespace or control characters.
func validURL(u string) bool {
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(u, "http://")
	}
	if !ok || rest == "" || rest[0] == '/' {
		return false
	}
	for _, c := range u {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

type parser struct {
	file string
	rule string
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) error {
	e := &Error{File: p.file, Rule: p.rule, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	return e
}

// Parse parses a rule file's contents; name is used in errors.
func Parse(name string, data []byte) (*Config, error) {
	p := &parser{file: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, p.errf(nil, "file is empty; it needs at least a rules: list")
		}
		return nil, p.yamlErr(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, p.errf(&extra, "more than one YAML document")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if err := noAliases(p, root); err != nil {
		return nil, err
	}
	c := &Config{Path: name}
	rs := &c.Rules
	rs.Include = []string{"**"}
	var rulesNode *yaml.Node
	err := p.mapping(root, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "version":
			var n int
			if err = p.decode(v, &n, "an integer"); err == nil && n != 1 {
				err = p.errf(v, "version %d is not supported; use version: 1", n)
			}
		case "include":
			rs.Include, err = p.globs(v, false)
		case "exclude":
			rs.Exclude, err = p.globs(v, true)
		case "baseline":
			err = p.decode(v, &c.Baseline, "a file name")
		case "require_reason":
			err = p.decode(v, &c.RequireReason, "true or false")
		case "require_until":
			err = p.decode(v, &c.RequireUntil, "true or false")
		case "rules":
			rulesNode = v
		default:
			err = p.errf(k, "unknown key %q (known: version, include, exclude, rules, baseline, require_reason, require_until)", key)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if rulesNode == nil {
		return nil, p.errf(root, "no rules: list")
	}
	if rulesNode.Kind != yaml.SequenceNode {
		return nil, p.errf(rulesNode, "rules must be a list")
	}
	if len(rulesNode.Content) == 0 {
		return nil, p.errf(rulesNode, "rules is empty; add at least one rule")
	}
	ids := map[string]*yaml.Node{}
	for _, rn := range rulesNode.Content {
		r, err := p.parseRule(rn)
		if err != nil {
			return nil, err
		}
		if prev, dup := ids[r.ID]; dup {
			p.rule = r.ID
			return nil, p.errf(rn, "duplicate rule id (first defined at line %d)", prev.Line)
		}
		ids[r.ID] = rn
		rs.Rules = append(rs.Rules, r)
	}
	p.rule = ""
	rs.RequireReason = c.RequireReason
	rs.RequireUntil = c.RequireUntil
	if err := scanner.Validate(rs); err != nil {
		// Everything Validate checks was checked above with a position.
		return nil, p.errf(root, "%v", err)
	}
	return c, nil
}

func (p *parser) yamlErr(err error) error {
	// yaml.v3 says "yaml: line N: msg"; keep our file:line form.
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		return &Error{File: p.file, Line: line, Col: 1, Msg: "invalid YAML: " + msg}
	}
	return &Error{File: p.file, Msg: "invalid YAML: " + msg}
}

func noAliases(p *parser, n *yaml.Node) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return p.errf(n, "YAML anchors and aliases are not supported in rule files")
	}
	for _, c := range n.Content {
		if err := noAliases(p, c); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) mapping(n *yaml.Node, fn func(key string, k, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n, "expected a mapping of keys, found %s", kind(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return p.errf(k, "keys must be plain names")
		}
		if seen[k.Value] {
			return p.errf(k, "key %q given twice", k.Value)
		}
		seen[k.Value] = true
		if err := fn(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func (p *parser) decode(n *yaml.Node, dst any, want string) error {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return p.errf(n, "expected %s, found %s", want, kind(n))
	}
	if err := n.Decode(dst); err != nil {
		return p.errf(n, "expected %s, found %q", want, n.Value)
	}
	return nil
}

func (p *parser) str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
			// Numbers and booleans are fine as text: 404, true.
			return n.Value, nil
		}
		return "", p.errf(n, "%s must be text, found %s", what, kind(n))
	}
	return n.Value, nil
}

func (p *parser) strings(n *yaml.Node, what string) ([]string, []*yaml.Node, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, nil, p.errf(n, "%s must be a list, found %s", what, kind(n))
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		s, err := p.str(c, "each entry of "+what)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, s)
	}
	return out, n.Content, nil
}

func (p *parser) globs(n *yaml.Node, allowEmpty bool) ([]string, error) {
	gs, nodes, err := p.strings(n, "a glob list")
	if err != nil {
		return nil, err
	}
	if len(gs) == 0 && !allowEmpty {
		return nil, p.errf(n, "include is empty, so nothing would be scanned; remove it to scan everything")
	}
	for i, g := range gs {
		if err := scanner.CheckGlob(g); err != nil {
			return nil, p.errf(nodes[i], "%v", err)
		}
	}
	return gs, nil
}

func (p *parser) parseRule(n *yaml.Node) (rules.Rule, error) {
	r := rules.Rule{}
	p.rule = ""
	if n.Kind == yaml.MappingNode {
		// Name the rule in every error about it, even one before its id.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "id" && n.Content[i+1].Kind == yaml.ScalarNode {
				p.rule = n.Content[i+1].Value
			}
		}
	}
	var tokNodes []*yaml.Node
	var fixNode, csNode *yaml.Node
	haveID, haveMsg, haveTokens := false, false, false
	caseSensitive := true
	err := p.mapping(n, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "id":
			haveID = true
			if r.ID, err = p.str(v, "id"); err == nil && !validID(r.ID) {
				err = p.errf(v, "id %q must be lowercase letters, digits and dashes, starting with a letter or digit", r.ID)
			} else if err == nil && scanner.Reserved(r.ID) {
				err = p.errf(v, "id %q is reserved for a built-in rule", r.ID)
			}
		case "message":
			haveMsg = true
			if r.Message, err = p.str(v, "message"); err == nil && strings.TrimSpace(r.Message) == "" {
				err = p.errf(v, "message is empty; say what replaced the forbidden code")
			}
		case "hint":
			r.Hint, err = p.str(v, "hint")
		case "url":
			if r.URL, err = p.str(v, "url"); err == nil && !validURL(r.URL) {
				err = p.errf(v, "url %q must be an http:// or https:// address without spaces", r.URL)
			}
		case "severity":
			var s string
			if s, err = p.str(v, "severity"); err == nil {
				switch s {
				case "error":
					r.Severity = rules.SeverityError
				case "warning":
					r.Severity = rules.SeverityWarning
				default:
					err = p.errf(v, "severity %q is not error or warning", s)
				}
			}
		case "match":
			var s string
			if s, err = p.str(v, "match"); err == nil {
				switch s {
				case "substring":
					r.Match = rules.Substring
				case "word":
					r.Match = rules.Word
				case "regex":
					r.Match = rules.Regex
				case "term":
					r.Match = rules.Term
				default:
					err = p.errf(v, "match %q is not substring, word, regex or term", s)
				}
			}
		case "case_sensitive":
			csNode = k
			err = p.decode(v, &caseSensitive, "true or false")
		case "tokens":
			haveTokens = true
			r.Tokens, tokNodes, err = p.strings(v, "tokens")
			if err == nil && len(r.Tokens) == 0 {
				err = p.errf(v, "tokens is empty; list at least one forbidden token")
			}
		case "include":
			r.Include, err = p.globs(v, false)
		case "exclude":
			r.Exclude, err = p.globs(v, true)
		case "fix":
			fixNode = v
		case "allow":
			var nodes []*yaml.Node
			if r.Allow, nodes, err = p.strings(v, "allow"); err == nil {
				for i, a := range r.Allow {
					if e := scanner.CheckAllow(a); e != nil {
						return p.errf(nodes[i], "%v", e)
					}
				}
			}
		case "examples":
			err = p.parseExamples(v, &r.Examples)
		case "sealed":
			err = p.decode(v, &r.Sealed, "true or false")
		default:
			err = p.errf(k, "unknown key %q (known: id, message, hint, url, severity, match, case_sensitive, tokens, allow, include, exclude, fix, examples, sealed)", key)
		}
		return err
	})
	if err != nil {
		return r, err
	}
	switch {
	case !haveID:
		return r, p.errf(n, "rule has no id")
	case !haveMsg:
		return r, p.errf(n, "rule has no message; say what replaced the forbidden code")
	case !haveTokens:
		return r, p.errf(n, "rule has no tokens")
	}
	r.IgnoreCase = !caseSensitive
	if r.Match == rules.Term && csNode != nil {
		return r, p.errf(csNode, "case_sensitive does not apply to match: term, whose words always compare without case; remove it")
	}
	seen := map[string]int{}
	for i, t := range r.Tokens {
		if err := scanner.CheckRuleToken(&r, t); err != nil {
			return r, p.errf(tokNodes[i], "%v", err)
		}
		if r.Match == rules.Term {
			for j := range i {
				if term.Same(r.Tokens[j], t) {
					return r, p.errf(tokNodes[i], "term %q is the same term as %q (line %d): a term covers every spelling and both numbers", t, r.Tokens[j], tokNodes[j].Line)
				}
			}
			seen[t] = i
			continue
		}
		key := t
		if r.IgnoreCase && r.Match != rules.Regex {
			// Not for expressions: \w and \W differ.
			key = strings.ToLower(t)
		}
		if j, dup := seen[key]; dup {
			return r, p.errf(tokNodes[i], "token %q is listed twice (also at line %d)", t, tokNodes[j].Line)
		}
		seen[key] = i
	}
	if fixNode != nil && r.Match == rules.Regex {
		return r, p.errf(fixNode, "%s", scanner.ErrRegexFix)
	}
	if fixNode != nil {
		if err := p.parseFix(fixNode, &r, seen); err != nil {
			return r, err
		}
	}
	return r, nil
}

// parseExamples reads examples: {bad: [...], good: [...]}.
func (p *parser) parseExamples(n *yaml.Node, ex *rules.Examples) error {
	return p.mapping(n, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "bad":
			ex.Bad, _, err = p.strings(v, "examples.bad")
		case "good":
			ex.Good, _, err = p.strings(v, "examples.good")
		default:
			err = p.errf(k, "unknown key %q in examples (known: bad, good)", key)
		}
		return err
	})
}

func (p *parser) parseFix(n *yaml.Node, r *rules.Rule, tokens map[string]int) error {
	r.Fix = map[string]string{}
	if r.Match == rules.Term {
		return p.parseTermFix(n, r, tokens)
	}
	return p.mapping(n, func(key string, k, v *yaml.Node) error {
		lookup := key
		if r.IgnoreCase {
			lookup = strings.ToLower(key)
		}
		if _, ok := tokens[lookup]; !ok {
			return p.errf(k, "fix names %q, which is not one of the rule's tokens", key)
		}
		s, err := p.str(v, "a replacement")
		if err != nil {
			return err
		}
		if strings.ContainsAny(s, "\n\r") {
			return p.errf(v, "the replacement %q contains a line break", s)
		}
		for _, t := range r.Tokens {
			if strings.Contains(s, t) || (r.IgnoreCase && strings.Contains(strings.ToLower(s), strings.ToLower(t))) {
				return p.errf(v, "the replacement %q still contains the token %q, so --fix would never finish", s, t)
			}
		}
		r.Fix[key] = s
		return nil
	})
}

// parseTermFix reads the fixes of a term rule: each key is one of its terms
// (in any spelling), each value a term that --fix writes in the
// convention of the match.
func (p *parser) parseTermFix(n *yaml.Node, r *rules.Rule, tokens map[string]int) error {
	var check *scanner.TermChecker // built once, on the first fix
	return p.mapping(n, func(key string, k, v *yaml.Node) error {
		tok := ""
		for _, t := range r.Tokens {
			if term.Same(t, key) {
				tok = t
			}
		}
		if tok == "" {
			return p.errf(k, "fix names %q, which is not one of the rule's terms", key)
		}
		if _, dup := r.Fix[tok]; dup {
			return p.errf(k, "fix names the term %q twice", tok)
		}
		s, err := p.str(v, "a replacement")
		if err != nil {
			return err
		}
		if len(term.Words(s)) == 0 {
			return p.errf(v, "the replacement %q has no letter or digit; a term rule's fix is a term", s)
		}
		if check == nil {
			check = scanner.NewTermChecker(r.Tokens)
		}
		if t, ok := check.In(s); ok {
			return p.errf(v, "the replacement %q still contains the term %q in some convention, so --fix would never finish", s, t)
		}
		r.Fix[tok] = s
		return nil
	})
}

// Describe renders a rule set in the rule file's own syntax, for --list-rules.
func Describe(rs *rules.Set) string {
	var b strings.Builder
	fmt.Fprintf(&b, "include: %s\nexclude: %s\nrules:\n", flow(rs.Include), flow(rs.Exclude))
	for _, r := range rs.Rules {
		fmt.Fprintf(&b, "  - id: %s\n    message: %s\n", r.ID, quote(r.Message))
		if r.Hint != "" {
			fmt.Fprintf(&b, "    hint: %s\n", quote(r.Hint))
		}
		if r.URL != "" {
			fmt.Fprintf(&b, "    url: %s\n", quote(r.URL))
		}
		fmt.Fprintf(&b, "    severity: %s\n    match: %s\n", r.Severity, r.Match)
		if r.Match != rules.Term {
			fmt.Fprintf(&b, "    case_sensitive: %t\n", !r.IgnoreCase)
		}
		fmt.Fprintf(&b, "    tokens: %s\n", flow(r.Tokens))
		if len(r.Allow) > 0 {
			fmt.Fprintf(&b, "    allow: %s\n", flow(r.Allow))
		}
		if len(r.Include) > 0 {
			fmt.Fprintf(&b, "    include: %s\n", flow(r.Include))
		}
		if len(r.Exclude) > 0 {
			fmt.Fprintf(&b, "    exclude: %s\n", flow(r.Exclude))
		}
		if r.Sealed {
			b.WriteString("    sealed: true\n")
		}
		if len(r.Fix) > 0 {
			keys := make([]string, 0, len(r.Fix))
			for k := range r.Fix {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			b.WriteString("    fix:\n")
			for _, k := range keys {
				fmt.Fprintf(&b, "      %s: %s\n", quote(k), quote(r.Fix[k]))
			}
		}
	}
	return b.String()
}

func flow(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// quote writes s as a YAML scalar, quoted only when it has to be.
func quote(s string) string {
	var n yaml.Node
	n.SetString(s)
	out, err := yaml.Marshal(&n)
	if err != nil {
		return fmt.Sprintf("%q", s)
	}
	o := strings.TrimSuffix(string(out), "\n")
	if strings.Contains(o, "\n") || strings.ContainsAny(s, ",[]{}") {
		return fmt.Sprintf("%q", s)
	}
	return o
}
