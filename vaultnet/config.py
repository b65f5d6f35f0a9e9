"""Vault settings from the optional `vaultnet.toml` at the vault root, collecting every problem.

A bad setting is reported like a bad note (`vaultnet.toml:LINE: message`) and its default is used,
so one typo does not stop the follow-up list.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import PurePosixPath
from typing import Any

from vaultnet.model import Duration
from vaultnet.problems import Problem
from vaultnet.values import parse_duration

CONFIG_NAME = "vaultnet.toml"
CACHE_DIR = ".vaultnet"

DEFAULT_CIRCLES: tuple[tuple[str, Duration | None], ...] = (
    ("close", Duration(days=30)),
    ("active", Duration(days=90)),
    ("loose", Duration(days=180)),
    ("dormant", None),
)


@dataclass(frozen=True)
class Practice:
    """The networking habits vaultnet encodes (`[practice]` in vaultnet.toml)."""

    event_prep: Duration = Duration(days=2)  # prepare this long before an event
    event_follow_up_window: Duration = Duration(days=30)  # an event follow-up stays on the list this long
    reconnect_after: Duration = Duration(days=365)  # no interaction this long: a dormant tie
    reconnect_per_week: int = 2
    review_after: Duration = Duration(years=2)  # no interaction this long: time to review
    review_every: Duration = Duration(months=3)  # how often reviews come round (a quarter)
    reciprocity_margin: int = 2  # received this many more than given: give first
    goal_stalled_after: Duration = Duration(days=60)
    weekly_new: int = 1  # new contacts a week
    weekly_maintained: int = 1  # contacts kept up a week
    agenda_size: int = 5  # items in `vaultnet today`
    targets_per_event: int = 5  # more targets than this: a gentle note


@dataclass(frozen=True)
class Settings:
    """Everything a vault can configure; the defaults make a vault work with no file at all."""

    contacts_folder: str = "contacts"
    events_folder: str = "events"
    goals_folder: str = "goals"
    templates_folder: str = "templates"  # not indexed: templates hold placeholders, not people
    daily_notes: str = "YYYY-MM-DD"  # the file name of a daily note, as Obsidian's daily notes plugin writes it
    circles: tuple[tuple[str, Duration | None], ...] = DEFAULT_CIRCLES
    default_circle: str = "active"
    birthday_lookahead_days: int | None = 7  # None: no birthday items in the list (the calendar keeps them)
    followups_path: str = "Follow-ups.md"
    calendar_path: str = f"{CACHE_DIR}/reminders.ics"
    calendar_name: str = "vaultnet reminders"
    alarm: time | None = None  # a display alarm at this time on the day of each reminder
    practice: Practice = field(default_factory=lambda: Practice())
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    def cadence_of(self, circle: str | None) -> Duration | None:
        return dict(self.circles).get(circle or self.default_circle)

    @property
    def outputs(self) -> tuple[str, str]:
        return (self.followups_path, self.calendar_path)


_KNOWN: dict[str, set[str]] = {
    "": {
        "contacts_folder",
        "events_folder",
        "goals_folder",
        "templates_folder",
        "daily_notes",
        "default_circle",
        "birthday_lookahead",
        "circles",
        "outputs",
        "calendar",
        "practice",
    },
    "practice": set(Practice.__dataclass_fields__),
    "outputs": {"followups", "calendar"},
    "calendar": {"name", "alarm"},
}
_TOML_LINE = re.compile(r"at line (\d+)")


def _line_of(text: str, section: str, key: str) -> int:
    """The line where `key` is set in `[section]` (1 if it cannot be found: TOML values carry no positions)."""
    current = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1)
            if (section and current == section and not key) or (not section and current == key):
                return number
            continue
        if current == section and re.match(rf'["\']?{re.escape(key)}["\']?\s*=', line):
            return number
        if not section and re.match(rf"{re.escape(key)}\s*=", line) and current == "":
            return number
    return 1


def _safe_relative(value: str) -> bool:
    path = PurePosixPath(value.replace("\\", "/"))
    return bool(value.strip()) and not path.is_absolute() and ".." not in path.parts and ":" not in value


def _normal(path: str) -> str:
    """`./contacts//` -> `contacts`: paths are compared with the vault's `/`-separated relative paths."""
    return "/".join(part for part in path.replace("\\", "/").split("/") if part not in ("", "."))


def parse_settings(text: str | None) -> Settings:
    """Settings from the text of `vaultnet.toml` (None when the vault has none)."""
    if text is None:
        return Settings()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        return Settings(problems=(Problem(CONFIG_NAME, int(m.group(1)) if m else 1, f"invalid TOML: {exc}"),))
    problems: list[Problem] = []

    def bad(section: str, key: str, message: str, severity: str = "error") -> None:
        where = f"{section}.{key}" if section else key
        problems.append(Problem(CONFIG_NAME, _line_of(text, section, key), f"{where}: {message}", severity))  # type: ignore[arg-type]

    def text_value(section: str, key: str, table: dict[str, Any], default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            bad(section, key, f"expected a non-empty text, got {value!r}; using {default!r}")
            return default
        return value.strip()

    for section, known in _KNOWN.items():
        table = data if not section else data.get(section, {})
        if not isinstance(table, dict):
            bad("", section, "expected a table")
            continue
        for key in table:
            if key not in known:
                bad(section, key, "unknown setting (ignored)", "warning")

    values: dict[str, Any] = {}
    folders = (
        ("contacts_folder", "contacts"),
        ("events_folder", "events"),
        ("goals_folder", "goals"),
        ("templates_folder", "templates"),
    )
    for key, default in folders:
        folder = text_value("", key, data, default)
        if _safe_relative(folder) and _normal(folder):
            values[key] = _normal(folder)
        else:
            bad("", key, "must be a folder inside the vault")
    pattern = text_value("", "daily_notes", data, Settings.daily_notes)
    if daily_note_regex(pattern) is None:
        bad("", "daily_notes", f"{pattern!r} must contain YYYY, MM and DD (e.g. YYYY-MM-DD)")
    else:
        values["daily_notes"] = pattern

    circles = dict(DEFAULT_CIRCLES)
    circle_table = data.get("circles", {})
    if not isinstance(circle_table, dict):
        bad("", "circles", "expected a table")
    else:
        for name, raw in circle_table.items():
            if not isinstance(raw, str | int) or isinstance(raw, bool):
                bad("circles", name, f"expected a duration such as 90d or none, got {raw!r}")
                continue
            try:
                circles[str(name).strip().lower()] = parse_duration(str(raw))
            except ValueError as exc:
                bad("circles", name, str(exc))
    values["circles"] = tuple(circles.items())

    default_circle = text_value("", "default_circle", data, "active").lower()
    if default_circle in circles:
        values["default_circle"] = default_circle
    else:
        bad(
            "",
            "default_circle",
            f"{default_circle!r} is not one of the circles ({', '.join(sorted(circles))})",
        )
        values["default_circle"] = "active" if "active" in circles else sorted(circles)[0]

    if "birthday_lookahead" in data:
        raw = data["birthday_lookahead"]
        try:
            if isinstance(raw, bool) or not isinstance(raw, str | int):
                raise ValueError(f"{raw!r} is not a duration such as 7d or 2w, or none")
            look = parse_duration(str(raw))
            values["birthday_lookahead_days"] = None if look is None else look.approx_days()
        except ValueError as exc:
            bad("", "birthday_lookahead", str(exc))

    outputs = data.get("outputs", {})
    if isinstance(outputs, dict):
        for key, attr, suffix in (
            ("followups", "followups_path", ".md"),
            ("calendar", "calendar_path", ".ics"),
        ):
            if key not in outputs:
                continue
            value = outputs[key]
            if not isinstance(value, str) or not _safe_relative(value) or not value.endswith(suffix):
                bad("outputs", key, f"must be a path inside the vault ending in {suffix}, got {value!r}")
            else:
                values[attr] = _normal(value)

    cal = data.get("calendar", {})
    if isinstance(cal, dict):
        if "name" in cal:
            values["calendar_name"] = text_value("calendar", "name", cal, Settings.calendar_name)
        if "alarm" in cal and cal["alarm"] is not False:
            raw = cal["alarm"]
            try:
                values["alarm"] = raw if isinstance(raw, time) else time.fromisoformat(str(raw))
            except ValueError:
                bad("calendar", "alarm", f'expected a time of day such as "09:00" or false, got {raw!r}')
    practice = data.get("practice", {})
    if isinstance(practice, dict):
        values["practice"] = _practice(practice, bad)
    return Settings(**values, problems=tuple(problems))


def _practice(table: dict[str, Any], bad: Any) -> Practice:
    values: dict[str, Any] = {}
    for name, spec in Practice.__dataclass_fields__.items():
        if name not in table:
            continue
        raw = table[name]
        if spec.type == "int":
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
                bad("practice", name, f"expected a whole number of 0 or more, got {raw!r}")
            else:
                values[name] = raw
            continue
        try:
            duration = parse_duration(str(raw)) if isinstance(raw, str | int) and not isinstance(raw, bool) else None
            if duration is None:
                raise ValueError(f"{raw!r} is not a duration such as 30d, 6w, 3m or 1y")
            values[name] = duration
        except ValueError as exc:
            bad("practice", name, str(exc))
    return Practice(**values)


_TOKENS = {"YYYY": r"(?P<year>\d{4})", "MM": r"(?P<month>\d{2})", "DD": r"(?P<day>\d{2})"}


def daily_note_regex(pattern: str) -> re.Pattern[str] | None:
    """`YYYY-MM-DD` (Obsidian's moment.js tokens) -> a regex over file names without `.md`; None if unusable."""
    if not all(token in pattern for token in _TOKENS):
        return None
    parts = re.split(r"(YYYY|MM|DD)", pattern)
    return re.compile("".join(_TOKENS.get(part, re.escape(part)) for part in parts), re.IGNORECASE)
