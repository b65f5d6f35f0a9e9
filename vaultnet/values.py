"""Conversions from front-matter text to typed values: dates, birthdays, durations, links, lists.

Front matter is loaded with every scalar as text (no YAML 1.1 implicit typing), so each field
is converted here by its declared type. Every converter raises `ValueError` with a message
meant for the user.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from vaultnet.links import find_links, first_target, replace_links
from vaultnet.model import Birthday, Duration, Link

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_YEARLESS = re.compile(r"(?:--|xxxx-|XXXX-|0000-)(\d{2})-?(\d{2})")
_DURATION = re.compile(r"(\d+)\s*([a-z]*)")
_UNITS = {
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "week": "weeks", "weeks": "weeks",
    "m": "months", "mo": "months", "month": "months", "months": "months",
    "y": "years", "yr": "years", "year": "years", "years": "years",
}  # fmt: skip
_MAX_DIGITS = 9
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}


def parse_date(text: str) -> date:
    """`YYYY-MM-DD`, also with a time part as Obsidian writes date-times (the time is dropped)."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:  # the common case, in C; anything else takes the long way (try, not contextlib.suppress: a log
            return date.fromisoformat(text)  # of 100,000 entries comes through here once for each)
        except ValueError:
            pass
    m = _DATE.fullmatch(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)")
    year, month, day = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None


def parse_birthday(text: str) -> Birthday:
    """`YYYY-MM-DD`, or `--MM-DD` / `--MMDD` when the year is unknown."""
    value = text.strip()
    m = _YEARLESS.fullmatch(value)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        # 2000 is a leap year, so a yearless --02-29 is accepted.
        if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]):
            raise ValueError(f"{text!r} is not a valid birthday")
        return Birthday(month=month, day=day, year=None)
    try:
        d = parse_date(value)
    except ValueError:
        if _DATE.fullmatch(value):
            raise ValueError(f"{text!r} is not a valid birthday") from None
        raise ValueError(f"{text!r} is not a birthday (expected YYYY-MM-DD or --MM-DD)") from None
    return Birthday(month=d.month, day=d.day, year=d.year)


def parse_duration(text: str) -> Duration | None:
    """`10d`, `3w`, `2m`, `1y` (also `3 weeks`, or a bare number of days); `none` means no cadence."""
    value = text.strip().lower()
    if value in ("none", "never", "off", "-"):
        return None
    m = _DURATION.fullmatch(value)
    unit = _UNITS.get(m.group(2) or "d") if m else None
    if not m or unit is None:
        raise ValueError(f"{text!r} is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)")
    digits = m.group(1).lstrip("0") or "0"
    # More than 999,999,999 of anything is past any calendar: read as that many (int() of 5,000 digits would fail).
    count = int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS - 1
    if count <= 0:
        raise ValueError(f"{text!r} is not a duration (it must be positive, or none)")
    if unit == "weeks":
        return Duration(days=7 * count)
    return Duration(**{unit: count})


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is not true or false")


def add_duration(start: date, duration: Duration) -> date:
    """Calendar arithmetic: months and years keep the day, clamped to the month's end (Jan 31 + 1m = Feb 28).
    Raises OverflowError or ValueError past 9999-12-31: `add_or_none` is the form that never raises."""
    months = duration.months + 12 * duration.years
    if months:
        index = start.month - 1 + months
        year, month = start.year + index // 12, index % 12 + 1
        start = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return start.fromordinal(start.toordinal() + duration.days)


# The calendar ends on 9999-12-31 (date.max) and begins on 0001-01-01 (date.min). A day computed forward past
# the end never comes (None: no item, no event); a look-back that would reach before the start stops there.


def add_or_none(start: date, duration: Duration) -> date | None:
    """`start` + `duration`, or None past 9999-12-31 (such a day never comes)."""
    try:
        return add_duration(start, duration)
    except (OverflowError, ValueError):
        return None


def days_after(day: date, days: int) -> date | None:
    """The day `days` days after `day`, or None past 9999-12-31 (such a day never comes)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def days_before(day: date, days: int) -> date:
    """The day `days` days before `day`, no earlier than 0001-01-01: a look-back stops at the calendar's start."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


def date_or_duration(text: str, today: date) -> date:
    """A date (`YYYY-MM-DD`), or the day a duration (`2w`, `3m`) after `today`: how long to pause something."""
    try:
        return parse_date(text)
    except ValueError:
        pass
    try:
        length = parse_duration(text)
    except ValueError:
        raise ValueError(f"{text!r} is neither a date (YYYY-MM-DD) nor a duration (2w, 3m)") from None
    if length is None:
        raise ValueError(f"{text!r} is no length of time: give a duration (2w, 3m) or a date")
    day = add_or_none(today, length)
    if day is None:
        raise ValueError(f"{text!r} from {today.isoformat()} is past 9999-12-31, the calendar's last day")
    return day


def link_target(value: str) -> str | None:
    """The note the first link in `value` names: `Target` of `[[Target|shown]]` / `[[Target#heading]]`, the
    decoded path of `[shown](Target%20Name.md)`; None when `value` links no note (no link, or a web link)."""
    return first_target(value)


def link_of(written: str, line: int) -> Link | None:
    """What one value of a link property names: its link's target, or the whole text as a plain name (which
    resolves as a link does, without the warnings about what Obsidian would not follow). None for a web link
    or a link to a heading: they name no note."""
    linked = False
    for found in find_links(written):
        if found.names_note:
            return Link(found.target, line)
        linked = True
    return None if linked else Link(written, line, plain=True)


def birthday_in(birthday: Birthday, year: int) -> date:
    """The day the birthday is celebrated in `year`: Feb 29 falls on Feb 28 in common years."""
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, birthday.month, birthday.day)


def next_birthday(birthday: Birthday, today: date) -> date | None:
    """The first celebration on or after `today`; None when it would be after 9999-12-31 (it never comes)."""
    this_year = birthday_in(birthday, today.year)
    if this_year >= today:
        return this_year
    if today.year == date.max.year:
        return None
    return birthday_in(birthday, today.year + 1)


def plain_text(text: str) -> str:
    """`[[Anna Schmidt|Anna]]` -> `Anna`, `[[Anna Schmidt]]` -> `Anna Schmidt`, `[Jo](People/Jo.md)` -> `Jo`:
    links read as text elsewhere."""
    if "[" not in text:
        return text
    return replace_links(text)


def labelled(text: str) -> tuple[str, tuple[str, ...]]:
    """A phone or a related person as a note keeps them: `+49 170 1234567 (cell)`, `+1 555 0100 (work, fax)`,
    `Hanako Yamada (spouse)` -> the value and the labels in the parentheses that end it. Only parentheses at the
    end whose labels each hold a letter and no digit are labels: `+1 (555) 0100` and `(555) 0100` have none.
    String methods only: the last `(` is found once, whatever the text holds."""
    text = " ".join(text.split())
    if not text.endswith(")"):
        return text, ()
    start = text.rfind("(")
    value = text[:start].rstrip()
    labels = tuple(label.strip() for label in text[start + 1 : -1].split(","))
    if start <= 0 or not value or not all(_is_label(label) for label in labels):
        return text, ()
    return value, labels


def _is_label(label: str) -> bool:
    return any(c.isalpha() for c in label) and not any(c.isdigit() or c in "()" for c in label)


def with_labels(value: str, labels: tuple[str, ...] | list[str]) -> str:
    """The text `labelled` reads back: `value (label, label)`; labels it could not read back are left out."""
    value = " ".join(value.split())
    kept = [" ".join(label.split()) for label in labels]
    kept = list(dict.fromkeys(label for label in kept if _is_label(label) and "," not in label))
    return f"{value} ({', '.join(kept)})" if kept else value


def phone_key(text: str) -> str:
    """What makes two spellings of a phone number the same number: its digits, and a leading `+` (labels and
    punctuation aside), so that `+49 170 1234567 (cell)` and `+491701234567` are merged, not listed twice."""
    value, _ = labelled(text)
    value = value.removeprefix("tel:")
    digits = "".join(c for c in value if c.isdigit())
    return ("+" if value.lstrip().startswith("+") else "") + digits if digits else value.casefold()
