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
from pathlib import Path

from vaultnet.edit import split_lines
from vaultnet.vault import create_note, replace_note


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


def _diff_line(line: str) -> str:
    """A line of the diff ends in a newline; a lone CR ends a line too (old Mac notes)."""
    if line.endswith("\n"):
        return line
    return line + "\n" if line.endswith("\r") else line + "\n\\ No newline at end of file\n"


def apply(change: Change) -> None:
    """Write the change, unless the note changed on disk since it was read (then nothing is written)."""
    if not change.changed:
        return
    if change.before is None:
        create_note(change.path, change.after)
    else:
        replace_note(change.path, change.before, change.after)


_UNSAFE = re.compile(r'[/\\:*?"<>|#^\[\]\x00-\x1f\x7f]')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_filename(name: str) -> str:
    """A file name that works on Linux, macOS and Windows and in Obsidian links."""
    cleaned = " ".join(_UNSAFE.sub(" ", name).split()).strip(" .")
    if not cleaned:
        cleaned = "Unnamed"
    if cleaned.casefold() in _RESERVED:
        cleaned += "_"
    return cleaned[:120].rstrip(" .")
