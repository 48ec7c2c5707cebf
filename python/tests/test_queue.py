"""Tests of sharc.queue on its own (the Go tests cover Go <-> Python):
python3 -m unittest tests.test_queue, from the python/ folder."""

import mmap
import os
import struct
import unittest

import sharc.queue as sq
from sharc.queue import Queue, queue_size, max_message, CorruptError, QueueClosedError, PeerDiedError


class QueueTest(unittest.TestCase):
    def setUp(self):
        self.m = mmap.mmap(-1, queue_size(1024))
        self.q = Queue.create(self.m, 0, 1024)

    def tearDown(self):
        self.q.close()
        self.m.close()

    def test_round_trip_sizes(self):
        for atomics in (sq._A, None):  # libatomic, and the fallback without it
            saved, sq._A = sq._A, atomics
            try:
                for i in range(600):
                    msg = os.urandom(i % (max_message(1024) + 1))
                    self.q.send(msg)
                    self.assertEqual(self.q.receive(timeout=1), msg)
            finally:
                sq._A = saved

    def test_receive_into_and_timeout(self):
        self.q.send(b"0123456789")
        with self.assertRaises(ValueError):
            self.q.receive_into(bytearray(4))
        buf = bytearray(16)
        self.assertEqual(self.q.receive_into(buf), 10)
        self.assertEqual(bytes(buf[:10]), b"0123456789")
        with self.assertRaises(TimeoutError):
            self.q.receive(timeout=0.01)

    def test_full_queue_times_out(self):
        big = bytes(max_message(1024))
        self.q.send(big)
        self.q.send(big)
        with self.assertRaises(TimeoutError):
            self.q.send(big, timeout=0.01)
        with self.assertRaises(ValueError):
            self.q.send(bytes(max_message(1024) + 1))

    def test_corrupt(self):
        self.q.send(b"hello")
        struct.pack_into("<I", self.m, sq.HEADER_SIZE, 0x7FFFFFFF)
        with self.assertRaises(CorruptError):
            self.q.receive(timeout=1)
        struct.pack_into("<I", self.m, 0, 0)
        with self.assertRaises(CorruptError):
            Queue(self.m, 0)

    def test_close(self):
        other = Queue(self.m, 0)
        self.q.send(b"last")
        self.q.close()
        self.assertEqual(other.receive(timeout=1), b"last")
        with self.assertRaises(QueueClosedError):
            other.receive(timeout=1)
        other.close()

    def test_dead_producer(self):
        pid = os.fork()
        if pid == 0:
            Queue(self.m, 0).send(b"from the child")
            os._exit(0)
        os.waitpid(pid, 0)
        self.assertEqual(self.q.receive(timeout=1), b"from the child")
        with self.assertRaises(PeerDiedError):
            self.q.receive(timeout=5)


if __name__ == "__main__":
    unittest.main()
