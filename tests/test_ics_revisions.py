"""DTSTAMP, LAST-MODIFIED and SEQUENCE of the reminder calendar's events: from the notes, never the clock,
and SEQUENCE grows whenever an event changes (clients ignore a change otherwise)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
