"""The one orchestrator: vault folder -> settings -> index -> plan -> outputs.

The CLI, the watcher and the server all go through here; nothing here prints.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from vaultnet import locks
from vaultnet.atomic import sweep
from vaultnet.cache import BuildRecord, OutputStamp, ViewRecord
from vaultnet.capture import People
from vaultnet.config import CACHE_DIR, CONFIG_NAME, Settings, parse_settings
from vaultnet.derived import Keeper, Made
from vaultnet.fragments import CalendarFragments
from vaultnet.guard import guard_outputs, outputs_off
from vaultnet.index import Index, Refresh
from vaultnet.inputs import Recent, inputs_digest, recent_notes, same_bytes
from vaultnet.insights import Shares, stats
from vaultnet.model import Contact
from vaultnet.network import Interaction, Network, build_network, update_network, with_captured
from vaultnet.obsidian import read_obsidian
from vaultnet.parallel import Progress
from vaultnet.problems import Problem, UserError, WriteRefused
from vaultnet.render.ics import render_calendar
from vaultnet.render.markdown import Lines, render_followups
from vaultnet.rules import Plan, make_plan
from vaultnet.safeio import Refused
from vaultnet.settings_check import named_folders, settings_problems, vault_folders
from vaultnet.sources import Sources
from vaultnet.vault import (
    Listing,
    fingerprint,
    has_folder,
    private_dir,
    read_text,
    top_folders,
    write_atomic,
)


@dataclass(frozen=True)
class Snapshot:
    """The vault as read now: its settings, the refreshed index, the network and every problem found."""

    root: Path
    settings: Settings
    refresh: Refresh
    network: Network
    checks: tuple[Problem, ...] = ()  # the settings held against the vault (settings_check)

    @property
    def problems(self) -> list[Problem]:
        return sorted([*self.settings.problems, *self.checks, *self.refresh.problems, *self.network.problems])


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
    off: tuple[str, ...] = ()  # the outputs turned off (`[outputs] followups = false`): their keys, "followups"


def check_vault(root: Path) -> Path:
    if not root.exists():
        raise UserError(f"{root}: no such folder")
    if not root.is_dir():
        raise UserError(f"{root}: not a folder (VAULT is the folder that holds your notes)")
    return root


def load_settings(root: Path) -> Settings:
    """The vault's settings: `vaultnet.toml` over the defaults that Obsidian's own settings give. A
    vaultnet.toml that cannot be read (a folder, a FIFO, a link out of the vault, huge, not UTF-8) is an
    error, and the defaults are used."""
    try:
        text = read_text(root, CONFIG_NAME)
    except Refused as exc:
        settings = parse_settings(None, read_obsidian(root))
        problem = Problem(CONFIG_NAME, 0, f"this file {exc}: vaultnet uses its default settings")
        return replace(settings, problems=(problem, *settings.problems))
    return parse_settings(text, read_obsidian(root))


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """A build allocates many small objects, none cyclic; the cycle collector only slows it down (~30%). They
    outlive the block (the session keeps them), so they are moved out of the collector's sight (`gc.freeze`)
    before it is on again: otherwise the first allocation after it would scan every one of them (0.1-0.5 s at
    10,000 contacts). What is freed later is still freed, by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


class Session:
    """A vault kept open across builds: the watcher holds one so refreshes stay in memory."""

    def __init__(
        self, root: Path, *, persist: bool = True, keep_last_good: bool = False, progress: Progress | None = None
    ) -> None:
        """`progress`: told how many notes have been read while a refresh reads many (the CLI shows it)."""
        self.root = check_vault(root)
        self.progress = progress
        self.persist = persist
        self.keep_last_good = keep_last_good
        self.settings = load_settings(self.root)
        self._open()

    def _open(self) -> None:
        """Start from nothing, for the settings: the index, what was derived, and what keeps it."""
        self.index = Index(self.root, self.settings, persist=self.persist, keep_last_good=self.keep_last_good)
        self.keeper = Keeper(self.root, self.settings, persist=self.persist)
        self.fragments = CalendarFragments()
        self._restored = False
        self._last: Made | None = None  # the last plan made, and what it was made from
        self._shares = Shares()  # each contact's share of the network's health, kept across builds
        self._lines = Lines()  # each item's line in the follow-up note, kept across builds
        # The contacts touched by the plans made since the calendar was last rendered (None: maybe all): a plan that
        # renders none (`plan`, `view`) leaves them to the next build.
        self._unrendered: set[str] | None = set()
        self.sources = Sources(self.root, self.settings)
        self._last_captured: dict[str, tuple[Interaction, ...]] | None = None

    def reload_settings(self) -> bool:
        """Re-read `vaultnet.toml`; True (and a fresh index) when it changed."""
        settings = load_settings(self.root)
        if settings == self.settings and (settings.problems, settings.lines) == (
            self.settings.problems,
            self.settings.lines,
        ):
            return False
        self.settings = settings
        good = self.index.last_good()
        self.index.close()
        self._open()
        self.index.remember_good(good)  # a note broken while the settings change keeps its last good version
        return True

    def _refresh(self, listed: Listing | None = None) -> Refresh:
        """The index brought up to date, from what the last command kept if this session has nothing yet."""
        if not self._restored:
            self._restored = True
            calendar = self.settings.calendar_path
            made, shares = self.keeper.restore(self.index, self.fragments, self._lines, calendar)
            self._last, self._shares = made, shares or self._shares
        return self.index.refresh(listed, self.progress)

    def snapshot(self, listed: Listing | None = None) -> Snapshot:
        refresh = self._refresh(listed)
        network, _ = self._network(refresh)
        self._keep(rendered=False)
        return Snapshot(self.root, self.settings, refresh, network, self._checks(refresh))

    def _network(self, refresh: Refresh) -> tuple[Network, set[str] | None]:
        """The network of the refreshed notes, and the contacts whose note or history differs from the last
        plan's (None: all may differ). Made from the last one when only notes of known contacts, daily notes and
        meeting notes changed (`update_network`), else afresh."""
        if self._last is not None:
            before = self._last.refresh.notes
            notes = refresh.notes
            # By identity: an unchanged note is the very object the index (or the snapshot) kept.
            changed = [path for path, note in notes.items() if before.get(path) is not note]
            changed += [path for path in before if path not in notes]
            if not changed:
                return self._last.network, set()
            updated = update_network(self._last.network, before, notes, changed)
            if updated is not None:
                return updated
        return build_network(refresh.notes.values(), self.settings.contacts_folder, self.settings.goals_folder), None

    def _captured(self, network: Network, touched: set[str] | None, today: date) -> tuple[Network, set[str] | None]:
        """`network` with what the calendars and mailboxes of `[sources]` show, and `touched` with the contacts
        whose captured interactions changed since this session's last plan (all when it has none)."""
        if not self.sources.any:
            return network, touched
        captured, last = self.sources.interactions(People(network.contacts), today), self._last_captured
        if captured != last:
            changed = (
                None if last is None else {p for p in captured.keys() | last.keys() if captured.get(p) != last.get(p)}
            )
            touched = None if touched is None or changed is None else touched | changed
            self._last_captured = captured
        return with_captured(network, captured), touched

    def _plan(self, today: date, listed: Listing | None = None) -> tuple[Snapshot, Plan, set[str] | None]:
        """The snapshot and the plan for `today`, made from the last ones where they still hold; and the contacts
        whose items may differ from those of the plan the calendar was last rendered from (None: all may)."""
        refresh = self._refresh(listed)
        network, touched = self._network(refresh)
        seen, touched = self._captured(network, touched, today)
        snap = Snapshot(self.root, self.settings, refresh, seen, self._checks(refresh))
        previous = self._last.plan if self._last is not None else None
        plan = make_plan(seen, self.settings, today, previous, touched)
        self._last = Made(refresh, network, snap.checks, plan)  # the notes' network: the next update starts there
        unrendered = self._unrendered
        self._unrendered = None if touched is None or unrendered is None else unrendered | touched
        return snap, plan, self._unrendered

    def refresh(self) -> Refresh:
        """The index brought up to date (see `Index.refresh`), and kept for the next command."""
        refresh = self._refresh()
        self._keep(rendered=False)
        return refresh

    def _keep(self, rendered: bool) -> None:
        """Save the notes as read, and what the last plan was made from and derived, for the next command (see
        `derived`). A failure to save only costs the next command its head start."""
        calendar = self.settings.calendar_path
        self.keeper.keep(self.index, self._last, self._shares, self._lines, self.fragments, rendered, calendar)

    def _checks(self, refresh: Refresh) -> tuple[Problem, ...]:
        """The folders vaultnet.toml names that the vault lacks, and selections that select nothing."""
        if not self.settings.lines:
            return ()  # nothing written: the defaults need no vault to hold them
        named = named_folders(self.settings)
        folders = vault_folders(refresh.fingerprints)  # where notes are; empty ones (templates) from the disk
        folders.update(folder for _, folder, _ in named if folder not in folders and has_folder(self.root, folder))
        if any(folder not in folders for _, folder, _ in named):
            folders.update(top_folders(self.root))  # what it may have meant: empty folders too
        notes = refresh.notes.values()
        found = {
            "contacts": sum(n.contact is not None for n in notes),
            "events": sum(n.event is not None for n in notes),
            "goals": sum(n.goal is not None for n in notes),
            "interactions": sum(n.meeting is not None for n in notes),
        }
        return tuple(settings_problems(self.settings, folders, found))

    def contacts(self) -> list[Contact]:
        """The contacts of the refreshed index, by path: what a writing command needs to find a contact by
        name, without building the network (link resolution, interactions) that `snapshot` builds."""
        return sorted(self.refresh().contacts, key=lambda c: c.path)

    def plan(self, today: date) -> tuple[Snapshot, Plan]:
        with _no_gc():
            snap, plan, _ = self._plan(today)
            self._keep(rendered=False)
            return snap, plan

    def view(self, today: date, name: str, show: Callable[[Snapshot, Plan], str]) -> tuple[list[Problem], str]:
        """What a reading command prints (`show` of the snapshot and the plan for `today`) and the problems it
        reports, kept in the cache under `name` (the command and its options, e.g. "due --json") with the digest
        of its inputs: while no note, setting or day changed, the next run prints it again without reading
        the notes or deriving anything (as a build leaves unchanged outputs alone)."""
        listed = self.index.listing()
        digest, recent = inputs_digest(self.root, self.settings, listed, today), recent_notes(self.root, listed)
        last = self.index.cache.last_view(name)
        if last is not None and last.digest == digest and same_bytes(self.root, last.recent):
            return list(last.problems), last.text
        with _no_gc():
            snap, plan, _ = self._plan(today, listed)
            text = show(snap, plan)
            self._keep(rendered=False)
        problems = snap.problems
        if _vouched(listed, snap):
            self.index.cache.save_view(name, ViewRecord(digest, tuple(problems), text, recent))
        return problems, text

    def build(self, today: date, listed: Listing | None = None) -> BuildResult:
        """Write the outputs for `today`, holding the outputs' lock: two builds at once (a `watch` and a
        `build`, two hooks) take turns, so that neither writes its follow-up note beside the other's calendar, and
        the second finds the first's outputs current. Temp files that a crashed build left are removed first.
        `listed`: the vault's notes as the caller knows them (the watcher, from file events); else listed now."""
        with _outputs_lock(self.root):
            for folder in {(self.root / rel).parent for rel in self.settings.outputs}:
                sweep(folder, [Path(rel).name for rel in self.settings.outputs])
            return self._build(today, listed)

    def _build(self, today: date, listed: Listing | None = None) -> BuildResult:
        listed = self.index.listing() if listed is None else listed
        digest, recent = inputs_digest(self.root, self.settings, listed, today), recent_notes(self.root, listed)
        unchanged = self._unchanged_since_last_build(digest)
        if unchanged is not None:
            return unchanged
        guard_outputs(self.root, self.settings)  # before anything is written, or even computed
        with _no_gc():
            snap, plan, touched = self._plan(today, listed)
            settings = snap.settings
            health = stats(plan, settings, self._shares)
            followups = render_followups(plan, snap.problems, health, settings, self._lines)
            calendar = render_calendar(self.fragments.render(plan, snap.refresh, settings.alarm, touched), settings)
            self._unrendered = set()  # the fragments are this plan's now
        outputs = []
        if any(rel.startswith(CACHE_DIR + "/") for rel in settings.outputs):
            private_dir(self.root / CACHE_DIR)
        for rel, data in ((settings.followups_path, followups), (settings.calendar_path, calendar)):
            if rel is not None:
                target = self.root / rel
                outputs.append(Output(target, write_atomic(target, data, root=self.root)))
        with _no_gc():
            self._keep(rendered=True)  # after the calendar is written: the kept fragments index into it
        off = outputs_off(settings)
        result = BuildResult(outputs, snap.problems, len(plan.contacts), len(plan.due), plan, snap, off)
        if _vouched(listed, snap):
            self._remember_build(digest, recent, result)
        return result

    def _unchanged_since_last_build(self, digest: str) -> BuildResult | None:
        """The last build's result, when it was made from exactly these inputs and its outputs are intact."""
        last = self.index.cache.last_build()
        if last is None or last.digest != digest or not same_bytes(self.root, last.recent):
            return None
        outputs = []
        for stamp in last.outputs:
            fp = fingerprint(self.root / stamp.path)
            if fp is None or (fp.size, fp.mtime_ns) != (stamp.size, stamp.mtime_ns):
                return None  # an output was edited or removed: write it again
            outputs.append(Output(self.root / stamp.path, False))
        return BuildResult(outputs, list(last.problems), last.contacts, last.due, off=outputs_off(self.settings))

    def _remember_build(self, digest: str, recent: Recent, result: BuildResult) -> None:
        written = []
        for output in result.outputs:
            fp = fingerprint(output.path)
            if fp is None:
                return
            written.append(OutputStamp(output.path.relative_to(self.root).as_posix(), fp.size, fp.mtime_ns))
        record = BuildRecord(digest, tuple(written), tuple(result.problems), result.contacts, result.due, recent)
        self.index.cache.save_build(record)


def _vouched(listed: Listing, snap: Snapshot) -> bool:
    """Whether what was made from `snap` may be reused while its inputs' digest stays the same. A note shown in
    its last good version is not what the files say, and an unreadable note may become readable with no change
    of its fingerprint (chmod): not such a snapshot. A note saved moments ago is vouched for by its bytes
    (`_recent`)."""
    return not snap.refresh.kept and not snap.refresh.unread


OUTPUTS_LOCK_TIMEOUT = 300.0  # seconds to wait for another build: a cold build of a large vault takes seconds
OUTPUTS_LOCK_STALE = 600.0  # where there is no flock: an outputs lock file this old was left by a crash


@contextlib.contextmanager
def _outputs_lock(root: Path) -> Iterator[None]:
    """The outputs' lock for the block; without it where no lock folder can be made (a read-only vault, where
    writing an output fails on its own, and an unchanged one is not written)."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(
                locks.held(root, locks.OUTPUTS_LOCK, timeout=OUTPUTS_LOCK_TIMEOUT, stale=OUTPUTS_LOCK_STALE)
            )
        except locks.Busy as exc:
            raise WriteRefused(
                f"another vaultnet build has been writing the outputs for {OUTPUTS_LOCK_TIMEOUT:.0f} s ({exc}): "
                "nothing was written"
            ) from None
        except OSError:
            pass
        yield


Vault = Session | Path  # an open vault, or the folder of one


def open_vault(vault: Vault) -> Session:
    """The vault open: a command given a folder opens it once, here."""
    return vault if isinstance(vault, Session) else Session(vault)


def build(vault: Path, today: date, progress: Progress | None = None) -> BuildResult:
    """Write the follow-up note and the calendar for `today`; unchanged files are left alone."""
    return Session(vault, progress=progress).build(today)


def due(vault: Path, today: date, progress: Progress | None = None) -> tuple[Snapshot, Plan]:
    """Today's plan without writing any output."""
    return Session(vault, progress=progress).plan(today)


def view(
    vault: Path, today: date, name: str, show: Callable[[Snapshot, Plan], str], progress: Progress | None = None
) -> tuple[list[Problem], str]:
    """What a reading command prints for `today`, and the problems to report (see `Session.view`)."""
    return Session(vault, progress=progress).view(today, name, show)


def check(vault: Path, progress: Progress | None = None) -> list[Problem]:
    return check_all(vault, progress)[0]


def check_all(
    vault: Path, progress: Progress | None = None, today: date | None = None
) -> tuple[list[Problem], list[str]]:
    """Every problem of the vault's notes and settings, and of the sources `[sources]` names, which are read;
    and a line for each source: what it gave (`check` says which sources were read, and what each gave)."""
    session = Session(vault, progress=progress)
    snap = session.snapshot()
    if not session.sources.any:
        return snap.problems, []
    session.sources.match(People(snap.network.contacts), today or date.today())
    lines = [report.line() for report in session.sources.reports]
    return snap.problems + [p for report in session.sources.reports for p in report.problems], lines
