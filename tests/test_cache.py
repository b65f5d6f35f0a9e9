"""The cache: the SQLite file's typed records kept per key, the snapshot beside it, and whatever this version did
not write discarded and rebuilt, with no command stopped."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from vaultkit import LATER_NS, TODAY, copy_sample, kept

from vaultnet import cache, pipeline
from vaultnet.cache import CACHE_NAME, BuildRecord, Cache, OutputStamp, ViewRecord
from vaultnet.derived import Delta
from vaultnet.problems import Problem
from vaultnet.snapshot import JOURNAL_NAME, SNAPSHOT_NAME

RECORD = BuildRecord(
    "abc123",
    (OutputStamp("Follow-ups.md", 512, 1_790_000_000_123_456_789), OutputStamp(".vaultnet/reminders.ics", 9, 1)),
    (Problem("contacts/broken.md", 2, "cadence: 'soon' is not a duration"), Problem("a.md", 0, "w", "warning")),
    contacts=7,
    due=3,
)
VIEW = ViewRecord("def456", (Problem("a.md", 3, "w", "warning"),), "Due today:\n- Anna ✓\n")


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


def test_the_last_build_round_trips(tmp_path: Path) -> None:
    assert Cache(tmp_path, "k").last_build() is None
    Cache(tmp_path, "k").save_build(RECORD)
    assert Cache(tmp_path, "k").last_build() == RECORD
    later = BuildRecord("def456", (), (), 0, 0)
    Cache(tmp_path, "k").save_build(later)
    assert Cache(tmp_path, "k").last_build() == later


def test_a_view_keeps_its_text_byte_for_byte(tmp_path: Path) -> None:
    text = 'quotes " and \\ backslashes, a newline\n, a tab\t, ünïcödé, an emoji 🎂 and \udcff (surrogate-escaped)'
    Cache(tmp_path, "k").save_view("due", ViewRecord("d", (), text, (("a.md", "f00"),)))
    assert Cache(tmp_path, "k").last_view("due") == ViewRecord("d", (), text, (("a.md", "f00"),))


def test_views_round_trip_by_name(tmp_path: Path) -> None:
    assert Cache(tmp_path, "k").last_view("due") is None
    Cache(tmp_path, "k").save_view("due", VIEW)
    Cache(tmp_path, "k").save_view("due --json", ViewRecord("x", (), "[]"))
    assert Cache(tmp_path, "k").last_view("due") == VIEW
    assert Cache(tmp_path, "k").last_view("due --json") == ViewRecord("x", (), "[]")


def test_a_cache_of_another_key_is_not_read_and_is_replaced_whole(tmp_path: Path) -> None:
    Cache(tmp_path, "old").save_build(RECORD)
    Cache(tmp_path, "old").save_view("due", VIEW)
    new = Cache(tmp_path, "new")
    assert (new.last_build(), new.last_view("due")) == (None, None)
    # Saving one record claims the file: nothing of the old key is left.
    new.save_view("today", VIEW)
    assert Cache(tmp_path, "new").last_view("today") == VIEW
    assert (Cache(tmp_path, "new").last_build(), Cache(tmp_path, "new").last_view("due")) == (None, None)
    assert Cache(tmp_path, "old").last_view("today") is None


def test_an_older_versions_tables_are_dropped_when_the_file_is_claimed(tmp_path: Path) -> None:
    """The notes and calendar fragments an earlier version kept in SQLite (now in the snapshot) do not stay in
    the file for good: claiming it drops every table but this version's, and gives their space back."""
    Cache(tmp_path, "old").save_build(RECORD)
    sql(tmp_path, "CREATE TABLE notes (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, payload TEXT)")
    sql(tmp_path, 'CREATE TABLE "odd ""name""" (x)')
    for i in range(200):
        sql(tmp_path, "INSERT INTO notes VALUES (?, 1, 2, ?)", f"n{i}.md", "x" * 10_000)
    path = tmp_path / ".vaultnet" / CACHE_NAME
    assert path.stat().st_size > 2_000_000
    Cache(tmp_path, "new").save_build(RECORD)
    assert sql(tmp_path, "SELECT name FROM sqlite_master WHERE type = 'table'") == [("meta",)]
    assert path.stat().st_size < 100_000
    assert Cache(tmp_path, "new").last_build() == RECORD


def test_another_schema_version_is_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Cache(tmp_path, "k").save_build(RECORD)
    monkeypatch.setattr(cache, "SCHEMA", cache.SCHEMA + 1)
    assert Cache(tmp_path, "k").last_build() is None


def test_an_unpersisted_cache_keeps_nothing_and_writes_no_file(tmp_path: Path) -> None:
    store = Cache(tmp_path, "k", persist=False)
    store.save_build(RECORD)
    store.save_view("due", VIEW)
    assert (store.last_build(), store.last_view("due")) == (None, None)
    assert not (tmp_path / ".vaultnet").exists()


# -- wrong records: no build, no view, and no command stops -------------------------------------------------------


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
    "value",
    [
        '["def456", [], [], []]',  # text, not bytes: not what this version writes
        b'["def456", [], 5]\ntext',
        b'["def456", [["a.md", 3, "w", "fatal"]], []]\ntext',
        b'["def456", [["a.md", "3", "w", "warning"]], []]\ntext',
        b'["def456", [], [["a.md"]]]\ntext',
        b'["def456", [], [], "more"]\ntext',
        b'{"digest": "def456"}\ntext',
        b"not json\ntext",
        b"\xff\xfe\n",
        b"",
        b"null",
    ],
)
def test_a_wrong_view_record_is_no_view(tmp_path: Path, value: str | bytes) -> None:
    Cache(tmp_path, "k").save_view("due", VIEW)
    sql(tmp_path, "UPDATE meta SET value = ? WHERE key = 'view:due'", value)
    assert Cache(tmp_path, "k").last_view("due") is None


# -- a damaged cache: the next command works, and the cache works again after it -----------------------------------


def _snapshot(root: Path) -> Path:
    return root / ".vaultnet" / SNAPSHOT_NAME


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _wrong_fragments(root: Path) -> None:
    """A journal record, well formed and of this snapshot, whose calendar fragments do not add up to the
    calendar it names (the calendar as the last build wrote it): the fragments are all rendered again."""
    store = pipeline.Session(root).keeper.store
    loaded = store.load()
    assert loaded is not None
    state, records = loaded
    stamp = records[-1].calendar if records else state.calendar
    wrong = {"contacts/Anna Schmidt.md": ("key", (("2026-11-25", 99_999),))}
    assert store.append(Delta({}, wrong, False, (None, frozenset()), stamp)) > 0


PLANTS: dict[str, Callable[[Path], object]] = {
    "snapshot-byte": lambda root: _flip(_snapshot(root), -100),
    "journal-byte": lambda root: _flip(root / ".vaultnet" / JOURNAL_NAME, -10),
    "build": lambda root: sql(root, "UPDATE meta SET value = '[\"x\", 1]' WHERE key = 'build'"),
    "fragments": _wrong_fragments,
    "garbage": lambda root: _snapshot(root).write_bytes(os.urandom(4096)),
    "journal-garbage": lambda root: (root / ".vaultnet" / JOURNAL_NAME).write_bytes(os.urandom(4096)),
    "empty": lambda root: _snapshot(root).write_bytes(b""),
    "truncated": lambda root: _truncate(_snapshot(root)),
    "journal-truncated": lambda root: _truncate(root / ".vaultnet" / JOURNAL_NAME),
}


def _edit(root: Path) -> None:
    """One note edited after the first build: the snapshot gets a journal record."""
    path = root / "contacts" / "grace.md"
    path.write_text(path.read_text() + "\n- 2026-11-20 coffee: a new line\n")
    os.utime(path, ns=(LATER_NS, LATER_NS))


@pytest.mark.parametrize("plant", PLANTS.values(), ids=PLANTS.keys())
def test_the_next_command_works_and_rebuilds_the_cache(tmp_path: Path, plant: Callable[[Path], object]) -> None:
    vault = copy_sample(tmp_path / "vault")
    cold = copy_sample(tmp_path / "cold")
    _edit(cold)
    expected = outputs(pipeline.build(cold, TODAY))
    pipeline.build(vault, TODAY)
    _edit(vault)
    first = pipeline.build(vault, TODAY)  # a journal record: the edited note, its calendar fragments
    assert outputs(first) == expected
    assert (vault / ".vaultnet" / JOURNAL_NAME).stat().st_size > 0
    rendered = kept(vault)[1]
    assert rendered and first.problems
    # So that the next build cannot take the "nothing changed" shortcut; the calendar the kept fragments index
    # into stays.
    (vault / "Follow-ups.md").unlink()
    plant(vault)
    assert pipeline.check(vault) == first.problems
    again = pipeline.build(vault, TODAY)
    assert (outputs(again), again.problems) == (expected, first.problems)
    # ... and the cache works again: nothing is read, rendered or computed the next time.
    assert pipeline.due(vault, TODAY)[0].refresh.parsed == []
    assert kept(vault)[1] == rendered
    assert pipeline.build(vault, TODAY).plan is None
