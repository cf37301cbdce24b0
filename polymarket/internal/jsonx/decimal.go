package jsonx

import (
	"errors"

	"github.com/vig-bot/vig"
)

// maxMicros bounds venue amounts: 10^12 units (10^18 micro-units). Larger
// values are absurd for prices, sizes and volumes and are a decode error.
const maxMicros = 1_000_000_000_000 * 1_000_000

var (
	// ErrNotDecimal is returned by ParseDecimal for text that is not a
	// decimal number.
	ErrNotDecimal = errors.New("not a decimal number")
	// ErrRange is returned by ParseDecimal for a decimal beyond 10^12 in
	// magnitude or with an exponent beyond ±100.
	ErrRange = errors.New("decimal out of range")
)

// ParseDecimal parses decimal text (a JSON number's literal or the text of
// a numeric string: "152340.55", "-0.5", "5", "1.5e-3") into micro-units,
// exactly, without going through float64. Digits beyond the 6th decimal
// are rounded half-even (0.0000005 → 0, 0.0000015 → 0.000002). Values
// above 10^12 in magnitude and exponents beyond ±100 are ErrRange;
// NaN/Infinity and any other text (white space included) are
// ErrNotDecimal.
func ParseDecimal(s string) (vig.Micros, error) {
	if len(s) == 0 || len(s) > 400 {
		return 0, ErrNotDecimal
	}
	i := 0
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i++
	}
	intStart := i
	for i < len(s) && IsDigit(s[i]) {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && IsDigit(s[i]) {
			i++
		}
		fracEnd = i
	}
	nInt, nFrac := intEnd-intStart, fracEnd-fracStart
	if nInt+nFrac == 0 {
		return 0, ErrNotDecimal
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
			return 0, ErrNotDecimal
		}
		for i < len(s) && IsDigit(s[i]) {
			exp = exp*10 + int(s[i]-'0')
			if exp > 100 {
				return 0, ErrRange
			}
			i++
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return 0, ErrNotDecimal
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
				return 0, ErrRange
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
			return 0, ErrRange
		}
	}
	if round > 5 || round == 5 && (sticky || v%2 == 1) {
		v++
		if v > maxMicros {
			return 0, ErrRange
		}
	}
	m := vig.Micros(v)
	if neg {
		m = -m
	}
	return m, nil
}
