package serve

import "time"

// Limits bound what one client can hold of a server. Zero fields take the
// defaults below.
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's headers (default 5 s).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included (default
	// 10 s; bodies are at most 256 KiB).
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the
	// end of its answer (default 30 s: a full batch within its budget
	// takes a few seconds of one core).
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection idle this long (default
	// 30 s).
	IdleTimeout time.Duration
	// MaxConns caps the connections held open (default: the file
	// descriptor limit less 64 for everything else, at most 4096).
	MaxConns int
}

// withDefaults fills the zero fields of l.
func (l Limits) withDefaults() Limits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.ReadHeaderTimeout, 5*time.Second)
	def(&l.ReadTimeout, 10*time.Second)
	def(&l.WriteTimeout, 30*time.Second)
	def(&l.IdleTimeout, 30*time.Second)
	if l.MaxConns <= 0 {
		l.MaxConns = defaultMaxConns()
	}
	return l
}
