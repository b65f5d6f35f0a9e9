"""Item kinds, and everything vaultnet knows about each kind: ONE table, one row per kind.

The rules (rules.py) and every renderer (the follow-up note, the calendar, the terminal, JSON) read a kind's
facts from its row here instead of naming kinds themselves. This module sits below model.py and imports
nothing from vaultnet, so that anything may use it.

Adding a kind: a `Kind` member and its `KindSpec` row here, and its rule function in rules.py (decorated
with `@rule(Kind.NEW)`). Nothing else names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum


class Kind(StrEnum):
    """What an item asks of you. A `str`: comparisons with plain strings and JSON output see the value."""

    BIRTHDAY = "birthday"
    PROMISE = "promise"
    EVENT_PREP = "event-prep"
    EVENT_FOLLOW_UP = "event-follow-up"
    FOLLOW_UP = "follow-up"
    RECONNECT = "reconnect"
    REVIEW = "review"


class Snoozed(Enum):
    """What happens to a kind's items while their contact is snoozed (`snooze_until` after today)."""

    MOVE = "move"  # the item comes back on the snooze date ("...; snoozed until 2026-12-01")
    SKIP = "skip"  # no item while snoozed (a birthday waits for next year)


class Agenda(Enum):
    """How `vaultnet today` (half an hour's agenda) treats a kind's due items."""

    SKIP = "skip"  # not on the agenda
    ALL = "all"  # every due one, kinds in the table's order, one nudge per person
    ONE = "one"  # at most one, in the last place, about someone not named above: a single suggestion


@dataclass(frozen=True)
class KindSpec:
    """One kind's facts. Booleans default to the common case, so a row says only what is special."""

    kind: Kind
    section: str  # the follow-up note's section title
    hint: str  # the line in italics under the section title
    summary: str  # the calendar event's SUMMARY: a format string with `{name}` and `{key}` (the item's key)
    category: str  # the calendar event's CATEGORIES
    # Dated on the first day of its period (a birthday on its day, a reconnect on its week's Monday, a review
    # on its review period's first day) only to say since when it is listed: never "overdue".
    period_dated: bool = False
    # On the list from the day it is announced, ahead of its day (a birthday, a week before): the follow-up
    # note shows its day, "coming up" leaves it out (it is listed already), the agenda takes it a day ahead.
    listed_ahead: bool = False
    # Asks you to get in touch with its person: a due one makes the contact "busy", so no suggestion kind
    # (reconnect) picks them as well, and the agenda names a person for one such item only.
    nudge: bool = False
    # Picks a few contacts among those no due nudge asks for (reconnect): its rule runs after the others.
    suggestion: bool = False
    # While a suggestion picks its person, an item of this kind about them is left out and its reason added to
    # the suggestion's: one item about a person, not two.
    yields_to_suggestions: bool = False
    # Its reason says already when it was due (a promise: "overdue since ..."; a prep: the event's day), so the
    # calendar adds no "(due ..., N days overdue)".
    reason_says_when: bool = False
    snoozed: Snoozed = Snoozed.SKIP
    agenda: Agenda = Agenda.SKIP
    # Its items are about one contact each and come from that contact alone: their note, their history and the
    # events that met them. A build after an edit makes them again only for the contacts the edit touched.
    own: bool = True


# In order: the follow-up note's sections, and the order of items of one person on one day.
SPECS: tuple[KindSpec, ...] = (
    KindSpec(
        Kind.BIRTHDAY, "Birthdays", "A reason to call personally.", "🎂 {name}", "Birthday",
        period_dated=True, listed_ahead=True, agenda=Agenda.ALL,
    ),
    KindSpec(
        Kind.PROMISE, "Promises", "What you said you would do.", "Promise to {name}: {key}", "Promise",
        reason_says_when=True, snoozed=Snoozed.MOVE, agenda=Agenda.ALL,
    ),
    KindSpec(
        Kind.EVENT_PREP, "Events to prepare", "Whom to meet, and what helps to talk to them.",
        "Prepare for {name}", "Event", reason_says_when=True, own=False,
    ),
    KindSpec(
        Kind.EVENT_FOLLOW_UP, "After events", "The people you met: follow up while it is fresh.",
        "Follow up with {name}", "Event", nudge=True, agenda=Agenda.ALL,
    ),
    KindSpec(
        Kind.FOLLOW_UP, "Follow-ups", "People to get back to, most overdue first.", "Get back to {name}",
        "Follow-up", nudge=True, snoozed=Snoozed.MOVE, agenda=Agenda.ALL,
    ),
    KindSpec(
        Kind.RECONNECT, "Reconnect this week", "Dormant ties worth reviving: a short note is enough.",
        "Reconnect with {name}", "Reconnect", period_dated=True, suggestion=True, agenda=Agenda.ONE, own=False,
    ),
    # A tie up for review that is also this week's reconnect pick is one item, the reconnect, with the review's
    # question added ("...: a dormant tie worth reviving (...); review it: keep ..."). The reconnect wins: it is
    # this week's concrete step, with the context that makes getting in touch natural, and the week keeps its
    # reconnect_per_week suggestions (and `today` its one) instead of losing them to the review section. The
    # review comes back the next week if the tie is still quiet.
    KindSpec(
        Kind.REVIEW, "Review", "Quiet for a long time: keep (and get in touch), change circle, or archive.",
        "Review {name}: keep, re-tier or archive", "Review", period_dated=True, yields_to_suggestions=True,
    ),
)  # fmt: skip

SPEC: dict[Kind, KindSpec] = {spec.kind: spec for spec in SPECS}
ORDER: dict[Kind, int] = {spec.kind: number for number, spec in enumerate(SPECS)}
