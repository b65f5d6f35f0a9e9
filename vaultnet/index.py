"""The index: a vault's parsed notes, kept current by fingerprint.

Only notes whose size or mtime changed are read again; a note written moments ago is read again next time
too (its mtime may not change with its next save). The notes are kept in memory by the Index object; between
commands the pipeline keeps them in the snapshot (`entries`, `adopt`). The watcher also asks the index to keep
each broken note's last good version.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from vaultnet import __version__
from vaultnet.cache import Cache, code_digest
from vaultnet.config import Settings
from vaultnet.frontmatter import too_big
from vaultnet.model import Contact, ParsedNote
from vaultnet.parallel import Progress, read_all
from vaultnet.parse import parse_note
from vaultnet.problems import Problem
from vaultnet.safeio import Refused
from vaultnet.vault import Fingerprint, Listing, list_notes, read_bytes

# A file changed within this window of being read may change again within the same mtime tick:
# its fingerprint is not trusted next time (git's "racy clean" problem).
_RACY_NS = 2_000_000_000

# One note as the index knows it: the fingerprint it was read at, and what it yielded.
Entry = tuple[Fingerprint, ParsedNote]


@dataclass
class Refresh:
    """What one refresh found: the notes by path, and which paths were (re)parsed or removed."""

    notes: dict[str, ParsedNote]
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)
    parsed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # broken notes shown in their last good version
    racy: bool = False  # some note was written moments ago: it will be read again next time
    removed: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # notes that could not be read: read again next time
    listing: tuple[Problem, ...] = ()  # what the listing reported (see `vault.Listing`)

    @property
    def contacts(self) -> list[Contact]:
        return [n.contact for n in self.notes.values() if n.contact is not None]

    @property
    def problems(self) -> list[Problem]:
        return sorted([*self.listing, *(p for n in self.notes.values() for p in n.problems)])


def settings_key(settings: Settings) -> str:
    """What the parsed notes depend on besides the files: the code and the settings (the cache adds its
    schema version)."""
    data = repr(
        (
            __version__,
            code_digest(),
            settings.contacts_folder,
            settings.events_folder,
            settings.goals_folder,
            settings.templates_folders,
            settings.contacts,
            settings.events,
            settings.goals,
            settings.interactions,
            settings.interaction_people,
            settings.interaction_date,
            settings.fields,
            settings.daily_notes,
            settings.daily_notes_folder,
            settings.circles,
            settings.outputs,
        )
    )
    return hashlib.sha256(data.encode()).hexdigest()


class Index:
    """Parsed notes of one vault. Keep the object to refresh incrementally in memory (the watcher does);
    a new object starts from nothing, or from what `adopt` gives it. `persist=False` keeps no cache on disk.
    `cache` is the cache of the index's settings, where the layers above keep their records."""

    def __init__(self, root: Path, settings: Settings, *, persist: bool = True, keep_last_good: bool = False) -> None:
        """`keep_last_good`: while a note has an error, keep using its last version that had none (the
        watcher: Obsidian saves half-typed notes every few seconds). In memory only: the cache and every
        fresh Index see the note as it is."""
        self.root = root
        self.settings = settings
        self.persist = persist
        self.keep_last_good = keep_last_good
        self.cache = Cache(root, settings_key(settings), persist=persist)
        self._known: dict[str, Entry] | None = None
        self._good: dict[str, ParsedNote] = {}

    @property
    def cache_path(self) -> Path:
        return self.cache.path

    def close(self) -> None:
        self.cache.close()

    def listing(self) -> Listing:
        """The vault's notes and their fingerprints, as on disk now (the outputs are not notes)."""
        return list_notes(
            self.root,
            exclude=frozenset(self.settings.outputs),
            skip_folders=frozenset(self.settings.templates_folders),
        )

    def refresh(self, listed: Listing | None = None, progress: Progress | None = None) -> Refresh:
        """Bring the index up to date with the files (`listed`: a listing just taken, to save a second one;
        `progress`: told how many of the notes to read have been read, see `parallel.Progress`)."""
        if listed is None:
            listed = self.listing()
        known = self._known if self._known is not None else {}
        result = Refresh(notes={}, listing=listed.problems)
        fresh: dict[str, Entry] = {}
        now = time.time_ns()
        result.fingerprints = listed
        paths = sorted(listed)
        todo = [(path, listed[path]) for path in paths if (old := known.get(path)) is None or old[0] != listed[path]]
        # Read on two cores when there are many (a cold build); the notes stay in the order of their paths.
        parsed = read_all(todo, lambda item: self._read(*item), progress)
        read = dict(zip((path for path, _ in todo), parsed, strict=True))
        for path in paths:
            fp = listed[path]
            if path not in read:  # unchanged since the cache: as cached
                fresh[path] = known[path]
                result.notes[path] = known[path][1]
                continue
            note, readable = read[path]
            if note is None:
                continue  # removed since it was listed
            # A file written moments ago may change again without its fingerprint changing: re-read it next time.
            racy = now - fp.mtime_ns <= _RACY_NS
            result.racy = result.racy or racy
            # So is an unreadable one, which may become readable with no change of its fingerprint (chmod).
            trusted = fp if readable and not racy else Fingerprint(-1, fp.size)
            if not readable:
                result.unread.append(path)
            fresh[path] = (trusted, note)
            result.notes[path] = note
            result.parsed.append(path)
        result.removed = sorted(set(known) - set(fresh))
        self._known = fresh
        if self.keep_last_good:
            self._substitute_last_good(result)
        return result

    def entries(self) -> dict[str, Entry]:
        """Each note as last refreshed, with the fingerprint it was read at: what the snapshot keeps."""
        return dict(self._known or {})

    def adopt(self, known: dict[str, Entry]) -> None:
        """Start from `known` (the notes a snapshot kept) instead of nothing."""
        self._known = known

    def _read(self, path: str, fp: Fingerprint) -> tuple[ParsedNote | None, bool]:
        """The note at `path` parsed (None: removed since it was listed), and whether it could be read: a note
        that cannot (unreadable, or swapped for a FIFO or a link since the listing) is an error of its own."""
        if (big := too_big(path, fp.size)) is not None:
            return ParsedNote(path, problems=(big,)), True  # past the size limit: not even read
        try:
            data = read_bytes(self.root, path)
        except Refused as exc:
            return ParsedNote(path, problems=(Problem(path, 0, f"this note {exc}: vaultnet skips it"),)), False
        if data is None:
            return None, True
        return parse_note(path, data, self.settings, modified=fp.mtime_ns // 1_000_000_000), True

    def last_good(self) -> dict[str, ParsedNote]:
        return dict(self._good)

    def remember_good(self, good: dict[str, ParsedNote]) -> None:
        self._good.update(good)

    def _substitute_last_good(self, result: Refresh) -> None:
        for path in result.removed:
            self._good.pop(path, None)
        for path, note in result.notes.items():
            broken = any(p.severity == "error" for p in note.problems)
            if not broken:
                self._good[path] = note
            elif path in self._good:
                good = self._good[path]
                result.notes[path] = replace(good, problems=note.problems)
                result.kept.append(path)
