package shm

import (
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sharc-go/sharc/internal/atomics"
)

// maxSize bounds a region: the user address space of x86-64 and arm64 is
// 128 TiB, so anything larger can never be mapped.
const maxSize = 1 << 47

// nameMax is the longest segment name a Linux tmpfs accepts.
const nameMax = 255

// A Region is a mapped shared memory area. Several goroutines, and several
// processes that map the same segment or file descriptor, see the same bytes.
//
// Close unmaps the region. Close must not race with use of the memory
// through Bytes or a view: a slice obtained before Close faults if used
// after it. Words and barriers are safe to race with Close (see Close).
type Region struct {
	data     []byte
	name     string
	file     *os.File
	readOnly bool
	table    *atomics.Table

	// ctlMu guards ctlLo and ctlHi: the byte span that holds every word
	// and barrier made from the region (ctlHi == 0: none). Close keeps
	// that span's address range mapped, so an operation racing Close
	// cannot fault.
	ctlMu        sync.Mutex
	ctlLo, ctlHi int
	atClose      []func() // under ctlMu: run by Close before unmapping

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// Options configures how a region is mapped. The zero value maps read-write,
// with ordinary pages, faulted in on first touch.
type Options struct {
	// ReadOnly maps the region PROT_READ. Writes through Bytes or a view
	// fault; word and barrier constructors return ErrReadOnly.
	ReadOnly bool
	// HugePages asks the kernel for transparent huge pages
	// (madvise MADV_HUGEPAGE). Shared memory gets them only when
	// /sys/kernel/mm/transparent_hugepage/shmem_enabled is "advise" or
	// "always"; then first touch costs one fault per 2 MiB instead of per
	// 4 KiB. Otherwise the advice is harmless and has no effect.
	HugePages bool
	// Populate faults every page in before the constructor returns, in
	// parallel across GOMAXPROCS threads, so that the first pass over the
	// data does not pay for page faults.
	Populate bool
}

// New returns an anonymous region of at least size bytes, rounded up to the
// page size and zero-filled. It is backed by a memfd, so its file descriptor
// (Fd, File) can be handed to a child process. The memfd is sealed against
// shrinking (F_SEAL_SHRINK): a process it is handed to cannot truncate it
// under the mapping, which would make the next access fault.
func New(size int) (*Region, error) { return Options{}.New(size) }

// Create makes the named segment /dev/shm/<name> of exactly size bytes,
// exclusively and with mode 0600, and maps it. Its pages are reserved up
// front, so a full /dev/shm fails here with ErrNoSpace instead of raising
// SIGBUS on first touch. A leading '/' in name is ignored, as shm_open does.
func Create(name string, size int) (*Region, error) { return Options{}.Create(name, size) }

// Open maps the existing named segment /dev/shm/<name>, whatever its size,
// including one made by Python's multiprocessing.shared_memory. It follows
// no symbolic link and maps only a regular file on a shared-memory
// filesystem (tmpfs or hugetlbfs); anything else fails with ErrNotSegment.
//
// Named segments cannot be sealed: any process that may open one may also
// truncate it, and an access past the new end then faults. Use Guard
// around code that touches a segment shared with untrusted processes.
func Open(name string) (*Region, error) { return Options{}.Open(name) }

// OpenFile maps the whole of f, a memfd or shared memory file inherited
// from another process (for example os.NewFile(3, "region") in a child
// started with exec.Cmd.ExtraFiles). f must be a regular file
// (ErrNotSegment otherwise). The region owns f and closes it.
func OpenFile(f *os.File) (*Region, error) { return Options{}.OpenFile(f) }

// Unlink removes the named segment. Processes that have it mapped keep
// their mapping; the memory is freed when the last one closes it. It
// refuses, with ErrNotSegment, to remove anything but a regular file.
func Unlink(name string) error {
	name, err := checkName(name)
	if err != nil {
		return err
	}
	return unlinkSegment(name)
}

func checkSize(size int) error {
	switch {
	case size <= 0:
		return fmt.Errorf("%w: %d", ErrBadSize, size)
	case uint64(size) > maxSize:
		return fmt.Errorf("%w: %d bytes (the limit is %d)", ErrTooLarge, size, uint64(maxSize))
	}
	return nil
}

func checkName(name string) (string, error) {
	name = strings.TrimPrefix(name, "/")
	switch {
	case name == "", name == ".", strings.Contains(name, ".."):
		return "", fmt.Errorf("%w: %q", ErrBadName, name)
	case len(name) > nameMax:
		return "", fmt.Errorf("%w: %d bytes long (the limit is %d)", ErrBadName, len(name), nameMax)
	case strings.ContainsAny(name, "/\x00"):
		return "", fmt.Errorf("%w: %q contains '/' or NUL", ErrBadName, name)
	}
	return name, nil
}

func segmentPath(name string) string { return "/dev/shm/" + name }

// Bytes returns the region's memory, or nil after Close.
func (r *Region) Bytes() []byte {
	if r.closed.Load() {
		return nil
	}
	return r.data
}

// Len returns the region's size in bytes, or 0 after Close.
func (r *Region) Len() int {
	if r.closed.Load() {
		return 0
	}
	return len(r.data)
}

// Name returns the segment name, or "" for an anonymous region.
func (r *Region) Name() string { return r.name }

// ReadOnly reports whether the region is mapped read-only.
func (r *Region) ReadOnly() bool { return r.readOnly }

// Fd returns the file descriptor that backs the region, or -1 after Close.
// It stays owned by the region; use File to keep one beyond Close.
func (r *Region) Fd() int {
	if r.closed.Load() || r.file == nil {
		return -1
	}
	return int(r.file.Fd())
}

// File returns a duplicate of the region's file descriptor, for
// exec.Cmd.ExtraFiles or for sending over a Unix socket. The caller closes it.
func (r *Region) File() (*os.File, error) {
	if r.closed.Load() {
		return nil, ErrClosed
	}
	return dupFile(r.file)
}

// Close wakes every goroutine of this process that waits on a word or
// barrier of the region (their Wait returns ErrClosed), unmaps the memory and
// closes the file descriptor. It does not unlink a named segment. Close is
// idempotent.
//
// Word and barrier operations may race with Close: each one either takes
// effect, or is lost, or panics with an error matching ErrClosed (Wait
// returns it), but none faults. To that end Close replaces the pages that
// hold words and barriers with private zero pages instead of unmapping
// them; those are unmapped once the region and every word and barrier made
// from it are garbage.
func (r *Region) Close() error {
	r.closeOnce.Do(func() {
		r.closed.Store(true)
		// Waiters must be gone before the memory they read disappears.
		r.table.Close()
		r.ctlMu.Lock()
		lo, hi := r.ctlLo, r.ctlHi
		atClose := r.atClose
		r.atClose = nil
		r.ctlMu.Unlock()
		for _, f := range atClose {
			f()
		}
		err := release(r, r.data, lo, hi)
		r.data = nil
		if r.file != nil {
			if cerr := r.file.Close(); err == nil {
				err = cerr
			}
		}
		r.closeErr = err
	})
	return r.closeErr
}

// span checks that n elements of size bytes (a what, in the caller's
// terms: "Int32 word", or a zero element whose type names it) starting off bytes into the open region
// lie inside it, with off a multiple of align, and returns the byte count.
// Its errors name the request as the caller made it and never print an
// overflowed end.
func (r *Region) span(what any, off, n, size, align int) (int, error) {
	if _, ok := what.(string); !ok {
		what = fmt.Sprintf("%T", what) // a zero element: its type names it
	}
	if r == nil || r.closed.Load() {
		return 0, ErrClosed
	}
	if off < 0 || n < 0 {
		return 0, fmt.Errorf("%w: offset %d, count %d", ErrNegative, off, n)
	}
	if off%align != 0 {
		return 0, fmt.Errorf("%w: offset %d is not a multiple of %d (the alignment of %s)", ErrAlignment, off, align, what)
	}
	if n > (math.MaxInt-off)/size || off+n*size > len(r.data) {
		// In uint64, off + n*size cannot overflow: both are below 2^63.
		end := uint64(off) + uint64(n)*uint64(size)
		if n > math.MaxInt/size {
			return 0, fmt.Errorf("%w: %d elements of %s (%d bytes each) at offset %d exceed any region; the region has %d bytes",
				ErrRange, n, what, size, off, len(r.data))
		}
		return 0, fmt.Errorf("%w: %d × %s (%d bytes each) at offset %d end at byte %d, past the region's %d bytes",
			ErrRange, n, what, size, off, end, len(r.data))
	}
	return n * size, nil
}

// pin records that [off, off+n) holds a word or barrier, which Close must
// keep mapped.
func (r *Region) pin(off, n int) {
	r.ctlMu.Lock()
	defer r.ctlMu.Unlock()
	if r.ctlHi == 0 {
		r.ctlLo, r.ctlHi = off, off+n
		return
	}
	r.ctlLo, r.ctlHi = min(r.ctlLo, off), max(r.ctlHi, off+n)
}

// onClose makes Close run f before it unmaps the memory.
func (r *Region) onClose(f func()) {
	r.ctlMu.Lock()
	r.atClose = append(r.atClose, f)
	r.ctlMu.Unlock()
}

func newRegion(data []byte, name string, f *os.File, readOnly bool) *Region {
	return &Region{data: data, name: name, file: f, readOnly: readOnly, table: atomics.NewTable(true)}
}
