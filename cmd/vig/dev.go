package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/config"
	"github.com/vig-bot/vig/devrun"
	"github.com/vig-bot/vig/supervisor"
)

func runDev(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := newFlags("dev", "Run every process of a Procfile locally (default Procfile.dev: dashboard on :8080 and the bot),\n"+
		"each restarted with backoff when it crashes; Ctrl-C stops them all (twice to kill).", stderr)
	procfile := fs.String("f", "Procfile.dev", "Procfile to run")
	envFiles := fs.String("e", ".env", "comma-separated KEY=VALUE files loaded under the real environment (missing files are skipped)")
	basePort := fs.Int("p", 0, "PORT of the first process, +100 for each next one (default $PORT or 8080)")
	killTimeout := fs.Duration("t", 5*time.Second, "grace period between SIGTERM and SIGKILL on shutdown")
	maxRestarts := fs.Int("max-restarts", 10, "restarts of one process tolerated within -window before vig dev gives up (exit 1)")
	window := fs.Duration("window", 5*time.Minute, "window for -max-restarts")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	f, err := os.Open(*procfile)
	if err != nil {
		fmt.Fprintf(stderr, "vig dev: %v\n", err)
		return vig.ExitUsage
	}
	procs, err := devrun.ParseProcfile(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "vig dev: %s: %v\n", *procfile, err)
		return vig.ExitUsage
	}
	vals := map[string]string{}
	for _, p := range strings.Split(*envFiles, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		m, err := config.LoadDotEnv(p)
		if err != nil {
			fmt.Fprintf(stderr, "vig dev: %v\n", err)
			return vig.ExitUsage
		}
		for k, v := range m {
			if _, dup := vals[k]; !dup {
				vals[k] = v
			}
		}
	}
	env := os.Environ()
	for k, v := range vals {
		if getenv(k) == "" {
			env = append(env, k+"="+v)
		}
	}
	port := *basePort
	if port == 0 {
		port = 8080
		if p, err := strconv.Atoi(config.Overlay(getenv, vals)("PORT")); err == nil && p > 0 {
			port = p
		}
	}
	color := false
	if fh, ok := stdout.(*os.File); ok && isatty.IsTerminal(fh.Fd()) {
		color = true
	}
	// Children run "vig …" from the same binary as this one.
	self, _ := os.Executable()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("svc", "dev")
	ctx, force, stop := signals(ctx, log)
	defer stop()
	err = devrun.Run(ctx, devrun.Options{
		Procs:       procs,
		Env:         env,
		BasePort:    port,
		PortStep:    100,
		PathPrepend: filepath.Dir(self),
		KillTimeout: *killTimeout,
		Escalation:  supervisor.Escalation{MaxRestarts: *maxRestarts, Window: *window},
		Stdout:      stdout,
		Color:       color,
		Force:       force,
		Logger:      log,
	})
	if err != nil {
		fmt.Fprintf(stderr, "vig dev: %v\n", err)
		return vig.ExitFailure
	}
	return vig.ExitOK
}
