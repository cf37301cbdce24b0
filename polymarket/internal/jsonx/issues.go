package jsonx

import (
	"time"

	"github.com/vig-bot/vig"
)

// Issues collects the problems found while building one decoded item, as
// "field: what" texts in the order found. The zero value is ready to use
// and allocates nothing for a clean item.
type Issues []string

// Add records that field has the problem what.
func (is *Issues) Add(field, what string) { *is = append(*is, field+": "+what) }

// Micros returns m.V, recording "not a decimal" when m is bad.
func (is *Issues) Micros(field string, m Micros) vig.Micros {
	if m.Bad {
		is.Add(field, "not a decimal")
	}
	return m.V
}

// Price returns m.V, a price in [0,1]: it records "not a decimal" when m
// is bad and "out of [0,1]" when the value lies outside that range.
func (is *Issues) Price(field string, m Micros) vig.Micros {
	switch {
	case m.Bad:
		is.Add(field, "not a decimal")
	case m.V < 0 || m.V > 1_000_000:
		is.Add(field, "out of [0,1]")
	}
	return m.V
}

// Bool returns b.V, recording "not a boolean" when b is bad.
func (is *Issues) Bool(field string, b Bool) bool {
	if b.Bad {
		is.Add(field, "not a boolean")
	}
	return b.V
}

// Time returns t.V, recording "not a date" when t is bad.
func (is *Issues) Time(field string, t Time) time.Time {
	if t.Bad {
		is.Add(field, "not a date")
	}
	return t.V
}
