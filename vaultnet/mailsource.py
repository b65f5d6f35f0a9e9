"""Mail as issue 13 reads it: a Maildir's message files or an mbox file, headers only, to `Captured` records.

What this module owns: which files a Maildir holds (`mail_files`), whether a file is an mbox (`is_mbox`), one
message's header block to a record (`read_message`, `read_mail_file`), and an mbox read from a byte offset to its
end (`read_mbox`). A mail you sent (From is one of `me`) gives its To, Cc and Bcc; a mail sent to you gives its
From and is kept so that a reply of yours can name it (`replies_to` holds the hashed Message-IDs it answers).
Matching the addresses to contacts, caching and dating the interactions are the caller's (capture).

Bodies are never read: a message's header block ends at its first blank line, and only that block is parsed (a
Maildir file is read no further than it; an mbox is scanned for its `From ` lines in blocks, and only header
blocks are kept). Nothing here raises on what a file holds: a broken message is no record, a broken file a warning.
"""

from __future__ import annotations

import email.header
import os
import re
from collections.abc import Iterator
from datetime import date
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_tz
from pathlib import Path
from typing import BinaryIO

from vaultnet.model import Captured
from vaultnet.problems import Problem
from vaultnet.sources_common import hashed

HEAD_BYTES = 256 * 1024
"""A header block is parsed up to this many bytes: real ones are a few KiB (a long Received chain is 20), and the
cap keeps a hostile file (a "header" of a gigabyte, no blank line) from costing more than one message's worth."""

_BLOCK = 1024 * 1024  # an mbox is read in blocks of this size: memory stays flat for an mbox of gigabytes
_READ = 16 * 1024  # a Maildir file is read in steps of this size until its header block is whole
# compat32 keeps header values as the raw text (folds and encoded words as written) and parses nothing until asked:
# seven times faster than policy.default's header objects, and addresses are found in the raw text anyway (below).
_PARSER = HeaderParser(policy=compat32)
# The parser is handed only the header fields a record needs, each with its folded lines: a mail from a big
# provider has 60 to 100 header lines (Received, ARC, DKIM, List-...) and the parser's time goes by the line, so
# this makes such a mail three times cheaper. The names are matched as the parser takes them (no space before
# the colon); the unfolding, the repeated fields and the values are still the parser's.
_WANTED = re.compile(
    rb"^(?:from|to|cc|bcc|date|message-id|in-reply-to|references):[^\n]*\n?(?:[ \t][^\n]*\n?)*", re.I | re.M
)
_ANGLE_ID = re.compile(r"<[^<>\s]+>")
_MAIL_HEADERS = ("from", "to", "date", "message-id")  # a header block with none of these is no mail at all


def mail_files(path: Path) -> list[Path]:
    """The message files of the Maildir at `path` (as mbsync, offlineimap and notmuch keep one): the regular files
    in its `cur/` and `new/`, sorted; hidden files are skipped and so is `tmp/` (mail still being delivered).
    A Maildir++ subfolder (`.Sent`) is a Maildir of its own, a source the user names. Not a Maildir: [].

    `mailbox.Maildir` lists the same two folders, but gives paths only through its private table of contents;
    a listing by `os.scandir` is the same listing and costs one call per folder."""
    files: list[Path] = []
    for sub in ("cur", "new"):
        try:
            with os.scandir(path / sub) as entries:
                files.extend(Path(e.path) for e in entries if not e.name.startswith(".") and e.is_file())
        except OSError:  # no such folder, or not a folder: not (this half of) a Maildir
            continue
    return sorted(files)


def is_mbox(path: Path) -> bool:
    """True for a regular file that is empty (a new Thunderbird folder) or begins with a `From ` line."""
    try:
        if not path.is_file():  # checked first: opening a FIFO would block
            return False
        with path.open("rb") as file:
            return file.read(5) in (b"", b"From ")
    except OSError:
        return False


def read_message(data: bytes, me: frozenset[str]) -> Captured | None:
    """The record of one message (a Maildir file's bytes, or an mbox message without its `From ` line), read from
    its header block only; None when it is none: no readable Date, a mail to you without a Message-ID (no reply
    of yours can name it), a mail of yours to no one else that answers nothing, or no mail at all.

    `me`: your addresses, in any case. Never raises, whatever the bytes."""
    message = _parse_head(_head(data))
    return None if message is None else _captured(message, _lowered(me))


def read_mail_file(path: Path, me: frozenset[str]) -> tuple[Captured | None, list[Problem]]:
    """`read_message` of the file at `path` (a Maildir message), reading the file no further than its header
    block: a message with a 40 MB attachment costs what its headers do. A file that cannot be read, or that has no
    mail headers at all, is a warning naming the file."""
    try:
        with path.open("rb", buffering=0) as file:  # unbuffered: the steps are big enough, and 3 us a file less
            head = _read_head(file)
    except OSError as error:
        return None, [Problem(str(path), 0, f"cannot read this mail: {error.strerror or error}", "warning")]
    message = _parse_head(head)
    if message is None:
        return None, [Problem(str(path), 0, "not a mail message: no From, To, Date or Message-ID header", "warning")]
    return _captured(message, _lowered(me)), []


def _read_head(file: BinaryIO) -> bytes:
    """The header block of an open message file: read in steps until its first blank line, EOF or `HEAD_BYTES`."""
    data = b""
    while len(data) < HEAD_BYTES:
        more = file.read(_READ)
        if not more:
            break
        data += more
        if _blank_line(data, 0, len(data)) >= 0:  # from 0 again: a blank line may straddle two steps
            break
    return _head(data)


def _blank_line(data: bytes, start: int, end: int) -> int:
    """The index of the line end that precedes the first blank line in `data[start:end]` (LF or CRLF), or -1."""
    found = [i for i in (data.find(b"\n\n", start, end), data.find(b"\n\r\n", start, end)) if i >= 0]
    return min(found, default=-1)


def _head(data: bytes) -> bytes:
    """The header block of a message: up to its first blank line, or all of it (a message with no body), at most
    `HEAD_BYTES` (then up to the last whole line within them)."""
    if data.startswith((b"\n", b"\r\n")):  # the first line is blank: no headers at all
        return b""
    blank = _blank_line(data, 0, HEAD_BYTES)
    if blank >= 0:
        return data[: blank + 1]
    if len(data) > HEAD_BYTES:
        return data[: data.rfind(b"\n", 0, HEAD_BYTES) + 1]
    return data


def _parse_head(head: bytes) -> Message | None:
    """The fields of a header block that a record needs (From, To, Cc, Bcc, Date, Message-ID, In-Reply-To,
    References), or None when it is no mail at all (no From, To, Date or Message-ID).

    Header text is decoded first (UTF-8, as RFC 6532 allows; a stray byte of a legacy charset becomes U+FFFD):
    the bytes parser would keep such bytes as surrogates, which compat32 hands back as `Header` objects, not text.
    """
    wanted = b"".join(field if field.endswith(b"\n") else field + b"\n" for field in _WANTED.findall(head))
    if not wanted:
        return None
    try:
        message = _PARSER.parsestr(wanted.decode("utf-8", "replace"))
    except Exception:  # the parser is tolerant by design; this keeps "never raises" true of any future surprise
        return None
    return message if any(name in message for name in _MAIL_HEADERS) else None


def _lowered(me: frozenset[str]) -> frozenset[str]:
    return frozenset(address.strip().lower() for address in me)


def _captured(message: Message, mine: frozenset[str]) -> Captured | None:
    """The record a message's headers give (see `read_message`)."""
    day = _day(message.get("Date"))
    if day is None:
        return None
    senders = _addresses(message, "From")
    own_id = _first_id(message.get("Message-ID"))
    if not any(sender in mine for sender in senders):
        if not senders or own_id is None:
            return None
        return Captured(day, "email", (senders[0],), source=hashed(own_id), received=True)
    people = _addresses(message, "To", "Cc", "Bcc")
    others = tuple(address for address in people if address not in mine)
    replies_to = tuple(dict.fromkeys(hashed(i) for i in _ids(message, "In-Reply-To", "References")))
    if not others and not replies_to:
        return None
    date_text = " ".join(str(message.get("Date", "")).split())
    source = hashed(own_id) if own_id is not None else hashed(f"{date_text}|{','.join(others)}")
    return Captured(day, "email", others, source=source, replies_to=replies_to)


def _day(value: object) -> date | None:
    """The calendar day of a Date header in its own offset (`23:30 -0800` is that day, not the next day in UTC)."""
    if not isinstance(value, str):
        return None
    try:
        parts = parsedate_tz(value)
        return None if parts is None else date(parts[0], parts[1], parts[2])
    except (ValueError, TypeError, IndexError, OverflowError):  # `31 Feb`, year 0, and the parser's own slips
        return None


def _addresses(message: Message, *names: str) -> tuple[str, ...]:
    """The e-mail addresses in the named headers, lower-cased, each once, in order.

    The raw header is split into addresses before any encoded word is decoded: `=?UTF-8?B?RG9lLCBKYW5l?=` is
    `Doe, Jane`, and decoding it first would split one person in two at its comma. Only a header that yields no
    address at all is decoded and split again (a client that encoded the whole `Name <address>`)."""
    found: list[str] = []
    for name in names:
        for value in message.get_all(name) or ():
            text = str(value)
            addresses = _split(text)
            if not addresses and "=?" in text:
                addresses = _split(_decoded(text))
            found.extend(addresses)
    return tuple(dict.fromkeys(found))


def _split(text: str) -> list[str]:
    try:
        pairs = getaddresses([text])
    except Exception:  # getaddresses has raised on odd input in past Python releases; a header is no reason to stop
        return []
    return [address.strip().lower() for _, address in pairs if "@" in address]


def _decoded(text: str) -> str:
    """A header with its encoded words decoded (RFC 2047), or "" when they cannot be (an unknown charset...)."""
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except Exception:  # HeaderParseError, LookupError, UnicodeError, binascii errors: all mean "not decodable"
        return ""


def _message_ids(text: str) -> list[str]:
    """The message ids a header names: each `<...>` as written (case and brackets kept, as the Message-ID header
    of the mail they name writes them); a header without one is taken whole (whitespace collapsed), if not empty."""
    found = _ANGLE_ID.findall(text)
    if found:
        return found
    whole = " ".join(text.split())
    return [whole] if whole else []


def _first_id(value: object) -> str | None:
    ids = _message_ids(str(value)) if value is not None else []
    return ids[0] if ids else None


def _ids(message: Message, *names: str) -> Iterator[str]:
    for name in names:
        for value in message.get_all(name) or ():
            yield from _message_ids(str(value))


# -- mbox ---------------------------------------------------------------------------------------------------------
#
# An mbox is scanned by offsets rather than read with `mailbox.mbox`: that class first builds a table of every
# message in the whole file (a readline per line, bodies included) and cannot begin at an offset, so a growing
# mbox of gigabytes would be read whole on every new mail; and its messages are parsed whole, bodies too.
# The boundaries are `mailbox`'s: every line that begins with `From ` begins a message, and nothing else does.
# Writers escape such lines in bodies: mboxo (Thunderbird, Postfix, mutt) writes `>From `, mboxrd also adds a `>`
# to lines already starting `>From `; a reader of headers only needs no unescaping, so both read alike here.


def read_mbox(path: Path, me: frozenset[str], start: int = 0) -> tuple[list[Captured], int, list[Problem]]:
    """The records of the messages in the mbox at `path` from byte offset `start` (a message boundary: an offset
    this function returned) to its end, the offset after the last complete message, and warnings naming the file.

    A growing mbox is read from its last offset: only what was appended since. A file that shrank, or a `start`
    that is no message boundary (the file was rewritten), is read from 0: the records are then the whole file's.
    The last message counts once the blank line that every mbox writer puts after a message (mailbox, mutt,
    Postfix, procmail, Thunderbird) ends the file; until then it is being appended, and `end` is its start.
    A file that cannot be read gives a warning, no records, and `start` back."""
    where = str(path)
    try:
        if not path.is_file():  # a folder, or a FIFO that would block the read
            return [], start, [Problem(where, 0, "not an mbox: not a regular file", "warning")]
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            file.seek(max(0, size - 3))
            ends_blank = file.read(3).endswith((b"\n\n", b"\n\r\n"))
            start = _resume_at(file, start, size, ends_blank)
            file.seek(start)
            if start == 0 and file.read(5) not in (b"", b"From "):
                return [], 0, [Problem(where, 0, "not an mbox: it does not begin with a `From ` line", "warning")]
            if start == size:
                return [], start, []
            file.seek(start)
            return _read_from(_Blocks(file, start, size), where, _lowered(me), ends_blank)
    except OSError as error:
        return [], start, [Problem(where, 0, f"cannot read this mbox: {error.strerror or error}", "warning")]


def resumes_at(path: Path, start: int) -> bool:
    """Whether `read_mbox(path, me, start)` would read on from `start` (a message boundary still), rather than read
    the whole file again: a caller that keeps the records before `start` keeps them only then."""
    try:
        if start <= 0 or not path.is_file():
            return False
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            file.seek(max(0, size - 3))
            ends_blank = file.read(3).endswith((b"\n\n", b"\n\r\n"))
            return _resume_at(file, start, size, ends_blank) == start
    except OSError:
        return False


def _read_from(
    blocks: _Blocks, where: str, mine: frozenset[str], ends_blank: bool
) -> tuple[list[Captured], int, list[Problem]]:
    """`read_mbox` from `blocks.base`, a message boundary."""
    size, end, unreadable = blocks.size, blocks.base, 0
    records: list[Captured] = []
    problems: list[Problem] = []
    for head, following in _messages(blocks, blocks.base):
        if following < 0 and not ends_blank:
            problems.append(Problem(where, 0, _UNFINISHED.format(end), "warning"))
            break
        end = following if following >= 0 else size
        message = _parse_head(head)
        if message is None:
            unreadable += 1
        elif (record := _captured(message, mine)) is not None:
            records.append(record)
    if blocks.size < size:  # the file shrank while it was read (rewritten in place): nothing read can be trusted
        return [], 0, [Problem(where, 0, "the mbox changed while it was read: it is read again next time", "warning")]
    if unreadable:
        problems.append(Problem(where, 0, _UNREADABLE.format(unreadable), "warning"))
    return records, end, problems


_UNFINISHED = "the last message (at byte {}) has no blank line after it yet: it is read once it has"
_UNREADABLE = "{} message(s) with no From, To, Date or Message-ID header: skipped"


def _resume_at(file: BinaryIO, start: int, size: int, ends_blank: bool) -> int:
    """`start` if reading may resume there (the beginning of a `From ` line, or the end of a file whose last
    message is complete), else 0."""
    if start <= 0 or start > size:
        return 0
    if start == size:
        return start if ends_blank else 0
    file.seek(start - 1)
    return start if file.read(6) == b"\nFrom " else 0


class _Blocks:
    """An open mbox read forward in blocks from `base`, never past `size` (what is appended meanwhile waits for the
    next read). It holds the bytes from the message being read on; a body only while it is searched."""

    def __init__(self, file: BinaryIO, base: int, size: int) -> None:
        self.file = file
        self.base = base  # the file offset of data[0]
        self.size = size
        self.data = b""

    def cover(self, end: int, keep: int) -> int:
        """Hold the file's bytes up to `end` (or to `size`), letting those before `keep` go; return how far the
        held bytes reach."""
        end = min(end, self.size)
        if self.base + len(self.data) < end and keep > self.base:
            self.data = self.data[keep - self.base :]
            self.base = keep
        while self.base + len(self.data) < end:
            more = self.file.read(min(_BLOCK, self.size - self.base - len(self.data)))
            if not more:  # the file was cut while being read
                self.size = self.base + len(self.data)
                break
            self.data += more
        return self.base + len(self.data)

    def find(self, needle: bytes, start: int, end: int) -> int:
        """The offset of `needle` in the held bytes between `start` and `end`, or -1."""
        found = self.data.find(needle, start - self.base, end - self.base)
        return -1 if found < 0 else found + self.base

    def blank_line(self, start: int, end: int) -> int:
        found = _blank_line(self.data, start - self.base, end - self.base)
        return -1 if found < 0 else found + self.base

    def take(self, start: int, end: int) -> bytes:
        return self.data[start - self.base : end - self.base]

    def search(self, needle: bytes, start: int) -> int:
        """The offset of `needle` from `start` on, to the end of the file, reading on in blocks, or -1."""
        while True:
            reach = self.base + len(self.data)
            found = self.find(needle, start, reach)
            if found >= 0 or reach >= self.size:
                return found
            start = max(start, reach - len(needle) + 1)
            self.cover(reach + _BLOCK, keep=start)


def _messages(blocks: _Blocks, begin: int) -> Iterator[tuple[bytes, int]]:
    """Each message from `begin` (the start of a `From ` line) on: its header block, and the offset of the next
    message (-1: it is the last one, running to the end of the file)."""
    while begin >= 0:
        head, begin = _message_at(blocks, begin)
        yield head, begin


def _message_at(blocks: _Blocks, begin: int) -> tuple[bytes, int]:
    """The header block of the message at `begin`, and the offset of the next message or -1."""
    window = min(blocks.cover(begin + HEAD_BYTES, keep=begin), begin + HEAD_BYTES)
    line_end = blocks.find(b"\n", begin, window)  # the end of the `From ` line
    if line_end < 0:  # a `From ` line unfinished at the end of the file, or a hostile one past HEAD_BYTES
        return b"", _after(blocks.search(b"\nFrom ", begin))
    following = blocks.find(b"\nFrom ", line_end, window)  # the next message, when it begins within the window
    limit = following + 1 if following >= 0 else window
    blank = blocks.blank_line(line_end, limit)
    head = blocks.take(line_end + 1, blank + 1 if blank >= 0 else limit)
    if following >= 0:
        return head, following + 1
    if blank < 0 and window < blocks.size:  # a header block cut at HEAD_BYTES: whole lines only
        head = head[: head.rfind(b"\n") + 1]
    if window >= blocks.size:
        return head, -1
    # the body runs past the window: search on, from just before its end (a `\nFrom ` may straddle it)
    return head, _after(blocks.search(b"\nFrom ", max(line_end, window - 5)))


def _after(newline: int) -> int:
    """The offset of the `From ` line whose preceding line end is at `newline`, or -1 for none."""
    return newline + 1 if newline >= 0 else -1
