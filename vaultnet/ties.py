"""What vaultnet knows about one tie in the network, for the rules and the insights: when it was last
touched, the give and take, a line that helps to talk to them, and what they share with the people you are
active with. Pure functions of the network; no I/O, no clock.
"""

from __future__ import annotations

from datetime import date

from vaultnet.model import Contact
from vaultnet.network import Network


def last_touch(contact: Contact, network: Network) -> date | None:
    """The last interaction, else the day you met: how long a tie has been quiet."""
    last = network.last_interaction(contact.path)
    return last.day if last is not None else contact.met


def balance(contact: Contact, network: Network) -> tuple[int, int]:
    """(given, received): the #gave and #got of every interaction with the contact."""
    history = network.history(contact.path)
    return sum(1 for i in history if i.gave), sum(1 for i in history if i.got)


def briefing(contact: Contact, network: Network) -> str:
    """One line that helps to talk to someone: who they are, what they care about, where you left off."""
    parts = [", ".join(x for x in (contact.role, contact.company) if x)]
    if contact.interests:
        parts.append("interests: " + ", ".join(contact.interests))
    last = network.last_interaction(contact.path)
    if last is not None:
        parts.append(f"last contact {last.day.isoformat()}" + (f" ({last.kind})" if last.kind else ""))
    parts.extend(f"open promise: {p.text}" for p in contact.open_promises)
    introducer = network.contact(network.introducer.get(contact.path, ""))
    if introducer is not None:
        parts.append(f"introduced by {introducer.name}")
    return f"{contact.name}: " + "; ".join(p for p in parts if p) if any(parts) else contact.name


class SharedContext:
    """Who you are active with, indexed by what a dormant tie might share with them."""

    def __init__(self, active: list[Contact], network: Network) -> None:
        self.network = network
        self.paths = {c.path for c in active}
        self.by_company: dict[str, Contact] = {}
        self.by_tag: dict[str, Contact] = {}
        self.by_introducer: dict[str, Contact] = {}
        for contact in sorted(active, key=lambda c: c.path):  # the first in path order speaks for the others
            if contact.company:
                self.by_company.setdefault(contact.company.casefold(), contact)
            for tag in contact.tags:
                self.by_tag.setdefault(tag.casefold(), contact)
            introducer = network.introducer.get(contact.path)
            if introducer:
                self.by_introducer.setdefault(introducer, contact)

    def of(self, contact: Contact) -> str | None:
        """Why reviving this tie is natural: someone you are active with shares a company, an introducer or
        a tag with them, or introduced you."""
        company = self.by_company.get((contact.company or "").casefold())
        if company is not None and company.path != contact.path:
            return f"{company.name} also works at {contact.company}"
        introducer = self.network.introducer.get(contact.path)
        if introducer in self.paths:
            via = self.network.contact(introducer or "")
            return f"{via.name} introduced you" if via is not None else None
        sibling = self.by_introducer.get(introducer or "")
        if sibling is not None and sibling.path != contact.path:
            via = self.network.contact(introducer or "")
            return f"{via.name} introduced you to {sibling.name} too" if via is not None else None
        for tag in sorted(t.casefold() for t in contact.tags):
            other = self.by_tag.get(tag)
            if other is not None and other.path != contact.path:
                return f"like {other.name}, tagged #{tag}"
        return None
