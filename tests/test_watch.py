"""`vaultnet watch`: a real Watcher (a real watchdog observer, in a thread) on temporary vaults.

Each test changes the vault the way an editor, git or a file manager does and waits (polling, up to WAIT
seconds) until the outputs on disk show the change; nothing here asserts how long anything took.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from vaultkit import OLD_NS, TODAY, write_vault
from vaultkit import installed_script as _script
from vaultkit import put_old as put

from vaultnet.watch import Report, Watcher, relevant

WAIT = 10.0  # seconds a test waits for the watcher before it fails

ANNA = "---\ncompany: Acme\ncircle: close\nlast_contact: 2026-11-01\n---\n"
BEN = "---\nname: Ben Okafor\nfollow_up: 2026-11-19\n---\n"
IDEAS = "Ideas for the meetup, no front matter.\n"
OUT_TOML = '[outputs]\nfollowups = "out/Follow-ups.md"\ncalendar = "out/reminders.ics"\n'

ANNA_LINE = "[[contacts/Anna|Anna]]"
BEN_LINE = "[[contacts/Ben|Ben Okafor]]"


def read(path: Path) -> str:
    """A file's text, or "" while it does not exist (or is not a file)."""
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return ""


def followups(root: Path, rel: str = "Follow-ups.md") -> str:
    return read(root / rel)


def calendar(root: Path, rel: str = ".vaultnet/reminders.ics") -> str:
    return read(root / rel)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll `condition` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


class Day:
    """An injectable clock: a mutable date the test moves on."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


class Running:
    """A Watcher running in its own thread, with everything it reported and logged."""

    def __init__(self, root: Path, **options: Any) -> None:
        self.root = root
        self.reports: list[Report] = []
        self.logs: list[str] = []
        self.crash: BaseException | None = None
        self.checked = False
        options.setdefault("debounce", 0.1)
        options.setdefault("tick", 0.1)
        options.setdefault("clock", Day(TODAY))
        self.clock = options["clock"]
        also = options.pop("on_build", None)

        def on_build(report: Report) -> None:
            self.reports.append(report)
            if also is not None:
                also(report)

        self.watcher = Watcher(root, log=self.logs.append, on_build=on_build, **options)
        self.thread = threading.Thread(target=self._run, name="test-watcher", daemon=True)
        self.thread.start()
        wait_for(lambda: len(self.reports) >= 1 or self.crash is not None, "the first build")
        assert self.crash is None, self.crash

    def _run(self) -> None:
        try:
            self.watcher.run()
        except BaseException as exc:  # shown by the test instead of vanishing with the thread
            self.crash = exc

    @property
    def builds(self) -> int:
        return len(self.reports)

    def wait_report(self, condition: Callable[[Report], bool], what: str, after: int = 0) -> Report:
        """The first report from index `after` on that meets `condition` (waiting for it)."""
        found: list[Report] = []

        def check() -> bool:
            found[:] = [r for r in self.reports[after:] if condition(r)]
            return bool(found)

        wait_for(check, what)
        return found[0]

    def settle(self, quiet: float = 0.6) -> int:
        """Wait until no build has started for `quiet` seconds; the number of builds then."""
        deadline = time.monotonic() + WAIT
        while True:
            count = self.builds
            time.sleep(quiet)
            if self.builds == count:
                return count
            if time.monotonic() > deadline:
                pytest.fail(f"the watcher kept building: {self.builds} builds so far")

    def assert_alive(self) -> None:
        self.checked = True  # the test reports a crash itself: the fixture's teardown need not again
        assert self.crash is None, f"the watcher died: {self.crash!r}"
        assert self.thread.is_alive(), "the watcher's thread ended"

    def stop(self) -> None:
        self.watcher.stop()
        self.thread.join(timeout=WAIT)
        assert not self.thread.is_alive(), "Watcher.run() did not end after stop()"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    notes = {"contacts/Anna.md": ANNA, "contacts/Ben.md": BEN, "notes/Ideas.md": IDEAS}
    return write_vault(tmp_path / "vault", notes, mtime_ns=OLD_NS)


@pytest.fixture
def start() -> Iterator[Callable[..., Running]]:
    """start(root, **Watcher options) -> a running watcher, stopped (and checked not crashed) at teardown."""
    running: list[Running] = []

    def _start(root: Path, **options: Any) -> Running:
        r = Running(root, **options)
        running.append(r)
        return r

    yield _start
    for r in running:
        r.stop()
    for r in running:
        assert r.checked or r.crash is None, f"the watcher died: {r.crash!r}"


def ben_renamed(root: Path, name: str) -> Callable[[], bool]:
    """Both outputs show Ben under `name` and no longer as Ben Okafor."""

    def check() -> bool:
        notes, ics = followups(root), calendar(root)
        return (
            f"[[contacts/Ben|{name}]]" in notes
            and f"SUMMARY:Get back to {name}" in ics
            and "Ben Okafor" not in notes + ics
        )

    return check


def no_problem_section(root: Path) -> bool:
    return "## Problems in notes and settings" not in followups(root)


# -- the first build ------------------------------------------------------------------------------------------


def test_the_watcher_builds_once_on_start(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault)
    first = r.reports[0]
    assert first.error is None
    assert first.day == TODAY
    assert first.result is not None and first.result.contacts == 2 and first.result.due == 1
    assert followups(vault).startswith("# Follow-ups for Saturday 2026-11-21\n")
    assert BEN_LINE in followups(vault) and ANNA_LINE in followups(vault)
    assert "SUMMARY:Get back to Ben Okafor" in calendar(vault)
    assert re.fullmatch(r"2026-11-21: 3 notes read; wrote Follow-ups\.md, reminders\.ics; 1 due; 0 problems \(\d+ ms\)",
                        first.line())  # fmt: skip


# -- what editors do ------------------------------------------------------------------------------------------


def test_an_in_place_save_is_seen(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault)
    with open(vault / "contacts/Ben.md", "w", encoding="utf-8") as handle:  # truncate and write, as most editors
        handle.write(BEN.replace("Ben Okafor", "Ben Changed"))
    wait_for(ben_renamed(vault, "Ben Changed"), "the in-place save in the outputs")
    assert ANNA_LINE in followups(vault)
    assert r.reports[-1].error is None


@pytest.mark.parametrize("temp_name", [".Ben.md.tmp-x1y2", "Ben.md.1a2b3c"], ids=["hidden-temp", "suffixed-temp"])
def test_an_atomic_save_is_seen(vault: Path, start: Callable[..., Running], temp_name: str) -> None:
    start(vault)
    temp = vault / "contacts" / temp_name
    temp.write_text(BEN.replace("Ben Okafor", "Ben Atomic"), encoding="utf-8")
    os.replace(temp, vault / "contacts/Ben.md")  # the change arrives as a move onto the note
    wait_for(ben_renamed(vault, "Ben Atomic"), "the atomic save in the outputs")
    assert not temp.exists()


def test_a_vim_style_save_is_seen_and_its_swap_and_probe_files_do_no_harm(
    vault: Path, start: Callable[..., Running]
) -> None:
    r = start(vault)
    contacts = vault / "contacts"
    swap = contacts / ".Ben.md.swp"
    swap.write_bytes(b"b0VIM 9.0\x00\x00binary swap data\xff\xfe")  # vim opens the note
    probe = contacts / "4913"
    probe.write_bytes(b"")  # vim checks it may write in the folder...
    probe.unlink()
    os.rename(contacts / "Ben.md", contacts / "Ben.md~")  # ...moves the original away as the backup...
    (contacts / "Ben.md").write_text(BEN.replace("Ben Okafor", "Ben Vim"), encoding="utf-8")  # ...writes anew
    (contacts / "Ben.md~").unlink()  # ...and drops the backup
    wait_for(ben_renamed(vault, "Ben Vim"), "the vim-style save in the outputs")
    r.settle()
    assert ANNA_LINE in followups(vault)
    assert no_problem_section(vault)
    assert all(rep.error is None and not rep.new_problems for rep in r.reports)
    swap.unlink()  # vim quits


def test_a_renamed_note_is_seen(vault: Path, start: Callable[..., Running]) -> None:
    start(vault)
    os.rename(vault / "contacts/Ben.md", vault / "contacts/Benjamin.md")

    def renamed() -> bool:
        notes, ics = followups(vault), calendar(vault)
        return "[[contacts/Benjamin|Ben Okafor]]" in notes and "Note: contacts/Benjamin.md" in ics

    wait_for(renamed, "the renamed note in the outputs")
    assert BEN_LINE not in followups(vault)
    assert "Note: contacts/Ben.md" not in calendar(vault)


def test_a_deleted_note_is_seen(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault)
    (vault / "contacts/Ben.md").unlink()
    wait_for(lambda: "Ben Okafor" not in followups(vault) + calendar(vault), "the deleted note gone from the outputs")
    assert ANNA_LINE in followups(vault)
    assert "Nobody is due today" in followups(vault)
    assert r.reports[-1].error is None


def test_delete_then_create_as_git_checkout_does_is_seen(vault: Path, start: Callable[..., Running]) -> None:
    start(vault)
    for name in ("Anna", "Ben"):
        (vault / "contacts" / f"{name}.md").unlink()
    put(vault, "contacts/Anna.md", ANNA.replace("Acme", "Globex"), mtime_ns=None)
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Checkout"), mtime_ns=None)
    wait_for(
        lambda: (
            ben_renamed(vault, "Ben Checkout")() and "Globex" in followups(vault) and "Acme" not in followups(vault)
        ),
        "both recreated notes in the outputs",
    )


def test_a_folder_moved_in_and_one_moved_out_are_seen(
    tmp_path: Path, vault: Path, start: Callable[..., Running]
) -> None:
    outside = tmp_path / "outside" / "team"
    for name in ("Carla", "Dan", "Eve"):
        put(outside.parent, f"team/{name}.md", f"---\nname: {name} Team\nfollow_up: 2026-11-20\n---\n")
    put(vault, "contacts/old/Olga.md", "---\nname: Olga Old\nfollow_up: 2026-11-18\n---\n")
    r = start(vault)
    assert "Olga Old" in followups(vault)

    os.rename(outside, vault / "contacts" / "team")
    wait_for(
        lambda: all(f"[[contacts/team/{n}|{n} Team]]" in followups(vault) for n in ("Carla", "Dan", "Eve")),
        "the notes of the folder moved in",
    )
    assert "## Follow-ups (5)" in followups(vault)
    r.settle()

    os.rename(vault / "contacts" / "old", tmp_path / "old-moved-out")  # e.g. to the desktop's trash
    wait_for(lambda: "Olga Old" not in followups(vault) + calendar(vault), "the notes of the folder moved out gone")
    assert "## Follow-ups (4)" in followups(vault)
    assert r.reports[-1].error is None


def test_a_folder_with_a_dot_in_its_name_moved_out_is_seen(
    tmp_path: Path, vault: Path, start: Callable[..., Running]
) -> None:
    """Moving a folder out (to the desktop's trash, as Obsidian deletes by default) gives one event: the folder's.
    A folder named like "Acme Inc." has a dot, but it is still a folder of notes."""
    put(vault, "contacts/Acme Inc./Olga.md", "---\nname: Olga Acme\nfollow_up: 2026-11-18\n---\n")
    r = start(vault)
    assert "Olga Acme" in followups(vault)
    r.settle()  # no build is pending that would find the folder gone by chance
    os.rename(vault / "contacts" / "Acme Inc.", tmp_path / "Acme Inc.")
    wait_for(lambda: "Olga Acme" not in followups(vault) + calendar(vault), "the notes of the folder moved out gone")


# -- bursts and loops -----------------------------------------------------------------------------------------


def test_a_burst_of_500_changed_notes_is_a_few_builds_and_all_show(
    tmp_path: Path, start: Callable[..., Running]
) -> None:
    root = tmp_path / "big"
    names = [f"{i:03d}" for i in range(500)]
    for n in names:
        put(root, f"contacts/p/P{n}.md", f"---\nname: Person {n}\nfollow_up: 2026-11-01\n---\n")
    r = start(root)
    before = r.settle()
    assert followups(root).count("[[contacts/p/P") == 500

    for n in names:  # as a `git pull` of 500 changed notes
        put(root, f"contacts/p/P{n}.md", f"---\nname: Renamed {n}\nfollow_up: 2026-11-01\n---\n", mtime_ns=None)

    def all_renamed() -> bool:
        notes, ics = followups(root), calendar(root)
        return (
            all(f"[[contacts/p/P{n}|Renamed {n}]]" in notes for n in names)
            and "Person " not in notes
            and ics.count("SUMMARY:Get back to Renamed ") == 500
            and "Person " not in ics
        )

    wait_for(all_renamed, "all 500 changed notes in the outputs")
    after = r.settle()
    assert "## Follow-ups (500)" in followups(root)
    assert 1 <= after - before <= 10, f"{after - before} builds for one burst of 500 changes"
    assert all(rep.error is None for rep in r.reports)


def test_the_watchers_own_outputs_do_not_trigger_builds(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault)
    before = r.settle()
    temp = vault / "contacts" / ".Ben.md.tmp"
    temp.write_text(BEN.replace("Ben Okafor", "Ben Loop"), encoding="utf-8")
    os.replace(temp, vault / "contacts/Ben.md")  # one event: the move onto the note
    wait_for(ben_renamed(vault, "Ben Loop"), "the change in the outputs")
    settled = r.settle()
    assert settled == before + 1  # writing the outputs did not start another build
    time.sleep(1.0)  # a loop would show as more builds within this second
    assert r.builds == settled


def test_outputs_in_a_visible_folder_do_not_trigger_builds(vault: Path, start: Callable[..., Running]) -> None:
    put(vault, "vaultnet.toml", OUT_TOML)
    r = start(vault)
    assert "Ben Okafor" in followups(vault, "out/Follow-ups.md")
    before = r.settle()
    temp = vault / "contacts" / ".Ben.md.tmp"
    temp.write_text(BEN.replace("Ben Okafor", "Ben Out"), encoding="utf-8")
    os.replace(temp, vault / "contacts/Ben.md")
    wait_for(lambda: "[[contacts/Ben|Ben Out]]" in followups(vault, "out/Follow-ups.md"), "the change in out/")
    settled = r.settle()
    assert settled == before + 1
    time.sleep(1.0)
    assert r.builds == settled
    assert not (vault / "Follow-ups.md").exists()


def test_ignored_files_do_not_trigger_builds(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault)
    settled = r.settle()
    put(vault, ".git/objects/ab/cdef", "blob", mtime_ns=None)
    put(vault, ".obsidian/workspace.json", "{}", mtime_ns=None)
    put(vault, ".trash/Old.md", "---\nname: Trashed\nfollow_up: 2026-11-01\n---\n", mtime_ns=None)
    put(vault, "contacts/.Anna.md.swp", "swap", mtime_ns=None)
    put(vault, "contacts/Anna.md~", "backup", mtime_ns=None)
    put(vault, "contacts/4913", "", mtime_ns=None)
    put(vault, "contacts/photo.png", "png", mtime_ns=None)
    time.sleep(1.0)  # nothing relevant changed: no build may start in this second
    assert r.builds == settled
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben After"), mtime_ns=None)  # a real change still is one
    wait_for(ben_renamed(vault, "Ben After"), "the real change in the outputs")
    assert "Trashed" not in followups(vault)


# -- problems -------------------------------------------------------------------------------------------------


def test_a_broken_note_keeps_its_last_good_version_is_reported_once_and_clears_when_fixed(
    vault: Path, start: Callable[..., Running]
) -> None:
    r = start(vault)
    # Half-typed: the company is being changed and the YAML is not closed yet.
    put(vault, "contacts/Anna.md", "---\ncompany: Glob\ncircle: [clo\nlast_contact: 2026-11-01\n---\n", mtime_ns=None)
    report = r.wait_report(lambda rep: bool(rep.new_problems), "the broken note reported")
    assert [p.path for p in report.new_problems] == ["contacts/Anna.md"]
    assert report.new_problems[0].severity == "error"
    notes = followups(vault)
    assert (
        "- Tue 01 Dec — [[contacts/Anna|Anna]] — last contact on 2026-11-01; your rhythm is every 30d — Acme" in notes
    )
    assert "Glob" not in notes.split("## Problems")[0]
    assert "## Problems in notes and settings (1)" in notes
    assert "`contacts/Anna.md:" in notes
    assert "Acme" in calendar(vault) and "Get back to Anna" in calendar(vault)

    # Another change while the note is still broken: the problem is not reported again, Anna stays.
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Meanwhile"), mtime_ns=None)
    wait_for(ben_renamed(vault, "Ben Meanwhile"), "the other change in the outputs")
    assert ANNA_LINE in followups(vault)
    anna_reports = [p for rep in r.reports for p in rep.new_problems if p.path == "contacts/Anna.md"]
    assert len(anna_reports) == 1

    put(vault, "contacts/Anna.md", ANNA.replace("Acme", "Globex"), mtime_ns=None)
    wait_for(lambda: "— Globex" in followups(vault) and no_problem_section(vault), "the fixed note in the outputs")
    # Its report comes a moment after the outputs are on disk (the watcher reports once it has written them).
    last = r.wait_report(lambda rep: rep.resolved == 1, "the report of the fixed note")
    assert last.result is not None and last.result.problems == []
    assert sum(rep.resolved for rep in r.reports) == 1
    assert "Globex" in calendar(vault) and "Acme" not in calendar(vault)


def test_a_failing_build_is_reported_and_the_watcher_recovers(vault: Path, start: Callable[..., Running]) -> None:
    put(vault, "vaultnet.toml", OUT_TOML)
    r = start(vault)
    out = vault / "out"
    assert out.is_dir() and "Ben Okafor" in read(out / "Follow-ups.md")
    built = r.settle()
    out.rename(vault.parent / "old-out")  # the output folder becomes a file: nothing can be written there
    out.write_text("not a folder", encoding="utf-8")
    failed = r.wait_report(lambda rep: rep.error is not None, "a report of the failed build", after=built)
    assert failed.result is None
    assert "Follow-ups.md" in str(failed.error)
    assert "will retry on the next change" in failed.line()
    r.assert_alive()

    out.unlink()
    ok = r.wait_report(lambda rep: rep.error is None, "a good build after the file was removed", after=built)
    assert ok.result is not None
    wait_for(lambda: "Ben Okafor" in read(out / "Follow-ups.md") and "BEGIN:VCALENDAR" in read(out / "reminders.ics"),
             "the outputs written again")  # fmt: skip
    r.assert_alive()


def test_a_refusal_to_overwrite_a_note_is_reported_and_the_watcher_keeps_running(
    vault: Path, start: Callable[..., Running]
) -> None:
    """A note of the user's at the follow-up note's path: nothing is written, the report names the file and the
    setting; once the note is gone (a change at an output's path counts after a refusal), the outputs come."""
    mine = b"# My own follow-ups\n\n- call the bank\n"
    put(vault, "Follow-ups.md", mine)
    r = start(vault)
    refused = r.reports[0]
    assert refused.result is None and refused.error is not None
    assert str(vault / "Follow-ups.md") in refused.error and "[outputs] followups" in refused.error
    assert refused.line().startswith("build failed: nothing was written, so that no note of yours is overwritten:")
    assert "UserError" not in refused.line()
    assert (vault / "Follow-ups.md").read_bytes() == mine
    assert calendar(vault) == ""  # neither output
    r.assert_alive()

    built = r.settle()
    (vault / "Follow-ups.md").unlink()
    ok = r.wait_report(lambda rep: rep.error is None, "a good build once the note is gone", after=built)
    assert ok.result is not None
    wait_for(lambda: BEN_LINE in followups(vault) and "Ben Okafor" in calendar(vault), "the outputs written")
    r.assert_alive()


def test_an_exception_in_the_build_callback_does_not_kill_the_watcher(
    vault: Path, start: Callable[..., Running]
) -> None:
    """`on_build` is the caller's handler (the CLI prints from it): one failure must not end the watching."""
    calls: list[Report] = []

    def flaky(report: Report) -> None:
        calls.append(report)
        if len(calls) == 2:
            raise RuntimeError("the terminal went away")

    r = start(vault, on_build=flaky)
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben One"), mtime_ns=None)
    wait_for(lambda: len(calls) >= 2 or r.crash is not None, "the second build")
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Two"), mtime_ns=None)
    wait_for(lambda: ben_renamed(vault, "Ben Two")() or r.crash is not None, "the build after the failed callback")
    r.assert_alive()
    assert ben_renamed(vault, "Ben Two")()


def test_a_dead_observer_is_restarted(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault)
    observer = r.watcher._observer  # the watchdog thread; stopping it stands in for it dying of an exception
    assert observer is not None
    observer.stop()
    wait_for(lambda: any("restarting" in line for line in r.logs), "the watcher noticing its observer stopped")
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Restarted"), mtime_ns=None)
    wait_for(ben_renamed(vault, "Ben Restarted"), "a change seen by the new observer")
    assert r.watcher._observer is not observer


# -- settings and the day -------------------------------------------------------------------------------------


def test_a_changed_vaultnet_toml_is_seen(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault)
    assert "X-WR-CALNAME:vaultnet reminders" in calendar(vault)
    assert "## Follow-ups (1)" in followups(vault)
    put(vault, "vaultnet.toml", '[calendar]\nname = "Work reminders"\n\n[circles]\nclose = "10d"\n', mtime_ns=None)

    def reloaded() -> bool:
        return "X-WR-CALNAME:Work reminders" in calendar(vault) and "## Follow-ups (2)" in followups(vault)

    wait_for(reloaded, "the new calendar name and cadence in the outputs")
    # Anna is close: with a 10-day rhythm her last contact on 2026-11-01 makes her due on 2026-11-11.
    assert "[[contacts/Anna|Anna]] — *10 days overdue* — last contact on 2026-11-01; your rhythm is every 10d" in (
        followups(vault)
    )
    assert any("settings changed: reloaded" in line for line in r.logs)


def test_a_broken_vaultnet_toml_is_reported_and_the_defaults_used(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault)
    put(vault, "vaultnet.toml", "[circles\nclose = 7d\n", mtime_ns=None)
    report = r.wait_report(lambda rep: bool(rep.new_problems), "the settings problem reported")
    assert [p.path for p in report.new_problems] == ["vaultnet.toml"]
    r.assert_alive()
    assert BEN_LINE in followups(vault) and "`vaultnet.toml:1: invalid TOML" in followups(vault)


def test_a_new_day_rebuilds_without_any_file_change(vault: Path, start: Callable[..., Running]) -> None:
    clock = Day(TODAY)
    r = start(vault, clock=clock)
    built = r.settle()
    assert "*2 days overdue*" in followups(vault)
    clock.day = date(2026, 11, 22)  # midnight
    report = r.wait_report(lambda rep: rep.day == date(2026, 11, 22), "a build for the new day", after=built)
    assert report.error is None
    wait_for(lambda: followups(vault).startswith("# Follow-ups for Sunday 2026-11-22\n"), "the new date in the note")
    assert "*3 days overdue*" in followups(vault)
    assert "DTSTART;VALUE=DATE:20261122" in calendar(vault)
    assert "DTSTART;VALUE=DATE:20261121" not in calendar(vault)
    assert r.settle() == built + 1  # one build for the new day, not one per tick


# -- polling and stopping -------------------------------------------------------------------------------------


def test_poll_mode_sees_a_change(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault, poll=True)
    assert type(r.watcher._observer).__name__ == "PollingObserver"
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Polled"), mtime_ns=None)
    wait_for(ben_renamed(vault, "Ben Polled"), "the change seen by polling")


def test_stop_ends_run_while_idle(vault: Path) -> None:
    r = Running(vault, tick=30.0)  # a long tick: stop() must not wait for it
    r.stop()
    assert r.crash is None


def test_stop_ends_run_while_waiting_for_a_burst_to_settle(vault: Path) -> None:
    r = Running(vault, debounce=30.0, max_delay=60.0, tick=30.0)
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Pending"), mtime_ns=None)
    wait_for(r.watcher._changed.is_set, "the change to be noticed")
    r.stop()  # fails unless run() ends within WAIT although the burst is not "quiet" for another 30 s
    assert r.crash is None


# -- what counts as a change ----------------------------------------------------------------------------------

OUTPUTS = ("Follow-ups.md", ".vaultnet/reminders.ics")


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("contacts/Anna.md", True),
        ("contacts/work/Anna Schmidt.md", True),
        ("Anna.MD", True),
        ("vaultnet.toml", True),
        ("contacts", True),  # a folder moved in, out or deleted
        ("contacts/team", True),
        ("", True),  # the vault itself
        (".git", False),
        (".git/index", False),
        (".git/objects/ab/cdef.md", False),
        (".obsidian/workspace.json", False),
        (".obsidian/templates/Contact.md", False),
        (".trash/Old.md", False),
        (".vaultnet/cache.sqlite", False),
        (".vaultnet/cache.sqlite-journal", False),
        (".vaultnet/snapshot", False),  # the watcher's own writes, after every build
        (".vaultnet/journal", False),
        (".vaultnet/reminders.ics", False),
        ("contacts/.hidden/Anna.md", False),
        ("contacts/.Anna.md", False),
        ("contacts/.Anna.md.swp", False),
        ("contacts/.Anna.md.swx", False),
        ("contacts/Anna.md.swp", False),
        ("contacts/Anna.md~", False),
        ("contacts/Anna.md.tmp", False),
        ("contacts/.Follow-ups.md.k2j3.tmp", False),
        ("contacts/Anna.md.part", False),
        ("contacts/4913", False),
        ("4913", False),
        ("Follow-ups.md", False),  # our own output
        ("contacts/photo.png", False),
        ("contacts/vaultnet.toml", False),  # only the vault's own settings file counts
    ],
)
def test_relevant(tmp_path: Path, rel: str, expected: bool) -> None:
    root = tmp_path / "vault"
    path = str(root / rel) if rel else str(root)
    assert relevant(root, path, OUTPUTS) is expected


def test_relevant_outputs_follow_the_settings(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    outputs = ("Reviews/Follow-ups.md", "Reviews/reminders.ics")
    assert relevant(root, str(root / "Follow-ups.md"), outputs) is True  # not an output here: a note
    assert relevant(root, str(root / "Reviews/Follow-ups.md"), outputs) is False
    assert relevant(root, str(root / "Reviews/reminders.ics"), outputs) is False


def test_relevant_ignores_paths_outside_the_vault(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    assert relevant(root, str(tmp_path / "elsewhere" / "Anna.md"), OUTPUTS) is False
    assert relevant(root, str(tmp_path / "vault-other" / "Anna.md"), OUTPUTS) is False
    assert relevant(root, "", OUTPUTS) is False


# -- the command ----------------------------------------------------------------------------------------------


class Lines:
    """A subprocess's stderr, read line by line in a thread so the test can wait for a line."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert proc.stderr is not None
        self._stream = proc.stderr
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self._stream:
            self.lines.append(line.rstrip("\n"))

    def wait(self, pattern: str, after: int = 0) -> str:
        found: list[str] = []

        def check() -> bool:
            found[:] = [line for line in self.lines[after:] if re.search(pattern, line)]
            return bool(found)

        wait_for(check, f"a line matching {pattern!r} in {self.lines}")
        return found[0]

    def join(self) -> None:
        self._thread.join(timeout=WAIT)


def test_the_watch_command_logs_a_rebuild_and_exits_cleanly_on_sigterm(vault: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VAULTNET_TODAY"}
    proc = subprocess.Popen([str(_script()), "watch", str(vault)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True, env=env)  # fmt: skip
    err = Lines(proc)
    try:
        err.wait(r"^\d\d:\d\d:\d\d watching ")
        first = err.wait(r"^\d\d:\d\d:\d\d \d{4}-\d\d-\d\d: 3 notes read; wrote Follow-ups\.md, reminders\.ics; ")
        assert first.endswith(" ms)")
        seen = len(err.lines)
        put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Command"), mtime_ns=None)
        line = err.wait(r"1 note read; wrote Follow-ups\.md", after=seen)
        assert re.search(r"\d+ problems? \(\d+ ms\)$", line), line
        assert "[[contacts/Ben|Ben Command]]" in followups(vault)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=WAIT) == 0
        err.join()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err.join()
        assert proc.stderr is not None
        proc.stderr.close()
    assert re.fullmatch(r"\d\d:\d\d:\d\d stopped", err.lines[-1]), err.lines
    assert not any("Traceback" in line for line in err.lines)
