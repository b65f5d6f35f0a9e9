"""The reminder calendar (.ics) as clients see it: three independent parsers, the raw bytes, birthdays
expanded by two recurrence engines, stable UIDs, DTSTAMP/SEQUENCE from the notes, escaping and folding.

Every calendar here is built by the real pipeline from a real vault in a temporary folder: the sample
vault of the golden tests (tests/data/sample-vault) or a small vault written by the test.
"""

from __future__ import annotations

import re
from collections import Counter
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
from vaultkit import MTIME, TODAY, copy_sample, put, write_vault
from vaultkit import fm as contact  # a note: front matter (values as written), then an optional `body`

from vaultnet import pipeline
from vaultnet.render.ics import escape, fold

LATER_MTIME = int(datetime(2026, 11, 10, 8, 30, tzinfo=UTC).timestamp())
LATER_MTIME_NS = LATER_MTIME * 1_000_000_000
CALENDAR_NAME = "Golden sample, work; private"  # as set in the sample vault's vaultnet.toml
EXPAND_FROM, EXPAND_TO = date(2026, 1, 1), date(2029, 1, 1)  # [from, to) for recurring_ical_events


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
    """Summary -> DTSTART of every non-recurring, non-override event (follow-ups and promises)."""
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


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, bytes]]:
    """The sample vault built on TODAY: (vault folder, calendar bytes)."""
    root = copy_sample(tmp_path_factory.mktemp("calendar") / "vault")
    yield root, build_ics(root)


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
        rid = [p for p in props if p.name == "RECURRENCE-ID"]
        assert all(p.params == ";VALUE=DATE" for p in rid)
    for ev in parse_icalendar(data).walk("VEVENT"):
        assert type(ev["DTSTART"].dt) is date and type(ev["DTEND"].dt) is date
        assert ev["DTEND"].dt > ev["DTSTART"].dt
        assert ev["DTSTAMP"].dt.utcoffset() == timedelta(0)


# -- birthdays expanded ---------------------------------------------------------------------------

# Master summary -> the occurrences (date, summary) in 2026-01-01..2028-12-31, built on 2026-11-21.
EXPECTED_BIRTHDAYS: dict[str, list[tuple[str, str]]] = {
    "🎂 Anna Schmidt (*1990)": [
        ("2026-11-25", "🎂 Anna Schmidt turns 36"),
        ("2027-11-25", "🎂 Anna Schmidt (*1990)"),
        ("2028-11-25", "🎂 Anna Schmidt (*1990)"),
    ],
    "🎂 Björn Ødegaard": [  # --11-23: no age, no year
        ("2026-11-23", "🎂 Björn Ødegaard"),
        ("2027-11-23", "🎂 Björn Ødegaard"),
        ("2028-11-23", "🎂 Björn Ødegaard"),
    ],
    "🎂 Chen, Wei; the 🚀 founder (*1992)": [  # 1992-02-29: Feb 28 in common years
        ("2026-02-28", "🎂 Chen, Wei; the 🚀 founder (*1992)"),
        ("2027-02-28", "🎂 Chen, Wei; the 🚀 founder (*1992)"),  # the age shows from 31 days before
        ("2028-02-29", "🎂 Chen, Wei; the 🚀 founder (*1992)"),
    ],
    "🎂 Dana O'Brien": [  # --02-29
        ("2026-02-28", "🎂 Dana O'Brien"),
        ("2027-02-28", "🎂 Dana O'Brien"),
        ("2028-02-29", "🎂 Dana O'Brien"),
    ],
    "🎂 Eve Example (*1985)": [
        ("2026-11-22", "🎂 Eve Example turns 41"),
        ("2027-11-22", "🎂 Eve Example (*1985)"),
        ("2028-11-22", "🎂 Eve Example (*1985)"),
    ],
}


def expand_python(data: bytes, start: date = EXPAND_FROM, end: date = EXPAND_TO) -> dict[str, list[tuple[str, str]]]:
    """Birthday occurrences by recurring_ical_events, keyed by the master's summary."""
    cal = parse_icalendar(data)
    masters = {str(ev["UID"]): str(ev["SUMMARY"]) for ev in cal.walk("VEVENT") if "RRULE" in ev}
    out: dict[str, list[tuple[str, str]]] = {name: [] for name in masters.values()}
    for occ in recurring_ical_events.of(cal).between(start, end):
        if str(occ["UID"]) in masters:
            out[masters[str(occ["UID"])]].append((occ["DTSTART"].dt.isoformat(), str(occ["SUMMARY"])))
    return {name: sorted(occurrences) for name, occurrences in out.items()}


def expand_icaljs(path: Path, start: date = EXPAND_FROM, end: date = EXPAND_TO) -> dict[str, list[tuple[str, str]]]:
    report = parse_icaljs(path, start, end - timedelta(days=1))
    return {
        ev["summary"]: [(o["start"], o["summary"]) for o in ev["occurrences"]]
        for ev in report["events"]
        if ev["recurring"]
    }


def test_birthdays_expand_to_the_expected_dates_in_both_expanders(sample: tuple[Path, bytes]) -> None:
    root, data = sample
    assert expand_python(data) == EXPECTED_BIRTHDAYS
    assert expand_icaljs(ics_file(root)) == EXPECTED_BIRTHDAYS


def test_yearless_birthdays_show_no_age_and_no_year(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    for name in ("🎂 Björn Ødegaard", "🎂 Dana O'Brien"):
        for _, summary in expand_python(data)[name]:
            assert "turns" not in summary and "(*" not in summary and not re.search(r"\d", summary)


def test_feb29_birthday_override_in_a_leap_year(sample_vault: Path) -> None:
    """After Feb 28 2027 the next celebration is Feb 29 2028: the override moves there (shown from 31 days
    before it), and not earlier."""
    root = sample_vault
    assert b"turns 36" not in build_ics(root, date(2028, 1, 28))  # 32 days before
    data = build_ics(root, date(2028, 1, 29))  # 31 days before
    chen = "🎂 Chen, Wei; the 🚀 founder (*1992)"
    expected = [
        ("2027-02-28", chen),
        ("2028-02-29", "🎂 Chen, Wei; the 🚀 founder turns 36"),
        ("2029-02-28", chen),
    ]
    window = (date(2027, 1, 1), date(2030, 1, 1))
    assert expand_python(data, *window)[chen] == expected  # built in 2028: 2027 is the series' plain summary
    assert expand_icaljs(ics_file(root), *window)[chen] == expected


def test_birthday_on_today_gets_its_age_today(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {"contacts/Zoe.md": contact(birthday="1990-11-21", cadence="none")})
    data = build_ics(root)
    window = (date(2026, 11, 1), date(2027, 12, 31))
    expected = [("2026-11-21", "🎂 Zoe turns 36"), ("2027-11-21", "🎂 Zoe (*1990)")]
    assert expand_python(data, *window)["🎂 Zoe (*1990)"] == expected
    assert expand_icaljs(ics_file(root), *window)["🎂 Zoe (*1990)"] == expected


# -- UIDs -----------------------------------------------------------------------------------------

ADA = contact(
    "- [ ] send the notes 📅 2026-12-03\n",
    name="Ada Lovelace",
    email="ada@example.org",
    birthday="1815-12-10",
    cadence="none",
    follow_up="2026-12-01",
)


def test_uids_are_stable_when_the_name_changes(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {"contacts/ada.md": ADA})
    before = build_ics(root)
    put(root, "contacts/ada.md", ADA.replace("Ada Lovelace", "Augusta Ada King"), mtime_ns=LATER_MTIME_NS)
    after = build_ics(root)

    assert "Get back to Augusta Ada King" in summaries(after)  # the rename was seen
    assert len(uids(before)) == 3  # birthday, follow-up, promise
    assert uids(after) == uids(before)


def test_uids_are_stable_across_runs_and_folders(tmp_path: Path) -> None:
    first = build_ics(write_vault(tmp_path / "a", {"contacts/ada.md": ADA}))
    second = build_ics(write_vault(tmp_path / "b", {"contacts/ada.md": ADA}))
    assert uids(first) == uids(second)
    assert first == second


def test_uids_differ_per_kind_and_per_contact(sample: tuple[Path, bytes]) -> None:
    _, data = sample
    masters = [p for p in raw_events(data) if not [q for q in p if q.name == "RECURRENCE-ID"]]
    counts = Counter(one(p, "UID").value for p in masters)
    assert [uid for uid, n in counts.items() if n > 1] == []
    assert len(counts) == 16  # 5 birthdays, 8 follow-ups, 3 promises
    # Every override belongs to a master with the same UID.
    overrides = [p for p in raw_events(data) if [q for q in p if q.name == "RECURRENCE-ID"]]
    assert {one(p, "UID").value for p in overrides} <= set(counts)


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
    assert len(ada_before) == 3 and ada_after == ada_before
    # Without a `uid:` the UIDs come from the path, so a rename starts new events.
    assert len(bob_before) == 3 and not bob_after & bob_before


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


# -- DTSTAMP, LAST-MODIFIED and SEQUENCE ----------------------------------------------------------


def props_of(data: bytes, summary: str) -> dict[str, str]:
    [props] = [p for p in raw_events(data) if unescape(one(p, "SUMMARY").value) == summary]
    return {p.name: p.value for p in props}


def test_dtstamp_comes_from_the_notes_mtime(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {"contacts/ada.md": ADA})
    data = build_ics(root)
    for summary in ("🎂 Ada Lovelace (*1815)", "Get back to Ada Lovelace", "Promise to Ada Lovelace: send the notes"):
        props = props_of(data, summary)
        assert props["DTSTAMP"] == props["LAST-MODIFIED"] == stamp(MTIME), summary
    # Built again elsewhere, later: the same bytes (no clock involved).
    assert build_ics(write_vault(tmp_path / "w", {"contacts/ada.md": ADA})) == data


def test_sequence_grows_when_the_note_changes(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {"contacts/ada.md": ADA})
    before = build_ics(root)
    put(root, "contacts/ada.md", ADA.replace("2026-12-01", "2026-12-04"), mtime_ns=LATER_MTIME_NS)
    after = build_ics(root)
    old, new = props_of(before, "Get back to Ada Lovelace"), props_of(after, "Get back to Ada Lovelace")
    assert new["DTSTART"] == "20261204"
    assert new["DTSTAMP"] == new["LAST-MODIFIED"] == stamp(LATER_MTIME)
    assert int(new["SEQUENCE"]) > int(old["SEQUENCE"])
    birthday_old, birthday_new = props_of(before, "🎂 Ada Lovelace (*1815)"), props_of(after, "🎂 Ada Lovelace (*1815)")
    assert int(birthday_new["SEQUENCE"]) > int(birthday_old["SEQUENCE"])


def test_sequence_grows_when_an_overdue_event_moves_to_a_later_today(tmp_path: Path) -> None:
    note = contact(name="Olga", cadence="none", follow_up="2026-11-10")
    root = write_vault(tmp_path / "v", {"contacts/olga.md": note})
    days = [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 30)]
    seen = [props_of(build_ics(root, day), "Get back to Olga") for day in days]
    assert [p["DTSTART"] for p in seen] == ["20261120", "20261121", "20261130"]
    sequences = [int(p["SEQUENCE"]) for p in seen]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    stamps = [p["DTSTAMP"] for p in seen]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3


def _events_by_id(data: bytes) -> dict[tuple[str, str], dict[str, str]]:
    out = {}
    for props in raw_events(data):
        values = {f"{p.name}{p.params}": p.value for p in props}
        out[(values["UID"], values.get("RECURRENCE-ID;VALUE=DATE", ""))] = values
    return out


def test_an_event_that_moves_gets_a_new_sequence(tmp_path: Path) -> None:
    """RFC 5545 3.8.7.4: SEQUENCE is incremented when DTSTART changes (clients ignore the move otherwise).

    A contact never contacted is due "now", every day: its event moves daily.
    """
    root = write_vault(tmp_path / "v", {"contacts/new.md": contact(name="Nora New")})
    day1 = props_of(build_ics(root, date(2026, 11, 21)), "Get back to Nora New")
    day2 = props_of(build_ics(root, date(2026, 11, 22)), "Get back to Nora New")
    assert (day1["DTSTART"], day2["DTSTART"]) == ("20261121", "20261122")
    assert int(day2["SEQUENCE"]) > int(day1["SEQUENCE"])


def test_an_event_whose_sequence_did_not_change_did_not_change(sample_vault: Path) -> None:
    """Built on two days with no note edited, an event keeping its SEQUENCE/DTSTAMP keeps its content too:
    clients (Google) keep their copy of an event whose SEQUENCE did not grow, so text that changes daily
    ("last contact 81 days ago") without a new SEQUENCE goes stale in their calendars."""
    root = sample_vault
    day1 = _events_by_id(build_ics(root, date(2026, 11, 21)))
    day2 = _events_by_id(build_ics(root, date(2026, 11, 22)))
    changed = []
    for key in day1.keys() & day2.keys():
        a, b = day1[key], day2[key]
        if a["SEQUENCE"] == b["SEQUENCE"] and a != b:
            changed.append((unescape(a["SUMMARY"]), sorted(k for k in a if a[k] != b.get(k))))
    assert changed == []


# -- escape() and fold() --------------------------------------------------------------------------


def test_escape() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert escape("one\r\ntwo\rthree") == "one\\ntwo\\nthree"
    assert escape("bell\x07 and nul\x00 and del\x7f, tab\tkept") == "bell and nul and del\\, tab\tkept"
    assert escape("\\n is not a newline") == "\\\\n is not a newline"
    assert escape("plain ü 🚀") == "plain ü 🚀"
    for text in ("a,b;c\\d\ne", "C:\\New", "\\\\,;;\n\n", "x\\"):
        assert unescape(escape(text)) == text


def physical(folded: str) -> list[str]:
    return folded.split("\r\n")


def check_folded(line: str) -> list[str]:
    """Fold `line` and check the RFC 5545 rules; returns the physical lines."""
    folded = fold(line)
    parts = physical(folded)
    assert folded.replace("\r\n ", "") == line
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    return parts


def test_fold_at_exactly_75_octets() -> None:
    assert fold("A" * 75) == "A" * 75
    parts = check_folded("A" * 76)
    assert parts == ["A" * 75, " A"]
    parts = check_folded("B" * (75 + 74 + 1))
    assert [len(p) for p in parts] == [75, 75, 2]


def test_fold_never_splits_a_multibyte_character() -> None:
    for char in ("é", "€", "🚀"):
        for prefix in range(68, 80):
            line = "S" * prefix + char * 5 + "tail"
            for part in check_folded(line):
                part.encode().decode("utf-8")
                assert "\ufffd" not in part
    # 74 ASCII octets + a 2-octet character would be 76: the character moves to the next line.
    assert physical(fold("X" * 74 + "é")) == ["X" * 74, " é"]
    # A line of short characters but more than 75 octets is folded even if it has fewer than 75 characters.
    assert len("€" * 30) < 75 < len(("€" * 30).encode())
    assert len(check_folded("€" * 30)) == 2


def escape_split(parts: list[str]) -> list[int]:
    """Fold positions that fall between a backslash and the character it escapes."""
    line = "".join(p.removeprefix(" ") if i else p for i, p in enumerate(parts))
    cuts, at = set(), 0
    for part in parts[:-1]:
        at += len(part) - (1 if at else 0)
        cuts.add(at)
    inside, i = [], 0
    while i < len(line):
        if line[i] == "\\":
            if i + 1 in cuts:
                inside.append(i + 1)
            i += 2
        else:
            i += 1
    return inside


def test_fold_does_not_split_an_escape() -> None:
    for escaped in ("\\,", "\\;", "\\n", "\\\\"):
        for prefix in range(70, 80):
            parts = check_folded("D" * prefix + escaped + "x" * 10)
            assert escape_split(parts) == [], (escaped, prefix, parts)


def test_fold_does_not_split_an_escaped_backslash_before_text() -> None:
    """`\\\\` is one escape (a literal backslash); the fold must not fall between its two characters."""
    for prefix in range(68, 80):
        line = "DESCRIPTION:" + "p" * (prefix - 12) + escape("C:\\New, C:\\nothing")
        parts = check_folded(line)
        assert escape_split(parts) == [], (prefix, parts)


def test_fold_of_the_rendered_escape_of_text_round_trips() -> None:
    text = "Zürich, Tōkyō; 北京 and São Paulo \\ backslash\nnew line " * 4
    parts = check_folded("DESCRIPTION:" + escape(text))
    assert len(parts) > 3
    assert unescape("".join(p.removeprefix(" ") if i else p for i, p in enumerate(parts))[12:]) == text


# -- alarms ---------------------------------------------------------------------------------------


def set_alarm(root: Path, alarm: str | None) -> None:
    """Set (or remove) `[calendar] alarm` in the vault's vaultnet.toml."""
    toml = root / "vaultnet.toml"
    lines = [line for line in toml.read_text(encoding="utf-8").splitlines() if not line.startswith("alarm =")]
    if alarm is not None:
        lines.insert(lines.index("[calendar]") + 1, f'alarm = "{alarm}"')
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")


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
