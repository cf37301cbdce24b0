// Package gamma reads Polymarket's Gamma API (market metadata: questions,
// outcomes, token ids, prices, volumes; public, no auth).
//
// Lists page with keyset cursors (GET /markets/keyset, /events/keyset) and
// fall back to offset pages (GET /markets, /events) when the keyset
// endpoint answers 404. Offset pages are fetched concurrently, bounded by
// Client.Concurrency, and stop at Gamma's offset cap (MaxOffset).
//
// Decoding is lenient (Gamma sends ~80 inconsistently typed fields per
// market) except for what a trade depends on; see Market and DecodeMarket.
// Money and prices are exact vig.Micros, never floats.
package gamma

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket"
)

// MaxOffset is the offset cap of Gamma's offset pagination: no page is
// requested at an offset of MaxOffset or more.
const MaxOffset = 10_000

// Default page sizes (ListParams.PageSize 0).
const (
	DefaultKeysetPageSize = 100 // markets per keyset page
	DefaultOffsetPageSize = 500 // markets per offset page (what the previous bot used)
	DefaultEventPageSize  = 100 // events per page, either mode (events embed their markets)
)

// tokenBatch bounds how many token ids go in one MarketsByTokenID request
// (78-digit ids; keeps the URL around 4 KB).
const tokenBatch = 50

// ErrOffsetCap is returned, together with the markets fetched so far, when
// offset pagination reached MaxOffset while pages were still full: the list
// is truncated. It happens only when the keyset endpoint is unavailable.
// Callers that can live with a partial scan may ignore it (errors.Is).
var ErrOffsetCap = errors.New("gamma: offset pagination reached its 10,000 cap; the list is truncated")

// Client reads Gamma. Its fields may be set after New and before use; a
// Client is safe for concurrent use.
type Client struct {
	// Endpoint is the Gamma API. Reads are Safe, so Endpoint retries them
	// (5xx, timeouts, 429 with Retry-After); tests replace Endpoint.Sleep.
	Endpoint polymarket.Endpoint
	// Concurrency bounds parallel page requests in offset mode (default 4).
	Concurrency int
	// OnSkip, if set, is told why each market or event was left out of a
	// list. It may be called from several goroutines at once.
	OnSkip func(error)

	skippedMarkets atomic.Int64
	skippedEvents  atomic.Int64
}

// New returns a Client for the Gamma API at baseURL (e.g.
// https://gamma-api.polymarket.com or http://127.0.0.1:8090/gamma). hc nil
// means http.DefaultClient; timeout is per attempt (0: 10 s).
func New(baseURL string, hc *http.Client, timeout time.Duration) *Client {
	return &Client{
		Endpoint:    polymarket.Endpoint{BaseURL: baseURL, HTTP: hc, Timeout: timeout},
		Concurrency: 4,
	}
}

// SkippedMarkets is how many markets this client has left out of lists
// because they failed DecodeMarket (missing id, mismatched outcomes and
// token ids, …), since it was created.
func (c *Client) SkippedMarkets() int64 { return c.skippedMarkets.Load() }

// SkippedEvents is how many events this client has left out of lists
// because they had no id.
func (c *Client) SkippedEvents() int64 { return c.skippedEvents.Load() }

func (c *Client) noteSkips(n *atomic.Int64, errs []error) {
	if len(errs) == 0 {
		return
	}
	n.Add(int64(len(errs)))
	if c.OnSkip != nil {
		for _, err := range errs {
			c.OnSkip(err)
		}
	}
}

// ListParams filters and bounds a list. Zero values add no filter.
type ListParams struct {
	Active, Closed, Archived *bool
	EndDateMin, EndDateMax   time.Time // sent as RFC 3339 UTC
	StartDateMin             time.Time
	Order                    string // sort key: volume24hr, volumeNum, liquidityNum, endDate, closedTime, …
	Ascending                *bool  // Gamma's default is true; needs Order
	VolumeNumMin             vig.Micros
	LiquidityNumMin          vig.Micros
	TagID                    string
	RelatedTags              bool
	// ClobTokenIDs, ConditionIDs and IDs are repeatable filters (markets
	// only). The answer is re-checked: a market matching none of them is
	// dropped, so a venue that ignored the filter cannot hand back
	// unrelated markets.
	ClobTokenIDs, ConditionIDs, IDs []string
	// PageSize is the limit per request. 0 means DefaultKeysetPageSize
	// (100) on the keyset endpoints and DefaultOffsetPageSize (500) on
	// the offset fallback for markets; DefaultEventPageSize (100) for
	// events. With MaxMarkets below it, MaxMarkets is used.
	PageSize int
	// MaxMarkets stops the list after this many items (markets, or events
	// for EventsByTag); 0 means all.
	MaxMarkets int
}

func setBool(q url.Values, key string, b *bool) {
	if b != nil {
		q.Set(key, strconv.FormatBool(*b))
	}
}

func setTime(q url.Values, key string, t time.Time) {
	if !t.IsZero() {
		q.Set(key, t.UTC().Format(time.RFC3339))
	}
}

// decimal formats m without trailing zeros: 1_500_000 → "1.5".
func decimal(m vig.Micros) string {
	s := m.String()
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func (p ListParams) common(q url.Values, volumeKey, liquidityKey string) {
	setBool(q, "active", p.Active)
	setBool(q, "closed", p.Closed)
	setBool(q, "archived", p.Archived)
	setTime(q, "end_date_min", p.EndDateMin)
	setTime(q, "end_date_max", p.EndDateMax)
	setTime(q, "start_date_min", p.StartDateMin)
	if p.Order != "" {
		q.Set("order", p.Order)
	}
	setBool(q, "ascending", p.Ascending)
	if p.VolumeNumMin > 0 {
		q.Set(volumeKey, decimal(p.VolumeNumMin))
	}
	if p.LiquidityNumMin > 0 {
		q.Set(liquidityKey, decimal(p.LiquidityNumMin))
	}
	if p.TagID != "" {
		q.Set("tag_id", p.TagID)
	}
	if p.RelatedTags {
		q.Set("related_tags", "true")
	}
	for _, id := range p.IDs {
		q.Add("id", id)
	}
}

// marketQuery maps the filters to /markets query parameters.
func (p ListParams) marketQuery() url.Values {
	q := url.Values{}
	p.common(q, "volume_num_min", "liquidity_num_min")
	for _, id := range p.ClobTokenIDs {
		q.Add("clob_token_ids", id)
	}
	for _, id := range p.ConditionIDs {
		q.Add("condition_ids", id)
	}
	return q
}

// eventQuery maps the filters to /events query parameters (volume_min,
// liquidity_min; ClobTokenIDs and ConditionIDs do not apply to events).
func (p ListParams) eventQuery() url.Values {
	q := url.Values{}
	p.common(q, "volume_min", "liquidity_min")
	return q
}

// keep reports whether m matches the identity filters (when any are set).
func (p ListParams) keep(m Market) bool {
	if len(p.IDs) > 0 && !contains(p.IDs, m.ID, false) {
		return false
	}
	if len(p.ConditionIDs) > 0 && !contains(p.ConditionIDs, m.ConditionID, true) {
		return false
	}
	if len(p.ClobTokenIDs) > 0 {
		for _, t := range m.ClobTokenIDs {
			if contains(p.ClobTokenIDs, t, false) {
				return true
			}
		}
		return false
	}
	return true
}

func contains(list []string, s string, fold bool) bool {
	for _, x := range list {
		if x == s || fold && strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Markets lists the markets matching p, in the venue's order, without
// duplicates. It pages with keyset cursors, falling back to concurrent
// offset pages when /markets/keyset answers 404. Markets that fail to
// decode are left out and counted (SkippedMarkets). In offset mode a list
// that hits MaxOffset returns the markets so far together with
// ErrOffsetCap; any other error returns no markets.
func (c *Client) Markets(ctx context.Context, p ListParams) ([]Market, error) {
	l := lister[Market]{
		c:           c,
		keysetPath:  "/markets/keyset",
		offsetPath:  "/markets",
		query:       p.marketQuery(),
		keysetLimit: pageSize(p.PageSize, DefaultKeysetPageSize, p.MaxMarkets),
		offsetLimit: pageSize(p.PageSize, DefaultOffsetPageSize, p.MaxMarkets),
		max:         p.MaxMarkets,
		decode: func(b []byte) (page[Market], error) {
			pg, err := decodeMarketPage(b)
			c.noteSkips(&c.skippedMarkets, pg.skipped)
			return pg, err
		},
		id:   func(m Market) string { return m.ID },
		keep: p.keep,
	}
	return l.list(ctx)
}

// EventsByTag lists the events with the tag slug (GET /events?tag_slug=…;
// an empty slug lists all events), keyset first with the same offset
// fallback as Markets. p.MaxMarkets bounds the number of events. Markets
// inside events that fail to decode are left out and counted
// (SkippedMarkets); events without an id likewise (SkippedEvents).
func (c *Client) EventsByTag(ctx context.Context, tagSlug string, p ListParams) ([]Event, error) {
	q := p.eventQuery()
	if tagSlug != "" {
		q.Set("tag_slug", tagSlug)
	}
	size := pageSize(p.PageSize, DefaultEventPageSize, p.MaxMarkets)
	l := lister[Event]{
		c:           c,
		keysetPath:  "/events/keyset",
		offsetPath:  "/events",
		query:       q,
		keysetLimit: size,
		offsetLimit: size,
		max:         p.MaxMarkets,
		decode: func(b []byte) (page[Event], error) {
			pg, err := decodeEventPage(b)
			c.noteSkips(&c.skippedEvents, pg.skipped)
			c.noteSkips(&c.skippedMarkets, pg.skippedMarkets)
			return pg.page, err
		},
		id: func(e Event) string { return e.ID },
	}
	return l.list(ctx)
}

func pageSize(set, def, max int) int {
	n := def
	if set > 0 {
		n = set
	}
	if max > 0 && max < n {
		n = max
	}
	return n
}

// Market fetches one market by its Gamma id (GET /markets/{id}). A market
// the venue does not know is polymarket.ErrNotFound; an answer that fails
// DecodeMarket, or is another market, is polymarket.ErrMalformed.
func (c *Client) Market(ctx context.Context, id string) (Market, error) {
	if id == "" {
		return Market{}, errors.New("gamma: Market: empty id")
	}
	path := "/markets/" + url.PathEscape(id)
	body, err := c.Endpoint.Do(ctx, polymarket.Request{Method: http.MethodGet, Path: path, Safe: true})
	if err != nil {
		return Market{}, err
	}
	m, err := DecodeMarket(body)
	if err == nil && m.ID != id {
		err = fmt.Errorf("answer is market %q", bound(m.ID))
	}
	if err != nil {
		return Market{}, &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: path, Status: http.StatusOK, Message: bound(err.Error())}
	}
	return m, nil
}

// MarketsByTokenID returns the markets holding the CLOB token ids (GET
// /markets?clob_token_ids=…, repeated; batches of 50). Each market appears
// once; ids the venue does not know are simply absent, and a market holding
// none of the ids is never returned.
func (c *Client) MarketsByTokenID(ctx context.Context, tokenIDs ...string) ([]Market, error) {
	var out []Market
	seen := map[string]bool{}
	for len(tokenIDs) > 0 {
		batch := tokenIDs[:min(len(tokenIDs), tokenBatch)]
		tokenIDs = tokenIDs[len(batch):]
		p := ListParams{ClobTokenIDs: batch}
		q := p.marketQuery()
		q.Set("limit", strconv.Itoa(len(batch)))
		body, err := c.Endpoint.Do(ctx, polymarket.Request{Method: http.MethodGet, Path: "/markets", Query: q, Safe: true})
		if err != nil {
			return nil, err
		}
		pg, err := decodeMarketPage(body)
		c.noteSkips(&c.skippedMarkets, pg.skipped)
		if err != nil {
			return nil, &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: "/markets", Status: http.StatusOK, Message: bound(err.Error())}
		}
		for _, m := range pg.items {
			if !seen[m.ID] && p.keep(m) {
				seen[m.ID] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}
