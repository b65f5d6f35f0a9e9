"""Format-preserving edits (`vaultnet.edit`): only the intended lines change, every other byte stays.

Notes are written in many styles (CRLF, BOM, lone CR, comments, flow and block lists, quoted keys and values,
no final newline, no front matter) and every edit is checked three ways: the exact new line, every other line
byte for byte (with `changed_lines` and directly), and the note read back by the real parser.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vaultkit import TODAY, contact_of

from vaultnet.config import Settings
from vaultnet.edit import add_log_entry, changed_lines, log_line, set_property, split_lines, tick_task, yaml_scalar
from vaultnet.frontmatter import decode, load_front_matter, load_yaml_text, split_front_matter
from vaultnet.model import Contact
from vaultnet.problems import UserError

SETTINGS = Settings()
BOM = "\ufeff"

# (id, line ending, BOM, final newline)
STYLES = [
    pytest.param("\n", False, True, id="lf"),
    pytest.param("\r\n", False, True, id="crlf"),
    pytest.param("\n", True, True, id="bom"),
    pytest.param("\r\n", True, True, id="bom-crlf"),
    pytest.param("\r", False, True, id="lone-cr"),
    pytest.param("\n", False, False, id="no-final-newline"),
    pytest.param("\r\n", True, False, id="bom-crlf-no-final-newline"),
]


def styled(text: str, nl: str, bom: bool, final: bool) -> str:
    """`text` (written with LF and a final newline) in another style."""
    assert text.endswith("\n")
    body = text if final else text[:-1]
    return (BOM if bom else "") + body.replace("\n", nl)


def lines_of(before: str, after: str) -> tuple[list[str], list[str]]:
    """Both texts as lines with their endings, after checking the BOM stayed as it was."""
    assert after.startswith(BOM) == before.startswith(BOM)
    assert not after.removeprefix(BOM).startswith(BOM)
    return split_lines(before.removeprefix(BOM)), split_lines(after.removeprefix(BOM))


def changed(before: str, after: str) -> list[int]:
    """`changed_lines` of the texts without their BOM (which is no part of the first line)."""
    return changed_lines(before.removeprefix(BOM), after.removeprefix(BOM))


def assert_replaced(before: str, after: str, first: int, new: str, count: int = 1) -> None:
    """Lines `first`..`first+count-1` (1-based) became the one line `new` (with the old line's ending);
    every other line is byte for byte the same."""
    b, a = lines_of(before, after)
    old = b[first - 1]
    ending = old[len(old.rstrip("\r\n")) :]
    assert a[first - 1] == new + ending
    assert a[: first - 1] == b[: first - 1]
    assert a[first:] == b[first - 1 + count :]
    assert changed(before, after) == list(range(first, first + count))


def assert_inserted(before: str, after: str, at: int, new: list[str], nl: str) -> None:
    """The lines `new` were inserted before line index `at` (0-based); nothing else changed."""
    b, a = lines_of(before, after)
    assert a == b[:at] + [line + nl for line in new] + b[at:]
    assert changed(before, after) == []


def front_matter_of(text: str) -> dict[str, Any]:
    """The note's front matter as the parser's YAML loader reads it (every scalar as text)."""
    decoded, problem = decode("n.md", text.encode("utf-8"))
    assert problem is None and decoded is not None
    fm_text, _line, problem = split_front_matter("n.md", decoded)
    assert problem is None
    if fm_text is None:
        return {}
    data, problem = load_front_matter("n.md", fm_text)
    assert problem is None
    return data


# -- split_lines and changed_lines ----------------------------------------------------------------------------


def test_split_lines_keeps_every_ending_and_splits_only_at_cr_and_lf() -> None:
    text = "a\r\nb\rc\nd\x0ce\u2028f\x85g"
    assert split_lines(text) == ["a\r\n", "b\r", "c\n", "d\x0ce\u2028f\x85g"]
    assert "".join(split_lines(text)) == text
    assert split_lines("") == []
    assert split_lines("\n\n") == ["\n", "\n"]


def test_changed_lines_names_replaced_and_removed_lines_only() -> None:
    before = "a\nb\nc\nd\n"
    assert changed_lines(before, before) == []
    assert changed_lines(before, "a\nB\nc\nd\n") == [2]
    assert changed_lines(before, "a\nb\nnew\nc\nd\n") == []  # an insertion replaces nothing
    assert changed_lines(before, "a\nd\n") == [2, 3]
    assert changed_lines(before, "a\r\nb\nc\nd\n") == [1]  # an ending is part of the line


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("\n\n- [ ] A\n\n\n- [ ] A\n", "\n\n- [x] A\n\n\n- [ ] A\n", [3]),
        ("x\n\n\ny\n\n\nz\n", "x\n\n\nY\n\n\nz\n", [4]),
        ("a\na\na\n", "a\na\nb\na\n", []),
    ],
)
def test_changed_lines_is_minimal_when_lines_repeat(before: str, after: str, expected: list[int]) -> None:
    """One line edited among repeated (blank) lines is one changed line, not a block of equal ones."""
    assert changed_lines(before, after) == expected


# -- yaml_scalar ------------------------------------------------------------------------------------------------

NEEDS_QUOTES = [
    "Acme: GmbH",
    "#tag",
    "yes",
    "no",
    "Yes",
    "NO",
    "on",
    "off",
    "true",
    "null",
    "~",
    "0301234",
    "1e3",
    "1_000",
    "0x1F",
    "0o17",
    "12:30",
    ".5",
    "+1",
    " leading",
    "trailing ",
    'say "hi"',
    "it's",
    "'single'",
    "back\\slash",
    "C:\\Users\\anna",
    "two\nlines",
    "tab\there",
    "[x]",
    "{x}",
    "@handle",
    "`code`",
    "- dash",
    "? question",
    "!tag",
    "&anchor",
    "*alias",
    "%percent",
    "|pipe",
    ">folded",
    "a #b",
    "a: b",
    "",
    " ",
    "Müller & Söhne",
    "x\u2028y",
]


@pytest.mark.parametrize("value", NEEDS_QUOTES)
def test_yaml_scalar_reads_back_as_exactly_the_text(value: str) -> None:
    written = yaml_scalar(value)
    assert "\n" not in written and "\r" not in written  # one line in the front matter
    assert load_yaml_text(f"key: {written}") == {"key": value}
    assert load_yaml_text(f"key: {written}  # a comment") == {"key": value}
    assert load_yaml_text(f"list: [{written}, other]") == {"list": [value, "other"]}


@pytest.mark.parametrize(
    ("value", "quoted"),
    [("Acme: GmbH", True), ("yes", True), ("0301234", True), ("1e3", True), ("#tag", True), ("@handle", True)],
)
def test_yaml_scalar_quotes_what_yaml_would_misread(value: str, quoted: bool) -> None:
    assert yaml_scalar(value).startswith('"') is quoted


@pytest.mark.parametrize("value", ["Acme GmbH", "Anna Schmidt", "anna@example.org", "2026-12-05", "O'Brien", "close"])
def test_yaml_scalar_leaves_plain_values_plain(value: str) -> None:
    assert yaml_scalar(value) == value
    assert load_yaml_text(f"key: {yaml_scalar(value)}") == {"key": value}


@pytest.mark.parametrize("value", ["a\rb", "a\r\nb", "a\x85b", "bell\x07", "del\x7f", "\x01", "\ufffe"])
def test_yaml_scalar_escapes_carriage_returns_next_line_and_control_characters(value: str) -> None:
    """A CR, NEL (U+0085) or control character in a value (a pasted company name, say) must come back as
    written, and must not split the front matter line (a raw CR is a line ending for the note's editor)."""
    written = yaml_scalar(value)
    assert split_lines(f"key: {written}\n") == [f"key: {written}\n"]
    assert load_yaml_text(f"key: {written}") == {"key": value}


_PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\n\t")


@settings(max_examples=400, deadline=None, database=None)
@given(value=st.text(alphabet=_PRINTABLE, max_size=20))
def test_yaml_scalar_round_trips_any_printable_text(value: str) -> None:
    written = yaml_scalar(value)
    assert len(split_lines(written)) <= 1
    assert load_yaml_text(f"key: {written}") == {"key": value}


# -- set_property -----------------------------------------------------------------------------------------------

RICH = """\
---
# snooze_until: 2025-01-01 was the old one
name: Anna Schmidt
"company": "Acme: GmbH"   # quoted, with a colon
role:   Head of Data
aliases:
  - Annie
  - A. S.
tags: [friend, work]  # a flow list
circle: close
snooze_until: 2026-01-10  # after her holiday
archived: false # for now
---
# Anna Schmidt

## Log
- 2026-09-20 coffee: talked about hiring
- 2026-10-02 call: her new team #gave

- [ ] send the article 📅 2026-11-15
"""
RICH_CLOSING = 13  # the line of the closing ---


def assert_rich_read_as(c: Contact, **changed: object) -> None:
    """The contact of RICH after an edit: the `changed` fields read as given, every other field as before (each of
    the same type too: `archived` is True, not 1)."""
    expected = {
        "name": "Anna Schmidt",
        "company": "Acme: GmbH",
        "role": "Head of Data",
        "aliases": ("Annie", "A. S."),
        "tags": ("friend", "work"),
        "circle": "close",
        "snooze_until": date(2026, 1, 10),
        "archived": False,
    } | changed
    for field, value in expected.items():
        actual = getattr(c, field)
        assert actual == value and type(actual) is type(value), field
    assert [(e.day, e.kind) for e in c.log] == [(date(2026, 9, 20), "coffee"), (date(2026, 10, 2), "call")]
    assert [(p.text, p.done) for p in c.promises] == [("send the article", False)]


# (key, new value, the first line it replaces, the line written there, how many lines it replaces, the value read)
RICH_REPLACEMENTS = [
    pytest.param("snooze_until", "2026-12-05", 11, "snooze_until: 2026-12-05 # after her holiday", 1,
                 date(2026, 12, 5), id="a-value-keeps-its-comment"),
    pytest.param("archived", "true", 12, "archived: true # for now", 1, True, id="archives"),
    pytest.param("company", yaml_scalar("Beta: AG"), 4, '"company": "Beta: AG" # quoted, with a colon', 1, "Beta: AG",
                 id="a-quoted-key-stays-as-written"),
    pytest.param("role", "CTO", 5, "role: CTO", 1, "CTO", id="only-the-spacing-of-its-own-line-is-normalised"),
    pytest.param("aliases", "[Ann, Annie S]", 6, "aliases: [Ann, Annie S]", 3, ("Ann", "Annie S"),
                 id="a-block-list-with-all-its-lines"),
    pytest.param("tags", "[friend, work, sailing]", 9, "tags: [friend, work, sailing] # a flow list", 1,
                 ("friend", "work", "sailing"), id="a-flow-list-keeps-its-comment"),
]  # fmt: skip


@pytest.mark.parametrize(("nl", "bom", "final"), STYLES)
@pytest.mark.parametrize(("key", "value", "first", "new", "count", "read"), RICH_REPLACEMENTS)
def test_set_property_replaces_the_lines_of_its_key_only(
    key: str, value: str, first: int, new: str, count: int, read: object, nl: str, bom: bool, final: bool
) -> None:
    before = styled(RICH, nl, bom, final)
    after = set_property(before, key, value)
    assert_replaced(before, after, first, new, count=count)
    assert_rich_read_as(contact_of(after), **{key: read})


@pytest.mark.parametrize(("nl", "bom", "final"), STYLES)
def test_set_property_adds_a_missing_key_as_the_last_front_matter_line(nl: str, bom: bool, final: bool) -> None:
    before = styled(RICH, nl, bom, final)
    after = set_property(before, "follow_up", "2026-12-01")
    assert_inserted(before, after, RICH_CLOSING - 1, ["follow_up: 2026-12-01"], nl)
    assert_rich_read_as(contact_of(after), follow_up=date(2026, 12, 1))


def test_set_property_never_touches_a_commented_out_key() -> None:
    after = set_property(RICH, "snooze_until", "2026-12-05")
    assert split_lines(after)[1] == "# snooze_until: 2025-01-01 was the old one\n"
    text = "---\nname: Anna\n# archived: true\n---\n"
    assert set_property(text, "archived", "true") == "---\nname: Anna\n# archived: true\narchived: true\n---\n"


@pytest.mark.parametrize(("nl", "bom", "final"), STYLES)
def test_set_property_gives_a_note_without_front_matter_one(nl: str, bom: bool, final: bool) -> None:
    body = "# Anna Schmidt\n\nMet at the meetup.\n\n## Log\n- 2026-10-02 call: her new team\n"
    before = styled(body, nl, bom, final)
    after = set_property(before, "archived", "true")
    assert after == (BOM if bom else "") + f"---{nl}archived: true{nl}---{nl}" + before.removeprefix(BOM)
    assert_inserted(before, after, 0, ["---", "archived: true", "---"], nl)
    c = contact_of(after)
    assert c.archived is True
    assert c.name == "Anna Schmidt"  # from the file name
    assert [(e.day, e.kind, e.line) for e in c.log] == [(date(2026, 10, 2), "call", 9)]


def test_set_property_on_an_empty_note() -> None:
    assert set_property("", "archived", "true") == "---\narchived: true\n---\n"
    assert set_property(BOM, "archived", "true") == BOM + "---\narchived: true\n---\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Snooze_Until: 2026-01-10", "Snooze_Until: 2026-12-05"),  # the key as written, any case
        ("'snooze_until': 2026-01-10", "'snooze_until': 2026-12-05"),
        ('"snooze_until":    "2026-01-10"   # quoted', '"snooze_until": 2026-12-05 # quoted'),
        ("snooze_until:", "snooze_until: 2026-12-05"),  # empty value
        ("snooze_until:   ", "snooze_until: 2026-12-05"),
        ("snooze_until  : 2026-01-10", "snooze_until  : 2026-12-05"),
        ("snooze_until: '2026-01-10' # it's 'quoted'", "snooze_until: 2026-12-05 # it's 'quoted'"),
        ('snooze_until: "1 #2" # after', "snooze_until: 2026-12-05 # after"),  # a # inside quotes is no comment
        ("snooze_until: 2026-01-10#not-a-comment", "snooze_until: 2026-12-05"),
        ("snooze_until: null", "snooze_until: 2026-12-05"),
    ],
)
def test_set_property_line_forms(line: str, expected: str) -> None:
    before = f"---\nname: Anna\n{line}\ncircle: close\n---\nBody.\n"
    after = set_property(before, "snooze_until", "2026-12-05")
    assert_replaced(before, after, 3, expected)
    c = contact_of(after)
    assert (c.name, c.circle, c.snooze_until) == ("Anna", "close", date(2026, 12, 5))


def test_set_property_closing_dots_and_similar_keys() -> None:
    before = "---\nname: Anna\narchived_at: 2026-01-01\nsocial:\n  archived: false\n...\nBody.\n"
    after = set_property(before, "archived", "true")
    assert_inserted(before, after, 5, ["archived: true"], "\n")
    assert front_matter_of(after) == {
        "name": "Anna",
        "archived_at": "2026-01-01",
        "social": {"archived": "false"},
        "archived": "true",
    }


def test_set_property_replaces_a_multi_line_value() -> None:
    before = "---\nname: Anna\nrole: Head of\n  Data and AI\ncircle: close\n---\n"
    after = set_property(before, "role", "CTO")
    assert_replaced(before, after, 3, "role: CTO", count=2)
    assert front_matter_of(after) == {"name": "Anna", "role": "CTO", "circle": "close"}


@pytest.mark.parametrize(
    "inside",
    [
        "  - a\n\n  - b\n",  # a blank line between the items
        "  - a\n# - old\n  - b\n",  # a commented-out item at the start of the line
    ],
    ids=["blank-line", "comment-line"],
)
def test_set_property_replaces_a_block_list_with_blank_or_comment_lines_inside(inside: str) -> None:
    """YAML allows blank lines and comments between the items of a block list; replacing the list must not
    leave its last items behind (an orphaned `  - b` makes the whole front matter invalid)."""
    before = f"---\nname: Anna\ntags:\n{inside}circle: close\n---\n"
    after = set_property(before, "tags", "[x]")
    assert front_matter_of(after) == {"name": "Anna", "tags": ["x"], "circle": "close"}
    assert split_lines(after)[:3] == ["---\n", "name: Anna\n", "tags: [x]\n"]
    assert split_lines(after)[-2:] == ["circle: close\n", "---\n"]


def test_set_property_refuses_an_unclosed_front_matter() -> None:
    with pytest.raises(UserError, match="not closed"):
        set_property("---\nname: Anna\nBody.\n", "archived", "true")


# -- add_log_entry ---------------------------------------------------------------------------------------------

ENTRY = "- 2026-11-21 coffee: talked shop #gave"

NEWEST_LAST = """\
---
name: Anna Schmidt
---
# Anna Schmidt

## Log
- 2026-09-20 coffee: talked about hiring
- 2026-10-02 call: her new team

## Tasks
- [ ] send the article
"""

NEWEST_FIRST = NEWEST_LAST.replace(  # the same note with its two entries the other way round
    "- 2026-09-20 coffee: talked about hiring\n- 2026-10-02 call: her new team\n",
    "- 2026-10-02 call: her new team\n- 2026-09-20 coffee: talked about hiring\n",
)
ANNA = "---\nname: Anna Schmidt\n---\n"  # the front matter of the notes below


def assert_new_entry(after: str, line: int, count: int) -> None:
    """The parser sees the new entry, on `line`, as the newest interaction, with `count` entries in all."""
    c = contact_of(after)
    assert len(c.log) == count
    assert c.last_log is not None
    assert (c.last_log.day, c.last_log.kind, c.last_log.text, c.last_log.line) == (
        TODAY,
        "coffee",
        "talked shop #gave",
        line,
    )
    assert c.last_log.gave and not c.last_log.got
    assert c.last_interaction == TODAY


def under(heading: str) -> str:
    """A note whose Log is under `heading`, followed by another heading of the same level."""
    level = "#" * (len(heading) - len(heading.lstrip("#")))
    return f"{ANNA}{heading}\n- 2026-09-20 coffee: hiring\n\n{level} Later\nMore text.\n"


# A note the new entry goes into: (the note, the index of the line the entry goes before, the line it is then on,
# the entries then, the open tasks then).
INTO_A_LOG = [
    pytest.param(NEWEST_LAST, 8, 9, 3, ["send the article"], id="last-in-a-newest-last-log"),
    pytest.param(NEWEST_FIRST, 6, 7, 3, ["send the article"], id="first-in-a-newest-first-log"),
    *[pytest.param(under(h), 5, 6, 2, [], id=h) for h in ["# Log", "### Log", "## Log:", "## log ##", "##   LOG"]],
    pytest.param("# Anna\n\n## Log\n- 2026-09-20 coffee: hiring\n\n## Notes\nlikes sailing\n", 4, 5, 2, [],
                 id="a-note-without-front-matter"),
]  # fmt: skip


@pytest.mark.parametrize(("nl", "bom", "final"), STYLES)
@pytest.mark.parametrize(("text", "at", "line", "count", "tasks"), INTO_A_LOG)
def test_log_entry_goes_into_the_log_in_any_style(
    text: str, at: int, line: int, count: int, tasks: list[str], nl: str, bom: bool, final: bool
) -> None:
    before = styled(text, nl, bom, final)
    after = add_log_entry(before, ENTRY)
    assert_inserted(before, after, at, [ENTRY], nl)
    assert_new_entry(after, line, count)
    assert [p.text for p in contact_of(after).open_promises] == tasks


@pytest.mark.parametrize(("nl", "bom", "final"), STYLES)
def test_log_entry_at_the_very_end_of_the_note(nl: str, bom: bool, final: bool) -> None:
    text = "---\nname: Anna Schmidt\n---\n## Log\n- 2026-09-20 coffee: talked about hiring\n"
    before = styled(text, nl, bom, final)
    after = add_log_entry(before, ENTRY)
    assert after == before + (ENTRY + nl if final else nl + ENTRY)
    assert changed(before, after) == ([] if final else [5])
    assert after.endswith(nl) is final
    assert_new_entry(after, 6, 2)


@pytest.mark.parametrize(("nl", "bom", "final"), STYLES)
@pytest.mark.parametrize(
    ("text", "circle"),
    [
        pytest.param(ANNA + "```\n## Log\n- 2020-01-01 call: an example\n```\n", None, id="log-heading-only-in-code"),
        pytest.param(
            "---\nname: Anna Schmidt\ncircle: close  # keep\n---\n# Anna Schmidt\n\nMet at the meetup.\n",
            "close",
            id="no-log-heading",
        ),
    ],
)
def test_log_section_is_added_at_the_end_when_missing(
    text: str, circle: str | None, nl: str, bom: bool, final: bool
) -> None:
    """A note of seven lines with no Log (a `## Log` in a code fence is none) gets one at its end."""
    before = styled(text, nl, bom, final)
    after = add_log_entry(before, ENTRY)
    if final:
        assert_inserted(before, after, 7, ["", "## Log", "", ENTRY], nl)
    else:
        assert after == before + nl + nl + "## Log" + nl + nl + ENTRY
        assert changed(before, after) == [7]
    assert after.endswith(nl) is final
    assert_new_entry(after, 11, 1)
    assert contact_of(after).circle == circle


def test_log_entry_into_a_note_that_is_only_front_matter() -> None:
    before = "---\nname: Anna Schmidt\n---"
    after = add_log_entry(before, ENTRY)
    assert after == "---\nname: Anna Schmidt\n---\n\n## Log\n\n" + ENTRY
    assert_new_entry(after, 7, 1)


# A note (with LF endings) the new entry goes into: (the note, the index of the line the new lines go before, the
# new lines, the line of the entry then, the entries then).
INSERTIONS = [
    pytest.param("## Log\n### 2026\n- 2026-09-20 coffee: hiring\n### Notes\nnothing\n## Tasks\n- [ ] x\n",
                 3, [ENTRY], 4, 2, id="subheadings-below-the-log-heading-stay-in-the-log"),
    pytest.param(ANNA + "The format:\n\n```markdown\n## Log\n- 2020-01-01 call: an example\n```\n\n~~~\n## Log\n~~~\n\n"
                 "## Log\n- 2026-09-20 coffee: hiring\n\n## Tasks\n", 16, [ENTRY], 17, 2,
                 id="a-log-heading-in-a-code-fence-is-skipped"),
    pytest.param(ANNA + "Met at the meetup.\n\n", 5, ["## Log", "", ENTRY], 8, 1,
                 id="a-new-log-section-without-a-second-blank-line"),
    # An empty Log section: the entry goes after the blank line below the heading, or after a blank line it adds.
    pytest.param(ANNA + "## Log\n\n## Notes\nmore\n", 5, [ENTRY], 6, 1, id="empty-log-with-a-blank-line"),
    pytest.param(ANNA + "## Log\n## Notes\nmore\n", 4, ["", ENTRY], 6, 1, id="empty-log-without-a-blank-line"),
    pytest.param(ANNA + "## Log\n\n\n## Notes\nmore\n", 6, [ENTRY], 7, 1, id="empty-log-with-two-blank-lines"),
    pytest.param(ANNA + "## Log\n", 4, ["", ENTRY], 6, 1, id="empty-log-at-the-end"),
    pytest.param(ANNA + "## Log\n\n", 5, [ENTRY], 6, 1, id="empty-log-and-a-blank-line-at-the-end"),
    pytest.param(ANNA + "## Log\nNothing yet.\n\n## Notes\n", 4, ["", ENTRY], 6, 1, id="empty-log-with-text"),
    # An entry's indented details belong to it: the new entry goes after them, not between.
    pytest.param(ANNA + "## Log\n- 2026-09-20 coffee: hiring\n- 2026-10-02 call: her new team\n"
                 "  - she moves to Berlin\n  - wants an intro to Ben\n\n## Tasks\n", 8, [ENTRY], 9, 3,
                 id="the-sub-items-of-the-last-entry-stay-with-it"),
    pytest.param("## Log\n- [x] 2026-08-01 call: sent the deck\n* **2026-09-20** coffee: hiring\n"
                 "+ [[2026-10-02]] meeting: planning\n", 4, [ENTRY], 5, 4,
                 id="a-log-of-tasks-and-bold-or-linked-dates"),
    # Newest first: before the first entry of the Log, not before the dated line outside it.
    pytest.param("## Notes\n- 2027-01-01 not a log entry\n\n## Log\n- 2026-10-02 call: x\n- 2026-09-20 call: y\n",
                 4, [ENTRY], 5, 3, id="unrelated-dated-lines-stay-outside-the-log"),
]  # fmt: skip


@pytest.mark.parametrize(("before", "at", "new", "line", "count"), INSERTIONS)
def test_log_entry_is_inserted_and_nothing_else_changes(
    before: str, at: int, new: list[str], line: int, count: int
) -> None:
    after = add_log_entry(before, ENTRY)
    assert_inserted(before, after, at, new, "\n")
    assert_new_entry(after, line, count)


def test_log_entry_into_an_empty_log_heading_without_final_newline() -> None:
    before = "---\nname: Anna Schmidt\n---\n## Log"
    after = add_log_entry(before, ENTRY)
    assert after in (before + "\n\n" + ENTRY, before + "\n" + ENTRY)
    assert not after.endswith("\n")
    c = contact_of(after)
    assert c.last_log is not None and c.last_log.day == TODAY


# -- log_line ---------------------------------------------------------------------------------------------------


def test_log_line_forms() -> None:
    assert log_line(TODAY, "talked shop") == "- 2026-11-21 talked shop"
    assert log_line(TODAY, "talked shop", "coffee") == "- 2026-11-21 coffee: talked shop"
    assert log_line(TODAY, "intro to Ben", "call", gave=True) == "- 2026-11-21 call: intro to Ben #gave"
    assert log_line(TODAY, "advice", got=True) == "- 2026-11-21 advice #got"
    assert log_line(TODAY, "already #gave", gave=True) == "- 2026-11-21 already #gave"
    assert log_line(TODAY, "  two\nlines\r\nand\ta tab  ") == "- 2026-11-21 two lines and a tab"


def test_log_line_reads_back_through_the_parser() -> None:
    line = log_line(date(2026, 3, 4), "intro to Ben", "Call", got=True)
    c = contact_of(add_log_entry("## Log\n", line))
    assert c.log[0][:3] == (date(2026, 3, 4), "call", "intro to Ben #got")
    assert c.log[0].got and not c.log[0].gave


# -- tick_task --------------------------------------------------------------------------------------------------

TASKS = """\
---
name: Anna Schmidt
---
## Tasks
- [ ] send the article 📅 2026-11-15
* [ ] introduce her to Ben (due 2026-12-05)
  + [ ] nested: book a table
- [x] done already
1. [ ] not a bullet list item
"""


@pytest.mark.parametrize(("nl", "bom", "final"), STYLES)
@pytest.mark.parametrize("which", ["send the article", "introduce her to Ben", "nested: book a table"])
def test_tick_task_changes_one_character(which: str, nl: str, bom: bool, final: bool) -> None:
    before = styled(TASKS, nl, bom, final)
    promise = next(p for p in contact_of(before).promises if p.text == which)
    after = tick_task(before, promise.line)
    assert len(after) == len(before)
    diffs = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(diffs) == 1 and before[diffs[0]] == " " and after[diffs[0]] == "x"
    assert changed(before, after) == [promise.line]
    done = {p.text: p.done for p in contact_of(after).promises}
    assert done == {
        "send the article": which == "send the article",
        "introduce her to Ben": which == "introduce her to Ben",
        "nested: book a table": which == "nested: book a table",
        "done already": True,
    }


@pytest.mark.parametrize(("line", "message"), [(8, "not an open task"), (4, "not an open task"), (9, "open task")])
def test_tick_task_refuses_a_line_that_is_no_open_task(line: int, message: str) -> None:
    with pytest.raises(UserError, match=message):
        tick_task(TASKS, line)


@pytest.mark.parametrize("line", [0, -1, 10, 99])
def test_tick_task_refuses_a_line_outside_the_note(line: int) -> None:
    with pytest.raises(UserError, match="not in the note"):
        tick_task(TASKS, line)


# -- property tests over generated notes ------------------------------------------------------------------------

_WORD = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,7}", fullmatch=True)
_KEY = st.from_regex(r"[a-z][a-z_]{0,9}", fullmatch=True)
_PLAIN = st.from_regex(r"[A-Za-z][A-Za-z0-9 .]{0,10}[A-Za-z0-9.]|[A-Za-z]", fullmatch=True)
_COMMENT = st.from_regex(r"[A-Za-z0-9 :#'\"]{0,15}", fullmatch=True)
_ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
_BODY_LINE = st.one_of(
    st.just(""),
    st.from_regex(r"[A-Za-z][A-Za-z0-9 ,.!?:'\"]{0,30}", fullmatch=True),
    st.builds(lambda w: f"## {w}", _WORD.filter(lambda w: w.lower() != "log")),
    st.builds(lambda w: f"> {w}", _WORD),
)


@st.composite
def _property(draw: st.DrawFn, key: str) -> tuple[list[str], str | None, str]:
    """One front matter property as lines: (lines, the value it reads as or None for a list, its comment)."""
    form = draw(st.sampled_from(["plain", "double", "single", "empty", "flow", "block"]))
    spacing = draw(st.sampled_from([" ", "  ", "\t", "   "]))
    written_key = draw(st.sampled_from([key, f'"{key}"', f"'{key}'"]))
    comment = draw(st.one_of(st.just(""), _COMMENT))
    tail = f" # {comment}" if comment else ""
    if form == "block":
        items = draw(st.lists(_PLAIN, min_size=1, max_size=3))
        indent = draw(st.sampled_from(["  ", "    ", ""]))
        return [f"{written_key}:{tail}", *(f"{indent}- {item}" for item in items)], None, comment
    if form == "flow":
        items = draw(st.lists(_PLAIN, max_size=3))
        return [f"{written_key}:{spacing}[{', '.join(items)}]{tail}"], None, comment
    value = draw(_PLAIN)
    shown = {"plain": value, "double": f'"{value}"', "single": f"'{value}'", "empty": ""}[form]
    line = f"{written_key}:{spacing}{shown}".rstrip() if form == "empty" else f"{written_key}:{spacing}{shown}"
    return [line + tail], ("" if form == "empty" else value.strip()), comment


@st.composite
def _notes(draw: st.DrawFn) -> dict[str, Any]:
    """A note as logical lines, with its style and what its front matter holds."""
    keys = draw(st.lists(_KEY, max_size=6, unique_by=str.lower))
    has_fm = draw(st.booleans()) or bool(keys)
    lines: list[str] = []
    props: dict[str, dict[str, Any]] = {}
    if has_fm:
        lines.append(draw(st.sampled_from(["---", "--- ", "---  "])))
        for key in keys:
            if draw(st.booleans()):
                lines.append("# " + draw(_COMMENT))
            prop_lines, value, comment = draw(_property(key))
            props[key] = {"index": len(lines), "lines": prop_lines, "value": value, "comment": comment}
            lines.extend(prop_lines)
        if draw(st.booleans()):
            lines.append("#" + draw(_COMMENT))
        closing = len(lines)
        lines.append(draw(st.sampled_from(["---", "...", "--- "])))
    else:
        closing = -1
    body = draw(st.lists(_BODY_LINE, max_size=8))
    lines.extend(body)
    if not lines or not lines[-1]:
        lines.append(draw(_WORD))  # the last line is never blank, so "no final newline" is unambiguous
    return {
        "lines": lines,
        "props": props,
        "closing": closing,
        **_style(draw, lines),
    }


def _style(draw: st.DrawFn, lines: list[str]) -> dict[str, Any]:
    """Line ending, BOM and final newline; a one-line note without final newline has no ending to keep."""
    final = draw(st.booleans())
    nl = draw(_ENDINGS) if len(lines) > 1 or final else "\n"
    return {"nl": nl, "bom": draw(st.booleans()), "final": final}


def _join(note: dict[str, Any], lines: list[str]) -> str:
    """The note's text: its logical lines in its style."""
    nl = note["nl"]
    return ("\ufeff" if note["bom"] else "") + nl.join(lines) + (nl if note["final"] else "")


_PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@_PROPERTY_SETTINGS
@given(note=_notes(), data=st.data())
def test_set_property_changes_exactly_one_line(note: dict[str, Any], data: st.DataObject) -> None:
    before = _join(note, note["lines"])
    scalars = [k for k, p in note["props"].items() if len(p["lines"]) == 1]
    key = data.draw(st.one_of(st.sampled_from(scalars), _KEY) if scalars else _KEY)
    value = data.draw(st.text(alphabet=_PRINTABLE, max_size=12))
    after = set_property(before, key, yaml_scalar(value))
    lines = list(note["lines"])
    existing = next((p for k, p in note["props"].items() if k.lower() == key.lower()), None)
    if existing is not None:
        old = existing["lines"][0]
        written_key = old[: old.index(":")]
        comment = f" # {existing['comment']}".rstrip() if existing["comment"] else ""
        new = f"{written_key}: {yaml_scalar(value)}{comment}"
        lines[existing["index"] : existing["index"] + len(existing["lines"])] = [new]
    elif note["closing"] >= 0:
        lines.insert(note["closing"], f"{key}: {yaml_scalar(value)}")
    else:
        lines[0:0] = ["---", f"{key}: {yaml_scalar(value)}", "---"]
    assert after == _join(note, lines)  # every other byte as it was
    fm = front_matter_of(after)
    assert fm[existing_key(note, key)] == value
    for other, prop in note["props"].items():
        if other.lower() != key.lower() and prop["value"] is not None:
            assert fm[other] == prop["value"]


def existing_key(note: dict[str, Any], key: str) -> str:
    """The key as the loader returns it: as written in the note when it is there already."""
    return next((k for k in note["props"] if k.lower() == key.lower()), key)


@st.composite
def _log_notes(draw: st.DrawFn) -> dict[str, Any]:
    """A contact note with an optional Log section in either order, as logical lines."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["---", "name: Anna Schmidt", "---"]
    lines += draw(st.lists(_BODY_LINE, max_size=4))
    if draw(st.booleans()):
        lines += ["```", "## Log", "- 2020-01-01 call: an example", "```"]
    lines += draw(st.lists(_BODY_LINE, max_size=2))
    log: dict[str, Any] | None = None
    if draw(st.booleans()):
        level = draw(st.integers(1, 4))
        heading = draw(st.sampled_from(["Log", "log", "LOG", "Log:"]))
        lines.append("#" * level + " " + heading)
        blank = draw(st.booleans())
        if blank:
            lines.append("")
        days = draw(
            st.lists(st.dates(date(2020, 1, 1), TODAY - timedelta(days=1)), max_size=5, unique=True).map(sorted)
        )
        if len(days) > 1 and draw(st.booleans()):
            days.reverse()
        kinds = draw(st.lists(st.sampled_from(["", "call: ", "coffee: "]), min_size=len(days), max_size=len(days)))
        items = []
        for day, kind in zip(days, kinds, strict=True):
            items.append(len(lines))
            lines.append(f"{draw(st.sampled_from(['-', '*', '+']))} {day.isoformat()} {kind}{draw(_WORD)}")
        log = {"heading": len(lines) - len(days) - (2 if blank else 1), "items": items, "days": days, "blank": blank}
        if draw(st.booleans()):
            lines.append("")
            lines.append("#" * draw(st.integers(1, level)) + " " + draw(_WORD.filter(lambda w: w.lower() != "log")))
            lines += draw(st.lists(_BODY_LINE.filter(lambda s: not s.startswith("#")), max_size=3))
    if not lines or not lines[-1]:
        lines.append(draw(_WORD))
    return {
        "lines": lines,
        "log": log,
        **_style(draw, lines),
    }


@_PROPERTY_SETTINGS
@given(note=_log_notes(), kind=st.sampled_from([None, "call", "coffee"]), text=_PLAIN)
def test_add_log_entry_adds_exactly_the_entry(note: dict[str, Any], kind: str | None, text: str) -> None:
    before = _join(note, note["lines"])
    entry = log_line(TODAY, text, kind)
    after = add_log_entry(before, entry)
    lines = list(note["lines"])
    log = note["log"]
    alternatives: list[list[str]] = []
    if log is None:
        new = ["## Log", "", entry] if not lines[-1].strip() else ["", "## Log", "", entry]
        lines += new
    elif log["items"]:
        days = log["days"]
        at = log["items"][0] if len(days) > 1 and days[0] > days[-1] else log["items"][-1] + 1
        lines.insert(at, entry)
    else:
        at = log["heading"] + 1
        while at < len(lines) and not lines[at]:
            at += 1  # after the blank lines below the heading
        if at > log["heading"] + 1:
            lines.insert(at, entry)
        else:
            lines[at:at] = ["", entry]
            if at == len(note["lines"]) and not note["final"]:  # `## Log` is the last line: a blank line optional
                alternatives.append(note["lines"] + [entry])
    assert after in [_join(note, lines)] + [_join(note, alt) for alt in alternatives]
    assert after.endswith(note["nl"]) is note["final"]
    c = contact_of(after)
    assert c.last_log is not None
    assert c.last_log.day == TODAY and c.last_log.text == " ".join(text.split())
    assert split_lines(after.removeprefix(BOM))[c.last_log.line - 1].rstrip("\r\n") == entry
    assert len(c.log) == (len(log["days"]) if log else 0) + 1


@st.composite
def _task_notes(draw: st.DrawFn) -> dict[str, Any]:
    lines: list[str] = ["---", "name: Anna Schmidt", "---"] if draw(st.booleans()) else []
    tasks: list[int] = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            indent = draw(st.sampled_from(["", "  ", "    ", "\t"]))
            marker = draw(st.sampled_from(["-", "*", "+"]))
            state = draw(st.sampled_from([" ", " ", "x", "X", "-"]))
            if state == " ":
                tasks.append(len(lines))
            lines.append(f"{indent}{marker} [{state}] {draw(_WORD)} {draw(_WORD)}")
        else:
            lines.append(draw(_BODY_LINE))
    if not tasks:
        tasks.append(len(lines))
        lines.append(f"- [ ] {draw(_WORD)}")
    if not lines[-1]:
        lines.append(draw(_WORD))
    return {"lines": lines, "tasks": tasks, **_style(draw, lines)}


@_PROPERTY_SETTINGS
@given(note=_task_notes(), data=st.data())
def test_tick_task_changes_exactly_one_character(note: dict[str, Any], data: st.DataObject) -> None:
    before = _join(note, note["lines"])
    index = data.draw(st.sampled_from(note["tasks"]))
    promises = contact_of(before).promises
    assert sorted(p.line for p in promises if not p.done) == [i + 1 for i in note["tasks"]]
    after = tick_task(before, index + 1)
    assert len(after) == len(before)
    diffs = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(diffs) == 1 and before[diffs[0]] == " " and after[diffs[0]] == "x"
    b, a = split_lines(before), split_lines(after)
    assert [i for i, (x, y) in enumerate(zip(b, a, strict=True)) if x != y] == [index]
    ticked = {p.line: p.done for p in contact_of(after).promises}
    assert ticked == {p.line: p.done or p.line == index + 1 for p in promises}
