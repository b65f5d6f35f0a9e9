"""Advisory locks between vaultnet processes: one per note being written, one for the cache, one for the outputs.

A lock is a file in the vault's `.vaultnet/locks/` (never beside a note of the user's), named by what it guards: a
note's lock by a hash of the note's real path, so that no name of the user's shows in it. It is held with
`fcntl.flock`, which the system releases when the holder exits, however it exits (`kill -9` included). The holder
removes the file when it lets go, so the folder is empty when no command runs; a waiter that got hold of a file
just removed so notices it and tries again (the inode it locked is no longer the lock).

Where `fcntl` is missing (Windows), a lock is a file created with `O_EXCL` instead: a crashed holder cannot remove
it, so a lock file older than `stale` seconds is taken to be left over from a crash, and removed.

Editors take no lock: the lock only keeps vaultnet's own commands from interleaving. What keeps an editor's save
is the compare-and-swap of `atomic`. Nothing here imports from vaultnet: the callers decide what a lock that
cannot be had means (a refusal, a skipped cache write).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_DIR = ".vaultnet/locks"  # below the vault; `.vaultnet` is config.CACHE_DIR (a test holds them together)
CACHE_LOCK = "cache"
OUTPUTS_LOCK = "outputs"

# Whether `fcntl.flock` is there; a test turns it off to try the O_EXCL way on this system.
use_flock = sys.platform != "win32"
if sys.platform != "win32":
    import fcntl

# The locks this process holds, by thread: taking one again in the same thread passes (another thread waits, as
# another process does). The pid is part of the key, for a process forked while its parent held a lock.
_HELD: set[tuple[int, int, Path]] = set()

_FIRST_WAIT = 0.001  # seconds between tries, doubled up to _LONGEST_WAIT: a note's lock is held for milliseconds
_LONGEST_WAIT = 0.05


class Busy(Exception):
    """The lock was not free within the time given: another vaultnet process holds it (`holder`: its pid, or "")."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path} is held by {f'process {holder}' if holder else 'another process'}")
        self.path = path
        self.holder = holder


def note_lock_name(path: Path) -> str:
    """The lock's name for the note at `path`: a hash of its real path (the same note by any path, any link)."""
    real = os.path.realpath(path)
    return "note-" + hashlib.sha256(os.fsencode(real)).hexdigest()[:32]


def prepare_lock_folder(root: Path) -> None:
    """Make the vault's lock folder now, if it can be (a read-only vault: no matter). A watcher does, before it
    starts: a folder made in the moment a watchdog observer starts makes it warn of a watch added twice."""
    with contextlib.suppress(OSError):
        _lock_folder(root)


def _lock_folder(root: Path) -> Path:
    """The lock folder, made if missing; `OSError` where a folder on its way is a symbolic link (a cloned vault
    with `.vaultnet -> elsewhere`): no lock file is ever made through a link, outside the vault."""
    folder = root
    for part in Path(LOCK_DIR).parts:
        folder = folder / part
        try:
            if os.path.islink(folder):
                raise OSError(errno.ELOOP, "is a symbolic link: vaultnet makes no lock file through it", str(folder))
            folder.mkdir(exist_ok=True)
        except FileExistsError:
            raise OSError(errno.ENOTDIR, "is not a folder", str(folder)) from None
    return folder


def lock_file(root: Path, name: str) -> Path:
    return root / LOCK_DIR / f"{name}.lock"


@contextlib.contextmanager
def held(root: Path, name: str, *, timeout: float, stale: float = 60.0) -> Iterator[None]:
    """Hold the lock `name` of the vault at `root` for the block.

    Waits up to `timeout` seconds, then raises `Busy`. An `OSError` means the lock folder cannot be made (a
    read-only vault): the caller decides whether to go on without the lock. `stale` is for the O_EXCL way only.
    A thread that holds the lock already holds it for the block too (the lock is let go where it was taken).
    """
    path = lock_file(root, name)
    mine = (os.getpid(), threading.get_ident(), path)
    if mine in _HELD:  # held already, further up this thread's stack: a nested write of the cache, say
        yield
        return
    _lock_folder(root)
    deadline = time.monotonic() + timeout
    fd = _take_flock(path, deadline) if use_flock else _take_exclusive(path, deadline, stale)
    _HELD.add(mine)
    try:
        with contextlib.suppress(OSError):  # who holds it: for the message of a waiter that gives up
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())  # at offset 0: the file was opened just now
        yield
    finally:
        _HELD.discard(mine)
        # Remove the file before letting go: a waiter that locks it now sees it is gone, and starts over.
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _take_flock(path: Path, deadline: float) -> int:
    wait = _FIRST_WAIT
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            wait = _pause(path, deadline, wait)
            continue
        except BaseException:
            os.close(fd)
            raise
        if _still_the_lock(path, fd):
            return fd
        os.close(fd)  # the holder before removed it as we locked it: take the new one


def _still_the_lock(path: Path, fd: int) -> bool:
    try:
        named, opened = os.stat(path), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _take_exclusive(path: Path, deadline: float, stale: float) -> int:
    wait = _FIRST_WAIT
    while True:
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        try:
            age = time.time() - os.stat(path).st_mtime
        except FileNotFoundError:
            continue  # let go of just now: try again at once
        if age > stale:
            _remove_stale(path, stale)
            continue
        wait = _pause(path, deadline, wait)


def _remove_stale(path: Path, stale: float) -> None:
    """Remove a lock file left by a crashed holder. It is moved aside first, so that of two waiters that both
    found it stale only one removes it; if what was moved is fresh (a new holder's, made in between), it is put
    back (unless yet another holder took the name meanwhile: then the two briefly overlap, which the note's own
    compare-and-swap still catches)."""
    aside = path.with_name(f"{path.name}.{os.getpid()}.stale")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return
    with contextlib.suppress(OSError):
        if time.time() - os.stat(aside).st_mtime <= stale:
            os.link(aside, path)
    with contextlib.suppress(OSError):
        os.unlink(aside)


def _pause(path: Path, deadline: float, wait: float) -> float:
    """Sleep before the next try, or raise `Busy` when the time is up; returns the next wait."""
    if time.monotonic() >= deadline:
        raise Busy(path, _holder(path))
    time.sleep(wait)
    return min(wait * 2, _LONGEST_WAIT)


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""
