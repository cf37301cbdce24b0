package vig

import (
	"context"
	"time"
)

// Store is Vig's persistent state, shared by the bot and the dashboard. Two
// implementations exist, store/sqlite (embedded, the default) and
// store/postgres (production); both pass the conformance suite in
// store/storetest, which is the precise specification of this interface.
//
// All times are stored and returned in UTC with microsecond precision.
// Implementations are safe for concurrent use, including by two processes
// sharing one database.
type Store interface {
	// Migrate applies every embedded migration newer than the database's
	// version. It is safe to call concurrently from two processes. It fails
	// with ErrSchemaTooNew when the database is newer than this build.
	Migrate(ctx context.Context) error
	// SchemaVersion returns the applied schema version (0 for an empty
	// database) and the newest version this build knows.
	SchemaVersion(ctx context.Context) (applied, known int, err error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error

	// UpsertHeartbeats writes the given heartbeats atomically, replacing the
	// previous row of each service.
	UpsertHeartbeats(ctx context.Context, hbs []Heartbeat) error
	// Heartbeats returns every heartbeat row ordered by service name.
	Heartbeats(ctx context.Context) ([]Heartbeat, error)

	// AppendEvents stores events and keeps only the newest keep events
	// (keep <= 0 keeps all). IDs are assigned by the store, increasing.
	AppendEvents(ctx context.Context, evs []SupervisorEvent, keep int) error
	// RecentEvents returns up to limit events, newest first.
	RecentEvents(ctx context.Context, limit int) ([]SupervisorEvent, error)

	// EnqueueCommand stores a new pending command and returns it with its ID.
	EnqueueCommand(ctx context.Context, c Command) (Command, error)
	// PendingCommands returns up to limit unacknowledged commands, oldest first.
	PendingCommands(ctx context.Context, limit int) ([]Command, error)
	// AckCommand marks a pending command as applied with its result. Acking
	// an already acknowledged command returns ErrNotFound and changes nothing,
	// so a command is applied at most once.
	AckCommand(ctx context.Context, id int64, at time.Time, result string) error
	// Commands returns up to limit commands, newest first, acked or not.
	Commands(ctx context.Context, limit int) ([]Command, error)

	// Intent returns the operator's intent; a fresh database says running,
	// set by "default".
	Intent(ctx context.Context) (Intent, error)
	// SetIntent replaces the operator's intent.
	SetIntent(ctx context.Context, in Intent) error

	// Close releases the database handle.
	Close() error
}
