package config

import (
	"fmt"
	"strings"
	"time"
)

// Fault asks the bot to run a deliberately failing service in one area of
// its supervision tree, to exercise restarts and escalation end to end
// (chaos testing). It is never set in production.
type Fault struct {
	Area  string        // supervision area: trading, proxy, rpc, core
	Mode  string        // "panic" or "error"
	Every time.Duration // how long the service runs before failing
}

// ParseFaults parses VIG_FAULT_INJECT: comma-separated area:mode:duration.
func ParseFaults(s string) ([]Fault, error) {
	var out []Fault
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		f := strings.Split(part, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("entry %q: want area:mode:duration, e.g. trading:panic:200ms", part)
		}
		switch f[0] {
		case "trading", "proxy", "rpc", "core":
		default:
			return nil, fmt.Errorf("entry %q: area must be trading, proxy, rpc or core", part)
		}
		if f[1] != "panic" && f[1] != "error" {
			return nil, fmt.Errorf("entry %q: mode must be panic or error", part)
		}
		d, err := time.ParseDuration(f[2])
		if err != nil || d < time.Millisecond {
			return nil, fmt.Errorf("entry %q: duration must be like 200ms or 1s", part)
		}
		out = append(out, Fault{Area: f[0], Mode: f[1], Every: d})
	}
	return out, nil
}
