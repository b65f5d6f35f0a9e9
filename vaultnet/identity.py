"""Who is who when contacts come in from outside: the one rule an import uses, within a run and across runs.

A card (or a LinkedIn row) is the same person as a note when their `uid` matches, else their LinkedIn URL, else
an e-mail (case-insensitive). A name alone (case-insensitive) matches only when neither side has a uid, a
LinkedIn URL or e-mails that contradict it: two people called John Doe with different uids are two people.

`Directory` holds the notes by each of these keys, so that matching a card costs a few dictionary lookups and
an import of 10,000 cards is linear. The importer adds each note it writes, so that a later card of the same
run meets it exactly as the next run would meet the note on disk: one run writes what two runs would.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterable
from typing import NamedTuple

CANDIDATES = 8  # at most this many other notes at the key that matched are offered as `Match.candidates`


def normal_url(url: str) -> str:
    """A profile URL as one spelling (`https://www.linkedin.com/in/x`), so that two spellings match."""
    url = url.strip()
    url = re.sub(r"^(https?://)?(www\.)?", "https://www.", url, flags=re.IGNORECASE)
    return url.rstrip("/").lower() if "linkedin.com" in url.lower() else url.rstrip("/")


class Keys(NamedTuple):
    """What identifies a person, each spelled one way: the name and e-mails case-folded, the LinkedIn URL by
    `normal_url`, the uid as written."""

    name: str
    uid: str | None
    linkedin: str | None
    emails: frozenset[str]


def keys_of(name: str, uid: str | None, linkedin: str | None, emails: Iterable[str]) -> Keys:
    return Keys(
        " ".join(name.split()).casefold(),
        uid.strip() or None if uid else None,
        normal_url(linkedin) if linkedin else None,
        frozenset(e.strip().casefold() for e in emails if e.strip()),
    )


def contradicts(a: Keys, b: Keys) -> bool:
    """Known to be two people: both have a uid and they differ, both a LinkedIn URL and they differ, or both
    e-mails and they share none."""
    if a.uid and b.uid and a.uid != b.uid:
        return True
    if a.linkedin and b.linkedin and a.linkedin != b.linkedin:
        return True
    return bool(a.emails and b.emails and not a.emails & b.emails)


class Match(NamedTuple):
    """The note a card is (its path), or None; `namesakes`: how many notes a card with nothing but a name could
    be when there are several, so that it is not imported (a new note would be one more namesake on every run),
    and `some` of them (the first three) to name in the warning."""

    path: str | None
    namesakes: int = 0
    some: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()  # the other notes at the key that matched that could hold all the card says


def _kind(keys: Keys) -> tuple[bool, bool, bool]:
    """Which keys besides the name a note or card has: a uid, a LinkedIn URL, e-mails."""
    return bool(keys.uid), bool(keys.linkedin), bool(keys.emails)


# For each kind of card, the kinds of namesakes a name alone may match: a card with a uid only notes without one
# (a note with another uid contradicts it, one with the same uid matched before the name was looked at), and so
# for the LinkedIn URL and the e-mails. Looked up, not tried note by note: a name that 10,000 notes share costs
# no more than one that a single note has.
_KINDS = [(u, li, e) for u in (False, True) for li in (False, True) for e in (False, True)]
_COMPATIBLE = {
    card: [note for note in _KINDS if not any(c and n for c, n in zip(card, note, strict=True))] for card in _KINDS
}


class Directory:
    """Notes (by path) under each key that identifies a person."""

    def __init__(self) -> None:
        self._keys: dict[str, Keys] = {}
        self._uid: dict[str, set[str]] = {}
        self._linkedin: dict[str, set[str]] = {}
        self._email: dict[str, set[str]] = {}
        # name -> kind of note (`_kind`) -> paths, in the order they were added (a dict: no random set order)
        self._name: dict[str, dict[tuple[bool, bool, bool], dict[str, None]]] = {}

    def _tables(self, keys: Keys) -> Iterable[tuple[dict[str, set[str]], str]]:
        if keys.uid:
            yield self._uid, keys.uid
        if keys.linkedin:
            yield self._linkedin, keys.linkedin
        for email in keys.emails:
            yield self._email, email

    def add(self, path: str, keys: Keys) -> None:
        """Index the note at `path` under `keys` (replacing what it was indexed under)."""
        self.remove(path)
        self._keys[path] = keys
        for table, key in self._tables(keys):
            table.setdefault(key, set()).add(path)
        self._name.setdefault(keys.name, {}).setdefault(_kind(keys), {})[path] = None

    def remove(self, path: str) -> None:
        keys = self._keys.pop(path, None)
        if keys is None:
            return
        for table, key in self._tables(keys):
            paths = table.get(key)
            if paths is not None:
                paths.discard(path)
                if not paths:
                    del table[key]
        kinds = self._name[keys.name]
        del kinds[_kind(keys)][path]
        if not kinds[_kind(keys)]:
            del kinds[_kind(keys)]
            if not kinds:
                del self._name[keys.name]

    def match(self, card: Keys) -> Match:
        """The note `card` is, by the rule above. Several notes at the first key that matches: the ones with
        the card's name first, then the first by path, so that the choice depends on the notes, not on the
        order they were read or written in. The others with all the card's e-mails are `candidates`: the importer
        prefers one that already holds all the card says."""
        if card.uid and (found := self._uid.get(card.uid)):
            return self._pick(found, card)
        if card.linkedin and (found := self._linkedin.get(card.linkedin)):
            return self._pick(found, card)
        by_email = set().union(*(self._email.get(e, ()) for e in card.emails)) if card.emails else set()
        if by_email:
            return self._pick(by_email, card)
        kinds = self._name.get(card.name, {})
        groups = [paths for kind in _COMPATIBLE[_kind(card)] if (paths := kinds.get(kind))]
        count = sum(len(paths) for paths in groups)
        some = tuple(itertools.islice(itertools.chain.from_iterable(groups), 3))
        if count == 1:
            return Match(some[0])
        if count and (card.uid or card.linkedin or card.emails):
            # Several namesakes and none known by this card's uid, LinkedIn URL or e-mails: a note of its own, which
            # the next import finds by them. Left out as ambiguous, it would be found by them in a note that a later
            # card of the run makes with the same key, and only on the next run: no run would be the last.
            return Match(None)
        return Match(None, count, some)

    def _pick(self, paths: set[str], card: Keys) -> Match:
        if len(paths) == 1:
            return Match(next(iter(paths)))

        def rank(path: str) -> tuple[bool, str]:
            return self._keys[path].name != card.name, path

        first = min(paths, key=rank)
        # Only a note with all the card's e-mails can hold all it says, and only the first few are offered: when
        # thousands share one address, each card must not make the importer read thousands of notes.
        holding = (p for p in paths if p != first and card.emails <= self._keys[p].emails)
        return Match(first, candidates=tuple(heapq.nsmallest(CANDIDATES, holding, key=rank)))
