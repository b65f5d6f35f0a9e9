"""The link grammar (`vaultnet.links`) and the link values built on it (`values.link_of`, `plain_text`).

How a found link resolves to a note, and what it counts for, is tested through real vaults in
test_links_in_vault.py.
"""

from __future__ import annotations

import time

import pytest

from vaultnet.links import Found, find_links, first_link, markdown_target, replace_links
from vaultnet.model import Link
from vaultnet.values import link_of, link_target, plain_text


@pytest.mark.parametrize(
    ("text", "target", "shown"),
    [
        ("[[Jo Park]]", "Jo Park", "Jo Park"),
        ("[[People/Jo Park|Jo]]", "People/Jo Park", "Jo"),
        ("[[Jo Park#Work]]", "Jo Park", "Jo Park"),
        ("[Jo](People/Jo%20Park.md)", "People/Jo Park", "Jo"),
        ("[Jo](<../People/Jo Park.md>)", "../People/Jo Park", "Jo"),
        ("[Jo](Jo%20Park)", "Jo Park", "Jo"),  # `.md` is optional
        ("[Jo](Jo%20Park.MD)", "Jo Park", "Jo"),
        ("[Jo](./Jo%20Park.md#Work)", "./Jo Park", "Jo"),  # the anchor is dropped
        ("[Jürgen](J%C3%BCrgen%20Wei%C3%9F.md)", "Jürgen Weiß", "Jürgen"),  # UTF-8 escapes decoded
        ("[Jürgen](Jürgen%20Weiß.md)", "Jürgen Weiß", "Jürgen"),  # as Obsidian writes it: only spaces escaped
        ("[Jo](Jo.md 'Jo Park')", "Jo", "Jo"),  # a title is allowed and ignored
        ('[Jo](  Jo.md   "Jo Park"  )', "Jo", "Jo"),
        ("[](Jo.md)", "Jo", "Jo"),  # no text: the target shows
        ("[Jo](<>)", "", "Jo"),  # a link to nothing names no note
        ("[Jo](100%25%20sure.md)", "100% sure", "Jo"),
    ],
)
def test_each_link_form_names_its_target(text: str, target: str, shown: str) -> None:
    found = first_link(f"lunch with {text} today")
    assert found is not None
    assert (found.target, found.text, found.embed, found.external) == (target, shown, False, False)
    assert f"lunch with {text} today"[found.start : found.end] == text


@pytest.mark.parametrize(
    "text", ["[Jo](https://example.org/jo)", "[mail](mailto:jo@example.org)", "[x](obsidian://open?file=Jo)"]
)
def test_a_web_link_is_external_and_names_no_note(text: str) -> None:
    found = first_link(text)
    assert found is not None and found.external and not found.names_note


@pytest.mark.parametrize(
    ("text", "target"), [("![[Sam Lee]]", "Sam Lee"), ("![Sam](People/Sam%20Lee.md)", "People/Sam Lee")]
)
def test_an_embed_is_found_as_an_embed(text: str, target: str) -> None:
    assert list(find_links(f"see {text}")) == [
        Found(target, "Sam Lee" if "[[" in text else "Sam", 4, 4 + len(text), True)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "[Jo](Jo Park.md)",  # a space in a bare path: no link, to Obsidian either
        "- [ ] call (Jo)",  # a task, then words in parentheses
        "[Jo] (Jo.md)",  # no link without `](`
        "[Jo](Jo.md",  # not closed
        "[[Jo",
        "just text",
    ],
)
def test_what_is_no_link(text: str) -> None:
    assert list(find_links(text)) == []


def test_links_of_both_forms_are_found_in_order() -> None:
    line = "[[Ann]], ![[Bo]], [Cy](Cy.md) and [web](https://x.example) then [Di](<Di D.md>)"
    assert [(f.target, f.embed, f.external) for f in find_links(line)] == [
        ("Ann", False, False),
        ("Bo", True, False),
        ("Cy", False, False),
        ("https://x.example", False, True),
        ("Di D", False, False),
    ]


def test_markdown_target_drops_the_anchor_before_decoding() -> None:
    assert markdown_target("a%23b.md#Work") == "a#b"
    assert markdown_target("#Work") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[Anna Schmidt|Anna]] and [Jo](People/Jo%20Park.md)", "Anna and Jo"),
        ("see ![[Sam Lee]] and ![pic](pic.png)", "see Sam Lee and pic"),
        ("read [the deck](https://example.org/deck)", "read the deck"),
        ("no [link] here", "no [link] here"),
    ],
)
def test_links_read_as_what_they_show(text: str, expected: str) -> None:
    assert replace_links(text) == plain_text(text) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("[[Jo Park]]", Link("Jo Park", 7)),
        ("[Jo](../People/Jo%20Park.md)", Link("../People/Jo Park", 7)),
        ("![[Jo Park]]", Link("Jo Park", 7)),  # in a property an embed still names the note
        ("Jo Park", Link("Jo Park", 7, plain=True)),  # no link: a plain name
        ("[Jo](https://example.org/jo)", None),  # a web link names no note
        ("[Jo](#Work)", None),
    ],
)
def test_link_of_a_property_value(written: str, expected: Link | None) -> None:
    assert link_of(written, 7) == expected


def test_link_target_reads_markdown_links_too() -> None:
    assert link_target("[Jo](People/Jo%20Park.md)") == "People/Jo Park"
    assert link_target("[Jo](https://example.org)") is None


# Hostile input: a quadratic pattern takes minutes on a megabyte of these; a linear one well under a second.
HOSTILE = {
    "open links": "[a](" * 250_000,
    "embeds": "![" * 500_000,
    "brackets": "[" * 1_000_000,
    "wikilink openings": "[[" * 500_000,
    "a path never closed": "[a](x" + "y" * 1_000_000,
    "brackets in a path": "[a](x" + "[]" * 500_000,
    "titles never closed": '[a](x "' * 150_000,
    "spaces after a path": "[a](x" + " " * 1_000_000,
    "spaces after a title": '[a](x ""' + " " * 1_000_000,
    "angle paths never closed": "[a](<" * 250_000,
    "link text never closed": "[" + "a" * 1_000_000,
    "many real links": "[[a|b]] [c](d.md) ![e](f%20g.md) " * 30_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_link_grammar_is_linear_on_hostile_input(name: str) -> None:
    text = HOSTILE[name]
    start = time.perf_counter()
    list(find_links(text))
    plain_text(text)
    link_of(text, 1)
    link_target(text)
    link_target(text.replace("](", "]"))  # the wikilink-only path
    assert time.perf_counter() - start < 5.0, name  # generous: two shared cores; quadratic would be minutes
