"""Work on many notes, on two cores when there are enough of them: `read_all`.

The index hands over the notes it has to (re)read and the function that reads one; this module decides
whether a second process pays off, and runs it. The child is a `fork` of this process: it inherits the
function and the settings as they are (nothing is pickled on the way there), reads every other note, and
sends back what it made, pickled over a pipe, while this process reads the rest. The results come back in
the order of the notes, exactly as one process would have made them.

Nothing is lost and nothing waits forever: a child that fails in any way (an exception, a pickling error,
killed, stuck) is reaped, and its half is read again here. The child touches nothing but its half: it writes
no cache, takes no lock, prints nothing, and leaves with `os._exit` (no atexit, no buffers of the parent's
flushed twice, no finalizer closing the parent's database).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import select
import signal
import struct
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]
"""Told (done, total) now and then while notes are read, and (total, total) at the end: the command line
shows it; the library never prints."""

# Below this many notes, one process. Measured on a 3,200-note vault: a note takes ~75 µs of CPU to read,
# pickling and unpickling the child's results ~12 µs per note of its half, and the fork and the reaping ~5 ms.
# Two processes break even at a few hundred notes, but below a couple of thousand they save under 0.1 s, which
# is not worth a second process (on a busy machine, where the second core is taken, not even that): only a cold
# build of a large vault reads this many at once, and small vaults and everyday builds stay in one process.
PARALLEL_MIN = 2000
# A child that neither reads a note nor sends a byte for this long is presumed stuck: it is killed, and its
# half read here. One note takes milliseconds (`vaultnet.limits` caps its size).
STALL_SECONDS = 10.0
_EXIT_SECONDS = 5.0  # from closing its pipe to leaving, the child only calls os._exit
_REPORT_EVERY = 100  # notes between two calls of `progress`
_COUNTER = struct.Struct("q")  # how many notes the child has read, in memory shared with it
_CHUNK = 1 << 20
_GONE = -1000  # `_reap`: no exit status to be had


def read_all(
    todo: Sequence[T], read: Callable[[T], R], progress: Progress | None = None, *, parallel_min: int | None = None
) -> list[R]:
    """`[read(item) for item in todo]`, in two processes when there are at least `parallel_min` items
    (default `PARALLEL_MIN`), two CPUs, `fork`, and no other thread (see `can_fork`). The results must
    pickle. An exception that `read` raises is raised here, as the one process would have raised it."""
    minimum = PARALLEL_MIN if parallel_min is None else parallel_min
    report = _Reporter(len(todo), progress)
    if len(todo) >= max(minimum, 2) and can_fork():
        results = _read_in_two(todo, read, report)
    else:
        results = _read_here(todo, read, report, 0)
    report.done()
    return results


def can_fork() -> bool:
    """Whether a second process may be forked: two CPUs at least, `fork` available, and this process running
    no other thread (a forked child gets only the calling thread, and would wait forever on a lock another
    thread held at the fork: `watch` and `serve` run threads, and build on one core)."""
    if (os.cpu_count() or 1) < 2 or threading.active_count() != 1:
        return False
    import multiprocessing  # only here: a command that reads few notes does not pay for importing it

    return "fork" in multiprocessing.get_all_start_methods()


class _Reporter:
    """Calls `progress` every `_REPORT_EVERY` notes with the notes read here and, when there is one, by the
    child (read from the counter it shares)."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.progress = progress
        self.counter: mmap.mmap | None = None

    def child_done(self) -> int:
        return 0 if self.counter is None else int(_COUNTER.unpack_from(self.counter)[0])

    def __call__(self, here: int) -> None:
        if self.progress is not None:
            self.progress(min(here + self.child_done(), self.total), self.total)

    def done(self) -> None:
        if self.progress is not None and self.total:
            self.progress(self.total, self.total)


def _read_here(todo: Sequence[T], read: Callable[[T], R], report: Callable[[int], None], base: int) -> list[R]:
    """Read every item in this process, reporting `base` plus the number read every `_REPORT_EVERY` items."""
    results: list[R] = []
    for item in todo:
        results.append(read(item))
        if len(results) % _REPORT_EVERY == 0:
            report(base + len(results))
    return results


def _read_in_two(todo: Sequence[T], read: Callable[[T], R], report: _Reporter) -> list[R]:
    """Every other item read by a forked child, the rest here, merged back in order. The items are sorted by
    path: interleaving gives each process as many of each folder's notes (contacts, daily notes, events differ
    in size), where halves would not."""
    mine, theirs = todo[0::2], todo[1::2]
    counter = mmap.mmap(-1, _COUNTER.size)  # anonymous and shared: the child's writes are seen here
    report.counter = counter
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:
        _child(theirs, read, readable, writable, counter)  # never returns
    os.close(writable)
    done = False
    try:
        my_results = _read_here(mine, read, report, 0)
        their_results = _receive(pid, readable, len(theirs), lambda: report(len(mine)), report.child_done)
        done = True
    finally:
        os.close(readable)
        if not done:  # an exception here (Ctrl-C, an error reading a note): the child goes too
            _reap(pid, kill=True)
        report.counter = None
        counter.close()
    if their_results is None:  # the child failed: its half is read here, after everything else
        their_results = _read_here(theirs, read, report, len(mine))
    merged: list[R] = []
    for pair in zip(my_results, their_results, strict=False):
        merged.extend(pair)
    if len(mine) > len(theirs):
        merged.append(my_results[-1])
    return merged


def _child(todo: Sequence[T], read: Callable[[T], R], readable: int, writable: int, counter: mmap.mmap) -> None:
    """In the forked child: read `todo`, send the results pickled, leave. Exit status 0 only when every
    result was sent; anything else (an exception, Ctrl-C) leaves with 1, and the parent reads the half."""
    code = 1
    try:
        os.close(readable)
        results = _read_here(todo, read, lambda n: _COUNTER.pack_into(counter, 0, n), 0)
        _COUNTER.pack_into(counter, 0, len(results))
        with open(writable, "wb") as out:
            pickle.dump(results, out, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    except BaseException:  # whatever it was: the parent reads this half itself
        pass
    finally:
        os._exit(code)


def _receive(
    pid: int, readable: int, expected: int, report: Callable[[], None], child_done: Callable[[], int]
) -> list[Any] | None:
    """The child's results, read from the pipe to its end, or None if the child failed: it did not exit
    with status 0, sent what does not unpickle to `expected` results, or was stuck for `STALL_SECONDS` (and
    was killed). The child is reaped in every case."""
    chunks: list[bytes] = []
    last_seen, last_done = time.monotonic(), child_done()
    while True:
        ready, _, _ = select.select([readable], [], [], 0.2)
        if ready:
            chunk = os.read(readable, _CHUNK)
            if not chunk:
                break  # the end: the child has closed its end, by leaving or by dying
            chunks.append(chunk)
            last_seen = time.monotonic()
        elif (now_done := child_done()) != last_done:
            last_seen, last_done = time.monotonic(), now_done
        elif time.monotonic() - last_seen > STALL_SECONDS:
            _reap(pid, kill=True)
            return None
        report()
    if _reap(pid, kill=False) != 0:
        return None
    try:
        results = pickle.loads(b"".join(chunks))
    except Exception:
        return None
    return results if isinstance(results, list) and len(results) == expected else None


def _reap(pid: int, *, kill: bool) -> int:
    """Wait for the child (killed first with `kill`, or if it has not left `_EXIT_SECONDS` after closing its pipe)
    and return its exit code (negative: the signal that ended it; `_GONE`: reaped by someone else, as where the
    program that imports vaultnet ignores SIGCHLD: not vouched for, so its half is read again)."""
    try:
        if not kill:
            deadline = time.monotonic() + _EXIT_SECONDS
            while time.monotonic() < deadline:
                waited, status = os.waitpid(pid, os.WNOHANG)
                if waited == pid:
                    return os.waitstatus_to_exitcode(status)
                time.sleep(0.001)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return _GONE
