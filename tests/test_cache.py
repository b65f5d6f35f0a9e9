"""The cache: typed records kept per key, and whatever this version did not write discarded and rebuilt."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from vaultnet import cache, pipeline
from vaultnet.cache import (
    CACHE_NAME,
    BuildRecord,
    Cache,
    NoteFragments,
    OutputStamp,
    decode_note,
    decode_notes,
    encode_note,
)
from vaultnet.model import (
    Birthday,
    Contact,
    DailyNote,
    Duration,
    Event,
    Goal,
    Link,
    LogEntry,
    Meeting,
    Mention,
    ParsedNote,
    Promise,
)
from vaultnet.problems import Problem
from vaultnet.vault import Fingerprint

TODAY = date(2026, 11, 21)
MTIME = int(datetime(2026, 11, 1, 12, 0, tzinfo=UTC).timestamp())  # old enough for the index to trust it
SAMPLE = Path(__file__).resolve().parent / "data" / "sample-vault"
FP = Fingerprint(1_700_000_000_000_000_000, 120)

CONTACT = ParsedNote(
    "contacts/Anna.md",
    contact=Contact(
        "contacts/Anna.md", "Anna", aliases=("Anni",), company="Acme", emails=("anna@example.org",),
        cadence=Duration(days=3, months=2), birthday=Birthday(2, 29, None), met=date(2019, 5, 1),
        log=(LogEntry(date(2026, 10, 2), "call", "talked", 12, gave=True),),
        promises=(Promise("send the article", date(2026, 11, 25), False, 20), Promise("intro", None, True, 21)),
        introduced_by_line=7, modified=1_790_000_000,
    ),
    problems=(Problem("contacts/Anna.md", 3, "a warning", "warning"),),
)  # fmt: skip
EVENT = ParsedNote(
    "events/Meetup.md",
    event=Event("events/Meetup.md", "Meetup", date(2026, 12, 3), date(2026, 12, 4), "Berlin",
                (Link("Anna", 4),), (Link("Ben", 5), Link("Carla Diaz", 6, plain=True)), date(2026, 12, 5),
                1_790_000_000),
)  # fmt: skip
GOAL = ParsedNote("goals/Hire.md", goal=Goal("goals/Hire.md", "Hire a team", Duration(months=2), True))
DAILY = ParsedNote(
    "journal/2026-11-20.md",
    daily=DailyNote("journal/2026-11-20.md", date(2026, 11, 20), (Mention("Anna", 3, "coffee", gave=True),)),
)
MEETING = ParsedNote(
    "meetings/2026-11-19 Sync.md",
    meeting=Meeting("meetings/2026-11-19 Sync.md", date(2026, 11, 19), "Sync", (Link("Anna", 3), Link("Ben Okafor", 4)),
                    1_790_000_000),
    problems=(Problem("meetings/2026-11-19 Sync.md", 2, "date: 'soon' is not a date", "warning"),),
)  # fmt: skip
PLAIN = ParsedNote("notes/Ideas.md", problems=(Problem("notes/Ideas.md", 0, "binary file"),))
NOTES = [CONTACT, EVENT, GOAL, DAILY, MEETING, PLAIN]
RECORD = BuildRecord(
    "abc123",
    (OutputStamp("Follow-ups.md", 512, 1_790_000_000_123_456_789), OutputStamp(".vaultnet/reminders.ics", 9, 1)),
    (Problem("contacts/broken.md", 2, "cadence: 'soon' is not a duration"), Problem("a.md", 0, "w", "warning")),
    contacts=7,
    due=3,
)
FRAGMENTS = NoteFragments("key/1", [("2026-11-25 uid-1 0 2026-11-25", b"BEGIN:VEVENT\r\n\xe2\x9c\x93"), ("b", b"")])


def copy_sample(dest: Path) -> Path:
    """The sample vault in `dest`, every file with the same old mtime."""
    shutil.copytree(SAMPLE, dest)
    for path in dest.rglob("*"):
        if path.is_file():
            os.utime(path, (MTIME, MTIME))
    return dest


def sql(root: Path, statement: str, *args: Any) -> list[Any]:
    """Run one statement on a vault's cache file, as another program (or a damaged disk) might."""
    db = sqlite3.connect(root / ".vaultnet" / CACHE_NAME)
    with db:
        rows = db.execute(statement, args).fetchall()
    db.close()
    return rows


def outputs(result: pipeline.BuildResult) -> list[bytes]:
    return [output.path.read_bytes() for output in result.outputs]


# -- the typed methods --------------------------------------------------------------------------------


def test_notes_round_trip_with_their_fingerprints(tmp_path: Path) -> None:
    known = {note.path: (Fingerprint(FP.mtime_ns + i, FP.size), note) for i, note in enumerate(NOTES)}
    Cache(tmp_path, "k").save_notes(known, list(known), [])
    assert Cache(tmp_path, "k").load_notes() == known


def test_saving_notes_writes_the_changed_and_forgets_the_removed(tmp_path: Path) -> None:
    store = Cache(tmp_path, "k")
    store.save_notes({n.path: (FP, n) for n in NOTES}, [n.path for n in NOTES], [])
    known = {n.path: (FP, n) for n in NOTES if n is not GOAL}
    known[CONTACT.path] = (Fingerprint(FP.mtime_ns + 1, 99), ParsedNote(CONTACT.path))  # Anna, edited
    store.save_notes(known, [CONTACT.path], [GOAL.path])
    assert Cache(tmp_path, "k").load_notes() == known


def test_a_cache_of_another_key_is_not_read_and_is_replaced_whole(tmp_path: Path) -> None:
    Cache(tmp_path, "old").save_notes({PLAIN.path: (FP, PLAIN)}, [PLAIN.path], [])
    Cache(tmp_path, "old").save_build(RECORD)
    Cache(tmp_path, "old").save_fragments({"a.md": FRAGMENTS}, [])
    new = Cache(tmp_path, "new")
    assert (new.load_notes(), new.last_build(), new.load_fragments()) == ({}, None, {})
    # Saving one changed note claims the file: every note known is written, nothing of the old key is left.
    known = {n.path: (FP, n) for n in NOTES}
    new.save_notes(known, [GOAL.path], [])
    assert Cache(tmp_path, "new").load_notes() == known
    assert (Cache(tmp_path, "new").last_build(), Cache(tmp_path, "new").load_fragments()) == (None, {})
    assert Cache(tmp_path, "old").load_notes() == {}


def test_another_schema_version_is_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Cache(tmp_path, "k").save_notes({PLAIN.path: (FP, PLAIN)}, [PLAIN.path], [])
    monkeypatch.setattr(cache, "SCHEMA", cache.SCHEMA + 1)
    assert Cache(tmp_path, "k").load_notes() == {}


def test_the_last_build_round_trips(tmp_path: Path) -> None:
    assert Cache(tmp_path, "k").last_build() is None
    Cache(tmp_path, "k").save_build(RECORD)
    assert Cache(tmp_path, "k").last_build() == RECORD
    later = BuildRecord("def456", (), (), 0, 0)
    Cache(tmp_path, "k").save_build(later)
    assert Cache(tmp_path, "k").last_build() == later


def test_fragments_round_trip_and_are_removed(tmp_path: Path) -> None:
    assert Cache(tmp_path, "k").load_fragments() == {}
    other = NoteFragments("key/2", [])
    Cache(tmp_path, "k").save_fragments({"a.md": FRAGMENTS, "b.md": other}, [])
    assert Cache(tmp_path, "k").load_fragments() == {"a.md": FRAGMENTS, "b.md": other}
    Cache(tmp_path, "k").save_fragments({}, ["a.md"])
    assert Cache(tmp_path, "k").load_fragments() == {"b.md": other}


def test_an_unpersisted_cache_keeps_nothing_and_writes_no_file(tmp_path: Path) -> None:
    store = Cache(tmp_path, "k", persist=False)
    store.save_notes({PLAIN.path: (FP, PLAIN)}, [PLAIN.path], [])
    store.save_build(RECORD)
    store.save_fragments({"a.md": FRAGMENTS}, [])
    assert (store.load_notes(), store.last_build(), store.load_fragments()) == ({}, None, {})
    assert not (tmp_path / ".vaultnet").exists()


# -- the codec refuses whatever it does not write ---------------------------------------------------------


def _nodes(value: Any, where: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Any]]:
    yield where, value
    if type(value) is list:
        for i, item in enumerate(value):
            yield from _nodes(item, (*where, i))


def _replaced(doc: Any, where: tuple[int, ...], value: Any) -> Any:
    if not where:
        return value
    copy = list(doc)
    copy[where[0]] = _replaced(doc[where[0]], where[1:], value)
    return copy


# A value of a type that never stands where the original does (no position takes both an int and a text, and
# bool positions take no int); a float or an object stands nowhere.
_SWAPS: dict[type, list[Any]] = {str: [5], int: ["5"], bool: [1], list: ["x"], type(None): []}


def _mutations() -> Iterator[Any]:
    for note in NOTES:
        doc = json.loads(encode_note(note))
        for where, value in _nodes(doc):
            for wrong in [*_SWAPS[type(value)], 1.5, {}]:
                yield pytest.param(note.path, _replaced(doc, where, wrong), id=f"{note.path}@{where}={wrong!r}")


@pytest.mark.parametrize(("path", "doc"), list(_mutations()))
def test_a_value_of_the_wrong_type_anywhere_in_a_note_is_refused(path: str, doc: Any) -> None:
    with pytest.raises((ValueError, TypeError, KeyError, IndexError)):
        decode_note(path, json.dumps(doc))


@pytest.mark.parametrize(
    "payload",
    [
        "[[], null, null]",  # an event that is not there
        '[[], ["Anna"]]',  # a contact cut short
        '[[[1, "msg", "fatal"]], null]',  # a severity vaultnet does not have
        json.dumps([[], [*json.loads(encode_note(CONTACT))[1], "extra"]]),  # a contact with one field too many
        encode_note(CONTACT).replace("[2,29,null]", "[2,30,null]"),  # a birthday on a day that does not exist
        encode_note(CONTACT).replace("2019-05-01", "2019-13-01"),  # a date that does not exist
        encode_note(GOAL)[:-1] + ",null]",  # one position too many
        "[[], null, null, null, null, null]",  # a meeting that is not there
        "[[], null, null, null, null, null, null]",  # a kind vaultnet does not have
        encode_note(DAILY)[:-1] + ",null]",  # a daily note and a meeting position
        encode_note(MEETING).replace("2026-11-19", "2026-02-30"),  # a meeting on a day that does not exist
        encode_note(MEETING).replace('["Anna",3,false]', '["Anna",3,false,4]'),  # a person with one field too many
        '{"problems": [], "contact": null}',
    ],
)
def test_a_note_of_the_wrong_shape_is_refused(payload: str) -> None:
    with pytest.raises((ValueError, TypeError, KeyError, IndexError)):
        decode_note("contacts/Anna.md", payload)
    with pytest.raises((ValueError, TypeError, KeyError, IndexError)):
        decode_notes([("notes/Ideas.md", encode_note(PLAIN)), ("contacts/Anna.md", payload)])


# -- wrong rows in each table: the cache is rebuilt, and no command stops -------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("payload", '[[], ["Anna", "not a list of aliases"]]'),
        ("payload", '[[], null, ["Meetup", "2026-12-03"]]'),
        ("payload", '{"valid": "json"}'),
        ("payload", "[[], null"),  # truncated
        ("mtime_ns", "yesterday"),
        ("size", 1.5),
        ("path", b"contacts/Anna.md"),  # a blob, not a text
    ],
)
def test_a_wrong_notes_row_discards_the_cache(tmp_path: Path, column: str, value: Any) -> None:
    known = {n.path: (FP, n) for n in NOTES}
    Cache(tmp_path, "k").save_notes(known, list(known), [])
    sql(tmp_path, f"UPDATE notes SET {column} = ? WHERE path = ?", value, EVENT.path)
    assert Cache(tmp_path, "k").load_notes() == {}
    assert not (tmp_path / ".vaultnet" / CACHE_NAME).exists()  # discarded: the next save starts afresh


@pytest.mark.parametrize(
    "value",
    [
        '{"digest": "abc123", "outputs": [], "problems": [], "contacts": 7, "due": 3}',  # the old form
        '["abc123", [["Follow-ups.md", "512", 1]], [], 7, 3]',
        '["abc123", [], [["a.md", 2, "msg", "fatal"]], 7, 3]',
        '["abc123", [], [], 7]',
        '["abc123", [], [], 7, 3.5]',
        "not json",
        "null",
    ],
)
def test_a_wrong_build_record_is_no_build(tmp_path: Path, value: str) -> None:
    Cache(tmp_path, "k").save_build(RECORD)
    sql(tmp_path, "UPDATE meta SET value = ? WHERE key = 'build'", value)
    assert Cache(tmp_path, "k").last_build() is None
    assert sql(tmp_path, "SELECT value FROM meta WHERE key = 'build'") == []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("meta", '[["a", 3], ["b", 1]]'),  # lengths that do not add up to the data
        ("meta", '[["a", -1], ["b", 20]]'),
        ("meta", '[["a", "3"]]'),
        ("meta", '{"a": 3}'),
        ("meta", "[1],[2"),  # would shift every row after it
        ("data", "text, not bytes"),
        ("key", b"key/1"),
    ],
)
def test_wrong_fragments_are_all_rendered_again(tmp_path: Path, column: str, value: Any) -> None:
    Cache(tmp_path, "k").save_fragments({"a.md": FRAGMENTS, "b.md": NoteFragments("x", [])}, [])
    sql(tmp_path, f"UPDATE derived SET {column} = ? WHERE path = 'a.md'", value)
    assert Cache(tmp_path, "k").load_fragments() == {}
    assert sql(tmp_path, "SELECT path FROM derived") == []


def _truncate(root: Path) -> None:
    path = root / ".vaultnet" / CACHE_NAME
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def stored_fragments(vault: Path) -> set[str]:
    return set(pipeline.Session(vault).index.cache.load_fragments())


@pytest.mark.parametrize(
    "plant",
    [
        pytest.param(lambda root: sql(root, "UPDATE notes SET payload = '[[], [\"Anna\", 5]]'"), id="notes"),
        pytest.param(lambda root: sql(root, "UPDATE meta SET value = '[\"x\", 1]' WHERE key = 'build'"), id="build"),
        pytest.param(lambda root: sql(root, "UPDATE derived SET meta = '[[\"k\", 99999]]'"), id="fragments"),
        pytest.param(lambda root: (root / ".vaultnet" / CACHE_NAME).write_bytes(os.urandom(4096)), id="garbage"),
        pytest.param(lambda root: (root / ".vaultnet" / CACHE_NAME).write_bytes(b""), id="empty"),
        pytest.param(_truncate, id="truncated"),
    ],
)
def test_the_next_command_works_and_rebuilds_the_cache(tmp_path: Path, plant: Callable[[Path], object]) -> None:
    vault = copy_sample(tmp_path / "vault")
    expected = outputs(pipeline.build(copy_sample(tmp_path / "cold"), TODAY))
    first = pipeline.build(vault, TODAY)
    rendered = stored_fragments(vault)
    assert rendered and first.problems
    for output in first.outputs:
        output.path.unlink()  # so that the next build cannot take the "nothing changed" shortcut
    plant(vault)
    assert pipeline.check(vault) == first.problems
    again = pipeline.build(vault, TODAY)
    assert (outputs(again), again.problems) == (expected, first.problems)
    # ... and the cache works again: nothing is read, rendered or computed the next time.
    assert pipeline.due(vault, TODAY)[0].refresh.parsed == []
    assert stored_fragments(vault) == rendered
    assert pipeline.build(vault, TODAY).plan is None
