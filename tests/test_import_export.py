"""Moving contacts in and out: vCard and LinkedIn import, vCard export, on real exports and real vaults.

The sample files in tests/data/vcards and tests/data/linkedin are written as the apps write them (Apple
Contacts, Google Contacts, Android, a vCard 4.0 server, Outlook's Windows-1252 vCards, LinkedIn's
Connections.csv); every person in them is fictional. Each test builds a vault in tmp_path and runs the real
command line; the vault is read back with vaultnet's own parser.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import vobject
from click.testing import Result
from vaultkit import DATA, PROBLEM, fm, khard, put, run
from vaultkit import DAY as TODAY
from vaultkit import parse_problems as problems
from vaultkit import vault_files as files

from vaultnet.config import Settings
from vaultnet.contacts_io import Person, normal_url
from vaultnet.edit import changed_lines
from vaultnet.importing import plan_import
from vaultnet.linkedin import read_linkedin
from vaultnet.model import Birthday, Contact
from vaultnet.pipeline import Session
from vaultnet.vcard import read_vcards

VCARDS = DATA / "vcards"
CONNECTIONS = DATA / "linkedin" / "Connections.csv"
UNSAFE_IN_NAMES = set('/\\:*?"<>|#^[]')


# -- helpers ----------------------------------------------------------------------------------------------


def new_vault(root: Path) -> Path:
    """An empty vault made by `vaultnet init`."""
    result = run("init", root)
    assert result.exit_code == 0, result.output
    return root


def contacts(root: Path) -> dict[str, Contact]:
    """The vault's contacts as vaultnet parses them, by name (asserting the names are unique)."""
    found = Session(root, persist=False).snapshot().network.contacts
    by_name = {c.name: c for c in found}
    assert len(by_name) == len(found), sorted(c.name for c in found)
    return by_name


def summary(result: Result) -> tuple[int, int, int]:
    """(new, updated, unchanged) from the import's last line."""
    m = re.search(r"(\d+) new, (\d+) updated, (\d+) unchanged", result.stdout)
    assert m, result.output
    return int(m[1]), int(m[2]), int(m[3])


def import_vcard(root: Path, *paths: Path, extra: tuple[str, ...] = ()) -> Result:
    return run("import", "vcard", *paths, "--vault", root, *extra)


def import_linkedin(root: Path, path: Path = CONNECTIONS, extra: tuple[str, ...] = ()) -> Result:
    return run("import", "linkedin", path, "--vault", root, *extra)


def vcf(tmp_path: Path, name: str, *cards: str) -> Path:
    """A .vcf file of the given cards (each a list of content lines joined by CRLF)."""
    path = tmp_path / name
    path.write_bytes("".join(cards).encode("utf-8"))
    return path


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\r\n"


# -- every sample file: who is imported, with which fields ---------------------------------------------------

# file -> the people in it, by name: the fields vaultnet must read. `body` is text the new note must contain.
EXPECTED: dict[str, dict[str, dict[str, object]]] = {
    "apple-contacts.vcf": {
        "Sofia Lindqvist": {
            "emails": ("sofia.lindqvist@acme.example", "sofia.l@mailbox.example"),
            "phones": ("+49 151 23456789 (cell)", "+49 30 12345670 (work)"),  # TYPE=CELL, TYPE=WORK
            "company": "Acme GmbH",
            "role": "Head of Data Platform",
            "birthday": Birthday(3, 15, 1990),
            "linkedin": "https://www.linkedin.com/in/sofia-lindqvist",
            "body": "Met at PyCon DE 2024, Berlin.\nIntroduced by Marco; wants to talk about data contracts, dbt and "
            "hiring.",
        },
        "Marco Bianchi": {
            "emails": ("marco@studiobianchi.example",),
            "phones": ("+39 347 123 4567 (cell)",),
            "company": "Studio Bianchi",
            "role": "Founder",
            "birthday": Birthday(3, 15, None),  # BDAY:--0315
        },
        "Priya Raman": {
            "phones": ("+44 7700 900123 (cell)",),
            "birthday": Birthday(11, 2, None),  # BDAY:--11-02
        },
        # Apple writes a birthday without a year as 1604 (a leap year) with X-APPLE-OMIT-YEAR=1604.
        "Dr. Hélène Dubois-Fontaine": {
            "emails": ("helene.dubois@pasteur.example",),
            "company": "Institut Pasteur",
            "role": "Research Director",
            "birthday": Birthday(9, 30, None),
        },
    },
    "google-contacts.vcf": {
        "Zoë Ångström-Øverby": {
            "emails": ("zoe.overby@nordlys.example",),
            "phones": ("+46 70 123 45 67 (cell)",),
            "company": "Nordlys Analytics AB",
            "role": "Principal Engineer, Platform",
            "birthday": Birthday(12, 3, 1988),
            "linkedin": "https://www.linkedin.com/in/zoe-overby",  # Google writes the URL as https\://...
            "tags": ("Work",),
            "body": "Träffades på Øredev i Malmö – pratade om dataplattformar, Göteborgs kaffekultur",
        },
        "Maximilian-Friedrich von Hohenzollern-Großmann-Wüstenhöfer-Sigmaringen": {
            "emails": ("max.wuestenhoefer@posteo.example", "m.wuestenhoefer@großmann-beratung.example"),
            "company": "Großmann & Wüstenhöfer Unternehmensberatung für Öffentliche Einrichtungen GmbH",
            "tags": ("Work", "Beratung"),
        },
        "Nguyễn Thị Minh Khai": {
            "emails": ("minhkhai.nguyen@example.vn",),
            "phones": ("+84 90 123 4567 (cell)",),
        },
        "王芳": {
            "emails": ("wang.fang@example.cn",),
            "company": "深圳光电科技有限公司",
            "role": "产品经理",
            "tags": ("Friends",),
        },
    },
    "android-contacts.vcf": {
        "Ayşe Öztürk": {
            "emails": ("ayse.ozturk@example.com.tr",),
            "phones": ("+90 532 123 45 67 (cell)", "+90 212 555 01 23 (home)"),  # 2.1: TEL;CELL;PREF
            "company": "Bosphorus Robotics",
            "role": "CTO",
            "birthday": Birthday(7, 4, 1985),
            # quoted-printable with Android's soft line breaks (`=` at the end of a line)
            "body": "Tanıştık: İstanbul Robotik Zirvesi 2025. Otonom depo robotları üzerine çalışıyor; Ekim'de "
            "Berlin'e geliyor.",
        },
        "Lars Kristiansen": {
            "emails": ("lars@fjordkraft-data.example",),
            "phones": ("+47 412 34 567 (cell)",),
            "company": "Fjordkraft Data AS",
            "role": "Head of Sales, Nordics",  # vCard 2.1 does not escape commas
        },
        "Noémie Lefèvre": {
            "phones": ("+33 6 12 34 56 78 (cell)",),
            "birthday": Birthday(3, 15, None),
        },
    },
    "vcard4.vcf": {
        "Kenji Watanabe": {
            "emails": ("kenji.watanabe@sakura.example",),
            "phones": ("+81-90-1234-5678 (cell)",),  # TEL;TYPE="cell,voice";VALUE=uri:tel:+81-90-1234-5678
            "company": "Sakura Systems K.K.",
            "role": "Engineering Manager",
            "birthday": Birthday(5, 21, None),
            "linkedin": "https://www.linkedin.com/in/kenji-watanabe",
            "uid": "0c5f6a8e-3b1d-4f2a-9c7e-8d4b2a1f6e53",
            "tags": ("conference", "tokyo"),
        },
        "Amara Nwosu": {
            "emails": ("amara@nwosu.example",),
            "phones": ("+234 803 555 0199 (cell)",),
            "company": "Lagos Fintech Labs",
            "role": "Head of Partnerships",
            "birthday": Birthday(11, 8, 1992),
            "uid": "urn:uuid:7d1e2f3a-4b5c-4d6e-8f70-1a2b3c4d5e6f",
        },
    },
    "outlook-legacy-cp1252.vcf": {
        "Jürgen Müller": {
            "emails": ("juergen@baeckerei-mueller.example",),
            "phones": ("+49 89 1234567 (work)",),  # TEL;WORK;VOICE
            "company": "Bäckerei Müller & Söhne",
            "role": "Geschäftsführer",
            "body": "Brötchen für das Sommerfest, Angebot über 250 €",  # vCard 2.1: a comma is just a comma
        },
        "Dörte Weiß": {
            "emails": ("doerte.weiss@stadtwerke-koeln.example",),
            "company": "Stadtwerke Köln",
            "role": "Referentin Öffentlichkeitsarbeit",
        },
    },
}
CASES = [(file, name) for file, people in EXPECTED.items() for name in people]
FIELDS = ("emails", "phones", "company", "role", "birthday", "linkedin", "uid", "tags")
GOOGLE_SYSTEM_GROUPS = {"myContacts", "starred"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Result]]:
    """Each sample file imported into a vault of its own, once for the module."""
    out = {}
    for file in EXPECTED:
        root = new_vault(tmp_path_factory.mktemp("vault") / "vault")
        out[file] = (root, import_vcard(root, VCARDS / file))
    return out


@pytest.mark.parametrize(("file", "name"), CASES, ids=[f"{f.split('.')[0]}-{n}" for f, n in CASES])
def test_each_sample_person_is_imported_with_their_fields(
    imported: dict[str, tuple[Path, Result]], file: str, name: str
) -> None:
    root, _ = imported[file]
    contact = contacts(root)[name]
    expected = EXPECTED[file][name]
    for attribute in FIELDS:
        value = getattr(contact, attribute)
        if attribute == "tags":  # Google's system groups are checked apart (below)
            value = tuple(t for t in value if t not in GOOGLE_SYSTEM_GROUPS)
        assert value == expected.get(attribute, () if attribute in ("emails", "phones", "tags") else None), attribute
    assert contact.path.startswith("contacts/")
    text = (root / contact.path).read_text(encoding="utf-8")
    if "body" in expected:  # the card's NOTE, quoted under its own heading: never read as a log or tasks
        quoted = "\n".join(f"> {line}" for line in str(expected["body"]).splitlines())
        assert f"## Notes from import\n\n{quoted}" in text.split("\n---\n", 1)[1]


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_each_sample_file_imports_everyone_and_nothing_else(
    imported: dict[str, tuple[Path, Result]], file: str
) -> None:
    root, result = imported[file]
    assert result.exit_code == 0, result.output
    assert set(contacts(root)) == set(EXPECTED[file])
    assert summary(result) == (len(EXPECTED[file]), 0, 0)
    written = [p for p in files(root) if p.startswith("contacts/") and p.endswith(".md")]
    assert len(written) == len(EXPECTED[file])
    # stderr holds path:line problems only (no library's log lines)
    for line in result.stderr.splitlines():
        assert PROBLEM.match(line), line
    assert run("check", root).exit_code == 0


def test_photos_are_skipped_and_no_note_holds_image_data(imported: dict[str, tuple[Path, Result]]) -> None:
    for file in ("apple-contacts.vcf", "android-contacts.vcf"):
        root, _ = imported[file]
        for rel, data in files(root).items():
            if rel.startswith("contacts/"):
                assert b"/9j/4AAQ" not in data and b"PHOTO" not in data, rel
                assert len(data) < 2000, rel  # the 1.9 kB photo is not in it


def test_the_windows_1252_file_is_read_with_a_warning(imported: dict[str, tuple[Path, Result]]) -> None:
    """Each value that is not UTF-8 (and says no CHARSET) is read as Windows-1252, with a warning at its own
    line naming its property: the ones in plain ASCII (TEL, EMAIL, REV) have none."""
    root, result = imported["outlook-legacy-cp1252.vcf"]
    found = problems(result.stderr)
    assert {Path(path).name for path, _, _ in found} == {"outlook-legacy-cp1252.vcf"}
    assert [(line, message.split(":")[1].strip()) for _, line, message in found] == [
        (3, "N"), (4, "FN"), (5, "ORG"), (6, "TITLE"), (9, "NOTE"), (14, "N"), (15, "FN"), (16, "ORG"), (17, "TITLE")
    ]  # fmt: skip
    assert all(message.startswith("warning:") and "Windows-1252" in message for _, _, message in found)
    assert (root / "contacts/Jürgen Müller.md").read_text(encoding="utf-8").count("Müller") >= 2


def test_google_system_groups_are_not_tags(imported: dict[str, tuple[Path, Result]]) -> None:
    """Google writes `CATEGORIES:myContacts` on every contact in "My contacts": it is no tag of the user's."""
    root, _ = imported["google-contacts.vcf"]
    for contact in contacts(root).values():
        assert not GOOGLE_SYSTEM_GROUPS & set(contact.tags), (contact.name, contact.tags)


def test_folded_lines_are_joined_next_to_multibyte_characters(imported: dict[str, tuple[Path, Result]]) -> None:
    """Google's export folds right before `Ö` and right after `ß`: the names come out whole."""
    raw = (VCARDS / "google-contacts.vcf").read_bytes()
    assert "Groß\r\n mann".encode() in raw and "für \r\n Öffentliche".encode() in raw  # the sample is so
    root, _ = imported["google-contacts.vcf"]
    names = set(contacts(root))
    assert "Maximilian-Friedrich von Hohenzollern-Großmann-Wüstenhöfer-Sigmaringen" in names
    assert (root / "contacts/Maximilian-Friedrich von Hohenzollern-Großmann-Wüstenhöfer-Sigmaringen.md").exists()


# -- broken input ---------------------------------------------------------------------------------------------


def test_a_broken_card_is_reported_at_its_line_and_the_others_are_imported(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    sample = VCARDS / "one-broken-card.vcf"
    result = import_vcard(root, sample)
    assert result.exit_code == 1, result.output  # an error in the input: the exit code says so
    found = problems(result.stderr)
    assert [(Path(p).name, line) for p, line, _ in found] == [("one-broken-card.vcf", 10)], result.stderr
    assert not found[0][2].startswith("warning:")
    assert set(contacts(root)) == {"Hannah Berg", "Olumide Adeyemi", "Camille Roux"}
    assert summary(result) == (3, 0, 0)


def test_the_broken_card_message_names_no_other_line(tmp_path: Path) -> None:
    """The message may cite a line only if it is the card's (vobject counts lines within its own chunk)."""
    reading = read_vcards((VCARDS / "one-broken-card.vcf").read_bytes(), "one-broken-card.vcf")
    _, found = reading.people, reading.problems
    assert len(found) == 1
    cited = {int(n) for n in re.findall(r"\bline (\d+)", found[0].message, re.IGNORECASE)}
    assert cited <= {found[0].line}, found[0].message


def test_a_corrupt_photo_does_not_lose_the_card(tmp_path: Path) -> None:
    """A PHOTO whose base64 is cut short (a truncated sync) is skipped; the person is imported."""
    path = vcf(
        tmp_path,
        "photo.vcf",
        card("FN:Jonas Petersen", "N:Petersen;Jonas;;;", "EMAIL;TYPE=INTERNET:jonas@petersen.example",
             "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDA"
             "oMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT"),
    )  # fmt: skip
    reading = read_vcards(path.read_bytes(), str(path))
    people, found = reading.people, reading.problems
    assert [p.name for p in people] == ["Jonas Petersen"], found
    assert people[0].emails == ("jonas@petersen.example",)


def test_a_line_that_cannot_be_read_is_reported_not_silently_dropped(tmp_path: Path) -> None:
    """An e-mail line with an unclosed quote cannot be parsed: the card is imported, and the user is told."""
    data = card("FN:Greta Lund", 'EMAIL;TYPE="work:greta@lund.example', "TEL;TYPE=CELL:+46 70 555 12 12")
    reading = read_vcards(data.encode(), "lund.vcf")
    people, found = reading.people, reading.problems
    assert [p.name for p in people] == ["Greta Lund"]
    assert people[0].phones == ("+46 70 555 12 12 (cell)",)
    assert [(p.path, p.severity) for p in found] == [("lund.vcf", "warning")], found
    assert found[0].line in (1, 4)  # the card's line, or better the line itself


def test_the_installed_script_prints_only_problems_on_stderr(tmp_path: Path) -> None:
    """No library log lines (vobject's `ERROR Skipped line ...`) reach the user: only path:line problems."""
    root = new_vault(tmp_path / "vault")
    script = Path(sys.executable).parent / "vaultnet"
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from vaultnet.cli import main; main()"]
    lund = vcf(tmp_path, "lund.vcf", card("FN:Greta Lund", 'EMAIL;TYPE="work:greta@lund.example'))
    env = {k: v for k, v in os.environ.items() if k != "VAULTNET_TODAY"}
    proc = subprocess.run(
        [*command, "import", "vcard", str(VCARDS / "android-contacts.vcf"), str(lund), "--vault", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "4 cards read: 4 new" in proc.stdout
    for line in proc.stderr.splitlines():
        assert PROBLEM.match(line), line


def test_a_file_without_any_card_is_an_error(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    path = put(tmp_path, "notes.vcf", "Name: Anna\nPhone: 123\n")
    result = import_vcard(root, path)
    assert result.exit_code == 1
    assert problems(result.stderr) == [(str(path), 1, "no vCard in this file (no BEGIN:VCARD)")]
    assert files(root) == files(new_vault(tmp_path / "empty"))


def test_yearless_birthdays_in_every_written_form() -> None:
    forms = {"--0315": Birthday(3, 15), "--03-15": Birthday(3, 15), "19900315": Birthday(3, 15, 1990),
             "1990-03-15": Birthday(3, 15, 1990), "1990-03-15T00:00:00Z": Birthday(3, 15, 1990)}  # fmt: skip
    data = "".join(card(f"FN:Person {i}", f"BDAY:{raw}") for i, raw in enumerate(forms))
    reading = read_vcards(data.encode(), "b.vcf")
    people, found = reading.people, reading.problems
    assert found == []
    assert [p.birthday for p in people] == list(forms.values())


# -- importing into a vault that has notes: matching, filling, never overwriting ------------------------------

SOFIA_NOTE = (
    "---\r\n"
    "# written by hand: keep this comment\r\n"
    "name: Sofia L.\r\n"
    "company: Acme   # moved from Zalando in 2024\r\n"
    "role:\r\n"
    "email: SOFIA.LINDQVIST@acme.example\r\n"
    "tags: [data, berlin]\r\n"
    "phone: []\r\n"
    "circle: close\r\n"
    "---\r\n"
    "Coffee person. Knows everyone in the Berlin data scene.\r\n"
    "\r\n"
    "## Log\r\n"
    "\r\n"
    "- 2026-10-02 coffee: talked about data contracts\r\n"
)


@pytest.fixture
def vault_with_sofia(tmp_path: Path) -> Path:
    root = new_vault(tmp_path / "vault")
    put(root, "contacts/Sofia.md", SOFIA_NOTE)
    return root


def test_a_matched_note_gets_only_its_empty_fields_and_keeps_every_other_byte(vault_with_sofia: Path) -> None:
    root = vault_with_sofia
    result = import_vcard(root, VCARDS / "apple-contacts.vcf")
    assert result.exit_code == 0, result.output
    assert summary(result) == (3, 1, 0)
    assert not (root / "contacts/Sofia Lindqvist.md").exists()  # matched by e-mail, whatever its case
    after = (root / "contacts/Sofia.md").read_bytes().decode("utf-8")
    assert after == SOFIA_NOTE.replace(
        "name: Sofia L.\r\n", "name: Sofia L.\r\nname_parts: {family: Lindqvist, given: Sofia}\r\n"
    ).replace("role:\r\n", "role: Head of Data Platform\r\n").replace(
        "email: SOFIA.LINDQVIST@acme.example\r\n",
        "email: [SOFIA.LINDQVIST@acme.example, sofia.l@mailbox.example]\r\nbirthday: 1990-03-15\r\n"
        'linkedin: "https://www.linkedin.com/in/sofia-lindqvist"\r\n',
    ).replace("phone: []\r\n", 'phone: ["+49 151 23456789 (cell)", "+49 30 12345670 (work)"]\r\n') + (
        "\r\n## Notes from import\r\n\r\n> Met at PyCon DE 2024, Berlin.\r\n"
        "> Introduced by Marco; wants to talk about data contracts, dbt and hiring.\r\n"
    )
    # role, the e-mail gained (a list keeps what it had) and phone; the rest only gained lines
    assert changed_lines(SOFIA_NOTE, after) == [5, 6, 8]
    sofia = contacts(root)["Sofia L."]
    assert sofia.company == "Acme" and sofia.emails == ("SOFIA.LINDQVIST@acme.example", "sofia.l@mailbox.example")
    assert sofia.tags == ("data", "berlin") and sofia.circle == "close"
    assert sofia.log and not sofia.promises  # the card's note added no log entry and no task


def test_overwrite_replaces_what_the_note_says_and_keeps_comments(vault_with_sofia: Path) -> None:
    root = vault_with_sofia
    result = import_vcard(root, VCARDS / "apple-contacts.vcf", extra=("--overwrite",))
    assert result.exit_code == 0, result.output
    after = (root / "contacts/Sofia.md").read_bytes().decode("utf-8")
    lines = after.split("\r\n")
    assert "company: Acme GmbH # moved from Zalando in 2024" in lines
    assert "email: [SOFIA.LINDQVIST@acme.example, sofia.l@mailbox.example]" in lines  # lists gain, never lose
    assert lines[:3] == ["---", "# written by hand: keep this comment", "name: Sofia L."]
    assert SOFIA_NOTE.split("---\r\n", 2)[2] in after  # the body, byte for byte (the card's note added below)
    assert "\n" not in after.replace("\r\n", "")  # still CRLF throughout
    sofia = contacts(root)["Sofia L."]  # `name` is not something an import overwrites
    assert sofia.company == "Acme GmbH" and sofia.circle == "close" and sofia.tags == ("data", "berlin")
    again = import_vcard(root, VCARDS / "apple-contacts.vcf", extra=("--overwrite",))
    assert summary(again) == (0, 0, 4)


def test_overwrite_leaves_a_line_alone_when_it_already_says_the_same(tmp_path: Path) -> None:
    """`--overwrite` replaces values, not spellings: a quoted value equal to the card's stays as written."""
    root = new_vault(tmp_path / "vault")
    note = (
        '---\nname: "Marco Bianchi"\ncompany: "Studio Bianchi"\nrole: \'Founder\'\n'
        "email: [marco@studiobianchi.example]\n---\n"
    )
    put(root, "contacts/Marco.md", note)
    path = vcf(tmp_path, "marco.vcf", card("FN:Marco Bianchi", "ORG:Studio Bianchi;", "TITLE:Founder",
                                           "EMAIL:marco@studiobianchi.example"))  # fmt: skip
    result = import_vcard(root, path, extra=("--overwrite",))
    assert result.exit_code == 0, result.output
    assert (root / "contacts/Marco.md").read_text(encoding="utf-8") == note
    assert summary(result) == (0, 0, 1)


def test_reimporting_changes_nothing(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    every = sorted(p for p in VCARDS.glob("*.vcf") if p.name != "one-broken-card.vcf")
    first = import_vcard(root, *every)
    assert first.exit_code == 0, first.output
    before = files(root)
    second = import_vcard(root, *every)
    assert second.exit_code == 0, second.output
    assert summary(second) == (0, 0, summary(first)[0])
    assert files(root) == before
    assert not [line for line in second.stdout.splitlines() if line.startswith(("created ", "updated "))]


def test_reimporting_linkedin_changes_nothing(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    assert summary(import_linkedin(root)) == (6, 0, 0)
    before = files(root)
    second = import_linkedin(root)
    assert summary(second) == (0, 0, 6)
    assert files(root) == before


def test_a_match_by_email_wins_over_a_match_by_name(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    namesake = "---\nname: Marco Bianchi\ncompany: Bianchi Bau\n---\nThe builder, not the designer.\n"
    put(root, "contacts/Marco Bianchi.md", namesake)
    put(root, "contacts/mb.md", "---\nname: M. Bianchi\nemail: marco@studiobianchi.example\n---\n")
    result = import_vcard(root, VCARDS / "apple-contacts.vcf")
    assert result.exit_code == 0, result.output
    assert (root / "contacts/Marco Bianchi.md").read_text(encoding="utf-8") == namesake
    marco = contacts(root)["M. Bianchi"]
    assert marco.phones == ("+39 347 123 4567 (cell)",)
    assert marco.role == "Founder" and marco.birthday == Birthday(3, 15)


def test_a_match_by_linkedin_url_however_it_is_written(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    written = "http://linkedin.com/in/Tobias-Engel-4b2a1c7/"
    put(root, "contacts/Tobi.md", fm(name="Tobi", circle="close", linkedin=written))
    result = import_linkedin(root)
    assert result.exit_code == 0, result.output
    assert not (root / "contacts/Tobias Engel.md").exists()
    tobi = contacts(root)["Tobi"]
    assert (tobi.company, tobi.role, tobi.emails) == ("Engel, Wolf & Partner", "Senior Associate",
                                                      ("tobias.engel@posteo.example",))  # fmt: skip
    assert tobi.met == date(2021, 6, 23)
    assert tobi.circle == "close"  # an existing contact is not moved to the dormant circle
    assert tobi.linkedin == written  # as the user wrote it


def test_a_match_by_uid_even_when_name_and_email_differ(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    note = fm(name="Kenji W.", email="kenji@old-job.example", uid="0c5f6a8e-3b1d-4f2a-9c7e-8d4b2a1f6e53")
    put(root, "contacts/K.md", note)
    result = import_vcard(root, VCARDS / "vcard4.vcf")
    assert summary(result) == (1, 1, 0)
    assert set(contacts(root)) == {"Kenji W.", "Amara Nwosu"}
    kenji = contacts(root)["Kenji W."]
    # matched by uid: the card's e-mail is added (a list gains what it lacks), the company filled
    assert kenji.emails == ("kenji@old-job.example", "kenji.watanabe@sakura.example")
    assert kenji.company == "Sakura Systems K.K."


def test_a_match_by_exact_name_fills_the_note(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    put(root, "contacts/priya.md", "---\nname: Priya Raman\n---\nMet at the London meetup.\n")
    result = import_vcard(root, VCARDS / "apple-contacts.vcf")
    assert summary(result) == (3, 1, 0)
    text = (root / "contacts/priya.md").read_text(encoding="utf-8")
    assert text == (
        "---\nname: Priya Raman\nname_parts: {family: Raman, given: Priya}\n"
        'phone: "+44 7700 900123 (cell)"\nbirthday: --11-02\n---\nMet at the London meetup.\n'
    )
    assert contacts(root)["Priya Raman"].birthday == Birthday(11, 2)


def test_a_name_two_contacts_share_makes_no_new_note_on_every_import(tmp_path: Path) -> None:
    """Two Priyas in the vault and a card that only has the name: vaultnet cannot tell which one it is. It must
    not add a third Priya on every import (the same file twice changes nothing); it says so instead."""
    root = new_vault(tmp_path / "vault")
    put(root, "contacts/Priya (London).md", "---\nname: Priya Raman\ncompany: Monzo\n---\n")
    put(root, "contacts/Priya (Chennai).md", "---\nname: Priya Raman\ncompany: Zoho\n---\n")
    path = VCARDS / "apple-contacts.vcf"
    first = import_vcard(root, path)
    before = files(root)
    second = import_vcard(root, path)
    assert files(root) == before, sorted(set(files(root)) - set(before))
    assert summary(second)[:2] == (0, 0)
    assert sum(1 for rel in files(root) if "Priya" in rel) == 2, sorted(files(root))
    assert "Priya Raman" in first.stderr  # told which card was not imported, and why


def test_dry_run_writes_nothing_and_shows_the_changes(vault_with_sofia: Path) -> None:
    root = vault_with_sofia
    before = files(root)
    result = import_vcard(root, VCARDS / "apple-contacts.vcf", extra=("--dry-run",))
    assert result.exit_code == 0, result.output
    assert files(root) == before
    assert "+role: Head of Data Platform" in result.stdout
    assert "+++ b/contacts/Marco Bianchi.md" in result.stdout and "+name: Marco Bianchi" in result.stdout
    assert "3 new, 1 updated, 0 unchanged (would be written)" in result.stdout
    linkedin = import_linkedin(root, extra=("--dry-run",))
    assert linkedin.exit_code == 0 and files(root) == before
    assert "+circle: dormant" in linkedin.stdout


def test_file_names_are_safe_everywhere_and_names_are_kept(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    odd = 'Dr. "Jo" O\'Neil: CEO/Founder | #1 [draft] ^x * ? < > \\'
    # FN as the card writes it (with vCard's TEXT escapes for a backslash and `;`) -> the name vaultnet keeps
    names = {
        odd.replace("\\", "\\\\"): odd,
        "CON": "CON",
        "../../outside": "../../outside",
        "Émile Zola Jr.": "Émile Zola Jr.",
        "Ana\\; María": "Ana; María",
        "   ": "person5@example.org",  # no name: the e-mail stands in
    }
    cards = (card(f"FN:{fn}", f"EMAIL:person{i}@example.org") for i, fn in enumerate(names))
    result = import_vcard(root, vcf(tmp_path, "odd.vcf", *cards))
    assert result.exit_code == 0, result.output
    created = sorted(p for p in files(root) if p.startswith("contacts/") and p.endswith(".md"))
    assert len(created) == len(names)
    for rel in created:
        stem = rel.removeprefix("contacts/").removesuffix(".md")
        assert "/" not in stem and not UNSAFE_IN_NAMES & set(stem), rel
        assert stem == stem.strip(" .") and stem.casefold() not in {"con", "prn", "aux", "nul"}, rel
    assert not (tmp_path / "outside.md").exists() and not (root.parent / "outside.md").exists()
    assert set(contacts(root)) == set(names.values())
    assert run("check", root).exit_code == 0


def test_two_people_with_one_name_get_two_notes(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    path = vcf(
        tmp_path,
        "two.vcf",
        card("UID:a1", "FN:Anna Schmidt", "EMAIL:anna.schmidt@acme.example", "ORG:Acme GmbH"),
        card("UID:b2", "FN:Anna Schmidt", "EMAIL:anna@schmidt-physio.example", "ORG:Physio Schmidt"),
    )
    result = import_vcard(root, path)
    assert summary(result) == (2, 0, 0), result.output
    made = {c.path: (c.emails, c.company) for c in Session(root, persist=False).snapshot().network.contacts}
    assert made == {
        "contacts/Anna Schmidt.md": (("anna.schmidt@acme.example",), "Acme GmbH"),
        "contacts/Anna Schmidt 2.md": (("anna@schmidt-physio.example",), "Physio Schmidt"),
    }
    assert summary(import_vcard(root, path)) == (0, 0, 2)


def test_an_existing_file_that_is_not_a_readable_contact_is_never_overwritten(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    broken = b"---\nname: Sofia Lindqvist\ntags: [data, berlin\n---\nMy notes, with a YAML slip.\n"
    put(root, "contacts/Sofia Lindqvist.md", broken)
    result = import_vcard(root, VCARDS / "apple-contacts.vcf")
    assert (root / "contacts/Sofia Lindqvist.md").read_bytes() == broken
    assert "Traceback" not in result.output
    # the import goes on: Sofia gets a note of her own next to the broken one, and the others theirs
    assert {"Marco Bianchi", "Priya Raman", "Dr. Hélène Dubois-Fontaine"} <= set(contacts(root)), result.output
    assert summary(result)[0] == 4


def test_plan_import_matches_people_of_the_same_run() -> None:
    """A person listed twice in one import (two files, same e-mail) makes one note, not two, and the second
    card's values are merged into it, not dropped: the first run writes what a second run would."""
    sofia = Person(name="Sofia Lindqvist", emails=("sofia@acme.example",), source="vcard")
    again = Person(name="Sofia Lindqvist", emails=("sofia@acme.example",), company="Acme GmbH", source="vcard")
    plan = plan_import(Path("/nonexistent-vault"), Settings(), [], [sofia, again], today=date(2026, 11, 30))
    assert (plan.created, plan.merged, plan.updated, plan.unchanged) == (1, 1, 0, 0)
    assert [c.rel for c in plan.changes] == ["contacts/Sofia Lindqvist.md"]
    assert b"company: Acme GmbH\n" in plan.changes[0].after


# -- LinkedIn -------------------------------------------------------------------------------------------------


def test_linkedin_connections_become_dormant_contacts_met_on_their_connection_date(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    result = import_linkedin(root)
    assert result.exit_code == 0, result.output
    assert problems(result.stderr) == []
    found = contacts(root)
    expected = {
        "Sofia Lindqvist": ("Acme GmbH", "Head of Data Platform", (), date(2019, 3, 14), "sofia-lindqvist"),
        "Tobias Engel": ("Engel, Wolf & Partner", "Senior Associate", ("tobias.engel@posteo.example",),
                         date(2021, 6, 23), "tobias-engel-4b2a1c7"),
        "Chiara Esposito": ("Fincantieri", "Director, Strategic Partnerships", (), date(2022, 2, 2), "chiaraesposito"),
        "Ryan O'Connell": (None, None, (), date(2026, 9, 1), "ryan-oconnell-91a3b2"),
        "Mei Lin": ("Northwind Traders, Inc.", "VP Engineering, Cloud & Data", (), date(2020, 11, 17),
                    "mei-lin-0a1b2c3d"),
        "Ingrid Solberg-Haugen": ("Equinor", "Lead Geophysicist", ("ingrid@solberg.example",), date(2018, 1, 5),
                                  "ingridsolberghaugen"),
    }  # fmt: skip
    assert set(found) == set(expected)
    for name, (company, role, emails, met, slug) in expected.items():
        c = found[name]
        assert (c.company, c.role, c.emails, c.met) == (company, role, emails, met), name
        assert c.linkedin == f"https://www.linkedin.com/in/{slug}"
        assert c.circle == "dormant"
        assert c.path == f"contacts/{name}.md"


def _due(root: Path, *extra: str) -> list[dict[str, object]]:
    result = run("due", root, "--json", "--today", TODAY, *extra)
    assert result.exit_code == 0, result.output
    items: list[dict[str, object]] = json.loads(result.stdout)
    return items


def test_linkedin_connections_come_up_as_reconnect_suggestions_not_follow_ups(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    (root / "vaultnet.toml").write_text("[practice]\nreconnect_per_week = 10\n", encoding="utf-8")
    assert import_linkedin(root).exit_code == 0
    items = _due(root)
    kinds = {(i["name"], i["kind"]) for i in items}
    assert not {k for k in kinds if k[1] in ("follow-up", "birthday", "promise")}
    reconnect = {name for name, kind in kinds if kind == "reconnect"}
    # a year quiet (reconnect_after's default): all but Ryan, connected on 2026-09-01
    assert reconnect == {"Sofia Lindqvist", "Tobias Engel", "Chiara Esposito", "Mei Lin", "Ingrid Solberg-Haugen"}


def test_a_large_linkedin_import_does_not_flood_the_due_list(tmp_path: Path) -> None:
    """200 old connections: this week's due list holds a few reconnect suggestions, not 200 items."""
    rows = [f"Person{i:03d},Example,https://www.linkedin.com/in/person-{i:03d},,Company {i % 17},Engineer,"
            f"{1 + i % 28:02d} Mar {2015 + i % 8}" for i in range(200)]  # fmt: skip
    csv = (
        'Notes:\n"Some e-mail addresses are missing."\n\n'
        + ",".join(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        + "\n"
        + "\n".join(rows)
        + "\n"
    )
    path = put(tmp_path, "Connections.csv", csv)
    root = new_vault(tmp_path / "vault")
    assert summary(import_linkedin(root, path)) == (200, 0, 0)
    items = _due(root)
    assert {i["kind"] for i in items} <= {"reconnect"}, sorted({str(i["kind"]) for i in items})
    assert 1 <= len(items) <= 2  # [practice] reconnect_per_week's default


def test_linkedin_into_a_vault_with_the_person_keeps_their_circle(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    assert import_vcard(root, VCARDS / "apple-contacts.vcf").exit_code == 0
    before = (root / "contacts/Sofia Lindqvist.md").read_text(encoding="utf-8")
    result = import_linkedin(root)
    assert summary(result) == (5, 0, 1)
    after = (root / "contacts/Sofia Lindqvist.md").read_text(encoding="utf-8")
    assert after == before  # the vCard import said all the row says (its `met` is the vCard import's day)
    assert contacts(root)["Sofia Lindqvist"].circle is None


def test_linkedin_export_with_a_bom_crlf_and_a_bad_date(tmp_path: Path) -> None:
    text = (
        'Notes:\r\n"When exporting your connection data, you may notice that some of the email addresses are '
        'missing."\r\n\r\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n'
        'Lea,Vogel,https://www.linkedin.com/in/lea-vogel,,"Vogel, Stein & Co",Partner,Sept 1 2026\r\n'
        "Jan,Novák,https://www.linkedin.com/in/jan-novak,jan@novak.example,Škoda Auto,Buyer,30 Jun 2024\r\n"
    )
    reading = read_linkedin(b"\xef\xbb\xbf" + text.encode("utf-8"), "Connections.csv")
    people, found = reading.people, reading.problems
    assert [(p.name, p.company, p.met) for p in people] == [
        ("Lea Vogel", "Vogel, Stein & Co", None),
        ("Jan Novák", "Škoda Auto", date(2024, 6, 30)),
    ]
    assert [(p.line, p.severity) for p in found] == [(5, "warning")]
    assert "Sept 1 2026" in found[0].message


def test_a_csv_that_is_not_linkedins_is_refused(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    path = put(tmp_path, "contacts.csv", "Name,Phone\nAnna,123\n")
    result = import_linkedin(root, path)
    assert result.exit_code == 1
    message = "no header row starting with 'First Name,': not LinkedIn's Connections.csv"
    assert problems(result.stderr)[0][1:] == (1, message)
    assert summary(result) == (0, 0, 0)


def test_normal_url() -> None:
    expected = "https://www.linkedin.com/in/anna-schmidt"
    for written in ("https://www.linkedin.com/in/anna-schmidt/", "http://linkedin.com/in/Anna-Schmidt",
                    "www.linkedin.com/in/anna-schmidt", "linkedin.com/in/anna-schmidt/ "):  # fmt: skip
        assert normal_url(written) == expected, written


# -- export ---------------------------------------------------------------------------------------------------

EXPORT_NOTES = {
    "contacts/Anna Schmidt.md": (
        '---\nname: Anna Schmidt\ncompany: "Engel, Wolf & Partner"\nrole: "Partner; Head of M&A"\n'
        'email: [anna.schmidt@acme.example, anna@schmidt.example]\nphone: ["+49 151 2345 6789", "030 123456"]\n'
        "birthday: 1985-03-14\nlinkedin: https://www.linkedin.com/in/anna-schmidt\nuid: anna-0001\n"
        "tags: [investor, berlin, area/ml]\ncircle: close\n---\n"
    ),
    "contacts/Jürgen Weiß.md": (
        "---\nname: Jürgen Weiß\ncompany: Bäckerei Weiß\nbirthday: --11-02\ntags: [investor]\n---\n"
    ),
    "contacts/Cher.md": "---\nname: Cher\nemail: cher@example.org\ncircle: loose\n---\n",
    "contacts/Old friend.md": "---\nname: Old Friend\narchived: true\ncircle: dormant\ntags: [school]\n---\n",
    "contacts/Long.md": (
        "---\nname: Maximilian-Friedrich von Hohenzollern-Großmann-Wüstenhöfer-Sigmaringen\n"
        "role: Geschäftsführender Gesellschafter für Öffentliche Einrichtungen und Kommunen\n---\n"
    ),
    "notes/Meeting.md": "A meeting note, not a contact.\n",
}


@pytest.fixture
def export_vault(tmp_path: Path) -> Path:
    root = new_vault(tmp_path / "vault")
    for rel, text in EXPORT_NOTES.items():
        put(root, rel, text)
    return root


def export(root: Path, *extra: str | Path) -> Result:
    result = run("export", "vcard", "--vault", root, *extra)
    assert result.exit_code == 0, result.output
    return result


def cards_of(data: str) -> list[vobject.base.Component]:
    return list(vobject.readComponents(data))


def test_export_parses_with_vobject_and_validates(export_vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.vcf"
    result = export(export_vault, "--out", out)
    assert "5 contacts written" in result.stderr
    raw = out.read_bytes()
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded at 75 octets
    parsed = cards_of(raw.decode("utf-8"))
    assert sorted(c.fn.value for c in parsed) == sorted(
        ["Anna Schmidt", "Jürgen Weiß", "Cher", "Old Friend",
         "Maximilian-Friedrich von Hohenzollern-Großmann-Wüstenhöfer-Sigmaringen"]
    )  # fmt: skip
    for c in parsed:
        assert c.version.value == "4.0"
        assert c.uid.value
        if hasattr(c, "validate"):
            c.validate(raiseException=True)
    anna = next(c for c in parsed if c.fn.value == "Anna Schmidt")
    assert anna.org.value == ["Engel, Wolf & Partner"]
    assert anna.title.value == "Partner; Head of M&A"
    assert sorted(e.value for e in anna.email_list) == ["anna.schmidt@acme.example", "anna@schmidt.example"]
    assert [t.value for t in anna.tel_list] == ["+49 151 2345 6789", "030 123456"]
    assert anna.categories.value == ["investor", "berlin", "area/ml"]
    assert anna.uid.value == "anna-0001"
    assert export(export_vault).stdout.encode("utf-8").replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")


def test_a_yearless_birthday_is_exported_as_dash_dash_mmdd(export_vault: Path) -> None:
    raw = export(export_vault).stdout
    lines = raw.replace("\r\n", "\n").split("\n")
    assert "BDAY:--1102" in lines
    assert "BDAY:19850314" in lines


def test_export_filters_by_tag_and_circle(export_vault: Path) -> None:
    def names(*extra: str) -> list[str]:
        return sorted(c.fn.value for c in cards_of(export(export_vault, *extra).stdout))

    assert names("--tag", "investor") == ["Anna Schmidt", "Jürgen Weiß"]
    assert names("--tag", "#Investor") == ["Anna Schmidt", "Jürgen Weiß"]
    assert names("--tag", "area/ml") == ["Anna Schmidt"]
    assert names("--circle", "close") == ["Anna Schmidt"]
    assert names("--circle", "active") == [
        "Jürgen Weiß", "Maximilian-Friedrich von Hohenzollern-Großmann-Wüstenhöfer-Sigmaringen"
    ]  # fmt: skip
    assert names("--circle", "dormant", "--tag", "school") == ["Old Friend"]  # archived contacts are included
    assert names("--tag", "nobody") == []


def test_round_trip_keeps_every_field_a_vcard_can_carry(export_vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.vcf"
    export(export_vault, "--out", out)
    target = new_vault(tmp_path / "copy")
    result = import_vcard(target, out)
    assert result.exit_code == 0, result.output
    assert problems(result.stderr) == []
    original, copy = contacts(export_vault), contacts(target)
    assert set(copy) == set(original)
    for name, before in original.items():
        after = copy[name]
        for attribute in ("company", "role", "emails", "phones", "birthday", "tags"):
            assert getattr(after, attribute) == getattr(before, attribute), (name, attribute)
        assert after.linkedin == (normal_url(before.linkedin) if before.linkedin else None), name
        if before.uid:
            assert after.uid == before.uid
        else:  # a stable id made from the note's path: the same on every export
            assert after.uid is not None and re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", after.uid), after.uid
    # export(import(export(vault))) == export(vault), card for card (the copy's notes have other file names)
    again = tmp_path / "again.vcf"
    export(target, "--out", again)
    assert sorted(split_cards(again.read_bytes())) == sorted(split_cards(out.read_bytes()))


def split_cards(data: bytes) -> list[str]:
    """The cards of an export, each as its exact text."""
    return re.findall(r"BEGIN:VCARD\r\n.*?END:VCARD\r\n", data.decode("utf-8"), re.DOTALL)


def test_khard_lists_the_exported_contacts(export_vault: Path, tmp_path: Path) -> None:
    pytest.importorskip("khard", reason="khard is in the test extras: pip install -e '.[test]'")
    out = tmp_path / "all.vcf"
    export(export_vault, "--out", out)
    book = tmp_path / "khard" / "book"
    book.mkdir(parents=True)
    cards = split_cards(out.read_bytes())
    assert len(cards) == 5
    for index, text in enumerate(cards):  # a vdir: one card per file, as khard (and vdirsyncer) keep them
        (book / f"{index:02d}.vcf").write_bytes(text.encode("utf-8"))
    config = tmp_path / "khard" / "khard.conf"
    config.write_text(f"[addressbooks]\n[[vaultnet]]\npath = {book}\n\n[general]\ndebug = no\n", encoding="utf-8")
    listed = khard(config, "list", "--parsable", home=tmp_path / "home")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert sorted(r[1] for r in rows) == sorted(
        ["Anna Schmidt", "Jürgen Weiß", "Cher", "Old Friend",
         "Maximilian-Friedrich von Hohenzollern-Großmann-Wüstenhöfer-Sigmaringen"]
    )  # fmt: skip
    assert {r[2] for r in rows} == {"vaultnet"}
    assert "anna-0001" in {r[0] for r in rows}
    birthdays = khard(config, "birthdays", home=tmp_path / "home")
    assert birthdays.returncode == 0, birthdays.stderr
    assert re.search(r"^Jürgen Weiß\s+--11-02\s*$", birthdays.stdout, re.MULTILINE), birthdays.stdout  # no year
    emails = khard(config, "email", "--parsable", "anna", home=tmp_path / "home")
    assert "anna.schmidt@acme.example" in emails.stdout
