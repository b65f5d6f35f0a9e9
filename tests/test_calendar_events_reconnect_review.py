"""The calendar items of the event, reconnect and review rules (event-prep, event-follow-up, reconnect, review) as
clients see them.

One hand-made vault has an upcoming event with targets, a past event with a person met there, a dormant
contact and one quiet for years. The real pipeline builds its calendar; icalendar, vobject and ical.js
(Thunderbird's parser) must all read it and agree; UIDs must survive rebuilds and renames; an item whose day
has come is shown on today; two builds give the same bytes.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from icaljs import icaljs_check
from vaultkit import MTIME, TODAY, set_mtimes, write_vault

from vaultnet import pipeline

NOTES = {
    # Targets of the summit; Ada's follow-up is 2026-11-10 + 90d = 2027-02-08.
    "contacts/Ada.md": (
        "---\ncompany: Acme\nrole: CTO\ninterests: [hiring]\nlast_contact: 2026-11-10\n---\n- [ ] bring the paper\n"
    ),
    # Met at the meetup on Wednesday, nothing since: an event follow-up due 2026-11-19 (and a follow-up
    # 2026-11-18 + 90d = 2027-02-16).
    "contacts/Bo.md": "---\nmet: 2026-11-18\n---\n",
    "events/Meetup.md": '---\ndate: 2026-11-18\nmet: ["[[Bo]]"]\n---\n',
    # Ten days ahead, with two targets: prepare on 2026-11-29.
    "events/Summit.md": '---\ndate: 2026-12-01\nlocation: Berlin\ntargets: ["[[Ada]]", "[[Bo]]"]\n---\n',
    # Dormant since March 2025: reconnect this week.
    "contacts/Cy.md": "---\ncircle: dormant\nlast_contact: 2025-03-01\n---\n",
    # Quiet since 2023: review this quarter; an overdue follow-up (loose: 180d) keeps it out of the reconnect
    # picks, which would otherwise carry the review's question in place of the review.
    "contacts/Oldie.md": "---\nname: Old Friend\ncircle: loose\nlast_contact: 2023-06-01\n---\n",
}

# Summary -> (DTSTART, CATEGORIES) of every event of the vault's calendar on TODAY.
EXPECTED = {
    "Get back to Ada": (date(2027, 2, 8), "Follow-up"),
    "Get back to Bo": (date(2027, 2, 16), "Follow-up"),
    "Follow up with Bo": (TODAY, "Event"),  # due 2026-11-19
    "Prepare for Summit": (date(2026, 11, 29), "Event"),
    "Reconnect with Cy": (TODAY, "Reconnect"),  # the week's Monday
    "Get back to Old Friend": (TODAY, "Follow-up"),  # due 2023-11-28
    "Review Old Friend: keep, re-tier or archive": (TODAY, "Review"),  # the quarter's first day
}


# -- helpers ----------------------------------------------------------------------------------------------


def make_vault(root: Path, notes: dict[str, str] = NOTES) -> Path:
    """The notes (by default this module's vault) under `root`, every file at `MTIME`."""
    return write_vault(root, notes)


def build_ics(root: Path, today: date = TODAY) -> tuple[Path, bytes]:
    """Run the real build; the calendar's path and bytes."""
    result = pipeline.build(root, today)
    assert [p.format() for p in result.problems] == []
    [ics] = [o.path for o in result.outputs if o.path.suffix == ".ics"]
    return ics, ics.read_bytes()


def with_icalendar(data: bytes) -> dict[str, tuple[str, date, str]]:
    """UID -> (summary, DTSTART, categories) as icalendar reads them; none may be recurring."""
    cal = icalendar.Calendar.from_ical(data)
    assert [(c.name, c.errors) for c in cal.walk() if c.errors] == []
    out = {}
    for ev in cal.walk("VEVENT"):
        assert "RRULE" not in ev and "RECURRENCE-ID" not in ev
        categories = ",".join(str(c) for c in ev["CATEGORIES"].cats)
        uid = str(ev["UID"])
        assert uid not in out, f"UID {uid} twice"
        out[uid] = (str(ev["SUMMARY"]), ev["DTSTART"].dt, categories)
    return out


def with_vobject(data: bytes) -> dict[str, tuple[str, date]]:
    cal = vobject.readOne(data.decode("utf-8"), validate=True)
    assert cal.validate(raiseException=True)
    return {ev.uid.value: (ev.summary.value, ev.dtstart.value) for ev in cal.vevent_list}


def with_icaljs(path: Path) -> dict[str, tuple[str, date]]:
    report: dict[str, Any] = icaljs_check(path, TODAY - timedelta(days=30), TODAY + timedelta(days=400))
    out = {}
    for ev in report["events"]:
        assert ev["isDate"] is True
        assert ev["recurring"] is False
        out[ev["uid"]] = (ev["summary"], date.fromisoformat(ev["start"]))
    return out


def by_summary(data: bytes) -> dict[str, str]:
    """Summary -> UID."""
    return {summary: uid for uid, (summary, _, _) in with_icalendar(data).items()}


def descriptions(data: bytes) -> dict[str, str]:
    """Summary -> DESCRIPTION (unescaped)."""
    cal = icalendar.Calendar.from_ical(data)
    return {str(ev["SUMMARY"]): str(ev["DESCRIPTION"]) for ev in cal.walk("VEVENT")}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes]:
    """(vault, calendar path, calendar bytes), built once on TODAY."""
    root = make_vault(tmp_path_factory.mktemp("practice") / "vault")
    ics, data = build_ics(root)
    return root, ics, data


# -- the events -------------------------------------------------------------------------------------------


def test_calendar_has_every_practice_item_on_its_day(built: tuple[Path, Path, bytes]) -> None:
    _, _, data = built
    found = {summary: (start, categories) for summary, start, categories in with_icalendar(data).values()}
    assert found == EXPECTED


def test_three_parsers_agree_on_uids_summaries_and_days(built: tuple[Path, Path, bytes]) -> None:
    _, ics, data = built
    from_icalendar = {uid: (summary, start) for uid, (summary, start, _) in with_icalendar(data).items()}
    from_vobject = with_vobject(data)
    from_icaljs = with_icaljs(ics)
    assert from_icalendar == from_vobject == from_icaljs
    assert sorted(summary for summary, _ in from_icaljs.values()) == sorted(EXPECTED)


def test_every_event_whose_day_has_come_is_on_today_or_later(built: tuple[Path, Path, bytes]) -> None:
    _, _, data = built
    starts = [start for _, start, _ in with_icalendar(data).values()]
    assert min(starts) == TODAY
    assert all(start >= TODAY for start in starts)


@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2026, 11, 27), date(2026, 12, 1)])
def test_later_days_still_show_what_is_open_on_that_day(tmp_path: Path, today: date) -> None:
    root = make_vault(tmp_path / "vault")
    _, data = build_ics(root, today)
    found = {summary: start for summary, start, _ in with_icalendar(data).values()}
    assert all(start >= today for start in found.values()), found
    assert found["Reconnect with Cy"] == today  # each week's suggestion starts on its Monday: shown today
    assert found["Review Old Friend: keep, re-tier or archive"] == today
    assert found["Follow up with Bo"] == today  # still inside the 30-day window
    if today <= date(2026, 11, 29):
        assert found["Prepare for Summit"] == date(2026, 11, 29)
    else:
        assert found["Prepare for Summit"] == today  # the summit's own day: prepare now


def test_event_prep_describes_the_targets(built: tuple[Path, Path, bytes]) -> None:
    _, _, data = built
    lines = descriptions(data)["Prepare for Summit"].split("\n")
    assert lines[0] == "Summit on Tue 01 Dec at Berlin: prepare to meet 2."
    assert lines[1].startswith("Ada: CTO, Acme; interests: hiring; last contact 2026-11-10")
    assert "open promise: bring the paper" in lines[1]
    assert lines[2].startswith("Bo")
    assert lines[-1] == "Note: events/Summit.md"


def test_event_follow_up_reason_and_lateness(built: tuple[Path, Path, bytes]) -> None:
    _, _, data = built
    text = descriptions(data)["Follow up with Bo"]
    first = text.split("\n")[0]
    assert first.startswith("You met at Meetup on 2026-11-18: follow up while it is fresh")
    assert "(due 2026-11-19, 2 days overdue)" in first
    assert "Note: contacts/Bo.md" in text.split("\n")


def test_the_calendar_parses_with_an_alarm_too(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault")
    (root / "vaultnet.toml").write_text('[calendar]\nalarm = "09:00"\n', encoding="utf-8")
    set_mtimes(root)
    ics, data = build_ics(root)
    assert data.count(b"BEGIN:VALARM") == len(EXPECTED)
    assert with_vobject(data) == with_icaljs(ics)


# -- stable UIDs and deterministic bytes ------------------------------------------------------------------


def test_uids_are_stable_across_two_builds_of_two_copies(tmp_path: Path, built: tuple[Path, Path, bytes]) -> None:
    _, _, first = built
    _, second = build_ics(make_vault(tmp_path / "copy"))
    assert by_summary(first) == by_summary(second)
    assert second == first  # the same notes, mtimes and day: the same bytes


def test_building_twice_gives_identical_bytes(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault")
    ics, first = build_ics(root)
    shutil.rmtree(root / ".vaultnet")  # the cache and the calendar: everything is computed again
    assert not ics.exists()
    _, second = build_ics(root)
    assert second == first
    _, third = build_ics(root)  # with a warm cache
    assert third == first


def test_uids_survive_renaming_the_contacts_and_the_event(tmp_path: Path, built: tuple[Path, Path, bytes]) -> None:
    _, _, data = built
    before = by_summary(data)
    renamed = dict(NOTES)
    renamed["contacts/Cy.md"] = NOTES["contacts/Cy.md"].replace("circle:", "name: Cyrus\ncircle:")
    renamed["contacts/Oldie.md"] = NOTES["contacts/Oldie.md"].replace("Old Friend", "Old Pal")
    renamed["contacts/Bo.md"] = "---\nname: Bo Berg\nmet: 2026-11-18\n---\n"  # the events link [[Bo]]: the file
    renamed["events/Summit.md"] = NOTES["events/Summit.md"].replace("date:", "title: Summit 2026\ndate:")
    root = make_vault(tmp_path / "vault", renamed)
    after = by_summary(build_ics(root)[1])
    assert after == {
        "Get back to Ada": before["Get back to Ada"],
        "Get back to Bo Berg": before["Get back to Bo"],
        "Follow up with Bo Berg": before["Follow up with Bo"],
        "Prepare for Summit 2026": before["Prepare for Summit"],
        "Reconnect with Cyrus": before["Reconnect with Cy"],
        "Get back to Old Pal": before["Get back to Old Friend"],
        "Review Old Pal: keep, re-tier or archive": before["Review Old Friend: keep, re-tier or archive"],
    }


def test_uids_differ_between_kinds_and_notes(built: tuple[Path, Path, bytes]) -> None:
    _, _, data = built
    uids = list(by_summary(data).values())
    assert len(set(uids)) == len(EXPECTED)
    assert all(uid.endswith("@vaultnet") for uid in uids)


def test_uids_do_not_reveal_names_or_paths(built: tuple[Path, Path, bytes]) -> None:
    _, _, data = built
    for uid in by_summary(data).values():
        digest = uid.removesuffix("@vaultnet")
        assert len(digest) == 24
        assert all(c in "0123456789abcdef" for c in digest), uid


@pytest.mark.parametrize("later", [date(2026, 11, 22), date(2026, 11, 30), date(2026, 12, 2), date(2027, 1, 4)])
def test_a_warm_rebuild_on_a_later_day_equals_a_cold_build(tmp_path: Path, later: date) -> None:
    """The pipeline reuses each note's rendered events while nothing they show changed: moving on to a
    later day (the summit passes, the week and the quarter turn) must give what a fresh build gives."""
    warm = make_vault(tmp_path / "warm")
    build_ics(warm, TODAY)
    _, rebuilt = build_ics(warm, later)
    _, cold = build_ics(make_vault(tmp_path / "cold"), later)
    assert rebuilt == cold


def test_a_warm_rebuild_after_editing_a_target_updates_the_event_prep(tmp_path: Path) -> None:
    """The event's note did not change, but what its preparation says about a target did."""
    notes = dict(NOTES)
    warm = make_vault(tmp_path / "warm", notes)
    build_ics(warm, TODAY)
    notes["contacts/Ada.md"] = NOTES["contacts/Ada.md"].replace("role: CTO", "role: CEO")
    edited = warm / "contacts/Ada.md"
    edited.write_text(notes["contacts/Ada.md"], encoding="utf-8")
    os.utime(edited, (MTIME + 60, MTIME + 60))
    _, rebuilt = build_ics(warm, TODAY)
    assert descriptions(rebuilt)["Prepare for Summit"].split("\n")[1].startswith("Ada: CEO, Acme")
    cold_root = make_vault(tmp_path / "cold", notes)
    os.utime(cold_root / "contacts/Ada.md", (MTIME + 60, MTIME + 60))
    assert rebuilt == build_ics(cold_root, TODAY)[1]
