package sim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vig-bot/vig"
)

// Gamma list limits.
const (
	gammaDefaultLimit = 20
	gammaMaxLimit     = 500
	gammaMaxOffset    = 10_000
)

const (
	umaAdapter = "0x6A9D222616C90FcA5754cd1333cFD9b7fb6a4F74"
	imageBase  = "https://polymarket-upload.s3.us-east-2.amazonaws.com/sim/"
)

// ---- JSON shapes ----

type gammaTag struct {
	ID        string `json:"id"`
	Label     string `json:"label"`
	Slug      string `json:"slug"`
	ForceShow bool   `json:"forceShow"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

type feeSchedule struct {
	Exponent   json.Number `json:"exponent"`
	Rate       json.Number `json:"rate"`
	TakerOnly  bool        `json:"takerOnly"`
	RebateRate json.Number `json:"rebateRate"`
}

// gammaMarket is a Gamma market: ids as strings, outcomes, outcomePrices
// and clobTokenIds as JSON-encoded strings, volume/liquidity as strings
// next to their numeric twins.
type gammaMarket struct {
	ID                           string       `json:"id"`
	Question                     string       `json:"question"`
	ConditionID                  string       `json:"conditionId"`
	Slug                         string       `json:"slug"`
	ResolutionSource             string       `json:"resolutionSource"`
	EndDate                      string       `json:"endDate"`
	Liquidity                    string       `json:"liquidity"`
	StartDate                    string       `json:"startDate"`
	Image                        string       `json:"image"`
	Icon                         string       `json:"icon"`
	Description                  string       `json:"description"`
	Outcomes                     string       `json:"outcomes"`
	OutcomePrices                string       `json:"outcomePrices"`
	Volume                       string       `json:"volume"`
	Active                       bool         `json:"active"`
	Closed                       bool         `json:"closed"`
	MarketMakerAddress           string       `json:"marketMakerAddress"`
	CreatedAt                    string       `json:"createdAt"`
	UpdatedAt                    string       `json:"updatedAt"`
	ClosedTime                   string       `json:"closedTime,omitempty"`
	New                          bool         `json:"new"`
	Featured                     bool         `json:"featured"`
	SubmittedBy                  string       `json:"submitted_by"`
	Archived                     bool         `json:"archived"`
	ResolvedBy                   string       `json:"resolvedBy"`
	Restricted                   bool         `json:"restricted"`
	GroupItemTitle               string       `json:"groupItemTitle,omitempty"`
	GroupItemThreshold           string       `json:"groupItemThreshold,omitempty"`
	QuestionID                   string       `json:"questionID"`
	EnableOrderBook              bool         `json:"enableOrderBook"`
	OrderPriceMinTickSize        json.Number  `json:"orderPriceMinTickSize"`
	OrderMinSize                 json.Number  `json:"orderMinSize"`
	VolumeNum                    json.Number  `json:"volumeNum"`
	LiquidityNum                 json.Number  `json:"liquidityNum"`
	EndDateIso                   string       `json:"endDateIso"`
	StartDateIso                 string       `json:"startDateIso"`
	HasReviewedDates             bool         `json:"hasReviewedDates"`
	Volume24hr                   json.Number  `json:"volume24hr"`
	Volume1wk                    json.Number  `json:"volume1wk"`
	Volume1mo                    json.Number  `json:"volume1mo"`
	Volume1yr                    json.Number  `json:"volume1yr"`
	ClobTokenIds                 string       `json:"clobTokenIds"`
	UmaBond                      string       `json:"umaBond"`
	UmaReward                    string       `json:"umaReward"`
	Volume24hrClob               json.Number  `json:"volume24hrClob"`
	Volume1wkClob                json.Number  `json:"volume1wkClob"`
	Volume1moClob                json.Number  `json:"volume1moClob"`
	Volume1yrClob                json.Number  `json:"volume1yrClob"`
	VolumeClob                   json.Number  `json:"volumeClob"`
	LiquidityClob                json.Number  `json:"liquidityClob"`
	AcceptingOrders              bool         `json:"acceptingOrders"`
	NegRisk                      bool         `json:"negRisk"`
	NegRiskMarketID              string       `json:"negRiskMarketID,omitempty"`
	NegRiskRequestID             string       `json:"negRiskRequestID,omitempty"`
	Events                       []gammaEvent `json:"events,omitempty"`
	Ready                        bool         `json:"ready"`
	Funded                       bool         `json:"funded"`
	AcceptingOrdersTimestamp     string       `json:"acceptingOrdersTimestamp"`
	Cyom                         bool         `json:"cyom"`
	Competitive                  json.Number  `json:"competitive"`
	PagerDutyNotificationEnabled bool         `json:"pagerDutyNotificationEnabled"`
	Approved                     bool         `json:"approved"`
	ClobRewards                  []struct{}   `json:"clobRewards"`
	RewardsMinSize               json.Number  `json:"rewardsMinSize"`
	RewardsMaxSpread             json.Number  `json:"rewardsMaxSpread"`
	Spread                       json.Number  `json:"spread"`
	OneDayPriceChange            json.Number  `json:"oneDayPriceChange"`
	OneHourPriceChange           json.Number  `json:"oneHourPriceChange"`
	OneWeekPriceChange           json.Number  `json:"oneWeekPriceChange"`
	LastTradePrice               json.Number  `json:"lastTradePrice"`
	BestBid                      json.Number  `json:"bestBid"`
	BestAsk                      json.Number  `json:"bestAsk"`
	AutomaticallyActive          bool         `json:"automaticallyActive"`
	ClearBookOnStart             bool         `json:"clearBookOnStart"`
	ShowGmpSeries                bool         `json:"showGmpSeries"`
	ShowGmpOutcome               bool         `json:"showGmpOutcome"`
	ManualActivation             bool         `json:"manualActivation"`
	NegRiskOther                 bool         `json:"negRiskOther"`
	UmaResolutionStatus          string       `json:"umaResolutionStatus"`
	UmaResolutionStatuses        string       `json:"umaResolutionStatuses"`
	PendingDeployment            bool         `json:"pendingDeployment"`
	Deploying                    bool         `json:"deploying"`
	RfqEnabled                   bool         `json:"rfqEnabled"`
	HoldingRewardsEnabled        bool         `json:"holdingRewardsEnabled"`
	FeesEnabled                  bool         `json:"feesEnabled"`
	FeeType                      *string      `json:"feeType"`
	FeeSchedule                  feeSchedule  `json:"feeSchedule"`
	Tags                         []gammaTag   `json:"tags,omitempty"`
}

// gammaEvent is a Gamma event; inside a market's "events" it carries no
// markets.
type gammaEvent struct {
	ID                string        `json:"id"`
	Ticker            string        `json:"ticker"`
	Slug              string        `json:"slug"`
	Title             string        `json:"title"`
	Description       string        `json:"description"`
	ResolutionSource  string        `json:"resolutionSource"`
	StartDate         string        `json:"startDate"`
	CreationDate      string        `json:"creationDate"`
	EndDate           string        `json:"endDate"`
	Image             string        `json:"image"`
	Icon              string        `json:"icon"`
	Active            bool          `json:"active"`
	Closed            bool          `json:"closed"`
	Archived          bool          `json:"archived"`
	New               bool          `json:"new"`
	Featured          bool          `json:"featured"`
	Restricted        bool          `json:"restricted"`
	Liquidity         json.Number   `json:"liquidity"`
	Volume            json.Number   `json:"volume"`
	OpenInterest      json.Number   `json:"openInterest"`
	CreatedAt         string        `json:"createdAt"`
	UpdatedAt         string        `json:"updatedAt"`
	ClosedTime        string        `json:"closedTime,omitempty"`
	Competitive       json.Number   `json:"competitive"`
	Volume24hr        json.Number   `json:"volume24hr"`
	Volume1wk         json.Number   `json:"volume1wk"`
	Volume1mo         json.Number   `json:"volume1mo"`
	Volume1yr         json.Number   `json:"volume1yr"`
	EnableOrderBook   bool          `json:"enableOrderBook"`
	LiquidityClob     json.Number   `json:"liquidityClob"`
	NegRisk           bool          `json:"negRisk"`
	NegRiskMarketID   string        `json:"negRiskMarketID,omitempty"`
	CommentCount      int           `json:"commentCount"`
	Cyom              bool          `json:"cyom"`
	ShowAllOutcomes   bool          `json:"showAllOutcomes"`
	ShowMarketImages  bool          `json:"showMarketImages"`
	EnableNegRisk     bool          `json:"enableNegRisk"`
	NegRiskAugmented  bool          `json:"negRiskAugmented"`
	PendingDeployment bool          `json:"pendingDeployment"`
	Deploying         bool          `json:"deploying"`
	Markets           []gammaMarket `json:"markets,omitempty"`
	Tags              []gammaTag    `json:"tags,omitempty"`
}

func isoTime(t time.Time) string   { return t.UTC().Format(time.RFC3339) }
func microTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
func dateOnly(t time.Time) string  { return t.UTC().Format("2006-01-02") }
func closedTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05") + "+00"
}

// jsonStrings encodes xs as Gamma's JSON-encoded string arrays:
// ["Yes", "No"] with a space after each comma.
func jsonStrings(xs ...string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = string(marshal(x))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func renderTags(ts []*tag) []gammaTag {
	out := make([]gammaTag, len(ts))
	for i, t := range ts {
		out[i] = gammaTag{ID: t.id, Label: t.label, Slug: t.slug, CreatedAt: "2023-10-24T22:37:50.296Z", UpdatedAt: "2024-07-05T20:36:02.517Z"}
	}
	return out
}

// marketPrices returns the market's outcome prices, best bid/ask, last trade
// of outcome 0. The caller touched the market's books.
func (s *Sim) marketPrices(m *market) (prices [2]vig.Micros, bid, ask vig.Micros) {
	e := m.ev
	switch {
	case e.resolved:
		prices[m.winner] = one
		return prices, m.bestBid, m.bestAsk
	case e.closed:
		t := m.tokens[0]
		p := roundTick(t.fair(), e.tick)
		return [2]vig.Micros{p, one - p}, m.bestBid, m.bestAsk
	}
	b := m.tokens[0].book
	bid, _ = b.best(sideBuy)
	ask, _ = b.best(sideSell)
	p, _ := b.mid()
	return [2]vig.Micros{p, one - p}, bid, ask
}

// renderMarket returns m as Gamma shows it; withEvents adds the brief
// "events" array. The caller holds s.mu and touched m's books.
func (s *Sim) renderMarket(m *market, withEvents bool) gammaMarket {
	e := m.ev
	prices, bid, ask := s.marketPrices(m)
	uma, umas := e.umaStatus()
	var spread vig.Micros
	if ask > bid {
		spread = ask - bid
	}
	change := m.tokens[0].fair() - e.initialFor(m, 0)
	if e.closed {
		change = 0
	}
	updated := e.created
	if e.resolved {
		updated = e.resolvedAt
	} else if e.closed {
		updated = e.closedAt
	}
	gm := gammaMarket{
		ID: m.id, Question: m.question, ConditionID: m.conditionID, Slug: m.slug, ResolutionSource: e.resolutionSource,
		EndDate: isoTime(e.end), Liquidity: dec(m.liquidity), StartDate: isoTime(e.start),
		Image: imageBase + e.cat.slug + ".png", Icon: imageBase + e.cat.slug + ".png", Description: m.description,
		Outcomes:      jsonStrings(m.outcomes[0], m.outcomes[1]),
		OutcomePrices: jsonStrings(dec(prices[0]), dec(prices[1])),
		Volume:        dec(m.volume), Active: true, Closed: e.closed,
		CreatedAt: microTime(e.created), UpdatedAt: microTime(updated),
		New: s.now.Sub(e.created) < 24*time.Hour, Featured: e.featured, SubmittedBy: "0x91430CaD2d3975766499717fA0D66A78D814E5c5",
		ResolvedBy: umaAdapter, GroupItemTitle: m.groupItemTitle, QuestionID: m.questionID, EnableOrderBook: true,
		OrderPriceMinTickSize: num(e.tick), OrderMinSize: num(m.minSize),
		VolumeNum: num(m.volume), LiquidityNum: num(m.liquidity),
		EndDateIso: dateOnly(e.end), StartDateIso: dateOnly(e.start), HasReviewedDates: true,
		Volume24hr: num(m.volume24h), Volume1wk: num(min(m.volume, 5*m.volume24h)),
		Volume1mo: num(min(m.volume, 20*m.volume24h)), Volume1yr: num(m.volume),
		ClobTokenIds: jsonStrings(m.tokens[0].id, m.tokens[1].id), UmaBond: m.umaBond, UmaReward: "5",
		Volume24hrClob: num(m.volume24h), Volume1wkClob: num(min(m.volume, 5*m.volume24h)),
		Volume1moClob: num(min(m.volume, 20*m.volume24h)), Volume1yrClob: num(m.volume),
		VolumeClob: num(m.volume), LiquidityClob: num(m.liquidity),
		AcceptingOrders: !e.closed, NegRisk: e.negRisk, NegRiskMarketID: e.negRiskMarketID, NegRiskRequestID: m.negRiskRequestID,
		Ready: true, Funded: true, AcceptingOrdersTimestamp: isoTime(e.created),
		Competitive: num(competitive(prices[0])), Approved: true, ClobRewards: []struct{}{},
		RewardsMinSize: num(m.rewardsMinSize), RewardsMaxSpread: num(m.rewardsSpread), Spread: num(spread),
		OneDayPriceChange: num(change), OneHourPriceChange: num(0), OneWeekPriceChange: num(change),
		LastTradePrice: num(m.tokens[0].lastTrade), BestBid: num(bid), BestAsk: num(ask),
		UmaResolutionStatus: uma, UmaResolutionStatuses: umas,
		FeeSchedule: feeSchedule{Exponent: "1", Rate: "0", TakerOnly: true, RebateRate: "0"},
		Tags:        renderTags(e.tags),
	}
	if e.negRisk {
		gm.GroupItemThreshold = strconv.Itoa(m.idx)
	}
	if e.closed {
		gm.ClosedTime = closedTime(e.closedAt)
	}
	if withEvents {
		gm.Events = []gammaEvent{s.renderEvent(e, false)}
	}
	return gm
}

// initialFor returns a market token's fair price at creation.
func (e *event) initialFor(m *market, tok int) vig.Micros {
	if e.negRisk {
		if tok == 0 {
			return e.initial[m.idx]
		}
		return one - e.initial[m.idx]
	}
	return e.initial[tok]
}

// competitive is Gamma's 0..1 closeness-to-even score.
func competitive(p vig.Micros) vig.Micros {
	d := p - one/2
	if d < 0 {
		d = -d
	}
	return one - 2*d
}

// renderEvent returns e as Gamma shows it, with its markets if asked. The
// caller holds s.mu and, with markets, touched their books.
func (s *Sim) renderEvent(e *event, withMarkets bool) gammaEvent {
	var vol, vol24, liq vig.Micros
	for _, m := range e.markets {
		vol += m.volume
		vol24 += m.volume24h
		liq += m.liquidity
	}
	fav := slices.Max(e.fairs)
	ge := gammaEvent{
		ID: e.id, Ticker: e.ticker, Slug: e.slug, Title: e.title, Description: e.description,
		ResolutionSource: e.resolutionSource, StartDate: isoTime(e.start), CreationDate: isoTime(e.created),
		EndDate: isoTime(e.end), Image: imageBase + e.cat.slug + ".png", Icon: imageBase + e.cat.slug + ".png",
		Active: true, Closed: e.closed, New: s.now.Sub(e.created) < 24*time.Hour, Featured: e.featured,
		Liquidity: num(liq), Volume: num(vol), OpenInterest: num(liq / 2),
		CreatedAt: microTime(e.created), UpdatedAt: microTime(e.created),
		Competitive: num(competitive(fav)), Volume24hr: num(vol24), Volume1wk: num(min(vol, 5*vol24)),
		Volume1mo: num(min(vol, 20*vol24)), Volume1yr: num(vol), EnableOrderBook: true, LiquidityClob: num(liq),
		NegRisk: e.negRisk, NegRiskMarketID: e.negRiskMarketID, CommentCount: e.commentCount,
		ShowAllOutcomes: true, EnableNegRisk: e.negRisk, NegRiskAugmented: false,
		Tags: renderTags(e.tags),
	}
	if e.closed {
		ge.ClosedTime = closedTime(e.closedAt)
	}
	if withMarkets {
		ge.Markets = make([]gammaMarket, len(e.markets))
		for i, m := range e.markets {
			ge.Markets[i] = s.renderMarket(m, false)
		}
	}
	return ge
}

// touchMarket brings both of m's books up to date.
func (s *Sim) touchMarket(m *market) {
	for _, t := range m.tokens {
		s.touch(t)
	}
}

// ---- queries ----

// listQuery is a parsed Gamma list request.
type listQuery struct {
	limit, offset                        int
	after                                []int64 // keyset cursor: sort keys then seq
	active, closed, archived             *bool
	endMin, endMax, startMin, startMax   time.Time
	volMin, volMax, liqMin, liqMax       *vig.Micros
	tagIDs                               map[string]bool // tag_id (plus related) or tag_slug
	ids, slugs, tokens, conds, questions map[string]bool
	uma                                  *string
	order                                []string
	ascending                            bool
}

var marketKeys = map[string]func(*market) int64{
	"volume24hr":   func(m *market) int64 { return int64(m.volume24h) },
	"volume":       func(m *market) int64 { return int64(m.volume) },
	"volumeNum":    func(m *market) int64 { return int64(m.volume) },
	"liquidity":    func(m *market) int64 { return int64(m.liquidity) },
	"liquidityNum": func(m *market) int64 { return int64(m.liquidity) },
	"endDate":      func(m *market) int64 { return m.ev.end.Unix() },
	"startDate":    func(m *market) int64 { return m.ev.start.Unix() },
	"createdAt":    func(m *market) int64 { return m.ev.created.Unix() },
	"closedTime":   func(m *market) int64 { return closedUnix(m.ev) },
	"id":           func(m *market) int64 { return m.seq },
}

var eventKeys = map[string]func(*event) int64{
	"volume24hr": func(e *event) int64 { return int64(e.sum(func(m *market) vig.Micros { return m.volume24h })) },
	"volume":     func(e *event) int64 { return int64(e.sum(func(m *market) vig.Micros { return m.volume })) },
	"liquidity":  func(e *event) int64 { return int64(e.sum(func(m *market) vig.Micros { return m.liquidity })) },
	"endDate":    func(e *event) int64 { return e.end.Unix() },
	"startDate":  func(e *event) int64 { return e.start.Unix() },
	"createdAt":  func(e *event) int64 { return e.created.Unix() },
	"closedTime": closedUnix,
	"id":         func(e *event) int64 { return e.seq },
}

func closedUnix(e *event) int64 {
	if !e.closed {
		return 0
	}
	return e.closedAt.Unix()
}

func (e *event) sum(f func(*market) vig.Micros) vig.Micros {
	var n vig.Micros
	for _, m := range e.markets {
		n += f(m)
	}
	return n
}

func badParam(name string) *Error { return errorf(http.StatusBadRequest, "invalid value for %s", name) }

// parseList parses the query of a Gamma list endpoint.
func parseList(q url.Values, keys func(string) bool, keyset bool) (listQuery, *Error) {
	lq := listQuery{limit: gammaDefaultLimit, ascending: true}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return lq, badParam("limit")
		}
		if n > 0 {
			lq.limit = min(n, gammaMaxLimit)
		}
	}
	if keyset {
		if q.Has("offset") {
			return lq, &Error{http.StatusBadRequest, "offset is not supported by keyset pagination: use after_cursor"}
		}
	} else if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return lq, badParam("offset")
		}
		if n > gammaMaxOffset {
			return lq, errorf(http.StatusBadRequest, "offset must not exceed %d: use /markets/keyset to page further", gammaMaxOffset)
		}
		lq.offset = n
	}
	for _, p := range []struct {
		name string
		dst  **bool
	}{{"active", &lq.active}, {"closed", &lq.closed}, {"archived", &lq.archived}} {
		if v := q.Get(p.name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return lq, badParam(p.name)
			}
			*p.dst = &b
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"end_date_min", &lq.endMin}, {"end_date_max", &lq.endMax}, {"start_date_min", &lq.startMin}, {"start_date_max", &lq.startMax}} {
		if v := q.Get(p.name); v != "" {
			t, ok := parseTime(v)
			if !ok {
				return lq, badParam(p.name)
			}
			*p.dst = t
		}
	}
	for _, p := range []struct {
		names []string
		dst   **vig.Micros
	}{
		{[]string{"volume_num_min", "volume_min"}, &lq.volMin}, {[]string{"volume_num_max", "volume_max"}, &lq.volMax},
		{[]string{"liquidity_num_min", "liquidity_min"}, &lq.liqMin}, {[]string{"liquidity_num_max", "liquidity_max"}, &lq.liqMax},
	} {
		for _, name := range p.names {
			if v := q.Get(name); v != "" {
				m, err := vig.ParseMicros(v)
				if err != nil {
					return lq, badParam(name)
				}
				*p.dst = &m
			}
		}
	}
	related := false
	if v := q.Get("related_tags"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return lq, badParam("related_tags")
		}
		related = b
	}
	if v := q.Get("tag_id"); v != "" {
		lq.tagIDs = map[string]bool{v: true}
		if related {
			for _, id := range relatedTags[v] {
				lq.tagIDs[id] = true
			}
		}
	} else if v := q.Get("tag_slug"); v != "" {
		lq.tagIDs = map[string]bool{}
		for _, t := range allTags {
			if t.slug == v {
				lq.tagIDs[t.id] = true
				if related {
					for _, id := range relatedTags[t.id] {
						lq.tagIDs[id] = true
					}
				}
			}
		}
		if len(lq.tagIDs) == 0 {
			lq.tagIDs[""] = true // unknown slug: matches nothing
		}
	}
	lq.ids = multi(q, "id")
	lq.slugs = multi(q, "slug")
	lq.tokens = multi(q, "clob_token_ids")
	lq.conds = multi(q, "condition_ids")
	lq.questions = multi(q, "question_ids")
	if q.Has("uma_resolution_status") {
		v := q.Get("uma_resolution_status")
		lq.uma = &v
	}
	if v := q.Get("order"); v != "" {
		for _, k := range strings.Split(v, ",") {
			k = strings.TrimSpace(k)
			if !keys(k) {
				return lq, errorf(http.StatusBadRequest, "invalid order field: %s", k)
			}
			lq.order = append(lq.order, k)
		}
	}
	if v := q.Get("ascending"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return lq, badParam("ascending")
		}
		lq.ascending = b
	}
	if v := q.Get("after_cursor"); keyset && v != "" {
		c, ok := decodeKeyset(v, len(lq.order)+1)
		if !ok {
			return lq, badParam("after_cursor")
		}
		lq.after = c
	}
	return lq, nil
}

// multi collects a repeatable, comma-separable parameter; nil when absent.
func multi(q url.Values, name string) map[string]bool {
	vs, ok := q[name]
	if !ok {
		return nil
	}
	set := map[string]bool{}
	for _, v := range vs {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				set[x] = true
			}
		}
	}
	return set
}

// parseTime accepts the ISO-8601 forms clients send.
func parseTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func decodeKeyset(c string, n int) ([]int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != n {
		return nil, false
	}
	out := make([]int64, n)
	for i, p := range parts {
		if out[i], err = strconv.ParseInt(p, 10, 64); err != nil {
			return nil, false
		}
	}
	return out, true
}

func encodeKeyset(key []int64) string {
	parts := make([]string, len(key))
	for i, k := range key {
		parts[i] = strconv.FormatInt(k, 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ":")))
}

func (lq *listQuery) timeOK(end, start time.Time) bool {
	return (lq.endMin.IsZero() || !end.Before(lq.endMin)) && (lq.endMax.IsZero() || !end.After(lq.endMax)) &&
		(lq.startMin.IsZero() || !start.Before(lq.startMin)) && (lq.startMax.IsZero() || !start.After(lq.startMax))
}

func (lq *listQuery) stateOK(closed bool) bool {
	return (lq.closed == nil || *lq.closed == closed) && (lq.active == nil || *lq.active) &&
		(lq.archived == nil || !*lq.archived)
}

func (lq *listQuery) amountsOK(vol, liq vig.Micros) bool {
	return (lq.volMin == nil || vol >= *lq.volMin) && (lq.volMax == nil || vol <= *lq.volMax) &&
		(lq.liqMin == nil || liq >= *lq.liqMin) && (lq.liqMax == nil || liq <= *lq.liqMax)
}

func (lq *listQuery) tagsOK(ts []*tag) bool {
	return lq.tagIDs == nil || slices.ContainsFunc(ts, func(t *tag) bool { return lq.tagIDs[t.id] })
}

func in(set map[string]bool, vs ...string) bool {
	return set == nil || slices.ContainsFunc(vs, func(v string) bool { return set[v] })
}

func (lq *listQuery) matchMarket(m *market) bool {
	e := m.ev
	uma, _ := e.umaStatus()
	return lq.stateOK(e.closed) && lq.timeOK(e.end, e.start) && lq.amountsOK(m.volume, m.liquidity) &&
		lq.tagsOK(e.tags) && in(lq.ids, m.id) && in(lq.slugs, m.slug) && in(lq.tokens, m.tokens[0].id, m.tokens[1].id) &&
		in(lq.conds, m.conditionID) && in(lq.questions, m.questionID) && (lq.uma == nil || *lq.uma == uma)
}

func (lq *listQuery) matchEvent(e *event) bool {
	return lq.stateOK(e.closed) && lq.timeOK(e.end, e.start) &&
		lq.amountsOK(e.sum(func(m *market) vig.Micros { return m.volume }), e.sum(func(m *market) vig.Micros { return m.liquidity })) &&
		lq.tagsOK(e.tags) && in(lq.ids, e.id) && in(lq.slugs, e.slug)
}

// sortAndPage orders items by lq's keys (seq breaking ties, ascending) and
// cuts one page: by offset, or after the keyset cursor. It returns the page
// and, for keyset, the cursor of the next page ("" at the end).
func sortAndPage[T any](items []T, lq listQuery, keyset bool, keyFns []func(T) int64, seq func(T) int64) ([]T, string) {
	type row struct {
		item T
		key  []int64
	}
	rows := make([]row, len(items))
	for i, it := range items {
		k := make([]int64, len(keyFns)+1)
		for j, f := range keyFns {
			k[j] = f(it)
		}
		k[len(keyFns)] = seq(it)
		rows[i] = row{it, k}
	}
	cmp := func(a, b []int64) int {
		for j := range a {
			if a[j] == b[j] {
				continue
			}
			less := a[j] < b[j]
			if j < len(keyFns) && !lq.ascending {
				less = !less
			}
			if less {
				return -1
			}
			return 1
		}
		return 0
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp(a.key, b.key) })
	start := 0
	if keyset && lq.after != nil {
		start = len(rows)
		for i, r := range rows {
			if cmp(r.key, lq.after) > 0 {
				start = i
				break
			}
		}
	} else if !keyset {
		start = min(lq.offset, len(rows))
	}
	end := min(start+lq.limit, len(rows))
	page := make([]T, 0, end-start)
	for _, r := range rows[start:end] {
		page = append(page, r.item)
	}
	next := ""
	if keyset && end < len(rows) && end > start {
		next = encodeKeyset(rows[end-1].key)
	}
	return page, next
}

// ---- handlers ----

func (s *Sim) listMarkets(r *http.Request, keyset bool) ([]gammaMarket, string, *Error) {
	lq, err := parseList(r.URL.Query(), func(k string) bool { return marketKeys[k] != nil }, keyset)
	if err != nil {
		return nil, "", err
	}
	keyFns := make([]func(*market) int64, len(lq.order))
	for i, k := range lq.order {
		keyFns[i] = marketKeys[k]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ms []*market
	for _, m := range s.markets {
		if lq.matchMarket(m) {
			ms = append(ms, m)
		}
	}
	page, next := sortAndPage(ms, lq, keyset, keyFns, func(m *market) int64 { return m.seq })
	out := make([]gammaMarket, len(page))
	for i, m := range page {
		s.touchMarket(m)
		out[i] = s.renderMarket(m, true)
	}
	return out, next, nil
}

func (s *Sim) handleGammaMarkets(w http.ResponseWriter, r *http.Request) {
	out, _, err := s.listMarkets(r, false)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) handleGammaMarketsKeyset(w http.ResponseWriter, r *http.Request) {
	out, next, err := s.listMarkets(r, true)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Markets    []gammaMarket `json:"markets"`
		NextCursor *string       `json:"next_cursor"`
	}{out, nullable(next)})
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Sim) handleGammaMarket(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		writeError(w, http.StatusBadRequest, "invalid id")
		return
	}
	s.mu.Lock()
	m := s.marketByID[id]
	var out gammaMarket
	if m != nil {
		s.touchMarket(m)
		out = s.renderMarket(m, true)
	}
	s.mu.Unlock()
	if m == nil {
		writeError(w, http.StatusNotFound, "market not found")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) listEvents(r *http.Request, keyset bool) ([]gammaEvent, string, *Error) {
	lq, err := parseList(r.URL.Query(), func(k string) bool { return eventKeys[k] != nil }, keyset)
	if err != nil {
		return nil, "", err
	}
	keyFns := make([]func(*event) int64, len(lq.order))
	for i, k := range lq.order {
		keyFns[i] = eventKeys[k]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var es []*event
	for _, e := range s.events {
		if lq.matchEvent(e) {
			es = append(es, e)
		}
	}
	page, next := sortAndPage(es, lq, keyset, keyFns, func(e *event) int64 { return e.seq })
	out := make([]gammaEvent, len(page))
	for i, e := range page {
		for _, m := range e.markets {
			s.touchMarket(m)
		}
		out[i] = s.renderEvent(e, true)
	}
	return out, next, nil
}

func (s *Sim) handleGammaEvents(w http.ResponseWriter, r *http.Request) {
	out, _, err := s.listEvents(r, false)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) handleGammaEventsKeyset(w http.ResponseWriter, r *http.Request) {
	out, next, err := s.listEvents(r, true)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Events     []gammaEvent `json:"events"`
		NextCursor *string      `json:"next_cursor"`
	}{out, nullable(next)})
}

func (s *Sim) handleGammaEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		writeError(w, http.StatusBadRequest, "invalid id")
		return
	}
	s.mu.Lock()
	e := s.eventByID[id]
	var out gammaEvent
	if e != nil {
		for _, m := range e.markets {
			s.touchMarket(m)
		}
		out = s.renderEvent(e, true)
	}
	s.mu.Unlock()
	if e == nil {
		writeError(w, http.StatusNotFound, "event not found")
		return
	}
	writeJSON(w, http.StatusOK, out)
}
