"""The calendar's fragments, reused across builds: the owner of "render only the notes that changed".

Rendering each note's calendar events is most of a build's work. A note's fragments depend only on what
`fragment_key` names (the note's fingerprint, its items, its last interaction, the day, the alarm), so
they are kept under that key, and rendered again only when it changes or the note was read again. A build
after one edit renders one note. Between commands they are kept as an `Index` (each note's key and its
fragments' sort keys and lengths) into the calendar already written: nothing is stored twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from datetime import date, time
from typing import NamedTuple

from vaultnet.index import Refresh
from vaultnet.kinds import SPEC
from vaultnet.model import Item
from vaultnet.network import Interaction
from vaultnet.render.ics import Fragment, calendar_body, items_by_note, note_fragments, owners
from vaultnet.rules import Plan
from vaultnet.vault import Fingerprint


class NoteFragments(NamedTuple):
    """One note's rendered calendar events (`(sort key, text)` pairs) and the `key` they were rendered for."""

    key: str
    parts: list[Fragment]


# Each note's fragments as the calendar holds them: (key, ((sort key, length), ...)); None: the note has none.
Index = dict[str, tuple[str, tuple[tuple[str, int], ...]] | None]


class CalendarFragments:
    """Each note's rendered events, kept across builds in memory, and between commands as an `Index` into
    the calendar written last (`restore`, `index`, `changes`)."""

    def __init__(self) -> None:
        self._known: dict[str, NoteFragments] = {}
        self._basis: tuple[date, time | None] | None = None  # the day and alarm `_known` was made for
        self._loose: set[str] = set()  # the notes with items that are not their contact's own (see `_loose`)
        # What the renders since `changes` was last asked changed, as an index (None: a note's were removed): a build
        # that failed to write (and so kept nothing) leaves its changes to the next one's journal record.
        self._changed: Index = {}
        self._whole = True  # whether `_changed` is all there is: nothing was restored, or handed over, before it

    @property
    def state(self) -> tuple[tuple[date, time | None] | None, frozenset[str]]:
        return self._basis, frozenset(self._loose)

    def index(self) -> Index:
        """Every note's fragments, as the calendar last rendered holds them."""
        return {path: _entry(kept) for path, kept in self._known.items()}

    def changes(self) -> tuple[bool, Index]:
        """What the renders since the last call changed (as `index`; None: removed), and whether that is all there
        is (no fragments were restored, or handed over by an earlier call, before them). The caller keeps them."""
        whole, changed = self._whole, self._changed
        self._whole, self._changed = False, {}
        return whole, changed

    def restore(
        self, index: Index, state: tuple[tuple[date, time | None] | None, frozenset[str]], calendar: bytes
    ) -> bool:
        """Take the fragments `index` describes from `calendar`, the calendar written with them (False, and
        nothing kept, when it is not: another length, another shape)."""
        entries = [
            (sort_key, path, n, length)
            for path, entry in index.items()
            if entry is not None
            for n, (sort_key, length) in enumerate(entry[1])
        ]
        entries.sort()  # the calendar's order (`render_calendar`)
        body = calendar_body(calendar, sum(entry[3] for entry in entries))
        if body is None:
            return False
        texts: dict[tuple[str, int], bytes] = {}
        at = 0
        for _, path, n, length in entries:
            text = texts[path, n] = body[at : at + length]
            if not (text.startswith(b"BEGIN:VEVENT\r\n") and text.endswith(b"END:VEVENT\r\n")):
                return False  # cut across events: not the calendar they index (another of the same size and mtime)
            at += length
        known = {
            path: NoteFragments(entry[0], [(sort_key, texts[path, n]) for n, (sort_key, _) in enumerate(entry[1])])
            for path, entry in index.items()
            if entry is not None
        }
        self._known, (self._basis, loose) = known, state
        self._loose, self._whole, self._changed = set(loose), False, {}
        return True

    def render(
        self, plan: Plan, refresh: Refresh, alarm: time | None, touched: Collection[str] | None = None
    ) -> list[Fragment]:
        """All fragments of `plan`, rendered afresh only for the notes whose key changed or that `refresh`
        read again; the others are the ones kept from before (see `note_fragments`). `touched`: the only
        contacts whose items may differ from the last plan's besides the items of kinds that are not a
        contact's own (`make_plan`'s `touched`); the other notes keep their fragments without a look at
        their key."""
        known = self._known
        loose = _loose(plan)
        same = set() if touched is None or self._basis != (plan.today, alarm) else set(known)
        same -= {*(touched or ()), *refresh.parsed, *loose, *self._loose}
        reparsed = set(refresh.parsed)
        by_note = items_by_note(plan)
        fresh: dict[str, NoteFragments] = {}
        changed: dict[str, NoteFragments] = {}
        out: list[Fragment] = []
        for owner in owners(plan):
            old = known.get(owner.path)
            if old is not None and owner.path in same:
                fresh[owner.path] = old
                out.extend(old.parts)
                continue
            items = by_note.get(owner.path, [])
            last = plan.network.last_interaction(owner.path)
            key = fragment_key(refresh.fingerprints, owner.path, items, plan.today, alarm, last)
            if old is not None and old.key == key and owner.path not in reparsed:
                kept = old
            else:
                kept = changed[owner.path] = NoteFragments(key, note_fragments(owner, items, plan.today, alarm, last))
            fresh[owner.path] = kept
            out.extend(kept.parts)
        removed = [path for path in known if path not in fresh]
        self._known, self._basis, self._loose = fresh, (plan.today, alarm), loose
        if self._whole:
            self._changed = {path: _entry(kept) for path, kept in fresh.items()}
        else:
            self._changed |= {path: _entry(kept) for path, kept in changed.items()} | dict.fromkeys(removed)
        return out


def _entry(kept: NoteFragments) -> tuple[str, tuple[tuple[str, int], ...]]:
    return kept.key, tuple((sort_key, len(text)) for sort_key, text in kept.parts)


def _loose(plan: Plan) -> set[str]:
    """The notes with items of kinds that are not a contact's own (`KindSpec.own`: event preps, this week's
    reconnects and the reviews they take in): made afresh by every plan, so their fragments are looked at."""
    return {item.path for item in plan.items if not SPEC[item.kind].own}


def fragment_key(
    fingerprints: Mapping[str, Fingerprint],
    path: str,
    items: list[Item],
    today: date,
    alarm: time | None,
    last: Interaction | None,
) -> str:
    """A digest of everything a note's calendar fragments depend on (see `note_fragments`): kept for every note
    between commands, so it is short."""
    fp = fingerprints.get(path)
    head = f"{fp.mtime_ns if fp else ''}/{fp.size if fp else ''}/{today}/{alarm or ''}/{last or ''}"
    text = "\n".join([head, *(f"{i.kind}/{i.day}/{i.key}/{i.reason}/{i.details}" for i in items)])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
