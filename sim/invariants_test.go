package sim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

// TestEngineInvariants drives random orders, cancels and time steps from a
// few accounts and checks the books and balances after each.
func TestEngineInvariants(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
	s := New(Config{Seed: 99, Clock: clk, OpenMarkets: 12, CloseEvery: 2 * time.Minute, InitialBalance: 500 * one})
	r := rand.New(rand.NewPCG(1, 2))
	addrs := []string{
		"0x00000000000000000000000000000000000000a1", "0x00000000000000000000000000000000000000a2",
		"0x00000000000000000000000000000000000000a3", "0x00000000000000000000000000000000000000a4",
	}
	types := []string{OrderGTC, OrderGTC, OrderFAK, OrderFOK, OrderGTD}
	var ids []string
	for i := range 3000 {
		s.mu.Lock()
		s.advance()
		var open []*token
		for _, m := range s.markets {
			if !m.ev.closed {
				open = append(open, m.tokens[0], m.tokens[1])
			}
		}
		tok := open[r.IntN(min(6, len(open)))]
		s.touch(tok)
		mid, _ := tok.book.mid()
		s.mu.Unlock()
		n := r.IntN(len(addrs))
		switch k := r.IntN(20); {
		case k < 13:
			tick := tok.m.ev.tick
			p := clampM(floorTick(mid+vig.Micros(r.Int64N(80_001)-40_000), tick), tick, one-tick)
			side := []string{"BUY", "SELL"}[r.IntN(2)]
			req := OrderRequest{Owner: addrs[n], Maker: addrs[n], TokenID: tok.id, Side: side, Price: p,
				Size: vig.Micros(5+r.IntN(60)) * one, Type: types[r.IntN(len(types))], PostOnly: r.IntN(10) == 0}
			if req.Type == OrderGTD {
				req.Expiration = s.Now().Add(time.Duration(61+r.IntN(120)) * time.Second)
			}
			if res, err := s.PlaceOrder(req); err == nil {
				ids = append(ids, res.OrderID)
			}
		case k < 16 && len(ids) > 0:
			s.CancelOrder(addrs[n], ids[r.IntN(len(ids))])
		case k < 17:
			s.Heartbeat(addrs[n], "")
		default:
			clk.Advance(time.Duration(r.IntN(20_000)) * time.Millisecond)
		}
		if msg := s.checkInvariants(); msg != "" {
			t.Fatalf("after step %d: %s", i, msg)
		}
	}
	st := s.State()
	t.Logf("%+v", st)
	if st.Trades < 100 || st.ResolvedMarkets == 0 {
		t.Errorf("too little happened: %+v", st)
	}
}

// checkInvariants returns a description of the first broken invariant.
func (s *Sim) checkInvariants() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	wantCash := map[string]vig.Micros{}
	wantShares := map[*position]vig.Micros{}
	onBook := map[*order]int{}
	for _, t := range s.tokenByID {
		if t.book == nil {
			continue
		}
		for sd, ls := range [][]*level{t.book.bids, t.book.asks} {
			for i, lv := range ls {
				if lv.empty() {
					return "empty level on " + t.id
				}
				if i > 0 && !better(side(sd), ls[i-1].price, lv.price) {
					return "levels out of order on " + t.id
				}
				if lv.price%t.m.ev.tick != 0 || lv.price < t.m.ev.tick || lv.price > one-t.m.ev.tick {
					return "level off tick on " + t.id
				}
				for _, o := range lv.orders {
					onBook[o]++
					if o.status != StatusLive || o.side != side(sd) || o.price != lv.price || o.tok != t || o.remaining() <= 0 {
						return "bad order on book: " + o.id
					}
				}
			}
		}
		if bid, ok := t.book.best(sideBuy); ok {
			if ask, ok := t.book.best(sideSell); ok && bid >= ask {
				return "crossed book on " + t.id
			}
		}
	}
	for _, o := range s.orders {
		live := o.status == StatusLive
		if live != (onBook[o] == 1) || onBook[o] > 1 {
			return "order " + o.id + " " + o.status + " on book " + string(rune('0'+onBook[o])) + " times"
		}
		if o.matched > o.size || o.matched < 0 {
			return "order overfilled: " + o.id
		}
		if live {
			if o.side == sideBuy {
				wantCash[o.maker] += cost(o.price, o.remaining())
			} else {
				wantShares[s.accounts[o.maker].position(o.tok)] += o.remaining()
			}
		}
	}
	for addr, a := range s.accounts {
		if a.reservedCash != wantCash[addr] {
			return "reserved pUSD of " + addr + " is " + a.reservedCash.String() + ", want " + wantCash[addr].String()
		}
		if a.cash < 0 || a.reservedCash > a.cash {
			return "pUSD of " + addr + " is " + a.cash.String() + " with " + a.reservedCash.String() + " reserved"
		}
		for _, p := range a.pos {
			if p.reserved != wantShares[p] || p.size < 0 || p.reserved > p.size || p.cost < 0 {
				return "position of " + addr + " in " + p.tok.id + " inconsistent"
			}
		}
	}
	return ""
}
