// Package jsonx is the lenient JSON decoding shared by the Polymarket venue
// clients (polymarket/gamma, polymarket/data).
//
// The venues are inconsistent about types: numbers arrive as 5, 5.0 or
// "5", booleans as true or "true", arrays as real arrays or as
// JSON-encoded strings. The types here accept every shape we have seen and
// never make encoding/json fail: a value they cannot use leaves V zero and
// sets Bad, and the caller decides whether that field matters. Set reports
// that a usable, non-null value was present.
//
// Amounts are exact: decimal text becomes vig.Micros without going through
// float64, rounding half-even beyond the 6th decimal (see ParseDecimal).
package jsonx

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// IsDigit reports whether c is an ASCII digit.
func IsDigit(c byte) bool { return c >= '0' && c <= '9' }

// AllDigits reports whether s is a non-empty run of ASCII digits.
func AllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !IsDigit(s[i]) {
			return false
		}
	}
	return true
}

// Kind classifies the raw JSON value b by its first byte, ignoring
// surrounding white space: '0' for a number (a leading '-' or digit),
// otherwise the byte itself ('"', 'n', 't', 'f', '[', '{', …), and 0 for
// empty input. It does not validate b.
func Kind(b []byte) byte {
	b = trimSpace(b)
	if len(b) == 0 {
		return 0
	}
	switch c := b[0]; {
	case c == '-' || IsDigit(c):
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

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

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
		case IsDigit(c):
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

// validNumber reports whether s is a JSON number literal.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && IsDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !IsDigit(s[i]) {
			return false
		}
		for i < len(s) && IsDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !IsDigit(s[i]) {
			return false
		}
		for i < len(s) && IsDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

// scalarText returns the text of a JSON number, or of a JSON string's
// contents (trimmed), and whether the value was null or the empty string.
func scalarText(b []byte) (text string, absent, ok bool) {
	b = trimSpace(b)
	switch Kind(b) {
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

// arrayText returns the JSON text of an array given either directly
// ([…]) or as a JSON-encoded string ("[…]"). absent is true for null and
// for the empty string.
func arrayText(b []byte) (text string, absent, ok bool) {
	b = trimSpace(b)
	switch Kind(b) {
	case 'n':
		return "", string(b) == "null", string(b) == "null"
	case '[':
		return string(b), false, true
	case '"':
		s, ok := unquote(b)
		if !ok {
			return "", false, false
		}
		if strings.TrimSpace(s) == "" {
			return "", true, true
		}
		return s, false, true
	}
	return "", false, false
}

// splitArray splits the JSON text s of an array of strings and/or numbers
// into its elements' texts (string contents unescaped, number literals as
// they are), appending to dst. Anything else (nested values, null,
// booleans, trailing text) fails.
func splitArray(s string, dst []string) ([]string, bool) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '[' {
		return nil, false
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		return dst, skipSpace(s, i+1) == len(s)
	}
	for {
		if i >= len(s) {
			return nil, false
		}
		switch c := s[i]; {
		case c == '"':
			j, esc := i+1, false
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					esc = true
					j++
				} else if s[j] < 0x20 {
					return nil, false
				}
				j++
			}
			if j >= len(s) {
				return nil, false
			}
			if esc {
				e, ok := unquote([]byte(s[i : j+1]))
				if !ok {
					return nil, false
				}
				dst = append(dst, e)
			} else {
				dst = append(dst, s[i+1:j])
			}
			i = j + 1
		case c == '-' || IsDigit(c):
			j := i
			for j < len(s) && (IsDigit(s[j]) || s[j] == '-' || s[j] == '+' || s[j] == '.' || s[j] == 'e' || s[j] == 'E') {
				j++
			}
			if !validNumber(s[i:j]) {
				return nil, false
			}
			dst = append(dst, s[i:j])
			i = j
		default:
			return nil, false
		}
		i = skipSpace(s, i)
		if i >= len(s) {
			return nil, false
		}
		if s[i] == ']' {
			return dst, skipSpace(s, i+1) == len(s)
		}
		if s[i] != ',' {
			return nil, false
		}
		i = skipSpace(s, i+1)
	}
}
