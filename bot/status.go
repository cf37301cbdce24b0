// Package bot is `vig bot`, the worker: its supervision tree, the heartbeat
// that tells the dashboard it is alive whatever the trading loop is doing,
// the operator command loop, supervision-event persistence and the ops
// listener. The trading, proxy and rpc subservices get their places in the
// tree now and arrive with later issues.
package bot

import (
	"sync"
	"time"

	"github.com/vig-bot/vig"
)

// Status is the process-level state shared by the bot's services.
type Status struct {
	mu        sync.Mutex
	started   time.Time
	dbReady   bool
	dbErr     string
	intent    vig.Intent
	activity  string
	draining  bool
	readyOnce chan struct{}
}

// NewStatus returns the status of a bot that started at start.
func NewStatus(start time.Time) *Status {
	return &Status{started: start.UTC(), activity: "starting", intent: vig.Intent{State: vig.IntentRunning, SetBy: "default"},
		readyOnce: make(chan struct{})}
}

// DBReady returns a channel closed once the database is migrated and usable.
func (s *Status) DBReady() <-chan struct{} { return s.readyOnce }

// SetDBReady marks the database usable (once).
func (s *Status) SetDBReady() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dbReady {
		s.dbReady = true
		s.dbErr = ""
		close(s.readyOnce)
	}
}

// SetDBError records why the database is not usable yet.
func (s *Status) SetDBError(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dbErr = msg
}

// SetIntent records the operator intent last read from the store.
func (s *Status) SetIntent(in vig.Intent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.intent = in
}

// SetActivity sets the human-readable activity line.
func (s *Status) SetActivity(a string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.activity = a
}

// SetDraining marks the bot as shutting down: /readyz answers 503.
func (s *Status) SetDraining() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.draining = true
}

// StatusView is a consistent copy of Status.
type StatusView struct {
	Started  time.Time
	DBReady  bool
	DBErr    string
	Intent   vig.Intent
	Activity string
	Draining bool
}

// View returns a copy of the current status.
func (s *Status) View() StatusView {
	s.mu.Lock()
	defer s.mu.Unlock()
	return StatusView{Started: s.started, DBReady: s.dbReady, DBErr: s.dbErr, Intent: s.intent, Activity: s.activity, Draining: s.draining}
}

// activityLine is what the heartbeat reports as the bot's activity.
func (v StatusView) activityLine() string {
	switch {
	case v.Draining:
		return "shutting down"
	case !v.DBReady && v.DBErr != "":
		return "waiting for database: " + v.DBErr
	case !v.DBReady:
		return "connecting to database"
	case v.Intent.State == vig.IntentPaused:
		return "paused by " + v.Intent.SetBy
	case v.Intent.State == vig.IntentHalted:
		return "halted by " + v.Intent.SetBy
	}
	return v.Activity
}
