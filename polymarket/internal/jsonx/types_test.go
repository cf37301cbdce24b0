package jsonx_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket/internal/jsonx"
)

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
			var m jsonx.Micros
			if err := json.Unmarshal([]byte(tc.in), &m); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if m.V != tc.want || m.Set != tc.set || m.Bad != tc.bad {
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
			var b jsonx.Bool
			if err := json.Unmarshal([]byte(tc.in), &b); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if b.V != tc.v || b.Set != tc.set || b.Bad != tc.isBad {
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
			var x jsonx.Time
			if err := json.Unmarshal([]byte(tc.in), &x); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if !x.V.Equal(tc.want) || x.Bad != tc.bad || !x.V.IsZero() && x.V.Location() != time.UTC {
				t.Errorf("%s: got %v bad=%v, want %v bad=%v", tc.in, x.V, x.Bad, tc.want, tc.bad)
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
			var x jsonx.Strings
			if err := json.Unmarshal([]byte(tc.in), &x); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if !slices.Equal(x.V, tc.want) || x.Bad != tc.bad || (x.V == nil) != (tc.want == nil) {
				t.Errorf("%s: got %q bad=%v, want %q bad=%v", tc.in, x.V, x.Bad, tc.want, tc.bad)
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
			var x jsonx.MicrosList
			if err := json.Unmarshal([]byte(tc.in), &x); err != nil {
				t.Fatalf("%s: %v", tc.in, err)
			}
			if !slices.Equal(x.V, tc.want) || x.Bad != tc.bad {
				t.Errorf("%s: got %v bad=%v, want %v bad=%v", tc.in, x.V, x.Bad, tc.want, tc.bad)
			}
		}
	})
}

func TestInt(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want     int64
		set, bad bool
	}{
		{`0`, 0, true, false}, {`"1"`, 1, true, false}, {`999`, 999, true, false}, {`1.0`, 1, true, false},
		{`1.5`, 0, false, true}, {`null`, 0, false, false}, {`"x"`, 0, false, true}, {`true`, 0, false, true},
	} {
		var x jsonx.Int
		if err := json.Unmarshal([]byte(tc.in), &x); err != nil {
			t.Fatal(err)
		}
		if x.V != tc.want || x.Set != tc.set || x.Bad != tc.bad {
			t.Errorf("%s: got %+v", tc.in, x)
		}
	}
}
