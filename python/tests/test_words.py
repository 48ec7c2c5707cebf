"""Tests of sharc.words within Python (the Go side is tested from shm/python_test.go).

Run: python3 python/tests/test_words.py
"""

import mmap
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from sharc import words  # noqa: E402


def waiters(buf, off):
    """Registered waiters of the word at off, summed over its process slots."""
    total = 0
    for i in range(words.MAX_PROCESSES):
        a = off + 16 + 8 * i
        total += int.from_bytes(bytes(buf[a:a + 8]), "little") & 0x7FF
    return total


class WordsTest(unittest.TestCase):
    def setUp(self):
        self.buf = mmap.mmap(-1, 4096)

    def test_outcomes(self):
        self.assertEqual(words.wait(self.buf, 0, 1, 0.1), "not-equal")
        start = time.monotonic()
        self.assertEqual(words.wait(self.buf, 0, 0, 0.05), "timed-out")
        self.assertGreaterEqual(time.monotonic() - start, 0.05)
        self.assertEqual(words.notify(self.buf, 0, 5), 0, "nobody waits")
        self.assertEqual(waiters(self.buf, 0), 0)

    def test_exact_wakeups(self):
        results = []
        threads = [threading.Thread(target=lambda: results.append(words.wait(self.buf, 128, 0, 10)))
                   for _ in range(3)]
        for t in threads:
            t.start()
        while waiters(self.buf, 128) < 3:
            time.sleep(0.001)
        self.assertEqual(words.notify(self.buf, 128, 1), 1)
        time.sleep(0.05)
        self.assertEqual(results, ["ok"], "notify(1) woke exactly one")
        self.assertEqual(words.notify_all(self.buf, 128), 2)
        for t in threads:
            t.join()
        self.assertEqual(results, ["ok"] * 3)

    def test_bad_offsets(self):
        with self.assertRaises(ValueError):
            words.wait(self.buf, 4, 0, 0)
        with self.assertRaises(ValueError):
            words.notify(self.buf, 4096 - 64, 1)


if __name__ == "__main__":
    unittest.main()
