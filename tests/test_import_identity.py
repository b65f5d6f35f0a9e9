"""Issue 12: one rule for who is who, the same within a run and across runs; a first run writes what a second
would; counts that add up; new contacts that do not flood the list; a card's text that never becomes practice
data; lists that gain what they lack. Through the real command line on real vaults (`vaultnet init`)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

from test_import_export import card, contacts, files, import_vcard, new_vault, put, vcf
from vaultkit import run

from vaultnet.changes import apply
from vaultnet.config import Settings
from vaultnet.contacts_io import Person
from vaultnet.identity import Directory, contradicts, keys_of
from vaultnet.importing import fill, new_note, plan_import
from vaultnet.model import Birthday, NameParts
from vaultnet.parse import parse_note

DAY = "2026-11-30"
TODAY = date(2026, 11, 30)


def counts(result: object) -> dict[str, int]:
    """The summary line's counts by label, and `read`: `52 cards read: 40 new, ..., 2 skipped (were written)`."""
    m = re.search(r"^(\d+) (?:cards|rows) read: (.*) \((?:were|would be) written\)$", result.stdout, re.MULTILINE)  # type: ignore[attr-defined]
    assert m, result.output  # type: ignore[attr-defined]
    found = {label: int(n) for n, label in re.findall(r"(\d+) ([a-z ]+?)(?:,|$)", m[2])}
    found["read"] = int(m[1])
    return found


def adds_up(found: dict[str, int]) -> bool:
    return found["read"] == sum(n for label, n in found.items() if label != "read")


def imported(root: Path, *paths: Path, extra: tuple[str, ...] = ()) -> dict[str, int]:
    result = import_vcard(root, *paths, extra=("--today", DAY, *extra))
    assert result.exit_code == 0, result.output
    found = counts(result)
    assert adds_up(found), result.stdout
    return found


def vault_bytes(root: Path) -> dict[str, bytes]:
    return {
        rel: (root / rel).read_bytes() for rel in files(root) if rel.startswith("contacts/") and rel.endswith(".md")
    }


# -- point 1: two cards of one person in one run --------------------------------------------------------------

ANNA_A = card(
    "UID:anna-1", "FN:Anna Berg", "N:Berg;Anna;;;", "EMAIL:anna@berg.example", "TEL;TYPE=CELL:+46 70 111 22 33"
)
ANNA_B = card(
    "FN:Anna Berg", "N:Berg;Anna;;;", "EMAIL:ANNA@berg.example", "EMAIL:anna.berg@work.example", "TITLE:CTO",
    "BDAY:1988-04-02", "CATEGORIES:work,sweden", "TEL:+46701112233", "TEL;TYPE=WORK:+46 8 555 000",
)  # fmt: skip


def test_two_cards_of_one_person_in_one_run_are_merged_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    path = vcf(tmp_path, "anna.vcf", ANNA_A, ANNA_B)
    first = imported(root, path)
    assert first == {"read": 2, "new": 1, "updated": 0, "unchanged": 0, "merged with another card": 1}
    anna = contacts(root)["Anna Berg"]
    assert anna.role == "CTO" and anna.birthday == Birthday(4, 2, 1988) and anna.tags == ("work", "sweden")
    assert anna.emails == ("anna@berg.example", "anna.berg@work.example")  # the same address once, whatever case
    assert [p.split(" (")[0] for p in anna.phones] == ["+46 70 111 22 33", "+46 8 555 000"]  # one number once
    before = vault_bytes(root)
    again = imported(root, path)
    assert again == {"read": 2, "new": 0, "updated": 0, "unchanged": 2}
    assert vault_bytes(root) == before


def test_one_command_two_commands_and_twice_over_give_the_same_vault(tmp_path: Path) -> None:
    one, two = vcf(tmp_path, "a.vcf", ANNA_A), vcf(tmp_path, "b.vcf", ANNA_B)
    together = new_vault(tmp_path / "together")
    imported(together, one, two)
    apart = new_vault(tmp_path / "apart")
    imported(apart, one)
    assert imported(apart, two)["updated"] == 1
    twice = new_vault(tmp_path / "twice")
    imported(twice, one, two)
    imported(twice, one, two)
    assert vault_bytes(together) == vault_bytes(apart) == vault_bytes(twice)
    assert len(vault_bytes(together)) == 1


# -- point 2: one identity rule -------------------------------------------------------------------------------


def test_two_people_called_john_doe_with_their_own_uids_and_emails_stay_two(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    a = vcf(tmp_path, "a.vcf", card("UID:jd-1", "FN:John Doe", "EMAIL:john@alpha.example"))
    b = vcf(tmp_path, "b.vcf", card("UID:jd-2", "FN:John Doe", "EMAIL:jdoe@beta.example"))
    imported(root, a, b)
    assert sorted(vault_bytes(root)) == ["contacts/John Doe 2.md", "contacts/John Doe.md"]
    split = new_vault(tmp_path / "split")
    imported(split, a)
    imported(split, b)
    assert vault_bytes(split) == vault_bytes(root)


def test_a_name_alone_matches_when_nothing_contradicts_it(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    put(root, "contacts/Jo.md", "---\nname: Jo Park\nuid: jo-1\n---\n")
    same = vcf(tmp_path, "same.vcf", card("FN:Jo Park", "TITLE:Designer"))  # no uid, no e-mail: the same Jo
    other = vcf(tmp_path, "other.vcf", card("UID:jo-2", "FN:Jo Park", "TITLE:Chef"))  # another uid: another Jo
    assert imported(root, same)["updated"] == 1
    assert imported(root, other)["new"] == 1
    people = {c.uid: c for c in contacts_list(root)}
    assert people["jo-1"].role == "Designer" and people["jo-2"].role == "Chef"


def contacts_list(root: Path) -> list:  # type: ignore[type-arg]
    from vaultnet.pipeline import Session

    return list(Session(root, persist=False).snapshot().network.contacts)


def test_uid_beats_linkedin_beats_email_beats_name() -> None:
    directory = Directory()
    directory.add("by-uid.md", keys_of("A", "u1", None, ["x@a"]))
    directory.add("by-linkedin.md", keys_of("B", None, "linkedin.com/in/b", ["y@a"]))
    directory.add("by-email.md", keys_of("C", None, None, ["z@a"]))
    directory.add("by-name.md", keys_of("Dee", None, None, []))
    card_keys = keys_of("Dee", "u1", "https://www.linkedin.com/in/b/", ["Z@A"])
    assert directory.match(card_keys).path == "by-uid.md"
    assert directory.match(card_keys._replace(uid="u9")).path == "by-linkedin.md"
    assert directory.match(card_keys._replace(uid=None, linkedin=None)).path == "by-email.md"
    assert directory.match(keys_of("dee", None, None, [])).path == "by-name.md"
    assert directory.match(keys_of("Dee", None, None, ["q@a"])).path == "by-name.md"  # the note has no e-mail
    directory.add("by-name.md", keys_of("Dee", None, None, ["r@a"]))
    assert directory.match(keys_of("Dee", None, None, ["q@a"])).path is None  # e-mails that share none
    directory.remove("by-name.md")
    assert directory.match(keys_of("Dee", None, None, [])).path is None


def test_several_notes_at_one_key_the_namesake_then_the_first_path() -> None:
    directory = Directory()
    directory.add("b.md", keys_of("Bo", None, None, ["shared@x"]))
    directory.add("a.md", keys_of("Al", None, None, ["shared@x"]))
    assert directory.match(keys_of("Bo", None, None, ["shared@x"])).path == "b.md"
    assert directory.match(keys_of("Cy", None, None, ["shared@x"])).path == "a.md"
    directory.add("c.md", keys_of("Al", None, None, []))
    directory.add("d.md", keys_of("Al", None, None, []))
    ambiguous = directory.match(keys_of("Al", None, None, []))
    assert (ambiguous.path, ambiguous.namesakes, set(ambiguous.some)) == (None, 3, {"a.md", "c.md", "d.md"})
    own = directory.match(keys_of("Al", None, None, ["new@x"]))  # an e-mail of its own: a note of its own
    assert (own.path, own.namesakes) == (None, 0)


def test_a_name_ten_thousand_notes_share_is_looked_up_not_scanned() -> None:
    """Namesakes are kept by which keys they have: a card meets only those a name alone may match. 20,000 John
    Smiths with their own e-mails, then 20,000 cards of a John Smith with none: each is ambiguous, counted."""
    directory = Directory()
    for i in range(20_000):
        card_keys = keys_of("John Smith", None, None, [f"j{i}@x"])
        assert directory.match(card_keys).path is None  # another e-mail: another John Smith
        directory.add(f"John Smith {i}.md", card_keys)
    for _ in range(20_000):
        found = directory.match(keys_of("John Smith", None, None, []))
        assert (found.path, found.namesakes, len(found.some)) == (None, 20_000, 3)


def test_contradiction() -> None:
    assert contradicts(keys_of("a", "1", None, []), keys_of("a", "2", None, []))
    assert contradicts(keys_of("a", None, "https://linkedin.com/in/x", []), keys_of("a", None, "linkedin.com/in/y", []))
    assert contradicts(keys_of("a", None, None, ["p@x"]), keys_of("a", None, None, ["q@x"]))
    assert not contradicts(keys_of("a", None, None, ["p@x", "q@x"]), keys_of("a", None, None, ["Q@X"]))
    assert not contradicts(keys_of("a", "1", None, []), keys_of("a", None, None, ["q@x"]))


# -- point 8: no flood; --circle and [import] circle ----------------------------------------------------------


def _due(root: Path) -> list[dict[str, object]]:
    result = run("due", "--json", "--vault", root, "--today", DAY)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_big_address_book_does_not_flood_the_list_and_the_summary_says_when_it_starts(tmp_path: Path) -> None:
    cards = [card(f"FN:Person {i:03d}", f"EMAIL:p{i}@x.example", "REV:2001-01-01T00:00:00Z") for i in range(120)]
    root = new_vault(tmp_path / "vault")
    result = import_vcard(root, vcf(tmp_path, "book.vcf", *cards), extra=("--today", DAY))
    assert counts(result)["new"] == 120
    assert _due(root) == []  # met today (an old REV is not when you met): nobody is due at once
    assert all(c.met == TODAY for c in contacts_list(root))
    assert "comes up for a follow-up on 2027-02-28" in result.stdout  # the default circle: every 90 days


def test_circle_option_and_setting(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    one = vcf(tmp_path, "one.vcf", card("FN:Ola Nordmann", "EMAIL:ola@x.example"))
    two = vcf(tmp_path, "two.vcf", card("FN:Kari Nordmann", "EMAIL:kari@x.example"))
    (root / "vaultnet.toml").write_text('[import]\ncircle = "loose"\n', encoding="utf-8")
    imported(root, one)
    result = import_vcard(root, two, extra=("--today", DAY, "--circle", "Close"))
    assert result.exit_code == 0, result.output
    people = contacts(root)
    assert people["Ola Nordmann"].circle == "loose" and people["Kari Nordmann"].circle == "close"
    assert "comes up for a follow-up on 2026-12-30" in result.stdout  # close: every 30 days
    bad = import_vcard(root, two, extra=("--circle", "nope"))
    assert bad.exit_code != 0 and "nope" in bad.output and "Traceback" not in bad.output


def test_an_unknown_import_circle_setting_is_reported_at_its_line(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    (root / "vaultnet.toml").write_text('[import]\ncircle = "nope"\n', encoding="utf-8")
    result = run("check", "--vault", root)
    assert "vaultnet.toml:2: import.circle: 'nope' is not one of the circles" in result.output


# -- point 9: a card's text is never practice data ------------------------------------------------------------

NOTE_CARD = card(
    "FN:Mia Wong", "EMAIL:mia@x.example",
    "NOTE:- [ ] wire money by Friday\\n- 2024-01-02 call\\n## Log\\n```\\n- 2024-02-03 coffee",
)  # fmt: skip


def test_a_cards_note_makes_no_task_and_no_log_entry(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    put(root, "contacts/Mia.md", "---\nname: Mia Wong\nemail: mia@x.example\n---\n## Log\n\n- 2026-11-01 lunch\n")
    imported(root, vcf(tmp_path, "mia.vcf", NOTE_CARD))
    mia = contacts(root)["Mia Wong"]
    assert mia.promises == () and [e.day for e in mia.log] == [date(2026, 11, 1)]
    text = (root / "contacts/Mia.md").read_text(encoding="utf-8")
    assert text.endswith("## Notes from import\n\n> - [ ] wire money by Friday\n> - 2024-01-02 call\n> ## Log\n> ```\n"
                         "> - 2024-02-03 coffee\n")  # fmt: skip
    again = imported(root, vcf(tmp_path, "mia.vcf", NOTE_CARD))
    assert again["unchanged"] == 1  # the quote is there: not added twice
    run("log", "Mia", "call", "--vault", root, "--date", "2026-11-29")  # the log still goes under ## Log
    assert [e.day for e in contacts(root)["Mia Wong"].log] == [date(2026, 11, 1), date(2026, 11, 29)]


# -- point 12: lists gain what they lack, in the note's own style ---------------------------------------------


def test_block_lists_gain_lines_and_mapped_field_names_are_used(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    (root / "vaultnet.toml").write_text('[fields]\nemail = ["mail"]\n', encoding="utf-8")
    note = "---\nname: Lea Vogel\nmail: lea@vogel.example\nphones:\n    - +49 30 1234   # desk\n---\nBody.\n"
    put(root, "contacts/Lea.md", note)
    path = vcf(tmp_path, "lea.vcf", card("FN:Lea Vogel", "EMAIL:lea@vogel.example", "EMAIL:lea@home.example",
                                         "TEL;TYPE=CELL:+49 170 999", "TEL:+49301234"))  # fmt: skip
    imported(root, path)
    after = (root / "contacts/Lea.md").read_text(encoding="utf-8")
    assert after == (
        "---\nname: Lea Vogel\nmail: [lea@vogel.example, lea@home.example]\nphones:\n    - +49 30 1234   # desk\n"
        '    - "+49 170 999 (cell)"\n---\nBody.\n'
    )
    lea = contacts(root)["Lea Vogel"]
    assert lea.emails == ("lea@vogel.example", "lea@home.example") and len(lea.phones) == 2


# -- the note an import writes ---------------------------------------------------------------------------------


def test_a_new_note_holds_every_field_and_reads_back_as_the_person() -> None:
    person = Person(
        name="山田太郎", name_parts=NameParts("山田", "太郎"), aliases=("Taro, the second",),
        emails=("taro@x.example",),
        phones=("+81 90 1234 5678 (cell)", "+81 3 1234 5678 (work, fax)"), company="ACME, Inc.", role="Engineer",
        birthday=Birthday(3, 15), anniversary=Birthday(8, 14, 2004), related=("Hanako Yamada (spouse)",),
        urls=("https://example.com/taro",), linkedin="https://www.linkedin.com/in/taro", uid="urn:uuid:1",
        tags=("friends", "work"), notes=("wire money\n\nby Friday", "call - [ ] never"), circle="close", source="vcard",
    )  # fmt: skip
    text = new_note(person, TODAY)
    contact = parse_note("contacts/山田太郎.md", text.encode(), Settings()).contact
    assert contact is not None
    for attr in ("name", "name_parts", "aliases", "emails", "phones", "company", "role", "birthday", "anniversary",
                 "related", "urls", "linkedin", "uid", "tags", "circle"):  # fmt: skip
        assert getattr(contact, attr) == getattr(person, attr), attr
    assert contact.met == TODAY and contact.promises == () and contact.log == ()
    assert contact.import_notes == person.notes
    assert 'name_parts: {family: "山田", given: "太郎"}\n' in text and "\n> wire money\n>\n> by Friday\n" in text
    assert fill(text, contact, person, Settings()) == text  # the person adds nothing to their own note


def test_an_edit_made_while_the_import_ran_is_kept(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    put(root, "contacts/Bo.md", "---\nname: Bo Ek\nemail: bo@x.example\n---\nNotes.\n")
    person = Person(name="Bo Ek", emails=("bo@x.example",), role="Chef", source="vcard")
    plan = plan_import(root, Settings(), contacts_list(root), [person], today=TODAY)
    (root / "contacts/Bo.md").write_text("---\nname: Bo Ek\nemail: bo@x.example\n---\nNotes. And more.\n")
    assert all(apply(change) for change in plan.changes)
    assert (
        root / "contacts/Bo.md"
    ).read_text() == "---\nname: Bo Ek\nrole: Chef\nemail: bo@x.example\n---\nNotes. And more.\n"


def test_dry_run_counts_what_a_run_would_do(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    path = vcf(tmp_path, "anna.vcf", ANNA_A, ANNA_B)
    before = vault_bytes(root)
    result = import_vcard(root, path, extra=("--today", DAY, "--dry-run"))
    assert "2 cards read: 1 new, 0 updated, 0 unchanged, 1 merged with another card (would be written)" in result.stdout
    assert vault_bytes(root) == before
    shutil.rmtree(root / ".vaultnet", ignore_errors=True)


# -- progress on a terminal, none when piped ------------------------------------------------------------------


def test_an_import_shows_its_progress_on_a_terminal_only(tmp_path: Path) -> None:
    from test_parallel import run_cli

    book = vcf(tmp_path, "book.vcf", *(card(f"FN:Person {i}", f"EMAIL:p{i}@x.example") for i in range(30)))
    for terminal in (True, False):
        root = new_vault(tmp_path / f"vault-{terminal}")
        out, err = run_cli(["import", "vcard", str(book), "--vault", str(root)], terminal=terminal)
        assert "30 cards read: 30 new" in out
        assert ("\rimporting: 30/30" in err) == terminal, err
        assert ("\r" in err.replace("\r\n", "\n")) == terminal


def test_values_that_read_back_otherwise_are_not_added_on_every_run(tmp_path: Path) -> None:
    """A person's values are compared as the parser reads what the import writes: a tag with a comma or a blank,
    a company written as a link, an e-mail with blanks around it."""
    root = new_vault(tmp_path / "vault")
    put(root, "contacts/Ida.md", "---\nname: Ida Lund\nemail: ida@x.example\n---\n")
    person = Person(name="Ida Lund", emails=(" IDA@x.example ",), tags=("friends,-work", "#a b"), company="[[Acme]]")
    for expected in ((0, 1, 0), (0, 0, 1)):
        plan = plan_import(root, Settings(), contacts_list(root), [person], today=TODAY)
        assert (plan.created, plan.updated, plan.unchanged) == expected
        for change in plan.changes:
            apply(change)
    ida = contacts(root)["Ida Lund"]
    assert (
        ida.company == "Acme" and ida.emails == ("ida@x.example",) and set(ida.tags) == {"friends", "-work", "a", "b"}
    )


def test_overwrite_never_replaces_a_uid(tmp_path: Path) -> None:
    root = new_vault(tmp_path / "vault")
    put(root, "contacts/Eva.md", "---\nname: Eva Holm\nuid: eva-1\nemail: eva@x.example\nrole: Chef\n---\n")
    other = vcf(tmp_path, "eva.vcf", card("UID:eva-2", "FN:Eva Holm", "EMAIL:eva@x.example", "TITLE:Baker"))
    assert imported(root, other, extra=("--overwrite",))["updated"] == 1
    eva = contacts(root)["Eva Holm"]
    assert (eva.uid, eva.role) == ("eva-1", "Baker")  # the role replaced; who she is, not
