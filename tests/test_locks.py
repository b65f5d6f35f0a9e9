"""vaultnet.locks: the advisory locks between vaultnet processes (and threads), one at a time. Many processes at
once, killed holders and stale lock files are in test_hostile_locks.py."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from vaultnet import locks
from vaultnet.config import CACHE_DIR


def test_the_lock_folder_is_in_vaultnets_own_folder() -> None:
    assert locks.LOCK_DIR.startswith(CACHE_DIR + "/")


def test_a_lock_file_is_there_while_held_with_the_holders_pid_and_gone_after(tmp_path: Path) -> None:
    path = locks.lock_file(tmp_path, locks.CACHE_LOCK)
    with locks.held(tmp_path, locks.CACHE_LOCK, timeout=1):
        assert path.read_text() == f"{os.getpid()}\n"
    assert not path.exists()
    assert list((tmp_path / locks.LOCK_DIR).iterdir()) == []


@pytest.mark.parametrize("flock", [True, False], ids=["flock", "exclusive-file"])
def test_another_thread_waits_and_one_that_waits_too_long_is_told_who_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flock: bool
) -> None:
    monkeypatch.setattr(locks, "use_flock", flock)
    order: list[str] = []
    refused: list[locks.Busy] = []

    def patient() -> None:
        with locks.held(tmp_path, "x", timeout=5):
            order.append("patient")

    def impatient() -> None:
        try:
            with locks.held(tmp_path, "x", timeout=0.05):
                order.append("impatient")
        except locks.Busy as exc:
            refused.append(exc)

    with locks.held(tmp_path, "x", timeout=1):
        threads = [threading.Thread(target=patient), threading.Thread(target=impatient)]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
        order.append("holder")
    for thread in threads:
        thread.join(5)
    assert order == ["holder", "patient"]
    assert [exc.holder for exc in refused] == [str(os.getpid())]


def test_a_thread_that_holds_a_lock_takes_it_again_at_once(tmp_path: Path) -> None:
    """A nested write (the cache's lock taken again below a write that holds it) must not wait for itself."""
    started = time.monotonic()
    with locks.held(tmp_path, "x", timeout=1), locks.held(tmp_path, "x", timeout=1):
        assert locks.lock_file(tmp_path, "x").exists()
    assert time.monotonic() - started < 0.5
    assert not locks.lock_file(tmp_path, "x").exists()


def test_a_notes_lock_is_named_by_its_real_path_and_names_nothing_of_it(tmp_path: Path) -> None:
    note = tmp_path / "contacts" / "Anna Schmidt.md"
    note.parent.mkdir()
    note.write_text("x\n")
    (tmp_path / "link.md").symlink_to(note)
    name = locks.note_lock_name(note)
    assert (
        name
        == locks.note_lock_name(tmp_path / "link.md")
        == locks.note_lock_name(tmp_path / "contacts/../contacts/Anna Schmidt.md")
    )
    assert name != locks.note_lock_name(tmp_path / "contacts" / "Ben.md")
    assert "Anna" not in name and name.startswith("note-")
