package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/vig-bot/vig"
)

// houseEpoch is how often (sim time) the house requotes a book: it pulls
// its liquidity and posts fresh levels around the current fair price.
const houseEpoch = 15 * time.Second

// HouseAddress and HouseOwner identify the house account (the sim's market
// maker) in trades: maker_address/owner of its orders.
const (
	HouseAddress = "0x5157000000000000000000000000000000000001"
	HouseOwner   = "51570000-0000-4000-8000-000000000001"
)

// side is an order side.
type side int

const (
	sideBuy side = iota
	sideSell
)

func (sd side) String() string {
	if sd == sideBuy {
		return "BUY"
	}
	return "SELL"
}

func (sd side) opposite() side { return 1 - sd }

// level is one price level: user orders in time priority, then the house's
// size, which always queues behind users at the same price.
type level struct {
	price  vig.Micros
	house  vig.Micros
	orders []*order
}

// size is the level's total resting size.
func (l *level) size() vig.Micros {
	n := l.house
	for _, o := range l.orders {
		n += o.remaining()
	}
	return n
}

func (l *level) empty() bool { return l.house == 0 && len(l.orders) == 0 }

// book is one token's order book.
type book struct {
	bids  []*level // best (highest) first
	asks  []*level // best (lowest) first
	epoch int64    // house epoch last quoted
}

// levels returns the levels holding resting orders of side sd.
func (b *book) levels(sd side) *[]*level {
	if sd == sideBuy {
		return &b.bids
	}
	return &b.asks
}

// best returns the best price resting on side sd.
func (b *book) best(sd side) (vig.Micros, bool) {
	l := *b.levels(sd)
	if len(l) == 0 {
		return 0, false
	}
	return l[0].price, true
}

// better reports whether price a ranks before b on side sd.
func better(sd side, a, b vig.Micros) bool {
	if sd == sideBuy {
		return a > b
	}
	return a < b
}

// crosses reports whether an order of side sd at limit can trade at p.
func crosses(sd side, limit, p vig.Micros) bool {
	if sd == sideBuy {
		return p <= limit
	}
	return p >= limit
}

// level returns the level of side sd at price, creating it in order.
func (b *book) level(sd side, price vig.Micros) *level {
	ls := b.levels(sd)
	i := sort.Search(len(*ls), func(i int) bool { return !better(sd, (*ls)[i].price, price) })
	if i < len(*ls) && (*ls)[i].price == price {
		return (*ls)[i]
	}
	lv := &level{price: price}
	*ls = slices.Insert(*ls, i, lv)
	return lv
}

// prune drops empty levels.
func (b *book) prune() {
	b.bids = slices.DeleteFunc(b.bids, (*level).empty)
	b.asks = slices.DeleteFunc(b.asks, (*level).empty)
}

// touch brings t's book to the current house epoch, creating it if needed.
// The caller holds s.mu and has advanced s.now.
func (s *Sim) touch(t *token) {
	if t.closed() {
		return
	}
	s.walkTo(t.m.ev, s.now)
	ep := s.now.UnixNano() / int64(houseEpoch)
	if t.book == nil {
		t.book = &book{epoch: math.MinInt64}
	}
	if t.book.epoch == ep {
		return
	}
	t.book.epoch = ep
	s.requote(t, rand.New(rand.NewPCG(t.seed, uint64(ep))), true)
}

// requote replaces the house's liquidity on t with fresh levels around the
// fair price. New house levels that cross resting user orders trade with
// them, as when the market moves through a stale quote. With flow set, the
// house then also trades as other traders would: a random taker order may
// hit the best bid and/or lift the best ask.
func (s *Sim) requote(t *token, r *rand.Rand, flow bool) {
	b := t.book
	for _, lv := range b.bids {
		lv.house = 0
	}
	for _, lv := range b.asks {
		lv.house = 0
	}
	b.prune()
	tick := t.m.ev.tick
	bid, ask := quote(r, t.fair(), tick)
	spacing := max(1, vig.Micros(5_000+r.Int64N(15_001))/tick) * tick
	na, nb := 3+r.IntN(5), 3+r.IntN(5)
	for i := range na {
		p := ask + vig.Micros(i)*spacing
		if p > one-tick {
			break
		}
		s.houseQuote(t, sideSell, p, houseSize(r, i))
	}
	for i := range nb {
		p := bid - vig.Micros(i)*spacing
		if p < tick {
			break
		}
		s.houseQuote(t, sideBuy, p, houseSize(r, i))
	}
	if !flow {
		return
	}
	for _, sd := range []side{sideBuy, sideSell} {
		if r.IntN(100) < 35 {
			depth := vig.Micros(0)
			if r.IntN(4) == 0 {
				depth = vig.Micros(1+r.IntN(3)) * spacing // a sweep through deeper levels
			}
			s.houseTake(t, sd, flowSize(r), depth)
		}
	}
	s.refill(t) // a sweep may have emptied a thin side
}

// refill requotes t when a taker emptied a side, so a book never stays
// empty. It draws from its own stream so it leaves the epoch's alone.
func (s *Sim) refill(t *token) {
	if t.book == nil || (len(t.book.bids) > 0 && len(t.book.asks) > 0) {
		return
	}
	t.refills++
	s.requote(t, rand.New(rand.NewPCG(t.seed^0x7265666c, t.refills)), false)
}

// quote returns the house's best bid and ask around fair f, on tick, with
// both inside [tick, 1−tick] and at least one tick apart.
func quote(r *rand.Rand, f, tick vig.Micros) (bid, ask vig.Micros) {
	h := vig.Micros(3_000 + r.Int64N(12_001)) // half spread 0.003–0.015
	return quoteAt(f, h, tick)
}

func quoteAt(f, h, tick vig.Micros) (bid, ask vig.Micros) {
	bid = max(floorTick(f-h, tick), tick)
	ask = ceilTick(f+h, tick)
	if ask <= bid {
		ask = bid + tick
	}
	if ask > one-tick {
		ask = one - tick
		if bid >= ask {
			bid = ask - tick
		}
	}
	return bid, ask
}

// quoteAround is the house quote without randomness, for markets that
// close before anyone looked at their book.
func (s *Sim) quoteAround(t *token) (bid, ask vig.Micros) {
	return quoteAt(t.fair(), 5_000, t.m.ev.tick)
}

// houseSize draws the size of the house level i levels from the touch:
// tens to thousands of shares, deeper levels bigger, two decimals.
func houseSize(r *rand.Rand, i int) vig.Micros {
	v := math.Exp(math.Log(120)+1.0*r.NormFloat64()) * (1 + 0.6*float64(i))
	v = math.Max(10, math.Min(5_000, v))
	return vig.Micros(math.Round(v*100)) * 10_000
}

// flowSize draws the size of another trader's taker order.
func flowSize(r *rand.Rand) vig.Micros {
	v := math.Max(5, math.Min(3_000, math.Exp(math.Log(50)+1.1*r.NormFloat64())))
	return vig.Micros(math.Round(v*100)) * 10_000
}

// houseQuote posts house size at price on side sd, trading first with any
// user orders it crosses.
func (s *Sim) houseQuote(t *token, sd side, price, size vig.Micros) {
	o := &order{house: true, tok: t, side: sd, price: price, size: size, typ: OrderGTC, owner: HouseOwner, maker: HouseAddress}
	s.match(o)
	if rem := o.remaining(); rem > 0 {
		t.book.level(sd, price).house += rem
	}
}

// houseTake sends another trader's taker order of side sd, limited to the
// best opposite price moved depth deeper into the book.
func (s *Sim) houseTake(t *token, sd side, size, depth vig.Micros) {
	p, ok := t.book.best(sd.opposite())
	if !ok {
		return
	}
	tick := t.m.ev.tick
	if sd == sideBuy {
		p = min(p+depth, one-tick)
	} else {
		p = max(p-depth, tick)
	}
	s.match(&order{house: true, tok: t, side: sd, price: p, size: size, typ: OrderFAK, owner: HouseOwner, maker: HouseAddress})
}

// fillable returns how much of o could trade now, for FOK.
func (s *Sim) fillable(o *order) vig.Micros {
	var n vig.Micros
	for _, lv := range *o.tok.book.levels(o.side.opposite()) {
		if !crosses(o.side, o.price, lv.price) {
			break
		}
		n += lv.size()
		if n >= o.remaining() {
			break
		}
	}
	return n
}

// match trades taker o against the opposite side of its book, best price
// first, users before the house within a level, at the resting price.
func (s *Sim) match(o *order) {
	b := o.tok.book
	ls := b.levels(o.side.opposite())
	for len(*ls) > 0 && o.remaining() > 0 {
		lv := (*ls)[0]
		if !crosses(o.side, o.price, lv.price) {
			break
		}
		for len(lv.orders) > 0 && o.remaining() > 0 {
			m := lv.orders[0]
			s.fill(o, m, lv.price, min(o.remaining(), m.remaining()))
			if m.remaining() == 0 {
				lv.orders = lv.orders[1:]
				m.status = StatusMatched
				s.reserve(m)
				s.unrest(m)
			}
		}
		if q := min(o.remaining(), lv.house); q > 0 {
			lv.house -= q
			s.fill(o, nil, lv.price, q)
		}
		if lv.empty() {
			*ls = (*ls)[1:]
		}
	}
}

// mid returns the midpoint of the best bid and ask, or the one side there.
func (b *book) mid() (vig.Micros, bool) {
	bid, okb := b.best(sideBuy)
	ask, oka := b.best(sideSell)
	switch {
	case okb && oka:
		return (bid + ask) / 2, true
	case okb:
		return bid, true
	case oka:
		return ask, true
	}
	return 0, false
}
