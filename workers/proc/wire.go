//go:build linux

package proc

import (
	"encoding/json"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// maxFds bounds the regions of one task; it keeps the control message small.
const maxFds = 64

// maxPacket bounds one message, argument payload included.
const maxPacket = 1 << 20

// message is one packet between parent and child.
type message struct {
	Kind  string `json:"kind"` // "call", "cancel", "result"
	Fn    string `json:"fn,omitempty"`
	Arg   []byte `json:"arg,omitempty"`
	Err   string `json:"err,omitempty"`
	Panic bool   `json:"panic,omitempty"`
	Nfd   int    `json:"nfd,omitempty"`
}

func send(c *net.UnixConn, m message, files []*os.File) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if len(b) > maxPacket {
		return fmt.Errorf("proc: message of %d bytes exceeds %d", len(b), maxPacket)
	}
	var oob []byte
	if len(files) > 0 {
		fds := make([]int, len(files))
		for i, f := range files {
			fds[i] = int(f.Fd())
		}
		oob = unix.UnixRights(fds...)
	}
	_, _, err = c.WriteMsgUnix(b, oob, nil)
	return err
}

// reader receives messages from one connection, reusing its buffers: a
// message-sized allocation per receive would cost more than the round trip.
type reader struct {
	c   *net.UnixConn
	buf []byte
	oob []byte
}

func newReader(c *net.UnixConn) *reader {
	return &reader{c: c, buf: make([]byte, maxPacket+1024), oob: make([]byte, unix.CmsgSpace(maxFds*4))}
}

func (r *reader) recv() (message, []*os.File, error) {
	buf, oob := r.buf, r.oob
	n, oobn, _, _, err := r.c.ReadMsgUnix(buf, oob)
	if err != nil {
		return message{}, nil, err
	}
	if n == 0 {
		return message{}, nil, net.ErrClosed
	}
	var files []*os.File
	if oobn > 0 {
		scms, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return message{}, nil, err
		}
		for _, scm := range scms {
			fds, err := unix.ParseUnixRights(&scm)
			if err != nil {
				continue
			}
			for _, fd := range fds {
				unix.CloseOnExec(fd)
				files = append(files, os.NewFile(uintptr(fd), "region"))
			}
		}
	}
	var m message
	if err := json.Unmarshal(buf[:n], &m); err != nil {
		for _, f := range files {
			f.Close()
		}
		return message{}, nil, fmt.Errorf("proc: bad message: %w", err)
	}
	return m, files, nil
}
