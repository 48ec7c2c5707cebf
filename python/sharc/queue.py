"""sharc.queue: the Python side of sharc's shm.Queue.

A bounded queue of byte messages inside shared memory, between one producer
and one consumer in any two processes, Go or Python. The layout and the
wake-up protocol are those of docs/design/queue.md; this module uses only the
standard library (mmap, ctypes for the futex system call and, where the C
runtime's libatomic is installed, for sequentially consistent atomics).

    from multiprocessing import shared_memory
    from sharc.queue import Queue

    shm = shared_memory.SharedMemory(name="jobs")   # made by Go's shm.Create
    q = Queue(shm.buf, 0)                           # shm.OpenQueue(r, 0)
    q.send(b"hello")                                # Go: q.Receive(ctx, buf)
    reply = q2.receive(timeout=5)

Linux only (the futex). One producer and one consumer per queue, each in one
thread at a time.
"""

import ctypes
import ctypes.util
import os
import platform
import struct
import time

__all__ = [
    "Queue", "QueueError", "CorruptError", "PeerDiedError", "QueueClosedError",
    "queue_size", "max_message", "HEADER_SIZE", "ALIGN",
]

MAGIC = 0x51524853  # "SHRQ"
VERSION = 1
LINE = 128
HEADER_SIZE = 3 * LINE
ALIGN = LINE
REC_HEADER = 8
PAD_MARKER = 0xFFFFFFFF

# Header offsets (docs/design/queue.md).
_MAGIC, _VERSION, _CAPACITY, _MAXMSG = 0, 4, 8, 12
_PROD_PID, _CONS_PID, _PROD_CLOSE, _CONS_CLOSE = 16, 20, 24, 28
_HEAD, _DATA_SEQ, _CONS_PARKED = LINE, LINE + 8, LINE + 12
_TAIL, _SPACE_SEQ, _PROD_PARKED = 2 * LINE, 2 * LINE + 8, 2 * LINE + 12

_SLICE = 0.1     # seconds between looks at the peer's pid while asleep
_SPIN = 20e-6    # seconds of polling before sleeping


class QueueError(Exception):
    """Base of the queue's errors."""


class CorruptError(QueueError):
    """The shared header or a record holds values no correct peer writes."""


class PeerDiedError(QueueError):
    """The peer process this side waits for has died."""


class QueueClosedError(QueueError):
    """The peer closed the queue (after every message was consumed), or this side did."""


def queue_size(capacity):
    """Bytes a queue with a ring of `capacity` bytes occupies."""
    return HEADER_SIZE + capacity


def max_message(capacity):
    """The largest message a ring of `capacity` bytes can hold."""
    return capacity // 2 - REC_HEADER


def _record_size(n):
    return REC_HEADER + ((n + 7) & ~7)


# --- futex and atomics ------------------------------------------------------

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_SYS_FUTEX = {"x86_64": 202, "aarch64": 98, "i686": 240, "i386": 240, "armv7l": 240}.get(platform.machine(), 202)
_FUTEX_WAIT, _FUTEX_WAKE = 0, 1


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


_libc.syscall.restype = ctypes.c_long


def _futex_wait(addr, expected, timeout):
    ts = _Timespec(int(timeout), int((timeout % 1) * 1e9))
    _libc.syscall(_SYS_FUTEX, ctypes.c_void_p(addr), _FUTEX_WAIT, ctypes.c_uint32(expected),
                  ctypes.byref(ts), None, 0)


def _futex_wake(addr):
    _libc.syscall(_SYS_FUTEX, ctypes.c_void_p(addr), _FUTEX_WAKE, 0x7FFFFFFF, None, None, 0)


_SEQ_CST = 5


def _atomics():
    """The sequentially consistent atomics of libatomic, or None."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("atomic") or "libatomic.so.1")
        fns = {}
        u32, u64, ptr, order = ctypes.c_uint32, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_int
        for name, res, args in [
            ("load_4", u32, [ptr, order]), ("load_8", u64, [ptr, order]),
            ("store_4", None, [ptr, u32, order]), ("store_8", None, [ptr, u64, order]),
            ("fetch_add_4", u32, [ptr, u32, order]),
            ("compare_exchange_4", ctypes.c_bool, [ptr, ctypes.POINTER(u32), u32, order, order]),
        ]:
            f = getattr(lib, "__atomic_" + name)
            f.restype, f.argtypes = res, args
            fns[name] = f
        return fns
    except (OSError, AttributeError):
        return None


_A = _atomics()


class _Words:
    """Atomic access to the aligned words of a writable buffer.

    With libatomic every access is a sequentially consistent atomic, as in Go.
    Without it, aligned 4- and 8-byte accesses through ctypes are single
    loads and stores on 64-bit machines, and a FUTEX_WAKE on a private word
    (the kernel issues a full barrier there) orders a store before the load
    that follows it, which is all the protocol needs.
    """

    def __init__(self, buf, base, size):
        self._anchor = (ctypes.c_char * size).from_buffer(buf, base)
        self.addr = ctypes.addressof(self._anchor)
        self._scratch = ctypes.c_uint32(0)

    def release(self):
        self._anchor = None

    def load32(self, off):
        if _A:
            return _A["load_4"](self.addr + off, _SEQ_CST)
        return ctypes.c_uint32.from_address(self.addr + off).value

    def store32(self, off, v):
        if _A:
            _A["store_4"](self.addr + off, v & 0xFFFFFFFF, _SEQ_CST)
        else:
            ctypes.c_uint32.from_address(self.addr + off).value = v & 0xFFFFFFFF
            self.fence()

    def load64(self, off):
        if _A:
            return _A["load_8"](self.addr + off, _SEQ_CST)
        return ctypes.c_uint64.from_address(self.addr + off).value

    def store64(self, off, v):
        if _A:
            _A["store_8"](self.addr + off, v & 0xFFFFFFFFFFFFFFFF, _SEQ_CST)
        else:
            ctypes.c_uint64.from_address(self.addr + off).value = v & 0xFFFFFFFFFFFFFFFF
            self.fence()

    def add32(self, off, d):
        if _A:
            _A["fetch_add_4"](self.addr + off, d, _SEQ_CST)
        else:
            w = ctypes.c_uint32.from_address(self.addr + off)
            w.value = (w.value + d) & 0xFFFFFFFF
            self.fence()

    def cas32(self, off, old, new):
        if _A:
            exp = ctypes.c_uint32(old)
            return _A["compare_exchange_4"](self.addr + off, ctypes.byref(exp), new, _SEQ_CST, _SEQ_CST)
        w = ctypes.c_uint32.from_address(self.addr + off)
        if w.value != old:
            return False
        w.value = new
        self.fence()
        return True

    def fence(self):
        _futex_wake(ctypes.addressof(self._scratch))


def _pid_alive(pid):
    if pid == 0 or pid > 0x7FFFFFFF:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
    except OSError:
        return True
    i = stat.rfind(b")")
    return not (0 <= i and i + 2 < len(stat) and stat[i + 2:i + 3] in (b"Z", b"X"))


# --- the queue ----------------------------------------------------------------

class Queue:
    """One end of a shm.Queue laid out at `offset` of the writable buffer `buf`
    (an mmap, or SharedMemory.buf). The constructor opens an existing queue;
    Queue.create lays out a new one."""

    def __init__(self, buf, offset=0):
        mv = memoryview(buf)
        if offset < 0 or offset % ALIGN or offset + HEADER_SIZE > len(mv):
            raise ValueError("sharc.queue: offset %d is not a multiple of %d with a header behind it in %d bytes"
                             % (offset, ALIGN, len(mv)))
        magic, version, capacity, maxmsg = struct.unpack_from("<4I", mv, offset)
        if magic != MAGIC or version != VERSION:
            raise CorruptError("sharc.queue: no queue at offset %d (magic %#x, version %d)" % (offset, magic, version))
        if capacity < 256 or capacity > 1 << 30 or capacity & (capacity - 1) or not 1 <= maxmsg <= max_message(capacity):
            raise CorruptError("sharc.queue: capacity %d, max message %d" % (capacity, maxmsg))
        if offset + queue_size(capacity) > len(mv):
            raise CorruptError("sharc.queue: a ring of %d bytes does not fit the buffer" % capacity)
        self._mv = mv[offset:offset + queue_size(capacity)]
        self._w = _Words(buf, offset, queue_size(capacity))
        self.capacity = capacity
        self.max_message = maxmsg
        self._pid = os.getpid()
        self._producing = self._consuming = False
        self._head = self._tail_seen = 0
        self._tail = self._head_seen = 0
        self._closed = False

    @classmethod
    def create(cls, buf, offset, capacity, max_msg=0):
        """Lay out an empty queue with a ring of `capacity` bytes (a power of
        two from 256 to 1 GiB) and open it: shm.NewQueue."""
        if capacity < 256 or capacity > 1 << 30 or capacity & (capacity - 1):
            raise ValueError("sharc.queue: capacity %d is not a power of two from 256 to 1 GiB" % capacity)
        max_msg = max_msg or max_message(capacity)
        if not 1 <= max_msg <= max_message(capacity):
            raise ValueError("sharc.queue: max_msg %d is not from 1 to %d" % (max_msg, max_message(capacity)))
        mv = memoryview(buf)
        if offset < 0 or offset % ALIGN or offset + queue_size(capacity) > len(mv):
            raise ValueError("sharc.queue: %d bytes at offset %d do not fit %d bytes" % (queue_size(capacity), offset, len(mv)))
        mv[offset:offset + HEADER_SIZE] = bytes(HEADER_SIZE)
        struct.pack_into("<3I", mv, offset + 4, VERSION, capacity, max_msg)
        w = _Words(buf, offset, HEADER_SIZE)
        w.store32(_MAGIC, MAGIC)  # last: an opener never sees a half-made header
        w.release()
        return cls(buf, offset)

    def close(self):
        """Mark the sides this process used as closed and wake the peer.
        Releases the buffer, so SharedMemory.close() can follow."""
        if self._closed:
            return
        self._closed = True
        if self._producing:
            self._w.store32(_PROD_CLOSE, 1)
            self._wake(_DATA_SEQ)
        if self._consuming:
            self._w.store32(_CONS_CLOSE, 1)
            self._wake(_SPACE_SEQ)
        self._w.release()
        self._mv.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- producer --

    def send(self, data, timeout=None):
        """Copy `data` into the queue as one message, waiting up to `timeout`
        seconds (None: no limit) for room. Raises TimeoutError, QueueClosedError,
        PeerDiedError, CorruptError; ValueError for a message over max_message."""
        n = len(data)
        if n > self.max_message:
            raise ValueError("sharc.queue: message of %d bytes, limit %d" % (n, self.max_message))
        self._start_send()
        rec = _record_size(n)
        cap = self.capacity
        at = self._head % cap
        need = rec + (cap - at if cap - at < rec else 0)
        if cap - (self._head - self._tail_seen) < need:
            self._wait(True, need, timeout)
        w = self._w
        if need > rec:
            struct.pack_into("<II", self._mv, HEADER_SIZE + at, PAD_MARKER, 0)
            at = 0
        p = HEADER_SIZE + at
        self._mv[p + REC_HEADER:p + REC_HEADER + n] = data
        struct.pack_into("<II", self._mv, p, n, ~n & 0xFFFFFFFF)
        self._head += need
        w.store64(_HEAD, self._head)
        if w.load32(_CONS_PARKED) != 0 and w.cas32(_CONS_PARKED, 1, 0):
            self._wake(_DATA_SEQ)

    def _start_send(self):
        self._usable()
        w = self._w
        if not self._producing:
            self._register(_PROD_PID, "producer")
            self._head, self._tail_seen = w.load64(_HEAD), w.load64(_TAIL)
            if self._head & 7 or not 0 <= self._head - self._tail_seen <= self.capacity:
                raise CorruptError("sharc.queue: head %d, tail %d" % (self._head, self._tail_seen))
            self._producing = True
        h = w.load64(_HEAD)
        if h != self._head:
            raise CorruptError("sharc.queue: head is %d, the producer wrote %d" % (h, self._head))
        if w.load32(_CONS_CLOSE):
            raise QueueClosedError("sharc.queue: the consumer closed the queue")

    # -- consumer --

    def receive(self, timeout=None):
        """Wait up to `timeout` seconds (None: no limit) for the next message
        and return it as bytes. Raises TimeoutError, QueueClosedError (the
        producer closed and every message is consumed), PeerDiedError,
        CorruptError."""
        at, n, nxt = self._next(timeout)
        data = bytes(self._mv[HEADER_SIZE + at + REC_HEADER:HEADER_SIZE + at + REC_HEADER + n])
        self._release(nxt)
        return data

    def receive_into(self, buf, timeout=None):
        """Like receive, but copy the message into the writable buffer `buf`
        and return its length; a message longer than buf stays in the queue
        and raises ValueError."""
        at, n, nxt = self._next(timeout)
        out = memoryview(buf).cast("B")
        if n > len(out):
            raise ValueError("sharc.queue: message of %d bytes, buffer of %d" % (n, len(out)))
        out[:n] = self._mv[HEADER_SIZE + at + REC_HEADER:HEADER_SIZE + at + REC_HEADER + n]
        self._release(nxt)
        return n

    def _next(self, timeout):
        self._start_recv()
        if self._head_seen == self._tail:
            self._wait(False, 0, timeout)
        cap = self.capacity
        avail = self._head_seen - self._tail
        at = self._tail % cap
        skip = 0
        n, check = struct.unpack_from("<II", self._mv, HEADER_SIZE + at)
        if n == PAD_MARKER and check == 0:
            skip = cap - at
            if skip + REC_HEADER > avail:
                raise CorruptError("sharc.queue: padding of %d bytes with %d committed" % (skip, avail))
            at = 0
            n, check = struct.unpack_from("<II", self._mv, HEADER_SIZE)
        if check != ~n & 0xFFFFFFFF or n > self.max_message:
            raise CorruptError("sharc.queue: record header %#x/%#x at %d" % (n, check, at))
        if skip + _record_size(n) > avail:
            raise CorruptError("sharc.queue: record of %d bytes with %d committed" % (n, avail - skip))
        return at, n, self._tail + skip + _record_size(n)

    def _release(self, nxt):
        w = self._w
        self._tail = nxt
        w.store64(_TAIL, nxt)
        p = w.load32(_PROD_PARKED)
        if p != 0 and ((nxt - (p & ~1)) & 0xFFFFFFFF) < 0x80000000 and w.cas32(_PROD_PARKED, p, 0):
            self._wake(_SPACE_SEQ)

    def _start_recv(self):
        self._usable()
        w = self._w
        if not self._consuming:
            self._register(_CONS_PID, "consumer")
            self._tail = self._head_seen = w.load64(_TAIL)
            if self._tail & 7:
                raise CorruptError("sharc.queue: tail %d" % self._tail)
            self._consuming = True
        t = w.load64(_TAIL)
        if t != self._tail:
            raise CorruptError("sharc.queue: tail is %d, the consumer wrote %d" % (t, self._tail))

    # -- shared --

    def _usable(self):
        if self._closed:
            raise QueueClosedError("sharc.queue: closed")
        if self._w.load32(_MAGIC) != MAGIC:
            raise CorruptError("sharc.queue: magic overwritten")

    def _register(self, off, role):
        w = self._w
        while True:
            old = w.load32(off)
            if old == self._pid:
                return
            if old != 0 and _pid_alive(old):
                raise QueueError("sharc.queue: the queue already has a %s, pid %d" % (role, old))
            if w.cas32(off, old, self._pid):
                return

    def _ready(self, space, need):
        w, cap = self._w, self.capacity
        if space:
            t = w.load64(_TAIL)
            if t & 7 or not 0 <= self._head - t <= cap:
                raise CorruptError("sharc.queue: tail %d with head %d" % (t, self._head))
            self._tail_seen = t
            return cap - (self._head - t) >= need
        h = w.load64(_HEAD)
        if h & 7 or not 0 <= h - self._tail <= cap:
            raise CorruptError("sharc.queue: head %d with tail %d" % (h, self._tail))
        self._head_seen = h
        return h != self._tail

    def _wait(self, space, need, timeout):
        if space:
            seq, parked, peer_pid, peer_close = _SPACE_SEQ, _PROD_PARKED, _CONS_PID, _CONS_CLOSE
            park_val = ((self._head - self.capacity + max(need, self.capacity // 2)) & 0xFFFFFFFF) | 1
        else:
            seq, parked, peer_pid, peer_close = _DATA_SEQ, _CONS_PARKED, _PROD_PID, _PROD_CLOSE
            park_val = 1
        w = self._w
        start = time.monotonic()
        deadline = None if timeout is None else start + timeout
        while time.monotonic() - start < _SPIN:
            if self._ready(space, need):
                return
        last_check = time.monotonic()
        while True:
            self._usable()
            if w.load32(peer_close):
                if self._ready(space, need):
                    return
                raise QueueClosedError("sharc.queue: the peer closed the queue")
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise TimeoutError("sharc.queue: timed out")
            s = w.load32(seq)
            w.store32(parked, park_val)
            if self._ready(space, need):
                w.store32(parked, 0)
                return
            nap = _SLICE if deadline is None else min(_SLICE, deadline - now)
            _futex_wait(w.addr + seq, s, nap)
            w.store32(parked, 0)
            if self._ready(space, need):
                return
            if time.monotonic() - last_check >= _SLICE:
                last_check = time.monotonic()
                pid = w.load32(peer_pid)
                if pid not in (0, self._pid) and not _pid_alive(pid):
                    if self._ready(space, need):
                        return
                    raise PeerDiedError("sharc.queue: the peer process %d died" % pid)

    def _wake(self, seq):
        self._w.add32(seq, 1)
        _futex_wake(self._w.addr + seq)
