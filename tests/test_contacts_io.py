"""Contacts from outside the vault (vaultnet.contacts_io, vcard, linkedin): where they sit and what they
take. Real exports through the real command line are in test_import_export.py."""

from __future__ import annotations

import json
import subprocess
import sys

from vaultkit import checkout_env

from vaultnet.contacts_io import choose, decode_export
from vaultnet.model import Contact

ABOVE = ("vaultnet.actions", "vaultnet.pipeline", "vaultnet.index", "vaultnet.rules", "vaultnet.render.ics",
         "vaultnet.cli")  # fmt: skip


def test_the_codecs_sit_below_the_pipeline() -> None:
    """Importing them loads nothing of the pipeline or above (a fresh interpreter tells)."""
    code = (
        "import json, sys; import vaultnet.contacts_io, vaultnet.vcard, vaultnet.linkedin, vaultnet.changes, "
        "vaultnet.contentline; print(json.dumps(sorted(m for m in sys.modules if m.startswith('vaultnet'))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=checkout_env(), capture_output=True, text=True, timeout=60, check=True
    )
    loaded = json.loads(proc.stdout)
    assert "vaultnet.contacts_io" in loaded
    assert not set(ABOVE) & set(loaded)


def test_decode_export_takes_the_path_first_as_parse_decode_does() -> None:
    assert decode_export("a.vcf", "Zoë".encode()) == ("Zoë", [])
    assert decode_export("a.vcf", "\ufeffZoë".encode()) == ("Zoë", [])
    assert decode_export("a.vcf", "Zoë".encode("utf-16")) == ("Zoë", [])
    text, problems = decode_export("a.vcf", "Zoë".encode("cp1252"))
    assert text == "Zoë"
    assert [(p.path, p.line, p.severity) for p in problems] == [("a.vcf", 1, "warning")]


CONTACTS = [
    Contact(path="contacts/a.md", name="A", circle="close", tags=("Work", "climbing")),
    Contact(path="contacts/b.md", name="B", tags=("work",)),
    Contact(path="contacts/c.md", name="C", circle="loose"),
]


def names(contacts: list[Contact]) -> list[str]:
    return [c.name for c in contacts]


def test_choose_without_a_filter_takes_everyone() -> None:
    assert names(choose(CONTACTS, "active")) == ["A", "B", "C"]


def test_choose_by_tag_with_or_without_hash_in_any_case() -> None:
    for tag in ("work", "#WORK", "Work"):
        assert names(choose(CONTACTS, "active", tag=tag)) == ["A", "B"], tag


def test_choose_by_circle_counts_the_default_circle() -> None:
    assert names(choose(CONTACTS, "active", circle="Active")) == ["B"]
    assert names(choose(CONTACTS, "loose", circle="loose")) == ["B", "C"]
    assert names(choose(CONTACTS, "active", tag="work", circle="close")) == ["A"]
    assert choose(CONTACTS, "active", circle="besties") == []
