package order

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/vig-bot/vig"
)

// Side is the order side as it is signed: BUY gives collateral for tokens,
// SELL gives tokens for collateral.
type Side uint8

// Sides, with the values the exchange contracts sign.
const (
	Buy  Side = 0
	Sell Side = 1
)

// String returns "BUY" or "SELL", the wire spelling of POST /order.
func (s Side) String() string {
	switch s {
	case Buy:
		return "BUY"
	case Sell:
		return "SELL"
	}
	return fmt.Sprintf("Side(%d)", uint8(s))
}

// Valid reports whether s is Buy or Sell.
func (s Side) Valid() bool { return s == Buy || s == Sell }

// ParseSide parses the wire spelling "BUY" or "SELL" (exact case, as the
// venue sends and expects it).
func ParseSide(s string) (Side, error) {
	switch s {
	case "BUY":
		return Buy, nil
	case "SELL":
		return Sell, nil
	}
	return 0, fmt.Errorf("%w: side %q", ErrInvalidOrder, s)
}

// SignatureType says how the exchange checks an order's signature.
type SignatureType uint8

// Signature types (platform-facts §2.5). Poly1271 exists in V2 only.
const (
	EOA            SignatureType = 0 // maker == signer, plain ECDSA
	PolyProxy      SignatureType = 1 // maker = Polymarket proxy wallet, signer = its EOA owner
	PolyGnosisSafe SignatureType = 2 // maker = Gnosis Safe, signer = its EOA owner
	Poly1271       SignatureType = 3 // deposit wallet (ERC-1271, ERC-7739 envelope)
)

// String returns the name the clients use.
func (t SignatureType) String() string {
	switch t {
	case EOA:
		return "EOA"
	case PolyProxy:
		return "POLY_PROXY"
	case PolyGnosisSafe:
		return "POLY_GNOSIS_SAFE"
	case Poly1271:
		return "POLY_1271"
	}
	return fmt.Sprintf("SignatureType(%d)", uint8(t))
}

// Valid reports whether t is one of the four known types.
func (t SignatureType) Valid() bool { return t <= Poly1271 }

// Errors of the amount maths. Callers branch with errors.Is.
var (
	// ErrInvalidTick: not one of the six tick sizes the CLOB uses.
	ErrInvalidTick = errors.New("invalid tick size")
	// ErrInvalidPrice: off the tick grid or outside [tick, 1-tick].
	ErrInvalidPrice = errors.New("invalid price")
	// ErrInvalidSize: a size or amount that is zero or negative.
	ErrInvalidSize = errors.New("invalid size")
	// ErrZeroAmount: a size or amount that rounds to zero base units, which
	// the venue would reject and which would divide by zero in a ratio.
	ErrZeroAmount = errors.New("amount rounds to zero")
)

// Tick sizes the CLOB uses (GET /tick-size; V2 adds 0.005 and 0.0025).
const (
	Tick0_1    vig.Micros = 100_000 // 0.1
	Tick0_01   vig.Micros = 10_000  // 0.01
	Tick0_005  vig.Micros = 5_000   // 0.005 (V2)
	Tick0_0025 vig.Micros = 2_500   // 0.0025 (V2)
	Tick0_001  vig.Micros = 1_000   // 0.001
	Tick0_0001 vig.Micros = 100     // 0.0001
)

// one is 1.00 in Micros: the price of a winning outcome token.
const one vig.Micros = 1_000_000

// RoundConfig is the number of decimal places py-clob-client's
// ROUNDING_CONFIG allows for a tick: the price, the size (shares or USDC
// spent) and the computed amount.
type RoundConfig struct {
	Price, Size, Amount int
}

// RoundingFor returns the rounding configuration of a tick size
// (py-clob-client order_builder/builder.py; clob-client-v2
// helpers/roundingConfig.ts for 0.005 and 0.0025).
func RoundingFor(tick vig.Micros) (RoundConfig, error) {
	switch tick {
	case Tick0_1:
		return RoundConfig{Price: 1, Size: 2, Amount: 3}, nil
	case Tick0_01:
		return RoundConfig{Price: 2, Size: 2, Amount: 4}, nil
	case Tick0_005:
		return RoundConfig{Price: 3, Size: 2, Amount: 5}, nil
	case Tick0_0025:
		return RoundConfig{Price: 4, Size: 2, Amount: 6}, nil
	case Tick0_001:
		return RoundConfig{Price: 3, Size: 2, Amount: 5}, nil
	case Tick0_0001:
		return RoundConfig{Price: 4, Size: 2, Amount: 6}, nil
	}
	return RoundConfig{}, fmt.Errorf("%w: %s", ErrInvalidTick, tick)
}

// ParseTick parses a tick size as the venue prints it ("0.01", "0.001", …)
// and accepts only the six valid ticks, so a typo can never become a grid.
func ParseTick(s string) (vig.Micros, error) {
	m, err := vig.ParseMicros(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrInvalidTick, s, err)
	}
	if _, err := RoundingFor(m); err != nil {
		return 0, fmt.Errorf("%w: %q", ErrInvalidTick, s)
	}
	return m, nil
}

// ValidatePrice checks that price is on the tick grid and within
// [tick, 1-tick], the venue's rule (py-clob-client price_valid).
func ValidatePrice(price, tick vig.Micros) error {
	if _, err := RoundingFor(tick); err != nil {
		return err
	}
	if price < tick || price > one-tick {
		return fmt.Errorf("%w: %s outside [%s, %s]", ErrInvalidPrice, price, tick, one-tick)
	}
	if price%tick != 0 {
		return fmt.Errorf("%w: %s is not a multiple of tick %s", ErrInvalidPrice, price, tick)
	}
	return nil
}

// LimitAmounts computes the signed makerAmount and takerAmount of a limit
// order of size shares at price, exactly as py-clob-client's
// get_order_amounts (unchanged in V2's getOrderRawAmounts) but in integers:
//
//	BUY : taker = round_down(size, cfg.Size); maker = taker * price
//	SELL: maker = round_down(size, cfg.Size); taker = maker * price
//
// then the computed side goes through the amount rule (see amountUnits).
// Python's round_normal(price, cfg.Price) is a no-op here because a price
// off the tick grid is rejected, and a price on the grid has at most
// cfg.Price decimals; so its float half-to-even behaviour never matters.
// With exact arithmetic the product of a cfg.Size-decimal size and a
// cfg.Price-decimal price has at most cfg.Amount decimals for every tick, so
// the amount rule never changes a limit order: the ratio is exactly price.
func LimitAmounts(side Side, price, size, tick vig.Micros) (makerAmount, takerAmount *big.Int, err error) {
	cfg, err := RoundingFor(tick)
	if err != nil {
		return nil, nil, err
	}
	if !side.Valid() {
		return nil, nil, fmt.Errorf("%w: side %d", ErrInvalidOrder, side)
	}
	if err := ValidatePrice(price, tick); err != nil {
		return nil, nil, err
	}
	shares, err := roundDownSize(size, cfg.Size)
	if err != nil {
		return nil, nil, err
	}
	num := new(big.Int).Mul(big.NewInt(int64(shares)), big.NewInt(int64(price)))
	other := amountUnits(num, big1e12, cfg.Amount)
	if other.Sign() == 0 {
		return nil, nil, fmt.Errorf("%w: %s shares at %s", ErrZeroAmount, size, price)
	}
	if side == Buy {
		return other, big.NewInt(int64(shares)), nil
	}
	return big.NewInt(int64(shares)), other, nil
}

// MarketAmounts computes the amounts of a market (FOK/FAK) order as
// py-clob-client's get_market_order_amounts. For BUY, amount is the
// collateral to spend: maker = round_down(amount, cfg.Size) and taker =
// maker / price, a true division done exactly with rationals and then put
// through the amount rule. For SELL, amount is shares and the maths is the
// limit SELL's. price is the worst price the order may fill at; it must be
// on the tick grid, where Python's round_normal and TS's roundDown of the
// price agree.
func MarketAmounts(side Side, price, amount, tick vig.Micros) (makerAmount, takerAmount *big.Int, err error) {
	cfg, err := RoundingFor(tick)
	if err != nil {
		return nil, nil, err
	}
	if !side.Valid() {
		return nil, nil, fmt.Errorf("%w: side %d", ErrInvalidOrder, side)
	}
	if err := ValidatePrice(price, tick); err != nil {
		return nil, nil, err
	}
	maker, err := roundDownSize(amount, cfg.Size)
	if err != nil {
		return nil, nil, err
	}
	var taker *big.Int
	if side == Buy {
		taker = amountUnits(big.NewInt(int64(maker)), big.NewInt(int64(price)), cfg.Amount)
	} else {
		num := new(big.Int).Mul(big.NewInt(int64(maker)), big.NewInt(int64(price)))
		taker = amountUnits(num, big1e12, cfg.Amount)
	}
	if taker.Sign() == 0 {
		return nil, nil, fmt.Errorf("%w: %s at %s", ErrZeroAmount, amount, price)
	}
	return big.NewInt(int64(maker)), taker, nil
}

// roundDownSize truncates a positive size to dp decimals (py round_down).
func roundDownSize(size vig.Micros, dp int) (vig.Micros, error) {
	if size <= 0 {
		return 0, fmt.Errorf("%w: %s", ErrInvalidSize, size)
	}
	unit := vig.Micros(pow10[6-dp].Int64())
	r := size - size%unit
	if r == 0 {
		return 0, fmt.Errorf("%w: %s has nothing left at %d decimals", ErrZeroAmount, size, dp)
	}
	return r, nil
}

var (
	big1e12 = new(big.Int).Exp(big.NewInt(10), big.NewInt(12), nil)
	big1e4  = big.NewInt(10_000)
	// pow10[i] = 10^i for the few exponents the rounding needs.
	pow10 = func() []*big.Int {
		p := make([]*big.Int, 11)
		for i := range p {
			p[i] = new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(i)), nil)
		}
		return p
	}()
)

// amountUnits applies py-clob-client's amount rule to the exact value
// x = num/den (num, den > 0) and returns it in 6-decimal base units:
//
//	if decimals(x) > dp: x = round_up(x, dp+4)
//	    if decimals(x) > dp: x = round_down(x, dp)
//
// The round_up to dp+4 only matters when x sits within 10^-(dp+4) below a
// dp-decimal number (upstream added it to undo float noise); replaying it on
// the exact value keeps the results identical for every upstream vector.
// dp is at most 6, so a dp-decimal value is a whole number of base units.
func amountUnits(num, den *big.Int, dp int) *big.Int {
	q, r := new(big.Int), new(big.Int)
	q.QuoRem(new(big.Int).Mul(num, pow10[dp]), den, r)
	if r.Sign() == 0 { // at most dp decimals: exact
		return q.Mul(q, pow10[6-dp])
	}
	// y = ceil(x * 10^(dp+4))
	q.QuoRem(new(big.Int).Mul(num, pow10[dp+4]), den, r)
	if r.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	// round_down(y / 10^(dp+4), dp): floor(y / 10^4) at dp decimals. When y
	// is a multiple of 10^4 the second check fails and this is still exact.
	q.Quo(q, big1e4)
	return q.Mul(q, pow10[6-dp])
}
