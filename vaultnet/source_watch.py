"""`watch` watches the calendars and mailboxes `[sources]` names too: an event in one of their folders (new mail
in a Maildir's `new/`, a flag renamed in `cur/`, an event vdirsyncer wrote, an mbox grown) asks for a build, whose
digest then finds the sources changed and reads again only the files that did (see `sources`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from vaultnet.config import Settings
from vaultnet.sources import sources_of


class _SourceHandler(FileSystemEventHandler):
    """Any event in a source's folder (or, for a file source, on that file) calls `changed`. Never raises: an
    exception here would silently end watchdog's observer thread."""

    def __init__(self, changed: Callable[[], None], log: Callable[[str], None], file: str | None) -> None:
        self.changed, self.log, self.file = changed, log, file

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            paths = {os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")}
            if self.file is None or self.file in paths:
                self.changed()
        except Exception as exc:
            self.log(f"ignored a file event in a source that could not be handled: {exc!r}")


def watch_sources(
    observer: BaseObserver, root: Path, settings: Settings, changed: Callable[[], None], log: Callable[[str], None]
) -> None:
    """Schedule `changed` on every source that exists: a folder with what is below it, a file through its folder.
    A source that is missing now is `check`'s warning; it is watched from the next start of the watcher."""
    for source in sources_of(root, settings):
        try:
            if source.path.is_dir():
                observer.schedule(_SourceHandler(changed, log, None), str(source.path), recursive=True)
            elif source.path.parent.is_dir():
                handler = _SourceHandler(changed, log, str(source.path))
                observer.schedule(handler, str(source.path.parent), recursive=False)
        except OSError as exc:  # not readable, or the system's limit of watches: read at each build all the same
            log(f"cannot watch the source {source.written}: {exc.strerror or exc}")
