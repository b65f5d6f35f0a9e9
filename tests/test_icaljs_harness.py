"""Self-tests for the ical.js harness (tests/icaljs.py) on hand-written iCalendar text."""

from __future__ import annotations

import datetime
import pathlib
from typing import Any

import pytest
from icaljs import icaljs_check

D = datetime.date


def write_ics(tmp_path: pathlib.Path, *events: str) -> pathlib.Path:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//vaultnet//harness test//EN"]
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    path = tmp_path / "test.ics"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def event(uid: str, start: str, end: str, summary: str, *extra: str) -> str:
    return "\n".join(
        [
            f"UID:{uid}",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART;VALUE=DATE:{start}",
            f"DTEND;VALUE=DATE:{end}",
            f"SUMMARY:{summary}",
            *extra,
        ]
    )


def test_yearly_birthday(tmp_path: pathlib.Path) -> None:
    ics = write_ics(tmp_path, event("bday-ada@test", "19900315", "19900316", "Ada", "RRULE:FREQ=YEARLY"))
    report = icaljs_check(ics, D(2026, 1, 1), D(2027, 12, 31))

    assert report["calendar"]["props"]["VERSION"] == "2.0"
    [ev] = report["events"]
    assert ev["isDate"] is True
    assert ev["recurring"] is True
    assert ev["start"] == "1990-03-15"
    assert ev["end"] == "1990-03-16"
    assert ev["occurrences"] == [
        {"start": "2026-03-15", "summary": "Ada"},
        {"start": "2027-03-15", "summary": "Ada"},
    ]


def test_feb29_birthday_falls_back_to_feb28(tmp_path: pathlib.Path) -> None:
    rrule = "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
    ics = write_ics(tmp_path, event("bday-leap@test", "19920229", "19920301", "Leap", rrule))
    report = icaljs_check(ics, D(2027, 1, 1), D(2028, 12, 31))

    [ev] = report["events"]
    assert [o["start"] for o in ev["occurrences"]] == ["2027-02-28", "2028-02-29"]


def test_recurrence_id_override(tmp_path: pathlib.Path) -> None:
    ics = write_ics(
        tmp_path,
        event("bday-bob@test", "19800610", "19800611", "Bob", "RRULE:FREQ=YEARLY"),
        event("bday-bob@test", "20270610", "20270611", "Bob turns 47", "RECURRENCE-ID;VALUE=DATE:20270610"),
        event("other@test", "20270610", "20270611", "Unrelated"),
    )
    report = icaljs_check(ics, D(2026, 1, 1), D(2028, 12, 31))

    master, override, other = report["events"]
    assert master["recurrenceId"] is None
    assert master["occurrences"] == [
        {"start": "2026-06-10", "summary": "Bob"},
        {"start": "2027-06-10", "summary": "Bob turns 47"},
        {"start": "2028-06-10", "summary": "Bob"},
    ]
    assert override["uid"] == "bday-bob@test"
    assert override["recurrenceId"] == "2027-06-10"
    assert override["summary"] == "Bob turns 47"
    assert override["occurrences"] == []  # counted once, on the master
    assert other["occurrences"] == [{"start": "2027-06-10", "summary": "Unrelated"}]


def two_birthdays_on_one_day(tmp_path: pathlib.Path, *, exdate: bool) -> pathlib.Path:
    """Alice and Bob, both born on 10 June, each with their age on 2027-06-10: by an override per series
    (RECURRENCE-ID), or by an EXDATE on each series plus a one-off event of its own (what vaultnet writes)."""
    events = []
    for name, born in (("Alice", 1990), ("Bob", 1991)):
        uid = f"bday-{name.lower()}@test"
        skip = ("EXDATE;VALUE=DATE:20270610",) if exdate else ()
        events.append(event(uid, f"{born}0610", f"{born}0611", name, "RRULE:FREQ=YEARLY", *skip))
        age = f"{name} turns {2027 - born}"
        if exdate:
            events.append(event(f"bday-{name.lower()}-2027@test", "20270610", "20270611", age))
        else:
            events.append(event(uid, "20270610", "20270611", age, "RECURRENCE-ID;VALUE=DATE:20270610"))
    return write_ics(tmp_path, *events)


def shown_on(report: dict[str, Any], day: str) -> list[str]:
    """Every summary a viewer shows on `day`: the occurrences of every event, sorted."""
    return sorted(o["summary"] for ev in report["events"] for o in ev["occurrences"] if o["start"] == day)


def test_default_icaljs_event_shows_one_override_under_both_series(tmp_path: pathlib.Path) -> None:
    """The issue's scenario, and what `default_event` is for: ical.js's default ICAL.Event relates every
    override in the calendar to every series, so Alice's day says "Bob turns 36" too. Related by UID (the
    harness's usual mode) each shows its own."""
    ics = two_birthdays_on_one_day(tmp_path, exdate=False)
    naive = icaljs_check(ics, D(2027, 1, 1), D(2027, 12, 31), default_event=True)
    assert shown_on(naive, "2027-06-10") == ["Bob turns 36", "Bob turns 36"]
    related = icaljs_check(ics, D(2027, 1, 1), D(2027, 12, 31))
    assert shown_on(related, "2027-06-10") == ["Alice turns 37", "Bob turns 36"]


def test_exdate_and_a_one_off_show_each_age_once_in_both_modes(tmp_path: pathlib.Path) -> None:
    ics = two_birthdays_on_one_day(tmp_path, exdate=True)
    for default_event in (True, False):
        report = icaljs_check(ics, D(2026, 1, 1), D(2028, 12, 31), default_event=default_event)
        assert shown_on(report, "2027-06-10") == ["Alice turns 37", "Bob turns 36"]
        assert shown_on(report, "2026-06-10") == shown_on(report, "2028-06-10") == ["Alice", "Bob"]


def test_garbage_is_rejected(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "garbage.ics"
    path.write_bytes(b"this is not\r\nan iCalendar file\r\n")
    with pytest.raises(AssertionError, match=r"ical\.js rejected .*parse error"):
        icaljs_check(path, D(2026, 1, 1), D(2026, 12, 31))
