//go:build unix

package devrun_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/clock"
	"github.com/vig-bot/vig/devrun"
	"github.com/vig-bot/vig/supervisor"
)

func TestParseProcfile(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []devrun.Proc
		wantErr string
	}{
		{name: "empty", in: "", want: nil},
		{
			name: "comments blanks and spacing",
			in:   "# Local development\n\nweb: vig dashboard\n   # indented comment\n  worker:vig bot --listen=:9090 # not a comment  \r\nsim_2-x: echo a:b\n",
			want: []devrun.Proc{
				{Name: "web", Command: "vig dashboard"},
				{Name: "worker", Command: "vig bot --listen=:9090 # not a comment"},
				{Name: "sim_2-x", Command: "echo a:b"},
			},
		},
		{name: "missing colon", in: "web: a\nworker vig bot\n", wantErr: "line 2: want \"name: command\""},
		{name: "space in name", in: "\n\nweb app: x\n", wantErr: "line 3: invalid process name \"web app\""},
		{name: "dot in name", in: "web.1: x\n", wantErr: "line 1: invalid process name"},
		{name: "empty name", in: ": x\n", wantErr: "line 1: invalid process name \"\""},
		{name: "empty command", in: "web:   \n", wantErr: "line 1: process \"web\" has no command"},
		{name: "duplicate", in: "web: a\n# x\nweb: b\n", wantErr: "line 3: duplicate process name \"web\" (first on line 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := devrun.ParseProcfile(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProcfileDev(t *testing.T) {
	f, err := os.Open("../Procfile.dev")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	procs, err := devrun.ParseProcfile(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(procs) == 0 || procs[0].Name != "web" || procs[0].Command != "vig dashboard" {
		t.Errorf("Procfile.dev = %q, want the dashboard first (it gets PORT 8080)", procs)
	}
}

func TestOutputPrefixAndEnv(t *testing.T) {
	r := start(t, devrun.Options{
		Procs: []devrun.Proc{
			{Name: "web", Command: `echo "PORT=$PORT PS=$PS LOG=$LOG_FORMAT FOO=$FOO"; echo "PATH=$PATH"; echo oops >&2`},
			{Name: "longworker", Command: `echo "PORT=$PORT PS=$PS"; printf partial; exec sleep 30`},
		},
		Env:         []string{"PATH=/usr/bin:/bin", "FOO=bar", "PORT=1", "PS=x"},
		BasePort:    9000,
		PortStep:    10,
		PathPrepend: "/opt/vigtest/bin",
		Clock:       fakeClock(), // web exits at once and then waits its restart delay forever
	})
	// The partial line is flushed while its writer is still running.
	r.waitOutput(t, regexp.MustCompile(`(?m)^12:34:56 longworker \| partial$`), 1)
	r.waitOutput(t, regexp.MustCompile(`(?m)^12:34:56 dev        \| web exited with status 0; restarting in 1s$`), 1)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	out := r.out.String()
	wantInOrder(t, out,
		"12:34:56 web        | PORT=9000 PS=web.1 LOG=text FOO=bar\n",
		"12:34:56 web        | PATH=/opt/vigtest/bin:/usr/bin:/bin\n",
		"12:34:56 web        | oops\n",
	)
	wantInOrder(t, out,
		"12:34:56 longworker | PORT=9010 PS=longworker.1\n",
		"12:34:56 longworker | partial\n",
		"12:34:56 dev        | sending SIGTERM to longworker\n",
		"12:34:56 dev        | longworker stopped (signal: terminated)\n",
	)
	if !regexp.MustCompile(`(?m)^12:34:56 dev        \| web started \(pid \d+\)$`).MatchString(out) {
		t.Errorf("no start line for web in:\n%s", out)
	}
}

func TestDefaultPortsAndLogFormatKept(t *testing.T) {
	r := start(t, devrun.Options{
		Procs: []devrun.Proc{
			{Name: "web", Command: `echo "PORT=$PORT LOG=$LOG_FORMAT"`},
			{Name: "worker", Command: `echo "PORT=$PORT LOG=$LOG_FORMAT"`},
		},
		Env:   []string{"PATH=" + os.Getenv("PATH"), "LOG_FORMAT=json"},
		Clock: fakeClock(),
	})
	r.waitOutput(t, regexp.MustCompile(`restarting in 1s`), 2)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	out := r.out.String()
	wantInOrder(t, out, "12:34:56 web    | PORT=8080 LOG=json\n")
	wantInOrder(t, out, "12:34:56 worker | PORT=8180 LOG=json\n")
}

func TestColor(t *testing.T) {
	r := start(t, devrun.Options{
		Procs: []devrun.Proc{{Name: "a", Command: "echo hi"}, {Name: "b", Command: "echo hi"}},
		Color: true,
		Clock: fakeClock(),
	})
	r.waitOutput(t, regexp.MustCompile(`restarting in 1s`), 2)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	out := r.out.String()
	wantInOrder(t, out, "\x1b[32m12:34:56 a   |\x1b[0m hi\n")
	wantInOrder(t, out, "\x1b[36m12:34:56 b   |\x1b[0m hi\n")
	wantInOrder(t, out, "\x1b[1m12:34:56 dev |\x1b[0m a started (pid ")
}

func TestLinesDoNotInterleave(t *testing.T) {
	const n = 300
	pad := strings.Repeat("x", 200)
	loop := func(tag string) string {
		return fmt.Sprintf(`i=0; while [ $i -lt %d ]; do echo "%s-$i-%s"; i=$((i+1)); done`, n, tag, pad)
	}
	r := start(t, devrun.Options{
		Procs: []devrun.Proc{{Name: "a", Command: loop("a")}, {Name: "bb", Command: loop("b")}},
		Clock: fakeClock(),
	})
	r.waitOutput(t, regexp.MustCompile(`exited with status 0`), 2)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	lineRE := regexp.MustCompile(`^12:34:56 (a  |bb |dev) \| (.*)$`)
	next := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(r.out.String(), "\n"), "\n") {
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("malformed line %q", line)
		}
		name := strings.TrimSpace(m[1])
		if name == "dev" {
			continue
		}
		tag := name[:1]
		if want := fmt.Sprintf("%s-%d-%s", tag, next[tag], pad); m[2] != want {
			t.Fatalf("%s line %d = %q, want %q", name, next[tag], m[2], want)
		}
		next[tag]++
	}
	if next["a"] != n || next["b"] != n {
		t.Errorf("got %d a lines and %d b lines, want %d each", next["a"], next["b"], n)
	}
}

func TestCrashIsolation(t *testing.T) {
	reg := prometheus.NewRegistry()
	r := start(t, devrun.Options{
		Procs: []devrun.Proc{
			{Name: "steady", Command: `echo "pid=$$"; exec sleep 30`},
			{Name: "crasher", Command: `sleep 0.05; exit 1`},
		},
		MinBackoff: 10 * time.Millisecond,
		MaxBackoff: 100 * time.Millisecond,
		Registerer: reg,
	})
	pid := r.pid(t, "steady", "pid")
	r.waitOutput(t, regexp.MustCompile(`crasher started`), 3) // two restarts
	out := r.out.String()
	if got := strings.Count(out, "steady started"); got != 1 {
		t.Errorf("steady started %d times, want 1", got)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Errorf("steady (pid %d) is not running: %v", pid, err)
	}
	if !strings.Contains(out, "crasher exited with status 1; restarting in ") {
		t.Errorf("no crash line in:\n%s", out)
	}
	if got := counterValue(t, reg, "vig_dev_child_exits_total", "proc", "crasher"); got < 2 {
		t.Errorf("vig_dev_child_exits_total{proc=crasher} = %v, want >= 2", got)
	}
	if got := counterValue(t, reg, "vig_dev_child_exits_total", "proc", "steady"); got != 0 {
		t.Errorf("vig_dev_child_exits_total{proc=steady} = %v, want 0", got)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("steady (pid %d) survived Run", pid)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("metric lint %s: %s", p.Metric, p.Text)
	}
}

func TestEscalationStopsEveryChild(t *testing.T) {
	r := start(t, devrun.Options{
		Procs: []devrun.Proc{
			{Name: "steady", Command: `echo "pid=$$"; exec sleep 30`},
			{Name: "crasher", Command: `sleep 0.05; exit 1`},
		},
		MinBackoff: 10 * time.Millisecond,
		Escalation: supervisor.Escalation{MaxRestarts: 2, Window: time.Minute},
	})
	err := r.wait(t, 5*time.Second)
	if !errors.Is(err, vig.ErrEscalated) {
		t.Fatalf("Run = %v, want an error wrapping vig.ErrEscalated", err)
	}
	if !strings.Contains(err.Error(), "crasher") {
		t.Errorf("error %q does not name the crasher", err)
	}
	if got := strings.Count(r.out.String(), "crasher started"); got != 3 {
		t.Errorf("crasher started %d times, want 3 (start + MaxRestarts)", got)
	}
	wantInOrder(t, r.out.String(), "| giving up: crasher/crasher: 3 restarts", "| sending SIGTERM to steady\n", "| steady stopped")
	pid := r.pid(t, "steady", "pid")
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("steady (pid %d) survived the escalation", pid)
	}
}

func TestStartFailureIsAnError(t *testing.T) {
	buf := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- devrun.RunWithShell(context.Background(), devrun.Options{
			Procs:      []devrun.Proc{{Name: "web", Command: "true"}},
			Stdout:     buf,
			Logger:     quietLogger(),
			MinBackoff: time.Millisecond,
			Escalation: supervisor.Escalation{MaxRestarts: 1, Window: time.Minute},
		}, "/nonexistent/sh")
	}()
	select {
	case err := <-done:
		if !errors.Is(err, vig.ErrEscalated) {
			t.Fatalf("Run = %v, want ErrEscalated", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not give up")
	}
	if !strings.Contains(buf.String(), "web failed to start: ") {
		t.Errorf("no start failure line in:\n%s", buf.String())
	}
}

func TestStubbornChildIsKilledAfterTimeout(t *testing.T) {
	r := start(t, devrun.Options{
		Procs:       []devrun.Proc{{Name: "stubborn", Command: `trap "" TERM; sleep 30 & echo "sleep=$!"; echo "sh=$$"; wait`}},
		KillTimeout: 300 * time.Millisecond,
	})
	sleepPID, shPID := r.pid(t, "stubborn", "sleep"), r.pid(t, "stubborn", "sh")
	begin := time.Now()
	r.cancel()
	if err := r.wait(t, 5*time.Second); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if took := time.Since(begin); took < 300*time.Millisecond || took > 3*time.Second {
		t.Errorf("Run took %v after cancel, want the 300ms kill timeout", took)
	}
	if !strings.Contains(r.out.String(), "stubborn did not stop within 300ms; sending SIGKILL") {
		t.Errorf("no SIGKILL line in:\n%s", r.out.String())
	}
	if err := syscall.Kill(shPID, 0); err == nil {
		t.Errorf("sh (pid %d) survived Run", shPID)
	}
	if alive(sleepPID) {
		t.Errorf("sleep (pid %d) survived Run", sleepPID)
	}
}

func TestPoliteChildStopsPromptly(t *testing.T) {
	r := start(t, devrun.Options{
		Procs:       []devrun.Proc{{Name: "polite", Command: `echo "pid=$$"; exec sleep 30`}},
		KillTimeout: 10 * time.Second,
	})
	pid := r.pid(t, "polite", "pid")
	begin := time.Now()
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("Run took %v after cancel, want a prompt stop", took)
	}
	out := r.out.String()
	if strings.Contains(out, "SIGKILL") || !strings.Contains(out, "polite stopped (signal: terminated)") {
		t.Errorf("want a clean SIGTERM stop, got:\n%s", out)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("polite (pid %d) survived Run", pid)
	}
}

func TestForceKillsAtOnce(t *testing.T) {
	force := make(chan struct{})
	r := start(t, devrun.Options{
		Procs:       []devrun.Proc{{Name: "stubborn", Command: `trap "" TERM; sleep 30 & echo "sleep=$!"; wait`}},
		KillTimeout: 30 * time.Second,
		Force:       force,
	})
	sleepPID := r.pid(t, "stubborn", "sleep")
	r.cancel()
	r.waitOutput(t, regexp.MustCompile(`sending SIGTERM to stubborn`), 1)
	begin := time.Now()
	close(force)
	if err := r.wait(t, 5*time.Second); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("Run took %v after force, want at once", took)
	}
	if !strings.Contains(r.out.String(), "forced stop: sending SIGKILL to stubborn") {
		t.Errorf("no forced kill line in:\n%s", r.out.String())
	}
	if alive(sleepPID) {
		t.Errorf("sleep (pid %d) survived Run", sleepPID)
	}
}

func TestGrandchildrenDie(t *testing.T) {
	r := start(t, devrun.Options{
		Procs: []devrun.Proc{
			{Name: "nest", Command: `sh -c 'sleep 30 & echo "bg=$!"; echo "fg=$$"; exec sleep 30'`},
			{Name: "orphan", Command: `sleep 30 & echo "bg=$!"; exit 3`},
		},
		Clock: fakeClock(), // orphan is not restarted
	})
	bg, fg := r.pid(t, "nest", "bg"), r.pid(t, "nest", "fg")
	orphan := r.pid(t, "orphan", "bg")
	// A leader that exits on its own does not leave its group behind.
	r.waitOutput(t, regexp.MustCompile(`orphan exited with status 3; restarting in 1s`), 1)
	if alive(orphan) {
		t.Errorf("orphan's background sleep (pid %d) outlived its leader", orphan)
	}
	if !strings.Contains(r.out.String(), "orphan exited but left processes in its group; stopping them") {
		t.Errorf("no straggler line in:\n%s", r.out.String())
	}
	if !alive(bg) || !alive(fg) {
		t.Fatalf("nest's sleeps are not running before the stop")
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	for _, pid := range []int{bg, fg} {
		if alive(pid) {
			t.Errorf("grandchild sleep (pid %d) survived Run", pid)
		}
	}
}

func TestRestartDelayDoublesAndResets(t *testing.T) {
	clk := fakeClock()
	gate := filepath.Join(t.TempDir(), "gate")
	r := start(t, devrun.Options{
		// Each run waits for the test to open the gate, so the test can
		// move the fake clock while the child is running.
		Procs:      []devrun.Proc{{Name: "crasher", Command: `while [ ! -e "$GATE" ]; do sleep 0.01; done; rm -f "$GATE"; exit 1`}},
		Env:        []string{"PATH=" + os.Getenv("PATH"), "GATE=" + gate},
		MinBackoff: time.Second,
		MaxBackoff: 4 * time.Second,
		Clock:      clk,
	})
	delayRE := regexp.MustCompile(`crasher exited with status 1; restarting in (\S+)`)
	runFor := []time.Duration{0, 0, 0, 0, 5 * time.Second} // the last run outlives MaxBackoff
	var got []string
	for i, ran := range runFor {
		r.waitOutput(t, regexp.MustCompile(`crasher started`), i+1)
		clk.Advance(ran)
		if err := os.WriteFile(gate, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		m := r.waitOutput(t, delayRE, i+1)
		got = append(got, m[i][1])
		if i == len(runFor)-1 {
			break
		}
		if !clk.BlockUntil(1, 5*time.Second) {
			t.Fatal("crasher is not waiting for its restart delay")
		}
		d, _ := time.ParseDuration(m[i][1])
		clk.Advance(d)
	}
	if want := []string{"1s", "2s", "4s", "4s", "1s"}; !reflect.DeepEqual(got, want) {
		t.Errorf("restart delays = %v, want %v", got, want)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestInvalidOptions(t *testing.T) {
	tests := map[string]devrun.Options{
		"no procs":  {},
		"duplicate": {Procs: []devrun.Proc{{Name: "a", Command: "true"}, {Name: "a", Command: "true"}}},
		"bad name":  {Procs: []devrun.Proc{{Name: "a b", Command: "true"}}},
		"no cmd":    {Procs: []devrun.Proc{{Name: "a", Command: " "}}},
		"ports":     {Procs: []devrun.Proc{{Name: "a", Command: "true"}, {Name: "b", Command: "true"}}, BasePort: 65500},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			opts.Stdout, opts.Logger = io.Discard, quietLogger()
			if err := devrun.Run(context.Background(), opts); err == nil {
				t.Error("Run = nil, want an error")
			}
		})
	}
}

// --- helpers ---

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func fakeClock() *clock.Fake { return clock.NewFake(time.Date(2026, 1, 2, 12, 34, 56, 0, time.UTC)) }

// running is one Run in the background.
type running struct {
	out    *syncBuffer
	cancel context.CancelFunc
	done   chan error

	once sync.Once
	err  error
}

// start runs opts in the background; the test's cleanup stops it.
func start(t *testing.T, opts devrun.Options) *running {
	t.Helper()
	r := &running{out: &syncBuffer{}, done: make(chan error, 1)}
	opts.Stdout = r.out
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- devrun.Run(ctx, opts) }()
	t.Cleanup(func() {
		cancel()
		_ = r.wait(t, 10*time.Second)
	})
	return r
}

// wait returns Run's result, failing the test if it takes over timeout.
func (r *running) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	r.once.Do(func() {
		select {
		case r.err = <-r.done:
		case <-time.After(timeout):
			r.err = errors.New("timeout")
			t.Errorf("Run did not return within %v; output:\n%s", timeout, r.out.String())
		}
	})
	return r.err
}

// stop cancels Run and returns its result.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	return r.wait(t, 5*time.Second)
}

// waitOutput waits until re matches at least n times and returns the matches.
func (r *running) waitOutput(t *testing.T, re *regexp.Regexp, n int) [][]string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m := re.FindAllStringSubmatch(r.out.String(), -1); len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d× %q; output:\n%s", n, re, r.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pid waits for "name | key=<pid>" in the output and returns the pid.
func (r *running) pid(t *testing.T, name, key string) int {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\S+ ` + regexp.QuoteMeta(name) + ` +\| ` + regexp.QuoteMeta(key) + `=(\d+)$`)
	m := r.waitOutput(t, re, 1)
	pid, err := strconv.Atoi(m[0][1])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// wantInOrder checks that out contains each part, in this order.
func wantInOrder(t *testing.T, out string, parts ...string) {
	t.Helper()
	rest := out
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Errorf("missing (or out of order) %q in:\n%s", p, out)
			return
		}
		rest = rest[i+len(p):]
	}
}

// alive reports whether pid runs. A zombie is dead: an orphaned grandchild
// is reparented to PID 1, which in a container may never reap it.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs: trust kill
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || (b[i+2] != 'Z' && b[i+2] != 'X')
}

// counterValue reads one labelled counter from reg (0 when absent).
func counterValue(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.Metric {
			for _, lp := range m.Label {
				if lp.GetName() == label && lp.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
