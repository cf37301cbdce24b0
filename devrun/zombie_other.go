//go:build unix && !linux

package devrun

// hasLiveMember trusts kill(-pgid, 0) where there is no /proc to tell
// zombies apart (macOS's launchd reaps orphans promptly anyway).
func hasLiveMember(pgid int) bool { return true }
