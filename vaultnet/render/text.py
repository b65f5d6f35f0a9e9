"""Plain-text tables for the terminal. What comes from a note (a name, a reason) is put on its line with
`printable`: a newline in a file name or a `name:` cannot break a row or forge one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from vaultnet.config import Settings
from vaultnet.insights import Introduction, Stats
from vaultnet.model import Item
from vaultnet.problems import printable
from vaultnet.rules import overdue_days


def render_table(items: Iterable[Item], today: date) -> str:
    rows = [("DATE", "KIND", "NAME", "REASON")]
    for item in items:
        late = overdue_days(item, today)
        day = item.day.isoformat() + (f" (+{late}d)" if late > 0 else "")
        rows.append((day, item.kind, printable(item.name), printable(item.reason)))
    if len(rows) == 1:
        return f"Nobody is due on {today.isoformat()}.\n"
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "".join(
        f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip() + "\n" for r in rows
    )


def render_agenda(items: list[Item], today: date) -> str:
    """`vaultnet today`: a short numbered list, each with what to do."""
    if not items:
        return f"Nothing pressing on {today.isoformat()}: a good day to reach out to someone you miss.\n"
    things = f"{len(items)} thing{'' if len(items) == 1 else 's'}"
    lines = [f"Today, {today.strftime('%A')} {today.isoformat()}: {things}, about half an hour.", ""]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {printable(item.name)} ({item.kind}): {printable(item.reason)}")
        lines.extend(f"     - {printable(detail)}" for detail in item.details)
    return "\n".join(lines) + "\n"


def render_stats(stats: Stats, settings: Settings) -> str:
    practice = settings.practice
    takers = f"{stats.takers} contact{'' if stats.takers == 1 else 's'}"
    lines = [f"contacts            {stats.contacts} active, {stats.archived} archived"]
    if stats.by_circle:  # no contacts, no circles: an empty "by circle" line looked like a failure to print
        lines.append("by circle           " + ", ".join(f"{c} {n}" for c, n in stats.by_circle.items()))
    lines += [
        f"in touch            {stats.touched_90} in the last 90 days, {stats.touched_365} in the last year",
        f"deep ties           {stats.deep} (3+ interactions in the last year)",
        f"overdue follow-ups  {stats.overdue}",
        f"give and take       gave {stats.gave}, got {stats.got}; {takers} to give to first",
        "",
        f"weekly rhythm (targets: {practice.weekly_new} new, {practice.weekly_maintained} maintained)",
    ]
    for week in reversed(stats.weeks):
        ok = week.new >= practice.weekly_new and week.maintained >= practice.weekly_maintained
        lines.append(f"  {week.label}  new {week.new}  maintained {week.maintained}  {'ok' if ok else '-'}")
    if stats.goals:
        lines += ["", "goals"]
        for status in stats.goals:
            last = status.last.isoformat() if status.last else "never"
            state = "done" if status.goal.done else ("STALLED" if status.stalled else "moving")
            people = ", ".join(c.name for c in status.contacts) or "nobody linked"
            lines.append(f"  {status.goal.title}: {state}; last interaction {last}; {people}")
    return "\n".join(lines) + "\n"


def render_who(found: list[Introduction]) -> str:
    if not found:
        return "Nobody matches.\n"
    lines = []
    for match in found:
        contact = match.contact
        who = ", ".join(x for x in (contact.role, contact.company) if x)
        last = match.last.isoformat() if match.last else "never"
        lines.append(printable(contact.name + (f" ({who})" if who else "")) + f": last in touch {last}")
        if match.introduced_by is not None:
            lines.append(f"    introduced by {printable(match.introduced_by.name)}")
        if match.introduced:
            lines.append("    introduced you to " + printable(", ".join(c.name for c in match.introduced)))
        if contact.phones:  # with their labels, as the note keeps them: a fax is not a number to call
            lines.append("    phone " + printable(", ".join(contact.phones)))
        if contact.emails:
            lines.append("    e-mail " + printable(", ".join(contact.emails)))
    return "\n".join(lines) + "\n"
