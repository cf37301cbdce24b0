package data

import (
	"encoding/json"
	"testing"

	"github.com/vig-bot/vig"
)

// The copy of gamma's decimal parser behaves the same (see
// polymarket/gamma/lenient_test.go for the full table).
func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want vig.Micros
	}{
		{"0", 0}, {"684953.8942", 684_953_894_200}, {"-14.25", -14_250_000}, {"1e-6", 1},
		{"0.0000005", 0}, {"0.0000015", 2}, {"999.94426896", 999_944_269}, {"523.43213104", 523_432_131},
		{"1000000000000", 1_000_000_000_000_000_000},
	} {
		if got, err := parseDecimal(tc.in); err != nil || got != tc.want {
			t.Errorf("parseDecimal(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "NaN", "Infinity", "1e101", "1e13", "1,5", "0x1"} {
		if _, err := parseDecimal(bad); err == nil {
			t.Errorf("parseDecimal(%q): no error", bad)
		}
	}
}

func TestJInt(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want     int64
		set, bad bool
	}{
		{`0`, 0, true, false}, {`"1"`, 1, true, false}, {`999`, 999, true, false}, {`1.0`, 1, true, false},
		{`1.5`, 0, false, true}, {`null`, 0, false, false}, {`"x"`, 0, false, true}, {`true`, 0, false, true},
	} {
		var x jInt
		if err := json.Unmarshal([]byte(tc.in), &x); err != nil {
			t.Fatal(err)
		}
		if x.v != tc.want || x.set != tc.set || x.bad != tc.bad {
			t.Errorf("%s: got %+v", tc.in, x)
		}
	}
}
