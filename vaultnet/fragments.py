"""The calendar's fragments, reused across builds: the owner of "render only the notes that changed".

Rendering each note's calendar events is most of a build's work. A note's fragments depend only on what
`fragment_key` names (the note's fingerprint, its items, its last interaction, the day, the alarm), so
they are kept, in memory and through `cache`, under that key, and rendered again only when it changes or
the note was read again. A build after one edit renders one note.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time

from vaultnet.cache import Cache, NoteFragments
from vaultnet.index import Refresh
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

    def render(self, plan: Plan, refresh: Refresh, alarm: time | None) -> list[Fragment]:
        """All fragments of `plan`, rendered afresh only for the notes whose key changed or that `refresh`
        read again; the others are the ones kept from before (see `note_fragments`)."""
        known = self._known if self._known is not None else self.cache.load_fragments()
        reparsed = set(refresh.parsed)
        by_note = items_by_note(plan)
        fresh: dict[str, NoteFragments] = {}
        changed: dict[str, NoteFragments] = {}
        out: list[Fragment] = []
        for owner in owners(plan):
            items = by_note.get(owner.path, [])
            last = plan.network.last_interaction(owner.path)
            key = fragment_key(refresh.fingerprints, owner.path, items, plan.today, alarm, last)
            old = known.get(owner.path)
            if old is not None and old.key == key and owner.path not in reparsed:
                kept = old
            else:
                kept = changed[owner.path] = NoteFragments(key, note_fragments(owner, items, plan.today, alarm, last))
            fresh[owner.path] = kept
            out.extend(kept.parts)
        removed = [path for path in known if path not in fresh]
        self._known = fresh
        self.cache.save_fragments(changed, removed)
        return out


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
