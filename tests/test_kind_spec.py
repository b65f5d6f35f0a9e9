"""The item kinds' table (vaultnet/kinds.py) is the one place their facts come from.

Every `Kind` has one row and one rule; the follow-up note's sections, the calendar's summaries and categories
(read back with the icalendar library), "overdue" in every output, snoozing and the agenda follow the rows.
One hand-made vault has an item of every kind on 2026-11-21, built by the real pipeline.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest

from vaultnet import pipeline
from vaultnet.config import Settings
from vaultnet.insights import agenda
from vaultnet.kinds import ORDER, SPEC, SPECS, Agenda, Kind, Snoozed
from vaultnet.model import Item
from vaultnet.network import network_of
from vaultnet.render.jsonout import render_items
from vaultnet.render.markdown import render_followups
from vaultnet.render.text import render_table
from vaultnet.rules import RULES, Given, Plan, is_due, make_plan, overdue_days, rule, upcoming

TODAY = date(2026, 11, 21)  # a Saturday: the week's Monday is 2026-11-16, the quarter began 2026-10-01

# An item of every kind on TODAY, each about someone else.
NOTES = {
    # A follow-up due 2026-10-01, a promise due 2026-11-15, a birthday on Tuesday.
    "contacts/Ada.md": (
        "---\ncircle: close\nlast_contact: 2026-09-01\nbirthday: 1990-11-24\n---\n- [ ] send the deck 📅 2026-11-15\n"
    ),
    # A follow-up due 2026-10-31 (the agenda leaves Ada's out: her promise names her already).
    "contacts/Dee.md": "---\ncircle: close\nlast_contact: 2026-10-01\n---\n",
    # Met at the meetup on Wednesday: an event follow-up due 2026-11-19.
    "contacts/Bo.md": "---\nmet: 2026-11-18\n---\n",
    "events/Meetup.md": '---\ndate: 2026-11-18\nmet: ["[[Bo]]"]\n---\n',
    # Tomorrow, with Ada as a target: prepare from 2026-11-20.
    "events/Summit.md": '---\ndate: 2026-11-22\ntargets: ["[[Ada]]"]\n---\n',
    # Dormant since March 2025: reconnect this week.
    "contacts/Cy.md": "---\ncircle: dormant\nlast_contact: 2025-03-01\n---\n",
    # Quiet since 2023: review this quarter (the overdue follow-up keeps her out of the reconnect picks).
    "contacts/Olga.md": "---\ncircle: loose\nlast_contact: 2023-06-01\n---\n",
}


def make_vault(root: Path, notes: dict[str, str] = NOTES) -> Path:
    for rel, text in notes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def plan_of(root: Path, today: date = TODAY) -> tuple[pipeline.Snapshot, Plan]:
    snap, plan = pipeline.Session(root, persist=False).plan(today)
    assert [p.format() for p in snap.problems] == []
    return snap, plan


def item(kind: Kind, day: date, name: str = "Ada") -> Item:
    return Item(kind, day, name, f"contacts/{name}.md", f"a reason for {kind}")


# -- the table --------------------------------------------------------------------------------------------


def test_every_kind_has_one_row_and_one_rule() -> None:
    assert [spec.kind for spec in SPECS] == list(dict.fromkeys(spec.kind for spec in SPECS))  # no kind twice
    assert set(SPEC) == set(ORDER) == set(RULES) == set(Kind)
    assert sorted(Kind, key=ORDER.__getitem__) == [spec.kind for spec in SPECS]


def test_a_second_rule_for_a_kind_is_refused() -> None:
    before = dict(RULES)
    with pytest.raises(ValueError, match="two rules for review"):
        rule(Kind.REVIEW)(lambda given: [])
    assert before == RULES


def test_kinds_are_their_strings() -> None:
    """A `StrEnum`: JSON, f-strings and comparisons with plain strings see the value."""
    assert Kind.EVENT_FOLLOW_UP == "event-follow-up"
    assert f"{Kind.FOLLOW_UP}" == "follow-up"
    assert json.dumps([Kind.REVIEW]) == '["review"]'


# -- the rules --------------------------------------------------------------------------------------------


def test_the_vault_has_an_item_of_every_kind_today(tmp_path: Path) -> None:
    _, plan = plan_of(make_vault(tmp_path))
    assert {i.kind for i in plan.due} == set(Kind)


def test_each_rule_makes_only_its_kind(tmp_path: Path) -> None:
    snap, plan = plan_of(make_vault(tmp_path))
    given = Given(plan.network, snap.settings, TODAY, plan.contacts)
    for kind, function in RULES.items():
        made = list(function(given))
        assert made, kind
        assert {i.kind for i in made} == {kind}


def test_snoozing_follows_the_table(tmp_path: Path) -> None:
    """A snoozed contact's items of MOVE kinds come back on the snooze date; of the other kinds, none."""
    until = TODAY + timedelta(days=30)
    notes = {rel: text.replace("---\n", f"---\nsnooze_until: {until}\n", 1) for rel, text in NOTES.items()}
    notes["events/Summit.md"] = NOTES["events/Summit.md"]  # an event note is no contact: cannot be snoozed
    notes["events/Meetup.md"] = NOTES["events/Meetup.md"]
    _, plan = plan_of(make_vault(tmp_path, notes))
    about_people = [i for i in plan.items if i.contact is not None]
    assert {i.kind for i in about_people} == {s.kind for s in SPECS if s.snoozed is Snoozed.MOVE}
    assert all(i.day >= until for i in about_people)
    assert {i.kind for i in plan.due} == {Kind.EVENT_PREP}


def test_archived_contacts_get_nothing(tmp_path: Path) -> None:
    notes = {rel: text.replace("---\n", "---\narchived: true\n", 1) for rel, text in NOTES.items()}
    notes["events/Summit.md"] = NOTES["events/Summit.md"]
    notes["events/Meetup.md"] = NOTES["events/Meetup.md"]
    _, plan = plan_of(make_vault(tmp_path, notes))
    assert [i.kind for i in plan.items] == [Kind.EVENT_PREP]


@pytest.mark.parametrize("kind", list(Kind))
def test_listed_ahead_kinds_are_due_before_their_day_and_not_coming_up(kind: Kind) -> None:
    soon = item(kind, TODAY + timedelta(days=3))
    plan = Plan(TODAY, (soon,), (), network_of([]))
    assert is_due(soon, TODAY) is SPEC[kind].listed_ahead
    assert upcoming(plan, 14) == (() if SPEC[kind].listed_ahead else (soon,))


def test_a_tie_up_for_review_and_picked_to_reconnect_is_one_item(tmp_path: Path) -> None:
    """Two ties quiet since 2023, one reconnect suggestion a week: the week's pick is one reconnect item that
    carries the review's question; the other tie keeps its review. The next week they swap."""
    notes = {f"contacts/{name}.md": "---\ncircle: dormant\nlast_contact: 2023-06-01\n---\n" for name in ("Ann", "Bea")}
    root = make_vault(tmp_path, notes)
    (root / "vaultnet.toml").write_text("[practice]\nreconnect_per_week = 1\n", encoding="utf-8")
    monday = TODAY - timedelta(days=TODAY.weekday())
    if (monday.toordinal() // 7) % 2:  # start where a rotation cycle of two weeks starts
        monday += timedelta(days=7)
    picks = []
    for week in range(2):
        today = monday + timedelta(days=7 * week + 3)  # a Thursday
        result = pipeline.build(root, today)
        assert result.plan is not None
        by_name = {name: [i for i in result.plan.due if i.name == name] for name in ("Ann", "Bea")}
        assert sorted(len(items) for items in by_name.values()) == [1, 1]  # one item a person
        [pick] = [items[0] for items in by_name.values() if items[0].kind == Kind.RECONNECT]
        [other] = [items[0] for items in by_name.values() if items[0].kind == Kind.REVIEW]
        assert pick.reason == (
            "no contact since 2023-06-01: a dormant tie worth reviving; review it: keep (and get in touch), move to"
            " another circle, or archive"
        )
        assert other.reason.startswith("no contact since 2023-06-01: review it")
        [ics] = [o.path for o in result.outputs if o.path.suffix == ".ics"]
        summaries = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")}
        assert f"Review {pick.name}: keep, re-tier or archive" not in summaries
        assert {f"Reconnect with {pick.name}", f"Review {other.name}: keep, re-tier or archive"} <= summaries
        picks.append(pick.name)
    assert sorted(picks) == ["Ann", "Bea"]


# -- overdue ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind))
def test_overdue_days_is_zero_for_period_dated_kinds(kind: Kind) -> None:
    late = item(kind, TODAY - timedelta(days=5))
    assert overdue_days(late, TODAY) == (0 if SPEC[kind].period_dated else 5)
    assert overdue_days(item(kind, TODAY + timedelta(days=5)), TODAY) == 0
    assert overdue_days(item(kind, TODAY), TODAY) == 0


def test_every_output_says_overdue_as_the_table_does() -> None:
    items = [item(spec.kind, TODAY - timedelta(days=5), name=f"P{n}") for n, spec in enumerate(SPECS)]
    late = {spec.kind for spec in SPECS if not spec.period_dated}
    data = json.loads(render_items(items, TODAY))
    assert {d["kind"]: d["overdue_days"] for d in data} == {s.kind: 5 if s.kind in late else 0 for s in SPECS}
    table = render_table(items, TODAY).splitlines()[1:]
    kinds = [next(word for word in row.split() if word in set(Kind)) for row in table]
    assert {kind: "(+5d)" in row for kind, row in zip(kinds, table, strict=True)} == {
        s.kind: s.kind in late for s in SPECS
    }
    note = render_followups(Plan(TODAY, tuple(items), (), network_of([]))).decode()
    flagged = {line.split("[[contacts/")[1].split("|")[0] for line in note.splitlines() if "*5 days overdue*" in line}
    assert flagged == {i.name for i in items if i.kind in late}


# -- the follow-up note -----------------------------------------------------------------------------------


def test_the_note_has_a_section_per_kind_in_the_tables_order(tmp_path: Path) -> None:
    _, plan = plan_of(make_vault(tmp_path))
    note = render_followups(plan).decode()
    for spec in SPECS:
        count = sum(1 for i in plan.due if i.kind == spec.kind)
        assert f"## {spec.section} ({count})\n\n*{spec.hint}*\n" in note
    positions = [note.index(f"## {spec.section} (") for spec in SPECS]
    assert positions == sorted(positions)


def test_a_section_lists_exactly_its_kinds_items(tmp_path: Path) -> None:
    _, plan = plan_of(make_vault(tmp_path))
    note = render_followups(plan).decode()
    for spec in SPECS:
        section = note.split(f"## {spec.section} (", 1)[1].split("\n## ", 1)[0]
        names = sorted(line.split("|")[1].split("]]")[0] for line in section.splitlines() if line.startswith("- "))
        assert names == sorted(i.name for i in plan.due if i.kind == spec.kind), spec.kind


# -- the calendar -----------------------------------------------------------------------------------------


def test_calendar_summaries_and_categories_come_from_the_table(tmp_path: Path) -> None:
    root = make_vault(tmp_path)
    result = pipeline.build(root, TODAY)
    assert result.plan is not None
    [ics] = [o.path for o in result.outputs if o.path.suffix == ".ics"]
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    events = {str(ev["SUMMARY"]): ",".join(map(str, ev["CATEGORIES"].cats)) for ev in calendar.walk("VEVENT")}
    seen = set()
    for each in result.plan.items:
        spec = SPEC[each.kind]
        summary = spec.summary.format(name=each.name, key=each.key)
        # A birthday is a yearly series: its summary adds the year of birth, its override the age.
        found = [s for s in events if s == summary or (spec.kind == Kind.BIRTHDAY and s.startswith(summary + " "))]
        assert found, each
        assert {events[s] for s in found} == {spec.category}, each
        seen.add(each.kind)
    assert seen == set(Kind)


def test_the_calendar_adds_overdue_only_where_the_reason_does_not_say_when(tmp_path: Path) -> None:
    root = make_vault(tmp_path)
    result = pipeline.build(root, TODAY)
    assert result.plan is not None
    [ics] = [o.path for o in result.outputs if o.path.suffix == ".ics"]
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    descriptions = {str(ev["SUMMARY"]): str(ev["DESCRIPTION"]) for ev in calendar.walk("VEVENT")}
    late = [i for i in result.plan.due if overdue_days(i, TODAY) > 0]
    assert {i.kind for i in late} == {Kind.PROMISE, Kind.EVENT_PREP, Kind.EVENT_FOLLOW_UP, Kind.FOLLOW_UP}
    for each in late:
        description = descriptions[SPEC[each.kind].summary.format(name=each.name, key=each.key)]
        says = f"(due {each.day.isoformat()}, {overdue_days(each, TODAY)} day"
        assert (says in description) is not SPEC[each.kind].reason_says_when, each


# -- the agenda -------------------------------------------------------------------------------------------


def test_the_agenda_follows_the_table(tmp_path: Path) -> None:
    _, plan = plan_of(make_vault(tmp_path))
    chosen = agenda(plan, 20)
    on_agenda = {s.kind for s in SPECS if s.agenda is not Agenda.SKIP}
    assert {i.kind for i in chosen} == on_agenda - {Kind.BIRTHDAY}  # Ada's birthday is three days ahead
    singles = [i for i in chosen if SPEC[i.kind].agenda is Agenda.ONE]
    assert len(singles) == 1
    assert chosen[-1] == singles[0]
    ranks = [ORDER[i.kind] for i in chosen]
    assert ranks == sorted(ranks)


def test_the_agenda_takes_listed_ahead_kinds_a_day_ahead(tmp_path: Path) -> None:
    _, plan = plan_of(make_vault(tmp_path), TODAY + timedelta(days=2))  # Monday: Ada's birthday is tomorrow
    assert Kind.BIRTHDAY in [i.kind for i in agenda(plan, 20)]


def test_make_plan_runs_every_rule_on_plain_contacts() -> None:
    assert make_plan([], Settings(), TODAY).items == ()
