package clob_test

import (
	"errors"
	"testing"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/clob"
)

// A book as the venue sends it: numbers as strings, best level LAST.
const venueBook = `{"market":"0xbd31dc8a20211944f6b70f31557f1001557b59905b7738480ca09bd4532f84af","asset_id":"52114319501245915516055106046884209969926127482827954674443846427813813222426",
"timestamp":"1710000000123","hash":"0a1b2c","bids":[{"price":"0.48","size":"30"},{"price":"0.49","size":"20"},{"price":"0.50","size":"15.5"}],
"asks":[{"price":"0.54","size":"100"},{"price":"0.53","size":"60"},{"price":"0.52","size":"25"}],"min_order_size":"5","tick_size":"0.01","neg_risk":false,"last_trade_price":"0.51"}`

func TestDecodeBookSortsBestFirst(t *testing.T) {
	b, err := clob.DecodeBook([]byte(venueBook))
	if err != nil {
		t.Fatal(err)
	}
	bid, _ := b.BestBid()
	ask, _ := b.BestAsk()
	if got, want := bid, (clob.Level{Price: 500_000, Size: 15_500_000}); got != want {
		t.Errorf("best bid = %+v, want %+v", got, want)
	}
	if got, want := ask, (clob.Level{Price: 520_000, Size: 25_000_000}); got != want {
		t.Errorf("best ask = %+v, want %+v", got, want)
	}
	if b.Bids[2].Price != 480_000 || b.Asks[2].Price != 540_000 {
		t.Errorf("levels not sorted: %+v %+v", b.Bids, b.Asks)
	}
	if b.TickSize != 10_000 || b.MinOrderSize != 5_000_000 || b.LastTradePrice != 510_000 || b.Timestamp.UnixMilli() != 1710000000123 {
		t.Errorf("book = %+v", b)
	}
	// The same book with levels in the opposite order decodes identically.
	rev := `{"asset_id":"1","bids":[{"price":"0.50","size":"15.5"},{"price":"0.48","size":"30"},{"price":"0.49","size":"20"}],"asks":[{"price":"0.52","size":"25"},{"price":"0.54","size":"100"},{"price":"0.53","size":"60"}]}`
	b2, err := clob.DecodeBook([]byte(rev))
	if err != nil {
		t.Fatal(err)
	}
	for i := range b.Bids {
		if b.Bids[i] != b2.Bids[i] || b.Asks[i] != b2.Asks[i] {
			t.Errorf("level %d differs with another array order", i)
		}
	}
}

func TestDecodeErrorsAreMalformed(t *testing.T) {
	for name, fn := range map[string]func() error{
		"truncated book": func() error { _, err := clob.DecodeBook([]byte(venueBook[:100])); return err },
		"no asset":       func() error { _, err := clob.DecodeBook([]byte(`{"bids":[]}`)); return err },
		"price out of 0-1": func() error {
			_, err := clob.DecodeBook([]byte(`{"asset_id":"1","bids":[{"price":"1.5","size":"1"}]}`))
			return err
		},
		"bad price text": func() error {
			_, err := clob.DecodeBook([]byte(`{"asset_id":"1","asks":[{"price":"0.5x","size":"1"}]}`))
			return err
		},
		"no mid":     func() error { _, err := clob.DecodeMidpoint([]byte(`{}`)); return err },
		"weird tick": func() error { _, err := clob.DecodeTickSize([]byte(`{"minimum_tick_size":0.02}`)); return err },
		"order side": func() error { _, err := clob.DecodeOrder([]byte(`{"id":"0x1","side":"HOLD"}`)); return err },
		"overfilled": func() error {
			_, err := clob.DecodeOrder([]byte(`{"id":"0x1","side":"BUY","original_size":"5","size_matched":"6"}`))
			return err
		},
		"trade no size": func() error {
			_, _, err := clob.DecodeTrades([]byte(`{"data":[{"id":"t1","price":"0.5"}]}`))
			return err
		},
		"balance text":  func() error { _, err := clob.DecodeBalance([]byte(`{"balance":"lots"}`)); return err },
		"success no id": func() error { _, err := clob.DecodeOrderResponse([]byte(`{"success":true}`)); return err },
	} {
		if err := fn(); !errors.Is(err, polymarket.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

func TestDecodeSmallThings(t *testing.T) {
	for _, tc := range []struct {
		body string
		want vig.Micros
	}{{`{"mid_price":"0.455"}`, 455_000}, {`{"mid":"0.45"}`, 450_000}, {`{"mid_price":0.5}`, 500_000}} {
		if got, err := clob.DecodeMidpoint([]byte(tc.body)); err != nil || got != tc.want {
			t.Errorf("midpoint %s = %v, %v; want %v", tc.body, got, err, tc.want)
		}
	}
	if got, err := clob.DecodeTickSize([]byte(`{"minimum_tick_size": 0.001}`)); err != nil || got != 1000 {
		t.Errorf("tick = %v, %v", got, err)
	}
	b, err := clob.DecodeBalance([]byte(`{"balance":"10000000000","allowance":"115792089237316195423570985008687907853269984665640564039457584007913129639935"}`))
	if err != nil || b.Balance != 10_000_000_000 || b.Allowance != 1<<63-1 {
		t.Errorf("balance = %+v, %v", b, err)
	}
	for in, want := range map[string]clob.OrderStatus{"matched": clob.StatusMatched, "LIVE": clob.StatusLive, "ORDER_STATUS_LIVE": clob.StatusLive,
		"CANCELLED": clob.StatusCanceled, "canceled_market_resolved": clob.StatusCanceledMarketResolved, "unmatched": clob.StatusUnmatched} {
		if got := clob.NormalizeStatus(in); got != want {
			t.Errorf("NormalizeStatus(%q) = %q, want %q", in, got, want)
		}
	}
	r, err := clob.DecodeOrderResponse([]byte(`{"success":true,"errorMsg":"","orderID":"0xabc","transactionsHashes":["0x1"],"status":"matched","takingAmount":"100","makingAmount":"50.5"}`))
	if err != nil || r.Status != clob.StatusMatched || r.TakingAmount != 100_000_000 || r.MakingAmount != 50_500_000 || !r.Status.Done() {
		t.Errorf("order response = %+v, %v", r, err)
	}
	c, err := clob.DecodeCancel([]byte(`{"canceled":["0x1"],"not_canceled":{"0x2":"order not found"}}`))
	if err != nil || len(c.Canceled) != 1 || c.NotCanceled["0x2"] == "" {
		t.Errorf("cancel = %+v, %v", c, err)
	}
}

// Fuzz targets: no input may panic; decoded books are always sorted and in
// range.
func FuzzDecodeBook(f *testing.F) {
	f.Add([]byte(venueBook))
	f.Add([]byte(`{"asset_id":"1","bids":[{"price":"0.1","size":"1e5"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		book, err := clob.DecodeBook(b)
		if err != nil {
			return
		}
		for i := 1; i < len(book.Bids); i++ {
			if book.Bids[i].Price > book.Bids[i-1].Price {
				t.Fatalf("bids not sorted: %+v", book.Bids)
			}
		}
		for i := 1; i < len(book.Asks); i++ {
			if book.Asks[i].Price < book.Asks[i-1].Price {
				t.Fatalf("asks not sorted: %+v", book.Asks)
			}
		}
		for _, l := range append(book.Bids, book.Asks...) {
			if l.Price <= 0 || l.Price >= 1_000_000 || l.Size <= 0 {
				t.Fatalf("level out of range: %+v", l)
			}
		}
	})
}

func FuzzDecodeOrders(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":"0x1","status":"LIVE","side":"BUY","original_size":"10","size_matched":"2.5","price":"0.55","expiration":"0","created_at":1710000000}],"next_cursor":"LTE="}`))
	f.Add([]byte(`{"data":[{"id":"t","side":"sell","size":"1","price":"0.5","match_time":"1710000000","maker_orders":[{"order_id":"0x2","matched_amount":"1","price":"0.5"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if os, _, err := clob.DecodeOrders(b); err == nil {
			for _, o := range os {
				if o.SizeMatched > o.OriginalSize || (o.Side != "BUY" && o.Side != "SELL") {
					t.Fatalf("accepted an impossible order: %+v", o)
				}
			}
		}
		clob.DecodeTrades(b)
		clob.DecodeOrder(b)
		clob.DecodeOrderResponse(b)
		clob.DecodeOrderResponses(b)
		clob.DecodeCancel(b)
		clob.DecodeBalance(b)
		clob.DecodeMarket(b)
	})
}

func FuzzDecodeScalars(f *testing.F) {
	f.Add([]byte(`{"mid_price":"0.45"}`))
	f.Add([]byte(`{"price":"0.99"}`))
	f.Add([]byte(`{"minimum_tick_size":0.01}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		clob.DecodePrice(b)
		clob.DecodeMidpoint(b)
		if tick, err := clob.DecodeTickSize(b); err == nil && tick <= 0 {
			t.Fatalf("tick %v accepted", tick)
		}
	})
}
