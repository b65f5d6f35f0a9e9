"""The one orchestrator: vault folder -> settings -> index -> plan -> outputs.

The CLI, the watcher and the server all go through here; nothing here prints.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from vaultnet import __version__, locks
from vaultnet.atomic import sweep
from vaultnet.cache import BuildRecord, OutputStamp, code_digest
from vaultnet.config import CACHE_DIR, CONFIG_NAME, Settings, parse_settings
from vaultnet.fragments import CalendarFragments
from vaultnet.index import Index, Refresh
from vaultnet.insights import stats
from vaultnet.model import Contact
from vaultnet.network import Network, build_network
from vaultnet.obsidian import read_obsidian
from vaultnet.parallel import Progress
from vaultnet.problems import Problem, UserError, WriteRefused
from vaultnet.render import ics, markdown
from vaultnet.render.ics import render_calendar
from vaultnet.render.markdown import render_followups
from vaultnet.rules import Plan, make_plan
from vaultnet.safeio import Refused, link_below, read_head
from vaultnet.selection import Selection
from vaultnet.settings_check import named_folders, settings_problems, vault_folders
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

    def __init__(
        self, root: Path, *, persist: bool = True, keep_last_good: bool = False, progress: Progress | None = None
    ) -> None:
        """`progress`: told how many notes have been read while a refresh reads many (the CLI shows it)."""
        self.root = check_vault(root)
        self.progress = progress
        self.persist = persist
        self.keep_last_good = keep_last_good
        self.settings = load_settings(self.root)
        self.index = Index(self.root, self.settings, persist=persist, keep_last_good=keep_last_good)
        self.fragments = CalendarFragments(self.index.cache)

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
        self.index = Index(self.root, settings, persist=self.persist, keep_last_good=self.keep_last_good)
        self.index.remember_good(good)  # a note broken while the settings change keeps its last good version
        self.fragments = CalendarFragments(self.index.cache)
        return True

    def snapshot(self, listed: Listing | None = None) -> Snapshot:
        refresh = self.index.refresh(listed, self.progress)
        network = build_network(refresh.notes.values(), self.settings.contacts_folder, self.settings.goals_folder)
        return Snapshot(self.root, self.settings, refresh, network, self._checks(refresh))

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
        return sorted(self.index.refresh().contacts, key=lambda c: c.path)

    def plan(self, today: date) -> tuple[Snapshot, Plan]:
        with _no_gc():
            snap = self.snapshot()
            return snap, make_plan(snap.network, snap.settings, today)

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
        digest = _inputs_digest(self.settings, listed, today)
        unchanged = self._unchanged_since_last_build(digest)
        if unchanged is not None:
            return unchanged
        guard_outputs(self.root, self.settings)  # before anything is written, or even computed
        with _no_gc():
            snap = self.snapshot(listed)
            plan = make_plan(snap.network, snap.settings, today)
            settings = snap.settings
            followups = render_followups(plan, snap.problems, stats(plan, settings), settings)
            calendar = render_calendar(self.fragments.render(plan, snap.refresh, settings.alarm), settings)
        outputs = []
        if any(rel.startswith(CACHE_DIR + "/") for rel in settings.outputs):
            private_dir(self.root / CACHE_DIR)
        for rel, data in ((settings.followups_path, followups), (settings.calendar_path, calendar)):
            if rel is not None:
                target = self.root / rel
                outputs.append(Output(target, write_atomic(target, data, root=self.root)))
        off = outputs_off(settings)
        result = BuildResult(outputs, snap.problems, len(plan.contacts), len(plan.due), plan, snap, off)
        racy = time.time_ns() - max((fp.mtime_ns for fp in listed.values()), default=0) < 2_000_000_000
        # A note saved moments ago may change again unseen, a note shown in its last good version is not what
        # the files say, and an unreadable note may become readable with no change of its fingerprint (chmod):
        # do not vouch for such a build.
        if not racy and not snap.refresh.kept and not snap.refresh.unread:
            self._remember_build(digest, result)
        return result

    def _unchanged_since_last_build(self, digest: str) -> BuildResult | None:
        """The last build's result, when it was made from exactly these inputs and its outputs are intact."""
        last = self.index.cache.last_build()
        if last is None or last.digest != digest:
            return None
        outputs = []
        for stamp in last.outputs:
            fp = fingerprint(self.root / stamp.path)
            if fp is None or (fp.size, fp.mtime_ns) != (stamp.size, stamp.mtime_ns):
                return None  # an output was edited or removed: write it again
            outputs.append(Output(self.root / stamp.path, False))
        return BuildResult(outputs, list(last.problems), last.contacts, last.due, off=outputs_off(self.settings))

    def _remember_build(self, digest: str, result: BuildResult) -> None:
        written = []
        for output in result.outputs:
            fp = fingerprint(output.path)
            if fp is None:
                return
            written.append(OutputStamp(output.path.relative_to(self.root).as_posix(), fp.size, fp.mtime_ns))
        record = BuildRecord(digest, tuple(written), tuple(result.problems), result.contacts, result.due)
        self.index.cache.save_build(record)


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


# -- outputs never clobber a note -------------------------------------------------------------------------------

_HEAD_BYTES = 4096  # enough to hold either output's header: a large file of the user's is not read whole


def outputs_off(settings: Settings) -> tuple[str, ...]:
    """The `[outputs]` keys of the outputs turned off (`followups = false` in vaultnet.toml): "followups"."""
    paths = (("followups", settings.followups_path), ("calendar", settings.calendar_path))
    return tuple(key for key, rel in paths if rel is None)


def guard_outputs(root: Path, settings: Settings) -> None:
    """Refuse, before anything is written, to write an output where it could clobber a note of the user's.

    An output is written only over a file that vaultnet wrote (recognised by its header: `written_by_vaultnet`)
    or over nothing, and never inside a selection of notes (contacts, events, goals, interactions). Any refusal
    is a `UserError` that names the file and the setting, and neither output is written.
    """
    outputs = (
        ("followups", settings.followups_path, markdown.written_by_vaultnet, "follow-up note"),
        ("calendar", settings.calendar_path, ics.written_by_vaultnet, "calendar"),
    )
    refusals = [_refusal(root, settings, *output) for output in outputs]
    if any(refusals):
        lines = "\n".join(f"  {refusal}" for refusal in refusals if refusal)
        raise UserError(f"nothing was written, so that no note of yours is overwritten:\n{lines}")


def _refusal(
    root: Path, settings: Settings, key: str, rel: str | None, ours: Callable[[bytes], bool], what: str
) -> str:
    """Why the output set by `[outputs] key` may not be written at `rel` ("" if it may, or is off), and what
    to do about it."""
    if rel is None:
        return ""
    setting = f"set [outputs] {key} in {CONFIG_NAME}"
    link = link_below(root, root / rel)
    if link is not None:
        where = "is a symbolic link" if link == rel else f"lies in {root / link}, which is a symbolic link"
        return (
            f"{root / rel} {where}: vaultnet writes nothing through links, so that nothing outside the vault is "
            f"overwritten. Remove the link, or {setting} to another path, or to false to turn the {what} off."
        )
    for name, selection in _selections(settings):
        # The follow-up note has no front matter: a selection takes it by its folder, unless it excludes it.
        # The calendar is not a note at all: it has no place in a folder of notes.
        if selection.selects(rel, {}, ()) if key == "followups" else selection.in_folders(rel):
            folder = next(f for f in selection.folders if rel.startswith(f + "/"))
            return (
                f"{root / rel} is inside {folder}/, whose notes [{name}] selects: the {what} could overwrite a "
                f"note of yours there. {setting.capitalize()} to a path outside the folders of [contacts], "
                "[events], [goals] and [interactions], or to false to turn it off."
            )
    reason = _not_ours(root / rel, ours, what)
    if reason:
        return (
            f"{root / rel} {reason}, so it is left as it is. Move it away, or {setting} to another path, "
            f"or to false to turn the {what} off."
        )
    return ""


def _selections(settings: Settings) -> tuple[tuple[str, Selection], ...]:
    return (
        ("contacts", settings.contacts),
        ("events", settings.events),
        ("goals", settings.goals),
        ("interactions", settings.interactions),
    )


def _not_ours(path: Path, ours: Callable[[bytes], bool], what: str) -> str:
    """Why the file at `path` may not be written over ("" if there is none, or vaultnet wrote it). Only its
    head is read, and only if it is a regular file (no link is followed: `link_below` refused those)."""
    try:
        head = read_head(path, _HEAD_BYTES)
    except Refused as exc:  # "is a folder, not a regular file", "cannot be read (permission denied)"
        return str(exc)
    if head is None or not head.strip() or ours(head):
        return ""  # nothing there, vaultnet's own, or an empty file: nothing to lose
    return f"is not a {what} written by vaultnet (it does not start with vaultnet's header)"


def _inputs_digest(settings: Settings, listed: Listing, today: date) -> str:
    """Everything a build's outputs depend on: the code, the settings, the day, every note's fingerprint and
    what the listing reported (a folder that becomes readable changes no fingerprint)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((__version__, code_digest(), settings, today.isoformat(), listed.problems)).encode())
    for path in sorted(listed):
        fp = listed[path]
        digest.update(f"{path}\0{fp.mtime_ns}\0{fp.size}\n".encode())
    return digest.hexdigest()


def build(vault: Path, today: date, progress: Progress | None = None) -> BuildResult:
    """Write the follow-up note and the calendar for `today`; unchanged files are left alone."""
    return Session(vault, progress=progress).build(today)


def due(vault: Path, today: date, progress: Progress | None = None) -> tuple[Snapshot, Plan]:
    """Today's plan without writing any output."""
    return Session(vault, progress=progress).plan(today)


def check(vault: Path, progress: Progress | None = None) -> list[Problem]:
    return Session(vault, progress=progress).snapshot().problems
