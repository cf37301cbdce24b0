package devrun

import (
	"bytes"
	"os"
	"strconv"
)

// hasLiveMember scans /proc for a process in group pgid that is not a
// zombie. kill(-pgid, 0) alone cannot tell, and zombies are common when
// PID 1 does not reap (containers, sandboxes). Without a readable /proc it
// trusts kill and answers true.
func hasLiveMember(pgid int) bool {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return true
	}
	want := []byte(strconv.Itoa(pgid))
	for _, e := range ents {
		name := e.Name()
		if name == "" || name[0] < '0' || name[0] > '9' {
			continue
		}
		b, err := os.ReadFile("/proc/" + name + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		// "pid (comm) state ppid pgrp …"; comm may contain spaces and ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 3 || !bytes.Equal(f[2], want) {
			continue
		}
		if s := f[0]; !bytes.Equal(s, []byte("Z")) && !bytes.Equal(s, []byte("X")) {
			return true
		}
	}
	return false
}
