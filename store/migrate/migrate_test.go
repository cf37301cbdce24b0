package migrate_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vig-bot/vig/store/migrate"
)

func TestLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		fsys := fstest.MapFS{
			"m/0002_more.sql": {Data: []byte("B")},
			"m/0001_init.sql": {Data: []byte("A")},
			"m/README.md":     {Data: []byte("ignored")},
		}
		ms, err := migrate.Load(fsys, "m")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(ms), 2; got != want {
			t.Fatalf("len = %d, want %d", got, want)
		}
		if got, want := ms[0].Name+ms[0].SQL+ms[1].Name+ms[1].SQL, "0001_initA0002_moreB"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		if got, want := migrate.Latest(ms), 2; got != want {
			t.Errorf("Latest = %d, want %d", got, want)
		}
	})
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"m/0001_a.sql": {}, "m/0003_c.sql": {}},
		"duplicate": {"m/0001_a.sql": {}, "m/0001_b.sql": {}},
		"badname":   {"m/init.sql": {}},
		"zero":      {"m/0000_a.sql": {}},
		"empty":     {"m/x.txt": {}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := migrate.Load(fsys, "m"); err == nil {
				t.Fatal("want error")
			} else if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error text")
			}
		})
	}
}
