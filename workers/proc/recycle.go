//go:build linux

package proc

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// rssEvery is how often at most a child's RSS is read, per child.
const rssEvery = time.Millisecond

// release gives c back to the pool after a call it answered, or retires it
// when it is due for recycling (Options.MaxTasksPerWorker, MaxRSS) and has
// a fresh child started in its place. The caller already has its answer.
func (p *Pool) release(c *child) {
	c.tasks++
	due := p.opts.MaxTasksPerWorker > 0 && c.tasks >= p.opts.MaxTasksPerWorker
	if !due && p.opts.MaxRSS > 0 {
		if now := time.Now(); now.Sub(c.rssAt) >= rssEvery {
			c.rssAt = now
			rss, err := residentBytes(c.cmd.Process.Pid)
			due = err == nil && rss > p.opts.MaxRSS
		}
	}
	if !due {
		p.idle <- c
		return
	}
	p.recycled.Add(1)
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		c.stop(false) // an idle child exits when its socket closes
	}()
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return // nobody needs a replacement; Close stops the rest
	}
	p.replace()
}

// residentBytes reads a process's resident set size from /proc/PID/statm
// (its second field, in pages).
func residentBytes(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, err
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, strconv.ErrSyntax
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize()), err
}
