//go:build !unix

package devrun

import (
	"errors"
	"os/exec"
)

// supported is false: without process groups the runner could not promise
// that no grandchild survives, so Run refuses to start.
const supported = false

var errUnsupported = errors.New("devrun: process groups are not supported on this platform")

func setpgid(*exec.Cmd)   {}
func termGroup(int) error { return errUnsupported }
func killGroup(int) error { return errUnsupported }
func groupAlive(int) bool { return false }
