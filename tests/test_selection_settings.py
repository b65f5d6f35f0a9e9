"""The settings of which notes are contacts, events, goals and meeting notes, and `[fields]` (vaultnet.config)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vaultnet.config import Settings, parse_settings
from vaultnet.problems import Problem
from vaultnet.selection import Selection

TOML = "vaultnet.toml"


def test_the_defaults_select_as_before() -> None:
    s = Settings()
    assert s.contacts == Selection(folders=("contacts",))
    assert s.events == Selection(folders=("events",))
    assert s.goals == Selection(folders=("goals",))
    assert s.interactions == Selection() and not s.interactions
    assert (s.interaction_people, s.interaction_date, s.fields) == (("people", "attendees"), ("date",), ())
    assert parse_settings("[contacts]\n[events]\n[goals]\n[interactions]\n[fields]\n") == s


def test_a_contacts_table_reads_every_rule() -> None:
    s = parse_settings(
        "[contacts]\n"
        'folders = ["People", "./crm//people/"]\n'
        'tags = ["#person", "Contact/Work"]\n'
        'where = { Categories = "[[People]]", type = ["person", "contact"] }\n'
        'exclude = ["**/README.md", "/**/_*"]\n'
    )
    assert s.problems == ()
    assert s.contacts == Selection(
        folders=("People", "crm/people"),
        tags=("person", "Contact/Work"),
        where=(("categories", ("[[People]]",)), ("type", ("person", "contact"))),
        exclude=("**/README.md", "**/_*"),
    )
    assert s.contacts_folder == "People"  # `vaultnet new` writes into the first folder


def test_a_rule_left_out_keeps_its_default() -> None:
    s = parse_settings('[contacts]\ntags = ["person"]\n')
    assert s.contacts == Selection(folders=("contacts",), tags=("person",))
    assert parse_settings("[contacts]\nfolders = []\n").contacts == Selection()


def test_one_text_is_a_list_of_one() -> None:
    s = parse_settings('[events]\nfolders = "Meetups"\ntags = "event"\n')
    assert s.events == Selection(folders=("Meetups",), tags=("event",))
    assert s.events_folder == "Meetups"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("folders = 3", "contacts.folders: expected a list of folders inside the vault, got 3"),
        ('folders = ["../up"]', "contacts.folders: '../up' must be a folder inside the vault"),
        ('folders = ["ok", 2]', "contacts.folders: expected a list of folders inside the vault, got 2 in it"),
        ('tags = ["two words"]', "contacts.tags: 'two words' is not a tag (one word, such as person or person/work)"),
        (
            'exclude = ["../x/*"]',
            "contacts.exclude: '../x/*' must be a glob pattern inside the vault, such as **/README.md",
        ),
        ("where = 3", "contacts.where: expected a table"),
    ],
)
def test_a_bad_rule_is_an_error_at_its_line_and_the_default_stays(lines: str, message: str) -> None:
    s = parse_settings(f"# a comment\n[contacts]\n{lines}\n")
    assert s.problems == (Problem(TOML, 3, message),)
    assert s.contacts == Settings().contacts


def test_a_bad_where_entry_is_left_out_and_the_others_apply() -> None:
    s = parse_settings('[contacts]\nwhere = { type = [1], categories = "People" }\n')
    assert s.problems == (Problem(TOML, 2, "contacts.where.type: expected a list of texts, got 1 in it"),)
    assert s.contacts.where == (("categories", ("People",)),)


def test_an_unknown_rule_is_a_warning() -> None:
    s = parse_settings('[contacts]\nfolder = ["People"]\n')
    assert s.problems == (Problem(TOML, 2, "contacts.folder: unknown setting (ignored)", "warning"),)


def test_contacts_folder_alone_means_folders_of_that() -> None:
    s = parse_settings('contacts_folder = "People"\n')
    assert s.contacts == Selection(folders=("People",))
    assert s == Settings(contacts_folder="People") == Settings(contacts=Selection(folders=("People",)))


@pytest.mark.parametrize(
    ("text", "folders", "first"),
    [
        ('contacts_folder = "People"\n[contacts]\nfolders = ["crm", "People"]\n', ("People", "crm"), "People"),
        ('contacts_folder = "contacts"\n[contacts]\nfolders = ["People"]\n', ("contacts", "People"), "contacts"),
        ('contacts_folder = "People"\n[contacts]\nfolders = []\n', ("People",), "People"),
        ('[contacts]\nfolders = []\ntags = ["person"]\n', (), "contacts"),
    ],
)
def test_contacts_folder_and_folders_together(text: str, folders: tuple[str, ...], first: str) -> None:
    """contacts_folder is always one of the folders (where `vaultnet new` writes); no warning."""
    s = parse_settings(text)
    assert (s.contacts.folders, s.contacts_folder, s.problems) == (folders, first, ())


def test_settings_made_in_code_stay_consistent() -> None:
    s = Settings(goals_folder="Goals", events=Selection(folders=("Meetups", "events")))
    assert (s.goals.folders, s.events_folder) == (("Goals",), "Meetups")
    both = Settings(contacts_folder="People", contacts=Selection(folders=("crm",)))
    assert (both.contacts.folders, both.contacts_folder) == (("People", "crm"), "People")
    assert replace(Settings(), contacts_folder="people").contacts.folders == ("people",)


def test_interactions_read_their_people_and_date_properties() -> None:
    s = parse_settings('[interactions]\nfolders = ["Meetings"]\npeople = ["Attendees", "With"]\ndate = "Day"\n')
    assert s.problems == ()
    assert s.interactions == Selection(folders=("Meetings",))
    assert (s.interaction_people, s.interaction_date) == (("attendees", "with"), ("day",))


def test_fields_map_property_names_in_order() -> None:
    s = parse_settings('[fields]\nCompany = ["Org", "organization"]\nphone = "Phone Number"\nemail = ["E-mail"]\n')
    assert s.problems == ()
    assert s.fields == (("company", ("org", "organization")), ("phone", ("phone number",)), ("email", ("e-mail",)))


def test_a_field_that_vaultnet_does_not_have_is_an_error_at_its_line() -> None:
    s = parse_settings('[fields]\nrole = ["title"]\ncolour = ["hue"]\n')
    [problem] = s.problems
    assert (problem.line, problem.severity) == (3, "error")
    assert problem.message.startswith("fields.colour: not one of vaultnet's fields (name, company, role,")
    assert s.fields == (("role", ("title",)),)


def test_the_lines_of_the_settings_written_are_kept() -> None:
    s = parse_settings('# top\ncontacts_folder = "People"\n\n[contacts]\ntags = ["person"]\n')
    assert dict(s.lines) == {"contacts_folder": 2, "contacts.tags": 5}
    assert s == parse_settings('contacts_folder = "People"\n[contacts]\ntags = ["person"]\n')  # lines do not compare
