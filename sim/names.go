package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// tag is a Gamma tag. The ids are the sim's own (a few match the real
// venue's, but nothing relies on that).
type tag struct{ id, label, slug string }

var (
	tagSports    = &tag{"1", "Sports", "sports"}
	tagPolitics  = &tag{"2", "Politics", "politics"}
	tagCrypto    = &tag{"21", "Crypto", "crypto"}
	tagEconomics = &tag{"100328", "Economics", "economics"}
	tagBusiness  = &tag{"107", "Business", "business"}
	tagBitcoin   = &tag{"235", "Bitcoin", "bitcoin"}
	tagEthereum  = &tag{"39", "Ethereum", "ethereum"}
	tagSolana    = &tag{"818", "Solana", "solana"}
	tagXRP       = &tag{"101267", "XRP", "xrp"}
	tagNBA       = &tag{"745", "NBA", "nba"}
	tagNFL       = &tag{"450", "NFL", "nfl"}
	tagSoccer    = &tag{"100350", "Soccer", "soccer"}
	tagElections = &tag{"144", "Elections", "elections"}
	tagFed       = &tag{"159", "Fed Rates", "fed-rates"}
	tagInflation = &tag{"102000", "Inflation", "inflation"}
	tagStocks    = &tag{"604", "Stocks", "stocks"}

	// allTags lists every tag, for lookups by id or slug.
	allTags = []*tag{tagSports, tagPolitics, tagCrypto, tagEconomics, tagBusiness, tagBitcoin, tagEthereum,
		tagSolana, tagXRP, tagNBA, tagNFL, tagSoccer, tagElections, tagFed, tagInflation, tagStocks}

	// relatedTags is what related_tags=true adds to a tag_id filter.
	relatedTags = map[string][]string{
		tagCrypto.id:    {tagBitcoin.id, tagEthereum.id, tagSolana.id, tagXRP.id},
		tagSports.id:    {tagNBA.id, tagNFL.id, tagSoccer.id},
		tagPolitics.id:  {tagElections.id},
		tagEconomics.id: {tagFed.id, tagInflation.id, tagBusiness.id, tagStocks.id},
		tagBusiness.id:  {tagStocks.id, tagEconomics.id},
		tagBitcoin.id:   {tagCrypto.id},
		tagEthereum.id:  {tagCrypto.id},
		tagSolana.id:    {tagCrypto.id},
		tagXRP.id:       {tagCrypto.id},
		tagNBA.id:       {tagSports.id},
		tagNFL.id:       {tagSports.id},
		tagSoccer.id:    {tagSports.id},
		tagElections.id: {tagPolitics.id},
		tagFed.id:       {tagEconomics.id},
		tagInflation.id: {tagEconomics.id},
		tagStocks.id:    {tagBusiness.id, tagEconomics.id},
	}
)

// spec is the text of a generated event: one entry per market.
type spec struct {
	cat                     *tag
	tags                    []*tag
	title, eventDescription string
	resolutionSource        string
	questions               []string
	groupItems              []string
	descriptions            []string
	outcomes                [][2]string
}

type coin struct {
	name, symbol string
	t            *tag
	lo, hi, step int // price grid in cents
}

var (
	coins = []coin{
		{"Bitcoin", "BTC", tagBitcoin, 6_000_000, 13_000_000, 50_000},
		{"Ethereum", "ETH", tagEthereum, 150_000, 500_000, 5_000},
		{"Solana", "SOL", tagSolana, 8_000, 30_000, 500},
		{"XRP", "XRP", tagXRP, 50, 400, 5},
	}
	leagues = []struct {
		t     *tag
		name  string
		cup   string
		teams []string
		total int
	}{
		{tagNBA, "NBA", "NBA Winter Classic", []string{"Lakers", "Celtics", "Warriors", "Knicks", "Bucks", "Heat", "Nuggets", "Suns", "76ers", "Mavericks", "Thunder", "Cavaliers"}, 220},
		{tagNFL, "NFL", "NFL Preseason Bowl", []string{"Chiefs", "Eagles", "49ers", "Bills", "Cowboys", "Ravens", "Lions", "Packers"}, 45},
		{tagSoccer, "Soccer", "Champions Invitational", []string{"Arsenal", "Liverpool", "Real Madrid", "Barcelona", "Bayern Munich", "Inter", "PSG", "Man City"}, 2},
	}
	people = []string{"Alex Rivera", "Jordan Lee", "Sam Patel", "Morgan Chen", "Taylor Brooks", "Casey Nguyen",
		"Riley Kim", "Jamie Ortiz", "Avery Johnson", "Quinn Walker"}
	cities  = []string{"Springfield", "Riverton", "Lakeside", "Fairview", "Greenville", "Oakdale", "Brookfield", "Milltown"}
	bills   = []string{"Infrastructure Renewal", "Clean Water", "Housing Access", "Transit Expansion", "Digital Privacy", "Small Business Relief"}
	words   = []string{"tariff", "crypto", "inflation", "border", "AI", "economy", "deal", "record"}
	indices = []struct {
		name     string
		lo, step int
	}{{"S&P 500", 5200, 25}, {"Nasdaq 100", 18000, 100}, {"Dow Jones", 39000, 100}}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickN returns n distinct elements of xs in a random order.
func pickN[T any](r *rand.Rand, xs []T, n int) []T {
	idx := r.Perm(len(xs))[:n]
	out := make([]T, n)
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

// when formats an end date as questions do.
func when(t time.Time) string { return t.UTC().Format("January 2, 15:04 UTC") }

// dollars formats cents as $1,234 or $0.55.
func dollars(cents int) string {
	if cents < 10_000 && cents%100 != 0 {
		return fmt.Sprintf("$%d.%02d", cents/100, cents%100)
	}
	return "$" + thousands(cents/100)
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

var yesNo = [2]string{"Yes", "No"}

// genSpec draws the text of a binary or neg-risk event ending at end.
func genSpec(r *rand.Rand, negRisk bool, end time.Time) spec {
	if negRisk {
		return genNegRisk(r, end)
	}
	return genBinary(r, end)
}

func binarySpec(cat *tag, tags []*tag, q string, out [2]string, cond, source string) spec {
	desc := fmt.Sprintf("This market will resolve to %q if %s. Otherwise, this market will resolve to %q.\n\nThe resolution source for this market is %s.",
		out[0], cond, out[1], source)
	return spec{
		cat: cat, tags: tags, title: q, eventDescription: desc, resolutionSource: source,
		questions: []string{q}, groupItems: []string{""}, descriptions: []string{desc}, outcomes: [][2]string{out},
	}
}

func genBinary(r *rand.Rand, end time.Time) spec {
	at := when(end)
	switch r.IntN(8) {
	case 0, 1:
		c := pick(r, coins)
		p := c.lo + r.IntN((c.hi-c.lo)/c.step)*c.step
		q := fmt.Sprintf("Will the price of %s be above %s on %s?", c.name, dollars(p), at)
		return binarySpec(tagCrypto, []*tag{tagCrypto, c.t}, q, yesNo,
			fmt.Sprintf("the Binance %s/USDT 1-minute candle for %s closes above %s", c.symbol, at, dollars(p)), "https://www.binance.com")
	case 2:
		c := pick(r, coins)
		q := fmt.Sprintf("%s Up or Down - %s", c.name, at)
		return binarySpec(tagCrypto, []*tag{tagCrypto, c.t}, q, [2]string{"Up", "Down"},
			fmt.Sprintf("the %s/USDT close at %s is at or above the open of the window", c.symbol, at), "https://www.binance.com")
	case 3:
		l := pick(r, leagues)
		ts := pickN(r, l.teams, 2)
		q := fmt.Sprintf("%s vs. %s", ts[0], ts[1])
		sp := binarySpec(tagSports, []*tag{tagSports, l.t}, q, [2]string{ts[0], ts[1]},
			fmt.Sprintf("the %s win the game scheduled for %s", ts[0], at), "the official "+l.name+" box score")
		return sp
	case 4:
		l := pick(r, leagues)
		ts := pickN(r, l.teams, 2)
		line := strconv.Itoa(l.total+r.IntN(l.total/5+3)-l.total/10) + ".5"
		q := fmt.Sprintf("%s vs. %s: O/U %s", ts[0], ts[1], line)
		return binarySpec(tagSports, []*tag{tagSports, l.t}, q, [2]string{"Over", "Under"},
			fmt.Sprintf("the combined final score is over %s", line), "the official "+l.name+" box score")
	case 5:
		who, city := pick(r, people), pick(r, cities)
		if r.IntN(2) == 0 {
			w := pick(r, words)
			q := fmt.Sprintf("Will %s say %q during the %s press briefing by %s?", who, w, city, at)
			return binarySpec(tagPolitics, []*tag{tagPolitics}, q, yesNo,
				fmt.Sprintf("%s says %q during the briefing", who, w), "the official video of the briefing")
		}
		b := pick(r, bills)
		q := fmt.Sprintf("Will the %s council pass the %s Act by %s?", city, b, at)
		return binarySpec(tagPolitics, []*tag{tagPolitics}, q, yesNo,
			fmt.Sprintf("the %s Act passes a council vote by %s", b, at), "the council's published minutes")
	case 6:
		ix := pick(r, indices)
		lvl := ix.lo + r.IntN(40)*ix.step
		q := fmt.Sprintf("Will the %s close above %s on %s?", ix.name, thousands(lvl), at)
		return binarySpec(tagEconomics, []*tag{tagEconomics, tagBusiness, tagStocks}, q, yesNo,
			fmt.Sprintf("the %s closes above %s", ix.name, thousands(lvl)), "https://www.wsj.com")
	default:
		k := 200 + r.IntN(60)
		q := fmt.Sprintf("Will US initial jobless claims exceed %dK for the week ending %s?", k, at)
		return binarySpec(tagEconomics, []*tag{tagEconomics}, q, yesNo,
			fmt.Sprintf("the Department of Labor reports more than %d,000 initial claims", k), "https://www.dol.gov")
	}
}

func genNegRisk(r *rand.Rand, end time.Time) spec {
	at := when(end)
	n := 3 + r.IntN(4)
	var sp spec
	items := make([]string, n)
	var question func(item string) string
	switch r.IntN(4) {
	case 0:
		l := pick(r, leagues)
		items = pickN(r, l.teams, n)
		sp.title = fmt.Sprintf("%s Winner (%s)", l.cup, at)
		sp.cat, sp.tags = tagSports, []*tag{tagSports, l.t}
		sp.resolutionSource = "the official " + l.name + " results"
		question = func(team string) string { return fmt.Sprintf("Will the %s win the %s on %s?", team, l.cup, at) }
	case 1:
		city := pick(r, cities)
		items = pickN(r, people, n)
		sp.title = fmt.Sprintf("%s Mayoral Election Winner", city)
		sp.cat, sp.tags = tagPolitics, []*tag{tagPolitics, tagElections}
		sp.resolutionSource = "the certified results of the " + city + " election board"
		question = func(who string) string {
			return fmt.Sprintf("Will %s win the %s mayoral election on %s?", who, city, at)
		}
	case 2:
		base := 22 + r.IntN(8)
		for i := range items {
			items[i] = fmt.Sprintf("%d.%d%%", (base+i)/10, (base+i)%10)
		}
		items[0] = "≤" + items[0]
		items[n-1] = "≥" + items[n-1]
		sp.title = fmt.Sprintf("US CPI YoY released %s?", at)
		sp.cat, sp.tags = tagEconomics, []*tag{tagEconomics, tagInflation}
		sp.resolutionSource = "https://www.bls.gov"
		question = func(b string) string { return fmt.Sprintf("Will US CPI YoY released %s be %s?", at, b) }
	default:
		c := coins[0]
		width := 200_000 // $2,000 buckets
		lo := 8_000_000 + r.IntN(20)*width
		for i := range items {
			a := lo + (i-1)*width
			switch i {
			case 0:
				items[i] = "<" + dollars(lo)
			case n - 1:
				items[i] = "≥" + dollars(a)
			default:
				items[i] = dollars(a) + "-" + dollars(a+width)
			}
		}
		sp.title = fmt.Sprintf("%s price on %s?", c.name, at)
		sp.cat, sp.tags = tagCrypto, []*tag{tagCrypto, c.t}
		sp.resolutionSource = "https://www.binance.com"
		question = func(b string) string { return fmt.Sprintf("Will the price of %s be %s on %s?", c.name, b, at) }
	}
	sp.eventDescription = fmt.Sprintf("This is a mutually exclusive event: exactly one of its markets resolves to \"Yes\" and all others to \"No\".\n\nThe resolution source is %s.", sp.resolutionSource)
	for _, it := range items {
		q := question(it)
		sp.questions = append(sp.questions, q)
		sp.groupItems = append(sp.groupItems, it)
		sp.outcomes = append(sp.outcomes, yesNo)
		sp.descriptions = append(sp.descriptions, fmt.Sprintf("This market will resolve to \"Yes\" if the answer to %q is %s. Otherwise, it will resolve to \"No\". %s",
			sp.title, it, sp.eventDescription))
	}
	return sp
}
