"""The calendars and mailboxes `[sources]` names, read (never written) for the interactions they show.

`Sources` reads each file of a source only when it changed since it was last read (a Maildir's or a vdir's files
by their size and time, an mbox on from the offset where the last read stopped) and matches what it gives
(`model.Captured`) to the contacts (`capture`). What each file gave, matched, is kept per file, in memory and
for the next command in `.vaultnet/sources.json`: only each interaction's contact, day, kind and source id (a
hash), whether it is a mail to you, and the hashed ids of the mails a file answers; valid while your addresses
and the contacts' names and addresses stay the same. A long-lived session (`watch`) also keeps the records read,
so that a contact's new address is matched again without reading every mail again.

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
from vaultnet.vault import Fingerprint, private_dir, write_atomic
from vaultnet.vault import fingerprint as fingerprint_of

CACHE_NAME = f"{CACHE_DIR}/sources.json"
Reader = Callable[[Path], tuple[list[Captured], list[Problem]]]  # one file -> its records, its problems
FORMAT = 3  # 3: a file's stat kept as vault.Fingerprint (mtime, size)
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
    interactions: int = 0
    problems: list[Problem] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # its files

    def line(self) -> str:
        files = f"{self.files:,} file{'s' if self.files != 1 else ''} read"
        found = f"{self.interactions:,} interaction{'s' if self.interactions != 1 else ''} with contacts"
        return f"[sources] {self.source.key} {self.source.written}: {files}, {found}"


def sources_of(root: Path, settings: Settings) -> list[Source]:
    """The sources `[sources]` names: `~` is the user's home, and a relative path is from the vault's root."""
    named = [("calendar", w) for w in settings.sources_calendars] + [("mail", w) for w in settings.sources_mail]
    return [Source(kind, written, root / os.path.expanduser(written)) for kind, written in named]


def fingerprint(root: Path, settings: Settings) -> tuple[object, ...]:
    """What changes when a source gains, loses or changes a file, cheaply: an mbox's or a .ics file's size and
    time, and the time of each folder of a Maildir or vdir (Maildir files never change in place: new mail and
    flags are new names; vdirsyncer and khal write an event by renaming a new file into place)."""
    out: list[object] = [settings.sources_me]
    for source in sources_of(root, settings):
        if source.path.is_dir():
            folders = [(root, fingerprint_of(Path(root))) for root, dirs, _ in os.walk(source.path) if not dirs.sort()]
            out.append((source.written, tuple(folders)))
        else:
            out.append((source.written, fingerprint_of(source.path)))
    return tuple(out)


def _unusable(source: Source) -> str | None:
    """Why `source` can give nothing (it would silently read 0 files), or None."""
    path = source.path
    if source.kind == "calendar":
        return None if path.is_file() or path.is_dir() else "neither a file nor a folder"
    from vaultnet.mailsource import is_mbox

    if path.is_dir():
        return None if (path / "cur").is_dir() or (path / "new").is_dir() else "not a Maildir (no cur/ or new/ in it)"
    if not path.is_file():
        return "neither a file nor a folder"
    return None if is_mbox(path) else "not an mbox (it does not begin with a `From ` line) nor a Maildir folder"


Row = tuple[str, str, str, str, bool]  # contact, day (ISO), kind, source id, a mail to you (counts if answered)


@dataclass
class _Kept:
    """What one file gave, matched: what the next read of an unchanged file reuses."""

    stat: Fingerprint | None
    read_on: str  # the day it was read: occurrences are known up to a year after it
    rows: list[Row]
    replies: list[str]  # the hashed ids of the mails this file's mails answer
    offset: int = 0  # an mbox: where the next read starts


class Sources:
    """The sources of a vault's settings, read as they change."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        self.me = frozenset(settings.sources_me)
        self._key = ""  # the people and addresses `_kept` was matched for
        self._kept: dict[str, _Kept] = {}
        self._records: dict[str, tuple[Fingerprint | None, int, list[Captured]]] = {}  # file -> stat, end, records
        self.reports: list[Report] = []

    @property
    def any(self) -> bool:
        return bool(self.settings.sources_calendars or self.settings.sources_mail)

    def interactions(self, people: People, today: date) -> dict[str, tuple[Interaction, ...]]:
        """Each contact's captured interactions up to `today`."""
        found = self.match(people, today)
        return {path: tuple(found[path]) for path in sorted(found)}

    def match(self, people: People, today: date) -> dict[str, list[Interaction]]:
        """Every source's files, read where they changed and matched; each report counts its share."""
        key = hashlib.blake2b(repr((FORMAT, sorted(self.me), people.digest)).encode(), digest_size=16).hexdigest()
        if key != self._key:
            self._key, self._kept = key, self._load(key)
        before = self._kept
        self._kept = {}
        self.reports = []
        for source in sources_of(self.root, self.settings):
            report = Report(source)
            self.reports.append(report)
            if not source.path.exists():
                what = f"[sources] {source.key}: {source.written}: no such file or folder"
                report.problems.append(Problem(CONFIG_FILE, 0, what, "warning"))
                continue
            if (unusable := _unusable(source)) is not None:  # a FIFO, a file that is no mbox, a folder no Maildir
                report.problems.append(
                    Problem(CONFIG_FILE, 0, f"[sources] {source.key}: {source.written}: {unusable}", "warning")
                )
                continue
            for file, read in self._files(source, today):
                report.files += 1
                self._kept[str(file)] = self._file(file, read, before.get(str(file)), people, today, report)
        if self._kept != before:
            self._save()
        return self._assemble(today)

    def _assemble(self, today: date) -> dict[str, list[Interaction]]:
        from vaultnet.calsource import read_window

        replied = {reply for kept in self._kept.values() for reply in kept.replies}
        # A kept calendar file's meetings reach back ten years from the day it was read: a cold read today reaches
        # back from today, and so does what counts (a meeting is only ever read from a calendar).
        oldest = read_window(today)[0]
        found: dict[str, list[Interaction]] = {}
        for report in self.reports:
            report.interactions = 0
        by_file = {str(file): report for report in self.reports for file in report.names}
        for file, kept in self._kept.items():
            for path, day, kind, source, received in kept.rows:
                when = date.fromisoformat(day)
                if when <= today and (not received or source in replied) and (kind != "meeting" or when >= oldest):
                    found.setdefault(path, []).append(Interaction(when, kind, "", source))
                    if file in by_file:
                        by_file[file].interactions += 1
        return found

    def _files(self, source: Source, today: date) -> list[tuple[Path, Reader | None]]:
        """The source's files, each with its reader (None: an mbox, read from an offset)."""
        if source.kind == "calendar":
            from vaultnet.calsource import calendar_files, read_calendar

            def calendar(file: Path) -> tuple[list[Captured], list[Problem]]:
                return read_calendar(file.read_bytes(), str(file), self.me, today)

            return [(file, calendar) for file in calendar_files(source.path)]
        from vaultnet.mailsource import is_mbox, mail_files, read_mail_file

        if source.path.is_file() and is_mbox(source.path):
            return [(source.path, None)]

        def mail(file: Path) -> tuple[list[Captured], list[Problem]]:
            record, problems = read_mail_file(file, self.me)  # its headers only
            return ([] if record is None else [record]), problems

        return [(file, mail) for file in mail_files(source.path)]

    def _file(
        self, file: Path, read: Reader | None, kept: _Kept | None, people: People, today: date, report: Report
    ) -> _Kept:
        """What `file` gives now: as kept while it is unchanged (and its year holds), else read (from the offset
        for an mbox that grew) and matched."""
        report.names.append(str(file))
        stat = fingerprint_of(file)
        fresh = kept is not None and today <= date.fromisoformat(kept.read_on) + _WINDOW
        if kept is not None and fresh and kept.stat == stat:
            return kept
        records, offset = self._read(file, read, stat, report)
        replies = sorted(answered(records))
        rows = [(path, i.day.isoformat(), i.kind, i.source, received)
                for path, i, received in match(records, people, today + _WINDOW)]  # fmt: skip
        return _Kept(stat, today.isoformat(), rows, replies, offset)

    def _read(
        self, file: Path, read: Reader | None, stat: Fingerprint | None, report: Report
    ) -> tuple[list[Captured], int]:
        """The records of `file` (from this session's memory when it did not change), and an mbox's end."""
        known = self._records.get(str(file))
        if known is not None and known[0] == stat:
            return known[2], known[1]
        try:
            if read is None:
                records, end = self._read_mbox(file, stat, report)
            else:
                records, problems = read(file)
                report.problems += problems
                end = 0
        except OSError as exc:
            report.problems.append(Problem(str(file), 0, f"cannot be read ({exc.strerror or exc})", "warning"))
            return [], 0
        self._records[str(file)] = (stat, end, records)
        return records, end

    def _read_mbox(self, path: Path, stat: Fingerprint | None, report: Report) -> tuple[list[Captured], int]:
        from vaultnet.mailsource import read_mbox, resumes_at

        known = self._records.get(str(path))
        grown = known is not None and stat is not None and known[0] is not None and stat.size >= known[1]
        # Rewritten (a message deleted, the folder compacted) and grown past the old end: the records before it
        # are no longer the file's, and the reader reads it all again.
        grown = grown and known is not None and resumes_at(path, known[1])
        start, before = (known[1], known[2]) if grown and known is not None else (0, [])
        got, end, problems = read_mbox(path, self.me, start)
        report.problems += problems
        # From the offset: the new messages after the ones read before. When the reader could not resume there (the
        # file was rewritten), it read the whole file again: a message already known is kept once, by its id.
        return list({(r.source, r.day, r.kind): r for r in (before + got if start else got)}.values()), end

    # -- what the next command finds --------------------------------------------------------------------------

    def _load(self, key: str) -> dict[str, _Kept]:
        try:
            kept = json.loads((self.root / CACHE_NAME).read_text(encoding="utf-8"))
            if kept.get("key") != key:
                return {}
            return {
                file: _Kept(Fingerprint(*k["stat"]) if k["stat"] else None, k["read_on"],
                            [tuple(row) for row in k["rows"]], list(k["replies"]), int(k.get("offset", 0)))
                for file, k in kept["files"].items()
            }  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def _save(self) -> None:
        files = {
            file: {"stat": k.stat, "read_on": k.read_on, "rows": k.rows, "replies": k.replies, "offset": k.offset}
            for file, k in sorted(self._kept.items())
        }
        try:
            private_dir(self.root / CACHE_DIR)
            write_atomic(
                self.root / CACHE_NAME, json.dumps({"key": self._key, "files": files}).encode(), root=self.root
            )
        except OSError:
            pass  # only the next command's head start is lost
