"""`kill -9` at any moment of a build leaves nothing that the next build does not repair (issue 11).

A generated vault of a few hundred notes (tests/vaultgen.py) is built by `vaultnet build` in a real process, which
is sent SIGKILL after a delay; then `vaultnet build` runs again, and must exit 0 and write the outputs of a cold
build of a clean copy, byte for byte, and leave the notes as they were. The delays are spread over the build's
duration, measured first in the same run (the start of the interpreter apart), with a little seeded jitter; some
trials kill twice before the repair. The same for a build after one note changed, on a vault with a full cache.

Only the command line and the files on disk are used: nothing here knows how the cache is kept, so the test holds
for any cache format.
"""

from __future__ import annotations

import difflib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from vaultgen import SETTINGS, generated_vault
from vaultkit import DAY, MTIME_NS, checkout_env, vault_files, write_vault

from vaultnet.atomic import STALE_SECONDS, TEMP_PREFIX, TEMP_SUFFIX
from vaultnet.config import CACHE_DIR

pytestmark = pytest.mark.slow  # 15-50 s of processes: some fifty builds of a few hundred notes

FOLLOWUPS = "Follow-ups.md"
CALENDAR = f"{CACHE_DIR}/reminders.ics"
VAULTNET = [sys.executable, "-c", "from vaultnet.cli import main; main()"]
KILLS = 6  # kills spread over one build's duration (and one more during the interpreter's start)
CHANGED = "contacts/Anna Schmidt.md"  # the note changed for the one-changed builds


def vaultnet(*args: str | Path) -> subprocess.Popen[bytes]:
    """`vaultnet ARGS` in a process of its own, running this checkout's code."""
    command = [*VAULTNET, *(str(a) for a in args)]
    return subprocess.Popen(command, env=checkout_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def build(root: Path) -> float:
    """`vaultnet build ROOT` to its end, which must be a success; how long it took, in seconds."""
    started = time.perf_counter()
    proc = vaultnet("build", root, "--today", DAY)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, f"vaultnet build exited {proc.returncode}:\n{out.decode()}{err.decode()}"
    return time.perf_counter() - started


def start_up() -> float:
    """How long the interpreter takes to start and answer `vaultnet --version`, in seconds: the least of three
    runs, as the build's own time is the least of two (a busy machine only makes a run slower)."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        vaultnet("--version").communicate(timeout=60)
        times.append(time.perf_counter() - started)
    return min(times)


def outputs(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in (FOLLOWUPS, CALENDAR)}


def notes_of(root: Path) -> dict[str, bytes]:
    """Every file of the vault but vaultnet's (the cache folder and the outputs): the notes and settings."""
    return {rel: data for rel, data in vault_files(root).items() if rel != FOLLOWUPS}


def copy(src: Path, dest: Path, cache: bool) -> Path:
    """A copy of the vault `src` (with its `.vaultnet/` and outputs if `cache`), mtimes kept."""
    ignore = None if cache else shutil.ignore_patterns(CACHE_DIR, FOLLOWUPS)
    return Path(shutil.copytree(src, dest, ignore=ignore))


def change_one_note(root: Path) -> None:
    """One note changed: a log line more, and a later (old, so trusted) mtime."""
    path = root / CHANGED
    path.write_text(path.read_text(encoding="utf-8").replace("## Log\n\n", "## Log\n\n- 2026-11-19 call: ok\n"))
    os.utime(path, ns=(MTIME_NS + 60_000_000_000,) * 2)


@dataclass(frozen=True)
class Kill:
    """What one killed build left: when it was killed, how it ended, and which outputs and cache existed."""

    delay: float
    killed: bool  # False: it had ended by itself before the signal
    state: str

    def __str__(self) -> str:
        return f"{self.delay:.3f}s {'killed' if self.killed else 'ended'} ({self.state})"


def kill_after(root: Path, delay: float, anchor: str | None = None) -> Kill:
    """Start `vaultnet build ROOT`, send it SIGKILL `delay` seconds after its start (or after the path `anchor`
    below ROOT appeared, if given: the build has begun its work), and wait for it to be gone."""
    proc = vaultnet("build", root, "--today", DAY)
    if anchor is not None:
        deadline = time.monotonic() + 60
        while not (root / anchor).exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)  # nothing if it has already ended (Popen knows its exit)
    proc.communicate(timeout=60)
    there = [name for name, rel in (("cache folder", CACHE_DIR), ("follow-ups", FOLLOWUPS)) if (root / rel).exists()]
    return Kill(delay, proc.returncode == -signal.SIGKILL, ", ".join(there) or "nothing")


def spread(first: float, span: float, seed: int) -> list[float]:
    """`KILLS` delays spread evenly over [first, first + span], each at a seeded random point of its slice."""
    rng = random.Random(seed)
    return [first + span * (i + rng.random()) / KILLS for i in range(KILLS)]


def leftovers(root: Path) -> list[Path]:
    """vaultnet's temp files outside its own folder: a killed write leaves one beside the follow-up note."""
    return [p for p in root.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}") if p.is_file()]


def repaired(trial: Path, want: dict[str, bytes], notes: dict[str, bytes], kills: list[Kill], builds: int) -> list[str]:
    """Run `vaultnet build` `builds` times after the kills: what is wrong with the outputs or the notes
    (nothing: []).

    A temp file that a killed write left may stay for a minute (a build cannot tell it from one that another
    vaultnet process is writing right now), so the repair may leave it; before a second build it is made a
    minute old, and that build must remove it."""
    wrong = []
    for n, attempt in enumerate(("repair", "next build", "third build")[:builds]):
        for left in leftovers(trial) if n else []:
            aged = left.stat().st_mtime - 2 * STALE_SECONDS
            os.utime(left, (aged, aged))
        build(trial)
        got = outputs(trial)
        wrong += [
            f"{attempt}: {rel} is not the cold build's:\n{diff(want[rel], got[rel])}"
            for rel in want
            if got[rel] != want[rel]
        ]
    found = notes_of(trial)
    if builds == 1:
        found = {rel: data for rel, data in found.items() if trial / rel not in leftovers(trial)}
    if found != notes:
        wrong.append(f"the notes changed: {sorted(set(found) ^ set(notes))}")
    return [f"{trial}, after kills at {', '.join(map(str, kills))}: {w}" for w in wrong]


def diff(want: bytes, got: bytes, limit: int = 30) -> str:
    """The first `limit` lines of a unified diff of two outputs."""
    lines = difflib.unified_diff(
        want.decode("utf-8").splitlines(), got.decode("utf-8").splitlines(), "cold", "repaired", lineterm="", n=1
    )
    return "\n".join(list(lines)[:limit])


def kill_trials(
    make: Callable[[Path], Path], plan: list[tuple[float, str | None]], reference: Path, folder: Path
) -> list[Kill]:
    """For each (delay, anchor) of `plan`, a trial vault made by `make` whose build is killed (every third one
    twice, before any repair), then repaired; the test fails unless every repair (and the build after it, for
    every other trial) gives `reference`'s outputs. What the kills were."""
    want, notes = outputs(reference), notes_of(reference)
    trials, wrong = [], []
    for n, (delay, anchor) in enumerate(plan):
        trial = make(folder / f"trial-{n}")
        kills = [kill_after(trial, delay, anchor)]
        if n % 3 == 2:
            kills.append(kill_after(trial, delay / 2, anchor))
        trials += kills
        found = repaired(trial, want, notes, kills, builds=1 + n % 2)  # and every other time, once more
        if not found:
            shutil.rmtree(trial)  # else kept, to be looked at
        wrong += found
    assert wrong == [], "\n".join(wrong)
    return trials


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred notes: the cast of the equivalence test and 300 fillers, at the fixed mtime."""
    return write_vault(tmp_path_factory.mktemp("kill") / "vault", generated_vault(300, seed=5), SETTINGS)


def test_a_build_killed_at_any_moment_is_repaired_by_the_next(vault: Path, tmp_path: Path) -> None:
    reference = copy(vault, tmp_path / "reference", cache=False)
    total = min(build(copy(vault, tmp_path / f"timing-{n}", cache=False)) for n in range(2))
    build(reference)
    start = start_up()
    # The start of an interpreter varies more than a build of a few hundred notes lasts: the clock of most kills
    # starts when the build makes vaultnet's folder (where the calendar goes), the first trace of its work on disk.
    plan: list[tuple[float, str | None]] = [
        (start / 2, None),
        *((d, CACHE_DIR) for d in spread(0.0, max(total - start, 0.1), seed=1)),
    ]
    kills = kill_trials(lambda dest: copy(vault, dest, cache=False), plan, reference, tmp_path)
    # The kills landed while it ran, some of them in the middle of the work: not all before or after it.
    shown = "\n".join(map(str, kills))
    assert sum(kill.killed for kill in kills) >= KILLS // 2, shown
    assert any(k.killed and k.state == "cache folder" for k in kills), shown


def test_a_build_after_one_change_killed_at_any_moment_is_repaired_by_the_next(vault: Path, tmp_path: Path) -> None:
    cached = copy(vault, tmp_path / "cached", cache=False)
    build(cached)  # a full cache and the outputs, as after yesterday's build

    def changed(dest: Path, cache: bool = True) -> Path:
        root = copy(cached, dest, cache=cache)
        change_one_note(root)
        return root

    reference = changed(tmp_path / "reference", cache=False)
    build(reference)
    total = min(build(changed(tmp_path / f"timing-{n}")) for n in range(2))
    start = start_up()
    # No new folder marks the start of this build's work: the kills are timed from the process's start, over
    # the build's measured time (and the late ones past its end, where a slower run may still be writing).
    plan: list[tuple[float, str | None]] = [
        (d, None) for d in [start / 2, *spread(start * 0.9, max(total - start, 0.05) * 1.3, seed=2)]
    ]
    kills = kill_trials(changed, plan, reference, tmp_path)
    assert sum(kill.killed for kill in kills) >= KILLS // 2, "\n".join(map(str, kills))
