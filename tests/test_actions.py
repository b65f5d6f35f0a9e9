"""Commands that write to the vault (`vaultnet.actions` and the CLI's init, new, log, snooze, archive, done),
run on real vaults in `tmp_path`: the right contact, the right line, nothing else touched, no lost update."""

from __future__ import annotations

import ast
import json
import os
import re
import stat
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from unprivileged import as_unprivileged, outcome
from vaultkit import DATA, DAY, TODAY, no_network_build, put, run, write_notes
from vaultkit import vault_files as snapshot_files

from vaultnet import actions, imports
from vaultnet.actions import find_contact
from vaultnet.changes import Change, apply, safe_filename
from vaultnet.config import Settings
from vaultnet.edit import split_lines
from vaultnet.model import Contact
from vaultnet.parse import parse_note
from vaultnet.pipeline import Session
from vaultnet.problems import ParamError, UserError, WriteRefused

ANNA = """\
---
name: Anna Schmidt
aliases: [Annie]
company: "Acme: GmbH"  # since 2024
circle: close
tags:
  - work
# archived: true  (not yet)
---
# Anna Schmidt

## Log
- 2026-09-20 coffee: talked about hiring
- 2026-10-02 call: her new team #gave

## Tasks
- [ ] send the article on graph databases 📅 2026-11-15
- [ ] introduce her to Ben (due 2026-12-05)
- [x] book the restaurant
"""
BERG = "---\nname: Anna Berg\n---\nA colleague.\n"
CHEN = "---\nname: Chen Wei\naliases:\n  - CW\n  - Wei\n---\n## Log\n- 2026-10-20 call: first chat\n"
JURGEN = "No front matter: the file name is the name.\n"
BEN = "---\ntype: contact\nname: Ben Okafor\nsnooze_until: 2026-01-01\narchived: false\n---\n"
MEETING = "# Meeting notes\n\nAnna Schmidt was there.\n"  # not a contact: outside contacts/, no type


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A small vault: contacts in folders, with aliases, one without front matter, one note that is no contact."""
    return write_notes(
        tmp_path / "vault",
        {
            "contacts/Anna Schmidt.md": ANNA,
            "contacts/work/berg.md": BERG,
            "contacts/chen-wei.md": CHEN,
            "contacts/Jürgen Weiß.md": JURGEN,
            "people/ben.md": BEN,
            "notes/Meeting.md": MEETING,
        },
    )


def run_on(vault: Path, args: list[str]) -> Result:
    """Run a writing command on `vault`, on TODAY for the commands that take a date."""
    dated = ["--today", DAY] if args[0] in ("log", "snooze", "new") else []
    return run(*args, "--vault", vault, *dated)


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.exception


def assert_user_error(result: Result, *fragments: str) -> None:
    """Exit code 2, a `vaultnet:` message naming `fragments`, and no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stderr.startswith("vaultnet: ") or "\nvaultnet: " in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def temp_files(root: Path) -> list[str]:
    """Temp files a write may have left behind, anywhere in the vault."""
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.name.endswith(".tmp") or "vaultnet-tmp" in p.name
    )


def contacts(root: Path) -> list[Contact]:
    return list(Session(root).snapshot().network.contacts)


def contact(root: Path, rel: str) -> Contact:
    """The contact of note `rel` as the vault reads it now."""
    return next(c for c in contacts(root) if c.path == rel)


def inserted(before: bytes, after: bytes) -> list[str]:
    """The lines `after` has on top of `before`, checking `before`'s lines all stay, byte for byte, in order."""
    b, a = split_lines(before.decode()), split_lines(after.decode())
    extra: list[str] = []
    i = 0
    for line in a:
        if i < len(b) and line == b[i]:
            i += 1
        else:
            extra.append(line)
    assert i == len(b), "a line of the note was changed or lost"
    return extra


def replaced(before: bytes, after: bytes) -> list[tuple[str, str]]:
    """(old, new) of the lines that differ between two texts of the same number of lines."""
    b, a = split_lines(before.decode()), split_lines(after.decode())
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(b, a, strict=True) if x != y]


# -- find_contact -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "path"),
    [
        ("Anna Schmidt", "contacts/Anna Schmidt.md"),  # name (and file name)
        ("anna schmidt", "contacts/Anna Schmidt.md"),  # any case
        ("ANNIE", "contacts/Anna Schmidt.md"),  # alias
        ("  Annie  ", "contacts/Anna Schmidt.md"),
        ("berg", "contacts/work/berg.md"),  # file name in a subfolder
        ("berg.md", "contacts/work/berg.md"),
        ("Anna B", "contacts/work/berg.md"),  # unique prefix of a name
        ("chen-wei", "contacts/chen-wei.md"),
        ("Chen Wei", "contacts/chen-wei.md"),
        ("cw", "contacts/chen-wei.md"),  # alias, any case
        ("wei", "contacts/chen-wei.md"),  # an alias that is a prefix of nothing else
        ("JÜRGEN WEISS", "contacts/Jürgen Weiß.md"),  # casefold: ß is ss
        ("jür", "contacts/Jürgen Weiß.md"),
        ("ben okafor", "people/ben.md"),  # `type: contact` outside the contacts folder
        ("Ben", "people/ben.md"),  # file name
    ],
)
def test_find_contact_resolves_names(vault: Path, wanted: str, path: str) -> None:
    assert find_contact(contacts(vault), wanted).path == path


def test_find_contact_prefers_an_exact_name_to_a_longer_one(vault: Path) -> None:
    put(vault, "contacts/Ann.md", "---\nname: Ann\n---\n")
    assert find_contact(contacts(vault), "ann").path == "contacts/Ann.md"
    assert find_contact(contacts(vault), "anni").path == "contacts/Anna Schmidt.md"  # prefix of the alias Annie


def test_find_contact_ambiguous_prefix_lists_the_candidates(vault: Path) -> None:
    with pytest.raises(UserError) as info:
        find_contact(contacts(vault), "anna")
    message = info.value.message
    assert "more than one contact" in message
    assert "Anna Schmidt (contacts/Anna Schmidt.md)" in message
    assert "Anna Berg (contacts/work/berg.md)" in message
    assert "Chen" not in message


def test_find_contact_ambiguous_exact_name_lists_the_candidates(vault: Path) -> None:
    put(vault, "contacts/max.md", "---\nname: Max Mustermann\n---\n")
    put(vault, "contacts/work/max-2.md", "---\nname: Max Mustermann\n---\n")
    with pytest.raises(UserError, match="more than one contact") as info:
        find_contact(contacts(vault), "max mustermann")
    assert "contacts/max.md" in info.value.message and "contacts/work/max-2.md" in info.value.message


@pytest.mark.parametrize("wanted", ["Zoe", "Meeting", "Anna Schmidtt", "nna"])
def test_find_contact_without_a_match(vault: Path, wanted: str) -> None:
    with pytest.raises(UserError, match="no contact matches"):
        find_contact(contacts(vault), wanted)


@pytest.mark.parametrize("wanted", ["", "   ", ".md"])
def test_find_contact_needs_a_name(vault: Path, wanted: str) -> None:
    with pytest.raises(UserError, match="give a name"):
        find_contact(contacts(vault), wanted)


# -- log -----------------------------------------------------------------------------------------------------------


def test_log_with_kind_date_and_gave(vault: Path) -> None:
    path = vault / "contacts/Anna Schmidt.md"
    before = path.read_bytes()
    result = run("log", "annie", "coffee near the office", "--vault", vault, "--kind", "coffee",
                 "--date", "2026-11-20", "--gave", "--today", DAY)  # fmt: skip
    assert_ok(result)
    assert result.stdout == f"updated  {path}\n"
    after = path.read_bytes()
    assert inserted(before, after) == ["- 2026-11-20 coffee: coffee near the office #gave\n"]
    assert split_lines(after.decode())[14] == "- 2026-11-20 coffee: coffee near the office #gave\n"
    c = contact(vault, "contacts/Anna Schmidt.md")
    assert c.last_log is not None
    assert (c.last_log.day, c.last_log.kind, c.last_log.text, c.last_log.gave, c.last_log.got) == (
        date(2026, 11, 20), "coffee", "coffee near the office #gave", True, False,
    )  # fmt: skip
    assert c.last_interaction == date(2026, 11, 20)
    assert len(c.log) == 3 and c.company == "Acme: GmbH" and c.tags == ("work",)


def test_log_defaults_to_today_and_takes_got(vault: Path) -> None:
    path = vault / "contacts/chen-wei.md"
    before = path.read_bytes()
    assert_ok(run("log", "CW", "she sent\nme a paper", "--got", "--vault", vault, "--today", DAY))
    assert inserted(before, path.read_bytes()) == ["- 2026-11-21 she sent me a paper #got\n"]
    c = contact(vault, "contacts/chen-wei.md")
    assert c.last_log is not None and c.last_log.got and c.last_interaction == TODAY


def test_log_adds_the_log_heading_to_a_note_without_one(vault: Path) -> None:
    path = vault / "contacts/Jürgen Weiß.md"
    assert_ok(run("log", "jürgen", "met at the meetup", "--kind", "meeting", "--vault", vault, "--today", DAY))
    assert path.read_text(encoding="utf-8") == JURGEN + "\n## Log\n\n- 2026-11-21 meeting: met at the meetup\n"
    c = contact(vault, "contacts/Jürgen Weiß.md")
    assert [(e.day, e.kind, e.text) for e in c.log] == [(TODAY, "meeting", "met at the meetup")]


def test_log_keeps_a_crlf_note_crlf_and_its_bom(vault: Path) -> None:
    data = b"\xef\xbb\xbf" + ANNA.replace("\n", "\r\n").encode("utf-8")
    path = put(vault, "contacts/Anna Schmidt.md", data)
    assert_ok(run("log", "Anna Schmidt", "lunch", "--vault", vault, "--today", DAY))
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf---\r\n")
    assert after.count(b"\n") == after.count(b"\r\n") == data.count(b"\r\n") + 1
    assert inserted(data, after) == ["- 2026-11-21 lunch\r\n"]


def test_log_keeps_a_newest_first_log_newest_first(vault: Path) -> None:
    text = "---\nname: Dana\n---\n## Log\n- 2026-10-02 call: b\n- 2026-09-20 call: a\n\nNotes.\n"
    path = put(vault, "contacts/Dana.md", text)
    assert_ok(run("log", "dana", "c", "--kind", "call", "--vault", vault, "--today", DAY))
    assert path.read_text() == text.replace("## Log\n", "## Log\n- 2026-11-21 call: c\n")
    assert contact(vault, "contacts/Dana.md").last_interaction == TODAY


def test_log_keeps_a_note_without_final_newline_so(vault: Path) -> None:
    path = put(vault, "contacts/Dana.md", "---\nname: Dana\n---\n## Log\n- 2026-10-02 call: b")
    assert_ok(run("log", "dana", "c", "--vault", vault, "--today", DAY))
    assert path.read_text() == "---\nname: Dana\n---\n## Log\n- 2026-10-02 call: b\n- 2026-11-21 c"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["annie", "x", "--gave", "--got"], "Invalid value for '--got': an entry is one of gave and got"),
        (["annie", "   "], "give a text"),
        (["annie", "x", "--kind", "two words"], "--kind"),
        (["anna", "x"], "more than one contact"),
        (["nobody", "x"], "no contact matches"),
    ],
)
def test_log_user_errors(vault: Path, args: list[str], fragment: str) -> None:
    before = snapshot_files(vault)
    assert_user_error(run("log", *args, "--vault", vault, "--today", DAY), fragment)
    assert snapshot_files(vault) == before


def test_log_with_a_bad_date_is_a_usage_error(vault: Path) -> None:
    before = snapshot_files(vault)
    result = run("log", "annie", "x", "--date", "2026-13-01", "--vault", vault)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--date" in result.stderr or "Invalid value" in result.stderr
    assert snapshot_files(vault) == before


def test_log_in_a_missing_vault_is_a_user_error(tmp_path: Path) -> None:
    assert_user_error(run("log", "anna", "x", "--vault", tmp_path / "nope"), "no such folder")


# -- snooze, archive --------------------------------------------------------------------------------------------


def due_paths(root: Path) -> list[str]:
    result = run("due", root, "--today", DAY, "--json")
    assert_ok(result)
    return sorted({item["path"] for item in json.loads(result.stdout)})


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        ("2026-12-24", date(2026, 12, 24)),
        ("2w", date(2026, 12, 5)),
        ("3m", date(2027, 2, 21)),
        ("10d", date(2026, 12, 1)),
    ],
)
def test_snooze_with_a_date_or_a_duration(vault: Path, until: str, expected: date) -> None:
    path = vault / "contacts/Jürgen Weiß.md"
    assert "contacts/Jürgen Weiß.md" in due_paths(vault)  # never contacted: due today
    assert_ok(run("snooze", "jürgen", until, "--vault", vault, "--today", DAY))
    assert path.read_text(encoding="utf-8") == f"---\nsnooze_until: {expected.isoformat()}\n---\n" + JURGEN
    assert contact(vault, "contacts/Jürgen Weiß.md").snooze_until == expected
    assert "contacts/Jürgen Weiß.md" not in due_paths(vault)


def test_snooze_adds_the_line_at_the_end_of_the_front_matter(vault: Path) -> None:
    path = vault / "contacts/chen-wei.md"
    before = path.read_bytes()
    assert_ok(run("snooze", "chen", "2w", "--vault", vault, "--today", DAY))
    assert inserted(before, path.read_bytes()) == ["snooze_until: 2026-12-05\n"]
    assert split_lines(path.read_text())[5] == "snooze_until: 2026-12-05\n"  # after the block list of aliases
    c = contact(vault, "contacts/chen-wei.md")
    assert (c.snooze_until, c.aliases) == (date(2026, 12, 5), ("CW", "Wei"))


def test_snooze_replaces_an_existing_snooze_until(vault: Path) -> None:
    path = vault / "people/ben.md"
    before = path.read_bytes()
    assert_ok(run("snooze", "ben", "2w", "--vault", vault, "--today", DAY))
    assert replaced(before, path.read_bytes()) == [("snooze_until: 2026-01-01\n", "snooze_until: 2026-12-05\n")]
    assert contact(vault, "people/ben.md").snooze_until == date(2026, 12, 5)


@pytest.mark.parametrize("until", ["1x", "soon", "none", "2026-02-30"])
def test_snooze_with_neither_a_date_nor_a_duration(vault: Path, until: str) -> None:
    before = snapshot_files(vault)
    result = run("snooze", "chen", until, "--vault", vault, "--today", DAY)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert snapshot_files(vault) == before


def test_archive_sets_archived(vault: Path) -> None:
    path = vault / "contacts/Anna Schmidt.md"
    before = path.read_bytes()
    assert "contacts/Anna Schmidt.md" in due_paths(vault)
    assert_ok(run("archive", "Annie", "--vault", vault))
    assert inserted(before, path.read_bytes()) == ["archived: true\n"]
    assert split_lines(path.read_text())[7] == "# archived: true  (not yet)\n"  # the comment stays as it was
    assert contact(vault, "contacts/Anna Schmidt.md").archived is True
    assert "contacts/Anna Schmidt.md" not in due_paths(vault)


def test_archive_replaces_archived_false(vault: Path) -> None:
    path = vault / "people/ben.md"
    before = path.read_bytes()
    assert_ok(run("archive", "ben okafor", "--vault", vault))
    assert replaced(before, path.read_bytes()) == [("archived: false\n", "archived: true\n")]
    assert contact(vault, "people/ben.md").archived is True


def test_archive_twice_changes_nothing_the_second_time(vault: Path) -> None:
    path = vault / "people/ben.md"
    assert_ok(run("archive", "ben", "--vault", vault))
    after = path.read_bytes()
    result = run("archive", "ben", "--vault", vault)
    assert_ok(result)
    assert "unchanged" in result.stdout
    assert path.read_bytes() == after


# -- done ------------------------------------------------------------------------------------------------------------


def test_done_ticks_the_matching_open_promise(vault: Path) -> None:
    path = vault / "contacts/Anna Schmidt.md"
    before = path.read_bytes()
    assert_ok(run("done", "annie", "GRAPH DATABASES", "--vault", vault))
    assert replaced(before, path.read_bytes()) == [
        (
            "- [ ] send the article on graph databases 📅 2026-11-15\n",
            "- [x] send the article on graph databases 📅 2026-11-15\n",
        )
    ]
    promises = {p.text: p.done for p in contact(vault, "contacts/Anna Schmidt.md").promises}
    assert promises == {
        "send the article on graph databases": True,
        "introduce her to Ben": False,
        "book the restaurant": True,
    }


def test_done_ticks_a_promise_in_a_crlf_note_at_the_right_line(vault: Path) -> None:
    data = b"\xef\xbb\xbf" + ANNA.replace("\n", "\r\n").encode("utf-8")
    path = put(vault, "contacts/Anna Schmidt.md", data)
    assert_ok(run("done", "anna schmidt", "introduce", "--vault", vault))
    assert replaced(data, path.read_bytes()) == [
        ("- [ ] introduce her to Ben (due 2026-12-05)\r\n", "- [x] introduce her to Ben (due 2026-12-05)\r\n")
    ]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("send", ()),  # one open promise only: fine (see the next test for more than one)
        ("restaurant", ("no open promise", "send the article on graph databases", "introduce her to Ben")),
        ("nothing like it", ("no open promise", "matches")),
    ],
)
def test_done_without_exactly_one_match(vault: Path, text: str, fragments: tuple[str, ...]) -> None:
    before = snapshot_files(vault)
    result = run("done", "annie", text, "--vault", vault)
    if not fragments:
        assert_ok(result)
        return
    assert_user_error(result, *fragments)
    assert snapshot_files(vault) == before


def test_done_with_an_ambiguous_text_lists_the_promises(vault: Path) -> None:
    path = put(vault, "contacts/Dana.md", "---\nname: Dana\n---\n- [ ] send the book\n- [ ] send the slides\n")
    before = path.read_bytes()
    assert_user_error(run("done", "dana", "send", "--vault", vault), "several promises", "send the book",
                      "send the slides")  # fmt: skip
    assert path.read_bytes() == before


def test_done_prefers_the_promise_written_exactly_so(vault: Path) -> None:
    """`call Bob` is a part of `call Bob about the job`: if an exact match did not win, no text could ever
    tick `call Bob` alone (every part of it is also a part of the other)."""
    path = put(vault, "contacts/Dana.md", "---\nname: Dana\n---\n- [ ] call Bob about the job\n- [ ] call Bob\n")
    assert_ok(run("done", "dana", "call bob", "--vault", vault))
    assert path.read_text() == "---\nname: Dana\n---\n- [ ] call Bob about the job\n- [x] call Bob\n"


# -- new -------------------------------------------------------------------------------------------------------------


def test_new_from_the_built_in_template(vault: Path) -> None:
    result = run("new", "Paul Neumann", "--vault", vault, "--today", DAY, "--company", "Acme: GmbH",
                 "--met", "2026-11-02", "--circle", "Loose", "--tag", "#work", "--tag", "sailing")  # fmt: skip
    assert_ok(result)
    path = vault / "contacts/Paul Neumann.md"
    assert result.stdout == f"created  {path}\n"
    expected = actions.CONTACT_TEMPLATE.replace("{{title}}", "Paul Neumann").replace("{{date}}", "2026-11-02")
    expected = (
        expected.replace("company:\n", 'company: "Acme: GmbH"\n')
        .replace("circle:\n", "circle: loose\n")
        .replace("tags: []\n", "tags: [work, sailing]\n")
    )
    assert path.read_text(encoding="utf-8") == expected
    c = contact(vault, "contacts/Paul Neumann.md")
    assert (c.name, c.company, c.met, c.circle, c.tags) == (
        "Paul Neumann", "Acme: GmbH", date(2026, 11, 2), "loose", ("work", "sailing"),
    )  # fmt: skip
    assert c.log == () and c.emails == () and c.birthday is None
    assert not parse_note("contacts/Paul Neumann.md", path.read_bytes(), Settings()).problems


def test_new_met_defaults_to_today(vault: Path) -> None:
    assert_ok(run("new", "Paul", "--vault", vault, "--today", DAY))
    c = contact(vault, "contacts/Paul.md")
    assert c.met == TODAY and c.name == "Paul" and c.circle is None and c.tags == ()


VAULT_TEMPLATE = """\
---
type: contact
name: {{title}}
circle: loose  # new people
tags:
  - person
---
# {{title}}

Added {{date}}.

## Log
"""


def test_new_from_the_vaults_template(vault: Path) -> None:
    put(vault, "templates/Contact.md", VAULT_TEMPLATE)
    assert_ok(run("new", "Ines Costa", "--vault", vault, "--today", DAY, "--tag", "lisbon"))
    text = (vault / "contacts/Ines Costa.md").read_bytes().decode()
    assert text == (
        "---\ntype: contact\nname: Ines Costa\ncircle: loose  # new people\ntags: [lisbon]\n"
        "met: 2026-11-21\n---\n# Ines Costa\n\nAdded 2026-11-21.\n\n## Log\n"
    )
    c = contact(vault, "contacts/Ines Costa.md")
    assert (c.name, c.circle, c.tags, c.met) == ("Ines Costa", "loose", ("lisbon",), TODAY)
    assert all(c.path != "templates/Contact.md" for c in contacts(vault))  # the template is no contact


def test_new_keeps_the_templates_crlf_line_endings(vault: Path) -> None:
    """A template saved with CRLF (Windows, git's autocrlf) gives notes with CRLF, as every edit keeps them:
    the template is used as written, not read with universal newlines."""
    put(vault, "templates/Contact.md", VAULT_TEMPLATE.replace("\n", "\r\n"))
    assert_ok(run("new", "Ines Costa", "--vault", vault, "--today", DAY))
    data = (vault / "contacts/Ines Costa.md").read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") == VAULT_TEMPLATE.count("\n") + 1  # + met
    assert data.startswith(b"---\r\ntype: contact\r\nname: Ines Costa\r\n")


def test_new_from_a_template_in_a_configured_folder(vault: Path) -> None:
    put(vault, "vaultnet.toml", 'templates_folder = "_tpl"\n')
    put(vault, "_tpl/Contact.md", "---\nname: {{title}}\ncircle: close\n---\nMy template.\n")
    assert_ok(run("new", "Lena", "--vault", vault, "--today", DAY))
    assert (
        vault / "contacts/Lena.md"
    ).read_text() == "---\nname: Lena\ncircle: close\nmet: 2026-11-21\n---\nMy template.\n"
    assert [c.name for c in contacts(vault) if c.name in ("Lena", "{{title}}")] == ["Lena"]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("anna schmidt", "contacts/Anna Schmidt.md"),  # by name (and file name)
        ("ANNIE", "contacts/Anna Schmidt.md"),  # by alias
        ("chen-wei", "contacts/chen-wei.md"),  # by file name
        ("CW", "contacts/chen-wei.md"),
        ("Ben Okafor", "people/ben.md"),
        ("  Anna   Berg ", "contacts/work/berg.md"),  # blanks do not make a new person
    ],
)
def test_new_refuses_an_existing_contact(vault: Path, name: str, fragment: str) -> None:
    before = snapshot_files(vault)
    assert_user_error(run("new", name, "--vault", vault, "--today", DAY), "exists already", fragment)
    assert snapshot_files(vault) == before


def test_new_refuses_a_file_that_exists_but_is_no_contact(vault: Path) -> None:
    put(vault, "contacts/Trip.md", "---\ntype: event\ndate: 2026-05-01\n---\n")
    before = snapshot_files(vault)
    assert_user_error(run("new", "Trip", "--vault", vault, "--today", DAY), "exists already")
    assert snapshot_files(vault) == before


@pytest.mark.parametrize(
    ("name", "file"),
    [
        ("a/b: c*?", "a b c"),
        ('He said "hi" <to> |me|', "He said hi to me"),
        ("[[Link]] #tag ^block", "Link tag block"),
        ("back\\slash", "back slash"),
        ("..dots..", "dots"),
        ("CON", "CON_"),
        ("nul", "nul_"),
        ("Zoë  Martin", "Zoë Martin"),
    ],
)
def test_new_makes_a_safe_file_name_and_keeps_the_name(vault: Path, name: str, file: str) -> None:
    assert_ok(run("new", name, "--vault", vault, "--today", DAY))
    assert (vault / f"contacts/{file}.md").is_file()
    c = contact(vault, f"contacts/{file}.md")
    assert c.name == " ".join(name.split())
    assert find_contact(contacts(vault), c.name).path == f"contacts/{file}.md"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Anna Schmidt", "Anna Schmidt"),
        ('a/b\\c:d*e?f"g<h>i|j#k^l[m]n', "a b c d e f g h i j k l m n"),
        ("///", "Unnamed"),
        ("  . ", "Unnamed"),
        ("tab\there\x00\x1f", "tab here"),
        ("COM1", "COM1_"),
        ("lpt9", "lpt9_"),
        (".hidden", "hidden"),
        ("x" * 200, "x" * 120),
        ("a " * 100, ("a " * 60).strip()),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name", ["x" * 300, "a/b" * 50, "Jürgen Weiß: CEO?", "...", "AUX", "  con  "])
def test_safe_filename_is_safe_everywhere(name: str) -> None:
    file = safe_filename(name)
    assert file and len(file) <= 120
    assert not set(file) & set('/\\:*?"<>|#^[]')
    assert file == file.strip(" .")
    assert file.split(".")[0].casefold() not in {"con", "prn", "aux", "nul", "com1", "lpt1"}


def test_new_with_an_unknown_circle(vault: Path) -> None:
    before = snapshot_files(vault)
    assert_user_error(run("new", "Paul", "--circle", "besties", "--vault", vault, "--today", DAY),
                      "besties", "close, active, loose, dormant")  # fmt: skip
    assert snapshot_files(vault) == before


def test_new_with_a_circle_of_the_vaults_settings(vault: Path) -> None:
    put(vault, "vaultnet.toml", '[circles]\nmentors = "60d"\n')
    assert_ok(run("new", "Paul", "--circle", "Mentors", "--vault", vault, "--today", DAY))
    assert contact(vault, "contacts/Paul.md").circle == "mentors"


def test_new_needs_a_name(vault: Path) -> None:
    assert_user_error(run("new", "  ", "--vault", vault, "--today", DAY), "needs a name")


def test_new_race_another_file_created_in_between_is_kept(vault: Path) -> None:
    change = actions.new_contact(vault, "Paul", TODAY)
    theirs = put(vault, "contacts/Paul.md", "---\nname: Paul (from sync)\n---\n")
    with pytest.raises(UserError, match="exists already"):
        apply(change)
    assert theirs.read_text() == "---\nname: Paul (from sync)\n---\n"
    assert temp_files(vault) == []


# -- init ------------------------------------------------------------------------------------------------------------

INIT_FILES = [
    ".gitattributes",
    ".gitignore",
    "contacts/.gitkeep",
    "events/.gitkeep",
    "templates/Contact.md",
    "templates/Event.md",
    "vaultnet.toml",
]


def test_init_creates_every_file(tmp_path: Path) -> None:
    root = tmp_path / "new" / "vault"
    result = run("init", root)
    assert_ok(result)
    assert sorted(snapshot_files(root)) == INIT_FILES
    assert result.stdout.count("created  ") == len(INIT_FILES)
    assert (root / "templates/Contact.md").read_text() == actions.CONTACT_TEMPLATE
    assert (root / "templates/Event.md").read_text() == actions.EVENT_TEMPLATE
    assert ".vaultnet/" in (root / ".gitignore").read_text().splitlines()
    assert "*.ics -text" in (root / ".gitattributes").read_text().splitlines()
    assert temp_files(root) == []


def test_init_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert_ok(run("init"))
    assert sorted(snapshot_files(tmp_path)) == INIT_FILES


def test_init_gives_a_vault_that_checks_clean_and_ignores_its_templates(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    assert_ok(run("init", root))
    check = run("check", root)
    assert_ok(check)
    assert check.stdout == "no errors\n" and check.stderr == ""
    assert contacts(root) == []  # templates/Contact.md (type: contact, name: {{title}}) is not a contact
    assert_ok(run("new", "Anna Schmidt", "--vault", root, "--today", DAY, "--circle", "close"))
    assert [c.path for c in contacts(root)] == ["contacts/Anna Schmidt.md"]
    assert_ok(run("log", "anna", "coffee", "--vault", root, "--today", DAY))
    check = run("check", root)
    assert_ok(check)
    assert check.stdout == "no errors\n" and check.stderr == ""
    assert due_paths(root) == []  # just logged: nothing due
    build = run("build", root, "--today", DAY)
    assert_ok(build)


@pytest.mark.parametrize("existing", INIT_FILES)
def test_init_keeps_a_file_that_exists_and_makes_the_others(tmp_path: Path, existing: str) -> None:
    """In a folder with no notes yet, init makes a new vault around what is there: nothing is overwritten (an
    existing .gitignore gets vaultnet's lines added, and only those)."""
    root = tmp_path / "vault"
    put(root, existing, "mine\n")
    result = run("init", root)
    assert_ok(result)
    files = snapshot_files(root)
    assert sorted(files) == INIT_FILES
    assert f"created  {root / existing}" not in result.stdout
    if existing == ".gitignore":
        assert files[existing] == b"mine\n\n" + actions_gitignore()
        assert f"updated  {root / existing}" in result.stdout
    else:
        assert files[existing] == b"mine\n"
        assert f"kept as they are: {existing}" in result.stdout


def actions_gitignore() -> bytes:
    """The .gitignore of a new vault."""
    return b"# vaultnet's cache and calendar\n.vaultnet/\n# the follow-up note changes daily\n/Follow-ups.md\n"


def test_init_gives_a_new_vault_the_gitignore_it_needs(tmp_path: Path) -> None:
    assert_ok(run("init", tmp_path))
    assert (tmp_path / ".gitignore").read_bytes() == actions_gitignore()


def test_init_adopts_a_folder_that_has_notes_and_keeps_them(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    put(root, "contacts/Anna.md", "---\nname: Anna\n---\n")
    put(root, "Daily/2026-11-21.md", "Met [[Anna]].\n")
    assert_ok(run("init", root))
    files = snapshot_files(root)
    assert sorted(files) == [".gitignore", "Daily/2026-11-21.md", "contacts/Anna.md", "vaultnet.toml"]
    assert files["contacts/Anna.md"] == b"---\nname: Anna\n---\n"
    assert [c.path for c in contacts(root)] == ["contacts/Anna.md"]


def test_init_leaves_an_existing_vaultnet_toml_alone(vault: Path) -> None:
    put(vault, "vaultnet.toml", "")
    result = run("init", vault)
    assert_ok(result)
    assert (vault / "vaultnet.toml").read_text() == ""
    assert "vaultnet.toml is there already" in result.stdout
    again = run("init", vault)
    assert_ok(again)
    assert "nothing to change" in again.stdout
    assert "created" not in again.stdout and "updated" not in again.stdout


# -- --dry-run -------------------------------------------------------------------------------------------------------

ARTICLE = "send the article on graph databases 📅 2026-11-15"
DRY_RUNS: list[tuple[list[str], str, list[str]]] = [
    (["log", "annie", "lunch", "--kind", "food", "--today", DAY], "contacts/Anna Schmidt.md",
     ["+- 2026-11-21 food: lunch"]),
    (["snooze", "chen", "2w", "--today", DAY], "contacts/chen-wei.md", ["+snooze_until: 2026-12-05"]),
    (["archive", "ben"], "people/ben.md", ["-archived: false", "+archived: true"]),
    (["done", "annie", "article"], "contacts/Anna Schmidt.md",
     ["-- [ ] " + ARTICLE, "+- [x] " + ARTICLE]),
    (["new", "Paul", "--today", DAY, "--company", "Beta"], "contacts/Paul.md",
     ["+name: Paul", "+company: Beta", "+met: 2026-11-21", "+# Paul"]),
]  # fmt: skip


@pytest.mark.parametrize(("args", "rel", "lines"), DRY_RUNS, ids=[a[0][0] for a in DRY_RUNS])
def test_dry_run_prints_a_diff_and_writes_nothing(vault: Path, args: list[str], rel: str, lines: list[str]) -> None:
    """The diff has exactly the changed lines (a new note: all its lines, among them `lines`)."""
    before = snapshot_files(vault)
    stats = {p: os.stat(vault / p).st_mtime_ns for p in before}
    result = run(*args, "--vault", vault, "--dry-run")
    assert_ok(result)
    out = result.stdout.splitlines()
    assert out[:2] == [f"--- a/{rel}", f"+++ b/{rel}"]
    assert out[2].startswith("@@ ")
    changed = [line for line in out[3:] if line.startswith(("+", "-"))]
    if args[0] == "new":
        assert out[2] == "@@ -0,0 +1,20 @@" and len(changed) == 20 and set(lines) <= set(changed)
    else:
        assert changed == lines
    assert snapshot_files(vault) == before
    assert {p: os.stat(vault / p).st_mtime_ns for p in before} == stats
    assert temp_files(vault) == []


def test_dry_run_diff_of_a_note_without_final_newline(vault: Path) -> None:
    put(vault, "contacts/Dana.md", "---\nname: Dana\n---\n## Log\n- 2026-10-02 call: b")
    result = run("log", "dana", "c", "--vault", vault, "--today", DAY, "--dry-run")
    assert_ok(result)
    assert result.stdout.endswith(
        "-- 2026-10-02 call: b\n\\ No newline at end of file\n+- 2026-10-02 call: b\n+- 2026-11-21 c\n"
        "\\ No newline at end of file\n"
    )


def test_dry_run_diff_of_a_note_with_lone_cr_line_endings(vault: Path) -> None:
    """Old Mac line endings are still line endings: no "No newline at end of file" after every line."""
    put(vault, "contacts/Dana.md", "---\rname: Dana\r---\r## Log\r- 2026-10-02 call: b\r")
    result = run("log", "dana", "c", "--vault", vault, "--today", DAY, "--dry-run")
    assert_ok(result)
    assert "No newline at end of file" not in result.stdout
    assert "+- 2026-11-21 c" in result.stdout


# -- no lost update: an editor saves between read and write ---------------------------------------------------------

CHANGES: dict[str, Callable[[Path], Change]] = {
    "log": lambda root: actions.log(root, "annie", "lunch", TODAY, "coffee", False, False),
    "snooze": lambda root: actions.snooze(root, "annie", date(2026, 12, 5)),
    "archive": lambda root: actions.archive(root, "annie"),
    "done": lambda root: actions.done(root, "annie", "article"),
}


@pytest.mark.parametrize("make", CHANGES.values(), ids=CHANGES.keys())
def test_an_editor_save_in_between_is_kept_and_the_change_made_on_it(
    vault: Path, make: Callable[[Path], Change]
) -> None:
    """A command's edit is what it is on any version of the note: `apply` reads the note again (under its lock)
    and makes the edit on what the editor saved, so that neither the save nor the command's change is lost."""
    path = vault / "contacts/Anna Schmidt.md"
    change = make(vault)
    assert change.changed and change.before == ANNA.encode()
    editor = ANNA.replace("## Tasks\n", "## Tasks\n- [ ] call her back about the offer\n")
    path.write_text(editor, encoding="utf-8")  # the user saves in the editor
    assert apply(change)
    assert change.redo is not None
    assert path.read_bytes() == change.redo(editor.encode()) != editor.encode()  # the edit, made on the saved note
    assert "- [ ] call her back about the offer\n" in path.read_text(encoding="utf-8")
    assert temp_files(vault) == []


def test_a_change_that_no_longer_fits_the_saved_note_is_refused(vault: Path) -> None:
    path = vault / "contacts/Anna Schmidt.md"
    change = actions.done(vault, "annie", "article")
    editor = ANNA.replace("- [ ] send the article", "- [x] send the article")  # ticked in the editor meanwhile
    path.write_text(editor, encoding="utf-8")
    with pytest.raises(WriteRefused, match="changed since vaultnet read it, and the change no longer fits") as info:
        apply(change)
    assert "no open promise" in info.value.message and "nothing was written" in info.value.message
    assert info.value.exit_code == 3
    assert path.read_text(encoding="utf-8") == editor


def test_a_change_that_cannot_be_made_again_is_refused_when_the_note_changed(vault: Path) -> None:
    """An import's change fills the fields a note left empty when it was read: it is not made again, but refused."""
    path = vault / "contacts/Anna Schmidt.md"
    made = actions.archive(vault, "annie")
    change = Change(made.path, made.rel, made.before, made.after)  # no redo, as the imports' changes
    editor = ANNA.replace("## Tasks\n", "## Tasks\n- [ ] call her back about the offer\n")
    path.write_text(editor, encoding="utf-8")
    with pytest.raises(WriteRefused, match="changed since vaultnet read it") as info:
        apply(change)
    assert "nothing was written" in info.value.message
    assert path.read_text(encoding="utf-8") == editor
    assert temp_files(vault) == []
    apply(actions.archive(vault, "annie"))  # run again: the command works on what the editor saved
    assert "- [ ] call her back about the offer\n" in path.read_text(encoding="utf-8")


def test_an_editor_save_of_the_same_size_and_time_is_seen_too(vault: Path) -> None:
    """The check compares the bytes, not a fingerprint: same size and same mtime do not hide a change."""
    path = vault / "contacts/Anna Schmidt.md"
    made = actions.archive(vault, "annie")
    change = Change(made.path, made.rel, made.before, made.after)  # refused, rather than made again
    old = path.stat()
    editor = ANNA.replace("talked about hiring", "talked about HIRING")
    assert len(editor) == len(ANNA)
    path.write_text(editor, encoding="utf-8")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (old.st_size, old.st_mtime_ns)
    with pytest.raises(UserError, match="changed since"):
        apply(change)
    assert path.read_text(encoding="utf-8") == editor


def test_a_note_removed_in_between_is_not_recreated(vault: Path) -> None:
    path = vault / "contacts/Anna Schmidt.md"
    change = actions.log(vault, "annie", "lunch", TODAY, None, False, False)
    path.unlink()
    with pytest.raises(UserError, match="removed"):
        apply(change)
    assert not path.exists()
    assert temp_files(vault) == []


def test_an_unchanged_change_writes_nothing(vault: Path) -> None:
    path = vault / "people/ben.md"
    apply(actions.archive(vault, "ben"))
    assert "archived: true\n" in path.read_text()
    change = actions.archive(vault, "ben")
    assert not change.changed and change.diff() == ""
    path.write_text("edited meanwhile\n")  # nothing to write, so nothing to refuse either
    apply(change)
    assert path.read_text() == "edited meanwhile\n"


# -- permissions, symlinks, temp files --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o664])
@pytest.mark.parametrize("command", [["log", "annie", "lunch"], ["snooze", "annie", "2w"], ["archive", "annie"],
                                     ["done", "annie", "article"]])  # fmt: skip
def test_a_write_keeps_the_files_permissions(vault: Path, mode: int, command: list[str]) -> None:
    path = vault / "contacts/Anna Schmidt.md"
    path.chmod(mode)
    before = path.read_bytes()
    assert_ok(run_on(vault, command))
    assert path.read_bytes() != before
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert temp_files(vault) == []


def test_a_new_note_gets_the_usual_permissions(vault: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    assert_ok(run("new", "Paul", "--vault", vault, "--today", DAY))
    assert stat.S_IMODE((vault / "contacts/Paul.md").stat().st_mode) == 0o666 & ~umask
    assert temp_files(vault) == []


def test_a_symlinked_note_is_read_but_never_written_through(vault: Path) -> None:
    """The link's target is inside the vault, so the note is read; a writing command refuses it, naming both."""
    real = put(vault, "people/dana.md", "---\nname: Dana\n---\n")
    link = vault / "contacts/Dana.md"
    link.symlink_to(real)
    for command in (["log", "dana", "lunch"], ["snooze", "dana", "2w"], ["archive", "dana"]):
        result = run(*command, "--vault", vault)
        assert result.exit_code == 2, result.output
        assert "contacts/Dana.md is a symbolic link" in result.stderr and "people/dana.md" in result.stderr
    assert link.is_symlink()
    assert real.read_text() == "---\nname: Dana\n---\n"
    assert temp_files(vault) == []


def test_a_read_only_note_is_an_error_not_a_traceback(vault: Path) -> None:
    """As a user whom file modes bind (also when the suite runs as root: see tests/unprivileged.py)."""
    folder = vault / "contacts/work"
    folder.chmod(0o555)
    try:
        before = (folder / "berg.md").read_bytes()
        code, output, stderr = as_unprivileged(lambda: outcome(run("log", "berg", "lunch", "--vault", vault)))
        assert code == 2 and "Traceback" not in output
        assert "vaultnet: " in stderr and "berg.md" in stderr
        assert (folder / "berg.md").read_bytes() == before
        assert temp_files(vault) == []
    finally:
        folder.chmod(0o755)


def test_many_commands_leave_no_temp_files(vault: Path) -> None:
    for args in (["log", "annie", "a"], ["log", "chen", "b", "--kind", "call"], ["snooze", "ben", "1m"],
                 ["archive", "jürgen"], ["done", "annie", "introduce"], ["new", "Paul"], ["new", "Paul"]):  # fmt: skip
        run_on(vault, args)
    assert temp_files(vault) == []
    assert (vault / "contacts/Paul.md").is_file()


# -- user errors through the CLI -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["log", "anna", "x"], "more than one contact"),
        (["snooze", "zz", "2w"], "no contact matches"),
        (["archive", "anna"], "Anna Berg (contacts/work/berg.md)"),
        (["done", "nobody", "x"], "no contact matches"),
        (["done", "annie", "zzz"], "no open promise"),
        (["new", "Annie"], "exists already"),
        (["new", "Paul", "--circle", "x"], "is not a circle"),
        (["log", "annie", "x", "--gave", "--got"], "Invalid value for '--got': an entry is one of gave and got"),
    ],
)
def test_user_errors_are_messages_with_exit_code_2(vault: Path, args: list[str], fragment: str) -> None:
    before = snapshot_files(vault)
    result = run_on(vault, args)
    assert_user_error(result, fragment)
    assert result.stdout == ""
    assert snapshot_files(vault) == before


def test_a_note_that_is_not_valid_utf8_is_not_a_contact_to_edit(vault: Path) -> None:
    path = put(vault, "contacts/Jörg.md", "---\nname: Jörg\n---\n".encode("latin-1"))
    before = path.read_bytes()
    assert_user_error(run("log", "Jörg", "x", "--vault", vault, "--today", DAY), "no contact matches")
    assert path.read_bytes() == before


# -- the library's own face: parameters named, vaults opened once, no network built ------------------------------

VCARDS = DATA / "vcards"


@pytest.mark.parametrize(
    ("make", "param"),
    [
        (lambda root: actions.log(root, "annie", "x", TODAY, "two words", False, False), "kind"),
        (lambda root: actions.log(root, "annie", "x", TODAY, None, True, True), "got"),
        (lambda root: actions.log(root, "annie", "  ", TODAY, None, False, False), "text"),
        (lambda root: actions.new_contact(root, "Paul", TODAY, circle="besties"), "circle"),
        (lambda root: actions.new_contact(root, " ", TODAY), "name"),
        (lambda root: actions.snooze(root, "annie", "soon", TODAY), "until"),
        (lambda root: imports.import_files(root, "csv", [], today=date(2026, 11, 30)), "source"),
    ],
)
def test_library_errors_name_their_parameter_in_no_cli_words(
    vault: Path, make: Callable[[Path], object], param: str
) -> None:
    with pytest.raises(ParamError) as info:
        make(vault)
    assert info.value.param == param
    assert info.value.message == f"{param}: {info.value.reason}"
    assert "--" not in info.value.message


def _string_constants(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant that is not a docstring."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_library_holds_no_option_names() -> None:
    """`--kind` and the like belong to the command line (cli*.py); the library names parameters plainly."""
    package = Path(actions.__file__).parent
    found = [
        f"{path.relative_to(package)}:{line}: {text!r}"
        for path in sorted(package.rglob("*.py"))
        if not path.name.startswith("cli")
        for line, text in _string_constants(ast.parse(path.read_text(encoding="utf-8")))
        if re.search(r"(?<![\w-])--[a-z]", text)
    ]
    assert found == []


def test_snooze_takes_a_duration_from_today(vault: Path) -> None:
    change = actions.snooze(vault, "annie", "2w", TODAY)
    assert b"snooze_until: 2026-12-05\n" in change.after
    assert actions.snooze(vault, "annie", "2026-12-24", TODAY).after.count(b"snooze_until: 2026-12-24\n") == 1
    assert b"snooze_until: 2027-01-06\n" in actions.snooze(vault, "annie", date(2027, 1, 6)).after
    with pytest.raises(TypeError):
        actions.snooze(vault, "annie", "2w")  # text may be a duration: from when? the caller must say


def test_import_files_plans_and_counts_and_is_safe_to_repeat(vault: Path) -> None:
    files = [VCARDS / "apple-contacts.vcf"]
    day = date(2026, 11, 30)
    first = imports.import_files(vault, "vcard", files, today=day)
    people = len(first.people)
    assert people >= 2 and first.problems == []
    assert first.plan.created == people and first.plan.updated == first.plan.unchanged == 0
    assert all(c.before is None for c in first.plan.changes)
    assert not any(c.path.exists() for c in first.plan.changes)  # planned, not written
    for change in first.plan.changes:
        apply(change)
    again = imports.import_files(Session(vault), "vcard", files, today=day)
    assert (again.plan.created, again.plan.updated, again.plan.unchanged) == (0, 0, people)
    assert again.plan.changes == []


def test_import_files_reports_the_files_problems(vault: Path) -> None:
    imported = imports.import_files(vault, "vcard", [VCARDS / "one-broken-card.vcf"], today=date(2026, 11, 30))
    assert any(p.severity == "error" and p.path.endswith("one-broken-card.vcf") for p in imported.problems)
    assert len(imported.people) == imported.plan.created


def test_export_contacts_filters_by_tag_and_circle(vault: Path) -> None:
    everyone, _ = imports.export_contacts(vault)
    assert len(everyone) == len(contacts(vault))
    assert [c.name for c in imports.export_contacts(vault, tag="#Work")[0]] == ["Anna Schmidt"]
    assert [c.name for c in imports.export_contacts(vault, circle="close")[0]] == ["Anna Schmidt"]
    assert imports.export_contacts(vault, tag="work", circle="loose")[0] == []


WRITING = [
    ["new", "Paul Meyer"],
    ["log", "annie", "coffee"],
    ["snooze", "annie", "2w"],
    ["archive", "chen"],
    ["done", "annie", "article"],
    ["import", "vcard", str(VCARDS / "apple-contacts.vcf")],
]


@pytest.mark.parametrize("args", WRITING, ids=lambda a: a[1] if a[0] == "import" else a[0])
def test_writing_commands_open_the_vault_once_and_build_no_network(
    vault: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    opened: list[Path] = []
    original = Session.__init__

    def counting(self: Session, root: Path, **kwargs: bool) -> None:
        opened.append(root)
        original(self, root, **kwargs)

    monkeypatch.setattr(Session, "__init__", counting)
    no_network_build(monkeypatch)
    assert_ok(run_on(vault, args))
    assert opened == [vault]
