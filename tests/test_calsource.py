"""Calendars as a source of interactions (vaultnet.calsource, issue 13): one test per rule of the reader.

The fixtures in tests/data/sources/calendars are shaped as the tools keep them: `vdir/` as vdirsyncer syncs a
CalDAV account (a folder per calendar with its `displayname` and `color`, a file per event named by its href,
written by Nextcloud's calendar app, Thunderbird, iCloud and khal), and `google/` as Google Calendar exports one
calendar (X-WR-CALNAME, X-WR-TIMEZONE, UTC times, many VEVENTs, a recurring one with an exception).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vaultkit import TODAY, checkout_env, time_limit

from vaultnet import calsource
from vaultnet.calsource import (
    DAYS_AHEAD,
    MAX_WITHIN_A_DAY,
    calendar_files,
    read_calendar,
    read_window,
)
from vaultnet.model import Captured
from vaultnet.problems import Problem
from vaultnet.sources_common import hashed

CALENDARS = Path(__file__).resolve().parent / "data" / "sources" / "calendars"
VDIR = CALENDARS / "vdir"
GOOGLE = CALENDARS / "google" / "me@example.com.ics"
WEEKLY = VDIR / "work" / "7C9E6679-7425-40DE-944B-E07FC1F90AE7.ics"
DECLINED = VDIR / "work" / "0D3F8E4A-61B2-4C7E-9A15-2B8C6E1F4D90.ics"
CANCELLED = VDIR / "work" / "5B1E9C72-3D48-4F06-8E2A-91C7D3B0A6F4.ics"
MIDNIGHT = VDIR / "work" / "e3b1c2d4-9f5a-4b6c-8d7e-0f1a2b3c4d5e.ics"
ALL_DAY = VDIR / "personal" / "B5A3C1E7-24D6-4F8B-9E0A-7C6D5B4A3928.ics"
KHAL = VDIR / "personal" / "QX3V7KJ2M9HD4W8RT6ZB1NC5PLF0YG.ics"
ME = frozenset({"me@example.com", "me@work.example"})


def read(path: Path, me: frozenset[str] = ME, today: date = TODAY) -> list[Captured]:
    """The file's records; a fixture reads without a problem."""
    records, problems = read_calendar(path.read_bytes(), path.name, me, today)
    assert problems == []
    return records


def read_with(path: Path, old: bytes, new: bytes) -> list[Captured]:
    """The file's records with `old` replaced by `new`: the control that shows a test can fail."""
    records, problems = read_calendar(path.read_bytes().replace(old, new), path.name, ME, TODAY)
    assert problems == []
    return records


def past(records: list[Captured]) -> list[Captured]:
    return [record for record in records if record.day <= TODAY]


def days(records: list[Captured]) -> list[str]:
    return [record.day.isoformat() for record in past(records)]


def event(*lines: str, uid: str = "test-1@example.com") -> str:
    body = "\n".join(lines)
    return f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T000000Z\n{body}\nEND:VEVENT"


def calendar(*events: str) -> bytes:
    text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//vaultnet tests//EN\n" + "\n".join(events) + "\nEND:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def warnings_only(problems: list[Problem], path: str) -> None:
    assert all(p.severity == "warning" and p.path == path and p.line == 0 for p in problems), problems


def test_importing_the_reader_loads_no_calendar_library() -> None:
    """A build whose vault has no calendar source never pays for icalendar (tests/test_cli_process.py)."""
    code = "import sys, vaultnet.calsource; print(sorted(m for m in sys.modules if 'ical' in m or 'x_wr' in m))"
    result = subprocess.run([sys.executable, "-c", code], env=checkout_env(), capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr


# -- which files a source is ---------------------------------------------------------------------------------------


def test_a_vdir_is_every_ics_file_below_it_sorted() -> None:
    files = calendar_files(VDIR)
    assert files == sorted([WEEKLY, DECLINED, CANCELLED, MIDNIGHT, ALL_DAY, KHAL])  # not displayname or color
    assert calendar_files(GOOGLE) == [GOOGLE]  # an export is named as the file itself


def test_hidden_files_and_folders_below_a_source_are_skipped_but_the_source_may_be_hidden(tmp_path: Path) -> None:
    source = tmp_path / ".calendars" / "work"  # where vdirsyncer's docs put them
    (source / ".trash").mkdir(parents=True)
    (source / "sub").mkdir()
    for name in ("b.ics", "sub/a.ICS", ".hidden.ics", ".trash/c.ics", "notes.txt"):
        (source / name).write_bytes(b"")
    assert calendar_files(source) == [source / "b.ics", source / "sub" / "a.ICS"]
    assert calendar_files(tmp_path / "missing") == []
    export = tmp_path / "calendar.ical"  # a file the user names is read whatever its name
    export.write_bytes(b"")
    assert calendar_files(export) == [export]


# -- what a file's events say --------------------------------------------------------------------------------------


def test_a_weekly_rule_gives_a_meeting_on_each_weeks_day() -> None:
    records = read(WEEKLY)
    assert days(records) == [
        "2026-09-01", "2026-09-08", "2026-09-24", "2026-09-29", "2026-10-20",
        "2026-10-27", "2026-11-03", "2026-11-10", "2026-11-17",
    ]  # fmt: skip
    first = records[0]
    assert (first.kind, first.title, first.addresses) == ("meeting", "Weekly sync", ("jane.doe@example.com",))


def test_an_exdate_takes_its_day_out() -> None:
    assert "2026-09-15" not in days(read(WEEKLY))
    assert "2026-09-15" in days(read_with(WEEKLY, b"EXDATE;TZID=Europe/Berlin:20260915T100000\r\n", b""))


def test_an_occurrence_moved_by_recurrence_id_counts_on_its_new_day_with_its_own_title() -> None:
    records = {record.day.isoformat(): record for record in read(WEEKLY)}
    assert "2026-09-22" not in records
    assert records["2026-09-24"].title == "Weekly sync (moved: offsite on Tuesday)"
    google = {record.day.isoformat(): record.title for record in read(GOOGLE)}
    assert "2026-10-05" not in google and google["2026-10-06"] == "Team sync (Tuesday this time)"


def test_a_cancelled_occurrence_does_not_count() -> None:
    assert "2026-10-06" not in days(read(WEEKLY))
    assert "2026-10-06" in days(read_with(WEEKLY, b"STATUS:CANCELLED", b"STATUS:CONFIRMED"))  # the test can fail


def test_a_cancelled_event_does_not_count() -> None:
    assert read(CANCELLED) == []
    assert [r.title for r in read_with(CANCELLED, b"STATUS:CANCELLED", b"STATUS:CONFIRMED")] == ["Coffee with Carol"]
    assert "Lunch with Bob" not in {record.title for record in read(GOOGLE)}


def test_an_event_or_an_occurrence_i_declined_does_not_count() -> None:
    assert read(DECLINED) == []
    assert "2026-10-13" not in days(read(WEEKLY))  # declined in its RECURRENCE-ID exception only
    assert "Board dinner" not in {record.title for record in read(GOOGLE)}
    # Someone else's decline is theirs, and `me` is matched in any case (the file says Me@Work.Example).
    assert [r.title for r in read(DECLINED, me=frozenset({"someone@else.example"}))] == ["Quarterly planning"]
    assert read(DECLINED, me=frozenset({"ME@WORK.EXAMPLE"})) == []


def test_occurrences_are_read_up_to_a_year_ahead_and_no_further() -> None:
    first, last = read_window(TODAY)
    assert last == TODAY + timedelta(days=DAYS_AHEAD)
    records = read(WEEKLY)  # an open-ended weekly rule
    assert max(record.day for record in records) == date(2027, 11, 16)  # the last Tuesday up to 2027-11-22
    assert all(first <= record.day <= last for record in records)


def test_the_day_is_the_start_day_in_the_events_own_time_zone() -> None:
    (call,) = read(MIDNIGHT)  # 00:30 in Berlin is 23:30 UTC the day before
    assert call.day == date(2026, 11, 10)
    # Google's export writes UTC and names the calendar's zone in X-WR-TIMEZONE: 23:30Z is the next day in Berlin.
    late = [record for record in read(GOOGLE) if record.title.startswith("Late call")]
    assert [record.day for record in late] == [date(2026, 11, 3)]


def test_an_all_day_event_counts_by_title_only_on_its_first_day() -> None:
    (hike,) = read(ALL_DAY)
    assert (hike.day, hike.title, hike.by_title_only, hike.addresses) == (
        date(2026, 11, 7), "Hike with [[Ada Lovelace]]", True, ())  # fmt: skip
    conference = [record for record in read(GOOGLE) if record.by_title_only]
    assert [(r.day, r.title) for r in conference] == [(date(2026, 10, 15), "Conference with Grace Hopper")]
    assert not any(record.by_title_only for record in read(WEEKLY) + read(MIDNIGHT) + read(KHAL))


def test_addresses_are_lower_cased_once_each_in_order_and_never_mine() -> None:
    (call,) = read(MIDNIGHT)  # ORGANIZER Grace@Hopper.Example and ATTENDEE grace@hopper.example: one person
    assert call.addresses == ("grace@hopper.example",)
    team = [record for record in read(GOOGLE) if record.title == "Team sync"]
    assert {record.addresses for record in team} == {("bob@stone.example", "jane.doe@example.com")}  # MAILTO:Bob@...
    everything = [record for path in [*calendar_files(VDIR), GOOGLE] for record in read(path)]
    assert all(address == address.lower() and address not in ME for r in everything for address in r.addresses)
    mine_in_any_case = frozenset({"ME@EXAMPLE.COM", "Me@Work.Example"})
    assert all(not set(r.addresses) & ME for path in (WEEKLY, GOOGLE) for r in read(path, me=mine_in_any_case))


def test_a_common_name_with_commas_keeps_the_attendees_apart() -> None:
    late = [record for record in read(GOOGLE) if record.title.startswith("Late call")]
    assert late[0].addresses == ("carol.oneil@example.org",)  # CN="O'Neil, Carol"
    # Unquoted, as some writers do: the comma splits the CN, and nothing else.
    data = calendar(
        event(
            "DTSTART:20261101T100000Z",
            "SUMMARY:Review",
            "ATTENDEE;CN=Doe, Jane;PARTSTAT=DECLINED:mailto:me@example.com",
            "ATTENDEE;CN=Roe, Rick;PARTSTAT=ACCEPTED:mailto:Rick.Roe@Example.net",
        )
    )
    assert read_calendar(data, "x.ics", ME, TODAY) == ([], [])  # my decline is still seen
    records, _ = read_calendar(data, "x.ics", frozenset(), TODAY)
    assert records[0].addresses == ("me@example.com", "rick.roe@example.net")


def test_the_source_is_the_hashed_uid_and_the_day() -> None:
    records = read(WEEKLY)
    assert records[0].source == hashed("7c9e6679-7425-40de-944b-e07fc1f90ae7") + "/2026-09-01"
    assert len({record.source for record in records}) == len(records)
    assert read(WEEKLY) == records  # the same bytes, the same records
    no_uid = calendar("BEGIN:VEVENT\nDTSTART:20261101T100000Z\nSUMMARY:No UID\nEND:VEVENT")
    (record,), problems = read_calendar(no_uid, "x.ics", ME, TODAY)
    assert problems == [] and record.source.endswith("/2026-11-01")


def test_a_google_export_gives_every_event_of_the_file() -> None:
    assert [(record.day.isoformat(), record.title) for record in past(read(GOOGLE))] == [
        ("2026-09-07", "Team sync"),
        ("2026-09-21", "Team sync"),
        ("2026-10-06", "Team sync (Tuesday this time)"),
        ("2026-10-12", "Coffee"),
        ("2026-10-15", "Conference with Grace Hopper"),
        ("2026-10-19", "Team sync"),
        ("2026-10-28", "Dentist"),
        ("2026-11-02", "Team sync"),
        ("2026-11-03", "Late call, Carol's time zone"),
        ("2026-11-16", "Team sync"),
    ]  # not the declined dinner, the cancelled lunch, nor the reunion of 2014 (more than ten years back)


def test_several_calendars_in_one_file_are_all_read() -> None:
    both = MIDNIGHT.read_bytes() + ALL_DAY.read_bytes()
    records, problems = read_calendar(both, "both.ics", ME, TODAY)
    assert problems == [] and [r.title for r in records] == ["Hike with [[Ada Lovelace]]", "Call with the Tokyo office"]


def test_at_most_ten_years_back() -> None:
    first, last = read_window(TODAY)
    assert first == date(2016, 11, 21)
    assert read_window(date(2028, 2, 29))[0] == date(2018, 2, 28)
    daily = calendar(event("DTSTART:19900101T090000Z", "RRULE:FREQ=DAILY", "SUMMARY:Stand-up"))
    records, problems = read_calendar(daily, "daily.ics", ME, TODAY)
    assert problems == []
    assert (records[0].day, records[-1].day, len(records)) == (first, last, (last - first).days + 1)


def test_a_file_that_is_not_icalendar_is_a_warning_and_gives_nothing() -> None:
    vcard = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nEND:VCARD\r\n"
    for data in (b"", b"\x00\xff garbage \x89PNG", b"not a calendar\r\n", vcard):
        records, problems = read_calendar(data, "work/broken.ics", ME, TODAY)
        assert records == [] and len(problems) == 1, data
        warnings_only(problems, "work/broken.ics")
        assert "not an iCalendar file" in problems[0].message


def test_a_broken_event_is_a_warning_and_the_others_are_read() -> None:
    data = calendar(
        event("DTSTART:20261101T100000Z", "SUMMARY:Fine", uid="fine"),
        event("DTSTART:2026AB01T100000Z", "SUMMARY:Bad start", uid="bad-start"),
        event("DTSTART:20261102T100000Z", "RRULE:FREQ=BOGUS", "SUMMARY:Bad rule", uid="bad-rule"),
        event("DTSTART:20261103T100000Z", "DTSTART:20261104T100000Z", "SUMMARY:Two starts", uid="two-starts"),
        event("DTSTART:20261105T100000Z", "RRULE:FREQ=DAILY;COUNT=3", "SUMMARY:Series", uid="no-start"),
        event("RECURRENCE-ID:20261106T100000Z", "SUMMARY:Its exception has no start", uid="no-start"),
    )
    records, problems = read_calendar(data, "mixed.ics", ME, TODAY)
    assert [record.title for record in records] == ["Fine"]
    warnings_only(problems, "mixed.ics")
    assert [p.message for p in problems] == ["4 events could not be read (a broken date or rule): left out"]


def test_a_rule_repeating_within_a_day_is_read_only_with_a_small_count() -> None:
    secondly = calendar(event("DTSTART:20160101T000000Z", "RRULE:FREQ=SECONDLY", "SUMMARY:Flood", uid="flood"))
    with time_limit(5):  # expanded, it would be 340 million occurrences: gigabytes, minutes (the alarm fails it first)
        records, problems = read_calendar(secondly, "flood.ics", ME, TODAY)
    assert records == [] and [p.message for p in problems] == [
        "1 event left out: repeating within a day without a COUNT"
    ]
    spread = calendar(event("DTSTART:20261101T000000Z", "RRULE:FREQ=DAILY;BYMINUTE=0,30", "SUMMARY:Spread"))
    assert read_calendar(spread, "spread.ics", ME, TODAY)[0] == []
    block = f"RRULE:FREQ=HOURLY;COUNT={MAX_WITHIN_A_DAY}"
    sessions = calendar(event("DTSTART:20261101T090000Z", block, "SUMMARY:Workshop"))
    records, problems = read_calendar(sessions, "workshop.ics", ME, TODAY)
    assert problems == [] and len(records) == 43  # once a day: 1,000 hours from 1 November 09:00 end 13 December


def test_a_rule_with_an_interval_below_one_is_left_out() -> None:
    endless = calendar(event("DTSTART:20261101T100000Z", "RRULE:FREQ=DAILY;INTERVAL=0", "SUMMARY:Stuck"))
    with time_limit(5):  # dateutil would list 1 November until memory runs out
        records, problems = read_calendar(endless, "stuck.ics", ME, TODAY)
    assert records == [] and [p.message for p in problems] == [
        "1 event left out: a rule with an INTERVAL below 1 never ends"
    ]


def test_reading_a_file_stops_at_its_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that never occurs costs dateutil seconds; a file of them stops after MAX_SECONDS (at least one
    event read), and one that makes too many occurrences at MAX_OCCURRENCES."""
    three = calendar(*(event("DTSTART:20261101T100000Z", "RRULE:FREQ=WEEKLY;COUNT=3", uid=uid) for uid in "abc"))
    monkeypatch.setattr(calsource, "MAX_SECONDS", 0.0)
    records, problems = read_calendar(three, "slow.ics", ME, TODAY)
    assert len(records) == 3 and [p.message for p in problems] == ["stopped after 0 s, 1 of 3 events read"]
    monkeypatch.setattr(calsource, "MAX_SECONDS", 10.0)
    monkeypatch.setattr(calsource, "MAX_OCCURRENCES", 7)
    records, problems = read_calendar(three, "many.ics", ME, TODAY)
    assert len(records) == 6 and [p.message for p in problems] == ["stopped at 7 occurrences, 2 of 3 events read"]


# -- nothing a file holds raises -----------------------------------------------------------------------------------

# The lines that the events of a random file are made of, whole ones more often than broken ones: what reaches
# the recurrence and the attendee code, not only the parser. An event has a UID of two (or none) and one start.
STARTS = [
    "DTSTART:20261101T100000Z",
    "DTSTART;VALUE=DATE:20261101",
    "DTSTART;TZID=Europe/Berlin:20261101T003000",
    "DTSTART;TZID=Nowhere/Else:20261101T003000",
    "DTSTART:20160101T235959",
    "",  # none
    "DTSTART:20261301T250000",  # broken
    "DTSTART;VALUE=PERIOD:20261101T100000Z/PT1H",
]
WHOLE = [
    "DTEND:20261101T110000Z",
    "DTEND;VALUE=DATE:20261102",
    "DURATION:PT1H",
    "RRULE:FREQ=WEEKLY;COUNT=3",
    "RRULE:FREQ=DAILY;UNTIL=20261105",
    "RRULE:FREQ=WEEKLY;BYDAY=MO,TU;UNTIL=20261201T000000Z",
    "RRULE:FREQ=MONTHLY",
    "RRULE:FREQ=MINUTELY",
    "RRULE:FREQ=HOURLY;BYHOUR=1,2;COUNT=5000",
    "RDATE:20261102T100000Z,20261103T100000Z",
    "RDATE;VALUE=PERIOD:20261104T100000Z/PT1H",
    "RDATE;VALUE=DATE:20261105",
    "EXDATE:20261108T100000Z",
    "EXDATE;VALUE=DATE:20261109",
    "RECURRENCE-ID:20261108T100000Z",
    "RECURRENCE-ID;VALUE=DATE:20261102",
    "RECURRENCE-ID;RANGE=THISANDFUTURE:20261115T100000Z",
    "STATUS:CANCELLED",
    "STATUS:",
    "SUMMARY:[[Jane Doe]]",
    "SUMMARY:\\,\\;\\n",
    "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com",
    "ATTENDEE;PARTSTAT=DECLINED;PARTSTAT=ACCEPTED:mailto:ME@example.com",
    'ATTENDEE;CN="Doe, Jane":MAILTO:Jane@Example.com',
    "ATTENDEE:mailto:",
    "ATTENDEE:urn:uuid:1234",
    "ORGANIZER;CN=x:mailto:Bob@Example.org",
    "ORGANIZER:mailto:me@work.example",
]
BROKEN = [
    "DTEND:20261031T100000Z",
    "DURATION:-P1D",
    "RRULE:FREQ=YEARLY;BYMONTH=13",
    "RRULE:FREQ=",
    "RRULE:FREQ=DAILY;INTERVAL=0",
    "DTSTART:2026",
]
CALENDAR_LINES = ["X-WR-TIMEZONE:Europe/Berlin", "X-WR-TIMEZONE:Not/AZone", "CALSCALE:JULIAN", *["METHOD:PUBLISH"] * 5]
STRAY = [" folded continuation", ":no name", "\x00\x1b[31m", "END:VEVENT", "BEGIN:VALARM", "BEGIN:VEVENT"]


def assert_sound(data: bytes) -> None:
    records, problems = read_calendar(data, "fuzz.ics", ME, TODAY)
    warnings_only(problems, "fuzz.ics")
    first, last = read_window(TODAY)
    for record in records:
        assert record.kind == "meeting" and first <= record.day <= last
        assert all(address == address.lower() and address not in ME for address in record.addresses)


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_warning_and_no_exception(data: bytes) -> None:
    records, problems = read_calendar(data, "fuzz.ics", ME, TODAY)
    assert records == [] and len(problems) == 1
    warnings_only(problems, "fuzz.ics")


@st.composite
def calendar_files_of_pieces(draw: st.DrawFn) -> bytes:
    lines = ["BEGIN:VCALENDAR", *draw(st.lists(st.sampled_from(CALENDAR_LINES), max_size=1))]
    for _ in range(draw(st.integers(1, 4))):
        head = [draw(st.sampled_from(["UID:a", "UID:b", ""])), draw(st.sampled_from(STARTS))]
        properties = draw(st.lists(st.sampled_from(WHOLE * 6 + BROKEN), max_size=8))
        lines += ["BEGIN:VEVENT", *head, *properties, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # now and then a line that breaks the structure
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(STRAY)))
    return draw(st.sampled_from(["\r\n", "\n"])).join(line for line in lines if line).encode()


@settings(
    max_examples=300, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=calendar_files_of_pieces())
def test_any_file_of_calendar_pieces_is_read_without_an_exception(data: bytes) -> None:
    assert_sound(data)


@settings(max_examples=100, deadline=None, database=None, derandomize=True)
@given(
    source=st.sampled_from([WEEKLY, GOOGLE, MIDNIGHT]),
    cuts=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.binary(max_size=8)), max_size=6),
)
def test_a_damaged_real_file_is_read_without_an_exception(source: Path, cuts: list[tuple[int, int, bytes]]) -> None:
    data = source.read_bytes()
    for at, length, new in cuts:  # each cut replaces some bytes with others: a truncation, a flipped byte
        at %= len(data) + 1
        data = data[:at] + new + data[at + length :]
    assert_sound(data)


@pytest.mark.parametrize("path", [WEEKLY, GOOGLE])
def test_the_fixtures_are_real_icalendar_with_crlf_and_folded_lines(path: Path) -> None:
    """The fixtures stay shaped as the tools write them (CRLF, lines folded at 75 octets)."""
    data = path.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.count(b"\n") == data.count(b"\r\n")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
