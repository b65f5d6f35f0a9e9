"""A generated vault with every kind of note, for the tests that compare builds (tests/test_incremental.py) and
crash them (tests/test_cache_kill.py).

`generated_vault(fillers)` gives a dict of vault-relative path -> text, always the same for the same arguments:

- the cast: a dozen contacts written by hand, whom the edits of the equivalence test change (Anna's log and
  promises, Ben's company, Carla's alias, Jo Park found by her `name`, an `introduced_by` that names nobody yet, ...);
- `fillers` contacts drawn from `random.Random(seed)`: circles, cadences, logs with `#gave`/`#got`, promises,
  birthdays, snoozes, archived ones, introducers, aliases, tags, goals;
- four event notes (two past with `met`, two to come with `targets`), daily notes that link contacts, three
  goal notes, meeting notes (`[interactions]`), a plain note, a template and a vaultnet.toml.

The days are set around `vaultkit.TODAY` (2026-11-21): the event "Platform Day" is on 2026-11-22.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

SETTINGS = """\
# The generated vault's settings: a circle of its own, meeting notes, and the defaults made explicit.
birthday_lookahead = "7d"

[circles]
close = "30d"
mentor = "6w"

[interactions]
folders = ["meetings"]

[practice]
reconnect_per_week = 2
"""

CAST = {
    "contacts/Anna Schmidt.md": """---
company: "[[Acme]]"
role: Head of Engineering
circle: close
birthday: 1990-11-25
email: anna@acme.example
introduced_by: "[[Jürgen Weiß]]"
tags: [work]
goals: ["[[Raise a round]]"]
---
# Anna Schmidt

- [ ] send the article on team topologies 📅 2026-11-20
- [ ] introduce her to [[Carla Diaz]] (due 2026-12-04)
- [x] recommend a gym 📅 2026-10-10

## Log

- 2026-10-02 call: talked about her new team #gave
- 2026-08-14 coffee: feedback on my talk #got
""",
    "contacts/work/Ben Okafor.md": """---
company: Globex
role: CTO
tags: [founder]
interests: [energy, chess]
---
## Log

- 2026-08-01 lunch: the grid project
- 2026-06-10 call: asked about hiring #got
- 2026-03-02 coffee: intro to his investor #got
""",
    "contacts/Carla Diaz.md": """---
circle: loose
aliases: [Cici]
company: Acme
met: 2026-05-01
---
Met at the meetup.
""",
    "contacts/Dana Whitfield.md": """---
circle: dormant
company: Acme
last_contact: 2025-01-10
tags: [rust]
---
""",
    "contacts/Emil Roth.md": """---
archived: true
birthday: 1980-11-23
company: Umbrella
---
Moved away.
""",
    "contacts/Farah Nasser.md": """---
circle: close
snooze_until: 2026-12-01
last_contact: 2026-09-01
---
""",
    "contacts/Gus Lee.md": """---
circle: mentor
follow_up: 2026-11-19
---
## Log

- 2026-10-20 coffee: career chat
""",
    "contacts/jo-park.md": """---
name: Jo Park
company: Initech
circle: active
last_contact: 2026-10-01
---
""",
    "contacts/Hana Ito.md": """---
company: Acme
introduced_by: "[[Jo Park]]"
birthday: --12-02
last_contact: 2026-11-02
---
""",
    "contacts/Ivo Petrov.md": """---
company: Hooli
introduced_by: "[[Max Mustermann]]"
met: 2026-11-16
---
""",
    "contacts/Jürgen Weiß.md": """---
circle: close
birthday: 1968-11-30
phone: "0301234567"
---
## Log

- 2026-10-25 call: his new book
""",
    "people/Sophie Laurent.md": """---
type: contact
company: Globex
cadence: 3w
last_contact: 2026-11-01
---
- [ ] send the slides (due 2026-11-28)
""",
}

EVENTS_AND_MORE = {
    "events/2026-11-22 Platform Day.md": """---
title: Platform Day
date: 2026-11-22
location: Kulturbrauerei
targets:
  - "[[Anna Schmidt]]"
  - "[[Carla Diaz]]"
  - "[[Ben Okafor]]"
met: []
---
""",
    "events/2026-11-10 Climate Breakfast.md": """---
title: Climate Breakfast
date: 2026-11-10
met:
  - "[[Gus Lee]]"
  - "[[Carla Diaz|Carla]]"
---
""",
    "events/2026-12-05 Winter Summit.md": """---
date: 2026-12-05
end: 2026-12-06
targets: ["[[Jo Park]]", "[[Hana Ito]]"]
---
""",
    "events/2026-09-15 Old Meetup.md": '---\ndate: 2026-09-15\nmet: ["[[Jürgen Weiß]]"]\n---\n',
    "journal/2026-11-18.md": "- Coffee with [[Ben Okafor]] #gave\n- Wrote to [[Annie]] about the deck\n",
    "journal/2026-11-12.md": "- Called [[Cici]] about the meetup\n- Read a book\n",
    "goals/Raise a round.md": "---\nstalled_after: 6w\n---\n",
    "goals/Find a mentor.md": "---\nstatus: done\n---\n",
    "goals/Hire a designer.md": "",
    "meetings/2026-11-05 Sync with Ben.md": (
        '---\ndate: 2026-11-05\npeople: ["[[Ben Okafor]]"]\nattendees: [Carla Diaz, Alex Owner]\n---\nThe sync.\n'
    ),
    "notes/Ideas.md": "Ideas for the meetup, no front matter.\n",
    "templates/Contact.md": "---\ntype: contact\ncreated: {{date}}\n---\n",
}

FIRST = "Aiko Bruno Celia Dario Edda Finn Greta Hugo Irma Jonas Kira Luca Mila Nils Olga Pia Rafa Sina Timo Uma"
LAST = "Abel Berg Costa Dahl Eder Frey Gross Horn Jung Kern Lenz Maier Noll Ortiz Pohl Roth Sauer Thiel Vogt Wolf"
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
TAGS = ["rust", "investor", "climate", "design", "ml"]
CIRCLES = ["close", "active", "active", "loose", "dormant", "mentor"]
KINDS = ["call", "coffee", "email", "lunch"]


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _front_matter(rng: random.Random, names: list[str], i: int) -> list[str]:
    """The front matter lines of filler `i`: each field with its own chance."""
    lines: list[str] = []
    chance = rng.random
    if chance() < 0.7:
        lines.append(f"circle: {rng.choice(CIRCLES)}")
    if chance() < 0.15:
        lines.append(f"cadence: {rng.choice(['10d', '3w', '2m', 'none'])}")
    if chance() < 0.7:
        lines.append(f"company: {rng.choice(COMPANIES)}")
    if chance() < 0.5:
        day = _day(rng, date(1960, 1, 1), date(2000, 12, 31))
        lines.append(f"birthday: {day.isoformat() if chance() < 0.7 else day.strftime('--%m-%d')}")
    if chance() < 0.4:
        lines.append(f"met: {_day(rng, date(2024, 1, 1), date(2026, 11, 20))}")
    if chance() < 0.3:
        lines.append(f"last_contact: {_day(rng, date(2024, 6, 1), date(2026, 11, 20))}")
    if chance() < 0.15:
        lines.append(f"follow_up: {_day(rng, date(2026, 11, 1), date(2026, 12, 31))}")
    if chance() < 0.08:
        lines.append(f"snooze_until: {_day(rng, date(2026, 11, 15), date(2027, 1, 31))}")
    if chance() < 0.08:
        lines.append("archived: true")
    if i > 0 and chance() < 0.3:
        lines.append(f'introduced_by: "[[{rng.choice(names[:i])}]]"')
    if chance() < 0.1:
        lines.append(f"aliases: [{names[i].split()[0]}{i}]")
    if chance() < 0.5:
        lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 2)))}]")
    if chance() < 0.2:
        lines.append(f'goals: ["[[{rng.choice(["Raise a round", "Find a mentor", "Hire a designer"])}]]"]')
    if chance() < 0.3:
        lines.append(f"email: {names[i].lower().replace(' ', '.')}@example.org")
    return lines


def _body(rng: random.Random) -> list[str]:
    """Promises and a log of a filler: dates from 2024 to the week before the tests' days."""
    lines: list[str] = []
    for _ in range(rng.choice([0, 0, 1, 2])):
        due = _day(rng, date(2026, 10, 1), date(2026, 12, 31))
        lines.append(f"- [{rng.choice(' x ')}] promise {rng.randrange(1000)} 📅 {due}")
    entries = rng.choice([0, 1, 2, 3, 4])
    if entries:
        lines += ["", "## Log", ""]
    for _ in range(entries):
        tag = rng.choice(["", "", " #gave", " #got"])
        when = _day(rng, date(2024, 1, 1), date(2026, 11, 14))
        lines.append(f"- {when} {rng.choice(KINDS)}: talked {rng.randrange(1000)}{tag}")
    return lines


def fillers(count: int, seed: int) -> dict[str, str]:
    """`count` random contacts (at most 400), their daily notes and a past event that met some of them."""
    rng = random.Random(seed)
    pairs = [(f, last) for f in FIRST.split() for last in LAST.split()]
    names = [f"{f} {last}" for f, last in rng.sample(pairs, count)]
    notes: dict[str, str] = {}
    for i, name in enumerate(names):
        folder = "contacts/team" if i % 4 == 0 else "contacts"
        front = _front_matter(rng, names, i)
        head = "---\n" + "".join(f"{line}\n" for line in front) + "---\n" if front or rng.random() < 0.5 else ""
        notes[f"{folder}/{name}.md"] = head + "".join(f"{line}\n" for line in _body(rng))
    for n in range(max(3, count // 15)):
        day = date(2026, 11, 14) - timedelta(days=3 * n)
        linked = rng.sample(names, min(3, count))
        text = "".join(f"- Met [[{who}]]{rng.choice(['', ' #gave', ' #got'])}\n" for who in linked)
        notes[f"journal/{day}.md"] = f"# {day}\n\n{text}"
    met = "".join(f'  - "[[{who}]]"\n' for who in rng.sample(names, min(4, count)))
    notes["events/2026-10-24 Founders Night.md"] = f"---\ndate: 2026-10-24\nmet:\n{met}---\n"
    return notes


def generated_vault(count: int = 48, seed: int = 11) -> dict[str, str]:
    """The cast, `count` fillers, events, daily notes, goals, meetings and a plain note (see the module's doc);
    the settings are `SETTINGS`, written by the caller as vaultnet.toml."""
    return {**CAST, **EVENTS_AND_MORE, **fillers(count, seed)}
