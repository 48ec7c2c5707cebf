//go:build linux

package proc

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxFds bounds the regions of one task; it keeps the control message small.
const maxFds = 64

// maxPacket bounds one message, argument payload included.
const maxPacket = 1 << 20

// The wire format is a fixed little-endian header and raw bytes, one
// SOCK_SEQPACKET packet per message: encoding and decoding cost nothing next
// to the two cross-process wake-ups of a round trip (JSON used to cost
// several microseconds and allocations on each side).
//
//	call:   'c' nref:u8 fnlen:u16 ndrop:u16 seq:u64 | nref × (flags:u8 dev:u64 ino:u64 size:u64) | ndrop × (dev:u64 ino:u64) | fn | arg
//	result: 'r' status:u8 seq:u64 | payload (the result, or the error text)
//	cancel: seq:u64, on the separate control socket
//
// A region ref with refFd comes with the next file descriptor of the
// packet's SCM_RIGHTS; one without names a mapping the child has cached.
const (
	kindCall   = 'c'
	kindResult = 'r'
	callHeader = 14
	refSize    = 25
	keySize    = 16
	resHeader  = 10
)

// Region ref flags.
const (
	refFd       = 1 << iota // a file descriptor for this region is attached
	refTransfer             // the parent gave the region up: unmap it after the task
	refCache                // keep the mapping for later calls (the parent tracks it)
)

// Result statuses.
const (
	statusOK    = iota
	statusErr   // payload is the task's error text
	statusPanic // payload is the panic value and stack
	statusMiss  // a ref without fd named a mapping the child does not hold: resend with fds
	statusItem  // payload is one value a streaming task emitted; its call goes on
	// statusTruncated is statusErr for an error matching shm.ErrTruncated:
	// the task touched region memory another process had truncated.
	statusTruncated
)

var errBadPacket = errors.New("proc: malformed packet")

// regionKey identifies the file behind a region: while the child keeps it
// mapped the inode stays alive, so the pair cannot name another file.
type regionKey struct{ dev, ino uint64 }

type regionRef struct {
	flags byte
	key   regionKey
	size  int64
}

type callMsg struct {
	seq   uint64
	fn    string // appendCall's
	fnb   []byte // parseCall's: it aliases the packet, as arg does
	arg   []byte
	refs  []regionRef
	drops []regionKey
}

func appendCall(b []byte, m *callMsg) []byte {
	b = append(b, kindCall, byte(len(m.refs)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(m.fn)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(m.drops)))
	b = binary.LittleEndian.AppendUint64(b, m.seq)
	for _, r := range m.refs {
		b = append(b, r.flags)
		b = binary.LittleEndian.AppendUint64(b, r.key.dev)
		b = binary.LittleEndian.AppendUint64(b, r.key.ino)
		b = binary.LittleEndian.AppendUint64(b, uint64(r.size))
	}
	for _, k := range m.drops {
		b = binary.LittleEndian.AppendUint64(b, k.dev)
		b = binary.LittleEndian.AppendUint64(b, k.ino)
	}
	b = append(b, m.fn...)
	return append(b, m.arg...)
}

// parseCall decodes a call; refs and drops reuse the given slices' storage,
// fnb and arg alias b.
func parseCall(b []byte, refs []regionRef, drops []regionKey) (callMsg, error) {
	var m callMsg
	if len(b) < callHeader || b[0] != kindCall {
		return m, errBadPacket
	}
	nref, fnlen, ndrop := int(b[1]), int(binary.LittleEndian.Uint16(b[2:])), int(binary.LittleEndian.Uint16(b[4:]))
	m.seq = binary.LittleEndian.Uint64(b[6:])
	b = b[callHeader:]
	if len(b) < nref*refSize+ndrop*keySize+fnlen {
		return m, errBadPacket
	}
	m.refs = refs[:0]
	for range nref {
		m.refs = append(m.refs, regionRef{
			flags: b[0],
			key:   regionKey{binary.LittleEndian.Uint64(b[1:]), binary.LittleEndian.Uint64(b[9:])},
			size:  int64(binary.LittleEndian.Uint64(b[17:])),
		})
		b = b[refSize:]
	}
	m.drops = drops[:0]
	for range ndrop {
		m.drops = append(m.drops, regionKey{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])})
		b = b[keySize:]
	}
	m.fnb = b[:fnlen]
	m.arg = b[fnlen:]
	return m, nil
}

func appendResult(b []byte, seq uint64, status byte, payload []byte) []byte {
	b = append(b, kindResult, status)
	b = binary.LittleEndian.AppendUint64(b, seq)
	return append(b, payload...)
}

func parseResult(b []byte) (seq uint64, status byte, payload []byte, err error) {
	if len(b) < resHeader || b[0] != kindResult {
		return 0, 0, nil, errBadPacket
	}
	return binary.LittleEndian.Uint64(b[2:]), b[1], b[resHeader:], nil
}

// recvPacket reads one packet and the file descriptors that came with it
// (marked close-on-exec). n == 0 with a nil error cannot happen: an empty
// read is the peer's EOF and reported as net.ErrClosed.
func recvPacket(c *net.UnixConn, buf, oob []byte, fds []int) (n int, _ []int, err error) {
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return 0, fds[:0], err
	}
	// ReadMsgUnix cannot ask for MSG_CMSG_CLOEXEC: the fds are marked here.
	return packetFds(n, oob[:oobn], fds, true)
}

// packetFds returns the file descriptors that came with a packet of n bytes
// in the control messages oob, in fds' storage, marking them close-on-exec
// if asked. An empty packet is the peer's EOF: its fds are closed and it is
// reported as net.ErrClosed.
func packetFds(n int, oob []byte, fds []int, cloexec bool) (int, []int, error) {
	fds = fds[:0]
	if len(oob) > 0 {
		scms, err := unix.ParseSocketControlMessage(oob)
		if err != nil {
			return 0, fds, err // cannot happen: the kernel wrote the control messages
		}
		for _, scm := range scms {
			got, err := unix.ParseUnixRights(&scm)
			if err != nil {
				continue
			}
			if cloexec {
				for _, fd := range got {
					unix.CloseOnExec(fd)
				}
			}
			fds = append(fds, got...)
		}
	}
	if n == 0 {
		closeFds(fds)
		return 0, fds[:0], net.ErrClosed
	}
	return n, fds, nil
}

func closeFds(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// keyOf returns the identity of the file behind fd.
func keyOf(fd int) (regionKey, int64, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return regionKey{}, 0, os.NewSyscallError("fstat", err)
	}
	return regionKey{uint64(st.Dev), st.Ino}, st.Size, nil
}

// rawSpell bounds one raw read (SO_RCVTIMEO): shorter than the 10 ms after
// which the runtime starts signalling a goroutine that seems to run on.
const rawSpell = 5 * time.Millisecond

// recvPacketFd is recvPacket with a blocking read of a blocking fd. With raw
// the read does not tell the scheduler it blocks (see serveChild) and the fd
// has a receive timeout of rawSpell: past it, the child waits in an ordinary
// poll, which lets the runtime park the idle process completely.
func recvPacketFd(fd int, buf, oob []byte, fds []int, raw bool) (n int, _ []int, err error) {
	var oobn int
	for {
		if raw {
			n, oobn, err = rawRecvmsg(fd, buf, oob)
			if err == unix.EAGAIN {
				pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
				_, err = unix.Poll(pfd, -1)
				if err == nil {
					err = unix.EINTR // data or EOF is there now: read again
				}
			}
		} else {
			n, oobn, _, _, err = unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
		}
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return 0, fds[:0], err
	}
	return packetFds(n, oob[:oobn], fds, false) // MSG_CMSG_CLOEXEC marked them
}

// rawRecvmsg is unix.Recvmsg through RawSyscall, without a source address.
// It leans on the runtime's behaviour: a raw system call keeps the P and is
// invisible to sysmon, which is what makes it worth it in a one-P child: the
// round trip of a tiny call is 14% shorter than with an ordinary blocking
// read (median of 7 alternated pairs, 0.68-1.24; BenchmarkRoundTrip/raw=on
// vs raw=off). TestRawRecvmsg fails if a Go or x/sys release changes it.
func rawRecvmsg(fd int, p, oob []byte) (n, oobn int, err error) {
	var msg unix.Msghdr
	var iov unix.Iovec
	iov.Base = &p[0]
	iov.SetLen(len(p))
	msg.Iov = &iov
	msg.Iovlen = 1
	msg.Control = &oob[0]
	msg.SetControllen(len(oob))
	r, _, e := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), unix.MSG_CMSG_CLOEXEC)
	if e != 0 {
		return 0, 0, e
	}
	return int(r), int(msg.Controllen), nil
}
