"""Incremental builds equal cold builds, byte for byte, edit after edit (issue 11).

A generated vault (tests/vaultgen.py: about 60 contacts, events, daily notes, goals, meeting notes, settings) is
written three times, with the same bytes and mtimes. Then the edits of `EDITS` are applied one after another, on
top of each other, to all three copies, each written file given a new mtime (a later minute), and after every
edit the outputs are compared:

- "live": one `Session` kept open across all the edits, as `vaultnet watch` keeps one (settings re-read first,
  then a build; the JSON outputs from its plan). Default `keep_last_good=False`: watch's last good version of a
  broken note is meant to differ from a cold build;
- "live-cli": `vaultnet due --json` on the live copy, reading the cache that the live session keeps, as a
  `vaultnet due` run while `watch` runs does;
- "cli": `vaultnet build` on its own copy, then the JSON outputs of a fresh `Session` that reads the cache the
  build left, as every reading command of the CLI does;
- "cold": the reference: a build and its plan in a copy whose `.vaultnet/` (cache and calendar) and Follow-ups.md
  are removed first, by a `Session(persist=False)`.

The outputs are Follow-ups.md, the calendar, and the JSON of `due`, `today`, `stats` and two `who` searches. The
whole sequence runs for two days: one on which the event "Platform Day" is tomorrow, one on which it was
yesterday. Each edit must change the outputs it names (so that nothing passes by changing nothing), and the
edits that name none must change nothing at all.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from vaultgen import SETTINGS, generated_vault
from vaultkit import MTIME_NS, run, write_vault

from vaultnet.config import CACHE_DIR
from vaultnet.insights import agenda
from vaultnet.insights import stats as network_stats
from vaultnet.insights import who as find_introducers
from vaultnet.pipeline import Session, Snapshot
from vaultnet.render.jsonout import render_items, render_json, who_dicts
from vaultnet.rules import Plan

# Platform Day is on 2026-11-22: tomorrow on the first day (event-prep), yesterday on the second (event follow-ups).
TODAYS = (date(2026, 11, 21), date(2026, 11, 23))
STEP_NS = 60 * 1_000_000_000  # each edit's files get an mtime a minute after the last edit's: old, so trusted
FOLLOWUPS = "Follow-ups.md"
CALENDAR = f"{CACHE_DIR}/reminders.ics"
# The written outputs, then the JSON of `due`, `today`, `stats`, `who --company acme` and `who --tag investor`.
OUTPUTS = ("followups", "calendar", "due", "today", "stats", "who-company", "who-tag")
Outputs = dict[str, bytes]

# -- the edits ------------------------------------------------------------------------------------------------

Apply = Callable[[Path], tuple[str, ...]]  # makes the edit below the vault; the paths it wrote (for their mtimes)


def replace(rel: str, old: str, new: str) -> Apply:
    def apply(root: Path) -> tuple[str, ...]:
        text = (root / rel).read_text(encoding="utf-8")
        assert old in text, f"the edit expects {old!r} in {rel}"
        (root / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
        return (rel,)

    return apply


def append(rel: str, text: str) -> Apply:
    def apply(root: Path) -> tuple[str, ...]:
        with (root / rel).open("a", encoding="utf-8") as handle:
            handle.write(text)
        return (rel,)

    return apply


def create(rel: str, text: str) -> Apply:
    def apply(root: Path) -> tuple[str, ...]:
        assert not (root / rel).exists(), f"the edit creates {rel}, which exists"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
        return (rel,)

    return apply


def delete(rel: str) -> Apply:
    def apply(root: Path) -> tuple[str, ...]:
        (root / rel).unlink()
        return ()

    return apply


def rename(rel: str, new: str) -> Apply:
    def apply(root: Path) -> tuple[str, ...]:
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).rename(root / new)
        return (new,)

    return apply


@dataclass(frozen=True)
class Edit:
    name: str
    apply: Apply
    changes: tuple[str, ...]  # the outputs that must differ after it (the calendar without DTSTAMP); (): none


ANNA = "contacts/Anna Schmidt.md"
BEN = "contacts/work/Ben Okafor.md"
CARLA = "contacts/Carla Diaz.md"
DANA = "contacts/Dana Whitfield.md"
JUERGEN = "contacts/Jürgen Weiß.md"
PLATFORM = "events/2026-11-22 Platform Day.md"
SUMMIT = "events/2026-12-05 Winter Summit.md"
SETTINGS_FILE = "vaultnet.toml"
NORA = "contacts/Nora Quinn.md"
EDITS = [
    Edit("log line", replace(ANNA, "## Log\n\n", "## Log\n\n- 2026-11-19 coffee: caught up\n"), ("due", "followups")),
    Edit("cadence", replace("contacts/Gus Lee.md", "circle: mentor\n", "circle: mentor\ncadence: 5d\n"), ("due",)),
    Edit("circle", replace(DANA, "circle: dormant", "circle: close"), ("due", "stats")),
    Edit("company", replace(ANNA, '"[[Acme]]"', "Initech"), ("due", "who-company", "calendar")),
    Edit("birthday", replace(CARLA, "met: 2026-05-01\n", "met: 2026-05-01\nbirthday: 1991-11-24\n"), ("due",)),
    Edit("promise added", append(BEN, "- [ ] send the deck 📅 2026-11-20\n"), ("due", "calendar")),
    Edit("promise checked", replace(BEN, "- [ ] send the deck", "- [x] send the deck"), ("due", "calendar")),
    Edit("promise due date", replace(ANNA, "(due 2026-12-04)", "(due 2026-11-19)"), ("due",)),
    Edit("tags", replace(DANA, "tags: [rust]", "tags: [rust, investor]"), ("who-tag",)),
    Edit(
        "#gave", replace(BEN, "- 2026-08-01 lunch: the grid project", "- 2026-08-01 lunch: the grid #gave"), ("stats",)
    ),
    Edit("#got", replace(BEN, "## Log\n\n", "## Log\n\n- 2026-11-17 call: he sent me a lead #got\n"), ("stats",)),
    Edit("snooze", replace(ANNA, "circle: close\n", "circle: close\nsnooze_until: 2026-12-10\n"), ("due",)),
    Edit(
        "archive",
        replace("contacts/Gus Lee.md", "circle: mentor\n", "archived: true\ncircle: mentor\n"),
        ("due", "stats"),
    ),
    Edit("new contact", create(NORA, "---\ncompany: Acme\ncircle: close\n---\n"), ("due", "who-company", "stats")),
    Edit(
        "introduced_by",
        replace(NORA, "company: Acme\n", 'company: Acme\nintroduced_by: "[[Carla Diaz]]"\n'),
        ("who-company",),
    ),
    Edit("alias", replace(ANNA, "tags: [work]\n", "tags: [work]\naliases: [Annie]\n"), ("followups", "calendar")),
    Edit("event met", replace(PLATFORM, "met: []", 'met: ["[[Nora Quinn]]", "[[Hana Ito]]"]'), ("due",)),
    Edit("event date", replace(SUMMIT, "date: 2026-12-05", "date: 2026-12-01"), ("calendar",)),
    Edit("event targets", replace(SUMMIT, '"[[Hana Ito]]"]', '"[[Hana Ito]]", "[[Anna Schmidt]]"]'), ("calendar",)),
    Edit(
        "event added",
        create("events/2026-11-24 Founders Dinner.md", "---\ndate: 2026-11-24\ntargets: [Dana Whitfield]\n---\n"),
        ("followups", "calendar"),
    ),
    Edit("daily line", append("journal/2026-11-18.md", "- Lunch with [[Jürgen Weiß]] #gave\n"), ("followups", "stats")),
    Edit("daily note added", create("journal/2026-11-20.md", "- Walk with [[Dana Whitfield]]\n"), ("stats",)),
    Edit("daily note deleted", delete("journal/2026-11-12.md"), ("followups", "stats")),
    Edit(
        "goal done",
        replace("goals/Raise a round.md", "stalled_after: 6w\n", "stalled_after: 6w\nstatus: done\n"),
        ("followups",),
    ),
    Edit("goal linked", replace(DANA, "tags:", 'goals: ["[[Hire a designer]]"]\ntags:'), ("stats",)),
    Edit(
        "meeting people",
        replace("meetings/2026-11-05 Sync with Ben.md", "Alex Owner", "Sophie Laurent"),
        ("followups",),
    ),
    Edit(
        "meeting added",
        create("meetings/2026-11-19 Board.md", '---\npeople: ["[[Jürgen Weiß]]"]\n---\n'),
        ("calendar",),
    ),
    Edit("settings: circle", replace(SETTINGS_FILE, 'close = "30d"', 'close = "21d"'), ("due",)),
    Edit("obsidian's settings", create(".obsidian/app.json", '{"useMarkdownLinks": true}\n'), ("followups",)),
    Edit("settings: lookahead", replace(SETTINGS_FILE, 'lookahead = "7d"', 'lookahead = "14d"'), ("due",)),
    Edit("broken note", replace(JUERGEN, "circle: close\n", "circle: [close\n"), ("due", "followups", "stats")),
    Edit("broken note fixed", replace(JUERGEN, "circle: [close\n", "circle: close\n"), ("due", "followups", "stats")),
    Edit(
        "name changes a link",
        replace("contacts/jo-park.md", "name: Jo Park", "name: Joanna Park"),
        ("followups", "who-company"),
    ),
    Edit(
        "new contact resolves a link",
        create("contacts/Max Mustermann.md", "---\nmet: 2026-11-01\n---\n"),
        ("followups", "stats"),
    ),
    Edit("last_contact", replace(DANA, "last_contact: 2025-01-10", "last_contact: 2026-11-15"), ("stats",)),
    Edit("follow_up", replace(JUERGEN, "circle: close\n", "circle: close\nfollow_up: 2026-11-20\n"), ("due",)),
    Edit("rename", rename(CARLA, "contacts/Carla Díaz-Ruiz.md"), ("due", "followups", "calendar")),
    Edit("move to a folder", rename(DANA, "contacts/old/Dana Whitfield.md"), ("who-tag", "calendar")),
    Edit(
        "settings: exclude",
        append(SETTINGS_FILE, '\n[contacts]\nexclude = ["contacts/old/**"]\n'),
        ("who-tag", "stats"),
    ),
    Edit("link made ambiguous", create("contacts/team/Hana Ito.md", "---\ncompany: Hooli\n---\n"), ("followups",)),
    Edit("delete contact", delete(BEN), ("followups", "stats")),
    Edit("unsnooze", replace(ANNA, "snooze_until: 2026-12-10\n", ""), ("due",)),
    Edit(
        "not a contact any more",
        replace(NORA, "circle: close\n", "circle: close\ntype: goal\n"),
        ("stats", "who-company"),
    ),
    # Edits that must change nothing at all: notes that feed no output.
    Edit("plain note", append("notes/Ideas.md", "- a [[Anna Schmidt]] link outside a daily note\n"), ()),
    Edit("archived contact", append("contacts/Emil Roth.md", "\n## Log\n\n- 2026-11-18 call: hello #gave\n"), ()),
    Edit("template", replace("templates/Contact.md", "created:", "updated:"), ()),
]
NO_CHANGE = [edit.name for edit in EDITS if not edit.changes]
KNOWN_BUGS: dict[str, str] = {}  # edit name -> how its outputs differ (a strict xfail: remove it once fixed)

# -- building the outputs, four ways ---------------------------------------------------------------------------


def plan_outputs(snap: Snapshot, plan: Plan, today: date) -> Outputs:
    """The JSON outputs (of `OUTPUTS`), made from a plan as the CLI makes them."""
    settings = snap.settings
    texts = {
        "due": render_items(plan.due, today),
        "today": render_items(agenda(plan, settings.practice.agenda_size), today),
        "stats": render_json(network_stats(plan, settings).as_dict(settings)),
        "who-company": render_json(who_dicts(find_introducers(plan, company="acme"))),
        "who-tag": render_json(who_dicts(find_introducers(plan, tag="investor"))),
    }
    return {name: text.encode("utf-8") for name, text in texts.items()}


def written(root: Path) -> Outputs:
    return {"followups": (root / FOLLOWUPS).read_bytes(), "calendar": (root / CALENDAR).read_bytes()}


def cli_due(root: Path, today: date) -> Outputs:
    """`vaultnet due --json` as the command line prints it."""
    result = run("due", "--json", root, "--today", today.isoformat())
    assert result.exit_code in (0, 1), result.output
    return {"due": result.stdout.encode("utf-8")}


def cli_build(root: Path, today: date) -> Outputs:
    """What `vaultnet build` writes, then the JSON outputs of a fresh session that reads the cache it left (as
    every reading command of the CLI does)."""
    result = run("build", root, "--today", today.isoformat())
    assert result.exit_code in (0, 1), result.output
    return {**written(root), **plan_outputs(*Session(root).plan(today), today)}


def cold_build(root: Path, today: date) -> Outputs:
    """The reference: a build with no cache and no earlier outputs at all, and the JSON outputs of its plan."""
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    (root / FOLLOWUPS).unlink(missing_ok=True)
    result = Session(root, persist=False).build(today)
    assert result.snapshot is not None and result.plan is not None
    return {**written(root), **plan_outputs(result.snapshot, result.plan, today)}


def live_build(session: Session, today: date) -> Outputs:
    """As `watch` builds: the settings re-read, then a build; then the JSON from the same session's plan."""
    session.reload_settings()
    session.build(today)
    return {**written(session.root), **plan_outputs(*session.plan(today), today)}


@dataclass(frozen=True)
class Step:
    """The outputs after one edit, by way (live, live-cli, cli, cold); `before`: the cold outputs before it."""

    by_way: dict[str, Outputs]
    before: Outputs


class Copies:
    """The three copies of the generated vault (live, cli, cold) and the session kept open on the live one."""

    def __init__(self, base: Path) -> None:
        notes = generated_vault()
        self.live, self.cli, self.cold = (write_vault(base / way, notes, SETTINGS) for way in ("live", "cli", "cold"))
        self.session = Session(self.live)

    def edit(self, edit: Edit, n: int) -> None:
        """`edit` on every copy, the files it wrote given the mtime of step `n`."""
        for root in (self.live, self.cli, self.cold):
            for rel in edit.apply(root):
                os.utime(root / rel, ns=(MTIME_NS + n * STEP_NS, MTIME_NS + n * STEP_NS))

    def build(self, today: date) -> dict[str, Outputs]:
        """The outputs for `today`, by way: live (and live-cli), cli and cold."""
        by_way = {"live": live_build(self.session, today)}
        by_way["live-cli"] = cli_due(self.live, today)
        by_way["cli"] = cli_build(self.cli, today)
        by_way["cold"] = cold_build(self.cold, today)
        return by_way


def run_sequence(base: Path, today: date) -> dict[str, Step]:
    """Every edit of `EDITS` in turn on three copies of the generated vault; the outputs after each, by edit."""
    copies = Copies(base)
    steps: dict[str, Step] = {}
    before: Outputs = {}
    for n, edit in enumerate([Edit("start", lambda root: (), ()), *EDITS]):
        copies.edit(edit, n)
        by_way = copies.build(today)
        steps[edit.name] = Step(by_way, before)
        before = by_way["cold"]
    return steps


@pytest.fixture(scope="module")
def sequence(tmp_path_factory: pytest.TempPathFactory) -> Callable[[date], dict[str, Step]]:
    """The steps of `run_sequence` for a day, run once per day for the whole module."""
    done: dict[date, dict[str, Step]] = {}

    def steps(today: date) -> dict[str, Step]:
        if today not in done:
            done[today] = run_sequence(tmp_path_factory.mktemp(f"incremental-{today}"), today)
        return done[today]

    return steps


# -- the comparisons ------------------------------------------------------------------------------------------

_STAMPS = re.compile(rb"^(DTSTAMP|LAST-MODIFIED):.*\r\n", re.MULTILINE)


def without_stamps(name: str, data: bytes) -> bytes:
    """The output without what only an mtime changes (the calendar's DTSTAMP and LAST-MODIFIED lines)."""
    return _STAMPS.sub(b"", data) if name == "calendar" else data


def diff(want: bytes, got: bytes, labels: tuple[str, str], limit: int = 40) -> str:
    """The first `limit` lines of a unified diff of two outputs (texts: Markdown, iCalendar and JSON)."""
    lines = difflib.unified_diff(
        want.decode("utf-8").splitlines(), got.decode("utf-8").splitlines(), *labels, lineterm="", n=1
    )
    return "\n".join(list(lines)[:limit])


def edit_params(start: bool = True) -> list[Any]:
    """(today, edit name) for each day and edit (and the vault as generated, "start"); known bugs as xfails."""
    names = ["start"] * start + [edit.name for edit in EDITS]
    marks = {name: pytest.mark.xfail(reason=why, strict=True) for name, why in KNOWN_BUGS.items()}
    return [
        pytest.param(today, name, id=f"{today}-{name}", marks=[marks[name]] if name in marks else [])
        for today in TODAYS
        for name in names
    ]


@pytest.mark.parametrize(("today", "edit"), edit_params())
def test_every_way_of_building_gives_the_bytes_of_a_cold_build(
    sequence: Callable[[date], dict[str, Step]], today: date, edit: str
) -> None:
    wrong = differences(sequence(today)[edit].by_way)
    assert wrong == [], "\n\n".join(wrong)


def differences(by_way: dict[str, Outputs]) -> list[str]:
    """How each way's outputs differ from the cold build's, a diff excerpt each (none: [])."""
    cold = by_way["cold"]
    return [
        f"{way}: {name} differs from the cold build's:\n{diff(cold[name], outputs[name], ('cold', way))}"
        for way, outputs in by_way.items()
        for name in outputs
        if outputs[name] != cold[name]
    ]


def test_a_new_day_under_a_kept_session_gives_the_bytes_of_a_cold_build(tmp_path: Path) -> None:
    """`watch` builds again when the day changes, with no file changed: whatever the session kept for the last
    day (items, overdue days, the week's reconnect choice) must not survive into the new one."""
    copies = Copies(tmp_path)
    days = [TODAYS[0], TODAYS[0], TODAYS[1], TODAYS[1], date(2026, 11, 30), date(2027, 1, 4)]  # new weeks, a year
    for n, (today, edit) in enumerate(zip(days, [None, EDITS[0], None, EDITS[1], None, None], strict=True)):
        if edit is not None:
            copies.edit(edit, n)
        wrong = differences(copies.build(today))
        assert wrong == [], f"on {today} (step {n}):\n" + "\n\n".join(wrong)


@pytest.mark.parametrize(("today", "edit"), edit_params(start=False))
def test_each_edit_changes_what_it_should_and_only_then(
    sequence: Callable[[date], dict[str, Step]], today: date, edit: str
) -> None:
    step = sequence(today)[edit]
    after = step.by_way["cold"]
    expected = next(e.changes for e in EDITS if e.name == edit)
    if expected:
        same = [n for n in expected if without_stamps(n, step.before[n]) == without_stamps(n, after[n])]
        assert same == [], f"{edit} should change {same}, but they are as before the edit"
    else:
        changed = [n for n in OUTPUTS if step.before[n] != after[n]]
        shown = [diff(step.before[n], after[n], ("before", "after")) for n in changed]
        assert changed == [], f"{edit} should change nothing, but changed {changed}:\n" + "\n".join(shown)


def test_the_edits_are_many_kinds_and_most_change_the_outputs() -> None:
    names = [edit.name for edit in EDITS]
    assert len(set(names)) == len(names)
    assert len(names) - len(NO_CHANGE) >= 25
    assert set(KNOWN_BUGS) <= set(names)
