"""A change to one note, before it is written (vaultnet.changes): its diff, and `apply`'s refusal to write
over an editor's save. The commands' use of it is in test_actions.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from vaultkit import put

from vaultnet import actions
from vaultnet.changes import Change, apply, safe_filename
from vaultnet.problems import UserError


def change(tmp_path: Path, before: str | None, after: str) -> Change:
    """A change of the note `contacts/Anna.md` from `before` (written first; None: no such note yet) to `after`."""
    if before is not None:
        put(tmp_path, "contacts/Anna.md", before)
    old = None if before is None else before.encode()
    return Change(tmp_path / "contacts/Anna.md", "contacts/Anna.md", old, after.encode())


def test_diff_of_an_edit(tmp_path: Path) -> None:
    edit = change(tmp_path, "---\nname: Anna\n---\n", "---\nname: Anna\narchived: true\n---\n")
    assert edit.changed
    assert edit.diff().splitlines() == [
        "--- a/contacts/Anna.md",
        "+++ b/contacts/Anna.md",
        "@@ -1,3 +1,4 @@",
        " ---",
        " name: Anna",
        "+archived: true",
        " ---",
    ]


def test_diff_of_a_new_note_and_of_no_change(tmp_path: Path) -> None:
    assert change(tmp_path, None, "x\n").diff().splitlines()[-1] == "+x"
    same = change(tmp_path, "same\n", "same\n")
    assert not same.changed and same.diff() == ""


def test_apply_writes_a_new_note_and_an_edit(tmp_path: Path) -> None:
    new = change(tmp_path, None, "---\nname: Anna\n---\n")
    apply(new)
    assert new.path.read_text(encoding="utf-8") == "---\nname: Anna\n---\n"
    edit = change(tmp_path, "---\nname: Anna\n---\n", "---\nname: Anna Schmidt\n---\n")
    apply(edit)
    assert new.path.read_text(encoding="utf-8") == "---\nname: Anna Schmidt\n---\n"


def test_apply_refuses_when_the_note_changed_since_it_was_read(tmp_path: Path) -> None:
    edit = change(tmp_path, "old\n", "new\n")
    edit.path.write_text("saved by the editor\n", encoding="utf-8")
    with pytest.raises(UserError, match="changed since"):
        apply(edit)
    assert edit.path.read_text(encoding="utf-8") == "saved by the editor\n"


def test_these_are_defined_here_once() -> None:
    assert safe_filename('a/b: "c"?') == "a b c"
    assert {f.__module__ for f in (Change, apply, safe_filename)} == {"vaultnet.changes"}
    assert not hasattr(actions, "apply")
