"""The Markdown line grammar (`vaultnet.mdlines`), and the parser and the editor agreeing on it.

The first half pins what each kind of line is. The second half writes notes with the real editor
(`vaultnet.edit`) and reads them with the real parser (`vaultnet.parse`): a fence, the Log heading, a log entry
and the front matter's fences must be the same lines for both, or `vaultnet log` writes an entry that the
parser then does not read.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from vaultkit import DAY, contact_of

from vaultnet.edit import Lines, add_log_entry, tick_task
from vaultnet.frontmatter import split_front_matter
from vaultnet.mdlines import (
    CANDIDATE,
    LIST_MARK,
    LOG_ENTRY,
    TASK,
    CodeFences,
    Heading,
    heading,
    log_item_day,
)
from vaultnet.problems import UserError

PATH = "contacts/Anna Berg.md"
FRONT = "---\nname: Anna Berg\n---\n"
NEW = "- 2026-11-21 coffee: the new entry"


def log_texts(text: str) -> list[str]:
    """The texts of the log entries the parser reads, in the note's order."""
    return [entry.text for entry in contact_of(text, PATH).log]


# --- the grammar, line by line ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("# Anna", Heading(1, "Anna")),
        ("###### Six", Heading(6, "Six")),
        ("## Log ##", Heading(2, "Log")),
        ("##   Spaced   ", Heading(2, "Spaced")),
        ("#\tTab", Heading(1, "Tab")),
        ("#tag", None),  # a tag, not a heading
        ("####### Seven", None),  # at most six
        (" ## Indented", None),  # vaultnet reads headings from the first column only
        ("Log", None),
    ],
)
def test_heading(line: str, expected: Heading | None) -> None:
    assert heading(line) == expected


@pytest.mark.parametrize("title", ["Log", "log", "LOG", "Log:", "Log ##", "Log: ##"])
def test_log_heading_forms(title: str) -> None:
    h = heading("## " + title)
    assert h is not None and h.is_log


@pytest.mark.parametrize("title", ["Logs", "Call log", "Log book", "Blog", "**Log**", "Log: calls"])
def test_other_headings_are_not_the_log(title: str) -> None:
    h = heading("## " + title)
    assert h is not None and not h.is_log


def test_code_fences_open_and_close_with_the_same_kind() -> None:
    lines = ["text", "```python", "# not a heading", "~~~", "still code", "```", "after", "  ~~~~", "x", "~~~"]
    code = CodeFences()
    assert [code.is_code(line) for line in lines] == [False, True, True, True, True, True, False, True, True, True]
    assert code.open is None


@pytest.mark.parametrize("line", ["`inline` code", "``", "~~strike~~", "~ x", "a ```", "- ```"])
def test_lines_that_are_no_fence(line: str) -> None:
    code = CodeFences()
    assert code.is_code(line) is False
    assert code.open is None


@pytest.mark.parametrize(
    ("line", "day", "text"),
    [
        ("- 2026-11-21 coffee: her new team", DAY, "coffee: her new team"),
        ("* 2026-11-21: call", DAY, "call"),
        ("+ 2026-11-21 — met at the fair", DAY, "met at the fair"),
        ("- **2026-11-21** call", DAY, "call"),
        ("- [[2026-11-21]] - call", DAY, "call"),
        ("- [x] 2026-11-21 call", DAY, "call"),
        ("  - 2026-11-21", DAY, ""),
        ("- 2026-02-30 call", "2026-02-30", "call"),  # not a day: the parser reports it, the grammar takes it
    ],
)
def test_log_entries(line: str, day: str, text: str) -> None:
    m = LOG_ENTRY.match(line)
    assert m is not None and (m["day"], m["text"]) == (day, text)
    assert log_item_day(line) == day


@pytest.mark.parametrize(
    "line",
    ["2026-11-21 no bullet", "-2026-11-21 no blank", "- on 2026-11-21", "1. 2026-11-21 numbered", "- [ ]2026-11-21"],
)
def test_lines_that_are_no_log_item(line: str) -> None:
    assert LOG_ENTRY.match(line) is None
    assert log_item_day(line) is None


def test_a_date_that_runs_on_is_a_dated_item_but_no_entry() -> None:
    """Pinned: the editor orders the log by any dated item; the parser reads only a date that ends."""
    for line in ["- 2026-11-211 x", "- 2026-11-21x", "- **2026-11-21**x"]:
        assert LOG_ENTRY.match(line) is None
        assert log_item_day(line) == "2026-11-21"


@pytest.mark.parametrize(
    ("line", "mark", "text"),
    [
        ("- [ ] send the article", " ", "send the article"),
        ("  * [x] done", "x", "done"),
        ("+ [-] dropped", "-", "dropped"),
    ],
)
def test_tasks(line: str, mark: str, text: str) -> None:
    m = TASK.match(line)
    assert m is not None
    assert (m["mark"], m["text"]) == (mark, text)
    assert m["open"] + m["mark"] + m["close"] == line


@pytest.mark.parametrize("line", ["- [] x", "- [ ]x", "-[ ] x", "[ ] x", "1. [ ] x"])
def test_lines_that_are_no_task(line: str) -> None:
    assert TASK.match(line) is None


@pytest.mark.parametrize(
    ("line", "rest"), [("- a", "a"), ("* [ ] a", "a"), ("  + [x]  a", "a"), ("1. a", "a"), ("12) a", "a"), ("a", "a")]
)
def test_list_marks(line: str, rest: str) -> None:
    m = LIST_MARK.match(line)
    assert line[m.end() if m else 0 :] == rest


_LINES = st.one_of(
    st.text(alphabet=" \t-*+#`~[]xX0123456789:Log", max_size=16),
    st.from_regex(r"\s?[-*+] (\[.\] )?(\*\*|\[\[)?\d{4}-\d\d-\d\d.{0,4}", fullmatch=True),
)


@settings(max_examples=500, deadline=None, database=None)
@given(line=_LINES)
def test_every_line_the_grammar_reads_is_a_candidate(line: str) -> None:
    """The parser skips the lines that are no candidate: none of them may be a fence, heading, task or dated item."""
    readable = CodeFences().is_code(line) or heading(line) or TASK.match(line) or log_item_day(line) is not None
    if readable and "\n" not in line:
        assert CANDIDATE.fullmatch(line)


@settings(max_examples=500, deadline=None, database=None)
@given(line=_LINES)
def test_every_log_entry_is_a_dated_item_with_its_day(line: str) -> None:
    entry = LOG_ENTRY.match(line)
    if entry is not None:
        assert log_item_day(line) == entry["day"]


# --- the parser and the editor agree ----------------------------------------------------------------------------

FENCES = ["```", "~~~", "  ```python", "````"]
NO_FENCES = ["`inline`", "~~strike~~", "``", "- ```"]
LOG_TITLES = ["# Log", "## log:", "### LOG ###", "###### Log"]
OTHER_TITLES = ["## Logs", "## Call log", "##Log", " ## Log", "####### Log", "**Log**"]
EXAMPLE = "- 2026-01-01 an example\n"
# (what the parser reads before, what the editor adds at the end, what the parser reads after)
IN_THE_LOG = (["an example"], NEW + "\n", ["an example", "the new entry"])  # the entry goes after the example
NO_LOG = ([], "\n## Log\n\n" + NEW + "\n", ["the new entry"])  # neither reads a log: the editor adds one


@pytest.mark.parametrize(
    ("before", "expected"),
    [pytest.param(FRONT + f"{f}\n## Log\n{EXAMPLE}{f.strip()[:3]}\n", NO_LOG, id=f"in {f}") for f in FENCES]
    + [pytest.param(FRONT + f"{line}\n## Log\n{EXAMPLE}", IN_THE_LOG, id=f"after {line}") for line in NO_FENCES]
    + [pytest.param(FRONT + f"{title}\n{EXAMPLE}", IN_THE_LOG, id=title) for title in LOG_TITLES]
    + [pytest.param(FRONT + f"{title}\n{EXAMPLE}", NO_LOG, id=title) for title in OTHER_TITLES],
)
def test_a_fence_and_the_log_heading_are_the_same_for_both(
    before: str, expected: tuple[list[str], str, list[str]]
) -> None:
    """A Log inside a fence, or under a heading that is not the Log, is no log for the parser, and the editor
    does not write there either; a line that is no fence hides nothing from either."""
    read_before, added, read_after = expected
    assert log_texts(before) == read_before
    after = add_log_entry(before, NEW)
    assert after == before + added
    assert log_texts(after) == read_after


@pytest.mark.parametrize(
    "line", ["- 2026-01-01 an example", "* [x] **2026-01-01** — an example", "+ [[2026-01-01]]: an example"]
)
def test_a_log_entry_is_one_for_both(line: str) -> None:
    """The parser reads the line as an entry; the editor orders the log by it (the new entry goes after it)."""
    before = FRONT + f"## Log\n{line}\n"
    assert log_texts(before) == ["an example"]
    assert add_log_entry(before, NEW) == before + NEW + "\n"


@pytest.mark.parametrize(
    "line", ["2026-01-01 an example", "-2026-01-01 an example", "- on 2026-01-01", "1. 2026-01-01 x"]
)
def test_a_line_that_is_no_log_entry_is_none_for_either(line: str) -> None:
    """Neither reads it: the parser skips it, the editor sees an empty log and writes right below the heading."""
    before = FRONT + f"## Log\n{line}\n"
    assert log_texts(before) == []
    assert add_log_entry(before, NEW) == FRONT + f"## Log\n\n{NEW}\n{line}\n"


@pytest.mark.parametrize("line", ["- [ ] call back", "  * [ ] call back", "+ [ ]  call back"])
def test_an_open_task_the_parser_reports_is_one_the_editor_ticks(line: str) -> None:
    text = FRONT + f"{line}\n"
    (promise,) = contact_of(text, PATH).promises
    assert not promise.done
    (ticked,) = contact_of(tick_task(text, promise.line), PATH).promises
    assert ticked.done and ticked.text == promise.text


@pytest.mark.parametrize(
    ("opening", "closing", "found"),
    [
        ("---", "---", True),
        ("--- ", "...", True),
        ("---\t", "---  ", True),
        ("----", "---", False),
        ("--- title", "---", False),
        (" ---", "---", False),
    ],
)
def test_front_matter_fences_are_the_same_for_both(opening: str, closing: str, found: bool) -> None:
    text = f"{opening}\nname: Anna\n{closing}\nbody\n"
    fm_text, body_line, problem = split_front_matter(PATH, text)
    assert problem is None
    assert (fm_text is not None) is found
    bounds = Lines.of(text).front_matter()
    assert (bounds is not None) is found
    if bounds is not None:
        assert bounds[1] + 2 == body_line  # the editor's closing line is the one before the parser's body


@pytest.mark.parametrize("closing", ["----", "-- -", ". . ."])
def test_an_unclosed_front_matter_is_unclosed_for_both(closing: str) -> None:
    text = f"---\nname: Anna\n{closing}\nbody\n"
    assert split_front_matter(PATH, text)[2] is not None
    with pytest.raises(UserError, match="not closed"):
        Lines.of(text).front_matter()


# A note as lines the grammar cares about: headings (the Log among them), fences, dated items, tasks, text.
_NOTE_LINE = st.sampled_from(
    [
        "## Log",
        "# log:",
        "### Log",
        "## Notes",
        "# Anna",
        "#### Deep",
        "```",
        "~~~",
        "- 2026-01-02 call: about the fair",
        "* **2026-03-04** coffee",
        "- [[2026-05-06]]: met",
        "- 2026-07-080 runs on",
        "- [ ] send the article",
        "  - detail of an entry",
        "text with a [[Link]]",
        "",
    ]
)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(_NOTE_LINE, max_size=12))
def test_the_parser_reads_every_entry_the_editor_adds(body: list[str]) -> None:
    """Whatever mix of headings, fences and items: the entry `vaultnet log` adds is one the parser reads, on the
    line the editor wrote it, and every entry the parser read before is still read. (A note that ends in an
    open code block is refused: see below.)"""
    code = CodeFences()
    for line in body:
        code.is_code(line)
    assume(code.open is None)
    before = FRONT + "".join(line + "\n" for line in body)
    after = add_log_entry(before, NEW)
    was = log_texts(before)
    now = contact_of(after, PATH).log
    new = [entry for entry in now if entry.text == "the new entry"]
    assert len(new) == 1
    assert after.split("\n")[new[0].line - 1] == NEW
    assert sorted(entry.text for entry in now if entry is not new[0]) == sorted(was)


# Differences between the editor and the parser that the property test above found; each is fixed, and the
# entry `vaultnet log` writes is read.
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "## Log\n- 2026-01-01 call\n### Log\n- 2026-01-02 call\n### Other\n- 2026-01-03 call\n",
            id="nested-log-heading",  # a `### Log` inside `## Log` does not restart the log for the parser
        ),
        pytest.param(
            "## Log\n- 2026-01-01 call\n```\n- 2026-01-02 in code\n```\n",
            id="dated-item-in-code",  # the editor does not order the log by a dated line in code
        ),
    ],
)
def test_the_entry_is_read_where_the_editor_and_parser_once_disagreed(body: str) -> None:
    before = FRONT + body
    after = add_log_entry(before, NEW)
    assert "the new entry" in log_texts(after)
    assert sorted(t for t in log_texts(after) if t != "the new entry") == sorted(log_texts(before))


def test_a_note_that_ends_in_an_open_code_block_is_refused_not_logged_into_the_code() -> None:
    with pytest.raises(UserError, match="never closed"):
        add_log_entry(FRONT + "```\nsome code\n", NEW)


def test_quotes_under_reads_back_what_quoted_writes() -> None:
    from vaultnet.mdlines import IMPORT_NOTES, quoted, quotes_under

    texts = ("wire money by Friday\n- 2024-01-02 call", "a\n\nb  \n## not a heading", "```\n> in a fence")
    body = "# Ana\n\n## Log\n\n> not this one\n\n## Notes from import\n\n"
    body += "\n\n".join("\n".join(quoted(t)) for t in texts) + "\n\n## After\n\n> nor this\n"
    assert quotes_under(body, IMPORT_NOTES) == ("wire money by Friday\n- 2024-01-02 call", "a\n\nb\n## not a heading",
                                                "```\n> in a fence")  # fmt: skip
    assert quotes_under(body.replace("## Notes from import", "## Notes"), IMPORT_NOTES) == ()
    fenced = "## notes from import\n```\n> code, not a quote\n```\n> real\n"
    assert quotes_under(fenced, IMPORT_NOTES) == ("real",)
