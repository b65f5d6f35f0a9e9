"""The test suite's shared floor (`vaultkit.py`, `conftest.py`) does what the tests rely on it for."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from vaultkit import (
    DAY,
    MTIME,
    OLD_NS,
    REPO,
    RHYTHM_WEEKS,
    TODAY,
    checkout_env,
    contact_of,
    hide_vaultnet_environment,
    no_network_build,
    parse_problems,
    put,
    put_old,
    read_only,
    run,
    vault_files,
    write_notes,
    write_vault,
)

from vaultnet import pipeline


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


def test_vault_files_are_every_file_but_the_cache_by_relative_path(tmp_path: Path) -> None:
    put(tmp_path, "contacts/Anna.md", "a\n")
    put(tmp_path, ".vaultnet/cache.sqlite", b"\x00")
    put(tmp_path, "Follow-ups.md", b"f")
    assert vault_files(tmp_path) == {"Follow-ups.md": b"f", "contacts/Anna.md": b"a\n"}


def test_contact_of_reads_a_good_note_and_fails_on_a_problem() -> None:
    assert contact_of("---\ncompany: Acme\n---\n").name == "Anna Schmidt"  # from the default path
    assert contact_of("---\nname: Ben\n---\n", "contacts/work/b.md").path == "contacts/work/b.md"
    with pytest.raises(AssertionError):
        contact_of("---\ncadence: soon\n---\n")


def test_no_network_build_makes_a_network_build_fail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    no_network_build(monkeypatch)
    with pytest.raises(AssertionError, match="whole network"):
        pipeline.due(write_notes(tmp_path / "v", {"contacts/Anna.md": "x\n"}), TODAY)


def test_checkout_env_imports_this_checkout_without_vaultnet_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULTNET_UPDATE_GOLDEN", "0")
    env = checkout_env(VAULTNET_TODAY=DAY)
    assert env["PYTHONPATH"] == str(REPO) and (REPO / "vaultnet" / "__init__.py").is_file()
    assert [name for name in env if name.startswith("VAULTNET_")] == ["VAULTNET_TODAY"]


def test_rhythm_weeks_are_the_eight_iso_weeks_up_to_today_with_their_mondays() -> None:
    year, week, _ = TODAY.isocalendar()
    expected = [(year, number) for number in range(week - 7, week + 1)]  # all in one year here
    assert [(int(label[:4]), int(label[6:])) for label, _ in RHYTHM_WEEKS] == expected
    assert all(
        monday == date.fromisocalendar(y, w, 1) for (y, w), (_, monday) in zip(expected, RHYTHM_WEEKS, strict=True)
    )
