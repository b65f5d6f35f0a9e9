"""Hostile notes: whatever a note holds, reading it (and editing it) takes bounded time and memory.

Every case runs under a wall-clock alarm (`bounded`), so that a regression fails here instead of hanging the suite,
and is held to a CPU-time budget: 100 ms for any note up to 1 MB made of hostile pieces (long runs of blanks,
brackets, parentheses, `(due:`, quotes, YAML aliases) and for the notes hypothesis builds from the grammar's pieces.
A note that is nothing but structure, line after line (1 MB of log entries, tasks, headings or fences: up to
260,000 lines the parser must each look at in Python), gets `DENSE_BUDGET`: linear, but slower than 100 ms.
The known-bad shapes come from issue 10; each is timed before and after in the issue's report.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vaultkit import PROBLEM, TODAY, put, run, time_limit

from vaultnet import edit, index, limits, mdlines
from vaultnet.config import Settings, parse_settings
from vaultnet.frontmatter import load_front_matter, template_placeholder
from vaultnet.model import ParsedNote
from vaultnet.obsidian import daily_format
from vaultnet.parse import parse_note
from vaultnet.problems import UserError
from vaultnet.vcard import read_vcards

pytestmark = pytest.mark.hostile

BUDGET = 0.100  # CPU seconds for one note up to 1 MB
DENSE_BUDGET = 0.600  # ... made of nothing but log entries, tasks, headings or fences (~2 µs a line, 260,000 lines)
ALARM = 10.0  # wall-clock seconds before a case counts as hung (the machine may be busy)
MB = 1024 * 1024
FM = "---\ntype: contact\n---\n"
T = TypeVar("T")


def bounded(seconds: float = ALARM) -> AbstractContextManager[None]:
    """TimeoutError in the block after `seconds` of wall-clock time (see `vaultkit.time_limit`)."""
    return time_limit(seconds)


def timed(call: Callable[[], T], budget: float = BUDGET) -> T:
    """`call()` under the alarm; fails when it takes more than `budget` CPU seconds (the best of two tries when
    the first is over: a busy machine can slow one run, never a quadratic algorithm)."""
    spent = []
    for _ in range(2):
        with bounded():
            start = time.process_time()
            result = call()
            spent.append(time.process_time() - start)
        if spent[-1] <= budget:
            return result
    raise AssertionError(f"took {min(spent) * 1000:.0f} ms of CPU, over the budget of {budget * 1000:.0f} ms")


def parsed(text: str, path: str = "contacts/x.md", budget: float = BUDGET) -> ParsedNote:
    data = text.encode("utf-8")
    return timed(lambda: parse_note(path, data, Settings()), budget)


def edited(text: str, budget: float = BUDGET) -> None:
    """The three editing functions on `text`, each within `budget`; a refusal (UserError) is an answer too."""
    for change in (
        lambda: edit.add_log_entry(text, edit.log_line(TODAY, "coffee")),
        lambda: edit.set_property(text, "snooze_until", "2026-12-01"),
        lambda: edit.tick_task(text, 4),
    ):

        def attempt(change: Callable[[], str] = change) -> str | None:
            try:
                return change()
            except UserError:
                return None

        timed(attempt, budget)


def messages(note: ParsedNote) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in note.problems]


# -- the known-bad shapes of issue 10, and more of the same kind ------------------------------------------------

BOMB = "---\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
)
BOMB += "---\n"

# name -> (note, what it gives: a problem's (line, start of message), or None for a note read without one)
SHAPES: dict[str, tuple[str, tuple[int, str] | None]] = {
    "alias bomb": (BOMB, (3, "front matter uses YAML aliases (*a), which vaultnet does not read")),
    "merge key": ("---\nbase: &b {circle: close}\nanna:\n  <<: *b\n---\n", (4, "front matter uses YAML aliases (*b)")),
    "heading, 4,000 blanks": (FM + "## x" + " " * 4_000 + "y\n", None),
    "heading, 60,000 blanks": (FM + "## Log" + " " * 60_000 + "y\n- 2026-01-01 x\n", None),
    "heading of blanks and #": (FM + "## x" + " #" * 30_000 + "\n", None),
    "(due:x, 10,000 times": (FM + "- [ ] call back" + "(due:x" * 10_000 + "\n", None),
    "(due:x, 20,000 times": (FM + "- [ ] call back" + "(due:x" * 20_000 + "\n", (4, "this line is 120,015 char")),
    "(due: and blanks": (FM + "- [ ] a" + "(due: x " * 8_000 + "\n", None),
    "📅 and blanks": (FM + "- [ ] a 📅" + " " * 60_000 + "\n", None),
    "tags:, 60,000 blanks": ("---\ntags:" + " " * 60_000 + "x\n---\n", None),
    "tags:, 100,000 blanks": ("---\ntags:" + " " * 100_000 + "x\n---\n", (2, "this line is 100,006 characters")),
    "key, blanks, no colon": ("---\nname" + " " * 60_000 + "x\n---\n", (2, "front matter must be a set of")),
    "{{ placeholder, blanks": ("---\nname: {{a:" + " " * 60_000 + "\n---\n", (3, "front matter is not valid YAML")),
    "<% many times": ("---\nname: x %> " + "<%" * 30_000 + "\n---\n", None),
    "brackets": (FM + "[" * 60_000 + "\n" + "[[" * 30_000 + "\n" + "[a](" * 15_000 + "\n", None),
    "link destinations": (FM + '[a](b "' * 8_000 + "\n", None),
    "list marks and blanks": (FM + "- " + " " * 60_000 + "[x]\n" + "1." + " " * 60_000 + "x\n", None),
    "log kind, blanks": (FM + "## Log\n- 2026-01-01 call" + " " * 60_000 + "x\n", None),
    "deep flow nesting": ("---\na: " + "[" * 30_000 + "]" * 30_000 + "\n---\n", (2, "front matter is not valid YAML")),
    "1,000,000 log lines": (FM + "## Log\n" + "- 2026-01-01 call: hi\n" * 1_000_000, (0, "the note is 22,000,029 b")),
    "front matter of 300,000": ("---\n" + "a: b\n" * 60_000 + "---\n", (1, "the front matter is 299,999 char")),
}


@pytest.mark.parametrize(("text", "expected"), SHAPES.values(), ids=SHAPES.keys())
def test_known_bad_shapes_are_read_in_bounded_time(text: str, expected: tuple[int, str] | None) -> None:
    note = parsed(text)
    if expected is None:
        assert not any(p.severity == "error" for p in note.problems), messages(note)
        assert note.contact is not None
    else:
        line, start = expected
        assert any(at == line and message.startswith(start) for at, message in messages(note)), messages(note)
    if len(text) <= MB:
        edited(text)


# A note of nothing but structure: each line is one the parser must look at.
DENSE = {
    "log entries": FM + "## Log\n" + "- 2026-01-01 call: hi\n" * (MB // 22),
    "short log entries": FM + "## Log\n" + "- 2026-01-01\n" * (MB // 13),
    "tasks": FM + "- [ ] a\n" * (MB // 8),
    "headings": FM + "# a\n" * (MB // 4),
    "fences": FM + "```\n" * (MB // 4),
    "Log headings": FM + "# Log\n" * (MB // 6),
}


@pytest.mark.parametrize("text", DENSE.values(), ids=DENSE.keys())
def test_a_megabyte_of_structure_is_read_in_linear_time(text: str) -> None:
    assert parsed(text, budget=DENSE_BUDGET).contact is not None
    edited(text, budget=DENSE_BUDGET)


def test_an_event_with_thousands_of_escaped_targets() -> None:
    """An entry that is not found as written (YAML escapes) does not send the line search through the whole front
    matter again for each entry: the search is budgeted."""
    escaped = "".join(f"\\x{ord(c):02x}" for c in "[[Somebody]]")
    targets = "".join(f'  - "{escaped}{i}"\n' for i in range(4_000))
    note = parsed("---\ntype: event\ndate: 2026-01-01\ntargets:\n" + targets + "---\n", "events/e.md")
    assert note.event is not None and len(note.event.targets) == 4_000


def test_a_property_line_full_of_quotes_is_edited_in_linear_time() -> None:
    text = "---\nsnooze_until: a" + "'" * 60_000 + "\n---\n"
    assert (
        timed(lambda: edit.set_property(text, "snooze_until", "2026-12-01")) == "---\nsnooze_until: 2026-12-01\n---\n"
    )


# -- hypothesis: notes built from the grammar's pieces ----------------------------------------------------------

_RUN_CHARS = st.sampled_from([" ", "\t", "[", "]", "(", ")", "#", "*", "-", ":", "'", '"', "`", "{", "<%", "x", "\\"])
_RUN = st.builds(lambda char, n: char * n, _RUN_CHARS, st.integers(0, 20_000))
_DAY = st.sampled_from(["2026-01-01", "2026-13-45", "2026-1-1", "9999-12-31", "0001-01-01", "20260101"])
_PIECE = st.one_of(
    _RUN,
    st.sampled_from(["```", "~~~", "## Log", "# Log:", "### x", "- [ ] ", "- [x] ", "* ", "1. ", "(due:", "📅 "]),
    st.sampled_from(["[[Anna]]", "[[Anna|A]]", "![[x]]", "[a](b.md)", "[a](<b c.md>)", "https://x.y", "#gave"]),
    st.builds(lambda day: f"- {day} call: ", _DAY),
    st.text(max_size=8),
)
_LINE = st.lists(_PIECE, max_size=6).map("".join)
_VALUE = st.one_of(
    _LINE,
    st.sampled_from(["&a [x]", "*a", "[*a, *a]", '"*quoted*"', "{{date}}", "<% tp.date.now() %>", "[[Anna]]", "|"]),
)
_KEY = st.sampled_from(["name", "tags", "tag", "aliases", "circle", "birthday", "cadence", "met", "type", "x y", "'q'"])


@st.composite
def notes(draw: st.DrawFn) -> str:
    """A note from the grammar's pieces: perhaps a front matter of `key: value` lines, then body lines."""
    body = "\n".join(draw(st.lists(_LINE, max_size=12)))
    if not draw(st.booleans()):
        return body
    pairs = draw(st.lists(st.tuples(_KEY, _VALUE), max_size=6))
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in pairs) + "---\n" + body


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=notes())
def test_any_note_of_the_grammars_pieces_is_read_and_edited_in_bounded_time(text: str) -> None:
    for path in ("contacts/x.md", "events/x.md", "journal/2026-01-01.md"):
        parsed(text, path)
    edited(text)


# -- the limits ------------------------------------------------------------------------------------------------


def test_the_limits_are_problems_at_their_line() -> None:
    line = "a" * (limits.LINE_CHARS + 1)
    assert messages(parsed(FM + "ok\n" + line + "\n")) == [
        (5, "this line is 65,537 characters long, over vaultnet's limit of 65,536 (64 Ki): the note is not read")
    ]
    assert parsed(FM + "a" * limits.LINE_CHARS + "\n").problems == ()  # the limit itself is allowed
    fm_text = "a: " + "b" * (limits.FRONT_MATTER_CHARS - 3)
    assert load_front_matter("x.md", fm_text)[1] is None
    assert load_front_matter("x.md", fm_text + "b")[1] is not None
    big = "x\n" * (limits.NOTE_BYTES // 2 + 1)
    assert messages(parsed(big)) == [
        (0, "the note is 10,485,762 bytes, over vaultnet's limit of 10,485,760 (10 MiB): not read")
    ]


def test_the_docs_show_each_limit() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "format.md").read_text(encoding="utf-8")
    rows = [line for line in docs.split("## Limits", 1)[1].split("\n## ", 1)[0].splitlines() if line.startswith("| ")]
    for limit in limits.LIMITS:
        assert any(row.startswith(f"| {limit.what}") and f"| {limit.most:,} {limit.unit}" in row for row in rows), limit


def test_a_note_past_the_size_limit_is_not_even_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The listing knows each note's size: the index does not read one past the limit (a 20 GB file named
    `.md` would take minutes and all the memory), and `check` reports it and reads the rest."""
    put(tmp_path, "contacts/Anna.md", "---\ncircle: close\n---\n")
    with (tmp_path / "contacts" / "Huge.md").open("wb") as handle:
        handle.truncate(20 * 1024**3)  # sparse: no disk space used
    reads: list[str] = []
    real = index.read_bytes
    monkeypatch.setattr(index, "read_bytes", lambda root, rel: reads.append(rel) or real(root, rel))
    with bounded():
        result = run("check", "-C", tmp_path)
    assert reads == ["contacts/Anna.md"]
    assert result.exit_code == 1
    assert "contacts/Huge.md:1: the note is 21,474,836,480 bytes, over vaultnet's limit" in result.output


def test_check_reads_every_good_note_of_a_vault_of_bad_ones(tmp_path: Path) -> None:
    """All the shapes at once: each bad one is reported as `path:line: message`, the others and Anna are read."""
    put(tmp_path, "contacts/Anna.md", "---\ncircle: close\nlast_contact: 2020-01-01\n---\n")
    for number, (text, expected) in enumerate(SHAPES.values()):
        put(tmp_path, f"contacts/{'bad' if expected else 'good'}{number}.md", text)
    with bounded():
        checked = run("check", "-C", tmp_path)
        due = run("due", "-C", tmp_path, env={"VAULTNET_TODAY": "2026-11-21"})
    reported = {m["path"].rpartition("contacts/")[2] for m in map(PROBLEM.match, checked.output.splitlines()) if m}
    assert reported == {f"bad{n}.md" for n, (_, expected) in enumerate(SHAPES.values()) if expected}
    assert "Anna" in due.output


# -- YAML aliases ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fm_text", "line"),
    [("a: &x 1\nb: *x", 3), ("a: [&x 1, *x]", 2), ("x: 1\n\nkey: *undefined", 4), ("a: &x [1]\nb:\n  - *x", 4)],
)
def test_an_alias_is_a_problem_at_its_line(fm_text: str, line: int) -> None:
    data, problem = load_front_matter("x.md", fm_text)
    assert data == {} and problem is not None
    assert (problem.line, problem.severity) == (line, "error")
    assert problem.message.startswith("front matter uses YAML aliases (*")


def test_what_looks_like_an_alias_but_is_text_is_read() -> None:
    fm_text = 'a: &anchor only an anchor\nb: "*bold*"\nc: \'R&D *\'\nd: x*y\ne: ["*"]'
    assert load_front_matter("x.md", fm_text) == (
        {"a": "only an anchor", "b": "*bold*", "c": "R&D *", "d": "x*y", "e": ["*"]},
        None,
    )


def test_obsidian_vaults_in_the_test_data_use_no_alias() -> None:
    """What Obsidian and the apps in tests/data write never uses an alias: refusing them loses nothing there."""
    root = Path(__file__).parent / "data"
    for path in root.rglob("*.md"):
        note = parse_note(str(path.relative_to(root)), path.read_bytes(), Settings())
        assert not any("YAML aliases" in p.message for p in note.problems), path


# -- settings and formats that could make every note slow --------------------------------------------------------


def test_a_daily_note_format_with_names_in_a_row_is_refused_not_slow() -> None:
    fmt = daily_format("dddd" * 5 + " YYYY-MM-DD")
    assert fmt.regex is None and fmt.problem is not None and "a letter right after the name dddd" in fmt.problem
    regex = daily_format("dddd YYYY-MM-DD").regex
    assert regex is not None
    assert timed(lambda: regex.search("x/" + "a" * 100_000 + " 2026-01-0")) is None
    assert regex.search("journal/Monday 2026-01-05") is not None


def test_a_hostile_settings_file_is_read_in_bounded_time() -> None:
    text = "[" + " " * 30_000 + "x" + " " * 30_000 + "\n[contacts" + " " * 60_000 + "\nx = 1\n"
    timed(lambda: parse_settings(text))


def test_a_hostile_vcard_file_is_read_in_bounded_time() -> None:
    """Each card's line was counted from the top of the file, each unreadable line looked for from its card's top."""
    many = b"BEGIN:VCARD\n" * 20_000
    reading = timed(lambda: read_vcards(many, "x.vcf"), budget=DENSE_BUDGET)
    people, problems = reading.people, reading.problems
    assert (people, len(problems), problems[-1].line) == ([], 20_000, 20_000)
    bad = "".join(f"bad line {i}\n" for i in range(8_000))
    card = f"BEGIN:VCARD\nVERSION:3.0\nFN:Ann\n{bad}END:VCARD\n".encode()
    reading = timed(lambda: read_vcards(card, "x.vcf"))
    people, problems = reading.people, reading.problems
    assert [p.name for p in people] == ["Ann"] and [p.line for p in problems[-2:]] == [8_002, 8_003]


_VCARD_LINES = {
    "a million folded lines": b"NOTE:x" + b"\r\n y" * 1_000_000,
    "a value of a million ;": b"N:" + b";" * 1_000_000,
    "a head of a million ;": b"X-A" + b";" * 1_000_000 + b":v",
    "100,000 parameters": b"TEL" + b";TYPE=x" * 100_000 + b":+1 555 0100",
    "100,000 quoted parameters": b"TEL" + b';TYPE="a:b;c,d"' * 100_000 + b":+1 555 0100",
    "300,000 soft line breaks": b"NOTE;ENCODING=QUOTED-PRINTABLE:" + b"=41=\r\n" * 300_000 + b"x",
    "an unclosed quote, then a million": b'X-A;B="' + b'"' * 1_000_000,
    "half a million escaped commas": b"CATEGORIES:" + b"\\," * 500_000,
    "a million backslashes": b"NOTE:" + b"\\" * 1_000_000,
}


@pytest.mark.parametrize("line", list(_VCARD_LINES.values()), ids=list(_VCARD_LINES))
def test_a_hostile_vcard_line_is_read_in_linear_time(line: bytes) -> None:
    """The line reader's worst cases (vcf.py, issue 12): folds, parameters, quotes, quoted-printable soft breaks
    and escapes are each found with one forward scan, never by searching again from a line's start."""
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\n" + line + b"\r\nEND:VCARD\r\n"
    reading = timed(lambda: read_vcards(data, "x.vcf"), budget=DENSE_BUDGET)
    assert [p.name for p in reading.people] == ["Ann"]


def test_template_placeholders_are_found_in_linear_time() -> None:
    assert timed(lambda: template_placeholder("a: " + "<%" * 50_000 + " x %>")) == (2, "<%" * 50_000 + " x %>")
    assert timed(lambda: template_placeholder("a: %> " + "<%" * 50_000)) is None
    assert timed(lambda: template_placeholder("a: {{x:" + " " * 60_000)) is None


# -- the linear patterns read normal lines as the patterns they replace did --------------------------------------

_OLD_HEADING = re.compile(r"(#{1,6})\s+(.*?)\s*#*\s*$")
_OLD_DUE = re.compile(r"📅\s*(\S+)|\(due:?\s*([^)\s]+)\s*\)", re.IGNORECASE)
_OLD_KEY = re.compile(r"(?P<key>[^\s:#][^:]*?|\"[^\"]*\"|'[^']*')\s*:(?:\s|$)")
_SMALL = settings(max_examples=300, deadline=None, database=None)


def _same(a: re.Match[str] | None, b: re.Match[str] | None) -> Any:
    return (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))


@_SMALL
@given(line=st.text(alphabet=" \t\n\x0b#ab", max_size=16))
def test_headings_read_as_the_regex_did(line: str) -> None:
    m = _OLD_HEADING.match(line)
    assert mdlines.heading(line) == (mdlines.Heading(len(m[1]), m[2]) if m else None)


@_SMALL
@given(text=st.text(alphabet=" \t(dueDUE:📅)x1-", max_size=20))
def test_due_dates_are_found_as_the_regex_did(text: str) -> None:
    assert _same(_OLD_DUE.search(text), mdlines.task_due(text))


@_SMALL
@given(line=st.text(alphabet=" \t:#\"'ab\n", max_size=16))
def test_property_keys_read_as_the_regex_did(line: str) -> None:
    assert _same(_OLD_KEY.match(line), edit._KEY_LINE.match(line))
