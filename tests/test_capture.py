"""Captured interactions (issue 13) matched to contacts: vaultnet.capture, with real contacts parsed from notes."""

from __future__ import annotations

from datetime import date

from vaultnet.capture import People, answered, match
from vaultnet.config import Settings
from vaultnet.model import Captured, Contact
from vaultnet.network import Interaction, build_network, with_captured
from vaultnet.parse import parse_note

TODAY = date(2026, 11, 30)


def contact(path: str, front_matter: str) -> Contact:
    parsed = parse_note(path, f"---\n{front_matter}\n---\n".encode(), Settings())
    assert parsed.contact is not None
    return parsed.contact


PEOPLE = [
    contact(
        "contacts/Anna Schmidt.md", "name: Anna Schmidt\naliases: [Annie]\nemail: [Anna@Acme.example, a@home.example]"
    ),
    contact("contacts/Bo.md", "name: Bo Ek\nemail: bo@x.example"),
    contact("contacts/Old.md", "name: Old Friend\nemail: old@x.example\narchived: true"),
]


def matched(*records: Captured) -> list[tuple[str, Interaction]]:
    """As `sources` assembles them: a mail to you only when one of yours answers it."""
    replied = answered(records)
    found = match(records, People(PEOPLE), TODAY)
    return [(path, i) for path, i, received in found if not received or i.source in replied]


def test_an_event_is_a_meeting_with_each_contact_among_its_attendees_in_any_case() -> None:
    event = Captured(date(2026, 11, 2), "meeting", ("anna@acme.example", "bo@x.example", "x@else.example"), "Sync")
    found = matched(event)
    assert [p for p, _ in found] == ["contacts/Anna Schmidt.md", "contacts/Bo.md"]
    assert found[0][1] == Interaction(date(2026, 11, 2), "meeting", "", "")  # no title kept


def test_an_events_title_names_people_by_link_or_exact_name() -> None:
    linked = Captured(date(2026, 11, 3), "meeting", (), "Lunch with [[Annie]]", source="e1")
    named = Captured(date(2026, 11, 4), "meeting", (), "coffee with bo ek, then Anna Schmidt!", source="e2")
    part = Captured(date(2026, 11, 5), "meeting", (), "Anna at the fair; Bo", source="e3")  # single words: no one
    assert [(p, i.day.day) for p, i in matched(linked, named, part)] == [
        ("contacts/Anna Schmidt.md", 3), ("contacts/Bo.md", 4), ("contacts/Anna Schmidt.md", 4)
    ]  # fmt: skip


def test_an_all_day_event_counts_only_for_the_people_its_title_names() -> None:
    day = Captured(date(2026, 11, 6), "meeting", ("bo@x.example",), "Offsite with Anna Schmidt", by_title_only=True)
    assert [p for p, _ in matched(day)] == ["contacts/Anna Schmidt.md"]


def test_a_mail_received_counts_only_when_one_of_yours_answers_it() -> None:
    theirs = Captured(date(2026, 11, 7), "email", ("bo@x.example",), source="m1", received=True)
    ignored = Captured(date(2026, 11, 8), "email", ("anna@acme.example",), source="m2", received=True)
    reply = Captured(date(2026, 11, 9), "email", ("bo@x.example",), source="m3", replies_to=("m1",))
    found = [(p, i.day.day) for p, i in matched(theirs, ignored, reply)]
    assert found == [("contacts/Bo.md", 7), ("contacts/Bo.md", 9)]


def test_the_future_and_archived_contacts_do_not_count() -> None:
    later = Captured(date(2026, 12, 1), "meeting", ("bo@x.example",), "Planning")
    old = Captured(date(2026, 11, 1), "email", ("old@x.example",))
    assert matched(later, old) == []


def test_captured_interactions_join_the_history_in_order() -> None:
    text = "---\nname: {}\n---\n## Log\n\n- 2026-11-05 call: shop talk\n"
    notes = [parse_note(c.path, text.format(c.name).encode(), Settings()) for c in PEOPLE[:2]]
    network = build_network(notes)
    mail = Interaction(date(2026, 11, 19), "email", "", "m9")
    seen = with_captured(network, {"contacts/Bo.md": (mail,), "contacts/Nobody.md": (mail,)})
    assert [i.kind for i in seen.history("contacts/Bo.md")] == ["call", "email"]
    assert seen.last_interaction("contacts/Bo.md") == mail
    assert network.history("contacts/Bo.md")[-1].kind == "call"  # the notes' network is left as it was
    assert "contacts/Nobody.md" not in seen.interactions


def test_the_people_digest_changes_with_what_matching_reads() -> None:
    again = People(PEOPLE).digest
    assert again == People(list(reversed(PEOPLE))).digest
    other = contact("contacts/Bo.md", "name: Bo Ek\nemail: [bo@x.example, bo@new.example]")
    assert People([PEOPLE[0], other, PEOPLE[2]]).digest != again
