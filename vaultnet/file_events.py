"""What the watcher makes of file events: which paths can matter, the listing brought up to date by looking
again at only the files events named, and the marker that shows every event from before a moment is in.

No watchdog here: `watch` owns the observer and hands its events' paths over.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from vaultnet.config import CACHE_DIR, CONFIG_NAME, Settings
from vaultnet.obsidian import SETTINGS_FILES
from vaultnet.problems import printable
from vaultnet.vault import Fingerprint, Listing, note_at

IGNORED_FOLDERS = frozenset({".git", ".obsidian", ".trash", CACHE_DIR})
_SWAP_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload")
MARKER_NAME = "watching"  # in .vaultnet/, with the process id: touched by `Marker.caught_up`


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


def relisted(root: Path, listed: Listing, paths: Iterable[str], settings: Settings) -> Listing:
    """`listed` with the files at `paths` (relative, `/`-separated) looked at again: each as `Index.listing`
    (`list_notes` without the outputs and the templates folders) would list it now. A new Listing: the last
    one may be held by the snapshot built from it."""
    paths = set(paths)
    named = paths | {printable(rel) for rel in paths}  # a problem names a file whose name is not UTF-8 escaped
    fresh = Listing(listed)
    problems = [p for p in listed.problems if p.path not in named]
    exclude, skip = frozenset(settings.outputs), frozenset(settings.templates_folders)
    real_root = os.path.realpath(root)
    for rel in paths:
        fresh.pop(rel, None)
        found = note_at(root, rel, exclude, skip, real_root)
        if isinstance(found, Fingerprint):
            fresh[rel] = found
        elif found is not None:
            problems.append(found)
    fresh.problems = tuple(sorted(problems))
    return fresh


class Marker:
    """A file of this process's own (`.vaultnet/watching-PID`) whose change, once its event is back, shows that
    every event from before the change is in: inotify and watchdog deliver events in order. The server waits for
    it before it answers (`caught_up`), so that an answer includes every change made before its request.

    Touched one at a time (the kernel would merge two unread changes of one file into one event); callers at the
    same moment share one. Armed only where one change is one event, in order (inotify, Linux); of this process
    alone, so that another vaultnet watching the same vault cannot answer for it.
    """

    def __init__(self, root: Path) -> None:
        self.path = os.path.join(str(root), CACHE_DIR, f"{MARKER_NAME}-{os.getpid()}")
        self._cond = threading.Condition()
        self._touched = self._seen = 0
        self._armed = False
        self._made = False

    def make(self) -> None:
        """Make the file, before the observer starts (its own events must not count as a marker's)."""
        self._made = _make(self.path)

    def arm(self, in_order: bool) -> None:
        """Start counting anew, with the observer just started; `in_order`: it gives each change as one event,
        in order."""
        with self._cond:
            self._seen, self._armed = self._touched, in_order and self._made
            self._cond.notify_all()

    def disarm(self) -> None:
        """Stop, and remove the file (the observer is stopped)."""
        self.arm(False)
        if self._made:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self._made = False

    def caught_up(self, timeout: float = 1.0) -> bool:
        """Wait until every event from before this call has come in. False at once when not armed (polling,
        another platform, no marker file), or after `timeout` (its event lost with the kernel's overflowing
        queue: the count starts over)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            mine = self._touched + 1  # the first marker touched from now on
            while self._seen < mine:
                if not self._armed:
                    return False
                if self._seen == self._touched:
                    try:
                        os.utime(self.path, follow_symlinks=False)
                    except OSError:
                        self._armed = False
                        return False
                    self._touched += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    self._seen = self._touched
                    return False
                self._cond.wait(left)
            return True

    def echo(self) -> None:
        """The marker's event came in (the observer's thread)."""
        with self._cond:
            if self._seen < self._touched:
                self._seen += 1
                self._cond.notify_all()


def _make(path: str) -> bool:
    """Make the marker file in vaultnet's own folder (never through a link); whether it is there."""
    folder = os.path.dirname(path)
    try:
        if os.path.islink(folder) or not os.path.isdir(folder):
            return False
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600))
    except OSError:
        return False
    return True
