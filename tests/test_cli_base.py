"""What every command shares (vaultnet.cli_base): the vault option and how the vault is found, the error
boundary with --debug, library errors named as options, and the one-line warnings of the daily commands.

Every test runs the real command line: click's CliRunner (with `env=` and a changed working folder), and a
real subprocess where the process's own environment and folder matter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from vaultkit import DAY as TODAY
from vaultkit import checkout_env, put, run

from vaultnet import pipeline
from vaultnet.cli import cli

ANNA = "---\nname: Anna Schmidt\ncircle: close\nlast_contact: 2026-08-01\n---\n## Log\n"
WARNED = "---\nname: Tagged\ntags: #work\n---\n"  # `#work` reads as a YAML comment: a warning, not an error
BROKEN = "---\nname: Bad\ncadence: soon\n---\n"  # an error at line 3


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A vault marked by vaultnet.toml, with one contact."""
    root = tmp_path / "vault"
    put(root, "vaultnet.toml", "")
    put(root, "contacts/Anna Schmidt.md", ANNA)
    return root


def leaf_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's path (`("import", "vcard")`), however deep."""
    out: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += leaf_commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


# -- -C/--vault on every command -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", leaf_commands(), ids=" ".join)
def test_every_command_takes_the_vault_option(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "-C, --vault DIR" in result.stdout


def test_the_group_help_states_the_rule() -> None:
    text = " ".join(run("--help").stdout.split())
    assert "-C/--vault DIR" in text and "$VAULTNET_VAULT" in text
    assert "the nearest folder upward from here that holds vaultnet.toml or .obsidian/, else this folder" in text


@pytest.mark.parametrize("command", ["due", "today", "stats", "check"])
def test_reading_commands_take_the_option_or_the_argument_alike(vault: Path, command: str) -> None:
    dated = [] if command == "check" else ["--today", TODAY]
    by_argument = run(command, vault, *dated)
    assert by_argument.exit_code == 0, by_argument.output
    for args in (["-C", vault], ["--vault", vault], [vault, "--vault", vault]):
        result = run(command, *args, *dated)
        assert (result.exit_code, result.stdout) == (0, by_argument.stdout), args


def test_the_argument_and_the_option_naming_different_folders_is_a_usage_error(vault: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    result = run("due", vault, "-C", other, "--today", TODAY)
    assert result.exit_code == 2
    assert "different folders" in result.stderr and str(other) in result.stderr
    assert result.stdout == ""


def test_the_same_folder_spelled_twice_is_fine(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(vault.parent)
    result = run("due", "vault", "-C", f"./vault{os.sep}", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "Anna Schmidt" in result.stdout


def test_writing_commands_take_the_short_option(vault: Path) -> None:
    result = run("log", "anna", "coffee", "-C", vault, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "- 2026-11-21 coffee" in (vault / "contacts/Anna Schmidt.md").read_text(encoding="utf-8")


# -- VAULTNET_VAULT and the folder upward ----------------------------------------------------------------------


def test_the_environment_names_the_vault(vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("due", "--today", TODAY, env={"VAULTNET_VAULT": str(vault)})
    assert result.exit_code == 0, result.output
    assert "Anna Schmidt" in result.stdout
    logged = run("log", "anna", "lunch", "--today", TODAY, env={"VAULTNET_VAULT": str(vault)})
    assert logged.exit_code == 0, logged.output
    assert "lunch" in (vault / "contacts/Anna Schmidt.md").read_text(encoding="utf-8")


def test_a_typed_vault_wins_over_the_environment(vault: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in ([vault], ["-C", vault]):
        result = run("due", *args, "--today", TODAY, env={"VAULTNET_VAULT": str(empty)})
        assert result.exit_code == 0 and "Anna Schmidt" in result.stdout, args


def test_the_environment_wins_over_the_folder_upward(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    put(other, "contacts/Ben.md", "---\nname: Ben Okafor\nfollow_up: 2026-11-01\n---\n")
    monkeypatch.chdir(vault / "contacts")
    result = run("due", "--today", TODAY, env={"VAULTNET_VAULT": str(other)})
    assert "Ben Okafor" in result.stdout and "Anna" not in result.stdout


@pytest.mark.parametrize("marker", ["vaultnet.toml", ".obsidian/app.json"])
def test_a_subfolder_finds_the_vault_upward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    root = tmp_path / "notes"
    put(root, marker, "{}" if marker.endswith(".json") else "")
    put(root, "contacts/Anna Schmidt.md", ANNA)
    put(root, "contacts/Bad.md", BROKEN)
    deep = root / "journal" / "2026"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    result = run("check")
    assert result.exit_code == 1
    # Paths are printed as seen from here, so that an editor can open them.
    assert result.stderr.startswith(f"{Path('..', '..', 'contacts', 'Bad.md')}:3: cadence")
    built = run("build", "--today", TODAY)
    assert built.exit_code == 0, built.output
    assert (root / "Follow-ups.md").is_file() and not (deep / "Follow-ups.md").exists()


def test_without_a_marker_the_vault_is_this_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "plain"
    put(here, "contacts/Anna Schmidt.md", ANNA)
    monkeypatch.chdir(here)
    result = run("build", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (here / "Follow-ups.md").is_file()


def test_init_makes_the_folder_it_is_given_or_this_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """init creates a vault: it neither follows VAULTNET_VAULT nor looks upward."""
    parent = tmp_path / "parent"
    put(parent, "vaultnet.toml", "")
    here = parent / "new"
    here.mkdir()
    monkeypatch.chdir(here)
    assert run("init", env={"VAULTNET_VAULT": str(tmp_path)}).exit_code == 0
    assert (here / "vaultnet.toml").is_file()
    other = tmp_path / "other"
    assert run("init", "-C", other).exit_code == 0
    assert (other / "contacts").is_dir()


def _vaultnet(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """vaultnet as its own process, with this checkout's code."""
    command = [sys.executable, "-c", "from vaultnet.cli import main; main()", *args]
    return subprocess.run(command, cwd=cwd, env=checkout_env(**env), capture_output=True, text=True, timeout=60)


def test_a_process_finds_its_vault_from_the_environment_and_from_a_subfolder(vault: Path, tmp_path: Path) -> None:
    from_sub = _vaultnet("due", "--today", TODAY, cwd=vault / "contacts", env={})
    assert from_sub.returncode == 0, from_sub.stderr
    assert "Anna Schmidt" in from_sub.stdout
    from_env = _vaultnet("due", "--today", TODAY, cwd=tmp_path, env={"VAULTNET_VAULT": str(vault)})
    assert from_env.returncode == 0, from_env.stderr
    assert from_env.stdout == from_sub.stdout


# -- the error boundary and --debug ----------------------------------------------------------------------------


def test_a_user_error_is_one_line_without_a_traceback(tmp_path: Path) -> None:
    result = run("due", tmp_path / "missing")
    assert result.exit_code == 2
    assert result.stderr == f"vaultnet: {tmp_path / 'missing'}: no such folder\n"


@pytest.mark.parametrize("how", [["--debug"], []], ids=["flag", "environment"])
def test_debug_shows_the_traceback_behind_a_user_error(tmp_path: Path, how: list[str]) -> None:
    env = {} if how else {"VAULTNET_DEBUG": "1"}
    result = run(*how, "due", tmp_path / "missing", env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "UserError" in result.stderr
    assert result.stderr.endswith(f"vaultnet: {tmp_path / 'missing'}: no such folder\n")


def _a_bug(*args: object) -> object:
    raise KeyError("contacts/Anna.md")


def test_an_unexpected_exception_is_one_line_and_exit_2(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.Session, "view", _a_bug)  # stands in for a bug anywhere below the CLI
    result = run("due", vault, "--today", TODAY)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert result.stderr == (
        "vaultnet: internal error: KeyError: 'contacts/Anna.md' "
        "(run again with --debug to see the traceback, and please report it)\n"
    )
    assert result.stdout == ""


def test_debug_shows_the_traceback_of_an_unexpected_exception(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.Session, "view", _a_bug)
    for args, env in ((["--debug"], {}), ([], {"VAULTNET_DEBUG": "1"})):
        result = run(*args, "due", vault, "--today", TODAY, env=env)
        assert result.exit_code == 2
        assert result.stderr.startswith("Traceback (most recent call last):")
        assert "in _a_bug" in result.stderr
        assert (
            result.stderr.splitlines()[-1]
            == "vaultnet: internal error: KeyError: 'contacts/Anna.md' (please report it)"
        )


def test_debug_off_in_the_environment_stays_off(tmp_path: Path) -> None:
    result = run("due", tmp_path / "missing", env={"VAULTNET_DEBUG": "0"})
    assert "Traceback" not in result.stderr


def test_usage_errors_stay_clicks(vault: Path) -> None:
    result = run("due", vault, "--today", "tomorrow")
    assert result.exit_code == 2
    assert "Usage: " in result.stderr and "Invalid value for '--today'" in result.stderr


# -- library errors named as the option the user typed -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["log", "anna", "x", "--kind", "two words"], "vaultnet: Invalid value for '--kind': 'two words' is not one"),
        (["new", "Paul", "--circle", "besties"], "vaultnet: Invalid value for '--circle': 'besties' is not a circle"),
        (["snooze", "anna", "soon"], "vaultnet: Invalid value for 'UNTIL': 'soon' is neither a date"),
        (["log", "anna", " ", "--today", TODAY], "vaultnet: Invalid value for 'TEXT': what happened?"),
        (
            ["log", "anna", "x", "--gave", "--got"],
            "vaultnet: Invalid value for '--got': an entry is one of gave and got",
        ),
    ],
)
def test_a_library_error_about_one_argument_names_its_option(vault: Path, args: list[str], expected: str) -> None:
    before = (vault / "contacts/Anna Schmidt.md").read_bytes()
    result = run(*args, "-C", vault)
    assert result.exit_code == 2
    assert result.stderr.startswith(expected), result.stderr
    assert result.stderr.count("\n") == 1
    assert (vault / "contacts/Anna Schmidt.md").read_bytes() == before


def test_a_bad_date_option_is_named_too(vault: Path) -> None:
    result = run("log", "anna", "x", "--date", "2026-13-01", "-C", vault)
    assert result.exit_code == 2
    assert "Invalid value for '--date': '2026-13-01' is not a valid date" in result.stderr


# -- warnings: one line from the daily commands, in full from check -------------------------------------------------


@pytest.fixture
def warned(vault: Path) -> Path:
    """Two notes with a warning each, one with an error."""
    put(vault, "contacts/Tagged.md", WARNED)
    put(vault, "contacts/Tagged too.md", WARNED)
    put(vault, "contacts/Bad.md", BROKEN)
    return vault


@pytest.mark.parametrize("command", ["due", "today", "build", "stats", "who"])
def test_daily_commands_print_errors_in_full_and_warnings_as_one_line(warned: Path, command: str) -> None:
    extra = ["--company", "acme"] if command == "who" else []
    result = run(command, warned, "--today", TODAY, *extra)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{warned}{os.sep}contacts/Bad.md:3: cadence: 'soon' is not a duration (expected e.g. 10d, 3w, 2m, 1y or none)",
        f"2 warnings: `vaultnet check {warned}` shows them",
    ]


def test_one_warning_from_this_folder(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(vault, "contacts/Tagged.md", WARNED)
    monkeypatch.chdir(vault)
    result = run("due", "--today", TODAY)
    assert result.stderr == "1 warning: `vaultnet check` shows it\n"


def test_check_shows_every_warning(warned: Path) -> None:
    result = run("check", warned)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    warnings = [line.split(": warning: ")[0] for line in lines if ": warning: " in line]
    assert warnings == [f"{warned}{os.sep}contacts/Tagged too.md:3", f"{warned}{os.sep}contacts/Tagged.md:3"]
    assert lines[-1] == "1 error, 2 warnings"


def test_check_files_shows_every_warning(warned: Path) -> None:
    result = run("check-files", warned / "contacts/Tagged.md", "-C", warned)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"{warned}{os.sep}contacts/Tagged.md:3: warning: ")
    assert result.stderr.count("\n") == 1
