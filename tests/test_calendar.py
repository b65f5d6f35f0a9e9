"""The reminder calendar (.ics) as clients see it: three independent parsers, the raw bytes, stable UIDs,
where follow-ups land, escaping and alarms (birthdays: test_ics_birthdays.py; DTSTAMP/SEQUENCE:
test_ics_revisions.py; escape() and fold(): test_ics_text.py).

Every calendar here is built by the real pipeline from a real vault in a temporary folder: the sample
vault of the golden tests (tests/data/sample-vault) or a small vault written by the test.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from icskit import (
    ADA,
    CALENDAR_NAME,
    LATER_MTIME_NS,
    build_ics,
    by_summary,
    header,
    icalendar_keys,
    icaljs_keys,
    ics_file,
    logical_lines,
    one,
    parse_icalendar,
    parse_icaljs,
    parse_vobject,
    raw_events,
    sample_calendar,
    series_uid,
    set_alarm,
    summaries,
    uids,
    unescape,
    vobject_keys,
)
from vaultkit import TODAY, put, write_vault
from vaultkit import fm as contact

from vaultnet import pipeline


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, bytes]]:
    """The sample vault built on TODAY: (vault folder, calendar bytes)."""
    yield from sample_calendar(tmp_path_factory)


# -- three parsers --------------------------------------------------------------------------------


def test_sample_calendar_is_valid_for_three_parsers_and_they_agree(sample: tuple[Path, bytes]) -> None:
    root, data = sample
    from_icalendar = icalendar_keys(parse_icalendar(data))
    from_vobject = vobject_keys(parse_vobject(data))
    from_icaljs = icaljs_keys(parse_icaljs(ics_file(root)))

    assert len(from_icalendar) == data.count(b"BEGIN:VEVENT") == 18
    assert from_icalendar == from_vobject == from_icaljs
    assert "Get back to Chen, Wei; the 🚀 founder" in {summary for _, _, summary in from_icaljs}


def test_calendar_name_is_escaped_and_reads_back(sample: tuple[Path, bytes]) -> None:
    root, data = sample
    props = {p.name: p for p in header(data)}
    assert props["NAME"].value == props["X-WR-CALNAME"].value == r"Golden sample\, work\; private"
    # vobject knows NAME and X-WR-CALNAME as TEXT; icalendar 7.3 and ical.js keep them as unknown
    # (still escaped) values, which unescape to the configured name.
    cal = parse_vobject(data)
    assert cal.contents["name"][0].value == cal.contents["x-wr-calname"][0].value == CALENDAR_NAME
    assert unescape(str(parse_icalendar(data)["X-WR-CALNAME"])) == CALENDAR_NAME
    assert unescape(parse_icaljs(ics_file(root))["calendar"]["props"]["X-WR-CALNAME"]) == CALENDAR_NAME


# -- the raw bytes --------------------------------------------------------------------------------


def test_line_endings_and_folding(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert data.count(b"\n") == data.count(b"\r\n"), "bare LF"
    assert data.count(b"\r") == data.count(b"\r\n"), "bare CR"
    physical = data.split(b"\r\n")[:-1]
    too_long = [line for line in physical if len(line) > 75]
    assert too_long == []
    for line in physical:
        line.decode("utf-8")  # a fold never splits a UTF-8 character
    folded = [line for line in physical if line.startswith(b" ")]
    assert folded, "the sample vault has long descriptions: some lines must be folded"
    assert any(not line.isascii() for line in folded), "folded lines with multi-byte characters are checked"


def test_calendar_header(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    lines = logical_lines(data)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    head = [f"{p.name}{p.params}:{p.value}" for p in header(data)]
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in head
    assert "X-PUBLISHED-TTL:PT12H" in head
    assert any(line.startswith("PRODID:") for line in head)
    assert not [line for line in lines if line.startswith(("METHOD", "METHOD;"))]
    cal = parse_icalendar(data)
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=12)


def test_every_event_is_an_all_day_transparent_event_with_utc_stamps(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    events = raw_events(data)
    assert len(events) == 18
    for props in events:
        start, end = one(props, "DTSTART"), one(props, "DTEND")
        assert start.params == end.params == ";VALUE=DATE"
        first = datetime.strptime(start.value, "%Y%m%d").date()
        last = datetime.strptime(end.value, "%Y%m%d").date()
        assert last == first + timedelta(days=1)  # DTEND > DTSTART, exclusive next day
        assert re.fullmatch(r"\d{8}T\d{6}Z", one(props, "DTSTAMP").value)
        assert re.fullmatch(r"\d{8}T\d{6}Z", one(props, "LAST-MODIFIED").value)
        assert 0 <= int(one(props, "SEQUENCE").value) < 2**31
        assert one(props, "TRANSP").value == "TRANSPARENT"
        assert [p for p in props if p.name == "RECURRENCE-ID"] == []  # no overrides: see test_ics_birthdays.py
        assert all(p.params == ";VALUE=DATE" for p in props if p.name == "EXDATE")
    for ev in parse_icalendar(data).walk("VEVENT"):
        assert type(ev["DTSTART"].dt) is date and type(ev["DTEND"].dt) is date
        assert ev["DTEND"].dt > ev["DTSTART"].dt
        assert ev["DTSTAMP"].dt.utcoffset() == timedelta(0)


# -- UIDs -----------------------------------------------------------------------------------------


def test_uids_are_stable_when_the_name_changes(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {"contacts/ada.md": ADA})
    before = build_ics(root)
    put(root, "contacts/ada.md", ADA.replace("Ada Lovelace", "Augusta Ada King"), mtime_ns=LATER_MTIME_NS)
    after = build_ics(root)

    assert "Get back to Augusta Ada King" in summaries(after)  # the rename was seen
    assert len(uids(before)) == 4  # birthday, its "turns 211" (on 2026-12-10), follow-up, promise
    assert uids(after) == uids(before)


def test_uids_are_stable_across_runs_and_folders(tmp_path: Path) -> None:
    first = build_ics(write_vault(tmp_path / "a", {"contacts/ada.md": ADA}))
    second = build_ics(write_vault(tmp_path / "b", {"contacts/ada.md": ADA}))
    assert uids(first) == uids(second)
    assert first == second


def test_uids_differ_per_kind_and_per_contact(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    counts = Counter(one(p, "UID").value for p in raw_events(data))
    assert [uid for uid, n in counts.items() if n > 1] == []
    assert len(counts) == 18  # 5 birthdays, 2 of them with their "turns N" one-off, 8 follow-ups, 3 promises
    # A one-off's UID is its series' with the year of its day, and it has no RRULE of its own.
    series = {one(p, "UID").value: p for p in raw_events(data) if [q for q in p if q.name == "RRULE"]}
    one_offs = {one(p, "UID").value: p for p in raw_events(data) if series_uid(one(p, "UID").value)}
    assert len(series) == 5 and len(one_offs) == 2
    for uid, props in one_offs.items():
        assert series_uid(uid) in series and not [q for q in props if q.name == "RRULE"]
        assert uid.split("@")[0].endswith("-" + one(props, "DTSTART").value[:4])


def test_two_contacts_with_one_name_get_different_uids(tmp_path: Path) -> None:
    note = contact(name="Sam Lee", cadence="none", follow_up="2026-12-01")
    root = write_vault(tmp_path / "v", {"contacts/sam-work.md": note, "contacts/sam-school.md": note})
    data = build_ics(root)
    assert len(uids(data)) == 2


def test_two_promises_with_the_same_text_get_different_uids(tmp_path: Path) -> None:
    """Two open tasks that read the same (a recurring chore, a copy-paste) are two events."""
    body = "- [ ] call back 📅 2026-11-25\n- [ ] call back 📅 2026-12-09\n"
    root = write_vault(tmp_path / "v", {"contacts/kim.md": contact(name="Kim", cadence="none", body=body)})
    data = build_ics(root)
    events = parse_icalendar(data).walk("VEVENT")
    assert sorted(ev["DTSTART"].dt for ev in events) == [date(2026, 11, 25), date(2026, 12, 9)]
    assert len({str(ev["UID"]) for ev in events}) == 2, "two VEVENTs share a UID (and neither is an override)"


def test_uids_contain_no_name_email_or_path(sample: tuple[Path, bytes]) -> None:
    root, data = sample
    words = {"anna", "schmidt", "example", "björn", "chen", "dana", "eve", "grace", "hopper", "hana", "ivan", "petrov"}
    words |= {p.stem.casefold() for p in root.rglob("*.md")}
    for uid in uids(data):
        assert not [w for w in words if w in uid.casefold()], uid
        assert "@example.org" not in uid


def test_uid_field_keeps_uids_across_a_rename(tmp_path: Path) -> None:
    with_uid = ADA.replace("name:", "uid: 0b7e6c1a-ada\nname:", 1)
    root = write_vault(tmp_path / "v", {"contacts/ada.md": with_uid, "contacts/bob.md": ADA.replace("Ada", "Bob")})
    before = build_ics(root)
    (root / "contacts/ada.md").rename(root / "contacts/Ada Lovelace.md")
    (root / "contacts/bob.md").rename(root / "contacts/Bob Lovelace.md")
    after = build_ics(root)

    ada_before = {str(ev["UID"]) for s, ev in by_summary(before).items() if "Ada" in s}
    ada_after = {str(ev["UID"]) for s, ev in by_summary(after).items() if "Ada" in s}
    bob_before = {str(ev["UID"]) for s, ev in by_summary(before).items() if "Bob" in s}
    bob_after = {str(ev["UID"]) for s, ev in by_summary(after).items() if "Bob" in s}
    assert len(ada_before) == 4 and ada_after == ada_before  # with the birthday's "turns 211" one-off
    # Without a `uid:` the UIDs come from the path, so a rename starts new events.
    assert len(bob_before) == 4 and not bob_after & bob_before


# -- where follow-ups land ------------------------------------------------------------------------


def test_every_due_item_is_visible_on_or_after_today(sample: tuple[Path, bytes]) -> None:
    root, data = sample
    _, plan = pipeline.due(root, TODAY)
    starts = summaries(data)
    due = [i for i in plan.due if i.kind != "birthday"]
    assert len(due) == 6
    for item in due:
        title = f"Get back to {item.name}" if item.kind == "follow-up" else f"Promise to {item.name}: {item.key}"
        assert starts[title] == TODAY, title  # overdue ones are moved to today


def test_future_and_snoozed_items_are_on_their_dates(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    starts = summaries(data)
    assert starts["Get back to Dana O'Brien"] == date(2026, 11, 24)  # one-off follow_up
    assert starts["Get back to Björn Ødegaard"] == date(2027, 2, 28)  # 2026-09-01 + 180d
    assert starts["Promise to Anna Schmidt: introduce her to Björn"] == date(2026, 12, 5)
    assert starts["Get back to Eve Example"] == date(2026, 12, 1)  # snoozed until
    assert starts["Promise to Eve Example: send the baby gift"] == date(2026, 12, 1)
    assert "Promise to Anna Schmidt: book the restaurant" not in starts  # done


def test_archived_broken_and_other_notes_have_no_events(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    text = "\n".join(logical_lines(data))
    assert "Frank" not in text
    assert "return the book" not in text
    assert "Broken Birthday" not in text
    assert "a task in a non-contact note" not in text
    assert "Get back to Ivan Petrov" in summaries(data)  # a contact outside contacts/


def test_archived_contact_alone_gives_an_empty_valid_calendar(tmp_path: Path) -> None:
    note = contact(name="Old Friend", birthday="1970-01-01", follow_up="2026-11-01", archived="true")
    root = write_vault(tmp_path / "v", {"contacts/old.md": note})
    data = build_ics(root)
    assert b"BEGIN:VEVENT" not in data
    parse_icalendar(data)
    assert parse_icaljs(ics_file(root))["events"] == []


# -- escaping round trips -------------------------------------------------------------------------

TRICKY_NAMES = {
    "contacts/a.md": ("'Comma, Semi; Back\\slash'", "Comma, Semi; Back\\slash"),
    "contacts/b.md": ('"Line one\\nLine two"', "Line one\nLine two"),
    "contacts/c.md": ("'C:\\New\\; \\, \\\\n'", "C:\\New\\; \\, \\\\n"),
    "contacts/d.md": ("Zoë 🦊 Ångström-Øster", "Zoë 🦊 Ångström-Øster"),
}


def test_escaping_round_trips_through_all_parsers(tmp_path: Path) -> None:
    notes = {
        rel: contact(name=raw, cadence="none", follow_up="2026-12-01", body="- [ ] send a, b; c\\d 📅 2026-12-02\n")
        for rel, (raw, _) in TRICKY_NAMES.items()
    }
    root = write_vault(tmp_path / "v", notes)
    data = build_ics(root)
    expected = {f"Get back to {name}" for _, name in TRICKY_NAMES.values()}
    expected |= {f"Promise to {name}: send a, b; c\\d" for _, name in TRICKY_NAMES.values()}

    assert {str(ev["SUMMARY"]) for ev in parse_icalendar(data).walk("VEVENT")} == expected
    assert {ev.summary.value for ev in parse_vobject(data).vevent_list} == expected
    assert {ev["summary"] for ev in parse_icaljs(ics_file(root))["events"]} == expected
    physical = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)


def test_description_round_trips(sample: tuple[Path, bytes]) -> None:
    root, data = sample
    ev = by_summary(data)["Get back to Chen, Wei; the 🚀 founder"]
    description = str(ev["DESCRIPTION"])
    assert "Founder, R&D \\ Ops; Labs, Inc." in description.split("\n")
    assert "Zürich, Tōkyō; 北京 and São Paulo" in description
    [js] = [e for e in parse_icaljs(ics_file(root))["events"] if e["summary"] == str(ev["SUMMARY"])]
    assert js["description"] == description


# -- alarms ---------------------------------------------------------------------------------------


def test_alarms_when_configured(sample_vault: Path) -> None:
    root = sample_vault
    assert b"VALARM" not in build_ics(root)
    set_alarm(root, "09:00")  # on a vault built before: nothing cached may hide the new setting
    data = build_ics(root)

    cal = parse_icalendar(data)
    events = cal.walk("VEVENT")
    assert len(events) == 18
    for ev in events:
        [alarm] = ev.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert str(alarm["DESCRIPTION"]) == str(ev["SUMMARY"])
        assert alarm["TRIGGER"].dt == timedelta(hours=9)
    assert icalendar_keys(cal) == vobject_keys(parse_vobject(data)) == icaljs_keys(parse_icaljs(ics_file(root)))
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert data.count(b"\n") == data.count(b"\r\n")

    set_alarm(root, "18:30")
    assert data.count(b"TRIGGER;") == build_ics(root).count(b"TRIGGER;RELATED=START:PT18H30M") == 18
    set_alarm(root, None)
    assert b"VALARM" not in build_ics(root)


def test_no_alarms_by_default(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    assert b"VALARM" not in data
