"""The one orchestrator: vault folder -> settings -> index -> plan -> outputs.

The CLI, the watcher and the server all go through here; nothing here prints.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vaultnet import __version__
from vaultnet.config import CACHE_DIR, CONFIG_NAME, Settings, parse_settings
from vaultnet.index import Index, Refresh, code_digest
from vaultnet.insights import stats
from vaultnet.model import Contact, Item
from vaultnet.network import Interaction, Network, build_network
from vaultnet.problems import Problem, UserError
from vaultnet.render.ics import Fragment, items_by_note, note_fragments, owners, render_calendar
from vaultnet.render.markdown import render_followups
from vaultnet.rules import Plan, make_plan
from vaultnet.vault import Fingerprint, fingerprint, private_dir, read_text, write_atomic


@dataclass(frozen=True)
class Snapshot:
    """The vault as read now: its settings, the refreshed index, the network and every problem found."""

    root: Path
    settings: Settings
    refresh: Refresh
    network: Network

    @property
    def problems(self) -> list[Problem]:
        return sorted([*self.settings.problems, *self.refresh.problems, *self.network.problems])


@dataclass(frozen=True)
class Output:
    path: Path
    changed: bool


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and found. `plan` and `snapshot` are None when nothing had changed since
    the last build, so that nothing needed to be computed (the counts and problems are the last build's)."""

    outputs: list[Output]
    problems: list[Problem]
    contacts: int
    due: int
    plan: Plan | None = None
    snapshot: Snapshot | None = None


def check_vault(root: Path) -> Path:
    if not root.exists():
        raise UserError(f"{root}: no such folder")
    if not root.is_dir():
        raise UserError(f"{root}: not a folder (VAULT is the folder that holds your notes)")
    return root


def load_settings(root: Path) -> Settings:
    return parse_settings(read_text(root / CONFIG_NAME))


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """A build allocates many small objects, none cyclic; the cycle collector only slows it down (~30%)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Session:
    """A vault kept open across builds: the watcher holds one so refreshes stay in memory."""

    def __init__(self, root: Path, *, persist: bool = True, keep_last_good: bool = False) -> None:
        self.root = check_vault(root)
        self.persist = persist
        self.keep_last_good = keep_last_good
        self.settings = load_settings(self.root)
        self.index = Index(self.root, self.settings, persist=persist, keep_last_good=keep_last_good)
        self._fragments: dict[str, tuple[str, list[Fragment]]] | None = None

    def reload_settings(self) -> bool:
        """Re-read `vaultnet.toml`; True (and a fresh index) when it changed."""
        settings = load_settings(self.root)
        if settings == self.settings and settings.problems == self.settings.problems:
            return False
        self.settings = settings
        good = self.index.last_good()
        self.index.close()
        self.index = Index(self.root, settings, persist=self.persist, keep_last_good=self.keep_last_good)
        self.index.remember_good(good)  # a note broken while the settings change keeps its last good version
        self._fragments = None
        return True

    def snapshot(self, listed: dict[str, Fingerprint] | None = None) -> Snapshot:
        refresh = self.index.refresh(listed)
        network = build_network(refresh.notes.values(), self.settings.contacts_folder, self.settings.goals_folder)
        return Snapshot(self.root, self.settings, refresh, network)

    def contacts(self) -> list[Contact]:
        """The contacts of the refreshed index, by path: what a writing command needs to find a contact by
        name, without building the network (link resolution, interactions) that `snapshot` builds."""
        return sorted(self.index.refresh().contacts, key=lambda c: c.path)

    def plan(self, today: date) -> tuple[Snapshot, Plan]:
        with _no_gc():
            snap = self.snapshot()
            return snap, make_plan(snap.network, snap.settings, today)

    def build(self, today: date) -> BuildResult:
        listed = self.index.listing()
        digest = _inputs_digest(self.settings, listed, today)
        unchanged = self._unchanged_since_last_build(digest)
        if unchanged is not None:
            return unchanged
        with _no_gc():
            snap = self.snapshot(listed)
            the_plan = make_plan(snap.network, snap.settings, today)
            settings = snap.settings
            followups = render_followups(the_plan, snap.problems, stats(the_plan, settings), settings)
            calendar = render_calendar(self._calendar_fragments(snap, the_plan), settings)
        outputs = []
        if settings.calendar_path.startswith(CACHE_DIR + "/") or settings.followups_path.startswith(CACHE_DIR + "/"):
            private_dir(self.root / CACHE_DIR)
        for rel, data in ((settings.followups_path, followups), (settings.calendar_path, calendar)):
            target = self.root / rel
            outputs.append(Output(target, write_atomic(target, data)))
        result = BuildResult(outputs, snap.problems, len(the_plan.contacts), len(the_plan.due), the_plan, snap)
        racy = time.time_ns() - max((fp.mtime_ns for fp in listed.values()), default=0) < 2_000_000_000
        # A note saved moments ago may change again unseen, and a note shown in its last good version is not
        # what the files say: do not vouch for such a build.
        if not racy and not snap.refresh.kept:
            self._remember_build(digest, result)
        return result

    def _unchanged_since_last_build(self, digest: str) -> BuildResult | None:
        """The last build's result, when it was made from exactly these inputs and its outputs are intact."""
        last = self.index.get_meta("build")
        if not isinstance(last, dict) or last.get("digest") != digest:
            return None
        outputs = []
        for rel, size, mtime_ns in last["outputs"]:
            fp = fingerprint(self.root / rel)
            if fp is None or (fp.size, fp.mtime_ns) != (size, mtime_ns):
                return None  # an output was edited or removed: write it again
            outputs.append(Output(self.root / rel, False))
        problems = [Problem(path, line, message, severity) for path, line, message, severity in last["problems"]]
        return BuildResult(outputs, problems, last["contacts"], last["due"])

    def _remember_build(self, digest: str, result: BuildResult) -> None:
        written = []
        for output in result.outputs:
            fp = fingerprint(output.path)
            if fp is None:
                return
            written.append([output.path.relative_to(self.root).as_posix(), fp.size, fp.mtime_ns])
        problems = [[p.path, p.line, p.message, p.severity] for p in result.problems]
        meta = {"digest": digest, "outputs": written, "problems": problems}
        self.index.set_meta("build", {**meta, "contacts": result.contacts, "due": result.due})

    def _calendar_fragments(self, snap: Snapshot, the_plan: Plan) -> list[Fragment]:
        """Each note's rendered events, reused while the note, its items, its last interaction and the day
        are the same. Rendering is most of a build's work; with this, a build after one edit renders one note.
        """
        if self._fragments is None:
            self._fragments = {}
            for path, (key, meta, data) in self.index.load_derived().items():
                with contextlib.suppress(ValueError, TypeError):  # not what this version wrote: render afresh
                    self._fragments[path] = (key, _unpack(meta, data))
        known = self._fragments
        reparsed = set(snap.refresh.parsed)
        by_note = items_by_note(the_plan)
        fresh: dict[str, tuple[str, list[Fragment]]] = {}
        changed: dict[str, tuple[str, Any, bytes]] = {}
        out: list[Fragment] = []
        for owner in owners(the_plan):
            items = by_note.get(owner.path, [])
            last = the_plan.network.last_interaction(owner.path)
            key = _fragment_key(snap, owner.path, items, the_plan.today, last)
            old = known.get(owner.path)
            if old is not None and old[0] == key and owner.path not in reparsed:
                fragments = old[1]
            else:
                fragments = note_fragments(owner, items, the_plan.today, snap.settings.alarm, last)
                changed[owner.path] = (
                    key,
                    [[k, len(text)] for k, text in fragments],
                    b"".join(t for _, t in fragments),
                )
            fresh[owner.path] = (key, fragments)
            out.extend(fragments)
        removed = [path for path in known if path not in fresh]
        self._fragments = fresh
        self.index.save_derived(changed, removed)
        return out


def _inputs_digest(settings: Settings, listed: dict[str, Fingerprint], today: date) -> str:
    """Everything a build's outputs depend on: the code, the settings, the day and every note's fingerprint."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((__version__, code_digest(), settings, today.isoformat())).encode())
    for path in sorted(listed):
        fp = listed[path]
        digest.update(f"{path}\0{fp.mtime_ns}\0{fp.size}\n".encode())
    return digest.hexdigest()


def _unpack(meta: list[list[Any]], data: bytes) -> list[Fragment]:
    fragments: list[Fragment] = []
    offset = 0
    for key, length in meta:
        if not isinstance(key, str) or not isinstance(length, int):
            raise ValueError("not a fragment")
        fragments.append((key, data[offset : offset + length]))
        offset += length
    if offset != len(data):
        raise ValueError("fragments do not add up")
    return fragments


def _fragment_key(snap: Snapshot, path: str, items: list[Item], today: date, last: Interaction | None) -> str:
    """Everything a note's calendar fragments depend on (see `note_fragments`)."""
    fp = snap.refresh.fingerprints.get(path)
    alarm = snap.settings.alarm
    head = f"{fp.mtime_ns if fp else ''}/{fp.size if fp else ''}/{today}/{alarm or ''}/{last or ''}"
    return "\n".join([head, *(f"{i.kind}/{i.day}/{i.key}/{i.reason}/{i.details}" for i in items)])


def build(vault: Path, today: date) -> BuildResult:
    """Write the follow-up note and the calendar for `today`; unchanged files are left alone."""
    return Session(vault).build(today)


def due(vault: Path, today: date) -> tuple[Snapshot, Plan]:
    """Today's plan without writing any output."""
    return Session(vault).plan(today)


def check(vault: Path) -> list[Problem]:
    return Session(vault).snapshot().problems
