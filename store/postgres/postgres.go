// Package postgres implements vig.Store on PostgreSQL with a pgx/v5
// connection pool. It is the production store: the bot and the dashboard run
// as two processes against one database, so every multi-row write is one
// transaction and schema migrations serialize on an advisory lock.
//
// Open never talks to the server. The pool dials lazily and redials after a
// database restart, so the bot can start, report "waiting for database" and
// retry instead of crash-looping while PostgreSQL is down.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/store/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations are parsed once at init: a malformed embedded file is a build
// defect, and every test of this package would catch it.
var migrations = mustLoadMigrations()

func mustLoadMigrations() []migrate.Migration {
	ms, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		panic("postgres: embedded migrations: " + err.Error())
	}
	return ms
}

// migrateLockKey is the pg_advisory_xact_lock key that serializes Migrate
// across processes. Any constant works as long as nothing else in the
// database uses it; this one spells "vig:mig" in ASCII.
const migrateLockKey int64 = 0x7669673a6d6967

// Pool defaults. Railway (and most managed PostgreSQL) drop idle connections
// and restart servers for maintenance, so connections are recycled well
// before an hour and idle ones are checked often enough that a dead pool is
// noticed within seconds rather than on the next trade.
const (
	defaultMaxConnLifetime   = 30 * time.Minute
	defaultHealthCheckPeriod = 15 * time.Second
	defaultConnectTimeout    = 5 * time.Second
)

// errBadURL is deliberately static: pgx's parse errors quote the input
// (best-effort redacted), and a DATABASE_URL carries the password, so no part
// of the input may reach a log line or an error page.
var errBadURL = errors.New("DATABASE_URL: cannot parse PostgreSQL connection string " +
	"(want postgres://user:password@host:port/dbname?sslmode=...; percent-encode special characters in the password)")

// Options tunes the connection pool. The zero value is valid.
type Options struct {
	// MaxConns caps the pool size; <= 0 keeps pgx's default (the larger of 4
	// and the number of CPUs), or pool_max_conns from the URL.
	MaxConns int32
	// Logger receives migration progress. nil means slog.Default().
	Logger *slog.Logger
}

// Store is a vig.Store backed by a PostgreSQL connection pool. It is safe for
// concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
}

var _ vig.Store = (*Store)(nil)

// Open configures a pool for databaseURL without connecting: the first query
// dials. The URL may use any form pgx accepts (URL or keyword/value, plus the
// pool_* and default_query_exec_mode parameters); errors never echo it, since
// it contains the password.
//
// Statements are prepared and cached per connection (pgx's default). Behind a
// transaction-pooling PgBouncer add default_query_exec_mode=exec to the URL.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, errBadURL
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	cfg.MaxConnLifetime = defaultMaxConnLifetime
	cfg.HealthCheckPeriod = defaultHealthCheckPeriod
	// A zero ConnectTimeout means neither connect_timeout in the URL nor
	// PGCONNECT_TIMEOUT was given; without one a dial to a black-holed host
	// hangs until the caller's context expires.
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		// NewWithConfig only fails on an invalid config, which ParseConfig
		// built from the URL; keep the URL out of the message all the same.
		return nil, errors.New("postgres: create connection pool: invalid configuration")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Store{pool: pool, logger: logger.With("component", "store/postgres")}, nil
}

// Pool returns the underlying pgx pool, for pool statistics (a Prometheus
// collector) and for tests. Callers must not close it; use Store.Close.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool, waiting for acquired connections to be released. It
// is safe to call more than once.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Migrate applies every embedded migration newer than the database's version
// in one transaction holding an advisory lock, so a bot and a dashboard
// starting together apply each migration exactly once and a failed migration
// leaves the schema untouched.
func (s *Store) Migrate(ctx context.Context) error {
	known := migrate.Latest(migrations)
	var applied []migrate.Migration
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT        NOT NULL,
			applied_at TIMESTAMPTZ NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if current > known {
			return fmt.Errorf("%w (database at version %d, this build knows %d): run a matching vig version",
				vig.ErrSchemaTooNew, current, known)
		}
		for _, m := range migrations {
			if m.Version <= current {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`,
				m.Version, m.Name); err != nil {
				return fmt.Errorf("record %s: %w", m.Name, err)
			}
			applied = append(applied, m)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	// Log only after commit, so the log never claims a rolled-back migration.
	for _, m := range applied {
		s.logger.Info("applied schema migration", "version", m.Version, "name", m.Name)
	}
	return nil
}

// SchemaVersion returns the applied schema version (0 before the first
// Migrate) and the newest version this build knows. The table is looked up
// through the session's search_path, as every other query is.
func (s *Store) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	known = migrate.Latest(migrations)
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, known, fmt.Errorf("postgres: schema version: %w", err)
	}
	if !exists {
		return 0, known, nil
	}
	if err := s.pool.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return 0, known, fmt.Errorf("postgres: schema version: %w", err)
	}
	return applied, known, nil
}

// dbTime normalizes a time for storage: UTC at microsecond precision, the
// resolution of TIMESTAMPTZ. Truncating here (PostgreSQL would round) makes
// what is read back equal to what the suite expects.
func dbTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// validHeartbeat reports why hb cannot be stored, or nil.
func validHeartbeat(hb vig.Heartbeat) error {
	switch {
	case hb.Service == "":
		return errors.New("heartbeat: empty service name")
	case !hb.State.Valid():
		return fmt.Errorf("heartbeat %q: unknown state %q", hb.Service, hb.State)
	case hb.Restarts < 0:
		return fmt.Errorf("heartbeat %q: negative restarts %d", hb.Service, hb.Restarts)
	}
	return nil
}

// UpsertHeartbeats writes hbs in one transaction, replacing each service's
// previous row. The whole batch is validated first, so a bad row anywhere
// writes nothing.
func (s *Store) UpsertHeartbeats(ctx context.Context, hbs []vig.Heartbeat) error {
	for _, hb := range hbs {
		if err := validHeartbeat(hb); err != nil {
			return fmt.Errorf("postgres: upsert heartbeats: %w", err)
		}
	}
	if len(hbs) == 0 {
		return nil
	}
	// Writing rows in service order means two writers with overlapping
	// batches lock rows in the same order and cannot deadlock.
	sorted := slices.Clone(hbs)
	slices.SortStableFunc(sorted, func(a, b vig.Heartbeat) int { return strings.Compare(a.Service, b.Service) })
	batch := &pgx.Batch{}
	for _, hb := range sorted {
		batch.Queue(`INSERT INTO service_heartbeats
			(service, instance, state, activity, restarts, last_error, since, beat_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (service) DO UPDATE SET
				instance = excluded.instance, state = excluded.state, activity = excluded.activity,
				restarts = excluded.restarts, last_error = excluded.last_error, since = excluded.since,
				beat_at = excluded.beat_at, version = excluded.version`,
			hb.Service, hb.Instance, string(hb.State), hb.Activity, hb.Restarts, hb.LastError,
			dbTime(hb.Since), dbTime(hb.BeatAt), hb.Version)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: upsert heartbeats: %w", err)
	}
	return nil
}

// Heartbeats returns every heartbeat row ordered by service name.
func (s *Store) Heartbeats(ctx context.Context) ([]vig.Heartbeat, error) {
	rows, err := s.pool.Query(ctx, `SELECT service, instance, state, activity, restarts, last_error, since, beat_at, version
		FROM service_heartbeats ORDER BY service`)
	if err != nil {
		return nil, fmt.Errorf("postgres: heartbeats: %w", err)
	}
	hbs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (vig.Heartbeat, error) {
		var hb vig.Heartbeat
		var state string
		err := row.Scan(&hb.Service, &hb.Instance, &state, &hb.Activity, &hb.Restarts, &hb.LastError,
			&hb.Since, &hb.BeatAt, &hb.Version)
		hb.State = vig.ServiceState(state)
		hb.Since, hb.BeatAt = hb.Since.UTC(), hb.BeatAt.UTC()
		return hb, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: heartbeats: %w", err)
	}
	return hbs, nil
}

// AppendEvents inserts evs and trims the table to the newest keep rows (by
// id) in the same transaction, so readers never see it over the bound.
func (s *Store) AppendEvents(ctx context.Context, evs []vig.SupervisorEvent, keep int) error {
	if len(evs) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, e := range evs {
		batch.Queue(`INSERT INTO supervisor_events (at, tree, supervisor, service, kind, message, restarting)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			dbTime(e.At), e.Tree, e.Supervisor, e.Service, e.Kind, e.Message, e.Restarting)
	}
	if keep > 0 {
		// The id of the (keep+1)-th newest row is the cut-off; with fewer
		// rows the subquery is NULL and nothing is deleted.
		batch.Queue(`DELETE FROM supervisor_events
			WHERE id <= (SELECT id FROM supervisor_events ORDER BY id DESC OFFSET $1 LIMIT 1)`, keep)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: append events: %w", err)
	}
	return nil
}

// RecentEvents returns up to limit events, newest first. limit <= 0 returns
// none.
func (s *Store) RecentEvents(ctx context.Context, limit int) ([]vig.SupervisorEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, at, tree, supervisor, service, kind, message, restarting
		FROM supervisor_events ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: recent events: %w", err)
	}
	evs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (vig.SupervisorEvent, error) {
		var e vig.SupervisorEvent
		err := row.Scan(&e.ID, &e.At, &e.Tree, &e.Supervisor, &e.Service, &e.Kind, &e.Message, &e.Restarting)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: recent events: %w", err)
	}
	return evs, nil
}

// EnqueueCommand stores c as a pending command and returns it as stored: with
// its ID, Args defaulted to "{}", times normalized and no ack.
func (s *Store) EnqueueCommand(ctx context.Context, c vig.Command) (vig.Command, error) {
	if !c.Kind.Valid() {
		return vig.Command{}, fmt.Errorf("postgres: enqueue command: unknown kind %q", c.Kind)
	}
	if c.Args == "" {
		c.Args = "{}"
	}
	c.RequestedAt = dbTime(c.RequestedAt)
	c.AckedAt, c.Result = nil, ""
	err := s.pool.QueryRow(ctx, `INSERT INTO operator_commands (kind, args, requested_by, requested_at)
		VALUES ($1, $2, $3, $4) RETURNING id`,
		string(c.Kind), c.Args, c.RequestedBy, c.RequestedAt).Scan(&c.ID)
	if err != nil {
		return vig.Command{}, fmt.Errorf("postgres: enqueue command: %w", err)
	}
	return c, nil
}

// PendingCommands returns up to limit unacknowledged commands, oldest first.
// limit <= 0 returns none.
func (s *Store) PendingCommands(ctx context.Context, limit int) ([]vig.Command, error) {
	if limit <= 0 {
		return nil, nil
	}
	cs, err := s.queryCommands(ctx, `SELECT id, kind, args, requested_by, requested_at, acked_at, result
		FROM operator_commands WHERE acked_at IS NULL ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending commands: %w", err)
	}
	return cs, nil
}

// Commands returns up to limit commands, newest first, acked or not. limit
// <= 0 returns none.
func (s *Store) Commands(ctx context.Context, limit int) ([]vig.Command, error) {
	if limit <= 0 {
		return nil, nil
	}
	cs, err := s.queryCommands(ctx, `SELECT id, kind, args, requested_by, requested_at, acked_at, result
		FROM operator_commands ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: commands: %w", err)
	}
	return cs, nil
}

func (s *Store) queryCommands(ctx context.Context, sql string, args ...any) ([]vig.Command, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (vig.Command, error) {
		var c vig.Command
		var kind string
		err := row.Scan(&c.ID, &kind, &c.Args, &c.RequestedBy, &c.RequestedAt, &c.AckedAt, &c.Result)
		c.Kind = vig.CommandKind(kind)
		c.RequestedAt = c.RequestedAt.UTC()
		if c.AckedAt != nil {
			at := c.AckedAt.UTC()
			c.AckedAt = &at
		}
		return c, err
	})
}

// AckCommand marks pending command id as applied. The "acked_at IS NULL"
// guard makes the update a compare-and-set: of two concurrent acks exactly
// one changes the row, the other gets vig.ErrNotFound.
func (s *Store) AckCommand(ctx context.Context, id int64, at time.Time, result string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE operator_commands SET acked_at = $2, result = $3
		WHERE id = $1 AND acked_at IS NULL`, id, dbTime(at), result)
	if err != nil {
		return fmt.Errorf("postgres: ack command %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: ack command %d: no pending command with that id: %w", id, vig.ErrNotFound)
	}
	return nil
}

// Intent returns the operator's intent; before the first SetIntent it is
// running, set by "default", with a zero SetAt.
func (s *Store) Intent(ctx context.Context) (vig.Intent, error) {
	var in vig.Intent
	var state string
	err := s.pool.QueryRow(ctx, `SELECT state, reason, set_by, set_at FROM operator_intent WHERE id = 1`).
		Scan(&state, &in.Reason, &in.SetBy, &in.SetAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return vig.Intent{State: vig.IntentRunning, SetBy: "default"}, nil
	}
	if err != nil {
		return vig.Intent{}, fmt.Errorf("postgres: intent: %w", err)
	}
	in.State = vig.IntentState(state)
	in.SetAt = in.SetAt.UTC()
	return in, nil
}

// SetIntent replaces the operator's intent (the single row id = 1).
func (s *Store) SetIntent(ctx context.Context, in vig.Intent) error {
	if !in.State.Valid() {
		return fmt.Errorf("postgres: set intent: unknown state %q", in.State)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO operator_intent (id, state, reason, set_by, set_at)
		VALUES (1, $1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET
			state = excluded.state, reason = excluded.reason, set_by = excluded.set_by, set_at = excluded.set_at`,
		string(in.State), in.Reason, in.SetBy, dbTime(in.SetAt))
	if err != nil {
		return fmt.Errorf("postgres: set intent: %w", err)
	}
	return nil
}
