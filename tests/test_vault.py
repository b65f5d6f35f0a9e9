"""The disk layer: which files are notes (`list_notes`), fingerprints, and `write_atomic`."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vaultkit import put

from vaultnet.safeio import Refused
from vaultnet.vault import Fingerprint, fingerprint, list_notes, note_stem, read_bytes, read_text, write_atomic

OLD_NS = 1_700_000_000_123_456_789  # a fixed mtime in the past (2023-11-14), with nanoseconds (unlike vaultkit's)


def leftovers(folder: Path) -> list[str]:
    """Temp files `write_atomic` may have left in `folder`."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- list_notes ---------------------------------------------------------------------------------------


def test_list_notes_finds_markdown_notes_with_relative_posix_paths(tmp_path: Path) -> None:
    put(tmp_path, "Top.md")
    put(tmp_path, "contacts/Anna Schmidt.md")
    put(tmp_path, "contacts/work/deep/Ben.md")
    put(tmp_path, "Upper.MD")
    assert sorted(list_notes(tmp_path)) == [
        "Top.md",
        "Upper.MD",
        "contacts/Anna Schmidt.md",
        "contacts/work/deep/Ben.md",
    ]


def test_list_notes_skips_hidden_and_tool_folders(tmp_path: Path) -> None:
    put(tmp_path, "contacts/Anna.md")
    for folder in (".git", ".obsidian", ".trash", ".vaultnet", ".hidden/sub", "node_modules", "contacts/__pycache__"):
        put(tmp_path, f"{folder}/Ghost.md")
    put(tmp_path, "contacts/.Hidden note.md")
    assert list(list_notes(tmp_path)) == ["contacts/Anna.md"]


def test_list_notes_skips_files_that_are_not_markdown(tmp_path: Path) -> None:
    put(tmp_path, "contacts/Anna.md")
    for name in ("photo.png", "Anna.md.bak", "notes.txt", "Anna.markdown", "md", "contacts/readme"):
        put(tmp_path, name)
    (tmp_path / "folder.md").mkdir()  # a folder named like a note
    put(tmp_path, "folder.md/Inside.md")
    assert sorted(list_notes(tmp_path)) == ["contacts/Anna.md", "folder.md/Inside.md"]


def test_list_notes_skips_excluded_paths_only(tmp_path: Path) -> None:
    put(tmp_path, "Follow-ups.md")
    put(tmp_path, "contacts/Follow-ups.md")
    put(tmp_path, "contacts/Anna.md")
    found = list_notes(tmp_path, exclude=frozenset({"Follow-ups.md", "contacts/Anna.md"}))
    assert list(found) == ["contacts/Follow-ups.md"]


def test_list_notes_does_not_follow_symlinked_folders(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    put(vault, "contacts/Anna.md")
    outside = tmp_path / "outside"
    put(outside, "Stranger.md")
    (vault / "contacts" / "loop").symlink_to(vault, target_is_directory=True)  # a loop back to the root
    (vault / "linked").symlink_to(outside, target_is_directory=True)
    assert list(list_notes(vault)) == ["contacts/Anna.md"]


def test_list_notes_follows_symlinked_files_inside_the_vault_and_fingerprints_the_target(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    target = put(vault, "people/Real.md", "twelve bytes")
    os.utime(target, ns=(OLD_NS, OLD_NS))
    (vault / "contacts").mkdir(parents=True)
    (vault / "contacts" / "Linked.md").symlink_to("../people/Real.md")
    (vault / "contacts" / "Folder.md").symlink_to(vault / "people", target_is_directory=True)  # not followed
    listed = list_notes(vault)
    assert listed == {"contacts/Linked.md": Fingerprint(OLD_NS, 12), "people/Real.md": Fingerprint(OLD_NS, 12)}
    assert listed.problems == ()


def test_list_notes_skips_links_out_of_the_vault_and_to_nothing_with_a_warning(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    outside = put(tmp_path, "elsewhere/Real.md", "twelve bytes")
    (vault / "contacts").mkdir(parents=True)
    (vault / "contacts" / "Out.md").symlink_to(outside)
    (vault / "contacts" / "Dangling.md").symlink_to(vault / "missing.md")
    (vault / "contacts" / "ToFolder.md").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    listed = list_notes(vault)
    assert listed == {}
    assert [(p.path, p.severity) for p in listed.problems] == [
        ("contacts/Dangling.md", "warning"),
        ("contacts/Out.md", "warning"),
        ("contacts/ToFolder.md", "warning"),
    ]
    assert "does not exist" in listed.problems[0].message
    assert "outside the vault" in listed.problems[1].message


def test_list_notes_fingerprint_is_mtime_ns_and_size(tmp_path: Path) -> None:
    note = put(tmp_path, "contacts/Anna.md", "ä\n")  # 3 bytes in UTF-8
    os.utime(note, ns=(OLD_NS, OLD_NS))
    assert list_notes(tmp_path) == {"contacts/Anna.md": Fingerprint(OLD_NS, 3)}
    assert fingerprint(note) == Fingerprint(OLD_NS, 3)
    assert fingerprint(tmp_path / "missing.md") is None


def test_list_notes_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert list_notes(tmp_path / "missing") == {}


def test_read_bytes_of_a_vanished_note_is_none(tmp_path: Path) -> None:
    put(tmp_path, "contacts/Anna.md", b"\xef\xbb\xbf---\n")
    assert read_bytes(tmp_path, "contacts/Anna.md") == b"\xef\xbb\xbf---\n"
    assert read_bytes(tmp_path, "contacts/Gone.md") is None
    with pytest.raises(Refused, match="is a folder"):
        read_bytes(tmp_path, "contacts")  # a folder, not a note


def test_read_bytes_reads_a_note_in_a_subfolder_and_refuses_a_fifo(tmp_path: Path) -> None:
    put(tmp_path, "contacts/work/Ben Okafor.md", "---\nname: Ben\n---\n")
    assert read_bytes(tmp_path, "contacts/work/Ben Okafor.md") == b"---\nname: Ben\n---\n"
    os.mkfifo(tmp_path / "contacts/Pipe.md")
    with pytest.raises(Refused, match="FIFO"):
        read_bytes(tmp_path, "contacts/Pipe.md")


_NAMES = st.text(alphabet="a.b -é", max_size=6)


@given(st.lists(_NAMES, max_size=3), _NAMES.filter(lambda name: name not in ("", ".")))
def test_note_stem_is_the_stem_pathlib_gives(folders: list[str], name: str) -> None:
    """For every path whose last part is a file name: dotted, dot-first (`.md`), dot-last, no dot, many dots."""
    rel = "/".join([*folders, name])
    assert note_stem(rel) == PurePosixPath(rel).stem


def test_read_text_drops_a_bom_and_is_none_without_a_file(tmp_path: Path) -> None:
    put(tmp_path, "vaultnet.toml", b"\xef\xbb\xbfcontacts_folder = 'people'\n")
    assert read_text(tmp_path, "vaultnet.toml") == "contacts_folder = 'people'\n"
    assert read_text(tmp_path, "none.toml") is None


# -- write_atomic ------------------------------------------------------------------------------------


def test_write_atomic_creates_the_file_and_its_parent_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "Follow-ups.md"
    assert write_atomic(target, b"hello\n") is True
    assert target.read_bytes() == b"hello\n"
    assert leftovers(target.parent) == []


def test_write_atomic_new_file_gets_default_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.ics"
    old_umask = os.umask(0o022)
    os.umask(old_umask)
    write_atomic(target, b"data")
    # mkstemp makes 0o600 files; the output must be readable like any file the user creates.
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~old_umask


def test_write_atomic_equal_content_is_not_rewritten(tmp_path: Path) -> None:
    target = put(tmp_path, "Follow-ups.md", b"same\n")
    os.utime(target, ns=(OLD_NS, OLD_NS))
    inode = target.stat().st_ino
    assert write_atomic(target, b"same\n") is False
    st = target.stat()
    assert (st.st_mtime_ns, st.st_ino) == (OLD_NS, inode)
    assert leftovers(tmp_path) == []


def test_write_atomic_changed_content_replaces_the_file(tmp_path: Path) -> None:
    target = put(tmp_path, "Follow-ups.md", b"old content\n")
    os.utime(target, ns=(OLD_NS, OLD_NS))
    assert write_atomic(target, b"new\n") is True
    assert target.read_bytes() == b"new\n"
    assert target.stat().st_mtime_ns != OLD_NS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Follow-ups.md"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o755])
def test_write_atomic_keeps_an_existing_files_permissions(tmp_path: Path, mode: int) -> None:
    target = put(tmp_path, "reminders.ics", b"old")
    target.chmod(mode)
    assert write_atomic(target, b"new") is True
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_bytes() == b"new"


def test_write_atomic_failure_leaves_no_temp_file_and_raises(tmp_path: Path) -> None:
    target = tmp_path / "Follow-ups.md"
    target.mkdir()  # cannot replace a folder with a file
    with pytest.raises(OSError):
        write_atomic(target, b"data")
    assert target.is_dir()
    assert leftovers(tmp_path) == []


def test_write_atomic_under_a_file_raises_oserror(tmp_path: Path) -> None:
    put(tmp_path, "blocked", b"a file where a folder should be")
    with pytest.raises(OSError):
        write_atomic(tmp_path / "blocked" / "Follow-ups.md", b"data")
    assert (tmp_path / "blocked").read_bytes() == b"a file where a folder should be"
