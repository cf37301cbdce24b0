package clob

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/internal/jsonx"
)

// dec is a venue decimal that may arrive as a JSON string ("0.45") or a
// number (0.01). It is parsed from its text, never through float64.
type dec struct {
	v   vig.Micros
	set bool
}

func (d *dec) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" || s == `""` {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = strings.TrimSpace(str)
	}
	m, err := jsonx.ParseDecimal(s) // exact, half-even beyond 6 decimals
	if err != nil {
		return fmt.Errorf("bad decimal %q: %w", bound(s), err)
	}
	d.v, d.set = m, true
	return nil
}

func bound(s string) string { return polymarket.Truncate(s, 40) }

// Level is one price level of a book.
type Level struct {
	Price vig.Micros
	Size  vig.Micros
}

// Book is an order book with levels sorted explicitly, best first: bids by
// descending price, asks by ascending price. (The venue sends the best level
// LAST; the ancestor read its books backwards by trusting array order.)
type Book struct {
	Market         string // condition id
	AssetID        string // token id
	Timestamp      time.Time
	Hash           string
	Bids, Asks     []Level
	MinOrderSize   vig.Micros
	TickSize       vig.Micros
	NegRisk        bool
	LastTradePrice vig.Micros
}

// BestBid returns the highest bid.
func (b Book) BestBid() (Level, bool) {
	if len(b.Bids) == 0 {
		return Level{}, false
	}
	return b.Bids[0], true
}

// BestAsk returns the lowest ask.
func (b Book) BestAsk() (Level, bool) {
	if len(b.Asks) == 0 {
		return Level{}, false
	}
	return b.Asks[0], true
}

type wireLevel struct {
	Price dec `json:"price"`
	Size  dec `json:"size"`
}

type wireBook struct {
	Market         string          `json:"market"`
	AssetID        string          `json:"asset_id"`
	Timestamp      json.RawMessage `json:"timestamp"`
	Hash           string          `json:"hash"`
	Bids           []wireLevel     `json:"bids"`
	Asks           []wireLevel     `json:"asks"`
	MinOrderSize   dec             `json:"min_order_size"`
	TickSize       dec             `json:"tick_size"`
	NegRisk        bool            `json:"neg_risk"`
	LastTradePrice dec             `json:"last_trade_price"`
}

func (w wireBook) book() (Book, error) {
	if w.AssetID == "" {
		return Book{}, fmt.Errorf("book without asset_id")
	}
	b := Book{Market: w.Market, AssetID: w.AssetID, Hash: w.Hash, MinOrderSize: w.MinOrderSize.v, TickSize: w.TickSize.v,
		NegRisk: w.NegRisk, LastTradePrice: w.LastTradePrice.v}
	if ms, ok := atoi(w.Timestamp); ok && ms > 0 {
		b.Timestamp = time.UnixMilli(ms).UTC() // epoch milliseconds, usually a string
	}
	conv := func(ls []wireLevel) ([]Level, error) {
		out := make([]Level, 0, len(ls))
		for _, l := range ls {
			if !l.Price.set || !l.Size.set {
				return nil, fmt.Errorf("level without price or size")
			}
			if l.Price.v <= 0 || l.Price.v >= 1_000_000 || l.Size.v < 0 {
				return nil, fmt.Errorf("level out of range: price %v size %v", l.Price.v, l.Size.v)
			}
			if l.Size.v == 0 {
				continue
			}
			out = append(out, Level{Price: l.Price.v, Size: l.Size.v})
		}
		return out, nil
	}
	var err error
	if b.Bids, err = conv(w.Bids); err != nil {
		return Book{}, err
	}
	if b.Asks, err = conv(w.Asks); err != nil {
		return Book{}, err
	}
	sort.SliceStable(b.Bids, func(i, j int) bool { return b.Bids[i].Price > b.Bids[j].Price })
	sort.SliceStable(b.Asks, func(i, j int) bool { return b.Asks[i].Price < b.Asks[j].Price })
	return b, nil
}

// DecodeBook decodes a /book answer. Malformed input is an error wrapping
// polymarket.ErrMalformed, never a panic or a half-read book.
func DecodeBook(body []byte) (Book, error) {
	var w wireBook
	if err := json.Unmarshal(body, &w); err != nil {
		return Book{}, malformed("/book", err)
	}
	b, err := w.book()
	if err != nil {
		return Book{}, malformed("/book", err)
	}
	return b, nil
}

// DecodeBooks decodes a /books answer.
func DecodeBooks(body []byte) ([]Book, error) {
	var ws []wireBook
	if err := json.Unmarshal(body, &ws); err != nil {
		return nil, malformed("/books", err)
	}
	out := make([]Book, 0, len(ws))
	for _, w := range ws {
		b, err := w.book()
		if err != nil {
			return nil, malformed("/books", err)
		}
		out = append(out, b)
	}
	return out, nil
}

func malformed(path string, err error) error {
	return &polymarket.APIError{Kind: polymarket.ErrMalformed, Method: "GET", Path: path, Status: 200, Message: bound2(err.Error())}
}

func bound2(s string) string { return polymarket.Truncate(s, 200) }

// DecodePrice decodes {"price": "0.45"}.
func DecodePrice(body []byte) (vig.Micros, error) {
	var w struct {
		Price dec `json:"price"`
	}
	if err := json.Unmarshal(body, &w); err != nil || !w.Price.set {
		return 0, malformed("/price", fmt.Errorf("want {\"price\": …}: %v", err))
	}
	return w.Price.v, nil
}

// DecodeMidpoint decodes {"mid_price": "0.45"} (current docs) or
// {"mid": "0.45"} (older clients).
func DecodeMidpoint(body []byte) (vig.Micros, error) {
	var w struct {
		MidPrice dec `json:"mid_price"`
		Mid      dec `json:"mid"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return 0, malformed("/midpoint", err)
	}
	switch {
	case w.MidPrice.set:
		return w.MidPrice.v, nil
	case w.Mid.set:
		return w.Mid.v, nil
	}
	return 0, malformed("/midpoint", fmt.Errorf("neither mid_price nor mid"))
}

// DecodeTickSize decodes {"minimum_tick_size": 0.01} and checks it is one of
// the venue's tick sizes.
func DecodeTickSize(body []byte) (vig.Micros, error) {
	var w struct {
		Tick dec `json:"minimum_tick_size"`
	}
	if err := json.Unmarshal(body, &w); err != nil || !w.Tick.set {
		return 0, malformed("/tick-size", fmt.Errorf("want {\"minimum_tick_size\": …}: %v", err))
	}
	switch w.Tick.v {
	case 100_000, 10_000, 5_000, 2_500, 1_000, 100:
		return w.Tick.v, nil
	}
	return 0, malformed("/tick-size", fmt.Errorf("unknown tick size %v", w.Tick.v))
}

// MarketToken is one outcome token of a CLOB market.
type MarketToken struct {
	TokenID string
	Outcome string
	Price   vig.Micros
	Winner  bool
}

// Market is a CLOB /markets/{condition_id} answer.
type Market struct {
	ConditionID     string
	QuestionID      string
	Question        string
	Tokens          []MarketToken
	MinOrderSize    vig.Micros
	TickSize        vig.Micros
	NegRisk         bool
	AcceptingOrders bool
	Active          bool
	Closed          bool
	EndDate         time.Time
}

// DecodeMarket decodes a CLOB market.
func DecodeMarket(body []byte) (Market, error) {
	var w struct {
		ConditionID string `json:"condition_id"`
		QuestionID  string `json:"question_id"`
		Question    string `json:"question"`
		Tokens      []struct {
			TokenID string `json:"token_id"`
			Outcome string `json:"outcome"`
			Price   dec    `json:"price"`
			Winner  bool   `json:"winner"`
		} `json:"tokens"`
		MinOrderSize    dec    `json:"minimum_order_size"`
		TickSize        dec    `json:"minimum_tick_size"`
		NegRisk         bool   `json:"neg_risk"`
		AcceptingOrders bool   `json:"accepting_orders"`
		Active          bool   `json:"active"`
		Closed          bool   `json:"closed"`
		EndDateISO      string `json:"end_date_iso"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return Market{}, malformed("/markets", err)
	}
	if w.ConditionID == "" {
		return Market{}, malformed("/markets", fmt.Errorf("market without condition_id"))
	}
	m := Market{ConditionID: w.ConditionID, QuestionID: w.QuestionID, Question: w.Question, MinOrderSize: w.MinOrderSize.v,
		TickSize: w.TickSize.v, NegRisk: w.NegRisk, AcceptingOrders: w.AcceptingOrders, Active: w.Active, Closed: w.Closed}
	for _, t := range w.Tokens {
		if t.TokenID == "" {
			return Market{}, malformed("/markets", fmt.Errorf("token without token_id"))
		}
		m.Tokens = append(m.Tokens, MarketToken{TokenID: t.TokenID, Outcome: t.Outcome, Price: t.Price.v, Winner: t.Winner})
	}
	if w.EndDateISO != "" {
		if t, err := time.Parse(time.RFC3339, w.EndDateISO); err == nil {
			m.EndDate = t.UTC()
		} else if t, err := time.Parse("2006-01-02", w.EndDateISO); err == nil {
			m.EndDate = t.UTC()
		}
	}
	return m, nil
}

// atoiSat is atoi that saturates at MaxInt64 for all-digit values too big
// to hold (allowances are often the uint256 maximum).
func atoiSat(b json.RawMessage) (int64, bool) {
	if n, ok := atoi(b); ok {
		return n, true
	}
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return 1<<63 - 1, true
}

// atoi parses a decimal integer that may be quoted.
func atoi(b json.RawMessage) (int64, bool) {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
