"""Text -> Contact, Event, Goal or DailyNote: front matter values converted per field, the log, the promises.

Reading the bytes and the front matter's YAML is `vaultnet.frontmatter`'s; which Markdown line is a heading,
a task or a log entry is `vaultnet.mdlines`'. Problems are data: `parse_note` never raises for anything a
user can write; it returns the problems with their `path:line` and, when there is an error, no contact
(the note is skipped).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from vaultnet.classify import NoteKind, classify, excluded, mapped_properties, note_tags
from vaultnet.config import Settings, daily_note_regex
from vaultnet.fieldvalues import (
    FIELDS,
    LIST_ATTR,
    LIST_FIELDS,
    as_date,
    as_text,
    as_texts,
    converted,
    loose,
    plain,
)
from vaultnet.frontmatter import (
    EntryLines,
    decode,
    line_of_key,
    load_front_matter,
    split_front_matter,
    template_hints,
)
from vaultnet.links import find_links
from vaultnet.mdlines import (
    CANDIDATE,
    DONE_MARKS,
    IMPORT_NOTES,
    LIST_MARK,
    LOG_ENTRY,
    TASK,
    CodeFences,
    heading,
    quotes_under,
    task_due,
)  # fmt: skip
from vaultnet.meetings import meeting_note
from vaultnet.model import Contact, DailyNote, Event, Goal, Link, LogEntry, Mention, ParsedNote, Promise
from vaultnet.problems import Problem
from vaultnet.selection import Selection
from vaultnet.settings_spec import Pairs
from vaultnet.values import link_of, parse_date, parse_duration, plain_text
from vaultnet.vault import note_stem

# Each runs in time linear in its line: possessive where a repetition meets one that matches the same text.
_LOG_KIND = re.compile(r"([A-Za-z][\w-]*+)\s*+:\s*+(.*)")
_GAVE = re.compile(r"(?<![\w#])#gave\b", re.IGNORECASE)
_GOT = re.compile(r"(?<![\w#])#got\b", re.IGNORECASE)
_LOST_TAG = re.compile(r"\s*+(?:tags?\s*+:(?![\"'])[^\"'\n]*?\s|-\s++)#[^\s#]", re.IGNORECASE)


def parse_body(path: str, text: str, first_line: int) -> tuple[list[LogEntry], list[Promise], list[Problem]]:
    """The dated lines under a `Log` heading and the Markdown tasks anywhere in the body."""
    log: list[LogEntry] = []
    promises: list[Promise] = []
    problems: list[Problem] = []
    log_level = 0  # the heading level of the Log section we are in; 0: not in one
    code = CodeFences()
    number, counted = first_line, 0
    for candidate in CANDIDATE.finditer(text):  # only these lines can be a fence, a heading, a task or an entry
        number += text.count("\n", counted, candidate.start())
        counted = candidate.start()
        line = candidate.group()
        head = candidate.group(1)[0]
        if code.open is not None or head in "`~":
            code.is_code(line)  # a fence, or a line inside one: none is read
            continue
        if head == "#":
            h = heading(line)
            if h:
                if log_level and h.level <= log_level:
                    log_level = 0
                if h.is_log and not log_level:  # a `### Log` inside `## Log` is part of it, as for the editor
                    log_level = h.level
            continue
        task = TASK.match(line) if "[" in line else None
        if task:
            promise = _promise(path, number, task["mark"], task["text"], problems)
            if promise is not None:
                promises.append(promise)
        if log_level:
            entry = LOG_ENTRY.match(line)
            if entry:
                try:
                    day = parse_date(entry["day"])
                except ValueError as exc:
                    problems.append(Problem(path, number, f"log entry: {exc}"))
                    continue
                rest = entry["text"].strip()
                k = _LOG_KIND.match(rest)
                kind, what = (k.group(1).lower(), k.group(2)) if k else ("", rest)
                gave, got = (bool(_GAVE.search(rest)), bool(_GOT.search(rest))) if "#" in rest else (False, False)
                log.append(LogEntry(day, kind, what.strip(), number, gave, got))
    return log, promises, problems


def _promise(path: str, number: int, mark: str, text: str, problems: list[Problem]) -> Promise | None:
    due: date | None = None
    m = task_due(text)
    if m:
        try:
            due = parse_date(m.group(1) or m.group(2))
        except ValueError as exc:
            problems.append(Problem(path, number, f"task due date: {exc}"))
            return None
        text = (text[: m.start()] + text[m.end() :]).strip()
    return Promise(text=" ".join(text.split()), due=due, done=mark in DONE_MARKS, line=number)


def parse_note(path: str, data: bytes, settings: Settings, modified: int = 0) -> ParsedNote:
    """Parse one note. `path` is relative to the vault, `/`-separated."""
    note = _parse_note(path, data, settings, modified)
    # Rare: only then look for a template's placeholders; a note the vault excludes (`**/_template.md`) is
    # not read at all, and gets no word about them either.
    if (b"{{" in data or b"<%" in data) and not excluded(path, _selections(settings)):
        return replace(note, problems=template_hints(path, data, note.problems, settings.templates_folders))
    return note


def _parse_note(path: str, data: bytes, settings: Settings, modified: int) -> ParsedNote:
    text, problem = decode(path, data)
    if text is None:
        return ParsedNote(path, problems=(problem,) if problem else ())
    selections = _selections(settings)
    if not text.strip():
        in_folder = settings.contacts.selects(path, {})
        if not in_folder and settings.goals.selects(path, {}):  # Obsidian's new note for a `[[goal]]` link
            return ParsedNote(path, goal=Goal(path, note_stem(path)))
        return ParsedNote(path, problems=(Problem(path, 0, "empty note"),) if in_folder else ())
    fm_text, body_line, problem = split_front_matter(path, text)
    front_matter: dict[str, Any] = {}
    if problem is None and fm_text is not None:
        front_matter, problem = load_front_matter(path, fm_text)
    if problem is not None:  # unreadable: reported wherever it is (it may say `type: contact`), unless excluded
        return ParsedNote(path, problems=() if excluded(path, selections) else (problem,))
    kind = classify(path, front_matter, lambda: note_tags(front_matter, _body(text, body_line)), selections)
    if kind == "contact":
        return _contact(path, text, fm_text or "", front_matter, body_line, settings, modified)
    tags = note_tags(front_matter, _body(text, body_line)) if settings.interactions.tags else None
    if (meeting := meeting_note(path, fm_text or "", front_matter, settings, modified, tags)) is not None:
        return meeting  # a note of the [interactions] selection (never a contact): its people met on its day
    if kind == "event":
        return _event(path, fm_text or "", front_matter, modified)
    if kind == "goal":
        return _goal(path, fm_text or "", front_matter)
    day = daily_note_day(path, settings)
    if day is not None:
        return ParsedNote(path, daily=DailyNote(path, day, tuple(_mentions(text, body_line))))
    return ParsedNote(path)


def _selections(settings: Settings) -> dict[NoteKind, Selection]:
    return {"contact": settings.contacts, "event": settings.events, "goal": settings.goals}


def _body(text: str, body_line: int) -> str:
    """The text after the front matter (`body_line`: the body's first line, 1-based)."""
    return text.split("\n", body_line - 1)[-1] if body_line > 1 else text


@functools.lru_cache(maxsize=8)
def _daily_regex(pattern: str) -> re.Pattern[str] | None:
    return daily_note_regex(pattern)


def daily_note_day(path: str, settings: Settings) -> date | None:
    """The day of a daily note, else None: the end of its path (without `.md`) matches the vault's format
    (`YYYY-MM-DD`: the file name; `YYYY/MM/YYYY-MM-DD`: two folders and the file name), below the daily notes
    folder when the vault names one, else in any folder."""
    folder = settings.daily_notes_folder
    if folder and not path.startswith(folder + "/"):
        return None
    regex = _daily_regex(settings.daily_notes)
    name = path[: -len(".md")] if path.lower().endswith(".md") else path
    m = regex.search(name[len(folder) :]) if regex is not None else None
    if m is None:
        return None
    try:
        return date(int(m["year"]), int(m["month"]), int(m["day"]))
    except ValueError:
        return None


def _mentions(text: str, body_line: int) -> Iterator[Mention]:
    """Every link to a note in a daily note's body (not its front matter, not code), `[[wikilinks]]` and
    Markdown links alike, with its line and the line's text (what the meeting was about). An embed
    (`![[Sam Lee]]`) shows a note, it does not meet anyone; a web link names no note."""
    if "[[" not in text and "](" not in text:
        return
    code = CodeFences()
    for number, line in enumerate(text.split("\n"), start=1):
        if number < body_line:
            continue
        if code.is_code(line) or ("[[" not in line and "](" not in line):
            continue
        marker = LIST_MARK.match(line)
        about = plain_text(line[marker.end() :] if marker else line).strip()
        gave, got = bool(_GAVE.search(line)), bool(_GOT.search(line))
        for found in find_links(line):
            if found.names_note and not found.embed:
                yield Mention(found.target, number, about, gave, got)


def _links(fm_text: str, key: str, raw: Any) -> tuple[Link, ...]:
    """The links (or plain names) of a list property, each with the line it stands on; web links name no note
    and are left out."""
    lines = EntryLines(fm_text, key)  # entries stand in order: each is searched for from the last one's place
    out = []
    for written in as_texts(raw):
        link = link_of(written, 0)
        if link is not None:  # as written (`[[Bob]]`) first, so that it is not found in an earlier `[[Bob Builder]]`
            out.append(link._replace(line=lines.find(written, link.target)))
    return tuple(out)


def _field(fm: dict[str, Any], *names: str) -> tuple[str, Any] | None:
    """The first of `names` present (keys compared without case), as (key as written, value)."""
    for key, value in fm.items():
        if isinstance(key, str) and key.strip().lower() in names:
            return key, value
    return None


def _event(path: str, fm_text: str, fm: dict[str, Any], modified: int) -> ParsedNote:
    problems: list[Problem] = []

    def get(convert: Any, *names: str) -> Any:
        found = _field(fm, *names)
        if found is None:
            return None
        try:
            return convert(found[1])
        except ValueError as exc:
            problems.append(Problem(path, line_of_key(fm_text, found[0]), f"{found[0]}: {exc}"))
            return None

    day = get(as_date, "date")
    if day is None and not problems:
        problems.append(Problem(path, 1, "an event needs a `date:` (YYYY-MM-DD)"))
    end = get(as_date, "end")
    if day is not None and end is not None and end < day:
        problems.append(Problem(path, line_of_key(fm_text, "end"), "end: the event ends before it starts"))
    targets = _field(fm, "targets")
    met = _field(fm, "met")
    event_values = {
        "title": get(as_text, "title", "name") or note_stem(path),
        "location": get(lambda v: plain(as_text(v)), "location"),
        "follow_up": get(as_date, "follow_up"),
        "targets": _links(fm_text, targets[0], targets[1]) if targets else (),
        "met": _links(fm_text, met[0], met[1]) if met else (),
    }
    if any(p.severity == "error" for p in problems) or day is None:
        return ParsedNote(path, problems=tuple(problems))
    return ParsedNote(path, event=Event(path=path, day=day, end=end, modified=modified, **event_values))


def _goal(path: str, fm_text: str, fm: dict[str, Any]) -> ParsedNote:
    title = _field(fm, "title", "name")
    stall = _field(fm, "stalled_after", "stall_after")
    status = _field(fm, "status")
    try:
        stalled_after = converted(parse_duration)(stall[1]) if stall else None
    except ValueError as exc:
        assert stall is not None
        return ParsedNote(path, problems=(Problem(path, line_of_key(fm_text, stall[0]), f"{stall[0]}: {exc}"),))
    done = bool(status and (as_text(status[1]) or "").lower() in ("done", "archived", "reached", "closed"))
    name = (as_text(title[1]) if title else None) or note_stem(path)
    return ParsedNote(path, goal=Goal(path, name, stalled_after, done))


def _contact_values(
    path: str, fm_text: str, fm: dict[str, Any], fields: Pairs[tuple[str, ...]], problems: list[Problem]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The Contact's values from the front matter, and the key (as written) each came from. The vault's own
    names for a field (`[fields]`) stand in for vaultnet's where the note leaves vaultnet's empty."""
    values: dict[str, Any] = {}
    keys: dict[str, str] = {}
    mapped = mapped_properties(fm, fields)
    for key, raw in fm.items():
        if not isinstance(key, str):
            continue
        field = mapped.get(key, key.strip().lower())  # "": an empty property that a mapped one stands in for
        convert = FIELDS.get(field) or LIST_FIELDS.get(field)
        if convert is None:
            continue  # the user's own properties are theirs: kept in the file, ignored here
        try:
            value = convert(loose(raw) if key in mapped and field in FIELDS else raw)
        except ValueError as exc:
            problems.append(Problem(path, line_of_key(fm_text, key), f"{key}: {exc}"))
            continue
        if field == "cadence" and value is None and as_text(raw):
            values["cadence_none"] = True
        attr = LIST_ATTR.get(field, field)
        if field in LIST_FIELDS:
            value = tuple(dict.fromkeys(values.get(attr, ()) + value))
        if value is not None:
            values[attr] = value
            keys.setdefault(attr, key)
    return values, keys


def _contact(
    path: str, text: str, fm_text: str, fm: dict[str, Any], body_line: int, settings: Settings, modified: int
) -> ParsedNote:
    problems: list[Problem] = []
    values, keys = _contact_values(path, fm_text, fm, settings.fields, problems)
    for number, line in enumerate(fm_text.split("\n"), start=2):
        if _LOST_TAG.match(line):
            message = "a # starts a YAML comment, so what follows it is ignored: quote it, or write tags without #"
            problems.append(Problem(path, number, message, "warning"))
    circle = values.get("circle")
    if circle is not None and circle not in dict(settings.circles):
        known = ", ".join(name for name, _ in settings.circles)
        key = keys["circle"]
        shown = "circle" if key.strip().lower() == "circle" else key  # a mapped field: the user's name for it
        problems.append(
            Problem(path, line_of_key(fm_text, key), f"{shown}: unknown circle {circle!r} (known: {known})")
        )
    log, promises, body_problems = parse_body(path, _body(text, body_line), body_line)
    problems.extend(body_problems)
    if any(p.severity == "error" for p in problems):
        return ParsedNote(path, problems=tuple(problems))
    values.setdefault("name", note_stem(path))
    if "introduced_by" in values:
        values["introduced_by_line"] = line_of_key(fm_text, keys["introduced_by"])
    if values.get("goals"):
        values["goals_line"] = line_of_key(fm_text, keys["goals"])
    if IMPORT_NOTES in text:  # rare: only a note an import wrote (or one like it) has the section
        values["import_notes"] = quotes_under(_body(text, body_line), IMPORT_NOTES)
    contact = Contact(path=path, log=tuple(log), promises=tuple(promises), modified=modified, **values)
    return ParsedNote(path, contact=contact, problems=tuple(problems))
