"""The settings held against the vault: a folder vaultnet.toml names that the vault lacks ("did you mean
People/?") and a selection that selects no note (vaultnet.settings_check, and `vaultnet check` end to end)."""

from __future__ import annotations

from pathlib import Path

import pytest
from vaultkit import parse_problems, run, write_notes

from vaultnet.config import Settings, parse_settings
from vaultnet.problems import Problem
from vaultnet.settings_check import edit_distance, named_folders, nearest_folder, settings_problems, vault_folders

TOML = "vaultnet.toml"
FOLDERS = {"People", "People/work", "Daily", "Meetings", "templates"}
FOUND = {"contacts": 1, "events": 1, "goals": 1}


def warnings(toml: str, folders: set[str] = FOLDERS, found: dict[str, int] = FOUND) -> list[Problem]:
    problems = settings_problems(parse_settings(toml), folders, found)
    assert all(p.severity == "warning" and p.path == TOML for p in problems)
    return problems


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        ('contacts_folder = "people"\n', 1, "contacts_folder: no folder people/ in the vault (did you mean People/?)"),
        ('# x\n[contacts]\nfolders = ["People", "Peple"]\n', 3,
         "contacts.folders: no folder Peple/ in the vault (did you mean People/?)"),
        ('[contacts]\nfolders = ["people/Work"]\n', 2,
         "contacts.folders: no folder people/Work/ in the vault (did you mean People/work/?)"),
        ('events_folder = "meetings"\n', 1,
         "events_folder: no folder meetings/ in the vault (did you mean Meetings/?)"),
        ('[goals]\nfolders = ["Goals"]\n', 2, "goals.folders: no folder Goals/ in the vault"),  # nothing near
        ('\n[interactions]\nfolders = ["Meeting"]\n', 3,
         "interactions.folders: no folder Meeting/ in the vault (did you mean Meetings/?)"),
        ('templates_folder = "Templates"\n', 1,
         "templates_folder: no folder Templates/ in the vault (did you mean templates/?)"),
    ],
)  # fmt: skip
def test_a_folder_the_vault_lacks_is_a_warning_at_its_line(toml: str, line: int, message: str) -> None:
    assert warnings(toml) == [Problem(TOML, line, message, "warning")]


def test_folders_that_exist_and_defaults_not_written_are_not_checked() -> None:
    assert warnings('[contacts]\nfolders = ["People", "People/work"]\n') == []
    assert warnings("") == warnings("[circles]\nclose = '20d'\n") == []  # contacts/, events/ ... need not exist
    assert settings_problems(Settings(contacts_folder="nowhere"), FOLDERS, FOUND) == []  # not from the file


def test_a_folder_named_twice_is_reported_once() -> None:
    toml = 'contacts_folder = "people"\n[contacts]\nfolders = ["people", "crm"]\n'
    assert [p.line for p in warnings(toml)] == [1, 3]
    assert named_folders(parse_settings(toml)) == [("contacts_folder", "people", 1), ("contacts.folders", "crm", 3)]


@pytest.mark.parametrize(
    ("toml", "kind", "line", "noun"),
    [
        ('[contacts]\ntags = ["person"]\n', "contacts", 2, "a contact"),
        ('[contacts]\nexclude = ["x"]\nwhere = { type = "person" }\n', "contacts", 3, "a contact"),
        ('[events]\nfolders = ["Meetings"]\n', "events", 2, "an event"),
        ('[goals]\nfolders = []\ntags = ["goal"]\n', "goals", 3, "a goal"),  # the line of a rule that can select
    ],
)
def test_a_selection_that_selects_no_note_is_a_warning(toml: str, kind: str, line: int, noun: str) -> None:
    message = f"{kind}: no note in the vault is {noun} by these rules (check their folders, tags, where)"
    assert warnings(toml, found={**FOUND, kind: 0}) == [Problem(TOML, line, message, "warning")]
    assert warnings(toml) == []  # it selects some


def test_no_empty_selection_warning_without_rules_written_or_when_a_folder_says_why() -> None:
    none = {"contacts": 0, "events": 0, "goals": 0}
    assert warnings("", found=none) == []
    assert warnings('contacts_folder = "People"\n', found=none) == []  # the old setting: a new vault is empty
    assert warnings("[contacts]\nfolders = []\n", found=none) == []  # no rule left: nothing to select
    assert len(warnings('[contacts]\nfolders = ["Peple"]\n', found=none)) == 1  # the folder warning only
    assert warnings('[interactions]\ntags = ["meeting"]\n', found=none) == []  # not counted: not checked


def test_vault_folders_are_every_folder_that_holds_a_note() -> None:
    assert vault_folders(["a.md", "People/Sam.md", "People/work/x/Jo.md"]) == {
        "People", "People/work", "People/work/x",
    }  # fmt: skip


def test_nearest_folder() -> None:
    folders = ["People", "Projects", "Daily"]
    assert nearest_folder("PEOPLE", folders) == "People"
    assert nearest_folder("Peopel", folders) == "People"
    assert nearest_folder("Project", folders) == "Projects"
    assert nearest_folder("Contacts", folders) is None
    assert nearest_folder("x", []) is None
    assert (edit_distance("kitten", "sitting"), edit_distance("", "abc"), edit_distance("ab", "ab")) == (3, 3, 0)


# -- end to end: `vaultnet check` ---------------------------------------------------------------------------------


def test_check_shows_the_folder_warning_and_exits_0(tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "v", {"People/Sam Lee.md": "Sam.\n"}, 'contacts_folder = "people"\n')
    result = run("check", vault)
    assert result.exit_code == 0, result.output
    message = "contacts_folder: no folder people/ in the vault (did you mean People/?)"
    assert parse_problems(result.stderr) == [(f"{vault}/vaultnet.toml", 1, f"warning: {message}")]
    assert "no errors, 1 warning" in result.stdout


def test_an_empty_folder_on_disk_exists_with_its_case(tmp_path: Path) -> None:
    vault = write_notes(
        tmp_path / "v", {"People/Sam.md": "x\n"}, 'templates_folder = "Tpl"\n[events]\nfolders = ["Meetups"]\n'
    )
    (vault / "Tpl").mkdir()
    (vault / "Meetups").mkdir()
    result = run("check", vault)
    message = "warning: events: no note in the vault is an event by these rules (check their folders, tags, where)"
    assert parse_problems(result.stderr) == [(f"{vault}/vaultnet.toml", 3, message)]
    (vault / "Tpl").rmdir()
    (vault / "tpl").mkdir()  # another case is another folder, even where the disk does not tell them apart
    result = run("check", vault)
    assert (
        f"{vault}/vaultnet.toml",
        1,
        "warning: templates_folder: no folder Tpl/ in the vault (did you mean tpl/?)",
    ) in (parse_problems(result.stderr))


def test_a_selection_by_tag_that_finds_people_is_quiet(tmp_path: Path) -> None:
    notes = {"Notes/Sam.md": "Met Sam. #person\n", "Notes/Idea.md": "An idea.\n"}
    vault = write_notes(tmp_path / "v", notes, '[contacts]\nfolders = []\ntags = ["person"]\n')
    result = run("check", vault)
    assert (result.exit_code, result.stderr, result.stdout.strip()) == (0, "", "no errors")
    put_toml = vault / "vaultnet.toml"
    put_toml.write_text('[contacts]\nfolders = []\ntags = ["persona"]\n', encoding="utf-8")
    result = run("check", vault)
    message = "warning: contacts: no note in the vault is a contact by these rules (check their folders, tags, where)"
    assert parse_problems(result.stderr) == [(f"{vault}/vaultnet.toml", 3, message)]
