"""Wait on and notify sharc's waitable words from Python.

A waitable word (Go's shm.Int32 / shm.Uint32) is 16 bytes inside a shared
region, at an offset that is a multiple of 8 (docs/design/words.md has the
layout byte for byte):

    offset 0   value  uint32  the word itself, little-endian
    offset 4   seq    uint32  futex word: bumped by each notify that grants
    offset 8   state  uint64  waiters (bits 0-15), unclaimed wake-ups (16-31),
                              grant epoch (32-47), processes asleep (48-63)

wait() and notify() follow the same protocol as the Go side, so Python and
Go processes wait on and wake each other with exact counts: notify(n) wakes
at most n of the waiters present, in any language, and returns how many.

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
import platform
import struct
import time

__all__ = ["wait", "notify", "notify_all", "load", "store", "WORD_SIZE", "MAX_WAITERS"]

WORD_SIZE = 16
"""Bytes a waitable word occupies (Go's shm.WordSize)."""

MAX_WAITERS = 0xFFFF
"""Waiters one word can hold at once, across all processes."""

_FIELD = 0xFFFF
_ONE_TOKEN = 1 << 16
_EPOCH_SHIFT = 32
_ONE_PARKED = 1 << 48
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
        self.value = base
        self.seq = base + 4
        self.state = base + 8

    def load_state(self):
        # An aligned 8-byte load is atomic on x86-64.
        return ctypes.c_uint64.from_address(self.state).value

    def cas_state(self, old, new):
        return _cas64(self.state, old, new & _MASK64) == old

    def load_value(self):
        return ctypes.c_uint32.from_address(self.value).value

    def load_seq(self):
        return ctypes.c_uint32.from_address(self.seq).value


def _waiting(s):
    return s & _FIELD


def _tokens(s):
    return (s >> 16) & _FIELD


def _epoch(s):
    return (s >> _EPOCH_SHIFT) & _FIELD


def _parked(s):
    return s >> 48


def _register(w):
    while True:
        s = w.load_state()
        if _waiting(s) + _tokens(s) >= MAX_WAITERS:
            raise RuntimeError("sharc.words: too many waiters on one word")
        if w.cas_state(s, s + 1):
            return _epoch(s)


def _withdraw(w, epoch, prefer_token):
    """Drop a registration; returns True if it took a wake-up token instead."""
    while True:
        s = w.load_state()
        eligible = _tokens(s) > 0 and _epoch(s) != epoch
        if (prefer_token and eligible) or (_waiting(s) == 0 and _tokens(s) > 0):
            n, claimed = s - _ONE_TOKEN, True
        elif _waiting(s) > 0:
            n, claimed = s - 1, False
        else:
            return False  # only if another process scribbled over the word
        if w.cas_state(s, n):
            return claimed


def _claim(w, epoch):
    while True:
        s = w.load_state()
        if _tokens(s) == 0 or _epoch(s) == epoch:
            return False
        if w.cas_state(s, s - _ONE_TOKEN):
            return True


def _add_parked(w, delta):
    while True:
        s = w.load_state()
        if w.cas_state(s, s + delta * _ONE_PARKED):
            return


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
    any other process (Go or Python), and return how many it woke. With
    nobody waiting it makes no system call."""
    w = _Word(buf, off)
    if n <= 0 or _waiting(w.load_state()) == 0:
        return 0
    while True:
        s = w.load_state()
        k = min(n, _waiting(s))
        if k == 0:
            return 0
        nxt = s - k + k * _ONE_TOKEN
        nxt = (nxt & ~(_FIELD << _EPOCH_SHIFT)) | (((_epoch(s) + 1) & _FIELD) << _EPOCH_SHIFT)
        if w.cas_state(s, nxt):
            break
    _xadd32(w.seq, 1)
    if _parked(s) > 0:
        _futex(w.seq, _FUTEX_WAKE, _INT_MAX)
    return k


def notify_all(buf, off):
    """Wake every waiter of the word; return how many it woke."""
    return notify(buf, off, MAX_WAITERS)


wake = notify  # the futex name for the same thing


def wait(buf, off, expected, timeout=None):
    """Block while the word at byte offset off of buf holds expected (taken
    modulo 2**32), until a notify from any process wakes this waiter or
    timeout seconds pass (None: no limit). Returns "ok" (woken),
    "not-equal" (the word held another value) or "timed-out", like
    JavaScript's Atomics.wait."""
    w = _Word(buf, off)
    expected &= 0xFFFFFFFF
    epoch = _register(w)
    if w.load_value() != expected:
        if _withdraw(w, epoch, True):
            # A notify picked us before we could leave: pass it on.
            notify(buf, off, 1)
        return "not-equal"
    deadline = None if timeout is None else time.monotonic() + timeout
    _add_parked(w, 1)
    try:
        while True:
            if _claim(w, epoch):
                return "ok"
            seq = w.load_seq()
            # A grant between the claim above and this load bumped seq
            # after we read it, so the futex wait below returns at once.
            if _claim(w, epoch):
                return "ok"
            left = None
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return "ok" if _withdraw(w, epoch, True) else "timed-out"
            _futex(w.seq, _FUTEX_WAIT, seq, left)
    finally:
        _add_parked(w, -1)
