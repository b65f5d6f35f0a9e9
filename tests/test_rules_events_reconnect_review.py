"""The rules beyond one contact's own dates (`vaultnet.rules`, set in `[practice]`): event prep and follow-up,
reconnect, review, reciprocity.

Every test writes a hand-made vault to `tmp_path` and runs the real pipeline (`Session(path).plan(today)`)
with a fixed `today`; the expected dates are worked out by hand. 2026-11-21 is a Saturday; its week starts
on Monday 2026-11-16.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from vaultkit import TODAY, run
from vaultkit import write_notes as practice_vault

from vaultnet.model import Item
from vaultnet.pipeline import Session
from vaultnet.rules import Plan
from vaultnet.ties import balance

MONDAY = date(2026, 11, 16)


def plan_of(root: Path, today: date = TODAY) -> Plan:
    snap, the_plan = Session(root).plan(today)
    assert [p for p in snap.problems if p.severity == "error"] == []
    return the_plan


def of_kind(items: tuple[Item, ...] | list[Item], kind: str) -> list[Item]:
    return [i for i in items if i.kind == kind]


def names(items: list[Item]) -> list[str]:
    return sorted(i.name for i in items)


def quiet(last: str, **fields: str) -> str:
    """A contact in the dormant circle (no cadence follow-ups) last contacted on `last`."""
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\ncircle: dormant\nlast_contact: {last}\n{extra}---\n"


# --- event-prep -----------------------------------------------------------------------------------------------------

ANNA = """---
name: Anna Schmidt
role: CTO
company: "[[Acme]]"
interests: [climbing, jazz]
---
# Log
- 2026-09-01 call: intro
- 2026-10-02 coffee: her new team

- [ ] send the paper
- [x] book a table
"""
BEN = '---\nname: Ben Okafor\nlast_contact: 2026-09-01\nintroduced_by: "[[Anna Schmidt]]"\n---\n'
CARLA = "---\nname: Carla\n---\n"
MEETUP = """---
title: Data Meetup
date: 2026-11-25
location: Berlin
targets:
  - "[[Anna Schmidt]]"
  - "[[Ben]]"
  - Carla
---
"""
PEOPLE = {"contacts/Anna Schmidt.md": ANNA, "contacts/Ben.md": BEN, "contacts/Carla.md": CARLA}


def test_event_prep_lists_each_target_with_what_helps_to_talk_to_them(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, {**PEOPLE, "events/Meetup.md": MEETUP})
    prep = of_kind(plan_of(root).items, "event-prep")
    assert prep == [
        Item(
            "event-prep",
            date(2026, 11, 23),  # two days before Wednesday 2026-11-25
            "Data Meetup",
            "events/Meetup.md",
            "Data Meetup on Wed 25 Nov at Berlin: prepare to meet 3",
            details=(
                "Anna Schmidt: CTO, Acme; interests: climbing, jazz; last contact 2026-10-02 (coffee);"
                " open promise: send the paper",
                "Ben Okafor: last contact 2026-09-01; introduced by Anna Schmidt",
                "Carla",
            ),
        )
    ]
    assert prep[0].contact is None  # about an event, not one person


@pytest.mark.parametrize(
    ("today", "listed", "due"),
    [
        (date(2026, 11, 20), True, False),  # in the plan (the calendar shows it) but not yet on the list
        (date(2026, 11, 22), True, False),
        (date(2026, 11, 23), True, True),  # two days before
        (date(2026, 11, 24), True, True),
        (date(2026, 11, 25), True, True),  # the event's day
        (date(2026, 11, 26), False, False),  # gone after the event
    ],
)
def test_event_prep_is_due_from_two_days_before_until_the_event(
    tmp_path: Path, today: date, listed: bool, due: bool
) -> None:
    root = practice_vault(tmp_path, {**PEOPLE, "events/Meetup.md": MEETUP})
    the_plan = plan_of(root, today)
    assert len(of_kind(the_plan.items, "event-prep")) == (1 if listed else 0)
    assert len(of_kind(the_plan.due, "event-prep")) == (1 if due else 0)


def test_event_prep_lead_time_is_configurable(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, {**PEOPLE, "events/Meetup.md": MEETUP}, toml='[practice]\nevent_prep = "1w"\n')
    the_plan = plan_of(root, date(2026, 11, 18))
    assert [i.day for i in of_kind(the_plan.due, "event-prep")] == [date(2026, 11, 18)]
    assert of_kind(plan_of(root, date(2026, 11, 17)).due, "event-prep") == []


def crowd(count: int) -> dict[str, str]:
    """`count` contacts and an event targeting all of them."""
    notes = {f"contacts/P{n}.md": f"---\nname: P{n}\n---\n" for n in range(count)}
    targets = "".join(f'  - "[[P{n}]]"\n' for n in range(count))
    notes["events/Big.md"] = f"---\ndate: 2026-11-25\ntargets:\n{targets}---\n"
    return notes


def test_more_than_five_targets_gets_a_gentle_note_not_a_problem(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, crowd(6))
    snap, the_plan = Session(root).plan(date(2026, 11, 23))
    [prep] = of_kind(the_plan.due, "event-prep")
    assert prep.reason.startswith("Big on Wed 25 Nov: prepare to meet 6 (")
    assert "that is a lot for one event" in prep.reason
    assert len(prep.details) == 6
    assert snap.problems == []


def test_five_targets_get_no_note(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, crowd(5))
    [prep] = of_kind(plan_of(root, date(2026, 11, 23)).due, "event-prep")
    assert prep.reason == "Big on Wed 25 Nov: prepare to meet 5"


def test_the_number_of_targets_for_the_note_is_configurable(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, crowd(4), toml="[practice]\ntargets_per_event = 3\n")
    [prep] = of_kind(plan_of(root, date(2026, 11, 23)).due, "event-prep")
    assert "that is a lot for one event" in prep.reason


def test_an_event_without_targets_hints_to_pick_a_few(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, {"events/Meetup.md": "---\ndate: 2026-11-25\nlocation: Berlin\n---\n"})
    [prep] = of_kind(plan_of(root, date(2026, 11, 23)).due, "event-prep")
    assert prep.reason == "Meetup on Wed 25 Nov at Berlin: pick 3-5 people to meet (add them as targets)"
    assert prep.details == ()


# --- event-follow-up ------------------------------------------------------------------------------------------------

MET = {
    "contacts/Anna Schmidt.md": "---\nname: Anna Schmidt\nlast_contact: 2026-06-01\n---\n",
    "contacts/Ben.md": "---\nname: Ben Okafor\nlast_contact: 2026-06-01\n---\n",
}


def met_at(extra: str = "", day: str = "2026-11-10") -> dict[str, str]:
    """The two contacts above, met at an event on `day`."""
    event = f'---\ntitle: Meetup\ndate: {day}\n{extra}met: ["[[Anna Schmidt]]", "[[Ben]]"]\n---\n'
    return {**MET, "events/Meetup.md": event}


def test_the_day_after_an_event_each_person_met_is_to_follow_up(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, met_at())
    the_plan = plan_of(root, date(2026, 11, 11))
    reason = "you met at Meetup on 2026-11-10: follow up while it is fresh"
    day, key = date(2026, 11, 11), "events/Meetup.md"  # the key tells apart follow-ups of several events
    assert of_kind(the_plan.due, "event-follow-up") == [
        Item("event-follow-up", day, "Anna Schmidt", "contacts/Anna Schmidt.md", reason, key=key),
        Item("event-follow-up", day, "Ben Okafor", "contacts/Ben.md", reason, key=key),
    ]


def test_on_the_event_day_the_follow_up_is_not_due_yet(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, met_at())
    the_plan = plan_of(root, date(2026, 11, 10))
    assert len(of_kind(the_plan.items, "event-follow-up")) == 2
    assert of_kind(the_plan.due, "event-follow-up") == []


def test_an_interaction_after_the_event_clears_the_follow_up(tmp_path: Path) -> None:
    notes = met_at()
    notes["journal/2026-11-12.md"] = "- thanked [[Anna Schmidt]] for the talk\n"
    notes["journal/2026-11-10.md"] = "- met [[Ben]] at the meetup\n"  # on the event's day: not a follow-up
    root = practice_vault(tmp_path, notes)
    assert names(of_kind(plan_of(root, date(2026, 11, 14)).due, "event-follow-up")) == ["Ben Okafor"]


def test_a_logged_interaction_after_the_event_clears_it_too(tmp_path: Path) -> None:
    notes = met_at()
    notes["contacts/Ben.md"] = "---\nname: Ben Okafor\n---\n# Log\n- 2026-11-13 email: sent the deck\n"
    root = practice_vault(tmp_path, notes)
    assert names(of_kind(plan_of(root, date(2026, 11, 14)).due, "event-follow-up")) == ["Anna Schmidt"]


def test_an_events_follow_up_date_is_used(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, met_at("follow_up: 2026-11-16\n"))
    assert of_kind(plan_of(root, date(2026, 11, 15)).due, "event-follow-up") == []
    due = of_kind(plan_of(root, date(2026, 11, 16)).due, "event-follow-up")
    assert [(i.day, i.name) for i in due] == [(date(2026, 11, 16), "Anna Schmidt"), (date(2026, 11, 16), "Ben Okafor")]


def test_a_multi_day_event_is_followed_up_after_its_end(tmp_path: Path) -> None:
    notes = met_at("end: 2026-11-12\n")
    notes["journal/2026-11-12.md"] = "- dinner with [[Anna Schmidt]] on the last evening\n"  # still the event
    notes["journal/2026-11-13.md"] = "- sent [[Ben]] the paper\n"  # after it: a follow-up
    root = practice_vault(tmp_path, notes)
    assert of_kind(plan_of(root, date(2026, 11, 12)).due, "event-follow-up") == []
    due = of_kind(plan_of(root, date(2026, 11, 13)).due, "event-follow-up")
    assert [(i.day, i.name) for i in due] == [(date(2026, 11, 13), "Anna Schmidt")]


@pytest.mark.parametrize(
    ("toml", "last_day", "gone_day"),
    [
        (None, date(2026, 12, 11), date(2026, 12, 12)),  # 30 days after 2026-11-11
        ('[practice]\nevent_follow_up_window = "1w"\n', date(2026, 11, 18), date(2026, 11, 19)),
    ],
)
def test_an_event_follow_up_disappears_after_its_window(
    tmp_path: Path, toml: str | None, last_day: date, gone_day: date
) -> None:
    root = practice_vault(tmp_path, met_at(), toml)
    assert len(of_kind(plan_of(root, last_day).due, "event-follow-up")) == 2
    assert of_kind(plan_of(root, gone_day).items, "event-follow-up") == []


def test_no_event_follow_up_for_an_archived_or_snoozed_contact(tmp_path: Path) -> None:
    notes = met_at()
    notes["contacts/Anna Schmidt.md"] = "---\nname: Anna Schmidt\narchived: true\n---\n"
    notes["contacts/Ben.md"] = "---\nname: Ben Okafor\nsnooze_until: 2026-12-24\n---\n"
    root = practice_vault(tmp_path, notes)
    assert of_kind(plan_of(root, date(2026, 11, 11)).items, "event-follow-up") == []


# --- reconnect ------------------------------------------------------------------------------------------------------


def reconnects(root: Path, today: date = TODAY, session: Session | None = None) -> list[Item]:
    _, the_plan = (session or Session(root)).plan(today)
    return of_kind(the_plan.due, "reconnect")


# Dormant as of the week's Monday (2026-11-16), so that the week's suggestions stay the same all week.
@pytest.mark.parametrize(("last", "dormant"), [("2025-11-16", True), ("2025-11-17", False), ("2020-03-01", True)])
def test_a_tie_is_dormant_after_365_days_without_interaction(tmp_path: Path, last: str, dormant: bool) -> None:
    root = practice_vault(tmp_path, {"contacts/Olga.md": quiet(last)})
    reason = f"no contact since {last}: a dormant tie worth reviving"
    if last == "2020-03-01":  # up for review too: one item, the reconnect, carrying the review's question
        reason += "; review it: keep (and get in touch), move to another circle, or archive"
    expected = [Item("reconnect", MONDAY, "Olga", "contacts/Olga.md", reason)]
    assert reconnects(root) == (expected if dormant else [])


def test_without_any_interaction_the_day_met_counts(tmp_path: Path) -> None:
    notes = {
        "contacts/Met.md": "---\ncircle: dormant\nmet: 2024-05-01\n---\n",
        "contacts/Never.md": "---\ncircle: dormant\n---\n",  # nothing to count from: never suggested
    }
    root = practice_vault(tmp_path, notes)
    assert [(i.name, i.reason) for i in reconnects(root)] == [
        ("Met", "no contact since 2024-05-01: a dormant tie worth reviving")
    ]


def test_an_interaction_from_a_daily_note_wakes_a_dormant_tie(tmp_path: Path) -> None:
    notes = {"contacts/Olga.md": quiet("2024-01-01"), "journal/2026-10-01.md": "- ran into [[Olga]]\n"}
    assert reconnects(practice_vault(tmp_path, notes)) == []


def test_reconnect_settings_are_configurable(tmp_path: Path) -> None:
    notes = {f"contacts/P{n}.md": quiet("2026-05-01") for n in range(6)}  # 2026-05-01 + 6m = 2026-11-01
    notes["contacts/Recent.md"] = quiet("2026-05-22")  # + 6m = 2026-11-22: tomorrow
    toml = '[practice]\nreconnect_after = "6m"\nreconnect_per_week = 3\n'
    found = reconnects(practice_vault(tmp_path, notes, toml))
    assert len(found) == 3  # 6 dormant ties, 3 a week
    assert "Recent" not in names(found)


def test_two_suggestions_a_week_by_default_dated_on_monday(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, {f"contacts/P{n}.md": quiet("2024-01-01") for n in range(5)})
    found = reconnects(root)
    assert len(found) == 2
    assert {i.day for i in found} == {MONDAY}


def test_no_reconnect_when_set_to_zero_a_week(tmp_path: Path) -> None:
    root = practice_vault(tmp_path, {"contacts/Olga.md": quiet("2024-01-01")}, "[practice]\nreconnect_per_week = 0\n")
    assert reconnects(root) == []


def test_the_picks_are_the_same_all_week_and_in_any_copy_of_the_vault(tmp_path: Path) -> None:
    notes = {f"contacts/P{n}.md": quiet("2024-01-01") for n in range(9)}
    first = practice_vault(tmp_path / "a", notes)
    copy = practice_vault(tmp_path / "b", notes)
    picks = reconnects(first, MONDAY)
    assert len(picks) == 2
    for offset in range(7):
        assert reconnects(first, MONDAY + timedelta(days=offset)) == picks
    assert reconnects(copy, TODAY) == picks


def cycle_start(k: int, n: int, after: date) -> date:
    """The first Monday on or after `after` that starts a rotation cycle: weeks are counted as
    `monday.toordinal() // 7`, and a cycle has ceil(n / k) weeks."""
    weeks = math.ceil(n / k)
    monday = after - timedelta(days=after.weekday())
    while (monday.toordinal() // 7) % weeks:
        monday += timedelta(days=7)
    return monday


@pytest.mark.parametrize(("n", "k"), [(5, 2), (7, 3), (4, 1), (6, 2), (3, 5)])
def test_rotation_suggests_everyone_once_per_cycle(tmp_path: Path, n: int, k: int) -> None:
    people = [f"P{i}" for i in range(n)]
    notes = {f"contacts/{p}.md": quiet("2020-01-01") for p in people}
    root = practice_vault(tmp_path, notes, f"[practice]\nreconnect_per_week = {k}\n")
    session = Session(root)
    weeks = math.ceil(n / k)
    start = cycle_start(k, n, TODAY)
    for cycle in range(2):  # two consecutive cycles, each fair on its own
        picked: list[str] = []
        for week in range(weeks):
            monday = start + timedelta(days=7 * (cycle * weeks + week))
            found = reconnects(root, monday + timedelta(days=3), session)  # a Thursday
            assert {i.day for i in found} <= {monday}
            assert len(found) == min(k, n - week * k)
            picked.extend(i.name for i in found)
        assert Counter(picked) == Counter(people)


def shared_context_vault(root: Path, active_since: str = "2026-11-01", toml: str | None = None) -> Path:
    """Seven dormant ties, three of which share context with Act, whom you are active with."""
    notes = {
        "contacts/Act.md": quiet(active_since, company="ACME", tags="[climbing]", introduced_by='"[[Intro]]"'),
        "contacts/Intro.md": quiet("2025-01-01"),
        "contacts/Colleague.md": quiet("2025-01-01", company="Acme"),
        "contacts/Climber.md": quiet("2025-01-01", tags="[climbing, jazz]"),
        "contacts/Sibling.md": quiet("2025-01-01", introduced_by='"[[Intro]]"'),
        **{f"contacts/P{n}.md": quiet("2025-01-01") for n in range(3)},
    }
    return practice_vault(root, notes, toml)


CONTEXT_REASONS = {
    "Colleague": "no contact since 2025-01-01: a dormant tie worth reviving (Act also works at Acme)",
    "Climber": "no contact since 2025-01-01: a dormant tie worth reviving (like Act, tagged #climbing)",
    "Sibling": "no contact since 2025-01-01: a dormant tie worth reviving (Intro introduced you to Act too)",
}


def test_shared_context_comes_first_in_a_cycle_and_is_given_as_the_reason(tmp_path: Path) -> None:
    root = shared_context_vault(tmp_path)
    session = Session(root)
    start = cycle_start(2, 7, TODAY)  # 7 dormant ties (Act is active), 2 a week: 4 weeks a cycle
    first = reconnects(root, start, session)
    second = reconnects(root, start + timedelta(days=7), session)
    assert len(first) == len(second) == 2
    assert {i.name for i in first} < set(CONTEXT_REASONS)
    assert set(CONTEXT_REASONS) < {i.name for i in first + second}
    for item in first + second:
        expected = CONTEXT_REASONS.get(item.name, "no contact since 2025-01-01: a dormant tie worth reviving")
        assert item.reason == expected


def test_an_introducer_you_are_active_with_is_shared_context(tmp_path: Path) -> None:
    notes = {
        "contacts/Act.md": "---\ncircle: dormant\nlast_contact: 2026-11-01\n---\n",
        "contacts/Olga.md": quiet("2025-01-01", introduced_by='"[[Act]]"'),
    }
    [item] = reconnects(practice_vault(tmp_path, notes))
    assert item.reason == "no contact since 2025-01-01: a dormant tie worth reviving (Act introduced you)"


# Active as of the week's Monday: an interaction in the 90 days before 2026-11-16.
@pytest.mark.parametrize(("active_since", "context"), [("2026-08-18", True), ("2026-08-17", False)])
def test_active_means_an_interaction_in_the_last_90_days(tmp_path: Path, active_since: str, context: bool) -> None:
    root = shared_context_vault(tmp_path, active_since, "[practice]\nreconnect_per_week = 10\n")
    picked = reconnects(root)  # 10 a week: every dormant tie this week
    assert len(picked) == 7
    colleague = next(i for i in picked if i.name == "Colleague")
    assert ("Act also works at Acme" in colleague.reason) is context


def test_a_contact_with_a_due_follow_up_is_not_suggested(tmp_path: Path) -> None:
    notes = {
        "contacts/Loose.md": "---\ncircle: loose\nlast_contact: 2024-01-01\n---\n",  # a cadence follow-up is due
        "contacts/Planned.md": quiet("2024-01-01", follow_up="2026-11-20"),  # a planned follow-up is due
        "contacts/Later.md": quiet("2024-01-01", follow_up="2026-12-20"),  # planned, but not due yet
        "contacts/NoCadence.md": "---\ncircle: loose\ncadence: none\nlast_contact: 2024-01-01\n---\n",
    }
    root = practice_vault(tmp_path, notes, "[practice]\nreconnect_per_week = 10\n")
    assert names(reconnects(root)) == ["Later", "NoCadence"]


def test_snoozed_and_archived_ties_are_never_suggested(tmp_path: Path) -> None:
    notes = {
        "contacts/Olga.md": quiet("2020-01-01"),
        "contacts/Snoozed.md": quiet("2020-01-01", snooze_until="2027-06-01"),
        "contacts/Archived.md": quiet("2020-01-01", archived="true"),
    }
    root = practice_vault(tmp_path, notes, "[practice]\nreconnect_per_week = 1\n")
    session = Session(root)
    for week in range(6):
        assert names(reconnects(root, TODAY + timedelta(days=7 * week), session)) == ["Olga"]


# --- review ---------------------------------------------------------------------------------------------------------

REVIEW_REASON = "no contact since {}: review it: keep (and get in touch), move to another circle, or archive"


@pytest.mark.parametrize(("last", "reviewed"), [("2024-11-21", True), ("2024-11-22", False), ("2026-11-01", False)])
def test_two_years_without_interaction_is_one_review_at_the_start_of_the_quarter(
    tmp_path: Path, last: str, reviewed: bool
) -> None:
    root = practice_vault(tmp_path, {"contacts/Olga.md": f"---\nlast_contact: {last}\n---\n"})
    expected = [Item("review", date(2026, 10, 1), "Olga", "contacts/Olga.md", REVIEW_REASON.format(last))]
    the_plan = plan_of(root)
    assert of_kind(the_plan.items, "review") == (expected if reviewed else [])
    assert of_kind(the_plan.due, "review") == (expected if reviewed else [])


@pytest.mark.parametrize(
    ("today", "toml", "start"),
    [
        (date(2027, 1, 1), None, date(2027, 1, 1)),
        (date(2027, 3, 31), None, date(2027, 1, 1)),
        (date(2027, 4, 1), None, date(2027, 4, 1)),
        (date(2027, 6, 15), None, date(2027, 4, 1)),
        (date(2027, 8, 31), None, date(2027, 7, 1)),
        (date(2027, 12, 31), None, date(2027, 10, 1)),
        (date(2027, 2, 15), '[practice]\nreview_every = "1m"\n', date(2027, 2, 1)),
        (date(2027, 12, 31), '[practice]\nreview_every = "1m"\n', date(2027, 12, 1)),
    ],
)
def test_review_items_are_dated_at_the_start_of_the_review_period(
    tmp_path: Path, today: date, toml: str | None, start: date
) -> None:
    root = practice_vault(tmp_path, {"contacts/Olga.md": "---\nlast_contact: 2020-01-01\n---\n"}, toml)
    assert [(i.day, i.name) for i in of_kind(plan_of(root, today).due, "review")] == [(start, "Olga")]


def test_review_after_is_configurable_and_needs_an_interaction(tmp_path: Path) -> None:
    """Someone met but never contacted (a LinkedIn import) is no relationship to review: reconnect brings
    them up instead. Hundreds of imported connections must not flood the list every quarter."""
    notes = {
        "contacts/Olga.md": "---\nlast_contact: 2025-11-01\n---\n",
        "contacts/Met.md": "---\nmet: 2025-10-01\n---\n",
        "contacts/Recent.md": "---\nlast_contact: 2026-01-01\n---\n",
    }
    root = practice_vault(tmp_path, notes, '[practice]\nreview_after = "1y"\n')
    assert [(i.name, i.reason) for i in of_kind(plan_of(root).items, "review")] == [
        ("Olga", REVIEW_REASON.format("2025-11-01")),
    ]


def test_no_review_for_archived_or_snoozed_contacts(tmp_path: Path) -> None:
    notes = {
        "contacts/Archived.md": "---\nlast_contact: 2020-01-01\narchived: yes\n---\n",
        "contacts/Snoozed.md": "---\nlast_contact: 2020-01-01\nsnooze_until: 2027-01-10\n---\n",
    }
    assert of_kind(plan_of(practice_vault(tmp_path, notes)).items, "review") == []


def test_a_review_changes_nothing_in_the_notes(tmp_path: Path) -> None:
    notes = {
        "contacts/Olga.md": "---\nlast_contact: 2020-01-01\ncircle: loose\n---\n# Log\n- 2020-01-01 call: hi\n",
        "contacts/Old Friend.md": quiet("2021-05-05"),
        "events/Meetup.md": '---\ndate: 2020-02-02\nmet: ["[[Olga]]"]\n---\n',
    }
    root = practice_vault(tmp_path, notes)
    before = {rel: (root / rel).read_bytes() for rel in notes}
    result = Session(root).build(TODAY)
    assert result.plan is not None
    assert names(of_kind(result.plan.due, "review")) == ["Olga"]  # Old Friend: the reconnect carries it
    assert names(of_kind(result.plan.due, "reconnect")) == ["Old Friend"]
    assert {rel: (root / rel).read_bytes() for rel in notes} == before
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md")) == sorted([*notes, "Follow-ups.md"])


# --- reciprocity ----------------------------------------------------------------------------------------------------

TAKING = "; you have received more than you gave ({} got, {} gave): offer something first"


def taker(lines: list[str]) -> str:
    log = "".join(f"- {line}\n" for line in lines)
    return f"---\nname: Tess\n---\n# Log\n{log}"


@pytest.mark.parametrize(
    ("lines", "note"),
    [
        (["2026-09-01 call: intro to a VC #got", "2026-10-01 coffee: feedback on the deck #got"], TAKING.format(2, 0)),
        (["2026-09-01 call: #got", "2026-09-15 call: #gave", "2026-10-01 coffee: #got #got"], ""),  # 2 got, 1 gave
        (["2026-08-01 call: #got", "2026-09-01 call: #gave", "2026-09-15 call: #got", "2026-10-01 coffee: #got"],
         TAKING.format(3, 1)),
        (["2026-10-01 coffee: #gave #got"], ""),
    ],
)  # fmt: skip
def test_taking_more_than_giving_is_said_in_the_follow_up_reason(tmp_path: Path, lines: list[str], note: str) -> None:
    root = practice_vault(tmp_path, {"contacts/Tess.md": taker(lines)})
    the_plan = plan_of(root)
    assert [i.kind for i in the_plan.items] == ["follow-up"]  # no separate item
    [item] = the_plan.items
    kind = lines[-1].split()[1].rstrip(":")
    assert item.reason == f"last contact on 2026-10-01 ({kind}); your rhythm is every 90d{note}"


def test_give_and_take_in_daily_notes_count_too(tmp_path: Path) -> None:
    notes = {
        "contacts/Tess.md": taker(["2026-09-01 call: intro to a VC #got"]),
        "journal/2026-10-01.md": "- [[Tess]] reviewed my deck #got\n- lunch with [[Tess|her]] and the team\n",
    }
    [item] = plan_of(practice_vault(tmp_path, notes)).items
    assert item.reason == "last contact on 2026-10-01 (daily); your rhythm is every 90d" + TAKING.format(2, 0)


def test_giving_in_a_daily_note_balances_the_taking(tmp_path: Path) -> None:
    notes = {
        "contacts/Tess.md": taker(["2026-09-01 call: #got", "2026-09-02 call: #got"]),
        "journal/2026-10-01.md": "- sent [[Tess]] a candidate #gave\n",
    }
    [item] = plan_of(practice_vault(tmp_path, notes)).items
    assert "received more than you gave" not in item.reason


def test_a_daily_note_line_naming_someone_twice_counts_once(tmp_path: Path) -> None:
    """Give and take are counted per line: `[[Tess]] told [[Tess|her]] boss about me #got` is one favour."""
    notes = {
        "contacts/Tess.md": "---\nname: Tess\n---\n",
        "journal/2026-10-01.md": "- [[Tess]] told [[Tess|her]] boss about me #got\n",
    }
    the_plan = plan_of(practice_vault(tmp_path, notes))
    [tess] = the_plan.contacts
    assert balance(tess, the_plan.network) == (0, 1)
    [item] = the_plan.items
    assert item.reason == "last contact on 2026-10-01 (daily); your rhythm is every 90d"


def test_the_reciprocity_margin_is_configurable(tmp_path: Path) -> None:
    root = practice_vault(
        tmp_path, {"contacts/Tess.md": taker(["2026-10-01 call: #got"])}, "[practice]\nreciprocity_margin = 1\n"
    )
    [item] = plan_of(root).items
    assert item.reason.endswith(TAKING.format(1, 0))


# --- due --json -----------------------------------------------------------------------------------------------------


def test_due_json_includes_the_new_kinds(tmp_path: Path) -> None:
    notes = {
        "contacts/Old Friend.md": quiet("2023-01-01"),
        "contacts/Dana.md": "---\nlast_contact: 2026-05-01\n---\n",
        "events/Dinner.md": '---\ndate: 2026-11-20\nmet: ["[[Dana]]"]\n---\n',
        "events/Conf.md": '---\ntitle: DataConf\ndate: 2026-11-25\nlocation: Hall 4\ntargets: ["[[Dana]]"]\n---\n',
    }
    root = practice_vault(tmp_path, notes)
    result = run("due", root, "--today", "2026-11-23", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    keys = ("kind", "name", "path", "date", "reason")
    assert [{k: d[k] for k in keys} for d in data] == [
        {
            "kind": "event-follow-up",
            "name": "Dana",
            "path": "contacts/Dana.md",
            "date": "2026-11-21",
            "reason": "you met at Dinner on 2026-11-20: follow up while it is fresh",
        },
        {
            "kind": "event-prep",
            "name": "DataConf",
            "path": "events/Conf.md",
            "date": "2026-11-23",
            "reason": "DataConf on Wed 25 Nov at Hall 4: prepare to meet 1",
        },
        {
            "kind": "reconnect",
            "name": "Old Friend",
            "path": "contacts/Old Friend.md",
            "date": "2026-11-23",
            # Up for review too: one item, the reconnect, carrying the review's question.
            "reason": "no contact since 2023-01-01: a dormant tie worth reviving; review it: keep (and get in touch),"
            " move to another circle, or archive",
        },
    ]
    prep = data[1]
    assert prep["details"] == ["Dana: last contact 2026-11-20 (event)"]
    assert (prep["company"], prep["overdue_days"]) == (None, 0)
