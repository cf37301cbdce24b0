// Package geoblock asks Polymarket whether this host may trade from where
// it is (GET https://polymarket.com/api/geoblock). Orders from a blocked
// region are rejected; read-only market data is not restricted. Check it
// at startup through the same HTTP client (and proxy) the bot trades with.
package geoblock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vig-bot/vig/polymarket"
)

// Status is the venue's verdict on this host's address.
type Status struct {
	Blocked bool
	IP      string
	Country string // ISO 3166-1 alpha-2, e.g. "GB"
	Region  string // e.g. "ENG", "NY"
}

// Check fetches the geoblock verdict from rawURL, the full endpoint URL
// (e.g. https://polymarket.com/api/geoblock or
// http://127.0.0.1:8090/geoblock), through hc (nil: http.DefaultClient)
// with timeout per attempt (0: 10 s). The read is retried like every safe
// venue call.
//
// A blocked verdict returns the Status together with an error wrapping
// polymarket.ErrGeoblocked that names the country and region. An HTML 403
// (Cloudflare or a geoblock page) is also ErrGeoblocked; an answer that
// Decode refuses is polymarket.ErrMalformed.
func Check(ctx context.Context, rawURL string, hc *http.Client, timeout time.Duration) (Status, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Status{}, fmt.Errorf("geoblock: bad URL %q", rawURL)
	}
	base := (&url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}).String()
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	ep := polymarket.Endpoint{BaseURL: base, HTTP: hc, Timeout: timeout}
	body, err := ep.Do(ctx, polymarket.Request{Method: http.MethodGet, Path: path, Query: u.Query(), Safe: true})
	if err != nil {
		return Status{}, err
	}
	st, err := Decode(body)
	if err != nil {
		return Status{}, &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: http.MethodGet, Path: path, Status: http.StatusOK, Message: err.Error()}
	}
	if st.Blocked {
		return st, &polymarket.APIError{Kind: polymarket.ErrGeoblocked, Method: http.MethodGet, Path: path, Status: http.StatusOK, Message: st.where()}
	}
	return st, nil
}

// where describes the blocked location for an error message.
func (s Status) where() string {
	loc := "country " + quoteOr(s.Country)
	if s.Region != "" {
		loc += ", region " + quoteOr(s.Region)
	}
	return "Polymarket blocks trading from " + loc
}

func quoteOr(s string) string {
	if s == "" {
		return "unknown"
	}
	return fmt.Sprintf("%q", bound(s))
}

func bound(s string) string { return polymarket.Truncate(s, 64) }

// Decode reads a geoblock answer {"blocked":bool,"ip":…,"country":…,
// "region":…}. "blocked" is required and must be a boolean (true/false,
// or the strings "true"/"false"): without it the answer proves nothing, so
// it is an error wrapping polymarket.ErrMalformed. The other fields are
// informational: a value that is not a string is left empty.
func Decode(b []byte) (Status, error) {
	var raw struct {
		Blocked json.RawMessage `json:"blocked"`
		IP      json.RawMessage `json:"ip"`
		Country json.RawMessage `json:"country"`
		Region  json.RawMessage `json:"region"`
	}
	t := bytes.TrimSpace(b)
	if len(t) == 0 || t[0] != '{' {
		return Status{}, malformed("not a JSON object")
	}
	if err := json.Unmarshal(t, &raw); err != nil {
		return Status{}, malformed(err.Error())
	}
	var st Status
	switch strings.ToLower(string(bytes.TrimSpace(raw.Blocked))) {
	case "true", `"true"`:
		st.Blocked = true
	case "false", `"false"`:
	case "", "null":
		return Status{}, malformed(`"blocked" missing`)
	default:
		return Status{}, malformed(`"blocked" is not a boolean`)
	}
	st.IP, st.Country, st.Region = str(raw.IP), str(raw.Country), str(raw.Region)
	return st, nil
}

func malformed(what string) error {
	return fmt.Errorf("geoblock: %w: %s", polymarket.ErrMalformed, bound(what))
}

func str(b json.RawMessage) string {
	var s string
	if json.Unmarshal(b, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}
