"""The test suite's shared floor (`vaultkit.py`, `conftest.py`) does what the tests rely on it for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from vaultkit import (
    DAY,
    MTIME,
    OLD_NS,
    hide_vaultnet_environment,
    parse_problems,
    put,
    put_old,
    read_only,
    run,
    write_notes,
    write_vault,
)


def test_the_outer_vaultnet_environment_is_hidden_but_the_suites_switches_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULTNET_TODAY", "2030-01-01")
    monkeypatch.setenv("VAULTNET_VAULT", "/home/someone/notes")
    monkeypatch.setenv("VAULTNET_UPDATE_GOLDEN", "0")
    hide_vaultnet_environment(monkeypatch)
    assert "VAULTNET_TODAY" not in os.environ and "VAULTNET_VAULT" not in os.environ
    assert os.environ["VAULTNET_UPDATE_GOLDEN"] == "0"


def test_put_writes_bytes_as_given_and_sets_the_mtime_only_when_asked(tmp_path: Path) -> None:
    fresh = put(tmp_path, "a/b/Note.md", "---\r\nname: Ü\r\n---\r\n")
    assert fresh.read_bytes() == "---\r\nname: Ü\r\n---\r\n".encode()
    assert fresh.stat().st_mtime_ns != OLD_NS
    assert put_old(tmp_path, "Old.md", b"\xff").stat().st_mtime_ns == OLD_NS
    assert put_old(tmp_path, "Now.md", "x", mtime_ns=None).stat().st_mtime_ns != OLD_NS


def test_write_vault_gives_every_file_one_mtime_and_write_notes_none(tmp_path: Path) -> None:
    notes = {"contacts/Anna.md": "---\nname: Anna\n---\n", "notes/Idea.md": "an idea\n"}
    vault = write_vault(tmp_path / "v", notes, toml="[calendar]\n")
    files = sorted(p for p in vault.rglob("*") if p.is_file())
    assert [p.relative_to(vault).as_posix() for p in files] == ["contacts/Anna.md", "notes/Idea.md", "vaultnet.toml"]
    assert {p.stat().st_mtime for p in files} == {MTIME}
    plain = write_notes(tmp_path / "w", notes)
    assert (plain / "contacts/Anna.md").stat().st_mtime != MTIME


def test_run_reads_no_vaultnet_today_from_outside(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VAULTNET_TODAY", "not a day")  # as if set after the autouse fixture ran
    result = run("due", write_notes(tmp_path / "v", {}))
    assert result.exit_code == 0, result.output  # the clock's day, not the variable's
    assert result.stdout.startswith("Nobody is due on ")
    assert run("due", tmp_path / "v", env={"VAULTNET_TODAY": DAY}).stdout == f"Nobody is due on {DAY}.\n"


def test_parse_problems_reads_path_line_and_message() -> None:
    stderr = "vaultnet: 2 problems\ncontacts/A b.md:3: cadence: 'x' is not a duration\nnot a problem\n"
    assert parse_problems(stderr) == [("contacts/A b.md", 3, "cadence: 'x' is not a duration")]


def test_read_only_makes_every_folder_read_only_and_then_writable_again(tmp_path: Path) -> None:
    put(tmp_path, "v/contacts/deep/Anna.md")
    folders = [tmp_path / "v", tmp_path / "v/contacts", tmp_path / "v/contacts/deep"]
    with read_only(tmp_path / "v"):
        assert [f.stat().st_mode & 0o777 for f in folders] == [0o555] * 3
    assert [f.stat().st_mode & 0o777 for f in folders] == [0o755] * 3
