package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/config"
	"github.com/vig-bot/vig/store"
)

// runCtl queues an operator command for the bot through the shared
// database — the same path the dashboard's controls will use — and, unless
// -wait is 0, waits for the bot to acknowledge it.
func runCtl(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var reason, by *string
	var wait *time.Duration
	getenv, fs, code, ok := commandEnvN("ctl", "Send an operator command to the bot through the database:\n"+
		"  vig ctl [flags] pause|resume|halt|restart\n"+
		"pause stops new bets (settling and redeeming go on), halt stops all trading activity, resume undoes both,\n"+
		"restart makes the bot exit with code 3 so its restart policy brings it back. The intent persists across restarts.",
		args, 1, getenv, stderr, func(fs *flag.FlagSet) {
			reason = fs.String("reason", "", "why (shown on the dashboard)")
			by = fs.String("by", "", "who is asking (default: $USER@host)")
			wait = fs.Duration("wait", 30*time.Second, "wait this long for the bot to acknowledge; 0 returns at once")
		})
	if !ok {
		return code
	}
	if fs.NArg() != 1 || !vig.CommandKind(fs.Arg(0)).Valid() {
		fmt.Fprintln(stderr, "vig ctl: want exactly one command: pause, resume, halt or restart")
		fs.Usage()
		return vig.ExitUsage
	}
	kind := vig.CommandKind(fs.Arg(0))
	cfg, err := config.LoadDashboard(getenv)
	if err != nil {
		return configError(stderr, "ctl", err)
	}
	if *by == "" {
		*by = "cli"
		if u, err := user.Current(); err == nil {
			host, _ := os.Hostname()
			*by = u.Username + "@" + host
		}
	}
	argsJSON := "{}"
	if *reason != "" {
		argsJSON = fmt.Sprintf(`{"reason":%q}`, *reason)
	}
	log := newLogger(stderr, cfg.Common, "ctl")
	st, err := store.Open(ctx, cfg.Common, log)
	if err != nil {
		fmt.Fprintf(stderr, "vig ctl: %v\n", err)
		return vig.ExitFailure
	}
	defer st.Close()
	qctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if applied, known, err := st.SchemaVersion(qctx); err != nil || applied < known {
		fmt.Fprintf(stderr, "vig ctl: %s is not ready (schema %d of %d, %v): start the bot or run `vig migrate` first\n", cfg.DatabaseLabel(), applied, known, err)
		return vig.ExitFailure
	}
	cmd, err := st.EnqueueCommand(qctx, vig.Command{Kind: kind, Args: argsJSON, RequestedBy: *by, RequestedAt: time.Now()})
	if err != nil {
		fmt.Fprintf(stderr, "vig ctl: %v\n", err)
		return vig.ExitFailure
	}
	fmt.Fprintf(stdout, "queued command %d: %s (by %s)\n", cmd.ID, kind, *by)
	if *wait == 0 {
		return vig.ExitOK
	}
	deadline := time.Now().Add(*wait)
	for time.Now().Before(deadline) {
		cmds, err := st.Commands(ctx, 50)
		if err == nil {
			for _, c := range cmds {
				if c.ID == cmd.ID && c.AckedAt != nil {
					fmt.Fprintf(stdout, "acknowledged by the bot: %s\n", c.Result)
					return vig.ExitOK
				}
			}
		}
		select {
		case <-ctx.Done():
			return vig.ExitFailure
		case <-time.After(250 * time.Millisecond):
		}
	}
	fmt.Fprintf(stderr, "vig ctl: the bot did not acknowledge command %d within %s (is it running?); it stays queued\n", cmd.ID, *wait)
	return vig.ExitFailure
}
