package proc

import (
	"context"
	"fmt"
)

// emitter returns the emit function of the call seq running in the child:
// each item goes to the parent as a result packet with statusItem, which
// the parent's read loop hands to the call's stream before it reads on.
// The send blocks while the result queue (or, for an item too large for
// it, the socket) is full, which is the backpressure.
func (s *server) emitter(ctx context.Context, seq uint64) func([]byte) bool {
	var buf []byte
	return func(item []byte) bool {
		if ctx.Err() != nil {
			return false
		}
		if len(item) > maxPacket-resHeader {
			panic(fmt.Sprintf("proc: a streamed item of %d bytes exceeds the limit of %d", len(item), maxPacket-resHeader))
		}
		buf = appendResult(buf[:0], seq, statusItem, item)
		s.send(buf)
		if cap(buf) > 1<<16 {
			buf = nil
		}
		return ctx.Err() == nil
	}
}
