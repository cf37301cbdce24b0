package sim

import (
	"encoding/json"
	"math"
	"math/bits"
	"strings"

	"github.com/vig-bot/vig"
)

// one is 1.0 in Micros: a whole share, a whole pUSD, the price of a winner.
const one = vig.Micros(1_000_000)

// dec formats m as the venue does: a plain decimal without trailing zeros
// ("0.5", "12", "0.0025", "0").
func dec(m vig.Micros) string {
	s := strings.TrimRight(m.String(), "0")
	return strings.TrimSuffix(s, ".")
}

// num is dec as a JSON number.
func num(m vig.Micros) json.Number { return json.Number(dec(m)) }

// mulDiv returns a×b/1e6, rounded up when ceil is set and down otherwise,
// without overflowing; it saturates at MaxInt64.
func mulDiv(a, b vig.Micros, ceil bool) vig.Micros {
	if a <= 0 || b <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(one) {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, uint64(one))
	if ceil && r != 0 {
		q++
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return vig.Micros(q)
}

// notional is what a fill of size shares at price moves (rounded down, so
// the buyer never pays more than its reservation).
func notional(price, size vig.Micros) vig.Micros { return mulDiv(price, size, false) }

// cost is the pUSD a BUY of size at price needs (rounded up to 6 dp).
func cost(price, size vig.Micros) vig.Micros { return mulDiv(price, size, true) }

// roundTick rounds p to the nearest multiple of tick.
func roundTick(p, tick vig.Micros) vig.Micros { return (p + tick/2) / tick * tick }

// floorTick rounds p down to a multiple of tick.
func floorTick(p, tick vig.Micros) vig.Micros {
	if p < 0 {
		return -((-p + tick - 1) / tick * tick)
	}
	return p / tick * tick
}

// ceilTick rounds p up to a multiple of tick.
func ceilTick(p, tick vig.Micros) vig.Micros { return (p + tick - 1) / tick * tick }
