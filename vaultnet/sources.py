"""The calendars and mailboxes `[sources]` names, read (never written) for the interactions they show.

`Sources` knows each source's files and reads only those that changed since it last read them (a Maildir's or a
vdir's files by their names and fingerprints, an mbox from the offset where it stopped), keeps what each file
gave (`model.Captured`) in memory for a long-lived session (`watch`), and matches it to the contacts
(`capture`). For the next command it keeps, in `.vaultnet/sources.json`, only what the issue allows: each
interaction's contact, day, kind and source id (a hash), and the hashed ids of the mails you answered, under a
key of the sources' fingerprints, your addresses and the contacts' names and addresses. While that key holds, a
command reads no source at all; any change reads them again.

A source that is missing or unreadable is a warning, never a failure. Paths are the user's own: they may be
outside the vault, and `~` is their home.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from vaultnet.capture import People, answered, match
from vaultnet.config import CACHE_DIR, Settings
from vaultnet.config import CONFIG_NAME as CONFIG_FILE
from vaultnet.model import Captured
from vaultnet.network import Interaction
from vaultnet.problems import Problem
from vaultnet.vault import private_dir, write_atomic

CACHE_NAME = f"{CACHE_DIR}/sources.json"
Reader = Callable[[Path], tuple[list[Captured], list[Problem]]]  # one file -> its records, its problems
FORMAT = 1
_WINDOW = timedelta(days=365)  # a reader gives occurrences up to a year ahead: a kept result holds that long


@dataclass(frozen=True)
class Source:
    """One path `[sources]` names: as written (how the user knows it) and where it is."""

    kind: str  # "calendar" or "mail"
    written: str
    path: Path

    @property
    def key(self) -> str:
        """The setting that names it."""
        return "calendars" if self.kind == "calendar" else "mail"


@dataclass
class Report:
    """What one source gave in the last read: for `check`."""

    source: Source
    files: int = 0
    records: int = 0
    interactions: int = 0
    problems: list[Problem] = field(default_factory=list)

    def line(self) -> str:
        files = f"{self.files:,} file{'s' if self.files != 1 else ''} read"
        found = f"{self.interactions:,} interaction{'s' if self.interactions != 1 else ''} with contacts"
        return f"[sources] {self.source.key} {self.source.written}: {files}, {found}"


def sources_of(root: Path, settings: Settings) -> list[Source]:
    """The sources `[sources]` names: `~` is the user's home, and a relative path is from the vault's root."""
    named = [("calendar", w) for w in settings.sources_calendars] + [("mail", w) for w in settings.sources_mail]
    return [Source(kind, written, root / os.path.expanduser(written)) for kind, written in named]


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


def fingerprint(root: Path, settings: Settings) -> tuple[object, ...]:
    """What changes when a source gains, loses or changes a file, cheaply: an mbox's or a .ics file's size and
    time, and the time of each folder of a Maildir or vdir (Maildir files never change in place: new mail and
    flags are new names; vdirsyncer and khal write an event by renaming a new file into place)."""
    out: list[object] = [settings.sources_me]
    for source in sources_of(root, settings):
        if source.path.is_dir():
            folders = [(root, _stat(Path(root))) for root, dirs, _ in os.walk(source.path) if not dirs.sort()]
            out.append((source.written, tuple(folders)))
        else:
            out.append((source.written, _stat(source.path)))
    return tuple(out)


class Sources:
    """The sources of a vault's settings, read as they change."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        self.me = frozenset(settings.sources_me)
        self._files: dict[str, tuple[tuple[int, int] | None, list[Captured]]] = {}  # file -> (stat, records)
        self._mbox: dict[str, tuple[int, int, list[Captured]]] = {}  # mbox -> (mtime, offset, records)
        self.reports: list[Report] = []

    @property
    def any(self) -> bool:
        return bool(self.settings.sources_calendars or self.settings.sources_mail)

    def interactions(self, people: People, today: date) -> dict[str, tuple[Interaction, ...]]:
        """Each contact's captured interactions up to `today`, from the kept ones while the key holds."""
        key = repr((FORMAT, fingerprint(self.root, self.settings), people.digest))
        key = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        kept = self._kept(key, today)
        if kept is None:
            kept = self.match(people, today)
            self._keep(key, today, kept)
        out: dict[str, tuple[Interaction, ...]] = {}
        for path in sorted(kept):
            past = tuple(i for i in kept[path] if i.day <= today)
            if past:
                out[path] = past
        return out

    def match(self, people: People, today: date) -> dict[str, list[Interaction]]:
        """Every source read, and matched up to a year ahead (kept that long); each report counts its share."""
        by_source = self.read(today)
        replied = answered(r for records in by_source for r in records)
        found: dict[str, list[Interaction]] = {}
        for report, records in zip(self.reports, by_source, strict=True):
            for path, interaction in match(records, people, today + _WINDOW, replied):
                found.setdefault(path, []).append(interaction)
                report.interactions += interaction.day <= today
        return found

    def read(self, today: date) -> list[list[Captured]]:
        """The records of each source (a file read only if it changed since this object last read it), and a
        fresh `reports`."""
        out: list[list[Captured]] = []
        self.reports = []
        for source in sources_of(self.root, self.settings):
            report = Report(source)
            self.reports.append(report)
            got: list[Captured] = []
            if not source.path.exists():
                what = f"[sources] {source.key}: {source.written}: no such file or folder"
                report.problems.append(Problem(CONFIG_FILE, 0, what, "warning"))
            elif source.kind == "calendar":
                got = self._read_calendar(source, today, report)
            else:
                got = self._read_mail(source, report)
            report.records = len(got)
            out.append(got)
        return out

    def _read_calendar(self, source: Source, today: date, report: Report) -> list[Captured]:
        from vaultnet.calsource import calendar_files, read_calendar

        def read(file: Path) -> tuple[list[Captured], list[Problem]]:
            return read_calendar(file.read_bytes(), str(file), self.me, today)

        return [r for file in calendar_files(source.path) for r in self._file(file, report, read)]

    def _read_mail(self, source: Source, report: Report) -> list[Captured]:
        from vaultnet.mailsource import is_mbox, mail_files, read_mail_file, read_mbox

        if source.path.is_file() and is_mbox(source.path):
            report.files += 1
            return self._read_mbox(source.path, report, read_mbox)

        def read(file: Path) -> tuple[list[Captured], list[Problem]]:
            record, problems = read_mail_file(file, self.me)  # its headers only
            return ([] if record is None else [record]), problems

        return [r for file in mail_files(source.path) for r in self._file(file, report, read)]

    def _file(self, file: Path, report: Report, read: Reader) -> list[Captured]:
        """What `file` gives, read again only when its size or time changed since this object read it."""
        report.files += 1
        stat = _stat(file)
        known = self._files.get(str(file))
        if known is not None and known[0] == stat:
            return known[1]
        try:
            got, problems = read(file)
        except OSError as exc:
            report.problems.append(Problem(str(file), 0, f"cannot be read ({exc.strerror or exc})", "warning"))
            return []
        report.problems += problems
        self._files[str(file)] = (stat, got)
        return got

    def _read_mbox(self, path: Path, report: Report, read_mbox: object) -> list[Captured]:
        stat = _stat(path)
        key = str(path)
        known = self._mbox.get(key)
        grown = known is not None and stat is not None and stat[0] >= known[1]  # appended to: read from the offset
        start, before = (known[1], known[2]) if grown and known is not None else (0, [])
        try:
            got, end, problems = read_mbox(path, self.me, start)  # type: ignore[operator]
        except OSError as exc:
            report.problems.append(Problem(str(path), 0, f"cannot be read ({exc.strerror or exc})", "warning"))
            return []
        report.problems += problems
        # From the offset: the new messages after the ones read before. When the reader could not resume there (the
        # file was rewritten), it read the whole file again: a message already known is kept once, by its id.
        records = list({(r.source, r.day, r.kind): r for r in (before + got if start else got)}.values())
        self._mbox[key] = (stat[1] if stat else 0, end, records)
        return records

    # -- what the next command finds --------------------------------------------------------------------------

    def _kept(self, key: str, today: date) -> dict[str, list[Interaction]] | None:
        try:
            kept = json.loads((self.root / CACHE_NAME).read_text(encoding="utf-8"))
            if kept.get("key") != key or today > date.fromisoformat(kept["read_on"]) + _WINDOW:
                return None
            out: dict[str, list[Interaction]] = {}
            for path, day, kind, source in kept["interactions"]:
                out.setdefault(path, []).append(Interaction(date.fromisoformat(day), kind, "", source))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return out

    def _keep(self, key: str, today: date, found: dict[str, list[Interaction]]) -> None:
        rows = [[p, i.day.isoformat(), i.kind, i.source] for p in sorted(found) for i in found[p]]
        data = json.dumps({"key": key, "read_on": today.isoformat(), "interactions": rows}).encode()
        try:
            private_dir(self.root / CACHE_DIR)
            write_atomic(self.root / CACHE_NAME, data, root=self.root)
        except OSError:
            pass  # only the next command's head start is lost
