package sim

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vig-bot/vig"
)

// UMA resolution statuses as Gamma reports them.
const (
	umaNone     = ""
	umaDisputed = "disputed"
	umaResolved = "resolved"
)

// walkSteps is how many random-walk steps an event's fair prices take
// between its creation and its end date.
const walkSteps = 240

// event is a Gamma event: one binary market, or a neg-risk group of 3–6
// mutually exclusive markets.
type event struct {
	id, slug, ticker, title, description, resolutionSource string
	seq                                                    int64
	cat                                                    *tag
	tags                                                   []*tag
	negRisk                                                bool
	negRiskMarketID                                        string
	markets                                                []*market
	created, start, end                                    time.Time
	tick                                                   vig.Micros
	commentCount                                           int
	featured                                               bool

	// fairs is the outcome model in micro-probability, summing to 1e6: the
	// market's two outcomes for a binary event, each market's Yes for a
	// neg-risk event. It random-walks until the end date.
	fairs      []vig.Micros
	initial    []vig.Micros
	lo, hi     vig.Micros // walk bounds
	walk       *rand.Rand // walk steps, then the winner draw
	step       int        // walk steps taken
	steps      int        // walk steps until end
	walkEvery  time.Duration
	sigma      float64
	disputed   bool          // closes into a UMA dispute and resolves later
	resolveIn  time.Duration // dispute length
	closed     bool
	resolved   bool
	closedAt   time.Time
	resolvedAt time.Time
	winner     int // index into fairs; -1 until resolved
	fairsAtEnd []vig.Micros
}

// market is one binary market (a condition) with two tokens.
type market struct {
	id                            string
	seq                           int64
	ev                            *event
	idx                           int // index within the event
	question, slug, description   string
	groupItemTitle                string
	conditionID, questionID       string
	outcomes                      [2]string
	tokens                        [2]*token
	minSize                       vig.Micros
	volume, volume24h, liquidity  vig.Micros
	bestBid, bestAsk              vig.Micros // frozen at close
	winner                        int        // token index that won; -1 until resolved
	negRiskRequestID, umaBond     string
	rewardsMinSize, rewardsSpread vig.Micros
}

// token is one outcome token of a market, with its order book.
type token struct {
	id        string
	seq       int64
	m         *market
	idx       int
	seed      uint64 // house randomness, combined with the epoch
	book      *book  // nil until first touched, and again once closed
	lastTrade vig.Micros
	refills   uint64
}

// fair returns the token's current fair price.
func (t *token) fair() vig.Micros {
	e := t.m.ev
	if e.negRisk {
		y := e.fairs[t.m.idx]
		if t.idx == 0 {
			return y
		}
		return one - y
	}
	return e.fairs[t.idx]
}

// outcome returns the token's outcome name.
func (t *token) outcome() string { return t.m.outcomes[t.idx] }

// closed reports whether the token's market stopped trading.
func (t *token) closed() bool { return t.m.ev.closed }

func sortTokens(ts []*token) {
	slices.SortFunc(ts, func(a, b *token) int { return int(a.seq - b.seq) })
}

// timerKind names what a scheduled timer does.
type timerKind int

const (
	timerClose   timerKind = iota // an event reaches its end date
	timerResolve                  // a disputed event resolves
	timerDrop                     // a resolved event is forgotten
	timerExpire                   // a GTD order expires
	timerDeadman                  // an owner's heartbeat deadline
)

type timer struct {
	at    time.Time
	seq   uint64
	kind  timerKind
	ev    *event
	ord   *order
	owner string
}

// timerHeap orders timers by time, then by scheduling order.
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(*timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
func (h *timerHeap) pop() *timer { return heap.Pop(h).(*timer) }

// schedule adds a timer. The caller holds s.mu.
func (s *Sim) schedule(t *timer) {
	s.seq++
	t.seq = s.seq
	heap.Push(&s.sched, t)
}

// fire runs one due timer. The caller holds s.mu.
func (s *Sim) fire(t *timer) {
	switch t.kind {
	case timerClose:
		s.closeEvent(t.ev, t.at)
	case timerResolve:
		s.resolveEvent(t.ev, t.at)
	case timerDrop:
		s.dropEvent(t.ev)
	case timerExpire:
		if t.ord.status == StatusLive {
			s.cancelOrder(t.ord, StatusCanceled)
		}
	case timerDeadman:
		hb := s.heartbeats[t.owner]
		if hb == nil || !hb.deadline.Equal(t.at) {
			return // refreshed since
		}
		delete(s.heartbeats, t.owner)
		n := 0
		for _, o := range s.ownerOrders[t.owner] {
			if o.status == StatusLive {
				s.cancelOrder(o, StatusCanceled)
				n++
			}
		}
		s.log.Info("heartbeat lapsed: canceled open orders", "owner", t.owner, "orders", n)
	}
}

// topUp opens events until OpenMarkets markets are open. initial spreads
// creation dates into the past, as for a venue that existed before Start.
func (s *Sim) topUp(at time.Time, initial bool) {
	for s.openCount < s.cfg.OpenMarkets {
		end := s.nextEnd
		s.nextEnd = s.nextEnd.Add(s.cfg.CloseEvery)
		created := at
		if initial {
			created = at.Add(-time.Duration(s.world.Int64N(int64(30 * 24 * time.Hour))))
		}
		e := s.newEvent(created, end)
		s.events = append(s.events, e)
		s.eventByID[e.id] = e
		for _, m := range e.markets {
			s.markets = append(s.markets, m)
			s.marketByID[m.id] = m
			s.marketByCID[m.conditionID] = m
			for _, t := range m.tokens {
				s.tokenByID[t.id] = t
			}
		}
		s.openCount += len(e.markets)
		s.schedule(&timer{at: end, kind: timerClose, ev: e})
	}
}

// walkTo advances e's fair prices to sim time t (at most to the end date).
// Steps depend only on the event's own seeded stream, never on when they
// are computed.
func (s *Sim) walkTo(e *event, t time.Time) {
	target := e.steps
	if t.Before(e.end) {
		target = min(int(t.Sub(e.created)/e.walkEvery), e.steps)
	}
	for ; e.step < target; e.step++ {
		if e.negRisk {
			for i, p := range e.fairs {
				d := e.walk.NormFloat64() * e.sigma * float64(p) * float64(one-p) / 1e6
				e.fairs[i] = clampM(p+vig.Micros(math.Round(d)), e.lo, e.hi)
			}
			normalize(e.fairs, e.lo)
			continue
		}
		p := e.fairs[0]
		d := e.walk.NormFloat64() * e.sigma * float64(p) * float64(one-p) / 1e6
		p = clampM(p+vig.Micros(math.Round(d)), e.lo, e.hi)
		e.fairs[0], e.fairs[1] = p, one-p
	}
}

// normalize scales fs to sum to exactly one, keeping each at least lo.
func normalize(fs []vig.Micros, lo vig.Micros) {
	var total int64
	for _, f := range fs {
		total += int64(f)
	}
	var sum vig.Micros
	big := 0
	for i, f := range fs {
		fs[i] = max(vig.Micros(int64(f)*int64(one)/total), lo)
		sum += fs[i]
		if fs[i] > fs[big] {
			big = i
		}
	}
	fs[big] += one - sum
}

func clampM(v, lo, hi vig.Micros) vig.Micros { return max(lo, min(hi, v)) }

// closeEvent runs at e's end date: trading stops, resting orders are
// canceled, books vanish, and the event resolves now or after a dispute.
func (s *Sim) closeEvent(e *event, at time.Time) {
	s.walkTo(e, e.end)
	e.fairsAtEnd = slices.Clone(e.fairs)
	for _, m := range e.markets {
		if b := m.tokens[0].book; b != nil {
			m.bestBid, _ = b.best(sideBuy)
			m.bestAsk, _ = b.best(sideSell)
		} else {
			m.bestBid, m.bestAsk = s.quoteAround(m.tokens[0])
		}
		for _, t := range m.tokens {
			s.clearBook(t)
		}
	}
	e.closed = true
	e.closedAt = at
	s.openCount -= len(e.markets)
	if e.disputed {
		s.schedule(&timer{at: at.Add(e.resolveIn), kind: timerResolve, ev: e})
	} else {
		s.resolveEvent(e, at)
	}
	s.topUp(at, false)
}

// clearBook cancels t's resting user orders (CANCELED_MARKET_RESOLVED) and
// removes its book.
func (s *Sim) clearBook(t *token) {
	if t.book == nil {
		return
	}
	var resting []*order
	for _, lv := range t.book.bids {
		resting = append(resting, lv.orders...)
	}
	for _, lv := range t.book.asks {
		resting = append(resting, lv.orders...)
	}
	for _, o := range resting {
		s.cancelOrder(o, StatusCanceledMarketResolved)
	}
	t.book = nil
}

// resolveEvent draws the winner from the fair prices at the end date.
func (s *Sim) resolveEvent(e *event, at time.Time) {
	u := vig.Micros(e.walk.Int64N(int64(one)))
	w := len(e.fairsAtEnd) - 1
	var acc vig.Micros
	for i, f := range e.fairsAtEnd {
		acc += f
		if u < acc {
			w = i
			break
		}
	}
	e.winner = w
	e.resolved = true
	e.resolvedAt = at
	s.log.Debug("event resolved", "event", e.id, "winner", w, "disputed", e.disputed, "at", at.Format(time.RFC3339))
	for i, m := range e.markets {
		switch {
		case !e.negRisk:
			m.winner = w
		case i == w:
			m.winner = 0 // Yes
		default:
			m.winner = 1 // No
		}
	}
	s.schedule(&timer{at: at.Add(s.cfg.KeepResolved), kind: timerDrop, ev: e})
}

// dropEvent forgets a long-resolved event, its markets, orders and trades.
func (s *Sim) dropEvent(e *event) {
	gone := map[*token]bool{}
	for _, m := range e.markets {
		delete(s.marketByID, m.id)
		delete(s.marketByCID, m.conditionID)
		delete(s.slugs, m.slug)
		for _, t := range m.tokens {
			delete(s.tokenByID, t.id)
			gone[t] = true
		}
	}
	delete(s.eventByID, e.id)
	delete(s.slugs, e.slug)
	s.events = slices.DeleteFunc(s.events, func(x *event) bool { return x == e })
	s.markets = slices.DeleteFunc(s.markets, func(m *market) bool { return m.ev == e })
	for id, o := range s.orders {
		if gone[o.tok] {
			delete(s.orders, id)
		}
	}
	for owner, os := range s.ownerOrders {
		s.ownerOrders[owner] = slices.DeleteFunc(os, func(o *order) bool { return gone[o.tok] })
	}
	for owner, ts := range s.ownerTrades {
		s.ownerTrades[owner] = slices.DeleteFunc(ts, func(t *trade) bool { return gone[t.tok] })
	}
}

// umaStatus returns the market's umaResolutionStatus and the JSON-encoded
// umaResolutionStatuses history.
func (e *event) umaStatus() (string, string) {
	switch {
	case e.resolved && e.disputed:
		return umaResolved, `["proposed","disputed","proposed","resolved"]`
	case e.resolved:
		return umaResolved, `["proposed","resolved"]`
	case e.closed:
		return umaDisputed, `["proposed","disputed"]`
	}
	return umaNone, `[]`
}

// ---- generation ----

// tickChoice is a tick size with its weight among new events.
type tickChoice struct {
	tick   vig.Micros
	weight int
}

var (
	binaryTicks = []tickChoice{{10_000, 50}, {1_000, 35}, {100_000, 4}, {100, 5}, {5_000, 3}, {2_500, 3}}
	negRiskTick = []tickChoice{{1_000, 60}, {10_000, 30}, {100, 10}}
)

// pickTick draws a tick size whose walk bounds still contain every fair.
func pickTick(r *rand.Rand, choices []tickChoice, fairs []vig.Micros, negRisk bool) vig.Micros {
	total := 0
	for _, c := range choices {
		total += c.weight
	}
	for {
		n := r.IntN(total)
		var c tickChoice
		for _, c = range choices {
			if n < c.weight {
				break
			}
			n -= c.weight
		}
		if negRisk {
			return c.tick
		}
		lo, _ := walkBounds(c.tick, false)
		if min(fairs[0], fairs[1]) >= lo {
			return c.tick
		}
	}
}

// walkBounds returns the range fair prices stay in, so both sides of every
// book can be quoted on tick.
func walkBounds(tick vig.Micros, negRisk bool) (vig.Micros, vig.Micros) {
	if negRisk {
		return 2_000, 990_000
	}
	lo := max(20_000, tick*5/2)
	return lo, one - lo
}

// newEvent generates the next event from the world stream.
func (s *Sim) newEvent(created, end time.Time) *event {
	r := s.world
	s.eventSeq++
	e := &event{
		seq:     s.eventSeq,
		id:      strconv.FormatInt(s.eventBase+s.eventSeq, 10),
		created: created,
		start:   created,
		end:     end,
		winner:  -1,
	}
	e.negRisk = r.IntN(100) < 25
	fav := vig.Micros(550_000 + r.Int64N(420_001)) // 0.55–0.97
	sp := genSpec(r, e.negRisk, end)
	n := len(sp.questions)
	if e.negRisk {
		e.fairs = negRiskFairs(r, fav, n)
		e.tick = pickTick(r, negRiskTick, e.fairs, true)
	} else {
		e.fairs = []vig.Micros{fav, one - fav}
		if r.IntN(2) == 0 {
			e.fairs[0], e.fairs[1] = e.fairs[1], e.fairs[0]
		}
		e.tick = pickTick(r, binaryTicks, e.fairs, false)
	}
	e.initial = slices.Clone(e.fairs)
	e.lo, e.hi = walkBounds(e.tick, e.negRisk)
	e.walk = rand.New(rand.NewPCG(r.Uint64(), r.Uint64()))
	e.walkEvery = max(end.Sub(created)/walkSteps, time.Second)
	e.steps = min(walkSteps, int(end.Sub(created)/e.walkEvery))
	e.sigma = 0.35 / math.Sqrt(walkSteps)
	e.disputed = r.IntN(100) < 10
	e.resolveIn = 2*time.Minute + time.Duration(r.Int64N(int64(8*time.Minute)))
	e.cat, e.tags = sp.cat, sp.tags
	e.title = sp.title
	e.description = sp.eventDescription
	e.resolutionSource = sp.resolutionSource
	e.slug = s.uniqueSlug(slugify(sp.title))
	e.ticker = e.slug
	e.commentCount = r.IntN(400)
	e.featured = r.IntN(50) == 0
	if e.negRisk {
		e.negRiskMarketID = "0x" + randHex(r, 31) + "00"
	}
	minSize := vig.Micros(5_000_000)
	switch r.IntN(10) {
	case 0:
		minSize = 1_000_000
	case 1:
		minSize = 10_000_000
	}
	for i := range n {
		s.marketSeq++
		m := &market{
			id:             strconv.FormatInt(s.marketBase+s.marketSeq, 10),
			seq:            s.marketSeq,
			ev:             e,
			idx:            i,
			question:       sp.questions[i],
			groupItemTitle: sp.groupItems[i],
			description:    sp.descriptions[i],
			outcomes:       sp.outcomes[i],
			conditionID:    "0x" + randHex(r, 32),
			minSize:        minSize,
			winner:         -1,
			umaBond:        []string{"500", "750", "1000"}[r.IntN(3)],
		}
		if e.negRisk {
			m.questionID = e.negRiskMarketID[:len(e.negRiskMarketID)-2] + fmt.Sprintf("%02x", i)
			m.negRiskRequestID = "0x" + randHex(r, 32)
		} else {
			m.questionID = "0x" + randHex(r, 32)
		}
		if n == 1 {
			m.slug = e.slug
		} else {
			m.slug = s.uniqueSlug(slugify(m.question))
		}
		m.volume = lognormal(r, 9.5, 1.6, 50, 50_000_000)
		m.volume24h = vig.Micros(float64(m.volume)*(0.02+0.3*r.Float64())) / 10_000 * 10_000
		m.liquidity = lognormal(r, 8.8, 1.0, 200, 2_000_000)
		m.rewardsMinSize = vig.Micros([]int64{20, 50, 100}[r.IntN(3)]) * one
		m.rewardsSpread = vig.Micros([]int64{3_500_000, 4_500_000, 5_500_000}[r.IntN(3)])
		for j := range 2 {
			s.tokenSeq++
			m.tokens[j] = &token{id: tokenID(r), seq: s.tokenSeq, m: m, idx: j, seed: r.Uint64()}
			m.tokens[j].lastTrade = roundTick(m.tokens[j].fair(), e.tick)
		}
		e.markets = append(e.markets, m)
	}
	return e
}

// negRiskFairs splits one into n outcome probabilities: the favourite fav,
// the rest shared at random, each at least 0.004.
func negRiskFairs(r *rand.Rand, fav vig.Micros, n int) []vig.Micros {
	w := make([]float64, n-1)
	var sum float64
	for i := range w {
		w[i] = r.ExpFloat64()
		sum += w[i]
	}
	fs := make([]vig.Micros, n)
	fi := r.IntN(n)
	fs[fi] = fav
	k := 0
	for i := range fs {
		if i == fi {
			continue
		}
		fs[i] = max(vig.Micros(float64(one-fav)*w[k]/sum), 4_000)
		k++
	}
	normalize(fs, 4_000)
	return fs
}

// lognormal draws exp(N(mu, sigma)) whole units clamped to [lo, hi], as Micros
// with two decimals.
func lognormal(r *rand.Rand, mu, sigma, lo, hi float64) vig.Micros {
	v := math.Exp(mu + sigma*r.NormFloat64())
	v = math.Max(lo, math.Min(hi, v))
	return vig.Micros(math.Round(v*100)) * 10_000
}

const hexDigits = "0123456789abcdef"

// randHex returns n random bytes as lower-case hex.
func randHex(r *rand.Rand, n int) string {
	b := make([]byte, 2*n)
	for i := range b {
		b[i] = hexDigits[r.IntN(16)]
	}
	return string(b)
}

// tokenID returns a uint256-looking decimal string of 70–77 digits.
func tokenID(r *rand.Rand) string {
	n := 77
	switch k := r.IntN(100); {
	case k < 35:
		n = 76
	case k < 41:
		n = 75
	case k < 45:
		n = 70 + r.IntN(5)
	}
	b := make([]byte, n)
	b[0] = byte('1' + r.IntN(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// uuid returns a random RFC 4122 version-4 style id.
func uuid(r *rand.Rand) string {
	h := randHex(r, 16)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string(hexDigits[8+r.IntN(4)]) + h[17:20] + "-" + h[20:]
}

// uniqueSlug returns base, or base-2, base-3… if taken.
func (s *Sim) uniqueSlug(base string) string {
	slug := base
	for i := 2; s.slugs[slug]; i++ {
		slug = base + "-" + strconv.Itoa(i)
	}
	s.slugs[slug] = true
	return slug
}

// slugify lower-cases s and joins its alphanumeric runs with hyphens.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}
