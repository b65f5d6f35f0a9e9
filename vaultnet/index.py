"""The index: parsed notes kept current by fingerprint, persisted in SQLite under `.vaultnet/`.

Only notes whose size or mtime changed are read again. The cache is never trusted over the files:
a note is re-read when its fingerprint differs, and a cache that is stale (another vaultnet
version, other settings) or corrupt is rebuilt from scratch.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from vaultnet import __version__
from vaultnet.config import CACHE_DIR, Settings
from vaultnet.model import (
    Birthday,
    Contact,
    DailyNote,
    Duration,
    Event,
    Goal,
    Link,
    LogEntry,
    Mention,
    ParsedNote,
    Promise,
)
from vaultnet.parse import parse_note
from vaultnet.problems import Problem
from vaultnet.vault import Fingerprint, list_notes, private_dir, read_bytes

CACHE_NAME = "cache.sqlite"
_SCHEMA = 7  # bump whenever what the cache holds changes shape
# A file changed within this window of being read may change again within the same mtime tick:
# its fingerprint is not trusted next time (git's "racy clean" problem).
_RACY_NS = 2_000_000_000


@dataclass
class Refresh:
    """What one refresh found: the notes by path, and which paths were (re)parsed or removed."""

    notes: dict[str, ParsedNote]
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)
    parsed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # broken notes shown in their last good version
    racy: bool = False  # some note was written moments ago: it will be read again next time
    removed: list[str] = field(default_factory=list)

    @property
    def contacts(self) -> list[Contact]:
        return [n.contact for n in self.notes.values() if n.contact is not None]

    @property
    def problems(self) -> list[Problem]:
        return sorted(p for n in self.notes.values() for p in n.problems)


@functools.cache
def code_digest() -> str:
    """A digest of vaultnet's own source: changed code invalidates the cache and the last build by itself,
    without anyone having to remember to bump a version (an editable install changes without one)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def settings_key(settings: Settings) -> str:
    """What the parsed cache depends on besides the files: the code and the settings."""
    data = repr(
        (
            _SCHEMA,
            __version__,
            code_digest(),
            settings.contacts_folder,
            settings.events_folder,
            settings.goals_folder,
            settings.templates_folder,
            settings.daily_notes,
            settings.circles,
            settings.outputs,
        )
    )
    return hashlib.sha256(data.encode()).hexdigest()


class Index:
    """Parsed notes of one vault. Keep the object to refresh incrementally in memory (the watcher does);
    a new object starts from the SQLite cache (the CLI does). `persist=False` keeps no cache on disk."""

    def __init__(self, root: Path, settings: Settings, *, persist: bool = True, keep_last_good: bool = False) -> None:
        """`keep_last_good`: while a note has an error, keep using its last version that had none (the
        watcher: Obsidian saves half-typed notes every few seconds). In memory only: the cache and every
        fresh Index see the note as it is."""
        self.root = root
        self.settings = settings
        self.persist = persist
        self.keep_last_good = keep_last_good
        self._key = settings_key(settings)
        self._known: dict[str, tuple[Fingerprint, ParsedNote]] | None = None
        self._good: dict[str, ParsedNote] = {}
        self._connection: sqlite3.Connection | None = None

    def listing(self) -> dict[str, Fingerprint]:
        """The vault's notes and their fingerprints, as on disk now (the outputs are not notes)."""
        return list_notes(
            self.root,
            exclude=frozenset(self.settings.outputs),
            skip_folders=frozenset({self.settings.templates_folder}),
        )

    def refresh(self, listed: dict[str, Fingerprint] | None = None) -> Refresh:
        """Bring the index up to date with the files (`listed`: a listing just taken, to save a second one)."""
        if listed is None:
            listed = self.listing()
        known = self._known if self._known is not None else self._load()
        result = Refresh(notes={})
        fresh: dict[str, tuple[Fingerprint, ParsedNote]] = {}
        changed: list[tuple[str, Fingerprint, ParsedNote]] = []
        now = time.time_ns()
        result.fingerprints = listed
        for path in sorted(listed):
            fp = listed[path]
            old = known.get(path)
            if old is not None and old[0] == fp:
                fresh[path] = old
                result.notes[path] = old[1]
                continue
            data = read_bytes(self.root, path)
            if data is None:
                continue  # removed since it was listed
            note = parse_note(path, data, self.settings, modified=fp.mtime_ns // 1_000_000_000)
            # A file written moments ago may change again without its fingerprint changing: re-read it next time.
            trusted = fp if now - fp.mtime_ns > _RACY_NS else Fingerprint(-1, fp.size)
            result.racy = result.racy or trusted.mtime_ns == -1
            fresh[path] = (trusted, note)
            result.notes[path] = note
            result.parsed.append(path)
            changed.append((path, trusted, note))
        result.removed = sorted(set(known) - set(fresh))
        self._known = fresh
        if self.keep_last_good:
            self._substitute_last_good(result)
        if self.persist and (changed or result.removed):
            self._save(changed, result.removed)
        return result

    def last_good(self) -> dict[str, ParsedNote]:
        return dict(self._good)

    def remember_good(self, good: dict[str, ParsedNote]) -> None:
        self._good.update(good)

    def _substitute_last_good(self, result: Refresh) -> None:
        for path in result.removed:
            self._good.pop(path, None)
        for path, note in result.notes.items():
            broken = any(p.severity == "error" for p in note.problems)
            if not broken:
                self._good[path] = note
            elif path in self._good:
                good = self._good[path]
                result.notes[path] = replace(good, problems=note.problems)
                result.kept.append(path)

    # -- persistence -------------------------------------------------------------------------------

    @property
    def cache_path(self) -> Path:
        return self.root / CACHE_DIR / CACHE_NAME

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """The cache's connection, opened once per Index (opening it costs more than most queries)."""
        if self._connection is None:
            private_dir(self.cache_path.parent)
            db = sqlite3.connect(self.cache_path, timeout=10, check_same_thread=False)
            try:
                # A cache: a power cut mid-write may corrupt it, which is detected and costs one re-parse;
                # worth skipping the fsyncs (a process crash is safe: the journal is in the OS's buffers).
                db.execute("PRAGMA synchronous = OFF")
                db.execute("PRAGMA journal_mode = TRUNCATE")  # no journal file created and deleted per write
                with db:
                    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                    db.execute(
                        "CREATE TABLE IF NOT EXISTS notes (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER,"
                        " payload TEXT)"
                    )
                    db.execute(
                        "CREATE TABLE IF NOT EXISTS derived (path TEXT PRIMARY KEY, key TEXT, meta TEXT, data BLOB)"
                    )
            except BaseException:
                db.close()
                raise
            self._connection = db
        try:
            yield self._connection
        except sqlite3.DatabaseError:
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _load(self) -> dict[str, tuple[Fingerprint, ParsedNote]]:
        if not self.persist or not self.cache_path.exists():
            return {}
        try:
            with self._db() as db:
                row = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
                if row is None or row[0] != self._key:
                    return {}
                rows = db.execute("SELECT path, mtime_ns, size, payload FROM notes").fetchall()
            notes = decode_notes([(path, payload) for path, _, _, payload in rows])
            return {row[0]: (Fingerprint(row[1], row[2]), note) for row, note in zip(rows, notes, strict=True)}
        except (sqlite3.Error, ValueError, KeyError, TypeError, IndexError):
            self._discard()  # corrupt or foreign: start over from the files
            return {}

    def _save(self, changed: list[tuple[str, Fingerprint, ParsedNote]], removed: list[str]) -> None:
        try:
            self._write(changed, removed)
        except sqlite3.DatabaseError:
            self._discard()
            with contextlib.suppress(sqlite3.Error, OSError):
                self._write([(p, fp, n) for p, (fp, n) in (self._known or {}).items()], [])
        except OSError:
            pass  # a read-only vault still gets its follow-ups; only the speed-up is lost

    def _write(self, changed: list[tuple[str, Fingerprint, ParsedNote]], removed: list[str]) -> None:
        with self._db() as db, db:
            row = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
            if row is None or row[0] != self._key:
                db.execute("DELETE FROM notes")
                db.execute("DELETE FROM derived")
                db.execute("DELETE FROM meta")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('settings', ?)", (self._key,))
                changed = [(p, fp, n) for p, (fp, n) in (self._known or {}).items()]
            db.executemany(
                "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?)",
                [(p, fp.mtime_ns, fp.size, encode_note(n)) for p, fp, n in changed],
            )
            db.executemany("DELETE FROM notes WHERE path = ?", [(p,) for p in removed])

    def get_meta(self, name: str) -> Any:
        """A JSON value a later layer keeps beside the index (e.g. what the last build wrote), or None."""
        if not self.persist or not self.cache_path.exists():
            return None
        try:
            with self._db() as db:
                row = db.execute("SELECT value FROM meta WHERE key = ?", (f"x-{name}",)).fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError):
            return None

    def set_meta(self, name: str, value: Any) -> None:
        if not self.persist:
            return
        try:
            with self._db() as db, db:
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"x-{name}", json.dumps(value)))
        except (sqlite3.Error, OSError):
            pass  # only a speed-up is lost

    def load_derived(self) -> dict[str, tuple[str, Any, bytes]]:
        """Data derived per note by a later layer (rendered calendar events): path -> (key, meta, data).

        The index only keeps it; whoever derives it decides by `key` whether it is still valid.
        """
        if not self.persist or not self.cache_path.exists():
            return {}
        try:
            with self._db() as db:
                rows = db.execute("SELECT path, key, meta, data FROM derived").fetchall()
            metas = json.loads("[" + ",".join(meta for _, _, meta, _ in rows) + "]")
            return {path: (key, meta, data) for (path, key, _, data), meta in zip(rows, metas, strict=True)}
        except (sqlite3.Error, ValueError):
            return {}

    def save_derived(self, changed: dict[str, tuple[str, Any, bytes]], removed: list[str]) -> None:
        """Store derived data (`meta` JSON-serialisable, `data` bytes) for notes; see `load_derived`."""
        if not self.persist or not (changed or removed):
            return
        try:
            with self._db() as db, db:
                db.executemany(
                    "INSERT OR REPLACE INTO derived VALUES (?, ?, ?, ?)",
                    [(p, key, json.dumps(meta), data) for p, (key, meta, data) in changed.items()],
                )
                db.executemany("DELETE FROM derived WHERE path = ?", [(p,) for p in removed])
        except (sqlite3.Error, OSError):
            pass  # only a speed-up is lost

    def _discard(self) -> None:
        self.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(self.cache_path) + suffix).unlink()


# -- the cache's codec: JSON, not pickle, so a planted cache file cannot run code ------------------
# A note is `[problems, contact]`; a contact is a positional array in the order below. Positional, because
# this is decoded for every note on every build: no keys to parse, no dict to build.


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def encode_note(note: ParsedNote) -> str:
    problems = [[p.line, p.message, p.severity] for p in note.problems]
    c = note.contact
    contact: list[Any] | None = None
    if c is not None:
        contact = [
            c.name, list(c.aliases), c.company, c.role, list(c.emails), list(c.phones), list(c.tags), c.circle,
            [c.cadence.days, c.cadence.months, c.cadence.years] if c.cadence else None, c.cadence_none,
            [c.birthday.month, c.birthday.day, c.birthday.year] if c.birthday else None,
            _iso(c.met), c.introduced_by, list(c.interests), list(c.goals), _iso(c.last_contact),
            _iso(c.follow_up), _iso(c.snooze_until), c.archived,
            [[e.day.isoformat(), e.kind, e.text, e.line, e.gave, e.got] for e in c.log],
            [[p.text, _iso(p.due), p.done, p.line] for p in c.promises],
            c.linkedin, c.introduced_by_line, c.goals_line, c.uid, c.modified,
        ]  # fmt: skip
    doc: list[Any] = [problems, contact]
    if note.event is not None:
        e = note.event
        doc.append([e.title, e.day.isoformat(), _iso(e.end), e.location, [list(x) for x in e.targets],
                    [list(x) for x in e.met], _iso(e.follow_up), e.modified])  # fmt: skip
    elif note.goal is not None:
        g = note.goal
        stalled = g.stalled_after
        doc += [None, [g.title, [stalled.days, stalled.months, stalled.years] if stalled else None, g.done]]
    elif note.daily is not None:
        doc += [None, None, [note.daily.day.isoformat(), [list(m) for m in note.daily.mentions]]]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def decode_notes(rows: list[tuple[str, str]]) -> list[ParsedNote]:
    """Decode many (path, payload) rows at once: one JSON document is far faster than thousands."""
    documents = json.loads("[" + ",".join(payload for _, payload in rows) + "]")
    return [_note(path, data) for (path, _), data in zip(rows, documents, strict=True)]


def decode_note(path: str, payload: str) -> ParsedNote:
    return _note(path, json.loads(payload))


def _note(path: str, data: Any) -> ParsedNote:
    if not isinstance(data, list) or not 2 <= len(data) <= 5:
        raise ValueError(f"{path}: not a cached note")
    raw_problems, raw = data[0], data[1]
    problems = tuple(Problem(path, line, msg, sev) for line, msg, sev in raw_problems)
    if len(data) > 2:
        return ParsedNote(path, problems=problems, **_other(path, data))
    if raw is None:
        return ParsedNote(path, problems=problems)
    (name, aliases, company, role, emails, phones, tags, circle, cadence, cadence_none, birthday, met,
     introduced_by, interests, goals, last_contact, follow_up, snooze_until, archived, log, promises,
     linkedin, introduced_by_line, goals_line, uid, modified) = raw  # fmt: skip
    fromiso = date.fromisoformat
    contact = Contact(
        path, name, tuple(aliases), company, role, tuple(emails), tuple(phones), tuple(tags), circle,
        Duration(*cadence) if cadence else None, cadence_none, Birthday(*birthday) if birthday else None,
        _date(met), introduced_by, tuple(interests), tuple(goals), _date(last_contact), _date(follow_up),
        _date(snooze_until), archived,
        tuple([LogEntry(fromiso(e[0]), e[1], e[2], e[3], e[4], e[5]) for e in log]),
        tuple([Promise(t, _date(d), done, n) for t, d, done, n in promises]),
        linkedin, introduced_by_line, goals_line, uid, modified,
    )  # fmt: skip
    return ParsedNote(path, contact=contact, problems=problems)


def _other(path: str, data: list[Any]) -> dict[str, Any]:
    """An event, a goal or a daily note, from its positional form (see `encode_note`)."""
    if len(data) == 3:
        title, day, end, location, targets, met, follow_up, modified = data[2]
        return {
            "event": Event(
                path,
                title,
                date.fromisoformat(day),
                _date(end),
                location,
                tuple(Link(*x) for x in targets),
                tuple(Link(*x) for x in met),
                _date(follow_up),
                modified,
            )
        }
    if len(data) == 4:
        title, stalled, done = data[3]
        return {"goal": Goal(path, title, Duration(*stalled) if stalled else None, done)}
    day, mentions = data[4]
    return {"daily": DailyNote(path, date.fromisoformat(day), tuple(Mention(*m) for m in mentions))}
