"""Hostile cases of issue 10 for an editor writing a note at the moment vaultnet replaces it, one moment at a time:
the leases that make vaultnet see a program opening the note (see `atomic`), and the timed watch where there are
none. The editor stress test is in test_hostile_locks.py.

A program that opens a leased file waits inside open(2) until vaultnet lets go: each test starts that program as a
real process, and goes on only once the kernel shows it waiting (`/proc/locks` names it as a lease's breaker).
"""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest
from processes import FORK, leftovers, wait_for
from vaultkit import DAY, TODAY, put, run

from vaultnet import atomic
from vaultnet.edit import add_log_entry, log_line
from vaultnet.safeio import read_regular

pytestmark = [
    pytest.mark.hostile,
    pytest.mark.skipif(sys.platform != "linux", reason="leases (fcntl F_SETLEASE) are Linux's"),
]

ANNA = b"---\nname: Anna\nedited: 0\n---\n# Anna\n\n## Log\n"
SAVED = b"---\nname: Anna\nedited: 1\n---\n# Anna\n\n## Log\n"
NEWER = b"---\nname: Anna\nedited: 2\n---\n# Anna\n\n## Log\n"
ENTRY = ANNA + b"- 2026-11-21 entry 1\n"


def leases_work(folder: Path) -> bool:
    """Whether vaultnet can hold leases on files in `folder` (test_hostile_locks.py asks too)."""
    probe = put(folder, "lease-probe", "x")
    fd = os.open(probe, os.O_RDONLY)
    try:
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    except OSError:
        return False
    finally:
        os.close(fd)
        probe.unlink()
    return True


@pytest.fixture
def note(tmp_path: Path) -> Path:
    if not leases_work(tmp_path):
        pytest.skip("no leases on this file system")
    return put(tmp_path / "vault", "contacts/Anna.md", ANNA)


def _waits_for_a_lease(pid: int) -> bool:
    """Whether the process `pid` waits in open(2) for a lease's holder to let go."""
    return any("BREAKER" in line and f" {pid} " in line for line in Path("/proc/locks").read_text().splitlines())


def _save_in_place(note: str, data: bytes, report: Connection) -> None:
    """An editor's save into the note's file: reports whether the file it wrote was the note's still."""
    fd = os.open(note, os.O_RDWR)
    os.write(fd, data)
    os.ftruncate(fd, len(data))
    report.send(os.fstat(fd).st_ino == os.stat(note).st_ino)
    os.close(fd)


def _read_note(note: str, data: bytes, report: Connection) -> None:
    """An editor reloading the note: reports what it read."""
    with open(note, "rb") as handle:
        report.send(handle.read())


Editor = Callable[[str, bytes, Connection], None]
Hook = Callable[[], None]


class Waiting:
    """An editor started as a process (`act` on the note) that is waiting in open(2) for vaultnet's lease."""

    def __init__(self, note: Path, act: Editor, data: bytes = SAVED) -> None:
        self.receive, send = FORK.Pipe(duplex=False)
        self.process = FORK.Process(target=act, args=(str(note), data, send))
        self.process.start()
        assert self.process.pid is not None
        pid = self.process.pid
        wait_for(lambda: _waits_for_a_lease(pid) or not self.process.is_alive())
        assert self.process.is_alive(), "the editor did not wait for vaultnet's lease"

    def result(self) -> Any:
        assert self.receive.poll(10), "the editor did not report"
        got = self.receive.recv()
        self.process.join(5)
        return got


def _first_call(monkeypatch: Any, name: str, before: Hook, after: Hook | None = None) -> None:
    """Run `before` (and `after`) around the first call of `atomic.<name>` only."""
    real = getattr(atomic, name)
    calls: list[int] = []

    def hooked(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            before()
        result = real(*args)
        if len(calls) == 1 and after is not None:
            after()
        return result

    monkeypatch.setattr(atomic, name, hooked)


# -- with leases ------------------------------------------------------------------------------------------------


def test_an_editor_opening_the_note_to_save_as_vaultnet_writes_saves_first(note: Path, monkeypatch: Any) -> None:
    """It opens the note as vaultnet writes its temp file: it waits in open(2) for vaultnet, which sees it, does not
    rename, lets it save into the note, and makes the log entry again on its save."""
    editors: list[Waiting] = []
    _first_call(monkeypatch, "temp_file", lambda: editors.append(Waiting(note, _save_in_place)))
    result = run("log", "anna", "entry 1", "-C", note.parent.parent, "--today", DAY)
    assert editors[0].result() is True  # it wrote into the note itself
    assert result.exit_code == 0, result.output
    assert note.read_text(encoding="utf-8") == add_log_entry(SAVED.decode(), log_line(TODAY, "entry 1"))


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "rename"])
def test_a_save_in_place_opened_before_the_rename_is_kept(note: Path, monkeypatch: Any, exchange: bool) -> None:
    """It found the note's name before vaultnet's rename, and waits in open(2) as the rename happens. vaultnet sees
    it a moment after: with an exchange, the note goes back in place before the editor writes into it; with a
    plain rename, its save is copied into the note once it is done. Either way the save is the note's."""
    monkeypatch.setattr(atomic, "use_exchange", exchange)
    inode = note.stat().st_ino
    editors: list[Waiting] = []
    _first_call(monkeypatch, "_exchange", lambda: editors.append(Waiting(note, _save_in_place)))
    with pytest.raises(atomic.Changed) as info:
        atomic.compare_and_swap(note, ANNA, ENTRY)
    wrote_into_the_note = editors[0].result()
    assert info.value.current == SAVED
    assert note.read_bytes() == SAVED
    if exchange:
        assert wrote_into_the_note is True and note.stat().st_ino == inode
    assert leftovers(note.parent.parent) == []


def test_a_save_renamed_in_before_the_exchange_is_all_a_reader_of_the_note_sees(note: Path, monkeypatch: Any) -> None:
    """An editor renames its save into the note's place between vaultnet's last look and its exchange, and reloads
    the note right after the exchange: the reader waits for vaultnet's lease on the new note, which meanwhile takes
    the save's bytes and permissions; the reader never sees the change, and the save stays."""
    note.chmod(0o644)
    readers: list[Waiting] = []

    def editor_saves() -> None:
        put(note.parent, ".editor", SAVED).chmod(0o600)
        os.replace(note.parent / ".editor", note)

    _first_call(monkeypatch, "_exchange", editor_saves, lambda: readers.append(Waiting(note, _read_note)))
    with pytest.raises(atomic.Changed) as info:
        atomic.compare_and_swap(note, ANNA, ENTRY)
    assert readers[0].result() == SAVED
    assert info.value.current == SAVED
    assert note.read_bytes() == SAVED
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    assert leftovers(note.parent.parent) == []


def test_a_note_kept_open_for_writing_is_not_written(note: Path, monkeypatch: Any) -> None:
    """A program that holds the note open for writing could write into it after any rename: vaultnet waits for it,
    then refuses (exit code 3), and nothing is written."""
    monkeypatch.setattr(atomic, "LEASE_WAIT_SECONDS", 0.05)
    holder = os.open(note, os.O_RDWR)
    try:
        with pytest.raises(atomic.Changed) as info:
            atomic.compare_and_swap(note, ANNA, ENTRY)
        assert info.value.current == ANNA
        result = run("log", "anna", "entry 1", "-C", note.parent.parent, "--today", DAY)
    finally:
        os.close(holder)
    assert result.exit_code == 3 and "nothing was written" in result.stderr
    assert note.read_bytes() == ANNA
    assert leftovers(note.parent.parent) == []


def test_a_note_is_read_while_vaultnet_holds_a_lease_on_it(note: Path) -> None:
    """vaultnet reads notes with O_NONBLOCK (a FIFO must not block it), which makes an open fail at once while a
    lease holder (vaultnet writing the note, in another process) decides: the read is tried again meanwhile."""
    fd = os.open(note, os.O_RDWR)
    fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
    timer = threading.Timer(0.1, lambda: fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK))
    timer.start()
    try:
        started = time.monotonic()
        assert read_regular(note) == ANNA
        assert time.monotonic() - started >= 0.05  # it did wait for the lease
    finally:
        timer.join()
        os.close(fd)


def test_a_read_only_note_stays_read_only(note: Path) -> None:
    """The new file is opened for writing under its lease (it may have to take an editor's save): its
    permissions are the note's all the same."""
    note.chmod(0o444)
    atomic.compare_and_swap(note, ANNA, ENTRY)
    assert note.read_bytes() == ENTRY
    assert stat.S_IMODE(note.stat().st_mode) == 0o444
    assert leftovers(note.parent.parent) == []


# -- without leases: the timed watch ----------------------------------------------------------------------------


def test_without_leases_a_put_back_does_not_displace_a_newer_save(note: Path, monkeypatch: Any) -> None:
    """The watch sees an in-place save into the replaced note and puts it back; an editor's newer save renamed
    over vaultnet's note in between is not put aside for it: the exchange that would do so is undone."""
    monkeypatch.setattr(atomic, "use_lease", False)
    editor = os.open(note, os.O_RDWR)  # opened before the rename, written after it
    real_sleep = time.sleep

    def saves_in_place(seconds: float) -> None:
        os.write(editor, SAVED)
        real_sleep(seconds)

    def saves_newer() -> None:
        put(note.parent, ".editor", NEWER)
        os.replace(note.parent / ".editor", note)

    monkeypatch.setattr(time, "sleep", saves_in_place)
    exchanges: list[int] = []
    real_exchange = atomic._exchange

    def exchange(a: Path, b: Path) -> bool:
        exchanges.append(1)
        if len(exchanges) == 2:  # the put-back: the newer save lands just before it
            saves_newer()
        return real_exchange(a, b)

    monkeypatch.setattr(atomic, "_exchange", exchange)
    try:
        with pytest.raises(atomic.Changed):
            atomic.compare_and_swap(note, ANNA, ENTRY)
    finally:
        os.close(editor)
    assert note.read_bytes() == NEWER
    assert leftovers(note.parent.parent) == []
