"""The settings held against the vault: a folder named in vaultnet.toml that the vault does not have ("did you
mean People/?"), and a selection the user wrote that selects no note at all.

`contacts_folder = "people"` for a folder named `People/` once gave 0 contacts and "no errors": these are the
warnings that say why. Pure: the caller (the pipeline, which has the vault's listing) gives the folders that
exist and how many notes of each kind it found.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping

from vaultnet.config import CONFIG_NAME, Settings
from vaultnet.problems import Problem

# The settings that name folders, by the name `Settings.lines` keeps them under -> the folders they name.
_SELECTIONS = ("contacts", "events", "goals", "interactions")
_ONE_FOLDER = {"contacts_folder": "contacts", "events_folder": "events", "goals_folder": "goals"}
_NOUN = {"contacts": "a contact", "events": "an event", "goals": "a goal", "interactions": "a meeting note"}


def named_folders(settings: Settings) -> list[tuple[str, str, int]]:
    """The folders the user's vaultnet.toml names: (setting, folder, line), each folder once (at the first
    setting that names it). Defaults not written in the file are not the user's: never checked."""
    lines = dict(settings.lines)
    out: list[tuple[str, str, int]] = []
    seen: set[str] = set()

    def add(setting: str, folders: Iterable[str]) -> None:
        for folder in folders:
            if setting in lines and folder not in seen:
                seen.add(folder)
                out.append((setting, folder, lines[setting]))

    for setting in _ONE_FOLDER:
        add(setting, [getattr(settings, setting)])
    add("templates_folder", [settings.templates_folder])
    for kind in _SELECTIONS:
        add(f"{kind}.folders", getattr(settings, kind).folders)
    return out


def settings_problems(settings: Settings, folders: Collection[str], found: Mapping[str, int]) -> list[Problem]:
    """Warnings for the folders the settings name that are not among `folders` (the vault's, `/`-separated,
    case kept), and for each selection with rules written in vaultnet.toml of whose kind `found` counts no
    note (`found`: kind -> notes of it, "contacts", "events", ...; a kind it leaves out is not checked)."""
    problems: list[Problem] = []
    missing: set[str] = set()
    for setting, folder, line in named_folders(settings):
        if folder not in folders:
            near = nearest_folder(folder, folders)
            hint = f" (did you mean {near}/?)" if near else ""
            problems.append(Problem(CONFIG_NAME, line, f"{setting}: no folder {folder}/ in the vault{hint}", "warning"))
            missing.add(setting.split(".")[0] if "." in setting else _ONE_FOLDER.get(setting, setting))
    problems.extend(_empty_selections(settings, found, missing))
    return problems


def _empty_selections(settings: Settings, found: Mapping[str, int], missing: set[str]) -> Iterator[Problem]:
    """A selection the user wrote rules for that selects nothing (unless a missing folder already says why)."""
    lines = dict(settings.lines)
    for kind in _SELECTIONS:
        # The rules of the [kind] table; `contacts_folder` alone is the old setting, and a vault new to vaultnet has
        # an empty contacts/ folder that needs no warning (a missing folder has its own).
        selection = getattr(settings, kind)
        rules = [
            rule for rule in ("folders", "tags", "where") if f"{kind}.{rule}" in lines and getattr(selection, rule)
        ]
        if not rules or kind in missing or found.get(kind, 1):
            continue
        line = min(lines[f"{kind}.{rule}"] for rule in rules)
        message = f"{kind}: no note in the vault is {_NOUN[kind]} by these rules (check their folders, tags, where)"
        yield Problem(CONFIG_NAME, line, message, "warning")


def vault_folders(paths: Iterable[str]) -> set[str]:
    """Every folder that holds a note, at any depth, from the notes' `/`-separated paths."""
    folders: set[str] = set()
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def nearest_folder(folder: str, folders: Iterable[str]) -> str | None:
    """The existing folder the user most likely meant: the same name in another case, else the nearest by edit
    distance (without case) if it is near enough to be a typo, else None."""
    wanted = folder.casefold()
    best: tuple[int, str] | None = None
    for candidate in folders:
        distance = edit_distance(wanted, candidate.casefold())
        if best is None or (distance, candidate) < best:
            best = (distance, candidate)
    if best is None or best[0] > max(2, len(folder) // 3):
        return None
    return best[1]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest single-character insertions, deletions and substitutions."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
