package sim_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vig-bot/vig/sim"
)

func TestPaginationCoversAllOpenMarkets(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 1200})
	var st sim.State
	e.getJSON("/admin/state", &st)
	if st.OpenMarkets < 1200 {
		t.Fatalf("%d open markets", st.OpenMarkets)
	}
	collect := func(name string, next func(cursor string) ([]gm, string)) {
		t.Helper()
		seen := map[string]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("%s: too many pages", name)
			}
			ms, nc := next(cursor)
			for _, m := range ms {
				if seen[m.ID] {
					t.Fatalf("%s: market %s twice", name, m.ID)
				}
				if m.Closed {
					t.Fatalf("%s: closed market %s with closed=false", name, m.ID)
				}
				seen[m.ID] = true
			}
			if nc == "" {
				break
			}
			cursor = nc
		}
		if len(seen) != st.OpenMarkets {
			t.Errorf("%s: saw %d markets, want %d", name, len(seen), st.OpenMarkets)
		}
	}
	collect("offset", func(c string) ([]gm, string) {
		off, _ := strconv.Atoi(c)
		ms := e.markets("closed=false&limit=500&offset=" + strconv.Itoa(off))
		if len(ms) < 500 {
			return ms, ""
		}
		return ms, strconv.Itoa(off + 500)
	})
	for _, order := range []string{"", "&order=volume24hr&ascending=false", "&order=endDate,liquidityNum"} {
		collect("keyset"+order, func(c string) ([]gm, string) {
			var page struct {
				Markets    []gm    `json:"markets"`
				NextCursor *string `json:"next_cursor"`
			}
			e.getJSON("/gamma/markets/keyset?closed=false&limit=500"+order+"&after_cursor="+url.QueryEscape(c), &page)
			if page.NextCursor == nil {
				return page.Markets, ""
			}
			return page.Markets, *page.NextCursor
		})
	}

	code, body := e.get("/gamma/markets?offset=10001")
	wantError(t, "offset beyond the cap", code, body, http.StatusBadRequest, "offset must not exceed 10000: use /markets/keyset to page further")
	code, body = e.get("/gamma/markets/keyset?offset=10")
	wantError(t, "offset on keyset", code, body, http.StatusBadRequest, "offset is not supported by keyset pagination: use after_cursor")
	if ms := e.markets("limit=5000"); len(ms) != 500 {
		t.Errorf("limit=5000 returned %d markets, want the 500 cap", len(ms))
	}
	if ms := e.markets(""); len(ms) != 20 {
		t.Errorf("no limit returned %d markets, want the default 20", len(ms))
	}
}

func TestGammaFilters(t *testing.T) {
	e := newEnv(t, sim.Config{OpenMarkets: 300, CloseEvery: time.Minute})
	e.clk.Advance(10 * time.Minute)
	now := e.sim.Now()

	t.Run("EndDateWindow", func(t *testing.T) {
		lo, hi := now.Add(30*time.Minute), now.Add(60*time.Minute)
		ms := e.markets("limit=500&end_date_min=" + lo.Format(time.RFC3339) + "&end_date_max=" + hi.Format(time.RFC3339))
		ends := map[time.Time]bool{}
		for _, m := range ms {
			if m.EndDate.Before(lo) || m.EndDate.After(hi) {
				t.Errorf("market %s ends %v, outside %v–%v", m.ID, m.EndDate, lo, hi)
			}
			ends[m.EndDate] = true
		}
		if len(ends) != 31 {
			t.Errorf("%d distinct end dates in a 30-minute window with CloseEvery 1m, want 31", len(ends))
		}
	})
	t.Run("Closed", func(t *testing.T) {
		open, closed := e.markets("closed=false&limit=500"), e.markets("closed=true&limit=500")
		if len(closed) < 10 {
			t.Fatalf("%d closed markets after 10 minutes", len(closed))
		}
		for _, m := range open {
			if m.Closed || m.EndDate.Before(now) {
				t.Errorf("closed=false returned market %s (closed %v, ends %v)", m.ID, m.Closed, m.EndDate)
			}
		}
		for _, m := range closed {
			if !m.Closed {
				t.Errorf("closed=true returned open market %s", m.ID)
			}
		}
	})
	t.Run("OrderVolumeDesc", func(t *testing.T) {
		ms := e.markets("closed=false&limit=100&order=volume24hr&ascending=false")
		if !slices.IsSortedFunc(ms, func(a, b gm) int {
			return -cmpMicros(micros(t, a.Volume24hr.String()), micros(t, b.Volume24hr.String()))
		}) {
			t.Error("order=volume24hr&ascending=false is not sorted by descending volume24hr")
		}
		min := ms[len(ms)/2].VolumeNum.String()
		for _, m := range e.markets("limit=500&volume_num_min=" + min) {
			if micros(t, m.VolumeNum.String()) < micros(t, min) {
				t.Errorf("volume_num_min=%s returned volume %s", min, m.VolumeNum)
			}
		}
	})
	t.Run("Tags", func(t *testing.T) {
		crypto := e.markets("limit=500&tag_slug=crypto")
		if len(crypto) == 0 {
			t.Fatal("no crypto markets")
		}
		for _, m := range crypto {
			if !slices.ContainsFunc(m.Tags, func(g struct {
				ID   string `json:"id"`
				Slug string `json:"slug"`
			}) bool {
				return g.Slug == "crypto"
			}) {
				t.Errorf("tag_slug=crypto returned market %s tagged %v", m.ID, m.Tags)
			}
		}
		byID := e.markets("limit=500&tag_id=21")
		if len(byID) != len(crypto) {
			t.Errorf("tag_id=21 gave %d markets, tag_slug=crypto %d", len(byID), len(crypto))
		}
		btc := e.markets("limit=500&tag_id=235")
		related := e.markets("limit=500&tag_id=235&related_tags=true")
		if len(btc) == 0 || len(related) <= len(btc) {
			t.Errorf("bitcoin %d markets, with related tags %d: want more with related", len(btc), len(related))
		}
	})
	t.Run("Ids", func(t *testing.T) {
		all := e.markets("closed=false&limit=10")
		a, b := all[2], all[7]
		for _, q := range []string{
			"id=" + a.ID + "&id=" + b.ID,
			"id=" + a.ID + "," + b.ID,
			"condition_ids=" + a.ConditionID + "&condition_ids=" + b.ConditionID,
			"clob_token_ids=" + a.tokens(t)[1] + "&clob_token_ids=" + b.tokens(t)[0],
		} {
			ms := e.markets(q)
			if len(ms) != 2 || ms[0].ID != a.ID || ms[1].ID != b.ID {
				t.Errorf("%s returned %d markets", q, len(ms))
			}
		}
	})
	t.Run("BadParams", func(t *testing.T) {
		code, body := e.get("/gamma/markets?closed=maybe")
		wantError(t, "closed=maybe", code, body, http.StatusBadRequest, "invalid value for closed")
		code, body = e.get("/gamma/markets?order=bogus")
		wantError(t, "order=bogus", code, body, http.StatusBadRequest, "invalid order field: bogus")
		code, body = e.get("/gamma/markets?end_date_min=yesterday")
		wantError(t, "end_date_min=yesterday", code, body, http.StatusBadRequest, "invalid value for end_date_min")
	})
	t.Run("Events", func(t *testing.T) {
		var evs []struct {
			ID      string `json:"id"`
			Closed  bool   `json:"closed"`
			Markets []gm   `json:"markets"`
		}
		e.getJSON("/gamma/events?closed=false&limit=50&order=endDate", &evs)
		if len(evs) != 50 {
			t.Fatalf("%d events", len(evs))
		}
		for i, ev := range evs {
			if ev.Closed || len(ev.Markets) == 0 || i > 0 && ev.Markets[0].EndDate.Before(evs[i-1].Markets[0].EndDate) {
				t.Errorf("event %s: closed %v, %d markets, out of endDate order", ev.ID, ev.Closed, len(ev.Markets))
			}
		}
		var one struct {
			ID string `json:"id"`
		}
		e.getJSON("/gamma/events/"+evs[3].ID, &one)
		if one.ID != evs[3].ID {
			t.Errorf("GET /gamma/events/%s returned %s", evs[3].ID, one.ID)
		}
		var page struct {
			Events     []struct{ ID string } `json:"events"`
			NextCursor *string               `json:"next_cursor"`
		}
		e.getJSON("/gamma/events/keyset?closed=false&limit=7", &page)
		if len(page.Events) != 7 || page.NextCursor == nil {
			t.Errorf("events keyset: %d events, cursor %v", len(page.Events), page.NextCursor)
		}
	})
}

func cmpMicros[T ~int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
