"""The index and its SQLite cache: re-read only what changed, never trust the cache over the files."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from unprivileged import as_unprivileged
from vaultkit import ANNA_NOTE, LATER_NS, OLD_NS, read_only, write_vault
from vaultkit import put_old as put

from vaultnet.cache import CACHE_NAME, decode_note, encode_note
from vaultnet.config import Settings
from vaultnet.index import Index, settings_key
from vaultnet.model import Birthday, Contact, Duration, LogEntry, ParsedNote, Promise
from vaultnet.parse import parse_note
from vaultnet.problems import Problem

ANNA = ANNA_NOTE
BEN = "---\nname: Ben Okafor\nlast_contact: 2026-11-10\n---\n"
IDEAS = "Just an idea, no front matter.\n"
BROKEN = "---\ncadence: soon\n---\n"
NOTES = {"contacts/Anna.md": ANNA, "contacts/work/Ben.md": BEN, "notes/Ideas.md": IDEAS, "contacts/Broken.md": BROKEN}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", NOTES, mtime_ns=OLD_NS)


ALL = ["contacts/Anna.md", "contacts/Broken.md", "contacts/work/Ben.md", "notes/Ideas.md"]


def cached_paths(root: Path) -> list[str]:
    with sqlite3.connect(root / ".vaultnet" / CACHE_NAME) as db:
        return sorted(row[0] for row in db.execute("SELECT path FROM notes"))


# -- the cache file ---------------------------------------------------------------------------------


def test_cache_is_created_in_the_vaults_dot_vaultnet_folder(vault: Path) -> None:
    index = Index(vault, Settings())
    result = index.refresh()
    assert index.cache_path == vault / ".vaultnet" / "cache.sqlite"
    assert index.cache_path.is_file()
    assert result.parsed == ALL
    assert cached_paths(vault) == ALL


def test_persist_false_keeps_no_cache(vault: Path) -> None:
    result = Index(vault, Settings(), persist=False).refresh()
    assert result.parsed == ALL
    assert not (vault / ".vaultnet").exists()


def test_refresh_finds_contacts_and_problems(vault: Path) -> None:
    result = Index(vault, Settings()).refresh()
    assert sorted(c.name for c in result.contacts) == ["Anna", "Ben Okafor"]
    assert [(p.path, p.line) for p in result.problems] == [("contacts/Broken.md", 2)]
    assert result.notes["notes/Ideas.md"] == ParsedNote("notes/Ideas.md")


def test_a_second_index_parses_nothing_and_gives_equal_notes(vault: Path) -> None:
    first = Index(vault, Settings()).refresh()
    second = Index(vault, Settings()).refresh()
    assert second.parsed == []
    assert second.removed == []
    assert second.notes == first.notes
    assert second.problems == first.problems
    anna = second.notes["contacts/Anna.md"].contact
    assert anna is not None and anna.modified == OLD_NS // 1_000_000_000


def test_same_index_object_refreshes_in_memory(vault: Path) -> None:
    index = Index(vault, Settings())
    first = index.refresh()
    (vault / ".vaultnet" / CACHE_NAME).unlink()  # the object no longer needs the file
    second = index.refresh()
    assert second.parsed == []
    assert second.notes == first.notes


# -- what is re-read --------------------------------------------------------------------------------


def test_only_the_changed_note_is_reparsed(vault: Path) -> None:
    Index(vault, Settings()).refresh()
    put(vault, "contacts/work/Ben.md", BEN.replace("Ben Okafor", "Ben O."), mtime_ns=LATER_NS)
    result = Index(vault, Settings()).refresh()
    assert result.parsed == ["contacts/work/Ben.md"]
    ben = result.notes["contacts/work/Ben.md"].contact
    assert ben is not None and ben.name == "Ben O."


def test_same_size_different_mtime_is_reread(vault: Path) -> None:
    Index(vault, Settings()).refresh()
    edited = BEN.replace("2026-11-10", "2026-11-12")
    assert len(edited) == len(BEN)
    put(vault, "contacts/work/Ben.md", edited, mtime_ns=OLD_NS + 1)  # one nanosecond later
    result = Index(vault, Settings()).refresh()
    assert result.parsed == ["contacts/work/Ben.md"]
    ben = result.notes["contacts/work/Ben.md"].contact
    assert ben is not None and ben.last_contact == date(2026, 11, 12)


def test_same_mtime_different_size_is_reread(vault: Path) -> None:
    index = Index(vault, Settings())
    index.refresh()
    put(vault, "contacts/work/Ben.md", BEN.replace("Ben Okafor", "Ben Okafor-Smith"), mtime_ns=OLD_NS)
    result = index.refresh()
    assert result.parsed == ["contacts/work/Ben.md"]
    ben = result.notes["contacts/work/Ben.md"].contact
    assert ben is not None and ben.name == "Ben Okafor-Smith"


@pytest.mark.parametrize("fresh_index", [False, True], ids=["same-index", "new-index"])
def test_a_recently_written_note_is_reread_even_if_size_and_mtime_look_unchanged(
    vault: Path, fresh_index: bool
) -> None:
    """The racy case: a note saved twice within one mtime tick. Written just now, it is not trusted."""
    note = put(vault, "contacts/work/Ben.md", BEN, mtime_ns=None)  # mtime: now
    written = note.stat().st_mtime_ns
    index = Index(vault, Settings())
    assert "contacts/work/Ben.md" in index.refresh().parsed
    edited = BEN.replace("2026-11-10", "2026-11-12")
    note.write_text(edited)
    os.utime(note, ns=(written, written))  # as if the second save fell into the same mtime tick
    again = (Index(vault, Settings()) if fresh_index else index).refresh()
    assert again.parsed == ["contacts/work/Ben.md"]
    ben = again.notes["contacts/work/Ben.md"].contact
    assert ben is not None and ben.last_contact == date(2026, 11, 12)


def test_a_recent_note_is_trusted_once_its_mtime_is_old(vault: Path) -> None:
    note = put(vault, "contacts/work/Ben.md", BEN, mtime_ns=None)
    Index(vault, Settings()).refresh()
    assert Index(vault, Settings()).refresh().parsed == ["contacts/work/Ben.md"]  # still in the racy window
    os.utime(note, ns=(LATER_NS, LATER_NS))  # now its mtime is long past
    assert Index(vault, Settings()).refresh().parsed == ["contacts/work/Ben.md"]
    assert Index(vault, Settings()).refresh().parsed == []


def test_a_removed_note_leaves_the_index_and_the_cache(vault: Path) -> None:
    index = Index(vault, Settings())
    index.refresh()
    (vault / "contacts/work/Ben.md").unlink()
    result = index.refresh()
    assert result.removed == ["contacts/work/Ben.md"]
    assert result.parsed == []
    assert "contacts/work/Ben.md" not in result.notes
    assert [c.name for c in result.contacts] == ["Anna"]
    assert cached_paths(vault) == [p for p in ALL if p != "contacts/work/Ben.md"]
    fresh = Index(vault, Settings()).refresh()
    assert (fresh.parsed, fresh.removed) == ([], [])
    assert sorted(fresh.notes) == sorted(result.notes)


def test_a_new_note_is_parsed_and_cached(vault: Path) -> None:
    Index(vault, Settings()).refresh()
    put(vault, "contacts/Carla.md", "---\nname: Carla\n---\n")
    result = Index(vault, Settings()).refresh()
    assert result.parsed == ["contacts/Carla.md"]
    assert "contacts/Carla.md" in cached_paths(vault)


# -- a cache that must not be trusted ---------------------------------------------------------------


def test_a_corrupt_cache_file_is_silently_rebuilt(vault: Path) -> None:
    first = Index(vault, Settings()).refresh()
    cache = vault / ".vaultnet" / CACHE_NAME
    cache.write_bytes(b"\x00garbage, not SQLite\xff" * 100)
    result = Index(vault, Settings()).refresh()
    assert result.parsed == ALL
    assert result.notes == first.notes
    assert cached_paths(vault) == ALL  # a working cache again
    assert Index(vault, Settings()).refresh().parsed == []


def test_an_empty_cache_file_is_rebuilt(vault: Path) -> None:
    (vault / ".vaultnet").mkdir()
    (vault / ".vaultnet" / CACHE_NAME).write_bytes(b"")
    assert Index(vault, Settings()).refresh().parsed == ALL
    assert Index(vault, Settings()).refresh().parsed == []


def _plant_payload(root: Path, path: str, payload: str) -> None:
    with sqlite3.connect(root / ".vaultnet" / CACHE_NAME) as db:
        db.execute("UPDATE notes SET payload = ? WHERE path = ?", (payload, path))
    db.close()


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        '{"contact": {"name": "X", "birthday": "soon"}}',
        '{"contact": {"name": "X", "met": "yesterday"}}',
        '{"contact": {"name": "X", "log": [[1]]}}',
        '{"problems": [[1]]}',
        '{"contact": 5}',
        "[]",
        "null",
    ],
)
def test_a_corrupt_cache_row_is_not_trusted(vault: Path, payload: str) -> None:
    """A row the codec cannot read (disk trouble, a planted file) means the cache is rebuilt from the files."""
    first = Index(vault, Settings()).refresh()
    _plant_payload(vault, "contacts/Anna.md", payload)
    result = Index(vault, Settings()).refresh()
    assert result.notes == first.notes
    assert "contacts/Anna.md" in result.parsed


def test_a_cache_from_other_settings_is_not_used(vault: Path) -> None:
    put(vault, "people/Dora.md", "---\nbirthday: --03-04\n---\n")
    Index(vault, Settings()).refresh()
    other = Settings(contacts_folder="people")
    result = Index(vault, other).refresh()
    assert result.parsed == sorted([*ALL, "people/Dora.md"])
    assert [c.name for c in result.contacts] == ["Dora"]  # contacts/ notes are no contacts here
    assert result.problems == []
    assert Index(vault, other).refresh().parsed == []  # the cache now belongs to these settings
    back = Index(vault, Settings()).refresh()
    assert len(back.parsed) == 5
    assert sorted(c.name for c in back.contacts) == ["Anna", "Ben Okafor"]


def test_a_cache_with_other_circles_is_not_used(vault: Path) -> None:
    """Known circles decide whether `circle:` is a problem, so they are part of what the cache depends on."""
    put(vault, "contacts/Eve.md", "---\ncircle: mentors\n---\n")
    first = Index(vault, Settings()).refresh()
    assert [p.path for p in first.problems] == ["contacts/Broken.md", "contacts/Eve.md"]
    circles = (*Settings().circles, ("mentors", Duration(days=60)))
    result = Index(vault, Settings(circles=circles)).refresh()
    assert "contacts/Eve.md" in result.parsed
    assert [p.path for p in result.problems] == ["contacts/Broken.md"]


def test_a_cache_written_by_another_version_is_not_used(vault: Path) -> None:
    Index(vault, Settings()).refresh()
    with sqlite3.connect(vault / ".vaultnet" / CACHE_NAME) as db:
        db.execute("UPDATE meta SET value = 'another version' WHERE key = 'settings'")
    db.close()
    assert Index(vault, Settings()).refresh().parsed == ALL


def test_settings_key_depends_on_what_parsing_depends_on() -> None:
    base = settings_key(Settings())
    assert settings_key(Settings()) == base
    assert settings_key(Settings(contacts_folder="people")) != base
    assert settings_key(Settings(followups_path="contacts/Follow-ups.md")) != base
    assert settings_key(Settings(circles=(("close", Duration(days=10)),))) != base


def test_a_cache_folder_that_is_a_file_does_not_stop_the_index(vault: Path) -> None:
    (vault / ".vaultnet").write_bytes(b"not a folder")
    result = Index(vault, Settings()).refresh()
    assert result.parsed == ALL
    assert sorted(c.name for c in result.contacts) == ["Anna", "Ben Okafor"]


# As a user whom file modes bind, also when the suite runs as root (see tests/unprivileged.py).


def test_a_read_only_vault_is_indexed_without_a_cache(vault: Path) -> None:
    with read_only(vault):
        result = as_unprivileged(lambda: Index(vault, Settings()).refresh())
        assert result.parsed == ALL
        assert sorted(c.name for c in result.contacts) == ["Anna", "Ben Okafor"]
        assert not (vault / ".vaultnet").exists()


def test_a_read_only_cache_is_read_but_not_required(vault: Path) -> None:
    first = Index(vault, Settings()).refresh()
    put(vault, "contacts/Carla.md", "---\nname: Carla\n---\n")
    cache_dir = vault / ".vaultnet"
    (cache_dir / CACHE_NAME).chmod(0o444)
    cache_dir.chmod(0o555)
    try:
        result = as_unprivileged(lambda: Index(vault, Settings()).refresh())
        assert result.parsed == ["contacts/Carla.md"]
        assert {k: v for k, v in result.notes.items() if k != "contacts/Carla.md"} == first.notes
    finally:
        cache_dir.chmod(0o755)


# -- the JSON codec ---------------------------------------------------------------------------------


def _full_contact() -> Contact:
    return Contact(
        path="contacts/Anna Schmidt.md",
        name="Anna Schmidt",
        aliases=("Anni", "A. S."),
        company="Acme GmbH",
        role="CTO",
        emails=("anna@example.org", "a.schmidt@acme.example"),
        phones=("0301234567",),
        tags=("berlin", "ml"),
        circle="close",
        cadence=Duration(days=3, months=2, years=1),
        cadence_none=True,
        birthday=Birthday(2, 29, 1988),
        met=date(2019, 5, 1),
        introduced_by="Ben Okafor",
        introduced_by_line=7,
        interests=("climbing", "Rust"),
        goals=("Hire a team",),
        goals_line=9,
        last_contact=date(2026, 10, 2),
        follow_up=date(2026, 11, 25),
        snooze_until=date(2026, 11, 30),
        archived=True,
        log=(
            LogEntry(date(2026, 10, 2), "call", "talked about her new team", 12, gave=True),
            LogEntry(date(2026, 9, 1), "", "coffee — ünïcode ✓", 13, got=True),
        ),
        promises=(
            Promise("send the article", date(2026, 11, 25), False, 20),
            Promise("intro to Carla", None, True, 21),
        ),
        uid="0f8c1d2e-anna",
        linkedin="https://www.linkedin.com/in/anna",
        modified=1_790_000_000,
    )


def test_the_full_contact_uses_every_field() -> None:
    """Guards the codec test below: a field added to Contact must be set here (and encoded)."""
    contact = _full_contact()
    defaults = Contact(path="x.md", name="x")
    unset = [f.name for f in dataclasses.fields(Contact) if getattr(contact, f.name) == getattr(defaults, f.name)]
    assert unset == []


def test_codec_round_trips_a_contact_with_every_field() -> None:
    note = ParsedNote("contacts/Anna Schmidt.md", contact=_full_contact())
    assert decode_note(note.path, encode_note(note)) == note


def test_codec_round_trips_a_minimal_contact_and_a_yearless_birthday() -> None:
    contact = Contact(path="people/Dora.md", name="Dora", birthday=Birthday(3, 4, None))
    note = ParsedNote("people/Dora.md", contact=contact)
    assert decode_note(note.path, encode_note(note)) == note


def test_codec_round_trips_a_note_with_problems() -> None:
    path = "contacts/Bad.md"
    note = ParsedNote(
        path,
        problems=(
            Problem(path, 2, "cadence: 'soon' is not a duration"),
            Problem(path, 0, "binary file, not a text note"),
            Problem(path, 5, "a warning", "warning"),
        ),
    )
    assert decode_note(path, encode_note(note)) == note


def test_codec_round_trips_a_plain_note() -> None:
    note = ParsedNote("notes/Ideas.md")
    assert decode_note(note.path, encode_note(note)) == note


def test_codec_round_trips_what_the_parser_makes() -> None:
    text = """---
name: Anna Schmidt
aliases: [Anni]
company: "[[Acme GmbH|Acme]]"
role: CTO
email: anna@example.org
phone: 0301234567
tags: ['#berlin', ml]
circle: close
cadence: 2m
birthday: --02-29
met: 2019-05-01T10:00:00
introduced_by: "[[Ben Okafor]]"
interests: climbing, Rust
goals: ["[[Hire a team]]"]
last_contact: 2026-10-02
follow_up: 2026-11-25
snooze_until: 2026-11-30
archived: no
uid: anna-1
country: NO
---
# Log
- 2026-10-02 call: talked #gave
- 2026-09-01 coffee #got

- [ ] send the article 📅 2026-11-25
- [x] intro (due 2026-10-01)
"""
    note = parse_note("contacts/Anna.md", text.encode(), Settings(), modified=1_790_000_000)
    assert note.contact is not None and note.problems == ()
    assert decode_note(note.path, encode_note(note)) == note
