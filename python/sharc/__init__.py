"""sharc: Python side of sharc's shared memory (Go module github.com/sharc-go/sharc).

words   wait on and notify waitable words (Go's shm.Int32 / shm.Uint32)
attach  open a named segment made by another process without letting
        Python's resource tracker unlink it when this process exits
"""

import sys
from multiprocessing import resource_tracker, shared_memory

__all__ = ["attach"]


def attach(name):
    """Open the named shared memory segment another process (for example Go's
    shm.Create) made, as a multiprocessing.shared_memory.SharedMemory.

    Python's SharedMemory(name) registers every segment it opens with the
    resource tracker, which unlinks it when the Python process exits, even a
    segment Python did not create: the Go side then loses it. attach opts
    out: with track=False on Python 3.13 and later, and by unregistering the
    segment on older versions. Close it with .close(); never .unlink() a
    segment you do not own.
    """
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)
    shm = shared_memory.SharedMemory(name=name)
    resource_tracker.unregister(shm._name, "shared_memory")
    return shm
