package serve

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// connLimiter caps the connections a server holds open. Past the cap it
// makes room by closing the connection that has been idle longest (a
// keep-alive connection between requests, then one that never sent a
// complete request), so a crowd of idle clients cannot lock out a new one,
// such as a health check; when every connection is busy with a request
// the new one is closed at once. An accept that fails for want of file
// descriptors also closes an idle connection and backs off instead of
// spinning.
type connLimiter struct {
	net.Listener
	max int

	mu    sync.Mutex
	conns map[*limitedConn]struct{}
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: ln, max: max, conns: map[*limitedConn]struct{}{}}
}

// limitedConn is a connection the limiter tracks, with the server's view
// of its state.
type limitedConn struct {
	net.Conn
	l     *connLimiter
	state http.ConnState
	since time.Time
	once  sync.Once
}

func (c *limitedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// Accept returns the next connection, keeping at most max open.
func (l *connLimiter) Accept() (net.Conn, error) {
	backoff := 5 * time.Millisecond
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if !isFdExhaustion(err) {
				return nil, err
			}
			// Out of descriptors: free one if an idle connection holds
			// it, and wait before trying again rather than spin.
			l.evictIdle()
			time.Sleep(backoff)
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		lc := &limitedConn{Conn: c, l: l, state: http.StateNew, since: time.Now()}
		l.mu.Lock()
		full := len(l.conns) >= l.max
		l.mu.Unlock()
		if full && !l.evictIdle() {
			c.Close() // every connection is busy with a request
			continue
		}
		l.mu.Lock()
		l.conns[lc] = struct{}{}
		l.mu.Unlock()
		return lc, nil
	}
}

// evictIdle closes the connection idle longest, preferring one between
// requests to one that has not finished sending its first, and reports
// whether there was one.
func (l *connLimiter) evictIdle() bool {
	l.mu.Lock()
	var victim *limitedConn
	for c := range l.conns {
		if c.state != http.StateIdle && c.state != http.StateNew {
			continue
		}
		if victim == nil || rank(c) < rank(victim) || rank(c) == rank(victim) && c.since.Before(victim.since) {
			victim = c
		}
	}
	l.mu.Unlock()
	if victim == nil {
		return false
	}
	victim.Close()
	return true
}

func rank(c *limitedConn) int {
	if c.state == http.StateIdle {
		return 0
	}
	return 1
}

// connState is the http.Server's ConnState hook: it keeps each tracked
// connection's state and when it entered it.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, tracked := l.conns[lc]; !tracked {
		return
	}
	switch s {
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, lc)
	default:
		lc.state, lc.since = s, time.Now()
	}
}

// open returns the number of connections held open.
func (l *connLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// isFdExhaustion reports whether an accept failed because the process or
// the system ran out of file descriptors.
func isFdExhaustion(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}
