package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/vig-bot/vig/clock"
)

// State is the summary GET /admin/state returns.
type State struct {
	Now             time.Time `json:"now"`
	Events          int       `json:"events"`
	OpenMarkets     int       `json:"open_markets"`
	ClosedMarkets   int       `json:"closed_markets"`   // closed, resolved or in dispute
	DisputedMarkets int       `json:"disputed_markets"` // closed, resolution pending
	ResolvedMarkets int       `json:"resolved_markets"`
	Accounts        int       `json:"accounts"`
	Orders          int       `json:"orders"`      // user orders known
	OpenOrders      int       `json:"open_orders"` // user orders resting
	Trades          int       `json:"trades"`      // trades with a user, ever
}

// State returns a summary of the world, advanced to Now().
func (s *Sim) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.advance()
	st := State{Now: now, Events: len(s.events), Accounts: len(s.accounts), Orders: len(s.orders), Trades: s.tradeCount}
	for _, m := range s.markets {
		e := m.ev
		switch {
		case !e.closed:
			st.OpenMarkets++
		case e.resolved:
			st.ClosedMarkets++
			st.ResolvedMarkets++
		default:
			st.ClosedMarkets++
			st.DisputedMarkets++
		}
	}
	for _, o := range s.orders {
		if o.status == StatusLive {
			st.OpenOrders++
		}
	}
	return st
}

func (s *Sim) handleGetFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Faults())
}

func (s *Sim) handlePutFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "cannot read body")
		return
	}
	var f Faults
	if err := json.Unmarshal(body, &f); err != nil {
		writeError(w, http.StatusBadRequest, "invalid faults: "+err.Error())
		return
	}
	s.SetFaults(f)
	writeJSON(w, http.StatusOK, s.Faults())
}

// handleAdvance moves a fake clock so that sim time advances by d
// (?d=90s): the clock moves d/Speed. It answers 400 for a real clock.
func (s *Sim) handleAdvance(w http.ResponseWriter, r *http.Request) {
	fake, ok := s.clk.(*clock.Fake)
	if !ok {
		writeError(w, http.StatusBadRequest, "the simulator runs on a real clock; only a fake clock can be advanced")
		return
	}
	d, err := time.ParseDuration(r.URL.Query().Get("d"))
	if err != nil || d < 0 {
		writeError(w, http.StatusBadRequest, "d must be a non-negative duration such as 90s")
		return
	}
	fake.Advance(time.Duration(float64(d) / s.cfg.Speed))
	writeJSON(w, http.StatusOK, s.State())
}

func (s *Sim) handleState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.State())
}
