"""The cache's codec: what `cache` stores, as JSON and bytes, and the records it hands out. Only `cache`
imports this module (the layers above import the record types and the codec from `cache`).

JSON, not pickle, so that a planted cache file cannot run code. Every record is a positional JSON array:
notes are decoded for every note on every build, and an array has no keys to parse and no dict to build.
Decoding checks that a value is exactly what `encode_*` writes, shape and types (and that a birthday is a
day that exists), and raises ValueError (or TypeError, KeyError, IndexError) for anything else: a cache
must never hand the layers above a value that breaks them later. The checks run while the records are
built, and cost about a fifth of the decoding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any, NamedTuple

from vaultnet.model import (
    Birthday,
    Contact,
    DailyNote,
    Duration,
    Event,
    Goal,
    Link,
    LogEntry,
    Meeting,
    Mention,
    ParsedNote,
    Promise,
)
from vaultnet.problems import Problem
from vaultnet.vault import Fingerprint

# One note as cached: the fingerprint it was read at, and what it yielded.
Entry = tuple[Fingerprint, ParsedNote]


@dataclass(frozen=True)
class OutputStamp:
    """One output as a build left it: its path (relative to the vault, `/`-separated), size and mtime."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class BuildRecord:
    """What the last build was made from (`digest`), what it wrote, and what it found."""

    digest: str
    outputs: tuple[OutputStamp, ...]
    problems: tuple[Problem, ...]
    contacts: int
    due: int


class NoteFragments(NamedTuple):
    """One note's rendered calendar events (`(sort key, text)` pairs) and the `key` they were rendered for."""

    key: str
    parts: list[tuple[str, bytes]]


# -- checking: the type each position of a positional record may hold -------------------------------------
# isinstance, and so `True` passes for an int; the rest is exact (JSON gives no subclasses).

Shape = tuple[type | tuple[type, ...], ...]
_SN = (str, type(None))
_LN = (list, type(None))
_SEVERITIES = frozenset({"error", "warning"})
_TEXTS = frozenset({str})
_PROBLEM = (int, str, str)
_CONTACT = (
    str, list, _SN, _SN, list, list, list, _SN, _LN, bool, _LN, _SN, _SN,
    list, list, _SN, _SN, _SN, bool, list, list, _SN, int, int, _SN, int,
)  # fmt: skip
_LOG = (str, str, str, int, bool, bool)
_PROMISE = (str, _SN, bool, int)
_DURATION = (int, int, int)
_BIRTHDAY = (int, int, (int, type(None)))
_EVENT = (str, str, _SN, _SN, list, list, _SN, int)
_LINK = (str, int, bool)  # target, line, plain
_GOAL = (str, _LN, bool)
_DAILY = (str, list)
_MENTION = (str, int, str, bool, bool)
_MEETING = (str, str, list, int)


def _bad(what: str) -> Any:
    raise ValueError(f"not {what}")


def _shaped(value: Any, shape: Shape) -> bool:
    """Whether `value` is a list with one item of each type in `shape`. Inlined where it runs per log entry."""
    return type(value) is list and len(value) == len(shape) and all(map(isinstance, value, shape))


def _records(values: Any, shape: Shape, what: str) -> list[Any]:
    """`values` when it is a list of records shaped as `shape`."""
    return values if type(values) is list and all([_shaped(v, shape) for v in values]) else _bad(what)


def _duration(value: Any) -> Duration | None:
    return None if value is None else Duration(*value) if _shaped(value, _DURATION) else _bad("a duration")


def _birthday(value: Any) -> Birthday | None:
    if value is None:
        return None
    month, day, year = value if _shaped(value, _BIRTHDAY) else _bad("a birthday")
    date(2000 if year is None else year, month, day)  # a day that exists, or ValueError
    return Birthday(month, day, year)


# -- notes ------------------------------------------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def encode_note(note: ParsedNote) -> str:
    """A note as `[problems, contact]`, `[problems, null, event]`, `[problems, null, null, goal]`,
    `[problems, null, null, null, daily note]` or `[problems, null, null, null, null, meeting]`; a contact is
    a positional array in the order below."""
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
    elif note.meeting is not None:
        m = note.meeting
        doc += [None, None, None, [m.day.isoformat(), m.title, [list(x) for x in m.people], m.modified]]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def decode_notes(rows: list[tuple[str, str]]) -> list[ParsedNote]:
    """Decode many (path, payload) rows at once: one JSON document is far faster than thousands."""
    documents = json.loads("[" + ",".join(payload for _, payload in rows) + "]")
    return [_note(path, data) for (path, _), data in zip(rows, documents, strict=True)]


def decode_note(path: str, payload: str) -> ParsedNote:
    return _note(path, json.loads(payload))


def decode_entries(rows: list[tuple[Any, ...]]) -> dict[str, Entry]:
    """The cached notes by path, from `(path, mtime_ns, size, payload)` rows."""
    notes = decode_notes([(path, payload) for path, _, _, payload in rows])
    if not all([type(path) is str and type(mtime_ns) is int and type(size) is int for path, mtime_ns, size, _ in rows]):
        _bad("a fingerprint")
    return {row[0]: (Fingerprint(row[1], row[2]), note) for row, note in zip(rows, notes, strict=True)}


def _note(path: str, data: Any) -> ParsedNote:
    if not (type(data) is list and 2 <= len(data) <= 6):
        _bad("a note")
    problems = () if data[0] == [] else _problems(path, data[0])  # most notes have none
    if len(data) > 2:
        if not all([x is None for x in data[1:-1]]):
            _bad("a note of one kind")
        return ParsedNote(path, problems=problems, **_other(path, data))
    if data[1] is None:
        return ParsedNote(path, problems=problems)
    return ParsedNote(path, contact=_contact(path, data[1]), problems=problems)


def _problems(path: str, raw: Any) -> tuple[Problem, ...]:
    problems = tuple([Problem(path, *p) for p in _records(raw, _PROBLEM, "a problem")])
    return problems if _SEVERITIES.issuperset([p.severity for p in problems]) else _bad("a severity")


def _contact(path: str, raw: Any) -> Contact:
    if not _shaped(raw, _CONTACT):
        _bad("a contact")
    (name, aliases, company, role, emails, phones, tags, circle, cadence, cadence_none, birthday, met,
     introduced_by, interests, goals, last_contact, follow_up, snooze_until, archived, log, promises,
     linkedin, introduced_by_line, goals_line, uid, modified) = raw  # fmt: skip
    if not _TEXTS.issuperset(map(type, chain(aliases, emails, phones, tags, interests, goals))):
        _bad("a list of texts")
    fromiso, log_shape = date.fromisoformat, _LOG  # the check inlined: this runs for every log entry
    entries = [
        LogEntry(fromiso(e[0]), e[1], e[2], e[3], e[4], e[5])
        if type(e) is list and len(e) == 6 and all(map(isinstance, e, log_shape))
        else _bad("a log entry")
        for e in log
    ]
    return Contact(
        path, name, tuple(aliases), company, role, tuple(emails), tuple(phones), tuple(tags), circle,
        _duration(cadence), cadence_none, _birthday(birthday),
        _date(met), introduced_by, tuple(interests), tuple(goals), _date(last_contact), _date(follow_up),
        _date(snooze_until), archived, tuple(entries),
        tuple([Promise(t, _date(d), done, n) for t, d, done, n in _records(promises, _PROMISE, "a promise")]),
        linkedin, introduced_by_line, goals_line, uid, modified,
    )  # fmt: skip


def _other(path: str, data: list[Any]) -> dict[str, Any]:
    """An event, a goal, a daily note or a meeting, from its positional form (see `encode_note`)."""
    if len(data) == 3:
        title, day, end, location, targets, met, follow_up, modified = (
            data[2] if _shaped(data[2], _EVENT) else _bad("an event")
        )
        return {
            "event": Event(
                path,
                title,
                date.fromisoformat(day),
                _date(end),
                location,
                tuple(Link(*x) for x in _records(targets, _LINK, "a link")),
                tuple(Link(*x) for x in _records(met, _LINK, "a link")),
                _date(follow_up),
                modified,
            )
        }
    if len(data) == 4:
        title, stalled, done = data[3] if _shaped(data[3], _GOAL) else _bad("a goal")
        return {"goal": Goal(path, title, _duration(stalled), done)}
    if len(data) == 6:
        day, title, people, modified = data[5] if _shaped(data[5], _MEETING) else _bad("a meeting")
        links = tuple(Link(*x) for x in _records(people, _LINK, "a link"))
        return {"meeting": Meeting(path, date.fromisoformat(day), title, links, modified)}
    day, mentions = data[4] if _shaped(data[4], _DAILY) else _bad("a daily note")
    mentions = _records(mentions, _MENTION, "a mention")
    return {"daily": DailyNote(path, date.fromisoformat(day), tuple(Mention(*m) for m in mentions))}


# -- the last build: `[digest, outputs, problems, contacts, due]` -------------------------------------------


def encode_build(r: BuildRecord) -> str:
    outputs = [[o.path, o.size, o.mtime_ns] for o in r.outputs]
    problems = [[p.path, p.line, p.message, p.severity] for p in r.problems]
    return json.dumps([r.digest, outputs, problems, r.contacts, r.due])


def decode_build(value: Any) -> BuildRecord:
    data = json.loads(value)
    digest, outputs, problems, contacts, due = data if _shaped(data, (str, list, list, int, int)) else _bad("a build")
    problems = [Problem(*p) for p in _records(problems, (str, *_PROBLEM), "a problem")]
    if not _SEVERITIES.issuperset([p.severity for p in problems]):
        _bad("a severity")
    stamps = tuple(OutputStamp(*o) for o in _records(outputs, (str, int, int), "an output"))
    return BuildRecord(digest, stamps, tuple(problems), contacts, due)


@dataclass(frozen=True)
class ViewRecord:
    """What a reading command printed (`text`) and reported (`problems`), for inputs of `digest`."""

    digest: str
    problems: tuple[Problem, ...]
    text: str


def encode_view(r: ViewRecord) -> str:
    return json.dumps([r.digest, [[p.path, p.line, p.message, p.severity] for p in r.problems], r.text])


def decode_view(value: Any) -> ViewRecord:
    data = json.loads(value)
    digest, problems, text = data if _shaped(data, (str, list, str)) else _bad("a view")
    problems = [Problem(*p) for p in _records(problems, (str, *_PROBLEM), "a problem")]
    if not _SEVERITIES.issuperset([p.severity for p in problems]):
        _bad("a severity")
    return ViewRecord(digest, tuple(problems), text)


# -- calendar fragments: the texts joined in one blob, their sort keys and lengths in JSON -------------------


def encode_fragments(fragments: NoteFragments) -> tuple[str, str, bytes]:
    """`(key, meta, data)`: `data` the texts joined, `meta` a JSON array of `[sort key, length]`."""
    meta = json.dumps([[sort_key, len(text)] for sort_key, text in fragments.parts])
    return fragments.key, meta, b"".join(text for _, text in fragments.parts)


def decode_fragments(rows: list[tuple[Any, ...]]) -> dict[str, NoteFragments]:
    """Every note's fragments by path, from `(path, key, meta, data)` rows."""
    metas = json.loads("[" + ",".join(meta for _, _, meta, _ in rows) + "]")
    if not all([type(path) is str for path, _, _, _ in rows]):
        _bad("a path")
    return {path: _unpack(key, meta, data) for (path, key, _, data), meta in zip(rows, metas, strict=True)}


def _unpack(key: Any, meta: Any, data: Any) -> NoteFragments:
    if not (type(key) is str and type(data) is bytes):
        _bad("fragments")
    parts: list[tuple[str, bytes]] = []
    offset = 0
    for sort_key, length in _records(meta, (str, int), "a fragment"):
        parts.append((sort_key, data[offset : offset + length] if length >= 0 else _bad("a length")))
        offset += length
    return NoteFragments(key, parts) if offset == len(data) else _bad("fragments that add up")
