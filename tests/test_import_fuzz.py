"""Differential fuzzing of the vCard import and export (issue 12), through the real command line.

Each seed draws an address book and a vault (`vcardgen`) and checks, on a fixed day:
1. no traceback; exit code 0 unless a card is unreadable;
2. the summary's counts add up to the cards in the files;
3. all files in one command == one command per file == the one command twice, byte for byte;
4. the second run says `0 new, 0 updated` and changes no byte;
5. no note gets a promise or a log entry from a card, and a hand-written note keeps every line the import had
   no reason to touch (its body, comments, other properties) and every value it held;
6. `export vcard` is read by vobject (validate=True), and its import into an empty vault gives the same contacts;
7. `vaultnet check` reports no error.

A few seeds run with the suite; `VAULTNET_FUZZ_SEEDS=300` runs seeds 0-299 (`-k many`).
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from vaultkit import run

from vaultnet.config import parse_settings
from vaultnet.model import Contact
from vaultnet.parse import parse_note
from vaultnet.values import with_labels
from vaultnet.vcard import read_vcards
from vaultnet.vcard_out import export_vcards

DAY = "2026-11-30"
TODAY = date(2026, 11, 30)
FEW = range(24)
MANY = int(os.environ.get("VAULTNET_FUZZ_SEEDS", "0"))
SUMMARY = re.compile(r"^(\d+) cards read: (.*) \((?:were|would be) written\)$", re.MULTILINE)
# What an import may write, under vaultnet's names, their other spellings, and the [fields] names of vcardgen.
IMPORT_KEYS = {"name_parts", "aliases", "alias", "company", "role", "email", "emails", "phone", "phones", "birthday",
               "anniversary", "related", "urls", "url", "linkedin", "uid", "tags", "tag", "org", "e-mail",
               "phone number"}  # fmt: skip
COMPARED = ("name", "name_parts", "aliases", "phones", "company", "role", "birthday", "anniversary", "related",
            "urls", "tags")  # fmt: skip


def notes_of(root: Path) -> dict[str, bytes]:
    files = sorted((root / "contacts").rglob("*"))
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files if p.is_file()}


def contacts_of(root: Path) -> dict[str, Contact]:
    settings = parse_settings((root / "vaultnet.toml").read_text("utf-8"))
    out = {}
    for rel, data in notes_of(root).items():
        parsed = parse_note(rel, data, settings)
        assert not [p for p in parsed.problems if p.severity == "error"], (rel, parsed.problems)
        if parsed.contact is not None:
            out[rel] = parsed.contact
    return out


def import_(root: Path, *files: Path) -> tuple[int, dict[str, int], str]:
    """Run `import vcard`: (exit code, the summary's counts with `read`, the output)."""
    result = run("import", "vcard", *files, "--vault", root, "--today", DAY)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    m = SUMMARY.search(result.stdout)
    assert m, result.output
    counts = {label: int(n) for n, label in re.findall(r"(\d+) ([a-z ]+?)(?:,|$)", m[2])}
    assert m and sum(counts.values()) == int(m[1]), result.stdout  # 2. the counts add up
    counts["read"] = int(m[1])
    return result.exit_code, counts, result.output


def vault(tmp: Path, name: str, toml: str, notes: dict[str, bytes]) -> Path:
    root = tmp / name
    (root / "contacts").mkdir(parents=True)
    (root / "vaultnet.toml").write_text(toml, "utf-8")
    for rel, data in notes.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


# -- what the fuzzer found, each in its smallest form ----------------------------------------------------------


def crlf(*lines: str) -> bytes:
    return "".join(line + "\r\n" for line in lines).encode("utf-8")


def test_a_fold_that_leaves_only_blanks_on_its_line_goes_on_with_the_value() -> None:
    """`Łukasz` + CRLF + two spaces + CRLF + ` D'Angelo`: the middle line is a fold that holds the value's blank,
    not a blank line; it ended the name (`Łukasz`) and made `D'Angelo` a line that cannot be read."""
    data = crlf("BEGIN:VCARD", "VERSION:3.0", "FN:Łukasz", "  ", " D'Angelo", "END:VCARD")
    reading = read_vcards(data, "a.vcf")
    assert [p.name for p in reading.people] == ["Łukasz D'Angelo"] and reading.problems == []


def test_a_folded_end_after_a_30_photo_does_not_swallow_the_next_card() -> None:
    """vCard 3.0's `ENCODING=b` folds like any value; an unindented line of letters after it (`EN` of a folded
    END:VCARD, `BEGIN`) was taken for more base64 (as vCard 2.1's BASE64 goes on), and the next card's lines
    became this card's: two people in one."""
    data = crlf("BEGIN:VCARD", "VERSION:3.0", "FN:Ann", "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ", "EN", " D:VCARD",
                "BEGIN", " :VCARD", "VERSION:3.0", "FN:Bob", "EMAIL:bob@example.com", "END:VCARD")  # fmt: skip
    reading = read_vcards(data, "a.vcf")
    assert [(p.name, p.emails) for p in reading.people] == [("Ann", ()), ("Bob", ("bob@example.com",))]
    assert reading.unreadable == 0


@pytest.mark.parametrize(
    ("labels", "back"),
    [(("x-custom", "cell"), None), (("x-custom", "Bureau"), None), (("cell", "x-custom"), None),
     (("x-custom", "home", "fax", "cell"), None), (("night line", "back: up"), None), (("work", "Office line"), None),
     (("spouse",), None), (("work", "Office line", "x-custom"), ("work", "x-custom", "Office line"))],
)  # fmt: skip
def test_labels_come_back_from_an_export_in_their_order(labels: tuple[str, ...], back: tuple[str, ...] | None) -> None:
    """The export's Apple-style group holds one label, which the reader puts after the TYPE ones: `(x-custom, cell)`
    came back `(cell, x-custom)`, so a re-imported export was not the same note. Only a label with capitals before
    the last one moves (to the group, which keeps its case; TYPE would not)."""
    phone = with_labels("+49 170 1234567", labels)
    data = export_vcards([Contact(path="contacts/A.md", name="A", phones=(phone,), related=(f"B ({labels[-1]})",))])
    (person,) = read_vcards(data, "a.vcf").people
    assert person.phones == (with_labels("+49 170 1234567", back or labels),)
    assert person.related == (f"B ({labels[-1]})",)


def test_a_card_with_a_uid_that_two_namesakes_could_be_gets_its_own_note(tmp_path: Path) -> None:
    """Two notes named Ann Lee; a card `Ann Lee` with a uid, then a card with that uid and an e-mail only. The first
    was left out as ambiguous, the second made a note with the uid, and the next run then found the first card
    there by its uid: the second run changed a note. A card that has a uid, LinkedIn URL or e-mail gets a note of
    its own, which every later run finds by them."""
    namesake = b"---\nname: Ann Lee\n---\n"
    root = vault(tmp_path, "v", "", {"contacts/a/Ann.md": namesake, "contacts/b/Ann.md": namesake})
    book = tmp_path / "book.vcf"
    book.write_bytes(crlf("BEGIN:VCARD", "VERSION:3.0", "FN:Ann Lee", "UID:u-1", "TITLE:CTO", "END:VCARD",
                          "BEGIN:VCARD", "VERSION:3.0", "UID:u-1", "EMAIL:ann@lee.example", "END:VCARD"))  # fmt: skip
    code, first, output = import_(root, book)
    assert code == 0 and first == {"read": 2, "new": 1, "updated": 0, "unchanged": 0, "merged with another card": 1}
    after = notes_of(root)
    code, second, output = import_(root, book)
    assert second == {"read": 2, "new": 0, "updated": 0, "unchanged": 2} and notes_of(root) == after, output
    assert "ann@lee.example" in after["contacts/Ann Lee.md"].decode() and "CTO" in after["contacts/Ann Lee.md"].decode()


def test_a_card_goes_again_to_the_note_that_holds_it_when_another_came_to_share_its_email(tmp_path: Path) -> None:
    """Zoë with her home address (a note), Zoë with her work address and LinkedIn (a second note: the addresses
    contradict), then a card with both addresses, which goes to the second by LinkedIn and gives it the home address
    too. On the next run the first card met two notes by e-mail and took the first by path (`Zoë 2.md`), moving its
    company there: a second run changed a note. The note that already holds all the card says wins."""
    root = vault(tmp_path, "v", "", {})
    book = tmp_path / "book.vcf"
    book.write_bytes(crlf(
        "BEGIN:VCARD", "VERSION:3.0", "FN:Zoë", "EMAIL:zoe@home.example", "ORG:Quotes Ltd", "END:VCARD",
        "BEGIN:VCARD", "VERSION:3.0", "FN:Zoë", "EMAIL:zoe@work.example", "URL:linkedin.com/in/zoe", "END:VCARD",
        "BEGIN:VCARD", "VERSION:3.0", "FN:Zoë", "EMAIL:zoe@home.example", "EMAIL:zoe@work.example",
        "URL:linkedin.com/in/zoe", "END:VCARD",
    ))  # fmt: skip
    import_(root, book)
    after = notes_of(root)
    assert sorted(after) == ["contacts/Zoë 2.md", "contacts/Zoë.md"]
    _code, second, output = import_(root, book)
    assert second == {"read": 3, "new": 0, "updated": 0, "unchanged": 3} and notes_of(root) == after, output


def test_a_cards_note_that_is_the_start_of_another_is_added_too(tmp_path: Path) -> None:
    """Two cards of Ann: `Call her back`, then `Call her`. The second was found in the first (`> Call her` is in
    `> Call her back`), left out, and the card counted unchanged: a note is there when its lines are."""
    root = vault(tmp_path, "v", "", {})
    book = tmp_path / "book.vcf"
    book.write_bytes(crlf("BEGIN:VCARD", "VERSION:3.0", "FN:Ann", "EMAIL:ann@example.com", "NOTE:Call her back",
                          "END:VCARD", "BEGIN:VCARD", "VERSION:3.0", "FN:Ann", "EMAIL:ann@example.com",
                          "NOTE:Call her", "END:VCARD"))  # fmt: skip
    _code, counts, output = import_(root, book)
    assert counts == {"read": 2, "new": 1, "updated": 0, "unchanged": 0, "merged with another card": 1}, output
    assert notes_of(root)["contacts/Ann.md"].decode().endswith("> Call her back\n\n> Call her\n")
