"""Issue 9's "Done when": vaults organised as people really organise them work with a few lines of vaultnet.toml.

tests/data/vaults/ holds three such vaults, each beside the vaultnet.toml that should make it work
(`NAME.vaultnet.toml`), so that the vault itself is as its user has it:

- `people-folder`: people in `People/` (and below), with a README.md, `_template.md`, `_aliases.md` and the
  folder's index note beside them; Obsidian's templates in `Templates/` (named in `.obsidian/templates.json`)
  with `created: {{date}}`; daily notes that link people; the fields named `org`, `title`, `met_date`, `mail`,
  `mobile`.
- `categories`: every note has `categories: ["[[People]]"]` or another category, people live in `References/`
  beside books, films, recipes and places, with `type: ["[[Authors]]"]` sub-kinds; meeting notes in `Meetings/`
  list `people: ["[[Sam Lee]]"]` or `attendees: [Alex Owner, Jane Roe]` (the owner's own name too) and are dated
  by `date:` or by their file name; `org` is a list of links.
- `capitalised`: people in `People/` with `Position`, `Company` (a link), `E-mail`, `Phone Number`, `Met Date`,
  some tagged `#person`; Templater's templates in `_meta/templates`; a journal of daily notes.

What each vault must give is `vaultkit.EXPECTED`. Each test copies a vault, adds its vaultnet.toml and runs the
real command line on it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from vaultkit import DAY, EXPECTED, NAMES, contact_paths, copy_vault, hashes, run

LATER = "2030-01-01"  # every follow-up is due by then: `due` lists them all, each with its reason


def follow_ups(root: Path, day: str = LATER) -> dict[str, dict[str, Any]]:
    """`vaultnet due --json` on a day when every follow-up is due: path -> its item."""
    result = run("due", root, "--today", day, "--json")
    assert result.exit_code == 0, result.output
    return {item["path"]: item for item in json.loads(result.stdout) if item["kind"] == "follow-up"}


# -- exactly their people are contacts, and check is content ----------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_exactly_the_vaults_people_are_contacts(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name)
    assert_ok(run("build", root, "--today", DAY))
    assert contact_paths(root) == sorted(EXPECTED[name].contacts)
    assert sorted(follow_ups(root)) == sorted(EXPECTED[name].contacts)  # and no README, template or recipe


@pytest.mark.parametrize("name", NAMES)
def test_check_exits_0(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name)
    result = run("check", root)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("no errors")


def test_without_its_settings_no_note_is_a_contact(tmp_path: Path) -> None:
    """What issue 9 found: vaultnet's defaults see none of these people. The settings are what make them work."""
    for name in NAMES:
        root = copy_vault(name, tmp_path / name, with_settings=False)
        assert contact_paths(root) == []


# -- interactions: meetings and daily notes move the last contact ----------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_last_contact_of_each_person(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name)
    expected = EXPECTED[name]
    items = follow_ups(root)
    said = {path: re.search(r"last contact on (\d{4}-\d{2}-\d{2})", item["reason"]) for path, item in items.items()}
    last = {path: m.group(1) for path, m in said.items() if m}
    assert last == expected.last
    for path in expected.meetings:
        assert f"last contact on {expected.last[path]} (meeting)" in items[path]["reason"]
    for path, day in expected.met.items():
        assert items[path]["reason"].startswith(f"met on {day}, no contact since")


@pytest.mark.parametrize("name", NAMES)
def test_who_shows_the_last_interaction(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name)
    expected = EXPECTED[name]
    for path, values in expected.fields.items():
        result = run("who", root, "--today", DAY, "--company", values["company"], "--json")
        assert result.exit_code == 0, result.output
        found = {f["path"]: f for f in json.loads(result.stdout)}
        assert found[path]["last_interaction"] == expected.last.get(path, expected.met.get(path))


# -- mapped fields show ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_mapped_fields_show(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name)
    items = follow_ups(root)
    cards = vcards_by_name(run("export", "vcard", "--vault", root).stdout)
    for path, values in EXPECTED[name].fields.items():
        assert (items[path]["company"], items[path]["role"]) == (values["company"], values["role"])
        card = cards[items[path]["name"]]
        assert values["email"] in card["EMAIL"]
        if "phone" in values:
            assert values["phone"] in card["TEL"]


def vcards_by_name(text: str) -> dict[str, dict[str, list[str]]]:
    """The vCards of `vaultnet export vcard`, by FN: each property's values (parameters dropped)."""
    cards: dict[str, dict[str, list[str]]] = {}
    for block in text.split("BEGIN:VCARD")[1:]:
        props: dict[str, list[str]] = {}
        for line in block.replace("\r\n ", "").splitlines():
            if ":" in line:
                key, value = line.split(":", 1)
                props.setdefault(key.split(";", 1)[0].upper(), []).append(value.replace("\\,", ","))
        cards[props["FN"][0]] = props
    return cards


# -- no note changes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_no_note_changes(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name)
    before = hashes(root)
    for args in (
        ["check", root],
        ["build", root, "--today", DAY],
        ["due", root, "--today", DAY, "--json"],
        ["today", root, "--today", DAY],
        ["stats", root, "--today", DAY],
        ["export", "vcard", "--vault", root],
        ["build", root, "--today", LATER],
    ):
        run(*args)
    after = hashes(root)
    assert {path: after.get(path) for path in before} == before
    new = sorted(path for path in after if path not in before)
    assert [p for p in new if not p.startswith(".vaultnet/")] == ["Follow-ups.md"]


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, result.output
