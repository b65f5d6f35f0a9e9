"""The Markdown line grammar of a note, defined once: the front matter's fences, fenced code, headings, the
Log heading, log items, tasks and list markers.

The parser (`vaultnet.parse`) reads a note with it and the editor (`vaultnet.edit`) writes into one with it;
both must agree on which line is what, or `vaultnet log` adds an entry that the parser then does not read,
or `vaultnet done` ticks a line the parser never reported as a task.

A line here is one line of the note without its line ending, except where a function says otherwise. The
patterns are only matched at the start of a line (`re.match`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

FRONT_MATTER_OPEN = "---"
FRONT_MATTER_CLOSE = ("---", "...")
"""Front matter: the note's first line is `---`, and it ends at the next `---` or `...` line (each compared
after `str.rstrip()`, so blanks after them are allowed; `----` or `--- title` is no fence)."""

_FENCE = re.compile(r"\s*(```|~~~)")
_HEADING = re.compile(r"(#{1,6})\s+(.*?)\s*#*\s*$")

# A bullet list marker (`-`, `*`, `+` and a blank) and a task's checkbox (`[ ]`, `[x]`, any one character).
_BULLET = r"[-*+]\s+"
_CHECKBOX = r"\[.\]\s+"

LIST_MARK = re.compile(r"\s*(?:" + _BULLET + "(?:" + _CHECKBOX + r")?|\d+[.)]\s+)")
"""What starts a list item: a bullet (with a task's checkbox, if any) or a number (`1.`, `2)`)."""

# A dated list item: a bullet (in a task or not), then the date, bold or linked.
_DATED_ITEM = r"\s*" + _BULLET + "(?:" + _CHECKBOX + r")?(?:\*\*|\[\[)?(?P<day>\d{4}-\d{2}-\d{2})"
_DATED = re.compile(_DATED_ITEM)

LOG_ENTRY = re.compile(_DATED_ITEM + r"(?:\*\*|\]\])?(?=\s|:|$)\s*[:\-–—]?\s*(?P<text>.*)")
"""A log entry (`- 2026-11-21 coffee: about her team`): a dated item whose date ends there (a blank, a `:` or
the end of the line), then an optional `:` or dash. `day` is the date as written (whether it is a real day is
the caller's to check), `text` the rest of the line."""

TASK = re.compile(r"(?P<open>\s*" + _BULLET + r"\[)(?P<mark>.)(?P<close>\]\s+(?P<text>.*))", re.DOTALL)
"""A Markdown task `- [ ] text`: `open` up to the checkbox's `[`, `mark` the one character in it, `close` the
rest (`] text`, and the line ending when the line has one: DOTALL, so that the editor can match a whole line)."""

OPEN_MARK = " "
DONE_MARKS = frozenset({"x", "X", "-"})  # done, or cancelled (Obsidian Tasks)

CANDIDATE = re.compile(r"^[^\S\n]*([-*+#`~]).*$", re.MULTILINE)
"""In a whole text (MULTILINE): a line that may be a bullet item (a task, a log entry), a heading or a fence, by
its first non-blank character (group 1). The other lines cannot be any of them: the parser lets the regex engine
skip them rather than a Python loop over every line."""


class Heading(NamedTuple):
    """An ATX heading: `## Title ##` is level 2, title `Title`."""

    level: int
    title: str

    @property
    def is_log(self) -> bool:
        """The contact's history heading: `Log` in any case, with or without a colon (`## Log`, `# log:`)."""
        return self.title.strip().rstrip(":").casefold() == "log"


def heading(line: str) -> Heading | None:
    """The heading `line` is (`#` in its first column, 1 to 6 of them, then a blank), else None."""
    m = _HEADING.match(line)
    return Heading(len(m.group(1)), m.group(2)) if m else None


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
