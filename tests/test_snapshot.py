"""The snapshot file and its journal (vaultnet/snapshot.py): what a build keeps for the next command.

Real files in a real vault folder; the planted files are what an attacker or a crash could leave there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import os
import pickle
import shutil
import stat
import zlib
from datetime import date
from pathlib import Path

import pytest
from vaultkit import through_snapshot, time_limit

from vaultnet.config import Settings
from vaultnet.kinds import Kind
from vaultnet.model import Birthday, Contact, Duration, Item, LogEntry, NameParts, ParsedNote, Promise
from vaultnet.parse import parse_note
from vaultnet.problems import Problem
from vaultnet.snapshot import Snapshot, _Unpickler
from vaultnet.vault import Fingerprint, Listing


def store(root: Path, key: str = "k") -> Snapshot:
    root.mkdir(exist_ok=True)
    return Snapshot(root, root / ".vaultnet", key)


STATE = {
    "items": [Item(Kind.FOLLOW_UP, date(2026, 11, 30), "Anna", "contacts/Anna.md", "because")],
    "listing": Listing({"a.md": Fingerprint(1, 2)}),
    "set": {1, 2},
}


def test_a_saved_state_and_its_journal_load_back_in_order(tmp_path: Path) -> None:
    first = store(tmp_path)
    first.save(STATE)
    assert first.append({"n": 1}) > 0
    assert first.append({"n": 2}) > 0
    loaded = store(tmp_path).load()
    assert loaded is not None
    state, records = loaded
    assert state == STATE and state["listing"] == STATE["listing"]
    assert records == [{"n": 1}, {"n": 2}]


def test_saving_a_whole_state_empties_the_journal(tmp_path: Path) -> None:
    first = store(tmp_path)
    first.save(STATE)
    first.append({"n": 1})
    first.save({"other": True})
    assert store(tmp_path).load() == ({"other": True}, [])


def test_nothing_is_kept_for_another_key(tmp_path: Path) -> None:
    store(tmp_path, "one").save(STATE)
    assert store(tmp_path, "two").load() is None
    assert store(tmp_path, "one").load() is not None  # left for the settings it belongs to


def test_a_torn_journal_record_is_ignored_and_cut_off_by_the_next_append(tmp_path: Path) -> None:
    first = store(tmp_path)
    first.save(STATE)
    first.append({"n": 1})
    end = first.append({"n": 2})
    with open(first.journal_path, "r+b") as file:  # kill -9 in the middle of the second record
        file.truncate(end - 3)
    second = store(tmp_path)
    assert second.load() == (STATE, [{"n": 1}])
    second.append({"n": 3})
    assert store(tmp_path).load() == (STATE, [{"n": 1}, {"n": 3}])


def test_a_damaged_snapshot_is_discarded_with_one_notice(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first = store(tmp_path)
    first.save(STATE)
    data = bytearray(first.path.read_bytes())
    data[-10] ^= 0xFF
    first.path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, "vaultnet.cache"):
        assert store(tmp_path).load() is None
    assert [r.getMessage() for r in caplog.records] == ["the cache in .vaultnet/ was unreadable and has been rebuilt"]
    assert not first.path.exists()


@pytest.mark.parametrize(
    "content", [b"", b"not a snapshot\n", b'{"format": "vaultnet snapshot"}\n', b"\xff\xfe\n", b"[1, 2]\n"]
)
def test_a_file_that_is_no_snapshot_is_discarded(tmp_path: Path, content: bytes) -> None:
    first = store(tmp_path)
    first.folder.mkdir()
    first.path.write_bytes(content)
    assert store(tmp_path).load() is None


def _planted(first: Snapshot, pickled: bytes) -> None:
    """A snapshot file with a right header (this folder, this key) around `pickled`: what the unpickler gets."""
    payload = zlib.compress(pickled)
    status = os.stat(first.folder)
    header = {"format": "vaultnet snapshot", "key": first.key, "home": [status.st_dev, status.st_ino]}
    header |= {"id": "00" * 16, "size": len(payload), "crc": zlib.crc32(payload)}
    first.path.write_bytes(json.dumps(header).encode() + b"\n" + payload)


class _RunsCode:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize("evil", [_RunsCode(), eval], ids=["os.system", "eval"])
def test_a_planted_pickle_that_calls_a_function_is_refused_unrun(tmp_path: Path, evil: object) -> None:
    first = store(tmp_path)
    first.save(STATE)
    try:
        payload = pickle.dumps(evil)
    except (TypeError, pickle.PicklingError):
        pytest.skip("cannot be pickled here")
    _planted(first, payload)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert store(tmp_path).load() is None
    finally:
        os.chdir(cwd)
    assert not (tmp_path / "pwned").exists()


def test_a_planted_pickle_of_plain_records_is_read_as_planted(tmp_path: Path) -> None:
    # The control for the test above: the planted file is well formed, so it is the unpickler that refuses.
    first = store(tmp_path)
    first.save(STATE)
    _planted(first, pickle.dumps({"ok": [1, date(2026, 1, 1)]}))
    assert store(tmp_path).load() == ({"ok": [1, date(2026, 1, 1)]}, [])


def test_the_unpickler_builds_records_and_refuses_other_classes() -> None:
    assert _Unpickler(io.BytesIO(pickle.dumps(STATE))).load() == STATE
    for refused in (Path("x"), io.BytesIO(b""), shutil.rmtree, Snapshot):
        with pytest.raises(pickle.UnpicklingError):
            _Unpickler(io.BytesIO(pickle.dumps(refused))).load()


def test_a_snapshot_copied_with_the_vault_is_not_read(tmp_path: Path) -> None:
    store(tmp_path / "vault").save(STATE)
    shutil.copytree(tmp_path / "vault", tmp_path / "copy")
    assert store(tmp_path / "copy").load() is None  # another folder: never unpickled
    assert store(tmp_path / "vault").load() is not None


def test_a_journal_of_another_snapshot_is_ignored(tmp_path: Path) -> None:
    first = store(tmp_path)
    first.save(STATE)
    first.append({"n": 1})
    journal = first.journal_path.read_bytes()
    first.save({"new": 1})  # a crash after the new snapshot, before the journal was emptied:
    first.journal_path.write_bytes(journal)
    assert store(tmp_path).load() == ({"new": 1}, [])


def test_an_append_after_another_command_saved_a_whole_state_is_not_made(tmp_path: Path) -> None:
    first = store(tmp_path)
    first.save(STATE)
    other = store(tmp_path)
    assert other.load() is not None
    first.save({"newer": 1})
    assert other.append({"n": 1}) == 0  # its caller saves a whole state instead
    assert store(tmp_path).load() == ({"newer": 1}, [])


def test_a_link_in_place_of_the_snapshot_is_not_followed(tmp_path: Path) -> None:
    first = store(tmp_path)
    first.save(STATE)
    target = tmp_path / "elsewhere"
    target.write_bytes(first.path.read_bytes())
    first.path.unlink()
    first.path.symlink_to(target)
    assert store(tmp_path).load() is None
    assert target.exists()  # the link is vaultnet's to remove, what it points to is not


class _Blocked(Exception):
    """Not an OSError (as TimeoutError is): the code under test must not take it for a failed write."""


def _within(seconds: int) -> contextlib.AbstractContextManager[None]:
    """Fail instead of hanging (a FIFO opened for writing waits for a reader)."""
    return time_limit(seconds, _Blocked)


def _plant_in_place(path: Path, kind: str, victim: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    if kind == "link":
        path.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        (path / "inside").mkdir(parents=True)
        (path / "inside" / "file").write_text("x")


@pytest.mark.parametrize("kind", ["link", "fifo", "folder"])
def test_a_journal_that_is_no_regular_file_is_never_followed_and_is_replaced(tmp_path: Path, kind: str) -> None:
    """Appending to it never writes through a link nor waits on a FIFO, and the next whole save (which empties
    the journal) never truncates what a link points to: it removes what is in the journal's place."""
    first = store(tmp_path)
    first.save(STATE)
    victim = tmp_path / "victim.md"
    victim.write_bytes(b"a note of the user's\n")
    _plant_in_place(first.journal_path, kind, victim)
    second = store(tmp_path)
    with _within(5):
        assert second.load() == (STATE, [])
        assert second.append({"n": 1}) == 0  # the caller saves a whole state instead
        second.save({"new": 1})
        assert second.append({"n": 2}) > 0
    assert victim.read_bytes() == b"a note of the user's\n"
    assert stat.S_ISREG(first.journal_path.lstat().st_mode)
    assert store(tmp_path).load() == ({"new": 1}, [{"n": 2}])


@pytest.mark.parametrize("kind", ["link", "fifo", "folder"])
def test_what_is_in_place_of_the_snapshot_is_removed_with_one_notice(
    tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A folder too (`.vaultnet/` is vaultnet's own): left there, no snapshot could be saved again, and every
    command would say the cache was unreadable."""
    first = store(tmp_path)
    first.save(STATE)
    victim = tmp_path / "victim"
    victim.write_bytes(first.path.read_bytes())
    _plant_in_place(first.path, kind, victim)
    with caplog.at_level(logging.WARNING, "vaultnet.cache"), _within(5):
        second = store(tmp_path)
        assert second.load() is None
        second.save({"new": 1})
        assert store(tmp_path).load() == ({"new": 1}, [])
    assert [r.getMessage() for r in caplog.records] == ["the cache in .vaultnet/ was unreadable and has been rebuilt"]
    assert victim.exists()  # what a link pointed to is left alone


# -- every field of every note is kept -------------------------------------------------------------


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
        name_parts=NameParts("Schmidt", "Anna", "Maria", "Dr.", "PhD"),
        anniversary=Birthday(6, 1, None),
        related=("Ben Okafor (spouse)",),
        urls=("https://anna.example",),
        import_notes=("met at a fair\n\n- [ ] not a task",),
    )


def test_the_full_contact_uses_every_field() -> None:
    """Guards the snapshot test below: a field added to Contact must be set here (and kept)."""
    contact = _full_contact()
    defaults = Contact(path="x.md", name="x")
    unset = [f.name for f in dataclasses.fields(Contact) if getattr(contact, f.name) == getattr(defaults, f.name)]
    assert unset == []


def test_the_snapshot_keeps_a_contact_with_every_field(tmp_path: Path) -> None:
    note = ParsedNote("contacts/Anna Schmidt.md", contact=_full_contact())
    assert through_snapshot(tmp_path, note) == note


def test_the_snapshot_keeps_a_minimal_contact_and_a_yearless_birthday(tmp_path: Path) -> None:
    contact = Contact(path="people/Dora.md", name="Dora", birthday=Birthday(3, 4, None))
    note = ParsedNote("people/Dora.md", contact=contact)
    assert through_snapshot(tmp_path, note) == note


def test_the_snapshot_keeps_a_note_with_problems(tmp_path: Path) -> None:
    path = "contacts/Bad.md"
    note = ParsedNote(
        path,
        problems=(
            Problem(path, 2, "cadence: 'soon' is not a duration"),
            Problem(path, 0, "binary file, not a text note"),
            Problem(path, 5, "a warning", "warning"),
        ),
    )
    assert through_snapshot(tmp_path, note) == note


def test_the_snapshot_keeps_a_plain_note(tmp_path: Path) -> None:
    note = ParsedNote("notes/Ideas.md")
    assert through_snapshot(tmp_path, note) == note


def test_the_snapshot_keeps_what_the_parser_makes(tmp_path: Path) -> None:
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
    assert through_snapshot(tmp_path, note) == note
