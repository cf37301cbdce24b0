package order_test

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/vig-bot/vig/polymarket/order"
)

// TestPostOrderWire checks the body against platform-facts §2.3 (py-clob-client-v2
// order_to_json_v2): salt and signatureType are numbers, the rest strings,
// in upstream's key order.
func TestPostOrderWire(t *testing.T) {
	t.Parallel()
	me := common.HexToAddress(key0Addr)
	o := v2Order(t, me, me, order.EOA)
	ex, _ := order.ExchangeFor(order.ChainPolygon, 2, false)
	sig, err := order.SignV2(key0(t), o, order.ChainPolygon, ex, 2)
	if err != nil {
		t.Fatal(err)
	}
	p, err := order.NewPostOrder(o, sig, "00000000-0000-0000-0000-000000000000", order.GTC, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"order":{"salt":479249096354,"maker":"` + key0Addr + `","signer":"` + key0Addr + `","tokenId":"1234",` +
		`"makerAmount":"100000000","takerAmount":"50000000","side":"BUY","expiration":"0","signatureType":0,` +
		`"timestamp":"1710000000000",` +
		`"metadata":"0x0000000000000000000000000000000000000000000000000000000000000000",` +
		`"builder":"0x0000000000000000000000000000000000000000000000000000000000000000",` +
		`"signature":"0x42c7b4857d51e344045fcfde17b37cf1290d784471ffe618c22aa56ea5ddcf0009015b87ffb299813f5597e86d4ad56f40d634558d915edb719e6fc71dbc0d891c"},` +
		`"owner":"00000000-0000-0000-0000-000000000000","orderType":"GTC","deferExec":false,"postOnly":false}`
	if got := string(b); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}

	// FOK cannot be post-only; postOnly is left out rather than sent.
	if _, err := order.NewPostOrder(o, sig, "k", order.FOK, true); !errors.Is(err, order.ErrInvalidOrder) {
		t.Errorf("FOK postOnly: err = %v", err)
	}
	p, err = order.NewPostOrder(o, sig, "k", order.FAK, false)
	if err != nil || p.PostOnly != nil {
		t.Errorf("FAK: PostOnly = %v, %v; want nil", p.PostOnly, err)
	}
	if _, err := order.NewPostOrder(o, sig, "k", "IOC", false); !errors.Is(err, order.ErrInvalidOrder) {
		t.Errorf("unknown order type: err = %v", err)
	}
}

func TestOrderTypes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		t               order.OrderType
		valid, postOnly bool
	}{
		{order.GTC, true, true}, {order.GTD, true, true}, {order.FOK, true, false}, {order.FAK, true, false},
		{"gtc", false, false}, {"", false, false}, {"IOC", false, false},
	} {
		if got := tt.t.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %t", tt.t, got)
		}
		if got := order.PostOnlyAllowed(tt.t); got != tt.postOnly {
			t.Errorf("PostOnlyAllowed(%q) = %t", tt.t, got)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	me := common.HexToAddress(key0Addr)
	wallet := common.HexToAddress("0x1111111111111111111111111111111111111111")
	ex, _ := order.ExchangeFor(order.ChainAmoy, 2, false)

	eoa := v2Order(t, me, me, order.EOA)
	eoa.Side = order.Sell
	eoa.Expiration = big.NewInt(1_900_000_000)
	eoa.Metadata = [32]byte{0: 0xde, 31: 0xad}
	eoa.Builder = [32]byte{5: 7}
	eoa.TokenID = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	eoaSig, err := order.SignV2(key0(t), eoa, order.ChainAmoy, ex, 2)
	if err != nil {
		t.Fatal(err)
	}
	p1271 := v2Order(t, wallet, wallet, order.Poly1271)
	p1271Sig, err := order.SignPoly1271(key0(t), p1271, order.ChainAmoy, ex, wallet)
	if err != nil {
		t.Fatal(err)
	}

	for name, c := range map[string]struct {
		o   *order.OrderV2
		sig []byte
	}{"eoa": {eoa, eoaSig}, "poly1271": {p1271, p1271Sig}} {
		b, err := json.Marshal(order.ToJSON(c.o, c.sig))
		if err != nil {
			t.Fatal(err)
		}
		var j order.OrderJSON
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatal(err)
		}
		got, sig, err := order.FromJSON(j)
		if err != nil {
			t.Fatalf("%s: FromJSON: %v", name, err)
		}
		if !equalOrder(got, c.o) {
			t.Errorf("%s: round trip =\n%+v\nwant\n%+v", name, got, c.o)
		}
		if string(sig) != string(c.sig) {
			t.Errorf("%s: signature changed", name)
		}
		if got.SignatureType == order.Poly1271 {
			if _, err := order.VerifyPoly1271(got, sig, order.ChainAmoy, ex, wallet); err != nil {
				t.Errorf("%s: parsed order does not verify: %v", name, err)
			}
		} else if err := order.VerifyV2(got, sig, order.ChainAmoy, ex, 2); err != nil {
			t.Errorf("%s: parsed order does not verify: %v", name, err)
		}
	}
}

func TestFromJSONRejects(t *testing.T) {
	t.Parallel()
	me := common.HexToAddress(key0Addr)
	good := order.ToJSON(v2Order(t, me, me, order.EOA), make([]byte, 65))
	if _, _, err := order.FromJSON(good); err != nil {
		t.Fatalf("good order: %v", err)
	}
	z64 := strings.Repeat("0", 64)
	tests := []struct {
		name string
		edit func(j *order.OrderJSON)
	}{
		{"maker no 0x", func(j *order.OrderJSON) { j.Maker = j.Maker[2:] }},
		{"maker short", func(j *order.OrderJSON) { j.Maker = j.Maker[:41] }},
		{"maker odd hex", func(j *order.OrderJSON) { j.Maker = "0x" + strings.Repeat("a", 39) }},
		{"maker not hex", func(j *order.OrderJSON) { j.Maker = "0x" + strings.Repeat("g", 40) }},
		{"signer empty", func(j *order.OrderJSON) { j.Signer = "" }},
		{"tokenId empty", func(j *order.OrderJSON) { j.TokenID = "" }},
		{"tokenId negative", func(j *order.OrderJSON) { j.TokenID = "-1" }},
		{"tokenId plus", func(j *order.OrderJSON) { j.TokenID = "+1" }},
		{"tokenId hex", func(j *order.OrderJSON) { j.TokenID = "0x10" }},
		{"tokenId 2^256", func(j *order.OrderJSON) {
			j.TokenID = "115792089237316195423570985008687907853269984665640564039457584007913129639936"
		}},
		{"tokenId huge", func(j *order.OrderJSON) { j.TokenID = strings.Repeat("9", 200) }},
		{"makerAmount decimal", func(j *order.OrderJSON) { j.MakerAmount = "1.5" }},
		{"takerAmount space", func(j *order.OrderJSON) { j.TakerAmount = " 1" }},
		{"takerAmount exponent", func(j *order.OrderJSON) { j.TakerAmount = "1e6" }},
		{"expiration empty", func(j *order.OrderJSON) { j.Expiration = "" }},
		{"timestamp underscore", func(j *order.OrderJSON) { j.Timestamp = "1_000" }},
		{"side lower", func(j *order.OrderJSON) { j.Side = "buy" }},
		{"side number", func(j *order.OrderJSON) { j.Side = "0" }},
		{"signatureType 4", func(j *order.OrderJSON) { j.SignatureType = 4 }},
		{"signatureType -1", func(j *order.OrderJSON) { j.SignatureType = -1 }},
		{"metadata short", func(j *order.OrderJSON) { j.Metadata = "0x" + z64[:62] }},
		{"metadata long", func(j *order.OrderJSON) { j.Metadata = "0x" + z64 + "00" }},
		{"builder no 0x", func(j *order.OrderJSON) { j.Builder = z64 }},
		{"signature empty", func(j *order.OrderJSON) { j.Signature = "0x" }},
		{"signature not hex", func(j *order.OrderJSON) { j.Signature = "0xzz" }},
		{"signature odd", func(j *order.OrderJSON) { j.Signature = "0xabc" }},
	}
	for _, tt := range tests {
		j := good
		tt.edit(&j)
		if _, _, err := order.FromJSON(j); !errors.Is(err, order.ErrInvalidOrder) {
			t.Errorf("%s: err = %v, want ErrInvalidOrder", tt.name, err)
		}
	}

	// Wire-level type errors are caught by encoding/json before FromJSON.
	for _, body := range []string{
		`{"salt":"123"}`, `{"salt":-1}`, `{"salt":1.5}`, `{"salt":1e3}`,
		`{"salt":18446744073709551616}`, `{"signatureType":"0"}`, `{"tokenId":1234}`,
	} {
		var j order.OrderJSON
		if err := json.Unmarshal([]byte(body), &j); err == nil {
			t.Errorf("json.Unmarshal(%s) accepted", body)
		}
	}
}

func TestNewSalt(t *testing.T) {
	t.Parallel()
	limit := new(big.Int).Lsh(big.NewInt(1), 53)
	seen := map[string]bool{}
	for range 1000 {
		s := order.NewSalt()
		if s.Sign() <= 0 || s.Cmp(limit) >= 0 {
			t.Fatalf("salt %s outside [1, 2^53)", s)
		}
		if seen[s.String()] {
			t.Fatalf("salt %s repeated", s)
		}
		seen[s.String()] = true
	}
}

// equalOrder compares orders by value (big.Int internals differ between
// equal numbers, so reflect.DeepEqual is not reliable).
func equalOrder(a, b *order.OrderV2) bool {
	eq := func(x, y *big.Int) bool { return (x == nil) == (y == nil) && (x == nil || x.Cmp(y) == 0) }
	return eq(a.Salt, b.Salt) && a.Maker == b.Maker && a.Signer == b.Signer && eq(a.TokenID, b.TokenID) &&
		eq(a.MakerAmount, b.MakerAmount) && eq(a.TakerAmount, b.TakerAmount) && a.Side == b.Side &&
		a.SignatureType == b.SignatureType && eq(a.Timestamp, b.Timestamp) && a.Metadata == b.Metadata &&
		a.Builder == b.Builder && eq(a.Expiration, b.Expiration)
}
