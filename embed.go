// Package nolegacyruns holds the embedded default rule set; the guard itself is in cmd/nolegacyruns and pkg/.
package nolegacyruns

import _ "embed"

//go:embed rules.yaml
var defaultRules string

// DefaultRules returns the embedded rules.yaml.
func DefaultRules() []byte { return []byte(defaultRules) }
