"""Issue 12's "Done when", end to end on a corpus of real-world-shaped vCards.

The corpus is in tests/data/vcards/corpus: 57 cards from 13 writers, and its README says where each file's
shape comes from. `PEOPLE` and `SKIPPED` below say what every card must become under issue 12's import
design: each person's note with its values, and each card that is not a person with the reason it is
skipped. The tests check four things. Every card is accounted for. Each note holds what its cards say, and
a card's NOTE is never read as promises or log entries. The vault is byte for byte the same whether the
corpus is imported in one command, in one command per file, or twice. `export vcard` writes cards that
vobject (with `validate=True`) and khard read, and those cards import back into the same notes.

Everything runs through the real command line (`init`, `import vcard`, `export vcard`) on vaults in
tmp_path, on a fixed day (VAULTNET_TODAY). Notes are read back with `parse_note`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest
import vobject
from click.testing import Result
from vaultkit import DATA, DAY, PROBLEM, TODAY, khard, parse_problems, run

from vaultnet.model import Contact, NameParts
from vaultnet.parse import parse_note
from vaultnet.pipeline import load_settings

CORPUS = DATA / "vcards" / "corpus"
IOS, MAC, GOOGLE, ANDROID21, ANDROID30, OUTLOOK, CARDBOOK, EVOLUTION, KDE, NEXTCLOUD, DAVX5, KHARD, BLACKBERRY = (
    "iphone-ios.vcf", "macos-contacts.vcf", "google-contacts.vcf", "android-2.1.vcf", "android-3.0.vcf",
    "outlook.vcf", "thunderbird-cardbook.vcf", "evolution.vcf", "kaddressbook.vcf", "nextcloud.vcf",
    "davx5-radicale.vcf", "khard.vcf", "blackberry.vcf",
)  # fmt: skip
FILES = (IOS, MAC, GOOGLE, ANDROID21, ANDROID30, OUTLOOK, CARDBOOK, EVOLUTION, KDE, NEXTCLOUD, DAVX5, KHARD, BLACKBERRY)
PATHS = tuple(CORPUS / file for file in FILES)  # the import order: which card comes first decides a note's name


@dataclass(frozen=True)
class Expected:
    """One note that the corpus must give. `files` lists the files of the person's cards in import order
    (twice the same file: one person twice in that file). Dates are written as the note writes them
    (`--03-15` when the year is unknown). `note` lists the lines of the cards' NOTEs, each of which the
    note's body must quote (`> line`)."""

    name: str
    files: tuple[str, ...]
    name_parts: NameParts | None = None
    aliases: tuple[str, ...] = ()
    company: str | None = None
    role: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    birthday: str | None = None
    anniversary: str | None = None
    related: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    linkedin: str | None = None
    uid: str | None = None
    tags: tuple[str, ...] = ()
    note: tuple[str, ...] = ()


def N(family: str, given: str, additional: str = "", prefix: str = "", suffix: str = "") -> NameParts:
    return NameParts(family, given, additional, prefix, suffix)


LINKEDIN = "https://www.linkedin.com/in/"
E = Expected
PEOPLE: tuple[Expected, ...] = (
    # -- iOS: item groups, X-ABLabel, omit-year, X-ABDATE anniversary, X-ABRELATEDNAMES, `https\://`
    E("Taro Yamada", (IOS,), N("Yamada", "Taro"), ("Taro-chan",), "ACME Japan K.K.", "Senior Engineer",
      ("taro.yamada@icloud.example", "taro@acme-japan.example"),
      ("+81 90 1234 5678 (cell)", "+81 80 9876 5432 (iphone, cell)", "+81 3 1234 5678 (work, fax)",
       "+81 3 1234 5600 (Office line)"),
      "--03-15", "2004-08-14", ("Hanako Yamada (spouse)", "Michiko Yamada (mother)"), ("https://taro.example.jp",),
      LINKEDIN + "taro-yamada",
      note=("Prefers LINE over e-mail.", "Introduced by Hanako at the Kyoto robotics meetup.")),
    E("Dr. Hélène Marie Dubois-Fontaine", (IOS,), N("Dubois-Fontaine", "Hélène", "Marie", "Dr."),
      company="Institut Pasteur", role="Research Director", emails=("helene.dubois@pasteur.example",),
      phones=("+33 1 45 68 80 00 (work)", "+33 1 45 68 80 01 (main)", "+33 6 98 76 54 32 (pager)"),
      birthday="1975-09-30"),
    # the same person on an Android phone: no UID and no e-mail on either side, so the name alone matches
    E("Noémie Lefèvre", (IOS, ANDROID21), N("Lefèvre", "Noémie"),
      phones=("+33 6 12 34 56 78 (cell)", "+33 4 78 00 11 22 (home)"), birthday="--11-02"),
    E("Olumide Adeyemi", (IOS,), N("Adeyemi", "Olumide"), company="Paystack", role="Staff Engineer",
      emails=("olumide@paystack.example", "olu.adeyemi@mail.example"),
      phones=("+234 1 555 0100 (home, fax)", "+234 803 555 0142 (pager)"), birthday="1989-06-12"),
    E("Sofía Gutiérrez", (IOS,), N("Gutiérrez", "Sofía"), ("Sofi",), emails=("sofia.gutierrez@correo.example",),
      phones=("+34 612 34 56 78 (cell)",), birthday="1991-02-28"),
    E("Mateus Costa", (IOS,), N("Costa", "Mateus"), phones=("+55 11 98765 4321 (cell)",)),
    # -- macOS; Kenji's Evolution card is found by the LinkedIn URL (other e-mail, other FN, a UID)
    E("Kenji Watanabe", (MAC, EVOLUTION), N("Watanabe", "Kenji"), company="Sakura Systems K.K.",
      role="Engineering Manager", emails=("kenji.watanabe@sakura.example", "kenji.w@gmail.example"),
      phones=("+81-90-1111-2222 (cell)", "+81 90 3333 4444 (cell)"), linkedin=LINKEDIN + "kenji-watanabe",
      uid="pas-id-5F3A2B1C00000001"),
    E("Grace O'Malley", (MAC,), N("O'Malley", "Grace"), emails=("grace.omalley@eircom.example",),
      phones=("+353 1 555 0123 (home)",), birthday="1988-12-24", anniversary="--06-21",
      related=("Liam O'Malley (child)",), note=("Book club since 2019, reads sci-fi.", "Ask about the Dublin trip.")),
    E("Ana María López García", (MAC,), N("López García", "Ana María"), company="Telefónica", role="Product Lead",
      emails=("anamaria.lopez@telefonica.example",), phones=("+34 91 555 01 23 (Oficina)",)),
    # -- Google; Lars's Outlook card is found by the e-mail (no UIDs, another FN); Priya is in the file twice
    E("Lars Kristiansen", (GOOGLE, OUTLOOK), N("Kristiansen", "Lars"), company="Fjordkraft Data AS",
      role="Head of Sales, Nordics", emails=("lars@fjordkraft-data.example",),
      phones=("+47 412 34 567 (cell)", "+47 22 55 01 00 (work)", "+47 22 55 01 99 (work, fax)"),
      anniversary="2011-01-13", urls=("https://fjordkraft-data.example",), tags=("Work",)),
    E("Priya Raman", (GOOGLE, GOOGLE), N("Raman", "Priya"), company="Monzo",
      emails=("priya.raman@mailbox.example", "priya@monzo.example"), phones=("+44 7700 900123 (cell)",),
      birthday="1992-11-02", tags=("Friends", "Climbing-Club")),
    E("Zoë Ångström-Øverby", (GOOGLE,), N("Ångström-Øverby", "Zoë"), company="Nordlys Analytics AB",
      role="Principal Engineer, Platform", emails=("zoe.overby@nordlys.example",), phones=("+46 70 123 45 67 (cell)",),
      birthday="--04-12", urls=("https://github.com/zoe-overby",), linkedin=LINKEDIN + "zoe-overby",
      tags=("Climbing-Club", "Malmö"),
      note=("- [ ] wire money by Friday", "- 2024-01-02 call about the offsite", "Likes Øredev, Malmö.")),
    E("王芳", (GOOGLE,), N("王", "芳"), company="深圳光电科技有限公司", role="产品经理",
      emails=("wang.fang@example.cn",), tags=("Friends",)),
    E("Nguyễn Thị Minh Khai", (GOOGLE,), N("Nguyễn", "Minh Khai", "Thị"), phones=("+84 90 123 4567 (cell)",)),
    E("Hannah Berg", (GOOGLE,), N("Berg", "Hannah"), emails=("hannah.berg@posteo.example",)),
    # -- Android 2.1: quoted-printable; Ayşe's ORG is a lone 0x80 (dropped), Lukas's TITLE has a bad byte (U+FFFD)
    E("Ayşe Öztürk", (ANDROID21,), N("Öztürk", "Ayşe"), role="CTO", emails=("ayse.ozturk@example.com.tr",),
      phones=("+90 532 123 45 67 (cell)", "+90 212 555 01 23 (work)"), birthday="1985-07-04",
      note=("Tanıştık: İstanbul Robotik Zirvesi 2025. Otonom depo robotları üzerine çalışıyor; Ekim'de Berlin'e "
            "geliyor.",)),
    E("Lukas Brenner", (ANDROID21,), N("Brenner", "Lukas"), company="Brenner Holzbau GmbH", role="Gesch\ufffdftsführer",
      emails=("lukas.brenner@posteo.example",),
      phones=("+49 170 1234567 (cell)", "+49 89 123456 (home)", "+49 89 1234599 (work, fax)"), birthday="1979-02-11"),
    E("Mehmet Yılmaz", (ANDROID21,), N("Yılmaz", "Mehmet"), emails=("mehmet.yilmaz@example.com.tr",),
      phones=("+90 555 444 33 22 (cell)",),
      note=("Kalkınma ajansı", "- [ ] send the offer by 2026-12-01", "- 2025-03-02 met at the fair")),
    E("Camille Roux", (ANDROID21,), N("Roux", "Camille"), emails=("camille.roux@orange.example",),
      phones=("+33 7 55 44 33 22 (cell)",), birthday="1993-10-10"),
    # -- Android 3.0, folded at 75 octets through UTF-8 characters; a card with only an e-mail
    E("Jürgen Weiß", (ANDROID30,), N("Weiß", "Jürgen"),
      company="Bäckerei Weiß & Söhne – Feine Brötchen und Backwaren aus Köln-Mülheim", role="Bäckermeister",
      emails=("juergen.weiss@web.example",), phones=("+49 171 5550101 (cell)",), birthday="1972-05-17"),
    E("Małgorzata Wiśniewska-Kołodziejczyk", (ANDROID30,), N("Wiśniewska-Kołodziejczyk", "Małgorzata"), ("Gosia",),
      emails=("m.wisniewska@example.pl",), phones=("+48 22 555 01 77 (work)", "+48 601 555 777 (cell)"),
      note=("Poznałyśmy się w Łodzi na konferencji; zajmuje się przetargami – chętnie pomoże. Ulubiona kawiarnia: "
            "Łódź, ul. Piotrkowska.",)),
    E("kim.tran@example.org", (ANDROID30,), emails=("kim.tran@example.org",)),
    # -- Outlook 2.1 in Windows-1252
    E("Dörte Weiß", (OUTLOOK,), N("Weiß", "Dörte"), company="Stadtwerke Köln", role="Referentin Öffentlichkeitsarbeit",
      emails=("doerte.weiss@stadtwerke-koeln.example",), phones=("+49 221 178 0 (work)",), birthday="1980-03-17",
      note=("Angebot für das Sommerfest: 250 €", "- [ ] Vertrag bis Freitag schicken",
            "- 2024-01-02 Anruf wegen Catering")),
    E("Emeka Okonkwo", (OUTLOOK,), N("Okonkwo", "Emeka"), company="Lagos Fintech Labs", role="Head of Partnerships",
      emails=("emeka@lagosfintech.example", "emeka.okonkwo@gmail.example", "e.okonkwo@alumni.example"),
      phones=("+234 1 555 0177 (home)", "+234 803 555 0199 (cell)", "+234 803 555 0100 (pager)"),
      urls=("http://emeka.example.ng",)),
    E("Yui Nakamura", (OUTLOOK,), N("Nakamura", "Yui"), company="Kansai Robotics", role="Project Manager",
      emails=("yui.nakamura@kansai-robotics.example",), phones=("+81 6 5555 0134 (work)", "+81 90 5555 0134 (cell)")),
    # -- Thunderbird CardBook 4.0
    E("Ingrid Solberg", (CARDBOOK,), N("Solberg", "Ingrid"), company="Equinor", role="Lead Geophysicist",
      emails=("ingrid.solberg@equinor.example",), phones=("+47 900 12 345 (cell)",), birthday="--09-23",
      uid="3d8a1f60-5b7e-4a39-9c1e-2f6b8d0e4a11", tags=("Geology", "Oslo")),
    E("Thomas Müller-Lüdenscheidt", (CARDBOOK,), N("Müller-Lüdenscheidt", "Thomas"), ("Tom", "Tommi"),
      emails=("thomas@mueller-luedenscheidt.example",), phones=("+49 2351 555 0100 (home)", "+49-2351-555-0199 (work)"),
      birthday="1971-07-23", anniversary="2015-06-20", urls=("https://tml.example.de",),
      uid="9b2e7c41-0d6a-4f3e-8a15-c7d9e2f4b6a8"),
    E("Dagny Berg", (CARDBOOK,), N("Berg", "Dagny"), company="Universitetet i Oslo", role="Associate Professor",
      emails=("dagny.berg@uio.example",), phones=("+47 22 85 50 50 (work)",),
      uid="e41c0a77-2b58-4d6f-9e13-8a0b5c7d2f94"),
    # -- Evolution (X-EVOLUTION-SPOUSE and -MANAGER are not mapped by the design: they stay out of the note)
    E("Sven Lindgren", (EVOLUTION,), N("Lindgren", "Sven"), ("Svenne",), "Volvo Cars", "Calibration Engineer",
      ("sven.lindgren@volvocars.example",), ("+46 31 555 12 34 (work)", "+46 70 555 12 34 (cell)"), "1983-01-30",
      "2012-09-08", uid="pas-id-5F3A2B1C00000002", tags=("Business", "VIP"),
      note=("Met at the Gothenburg embedded meetup; wants to hear about our CAN tooling, ask in Q2.",)),
    E("Fatima Zahra El Amrani", (EVOLUTION,), N("El Amrani", "Fatima Zahra"), emails=("fatima@fz-design.example.ma",),
      phones=("+212 6 12 34 56 78 (cell)",), urls=("https://fz-design.example.ma",), uid="pas-id-5F3A2B1C00000003"),
    E("Inês Baptista", (EVOLUTION,), N("Baptista", "Inês"), emails=("ines.baptista@sapo.example",),
      phones=("+351 21 555 0123 (home)",), birthday="1995-08-19", uid="pas-id-5F3A2B1C00000004"),
    # -- KAddressBook: ROLE without TITLE, X-KADDRESSBOOK-X-Anniversary
    E("Aleksander Nowak", (KDE,), N("Nowak", "Aleksander"), ("olek",), "KDE e.V.", "Treasurer",
      ("aleksander.nowak@kde.example",), ("+48 600 555 123 (cell)", "+48 12 555 0100 (work)"), "1977-11-05",
      "2001-06-09", urls=("https://olek.example.org",), uid="gH8xL2pQ9a", tags=("KDE", "Akademy")),
    E("Pierre-Yves Le Gall", (KDE,), N("Le Gall", "Pierre-Yves"), company="Le Gall Conseil", role="Consultant",
      emails=("py.legall@breizh.example", "pierre-yves@legall-conseil.example"),
      phones=("+33 2 98 55 01 23 (home)", "+33 6 55 01 23 45 (cell)"), uid="kX3vB7nR2m", tags=("Bretagne",)),
    E("Anja Kowalczyk", (KDE,), N("Kowalczyk", "Anja"), emails=("anja.kowalczyk@fastmail.example",),
      phones=("+49 160 5550199 (cell)",), uid="pQ7wE2tY9u"),
    # -- Nextcloud 4.0; Chiara's khard card has the same UID; the two John Does have different UIDs and e-mails
    E("Chiara Esposito", (NEXTCLOUD, KHARD), N("Esposito", "Chiara"), ("Chia",), "Fincantieri",
      "Director, Strategic Partnerships", ("chiara.esposito@fincantieri.example", "chiara.esposito@libero.example"),
      ("+39 040 555 0123 (work)", "+39 347 555 0198 (cell)"), "--07-19", "2010-09-18",
      ("Marco Rossi (spouse)", "urn:uuid:0b9e3c6a-5d1f-4e2b-8a7c-9f0e1d2c3b4a (friend)"),
      uid="6c2d1a0e-8f3b-4e5a-9b7c-1d2e3f4a5b6c",
      note=("Met at Seatrade Europe. Follow up on the Trieste shipyard tour.", "Prefers WhatsApp to e-mail.")),
    E("John Doe", (NEXTCLOUD,), N("Doe", "John"), company="Initech", emails=("john.doe@fastmail.example",),
      phones=("+1 415 555 0101 (cell)",), uid="4a1e7d52-9c3b-4f08-b6e1-2d5a8c9f0e17",
      note=("Met at the PyBay sprint.",)),
    E("Amara Nwosu", (NEXTCLOUD,), N("Nwosu", "Amara"), company="Lagos Fintech Labs", emails=("amara@nwosu.example",),
      phones=("+234-809-555-0123 (cell)",), birthday="--11-08", urls=("https://lagosfintech.example/team/amara",),
      uid="urn:uuid:7d1e2f3a-4b5c-4d6e-8f70-1a2b3c4d5e6f", tags=("conference", "lagos")),
    E("Tomasz Zieliński", (NEXTCLOUD,), N("Zieliński", "Tomasz"), emails=("tomasz.zielinski@wp.example",),
      phones=("+48 501 555 321 (cell)",), birthday="1988-02-29", anniversary="--05-01",
      uid="c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"),
    # -- DAVx5 to Radicale: labels through `davdroid1.` groups
    E("María García", (DAVX5,), N("García", "María"), emails=("maria.garcia@example.es",),
      phones=("+34 600 555 012 (cell)", "+34 911 555 013 (Casa de verano)"), birthday="--03-14",
      urls=("https://maria.example.es",), uid="8e2d4f6a-1b3c-4d5e-9f0a-2b4c6d8e0f1a",
      note=("Neighbour from the summer house; ask about the boat before June, she sells it in July.",)),
    E("Ole Hansen", (DAVX5,), N("Hansen", "Ole"), ("Ole H.",), "Maersk", emails=("ole.hansen@maersk.example",),
      phones=("+45 20 55 01 23 (cell)", "+45 33 63 33 63 (Boat)"), uid="d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a"),
    # -- khard 3.0: X-ANNIVERSARY, `itemtel1.` labels
    E("John Doe", (KHARD,), N("Doe", "John"), company="Globex Corporation", role="Sales Engineer",
      emails=("jdoe@globex.example",), phones=("+1 212 555 0199 (work)",), uid="b7f3c9e2-6a1d-4e8b-9c2f-0d3e5a7b9c1e",
      note=("Not the Initech John: this one sells turbines.",)),
    E("Ravi Shankar", (KHARD,), N("Shankar", "Ravi"), emails=("ravi.shankar@proton.example",),
      phones=("+91 98450 55501 (cell)", "+91 80 5555 0101 (Office)"), birthday="1990-08-30",
      uid="2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a"),
    E("Beatriz Souza", (KHARD,), N("Souza", "Beatriz"), ("Bia",), emails=("bia.souza@uol.example",),
      phones=("+55 21 99876 5432 (cell)",), anniversary="2018-04-28", urls=("https://bia.example.br",),
      uid="f0e1d2c3-b4a5-4968-8776-655443322110"),
    # -- BlackBerry 2.1: N without FN, bare QUOTED-PRINTABLE, year 0000
    E("Chidi Okafor", (BLACKBERRY,), N("Okafor", "Chidi"), company="Dangote Logistics", role="Fleet Manager",
      emails=("chidi.okafor@example.ng",), phones=("+234 802 555 0111 (cell)", "+234 1 555 0222 (work)"),
      birthday="--05-17"),
    E("Siobhán Ní Bhriain", (BLACKBERRY,), N("Ní Bhriain", "Siobhán"), emails=("siobhan.nibhriain@eircom.example",),
      phones=("+353 91 555 012 (home)",), note=("Galway hurling club", "- [ ] post the jersey")),
    E("Wolfgang Petersen", (BLACKBERRY,), N("Petersen", "Wolfgang"), company="Hafen Hamburg Logistik",
      emails=("w.petersen@hafen.example",), phones=("+49 40 555 0188 (work)", "+49 172 555 0188 (cell)")),
)  # fmt: skip
# file -> the cards in it that are not people: (the card's FN or what it holds, the reason it is skipped)
SKIPPED: dict[str, tuple[tuple[str, str], ...]] = {
    MAC: (("Sakura Systems K.K.", "a company"), ("Book Club", "a group")),  # X-ABShowAs / X-ADDRESSBOOKSERVER-KIND
    CARDBOOK: (("Stammtisch Lüdenscheid", "a group"),),  # KIND:group
    DAVX5: (("Familie", "a group"), ("Radicale Hosting e.V.", "a company")),  # KIND:group, KIND:org
    BLACKBERRY: (("Taxi Ruf Köln (ORG and TEL only)", "no name and no e-mail"),),
}
PEOPLE_CARDS = sum(len(p.files) for p in PEOPLE)
SKIPPED_CARDS = sum(len(s) for s in SKIPPED.values())
OPTIONAL_COUNTS = ("merged with another card", "skipped", "ambiguous", "unreadable")
SUMMARY = re.compile(r"^(\d+) cards read: (.+?) \((?:were|would be) written\)", re.MULTILINE)
COUNT = re.compile(r"(\d+) ([a-z][a-z ]*)")


# -- helpers --------------------------------------------------------------------------------------------------


class Imported(NamedTuple):
    root: Path
    results: list[Result]


Twice = tuple[Imported, dict[str, bytes]]  # the vault imported twice, and its contacts after the first run


def cli(*args: str | Path) -> Result:
    """The CLI in-process on the fixed day: imported people are met on it."""
    return run(*args, env={"VAULTNET_TODAY": DAY})


def new_vault(root: Path) -> Path:
    result = cli("init", root)
    assert result.exit_code == 0, result.output
    return root


def import_vcards(root: Path, *paths: Path) -> Result:
    """`import vcard` of the files; its exit code is checked by the tests (one of them: 0), not here, so that a
    failing import still shows what each test checks."""
    return cli("import", "vcard", *paths, "--vault", root)


def summary(result: Result) -> dict[str, int]:
    """The counts of the import's summary line, by label ("read" for the cards read); the optional counts are 0
    when the line leaves them out, which it must do exactly when they are 0."""
    found = SUMMARY.findall(result.stdout)
    assert len(found) == 1, result.stdout
    read, rest = found[0]
    pairs = [COUNT.fullmatch(part) for part in rest.split(", ")]
    assert all(pairs), rest
    counts = {m[2]: int(m[1]) for m in pairs if m}
    labels = list(counts)
    assert labels[:3] == ["new", "updated", "unchanged"], rest
    assert labels[3:] == [label for label in OPTIONAL_COUNTS if label in counts], rest
    assert all(counts[label] for label in labels[3:]), f"a count of 0 is left out: {rest}"
    return {"read": int(read), **{label: 0 for label in OPTIONAL_COUNTS}, **counts}


def cards_in(file: str) -> int:
    return len(re.findall(rb"^BEGIN:VCARD\r?$", (CORPUS / file).read_bytes(), re.MULTILINE | re.IGNORECASE))


def contact_files(root: Path) -> dict[str, bytes]:
    """Every file under the contacts folder, by vault-relative path, with its bytes."""
    found = sorted(p for p in (root / "contacts").rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in found}


def notes(root: Path) -> dict[str, Contact]:
    """The contacts folder's notes as `parse_note` reads them, by path; each must parse without a problem."""
    settings = load_settings(root)
    out: dict[str, Contact] = {}
    for rel, data in contact_files(root).items():
        if not rel.endswith(".md"):  # init's .gitkeep
            continue
        note = parse_note(rel, data, settings)
        assert note.problems == (), (rel, note.problems)
        assert note.contact is not None, rel
        out[rel] = note.contact
    return out


def find(expected: Expected, contacts: list[Contact]) -> Contact:
    """The note of an expected person: by uid, else by the first e-mail, else by name (each must be unique)."""
    if expected.uid:
        found = [c for c in contacts if c.uid == expected.uid]
    elif expected.emails:
        found = [c for c in contacts if expected.emails[0] in {e.lower() for e in c.emails}]
    else:
        found = [c for c in contacts if c.name == expected.name]
    assert len(found) == 1, (expected.name, [c.path for c in found])
    return found[0]


def values(c: Contact | Expected) -> dict[str, object]:
    """What the table compares, with dates as a note writes them."""
    fields = ("name", "name_parts", "aliases", "company", "role", "emails", "phones", "related", "urls", "linkedin")
    out: dict[str, object] = {f: getattr(c, f) for f in (*fields, "uid", "tags")}
    if isinstance(c, Contact):
        out["birthday"] = str(c.birthday) if c.birthday else None
        out["anniversary"] = str(c.anniversary) if c.anniversary else None
    else:
        out["birthday"], out["anniversary"] = c.birthday, c.anniversary
    return out


def split_note(text: str) -> tuple[str, str]:
    """(front matter, body) of a note that starts with `---`."""
    text = text.replace("\r\n", "\n")
    assert text.startswith("---\n"), text[:80]
    front, body = text[4:].split("\n---\n", 1)
    return front, body


# -- the imports, once for the module ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_command(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    root = new_vault(tmp_path_factory.mktemp("one-command") / "vault")
    return Imported(root, [import_vcards(root, *PATHS)])


@pytest.fixture(scope="module")
def per_file(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    root = new_vault(tmp_path_factory.mktemp("per-file") / "vault")
    return Imported(root, [import_vcards(root, path) for path in PATHS])


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> Twice:
    """The corpus imported in one command, twice; with the contacts folder as the first run left it."""
    root = new_vault(tmp_path_factory.mktemp("twice") / "vault")
    first = import_vcards(root, *PATHS)
    after_first = contact_files(root)
    return Imported(root, [first, import_vcards(root, *PATHS)]), after_first


# -- the corpus -----------------------------------------------------------------------------------------------


def test_the_corpus_is_as_described() -> None:
    """At least 40 cards from at least 8 writers, every card in the table, and the byte-level shapes the
    tests rely on still in the files (an editor that re-saves them as UTF-8 would lose them)."""
    assert sorted(p.name for p in CORPUS.glob("*.vcf")) == sorted(FILES)
    assert len(FILES) >= 8 and sum(cards_in(f) for f in FILES) >= 40
    for file in FILES:
        listed = sum(p.files.count(file) for p in PEOPLE) + len(SKIPPED.get(file, ()))
        assert cards_in(file) == listed, file
    raw = {file: (CORPUS / file).read_bytes() for file in FILES}
    with pytest.raises(UnicodeDecodeError):  # folded at 75 octets, through characters ...
        raw[ANDROID30].decode("utf-8")
    raw[ANDROID30].replace(b"\r\n ", b"").decode("utf-8")  # ... whole again once unfolded as bytes
    with pytest.raises(UnicodeDecodeError):
        raw[OUTLOOK].decode("utf-8")  # Windows-1252
    assert "Dörte Weiß".encode("cp1252") in raw[OUTLOOK]
    assert b"ENCODING=QUOTED-PRINTABLE:=80\r\n" in raw[ANDROID21]  # the bad byte
    assert b"=\r\n=" in raw[ANDROID21]  # quoted-printable's soft line break
    assert b";QUOTED-PRINTABLE:" in raw[BLACKBERRY] and b"BDAY:0000-" in raw[BLACKBERRY]
    assert b"X-APPLE-OMIT-YEAR=1604" in raw[IOS] and b"BDAY;VALUE=date:1604-" in raw[IOS]
    assert b"BDAY:1604" in raw[CARDBOOK] and b"KIND:group" in raw[CARDBOOK] and b"KIND:org" in raw[DAVX5]
    assert b"X-ABShowAs:COMPANY" in raw[MAC] and b"X-ADDRESSBOOKSERVER-KIND:group" in raw[MAC]
    assert b"CATEGORIES:myContacts\\,starred\\," in raw[GOOGLE] and b"TEL;WORK;FAX:" in raw[OUTLOOK]
    assert all(not raw[f].replace(b"\r\n", b"").count(b"\n") for f in FILES)  # CRLF throughout


# -- one command: every card accounted for, every note as the table says ------------------------------------


def test_every_card_is_accounted_for(one_command: Imported) -> None:
    assert one_command.results[0].exit_code == 0, one_command.results[0].output  # warnings only: no card lost
    counts = summary(one_command.results[0])
    assert counts == {
        "read": sum(cards_in(f) for f in FILES),
        "new": len(PEOPLE),
        "updated": 0,
        "unchanged": 0,
        "merged with another card": PEOPLE_CARDS - len(PEOPLE),
        "skipped": SKIPPED_CARDS,
        "ambiguous": 0,
        "unreadable": 0,
    }
    assert counts["read"] == PEOPLE_CARDS + SKIPPED_CARDS
    assert len(notes(one_command.root)) == len(PEOPLE)  # a note for each person, and nothing else


@pytest.mark.parametrize("expected", PEOPLE, ids=[f"{p.name}-{p.files[0].split('.')[0]}" for p in PEOPLE])
def test_each_person_has_a_note_with_their_cards_values(one_command: Imported, expected: Expected) -> None:
    contact = find(expected, list(notes(one_command.root).values()))
    assert values(contact) == values(expected)


def test_no_two_people_share_a_note(one_command: Imported) -> None:
    """The two John Does (other UIDs, other e-mails) stay two people; each expected person has a note of
    their own."""
    contacts = list(notes(one_command.root).values())
    paths = [find(p, contacts).path for p in PEOPLE]
    assert len(set(paths)) == len(PEOPLE)
    assert sorted(c.name for c in contacts).count("John Doe") == 2


def test_imported_people_are_met_on_the_import_day(one_command: Imported) -> None:
    """An old REV (Outlook's 2008, macOS's 2011) is when a card was edited, not when you met."""
    met = {c.name: c.met for c in notes(one_command.root).values()}
    assert met == dict.fromkeys(met, TODAY)


def test_a_cards_note_is_quoted_and_never_read_as_promises_or_a_log(one_command: Imported) -> None:
    contacts = list(notes(one_command.root).values())
    for contact in contacts:
        assert contact.promises == () and contact.log == (), (contact.path, contact.promises, contact.log)
    for expected in PEOPLE:
        contact = find(expected, contacts)
        _, body = split_note((one_command.root / contact.path).read_text(encoding="utf-8"))
        quoted = [line for line in body.splitlines() if line.startswith(">")]
        for line in expected.note:
            assert f"> {line}" in quoted, (contact.path, line, body)
        if not expected.note:
            assert quoted == [], (contact.path, body)


def test_damaged_values_are_warnings_at_their_lines_and_nothing_else_is(one_command: Imported) -> None:
    """Android's ORG that decodes to a lone 0x80 and its TITLE with a Latin-1 byte are each a warning at that
    property's line, naming it; the cards are imported (the table). The other files are read without a word:
    Windows-1252 with its CHARSET, folds through UTF-8 characters, quoted-printable, photos."""
    result = one_command.results[0]
    assert all(PROBLEM.match(line) for line in result.stderr.splitlines()), result.stderr
    rows = (CORPUS / ANDROID21).read_bytes().split(b"\r\n")
    org = next(i for i, row in enumerate(rows, 1) if row.startswith(b"ORG;") and row.endswith(b":=80"))
    title = next(i for i, row in enumerate(rows, 1) if row.startswith(b"TITLE;"))
    found = [(Path(path).name, line, message) for path, line, message in parse_problems(result.stderr)]
    found = [f for f in found if "skipped" not in f[2]]  # a word on a card that is not a person may be said
    assert [(name, line) for name, line, _ in found] == [(ANDROID21, org), (ANDROID21, title)], result.stderr
    for (_, _, message), prop in zip(found, ("ORG", "TITLE"), strict=True):
        assert message.startswith("warning:") and prop in message, message


# -- the same vault however the import is split or repeated -----------------------------------------------


def test_one_command_per_file_gives_the_same_vault(one_command: Imported, per_file: Imported) -> None:
    assert contact_files(per_file.root) == contact_files(one_command.root)


def test_one_command_per_file_counts_each_file_s_cards(per_file: Imported) -> None:
    """A card of a person met in an earlier file updates that note; a second card in the same file is merged."""
    for file, result in zip(FILES, per_file.results, strict=True):
        expected = {"read": cards_in(file), "new": 0, "updated": 0, "unchanged": 0,
                    **dict.fromkeys(OPTIONAL_COUNTS, 0), "skipped": len(SKIPPED.get(file, ()))}  # fmt: skip
        for person in PEOPLE:
            for i, source in enumerate(person.files):
                if source == file:
                    label = "new" if i == 0 else "merged with another card" if file in person.files[:i] else "updated"
                    expected[label] += 1
        assert summary(result) == expected, file


def test_importing_twice_changes_nothing_and_says_so(one_command: Imported, twice: Twice) -> None:
    imported, after_first = twice
    assert after_first == contact_files(one_command.root)
    assert contact_files(imported.root) == after_first
    second = imported.results[1]
    counts = summary(second)
    assert (counts["new"], counts["updated"], counts["ambiguous"], counts["unreadable"]) == (0, 0, 0, 0)
    assert counts["unchanged"] + counts["merged with another card"] == PEOPLE_CARDS
    assert (counts["read"], counts["skipped"]) == (PEOPLE_CARDS + SKIPPED_CARDS, SKIPPED_CARDS)
    assert f"0 new, 0 updated, {counts['unchanged']} unchanged" in second.stdout
    assert not [line for line in second.stdout.splitlines() if line.startswith(("created ", "updated "))]


def test_each_file_again_changes_nothing(per_file: Imported) -> None:
    before = contact_files(per_file.root)
    for file, path in zip(FILES, PATHS, strict=True):
        counts = summary(import_vcards(per_file.root, path))
        assert (counts["new"], counts["updated"]) == (0, 0), file
    assert contact_files(per_file.root) == before


# -- export: valid for vobject and khard, and it imports back into the same notes ---------------------------


@pytest.fixture(scope="module")
def exported(one_command: Imported, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "corpus.vcf"
    result = cli("export", "vcard", "--vault", one_command.root, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def reimported(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    root = new_vault(tmp_path_factory.mktemp("reimported") / "vault")
    return Imported(root, [import_vcards(root, exported)])


def split_cards(data: bytes) -> list[str]:
    return re.findall(r"BEGIN:VCARD\r\n.*?END:VCARD\r\n", data.decode("utf-8"), re.DOTALL)


def test_vobject_validates_every_exported_card(one_command: Imported, exported: Path) -> None:
    cards = list(vobject.readComponents(exported.read_bytes().decode("utf-8"), validate=True))
    contacts = list(notes(one_command.root).values())
    assert sorted(card.fn.value for card in cards) == sorted(c.name for c in contacts)
    own = {c.uid for c in contacts if c.uid}
    made = [card.uid.value for card in cards if card.uid.value not in own]
    assert len(made) == sum(1 for c in contacts if not c.uid)
    for value in made:  # a note without a uid gets a valid RFC 4122 UUID URN
        assert value.startswith("urn:uuid:"), value
        assert uuid.UUID(value.removeprefix("urn:uuid:")).variant == uuid.RFC_4122, value


def test_khard_lists_every_exported_contact(one_command: Imported, exported: Path, tmp_path: Path) -> None:
    pytest.importorskip("khard", reason="khard is in the test extras: pip install -e '.[test]'")
    book = tmp_path / "khard" / "book"
    book.mkdir(parents=True)
    for index, text in enumerate(split_cards(exported.read_bytes())):  # a vdir: one card per file
        (book / f"{index:03d}.vcf").write_bytes(text.encode("utf-8"))
    config = tmp_path / "khard" / "khard.conf"
    config.write_text(
        f"[addressbooks]\n[[corpus]]\npath = {book}\n\n[general]\ndebug = no\n\n"
        "[contact table]\ndisplay = formatted_name\n\n[vcard]\nskip_unparsable = no\n",
        encoding="utf-8",
    )
    listed = khard(config, "list", "--parsable", home=tmp_path / "home")
    assert listed.returncode == 0, listed.stderr
    names = [line.split("\t")[1] for line in listed.stdout.splitlines()]
    assert sorted(names) == sorted(c.name for c in notes(one_command.root).values()), listed.stderr


def _pairs(original: Path, copy: Path) -> list[tuple[Contact, Contact]]:
    """Each original note with its re-imported copy: by uid, or by name for a note without a uid (export gave
    it one; the corpus's notes without a uid have names of their own)."""
    copies = list(notes(copy).values())
    pairs = []
    for contact in notes(original).values():
        if contact.uid:
            found = [c for c in copies if c.uid == contact.uid]
        else:
            found = [c for c in copies if c.name == contact.name]
        assert len(found) == 1, (contact.path, [c.path for c in found])
        pairs.append((contact, found[0]))
    assert len({id(c) for _, c in pairs}) == len(copies)
    return pairs


def test_the_export_imports_back_into_the_same_front_matter(one_command: Imported, reimported: Imported) -> None:
    assert sorted(contact_files(reimported.root)) == sorted(contact_files(one_command.root))
    for original, copy in _pairs(one_command.root, reimported.root):
        before, _ = split_note((one_command.root / original.path).read_text(encoding="utf-8"))
        after, _ = split_note((reimported.root / copy.path).read_text(encoding="utf-8"))
        if original.uid is None:  # the only difference allowed: the uid export had to give the note
            after = "\n".join(line for line in after.split("\n") if not line.startswith("uid:"))
        assert after == before, original.path


def test_the_export_imports_back_into_the_same_bodies(one_command: Imported, reimported: Imported) -> None:
    """The quoted text of a card's NOTE goes out with the export and comes back as the same body."""
    for original, copy in _pairs(one_command.root, reimported.root):
        _, before = split_note((one_command.root / original.path).read_text(encoding="utf-8"))
        _, after = split_note((reimported.root / copy.path).read_text(encoding="utf-8"))
        assert after == before, original.path
