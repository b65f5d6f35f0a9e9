"""Benchmark ``vaultnet watch``: from saving a note to updated outputs on disk, and a ``git checkout``.

Run from the repository root::

    python3 benchmarks/bench_watch.py                           # 1,000 and 10,000 contacts, 7 edits
    python3 benchmarks/bench_watch.py --contacts 10000 --edits 11 --strict

For each vault size it:

1. Generates the seeded synthetic vault of ``bench_build.py`` (``generate_vault``), makes it a git repository
   (``.vaultnet/`` and ``Follow-ups.md`` git-ignored, as outputs usually are) and commits it, then commits a
   branch where 1,000 notes (not the ones edited in step 3) get a new log line, and goes back to ``main``.
   Every file's mtime is then set a day back: a real vault was not written a moment ago (the index re-reads
   notes younger than 2 s at every build). None of this is measured.
2. Starts a real :class:`vaultnet.watch.Watcher` in a thread of this process (inotify/FSEvents observer, the
   default debounce) with a fixed clock (``--today``), and waits for its first build (reported, no target).
3. **One edit**, ``--edits`` times: inserts a new log line at the top of ``## Log`` of a different contact
   note (an in-place save, as most editors do) and measures the time from just before the save to the end of
   the first build that read the note, taken in the watcher's ``on_build`` callback (the outputs are on disk
   by then). Each edit is checked on disk: its unique marker must be in the calendar (the birthday event's
   "Last contact" line). The median is reported.
4. **git checkout** of the branch, timed from the start of ``git checkout`` until the watcher has
   **settled**: no build for ``--quiet`` seconds after git exited and after the last build, and the calendar
   holds the marker of every changed note that has a birthday event. The time is taken at the end of the
   last build; the number of builds is reported.
5. Stops the watcher and builds the same files again from scratch (a new ``Session`` without cache): if that
   build would write anything different from the watcher's outputs, it is an error.

Targets (issue 4): one edit < 0.5 s at 10,000 contacts, including the debounce; a checkout of 1,000 notes
settles in < 5 s. The exit code is 0 when a target is missed (it prints ``MISSED``) unless ``--strict``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import DEFAULT_TODAY, generate_vault, machine_info

EDIT_TARGET_S = 0.5
CHECKOUT_TARGET_S = 5.0
TARGET_UP_TO = 10_000  # the targets are stated for vaults up to this many contacts
CHECKOUT_NOTES = 1000
BRANCH = "bench-checkout"
WAIT_LIMIT_S = 120.0  # give up on one measurement after this long
AGE_S = 86_400.0  # the generated notes are made one day old


@dataclass
class Build:
    """One build seen by the ``on_build`` callback."""

    ended: float  # perf_counter() when the callback ran: the outputs are written
    seconds: float  # how long the build itself took
    parsed: frozenset[str]
    line: str
    error: str | None


class Probe:
    """Collects the watcher's builds and log lines; lets the main thread wait for the next build."""

    def __init__(self) -> None:
        self.builds: list[Build] = []
        self.log_lines: list[str] = []
        self.cond = threading.Condition()

    def on_build(self, report: object) -> None:
        """The watcher's callback: runs in its thread, right after the outputs are written."""
        ended = time.perf_counter()
        result = getattr(report, "result", None)
        snap = getattr(result, "snapshot", None)
        parsed = frozenset(snap.refresh.parsed) if snap is not None else frozenset()
        build = Build(ended, report.seconds, parsed, report.line(), report.error)  # type: ignore[attr-defined]
        with self.cond:
            self.builds.append(build)
            self.cond.notify_all()

    def log(self, message: str) -> None:
        """The watcher's log function."""
        with self.cond:
            self.log_lines.append(message)

    def wait_for_build(self, after: int, deadline: float) -> bool:
        """Wait until more than ``after`` builds were seen; False at ``deadline`` (perf_counter)."""
        with self.cond:
            while len(self.builds) <= after:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return True


@dataclass
class SizeResult:
    """Everything measured for one vault size."""

    contacts: int
    n_files: int = 0
    mib: float = 0.0
    first_build_s: float | None = None
    edits: list[float] = field(default_factory=list)  # save -> outputs written
    edit_builds: list[float] = field(default_factory=list)  # the build's own time
    extra_edit_builds: int = 0
    checkout_git_s: float | None = None
    checkout_s: float | None = None
    checkout_builds: int = 0
    checkout_lines: list[str] = field(default_factory=list)
    checkout_notes: int = 0
    checked_markers: int = 0
    errors: list[str] = field(default_factory=list)
    log_lines: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# git
# --------------------------------------------------------------------------------------------

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
}
GIT_OPTIONS = ("-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "commit.gpgsign=false",
               "-c", "core.autocrlf=false")  # fmt: skip


def git(cwd: Path, *args: str) -> float:
    """Run git in ``cwd`` (isolated from the user's configuration); return its wall time."""
    started = time.perf_counter()
    proc = subprocess.run(
        ["git", *GIT_OPTIONS, *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
    return elapsed


def git_version() -> str:
    """``git --version`` or a note that git is missing."""
    try:
        return subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "git not found"


# --------------------------------------------------------------------------------------------
# Notes and markers
# --------------------------------------------------------------------------------------------


def add_log_line(path: Path, line: str) -> None:
    """Insert ``line`` at the top of the note's ``## Log`` section (or add the section); one in-place write."""
    text = path.read_text(encoding="utf-8")
    if "\n## Log\n" in text:
        text = text.replace("\n## Log\n", "\n## Log\n" + line + "\n", 1)
    else:
        text = text.rstrip("\n") + "\n\n## Log\n" + line + "\n"
    path.write_text(text, encoding="utf-8")


def shows_last_contact(path: Path, today: dt.date) -> bool:
    """Whether a log line dated ``today`` will show in the calendar: the contact has a birthday event (not
    archived) and no front-matter ``last_contact`` of today that could win the tie."""
    text = path.read_text(encoding="utf-8")
    front = text.split("\n---\n", 1)[0]
    return "\nbirthday:" in front and "\narchived: true" not in front and f"last_contact: {today}" not in front


def age_files(root: Path, seconds: float) -> None:
    """Move every file's mtime ``seconds`` into the past: a real vault was not written a moment ago, and the
    index re-reads notes younger than 2 s on every build (their mtime may not yet tell a later write apart)."""
    stamp = time.time_ns() - int(seconds * 1e9)
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(dirpath, name), ns=(stamp, stamp))


def calendar_text(root: Path) -> bytes:
    """The calendar as written, unfolded (a marker may be split by line folding)."""
    return (root / ".vaultnet" / "reminders.ics").read_bytes().replace(b"\r\n ", b"")


# --------------------------------------------------------------------------------------------
# Measuring one size
# --------------------------------------------------------------------------------------------


def measure_size(n_contacts: int, args: argparse.Namespace) -> SizeResult:
    """Generate a vault of ``n_contacts``, run a watcher on it and measure edits and a checkout."""
    from vaultnet.pipeline import Session
    from vaultnet.watch import Watcher

    res = SizeResult(n_contacts)
    today: dt.date = args.today
    tmp = Path(tempfile.mkdtemp(prefix="vaultnet-bench-watch-"))
    root = tmp / "vault"
    watcher: Watcher | None = None
    thread: threading.Thread | None = None
    probe = Probe()
    try:
        vault = generate_vault(root, n_contacts, args.notes, args.seed, today)
        res.n_files, res.mib = vault.n_files + 1, vault.n_bytes / 2**20
        (root / ".gitignore").write_text(".vaultnet/\nFollow-ups.md\n", encoding="utf-8")
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "synthetic vault")

        rng = random.Random(args.seed + 2)
        contacts = list(vault.contact_paths)
        eligible = [p for p in contacts if shows_last_contact(p, today)]
        edit_paths = rng.sample(eligible, min(args.edits, len(eligible)))

        # The branch for the checkout, made before the watcher starts: 1,000 notes get a new log line. The
        # notes edited below are not among them, so their uncommitted edits go along with the checkout.
        edited = set(edit_paths)
        others = [p for p in contacts if p not in edited]
        changed = rng.sample(others, min(CHECKOUT_NOTES, len(others)))
        if len(changed) < CHECKOUT_NOTES:
            plain = sorted((root / "notes").glob("*.md"))
            changed += rng.sample(plain, min(CHECKOUT_NOTES - len(changed), len(plain)))
        git(root, "checkout", "-q", "-b", BRANCH)
        expected: list[bytes] = []
        for j, path in enumerate(sorted(changed), 1):
            marker = f"wbench-branch-{j:05d}-z"
            add_log_line(path, f"- {today.isoformat()} meeting: {marker} #got")
            if path.parent.name == "contacts" and shows_last_contact(path, today):
                expected.append(marker.encode())
        git(root, "commit", "-q", "-a", "-m", f"change {len(changed)} notes")
        git(root, "checkout", "-q", "main")
        res.checkout_notes = len(changed)
        res.checked_markers = len(expected)
        age_files(root, AGE_S)
        git(root, "update-index", "-q", "--really-refresh")  # git's own stat cache, after the new mtimes

        watcher = Watcher(root, log=probe.log, clock=lambda: today, on_build=probe.on_build)
        started = time.perf_counter()
        thread = threading.Thread(target=watcher.run, name="bench-watcher", daemon=True)
        thread.start()
        if not probe.wait_for_build(0, started + WAIT_LIMIT_S):
            res.errors.append(f"no first build within {WAIT_LIMIT_S:.0f} s")
            return res
        res.first_build_s = probe.builds[0].ended - started
        time.sleep(args.pause)

        # -- one edit at a time ---------------------------------------------------------------------
        for i, path in enumerate(edit_paths, 1):
            rel = path.relative_to(root).as_posix()
            marker = f"wbench-edit-{i:03d}-z"
            before = len(probe.builds)
            saved = time.perf_counter()
            add_log_line(path, f"- {today.isoformat()} call: {marker} #gave")
            latency = build_s = None
            seen = before
            deadline = saved + WAIT_LIMIT_S
            while latency is None and probe.wait_for_build(seen, deadline):
                for build in probe.builds[seen:]:
                    if rel in build.parsed and marker.encode() in calendar_text(root):
                        latency, build_s = build.ended - saved, build.seconds
                        break
                seen = len(probe.builds)
            if latency is None or build_s is None:
                res.errors.append(f"edit {i} ({rel}): outputs not updated within {WAIT_LIMIT_S:.0f} s")
                continue
            res.edits.append(latency)
            res.edit_builds.append(build_s)
            time.sleep(args.pause)  # let a stray second build show up before the next edit
            res.extra_edit_builds += len(probe.builds) - before - 1

        # -- git checkout of 1,000 notes --------------------------------------------------------------
        before_checkout = len(probe.builds)

        checkout_started = time.perf_counter()
        git(root, "checkout", "-q", BRANCH)
        res.checkout_git_s = time.perf_counter() - checkout_started
        deadline = checkout_started + WAIT_LIMIT_S
        settled_at: float | None = None
        while time.perf_counter() < deadline:
            last_end = probe.builds[-1].ended if len(probe.builds) > before_checkout else checkout_started
            quiet_since = max(last_end, checkout_started + res.checkout_git_s)
            remaining = quiet_since + args.quiet - time.perf_counter()
            if remaining > 0:
                probe.wait_for_build(len(probe.builds), time.perf_counter() + remaining)
                continue
            if len(probe.builds) > before_checkout:
                data = calendar_text(root)
                missing = [m for m in expected if m not in data]
                if not missing:
                    settled_at = probe.builds[-1].ended
                    break
            probe.wait_for_build(len(probe.builds), min(deadline, time.perf_counter() + 1.0))
        if settled_at is None:
            res.errors.append(f"checkout: outputs did not reflect the branch within {WAIT_LIMIT_S:.0f} s")
        else:
            res.checkout_s = settled_at - checkout_started
        res.checkout_builds = len(probe.builds) - before_checkout
        res.checkout_lines = [b.line for b in probe.builds[before_checkout:]]
        res.errors += [f"build failed: {b.error}" for b in probe.builds if b.error is not None]

        # -- the watcher's outputs must equal a fresh build's ----------------------------------------
        watcher.stop()
        thread.join(30)
        if thread.is_alive():
            res.errors.append("the watcher did not stop within 30 s")
        fresh = Session(root, persist=False).build(today)
        for output in fresh.outputs:
            if output.changed:
                res.errors.append(f"{output.path.name}: the watcher's version differs from a fresh build")
        return res
    except Exception as exc:  # report, keep measuring the other sizes
        res.errors.append(f"{type(exc).__name__}: {exc}")
        return res
    finally:
        if watcher is not None:
            watcher.stop()
        if thread is not None:
            thread.join(30)
        res.log_lines = list(probe.log_lines)
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def verdict(value: float | None, target: float, applies: bool) -> tuple[str, bool]:
    """(text, missed) for a value against a ``< target`` goal."""
    if not applies:
        return "for information", False
    if value is None:
        return "**not measured**", True
    return ("ok", False) if value < target else ("**MISSED**", True)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse command-line arguments."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--contacts", type=int, nargs="+", default=[1000, 10_000], metavar="N",
                   help="vault sizes (default: 1000 10000)")  # fmt: skip
    p.add_argument("--edits", type=int, default=7, help="edits per size; the median is reported (default 7)")
    p.add_argument("--notes", type=int, default=200, help="plain notes without front matter (default 200)")
    p.add_argument("--seed", type=int, default=42, help="seed of the vault generator (default 42)")
    p.add_argument("--today", type=dt.date.fromisoformat, default=DEFAULT_TODAY, help="the watcher's date")
    p.add_argument("--pause", type=float, default=0.5, help="seconds between edits (default 0.5)")
    p.add_argument("--quiet", type=float, default=3.0,
                   help="seconds without a build after which a checkout counts as settled (default 3)")  # fmt: skip
    p.add_argument("--strict", action="store_true", help="exit 1 if a target is missed or an error occurs")
    args = p.parse_args(argv)
    if args.edits < 1 or min(args.contacts) < 1 or args.notes < 0:
        p.error("--edits and --contacts must be >= 1, --notes >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every size, print the Markdown report; return the exit code."""
    args = parse_args(argv)
    command = shlex.join([sys.executable, *(sys.argv if argv is None else ["benchmarks/bench_watch.py", *argv])])
    try:
        import watchdog.version
        from watchdog.observers import Observer

        import vaultnet.watch  # noqa: F401
    except ImportError as exc:
        print(f"vaultnet.watch not available ({exc}); nothing to measure.")
        return 1 if args.strict else 0

    print("# vaultnet watch benchmark\n")
    print(f"- command: `{command}`")
    for line in machine_info():
        print(line)
    watches = Path("/proc/sys/fs/inotify/max_user_watches")
    limit = f", fs.inotify.max_user_watches = {watches.read_text().strip()}" if watches.exists() else ""
    observer = getattr(Observer, "__name__", Observer)
    print(f"- watchdog {watchdog.version.VERSION_STRING} ({observer}){limit}; {git_version()}")
    if hasattr(os, "getloadavg"):
        print("- load average before the run (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(
        f"- watcher: in-process thread, default debounce; clock fixed at {args.today}; {args.edits} edit(s) per "
        f"size, {args.pause} s apart; a checkout is settled after {args.quiet} s without a build\n"
    )

    results = [measure_size(n, args) for n in args.contacts]

    print("| contacts | measurement | median s | target | ok? |")
    print("|---:|---|---:|---|---|")
    missed: list[str] = []
    for r in results:
        applies = r.contacts <= TARGET_UP_TO
        first = f"{r.first_build_s:.3f}" if r.first_build_s is not None else "n/a"
        edit = statistics.median(r.edits) if r.edits else None
        edit_build = statistics.median(r.edit_builds) if r.edit_builds else None
        text, miss = verdict(edit, EDIT_TARGET_S, applies)
        if miss:
            missed.append(f"one edit at {r.contacts} contacts")
        ctext, cmiss = verdict(r.checkout_s, CHECKOUT_TARGET_S, applies)
        if cmiss:
            missed.append(f"checkout at {r.contacts} contacts")
        print(f"| {r.contacts} | watcher start → first build (cold, {r.n_files} files, {r.mib:.1f} MiB) "
              f"| {first} | — | for information |")  # fmt: skip
        print(f"| {r.contacts} | save one note → outputs on disk (median of {len(r.edits)}) "
              f"| {edit:.3f} | < {EDIT_TARGET_S} s | {text} |" if edit is not None else
              f"| {r.contacts} | save one note → outputs on disk | n/a | < {EDIT_TARGET_S} s | {text} |")  # fmt: skip
        if edit_build is not None:
            print(f"| {r.contacts} | … of which the rebuild itself | {edit_build:.3f} | — | for information |")
        co = f"{r.checkout_s:.3f}" if r.checkout_s is not None else "n/a"
        git_s = f"{r.checkout_git_s:.2f}" if r.checkout_git_s is not None else "n/a"
        print(f"| {r.contacts} | `git checkout` of {r.checkout_notes} notes → settled ({r.checkout_builds} "
              f"build{'' if r.checkout_builds == 1 else 's'}; git itself {git_s} s) | {co} "
              f"| < {CHECKOUT_TARGET_S:.0f} s | {ctext} |")  # fmt: skip

    print("\n<details><summary>all runs</summary>\n")
    for r in results:
        print(f"- {r.contacts} contacts, save → outputs: " + (", ".join(f"{x:.3f}" for x in r.edits) or "—") + " s")
        print(f"- {r.contacts} contacts, the rebuilds: " + (", ".join(f"{x:.3f}" for x in r.edit_builds) or "—")
              + f" s; builds beyond one per edit: {r.extra_edit_builds}")  # fmt: skip
        print(f"- {r.contacts} contacts, checkout: {r.checked_markers} changed notes checked in the calendar; "
              "the watcher's lines:")  # fmt: skip
        for line in r.checkout_lines:
            print(f"  - `{line}`")
    print("\n</details>\n")

    errors = [(r.contacts, e) for r in results for e in r.errors]
    for contacts, error in errors:
        print(f"- ERROR at {contacts} contacts: {error}")
    for r in results:
        for line in r.log_lines:
            print(f"- watcher log at {r.contacts} contacts: {line}")
    if not errors:
        print("- outputs after the checkout are byte-identical to a fresh build's, at every size")
    for name in missed:
        print(f"MISSED: {name}")
    if missed or errors:
        print(f"\nRESULT: MISSED {len(missed)} target(s), {len(errors)} error(s).")
    else:
        print("\nRESULT: all targets met.")
    return 1 if (args.strict and (missed or errors)) else 0


if __name__ == "__main__":
    sys.exit(main())
