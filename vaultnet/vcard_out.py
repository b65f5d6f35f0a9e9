"""Contacts out as vCard 4.0 (RFC 6350): one card per note, CRLF, folded and escaped by `contentline`, read by
phones, khard and vobject.

What a note becomes (each one is what the reader, `vcard`, maps back to the same field, so that an export
re-imported into an empty vault gives the same notes):
- `UID`: the note's `uid`, else `urn:uuid:` and a name-based (version 5) RFC 4122 UUID of the note's path, so
  the same note gets the same UID on every export, whatever happens to other notes.
- `N`: the stored `name_parts`; without them the whole name as the family part (`N:ACME Inc.;;;;`). Guessing
  the family name from the last word gave `N:Sr.;...` and `N:Inc.;ACME`, and address books sort by it.
- `NICKNAME` (one line per alias), `ORG`, `TITLE`, `EMAIL`, `BDAY` and `ANNIVERSARY` (`19900315`, or `--0315`
  without a year), `URL` (each of `urls`, then the LinkedIn profile), `CATEGORIES` (the tags), a `NOTE` for
  each quote under `## Notes from import` (a card's NOTE an import kept).
- `TEL` and `RELATED` with their labels (`+49 170 1234567 (cell)`, `Hanako Yamada (spouse)`, read by
  `values.labelled`): a label that is a type of the property goes into `TYPE=`, another one into an Apple
  style group, `item1.TEL:...` and `item1.X-ABLabel:Office line`, which Apple Contacts, khard and vaultnet's
  reader show as the label.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterable, Iterator

from vaultnet.contentline import escape, fold
from vaultnet.model import Birthday, Contact
from vaultnet.values import labelled, plain_text

# The namespace of the UIDs made from a note's path: uuid5(NAMESPACE_URL, "https://vaultnet.invalid/contacts").
# Fixed for good: changing it would give every exported contact without a `uid` a new identity.
UID_NAMESPACE = uuid.UUID("b05cb3ae-e0fa-57a6-a7d7-287d775df54f")

# TEL types of RFC 6350 6.4.1, and those Apple Contacts writes as TYPE (main, iphone, other): vaultnet's reader
# maps Apple's `_$!<Main>!$_` labels to these same words, so they come back as they went out.
TEL_TYPES = frozenset(
    {"text", "voice", "fax", "cell", "video", "pager", "textphone", "home", "work", "main", "iphone", "other"}
)
# RELATED types of RFC 6350 6.6.6.
RELATED_TYPES = frozenset(
    {"contact", "acquaintance", "friend", "met", "co-worker", "colleague", "co-resident", "neighbor", "child",
     "parent", "sibling", "spouse", "kin", "muse", "crush", "date", "sweetheart", "me", "agent", "emergency"}
)  # fmt: skip

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_QUOTE_IN_PARAM = re.compile(r"[;:,]")


def export_vcards(contacts: Iterable[Contact]) -> bytes:
    """vCard 4.0 (RFC 6350) of the contacts, in path order, CRLF and folded: readable by phones and khard."""
    lines = [line for contact in sorted(contacts, key=lambda c: c.path) for line in _card_lines(contact)]
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")


def contact_uid(contact: Contact) -> str:
    """The card's UID: the note's `uid`, else a `urn:uuid:` of a version 5 UUID of the note's path (without
    `.md`, case-folded: a path that differs only in case is the same note on macOS and Windows)."""
    if contact.uid:
        return contact.uid
    return f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, contact.path.removesuffix('.md').casefold())}"


def _card_lines(contact: Contact) -> Iterator[str]:
    groups = itertools.count(1)  # the card's Apple-style groups: item1, item2, ... in the order written
    yield "BEGIN:VCARD"
    yield "VERSION:4.0"
    yield "PRODID:-//vaultnet//vaultnet//EN"
    yield f"UID:{escape(contact_uid(contact))}"
    yield f"FN:{escape(contact.name)}"
    parts = contact.name_parts or (contact.name, "", "", "", "")
    yield "N:" + ";".join(escape(part) for part in parts)  # `;` and `,` escaped: each part stays one component
    for alias in dict.fromkeys(contact.aliases):
        # One line each: vobject reads a NICKNAME's text only up to its first unescaped comma, so a list on
        # one line would lose all but the first alias there.
        yield f"NICKNAME:{escape(alias)}"
    if contact.company:
        yield f"ORG:{escape(contact.company)}"
    if contact.role:
        yield f"TITLE:{escape(contact.role)}"
    for email in contact.emails:
        yield f"EMAIL:{escape(email)}"
    for phone in contact.phones:
        number, labels = labelled(phone)
        # VALUE=text: a note's number is free text as the user wrote it (`030 123456`, `+49 170 1234567`),
        # not the `tel:` URI that RFC 6350 says a 4.0 TEL should be; saying so keeps a strict 4.0 reader
        # from taking it for a URI. khard and vobject read the value the same with or without it (khard
        # strips a `tel:` prefix when there is one), so the parameter costs them nothing.
        yield from _labelled("TEL;VALUE=text", escape(number), labels, TEL_TYPES, groups)
    if contact.birthday is not None:
        yield f"BDAY:{_date(contact.birthday)}"
    if contact.anniversary is not None:
        yield f"ANNIVERSARY:{_date(contact.anniversary)}"
    for related in contact.related:
        yield from _related(related, groups)
    for url in dict.fromkeys([*contact.urls, *([contact.linkedin] if contact.linkedin else [])]):
        yield f"URL:{_uri(url)}"
    if contact.tags:
        yield "CATEGORIES:" + ",".join(escape(t) for t in contact.tags)
    for note in contact.import_notes:  # what an import kept of a card's NOTE goes back out; the rest of the body not
        yield f"NOTE:{escape(note)}"
    yield "END:VCARD"


def _related(text: str, groups: Iterator[int]) -> Iterator[str]:
    """`Hanako Yamada (spouse)` -> `RELATED;VALUE=text;TYPE=spouse:Hanako Yamada`. A link names the person by the
    text it shows (an address book has no notes to link to); a `urn:uuid:` (another card's UID, as a vCard
    import keeps it) is written as the URI it is."""
    value, labels = labelled(text)
    if value.casefold().startswith("urn:uuid:"):
        return _labelled("RELATED", _uri(value), labels, RELATED_TYPES, groups)
    return _labelled("RELATED;VALUE=text", escape(plain_text(value)), labels, RELATED_TYPES, groups)


def _labelled(
    head: str, value: str, labels: tuple[str, ...], types: frozenset[str], groups: Iterator[int]
) -> Iterator[str]:
    """A property with labels: those that are `types` as `TYPE=` (lower-case, as the RFC writes them), one other
    as an Apple-style group's `X-ABLabel` (`item1.TEL;...` + `item1.X-ABLabel:Office line`), the others in
    `TYPE=` too, where khard shows them and vaultnet's reader keeps them (lower-cased).

    A group holds one label (Apple and khard read one), which vaultnet's reader puts after the `TYPE` ones, and
    `TYPE` gives labels back lower-cased. So the group takes the last label that is no type and has capitals (its
    case kept, and its place when it is the last label); without one, the last label if it is no type; the rest
    go into `TYPE` in order: `(x-custom, cell)` comes back in its order, `(work, Office line)` as it was."""
    custom = [i for i, label in enumerate(labels) if label.lower() not in types]
    upper = [i for i in custom if labels[i] != labels[i].lower()]
    grouped = upper[-1] if upper else (custom[-1] if custom and custom[-1] == len(labels) - 1 else None)
    rest = [label for i, label in enumerate(labels) if i != grouped]
    typed = [label.lower() if label.lower() in types else _param(label) for label in rest]
    params = f";TYPE={','.join(dict.fromkeys(t for t in typed if t))}" if any(typed) else ""
    if grouped is None:
        yield f"{head}{params}:{value}"
        return
    group = f"item{next(groups)}"
    yield f"{group}.{head}{params}:{value}"
    yield f"{group}.X-ABLabel:{escape(labels[grouped])}"


def _param(text: str) -> str:
    """A parameter value (RFC 6350 3.3): in double quotes when it holds `;`, `:` or `,`; a double quote, which
    no parameter value can hold, becomes a single one."""
    text = _CONTROL.sub("", text).replace('"', "'")
    return f'"{text}"' if _QUOTE_IN_PARAM.search(text) else text


def _uri(text: str) -> str:
    """A URI value as written (URIs are not TEXT-escaped), without the control characters that would break
    the line."""
    return _CONTROL.sub("", text)


def _date(day: Birthday) -> str:
    """`19900315`, or `--0315` when the year is unknown (RFC 6350 4.3.1, date-noreduc)."""
    if day.year is None:
        return f"--{day.month:02d}{day.day:02d}"
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"
