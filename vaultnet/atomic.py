"""Replacing a file without losing what another program saved there: vaultnet's temp files and the
compare-and-swap of a note.

- A file is written to a temp file in its own folder and renamed over it. The temp files are named
  `.vaultnet-tmp-*.tmp`; `sweep` removes those that a crash (`kill -9`, a power cut) left behind once they are a
  minute old, and nothing else.
- `compare_and_swap` writes a note only over the bytes a change was computed from. An editor takes no lock, so the
  bytes are compared once more after the temp file is written, and the note's identity (inode, size, mtime) just
  before the rename. On Linux the rename is an atomic exchange (`renameat2(RENAME_EXCHANGE)`): the file it took
  out of the note's place can be checked to be the one compared.
- On Linux, leases (`fcntl` F_SETLEASE) show vaultnet who opens the note, and make them wait inside open(2) until
  it lets go (a few milliseconds; the kernel ends a lease after 45 s). A read lease on the note, from its first
  reading to the end, is taken once nobody holds the note open for writing (a note kept open for writing longer
  than LEASE_WAIT_SECONDS is refused), and broken by whoever opens it for writing: before the rename, vaultnet
  does not rename, lets the writer save, and makes the change again on its save; after the rename (an open that
  found the note's name before it), the note goes back in place before the writer writes. A write lease on the
  new file holds off whoever opens it (to read or to write) from the exchange until vaultnet has checked what the
  exchange took out: a save renamed into the note's place in the microseconds before the exchange gives its
  bytes to the new file before anybody can see the change. So an editor (one program, saving in place or by a
  rename) never reads a version that does not stay, nor writes into a file that is no longer the note. What
  remains: an open(2) that found the note's name before the exchange and is held up inside the kernel, before it
  has the file for writing, for longer than SETTLE_SECONDS; and a second program that reads the note in the
  milliseconds before an in-place save goes back sees vaultnet's version meanwhile.
- Without leases (not Linux, a file system without them, a note of another user, a new file that somebody opened
  at once) the watch is timed: SETTLE_SECONDS after the rename the replaced note is read once more, and a save
  found in it goes back in place (unless something was saved over the note meanwhile); a save into it after that
  is lost. Without an exchange, a save renamed into the note's place in the microseconds between the last check
  and the rename is lost: that window is as small as the system allows.

Stdlib only: the callers turn `Changed` into a message and hold the lock (see `locks`) that keeps vaultnet's own
commands from racing each other.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

TEMP_PREFIX = ".vaultnet-tmp-"
TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 60.0  # a temp file lives for milliseconds: one a minute old was left by a crash
SETTLE_SECONDS = 0.003  # how long after the rename the replaced note is watched (under its lease, or by a read)
LEASE_WAIT_SECONDS = 1.0  # how long a note open for writing in another program is waited for (a save takes ms)

use_exchange = True  # a test turns it off to try the plain rename on Linux too
use_lease = True  # a test turns it off to try the watch without leases on Linux too
# Leases (fcntl F_SETLEASE) are Linux's; elsewhere, or on a file system without them, the watch is a timed one.
_LEASES = sys.platform == "linux"
if _LEASES:
    import fcntl
_FIRST_WAIT = 0.001  # seconds between looks at a file open for writing, doubled up to _LONGEST_WAIT
_LONGEST_WAIT = 0.02
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


def temp_file(path: Path, data: bytes, mode: int, *, sync: bool = True) -> str:
    """A new temp file of vaultnet's naming beside `path`, holding `data` on disk (fsync'ed), with `mode`.
    `sync=False` leaves the fsync to the caller, who writes many and then syncs them all at once.

    An error names `path`, the file the user knows, not the temp file that could not be made."""
    try:
        import tempfile  # here: most commands write no temp file, and the import costs 3-5 ms

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # a full disk, say: name the file the user knows
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    return tmp


# An earlier version's temp file of the note `name`: `.` + name + `.` + 8 random letters + `.tmp`; group 1 the name.
_EARLIER = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")


def sweep(folder: Path, legacy: Iterable[str] = ()) -> list[str]:
    """Remove the temp files a crashed vaultnet left in `folder` (a minute old or more); returns their names.

    Only vaultnet's own naming: `.vaultnet-tmp-*.tmp`, and for each file name in `legacy` the name earlier
    versions gave its temp files (`.Follow-ups.md.` + 8 random letters + `.tmp`). Links and folders stay.
    """
    earlier = set(legacy)
    cutoff = time.time() - STALE_SECONDS
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        name = entry.name
        if not (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)) and not (
            earlier and (m := _EARLIER.fullmatch(name)) and m.group(1) in earlier
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
    swap = _Swap(path, expected, fd)
    try:
        swap.run(data)
    finally:
        swap.close()


class _Swap:
    """One compare-and-swap: the note as opened (`fd`: the file the change was computed from, read only), the new
    file (`tmp`; `new_fd` while vaultnet holds its write lease) and, after an exchange, the file taken out of the
    note's place (at `tmp` then). `leased`: vaultnet holds a read lease on the note (see the module's docstring)."""

    def __init__(self, path: Path, expected: bytes, fd: int) -> None:
        self.path = path
        self.expected = expected
        self.fd = fd
        self.leased = False
        self.tmp: Path | None = None
        self.new_fd = -1
        self.ours: Identity = (0, 0, 0, 0)
        self.exchanged = False

    def run(self, data: bytes) -> None:
        code = _lease_unwritten(self.fd)
        if code == errno.EAGAIN:  # kept open for writing: whatever vaultnet wrote, a write into it could follow
            raise Changed(_read_fd(self.fd))
        self.leased = code == 0
        mode = stat.S_IMODE(os.fstat(self.fd).st_mode)
        _expect(self.fd, self.expected)
        self.tmp = tmp = Path(temp_file(self.path, data, mode))
        if self.leased:
            self.new_fd = _lease_new(tmp)
            if self.new_fd < 0:  # somebody opened the new file already (a sync client?): the watch without leases
                _let_go(self.fd)
                self.leased = False
        self.ours = _identity(os.stat(tmp))
        _expect(self.fd, self.expected)  # writing the temp file took an fsync's time: look again
        held = _identity(os.fstat(self.fd))
        if self.leased and not _lease_whole(self.fd):
            raise Changed(self._after_writers())  # a program is opening the note to write it: its save comes first
        if not _RENAME_OVER_OPEN:
            os.close(self.fd)
            self.fd = -1
        self.exchanged = self._swap(tmp, held)
        if self.fd >= 0:
            self._settle()

    def close(self) -> None:
        self._let_new_go()
        if self.tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.tmp)  # the temp file, or after an exchange the file it took out of the note's place
        if self.fd >= 0:
            if self.leased:
                _let_go(self.fd)
            os.close(self.fd)

    def _let_new_go(self) -> None:
        """Let go of the new file's write lease: whoever waits to open it goes on (it holds what it must now)."""
        if self.new_fd >= 0:
            _let_go(self.new_fd)
            os.close(self.new_fd)
            self.new_fd = -1

    def _swap(self, tmp: Path, held: Identity) -> bool:
        """Put `tmp` at the note's place if the note is still the file `held` identifies, unwritten since; True if
        by an exchange."""
        try:
            if _identity(os.stat(self.path)) != held:
                raise Changed(_read(self.path))
            # The window: a save that lands here is caught by the exchange below, or lost where there is none.
            exchanged = _exchange(tmp, self.path)
        except FileNotFoundError:
            raise Changed(None) from None
        if exchanged:
            out = os.lstat(tmp)
            if _identity(out) != held:  # a save was renamed into the note's place in between: it is the newest
                if self.new_fd >= 0 and stat.S_ISREG(out.st_mode):
                    raise Changed(self._take_over(tmp, out.st_mode))
                _exchange(tmp, self.path)  # put it back, and take ours out
                raise Changed(_read(self.path))
        self._let_new_go()
        return exchanged

    def _take_over(self, tmp: Path, mode: int) -> bytes:
        """The save renamed into the note's place just before the exchange is at `tmp` now. The new file, in the
        note's place but not yet opened by anybody (whoever tries waits for its write lease), takes that save's
        bytes and permissions instead of the change: who reads the note sees the save, never the change."""
        fd = os.open(tmp, os.O_RDONLY | _CLOEXEC)
        try:
            _lease_unwritten(fd)  # a program writing into that save as it was renamed away: until it is done
            saved = _read_fd(fd)
        finally:
            _let_go(fd)
            os.close(fd)
        os.pwrite(self.new_fd, saved, 0)
        os.ftruncate(self.new_fd, len(saved))
        os.fchmod(self.new_fd, stat.S_IMODE(mode))
        os.fsync(self.new_fd)
        return saved

    def _settle(self) -> None:
        """A moment after the rename, see whether anybody wrote (or is about to write) into the note as compared: a
        program that opened it to save in place before the rename. Its save is then the newest: it goes back in the
        note's place, and the change is made again on it (`Changed`)."""
        time.sleep(SETTLE_SECONDS)  # an open(2) that found the note's name before the rename reaches the lease
        if self.leased and _lease_whole(self.fd):
            return  # nobody opened it for writing since before the last comparison: it holds `expected`
        assert self.tmp is not None
        if self.leased and self.exchanged:
            # Its writer waits in open(2) until vaultnet lets go: the file goes back first, so the save lands in it.
            with contextlib.suppress(OSError):
                _exchange_back(self.tmp, self.path, self.ours)
            raise Changed(self._after_writers())
        now = self._after_writers() if self.leased else _read_fd(self.fd)
        if now == self.expected:
            return
        with contextlib.suppress(OSError):
            if self.exchanged:
                _exchange_back(self.tmp, self.path, self.ours)
            elif _identity(os.stat(self.path)) == self.ours:  # ours still in place: nobody saved over it since
                os.replace(temp_file(self.path, now, stat.S_IMODE(os.fstat(self.fd).st_mode)), self.path)
        raise Changed(now)

    def _after_writers(self) -> bytes:
        """Let the program that opens the note to write it go on, wait until it is done, and read the note then."""
        _let_go(self.fd)
        _lease_unwritten(self.fd)  # in time or not, what it holds then is the newest vaultnet can know
        return _read_fd(self.fd)


def _exchange_back(tmp: Path, path: Path, ours: Identity) -> None:
    """Put the file at `tmp` back in the note's place if ours is still there, unwritten. If another save was renamed
    there in the microseconds between the look and the exchange, that one goes back in place."""
    if _identity(os.stat(path)) != ours:
        return
    _exchange(tmp, path)
    if _identity(os.lstat(tmp)) != ours:
        _exchange(tmp, path)


def _lease(fd: int, kind: int) -> int:
    """Take a lease of `kind` (`F_RDLCK`, `F_WRLCK`) on the file open at `fd`: 0, or the errno that refused it
    (EAGAIN: the file is open in a way the lease excludes; anything else: no leases here)."""
    if not (use_lease and _LEASES):
        return errno.ENOLCK
    try:
        # A lease whose file is opened notifies its holder by a signal: the default, SIGIO, would end vaultnet.
        # SIGURG is ignored unless a handler is set; letting go of a lease resets the signal, so it is set each time.
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, kind)
    except OSError as exc:
        return exc.errno or errno.ENOLCK
    return 0


def _lease_unwritten(fd: int) -> int:
    """A read lease on `fd`, taken once nobody holds the file open for writing: 0 when held, EAGAIN when it is
    still open for writing after LEASE_WAIT_SECONDS, another errno where there are no leases."""
    if not (use_lease and _LEASES):
        return errno.ENOLCK
    deadline = time.monotonic() + LEASE_WAIT_SECONDS
    wait = _FIRST_WAIT
    while (code := _lease(fd, fcntl.F_RDLCK)) == errno.EAGAIN and time.monotonic() < deadline:
        time.sleep(wait)
        wait = min(wait * 2, _LONGEST_WAIT)
    return code


def _lease_new(tmp: Path) -> int:
    """The new file open read-write with a write lease (whoever opens it waits for vaultnet), or -1 if none."""
    mode = stat.S_IMODE(os.stat(tmp).st_mode)
    try:
        if not mode & stat.S_IWUSR:  # a read-only note's copy: vaultnet may still have to write it (`_take_over`)
            os.chmod(tmp, mode | stat.S_IWUSR)
        fd = os.open(tmp, os.O_RDWR | _CLOEXEC)
    except OSError:
        return -1
    finally:
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
    if _lease(fd, fcntl.F_WRLCK) == 0:
        return fd
    os.close(fd)
    return -1


def _lease_whole(fd: int) -> bool:
    """Whether the read lease on `fd` is as taken: nobody opened the file for writing since (such an open waits in
    open(2) until vaultnet lets go), nor holds it open for writing now (taking the lease again fails then: that
    catches an open that has the file for writing and has not reached the lease yet)."""
    try:
        return fcntl.fcntl(fd, fcntl.F_GETLEASE) == fcntl.F_RDLCK and _lease(fd, fcntl.F_RDLCK) == 0
    except OSError:
        return False


def _let_go(fd: int) -> None:
    """Let go of the lease on `fd`, if any: who waits in open(2) goes on. Explicitly, not by closing: a process
    forked meanwhile would share the open file, and the lease with it."""
    if use_lease and _LEASES:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)


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
