package lsp

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/tenantatlas/nolegacyruns/pkg/fix"
	"github.com/tenantatlas/nolegacyruns/pkg/result"
	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// ReasonPlaceholder is the reason a suppression inserted by a code action
// gives, for the user to replace.
const ReasonPlaceholder = "TODO: say why"

// codeActions offers, for each reported finding in the range: its rule's
// fix, if it has one, and a suppression comment; and a fix of every
// fixable finding in the document.
func (s *server) codeActions(ctx context.Context, p *codeActionParams) []codeAction {
	out := []codeAction{}
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		return out
	}
	a := s.current(ctx, d)
	// Only the kinds asked for are made: a suppression is checked by a
	// search of the document, too dear to make and throw away (VS Code asks
	// for source.fixAll over the whole document on every save).
	wanted := func(kind string) bool {
		for _, k := range p.Context.Only {
			if kind == k || strings.HasPrefix(kind, k+".") {
				return true
			}
		}
		return len(p.Context.Only) == 0
	}
	quick := wanted(kindQuickFix)
	from, to := a.ix.offset(p.Range.Start, a.enc), a.ix.offset(p.Range.End, a.enc)
	if to < from {
		from, to = to, from
	}
	var all []item
	for _, it := range a.items {
		fixable := fix.Fixable(it.f)
		if fixable {
			all = append(all, it)
		}
		if it.start > to || it.end < from || !quick {
			continue
		}
		if fixable {
			repl, _ := fix.Replacement(it.f)
			out = append(out, codeAction{
				Title:       fmt.Sprintf("Replace %s with %s (%s)", strconv.Quote(it.f.Match), strconv.Quote(repl), it.f.Rule.ID),
				Kind:        kindQuickFix,
				Diagnostics: []diagnostic{it.diag},
				IsPreferred: true,
				Edit:        s.edit(d, []textEdit{{Range: it.diag.Range, NewText: repl}}),
			})
		}
		if it.f.Rule.ID == scanner.UnusedSuppression {
			if from, to, ok := removal(ctx, a, it); ok {
				out = append(out, codeAction{
					Title:       fmt.Sprintf("Remove the unused suppression of %s", it.f.Match),
					Kind:        kindQuickFix,
					Diagnostics: []diagnostic{it.diag},
					IsPreferred: true,
					Edit:        s.edit(d, []textEdit{{Range: lspRange{a.ix.position(from, a.enc), a.ix.position(to, a.enc)}}}),
				})
			}
		}
		if !scanner.Reserved(it.f.Rule.ID) {
			if e, ok := suppression(ctx, d, a, it); ok {
				out = append(out, codeAction{
					Title:       fmt.Sprintf("Suppress %s on this line", it.f.Rule.ID),
					Kind:        kindQuickFix,
					Diagnostics: []diagnostic{it.diag},
					Edit:        s.edit(d, []textEdit{e}),
				})
			}
		}
	}
	if len(all) > 0 && wanted(kindFixAll) {
		var edits []textEdit
		at := -1
		for _, it := range all {
			if it.start < at {
				continue // overlaps the previous fix (two rules on one token)
			}
			repl, _ := fix.Replacement(it.f)
			edits = append(edits, textEdit{Range: it.diag.Range, NewText: repl})
			at = it.end
		}
		out = append(out, codeAction{
			Title: "Fix all nolegacyruns findings with a fix in this file",
			Kind:  kindFixAll,
			Edit:  s.edit(d, edits),
		})
	}
	return out
}

// edit is a workspace edit of one document, versioned when the client
// takes versioned edits, so that it refuses one made for an older text.
func (s *server) edit(d *document, edits []textEdit) *workspaceEdit {
	if s.docChanges {
		v := d.version
		return &workspaceEdit{DocumentChanges: []textDocumentEdit{{
			TextDocument: versionedTextDocumentIdentifier{URI: d.uri, Version: &v}, Edits: edits}}}
	}
	return &workspaceEdit{Changes: map[string][]textEdit{d.uri: edits}}
}

// commentStyle is how a line comment is written in a language: the opener
// and, for block comments, the closer. Only openers the engine recognises
// in front of a directive are used.
func commentStyle(lang, file string) (open, close string, ok bool) {
	base := strings.ToLower(path.Base(strings.ReplaceAll(file, `\`, "/")))
	switch {
	case strings.HasSuffix(base, ".blade.php") || lang == "blade":
		return "{{--", " --}}", true
	}
	switch lang {
	case "html", "xml", "markdown", "svg", "xsl":
		return "<!--", " -->", true
	case "twig", "jinja", "jinja2", "nunjucks", "django-html", "htmldjango":
		return "{#", " #}", true
	case "erb", "eruby", "ejs":
		return "<%#", " %>", true
	case "css":
		return "/*", " */", true
	case "sql", "mysql", "pgsql", "plsql", "lua", "haskell", "elm", "ada":
		return "--", "", true
	case "yaml", "python", "shellscript", "sh", "bash", "zsh", "fish", "ruby", "perl", "toml",
		"dockerfile", "makefile", "make", "r", "ini", "properties", "conf", "dotenv", "gitignore",
		"ignore", "cmake", "nix", "elixir", "powershell", "ps1", "tcl", "coffeescript", "graphql", "terraform", "hcl":
		return "#", "", true
	case "json":
		return "", "", false // JSON has no comments
	}
	switch path.Ext(base) {
	case ".html", ".htm", ".xml", ".md", ".svg", ".xsl":
		return "<!--", " -->", true
	case ".twig", ".j2", ".jinja", ".njk":
		return "{#", " #}", true
	case ".erb", ".ejs":
		return "<%#", " %>", true
	case ".css":
		return "/*", " */", true
	case ".sql", ".lua", ".hs", ".elm":
		return "--", "", true
	case ".yaml", ".yml", ".py", ".sh", ".bash", ".zsh", ".rb", ".pl", ".toml", ".ini", ".env", ".conf",
		".properties", ".r", ".tf", ".nix", ".ex", ".exs", ".ps1", ".graphql", ".cmake":
		return "#", "", true
	case ".json":
		return "", "", false
	}
	switch base {
	case "dockerfile", "makefile", ".gitignore", ".gitattributes", ".env", ".editorconfig":
		return "#", "", true
	}
	return "//", "", true
}

// markup reports whether a document mixes code with HTML markup, so that a
// line that starts with a tag is markup.
func markup(lang, file string) bool {
	switch lang {
	case "php", "vue", "svelte":
		return true
	}
	switch path.Ext(strings.ToLower(file)) {
	case ".php", ".phtml", ".vue", ".svelte":
		return true
	}
	return false
}

// suppression is the edit that silences a finding's rule on its line: the
// rule added to a directive alone on the line above, or a new such line
// with the line's indentation, with a reason placeholder.
//
// Each candidate is checked by searching the edited text: it is offered
// only if it silences the finding without a new one (a comment inside a
// string, or in a syntax the engine reads differently, is not).
func suppression(ctx context.Context, d *document, a *analysis, it item) (textEdit, bool) {
	open, close, ok := commentStyle(d.lang, d.path)
	if !ok {
		return textEdit{}, false
	}
	text := d.text
	nl := newlineStarts(text)
	line := it.f.Line - 1
	if line >= len(nl) {
		return textEdit{}, false
	}
	start := nl[line]
	end := len(text)
	if line+1 < len(nl) {
		end = nl[line+1]
	}
	body := text[start:end]
	eol := "\n"
	if strings.HasSuffix(string(body), "\r\n") {
		eol = "\r\n"
	}
	indent := body[:len(body)-len(strings.TrimLeft(string(body), " \t"))]
	if t := body[len(indent):]; open == "//" && len(t) > 0 && t[0] == '<' && !strings.HasPrefix(string(t), "<?") && markup(d.lang, d.path) {
		// Markup in a PHP or Vue file: a // comment there would be page text.
		open, close = "<!--", " -->"
	}
	if line > 0 {
		// A directive alone on the line above covers this line: add the rule to it.
		prev := string(text[nl[line-1] : start-1])
		if at, ok := ruleListEnd(strings.TrimRight(prev, "\r"), open, close, it.f.Rule.ID); ok {
			if add := ", " + it.f.Rule.ID; silences(ctx, a, nl[line-1]+at, add) {
				pos := a.ix.position(nl[line-1]+at, a.enc)
				return textEdit{Range: lspRange{pos, pos}, NewText: add}, true
			}
		}
	}
	add := fmt.Sprintf("%s%s %s %s -- %s%s%s", indent, open, scanner.Directive, it.f.Rule.ID, ReasonPlaceholder, close, eol)
	if !silences(ctx, a, start, add) {
		return textEdit{}, false
	}
	pos := a.ix.position(start, a.enc)
	return textEdit{Range: lspRange{pos, pos}, NewText: add}, true
}

// silences reports whether inserting s at off leaves fewer reported
// findings and no new finding about suppressions.
func silences(ctx context.Context, a *analysis, off int, s string) bool {
	if a.set == nil {
		return false
	}
	edited := make([]byte, 0, len(a.text)+len(s))
	edited = append(append(append(edited, a.text[:off]...), s...), a.text[off:]...)
	after, err := search(ctx, a.set, a.rel, edited)
	if err != nil || len(after) >= len(a.items) {
		return false
	}
	return builtins(after) <= builtins(a.findings())
}

func builtins(fs []*result.Finding) int {
	n := 0
	for _, f := range fs {
		if scanner.Reserved(f.Rule.ID) {
			n++
		}
	}
	return n
}

// ruleListEnd returns where the rule list of a line's directive ends, when
// the line is nothing but one such comment in the given style and its list
// does not name rule already (then it is not alone, and a line of its own
// is needed).
func ruleListEnd(line, open, close, rule string) (int, bool) {
	t := strings.TrimLeft(line, " \t")
	lead := len(line) - len(t)
	if !strings.HasPrefix(t, open) || strings.TrimSpace(t[len(open):]) == "" {
		return 0, false
	}
	if close != "" && (!strings.HasSuffix(strings.TrimRight(t, " \t"), strings.TrimSpace(close)) ||
		strings.Count(t, strings.TrimSpace(close)) != 1) {
		return 0, false
	}
	rest := t[len(open):]
	ws := len(rest) - len(strings.TrimLeft(rest, " \t"))
	rest = rest[ws:]
	if !strings.HasPrefix(rest, scanner.Directive+" ") && !strings.HasPrefix(rest, scanner.Directive+"\t") {
		return 0, false
	}
	at := lead + len(open) + ws + len(scanner.Directive)
	s := line[at:]
	i := len(s) - len(strings.TrimLeft(s, " \t"))
	end := -1
	for {
		j := i
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9' || s[j] == '-' && j > i) {
			j++
		}
		if j == i {
			break
		}
		if s[i:j] == rule {
			return 0, false
		}
		end = j
		k := j
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		if k >= len(s) || s[k] != ',' {
			break
		}
		k++
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		i = k
	}
	if end < 0 {
		return 0, false
	}
	return at + end, true
}
