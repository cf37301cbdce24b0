package order_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/vig-bot/vig/polymarket/order"
)

// TestClobAuthVector: py-clob-client tests/signing/test_eip712.py and
// clob-client tests/signing/eip712.test.ts (unchanged in V2); the digest is
// derived in platform-facts §2.7.
func TestClobAuthVector(t *testing.T) {
	t.Parallel()
	digest := order.ClobAuthHash(common.HexToAddress(key0Addr), order.ChainAmoy, "10000000", big.NewInt(23))
	if got, want := hex32(digest), "0x8f442df8073c9cf2e36d7b20ca9d64d1a9352e982cc82a293b7de2df57920610"; got != want {
		t.Errorf("digest = %s, want %s", got, want)
	}
	sig, err := order.SignClobAuth(key0(t), order.ChainAmoy, "10000000", big.NewInt(23))
	if err != nil {
		t.Fatal(err)
	}
	if want := "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b"; sig != want {
		t.Errorf("signature = %s, want %s", sig, want)
	}
	if _, err := order.SignClobAuth(key0(t), order.ChainAmoy, "1", big.NewInt(-1)); err == nil {
		t.Error("negative nonce accepted")
	}
}

func TestL1HeadersRoundTrip(t *testing.T) {
	t.Parallel()
	ts := time.Unix(1767225600, 0)
	h, err := order.L1Headers(key0(t), order.ChainPolygon, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"POLY_ADDRESS": key0Addr, "POLY_TIMESTAMP": "1767225600", "POLY_NONCE": "0",
	} {
		if got := h[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q (stored verbatim)", name, got, want)
		}
	}
	if got := order.HeaderValue(h, order.HeaderSignature); !strings.HasPrefix(got, "0x") || len(got) != 132 {
		t.Errorf("POLY_SIGNATURE = %q", got)
	}
	addr, err := order.VerifyL1(h, order.ChainPolygon)
	if err != nil || addr.Hex() != key0Addr {
		t.Errorf("VerifyL1 = %s, %v", addr.Hex(), err)
	}

	// Through a real server: net/http canonicalises the names on arrival.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := order.VerifyL1(r.Header, order.ChainPolygon); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/auth/derive-api-key", nil)
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("server VerifyL1 status %d", resp.StatusCode)
	}

	tamper := []struct {
		name string
		edit func(h http.Header)
	}{
		{"other chain", nil},
		{"timestamp", func(h http.Header) { h["POLY_TIMESTAMP"] = []string{"1767225601"} }},
		{"nonce", func(h http.Header) { h["POLY_NONCE"] = []string{"1"} }},
		{"address", func(h http.Header) { h["POLY_ADDRESS"] = []string{"0x1111111111111111111111111111111111111111"} }},
		{"no nonce", func(h http.Header) { delete(h, "POLY_NONCE") }},
		{"no timestamp", func(h http.Header) { delete(h, "POLY_TIMESTAMP") }},
		{"bad signature", func(h http.Header) { h["POLY_SIGNATURE"] = []string{"0x1234"} }},
		{"signature not hex", func(h http.Header) { h["POLY_SIGNATURE"] = []string{"zz"} }},
	}
	for _, tt := range tamper {
		c := h.Clone()
		chain := order.ChainPolygon
		if tt.edit == nil {
			chain = order.ChainAmoy
		} else {
			tt.edit(c)
		}
		if _, err := order.VerifyL1(c, chain); !errors.Is(err, order.ErrAuth) {
			t.Errorf("%s: err = %v, want ErrAuth", tt.name, err)
		}
	}
}

// TestHMACVectors: py-clob-client tests/signing/test_hmac.py and clob-client
// tests/signing/hmac.test.ts; the no-body and '++/'/'--_' results are
// derived in platform-facts §2.7.
func TestHMACVectors(t *testing.T) {
	t.Parallel()
	const secret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	tests := []struct {
		name, secret, body, want string
	}{
		{"upstream with body", secret, `{"hash": "0x123"}`, "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc="},
		{"without body", secret, "", "MJr-p2bluLi29SYDJMqY0bWepw-jS6pq3QvpMLL92LU="},
		{"std alphabet ++/", "++/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", `{"hash": "0x123"}`, "HNo0ctLa8EfeOxYf0wiNci4JqCwLiVWsubxySKwD1cs="},
		{"url alphabet --_", "--_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", `{"hash": "0x123"}`, "HNo0ctLa8EfeOxYf0wiNci4JqCwLiVWsubxySKwD1cs="},
		{"no padding", strings.TrimRight(secret, "="), `{"hash": "0x123"}`, "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc="},
	}
	for _, tt := range tests {
		got, err := order.HMACSignature(tt.secret, "1000000", "test-sign", "/orders", []byte(tt.body))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: signature = %s, want %s", tt.name, got, tt.want)
		}
	}
	for _, bad := range []string{"", "=", "not base64!", "AAAA AAAA", "A"} {
		if _, err := order.HMACSignature(bad, "1", "GET", "/", nil); !errors.Is(err, order.ErrAuth) {
			t.Errorf("secret %q: err = %v, want ErrAuth", bad, err)
		}
	}
}

func TestL2HeadersRoundTrip(t *testing.T) {
	t.Parallel()
	creds := order.Creds{APIKey: "1b4b2c4f-aaaa-bbbb-cccc-000000000001", Secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", Passphrase: "pass-phrase"}
	owner := common.HexToAddress(key0Addr)
	lookup := func(k string) (order.Creds, common.Address, bool) {
		if k == creds.APIKey {
			return creds, owner, true
		}
		return order.Creds{}, common.Address{}, false
	}
	now := time.Unix(1767225600, 0)
	body := []byte(`{"order":{"salt":1}}`)
	h, err := order.L2Headers(creds, owner, now, http.MethodPost, "/order", body)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"POLY_ADDRESS", "POLY_SIGNATURE", "POLY_TIMESTAMP", "POLY_API_KEY", "POLY_PASSPHRASE"} {
		if len(h[name]) != 1 {
			t.Errorf("missing %s", name)
		}
	}
	if got, want := h["POLY_TIMESTAMP"][0], "1767225600"; got != want {
		t.Errorf("POLY_TIMESTAMP = %s, want %s", got, want)
	}
	c, addr, err := order.VerifyL2(h, lookup, http.MethodPost, "/order", body, now.Add(3*time.Second), 30*time.Second)
	if err != nil || addr != owner || c.APIKey != creds.APIKey {
		t.Fatalf("VerifyL2 = %v, %s, %v", c, addr.Hex(), err)
	}

	tests := []struct {
		name   string
		edit   func(h http.Header)
		method string
		path   string
		body   []byte
		now    time.Time
	}{
		{"other body", nil, http.MethodPost, "/order", []byte(`{"order":{"salt":2}}`), now},
		{"no body", nil, http.MethodPost, "/order", nil, now},
		{"other path", nil, http.MethodPost, "/orders", body, now},
		{"other method", nil, http.MethodDelete, "/order", body, now},
		{"stale", nil, http.MethodPost, "/order", body, now.Add(31 * time.Second)},
		{"future", nil, http.MethodPost, "/order", body, now.Add(-31 * time.Second)},
		{"unknown key", func(h http.Header) { h["POLY_API_KEY"] = []string{"nope"} }, http.MethodPost, "/order", body, now},
		{"no key", func(h http.Header) { delete(h, "POLY_API_KEY") }, http.MethodPost, "/order", body, now},
		{"passphrase", func(h http.Header) { h["POLY_PASSPHRASE"] = []string{"pass-phrasE"} }, http.MethodPost, "/order", body, now},
		{"address", func(h http.Header) { h["POLY_ADDRESS"] = []string{"0x1111111111111111111111111111111111111111"} }, http.MethodPost, "/order", body, now},
		{"timestamp", func(h http.Header) { h["POLY_TIMESTAMP"] = []string{"1767225601"} }, http.MethodPost, "/order", body, now},
		{"timestamp text", func(h http.Header) { h["POLY_TIMESTAMP"] = []string{"soon"} }, http.MethodPost, "/order", body, now},
		{"signature", func(h http.Header) { h["POLY_SIGNATURE"] = []string{strings.ToLower(h["POLY_SIGNATURE"][0])} }, http.MethodPost, "/order", body, now},
	}
	for _, tt := range tests {
		c := h.Clone()
		if tt.edit != nil {
			tt.edit(c)
		}
		if _, _, err := order.VerifyL2(c, lookup, tt.method, tt.path, tt.body, tt.now, 30*time.Second); !errors.Is(err, order.ErrAuth) {
			t.Errorf("%s: err = %v, want ErrAuth", tt.name, err)
		}
	}
	// maxSkew 0 disables the clock check only.
	if _, _, err := order.VerifyL2(h, lookup, http.MethodPost, "/order", body, now.Add(time.Hour), 0); err != nil {
		t.Errorf("maxSkew 0: %v", err)
	}
}

// TestCredsRedaction is the canary: no fmt verb, JSON, text or slog output
// of Creds (alone, by pointer or inside a struct) contains the secret or the
// passphrase.
func TestCredsRedaction(t *testing.T) {
	t.Parallel()
	const secretCanary, passCanary = "c2VjcmV0LWNhbmFyeS0xMjM0NQ==", "passphrase-canary-98765"
	c := order.Creds{APIKey: "key-1", Secret: secretCanary, Passphrase: passCanary}
	type wrapper struct {
		Name  string
		Creds order.Creds
		Ptr   *order.Creds
	}
	w := wrapper{Name: "w", Creds: c, Ptr: &c}

	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%T"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c), fmt.Sprintf(verb, w))
	}
	// %p on a non-pointer is the one verb fmt formats without calling any
	// method ("%!p(order.Creds={…})" prints raw fields); go vet's printf
	// check rejects it at build time, so only the pointer form is tested.
	outs = append(outs, fmt.Sprintf("%p", &c))
	outs = append(outs, fmt.Sprint(c), fmt.Sprintln(&c), fmt.Errorf("login failed: %w %v", errors.New("x"), c).Error())
	extra := "extra args:" // a variable, so vet lets the %!(EXTRA …) path through
	outs = append(outs, fmt.Sprintf(extra, c, &c))
	for _, v := range []any{c, &c, w, []order.Creds{c}, map[string]order.Creds{"k": c}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(b))
	}
	txt, _ := c.MarshalText()
	outs = append(outs, string(txt))
	var buf bytes.Buffer
	for _, hnd := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		l := slog.New(hnd)
		l.Info("creds", "c", c, "p", &c, "w", w)
		l.Info("creds", slog.Any("c", c))
	}
	outs = append(outs, buf.String())

	for _, o := range outs {
		if strings.Contains(o, secretCanary) || strings.Contains(o, passCanary) ||
			strings.Contains(o, "c2VjcmV0") || strings.Contains(o, "canary") {
			t.Errorf("leak: %s", o)
		}
	}
	if !strings.Contains(c.String(), "key-1") || !strings.Contains(c.String(), "[redacted]") {
		t.Errorf("String() = %q, want the api key and [redacted]", c.String())
	}

	// Decoding the venue's /auth/api-key answer still fills the fields.
	var got order.Creds
	if err := json.Unmarshal([]byte(`{"apiKey":"k","secret":"s","passphrase":"p"}`), &got); err != nil || got != (order.Creds{APIKey: "k", Secret: "s", Passphrase: "p"}) {
		t.Errorf("Unmarshal = %+v, %v", got.APIKey, err)
	}
}

func TestHeaderValue(t *testing.T) {
	t.Parallel()
	for _, h := range []http.Header{
		{"POLY_API_KEY": {"v"}},
		{"Poly_api_key": {"v"}},
		{"poly_api_key": {"v"}},
	} {
		if got := order.HeaderValue(h, order.HeaderAPIKey); got != "v" {
			t.Errorf("HeaderValue(%v) = %q", h, got)
		}
	}
	if got := order.HeaderValue(http.Header{}, order.HeaderAPIKey); got != "" {
		t.Errorf("empty header = %q", got)
	}
}
