"""The one orchestrator: vault folder -> settings -> index -> plan -> outputs.

The CLI, the watcher and the server all go through here; nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vaultnet.config import CONFIG_NAME, Settings, parse_settings
from vaultnet.index import Index, Refresh
from vaultnet.problems import Problem, UserError
from vaultnet.render.ics import calendar_events, render_calendar
from vaultnet.render.markdown import render_followups
from vaultnet.rules import Plan, plan
from vaultnet.vault import read_text, write_atomic


@dataclass(frozen=True)
class Snapshot:
    """The vault as read now: its settings, the refreshed index and every problem found."""

    root: Path
    settings: Settings
    refresh: Refresh

    @property
    def problems(self) -> list[Problem]:
        return sorted([*self.settings.problems, *self.refresh.problems])


@dataclass(frozen=True)
class Output:
    path: Path
    changed: bool


@dataclass(frozen=True)
class BuildResult:
    snapshot: Snapshot
    plan: Plan
    outputs: list[Output] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.snapshot.problems


def check_vault(root: Path) -> Path:
    if not root.exists():
        raise UserError(f"{root}: no such folder")
    if not root.is_dir():
        raise UserError(f"{root}: not a folder (VAULT is the folder that holds your notes)")
    return root


def load_settings(root: Path) -> Settings:
    return parse_settings(read_text(root / CONFIG_NAME))


class Session:
    """A vault kept open across builds: the watcher holds one so refreshes stay in memory."""

    def __init__(self, root: Path, *, persist: bool = True) -> None:
        self.root = check_vault(root)
        self.persist = persist
        self.settings = load_settings(self.root)
        self.index = Index(self.root, self.settings, persist=persist)

    def reload_settings(self) -> bool:
        """Re-read `vaultnet.toml`; True (and a fresh index) when it changed."""
        settings = load_settings(self.root)
        if settings == self.settings and settings.problems == self.settings.problems:
            return False
        self.settings = settings
        self.index = Index(self.root, settings, persist=self.persist)
        return True

    def snapshot(self) -> Snapshot:
        return Snapshot(self.root, self.settings, self.index.refresh())

    def plan(self, today: date) -> tuple[Snapshot, Plan]:
        snap = self.snapshot()
        return snap, plan(snap.refresh.contacts, snap.settings, today)

    def build(self, today: date) -> BuildResult:
        snap, the_plan = self.plan(today)
        settings = snap.settings
        followups = render_followups(the_plan, snap.problems)
        calendar = render_calendar(calendar_events(the_plan), settings)
        outputs = []
        for rel, data in ((settings.followups_path, followups), (settings.calendar_path, calendar)):
            target = self.root / rel
            outputs.append(Output(target, write_atomic(target, data)))
        return BuildResult(snap, the_plan, outputs)


def build(vault: Path, today: date) -> BuildResult:
    """Write the follow-up note and the calendar for `today`; unchanged files are left alone."""
    return Session(vault).build(today)


def due(vault: Path, today: date) -> tuple[Snapshot, Plan]:
    """Today's plan without writing any output."""
    return Session(vault).plan(today)


def check(vault: Path) -> list[Problem]:
    return Session(vault).snapshot().problems
