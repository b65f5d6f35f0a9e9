"""How much one note may hold, defined once: the sizes past which vaultnet does not read a note.

Every pattern vaultnet matches a note with runs in time linear in the text, so these limits are not what keeps
a command fast on hostile text; they keep the work per note and the memory bounded, and they turn what can only
be a mistake or an attack (a 2 GB file named `.md`, a front matter that is a pasted database, a line of base64)
into a `path:line: message` instead of a long, silent wait. A note is read whole or not at all: a note past a
limit is skipped with an error, as a note with broken YAML is, so that what the parser reads and what the
editing commands change always agree. docs/format.md ("Limits") shows `LIMITS`; a test holds the two together.

Floor 0: plain values and pure functions; `frontmatter` and `parse` turn what these return into `Problem`s.
"""

from __future__ import annotations

from typing import NamedTuple

NOTE_BYTES = 10 * 1024 * 1024
"""A note's size on disk: a larger note is not read at all (not even opened, where the size is known first)."""

FRONT_MATTER_CHARS = 256 * 1024
"""The front matter's text, between its `---` lines, in characters."""

LINE_CHARS = 64 * 1024
"""One line of a note, in characters (without its line ending)."""


class Limit(NamedTuple):
    """One row of the table in docs/format.md: what is measured, the most allowed, and in what unit."""

    what: str
    most: int
    unit: str


LIMITS = (
    Limit("a note's size on disk", NOTE_BYTES, "bytes"),
    Limit("its front matter", FRONT_MATTER_CHARS, "characters"),
    Limit("one line", LINE_CHARS, "characters"),
)


def _over(what: str, count: int, most: int, unit: str) -> str:
    """`the note is 22,000,029 bytes, over vaultnet's limit of 10,485,760 (10 MiB)`: exact counts, so that one
    past the limit does not read as the limit."""
    shown = f"{most // 1024 // 1024} MiB" if most % (1024 * 1024) == 0 else f"{most // 1024} Ki"
    return f"{what} {count:,} {unit}, over vaultnet's limit of {most:,} ({shown})"


def note_too_big(size: int) -> str | None:
    """The message for a note of `size` bytes past the limit, else None."""
    return None if size <= NOTE_BYTES else _over("the note is", size, NOTE_BYTES, "bytes") + ": not read"


def front_matter_too_big(fm_text: str) -> str | None:
    """The message for a front matter past the limit, else None."""
    if len(fm_text) <= FRONT_MATTER_CHARS:
        return None
    return _over("the front matter is", len(fm_text), FRONT_MATTER_CHARS, "characters long") + ": the note is not read"


def long_line(text: str) -> tuple[int, str] | None:
    """The first line of `text` (`\\n`-separated) past the limit: (its 1-based number in `text`, the message)."""
    if len(text) <= LINE_CHARS:
        return None  # the usual case, and free: no line can be longer than the whole text
    lengths = list(map(len, text.split("\n")))  # in C; a Python loop over a 10 MB note's lines costs more
    if max(lengths) <= LINE_CHARS:
        return None
    index = next(i for i, length in enumerate(lengths) if length > LINE_CHARS)
    return index + 1, _over("this line is", lengths[index], LINE_CHARS, "characters long") + ": the note is not read"
