// Package sqlite implements vig.Store on an embedded SQLite file, the default
// when DATABASE_URL is unset. It uses the pure-Go modernc.org/sqlite driver
// (no cgo, so Railpack's CGO_ENABLED=0 build works) in WAL mode with a busy
// timeout, so the bot and the dashboard can share one file as two processes.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/store/migrate"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// timeLayout is how timestamps are stored: UTC, fixed width, microseconds,
// so that text order equals time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// busyTimeout is how long a writer waits for the other process's lock.
const busyTimeout = 10 * time.Second

// Store is a vig.Store on one SQLite file.
type Store struct {
	db         *sql.DB
	path       string
	migrations []migrate.Migration
}

var _ vig.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database at path, creating its
// directory too. It does not migrate.
func Open(path string) (*Store, error) {
	ms, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create directory for %s: %w", path, err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	// BEGIN IMMEDIATE takes the write lock up front, so a read-then-write
	// transaction never hits SQLITE_BUSY on lock upgrade (which ignores the
	// busy timeout) when the other process writes at the same time.
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// One writer at a time is all SQLite allows; a few connections let
	// readers proceed under WAL.
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	return &Store{db: db, path: path, migrations: ms}, nil
}

// Path returns the database file path.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// begin starts a write transaction (BEGIN IMMEDIATE), retrying while the
// other process holds the lock.
func (s *Store) begin(ctx context.Context) (tx *sql.Tx, err error) {
	err = retryBusy(ctx, func() error {
		tx, err = s.db.BeginTx(ctx, nil)
		return err
	})
	return tx, err
}

// retryBusy repeats fn while SQLite answers SQLITE_BUSY or SQLITE_LOCKED,
// up to busyTimeout. The driver's busy_timeout covers most contention, but
// SQLite returns BUSY at once in a few cases (a connection switching the
// file to WAL, or recovering it, while another opens it), which two
// processes starting together on a fresh file do hit.
func retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(busyTimeout)
	wait := 5 * time.Millisecond
	for {
		err := fn()
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(wait*2, 200*time.Millisecond)
	}
}

func isBusy(err error) bool {
	var coder interface{ Code() int }
	if errors.As(err, &coder) {
		switch coder.Code() & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return true
		}
	}
	return false
}

func fmtTime(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: bad stored timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

const createVersionTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// Migrate applies pending migrations in one immediate transaction, which
// serialises concurrent migrators (the bot and `vig migrate`).
func (s *Store) Migrate(ctx context.Context) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if _, err := tx.ExecContext(ctx, createVersionTable); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var applied int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return fmt.Errorf("sqlite: migrate: read version: %w", err)
	}
	known := migrate.Latest(s.migrations)
	if applied > known {
		return fmt.Errorf("database schema version %d is newer than this build knows (%d): run a matching vig version: %w", applied, known, vig.ErrSchemaTooNew)
	}
	for _, m := range s.migrations {
		if m.Version <= applied {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, fmtTime(time.Now())); err != nil {
			return fmt.Errorf("sqlite: record migration %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: commit: %w", err)
	}
	return nil
}

// SchemaVersion returns the applied and the known schema versions.
func (s *Store) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	known = migrate.Latest(s.migrations)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'`).Scan(&n); err != nil {
		return 0, known, fmt.Errorf("sqlite: schema version: %w", err)
	}
	if n == 0 {
		return 0, known, nil
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return 0, known, fmt.Errorf("sqlite: schema version: %w", err)
	}
	return applied, known, nil
}

func validHeartbeat(h vig.Heartbeat) error {
	switch {
	case h.Service == "":
		return errors.New("heartbeat: empty service name")
	case !h.State.Valid():
		return fmt.Errorf("heartbeat %s: invalid state %q", h.Service, h.State)
	case h.Restarts < 0:
		return fmt.Errorf("heartbeat %s: negative restarts", h.Service)
	}
	return nil
}

// UpsertHeartbeats writes all heartbeats in one transaction.
func (s *Store) UpsertHeartbeats(ctx context.Context, hbs []vig.Heartbeat) error {
	for _, h := range hbs {
		if err := validHeartbeat(h); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(hbs) == 0 {
		return nil
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: upsert heartbeats: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck
	for _, h := range hbs {
		_, err := tx.ExecContext(ctx, `INSERT INTO service_heartbeats
			(service, instance, state, activity, restarts, last_error, since, beat_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (service) DO UPDATE SET instance=excluded.instance, state=excluded.state,
			activity=excluded.activity, restarts=excluded.restarts, last_error=excluded.last_error,
			since=excluded.since, beat_at=excluded.beat_at, version=excluded.version`,
			h.Service, h.Instance, string(h.State), h.Activity, h.Restarts, h.LastError,
			fmtTime(h.Since), fmtTime(h.BeatAt), h.Version)
		if err != nil {
			return fmt.Errorf("sqlite: upsert heartbeat %s: %w", h.Service, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: upsert heartbeats: commit: %w", err)
	}
	return nil
}

// Heartbeats returns every heartbeat ordered by service.
func (s *Store) Heartbeats(ctx context.Context) ([]vig.Heartbeat, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT service, instance, state, activity, restarts, last_error, since, beat_at, version
		FROM service_heartbeats ORDER BY service`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: heartbeats: %w", err)
	}
	defer rows.Close()
	var out []vig.Heartbeat
	for rows.Next() {
		var h vig.Heartbeat
		var state, since, beat string
		if err := rows.Scan(&h.Service, &h.Instance, &state, &h.Activity, &h.Restarts, &h.LastError, &since, &beat, &h.Version); err != nil {
			return nil, fmt.Errorf("sqlite: heartbeats: %w", err)
		}
		h.State = vig.ServiceState(state)
		if h.Since, err = parseTime(since); err != nil {
			return nil, err
		}
		if h.BeatAt, err = parseTime(beat); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: heartbeats: %w", err)
	}
	return out, nil
}

// AppendEvents stores events and trims history to the newest keep rows.
func (s *Store) AppendEvents(ctx context.Context, evs []vig.SupervisorEvent, keep int) error {
	if len(evs) == 0 {
		return ctx.Err()
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: append events: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck
	for _, e := range evs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO supervisor_events (at, tree, supervisor, service, kind, message, restarting)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, fmtTime(e.At), e.Tree, e.Supervisor, e.Service, e.Kind, e.Message, e.Restarting); err != nil {
			return fmt.Errorf("sqlite: append event: %w", err)
		}
	}
	if keep > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM supervisor_events WHERE id <= (
			SELECT id FROM supervisor_events ORDER BY id DESC LIMIT 1 OFFSET ?)`, keep); err != nil {
			return fmt.Errorf("sqlite: trim events: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: append events: commit: %w", err)
	}
	return nil
}

// RecentEvents returns up to limit events, newest first.
func (s *Store) RecentEvents(ctx context.Context, limit int) ([]vig.SupervisorEvent, error) {
	limit = max(limit, 0) // SQLite treats a negative LIMIT as "all"
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, tree, supervisor, service, kind, message, restarting
		FROM supervisor_events ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: recent events: %w", err)
	}
	defer rows.Close()
	var out []vig.SupervisorEvent
	for rows.Next() {
		var e vig.SupervisorEvent
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Tree, &e.Supervisor, &e.Service, &e.Kind, &e.Message, &e.Restarting); err != nil {
			return nil, fmt.Errorf("sqlite: recent events: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: recent events: %w", err)
	}
	return out, nil
}

// EnqueueCommand stores a pending command.
func (s *Store) EnqueueCommand(ctx context.Context, c vig.Command) (vig.Command, error) {
	if !c.Kind.Valid() {
		return vig.Command{}, fmt.Errorf("sqlite: enqueue command: unknown kind %q", c.Kind)
	}
	if strings.TrimSpace(c.Args) == "" {
		c.Args = "{}"
	}
	c.RequestedAt = c.RequestedAt.UTC().Truncate(time.Microsecond)
	c.AckedAt, c.Result = nil, ""
	err := retryBusy(ctx, func() error {
		return s.db.QueryRowContext(ctx, `INSERT INTO operator_commands (kind, args, requested_by, requested_at)
		VALUES (?, ?, ?, ?) RETURNING id`, string(c.Kind), c.Args, c.RequestedBy, fmtTime(c.RequestedAt)).Scan(&c.ID)
	})
	if err != nil {
		return vig.Command{}, fmt.Errorf("sqlite: enqueue command: %w", err)
	}
	return c, nil
}

func (s *Store) queryCommands(ctx context.Context, q string, limit int) ([]vig.Command, error) {
	limit = max(limit, 0) // SQLite treats a negative LIMIT as "all"
	rows, err := s.db.QueryContext(ctx, q, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: commands: %w", err)
	}
	defer rows.Close()
	var out []vig.Command
	for rows.Next() {
		var c vig.Command
		var kind, reqAt string
		var acked sql.NullString
		if err := rows.Scan(&c.ID, &kind, &c.Args, &c.RequestedBy, &reqAt, &acked, &c.Result); err != nil {
			return nil, fmt.Errorf("sqlite: commands: %w", err)
		}
		c.Kind = vig.CommandKind(kind)
		if c.RequestedAt, err = parseTime(reqAt); err != nil {
			return nil, err
		}
		if acked.Valid {
			t, err := parseTime(acked.String)
			if err != nil {
				return nil, err
			}
			c.AckedAt = &t
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: commands: %w", err)
	}
	return out, nil
}

const commandCols = `id, kind, args, requested_by, requested_at, acked_at, result`

// PendingCommands returns unacknowledged commands, oldest first.
func (s *Store) PendingCommands(ctx context.Context, limit int) ([]vig.Command, error) {
	return s.queryCommands(ctx, `SELECT `+commandCols+` FROM operator_commands WHERE acked_at IS NULL ORDER BY id LIMIT ?`, limit)
}

// Commands returns commands, newest first.
func (s *Store) Commands(ctx context.Context, limit int) ([]vig.Command, error) {
	return s.queryCommands(ctx, `SELECT `+commandCols+` FROM operator_commands ORDER BY id DESC LIMIT ?`, limit)
}

// AckCommand acknowledges a pending command exactly once.
func (s *Store) AckCommand(ctx context.Context, id int64, at time.Time, result string) error {
	var res sql.Result
	err := retryBusy(ctx, func() (err error) {
		res, err = s.db.ExecContext(ctx, `UPDATE operator_commands SET acked_at = ?, result = ? WHERE id = ? AND acked_at IS NULL`,
			fmtTime(at), result, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: ack command %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: ack command %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: ack command %d: no pending command with that id: %w", id, vig.ErrNotFound)
	}
	return nil
}

// Intent returns the operator's intent (running by default).
func (s *Store) Intent(ctx context.Context) (vig.Intent, error) {
	var in vig.Intent
	var state, setAt string
	err := s.db.QueryRowContext(ctx, `SELECT state, reason, set_by, set_at FROM operator_intent WHERE id = 1`).
		Scan(&state, &in.Reason, &in.SetBy, &setAt)
	if errors.Is(err, sql.ErrNoRows) {
		return vig.Intent{State: vig.IntentRunning, SetBy: "default"}, nil
	}
	if err != nil {
		return vig.Intent{}, fmt.Errorf("sqlite: intent: %w", err)
	}
	in.State = vig.IntentState(state)
	if in.SetAt, err = parseTime(setAt); err != nil {
		return vig.Intent{}, err
	}
	return in, nil
}

// SetIntent replaces the operator's intent.
func (s *Store) SetIntent(ctx context.Context, in vig.Intent) error {
	if !in.State.Valid() {
		return fmt.Errorf("sqlite: set intent: invalid state %q", in.State)
	}
	err := retryBusy(ctx, func() error {
		_, err := s.db.ExecContext(ctx, `INSERT INTO operator_intent (id, state, reason, set_by, set_at) VALUES (1, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET state=excluded.state, reason=excluded.reason, set_by=excluded.set_by, set_at=excluded.set_at`,
			string(in.State), in.Reason, in.SetBy, fmtTime(in.SetAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: set intent: %w", err)
	}
	return nil
}
