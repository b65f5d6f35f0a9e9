"""vCard files at the line level: bytes -> cards -> content lines with decoded values (vCard 2.1, 3.0, 4.0).

This module owns the grammar every .vcf shares, so that `vcard` only maps what a card says:
- lines are unfolded as BYTES (a fold may split a UTF-8 character: Android does), CRLF, LF or a lone CR;
- vCard 2.1's quoted-printable soft line breaks (`=` at the end of a line) join the next line;
- parameters: quoted values (which may hold `:`, `;` and `,`), lists (`TYPE=a,b`), repeated ones
  (`type=a;type=b`), 2.1's bare ones (`TEL;WORK;FAX:` is TYPE, `QUOTED-PRINTABLE` is ENCODING), `CHARSET=`;
- groups (`item1.TEL`), and each value decoded on its own: quoted-printable, then its charset (UTF-8 unless a
  CHARSET says otherwise). A value that is not valid there costs a warning at its line, never the card.

Values stay as written otherwise (TEXT escapes such as `\\,` are the reader's to undo: what a comma means
depends on the property). Everything is linear in the input: `find` over bytes and strings, no backtracking
pattern, and no scan of the file from its top per card.
"""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from vaultnet.problems import Problem

BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})  # never decoded: a corrupt one must not lose the card
_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})  # vCard 2.1: `NOTE;BASE64:`
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t"
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_EXCERPT = 60  # characters of an unreadable line quoted in its warning
_NOT_READ = dict.fromkeys(map(ord, "\ufffd;,"))  # what is left of a value that was nothing but bad bytes
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls and DEL; tab, LF and CR are text
_CUT_SHORT = "this vCard cannot be read: it has no END:VCARD"


class Property(NamedTuple):
    """One content line of a card: `item1.TEL;TYPE=cell:+49 170 1234567` on line 12."""

    line: int  # 1-based, where the content line starts in the file
    group: str  # lower-case (`item1`), "" when none
    name: str  # upper-case (`TEL`)
    params: dict[str, list[str]]  # upper-case names; values as written, unquoted, lists split at `,`
    value: str  # decoded text, TEXT escapes left in; "" for a binary property (PHOTO, LOGO, SOUND, KEY)

    def param(self, name: str) -> list[str]:
        return self.params.get(name, [])


@dataclass
class Card:
    """A card's content lines between BEGIN:VCARD (on `line`) and END:VCARD, in the order written."""

    line: int
    properties: list[Property] = field(default_factory=list)


@dataclass
class Cards:
    """What a file holds: its cards, the problems found at the line level (`path:line`), and how many cards
    could not be read at all (each has an error in `problems`)."""

    cards: list[Card] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable: int = 0


class _Head(NamedTuple):
    group: str
    name: str
    params: dict[str, list[str]]


class _Raw(NamedTuple):
    """A logical line before its value is decoded; `head` None: it cannot be read (`value` is then the line)."""

    line: int
    head: _Head | None
    value: bytes


def _cuts(text: str, sep: str) -> Iterator[int]:
    """The positions of `sep` in `text` outside double quotes (a quote opens a parameter value: it starts the
    text or follows `=` or `,`; elsewhere it is a character). Each `find` starts after the last: linear."""
    at = 0
    cut, quote = text.find(sep), text.find('"')
    while cut >= 0:
        if quote < 0 or cut < quote:
            yield cut
            at = cut + 1
            cut = text.find(sep, at)
            continue
        at = quote + 1
        if quote == 0 or text[quote - 1] in "=,":
            close = text.find('"', at)
            if close < 0:
                return  # an unclosed quote: nothing after it is outside quotes
            at = close + 1
        quote = text.find('"', at)
        if cut < at:
            cut = text.find(sep, at)


def _cut(text: str, sep: str) -> list[str]:
    """`text` split at `sep` outside double quotes."""
    if '"' not in text:
        return text.split(sep)
    parts, start = [], 0
    for cut in _cuts(text, sep):
        parts.append(text[start:cut])
        start = cut + 1
    parts.append(text[start:])
    return parts


def _unquoted(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _head(data: bytes) -> _Head | None:
    """`item1.TEL;TYPE=cell,voice;PREF=1` -> group, name and parameters; None when the name is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # only a quoted parameter value can hold such a byte
    segments = _cut(text, ";")
    group, _, name = segments[0].rpartition(".")
    if not name or not _NAME_CHARS.issuperset(name):
        return None
    params: dict[str, list[str]] = {}
    for segment in segments[1:]:
        key, equals, value = segment.partition("=")
        key = key.strip().upper()
        if not equals:  # vCard 2.1's bare parameter: `TEL;WORK;FAX:`, `NOTE;QUOTED-PRINTABLE:`
            if key:
                params.setdefault("ENCODING" if key in _BARE_ENCODINGS else "TYPE", []).append(key)
            continue
        params.setdefault(key, []).extend(_unquoted(v.strip()) for v in _cut(value, ","))
    return _Head(group.lower(), name.upper(), params)


class _Logical:
    """A logical line being gathered from physical ones. Its head is read from its first physical line (a
    quoted-printable soft break must be known as the lines come); a head folded over lines is read at the end."""

    __slots__ = ("base64", "colon", "head", "line", "parts", "qp")

    def __init__(self, line: int, first: bytes) -> None:
        self.line = line
        self.parts = [first]
        self.colon = next(_cuts(first.decode("latin-1"), ":"), -1)  # latin-1: one character per byte, in C
        self.head = _head(first[: self.colon]) if self.colon >= 0 else None
        encodings = self.head.params.get("ENCODING", ()) if self.head else ()
        self.qp = any(e.upper() == "QUOTED-PRINTABLE" for e in encodings)
        # Only vCard 2.1 (which spells it BASE64) goes on with unindented base64 lines: 3.0's `ENCODING=b` folds
        # like any value, and taking its next unindented line for base64 would swallow a folded `END` or `BEGIN`
        # (all letters) and with it the next card, whose lines would then become this card's.
        self.base64 = (
            self.head is not None and self.head.name in BINARY and any(e.upper() == "BASE64" for e in encodings)
        )

    def soft_break(self) -> bool:
        """A quoted-printable value whose line ends in `=`: the next line continues it (vCard 2.1), unless that
        line ends the card (a stray `=` at a value's end must not swallow END:VCARD)."""
        last = self.parts[-1]
        return self.qp and last.endswith(b"=") and (len(self.parts) > 1 or len(last) - 1 > self.colon)

    def raw(self) -> _Raw:
        data = b"".join(self.parts)
        if self.colon < 0:  # no colon on the first line: the head may be folded
            self.colon = next(_cuts(data.decode("latin-1"), ":"), -1)
            if self.colon < 0:
                return _Raw(self.line, None, data)
            self.head = _head(data[: self.colon])
        if self.head is None:
            return _Raw(self.line, None, data)
        return _Raw(self.line, self.head, data[self.colon + 1 :])


def _logical_lines(data: bytes) -> Iterator[_Raw]:
    """The file's content lines, unfolded as bytes, each with the number of the line it starts on."""
    current: _Logical | None = None
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    for number, line in enumerate(lines, 1):
        if current is not None and current.soft_break() and line.strip().upper() != b"END:VCARD":
            current.parts[-1] = current.parts[-1][:-1]
            current.parts.append(line)  # taken whole: a leading blank is a character of the value
            continue
        if current is not None and line[:1] in (b" ", b"\t"):
            # A fold: the line break and this one blank are removed. A fold may leave only blanks on its line
            # (`Anna` CRLF two spaces CRLF ` Berg`): that is the value's blank, not a line that ends it.
            current.parts.append(line[1:])
        elif not line.strip():
            if current is not None:
                yield current.raw()
            current = None
        elif line[0] in (32, 9):  # a fold with nothing to continue: a line of its own
            current = _Logical(number, line[1:])
        elif current is not None and current.base64 and not line.translate(None, _BASE64):
            current.parts.append(line)  # vCard 2.1 base64 goes on, unindented, until a blank line
        else:
            if current is not None:
                yield current.raw()
            current = _Logical(number, line)
    if current is not None:
        yield current.raw()


def _text(raw: _Raw, head: _Head, path: str, problems: list[Problem]) -> str | None:
    """The value as text (see `_decoded`), without control characters (a tab and line breaks aside), which no
    note holds: a NUL from `=00` made the note an import writes a binary file, and the import stopped there."""
    if head.name in BINARY:
        return ""
    text = _decoded(raw, head, path, problems)
    if text is None or not _CONTROL.search(text):
        return text
    problems.append(Problem(path, raw.line, f"{head.name}: control characters were removed", "warning"))
    return _CONTROL.sub("", text)


def _decoded(raw: _Raw, head: _Head, path: str, problems: list[Problem]) -> str | None:
    """The value as text: quoted-printable decoded, then its charset. Not valid in it: without a CHARSET read as
    Windows-1252, with one the bad bytes replaced, each with a warning at the line; nothing but bad bytes: None."""
    data = raw.value
    if any(e.upper() == "QUOTED-PRINTABLE" for e in head.params.get("ENCODING", ())):
        data = binascii.a2b_qp(data)
    declared = next(iter(head.params.get("CHARSET", ())), "").strip()
    charset = "utf-8"
    if declared:
        try:
            charset = codecs.lookup(declared).name
        except LookupError:
            message = f"{head.name}: unknown CHARSET={declared}: read as UTF-8"
            problems.append(Problem(path, raw.line, message, "warning"))
            declared = ""
    try:
        return data.decode(charset)
    except UnicodeDecodeError:
        pass
    if declared:
        text = data.decode(charset, errors="replace")
        what = f"{head.name}: not valid {declared} (CHARSET={declared})"
        done = "the bytes that are not were replaced by \ufffd"
    else:
        text = data.decode("cp1252", errors="replace")
        what, done = f"{head.name}: not UTF-8", "read as Windows-1252 (Latin-1); check accented letters"
    if not text.translate(_NOT_READ).strip():
        problems.append(Problem(path, raw.line, f"{what}, and nothing else: the value was dropped", "warning"))
        return None
    problems.append(Problem(path, raw.line, f"{what}: {done}", "warning"))
    return text


def _excerpt(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "..."


def _utf8(data: bytes, path: str, problems: list[Problem]) -> bytes:
    """A UTF-16 file (with its BOM) as UTF-8 bytes; a UTF-8 BOM dropped."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(path, 1, "not valid UTF-16: the bytes that are not were replaced", "warning"))
            return data.decode("utf-16", errors="replace").encode("utf-8")
    return data.removeprefix(b"\xef\xbb\xbf")


def read_cards(data: bytes, path: str) -> Cards:
    """Every card of a .vcf file with its content lines. A card without END:VCARD (the file was cut off, or the
    next card begins first) is an error for that card only; a line that cannot be read is a warning; lines
    outside any card are ignored."""
    out = Cards()
    card: Card | None = None
    seen = False
    for raw in _logical_lines(_utf8(data, path, out.problems)):
        head = raw.head
        if head is not None and head.name in ("BEGIN", "END") and raw.value.strip().upper() == b"VCARD":
            if card is not None and head.name == "BEGIN":  # the card before has no END (2.1's AGENT aside)
                out.problems.append(Problem(path, card.line, _CUT_SHORT + ": a new card begins before it ends"))
                out.unreadable += 1
            elif card is not None:
                out.cards.append(card)
            card = Card(raw.line) if head.name == "BEGIN" else None
            seen = seen or card is not None
        elif card is None:
            continue  # outside the cards: not decoded, not reported
        elif head is None:
            message = f"this line cannot be read and was skipped: {_excerpt(raw.value)}"
            out.problems.append(Problem(path, raw.line, message, "warning"))
        elif (value := _text(raw, head, path, out.problems)) is not None:
            card.properties.append(Property(raw.line, head.group, head.name, head.params, value))
    if card is not None:
        out.problems.append(Problem(path, card.line, _CUT_SHORT + ": the file ends before it does"))
        out.unreadable += 1
    if not seen:
        out.problems.append(Problem(path, 1, "no vCard in this file (no BEGIN:VCARD)"))
    return out
