"""Wait on and notify sharc's waitable words from Python.

A waitable word (Go's shm.Int32 / shm.Uint32) is 128 bytes inside a shared
region, at an offset that is a multiple of 8 (docs/design/words.md has the
layout byte for byte):

    offset 0   value    uint32  the word itself, little-endian
    offset 4   seq      uint32  futex word: bumped by each notify that grants
    offset 8   summary  uint64  bit i (0-13): slot i may be in use;
                                bits 14-63: generation, bumped by every set
    offset 16  slots    14 x uint64, one per waiting process: waiters
                                (bits 0-10), unclaimed wake-ups (11-21), grant
                                epoch (22-31), threads asleep (32-39), owner
                                pid (42-63); 0 = free

wait() and notify() follow the same protocol as the Go side, so Python and
Go processes wait on and wake each other with exact counts: notify(n) wakes
at most n of the live waiters present, in any language, and returns how
many. Waiters are kept per process, and notify checks that a process is
alive before it hands it a wake-up, so a waiter killed while waiting is
never counted and its slot is freed.

Only the standard library is used: ctypes for the futex system call, and a
few bytes of machine code for the 64-bit compare-and-swap that Python lacks
(x86-64 Linux only for now).

    from multiprocessing import shared_memory
    from sharc import attach, words
    shm = attach("my-segment")           # not unlinked when Python exits
    words.store(shm.buf, 0, 1)
    words.notify(shm.buf, 0, 1)          # wakes a Go Int32.Wait(0, ...)
    words.wait(shm.buf, 0, 1, timeout=5) # "ok", "not-equal" or "timed-out"
"""

import ctypes
import mmap
import os
import platform
import select
import struct
import threading
import time

__all__ = ["wait", "notify", "notify_all", "load", "store", "WORD_SIZE", "MAX_WAITERS",
           "MAX_PROCESSES"]

WORD_SIZE = 128
"""Bytes a waitable word occupies (Go's shm.WordSize)."""

MAX_PROCESSES = 14
"""Processes that can wait on one word at once (one slot each)."""

MAX_WAITERS = 0x7FF
"""Waiters one process can have on one word at once."""

_FIELD = 0x7FF
_TOK_SHIFT = 11
_ONE_TOKEN = 1 << _TOK_SHIFT
_EPOCH_SHIFT = 22
_EPOCH_MASK = 0x3FF
_PARKED_SHIFT = 32
_PARKED_MASK = 0xFF
_PID_SHIFT = 42
_PID_MASK = (1 << 22) - 1
_SUM_SLOTS = (1 << MAX_PROCESSES) - 1
_SUM_ONE_GEN = 1 << MAX_PROCESSES
_MASK64 = (1 << 64) - 1

_FUTEX_WAIT = 0  # no FUTEX_PRIVATE_FLAG: waiters in other processes meet
_FUTEX_WAKE = 1
_INT_MAX = 0x7FFFFFFF

if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
    raise ImportError("sharc.words supports x86-64 Linux only (got %s %s)"
                      % (platform.system(), platform.machine()))

_SYS_FUTEX = 202
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _machine_code():
    # lock cmpxchg and lock xadd, which Python cannot express, as two tiny
    # functions in an executable page (System V calling convention).
    code = bytes([
        # uint64 cas64(uint64 *p, uint64 old, uint64 new): returns the
        # previous value, which equals old when the swap happened.
        0x48, 0x89, 0xF0,              # mov rax, rsi
        0xF0, 0x48, 0x0F, 0xB1, 0x17,  # lock cmpxchg [rdi], rdx
        0xC3,                          # ret
        0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
        # uint32 xadd32(uint32 *p, uint32 delta): returns the old value.
        0x89, 0xF0,                    # mov eax, esi
        0xF0, 0x0F, 0xC1, 0x07,        # lock xadd [rdi], eax
        0xC3,                          # ret
    ])
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    page.write(code)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(page))
    _libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    if _libc.mprotect(ctypes.c_void_p(addr), mmap.PAGESIZE, mmap.PROT_READ | mmap.PROT_EXEC) != 0:
        raise OSError(ctypes.get_errno(), "sharc.words: mprotect of the atomics page failed")
    cas = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64)(addr)
    xadd = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p, ctypes.c_uint32)(addr + 16)
    return page, cas, xadd


_page, _cas64, _xadd32 = _machine_code()


class _Word:
    """The addresses of one word; holds the buffer export while in use."""

    def __init__(self, buf, off):
        if off < 0 or off % 8 != 0:
            raise ValueError("sharc.words: offset %d is not a non-negative multiple of 8" % off)
        mv = memoryview(buf)
        if mv.nbytes < off + WORD_SIZE:
            raise ValueError("sharc.words: a word at offset %d needs %d bytes; the buffer has %d"
                             % (off, WORD_SIZE, mv.nbytes))
        self._anchor = ctypes.c_char.from_buffer(buf, off)  # keeps buf mapped
        base = ctypes.addressof(self._anchor)
        self.base = base
        self.value = base
        self.seq = base + 4
        self.summary = base + 8

    def slot(self, i):
        return self.base + 16 + 8 * i

    @staticmethod
    def load64(addr):
        # An aligned 8-byte load is atomic on x86-64.
        return ctypes.c_uint64.from_address(addr).value

    @staticmethod
    def cas64(addr, old, new):
        return _cas64(addr, old, new & _MASK64) == old

    def load_value(self):
        return ctypes.c_uint32.from_address(self.value).value

    def load_seq(self):
        return ctypes.c_uint32.from_address(self.seq).value


def _waiting(v):
    return v & _FIELD


def _tokens(v):
    return (v >> _TOK_SHIFT) & _FIELD


def _epoch(v):
    return (v >> _EPOCH_SHIFT) & _EPOCH_MASK


def _parked(v):
    return (v >> _PARKED_SHIFT) & _PARKED_MASK


def _pid(v):
    return v >> _PID_SHIFT


def _me():
    # Asked each time: a forked child is another owner.
    return (os.getpid() & _PID_MASK) or _PID_MASK


def _alive(pid):
    """Whether process pid is alive; a zombie is not. When unsure: alive."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return False
    except (AttributeError, OSError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            pass
        return True
    try:
        p = select.poll()
        p.register(fd, select.POLLIN)
        return not p.poll(0)  # readable: the process has exited
    finally:
        os.close(fd)


def _claim_slot(w, me):
    for i in range(MAX_PROCESSES):
        a = w.slot(i)
        if w.load64(a) != 0 or not w.cas64(a, 0, me << _PID_SHIFT):
            continue
        # Set the bit with a new generation even if it is still set.
        while True:
            s = w.load64(w.summary)
            if w.cas64(w.summary, s, (s | 1 << i) + _SUM_ONE_GEN):
                return i
    return -1


def _sweep(w, i):
    """Clear slot i's summary bit if the slot is free."""
    while True:
        s = w.load64(w.summary)
        if not s & (1 << i) or w.load64(w.slot(i)) != 0:
            return
        if w.cas64(w.summary, s, s & ~(1 << i)):
            return


def _free_slot(w, i, owner):
    a = w.slot(i)
    while True:
        v = w.load64(a)
        if v == 0 or _pid(v) != owner:
            return
        if w.cas64(a, v, 0):
            _sweep(w, i)
            return


# This process's slot in each word it waits on: {word address: [slot, users]}.
_held = {}
_held_lock = threading.Lock()


def _hold(w, me):
    with _held_lock:
        e = _held.get((w.base, me))
        if e is None:
            i = _claim_slot(w, me)
            if i < 0:
                for j in range(MAX_PROCESSES):  # free the slots of dead processes
                    v = w.load64(w.slot(j))
                    if v != 0 and _pid(v) != me and not _alive(_pid(v)):
                        _free_slot(w, j, _pid(v))
                i = _claim_slot(w, me)
            if i < 0:
                raise RuntimeError("sharc.words: too many processes wait on one word (at most %d)"
                                   % MAX_PROCESSES)
            e = _held[(w.base, me)] = [i, 0]
        e[1] += 1
        return e[0]


def _unhold(w, me):
    with _held_lock:
        e = _held[(w.base, me)]
        e[1] -= 1
        if e[1] == 0:
            del _held[(w.base, me)]
            _free_slot(w, e[0], me)


def _register(w, i, me):
    a = w.slot(i)
    while True:
        v = w.load64(a)
        if _pid(v) != me:
            raise RuntimeError("sharc.words: this process's slot in the word was taken over")
        if _waiting(v) + _tokens(v) >= MAX_WAITERS:
            raise RuntimeError("sharc.words: too many waiters on one word")
        if w.cas64(a, v, v + 1):
            return _epoch(v)


def _withdraw(w, i, me, epoch, prefer_token):
    """Drop a registration; returns True if it took a wake-up token instead."""
    a = w.slot(i)
    while True:
        v = w.load64(a)
        if _pid(v) != me:
            return False
        eligible = _tokens(v) > 0 and _epoch(v) != epoch
        if (prefer_token and eligible) or (_waiting(v) == 0 and _tokens(v) > 0):
            n, claimed = v - _ONE_TOKEN, True
        elif _waiting(v) > 0:
            n, claimed = v - 1, False
        else:
            return False  # only if another process scribbled over the word
        if w.cas64(a, v, n):
            return claimed


def _claim(w, i, me, epoch):
    a = w.slot(i)
    while True:
        v = w.load64(a)
        if _tokens(v) == 0 or _epoch(v) == epoch or _pid(v) != me:
            return False
        if w.cas64(a, v, v - _ONE_TOKEN):
            return True


def _add_parked(w, i, me, delta):
    a = w.slot(i)
    while True:
        v = w.load64(a)
        pk = _parked(v) + delta
        if _pid(v) != me or pk < 0 or pk > _PARKED_MASK:
            return
        if w.cas64(a, v, (v & ~(_PARKED_MASK << _PARKED_SHIFT)) | pk << _PARKED_SHIFT):
            return


def _grant(w, i, owner, n):
    """Turn up to n of slot i's waiters into tokens; returns (granted, parked)."""
    a = w.slot(i)
    while True:
        v = w.load64(a)
        k = min(n, _waiting(v))
        if _pid(v) != owner or k == 0:
            return 0, 0
        nxt = v - k + k * _ONE_TOKEN
        nxt = (nxt & ~(_EPOCH_MASK << _EPOCH_SHIFT)) | (((_epoch(v) + 1) & _EPOCH_MASK) << _EPOCH_SHIFT)
        if w.cas64(a, v, nxt):
            return k, _parked(v)


def _futex(addr, op, val, timeout=None):
    ts = None
    if timeout is not None:
        sec = int(timeout)
        ts = ctypes.byref((ctypes.c_long * 2)(sec, int((timeout - sec) * 1e9)))
    return _libc.syscall(ctypes.c_long(_SYS_FUTEX), ctypes.c_void_p(addr), ctypes.c_int(op),
                         ctypes.c_int(val), ts, None, ctypes.c_int(0))


def load(buf, off):
    """Return the word's value as an unsigned 32-bit integer."""
    return struct.unpack_from("<I", buf, off)[0]


def store(buf, off, value):
    """Store value (taken modulo 2**32) in the word. An aligned 4-byte store
    is atomic on x86-64; it wakes nobody by itself: call notify after it."""
    struct.pack_into("<I", buf, off, value & 0xFFFFFFFF)


def notify(buf, off, n=1):
    """Wake up to n waiters of the word at byte offset off of buf, in this or
    any other process (Go or Python), and return how many it woke. A waiter
    whose process has died is not counted (its slot is freed). With nobody
    waiting it makes no system call."""
    w = _Word(buf, off)
    in_use = w.load64(w.summary) & _SUM_SLOTS
    if n <= 0 or in_use == 0:
        return 0
    me = _me()
    granted, wake = 0, False
    for i in range(MAX_PROCESSES):
        if granted >= n:
            break
        if not in_use & (1 << i):
            continue
        v = w.load64(w.slot(i))
        if v == 0:
            _sweep(w, i)
            continue
        if _waiting(v) == 0:
            continue
        if _pid(v) != me and not _alive(_pid(v)):
            _free_slot(w, i, _pid(v))
            continue
        k, parked = _grant(w, i, _pid(v), n - granted)
        granted += k
        if k and parked:
            wake = True
    if granted == 0:
        return 0
    _xadd32(w.seq, 1)
    if wake:
        _futex(w.seq, _FUTEX_WAKE, _INT_MAX)
    return granted


def notify_all(buf, off):
    """Wake every waiter of the word; return how many it woke."""
    return notify(buf, off, MAX_PROCESSES * MAX_WAITERS)


wake = notify  # the futex name for the same thing


def wait(buf, off, expected, timeout=None):
    """Block while the word at byte offset off of buf holds expected (taken
    modulo 2**32), until a notify from any process wakes this waiter or
    timeout seconds pass (None: no limit). Returns "ok" (woken),
    "not-equal" (the word held another value) or "timed-out", like
    JavaScript's Atomics.wait. Raises RuntimeError if the word already has
    waiters in MAX_PROCESSES other live processes."""
    w = _Word(buf, off)
    expected &= 0xFFFFFFFF
    me = _me()
    i = _hold(w, me)
    try:
        epoch = _register(w, i, me)
        if w.load_value() != expected:
            if _withdraw(w, i, me, epoch, True):
                # A notify picked us before we could leave: pass it on.
                notify(buf, off, 1)
            return "not-equal"
        deadline = None if timeout is None else time.monotonic() + timeout
        _add_parked(w, i, me, 1)
        try:
            while True:
                if _claim(w, i, me, epoch):
                    return "ok"
                seq = w.load_seq()
                # A grant between the claim above and this load bumped seq
                # after we read it, so the futex wait below returns at once.
                if _claim(w, i, me, epoch):
                    return "ok"
                left = None
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return "ok" if _withdraw(w, i, me, epoch, True) else "timed-out"
                _futex(w.seq, _FUTEX_WAIT, seq, left)
        finally:
            _add_parked(w, i, me, -1)
    finally:
        _unhold(w, me)
