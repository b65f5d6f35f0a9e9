"""What a build's outputs depend on, as one digest: the code, the settings, the day, every note's fingerprint, the
folders the settings check looks at, and the sources' fingerprints; and the bytes of the notes saved moments ago,
which a fingerprint cannot vouch for. `pipeline` keeps a build's result (and a reading command's text) under this
digest and makes nothing again while it holds."""

from __future__ import annotations

import hashlib
import time
from datetime import date
from pathlib import Path

from vaultnet import __version__
from vaultnet.cache import code_digest
from vaultnet.config import Settings
from vaultnet.safeio import Refused
from vaultnet.settings_check import named_folders
from vaultnet.sources import fingerprint as sources_fingerprint
from vaultnet.vault import Listing, has_folder, read_bytes, top_folders

_RACY_NS = 2_000_000_000  # a note written this recently may change again within its mtime's tick (see `index`)
Recent = tuple[tuple[str, str], ...]


def recent_notes(root: Path, listed: Listing) -> Recent:
    """(path, digest of its bytes) of each note written moments ago: a second save within the same mtime tick,
    of the same size, changes no fingerprint, so what is made from such a note is reused only while its bytes
    are the same (`same_bytes`). Read before the build reads them: a save in between makes a record that is
    never used, never a wrong one."""
    since = time.time_ns() - _RACY_NS
    return tuple((path, _bytes_digest(root, path)) for path in sorted(listed) if listed[path].mtime_ns >= since)


def same_bytes(root: Path, recent: Recent) -> bool:
    return all(_bytes_digest(root, path) == digest for path, digest in recent)


def _bytes_digest(root: Path, path: str) -> str:
    try:
        data = read_bytes(root, path)
    except Refused as exc:
        return f"unreadable: {exc}"
    return "gone" if data is None else hashlib.blake2b(data, digest_size=16).hexdigest()


def inputs_digest(root: Path, settings: Settings, listed: Listing, today: date) -> str:
    """Everything a build's outputs depend on: the code, the settings, the day, every note's fingerprint, what
    the listing reported (a folder that becomes readable changes no fingerprint) and the folders the settings
    check finds (`_folders_seen`)."""
    digest = hashlib.blake2b(digest_size=16)
    seen = folders_seen(root, settings)
    digest.update(repr((__version__, code_digest(), settings, today.isoformat(), listed.problems, seen)).encode())
    if settings.sources_calendars or settings.sources_mail:  # a new mail or event changes the outputs too
        digest.update(repr(sources_fingerprint(root, settings)).encode())
    for path in sorted(listed):
        fp = listed[path]
        digest.update(f"{path}\0{fp.mtime_ns}\0{fp.size}\n".encode())
    return digest.hexdigest()


def folders_seen(root: Path, settings: Settings) -> tuple[object, ...]:
    """What `Session._checks` looks at on disk besides the notes: whether each folder vaultnet.toml names is there,
    and the vault's top folders when one is not (they shape its hint). An empty folder made or removed changes no
    note's fingerprint."""
    if not settings.lines:
        return ()
    there = tuple(has_folder(root, folder) for _, folder, _ in named_folders(settings))
    return there, () if all(there) else tuple(sorted(top_folders(root)))
