// Package migrate loads Vig's versioned, embedded schema migrations.
//
// Vig uses a minimal runner of its own rather than goose or golang-migrate:
// each store needs only "apply the numbered files newer than the recorded
// version inside one transaction, under a lock", and the dashboard needs
// "refuse a schema newer than I know". Those are ~40 lines per dialect,
// testable against both databases, with no extra dependency tree, and the
// PostgreSQL runner can take an advisory lock so a bot and `vig migrate`
// started together never race.
package migrate

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int    // 1, 2, 3, … without gaps
	Name    string // file name without extension, e.g. "0001_init"
	SQL     string // statements, run in one transaction
}

// Load reads files named NNNN_description.sql from dir in fsys, sorted by
// version. Versions must start at 1 and have no gaps or duplicates, so a
// missing file is caught at build/test time rather than in production.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		if !ok {
			return nil, fmt.Errorf("migration %q: want NNNN_description.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: bad version number", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d (versions must start at 1 without gaps)", m.Name, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations in %s", dir)
	}
	return ms, nil
}

// Latest returns the newest version in ms.
func Latest(ms []Migration) int {
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}
