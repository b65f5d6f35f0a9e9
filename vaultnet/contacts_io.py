"""Contacts from outside the vault and back: the `Person` a reader (`vcard`, `linkedin`) makes of one record,
the `Reading` of one file, how an exported file's bytes are decoded, and which contacts an export takes
(`choose`). Who is who is `identity`'s; how persons become notes is `importing`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from vaultnet.identity import normal_url
from vaultnet.model import Birthday, Contact, NameParts
from vaultnet.problems import Problem

__all__ = ["Person", "Reading", "choose", "decode_export", "normal_url"]  # normal_url: the readers' import of it


@dataclass(frozen=True)
class Person:
    """A contact from outside the vault (one vCard, one LinkedIn row), before it becomes (or updates) a note.

    Phones and related people are texts with their labels as a note keeps them (`values.with_labels`:
    `+49 170 1234567 (cell)`, `Hanako Yamada (spouse)`); e-mails are plain addresses, lower-cased."""

    name: str
    name_parts: NameParts | None = None  # vCard's N, when it says more than `name` alone
    aliases: tuple[str, ...] = ()  # vCard's NICKNAME
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str | None = None
    role: str | None = None
    birthday: Birthday | None = None
    anniversary: Birthday | None = None
    related: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()  # web pages other than the LinkedIn profile
    linkedin: str | None = None
    uid: str | None = None
    met: date | None = None
    tags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # the card's free texts (NOTE): kept as quotes, where vaultnet reads no log or tasks
    circle: str | None = None
    source: str = ""
    line: int = 0  # where it starts in the file it came from
    path: str = ""  # the file it came from, as given
    unmapped: tuple[str, ...] = ()  # what the card holds that a note does not (`ADR`, `PHOTO`): for --verbose


@dataclass
class Reading:
    """What a reader made of one file: the people in it, the problems (`path:line`), and the records that are
    not people (`skipped`: a vCard group or company, a card without a name or e-mail), each with its line and
    why, so that the import's counts account for every record of the file."""

    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    unreadable: int = 0  # records that could not be read at all (each one has an error in `problems`)


def decode_export(path: str, data: bytes) -> tuple[str, list[Problem]]:
    """The text of an exported file: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 with
    a warning. Unlike `parse.decode` (a note: UTF-8 or a problem), an export is always read somehow."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        note = "not UTF-8: read as Windows-1252 (Latin-1); check accented names, and export as UTF-8 next time"
        return data.decode("cp1252", errors="replace"), [Problem(path, 1, note, "warning")]


# -- export ---------------------------------------------------------------------------------------------------


def choose(contacts: Iterable[Contact], default_circle: str, *, tag: str | None = None,
           circle: str | None = None) -> list[Contact]:  # fmt: skip
    """The contacts an export takes: those with `tag` (with or without `#`, any case) and in `circle` (any
    case; a contact without a circle is in `default_circle`). None means no filter."""
    wanted_tag = tag.lstrip("#").casefold() if tag is not None else None
    wanted_circle = circle.lower() if circle is not None else None
    return [
        c
        for c in contacts
        if (wanted_tag is None or wanted_tag in {t.casefold() for t in c.tags})
        and (wanted_circle is None or (c.circle or default_circle) == wanted_circle)
    ]
