"""`serve` answers from the calendar held in memory: a build per change, never one per request. The real server on
a free loopback port, its real watcher (a watchdog observer), real HTTP clients; builds are counted at
`Session.build`, which every build of every watcher goes through."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from test_serve import ANNA, BEN, WAIT, Day, Served
from test_watch import wait_for
from vaultkit import LATER_NS, OLD_NS, TODAY, write_vault
from vaultkit import put_old as put

from vaultnet.pipeline import BuildResult, Session
from vaultnet.serve import load_token, make_server
from vaultnet.vault import Listing
from vaultnet.watch import Watcher


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """The day of every build, in order."""
    days: list[date] = []
    real = Session.build

    def counted(self: Session, today: date, listed: Listing | None = None) -> BuildResult:
        days.append(today)
        return real(self, today, listed)

    monkeypatch.setattr(Session, "build", counted)
    return days


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    notes = {"contacts/Anna.md": ANNA, "contacts/Ben.md": BEN}
    return write_vault(tmp_path / "vault", notes, '[calendar]\nname = "Served reminders"\n', mtime_ns=OLD_NS)


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """serve(vault, watcher=None, clock=None) -> a running server (its own watcher unless given one)."""
    started: list[tuple[Served, threading.Thread]] = []

    def _serve(vault: Path, watcher: Watcher | None = None, clock: Day | None = None) -> Served:
        clock = clock or Day(TODAY)
        token = load_token(vault)
        logs: list[str] = []
        session = watcher.session if watcher is not None else Session(vault)
        server = make_server(session, "127.0.0.1", 0, token, log=logs.append, clock=clock, watcher=watcher)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        started.append((Served(vault, server, token, clock, logs), thread))
        return started[-1][0]

    yield _serve
    for served, thread in started:
        served.server.shutdown()
        served.server.server_close()
        thread.join(timeout=WAIT)
    gc.unfreeze()  # the watcher froze the test process's heap after each build


def fetch_many(served: Served, count: int = 60, clients: int = 20) -> set[bytes]:
    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(lambda _: served.fetch(), range(count)))
    assert {a.status for a in answers} == {200}
    return {a.body for a in answers}


def test_many_requests_are_answered_from_one_build(
    vault: Path, serve: Callable[..., Served], builds: list[date]
) -> None:
    served = serve(vault)
    first = served.fetch()
    assert first.status == 200 and len(builds) == 1
    assert fetch_many(served) == {first.body}
    assert len(builds) == 1
    assert first.body == (vault / ".vaultnet/reminders.ics").read_bytes()


def test_a_changed_note_is_in_the_next_answer_after_one_build(
    vault: Path, serve: Callable[..., Served], builds: list[date]
) -> None:
    served = serve(vault)
    first = served.fetch()
    put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Changed"), mtime_ns=LATER_NS)
    second = served.fetch()  # the request waited for the watcher to see the save, and built it
    assert b"SUMMARY:Get back to Ben Changed" in second.body and second.headers["etag"] != first.headers["etag"]
    assert fetch_many(served) == {second.body}
    assert len(builds) == 2


def test_a_new_day_is_one_build_for_all_requests(vault: Path, serve: Callable[..., Served], builds: list[date]) -> None:
    served = serve(vault)
    first = served.fetch()
    served.clock.day = date(2026, 11, 22)
    bodies = fetch_many(served)
    assert len(bodies) == 1 and bodies != {first.body}
    assert builds == [TODAY, date(2026, 11, 22)]


def test_a_calendar_file_edited_or_removed_is_built_again(
    vault: Path, serve: Callable[..., Served], builds: list[date]
) -> None:
    served = serve(vault)
    first = served.fetch()
    calendar = vault / ".vaultnet/reminders.ics"
    with calendar.open("ab") as handle:  # still vaultnet's (its header): rewritten, as a build does
        handle.write(b"BEGIN:VEVENT\r\nEND:VEVENT\r\n")  # in vaultnet's own folder: no event counts there
    assert served.fetch().body == first.body == calendar.read_bytes()
    calendar.unlink()
    assert served.fetch().body == first.body == calendar.read_bytes()
    assert len(builds) == 3


def test_watch_with_serve_answers_from_the_watchers_builds(
    vault: Path, serve: Callable[..., Served], builds: list[date]
) -> None:
    reports: list[object] = []
    watcher = Watcher(vault, log=lambda _: None, clock=Day(TODAY), on_build=reports.append, debounce=0.05)
    running = threading.Thread(target=watcher.run, daemon=True)
    served = serve(vault, watcher=watcher)
    running.start()
    try:
        wait_for(lambda: len(reports) >= 1, "the watcher's first build")
        first = served.fetch()
        assert fetch_many(served) == {first.body} and len(builds) == 1
        put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Watched"), mtime_ns=LATER_NS)
        assert b"Ben Watched" in served.fetch().body
        wait_for(lambda: not watcher.pending(), "nothing pending")
        assert len(builds) == 2  # the request's, or the watcher's: one
    finally:
        watcher.stop()
        running.join(timeout=WAIT)


def test_a_polling_watcher_keeps_the_calendar_current_too(
    vault: Path, serve: Callable[..., Served], builds: list[date]
) -> None:
    """Polling gives no marker to wait for: a change shows in the answers once the poll has seen it (a second)."""
    watcher = Watcher(vault, log=lambda _: None, clock=Day(TODAY), poll=True)
    running = threading.Thread(target=watcher.run, daemon=True)
    served = serve(vault, watcher=watcher)
    running.start()
    try:
        assert served.fetch().status == 200
        put(vault, "contacts/Ben.md", BEN.replace("Ben Okafor", "Ben Polled"), mtime_ns=LATER_NS)
        wait_for(lambda: b"Ben Polled" in served.fetch().body, "the change in the answer")
    finally:
        watcher.stop()
        running.join(timeout=WAIT)
