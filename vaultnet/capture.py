"""Interactions captured from calendars and mail (`model.Captured`), matched to the contacts they are with.

An event's occurrence is a meeting with each contact one of its attendee or organizer addresses belongs to
(not for an all-day event: that counts only for the people its title names), and with each contact its title
names: by a `[[link]]` (the contact's file name, name or alias) or by the contact's exact name in it, word for
word ("Coffee with Anna Schmidt"). A mail you sent is an e-mail with each contact one of its addresses belongs to;
a mail someone sent you counts only when one of your mails answers it. Occurrences after `today` do not count.

Matching looks names up by their first word, so that a title costs as many lookups as it has words, however
many contacts the vault has. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import date

from vaultnet.links import find_links
from vaultnet.model import Captured, Contact
from vaultnet.network import Interaction

_WORD = re.compile(r"\w+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in _WORD.findall(text))


class People:
    """The contacts as matching sees them: by e-mail address, by name for links, by the words of their names."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        self.by_email: dict[str, list[str]] = {}
        self.by_link: dict[str, list[str]] = {}
        self.by_first_word: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        keys = []
        for contact in sorted(contacts, key=lambda c: c.path):
            if contact.archived:
                continue
            keys.append((contact.path, contact.name, contact.aliases, contact.emails))
            for email in dict.fromkeys(e.strip().casefold() for e in contact.emails):
                self.by_email.setdefault(email, []).append(contact.path)
            stem = contact.path.rsplit("/", 1)[-1].removesuffix(".md")
            for name in dict.fromkeys(n.casefold() for n in (contact.name, *contact.aliases, stem)):
                self.by_link.setdefault(name, []).append(contact.path)
            words = _words(contact.name)
            if len(words) >= 2:  # one word ("Anna") is too common to find in a title without a link
                self.by_first_word.setdefault(words[0], []).append((words, contact.path))
        self.digest = hashlib.blake2b(repr(keys).encode(), digest_size=16).hexdigest()

    def named_in(self, title: str) -> list[str]:
        """The contacts an event's title names: linked, or by their exact name."""
        found: list[str] = []
        for link in find_links(title):
            found += self.by_link.get(link.target.strip().casefold(), [])[:1]  # a name several share: the first
        words = _words(title)
        for at, word in enumerate(words):
            for name, path in self.by_first_word.get(word, ()):
                if words[at : at + len(name)] == name:
                    found.append(path)
        return found

    def of_address(self, address: str) -> list[str]:
        return self.by_email.get(address, [])


def answered(records: Iterable[Captured]) -> set[str]:
    """The ids of the mails your mails answer."""
    return {source for record in records for source in record.replies_to}


def match(records: Iterable[Captured], people: People, until: date) -> Iterator[tuple[str, Interaction, bool]]:
    """(contact, interaction, whether it is a mail to you) for each contact each record up to `until` is with. A
    mail to you counts only once one of yours answers it (`answered`): the caller knows all the answers."""
    for record in records:
        if record.day > until:
            continue
        paths: list[str] = []
        if not record.by_title_only:
            for address in record.addresses:
                paths += people.of_address(address)
        if record.kind == "meeting":
            paths += people.named_in(record.title)
        for path in dict.fromkeys(paths):
            # No text: what a command keeps of it is the contact, the day, the kind and the source id, no title.
            yield path, Interaction(record.day, record.kind, "", record.source), record.received
