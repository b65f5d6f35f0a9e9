"""What a vCard becomes (vaultnet.vcard.read_vcards): the read side of issue 12, one test per point.

Each card is written the way its client writes it (Apple Contacts' `itemN.` groups and `_$!<Label>!$_`, Google's
escaped CATEGORIES, Android's 2.1 quoted-printable, Outlook's bare `TEL;WORK;FAX`, Evolution's and KDE's
anniversaries, vCard 4.0 servers' RELATED); the people in them are fictional.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultnet.contacts_io import Person, Reading
from vaultnet.model import Birthday, NameParts
from vaultnet.vcard import read_vcards
from vaultnet.vcf import read_cards


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\r\n"


def read(*cards: str | bytes, path: str = "book.vcf") -> Reading:
    data = b"".join(c.encode("utf-8") if isinstance(c, str) else c for c in cards)
    return read_vcards(data, path)


def person(*lines: str, version: str = "3.0") -> Person:
    reading = read(card(*lines, version=version))
    assert reading.problems == [] and len(reading.people) == 1, reading
    return reading.people[0]


def fold_bytes(line: str, width: int = 75) -> bytes:
    """RFC 6350 folding done as Android does it: at `width` octets, wherever a UTF-8 character happens to be."""
    data = line.encode("utf-8")
    return b"\r\n ".join(data[i : i + width] for i in range(0, len(data), width))


# -- point 3: a year the address book does not know -----------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-15",  # Apple Contacts
        "BDAY;X-APPLE-OMIT-YEAR=1604;VALUE=date:1604-03-15",
        "BDAY:16040315",  # CardBook
        "BDAY:1604-03-15T00:00:00Z",
        "BDAY:0000-03-15",
        "BDAY:00000315",
        "BDAY:--0315",  # vCard 4.0
        "BDAY:--03-15",
        "BDAY;X-APPLE-OMIT-YEAR=1972:1972-03-15",  # the parameter says so, whatever the year written
    ],
)
def test_point_3_a_year_written_as_1604_or_0000_or_omitted_is_an_unknown_year(line: str) -> None:
    assert person("FN:Ann", line).birthday == Birthday(3, 15, None)


def test_point_3_a_real_year_is_kept_and_an_unreadable_date_is_a_warning_at_its_line() -> None:
    assert person("FN:Ann", "BDAY:19900315").birthday == Birthday(3, 15, 1990)
    assert person("FN:Ann", "BDAY;VALUE=date:1990-03-15T00:00:00Z").birthday == Birthday(3, 15, 1990)
    reading = read(card("FN:Ann", "BDAY;VALUE=text:circa 1800", "ANNIVERSARY:2004-02-30"))
    assert (reading.people[0].birthday, reading.people[0].anniversary) == (None, None)
    assert [(p.line, p.message.split(":")[0], p.severity) for p in reading.problems] == [
        (4, "BDAY", "warning"), (5, "ANNIVERSARY", "warning")
    ]  # fmt: skip


# -- point 5: one bad byte costs a value, not the card -------------------------------------------------------------


def test_point_5_a_quoted_printable_org_of_a_lone_0x80_keeps_the_card() -> None:
    reading = read(
        card(
            "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=96zt=C3=BCrk;Ay=C5=9Fe;;;",
            "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Ay=C5=9Fe=20=C3=96zt=C3=BCrk",
            "ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=80",
            "TEL;CELL:+90 532 123 45 67",
            version="2.1",
        ),
        path="android.vcf",
    )
    assert [(p.name, p.company, p.phones) for p in reading.people] == [
        ("Ayşe Öztürk", None, ("+90 532 123 45 67 (cell)",))
    ]
    assert [(p.path, p.line, p.severity) for p in reading.problems] == [("android.vcf", 5, "warning")]
    assert reading.problems[0].message.startswith("ORG: ") and reading.unreadable == 0


# -- point 6: Google's CATEGORIES --------------------------------------------------------------------------------


def test_point_6_google_escapes_the_comma_between_categories() -> None:
    ann = person("FN:Ann", "CATEGORIES:category1\\, category2", "CATEGORIES:myContacts,#Climbing Club,starred,work")
    assert ann.tags == ("category1", "category2", "Climbing-Club", "work")


# -- point 7: groups and companies are no people to greet -------------------------------------------------------


def test_point_7_groups_and_companies_are_skipped_and_reported() -> None:
    reading = read(
        card("FN:Ann", "EMAIL:ann@x.example"),
        card("KIND:group", "FN:Book club", "MEMBER:urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af", version="4.0"),
        card("KIND:org", "FN:ACME Inc.", "ORG:ACME Inc.", version="4.0"),
        card("X-ADDRESSBOOKSERVER-KIND:group", "FN:Family", "N:Family"),  # iCloud's groups
        card("N:;;;;", "FN:ACME GmbH", "ORG:ACME GmbH;", "X-ABShowAs:COMPANY"),  # Apple's company card
        card("EMAIL:"),
    )
    assert [p.name for p in reading.people] == ["Ann"]
    assert reading.skipped == [(6, "a group"), (12, "a company"), (18, "a group"), (24, "a company"),
                               (31, "no name and no e-mail")]  # fmt: skip
    assert [(p.line, p.severity) for p in reading.problems] == [(31, "warning")]  # only the card without anything


# -- point 10: a fold inside a UTF-8 character -------------------------------------------------------------------


def test_point_10_a_fold_that_splits_a_character_garbles_nothing_and_duplicates_no_one() -> None:
    names = ["Jürgen Weiß", "Zoë Ångström-Øverby", "山田太郎", "Nguyễn Thị Minh Khai"]
    data = b"".join(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\n"
        + fold_bytes(f"FN:{'x' * offset}{name}")
        + b"\r\n"
        + fold_bytes(f"NOTE:{'y' * offset}{name} — {name}")
        + b"\r\nEND:VCARD\r\n"
        for name in names
        for offset in range(68, 76)  # every place a fold can fall in these names' characters
    )
    assert b"\xc3\r\n \xbc" in data or b"\xc3\r\n \x9f" in data  # a fold really falls inside a character
    reading = read_vcards(data, "android.vcf")
    assert reading.problems == []
    assert len(reading.people) == len(names) * 8  # one person per card
    for p in reading.people:
        name = p.name.lstrip("x")
        assert name in names and len(p.notes) == 1 and p.notes[0].lstrip("y") == f"{name} — {name}"


# -- point 12: nothing dropped without a word ---------------------------------------------------------------------


def test_point_12_nicknames_become_aliases_without_the_name_itself() -> None:
    ann = person("FN:Anna Schmidt", "NICKNAME:Anni,Anna Schmidt,Schmidti", "NICKNAME:anni\\, the boss")
    assert ann.aliases == ("Anni", "Schmidti", "anni, the boss")


@pytest.mark.parametrize(
    "lines",
    [
        ("ANNIVERSARY:20040814",),  # vCard 4.0
        ("X-ANNIVERSARY:2004-08-14",),  # Thunderbird, Android
        ("X-EVOLUTION-ANNIVERSARY:2004-08-14",),
        ("X-MS-ANNIVERSARY:2004-08-14",),  # Outlook
        ("X-KADDRESSBOOK-X-Anniversary:2004-08-14",),  # KDE
        ("item1.X-ABDATE;type=pref:2004-08-14", "item1.X-ABLabel:_$!<Anniversary>!$_"),  # Apple Contacts
    ],
)
def test_point_12_anniversaries_in_every_spelling(lines: tuple[str, ...]) -> None:
    assert person("FN:Ann", *lines).anniversary == Birthday(8, 14, 2004)


def test_point_12_an_anniversary_without_a_year_and_apples_other_dates() -> None:
    ann = person("FN:Ann", "item1.X-ABDATE;X-APPLE-OMIT-YEAR=1604:1604-08-14", "item1.X-ABLabel:_$!<Anniversary>!$_",
                 "item2.X-ABDATE:2019-05-01", "item2.X-ABLabel:_$!<Other>!$_")  # fmt: skip
    assert ann.anniversary == Birthday(8, 14, None)
    assert ann.unmapped == ("X-ABDATE",)  # the date labelled Other is no field of a note


def test_point_12_related_people_with_their_relation() -> None:
    ann = person(
        "FN:Taro Yamada",
        "RELATED;TYPE=spouse;VALUE=text:Hanako Yamada",
        "RELATED;TYPE=child:urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        "item1.X-ABRELATEDNAMES;type=pref:Keiko Yamada",
        "item1.X-ABLabel:_$!<Mother>!$_",
        "item2.X-ABRELATEDNAMES:Ken Sato",
        "item2.X-ABLabel:Godfather",
        version="4.0",
    )
    assert ann.related == ("Hanako Yamada (spouse)", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6 (child)",
                           "Keiko Yamada (mother)", "Ken Sato (Godfather)")  # fmt: skip


def test_point_12_every_url_and_the_linkedin_profile_apart() -> None:
    ann = person(
        "FN:Ann",
        "item1.URL:https\\://www.linkedin.com/in/ann-x/",  # Google escapes the colon
        "item1.X-ABLabel:LinkedIn",
        "URL;TYPE=home:https://ann.example",
        "URL:http://linkedin.com/in/ann-x",  # the same profile, written otherwise
        "URL:https://github.com/ann-x",
        "URL:https://ann.example",
    )
    assert ann.linkedin == "https://www.linkedin.com/in/ann-x"
    assert ann.urls == ("https://ann.example", "https://github.com/ann-x")


def test_point_12_every_email_and_every_phone_with_its_type_and_a_fax_says_so() -> None:
    ann = person(
        "FN:Ann",
        "EMAIL;TYPE=INTERNET;TYPE=WORK:Ann@Work.example",
        "EMAIL;TYPE=INTERNET,HOME:ann@home.example",
        "EMAIL:ANN@WORK.EXAMPLE",
        "TEL;TYPE=CELL;TYPE=VOICE;TYPE=pref:+49 170 1234567",
        "TEL;TYPE=WORK,FAX:+49 30 1234568",
        "TEL;TYPE=MOBILE:+491701234567",  # the first number again: merged, its labels added
        "item1.TEL:+49 30 9999",
        "item1.X-ABLabel:_$!<HomeFAX>!$_",
        "item2.TEL:+1 555 0100",
        "item2.X-ABLabel:Office line",
        "item3.TEL:+1 555 0101",
        "item3.X-ABLabel:Line 2",  # a label with a digit cannot be read back from `(...)`: left out
        "TEL;TYPE=text,x-signal:+44 7700 900123",
    )
    assert ann.emails == ("ann@work.example", "ann@home.example")
    assert ann.phones == ("+49 170 1234567 (cell)", "+49 30 1234568 (work, fax)", "+49 30 9999 (home, fax)",
                          "+1 555 0100 (Office line)", "+1 555 0101", "+44 7700 900123 (text, x-signal)")  # fmt: skip


def test_point_12_outlooks_bare_types_and_a_vcard_4_uri() -> None:
    ann = person("FN:Ann", "TEL;WORK;FAX:+49 89 1234568", "TEL;HOME;VOICE:+49 89 1234567", "TEL;PREF;CELL:+49 170 1",
                 version="2.1")  # fmt: skip
    assert ann.phones == ("+49 89 1234568 (work, fax)", "+49 89 1234567 (home)", "+49 170 1 (cell)")
    kenji = person("FN:Kenji", 'TEL;VALUE=uri;TYPE="voice,cell":tel:+81-90-1234-5678', version="4.0")
    assert kenji.phones == ("+81-90-1234-5678 (cell)",)


def test_unmapped_lists_what_no_field_takes_once_in_card_order() -> None:
    ann = person(
        "PRODID:-//Apple Inc.//iPhone OS 17.5//EN",
        "N:Schmidt;Anna;;;",
        "FN:Anna Schmidt",
        "item1.ADR;type=HOME:;;Lindenstraße 12;Berlin;;10969;Germany",
        "item1.X-ABADR:de",
        "item2.X-SOCIALPROFILE;type=twitter:x-apple:annaschmidt",
        "item2.X-ABLabel:Twitter",
        "item3.ADR;type=WORK:;;Unter den Linden 1;Berlin;;10117;Germany",
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD",
        "ORG:ACME;Data Platform",
        "IMPP;X-SERVICE-TYPE=Skype:skype:anna",
        "REV:2024-01-02T03:04:05Z",
        "X-ABUID:5A3C8F2E-1B4D-4E6F-9A7B-2C8D0E1F3A4B:ABPerson",
    )
    assert ann.unmapped == ("ADR", "X-ABADR", "X-SOCIALPROFILE", "PHOTO", "IMPP", "X-ABUID")
    assert ann.company == "ACME"


# -- the name, the structured name, the rest ------------------------------------------------------------------------


def test_the_structured_name_is_kept_only_when_it_says_more_than_the_name() -> None:
    taro = person("FN:山田太郎", "N:Yamada;Taro;;;")
    assert (taro.name, taro.name_parts) == ("山田太郎", NameParts("Yamada", "Taro"))
    richter = person("FN:Mr. John Richter\\, James Doe Sr.", "N:Doe;John;Richter\\, James;Mr.;Sr.")
    assert richter.name == "Mr. John Richter, James Doe Sr."
    assert richter.name_parts == NameParts("Doe", "John", "Richter, James", "Mr.", "Sr.")
    assert person("FN:Cher", "N:Cher;;;;").name_parts is None
    assert person("FN:Cher", "N:;;;;").name_parts is None
    assert person("FN:Cher").name_parts is None


def test_the_name_from_n_or_else_the_first_email() -> None:
    assert person("N:Lefèvre;Noémie;Marie;Dr.;PhD", version="2.1").name == "Dr. Noémie Marie Lefèvre PhD"
    mail = person("EMAIL:Someone@Example.org", "EMAIL:other@example.org")
    assert (mail.name, mail.emails) == ("someone@example.org", ("someone@example.org", "other@example.org"))


def test_company_role_uid_notes_and_where_the_person_came_from() -> None:
    reading = read(
        card("FN:Ann"),
        card(
            "FN:Bob",
            "ORG:Engel\\, Wolf & Partner;M&A",
            "ROLE:Partner",
            "UID: urn:uuid:1234 ",
            "NOTE:wire money by Friday\\n- 2024-01-02 call",
            "NOTE:second note",
        ),
        path="contacts.vcf",
    )
    bob = reading.people[1]
    assert (bob.company, bob.role, bob.uid) == ("Engel, Wolf & Partner", "Partner", "urn:uuid:1234")
    assert bob.notes == ("wire money by Friday\n- 2024-01-02 call", "second note")  # each NOTE its own quote
    assert (bob.source, bob.line, bob.path, bob.met) == ("vcard", 5, "contacts.vcf", None)  # REV is no `met`
    assert person("FN:Ann", "TITLE:CTO", "ROLE:Founder").role == "CTO"


def test_a_card_that_cannot_be_read_is_counted_and_the_others_are_people() -> None:
    reading = read(card("FN:Ann"), "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut off\r\n", card("FN:Bob"))
    assert [p.name for p in reading.people] == ["Ann", "Bob"]
    assert reading.unreadable == 1 and [(p.line, p.severity) for p in reading.problems] == [(5, "error")]


# -- whatever the bytes: every card accounted for, nothing raised --------------------------------------------------

PIECES = [
    "BEGIN:VCARD", "END:VCARD", "VERSION:2.1", "FN:Ann", "N:;;", "EMAIL:a@x", "TEL;WORK;FAX:1", "item1.TEL:2",
    "item1.X-ABLabel:_$!<Mobile>!$_", "BDAY:1604-01-01", "BDAY:--13-45", "KIND:group", "CATEGORIES:a\\,b",
    "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=C3=", "ORG;CHARSET=UTF-8:\udcff", " folded", "=41=",
    'TEL;TYPE="a:b', "RELATED;TYPE=spouse:x", "X-ABShowAs:COMPANY", "", "no colon", "\\", ";;;,,,",
    "URL:linkedin.com/in/x",
]  # fmt: skip


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.sampled_from(PIECES), max_size=40), ending=st.sampled_from(["\r\n", "\n", "\r"]))
def test_any_mix_of_vcard_pieces_is_read_without_an_exception(lines: list[str], ending: str) -> None:
    data = ending.join(lines).encode("utf-8", errors="surrogateescape")
    reading = read_vcards(data, "x.vcf")
    cards = read_cards(data, "x.vcf")
    assert len(reading.people) + len(reading.skipped) == len(cards.cards)
    errors = [p for p in reading.problems if p.message.startswith("this vCard cannot be read")]
    assert reading.unreadable == cards.unreadable == len(errors)
    assert all(p.name for p in reading.people)
