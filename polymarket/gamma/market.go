package gamma

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/internal/jsonx"
)

// Market is one Gamma market. Amounts and prices are exact vig.Micros
// decoded from the venue's decimal text (never through float64); digits
// beyond the 6th decimal are rounded half-even.
//
// Decoding is lenient: a field with a wrong type or an unusable value is
// left zero and named in Issues. Only the identity and trading-critical
// fields fail a market: id must be present, and outcomes/clobTokenIds,
// when present, must decode to arrays of equal length with decimal token
// ids.
type Market struct {
	ID               string // Gamma market id, e.g. "703257"
	Question         string
	ConditionID      string // 0x… CTF condition id
	QuestionID       string
	Slug             string
	Description      string
	GroupItemTitle   string // the outcome's name inside a multi-market (neg-risk) event
	ResolutionSource string
	ResolvedBy       string

	StartDate  time.Time // UTC; zero when absent
	EndDate    time.Time // UTC; from "endDate", else (absent or unusable) "endDateIso" at midnight UTC
	ClosedTime time.Time // UTC; zero while open

	Active, Closed, Archived, Restricted bool
	AcceptingOrders, EnableOrderBook     bool
	NegRisk, FeesEnabled                 bool
	NegRiskMarketID                      string

	// Outcomes, OutcomePrices and ClobTokenIDs are parallel: index i of
	// each describes the same outcome. Outcomes and ClobTokenIDs always
	// have equal lengths when both are set. OutcomePrices is nil when the
	// venue's prices did not match the outcomes one to one (see Issues).
	Outcomes      []string
	OutcomePrices []vig.Micros // 0..1_000_000; a resolved market may show all zeros
	ClobTokenIDs  []string     // decimal uint256 token ids

	Volume     vig.Micros // USDC, lifetime: "volumeNum", else (absent or unusable) the "volume" string
	Volume24hr vig.Micros // USDC
	Volume1wk  vig.Micros // USDC
	Liquidity  vig.Micros // USDC: "liquidityNum", else (absent or unusable) the "liquidity" string

	BestBid, BestAsk, LastTradePrice, Spread vig.Micros // prices, 0..1_000_000

	TickSize     vig.Micros // orderPriceMinTickSize, e.g. 10_000 (0.01)
	MinOrderSize vig.Micros // orderMinSize in shares, e.g. 5_000_000 (5)

	UMAResolutionStatus   string   // requested|proposed|disputed|resolved|settled or ""
	UMAResolutionStatuses []string // history, decoded from its JSON-encoded string

	Tags     []Tag
	EventIDs []string // ids of the events this market belongs to

	// Issues names fields that were present but unusable (left zero) or
	// out of range, e.g. "bestBid: not a decimal" or "outcomePrices: out
	// of [0,1]". Empty for a clean market.
	Issues []string
}

// Tag is a Gamma tag.
type Tag struct{ ID, Label, Slug string }

// Event is a Gamma event: a group of markets (a neg-risk event holds one
// Yes/No market per outcome).
type Event struct {
	ID, Slug, Title string
	EndDate         time.Time // UTC
	Markets         []Market  // markets that failed to decode are left out
	Tags            []Tag
	NegRisk         bool
}

// Outcome returns outcome i: its name, token id and price. ok is false when
// i is out of range or the parallel arrays are not all the same length.
func (m Market) Outcome(i int) (name, tokenID string, price vig.Micros, ok bool) {
	n := len(m.Outcomes)
	if i < 0 || i >= n || len(m.ClobTokenIDs) != n || len(m.OutcomePrices) != n {
		return "", "", 0, false
	}
	return m.Outcomes[i], m.ClobTokenIDs[i], m.OutcomePrices[i], true
}

// Favourite returns the index of the outcome with the highest price. ok is
// false when the parallel arrays are empty or inconsistent, when a price is
// outside [0,1], when every price is zero (a resolved market showing
// ["0","0"]) or when the highest price is shared: there is no favourite to
// bet on then.
func (m Market) Favourite() (index int, ok bool) {
	n := len(m.Outcomes)
	if n == 0 || len(m.ClobTokenIDs) != n || len(m.OutcomePrices) != n {
		return 0, false
	}
	best, tie := 0, false
	for i, p := range m.OutcomePrices {
		if p < 0 || p > 1_000_000 {
			return 0, false
		}
		switch {
		case i == 0:
		case p > m.OutcomePrices[best]:
			best, tie = i, false
		case p == m.OutcomePrices[best]:
			tie = true
		}
	}
	if tie || m.OutcomePrices[best] == 0 {
		return 0, false
	}
	return best, true
}

// rawMarket is the wire shape. Plain strings take what encoding/json gives
// them (a wrong type leaves them empty; see decodeList); everything whose
// type varies goes through a lenient type.
type rawMarket struct {
	ID               jsonx.String `json:"id"`
	Question         string       `json:"question"`
	ConditionID      string       `json:"conditionId"`
	QuestionID       string       `json:"questionID"`
	Slug             string       `json:"slug"`
	Description      string       `json:"description"`
	GroupItemTitle   string       `json:"groupItemTitle"`
	ResolutionSource string       `json:"resolutionSource"`
	ResolvedBy       string       `json:"resolvedBy"`

	StartDate  jsonx.Time `json:"startDate"`
	EndDate    jsonx.Time `json:"endDate"`
	EndDateISO jsonx.Time `json:"endDateIso"`
	ClosedTime jsonx.Time `json:"closedTime"`

	Active          jsonx.Bool `json:"active"`
	Closed          jsonx.Bool `json:"closed"`
	Archived        jsonx.Bool `json:"archived"`
	Restricted      jsonx.Bool `json:"restricted"`
	AcceptingOrders jsonx.Bool `json:"acceptingOrders"`
	EnableOrderBook jsonx.Bool `json:"enableOrderBook"`
	NegRisk         jsonx.Bool `json:"negRisk"`
	FeesEnabled     jsonx.Bool `json:"feesEnabled"`
	NegRiskMarketID string     `json:"negRiskMarketID"`

	Outcomes      jsonx.Strings    `json:"outcomes"`
	OutcomePrices jsonx.MicrosList `json:"outcomePrices"`
	ClobTokenIDs  jsonx.Strings    `json:"clobTokenIds"`

	Volume       jsonx.Micros `json:"volume"`
	VolumeNum    jsonx.Micros `json:"volumeNum"`
	Volume24hr   jsonx.Micros `json:"volume24hr"`
	Volume1wk    jsonx.Micros `json:"volume1wk"`
	Liquidity    jsonx.Micros `json:"liquidity"`
	LiquidityNum jsonx.Micros `json:"liquidityNum"`

	BestBid        jsonx.Micros `json:"bestBid"`
	BestAsk        jsonx.Micros `json:"bestAsk"`
	LastTradePrice jsonx.Micros `json:"lastTradePrice"`
	Spread         jsonx.Micros `json:"spread"`
	TickSize       jsonx.Micros `json:"orderPriceMinTickSize"`
	MinOrderSize   jsonx.Micros `json:"orderMinSize"`

	UMAResolutionStatus   string        `json:"umaResolutionStatus"`
	UMAResolutionStatuses jsonx.Strings `json:"umaResolutionStatuses"`

	Tags   []rawTag `json:"tags"`
	Events []rawRef `json:"events"`
}

type rawTag struct {
	ID    jsonx.String `json:"id"`
	Label string       `json:"label"`
	Slug  string       `json:"slug"`
}

type rawRef struct {
	ID jsonx.String `json:"id"`
}

// maxTokenIDDigits: a uint256 has at most 78 decimal digits.
const maxTokenIDDigits = 78

func malformed(id, format string, args ...any) error {
	if id == "" {
		return fmt.Errorf("gamma: market: %w: %s", polymarket.ErrMalformed, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("gamma: market %q: %w: %s", bound(id), polymarket.ErrMalformed, fmt.Sprintf(format, args...))
}

func bound(s string) string { return polymarket.Truncate(s, 80) }

// market validates r and builds the Market.
func (r *rawMarket) market() (Market, error) {
	if r.ID.Bad {
		return Market{}, malformed("", "id: not a string or number")
	}
	if !r.ID.Set {
		return Market{}, malformed("", "id: missing")
	}
	id := r.ID.V
	if r.Outcomes.Bad {
		return Market{}, malformed(id, "outcomes: not an array of strings")
	}
	if r.ClobTokenIDs.Bad {
		return Market{}, malformed(id, "clobTokenIds: not an array of strings")
	}
	if r.Outcomes.Set && r.ClobTokenIDs.Set && len(r.Outcomes.V) != len(r.ClobTokenIDs.V) {
		return Market{}, malformed(id, "clobTokenIds: %d token ids for %d outcomes", len(r.ClobTokenIDs.V), len(r.Outcomes.V))
	}
	if r.ClobTokenIDs.Set && !r.Outcomes.Set && len(r.ClobTokenIDs.V) > 0 {
		return Market{}, malformed(id, "clobTokenIds: %d token ids without outcomes", len(r.ClobTokenIDs.V))
	}
	for i, t := range r.ClobTokenIDs.V {
		if !jsonx.AllDigits(t) || len(t) > maxTokenIDDigits {
			return Market{}, malformed(id, "clobTokenIds[%d]: %q is not a decimal token id", i, bound(t))
		}
	}

	var is jsonx.Issues
	m := Market{
		ID:               id,
		Question:         r.Question,
		ConditionID:      r.ConditionID,
		QuestionID:       r.QuestionID,
		Slug:             r.Slug,
		Description:      r.Description,
		GroupItemTitle:   r.GroupItemTitle,
		ResolutionSource: r.ResolutionSource,
		ResolvedBy:       r.ResolvedBy,
		NegRiskMarketID:  r.NegRiskMarketID,
		Outcomes:         r.Outcomes.V,
		ClobTokenIDs:     r.ClobTokenIDs.V,

		UMAResolutionStatus:   r.UMAResolutionStatus,
		UMAResolutionStatuses: r.UMAResolutionStatuses.V,
	}
	m.StartDate = is.Time("startDate", r.StartDate)
	m.EndDate = is.Time("endDate", r.EndDate)
	if !r.EndDate.Set {
		m.EndDate = is.Time("endDateIso", r.EndDateISO)
	}
	m.ClosedTime = is.Time("closedTime", r.ClosedTime)

	m.Active = is.Bool("active", r.Active)
	m.Closed = is.Bool("closed", r.Closed)
	m.Archived = is.Bool("archived", r.Archived)
	m.Restricted = is.Bool("restricted", r.Restricted)
	m.AcceptingOrders = is.Bool("acceptingOrders", r.AcceptingOrders)
	m.EnableOrderBook = is.Bool("enableOrderBook", r.EnableOrderBook)
	m.NegRisk = is.Bool("negRisk", r.NegRisk)
	m.FeesEnabled = is.Bool("feesEnabled", r.FeesEnabled)

	switch {
	case r.OutcomePrices.Bad:
		is.Add("outcomePrices", "not an array of decimals")
	case !r.OutcomePrices.Set:
	case len(r.OutcomePrices.V) != len(m.Outcomes):
		is.Add("outcomePrices", fmt.Sprintf("%d prices for %d outcomes", len(r.OutcomePrices.V), len(m.Outcomes)))
	default:
		m.OutcomePrices = r.OutcomePrices.V
		for _, p := range m.OutcomePrices {
			if p < 0 || p > 1_000_000 {
				is.Add("outcomePrices", "out of [0,1]")
				break
			}
		}
	}
	if r.UMAResolutionStatuses.Bad {
		is.Add("umaResolutionStatuses", "not an array of strings")
	}

	m.Volume = r.VolumeNum.V
	if !r.VolumeNum.Set {
		m.Volume = r.Volume.V
	}
	is.Micros("volumeNum", r.VolumeNum)
	is.Micros("volume", r.Volume)
	m.Liquidity = r.LiquidityNum.V
	if !r.LiquidityNum.Set {
		m.Liquidity = r.Liquidity.V
	}
	is.Micros("liquidityNum", r.LiquidityNum)
	is.Micros("liquidity", r.Liquidity)
	m.Volume24hr = r.Volume24hr.V
	is.Micros("volume24hr", r.Volume24hr)
	m.Volume1wk = r.Volume1wk.V
	is.Micros("volume1wk", r.Volume1wk)
	if m.Volume < 0 || m.Liquidity < 0 || m.Volume24hr < 0 || m.Volume1wk < 0 {
		is.Add("volume", "negative")
	}

	m.BestBid, m.BestAsk, m.LastTradePrice, m.Spread = r.BestBid.V, r.BestAsk.V, r.LastTradePrice.V, r.Spread.V
	is.Price("bestBid", r.BestBid)
	is.Price("bestAsk", r.BestAsk)
	is.Price("lastTradePrice", r.LastTradePrice)
	is.Price("spread", r.Spread)
	m.TickSize = r.TickSize.V
	is.Price("orderPriceMinTickSize", r.TickSize)
	m.MinOrderSize = r.MinOrderSize.V
	is.Micros("orderMinSize", r.MinOrderSize)
	if m.MinOrderSize < 0 {
		is.Add("orderMinSize", "negative")
	}

	if len(r.Tags) > 0 {
		m.Tags = make([]Tag, 0, len(r.Tags))
		for _, t := range r.Tags {
			if t.ID.Set || t.Slug != "" {
				m.Tags = append(m.Tags, Tag{ID: t.ID.V, Label: t.Label, Slug: t.Slug})
			}
		}
	}
	if len(r.Events) > 0 {
		m.EventIDs = make([]string, 0, len(r.Events))
		for _, e := range r.Events {
			if e.ID.Set {
				m.EventIDs = append(m.EventIDs, e.ID.V)
			}
		}
	}
	m.Issues = is
	return m, nil
}

// DecodeMarket decodes one Gamma market object. Errors wrap
// polymarket.ErrMalformed and name the offending field; they happen only
// for invalid JSON, a missing id, or outcomes/clobTokenIds that do not
// decode to equal-length arrays of (decimal) token ids.
func DecodeMarket(b []byte) (Market, error) {
	if jsonx.Kind(b) != '{' {
		return Market{}, malformed("", "not a JSON object")
	}
	var r rawMarket
	if err := json.Unmarshal(b, &r); err != nil && !isTypeError(err) {
		return Market{}, malformed("", "%s", bound(err.Error()))
	}
	return r.market()
}

// DecodeMarkets decodes a list of markets: a JSON array, or a keyset page
// {"markets":[…],"next_cursor":…}. Markets that fail DecodeMarket are left
// out (the Client counts them); the error is non-nil (wrapping
// polymarket.ErrMalformed) only when b as a whole is not such a list.
func DecodeMarkets(b []byte) ([]Market, error) {
	p, err := decodeMarketPage(b)
	return p.items, err
}

// page is one decoded answer of a list call.
type page[T any] struct {
	items   []T
	raw     int     // entries in the answer, decoded or skipped
	skipped []error // why entries were skipped
	next    string  // keyset cursor; "" at the end
}

type rawMarketPage struct {
	Markets    []rawMarket  `json:"markets"`
	NextCursor jsonx.String `json:"next_cursor"`
}

func (rp rawMarketPage) entries() ([]rawMarket, jsonx.String) { return rp.Markets, rp.NextCursor }

func decodeMarketPage(b []byte) (page[Market], error) {
	var p page[Market]
	raws, next, err := decodeRaws[rawMarket, rawMarketPage](b, "markets")
	if err != nil {
		return p, err
	}
	p.raw, p.next = len(raws), next
	p.items = make([]Market, 0, len(raws))
	for i := range raws {
		m, err := raws[i].market()
		if err != nil {
			p.skipped = append(p.skipped, err)
			continue
		}
		p.items = append(p.items, m)
	}
	return p, nil
}

// decodeRaws decodes the entries of a list answer: a JSON array of R, or
// a keyset page P (an object with the entries under key and a
// next_cursor). Entries and fields of the wrong type are left zero; the
// error (wrapping polymarket.ErrMalformed) is for b as a whole.
func decodeRaws[R any, P interface{ entries() ([]R, jsonx.String) }](b []byte, key string) (raws []R, next string, err error) {
	switch jsonx.Kind(b) {
	case '[':
		if err := json.Unmarshal(b, &raws); err != nil && !isTypeError(err) {
			return nil, "", listMalformed("%s", bound(err.Error()))
		}
		return raws, "", nil
	case '{':
		var rp P
		err := json.Unmarshal(b, &rp)
		if err != nil && (!isTypeError(err) || isContainerError(err, key)) {
			return nil, "", listMalformed("%s", bound(err.Error()))
		}
		raws, cursor := rp.entries()
		if cursor.Bad {
			return nil, "", listMalformed("next_cursor: not a string")
		}
		if raws == nil && !hasKey(b, key) {
			return nil, "", listMalformed("no %q in the page", key)
		}
		return raws, cursor.V, nil
	default:
		return nil, "", listMalformed("not a JSON array or object")
	}
}

func listMalformed(format string, args ...any) error {
	return fmt.Errorf("gamma: list: %w: %s", polymarket.ErrMalformed, fmt.Sprintf(format, args...))
}

// isTypeError: encoding/json reports a value of the wrong type, leaves the
// target zero and goes on decoding the rest. That is the leniency we want
// for individual fields and entries.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// isContainerError: the list itself (not one of its entries) has the wrong
// type, e.g. {"markets": 5}.
func isContainerError(err error, field string) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te) && te.Field == field && te.Type != nil && te.Type.Kind() == reflect.Slice
}

// hasKey reports whether the JSON object b has the top-level key. Only used
// on the rare empty page, to tell {"markets":null} from an unrelated body.
func hasKey(b []byte, key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}

type rawEvent struct {
	ID      jsonx.String `json:"id"`
	Slug    string       `json:"slug"`
	Title   string       `json:"title"`
	EndDate jsonx.Time   `json:"endDate"`
	Markets []rawMarket  `json:"markets"`
	Tags    []rawTag     `json:"tags"`
	NegRisk jsonx.Bool   `json:"negRisk"`
}

type rawEventPage struct {
	Events     []rawEvent   `json:"events"`
	NextCursor jsonx.String `json:"next_cursor"`
}

// event builds the Event; markets that fail to decode are left out and
// reported in skipped.
func (r *rawEvent) event() (e Event, skipped []error, err error) {
	if r.ID.Bad || !r.ID.Set {
		return Event{}, nil, fmt.Errorf("gamma: event: %w: id: missing or not a string", polymarket.ErrMalformed)
	}
	e = Event{ID: r.ID.V, Slug: r.Slug, Title: r.Title, EndDate: r.EndDate.V, NegRisk: r.NegRisk.V}
	if len(r.Markets) > 0 {
		e.Markets = make([]Market, 0, len(r.Markets))
		for i := range r.Markets {
			m, err := r.Markets[i].market()
			if err != nil {
				skipped = append(skipped, fmt.Errorf("event %q: %w", bound(e.ID), err))
				continue
			}
			e.Markets = append(e.Markets, m)
		}
	}
	for _, t := range r.Tags {
		if t.ID.Set || t.Slug != "" {
			e.Tags = append(e.Tags, Tag{ID: t.ID.V, Label: t.Label, Slug: t.Slug})
		}
	}
	return e, skipped, nil
}

// eventPage is a decoded events answer; skippedMarkets are markets left
// out of otherwise good events.
type eventPage struct {
	page[Event]
	skippedMarkets []error
}

func (rp rawEventPage) entries() ([]rawEvent, jsonx.String) { return rp.Events, rp.NextCursor }

func decodeEventPage(b []byte) (eventPage, error) {
	var p eventPage
	raws, next, err := decodeRaws[rawEvent, rawEventPage](b, "events")
	if err != nil {
		return p, err
	}
	p.raw, p.next = len(raws), next
	p.items = make([]Event, 0, len(raws))
	for i := range raws {
		e, sk, err := raws[i].event()
		if err != nil {
			p.skipped = append(p.skipped, err)
			continue
		}
		p.skippedMarkets = append(p.skippedMarkets, sk...)
		p.items = append(p.items, e)
	}
	return p, nil
}

// DecodeEvents decodes a list of events: a JSON array, or a keyset page
// {"events":[…],"next_cursor":…}. Events without an id and markets that
// fail DecodeMarket are left out; the error is non-nil (wrapping
// polymarket.ErrMalformed) only when b as a whole is not such a list.
func DecodeEvents(b []byte) ([]Event, error) {
	p, err := decodeEventPage(b)
	return p.items, err
}
