package sim

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/vig-bot/vig"
)

// maxBatch is how many token ids POST /books accepts.
const maxBatch = 500

// clobPageSize is how many markets one page of GET /markets holds.
const clobPageSize = 1000

type levelJSON struct {
	Price string `json:"price"`
	Size  string `json:"size"`
}

// bookJSON is GET /book's answer, fields in the Go server's order (the
// hash depends on it). Every number is a string; the best level is last.
type bookJSON struct {
	Market         string      `json:"market"`
	AssetID        string      `json:"asset_id"`
	Timestamp      string      `json:"timestamp"`
	Hash           string      `json:"hash"`
	Bids           []levelJSON `json:"bids"`
	Asks           []levelJSON `json:"asks"`
	MinOrderSize   string      `json:"min_order_size"`
	TickSize       string      `json:"tick_size"`
	NegRisk        bool        `json:"neg_risk"`
	LastTradePrice string      `json:"last_trade_price"`
}

type clobToken struct {
	TokenID string      `json:"token_id"`
	Outcome string      `json:"outcome"`
	Price   json.Number `json:"price"`
	Winner  bool        `json:"winner"`
}

type clobRewards struct {
	Rates     any         `json:"rates"`
	MinSize   json.Number `json:"min_size"`
	MaxSpread json.Number `json:"max_spread"`
}

// clobMarket is GET /markets/{condition_id}'s answer.
type clobMarket struct {
	EnableOrderBook         bool        `json:"enable_order_book"`
	Active                  bool        `json:"active"`
	Closed                  bool        `json:"closed"`
	Archived                bool        `json:"archived"`
	AcceptingOrders         bool        `json:"accepting_orders"`
	AcceptingOrderTimestamp string      `json:"accepting_order_timestamp"`
	MinimumOrderSize        json.Number `json:"minimum_order_size"`
	MinimumTickSize         json.Number `json:"minimum_tick_size"`
	ConditionID             string      `json:"condition_id"`
	QuestionID              string      `json:"question_id"`
	Question                string      `json:"question"`
	Description             string      `json:"description"`
	MarketSlug              string      `json:"market_slug"`
	EndDateISO              string      `json:"end_date_iso"`
	GameStartTime           *string     `json:"game_start_time"`
	SecondsDelay            int         `json:"seconds_delay"`
	FPMM                    string      `json:"fpmm"`
	MakerBaseFee            int         `json:"maker_base_fee"`
	TakerBaseFee            int         `json:"taker_base_fee"`
	NotificationsEnabled    bool        `json:"notifications_enabled"`
	NegRisk                 bool        `json:"neg_risk"`
	NegRiskMarketID         string      `json:"neg_risk_market_id"`
	NegRiskRequestID        string      `json:"neg_risk_request_id"`
	Icon                    string      `json:"icon"`
	Image                   string      `json:"image"`
	Rewards                 clobRewards `json:"rewards"`
	Is5050Outcome           bool        `json:"is_50_50_outcome"`
	Tokens                  []clobToken `json:"tokens"`
	Tags                    []string    `json:"tags"`
}

// validTokenID reports whether id looks like a token id (a decimal uint256).
func validTokenID(id string) bool {
	if id == "" || len(id) > 78 {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// bookToken returns the token whose book a market-data call asks for:
// 400 for a malformed id, 404 for an unknown token or a closed market. The
// caller holds s.mu; the book is touched.
func (s *Sim) bookToken(id string) (*token, *Error) {
	if !validTokenID(id) {
		return nil, &Error{http.StatusBadRequest, MsgInvalidTokenID}
	}
	t := s.tokenByID[id]
	if t == nil || t.closed() {
		return nil, &Error{http.StatusNotFound, MsgNoOrderbook}
	}
	s.touch(t)
	return t, nil
}

// marketToken returns the token a market-metadata call asks for (closed
// markets included): 400 malformed, 404 MsgMarketNotFound.
func (s *Sim) marketToken(id string) (*token, *Error) {
	if !validTokenID(id) {
		return nil, &Error{http.StatusBadRequest, MsgInvalidTokenID}
	}
	t := s.tokenByID[id]
	if t == nil {
		return nil, &Error{http.StatusNotFound, MsgMarketNotFound}
	}
	return t, nil
}

// renderBook returns t's book, best levels last, with its SHA-1 hash.
func (s *Sim) renderBook(t *token) bookJSON {
	b := t.book
	out := bookJSON{
		Market: t.m.conditionID, AssetID: t.id, Timestamp: strconv.FormatInt(s.now.UnixMilli(), 10),
		Bids: make([]levelJSON, 0, len(b.bids)), Asks: make([]levelJSON, 0, len(b.asks)),
		MinOrderSize: dec(t.m.minSize), TickSize: dec(t.m.ev.tick), NegRisk: t.m.ev.negRisk,
		LastTradePrice: dec(t.lastTrade),
	}
	for i := len(b.bids) - 1; i >= 0; i-- {
		out.Bids = append(out.Bids, levelJSON{dec(b.bids[i].price), dec(b.bids[i].size())})
	}
	for i := len(b.asks) - 1; i >= 0; i-- {
		out.Asks = append(out.Asks, levelJSON{dec(b.asks[i].price), dec(b.asks[i].size())})
	}
	sum := sha1.Sum(marshal(out))
	out.Hash = hex.EncodeToString(sum[:])
	return out
}

func (s *Sim) handleOK(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, "OK")
}

func (s *Sim) handleTime(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Now().Unix())
}

func (s *Sim) handleVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]int{"version": 2})
}

func (s *Sim) handleBook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, err := s.bookToken(r.URL.Query().Get("token_id"))
	var out bookJSON
	if err == nil {
		out = s.renderBook(t)
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleBooks answers POST /books with the books of the known, open tokens
// among the request's, in request order; others are skipped.
func (s *Sim) handleBooks(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req []struct {
		TokenID string `json:"token_id"`
	}
	if err != nil || json.Unmarshal(body, &req) != nil {
		writeError(w, http.StatusBadRequest, MsgInvalidPayload)
		return
	}
	if len(req) > maxBatch {
		writeError(w, http.StatusBadRequest, MsgPayloadTooLarge)
		return
	}
	s.mu.Lock()
	out := make([]bookJSON, 0, len(req))
	for _, q := range req {
		if t, err := s.bookToken(q.TokenID); err == nil {
			out = append(out, s.renderBook(t))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// handlePrice answers the best price for a side: BUY is the best ask (what
// a buyer pays), SELL the best bid.
func (s *Sim) handlePrice(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("token_id")
	if !validTokenID(id) {
		writeError(w, http.StatusBadRequest, MsgInvalidTokenID)
		return
	}
	var sd side
	switch strings.ToUpper(q.Get("side")) {
	case "BUY":
		sd = sideSell
	case "SELL":
		sd = sideBuy
	default:
		writeError(w, http.StatusBadRequest, MsgInvalidSide)
		return
	}
	s.mu.Lock()
	t, err := s.bookToken(id)
	var p vig.Micros
	if err == nil {
		p, _ = t.book.best(sd)
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"price": dec(p)})
}

func (s *Sim) handleMidpoint(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, err := s.bookToken(r.URL.Query().Get("token_id"))
	var mid vig.Micros
	if err == nil {
		mid, _ = t.book.mid()
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	key := "mid_price"
	if activeFaults(r.Context()).LegacyMid {
		key = "mid"
	}
	writeJSON(w, http.StatusOK, map[string]string{key: dec(mid)})
}

func (s *Sim) handleSpread(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, err := s.bookToken(r.URL.Query().Get("token_id"))
	var spread vig.Micros
	if err == nil {
		bid, okb := t.book.best(sideBuy)
		ask, oka := t.book.best(sideSell)
		if okb && oka {
			spread = ask - bid
		}
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"spread": dec(spread)})
}

func (s *Sim) handleTickSize(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, err := s.marketToken(r.URL.Query().Get("token_id"))
	var tick vig.Micros
	if err == nil {
		tick = t.m.ev.tick
	}
	s.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]json.Number{"minimum_tick_size": num(tick)})
}

func (s *Sim) handleNegRisk(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, err := s.marketToken(r.URL.Query().Get("token_id"))
	negRisk := err == nil && t.m.ev.negRisk
	s.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"neg_risk": negRisk})
}

// renderClobMarket returns m as the CLOB's /markets shows it. The caller
// holds s.mu.
func (s *Sim) renderClobMarket(m *market) clobMarket {
	e := m.ev
	cm := clobMarket{
		EnableOrderBook: true, Active: true, Closed: e.closed, AcceptingOrders: !e.closed,
		AcceptingOrderTimestamp: isoTime(e.created), MinimumOrderSize: num(m.minSize), MinimumTickSize: num(e.tick),
		ConditionID: m.conditionID, QuestionID: m.questionID, Question: m.question, Description: m.description,
		MarketSlug: m.slug, EndDateISO: isoTime(e.end), SecondsDelay: 0, NegRisk: e.negRisk,
		NegRiskMarketID: e.negRiskMarketID, NegRiskRequestID: m.negRiskRequestID,
		Icon: imageBase + e.cat.slug + ".png", Image: imageBase + e.cat.slug + ".png",
		Rewards: clobRewards{MinSize: num(m.rewardsMinSize), MaxSpread: num(m.rewardsSpread)},
		Tokens:  make([]clobToken, 2), Tags: make([]string, len(e.tags)),
	}
	for i, t := range m.tokens {
		cm.Tokens[i] = clobToken{TokenID: t.id, Outcome: t.outcome(), Price: num(s.curPrice(t)), Winner: e.resolved && m.winner == i}
	}
	for i, t := range e.tags {
		cm.Tags[i] = t.label
	}
	return cm
}

func (s *Sim) handleClobMarket(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("condition_id")
	if len(cid) != 66 || !strings.HasPrefix(cid, "0x") {
		writeError(w, http.StatusBadRequest, "Invalid market")
		return
	}
	s.mu.Lock()
	m := s.marketByCID[strings.ToLower(cid)]
	var out clobMarket
	if m != nil {
		out = s.renderClobMarket(m)
	}
	s.mu.Unlock()
	if m == nil {
		writeError(w, http.StatusNotFound, MsgMarketNotFound)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleClobMarkets answers GET /markets?next_cursor=…: every known market,
// oldest first, clobPageSize per page.
func (s *Sim) handleClobMarkets(w http.ResponseWriter, r *http.Request) {
	off, err := decodeCursor(r.URL.Query().Get("next_cursor"))
	if err != nil {
		writeErr(w, err)
		return
	}
	s.mu.Lock()
	var page []clobMarket
	next := EndCursor
	if off >= 0 && off < len(s.markets) {
		end := min(off+clobPageSize, len(s.markets))
		for _, m := range s.markets[off:end] {
			page = append(page, s.renderClobMarket(m))
		}
		if end < len(s.markets) {
			next = encodeCursor(end)
		}
	}
	s.mu.Unlock()
	if page == nil {
		page = []clobMarket{}
	}
	writeJSON(w, http.StatusOK, struct {
		Limit      int          `json:"limit"`
		Count      int          `json:"count"`
		NextCursor string       `json:"next_cursor"`
		Data       []clobMarket `json:"data"`
	}{clobPageSize, len(page), next, page})
}

// handleGeoblock answers like polymarket.com/api/geoblock: a Finnish
// address, or a US one under the Geoblocked fault.
func (s *Sim) handleGeoblock(w http.ResponseWriter, r *http.Request) {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || ip == "" {
		ip = "127.0.0.1"
	}
	out := struct {
		Blocked bool   `json:"blocked"`
		IP      string `json:"ip"`
		Country string `json:"country"`
		Region  string `json:"region"`
	}{false, ip, "FI", "18"}
	if activeFaults(r.Context()).Geoblocked {
		out.Blocked, out.Country, out.Region = true, "US", "NY"
	}
	writeJSON(w, http.StatusOK, out)
}
