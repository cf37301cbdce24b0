package sim

import (
	"cmp"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vig-bot/vig"
)

// Data API limits (data-api.polymarket.com): page size and the offset cap.
const (
	DataDefaultLimit = 100
	DataMaxLimit     = 500
	DataMaxOffset    = 10_000
)

// DataDefaultSizeThreshold is the smallest position /positions lists when
// the request has no sizeThreshold: one share, as the venue.
const DataDefaultSizeThreshold = one

// dataPosition is one entry of /positions (platform-facts §2.8): numbers
// are JSON numbers, ids strings, endDate RFC 3339.
type dataPosition struct {
	ProxyWallet     string      `json:"proxyWallet"`
	Asset           string      `json:"asset"`
	ConditionID     string      `json:"conditionId"`
	Size            json.Number `json:"size"`
	AvgPrice        json.Number `json:"avgPrice"`
	InitialValue    json.Number `json:"initialValue"`
	CurrentValue    json.Number `json:"currentValue"`
	CashPnl         json.Number `json:"cashPnl"`
	PercentPnl      json.Number `json:"percentPnl"`
	TotalBought     json.Number `json:"totalBought"`
	RealizedPnl     json.Number `json:"realizedPnl"`
	CurPrice        json.Number `json:"curPrice"`
	Redeemable      bool        `json:"redeemable"`
	Mergeable       bool        `json:"mergeable"`
	Title           string      `json:"title"`
	Slug            string      `json:"slug"`
	Icon            string      `json:"icon"`
	EventID         string      `json:"eventId"`
	EventSlug       string      `json:"eventSlug"`
	Outcome         string      `json:"outcome"`
	OutcomeIndex    int         `json:"outcomeIndex"`
	OppositeOutcome string      `json:"oppositeOutcome"`
	OppositeAsset   string      `json:"oppositeAsset"`
	EndDate         string      `json:"endDate"`
	NegativeRisk    bool        `json:"negativeRisk"`
}

// dataClosedPosition is one entry of /closed-positions.
type dataClosedPosition struct {
	ProxyWallet     string      `json:"proxyWallet"`
	Asset           string      `json:"asset"`
	ConditionID     string      `json:"conditionId"`
	AvgPrice        json.Number `json:"avgPrice"`
	TotalBought     json.Number `json:"totalBought"`
	RealizedPnl     json.Number `json:"realizedPnl"`
	CurPrice        json.Number `json:"curPrice"`
	Timestamp       int64       `json:"timestamp"` // epoch seconds: the position's last trade or redemption
	Title           string      `json:"title"`
	Slug            string      `json:"slug"`
	Icon            string      `json:"icon"`
	EventSlug       string      `json:"eventSlug"`
	Outcome         string      `json:"outcome"`
	OutcomeIndex    int         `json:"outcomeIndex"`
	OppositeOutcome string      `json:"oppositeOutcome"`
	OppositeAsset   string      `json:"oppositeAsset"`
	EndDate         string      `json:"endDate"`
}

// dataActivity is one entry of /activity; a REDEEM has no asset, side or
// outcome and outcomeIndex 999.
type dataActivity struct {
	ProxyWallet     string      `json:"proxyWallet"`
	Timestamp       int64       `json:"timestamp"` // epoch seconds
	ConditionID     string      `json:"conditionId"`
	Type            string      `json:"type"`
	Size            json.Number `json:"size"`
	USDCSize        json.Number `json:"usdcSize"`
	TransactionHash string      `json:"transactionHash"`
	Price           json.Number `json:"price"`
	Asset           string      `json:"asset"`
	Side            string      `json:"side"`
	OutcomeIndex    int         `json:"outcomeIndex"`
	Title           string      `json:"title"`
	Slug            string      `json:"slug"`
	Icon            string      `json:"icon"`
	EventSlug       string      `json:"eventSlug"`
	Outcome         string      `json:"outcome"`
}

// dataValue is one entry of /value.
type dataValue struct {
	User  string      `json:"user"`
	Value json.Number `json:"value"`
}

// dataQuery is the parsed common part of a Data API list request.
type dataQuery struct {
	user          string
	markets       map[string]bool // condition ids; nil = all
	limit, offset int
	sortBy        string
	asc           bool
}

func dataBad(msg string) *Error { return &Error{http.StatusBadRequest, msg} }

// parseDataQuery reads user (a 0x address, required), market (condition
// ids, comma-separated or repeated), limit (default 100, at most 500),
// offset (at most 10,000), sortBy (one of sorts; the first is the default)
// and sortDirection (ASC or DESC, default DESC).
func parseDataQuery(q url.Values, sorts []string) (dataQuery, *Error) {
	d := dataQuery{user: strings.ToLower(q.Get("user")), limit: DataDefaultLimit, sortBy: sorts[0]}
	if d.user == "" {
		return d, dataBad("required query param 'user' not provided")
	}
	if !isAddress(d.user) {
		return d, dataBad("invalid user address")
	}
	if ms := dataList(q, "market"); ms != nil {
		d.markets = map[string]bool{}
		for _, m := range ms {
			d.markets[strings.ToLower(m)] = true
		}
	}
	var err *Error
	if d.limit, err = dataInt(q, "limit", DataDefaultLimit, 0, 1<<30); err != nil {
		return d, err
	}
	d.limit = min(d.limit, DataMaxLimit)
	if d.offset, err = dataInt(q, "offset", 0, 0, DataMaxOffset); err != nil {
		return d, err
	}
	if v := strings.ToUpper(q.Get("sortBy")); v != "" {
		if !slices.Contains(sorts, v) {
			return d, dataBad("invalid sortBy: " + clip(q.Get("sortBy")))
		}
		d.sortBy = v
	}
	switch strings.ToUpper(q.Get("sortDirection")) {
	case "", "DESC":
	case "ASC":
		d.asc = true
	default:
		return d, dataBad("invalid sortDirection: " + clip(q.Get("sortDirection")))
	}
	return d, nil
}

// dataList returns the values of a comma-separated or repeated parameter
// (nil when absent or empty).
func dataList(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

func dataInt(q url.Values, name string, def, lo, hi int) (int, *Error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, dataBad("invalid " + name + ": " + clip(v))
	}
	return n, nil
}

func dataBool(q url.Values, name string) (*bool, *Error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, dataBad("invalid " + name + ": " + clip(v))
	}
	return &b, nil
}

// dataWindow returns the [offset, offset+limit) window of xs.
func dataWindow[T any](xs []T, d dataQuery) []T {
	if d.offset >= len(xs) {
		return []T{}
	}
	return xs[d.offset:min(len(xs), d.offset+d.limit)]
}

// dataSort sorts xs stably by key in d's direction (ties keep engine order).
func dataSort[T any, K cmp.Ordered](xs []T, asc bool, key func(T) K) {
	slices.SortStableFunc(xs, func(a, b T) int {
		if asc {
			return cmp.Compare(key(a), key(b))
		}
		return cmp.Compare(key(b), key(a))
	})
}

// icons returns the icon of each event id (the event's category image).
func (s *Sim) icons() func(eventID string) string {
	s.mu.Lock()
	m := make(map[string]string, len(s.eventByID))
	for id, e := range s.eventByID {
		m[id] = imageBase + e.cat.slug + ".png"
	}
	s.mu.Unlock()
	return func(id string) string { return m[id] }
}

// percentOf returns 100 × a / b as Micros (0 when b is 0).
func percentOf(a, b vig.Micros) vig.Micros {
	if b == 0 {
		return 0
	}
	q := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(100*int64(one)))
	return vig.Micros(q.Quo(q, big.NewInt(int64(b))).Int64())
}

// handleDataPositions answers GET /data/positions?user=&market=&eventId=
// &sizeThreshold=&redeemable=&mergeable=&title=&sortBy=&sortDirection=
// &limit=&offset=: the wallet's positions holding at least sizeThreshold
// shares (default 1; always more than 0), sorted by sortBy (TOKENS by
// default, descending). An unknown wallet has none: [].
func (s *Sim) handleDataPositions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, e := parseDataQuery(q, []string{"TOKENS", "CURRENT", "INITIAL", "CASHPNL", "PERCENTPNL", "TITLE", "RESOLVING", "PRICE", "AVGPRICE"})
	if e != nil {
		writeErr(w, e)
		return
	}
	threshold := DataDefaultSizeThreshold
	if v := q.Get("sizeThreshold"); v != "" {
		m, err := vig.ParseMicros(v)
		if err != nil || m < 0 {
			writeErr(w, dataBad("invalid sizeThreshold: "+clip(v)))
			return
		}
		threshold = m
	}
	redeemable, e := dataBool(q, "redeemable")
	if e != nil {
		writeErr(w, e)
		return
	}
	mergeable, e := dataBool(q, "mergeable")
	if e != nil {
		writeErr(w, e)
		return
	}
	var events map[string]bool
	if ids := dataList(q, "eventId"); ids != nil {
		events = map[string]bool{}
		for _, id := range ids {
			events[id] = true
		}
	}
	title := strings.ToLower(q.Get("title"))
	var ps []Position
	for _, p := range s.Positions(d.user) {
		if p.Size <= 0 || p.Size < threshold || d.markets != nil && !d.markets[p.ConditionID] || events != nil && !events[p.EventID] ||
			redeemable != nil && p.Redeemable != *redeemable || mergeable != nil && p.Mergeable != *mergeable ||
			title != "" && !strings.Contains(strings.ToLower(p.Title), title) {
			continue
		}
		ps = append(ps, p)
	}
	switch d.sortBy {
	case "TOKENS":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return p.Size })
	case "CURRENT":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return p.CurrentValue })
	case "INITIAL":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return p.InitialValue })
	case "CASHPNL":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return p.CashPnL })
	case "PERCENTPNL":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return percentOf(p.CashPnL, p.InitialValue) })
	case "TITLE":
		dataSort(ps, d.asc, func(p Position) string { return p.Title })
	case "RESOLVING":
		dataSort(ps, d.asc, func(p Position) int64 { return p.EndDate.Unix() })
	case "PRICE":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return p.CurPrice })
	case "AVGPRICE":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return p.AvgPrice })
	}
	icon := s.icons()
	out := []dataPosition{}
	for _, p := range dataWindow(ps, d) {
		out = append(out, dataPosition{
			ProxyWallet: p.Address, Asset: p.TokenID, ConditionID: p.ConditionID, Size: num(p.Size), AvgPrice: num(p.AvgPrice),
			InitialValue: num(p.InitialValue), CurrentValue: num(p.CurrentValue), CashPnl: num(p.CashPnL),
			PercentPnl: num(percentOf(p.CashPnL, p.InitialValue)), TotalBought: num(p.TotalBought), RealizedPnl: num(p.RealizedPnL),
			CurPrice: num(p.CurPrice), Redeemable: p.Redeemable, Mergeable: p.Mergeable, Title: p.Title, Slug: p.Slug,
			Icon: icon(p.EventID), EventID: p.EventID, EventSlug: p.EventSlug, Outcome: p.Outcome, OutcomeIndex: p.OutcomeIndex,
			OppositeOutcome: p.OppositeOutcome, OppositeAsset: p.OppositeAsset, EndDate: isoTime(p.EndDate), NegativeRisk: p.NegRisk,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// lastTouched returns, per token id and per condition id, the time of the
// wallet's last trade in it or redemption of it.
func lastTouched(acts []Activity) map[string]time.Time {
	out := map[string]time.Time{}
	for _, a := range acts {
		for _, k := range []string{a.TokenID, a.ConditionID} {
			if k != "" && a.Time.After(out[k]) {
				out[k] = a.Time
			}
		}
	}
	return out
}

// handleDataClosedPositions answers GET /data/closed-positions?user=
// &market=&title=&sortBy=&sortDirection=&limit=&offset=: the wallet's
// positions that were held and are now empty (sold or redeemed), sorted by
// sortBy (REALIZEDPNL by default, descending).
func (s *Sim) handleDataClosedPositions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, e := parseDataQuery(q, []string{"REALIZEDPNL", "TITLE", "PRICE", "AVGPRICE", "TIMESTAMP"})
	if e != nil {
		writeErr(w, e)
		return
	}
	title := strings.ToLower(q.Get("title"))
	touched := lastTouched(s.Activity(d.user))
	closedAt := func(p Position) int64 {
		t := touched[p.TokenID]
		if c := touched[p.ConditionID]; c.After(t) {
			t = c
		}
		return t.Unix()
	}
	var ps []Position
	for _, p := range s.Positions(d.user) {
		if p.Size != 0 || p.TotalBought == 0 || d.markets != nil && !d.markets[p.ConditionID] ||
			title != "" && !strings.Contains(strings.ToLower(p.Title), title) {
			continue
		}
		ps = append(ps, p)
	}
	switch d.sortBy {
	case "REALIZEDPNL":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return p.RealizedPnL })
	case "TITLE":
		dataSort(ps, d.asc, func(p Position) string { return p.Title })
	case "PRICE":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return p.CurPrice })
	case "AVGPRICE":
		dataSort(ps, d.asc, func(p Position) vig.Micros { return p.AvgPrice })
	case "TIMESTAMP":
		dataSort(ps, d.asc, closedAt)
	}
	icon := s.icons()
	out := []dataClosedPosition{}
	for _, p := range dataWindow(ps, d) {
		out = append(out, dataClosedPosition{
			ProxyWallet: p.Address, Asset: p.TokenID, ConditionID: p.ConditionID, AvgPrice: num(p.AvgPrice),
			TotalBought: num(p.TotalBought), RealizedPnl: num(p.RealizedPnL), CurPrice: num(p.CurPrice), Timestamp: closedAt(p),
			Title: p.Title, Slug: p.Slug, Icon: icon(p.EventID), EventSlug: p.EventSlug, Outcome: p.Outcome,
			OutcomeIndex: p.OutcomeIndex, OppositeOutcome: p.OppositeOutcome, OppositeAsset: p.OppositeAsset, EndDate: isoTime(p.EndDate),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// handleDataActivity answers GET /data/activity?user=&market=&type=&start=
// &end=&side=&sortBy=&sortDirection=&limit=&offset=: the wallet's trades
// and redemptions (types TRADE and REDEEM; type filters, comma-separated),
// start/end in epoch seconds (inclusive), sorted by sortBy (TIMESTAMP,
// TOKENS or CASH; TIMESTAMP by default), newest first by default.
func (s *Sim) handleDataActivity(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, e := parseDataQuery(q, []string{"TIMESTAMP", "TOKENS", "CASH"})
	if e != nil {
		writeErr(w, e)
		return
	}
	var types map[string]bool
	if ts := dataList(q, "type"); ts != nil {
		types = map[string]bool{}
		for _, t := range ts {
			types[strings.ToUpper(t)] = true
		}
	}
	var bounds [2]int64
	for i, name := range []string{"start", "end"} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				writeErr(w, dataBad("invalid "+name+": "+clip(v)))
				return
			}
			bounds[i] = n
		}
	}
	side := strings.ToUpper(q.Get("side"))
	if side != "" && side != "BUY" && side != "SELL" {
		writeErr(w, dataBad("invalid side: "+clip(q.Get("side"))))
		return
	}
	var as []Activity
	for _, a := range s.Activity(d.user) {
		at := a.Time.Unix()
		if d.markets != nil && !d.markets[a.ConditionID] || types != nil && !types[a.Type] || side != "" && a.Side != side ||
			bounds[0] != 0 && at < bounds[0] || bounds[1] != 0 && at > bounds[1] {
			continue
		}
		as = append(as, a)
	}
	switch d.sortBy {
	case "TIMESTAMP":
		// Engine order is chronological; within a second it is the
		// order things happened, so reverse rather than sort for DESC.
		if !d.asc {
			slices.Reverse(as)
		}
	case "TOKENS":
		dataSort(as, d.asc, func(a Activity) vig.Micros { return a.Size })
	case "CASH":
		dataSort(as, d.asc, func(a Activity) vig.Micros { return a.USDCSize })
	}
	icon := s.icons()
	events := s.eventsByCondition()
	out := []dataActivity{}
	for _, a := range dataWindow(as, d) {
		out = append(out, dataActivity{
			ProxyWallet: a.Address, Timestamp: a.Time.Unix(), ConditionID: a.ConditionID, Type: a.Type, Size: num(a.Size),
			USDCSize: num(a.USDCSize), TransactionHash: a.TransactionHash, Price: num(a.Price), Asset: a.TokenID, Side: a.Side,
			OutcomeIndex: a.OutcomeIndex, Title: a.Title, Slug: a.Slug, Icon: icon(events[a.ConditionID]), EventSlug: a.EventSlug,
			Outcome: a.Outcome,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// eventsByCondition maps the known markets' condition ids to event ids.
func (s *Sim) eventsByCondition() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.marketByCID))
	for cid, m := range s.marketByCID {
		out[cid] = m.ev.id
	}
	return out
}

// handleDataValue answers GET /data/value?user=: [{"user": …, "value": …}],
// the current value of the wallet's open positions (pUSD not included).
func (s *Sim) handleDataValue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, e := parseDataQuery(url.Values{"user": {q.Get("user")}}, []string{"-"})
	if e != nil {
		writeErr(w, e)
		return
	}
	var v vig.Micros
	for _, p := range s.Positions(d.user) {
		if p.Size > 0 {
			v += p.CurrentValue
		}
	}
	writeJSON(w, http.StatusOK, []dataValue{{User: d.user, Value: num(v)}})
}
