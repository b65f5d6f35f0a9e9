"""Calendars as a source of interactions (issue 13): which files a calendar source is, and the meetings one file shows.

A source is a folder kept by vdirsyncer or khal (a *vdir*: one event per `.ics` file, one folder per calendar) or
one exported `.ics` file (Google, Apple, Outlook, Thunderbird: many events in one VCALENDAR). `read_calendar` turns
one file's bytes into a `Captured` per day an event takes place, recurrences expanded as calendar clients expand
them (`recurring_ical_events`: RRULE, RDATE, EXDATE, RECURRENCE-ID), each on its start day in its own time zone.
Cancelled events and occurrences, and those you declined, are left out. Nothing here matches a contact, reads the
clock (`today` is an argument; a stopwatch bounds a hostile file) or the disk beyond the listing: that, and
caching, is the caller's.

`icalendar` and `recurring_ical_events` are imported inside `read_calendar`, so that a build of a vault with no
calendar source never loads them (tests/test_cli_process.py holds one-shot commands to that).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultnet.model import Captured
from vaultnet.problems import Problem, printable
from vaultnet.sources_common import hashed

if TYPE_CHECKING:
    from icalendar import Component

YEARS_BACK = 10  # the oldest occurrence read: a daily meeting since 1990 must not cost 13,000 records
DAYS_AHEAD = 366  # the latest: a cached read stays good for a year (the caller keeps only the days up to today)
MAX_OCCURRENCES = 100_000  # in one file: what a hostile file can make of a few bytes is bounded
MAX_WITHIN_A_DAY = 1_000  # a rule repeating within a day is expanded only with a COUNT this small (see _endless)
# Expanding stops after this long (between series): a rule that never occurs (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30)
# makes dateutil search day by day up to the year 9999, some 4 s each; a file of them must not take hours.
MAX_SECONDS = 10.0
_MARGIN = timedelta(days=2)  # the query is wider than the window: zones east and west of UTC, kept exact by day
_WITHIN_A_DAY = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})


def calendar_files(path: Path) -> list[Path]:
    """The files a calendar source names, sorted: a file itself (an export; whatever its name, the user named
    it), or every `*.ics` below a folder (a vdir, nested by calendar). Hidden files and folders below the
    source are skipped (`.git`, editors' and sync tools' leftovers); the source itself may sit in one
    (`~/.calendars/work`). A missing path has none: saying so is the caller's."""
    if path.is_file():
        return [path]
    found: list[Path] = []
    for folder, folders, files in os.walk(path):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found.extend(Path(folder, name) for name in files if name.lower().endswith(".ics") and name[0] != ".")
    return sorted(found)


def read_window(today: date) -> tuple[date, date]:
    """The first and the last day `read_calendar` keeps on `today`: the same day YEARS_BACK years before (28
    February for a 29th), and DAYS_AHEAD days after."""
    year = today.year - YEARS_BACK
    first = today.replace(year=year, day=28) if (today.month, today.day) == (2, 29) else today.replace(year=year)
    return first, today + timedelta(days=DAYS_AHEAD)


def read_calendar(data: bytes, path: str, me: frozenset[str], today: date) -> tuple[list[Captured], list[Problem]]:
    """The meetings in one calendar file's bytes: a `Captured` per event and day in `read_window(today)`, sorted
    by day. `me`: your own addresses (any case): never among a record's addresses, and an event where one of
    them is an ATTENDEE with PARTSTAT=DECLINED does not count. What cannot be read is a warning on `path`, never
    an exception: a file that is not iCalendar gives no records, a broken event leaves the others."""
    import icalendar  # lazily: see the module's docstring

    problems: list[Problem] = []
    try:
        parsed = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as exc:  # the parser's errors are not one type: any of them means the same to a user
        return [], [_warning(path, f"not an iCalendar file ({_reason(exc)}): nothing was read from it")]
    calendars = [component for component in parsed if component.name == "VCALENDAR"]
    if not calendars:
        return [], [_warning(path, "not an iCalendar file (no VCALENDAR in it): nothing was read from it")]
    first, last = read_window(today)
    mine = frozenset(address.lower() for address in me)
    records: dict[str, Captured] = {}  # by source: an event counts once a day (an hourly rule, a repeated file)
    try:
        for calendar in calendars:
            for event in _occurrences(calendar, first - _MARGIN, last + _MARGIN, path, problems):
                record = _captured(event, mine)
                if record is not None and first <= record.day <= last:
                    records.setdefault(record.source, record)
    except Exception as exc:  # what the libraries did not foresee: keep what was read, and say so
        problems.append(_warning(path, f"could not be read to its end ({_reason(exc)})"))
    return sorted(records.values(), key=lambda record: (record.day, record.source)), problems


def _occurrences(calendar: Component, start: date, stop: date, path: str, problems: list[Problem]) -> Iterator[Any]:
    """Every occurrence from `start` to `stop` of the calendar's events, one series (a UID: an event with its
    RECURRENCE-ID exceptions) at a time, so that a broken series is left out alone. Occurrences come as
    components (the event with this occurrence's DTSTART, or its exception), as recurring_ical_events makes
    them. What a file can cost is bounded: see `_leave_out_endless`, MAX_OCCURRENCES and MAX_SECONDS."""
    _leave_out_endless(calendar, path, problems)
    query = _query(calendar, path, problems)
    broken = len({_uid(component) for component in calendar.walk("VEVENT")}) - len(query.series)
    made = 0
    deadline = time.monotonic() + MAX_SECONDS
    for done, series in enumerate(query.series):
        if done and time.monotonic() > deadline:
            problems.append(
                _warning(path, f"stopped after {MAX_SECONDS:g} s, {done:,} of {_events(len(query.series))} read")
            )
            break
        try:
            occurrences = [occurrence.as_component(False) for occurrence in series.between(start, stop)]
        except Exception:  # a broken rule or date in this series: it alone is left out, counted below
            broken += 1
            continue
        if made + len(occurrences) > MAX_OCCURRENCES:
            total = _events(len(query.series))
            problems.append(_warning(path, f"stopped at {MAX_OCCURRENCES:,} occurrences, {done:,} of {total} read"))
            break
        made += len(occurrences)
        yield from occurrences
    if broken > 0:
        problems.append(_warning(path, f"{_events(broken)} could not be read (a broken date or rule): left out"))


def _query(calendar: Component, path: str, problems: list[Problem]) -> Any:
    """recurring_ical_events' query of the calendar's events. Its `of()` also moves UTC times into the zone that
    X-WR-TIMEZONE names, as Google's exports mean them and its clients show them; a zone it does not know is a
    warning, and the times are read as written."""
    import recurring_ical_events  # lazily: see the module's docstring

    tolerant = _tolerant_query()
    try:
        return recurring_ical_events.of(calendar, skip_bad_series=True, calendar_query=tolerant)
    except Exception as exc:  # what the zone's conversion raises is not one type
        query = tolerant(calendar, False, ("VEVENT",), True)  # raises again if the calendar itself is the trouble
        problems.append(_warning(path, f"X-WR-TIMEZONE was not applied ({_reason(exc)}): times are read as written"))
        return query


@cache
def _tolerant_query() -> Any:
    """recurring_ical_events' query class, made to leave out a series whose making fails for any reason (by
    itself it leaves out only those failing with one of three errors it knows): one broken event must not hide
    the file's others."""
    import recurring_ical_events

    class Tolerant(recurring_ical_events.CalendarQuery):  # type: ignore[misc]
        suppressed_errors = (Exception,)

    return Tolerant


def _leave_out_endless(calendar: Component, path: str, problems: list[Problem]) -> None:
    """Take out of the calendar the events whose rule would not end or would flood (`_endless`), and say so.
    At any depth: recurring_ical_events finds a VEVENT at any depth."""
    endless: dict[object, str] = {}
    for event in calendar.walk("VEVENT"):
        reason = _endless(event)
        if reason:
            endless[_uid(event)] = reason
    if not endless:
        return
    for component in calendar.walk():
        component.subcomponents = [c for c in component.subcomponents if c.name != "VEVENT" or _uid(c) not in endless]
    for reason in sorted(set(endless.values())):
        count = sum(1 for other in endless.values() if other == reason)
        problems.append(_warning(path, f"{_events(count)} left out: {reason}"))


def _endless(event: Component) -> str:
    """Why expanding the event's RRULE could not be afforded, or "". An INTERVAL below 1 never moves on (dateutil
    lists the same time until memory runs out). A rule repeating within a day (FREQ=HOURLY or finer, or several
    BYHOUR, BYMINUTE or BYSECOND values) makes millions of occurrences over the years read, for one meeting a day
    at most; no person meets another this way, and a short block of sessions (with a COUNT up to
    MAX_WITHIN_A_DAY) is still read. Any sender of an invitation can put such a rule in your calendar."""
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        try:
            interval = int(rule.get("INTERVAL", [1])[0])
            within = str(rule.get("FREQ", [""])[0]).upper() in _WITHIN_A_DAY
            spread = len(rule.get("BYHOUR", [0])) * len(rule.get("BYMINUTE", [0])) * len(rule.get("BYSECOND", [0]))
            counted = 0 < int(rule.get("COUNT", [0])[0]) <= MAX_WITHIN_A_DAY
        except (AttributeError, TypeError, ValueError, IndexError):  # not a parsed rule: the expansion says so
            continue
        if interval < 1:
            return "a rule with an INTERVAL below 1 never ends"
        if (within or spread > 1) and not counted:
            return "repeating within a day without a COUNT"
    return ""


def _uid(event: Component) -> object:
    """What recurring_ical_events makes one series of: a UID, or an event on its own when it has none."""
    return str(event["UID"]) if "UID" in event else id(event)


def _captured(event: Component, mine: frozenset[str]) -> Captured | None:
    """One occurrence as a record, or None when it does not count (cancelled, declined by you, no start day)."""
    if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
        return None
    start = event.get("DTSTART")
    value = getattr(start, "dt", None)
    if not isinstance(value, date):  # no DTSTART, or one that is not a day or a time: on no day
        return None
    addresses, declined = _people(event, mine)
    if declined:
        return None
    all_day = not isinstance(value, datetime)
    day = value.date() if isinstance(value, datetime) else value  # in the zone it is written in: its own day
    title = str(event.get("SUMMARY", "")).strip()
    uid = str(event.get("UID", "")).strip() or f"SUMMARY:{title}"  # a UID is required; a file may lack it all the same
    return Captured(day, "meeting", addresses, title, all_day, f"{hashed(uid)}/{day.isoformat()}")


def _people(event: Component, mine: frozenset[str]) -> tuple[tuple[str, ...], bool]:
    """The event's ATTENDEE then ORGANIZER `mailto:` addresses, lower-cased, in order, once each, none of `mine`;
    and whether one of `mine` is an attendee who declined."""
    found: dict[str, None] = {}
    for name in ("ATTENDEE", "ORGANIZER"):
        values = event.get(name)
        for value in values if isinstance(values, list) else [values] if values is not None else []:
            text = str(value).strip()
            if text[:7].lower() != "mailto:" or not text[7:].strip():
                continue  # a urn:uuid: or a bare name: no address to match a contact by
            address = text[7:].strip().lower()
            if address in mine:
                partstat = getattr(value, "params", {}).get("PARTSTAT", "")
                if name == "ATTENDEE" and str(partstat).strip().upper() == "DECLINED":
                    return (), True
                continue
            found.setdefault(address)
    return tuple(found), False


def _events(count: int) -> str:
    return "1 event" if count == 1 else f"{count:,} events"


def _reason(exc: Exception) -> str:
    """What went wrong, on one printable line and short: a message of the parser may quote the whole line."""
    text = printable(str(exc) or type(exc).__name__)
    return text if len(text) <= 120 else text[:117] + "..."


def _warning(path: str, message: str) -> Problem:
    return Problem(path, 0, message, "warning")
