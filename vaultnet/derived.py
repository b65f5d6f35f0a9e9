"""What a build keeps for the next one across commands: the notes as parsed, the network, the plan, and what was
derived per contact (their share of the statistics, their lines in the follow-up note, their calendar events).

A `Keeper` saves it to the vault's snapshot (`snapshot`) whole after a build that started from nothing, and as
a small journal record (the notes read again, the calendar fragments rendered again) after one that started
from a kept state; it restores it at the start of the next command. Restored, the last build's plan and network
are the `Made` a session derives the next one from (`update_network`, `make_plan(previous=...)`); its fragments
are taken from the calendar already written, whose fingerprint must be the one the record names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from vaultnet.cache import SCHEMA
from vaultnet.config import CACHE_DIR, Settings
from vaultnet.fragments import CalendarFragments
from vaultnet.fragments import Index as FragmentIndex
from vaultnet.index import Entry, Index, Refresh, settings_key
from vaultnet.insights import Shares
from vaultnet.model import Item
from vaultnet.network import Network
from vaultnet.problems import Problem
from vaultnet.render.markdown import Lines
from vaultnet.rules import Plan
from vaultnet.safeio import Refused, link_below, read_regular
from vaultnet.snapshot import Snapshot as Store
from vaultnet.vault import fingerprint

SWEEPING_MIN = 64  # notes rendered again by one build, at least, that make it save a whole state (see `keep`)
MAX_RECORDS = 64  # journal records before a whole state is saved again: each costs every later load a little

FragmentState = tuple[tuple[date, time | None] | None, frozenset[str]]


@dataclass
class Made:
    """One build's derivation, from its refreshed notes to its plan: what the next build starts from."""

    refresh: Refresh
    network: Network
    checks: tuple[Problem, ...]
    plan: Plan


@dataclass
class Kept:
    """A whole state, as the snapshot holds it."""

    known: dict[str, Entry]  # the index: each note with the fingerprint it was read at
    made: Made | None
    shares: Shares
    lines: tuple[date | None, list[tuple[Item, bool, str]]]
    fragments: FragmentIndex
    fragment_state: FragmentState
    calendar: tuple[int, int] | None  # (size, mtime_ns) of the calendar `fragments` describes
    settings: str = ""  # the digest of the settings `made` was derived with (`settings_digest`)
    # Whether `fragments` were rendered from `made`'s plan (or before it, by a build `made` started from); not when
    # a command that renders no calendar (`due`) saved the state: then `made` is newer than the fragments, and the
    # next build looks at every note's key instead of trusting what `made` says was untouched.
    fragments_current: bool = True


@dataclass
class Delta:
    """What one build changed in the kept state, as a journal record."""

    known: dict[str, Entry | None]  # None: the note is gone
    fragments: FragmentIndex | None = None  # None: no calendar rendered
    whole: bool = False  # `fragments` replaces the index rather than updating it
    fragment_state: FragmentState = (None, frozenset())
    calendar: tuple[int, int] | None = None
    settings: str = ""  # as in `Kept`
    extra: dict[str, object] = field(default_factory=dict)  # room for a later version's records


class Keeper:
    """The kept state of one vault and its settings."""

    def __init__(self, root: Path, settings: Settings, *, persist: bool = True) -> None:
        folder = root / CACHE_DIR
        # The notes as parsed depend only on the settings that shape parsing (`settings_key`); what was derived
        # from them depends on all of them (a look-ahead, a cadence): kept under `settings_digest`, and dropped
        # on restore when it was derived with other settings.
        key = f"{SCHEMA}/{settings_key(settings)}"
        self.digest = settings_digest(settings)
        self.root = root
        self.store = Store(root, folder, key, persist=persist and not link_below(root, folder))
        self.records = 0
        self._made_kept = False  # whether the snapshot holds a `Made` of these settings for the journal to add to
        self._sent: dict[str, Entry] = {}  # the index as the snapshot and journal hold it
        self._stamp: tuple[int, int] | None = None  # the calendar they hold the fragments of

    def restore(
        self, index: Index, fragments: CalendarFragments, lines: Lines, calendar: str | None
    ) -> tuple[Made | None, Shares | None]:
        """Give the index, the fragments and the lines what was kept; the last build's `Made` and shares."""
        loaded = self.store.load()
        if loaded is None:
            return None, None
        kept, records = loaded
        if not isinstance(kept, Kept) or not all(isinstance(r, Delta) for r in records):
            self.store.discard()  # records, but not the ones this version keeps: saved afresh by the next `keep`
            return None, None
        known, frags, state, stamp = dict(kept.known), dict(kept.fragments), kept.fragment_state, kept.calendar
        since: set[str] = set()  # the notes whose fragments the journal's builds rendered after `made`'s plan
        for record in records:
            for path, entry in record.known.items():
                if entry is None:
                    known.pop(path, None)
                else:
                    known[path] = entry
            if record.fragments is not None:
                frags = dict(record.fragments) if record.whole else frags | record.fragments
                state, stamp = record.fragment_state, record.calendar
                since.update(record.fragments)
        self.records, self._stamp = len(records), stamp
        self._sent = {path: entry for path, entry in known.items() if entry is not None}
        index.adopt(dict(self._sent))
        if any(digest != self.digest for digest in (kept.settings, *(r.settings for r in records))):
            self.records = MAX_RECORDS  # the next keep saves a whole state, derived with these settings
            return None, None  # derived with other settings: only the notes as parsed still hold
        lines.restore(*kept.lines)
        made = kept.made
        self._made_kept = made is not None
        if calendar is not None and stamp is not None:
            data = _calendar(self.root / calendar, stamp)
            if data is not None:
                basis = state[0] if kept.fragments_current else None  # no basis: every key looked at
                # The next plan is made from `made`'s, and its `touched` says who differs from that plan; a note that
                # a journal's build saw and that is gone again (a daily note, an event) differs from neither plan,
                # but gave what it gave to the fragments rendered then: those are looked at too.
                state = (basis, state[1] | since)
                fragments.restore({p: e for p, e in frags.items() if e is not None}, state, data)
        return made, kept.shares

    def keep(
        self,
        index: Index,
        made: Made | None,
        shares: Shares,
        lines: Lines,
        fragments: CalendarFragments,
        rendered: bool,
        calendar: str | None,
    ) -> None:
        """Save what this build made: a journal record of what changed, or, when there is no state to add it
        to (or the journal is long), the whole state. `rendered`: whether this command rendered the calendar
        (and wrote it); else the fragments kept are those restored, which index into the calendar restored."""
        stamp = _stamp(self.root / calendar) if calendar is not None and rendered else None
        known = index.entries()
        # Taken whichever way they are kept: what the renders since the last keep changed (see `changes`).
        whole, changes = fragments.changes() if rendered else (False, {})
        # A render that changed a good part of the calendar (a new day, a calendar edited by hand) is kept whole:
        # as a record it would be large, and every later restore would look at each of those notes' keys again.
        sweeping = rendered and (whole or len(changes) > max(len(known) // 8, SWEEPING_MIN))
        if self.records < MAX_RECORDS and (self._made_kept or made is None) and not sweeping:
            sent = self._sent
            changed: dict[str, Entry | None] = {p: e for p, e in known.items() if sent.get(p) is not e}
            changed.update((p, None) for p in sent.keys() - known.keys())
            delta = Delta(changed, settings=self.digest)
            if rendered and (whole or changes or stamp != self._stamp):
                delta = Delta(changed, changes, whole, fragments.state, stamp, self.digest)
            if delta == Delta({}, settings=self.digest) and self.store.has_base():
                return  # nothing new to keep: the journal does not grow with every run of `due`
            if 0 < self.store.append(delta) <= self.store.compact_bytes:
                self.records += 1
                self._sent = known
                self._stamp = stamp if rendered else self._stamp
                return
        if not rendered:
            stamp = self._stamp  # what the fragments restored index into (a `due` keeps them for the next build)
        index_of = fragments.index() if stamp is not None else {}
        kept = Kept(known, made, shares, lines.export(), index_of, fragments.state, stamp, self.digest, rendered)
        self.store.save(kept)
        self.records, self._sent, self._stamp, self._made_kept = 0, known, stamp, made is not None


def settings_digest(settings: Settings) -> str:
    """A digest of every setting: what was derived under one digest holds only under the same."""
    return hashlib.blake2b(repr(settings).encode(), digest_size=16).hexdigest()


def _stamp(path: Path) -> tuple[int, int] | None:
    fp = fingerprint(path)
    return (fp.size, fp.mtime_ns) if fp is not None else None


def _calendar(path: Path, stamp: tuple[int, int]) -> bytes | None:
    """The calendar at `path` if it is still the one written with the kept fragments."""
    if _stamp(path) != stamp:
        return None
    try:
        data = read_regular(path)
    except Refused:
        return None
    return data if data is not None and len(data) == stamp[0] else None
