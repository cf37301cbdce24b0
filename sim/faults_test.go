package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/sim"
)

// putFaults sets faults through the admin endpoint.
func (e *env) putFaults(body string) {
	e.t.Helper()
	code, _, b := e.do(http.MethodPut, "/admin/faults", body)
	if code != http.StatusOK {
		e.t.Fatalf("PUT /admin/faults %s = %d %s", body, code, b)
	}
}

func TestFaultsAdminRoundTrip(t *testing.T) {
	e := newEnv(t, sim.Config{Faults: sim.Faults{Latency: 5 * time.Millisecond, OnlyMethods: []string{"post"}}})
	var got map[string]any
	e.getJSON("/admin/faults", &got)
	if got["latency"] != "5ms" || got["only_methods"].([]any)[0] != "POST" {
		t.Errorf("GET /admin/faults = %v", got)
	}
	e.putFaults(`{"stall":"1.5s","paths":["/clob/book"],"error_rate":0.25}`)
	if f := e.sim.Faults(); f.Stall != 1500*time.Millisecond || f.ErrorRate != 0.25 || f.Latency != 0 || len(f.Paths) != 1 {
		t.Errorf("faults after PUT: %+v", f)
	}
	code, _, body := e.do(http.MethodPut, "/admin/faults", `{"latencyy":"1s"}`)
	if code != http.StatusBadRequest || !isJSON(body) {
		t.Errorf("PUT with an unknown key = %d %s", code, body)
	}
}

func TestRateLimitBurst(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	e.putFaults(`{"rate_limit_burst":2,"retry_after_seconds":3}`)
	for i := range 2 {
		code, h, body := e.do(http.MethodGet, "/clob/time", "")
		wantError(t, "rate-limited request", code, body, http.StatusTooManyRequests, "Too Many Requests")
		if h.Get("Retry-After") != "3" {
			t.Errorf("request %d: Retry-After %q", i, h.Get("Retry-After"))
		}
		if i == 0 {
			// admin is never faulted and does not count
			if code, _ := e.get("/admin/state"); code != http.StatusOK {
				t.Errorf("/admin/state under a burst: %d", code)
			}
		}
	}
	if code, body := e.get("/clob/time"); code != http.StatusOK {
		t.Errorf("third request = %d %s", code, body)
	}
	if f := e.sim.Faults(); f.RateLimitBurst != 0 {
		t.Errorf("burst left %d", f.RateLimitBurst)
	}
}

func TestHTML403OnOrderOnly(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	e.putFaults(`{"html_403_on_order":true}`)
	code, h, body := e.do(http.MethodPost, "/clob/order", `{"order":{}}`)
	if code != http.StatusForbidden || !strings.HasPrefix(h.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "Sorry, you have been blocked") || !strings.Contains(string(body), "Cloudflare Ray ID") || h.Get("CF-RAY") == "" {
		t.Errorf("POST /clob/order = %d %q %.80s", code, h.Get("Content-Type"), body)
	}
	tok := e.markets("limit=1")[0].tokens(t)[0]
	if code, _ := e.get("/clob/book?token_id=" + tok); code != http.StatusOK {
		t.Errorf("GET /clob/book under html_403_on_order = %d", code)
	}
	if code, _, _ := e.do(http.MethodPost, "/clob/books", `[{"token_id":"`+tok+`"}]`); code != http.StatusOK {
		t.Errorf("POST /clob/books under html_403_on_order = %d", code)
	}
	if code, _, body := e.do(http.MethodGet, "/clob/order", ""); code == http.StatusForbidden {
		t.Errorf("GET /clob/order got the 403 page: %.40s", body)
	}
}

func TestTruncateJSON(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	_, full := e.get("/gamma/markets?limit=3")
	e.putFaults(`{"truncate_json":true,"paths":["/gamma/"]}`)
	code, h, cut := e.do(http.MethodGet, "/gamma/markets?limit=3", "")
	if code != http.StatusOK || len(cut) != len(full)/2 || isJSON(cut) || string(cut) != string(full[:len(full)/2]) || h.Get("Content-Length") != itoa(int64(len(cut))) {
		t.Errorf("truncated answer: %d, %d of %d bytes, valid JSON %v", code, len(cut), len(full), isJSON(cut))
	}
	if _, body := e.get("/clob/time"); !isJSON(body) {
		t.Errorf("a path outside Paths was truncated: %s", body)
	}
}

func TestTradingDisabled(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	e.putFaults(`{"trading_disabled":true}`)
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/clob/order"}, {http.MethodPost, "/clob/orders"}, {http.MethodDelete, "/clob/order"},
		{http.MethodDelete, "/clob/orders"}, {http.MethodDelete, "/clob/cancel-all"}, {http.MethodDelete, "/clob/cancel-market-orders"},
	} {
		code, _, body := e.do(r.method, r.path, "{}")
		wantError(t, r.method+" "+r.path, code, body, http.StatusServiceUnavailable, "Trading is currently disabled. Check polymarket.com for updates")
	}
	if code, _ := e.get("/clob/ok"); code != http.StatusOK {
		t.Errorf("GET /clob/ok while trading is disabled: %d", code)
	}
}

func TestGeoblocked(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	var geo struct {
		Blocked bool   `json:"blocked"`
		IP      string `json:"ip"`
		Country string `json:"country"`
		Region  string `json:"region"`
	}
	e.getJSON("/geoblock", &geo)
	if geo.Blocked || geo.IP != "127.0.0.1" || geo.Country != "FI" || geo.Region != "18" {
		t.Errorf("geoblock %+v", geo)
	}
	e.putFaults(`{"geoblocked":true}`)
	e.getJSON("/geoblock", &geo)
	if !geo.Blocked || geo.Country != "US" {
		t.Errorf("geoblock under the fault %+v", geo)
	}
	code, _, body := e.do(http.MethodPost, "/clob/order", "{}")
	wantError(t, "POST /clob/order from a blocked region", code, body, http.StatusForbidden, sim.MsgGeoblocked)
	if code, _ := e.get("/clob/ok"); code != http.StatusOK {
		t.Errorf("market data while geoblocked: %d", code)
	}
}

func TestLegacyMid(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	tok := e.markets("limit=1")[0].tokens(t)[0]
	var cur, legacy map[string]string
	e.getJSON("/clob/midpoint?token_id="+tok, &cur)
	e.putFaults(`{"legacy_mid":true}`)
	e.getJSON("/clob/midpoint?token_id="+tok, &legacy)
	if cur["mid_price"] == "" || legacy["mid"] != cur["mid_price"] || len(legacy) != 1 {
		t.Errorf("midpoint %v, legacy %v", cur, legacy)
	}
}

func TestErrorRateIsSeededAndPathScoped(t *testing.T) {
	statuses := func() string {
		e := newEnv(t, sim.Config{Seed: 9, OpenMarkets: 5, Faults: sim.Faults{ErrorRate: 0.5, Paths: []string{"/clob/time"}}})
		var b strings.Builder
		for range 40 {
			code, body := e.get("/clob/time")
			if code == http.StatusInternalServerError {
				wantError(t, "faulted request", code, body, http.StatusInternalServerError, "internal error")
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
			if code, _ := e.get("/clob/version"); code != http.StatusOK {
				t.Fatalf("a path outside Paths failed: %d", code)
			}
		}
		return b.String()
	}
	a, b := statuses(), statuses()
	if a != b || !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("error patterns %s and %s: want equal and mixed", a, b)
	}
}

func TestLatencyAndStallHonourCancellation(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	e.putFaults(`{"latency":"40ms"}`)
	start := time.Now()
	if code, _ := e.get("/clob/ok"); code != http.StatusOK || time.Since(start) < 40*time.Millisecond {
		t.Errorf("latency: %d after %v", code, time.Since(start))
	}

	tok := e.markets("limit=1")[0].tokens(t)[0]
	for _, f := range []string{`{"latency":"3s"}`, `{"stall":"3s"}`} {
		e.putFaults(f)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/clob/book?token_id="+tok, nil)
		start := time.Now()
		_, err := e.srv.Client().Do(req)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
			t.Errorf("%s: err %v after %v, want the client's deadline", f, err, time.Since(start))
		}
	}
	e.putFaults(`{}`)
	// The server is not stuck on the abandoned requests.
	done := make(chan struct{})
	go func() { e.srv.CloseClientConnections(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("server stuck")
	}
	if code, _ := e.get("/clob/ok"); code != http.StatusOK {
		t.Errorf("after the faults: %d", code)
	}
}

func TestUnknownPathsAndMethodsAreJSON(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	code, body := e.get("/nope")
	wantError(t, "unknown path", code, body, http.StatusNotFound, "not found")
	code, _, body = e.do(http.MethodDelete, "/clob/book", "")
	wantError(t, "wrong method", code, body, http.StatusMethodNotAllowed, "method not allowed")
	code, _, body = e.do(http.MethodPost, "/clob/order", "{}")
	wantError(t, "unauthenticated order", code, body, http.StatusUnauthorized, "Unauthorized/Invalid api key")
}

func TestAdminAdvance(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 5})
	code, _, body := e.do(http.MethodPost, "/admin/advance?d=90s", "")
	var st sim.State
	if err := json.Unmarshal(body, &st); code != http.StatusOK || err != nil || !st.Now.Equal(t0.Add(90*time.Second)) || !e.sim.Now().Equal(st.Now) {
		t.Errorf("advance 90s = %d %s", code, body)
	}
	code, _, body = e.do(http.MethodPost, "/admin/advance?d=soon", "")
	wantError(t, "bad duration", code, body, http.StatusBadRequest, "d must be a non-negative duration such as 90s")

	fast := newEnv(t, sim.Config{OpenMarkets: 5, Speed: 60})
	fast.do(http.MethodPost, "/admin/advance?d=1h", "")
	if got := fast.clk.Now().Sub(t0); got != time.Minute {
		t.Errorf("advancing 1h of sim time at speed 60 moved the clock %v", got)
	}

	real := sim.New(sim.Config{OpenMarkets: 5})
	rec := newRecorder()
	real.Handler().ServeHTTP(rec, mustRequest(t, http.MethodPost, "/admin/advance?d=1s"))
	if rec.code != http.StatusBadRequest {
		t.Errorf("advance on a real clock = %d %s", rec.code, rec.body.String())
	}
}

func TestSpeed(t *testing.T) {
	clk := clock.NewFake(t0)
	s := sim.New(sim.Config{Clock: clk, Speed: 60, OpenMarkets: 5})
	clk.Advance(time.Second)
	if got := s.Now(); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("one clock second at speed 60: sim time %v", got)
	}
}

func TestRunServesAndShutsDown(t *testing.T) {
	s := sim.New(sim.Config{Clock: clock.NewFake(t0), OpenMarkets: 5})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/clob/ok")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /clob/ok via Run = %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after ctx ended")
	}
}
