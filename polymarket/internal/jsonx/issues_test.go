package jsonx_test

import (
	"slices"
	"testing"
	"time"

	"github.com/vig-bot/vig/polymarket/internal/jsonx"
)

func TestIssues(t *testing.T) {
	var clean jsonx.Issues
	at := time.Date(2026, 8, 16, 1, 40, 0, 0, time.UTC)
	if clean.Micros("a", jsonx.Micros{V: 5, Set: true}) != 5 || clean.Price("b", jsonx.Micros{V: 1_000_000, Set: true}) != 1_000_000 ||
		!clean.Bool("c", jsonx.Bool{V: true, Set: true}) || !clean.Time("d", jsonx.Time{V: at, Set: true}).Equal(at) ||
		clean.Price("e", jsonx.Micros{}) != 0 {
		t.Error("a clean value was not returned as is")
	}
	if clean != nil {
		t.Errorf("clean values recorded %q", clean)
	}

	var is jsonx.Issues
	is.Micros("size", jsonx.Micros{Bad: true})
	if got := is.Price("bestBid", jsonx.Micros{V: 1_000_001, Set: true}); got != 1_000_001 {
		t.Errorf("Price returned %d, want the value", got)
	}
	is.Price("bestAsk", jsonx.Micros{V: -1, Set: true})
	is.Price("spread", jsonx.Micros{Bad: true})
	is.Bool("active", jsonx.Bool{Bad: true})
	is.Time("endDate", jsonx.Time{Bad: true})
	is.Add("volume", "negative")
	want := []string{
		"size: not a decimal", "bestBid: out of [0,1]", "bestAsk: out of [0,1]", "spread: not a decimal",
		"active: not a boolean", "endDate: not a date", "volume: negative",
	}
	if !slices.Equal(is, want) {
		t.Errorf("Issues = %q, want %q", is, want)
	}
}
