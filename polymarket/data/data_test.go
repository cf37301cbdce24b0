package data_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/data"
)

const wallet = "0x56687BF447DB6FFA42FFE2204A05EDAA20F55839" // checksummed case on purpose

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func newClient(tb testing.TB, srv *httptest.Server) (*data.Client, *[]time.Duration) {
	tb.Helper()
	c := data.New(srv.URL+"/data", srv.Client(), 5*time.Second)
	var mu sync.Mutex
	var slept []time.Duration
	c.Endpoint.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		slept = append(slept, d)
		return ctx.Err()
	}
	return c, &slept
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write([]byte(body))
}

// positionJSON is a realistic /positions entry, varied by i.
func positionJSON(i int) string {
	return fmt.Sprintf(`{"proxyWallet":"0x56687bf447db6ffa42ffe2204a05edaa20f55839","asset":"%d%075d","conditionId":"0x%064x",`+
		`"size":%d.25,"avgPrice":0.%03d,"initialValue":12.5,"currentValue":"13.75","cashPnl":1.25,"percentPnl":10,"totalBought":50,`+
		`"realizedPnl":0,"percentRealizedPnl":0,"curPrice":0.55,"redeemable":false,"mergeable":false,"title":"Market %d","slug":"market-%d",`+
		`"icon":"","eventId":"1","eventSlug":"event","outcome":"Yes","outcomeIndex":0,"oppositeOutcome":"No",`+
		`"oppositeAsset":"9%075d","endDate":"2026-12-31","negativeRisk":false}`, 1+i%9, i, i+1, 5+i, 1+i%998, i, i, i)
}

func positionsPage(from, to int) string {
	var parts []string
	for i := from; i < to; i++ {
		parts = append(parts, positionJSON(i))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestDecodePositions(t *testing.T) {
	ps, err := data.DecodePositions(fixture(t, "positions.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 {
		t.Fatalf("got %d positions, want 3 (two without identity are skipped)", len(ps))
	}
	p := ps[0]
	for _, c := range []struct {
		name      string
		got, want vig.Micros
	}{
		{"Size", p.Size, 3_046_752_800},
		{"AvgPrice", p.AvgPrice, 328_200},
		{"InitialValue (8 decimals, half-even)", p.InitialValue, 999_944_269},
		{"CurrentValue", p.CurrentValue, 1_523_376_400},
		{"CashPnl (8 decimals, half-even)", p.CashPnl, 523_432_131},
		{"TotalBought", p.TotalBought, 3_046_752_800},
		{"CurPrice", p.CurPrice, 500_000},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if p.Asset != "107505882767731489358349912513945399560393482969656700824895970500493757150417" ||
		p.ConditionID != "0x747dc809fb79e1b05be09c42d6179459a58de2ef3e40f02484a4e1260f741f75" ||
		p.Outcome != "Yes" || p.OutcomeIndex != 0 || p.OppositeAsset == "" || p.Redeemable || p.NegativeRisk {
		t.Errorf("position 0 = %+v", p)
	}
	if !p.EndDate.Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) || len(p.Issues) != 0 {
		t.Errorf("EndDate=%v Issues=%q", p.EndDate, p.Issues)
	}

	s := ps[1] // numbers and booleans as strings
	if s.Size != 52_000_000 || s.AvgPrice != 951_000 || s.CurPrice != 1_000_000 || !s.Redeemable || !s.NegativeRisk || s.OutcomeIndex != 0 {
		t.Errorf("strings position = %+v", s)
	}
	if !s.EndDate.Equal(time.Date(2024, 11, 5, 12, 0, 0, 0, time.UTC)) || len(s.Issues) != 0 {
		t.Errorf("EndDate=%v Issues=%q", s.EndDate, s.Issues)
	}

	l := ps[2] // lenient: bad fields zero and flagged, identity exact
	if l.Asset != "48331043336612883890938759509493159234755048973500640148014422747788308965732" {
		t.Errorf("numeric asset = %q, want its exact digits", l.Asset)
	}
	if l.Size != 0 || l.AvgPrice != 0 || l.CurPrice != 500 || l.Redeemable || l.OutcomeIndex != -1 || !l.EndDate.IsZero() {
		t.Errorf("lenient position = %+v", l)
	}
	if want := []string{"avgPrice: not a decimal", "redeemable: not a boolean"}; !slices.Equal(l.Issues, want) {
		t.Errorf("Issues = %q, want %q", l.Issues, want)
	}
}

func TestDecodeClosedPositionsAndActivity(t *testing.T) {
	cps, err := data.DecodePositions(fixture(t, "closed_positions.json"))
	if err != nil || len(cps) != 1 {
		t.Fatalf("closed positions: %v, %v", cps, err)
	}
	if c := cps[0]; c.RealizedPnl != -14_250_000 || !c.Timestamp.Equal(time.Unix(1764288000, 0)) || c.OutcomeIndex != 1 {
		t.Errorf("closed position = %+v", c)
	}

	as, err := data.DecodeActivity(fixture(t, "activity.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 {
		t.Fatalf("got %d activity entries, want 2", len(as))
	}
	tr := as[0]
	if tr.Type != "TRADE" || tr.Side != "BUY" || tr.Size != 100_000_000 || tr.USDCSize != 4_600_000 || tr.Price != 46_000 ||
		tr.OutcomeIndex != 0 || !tr.Timestamp.Equal(time.Unix(1764288000, 0)) || tr.Timestamp.Location() != time.UTC {
		t.Errorf("trade = %+v", tr)
	}
	rd := as[1]
	if rd.Type != "REDEEM" || rd.Asset != "" || rd.OutcomeIndex != -1 || rd.USDCSize != 52_000_000 || !rd.Timestamp.Equal(time.Unix(1764291600, 0)) {
		t.Errorf("redeem = %+v", rd)
	}
}

func TestDecodeListErrors(t *testing.T) {
	for _, in := range []string{``, `{"positions":[]}`, `[{"asset":"1"`, `null`, `<html>`, `"x"`} {
		if _, err := data.DecodePositions([]byte(in)); !errors.Is(err, polymarket.ErrMalformed) {
			t.Errorf("DecodePositions(%q): %v, want ErrMalformed", in, err)
		}
		if _, err := data.DecodeActivity([]byte(in)); !errors.Is(err, polymarket.ErrMalformed) {
			t.Errorf("DecodeActivity(%q): %v, want ErrMalformed", in, err)
		}
	}
	ps, err := data.DecodePositions([]byte(`[5, "x", null, {"asset":"1","conditionId":5}]`))
	if err != nil || len(ps) != 0 {
		t.Errorf("entries of the wrong shape: %v, %v; want none and no error", ps, err)
	}
}

func TestPositionsPagination(t *testing.T) {
	const total = 250
	var mu sync.Mutex
	var qs []url.Values
	var limited atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/data/positions" {
			t.Errorf("unexpected %s", r.URL)
		}
		q := r.URL.Query()
		mu.Lock()
		qs = append(qs, q)
		mu.Unlock()
		off, _ := strconv.Atoi(q.Get("offset"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		if off == 100 && !limited.Swap(true) {
			w.Header().Set("Retry-After", "3")
			writeJSON(w, 429, `{"error":"Too Many Requests"}`)
			return
		}
		writeJSON(w, 200, positionsPage(off, min(off+limit, total)))
	}))
	defer srv.Close()
	c, slept := newClient(t, srv)
	tr := true
	ps, err := c.Positions(context.Background(), wallet, data.PositionParams{
		Markets:    []string{"0xaa", "0xbb"},
		Redeemable: &tr,
		SortBy:     "CURRENT", SortDirection: "DESC",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != total {
		t.Fatalf("got %d positions, want %d", len(ps), total)
	}
	for i, p := range ps {
		if want := fmt.Sprintf("%d%075d", 1+i%9, i); p.Asset != want {
			t.Fatalf("position %d asset %s, want %s (order kept)", i, p.Asset, want)
		}
	}
	var offsets []string
	for _, q := range qs {
		offsets = append(offsets, q.Get("offset"))
		want := url.Values{
			"user": {strings.ToLower(wallet)}, "market": {"0xaa,0xbb"}, "sizeThreshold": {"0"}, "redeemable": {"true"},
			"sortBy": {"CURRENT"}, "sortDirection": {"DESC"}, "limit": {"100"}, "offset": {q.Get("offset")},
		}
		if q.Encode() != want.Encode() {
			t.Errorf("query %s\n want %s", q.Encode(), want.Encode())
		}
	}
	if want := []string{"0", "100", "100", "200"}; !slices.Equal(offsets, want) {
		t.Errorf("offsets = %q, want %q", offsets, want)
	}
	if want := []time.Duration{3 * time.Second}; !slices.Equal(*slept, want) {
		t.Errorf("slept %v, want %v", *slept, want)
	}
}

func TestPositionsSkipsAndCaps(t *testing.T) {
	t.Run("skips are counted", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, string(fixture(t, "positions.json")))
		}))
		defer srv.Close()
		c, _ := newClient(t, srv)
		var skips []string
		c.OnSkip = func(err error) { skips = append(skips, err.Error()) }
		ps, err := c.Positions(context.Background(), wallet, data.PositionParams{SizeThreshold: 1_500_000})
		if err != nil || len(ps) != 3 {
			t.Fatalf("Positions = %d, %v", len(ps), err)
		}
		if c.Skipped() != 2 || len(skips) != 2 || !strings.Contains(skips[0], "asset") || !strings.Contains(skips[1], "conditionId") {
			t.Errorf("Skipped=%d skips=%q", c.Skipped(), skips)
		}
	})
	t.Run("offset cap", func(t *testing.T) {
		var maxOff atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			if int64(off) > maxOff.Load() {
				maxOff.Store(int64(off))
			}
			writeJSON(w, 200, positionsPage(off, off+limit))
		}))
		defer srv.Close()
		c, _ := newClient(t, srv)
		ps, err := c.Positions(context.Background(), wallet, data.PositionParams{PageSize: 500})
		if !errors.Is(err, data.ErrOffsetCap) || len(ps) != data.MaxOffset {
			t.Fatalf("Positions = %d, %v; want %d and ErrOffsetCap", len(ps), err, data.MaxOffset)
		}
		if maxOff.Load() != data.MaxOffset-500 {
			t.Errorf("highest offset %d", maxOff.Load())
		}
	})
	t.Run("offset ignored", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			writeJSON(w, 200, positionsPage(0, 100))
		}))
		defer srv.Close()
		c, _ := newClient(t, srv)
		if _, err := c.Positions(context.Background(), wallet, data.PositionParams{}); !errors.Is(err, polymarket.ErrMalformed) || n.Load() != 2 {
			t.Errorf("err = %v after %d requests; want ErrMalformed after 2", err, n.Load())
		}
	})
	t.Run("max items", func(t *testing.T) {
		var qs []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			qs = append(qs, r.URL.Query().Get("limit"))
			writeJSON(w, 200, positionsPage(0, 30))
		}))
		defer srv.Close()
		c, _ := newClient(t, srv)
		ps, err := c.Positions(context.Background(), wallet, data.PositionParams{MaxItems: 30})
		if err != nil || len(ps) != 30 || !slices.Equal(qs, []string{"30"}) {
			t.Errorf("Positions = %d, %v; limits %q", len(ps), err, qs)
		}
	})
}

func TestClosedPositionsAndActivityQueries(t *testing.T) {
	var got []*url.URL
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL)
		switch r.URL.Path {
		case "/data/closed-positions":
			writeJSON(w, 200, string(fixture(t, "closed_positions.json")))
		case "/data/activity":
			writeJSON(w, 200, string(fixture(t, "activity.json")))
		default:
			t.Errorf("unexpected %s", r.URL)
		}
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	cps, err := c.ClosedPositions(context.Background(), wallet, data.PositionParams{SortBy: "TIMESTAMP", SizeThreshold: 5})
	if err != nil || len(cps) != 1 {
		t.Fatalf("ClosedPositions = %v, %v", cps, err)
	}
	as, err := c.Activity(context.Background(), wallet, data.ActivityParams{
		Types: []string{"TRADE", "REDEEM"}, Start: time.Unix(1764000000, 0), End: time.Unix(1765000000, 0),
		Side: "BUY", SortBy: "TIMESTAMP", SortDirection: "ASC", PageSize: 50,
	})
	if err != nil || len(as) != 2 || c.Skipped() != 2 {
		t.Fatalf("Activity = %d, %v; Skipped = %d", len(as), err, c.Skipped())
	}
	if want := (url.Values{"user": {strings.ToLower(wallet)}, "sortBy": {"TIMESTAMP"}, "limit": {"100"}, "offset": {"0"}}).Encode(); got[0].Query().Encode() != want {
		t.Errorf("closed-positions query %s, want %s", got[0].RawQuery, want)
	}
	want := url.Values{"user": {strings.ToLower(wallet)}, "type": {"TRADE,REDEEM"}, "start": {"1764000000"}, "end": {"1765000000"},
		"side": {"BUY"}, "sortBy": {"TIMESTAMP"}, "sortDirection": {"ASC"}, "limit": {"50"}, "offset": {"0"}}
	if got[1].Query().Encode() != want.Encode() {
		t.Errorf("activity query %s, want %s", got[1].RawQuery, want.Encode())
	}
}

func TestErrorsFromTheVenue(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/data/positions":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(403)
			w.Write([]byte(`<html><head><title>Access denied | Cloudflare</title></head></html>`))
		case "/data/activity":
			writeJSON(w, 200, `[{"proxyWallet":"0x5668","timestamp":17642`)
		}
	}))
	defer srv.Close()
	c, _ := newClient(t, srv)
	if _, err := c.Positions(context.Background(), wallet, data.PositionParams{}); !errors.Is(err, polymarket.ErrGeoblocked) {
		t.Errorf("HTML 403: %v, want ErrGeoblocked", err)
	}
	if _, err := c.Activity(context.Background(), wallet, data.ActivityParams{}); !errors.Is(err, polymarket.ErrMalformed) {
		t.Errorf("truncated JSON: %v, want ErrMalformed", err)
	}
	for _, bad := range []string{"", "0x123", "56687bf447db6ffa42ffe2204a05edaa20f55839ab", "0x56687bf447db6ffa42ffe2204a05edaa20f5583g"} {
		if _, err := c.Positions(context.Background(), bad, data.PositionParams{}); err == nil {
			t.Errorf("user %q accepted", bad)
		}
	}
}

func TestValue(t *testing.T) {
	lower := strings.ToLower(wallet)
	for _, tc := range []struct {
		name, body string
		want       vig.Micros
		err        error
	}{
		{"user", `[{"user":"` + lower + `","value":684953.8942}]`, 684_953_894_200, nil},
		{"proxy_wallet", `[{"proxy_wallet":"` + wallet + `","value":"12.5"}]`, 12_500_000, nil},
		{"object", `{"user":"` + lower + `","value":0.0000015}`, 2, nil},
		{"empty", `[]`, 0, nil},
		{"another wallet", `[{"user":"0x0000000000000000000000000000000000000001","value":5}]`, 0, polymarket.ErrMalformed},
		{"no value", `[{"user":"` + lower + `"}]`, 0, polymarket.ErrMalformed},
		{"NaN", `[{"user":"` + lower + `","value":"NaN"}]`, 0, polymarket.ErrMalformed},
		{"truncated", `[{"user":"`, 0, polymarket.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/data/value" || r.URL.Query().Get("user") != lower {
					t.Errorf("unexpected %s", r.URL)
				}
				writeJSON(w, 200, tc.body)
			}))
			defer srv.Close()
			c, _ := newClient(t, srv)
			v, err := c.Value(context.Background(), wallet)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || v != tc.want {
				t.Errorf("Value = %d, %v; want %d", v, err, tc.want)
			}
		})
	}
}
