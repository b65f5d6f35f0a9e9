"""The follow-up rules: pure functions of (contacts, settings, today). Never reads the clock.

`plan` derives every dated item (past, present and future: the calendar shows them all);
`due_items` picks what belongs on today's list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from vaultnet.config import Settings
from vaultnet.model import Contact, Duration, Item
from vaultnet.values import add_duration, next_birthday

KIND_ORDER = {"birthday": 0, "promise": 1, "follow-up": 2}


@dataclass(frozen=True)
class Plan:
    """Every dated item for the active contacts, in order (date, then name)."""

    today: date
    items: tuple[Item, ...]
    contacts: tuple[Contact, ...]  # the active (not archived) contacts

    @property
    def due(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if is_due(i, self.today))


def is_due(item: Item, today: date) -> bool:
    """On today's list: anything whose day has come; a birthday from the day it is announced."""
    if item.kind == "birthday":
        return True  # plan() only makes birthday items inside the look-ahead
    return item.day <= today


def _after(start: date, cadence: Duration) -> date | None:
    """`start` + `cadence`, or None past 9999-12-31 (such a follow-up never comes)."""
    try:
        return add_duration(start, cadence)
    except (OverflowError, ValueError):
        return None


def follow_up_item(contact: Contact, settings: Settings, today: date) -> Item | None:
    """The next follow-up: a planned `follow_up` date, or last contact + cadence, whichever comes first.

    A planned follow-up counts as done once there is an interaction on or after its date.
    A contact never contacted counts from `met`, else is due now.
    """
    last = contact.last_interaction
    candidates: list[tuple[date, str]] = []
    if contact.follow_up is not None and (last is None or last < contact.follow_up):
        candidates.append((contact.follow_up, f"follow-up planned for {contact.follow_up.isoformat()}"))
    cadence = None if contact.cadence_none else (contact.cadence or settings.cadence_of(contact.circle))
    if cadence is not None:
        if last is not None:
            entry = contact.last_log
            how = f" ({entry.kind})" if entry is not None and entry.day == last and entry.kind else ""
            # Reasons name dates, not "N days ago": the calendar's copy of them must not change every day.
            reason = f"last contact on {last.isoformat()}{how}; your rhythm is every {cadence}"
            due = _after(last, cadence)
            if due is not None:
                candidates.append((due, reason))
        elif contact.met is not None:
            reason = f"met on {contact.met.isoformat()}, no contact since; your rhythm is every {cadence}"
            due = _after(contact.met, cadence)
            if due is not None:
                candidates.append((due, reason))
        else:
            candidates.append((today, "no contact recorded yet: say hello, then log it"))
    if not candidates:
        return None
    day, reason = min(candidates)
    return Item("follow-up", day, contact.name, contact.path, reason, contact)


def birthday_item(contact: Contact, settings: Settings, today: date) -> Item | None:
    if contact.birthday is None:
        return None
    day = next_birthday(contact.birthday, today)
    if settings.birthday_lookahead_days is None or (day - today).days > settings.birthday_lookahead_days:
        return None
    when = "today" if day == today else f"on {day.strftime('%a %d %b')}"
    age = ""
    if contact.birthday.year is not None and day.year >= contact.birthday.year:
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


def contact_items(contact: Contact, settings: Settings, today: date) -> list[Item]:
    """All dated items of one contact; none for an archived one. Snooze moves them to the snooze date."""
    if contact.archived:
        return []
    items = [*promise_items(contact, today)]
    follow_up = follow_up_item(contact, settings, today)
    if follow_up is not None:
        items.append(follow_up)
    snooze = contact.snooze_until
    if snooze is not None and snooze > today:
        # Nothing while snoozed: reminders come back on the snooze date, birthdays wait for next year.
        return [_moved(i, snooze) for i in items]
    birthday = birthday_item(contact, settings, today)
    if birthday is not None:
        items.append(birthday)
    return items


def _moved(item: Item, day: date) -> Item:
    if item.day >= day:
        return item
    return Item(item.kind, day, item.name, item.path, f"{item.reason}; snoozed until {day.isoformat()}",
                item.contact, item.key)  # fmt: skip


def plan(contacts: Iterable[Contact], settings: Settings, today: date) -> Plan:
    active = tuple(c for c in contacts if not c.archived)
    items = [item for contact in active for item in contact_items(contact, settings, today)]
    items.sort(key=lambda i: (i.day, i.name.casefold(), i.path, KIND_ORDER.get(i.kind, 9), i.key))
    return Plan(today=today, items=tuple(items), contacts=active)


def overdue_days(item: Item, today: date) -> int:
    return max((today - item.day).days, 0)


def upcoming(plan_: Plan, days: int) -> tuple[Item, ...]:
    """Items due after today within `days` (the follow-up note's "coming up" section)."""
    end = plan_.today + timedelta(days=days)
    return tuple(i for i in plan_.items if plan_.today < i.day <= end and i.kind != "birthday")
