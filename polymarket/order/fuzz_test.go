package order_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket/order"
)

var fuzzTicks = []vig.Micros{order.Tick0_1, order.Tick0_01, order.Tick0_005, order.Tick0_0025, order.Tick0_001, order.Tick0_0001}

// fuzzPrice maps raw fuzz input to a price: on the tick grid when onGrid
// (so most runs reach the maths), anything at all otherwise.
func fuzzPrice(tick vig.Micros, raw int64, onGrid bool) vig.Micros {
	if !onGrid {
		return vig.Micros(raw)
	}
	steps := int64(1_000_000/tick) - 1 // prices tick … 1-tick
	k := raw % steps
	if k < 0 {
		k = -k
	}
	return tick * vig.Micros(k+1)
}

func isAmountErr(err error) bool {
	for _, e := range []error{order.ErrInvalidTick, order.ErrInvalidPrice, order.ErrInvalidSize, order.ErrZeroAmount, order.ErrInvalidOrder} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// FuzzLimitAmounts: no panic, errors exactly for invalid input, and for
// valid input maker, taker > 0, the share side is size cut to 2 decimals and
// collateral/shares is exactly the price.
func FuzzLimitAmounts(f *testing.F) {
	f.Add(uint8(0), uint8(1), int64(23), int64(15_000_000), true)                  // BUY 15 @ 0.24
	f.Add(uint8(1), uint8(1), int64(38), int64(2_435_890_000), true)               // SELL 2435.89 @ 0.39
	f.Add(uint8(0), uint8(1), int64(57), int64(18_233_330_000), true)              // BUY 18233.33 @ 0.58
	f.Add(uint8(0), uint8(5), int64(55), int64(21_040_000), true)                  // BUY 21.04 @ 0.0056
	f.Add(uint8(1), uint8(3), int64(224), int64(21_049_999), true)                 // SELL @ 0.5625
	f.Add(uint8(0), uint8(1), int64(555_000), int64(10_000_000), false)            // off tick
	f.Add(uint8(1), uint8(0), int64(0), int64(9_999), true)                        // rounds to zero
	f.Add(uint8(2), uint8(9), int64(-1), int64(-1), false)                         // garbage
	f.Add(uint8(0), uint8(5), int64(9998), int64(9_223_372_036_854_775_807), true) // max size
	f.Fuzz(func(t *testing.T, sideRaw, tickIdx uint8, priceRaw, sizeRaw int64, onGrid bool) {
		side := order.Side(sideRaw % 3) // 2 is invalid on purpose
		tick := vig.Micros(3_000)       // invalid tick for idx ≥ 6
		if int(tickIdx) < len(fuzzTicks) {
			tick = fuzzTicks[tickIdx]
		}
		price := fuzzPrice(tick, priceRaw, onGrid && int(tickIdx) < len(fuzzTicks))
		size := vig.Micros(sizeRaw)

		maker, taker, err := order.LimitAmounts(side, price, size, tick)

		valid := side.Valid() && int(tickIdx) < len(fuzzTicks) &&
			price >= tick && price <= 1_000_000-tick && price%tick == 0 && size >= 10_000
		if !valid {
			if err == nil || !isAmountErr(err) {
				t.Fatalf("LimitAmounts(%d, %d, %d, %d) = %v, %v, %v; want a typed error", side, price, size, tick, maker, taker, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("LimitAmounts(%s, %d, %d, %d): %v", side, price, size, tick, err)
		}
		if maker.Sign() <= 0 || taker.Sign() <= 0 {
			t.Fatalf("non-positive amounts %s/%s", maker, taker)
		}
		shares, coll := taker, maker
		if side == order.Sell {
			shares, coll = maker, taker
		}
		if want := int64(size - size%10_000); shares.Cmp(big.NewInt(want)) != 0 {
			t.Fatalf("%s shares = %s, want size %d cut to 2 dp = %d", side, shares, size, want)
		}
		lhs := new(big.Int).Mul(coll, big.NewInt(1_000_000))
		rhs := new(big.Int).Mul(shares, big.NewInt(int64(price)))
		if lhs.Cmp(rhs) != 0 {
			t.Fatalf("%s %d @ %d: collateral %s / shares %s is not the price", side, size, price, coll, shares)
		}
	})
}

// FuzzMarketAmounts: market BUY never pays above price and takes the most
// shares the amount grid allows; market SELL is exact like a limit SELL.
func FuzzMarketAmounts(f *testing.F) {
	f.Add(uint8(0), uint8(0), int64(4), int64(100_000_000), true)  // $100 @ 0.5
	f.Add(uint8(0), uint8(1), int64(55), int64(100_000_000), true) // $100 @ 0.56
	f.Add(uint8(0), uint8(5), int64(55), int64(100_000_000), true) // $100 @ 0.0056
	f.Add(uint8(1), uint8(4), int64(55), int64(100_000_000), true) // 100 sh @ 0.056
	f.Add(uint8(0), uint8(2), int64(112), int64(1_000_000), true)  // $1 @ 0.565
	f.Fuzz(func(t *testing.T, sideRaw, tickIdx uint8, priceRaw, amountRaw int64, onGrid bool) {
		side := order.Side(sideRaw % 3)
		tick := vig.Micros(3_000)
		if int(tickIdx) < len(fuzzTicks) {
			tick = fuzzTicks[tickIdx]
		}
		price := fuzzPrice(tick, priceRaw, onGrid && int(tickIdx) < len(fuzzTicks))
		amount := vig.Micros(amountRaw)

		maker, taker, err := order.MarketAmounts(side, price, amount, tick)
		if err != nil {
			if !isAmountErr(err) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		cfg, _ := order.RoundingFor(tick)
		if maker.Sign() <= 0 || taker.Sign() <= 0 {
			t.Fatalf("non-positive amounts %s/%s", maker, taker)
		}
		if want := int64(amount - amount%10_000); maker.Cmp(big.NewInt(want)) != 0 {
			t.Fatalf("maker = %s, want amount cut to 2 dp = %d", maker, want)
		}
		m6 := new(big.Int).Mul(maker, big.NewInt(1_000_000))
		tp := new(big.Int).Mul(taker, big.NewInt(int64(price)))
		if side == order.Sell {
			// SELL: taker * 1e6 == maker * price.
			if new(big.Int).Mul(taker, big.NewInt(1_000_000)).Cmp(new(big.Int).Mul(maker, big.NewInt(int64(price)))) != 0 {
				t.Fatalf("SELL %s @ %d: taker %s is not maker*price", maker, price, taker)
			}
			return
		}
		// BUY: taker*price <= maker, and one more amount-grid step would exceed it.
		if tp.Cmp(m6) > 0 {
			t.Fatalf("BUY $%s @ %d: %s shares cost more than paid", maker, price, taker)
		}
		step := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(6-cfg.Amount)), nil)
		next := new(big.Int).Mul(new(big.Int).Add(taker, step), big.NewInt(int64(price)))
		if next.Cmp(m6) <= 0 {
			t.Fatalf("BUY $%s @ %d: taker %s is not the largest grid amount", maker, price, taker)
		}
		if new(big.Int).Mod(taker, step).Sign() != 0 {
			t.Fatalf("BUY taker %s has more than %d decimals", taker, cfg.Amount)
		}
	})
}

// FuzzFromJSON: arbitrary bytes never panic json.Unmarshal + FromJSON, and
// whatever FromJSON accepts is valid, hashes, and survives ToJSON/FromJSON.
func FuzzFromJSON(f *testing.F) {
	me := common.HexToAddress(key0Addr)
	o := v2Order(f, me, me, order.EOA)
	ex, _ := order.ExchangeFor(order.ChainPolygon, 2, false)
	sig, err := order.SignV2(key0(f), o, order.ChainPolygon, ex, 2)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(order.ToJSON(o, sig))
	f.Add(good)
	wallet := common.HexToAddress("0x1111111111111111111111111111111111111111")
	p := v2Order(f, wallet, wallet, order.Poly1271)
	psig, _ := order.SignPoly1271(key0(f), p, order.ChainAmoy, ex, wallet)
	pj, _ := json.Marshal(order.ToJSON(p, psig))
	f.Add(pj)
	f.Add([]byte(`{"salt":1,"maker":"0x","signer":"","tokenId":"-1","side":"buy"}`))
	f.Add([]byte(`{"salt":18446744073709551615,"tokenId":"115792089237316195423570985008687907853269984665640564039457584007913129639935"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var j order.OrderJSON
		if err := json.Unmarshal(data, &j); err != nil {
			return
		}
		got, sig, err := order.FromJSON(j)
		if err != nil {
			if !errors.Is(err, order.ErrInvalidOrder) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if err := got.Validate(); err != nil {
			t.Fatalf("FromJSON accepted an invalid order: %v", err)
		}
		_ = got.Hash(order.ChainPolygon, ex, 2)
		_ = order.VerifyV2(got, sig, order.ChainPolygon, ex, 2)
		_, _ = order.VerifyPoly1271(got, sig, order.ChainPolygon, ex, got.Signer)
		again, sig2, err := order.FromJSON(order.ToJSON(got, sig))
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if !equalOrder(got, again) || string(sig) != string(sig2) {
			t.Fatalf("round trip changed the order")
		}
	})
}

// FuzzHMAC: any secret, timestamp, method, path and body either error
// cleanly or give a padded base64url HMAC-SHA256 that verifies.
func FuzzHMAC(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "1000000", "test-sign", "/orders", []byte(`{"hash": "0x123"}`))
	f.Add("--_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "1767225600", "POST", "/order", []byte(nil))
	f.Add("", "", "", "", []byte(nil))
	f.Add("=====", "x", "GET", "/data/orders", []byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, secret, ts, method, path string, body []byte) {
		sig, err := order.HMACSignature(secret, ts, method, path, body)
		if err != nil {
			if !errors.Is(err, order.ErrAuth) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		raw, err := base64.URLEncoding.DecodeString(sig)
		if err != nil || len(raw) != 32 {
			t.Fatalf("signature %q is not padded base64url of 32 bytes", sig)
		}
		again, _ := order.HMACSignature(secret, ts, method, path, body)
		if again != sig {
			t.Fatal("not deterministic")
		}
	})
}
