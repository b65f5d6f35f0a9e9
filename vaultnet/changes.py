"""A change to one file of the vault, computed before anything is written, and the safe way to write it.

Every command that writes a note (`actions`, the imports) first computes a `Change`: the note's exact
bytes before and after. `--dry-run` shows it as a diff; `apply` writes it only if the note still has the
bytes it was read with (an editor may have saved in between: then nothing is written and the user is
told), atomically and keeping the file's permissions. `safe_filename` names new notes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from vaultnet.edit import split_lines
from vaultnet.vault import check_no_links, create_note, replace_note


@dataclass(frozen=True)
class Change:
    """A note's bytes before and after one command (`before` is None for a new note)."""

    path: Path
    rel: str
    before: bytes | None
    after: bytes

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


def apply(change: Change) -> None:
    """Write the change, unless the note changed on disk since it was read (then nothing is written)."""
    if not change.changed:
        return
    check_no_links(change.root, change.path)  # never through a symlinked note, nor into a symlinked folder
    if change.before is None:
        create_note(change.path, change.after)
    else:
        replace_note(change.path, change.before, change.after)


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
