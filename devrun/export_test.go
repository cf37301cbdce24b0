package devrun

// RunWithShell is Run with another shell, so tests can make a start fail.
var RunWithShell = run
