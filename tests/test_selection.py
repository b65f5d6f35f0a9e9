"""`Selection`: which notes a `[contacts]`-style table selects, by folder, tag, property and exclude pattern."""

from __future__ import annotations

import time

import pytest

from vaultnet.frontmatter import load_yaml_text
from vaultnet.selection import Selection, glob_match, normal_value, property_values

PEOPLE = Selection(
    folders=("People", "CRM/contacts"),
    tags=("person",),
    where=(("categories", ("[[People]]",)), ("type", ("person", "contact"))),
    exclude=("**/README.md", "**/_*"),
)


@pytest.mark.parametrize(
    ("path", "front_matter", "tags", "selected"),
    [
        ("People/Sam Lee.md", "", (), True),
        ("People/sub/Sam Lee.md", "", (), True),
        ("people/Sam Lee.md", "", (), False),  # folder names keep their case, as in Obsidian
        ("Peoplex/Sam.md", "", (), False),
        ("CRM/contacts/Jo.md", "", (), True),
        ("People/README.md", "", (), False),
        ("People/_template.md", "", (), False),
        ("_aliases.md", "type: person", (), False),  # excluded wins over every rule
        ("References/Sam.md", 'categories: ["[[People]]"]', (), True),
        ("References/Sam.md", 'categories: ["[[People|people]]", "[[Films]]"]', (), True),
        ("References/Sam.md", 'categories: ["[[Categories/People]]"]', (), True),
        ("References/Sam.md", "categories: [[People]]", (), True),  # unquoted: YAML's list in a list
        ("References/Heat.md", 'categories: ["[[Films]]"]', (), False),
        ("References/Sam.md", "Type: Person", (), True),  # property names and values without case
        ("References/Sam.md", "type: [author, person]", (), True),
        ("References/Sam.md", "type: personal", (), False),
        ("Notes/Sam.md", "", ("person",), True),
        ("Notes/Sam.md", "", ("Person/Work",), True),  # a nested tag
        ("Notes/Sam.md", "", ("personal",), False),
        ("Notes/Sam.md", "", (), False),
    ],
)
def test_a_note_is_selected_by_any_rule_unless_excluded(
    path: str, front_matter: str, tags: tuple[str, ...], selected: bool
) -> None:
    fm = load_yaml_text(front_matter) or {}
    assert PEOPLE.selects(path, fm, tags) is selected


def test_an_empty_selection_selects_nothing() -> None:
    assert not Selection()
    assert Selection().selects("People/Sam.md", {"type": "person"}, ("person",)) is False
    assert Selection(exclude=("**/x",)).__bool__() is False
    assert Selection(tags=("person",))


@pytest.mark.parametrize(
    ("value", "normal"),
    [("[[People]]", "people"), ("[[Categories/People.md|x]]", "people"), (" Person ", "person"), ("[[]]", "[[]]")],
)
def test_values_compare_by_link_target_and_without_case(value: str, normal: str) -> None:
    assert normal_value(value) == normal


def test_property_values_take_texts_lists_and_unquoted_links() -> None:
    assert property_values("[[People]]") == {"people"}
    assert property_values(["a", ["B"], "", None, {"x": 1}]) == {"a", "b"}


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/README.md", "README.md", True),
        ("**/README.md", "People/README.md", True),
        ("**/README.md", "People/READMExmd", False),
        ("**/_*", "People/_template.md", True),
        ("**/_*", "People/x_y.md", False),
        ("People/*.md", "People/Sam.md", True),
        ("People/*.md", "People/sub/Sam.md", False),
        ("People/**", "People/sub/Sam.md", True),
        ("?.md", "a.md", True),
        ("?.md", "ab.md", False),
        ("[ab].md", "a.md", False),  # brackets are literal: file names hold them more often than globs do
        ("[ab].md", "[ab].md", True),
        ("**", "a/b/c.md", True),
        ("a/**/c.md", "a/c.md", True),
        ("a/**/c.md", "a/x/y/c.md", True),
        ("a/**/c.md", "a/x/y/d.md", False),
        ("*.md", "a/b.md", False),
        ("*", "", True),
    ],
)
def test_exclude_globs(pattern: str, path: str, matches: bool) -> None:
    assert glob_match(pattern, path) is matches


def test_a_glob_on_a_long_hostile_name_is_quick() -> None:
    started = time.perf_counter()
    assert not glob_match("**/*a*a*a*b", "x/" + "a" * 5000)
    assert not glob_match("/".join(["**"] * 50) + "/b", "/".join(["a"] * 2000))
    assert time.perf_counter() - started < 1.0
