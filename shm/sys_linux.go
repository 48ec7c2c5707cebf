package shm

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// New is like the package-level New, with these options.
func (o Options) New(size int) (*Region, error) {
	if err := checkSize(size); err != nil {
		return nil, err
	}
	page := os.Getpagesize()
	rounded := (size + page - 1) / page * page
	fd, err := unix.MemfdCreate("sharc", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("shm: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "memfd:sharc")
	if err := unix.Ftruncate(fd, int64(rounded)); err != nil {
		f.Close()
		return nil, sizeError("ftruncate", size, err)
	}
	// Sealed against shrinking, a region handed to another process cannot
	// be truncated under our mapping (that would turn our next access into
	// SIGBUS). Growing stays allowed; it does not disturb the mapping.
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK); err != nil {
		f.Close()
		return nil, fmt.Errorf("shm: sealing the memfd: %w", err)
	}
	return o.mapFile(f, "", rounded)
}

// Create is like the package-level Create, with these options.
func (o Options) Create(name string, size int) (*Region, error) {
	name, err := checkName(name)
	if err != nil {
		return nil, err
	}
	if err := checkSize(size); err != nil {
		return nil, err
	}
	path := segmentPath(name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err // *fs.PathError: matches fs.ErrExist, fs.ErrPermission
	}
	if err := checkSegment(f, true); err != nil {
		f.Close() // not ours to remove: something else was planted there
		return nil, err
	}
	if err := fallocate(f, size); err != nil {
		f.Close()
		os.Remove(path)
		return nil, sizeError("fallocate "+path, size, err)
	}
	r, err := o.mapFile(f, name, size)
	if err != nil {
		os.Remove(path)
	}
	return r, err
}

// fallocate reserves size bytes, so that running out of space is an error
// now rather than SIGBUS later. tmpfs supports it and fails fast when the
// size exceeds what is free.
func fallocate(f *os.File, size int) error {
	for {
		err := unix.Fallocate(int(f.Fd()), 0, 0, int64(size))
		if err != unix.EINTR {
			if err == unix.EOPNOTSUPP {
				return unix.Ftruncate(int(f.Fd()), int64(size))
			}
			return err
		}
	}
}

// Open is like the package-level Open, with these options.
func (o Options) Open(name string) (*Region, error) {
	name, err := checkName(name)
	if err != nil {
		return nil, err
	}
	flag := os.O_RDWR
	if o.ReadOnly {
		flag = os.O_RDONLY
	}
	// O_NOFOLLOW: a symlink planted in /dev/shm must not make us map
	// (and write through) some other file.
	f, err := os.OpenFile(segmentPath(name), flag|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("%w: /dev/shm/%s is a symbolic link", ErrNotSegment, name)
		}
		return nil, err // *fs.PathError: matches fs.ErrNotExist, fs.ErrPermission
	}
	if err := checkSegment(f, true); err != nil {
		f.Close()
		return nil, err
	}
	return o.openFile(f, name)
}

// OpenFile is like the package-level OpenFile, with these options.
func (o Options) OpenFile(f *os.File) (*Region, error) {
	if err := checkSegment(f, false); err != nil {
		f.Close()
		return nil, err
	}
	return o.openFile(f, "")
}

// Filesystem magic numbers of the filesystems that hold shared memory.
const (
	tmpfsMagic     = 0x01021994
	hugetlbfsMagic = 0x958458f6
)

// checkSegment refuses anything but a regular file, and with onShm, a file
// that is not on a shared-memory filesystem (tmpfs, hugetlbfs): a device, a
// FIFO or a file on disk planted under a segment's name is not mapped.
func checkSegment(f *os.File, onShm bool) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return &fs.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%w: %s is not a regular file (mode %#o)", ErrNotSegment, f.Name(), st.Mode)
	}
	if !onShm {
		return nil
	}
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &sfs); err != nil {
		return &fs.PathError{Op: "fstatfs", Path: f.Name(), Err: err}
	}
	if t := uint32(sfs.Type); t != tmpfsMagic && t != hugetlbfsMagic {
		return fmt.Errorf("%w: %s is not on a shared-memory filesystem (type %#x)", ErrNotSegment, f.Name(), t)
	}
	return nil
}

// unlinkSegment removes /dev/shm/<name> if it is a regular file: a
// symbolic link or anything else planted under the name is left alone.
func unlinkSegment(name string) error {
	path := segmentPath(name)
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return &fs.PathError{Op: "unlink", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%w: %s is not a regular file (mode %#o)", ErrNotSegment, path, st.Mode)
	}
	return os.Remove(path)
}

func (o Options) openFile(f *os.File, name string) (*Region, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	if st.Size <= 0 {
		f.Close()
		return nil, fmt.Errorf("%w: %s has size %d", ErrBadSize, f.Name(), st.Size)
	}
	if uint64(st.Size) > maxSize {
		f.Close()
		return nil, fmt.Errorf("%w: %s has size %d", ErrTooLarge, f.Name(), st.Size)
	}
	return o.mapFile(f, name, int(st.Size))
}

// mapFile maps size bytes of f; on failure it closes f.
func (o Options) mapFile(f *os.File, name string, size int) (*Region, error) {
	prot := unix.PROT_READ | unix.PROT_WRITE
	if o.ReadOnly {
		prot = unix.PROT_READ
	}
	data, err := mmap(int(f.Fd()), size, prot)
	if err != nil {
		f.Close()
		if errors.Is(err, unix.EACCES) {
			return nil, &fs.PathError{Op: "mmap", Path: f.Name(), Err: err}
		}
		return nil, sizeError("mmap", size, err)
	}
	if o.HugePages {
		// Advice only: it fails harmlessly where THP is compiled out.
		_ = unix.Madvise(data, unix.MADV_HUGEPAGE)
	}
	if o.Populate {
		populate(data, o.ReadOnly)
	}
	return newRegion(data, name, f, o.ReadOnly), nil
}

func sizeError(op string, size int, err error) error {
	switch {
	case errors.Is(err, unix.ENOSPC):
		return fmt.Errorf("%w: %s of %d bytes: %v", ErrNoSpace, op, size, err)
	case errors.Is(err, unix.ENOMEM), errors.Is(err, unix.EFBIG), errors.Is(err, unix.EINVAL), errors.Is(err, unix.EOVERFLOW):
		return fmt.Errorf("%w: %s of %d bytes: %v", ErrTooLarge, op, size, err)
	}
	return fmt.Errorf("shm: %s of %d bytes: %w", op, size, err)
}

// populateChunk is the unit of parallel prefaulting: large enough to amortize
// the madvise call, small enough to balance across threads.
const populateChunk = 64 << 20

// populate faults in every page of data. MADV_POPULATE_WRITE (Linux 5.14)
// allocates the pages without touching them from user space; it runs on
// several threads at once because shared-memory faults are serialized per
// thread, not per mapping. Older kernels fall back to touching one byte per
// page.
func populate(data []byte, readOnly bool) {
	advice := unix.MADV_POPULATE_WRITE
	if readOnly {
		advice = unix.MADV_POPULATE_READ
	}
	workers := min(runtime.GOMAXPROCS(0), (len(data)+populateChunk-1)/populateChunk)
	var next sync.Mutex
	off := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				lo := off
				off += populateChunk
				next.Unlock()
				if lo >= len(data) {
					return
				}
				chunk := data[lo:min(lo+populateChunk, len(data))]
				if unix.Madvise(chunk, advice) != nil {
					touch(chunk, readOnly)
				}
			}
		})
	}
	wg.Wait()
}

func touch(b []byte, readOnly bool) {
	page := os.Getpagesize()
	var sink byte
	for i := 0; i < len(b); i += page {
		if readOnly {
			sink += b[i]
		} else {
			// An atomic add of zero write-faults the page without
			// changing what another process may be writing there.
			atomic.AddUint32((*uint32)(unsafe.Pointer(&b[i])), 0)
		}
	}
	_ = sink
}

// mmap maps size bytes of fd shared. Regions map and unmap through the
// pointer calls, not unix.Mmap, because Close unmaps parts of a mapping,
// which unix.Munmap refuses.
func mmap(fd, size, prot int) ([]byte, error) {
	p, err := unix.MmapPtr(fd, 0, nil, uintptr(size), prot, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(p), size), nil
}

func unmap(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	return unix.MunmapPtr(unsafe.Pointer(&data[0]), uintptr(len(data)))
}

// release unmaps the memory of r except the pages of [lo, hi), which hold
// its words and barriers: those are replaced, in one atomic mmap, by private
// anonymous pages, so an operation that checked r before Close and touches
// the memory after it finds harmless zeroes instead of a hole. They are
// unmapped when r, which every word and barrier references, is garbage.
func release(r *Region, data []byte, lo, hi int) error {
	if data == nil || hi <= lo {
		return unmap(data)
	}
	page := os.Getpagesize()
	lo = lo / page * page
	hi = min((hi+page-1)/page*page, len(data))
	keep := data[lo:hi]
	p, err := unix.MmapPtr(-1, 0, unsafe.Pointer(&keep[0]), uintptr(len(keep)),
		unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED)
	if err != nil || p != unsafe.Pointer(&keep[0]) {
		// Not expected; the plain unmap is still correct for code
		// that does not race Close.
		return unmap(data)
	}
	runtime.AddCleanup(r, func(b []byte) { _ = unmap(b) }, keep)
	err = unmap(data[:lo])
	if e := unmap(data[hi:]); err == nil {
		err = e
	}
	return err
}

func dupFile(f *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("shm: dup: %w", err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// processAlive reports whether process pid exists and is not a zombie (a
// SIGKILLed child its parent has not reaped yet is dead for our purposes).
func processAlive(pid int) bool {
	if err := unix.Kill(pid, 0); err == unix.ESRCH {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist)
	}
	// The state follows the command name, which is in parentheses and
	// may itself contain them.
	if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] != 'Z' && b[i+2] != 'X'
	}
	return true
}
