// Package storetest is the conformance suite every vig.Store implementation
// must pass. It is the executable specification of the vig.Store interface:
// store/sqlite and store/postgres both run it against a real database.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vig-bot/vig"
)

// Factory prepares a fresh, empty (unmigrated) database for one test and
// returns a function that opens a new handle to it. Calling open twice gives
// two independent handles to the same database, as the bot and the
// dashboard processes have. The factory registers cleanup with t.
type Factory func(t *testing.T) (open func() vig.Store)

// BumpSchema records a schema version one newer than the build knows, as a
// newer vig would have done. Each implementation's test supplies it, since it
// is the only part of the suite that needs dialect SQL.
type BumpSchema func(t *testing.T, s vig.Store)

// Run runs the whole conformance suite.
func Run(t *testing.T, factory Factory, bump BumpSchema) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, open func() vig.Store)
	}{
		{"Migrate", testMigrate},
		{"MigrateConcurrent", testMigrateConcurrent},
		{"SchemaTooNew", func(t *testing.T, open func() vig.Store) { testSchemaTooNew(t, open, bump) }},
		{"Heartbeats", testHeartbeats},
		{"HeartbeatsTwoHandles", testHeartbeatsTwoHandles},
		{"HeartbeatValidation", testHeartbeatValidation},
		{"Events", testEvents},
		{"Commands", testCommands},
		{"CommandAckOnce", testCommandAckOnce},
		{"Intent", testIntent},
		{"TimesAreUTC", testTimesAreUTC},
		{"ContextCancelled", testContextCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open := factory(t)
			tt.fn(t, open)
		})
	}
}

// MustOpen opens a handle and registers its Close with t.
func MustOpen(t *testing.T, open func() vig.Store) vig.Store {
	t.Helper()
	s := open()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// MustMigrated opens a handle and migrates the database.
func MustMigrated(t *testing.T, open func() vig.Store) vig.Store {
	t.Helper()
	s := MustOpen(t, open)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// ts returns a UTC time with microsecond precision, the store's resolution.
func ts(sec int) time.Time {
	return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC).Add(time.Duration(sec)*time.Second + 123456*time.Microsecond)
}

func testMigrate(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	s := MustOpen(t, open)
	applied, known, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatalf("SchemaVersion before migrate: %v", err)
	}
	if applied != 0 {
		t.Errorf("applied before migrate = %d, want 0", applied)
	}
	if known < 1 {
		t.Fatalf("known = %d, want >= 1", known)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second migrate must be a no-op: %v", err)
	}
	applied, known2, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if applied != known || known2 != known {
		t.Errorf("after migrate applied=%d known=%d, want both %d", applied, known2, known)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
}

func testMigrateConcurrent(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	a, b := MustOpen(t, open), MustOpen(t, open)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []vig.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrate %d: %v", i, err)
		}
	}
	applied, known, err := a.SchemaVersion(ctx)
	if err != nil || applied != known {
		t.Errorf("applied=%d known=%d err=%v", applied, known, err)
	}
}

func testSchemaTooNew(t *testing.T, open func() vig.Store, bump BumpSchema) {
	ctx := context.Background()
	s := MustMigrated(t, open)
	bump(t, s)
	applied, known, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if applied != known+1 {
		t.Fatalf("after bump applied=%d known=%d, want applied=known+1", applied, known)
	}
	if err := s.Migrate(ctx); !errors.Is(err, vig.ErrSchemaTooNew) {
		t.Errorf("Migrate on a newer schema = %v, want ErrSchemaTooNew", err)
	}
}

func testHeartbeats(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	s := MustMigrated(t, open)
	got, err := s.Heartbeats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("fresh store has %d heartbeats", len(got))
	}
	first := []vig.Heartbeat{
		{Service: "bot/core/heartbeat", Instance: "h/1", State: vig.StateRunning, Since: ts(0), BeatAt: ts(1), Version: "v1"},
		{Service: "bot", Instance: "h/1", State: vig.StateRunning, Activity: "idle", Restarts: 0, Since: ts(0), BeatAt: ts(1), Version: "v1"},
	}
	if err := s.UpsertHeartbeats(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := []vig.Heartbeat{
		{Service: "bot", Instance: "h/2", State: vig.StateStopped, Activity: "shut down", Restarts: 3, LastError: "boom: it's \"quoted\"", Since: ts(5), BeatAt: ts(6), Version: "v2"},
	}
	if err := s.UpsertHeartbeats(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err = s.Heartbeats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []vig.Heartbeat{second[0], first[0]}
	if len(got) != len(want) {
		t.Fatalf("got %d heartbeats, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !heartbeatEqual(got[i], want[i]) {
			t.Errorf("heartbeat %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if err := s.UpsertHeartbeats(ctx, nil); err != nil {
		t.Errorf("empty upsert: %v", err)
	}
}

func heartbeatEqual(a, b vig.Heartbeat) bool {
	return a.Service == b.Service && a.Instance == b.Instance && a.State == b.State &&
		a.Activity == b.Activity && a.Restarts == b.Restarts && a.LastError == b.LastError &&
		a.Since.Equal(b.Since) && a.BeatAt.Equal(b.BeatAt) && a.Version == b.Version
}

// Two handles (two processes) write and read at the same time; nothing is
// lost and nobody gets a "database is locked" error.
func testHeartbeatsTwoHandles(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	a := MustMigrated(t, open)
	b := MustOpen(t, open)
	const n = 40
	var wg sync.WaitGroup
	errc := make(chan error, 3*n)
	for w, s := range []vig.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				hb := vig.Heartbeat{Service: fmt.Sprintf("svc-%d", w), Instance: "x", State: vig.StateRunning,
					Restarts: int64(i), Since: ts(0), BeatAt: ts(i)}
				if err := s.UpsertHeartbeats(ctx, []vig.Heartbeat{hb}); err != nil {
					errc <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			if _, err := b.Heartbeats(ctx); err != nil {
				errc <- fmt.Errorf("reader: %w", err)
				return
			}
		}
	}()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	got, err := a.Heartbeats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d rows, want 2", len(got))
	}
	for _, hb := range got {
		if hb.Restarts != n-1 {
			t.Errorf("%s restarts = %d, want %d (last write wins)", hb.Service, hb.Restarts, n-1)
		}
	}
}

func testHeartbeatValidation(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	s := MustMigrated(t, open)
	good := vig.Heartbeat{Service: "bot", Instance: "x", State: vig.StateRunning, Since: ts(0), BeatAt: ts(0)}
	bad := []vig.Heartbeat{
		func() vig.Heartbeat { h := good; h.Service = ""; return h }(),
		func() vig.Heartbeat { h := good; h.State = "dancing"; return h }(),
		func() vig.Heartbeat { h := good; h.Restarts = -1; return h }(),
	}
	for i, h := range bad {
		// The good row comes first: a rejected batch must leave nothing behind.
		if err := s.UpsertHeartbeats(ctx, []vig.Heartbeat{good, h}); err == nil {
			t.Errorf("bad heartbeat %d accepted", i)
		}
	}
	got, err := s.Heartbeats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("a rejected batch wrote %d rows", len(got))
	}
}

func testEvents(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	s := MustMigrated(t, open)
	var evs []vig.SupervisorEvent
	for i := 0; i < 7; i++ {
		evs = append(evs, vig.SupervisorEvent{At: ts(i), Tree: "bot", Supervisor: "core", Service: "heartbeat",
			Kind: "terminate", Message: fmt.Sprintf("err %d", i), Restarting: i%2 == 0})
	}
	if err := s.AppendEvents(ctx, evs[:4], 0); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvents(ctx, evs[4:], 5); err != nil {
		t.Fatal(err)
	}
	got, err := s.RecentEvents(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("kept %d events, want 5", len(got))
	}
	for i, e := range got {
		want := evs[6-i]
		if e.Message != want.Message || !e.At.Equal(want.At) || e.Restarting != want.Restarting ||
			e.Tree != want.Tree || e.Supervisor != want.Supervisor || e.Service != want.Service || e.Kind != want.Kind {
			t.Errorf("event %d = %+v, want %+v", i, e, want)
		}
		if i > 0 && e.ID >= got[i-1].ID {
			t.Errorf("ids not decreasing: %d then %d", got[i-1].ID, e.ID)
		}
	}
	got, err = s.RecentEvents(ctx, 2)
	if err != nil || len(got) != 2 || got[0].Message != "err 6" {
		t.Errorf("limit 2: %+v, %v", got, err)
	}
	if err := s.AppendEvents(ctx, nil, 5); err != nil {
		t.Errorf("empty append: %v", err)
	}
}

func testCommands(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	s := MustMigrated(t, open)
	if _, err := s.EnqueueCommand(ctx, vig.Command{Kind: "explode", RequestedBy: "op", RequestedAt: ts(0)}); err == nil {
		t.Error("unknown command kind accepted")
	}
	c1, err := s.EnqueueCommand(ctx, vig.Command{Kind: vig.CommandPause, Args: `{"reason":"manual"}`, RequestedBy: "alice", RequestedAt: ts(1)})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := s.EnqueueCommand(ctx, vig.Command{Kind: vig.CommandResume, RequestedBy: "bob", RequestedAt: ts(2)})
	if err != nil {
		t.Fatal(err)
	}
	if c1.ID <= 0 || c2.ID <= c1.ID {
		t.Fatalf("ids %d, %d: want positive and increasing", c1.ID, c2.ID)
	}
	if c2.Args != "{}" {
		t.Errorf("empty args stored as %q, want {}", c2.Args)
	}
	pending, err := s.PendingCommands(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].ID != c1.ID || pending[1].ID != c2.ID {
		t.Fatalf("pending = %+v, want c1, c2 oldest first", pending)
	}
	if p := pending[0]; p.Kind != vig.CommandPause || p.Args != `{"reason":"manual"}` || p.RequestedBy != "alice" ||
		!p.RequestedAt.Equal(ts(1)) || p.AckedAt != nil || p.Result != "" {
		t.Errorf("pending[0] = %+v", p)
	}
	if err := s.AckCommand(ctx, c1.ID, ts(3), "ok: paused"); err != nil {
		t.Fatal(err)
	}
	pending, err = s.PendingCommands(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].ID != c2.ID {
		t.Fatalf("pending after ack = %+v, %v", pending, err)
	}
	all, err := s.Commands(ctx, 10)
	if err != nil || len(all) != 2 {
		t.Fatalf("commands = %+v, %v", all, err)
	}
	if all[0].ID != c2.ID || all[1].ID != c1.ID {
		t.Errorf("commands not newest first: %d, %d", all[0].ID, all[1].ID)
	}
	if a := all[1]; a.AckedAt == nil || !a.AckedAt.Equal(ts(3)) || a.Result != "ok: paused" {
		t.Errorf("acked command = %+v", a)
	}
	if err := s.AckCommand(ctx, 999999, ts(4), "x"); !errors.Is(err, vig.ErrNotFound) {
		t.Errorf("ack of missing id: %v, want ErrNotFound", err)
	}
}

func testCommandAckOnce(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	a := MustMigrated(t, open)
	b := MustOpen(t, open)
	c, err := a.EnqueueCommand(ctx, vig.Command{Kind: vig.CommandRestart, RequestedBy: "op", RequestedAt: ts(0)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]error, 2)
	for i, s := range []vig.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.AckCommand(ctx, c.ID, ts(1+i), fmt.Sprintf("ok: by %d", i))
		}()
	}
	wg.Wait()
	oks := 0
	for _, err := range results {
		switch {
		case err == nil:
			oks++
		case errors.Is(err, vig.ErrNotFound):
		default:
			t.Errorf("ack: %v", err)
		}
	}
	if oks != 1 {
		t.Errorf("%d acks succeeded, want exactly 1", oks)
	}
}

func testIntent(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	s := MustMigrated(t, open)
	in, err := s.Intent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if in.State != vig.IntentRunning || in.SetBy != "default" {
		t.Errorf("fresh intent = %+v, want running by default", in)
	}
	want := vig.Intent{State: vig.IntentPaused, Reason: "circuit breaker: 5 losses", SetBy: "alice", SetAt: ts(9)}
	if err := s.SetIntent(ctx, want); err != nil {
		t.Fatal(err)
	}
	// A second handle (the other process) sees it.
	other := MustOpen(t, open)
	got, err := other.Intent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != want.State || got.Reason != want.Reason || got.SetBy != want.SetBy || !got.SetAt.Equal(want.SetAt) {
		t.Errorf("intent = %+v, want %+v", got, want)
	}
	if err := s.SetIntent(ctx, vig.Intent{State: "sleepy", SetBy: "x", SetAt: ts(10)}); err == nil {
		t.Error("invalid intent accepted")
	}
	got, _ = s.Intent(ctx)
	if got.State != vig.IntentPaused {
		t.Errorf("rejected SetIntent changed state to %q", got.State)
	}
}

func testTimesAreUTC(t *testing.T, open func() vig.Store) {
	ctx := context.Background()
	s := MustMigrated(t, open)
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	local := time.Date(2026, 11, 28, 17, 30, 0, 987654321, zone) // = 12:00:00.987654 UTC
	if err := s.UpsertHeartbeats(ctx, []vig.Heartbeat{{Service: "bot", Instance: "x", State: vig.StateRunning, Since: local, BeatAt: local}}); err != nil {
		t.Fatal(err)
	}
	hbs, err := s.Heartbeats(ctx)
	if err != nil || len(hbs) != 1 {
		t.Fatalf("%+v %v", hbs, err)
	}
	got := hbs[0].BeatAt
	if got.Location() != time.UTC {
		t.Errorf("location = %v, want UTC", got.Location())
	}
	if want := local.Truncate(time.Microsecond); !got.Equal(want) {
		t.Errorf("beat_at = %v, want %v (microsecond precision)", got, want.UTC())
	}
}

func testContextCancelled(t *testing.T, open func() vig.Store) {
	s := MustMigrated(t, open)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Heartbeats(ctx); err == nil {
		t.Error("Heartbeats with a cancelled context succeeded")
	}
	if err := s.UpsertHeartbeats(ctx, []vig.Heartbeat{{Service: "bot", Instance: "x", State: vig.StateRunning, Since: ts(0), BeatAt: ts(0)}}); err == nil {
		t.Error("UpsertHeartbeats with a cancelled context succeeded")
	}
}
