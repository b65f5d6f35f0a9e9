"""Links as Obsidian reads them, in real notes: Markdown links resolve like wikilinks (relative paths from the
linking note's folder, URL-escapes decoded), an embed meets nobody, a web link names no note, and a link that
finds a contact only by its `name` counts with a warning. Through `parse_note` and through the real pipeline.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from vaultkit import TODAY, write_notes

from vaultnet.cli import cli
from vaultnet.config import Settings
from vaultnet.model import Link, Mention
from vaultnet.network import Network
from vaultnet.parse import parse_note
from vaultnet.pipeline import Session
from vaultnet.problems import Problem

TOML = 'contacts_folder = "People"\n'
SETTINGS = Settings(contacts_folder="People")
JO = "People/Jo Park.md"
SAM = "People/Sam Lee.md"
JANE = "People/jane-roe.md"
PEOPLE = {
    JO: "---\nlast_contact: 2026-06-01\n---\n",
    SAM: "---\nlast_contact: 2026-06-01\n---\n",
    JANE: "---\nname: Jane Roe\nlast_contact: 2026-06-01\n---\n",
    "People/Jürgen Weiß.md": "---\nlast_contact: 2026-06-01\n---\n",
}
JANE_WARNING = (
    "[[Jane Roe]] is the name of People/jane-roe.md, not its file name; Obsidian does not follow names in links:"
    " link [[jane-roe|Jane Roe]] instead"
)


def snapshot(tmp_path: Path, notes: dict[str, str]) -> tuple[Network, list[Problem]]:
    """The vault of PEOPLE and `notes`, read by the real pipeline: (its network, every problem)."""
    write_notes(tmp_path, {**PEOPLE, **notes}, TOML)
    snap, _ = Session(tmp_path).plan(TODAY)
    return snap.network, snap.problems


def met_on(network: Network, path: str) -> list[tuple[date, str, str]]:
    """(day, kind, source) of each interaction with the contact at `path` after the PEOPLE's own."""
    return [(i.day, i.kind, i.source) for i in network.history(path) if i.day != date(2026, 6, 1)]


# --- daily notes -------------------------------------------------------------------------------------------------

DAILY_FORMS = [
    "[Jo](../People/Jo%20Park.md)",  # relative, escaped
    "[Jo](<../People/Jo Park.md>)",  # relative, in angle brackets
    "[Jo](People/Jo%20Park.md)",  # from the vault root
    "[Jo](Jo%20Park)",  # the file name, no `.md`
    "[Jo](Jo%20Park.md#Work)",  # an anchor
    "[Jo](/People/Jo%20Park.md)",  # the vault root, written so
    "[Jo](<Jo Park.md> 'a title')",
    "[[Jo Park|Jo]]",
    "[[People/Jo Park#Work|Jo]]",
]


@pytest.mark.parametrize("link", DAILY_FORMS)
def test_each_link_form_in_a_daily_note_is_a_meeting(tmp_path: Path, link: str) -> None:
    network, problems = snapshot(tmp_path, {"journal/2026-11-20.md": f"# Friday\n\n- lunch with {link} #got\n"})
    assert problems == []
    history = [i for i in network.history(JO) if i.kind == "daily"]
    assert [(i.day, i.text, i.source, i.got) for i in history] == [
        (date(2026, 11, 20), "lunch with Jo #got", "journal/2026-11-20.md", True)
    ]


def test_a_daily_notes_markdown_links_are_its_mentions_through_parse_note() -> None:
    text = "---\nmood: ok\n---\n- coffee with [Jo](../People/Jo%20Park.md) and [Sam](<Sam Lee.md>)\n"
    note = parse_note("journal/2026-11-20.md", text.encode(), SETTINGS)
    assert note.daily is not None
    about = "coffee with Jo and Sam"
    assert note.daily.mentions == (Mention("../People/Jo Park", 4, about), Mention("Sam Lee", 4, about))


def test_a_relative_link_starts_from_the_daily_notes_own_folder(tmp_path: Path) -> None:
    notes = {
        "journal/2026/11/2026-11-20.md": "- call with [Jo](../../../People/Jo%20Park.md)\n",
        "journal/2026-11-18.md": "- call with [Jo](../../People/Jo%20Park.md)\n",  # above the vault: nobody
        "journal/2026-11-17.md": "- call with [Jo](../Jo%20Park.md)\n",  # no such note: nobody
    }
    network, problems = snapshot(tmp_path, notes)
    assert [p for p in problems if p.path.startswith("journal")] == []
    assert met_on(network, JO) == [(date(2026, 11, 20), "daily", "journal/2026/11/2026-11-20.md")]


def test_a_relative_link_may_step_through_its_own_folder(tmp_path: Path) -> None:
    network, problems = snapshot(tmp_path, {"log/2026-11-20.md": "- [Jo](./../People/./Jo%20Park.md)\n"})
    assert problems == []
    assert met_on(network, JO) == [(date(2026, 11, 20), "daily", "log/2026-11-20.md")]


def test_an_embed_is_not_a_meeting(tmp_path: Path) -> None:
    daily = "- notes: ![[Sam Lee]]\n- ![Sam](../People/Sam%20Lee.md)\n- ![[Jo Park]] and lunch with [[Jo Park]]\n"
    network, problems = snapshot(tmp_path, {"journal/2026-11-20.md": daily})
    assert problems == []
    assert met_on(network, SAM) == []
    assert met_on(network, JO) == [(date(2026, 11, 20), "daily", "journal/2026-11-20.md")]  # the link, not the embed


def test_web_links_in_a_daily_note_are_ignored(tmp_path: Path) -> None:
    daily = "- [Jo Park](https://example.org/jo-park)\n- [Jo Park](mailto:jo@example.org)\n- [Jo](#Jo%20Park)\n"
    network, problems = snapshot(tmp_path, {"journal/2026-11-20.md": daily})
    assert problems == []
    assert met_on(network, JO) == []


def test_a_link_that_finds_a_contact_only_by_name_counts_with_a_warning(tmp_path: Path) -> None:
    daily = "# Friday\n- lunch with [[Jane Roe]]\n- call with [Jane](Jane%20Roe.md)\n- [[jane-roe]] wrote\n"
    network, problems = snapshot(tmp_path, {"journal/2026-11-20.md": daily})
    # the file name `[[jane-roe]]` is what Obsidian follows: no warning for it
    assert problems == [
        Problem("journal/2026-11-20.md", 2, JANE_WARNING, "warning"),
        Problem("journal/2026-11-20.md", 3, JANE_WARNING, "warning"),  # `[Jane](Jane%20Roe.md)` names "Jane Roe" too
    ]
    assert met_on(network, JANE) == [(date(2026, 11, 20), "daily", "journal/2026-11-20.md")] * 3


# --- link properties: introduced_by, an event's targets and met, goals -----------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        '"[Jo](Jo%20Park.md)"',  # the same folder
        '"[Jo](./Jo%20Park.md)"',
        '"[Jo](<../People/Jo Park.md>)"',
        '"[Jo](/People/Jo%20Park.md)"',
        '"[[Jo Park]]"',
        "Jo Park",
    ],
)
def test_introduced_by_in_each_link_form(tmp_path: Path, value: str) -> None:
    network, problems = snapshot(tmp_path, {"People/Ada.md": f"---\nintroduced_by: {value}\n---\n"})
    assert problems == []
    assert network.introducer == {"People/Ada.md": JO}


def test_introduced_by_a_name_only_link_is_used_with_a_warning_and_a_plain_name_without(tmp_path: Path) -> None:
    notes = {
        "People/Ada.md": '---\nintroduced_by: "[[Jane Roe]]"\n---\n',
        "People/Bo.md": "---\nintroduced_by: Jane Roe\n---\n",  # a plain name: no link, no warning
    }
    network, problems = snapshot(tmp_path, notes)
    assert problems == [Problem("People/Ada.md", 2, JANE_WARNING, "warning")]
    assert network.introducer == {"People/Ada.md": JANE, "People/Bo.md": JANE}


def test_introduced_by_a_web_link_is_left_out_without_a_word(tmp_path: Path) -> None:
    network, problems = snapshot(
        tmp_path, {"People/Ada.md": '---\nintroduced_by: "[Jo](https://example.org/jo)"\n---\n'}
    )
    assert problems == []
    assert network.introducer == {}


def test_a_relative_introduced_by_that_finds_nobody_says_which_path_it_names(tmp_path: Path) -> None:
    notes = {
        "People/Ada.md": '---\nintroduced_by: "[Jo](../Jo%20Park.md)"\n---\n',
        "People/Bo.md": '---\nintroduced_by: "[Jo](../../Jo%20Park.md)"\n---\n',
    }
    _, problems = snapshot(tmp_path, notes)
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("People/Ada.md", 2, "[[../Jo Park]] names Jo Park.md, which is not in the vault: create it, or fix the link"),
        ("People/Bo.md", 2, "[[../../Jo Park]] points above the vault's folder: fix the link"),
    ]


EVENT = """---
date: 2026-11-10
targets:
  - "[Jo](../People/Jo%20Park.md)"
  - "[site](https://example.org/meetup)"
  - "[Jane](<Jane Roe.md>)"
  - "[Max](../People/Max%20Muster.md)"
met:
  - "[Sam](../People/Sam%20Lee.md#Work)"
  - "[[Jürgen Weiß|Jürgen]]"
  - "[Jürgen](../People/J%C3%BCrgen%20Wei%C3%9F.md)"
---
"""


def test_event_targets_and_met_in_markdown_links_through_parse_note() -> None:
    note = parse_note("events/Meetup.md", EVENT.encode(), SETTINGS)
    assert note.problems == () and note.event is not None
    # the web link is left out; each link keeps its own line
    assert note.event.targets == (Link("../People/Jo Park", 4), Link("Jane Roe", 6), Link("../People/Max Muster", 7))
    assert note.event.met == (Link("../People/Sam Lee", 9), Link("Jürgen Weiß", 10), Link("../People/Jürgen Weiß", 11))


def test_event_targets_and_met_in_markdown_links_through_the_pipeline(tmp_path: Path) -> None:
    network, problems = snapshot(tmp_path, {"events/Meetup.md": EVENT})
    # `Jane Roe.md` is no file: found by her `name`, with the warning (the link is told how Obsidian finds her);
    # a relative path names exactly one note, or nobody
    max_missing = (
        "[[../People/Max Muster]] names People/Max Muster.md, which is not in the vault: create it, or fix the link"
    )
    assert [(p.line, p.message) for p in problems] == [(6, JANE_WARNING), (7, max_missing)]
    assert network.targets["events/Meetup.md"] == (JO, JANE)
    assert network.met["events/Meetup.md"] == (SAM, "People/Jürgen Weiß.md")
    assert met_on(network, SAM) == [(date(2026, 11, 10), "event", "events/Meetup.md")]


def test_a_goal_linked_by_a_markdown_link(tmp_path: Path) -> None:
    notes = {
        "People/Ada.md": '---\ngoals: ["[hiring](../goals/Hire%20a%20team.md)", "[x](https://example.org)"]\n---\n',
        "goals/Hire a team.md": "---\nstalled_after: 2m\n---\n",
    }
    network, problems = snapshot(tmp_path, notes)
    assert problems == []
    assert network.goals_of == {"People/Ada.md": ("goals/Hire a team.md",)}


# --- the whole: check and build ------------------------------------------------------------------------------------


def test_check_passes_with_the_name_warning_and_the_build_counts_the_markdown_links(tmp_path: Path) -> None:
    daily = "- lunch with [Jo](../People/Jo%20Park.md) and ![[Sam Lee]]\n- [[Jane Roe]] called\n"
    write_notes(tmp_path, {**PEOPLE, "journal/2026-11-20.md": daily}, TOML)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.md")}
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"journal/2026-11-20.md:2: warning: {JANE_WARNING}" in result.output
    result = CliRunner().invoke(cli, ["build", str(tmp_path), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in before} == before  # no note changed
    snap, _ = Session(tmp_path).plan(TODAY)
    last = {path: snap.network.last_interaction(path) for path in (JO, SAM, JANE)}
    assert {path: (i.day if i else None) for path, i in last.items()} == {
        JO: date(2026, 11, 20),
        SAM: date(2026, 6, 1),  # only embedded: no meeting
        JANE: date(2026, 11, 20),
    }
