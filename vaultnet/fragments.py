"""The calendar's fragments, reused across builds: the owner of "render only the notes that changed".

Rendering each note's calendar events is most of a build's work. A note's fragments depend only on what
`fragment_key` names (the note's fingerprint, its items, its last interaction, the day, the alarm), so
they are kept, in memory and through `cache`, under that key, and rendered again only when it changes or
the note was read again. A build after one edit renders one note.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, time

from vaultnet.cache import Cache, NoteFragments
from vaultnet.index import Refresh
from vaultnet.kinds import SPEC
from vaultnet.model import Item
from vaultnet.network import Interaction
from vaultnet.render.ics import Fragment, items_by_note, note_fragments, owners
from vaultnet.rules import Plan
from vaultnet.vault import Fingerprint


class CalendarFragments:
    """Each note's rendered events, kept across builds: in memory by this object, on disk by `cache`
    (read on the first build, so that a new process reuses what the last one rendered)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._known: dict[str, NoteFragments] | None = None
        self._basis: tuple[date, time | None] | None = None  # the day and alarm `_known` was made for
        self._loose: set[str] = set()  # the notes with items that are not their contact's own (see `_loose`)

    def render(
        self, plan: Plan, refresh: Refresh, alarm: time | None, touched: Collection[str] | None = None
    ) -> list[Fragment]:
        """All fragments of `plan`, rendered afresh only for the notes whose key changed or that `refresh`
        read again; the others are the ones kept from before (see `note_fragments`). `touched`: the only
        contacts whose items may differ from the last plan's besides the items of kinds that are not a
        contact's own (`make_plan`'s `touched`); the other notes keep their fragments without a look at
        their key."""
        known = self._known if self._known is not None else self.cache.load_fragments()
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
        self.cache.save_fragments(changed, removed)
        return out


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
    """Everything a note's calendar fragments depend on (see `note_fragments`)."""
    fp = fingerprints.get(path)
    head = f"{fp.mtime_ns if fp else ''}/{fp.size if fp else ''}/{today}/{alarm or ''}/{last or ''}"
    return "\n".join([head, *(f"{i.kind}/{i.day}/{i.key}/{i.reason}/{i.details}" for i in items)])
