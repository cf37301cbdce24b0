package gamma

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/vig-bot/vig"
)

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want vig.Micros
	}{
		{"0", 0},
		{"-0", 0},
		{"5", 5_000_000},
		{"5.0", 5_000_000},
		{"+5", 5_000_000},
		{"152340.55", 152_340_550_000},
		{"0.045", 45_000},
		{"-1.5", -1_500_000},
		{".5", 500_000},
		{"5.", 5_000_000},
		{"0.000001", 1},
		{"1e-6", 1},
		{"1.5e-3", 1_500},
		{"2.5E+3", 2_500_000_000},
		{"1E2", 100_000_000},
		{"0.00000000000000000001", 0},
		{"1e-100", 0},
		// half-even beyond 6 decimals
		{"0.0000005", 0},
		{"0.0000015", 2},
		{"0.0000025", 2},
		{"0.00000250001", 3},
		{"0.0000024999", 2},
		{"-0.0000015", -2},
		{"9931204.123456789", 9_931_204_123_457},
		{"0.1234565", 123_456},
		{"0.1234575", 123_458},
		{"1e-7", 0},
		{"5e-7", 0},
		{"6e-7", 1},
		{"1000000000000", 1_000_000_000_000_000_000},
		{"00012.5", 12_500_000},
	} {
		got, err := parseDecimal(tc.in)
		if err != nil {
			t.Errorf("parseDecimal(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("parseDecimal(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{
		"", "-", ".", "+", "e5", "1e", "1e+", "NaN", "nan", "Infinity", "-Infinity", "inf",
		"1.2.3", "1,5", "0x10", " 1", "1 ", "1e101", "1e-101", "1000000000000.000001",
		"1e13", "99999999999999999999", "-1e13", "1_000", "٣",
	} {
		if got, err := parseDecimal(bad); err == nil {
			t.Errorf("parseDecimal(%q) = %d, want an error", bad, got)
		}
	}
}

// The exact decimal parse agrees with ParseMicros where that applies.
func TestParseDecimalMatchesParseMicros(t *testing.T) {
	for _, s := range []string{"0.70", "10", "-1.5", "0.000001", "123456789012.999999", "0.5"} {
		want, err := vig.ParseMicros(s)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := parseDecimal(s); err != nil || got != want {
			t.Errorf("parseDecimal(%q) = %d, %v; ParseMicros says %d", s, got, err, want)
		}
	}
}

func TestLenientTypes(t *testing.T) {
	t.Run("micros", func(t *testing.T) {
		for _, tc := range []struct {
			in       string
			want     vig.Micros
			set, bad bool
		}{
			{`5`, 5_000_000, true, false},
			{`"5"`, 5_000_000, true, false},
			{`5.0`, 5_000_000, true, false},
			{`" 0.25 "`, 250_000, true, false},
			{`null`, 0, false, false},
			{`""`, 0, false, false},
			{`"NaN"`, 0, false, true},
			{`true`, 0, false, true},
			{`{}`, 0, false, true},
			{`[1]`, 0, false, true},
			{`1e400`, 0, false, true},
			{`"1\u0030"`, 10_000_000, true, false},
		} {
			var m jMicros
			if err := json.Unmarshal([]byte(tc.in), &m); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if m.v != tc.want || m.set != tc.set || m.bad != tc.bad {
				t.Errorf("%s: got %+v, want v=%d set=%v bad=%v", tc.in, m, tc.want, tc.set, tc.bad)
			}
		}
	})
	t.Run("bool", func(t *testing.T) {
		for _, tc := range []struct {
			in            string
			v, set, isBad bool
		}{
			{`true`, true, true, false}, {`"true"`, true, true, false}, {`1`, true, true, false}, {`"1"`, true, true, false},
			{`false`, false, true, false}, {`"false"`, false, true, false}, {`0`, false, true, false},
			{`null`, false, false, false}, {`"yes"`, false, false, true}, {`2`, false, false, true}, {`[]`, false, false, true},
		} {
			var b jBool
			if err := json.Unmarshal([]byte(tc.in), &b); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if b.v != tc.v || b.set != tc.set || b.bad != tc.isBad {
				t.Errorf("%s: got %+v", tc.in, b)
			}
		}
	})
	t.Run("time", func(t *testing.T) {
		for _, tc := range []struct {
			in   string
			want time.Time
			bad  bool
		}{
			{`"2026-08-16T01:40:00Z"`, time.Date(2026, 8, 16, 1, 40, 0, 0, time.UTC), false},
			{`"2026-08-16T03:40:00+02:00"`, time.Date(2026, 8, 16, 1, 40, 0, 0, time.UTC), false},
			{`"2026-08-16T01:40:00.5Z"`, time.Date(2026, 8, 16, 1, 40, 0, 5e8, time.UTC), false},
			{`"2026-08-16T01:40:00"`, time.Date(2026, 8, 16, 1, 40, 0, 0, time.UTC), false},
			{`"2024-11-06 00:00:00+00"`, time.Date(2024, 11, 6, 0, 0, 0, 0, time.UTC), false},
			{`"2024-11-06 02:00:00+02:00"`, time.Date(2024, 11, 6, 0, 0, 0, 0, time.UTC), false},
			{`"2024-11-06 00:00:00.123456+00"`, time.Date(2024, 11, 6, 0, 0, 0, 123456000, time.UTC), false},
			{`"2024-11-06 00:00:00"`, time.Date(2024, 11, 6, 0, 0, 0, 0, time.UTC), false},
			{`"2026-12-31"`, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), false},
			{`1730851200`, time.Date(2024, 11, 6, 0, 0, 0, 0, time.UTC), false},
			{`1730851200000`, time.Date(2024, 11, 6, 0, 0, 0, 0, time.UTC), false},
			{`"tomorrow"`, time.Time{}, true},
			{`"2026-13-01"`, time.Time{}, true},
			{`true`, time.Time{}, true},
			{`null`, time.Time{}, false},
			{`""`, time.Time{}, false},
		} {
			var x jTime
			if err := json.Unmarshal([]byte(tc.in), &x); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if !x.v.Equal(tc.want) || x.bad != tc.bad || !x.v.IsZero() && x.v.Location() != time.UTC {
				t.Errorf("%s: got %v bad=%v, want %v bad=%v", tc.in, x.v, x.bad, tc.want, tc.bad)
			}
		}
	})
	t.Run("strings", func(t *testing.T) {
		for _, tc := range []struct {
			in   string
			want []string
			bad  bool
		}{
			{`"[\"Yes\", \"No\"]"`, []string{"Yes", "No"}, false},
			{`["Yes","No"]`, []string{"Yes", "No"}, false},
			{`"[]"`, []string{}, false},
			{`[ ]`, []string{}, false},
			{`"[\"a\\\"b\", \"\\u00e9\\ud83d\\ude00\"]"`, []string{`a"b`, "é😀"}, false},
			{`[123, "456"]`, []string{"123", "456"}, false},
			{`""`, nil, false},
			{`null`, nil, false},
			{`"[\"Yes\", \"No\""`, nil, true},
			{`"[\"Yes\"] x"`, nil, true},
			{`"Yes,No"`, nil, true},
			{`[["a"]]`, nil, true},
			{`[null]`, nil, true},
			{`[true]`, nil, true},
			{`{"a":1}`, nil, true},
			{`5`, nil, true},
			{`"[\"a\",]"`, nil, true},
			{`"[1e5e5]"`, nil, true},
			{`"[01]"`, nil, true},
			{`"[-]"`, nil, true},
			{`"[12, 3.5e-2]"`, []string{"12", "3.5e-2"}, false},
			{"\"[\\\"a\xffb\\\"]\"", []string{"a\uFFFDb"}, false},
		} {
			var x jStrings
			if err := json.Unmarshal([]byte(tc.in), &x); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if !slices.Equal(x.v, tc.want) || x.bad != tc.bad || (x.v == nil) != (tc.want == nil) {
				t.Errorf("%s: got %q bad=%v, want %q bad=%v", tc.in, x.v, x.bad, tc.want, tc.bad)
			}
		}
	})
	t.Run("micros list", func(t *testing.T) {
		for _, tc := range []struct {
			in   string
			want []vig.Micros
			bad  bool
		}{
			{`"[\"0.045\", \"0.955\"]"`, []vig.Micros{45_000, 955_000}, false},
			{`[0.5, "0.5"]`, []vig.Micros{500_000, 500_000}, false},
			{`"[\"0\", \"0\"]"`, []vig.Micros{0, 0}, false},
			{`"[\"0.1\",\"0.2\",\"0.3\",\"0.1\",\"0.1\",\"0.1\",\"0.05\",\"0.03\",\"0.02\"]"`, []vig.Micros{1e5, 2e5, 3e5, 1e5, 1e5, 1e5, 5e4, 3e4, 2e4}, false},
			{`"[\"NaN\", \"0.5\"]"`, nil, true},
			{`"[\"\", \"0.5\"]"`, nil, true},
			{`"[0.5-]"`, nil, true},
		} {
			var x jMicrosList
			if err := json.Unmarshal([]byte(tc.in), &x); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if !slices.Equal(x.v, tc.want) || x.bad != tc.bad {
				t.Errorf("%s: got %v bad=%v, want %v bad=%v", tc.in, x.v, x.bad, tc.want, tc.bad)
			}
		}
	})
}
