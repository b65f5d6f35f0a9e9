"""Views over a plan that are not items: today's agenda, goals, the weekly rhythm, network health, who
can introduce you. Pure functions of the plan (and so of the vault and the day); no I/O, no clock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from vaultnet.config import Settings
from vaultnet.kinds import SPEC, SPECS, Agenda, Kind
from vaultnet.model import Contact, Goal, Item
from vaultnet.network import Interaction, Network
from vaultnet.rules import Plan, overdue_days, week_start
from vaultnet.ties import last_touch
from vaultnet.values import add_or_none, days_after, days_before

# -- today's agenda ---------------------------------------------------------------------------------------


def agenda(plan: Plan, size: int) -> list[Item]:
    """What fits half an hour, at most `size` items: birthdays today or tomorrow (call!), promises that are
    due, event follow-ups, the most overdue follow-ups, and one dormant tie to revive (each kind's row says
    whether it is on the agenda, and how)."""
    due = plan.due
    tomorrow = days_after(plan.today, 1) or date.max
    # Every kind on the agenda in the table's order, each kind's items in the plan's order (by day); a kind
    # listed ahead of its day (birthdays) only a day ahead.
    ordered = [
        item
        for spec in SPECS
        if spec.agenda is Agenda.ALL
        for item in due
        if item.kind == spec.kind and (item.day <= tomorrow or not spec.listed_ahead)
    ]
    singles = [i for i in due if SPEC[i.kind].agenda is Agenda.ONE]
    room = size - 1 if singles else size
    chosen: list[Item] = []
    people: set[str] = set()
    for item in ordered:
        if len(chosen) >= room:
            break
        if SPEC[item.kind].nudge and item.path in people:
            continue  # one nudge per person is enough
        chosen.append(item)
        people.add(item.path)
    single = next((i for i in singles if i.path not in people), None)  # not someone already named
    if single is not None and size > 0:
        chosen.append(single)
    return chosen


# -- goals ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalStatus:
    goal: Goal
    contacts: tuple[Contact, ...]
    last: date | None  # the last interaction with any of them
    stalled: bool


def goal_statuses(plan: Plan, settings: Settings) -> list[GoalStatus]:
    network = plan.network
    out = []
    for goal in network.goals:
        people = tuple(c for c in plan.contacts if goal.path in network.goals_of.get(c.path, ()))
        days = [t.day for c in people if (t := network.last_interaction(c.path)) is not None]
        last = max(days) if days else None
        limit = goal.stalled_after or settings.practice.goal_stalled_after
        ends = add_or_none(last, limit) if last is not None else None
        stalled = not goal.done and (last is None or (ends is not None and ends <= plan.today))
        out.append(GoalStatus(goal, people, last, stalled))
    return out


# -- the weekly rhythm ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    start: date  # Monday
    new: int  # contacts met that week
    maintained: int  # contacts with an interaction that week (new ones not counted twice)

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year:04d}-W{week:02d}"  # ISO 8601: four digits, also in the first years


def weekly_rhythm(plan: Plan, weeks: int = 8, shares: Shares | None = None) -> list[Week]:
    """The last `weeks` ISO weeks, oldest first, ending with the current one (fewer in the calendar's first
    weeks: none begins before 0001-01-01, a Monday)."""
    starts = _week_starts(plan.today, weeks)
    new: dict[date, int] = dict.fromkeys(starts, 0)
    kept: dict[date, int] = dict.fromkeys(starts, 0)
    shares = shares or Shares()
    for contact in plan.contacts:
        share = shares.of(contact, plan, weeks)
        if share.met_week is not None:
            new[share.met_week] += 1
        for start in share.kept_weeks:
            if start != share.met_week:
                kept[start] += 1
    return [Week(s, new[s], kept[s]) for s in starts]


def _week_starts(today: date, weeks: int) -> list[date]:
    current = week_start(today)
    return [current - timedelta(weeks=n) for n in range(weeks - 1, -1, -1) if current.toordinal() > 7 * n]


class Share(NamedTuple):
    """What one contact adds to the network's health and rhythm (see `stats`, `weekly_rhythm`)."""

    lived: bool  # any interaction at all
    touched_90: bool
    touched_365: bool
    deep: bool
    gave: int
    got: int
    met_week: date | None  # the week of the rhythm they were met in
    kept_weeks: frozenset[date]  # the weeks of the rhythm with an interaction


@dataclass
class Shares:
    """Each contact's `Share`, kept across builds while their contact and history are the same objects (a
    build after an edit makes them again only for the contacts it touched) and the day and settings are the
    same."""

    basis: tuple[date, int] | None = None
    known: dict[str, tuple[Contact, tuple[Interaction, ...], Share]] = field(default_factory=dict)

    def of(self, contact: Contact, plan: Plan, weeks: int = 8) -> Share:
        history = plan.network.history(contact.path)
        if self.basis != (plan.today, weeks):
            self.basis, self.known = (plan.today, weeks), {}
        known = self.known.get(contact.path)
        if known is not None and known[0] is contact and known[1] is history:
            return known[2]
        share = _share(contact, history, plan.today, weeks)
        self.known[contact.path] = (contact, history, share)
        return share


def _share(contact: Contact, history: tuple[Interaction, ...], today: date, weeks: int) -> Share:
    year_ago, recent = days_before(today, 365), days_before(today, 90)
    starts = _week_starts(today, weeks)
    first = starts[0]
    past = [i for i in history if i.day <= today]
    last = past[-1].day if past else None
    touched_365 = last is not None and last >= year_ago
    deep = touched_365 and len({(i.day, i.source, i.text) for i in past if i.day >= year_ago}) >= 3
    met_week = week_start(contact.met) if contact.met is not None and first <= contact.met <= today else None
    kept = frozenset(week_start(i.day) for i in history if first <= i.day <= today)
    gave, got = sum(1 for i in history if i.gave), sum(1 for i in history if i.got)
    return Share(bool(history), last is not None and last >= recent, touched_365, deep, gave, got, met_week, kept)


# -- network health ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    contacts: int
    archived: int
    by_circle: dict[str, int]
    touched_90: int  # an interaction in the last 90 days
    touched_365: int
    deep: int  # 3+ interactions in the last year
    overdue: int  # follow-ups past their day
    gave: int
    got: int
    takers: int  # contacts you received clearly more from than you gave
    weeks: list[Week]
    goals: list[GoalStatus]

    def as_dict(self, settings: Settings) -> dict[str, object]:
        return {
            "contacts": self.contacts,
            "archived": self.archived,
            "by_circle": self.by_circle,
            "interacted_last_90_days": self.touched_90,
            "interacted_last_365_days": self.touched_365,
            "deep_ties": self.deep,
            "overdue_follow_ups": self.overdue,
            "gave": self.gave,
            "got": self.got,
            "owe_first": self.takers,
            "weekly_rhythm": [
                {
                    "week": w.label,
                    "start": w.start.isoformat(),
                    "new": w.new,
                    "maintained": w.maintained,
                    "new_target": settings.practice.weekly_new,
                    "maintained_target": settings.practice.weekly_maintained,
                }
                for w in self.weeks
            ],
            "goals": [
                {
                    "goal": g.goal.title,
                    "path": g.goal.path,
                    "contacts": [c.name for c in g.contacts],
                    "last_interaction": g.last.isoformat() if g.last else None,
                    "stalled": g.stalled,
                }
                for g in self.goals
            ],
        }


def stats(plan: Plan, settings: Settings, shares: Shares | None = None) -> Stats:
    """The network's health for the follow-up note. `shares`: each contact's share, kept from the last build."""
    network = plan.network
    shares = shares or Shares()
    by_circle = Counter(c.circle or settings.default_circle for c in plan.contacts)
    touched_90 = touched_365 = deep = gave = got = takers = 0
    margin = settings.practice.reciprocity_margin
    for contact in plan.contacts:
        share = shares.of(contact, plan)
        touched_90 += share.touched_90
        touched_365 += share.touched_365
        deep += share.deep
        gave, got = gave + share.gave, got + share.got
        if share.lived and share.got >= share.gave + margin:
            takers += 1
    overdue = sum(1 for i in plan.due if i.kind == Kind.FOLLOW_UP and overdue_days(i, plan.today) > 0)
    return Stats(
        contacts=len(plan.contacts),
        archived=sum(1 for c in network.contacts if c.archived),
        by_circle=dict(sorted(by_circle.items())),
        touched_90=touched_90,
        touched_365=touched_365,
        deep=deep,
        overdue=overdue,
        gave=gave,
        got=got,
        takers=takers,
        weeks=weekly_rhythm(plan, shares=shares),
        goals=goal_statuses(plan, settings),
    )


# -- who can introduce me ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Introduction:
    contact: Contact
    last: date | None
    introduced_by: Contact | None
    introduced: tuple[Contact, ...]  # whom they introduced you to: friends of friends


def who(
    plan: Plan, company: str | None = None, tag: str | None = None, interest: str | None = None
) -> list[Introduction]:
    """Contacts matching every filter given (case-insensitive substrings; tags exactly, `#` optional), most
    recently in touch first, with who introduced them and whom they introduced you to."""
    network: Network = plan.network
    wanted_tag = tag.lstrip("#").casefold() if tag else None
    found = []
    for contact in plan.contacts:
        if company and company.casefold() not in (contact.company or "").casefold():
            continue
        if wanted_tag and wanted_tag not in {t.casefold() for t in contact.tags}:
            continue
        if interest and not any(interest.casefold() in i.casefold() for i in contact.interests):
            continue
        by = network.contact(network.introducer.get(contact.path, ""))
        introduced = tuple(c for p in network.introduced(contact.path) if (c := network.contact(p)) is not None)
        found.append(Introduction(contact, last_touch(contact, network), by, introduced))
    found.sort(key=lambda f: (-(f.last.toordinal() if f.last else 0), f.contact.name.casefold(), f.contact.path))
    return found
