"""How a file below the vault's root is opened: never through a link that leads out of the vault, never a
special file, never more bytes than asked for.

The rules (docs/security.md says them to users):

- Reading: a file is read only when it is a regular file. A symlinked file is read only when its target,
  all links resolved, lies inside the vault; a special file (a FIFO, a device, a socket) is never opened,
  so that nothing blocks and nothing has side effects; a read can be capped (`limit`), so that a file
  linked to an endless stream or grown huge costs no more than the cap.
- Writing: nothing is written where a folder below the vault's root, or the file itself, is a symbolic
  link (`link_below`); the vault's root itself may be a link (a vault kept in a synced folder).

Whatever breaks a rule raises `Refused`, whose message says why in words for a `path:line: message`
problem. This module is the floor `vault` and `obsidian` stand on; it knows no vaultnet type.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from pathlib import Path

SETTINGS_LIMIT = 1_000_000  # bytes: a settings file is a few KB; a larger one is a mistake, or /dev/zero
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; Windows has none (links are checked with lstat there)
_READ_FLAGS = os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_READ_FLAGS |= getattr(os, "O_CLOEXEC", 0)
_LINK_ERRNOS = {errno.ELOOP, getattr(errno, "EMLINK", errno.ELOOP), getattr(errno, "EFTYPE", errno.ELOOP)}
_LEASED_SECONDS = 1.0  # how long an open is tried again while a lease holder (vaultnet writing the note) decides


class Refused(Exception):
    """A file vaultnet will not (or cannot) read or write. On reading, the message is what is wrong with it,
    to follow "this file" or a path (`is a FIFO (named pipe), not a regular file`); on writing, a sentence
    that names the path."""


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words (`a FIFO`)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def is_inside(root: str, path: str) -> bool:
    """Whether the resolved `path` is the resolved `root` or lies below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve_inside(root: Path, rel: str) -> Path:
    """`root/rel` with every link resolved, if that stays inside the vault; `Refused` if it leaves it."""
    real_root = os.path.realpath(root)
    target = os.path.realpath(root / rel)
    if not is_inside(real_root, target):
        raise Refused("is a link to a file outside the vault")
    return Path(target)


def _open_regular(path: str | Path) -> int | None:
    """A descriptor open for reading on the regular file `path`, None when there is none. Its kind is
    checked before it is opened (a FIFO would block, a device may act) and again once it is (a swap in
    between); the last part is opened with O_NOFOLLOW and O_NONBLOCK."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise Refused(_cannot(exc)) from exc
    if not stat.S_ISREG(mode):
        raise Refused(f"is {kind_of(mode)}, not a regular file")
    try:
        fd = _open_leased(path)
    except (FileNotFoundError, NotADirectoryError):
        return None  # removed since the lstat
    except OSError as exc:
        if exc.errno in _LINK_ERRNOS:  # became a link since the lstat
            raise Refused("is a symbolic link (since it was listed)") from exc
        raise Refused(_cannot(exc)) from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise Refused(f"is {kind_of(mode)}, not a regular file")
    return fd


def _open_leased(path: str | Path) -> int:
    """`os.open` for reading. A file under a lease that an open must break (vaultnet's own compare-and-swap holds
    one on a note for microseconds, a file server may) makes an O_NONBLOCK open fail with EWOULDBLOCK until the
    holder lets go: it is tried again meanwhile."""
    deadline = time.monotonic() + _LEASED_SECONDS
    wait = 0.001
    while True:
        try:
            return os.open(path, _READ_FLAGS)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise
        time.sleep(wait)
        wait = min(wait * 2, 0.05)


def read_regular(path: str | Path, limit: int | None = None) -> bytes | None:
    """The bytes of the regular file `path` (no link followed at its last part), None when there is none.
    `Refused` when it is a link, not a regular file, unreadable, or larger than `limit` bytes."""
    fd = _open_regular(path)
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as handle:
        if limit is not None and os.fstat(fd).st_size > limit:
            raise Refused(f"is larger than {_size(limit)}")
        try:
            data = handle.read() if limit is None else handle.read(limit + 1)
        except OSError as exc:
            raise Refused(_cannot(exc)) from exc
    if limit is not None and len(data) > limit:  # grew while being read
        raise Refused(f"is larger than {_size(limit)}")
    return data


def read_head(path: Path, size: int) -> bytes | None:
    """The first `size` bytes of the regular file `path` (as `read_regular`: no link, no special file)."""
    fd = _open_regular(path)
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read(size)
        except OSError as exc:
            raise Refused(_cannot(exc)) from exc


def read_inside(root: Path, rel: str, limit: int | None = None) -> bytes | None:
    """The bytes of the file `rel` below `root` (see `read_regular`), None when there is none. A symlinked
    file is read when its target lies inside the vault; `Refused` when it leads out of it, or nowhere."""
    path = os.path.join(root, rel)  # not `root / rel`: asked for every note read, where a Path costs 5x as much
    try:
        return read_regular(path, limit)
    except Refused as exc:
        if not os.path.islink(path):
            raise
        real = resolve_inside(root, rel)  # raises when the link leads out of the vault
        data = read_regular(real, limit)
        if data is None:
            raise Refused("is a link to a file that does not exist") from exc
        return data


def link_below(root: Path, path: Path) -> str | None:
    """The first part of `path` below `root` that is a symbolic link (a folder on the way, or the file
    itself), as a `/`-separated path relative to `root`; None when there is none. Parts that do not exist
    yet are no links (they are made as real folders)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None  # not below the root: the caller names no vault (e.g. `export --out`)
    current = root
    for depth, part in enumerate(parts, start=1):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except OSError:
            return None  # missing from here down (or unreadable: writing will say so)
        if stat.S_ISLNK(mode):
            return "/".join(parts[:depth])
    return None


def refuse_links(root: Path, path: Path) -> None:
    """`Refused` when `path` (below `root`) or a folder on its way is a symbolic link: the message names it."""
    link = link_below(root, path)
    if link is None:
        return
    if link == path.relative_to(root).as_posix():
        raise Refused(f"{path} is a symbolic link: vaultnet writes nothing through links (remove the link)")
    raise Refused(
        f"{path} lies in {root / link}, which is a symbolic link: vaultnet writes nothing through links "
        "(make it a real folder, or choose another path)"
    )


def _cannot(exc: OSError) -> str:
    return f"cannot be read ({(exc.strerror or str(exc)).lower()})"


def _size(limit: int) -> str:
    return f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit} bytes"
