"""Hostile cases of issue 10 for what vaultnet leaves behind: the temp file of a command killed mid-write (removed
by the next command that writes there, once it is a minute old, and nothing else with it), and what is left in
`.vaultnet/` after a command (no journal of SQLite's, no lock: only what is kept on purpose).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from processes import DEADLINE, FORK, cli_process, leftovers, wait_for
from vaultkit import DAY, copy_sample, put, run

from vaultnet.cache import CACHE_NAME
from vaultnet.config import CACHE_DIR
from vaultnet.pipeline import Session
from vaultnet.snapshot import JOURNAL_NAME, SNAPSHOT_NAME

pytestmark = pytest.mark.hostile

ANNA = "---\nname: Anna\n---\n# Anna\n\n## Log\n"


def _stuck_in_fsync(args: list[str]) -> None:
    """In a forked process: run the command line, and hang in the first fsync (a temp file is half made)."""
    os.fsync = lambda fd: time.sleep(DEADLINE)
    cli_process(args, os.devnull, FORK.Barrier(1))


def kill_while_writing(args: list[str], folder: Path) -> Path:
    """Run the command, `kill -9` it while it writes a temp file in `folder`, and return that temp file."""
    proc = FORK.Process(target=_stuck_in_fsync, args=(args,))
    proc.start()
    try:
        wait_for(lambda: any(folder.glob(".vaultnet-tmp-*.tmp")))
    finally:
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(5)
    (temp,) = folder.glob(".vaultnet-tmp-*.tmp")
    return temp


def age(path: Path, seconds: float = 120.0) -> None:
    os.utime(path, (time.time() - seconds, time.time() - seconds), follow_symlinks=False)


def test_a_build_killed_mid_write_leaves_a_temp_file_the_next_build_removes(tmp_path: Path) -> None:
    vault = copy_sample(tmp_path / "vault")
    temp = kill_while_writing(["build", str(vault), "--today", DAY], vault)
    assert run("build", vault, "--today", DAY).exit_code == 0
    assert temp.exists()  # less than a minute old: it may be another build's, still writing
    age(temp)
    assert run("build", vault, "--today", DAY).exit_code == 0
    assert not temp.exists()
    assert leftovers(vault) == []


def test_a_log_killed_mid_write_leaves_a_temp_file_the_next_write_there_removes(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    put(vault, "contacts/Anna.md", ANNA)
    temp = kill_while_writing(["log", "anna", "entry 1", "-C", str(vault), "--today", DAY], vault / "contacts")
    age(temp)
    assert run("log", "anna", "entry 2", "-C", vault, "--today", DAY).exit_code == 0
    assert leftovers(vault) == []


def test_only_vaultnets_own_stale_temp_files_are_removed(tmp_path: Path) -> None:
    vault = copy_sample(tmp_path / "vault")
    ours = [".vaultnet-tmp-abc123.tmp", ".Follow-ups.md.k2x_9qzt.tmp"]  # and the name earlier versions gave
    others = [".vaultnet-tmp-notes.md", "notes.tmp", ".Follow-ups.md.backup.tmp", ".Anna.md.k2x_9qzt.tmp"]
    for name in [*ours, *others]:
        age(put(vault, name, "x\n"))
    fresh = put(vault, ".vaultnet-tmp-fresh.tmp", "another build, writing now\n")
    (vault / ".vaultnet-tmp-folder.tmp").mkdir()
    os.symlink(tmp_path / "outside.tmp", vault / ".vaultnet-tmp-link.tmp")
    age(vault / ".vaultnet-tmp-link.tmp")
    assert run("build", vault, "--today", DAY).exit_code == 0
    names = {p.name for p in vault.iterdir()}
    assert names.isdisjoint(ours)
    assert names >= {*others, fresh.name, ".vaultnet-tmp-folder.tmp", ".vaultnet-tmp-link.tmp"}


# What a command keeps in `.vaultnet/` on purpose, for the next one: the snapshot and its journal (`snapshot`),
# SQLite's file of the last build and of what `due` printed (`cache`), and the calendar a build writes there.
KEPT = {
    "build": [SNAPSHOT_NAME, CACHE_NAME, "reminders.ics"],
    "check": [SNAPSHOT_NAME],
    "due": [SNAPSHOT_NAME, CACHE_NAME],
}


@pytest.mark.parametrize("command", [["build"], ["check"], ["due"], ["log", "anna", "entry 1"]])
def test_a_command_leaves_no_journal_and_no_lock_in_vaultnets_folder(tmp_path: Path, command: list[str]) -> None:
    """No journal of SQLite's (`cache.sqlite-journal`, `-wal`, `-shm`), no lock file, no temp file: only what is
    kept on purpose; the snapshot's journal, when there is one, holds only whole records of its snapshot."""
    vault = copy_sample(tmp_path / "vault")
    for _ in range(2):  # a first run makes the cache, a second one reads and updates it
        result = run(*command, "-C", vault, env={"VAULTNET_TODAY": DAY})
        assert result.exit_code in (0, 1), result.output  # the sample vault has a broken note: check exits 1
    found = sorted(p.relative_to(vault / CACHE_DIR).as_posix() for p in (vault / CACHE_DIR).rglob("*"))
    made = KEPT.get(command[0], [SNAPSHOT_NAME, JOURNAL_NAME])  # `log`: the second run's edit, a journal record
    assert found == sorted([".gitignore", "locks", *made])  # `locks/` is empty between commands
    if JOURNAL_NAME in made:
        loaded = Session(vault).keeper.store.load()
        assert loaded is not None and len(loaded[1]) == 1
