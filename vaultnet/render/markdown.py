"""The follow-up note: a Markdown page in the vault with `[[wikilinks]]` (or, in a vault that writes Markdown
links, `[Name](path.md)` links), readable in Obsidian."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from datetime import date

from vaultnet.config import Settings
from vaultnet.insights import Stats
from vaultnet.kinds import SPECS, Kind
from vaultnet.model import Item
from vaultnet.problems import Problem
from vaultnet.rules import Plan, overdue_days, upcoming

TITLE = "# Follow-ups for "  # the first line of the note, then the day
MARK = "> Written by vaultnet"  # the line after the title: the note is vaultnet's, and may be overwritten
_UNLINKABLE = set("#|^[]")
UPCOMING_DAYS = 14


def wikilink(path: str, name: str) -> str:
    """`[[contacts/Anna Schmidt|Anna Schmidt]]`: by path, so two people with one name stay apart."""
    target = path.removesuffix(".md")
    if _UNLINKABLE & set(target) or _UNLINKABLE & set(name):
        return name  # Obsidian cannot link such a name; show it plainly
    return f"[[{target}|{name}]]"


# Characters a Markdown link destination cannot hold as they are (CommonMark, and Obsidian reading it back).
_URL_UNSAFE = frozenset(' %()<>[]#?\\^`{}|"')


def markdown_link(path: str, name: str, base: str = "") -> str:
    """`[Anna Schmidt](contacts/Anna%20Schmidt.md)`: the note's path from the folder `base` (the follow-up
    note's folder), percent-encoded where a link needs it, as Obsidian writes it with "Use [[Wikilinks]]" off."""
    target = posixpath.relpath(path, base) if base else path
    url = "".join(
        "".join(f"%{byte:02X}" for byte in char.encode())
        if char in _URL_UNSAFE or ord(char) < 0x21 or char == "\x7f"
        else char
        for char in target
    )
    text = "".join(f"\\{char}" if char in "\\[]" else char for char in name)
    return f"[{text}]({url})"


Link = Callable[[str, str], str]  # (the note's path, the name shown) -> a link to the note


def linker(settings: Settings) -> Link:
    """The links the vault writes: `[[wikilinks]]`, or Markdown links when `markdown_links` is on."""
    if not settings.markdown_links:
        return wikilink
    base = posixpath.dirname(settings.followups_path or "")  # links from the note's folder
    return lambda path, name: markdown_link(path, name, base)


class Lines:
    """Each item's line, kept across builds while the item is the same object (a plan made after an edit
    takes over the items of the contacts it did not touch) and the day and the links are the same."""

    def __init__(self) -> None:
        self._basis: tuple[object, ...] = ()
        self._known: dict[tuple[int, bool], tuple[Item, str]] = {}
        self._used: dict[tuple[int, bool], tuple[Item, str]] = {}

    def start(self, plan: Plan, link: Link) -> None:
        """Begin a build: forget the lines of items no longer in use (their ids may be reused)."""
        basis = (plan.today, link)
        self._known = self._used if basis == self._basis else {}
        self._basis, self._used = basis, {}

    def export(self) -> tuple[date | None, list[tuple[Item, bool, str]]]:
        """The day and the lines of the last build, for the snapshot (ids do not survive it: `restore` keys
        them again); only lines with wikilinks (a Markdown-links vault's link is made afresh by every build)."""
        if len(self._basis) != 2 or self._basis[1] is not wikilink or not isinstance(self._basis[0], date):
            return None, []
        return self._basis[0], [(item, show_day, line) for (_, show_day), (item, line) in self._used.items()]

    def restore(self, day: date | None, lines: list[tuple[Item, bool, str]]) -> None:
        """Take what `export` gave."""
        self._used = {(id(item), show_day): (item, line) for item, show_day, line in lines}
        self._basis = (day, wikilink)

    def line(self, item: Item, plan: Plan, show_day: bool, link: Link) -> str:
        key = (id(item), show_day)
        known = self._known.get(key)
        if known is None or known[0] is not item:
            known = (item, _line(item, plan, show_day, link))
        self._used[key] = known
        return known[1]


def _line(item: Item, plan: Plan, show_day: bool = False, link: Link = wikilink) -> str:
    contact = item.contact
    late = overdue_days(item, plan.today)
    parts = [link(item.path, item.name)]
    if show_day:
        parts.insert(0, item.day.strftime("%a %d %b"))
    if late > 0:
        parts.append(f"*{late} days overdue*" if late != 1 else "*1 day overdue*")
    parts.append(item.reason)
    who = ", ".join(x for x in (contact.role, contact.company) if x) if contact else ""
    if who:
        parts.append(who)
    return "\n".join(["- " + " — ".join(parts), *(f"    - {detail}" for detail in item.details)])


def _health(stats: Stats, settings: Settings, plan: Plan) -> list[str]:
    """A compact network-health section: the rhythm of the last weeks, goals, and a chart of the circles."""
    practice = settings.practice
    now = stats.weeks[-1]
    # "✓" once a target is met, else words: a lone "…" read as an unfinished sentence.
    new_ok = "✓" if now.new >= practice.weekly_new else "(not yet)"
    kept_ok = "✓" if now.maintained >= practice.weekly_maintained else "(not yet)"
    out = [
        "## Your network",
        "",
        f"This week: {now.new}/{practice.weekly_new} new {new_ok}, "
        f"{now.maintained}/{practice.weekly_maintained} maintained {kept_ok}. "
        f"{stats.touched_90} of {stats.contacts} contacts had an interaction in the last 90 days, "
        f"{stats.deep} are deep ties (3+ interactions this year); {stats.overdue} follow-ups are overdue; "
        f"you gave {stats.gave} and received {stats.got}.",
        "",
        "| week | new | maintained |",
        "|---|---:|---:|",
        *(f"| {w.label} | {w.new} | {w.maintained} |" for w in reversed(stats.weeks)),
        "",
    ]
    if stats.by_circle:
        out += ["```mermaid", "pie title Contacts by circle"]
        out += [f'    "{circle}" : {count}' for circle, count in stats.by_circle.items()]
        out += ["```", ""]
    if stats.goals:
        out += ["### Goals", ""]
        for status in stats.goals:
            link = linker(settings)
            goal = link(status.goal.path, status.goal.title)
            people = ", ".join(link(c.path, c.name) for c in status.contacts) or "nobody linked yet"
            last = f"last interaction {status.last.isoformat()}" if status.last else "no interaction yet"
            state = " — **stalled**: reach out to one of them" if status.stalled else ""
            done = " (done)" if status.goal.done else ""
            out.append(f"- {goal}{done}: {people}; {last}{state}")
        out.append("")
    return out


def render_followups(
    plan: Plan,
    problems: Iterable[Problem] = (),
    stats: Stats | None = None,
    settings: Settings | None = None,
    lines: Lines | None = None,
) -> bytes:
    """The note, deterministic for a vault and a day: no clock, no timestamps other than `today`. `lines`: the
    items' lines kept from the last build."""
    due = plan.due
    link = linker(settings or Settings())
    lines = lines or Lines()
    lines.start(plan, link)
    out = [
        f"{TITLE}{plan.today.strftime('%A')} {plan.today.isoformat()}",
        "",
        f"{MARK} from the notes in this vault; edits to this page are overwritten.",
        "> Log an interaction in the contact's note to clear its follow-up.",
        "",
    ]
    if not due:
        out += ["Nobody is due today. A good day to reach out to someone you have not talked to in a while.", ""]
    # A section per kind, in the table's order; its items in the plan's order (by day: the most overdue first).
    by_kind: dict[Kind, list[Item]] = {}
    for item in due:
        by_kind.setdefault(item.kind, []).append(item)
    for spec in SPECS:
        items = by_kind.get(spec.kind, [])
        if not items:
            continue
        out += [f"## {spec.section} ({len(items)})", "", f"*{spec.hint}*", ""]
        # Items listed ahead of their day (birthdays) say which day.
        out += [lines.line(i, plan, spec.listed_ahead, link) for i in items]
        out.append("")
    soon = upcoming(plan, UPCOMING_DAYS)
    if soon:
        out += [f"## Coming up in the next {UPCOMING_DAYS} days", ""]
        out += [lines.line(i, plan, True, link) for i in soon]
        out.append("")
    if stats is not None:
        out += _health(stats, settings or Settings(), plan)
    problems = sorted(problems)
    if problems:
        out += [f"## Problems in notes and settings ({len(problems)})", ""]
        out += [f"- `{p.format()}`" for p in problems]
        out.append("")
    return "\n".join(out).encode()


def written_by_vaultnet(head: bytes) -> bool:
    """Whether a file that starts with `head` is a follow-up note vaultnet wrote: its first line that is not
    blank is the title (`# Follow-ups for ...`) and the next one the `> Written by vaultnet` line. The pipeline
    writes the note only over such a file (or over nothing): never over a note of the user's own."""
    lines = [line.strip() for line in head.decode("utf-8", "replace").removeprefix("\ufeff").splitlines()]
    title, mark = ([line for line in lines if line] + ["", ""])[:2]
    return title.startswith(TITLE.strip()) and mark.startswith(MARK)
