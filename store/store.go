// Package store opens the configured vig.Store: PostgreSQL when
// DATABASE_URL is set, otherwise the embedded SQLite file.
package store

import (
	"context"
	"log/slog"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/config"
	"github.com/vig-bot/vig/store/postgres"
	"github.com/vig-bot/vig/store/sqlite"
)

// Open opens the database c describes. It does not contact a PostgreSQL
// server (the pool connects lazily), so a service can start while the
// database is down and retry.
func Open(ctx context.Context, c config.Common, log *slog.Logger) (vig.Store, error) {
	if c.DatabaseURL.IsSet() {
		return postgres.Open(ctx, c.DatabaseURL.Reveal(), postgres.Options{MaxConns: int32(c.DBMaxConns), Logger: log})
	}
	return sqlite.Open(c.DBPath)
}
