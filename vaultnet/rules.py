"""The follow-up rules: pure functions of (network, settings, today). Never reads the clock.

`plan` derives every dated item (past, present and future: the calendar shows them all);
`Plan.due` picks what belongs on today's list. Each rule encodes a piece of networking practice:
keep a rhythm without nagging right after a contact, call on birthdays, keep promises, prepare events
and follow up the day after, give before you take, revive dormant ties, review the network.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from vaultnet.config import Practice, Settings
from vaultnet.model import Contact, Duration, Event, Item
from vaultnet.network import Network, network_of
from vaultnet.values import add_duration, next_birthday

KIND_ORDER = {
    "birthday": 0,
    "promise": 1,
    "event-prep": 2,
    "event-follow-up": 3,
    "follow-up": 4,
    "reconnect": 5,
    "review": 6,
}
ACTIVE_DAYS = 90  # an interaction this recent makes a contact someone "you are active with"


@dataclass(frozen=True)
class Plan:
    """Every dated item, in order (date, then name), and what it was derived from."""

    today: date
    items: tuple[Item, ...]
    contacts: tuple[Contact, ...]  # the active (not archived) contacts
    network: Network

    @property
    def due(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if is_due(i, self.today))


def is_due(item: Item, today: date) -> bool:
    """On today's list: anything whose day has come; a birthday from the day it is announced."""
    if item.kind == "birthday":
        return True  # plan() only makes birthday items inside the look-ahead
    return item.day <= today


def add_or_none(start: date, duration: Duration) -> date | None:
    """`start` + `duration`, or None past 9999-12-31 (such a day never comes)."""
    try:
        return add_duration(start, duration)
    except (OverflowError, ValueError):
        return None


def _before(end: date, duration: Duration) -> date:
    """`end` - `duration` (an approximation for months and years is fine for look-backs)."""
    try:
        return end - timedelta(days=duration.approx_days())
    except OverflowError:
        return date.min


def last_touch(contact: Contact, network: Network) -> date | None:
    """The last interaction, else the day you met: how long a tie has been quiet."""
    last = network.last_interaction(contact.path)
    return last.day if last is not None else contact.met


def balance(contact: Contact, network: Network) -> tuple[int, int]:
    """(given, received): the #gave and #got of every interaction with the contact."""
    history = network.history(contact.path)
    return sum(1 for i in history if i.gave), sum(1 for i in history if i.got)


def follow_up_item(contact: Contact, settings: Settings, today: date, network: Network | None = None) -> Item | None:
    """The next follow-up: a planned `follow_up` date, or last interaction + cadence, whichever comes first.

    A planned follow-up counts as done once there is an interaction on or after its date. A contact never
    contacted counts from `met`, else is due now. Taking more than giving is said in the reason.
    """
    network = network or network_of([contact])
    last_seen = network.last_interaction(contact.path)
    last = last_seen.day if last_seen is not None else None
    candidates: list[tuple[date, str]] = []
    if contact.follow_up is not None and (last is None or last < contact.follow_up):
        candidates.append((contact.follow_up, f"follow-up planned for {contact.follow_up.isoformat()}"))
    cadence = None if contact.cadence_none else (contact.cadence or settings.cadence_of(contact.circle))
    if cadence is not None:
        if last_seen is not None:
            how = f" ({last_seen.kind})" if last_seen.kind else ""
            # Reasons name dates, not "N days ago": the calendar's copy of them must not change every day.
            reason = f"last contact on {last_seen.day.isoformat()}{how}; your rhythm is every {cadence}"
            due = add_or_none(last_seen.day, cadence)
            if due is not None:
                candidates.append((due, reason))
        elif contact.met is not None:
            reason = f"met on {contact.met.isoformat()}, no contact since; your rhythm is every {cadence}"
            due = add_or_none(contact.met, cadence)
            if due is not None:
                candidates.append((due, reason))
        else:
            candidates.append((today, "no contact recorded yet: say hello, then log it"))
    if not candidates:
        return None
    day, reason = min(candidates)
    gave, got = balance(contact, network)
    if got >= gave + settings.practice.reciprocity_margin:
        reason += f"; you have received more than you gave ({got} got, {gave} gave): offer something first"
    return Item("follow-up", day, contact.name, contact.path, reason, contact)


def birthday_item(contact: Contact, settings: Settings, today: date) -> Item | None:
    if contact.birthday is None:
        return None
    day = next_birthday(contact.birthday, today)
    if settings.birthday_lookahead_days is None or (day - today).days > settings.birthday_lookahead_days:
        return None
    when = "today" if day == today else f"on {day.strftime('%a %d %b')}"
    age = ""
    if contact.birthday.year is not None and day.year > contact.birthday.year:
        age = f", turns {day.year - contact.birthday.year}"
    reason = f"birthday {when}{age}: call personally rather than sending a message"
    return Item("birthday", day, contact.name, contact.path, reason, contact)


def promise_items(contact: Contact, today: date) -> Iterable[Item]:
    for promise in contact.open_promises:
        if promise.due is None:
            continue
        late = (today - promise.due).days
        when = f"overdue since {promise.due.isoformat()}" if late > 0 else f"due {promise.due.isoformat()}"
        reason = f"you promised: {promise.text} ({when})"
        yield Item("promise", promise.due, contact.name, contact.path, reason, contact, key=promise.text)


def _moved(item: Item, day: date) -> Item:
    if item.day >= day:
        return item
    reason = f"{item.reason}; snoozed until {day.isoformat()}"
    return Item(item.kind, day, item.name, item.path, reason, item.contact, item.key, item.details)


def snoozed(contact: Contact, today: date) -> bool:
    return contact.snooze_until is not None and contact.snooze_until > today


def contact_items(contact: Contact, settings: Settings, today: date, network: Network | None = None) -> list[Item]:
    """All dated items of one contact; none for an archived one. Snooze moves them to the snooze date."""
    if contact.archived:
        return []
    items = [*promise_items(contact, today)]
    follow_up = follow_up_item(contact, settings, today, network)
    if follow_up is not None:
        items.append(follow_up)
    if snoozed(contact, today):
        # Nothing while snoozed: reminders come back on the snooze date, birthdays wait for next year.
        assert contact.snooze_until is not None
        return [_moved(i, contact.snooze_until) for i in items]
    birthday = birthday_item(contact, settings, today)
    if birthday is not None:
        items.append(birthday)
    return items


# -- events -----------------------------------------------------------------------------------------------


def briefing(contact: Contact, network: Network) -> str:
    """One line that helps to talk to someone: who they are, what they care about, where you left off."""
    parts = [", ".join(x for x in (contact.role, contact.company) if x)]
    if contact.interests:
        parts.append("interests: " + ", ".join(contact.interests))
    last = network.last_interaction(contact.path)
    if last is not None:
        parts.append(f"last contact {last.day.isoformat()}" + (f" ({last.kind})" if last.kind else ""))
    parts.extend(f"open promise: {p.text}" for p in contact.open_promises)
    introducer = network.contact(network.introducer.get(contact.path, ""))
    if introducer is not None:
        parts.append(f"introduced by {introducer.name}")
    return f"{contact.name}: " + "; ".join(p for p in parts if p) if any(parts) else contact.name


def event_prep_item(event: Event, settings: Settings, network: Network) -> Item:
    """Before an event: whom to meet there, with what helps to talk to them."""
    people = [c for c in (network.contact(p) for p in network.targets.get(event.path, ())) if c is not None]
    when = event.day.strftime("%a %d %b")
    where = f" at {event.location}" if event.location else ""
    if not people:
        reason = f"{event.title} on {when}{where}: pick 3-5 people to meet (add them as targets)"
    else:
        reason = f"{event.title} on {when}{where}: prepare to meet {len(people)}"
        if len(people) > settings.practice.targets_per_event:
            reason += " (that is a lot for one event: the 3-5 who matter most will get your full attention)"
    day = _before(event.day, settings.practice.event_prep)
    details = tuple(briefing(c, network) for c in people)
    return Item("event-prep", day, event.title, event.path, reason, None, details=details)


def event_follow_up_items(event: Event, settings: Settings, today: date, network: Network) -> Iterator[Item]:
    """The day after an event: each person met there with no interaction since."""
    day = event.follow_up or event.last_day + timedelta(days=1)
    expires = add_or_none(day, settings.practice.event_follow_up_window)
    if expires is not None and today > expires:
        return  # old news: the cadence takes over from here
    for path in network.met.get(event.path, ()):
        contact = network.contact(path)
        if contact is None or contact.archived or snoozed(contact, today):
            continue
        if any(i.day > event.last_day for i in network.history(path)):
            continue  # already followed up
        reason = f"you met at {event.title} on {event.day.isoformat()}: follow up while it is fresh"
        yield Item("event-follow-up", day, contact.name, contact.path, reason, contact, key=event.path)


def event_items(settings: Settings, today: date, network: Network) -> Iterator[Item]:
    for event in network.events:
        if event.day >= today:
            yield event_prep_item(event, settings, network)
        yield from event_follow_up_items(event, settings, today, network)


# -- dormant ties and reviews -----------------------------------------------------------------------------


def week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


class _Context:
    """Who you are active with, indexed by what a dormant tie might share with them."""

    def __init__(self, active: list[Contact], network: Network) -> None:
        self.network = network
        self.paths = {c.path for c in active}
        self.by_company: dict[str, Contact] = {}
        self.by_tag: dict[str, Contact] = {}
        self.by_introducer: dict[str, Contact] = {}
        for contact in sorted(active, key=lambda c: c.path):  # the first in path order speaks for the others
            if contact.company:
                self.by_company.setdefault(contact.company.casefold(), contact)
            for tag in contact.tags:
                self.by_tag.setdefault(tag.casefold(), contact)
            introducer = network.introducer.get(contact.path)
            if introducer:
                self.by_introducer.setdefault(introducer, contact)

    def of(self, contact: Contact) -> str | None:
        """Why reviving this tie is natural: someone you are active with shares a company, an introducer or
        a tag with them, or introduced you."""
        company = self.by_company.get((contact.company or "").casefold())
        if company is not None and company.path != contact.path:
            return f"{company.name} also works at {contact.company}"
        introducer = self.network.introducer.get(contact.path)
        if introducer in self.paths:
            via = self.network.contact(introducer or "")
            return f"{via.name} introduced you" if via is not None else None
        sibling = self.by_introducer.get(introducer or "")
        if sibling is not None and sibling.path != contact.path:
            via = self.network.contact(introducer or "")
            return f"{via.name} introduced you to {sibling.name} too" if via is not None else None
        for tag in sorted(t.casefold() for t in contact.tags):
            other = self.by_tag.get(tag)
            if other is not None and other.path != contact.path:
                return f"like {other.name}, tagged #{tag}"
        return None


def reconnect_items(contacts: list[Contact], settings: Settings, today: date, network: Network,
                    busy: set[str]) -> list[Item]:  # fmt: skip
    """This week's few dormant ties to revive, chosen deterministically and rotating through everyone.

    The dormant contacts are put in an order once per cycle (those sharing context with someone you are
    active with first, then by a hash of the cycle and the path), and each week takes the next few: in a
    cycle of ceil(n / k) weeks everyone comes up exactly once, as long as the set stays the same.
    """
    practice: Practice = settings.practice
    k = practice.reconnect_per_week
    # The week's choice is made as of its Monday, so that it stays the same all week.
    monday = week_start(today)
    active_since = monday - timedelta(days=ACTIVE_DAYS)
    active = [c for c in contacts if (last := last_touch(c, network)) is not None and last >= active_since]
    dormant: list[tuple[Contact, date]] = []
    for contact in contacts:
        last = last_touch(contact, network)
        if last is None or contact.path in busy or snoozed(contact, today):
            continue
        revive = add_or_none(last, practice.reconnect_after)
        if revive is not None and revive <= monday:
            dormant.append((contact, last))
    if not dormant or k <= 0:
        return []
    week = monday.toordinal() // 7
    weeks_per_cycle = math.ceil(len(dormant) / k)
    cycle, slot = divmod(week, weeks_per_cycle)
    context = _Context(active, network)
    contexts = {c.path: context.of(c) for c, _ in dormant}

    def order(entry: tuple[Contact, date]) -> tuple[bool, str]:
        path = entry[0].path
        return (contexts[path] is None, hashlib.sha256(f"{cycle}\0{path}".encode()).hexdigest())

    chosen = sorted(dormant, key=order)[slot * k : (slot + 1) * k]
    items = []
    for contact, last in chosen:
        reason = f"no contact since {last.isoformat()}: a dormant tie worth reviving"
        shared = contexts[contact.path]
        if shared:
            reason += f" ({shared})"
        items.append(Item("reconnect", monday, contact.name, contact.path, reason, contact))
    return items


def review_period_start(today: date, every: Duration) -> date:
    """The first day of the review period `today` is in (quarters by default, counted from year 1)."""
    months = every.months + 12 * every.years
    if months:
        index = ((today.year - 1) * 12 + today.month - 1) // months * months
        return date(index // 12 + 1, index % 12 + 1, 1)
    days = max(every.days, 1)
    return date.fromordinal((today.toordinal() - 1) // days * days + 1)


def review_items(contacts: list[Contact], settings: Settings, today: date, network: Network) -> list[Item]:
    """Once per review period, the ties that have been quiet very long: keep, change circle, or archive."""
    start = review_period_start(today, settings.practice.review_every)
    items = []
    for contact in contacts:
        # Only ties that were lived: someone you never got in touch with (a bulk import, met once at a fair)
        # is no relationship to review; reconnect suggestions bring them up, a few a week.
        seen = network.last_interaction(contact.path)
        if seen is None or snoozed(contact, today):
            continue
        last = seen.day
        stale = add_or_none(last, settings.practice.review_after)
        if stale is None or stale > today:
            continue
        reason = (
            f"no contact since {last.isoformat()}: review it: keep (and get in touch), move to another circle,"
            " or archive"
        )
        items.append(Item("review", start, contact.name, contact.path, reason, contact))
    return items


def plan(network: Network | Iterable[Contact], settings: Settings, today: date) -> Plan:
    """Every item for `today`. `network` may also be plain contacts (no events or daily notes)."""
    if not isinstance(network, Network):
        network = network_of(network)
    active = tuple(c for c in network.contacts if not c.archived)
    items = [item for contact in active for item in contact_items(contact, settings, today, network)]
    items.extend(event_items(settings, today, network))
    busy = {i.path for i in items if i.kind in ("follow-up", "event-follow-up") and i.day <= today}
    items.extend(reconnect_items(list(active), settings, today, network, busy))
    items.extend(review_items(list(active), settings, today, network))
    items.sort(key=lambda i: (i.day, i.name.casefold(), i.path, KIND_ORDER.get(i.kind, 9), i.key))
    return Plan(today=today, items=tuple(items), contacts=active, network=network)


def overdue_days(item: Item, today: date) -> int:
    return max((today - item.day).days, 0)


def upcoming(plan_: Plan, days: int) -> tuple[Item, ...]:
    """Items due after today within `days` (the follow-up note's "coming up" section)."""
    end = plan_.today + timedelta(days=days)
    return tuple(i for i in plan_.items if plan_.today < i.day <= end and i.kind != "birthday")
