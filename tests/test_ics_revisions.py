"""DTSTAMP, LAST-MODIFIED and SEQUENCE of the reminder calendar's events: from the notes, never the clock,
and SEQUENCE grows whenever an event changes (clients ignore a change otherwise)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from icskit import ADA, LATER_MTIME, LATER_MTIME_NS, build_ics, one, raw_events, stamp, unescape
from vaultkit import MTIME, put, write_vault
from vaultkit import fm as contact

# -- DTSTAMP, LAST-MODIFIED and SEQUENCE ----------------------------------------------------------


def props_of(data: bytes, summary: str) -> dict[str, str]:
    [props] = [p for p in raw_events(data) if unescape(one(p, "SUMMARY").value) == summary]
    return {p.name: p.value for p in props}


def test_dtstamp_comes_from_the_notes_mtime(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "v", {"contacts/ada.md": ADA})
    data = build_ics(root)
    for summary in ("Get back to Ada Lovelace", "Promise to Ada Lovelace: send the notes"):
        props = props_of(data, summary)
        assert props["DTSTAMP"] == props["LAST-MODIFIED"] == stamp(MTIME), summary
    # The birthday (2026-12-10) shows its age from 2026-11-09, after the note's mtime: that day is the
    # one-off's revision, and the series' (which skips that day since then).
    for summary in ("🎂 Ada Lovelace (*1815)", "🎂 Ada Lovelace turns 211"):
        props = props_of(data, summary)
        assert props["DTSTAMP"] == props["LAST-MODIFIED"] == "20261109T000000Z", summary
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


@pytest.mark.parametrize(
    "days",
    [
        (date(2026, 11, 21), date(2026, 11, 22)),
        (date(2026, 11, 22), date(2026, 11, 23)),  # the day after Eve's birthday: her series skips it no more
        (date(2027, 1, 27), date(2027, 1, 28)),  # Chen's (Feb 29) age appears: his series skips 2027-02-28
    ],
)
def test_an_event_whose_sequence_did_not_change_did_not_change(sample_vault: Path, days: tuple[date, date]) -> None:
    """Built on two days with no note edited, an event keeping its SEQUENCE/DTSTAMP keeps its content too:
    clients (Google) keep their copy of an event whose SEQUENCE did not grow, so text that changes daily
    ("last contact 81 days ago") or an EXDATE that comes and goes without a new SEQUENCE goes stale in
    their calendars."""
    root = sample_vault
    day1 = _events_by_id(build_ics(root, days[0]))
    day2 = _events_by_id(build_ics(root, days[1]))
    changed = []
    for key in day1.keys() & day2.keys():
        a, b = day1[key], day2[key]
        if a["SEQUENCE"] == b["SEQUENCE"] and a != b:
            changed.append((unescape(a["SUMMARY"]), sorted(k for k in a if a[k] != b.get(k))))
    assert changed == []


def test_a_birthday_series_is_revised_when_it_starts_and_stops_skipping_the_day_of_the_age(tmp_path: Path) -> None:
    """Ada's birthday is 2026-12-10 and her note was last changed on 2026-11-01: her series gains its EXDATE
    on 2026-11-09 (31 days before) and loses it on 2026-12-11, and each change is a new revision; while
    it is unchanged, so are its bytes and its SEQUENCE."""
    root = write_vault(tmp_path / "v", {"contacts/ada.md": ADA})
    days = [date(2026, 11, 8), date(2026, 11, 9), date(2026, 12, 10), date(2026, 12, 11)]
    builds = [build_ics(root, day) for day in days]
    series = [props_of(data, "🎂 Ada Lovelace (*1815)") for data in builds]
    assert [p.get("EXDATE") for p in series] == [None, "20261210", "20261210", None]
    assert [p["DTSTAMP"] for p in series] == [stamp(MTIME), "20261109T000000Z", "20261109T000000Z", "20261211T000000Z"]
    sequences = [int(p["SEQUENCE"]) for p in series]
    assert sequences[0] < sequences[1] == sequences[2] < sequences[3]
    assert series[1] == series[2]
    ages = [b"turns 211" in data for data in builds]
    assert ages == [False, True, True, False]
