"""Finding the note a link names among a set of notes, as Obsidian finds it: by file name (case-insensitively,
`.md` optional), by path for a clash (`[[folder/Name]]`), a Markdown link's path from the linking note's folder;
then by a note's `name` or an alias, which Obsidian itself does not follow (said in the resolution). Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from vaultnet.links import is_relative, relative_path


class Resolution(NamedTuple):
    path: str | None  # the note linked to, or None
    problem: str | None  # why it is unresolved, ambiguous or only found by alias
    severity: str = "error"


class Resolver:
    """Finds the note a link names, among a set of notes (contacts, or goals)."""

    def __init__(self, notes: Iterable[tuple[str, str, tuple[str, ...]]], warn_names: bool = False) -> None:
        """`notes`: (path, name, aliases) each. `warn_names`: a link found only by a note's `name` is used
        with a warning (contacts: Obsidian follows file names, not names)."""
        self._by_stem: dict[str, list[str]] = defaultdict(list)
        self._by_path: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._by_alias: dict[str, list[str]] = defaultdict(list)
        self._by_suffix: dict[str, list[str]] | None = None  # made on the first `[[folder/Name]]` not a path
        self._warn_names = warn_names
        for path, name, aliases in notes:
            bare = path.removesuffix(".md")
            self._by_path[bare.casefold()] = path
            self._by_stem[bare.rsplit("/", 1)[-1].casefold()].append(path)
            self._by_name[name.casefold()].append(path)
            for alias in aliases:
                self._by_alias[alias.casefold()].append(path)

    def resolve(self, target: str, source: str = "", linked: bool = True) -> Resolution:
        """The note `target` names, for a link in the note `source` (a relative path starts from its folder);
        `linked`: written as a link, not as a plain name (only a link is told what Obsidian would not follow)."""
        wanted = target.strip()
        if is_relative(wanted):
            return self._relative(wanted, source)
        wanted = wanted.strip("/")
        if wanted.lower().endswith(".md"):
            wanted = wanted[:-3]
        key = wanted.casefold()
        if not key:
            return Resolution(None, "an empty link")
        if "/" in key:
            folder = source.rpartition("/")[0].casefold()
            if folder and not target.strip().startswith("/") and f"{folder}/{key}" in self._by_path:
                return Resolution(self._by_path[f"{folder}/{key}"], None)  # a path from the note's folder
            if key in self._by_path:
                return Resolution(self._by_path[key], None)
            found = sorted(self._suffixes().get("/" + key, ()))
        else:
            found = sorted(self._by_stem.get(key, ()))
        if len(found) == 1:
            return Resolution(found[0], None)
        if len(found) > 1:
            return Resolution(None, f"[[{wanted}]] is ambiguous: {', '.join(found)}; link with the folder")
        return self._by_other_names(wanted, key, linked)

    def _suffixes(self) -> dict[str, list[str]]:
        """Every ending of every note's bare casefolded path that starts at a `/` and holds another one
        (`/work/ben` of `contacts/work/ben`) -> the notes whose path ends so: what a `[[work/Ben]]` matches when no
        path is `work/Ben`, found without scanning every path."""
        if self._by_suffix is None:
            self._by_suffix = defaultdict(list)
            for key, path in self._by_path.items():
                start = key.find("/")
                while start != -1:
                    following = key.find("/", start + 1)
                    if following == -1:
                        break  # `/ben` alone: a link without a folder is looked up by file name
                    self._by_suffix[key[start:]].append(path)
                    start = following
        return self._by_suffix

    def _by_other_names(self, wanted: str, key: str, linked: bool) -> Resolution:
        """No file has the name: a note's `name` (a goal's title), else an alias; Obsidian follows neither."""
        named = sorted(set(self._by_name.get(key, ())))
        if len(named) == 1:
            if self._warn_names and linked:
                note = (
                    f"[[{wanted}]] is the name of {named[0]}, not its file name; Obsidian does not follow names"
                    f" in links: link [[{self._shortest(named[0])}|{wanted}]] instead"
                )
                return Resolution(named[0], note, "warning")
            return Resolution(named[0], None)
        if len(named) > 1:
            return Resolution(None, f"[[{wanted}]] is ambiguous: {', '.join(named)} are all named so")
        aliased = sorted(set(self._by_alias.get(key, ())))
        if len(aliased) == 1:
            note = f"[[{wanted}]] is an alias of {aliased[0]}; Obsidian does not follow aliases in links"
            return Resolution(aliased[0], note, "warning")
        if len(aliased) > 1:
            return Resolution(None, f"[[{wanted}]] is an alias of several notes: {', '.join(aliased)}")
        return Resolution(None, None)

    def _relative(self, wanted: str, source: str) -> Resolution:
        """`../People/Jo Park` in `journal/2026-11-21.md` is `People/Jo Park.md`: that note, or nobody."""
        path = relative_path(source, wanted)
        if path is None:
            return Resolution(None, None)  # above the vault: no note of it
        key = path.casefold().removesuffix(".md")
        return Resolution(self._by_path.get(key), None) if key else Resolution(None, "an empty link")

    def _shortest(self, path: str) -> str:
        """How to link the note at `path`: its file name, or its path when another note has that file name."""
        bare = path.removesuffix(".md")
        stem = bare.rsplit("/", 1)[-1]
        return stem if len(self._by_stem[stem.casefold()]) == 1 else bare
