package sim

import (
	"slices"
	"time"

	"github.com/vig-bot/vig"
)

// ResolvedEvent describes a resolved event, for statistical tests.
type ResolvedEvent struct {
	EventID    string
	NegRisk    bool
	Disputed   bool
	Fairs      []vig.Micros // fair prices at the end date, one per outcome
	Winner     int          // index into Fairs
	End        time.Time
	ResolvedAt time.Time
	MarketIDs  []string
}

// ResolvedEvents lists the resolved events still kept, oldest first.
func (s *Sim) ResolvedEvents() []ResolvedEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	var out []ResolvedEvent
	for _, e := range s.events {
		if !e.resolved {
			continue
		}
		re := ResolvedEvent{EventID: e.id, NegRisk: e.negRisk, Disputed: e.disputed, Fairs: slices.Clone(e.fairsAtEnd),
			Winner: e.winner, End: e.end, ResolvedAt: e.resolvedAt}
		for _, m := range e.markets {
			re.MarketIDs = append(re.MarketIDs, m.id)
		}
		out = append(out, re)
	}
	return out
}
