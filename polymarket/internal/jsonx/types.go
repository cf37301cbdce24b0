package jsonx

import (
	"strconv"
	"strings"
	"time"

	"github.com/vig-bot/vig"
)

// Micros is a decimal that may be a JSON number or a numeric string,
// decoded exactly by ParseDecimal. null, "" and a blank string are absent.
type Micros struct {
	V   vig.Micros // the value; 0 unless Set
	Set bool       // a decimal was present
	Bad bool       // the value was present but unusable
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (m *Micros) UnmarshalJSON(b []byte) error {
	*m = Micros{}
	text, absent, ok := scalarText(b)
	switch {
	case !ok:
		m.Bad = true
	case absent:
	default:
		v, err := ParseDecimal(text)
		if err != nil {
			m.Bad = true
			return nil
		}
		m.V, m.Set = v, true
	}
	return nil
}

// Int is a small integer that may be a JSON number or a numeric string
// (outcomeIndex). A value with a fraction ("1.5") is bad; "1.0" is 1.
type Int struct {
	V   int64 // the value; 0 unless Set
	Set bool  // an integer was present
	Bad bool  // the value was present but unusable
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *Int) UnmarshalJSON(b []byte) error {
	var m Micros
	_ = m.UnmarshalJSON(b) // never fails
	*x = Int{Bad: m.Bad}
	switch {
	case !m.Set:
	case m.V%1_000_000 != 0:
		x.Bad = true
	default:
		x.V, x.Set = int64(m.V/1_000_000), true
	}
	return nil
}

// Bool is a boolean that may be true, "true", 1 or "1" (and their false
// counterparts). null and "" are absent.
type Bool struct {
	V   bool // the value; false unless Set
	Set bool // a boolean was present
	Bad bool // the value was present but unusable
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *Bool) UnmarshalJSON(b []byte) error {
	*x = Bool{}
	b = trimSpace(b)
	switch string(b) {
	case "true", "1", `"true"`, `"True"`, `"TRUE"`, `"1"`:
		x.V, x.Set = true, true
	case "false", "0", `"false"`, `"False"`, `"FALSE"`, `"0"`:
		x.Set = true
	case "null", `""`:
	default:
		x.Bad = true
	}
	return nil
}

// String is text that may arrive as a JSON string or a JSON number (ids).
// Numbers keep their exact literal text. null and "" are absent.
type String struct {
	V   string // the value; "" unless Set
	Set bool   // a non-empty string or a number was present
	Bad bool   // the value was present but not a string or number
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *String) UnmarshalJSON(b []byte) error {
	*x = String{}
	b = trimSpace(b)
	switch Kind(b) {
	case 'n':
		if string(b) != "null" {
			x.Bad = true
		}
	case '0':
		x.V, x.Set = string(b), true
	case '"':
		s, ok := unquote(b)
		if !ok {
			x.Bad = true
			return nil
		}
		x.V, x.Set = s, s != ""
	default:
		x.Bad = true
	}
	return nil
}

// Time is a timestamp: RFC 3339 ("2026-08-16T01:40:00Z"), Postgres style
// ("2024-11-06 00:00:00+00"), a zoneless date-time (taken as UTC), a date
// ("2026-12-31", midnight UTC) or epoch seconds/milliseconds as a number
// or a string of digits. V is in UTC. null, "" and 0 are absent.
type Time struct {
	V   time.Time // the value, in UTC; zero unless Set
	Set bool      // a timestamp was present
	Bad bool      // the value was present but unusable
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *Time) UnmarshalJSON(b []byte) error {
	*x = Time{}
	text, absent, ok := scalarText(b)
	if !ok {
		x.Bad = true
		return nil
	}
	if absent {
		return nil
	}
	if Kind(b) == '0' || AllDigits(text) {
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n < 0 {
			x.Bad = true
			return nil
		}
		switch {
		case n == 0: // some feeds write 0 for "no date"
		case n > 1e11: // milliseconds
			x.V, x.Set = time.UnixMilli(n).UTC(), true
		default:
			x.V, x.Set = time.Unix(n, 0).UTC(), true
		}
		return nil
	}
	t, ok := parseTime(text)
	if !ok {
		x.Bad = true
		return nil
	}
	x.V, x.Set = t, true
	return nil
}

// parseTime reads the date-time shapes the venues use; fractional seconds
// are accepted after the seconds by every layout (time.Parse does that on
// its own). The result is UTC.
func parseTime(s string) (time.Time, bool) {
	var layouts []string
	switch {
	case len(s) == len("2006-01-02"):
		layouts = []string{"2006-01-02"}
	case len(s) > len("2006-01-02") && s[10] == 'T':
		layouts = []string{time.RFC3339, "2006-01-02T15:04:05Z07", "2006-01-02T15:04:05"}
	case len(s) > len("2006-01-02") && s[10] == ' ':
		layouts = []string{"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05Z07", "2006-01-02 15:04:05"}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Strings is an array of strings (numbers keep their literal text), real
// or JSON-encoded in a string (the Gamma gotcha:
// "outcomes": "[\"Yes\", \"No\"]"). An empty array gives a non-nil empty
// V; null and "" are absent (nil V).
type Strings struct {
	V   []string // the elements; nil unless Set
	Set bool     // an array was present
	Bad bool     // the value was present but not such an array
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *Strings) UnmarshalJSON(b []byte) error {
	*x = Strings{}
	text, absent, ok := arrayText(b)
	switch {
	case !ok:
		x.Bad = true
	case absent:
	default:
		v, ok := splitArray(text, nil)
		if !ok {
			x.Bad = true
			return nil
		}
		if v == nil {
			v = []string{}
		}
		x.V, x.Set = v, true
	}
	return nil
}

// MicrosList is an array of decimals (strings or numbers), real or
// JSON-encoded in a string ("outcomePrices": "[\"0.045\", \"0.955\"]").
// One unusable element makes the whole list bad.
type MicrosList struct {
	V   []vig.Micros // the elements; nil unless Set
	Set bool         // an array of decimals was present
	Bad bool         // the value was present but unusable
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *MicrosList) UnmarshalJSON(b []byte) error {
	*x = MicrosList{}
	text, absent, ok := arrayText(b)
	if !ok {
		x.Bad = true
		return nil
	}
	if absent {
		return nil
	}
	var buf [8]string
	elems, ok := splitArray(text, buf[:0])
	if !ok {
		x.Bad = true
		return nil
	}
	v := make([]vig.Micros, len(elems))
	for i, e := range elems {
		m, err := ParseDecimal(strings.TrimSpace(e))
		if err != nil {
			x.Bad = true
			return nil
		}
		v[i] = m
	}
	x.V, x.Set = v, true
	return nil
}
