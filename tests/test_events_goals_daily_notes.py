"""Notes other than contacts: events, goals and daily notes, as `parse_note` reads them and as the cache keeps them.

Each note is real text run through `parse_note` (or a vault on disk through `Session`); the expected values
are written out by hand.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from vaultkit import put_old, through_snapshot

from vaultnet.config import Settings, parse_settings
from vaultnet.model import DailyNote, Duration, Event, Goal, Link, Mention, ParsedNote
from vaultnet.parse import parse_note
from vaultnet.pipeline import Session
from vaultnet.problems import Problem


def parse(path: str, text: str, settings: Settings | None = None) -> ParsedNote:
    """Parse `text` as the note at `path`."""
    return parse_note(path, text.encode("utf-8"), settings or Settings())


# --- events ----------------------------------------------------------------------------------------------------------

MEETUP = """---
date: 2026-11-25
end: 2026-11-26
location: "[[Berlin]]"
targets:
  - "[[Anna Schmidt]]"
  - [[Ben]]
  - Carla Diaz
met: [[[Dana|D.]], "[[Eve#work]]", Frank]
follow_up: 2026-11-28
---
Notes from the meetup.
"""


def test_an_event_in_the_events_folder_reads_every_field() -> None:
    note = parse("events/Meetup.md", MEETUP)
    assert note.problems == ()
    assert note.contact is None and note.goal is None and note.daily is None
    assert note.event == Event(
        path="events/Meetup.md",
        title="Meetup",  # no title: the file name
        day=date(2026, 11, 25),
        end=date(2026, 11, 26),
        location="Berlin",  # a linked place reads as its name
        targets=(Link("Anna Schmidt", 6), Link("Ben", 7), Link("Carla Diaz", 8, plain=True)),
        met=(Link("Dana", 9), Link("Eve", 9), Link("Frank", 9, plain=True)),
        follow_up=date(2026, 11, 28),
    )
    assert note.event.last_day == date(2026, 11, 26)


def test_a_note_anywhere_with_type_event_is_an_event() -> None:
    text = "---\ntype: event\ntitle: Team dinner\ndate: 2026-12-03\n---\n"
    note = parse("notes/dinner.md", text)
    assert note.problems == ()
    assert note.event == Event(path="notes/dinner.md", title="Team dinner", day=date(2026, 12, 3))
    assert note.event.last_day == date(2026, 12, 3)  # no end: a one-day event


def test_the_events_folder_is_configurable() -> None:
    settings = parse_settings('events_folder = "calendar/meetups"\n')
    text = "---\ndate: 2026-12-03\n---\n"
    assert parse("calendar/meetups/Dinner.md", text, settings).event is not None
    assert parse("events/Dinner.md", text, settings).event is None  # the default folder is no longer special


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (['targets: ["[[Anna]]", "[[Ben Okafor|Ben]]"]'], [Link("Anna", 3), Link("Ben Okafor", 3)]),
        (["targets: [[[Anna]], [[Ben]]]"], [Link("Anna", 3), Link("Ben", 3)]),  # unquoted links in a flow list
        (["targets: [[Anna]]"], [Link("Anna", 3)]),  # one unquoted link: YAML reads a nested list
        (['targets: "[[Anna#Work]]"'], [Link("Anna", 3)]),
        (["targets: [Anna Schmidt, Ben]"], [Link("Anna Schmidt", 3, plain=True), Link("Ben", 3, plain=True)]),
        (["targets:", "  - Anna Schmidt", "  - [[Ben]]"], [Link("Anna Schmidt", 4, plain=True), Link("Ben", 5)]),
        (["targets:", '- "[[Anna]]"', "- Ben"], [Link("Anna", 4), Link("Ben", 5, plain=True)]),  # no indent
        (["targets: []"], []),
        (["targets:"], []),
    ],
)
def test_event_targets_in_every_list_form(lines: list[str], expected: list[Link]) -> None:
    text = "\n".join(["---", "date: 2026-11-25", *lines, "---", ""])
    note = parse("events/Meetup.md", text)
    assert note.problems == ()
    assert note.event is not None
    assert list(note.event.targets) == expected


def test_met_stands_on_its_own_lines_after_the_targets() -> None:
    text = '---\ndate: 2026-11-25\ntargets:\n  - "[[Anna]]"\nmet:\n  - "[[Ben]]"\n  - "[[Anna]]"\n---\n'
    note = parse("events/Meetup.md", text)
    assert note.event is not None
    assert note.event.targets == (Link("Anna", 4),)
    assert note.event.met == (Link("Ben", 6), Link("Anna", 7))  # Anna under met:, not her line under targets:


def test_a_link_whose_name_starts_another_entry_gets_its_own_line() -> None:
    """`[[Bob]]` below `[[Bob Builder]]`: its line is its own, so a problem with it points at the right line."""
    text = '---\ndate: 2026-11-25\ntargets:\n  - "[[Bob Builder]]"\n  - "[[Bob]]"\n---\n'
    note = parse("events/Meetup.md", text)
    assert note.event is not None
    assert note.event.targets == (Link("Bob Builder", 4), Link("Bob", 5))


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (["location: Berlin"], Problem("events/Meetup.md", 1, "an event needs a `date:` (YYYY-MM-DD)")),
        (["date:"], Problem("events/Meetup.md", 1, "an event needs a `date:` (YYYY-MM-DD)")),
        (
            ["location: Berlin", "date: 2026-13-01"],
            Problem("events/Meetup.md", 3, "date: '2026-13-01' is not a valid date"),
        ),
        (
            ["date: next friday"],
            Problem("events/Meetup.md", 2, "date: 'next friday' is not a date (expected YYYY-MM-DD)"),
        ),
        (
            ["date: 2026-11-25", "location: Berlin", "end: 2026-11-24"],
            Problem("events/Meetup.md", 4, "end: the event ends before it starts"),
        ),
        (
            ["date: 2026-11-25", "end: soon"],
            Problem("events/Meetup.md", 3, "end: 'soon' is not a date (expected YYYY-MM-DD)"),
        ),
    ],
)
def test_a_bad_event_date_is_reported_at_its_line_and_the_event_skipped(lines: list[str], problem: Problem) -> None:
    note = parse("events/Meetup.md", "\n".join(["---", *lines, "---", ""]))
    assert note.problems == (problem,)
    assert note.event is None


def test_an_event_without_front_matter_needs_a_date() -> None:
    note = parse("events/Ideas.md", "Ideas for next year's events.\n")
    assert note.problems == (Problem("events/Ideas.md", 1, "an event needs a `date:` (YYYY-MM-DD)"),)


def test_an_event_ending_on_its_first_day_is_fine() -> None:
    note = parse("events/Meetup.md", "---\ndate: 2026-11-25\nend: 2026-11-25\n---\n")
    assert note.problems == ()
    assert note.event is not None and note.event.last_day == date(2026, 11, 25)


# --- goals ----------------------------------------------------------------------------------------------------------


def test_a_note_in_the_goals_folder_is_a_goal() -> None:
    note = parse("goals/Hire a team.md", "What the team needs.\n")
    assert note.problems == ()
    assert note.goal == Goal(path="goals/Hire a team.md", title="Hire a team", stalled_after=None, done=False)
    assert note.contact is None and note.event is None


def test_a_note_anywhere_with_type_goal_is_a_goal() -> None:
    text = "---\ntype: goal\ntitle: Find a new job\nstalled_after: 3w\nstatus: active\n---\n"
    note = parse("projects/job.md", text)
    assert note.problems == ()
    assert note.goal == Goal("projects/job.md", "Find a new job", Duration(days=21), False)


@pytest.mark.parametrize(("status", "done"), [("done", True), ("Done", True), ("active", False), ("", False)])
def test_a_goals_status_done_marks_it_done(status: str, done: bool) -> None:
    note = parse("goals/Hire.md", f"---\nstatus: {status}\n---\n")
    assert note.goal is not None
    assert note.goal.done is done


@pytest.mark.parametrize(("written", "duration"), [("2m", Duration(months=2)), ("45d", Duration(days=45))])
def test_a_goals_stalled_after(written: str, duration: Duration) -> None:
    note = parse("goals/Hire.md", f"---\nstalled_after: {written}\n---\n")
    assert note.goal is not None
    assert note.goal.stalled_after == duration


def test_a_bad_stalled_after_is_reported_at_its_line() -> None:
    note = parse("goals/Hire.md", "---\ntitle: Hire\nstalled_after: soon\n---\n")
    message = "stalled_after: 'soon' is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)"
    assert note.problems == (Problem("goals/Hire.md", 3, message),)
    assert note.goal is None


# --- daily notes ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["2026-11-20.md", "journal/2026-11-20.md", "a/b/c/2026-11-20.md"])
def test_a_note_named_by_a_date_is_a_daily_note_in_any_folder(path: str) -> None:
    note = parse(path, "Quiet day.\n")
    assert note.problems == ()
    assert note.daily == DailyNote(path=path, day=date(2026, 11, 20), mentions=())


@pytest.mark.parametrize(
    "path",
    ["journal/2026-02-30.md", "journal/2026-11-20 notes.md", "journal/20.11.2026.md", "journal/2026-11-2.md"],
)
def test_a_note_not_named_by_a_real_date_is_no_daily_note(path: str) -> None:
    note = parse(path, "- lunch with [[Anna]]\n")
    assert note == ParsedNote(path)


DAILY = """---
mood: good
---
# Friday

- coffee with [[Anna Schmidt|Anna]] about her team #got
- [x] intro [[Ben#Work]] to [[Carla]] #gave
Called [[Dana]], no answer.
1. [[Eve]] sent the slides #GOT
- no link here #gave
"""


def test_a_daily_notes_mentions_with_line_text_and_give_and_take() -> None:
    note = parse("journal/2026-11-20.md", DAILY)
    assert note.problems == ()
    assert note.daily == DailyNote(
        path="journal/2026-11-20.md",
        day=date(2026, 11, 20),
        mentions=(
            Mention("Anna Schmidt", 6, "coffee with Anna about her team #got", gave=False, got=True),
            Mention("Ben", 7, "intro Ben to Carla #gave", gave=True, got=False),
            Mention("Carla", 7, "intro Ben to Carla #gave", gave=True, got=False),
            Mention("Dana", 8, "Called Dana, no answer."),
            Mention("Eve", 9, "Eve sent the slides #GOT", gave=False, got=True),
        ),
    )


def test_a_custom_daily_note_pattern() -> None:
    settings = parse_settings('daily_notes = "DD.MM.YYYY"\n')
    assert settings.problems == ()
    note = parse("Journal/20.11.2026.md", "- [[Anna]]\n", settings)
    assert note.daily == DailyNote("Journal/20.11.2026.md", date(2026, 11, 20), (Mention("Anna", 1, "Anna"),))
    assert parse("Journal/2026-11-20.md", "- [[Anna]]\n", settings) == ParsedNote("Journal/2026-11-20.md")


def test_a_daily_note_pattern_without_a_day_is_reported_and_the_default_kept() -> None:
    settings = parse_settings('daily_notes = "YYYY-MM"\n')
    assert settings.daily_notes == "YYYY-MM-DD"
    assert [(p.path, p.line) for p in settings.problems] == [("vaultnet.toml", 1)]
    assert "must contain YYYY, MM and DD" in settings.problems[0].message


def test_a_date_named_note_in_the_contacts_folder_stays_a_contact() -> None:
    note = parse("contacts/2026-11-20.md", "---\nname: Dated Person\n---\n")
    assert note.daily is None
    assert note.contact is not None and note.contact.name == "Dated Person"


# --- the snapshot ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("events/Meetup.md", MEETUP),
        ("notes/dinner.md", "---\ntype: event\ntitle: Dinner\ndate: 2026-12-03\nlocation: Café Ü\n---\n"),
        ("goals/Hire.md", "---\ntitle: Hire a team\nstalled_after: 2m\nstatus: done\n---\n"),
        ("goals/Open.md", "No front matter.\n"),
        ("journal/2026-11-20.md", DAILY),
        ("journal/2026-11-21.md", "No links today.\n"),
        ("events/Broken.md", "---\ndate: soon\n---\n"),  # problems only
    ],
)
def test_the_snapshot_keeps_events_goals_and_daily_notes(tmp_path: Path, path: str, text: str) -> None:
    note = parse_note(path, text.encode("utf-8"), Settings(), modified=1_700_000_000)
    assert through_snapshot(tmp_path, note) == note
    assert through_snapshot(tmp_path, [note, ParsedNote("x.md")]) == [note, ParsedNote("x.md")]


def test_a_second_session_reads_the_kinds_back_from_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    put_old(root, "contacts/Anna Schmidt.md", "---\nrole: CTO\n---\n")
    put_old(root, "events/Meetup.md", MEETUP)
    put_old(root, "goals/Hire.md", "---\nstalled_after: 2m\n---\n")
    put_old(root, "journal/2026-11-20.md", DAILY)
    first = Session(root).snapshot()
    assert sorted(first.refresh.parsed) == sorted(first.refresh.notes)
    second = Session(root).snapshot()
    assert second.refresh.parsed == []  # nothing read again: everything came from the snapshot
    assert second.refresh.notes == first.refresh.notes
    assert second.network == first.network
