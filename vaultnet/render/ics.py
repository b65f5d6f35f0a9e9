"""The reminder calendar as iCalendar text (RFC 5545), written for subscribed feeds.

Serialised here rather than with the icalendar library: building 20,000 events with it takes
about 5 s, ours takes a fraction of that. The output is checked in the tests by icalendar,
vobject and ical.js. What the clients need (stable UIDs, DTSTAMP from the source data, all-day
VALUE=DATE events with an end, CRLF, folding) is explained in docs/calendar.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from vaultnet.config import Settings
from vaultnet.contentline import escape, fold
from vaultnet.kinds import SPEC, Kind
from vaultnet.model import Contact, Event, Item
from vaultnet.network import Interaction
from vaultnet.rules import Plan, overdue_days
from vaultnet.values import next_birthday, plain_text

PRODID = "-//vaultnet//vaultnet reminders//EN"
AGE_WINDOW_DAYS = 31  # how long before a birthday its event says "turns N"
_SEQUENCE_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_ONE_DAY = timedelta(days=1)
_LAST_SECOND = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())  # a later mtime is read as this


def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _day(d: date) -> str:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def uid_for(note: Contact | Event, kind: Kind, key: str = "") -> str:
    """Stable and private: from the contact's `uid` (else the note's path), never from a name or e-mail."""
    source = (note.uid if isinstance(note, Contact) else None) or note.path.removesuffix(".md").casefold()
    digest = hashlib.sha256(f"{source}\0{kind}\0{key}".encode()).hexdigest()[:24]
    return f"{digest}@vaultnet"


@dataclass(frozen=True)
class VEvent:
    """One all-day VEVENT (or an override of a recurring one, with `recurrence_id`)."""

    uid: str
    start: date
    summary: str
    description: str
    revised: datetime
    rrule: str | None = None
    recurrence_id: date | None = None
    categories: str = ""


def _revised(note: Contact | Event) -> datetime:
    return datetime.fromtimestamp(min(max(note.modified, 0), _LAST_SECOND), UTC).replace(microsecond=0)


def context_lines(contact: Contact, last: Interaction | None) -> list[str]:
    """What helps before getting in touch: who they are, the last contact, interests, open promises."""
    lines: list[str] = []
    who = ", ".join(x for x in (contact.role, contact.company) if x)
    if who:
        lines.append(who)
    if last is not None:
        what = ": ".join(x for x in (last.kind, plain_text(last.text)) if x)
        lines.append(f"Last contact: {last.day.isoformat()}" + (f" ({what})" if what else ""))
    if contact.interests:
        lines.append("Interests: " + ", ".join(contact.interests))
    if contact.introduced_by:
        lines.append(f"Introduced by: {plain_text(contact.introduced_by)}")
    for promise in contact.open_promises:
        due = f" (due {promise.due.isoformat()})" if promise.due else ""
        lines.append(f"Open promise: {plain_text(promise.text)}{due}")
    if contact.emails:
        lines.append("E-mail: " + ", ".join(contact.emails))
    if contact.phones:
        lines.append("Phone: " + ", ".join(contact.phones))
    lines.append(f"Note: {contact.path}")
    return lines


def birthday_events(contact: Contact, today: date, context: list[str]) -> list[VEvent]:
    """A yearly all-day event; Feb 29 falls on Feb 28 in common years (the rule every parser agrees on).

    A recurring event has one summary, so the age is shown by an override of the next occurrence, from
    AGE_WINDOW_DAYS before it (an override for every contact all year would double the calendar's size).
    """
    birthday = contact.birthday
    if birthday is None:
        return []
    year = birthday.year if birthday.year is not None else 2000  # a leap year, so --02-29 is a valid date
    start = date(year, birthday.month, birthday.day)
    if start == date.max:
        return []  # born on 9999-12-31: an all-day event that day would end in year 10000
    rrule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1" if (birthday.month, birthday.day) == (2, 29) else "FREQ=YEARLY"
    uid = uid_for(contact, Kind.BIRTHDAY)
    spec = SPEC[Kind.BIRTHDAY]
    summary = spec.summary.format(name=contact.name, key="")
    born = f" (*{birthday.year})" if birthday.year is not None else ""
    description = "\n".join(["A reason to call personally, not to send an automated message.", *context])
    revised = _revised(contact)
    events = [VEvent(uid, start, f"{summary}{born}", description, revised, rrule, categories=spec.category)]
    upcoming = next_birthday(birthday, today)
    if upcoming is None or upcoming == date.max or birthday.year is None:
        return events  # no override past the calendar's end, nor one that would end in year 10000
    if upcoming.year > birthday.year and (upcoming - today).days <= AGE_WINDOW_DAYS:
        age = upcoming.year - birthday.year
        # The override appears once a year, AGE_WINDOW_DAYS before the birthday: that is its revision.
        moved = datetime.combine(upcoming - timedelta(days=AGE_WINDOW_DAYS), time(), UTC)
        events.append(
            VEvent(
                uid,
                upcoming,
                f"{summary} turns {age}",
                description,
                max(revised, moved),
                recurrence_id=upcoming,
                categories=spec.category,
            )
        )
    return events


def item_event(item: Item, today: date, context: list[str], owner: Contact | Event) -> VEvent:
    """An item on its day; one whose day has come on today, so a subscribed calendar shows it."""
    start = max(item.day, today)
    revised = _revised(owner)
    if item.day <= today:
        # Shown on today because its day has come: it moves every day until done. Each move is a revision,
        # which clients learn from DTSTAMP/SEQUENCE.
        revised = max(revised, datetime.combine(today, time(), UTC))
    spec = SPEC[item.kind]
    summary = spec.summary.format(name=item.name, key=plain_text(item.key))
    overdue = overdue_days(item, today)
    reason = plain_text(item.reason[0].upper() + item.reason[1:])
    if overdue > 0 and not spec.reason_says_when:
        reason += f" (due {item.day.isoformat()}, {overdue} day{'s' if overdue != 1 else ''} overdue)"
    lines = [f"{reason}.", *(plain_text(d) for d in item.details), *context]
    return VEvent(uid_for(owner, item.kind, item.key), start, summary, "\n".join(lines), revised,
                  categories=spec.category)  # fmt: skip


# "series-date UID 0|1 occurrence-date" (0: a master, 1: an override): every part has a fixed width, so
# sorting these strings orders events by date, then UID, each override after its master.
SortKey = str
Fragment = tuple[SortKey, bytes]  # bytes: one emoji would make a joined str of the calendar 4 bytes a character


def note_events(owner: Contact | Event, items: Iterable[Item], today: date,
                last: Interaction | None = None) -> list[VEvent]:  # fmt: skip
    """Every calendar event of one note: a contact's birthday series and its items, or an event's prep."""
    if isinstance(owner, Contact):
        context = context_lines(owner, last)
        events = birthday_events(owner, today, context)
    else:
        context = [f"Note: {owner.path}"]
        events = []
    seen: dict[str, int] = {}
    for item in items:
        if item.kind == Kind.BIRTHDAY or max(item.day, today) == date.max:
            continue  # birthdays are the series above; an event on 9999-12-31 would end in year 10000
        event = item_event(item, today, context, owner)
        seen[event.uid] = count = seen.get(event.uid, 0) + 1
        if count > 1:  # two open tasks with the same text: the second gets a UID of its own
            event = replace(event, uid=uid_for(owner, item.kind, f"{item.key}\0{count}"))
        events.append(event)
    return events


def note_fragments(owner: Contact | Event, items: Iterable[Item], today: date, alarm: time | None,
                   last: Interaction | None = None) -> list[Fragment]:  # fmt: skip
    """The note's calendar events as text, each with its place in the calendar.

    Everything a fragment shows comes from (owner, items, today, alarm, last), so a caller may reuse
    fragments while those are unchanged.
    """
    events = note_events(owner, items, today, last)
    masters = {e.uid: e.start for e in events if e.recurrence_id is None}
    fragments: list[Fragment] = []
    for event in events:
        series = masters.get(event.uid, event.start).isoformat()
        override = event.recurrence_id
        key = f"{series} {event.uid} {0 if override is None else 1} {(override or event.start).isoformat()}"
        fragments.append((key, event_lines(event, alarm).encode()))
    return fragments


def _text_line(name: str, value: str) -> str:
    return fold(f"{name}:{escape(value)}") + "\r\n"


def event_lines(event: VEvent, alarm: time | None) -> str:
    """One VEVENT as CRLF-terminated, folded lines (only free text can exceed 75 octets and needs folding)."""
    stamp = _stamp(event.revised)
    sequence = max(int((event.revised - _SEQUENCE_EPOCH).total_seconds() // 60), 0)
    recurrence = f"RECURRENCE-ID;VALUE=DATE:{_day(event.recurrence_id)}\r\n" if event.recurrence_id else ""
    rrule = f"RRULE:{event.rrule}\r\n" if event.rrule else ""
    categories = _text_line("CATEGORIES", event.categories) if event.categories else ""
    valarm = ""
    if alarm is not None:
        valarm = (
            "BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
            + _text_line("DESCRIPTION", event.summary)
            + f"TRIGGER;RELATED=START:PT{alarm.hour}H{alarm.minute}M\r\nEND:VALARM\r\n"
        )
    return (
        f"BEGIN:VEVENT\r\nUID:{event.uid}\r\nDTSTAMP:{stamp}\r\nLAST-MODIFIED:{stamp}\r\n"
        f"SEQUENCE:{sequence}\r\n{recurrence}"
        f"DTSTART;VALUE=DATE:{_day(event.start)}\r\nDTEND;VALUE=DATE:{_day(event.start + _ONE_DAY)}\r\n{rrule}"
        + _text_line("SUMMARY", event.summary)
        + _text_line("DESCRIPTION", event.description)
        + categories
        + "TRANSP:TRANSPARENT\r\nCLASS:PRIVATE\r\n"
        + valarm
        + "END:VEVENT\r\n"
    )


def render_calendar(fragments: Iterable[Fragment], settings: Settings) -> bytes:
    """The whole VCALENDAR, events in a stable order: by date, then UID, each override after its master."""
    name = escape(settings.calendar_name)
    description = escape("Follow-ups, promises, birthdays, events and reconnect suggestions from your vaultnet vault.")
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"NAME:{name}",
        f"X-WR-CALNAME:{name}",
        f"DESCRIPTION:{description}",
        f"X-WR-CALDESC:{description}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
        "X-PUBLISHED-TTL:PT12H",
    ]
    head = "".join(fold(line) + "\r\n" for line in header).encode()
    return b"".join([head, *(text for _, text in sorted(fragments)), b"END:VCALENDAR\r\n"])


def written_by_vaultnet(head: bytes) -> bool:
    """Whether a file that starts with `head` is a calendar vaultnet wrote: a VCALENDAR whose PRODID, among the
    calendar's own properties before its first event, is vaultnet's. The pipeline writes the calendar only
    over such a file (or over nothing): never over a calendar of the user's own."""
    lines = head.decode("utf-8", "replace").removeprefix("\ufeff").lstrip().splitlines()
    if not lines or lines[0].strip() != "BEGIN:VCALENDAR":
        return False
    for line in lines[1:]:
        if line.startswith("BEGIN:"):
            return False  # the first component: the calendar's own properties are behind
        if line.startswith("PRODID:"):
            return line.strip() == f"PRODID:{PRODID}"
    return False


def items_by_note(plan: Plan) -> dict[str, list[Item]]:
    """The plan's items by the note they belong to (a contact's, or an event's for event-prep)."""
    groups: dict[str, list[Item]] = {}
    for item in plan.items:
        groups.setdefault(item.path, []).append(item)
    return groups


def owners(plan: Plan) -> list[Contact | Event]:
    """The notes that have calendar events: every active contact (birthdays), and events with items."""
    by_note = items_by_note(plan)
    return [*plan.contacts, *(e for e in plan.network.events if e.path in by_note)]


def plan_fragments(plan: Plan, alarm: time | None) -> list[Fragment]:
    """All fragments of a plan, computed afresh (the pipeline reuses unchanged ones instead)."""
    by_note = items_by_note(plan)
    return [
        fragment
        for owner in owners(plan)
        for fragment in note_fragments(
            owner, by_note.get(owner.path, ()), plan.today, alarm, plan.network.last_interaction(owner.path)
        )
    ]
