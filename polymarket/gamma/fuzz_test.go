package gamma_test

import (
	"errors"
	"testing"
	"time"

	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/gamma"
)

var fuzzFixtures = []string{
	"composite_market.json", "negrisk_market.json", "strings_market.json",
	"mismatched_market.json", "resolved_market.json",
}

// checkMarket asserts what every decoded market guarantees.
func checkMarket(t *testing.T, m gamma.Market) {
	t.Helper()
	if m.ID == "" {
		t.Fatal("decoded a market without an id")
	}
	if m.Outcomes != nil && m.ClobTokenIDs != nil && len(m.Outcomes) != len(m.ClobTokenIDs) {
		t.Fatalf("%d outcomes but %d token ids", len(m.Outcomes), len(m.ClobTokenIDs))
	}
	if len(m.ClobTokenIDs) > 0 && m.Outcomes == nil {
		t.Fatal("token ids without outcomes")
	}
	for _, tok := range m.ClobTokenIDs {
		if tok == "" || len(tok) > 78 {
			t.Fatalf("token id %q", tok)
		}
		for _, c := range tok {
			if c < '0' || c > '9' {
				t.Fatalf("token id %q is not decimal", tok)
			}
		}
	}
	if m.OutcomePrices != nil && len(m.OutcomePrices) != len(m.Outcomes) {
		t.Fatalf("%d prices for %d outcomes", len(m.OutcomePrices), len(m.Outcomes))
	}
	inRange := func(p int64) bool { return p >= 0 && p <= 1_000_000 }
	ok := inRange(int64(m.BestBid)) && inRange(int64(m.BestAsk)) && inRange(int64(m.LastTradePrice)) && inRange(int64(m.Spread))
	for _, p := range m.OutcomePrices {
		ok = ok && inRange(int64(p))
	}
	if !ok && len(m.Issues) == 0 {
		t.Fatalf("price outside [0,1] but the market is not flagged: %+v", m)
	}
	if i, fav := m.Favourite(); fav {
		if _, _, p, ok := m.Outcome(i); !ok || p <= 0 || p > 1_000_000 {
			t.Fatalf("Favourite %d is not a priced outcome", i)
		}
	}
	for _, tm := range []time.Time{m.StartDate, m.EndDate, m.ClosedTime} {
		if tm.Location() != time.UTC {
			t.Fatalf("time %v not in UTC", tm)
		}
	}
}

func FuzzDecodeMarket(f *testing.F) {
	for _, name := range fuzzFixtures {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(marketJSON(3)))
	f.Add([]byte(`{"id":1,"outcomes":["a"],"clobTokenIds":[1],"outcomePrices":[1e-7]}`))
	f.Add([]byte(`{"id":"1","outcomes":"[\"\\u00e9\\ud83d\\ude00\"]","clobTokenIds":"[\"12\"]","bestBid":"1.0000005"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := gamma.DecodeMarket(b)
		if err != nil {
			if !errors.Is(err, polymarket.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		checkMarket(t, m)
	})
}

func FuzzDecodeMarkets(f *testing.F) {
	for _, name := range fuzzFixtures {
		f.Add([]byte("[" + string(fixture(f, name)) + "]"))
	}
	f.Add([]byte(`{"markets":[` + marketJSON(1) + `,` + string(fixture(f, "mismatched_market.json")) + `],"next_cursor":"MTAw"}`))
	f.Add([]byte(`{"markets":null,"next_cursor":null}`))
	f.Add([]byte(`[5,{"id":"1"},"x",null]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := gamma.DecodeMarkets(b)
		if err != nil {
			if !errors.Is(err, polymarket.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if ms != nil {
				t.Fatal("markets returned with an error")
			}
			return
		}
		for _, m := range ms {
			checkMarket(t, m)
		}
	})
}
