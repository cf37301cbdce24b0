package devrun

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Proc is one Procfile entry: a process name (also its log prefix and its
// supervision area) and the shell command that runs it.
type Proc struct {
	Name    string
	Command string
}

// validName is the process-name alphabet. It keeps names usable as log
// prefixes, metric labels and PS values (honcho allows the same set plus -).
var validName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ParseProcfile parses `name: command` lines as foreman and honcho do.
// Blank lines and lines starting with # are skipped; the command is the rest
// of the line after the first colon, trimmed. Names must match
// [A-Za-z0-9_-]+ and be unique. Errors name the line number so the caller
// can prefix the file name ("Procfile.dev: line 3: …"). An input without
// entries is not an error here; Run rejects an empty list.
func ParseProcfile(r io.Reader) ([]Proc, error) {
	var procs []Proc
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, cmd, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: want \"name: command\"", n)
		}
		name, cmd = strings.TrimSpace(name), strings.TrimSpace(cmd)
		if !validName.MatchString(name) {
			return nil, fmt.Errorf("line %d: invalid process name %q (use letters, digits, _ and -)", n, name)
		}
		if cmd == "" {
			return nil, fmt.Errorf("line %d: process %q has no command", n, name)
		}
		if first, dup := seen[name]; dup {
			return nil, fmt.Errorf("line %d: duplicate process name %q (first on line %d)", n, name, first)
		}
		seen[name] = n
		procs = append(procs, Proc{Name: name, Command: cmd})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read procfile: %w", err)
	}
	return procs, nil
}
