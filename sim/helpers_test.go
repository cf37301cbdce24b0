package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/sim"
)

// defaultSeed seeds sims whose test does not choose a seed
// (SIM_TEST_SEED overrides it, to check tests do not rely on one seed).
var defaultSeed = func() int64 {
	if v, err := strconv.ParseInt(os.Getenv("SIM_TEST_SEED"), 10, 64); err == nil {
		return v
	}
	return 7
}()

// t0 is the sim start of every test.
var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// env is a sim on a fake clock behind a real loopback HTTP server.
type env struct {
	t   *testing.T
	sim *sim.Sim
	clk *clock.Fake
	srv *httptest.Server
}

// newEnv starts a sim (seed 7 unless cfg sets one) on a fake clock at t0.
func newEnv(t *testing.T, cfg sim.Config) *env {
	t.Helper()
	clk := clock.NewFake(t0)
	cfg.Clock = clk
	if cfg.Seed == 0 {
		cfg.Seed = defaultSeed
	}
	s := sim.New(cfg)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, sim: s, clk: clk, srv: srv}
}

// do sends a request and returns status, headers and body.
func (e *env) do(method, path, body string) (int, http.Header, []byte) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

func (e *env) get(path string) (int, []byte) {
	e.t.Helper()
	code, _, b := e.do(http.MethodGet, path, "")
	return code, b
}

// getJSON GETs path, requires status 200 and decodes the body into v.
func (e *env) getJSON(path string, v any) {
	e.t.Helper()
	code, b := e.get(path)
	if code != http.StatusOK {
		e.t.Fatalf("GET %s: status %d: %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		e.t.Fatalf("GET %s: %v in %s", path, err, b)
	}
}

// wantError checks a {"error": msg} answer.
func wantError(t *testing.T, what string, code int, body []byte, wantCode int, wantMsg string) {
	t.Helper()
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%s: body %q is not JSON: %v", what, body, err)
	}
	if code != wantCode || got["error"] != wantMsg || len(got) != 1 {
		t.Errorf("%s = %d %s, want %d {\"error\":%q}", what, code, body, wantCode, wantMsg)
	}
}

// gm is the part of a Gamma market the tests read.
type gm struct {
	ID                    string      `json:"id"`
	Question              string      `json:"question"`
	ConditionID           string      `json:"conditionId"`
	QuestionID            string      `json:"questionID"`
	Slug                  string      `json:"slug"`
	EndDate               time.Time   `json:"endDate"`
	EndDateIso            string      `json:"endDateIso"`
	Outcomes              string      `json:"outcomes"`
	OutcomePrices         string      `json:"outcomePrices"`
	ClobTokenIds          string      `json:"clobTokenIds"`
	Volume                string      `json:"volume"`
	VolumeNum             json.Number `json:"volumeNum"`
	Volume24hr            json.Number `json:"volume24hr"`
	Liquidity             string      `json:"liquidity"`
	LiquidityNum          json.Number `json:"liquidityNum"`
	Active                bool        `json:"active"`
	Closed                bool        `json:"closed"`
	AcceptingOrders       bool        `json:"acceptingOrders"`
	NegRisk               bool        `json:"negRisk"`
	NegRiskMarketID       string      `json:"negRiskMarketID"`
	OrderPriceMinTickSize json.Number `json:"orderPriceMinTickSize"`
	OrderMinSize          json.Number `json:"orderMinSize"`
	BestBid               json.Number `json:"bestBid"`
	BestAsk               json.Number `json:"bestAsk"`
	UmaResolutionStatus   string      `json:"umaResolutionStatus"`
	UmaResolutionStatuses string      `json:"umaResolutionStatuses"`
	Events                []struct {
		ID string `json:"id"`
	} `json:"events"`
	Tags []struct {
		ID   string `json:"id"`
		Slug string `json:"slug"`
	} `json:"tags"`
}

func (m gm) tokens(t *testing.T) []string   { return decodeStrings(t, m.ClobTokenIds) }
func (m gm) outcomes(t *testing.T) []string { return decodeStrings(t, m.Outcomes) }
func (m gm) prices(t *testing.T) []string   { return decodeStrings(t, m.OutcomePrices) }
func (m gm) tick(t *testing.T) vig.Micros   { return micros(t, m.OrderPriceMinTickSize.String()) }

// decodeStrings decodes one of Gamma's JSON-encoded string arrays.
func decodeStrings(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("not a JSON-encoded string array: %q: %v", s, err)
	}
	return out
}

func micros(t *testing.T, s string) vig.Micros {
	t.Helper()
	m, err := vig.ParseMicros(s)
	if err != nil {
		t.Fatalf("ParseMicros(%q): %v", s, err)
	}
	return m
}

// markets lists Gamma markets (one page).
func (e *env) markets(query string) []gm {
	e.t.Helper()
	var ms []gm
	e.getJSON("/gamma/markets?"+query, &ms)
	return ms
}

// lvl and bk are a CLOB book as the tests read it.
type lvl struct {
	Price string `json:"price"`
	Size  string `json:"size"`
}

type bk struct {
	Market         string `json:"market"`
	AssetID        string `json:"asset_id"`
	Timestamp      string `json:"timestamp"`
	Hash           string `json:"hash"`
	Bids           []lvl  `json:"bids"`
	Asks           []lvl  `json:"asks"`
	MinOrderSize   string `json:"min_order_size"`
	TickSize       string `json:"tick_size"`
	NegRisk        bool   `json:"neg_risk"`
	LastTradePrice string `json:"last_trade_price"`
}

func (e *env) book(token string) bk {
	e.t.Helper()
	var b bk
	e.getJSON("/clob/book?token_id="+token, &b)
	return b
}

// best returns the best bid and ask of a book (the last levels).
func (b bk) best(t *testing.T) (bid, ask vig.Micros) {
	t.Helper()
	if len(b.Bids) == 0 || len(b.Asks) == 0 {
		t.Fatalf("book %s has an empty side: %+v", b.AssetID, b)
	}
	return micros(t, b.Bids[len(b.Bids)-1].Price), micros(t, b.Asks[len(b.Asks)-1].Price)
}

// sizeAt returns the size at price on one side of a book (0 if none).
func sizeAt(t *testing.T, levels []lvl, price vig.Micros) vig.Micros {
	t.Helper()
	for _, l := range levels {
		if micros(t, l.Price) == price {
			return micros(t, l.Size)
		}
	}
	return 0
}

// pick returns an open binary market with tick 0.01, min size 5, ending
// more than two hours from now, whose first token trades between 0.2 and
// 0.8 with a spread of at least two ticks.
func (e *env) pick() gm {
	e.t.Helper()
	for _, m := range e.markets("closed=false&limit=500") {
		if m.NegRisk || m.tick(e.t) != 10_000 || m.OrderMinSize.String() != "5" || m.EndDate.Before(e.sim.Now().Add(2*time.Hour)) {
			continue
		}
		bid, ask := e.book(m.tokens(e.t)[0]).best(e.t)
		if bid >= 200_000 && ask <= 800_000 && ask-bid >= 20_000 {
			return m
		}
	}
	e.t.Fatal("no suitable market")
	return gm{}
}

// addr returns a distinct test address.
func addr(n int) string {
	return "0x" + strings.Repeat("0", 38) + string("0123456789abcdef"[n/16]) + string("0123456789abcdef"[n%16])
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func isJSON(b []byte) bool { return json.Valid(bytes.TrimSpace(b)) }

// recorder is a minimal http.ResponseWriter for in-process handler calls.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}, code: http.StatusOK} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

func mustRequest(t *testing.T, method, path string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://sim"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
