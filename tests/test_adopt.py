"""`vaultnet init` in a vault that already has notes (`vaultnet.adopt`, `vaultnet.adopt_text`, `actions.init_vault`).

It finds the people (by folder, property or tag), what beside them is not a person, the meeting notes and the
vault's names for vaultnet's fields; writes them as a commented vaultnet.toml in front of the settings template;
adds only the missing lines to .gitignore; never overwrites or edits a note; and a second run changes nothing.
The three fixture vaults of tests/test_existing_vaults.py are adopted here with init alone.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from vaultkit import DAY, EXPECTED, NAMES, REPO, VAULTS, contact_paths, copy_vault, hashes, put, run

from vaultnet.actions import OWN_FOLLOWUPS, init_vault
from vaultnet.adopt import Note, Survey, read_note, read_notes, survey, template_folders
from vaultnet.adopt_text import settings_text
from vaultnet.config import config_template, parse_settings


def notes_of(files: dict[str, str]) -> list[Note]:
    """The notes as the survey reads them from these texts (none unreadable)."""
    notes = [read_note(path, text.encode()) for path, text in sorted(files.items())]
    assert all(n is not None for n in notes)
    return [n for n in notes if n is not None]


def rules(files: dict[str, str], kind: str = "contacts") -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    found = getattr(survey(notes_of(files)), kind)
    return [(r.key, r.name, r.values, r.notes) for r in found.rules]


def fm(**props: str) -> str:
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in props.items()) + "---\n"


# -- who is a person ---------------------------------------------------------------------------------------------


def test_a_folder_named_for_people_in_any_case_at_any_depth() -> None:
    files = {
        "CRM/people/Jo.md": "",
        "CRM/people/work/Li.md": "",
        "Personen/Max.md": "",
        "Contacts/Ann.md": "",
        "PERSONS/Bo.md": "",
        "Peoplesoft/notes.md": "",
        "Home.md": "",
    }
    assert rules(files) == [
        ("folders", "CRM/people", (), ("CRM/people/Jo.md", "CRM/people/work/Li.md")),
        ("folders", "Contacts", (), ("Contacts/Ann.md",)),
        ("folders", "PERSONS", (), ("PERSONS/Bo.md",)),
        ("folders", "Personen", (), ("Personen/Max.md",)),
    ]


def test_a_categories_or_type_property_that_holds_people_as_text_or_link() -> None:
    files = {
        "References/Jane.md": fm(categories='["[[People]]"]', type='["[[Authors]]"]'),
        "References/Sam.md": fm(categories="[[People]]"),  # unquoted: YAML's list in a list
        "References/Dune.md": fm(categories='["[[Books]]"]', author='["[[Jane]]"]'),
        "Notes/Ann.md": fm(Type="Person"),
        "Notes/Bo.md": fm(type="person"),
        "Notes/Cy.md": fm(type="person"),
        "Notes/Shakshuka.md": fm(type='["[[Breakfast]]"]'),
    }
    assert rules(files) == [
        ("where", "categories", ("[[People]]",), ("References/Jane.md", "References/Sam.md")),
        ("where", "type", ("person",), ("Notes/Ann.md", "Notes/Bo.md", "Notes/Cy.md")),  # the spelling used most
    ]


def test_a_tag_in_the_front_matter_or_the_body_nested_too_but_not_in_code() -> None:
    files = {
        "Notes/Jo.md": fm(tags="[people/work]"),
        "Notes/Li.md": "# Li Wei #Person\n",
        "Notes/Max.md": "Met at the fair. #person\n",
        "Notes/Code.md": "```\n#person\n```\n",
        "Notes/Heading.md": "# Person\n\n## People\nIssue #12, https://example.com/#person\n",
    }
    assert rules(files) == [
        ("tags", "people", (), ("Notes/Jo.md",)),
        ("tags", "Person", (), ("Notes/Li.md", "Notes/Max.md")),
    ]


def test_the_notes_beside_people_that_are_no_people_are_left_out() -> None:
    files = {
        "People/Jane Roe.md": "",
        "People/README.md": "# About this folder\n",
        "People/_template.md": fm(org=""),
        "People/_aliases.md": "- Sammy → [[Sam Lee]]\n",
        "People/People.md": "- [[Jane Roe]]\n",
        "People/Person Template.md": "",
        "People/Sam Lee/Sam Lee.md": "",  # a folder note: a person of its own
        "Notes/README.md": "",  # not found as a person, so not left out either
    }
    found = survey(notes_of(files)).contacts
    assert found.notes == ("People/Jane Roe.md", "People/Sam Lee/Sam Lee.md")
    assert [(left.pattern, left.notes) for left in found.exclude] == [
        ("**/README.md", ("People/README.md",)),
        ("**/_*", ("People/_aliases.md", "People/_template.md")),
        ("People/People.md", ("People/People.md",)),
        ("People/Person Template.md", ("People/Person Template.md",)),
    ]
    assert found.of("folders")[0].notes == found.notes  # a rule counts only the people it finds


def test_the_common_spellings_of_vaultnets_fields() -> None:
    files = {
        "People/A.md": fm(org="Acme", Position="CTO", **{"E-mail": "a@x.example", "Phone Number": "1"}),
        "People/B.md": fm(Organization="Beta", title="Dev", met_date="2020-01-01", mobile="2", last_contacted=""),
        "People/C.md": fm(Company="Gamma", role="PM", email="c@x.example", phone="3", **{"Last Contact": ""}),
        "People/D.md": fm(org="Delta", first_met="2021-02-03", mail="d@x.example", job="Chef"),
        "Notes/E.md": fm(organisation="not a person's"),
    }
    assert survey(notes_of(files)).fields == (
        ("company", ("org", "Organization")),
        ("role", ("Position", "title", "job")),
        ("met", ("met_date", "first_met")),
        ("email", ("E-mail", "mail")),
        ("phone", ("Phone Number", "mobile")),
        ("last_contact", ("last_contacted", "Last Contact")),
    )


# -- meetings ------------------------------------------------------------------------------------------------------


def test_meeting_notes_by_folder_or_category_that_name_people() -> None:
    files = {
        "People/Sam Lee.md": "",
        "Work/Meetings/2026/2026-01-26-sam.md": fm(date="2026-01-26", people='["[[Sam Lee]]"]'),
        "Work/Meetings/2026/2026-02-02-team.md": fm(attendees="[Alex Owner, Sam Lee]"),
        "Work/Meetings/Agenda.md": "Nobody named here.\n",
        "Notes/Lunch.md": fm(categories='["[[Meetings]]"]', attendees="[Sam Lee]", date="2026-03-01"),
        "Notes/Plan.md": fm(categories='["[[Meetings]]"]', people="[]"),  # names nobody: no reason to read it
        "Meeting notes/x.md": "",
    }
    found = survey(notes_of(files))
    assert [(r.key, r.name, r.notes) for r in found.meetings.rules] == [
        ("folders", "Work/Meetings", ("Work/Meetings/2026/2026-01-26-sam.md", "Work/Meetings/2026/2026-02-02-team.md")),
        ("where", "categories", ("Notes/Lunch.md",)),
    ]
    assert found.people_keys == ("attendees", "people")
    assert found.date_keys == ("date",)
    assert found.undated == ("Work/Meetings/2026/2026-02-02-team.md",)
    lines = settings_text(found, config_template()).splitlines()
    assert any(line.startswith('people = ["attendees", "people"]') for line in lines)
    assert any(line.startswith('date = ["date"]') and "1 note without" in line for line in lines)


def test_a_meetings_folder_whose_notes_name_nobody_is_no_rule() -> None:
    assert rules({"Meetings/Standup.md": fm(date="2026-01-01")}, "meetings") == []


# -- the settings it writes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_settings_read_back_without_a_problem_and_say_why_on_each_line(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name, with_settings=False)
    [config] = [c for c in init_vault(root).changes if c.rel == "vaultnet.toml"]
    text = config.after.decode()
    tomllib.loads(text)  # each table once: TOML allows no more
    assert parse_settings(text).problems == ()
    for header in ("[contacts]", "[fields]", "[circles]", "[outputs]", "[practice]", "[events]"):
        assert text.count(f"\n{header}\n") == 1, header
    assert "# reconnect_after = " in text  # the rest of the template is there
    written = [line for line in text.splitlines() if line and not line.startswith(("#", "[", "]"))]
    assert written and all("  # " in line for line in written if not line.endswith("["))


def test_what_each_fixture_vault_gets(tmp_path: Path) -> None:
    found = {}
    for name in NAMES:
        settings = parse_settings(settings_text(init_survey(tmp_path, name), config_template()))
        found[name] = (settings.contacts, settings.interactions.folders, dict(settings.fields))
    people, _, fields = found["people-folder"]
    assert (people.folders, people.exclude) == (("People",), ("**/README.md", "**/_*", "People/People.md"))
    assert fields == {"company": ("org",), "role": ("title",), "met": ("met_date",), "email": ("mail",),
                      "phone": ("mobile",)}  # fmt: skip
    people, meetings, fields = found["categories"]
    assert (people.where, meetings) == ((("categories", ("[[People]]",)),), ("Meetings",))
    assert fields == {"company": ("org",), "role": ("job",), "met": ("first_met",), "last_contact": ("last_contacted",)}
    people, _, fields = found["capitalised"]
    assert (people.folders, people.tags) == (("People",), ("person",))
    assert fields == {"role": ("position",), "met": ("met date",), "email": ("e-mail",), "phone": ("phone number",)}


def init_survey(tmp_path: Path, name: str) -> Survey:
    root = copy_vault(name, tmp_path / name, with_settings=False)
    skipped = template_folders(root)
    notes, unreadable = read_notes(root, [f for f, _ in skipped])
    return survey(notes, unreadable, skipped)


def test_a_vault_with_no_people_keeps_vaultnets_default(tmp_path: Path) -> None:
    put(tmp_path, "Notes/Ideas.md", "Ideas.\n")
    [config] = [c for c in init_vault(tmp_path).changes if c.rel == "vaultnet.toml"]
    text = config.after.decode()
    assert "init found no people" in text
    assert parse_settings(text).contacts == parse_settings(None).contacts


def test_templates_are_not_read_as_people(tmp_path: Path) -> None:
    put(tmp_path, ".obsidian/templates.json", '{"folder": "Extras/Templates/"}')
    put(tmp_path, "Extras/Templates/Person.md", fm(type="person", created="{{date}}"))
    put(tmp_path, "templates/Contact.md", fm(type="contact"))  # vaultnet's own templates folder
    put(tmp_path, "Notes/Jo.md", fm(type="person"))
    result = run("init", tmp_path)
    assert result.exit_code == 0, result.output
    assert "1 contact: 1 note with type person" in result.stdout
    assert "not read: Extras/Templates/ (the templates folder in .obsidian/templates.json" in result.stdout
    assert "not read: templates/ (vaultnet's templates folder" in result.stdout


# -- init on the fixture vaults: the same people, nothing overwritten, twice the same ------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_init_writes_only_its_settings_and_gitignore_and_says_what_it_found(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name, with_settings=False)
    before = hashes(root)
    result = run("init", root)
    assert result.exit_code == 0, result.output
    after = hashes(root)
    assert {path: after[path] for path in before} == before
    assert sorted(set(after) - set(before)) == [".gitignore", "vaultnet.toml"]
    expected = EXPECTED[name]
    assert f"{len(expected.contacts)} contacts: " in result.stdout
    assert "next: `vaultnet check`" in result.stdout


def test_the_summary_says_what_was_left_out_and_why(tmp_path: Path) -> None:
    root = copy_vault("people-folder", tmp_path / "v", with_settings=False)
    lines = run("init", root).stdout.splitlines()
    assert "  5 contacts: 5 notes in People/" in lines
    assert '  left out: People/README.md: a read-me; exclude "**/README.md"' in lines
    assert any(line.startswith("  left out: People/_aliases.md, People/_template.md: named with a leading _")
               for line in lines)  # fmt: skip
    assert '  left out: People/People.md: the index note of People/; exclude "People/People.md"' in lines
    assert "  your names for vaultnet's fields: org -> company, title -> role, met_date -> met, mail -> email, " \
           "mobile -> phone" in lines  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_init_twice_changes_nothing_the_second_time(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name, with_settings=False)
    assert run("init", root).exit_code == 0
    before = hashes(root)
    again = run("init", root)
    assert again.exit_code == 0, again.output
    assert hashes(root) == before
    assert "nothing to change" in again.stdout
    assert "created" not in again.stdout and "updated" not in again.stdout


@pytest.mark.parametrize("name", NAMES)
def test_init_alone_finds_the_same_people_as_the_hand_written_settings(tmp_path: Path, name: str) -> None:
    by_hand = copy_vault(name, tmp_path / "by-hand")
    by_init = copy_vault(name, tmp_path / "by-init", with_settings=False)
    assert run("init", by_init).exit_code == 0
    for root in (by_hand, by_init):
        assert run("build", root, "--today", DAY).exit_code == 0
    assert contact_paths(by_init) == contact_paths(by_hand) == sorted(EXPECTED[name].contacts)


@pytest.mark.parametrize(
    "name",
    NAMES,
)
def test_init_then_check_exits_0(tmp_path: Path, name: str) -> None:
    root = copy_vault(name, tmp_path / name, with_settings=False)
    assert run("init", root).exit_code == 0
    check = run("check", root)
    assert check.exit_code == 0, check.output


# -- .gitignore and the follow-up note -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "added"),
    [
        ("*.pdf\n", "\n# vaultnet's cache and calendar\n.vaultnet/\n"
                     "# the follow-up note changes daily\n/Follow-ups.md\n"),
        ("/.vaultnet\n", "\n# the follow-up note changes daily\n/Follow-ups.md\n"),
        (".obsidian/workspace.json", "\n\n# vaultnet's cache and calendar\n.vaultnet/\n"
                                     "# the follow-up note changes daily\n/Follow-ups.md\n"),
        (".vaultnet/\nFollow-ups.md\n", ""),
    ],
)  # fmt: skip
def test_init_adds_only_the_lines_gitignore_lacks(tmp_path: Path, mine: str, added: str) -> None:
    put(tmp_path, "Notes/Ideas.md", "Ideas.\n")
    put(tmp_path, ".gitignore", mine)
    result = run("init", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".gitignore").read_text() == mine + added
    assert ("updated" in result.stdout) == bool(added)


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs Linux's read-only /proc")
def test_a_gitignore_init_cannot_write_is_left_alone_and_the_lines_are_shown(tmp_path: Path) -> None:
    """A .gitignore that is a link (here to a file nobody can write, not even root: /proc) is neither read nor
    written, since it could lead anywhere; init says what to add."""
    put(tmp_path, "Notes/Ideas.md", "Ideas.\n")
    (tmp_path / ".gitignore").symlink_to("/proc/version")
    before = Path("/proc/version").read_bytes()
    result = run("init", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".gitignore").is_symlink()
    assert "add these lines to .gitignore yourself: .vaultnet/, /Follow-ups.md" in result.stdout
    assert Path("/proc/version").read_bytes() == before
    assert (tmp_path / "vaultnet.toml").exists()


def test_a_gitignore_init_cannot_read_gets_its_lines_shown(tmp_path: Path) -> None:
    put(tmp_path, "Notes/Ideas.md", "Ideas.\n")
    (tmp_path / ".gitignore").mkdir()
    result = run("init", tmp_path)
    assert result.exit_code == 0, result.output
    assert "add these lines to .gitignore yourself: .vaultnet/, /Follow-ups.md" in result.stdout
    assert (tmp_path / "vaultnet.toml").exists()


def test_a_follow_up_note_of_the_users_own_is_neither_overwritten_nor_ignored(tmp_path: Path) -> None:
    mine = put(tmp_path, "Follow-ups.md", "# Things to follow up\n- call the plumber\n")
    put(tmp_path, "People/Jo.md", "")
    assert run("init", tmp_path).exit_code == 0
    settings = parse_settings((tmp_path / "vaultnet.toml").read_text())
    assert settings.followups_path == OWN_FOLLOWUPS
    ignored = (tmp_path / ".gitignore").read_text().splitlines()
    assert f"/{OWN_FOLLOWUPS}" in ignored and "/Follow-ups.md" not in ignored
    assert run("build", tmp_path, "--today", DAY).exit_code == 0
    assert mine.read_text() == "# Things to follow up\n- call the plumber\n"
    assert (tmp_path / OWN_FOLLOWUPS).read_text().startswith("# Follow-ups for")


def test_a_follow_up_note_vaultnet_wrote_stays_where_it_is(tmp_path: Path) -> None:
    put(tmp_path, "People/Jo.md", "")
    put(tmp_path, "vaultnet.toml", '[contacts]\nfolders = ["People"]\n')
    assert run("build", tmp_path, "--today", DAY).exit_code == 0
    (tmp_path / "vaultnet.toml").unlink()
    assert run("init", tmp_path).exit_code == 0
    text = (tmp_path / "vaultnet.toml").read_text()
    assert parse_settings(text).followups_path == "Follow-ups.md"
    assert not re.search(r"^followups =", text, re.MULTILINE)


def test_init_in_an_empty_folder_is_a_new_vault_as_before(tmp_path: Path) -> None:
    result = run("init", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "vaultnet.toml").read_text() == config_template()
    assert "init read" not in result.stdout  # nothing to adopt: no survey


def test_the_fixture_vaults_are_not_changed_by_the_tests() -> None:
    """The fixtures are read in place by nobody: every test copies them first."""
    for name in NAMES:
        assert not (VAULTS / name / "vaultnet.toml").exists()
        assert not (VAULTS / name / ".gitignore").exists()
        assert not (VAULTS / name / ".vaultnet").exists()


# -- the README shows what init really prints -----------------------------------------------------------------------

README_COMMAND = "$ cd ~/notes && vaultnet init && vaultnet check"


def readme_example() -> list[str]:
    """The lines the README shows under its `vaultnet init && vaultnet check` example."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text[text.index(README_COMMAND) + len(README_COMMAND) :]
    return block[: block.index("```")].strip("\n").splitlines()


def test_the_readme_shows_what_init_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_vault("people-folder", tmp_path / "notes", with_settings=False)
    monkeypatch.chdir(root)
    result = run("init")
    assert result.exit_code == 0, result.output
    assert readme_example()[:-1] == result.stdout.splitlines()


def test_the_readme_shows_what_check_prints_then(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_vault("people-folder", tmp_path / "notes", with_settings=False)
    monkeypatch.chdir(root)
    assert run("init").exit_code == 0
    assert run("check").stdout.splitlines() == readme_example()[-1:]
