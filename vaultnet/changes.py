"""A change to one file of the vault, computed before anything is written, and the safe way to write it.

Every command that writes a note (`actions`, the imports) first computes a `Change`: the note's exact
bytes before and after. `--dry-run` shows it as a diff; `apply` writes it only if the note still has the
bytes it was read with, atomically and keeping the file's permissions. `safe_filename` names new notes.

`apply` holds the note's lock (`locks`) from the last read to the rename, so that two vaultnet commands on one
note take turns. A note that changed since it was read (another command's write, an editor's save) is read
again under the lock: a change that can be computed again from the note as it is now (`redo`: a log entry, a
property, a ticked promise) is, up to `ATTEMPTS` times; any other is refused (`NoteChanged`, exit code 3).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vaultnet import locks
from vaultnet.atomic import sweep
from vaultnet.edit import split_lines
from vaultnet.problems import UserError, WriteRefused
from vaultnet.vault import NoteChanged, check_no_links, create_note, link_note, new_notes_on_disk, replace_note

ATTEMPTS = 3  # computing a change again from a note that keeps changing: then it is refused
LOCK_TIMEOUT = 30.0  # seconds to wait for another vaultnet command writing the same note
LOCK_STALE = 60.0  # where there is no flock: a note's lock file this old was left by a crash


@dataclass(frozen=True)
class Change:
    """A note's bytes before and after one command (`before` is None for a new note).

    `redo` computes the same change from other bytes of the note (raising `UserError` when it no longer
    applies): what `apply` does when the note changed since it was read. None: such a change is refused.
    """

    path: Path
    rel: str
    before: bytes | None
    after: bytes
    redo: Callable[[bytes], bytes] | None = field(default=None, compare=False, repr=False)

    def diff(self) -> str:
        """A unified diff from `a/rel` to `b/rel` ("" when nothing changes)."""
        old = split_lines((self.before or b"").decode("utf-8"))
        new = split_lines(self.after.decode("utf-8"))
        lines = difflib.unified_diff(old, new, f"a/{self.rel}", f"b/{self.rel}")
        return "".join(_diff_line(line) for line in lines)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def root(self) -> Path:
        """The vault: `path` is `root / rel`."""
        return self.path.parents[len(PurePosixPath(self.rel).parts) - 1]


def _diff_line(line: str) -> str:
    """A line of the diff ends in a newline; a lone CR ends a line too (old Mac notes)."""
    if line.endswith("\n"):
        return line
    return line + "\n" if line.endswith("\r") else line + "\n\\ No newline at end of file\n"


def apply(change: Change, *, swept: bool = False) -> bool:
    """Write the change, unless the note changed on disk since it was read and the change cannot be computed
    again from what it holds now (then nothing is written: `WriteRefused`). Returns whether anything was written.

    The note's folder is swept of a crashed run's temp files first, unless `swept` says `sweep_for` did it for
    a whole batch of changes (10,000 new notes of an import in one folder: one listing, not 10,000)."""
    if not change.changed:
        return False
    check_no_links(change.root, change.path)  # never through a symlinked note, nor into a symlinked folder
    if change.before is None:
        if not swept:
            sweep(change.path.parent)
        create_note(change.path, change.after)
        return True
    with _locked(change):
        if not swept:
            sweep(change.path.parent, [change.path.name])
        return _replace(change, change.before, change.after)


def apply_all(changes: list[Change]) -> Iterator[tuple[Change, bool]]:
    """Apply `changes` in order, yielding each with whether it wrote: as `apply` does one by one, but each folder
    is swept once, and the new notes' bytes are put on disk together (`new_notes_on_disk`: one sync) before the
    first of them is linked into place. An error stops at that change; the new notes not made yet are not made."""
    folders: dict[Path, list[str]] = {}
    for change in changes:
        if change.changed:
            check_no_links(change.root, change.path)  # before anything is written
            names = folders.setdefault(change.path.parent, [])
            if change.before is not None:
                names.append(change.path.name)
    for folder, names in folders.items():
        sweep(folder, names)
    new = [c for c in changes if c.changed and c.before is None]
    temps = dict(zip((id(c) for c in new), new_notes_on_disk([(c.path, c.after) for c in new]), strict=True))
    try:
        for change in changes:
            if id(change) in temps:
                link_note(temps.pop(id(change)), change.path)
                yield change, True
            else:
                yield change, apply(change, swept=True)
    finally:
        for tmp in temps.values():  # after an error: the notes not made stay unmade
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _replace(change: Change, base: bytes, after: bytes) -> bool:
    for _ in range(ATTEMPTS):
        try:
            replace_note(change.path, base, after)
            return True
        except NoteChanged as exc:
            if change.redo is None or exc.current is None:
                raise
            base = exc.current
        try:
            after = change.redo(base)
        except UserError as exc:
            raise WriteRefused(
                f"{change.path} changed since vaultnet read it, and the change no longer fits it ({exc.message}): "
                "nothing was written"
            ) from None
        if after == base:
            return False  # what it holds now has the change already
    raise NoteChanged(
        f"{change.path} kept changing while vaultnet wrote it (saved in an editor?), {ATTEMPTS} times: nothing was "
        "written, run the command again",
        base,
    )


@contextlib.contextmanager
def _locked(change: Change) -> Iterator[None]:
    """The note's lock for the block, or `WriteRefused` when it cannot be had."""
    root = change.root
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(
                locks.held(root, locks.note_lock_name(change.path), timeout=LOCK_TIMEOUT, stale=LOCK_STALE)
            )
        except locks.Busy as exc:
            raise WriteRefused(
                f"{change.path}: another vaultnet command has been writing it for {LOCK_TIMEOUT:.0f} s "
                f"({exc}): nothing was written, run the command again"
            ) from None
        except OSError as exc:  # no lock folder can be made: a read-only vault, `.vaultnet` a file
            raise UserError(
                f"{change.path}: vaultnet cannot make its lock in {root / locks.LOCK_DIR} "
                f"({exc.strerror or exc}): nothing was written"
            ) from None
        yield


# Characters no file name may hold on some system or in an Obsidian link, and those that would act on a
# terminal that prints the name (C1 controls, the bidirectional overrides that make `exe.md` look like `dm.exe`).
_UNSAFE = re.compile(r'[/\\:*?"<>|#^\[\]\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
# A file name holds at most 255 bytes (Linux, macOS; Windows 255 UTF-16 units, never more than the bytes).
# A note's stem keeps room in it for `.md`, a number (`Ana Lima 2.md`) and the temp file a write goes through
# (`.Ana Lima 2.md.x1y2z3ab.tmp`).
MAX_STEM_BYTES = 200


def safe_filename(name: str) -> str:
    """A file name (without its extension) that works on Linux, macOS and Windows and in Obsidian links: no
    character any of them refuses, at most 120 characters and `MAX_STEM_BYTES` bytes of UTF-8 (a longer name
    is cut, at a character; the note's `name:` keeps it whole)."""
    cleaned = " ".join(_UNSAFE.sub(" ", name).split()).strip(" .")
    if not cleaned:
        cleaned = "Unnamed"
    if cleaned.casefold() in _RESERVED:
        cleaned += "_"
    cut = cleaned[:120].encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore")  # "ignore": a split char
    return cut.rstrip(" .") or "Unnamed"
