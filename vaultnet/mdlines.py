"""The Markdown line grammar of a note, defined once: the front matter's fences, fenced code, headings, the
Log heading, log items, tasks and list markers.

The parser (`vaultnet.parse`) reads a note with it and the editor (`vaultnet.edit`) writes into one with it;
both must agree on which line is what, or `vaultnet log` adds an entry that the parser then does not read,
or `vaultnet done` ticks a line the parser never reported as a task.

A line here is one line of the note without its line ending, except where a function says otherwise. The
patterns are only matched at the start of a line (`re.match`), and each runs in time linear in the line,
however hostile: no two repetitions that can match the same text stand next to each other unless the first is
possessive (`*+`, `++`), and headings are read with string methods.
"""

from __future__ import annotations

import re
from typing import NamedTuple

FRONT_MATTER_OPEN = "---"
FRONT_MATTER_CLOSE = ("---", "...")
"""Front matter: the note's first line is `---`, and it ends at the next `---` or `...` line (each compared
after `str.rstrip()`, so blanks after them are allowed; `----` or `--- title` is no fence)."""

_FENCE = re.compile(r"\s*+(```|~~~)")

# A bullet list marker (`-`, `*`, `+` and a blank) and a task's checkbox (`[ ]`, `[x]`, any one character).
_BULLET = r"[-*+]\s++"
_CHECKBOX = r"\[.\]\s++"

LIST_MARK = re.compile(r"\s*+(?:" + _BULLET + "(?:" + _CHECKBOX + r")?|\d++[.)]\s++)")
"""What starts a list item: a bullet (with a task's checkbox, if any) or a number (`1.`, `2)`)."""

# A dated list item: a bullet (in a task or not), then the date, bold or linked.
_DATED_ITEM = r"\s*+" + _BULLET + "(?:" + _CHECKBOX + r")?(?:\*\*|\[\[)?(?P<day>\d{4}-\d{2}-\d{2})"
_DATED = re.compile(_DATED_ITEM)

LOG_ENTRY = re.compile(_DATED_ITEM + r"(?:\*\*|\]\])?(?=\s|:|$)\s*+[:\-–—]?\s*+(?P<text>.*)")
"""A log entry (`- 2026-11-21 coffee: about her team`): a dated item whose date ends there (a blank, a `:` or
the end of the line), then an optional `:` or dash. `day` is the date as written (whether it is a real day is
the caller's to check), `text` the rest of the line."""

TASK = re.compile(r"(?P<open>\s*+" + _BULLET + r"\[)(?P<mark>.)(?P<close>\]\s++(?P<text>.*))", re.DOTALL)
"""A Markdown task `- [ ] text`: `open` up to the checkbox's `[`, `mark` the one character in it, `close` the
rest (`] text`, and the line ending when the line has one: DOTALL, so that the editor can match a whole line)."""

OPEN_MARK = " "
DONE_MARKS = frozenset({"x", "X", "-"})  # done, or cancelled (Obsidian Tasks)

# A task's due date: Obsidian Tasks' `📅 2026-11-20`, or `(due: 2026-11-20)`. Found with `task_due`.
_DUE = re.compile(r"📅\s*+(\S+)|\(due:?\s*([^)\s]++)\s*+\)", re.IGNORECASE)
_DUE_START = re.compile(r"📅|\(due", re.IGNORECASE)
_RUN = re.compile(r"[^)\s]*+")


def task_due(text: str) -> re.Match[str] | None:
    """The first due date mark in a task's text (group 1 or 2: the date as written), as `_DUE.search` finds it,
    but in time linear in the text.

    `_DUE.search` alone is quadratic on `(due:x(due:x(due:x...`: from each `(due` it reads the run of text up to
    the next `)` or blank before it fails. Every `(due` that starts inside a run that failed (4 characters or more
    before its end) reads the same run to the same end and fails there too, so it is skipped.
    """
    dead = -1  # a `(due` starting before this fails as the last one tried did
    for start in _DUE_START.finditer(text):
        at = start.start()
        if at < dead and start.group() != "📅":
            continue
        m = _DUE.match(text, at)
        if m is not None:
            return m
        if start.group() != "📅":
            dead = _RUN.match(text, at).end() - 4  # type: ignore[union-attr]  # `*+` always matches
    return None


CANDIDATE = re.compile(r"^[^\S\n]*+([-*+](?=[^\S\n])|#{1,6}(?=[^\S\n])|```|~~~).*$", re.MULTILINE)
"""In a whole text (MULTILINE): a line that may be a bullet item (a task, a log entry), a heading or a fence, by
how it starts after its blanks (group 1: a bullet and a blank, 1 to 6 `#` and a blank, or a fence). The other
lines cannot be any of them: the parser lets the regex engine skip them rather than a Python loop over every
line, which matters for a note of many lines that start alike (`#tag`, `-`, a `` `code` `` line)."""


class Heading(NamedTuple):
    """An ATX heading: `## Title ##` is level 2, title `Title`."""

    level: int
    title: str

    @property
    def is_log(self) -> bool:
        """The contact's history heading: `Log` in any case, with or without a colon (`## Log`, `# log:`)."""
        return self.title.strip().rstrip(":").casefold() == "log"


def heading(line: str) -> Heading | None:
    r"""The heading `line` is (`#` in its first column, 1 to 6 of them, then a blank), else None; the title is
    the rest without the blanks around it and without a closing run of `#` (`## Title ##`).

    String methods, not a regex: `(#{1,6})\s+(.*?)\s*#*\s*$` says the same, but tries every split of a run of
    blanks between the title and the end, and took minutes on `## x`, 4,000 blanks and `y`."""
    rest = line.lstrip("#")
    level = len(line) - len(rest)
    if not 1 <= level <= 6 or not rest[:1].isspace():  # str.isspace is what `\s` matches
        return None
    title = rest.strip().rstrip("#").rstrip()  # no blanks around it (nor a line ending), no closing `#`s
    if "\n" in title:
        return None  # no line of a note: `.` would not have matched the line break
    return Heading(level, title)


class CodeFences:
    """Fenced code blocks, followed line by line from the top of the body: what is inside one is code, with
    no headings, tasks or log entries. A ``` fence is closed only by ```, a ~~~ fence only by ~~~.

    Feed `is_code` the lines in order. While no fence is open, a line whose first non-blank character is not
    ` or ~ cannot be a fence and may be left out.
    """

    __slots__ = ("open",)

    def __init__(self) -> None:
        self.open: str | None = None  # the open fence (``` or ~~~), None outside code

    def is_code(self, line: str) -> bool:
        """Whether `line` is code: a fence (which opens or closes a block) or a line inside a block."""
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)
            self.open = None if self.open == fence else (self.open or fence)
            return True
        return self.open is not None


def log_item_day(line: str) -> str | None:
    """The date (as written) a dated list item starts with, else None; `line` may keep its line ending.

    The editor orders the log by these. Every log entry is a dated item with the same day, but a date that runs
    on into other text (`- 2026-01-011`) is a dated item and no entry: it orders the log, the parser skips it.
    """
    m = _DATED.match(line)
    return m["day"] if m else None


IMPORT_NOTES = "Notes from import"
"""The heading of the section where an import keeps a card's free text, each text as one `> ` quote: no line of
it can be a task, a log entry, a heading or a fence (the parser skips every line that starts with `>`)."""


def quoted(text: str) -> list[str]:
    """`text` as the lines of one Markdown quote: `> line`, and `>` for a blank line (which keeps it one quote)."""
    return [f"> {line.rstrip()}" if line.strip() else ">" for line in text.strip().splitlines()]


def quotes_under(body: str, title: str) -> tuple[str, ...]:
    """The text of each quote (a run of `>` lines, as `quoted` writes them) in the section headed `title` (any
    level, any case) of a note's body, outside code; () when there is no such section."""
    code = CodeFences()
    level = 0  # the section's heading level once found
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in body.splitlines():
        if code.is_code(line):
            current = None
            continue
        h = heading(line)
        if h is not None:
            if level and h.level <= level:
                break
            if not level and h.title.casefold() == title.casefold():
                level = h.level
            current = None
            continue
        if level and line.startswith(">"):
            if current is None:
                current = []
                blocks.append(current)
            current.append(line[2:] if line.startswith("> ") else line[1:])
        else:
            current = None
    return tuple(text for block in blocks if (text := "\n".join(block).strip()))
