package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/bot"
	"github.com/vig-bot/vig/config"
	"github.com/vig-bot/vig/dashboard"
	"github.com/vig-bot/vig/metrics"
	"github.com/vig-bot/vig/store"
)

// runService is what the long-running services share once configured: the
// logger, signal handling, the store (closed only after the tree has
// stopped, so services never see it closed), the shutdown deadline and the
// exit code. build returns the service's Serve, or nil and an exit code.
func runService(ctx context.Context, name string, c config.Common, stdout io.Writer,
	build func(ctx context.Context, log *slog.Logger, st vig.Store) (serve func(context.Context) error, code int)) int {
	log := newLogger(stdout, c, name)
	ctx, force, stop := signals(ctx, log)
	defer stop()
	st, err := store.Open(ctx, c, log)
	if err != nil {
		log.Error("cannot open the database", "err", err.Error())
		return vig.ExitFailure
	}
	defer st.Close()
	serve, code := build(ctx, log, st)
	if serve == nil {
		return code
	}
	return exitCode(log, serveUntilDone(ctx, force, c.ShutdownTimeout, serve))
}

func runBot(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	getenv, _, code, ok := commandEnv("bot", "Run the trading worker. Configuration: environment variables (vig help env).", args, getenv, stderr, nil)
	if !ok {
		return code
	}
	cfg, err := config.LoadBot(getenv)
	if err != nil {
		return configError(stderr, "bot", err)
	}
	return runService(ctx, "bot", cfg.Common, stdout, func(ctx context.Context, log *slog.Logger, st vig.Store) (func(context.Context) error, int) {
		b := bot.New(bot.Deps{Config: cfg, Store: st, Metrics: metrics.NewRegistry(vig.Build()), Logger: log, Instance: instanceName(getenv)})
		return b.Serve, 0
	})
}

func runDashboard(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	getenv, _, code, ok := commandEnv("dashboard", "Run the web dashboard, JSON API, health checks and /metrics on $PORT.", args, getenv, stderr, nil)
	if !ok {
		return code
	}
	cfg, err := config.LoadDashboard(getenv)
	if err != nil {
		return configError(stderr, "dashboard", err)
	}
	return runService(ctx, "dashboard", cfg.Common, stdout, func(ctx context.Context, log *slog.Logger, st vig.Store) (func(context.Context) error, int) {
		// Refuse a schema from a newer vig: its data could be misread. A
		// database that is down now is fine: the dashboard serves and retries.
		sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		applied, known, err := st.SchemaVersion(sctx)
		cancel()
		switch {
		case err == nil && applied > known:
			err := fmt.Errorf("database schema version %d is newer than this dashboard knows (%d): deploy the matching vig version: %w", applied, known, vig.ErrSchemaTooNew)
			fmt.Fprintf(stderr, "vig dashboard: %v\n", err)
			log.Error("refusing to start", "err", err.Error())
			return nil, vig.ExitFailure
		case err != nil:
			log.Warn("database not reachable at start; serving anyway and retrying", "err", err.Error())
		}
		d := dashboard.New(dashboard.Deps{Config: cfg, Store: st, Metrics: metrics.NewRegistry(vig.Build()), Logger: log})
		return d.Serve, 0
	})
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var status *bool
	var timeout *time.Duration
	getenv, _, code, ok := commandEnv("migrate", "Apply database migrations now (the bot also migrates at start).", args, getenv, stderr,
		func(fs *flag.FlagSet) {
			status = fs.Bool("status", false, "only print the applied and known schema versions")
			timeout = fs.Duration("timeout", 30*time.Second, "give up if the database does not answer within this time")
		})
	if !ok {
		return code
	}
	// The common settings are shared: load them through the dashboard's
	// struct, which has no secrets beyond DATABASE_URL.
	cfg, err := config.LoadDashboard(getenv)
	if err != nil {
		return configError(stderr, "migrate", err)
	}
	log := newLogger(stderr, cfg.Common, "migrate")
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	st, err := store.Open(ctx, cfg.Common, log)
	if err != nil {
		fmt.Fprintf(stderr, "vig migrate: %v\n", err)
		return vig.ExitFailure
	}
	defer st.Close()
	if !*status {
		if err := st.Migrate(ctx); err != nil {
			fmt.Fprintf(stderr, "vig migrate: %s: %v\n", cfg.DatabaseLabel(), err)
			return vig.ExitFailure
		}
	}
	applied, known, err := st.SchemaVersion(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "vig migrate: %v\n", err)
		return vig.ExitFailure
	}
	fmt.Fprintf(stdout, "%s: schema version %d (this build knows %d)\n", cfg.DatabaseLabel(), applied, known)
	if errors.Is(err, vig.ErrSchemaTooNew) || applied > known {
		return vig.ExitFailure
	}
	return vig.ExitOK
}
