package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// A writer that finds the file locked (no busy timeout, so SQLite answers
// SQLITE_BUSY at once) is retried until the other holder lets go.
func TestRetryBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	ctx := context.Background()
	if _, err := a.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	holder, err := a.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	_, err = b.Exec(`INSERT INTO t VALUES (1)`)
	if !isBusy(err) {
		t.Fatalf("write under an exclusive lock: %v, want SQLITE_BUSY", err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		holder.ExecContext(ctx, `COMMIT`)
		holder.Close()
	}()
	if err := retryBusy(ctx, func() error { _, err := b.Exec(`INSERT INTO t VALUES (1)`); return err }); err != nil {
		t.Fatalf("retryBusy: %v", err)
	}
}
