"""The follow-up rules: pure functions of (network, settings, today). Never reads the clock.

`make_plan` derives every dated item (past, present and future: the calendar shows them all) by running
each kind's rule; `Plan.due` picks what belongs on today's list. A rule is a function registered with
`@rule(Kind.X)` plus its kind's row in kinds.py: `make_plan` runs the rules in the table's order (suggestion
kinds last) and applies what the rows say about archived and snoozed contacts, about who is busy and about
items that step aside for a suggestion, so that a rule only says which items its kind has. Each rule
encodes a piece of networking practice: keep a rhythm without nagging right after a contact, call on
birthdays, keep promises, prepare events and follow up the day after, give before you take, revive dormant
ties, review the network.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from vaultnet.config import Practice, Settings
from vaultnet.kinds import ORDER, SPEC, SPECS, Kind, Snoozed
from vaultnet.model import Contact, Duration, Event, Item
from vaultnet.network import Network, network_of
from vaultnet.ties import SharedContext, balance, briefing, last_touch
from vaultnet.values import add_or_none, days_after, days_before, next_birthday

ACTIVE_DAYS = 90  # an interaction this recent makes a contact someone "you are active with"


@dataclass(frozen=True)
class Plan:
    """Every dated item, in order (date, then name), and what it was derived from."""

    today: date
    items: tuple[Item, ...]
    contacts: tuple[Contact, ...]  # the active (not archived) contacts
    network: Network
    # The items of the kinds a contact has on their own (`KindSpec.own`), by contact, before any suggestion:
    # what a plan made after an edit takes over for the contacts the edit did not touch.
    own: Mapping[str, tuple[Item, ...]] = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def due(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if is_due(i, self.today))


@dataclass(frozen=True)
class Given:
    """What every rule works from: nothing else, so the rules stay pure and testable."""

    network: Network
    settings: Settings
    today: date
    contacts: tuple[Contact, ...]  # the active (not archived) contacts
    # The contacts that a due nudge (a follow-up, ...) asks for already. Known only to suggestion kinds, whose
    # rules run after all the others; empty for those.
    busy: frozenset[str] = frozenset()


Rule = Callable[[Given], Iterable[Item]]
RULES: dict[Kind, Rule] = {}  # filled by `@rule`: the one rule of each kind


def rule(kind: Kind) -> Callable[[Rule], Rule]:
    """Register the decorated function as the rule that makes `kind`'s items."""

    def register(function: Rule) -> Rule:
        if kind in RULES:
            raise ValueError(f"two rules for {kind}: {RULES[kind].__name__} and {function.__name__}")
        RULES[kind] = function
        return function

    return register


def is_due(item: Item, today: date) -> bool:
    """On today's list: anything whose day has come; a kind listed ahead (birthdays) from its announcement."""
    if SPEC[item.kind].listed_ahead:
        return True  # its rule makes such items only inside the look-ahead
    return item.day <= today


def overdue_days(item: Item, today: date) -> int:
    """How many days an item is late; 0 for the kinds its row calls period-dated, which are never overdue."""
    if SPEC[item.kind].period_dated:
        return 0
    return max((today - item.day).days, 0)


def _before(end: date, duration: Duration) -> date:
    """`end` - `duration`, no earlier than 0001-01-01 (an approximation for months and years is fine for
    look-backs)."""
    return days_before(end, duration.approx_days())


def follow_up_item(contact: Contact, given: Given) -> Item | None:
    """The next follow-up: a planned `follow_up` date, or last interaction + cadence, whichever comes first.

    A planned follow-up counts as done once there is an interaction on or after its date. A contact never
    contacted counts from `met`, else is due now. Taking more than giving is said in the reason.
    """
    settings, network = given.settings, given.network
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
            candidates.append((given.today, "no contact recorded yet: say hello, then log it"))
    if not candidates:
        return None
    day, reason = min(candidates)
    gave, got = balance(contact, network)
    if got >= gave + settings.practice.reciprocity_margin:
        reason += f"; you have received more than you gave ({got} got, {gave} gave): offer something first"
    return Item(Kind.FOLLOW_UP, day, contact.name, contact.path, reason, contact)


@rule(Kind.FOLLOW_UP)
def follow_ups(given: Given) -> Iterator[Item]:
    """One follow-up per contact: keep the rhythm of the relationship, or the follow-up you planned."""
    for contact in given.contacts:
        item = follow_up_item(contact, given)
        if item is not None:
            yield item


@rule(Kind.BIRTHDAY)
def birthdays(given: Given) -> Iterator[Item]:
    """Each birthday inside the look-ahead: a reason to call personally."""
    lookahead = given.settings.birthday_lookahead_days
    for contact in given.contacts:
        if contact.birthday is None or lookahead is None:
            continue
        day = next_birthday(contact.birthday, given.today)
        if day is None or (day - given.today).days > lookahead:
            continue  # None: the next one would be after 9999-12-31
        when = "today" if day == given.today else f"on {day.strftime('%a %d %b')}"
        age = ""
        if contact.birthday.year is not None and day.year > contact.birthday.year:
            age = f", turns {day.year - contact.birthday.year}"
        reason = f"birthday {when}{age}: call personally rather than sending a message"
        yield Item(Kind.BIRTHDAY, day, contact.name, contact.path, reason, contact)


@rule(Kind.PROMISE)
def promises(given: Given) -> Iterator[Item]:
    """Each open promise with a due date (`- [ ] ... 📅 2026-11-25`), on that date."""
    for contact in given.contacts:
        for promise in contact.open_promises:
            if promise.due is None:
                continue
            late = (given.today - promise.due).days
            when = f"overdue since {promise.due.isoformat()}" if late > 0 else f"due {promise.due.isoformat()}"
            reason = f"you promised: {promise.text} ({when})"
            yield Item(Kind.PROMISE, promise.due, contact.name, contact.path, reason, contact, key=promise.text)


def snoozed(contact: Contact, today: date) -> bool:
    return contact.snooze_until is not None and contact.snooze_until > today


def _moved(item: Item, day: date) -> Item:
    if item.day >= day:
        return item
    return replace(item, day=day, reason=f"{item.reason}; snoozed until {day.isoformat()}")


# -- events -----------------------------------------------------------------------------------------------


def event_prep_item(event: Event, given: Given) -> Item:
    """Before an event: whom to meet there, with what helps to talk to them."""
    network, practice = given.network, given.settings.practice
    people = [c for c in (network.contact(p) for p in network.targets.get(event.path, ())) if c is not None]
    when = event.day.strftime("%a %d %b")
    where = f" at {event.location}" if event.location else ""
    if not people:
        reason = f"{event.title} on {when}{where}: pick 3-5 people to meet (add them as targets)"
    else:
        reason = f"{event.title} on {when}{where}: prepare to meet {len(people)}"
        if len(people) > practice.targets_per_event:
            reason += " (that is a lot for one event: the 3-5 who matter most will get your full attention)"
    day = _before(event.day, practice.event_prep)
    details = tuple(briefing(c, network) for c in people)
    return Item(Kind.EVENT_PREP, day, event.title, event.path, reason, None, details=details)


@rule(Kind.EVENT_PREP)
def event_preps(given: Given) -> Iterator[Item]:
    """An item about each event still to come, from `event_prep` before it through its first day."""
    for event in given.network.events:
        if event.day >= given.today:
            yield event_prep_item(event, given)


@rule(Kind.EVENT_FOLLOW_UP)
def event_follow_ups(given: Given) -> Iterator[Item]:
    """The day after an event: each person met there with no interaction since."""
    network = given.network
    for contact in given.contacts:
        for event in network.events_met(contact.path):
            day = event.follow_up or days_after(event.last_day, 1)
            if day is None:
                continue  # the event ends on 9999-12-31: there is no day after it
            expires = add_or_none(day, given.settings.practice.event_follow_up_window)
            if expires is not None and given.today > expires:
                continue  # old news: the cadence takes over from here
            if any(i.day > event.last_day for i in network.history(contact.path)):
                continue  # already followed up
            reason = f"you met at {event.title} on {event.day.isoformat()}: follow up while it is fresh"
            yield Item(Kind.EVENT_FOLLOW_UP, day, contact.name, contact.path, reason, contact, key=event.path)


# -- dormant ties and reviews -----------------------------------------------------------------------------


def week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


@rule(Kind.RECONNECT)
def reconnects(given: Given) -> list[Item]:
    """This week's few dormant ties to revive, chosen deterministically and rotating through everyone.

    The dormant contacts are put in an order once per cycle (those sharing context with someone you are
    active with first, then by a hash of the cycle and the path), and each week takes the next few: in a
    cycle of ceil(n / k) weeks everyone comes up exactly once, as long as the set stays the same.
    """
    practice: Practice = given.settings.practice
    network = given.network
    k = practice.reconnect_per_week
    # The week's choice is made as of its Monday, so that it stays the same all week.
    monday = week_start(given.today)
    active_since = days_before(monday, ACTIVE_DAYS)
    touches = [(contact, last_touch(contact, network)) for contact in given.contacts]
    active = [c for c, last in touches if last is not None and last >= active_since]
    dormant: list[tuple[Contact, date]] = []
    for contact, last in touches:
        # Not someone the list asks for already; not a snoozed contact either (make_plan would drop the item,
        # but the week's few picks should go to someone who is on the list).
        if last is None or contact.path in given.busy or snoozed(contact, given.today):
            continue
        revive = add_or_none(last, practice.reconnect_after)
        if revive is not None and revive <= monday:
            dormant.append((contact, last))
    if not dormant or k <= 0:
        return []
    week = monday.toordinal() // 7
    weeks_per_cycle = math.ceil(len(dormant) / k)
    cycle, slot = divmod(week, weeks_per_cycle)
    context = SharedContext(active, network)
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
        items.append(Item(Kind.RECONNECT, monday, contact.name, contact.path, reason, contact))
    return items


def review_period_start(today: date, every: Duration) -> date:
    """The first day of the review period `today` is in (quarters by default, counted from year 1)."""
    months = every.months + 12 * every.years
    if months:
        index = ((today.year - 1) * 12 + today.month - 1) // months * months
        return date(index // 12 + 1, index % 12 + 1, 1)
    days = max(every.days, 1)
    return date.fromordinal((today.toordinal() - 1) // days * days + 1)


@rule(Kind.REVIEW)
def reviews(given: Given) -> Iterator[Item]:
    """Once per review period, the ties that have been quiet very long: keep, change circle, or archive."""
    practice = given.settings.practice
    start = review_period_start(given.today, practice.review_every)
    for contact in given.contacts:
        # Only ties that were lived: someone you never got in touch with (a bulk import, met once at a fair)
        # is no relationship to review; reconnect suggestions bring them up, a few a week.
        seen = given.network.last_interaction(contact.path)
        if seen is None:
            continue
        stale = add_or_none(seen.day, practice.review_after)
        if stale is None or stale > given.today:
            continue
        reason = (
            f"no contact since {seen.day.isoformat()}: review it: keep (and get in touch), move to another circle,"
            " or archive"
        )
        yield Item(Kind.REVIEW, start, contact.name, contact.path, reason, contact)


# -- the plan ---------------------------------------------------------------------------------------------


def _run(kind: Kind, given: Given) -> Iterator[Item]:
    """The items of `kind` as its rule makes them, less what its row says an archived or snoozed contact
    does not get."""
    function = RULES.get(kind)
    if function is None:
        raise LookupError(f"no rule makes {kind} items: decorate one with @rule(Kind.{kind.name})")
    moves = SPEC[kind].snoozed is Snoozed.MOVE
    for item in function(given):
        contact = item.contact
        if contact is None:
            yield item
        elif contact.archived:
            continue  # nothing at all for an archived contact
        elif not snoozed(contact, given.today):
            yield item
        elif moves:
            assert contact.snooze_until is not None
            yield _moved(item, contact.snooze_until)


def _with_suggestions(items: list[Item], suggestions: list[Item]) -> list[Item]:
    """`items` and the suggestions; an item of a kind that yields to suggestions (a review) about someone a
    suggestion picks is left out, its reason added to the suggestion's without the words both begin with."""
    picked = {suggestion.path: n for n, suggestion in enumerate(suggestions)}
    merged = list(suggestions)
    kept = []
    for item in items:
        n = picked.get(item.path)
        if n is None or not SPEC[item.kind].yields_to_suggestions:
            kept.append(item)
            continue
        head, _, rest = item.reason.partition(": ")  # "no contact since 2024-03-08: ..." in both
        added = rest if rest and merged[n].reason.startswith(f"{head}: ") else item.reason
        merged[n] = replace(merged[n], reason=f"{merged[n].reason}; {added}")
    return kept + merged


def make_plan(
    network: Network | Iterable[Contact],
    settings: Settings,
    today: date,
    previous: Plan | None = None,
    touched: Collection[str] | None = None,
) -> Plan:
    """Every item for `today`: each kind's rule in the table's order, suggestion kinds last.

    `network` may also be plain contacts (no events or daily notes). `previous`: the plan made for the same
    day and settings from a network that differs from this one only in the contacts `touched` (their note or
    their history; `update_network` says which, and that the events are the same): the items of the other
    contacts are taken over from it. The plan is the same either way.
    """
    if not isinstance(network, Network):
        network = network_of(network)
    active = tuple(c for c in network.contacts if not c.archived)
    given = Given(network, settings, today, active)
    if previous is None or touched is None or previous.today != today:
        own = _own_items(given)
    else:
        own = dict(previous.own)
        for path in touched:
            own.pop(path, None)
        again = tuple(c for c in (network.contact(p) for p in sorted(touched)) if c is not None and not c.archived)
        own.update(_own_items(replace(given, contacts=again)))
    items = [item for spec in SPECS if not (spec.suggestion or spec.own) for item in _run(spec.kind, given)]
    items += [item for group in own.values() for item in group]
    busy = frozenset(i.path for i in items if SPEC[i.kind].nudge and is_due(i, today))
    given = replace(given, busy=busy)
    items = _with_suggestions(items, [item for spec in SPECS if spec.suggestion for item in _run(spec.kind, given)])
    items.sort(key=lambda i: (i.day, i.name.casefold(), i.path, ORDER[i.kind], i.key))
    return Plan(today=today, items=tuple(items), contacts=active, network=network, own=own)


def _own_items(given: Given) -> dict[str, tuple[Item, ...]]:
    """The items of the kinds each contact has on their own, for the contacts of `given`, by contact."""
    found: dict[str, list[Item]] = {}
    for spec in SPECS:
        if spec.own and not spec.suggestion:
            for item in _run(spec.kind, given):
                found.setdefault(item.path, []).append(item)
    return {path: tuple(items) for path, items in found.items()}


def upcoming(plan: Plan, days: int) -> tuple[Item, ...]:
    """Items due after today within `days` (the follow-up note's "coming up" section); not those of kinds
    listed ahead (birthdays), which are on today's list already."""
    end = days_after(plan.today, days) or date.max
    return tuple(i for i in plan.items if plan.today < i.day <= end and not SPEC[i.kind].listed_ahead)
