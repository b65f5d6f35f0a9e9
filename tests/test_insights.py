"""Views over a plan: today's agenda, goals, the weekly rhythm, network health and
who can introduce you, computed by `vaultnet.insights` from real vaults written to a temporary folder.

Every vault is small and hand-made; the expected numbers are worked out by hand in the comments, never with
the code under test. `today` is always fixed: Saturday 2026-11-21, in ISO week 2026-W47 (Monday 2026-11-16).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from vaultkit import RHYTHM_WEEKS, TODAY, WHO_NOTES, fm
from vaultkit import write_notes as make_vault

from vaultnet import pipeline
from vaultnet.config import Settings
from vaultnet.insights import (
    GoalStatus,
    Introduction,
    Stats,
    Week,
    agenda,
    goal_statuses,
    stats,
    weekly_rhythm,
    who,
)
from vaultnet.model import Item
from vaultnet.rules import Plan

# -- helpers ----------------------------------------------------------------------------------------------


def plan_of(root: Path, today: date = TODAY) -> tuple[Settings, Plan]:
    """The real pipeline's settings and plan for the vault at `root` (no problems allowed)."""
    snapshot, the_plan = pipeline.due(root, today)
    assert [p for p in snapshot.problems if p.severity == "error"] == []
    return snapshot.settings, the_plan


def rows(items: list[Item]) -> list[tuple[str, str, date]]:
    """(kind, name, day) of each item, in order."""
    return [(i.kind, i.name, i.day) for i in items]


def days_before(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


# -- today's agenda ---------------------------------------------------------------------------------------

# Every kind of thing the agenda can hold, with more candidates than fit (today: Sat 2026-11-21).
AGENDA_NOTES = {
    # Birthday today, and a follow-up overdue since 2026-01-31: she must be nudged once, for the birthday.
    "contacts/Anna.md": fm(circle="close", birthday="1990-11-21", last_contact="2026-01-01"),
    "contacts/Bert.md": fm(birthday="1980-11-22", last_contact="2026-11-10"),  # birthday tomorrow
    "contacts/Carl.md": fm(birthday="1985-11-25", last_contact="2026-11-10"),  # in 4 days: not today's job
    # An overdue promise (and one not yet due).
    "contacts/Dana.md": fm(
        "- [ ] send the deck 📅 2026-11-15\n- [ ] book a table 📅 2026-11-30\n", last_contact="2026-11-10"
    ),
    # Met at last Wednesday's meetup, nothing since: an event follow-up due 2026-11-19.
    "contacts/Emil.md": fm(met="2026-11-18"),
    "events/Meetup.md": fm(date="2026-11-18", met='["[[Emil]]"]'),
    # Cadence follow-ups, most overdue first: Fritz (2026-07-01), Gina (2026-07-30), Hans (2026-10-30).
    "contacts/Fritz.md": fm(circle="close", last_contact="2026-06-01"),
    "contacts/Gina.md": fm(last_contact="2026-05-01"),
    "contacts/Hans.md": fm(last_contact="2026-08-01"),
    # Dormant (no cadence), quiet since 2024-12-01: this week's reconnect suggestion.
    "contacts/Ines.md": fm(circle="dormant", last_contact="2024-12-01"),
}
# The first four items of every agenda of AGENDA_NOTES: today's and tomorrow's birthdays, then the overdue
# promise, then the event follow-up.
AGENDA_FIRST = [
    ("birthday", "Anna", date(2026, 11, 21)),
    ("birthday", "Bert", date(2026, 11, 22)),
    ("promise", "Dana", date(2026, 11, 15)),
    ("event-follow-up", "Emil", date(2026, 11, 19)),
]


def test_agenda_default_size_is_five_in_priority_order(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, AGENDA_NOTES))
    assert settings.practice.agenda_size == 5
    assert rows(agenda(the_plan, settings.practice.agenda_size)) == [
        *AGENDA_FIRST,
        ("reconnect", "Ines", date(2026, 11, 16)),  # the week's Monday
    ]


def test_agenda_takes_the_most_overdue_follow_ups_and_nudges_a_person_once(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, AGENDA_NOTES))
    # Anna's follow-up (due 2026-01-31) is the most overdue, but she is already on the list for her birthday.
    assert ("follow-up", "Anna", date(2026, 1, 31)) in rows(list(the_plan.due))
    assert rows(agenda(the_plan, 7)) == [
        *AGENDA_FIRST,
        ("follow-up", "Fritz", date(2026, 7, 1)),
        ("follow-up", "Gina", date(2026, 7, 30)),
        ("reconnect", "Ines", date(2026, 11, 16)),
    ]
    # With room for everything, Hans comes too, still before the reconnect; Carl's birthday (in 4 days) and
    # Dana's promise for 2026-11-30 never do.
    everything = rows(agenda(the_plan, 20))
    assert everything[-2:] == [("follow-up", "Hans", date(2026, 10, 30)), ("reconnect", "Ines", date(2026, 11, 16))]
    assert [name for _, name, _ in everything].count("Anna") == 1
    assert "Carl" not in [name for _, name, _ in everything]
    assert [(k, n) for k, n, _ in everything].count(("promise", "Dana")) == 1


def test_agenda_size_comes_from_the_practice_settings(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, AGENDA_NOTES, "[practice]\nagenda_size = 3\n"))
    assert settings.practice.agenda_size == 3
    chosen = agenda(the_plan, settings.practice.agenda_size)
    assert len(chosen) == 3
    assert [i.kind for i in chosen] == ["birthday", "birthday", "reconnect"]


def test_agenda_without_a_dormant_tie_fills_every_place_with_other_items(tmp_path: Path) -> None:
    notes = {k: v for k, v in AGENDA_NOTES.items() if k != "contacts/Ines.md"}
    _, the_plan = plan_of(make_vault(tmp_path, notes))
    assert [i.kind for i in the_plan.due].count("reconnect") == 0
    assert rows(agenda(the_plan, 5)) == [
        *AGENDA_FIRST,
        ("follow-up", "Fritz", date(2026, 7, 1)),
    ]


def test_agenda_holds_one_reconnect_even_when_the_week_suggests_several(tmp_path: Path) -> None:
    notes = {
        "contacts/Ines.md": fm(circle="dormant", last_contact="2024-12-01"),
        "contacts/Jan.md": fm(circle="dormant", last_contact="2024-12-02"),
        "contacts/Kim.md": fm(circle="dormant", last_contact="2024-12-03"),
        "contacts/Lea.md": fm(circle="dormant", last_contact="2024-12-04"),
    }
    _, the_plan = plan_of(make_vault(tmp_path, notes))
    assert [i.kind for i in the_plan.due].count("reconnect") == 2  # 4 dormant, reconnect_per_week = 2
    chosen = agenda(the_plan, 5)
    assert [i.kind for i in chosen] == ["reconnect"]
    assert chosen[0] == next(i for i in the_plan.due if i.kind == "reconnect")


def test_agenda_a_promise_and_an_event_follow_up_push_out_the_same_persons_cadence_follow_up(tmp_path: Path) -> None:
    notes = {
        # An overdue promise and an overdue follow-up (2026-01-31): one line, the promise.
        "contacts/Olga.md": fm("- [ ] send the intro 📅 2026-11-01\n", circle="close", last_contact="2026-01-01"),
        # A weekly rhythm and a dinner 11 days ago with nothing since: an event follow-up (2026-11-11) and a
        # cadence follow-up (2026-11-17) are both due; one line, the event's.
        "contacts/Piet.md": fm(cadence="1w"),
        "events/Dinner.md": fm(date="2026-11-10", met='["[[Piet]]"]'),
    }
    _, the_plan = plan_of(make_vault(tmp_path, notes))
    due = rows(list(the_plan.due))
    assert ("follow-up", "Olga", date(2026, 1, 31)) in due
    assert ("event-follow-up", "Piet", date(2026, 11, 11)) in due
    assert ("follow-up", "Piet", date(2026, 11, 17)) in due
    assert rows(agenda(the_plan, 5)) == [
        ("promise", "Olga", date(2026, 11, 1)),
        ("event-follow-up", "Piet", date(2026, 11, 11)),
    ]


def test_agenda_nudges_a_dormant_tie_with_a_birthday_once(tmp_path: Path) -> None:
    """A dormant contact (no cadence, so not "busy") whose birthday is tomorrow is both this week's
    reconnect suggestion and a birthday; the agenda must name her once (the birthday is the reason to call)."""
    notes = {"contacts/Dora.md": fm(circle="dormant", last_contact="2025-01-01", birthday="1980-11-22")}
    _, the_plan = plan_of(make_vault(tmp_path, notes))
    assert sorted(i.kind for i in the_plan.due) == ["birthday", "reconnect"]
    chosen = agenda(the_plan, 5)
    assert [i.path for i in chosen] == ["contacts/Dora.md"]
    assert chosen[0].kind == "birthday"


def test_agenda_of_an_empty_vault_is_empty(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, {}))
    assert agenda(the_plan, 5) == []


def test_agenda_of_size_zero_is_empty(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, AGENDA_NOTES))
    assert agenda(the_plan, 0) == []


# -- goals ------------------------------------------------------------------------------------------------

GOAL_NOTES = {
    # Ada 59 days ago, Eve in May: moving (the last interaction is Ada's).
    "goals/Hire a team.md": "# Hire a team\n",
    "contacts/Ada.md": fm(goals='["[[Hire a team]]"]', last_contact=days_before(59)),
    "contacts/Eve.md": fm(goals='["[[hire a team]]"]', last_contact="2026-05-01"),  # links ignore case
    # Bo 61 days ago: stalled. Fa (archived) was seen yesterday, but archived contacts are out of the network.
    "goals/Raise seed.md": fm(title="Raise seed"),
    "contacts/Bo.md": fm(goals='["[[Raise seed]]"]', last_contact=days_before(61)),
    "contacts/Fa.md": fm(goals='["[[Raise seed]]"]', archived="true", last_contact=days_before(1)),
    # Done: never stalled, even with nobody linked.
    "goals/Write a book.md": fm(status="done"),
    # Nobody linked yet: stalled from the start.
    "goals/Find a mentor.md": "# Find a mentor\n",
    # 81 days of silence, but this goal allows 90.
    "goals/Move to Berlin.md": fm(stalled_after="90d"),
    "contacts/Cy.md": fm(goals='["[[Move to Berlin]]"]', last_contact=days_before(81)),
    # A goal outside goals/ by `type: goal`, allowing one week: Di 11 days ago, stalled.
    "notes/Learn Rust.md": fm(type="goal", stalled_after="1w"),
    "contacts/Di.md": fm(goals='["[[Learn Rust]]"]', last_contact=days_before(11)),
    # A daily note's mention counts as an interaction: Gu was mentioned on 2026-11-15.
    "goals/Speak at a conference.md": "Notes for the talk.\n",
    "contacts/Gu.md": fm(goals='["[[Speak at a conference]]"]'),
    "journal/2026-11-15.md": "- lunch with [[Gu]] about the CFP\n",
}


def goal_table(statuses: list[GoalStatus]) -> dict[str, tuple[list[str], date | None, bool]]:
    """goal title -> (linked contact names, last interaction, stalled)."""
    return {s.goal.title: ([c.name for c in s.contacts], s.last, s.stalled) for s in statuses}


def test_goals_list_contacts_last_interaction_and_stalled(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, GOAL_NOTES))
    assert goal_table(goal_statuses(the_plan, settings)) == {
        "Find a mentor": ([], None, True),
        "Hire a team": (["Ada", "Eve"], TODAY - timedelta(days=59), False),
        "Move to Berlin": (["Cy"], TODAY - timedelta(days=81), False),
        "Raise seed": (["Bo"], TODAY - timedelta(days=61), True),
        "Speak at a conference": (["Gu"], date(2026, 11, 15), False),
        "Write a book": ([], None, False),
        "Learn Rust": (["Di"], TODAY - timedelta(days=11), True),
    }


def test_goals_are_in_path_order_with_their_paths(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, GOAL_NOTES))
    assert [(s.goal.path, s.goal.done) for s in goal_statuses(the_plan, settings)] == [
        ("goals/Find a mentor.md", False),
        ("goals/Hire a team.md", False),
        ("goals/Move to Berlin.md", False),
        ("goals/Raise seed.md", False),
        ("goals/Speak at a conference.md", False),
        ("goals/Write a book.md", True),
        ("notes/Learn Rust.md", False),
    ]


@pytest.mark.parametrize(("quiet_days", "stalled"), [(0, False), (59, False), (60, True), (61, True), (400, True)])
def test_goal_stalls_after_sixty_days_by_default(tmp_path: Path, quiet_days: int, stalled: bool) -> None:
    notes = {
        "goals/Hire a team.md": "# Hire a team\n",
        "contacts/Ada.md": fm(goals='["[[Hire a team]]"]', last_contact=days_before(quiet_days)),
    }
    settings, the_plan = plan_of(make_vault(tmp_path, notes))
    [status] = goal_statuses(the_plan, settings)
    assert (status.last, status.stalled) == (TODAY - timedelta(days=quiet_days), stalled)


def test_goal_stalled_after_is_configurable_globally_and_a_goal_overrides_it(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, GOAL_NOTES, '[practice]\ngoal_stalled_after = "30d"\n'))
    stalled = {s.goal.title: s.stalled for s in goal_statuses(the_plan, settings)}
    assert stalled["Hire a team"] is True  # 59 days > 30
    assert stalled["Move to Berlin"] is False  # its own 90d wins over the vault's 30d
    assert stalled["Learn Rust"] is True  # its own 1w
    assert stalled["Speak at a conference"] is False  # 6 days


def test_a_done_goal_is_never_stalled(tmp_path: Path) -> None:
    notes = {
        "goals/Hire a team.md": fm(status="Done"),
        "contacts/Ada.md": fm(goals='["[[Hire a team]]"]', last_contact="2020-01-01"),
    }
    settings, the_plan = plan_of(make_vault(tmp_path, notes))
    [status] = goal_statuses(the_plan, settings)
    assert (status.goal.done, status.last, status.stalled) == (True, date(2020, 1, 1), False)


def test_an_empty_note_in_the_goals_folder_is_a_goal(tmp_path: Path) -> None:
    """Clicking an unresolved `[[link]]` in Obsidian creates an empty note: in goals/, that is a goal to link to."""
    notes = {
        "goals/Find a mentor.md": "",
        "contacts/Ada.md": fm(goals='["[[Find a mentor]]"]', last_contact=days_before(3)),
    }
    snapshot, the_plan = pipeline.due(make_vault(tmp_path, notes), TODAY)
    assert [p.format() for p in snapshot.problems] == []
    assert goal_table(goal_statuses(the_plan, snapshot.settings)) == {
        "Find a mentor": (["Ada"], TODAY - timedelta(days=3), False)
    }


def test_goals_are_part_of_stats(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, GOAL_NOTES))
    numbers = stats(the_plan, settings)
    assert goal_table(numbers.goals) == goal_table(goal_statuses(the_plan, settings))
    by_title = {g["goal"]: g for g in numbers.as_dict(settings)["goals"]}  # type: ignore[attr-defined]
    assert by_title["Hire a team"] == {
        "goal": "Hire a team",
        "path": "goals/Hire a team.md",
        "contacts": ["Ada", "Eve"],
        "last_interaction": days_before(59),
        "stalled": False,
    }
    assert by_title["Find a mentor"]["last_interaction"] is None


# -- the weekly rhythm ------------------------------------------------------------------------------------

# Weeks (Mondays): W40 09-28, W41 10-05, W42 10-12, W43 10-19, W44 10-26, W45 11-02, W46 11-09, W47 11-16.
RHYTHM_NOTES = {
    # New in W47 (met Tuesday), and a call on Wednesday: new, not also maintained.
    "contacts/A.md": fm("# Log\n- 2026-11-18 call: first chat\n", met="2026-11-17"),
    # Maintained in W47 (last_contact), and met at the W42 event: maintained in W42.
    "contacts/B.md": fm(last_contact="2026-11-20"),
    # Two calls in W46 count once; the W47 daily note makes C maintained in W47 too.
    "contacts/C.md": fm("# Log\n- 2026-11-10 call: one\n- 2026-11-12 call: two\n"),
    "daily/2026-11-19.md": "- coffee with [[C]]\n",
    # New in W45, maintained in W47.
    "contacts/D.md": fm("# Log\n- 2026-11-18 coffee: catch-up\n", met="2026-11-03"),
    # Met the Sunday before the window (W39: not counted); a call on W40's Monday: maintained in W40.
    "contacts/E.md": fm("# Log\n- 2026-09-28 call: hello\n", met="2026-09-27"),
    # Only the future: met tomorrow (still W47) and a call planned for W48. Counted nowhere.
    "contacts/F.md": fm("# Log\n- 2026-11-25 call: planned\n", met="2026-11-22"),
    # Archived: not counted, although met in W47.
    "contacts/G.md": fm(met="2026-11-17", archived="true"),
    # Met at an event in W42 (and `met` says so): new in W42, not maintained there.
    "contacts/H.md": fm(met="2026-10-14"),
    "events/Conf.md": fm(date="2026-10-14", met='["[[H]]", "[[B]]"]'),
}


def week_rows(weeks: list[Week]) -> list[tuple[str, date, int, int]]:
    return [(w.label, w.start, w.new, w.maintained) for w in weeks]


def test_weekly_rhythm_counts_new_and_maintained_contacts_per_iso_week(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, RHYTHM_NOTES))
    counts = {  # (new, maintained); no other week has any
        "2026-W40": (0, 1),  # E
        "2026-W42": (1, 1),  # H new; B maintained
        "2026-W45": (1, 0),  # D
        "2026-W46": (0, 1),  # C, twice
        "2026-W47": (1, 3),  # A new; B, C, D maintained
    }
    assert week_rows(weekly_rhythm(the_plan)) == [(w, monday, *counts.get(w, (0, 0))) for w, monday in RHYTHM_WEEKS]


def test_weekly_rhythm_is_the_same_on_every_day_of_the_week_once_the_week_is_over(tmp_path: Path) -> None:
    _, on_sunday = plan_of(make_vault(tmp_path, RHYTHM_NOTES), date(2026, 11, 22))
    weeks = week_rows(weekly_rhythm(on_sunday))
    assert weeks[-1] == ("2026-W47", date(2026, 11, 16), 2, 3)  # F's `met` day has come
    _, next_monday = plan_of(tmp_path, date(2026, 11, 23))
    shifted = week_rows(weekly_rhythm(next_monday))
    assert shifted[0][0] == "2026-W41"
    assert shifted[-2] == ("2026-W47", date(2026, 11, 16), 2, 3)
    assert shifted[-1] == ("2026-W48", date(2026, 11, 23), 0, 0)


def test_weekly_rhythm_length_is_configurable_by_the_caller(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, RHYTHM_NOTES))
    assert week_rows(weekly_rhythm(the_plan, weeks=2)) == [
        ("2026-W46", date(2026, 11, 9), 0, 1),
        ("2026-W47", date(2026, 11, 16), 1, 3),
    ]


def test_weekly_rhythm_labels_weeks_by_iso_year_at_new_year(tmp_path: Path) -> None:
    notes = {
        "contacts/A.md": fm(met="2026-12-31"),  # W53 of 2026 (2026 starts on a Thursday)
        "contacts/B.md": fm(last_contact="2027-01-02"),  # Saturday, still 2026-W53
        "contacts/C.md": fm(last_contact="2026-12-27"),  # Sunday: 2026-W52
    }
    _, the_plan = plan_of(make_vault(tmp_path, notes), date(2027, 1, 2))
    assert week_rows(weekly_rhythm(the_plan))[-2:] == [
        ("2026-W52", date(2026, 12, 21), 0, 1),
        ("2026-W53", date(2026, 12, 28), 1, 1),
    ]


# -- network health ---------------------------------------------------------------------------------------

# today 2026-11-21: 90 days back is 2026-08-23, 365 days back is 2025-11-21.
STATS_TOML = 'default_circle = "loose"\n\n[practice]\nweekly_new = 2\nweekly_maintained = 3\n'
STATS_NOTES = {
    # close; 3 interactions this year (deep); in touch in 90 days; gave 2. Next follow-up 2026-12-01.
    "contacts/Ada.md": fm(
        "# Log\n- 2026-11-01 call: plans #gave\n- 2026-09-01 coffee: intro #gave\n- 2026-03-01 call: hello\n",
        circle="close",
        goals='["[[Hire a team]]"]',
    ),
    # default circle (loose, 180d); 2 interactions this year; got 3, gave 0: give first. Overdue since 2026-07-09.
    "contacts/Bo.md": fm(
        "# Log\n- 2026-01-10 call: advice #got\n- 2025-12-01 coffee: feedback #got\n- 2025-06-01 call: a lead #got\n"
    ),
    # dormant, quiet since 2024: no follow-up, not in touch.
    "contacts/Cy.md": fm("# Log\n- 2024-05-01 call: long ago\n", circle="dormant"),
    # active, never contacted: a follow-up due today, which is not overdue yet.
    "contacts/Di.md": fm(circle="active"),
    # archived: counted apart, in no circle.
    "contacts/Ed.md": fm("# Log\n- 2026-11-20 call: #gave #gave\n", circle="close", archived="true"),
    # active; a daily note's #gave yesterday.
    "contacts/Fa.md": fm(circle="active", met="2026-11-02"),
    "2026-11-20.md": "- coffee with [[Fa]], sent her a paper #gave\n",
    # default circle; 2026-08-20 is 93 days back: in touch this year, not in 90 days; got 1 (not enough to owe).
    "contacts/Gu.md": fm("# Log\n- 2026-08-20 call: #got\n"),
    # close; 3 interactions this year (deep); got 2, gave 1: not owing. Overdue since 2026-11-02.
    "contacts/Hu.md": fm(
        "# Log\n- 2026-10-01 call: #got\n- 2026-10-02 call: #got\n- 2026-10-03 call: #gave\n",
        circle="close",
        goals='["[[Hire a team]]"]',
    ),
    "goals/Hire a team.md": fm(title='"Hire a team"'),
}


def test_stats_numbers(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, STATS_NOTES, STATS_TOML))
    numbers = stats(the_plan, settings)
    assert isinstance(numbers, Stats)
    assert (numbers.contacts, numbers.archived) == (7, 1)
    assert numbers.by_circle == {"active": 2, "close": 2, "dormant": 1, "loose": 2}
    assert list(numbers.by_circle) == ["active", "close", "dormant", "loose"]
    assert (numbers.touched_90, numbers.touched_365) == (3, 5)  # Ada Fa Hu; + Bo Gu
    assert numbers.deep == 2  # Ada, Hu
    assert numbers.overdue == 2  # Bo, Hu (Di is due today, not overdue)
    assert (numbers.gave, numbers.got, numbers.takers) == (4, 6, 1)  # gave: Ada 2, Fa 1, Hu 1; got: Bo 3, Gu 1, Hu 2


def test_stats_circles_add_up_to_the_active_contacts(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, STATS_NOTES, STATS_TOML))
    numbers = stats(the_plan, settings)
    assert sum(numbers.by_circle.values()) == numbers.contacts == len(the_plan.contacts)


def test_stats_default_circle_is_active_without_settings(tmp_path: Path) -> None:
    notes = {"contacts/A.md": fm(), "contacts/B.md": fm(circle="close"), "contacts/C.md": fm()}
    settings, the_plan = plan_of(make_vault(tmp_path, notes))
    assert stats(the_plan, settings).by_circle == {"active": 2, "close": 1}


def test_stats_as_dict_has_exactly_these_keys_and_values(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, STATS_NOTES, STATS_TOML))
    data = stats(the_plan, settings).as_dict(settings)
    weeks = data.pop("weekly_rhythm")
    assert data == {
        "contacts": 7,
        "archived": 1,
        "by_circle": {"active": 2, "close": 2, "dormant": 1, "loose": 2},
        "interacted_last_90_days": 3,
        "interacted_last_365_days": 5,
        "deep_ties": 2,
        "overdue_follow_ups": 2,
        "gave": 4,
        "got": 6,
        "owe_first": 1,
        "goals": [
            {
                "goal": "Hire a team",
                "path": "goals/Hire a team.md",
                "contacts": ["Ada", "Hu"],
                "last_interaction": "2026-11-01",
                "stalled": False,
            }
        ],
    }
    # (new, maintained): W40 Hu (3 calls), W44 Ada (11-01), W45 Fa met, W47 Fa's daily note; no other week.
    counts = {"2026-W40": (0, 1), "2026-W44": (0, 1), "2026-W45": (1, 0), "2026-W47": (0, 1)}
    expected = [(w, monday.isoformat(), *counts.get(w, (0, 0))) for w, monday in RHYTHM_WEEKS]
    assert weeks == [
        {"week": w, "start": s, "new": n, "maintained": m, "new_target": 2, "maintained_target": 3}
        for w, s, n, m in expected
    ]


def test_stats_of_an_empty_vault_are_zeros(tmp_path: Path) -> None:
    settings, the_plan = plan_of(make_vault(tmp_path, {}))
    data = stats(the_plan, settings).as_dict(settings)
    assert [data[k] for k in ("contacts", "archived", "deep_ties", "overdue_follow_ups", "gave", "got")] == [0] * 6
    assert data["by_circle"] == {}
    assert data["goals"] == []
    assert len(data["weekly_rhythm"]) == 8  # type: ignore[arg-type]


# -- who can introduce me ---------------------------------------------------------------------------------


def who_rows(found: list[Introduction]) -> list[tuple[str, date | None, str | None, list[str]]]:
    """(name, last, introducer's name, names introduced) of each match."""
    return [
        (
            f.contact.name,
            f.last,
            f.introduced_by.name if f.introduced_by else None,
            [c.name for c in f.introduced],
        )
        for f in found
    ]


def test_who_by_company_is_a_case_insensitive_substring_most_recent_first(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, WHO_NOTES))
    assert who_rows(who(the_plan, company="ACME")) == [
        ("Cy", date(2026, 11, 15), "Bo", []),
        ("Ada", date(2026, 11, 1), "Bo", ["Gu"]),
        ("Di", date(2026, 6, 1), None, []),
        ("Ed", None, None, []),
    ]
    assert [f.contact.name for f in who(the_plan, company="labs")] == ["Cy"]


@pytest.mark.parametrize("tag", ["ml", "#ml", "ML", "#ML"])
def test_who_by_tag_with_or_without_hash(tmp_path: Path, tag: str) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, WHO_NOTES))
    assert who_rows(who(the_plan, tag=tag)) == [
        ("Cy", date(2026, 11, 15), "Bo", []),
        ("Ada", date(2026, 11, 1), "Bo", ["Gu"]),
        ("Gu", None, "Ada", []),
    ]


def test_who_by_tag_is_a_whole_tag_not_a_part(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, WHO_NOTES))
    assert who(the_plan, tag="m") == []
    assert [f.contact.name for f in who(the_plan, tag="founder")] == ["Ada"]


def test_who_by_interest_is_a_case_insensitive_substring(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, WHO_NOTES))
    assert [f.contact.name for f in who(the_plan, interest="Machine Learning")] == ["Cy", "Ada"]
    assert [f.contact.name for f in who(the_plan, interest="CLIMB")] == ["Ada"]
    assert who(the_plan, interest="sailing") == []


def test_who_combines_filters_with_and(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, WHO_NOTES))
    assert [f.contact.name for f in who(the_plan, company="acme", tag="ml")] == ["Cy", "Ada"]
    assert [f.contact.name for f in who(the_plan, company="acme", interest="climbing")] == ["Ada"]
    assert [f.contact.name for f in who(the_plan, company="acme", tag="ml", interest="ops")] == ["Cy"]
    assert who(the_plan, company="globex", tag="ml") == []


def test_who_shows_whom_an_introducer_introduced(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, WHO_NOTES))
    assert who_rows(who(the_plan, company="globex")) == [("Bo", date(2026, 10, 1), None, ["Ada", "Cy"])]


def test_who_leaves_out_archived_contacts(tmp_path: Path) -> None:
    _, the_plan = plan_of(make_vault(tmp_path, WHO_NOTES))
    assert "Fa" not in [f.contact.name for f in who(the_plan, company="acme")]


def test_who_breaks_ties_by_name(tmp_path: Path) -> None:
    notes = {
        "contacts/zoe.md": fm(name="Zoe", company="Acme", last_contact="2026-11-01"),
        "contacts/adam.md": fm(name="adam", company="Acme", last_contact="2026-11-01"),
        "contacts/Bea.md": fm(name="Bea", company="Acme", last_contact="2026-11-01"),
    }
    _, the_plan = plan_of(make_vault(tmp_path, notes))
    assert [f.contact.name for f in who(the_plan, company="acme")] == ["adam", "Bea", "Zoe"]
