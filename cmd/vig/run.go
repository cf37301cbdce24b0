package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/config"
)

const usage = `vig — Polymarket favourite-buying bot and its dashboard

Usage:
  vig bot         run the trading worker (supervised: heartbeat, commands, ops listener, …)
  vig dashboard   run the web dashboard and API on $PORT
  vig dev         run Procfile.dev locally: dashboard + bot, restarted on crash
  vig migrate     apply database migrations now
  vig ctl         send an operator command to the bot: pause, resume, halt, restart
  vig sim         serve an offline Polymarket simulator (Gamma, CLOB, Data, geoblock)
  vig doctor      check configuration, database, venue reachability, auth and balances
  vig version     print version information
  vig help [command | env]

Each command accepts -h. Configuration comes from environment variables
(and ./.env if present); "vig help env" lists them.

Exit codes: 0 clean stop, 1 runtime failure or supervision escalation,
2 usage or configuration error, 3 restart requested by an operator.
`

// run is the whole program; main only supplies the process's environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return vig.ExitUsage
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "bot":
		return runBot(ctx, rest, getenv, stdout, stderr)
	case "dashboard":
		return runDashboard(ctx, rest, getenv, stdout, stderr)
	case "dev":
		return runDev(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "ctl":
		return runCtl(ctx, rest, getenv, stdout, stderr)
	case "sim":
		return runSim(ctx, rest, getenv, stdout, stderr)
	case "doctor":
		return runDoctor(ctx, rest, getenv, stdout, stderr)
	case "version", "-version", "--version":
		b := vig.Build()
		fmt.Fprintf(stdout, "vig %s (revision %s, %s)\n", b.Version, b.Revision, b.GoVersion)
		return vig.ExitOK
	case "help", "-h", "-help", "--help":
		return runHelp(rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "vig: unknown command %q\n\n%s", cmd, usage)
		return vig.ExitUsage
	}
}

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return vig.ExitOK
	}
	switch args[0] {
	case "env":
		config.WriteTable(stdout)
		return vig.ExitOK
	case "bot", "dashboard", "dev", "migrate", "ctl", "sim", "doctor":
		return run(context.Background(), []string{"vig", args[0], "-h"}, func(string) string { return "" }, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "vig version: print the version, VCS revision and Go version")
		return vig.ExitOK
	}
	fmt.Fprintf(stderr, "vig help: unknown topic %q\n", args[0])
	return vig.ExitUsage
}

// newFlags returns a flag set that prints its usage to stderr and never
// exits the process.
func newFlags(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("vig "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: vig %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args that take no positional arguments; -h is exit 0,
// anything else wrong is exit 2.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	return parseFlagsN(fs, args, 0)
}

// parseFlagsN is parseFlags allowing up to maxArgs positional arguments.
func parseFlagsN(fs *flag.FlagSet, args []string, maxArgs int) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return vig.ExitOK, false
		}
		return vig.ExitUsage, false
	}
	if fs.NArg() > maxArgs {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(maxArgs))
		fs.Usage()
		return vig.ExitUsage, false
	}
	return 0, true
}

// commandEnv parses a command's flags (the shared -env-file plus any that
// extra adds) and returns the environment with the .env file overlaid.
// ok is false when the command must stop with code (help, bad usage or a
// malformed .env file).
func commandEnv(name, summary string, args []string, getenv func(string) string, stderr io.Writer,
	extra func(*flag.FlagSet)) (env func(string) string, fs *flag.FlagSet, code int, ok bool) {
	return commandEnvN(name, summary, args, 0, getenv, stderr, extra)
}

// commandEnvN is commandEnv allowing up to maxArgs positional arguments.
func commandEnvN(name, summary string, args []string, maxArgs int, getenv func(string) string, stderr io.Writer,
	extra func(*flag.FlagSet)) (env func(string) string, fs *flag.FlagSet, code int, ok bool) {
	fs = newFlags(name, summary, stderr)
	envFile := fs.String("env-file", ".env", "optional KEY=VALUE file read under the real environment")
	if extra != nil {
		extra(fs)
	}
	if code, ok := parseFlagsN(fs, args, maxArgs); !ok {
		return nil, fs, code, false
	}
	env, _, err := envWithDotEnv(getenv, *envFile)
	if err != nil {
		return nil, fs, configError(stderr, name, err), false
	}
	return env, fs, 0, true
}

// envWithDotEnv overlays the .env file (if present) under the real
// environment. A malformed file is a usage error.
func envWithDotEnv(getenv func(string) string, path string) (func(string) string, map[string]string, error) {
	vals, err := config.LoadDotEnv(path)
	if err != nil {
		return nil, nil, err
	}
	return config.Overlay(getenv, vals), vals, nil
}

// newLogger builds the process logger: JSON when LOG_FORMAT=json or stdout
// is not a terminal (Railway parses JSON levels), text otherwise.
func newLogger(w io.Writer, c config.Common, service string) *slog.Logger {
	format := c.LogFormat
	if format == "auto" || format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "text"
		}
	}
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(h).With("svc", service)
}

// configError prints a configuration problem and returns exit code 2.
func configError(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "vig %s: %v\n", cmd, err)
	return vig.ExitUsage
}

// signals returns a context cancelled on the first SIGINT/SIGTERM and a
// channel closed on the second (force: stop waiting for a graceful exit).
func signals(ctx context.Context, log *slog.Logger) (context.Context, <-chan struct{}, func()) {
	ctx, cancel := context.WithCancel(ctx)
	force := make(chan struct{})
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-done:
				return
			case s := <-sigc:
				n++
				if n == 1 {
					log.Info("signal received: shutting down gracefully (send it again to force)", "signal", s.String())
					cancel()
				} else {
					log.Warn("second signal: forcing exit", "signal", s.String())
					close(force)
					return
				}
			}
		}
	}()
	stop := func() {
		signal.Stop(sigc)
		close(done)
		cancel()
	}
	return ctx, force, stop
}

var (
	errShutdownDeadline = errors.New("graceful shutdown deadline exceeded")
	errForced           = errors.New("shutdown forced by a second signal")
)

// serveUntilDone runs serve and, once ctx is cancelled, gives it timeout to
// return; a second signal (force) stops waiting at once.
func serveUntilDone(ctx context.Context, force <-chan struct{}, timeout time.Duration, serve func(context.Context) error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-errc:
		return err
	case <-t.C:
		return errShutdownDeadline
	case <-force:
		return errForced
	}
}

// exitCode maps a service's final error to the documented exit codes.
func exitCode(log *slog.Logger, err error) int {
	switch {
	case err == nil:
		log.Info("stopped cleanly")
		return vig.ExitOK
	case errors.Is(err, vig.ErrRestartRequested):
		log.Warn("exiting for an operator-requested restart", "exit_code", vig.ExitRestartRequested)
		return vig.ExitRestartRequested
	case errors.Is(err, vig.ErrEscalated):
		log.Error("supervision escalated; exiting so the platform restarts the process", "err", err.Error(), "exit_code", vig.ExitFailure)
		return vig.ExitFailure
	default:
		log.Error("exiting on failure", "err", err.Error(), "exit_code", vig.ExitFailure)
		return vig.ExitFailure
	}
}

func instanceName(getenv func(string) string) string {
	host, _ := os.Hostname()
	if r := getenv("RAILWAY_REPLICA_ID"); r != "" {
		host = r
	}
	return fmt.Sprintf("%s/%d", strings.TrimSpace(host), os.Getpid())
}
