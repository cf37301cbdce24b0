package sim

import "net/http"

// newHandler builds the whole API with its middleware, outermost first:
// faults, then Step, then the router (whose 404/405s are made JSON).
func (s *Sim) newHandler() http.Handler {
	mux := http.NewServeMux()
	s.addRoutes(mux)
	return s.withFaults(s.withStep(jsonErrors(mux)))
}

// addRoutes is the whole API surface. Phase 2 adds the authenticated CLOB
// trading endpoints (trading.go, auth.go) and the Data API (dataapi.go)
// here, each calling the engine methods documented in doc.go.
func (s *Sim) addRoutes(mux *http.ServeMux) {
	// Gamma (gamma.go)
	mux.HandleFunc("GET /gamma/markets", s.handleGammaMarkets)
	mux.HandleFunc("GET /gamma/markets/keyset", s.handleGammaMarketsKeyset)
	mux.HandleFunc("GET /gamma/markets/{id}", s.handleGammaMarket)
	mux.HandleFunc("GET /gamma/events", s.handleGammaEvents)
	mux.HandleFunc("GET /gamma/events/keyset", s.handleGammaEventsKeyset)
	mux.HandleFunc("GET /gamma/events/{id}", s.handleGammaEvent)

	// CLOB, public market data (clob.go)
	mux.HandleFunc("GET /clob", s.handleOK)
	mux.HandleFunc("GET /clob/{$}", s.handleOK)
	mux.HandleFunc("GET /clob/ok", s.handleOK)
	mux.HandleFunc("GET /clob/time", s.handleTime)
	mux.HandleFunc("GET /clob/version", s.handleVersion)
	mux.HandleFunc("GET /clob/book", s.handleBook)
	mux.HandleFunc("POST /clob/books", s.handleBooks)
	mux.HandleFunc("GET /clob/price", s.handlePrice)
	mux.HandleFunc("GET /clob/midpoint", s.handleMidpoint)
	mux.HandleFunc("GET /clob/spread", s.handleSpread)
	mux.HandleFunc("GET /clob/tick-size", s.handleTickSize)
	mux.HandleFunc("GET /clob/neg-risk", s.handleNegRisk)
	mux.HandleFunc("GET /clob/markets", s.handleClobMarkets)
	mux.HandleFunc("GET /clob/markets/{condition_id}", s.handleClobMarket)

	// CLOB, authenticated (auth.go: L1 API keys, L2 HMAC; trading.go)
	t := newTradingAPI(s)
	mux.HandleFunc("POST /clob/auth/api-key", t.handleCreateAPIKey)
	mux.HandleFunc("GET /clob/auth/derive-api-key", t.handleDeriveAPIKey)
	mux.HandleFunc("GET /clob/auth/api-keys", t.l2(t.handleAPIKeys))
	mux.HandleFunc("DELETE /clob/auth/api-key", t.l2(t.handleDeleteAPIKey))
	mux.HandleFunc("POST /clob/order", t.l2(t.handlePostOrder))
	mux.HandleFunc("POST /clob/orders", t.l2(t.handlePostOrders))
	mux.HandleFunc("DELETE /clob/order", t.l2(t.handleCancelOrder))
	mux.HandleFunc("DELETE /clob/orders", t.l2(t.handleCancelOrders))
	mux.HandleFunc("DELETE /clob/cancel-market-orders", t.l2(t.handleCancelMarket))
	mux.HandleFunc("DELETE /clob/cancel-all", t.l2(t.handleCancelAll))
	mux.HandleFunc("GET /clob/data/order/{id}", t.l2(t.handleGetOrder))
	mux.HandleFunc("GET /clob/order/{id}", t.l2(t.handleGetOrder))
	mux.HandleFunc("GET /clob/data/orders", t.l2(t.handleOpenOrders))
	mux.HandleFunc("GET /clob/data/trades", t.l2(t.handleTrades))
	mux.HandleFunc("GET /clob/balance-allowance", t.l2(t.handleBalance))
	mux.HandleFunc("GET /clob/balance-allowance/update", t.l2(t.handleBalance))
	mux.HandleFunc("POST /clob/v1/heartbeats", t.l2(t.handleHeartbeat))

	// Data API, public (dataapi.go)
	mux.HandleFunc("GET /data/positions", s.handleDataPositions)
	mux.HandleFunc("GET /data/closed-positions", s.handleDataClosedPositions)
	mux.HandleFunc("GET /data/activity", s.handleDataActivity)
	mux.HandleFunc("GET /data/value", s.handleDataValue)

	// Geoblock (polymarket.com/api/geoblock on the real venue)
	mux.HandleFunc("GET /geoblock", s.handleGeoblock)

	// Admin, for tests and demos (admin.go); never faulted
	mux.HandleFunc("GET /admin/faults", s.handleGetFaults)
	mux.HandleFunc("PUT /admin/faults", s.handlePutFaults)
	mux.HandleFunc("POST /admin/advance", s.handleAdvance)
	mux.HandleFunc("GET /admin/state", s.handleState)
}

// withStep advances the world before every request.
func (s *Sim) withStep(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Step()
		next.ServeHTTP(w, r)
	})
}
