"""Problems found in user data, carried as data, and the one exception type for user errors."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# What a terminal (or a log viewer) would act on instead of showing: C0 and C1 control characters (ESC starts
# an escape sequence; CR and LF could forge a line), DEL, the bidirectional overrides and isolates (they
# reorder what is shown: "Trojan source"), the line and paragraph separators, and the lone surrogates
# that stand for the bytes of a file name that is not UTF-8.
_OTHERS = r"\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_LINE = re.compile(rf"[\x00-\x1f{_OTHERS}]")
_UNSAFE_TEXT = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHERS}]|\r(?!\n)")  # keeps tabs, LF and CRLF
# The same, looked for in two steps: one character class is searched twice as fast as the alternation, which
# counts on texts of megabytes (`due --json` at 10,000 contacts is 4 MB).
_UNSAFE_CHAR = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHERS}]")
_LONE_CR = re.compile(r"\r(?!\n)")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code < 0x7F:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: str, *, lines: bool = False) -> str:
    """`text` with what a terminal would act on shown escaped (`\\x1b`, `\\n`, `\\u202e`; a byte of a
    file name that is not UTF-8 as `\\xff`), so that it can neither colour nor move nor forge what is
    printed. `lines`: keep line ends and tabs (text of several lines); else the text stays one line."""
    if not lines:
        return _UNSAFE_LINE.sub(_escaped, text) if _UNSAFE_LINE.search(text) else text
    unsafe = _UNSAFE_CHAR.search(text) or ("\r" in text and _LONE_CR.search(text))
    return _UNSAFE_TEXT.sub(_escaped, text) if unsafe else text


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in a note or a setting, located as `path:line`.

    `path` is relative to the vault and `/`-separated (a `[sources]` file: absolute); `line` is 1-based (0 = the
    file as a whole, shown as line 1 so that editors and CI logs can still jump to it).
    An error makes vaultnet skip the note; a warning is only reported.
    """

    path: str
    line: int
    message: str
    severity: Severity = "error"

    def format(self, prefix: str = "") -> str:
        """Render as `path:line: message` (the form editors and CI logs can jump to), on one line: control
        characters in the path or the message are shown escaped (`printable`), so that a file name cannot
        forge a line of its own or send the terminal an escape sequence."""
        # A source's file (`[sources]`) may be outside the vault: its absolute path is shown as it is.
        where = printable(f"{'' if os.path.isabs(self.path) else prefix}{self.path}:{max(self.line, 1)}")
        label = "warning: " if self.severity == "warning" else ""
        return f"{where}: {label}{printable(self.message)}"


class UserError(Exception):
    """An error the user can fix (a bad argument, an unusable vault), with the problems behind it.

    The command line exits with `exit_code`.
    """

    exit_code = 2

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)


class ParamError(UserError):
    """A user error about the value of one parameter, named as the library calls it (`kind`, `circle`).

    `reason` says what is wrong with the value, in words that fit any caller, and `message` prefixes it
    with the parameter (`kind: ...`); the command line turns `param` into the option the user typed
    (`Invalid value for '--kind': ...`).
    """

    def __init__(self, reason: str, param: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(f"{param}: {reason}", problems)
        self.reason = reason
        self.param = param


class WriteRefused(UserError):
    """A write refused so that nothing another program saved is lost: the note changed while the command ran (an
    editor saved it), or another vaultnet command held it too long. Nothing was written; running the command
    again is safe. The command line exits with 3, so that a script can tell it from a mistake (2)."""

    exit_code = 3
