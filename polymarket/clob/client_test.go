package clob_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/clob"
	"github.com/vig-bot/vig/polymarket/order"
)

// A venue that moved to exchange version 3: the first order (signed for
// version 2) gets order_version_mismatch; the client re-reads /version,
// re-signs for version 3 and posts exactly once more.
func TestVersionMismatchResignsOnce(t *testing.T) {
	key, _ := crypto.GenerateKey()
	var version atomic.Int32
	version.Store(2)
	var posts atomic.Int32
	var signedFor []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/version":
			json.NewEncoder(w).Encode(map[string]int{"version": int(version.Load())})
		case "/order":
			posts.Add(1)
			body, _ := io.ReadAll(r.Body)
			var po order.PostOrder
			if err := json.Unmarshal(body, &po); err != nil {
				w.WriteHeader(400)
				return
			}
			o, sig, err := order.FromJSON(po.Order)
			if err != nil {
				w.WriteHeader(400)
				return
			}
			got := 0
			for _, v := range []int{2, 3} {
				ex, _ := order.ExchangeFor(137, v, false)
				if order.VerifyV2(o, sig, 137, ex, v) == nil {
					got = v
				}
			}
			signedFor = append(signedFor, got)
			version.Store(3) // the venue switched
			if got != 3 {
				w.WriteHeader(400)
				w.Write([]byte(`{"error":"order_version_mismatch"}`))
				return
			}
			w.Write([]byte(`{"success":true,"orderID":"0xabc","status":"live","makingAmount":"0","takingAmount":"0"}`))
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	neg := false
	c := clob.New(clob.Config{BaseURL: srv.URL, Key: key, ChainID: 137,
		Creds: &order.Creds{APIKey: "k", Secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", Passphrase: "p"}})
	resp, err := c.PostOrder(context.Background(), clob.OrderArgs{TokenID: "1234", Side: order.Buy, Price: 500_000, Size: 10_000_000,
		Type: order.GTC, TickSize: order.Tick0_01, NegRisk: &neg})
	if err != nil || resp.OrderID != "0xabc" {
		t.Fatalf("PostOrder = %+v, %v", resp, err)
	}
	if got := posts.Load(); got != 2 {
		t.Errorf("POSTs = %d, want 2 (one re-signed retry)", got)
	}
	if len(signedFor) != 2 || signedFor[0] != 2 || signedFor[1] != 3 {
		t.Errorf("signed for versions %v, want [2 3]", signedFor)
	}
}

// Any other failure of an order POST is returned as is, never retried.
func TestOrderPostNeverRetried(t *testing.T) {
	key, _ := crypto.GenerateKey()
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/version" {
			w.Write([]byte(`{"version":2}`))
			return
		}
		posts.Add(1)
		w.WriteHeader(503)
		w.Write([]byte(`{"error":"upstream timeout"}`))
	}))
	defer srv.Close()
	neg := false
	c := clob.New(clob.Config{BaseURL: srv.URL, Key: key, Creds: &order.Creds{APIKey: "k", Secret: "AAAA", Passphrase: "p"}})
	c.Endpoint().Sleep = func(context.Context, time.Duration) error { t.Error("slept: an order POST was retried"); return nil }
	_, err := c.PostOrder(context.Background(), clob.OrderArgs{TokenID: "1", Side: order.Sell, Price: 900_000, Size: 5_000_000,
		Type: order.FOK, TickSize: order.Tick0_01, NegRisk: &neg})
	if !errors.Is(err, polymarket.ErrUnavailable) || posts.Load() != 1 {
		t.Fatalf("err = %v after %d POSTs, want ErrUnavailable after 1", err, posts.Load())
	}
}

func TestClientRefusesUnsafeInput(t *testing.T) {
	key, _ := crypto.GenerateKey()
	c := clob.New(clob.Config{BaseURL: "http://127.0.0.1:1", Key: key, Creds: &order.Creds{APIKey: "k", Secret: "AAAA", Passphrase: "p"}})
	neg := false
	for name, a := range map[string]clob.OrderArgs{
		"off tick":         {TokenID: "1", Side: order.Buy, Price: 505_000, Size: 5_000_000, Type: order.GTC, TickSize: order.Tick0_01, NegRisk: &neg},
		"post-only FOK":    {TokenID: "1", Side: order.Buy, Price: 500_000, Size: 5_000_000, Type: order.FOK, PostOnly: true, TickSize: order.Tick0_01, NegRisk: &neg},
		"GTD without time": {TokenID: "1", Side: order.Buy, Price: 500_000, Size: 5_000_000, Type: order.GTD, TickSize: order.Tick0_01, NegRisk: &neg},
		"bad token":        {TokenID: "0xzz", Side: order.Buy, Price: 500_000, Size: 5_000_000, Type: order.GTC, TickSize: order.Tick0_01, NegRisk: &neg},
		"bad type":         {TokenID: "1", Side: order.Buy, Price: 500_000, Size: 5_000_000, Type: "IOC", TickSize: order.Tick0_01, NegRisk: &neg},
	} {
		if _, err := c.Build(context.Background(), a); err == nil {
			t.Errorf("%s: built", name)
		}
	}
	if _, err := c.CancelMarket(context.Background(), "", ""); err == nil || !strings.Contains(err.Error(), "account-wide") {
		t.Errorf("empty CancelMarket: %v", err)
	}
}
