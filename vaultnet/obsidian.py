"""Obsidian's own settings in a vault's `.obsidian/` folder, and the moment.js format of its daily notes.

Obsidian keeps what vaultnet needs to know in four small JSON files: the folder of the core Templates
plugin (`templates.json`) and of the Templater plugin (its `data.json`), where daily notes go and how they
are named (`daily-notes.json`), and whether the vault writes `[text](path.md)` links rather than
`[[wikilinks]]` (`app.json`). `read_obsidian` reads them into `Obsidian`, whose `defaults` are vaultnet
settings that `vaultnet.toml` overrides (`vaultnet.config` applies them).

Nothing here raises for what is in a vault: a missing or unreadable file is as good as none (Obsidian's own
defaults apply), and a file that is not the JSON Obsidian writes is a warning that names it. Folder names
keep their case, as in Obsidian.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vaultnet.problems import Problem
from vaultnet.safeio import SETTINGS_LIMIT, Refused, read_inside

TEMPLATES_JSON = ".obsidian/templates.json"
TEMPLATER_JSON = ".obsidian/plugins/templater-obsidian/data.json"
DAILY_NOTES_JSON = ".obsidian/daily-notes.json"
APP_JSON = ".obsidian/app.json"
SETTINGS_FILES = (TEMPLATES_JSON, TEMPLATER_JSON, DAILY_NOTES_JSON, APP_JSON)  # what the watcher reloads on

# -- the daily note format (moment.js) --------------------------------------------------------------------------

# moment.js's format tokens (its own list, longest first), `[literal text]`, and any other character, which
# moment writes as it stands. Only some tokens can be read back from a file name; the others are reported.
_MOMENT = re.compile(
    r"(?P<text>\[[^\]]*\])"
    r"|(?P<token>YYYYYY|YYYYY|YYYY|YY|Y|Mo|MMMM|MMM|MM|M|DDDo|DDDD|DDD|Do|DD|D|dddd|ddd|dd|do|d|Qo|Q|wo|ww|w|Wo|WW|W"
    r"|gggg|gg|GGGG|GG|e|E|a|A|HH?|hh?|kk?|mm?|ss?|S{1,9}|x|X|ZZ?|zz?|N{1,5}|yo|y{1,4}|LTS|LT|L{1,4}|l{1,4})"
    r"|(?P<char>.)",
    re.DOTALL,
)
# A weekday or month name in any language ("Saturday", "sam.", "Samstag"). Possessive: a name never gives letters
# back, so that a path is read in linear time; `daily_format` refuses a format where a letter follows a name.
_NAME = r"[^\W\d_]++\.?"
_NAME_CHAR = re.compile(r"[^\W\d_]")
_READ = {  # token -> (the date part it gives, or None for a name that the numbers already decide; its regex)
    "YYYY": ("year", "[0-9]{4}"),
    "MM": ("month", "[0-9]{2}"),
    "M": ("month", "[0-9]{1,2}"),
    "DD": ("day", "[0-9]{2}"),
    "D": ("day", "[0-9]{1,2}"),
    **{name: (None, _NAME) for name in ("dddd", "ddd", "dd", "MMMM", "MMM")},
}
READ_TOKENS = "YYYY, MM, M, DD, D and the names dddd, ddd, dd, MMMM, MMM; put other text in [brackets]"


@dataclass(frozen=True)
class DailyFormat:
    """A daily note format: the regex that finds one in a note's path, or what keeps vaultnet from reading it."""

    regex: re.Pattern[str] | None  # searched in the path without `.md`; groups year, month, day
    problem: str | None = None  # why there is no regex: a message for the user


@functools.lru_cache(maxsize=16)
def daily_format(fmt: str) -> DailyFormat:
    """`YYYY/MM/YYYY-MM-DD [Journal]` -> a regex over a note's path without `.md`, that matches from the start
    of a folder or file name to the end (a `/` in the format is a folder, as Obsidian makes it).

    A format needs the year, the month and the day as numbers (YYYY, MM or M, DD or D); names (dddd, MMMM)
    match any word, since the numbers decide the day. Other moment.js tokens (YY, Do, ww, ...) cannot be read
    back and make the format unusable, with a message that names them.
    """
    parts, unread, seen = [], [], set()
    after_name: str | None = None  # the name token that the next character follows directly, if any
    for m in _MOMENT.finditer(fmt):
        literal = m["text"][1:-1] if m["text"] is not None else m["char"]
        is_name = m["token"] in _READ and _READ[m["token"]][0] is None
        if after_name and (is_name or _NAME_CHAR.match(literal or " ")):
            problem = f"{fmt!r} has a letter right after the name {after_name}, which vaultnet cannot tell apart"
            return DailyFormat(None, f"{problem} in a file name: put a blank, a dash or a dot between them")
        after_name = m["token"] if is_name else after_name if literal == "" else None
        if literal is not None:
            parts.append(re.escape(literal))
        elif m["token"] in _READ:
            group, pattern = _READ[m["token"]]
            if group is None:
                parts.append(pattern)
            else:  # the same part twice (`YYYY/YYYY-MM-DD`) must be the same text twice
                parts.append(f"(?P={group})" if group in seen else f"(?P<{group}>{pattern})")
                seen.add(group)
        else:
            unread.append(m["token"])
    if unread:
        tokens = ", ".join(dict.fromkeys(unread))
        return DailyFormat(
            None, f"{fmt!r} uses {tokens}, which vaultnet cannot read in a file name (it reads {READ_TOKENS})"
        )
    if seen != {"year", "month", "day"}:
        return DailyFormat(
            None, f"{fmt!r} must contain YYYY, MM and DD (e.g. YYYY-MM-DD; the month and day as numbers)"
        )
    return DailyFormat(re.compile(f"(?:^|/){''.join(parts)}\\Z", re.IGNORECASE))


# -- the settings files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obsidian:
    """What a vault's `.obsidian/` says about what vaultnet reads; None where it says nothing."""

    templates_folder: str | None = None  # the core Templates plugin's folder
    templater_folder: str | None = None  # the Templater plugin's folder
    daily_notes_folder: str | None = None  # None also for the vault root (Obsidian's default)
    daily_notes: str | None = None  # the daily note format, only when vaultnet can read it
    markdown_links: bool | None = None
    problems: tuple[Problem, ...] = ()  # files that are not the JSON Obsidian writes
    daily_notes_problem: Problem | None = None  # a format vaultnet cannot read (moot when vaultnet.toml sets one)

    @property
    def templates_folders(self) -> tuple[str, ...]:
        """Every templates folder Obsidian names, the core plugin's first."""
        return tuple(dict.fromkeys(f for f in (self.templates_folder, self.templater_folder) if f))

    def defaults(self) -> dict[str, Any]:
        """The vaultnet settings these give (by vaultnet.toml key), the defaults that vaultnet.toml overrides."""
        values: dict[str, Any] = {}
        if self.templates_folders:
            values["templates_folder"] = self.templates_folders[0]
            values["other_templates_folders"] = self.templates_folders[1:]
        if self.daily_notes_folder:
            values["daily_notes_folder"] = self.daily_notes_folder
        if self.daily_notes:
            values["daily_notes"] = self.daily_notes
        if self.markdown_links is not None:
            values["markdown_links"] = self.markdown_links
        return values


class _File:
    """One of Obsidian's JSON files, read: its values, and warnings located at the line of a key."""

    def __init__(self, rel: str, text: str, data: dict[str, Any], problems: list[Problem]) -> None:
        self.rel, self.text, self.data, self.problems = rel, text, data, problems

    def line_of(self, key: str) -> int:
        needle = json.dumps(key)
        return next((n for n, line in enumerate(self.text.splitlines(), start=1) if needle in line), 1)

    def problem(self, key: str, message: str) -> Problem:
        return Problem(self.rel, self.line_of(key), f"{key}: {message}", "warning")

    def value(self, key: str, kind: type, what: str) -> Any:
        """The value at `key` when it is of `kind` (None when it is missing; a warning when it is not)."""
        value = self.data.get(key)
        fits = isinstance(value, bool) if kind is bool else isinstance(value, kind) and not isinstance(value, bool)
        if value is None or fits:
            return value
        self.problems.append(self.problem(key, f"expected {what}, got {json.dumps(value)}: vaultnet ignores it"))
        return None

    def folder(self, key: str) -> str | None:
        """A folder inside the vault, `/`-separated and tidied (`/Templates/` -> `Templates`); None for the root."""
        raw = self.value(key, str, "a folder name")
        if raw is None:
            return None
        parts = [part for part in raw.strip().replace("\\", "/").split("/") if part not in ("", ".")]
        if ".." in parts or ":" in raw:
            self.problems.append(self.problem(key, f"{raw!r} is not a folder inside the vault: vaultnet ignores it"))
            return None
        return "/".join(parts) or None


def _read(root: Path, rel: str, problems: list[Problem]) -> _File | None:
    """The JSON object in `rel`; None when there is none (missing, unreadable, empty, or not JSON: a warning)."""
    try:
        data = read_inside(root, rel, SETTINGS_LIMIT)
        if data is None:
            return None  # missing: Obsidian's defaults apply, as in Obsidian
        text = data.decode("utf-8-sig")
    except Refused as exc:  # a folder, a FIFO, a link out of the vault, huge, unreadable: as missing, with a word
        problems.append(Problem(rel, 1, f"this file {exc}: vaultnet ignores it (Obsidian's defaults apply)", "warning"))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(rel, 1, "not UTF-8 text: vaultnet ignores this file of Obsidian's", "warning"))
        return None
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON ({exc.msg}): vaultnet ignores this file of Obsidian's"
        problems.append(Problem(rel, exc.lineno, message, "warning"))
        return None
    except (ValueError, RecursionError):
        problems.append(Problem(rel, 1, "not valid JSON: vaultnet ignores this file of Obsidian's", "warning"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(rel, 1, "expected a JSON object ({...}): vaultnet ignores this file", "warning"))
        return None
    return _File(rel, text, data, problems)


def read_obsidian(root: Path) -> Obsidian:
    """What the vault's `.obsidian/` folder says (nothing, when there is none)."""
    problems: list[Problem] = []
    templates = _read(root, TEMPLATES_JSON, problems)
    templater = _read(root, TEMPLATER_JSON, problems)
    daily = _read(root, DAILY_NOTES_JSON, problems)
    app = _read(root, APP_JSON, problems)
    fmt, fmt_problem = None, None
    if daily is not None:
        fmt = (daily.value("format", str, "a date format such as YYYY-MM-DD") or "").strip() or None
        reading = daily_format(fmt) if fmt else None
        if reading is not None and reading.problem is not None:
            message = (
                f"{reading.problem}; daily notes are found by YYYY-MM-DD until you set daily_notes in vaultnet.toml"
            )
            fmt, fmt_problem = None, daily.problem("format", message)
    found = Obsidian(
        templates_folder=templates.folder("folder") if templates else None,
        templater_folder=templater.folder("templates_folder") if templater else None,
        daily_notes_folder=daily.folder("folder") if daily else None,
        daily_notes=fmt,
        markdown_links=app.value("useMarkdownLinks", bool, "true or false") if app else None,
        daily_notes_problem=fmt_problem,
    )
    return replace(found, problems=tuple(problems))  # after the values: reading them may add warnings
