package order_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket/order"
)

func mustMicros(tb testing.TB, s string) vig.Micros {
	tb.Helper()
	m, err := vig.ParseMicros(s)
	if err != nil {
		tb.Fatalf("ParseMicros(%q): %v", s, err)
	}
	return m
}

// TestAmountsUpstream replays every row of platform-facts §2.6, taken from
// Polymarket/py-clob-client tests/order_builder/test_builder.py (commit
// f1a8807d…; the same values hold for neg_risk true and false). Each case is
// named after the upstream test method; the combined SELL rows are expanded
// to one case per tick. The "SELL 0.82 x 101" case of
// test_create_order_decimal_accuracy is in the upstream file but not in the
// §2.6 table; it is included too.
func TestAmountsUpstream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                   string
		market                 bool
		side                   order.Side
		tick, price, size      string
		wantMaker, wantTakerAm string
	}{
		{"test_create_order_decimal_accuracy/BUY_0.24x15", false, order.Buy, "0.01", "0.24", "15", "3600000", "15000000"},
		{"test_create_order_decimal_accuracy/SELL_0.24x15", false, order.Sell, "0.01", "0.24", "15", "15000000", "3600000"},
		{"test_create_order_decimal_accuracy/BUY_0.82x101", false, order.Buy, "0.01", "0.82", "101", "82820000", "101000000"},
		{"test_create_order_decimal_accuracy/SELL_0.82x101", false, order.Sell, "0.01", "0.82", "101", "101000000", "82820000"},
		{"test_create_order_decimal_accuracy/BUY_0.78x12.8205", false, order.Buy, "0.01", "0.78", "12.8205", "9999600", "12820000"},
		{"test_create_order_decimal_accuracy/SELL_0.78x12.8205", false, order.Sell, "0.01", "0.78", "12.8205", "12820000", "9999600"},
		{"test_create_order_decimal_accuracy/SELL_0.39x2435.89", false, order.Sell, "0.01", "0.39", "2435.89", "2435890000", "949997100"},
		{"test_create_order_decimal_accuracy/SELL_0.43x19.1", false, order.Sell, "0.01", "0.43", "19.1", "19100000", "8213000"},
		{"test_create_order_decimal_accuracy/BUY_0.58x18233.33", false, order.Buy, "0.01", "0.58", "18233.33", "10575331400", "18233330000"},
		{"test_create_order_buy_0_1", false, order.Buy, "0.1", "0.5", "21.04", "10520000", "21040000"},
		{"test_create_order_buy_0_01", false, order.Buy, "0.01", "0.56", "21.04", "11782400", "21040000"},
		{"test_create_order_buy_0_001", false, order.Buy, "0.001", "0.056", "21.04", "1178240", "21040000"},
		{"test_create_order_buy_0_0001", false, order.Buy, "0.0001", "0.0056", "21.04", "117824", "21040000"},
		{"test_create_order_sell_0_1", false, order.Sell, "0.1", "0.5", "21.04", "21040000", "10520000"},
		{"test_create_order_sell_0_01", false, order.Sell, "0.01", "0.56", "21.04", "21040000", "11782400"},
		{"test_create_order_sell_0_001", false, order.Sell, "0.001", "0.056", "21.04", "21040000", "1178240"},
		{"test_create_order_sell_0_0001", false, order.Sell, "0.0001", "0.0056", "21.04", "21040000", "117824"},
		{"test_create_market_order_buy_0_1", true, order.Buy, "0.1", "0.5", "100", "100000000", "200000000"},
		{"test_create_market_order_buy_0_01", true, order.Buy, "0.01", "0.56", "100", "100000000", "178571400"},
		{"test_create_market_order_buy_0_001", true, order.Buy, "0.001", "0.056", "100", "100000000", "1785714280"},
		{"test_create_market_order_buy_0_0001", true, order.Buy, "0.0001", "0.0056", "100", "100000000", "17857142857"},
		{"test_create_market_order_sell_0_1", true, order.Sell, "0.1", "0.5", "100", "100000000", "50000000"},
		{"test_create_market_order_sell_0_01", true, order.Sell, "0.01", "0.56", "100", "100000000", "56000000"},
		{"test_create_market_order_sell_0_001", true, order.Sell, "0.001", "0.056", "100", "100000000", "5600000"},
		{"test_create_market_order_sell_0_0001", true, order.Sell, "0.0001", "0.0056", "100", "100000000", "560000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tick, err := order.ParseTick(tt.tick)
			if err != nil {
				t.Fatal(err)
			}
			price, size := mustMicros(t, tt.price), mustMicros(t, tt.size)
			f := order.LimitAmounts
			if tt.market {
				f = order.MarketAmounts
			}
			maker, taker, err := f(tt.side, price, size, tick)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := maker.String(), tt.wantMaker; got != want {
				t.Errorf("makerAmount = %s, want %s", got, want)
			}
			if got, want := taker.String(), tt.wantTakerAm; got != want {
				t.Errorf("takerAmount = %s, want %s", got, want)
			}
		})
	}
}

// TestAmountsV2Ticks covers the two V2-only ticks, which have no upstream
// amount vectors: their rounding config is clob-client-v2
// helpers/roundingConfig.ts (0.005 → 3/2/5, 0.0025 → 4/2/6).
func TestAmountsV2Ticks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		market            bool
		side              order.Side
		tick, price, size string
		wantMaker, wantTk string
	}{
		{"limit_buy_0.005", false, order.Buy, "0.005", "0.565", "21.04", "11887600", "21040000"},
		{"limit_sell_0.0025", false, order.Sell, "0.0025", "0.5625", "21.049", "21040000", "11835000"},
		// 100/0.565 = 176.99115044…: round_up to 9 dp, then down to 5 dp.
		{"market_buy_0.005", true, order.Buy, "0.005", "0.565", "100", "100000000", "176991150"},
		// 100/0.0025 = 40000 exactly.
		{"market_buy_0.0025", true, order.Buy, "0.0025", "0.0025", "100", "100000000", "40000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tick, err := order.ParseTick(tt.tick)
			if err != nil {
				t.Fatal(err)
			}
			f := order.LimitAmounts
			if tt.market {
				f = order.MarketAmounts
			}
			maker, taker, err := f(tt.side, mustMicros(t, tt.price), mustMicros(t, tt.size), tick)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := maker.String()+"/"+taker.String(), tt.wantMaker+"/"+tt.wantTk; got != want {
				t.Errorf("maker/taker = %s, want %s", got, want)
			}
		})
	}
}

// TestMarketBuyRounding checks the division branch of the amount rule: a
// quotient with more than cfg.Amount decimals is truncated, never rounded
// half-up. (The rule's round_up step can only carry when the quotient lies
// within 10^-(dp+4) below a dp-decimal value, which no 2-decimal amount over
// an on-tick price reaches; amounts_internal_test.go drives that branch
// directly.)
func TestMarketBuyRounding(t *testing.T) {
	t.Parallel()
	// 1/0.03 = 33.3333…: not exact; round_up(8) = 33.33333334, round_down(4) = 33.3333.
	maker, taker, err := order.MarketAmounts(order.Buy, mustMicros(t, "0.03"), mustMicros(t, "1"), order.Tick0_01)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := maker.String()+"/"+taker.String(), "1000000/33333300"; got != want {
		t.Errorf("1 USDC at 0.03 = %s, want %s", got, want)
	}
	// 2/0.03 = 66.6666…: round_down keeps 66.6666 (no half-up).
	_, taker, err = order.MarketAmounts(order.Buy, mustMicros(t, "0.03"), mustMicros(t, "2"), order.Tick0_01)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := taker.String(), "66666600"; got != want {
		t.Errorf("2 USDC at 0.03: taker = %s, want %s", got, want)
	}
}

func TestParseTick(t *testing.T) {
	t.Parallel()
	good := map[string]vig.Micros{
		"0.1": 100000, "0.01": 10000, "0.005": 5000, "0.0025": 2500, "0.001": 1000, "0.0001": 100,
		"0.010": 10000, // the venue sends a number; trailing zeros are the same tick
	}
	for s, want := range good {
		got, err := order.ParseTick(s)
		if err != nil || got != want {
			t.Errorf("ParseTick(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "1", "0.02", "0.00001", "-0.01", "abc", "0.01 ", "1e-2", "0.0000001"} {
		if _, err := order.ParseTick(s); !errors.Is(err, order.ErrInvalidTick) {
			t.Errorf("ParseTick(%q) err = %v, want ErrInvalidTick", s, err)
		}
	}
}

func TestValidatePrice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		price, tick string
		ok          bool
	}{
		{"0.01", "0.01", true},
		{"0.99", "0.01", true},
		{"0.5", "0.1", true},
		{"0.9", "0.1", true},
		{"0.0001", "0.0001", true},
		{"0.9999", "0.0001", true},
		{"0.565", "0.005", true},
		{"0.5625", "0.0025", true},
		{"0", "0.01", false},
		{"1", "0.01", false},
		{"0.995", "0.01", false},   // off tick
		{"0.009", "0.01", false},   // below tick
		{"0.991", "0.001", true},   // 1-tick is 0.999
		{"0.9995", "0.001", false}, // above 1-tick and off tick
		{"-0.5", "0.1", false},
		{"0.56", "0.1", false},
		{"0.5621", "0.0025", false},
	}
	for _, tt := range tests {
		err := order.ValidatePrice(mustMicros(t, tt.price), mustMicros(t, tt.tick))
		if (err == nil) != tt.ok {
			t.Errorf("ValidatePrice(%s, %s) = %v, want ok=%t", tt.price, tt.tick, err, tt.ok)
		}
		if err != nil && !errors.Is(err, order.ErrInvalidPrice) {
			t.Errorf("ValidatePrice(%s, %s) err = %v, want ErrInvalidPrice", tt.price, tt.tick, err)
		}
	}
	if err := order.ValidatePrice(500000, 20000); !errors.Is(err, order.ErrInvalidTick) {
		t.Errorf("bad tick: err = %v, want ErrInvalidTick", err)
	}
}

func TestAmountsReject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		side              order.Side
		price, size, tick vig.Micros
		want              error
	}{
		{"price off tick", order.Buy, 555000, 10_000_000, order.Tick0_01, order.ErrInvalidPrice},
		{"price zero", order.Buy, 0, 10_000_000, order.Tick0_01, order.ErrInvalidPrice},
		{"price one", order.Sell, 1_000_000, 10_000_000, order.Tick0_01, order.ErrInvalidPrice},
		{"size zero", order.Buy, 500000, 0, order.Tick0_01, order.ErrInvalidSize},
		{"size negative", order.Sell, 500000, -1_000_000, order.Tick0_01, order.ErrInvalidSize},
		{"size rounds to zero", order.Buy, 500000, 9_999, order.Tick0_01, order.ErrZeroAmount},
		{"bad tick", order.Buy, 500000, 10_000_000, 3000, order.ErrInvalidTick},
		{"bad side", order.Side(2), 500000, 10_000_000, order.Tick0_01, order.ErrInvalidOrder},
	}
	for _, tt := range tests {
		for _, f := range []struct {
			name string
			fn   func(order.Side, vig.Micros, vig.Micros, vig.Micros) (*big.Int, *big.Int, error)
		}{{"limit", order.LimitAmounts}, {"market", order.MarketAmounts}} {
			_, _, err := f.fn(tt.side, tt.price, tt.size, tt.tick)
			if !errors.Is(err, tt.want) {
				t.Errorf("%s %s: err = %v, want %v", f.name, tt.name, err, tt.want)
			}
		}
	}
	// 0.01 shares at 0.0001 is 0.000001 USDC: one base unit, not zero.
	maker, _, err := order.LimitAmounts(order.Buy, 100, 10_000, order.Tick0_0001)
	if err != nil || maker.Int64() != 1 {
		t.Errorf("smallest order: maker = %v, %v; want 1", maker, err)
	}
}

// TestAmountsGrid is the integer version of upstream's
// test_get_order_amounts_{buy,sell}_* and test_get_market_order_amounts_*
// loops: for every price on each tick grid and a spread of sizes, limit
// amounts have ratio exactly price, and market BUY never pays more than
// price per share (maker/taker >= price).
func TestAmountsGrid(t *testing.T) {
	t.Parallel()
	sizes := []vig.Micros{10_000, 10_000 + 1, 1_234_567, 21_040_000, 99_990_000, 12_820_500, 1_000_000_000_000}
	for _, tick := range []vig.Micros{order.Tick0_1, order.Tick0_01, order.Tick0_005, order.Tick0_0025, order.Tick0_001, order.Tick0_0001} {
		for price := tick; price <= 1_000_000-tick; price += tick {
			for _, size := range sizes {
				for _, side := range []order.Side{order.Buy, order.Sell} {
					maker, taker, err := order.LimitAmounts(side, price, size, tick)
					if err != nil {
						t.Fatalf("LimitAmounts(%s, %s, %s, %s): %v", side, price, size, tick, err)
					}
					coll, shares := maker, taker
					if side == order.Sell {
						coll, shares = taker, maker
					}
					lhs := new(big.Int).Mul(coll, big.NewInt(1_000_000))
					rhs := new(big.Int).Mul(shares, big.NewInt(int64(price)))
					if lhs.Cmp(rhs) != 0 {
						t.Fatalf("limit %s %s@%s: %s/%s is not price", side, size, price, maker, taker)
					}
				}
				maker, taker, err := order.MarketAmounts(order.Buy, price, size, tick)
				if err != nil {
					t.Fatalf("MarketAmounts(BUY, %s, %s, %s): %v", price, size, tick, err)
				}
				lhs := new(big.Int).Mul(maker, big.NewInt(1_000_000))
				rhs := new(big.Int).Mul(taker, big.NewInt(int64(price)))
				if lhs.Cmp(rhs) < 0 {
					t.Fatalf("market BUY %s@%s: pays %s for %s shares, above price", size, price, maker, taker)
				}
			}
		}
	}
}
