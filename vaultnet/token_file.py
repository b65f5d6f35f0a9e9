"""The secret token in the calendar's URL (`serve`): made once from 32 random bytes, kept in `.vaultnet/token`,
readable by the owner only (tightened if it is not), never read or written through a link."""

from __future__ import annotations

import errno
import logging
import os
import secrets
import stat
from pathlib import Path

from vaultnet.config import CACHE_DIR
from vaultnet.problems import UserError
from vaultnet.vault import check_no_links, private_dir, write_atomic

TOKEN_NAME = "token"
_log = logging.getLogger("vaultnet.serve")  # its notices are the server's


def token_path(root: Path) -> Path:
    return root / CACHE_DIR / TOKEN_NAME


def load_token(root: Path, rotate: bool = False) -> str:
    """The vault's secret token, made on first use (or anew with `rotate`); readable by the owner only: a
    token file that others may read is made owner-only (with a notice), one that is a link is refused."""
    path = token_path(root)
    private_dir(path.parent)  # refuses a folder that is a link: the token is never read or written through one
    token = "" if rotate else _read_token(path)
    if len(token) >= 32:
        return token
    token = secrets.token_urlsafe(32)
    check_no_links(root, path)  # before the open below, which would create the file where a link leads
    # Create the file owner-only before anything is in it: write_atomic keeps an existing file's mode, so the
    # token is never readable by others, not even for a moment.
    os.close(_open_token(path, os.O_WRONLY | os.O_CREAT))
    write_atomic(path, token.encode() + b"\n", root=root)
    return token


def _open_token(path: Path, flags: int) -> int:
    """The token file opened (never through a link, never blocking on a FIFO), owner-only from here on."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(f"{path} is a symbolic link: the secret token is kept only in a file of its own "
                            "(remove the link)") from None  # fmt: skip
        raise
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise UserError(f"{path} is not a file: the secret token is kept only in a file of its own")
        if stat.S_IMODE(status.st_mode) & 0o077:
            os.fchmod(fd, 0o600)
            _log.warning(f"{path} could be read by others: it is owner-only now (a rotated token makes a new URL)")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_token(path: Path) -> str:
    """The token in the file, "" when there is none (or no file)."""
    try:
        fd = _open_token(path, os.O_RDONLY)
    except FileNotFoundError:
        return ""
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(4096)
    try:
        return data.decode("ascii").strip()
    except UnicodeDecodeError:
        return ""
