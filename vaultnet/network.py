"""The network: parsed notes -> contacts, events and goals, every link resolved, every interaction dated (log
lines, `last_contact`, events met at, daily notes' mentions, the people of meeting notes).

Links resolve as Obsidian resolves them (by file name, case-insensitively, `.md` optional, `[[folder/Name]]`
for a clash, `[[Name|shown]]` and `[[Name#heading]]`, a Markdown link's path from the linking note's folder),
then by a contact's `name` or an alias: both accepted with a warning, since Obsidian itself follows neither
(`vaultnet.links` reads the links). A meeting note's plain names resolve the same way, silently. Pure: no
I/O, no clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import NamedTuple

from vaultnet.links import is_relative, relative_path
from vaultnet.model import Contact, Event, Goal, Link, ParsedNote
from vaultnet.problems import Problem
from vaultnet.resolver import Resolver
from vaultnet.values import link_of, link_target


class Interaction(NamedTuple):
    """A dated contact with someone: a log line, `last_contact`, a daily note's mention, an event met at, a
    meeting note that names them."""

    day: date
    kind: str  # "call", "coffee", ... ; "event", "daily" and "meeting" for the other notes; "" when unknown
    text: str
    source: str  # the note it comes from
    gave: bool = False
    got: bool = False


@dataclass(frozen=True)
class Network:
    """Everything the rules look at, derived from the notes of a vault."""

    contacts: tuple[Contact, ...]
    events: tuple[Event, ...] = ()
    goals: tuple[Goal, ...] = ()
    interactions: Mapping[str, tuple[Interaction, ...]] = field(default_factory=dict)  # by contact, oldest first
    introducer: Mapping[str, str] = field(default_factory=dict)  # contact path -> who introduced them
    goals_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # contact path -> goal paths
    targets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # event path -> contact paths
    met: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # event path -> contact paths
    problems: tuple[Problem, ...] = ()

    def contact(self, path: str) -> Contact | None:
        return self._contacts_by_path.get(path)

    @property
    def _contacts_by_path(self) -> dict[str, Contact]:
        cached: dict[str, Contact] | None = self.__dict__.get("_by_path")
        if cached is None:
            cached = {c.path: c for c in self.contacts}
            object.__setattr__(self, "_by_path", cached)  # a derived index, made once
        return cached

    def history(self, path: str) -> tuple[Interaction, ...]:
        return self.interactions.get(path, ())

    def last_interaction(self, path: str) -> Interaction | None:
        history = self.interactions.get(path)
        return history[-1] if history else None

    def events_met(self, path: str) -> tuple[Event, ...]:
        """The events at which you met the contact, in the order of `events`."""
        cached: dict[str, tuple[Event, ...]] | None = self.__dict__.get("_met_at")
        if cached is None:
            found: dict[str, list[Event]] = defaultdict(list)
            for event in self.events:
                for person in self.met.get(event.path, ()):
                    found[person].append(event)
            cached = {person: tuple(events) for person, events in found.items()}
            object.__setattr__(self, "_met_at", cached)  # a derived index, made once
        return cached.get(path, ())

    def introduced(self, path: str) -> list[str]:
        """Whom this contact introduced you to, sorted by path."""
        return list(self._introduced_by.get(path, ()))

    @property
    def _introduced_by(self) -> dict[str, tuple[str, ...]]:
        """`introducer` the other way round (introducer -> the contacts they introduced, sorted): `who` asks it for
        every contact it lists, which a scan of `introducer` made O(n^2)."""
        cached: dict[str, tuple[str, ...]] | None = self.__dict__.get("_introduced")
        if cached is None:
            grouped: dict[str, list[str]] = defaultdict(list)
            for contact, by in self.introducer.items():
                grouped[by].append(contact)
            cached = {by: tuple(sorted(paths)) for by, paths in grouped.items()}
            object.__setattr__(self, "_introduced", cached)  # a derived index, made once
        return cached


def _contact_interactions(contact: Contact) -> list[Interaction]:
    out = [Interaction(e.day, e.kind, e.text, contact.path, e.gave, e.got) for e in contact.log]
    if contact.last_contact is not None and all(e.day != contact.last_contact for e in contact.log):
        out.append(Interaction(contact.last_contact, "", "", contact.path))
    return out


Gift = tuple[str, Interaction]  # (the contact, the interaction) a note gives: an event met at, a mention


class _Links:
    """Resolves links to contacts (or goals) and collects what is wrong with them, as warnings: the note
    itself is fine and fully used; the link is what needs a look (a contact not created yet is the usual
    case, and no reason to fail `check` or a commit)."""

    def __init__(self, people: Resolver) -> None:
        self.people = people
        self.problems: list[Problem] = []

    def resolve(self, link: Link, where: str, missing: str, resolver: Resolver | None = None) -> str | None:
        """The path `link` names, or None; `where` is the note it is in (a relative link starts from its
        folder, and problems are reported there)."""
        found = (resolver or self.people).resolve(link.target, where, not link.plain)
        if found.problem is not None:
            self.problems.append(Problem(where, link.line, found.problem, "warning"))
        elif found.path is None and missing:
            self.problems.append(Problem(where, link.line, _missing(link.target, where, missing), "warning"))
        return found.path

    def take(self) -> list[Problem]:
        """The problems found since the last call (those of one note)."""
        found, self.problems = self.problems, []
        return found


@dataclass
class _Parts:
    """What each note gave the network, kept in it so that `update_network` replaces the share of the notes
    that changed without resolving every link of the vault again."""

    links: _Links
    goal_notes: Resolver
    goals_folder: str
    gifts: dict[str, tuple[Gift, ...]]  # note -> what it gives other notes' contacts
    received: dict[str, dict[str, tuple[Interaction, ...]]]  # contact -> note -> what that note gives them
    problems: dict[str, tuple[Problem, ...]]  # note -> the problems of its links
    place: dict[str, int]  # contact -> its place in `Network.contacts`

    def give(self, note: str, gifts: list[Gift]) -> None:
        if not gifts:
            return
        self.gifts[note] = (*self.gifts.get(note, ()), *gifts)
        for path, interaction in gifts:
            inner = self.received[path] = dict(self.received.get(path, {}))  # copied: an older network shares it
            inner[note] = (*inner.get(note, ()), interaction)

    def withdraw(self, note: str) -> set[str]:
        """Forget what `note` gave; the contacts it gave something."""
        touched = set()
        for path, _ in self.gifts.pop(note, ()):
            if path not in touched:
                touched.add(path)
                inner = self.received[path] = dict(self.received[path])
                inner.pop(note, None)
        return touched

    def history(self, contact: Contact) -> tuple[Interaction, ...]:
        given = self.received.get(contact.path, {})
        return tuple(sorted([*_contact_interactions(contact), *(i for g in given.values() for i in g)], key=_order))

    def all_problems(self) -> tuple[Problem, ...]:
        return tuple(p for note in sorted(self.problems) for p in self.problems[note])


def build_network(
    notes: Iterable[ParsedNote], contacts_folder: str = "contacts", goals_folder: str = "goals"
) -> Network:
    """Resolve every link between the notes and gather each contact's interactions. The folders only shape
    the hints for links that name nobody."""
    notes = list(notes)
    contacts = tuple(sorted((n.contact for n in notes if n.contact), key=lambda c: c.path))
    events = tuple(sorted((n.event for n in notes if n.event), key=lambda e: (e.day, e.path)))
    goals = tuple(sorted((n.goal for n in notes if n.goal), key=lambda g: g.path))
    links = _Links(Resolver(((c.path, c.name, c.aliases) for c in contacts), warn_names=True))
    goal_notes = Resolver((g.path, g.title, ()) for g in goals)
    place = {c.path: n for n, c in enumerate(contacts)}
    parts = _Parts(links, goal_notes, goals_folder, {}, {}, {}, place)
    problems: dict[str, list[Problem]] = defaultdict(list)
    introducer: dict[str, str] = {}
    goals_of: dict[str, tuple[str, ...]] = {}
    for contact in contacts:
        _link_contact(contact, parts, introducer, goals_of)
        problems[contact.path] += links.take()
    targets: dict[str, tuple[str, ...]] = {}
    met: dict[str, tuple[str, ...]] = {}
    hint = f"[[{{target}}]] names nobody in the vault: create {contacts_folder}/{{target}}.md to prepare or follow up"
    for event in events:
        targets[event.path] = _unique(links.resolve(link, event.path, hint) for link in event.targets)
        met[event.path] = _unique(links.resolve(link, event.path, hint) for link in event.met)
        parts.give(event.path, [(p, Interaction(event.day, "event", event.title, event.path)) for p in met[event.path]])
        problems[event.path] += links.take()
    for note in notes:
        parts.give(note.path, _daily_mentions(note, links))
        problems[note.path] += links.take()
    for note in notes:
        parts.give(note.path, _meeting_people(note, links))
        problems[note.path] += links.take()
    parts.problems = {note: tuple(found) for note, found in problems.items() if found}
    interactions = {c.path: h for c in contacts if (h := parts.history(c))}
    network = Network(contacts, events, goals, interactions, introducer, goals_of, targets, met, parts.all_problems())
    object.__setattr__(network, "_parts", parts)
    return network


def update_network(
    old: Network, old_notes: Mapping[str, ParsedNote], notes: Mapping[str, ParsedNote], changed: Iterable[str]
) -> tuple[Network, set[str]] | None:
    """The network of `notes`, made from `old` (the network of `old_notes`) by redoing only what the `changed`
    notes give it, and the contacts whose note or history changed; None when that is not enough: a note that
    adds, removes or renames a contact (every link may resolve differently), or an event or a goal changes.
    The result equals `build_network(notes.values())` (tests/test_incremental.py holds them to it)."""
    parts: _Parts | None = old.__dict__.get("_parts")
    changed = sorted(set(changed))
    if parts is None:
        return None
    for path in changed:
        before, after = _shape(old_notes.get(path)), _shape(notes.get(path))
        if before != after or before[1]:
            return None
    parts = replace(parts, gifts=dict(parts.gifts), received=dict(parts.received), problems=dict(parts.problems))
    introducer, goals_of = dict(old.introducer), dict(old.goals_of)
    contacts = list(old.contacts)
    affected: set[str] = set()
    for path in changed:
        affected |= parts.withdraw(path)
        parts.problems.pop(path, None)
        introducer.pop(path, None)
        goals_of.pop(path, None)
        note = notes.get(path)
        if note is None:
            continue
        if note.contact is not None:
            contacts[parts.place[path]] = note.contact
            affected.add(path)
            _link_contact(note.contact, parts, introducer, goals_of)
        found = parts.links.take()
        for gifts in (_daily_mentions(note, parts.links), _meeting_people(note, parts.links)):
            parts.give(path, gifts)
            affected.update(p for p, _ in gifts)
            found += parts.links.take()
        if found:
            parts.problems[path] = tuple(found)
    interactions = dict(old.interactions)
    for path in affected:
        history = parts.history(contacts[parts.place[path]])
        if history:
            interactions[path] = history
        else:
            interactions.pop(path, None)
    network = Network(
        tuple(contacts), old.events, old.goals, interactions, introducer, goals_of, old.targets, old.met,
        parts.all_problems(),
    )  # fmt: skip
    object.__setattr__(network, "_parts", parts)
    return network, affected


def with_captured(network: Network, captured: Mapping[str, tuple[Interaction, ...]]) -> Network:
    """The network with what calendars and mail show (`sources`) added to the histories of the contacts it is with:
    those interactions count as logged ones do. A network made so is a view for the rules; `update_network` starts
    from the network of the notes alone."""
    if not captured:
        return network
    interactions = dict(network.interactions)
    known = {c.path for c in network.contacts}
    for path, more in captured.items():
        if path in known:
            interactions[path] = tuple(sorted((*interactions.get(path, ()), *more), key=_order))
    return replace(network, interactions=interactions)


def _shape(note: ParsedNote | None) -> tuple[object, ...]:
    """What the rest of the network depends on in a note: whether it is a contact, and the names links find it
    by; whether it is an event or a goal (never updated alone: the events' and the goals' links are few)."""
    if note is None:
        return (None, False)
    contact = note.contact
    people = (contact.name, contact.aliases) if contact is not None else None
    return (people, note.event is not None or note.goal is not None)


def _missing(target: str, where: str, hint: str) -> str:
    """What to say of a link that names nobody: `hint`, or for a relative path, the path it names."""
    if not is_relative(target.strip()):
        return hint.format(target=target)
    path = relative_path(where, target.strip())
    if path is None:
        return f"[[{target}]] points above the vault's folder: fix the link"
    return f"[[{target}]] names {path}.md, which is not in the vault: create it, or fix the link"


def _link_contact(
    contact: Contact, parts: _Parts, introducer: dict[str, str], goals_of: dict[str, tuple[str, ...]]
) -> None:
    """Who introduced `contact`, and the goals it serves, from its `introduced_by` and `goals`."""
    links = parts.links
    nobody = "[[{target}]] names nobody in the vault: create a contact note for them, or fix the link"
    no_goal = f"[[{{target}}]] names no goal: create {parts.goals_folder}/{{target}}.md, or fix the link"
    link = link_of(contact.introduced_by, contact.introduced_by_line) if contact.introduced_by else None
    if link is not None:
        by = links.resolve(link, contact.path, nobody)
        if by is not None and by != contact.path:
            introducer[contact.path] = by
    linked = []
    for goal in contact.goals:
        target = link_target(goal)
        if target is None:
            continue  # a goal written as plain text is a reminder to oneself, not a link
        path = links.resolve(Link(target, contact.goals_line), contact.path, no_goal, parts.goal_notes)
        if path is not None:
            linked.append(path)
    if linked:
        goals_of[contact.path] = tuple(dict.fromkeys(linked))


def _daily_mentions(note: ParsedNote, links: _Links) -> list[Gift]:
    """A daily note's line that links a contact is an interaction with them on the note's day."""
    if note.daily is None:
        return []
    gifts: list[Gift] = []
    seen: set[tuple[int, str]] = set()
    for mention in note.daily.mentions:
        # Daily notes link to anything: only links to contacts are interactions, and a link that names
        # nobody is no problem. An alias (counted) or a link to several contacts (not counted) is said.
        path = links.resolve(Link(mention.target, mention.line), note.path, "")
        if path is None or (mention.line, path) in seen:
            continue  # one line is one interaction, however often it links the person
        seen.add((mention.line, path))
        day = note.daily.day
        gifts.append((path, Interaction(day, "daily", mention.text, note.path, mention.gave, mention.got)))
    return gifts


def _meeting_people(note: ParsedNote, links: _Links) -> list[Gift]:
    """Each person a meeting note names is an interaction with them on the note's day, once per note.

    As in daily notes, a name that matches no contact is no problem: the vault owner's own name and guests
    without a note are listed beside the contacts. An alias (counted) or an ambiguous name (not counted) is said.
    """
    meeting = note.meeting
    if meeting is None:
        return []
    people = _unique(links.resolve(person, note.path, "") for person in meeting.people)
    return [(path, Interaction(meeting.day, "meeting", meeting.title, note.path)) for path in people]


def _order(i: Interaction) -> tuple[date, str, str, str, bool, bool]:
    # Every field: a history's order must not depend on the order its notes were read in (`update_network`).
    return (i.day, i.source, i.kind, i.text, i.gave, i.got)


def _unique(paths: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in paths if p is not None))


def network_of(contacts: Iterable[Contact]) -> Network:
    """A network of contacts alone (no events, goals or daily notes)."""
    return build_network(ParsedNote(c.path, contact=c) for c in contacts)
