"""The snapshot: what the last builds derived from a vault, kept on disk so that the next command starts from it.

One file, `.vaultnet/snapshot`, holds a whole state (the notes as parsed, the network, the plan: whatever the
caller hands `save`), and an append-only journal, `.vaultnet/journal`, what changed since (the caller's records,
each small). `load` gives back the state and the journal's records, in order; past `COMPACT_BYTES` of journal,
the caller saves a whole state again, which removes the journal. Both files are vaultnet's own, in its own
folder, and written under the cache's lock; whatever else is found in their place (a link, a FIFO, a folder) is
never followed, read or waited on, and is removed.

Why pickle. A command after an edit must not decode 10,000 notes: restoring the objects a build made costs a
third of decoding them from JSON, and the journal keeps the next save small. Pickle can build any object and call
any function, so the snapshot is read with an unpickler that builds only vaultnet's own record types (dataclasses,
named tuples, enums, and the few classes named in `_CLASSES`), dates and plain containers, and calls nothing else:
a planted file cannot run code. It is read only when its header names this copy of the vault's `.vaultnet/`
folder (its device and inode), so a snapshot that came with a cloned, copied or synced vault is discarded
unread; its length and checksum guard against a torn or damaged file. Anything wrong is a discarded snapshot
(the `vaultnet.cache` logger says so once), never an error: the notes are read again.

`kill -9` at any point: the snapshot is replaced by a rename (the old one or the new one, never half of one); a
journal record is a length, a checksum and its bytes, and a torn last record is ignored and cut off by the next
append. A journal made for another snapshot (a crash between the two writes of a compaction) is ignored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import io
import json
import logging
import os
import pickle
import secrets
import shutil
import stat
import struct
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vaultnet import locks
from vaultnet.atomic import TEMP_PREFIX, TEMP_SUFFIX
from vaultnet.safeio import Refused, read_head, read_regular
from vaultnet.vault import private_dir

SNAPSHOT_NAME = "snapshot"
JOURNAL_NAME = "journal"
COMPACT_BYTES = 4 * 1024 * 1024  # a journal this long is folded into a new snapshot: loading it costs more
LOCK_TIMEOUT = 30.0  # seconds to wait for another command's write; then this one's is skipped
LOCK_STALE = 120.0
_MAGIC = "vaultnet snapshot"
_TEMP_PREFIX = TEMP_PREFIX + "snapshot-"  # a temp file of vaultnet's naming (`atomic.sweep`), and a save's
_RECORD = struct.Struct("<QI16s")  # a journal record: its length, its checksum, the snapshot it belongs to
UNREADABLE = "the cache in .vaultnet/ was unreadable and has been rebuilt"
_log = logging.getLogger("vaultnet.cache")

# Classes of vaultnet's that are neither dataclasses, named tuples nor enums and may be in a snapshot.
_CLASSES = frozenset({("vaultnet.vault", "Listing"), ("vaultnet.resolver", "Resolver"), ("vaultnet.network", "_Links")})
_PLAIN = frozenset(
    {
        ("builtins", "list"), ("builtins", "dict"), ("builtins", "set"), ("builtins", "frozenset"),
        ("builtins", "tuple"), ("builtins", "str"), ("builtins", "int"), ("builtins", "bytes"),
        ("builtins", "bool"), ("datetime", "date"), ("datetime", "time"), ("collections", "defaultdict"),
    }
)  # fmt: skip


class _Unpickler(pickle.Unpickler):
    """Builds only records: see the module's docstring."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _PLAIN:
            return super().find_class(module, name)
        if module.startswith("vaultnet.") and module in sys.modules and "." not in name:
            found = getattr(sys.modules[module], name, None)
            if isinstance(found, type) and _a_record(found, module, name):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a snapshot")


def _a_record(cls: type, module: str, name: str) -> bool:
    if (module, name) in _CLASSES or dataclasses.is_dataclass(cls) or issubclass(cls, enum.Enum):
        return True
    return issubclass(cls, tuple) and hasattr(cls, "_fields")  # a NamedTuple


class Snapshot:
    """The snapshot and journal of one vault, for one `key` (what their contents depend on besides the notes:
    the code and the settings). `persist=False`: nothing is read or written."""

    def __init__(self, root: Path, folder: Path, key: str, *, persist: bool = True) -> None:
        self.root = root
        self.folder = folder
        self.key = key
        self.persist = persist
        self._id = b""  # the id of the snapshot the journal belongs to
        self._journal_end = 0  # where the journal's last whole record ends
        self._noticed = False
        self.compact_bytes = COMPACT_BYTES

    @property
    def path(self) -> Path:
        return self.folder / SNAPSHOT_NAME

    @property
    def journal_path(self) -> Path:
        return self.folder / JOURNAL_NAME

    # -- reading ----------------------------------------------------------------------------------------

    def load(self) -> tuple[Any, list[Any]] | None:
        """The state last saved and the journal's records since, oldest first; None if there is none that
        this version wrote for this key and this copy of the vault."""
        if not self.persist:
            return None
        try:
            data = read_regular(self.path)
            if data is None:
                return None
            line, _, body = data.partition(b"\n")
            header = json.loads(line)
            if not isinstance(header, dict) or header.get("format") != _MAGIC:
                raise ValueError("not a snapshot")
            if header.get("key") != self.key or header.get("home") != self._home():
                return None  # another version's, other settings', or another copy's: not ours to read
            if len(body) != header["size"] or zlib.crc32(body) != header["crc"]:
                raise ValueError("torn or damaged")
            state = _Unpickler(io.BytesIO(zlib.decompress(body))).load()
            self._id = bytes.fromhex(header["id"])
        except Exception:
            self.discard()
            return None
        return state, self._journal()

    def _journal(self) -> list[Any]:
        records: list[Any] = []
        self._journal_end = 0
        try:
            data = read_regular(self.journal_path) or b""
        except Refused:
            return records
        at = 0
        while at + _RECORD.size <= len(data):
            size, crc, owner = _RECORD.unpack_from(data, at)
            body = data[at + _RECORD.size : at + _RECORD.size + size]
            if owner != self._id[:16] or len(body) != size or zlib.crc32(body) != crc:
                break  # another snapshot's journal, or a torn last record: nothing after it counts
            try:
                records.append(_Unpickler(io.BytesIO(body)).load())
            except Exception:
                break
            at += _RECORD.size + size
        self._journal_end = at
        return records

    def has_base(self) -> bool:
        """Whether a snapshot was loaded or saved, to which the journal adds."""
        return bool(self._id)

    # -- writing ----------------------------------------------------------------------------------------

    def save(self, state: Any) -> None:
        """Replace the snapshot with `state` and empty the journal."""
        if not self.persist:
            return
        with contextlib.suppress(OSError, pickle.PickleError, RecursionError), self._locked():
            # Compressed (zlib, fastest level): a third of the notes' size on disk instead of more than all of it,
            # for ~20 ms per load at 10,000 contacts.
            body = zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)
            new_id = secrets.token_bytes(16)
            header: dict[str, object] = {"format": _MAGIC, "key": self.key, "home": self._home()}
            header |= {"id": new_id.hex(), "size": len(body), "crc": zlib.crc32(body)}
            self._sweep()
            import tempfile  # here: most commands write no temp file, and the import costs 3-5 ms

            fd, temp = tempfile.mkstemp(dir=self.folder, prefix=_TEMP_PREFIX, suffix=TEMP_SUFFIX)
            try:
                # No fsync: a cache. A power cut may leave a damaged file, which the checksum finds.
                with os.fdopen(fd, "wb") as file:
                    file.write(json.dumps(header).encode() + b"\n")
                    file.write(body)
                os.replace(temp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
            self._id = new_id
            # Only after the new snapshot is in place; removed, not truncated: a link in its place is never
            # followed, and a FIFO or a folder there is replaced by the next append's file.
            _remove(self.journal_path)
            self._journal_end = 0

    def append(self, record: Any) -> int:
        """Add `record` to the journal of the snapshot last loaded or saved; the journal's length after it
        (0: not written, the caller had better save a whole state)."""
        if not self.persist or not self._id:
            return 0
        body = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with self._locked():
                self._sweep()
                if self._on_disk() != self._id:
                    return 0  # another command saved a whole state since: this one's journal is gone
                # O_NONBLOCK: a FIFO in the journal's place must not wait for a reader (it is refused below).
                flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                fd = os.open(self.journal_path, flags, 0o600)
                with open(fd, "r+b") as file:
                    if not stat.S_ISREG(os.fstat(fd).st_mode):
                        return 0
                    file.truncate(self._journal_end)  # a torn record, or another process's records we did not read
                    file.seek(self._journal_end)
                    file.write(_RECORD.pack(len(body), zlib.crc32(body), self._id[:16]) + body)
                    self._journal_end = file.tell()
        except OSError:
            return 0
        return self._journal_end

    # -- the files --------------------------------------------------------------------------------------

    def _sweep(self) -> None:
        """Remove the temp files of a save that was killed: under the cache's lock, no other save is under way."""
        with contextlib.suppress(OSError), os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name.startswith(_TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def _on_disk(self) -> bytes:
        """The id of the snapshot on disk now (b"" if there is none, or it cannot be read)."""
        try:
            head = read_head(self.path, 4096) or b""
            header = json.loads(head.partition(b"\n")[0])
            return bytes.fromhex(header["id"]) if isinstance(header, dict) and header.get("key") == self.key else b""
        except (Refused, ValueError, KeyError, TypeError):
            return b""

    def _home(self) -> list[int]:
        """This copy of the vault's `.vaultnet/` folder: its device and inode."""
        status = os.stat(private_dir(self.folder))
        return [status.st_dev, status.st_ino]

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            with locks.held(self.root, locks.CACHE_LOCK, timeout=LOCK_TIMEOUT, stale=LOCK_STALE):
                yield
        except locks.Busy as exc:
            raise OSError(f"the cache is busy: {exc}") from None

    def discard(self) -> None:
        """Remove the snapshot and its journal (what this version did not write, or cannot use), saying so once:
        the next `save` starts afresh."""
        self._id, self._journal_end = b"", 0
        for path in (self.path, self.journal_path):
            _remove(path)
        if not self._noticed:
            self._noticed = True
            _log.warning(UNREADABLE)


def _remove(path: Path) -> None:
    """Remove what is at `path` in vaultnet's own folder, never following a link: a file, a link or a FIFO,
    or a folder and all in it (left there, no snapshot could take its place)."""
    with contextlib.suppress(OSError):
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path)
        else:
            os.unlink(path)
