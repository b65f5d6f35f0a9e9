"""RFC 5545/6350 content lines (vaultnet.contentline), shared by the calendar and the vCard writer.
The escaping and folding rules themselves are tested in test_calendar.py."""

from __future__ import annotations

from vaultnet import contentline
from vaultnet.contentline import escape, fold
from vaultnet.model import Contact
from vaultnet.render import ics
from vaultnet.vcard_out import export_vcards


def test_the_calendar_uses_these_functions() -> None:
    assert ics.escape is contentline.escape and ics.fold is contentline.fold


def test_the_vcard_writer_escapes_and_folds_as_the_calendar_does() -> None:
    role = "Head of Research, Development; and everything else in between, at a long-named place"
    card = export_vcards([Contact(path="contacts/Anna.md", name="Anna Schmidt", role=role)]).decode("utf-8")
    assert fold(f"TITLE:{escape(role)}") + "\r\n" in card
    assert "\r\n " in card  # the line was long enough to fold


def test_escape_and_fold_round_trip() -> None:
    text = "a,b;c\\d\ne " + "ü" * 60
    folded = fold("NOTE:" + escape(text))
    assert all(len(line.encode()) <= 75 for line in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "NOTE:" + escape(text)
