package polymarket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxBody bounds how much of an answer we read (a full Gamma page of 500
// markets is a few MB).
const maxBody = 64 << 20

// Retry is a retry policy for calls that are safe to repeat.
type Retry struct {
	MaxAttempts   int           // total attempts, 1 = no retry (default 4)
	MinBackoff    time.Duration // first delay (default 200 ms), doubled each time with jitter
	MaxBackoff    time.Duration // cap (default 5 s)
	MaxRetryAfter time.Duration // longest Retry-After we honour before giving up (default 30 s)
}

func (r Retry) withDefaults() Retry {
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 4
	}
	if r.MinBackoff <= 0 {
		r.MinBackoff = 200 * time.Millisecond
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = 5 * time.Second
	}
	if r.MaxRetryAfter <= 0 {
		r.MaxRetryAfter = 30 * time.Second
	}
	return r
}

// Endpoint is one venue API at a base URL, reached through an http.Client
// (so the proxy subservice can supply the CLOB's transport).
type Endpoint struct {
	BaseURL   string        // e.g. https://clob.polymarket.com or http://127.0.0.1:8090/clob
	HTTP      *http.Client  // default http.DefaultClient
	Timeout   time.Duration // per attempt (default 10 s)
	Retry     Retry         // for safe calls only
	UserAgent string        // default "vig"
	// Sleep waits between retries; tests replace it. Default honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Request is one call.
type Request struct {
	Method string
	Path   string     // path under BaseURL, starting with "/"
	Query  url.Values // appended to the URL, never signed
	Body   []byte     // exact bytes sent (and signed)
	// Safe marks a call that may be repeated: reads and idempotent cancels.
	// An order POST is never Safe: the caller decides what to do.
	Safe bool
	// Sign, if set, adds authentication headers to each attempt (fresh
	// timestamps per attempt). path is the request path without query.
	Sign func(h http.Header, method, path string, body []byte) error
}

// Do performs req and returns the answer's body for a 2xx status. Errors
// are *APIError (or the context's error).
func (e *Endpoint) Do(ctx context.Context, req Request) ([]byte, error) {
	pol := e.Retry.withDefaults()
	if !req.Safe {
		pol.MaxAttempts = 1
	}
	var last error
	backoff := pol.MinBackoff
	for attempt := 1; ; attempt++ {
		body, err := e.once(ctx, req)
		if err == nil {
			return body, nil
		}
		last = err
		var ae *APIError
		if ctx.Err() != nil || attempt >= pol.MaxAttempts || !errors.As(err, &ae) ||
			!(errors.Is(err, ErrUnavailable) || errors.Is(err, ErrRateLimited)) {
			return nil, last
		}
		wait := backoff + time.Duration(rand.Int64N(int64(backoff)/2+1))
		if errors.Is(err, ErrRateLimited) && ae.RetryAfter > 0 {
			if ae.RetryAfter > pol.MaxRetryAfter {
				return nil, last
			}
			wait = ae.RetryAfter
		}
		backoff = min(backoff*2, pol.MaxBackoff)
		if err := e.sleep(ctx, wait); err != nil {
			return nil, last
		}
	}
}

func (e *Endpoint) sleep(ctx context.Context, d time.Duration) error {
	if e.Sleep != nil {
		return e.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (e *Endpoint) once(ctx context.Context, req Request) ([]byte, error) {
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := strings.TrimRight(e.BaseURL, "/") + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	var rd io.Reader
	if req.Body != nil {
		rd = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u, rd)
	if err != nil {
		return nil, &APIError{Kind: ErrMalformed, Method: req.Method, Path: req.Path, Message: "bad request URL"}
	}
	ua := e.UserAgent
	if ua == "" {
		ua = "vig"
	}
	hr.Header.Set("User-Agent", ua)
	hr.Header.Set("Accept", "application/json")
	if req.Body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.Sign != nil {
		if err := req.Sign(hr.Header, req.Method, req.Path, req.Body); err != nil {
			return nil, fmt.Errorf("polymarket: sign %s %s: %w", req.Method, req.Path, err)
		}
	}
	client := e.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && hr.Context().Err() != nil {
			return nil, &APIError{Kind: ErrUnavailable, Method: req.Method, Path: req.Path, Message: "timed out"}
		}
		return nil, &APIError{Kind: ErrUnavailable, Method: req.Method, Path: req.Path, Message: scrubURL(err.Error(), u)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, &APIError{Kind: ErrUnavailable, Method: req.Method, Path: req.Path, Status: resp.StatusCode, Message: "reading the answer: " + err.Error()}
	}
	if len(body) > maxBody {
		return nil, &APIError{Kind: ErrMalformed, Method: req.Method, Path: req.Path, Status: resp.StatusCode, Message: "answer too large"}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, nil
	}
	return nil, Classify(req.Method, req.Path, resp.StatusCode, resp.Header, body)
}

// scrubURL removes the full URL (it may carry a proxy's credentials or
// tokens in its query) from a transport error's text.
func scrubURL(msg, u string) string {
	return strings.ReplaceAll(msg, u, "<url>")
}

// Classify turns a non-2xx answer into an *APIError of the right kind.
func Classify(method, path string, status int, h http.Header, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, Status: status, Message: Message(body)}
	html := isHTML(h, body)
	lower := strings.ToLower(e.Message)
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind = ErrRateLimited
		e.RetryAfter = parseRetryAfter(h.Get("Retry-After"), time.Now())
	case status == http.StatusUnauthorized:
		e.Kind = ErrAuth
	case status == http.StatusForbidden && (html || strings.Contains(lower, "region") || strings.Contains(lower, "geoblock") ||
		strings.Contains(lower, "restricted") || strings.Contains(lower, "cloudflare")):
		e.Kind = ErrGeoblocked
		if html {
			e.Message = "HTML 403 (Cloudflare or geoblock page)"
		}
	case strings.Contains(lower, "order_version_mismatch"):
		e.Kind = ErrVersionMismatch
	case status == http.StatusServiceUnavailable && (strings.Contains(lower, "trading is currently disabled") || strings.Contains(lower, "cancel-only")):
		e.Kind = ErrTradingDisabled
	case status == http.StatusNotFound:
		e.Kind = ErrNotFound
	case status >= 500:
		e.Kind = ErrUnavailable
		if html {
			e.Message = "HTML error page"
		}
	default:
		e.Kind = ErrRejected
		if html {
			e.Message = "HTML error page"
		}
	}
	return e
}

// Message extracts the venue's error message from a body: {"error": "…"}
// (the CLOB's documented shape), {"errorMsg": "…"} or {"message": "…"},
// else the bounded text itself.
func Message(body []byte) string {
	var m struct {
		Error    any    `json:"error"`
		ErrorMsg string `json:"errorMsg"`
		Message  string `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil {
		switch v := m.Error.(type) {
		case string:
			if v != "" {
				return bound(v)
			}
		case nil:
		default:
			b, _ := json.Marshal(v)
			return bound(string(b))
		}
		if m.ErrorMsg != "" {
			return bound(m.ErrorMsg)
		}
		if m.Message != "" {
			return bound(m.Message)
		}
	}
	return bound(strings.TrimSpace(string(body)))
}

func bound(s string) string { return Truncate(s, 300) }

// Truncate shortens s to at most n bytes plus "…", never cutting a UTF-8
// character in half, so venue text quoted in errors stays bounded and valid.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	// Drop the bytes of a character the cut left incomplete (at most 3).
	for k := 0; k < 3 && len(s) > 0; k++ {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s + "…"
}

func isHTML(h http.Header, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && mt == "text/html" {
		return true
	}
	b := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 256)]))
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html"))
}

// parseRetryAfter reads delta-seconds or an HTTP date; 0 if absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// DecodeJSON decodes body into out, turning any failure into ErrMalformed
// for that call (never a panic, never a half-trusted value).
func DecodeJSON(method, path string, body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return &APIError{Kind: ErrMalformed, Method: method, Path: path, Status: 200, Message: bound(err.Error())}
	}
	return nil
}

// GetJSON is a safe (retried) GET decoded into out.
func (e *Endpoint) GetJSON(ctx context.Context, path string, q url.Values, out any) error {
	body, err := e.Do(ctx, Request{Method: http.MethodGet, Path: path, Query: q, Safe: true})
	if err != nil {
		return err
	}
	return DecodeJSON(http.MethodGet, path, body, out)
}
