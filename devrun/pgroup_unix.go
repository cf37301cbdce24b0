//go:build unix

package devrun

import (
	"os/exec"
	"syscall"
)

// supported reports whether this platform has process groups.
const supported = true

// setpgid puts the child in a new process group led by itself, so one
// signal to -pid reaches everything it spawned (goreman does the same).
func setpgid(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// termGroup sends SIGTERM to every process in the group.
func termGroup(pgid int) error { return syscall.Kill(-pgid, syscall.SIGTERM) }

// killGroup sends SIGKILL to every process in the group.
func killGroup(pgid int) error { return syscall.Kill(-pgid, syscall.SIGKILL) }

// groupAlive reports whether any process of the group is still running.
// Zombies do not count: an orphaned grandchild is reparented to PID 1, and
// a container's PID 1 often never reaps it, but it is dead all the same.
func groupAlive(pgid int) bool {
	if err := syscall.Kill(-pgid, 0); err == syscall.ESRCH {
		return false
	} else if err != nil && err != syscall.EPERM {
		return false
	}
	return hasLiveMember(pgid)
}
