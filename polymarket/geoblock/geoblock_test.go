package geoblock_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/geoblock"
)

// server answers /geoblock with the status and body, recording requests.
func server(t *testing.T, status int, ctype, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/api/geoblock" || r.Method != http.MethodGet {
			t.Errorf("unexpected %s %s", r.Method, r.URL)
		}
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestCheck(t *testing.T) {
	t.Run("allowed", func(t *testing.T) {
		srv, _ := server(t, 200, "application/json", `{"blocked":false,"ip":"95.217.1.2","country":"FI","region":"18"}`)
		st, err := geoblock.Check(context.Background(), srv.URL+"/api/geoblock", srv.Client(), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if want := (geoblock.Status{Blocked: false, IP: "95.217.1.2", Country: "FI", Region: "18"}); st != want {
			t.Errorf("Status = %+v, want %+v", st, want)
		}
	})
	t.Run("blocked", func(t *testing.T) {
		srv, _ := server(t, 200, "application/json", `{"blocked":true,"ip":"203.0.113.9","country":"US","region":"NY"}`)
		st, err := geoblock.Check(context.Background(), srv.URL+"/api/geoblock", srv.Client(), time.Second)
		if !errors.Is(err, polymarket.ErrGeoblocked) {
			t.Fatalf("err = %v, want ErrGeoblocked", err)
		}
		if !st.Blocked || st.Country != "US" || st.Region != "NY" {
			t.Errorf("Status = %+v; want the blocked verdict alongside the error", st)
		}
		if msg := err.Error(); !strings.Contains(msg, `"US"`) || !strings.Contains(msg, `"NY"`) {
			t.Errorf("error %q does not name the country and region", msg)
		}
	})
	t.Run("HTML 403", func(t *testing.T) {
		srv, n := server(t, 403, "text/html; charset=UTF-8", `<!DOCTYPE html><html><title>Attention Required! | Cloudflare</title></html>`)
		_, err := geoblock.Check(context.Background(), srv.URL+"/api/geoblock", srv.Client(), time.Second)
		if !errors.Is(err, polymarket.ErrGeoblocked) {
			t.Fatalf("err = %v, want ErrGeoblocked", err)
		}
		if n.Load() != 1 {
			t.Errorf("%d requests, want 1 (no retry)", n.Load())
		}
	})
	t.Run("malformed", func(t *testing.T) {
		for _, body := range []string{`{"blocked":fal`, `{"ip":"1.2.3.4"}`, `<html>ok</html>`, `{"blocked":"maybe"}`, `[]`} {
			srv, _ := server(t, 200, "application/json", body)
			_, err := geoblock.Check(context.Background(), srv.URL+"/api/geoblock", srv.Client(), time.Second)
			if !errors.Is(err, polymarket.ErrMalformed) {
				t.Errorf("%s: err = %v, want ErrMalformed", body, err)
			}
		}
	})
	t.Run("query and trailing parts of the URL are kept", func(t *testing.T) {
		var got string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.URL.String()
			w.Write([]byte(`{"blocked":false}`))
		}))
		defer srv.Close()
		if _, err := geoblock.Check(context.Background(), srv.URL+"/geoblock?src=vig", srv.Client(), time.Second); err != nil {
			t.Fatal(err)
		}
		if got != "/geoblock?src=vig" {
			t.Errorf("requested %q", got)
		}
	})
	t.Run("bad URL", func(t *testing.T) {
		for _, u := range []string{"", "polymarket.com/api/geoblock", "://x"} {
			if _, err := geoblock.Check(context.Background(), u, nil, time.Second); err == nil {
				t.Errorf("%q accepted", u)
			}
		}
	})
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want geoblock.Status
		bad  bool
	}{
		{`{"blocked":true,"ip":"1.2.3.4","country":"GB","region":"ENG"}`, geoblock.Status{Blocked: true, IP: "1.2.3.4", Country: "GB", Region: "ENG"}, false},
		{`{"blocked":false,"ip":"1.2.3.4","country":"FI"}`, geoblock.Status{IP: "1.2.3.4", Country: "FI"}, false},
		{` {"blocked":"true","country":5} `, geoblock.Status{Blocked: true}, false},
		{`{"blocked":"FALSE","extra":{"a":[1]}}`, geoblock.Status{}, false},
		{`{"blocked":null}`, geoblock.Status{}, true},
		{`{"blocked":1}`, geoblock.Status{}, true},
		{`{}`, geoblock.Status{}, true},
		{`null`, geoblock.Status{}, true},
		{``, geoblock.Status{}, true},
		{`{"blocked":true`, geoblock.Status{}, true},
	} {
		st, err := geoblock.Decode([]byte(tc.in))
		if tc.bad {
			if !errors.Is(err, polymarket.ErrMalformed) {
				t.Errorf("Decode(%s) = %+v, %v; want ErrMalformed", tc.in, st, err)
			}
			continue
		}
		if err != nil || st != tc.want {
			t.Errorf("Decode(%s) = %+v, %v; want %+v", tc.in, st, err, tc.want)
		}
	}
}

func FuzzGeoblockDecode(f *testing.F) {
	for _, s := range []string{
		`{"blocked":true,"ip":"203.0.113.9","country":"US","region":"NY"}`,
		`{"blocked":false,"ip":"95.217.1.2","country":"FI","region":"18"}`,
		`{"blocked":"true"}`, `{"ip":"1.2.3.4"}`, `<!DOCTYPE html>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := geoblock.Decode(b)
		if err != nil {
			if !errors.Is(err, polymarket.ErrMalformed) || st != (geoblock.Status{}) {
				t.Fatalf("error %v with status %+v", err, st)
			}
			return
		}
		// A verdict needs a "blocked" member (encoding/json matches keys
		// case-insensitively) holding a boolean or its string.
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("accepted invalid JSON %q: %v", b, err)
		}
		found := false
		for k, v := range m {
			if strings.EqualFold(k, "blocked") {
				switch v := v.(type) {
				case bool:
					found = found || v == st.Blocked
				case string:
					found = found || strings.EqualFold(v, strconv.FormatBool(st.Blocked))
				}
			}
		}
		if !found {
			t.Fatalf("verdict %+v without a matching blocked member in %q", st, b)
		}
	})
}
