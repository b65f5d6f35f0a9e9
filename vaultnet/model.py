"""The data vaultnet works on, as frozen dataclasses: no I/O and no parsing here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from vaultnet.kinds import Kind
from vaultnet.problems import Problem


@dataclass(frozen=True)
class Duration:
    """A cadence such as `3w` or `2m`: calendar months and years are kept apart from days."""

    days: int = 0
    months: int = 0
    years: int = 0

    def __str__(self) -> str:
        if self.years:
            return f"{self.years}y"
        if self.months:
            return f"{self.months}m"
        if self.days % 7 == 0:
            return f"{self.days // 7}w"
        return f"{self.days}d"

    def approx_days(self) -> int:
        return self.days + 30 * self.months + 365 * self.years


@dataclass(frozen=True)
class Birthday:
    month: int
    day: int
    year: int | None = None  # None: `--MM-DD`, the year is unknown

    def __str__(self) -> str:
        year = f"{self.year:04d}" if self.year is not None else "-"
        return f"{year}-{self.month:02d}-{self.day:02d}"


class NameParts(NamedTuple):
    """A name's parts as vCard's `N` gives them (RFC 6350 6.2.2), each as written (several given names stay one
    text: `Mary Ann`). Kept in a note as `name_parts: {family: Yamada, given: Taro}` so that an export writes the
    `N` the address book had, instead of guessing the family name from the last word of `name`."""

    family: str = ""
    given: str = ""
    additional: str = ""
    prefix: str = ""
    suffix: str = ""


class LogEntry(NamedTuple):
    """One dated line under a note's `Log` heading: `- 2026-10-02 call: talked shop #gave`.

    A NamedTuple rather than a dataclass: a vault has tens of thousands, and they are rebuilt from
    the cache on every run, where a tuple is several times cheaper to create.
    """

    day: date
    kind: str  # "call", "coffee", ... ("" when the line names none)
    text: str
    line: int
    gave: bool = False
    got: bool = False


class Promise(NamedTuple):
    """A Markdown task in the note: `- [ ] send the article 📅 2026-11-25`."""

    text: str
    due: date | None
    done: bool
    line: int


@dataclass(frozen=True)
class Contact:
    """A person, as read from one note. `path` is relative to the vault, `/`-separated."""

    path: str
    name: str
    aliases: tuple[str, ...] = ()
    company: str | None = None
    role: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    circle: str | None = None  # None: the vault's default circle
    cadence: Duration | None = None
    cadence_none: bool = False  # `cadence: none`: no cadence follow-ups, whatever the circle says
    birthday: Birthday | None = None
    met: date | None = None
    introduced_by: str | None = None  # as written: a link (`[[Name]]`, `[Name](Name.md)`) or a plain name
    interests: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    last_contact: date | None = None
    follow_up: date | None = None
    snooze_until: date | None = None
    archived: bool = False
    log: tuple[LogEntry, ...] = ()
    promises: tuple[Promise, ...] = ()
    linkedin: str | None = None  # the profile URL: how a LinkedIn re-import recognises the contact
    introduced_by_line: int = 0  # where `introduced_by` and `goals` stand, to report links that name nobody
    goals_line: int = 0
    uid: str | None = None  # a stable id written by the user or an import: keeps calendar UIDs across renames
    modified: int = 0  # the note's mtime (Unix seconds): the calendar's "last revised"
    name_parts: NameParts | None = None  # vCard's structured name, when an import or the user gave one
    anniversary: Birthday | None = None  # a wedding (or other) anniversary: month and day, the year if known
    related: tuple[str, ...] = ()  # people the contact is related to, as text with a label: `Hanako (spouse)`
    urls: tuple[str, ...] = ()  # web pages other than the LinkedIn profile
    import_notes: tuple[str, ...] = ()  # the quotes under `## Notes from import`: a card's NOTE, exported back

    @property
    def last_interaction(self) -> date | None:
        """The newest of `last_contact` and the log's dates."""
        days = [e.day for e in self.log]
        if self.last_contact is not None:
            days.append(self.last_contact)
        return max(days) if days else None

    @property
    def last_log(self) -> LogEntry | None:
        return max(self.log, key=lambda e: (e.day, e.line)) if self.log else None

    @property
    def open_promises(self) -> tuple[Promise, ...]:
        return tuple(p for p in self.promises if not p.done)


class Link(NamedTuple):
    """What a link property names, with its line, resolved later by `network`: the target of a `[[link]]` or
    a Markdown link (`vaultnet.links`: a relative path is resolved from the linking note's folder), or a plain
    name (`plain`: written as text, not as a link, so Obsidian would not follow it either way)."""

    target: str
    line: int
    plain: bool = False


@dataclass(frozen=True)
class Event:
    """An event note: a meetup, a conference, a dinner; whom to meet there and whom you met."""

    path: str
    title: str
    day: date
    end: date | None = None
    location: str | None = None
    targets: tuple[Link, ...] = ()
    met: tuple[Link, ...] = ()
    follow_up: date | None = None  # None: the day after the event
    modified: int = 0

    @property
    def last_day(self) -> date:
        return self.end or self.day


@dataclass(frozen=True)
class Goal:
    """What you network for (a job, a hire, a project); contacts name it in their `goals:`."""

    path: str
    title: str
    stalled_after: Duration | None = None  # None: the vault's default
    done: bool = False


class Captured(NamedTuple):
    """One interaction a calendar or a mailbox shows (issue 13), before it is matched to a contact: what matching
    needs and nothing more. Addresses are lower-cased and never one of yours (`[sources] me`)."""

    day: date
    kind: str  # "meeting" (a calendar event's occurrence) or "email"
    addresses: tuple[str, ...]  # the other people's e-mail addresses: attendees and organizer, or a mail's people
    title: str = ""  # an event's SUMMARY: a `[[link]]` or a contact's exact name in it names them
    by_title_only: bool = False  # an all-day event: it counts only for the people its title names
    source: str = ""  # a stable id of where it came from: `UID/occurrence day` of an event, a hashed Message-ID
    replies_to: tuple[str, ...] = ()  # a mail you sent: the hashed Message-IDs it answers (In-Reply-To, References)
    received: bool = False  # a mail someone sent you: it counts when a mail of yours answers it (`source`)


class Mention(NamedTuple):
    """A link in a daily note (`[[Name]]` or a Markdown link, not an embed): an interaction with that person
    on the note's day. `target` as in `vaultnet.links`: a relative path is resolved from the note's folder."""

    target: str
    line: int
    text: str
    gave: bool = False
    got: bool = False


@dataclass(frozen=True)
class DailyNote:
    path: str
    day: date
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """A note that records a meeting (selected by `[interactions]`): every person it names counts as an
    interaction of kind `meeting` on its day."""

    path: str
    day: date
    title: str
    people: tuple[Link, ...] = ()  # links or plain names, as written, resolved later by `network`
    modified: int = 0


@dataclass(frozen=True)
class ParsedNote:
    """What one note yields: a contact, an event, a goal, a daily note or a meeting (or none of them, for
    other notes), and the problems found in it. A note with an error yields nothing: it is skipped, and the
    problem says why.
    """

    path: str
    contact: Contact | None = None
    problems: tuple[Problem, ...] = ()
    event: Event | None = None
    goal: Goal | None = None
    daily: DailyNote | None = None
    meeting: Meeting | None = None


@dataclass(frozen=True)
class Item:
    """One thing to do, and why. `day` is when it is due (a birthday: its date; a weekly suggestion: the
    week's Monday). `path` is the note it is about: the contact's, or the event's for `event-prep`."""

    kind: Kind  # what is asked of you; its facts are its row in kinds.SPECS
    day: date
    name: str
    path: str
    reason: str
    contact: Contact | None = field(default=None, compare=False, repr=False)  # None: not about one person
    key: str = ""  # tells apart several items of one kind for one note (e.g. promises), for stable UIDs
    details: tuple[str, ...] = ()  # more lines: whom to meet at an event, and what helps to talk to them
