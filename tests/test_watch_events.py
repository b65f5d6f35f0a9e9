"""The watcher trusts file events: it looks again only at the files they name, and lists the whole vault on start,
for a folder's event, when watchdog reports trouble, and periodically. A real watchdog observer, real files.

A file can change without any event in the vault: written through a hard link that lives outside it (inotify
reports a change under the folder of the path it was made through). That is how these tests show what the watcher
does NOT look at until it lists the vault.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_watch import BEN, Running, calendar, followups, wait_for
from vaultkit import LATER_NS, OLD_NS, put, write_vault

from vaultnet.config import Settings
from vaultnet.file_events import relisted
from vaultnet.index import Index
from vaultnet.vault import Listing, list_notes, note_at
from vaultnet.watch import Report

ANNA = "---\ncompany: Acme\nbirthday: 1990-11-25\n---\n"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    notes = {"contacts/Anna.md": ANNA, "contacts/Ben.md": BEN, "notes/Ideas.md": "Ideas.\n"}
    return write_vault(tmp_path / "vault", notes, mtime_ns=OLD_NS)


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the whole-vault listings (`Index.listing`, which every Index of every Session uses)."""
    calls: list[int] = []
    real = Index.listing

    def counted(self: Index) -> Listing:
        calls.append(1)
        return real(self)

    monkeypatch.setattr(Index, "listing", counted)
    return calls


@pytest.fixture
def start() -> Iterator[Callable[..., Running]]:
    running: list[Running] = []

    def _start(root: Path, **options: object) -> Running:
        running.append(Running(root, **options))
        return running[-1]

    yield _start
    for r in running:
        r.stop()
    gc.unfreeze()  # the watcher froze the test process's heap after each build


def read(report: Report) -> list[str] | None:
    """The notes a build read (None: it found nothing changed, or failed)."""
    snap = report.result.snapshot if report.result is not None else None
    return None if snap is None else snap.refresh.parsed


def unseen_edit(vault: Path, tmp_path: Path, rel: str, text: str) -> Callable[[], None]:
    """A hard link to the note from outside the vault; calling the result writes `text` through it: the note
    changes, and no event in the vault says so. Its mtime is set a day on, out of the index's "racy" window."""
    outside = tmp_path / "outside-link.md"
    os.link(vault / rel, outside)

    def edit() -> None:
        with open(outside, "r+b") as handle:  # in place: the same file, so the note's own path sees the change
            handle.write(text.encode())
            handle.truncate()
        os.utime(outside, ns=(LATER_NS, LATER_NS))

    return edit


def test_a_save_looks_again_at_that_file_only(
    vault: Path, tmp_path: Path, start: Callable[..., Running], listings: list[int]
) -> None:
    edit_ben = unseen_edit(vault, tmp_path, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Unseen"))
    r = start(vault)
    assert r.reports[0].looked_at is None and len(listings) == 1  # the first build lists the vault
    built = r.settle()
    edit_ben()
    put(vault, "contacts/Anna.md", ANNA.replace("Acme", "Globex"))  # an in-place save: its events name it
    report = r.wait_report(lambda rep: rep.looked_at == ("contacts/Anna.md",), "the build of the save", after=built)
    assert read(report) == ["contacts/Anna.md"]
    wait_for(lambda: "Globex" in followups(vault), "the save in the outputs")
    r.settle()  # and the second read of the note just saved
    assert len(listings) == 1  # no build listed the vault again
    assert "Ben Okafor" in calendar(vault) and "Ben Unseen" not in calendar(vault)  # no event, not seen


def test_a_folders_event_lists_the_whole_vault(
    vault: Path, tmp_path: Path, start: Callable[..., Running], listings: list[int]
) -> None:
    edit_ben = unseen_edit(vault, tmp_path, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Unseen"))
    r = start(vault)
    built = r.settle()
    edit_ben()
    (vault / "contacts" / "team").mkdir()  # an empty folder: its event alone says nothing about Ben
    report = r.wait_report(lambda rep: rep.looked_at is None, "a build that lists the vault", after=built)
    assert read(report) == ["contacts/Ben.md"]  # found by its size and mtime
    wait_for(lambda: "Ben Unseen" in calendar(vault), "the unseen edit in the outputs")
    assert len(listings) == 2


def test_watchdogs_warning_of_lost_events_lists_the_whole_vault(
    vault: Path, tmp_path: Path, start: Callable[..., Running]
) -> None:
    edit_ben = unseen_edit(vault, tmp_path, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Overflow"))
    r = start(vault)
    built = r.settle()
    edit_ben()
    # What watchdog's inotify reader logs when the kernel's event queue overflowed.
    logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
    r.wait_report(lambda rep: rep.looked_at is None, "a build that lists the vault", after=built)
    wait_for(lambda: "Ben Overflow" in calendar(vault), "the unseen edit in the outputs")


def test_the_safety_net_lists_the_whole_vault_now_and_then(
    vault: Path, tmp_path: Path, start: Callable[..., Running], listings: list[int]
) -> None:
    edit_ben = unseen_edit(vault, tmp_path, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Later"))
    r = start(vault, full_every=1.0)
    edit_ben()
    found = r.wait_report(lambda rep: rep.looked_at is None and read(rep) == ["contacts/Ben.md"], "the safety net")
    assert found.error is None and "Ben Later" in calendar(vault)
    assert len(listings) >= 2
    quiet = r.builds
    time.sleep(2.5)  # two more safety nets: nothing changed, so nothing to report
    assert r.builds == quiet and len(listings) >= 4


def test_a_single_save_settles_after_the_short_debounce_and_a_burst_after_the_quiet_period(
    vault: Path, start: Callable[..., Running]
) -> None:
    r = start(vault, debounce=0.05, quiet=3.0, max_delay=6.0)
    built = r.settle()
    saved = time.monotonic()
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Quick"))
    report = r.wait_report(lambda rep: rep.looked_at == ("contacts/Ben.md",), "the build of the save", after=built)
    wait_for(lambda: "Ben Quick" in calendar(vault), "the save in the calendar")
    latency = time.monotonic() - saved
    # The debounce and the build, plus the event's way and this test's polling (20 ms): far from the 3 s of a burst.
    assert latency < 0.05 + report.seconds + 0.5, f"{latency:.3f} s from save to calendar"

    built = r.settle()
    burst = time.monotonic()
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Burst"))
    put(vault, "contacts/Anna.md", ANNA.replace("Acme", "Burst Inc"))
    report = r.wait_report(lambda rep: rep.looked_at is not None and len(rep.looked_at) == 2, "the burst", after=built)
    assert time.monotonic() - burst >= 3.0  # two files: the quiet period of a burst
    assert report.looked_at == ("contacts/Anna.md", "contacts/Ben.md")


def test_caught_up_means_every_earlier_event_is_in(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault, debounce=5.0, quiet=5.0, max_delay=10.0)  # no build gets in the way of the check
    r.settle()
    assert r.watcher.marker.caught_up() and not r.watcher.pending()
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Marked"))
    assert r.watcher.marker.caught_up()
    assert r.watcher.pending()  # the save's events came in before the marker's: at once, not eventually
    assert r.watcher.refresh() is not None  # what a request does: build now what is pending
    assert "Ben Marked" in calendar(vault)
    assert r.watcher.refresh() is None  # nothing pending any more


def test_caught_up_is_no_promise_when_polling(vault: Path, start: Callable[..., Running]) -> None:
    r = start(vault, poll=True)
    began = time.monotonic()
    assert r.watcher.marker.caught_up() is False
    assert time.monotonic() - began < 0.5


def test_no_inotify_instance_left_means_polling(
    vault: Path, start: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    """inotify's limit of instances fails already when the observer is made (not when it starts)."""

    def no_instance() -> None:
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr("vaultnet.watch.Observer", no_instance)
    r = start(vault)
    assert type(r.watcher._observer).__name__ == "PollingObserver"
    assert any("polls the vault instead" in line for line in r.logs)
    assert r.watcher.marker.caught_up() is False
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Polled"))
    wait_for(lambda: "Ben Polled" in calendar(vault), "the change seen by polling")


def test_the_heap_is_frozen_after_each_build(vault: Path, start: Callable[..., Running]) -> None:
    gc.unfreeze()
    start(vault)
    assert gc.get_freeze_count() > 1000  # the snapshot (and all else) is out of the collector's way


# -- one file looked at as the whole listing would --------------------------------------------------------------


def tricky_vault(root: Path, outside: Path) -> None:
    """Every kind of file that list_notes lists, skips silently or skips with a word."""
    for rel in ("a.md", "B.MD", "sub/c.md", "sub/deeper/d.md", "templates/t.md", "node_modules/n.md", "sub/.h/e.md",
                ".hidden.md", "notes.txt", "Follow-ups.md", "dir.md/inside.md", "real/r.md"):  # fmt: skip
        put(root, rel, "x\n")
    put(outside, "o.md", "outside\n")
    (root / "in-link.md").symlink_to(root / "a.md")
    (root / "out-link.md").symlink_to(outside / "o.md")
    (root / "dangling.md").symlink_to(root / "missing.md")
    (root / "folder-link.md").symlink_to(root / "sub", target_is_directory=True)
    (root / "linked").symlink_to(root / "real", target_is_directory=True)
    os.mkfifo(root / "fifo.md")
    (root / os.fsdecode(b"bad\xffname.md")).write_text("x\n")


def every_path(root: Path) -> list[str]:
    """Every path below `root`, folders and links included, and the paths through linked folders."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=True):
        for name in dirs + files:
            found.append(Path(folder, name).relative_to(root).as_posix())
    return found


def test_note_at_gives_for_each_file_what_list_notes_lists(tmp_path: Path) -> None:
    root, outside = tmp_path / "vault", tmp_path / "outside"
    tricky_vault(root, outside)
    exclude, skip = frozenset({"Follow-ups.md"}), frozenset({"templates"})
    listed = list_notes(root, exclude, skip)
    one_by_one: dict[str, object] = {}
    problems = []
    for rel in [*every_path(root), "gone.md", "sub/gone/x.md"]:
        found = note_at(root, rel, exclude, skip)
        if isinstance(found, tuple):
            one_by_one[rel] = found
        elif found is not None:
            problems.append(found)
    assert one_by_one == dict(listed)
    assert tuple(sorted(problems)) == listed.problems
    assert {"a.md", "B.MD", "in-link.md", "sub/c.md", "dir.md/inside.md"} <= set(listed)
    assert {p.path for p in listed.problems} >= {"out-link.md", "dangling.md", "fifo.md", "bad\\xffname.md"}


def test_relisted_equals_a_new_listing_after_the_named_files_changed(tmp_path: Path) -> None:
    root, outside = tmp_path / "vault", tmp_path / "outside"
    tricky_vault(root, outside)
    settings = Settings()  # skips templates/ and the outputs, Follow-ups.md among them
    exclude, skip = frozenset(settings.outputs), frozenset(settings.templates_folders)
    before = list_notes(root, exclude, skip)
    put(root, "sub/c.md", "changed, longer\n")  # changed
    (root / "a.md").unlink()  # removed (and in-link.md now dangles)
    put(root, "sub/new.md", "new\n")  # added
    (root / "fifo.md").unlink()  # a problem gone
    os.mkfifo(root / "sub/fifo2.md")  # a problem new
    named = ["sub/c.md", "a.md", "in-link.md", "sub/new.md", "fifo.md", "sub/fifo2.md", "notes.txt"]
    after = relisted(root, before, named, settings)
    now = list_notes(root, exclude, skip)
    assert dict(after) == dict(now) and after.problems == now.problems
    assert dict(before) != dict(now)  # the old listing is left as it was
