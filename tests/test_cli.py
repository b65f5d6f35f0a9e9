"""The command line, run through click's CliRunner on real vaults (and once as the installed script)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from unprivileged import as_unprivileged, outcome
from vaultkit import DAY as TODAY
from vaultkit import OLD_NS, SMALL_VAULT, parse_problems, read_only, run, write_vault
from vaultkit import SMALL_VAULT_DUE as DUE  # (kind, name, path, day) as `due --json` gives them
from vaultkit import installed_script as _script
from vaultkit import put_old as put

from vaultnet import __version__
from vaultnet.cli import cli

# Notes a user can break, and the `path:line` each is reported at (line 0: the file as a whole).
BROKEN: dict[str, tuple[bytes, int]] = {
    "contacts/Bad cadence.md": (b"---\nname: Bad Cadence\ncadence: soon\n---\n", 3),
    "contacts/Bad date.md": (b"---\nname: Bad Date\ncompany: X\nbirthday: 1990-02-30\n---\n", 4),
    "contacts/Broken yaml.md": (b"---\nname: Y\ntags: [a, b\nrole: x\n---\n", 4),
    "contacts/List.md": (b"---\n- a\n- b\n---\n", 2),
    "contacts/Latin1.md": (b"---\nname: Latin\n---\nline\nCaf\xe9\n", 5),
    "contacts/Empty.md": (b"", 1),  # whole-file problems are shown at line 1, so editors can jump to them
    "contacts/Binary.md": (b"\x00\x01\x02binary\xff", 1),
    "contacts/Unclosed.md": (b"---\nname: Unclosed\n\nbody\n", 1),
    "contacts/Crlf.md": (b"\xef\xbb\xbf---\r\nname: Crlf\r\ncadence: 5x\r\n---\r\n", 3),
}
PROBLEM_LINE = re.compile(r"^(?P<path>.+?\.(?:md|toml)):(?P<line>\d+): (?P<message>.+)$")


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", SMALL_VAULT, mtime_ns=OLD_NS)


@pytest.fixture
def broken_vault(vault: Path) -> Path:
    for rel, (data, _) in BROKEN.items():
        put(vault, rel, data)
    return vault


def assert_no_traceback(result: Result) -> None:
    """The command ended by its own exit code, not by an exception escaping to the user."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def problem_lines(stderr: str) -> list[tuple[str, int, str]]:
    """The `path:line: message` lines of stderr (of notes and settings only), parsed."""
    return parse_problems(stderr, PROBLEM_LINE)


# -- help and version -------------------------------------------------------------------------------


def test_the_cli_has_the_three_commands() -> None:
    assert {"build", "due", "check"} <= set(cli.commands)


@pytest.mark.parametrize("name", sorted(cli.commands))
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help(name: str, flag: str) -> None:
    result = run(name, flag)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ")
    assert f" {name} [OPTIONS]" in result.stdout
    command = cli.commands[name]
    assert command.help
    summary = " ".join(command.help.split("\n\n")[0].split())
    assert summary in " ".join(result.stdout.split())  # the docstring, however click wraps it


def test_group_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in cli.commands:
        assert re.search(rf"^\s+{name}\s+\S", result.stdout, re.MULTILINE), name


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"vaultnet, version {__version__}"


def test_date_commands_document_today_and_its_environment_variable() -> None:
    for name in ("build", "due"):
        help_text = run(name, "--help").stdout
        assert "--today" in help_text and "VAULTNET_TODAY" in help_text


# -- build ------------------------------------------------------------------------------------------


def test_build_writes_both_outputs_and_prints_their_paths_and_a_summary(vault: Path) -> None:
    result = run("build", vault, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"wrote  {vault / 'Follow-ups.md'}",
        f"wrote  {vault / '.vaultnet' / 'reminders.ics'}",
        f"3 contacts, 5 due on {TODAY}",
    ]
    assert result.stderr == ""
    assert (vault / "Follow-ups.md").read_text(encoding="utf-8").startswith(f"# Follow-ups for Saturday {TODAY}")
    assert (vault / ".vaultnet" / "reminders.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_build_again_prints_unchanged_and_does_not_rewrite(vault: Path) -> None:
    run("build", vault, "--today", TODAY)
    outputs = [vault / "Follow-ups.md", vault / ".vaultnet" / "reminders.ics"]
    before = [p.read_bytes() for p in outputs]
    for p in outputs:
        os.utime(p, ns=(OLD_NS, OLD_NS))
    result = run("build", vault, "--today", TODAY)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"unchanged  {outputs[0]}",
        f"unchanged  {outputs[1]}",
        f"3 contacts, 5 due on {TODAY}",
    ]
    assert [p.read_bytes() for p in outputs] == before
    assert [p.stat().st_mtime_ns for p in outputs] == [OLD_NS, OLD_NS]


def test_build_on_another_day_rewrites_the_follow_up_note(vault: Path) -> None:
    run("build", vault, "--today", TODAY)
    result = run("build", vault, "--today", "2026-11-22")
    assert result.stdout.splitlines()[0] == f"wrote  {vault / 'Follow-ups.md'}"
    assert result.stdout.splitlines()[-1] == "3 contacts, 5 due on 2026-11-22"


# -- due --------------------------------------------------------------------------------------------


def test_due_prints_a_table(vault: Path) -> None:
    result = run("due", vault, "--today", TODAY)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"DATE\s+KIND\s+NAME\s+REASON", lines[0])
    rows = [re.split(r"\s{2,}", line) for line in lines[1:]]
    assert [(r[1], r[2]) for r in rows] == [(kind, name) for kind, name, _, _ in DUE]
    assert [r[0].split()[0] for r in rows] == [day for *_, day in DUE]
    assert rows[0][0] == "2026-11-01 (+20d)"
    assert all(len(r) == 4 and r[3] for r in rows)
    assert result.stderr == ""


def test_due_with_nobody_due_says_so(tmp_path: Path) -> None:
    put(tmp_path, "contacts/Anna.md", "---\nlast_contact: 2026-11-20\n---\n")
    result = run("due", tmp_path, "--today", TODAY)
    assert result.exit_code == 0
    assert result.stdout == f"Nobody is due on {TODAY}.\n"
    assert run("due", tmp_path, "--today", TODAY, "--json").stdout.strip() == "[]"


def test_due_json_is_an_array_of_items(vault: Path) -> None:
    result = run("due", vault, "--today", TODAY, "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert isinstance(items, list)
    assert [(i["kind"], i["name"], i["path"], i["date"]) for i in items] == DUE
    for item in items:
        assert {"kind", "name", "path", "date", "reason"} <= set(item)
        assert date.fromisoformat(item["date"]).isoformat() == item["date"]
        assert isinstance(item["reason"], str) and item["reason"].strip()
        assert "\\" not in item["path"] and not item["path"].startswith(("/", "./"))
        assert (vault / item["path"]).is_file()


def test_due_json_stays_parseable_when_notes_are_broken(broken_vault: Path) -> None:
    result = run("due", broken_vault, "--today", TODAY, "--json")
    assert result.exit_code == 0
    assert [(i["kind"], i["name"]) for i in json.loads(result.stdout)] == [(k, n) for k, n, _, _ in DUE]
    assert len(problem_lines(result.stderr)) == len(BROKEN)


@pytest.mark.parametrize("command", [["due"], ["due", "--json"], ["today"], ["today", "--json"], ["stats"]])
def test_a_reading_command_run_again_prints_the_same_and_follows_an_edit(
    broken_vault: Path, command: list[str]
) -> None:
    first = run(*command, broken_vault, "--today", TODAY)
    again = run(*command, broken_vault, "--today", TODAY)  # printed from what the first run kept
    assert (again.exit_code, again.stdout, again.stderr) == (first.exit_code, first.stdout, first.stderr)
    assert problem_lines(again.stderr)  # the problems are reported again, not only the text
    put(broken_vault, "contacts/Anna.md", "---\nname: Anna Edited\nbirthday: 1990-11-21\n---\n", mtime_ns=OLD_NS + 7)
    edited = run(*command, broken_vault, "--today", TODAY)
    assert edited.stdout != first.stdout
    assert "Anna Edited" in edited.stdout or command == ["stats"]


def test_due_writes_no_outputs(vault: Path) -> None:
    run("due", vault, "--today", TODAY)
    assert not (vault / "Follow-ups.md").exists()
    assert not (vault / ".vaultnet" / "reminders.ics").exists()


# -- --today and VAULTNET_TODAY ---------------------------------------------------------------------


def test_today_option_and_environment_variable_agree(vault: Path) -> None:
    by_option = run("due", vault, "--json", "--today", "2026-11-19")
    by_env = run("due", vault, "--json", env={"VAULTNET_TODAY": "2026-11-19"})
    assert by_option.exit_code == by_env.exit_code == 0
    assert by_option.stdout == by_env.stdout
    items = json.loads(by_env.stdout)
    # On 2026-11-19 Carla is due that day and the promise (2026-11-20) is not yet.
    assert [(i["kind"], i["name"], i["date"]) for i in items] == [
        ("follow-up", "Anna", "2026-11-01"),
        ("follow-up", "Ben Okafor", "2026-11-19"),
        ("follow-up", "Carla Diaz", "2026-11-19"),
        ("birthday", "Anna", "2026-11-25"),
    ]
    assert [i["overdue_days"] for i in items if "overdue_days" in i][:1] == [18]


def test_today_option_wins_over_the_environment(vault: Path) -> None:
    result = run("build", vault, "--today", TODAY, env={"VAULTNET_TODAY": "2030-01-01"})
    assert result.stdout.splitlines()[-1].endswith(f"due on {TODAY}")


def test_build_reads_today_from_the_environment(vault: Path) -> None:
    result = run("build", vault, env={"VAULTNET_TODAY": TODAY})
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == f"3 contacts, 5 due on {TODAY}"


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "21.11.2026", "today", ""])
@pytest.mark.parametrize("command", ["build", "due"])
def test_a_bad_today_is_a_usage_error(vault: Path, command: str, bad: str) -> None:
    result = run(command, vault, "--today", bad)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert "--today" in result.stderr and "Usage:" in result.stderr
    assert not (vault / "Follow-ups.md").exists()


def test_a_bad_today_in_the_environment_is_a_usage_error(vault: Path) -> None:
    result = run("due", vault, env={"VAULTNET_TODAY": "next tuesday"})
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert "next tuesday" in result.stderr


# -- check ------------------------------------------------------------------------------------------


def test_check_a_clean_vault_exits_0(vault: Path) -> None:
    result = run("check", vault)
    assert result.exit_code == 0
    assert result.stdout == "no errors\n"
    assert result.stderr == ""


def test_check_with_errors_exits_1_and_lists_each_problem(broken_vault: Path) -> None:
    result = run("check", broken_vault)
    assert result.exit_code == 1
    assert_no_traceback(result)
    reported = problem_lines(result.stderr)
    assert sorted((path, line) for path, line, _ in reported) == sorted(
        (f"{broken_vault}{os.sep}{rel}", line) for rel, (_, line) in BROKEN.items()
    )
    assert result.stderr.splitlines()[-1] == f"{len(BROKEN)} errors, 0 warnings"
    assert result.stdout == ""


def test_check_with_warnings_only_exits_0(vault: Path) -> None:
    put(vault, "vaultnet.toml", 'calendar_colour = "blue"\n')
    result = run("check", vault)
    assert result.exit_code == 0
    assert problem_lines(result.stderr) == [
        (f"{vault}{os.sep}vaultnet.toml", 1, "warning: calendar_colour: unknown setting (ignored)")
    ]
    assert result.stdout == "no errors, 1 warning\n"


def test_check_reports_a_bad_setting_as_an_error(vault: Path) -> None:
    put(vault, "vaultnet.toml", '# my settings\n\n[circles]\nclose = "soon"\n')
    result = run("check", vault)
    assert result.exit_code == 1
    [(path, line, message)] = problem_lines(result.stderr)
    assert (path, line) == (f"{vault}{os.sep}vaultnet.toml", 4)
    assert "circles.close" in message


# -- VAULT ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "due", "check"])
def test_vault_defaults_to_the_current_folder(vault: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    put(vault, "contacts/Bad.md", "---\ncadence: soon\n---\n")
    monkeypatch.chdir(vault)
    result = run(command, "--today", TODAY) if command != "check" else run(command)
    assert result.exit_code == (1 if command == "check" else 0), result.output
    # Problems are relative to the folder the user is in, as typed: no prefix.
    assert problem_lines(result.stderr) == [("contacts/Bad.md", 2, problem_lines(result.stderr)[0][2])]
    if command == "build":
        assert result.stdout.splitlines()[:2] == [
            "wrote  Follow-ups.md",
            f"wrote  {Path('.vaultnet', 'reminders.ics')}",
        ]
        assert (vault / "Follow-ups.md").is_file()
    if command == "due":
        assert "Carla Diaz" in result.stdout


def test_problem_paths_are_prefixed_with_the_vault_as_typed(
    broken_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(broken_vault.parent)
    for typed, prefix in (("vault", "vault/"), ("./vault", "vault/"), ("vault/", "vault/"), (str(broken_vault), "")):
        result = run("due", typed, "--today", TODAY)
        assert result.exit_code == 0
        expected_prefix = prefix or f"{broken_vault}{os.sep}"
        paths = sorted(path for path, _, _ in problem_lines(result.stderr))
        assert paths == sorted(expected_prefix + rel for rel in BROKEN), typed


@pytest.mark.parametrize("command", ["build", "due", "check"])
def test_a_missing_vault_is_a_clear_error(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no-such-vault"
    result = run(command, missing)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert str(missing) in result.stderr and "no such folder" in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("command", ["build", "due", "check"])
def test_a_vault_that_is_a_file_is_a_clear_error(tmp_path: Path, command: str) -> None:
    note = put(tmp_path, "Anna.md", "---\nname: Anna\n---\n")
    result = run(command, note)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert str(note) in result.stderr and "is a file" in result.stderr
    assert note.read_text() == "---\nname: Anna\n---\n"


# -- bad notes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "due"])
def test_broken_notes_are_reported_and_the_good_ones_used(broken_vault: Path, command: str) -> None:
    result = run(command, broken_vault, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert_no_traceback(result)
    reported = problem_lines(result.stderr)
    assert sorted((path, line) for path, line, _ in reported) == sorted(
        (f"{broken_vault}{os.sep}{rel}", line) for rel, (_, line) in BROKEN.items()
    )
    assert len(result.stderr.splitlines()) == len(BROKEN)  # one line per problem, nothing else
    if command == "due":
        names = [re.split(r"\s{2,}", line)[2] for line in result.stdout.splitlines()[1:]]
        assert names == [name for _, name, _, _ in DUE]
    else:
        summary = result.stdout.splitlines()[-1]
        assert summary.startswith(f"3 contacts, 5 due on {TODAY}, {len(BROKEN)} problems")
        note = (broken_vault / "Follow-ups.md").read_text(encoding="utf-8")
        assert "[[contacts/work/Ben|Ben Okafor]]" in note


def test_broken_notes_are_reported_on_every_run_not_only_the_first(broken_vault: Path) -> None:
    """Problems come from the cache as well: a second run must not forget them."""
    first = run("build", broken_vault, "--today", TODAY)
    second = run("build", broken_vault, "--today", TODAY)
    assert second.stderr == first.stderr
    assert len(problem_lines(second.stderr)) == len(BROKEN)


# -- unwritable outputs -----------------------------------------------------------------------------


def test_an_output_that_cannot_be_written_is_a_clear_error(vault: Path) -> None:
    put(vault, "vaultnet.toml", '[outputs]\nfollowups = "blocked/Follow-ups.md"\n')
    put(vault, "blocked", "a file where the output's folder should be")
    result = run("build", vault, "--today", TODAY)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stderr.startswith("vaultnet: ")
    assert str(vault / "blocked" / "Follow-ups.md") in result.stderr
    assert ".tmp" not in result.stderr


# As a user whom file modes bind, also when the suite runs as root (see tests/unprivileged.py).


def test_a_read_only_output_folder_is_a_clear_error(vault: Path) -> None:
    put(vault, "vaultnet.toml", '[outputs]\nfollowups = "out/Follow-ups.md"\n')
    (vault / "out").mkdir()
    (vault / "out").chmod(0o500)
    try:
        code, output, stderr = as_unprivileged(lambda: outcome(run("build", vault, "--today", TODAY)))
    finally:
        (vault / "out").chmod(0o700)
    assert code == 2
    assert "Traceback" not in output
    assert "Permission denied" in stderr
    assert "Follow-ups.md" in stderr
    assert ".tmp" not in stderr  # name the output, not an internal temp file
    assert list((vault / "out").iterdir()) == []


def test_a_read_only_vault_still_gives_todays_list(vault: Path) -> None:
    def three_commands() -> list[tuple[int, str, str]]:
        runs = (("due", vault, "--today", TODAY, "--json"), ("check", vault), ("build", vault, "--today", TODAY))
        return [outcome(run(*args)) for args in runs]

    with read_only(vault):
        due, check, build = as_unprivileged(three_commands)
    assert due[0] == 0, due[1]
    assert [(i["kind"], i["name"], i["path"], i["date"]) for i in json.loads(due[1])] == DUE
    assert check[0] == 0
    assert build[0] == 2
    assert "Traceback" not in build[1]
    assert "Permission denied" in build[2]


# -- the installed console script -------------------------------------------------------------------


def test_the_installed_script_builds_a_vault(vault: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VAULTNET_TODAY"}
    put(vault, "contacts/Bad.md", "---\ncadence: soon\n---\n")
    proc = subprocess.run(
        [str(_script()), "build", "--today", TODAY], cwd=vault, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "wrote  Follow-ups.md",
        f"wrote  {Path('.vaultnet', 'reminders.ics')}",
        f"3 contacts, 5 due on {TODAY}, 1 problem (see above; `vaultnet check` lists them)",
    ]
    assert proc.stderr.startswith("contacts/Bad.md:2: cadence: ")
    check = subprocess.run([str(_script()), "check"], cwd=vault, env=env, capture_output=True, text=True, timeout=60)
    assert check.returncode == 1
    assert "Traceback" not in check.stderr


def test_the_installed_script_reads_vaultnet_today_and_prints_json(vault: Path) -> None:
    env = {**os.environ, "VAULTNET_TODAY": TODAY}
    proc = subprocess.run(
        [str(_script()), "due", str(vault), "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert [(i["kind"], i["name"], i["path"], i["date"]) for i in json.loads(proc.stdout)] == DUE


def test_the_installed_script_reports_a_bad_vault_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(_script()), "due", str(tmp_path / "missing"), "--today", TODAY], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stderr == f"vaultnet: {tmp_path / 'missing'}: no such folder\n"
    assert proc.stdout == ""
