"""Outputs never clobber a note: vaultnet writes the follow-up note and the calendar only over a file that it wrote
(recognised by its header) or over nothing, never inside a selection of notes, and not at all when set to false.

A refusal is an error that names the file and the setting, and then neither output is written. (The watcher's and
the server's side of it: tests/test_watch.py and tests/test_serve.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from vaultkit import DAY, OLD_NS, SMALL_VAULT, TODAY, run, vault_files, write_vault
from vaultkit import put_old as put

from vaultnet import pipeline
from vaultnet.config import SETTINGS, parse_settings, setting_lines
from vaultnet.problems import UserError
from vaultnet.render import ics, markdown

USER_NOTE = b"# My follow-ups\n\n- call the bank about the mortgage\n"
USER_CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:1@example.com\r\nDTSTART;VALUE=DATE:20261124\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)
FOLLOWUPS = "Follow-ups.md"
CALENDAR = ".vaultnet/reminders.ics"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", SMALL_VAULT, mtime_ns=OLD_NS)


def refusal(vault: Path) -> str:
    """The message of the build's refusal; the build must refuse."""
    with pytest.raises(UserError) as refused:
        pipeline.build(vault, TODAY)
    message = str(refused.value)
    assert message.startswith("nothing was written, so that no note of yours is overwritten:")
    return message


# -- a file of the user's at an output's path -----------------------------------------------------------------


def test_a_note_of_the_users_own_at_follow_ups_md_is_refused_and_left_byte_identical(vault: Path) -> None:
    put(vault, FOLLOWUPS, USER_NOTE)
    before = vault_files(vault)
    result = run("build", vault, "--today", DAY)
    assert result.exit_code == 2
    assert "Traceback" not in result.output + result.stderr
    assert result.stderr.startswith("vaultnet: nothing was written, so that no note of yours is overwritten:")
    assert str(vault / FOLLOWUPS) in result.stderr  # the file
    assert "set [outputs] followups in vaultnet.toml to another path, or to false" in result.stderr  # the setting
    assert "Move it away" in result.stderr  # what to do
    assert "calendar" not in result.stderr  # the calendar's path is fine: only the note is named
    assert vault_files(vault) == before  # byte-identical, and nothing else written beside it
    assert not (vault / CALENDAR).exists()  # neither output


def test_a_calendar_of_the_users_own_is_refused_and_neither_output_is_written(vault: Path) -> None:
    put(vault, "vaultnet.toml", '[outputs]\ncalendar = "Calendar.ics"\n')
    put(vault, "Calendar.ics", USER_CALENDAR)
    message = refusal(vault)
    assert str(vault / "Calendar.ics") in message
    assert "is not a calendar written by vaultnet" in message
    assert "set [outputs] calendar in vaultnet.toml" in message
    assert (vault / "Calendar.ics").read_bytes() == USER_CALENDAR
    assert not (vault / FOLLOWUPS).exists()


def test_both_refusals_are_named_at_once(vault: Path) -> None:
    put(vault, FOLLOWUPS, USER_NOTE)
    put(vault, CALENDAR, USER_CALENDAR)
    message = refusal(vault)
    assert "[outputs] followups" in message and "[outputs] calendar" in message
    assert (vault / FOLLOWUPS).read_bytes() == USER_NOTE
    assert (vault / CALENDAR).read_bytes() == USER_CALENDAR


@pytest.mark.parametrize(
    ("rel", "why"),
    [
        ("contacts/Anna.md", "is inside contacts/, whose notes [contacts] selects"),  # by the contacts folder
        ("notes/Carla.md", "is not a follow-up note written by vaultnet"),  # a contact by `type: contact`
    ],
)
def test_an_output_pointing_at_a_contact_is_refused(vault: Path, rel: str, why: str) -> None:
    put(vault, "vaultnet.toml", f'[outputs]\nfollowups = "{rel}"\n')
    before = vault_files(vault)
    message = refusal(vault)
    assert f"{vault / rel} {why}" in message
    assert "[outputs] followups" in message
    assert vault_files(vault) == before
    assert not (vault / CALENDAR).exists()


# -- an output inside a selection of notes ---------------------------------------------------------------------

PEOPLE = '[contacts]\nfolders = ["People"]\nexclude = ["**/README.md", "**/*.ics"]\n'


@pytest.mark.parametrize(
    ("toml", "key", "rel", "folder", "table"),
    [
        ("", "followups", "contacts/Follow-ups.md", "contacts", "contacts"),  # the default selections
        ("", "calendar", "contacts/work/reminders.ics", "contacts", "contacts"),
        ("", "followups", "events/Follow-ups.md", "events", "events"),
        ("", "followups", "goals/Follow-ups.md", "goals", "goals"),
        (PEOPLE, "followups", "People/Team/Follow-ups.md", "People", "contacts"),
        (PEOPLE, "calendar", "People/reminders.ics", "People", "contacts"),  # any path in a folder, excluded or not
        ('[interactions]\nfolders = ["Meetings"]\n', "followups", "Meetings/Follow-ups.md", "Meetings", "interactions"),
        ('contacts_folder = "crm/people"\n', "calendar", "crm/people/x.ics", "crm/people", "contacts"),
    ],
)
def test_an_output_inside_a_selection_is_refused_even_where_no_file_is(
    vault: Path, toml: str, key: str, rel: str, folder: str, table: str
) -> None:
    put(vault, "vaultnet.toml", f'{toml}[outputs]\n{key} = "{rel}"\n')
    before = vault_files(vault)
    message = refusal(vault)
    assert f"{vault / rel} is inside {folder}/, whose notes [{table}] selects" in message
    assert f"Set [outputs] {key} in vaultnet.toml to a path outside the folders of [contacts]" in message
    assert vault_files(vault) == before  # not even the other output
    assert not (vault / rel).exists() and not (vault / CALENDAR).exists()


def test_a_follow_up_note_at_a_path_its_selection_excludes_is_written(vault: Path) -> None:
    """For the follow-up note, "inside a selection" is a path the selection would select: not an excluded one."""
    put(vault, "vaultnet.toml", f'{PEOPLE}[outputs]\nfollowups = "People/README.md"\n')
    result = pipeline.build(vault, TODAY)
    assert [o.path for o in result.outputs] == [vault / "People" / "README.md", vault / CALENDAR]
    assert (vault / "People" / "README.md").read_bytes().startswith(b"# Follow-ups for")


def test_selections_by_tag_or_property_keep_the_follow_up_note_at_the_vault_root(vault: Path) -> None:
    toml = '[contacts]\ntags = ["person"]\nwhere = { type = "person" }\n'
    put(vault, "vaultnet.toml", toml)
    result = pipeline.build(vault, TODAY)
    assert [o.path for o in result.outputs] == [vault / FOLLOWUPS, vault / CALENDAR]


def test_a_note_that_only_looks_like_the_follow_up_note_is_refused(vault: Path) -> None:
    """The header is two lines, the title and vaultnet's mark: either alone is a note of the user's."""
    put(vault, FOLLOWUPS, b"# Follow-ups for the team offsite\n\n- book the room\n")
    refusal(vault)
    put(vault, FOLLOWUPS, b"> Written by vaultnet, said Jo\n\n# Follow-ups for Monday\n")
    refusal(vault)


def test_a_folder_at_an_outputs_path_is_refused(vault: Path) -> None:
    (vault / FOLLOWUPS).mkdir()
    assert f"{vault / FOLLOWUPS} is a folder" in refusal(vault)


def test_an_empty_file_at_an_outputs_path_is_written_over(vault: Path) -> None:
    """An empty file holds nothing to lose (Obsidian makes one when the note is created by hand)."""
    put(vault, FOLLOWUPS, b"")
    put(vault, CALENDAR, b"\n")
    result = pipeline.build(vault, TODAY)
    assert [o.changed for o in result.outputs] == [True, True]
    assert (vault / FOLLOWUPS).read_bytes().startswith(b"# Follow-ups for Saturday 2026-11-21\n")


# -- vaultnet's own output --------------------------------------------------------------------------------------


def test_vaultnets_own_earlier_output_is_overwritten(vault: Path) -> None:
    pipeline.build(vault, TODAY)
    result = pipeline.build(vault, TODAY + timedelta(days=1))
    assert [o.changed for o in result.outputs] == [True, True]
    assert (vault / FOLLOWUPS).read_bytes().startswith(b"# Follow-ups for Sunday 2026-11-22\n")


@pytest.mark.parametrize(
    "touch",
    [
        lambda data: data.replace(b"\n", b"\r\n") if b"\r\n" not in data else data.replace(b"\r\n", b"\n"),  # git
        lambda data: b"\xef\xbb\xbf" + data,  # an editor's BOM
        lambda data: b"\n" + data + b"\n- a line typed in by hand\n",  # a blank line above, an edit below
    ],
    ids=["line-ends", "bom", "edited"],
)
def test_vaultnets_own_output_is_still_its_own_after_an_editor_or_git_touched_it(
    vault: Path, touch: Callable[[bytes], bytes]
) -> None:
    first = pipeline.build(vault, TODAY)
    for output in first.outputs:
        put(vault, output.path.relative_to(vault).as_posix(), touch(output.path.read_bytes()))
    again = pipeline.build(vault, TODAY)
    assert [o.changed for o in again.outputs] == [True, True]
    assert [o.path.read_bytes() for o in again.outputs] == [
        o.path.read_bytes() for o in pipeline.build(vault, TODAY).outputs
    ]


def test_the_header_marks_are_those_the_renderers_write(vault: Path) -> None:
    pipeline.build(vault, TODAY)
    note, calendar = (vault / FOLLOWUPS).read_bytes(), (vault / CALENDAR).read_bytes()
    assert markdown.written_by_vaultnet(note) and ics.written_by_vaultnet(calendar)
    assert not markdown.written_by_vaultnet(calendar) and not ics.written_by_vaultnet(note)
    assert not ics.written_by_vaultnet(USER_CALENDAR)
    # vaultnet's PRODID inside an event of someone else's calendar does not make the calendar vaultnet's
    inside = USER_CALENDAR.replace(b"PRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n", b"").replace(
        b"SUMMARY:Dentist\r\n", b"SUMMARY:Dentist\r\nPRODID:-//vaultnet//vaultnet reminders//EN\r\n"
    )
    assert not ics.written_by_vaultnet(inside)


# -- false turns an output off ---------------------------------------------------------------------------------


def test_false_reads_as_off_and_is_shown_as_false() -> None:
    settings = parse_settings("[outputs]\nfollowups = false\ncalendar = false\n")
    assert settings.problems == ()
    assert (settings.followups_path, settings.calendar_path, settings.outputs) == (None, None, ())
    only_note = parse_settings("[outputs]\ncalendar = false\n")
    assert only_note.outputs == (FOLLOWUPS,)
    bad = parse_settings("[outputs]\nfollowups = true\n")
    assert [p.message for p in bad.problems] == [
        "outputs.followups: must be a path inside the vault ending in .md, or false, got True"
    ]
    row = next(row for row in SETTINGS if row.key == "followups")
    assert setting_lines(row, None, commented=False)[0].startswith("followups = false ")


@pytest.mark.parametrize(
    ("key", "on", "off"),
    [("followups", CALENDAR, FOLLOWUPS), ("calendar", FOLLOWUPS, CALENDAR)],
)
def test_false_turns_that_output_off(vault: Path, key: str, on: str, off: str) -> None:
    put(vault, "vaultnet.toml", f"[outputs]\n{key} = false\n")
    result = pipeline.build(vault, TODAY)
    assert [o.path for o in result.outputs] == [vault / on]
    assert result.off == (key,)
    assert not (vault / off).exists()
    cli = run("build", vault, "--today", DAY)
    assert cli.exit_code == 0
    assert f"unchanged  {vault / on}" in cli.output
    name = {"followups": "follow-up note", "calendar": "reminder calendar"}[key]
    assert f"off  the {name} ([outputs] {key} = false)" in cli.output


def test_an_output_that_is_off_leaves_a_file_at_its_default_path_alone(vault: Path) -> None:
    """Off means not written and not looked at: a note of the user's at Follow-ups.md is simply a note."""
    put(vault, "vaultnet.toml", "[outputs]\nfollowups = false\n")
    put(vault, FOLLOWUPS, USER_NOTE)
    result = pipeline.build(vault, TODAY)
    assert [o.path for o in result.outputs] == [vault / CALENDAR]
    assert (vault / FOLLOWUPS).read_bytes() == USER_NOTE


def test_both_outputs_off_write_nothing_and_say_so(vault: Path) -> None:
    put(vault, "vaultnet.toml", "[outputs]\nfollowups = false\ncalendar = false\n")
    for _ in range(2):  # the second build: nothing changed since the first
        cli = run("build", vault, "--today", DAY)
        assert cli.exit_code == 0
        assert "wrote" not in cli.output and "unchanged  " not in cli.output
        assert "off  the follow-up note ([outputs] followups = false)" in cli.output
        assert "off  the reminder calendar ([outputs] calendar = false)" in cli.output
        assert "3 contacts, 5 due on 2026-11-21" in cli.output
    assert not (vault / FOLLOWUPS).exists() and not (vault / CALENDAR).exists()
