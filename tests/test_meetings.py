"""Meeting notes: the people and the day a note of an `[interactions]` selection names (`vaultnet.meetings`), and
each person met as an interaction of kind `meeting` (`vaultnet.network`), counted wherever interactions count.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from vaultkit import DAY, OLD_NS, TODAY, parse_problems, run, vault_files, write_vault

from vaultnet.config import Settings
from vaultnet.frontmatter import load_front_matter
from vaultnet.insights import goal_statuses, weekly_rhythm
from vaultnet.meetings import names_in, parse_meeting
from vaultnet.model import Contact, Duration, Link, Meeting, ParsedNote
from vaultnet.network import Interaction, Network, build_network
from vaultnet.parse import parse_note
from vaultnet.pipeline import Session
from vaultnet.problems import Problem
from vaultnet.rules import Plan, make_plan
from vaultnet.selection import Selection

PEOPLE = ("people", "attendees")


def meeting_of(
    yaml: str, path: str = "meetings/Sync.md", people: tuple[str, ...] = PEOPLE, dates: tuple[str, ...] = ("date",)
) -> ParsedNote:
    """`yaml` as a meeting note's front matter (its first line is the note's line 2)."""
    front_matter, problem = load_front_matter(path, yaml)
    assert problem is None, problem
    return parse_meeting(path, yaml, front_matter, people, dates, modified=7)


# --- the people a note names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml", "names"),
    [
        ('people: ["[[Sam Lee]]", "[[Jo Park|Jo]]"]', ["Sam Lee", "Jo Park"]),
        ("people: [[Sam Lee]]", ["Sam Lee"]),  # unquoted: YAML's list in a list
        ("people:\n  - [[Sam Lee]]\n  - [[Jo Park]]", ["Sam Lee", "Jo Park"]),  # unquoted, in a block list
        ("attendees: [Alex Owner, Jane Roe]", ["Alex Owner", "Jane Roe"]),  # plain names
        ("attendees: Alex Owner, Jane Roe", ["Alex Owner", "Jane Roe"]),  # one text
        ('people: "[[Sam Lee]], [[Jo Park]]"', ["Sam Lee", "Jo Park"]),  # links in one text
        ("people: Sam Lee", ["Sam Lee"]),
        (
            'people: ["[Jo](People/Jo%20Park.md)", "[Sam](<../People/Sam Lee.md>)"]',
            ["People/Jo Park", "../People/Sam Lee"],  # from the meeting note's folder
        ),
        ('People: ["[[Sam Lee]]"]\nATTENDEES: [Jane Roe]', ["Sam Lee", "Jane Roe"]),  # names without case
        ('people: ["![[Sam Lee]]", "[[Jo Park]]"]', ["Jo Park"]),  # an embed names nobody
        ("people: []\nattendees: null", []),
        ('people: ["[Sam Lee](https://example.org/sam)"]', []),  # a web link names no note, as everywhere
    ],
)
def test_every_person_of_the_people_properties_is_read_as_written(yaml: str, names: list[str]) -> None:
    note = meeting_of("date: 2026-11-19\n" + yaml)
    assert note.meeting is not None and note.problems == ()
    assert [p.target for p in note.meeting.people] == names


def test_only_the_configured_properties_name_people() -> None:
    note = meeting_of('date: 2026-11-19\nwith: ["[[Sam Lee]]"]\nhost: "[[Jo Park]]"', people=("host",))
    assert note.meeting is not None
    assert note.meeting.people == (Link("Jo Park", 4),)


def test_each_person_keeps_the_line_they_stand_on() -> None:
    yaml = 'date: 2026-11-19\ntopic: "[[Bob Builder]]"\npeople:\n  - "[[Bob Builder]]"\n  - "[[Bob]]"\n  - Ann\n'
    yaml += "attendees: [Cy]"
    note = meeting_of(yaml)
    assert note.meeting is not None
    assert note.meeting.people == (
        Link("Bob Builder", 5), Link("Bob", 6), Link("Ann", 7, plain=True), Link("Cy", 8, plain=True)
    )  # fmt: skip


def test_a_set_of_properties_among_the_people_is_a_warning_and_the_rest_count() -> None:
    note = meeting_of("date: 2026-11-19\npeople:\n  - Ann\n  - {name: Bo}")
    assert note.meeting is not None and [p.target for p in note.meeting.people] == ["Ann"]
    assert note.problems == (
        Problem("meetings/Sync.md", 4, "people: expected links or names, not a set of properties", "warning"),
    )


def test_the_meeting_keeps_its_path_title_and_modified_time() -> None:
    note = meeting_of("date: 2026-11-19\npeople: [Ann]", path="work/2026-11-19 Sync with Ann.md")
    assert note.meeting == Meeting("work/2026-11-19 Sync with Ann.md", date(2026, 11, 19), "2026-11-19 Sync with Ann",
                                   (Link("Ann", 3, plain=True),), 7)  # fmt: skip
    assert meeting_of("date: 2026-11-19\ntitle: Quarterly review").meeting == Meeting(
        "meetings/Sync.md", date(2026, 11, 19), "Quarterly review", (), 7
    )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[[Sam]] and [Jo](Jo.md)", [("[[Sam]]", "Sam", False), ("[Jo](Jo.md)", "Jo", False)]),
        ("[Jo](Jo.md), [[Sam]]", [("[Jo](Jo.md)", "Jo", False), ("[[Sam]]", "Sam", False)]),  # in the order written
        ("![[Sam]]", []),
        ("![Jo](Jo.md)", []),
        ("[Jo](https://example.org/jo)", []),  # a web link names no note, and no person
        ("Ann, , Bo ", [("Ann", "Ann", True), ("Bo", "Bo", True)]),
    ],
)
def test_names_in_one_text(text: str, names: list[tuple[str, str, bool]]) -> None:
    assert names_in(text) == names


# --- the day ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml", "dates", "day"),
    [
        ("date: 2024-06-18", ("date",), date(2024, 6, 18)),
        ('date: "2024-06-18 21:01"', ("date",), date(2024, 6, 18)),
        ("Date: 2024-06-18T21:01:00+02:00", ("date",), date(2024, 6, 18)),
        ("Date & Time: 2024-06-18 9:00 am", ("date & time",), date(2024, 6, 18)),
        ('date: "[[2024-06-18]]"', ("date",), date(2024, 6, 18)),  # a link to the daily note
        ("date: [[2024-06-18]]", ("date",), date(2024, 6, 18)),
        ("created: 2024-01-01\nwhen: 2024-06-18", ("when", "created"), date(2024, 6, 18)),  # the names' order
        ("when: soon\ncreated: 2024-01-01", ("when", "created"), date(2024, 1, 1)),  # the first that holds a date
        ("when:\ncreated: 2024-01-01", ("when", "created"), date(2024, 1, 1)),
    ],
)
def test_the_day_is_the_first_date_property_that_holds_a_date(yaml: str, dates: tuple[str, ...], day: date) -> None:
    note = meeting_of(yaml, dates=dates)
    assert note.meeting is not None and note.meeting.day == day
    assert [p for p in note.problems if p.severity == "error"] == []


@pytest.mark.parametrize(
    ("path", "day"),
    [
        ("meetings/2023-09-12 Meeting with Sam.md", date(2023, 9, 12)),
        ("meetings/2026-01-26-jane-roe.md", date(2026, 1, 26)),
        ("meetings/Sync 2023-02-30 then 2023-03-01.md", date(2023, 3, 1)),  # the first date that exists
    ],
)
def test_without_a_date_property_the_day_is_the_date_in_the_file_name(path: str, day: date) -> None:
    note = meeting_of("people: [Sam]", path=path)
    assert note.problems == ()
    assert note.meeting is not None and note.meeting.day == day


def test_a_date_property_wins_over_the_file_name() -> None:
    note = meeting_of("date: 2023-09-13", path="meetings/2023-09-12 Sam.md")
    assert note.meeting is not None and note.meeting.day == date(2023, 9, 13)


def test_a_date_property_that_holds_no_date_is_a_warning_when_the_file_name_has_one() -> None:
    note = meeting_of("people: [Sam]\ndate: next week", path="meetings/2023-09-12 Sam.md")
    assert note.meeting is not None and note.meeting.day == date(2023, 9, 12)
    assert note.problems == (
        Problem(
            "meetings/2023-09-12 Sam.md",
            3,
            "date: 'next week' is not a date; the meeting counts on 2023-09-12, the date in its file name",
            "warning",
        ),
    )


def test_a_meeting_without_a_day_is_an_error_and_does_not_count() -> None:
    note = meeting_of("people: [Sam]", path="meetings/Sync with Sam.md", dates=("date", "when"))
    assert note.meeting is None
    message = (
        "a meeting note needs a day: `date:` or `when:` (YYYY-MM-DD), or a date in its file name (2024-06-18 Team.md)"
    )
    assert note.problems == (Problem("meetings/Sync with Sam.md", 1, message),)


def test_a_date_property_that_holds_no_date_is_an_error_at_its_line_without_a_date_in_the_file_name() -> None:
    note = meeting_of("people: [Sam]\ndate: [2024-06-18, 2024-06-19]")
    assert note.meeting is None
    assert note.problems == (
        Problem("meetings/Sync.md", 3, "date: a list is not a date (YYYY-MM-DD): the meeting cannot count"),
    )


# --- which notes are meeting notes: the [interactions] selection, through parse_note -------------------------------

NOTE = '---\ndate: 2026-11-19\ncategories: ["[[Meetings]]"]\ntags: [work, meeting/1on1]\npeople: ["[[Sam]]"]\n---\n'


@pytest.mark.parametrize(
    "selection",
    [
        Selection(folders=("notes",)),
        Selection(tags=("meeting",)),  # `meeting/1on1` is below `meeting`
        Selection(where=(("categories", ("[[Meetings]]",)),)),
    ],
)
def test_a_note_the_interactions_selection_picks_is_a_meeting(selection: Selection) -> None:
    note = parse_note("notes/Sync.md", NOTE.encode(), Settings(interactions=selection))
    assert note.meeting == Meeting("notes/Sync.md", date(2026, 11, 19), "Sync", (Link("Sam", 5),))
    assert (note.contact, note.event, note.daily, note.problems) == (None, None, None, ())


@pytest.mark.parametrize(
    "selection",
    [
        Selection(),  # the default: no meeting notes at all
        Selection(folders=("meetings",)),
        Selection(tags=("meet",)),
        Selection(folders=("notes",), exclude=("**/Sync.md",)),
    ],
)
def test_a_note_the_selection_does_not_pick_is_no_meeting(selection: Selection) -> None:
    assert parse_note("notes/Sync.md", NOTE.encode(), Settings(interactions=selection)) == ParsedNote("notes/Sync.md")


@pytest.mark.parametrize("kind", ["event", "goal"])
def test_a_note_of_vaultnets_own_type_stays_that_kind(kind: str) -> None:
    text = NOTE.replace("---\n", f"---\ntype: {kind}\n", 1)
    note = parse_note("notes/Sync.md", text.encode(), Settings(interactions=Selection(folders=("notes",))))
    assert note.meeting is None and (note.event or note.goal) is not None


# --- the people met, as interactions ------------------------------------------------------------------------------

SAM = Contact(
    "People/Sam Lee.md", "Sam Lee", aliases=("Sammy",), cadence=Duration(days=30), last_contact=date(2026, 9, 1)
)
JANE = Contact("People/jane-roe.md", "Jane Roe")
JO_WORK = Contact("work/Jo.md", "Jo")
JO_HOME = Contact("home/Jo.md", "Jo")
MEETING_PATH = "meetings/2026-11-19 Sync.md"


def network_with(*people: str, contacts: tuple[Contact, ...] = (SAM, JANE, JO_WORK, JO_HOME)) -> Network:
    """The network of the contacts and one meeting on 2026-11-19 that names `people`, each on its own line."""
    meeting = Meeting(MEETING_PATH, date(2026, 11, 19), "Sync", tuple(Link(p, 3 + i) for i, p in enumerate(people)))
    notes = [ParsedNote(c.path, contact=c) for c in contacts]
    return build_network([*notes, ParsedNote(MEETING_PATH, meeting=meeting)])


MET = Interaction(date(2026, 11, 19), "meeting", "Sync", MEETING_PATH)


@pytest.mark.parametrize("person", ["Sam Lee", "sam lee", "People/Sam Lee", "Sam Lee.md"])
def test_a_person_named_in_a_meeting_is_an_interaction_of_kind_meeting(person: str) -> None:
    network = network_with(person)
    assert network.last_interaction(SAM.path) == MET
    assert network.problems == ()


def test_a_plain_name_resolves_by_the_contacts_name_when_no_file_is_named_so() -> None:
    network = network_with("Jane Roe")
    assert network.last_interaction(JANE.path) == MET


def test_an_alias_counts_with_a_warning() -> None:
    network = network_with("Sammy")
    assert network.last_interaction(SAM.path) == MET
    assert [(p.line, p.severity) for p in network.problems] == [(3, "warning")]
    assert "alias of People/Sam Lee.md" in network.problems[0].message


def test_a_name_that_matches_nobody_is_ignored_without_a_word() -> None:
    network = network_with("Alex Owner", "A Guest")
    assert network.problems == ()
    assert all(i.kind != "meeting" for history in network.interactions.values() for i in history)


def test_an_ambiguous_name_is_a_warning_and_counts_for_nobody() -> None:
    network = network_with("Jo")
    assert network.history(JO_WORK.path) == () and network.history(JO_HOME.path) == ()
    assert network.problems == (
        Problem(MEETING_PATH, 3, "[[Jo]] is ambiguous: home/Jo.md, work/Jo.md; link with the folder", "warning"),
    )


def test_a_person_named_twice_in_one_note_is_one_interaction() -> None:
    network = network_with("Sam Lee", "[[ignored]]", "sam lee", "People/Sam Lee")
    assert [i for i in network.history(SAM.path) if i.kind == "meeting"] == [MET]


def test_each_meeting_note_is_its_own_interaction() -> None:
    lunch = Meeting("meetings/b.md", date(2026, 10, 1), "Lunch", (Link("Sam Lee", 2),))
    sync = Meeting(MEETING_PATH, date(2026, 11, 19), "Sync", (Link("Sam Lee", 3),))
    notes = [
        ParsedNote(SAM.path, contact=SAM),
        ParsedNote(lunch.path, meeting=lunch),
        ParsedNote(sync.path, meeting=sync),
    ]
    network = build_network(notes)
    assert [(i.day, i.kind, i.source) for i in network.history(SAM.path)] == [
        (date(2026, 9, 1), "", SAM.path),
        (date(2026, 10, 1), "meeting", "meetings/b.md"),
        (date(2026, 11, 19), "meeting", MEETING_PATH),
    ]


def test_a_meeting_moves_the_follow_up_and_the_reason_names_it() -> None:
    before = [i for i in make_plan(network_with(), Settings(), TODAY).items if i.path == SAM.path]
    after = [i for i in make_plan(network_with("Sam Lee"), Settings(), TODAY).items if i.path == SAM.path]
    assert [(i.kind, i.day) for i in before] == [("follow-up", date(2026, 10, 1))]
    assert [(i.kind, i.day, i.reason) for i in after] == [
        ("follow-up", date(2026, 12, 19), "last contact on 2026-11-19 (meeting); your rhythm is every 30d")
    ]


# --- through the real pipeline: a vault whose meetings are notes of their own -------------------------------------

PEOPLE_TOML = """\
[contacts]
folders = ["People"]

[practice]
reconnect_per_week = 1
"""
MEETINGS_TOML = PEOPLE_TOML + '\n[interactions]\nfolders = ["meetings"]\n'
MEETINGS_VAULT = {
    "People/Sam Lee.md": '---\nrole: CTO\ncompany: Acme\nlast_contact: 2025-01-10\ngoals: ["[[Hire a team]]"]\n---\n',
    "People/jane-roe.md": "---\nname: Jane Roe\ncadence: none\nlast_contact: 2024-06-01\n---\n",
    "People/Bo.md": "---\ncadence: none\nlast_contact: 2024-06-01\n---\n",
    "goals/Hire a team.md": "---\nstalled_after: 60d\n---\n",
    "meetings/2026-11-19 Sync.md": (
        '---\ndate: 2026-11-19\npeople: ["[[Sam Lee]]", "[[Bo]]"]\nattendees: [Alex Owner, Jane Roe]\n---\nSam hires.\n'
    ),
}


def kinds_for(plan: Plan, path: str) -> dict[str, tuple[date, str]]:
    return {str(i.kind): (i.day, i.reason) for i in plan.items if i.path == path}


def test_a_meeting_note_counts_everywhere_interactions_count(tmp_path: Path) -> None:
    without = write_vault(tmp_path / "without", MEETINGS_VAULT, PEOPLE_TOML)
    with_meetings = write_vault(tmp_path / "with", MEETINGS_VAULT, MEETINGS_TOML)
    _, before = Session(without).plan(TODAY)
    snapshot, after = Session(with_meetings).plan(TODAY)
    assert snapshot.problems == []
    sam, jane, bo = "People/Sam Lee.md", "People/jane-roe.md", "People/Bo.md"
    # Without the [interactions] table the meeting note is a plain note: every tie looks long quiet.
    assert set(kinds_for(before, sam)) == {"follow-up"}
    assert {**kinds_for(before, jane), **kinds_for(before, bo)}.keys() == {"review", "reconnect"}
    # With it, each person it names was met on 2026-11-19: cadence, last contact, reconnect and review see it.
    assert {str(i.kind): (i.day, i.path, i.reason) for i in after.items} == {
        "follow-up": (date(2027, 2, 17), sam, "last contact on 2026-11-19 (meeting); your rhythm is every 90d")
    }
    met = Interaction(date(2026, 11, 19), "meeting", "2026-11-19 Sync", "meetings/2026-11-19 Sync.md")
    assert [after.network.last_interaction(p) for p in (sam, jane, bo)] == [met, met, met]
    # The goal Sam serves is moving again, and the week of the meeting kept three ties.
    assert [(g.last, g.stalled) for g in goal_statuses(before, snapshot.settings)] == [(date(2025, 1, 10), True)]
    assert [(g.last, g.stalled) for g in goal_statuses(after, snapshot.settings)] == [(date(2026, 11, 19), False)]
    assert [(w.label, w.maintained) for w in weekly_rhythm(before)][-1] == ("2026-W47", 0)
    assert [(w.label, w.maintained) for w in weekly_rhythm(after)][-1] == ("2026-W47", 3)


def test_the_cli_shows_the_meeting_as_the_last_contact_and_check_passes(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "vault", MEETINGS_VAULT, MEETINGS_TOML)
    before = vault_files(root)
    checked = run("check", root)
    assert checked.exit_code == 0, (checked.stdout, checked.stderr)
    due = run("due", "--json", "--today", DAY, root)
    assert due.exit_code == 0, due.stderr
    reasons = {item["path"]: item["reason"] for item in json.loads(due.stdout)}
    assert "People/Sam Lee.md" not in reasons  # the meeting moved Sam's follow-up out of what is due
    who = run("who", "--company", "acme", "--json", "--today", DAY, root)
    assert who.exit_code == 0, who.stderr
    assert [(p["name"], p["last_interaction"]) for p in json.loads(who.stdout)] == [("Sam Lee", "2026-11-19")]
    assert vault_files(root) == before  # reading the vault changes no note


def test_a_meeting_note_without_a_day_fails_check_at_its_line(tmp_path: Path) -> None:
    notes = {**MEETINGS_VAULT, "meetings/Sync with Sam.md": "---\npeople: [Sam Lee]\n---\n"}
    root = write_vault(tmp_path / "vault", notes, MEETINGS_TOML)
    checked = run("check", root)
    assert checked.exit_code != 0
    message = "a meeting note needs a day: `date:` (YYYY-MM-DD), or a date in its file name (2024-06-18 Team.md)"
    assert parse_problems(checked.stderr) == [(str(root / "meetings/Sync with Sam.md"), 1, message)]


def test_a_contact_selected_as_a_meeting_note_too_stays_a_contact(tmp_path: Path) -> None:
    notes = dict(MEETINGS_VAULT)
    notes["People/Sam Lee.md"] = "---\ndate: 2026-11-19\npeople: [Jane Roe]\nlast_contact: 2025-01-10\n---\n"
    toml = '[contacts]\nfolders = ["People"]\n\n[interactions]\nfolders = ["People", "meetings"]\n'
    snapshot, _ = Session(write_vault(tmp_path / "vault", notes, toml)).plan(TODAY)
    assert [c.path for c in snapshot.network.contacts] == ["People/Bo.md", "People/Sam Lee.md", "People/jane-roe.md"]
    assert [i.source for i in snapshot.network.history("People/jane-roe.md")] == [
        "People/jane-roe.md",
        "meetings/2026-11-19 Sync.md",
    ]


def test_meetings_are_read_back_from_the_cache(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "vault", MEETINGS_VAULT, MEETINGS_TOML, mtime_ns=OLD_NS)
    first = Session(root).snapshot()
    second = Session(root).snapshot()  # a new session: the notes come from the snapshot
    assert second.refresh.parsed == []
    assert second.refresh.notes["meetings/2026-11-19 Sync.md"].meeting is not None
    assert second.refresh.notes == first.refresh.notes
    assert second.network.history("People/Sam Lee.md") == first.network.history("People/Sam Lee.md")
