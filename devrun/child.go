package devrun

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/thejerf/suture/v4"
)

// child is the suture service of one proc. Each Serve call is one run of
// the child process; suture calls Serve again after it returns.
type child struct {
	r       *runner
	name    string
	command string
	color   int
	env     []string

	// delay is waited before the next start: 0 at first, then doubling
	// from MinBackoff. suture never runs one service's Serve concurrently.
	delay time.Duration
}

// String is the service name in the tree, logs and metrics.
func (c *child) String() string { return c.name }

// errRunnerClosed stops a Serve that suture starts after Run stopped waiting.
var errRunnerClosed = fmt.Errorf("devrun: runner stopped: %w", suture.ErrDoNotRestart)

// Serve waits the restart delay, runs the child once and waits for it. It
// returns ctx.Err() after stopping the child when ctx is cancelled, and an
// error describing the exit otherwise: a child ending on its own is always
// a failure to restart (suture would treat nil the same way).
func (c *child) Serve(ctx context.Context) error {
	if !c.r.enter() {
		return errRunnerClosed
	}
	defer c.r.leave()
	if c.delay > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.r.opts.Clock.After(c.delay):
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.runOnce(ctx)
}

func (c *child) runOnce(ctx context.Context) error {
	out := c.r.out
	pr, pw, err := os.Pipe()
	if err != nil {
		return c.failedStart(err)
	}
	cmd := exec.Command(c.r.shell, "-c", c.command)
	cmd.Env = c.env
	// An *os.File is handed to the child as is: no copying goroutine, so
	// Wait returns when the child exits even if a grandchild keeps the
	// pipe open. stdin is /dev/null.
	cmd.Stdout, cmd.Stderr = pw, pw
	setpgid(cmd)
	err = cmd.Start()
	_ = pw.Close() // the children hold their own copies
	if err != nil {
		_ = pr.Close()
		return c.failedStart(err)
	}
	pgid := cmd.Process.Pid
	startedAt := c.r.opts.Clock.Now()
	out.sys("%s started (pid %d)", c.name, pgid)

	lines := &lineBuffer{emit: func(s string) { out.line(c.name, c.color, s) }}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		lines.copyLines(pr)
	}()
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the status is in cmd.ProcessState
		close(exited)
	}()

	select {
	case <-exited:
		if groupAlive(pgid) {
			out.sys("%s exited but left processes in its group; stopping them", c.name)
			c.terminate(pgid, exited)
		}
		drain(pr, readDone)
		ran := c.r.opts.Clock.Now().Sub(startedAt)
		c.nextDelay(ran)
		c.r.exits.WithLabelValues(c.name).Inc()
		what := describe(cmd.ProcessState)
		out.sys("%s %s; restarting in %s", c.name, what, c.delay)
		return fmt.Errorf("%s %s", c.name, what)
	case <-ctx.Done():
		out.sys("sending SIGTERM to %s", c.name)
		c.terminate(pgid, exited)
		drain(pr, readDone)
		out.sys("%s stopped (%s)", c.name, cmd.ProcessState)
		return ctx.Err()
	}
}

// failedStart handles a child that could not even be started (no shell,
// no pipe): it backs off like a crash.
func (c *child) failedStart(err error) error {
	c.nextDelay(0)
	c.r.out.sys("%s failed to start: %v; restarting in %s", c.name, err, c.delay)
	return fmt.Errorf("start %s: %w", c.name, err)
}

// nextDelay doubles the restart delay, or resets it to MinBackoff once the
// child had run longer than MaxBackoff (it was healthy for a while).
func (c *child) nextDelay(ran time.Duration) {
	o := c.r.opts
	if c.delay == 0 || ran > o.MaxBackoff {
		c.delay = o.MinBackoff
		return
	}
	c.delay = min(2*c.delay, o.MaxBackoff)
}

// terminate stops every process in the group: SIGTERM, then SIGKILL after
// KillTimeout or as soon as Force is closed. It returns once the leader is
// reaped and no member is left running (bounded after SIGKILL).
func (c *child) terminate(pgid int, exited <-chan struct{}) {
	_ = termGroup(pgid)
	grace := time.NewTimer(c.r.opts.KillTimeout)
	defer grace.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	leader := exited
	for {
		select {
		case <-leader:
			leader = nil
		case <-tick.C:
		case <-grace.C:
			c.r.out.sys("%s did not stop within %s; sending SIGKILL", c.name, c.r.opts.KillTimeout)
			c.kill(pgid, exited)
			return
		case <-c.r.opts.Force:
			c.r.out.sys("forced stop: sending SIGKILL to %s", c.name)
			c.kill(pgid, exited)
			return
		}
		if leader == nil && !groupAlive(pgid) {
			return
		}
	}
}

// kill SIGKILLs the group and waits for the leader and then, bounded, for
// the rest of the group. SIGKILL cannot be caught, so both are quick.
func (c *child) kill(pgid int, exited <-chan struct{}) {
	_ = killGroup(pgid)
	<-exited
	deadline := time.Now().Add(reapTimeout)
	for groupAlive(pgid) {
		if time.Now().After(deadline) {
			c.r.out.sys("%s: processes of group %d survived SIGKILL", c.name, pgid)
			return
		}
		time.Sleep(pollInterval)
		_ = killGroup(pgid)
	}
}

// drain waits for the output reader to hit EOF, which it does once every
// process holding the pipe is gone. A process that left the group (setsid)
// could hold it forever, so after drainTimeout the pipe is closed instead.
func drain(pr *os.File, readDone <-chan struct{}) {
	select {
	case <-readDone:
	case <-time.After(drainTimeout):
		_ = pr.Close() // unblocks the pending Read
		<-readDone
	}
	_ = pr.Close()
}

// describe says how a child ended: "exited with status 2" or "died
// (signal: killed)".
func describe(ps *os.ProcessState) string {
	if ps == nil {
		return "ended"
	}
	if code := ps.ExitCode(); code >= 0 {
		return fmt.Sprintf("exited with status %d", code)
	}
	return "died (" + ps.String() + ")"
}
