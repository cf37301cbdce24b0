package clob

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vig-bot/vig"
)

// OrderStatus is an order's state, normalised: the venue answers POST
// /order in lower case ("matched", "live") and GET order in upper case,
// sometimes prefixed ("ORDER_STATUS_LIVE"). The ancestor compared "MATCHED"
// against "matched" and "CANCELLED" against "CANCELED" and got both wrong.
type OrderStatus string

// Order statuses.
const (
	StatusLive                   OrderStatus = "LIVE"
	StatusMatched                OrderStatus = "MATCHED"
	StatusDelayed                OrderStatus = "DELAYED"
	StatusUnmatched              OrderStatus = "UNMATCHED"
	StatusCanceled               OrderStatus = "CANCELED"
	StatusCanceledMarketResolved OrderStatus = "CANCELED_MARKET_RESOLVED"
	StatusInvalid                OrderStatus = "INVALID"
)

// NormalizeStatus maps any spelling the venue uses to an OrderStatus.
func NormalizeStatus(s string) OrderStatus {
	u := strings.ToUpper(strings.TrimSpace(s))
	u = strings.TrimPrefix(u, "ORDER_STATUS_")
	if u == "CANCELLED" {
		u = "CANCELED"
	}
	return OrderStatus(u)
}

// Done reports whether the order can no longer fill.
func (s OrderStatus) Done() bool {
	switch s {
	case StatusMatched, StatusCanceled, StatusCanceledMarketResolved, StatusInvalid, StatusUnmatched:
		return true
	}
	return false
}

// OrderResponse is the answer to POST /order.
type OrderResponse struct {
	Success           bool
	ErrorMsg          string
	OrderID           string
	Status            OrderStatus
	MakingAmount      vig.Micros
	TakingAmount      vig.Micros
	TransactionHashes []string
}

type wireOrderResponse struct {
	Success           bool     `json:"success"`
	ErrorMsg          string   `json:"errorMsg"`
	OrderID           string   `json:"orderID"`
	Status            string   `json:"status"`
	MakingAmount      dec      `json:"makingAmount"`
	TakingAmount      dec      `json:"takingAmount"`
	TransactionHashes []string `json:"transactionsHashes"`
}

func (w wireOrderResponse) resp() OrderResponse {
	return OrderResponse{Success: w.Success, ErrorMsg: w.ErrorMsg, OrderID: w.OrderID, Status: NormalizeStatus(w.Status),
		MakingAmount: w.MakingAmount.v, TakingAmount: w.TakingAmount.v, TransactionHashes: w.TransactionHashes}
}

// DecodeOrderResponse decodes a POST /order answer.
func DecodeOrderResponse(body []byte) (OrderResponse, error) {
	var w wireOrderResponse
	if err := json.Unmarshal(body, &w); err != nil {
		return OrderResponse{}, malformed("/order", err)
	}
	if w.Success && w.OrderID == "" {
		return OrderResponse{}, malformed("/order", fmt.Errorf("success without orderID"))
	}
	return w.resp(), nil
}

// DecodeOrderResponses decodes a POST /orders answer.
func DecodeOrderResponses(body []byte) ([]OrderResponse, error) {
	var ws []wireOrderResponse
	if err := json.Unmarshal(body, &ws); err != nil {
		return nil, malformed("/orders", err)
	}
	out := make([]OrderResponse, len(ws))
	for i, w := range ws {
		if w.Success && w.OrderID == "" {
			return nil, malformed("/orders", fmt.Errorf("success without orderID"))
		}
		out[i] = w.resp()
	}
	return out, nil
}

// Order is an order as GET /order and /data/orders report it.
type Order struct {
	ID           string
	Status       OrderStatus
	Owner        string
	MakerAddress string
	Market       string
	AssetID      string
	Side         string
	OriginalSize vig.Micros
	SizeMatched  vig.Micros
	Price        vig.Micros
	Outcome      string
	Expiration   int64
	OrderType    string
	Trades       []string
	CreatedAt    time.Time
}

type wireOrder struct {
	ID              string          `json:"id"`
	Status          string          `json:"status"`
	Owner           string          `json:"owner"`
	MakerAddress    string          `json:"maker_address"`
	Market          string          `json:"market"`
	AssetID         string          `json:"asset_id"`
	Side            string          `json:"side"`
	OriginalSize    dec             `json:"original_size"`
	SizeMatched     dec             `json:"size_matched"`
	Price           dec             `json:"price"`
	Outcome         string          `json:"outcome"`
	Expiration      json.RawMessage `json:"expiration"`
	OrderType       string          `json:"order_type"`
	AssociateTrades []string        `json:"associate_trades"`
	CreatedAt       json.RawMessage `json:"created_at"`
}

func (w wireOrder) order() (Order, error) {
	if w.ID == "" {
		return Order{}, fmt.Errorf("order without id")
	}
	side := strings.ToUpper(w.Side)
	if side != "BUY" && side != "SELL" {
		return Order{}, fmt.Errorf("order %s: unknown side %q", bound(w.ID), bound(w.Side))
	}
	if w.SizeMatched.v > w.OriginalSize.v || w.SizeMatched.v < 0 {
		return Order{}, fmt.Errorf("order %s: size_matched exceeds original_size", bound(w.ID))
	}
	o := Order{ID: w.ID, Status: NormalizeStatus(w.Status), Owner: w.Owner, MakerAddress: w.MakerAddress, Market: w.Market,
		AssetID: w.AssetID, Side: side, OriginalSize: w.OriginalSize.v, SizeMatched: w.SizeMatched.v, Price: w.Price.v,
		Outcome: w.Outcome, OrderType: w.OrderType, Trades: w.AssociateTrades}
	o.Expiration, _ = atoi(w.Expiration)
	if sec, ok := atoi(w.CreatedAt); ok {
		o.CreatedAt = time.Unix(sec, 0).UTC()
	}
	return o, nil
}

// DecodeOrder decodes GET /order/{id}.
func DecodeOrder(body []byte) (Order, error) {
	var w wireOrder
	if err := json.Unmarshal(body, &w); err != nil {
		return Order{}, malformed("/order", err)
	}
	o, err := w.order()
	if err != nil {
		return Order{}, malformed("/order", err)
	}
	return o, nil
}

// page is a cursor-paginated answer.
type page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// EndCursor marks the last page of a cursor-paginated list.
const EndCursor = "LTE="

// DecodeOrders decodes one page of /data/orders.
func DecodeOrders(body []byte) ([]Order, string, error) {
	var p page[wireOrder]
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, "", malformed("/data/orders", err)
	}
	out := make([]Order, 0, len(p.Data))
	for _, w := range p.Data {
		o, err := w.order()
		if err != nil {
			return nil, "", malformed("/data/orders", err)
		}
		out = append(out, o)
	}
	return out, p.NextCursor, nil
}

// Trade is one fill as /data/trades reports it.
type Trade struct {
	ID              string
	TakerOrderID    string
	Market          string
	AssetID         string
	Side            string
	Size            vig.Micros
	Price           vig.Micros
	FeeRateBps      int64
	Status          string // MATCHED, MINED, CONFIRMED, RETRYING, FAILED
	MatchTime       time.Time
	LastUpdate      time.Time
	Outcome         string
	Owner           string
	MakerAddress    string
	TraderSide      string // TAKER or MAKER
	TransactionHash string
	MakerOrders     []MakerOrder
}

// MakerOrder is a resting order a trade filled.
type MakerOrder struct {
	OrderID       string
	Owner         string
	MakerAddress  string
	MatchedAmount vig.Micros
	Price         vig.Micros
	AssetID       string
	Outcome       string
}

// DecodeTrades decodes one page of /data/trades.
func DecodeTrades(body []byte) ([]Trade, string, error) {
	type wireMaker struct {
		OrderID       string `json:"order_id"`
		Owner         string `json:"owner"`
		MakerAddress  string `json:"maker_address"`
		MatchedAmount dec    `json:"matched_amount"`
		Price         dec    `json:"price"`
		AssetID       string `json:"asset_id"`
		Outcome       string `json:"outcome"`
	}
	type wireTrade struct {
		ID              string          `json:"id"`
		TakerOrderID    string          `json:"taker_order_id"`
		Market          string          `json:"market"`
		AssetID         string          `json:"asset_id"`
		Side            string          `json:"side"`
		Size            dec             `json:"size"`
		Price           dec             `json:"price"`
		FeeRateBps      json.RawMessage `json:"fee_rate_bps"`
		Status          string          `json:"status"`
		MatchTime       json.RawMessage `json:"match_time"`
		LastUpdate      json.RawMessage `json:"last_update"`
		Outcome         string          `json:"outcome"`
		Owner           string          `json:"owner"`
		MakerAddress    string          `json:"maker_address"`
		TraderSide      string          `json:"trader_side"`
		TransactionHash string          `json:"transaction_hash"`
		MakerOrders     []wireMaker     `json:"maker_orders"`
	}
	var p page[wireTrade]
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, "", malformed("/data/trades", err)
	}
	out := make([]Trade, 0, len(p.Data))
	for _, w := range p.Data {
		if w.ID == "" || !w.Size.set || !w.Price.set {
			return nil, "", malformed("/data/trades", fmt.Errorf("trade without id, size or price"))
		}
		t := Trade{ID: w.ID, TakerOrderID: w.TakerOrderID, Market: w.Market, AssetID: w.AssetID, Side: strings.ToUpper(w.Side),
			Size: w.Size.v, Price: w.Price.v, Status: strings.ToUpper(strings.TrimPrefix(strings.ToUpper(w.Status), "TRADE_STATUS_")),
			Outcome: w.Outcome, Owner: w.Owner, MakerAddress: w.MakerAddress, TraderSide: strings.ToUpper(w.TraderSide), TransactionHash: w.TransactionHash}
		t.FeeRateBps, _ = atoi(w.FeeRateBps)
		if s, ok := atoi(w.MatchTime); ok {
			t.MatchTime = time.Unix(s, 0).UTC()
		}
		if s, ok := atoi(w.LastUpdate); ok {
			t.LastUpdate = time.Unix(s, 0).UTC()
		}
		for _, m := range w.MakerOrders {
			t.MakerOrders = append(t.MakerOrders, MakerOrder{OrderID: m.OrderID, Owner: m.Owner, MakerAddress: m.MakerAddress,
				MatchedAmount: m.MatchedAmount.v, Price: m.Price.v, AssetID: m.AssetID, Outcome: m.Outcome})
		}
		out = append(out, t)
	}
	return out, p.NextCursor, nil
}

// CancelResponse is the answer to the cancel calls.
type CancelResponse struct {
	Canceled    []string
	NotCanceled map[string]string
}

// DecodeCancel decodes {"canceled": […], "not_canceled": {id: reason}}.
func DecodeCancel(body []byte) (CancelResponse, error) {
	var w struct {
		Canceled    []string          `json:"canceled"`
		NotCanceled map[string]string `json:"not_canceled"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return CancelResponse{}, malformed("/order", err)
	}
	return CancelResponse{Canceled: w.Canceled, NotCanceled: w.NotCanceled}, nil
}

// Balance is a balance-allowance answer in 6-decimal units.
type Balance struct {
	Balance   vig.Micros
	Allowance vig.Micros
}

// DecodeBalance decodes {"balance": "…", "allowance": "…"}; the venue
// reports base units (6 decimals), so "1000000" is 1.00.
func DecodeBalance(body []byte) (Balance, error) {
	var w struct {
		Balance    json.RawMessage            `json:"balance"`
		Allowance  json.RawMessage            `json:"allowance"`
		Allowances map[string]json.RawMessage `json:"allowances"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return Balance{}, malformed("/balance-allowance", err)
	}
	bal, ok := atoi(w.Balance)
	if !ok || bal < 0 {
		return Balance{}, malformed("/balance-allowance", fmt.Errorf("balance is not a whole number of base units"))
	}
	b := Balance{Balance: vig.Micros(bal)}
	if a, ok := atoiSat(w.Allowance); ok {
		b.Allowance = vig.Micros(a)
	} else {
		// Newer answers list an allowance per spender; the smallest binds.
		first := true
		for _, raw := range w.Allowances {
			if a, ok := atoiSat(raw); ok && (first || vig.Micros(a) < b.Allowance) {
				b.Allowance, first = vig.Micros(a), false
			}
		}
	}
	return b, nil
}
