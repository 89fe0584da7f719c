package source

import (
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/scanner"
)

// TestInstant: only a list that needs no git is listed before the scan's
// workers start.
func TestInstant(t *testing.T) {
	tests := []struct {
		src  scanner.Instant
		want bool
	}{
		{&Git{Named: []string{"a.php"}}, true},
		{&Git{Named: []string{"a.php"}, Pathspecs: []string{"app"}}, false},
		{&Git{Pathspecs: []string{"app"}}, false},
		{&Git{}, false}, // everything: git lists it
		{Paths{"app", "a.php"}, true},
		{Paths{}, true},
	}
	for _, tt := range tests {
		if got := tt.src.Instant(); got != tt.want {
			t.Errorf("%#v: Instant() = %v, want %v", tt.src, got, tt.want)
		}
	}
}
