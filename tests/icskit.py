"""Reading the reminder calendar in tests: building it from a vault, its raw lines and properties, the three
independent parsers (icalendar, vobject, ical.js) and the birthdays expanded by two recurrence engines.

Shared by tests/test_calendar.py and tests/test_ics_*.py; every calendar is built by the real pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import vobject
from icaljs import icaljs_check
from vaultkit import TODAY, copy_sample
from vaultkit import fm as contact  # a note: front matter (values as written), then an optional `body`

from vaultnet import pipeline

LATER_MTIME = int(datetime(2026, 11, 10, 8, 30, tzinfo=UTC).timestamp())
LATER_MTIME_NS = LATER_MTIME * 1_000_000_000
CALENDAR_NAME = "Golden sample, work; private"  # as set in the sample vault's vaultnet.toml
EXPAND_FROM, EXPAND_TO = date(2026, 1, 1), date(2029, 1, 1)  # [from, to) for recurring_ical_events

ADA = contact(
    "- [ ] send the notes 📅 2026-12-03\n",
    name="Ada Lovelace",
    email="ada@example.org",
    birthday="1815-12-10",
    cadence="none",
    follow_up="2026-12-01",
)

# -- vaults and builds ----------------------------------------------------------------------------


def build_ics(root: Path, today: date = TODAY) -> bytes:
    """Run the real build and return the calendar's bytes."""
    result = pipeline.build(root, today)
    [ics] = [o.path for o in result.outputs if o.path.suffix == ".ics"]
    return ics.read_bytes()


def ics_file(root: Path) -> Path:
    return root / pipeline.load_settings(root).calendar_path


# -- reading the calendar -------------------------------------------------------------------------


@dataclass(frozen=True)
class Prop:
    name: str
    params: str  # e.g. ";VALUE=DATE", "" when none
    value: str  # still escaped, as written


def logical_lines(data: bytes) -> list[str]:
    """Unfolded content lines (RFC 5545 3.1)."""
    return data.decode("utf-8").replace("\r\n ", "").removesuffix("\r\n").split("\r\n")


def split_prop(line: str) -> Prop:
    head, value = line.split(":", 1)
    name, _, params = head.partition(";")
    return Prop(name.upper(), ";" + params if params else "", value)


def raw_events(data: bytes) -> list[list[Prop]]:
    """The properties of each VEVENT (not of its VALARMs), as written."""
    events: list[list[Prop]] = []
    current: list[Prop] | None = None
    depth = 0
    for line in logical_lines(data):
        if line == "BEGIN:VEVENT":
            current, depth = [], 0
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None and line.startswith("BEGIN:"):
            depth += 1
        elif current is not None and line.startswith("END:"):
            depth -= 1
        elif current is not None and depth == 0:
            current.append(split_prop(line))
    return events


def one(props: list[Prop], name: str) -> Prop:
    [prop] = [p for p in props if p.name == name]
    return prop


def header(data: bytes) -> list[Prop]:
    lines = logical_lines(data)
    end = lines.index("BEGIN:VEVENT") if "BEGIN:VEVENT" in lines else len(lines) - 1
    return [split_prop(line) for line in lines[1:end]]


def unescape(text: str) -> str:
    """TEXT unescaping (RFC 5545 3.3.11)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def parse_icalendar(data: bytes) -> icalendar.Calendar:
    cal = icalendar.Calendar.from_ical(data)
    errors = [(c.name, c.errors) for c in cal.walk() if c.errors]
    assert errors == []
    return cal


def parse_vobject(data: bytes) -> Any:
    cal = vobject.readOne(data.decode("utf-8"), validate=True)
    assert cal.validate(raiseException=True)
    return cal


def parse_icaljs(path: Path, start: date = EXPAND_FROM, end: date = EXPAND_TO - timedelta(days=1)) -> dict[str, Any]:
    return icaljs_check(path, start, end)


def event_key(uid: str, recurrence_id: date | None, summary: str) -> tuple[str, str, str]:
    return (str(uid), recurrence_id.isoformat() if recurrence_id else "", str(summary))


def icalendar_keys(cal: icalendar.Calendar) -> list[tuple[str, str, str]]:
    keys = []
    for ev in cal.walk("VEVENT"):
        rid = ev.get("RECURRENCE-ID")
        keys.append(event_key(ev["UID"], rid.dt if rid is not None else None, ev["SUMMARY"]))
    return sorted(keys)


def vobject_keys(cal: Any) -> list[tuple[str, str, str]]:
    keys = []
    for ev in cal.vevent_list:
        rid = ev.contents.get("recurrence-id")
        keys.append(event_key(ev.uid.value, rid[0].value if rid else None, ev.summary.value))
    return sorted(keys)


def icaljs_keys(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    keys = []
    for ev in report["events"]:
        rid = date.fromisoformat(ev["recurrenceId"]) if ev["recurrenceId"] else None
        keys.append(event_key(ev["uid"], rid, ev["summary"]))
    return sorted(keys)


def summaries(data: bytes) -> dict[str, date]:
    """Summary -> DTSTART of every non-recurring, non-override event (follow-ups, promises, "turns N")."""
    out: dict[str, date] = {}
    for ev in parse_icalendar(data).walk("VEVENT"):
        if "RRULE" not in ev and "RECURRENCE-ID" not in ev:
            assert str(ev["SUMMARY"]) not in out, f"two events named {ev['SUMMARY']}"
            out[str(ev["SUMMARY"])] = ev["DTSTART"].dt
    return out


def by_summary(data: bytes) -> dict[str, icalendar.Event]:
    return {str(ev["SUMMARY"]): ev for ev in parse_icalendar(data).walk("VEVENT")}


def uids(data: bytes) -> set[str]:
    return {str(ev["UID"]) for ev in parse_icalendar(data).walk("VEVENT")}


def stamp(mtime: int) -> str:
    return datetime.fromtimestamp(mtime, UTC).strftime("%Y%m%dT%H%M%SZ")


def sample_calendar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, bytes]]:
    """The sample vault built on TODAY: (vault folder, calendar bytes); a module-scoped fixture's body."""
    root = copy_sample(tmp_path_factory.mktemp("calendar") / "vault")
    yield root, build_ics(root)


# A one-off that replaces a day of a series (a birthday's "turns N"): the series' UID with "-" and the year.
ONE_OFF_UID = re.compile(r"(?P<local>[^@]+)-(?P<year>\d{4})@(?P<domain>.+)")
Expanded = dict[str, list[tuple[str, str]]]  # a series' summary -> its person's birthday days: (date, summary)


def series_uid(uid: str) -> str | None:
    """The UID of the series a one-off's UID names (None for any other UID)."""
    match = ONE_OFF_UID.fullmatch(uid)
    return f"{match['local']}@{match['domain']}" if match else None


def _person(uid: str, series: dict[str, str], series_only: bool) -> str | None:
    """The series summary whose person the event `uid` belongs to: the series' own, or one of its one-offs'."""
    if uid in series:
        return series[uid]
    owner = series_uid(uid)
    return None if series_only or owner is None else series.get(owner)


def expand_python(
    data: bytes, start: date = EXPAND_FROM, end: date = EXPAND_TO, *, series_only: bool = False
) -> Expanded:
    """Birthday days by recurring_ical_events, keyed by the series' summary: what the series gives plus the
    one-offs that replace its days (`series_only`: the series' occurrences alone)."""
    cal = parse_icalendar(data)
    series = {str(ev["UID"]): str(ev["SUMMARY"]) for ev in cal.walk("VEVENT") if "RRULE" in ev}
    out: Expanded = {name: [] for name in series.values()}
    for occ in recurring_ical_events.of(cal).between(start, end):
        name = _person(str(occ["UID"]), series, series_only)
        if name is not None:
            out[name].append((occ["DTSTART"].dt.isoformat(), str(occ["SUMMARY"])))
    return {name: sorted(occurrences) for name, occurrences in out.items()}


def expand_icaljs(
    path: Path, start: date = EXPAND_FROM, end: date = EXPAND_TO, *, default_event: bool = False,
    series_only: bool = False,
) -> Expanded:  # fmt: skip
    """`expand_python` by ical.js (`default_event`: read as ical.js's default ICAL.Event reads it)."""
    report = icaljs_check(path, start, end - timedelta(days=1), default_event=default_event)
    series = {ev["uid"]: ev["summary"] for ev in report["events"] if ev["recurring"]}
    out: Expanded = {name: [] for name in series.values()}
    for ev in report["events"]:
        name = _person(ev["uid"], series, series_only)
        if name is not None:
            out[name] += [(o["start"], o["summary"]) for o in ev["occurrences"]]
    return {name: sorted(occurrences) for name, occurrences in out.items()}


def set_alarm(root: Path, alarm: str | None) -> None:
    """Set (or remove) `[calendar] alarm` in the vault's vaultnet.toml."""
    toml = root / "vaultnet.toml"
    lines = [line for line in toml.read_text(encoding="utf-8").splitlines() if not line.startswith("alarm =")]
    if alarm is not None:
        lines.insert(lines.index("[calendar]") + 1, f'alarm = "{alarm}"')
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
