package polymarket_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vig-bot/vig/polymarket"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		ctype  string
		body   string
		header map[string]string
		want   error
		msg    string
	}{
		{"rate limited", 429, "application/json", `{"error":"Too Many Requests"}`, map[string]string{"Retry-After": "3"}, polymarket.ErrRateLimited, "Too Many Requests"},
		{"auth", 401, "application/json", `{"error":"Unauthorized/Invalid api key"}`, nil, polymarket.ErrAuth, "Unauthorized/Invalid api key"},
		{"cloudflare html", 403, "text/html; charset=UTF-8", `<!DOCTYPE html><html><title>Attention Required! | Cloudflare</title>`, nil, polymarket.ErrGeoblocked, "HTML 403"},
		{"geoblock json", 403, "application/json", `{"error":"Trading restricted in your region"}`, nil, polymarket.ErrGeoblocked, "restricted"},
		{"plain 403", 403, "application/json", `{"error":"forbidden"}`, nil, polymarket.ErrRejected, "forbidden"},
		{"balance", 400, "application/json", `{"error":"not enough balance / allowance"}`, nil, polymarket.ErrRejected, "not enough balance / allowance"},
		{"version mismatch", 400, "application/json", `{"error":"order_version_mismatch: expected 2"}`, nil, polymarket.ErrVersionMismatch, "order_version_mismatch"},
		{"trading disabled", 503, "application/json", `{"error":"Trading is currently disabled. Check polymarket.com for updates"}`, nil, polymarket.ErrTradingDisabled, "disabled"},
		{"cancel-only", 503, "application/json", `{"error":"Trading is currently cancel-only. Only cancel requests are accepted"}`, nil, polymarket.ErrTradingDisabled, "cancel-only"},
		{"not found", 404, "application/json", `{"error":"No orderbook exists for the requested token id"}`, nil, polymarket.ErrNotFound, "No orderbook"},
		{"server", 502, "text/html", `<html>bad gateway</html>`, nil, polymarket.ErrUnavailable, "HTML error page"},
		{"errorMsg", 400, "application/json", `{"success":false,"errorMsg":"invalid signature"}`, nil, polymarket.ErrRejected, "invalid signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {tc.ctype}}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			err := polymarket.Classify("POST", "/order", tc.status, h, []byte(tc.body))
			if !errors.Is(err, tc.want) {
				t.Errorf("kind = %v, want %v", err.Kind, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q lacks %q", err.Error(), tc.msg)
			}
			if tc.want == polymarket.ErrRateLimited && err.RetryAfter != 3*time.Second {
				t.Errorf("RetryAfter = %v, want 3s", err.RetryAfter)
			}
		})
	}
}

func TestMessageIsBounded(t *testing.T) {
	long := strings.Repeat("é", 1000)
	if got := polymarket.Message([]byte(long)); len(got) > 310 || !strings.HasSuffix(got, "…") {
		t.Errorf("message not bounded: %d bytes", len(got))
	}
}

// server answers with the scripted statuses in order, then 200.
func scripted(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			if statuses[i] == 429 {
				w.Header().Set("Retry-After", "2")
			}
			w.WriteHeader(statuses[i])
			w.Write([]byte(`{"error":"scripted"}`))
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestSafeCallsRetryWithRetryAfter(t *testing.T) {
	srv, n := scripted(t, 429, 503)
	var slept []time.Duration
	ep := &polymarket.Endpoint{BaseURL: srv.URL, Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	var out struct{ OK bool }
	if err := ep.GetJSON(context.Background(), "/book", nil, &out); err != nil || !out.OK {
		t.Fatalf("GetJSON = %v, %+v", err, out)
	}
	if n.Load() != 3 {
		t.Errorf("attempts = %d, want 3", n.Load())
	}
	if len(slept) != 2 || slept[0] != 2*time.Second {
		t.Errorf("sleeps = %v, want the Retry-After of 2s first", slept)
	}
}

func TestUnsafeCallsNeverRetry(t *testing.T) {
	srv, n := scripted(t, 503)
	ep := &polymarket.Endpoint{BaseURL: srv.URL, Sleep: func(context.Context, time.Duration) error { t.Error("slept"); return nil }}
	_, err := ep.Do(context.Background(), polymarket.Request{Method: "POST", Path: "/order", Body: []byte(`{}`)})
	if !errors.Is(err, polymarket.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if n.Load() != 1 {
		t.Errorf("an order POST was sent %d times", n.Load())
	}
}

func TestRetryAfterTooLongGivesUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	ep := &polymarket.Endpoint{BaseURL: srv.URL, Sleep: func(context.Context, time.Duration) error { t.Error("slept"); return nil }}
	err := ep.GetJSON(context.Background(), "/x", nil, &struct{}{})
	var ae *polymarket.APIError
	if !errors.As(err, &ae) || ae.RetryAfter != time.Hour {
		t.Fatalf("err = %v", err)
	}
}

func TestMalformedAndSigning(t *testing.T) {
	var gotSig, gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotSig, gotPath = r.Header.Get("POLY_SIGNATURE"), r.URL.RequestURI()
		w.Write([]byte(`{"truncated":`))
	}))
	defer srv.Close()
	ep := &polymarket.Endpoint{BaseURL: srv.URL + "/clob"}
	body, err := ep.Do(context.Background(), polymarket.Request{Method: "GET", Path: "/data/orders", Query: map[string][]string{"market": {"0xabc"}}, Safe: true,
		Sign: func(h http.Header, method, path string, body []byte) error {
			h.Set("POLY_SIGNATURE", method+" "+path)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if gotSig != "GET /data/orders" || gotPath != "/clob/data/orders?market=0xabc" {
		t.Errorf("signed %q for %q: the signed path must exclude the query", gotSig, gotPath)
	}
	var v map[string]any
	if err := polymarket.DecodeJSON("GET", "/data/orders", body, &v); !errors.Is(err, polymarket.ErrMalformed) {
		t.Errorf("truncated JSON: %v, want ErrMalformed", err)
	}
}

func TestTransportErrorHidesURL(t *testing.T) {
	ep := &polymarket.Endpoint{BaseURL: "http://user:s3cret@127.0.0.1:1", Retry: polymarket.Retry{MaxAttempts: 1}}
	err := ep.GetJSON(context.Background(), "/x", nil, &struct{}{})
	if !errors.Is(err, polymarket.ErrUnavailable) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v", err)
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 3, "abc…"},
		{"aé", 2, "a…"},   // cut inside é: drop the half character
		{"aéb", 3, "aé…"}, // cut right after é: keep it
		{"日本語", 4, "日…"},
	} {
		if got := polymarket.Truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
