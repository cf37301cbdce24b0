package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/store/postgres"
	"github.com/vig-bot/vig/store/storetest"
)

// adminURL returns the superuser URL of a throwaway cluster, as started by
// scripts/test.sh. Without one the database tests skip, unless CI demands
// PostgreSQL with VIG_REQUIRE_POSTGRES=1.
func adminURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("VIG_TEST_DATABASE_URL")
	if u != "" {
		return u
	}
	if os.Getenv("VIG_REQUIRE_POSTGRES") == "1" {
		t.Fatal("VIG_REQUIRE_POSTGRES=1 but VIG_TEST_DATABASE_URL is unset")
	}
	t.Skip("SKIPPED: PostgreSQL store tests need VIG_TEST_DATABASE_URL (a superuser URL of a throwaway cluster); " +
		"run scripts/test.sh, which starts one when the PostgreSQL server binaries are installed")
	return ""
}

// adminExec runs one statement on the admin database.
func adminExec(t *testing.T, admin, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to admin database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// MustCreateDB creates an empty database on the admin URL's cluster, drops it
// when the test ends (after handles registered later have closed) and returns
// its URL.
func MustCreateDB(t *testing.T, admin string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "vigtest_" + hex.EncodeToString(b)
	adminExec(t, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() { adminExec(t, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("VIG_TEST_DATABASE_URL must be a postgres:// URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// MustOpen opens a store on dbURL and closes it when the test ends.
func MustOpen(t *testing.T, dbURL string, opts postgres.Options) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dbURL, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	admin := adminURL(t)
	factory := func(t *testing.T) func() vig.Store {
		dbURL := MustCreateDB(t, admin)
		return func() vig.Store {
			s, err := postgres.Open(context.Background(), dbURL, postgres.Options{})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			return s
		}
	}
	bump := func(t *testing.T, s vig.Store) {
		t.Helper()
		ctx := context.Background()
		_, known, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.(*postgres.Store).Pool().Exec(ctx,
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_the_future', now())`, known+1)
		if err != nil {
			t.Fatalf("bump schema: %v", err)
		}
	}
	storetest.Run(t, factory, bump)
}

func TestSchemaTooNewMessage(t *testing.T) {
	dbURL := MustCreateDB(t, adminURL(t))
	s := MustOpen(t, dbURL, postgres.Options{})
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	_, known, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `INSERT INTO schema_migrations VALUES ($1, 'from_the_future', now())`, known+1); err != nil {
		t.Fatal(err)
	}
	err = s.Migrate(ctx)
	if !errors.Is(err, vig.ErrSchemaTooNew) {
		t.Fatalf("Migrate = %v, want ErrSchemaTooNew", err)
	}
	// The operator must learn both versions and what to do.
	for _, want := range []string{"version", "run a matching vig version"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// The bot starts while the database is unreachable: Open must succeed and
// only queries fail.
func TestOpenIsLazy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	s := MustOpen(t, "postgres://vig:s3cr3t-canary@"+addr+"/vig?sslmode=disable", postgres.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = s.Ping(ctx)
	if err == nil {
		t.Fatal("Ping with no server succeeded")
	}
	if strings.Contains(err.Error(), "s3cr3t-canary") {
		t.Errorf("ping error leaks the password: %v", err)
	}
}

func TestOpenBadURLHidesSecret(t *testing.T) {
	for _, dsn := range []string{
		"postgres://user:s3cr3t-canary@host:notaport/db",
		"postgres://user:s3cr3t-canary@host/db?sslmode=sometimes",
		"postgres://user:s3cr3t-canary@host/db?pool_max_conns=many",
		"host=db user=vig password=s3cr3t-canary port=notaport",
		"postgres://user:s3cr3t%zz-canary@host/db", // bad percent-escape
		"user=vig password='s3cr3t-canary",
	} {
		s, err := postgres.Open(context.Background(), dsn, postgres.Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want a parse error", dsn)
			continue
		}
		if got := err.Error(); strings.Contains(got, "s3cr3t") || strings.Contains(got, "canary") {
			t.Errorf("Open(%q) error leaks the password: %q", dsn, got)
		}
	}
}

func TestMaxConns(t *testing.T) {
	const dsn = "postgres://vig@127.0.0.1:1/vig?sslmode=disable"
	s := MustOpen(t, dsn, postgres.Options{MaxConns: 7})
	if got, want := s.Pool().Config().MaxConns, int32(7); got != want {
		t.Errorf("MaxConns = %d, want %d", got, want)
	}
	s = MustOpen(t, dsn, postgres.Options{})
	if got := s.Pool().Config().MaxConns; got <= 0 {
		t.Errorf("default MaxConns = %d, want pgx's positive default", got)
	}
	s = MustOpen(t, dsn+"&pool_max_conns=3", postgres.Options{})
	if got, want := s.Pool().Config().MaxConns, int32(3); got != want {
		t.Errorf("MaxConns from URL = %d, want %d", got, want)
	}
}

func TestConnectTimeoutDefault(t *testing.T) {
	s := MustOpen(t, "postgres://vig@127.0.0.1:1/vig", postgres.Options{})
	if got := s.Pool().Config().ConnConfig.ConnectTimeout; got <= 0 {
		t.Errorf("ConnectTimeout = %v, want a positive default", got)
	}
	s = MustOpen(t, "postgres://vig@127.0.0.1:1/vig?connect_timeout=17", postgres.Options{})
	if got, want := s.Pool().Config().ConnConfig.ConnectTimeout, 17*time.Second; got != want {
		t.Errorf("ConnectTimeout from URL = %v, want %v", got, want)
	}
}

// TestReconnect simulates a database restart with a TCP proxy: every
// connection dies and new ones are refused for a while. The store must fail
// while the server is gone and recover on its own once it is back.
func TestReconnect(t *testing.T) {
	admin := adminURL(t)
	dbURL := MustCreateDB(t, admin)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, u.Host)
	u.Host = p.Addr()
	s := MustOpen(t, u.String(), postgres.Options{MaxConns: 4})

	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	hb := func(service string) []vig.Heartbeat {
		now := time.Now()
		return []vig.Heartbeat{{Service: service, Instance: "test", State: vig.StateRunning, Since: now, BeatAt: now}}
	}
	if err := s.UpsertHeartbeats(ctx, hb("before")); err != nil {
		t.Fatal(err)
	}

	p.Stop()
	func() {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := s.UpsertHeartbeats(ctx, hb("during")); err == nil {
			t.Fatal("UpsertHeartbeats succeeded while the server was unreachable")
		}
	}()

	p.Start(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := s.UpsertHeartbeats(ctx, hb("after"))
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store did not recover within 10s of the server coming back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	got, err := s.Heartbeats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range got {
		names = append(names, h.Service)
	}
	if got, want := strings.Join(names, ","), "after,before"; got != want {
		t.Errorf("services = %s, want %s", got, want)
	}
}

// proxy forwards TCP connections from a loopback port to target. Stop makes
// it look like a server that went away (live connections reset, new ones
// refused); Start brings it back on the same port.
type proxy struct {
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup // accept loop and copy goroutines
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	p := &proxy{target: target, addr: "127.0.0.1:0", conns: map[net.Conn]struct{}{}}
	p.Start(t)
	t.Cleanup(p.Stop)
	return p
}

// Addr is the proxy's listening address, stable across Stop and Start.
func (p *proxy) Addr() string { return p.addr }

// Start listens on the proxy's address (a fresh port the first time).
func (p *proxy) Start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln = ln
	p.addr = ln.Addr().String()
	p.mu.Unlock()
	p.wg.Add(1)
	go p.accept(ln)
}

// Stop closes the listener and every live connection, and waits for the
// proxy's goroutines to finish. It is safe to call when already stopped.
func (p *proxy) Stop() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) accept(ln net.Listener) {
	defer p.wg.Done()
	for {
		client, err := ln.Accept()
		if err != nil {
			return // listener closed by Stop
		}
		server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		if p.ln != ln { // Stop ran meanwhile
			p.mu.Unlock()
			client.Close()
			server.Close()
			return
		}
		p.conns[client] = struct{}{}
		p.conns[server] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(client, server)
		go p.pipe(server, client)
	}
}

// pipe copies src to dst; when either side ends it closes both, so the peer
// of a dead connection notices at once.
func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}
