"""Keep the outputs current: watch the vault with watchdog and rebuild after changes and at midnight.

Editors and git do not simply "modify a file": an atomic save arrives as a move of a temp file onto the
note, vim renames the original away and writes a new file, `git checkout` deletes and recreates hundreds
of notes in a burst. The watcher therefore only takes events as a hint that something changed; after the
burst has been quiet for a moment it rebuilds, and the index finds out from the files themselves what
changed (by size and mtime). Nothing a user writes can stop it: problems are reported once, the last good
version of a half-typed note is kept, a failing build is logged and retried on the next change.
"""

from __future__ import annotations

import contextlib
import errno
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from vaultnet.config import CACHE_DIR, CONFIG_NAME
from vaultnet.locks import prepare_lock_folder
from vaultnet.obsidian import SETTINGS_FILES
from vaultnet.pipeline import BuildResult, Session
from vaultnet.problems import Problem, UserError

IGNORED_FOLDERS = frozenset({".git", ".obsidian", ".trash", CACHE_DIR})
_SWAP_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload")


@dataclass
class Report:
    """What one rebuild did, for the one log line it gets."""

    day: date
    seconds: float
    result: BuildResult | None
    new_problems: list[Problem] = field(default_factory=list)
    resolved: int = 0  # problems reported before that are gone now
    error: str | None = None

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


def relevant(root: Path, path: str, outputs: tuple[str, ...], is_directory: bool = False) -> bool:
    """Could a change at `path` (absolute) change the outputs? Notes, folders, vaultnet.toml and the few files
    of Obsidian's settings that vaultnet reads can."""
    try:
        rel = PurePosixPath(Path(path).relative_to(root).as_posix())
    except ValueError:
        return False  # a move out of the vault names the outside as its destination
    parts = rel.parts
    if not parts:
        return True
    if str(rel) in SETTINGS_FILES:
        return True  # Obsidian's own settings give defaults (its other files, such as workspace.json, do not)
    if any(part in IGNORED_FOLDERS or part.startswith(".") for part in parts[:-1]):
        return False
    name = parts[-1]
    if str(rel) == CONFIG_NAME:
        return True
    if name.startswith(".") or name.endswith(_SWAP_SUFFIXES) or name == "4913":  # vim's write probe
        return False
    if str(rel) in outputs:
        return False  # our own writes must not trigger builds
    if is_directory:
        return True  # a folder moved out or deleted takes its notes with it, whatever its name
    # A folder (moved in or out, or deleted) has no suffix worth checking: take it as a change.
    return name.lower().endswith(".md") or "." not in name


class _Handler(FileSystemEventHandler):
    """Turns watchdog events into a single "something changed" signal. Never raises: an exception here
    would silently kill watchdog's observer thread."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            if event.event_type in ("opened", "closed_no_write") or (
                event.is_directory and event.event_type == "modified"
            ):
                return  # reads (ours too), and a folder's own "modified" when its entries change
            paths = [event.src_path, getattr(event, "dest_path", "") or ""]
            if any(p and self.watcher.is_relevant(str(p), event.is_directory) for p in paths):
                self.watcher.poke()
        except Exception as exc:
            self.watcher.log(f"ignored a file event that could not be handled: {exc!r}")


class Watcher:
    """Builds once, then rebuilds after changes (debounced) and when the day changes.

    `clock` gives today's date (injectable for tests); `debounce` is how long a burst of events must be quiet
    before a rebuild; `tick` is how often the day and the observer's health are checked.
    """

    def __init__(
        self,
        root: Path,
        *,
        log: Callable[[str], None],
        clock: Callable[[], date] = date.today,
        debounce: float = 0.15,
        max_delay: float = 2.0,
        tick: float = 30.0,
        poll: bool = False,
        on_build: Callable[[Report], None] | None = None,
        session: Session | None = None,
        lock: threading.Lock | None = None,
    ) -> None:
        self.root = root
        self.log = log
        self.clock = clock
        self.debounce = debounce
        self.max_delay = max_delay
        self.tick = tick
        self.poll = poll
        self.on_build = on_build
        self.session = session or Session(root, keep_last_good=True)
        self.lock = lock or threading.Lock()  # shared with a server that builds on request
        self._changed = threading.Event()
        self._stop = threading.Event()
        self._first_event = 0.0
        self._last_event = 0.0
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

    def poke(self) -> None:
        now = time.monotonic()
        if not self._changed.is_set():
            self._first_event = now
        self._last_event = now
        self._changed.set()

    # -- the observer ---------------------------------------------------------------------------------

    def _start_observer(self) -> None:
        prepare_lock_folder(self.root)  # a folder made while the observer starts makes watchdog warn
        observer: BaseObserver = PollingObserver(timeout=1) if self.poll else Observer()
        observer.schedule(_Handler(self), str(self.root), recursive=True)
        try:
            observer.start()
        except OSError as exc:
            if self.poll or exc.errno not in (errno.ENOSPC, errno.EMFILE):
                raise UserError(f"cannot watch {self.root}: {exc.strerror or exc}") from exc
            self.log(
                "the system's limit of inotify watches is reached, so vaultnet polls the vault instead "
                "(slower). To watch efficiently, raise the limit: "
                "sudo sysctl fs.inotify.max_user_watches=524288 (and fs.inotify.max_user_instances)"
            )
            self.poll = True
            observer = PollingObserver(timeout=1)
            observer.schedule(_Handler(self), str(self.root), recursive=True)
            observer.start()
        self._observer = observer

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            with contextlib.suppress(RuntimeError):
                observer.join(timeout=5)

    # -- building -------------------------------------------------------------------------------------

    def build(self) -> Report:
        """Rebuild now (settings re-read first); never raises for what is in the vault."""
        day = self.clock()
        started = time.perf_counter()
        try:
            with self.lock:
                if self.session.reload_settings():
                    self.log("settings changed: reloaded")
                result = self.session.build(day)
        except Exception as exc:
            error = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"  # UserError: for users
            report = Report(day, time.perf_counter() - started, None, error=error)
        else:
            if result.snapshot is not None and result.snapshot.refresh.racy:
                # Re-read such notes soon, while nothing happens, rather than on the user's next edit.
                self._recheck_at = time.monotonic() + 2.5
            current = set(result.problems)
            new = sorted(current - self._reported)
            report = Report(day, time.perf_counter() - started, result, new, len(self._reported - current))
            self._reported = current
        self._built_for = day
        self._failed = report.error is not None
        self.builds += 1
        if self.on_build is not None:
            try:
                self.on_build(report)
            except Exception as exc:  # the caller's handler: its failure must not end the watching
                with contextlib.suppress(Exception):
                    self.log(f"could not report a build: {type(exc).__name__}: {exc}")
        return report

    def _settle(self) -> None:
        """Wait until events have been quiet for `debounce` seconds (at most `max_delay` after the first)."""
        while not self._stop.is_set():
            now = time.monotonic()
            quiet_at = self._last_event + self.debounce
            deadline = self._first_event + self.max_delay
            wait = min(quiet_at, deadline) - now
            if wait <= 0:
                return
            self._stop.wait(wait)

    def run(self) -> None:
        """Build, then watch until `stop()` (or Ctrl-C in the caller's thread)."""
        self._start_observer()
        try:
            self.build()
            while not self._stop.is_set():
                timeout = self.tick
                if self._recheck_at is not None:
                    timeout = max(0.0, min(timeout, self._recheck_at - time.monotonic()))
                triggered = self._changed.wait(timeout=timeout)
                if self._stop.is_set():
                    break
                if not triggered and self._recheck_at is not None and time.monotonic() >= self._recheck_at:
                    self._recheck_at = None
                    triggered = True
                if triggered:
                    if self._changed.is_set():
                        self._settle()
                    if self._stop.is_set():
                        break
                    self._changed.clear()
                    self.build()
                elif self.clock() != self._built_for:
                    self.build()  # a new day: birthdays, due dates and "today" move without any file changing
                if self._observer is not None and not self._observer.is_alive():
                    self.log("the file watcher stopped; restarting it and rebuilding")
                    self._stop_observer()
                    self._start_observer()
                    self.poke()
        finally:
            self._stop_observer()

    def stop(self) -> None:
        self._stop.set()
        self._changed.set()
