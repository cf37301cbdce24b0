// Package data reads Polymarket's Data API (a wallet's positions, closed
// positions, activity and portfolio value; public, no auth).
//
// Lists page with limit/offset until a short page. Decoding is lenient like
// polymarket/gamma: a field with a wrong type or an unusable value is left
// zero and named in the item's Issues; only the identity fields fail an
// item, which a list then skips and counts. Money, prices and share sizes
// are exact vig.Micros decoded from the venue's decimal text (never
// float64); digits beyond the 6th decimal are rounded half-even.
package data

import (
	"context"
	"encoding/json"
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
	"github.com/vig-bot/vig/polymarket/internal/jsonx"
)

// MaxOffset is the Data API's offset cap: no page is requested at an
// offset of MaxOffset or more.
const MaxOffset = 10_000

// DefaultPageSize is the limit per request when the params leave it 0 (the
// Data API's own default; its documented maximum is 500).
const DefaultPageSize = 100

// ErrOffsetCap is returned, together with the items fetched so far, when a
// list reached MaxOffset while pages were still full: the list is
// truncated. Callers may ignore it (errors.Is).
var ErrOffsetCap = errors.New("data: offset pagination reached its 10,000 cap; the list is truncated")

// Client reads the Data API. Its fields may be set after New and before
// use; a Client is safe for concurrent use.
type Client struct {
	// Endpoint is the Data API. Reads are Safe, so Endpoint retries them
	// (5xx, timeouts, 429 with Retry-After); tests replace Endpoint.Sleep.
	Endpoint polymarket.Endpoint
	// OnSkip, if set, is told why each item was left out of a list.
	OnSkip func(error)

	skipped atomic.Int64
}

// New returns a Client for the Data API at baseURL (e.g.
// https://data-api.polymarket.com or http://127.0.0.1:8090/data). hc nil
// means http.DefaultClient; timeout is per attempt (0: 10 s).
func New(baseURL string, hc *http.Client, timeout time.Duration) *Client {
	return &Client{Endpoint: polymarket.Endpoint{BaseURL: baseURL, HTTP: hc, Timeout: timeout}}
}

// Skipped is how many items (positions, activity) this client has left out
// of lists because they failed to decode, since it was created.
func (c *Client) Skipped() int64 { return c.skipped.Load() }

// userParam validates and lowercases a wallet address for the user query
// parameter (the ancestor reconciled with the lowercased address).
func userParam(user string) (string, error) {
	u := strings.ToLower(strings.TrimSpace(user))
	if len(u) != 42 || !strings.HasPrefix(u, "0x") || !isHex(u[2:]) {
		return "", fmt.Errorf("data: user %q is not a 0x address", bound(user))
	}
	return u, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !jsonx.IsDigit(c) && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// PositionParams filters and bounds Positions and ClosedPositions.
type PositionParams struct {
	// Markets restricts to these condition ids (sent comma-joined as
	// market=).
	Markets []string
	// SizeThreshold is the smallest position size returned, in shares.
	// It is always sent (Positions only), so the zero value asks for
	// every position, dust included, rather than the venue's default.
	SizeThreshold vig.Micros
	// Redeemable and Mergeable filter when set (Positions only).
	Redeemable, Mergeable *bool
	// SortBy (CURRENT, INITIAL, TOKENS, CASHPNL, PERCENTPNL, TITLE,
	// RESOLVING, PRICE, AVGPRICE; REALIZEDPNL, TIMESTAMP, … for closed
	// positions) and SortDirection (ASC, DESC) are passed through.
	SortBy, SortDirection string
	// PageSize is the limit per request (0: DefaultPageSize).
	PageSize int
	// MaxItems stops the list after this many positions (0: all).
	MaxItems int
}

// Positions lists the open positions of the wallet user (GET /positions),
// paging with offset until a short page. Positions that fail to decode are
// skipped and counted (Skipped); duplicates across pages (by token id) are
// dropped.
func (c *Client) Positions(ctx context.Context, user string, p PositionParams) ([]Position, error) {
	q, err := listQuery(user, p.Markets, p.SortBy, p.SortDirection)
	if err != nil {
		return nil, err
	}
	q.Set("sizeThreshold", decimal(p.SizeThreshold))
	if p.Redeemable != nil {
		q.Set("redeemable", strconv.FormatBool(*p.Redeemable))
	}
	if p.Mergeable != nil {
		q.Set("mergeable", strconv.FormatBool(*p.Mergeable))
	}
	return list(ctx, c, "/positions", q, p.PageSize, p.MaxItems, decodePositions, func(p Position) string { return p.Asset })
}

// ClosedPositions lists the wallet's closed positions (GET
// /closed-positions), paging like Positions. SizeThreshold, Redeemable and
// Mergeable do not apply and are not sent.
func (c *Client) ClosedPositions(ctx context.Context, user string, p PositionParams) ([]Position, error) {
	q, err := listQuery(user, p.Markets, p.SortBy, p.SortDirection)
	if err != nil {
		return nil, err
	}
	return list(ctx, c, "/closed-positions", q, p.PageSize, p.MaxItems, decodePositions, func(p Position) string {
		return p.Asset + "|" + strconv.FormatInt(p.Timestamp.Unix(), 10)
	})
}

// ActivityParams filters and bounds Activity.
type ActivityParams struct {
	Markets    []string  // condition ids, sent comma-joined as market=
	Types      []string  // TRADE, SPLIT, MERGE, REDEEM, REWARD, CONVERSION, DEPOSIT, WITHDRAWAL, …; comma-joined as type=
	Start, End time.Time // sent as epoch seconds
	Side       string    // BUY or SELL
	// SortBy (TIMESTAMP, TOKENS, CASH) and SortDirection (ASC, DESC) are
	// passed through.
	SortBy, SortDirection string
	PageSize              int // limit per request (0: DefaultPageSize)
	MaxItems              int // stop after this many (0: all)
}

// Activity lists the wallet's on-venue activity (GET /activity), paging
// with offset until a short page. Items that fail to decode are skipped and
// counted; exact duplicates across pages are dropped.
func (c *Client) Activity(ctx context.Context, user string, p ActivityParams) ([]Activity, error) {
	q, err := listQuery(user, p.Markets, p.SortBy, p.SortDirection)
	if err != nil {
		return nil, err
	}
	if len(p.Types) > 0 {
		q.Set("type", strings.Join(p.Types, ","))
	}
	if !p.Start.IsZero() {
		q.Set("start", strconv.FormatInt(p.Start.Unix(), 10))
	}
	if !p.End.IsZero() {
		q.Set("end", strconv.FormatInt(p.End.Unix(), 10))
	}
	if p.Side != "" {
		q.Set("side", p.Side)
	}
	return list(ctx, c, "/activity", q, p.PageSize, p.MaxItems, decodeActivity, Activity.key)
}

// listQuery is the query every list sends: the wallet (validated), the
// markets filter (condition ids, comma-joined) and the sort, when set.
func listQuery(user string, markets []string, sortBy, sortDirection string) (url.Values, error) {
	u, err := userParam(user)
	if err != nil {
		return nil, err
	}
	q := url.Values{"user": {u}}
	if len(markets) > 0 {
		q.Set("market", strings.Join(markets, ","))
	}
	if sortBy != "" {
		q.Set("sortBy", sortBy)
	}
	if sortDirection != "" {
		q.Set("sortDirection", sortDirection)
	}
	return q, nil
}

// decimal formats m without trailing zeros: 1_500_000 → "1.5", 0 → "0".
func decimal(m vig.Micros) string {
	s := strings.TrimRight(m.String(), "0")
	return strings.TrimSuffix(s, ".")
}

// list pages path with limit/offset until a short page.
func list[T any](ctx context.Context, c *Client, path string, q url.Values, limit, max int,
	decode func([]byte) ([]T, int, []error, error), key func(T) string) ([]T, error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	if max > 0 && max < limit {
		limit = max
	}
	var out []T
	seen := map[string]bool{}
	for off := 0; ; off += limit {
		if off >= MaxOffset {
			return out, ErrOffsetCap
		}
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(off))
		body, err := c.Endpoint.Do(ctx, polymarket.Request{Method: http.MethodGet, Path: path, Query: q, Safe: true})
		if err != nil {
			return nil, err
		}
		items, raw, skipped, err := decode(body)
		if err != nil {
			return nil, &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: path, Status: http.StatusOK, Message: bound(err.Error())}
		}
		c.noteSkips(skipped)
		fresh := 0
		for _, it := range items {
			k := key(it)
			if seen[k] {
				continue
			}
			seen[k] = true
			fresh++
			out = append(out, it)
			if max > 0 && len(out) >= max {
				return out, nil
			}
		}
		if raw < limit {
			return out, nil
		}
		if fresh == 0 && len(items) > 0 {
			return nil, &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: path, Status: http.StatusOK,
				Message: "the page at offset " + strconv.Itoa(off) + " only repeats items already listed (offset ignored?)"}
		}
	}
}

func (c *Client) noteSkips(errs []error) {
	if len(errs) == 0 {
		return
	}
	c.skipped.Add(int64(len(errs)))
	if c.OnSkip != nil {
		for _, err := range errs {
			c.OnSkip(err)
		}
	}
}

// Value returns the wallet's portfolio value in USDC (GET /value?user=…,
// answered as [{"user":…,"value":…}] or with "proxy_wallet" for "user"). An
// empty list is 0. An answer for another wallet, or without a usable value,
// is polymarket.ErrMalformed.
func (c *Client) Value(ctx context.Context, user string) (vig.Micros, error) {
	u, err := userParam(user)
	if err != nil {
		return 0, err
	}
	body, err := c.Endpoint.Do(ctx, polymarket.Request{Method: http.MethodGet, Path: "/value", Query: url.Values{"user": {u}}, Safe: true})
	if err != nil {
		return 0, err
	}
	v, err := decodeValue(body, u)
	if err != nil {
		return 0, &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: "/value", Status: http.StatusOK, Message: bound(err.Error())}
	}
	return v, nil
}

type rawValue struct {
	User        string       `json:"user"`
	ProxyWallet string       `json:"proxy_wallet"`
	ProxyCamel  string       `json:"proxyWallet"`
	Value       jsonx.Micros `json:"value"`
}

func decodeValue(b []byte, user string) (vig.Micros, error) {
	var rows []rawValue
	switch jsonx.Kind(b) {
	case '[':
		if err := json.Unmarshal(b, &rows); err != nil {
			return 0, err
		}
	case '{':
		var r rawValue
		if err := json.Unmarshal(b, &r); err != nil {
			return 0, err
		}
		rows = []rawValue{r}
	default:
		return 0, errors.New("not a JSON array or object")
	}
	if len(rows) == 0 {
		return 0, nil
	}
	for _, r := range rows {
		who := r.User
		if who == "" {
			who = r.ProxyWallet
		}
		if who == "" {
			who = r.ProxyCamel
		}
		if who != "" && !strings.EqualFold(who, user) {
			continue
		}
		if !r.Value.Set || r.Value.Bad {
			return 0, errors.New("value: missing or not a decimal")
		}
		return r.Value.V, nil
	}
	return 0, fmt.Errorf("no value for %s in the answer", user)
}

func bound(s string) string { return polymarket.Truncate(s, 300) }
