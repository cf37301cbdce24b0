package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vig-bot/vig"
	"github.com/vig-bot/vig/store/sqlite"
	"github.com/vig-bot/vig/store/storetest"
)

func factory(t *testing.T) func() vig.Store {
	path := filepath.Join(t.TempDir(), "sub", "vig.db")
	return func() vig.Store {
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		return s
	}
}

func bump(t *testing.T, s vig.Store) {
	t.Helper()
	_, known, err := s.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A second handle on the same file, as a newer vig would have.
	other, err := sqlite.Open(s.(*sqlite.Store).Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.ExecForTest(context.Background(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future', ?)`,
		known+1, time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")); err != nil {
		t.Fatal(err)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, factory, bump)
}

func TestOpenBadPath(t *testing.T) {
	// A directory cannot be created under a regular file.
	f := filepath.Join(t.TempDir(), "file")
	s, err := sqlite.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := sqlite.Open(filepath.Join(f, "x", "vig.db")); err == nil {
		t.Fatal("want error for a path below a file")
	}
}
