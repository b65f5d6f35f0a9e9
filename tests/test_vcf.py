"""The vCard line reader (vaultnet.vcf): folds undone as bytes, quoted-printable, parameters, groups, charsets, and
what a broken file costs (a line, a card, never the file).

The inputs are shaped as the clients write them (Android's 2.1 quoted-printable, Apple's `itemN.` groups, Outlook's
bare parameters and Windows-1252, vCard 4.0 servers' quoted parameter lists); the well-formed samples of
tests/data/vcards are read by vobject too, and both readers must agree.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import vobject
from vaultkit import DATA, checkout_env

from vaultnet.values import labelled
from vaultnet.vcard import read_vcards
from vaultnet.vcf import Card, Property, read_cards

VCARDS = DATA / "vcards"
WELL_FORMED = ("apple-contacts.vcf", "google-contacts.vcf", "android-contacts.vcf", "vcard4.vcf")


def one_card(data: bytes, path: str = "x.vcf") -> Card:
    cards = read_cards(data, path)
    assert len(cards.cards) == 1 and cards.unreadable == 0, cards
    return cards.cards[0]


def prop(card: Card, name: str) -> Property:
    found = [p for p in card.properties if p.name == name]
    assert len(found) == 1, (name, card.properties)
    return found[0]


def crlf(*lines: str | bytes) -> bytes:
    """A card (BEGIN, VERSION 3.0, the lines, END) joined by CRLF, as most clients write it."""
    raw = [line.encode("utf-8") if isinstance(line, str) else line for line in lines]
    return b"\r\n".join([b"BEGIN:VCARD", b"VERSION:3.0", *raw, b"END:VCARD"]) + b"\r\n"


# -- unfolding --------------------------------------------------------------------------------------------------


def test_a_fold_inside_a_utf8_character_is_joined_before_decoding() -> None:
    """RFC 6350 folds at 75 octets, and Android does so in the middle of `ü` (C3 BC): decoding each physical line
    before unfolding gave `JÃ¼rgen`."""
    data = crlf(b"FN:J\xc3\r\n \xbcrgen Wei\xc3\r\n\t\x9f", b"NOTE:\xe5\xb1\r\n \xb1\xe7\x94\xb0")
    assert "J\xc3\r\n \xbc".encode("latin-1") in data  # the fold really splits the character
    card = one_card(data)
    assert prop(card, "FN").value == "Jürgen Weiß"
    assert prop(card, "NOTE").value == "山田"
    assert prop(card, "FN").line == 3  # the line it starts on


@pytest.mark.parametrize("newline", [b"\r\n", b"\n", b"\r"], ids=["CRLF", "LF", "CR"])
def test_every_line_ending_reads_alike_with_the_same_line_numbers(newline: bytes) -> None:
    data = newline.join([b"BEGIN:VCARD", b"VERSION:3.0", b"FN:Ann", b"NOTE:one", b"  two", b"EMAIL:a@x.example",
                         b"END:VCARD", b""])  # fmt: skip
    card = one_card(data)
    assert [(p.line, p.name, p.value) for p in card.properties] == [
        (2, "VERSION", "3.0"), (3, "FN", "Ann"), (4, "NOTE", "one two"), (6, "EMAIL", "a@x.example")
    ]  # fmt: skip


def test_a_blank_line_ends_a_content_line_and_a_fold_removes_one_blank_only() -> None:
    card = one_card(crlf("NOTE:a", "   b", "", "TITLE:x"))
    assert prop(card, "NOTE").value == "a  b"  # the fold's one blank removed, the two others are the text's
    assert prop(card, "TITLE").value == "x"


# -- quoted-printable and charsets ----------------------------------------------------------------------------------


def test_quoted_printable_soft_line_breaks_join_the_next_line_as_it_is() -> None:
    """Android's 2.1: `=` at the end of a line continues the value on the next, which starts without a blank (a
    leading blank there is a character of the value, not a fold)."""
    data = crlf(
        "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Tan=C4=B1=C5=9Ft=C4=B1k=3A=20=",
        "=C4=B0stanbul=",
        " Zirvesi=0D=0A2025",
        "TEL;CELL:+90 532 123 45 67",
    )
    card = one_card(data)
    assert prop(card, "NOTE").value == "Tanıştık: İstanbul Zirvesi\r\n2025"
    assert prop(card, "TEL").line == 6  # after the three physical lines of NOTE


def test_a_stray_equals_sign_at_the_end_of_a_quoted_printable_value_does_not_swallow_the_cards_end() -> None:
    cards = read_cards(crlf("FN:Ann", "NOTE;ENCODING=QUOTED-PRINTABLE:see you=") + crlf("FN:Bob"), "x.vcf")
    assert [prop(c, "FN").value for c in cards.cards] == ["Ann", "Bob"] and cards.problems == []
    assert prop(cards.cards[0], "NOTE").value == "see you"


def test_the_bare_quoted_printable_parameter_of_vcard_21() -> None:
    card = one_card(crlf("N;QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller;J=C3=BCrgen"))
    n = prop(card, "N")
    assert n.value == "Müller;Jürgen" and n.param("ENCODING") == ["QUOTED-PRINTABLE"]


def test_quoted_printable_in_iso_8859_1() -> None:
    card = one_card(crlf("FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=FCrgen Wei=DF"))
    assert prop(card, "FN").value == "Jürgen Weiß"


def test_a_value_that_is_not_utf8_without_a_charset_is_read_as_windows_1252_with_a_warning() -> None:
    """Outlook writes its 2.1 cards in the Windows code page and says nothing: the value is read, the user told
    where; the lines that are ASCII cost nothing."""
    cards = read_cards(crlf("FN:J\xfcrgen".encode("latin-1"), "ORG:Bäckerei € GmbH".encode("cp1252"),
                            "EMAIL:j@x.example"), "outlook.vcf")  # fmt: skip
    card = cards.cards[0]
    assert [prop(card, n).value for n in ("FN", "ORG", "EMAIL")] == ["Jürgen", "Bäckerei € GmbH", "j@x.example"]
    assert [(p.path, p.line, p.message.split(":")[0], p.severity) for p in cards.problems] == [
        ("outlook.vcf", 3, "FN", "warning"), ("outlook.vcf", 4, "ORG", "warning")
    ]  # fmt: skip
    assert "Windows-1252" in cards.problems[0].message


def test_a_bad_byte_with_a_charset_is_replaced_and_a_value_of_nothing_else_is_dropped() -> None:
    data = crlf(
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Ay=C5=9Fe =C3",  # cut off in the middle of a character
        "ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=80",  # issue 12, point 5: a lone 0x80
        "TITLE:CTO",
    )
    cards = read_cards(data, "android.vcf")
    card = cards.cards[0]
    assert prop(card, "FN").value == "Ayşe \ufffd"
    assert [p.name for p in card.properties] == ["VERSION", "FN", "TITLE"]  # ORG dropped, the card kept
    assert [(p.line, p.message.split(":")[0], p.severity) for p in cards.problems] == [
        (3, "FN", "warning"), (4, "ORG", "warning")
    ]  # fmt: skip
    assert "dropped" in cards.problems[1].message and "UTF-8" in cards.problems[1].message
    assert cards.unreadable == 0


def test_an_unknown_charset_is_read_as_utf8_with_a_warning() -> None:
    cards = read_cards(crlf("FN;CHARSET=X-KLINGON:Worf"), "x.vcf")
    assert prop(cards.cards[0], "FN").value == "Worf"
    assert [(p.line, p.severity) for p in cards.problems] == [(3, "warning")]
    assert "X-KLINGON" in cards.problems[0].message


def test_a_utf16_file_and_a_utf8_bom() -> None:
    """Outlook and some Windows tools save UTF-16 with a BOM; Notepad saves UTF-8 with one."""
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Øverby\r\nEMAIL:zoe@x.example\r\nEND:VCARD\r\n"
    for data in (text.encode("utf-16"), text.encode("utf-16-be").join([b"\xfe\xff", b""]), text.encode("utf-8-sig")):
        cards = read_cards(data, "x.vcf")
        assert cards.problems == []
        assert [(p.line, p.value) for p in cards.cards[0].properties][1:] == [(3, "Zoë Øverby"), (4, "zoe@x.example")]


# -- parameters and groups --------------------------------------------------------------------------------------------


def test_bare_parameters_of_vcard_21_are_types() -> None:
    card = one_card(crlf("TEL;WORK;FAX:+49 89 1234568", "PHOTO;JPEG;BASE64:/9j/4AAQ"))
    assert prop(card, "TEL").params == {"TYPE": ["WORK", "FAX"]}
    assert prop(card, "PHOTO").params == {"TYPE": ["JPEG"], "ENCODING": ["BASE64"]}


def test_parameter_lists_repeated_parameters_and_quoted_values_with_colons_and_semicolons() -> None:
    card = one_card(crlf(
        'TEL;TYPE="cell,voice";type=pref;VALUE=uri:tel:+81-90-1234-5678',
        'ADR;LABEL="Unter den Linden 1;\\n10117 Berlin: Mitte";TYPE=work,home:;;Unter den Linden 1;Berlin;;10117;DE',
        'EMAIL;X-NOTE=say "hi":a@x.example',  # a quote inside a value opens nothing
    ))  # fmt: skip
    tel = prop(card, "TEL")
    assert tel.params == {"TYPE": ["cell,voice", "pref"], "VALUE": ["uri"]} and tel.value == "tel:+81-90-1234-5678"
    adr = prop(card, "ADR")
    assert adr.params == {"LABEL": ["Unter den Linden 1;\\n10117 Berlin: Mitte"], "TYPE": ["work", "home"]}
    assert adr.value == ";;Unter den Linden 1;Berlin;;10117;DE"
    assert prop(card, "EMAIL").value == "a@x.example"


def test_groups_are_kept_lower_case_with_the_property_name_upper_case() -> None:
    card = one_card(crlf("item1.TEL;type=pref:+49 170 1234567", "item1.X-ABLabel:_$!<Mobile>!$_", "Item2.url:x"))
    assert [(p.group, p.name, p.value) for p in card.properties[1:]] == [
        ("item1", "TEL", "+49 170 1234567"), ("item1", "X-ABLABEL", "_$!<Mobile>!$_"), ("item2", "URL", "x")
    ]  # fmt: skip


def test_binary_values_are_never_decoded_and_21_base64_may_go_on_unindented() -> None:
    """A cut-off or corrupt photo costs nothing; vCard 2.1 writers put base64 on lines of their own until a
    blank line."""
    card = one_card(crlf("PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQ\xff\xfe", "SkZJRgABAQ==", "", "FN:Ann"))
    assert [(p.name, p.value) for p in card.properties[1:]] == [("PHOTO", ""), ("FN", "Ann")]


# -- what a broken file costs -----------------------------------------------------------------------------------------


def test_a_line_without_a_colon_is_a_warning_at_its_line_and_the_card_is_kept() -> None:
    cards = read_cards(crlf("FN:Greta Lund", 'EMAIL;TYPE="work:greta@lund.example', "just some words", "TITLE:x"),
                       "lund.vcf")  # fmt: skip
    assert [p.name for p in cards.cards[0].properties] == ["VERSION", "FN", "TITLE"]
    assert [(p.line, p.severity) for p in cards.problems] == [(4, "warning"), (5, "warning")]
    assert cards.problems[1].message == "this line cannot be read and was skipped: just some words"


def test_a_card_without_end_is_an_error_for_that_card_only() -> None:
    data = crlf("FN:Ann") + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut\r\n" + crlf("FN:Bob") + b"BEGIN:VCARD\r\nFN:Last\r\n"
    cards = read_cards(data, "x.vcf")
    assert [c.line for c in cards.cards] == [1, 8]
    assert [(p.line, p.severity) for p in cards.problems] == [(5, "error"), (12, "error")]
    assert cards.unreadable == 2
    assert "a new card begins" in cards.problems[0].message and "file ends" in cards.problems[1].message


def test_a_nested_begin_costs_the_outer_card_and_what_follows_its_end_is_outside_any_card() -> None:
    """vCard 2.1's AGENT may hold a whole card: the outer card cannot be read, the inner one is a card."""
    data = crlf("FN:Boss", "AGENT:", "BEGIN:VCARD", "FN:Assistant", "END:VCARD", "TITLE:CEO")
    cards = read_cards(data, "x.vcf")
    assert [[p.value for p in c.properties] for c in cards.cards] == [["Assistant"]]
    assert [(p.line, p.severity) for p in cards.problems] == [(1, "error")] and cards.unreadable == 1


def test_a_file_without_a_card() -> None:
    cards = read_cards(b"Name: Anna\nPhone: 123\n", "notes.vcf")
    assert cards.cards == [] and [(p.line, p.message) for p in cards.problems] == [
        (1, "no vCard in this file (no BEGIN:VCARD)")
    ]


# -- the same as an independent reader, and no runtime dependency on it ---------------------------------------------


@pytest.mark.parametrize("file", WELL_FORMED)
def test_vobject_reads_the_samples_as_vaultnet_does(file: str) -> None:
    data = (VCARDS / file).read_bytes()
    theirs = list(vobject.readComponents(data.decode("utf-8"), allowQP=True))
    ours = read_vcards(data, file)
    assert ours.problems == [] and len(ours.people) == len(theirs)
    for person, card in zip(ours.people, theirs, strict=True):
        assert person.name == card.fn.value
        assert person.emails == tuple(e.value.lower() for e in card.contents.get("email", []))
        assert [labelled(p)[0] for p in person.phones] == [
            t.value.removeprefix("tel:") for t in card.contents.get("tel", [])
        ]
        assert person.company == (card.org.value[0] if "org" in card.contents else None)
        if card.version.value != "2.1":  # vobject cuts 2.1's unescaped `Head of Sales, Nordics` at the comma
            assert person.role == (card.title.value if "title" in card.contents else None)
        assert person.notes == ((card.note.value.strip(),) if "note" in card.contents else ())
        n = card.n.value
        assert person.name_parts == (n.family, n.given, n.additional, n.prefix, n.suffix)


def test_reading_vcards_needs_no_vobject() -> None:
    """vobject is a test tool only (pyproject's test extras): the import command runs without it."""
    code = (
        "import sys; sys.modules['vobject'] = None\n"
        "import vaultnet.cli, vaultnet.actions\n"
        "from vaultnet.vcard import read_vcards\n"
        f"print(len(read_vcards(open({str(VCARDS / 'apple-contacts.vcf')!r}, 'rb').read(), 'x').people))"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=checkout_env(), capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout.strip()) == (0, "4"), proc.stderr
