"""Problems found in user data, carried as data, and the one exception type for user errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in a note or a setting, located as `path:line`.

    `path` is relative to the vault and `/`-separated; `line` is 1-based (0 = the file as a whole, shown
    as line 1 so that editors and CI logs can still jump to it).
    An error makes vaultnet skip the note; a warning is only reported.
    """

    path: str
    line: int
    message: str
    severity: Severity = "error"

    def format(self, prefix: str = "") -> str:
        """Render as `path:line: message` (the form editors and CI logs can jump to)."""
        where = f"{prefix}{self.path}:{max(self.line, 1)}"
        label = "warning: " if self.severity == "warning" else ""
        return f"{where}: {label}{self.message}"


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


class Refused(UserError):
    """A write refused so that nothing another program saved is lost: the note changed while the command ran (an
    editor saved it), or another vaultnet command held it too long. Nothing was written; running the command
    again is safe. The command line exits with 3, so that a script can tell it from a mistake (2)."""

    exit_code = 3
