package gamma_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/polymarket"
	"github.com/vig-bot/vig/polymarket/gamma"
)

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustDecodeMarket(tb testing.TB, b []byte) gamma.Market {
	tb.Helper()
	m, err := gamma.DecodeMarket(b)
	if err != nil {
		tb.Fatalf("DecodeMarket: %v", err)
	}
	return m
}

func TestDecodeCompositeMarket(t *testing.T) {
	m := mustDecodeMarket(t, fixture(t, "composite_market.json"))
	if got, want := m.ID, "703257"; got != want {
		t.Errorf("ID = %q, want %q", got, want)
	}
	if got, want := m.Question, "Aliens before 2027?"; got != want {
		t.Errorf("Question = %q, want %q", got, want)
	}
	if got, want := m.ConditionID, "0x747dc809fb79e1b05be09c42d6179459a58de2ef3e40f02484a4e1260f741f75"; got != want {
		t.Errorf("ConditionID = %q, want %q", got, want)
	}
	if got, want := m.QuestionID, "0x…"; got != want {
		t.Errorf("QuestionID = %q, want %q", got, want)
	}
	if got, want := m.StartDate, time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("StartDate = %v, want %v", got, want)
	}
	if got, want := m.EndDate, time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("EndDate = %v, want %v", got, want)
	}
	if got, want := m.Outcomes, []string{"Yes", "No"}; !slices.Equal(got, want) {
		t.Errorf("Outcomes = %q, want %q", got, want)
	}
	if got, want := m.OutcomePrices, []vig.Micros{45_000, 955_000}; !slices.Equal(got, want) {
		t.Errorf("OutcomePrices = %v, want %v", got, want)
	}
	wantTokens := []string{
		"107505882767731489358349912513945399560393482969656700824895970500493757150417",
		"7305630249804085635496399869905769372294302716159034447326228509068694952392",
	}
	if !slices.Equal(m.ClobTokenIDs, wantTokens) {
		t.Errorf("ClobTokenIDs = %q, want %q", m.ClobTokenIDs, wantTokens)
	}
	for _, c := range []struct {
		name      string
		got, want vig.Micros
	}{
		{"Volume", m.Volume, 152_340_550_000},
		{"Volume24hr", m.Volume24hr, 2_310_400_000},
		{"Liquidity", m.Liquidity, 18_250_100_000},
		{"BestBid", m.BestBid, 44_000},
		{"BestAsk", m.BestAsk, 46_000},
		{"LastTradePrice", m.LastTradePrice, 45_000},
		{"Spread", m.Spread, 2_000},
		{"TickSize", m.TickSize, 1_000},
		{"MinOrderSize", m.MinOrderSize, 5_000_000},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if !m.Active || m.Closed || m.Archived || m.Restricted || !m.AcceptingOrders || !m.EnableOrderBook || m.NegRisk || !m.FeesEnabled {
		t.Errorf("flags = %+v", m)
	}
	if len(m.Issues) != 0 {
		t.Errorf("Issues = %q, want none", m.Issues)
	}
	name, token, price, ok := m.Outcome(1)
	if !ok || name != "No" || token != wantTokens[1] || price != 955_000 {
		t.Errorf("Outcome(1) = %q %q %d %v", name, token, price, ok)
	}
	if _, _, _, ok := m.Outcome(2); ok {
		t.Error("Outcome(2) ok on a two-outcome market")
	}
	if i, ok := m.Favourite(); !ok || i != 1 {
		t.Errorf("Favourite() = %d, %v; want 1, true", i, ok)
	}
}

func TestDecodeNegRiskMultiOutcome(t *testing.T) {
	m := mustDecodeMarket(t, fixture(t, "negrisk_market.json"))
	if got, want := m.Outcomes, []string{"Real Madrid", "Draw", "Barcelona", `Atlético "Other"`}; !slices.Equal(got, want) {
		t.Errorf("Outcomes = %q, want %q", got, want)
	}
	if got, want := m.OutcomePrices, []vig.Micros{410_000, 270_000, 315_000, 5_000}; !slices.Equal(got, want) {
		t.Errorf("OutcomePrices = %v, want %v", got, want)
	}
	if len(m.ClobTokenIDs) != 4 || m.ClobTokenIDs[3] != "1343197538147866997676250008839231694243646439454152539053893078719042421992" {
		t.Errorf("ClobTokenIDs = %q", m.ClobTokenIDs)
	}
	if !m.NegRisk || !m.Restricted || m.NegRiskMarketID == "" {
		t.Errorf("NegRisk=%v Restricted=%v NegRiskMarketID=%q", m.NegRisk, m.Restricted, m.NegRiskMarketID)
	}
	if got, want := m.EndDate, time.Date(2026, 10, 26, 15, 15, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("EndDate = %v, want %v (UTC)", got, want)
	}
	if got, want := m.StartDate, time.Date(2026, 10, 20, 9, 0, 0, 123e6, time.UTC); !got.Equal(want) {
		t.Errorf("StartDate = %v, want %v", got, want)
	}
	if got, want := m.Volume, vig.Micros(2_480_133_170_000); got != want {
		t.Errorf("Volume = %d, want %d", got, want)
	}
	if got, want := m.Volume1wk, vig.Micros(1_502_771_030_000); got != want {
		t.Errorf("Volume1wk = %d, want %d", got, want)
	}
	if got, want := m.Tags, []gamma.Tag{{"1", "Sports", "sports"}, {"100350", "Soccer", "soccer"}}; !slices.Equal(got, want) {
		t.Errorf("Tags = %+v, want %+v", got, want)
	}
	if got, want := m.EventIDs, []string{"51234"}; !slices.Equal(got, want) {
		t.Errorf("EventIDs = %q, want %q", got, want)
	}
	if i, ok := m.Favourite(); !ok || i != 0 {
		t.Errorf("Favourite() = %d, %v; want 0 (Real Madrid)", i, ok)
	}
	if len(m.Issues) != 0 {
		t.Errorf("Issues = %q", m.Issues)
	}
}

func TestDecodeNumbersAsStrings(t *testing.T) {
	m := mustDecodeMarket(t, fixture(t, "strings_market.json"))
	if got, want := m.ID, "512090"; got != want {
		t.Errorf("ID = %q, want %q (a JSON number keeps its text)", got, want)
	}
	if got, want := m.ClobTokenIDs[1], "93152375419254098815294052823458893468152919154911578043802130931302402187301"; got != want {
		t.Errorf("numeric token id = %q, want %q (exact, no float)", got, want)
	}
	if got, want := m.OutcomePrices, []vig.Micros{821_500, 178_500}; !slices.Equal(got, want) {
		t.Errorf("OutcomePrices = %v, want %v", got, want)
	}
	for _, c := range []struct {
		name      string
		got, want vig.Micros
	}{
		{"Volume (volume string, rounded half-even)", m.Volume, 9_931_204_123_457},
		{"Volume24hr", m.Volume24hr, 118_022_500_000},
		{"Volume1wk (empty string)", m.Volume1wk, 0},
		{"Liquidity (liquidity string)", m.Liquidity, 210_004_250_000},
		{"BestBid", m.BestBid, 820_000},
		{"BestAsk", m.BestAsk, 823_000},
		{"Spread", m.Spread, 3_000},
		{"TickSize", m.TickSize, 1_000},
		{"MinOrderSize", m.MinOrderSize, 5_000_000},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if !m.Active || m.Closed || m.Archived || m.Restricted || !m.AcceptingOrders || !m.EnableOrderBook || m.NegRisk {
		t.Errorf("flags from strings/numbers: %+v", m)
	}
	if got, want := m.EndDate, time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("EndDate (from endDateIso) = %v, want %v", got, want)
	}
	if got, want := m.StartDate, time.Date(2025, 9, 15, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("StartDate = %v, want %v", got, want)
	}
	if m.FeesEnabled || !slices.Equal(m.Issues, []string{"feesEnabled: not a boolean"}) {
		t.Errorf("FeesEnabled=%v Issues=%q; want false and the feesEnabled issue", m.FeesEnabled, m.Issues)
	}
	if m.UMAResolutionStatuses == nil || len(m.UMAResolutionStatuses) != 0 {
		t.Errorf("UMAResolutionStatuses = %#v, want empty", m.UMAResolutionStatuses)
	}
}

func TestDecodeResolvedZeroPrices(t *testing.T) {
	m := mustDecodeMarket(t, fixture(t, "resolved_market.json"))
	if !m.Closed || m.UMAResolutionStatus != "resolved" {
		t.Errorf("Closed=%v UMAResolutionStatus=%q", m.Closed, m.UMAResolutionStatus)
	}
	if got, want := m.UMAResolutionStatuses, []string{"proposed", "resolved"}; !slices.Equal(got, want) {
		t.Errorf("UMAResolutionStatuses = %q, want %q", got, want)
	}
	if got, want := m.OutcomePrices, []vig.Micros{0, 0}; !slices.Equal(got, want) {
		t.Errorf("OutcomePrices = %v, want %v", got, want)
	}
	if got, want := m.ClosedTime, time.Date(2024, 11, 6, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("ClosedTime = %v, want %v", got, want)
	}
	if m.BestBid != 0 || m.BestAsk != 0 || m.LastTradePrice != 999_000 {
		t.Errorf("BestBid=%d BestAsk=%d LastTradePrice=%d", m.BestBid, m.BestAsk, m.LastTradePrice)
	}
	if got, want := m.Volume, vig.Micros(1_531_479_285_000_000); got != want {
		t.Errorf("Volume = %d, want %d", got, want)
	}
	if i, ok := m.Favourite(); ok {
		t.Errorf("Favourite() = %d, true on a resolved market priced [0,0]; want false", i)
	}
	if len(m.Issues) != 0 {
		t.Errorf("Issues = %q", m.Issues)
	}
}

func TestDecodeMarketErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, field string
	}{
		{"mismatched outcomes and token ids", string(fixture(t, "mismatched_market.json")), "clobTokenIds"},
		{"missing id", `{"question":"q","outcomes":"[\"Yes\",\"No\"]"}`, "id"},
		{"empty id", `{"id":"","question":"q"}`, "id"},
		{"id is an object", `{"id":{"x":1}}`, "id"},
		{"outcomes not an array", `{"id":"1","outcomes":"Yes,No","clobTokenIds":"[\"1\",\"2\"]"}`, "outcomes"},
		{"token ids not an array", `{"id":"1","outcomes":"[\"Yes\",\"No\"]","clobTokenIds":"[\"1\",\"2\""}`, "clobTokenIds"},
		{"token id not decimal", `{"id":"1","outcomes":["Yes","No"],"clobTokenIds":["0xabc","2"]}`, "clobTokenIds[0]"},
		{"token id empty", `{"id":"1","outcomes":["Yes","No"],"clobTokenIds":["","2"]}`, "clobTokenIds[0]"},
		{"token id a float", `{"id":"1","outcomes":["Yes","No"],"clobTokenIds":[1.5e3,2]}`, "clobTokenIds[0]"},
		{"token ids without outcomes", `{"id":"1","clobTokenIds":["1","2"]}`, "clobTokenIds"},
		{"truncated", `{"id":"1","question":"Aliens`, ""},
		{"not an object", `["id"]`, ""},
		{"empty", ``, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gamma.DecodeMarket([]byte(tc.in))
			if !errors.Is(err, polymarket.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name %q", err, tc.field)
			}
		})
	}
}

func TestDecodeMarketLenientFields(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		check  func(gamma.Market) bool
		issues []string
	}{
		{"wrong-typed text fields are left empty", `{"id":"1","question":5,"slug":["x"],"description":"d"}`,
			func(m gamma.Market) bool { return m.Question == "" && m.Slug == "" && m.Description == "d" }, nil},
		{"unparsable price is zero and flagged", `{"id":"1","bestBid":"abc","bestAsk":0.5}`,
			func(m gamma.Market) bool { return m.BestBid == 0 && m.BestAsk == 500_000 }, []string{"bestBid: not a decimal"}},
		{"absurd volume is flagged; the volume string stands in", `{"id":"1","volumeNum":1e15,"volume":"12.5"}`,
			func(m gamma.Market) bool { return m.Volume == 12_500_000 }, []string{"volumeNum: not a decimal"}},
		{"absurd volume alone is zero and flagged", `{"id":"1","volumeNum":"99999999999999.5"}`,
			func(m gamma.Market) bool { return m.Volume == 0 }, []string{"volumeNum: not a decimal"}},
		{"volume string when volumeNum is absent", `{"id":"1","volume":"12.5"}`,
			func(m gamma.Market) bool { return m.Volume == 12_500_000 }, nil},
		{"price out of range is kept and flagged", `{"id":"1","bestAsk":1.5}`,
			func(m gamma.Market) bool { return m.BestAsk == 1_500_000 }, []string{"bestAsk: out of [0,1]"}},
		{"outcome price out of range flags the market", `{"id":"1","outcomes":["A","B"],"outcomePrices":["1.2","-0.2"],"clobTokenIds":["1","2"]}`,
			func(m gamma.Market) bool { _, ok := m.Favourite(); return len(m.OutcomePrices) == 2 && !ok },
			[]string{"outcomePrices: out of [0,1]"}},
		{"more prices than outcomes are dropped", `{"id":"1","outcomes":["A","B"],"outcomePrices":["0.5","0.3","0.2"],"clobTokenIds":["1","2"]}`,
			func(m gamma.Market) bool {
				_, _, _, ok := m.Outcome(0)
				return m.OutcomePrices == nil && !ok && len(m.Outcomes) == 2
			},
			[]string{"outcomePrices: 3 prices for 2 outcomes"}},
		{"bad outcome prices are dropped", `{"id":"1","outcomes":["A","B"],"outcomePrices":"[\"0.5\", \"n/a\"]","clobTokenIds":["1","2"]}`,
			func(m gamma.Market) bool { return m.OutcomePrices == nil }, []string{"outcomePrices: not an array of decimals"}},
		{"outcomes without token ids (no order book)", `{"id":"1","outcomes":"[\"Yes\",\"No\"]","outcomePrices":"[\"0.5\",\"0.5\"]","enableOrderBook":false}`,
			func(m gamma.Market) bool {
				_, ok := m.Favourite()
				return len(m.Outcomes) == 2 && m.ClobTokenIDs == nil && !ok
			}, nil},
		{"empty clobTokenIds string is absent", `{"id":"1","outcomes":"[\"Yes\",\"No\"]","clobTokenIds":""}`,
			func(m gamma.Market) bool { return m.ClobTokenIDs == nil && len(m.Outcomes) == 2 }, nil},
		{"a bad endDate is flagged; endDateIso stands in",
			`{"id":"1","endDate":"soon","endDateIso":"2026-01-01","closedTime":12}`,
			func(m gamma.Market) bool {
				return m.EndDate.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) && m.ClosedTime.Equal(time.Unix(12, 0))
			},
			[]string{"endDate: not a date"}},
		{"bad dates are zero and flagged", `{"id":"1","startDate":"2026-02-30T00:00:00Z","endDate":true}`,
			func(m gamma.Market) bool { return m.EndDate.IsZero() && m.StartDate.IsZero() },
			[]string{"startDate: not a date", "endDate: not a date"}},
		{"booleans in several shapes", `{"id":"1","active":"true","closed":0,"archived":"1","negRisk":"False","restricted":null}`,
			func(m gamma.Market) bool { return m.Active && !m.Closed && m.Archived && !m.NegRisk && !m.Restricted }, nil},
		{"tie for the favourite is no favourite", `{"id":"1","outcomes":["A","B"],"outcomePrices":["0.5","0.5"],"clobTokenIds":["1","2"]}`,
			func(m gamma.Market) bool { _, ok := m.Favourite(); return !ok }, nil},
		{"duplicate key: the last one wins", `{"id":"1","outcomes":["A"],"clobTokenIds":["1"],"outcomes":["A","B"],"clobTokenIds":["1","2"]}`,
			func(m gamma.Market) bool { return len(m.Outcomes) == 2 && len(m.ClobTokenIDs) == 2 }, nil},
		{"tags and events of the wrong shape are ignored", `{"id":"1","tags":"politics","events":[5,{"id":7}]}`,
			func(m gamma.Market) bool { return m.Tags == nil && slices.Equal(m.EventIDs, []string{"7"}) }, nil},
		{"more than 6 decimals round half-even", `{"id":"1","lastTradePrice":"0.1234565","spread":0.0000025}`,
			func(m gamma.Market) bool { return m.LastTradePrice == 123_456 && m.Spread == 2 }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustDecodeMarket(t, []byte(tc.in))
			if !tc.check(m) {
				t.Errorf("unexpected market %+v", m)
			}
			if !slices.Equal(m.Issues, tc.issues) {
				t.Errorf("Issues = %q, want %q", m.Issues, tc.issues)
			}
		})
	}
}

func TestDecodeMarketsShapes(t *testing.T) {
	composite := string(fixture(t, "composite_market.json"))
	mismatched := string(fixture(t, "mismatched_market.json"))
	for _, tc := range []struct {
		name    string
		in      string
		wantIDs []string
		wantErr bool
	}{
		{"array", "[" + composite + "]", []string{"703257"}, false},
		{"keyset page", `{"markets":[` + composite + `],"next_cursor":"MTAw"}`, []string{"703257"}, false},
		{"bad markets are skipped", "[" + mismatched + "," + composite + `,5,{"question":"no id"}]`, []string{"703257"}, false},
		{"empty array", `[]`, []string{}, false},
		{"null markets", `{"markets":null,"next_cursor":null}`, []string{}, false},
		{"page without markets", `{"error":"internal"}`, nil, true},
		{"markets not a list", `{"markets":5}`, nil, true},
		{"cursor not a string", `{"markets":[],"next_cursor":{}}`, nil, true},
		{"truncated", `[` + composite[:200], nil, true},
		{"scalar", `"markets"`, nil, true},
		{"html", `<!DOCTYPE html><html>`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := gamma.DecodeMarkets([]byte(tc.in))
			if tc.wantErr {
				if !errors.Is(err, polymarket.ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.ID)
			}
			if len(ids) != len(tc.wantIDs) || !slices.Equal(ids, tc.wantIDs) {
				t.Errorf("ids = %q, want %q", ids, tc.wantIDs)
			}
		})
	}
}

func TestDecodeEvents(t *testing.T) {
	ev := string(fixture(t, "negrisk_event.json"))
	es, err := gamma.DecodeEvents([]byte(`{"events":[` + ev + `,{"title":"no id"}],"next_cursor":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("got %d events, want 1", len(es))
	}
	e := es[0]
	if e.ID != "30829" || e.Slug != "democratic-nominee-2028" || !e.NegRisk || !e.EndDate.Equal(time.Date(2028, 11, 7, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("event = %+v", e)
	}
	var ids, titles []string
	for _, m := range e.Markets {
		ids = append(ids, m.ID)
		titles = append(titles, m.GroupItemTitle)
	}
	// 559652 has one token id for two outcomes: left out.
	if want := []string{"559651", "559653"}; !slices.Equal(ids, want) {
		t.Errorf("market ids = %q, want %q", ids, want)
	}
	if want := []string{"Gavin Newsom", "Josh Shapiro"}; !slices.Equal(titles, want) {
		t.Errorf("group titles = %q, want %q", titles, want)
	}
	if len(e.Tags) != 2 || e.Tags[1].ID != "101206" {
		t.Errorf("Tags = %+v", e.Tags)
	}
}
