"""The pre-commit hooks: the manifest, `vaultnet check-files` and `vaultnet build-hook`, and a real pre-commit run.

pre-commit runs hooks from the repository's root and passes the staged files relative to it; a vault may be a
subfolder (`args: [--vault, path]`). The last tests run the real `pre-commit try-repo` against this repository
in a temporary git repository (it installs the hook's environment once, from PyPI).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from vaultkit import DAY as TODAY
from vaultkit import REPO, parse_problems, put, run

from vaultnet.cli import cli

GOOD = "---\nname: Good Person\ncompany: Acme\n---\n## Log\n- 2026-11-01 call: fine\n"
BAD = "---\nname: Bad Person\ncadence: soon\n---\n"  # an error on line 3
OTHER_BAD = "---\nname: Other Bad\nbirthday: 1990-02-30\n---\n"  # an error on line 3, in a file not given
WARNING_ONLY = "---\nname: Tagged\ntags: #work\n---\n"  # a warning, not an error


def problems(stderr: str) -> list[tuple[str, int]]:
    return [(path, line) for path, line, _ in parse_problems(stderr)]


def manifest() -> list[dict[str, object]]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return hooks


def hook(hook_id: str) -> dict[str, object]:
    return next(h for h in manifest() if h["id"] == hook_id)


# -- the manifest ---------------------------------------------------------------------------------------------


def test_the_manifest_has_the_two_hooks_with_the_required_keys() -> None:
    hooks = manifest()
    assert [h["id"] for h in hooks] == ["vaultnet-check", "vaultnet-build"]
    for h in hooks:
        assert {"id", "name", "entry", "language"} <= set(h), h
        assert h["language"] == "python"  # pre-commit installs this repository (and its `vaultnet` script)
        assert isinstance(h["name"], str) and h["name"]
        assert h.get("require_serial") is True  # one process: the vault's cache is not shared between several
    assert hook("vaultnet-check")["pass_filenames"] is True
    assert hook("vaultnet-build")["pass_filenames"] is False
    assert hook("vaultnet-build")["always_run"] is True


@pytest.mark.parametrize("hook_id", ["vaultnet-check", "vaultnet-build"])
def test_each_entry_is_a_command_of_the_installed_script(hook_id: str) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["vaultnet"] == "vaultnet.cli:main"
    program, command, *rest = str(hook(hook_id)["entry"]).split()
    assert program == "vaultnet" and rest == []
    assert command in cli.commands
    assert run(command, "--help").exit_code == 0


def test_the_check_hook_runs_on_notes_and_the_settings_only() -> None:
    files = re.compile(str(hook("vaultnet-check")["files"]))
    for path in ("contacts/Anna Schmidt.md", "vault/contacts/x.md", "vaultnet.toml", "notes/vault/vaultnet.toml"):
        assert files.search(path), path
    for path in ("photo.png", "contacts/Anna.md.bak", "pyproject.toml", "README.txt", "vaultnet.toml.orig"):
        assert not files.search(path), path


# -- vaultnet check-files ---------------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a vault in its subfolder `notes/`; the current directory is the repository's root."""
    root = tmp_path / "repo"
    vault = root / "notes"
    put(vault, "vaultnet.toml", "")
    put(vault, "contacts/Good.md", GOOD)
    put(vault, "contacts/Bad.md", BAD)
    put(vault, "contacts/Other bad.md", OTHER_BAD)
    put(vault, "contacts/Tagged.md", WARNING_ONLY)
    put(root, "README.md", "# my notes\n")
    monkeypatch.chdir(root)
    return root


def test_check_files_fails_for_a_broken_note_and_names_only_it(repo: Path) -> None:
    result = run("check-files", "notes/contacts/Good.md", "notes/contacts/Bad.md", "--vault", "notes")
    assert result.exit_code == 1
    # paths as the user sees them from where pre-commit runs: relative to the repository's root
    assert problems(result.stderr) == [("notes/contacts/Bad.md", 3)]
    assert "cadence" in result.stderr and "Other bad" not in result.stderr


def test_check_files_passes_for_good_notes_even_if_others_are_broken(repo: Path) -> None:
    result = run("check-files", "notes/contacts/Good.md", "--vault", "notes")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_check_files_reports_warnings_without_failing(repo: Path) -> None:
    result = run("check-files", "notes/contacts/Tagged.md", "notes/contacts/Good.md", "--vault", "notes")
    assert result.exit_code == 0
    assert problems(result.stderr) == [("notes/contacts/Tagged.md", 3)]
    assert "warning: " in result.stderr


def test_check_files_ignores_files_outside_the_vault(repo: Path) -> None:
    result = run("check-files", "README.md", "../elsewhere.md", "notes/contacts/Good.md", "--vault", "notes")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_check_files_checks_the_settings_file(repo: Path) -> None:
    put(repo / "notes", "vaultnet.toml", 'default_circle = "nonsense"\n[circles]\nclose = "soon"\n')
    result = run("check-files", "notes/vaultnet.toml", "--vault", "notes")
    assert result.exit_code == 1
    found = problems(result.stderr)
    assert found and {path for path, _ in found} == {"notes/vaultnet.toml"}
    assert run("check-files", "notes/contacts/Good.md", "--vault", "notes").exit_code == 0


def test_check_files_takes_absolute_paths_and_a_vault_at_the_current_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "notes")
    result = run("check-files", "contacts/Bad.md", str(repo / "notes/contacts/Good.md"))
    assert result.exit_code == 1
    assert problems(result.stderr) == [("contacts/Bad.md", 3)]
    assert run("check-files", str(repo / "notes/contacts/Good.md")).exit_code == 0


def test_check_files_finds_a_problem_in_a_note_outside_the_contacts_folder(repo: Path) -> None:
    put(repo / "notes", "people/Ivan.md", "---\ntype: contact\nname: Ivan\nbirthday: soon\n---\n")
    result = run("check-files", "notes/people/Ivan.md", "--vault", "notes")
    assert result.exit_code == 1
    assert problems(result.stderr) == [("notes/people/Ivan.md", 4)]


# -- vaultnet build-hook ----------------------------------------------------------------------------------------


def test_build_hook_fails_when_it_rewrote_an_output_and_passes_when_nothing_changed(repo: Path) -> None:
    vault = repo / "notes"
    first = run("build-hook", "--vault", "notes", "--today", TODAY)
    assert first.exit_code == 1
    assert "rebuilt  notes/Follow-ups.md" in first.stderr.splitlines()
    assert (vault / "Follow-ups.md").exists()
    written = (vault / "Follow-ups.md").read_bytes()
    second = run("build-hook", "--vault", "notes", "--today", TODAY)
    assert second.exit_code == 0, second.output
    assert "rebuilt" not in second.stderr
    assert (vault / "Follow-ups.md").read_bytes() == written
    put(vault, "contacts/New.md", "---\nname: New Person\n---\n")
    third = run("build-hook", "--vault", "notes", "--today", TODAY)
    assert third.exit_code == 1
    assert "New Person" in (vault / "Follow-ups.md").read_text(encoding="utf-8")
    assert run("build-hook", "--vault", "notes", "--today", TODAY).exit_code == 0


def test_build_hook_reads_the_day_from_vaultnet_today(repo: Path) -> None:
    assert run("build-hook", "--vault", "notes", env={"VAULTNET_TODAY": TODAY}).exit_code == 1
    assert run("build-hook", "--vault", "notes", env={"VAULTNET_TODAY": TODAY}).exit_code == 0
    assert "2026-11-21" in (repo / "notes/Follow-ups.md").read_text(encoding="utf-8")
    assert run("build-hook", "--vault", "notes", env={"VAULTNET_TODAY": "2026-11-22"}).exit_code == 1


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, env=env, check=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_build_hook_does_not_fail_for_an_output_git_ignores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The calendar lives in the ignored cache folder: nothing can be added when only it changed, so the
    commit must not fail (only the follow-up note, which this vault commits, is worth a failed commit)."""
    root = tmp_path / "vault"
    git(tmp_path, "init", "-q", str(root))
    put(root, ".gitignore", ".vaultnet/\n")
    put(root, "contacts/Good.md", "---\nname: Good\nbirthday: 1990-05-20\n---\n")
    monkeypatch.chdir(root)
    assert run("build-hook", "--today", TODAY).exit_code == 1  # Follow-ups.md is new: add it
    assert run("build-hook", "--today", TODAY).exit_code == 0
    followups = (root / "Follow-ups.md").read_bytes()
    calendar = (root / ".vaultnet/reminders.ics").read_bytes()
    put(root, "contacts/Good.md", "---\nname: Good\nbirthday: 1990-06-20\n---\n")  # a birthday far ahead
    result = run("build-hook", "--today", TODAY)
    assert (root / ".vaultnet/reminders.ics").read_bytes() != calendar  # the calendar was rebuilt ...
    assert (root / "Follow-ups.md").read_bytes() == followups  # ... and the note you commit did not change
    assert result.exit_code == 0, result.stderr


# -- a real pre-commit run --------------------------------------------------------------------------------------
# Each run clones this repository and installs the hook into a virtualenv: seconds each, so they are marked
# `slow` (`pytest -m "not slow"` leaves them out; a plain `pytest`, as .ci/run does, runs them).


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's cache (the hook's installed environment), shared by this module's runs."""
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("the pre-commit package is not installed (pip install pre-commit, or pip install -e '.[test]')")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a git checkout: pre-commit try-repo needs one")
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(cwd: Path, home: Path, hook_id: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "VAULTNET_TODAY": TODAY, "PRE_COMMIT_COLOR": "never"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook_id, "--verbose"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture
def vault_repo(tmp_path: Path) -> Path:
    """A vault made by `vaultnet init` in a new git repository, with a good and a broken note staged."""
    root = tmp_path / "vault"
    git(tmp_path, "init", "-q", str(root))
    assert run("init", root).exit_code == 0
    put(root, "contacts/Good.md", GOOD)
    put(root, "contacts/Bad.md", BAD)
    git(root, "add", "-A")
    return root


@pytest.mark.slow
def test_pre_commit_check_hook_refuses_a_broken_note_then_accepts_the_fix(
    vault_repo: Path, pre_commit_home: Path
) -> None:
    failed = try_repo(vault_repo, pre_commit_home, "vaultnet-check")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "contacts/Bad.md:3: cadence: 'soon' is not a duration" in failed.stdout
    assert "Good.md" not in failed.stdout
    put(vault_repo, "contacts/Bad.md", BAD.replace("soon", "3w"))
    git(vault_repo, "add", "-A")
    passed = try_repo(vault_repo, pre_commit_home, "vaultnet-check")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"vaultnet check \(the changed notes\)\.+Passed", passed.stdout), passed.stdout


@pytest.mark.slow
def test_pre_commit_check_hook_skips_a_commit_without_notes(vault_repo: Path, pre_commit_home: Path) -> None:
    git(vault_repo, "reset", "-q")
    put(vault_repo, "photo.png", "not really a png\n")
    git(vault_repo, "add", "photo.png")
    result = try_repo(vault_repo, pre_commit_home, "vaultnet-check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"vaultnet check \(the changed notes\)\.+\(no files to check\)Skipped", result.stdout)


@pytest.mark.slow
def test_pre_commit_build_hook_fails_once_then_passes(vault_repo: Path, pre_commit_home: Path) -> None:
    put(vault_repo, ".gitignore", ".vaultnet/\n")  # this vault commits its follow-up note
    put(vault_repo, "contacts/Bad.md", BAD.replace("soon", "3w"))
    git(vault_repo, "add", "-A")
    first = try_repo(vault_repo, pre_commit_home, "vaultnet-build")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "rebuilt  Follow-ups.md" in first.stdout
    assert "Bad Person" in (vault_repo / "Follow-ups.md").read_text(encoding="utf-8")  # due: never contacted
    second = try_repo(vault_repo, pre_commit_home, "vaultnet-build")
    assert second.returncode == 0, second.stdout + second.stderr


# -- the documentation's example configuration ------------------------------------------------------------------


def test_the_documented_pre_commit_config_uses_the_hooks_of_the_manifest() -> None:
    text = (REPO / "docs" / "writing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    configs = [yaml.safe_load(b) for b in blocks if "repos:" in b]
    assert configs, "docs/writing.md shows a .pre-commit-config.yaml"
    ids = {str(h["id"]) for h in manifest()}
    remote = local = 0
    for config in configs:
        for entry in config["repos"]:
            if entry["repo"] == "local":  # the user's own vaultnet: each hook says how to run it
                local += 1
                for used in entry["hooks"]:
                    program, command = used["entry"].split()
                    assert program == "vaultnet" and command in cli.commands, used
                    assert used["language"] == "system" and re.compile(used["files"]).search("contacts/A.md")
                continue
            remote += 1
            assert {"repo", "rev", "hooks"} <= set(entry)
            for used in entry["hooks"]:
                assert used["id"] in ids, used
                if "args" in used:
                    assert used["args"][0] == "--vault" and len(used["args"]) == 2, used
    assert remote >= 1 and local >= 1
