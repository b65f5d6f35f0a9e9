"""Hostile cases of issue 10 for concurrent writes: many vaultnet processes writing one note at once, an editor
saving in a loop while vaultnet writes, the moments between vaultnet's last check and its rename, locks left by a
killed process, and two builds at once. What a crash leaves is in test_hostile_leftovers.py.

The concurrent cases run real processes (see `processes`), each within a deadline: a hang fails the test instead
of hanging the suite.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest
from processes import DEADLINE, FORK, Ran, leftovers, run_alone, run_processes, wait_for
from test_hostile_leases import leases_work
from vaultkit import DAY, TODAY, copy_sample, put, run

from vaultnet import atomic, changes, locks
from vaultnet.config import CACHE_DIR
from vaultnet.edit import add_log_entry, log_line

pytestmark = pytest.mark.hostile

ANNA = "---\nname: Anna\nedited: 0\n---\n# Anna\n\n## Log\n"
ENTRY = re.compile(r"^- 2026-11-21 (entry \d+)$", re.M)


def check_logs(note: Path, results: list[Ran]) -> int:
    """Every `updated` entry is in the note, every other process was refused (exit 3) and its entry is not:
    returns how many were written."""
    text = note.read_text(encoding="utf-8")
    entries = ENTRY.findall(text)
    assert len(entries) == len(set(entries)), "an entry was written twice"
    for i, ran in enumerate(results):
        if ran.code == 0:
            assert ran.output == f"updated  {note}\n"
            assert f"entry {i}" in entries
        else:
            assert ran.code == 3, ran.output
            assert ran.output.startswith("vaultnet: ") and "nothing was written" in ran.output, ran.output
            assert f"entry {i}" not in entries
    assert len(entries) == sum(ran.code == 0 for ran in results)
    return len(entries)


def log_commands(vault: Path, count: int) -> list[list[str]]:
    return [["log", "anna", f"entry {i}", "-C", str(vault), "--today", DAY] for i in range(count)]


# -- many vaultnet processes on one note ------------------------------------------------------------------------


def test_fifty_concurrent_logs_on_one_note_leave_fifty_entries(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    note = put(vault, "contacts/Anna.md", ANNA)
    results = run_processes(log_commands(vault, 50), tmp_path)
    assert check_logs(note, results) == 50  # no editor: each is made again on the note the one before wrote
    assert leftovers(vault) == []


def test_without_flock_and_exchange_concurrent_logs_still_take_turns(tmp_path: Path, monkeypatch: Any) -> None:
    """Where there is no fcntl (Windows) the lock is an O_EXCL file; where no atomic exchange, a plain rename."""
    monkeypatch.setattr(locks, "use_flock", False)  # the forked processes inherit both switches
    monkeypatch.setattr(atomic, "use_exchange", False)
    vault = tmp_path / "vault"
    note = put(vault, "contacts/Anna.md", ANNA)
    results = run_processes(log_commands(vault, 20), tmp_path)
    assert check_logs(note, results) == 20
    assert leftovers(vault) == []


def test_a_note_locked_too_long_is_refused_with_exit_code_3(tmp_path: Path, monkeypatch: Any) -> None:
    vault = tmp_path / "vault"
    note = put(vault, "contacts/Anna.md", ANNA)
    monkeypatch.setattr(changes, "LOCK_TIMEOUT", 0.3)
    holder = FORK.Process(target=_hold_forever, args=(str(vault), locks.note_lock_name(note)))  # another command
    holder.start()
    try:
        lock = locks.lock_file(vault, locks.note_lock_name(note))
        wait_for(lambda: lock.exists() and lock.read_text().strip() != "")  # taken, and its holder written
        result = run("log", "anna", "entry 1", "-C", vault, "--today", DAY)
    finally:
        holder.kill()
        holder.join(5)
    assert result.exit_code == 3
    assert "another vaultnet command has been writing it" in result.stderr
    assert f"process {holder.pid}" in result.stderr and "nothing was written" in result.stderr
    assert note.read_text(encoding="utf-8") == ANNA
    assert run("log", "anna", "entry 1", "-C", vault, "--today", DAY).exit_code == 0  # free again


def test_a_note_is_not_written_without_its_lock(tmp_path: Path) -> None:
    """`.vaultnet` a file: no lock can be made, so no note is written (a build, which writes nothing of the
    user's, goes on without its lock)."""
    vault = tmp_path / "vault"
    note = put(vault, "contacts/Anna.md", ANNA)
    put(vault, CACHE_DIR, "not a folder\n")
    result = run("log", "anna", "entry 1", "-C", vault, "--today", DAY)
    assert result.exit_code == 2
    assert "vaultnet cannot make its lock" in result.stderr and "nothing was written" in result.stderr
    assert note.read_text(encoding="utf-8") == ANNA
    put(vault, "vaultnet.toml", '[outputs]\ncalendar = "reminders.ics"\n')
    assert run("build", vault, "--today", DAY).exit_code == 0
    assert (vault / "Follow-ups.md").exists()


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path: Path) -> None:
    """flock dies with its holder: the lock file a `kill -9` left blocks nobody (the next holder removes it)."""
    vault = tmp_path / "vault"
    note = put(vault, "contacts/Anna.md", ANNA)
    holder = FORK.Process(target=_hold_forever, args=(str(vault), locks.note_lock_name(note)))
    holder.start()
    lock = locks.lock_file(vault, locks.note_lock_name(note))
    wait_for(lambda: lock.exists() and lock.read_text().strip() != "")
    assert holder.pid is not None
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(5)
    assert lock.exists()  # the killed holder could not remove it
    assert run("log", "anna", "entry 1", "-C", vault, "--today", DAY).exit_code == 0
    assert leftovers(vault) == []


def test_a_stale_exclusive_lock_file_is_removed(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(locks, "use_flock", False)
    vault = tmp_path / "vault"
    note = put(vault, "contacts/Anna.md", ANNA)
    lock = locks.lock_file(vault, locks.note_lock_name(note))
    put(vault, str(lock.relative_to(vault)), "12345\n")
    monkeypatch.setattr(changes, "LOCK_TIMEOUT", 0.3)
    refused = run("log", "anna", "entry 1", "-C", vault, "--today", DAY)
    assert refused.exit_code == 3 and "process 12345" in refused.stderr  # fresh: somebody holds it
    os.utime(lock, (time.time() - 3600, time.time() - 3600))
    assert run("log", "anna", "entry 1", "-C", vault, "--today", DAY).exit_code == 0
    assert leftovers(vault) == []


def _hold_forever(root: str, name: str) -> None:
    with locks.held(Path(root), name, timeout=5):
        time.sleep(60)


# -- an editor that saves in a loop while vaultnet writes ----------------------------------------------------------

EDITED = re.compile(rb"^edited: (\d+)$", re.M)
EDITOR_PAUSE = 0.004  # seconds between two saves
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _exchange(a: Path, b: Path) -> None:
    """The editor's atomic swap of two files (renameat2 RENAME_EXCHANGE), so that it can check what it replaced."""
    assert _LIBC is not None
    if _LIBC.renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2) != 0:
        raise OSError(ctypes.get_errno(), "renameat2", str(b))


def _can_exchange(folder: Path) -> bool:
    a, b = folder / "exchange-a", folder / "exchange-b"
    a.write_text("a")
    b.write_text("b")
    try:
        _exchange(a, b)
    except (OSError, AssertionError, AttributeError):
        return False
    finally:
        a.unlink()
        b.unlink()
    return True


@dataclass
class EditorLog:
    """What the editor saw: its last save (`edited: last`), the saves it found gone at the next read (`lost`),
    and the in-place saves whose file was renamed away while it wrote (`raced`)."""

    last: int = 0
    saves: int = 0
    lost: set[int] = field(default_factory=set)
    raced: set[int] = field(default_factory=set)

    def seen(self, data: bytes) -> bytes:
        found = EDITED.search(data)
        if found is None or int(found[1]) != self.last:
            self.lost.add(self.last)
        return EDITED.sub(b"edited: %d" % (self.saves,), data, count=1)


def _identity(found: os.stat_result) -> tuple[int, ...]:
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _save_swapped(note: Path, log: EditorLog) -> None:
    """Save through a temp file swapped in; a swap that displaced a version other than the one read is undone,
    and the save made again on what is there: a careful editor never overwrites what it has not seen."""
    tmp = note.with_name(".editor-save")
    while True:
        fd = os.open(note, os.O_RDONLY)
        try:
            read, data = os.fstat(fd), _read_all(fd)
        finally:
            os.close(fd)
        tmp.write_bytes(log.seen(data))
        _exchange(tmp, note)
        if _identity(os.lstat(tmp)) == _identity(read):
            tmp.unlink()
            return
        _exchange(tmp, note)
        tmp.unlink()


def _save_in_place(note: Path, log: EditorLog) -> None:
    """Save into the file itself, as read through the same descriptor."""
    fd = os.open(note, os.O_RDWR)
    try:
        new = log.seen(_read_all(fd))
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, new)
        os.ftruncate(fd, len(new))
        if _identity(os.fstat(fd))[:2] != _identity(os.stat(note))[:2]:
            log.raced.add(log.saves)  # renamed away while it wrote: vaultnet may put it back, or not
    finally:
        os.close(fd)


def _editor_process(note: str, stop: Any, report: Connection) -> None:
    log = EditorLog()
    while not stop.is_set():
        log.saves += 1
        (_save_swapped if log.saves % 2 else _save_in_place)(Path(note), log)
        log.last = log.saves
        time.sleep(EDITOR_PAUSE)
    log.seen(Path(note).read_bytes())
    report.send(log)
    report.close()


def test_an_editor_saving_in_a_loop_loses_no_save_and_vaultnet_reports_only_what_it_wrote(tmp_path: Path) -> None:
    """The editor saves every few milliseconds, through a swapped-in temp file and in place, while 30 `vaultnet
    log` run: no save of the editor is ever written over (each version it saved is still there when it saves
    next), and each `updated` entry is in the note afterwards; a log refused (the editor kept saving) says so.

    With leases (Linux) no save is lost at all: the editor's opens wait for vaultnet wherever it could otherwise see
    or write a file that is not, or no longer, the note (docs/security.md). Without them, the one save that may
    be lost is the documented one: an in-place save into a file that vaultnet renamed away as it was written, and
    could not put back (the editor sees its file gone from the note's place: `raced`)."""
    if not _can_exchange(tmp_path):
        pytest.skip("the editor of this test needs renameat2(RENAME_EXCHANGE)")
    vault = tmp_path / "vault"
    note = put(vault, "contacts/Anna.md", ANNA)
    stop = FORK.Event()
    receive, send = FORK.Pipe(duplex=False)
    editor = FORK.Process(target=_editor_process, args=(str(note), stop, send))
    editor.start()
    try:
        results = run_processes(log_commands(vault, 30), tmp_path)
    finally:
        stop.set()
        assert receive.poll(DEADLINE), "the editor did not report"
        log: EditorLog = receive.recv()
        editor.join(5)
        if editor.is_alive():
            editor.kill()
    assert log.saves > 30
    if leases_work(tmp_path):
        assert log.lost == set(), f"saves of the editor lost: {sorted(log.lost)} (in place, renamed away: {log.raced})"
    assert log.lost <= log.raced, f"saves of the editor written over: {sorted(log.lost - log.raced)}"
    written = check_logs(note, results)
    assert written > 0, [ran.output for ran in results]
    assert leftovers(vault) == []


# -- the moments between the last check and the rename, one at a time (with leases: test_hostile_leases.py) -------

SAVED = b"---\nname: Anna\nedited: 1\n---\n# Anna\n\n## Log\n"


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "rename"])
def test_without_leases_a_save_in_place_into_the_replaced_note_is_put_back(
    tmp_path: Path, monkeypatch: Any, exchange: bool
) -> None:
    """An editor that opened the note before vaultnet's rename writes into the file that was the note: vaultnet,
    which watches that file a moment longer, puts the save back and reports the note changed. (With leases the
    editor's open would wait for vaultnet: this editor, in vaultnet's own process, is the watch's case.)"""
    monkeypatch.setattr(atomic, "use_lease", False)
    monkeypatch.setattr(atomic, "use_exchange", exchange)
    note = put(tmp_path, "Anna.md", ANNA)
    editor = os.open(note, os.O_RDWR)  # opened before the rename, written after it
    real_sleep = time.sleep

    def editor_saves_meanwhile(seconds: float) -> None:
        os.write(editor, SAVED)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", editor_saves_meanwhile)
    try:
        with pytest.raises(atomic.Changed) as info:
            atomic.compare_and_swap(note, ANNA.encode(), ANNA.encode() + b"- 2026-11-21 entry 1\n")
    finally:
        os.close(editor)
    assert info.value.current == SAVED
    assert note.read_bytes() == SAVED
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("lease", [True, False], ids=["lease", "no-lease"])
def test_a_save_renamed_in_just_before_the_exchange_stays(tmp_path: Path, monkeypatch: Any, lease: bool) -> None:
    """The exchange takes an editor's save out of the note's place: with leases, the new note (which nobody could
    open yet) takes the save's bytes; without, the save is swapped back. Either way the note holds the save."""
    if atomic._renameat2 is None or not _can_exchange(tmp_path):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")
    monkeypatch.setattr(atomic, "use_lease", lease)
    note = put(tmp_path, "Anna.md", ANNA)
    real_exchange = atomic._exchange

    def editor_saves_first(a: Path, b: Path) -> bool:
        if not (tmp_path / ".editor").exists():
            (tmp_path / ".editor").write_bytes(SAVED)
            os.replace(tmp_path / ".editor", note)  # the editor's save lands after vaultnet's last check
            (tmp_path / ".editor").touch()
        return real_exchange(a, b)

    monkeypatch.setattr(atomic, "_exchange", editor_saves_first)
    with pytest.raises(atomic.Changed) as info:
        atomic.compare_and_swap(note, ANNA.encode(), ANNA.encode() + b"- 2026-11-21 entry 1\n")
    assert info.value.current == SAVED
    assert note.read_bytes() == SAVED
    (tmp_path / ".editor").unlink()
    assert leftovers(tmp_path) == []


def test_without_leases_a_log_whose_note_an_editor_saved_meanwhile_is_made_on_the_save(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(atomic, "use_lease", False)
    vault = tmp_path / "vault"
    note = put(vault, "contacts/Anna.md", ANNA)
    editor = os.open(note, os.O_RDWR)
    real_sleep = time.sleep
    saved: list[int] = []

    def editor_saves_once(seconds: float) -> None:
        if not saved:
            saved.append(os.write(editor, SAVED))
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", editor_saves_once)
    try:
        result = run("log", "anna", "entry 1", "-C", vault, "--today", DAY)
    finally:
        os.close(editor)
    assert result.exit_code == 0, result.output
    assert note.read_text(encoding="utf-8") == add_log_entry(SAVED.decode(), log_line(TODAY, "entry 1"))


# -- two builds at once ------------------------------------------------------------------------------------------

OTHER_DAY = "2026-12-24"


def reference_outputs(folder: Path, day: str) -> tuple[bytes, bytes]:
    """The follow-up note and the calendar of the sample vault on `day`, built alone."""
    vault = copy_sample(folder / f"reference-{day}")
    assert run("build", vault, "--today", day).exit_code == 0
    return (vault / "Follow-ups.md").read_bytes(), (vault / CACHE_DIR / "reminders.ics").read_bytes()


def test_builds_at_once_for_two_days_leave_the_outputs_of_one_of_them(tmp_path: Path) -> None:
    """Six builds at once, for two days: the follow-up note and the calendar are the pair one build wrote, never
    the note of one day beside the calendar of the other (the outputs' lock makes builds take turns)."""
    vault = copy_sample(tmp_path / "vault")
    days = [DAY, OTHER_DAY] * 3
    results = run_processes([["build", str(vault), "--today", day] for day in days], tmp_path)
    assert [ran.code for ran in results] == [0] * len(days), [ran.output for ran in results]
    written = ((vault / "Follow-ups.md").read_bytes(), (vault / CACHE_DIR / "reminders.ics").read_bytes())
    assert written in (reference_outputs(tmp_path, DAY), reference_outputs(tmp_path, OTHER_DAY))
    assert leftovers(vault) == []


def test_a_build_waits_for_the_outputs_lock(tmp_path: Path) -> None:
    vault = copy_sample(tmp_path / "vault")
    with locks.held(vault, locks.OUTPUTS_LOCK, timeout=1):  # another build, writing the outputs
        build = run_alone(["build", str(vault), "--today", DAY])
        time.sleep(0.5)
        assert build.is_alive() and not (vault / "Follow-ups.md").exists()
    build.join(DEADLINE)
    assert build.exitcode == 0
    assert (vault / "Follow-ups.md").read_bytes() == reference_outputs(tmp_path, DAY)[0]
