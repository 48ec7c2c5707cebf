//go:build linux

package proc

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"time"
)

// rssEvery is how often at most a child's RSS is read, per child.
const rssEvery = time.Millisecond

// release gives back the weight of a call c answered. A child whose
// resident memory is above Options.MaxRSS takes no more calls and is
// retired, once the calls it holds are answered, with a fresh child
// started in its place (Options.MaxTasksPerWorker is counted as calls are
// handed out: see sched.pick). The caller already has its answer.
func (p *Pool) release(c *child, weight int) {
	if p.opts.MaxRSS > 0 {
		// Answers to one child may be released by two readers at once.
		now, last := time.Now().UnixNano(), c.rssAt.Load()
		if now-last >= int64(rssEvery) && c.rssAt.CompareAndSwap(last, now) {
			if rss, err := residentBytes(c.cmd.Process.Pid); err == nil && rss > p.opts.MaxRSS {
				p.sched.drain(c)
			}
		}
	}
	p.putBack(c, weight)
}

// putBack gives back weight of c's load, and recycles c if it was due and
// holds no call any more.
func (p *Pool) putBack(c *child, weight int) {
	retire, served := p.sched.put(c, weight)
	if served {
		// A caller waiting for a child was just handed this one, and the
		// child may have nothing to run until that caller sends its call:
		// let it run now, rather than once this goroutine (a reader that
		// goes on waiting for its own answer, or a caller on its way back)
		// gives up its P. With 8 callers on 2 children, pipelined tiny
		// calls took 1.14× less time per call (median of five runs of 11
		// alternated rounds each; the runs' medians 1.13–1.33).
		runtime.Gosched()
	}
	if !retire {
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
