"""vaultnet's cache: one SQLite file under `.vaultnet/`, and the only module that knows its format.

It keeps, for the layers above, through typed methods:

- the record of the last build (`last_build`/`save_build`, for the pipeline's "nothing changed" shortcut);
- what the reading commands printed last (`last_view`/`save_view`, for `Session.view`).

The notes as parsed and what was derived from them are not kept here but in the snapshot and its journal
(`snapshot`, `derived`). Every SQL statement lives here, and the codec (JSON) in `cachecodec`, which only this
module imports: a later change of the storage format (another layout, another codec) touches these two modules
only. Callers only ever see the typed records below; nothing else knows the format.

The cache is never trusted over the files and never stops a command. All it holds belongs to one key (the
schema version below, plus the code and the settings the caller names); a cache of another key is ignored and
then replaced (its tables dropped: an older version's notes do not linger in the file). Whatever this version
did not write (a file that is not SQLite, a truncated one, a record of the wrong JSON shape or of the wrong
types; an empty file, a folder, a link or a FIFO in its place) is discarded on load; the `vaultnet.cache`
logger says so once (`UNREADABLE`), which the command line prints as one line. A failed write (a read-only
vault) only loses the speed-up.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from vaultnet import locks
from vaultnet.cachecodec import (
    BuildRecord,
    OutputStamp,
    ViewRecord,
    decode_build,
    decode_view,
    encode_build,
    encode_view,
)
from vaultnet.config import CACHE_DIR
from vaultnet.safeio import link_below
from vaultnet.vault import private_dir

__all__ = ["CACHE_NAME", "SCHEMA", "BuildRecord", "Cache", "OutputStamp", "ViewRecord", "code_digest"]

CACHE_NAME = "cache.sqlite"
SCHEMA = 14  # bump whenever what the cache holds changes shape

LOCK_TIMEOUT = 30.0  # seconds to wait for another command's cache write; then this one's is skipped
LOCK_STALE = 120.0  # where there is no flock: a cache lock file this old was left by a crash

# What a load treats as "not what this version wrote": the file is discarded or the rows ignored.
_INVALID = (sqlite3.Error, ValueError, KeyError, TypeError, IndexError, RecursionError)
UNREADABLE = f"the cache in {CACHE_DIR}/ was unreadable and has been rebuilt"
_log = logging.getLogger(__name__)


@functools.cache
def code_digest() -> str:
    """A digest of vaultnet's own source: changed code invalidates the cache and the last build by itself,
    without anyone having to remember to bump a version (an editable install changes without one)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


class Cache:
    """The cache file of one vault, for one `key` (what its contents depend on besides the files).

    `persist=False`: no file at all; every load finds nothing and every save is dropped.
    """

    def __init__(self, root: Path, key: str, *, persist: bool = True) -> None:
        self.path = root / CACHE_DIR / CACHE_NAME
        # A cache folder that is a symbolic link (or lies below one) would have SQLite write where the link leads:
        # then the cache lives in memory only (the outputs under such a folder are refused by the build, with a
        # word). A link in place of the cache file or a journal is vaultnet's own to remove: see `_plain_file`.
        self.persist = persist and not link_below(root, self.path.parent)
        self._key = f"{SCHEMA}/{key}"
        self._connection: sqlite3.Connection | None = None
        self._noticed = False

    # -- the last build ----------------------------------------------------------------------------

    def last_build(self) -> BuildRecord | None:
        rows = self._rows("SELECT value FROM meta WHERE key = 'build'")
        if not rows:
            return None
        try:
            return decode_build(rows[0][0])
        except _INVALID:
            self._notice()
            self._store(lambda db: db.execute("DELETE FROM meta WHERE key = 'build'"))
            return None

    def save_build(self, record: BuildRecord) -> None:
        if self.persist:
            value = encode_build(record)
            self._store(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES ('build', ?)", (value,)))

    # -- what reading commands printed ---------------------------------------------------------------

    def last_view(self, name: str) -> ViewRecord | None:
        """What the reading command `name` (a command and its options, e.g. "due --json") printed last."""
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (f"view:{name}",))
        if not rows:
            return None
        try:
            return decode_view(rows[0][0])
        except _INVALID:
            self._notice()
            return None

    def save_view(self, name: str, record: ViewRecord) -> None:
        if self.persist:
            value, key = encode_view(record), f"view:{name}"
            self._store(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value)))

    # -- the file ----------------------------------------------------------------------------------

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """The connection, opened once per Cache (opening it costs more than most queries). It is opened under the
        cache's lock: a cache file that another command is making (empty, then without its tables) is not seen
        half made."""
        if self._connection is None:
            with self._locked_if_possible():
                self._connection = self._open()
        try:
            yield self._connection
        except sqlite3.DatabaseError:
            self.close()
            raise

    def _open(self) -> sqlite3.Connection:
        private_dir(self.path.parent)
        if not self._plain_file():
            self._discard()  # sqlite would read a folder's or a link's target, or make tables in an empty file
        db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        try:
            # A cache: a power cut mid-write may corrupt it, which is detected and costs one re-parse;
            # worth skipping the fsyncs (a process crash is safe: the journal is in the OS's buffers).
            db.execute("PRAGMA synchronous = OFF")
            # The rollback journal exists only during a write, and is deleted when it commits: no file is
            # left beside the cache, and a crash mid-write leaves the hot journal that undoes it. (TRUNCATE
            # left an empty one after every command; WAL leaves two files while a command runs, and needs
            # shared memory, which network file systems lack.)
            db.execute("PRAGMA journal_mode = DELETE")
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        except BaseException:
            db.close()
            raise
        return db

    def _owned(self, db: sqlite3.Connection) -> bool:
        """Whether the file holds this key's cache (and not another version's or other settings')."""
        row = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        return row is not None and row[0] == self._key

    def _rows(self, query: str, parameters: tuple[str, ...] = ()) -> list[Any]:
        """The rows of a query on this key's cache; none when there is no such cache. A file that cannot be
        read as SQLite is discarded."""
        if not self.persist or not self.path.exists():
            return []
        try:
            with self._db() as db:
                return db.execute(query, parameters).fetchall() if self._owned(db) else []
        except sqlite3.Error:
            self._discard()
            return []

    def _transaction(self, write: Callable[[sqlite3.Connection], object]) -> None:
        """Run `write(db)` in one transaction, holding the cache's lock. A file that held another key's cache is
        claimed first: emptied, with every table but `meta` dropped (an older version's, such as its notes,
        would otherwise stay in the file for good) and the file compacted."""
        with self._locked(), self._db() as db:
            dropped = False
            with db:
                if not self._owned(db):
                    db.execute("DELETE FROM meta")  # opens the transaction the tables are dropped in
                    tables = db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'"
                        " AND name NOT LIKE 'sqlite^_%' ESCAPE '^'"  # SQLite's own tables cannot be dropped
                    )
                    for (name,) in tables.fetchall():
                        db.execute(f'DROP TABLE "{name.replace(chr(34), chr(34) * 2)}"')
                        dropped = True
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('settings', ?)", (self._key,))
                write(db)
            if dropped:
                db.execute("VACUUM")  # outside the transaction: gives the dropped tables' pages back

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The cache's lock (`locks`), so that commands that run at once write it in turn, and one that finds it
        damaged does not remove it under another's write. A lock that cannot be had within `LOCK_TIMEOUT`, or
        made at all (a read-only vault), is an `OSError`: the write is skipped, and only the speed-up lost."""
        try:
            with locks.held(self.path.parent.parent, locks.CACHE_LOCK, timeout=LOCK_TIMEOUT, stale=LOCK_STALE):
                yield
        except locks.Busy as exc:
            raise OSError(f"the cache is busy: {exc}") from None

    @contextlib.contextmanager
    def _locked_if_possible(self) -> Iterator[None]:
        """The cache's lock, or none if it cannot be had: opening or removing the file goes on without it."""
        with contextlib.ExitStack() as stack:
            with contextlib.suppress(OSError):
                stack.enter_context(self._locked())
            yield

    def _store(self, write: Callable[[sqlite3.Connection], object]) -> None:
        """`_transaction` for what is only a speed-up: a failure loses it, and nothing else."""
        with contextlib.suppress(sqlite3.Error, OSError):
            self._transaction(write)

    def _plain_file(self) -> bool:
        """Whether the cache is missing or a regular file with something in it, and no journal beside it is
        anything but a regular file: what this module writes (SQLite would follow a link, or read a FIFO)."""
        try:
            status = os.lstat(self.path)
        except FileNotFoundError:
            status = None
        except OSError:
            return False
        if status is not None and not (stat.S_ISREG(status.st_mode) and status.st_size > 0):
            return False
        for suffix in ("-journal", "-wal", "-shm"):
            try:
                if not stat.S_ISREG(os.lstat(f"{self.path}{suffix}").st_mode):
                    return False
            except FileNotFoundError:
                continue
            except OSError:
                return False
        return True

    def _discard(self) -> None:
        """Remove the file and its journals (a folder in their place too: `.vaultnet/` is vaultnet's own)."""
        self.close()
        self._notice()
        with self._locked_if_possible():
            for suffix in ("", "-journal", "-wal", "-shm"):
                path = Path(str(self.path) + suffix)
                with contextlib.suppress(OSError):
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path)
                    else:
                        path.unlink()

    def _notice(self) -> None:
        """Say once that the cache was unreadable: it costs this run a full read of the notes."""
        if not self._noticed:
            self._noticed = True
            _log.warning(UNREADABLE)
