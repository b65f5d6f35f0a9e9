"""Content lines of iCalendar (RFC 5545) and vCard (RFC 6350): TEXT escaping and folding.

Both formats share this grammar; the calendar writer (`render.ics`) and the vCard writer (`vcard`) use
these two functions, so a fix here reaches both.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape(text: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11); control characters, which no client accepts, are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character or a backslash escape."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[bytes] = []
    start, limit = 0, 75  # continuation lines carry a leading space: 74 octets of content
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            cut -= 1
        slashes = 0
        while cut - slashes - 1 >= start and data[cut - slashes - 1] == 0x5C:
            slashes += 1
        if slashes % 2:  # the line would end inside an escape such as `\n`: keep it together
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, 74
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()
