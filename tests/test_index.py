"""The index, and the snapshot that keeps its notes between commands: re-read only what changed, never trust
the snapshot over the files."""

from __future__ import annotations

import json
import logging
import os
import pickle
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from unprivileged import as_unprivileged
from vaultkit import ANNA_NOTE, LATER_NS, OLD_NS, kept, read_only, write_vault
from vaultkit import put_old as put

from vaultnet import index as index_module
from vaultnet.config import Settings
from vaultnet.index import Index, Refresh, settings_key
from vaultnet.model import Duration, ParsedNote
from vaultnet.pipeline import Session

ANNA = ANNA_NOTE
BEN = "---\nname: Ben Okafor\nlast_contact: 2026-11-10\n---\n"
IDEAS = "Just an idea, no front matter.\n"
BROKEN = "---\ncadence: soon\n---\n"
NOTES = {"contacts/Anna.md": ANNA, "contacts/work/Ben.md": BEN, "notes/Ideas.md": IDEAS, "contacts/Broken.md": BROKEN}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", NOTES, mtime_ns=OLD_NS)


ALL = ["contacts/Anna.md", "contacts/Broken.md", "contacts/work/Ben.md", "notes/Ideas.md"]


def refresh(root: Path) -> Refresh:
    """A new command's refresh: from what the last one kept, and kept for the next one."""
    return Session(root).refresh()


def kept_paths(root: Path) -> list[str]:
    return sorted(kept(root)[0])


def notices(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "vaultnet.cache"]


# -- the snapshot ------------------------------------------------------------------------------------


def test_the_notes_are_kept_in_the_vaults_dot_vaultnet_folder(vault: Path) -> None:
    session = Session(vault)
    result = session.refresh()
    assert session.keeper.store.path == vault / ".vaultnet" / "snapshot"
    assert session.keeper.store.path.is_file()
    assert result.parsed == ALL
    assert kept_paths(vault) == ALL


def test_persist_false_keeps_no_cache(vault: Path) -> None:
    result = Index(vault, Settings(), persist=False).refresh()
    assert result.parsed == ALL
    assert Session(vault, persist=False).refresh().parsed == ALL
    assert not (vault / ".vaultnet").exists()


def test_refresh_finds_contacts_and_problems(vault: Path) -> None:
    result = Index(vault, Settings()).refresh()
    assert sorted(c.name for c in result.contacts) == ["Anna", "Ben Okafor"]
    assert [(p.path, p.line) for p in result.problems] == [("contacts/Broken.md", 2)]
    assert result.notes["notes/Ideas.md"] == ParsedNote("notes/Ideas.md")


def test_a_second_command_parses_nothing_and_gives_equal_notes(vault: Path) -> None:
    first = refresh(vault)
    second = refresh(vault)
    assert second.parsed == []
    assert second.removed == []
    assert second.notes == first.notes
    assert second.problems == first.problems
    anna = second.notes["contacts/Anna.md"].contact
    assert anna is not None and anna.modified == OLD_NS // 1_000_000_000


def test_a_new_index_starts_from_nothing_or_from_what_it_adopts(vault: Path) -> None:
    """The Index keeps no file: between commands, the session's snapshot keeps its notes (`entries`, `adopt`)."""
    first = Index(vault, Settings())
    notes = first.refresh().notes
    assert Index(vault, Settings()).refresh().parsed == ALL
    second = Index(vault, Settings())
    second.adopt(first.entries())
    result = second.refresh()
    assert (result.parsed, result.notes) == ([], notes)
    assert not (vault / ".vaultnet" / "snapshot").exists()


def test_same_index_object_refreshes_in_memory(vault: Path) -> None:
    index = Index(vault, Settings())
    first = index.refresh()
    second = index.refresh()
    assert second.parsed == []
    assert second.notes == first.notes
    session = Session(vault)
    first = session.refresh()
    (vault / ".vaultnet" / "snapshot").unlink()  # the session no longer needs the file
    second = session.refresh()
    assert second.parsed == []
    assert second.notes == first.notes


# -- what is re-read --------------------------------------------------------------------------------


def test_only_the_changed_note_is_reparsed(vault: Path) -> None:
    refresh(vault)
    put(vault, "contacts/work/Ben.md", BEN.replace("Ben Okafor", "Ben O."), mtime_ns=LATER_NS)
    result = refresh(vault)
    assert result.parsed == ["contacts/work/Ben.md"]
    ben = result.notes["contacts/work/Ben.md"].contact
    assert ben is not None and ben.name == "Ben O."
    assert refresh(vault).parsed == []  # the journal kept it


def test_same_size_different_mtime_is_reread(vault: Path) -> None:
    refresh(vault)
    edited = BEN.replace("2026-11-10", "2026-11-12")
    assert len(edited) == len(BEN)
    put(vault, "contacts/work/Ben.md", edited, mtime_ns=OLD_NS + 1)  # one nanosecond later
    result = refresh(vault)
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


@pytest.mark.parametrize("fresh_session", [False, True], ids=["same-session", "new-session"])
def test_a_recently_written_note_is_reread_even_if_size_and_mtime_look_unchanged(
    vault: Path, fresh_session: bool
) -> None:
    """The racy case: a note saved twice within one mtime tick. Written just now, it is not trusted."""
    note = put(vault, "contacts/work/Ben.md", BEN, mtime_ns=None)  # mtime: now
    written = note.stat().st_mtime_ns
    session = Session(vault)
    assert "contacts/work/Ben.md" in session.refresh().parsed
    edited = BEN.replace("2026-11-10", "2026-11-12")
    note.write_text(edited)
    os.utime(note, ns=(written, written))  # as if the second save fell into the same mtime tick
    again = (Session(vault) if fresh_session else session).refresh()
    assert again.parsed == ["contacts/work/Ben.md"]
    ben = again.notes["contacts/work/Ben.md"].contact
    assert ben is not None and ben.last_contact == date(2026, 11, 12)


def test_a_recent_note_is_trusted_once_its_mtime_is_old(vault: Path) -> None:
    note = put(vault, "contacts/work/Ben.md", BEN, mtime_ns=None)
    refresh(vault)
    assert refresh(vault).parsed == ["contacts/work/Ben.md"]  # still in the racy window
    os.utime(note, ns=(LATER_NS, LATER_NS))  # now its mtime is long past
    assert refresh(vault).parsed == ["contacts/work/Ben.md"]
    assert refresh(vault).parsed == []


def test_a_removed_note_leaves_the_index_and_the_snapshot(vault: Path) -> None:
    session = Session(vault)
    session.refresh()
    (vault / "contacts/work/Ben.md").unlink()
    result = session.refresh()
    assert result.removed == ["contacts/work/Ben.md"]
    assert result.parsed == []
    assert "contacts/work/Ben.md" not in result.notes
    assert [c.name for c in result.contacts] == ["Anna"]
    assert kept_paths(vault) == [p for p in ALL if p != "contacts/work/Ben.md"]
    fresh = refresh(vault)
    assert (fresh.parsed, fresh.removed) == ([], [])
    assert sorted(fresh.notes) == sorted(result.notes)


def test_a_note_removed_between_commands_leaves_them(vault: Path) -> None:
    refresh(vault)
    (vault / "contacts/work/Ben.md").unlink()
    result = refresh(vault)
    assert (result.parsed, result.removed) == ([], ["contacts/work/Ben.md"])
    assert kept_paths(vault) == [p for p in ALL if p != "contacts/work/Ben.md"]
    assert refresh(vault).removed == []


def test_a_new_note_is_parsed_and_kept(vault: Path) -> None:
    refresh(vault)
    put(vault, "contacts/Carla.md", "---\nname: Carla\n---\n")
    result = refresh(vault)
    assert result.parsed == ["contacts/Carla.md"]
    assert "contacts/Carla.md" in kept_paths(vault)


# -- a snapshot that must not be trusted ------------------------------------------------------------


def _plant(root: Path, payload: bytes) -> None:
    """A snapshot file with a right header (this copy of the vault, these settings) around `payload`."""
    path = root / ".vaultnet" / "snapshot"
    header = json.loads(path.read_bytes().partition(b"\n")[0])
    header |= {"size": len(payload), "crc": zlib.crc32(payload)}
    path.write_bytes(json.dumps(header).encode() + b"\n" + payload)


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


class _RunsCode:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


SNAPSHOTS: dict[str, Callable[[Path], object]] = {
    "garbage": lambda path: path.write_bytes(b"\x00garbage, not a snapshot\xff" * 100),
    "flipped": lambda path: _flip(path, -20),
    "truncated": lambda path: path.write_bytes(path.read_bytes()[:-100]),
    "empty": lambda path: path.write_bytes(b""),
    "header only": lambda path: path.write_bytes(path.read_bytes().partition(b"\n")[0] + b"\n"),
    "not pickle": lambda path: _plant(path.parent.parent, b"not a pickle"),
    "another record": lambda path: _plant(path.parent.parent, pickle.dumps({"valid": ["pickle"]})),
    "a note, not a state": lambda path: _plant(path.parent.parent, pickle.dumps(ParsedNote("x.md"))),
    "code": lambda path: _plant(path.parent.parent, pickle.dumps(_RunsCode())),
}


@pytest.mark.parametrize("plant", SNAPSHOTS.values(), ids=SNAPSHOTS.keys())
def test_a_damaged_snapshot_is_discarded_with_one_notice(
    vault: Path, plant: Callable[[Path], object], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot this version did not write whole (disk trouble, a planted file) is read as nothing, once
    said; the notes are read again, and kept again for the command after."""
    first = refresh(vault)
    plant(vault / ".vaultnet" / "snapshot")
    monkeypatch.chdir(vault)
    with caplog.at_level(logging.WARNING, "vaultnet.cache"):
        result = refresh(vault)
    assert notices(caplog) == ["the cache in .vaultnet/ was unreadable and has been rebuilt"]
    assert result.parsed == ALL
    assert result.notes == first.notes
    assert kept_paths(vault) == ALL  # a working snapshot again
    assert refresh(vault).parsed == []
    assert not (vault / "pwned").exists()


def test_an_empty_snapshot_file_in_a_new_vault_is_rebuilt(vault: Path) -> None:
    (vault / ".vaultnet").mkdir()
    (vault / ".vaultnet" / "snapshot").write_bytes(b"")
    assert refresh(vault).parsed == ALL
    assert refresh(vault).parsed == []


def _edit_anna(vault: Path) -> None:
    put(vault, "contacts/Anna.md", ANNA.replace("Acme", "Acme GmbH"), mtime_ns=LATER_NS)


JOURNALS: dict[str, Callable[[Path], object]] = {
    "flipped": lambda path: _flip(path, -5),
    "truncated": lambda path: path.write_bytes(path.read_bytes()[:-5]),
    "garbage": lambda path: path.write_bytes(os.urandom(200)),
    "empty": lambda path: path.write_bytes(b""),
}


@pytest.mark.parametrize("plant", JOURNALS.values(), ids=JOURNALS.keys())
def test_a_damaged_journal_record_is_not_trusted(vault: Path, plant: Callable[[Path], object]) -> None:
    """A journal record that is torn or damaged (kill -9 mid-append, disk trouble) counts for nothing: the notes
    it named are read again, as their fingerprints differ from what the snapshot holds."""
    refresh(vault)
    _edit_anna(vault)
    edited = refresh(vault)
    assert edited.parsed == ["contacts/Anna.md"]
    plant(vault / ".vaultnet" / "journal")
    result = refresh(vault)
    assert result.parsed == ["contacts/Anna.md"]
    assert result.notes == edited.notes
    assert refresh(vault).parsed == []  # and the journal works again


def test_a_journal_record_that_calls_a_function_is_refused_unrun(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh(vault)
    _edit_anna(vault)
    store = Session(vault).keeper.store
    assert store.load() is not None
    assert store.append(_RunsCode()) > 0  # framed as a record of this snapshot: only the unpickler stands guard
    monkeypatch.chdir(vault)
    result = refresh(vault)
    assert not (vault / "pwned").exists()
    assert result.parsed == ["contacts/Anna.md"]
    assert refresh(vault).parsed == []


def test_a_snapshot_of_other_settings_is_not_used(vault: Path) -> None:
    put(vault, "people/Dora.md", "---\nbirthday: --03-04\n---\n")
    refresh(vault)
    put(vault, "vaultnet.toml", 'contacts_folder = "people"\n')
    result = refresh(vault)
    assert result.parsed == sorted([*ALL, "people/Dora.md"])
    assert [c.name for c in result.contacts] == ["Dora"]  # contacts/ notes are no contacts here
    assert result.problems == []
    assert refresh(vault).parsed == []  # the snapshot now belongs to these settings
    (vault / "vaultnet.toml").unlink()
    back = refresh(vault)
    assert len(back.parsed) == 5
    assert sorted(c.name for c in back.contacts) == ["Anna", "Ben Okafor"]


def test_a_snapshot_with_other_circles_is_not_used(vault: Path) -> None:
    """Known circles decide whether `circle:` is a problem, so they are part of what the snapshot depends on."""
    put(vault, "contacts/Eve.md", "---\ncircle: mentors\n---\n")
    first = refresh(vault)
    assert [p.path for p in first.problems] == ["contacts/Broken.md", "contacts/Eve.md"]
    put(vault, "vaultnet.toml", '[circles]\nmentors = "60d"\n')
    result = refresh(vault)
    assert "contacts/Eve.md" in result.parsed
    assert [p.path for p in result.problems] == ["contacts/Broken.md"]


def test_a_snapshot_written_by_another_version_is_not_used_and_no_damage(
    vault: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    refresh(vault)
    monkeypatch.setattr(index_module, "__version__", "0.0.0-another")
    with caplog.at_level(logging.WARNING, "vaultnet.cache"):
        assert refresh(vault).parsed == ALL
        assert refresh(vault).parsed == []  # it now belongs to this version
    assert notices(caplog) == []


def test_settings_key_depends_on_what_parsing_depends_on() -> None:
    base = settings_key(Settings())
    assert settings_key(Settings()) == base
    assert settings_key(Settings(contacts_folder="people")) != base
    assert settings_key(Settings(followups_path="contacts/Follow-ups.md")) != base
    assert settings_key(Settings(circles=(("close", Duration(days=10)),))) != base


def test_a_cache_folder_that_is_a_file_does_not_stop_the_index(vault: Path) -> None:
    (vault / ".vaultnet").write_bytes(b"not a folder")
    assert refresh(vault).parsed == ALL
    result = refresh(vault)
    assert result.parsed == ALL
    assert sorted(c.name for c in result.contacts) == ["Anna", "Ben Okafor"]


# As a user whom file modes bind, also when the suite runs as root (see tests/unprivileged.py).


def test_a_read_only_vault_is_indexed_without_a_cache(vault: Path) -> None:
    with read_only(vault):
        result = as_unprivileged(lambda: refresh(vault))
        assert result.parsed == ALL
        assert sorted(c.name for c in result.contacts) == ["Anna", "Ben Okafor"]
        assert not (vault / ".vaultnet").exists()


def test_a_read_only_snapshot_is_read_but_not_required(vault: Path) -> None:
    first = refresh(vault)
    _edit_anna(vault)
    edited = refresh(vault)  # a journal beside the snapshot
    put(vault, "contacts/Carla.md", "---\nname: Carla\n---\n")
    cache_dir = vault / ".vaultnet"
    for name in ("snapshot", "journal"):
        (cache_dir / name).chmod(0o444)
    cache_dir.chmod(0o555)
    try:
        result = as_unprivileged(lambda: refresh(vault))
        assert result.parsed == ["contacts/Carla.md"]
        assert {k: v for k, v in result.notes.items() if k != "contacts/Carla.md"} == edited.notes != first.notes
        assert as_unprivileged(lambda: refresh(vault)).parsed == ["contacts/Carla.md"]  # could not be kept
    finally:
        cache_dir.chmod(0o755)
