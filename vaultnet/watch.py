"""Keep the outputs current: watch the vault with watchdog and rebuild after changes and at midnight.

Editors and git do not simply "modify a file": an atomic save arrives as a move of a temp file onto the
note, vim renames the original away and writes a new file, `git checkout` deletes and recreates hundreds
of notes in a burst. The watcher trusts the events for WHICH files to look at, and only at those (a save in a
vault of 10,000 notes stats one file, not 10,000); the files themselves say WHAT changed (size and mtime, as
the index does). Where events cannot name every file - a folder created, moved or deleted, watchdog reporting
a problem (the kernel's queue overflowed), the observer restarted, the settings changed - and on start and every
10 minutes as a safety net, it lists the whole vault. A single note's save is built after `debounce` (0.05 s)
of quiet, a burst of several files after `quiet` (0.15 s). Nothing a user writes can stop it: problems are
reported once, the last good version of a half-typed note is kept, a failing build is logged and retried on
the next change.

The server answers from what the watcher built (`listeners` hear of each build): `caught_up` waits until the
watcher has seen every event from before a request, and `refresh` builds at once what is still pending.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from watchdog.events import (
    DirAttribEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from vaultnet.file_events import Marker, relevant, relisted
from vaultnet.locks import prepare_lock_folder
from vaultnet.pipeline import BuildResult, Session
from vaultnet.problems import Problem, UserError, printable
from vaultnet.source_watch import watch_sources
from vaultnet.vault import Listing

FULL_LISTING_EVERY = 600.0  # seconds: the safety net for a change no event reported
# What the watcher hears of (the kernel is asked for nothing else): opening and reading a file (the build reads
# every note it parses, ten thousand on a first build) and a folder's own "modified" say nothing to it.
_EVENTS: list[type[FileSystemEvent]] = [
    *(FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileAttribEvent, FileMovedEvent, FileClosedEvent),
    *(DirCreatedEvent, DirDeletedEvent, DirMovedEvent, DirAttribEvent),
]


@dataclass
class Report:
    """What one rebuild did, for the one log line it gets. `looked_at`: the files the events named, looked at
    again; None when the whole vault was listed (or the build failed before it listed anything)."""

    day: date
    seconds: float
    result: BuildResult | None
    new_problems: list[Problem] = field(default_factory=list)
    resolved: int = 0  # problems reported before that are gone now
    error: str | None = None
    looked_at: tuple[str, ...] | None = None

    def line(self) -> str:
        if self.error is not None:
            return f"build failed: {self.error} (will retry on the next change)"
        assert self.result is not None
        snap = self.result.snapshot
        if snap is None:
            what = "nothing changed"
        else:
            parts = []
            if snap.refresh.parsed:
                parts.append(_count(len(snap.refresh.parsed), "note") + " read")
            if snap.refresh.removed:
                parts.append(_count(len(snap.refresh.removed), "note") + " removed")
            what = ", ".join(parts) or "rebuilt"
        written = [o.path.name for o in self.result.outputs if o.changed]
        outputs = f"wrote {', '.join(written)}" if written else "outputs unchanged"
        problems = len(self.result.problems)
        news = f", {len(self.new_problems)} new" if self.new_problems else ""
        fixed = f", {self.resolved} fixed" if self.resolved else ""
        return (
            f"{self.day.isoformat()}: {what}; {outputs}; {self.result.due} due; "
            f"{_count(problems, 'problem')}{news}{fixed} ({self.seconds * 1000:.0f} ms)"
        )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _Handler(FileSystemEventHandler):
    """Turns watchdog events into the files to look at again. Never raises: an exception here would silently
    kill watchdog's observer thread."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            source = os.fsdecode(event.src_path)
            if source == self.watcher.marker.path:
                self.watcher.marker.echo()
                return
            if event.is_directory and event.event_type == "modified":
                return  # a folder's own "modified" when its entries change (their own events follow)
            paths = [p for p in (source, os.fsdecode(getattr(event, "dest_path", "") or "")) if p]
            paths = [p for p in paths if self.watcher.is_relevant(p, event.is_directory)]
            if paths:
                self.watcher.changed(paths, event.is_directory)
        except Exception as exc:
            self.watcher.log(f"ignored a file event that could not be handled: {exc!r}")


class _Trouble(logging.Handler):
    """watchdog's own warnings (the kernel's event queue overflowed, a folder's watch could not be added): events
    may have been lost, so the next build lists the whole vault."""

    def __init__(self, watcher: Watcher) -> None:
        super().__init__(logging.WARNING)
        self.watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.watcher.log(
                f"the file watcher says: {printable(record.getMessage())}; the whole vault is listed again"
            )
        self.watcher.changed([], True)


class Watcher:
    """Builds once, then rebuilds after changes (debounced) and when the day changes.

    `clock` gives today's date (injectable for tests); `debounce` is how long events must be quiet before a
    rebuild when they named one file (a save), `quiet` when they named several (a burst: git), `max_delay` the
    longest a burst puts a rebuild off; `tick` is how often the day and the observer's health are checked;
    `full_every` how often the whole vault is listed all the same. `listeners` are told of each build, under
    `lock` (the server takes the calendar from there).
    """

    def __init__(
        self,
        root: Path,
        *,
        log: Callable[[str], None],
        clock: Callable[[], date] = date.today,
        debounce: float = 0.05,
        quiet: float = 0.15,
        max_delay: float = 2.0,
        tick: float = 30.0,
        full_every: float = FULL_LISTING_EVERY,
        poll: bool = False,
        on_build: Callable[[Report], None] | None = None,
        session: Session | None = None,
        lock: threading.Lock | None = None,
    ) -> None:
        self.root = root
        self.log = log
        self.clock = clock
        self.debounce, self.quiet, self.max_delay = debounce, quiet, max_delay
        self.tick = tick
        self.full_every = full_every
        self.poll = poll
        self.on_build = on_build
        self.listeners: list[Callable[[Report], None]] = []
        self.session = session or Session(root, keep_last_good=True)
        self.lock = lock or threading.Lock()  # shared with a server that builds on request
        self.marker = Marker(root)  # `marker.caught_up()`: every event from before is in
        self._changed = threading.Event()
        self._stop = threading.Event()
        self._first_event = 0.0
        self._last_event = 0.0
        self._events = threading.Lock()  # guards what the events named: the observer's thread adds, a build takes
        self._paths: set[str] = set()  # files to look at again (relative)
        self._full = True  # list the whole vault (the first build does)
        self._listed: Listing | None = None  # the notes as the last build listed them
        self._listed_at = 0.0  # when the whole vault was last listed (monotonic)
        self._trouble = _Trouble(self)
        self._reported: set[Problem] = set()
        self._built_for: date | None = None
        self._recheck_at: float | None = None  # when notes written moments ago can be trusted: read them once more
        self._observer: BaseObserver | None = None
        self._failed = False  # the last build failed (refused to overwrite a note at an output's path, say)
        self.builds = 0

    # -- events ---------------------------------------------------------------------------------------

    def is_relevant(self, path: str, is_directory: bool = False) -> bool:
        # After a failed build, a change at an output's path counts too: the user's note that stopped the
        # build may just have been moved away. (Nothing was written, so these are not our own writes.)
        outputs = () if self._failed else self.session.settings.outputs
        return relevant(self.root, path, outputs, is_directory)

    def changed(self, paths: list[str], is_directory: bool = False) -> None:
        """Files (absolute paths) to look at again; a folder, or no path at all: the whole vault."""
        rels = [] if is_directory else [Path(p).relative_to(self.root).as_posix() for p in paths]
        with self._events:
            if is_directory or not paths:
                self._full = True
            self._paths.update(rels)
        self.poke()

    def pending(self) -> bool:
        """Whether events named anything that no build has looked at yet."""
        with self._events:
            return self._full or bool(self._paths)

    def poke(self) -> None:
        now = time.monotonic()
        if not self._changed.is_set():
            self._first_event = now
        self._last_event = now
        self._changed.set()

    # -- the observer ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Start watching (`run` does; a server starts it before it answers, so that no change is missed)."""
        if self._observer is None:
            self._start_observer()

    def _start_observer(self) -> None:
        prepare_lock_folder(self.root)  # a folder made while the observer starts makes watchdog warn
        if not self.poll:
            self.marker.make()
        try:  # inotify's limits: of watches (start), of instances (already when the observer is made)
            observer = self._observe()
        except OSError as exc:
            if self.poll or exc.errno not in (errno.ENOSPC, errno.EMFILE):
                raise UserError(f"cannot watch {self.root}: {exc.strerror or exc}") from exc
            self.log(
                "the system's limit of inotify watches is reached, so vaultnet polls the vault instead "
                "(slower). To watch efficiently, raise the limit: "
                "sudo sysctl fs.inotify.max_user_watches=524288 (and fs.inotify.max_user_instances)"
            )
            self.poll = True
            observer = self._observe()
        self._observer = observer
        logging.getLogger("watchdog.observers").addHandler(self._trouble)
        with self._events:
            self._full = True  # what changed while nothing watched is known only to the files
        self.marker.arm(_in_order(observer))

    def _observe(self) -> BaseObserver:
        observer: BaseObserver = PollingObserver(timeout=1) if self.poll else Observer()
        observer.schedule(_Handler(self), str(self.root), recursive=True, event_filter=_EVENTS)
        watch_sources(observer, self.root, self.session.settings, lambda: self.changed([]), self.log)
        observer.start()
        return observer

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        logging.getLogger("watchdog.observers").removeHandler(self._trouble)
        self.marker.disarm()
        if observer is not None:
            observer.stop()
            with contextlib.suppress(RuntimeError):
                observer.join(timeout=5)

    # -- building -------------------------------------------------------------------------------------

    def build(self, *, collect: bool = False, quiet: bool = False) -> Report:
        """Rebuild now (settings re-read first); never raises for what is in the vault. `collect`: let the cycle
        collector look at everything once (see `_frozen_after`); `quiet`: no report when nothing changed."""
        with self.lock:
            report = self._build(collect)
        if not (quiet and report.result is not None and report.result.snapshot is None):
            self._announce(report)
        return report

    def refresh(self, stale: Callable[[], bool] = lambda: False) -> Report | None:
        """Build at once if events named files no build has looked at, the day changed, nothing was built yet, or
        `stale()` (asked under the lock) says so: what a request needs before it answers. None: no build needed."""
        with self.lock:
            if not (self.pending() or self.clock() != self._built_for or stale()):
                return None
            report = self._build()
        self._announce(report)
        return report

    def _build(self, collect: bool = False) -> Report:
        day = self.clock()
        started = time.perf_counter()
        looked_at: tuple[str, ...] | None = None
        try:
            with _frozen_after(collect):
                if self.session.reload_settings():
                    self.log("settings changed: reloaded")
                    with self._events:
                        self._full = True  # the outputs and the templates folders, which the listing skips, may move
                listed, looked_at = self._listing()
                result = self.session.build(day, listed)
        except Exception as exc:
            error = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"  # UserError: for users
            report = Report(day, time.perf_counter() - started, None, error=error, looked_at=looked_at)
        else:
            if result.snapshot is not None and result.snapshot.refresh.racy:
                # Re-read such notes soon, while nothing happens, rather than on the user's next edit.
                self._recheck_at = time.monotonic() + 2.5
            current = set(result.problems)
            new = sorted(current - self._reported)
            seconds = time.perf_counter() - started
            report = Report(day, seconds, result, new, len(self._reported - current), looked_at=looked_at)
            self._reported = current
        self._built_for = day
        self._failed = report.error is not None
        self.builds += 1
        for listener in self.listeners:
            try:
                listener(report)
            except Exception as exc:  # a listener's failure must not end the watching
                with contextlib.suppress(Exception):
                    self.log(f"could not pass on a build: {type(exc).__name__}: {exc}")
        return report

    def _listing(self) -> tuple[Listing, tuple[str, ...] | None]:
        """The vault's notes for a build: the last listing with the files the events named looked at again, or
        the whole vault listed (see the module's docstring); and those files (None: the whole vault)."""
        with self._events:
            paths, full = self._paths, self._full
            self._paths, self._full = set(), False
        now = time.monotonic()
        try:
            if full or self._listed is None or now >= self._listed_at + self.full_every:
                self._listed_at = now
                listed, looked_at = self.session.index.listing(), None
            else:
                listed = relisted(self.root, self._listed, paths, self.session.settings)
                looked_at = tuple(sorted(paths))
        except BaseException:
            with self._events:
                self._full = True  # the files named were not looked at: look at all of them next time
            raise
        self._listed = listed
        return listed, looked_at

    def _announce(self, report: Report) -> None:
        if self.on_build is not None:
            try:
                self.on_build(report)
            except Exception as exc:  # the caller's handler: its failure must not end the watching
                with contextlib.suppress(Exception):
                    self.log(f"could not report a build: {type(exc).__name__}: {exc}")

    def _settle(self) -> None:
        """Wait until events have been quiet for `debounce` seconds when they named one file, `quiet` when they
        named several (at most `max_delay` after the first)."""
        while not self._stop.is_set():
            with self._events:
                burst = self._full or len(self._paths) > 1
            now = time.monotonic()
            quiet_at = self._last_event + (self.quiet if burst else self.debounce)
            deadline = self._first_event + self.max_delay
            wait = min(quiet_at, deadline) - now
            if wait <= 0:
                return
            self._stop.wait(wait)

    def run(self) -> None:
        """Build, then watch until `stop()` (or Ctrl-C in the caller's thread)."""
        self.start()
        try:
            self.build()
            while not self._stop.is_set():
                self._step()
                if self._observer is not None and not self._observer.is_alive():
                    self.log("the file watcher stopped; restarting it and rebuilding")
                    self._stop_observer()
                    self._start_observer()
                    self.poke()
        finally:
            self._stop_observer()

    def _step(self) -> None:
        """Wait for events, a note to read again, the safety net's time or the next tick; then build if due."""
        now = time.monotonic()
        due = [self.tick, self._listed_at + self.full_every - now]
        if self._recheck_at is not None:
            due.append(self._recheck_at - now)
        if self._changed.wait(timeout=max(0.0, min(due))):
            self._settle()
            if self._stop.is_set():
                return
            self._changed.clear()
            if self.pending():  # else a request built it already
                self.build()
            return
        now = time.monotonic()
        if self._stop.is_set():
            return
        if self._recheck_at is not None and now >= self._recheck_at:
            self._recheck_at = None
            self.build()
        elif now >= self._listed_at + self.full_every:
            self.build(collect=True, quiet=True)  # the safety net: its build lists the whole vault
        elif self.clock() != self._built_for:
            self.build()  # a new day: birthdays, due dates and "today" move without any file changing

    def stop(self) -> None:
        self._stop.set()
        self._changed.set()


@contextlib.contextmanager
def _frozen_after(collect: bool) -> Iterator[None]:
    """No cycle collection during the block (as the pipeline's builds), and what the block made frozen after it.

    Watch and serve keep a build's snapshot (about a million objects at 10,000 notes) until the next build;
    unfrozen, every full pass of the cycle collector (set off by the allocations of the next build, or of answering
    requests) would walk all of it again, 0.1-0.2 s each at 10,000 notes. Frozen before the collector is on again,
    not even the first pass after the build (over all it made: 5 ms at 2,000 notes) runs. An old snapshot is
    still freed by reference counting when the next replaces it; only objects in reference cycles would stay, so
    `collect` (with the periodic full listing) unfreezes everything and collects once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collect:
            gc.unfreeze()
            gc.collect()
        gc.freeze()
        if enabled:
            gc.enable()


def _in_order(observer: BaseObserver) -> bool:
    """Whether `observer` gives each change as one event, in order: inotify's does (Linux). Elsewhere a change
    may arrive as no event or several, so `Marker.caught_up` does not rely on it."""
    try:
        from watchdog.observers.inotify import InotifyObserver
    except (ImportError, OSError):
        return False
    return isinstance(observer, InotifyObserver)
