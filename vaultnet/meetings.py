"""Meeting notes: the notes an `[interactions]` selection picks, read as a day and the people met that day.

Vaults keep meetings as notes of their own (`meetings/2023-09-12 Meeting with Sam.md` with
`people: ["[[Sam Lee]]"]`, or `attendees: [Alex Owner, Jane Roe]`). Such a note yields a `Meeting`: its day
(the first configured date property that holds a date, else a date in the file name) and every person named in
the configured people properties, each with its line. Resolving the people to contacts is `network`'s job, so a
name here is kept as written: a `[[link]]`'s target, a Markdown link's path, or a plain name.

`parse` calls `meeting_note` for every note that is not a contact; this module looks only at the front matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any, Protocol

from vaultnet.frontmatter import EntryLines, front_matter_tags, line_of_key, unquoted_link
from vaultnet.links import find_links
from vaultnet.model import Link, Meeting, ParsedNote
from vaultnet.problems import Problem
from vaultnet.selection import Selection
from vaultnet.values import link_target, parse_date
from vaultnet.vault import note_stem

_LEADING_DATE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})(?!\d)")  # `2024-06-18 9:00 am`: the day is what counts
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")  # `2023-09-12 Meeting with Sam`
_NULLS = frozenset({"", "null", "Null", "NULL", "~"})


class MeetingSettings(Protocol):
    """What this module reads of `config.Settings` (a floor above it, so named by shape, not imported)."""

    @property
    def interactions(self) -> Selection: ...

    @property
    def interaction_people(self) -> tuple[str, ...]: ...

    @property
    def interaction_date(self) -> tuple[str, ...]: ...


def meeting_note(
    path: str,
    fm_text: str,
    front_matter: Mapping[str, Any],
    settings: MeetingSettings,
    modified: int = 0,
    tags: Iterable[str] | None = None,
) -> ParsedNote | None:
    """The note as a meeting when `settings.interactions` selects it, else None (the caller reads it on).

    `tags`: the note's tags for a tag rule (None: those of its front matter). A `type` of vaultnet's own
    (`event`, `goal`) keeps the note that kind, wherever it stands.
    """
    if not settings.interactions or _own_kind(front_matter):
        return None
    if not settings.interactions.selects(path, front_matter, front_matter_tags(front_matter) if tags is None else tags):
        return None
    return parse_meeting(path, fm_text, front_matter, settings.interaction_people, settings.interaction_date, modified)


def _own_kind(front_matter: Mapping[str, Any]) -> bool:
    for key, value in front_matter.items():
        if isinstance(key, str) and key.strip().casefold() == "type":
            kinds = value if isinstance(value, list) else [value]
            if any(isinstance(k, str) and k.strip().casefold() in ("event", "goal") for k in kinds):
                return True
    return False


def parse_meeting(
    path: str,
    fm_text: str,
    front_matter: Mapping[str, Any],
    people_names: Iterable[str],
    date_names: Iterable[str],
    modified: int = 0,
) -> ParsedNote:
    """A meeting note's day and people. Without a day the note cannot count: an error, and no meeting."""
    problems: list[Problem] = []
    day = _day(path, fm_text, front_matter, tuple(date_names), problems)
    people: list[Link] = []
    wanted = {name.strip().casefold() for name in people_names}
    for key, value in front_matter.items():
        if isinstance(key, str) and key.strip().casefold() in wanted:
            people.extend(_people(path, fm_text, key, value, problems))
    if day is None:
        return ParsedNote(path, problems=tuple(problems))
    title = _title(front_matter) or note_stem(path)
    return ParsedNote(path, problems=tuple(problems), meeting=Meeting(path, day, title, tuple(people), modified))


def _title(front_matter: Mapping[str, Any]) -> str | None:
    for key, value in front_matter.items():
        if isinstance(key, str) and key.strip().casefold() == "title" and isinstance(value, str):
            return value.strip() or None
    return None


# -- the day ----------------------------------------------------------------------------------------------


def _day(
    path: str, fm_text: str, front_matter: Mapping[str, Any], names: tuple[str, ...], problems: list[Problem]
) -> date | None:
    """The first property of `names` (in their order) that holds a date, else a date in the file name."""
    by_name = {key.strip().casefold(): key for key in front_matter if isinstance(key, str)}
    unreadable: tuple[str, int, Any] | None = None  # the first date property that holds no date
    for name in names:
        key = by_name.get(name.strip().casefold())
        if key is None or _empty(front_matter[key]):
            continue
        day = _date_of(front_matter[key])
        if day is not None:
            return day
        if unreadable is None:
            unreadable = (key, line_of_key(fm_text, key), front_matter[key])
    from_name = _date_in_name(path)
    if unreadable is not None:
        key, line, value = unreadable
        shown = (
            repr(value) if isinstance(value, str) else "a list" if isinstance(value, list) else "a set of properties"
        )
        if from_name is not None:
            message = f"{key}: {shown} is not a date; the meeting counts on {from_name}, the date in its file name"
            problems.append(Problem(path, line, message, "warning"))
        else:
            problems.append(Problem(path, line, f"{key}: {shown} is not a date (YYYY-MM-DD): the meeting cannot count"))
    elif from_name is None:
        which = " or ".join(f"`{n}:`" for n in names) or "a date property"
        message = f"a meeting note needs a day: {which} (YYYY-MM-DD), or a date in its file name (2024-06-18 Team.md)"
        problems.append(Problem(path, 1, message))
    return from_name


def _date_of(value: Any) -> date | None:
    """A date as written in a property: `2024-06-18`, `2024-06-18 21:01`, `2024-06-18 9:00 am`, or a link to a
    daily note (`[[2024-06-18]]`, which YAML reads as a list in a list when unquoted)."""
    value = unquoted_link(value)
    if isinstance(value, list) and len(value) == 1:
        value = unquoted_link(value[0])
    if not isinstance(value, str):
        return None
    text = link_target(value) or value
    try:
        return parse_date(text.strip())
    except ValueError:
        pass
    m = _LEADING_DATE.match(text)
    return _valid(*m.group(1).split("-")) if m else None


def _date_in_name(path: str) -> date | None:
    for m in _NAME_DATE.finditer(note_stem(path)):
        day = _valid(*m.groups())
        if day is not None:
            return day
    return None


def _valid(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


# -- the people -------------------------------------------------------------------------------------------


def _people(path: str, fm_text: str, key: str, value: Any, problems: list[Problem]) -> Iterator[Link]:
    """Each person a people property names, with the line the name stands on."""
    lines = EntryLines(fm_text, key)  # names stand in order: each is looked for from the last one's place
    for written in _entries(value):
        if written is None:
            problems.append(
                Problem(path, lines.line, f"{key}: expected links or names, not a set of properties", "warning")
            )
            continue
        for shown, name, plain in names_in(written):
            # As written (`[[Bob]]`) first, so that a name is not found in an earlier `[[Bob Builder]]`.
            yield Link(name, lines.find(shown, name), plain=plain)


def _entries(value: Any) -> Iterator[str | None]:
    """The texts of a property: one text or a list of them; an unquoted `[[Sam]]` (a list in a list) as the link
    it was meant as. None for what is neither (a set of properties)."""
    value = unquoted_link(value)
    for item in value if isinstance(value, list) else [value]:
        item = unquoted_link(item)
        if isinstance(item, str):
            if item.strip() not in _NULLS:
                yield item
        elif isinstance(item, list):
            yield from _entries(item)
        elif item is not None:
            yield None


def _empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and value.strip() in _NULLS)


def names_in(text: str) -> list[tuple[str, str, bool]]:
    """(as written, the name to resolve, whether it is a plain name) for each person one text names: every
    `[[link]]` and Markdown link in it (as `vaultnet.links` reads them), else the text itself, split at commas
    (`Alex Owner, Jane Roe`). An embed (`![[Sam]]`) and a web link name nobody."""
    found = list(find_links(text))
    if found:
        return [(text[f.start : f.end], f.target, False) for f in found if f.names_note and not f.embed]
    return [(part.strip(), part.strip(), True) for part in text.split(",") if part.strip()]
