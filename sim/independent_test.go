package sim_test

// Acceptance test: an independent Polymarket CLOB V2 client, written from
// the venue's documented shapes only, trades against the simulator. It
// imports nothing of Vig but package sim (to host the server): signing is
// go-ethereum's generic EIP-712 (signer/core/apitypes) and crypto.Sign, the
// HMAC is crypto/hmac, the JSON structs are its own. A sim that accepts
// what this client sends and refuses its tampered variants speaks the
// venue's protocol, not merely Vig's idea of it.
//
// Sources of the shapes: /work/shared/docs/platform-facts.md §2.2 (Gamma
// clobTokenIds as a JSON-encoded string), §2.3 (CLOB endpoints, POST /order
// V2 body, OrderResponse, {"error": …}), §2.4 (L1 ClobAuth and L2 HMAC
// headers), §2.5 (V2 Order EIP-712 domain, type and exchange addresses).

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/vig-bot/vig/sim"
)

// V2 exchanges (§2.5): the verifyingContract of orders on regular and on
// neg-risk markets.
const (
	indExchangeCTF     = "0xE111180000d2663C0091e4f400237545B87B996B"
	indExchangeNegRisk = "0xe2222d279d744050d28e00520010520000310F59"
	indChainID         = 137
)

// indOrder is the "order" object of POST /order for V2 (§2.3): salt and
// signatureType are JSON numbers, every other number a decimal string.
type indOrder struct {
	Salt          uint64 `json:"salt"`
	Maker         string `json:"maker"`
	Signer        string `json:"signer"`
	TokenID       string `json:"tokenId"`
	MakerAmount   string `json:"makerAmount"`
	TakerAmount   string `json:"takerAmount"`
	Side          string `json:"side"`
	Expiration    string `json:"expiration"`
	SignatureType int    `json:"signatureType"`
	Timestamp     string `json:"timestamp"`
	Metadata      string `json:"metadata"`
	Builder       string `json:"builder"`
	Signature     string `json:"signature"`
}

// indPostOrder is the POST /order body (§2.3).
type indPostOrder struct {
	Order     indOrder `json:"order"`
	Owner     string   `json:"owner"`
	OrderType string   `json:"orderType"`
	DeferExec bool     `json:"deferExec"`
	PostOnly  bool     `json:"postOnly"`
}

// indCreds is the answer of /auth/api-key and /auth/derive-api-key (§2.4).
type indCreds struct {
	APIKey     string `json:"apiKey"`
	Secret     string `json:"secret"`
	Passphrase string `json:"passphrase"`
}

// indClient is the independent client.
type indClient struct {
	t     *testing.T
	base  string
	http  *http.Client
	key   *ecdsa.PrivateKey
	addr  common.Address
	creds indCreds
}

var indZero32 = "0x" + strings.Repeat("00", 32)

// indSign signs typed data as go-order-utils does: crypto.Sign over the
// EIP-712 digest, then v += 27 (§2.5).
func indSign(t *testing.T, key *ecdsa.PrivateKey, td apitypes.TypedData) (digest []byte, sig string) {
	t.Helper()
	digest, _, err := apitypes.TypedDataAndHash(td)
	if err != nil {
		t.Fatalf("TypedDataAndHash: %v", err)
	}
	s, err := crypto.Sign(digest, key)
	if err != nil {
		t.Fatal(err)
	}
	s[64] += 27
	return digest, "0x" + hex.EncodeToString(s)
}

var indDomainType = []apitypes.Type{
	{Name: "name", Type: "string"},
	{Name: "version", Type: "string"},
	{Name: "chainId", Type: "uint256"},
	{Name: "verifyingContract", Type: "address"},
}

// l1Headers are the ClobAuth headers (§2.4): domain ClobAuthDomain "1"
// without verifyingContract, ClobAuth(address,string timestamp,uint256
// nonce,string message).
func (c *indClient) l1Headers() http.Header {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	td := apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": indDomainType[:3],
			"ClobAuth": {
				{Name: "address", Type: "address"},
				{Name: "timestamp", Type: "string"},
				{Name: "nonce", Type: "uint256"},
				{Name: "message", Type: "string"},
			},
		},
		PrimaryType: "ClobAuth",
		Domain:      apitypes.TypedDataDomain{Name: "ClobAuthDomain", Version: "1", ChainId: math.NewHexOrDecimal256(indChainID)},
		Message: apitypes.TypedDataMessage{
			"address": c.addr.Hex(), "timestamp": ts, "nonce": "0",
			"message": "This message attests that I control the given wallet",
		},
	}
	_, sig := indSign(c.t, c.key, td)
	return http.Header{"POLY_ADDRESS": {c.addr.Hex()}, "POLY_SIGNATURE": {sig}, "POLY_TIMESTAMP": {ts}, "POLY_NONCE": {"0"}}
}

// l2Headers are the HMAC headers (§2.4): base64url(HMAC-SHA256(
// base64url-decode(secret), timestamp + method + path + body)).
func (c *indClient) l2Headers(secret, method, path string, body []byte) http.Header {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	key, err := base64.URLEncoding.DecodeString(secret)
	if err != nil {
		c.t.Fatalf("secret is not base64url: %v", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts + method + path))
	m.Write(body)
	return http.Header{
		"POLY_ADDRESS": {c.addr.Hex()}, "POLY_SIGNATURE": {base64.URLEncoding.EncodeToString(m.Sum(nil))},
		"POLY_TIMESTAMP": {ts}, "POLY_API_KEY": {c.creds.APIKey}, "POLY_PASSPHRASE": {c.creds.Passphrase},
	}
}

// do sends a request to path under the server (e.g. "/clob/order") and
// returns status and body.
func (c *indClient) do(method, path string, h http.Header, body []byte) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// clob sends an L2 request to the CLOB at /clob; like the official clients
// it signs the path relative to the CLOB's base URL.
func (c *indClient) clob(method, path string, body []byte) (int, []byte) {
	c.t.Helper()
	signed, _, _ := strings.Cut(path, "?")
	return c.do(method, "/clob"+path, c.l2Headers(c.creds.Secret, method, signed, body), body)
}

func (c *indClient) getJSON(path string, v any) {
	c.t.Helper()
	code, body := c.do(http.MethodGet, path, nil, nil)
	if code != http.StatusOK {
		c.t.Fatalf("GET %s = %d %s", path, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		c.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// indMicros parses a decimal ("0.01", "5") into millionths.
func indMicros(t *testing.T, s string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 6 {
		t.Fatalf("%q has more than 6 decimals", s)
	}
	w, err1 := strconv.ParseInt("0"+whole, 10, 64)
	f, err2 := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("not a decimal: %q", s)
	}
	return w*1_000_000 + f
}

// indError checks a {"error": "…"} answer with the given status.
func indError(t *testing.T, what string, code int, body []byte, want int) string {
	t.Helper()
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil || code != want || len(e) != 1 {
		t.Errorf("%s = %d %s, want %d {\"error\": …}", what, code, body, want)
		return ""
	}
	msg, _ := e["error"].(string)
	if msg == "" {
		t.Errorf("%s: error is %v", what, e["error"])
	}
	return msg
}

// indMarket is what the client reads about one market.
type indMarket struct {
	conditionID, token string
	tick, minSize      int64
	negRisk            bool
	bestBid            int64
}

// market reads an open market from Gamma (clobTokenIds is a JSON-encoded
// string, §2.2) whose negRisk flag is negRisk, then its tick size and
// neg-risk flag from the CLOB (§2.3) and its book (best level last).
func (c *indClient) market(negRisk bool) (indMarket, bool) {
	c.t.Helper()
	var ms []struct {
		ConditionID     string `json:"conditionId"`
		ClobTokenIDs    string `json:"clobTokenIds"`
		NegRisk         bool   `json:"negRisk"`
		AcceptingOrders bool   `json:"acceptingOrders"`
		OrderMinSize    any    `json:"orderMinSize"`
	}
	c.getJSON("/gamma/markets?closed=false&limit=100", &ms)
	for _, m := range ms {
		if m.NegRisk != negRisk || !m.AcceptingOrders {
			continue
		}
		var toks []string
		if err := json.Unmarshal([]byte(m.ClobTokenIDs), &toks); err != nil || len(toks) != 2 {
			c.t.Fatalf("clobTokenIds %q: %v", m.ClobTokenIDs, err)
		}
		out := indMarket{conditionID: m.ConditionID, token: toks[0], minSize: indMicros(c.t, fmt.Sprint(m.OrderMinSize))}
		var tick struct {
			MinimumTickSize json.Number `json:"minimum_tick_size"`
		}
		c.getJSON("/clob/tick-size?token_id="+out.token, &tick)
		out.tick = indMicros(c.t, tick.MinimumTickSize.String())
		var nr struct {
			NegRisk bool `json:"neg_risk"`
		}
		c.getJSON("/clob/neg-risk?token_id="+out.token, &nr)
		out.negRisk = nr.NegRisk
		if nr.NegRisk != m.NegRisk {
			c.t.Errorf("Gamma negRisk %v, CLOB %v", m.NegRisk, nr.NegRisk)
		}
		var book struct {
			Bids []struct {
				Price string `json:"price"`
			} `json:"bids"`
		}
		c.getJSON("/clob/book?token_id="+out.token, &book)
		if len(book.Bids) == 0 {
			continue
		}
		out.bestBid = indMicros(c.t, book.Bids[len(book.Bids)-1].Price)
		return out, true
	}
	return indMarket{}, false
}

// order builds and signs a GTC BUY of size shares at price (millionths)
// with the exchange domain version given ("2" for the V2 exchange).
func (c *indClient) order(m indMarket, price, shares int64, version string) (indPostOrder, []byte) {
	c.t.Helper()
	exchange := indExchangeCTF
	if m.negRisk {
		exchange = indExchangeNegRisk
	}
	salt := uint64(time.Now().UnixNano() % (1 << 53))
	o := indOrder{
		Salt: salt, Maker: c.addr.Hex(), Signer: c.addr.Hex(), TokenID: m.token,
		MakerAmount: strconv.FormatInt(price*shares, 10), TakerAmount: strconv.FormatInt(shares*1_000_000, 10),
		Side: "BUY", Expiration: "0", SignatureType: 0, Timestamp: strconv.FormatInt(time.Now().UnixMilli(), 10),
		Metadata: indZero32, Builder: indZero32,
	}
	td := apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": indDomainType,
			"Order": {
				{Name: "salt", Type: "uint256"},
				{Name: "maker", Type: "address"},
				{Name: "signer", Type: "address"},
				{Name: "tokenId", Type: "uint256"},
				{Name: "makerAmount", Type: "uint256"},
				{Name: "takerAmount", Type: "uint256"},
				{Name: "side", Type: "uint8"},
				{Name: "signatureType", Type: "uint8"},
				{Name: "timestamp", Type: "uint256"},
				{Name: "metadata", Type: "bytes32"},
				{Name: "builder", Type: "bytes32"},
			},
		},
		PrimaryType: "Order",
		Domain: apitypes.TypedDataDomain{
			Name: "Polymarket CTF Exchange", Version: version, ChainId: math.NewHexOrDecimal256(indChainID), VerifyingContract: exchange,
		},
		Message: apitypes.TypedDataMessage{
			"salt": new(big.Int).SetUint64(o.Salt).String(), "maker": o.Maker, "signer": o.Signer, "tokenId": o.TokenID,
			"makerAmount": o.MakerAmount, "takerAmount": o.TakerAmount, "side": "0", "signatureType": "0",
			"timestamp": o.Timestamp, "metadata": o.Metadata, "builder": o.Builder,
		},
	}
	digest, sig := indSign(c.t, c.key, td)
	o.Signature = sig
	return indPostOrder{Order: o, Owner: c.creds.APIKey, OrderType: "GTC"}, digest
}

func TestIndependentV2Client(t *testing.T) {
	s := sim.New(sim.Config{Seed: 2026, OpenMarkets: 30}) // real clock: the client stamps with time.Now
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	sum := sha256.Sum256([]byte("independent client"))
	key, err := crypto.ToECDSA(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	c := &indClient{t: t, base: srv.URL, http: srv.Client(), key: key, addr: crypto.PubkeyToAddress(key.PublicKey)}

	// L1: create the API key, falling back to derive (§2.4); derive agrees.
	code, body := c.do(http.MethodPost, "/clob/auth/api-key", c.l1Headers(), nil)
	if code != http.StatusOK {
		code, body = c.do(http.MethodGet, "/clob/auth/derive-api-key", c.l1Headers(), nil)
	}
	if err := json.Unmarshal(body, &c.creds); code != http.StatusOK || err != nil || c.creds.APIKey == "" || c.creds.Secret == "" || c.creds.Passphrase == "" {
		t.Fatalf("api key: %d %s", code, body)
	}
	var derived indCreds
	code, body = c.do(http.MethodGet, "/clob/auth/derive-api-key", c.l1Headers(), nil)
	if err := json.Unmarshal(body, &derived); code != http.StatusOK || err != nil || derived != c.creds {
		t.Errorf("derive = %d %s", code, body)
	}

	traded := 0
	for _, negRisk := range []bool{false, true} {
		m, ok := c.market(negRisk)
		if !ok {
			continue
		}
		traded++
		shares := max(5, (m.minSize+999_999)/1_000_000)
		price := max(m.tick, m.bestBid-2*m.tick) // below the best bid: it rests

		// A correctly signed order rests; its id is the EIP-712 digest.
		po, digest := c.order(m, price, shares, "2")
		b, _ := json.Marshal(po)
		code, body = c.clob(http.MethodPost, "/order", b)
		var resp struct {
			Success            bool     `json:"success"`
			ErrorMsg           string   `json:"errorMsg"`
			OrderID            string   `json:"orderID"`
			Status             string   `json:"status"`
			TransactionsHashes []string `json:"transactionsHashes"`
		}
		if err := json.Unmarshal(body, &resp); code != http.StatusOK || err != nil || !resp.Success || resp.Status != "live" {
			t.Fatalf("neg-risk %v: POST /order = %d %s", negRisk, code, body)
		}
		if resp.OrderID != "0x"+hex.EncodeToString(digest) {
			t.Errorf("orderID %s, want the order's EIP-712 digest 0x%x", resp.OrderID, digest)
		}
		var got struct {
			ID           string `json:"id"`
			Status       string `json:"status"`
			Owner        string `json:"owner"`
			MakerAddress string `json:"maker_address"`
			Market       string `json:"market"`
			AssetID      string `json:"asset_id"`
			Side         string `json:"side"`
			OriginalSize string `json:"original_size"`
			SizeMatched  string `json:"size_matched"`
			Price        string `json:"price"`
		}
		code, body = c.clob(http.MethodGet, "/data/order/"+resp.OrderID, nil)
		if err := json.Unmarshal(body, &got); code != http.StatusOK || err != nil || got.ID != resp.OrderID || got.Status != "LIVE" ||
			got.Owner != c.creds.APIKey || !strings.EqualFold(got.MakerAddress, c.addr.Hex()) || got.Market != m.conditionID ||
			got.AssetID != m.token || got.Side != "BUY" || indMicros(t, got.Price) != price || indMicros(t, got.OriginalSize) != shares*1_000_000 {
			t.Errorf("GET /data/order = %d %s", code, body)
		}
		var open struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
			NextCursor string `json:"next_cursor"`
		}
		code, body = c.clob(http.MethodGet, "/data/orders?asset_id="+m.token+"&next_cursor=MA==", nil)
		if err := json.Unmarshal(body, &open); code != http.StatusOK || err != nil || len(open.Data) != 1 || open.Data[0].ID != resp.OrderID || open.NextCursor != "LTE=" {
			t.Errorf("GET /data/orders = %d %s", code, body)
		}

		// Cancel it.
		code, body = c.clob(http.MethodDelete, "/order", []byte(`{"orderID":"`+resp.OrderID+`"}`))
		var canceled struct {
			Canceled    []string          `json:"canceled"`
			NotCanceled map[string]string `json:"not_canceled"`
		}
		if err := json.Unmarshal(body, &canceled); code != http.StatusOK || err != nil || len(canceled.Canceled) != 1 || canceled.Canceled[0] != resp.OrderID {
			t.Errorf("DELETE /order = %d %s", code, body)
		}
		code, body = c.clob(http.MethodGet, "/data/order/"+resp.OrderID, nil)
		if err := json.Unmarshal(body, &got); code != http.StatusOK || err != nil || got.Status != "CANCELED" {
			t.Errorf("after cancel: %d %s", code, body)
		}

		// The same order with one field changed after signing.
		po, _ = c.order(m, price, shares, "2")
		po.Order.TakerAmount = strconv.FormatInt((shares+1)*1_000_000, 10)
		b, _ = json.Marshal(po)
		code, body = c.clob(http.MethodPost, "/order", b)
		indError(t, "field changed after signing", code, body, http.StatusBadRequest)

		// Signed with the V1 domain version.
		po, _ = c.order(m, price, shares, "1")
		b, _ = json.Marshal(po)
		code, body = c.clob(http.MethodPost, "/order", b)
		indError(t, "domain version 1", code, body, http.StatusBadRequest)

		// Signed for the other exchange.
		m.negRisk = !m.negRisk
		po, _ = c.order(m, price, shares, "2")
		b, _ = json.Marshal(po)
		code, body = c.clob(http.MethodPost, "/order", b)
		indError(t, "other exchange", code, body, http.StatusBadRequest)
	}
	if traded != 2 {
		t.Fatalf("traded on %d kinds of market, want both a regular and a neg-risk one", traded)
	}

	// A wrong L2 HMAC: 401 with the error shape.
	wrong := base64.URLEncoding.EncodeToString(make([]byte, 32))
	code, body = c.do(http.MethodGet, "/clob/data/orders", c.l2Headers(wrong, http.MethodGet, "/data/orders", nil), nil)
	indError(t, "wrong HMAC", code, body, http.StatusUnauthorized)
	// And the right one still works.
	if code, body = c.clob(http.MethodGet, "/data/orders", nil); code != http.StatusOK {
		t.Errorf("GET /data/orders = %d %s", code, body)
	}
}
