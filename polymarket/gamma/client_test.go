package gamma_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/gamma"
)

// keysetServer serves span(0, total) on /gamma/markets/keyset in pages of
// the requested limit, with base64-ish cursors "c<offset>", and records
// the after_cursor sequence. end is the next_cursor JSON of the last page.
type keysetServer struct {
	t       *testing.T
	total   int
	end     string
	mu      sync.Mutex
	cursors []string
	queries []url.Values
	hook    func(w http.ResponseWriter, q url.Values) bool // true: handled
}

func (s *keysetServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/gamma/markets/keyset" {
		s.t.Errorf("unexpected request %s", r.URL)
		writeJSON(w, 404, `{"error":"not found"}`)
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	s.cursors = append(s.cursors, q.Get("after_cursor"))
	s.queries = append(s.queries, q)
	s.mu.Unlock()
	if s.hook != nil && s.hook(w, q) {
		return
	}
	if q.Has("offset") {
		s.t.Errorf("offset sent to the keyset endpoint: %s", r.URL.RawQuery)
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	off := 0
	if c := q.Get("after_cursor"); c != "" {
		off, _ = strconv.Atoi(strings.TrimPrefix(c, "c"))
	}
	hi := min(off+limit, s.total)
	next := `"c` + strconv.Itoa(hi) + `"`
	if hi >= s.total {
		next = s.end
	}
	body := `{"markets":` + marketsArray(span(off, hi))
	if next != "" {
		body += `,"next_cursor":` + next
	}
	writeJSON(w, 200, body+"}")
}

func TestMarketsKeysetPagination(t *testing.T) {
	for _, end := range []string{`null`, `""`, `"LTE="`, ``} {
		t.Run("end "+end, func(t *testing.T) {
			ks := &keysetServer{t: t, total: 250, end: end}
			srv := httptest.NewServer(ks)
			defer srv.Close()
			c, _ := newClient(t, srv)
			ms, err := c.Markets(context.Background(), gamma.ListParams{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ids(ms), wantIDs(span(0, 250)); !slices.Equal(got, want) {
				t.Errorf("got %d markets, want 250 in order", len(got))
			}
			if got, want := ks.cursors, []string{"", "c100", "c200"}; !slices.Equal(got, want) {
				t.Errorf("after_cursor sequence = %q, want %q", got, want)
			}
			for _, q := range ks.queries {
				if q.Get("limit") != "100" || q.Has("offset") {
					t.Errorf("query %v: want limit=100 and no offset", q)
				}
			}
		})
	}
}

func TestMarketsKeysetRepeatedCursor(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"markets":`+marketsArray(span(0, 2))+`,"next_cursor":"same"}`)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	ms, err := c.Markets(context.Background(), gamma.ListParams{})
	if !errors.Is(err, polymarket.ErrMalformed) || ms != nil {
		t.Fatalf("Markets = %d markets, %v; want nil, ErrMalformed", len(ms), err)
	}
}

func TestMarketsKeysetEndlessEmptyPages(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"markets":[],"next_cursor":"c`+strconv.Itoa(int(n.Add(1)))+`"}`)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	if _, err := c.Markets(context.Background(), gamma.ListParams{}); !errors.Is(err, polymarket.ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
	if got := n.Load(); got != 11 {
		t.Errorf("%d requests, want 11", got)
	}
}

func TestMarketsMaxMarkets(t *testing.T) {
	ks := &keysetServer{t: t, total: 1000, end: "null"}
	srv := httptest.NewServer(ks)
	defer srv.Close()
	c, _ := newClient(t, srv)
	ms, err := c.Markets(context.Background(), gamma.ListParams{MaxMarkets: 150})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(ms), wantIDs(span(0, 150)); !slices.Equal(got, want) {
		t.Errorf("got %d markets, want the first 150", len(got))
	}
	if got, want := ks.cursors, []string{"", "c100"}; !slices.Equal(got, want) {
		t.Errorf("after_cursor sequence = %q, want %q", got, want)
	}

	ks2 := &keysetServer{t: t, total: 1000, end: "null"}
	srv2 := httptest.NewServer(ks2)
	defer srv2.Close()
	c2, _ := newClient(t, srv2)
	if ms, err := c2.Markets(context.Background(), gamma.ListParams{MaxMarkets: 30}); err != nil || len(ms) != 30 {
		t.Fatalf("Markets = %d, %v; want 30", len(ms), err)
	}
	if got := ks2.queries[0].Get("limit"); got != "30" || len(ks2.queries) != 1 {
		t.Errorf("limit = %q over %d requests; want 30 in one request", got, len(ks2.queries))
	}
}

func TestMarketsRateLimitedPageIsRiddenOut(t *testing.T) {
	var limited atomic.Bool
	ks := &keysetServer{t: t, total: 250, end: "null"}
	ks.hook = func(w http.ResponseWriter, q url.Values) bool {
		if q.Get("after_cursor") == "c100" && !limited.Swap(true) {
			w.Header().Set("Retry-After", "7")
			writeJSON(w, 429, `{"error":"Too Many Requests"}`)
			return true
		}
		return false
	}
	srv := httptest.NewServer(ks)
	defer srv.Close()
	c, sl := newClient(t, srv)
	ms, err := c.Markets(context.Background(), gamma.ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 250 {
		t.Errorf("got %d markets, want 250", len(ms))
	}
	if got, want := sl.all(), []time.Duration{7 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("slept %v, want %v (the Retry-After)", got, want)
	}
	if got, want := ks.cursors, []string{"", "c100", "c100", "c200"}; !slices.Equal(got, want) {
		t.Errorf("after_cursor sequence = %q, want %q", got, want)
	}
}

func TestMarketsHTML403IsGeoblocked(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(403)
		w.Write([]byte(`<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>Sorry, you have been blocked</body></html>`))
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	ms, err := c.Markets(context.Background(), gamma.ListParams{})
	if !errors.Is(err, polymarket.ErrGeoblocked) || ms != nil {
		t.Fatalf("Markets = %d, %v; want ErrGeoblocked", len(ms), err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1 (no retry, no fallback)", n.Load())
	}
	if _, err := c.Market(context.Background(), "703257"); !errors.Is(err, polymarket.ErrGeoblocked) {
		t.Errorf("Market: %v, want ErrGeoblocked", err)
	}
}

func TestMarketsTruncatedPageIsMalformed(t *testing.T) {
	ks := &keysetServer{t: t, total: 250, end: "null"}
	ks.hook = func(w http.ResponseWriter, q url.Values) bool {
		if q.Get("after_cursor") == "c100" {
			body := `{"markets":` + marketsArray(span(100, 200)) + `,"next_cursor":"c200"}`
			writeJSON(w, 200, body[:len(body)/2])
			return true
		}
		return false
	}
	srv := httptest.NewServer(ks)
	defer srv.Close()
	c, _ := newClient(t, srv)
	ms, err := c.Markets(context.Background(), gamma.ListParams{})
	if !errors.Is(err, polymarket.ErrMalformed) || ms != nil {
		t.Fatalf("Markets = %d, %v; want nil, ErrMalformed", len(ms), err)
	}
	var ae *polymarket.APIError
	if !errors.As(err, &ae) || ae.Path != "/markets/keyset" {
		t.Errorf("error %v: want an APIError for /markets/keyset", err)
	}
}

func TestMarketsSkipsBadMarkets(t *testing.T) {
	mismatched := string(fixture(t, "mismatched_market.json"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"markets":[`+marketJSON(1)+`,`+mismatched+`,{"question":"no id"},`+marketJSON(2)+`],"next_cursor":null}`)
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	var mu sync.Mutex
	var skips []string
	c.OnSkip = func(err error) {
		mu.Lock()
		defer mu.Unlock()
		skips = append(skips, err.Error())
	}
	ms, err := c.Markets(context.Background(), gamma.ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(ms), wantIDs([]int{1, 2}); !slices.Equal(got, want) {
		t.Errorf("ids = %q, want %q", got, want)
	}
	if got := c.SkippedMarkets(); got != 2 {
		t.Errorf("SkippedMarkets = %d, want 2", got)
	}
	if len(skips) != 2 || !strings.Contains(skips[0], "640001") || !strings.Contains(skips[0], "clobTokenIds") || !strings.Contains(skips[1], "id: missing") {
		t.Errorf("OnSkip got %q", skips)
	}
}

func TestMarketsFiltersInQuery(t *testing.T) {
	m1 := mustDecodeMarket(t, []byte(marketJSON(1)))
	m2 := mustDecodeMarket(t, []byte(marketJSON(2)))
	f, tr := false, true
	paris := time.FixedZone("CET", 3600)
	p := gamma.ListParams{
		Active: &tr, Closed: &f, Archived: &f,
		EndDateMin:      time.Date(2026, 11, 28, 13, 0, 0, 0, paris),
		EndDateMax:      time.Date(2026, 11, 29, 12, 0, 0, 500, time.UTC),
		StartDateMin:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		Order:           "volume24hr",
		Ascending:       &f,
		VolumeNumMin:    1_000_500_000,
		LiquidityNumMin: 250_000_000,
		TagID:           "100350",
		RelatedTags:     true,
		ClobTokenIDs:    []string{m1.ClobTokenIDs[0], m2.ClobTokenIDs[1]},
		ConditionIDs:    []string{strings.ToUpper(m1.ConditionID[:2]) + m1.ConditionID[2:], m2.ConditionID},
		IDs:             []string{m1.ID, m2.ID},
	}
	want := url.Values{
		"active": {"true"}, "closed": {"false"}, "archived": {"false"},
		"end_date_min": {"2026-11-28T12:00:00Z"}, "end_date_max": {"2026-11-29T12:00:00Z"},
		"start_date_min": {"2025-01-01T00:00:00Z"},
		"order":          {"volume24hr"}, "ascending": {"false"},
		"volume_num_min": {"1000.5"}, "liquidity_num_min": {"250"},
		"tag_id": {"100350"}, "related_tags": {"true"},
		"clob_token_ids": p.ClobTokenIDs, "condition_ids": p.ConditionIDs, "id": p.IDs,
	}
	var mu sync.Mutex
	var got []*url.URL
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL)
		mu.Unlock()
		if r.URL.Path == "/gamma/markets/keyset" {
			writeJSON(w, 404, `{"error":"not found"}`)
			return
		}
		// A venue that ignored the filters would send unrelated markets too.
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		writeJSON(w, 200, marketsArray([]int{1, 3, 2}[min(off, 3):]))
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	ms, err := c.Markets(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(ms), []string{m1.ID, m2.ID}; !slices.Equal(got, want) {
		t.Errorf("ids = %q, want %q (market 3 matches no filter)", got, want)
	}
	if len(got) != 3 {
		t.Fatalf("%d requests, want keyset + offset page + probe", len(got))
	}
	for i, u := range got {
		q := u.Query()
		wq := url.Values{}
		for k, v := range want {
			wq[k] = v
		}
		switch i {
		case 0:
			wq.Set("limit", "100")
		case 1:
			wq.Set("limit", "500")
			wq.Set("offset", "0")
		case 2:
			wq.Set("limit", "500")
			wq.Set("offset", "3")
		}
		if q.Encode() != wq.Encode() {
			t.Errorf("request %d %s:\n got  %s\n want %s", i, u.Path, q.Encode(), wq.Encode())
		}
	}
}

// offsetServer answers 404 on the keyset endpoint and serves data on
// /gamma/markets with limit/offset, recording concurrency.
type offsetServer struct {
	t        *testing.T
	data     []int
	capLimit int // the venue's own limit cap (0: none)
	tiny     bool
	delay    func(off int) time.Duration
	inflight atomic.Int32
	maxIn    atomic.Int32
	mu       sync.Mutex
	offsets  []int
	block    func(r *http.Request) bool
}

func (s *offsetServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/gamma/markets/keyset", "/gamma/events/keyset":
		writeJSON(w, 404, `{"error":"not found"}`)
		return
	case "/gamma/markets":
	default:
		s.t.Errorf("unexpected request %s", r.URL)
		writeJSON(w, 404, `{"error":"not found"}`)
		return
	}
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for {
		m := s.maxIn.Load()
		if n <= m || s.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	q := r.URL.Query()
	limit, err1 := strconv.Atoi(q.Get("limit"))
	off, err2 := strconv.Atoi(q.Get("offset"))
	if err1 != nil || err2 != nil {
		s.t.Errorf("bad limit/offset in %s", r.URL.RawQuery)
	}
	if off >= gamma.MaxOffset {
		s.t.Errorf("offset %d requested, beyond the cap", off)
	}
	s.mu.Lock()
	s.offsets = append(s.offsets, off)
	s.mu.Unlock()
	if s.block != nil && s.block(r) {
		<-r.Context().Done()
		return
	}
	if s.delay != nil {
		time.Sleep(s.delay(off))
	}
	if s.capLimit > 0 {
		limit = min(limit, s.capLimit)
	}
	lo, hi := min(off, len(s.data)), min(off+limit, len(s.data))
	if s.tiny {
		var b strings.Builder
		b.WriteByte('[')
		for k, i := range s.data[lo:hi] {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"id":"` + marketID(i) + `","outcomes":"[\"Yes\",\"No\"]","clobTokenIds":"[\"1\",\"2\"]"}`)
		}
		b.WriteByte(']')
		writeJSON(w, 200, b.String())
		return
	}
	writeJSON(w, 200, marketsArray(s.data[lo:hi]))
}

// requested returns the offsets requested so far.
func (s *offsetServer) requested() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.offsets)
}

func TestMarketsOffsetFallbackConcurrent(t *testing.T) {
	const total, limit, conc = 2340, 100, 3
	data := span(0, total)
	// The venue's order shifted while we paged: market 150 shows up twice
	// and market 1999 on both sides of a page boundary.
	data = slices.Insert(data, 151, 150)
	data = slices.Insert(data, 2001, 1999)
	s := &offsetServer{t: t, data: data, delay: func(off int) time.Duration {
		return time.Duration(5-off/limit%5) * 3 * time.Millisecond // later pages often finish first
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newClient(t, srv)
	c.Concurrency = conc
	ms, err := c.Markets(context.Background(), gamma.ListParams{PageSize: limit})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(ms), wantIDs(span(0, total)); !slices.Equal(got, want) {
		t.Errorf("got %d markets, want %d complete, ordered and deduplicated", len(got), len(want))
	}
	if got := s.maxIn.Load(); got > conc || got < 2 {
		t.Errorf("max in-flight requests = %d, want 2..%d", got, conc)
	}
	pages := (len(data) + limit - 1) / limit // the last one short
	seen := map[int]bool{}
	for _, off := range s.requested() {
		if seen[off] {
			t.Errorf("offset %d requested twice", off)
		}
		seen[off] = true
		if off%limit != 0 || off >= (pages+conc)*limit {
			t.Errorf("unexpected offset %d", off)
		}
	}
	for p := range pages {
		if !seen[p*limit] {
			t.Errorf("page at offset %d never requested", p*limit)
		}
	}
}

func TestMarketsOffsetCap(t *testing.T) {
	s := &offsetServer{t: t, data: span(0, 20_000), tiny: true}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newClient(t, srv)
	ms, err := c.Markets(context.Background(), gamma.ListParams{})
	if !errors.Is(err, gamma.ErrOffsetCap) {
		t.Fatalf("err = %v, want ErrOffsetCap", err)
	}
	if got, want := ids(ms), wantIDs(span(0, gamma.MaxOffset)); !slices.Equal(got, want) {
		t.Errorf("got %d markets, want the first %d", len(got), gamma.MaxOffset)
	}
	if got, want := slices.Max(s.requested()), gamma.MaxOffset-gamma.DefaultOffsetPageSize; got != want {
		t.Errorf("highest offset = %d, want %d", got, want)
	}
}

func TestMarketsOffsetVenueCapsLimit(t *testing.T) {
	s := &offsetServer{t: t, data: span(0, 250), capLimit: 100, tiny: true}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newClient(t, srv)
	ms, err := c.Markets(context.Background(), gamma.ListParams{}) // asks for 500 a page
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(ms), wantIDs(span(0, 250)); !slices.Equal(got, want) {
		t.Errorf("got %d markets, want all 250 although the venue caps pages at 100", len(got))
	}
}

func TestMarketsOffsetSmallList(t *testing.T) {
	s := &offsetServer{t: t, data: span(0, 30), tiny: true}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newClient(t, srv)
	ms, err := c.Markets(context.Background(), gamma.ListParams{})
	if err != nil || len(ms) != 30 {
		t.Fatalf("Markets = %d, %v; want 30", len(ms), err)
	}
	if got, want := s.requested(), []int{0, 30}; !slices.Equal(got, want) {
		t.Errorf("offsets = %v, want %v (one page and one empty probe)", got, want)
	}
}

func TestMarketsOffsetIgnored(t *testing.T) {
	for _, n := range []int{3, 100} {
		var reqs atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/gamma/markets/keyset" {
				writeJSON(w, 404, `{"error":"not found"}`)
				return
			}
			reqs.Add(1)
			writeJSON(w, 200, marketsArray(span(0, n))) // whatever the offset
		}))
		c, _ := newClient(t, srv)
		ms, err := c.Markets(context.Background(), gamma.ListParams{PageSize: 100})
		srv.Close()
		if !errors.Is(err, polymarket.ErrMalformed) || ms != nil {
			t.Errorf("%d a page: Markets = %d, %v; want nil, ErrMalformed", n, len(ms), err)
		}
		if reqs.Load() > 1+2*4 {
			t.Errorf("%d a page: %d requests; want a quick stop", n, reqs.Load())
		}
	}
}

func TestMarketsOffsetErrorAndCancel(t *testing.T) {
	t.Run("a failing page fails the list", func(t *testing.T) {
		s := &offsetServer{t: t, data: span(0, 1000), tiny: true}
		s.block = nil
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("offset") == "300" {
				writeJSON(w, 400, `{"error":"offset too large"}`)
				return
			}
			s.ServeHTTP(w, r)
		}))
		defer srv.Close()
		c, _ := newClient(t, srv)
		ms, err := c.Markets(context.Background(), gamma.ListParams{PageSize: 100})
		if !errors.Is(err, polymarket.ErrRejected) || ms != nil {
			t.Fatalf("Markets = %d, %v; want nil, ErrRejected", len(ms), err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		s := &offsetServer{t: t, data: span(0, 1000), tiny: true,
			block: func(r *http.Request) bool { return r.URL.Query().Get("offset") != "0" }}
		srv := httptest.NewServer(s)
		defer srv.Close()
		c, _ := newClient(t, srv)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		ms, err := c.Markets(ctx, gamma.ListParams{PageSize: 100})
		if err == nil || ms != nil {
			t.Fatalf("Markets = %d, %v; want an error", len(ms), err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %v after the context ended", d)
		}
	})
}

func TestMarketByID(t *testing.T) {
	composite := fixture(t, "composite_market.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gamma/markets/703257":
			writeJSON(w, 200, string(composite))
		case "/gamma/markets/1":
			writeJSON(w, 200, string(composite)) // another market's answer
		case "/gamma/markets/2":
			writeJSON(w, 200, string(composite[:100]))
		default:
			writeJSON(w, 404, `{"type":"not found error","error":"id not found"}`)
		}
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	m, err := c.Market(context.Background(), "703257")
	if err != nil || m.ID != "703257" || len(m.ClobTokenIDs) != 2 {
		t.Fatalf("Market = %+v, %v", m, err)
	}
	if _, err := c.Market(context.Background(), "999"); !errors.Is(err, polymarket.ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
	if _, err := c.Market(context.Background(), "1"); !errors.Is(err, polymarket.ErrMalformed) {
		t.Errorf("wrong market: %v, want ErrMalformed", err)
	}
	if _, err := c.Market(context.Background(), "2"); !errors.Is(err, polymarket.ErrMalformed) {
		t.Errorf("truncated: %v, want ErrMalformed", err)
	}
	if _, err := c.Market(context.Background(), ""); err == nil {
		t.Error("empty id: no error")
	}
}

func TestMarketsByTokenID(t *testing.T) {
	var tokens []string
	byToken := map[string]int{}
	for i := range 60 {
		m := mustDecodeMarket(t, []byte(marketJSON(i)))
		for _, tok := range m.ClobTokenIDs {
			tokens = append(tokens, tok)
			byToken[tok] = i
		}
	}
	var mu sync.Mutex
	var batches []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/gamma/markets" {
			t.Errorf("unexpected %s", r.URL)
		}
		want := q["clob_token_ids"]
		if q.Get("limit") != strconv.Itoa(len(want)) {
			t.Errorf("limit %s for %d ids", q.Get("limit"), len(want))
		}
		mu.Lock()
		batches = append(batches, len(want))
		mu.Unlock()
		var idx []int
		seen := map[int]bool{}
		for _, tok := range want {
			if i, ok := byToken[tok]; ok && !seen[i] {
				seen[i] = true
				idx = append(idx, i)
			}
		}
		idx = append(idx, 999) // unrelated: must be dropped
		writeJSON(w, 200, marketsArray(idx))
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	ms, err := c.MarketsByTokenID(context.Background(), append(tokens, "123")...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := batches, []int{50, 50, 21}; !slices.Equal(got, want) {
		t.Errorf("batches = %v, want %v", got, want)
	}
	if got, want := ids(ms), wantIDs(span(0, 60)); !slices.Equal(got, want) {
		t.Errorf("ids = %q, want %q", got, want)
	}
	if ms, err := c.MarketsByTokenID(context.Background()); err != nil || ms != nil {
		t.Errorf("no ids: %v, %v", ms, err)
	}
}

func TestEventsByTag(t *testing.T) {
	ev := string(fixture(t, "negrisk_event.json"))
	t.Run("keyset", func(t *testing.T) {
		var mu sync.Mutex
		var qs []url.Values
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/gamma/events/keyset" {
				t.Errorf("unexpected %s", r.URL)
			}
			q := r.URL.Query()
			mu.Lock()
			qs = append(qs, q)
			mu.Unlock()
			if q.Get("after_cursor") == "" {
				writeJSON(w, 200, `{"events":[`+ev+`,{"title":"no id"}],"next_cursor":"e1"}`)
				return
			}
			writeJSON(w, 200, `{"events":[{"id":"777","slug":"other","title":"Other","markets":[`+marketJSON(5)+`]}],"next_cursor":null}`)
		}))
		defer srv.Close()
		c, _ := newClient(t, srv)
		tr := true
		es, err := c.EventsByTag(context.Background(), "politics", gamma.ListParams{Closed: new(bool), Active: &tr, Order: "volume24hr", VolumeNumMin: 10_000_000})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 || es[0].ID != "30829" || es[1].ID != "777" || len(es[0].Markets) != 2 || es[1].Markets[0].ID != marketID(5) {
			t.Fatalf("events = %+v", es)
		}
		if c.SkippedEvents() != 1 || c.SkippedMarkets() != 1 {
			t.Errorf("SkippedEvents=%d SkippedMarkets=%d, want 1 and 1", c.SkippedEvents(), c.SkippedMarkets())
		}
		want := url.Values{"tag_slug": {"politics"}, "closed": {"false"}, "active": {"true"}, "order": {"volume24hr"}, "volume_min": {"10"}, "limit": {"100"}}
		if got := qs[0].Encode(); got != want.Encode() {
			t.Errorf("query %s, want %s", got, want.Encode())
		}
		if got := qs[1].Get("after_cursor"); got != "e1" {
			t.Errorf("after_cursor = %q, want e1", got)
		}
	})
	t.Run("offset fallback", func(t *testing.T) {
		var offsets []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/gamma/events/keyset":
				writeJSON(w, 404, `{"error":"not found"}`)
			case "/gamma/events":
				q := r.URL.Query()
				if q.Get("tag_slug") != "crypto" || q.Get("limit") != "100" {
					t.Errorf("query %s", r.URL.RawQuery)
				}
				offsets = append(offsets, q.Get("offset"))
				if q.Get("offset") == "0" {
					writeJSON(w, 200, `[`+ev+`]`)
					return
				}
				writeJSON(w, 200, `[]`)
			default:
				t.Errorf("unexpected %s", r.URL)
			}
		}))
		defer srv.Close()
		c, _ := newClient(t, srv)
		es, err := c.EventsByTag(context.Background(), "crypto", gamma.ListParams{})
		if err != nil || len(es) != 1 || es[0].ID != "30829" {
			t.Fatalf("EventsByTag = %+v, %v", es, err)
		}
		if !slices.Equal(offsets, []string{"0", "1"}) {
			t.Errorf("offsets = %q", offsets)
		}
	})
}
