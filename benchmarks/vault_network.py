"""Event notes, daily notes and goals added to a vault made by ``bench_build.generate_vault``.

``bench_build``'s vault has contacts and plain notes only, so a benchmark on it never exercises the paths where
one note changes what other notes derive: an event's ``met`` and a daily note's links are interactions of the
contacts they name, a contact's ``goals`` link a goal note. ``add_network_notes`` writes such notes into an
already generated vault (and adds ``goals:`` to a few contacts), deterministically from a seed. It is a separate
step, so a vault without it is byte for byte ``bench_build``'s and its figures stay comparable.

How many, per 1,000 contacts: 5 events in ``events/`` (dated from 90 days before ``today`` to 30 days after,
3-5 ``targets``; the past ones name 2-5 people they ``met``), 20 daily notes in ``journal/`` (``YYYY-MM-DD.md``,
one per day going back from the day before ``today``, each with 1-5 lines, most linking one or two contacts,
some ``#gave``/``#got``), and 20 contacts with ``goals:`` naming one of the three goals in ``goals/``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_build import Vault

GOALS = (
    ("Raise a pre-seed round", "stalled_after: 6w\n"),
    ("Hire a data lead", ""),
    ("Publish a book chapter", "status: done\n"),
)
DAILY_LINES = (
    "Coffee with [[{a}]]",
    "Sent [[{a}]] the article about the grid study #gave",
    "Lunch with [[{a}]] and [[{b}]]",
    "[[{a}]] introduced me to [[{b}]] #got",
    "Call with [[{a}]] about the workshop",
    "Read half of the book, no one to meet today",
)
PLACES = ("Kulturbrauerei, Berlin", "[[Berlin]]", "Hamburg Messe", "online")


@dataclass
class NetworkNotes:
    """What ``add_network_notes`` wrote: the new notes and the contacts it changed."""

    events: list[Path] = field(default_factory=list)
    daily: list[Path] = field(default_factory=list)
    goals: list[Path] = field(default_factory=list)
    contacts_with_goals: list[Path] = field(default_factory=list)


def _links(rng: random.Random, stems: list[str], low: int, high: int) -> list[str]:
    """A YAML block list of ``[[links]]`` to ``low``-``high`` distinct contacts."""
    return [f'  - "[[{stem}]]"' for stem in rng.sample(stems, min(len(stems), rng.randint(low, high)))]


def event_note(rng: random.Random, stems: list[str], today: dt.date) -> tuple[dt.date, str]:
    """(its day, the text) of one event note; a past event names the people met there."""
    day = today + dt.timedelta(days=rng.randint(-90, 30))
    lines = ["---", f"date: {day.isoformat()}"]
    if rng.random() < 0.3:
        lines.append(f"end: {(day + dt.timedelta(days=1)).isoformat()}")
    if rng.random() < 0.7:
        place = rng.choice(PLACES)
        lines.append(f'location: "{place}"' if place.startswith("[[") else f"location: {place}")
    lines += ["targets:", *_links(rng, stems, 3, 5)]
    if day < today:
        lines += ["met:", *_links(rng, stems, 2, 5)]
    lines += ["---", "", "Notes from the event.", ""]
    return day, "\n".join(lines)


def daily_note(rng: random.Random, stems: list[str], day: dt.date) -> str:
    """The text of the daily note of ``day``."""
    lines = [f"# {day:%A %d %B %Y}", ""]
    for _ in range(rng.randint(1, 5)):
        a, b = rng.sample(stems, 2) if len(stems) > 1 else (stems[0], stems[0])
        lines.append("- " + rng.choice(DAILY_LINES).format(a=a, b=b))
    return "\n".join(lines) + "\n"


def add_goal(path: Path, goal: str) -> None:
    """Add ``goals: ["[[goal]]"]`` as the last line of the contact's front matter."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n---\n", f'\ngoals: ["[[{goal}]]"]\n---\n', 1), encoding="utf-8")


def add_network_notes(vault: Vault, seed: int, today: dt.date) -> NetworkNotes:
    """Write events, daily notes and goals into ``vault`` (see the module's docstring); return what it wrote."""
    rng = random.Random(seed + 7)
    root = vault.root
    stems = [p.stem for p in vault.contact_paths]
    n = len(stems)
    out = NetworkNotes()
    for folder in ("events", "journal", "goals"):
        (root / folder).mkdir(exist_ok=True)
    for title, extra in GOALS:
        path = root / "goals" / f"{title}.md"
        path.write_text(f"---\ntitle: {title}\n{extra}---\n", encoding="utf-8")
        out.goals.append(path)
    for i in range(1, max(2, n // 200) + 1):
        day, text = event_note(rng, stems, today)
        path = root / "events" / f"{day.isoformat()} Event {i:04d}.md"
        path.write_text(text, encoding="utf-8")
        out.events.append(path)
    for back in range(1, max(5, n // 50) + 1):
        day = today - dt.timedelta(days=back)
        path = root / "journal" / f"{day.isoformat()}.md"
        path.write_text(daily_note(rng, stems, day), encoding="utf-8")
        out.daily.append(path)
    for path in rng.sample(vault.contact_paths, min(n, max(3, n // 50))):
        add_goal(path, rng.choice(GOALS)[0])
        out.contacts_with_goals.append(path)
    return out


def edit_daily(path: Path, contact: str, k: int) -> None:
    """Add a line meeting ``contact`` to the daily note at ``path``, and move its mtime forward by at least 1 s
    (as ``bench_build.NoteEditor`` does), so that no build can miss the change."""
    old_ns = path.stat().st_mtime_ns
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"- Call with [[{contact}]] about benchmark edit {k} #gave\n")
    new_ns = max(time.time_ns(), old_ns + 1_000_000_000)
    os.utime(path, ns=(new_ns, new_ns))
