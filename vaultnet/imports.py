"""Contacts in and out of a vault: the imports (vCard, LinkedIn) planned as `Change`s, and the contacts an export
takes. What a reader makes of a file is `vcard`'s and `linkedin`'s, who is who `identity`'s, what becomes of each
person `importing`'s; this module runs them for a vault, for `cli_write` to show or apply."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from vaultnet.contacts_io import Person, Reading, choose
from vaultnet.importing import ImportPlan, first_due, plan_import
from vaultnet.linkedin import read_linkedin
from vaultnet.model import Contact
from vaultnet.pipeline import Vault, open_vault
from vaultnet.problems import ParamError, Problem
from vaultnet.vcard import read_vcards

Reader = Callable[[bytes, str], Reading]
READERS: dict[str, Reader] = {"vcard": read_vcards, "linkedin": read_linkedin}


@dataclass(frozen=True)
class Imported:
    """What an import read, and what it would write (`plan.changes`, for the caller to show or apply)."""

    people: list[Person]  # persons read from the files, in file order
    problems: list[Problem]  # in the files, as `file:line`; a record with an error was not read
    skipped: list[tuple[str, int, str]]  # records that are no person: (file, line, why)
    unreadable: int  # records that could not be read at all
    plan: ImportPlan
    first_due: date | None  # when the first of the new contacts comes up for a follow-up


def import_files(
    vault: Vault,
    source: str,
    files: Iterable[Path],
    *,
    today: date,
    overwrite: bool = False,
    circle: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Imported:
    """Read `files` (`source`: vcard or linkedin) and plan their import into the vault: new notes (in `circle`,
    else the source's: `[import] circle` for vCards, dormant for LinkedIn), and what matched notes lack (all
    single values with `overwrite`). Safe to repeat: a second run plans no change."""
    read = READERS.get(source)
    if read is None:
        raise ParamError(f"{source!r} is not a source to import ({', '.join(READERS)})", "source")
    session = open_vault(vault)
    settings = session.settings
    circles = dict(settings.circles)
    if circle is not None and circle.lower() not in circles:
        raise ParamError(f"{circle!r} is not one of the circles ({', '.join(sorted(circles))})", "circle")
    chosen = circle.lower() if circle else (settings.import_circle if source == "vcard" else "")
    people: list[Person] = []
    problems: list[Problem] = []
    skipped: list[tuple[str, int, str]] = []
    unreadable = 0
    for file in files:
        reading = read(file.read_bytes(), str(file))
        people += [replace(p, circle=chosen) for p in reading.people] if chosen else reading.people
        problems += reading.problems
        skipped += [(str(file), line, why) for line, why in reading.skipped]
        unreadable += reading.unreadable
    plan = plan_import(
        session.root, settings, session.contacts(), people, today=today, overwrite=overwrite, progress=progress
    )
    return Imported(people, problems, skipped, unreadable, plan, first_due(plan.new_contacts, settings))


def export_contacts(
    vault: Vault, *, tag: str | None = None, circle: str | None = None
) -> tuple[list[Contact], list[Problem]]:
    """The contacts to export (archived ones too), with `tag` and in `circle` when given, and the problems
    found on the way (an export reads the vault as `check` does)."""
    snapshot = open_vault(vault).snapshot()
    chosen = choose(snapshot.network.contacts, snapshot.settings.default_circle, tag=tag, circle=circle)
    return chosen, snapshot.problems
