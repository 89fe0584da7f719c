package scanner

import (
	"reflect"
	"testing"

	"github.com/tenantatlas/nolegacyruns/pkg/rules"
)

// TestSuppressionUntil: a directive with until= suppresses through that day
// (UTC) and not after it, when it is itself an invalid-suppression;
// require_until demands the date; a sealed rule cannot be suppressed.
func TestSuppressionUntil(t *testing.T) {
	set := func(today string, requireUntil bool, sealed bool) *rules.Set {
		rs := *suppressRules
		rs.Rules = append([]rules.Rule(nil), suppressRules.Rules...)
		rs.Today, rs.RequireUntil = today, requireUntil
		rs.Rules[2].Sealed = sealed
		return &rs
	}
	const line = "InventorySyncRun(); // nolegacyruns:ignore sym until=2026-03-31 -- cut-over\n"
	tests := []struct {
		name, text string
		rs         *rules.Set
		want       []string
	}{
		{"before the date", line, set("2026-03-30", false, false), []string{"1:1 sym InventorySyncRun (suppressed)"}},
		{"on the date", line, set("2026-03-31", false, false), []string{"1:1 sym InventorySyncRun (suppressed)"}},
		{"the day after: expired, the finding counts", line, set("2026-04-01", false, false),
			[]string{"1:1 sym InventorySyncRun", "1:24 invalid-suppression nolegacyruns:ignore sym until=2026-03-31 -- cut-over"}},
		{"no clock: never expires", line, set("", false, false), []string{"1:1 sym InventorySyncRun (suppressed)"}},
		{"an alone directive, expired, does not reach the next line",
			"// nolegacyruns:ignore sym until=2020-01-01 -- x\nInventorySyncRun;\n", set("2026-01-01", false, false),
			[]string{"1:4 invalid-suppression nolegacyruns:ignore sym until=2020-01-01 -- x", "2:1 sym InventorySyncRun"}},
		{"not a date", "InventorySyncRun; // nolegacyruns:ignore sym until=2026-02-30 -- x\n", set("2026-01-01", false, false),
			[]string{"1:1 sym InventorySyncRun", "1:22 invalid-suppression nolegacyruns:ignore sym until=2026-02-30 -- x"}},
		// A date it cannot read never makes a suppression endless.
		{"Until= in capitals", "InventorySyncRun; // nolegacyruns:ignore sym Until=2020-01-01 -- x\n", set("2026-01-01", false, false),
			[]string{"1:1 sym InventorySyncRun", "1:22 invalid-suppression nolegacyruns:ignore sym Until=2020-01-01 -- x"}},
		{"until: for until=", "InventorySyncRun; // nolegacyruns:ignore sym until:2020-01-01 -- x\n", set("2026-01-01", false, false),
			[]string{"1:1 sym InventorySyncRun", "1:22 invalid-suppression nolegacyruns:ignore sym until:2020-01-01 -- x"}},
		{"another option", "InventorySyncRun; // nolegacyruns:ignore sym expires=2020-01-01 -- x\n", set("2026-01-01", false, false),
			[]string{"1:1 sym InventorySyncRun", "1:22 invalid-suppression nolegacyruns:ignore sym expires=2020-01-01 -- x"}},
		{"until= in the reason", "InventorySyncRun; // nolegacyruns:ignore sym -- x until=2020-01-01\n", set("2026-01-01", false, false),
			[]string{"1:1 sym InventorySyncRun", "1:22 invalid-suppression nolegacyruns:ignore sym -- x until=2020-01-01"}},
		{"a reason with words like options", "InventorySyncRun; // nolegacyruns:ignore sym -- untill a=b is gone, blocked until: the migration\n", set("2026-01-01", false, false),
			[]string{"1:1 sym InventorySyncRun (suppressed)"}},
		{"a reason that says until", "InventorySyncRun; // nolegacyruns:ignore sym until=2026-03-31 -- until the cut-over\n", set("2026-01-01", false, false),
			[]string{"1:1 sym InventorySyncRun (suppressed)"}},
		{"require_until without a date", "InventorySyncRun; // nolegacyruns:ignore sym -- x\n", set("2026-01-01", true, false),
			[]string{"1:1 sym InventorySyncRun (suppressed)", "1:22 invalid-suppression nolegacyruns:ignore sym -- x"}},
		{"require_until with a date", line, set("2026-01-01", true, false), []string{"1:1 sym InventorySyncRun (suppressed)"}},
		{"a sealed rule is not suppressed", "OtherRun; // nolegacyruns:ignore other -- x\n", set("", false, true),
			[]string{"1:1 other OtherRun", "1:14 invalid-suppression other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustCompile(t, tt.rs)
			if got := settle(e, tt.text, 64<<10); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\ngot  %q\nwant %q", got, tt.want)
			}
		})
	}
}
