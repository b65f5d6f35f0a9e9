"""Self-tests for the ical.js harness (tests/icaljs.py) on hand-written iCalendar text."""

from __future__ import annotations

import datetime
import pathlib

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


def test_garbage_is_rejected(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "garbage.ics"
    path.write_bytes(b"this is not\r\nan iCalendar file\r\n")
    with pytest.raises(AssertionError, match=r"ical\.js rejected .*parse error"):
        icaljs_check(path, D(2026, 1, 1), D(2026, 12, 31))
