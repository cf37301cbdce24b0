package devrun

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vig-bot/vig/clock"
)

const (
	// flushDelay is how long a partial line (no newline yet, e.g. a
	// prompt or a progress dot) waits before it is printed anyway, as
	// goreman's clogger does.
	flushDelay = 100 * time.Millisecond
	// maxLine bounds one buffered line; longer ones are split.
	maxLine = 64 << 10
	// sysColor is the colour of the runner's own "dev" lines (bold).
	sysColor = 1
	// sysName is the prefix of the runner's own lines.
	sysName = "dev"
)

// colors are the ANSI foreground colours cycled over the procs, in
// goreman's order.
var colors = []int{32, 36, 35, 33, 34, 31}

// output writes prefixed lines to one writer. A mutex makes each line one
// Write, so lines from different children never interleave mid-line.
type output struct {
	w     io.Writer
	clock clock.Clock
	width int  // widest name, for padding
	color bool // wrap the prefix in ANSI colours

	mu  sync.Mutex
	buf []byte
}

// line writes "HH:MM:SS name | text\n".
func (o *output) line(name string, color int, text string) {
	ts := o.clock.Now().Format("15:04:05")
	o.mu.Lock()
	defer o.mu.Unlock()
	b := o.buf[:0]
	if o.color {
		b = fmt.Appendf(b, "\x1b[%dm", color)
	}
	b = append(b, ts...)
	b = append(b, ' ')
	b = append(b, name...)
	if pad := o.width - len(name); pad > 0 {
		b = append(b, strings.Repeat(" ", pad)...)
	}
	b = append(b, " |"...)
	if o.color {
		b = append(b, "\x1b[0m"...)
	}
	b = append(b, ' ')
	b = append(b, text...)
	b = append(b, '\n')
	_, _ = o.w.Write(b) // nowhere to report a broken terminal; children keep running
	o.buf = b
}

// sys writes one of the runner's own lines.
func (o *output) sys(format string, args ...any) {
	o.line(sysName, sysColor, fmt.Sprintf(format, args...))
}

// lineBuffer splits one child's byte stream into lines and emits each.
// A partial line is emitted after flushDelay, or on close.
type lineBuffer struct {
	emit func(string)

	mu    sync.Mutex
	buf   []byte
	timer *time.Timer
}

func (l *lineBuffer) write(p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	start := 0
	for {
		i := bytes.IndexByte(l.buf[start:], '\n')
		if i < 0 {
			break
		}
		l.emit(string(bytes.TrimSuffix(l.buf[start:start+i], []byte("\r"))))
		start += i + 1
	}
	for len(l.buf)-start >= maxLine {
		l.emit(string(l.buf[start : start+maxLine]))
		start += maxLine
	}
	l.buf = append(l.buf[:0], l.buf[start:]...)
	switch {
	case len(l.buf) == 0 && l.timer != nil:
		l.timer.Stop()
		l.timer = nil
	case len(l.buf) > 0 && l.timer == nil:
		l.timer = time.AfterFunc(flushDelay, l.flush)
	}
}

// flush emits a pending partial line.
func (l *lineBuffer) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if len(l.buf) > 0 {
		l.emit(string(l.buf))
		l.buf = l.buf[:0]
	}
}

// copyLines reads r until EOF or error, then flushes the partial line.
func (l *lineBuffer) copyLines(r io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			l.write(buf[:n])
		}
		if err != nil {
			break
		}
	}
	l.flush()
}
