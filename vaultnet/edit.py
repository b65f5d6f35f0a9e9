"""Format-preserving edits of a note's text: only the lines that must change, change.

Every function takes the note's text as it is on disk (decoded, BOM and line endings kept) and returns
the new text. Lines are handled with their own endings, so a CRLF note stays CRLF, a note without a
final newline stays so, and comments, key order, quoting, flow or block lists and blank lines are left
byte for byte. Nothing here re-dumps YAML: a property is changed by replacing its one line, or added as
one new line at the end of the front matter. Pure: no I/O.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from vaultnet.mdlines import FRONT_MATTER_CLOSE, FRONT_MATTER_OPEN, OPEN_MARK, TASK, CodeFences, heading, log_item_day
from vaultnet.problems import UserError

# A top-level `key:` (the key up to the first colon, without the blanks before it; or quoted). The unquoted key
# is a run that ends in a non-blank, each blank run possessive, not a lazy `[^:]*?\s*:`, which tried every split of
# a long run of blanks before the colon (quadratic).
_KEY_LINE = re.compile(r"(?P<key>[^\s:#](?:\s*+[^\s:])*+|\"[^\"]*\"|'[^']*')\s*+:(?:\s|$)")
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 _./@+()'&,-]*")
_NUMBER = re.compile(r"[-+]?[\d._]+(e[-+]?\d+)?|0x[0-9a-f]+|0o?[0-7]+", re.IGNORECASE)
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}
# In a double-quoted scalar: `\` and `"`, the line breaks YAML would fold, and what YAML does not allow raw.
_MUST_ESCAPE = re.compile(r'[\\"\t\r\n\x85\u2028\u2029]|[^\t\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _escape(m: re.Match[str]) -> str:
    char = m.group()
    return _ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


_LINE = re.compile(r"[^\r\n]*+(?:\r\n|\r|\n)|[^\r\n]++\Z")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split only at CRLF, CR and LF (as the parser counts them; str.splitlines
    would also split at form feeds and Unicode separators)."""
    return _LINE.findall(text)


@dataclass
class Lines:
    """A note as a list of lines, each with its own ending, plus what surrounds them."""

    bom: str
    lines: list[str]

    @classmethod
    def of(cls, text: str) -> Lines:
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        return cls(bom, split_lines(text[len(bom) :]))

    def text(self) -> str:
        return self.bom + "".join(self.lines)

    @property
    def newline(self) -> str:
        """The note's line ending (CRLF if its first line ending is), for the lines we add."""
        for line in self.lines:
            if line.endswith("\r\n"):
                return "\r\n"
            if line.endswith(("\n", "\r")):
                return line[-1]
        return "\n"

    def front_matter(self) -> tuple[int, int] | None:
        """(index of the opening ---, index of the closing ---) or None when the note has none."""
        if not self.lines or self.lines[0].rstrip() != FRONT_MATTER_OPEN:
            return None
        for index in range(1, len(self.lines)):
            if self.lines[index].rstrip() in FRONT_MATTER_CLOSE:
                return 0, index
        raise UserError("the note's front matter is not closed (no second ---): fix it by hand first")

    def ensure_final_newline(self) -> None:
        """Before appending lines: the last line must end (the note's final newline, if missing, is added)."""
        if self.lines and not self.lines[-1].endswith(("\n", "\r")):
            self.lines[-1] += self.newline


def yaml_scalar(value: str) -> str:
    """A value as YAML that reads back as this exact text (quoted only when it must be)."""
    plain = _PLAIN_SAFE.fullmatch(value) and value.strip() == value and value.lower() not in _YAML_WORDS
    if plain and not _NUMBER.fullmatch(value):
        return value
    return '"' + _MUST_ESCAPE.sub(_escape, value) + '"'


def yaml_item(value: str) -> str:
    """A value as YAML inside a flow list or mapping (`[a, b]`, `{family: a}`): as `yaml_scalar`, and quoted
    too when it holds a `,`, a bracket or a brace, which would end or open a flow item there."""
    written = yaml_scalar(value)
    if written[:1] != '"' and any(char in value for char in ",[]{}"):
        return '"' + _MUST_ESCAPE.sub(_escape, value) + '"'
    return written


def _key_of(line: str) -> str | None:
    m = _KEY_LINE.match(line)
    if m is None or line[:1].isspace():
        return None
    return m.group("key").strip("\"'").strip()


def set_property(text: str, key: str, value: str, before: Collection[str] = ()) -> str:
    """Set the top-level property `key` to the YAML `value` (already formatted): its line is replaced,
    keeping the key as written and any comment after the value; a missing key is added at the end of the
    front matter, or above the first of the keys `before` (lower case) the note has; a note without front matter
    gets one. A key whose value spans several lines (a block list) has those lines replaced too."""
    note = Lines.of(text)
    bounds = note.front_matter()
    nl = note.newline
    if bounds is None:
        note.lines[0:0] = ["---" + nl, f"{key}: {value}{nl}", "---" + nl]
        return note.text()
    start, end = bounds
    index = _key_line(note, start, end, key)
    if index is not None:
        line = note.lines[index]
        ending = line[len(line.rstrip("\r\n")) :]
        written_key = line[: line.index(":")]
        comment = _trailing_comment(line.rstrip("\r\n"))
        note.lines[index : _value_end(note, index, end)] = [f"{written_key}: {value}{comment}{ending}"]
        return note.text()
    at = next((i for i in range(start + 1, end) if (k := _key_of(note.lines[i])) and k.lower() in before), end)
    note.lines.insert(at, f"{key}: {value}{nl}")
    return note.text()


def _key_line(note: Lines, start: int, end: int, key: str) -> int | None:
    """The index of the line of the top-level property `key` (any case) between the front matter's fences."""
    for index in range(start + 1, end):
        found = _key_of(note.lines[index])
        if found is not None and found.lower() == key.lower():
            return index
    return None


def _value_end(note: Lines, index: int, end: int) -> int:
    """The index after the last line of the value of the property on line `index`: its indented or `- ` lines,
    and the blank or comment lines between them (not those after the last one)."""
    stop = probe = index + 1
    while probe < end:
        rest = note.lines[probe]
        if not rest.strip() or rest.lstrip().startswith("#"):
            probe += 1  # a blank or comment line: part of the value only if the value goes on after it
        elif rest[:1] in (" ", "\t", "-") and _key_of(rest) is None:
            probe = stop = probe + 1
        else:
            break
    return stop


def _trailing_comment(line: str) -> str:
    """A ` # comment` after a plain value (not inside quotes), kept when the value changes."""
    value = line.split(":", 1)[1]
    quote: str | None = None
    blank = True  # nothing but blanks so far: a quote here opens a quoted value (a flag, not value[:index].strip())
    for index, char in enumerate(value):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and blank:
            quote = char
        elif char == "#" and index > 0 and value[index - 1] in " \t":
            return " " + value[index:].rstrip()
        blank = blank and char.isspace()
    return ""


def _log_section(note: Lines) -> tuple[int, int, int] | None:
    """(heading index, first line after the heading, end of the section) of the first `Log` heading."""
    bounds = note.front_matter()
    begin = bounds[1] + 1 if bounds else 0
    code = CodeFences()
    start = level = -1
    for index in range(begin, len(note.lines)):
        line = note.lines[index].rstrip("\r\n")
        if code.is_code(line):
            continue
        h = heading(line)
        if h is None:
            continue
        if start >= 0 and h.level <= level:
            return start, start + 1, index
        if start < 0 and h.is_log:
            start, level = index, h.level
    return (start, start + 1, len(note.lines)) if start >= 0 else None


def _ends_in_code(note: Lines) -> bool:
    """Whether the note's last line is inside a fenced code block that is never closed."""
    bounds = note.front_matter()
    code = CodeFences()
    for line in note.lines[bounds[1] + 1 if bounds else 0 :]:
        code.is_code(line.rstrip("\r\n"))
    return code.open is not None


def add_log_entry(text: str, entry: str) -> str:
    """Add `entry` (one line, without its ending) under the `Log` heading.

    The log keeps its order: newest first if it is written so, else newest last. Without a Log heading,
    `## Log` is added at the end of the note. A note without a final newline still has none after.
    """
    result = _add_log_entry(text, entry)
    if text and not text.endswith(("\n", "\r")):
        for ending in ("\r\n", "\n", "\r"):
            if result.endswith(ending):
                return result[: -len(ending)]
    return result


def _add_log_entry(text: str, entry: str) -> str:
    note = Lines.of(text)
    nl = note.newline
    section = _log_section(note)
    if section is None:
        if _ends_in_code(note):
            # `## Log` appended there would be code, and the entry with it: nothing would ever read it.
            raise UserError("the note ends inside a code block that is never closed (``` or ~~~): close it first")
        note.ensure_final_newline()
        tail = note.lines[-1].strip() if note.lines else ""
        note.lines += ([nl] if note.lines and tail else []) + ["## Log" + nl, nl, entry + nl]
        return note.text()
    _heading, first, end = section
    code = CodeFences()  # the section starts outside code: its heading was found there
    dated = [
        (i, day)
        for i in range(first, end)
        if not code.is_code(note.lines[i].rstrip("\r\n")) and (day := log_item_day(note.lines[i])) is not None
    ]
    items = [i for i, _day in dated]
    if not items:
        at = first
        while at < end and not note.lines[at].strip():
            at += 1  # after the blank lines below the heading
        if at == first:
            note.lines.insert(at, nl)
            at += 1
        if at == len(note.lines):
            note.ensure_final_newline()
        note.lines.insert(at, entry + nl)
        return note.text()
    days = [day for _i, day in dated]
    newest_first = len(days) > 1 and days[0] > days[-1]
    if newest_first:
        note.lines.insert(items[0], entry + nl)
    else:
        last = items[-1]
        while last + 1 < end and note.lines[last + 1][:1] in (" ", "\t") and note.lines[last + 1].strip():
            last += 1  # the entry's indented details (sub-items, wrapped text) stay with it
        if last == len(note.lines) - 1:
            note.ensure_final_newline()
        note.lines.insert(last + 1, entry + nl)
    return note.text()


def log_line(day: date, text: str, kind: str | None = None, gave: bool = False, got: bool = False) -> str:
    """`- 2026-11-21 coffee: talked about her new team #gave`."""
    what = " ".join(text.split())
    line = f"- {day.isoformat()} {kind}: {what}" if kind else f"- {day.isoformat()} {what}"
    if gave and "#gave" not in what:
        line += " #gave"
    if got and "#got" not in what:
        line += " #got"
    return line


def tick_task(text: str, line_number: int) -> str:
    """Tick the open task `- [ ] ...` on `line_number` (1-based, as the parser reports it)."""
    note = Lines.of(text)
    index = line_number - 1
    if not 0 <= index < len(note.lines):
        raise UserError(f"line {line_number} is not in the note")
    m = TASK.fullmatch(note.lines[index])  # the whole line, with its ending
    if m is None or m["mark"] != OPEN_MARK:
        raise UserError(f"line {line_number} is not an open task")
    note.lines[index] = f"{m['open']}x{m['close']}"
    return note.text()


def changed_lines(before: str, after: str) -> list[int]:
    """The 1-based numbers of the lines of `before` that an edit replaced or removed (for tests and --dry-run)."""
    a, b = split_lines(before), split_lines(after)
    # The common start and end first: SequenceMatcher is not a minimal diff, and among repeated lines (blank
    # lines, say) it would align one edited line as a block of removed and inserted ones.
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    out: list[int] = []
    matcher = difflib.SequenceMatcher(a=a[start : len(a) - end], b=b[start : len(b) - end], autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            out.extend(range(start + i1 + 1, start + i2 + 1))
    return out


def add_to_list(text: str, key: str, present: list[str], new: list[str], before: Collection[str] = ()) -> str:
    """Add the values `new` (as text; quoted here as YAML needs) to the list property `key`, which holds
    `present`. A block list (`key:` then `- item` lines) gets one `- value` line for each, after its last item and
    indented as its first: no other line changes. Anything else (a flow list, one value, an empty value, no such
    key) becomes the flow list of `present` and `new` through `set_property` (a single value stays a scalar;
    a new key goes above the first of `before`, as there)."""
    if not new:
        return text
    note = Lines.of(text)
    bounds = note.front_matter()
    index = None if bounds is None else _key_line(note, *bounds, key)
    if bounds is not None and index is not None:
        stop = _value_end(note, index, bounds[1])
        items = [line for line in note.lines[index + 1 : stop] if line.lstrip().startswith("- ")]
        rest = note.lines[index].rstrip("\r\n").split(":", 1)[1].strip()
        if items and (not rest or rest.startswith("#")):  # `key:` (perhaps a comment), then `- item` lines
            indent = items[0][: len(items[0]) - len(items[0].lstrip())]
            note.lines[stop:stop] = [f"{indent}- {yaml_scalar(value)}{note.newline}" for value in new]
            return note.text()
    values = [*present, *new]
    written = yaml_scalar(values[0]) if len(values) == 1 else "[" + ", ".join(yaml_item(v) for v in values) + "]"
    return set_property(text, key, written, before)


def property_keys(text: str) -> list[str]:
    """The top-level keys of the note's front matter, as written (none without front matter)."""
    note = Lines.of(text)
    bounds = note.front_matter()
    if bounds is None:
        return []
    return [key for line in note.lines[bounds[0] + 1 : bounds[1]] if (key := _key_of(line)) is not None]


def add_to_section(text: str, title: str, block: list[str]) -> str:
    """Add the lines `block` (without endings) at the end of the section headed `title` (any level, any case),
    after a blank line; without such a section, `## title` is added at the end of the note first. A note that
    already holds `block` (line for line) is returned as it is, so that adding twice adds once."""
    normalized = "\n" + text.replace("\r\n", "\n").replace("\r", "\n") + "\n"
    if "\n" + "\n".join(block) + "\n" in normalized:  # whole lines: `> Call her` is not in `> Call her back`
        return text
    note = Lines.of(text)
    nl = note.newline
    bounds = note.front_matter()
    code = CodeFences()
    start, end, level = -1, len(note.lines), 0
    for index in range((bounds[1] + 1) if bounds else 0, len(note.lines)):
        line = note.lines[index].rstrip("\r\n")
        if code.is_code(line) or (h := heading(line)) is None:
            continue
        if start >= 0 and h.level <= level:
            end = index
            break
        if start < 0 and h.title.casefold() == title.casefold():
            start, level = index, h.level
    added = [line + nl for line in block]
    if start < 0:
        note.ensure_final_newline()
        tail = note.lines[-1].strip() if note.lines else ""
        note.lines += ([nl] if note.lines and tail else []) + [f"## {title}{nl}", nl, *added]
        return note.text()
    at = end
    while at - 1 > start and not note.lines[at - 1].strip():
        at -= 1  # after the section's last text, before the blank lines that end it
    if at == len(note.lines):
        note.ensure_final_newline()
    note.lines[at:at] = [nl, *added, *([nl] if at == end < len(note.lines) else [])]  # a blank before the next heading
    return note.text()
