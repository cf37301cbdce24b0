package data

// Lenient decoding of venue JSON. The Data API, like Gamma, is
// inconsistent about types: numbers arrive as 5, 5.0 or "5", booleans as
// true or "true". The types below accept every shape we have seen and never make
// encoding/json fail: a value they cannot use leaves the field zero and
// marks it bad, and the caller decides whether that field matters.
//
// This is a copy of polymarket/gamma/lenient.go (minus the array types),
// kept in step by hand: the packages share no internal package yet.

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vig-bot/vig"
)

// maxMicros bounds venue amounts: 10^12 units (10^18 micro-units). Larger
// values are absurd for prices, sizes and volumes and are a decode error.
const maxMicros = 1_000_000_000_000 * 1_000_000

var (
	errNotDecimal = errors.New("not a decimal number")
	errRange      = errors.New("decimal out of range")
)

// parseDecimal parses decimal text (a JSON number's literal or the text of
// a numeric string: "152340.55", "-0.5", "5", "1.5e-3") into micro-units,
// exactly, without going through float64. Digits beyond the 6th decimal
// are rounded half-even (0.0000005 → 0, 0.0000015 → 0.000002). Values
// above 10^12 in magnitude, exponents beyond ±100, NaN/Infinity and any
// other text are errors.
func parseDecimal(s string) (vig.Micros, error) {
	if len(s) == 0 || len(s) > 400 {
		return 0, errNotDecimal
	}
	i := 0
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracEnd = i
	}
	nInt, nFrac := intEnd-intStart, fracEnd-fracStart
	if nInt+nFrac == 0 {
		return 0, errNotDecimal
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return 0, errNotDecimal
		}
		for i < len(s) && isDigit(s[i]) {
			exp = exp*10 + int(s[i]-'0')
			if exp > 100 {
				return 0, errRange
			}
			i++
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return 0, errNotDecimal
	}
	// Digit j of intDigits++fracDigits is worth 10^k micro-units with
	// k = point+5-j, point being how many digits precede the decimal point.
	point := nInt + exp
	n := nInt + nFrac
	var v uint64
	var round byte // the digit at k = -1 (0 when absent)
	sticky := false
	for j := 0; j < n; j++ {
		var d byte
		if j < nInt {
			d = s[intStart+j] - '0'
		} else {
			d = s[fracStart+j-nInt] - '0'
		}
		switch k := point + 5 - j; {
		case k >= 0:
			v = v*10 + uint64(d)
			if v > maxMicros {
				return 0, errRange
			}
		case k == -1:
			round = d
		default:
			if d != 0 {
				sticky = true
			}
		}
	}
	// Digits that stopped short of the micro-unit are scaled up.
	for k := point + 5 - (n - 1); k > 0 && v != 0; k-- {
		v *= 10
		if v > maxMicros {
			return 0, errRange
		}
	}
	if round > 5 || round == 5 && (sticky || v%2 == 1) {
		v++
		if v > maxMicros {
			return 0, errRange
		}
	}
	m := vig.Micros(v)
	if neg {
		m = -m
	}
	return m, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// jsonKind classifies a raw JSON value by its first byte.
func jsonKind(b []byte) byte {
	b = trimSpace(b)
	if len(b) == 0 {
		return 0
	}
	switch c := b[0]; {
	case c == '-' || isDigit(c):
		return '0'
	default:
		return c // '"', 'n', 't', 'f', '[', '{'
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// unquote decodes the JSON string literal b (quotes included). encoding/json
// has already validated b when it reaches an UnmarshalJSON method, but the
// inner arrays of JSON-encoded strings have not been, so this checks as it
// goes. Invalid escapes or a lone surrogate turn into U+FFFD, as in
// encoding/json.
func unquote(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	b = b[1 : len(b)-1]
	esc := -1
	for i, c := range b {
		if c == '\\' {
			esc = i
			break
		}
		if c == '"' || c < 0x20 {
			return "", false
		}
	}
	if esc < 0 {
		return validUTF8(string(b)), true
	}
	var sb strings.Builder
	sb.Grow(len(b))
	sb.Write(b[:esc])
	for i := esc; i < len(b); {
		c := b[i]
		if c == '"' || c < 0x20 {
			return "", false
		}
		if c != '\\' {
			sb.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return "", false
		}
		switch b[i+1] {
		case '"', '\\', '/':
			sb.WriteByte(b[i+1])
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			r, ok := hex4(b[i+2:])
			if !ok {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
					if r2, ok := hex4(b[i+2:]); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							sb.WriteRune(d)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			sb.WriteRune(r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return validUTF8(sb.String()), true
}

// validUTF8 replaces invalid UTF-8 with U+FFFD, as encoding/json does for
// the strings it decodes (PostgreSQL rejects invalid UTF-8 text).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case isDigit(c):
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// scalarText returns the text of a JSON number, or of a JSON string's
// contents (trimmed), and whether the value was null or the empty string.
func scalarText(b []byte) (text string, absent, ok bool) {
	b = trimSpace(b)
	switch jsonKind(b) {
	case 'n':
		return "", string(b) == "null", string(b) == "null"
	case '0':
		return string(b), false, true
	case '"':
		s, ok := unquote(b)
		if !ok {
			return "", false, false
		}
		s = strings.TrimSpace(s)
		return s, s == "", true
	}
	return "", false, false
}

// jMicros is a decimal that may be a JSON number or a numeric string.
type jMicros struct {
	v        vig.Micros
	set, bad bool
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (m *jMicros) UnmarshalJSON(b []byte) error {
	*m = jMicros{}
	text, absent, ok := scalarText(b)
	switch {
	case !ok:
		m.bad = true
	case absent:
	default:
		v, err := parseDecimal(text)
		if err != nil {
			m.bad = true
			return nil
		}
		m.v, m.set = v, true
	}
	return nil
}

// jBool is a boolean that may be true, "true", 1 or "1" (and their false
// counterparts).
type jBool struct {
	v        bool
	set, bad bool
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *jBool) UnmarshalJSON(b []byte) error {
	*x = jBool{}
	b = trimSpace(b)
	switch string(b) {
	case "true", "1", `"true"`, `"True"`, `"TRUE"`, `"1"`:
		x.v, x.set = true, true
	case "false", "0", `"false"`, `"False"`, `"FALSE"`, `"0"`:
		x.set = true
	case "null", `""`:
	default:
		x.bad = true
	}
	return nil
}

// jString is text that may arrive as a JSON string or a JSON number (ids).
// Numbers keep their exact literal text.
type jString struct {
	v        string
	set, bad bool
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *jString) UnmarshalJSON(b []byte) error {
	*x = jString{}
	b = trimSpace(b)
	switch jsonKind(b) {
	case 'n':
		if string(b) != "null" {
			x.bad = true
		}
	case '0':
		x.v, x.set = string(b), true
	case '"':
		s, ok := unquote(b)
		if !ok {
			x.bad = true
			return nil
		}
		x.v, x.set = s, s != ""
	default:
		x.bad = true
	}
	return nil
}

// jTime is a timestamp: RFC 3339 ("2026-08-16T01:40:00Z"), Postgres style
// ("2024-11-06 00:00:00+00"), a zoneless date-time (taken as UTC), a date
// ("2026-12-31", midnight UTC) or epoch seconds/milliseconds as a number.
type jTime struct {
	v        time.Time
	set, bad bool
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *jTime) UnmarshalJSON(b []byte) error {
	*x = jTime{}
	text, absent, ok := scalarText(b)
	if !ok {
		x.bad = true
		return nil
	}
	if absent {
		return nil
	}
	if jsonKind(b) == '0' || allDigits(text) {
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n < 0 {
			x.bad = true
			return nil
		}
		switch {
		case n == 0: // some feeds write 0 for "no date"
		case n > 1e11: // milliseconds
			x.v, x.set = time.UnixMilli(n).UTC(), true
		default:
			x.v, x.set = time.Unix(n, 0).UTC(), true
		}
		return nil
	}
	t, ok := parseTime(text)
	if !ok {
		x.bad = true
		return nil
	}
	x.v, x.set = t, true
	return nil
}

// parseTime reads the date-time shapes Gamma uses; fractional seconds are
// accepted after the seconds by every layout (time.Parse does that on its
// own). The result is UTC.
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

// jInt is a small integer that may be a JSON number or a numeric string
// (outcomeIndex).
type jInt struct {
	v        int64
	set, bad bool
}

// UnmarshalJSON never fails: bad input marks the value bad.
func (x *jInt) UnmarshalJSON(b []byte) error {
	*x = jInt{}
	text, absent, ok := scalarText(b)
	switch {
	case !ok:
		x.bad = true
	case absent:
	default:
		m, err := parseDecimal(text)
		if err != nil || m%1_000_000 != 0 {
			x.bad = true
			return nil
		}
		x.v, x.set = int64(m/1_000_000), true
	}
	return nil
}
