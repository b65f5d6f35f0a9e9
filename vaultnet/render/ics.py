"""The reminder calendar as iCalendar text (RFC 5545), written for subscribed feeds.

Serialised here rather than with the icalendar library: building 20,000 events with it takes
about 5 s, ours takes a fraction of that. The output is checked in the tests by three independent
parsers (tests/icskit.py). What the clients need (stable UIDs, DTSTAMP from the source data, all-day
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
from vaultnet.model import Birthday, Contact, Event, Item
from vaultnet.network import Interaction
from vaultnet.rules import Plan, overdue_days
from vaultnet.values import birthday_in, next_birthday, plain_text

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
    """One all-day VEVENT: a one-off, or a yearly series (`rrule`) that may skip one day (`exdate`).

    `replaces`: the UID of the series whose skipped day this one-off stands in for (a birthday's "turns N").
    """

    uid: str
    start: date
    summary: str
    description: str
    revised: datetime
    rrule: str | None = None
    exdate: date | None = None
    replaces: str | None = None
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


def _age_day(birthday: Birthday, today: date) -> date | None:
    """The celebration whose event says "turns N" on `today`: the next one, from AGE_WINDOW_DAYS before it.

    None for a birthday without a year, an age of 0, and a day past the calendar's end (or on its last day,
    whose all-day event would end in year 10000). Feb 29 falls on Feb 28 in common years (`next_birthday`),
    the very day the series' BYMONTHDAY=-1 rule gives, so the series' EXDATE removes that day's occurrence.
    """
    if birthday.year is None:
        return None
    upcoming = next_birthday(birthday, today)
    if upcoming is None or upcoming == date.max or upcoming.year <= birthday.year:
        return None
    return upcoming if (upcoming - today).days <= AGE_WINDOW_DAYS else None


def _last_age_day(birthday: Birthday, today: date) -> date | None:
    """The last celebration before `today` that had a "turns N" one-off (and its series an EXDATE)."""
    if birthday.year is None:
        return None
    last = birthday_in(birthday, today.year)
    if last >= today:
        if today.year == date.min.year:
            return None
        last = birthday_in(birthday, today.year - 1)
    return last if last.year > birthday.year else None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _one_off_uid(series_uid: str, day: date) -> str:
    """The UID of the one-off that replaces `series_uid`'s occurrence on `day`: the series' with the year."""
    local, _, domain = series_uid.partition("@")
    return f"{local}-{day.year:04d}@{domain}"


def birthday_events(contact: Contact, today: date, context: list[str]) -> list[VEvent]:
    """A yearly all-day event; Feb 29 falls on Feb 28 in common years (the rule every parser agrees on).

    A recurring event has one summary, so the age is shown on the next occurrence, from AGE_WINDOW_DAYS before
    it, by a one-off event of its own on that day ("turns N") that the series skips (EXDATE). Not by an
    override (RECURRENCE-ID): ical.js's default ICAL.Event relates every override in the calendar to every
    series, whatever its UID, so two birthdays on one day would both show the second one's age. Not all year
    round either: an extra event for every contact would double the calendar's size.
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
    day, last = _age_day(birthday, today), _last_age_day(birthday, today)
    # The series changes when it gains its EXDATE (AGE_WINDOW_DAYS before the day) and when it loses it (the
    # day after): those days are revisions too, so that SEQUENCE grows with every change clients must see.
    series_revised = max(revised, _midnight(last + _ONE_DAY)) if last is not None else revised
    if day is not None:
        series_revised = max(series_revised, _midnight(day - timedelta(days=AGE_WINDOW_DAYS)))
    series = VEvent(uid, start, f"{summary}{born}", description, series_revised, rrule, exdate=day,
                    categories=spec.category)  # fmt: skip
    if day is None or birthday.year is None:
        return [series]
    age = day.year - birthday.year
    # The one-off appears AGE_WINDOW_DAYS before its day: that is its revision (a new UID every year).
    appeared = max(revised, _midnight(day - timedelta(days=AGE_WINDOW_DAYS)))
    one_off = VEvent(_one_off_uid(uid, day), day, f"{summary} turns {age}", description, appeared, replaces=uid,
                     categories=spec.category)  # fmt: skip
    return [series, one_off]


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


# "series-date UID 0|1 date" (1: a one-off that replaces a day of the series UID, 0: any other event): every
# part has a fixed width, so sorting these strings orders events by date, then UID, each one-off that replaces
# a day of a series right after that series.
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
    starts = {e.uid: e.start for e in events}
    fragments: list[Fragment] = []
    for event in events:
        if event.replaces is None:
            key = f"{event.start.isoformat()} {event.uid} 0 {event.start.isoformat()}"
        else:
            key = f"{starts[event.replaces].isoformat()} {event.replaces} 1 {event.start.isoformat()}"
        fragments.append((key, event_lines(event, alarm).encode()))
    return fragments


def _text_line(name: str, value: str) -> str:
    return fold(f"{name}:{escape(value)}") + "\r\n"


def event_lines(event: VEvent, alarm: time | None) -> str:
    """One VEVENT as CRLF-terminated, folded lines (only free text can exceed 75 octets and needs folding)."""
    stamp = _stamp(event.revised)
    sequence = max(int((event.revised - _SEQUENCE_EPOCH).total_seconds() // 60), 0)
    rrule = f"RRULE:{event.rrule}\r\n" if event.rrule else ""
    exdate = f"EXDATE;VALUE=DATE:{_day(event.exdate)}\r\n" if event.exdate else ""
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
        f"SEQUENCE:{sequence}\r\n"
        f"DTSTART;VALUE=DATE:{_day(event.start)}\r\nDTEND;VALUE=DATE:{_day(event.start + _ONE_DAY)}\r\n"
        f"{rrule}{exdate}"
        + _text_line("SUMMARY", event.summary)
        + _text_line("DESCRIPTION", event.description)
        + categories
        + "TRANSP:TRANSPARENT\r\nCLASS:PRIVATE\r\n"
        + valarm
        + "END:VEVENT\r\n"
    )


def render_calendar(fragments: Iterable[Fragment], settings: Settings) -> bytes:
    """The whole VCALENDAR, events in a stable order: by date, then UID, a series' one-off right after it."""
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
    return b"".join([head, *(text for _, text in sorted(fragments, key=_sort_key)), _END])


_END = b"END:VCALENDAR\r\n"


def _sort_key(fragment: Fragment) -> SortKey:
    return fragment[0]  # unique: it holds the event's UID


def calendar_body(calendar: bytes, length: int) -> bytes | None:
    """The events of a calendar `render_calendar` wrote, whose fragments are `length` bytes in all: what lies
    between the calendar's own properties and its end; None if `calendar` is not such a calendar."""
    start = len(calendar) - len(_END) - length
    if start <= 0 or not calendar.endswith(_END) or calendar[start - 2 : start] != b"\r\n":
        return None
    body = calendar[start : start + length]
    return body if not body or body.startswith(b"BEGIN:VEVENT\r\n") else None


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
