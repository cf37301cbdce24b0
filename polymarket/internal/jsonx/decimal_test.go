package jsonx_test

import (
	"errors"
	"testing"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket/internal/jsonx"
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
		// Data API amounts
		{"684953.8942", 684_953_894_200},
		{"-14.25", -14_250_000},
		{"999.94426896", 999_944_269},
		{"523.43213104", 523_432_131},
	} {
		got, err := jsonx.ParseDecimal(tc.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseDecimal(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{
		"", "-", ".", "+", "e5", "1e", "1e+", "NaN", "nan", "Infinity", "-Infinity", "inf",
		"1.2.3", "1,5", "0x10", " 1", "1 ", "1e101", "1e-101", "1000000000000.000001",
		"1e13", "99999999999999999999", "-1e13", "1_000", "٣", "0x1",
	} {
		if got, err := jsonx.ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) = %d, want an error", bad, got)
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
		if got, err := jsonx.ParseDecimal(s); err != nil || got != want {
			t.Errorf("ParseDecimal(%q) = %d, %v; ParseMicros says %d", s, got, err, want)
		}
	}
}

// ParseDecimal's errors are the kinds its doc comment names.
func TestParseDecimalErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", jsonx.ErrNotDecimal}, {"NaN", jsonx.ErrNotDecimal}, {" 1", jsonx.ErrNotDecimal}, {"1e", jsonx.ErrNotDecimal},
		{"1e101", jsonx.ErrRange}, {"1e-101", jsonx.ErrRange}, {"1e13", jsonx.ErrRange}, {"-1000000000000.000001", jsonx.ErrRange},
	} {
		if _, err := jsonx.ParseDecimal(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("ParseDecimal(%q): %v, want %v", tc.in, err, tc.want)
		}
	}
}
