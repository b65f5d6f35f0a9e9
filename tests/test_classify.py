"""Which notes are contacts, events and goals by the vault's selections, a note's tags, and `[fields]`
(vaultnet.classify, through vaultnet.parse.parse_note with real note text)."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest

from vaultnet import fieldvalues, parse
from vaultnet.classify import body_tags, classify, mapped_properties, note_tags
from vaultnet.config import CONTACT_FIELDS, Settings, parse_settings
from vaultnet.model import ParsedNote
from vaultnet.problems import Problem
from vaultnet.selection import Selection


def note(path: str, text: str, toml: str = "") -> ParsedNote:
    return parse.parse_note(path, text.encode(), parse_settings(toml) if toml else Settings())


def kind(path: str, text: str, toml: str = "") -> str | None:
    n = note(path, text, toml)
    assert [p for p in n.problems if p.severity == "error"] == []
    return "contact" if n.contact else "event" if n.event else "goal" if n.goal else None


# -- the rules: folder, property, tag, exclude -------------------------------------------------------------------

PEOPLE = '[contacts]\nfolders = ["People"]\n'


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("People/Sam Lee.md", "contact"),
        ("People/work/Jo Park.md", "contact"),  # below the folder, at any depth
        ("contacts/Old Friend.md", None),  # `folders` given: contacts/ is no longer one
        ("people/Sam Lee.md", None),  # folder names keep their case, as Obsidian's do
        ("Peoples/Sam Lee.md", None),
        ("Sam Lee.md", None),
    ],
)
def test_a_folder_rule(path: str, expected: str | None) -> None:
    assert kind(path, "Sam is a friend.\n", PEOPLE) == expected


def test_a_folder_rule_keeps_the_contacts_folder_when_both_are_given() -> None:
    toml = 'contacts_folder = "contacts"\n' + PEOPLE
    assert kind("contacts/Old Friend.md", "x\n", toml) == kind("People/Sam.md", "x\n", toml) == "contact"


CATEGORIES = '[contacts]\nwhere = { categories = "[[People]]", type = ["person", "contact"] }\n'


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ('categories: ["[[People]]"]', "contact"),
        ('categories:\n  - "[[Films]]"\n  - "[[People]]"', "contact"),  # a list that holds it
        ('categories: "[[People|people]]"', "contact"),  # a link matches by its target
        ('categories: "[[Categories/People]]"', "contact"),
        ("categories: [[People]]", "contact"),  # unquoted: YAML's list in a list
        ("Categories: people", "contact"),  # names and text without case
        ('categories: ["[[Films]]"]', None),
        ("type: Person", "contact"),
        ('type: "[[Authors]]"', None),
        ("kind: person", None),  # another property
    ],
)
def test_a_property_rule(front_matter: str, expected: str | None) -> None:
    assert kind("References/Sam Lee.md", f"---\n{front_matter}\n---\nText.\n", CATEGORIES) == expected


TAGGED = '[contacts]\ntags = ["person"]\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ntags: [person]\n---\n", "contact"),
        ("---\ntags: [Person, friend]\n---\n", "contact"),  # tags compare without case
        ('---\ntag: "#person"\n---\n', "contact"),
        ("---\ntags: person, friend\n---\n", "contact"),
        ("---\ntags:\n  - person/work\n---\n", "contact"),  # a nested tag is below its parent
        ("Met at the meetup. #person\n", "contact"),  # a tag in the body
        ("#person\n", "contact"),  # at the start of a line: a tag, not a heading
        ("- met at work #person/work, very kind\n", "contact"),
        ("---\ntags: [personal]\n---\n", None),  # another tag
        ("Met at the meetup #personal\n", None),
        ("# person\n", None),  # a heading
        ("## Notes #person\n", None),  # a heading line is not read for tags
        ("```\n#person\n```\n", None),  # fenced code
        ("~~~md\n#person\n~~~\n", None),
        ("Use `#person` to tag.\n", None),  # inline code
        ("see https://example.com/#person\n", None),  # not after a blank
        ("[[Sam#person]]\n", None),
        ("---\nnote: '#person'\n---\n", None),  # another property
    ],
)
def test_a_tag_rule(text: str, expected: str | None) -> None:
    assert kind("Notes/Sam Lee.md", text, TAGGED) == expected


def test_tags_from_the_front_matter_and_the_body() -> None:
    body = "Text #one and #two/three, `#code` #2026 #y2026\n## Heading #four\n```\n#five\n```\n#six."
    assert note_tags({"Tags": ["#a", "b, c"], "tag": "d e", "other": "x"}, body) == [
        "a", "b", "c", "d", "e", "one", "two/three", "y2026", "six",
    ]  # fmt: skip


def test_the_body_scan_is_linear_on_a_hostile_line() -> None:
    """No nested quantifiers: a line built to make a backtracking regex explode reads in time linear in it."""
    hostile = " ".join(["#" + "a/" * 5_000 + "!"] * 20) + " #" + "1" * 100_000 + "`" * 1001 + "#x" * 50_000
    start = time.perf_counter()
    list(body_tags(hostile + "\n" + "# " * 50_000 + "\n# " + " " * 100_000 + "x #tag\n" + "`#" * 100_000))
    assert time.perf_counter() - start < 1.0


EXCLUDE = '[contacts]\nfolders = ["People"]\nexclude = ["**/README.md", "**/_*"]\n'


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("People/Sam Lee.md", "x\n", "contact"),
        ("People/README.md", "Who is in this folder.\n", None),
        ("People/_template.md", '---\ntype: contact\nname: "{{title}}"\n---\n', None),  # exclude wins over type
        ("People/_aliases.md", "x\n", None),
        ("People/work/_old.md", "x\n", None),
        ("People/work/README.md", "", None),  # an empty note excluded: no problem either
    ],
)
def test_an_exclude_rule(path: str, text: str, expected: str | None) -> None:
    n = note(path, text, EXCLUDE)
    assert n.problems == ()
    assert ("contact" if n.contact else None) == expected


def test_an_excluded_note_whose_front_matter_cannot_be_read_is_not_reported() -> None:
    template = "---\ntype: contact\ncreated: {{date}}\n---\n"
    assert note("People/_template.md", template, EXCLUDE).problems == ()
    [problem] = note("People/template.md", template, EXCLUDE).problems
    assert problem.message.startswith("front matter is not valid YAML")
    held = EXCLUDE + '[events]\nfolders = ["People/_events"]\n'  # in another kind's folder: it may be one
    assert len(note("People/_events/_x.md", template, held).problems) == 1


def test_an_empty_note_in_a_contacts_folder_is_still_reported() -> None:
    assert note("People/Sam.md", "", PEOPLE).problems == (Problem("People/Sam.md", 0, "empty note"),)


# -- the kinds together --------------------------------------------------------------------------------------------

KINDS = (
    '[contacts]\nfolders = ["People"]\ntags = ["person"]\n'
    '[events]\nwhere = { categories = "[[Events]]" }\n'
    '[goals]\ntags = ["goal"]\n'
)


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("People/Sam.md", "---\ntype: event\ndate: 2026-11-20\n---\n", "event"),  # its type names another kind
        ("People/Sam.md", "---\ntype: goal\n---\n", "goal"),
        ("Notes/Sam.md", "---\ntype: contact\n---\n", "contact"),  # vaultnet's own marker, anywhere
        ("Notes/Meetup.md", '---\ncategories: ["[[Events]]"]\ndate: 2026-11-20\n---\n', "event"),
        ("events/Meetup.md", "---\ndate: 2026-11-20\n---\n", "event"),  # the default events folder stays
        ("Notes/Raise.md", "Raise a round #goal\n", "goal"),
        ("goals/Hire.md", "", "goal"),
        ("Notes/Both.md", "#person #goal\n", "contact"),  # contact, event, goal: the first that selects
        ("Notes/Typed.md", "---\ntype: goal\n---\n#person\n", "goal"),
        ("Notes/Other.md", "#people\n", None),
    ],
)
def test_each_kind_by_its_selection(path: str, text: str, expected: str | None) -> None:
    assert kind(path, text, KINDS) == expected


def test_the_body_is_read_for_tags_only_when_a_selection_has_a_tag_rule() -> None:
    def no_tags() -> list[str]:
        raise AssertionError("read the tags")

    folders = {"contact": Selection(folders=("People",)), "event": Selection(), "goal": Selection()}
    assert classify("Notes/x.md", {}, no_tags, folders) is None
    tagged = {**folders, "goal": Selection(tags=("goal",))}
    assert classify("Notes/x.md", {}, lambda: ["goal/q1"], tagged) == "goal"


# -- [fields] --------------------------------------------------------------------------------------------------------

FIELDS = (
    "[fields]\n"
    'company = ["org", "organization"]\n'
    'role = ["title", "position"]\n'
    'met = ["met_date"]\n'
    'email = ["e-mail"]\n'
    'phone = ["phone number"]\n'
    'introduced_by = ["referred by"]\n'
)


def contact(text: str, toml: str = FIELDS) -> parse.Contact:
    n = note("contacts/Sam Lee.md", text, toml)
    assert n.problems == () and n.contact is not None, n.problems
    return n.contact


def test_mapped_fields_read_as_vaultnet_own() -> None:
    c = contact(
        "---\nOrg: Acme\nPosition: CTO\nmet_date: 2026-03-01\nE-mail: sam@example.com\n"
        "Phone Number: '+49 30 1234'\nReferred By: '[[Jo Park]]'\n---\n"
    )
    assert (c.company, c.role, c.met, c.emails, c.phones) == (
        "Acme",
        "CTO",
        date(2026, 3, 1),
        ("sam@example.com",),
        ("+49 30 1234",),
    )
    assert (c.introduced_by, c.introduced_by_line) == ("[[Jo Park]]", 7)  # as written: the network reads the link


def test_vaultnet_own_name_comes_first_then_the_vault_names_in_order() -> None:
    assert contact("---\ncompany: Own\norg: Org\n---\n").company == "Own"
    assert contact("---\norganization: Second\norg: First\n---\n").company == "First"
    assert contact("---\norg:\norganization: Second\n---\n").company == "Second"  # an empty one is skipped
    assert contact("---\ncompany:\norg: Acme\n---\n").company == "Acme"  # vaultnet's own, left empty
    assert contact("---\nemails: []\ne-mail: a@b.c\n---\n").emails == ("a@b.c",)


def test_a_mapped_text_field_may_be_a_list_or_links() -> None:
    assert contact('---\norg: ["[[Acme]]"]\n---\n').company == "Acme"
    assert contact("---\norg: [[Acme GmbH]]\n---\n").company == "Acme GmbH"
    assert contact('---\norg:\n  - "[[Acme|ACME]]"\n  - Beta\n---\n').company == "Acme, Beta"
    assert contact('---\ntitle: ["CTO"]\nmet_date: ["2026-03-01"]\n---\n').met == date(2026, 3, 1)


def test_vaultnet_own_fields_stay_strict() -> None:
    n = note("contacts/Sam.md", "---\ncompany: [Acme, Beta]\n---\n", FIELDS)
    assert n.problems == (Problem("contacts/Sam.md", 2, "company: expected a text, got a list"),)


def test_a_bad_mapped_value_is_reported_at_its_line_by_its_name() -> None:
    n = note("contacts/Sam.md", "---\nname: Sam\nmet_date: last spring\n---\n", FIELDS)
    assert n.contact is None
    [problem] = n.problems
    assert (problem.line, problem.message.split(":")[0]) == (3, "met_date")


def test_without_fields_the_vault_names_are_the_user_own() -> None:
    c = contact("---\norg: Acme\nPosition: CTO\n---\n", "")
    assert (c.company, c.role) == (None, None)


def test_mapped_properties_is_pure_and_says_which_key_is_which_field() -> None:
    fm = {"Company": "", "Org": "Acme", "Title": "CTO", "x": 1}
    fields = (("company", ("org",)), ("role", ("title", "position")), ("email", ("mail",)))
    assert mapped_properties(fm, fields) == {"Company": "", "Org": "company", "Title": "role"}
    assert mapped_properties(fm, ()) == {}


def test_every_contact_field_can_be_mapped() -> None:
    """`[fields]` accepts exactly the fields parse.py reads (by their main name)."""
    own = set(fieldvalues.FIELDS) | {fieldvalues.LIST_ATTR.get(name, name) for name in fieldvalues.LIST_FIELDS}
    own = {{"emails": "email", "phones": "phone"}.get(name, name) for name in own}
    assert set(CONTACT_FIELDS) == own


def test_the_docs_examples_are_settings_that_read_without_a_problem() -> None:
    """docs/format.md, "Which notes are contacts": every vaultnet.toml shown there is read as written."""
    from vaultkit import REPO

    text = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Which notes are contacts\n") : text.index("\n## Front matter\n")]
    examples = re.findall(r"```toml\n(.*?)```", section, re.DOTALL)
    assert len(examples) >= 6
    for example in examples:
        assert parse_settings(example).problems == (), example
