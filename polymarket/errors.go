// Package polymarket holds what Vig's Polymarket clients share: typed
// errors and the HTTP plumbing that classifies venue answers and retries
// only where it is safe. The clients live in the sub-packages gamma, clob
// and data; order math and signing in polymarket/order. Nothing here
// imports anything bot-specific.
package polymarket

import (
	"errors"
	"fmt"
	"time"
)

// Error kinds. Every error a client returns for a venue answer is an
// *APIError whose Kind is one of these, so callers branch with errors.Is.
var (
	// ErrGeoblocked: the venue refuses this region (geoblock answer or a
	// Cloudflare-style HTML 403). Retrying from here cannot help.
	ErrGeoblocked = errors.New("blocked from this region")
	// ErrRateLimited: HTTP 429; APIError.RetryAfter says how long to wait.
	ErrRateLimited = errors.New("rate limited")
	// ErrAuth: HTTP 401, bad or missing credentials.
	ErrAuth = errors.New("authentication failed")
	// ErrRejected: the venue understood the request and refused it
	// (4xx with its message, e.g. "not enough balance / allowance").
	ErrRejected = errors.New("rejected by the venue")
	// ErrVersionMismatch: an order was signed for another exchange version.
	ErrVersionMismatch = errors.New("order version mismatch")
	// ErrTradingDisabled: HTTP 503 "Trading is currently disabled" or
	// cancel-only.
	ErrTradingDisabled = errors.New("trading disabled")
	// ErrNotFound: HTTP 404.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: 5xx, timeouts and connection failures.
	ErrUnavailable = errors.New("venue unavailable")
	// ErrMalformed: the answer could not be decoded; the call did nothing
	// we can trust.
	ErrMalformed = errors.New("malformed response")
)

// APIError is one failed venue call.
type APIError struct {
	Kind       error         // one of the Err* kinds above
	Method     string        // HTTP method
	Path       string        // request path, without query (never credentials)
	Status     int           // HTTP status; 0 when no answer arrived
	Message    string        // the venue's own message, bounded
	RetryAfter time.Duration // for ErrRateLimited: how long the venue asked us to wait
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("polymarket: %s %s: %v", e.Method, e.Path, e.Kind)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Unwrap returns the error kind.
func (e *APIError) Unwrap() error { return e.Kind }
