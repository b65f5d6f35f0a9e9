"""Contacts out as vCard 4.0 (RFC 6350): one card per note, CRLF, folded and escaped by `contentline`, read by
phones, khard and other address books."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from vaultnet.contentline import escape, fold
from vaultnet.model import Contact


def _card_lines(contact: Contact) -> Iterator[str]:
    uid = contact.uid or "urn:uuid:" + _uuid_from(contact.path)
    parts = contact.name.rsplit(" ", 1)
    given, family = (parts[0], parts[1]) if len(parts) == 2 else ("", contact.name)
    yield "BEGIN:VCARD"
    yield "VERSION:4.0"
    yield "PRODID:-//vaultnet//vaultnet//EN"
    yield f"UID:{escape(uid)}"
    yield f"FN:{escape(contact.name)}"
    yield f"N:{_component(family)};{_component(given)};;;"
    if contact.company:
        yield f"ORG:{_component(contact.company)}"
    if contact.role:
        yield f"TITLE:{escape(contact.role)}"
    for email in contact.emails:
        yield f"EMAIL:{escape(email)}"
    for phone in contact.phones:
        yield f"TEL;VALUE=text:{escape(phone)}"
    if contact.birthday is not None:
        b = contact.birthday
        yield f"BDAY:{b.year:04d}{b.month:02d}{b.day:02d}" if b.year else f"BDAY:--{b.month:02d}{b.day:02d}"
    if contact.linkedin:
        yield f"URL:{contact.linkedin}"
    if contact.tags:
        yield "CATEGORIES:" + ",".join(escape(t) for t in contact.tags)
    yield "END:VCARD"


def _component(text: str) -> str:
    return escape(text)  # `;` and `,` are escaped, so a structured value keeps one component


def _uuid_from(path: str) -> str:
    h = hashlib.sha256(path.removesuffix(".md").casefold().encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def export_vcards(contacts: Iterable[Contact]) -> bytes:
    """vCard 4.0 (RFC 6350) of the contacts, in path order, CRLF and folded: readable by phones and khard."""
    lines = [line for contact in sorted(contacts, key=lambda c: c.path) for line in _card_lines(contact)]
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")
