"""vCard export (vaultnet.vcard_out) as the programs that read it see it: vobject with `validate=True`, and khard
on a vdir of the exported cards. The contacts are notes parsed by vaultnet's own parser, so what is tested is
what a vault exports: stored name parts, aliases, labelled phones, anniversaries, related people and web pages.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from pathlib import Path

import pytest
import vobject
from test_import_export import split_cards
from vaultkit import khard

from vaultnet.config import Settings
from vaultnet.model import Birthday, Contact, NameParts
from vaultnet.parse import parse_note
from vaultnet.vcard import read_vcards
from vaultnet.vcard_out import UID_NAMESPACE, contact_uid, export_vcards

NOTES = {
    "contacts/Yamada Taro.md": (
        '---\nname: Yamada Taro\nname_parts: {family: Yamada, given: Taro}\naliases: [Taro-chan, "Tarō, the elder"]\n'
        "company: ACME\nrole: Engineer\nemail: [taro@example.com, t.yamada@acme.example]\n"
        'phone: ["+81 90 1234 5678 (cell)", "+81 3 1234 5678 (work, fax)", "+81 3 9876 5432 (Office line)",'
        ' "+81 3 5555 0100 (work, Reception desk)", "+81 3 0000 1111"]\n'
        "birthday: --03-15\nanniversary: 2004-08-14\n"
        'related: [Hanako Yamada (spouse), Jane Doe (mother), "Ken Yamada (child, emergency)"]\n'
        "urls: [https://example.com/taro, https://github.com/taro]\n"
        "linkedin: https://www.linkedin.com/in/taro-yamada\ntags: [friends, work]\n---\n# Yamada Taro\n"
    ),
    # issue 12, point 4: names an exporter must not split
    "contacts/John Richter.md": '---\nname: "Mr. John Richter, James Doe"\nemail: john@example.com\n---\n',
    "contacts/山田太郎.md": "---\nname: 山田太郎\nanniversary: --06-01\n---\n",
    "contacts/ACME Inc.md": "---\nname: ACME Inc.\nphone: 030 123456\n---\n",
    "contacts/Zed Adams.md": (
        "---\nname: Dr. Zed Q. Adams PhD\nuid: zed-0001\n"
        "name_parts: {family: Adams, given: Zed, additional: Q., prefix: Dr., suffix: PhD}\n---\n"
    ),
}
UNSPLIT = ["Mr. John Richter, James Doe", "山田太郎", "ACME Inc."]


def parsed(notes: dict[str, str] = NOTES) -> list[Contact]:
    """The notes as vaultnet's parser reads them (each one a contact, without problems)."""
    out = []
    for path, text in notes.items():
        note = parse_note(path, text.encode("utf-8"), Settings())
        assert note.contact is not None and not note.problems, (path, note.problems)
        out.append(note.contact)
    return out


def cards(contacts: Iterable[Contact]) -> dict[str, vobject.base.Component]:
    """The exported cards as vobject reads them with validation on, by FN."""
    found = {}
    for card in vobject.readComponents(export_vcards(contacts).decode("utf-8"), validate=True):
        card.validate(raiseException=True)
        found[card.fn.value] = card
    return found


def labelled_lines(card: vobject.base.Component, name: str) -> list[tuple[str, list[str], str]]:
    """(value, TYPE values, the X-ABLabel of its group or "") of each `name` line, in card order."""
    labels = {line.group: line.value for line in card.getChildren() if line.name == "X-ABLABEL"}
    return [
        (line.value, line.params.get("TYPE", []), labels.get(line.group, "") if line.group else "")
        for line in card.getChildren()
        if line.name == name
    ]


# -- what vobject reads -------------------------------------------------------------------------------------------


def test_every_card_is_valid_vcard_4_for_vobject() -> None:
    raw = export_vcards(parsed())
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded at 75 octets
    found = cards(parsed())
    assert sorted(found) == sorted(["Yamada Taro", *UNSPLIT, "Dr. Zed Q. Adams PhD"])
    assert {card.version.value for card in found.values()} == {"4.0"}


def test_n_is_the_stored_name_parts() -> None:
    found = cards(parsed())
    taro, zed = found["Yamada Taro"].n.value, found["Dr. Zed Q. Adams PhD"].n.value
    assert (taro.family, taro.given, taro.additional, taro.prefix, taro.suffix) == ("Yamada", "Taro", "", "", "")
    assert (zed.family, zed.given, zed.additional, zed.prefix, zed.suffix) == ("Adams", "Zed", "Q.", "Dr.", "PhD")


def test_without_name_parts_the_whole_name_is_the_family_part() -> None:
    found = cards(parsed())
    for name in UNSPLIT:
        n = found[name].n.value
        assert (n.family, n.given, n.additional, n.prefix, n.suffix) == (name, "", "", "", ""), name
    lines = export_vcards(parsed()).decode("utf-8").split("\r\n")
    assert "N:Mr. John Richter\\, James Doe;;;;" in lines  # not N:Doe;Mr. John Richter, James (or Sr., Inc.)
    assert "N:山田太郎;;;;" in lines and "N:ACME Inc.;;;;" in lines


def test_aliases_are_nicknames_one_line_each() -> None:
    taro = cards(parsed())["Yamada Taro"]
    assert [n.value for n in taro.nickname_list] == ["Taro-chan", "Tarō, the elder"]


def test_phones_keep_their_types_and_custom_labels() -> None:
    taro = cards(parsed())["Yamada Taro"]
    assert labelled_lines(taro, "TEL") == [
        ("+81 90 1234 5678", ["cell"], ""),
        ("+81 3 1234 5678", ["work", "fax"], ""),
        ("+81 3 9876 5432", [], "Office line"),
        ("+81 3 5555 0100", ["work"], "Reception desk"),
        ("+81 3 0000 1111", [], ""),
    ]
    assert {tuple(tel.params["VALUE"]) for tel in taro.tel_list} == {("text",)}


def test_a_second_custom_label_goes_into_type_and_apple_words_are_types() -> None:
    contact = Contact(
        path="contacts/A.md",
        name="A",
        phones=("+1 555 0100 (Main)", "+1 555 0101 (night line, back: up)", "+1 555 0102 (iPhone, pref)"),
    )
    a = cards([contact])["A"]
    assert labelled_lines(a, "TEL") == [
        ("+1 555 0100", ["main"], ""),
        ("+1 555 0101", ["night line"], "back: up"),  # the last label in the group: read back after the TYPEs
        ("+1 555 0102", ["iphone"], "pref"),
    ]


def test_related_people_with_rfc_types_and_other_labels() -> None:
    taro = cards(parsed())["Yamada Taro"]
    assert labelled_lines(taro, "RELATED") == [
        ("Hanako Yamada", ["spouse"], ""),
        ("Jane Doe", [], "mother"),  # not an RFC 6350 RELATED type: an Apple-style label
        ("Ken Yamada", ["child", "emergency"], ""),
    ]
    assert {tuple(r.params["VALUE"]) for r in taro.related_list} == {("text",)}


def test_a_related_uid_is_a_uri_and_a_link_is_the_name_it_shows() -> None:
    uid = "urn:uuid:0f7a8c1e-2b3d-5e4f-8a9b-0c1d2e3f4a5b"
    contact = Contact(path="contacts/B.md", name="B", related=(f"{uid} (friend)", "[[Ken Yamada|Ken]] (child)"))
    b = cards([contact])["B"]
    assert labelled_lines(b, "RELATED") == [(uid, ["friend"], ""), ("Ken", ["child"], "")]
    assert "VALUE" not in b.related_list[0].params  # RELATED's value is a URI unless it says text


def test_dates_urls_organisation_and_tags() -> None:
    found = cards(parsed())
    taro = found["Yamada Taro"]
    assert taro.bday.value == "--0315"
    assert taro.anniversary.value == "20040814"
    assert found["山田太郎"].anniversary.value == "--0601"
    assert [u.value for u in taro.url_list] == [
        "https://example.com/taro", "https://github.com/taro", "https://www.linkedin.com/in/taro-yamada"
    ]  # fmt: skip
    assert (taro.org.value, taro.title.value) == (["ACME"], "Engineer")
    assert [e.value for e in taro.email_list] == ["taro@example.com", "t.yamada@acme.example"]
    assert taro.categories.value == ["friends", "work"]
    assert not hasattr(found["ACME Inc."], "anniversary") and not hasattr(found["ACME Inc."], "nickname")


def test_the_linkedin_profile_is_one_url_even_when_also_in_urls() -> None:
    profile = "https://www.linkedin.com/in/c"
    c = cards([Contact(path="contacts/C.md", name="C", urls=(profile, "https://c.example"), linkedin=profile)])["C"]
    assert [u.value for u in c.url_list] == [profile, "https://c.example"]


# -- UIDs ---------------------------------------------------------------------------------------------------------


def uids(contacts: Iterable[Contact]) -> dict[str, str]:
    return {name: card.uid.value for name, card in cards(contacts).items()}


def test_uids_are_rfc_4122_version_5_uuids_of_the_path() -> None:
    found = uids(parsed())
    assert found["Dr. Zed Q. Adams PhD"] == "zed-0001"  # the note's own uid, as written
    made = [uid for name, uid in found.items() if name != "Dr. Zed Q. Adams PhD"]
    assert len(set(made)) == len(made) == 4
    for uid in made:
        assert uid.startswith("urn:uuid:"), uid
        value = uuid.UUID(uid.removeprefix("urn:uuid:"))
        assert (value.version, value.variant) == (5, uuid.RFC_4122), uid
        assert str(value) == uid.removeprefix("urn:uuid:")  # lower-case, hyphenated: the canonical form
    # The namespace is fixed for good: a new one would give every exported contact a new identity.
    assert found["Yamada Taro"] == f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, 'contacts/yamada taro')}"


def test_uids_are_the_same_on_every_export_and_when_other_notes_are_renamed() -> None:
    before = uids(parsed())
    assert uids(parsed()) == before
    renamed = {("contacts/People/Johnny.md" if path == "contacts/John Richter.md" else path): text
               for path, text in NOTES.items()}  # fmt: skip
    after = uids(reversed(parsed(renamed)))
    assert after["Mr. John Richter, James Doe"] != before["Mr. John Richter, James Doe"]  # its own path changed
    del after["Mr. John Richter, James Doe"], before["Mr. John Richter, James Doe"]
    assert after == before
    # a path that differs only in case is the same note (macOS, Windows): the same UID
    upper = Contact(path="Contacts/YAMADA TARO.md", name="Yamada Taro")
    assert contact_uid(upper) == before["Yamada Taro"]


def test_export_is_deterministic_in_path_order() -> None:
    contacts = parsed()
    raw = export_vcards(contacts)
    assert export_vcards(reversed(contacts)) == raw
    assert [c.fn.value for c in vobject.readComponents(raw.decode("utf-8"))] == [
        "ACME Inc.", "Mr. John Richter, James Doe", "Yamada Taro", "Dr. Zed Q. Adams PhD", "山田太郎"
    ]  # fmt: skip


# -- khard --------------------------------------------------------------------------------------------------------


@pytest.fixture
def khard_book(tmp_path: Path) -> Path:
    """A khard configuration over a vdir (one .vcf per card) of the export."""
    pytest.importorskip("khard", reason="khard is in the test extras: pip install -e '.[test]'")
    book = tmp_path / "khard" / "book"
    book.mkdir(parents=True)
    for index, text in enumerate(split_cards(export_vcards(parsed()))):
        (book / f"{index:02d}.vcf").write_bytes(text.encode("utf-8"))
    config = tmp_path / "khard" / "khard.conf"
    config.write_text(f"[addressbooks]\n[[vaultnet]]\npath = {book}\n\n[general]\ndebug = no\n", encoding="utf-8")
    return config


def test_khard_sorts_by_the_stored_family_name(khard_book: Path, tmp_path: Path) -> None:
    listed = khard(khard_book, "list", "--parsable", "-s", "last_name", "-d", "last_name", home=tmp_path / "home")
    assert listed.returncode == 0, listed.stderr
    names = [line.split("\t")[1] for line in listed.stdout.splitlines()]
    # Guessed from the last word, these were "Inc., ACME", "Doe, Mr. John Richter, James" and "Taro, Yamada".
    assert names == ["ACME Inc.", "Adams, Zed Q.", "Mr. John Richter, James Doe", "Yamada, Taro", "山田太郎"]


def test_khard_shows_phone_types_custom_labels_and_the_rest(khard_book: Path, tmp_path: Path) -> None:
    phones = khard(khard_book, "phone", "--parsable", "Taro", home=tmp_path / "home")
    assert phones.returncode == 0, phones.stderr
    rows = {tuple(line.split("\t")) for line in phones.stdout.splitlines()}
    # khard names him from N, given name first: "Taro Yamada", not the note's "Yamada Taro"
    assert {("+81 3 9876 5432", "Taro Yamada", "Office line"), ("+81 3 1234 5678", "Taro Yamada", "work, fax"),
            ("+81 90 1234 5678", "Taro Yamada", "cell")} <= rows  # fmt: skip
    shown = khard(khard_book, "show", "Taro", home=tmp_path / "home")
    assert shown.returncode == 0, shown.stderr
    for expected in ("Nickname:", "Taro-chan", "Anniversary:", "https://github.com/taro", "Birthday: --03-15"):
        assert expected in shown.stdout, (expected, shown.stdout)


# -- round trip -----------------------------------------------------------------------------------------------


def test_reading_the_export_gives_the_contacts_back() -> None:
    """The reader (`vcard.read_vcards`) gives back what the export wrote; the newer fields are in the test below."""
    contacts = parsed()
    reading = read_vcards(export_vcards(contacts), "all.vcf")
    assert reading.problems == []
    people = {p.name: p for p in reading.people}
    assert sorted(people) == sorted(c.name for c in contacts)
    for c in contacts:
        p = people[c.name]
        assert (p.emails, p.company, p.role, p.birthday, p.linkedin, p.tags) == (
            c.emails, c.company, c.role, c.birthday, c.linkedin, c.tags
        ), c.name  # fmt: skip
        assert p.uid == contact_uid(c)
        assert p.phones == c.phones, c.name  # labels and all


def test_reading_the_export_gives_every_field_back() -> None:
    contacts = parsed()
    people = {p.name: p for p in read_vcards(export_vcards(contacts), "all.vcf").people}
    for c in contacts:
        p = people[c.name]
        assert p.name_parts == c.name_parts, c.name  # None stays None: N:<name>;;;; says no more than the name
        assert (p.aliases, p.phones, p.anniversary, p.related, p.urls) == (
            c.aliases, c.phones, c.anniversary, c.related, c.urls
        ), c.name  # fmt: skip


def test_the_birthday_and_anniversary_forms() -> None:
    contact = Contact(path="contacts/D.md", name="D", birthday=Birthday(2, 29, None), anniversary=Birthday(1, 2, 1999))
    lines = export_vcards([contact]).decode("utf-8").split("\r\n")
    assert "BDAY:--0229" in lines and "ANNIVERSARY:19990102" in lines
    assert re.search(r"^N:D;;;;$", "\n".join(lines), re.MULTILINE)
    parts = Contact(path="contacts/E.md", name="E", name_parts=NameParts(family="Doe; Jr", given="Jo,Ann"))
    assert "N:Doe\\; Jr;Jo\\,Ann;;;" in export_vcards([parts]).decode("utf-8").split("\r\n")
