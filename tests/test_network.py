"""Link resolution and interactions: `vaultnet.network` on hand-made vaults.

Links resolve as Obsidian resolves them (file name, then folder path), then by `name`; an alias is accepted
with a warning. Interactions come from the log, `last_contact`, events met at and daily notes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaultkit import TODAY, put

from vaultnet.config import Settings
from vaultnet.model import ParsedNote
from vaultnet.network import Network, build_network, update_network
from vaultnet.parse import parse_note
from vaultnet.pipeline import Session
from vaultnet.problems import Problem
from vaultnet.resolver import Resolution, Resolver
from vaultnet.rules import make_plan


def network_of_notes(notes: dict[str, str], settings: Settings | None = None) -> Network:
    """Parse each (path, text) and build the network from them, as the pipeline does."""
    parsed: list[ParsedNote] = []
    for path, text in notes.items():
        note = parse_note(path, text.encode("utf-8"), settings or Settings())
        assert [p for p in note.problems if p.severity == "error"] == [], note.problems
        parsed.append(note)
    return build_network(parsed)


def follow_up(network: Network, path: str, today: date = TODAY) -> tuple[date, str]:
    """The (day, reason) of the contact's cadence follow-up in the plan."""
    found = [i for i in make_plan(network, Settings(), today).items if i.kind == "follow-up" and i.path == path]
    assert len(found) == 1, found
    return found[0].day, found[0].reason


# --- the resolver ---------------------------------------------------------------------------------------------------

PEOPLE = [
    ("contacts/Anna Schmidt.md", "Anna Schmidt", ("Annie",)),
    ("contacts/work/Ben.md", "Ben Okafor", ()),
    ("people/Ben.md", "Benjamin Ode", ()),
    ("contacts/carla.md", "Carla Diaz", ("CD",)),
    ("contacts/dana.md", "Dana Ruiz", ("CD",)),
]


@pytest.fixture
def resolver() -> Resolver:
    return Resolver(PEOPLE)


@pytest.mark.parametrize(
    "target",
    ["Anna Schmidt", "anna schmidt", "ANNA SCHMIDT", "Anna Schmidt.md", "contacts/Anna Schmidt", " Anna Schmidt "],
)
def test_a_link_resolves_by_file_name_without_case_and_with_md_optional(resolver: Resolver, target: str) -> None:
    assert resolver.resolve(target) == Resolution("contacts/Anna Schmidt.md", None)


def test_two_files_of_one_name_are_told_apart_by_folder(resolver: Resolver) -> None:
    assert resolver.resolve("work/Ben") == Resolution("contacts/work/Ben.md", None)
    assert resolver.resolve("contacts/work/ben.md") == Resolution("contacts/work/Ben.md", None)
    assert resolver.resolve("people/Ben") == Resolution("people/Ben.md", None)


def test_a_file_name_shared_by_two_notes_is_ambiguous_and_names_both(resolver: Resolver) -> None:
    found = resolver.resolve("Ben")
    assert found.path is None
    assert found.severity == "error"
    assert found.problem == "[[Ben]] is ambiguous: contacts/work/Ben.md, people/Ben.md; link with the folder"


def test_a_link_resolves_by_name_when_no_file_is_named_so(resolver: Resolver) -> None:
    assert resolver.resolve("Carla Diaz") == Resolution("contacts/carla.md", None)
    assert resolver.resolve("ben okafor") == Resolution("contacts/work/Ben.md", None)


def test_the_file_name_wins_over_another_contacts_name() -> None:
    r = Resolver([("contacts/Ada.md", "Ada Lovelace", ()), ("contacts/x.md", "Ada", ())])
    assert r.resolve("Ada") == Resolution("contacts/Ada.md", None)


def test_an_alias_is_accepted_with_a_warning(resolver: Resolver) -> None:
    found = resolver.resolve("annie")
    assert found.path == "contacts/Anna Schmidt.md"
    assert found.severity == "warning"
    assert found.problem is not None and "alias of contacts/Anna Schmidt.md" in found.problem


def test_an_alias_of_two_people_resolves_to_nobody(resolver: Resolver) -> None:
    found = resolver.resolve("CD")
    assert found.path is None and found.severity == "error"
    assert found.problem == "[[CD]] is an alias of several notes: contacts/carla.md, contacts/dana.md"


def test_a_link_that_names_nobody_is_unresolved_without_a_message(resolver: Resolver) -> None:
    assert resolver.resolve("Zed") == Resolution(None, None)


def test_a_relative_path_starts_from_the_linking_notes_folder(resolver: Resolver) -> None:
    assert resolver.resolve("../contacts/Anna Schmidt", "journal/2026-11-21.md") == Resolution(
        "contacts/Anna Schmidt.md", None
    )
    assert resolver.resolve("./Ben", "contacts/work/x.md") == Resolution("contacts/work/Ben.md", None)
    assert resolver.resolve("../../Ben", "contacts/work/x.md") == Resolution(None, None)  # above the vault
    # exactly that note, or nobody: not the file name found elsewhere
    assert resolver.resolve("../Anna Schmidt", "journal/2026-11-21.md") == Resolution(None, None)


def test_a_path_is_looked_for_from_the_linking_notes_folder_first() -> None:
    r = Resolver([("People/team/Jo.md", "Jo", ()), ("Archive/team/Jo.md", "Jo", ())])
    assert r.resolve("team/Jo", "People/x.md") == Resolution("People/team/Jo.md", None)
    assert r.resolve("team/Jo", "Archive/y.md") == Resolution("Archive/team/Jo.md", None)
    assert r.resolve("/team/Jo", "People/x.md").problem is not None  # from the root: both end so, ambiguous


def test_a_folder_link_that_is_no_path_is_found_by_the_end_of_a_path() -> None:
    r = Resolver([("People/team/Jo.md", "Jo", ()), ("Archive/old/team/Jo.md", "Jo", ()), ("a/steam/Jo.md", "J", ()),
                  ("x/y/Team/Ann.md", "Ann", ()), ("People/Jo.md", "Jo", ())])  # fmt: skip
    one = r.resolve("Y/team/ann")  # one ending matches, whatever the case
    assert one == Resolution("x/y/Team/Ann.md", None)
    assert r.resolve("old/team/Jo") == Resolution("Archive/old/team/Jo.md", None)
    two = r.resolve("team/Jo.md")  # `steam/Jo` ends with `team/Jo` only as text: not a folder of that name
    assert two == Resolution(None, "[[team/Jo]] is ambiguous: Archive/old/team/Jo.md, People/team/Jo.md; link with the "
                             "folder")  # fmt: skip
    assert r.resolve("eam/Jo") == Resolution(None, None)
    assert r.resolve("team/Jo", "People/x.md") == Resolution("People/team/Jo.md", None)  # the note's folder first


@given(
    st.lists(st.lists(st.sampled_from(["a", "B", "b", "ab", "x y", "ä"]), min_size=1, max_size=4), max_size=12),
    st.lists(st.sampled_from(["a", "b", "B", "ab", "x y", "Ä"]), min_size=2, max_size=3),
)
@settings(max_examples=200, deadline=None)
def test_a_folder_link_finds_what_a_scan_of_every_path_finds(paths: list[list[str]], link: list[str]) -> None:
    notes = [("/".join(parts) + ".md", parts[-1], ()) for parts in paths]
    target = "/".join(link)
    key = target.casefold()
    exact = {p.removesuffix(".md").casefold(): p for p, _, _ in notes}
    found = Resolver(notes).resolve(target)
    if key in exact:
        assert found == Resolution(exact[key], None)
        return
    scanned = sorted(p for k, p in exact.items() if k.endswith("/" + key))
    if len(scanned) == 1:
        assert found == Resolution(scanned[0], None)
    elif scanned:
        assert found == Resolution(None, f"[[{target}]] is ambiguous: {', '.join(scanned)}; link with the folder")
    else:
        assert found.path is None or found.severity == "warning"  # not by path: by name or alias, if at all


def test_a_link_found_only_by_name_is_told_to_link_the_file_and_a_plain_name_is_not() -> None:
    r = Resolver([("People/jane-roe.md", "Jane Roe", ()), ("a/Sam.md", "Sam Lee", ()), ("b/Sam.md", "S", ())], True)
    found = r.resolve("Jane Roe")
    assert (found.path, found.severity) == ("People/jane-roe.md", "warning")
    assert found.problem is not None and found.problem.endswith("link [[jane-roe|Jane Roe]] instead")
    assert r.resolve("Jane Roe", linked=False) == Resolution("People/jane-roe.md", None)
    # when the file name is not unique, the suggested link has the folder
    assert str(r.resolve("Sam Lee").problem).endswith("link [[a/Sam|Sam Lee]] instead")
    # goal notes (no `warn_names`) are found by their title without a word, as before
    assert Resolver([("goals/job.md", "Find a job", ())]).resolve("Find a job") == Resolution("goals/job.md", None)


# --- problems from build_network ------------------------------------------------------------------------------------

ANNA = "---\nname: Anna Schmidt\nrole: CTO\ncompany: Acme\naliases: [Annie]\nlast_contact: 2026-06-01\n---\n"
BEN = "---\nname: Ben Okafor\nlast_contact: 2026-06-01\n---\n"


def test_an_unresolved_event_target_or_met_is_reported_at_its_line_with_a_hint() -> None:
    event = "\n".join(
        [
            "---",
            "date: 2026-11-10",
            "location: Berlin",
            "targets:",
            '  - "[[Anna Schmidt]]"',
            '  - "[[Zed Unknown]]"',
            'met: ["[[Ben]]", "[[Yara]]"]',
            "---",
            "",
        ]
    )
    net = network_of_notes({"contacts/Anna Schmidt.md": ANNA, "contacts/Ben.md": BEN, "events/Meetup.md": event})
    assert net.problems == (
        Problem(
            "events/Meetup.md",
            6,
            "[[Zed Unknown]] names nobody in the vault: create contacts/Zed Unknown.md to prepare or follow up",
            "warning",  # the event is fine and used; the link needs a look
        ),
        Problem(
            "events/Meetup.md",
            7,
            "[[Yara]] names nobody in the vault: create contacts/Yara.md to prepare or follow up",
            "warning",
        ),
    )
    # The people it could find are still used.
    assert net.targets["events/Meetup.md"] == ("contacts/Anna Schmidt.md",)
    assert net.met["events/Meetup.md"] == ("contacts/Ben.md",)


def test_an_ambiguous_event_target_is_reported_with_both_paths() -> None:
    event = '---\ndate: 2026-11-10\ntargets:\n  - "[[Ben]]"\n---\n'
    net = network_of_notes({"contacts/a/Ben.md": BEN, "contacts/b/Ben.md": BEN, "events/Meetup.md": event})
    assert net.problems == (
        Problem(
            "events/Meetup.md",
            4,
            "[[Ben]] is ambiguous: contacts/a/Ben.md, contacts/b/Ben.md; link with the folder",
            "warning",
        ),
    )
    assert net.targets["events/Meetup.md"] == ()


def test_an_event_target_with_the_folder_picks_one_of_two_namesakes() -> None:
    event = '---\ndate: 2026-11-10\ntargets: ["[[b/Ben]]"]\n---\n'
    net = network_of_notes({"contacts/a/Ben.md": BEN, "contacts/b/Ben.md": BEN, "events/Meetup.md": event})
    assert net.problems == ()
    assert net.targets["events/Meetup.md"] == ("contacts/b/Ben.md",)


def test_an_event_target_by_alias_is_used_with_a_warning() -> None:
    event = '---\ndate: 2026-11-10\ntargets: ["[[Annie]]"]\n---\n'
    net = network_of_notes({"contacts/Anna Schmidt.md": ANNA, "events/Meetup.md": event})
    assert [(p.path, p.line, p.severity) for p in net.problems] == [("events/Meetup.md", 3, "warning")]
    assert "Obsidian does not follow aliases" in net.problems[0].message
    assert net.targets["events/Meetup.md"] == ("contacts/Anna Schmidt.md",)


def test_an_event_target_by_the_contacts_name_resolves_and_a_link_by_name_is_told_to_link_the_file() -> None:
    event = '---\ndate: 2026-11-10\ntargets: ["[[Ben Okafor]]", Anna Schmidt, Ben Okafor]\n---\n'
    net = network_of_notes({"contacts/Anna Schmidt.md": ANNA, "contacts/ben.md": BEN, "events/Meetup.md": event})
    message = (
        "[[Ben Okafor]] is the name of contacts/ben.md, not its file name; Obsidian does not follow names in links:"
        " link [[ben|Ben Okafor]] instead"
    )
    # The link is told; the plain name `Ben Okafor` is no link, and Obsidian would not follow it either way.
    assert net.problems == (Problem("events/Meetup.md", 3, message, "warning"),)
    assert net.targets["events/Meetup.md"] == ("contacts/ben.md", "contacts/Anna Schmidt.md")


def test_introduced_by_is_resolved_or_reported_at_its_line() -> None:
    carla = '---\nname: Carla\ncompany: Acme\nintroduced_by: "[[Anna Schmidt]]"\n---\n'
    dana = '---\nname: Dana\nintroduced_by: "[[Nobody Here]]"\n---\n'
    net = network_of_notes({"contacts/Anna Schmidt.md": ANNA, "contacts/Carla.md": carla, "contacts/Dana.md": dana})
    assert net.introducer == {"contacts/Carla.md": "contacts/Anna Schmidt.md"}
    assert net.introduced("contacts/Anna Schmidt.md") == ["contacts/Carla.md"]
    assert net.introduced("contacts/Carla.md") == []
    assert net.problems == (
        Problem(
            "contacts/Dana.md",
            3,
            "[[Nobody Here]] names nobody in the vault: create a contact note for them, or fix the link",
            "warning",
        ),
    )


def test_introduced_lists_whom_each_introduced_sorted_from_one_reverse_index() -> None:
    introducer = _CountedScans(
        {"c/Zoe.md": "c/Bo.md", "c/Ada.md": "c/Bo.md", "c/Cy.md": "c/Ada.md", "c/Di.md": "c/Bo.md"}
    )
    net = Network((), introducer=introducer)
    assert net.introduced("c/Bo.md") == ["c/Ada.md", "c/Di.md", "c/Zoe.md"]
    assert net.introduced("c/Ada.md") == ["c/Cy.md"]
    assert net.introduced("c/Zoe.md") == []
    net.introduced("c/Bo.md").append("c/Eve.md")  # a list of the caller's own
    assert net.introduced("c/Bo.md") == ["c/Ada.md", "c/Di.md", "c/Zoe.md"]
    assert introducer.scans == 1  # read once, however many contacts were asked about


class _CountedScans(dict[str, str]):
    """An `introducer` mapping that counts how often it is read whole."""

    scans = 0

    def items(self) -> Any:
        self.scans += 1
        return super().items()


def test_goals_plain_text_is_no_link_and_a_goal_link_must_name_a_goal_note() -> None:
    ada = '---\nname: Ada\ncompany: Acme\ngoals: ["[[Hire a team]]", learn Go, "[[Write a book]]"]\n---\n'
    net = network_of_notes({"contacts/Ada.md": ada, "goals/Hire a team.md": "---\nstalled_after: 2m\n---\n"})
    assert net.goals_of == {"contacts/Ada.md": ("goals/Hire a team.md",)}
    assert net.problems == (
        Problem(
            "contacts/Ada.md",
            4,
            "[[Write a book]] names no goal: create goals/Write a book.md, or fix the link",
            "warning",
        ),
    )


def test_a_goal_link_resolves_by_the_goals_title_too() -> None:
    ada = '---\nname: Ada\ngoals: "[[Find a job]]"\n---\n'
    goal = "---\ntype: goal\ntitle: Find a job\n---\n"
    net = network_of_notes({"contacts/Ada.md": ada, "projects/job-2026.md": goal})
    assert net.problems == ()
    assert net.goals_of == {"contacts/Ada.md": ("projects/job-2026.md",)}


def test_daily_note_links_to_other_notes_are_silently_ignored() -> None:
    daily = "- read [[Some book]] and [[Project X]]\n- [[Anna Schmidt]] called\n"
    net = network_of_notes({"contacts/Anna Schmidt.md": ANNA, "journal/2026-11-20.md": daily})
    assert net.problems == ()
    assert set(net.interactions) == {"contacts/Anna Schmidt.md"}
    assert [(i.day, i.kind, i.text) for i in net.history("contacts/Anna Schmidt.md")] == [
        (date(2026, 6, 1), "", ""),
        (date(2026, 11, 20), "daily", "Anna Schmidt called"),
    ]


def test_a_daily_note_link_by_alias_counts_with_a_warning_at_its_line() -> None:
    daily = "# Friday\n\n- lunch with [[Annie]]\n"
    net = network_of_notes({"contacts/Anna Schmidt.md": ANNA, "journal/2026-11-20.md": daily})
    assert [(p.path, p.line, p.severity) for p in net.problems] == [("journal/2026-11-20.md", 3, "warning")]
    last = net.last_interaction("contacts/Anna Schmidt.md")
    assert last is not None and (last.day, last.source) == (date(2026, 11, 20), "journal/2026-11-20.md")


def test_an_ambiguous_daily_note_link_between_two_contacts_is_reported() -> None:
    """The user meant a contact but vaultnet cannot tell which: say so, rather than lose the interaction unseen."""
    daily = "- lunch with [[Ben]]\n"
    net = network_of_notes({"contacts/a/Ben.md": BEN, "contacts/b/Ben.md": BEN, "journal/2026-11-20.md": daily})
    assert [(p.path, p.line) for p in net.problems] == [("journal/2026-11-20.md", 1)]
    assert "ambiguous" in net.problems[0].message


def test_problems_of_links_reach_the_sessions_problems(tmp_path: Path) -> None:
    put(tmp_path, "contacts/Anna Schmidt.md", ANNA)
    put(tmp_path, "events/Meetup.md", '---\ndate: 2026-11-10\nmet: ["[[Zed]]"]\n---\n')
    snap, _ = Session(tmp_path).plan(TODAY)
    assert [(p.path, p.line, p.severity) for p in snap.problems] == [("events/Meetup.md", 3, "warning")]
    assert "create contacts/Zed.md" in snap.problems[0].message


# --- interactions: the interplay of notes ---------------------------------------------------------------------------


def test_meeting_someone_at_an_event_resets_their_cadence_follow_up() -> None:
    alone = network_of_notes({"contacts/Ben.md": BEN})
    # Active circle (90 days) from the last contact on 2026-06-01: due 2026-08-30.
    assert follow_up(alone, "contacts/Ben.md") == (
        date(2026, 8, 30),
        "last contact on 2026-06-01; your rhythm is every 90d",
    )
    event = '---\ntitle: Data meetup\ndate: 2026-11-10\nmet: ["[[Ben]]"]\n---\n'
    met = network_of_notes({"contacts/Ben.md": BEN, "events/Meetup.md": event})
    assert follow_up(met, "contacts/Ben.md") == (
        date(2027, 2, 8),  # 2026-11-10 + 90 days
        "last contact on 2026-11-10 (event); your rhythm is every 90d",
    )
    last = met.last_interaction("contacts/Ben.md")
    assert last is not None and (last.kind, last.text, last.source) == ("event", "Data meetup", "events/Meetup.md")


def test_being_only_a_target_of_an_event_is_no_interaction() -> None:
    event = '---\ndate: 2026-11-10\ntargets: ["[[Ben]]"]\n---\n'
    net = network_of_notes({"contacts/Ben.md": BEN, "events/Meetup.md": event})
    assert follow_up(net, "contacts/Ben.md")[0] == date(2026, 8, 30)


def test_a_multi_day_event_counts_on_its_first_day() -> None:
    event = '---\ndate: 2026-11-10\nend: 2026-11-12\nmet: ["[[Ben]]"]\n---\n'
    net = network_of_notes({"contacts/Ben.md": BEN, "events/Meetup.md": event})
    last = net.last_interaction("contacts/Ben.md")
    assert last is not None and last.day == date(2026, 11, 10)


def test_a_daily_note_mention_counts_and_resets_the_cadence(tmp_path: Path) -> None:
    put(tmp_path, "contacts/Ben.md", BEN)
    put(tmp_path, "journal/2026-11-12.md", "- coffee with [[Ben|Ben O.]] about the launch\n")
    _, plan = Session(tmp_path).plan(TODAY)
    assert [(i.kind, i.day, i.reason) for i in plan.items] == [
        ("follow-up", date(2027, 2, 10), "last contact on 2026-11-12 (daily); your rhythm is every 90d")
    ]
    assert plan.due == ()


def test_a_daily_note_in_a_custom_pattern_counts(tmp_path: Path) -> None:
    put(tmp_path, "vaultnet.toml", 'daily_notes = "DD.MM.YYYY"\n')
    put(tmp_path, "contacts/Ben.md", BEN)
    put(tmp_path, "Daily/12.11.2026.md", "- [[Ben#Projects]]\n")
    put(tmp_path, "Daily/2026-11-15.md", "- [[Ben]]\n")  # not the vault's pattern: an ordinary note
    snap, _ = Session(tmp_path).plan(TODAY)
    last = snap.network.last_interaction("contacts/Ben.md")
    assert last is not None and (last.day, last.source) == (date(2026, 11, 12), "Daily/12.11.2026.md")


@pytest.mark.parametrize(
    ("newest", "day", "kind"),
    [
        ("log", date(2026, 11, 14), "call"),
        ("last_contact", date(2026, 11, 15), ""),
        ("event", date(2026, 11, 16), "event"),
        ("daily", date(2026, 11, 17), "daily"),
    ],
)
def test_the_last_interaction_is_the_newest_of_every_source(newest: str, day: date, kind: str) -> None:
    days = {
        "log": date(2026, 10, 1),
        "last_contact": date(2026, 10, 2),
        "event": date(2026, 10, 3),
        "daily": date(2026, 10, 4),
    }
    days[newest] = day
    ben = f"---\nname: Ben Okafor\nlast_contact: {days['last_contact']}\n---\n# Log\n- {days['log']} call: roadmap\n"
    notes = {
        "contacts/Ben.md": ben,
        "events/Meetup.md": f'---\ndate: {days["event"]}\nmet: ["[[Ben]]"]\n---\n',
        f"journal/{days['daily']}.md": "- [[Ben]]\n",
    }
    net = network_of_notes(notes)
    last = net.last_interaction("contacts/Ben.md")
    assert last is not None and (last.day, last.kind) == (day, kind)
    assert len(net.history("contacts/Ben.md")) == 4
    assert [i.day for i in net.history("contacts/Ben.md")] == sorted(i.day for i in net.history("contacts/Ben.md"))


# -- a network updated note by note equals the network made afresh ---------------------------------------------

_BASE = {
    "contacts/Anna.md": "---\nname: Anna\naliases: [Annie]\nintroduced_by: '[[Ben]]'\ngoals: ['[[goals/Hire]]']\n---\n"
    "## Log\n- 2026-10-01 call: hello #gave\n",
    "contacts/Ben.md": "---\nname: Ben\nlast_contact: 2026-09-01\n---\n## Log\n- 2026-09-01 coffee\n",
    "contacts/Cleo.md": "---\nname: Cleo\nintroduced_by: '[[Nobody Here]]'\n---\n",
    "goals/Hire.md": "---\ntype: goal\ntitle: Hire\n---\n",
    "events/Fair.md": "---\ntype: event\ntitle: Fair\ndate: 2026-11-10\nmet: ['[[Anna]]', '[[Cleo]]']\n---\n",
    "journal/2026-11-12.md": "- lunch with [[Ben]] and [[Annie]] #got\n- [[Ghost]] said hi\n",
    "notes/plain.md": "just text [[Anna]]\n",
}

# One edit each: (path, new text, or None to delete). Those the network takes note by note, and those that
# make it afresh (a contact added, removed or renamed; an event changed).
_EDITS = [  # (path, new text or None to delete it, whether the network must be made afresh)
    ("contacts/Anna.md", _BASE["contacts/Anna.md"] + "- 2026-11-20 call: again #got\n", False),
    ("contacts/Ben.md", "---\nname: Ben\nintroduced_by: '[[Cleo]]'\n---\n", False),
    ("contacts/Cleo.md", "---\nname: Cleo\ngoals: ['[[goals/Hire]]', '[[goals/Missing]]']\n---\n", False),
    ("journal/2026-11-12.md", "- dinner with [[Cleo]]\n", False),
    ("journal/2026-11-12.md", None, False),
    ("journal/2026-11-13.md", "- call with [[Anna]] #gave\n- [[Ben]] [[Ben]]\n", False),
    ("notes/plain.md", None, False),
    ("contacts/Anna.md", _BASE["contacts/Anna.md"].replace("Annie", "Anni"), True),
    ("contacts/Dora.md", "---\nname: Dora\n---\n", True),
    ("contacts/Ben.md", None, True),
    ("events/Fair.md", _BASE["events/Fair.md"].replace("[[Cleo]]", "[[Ben]]"), True),
]


def _parsed(notes: dict[str, str]) -> dict[str, ParsedNote]:
    settings = Settings()
    return {path: parse_note(path, text.encode(), settings) for path, text in sorted(notes.items())}


@pytest.mark.parametrize("upto", range(1, len(_EDITS) + 1))
def test_a_network_updated_note_by_note_equals_the_network_made_afresh(upto: int) -> None:
    texts = dict(_BASE)
    notes = _parsed(texts)
    network = build_network(notes.values())
    fresh_builds = 0
    for path, text, _ in _EDITS[:upto]:
        if text is None:
            texts.pop(path)
        else:
            texts[path] = text
        new_notes = {**notes}
        new_notes.pop(path, None)
        new_notes.update({p: n for p, n in _parsed({path: text}).items()} if text is not None else {})
        new_notes = dict(sorted(new_notes.items()))
        updated = update_network(network, notes, new_notes, [path])
        afresh = build_network(new_notes.values())
        if updated is None:
            fresh_builds += 1
            network = afresh
        else:
            network, touched = updated
            assert network == afresh
            assert network.problems == afresh.problems
            changed = {p for p in {*network.interactions, *afresh.interactions}}
            assert {p for p in changed if network.history(p) != build_network(notes.values()).history(p)} <= touched
        notes = new_notes
    assert fresh_builds == sum(afresh for _, _, afresh in _EDITS[:upto])
