package supervisor

import (
	"sort"
	"sync"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
)

// ServiceStatus is the registry's view of one supervised service.
type ServiceStatus struct {
	Tree      string           `json:"tree"`
	Area      string           `json:"area"`
	Name      string           `json:"name"`
	State     vig.ServiceState `json:"state"`
	Restarts  int64            `json:"restarts"`
	LastError string           `json:"last_error"`
	Since     time.Time        `json:"since"`
}

// Key is "area/name", the service label used in metrics and heartbeats.
func (s ServiceStatus) Key() string { return s.Area + "/" + s.Name }

// Registry tracks the state of every service in one tree. The health
// endpoints and the bot's heartbeat read it; the tree's wrappers and its
// event hook write it. It is safe for concurrent use and never calls into
// suture, so the hook may update it.
type Registry struct {
	tree  string
	clock clock.Clock

	mu       sync.Mutex
	services map[string]*ServiceStatus // by Key
	backoff  map[string]bool           // area → in backoff
}

// NewRegistry returns an empty registry for tree.
func NewRegistry(tree string, clk clock.Clock) *Registry {
	return &Registry{tree: tree, clock: clk, services: map[string]*ServiceStatus{}, backoff: map[string]bool{}}
}

// Tree returns the tree name.
func (r *Registry) Tree() string { return r.tree }

func (r *Registry) add(area, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.services[area+"/"+name] = &ServiceStatus{Tree: r.tree, Area: area, Name: name, State: vig.StateStarting, Since: r.clock.Now().UTC()}
}

// set moves a service to state; restart counts a restart; errText replaces
// the last error when non-empty.
func (r *Registry) set(key string, state vig.ServiceState, restart bool, errText string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.services[key]
	if !ok {
		return
	}
	if restart {
		s.Restarts++
	}
	if errText != "" {
		s.LastError = errText
	}
	if s.State != state {
		s.State = state
		s.Since = r.clock.Now().UTC()
	}
}

// setError replaces a service's last error without touching its state
// (the event hook reports panics after suture has already restarted the
// service, so it must not move the state back).
func (r *Registry) setError(key, errText string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.services[key]; ok {
		s.LastError = errText
	}
}

func (r *Registry) setBackoff(area string, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.backoff[area] = on
	now := r.clock.Now().UTC()
	for _, s := range r.services {
		if s.Area != area {
			continue
		}
		switch {
		case on && s.State == vig.StateRestarting:
			s.State, s.Since = vig.StateBackoff, now
		case !on && s.State == vig.StateBackoff:
			s.State, s.Since = vig.StateRestarting, now
		}
	}
}

// InBackoff reports whether area's supervisor is pausing restarts.
func (r *Registry) InBackoff(area string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.backoff[area]
}

// Get returns one service's status by area and name.
func (r *Registry) Get(area, name string) (ServiceStatus, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.services[area+"/"+name]
	if !ok {
		return ServiceStatus{}, false
	}
	return *s, true
}

// Snapshot returns every service's status ordered by area and name.
func (r *Registry) Snapshot() []ServiceStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ServiceStatus, 0, len(r.services))
	for _, s := range r.services {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// MarkAll sets every service that is not already failed to state; used for
// the final "stopped" record after a shutdown.
func (r *Registry) MarkAll(state vig.ServiceState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now().UTC()
	for _, s := range r.services {
		if s.State != vig.StateFailed && s.State != state {
			s.State, s.Since = state, now
		}
	}
}
