package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Faults are misbehaviours the sim can inject, set in Config, with
// SetFaults, or at run time with PUT /admin/faults. Each applies only to
// requests matching Paths and OnlyMethods (never to /admin).
type Faults struct {
	// Latency delays each request before it is handled (wall-clock time;
	// a client that gives up meanwhile gets nothing and changes nothing).
	Latency time.Duration
	// ErrorRate is the fraction (0..1) of requests answered 500
	// {"error":"internal error"}, drawn from the seeded fault stream.
	ErrorRate float64
	// RateLimitBurst answers the next N requests 429 {"error":"Too Many
	// Requests"} with Retry-After: RetryAfterSeconds, counting down.
	RateLimitBurst    int
	RetryAfterSeconds int
	// HTML403OnOrder answers POST /clob/order with Cloudflare's HTML
	// "Sorry, you have been blocked" page and status 403.
	HTML403OnOrder bool
	// TruncateJSON cuts JSON bodies in half (status and headers intact).
	TruncateJSON bool
	// Stall handles the request, then holds the answer this long
	// (wall-clock) before writing it; a client that disconnects gets
	// nothing, though the request took effect.
	Stall time.Duration
	// Geoblocked makes /geoblock report {"blocked":true,"country":"US"} and
	// POST /clob/order and /clob/orders answer 403 with MsgGeoblocked.
	Geoblocked bool
	// TradingDisabled answers POST and DELETE on the trading endpoints
	// (/clob/order, /clob/orders, /clob/cancel-all,
	// /clob/cancel-market-orders) 503 with MsgTradingDisabled.
	TradingDisabled bool
	// LegacyMid makes /clob/midpoint answer {"mid": …} as older servers did
	// instead of {"mid_price": …}.
	LegacyMid bool
	// Paths limits the faults to requests whose path starts with one of
	// these (e.g. "/clob/book"); empty means every path but /admin.
	Paths []string
	// OnlyMethods limits the faults to these methods; empty means all.
	OnlyMethods []string
}

// normalized returns f with ErrorRate clamped and methods upper-cased.
func (f Faults) normalized() Faults {
	f.ErrorRate = max(0, min(1, f.ErrorRate))
	f.RateLimitBurst = max(0, f.RateLimitBurst)
	f.RetryAfterSeconds = max(0, f.RetryAfterSeconds)
	f.Paths = slices.Clone(f.Paths)
	f.OnlyMethods = slices.Clone(f.OnlyMethods)
	for i, m := range f.OnlyMethods {
		f.OnlyMethods[i] = strings.ToUpper(m)
	}
	return f
}

// applies reports whether the faults cover r.
func (f Faults) applies(r *http.Request) bool {
	if len(f.Paths) > 0 && !slices.ContainsFunc(f.Paths, func(p string) bool { return strings.HasPrefix(r.URL.Path, p) }) {
		return false
	}
	return len(f.OnlyMethods) == 0 || slices.Contains(f.OnlyMethods, r.Method)
}

// faultsJSON is the wire form of Faults, durations as Go strings ("250ms").
type faultsJSON struct {
	Latency           duration `json:"latency"`
	ErrorRate         float64  `json:"error_rate"`
	RateLimitBurst    int      `json:"rate_limit_burst"`
	RetryAfterSeconds int      `json:"retry_after_seconds"`
	HTML403OnOrder    bool     `json:"html_403_on_order"`
	TruncateJSON      bool     `json:"truncate_json"`
	Stall             duration `json:"stall"`
	Geoblocked        bool     `json:"geoblocked"`
	TradingDisabled   bool     `json:"trading_disabled"`
	LegacyMid         bool     `json:"legacy_mid"`
	Paths             []string `json:"paths"`
	OnlyMethods       []string `json:"only_methods"`
}

// MarshalJSON encodes f with snake_case keys and durations as strings.
func (f Faults) MarshalJSON() ([]byte, error) {
	j := faultsJSON{
		Latency: duration(f.Latency), ErrorRate: f.ErrorRate, RateLimitBurst: f.RateLimitBurst,
		RetryAfterSeconds: f.RetryAfterSeconds, HTML403OnOrder: f.HTML403OnOrder, TruncateJSON: f.TruncateJSON,
		Stall: duration(f.Stall), Geoblocked: f.Geoblocked, TradingDisabled: f.TradingDisabled, LegacyMid: f.LegacyMid,
		Paths: f.Paths, OnlyMethods: f.OnlyMethods,
	}
	if j.Paths == nil {
		j.Paths = []string{}
	}
	if j.OnlyMethods == nil {
		j.OnlyMethods = []string{}
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes the form MarshalJSON writes. Durations may also be
// numbers of nanoseconds. Unknown keys are an error, to catch typos.
func (f *Faults) UnmarshalJSON(b []byte) error {
	var j faultsJSON
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*f = Faults{
		Latency: time.Duration(j.Latency), ErrorRate: j.ErrorRate, RateLimitBurst: j.RateLimitBurst,
		RetryAfterSeconds: j.RetryAfterSeconds, HTML403OnOrder: j.HTML403OnOrder, TruncateJSON: j.TruncateJSON,
		Stall: time.Duration(j.Stall), Geoblocked: j.Geoblocked, TradingDisabled: j.TradingDisabled, LegacyMid: j.LegacyMid,
		Paths: j.Paths, OnlyMethods: j.OnlyMethods,
	}
	return nil
}

type duration time.Duration

func (d duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *duration) UnmarshalJSON(b []byte) error {
	if s, err := strconv.Unquote(string(b)); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = duration(v)
		return nil
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("duration: want a string like \"250ms\" or nanoseconds, got %s", b)
	}
	*d = duration(v)
	return nil
}

// SetFaults replaces the active faults.
func (s *Sim) SetFaults(f Faults) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.faults = f.normalized()
}

// Faults returns the active faults (RateLimitBurst counts down as 429s are
// served).
func (s *Sim) Faults() Faults {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	return s.faults.normalized()
}

type faultsKey struct{}

// activeFaults returns the faults that apply to the request being served
// (zero when none do), for handlers whose answer a fault changes.
func activeFaults(ctx context.Context) Faults {
	f, _ := ctx.Value(faultsKey{}).(Faults)
	return f
}

// tradingPaths are the endpoints TradingDisabled closes (POST and DELETE).
var tradingPaths = []string{"/clob/order", "/clob/orders", "/clob/cancel-all", "/clob/cancel-market-orders"}

// withFaults injects the active faults into every request but /admin.
func (s *Sim) withFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin" || strings.HasPrefix(r.URL.Path, "/admin/") {
			next.ServeHTTP(w, r)
			return
		}
		s.fmu.Lock()
		f := s.faults
		applies := f.applies(r)
		var limited, failed bool
		var ray string
		if applies {
			if s.faults.RateLimitBurst > 0 {
				s.faults.RateLimitBurst--
				limited = true
			} else if f.ErrorRate > 0 && s.faultRNG.Float64() < f.ErrorRate {
				failed = true
			}
			if f.HTML403OnOrder {
				ray = randHex(s.faultRNG, 8)
			}
		}
		s.fmu.Unlock()
		if !applies {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		if f.Latency > 0 && !sleepCtx(ctx, f.Latency) {
			return
		}
		order := r.Method == http.MethodPost && r.URL.Path == "/clob/order"
		switch {
		case limited:
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfterSeconds))
			writeError(w, http.StatusTooManyRequests, MsgTooManyRequests)
			return
		case failed:
			writeError(w, http.StatusInternalServerError, MsgInternal)
			return
		case f.HTML403OnOrder && order:
			writeCloudflare403(w, ray)
			return
		case f.Geoblocked && (order || r.Method == http.MethodPost && r.URL.Path == "/clob/orders"):
			writeError(w, http.StatusForbidden, MsgGeoblocked)
			return
		case f.TradingDisabled && (r.Method == http.MethodPost || r.Method == http.MethodDelete) && slices.Contains(tradingPaths, r.URL.Path):
			writeError(w, http.StatusServiceUnavailable, MsgTradingDisabled)
			return
		}
		r = r.WithContext(context.WithValue(ctx, faultsKey{}, f))
		if f.Stall <= 0 && !f.TruncateJSON {
			next.ServeHTTP(w, r)
			return
		}
		buf := newBufferWriter()
		next.ServeHTTP(buf, r)
		if f.Stall > 0 && !sleepCtx(ctx, f.Stall) {
			return
		}
		body := buf.body.Bytes()
		if f.TruncateJSON && strings.HasPrefix(buf.header.Get("Content-Type"), "application/json") {
			body = body[:len(body)/2]
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(buf.code)
		w.Write(body) //nolint:errcheck
	})
}

// sleepCtx waits d, or until ctx ends; it reports whether d elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// writeCloudflare403 writes the HTML page Cloudflare serves to a blocked
// client.
func writeCloudflare403(w http.ResponseWriter, ray string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=UTF-8")
	h.Set("Server", "cloudflare")
	h.Set("CF-RAY", ray+"-AMS")
	h.Set("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, cloudflare403, ray)
}

const cloudflare403 = `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<!--[if IE 7]>    <html class="no-js ie7 oldie" lang="en-US"> <![endif]-->
<!--[if IE 8]>    <html class="no-js ie8 oldie" lang="en-US"> <![endif]-->
<!--[if gt IE 8]><!--> <html class="no-js" lang="en-US"> <!--<![endif]-->
<head>
<title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta http-equiv="X-UA-Compatible" content="IE=Edge" />
<meta name="robots" content="noindex, nofollow" />
<meta name="viewport" content="width=device-width,initial-scale=1" />
</head>
<body>
  <div id="cf-wrapper">
    <div id="cf-error-details" class="cf-error-details-wrapper">
      <div class="cf-wrapper cf-header cf-error-overview">
        <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
        <h2 class="cf-subheadline"><span data-translate="unable_to_access">You are unable to access</span> clob.polymarket.com</h2>
      </div>
      <div class="cf-section cf-wrapper">
        <div class="cf-columns two">
          <div class="cf-column">
            <h2 data-translate="blocked_why_headline">Why have I been blocked?</h2>
            <p data-translate="blocked_why_detail">This website is using a security service to protect itself from online attacks. The action you just performed triggered the security solution. There are several actions that could trigger this block including submitting a certain word or phrase, a SQL command or malformed data.</p>
          </div>
          <div class="cf-column">
            <h2 data-translate="blocked_resolve_headline">What can I do to resolve this?</h2>
            <p data-translate="blocked_resolve_detail">You can email the site owner to let them know you were blocked. Please include what you were doing when this page came up and the Cloudflare Ray ID found at the bottom of this page.</p>
          </div>
        </div>
      </div>
      <div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center sm:text-left border-solid border-0 border-t border-gray-300">
        <p class="text-13">
          <span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: <strong class="font-semibold">%s</strong></span>
          <span class="cf-footer-separator sm:hidden">&bull;</span>
          <span class="cf-footer-item sm:block sm:mb-1"><span>Performance &amp; security by</span> <a rel="noopener noreferrer" href="https://www.cloudflare.com/5xx-error-landing" id="brand_link" target="_blank">Cloudflare</a></span>
        </p>
      </div>
    </div>
  </div>
</body>
</html>
`
