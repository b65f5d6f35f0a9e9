"""Replacing a file without losing what another program saved there: vaultnet's temp files and the
compare-and-swap of a note.

- A file is written to a temp file in its own folder and renamed over it. The temp files are named
  `.vaultnet-tmp-*.tmp`; `sweep` removes those that a crash (`kill -9`, a power cut) left behind once they are a
  minute old, and nothing else.
- `compare_and_swap` writes a note only over the bytes a change was computed from. An editor takes no lock, so the
  bytes are compared once more after the temp file is written, and the note's identity (inode, size, mtime) just
  before the rename. On Linux the rename is an atomic exchange (`renameat2(RENAME_EXCHANGE)`): the file it
  displaced is checked to be the one compared, and swapped back when an editor's save slipped in between. A
  moment later the displaced file is read once more: an editor that saved in place into it, as the rename
  happened, gets its save put back. Elsewhere (or on a file system that cannot exchange) a save that lands in the
  microseconds between the last check and the rename is lost: that window is as small as the system allows.

Stdlib only: the callers turn `Changed` into a message and hold the lock (see `locks`) that keeps vaultnet's own
commands from racing each other.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

TEMP_PREFIX = ".vaultnet-tmp-"
TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 60.0  # a temp file lives for milliseconds: one a minute old was left by a crash
SETTLE_SECONDS = 0.003  # how long after the rename the replaced note is watched for an editor's in-place save

use_exchange = True  # a test turns it off to try the plain rename on Linux too
# Windows renames nothing over a file that is open: there the note is closed before the rename, and not watched.
_RENAME_OVER_OPEN = sys.platform != "win32"
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_CANNOT_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}

Identity = tuple[int, int, int, int]  # device, inode, size, mtime: which file, and whether it was written since


class Changed(Exception):
    """The note does not hold the bytes the change was computed from: nothing was written (or it was undone).
    `current` is what it holds now (None: it is gone)."""

    def __init__(self, current: bytes | None) -> None:
        super().__init__("the file changed")
        self.current = current


def temp_file(path: Path, data: bytes, mode: int) -> str:
    """A new temp file of vaultnet's naming beside `path`, holding `data` on disk (fsync'ed), with `mode`.

    An error names `path`, the file the user knows, not the temp file that could not be made."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # a full disk, say: name the file the user knows
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    return tmp


def sweep(folder: Path, legacy: Iterable[str] = ()) -> list[str]:
    """Remove the temp files a crashed vaultnet left in `folder` (a minute old or more); returns their names.

    Only vaultnet's own naming: `.vaultnet-tmp-*.tmp`, and for each file name in `legacy` the name earlier
    versions gave its temp files (`.Follow-ups.md.` + 8 random letters + `.tmp`). Links and folders stay.
    """
    patterns = [re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp" for name in legacy]
    earlier = re.compile("|".join(patterns)) if patterns else None
    cutoff = time.time() - STALE_SECONDS
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        name = entry.name
        if not (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)) and not (
            earlier and earlier.fullmatch(name)
        ):
            continue
        try:
            found = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(found.st_mode) and found.st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(name)
        except OSError:
            continue  # gone already, or not ours to remove (a read-only folder)
    return removed


def compare_and_swap(path: Path, expected: bytes, data: bytes) -> None:
    """Replace the note at `path` with `data`, only if it holds `expected`; else raise `Changed`.

    A linked note has its target written and keeps the link. The new file gets the note's permissions.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        fd = os.open(path, os.O_RDONLY | _CLOEXEC)
    except FileNotFoundError:
        raise Changed(None) from None
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        _expect(fd, expected)
        tmp = Path(temp_file(path, data, mode))
        try:
            ours = _identity(os.stat(tmp))
            _expect(fd, expected)  # writing the temp file took an fsync's time: look again
            held = _identity(os.fstat(fd))
            if not _RENAME_OVER_OPEN:
                os.close(fd)
                fd = -1
            exchanged = _swap(tmp, path, held)
            if fd >= 0:
                _settle(tmp, path, fd, expected, exchanged, ours)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)  # the temp file, or after an exchange the note it replaced
    finally:
        if fd >= 0:
            os.close(fd)


def _swap(tmp: Path, path: Path, held: Identity) -> bool:
    """Put `tmp` at `path` if `path` is still the file `held` identifies, unwritten since; True if by an exchange."""
    try:
        if _identity(os.stat(path)) != held:
            raise Changed(_read(path))
        # The window: a save that lands here is caught by the exchange below, or lost where there is none.
        exchanged = _exchange(tmp, path)
    except FileNotFoundError:
        raise Changed(None) from None
    if exchanged and _identity(os.lstat(tmp)) != held:
        _exchange(tmp, path)  # an editor's save came in between: put it back, and take ours out
        raise Changed(_read(path))
    return exchanged


def _settle(tmp: Path, path: Path, fd: int, expected: bytes, exchanged: bool, ours: Identity) -> None:
    """Wait a moment, then check that nobody wrote into the note we replaced (an editor that saves in place and
    opened it before the rename): if somebody did, that save is the newest, and goes back in place of ours."""
    time.sleep(SETTLE_SECONDS)
    now = _read_fd(fd)
    if now == expected:
        return
    with contextlib.suppress(OSError):
        if _identity(os.stat(path))[:2] == ours[:2]:  # ours still in place: nobody saved over it since
            if exchanged:
                _exchange(tmp, path)
            else:
                os.replace(temp_file(path, now, stat.S_IMODE(os.fstat(fd).st_mode)), path)
    raise Changed(now)


def _expect(fd: int, expected: bytes) -> None:
    current = _read_fd(fd)
    if current != expected:
        raise Changed(current)


def _read_fd(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _identity(found: os.stat_result) -> Identity:
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


def _load_renameat2() -> Callable[..., int] | None:
    if sys.platform != "linux":
        return None
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library older than glibc 2.28, or not glibc
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


_renameat2 = _load_renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap the files at `a` and `b` atomically: True. False where that cannot be done: `a` was renamed over `b`."""
    if use_exchange and _renameat2 is not None:
        if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return True
        code = ctypes.get_errno()
        if code not in _CANNOT_EXCHANGE:
            raise OSError(code, os.strerror(code), str(b))
    os.replace(a, b)
    return False
