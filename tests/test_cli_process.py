"""The command line as a process (issue 11, process hygiene): a one-shot command loads only what it uses.

Every test runs real processes with this checkout's code (`checkout_env`); a process reports what it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from vaultkit import DAY, SMALL_VAULT, WHO_NOTES, checkout_env, fm, write_vault

# What no one-shot reading command needs: the importers and exporters, the watcher, the server and the libraries
# only they use.
NOT_FOR_ONE_SHOT = (
    "vobject",
    "icalendar",
    "watchdog",
    "http.server",
    "socketserver",
    "vaultnet.actions",
    "vaultnet.adopt",
    "vaultnet.adopt_text",
    "vaultnet.changes",
    "vaultnet.contacts_io",
    "vaultnet.edit",
    "vaultnet.linkedin",
    "vaultnet.serve",
    "vaultnet.vcard",
    "vaultnet.watch",
)
ONE_SHOT = {
    "build": ["build"],
    "due": ["due", "--json"],
    "today": ["today"],
    "stats": ["stats"],
    "check": ["check"],
    "who": ["who", "--tag", "ml"],
}
# Runs the command line as a program that imports vaultnet would (click's SystemExit is caught), then prints its
# exit code and the modules loaded, as one JSON line on stdout after the command's own output.
_LOADED = """
import json, sys
from vaultnet.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="vaultnet")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""
# SMALL_VAULT with the `who` tests' contacts and a note with a warning (a link that names nobody).
NOTES = {**SMALL_VAULT, **WHO_NOTES, "contacts/Hu.md": fm(introduced_by='"[[Nobody]]"')}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", NOTES)


def _python(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=checkout_env(VAULTNET_TODAY=DAY),
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def _loaded(args: list[str], cwd: Path) -> set[str]:
    proc = _python(_LOADED, *args, cwd=cwd)
    report = json.loads(proc.stdout.splitlines()[-1])
    assert report["code"] in (0, None), proc.stderr
    return set(report["modules"])


@pytest.mark.parametrize("command", sorted(ONE_SHOT))
def test_a_one_shot_command_loads_only_what_it_uses(vault: Path, command: str) -> None:
    loaded = _loaded(ONE_SHOT[command], cwd=vault)
    assert "vaultnet.pipeline" in loaded  # the command ran
    assert sorted(set(NOT_FOR_ONE_SHOT) & loaded) == []


def test_build_loads_none_of_the_terminal_renderers(vault: Path) -> None:
    loaded = _loaded(["build"], cwd=vault)
    assert "vaultnet.render.markdown" in loaded
    assert {"vaultnet.render.text", "vaultnet.render.jsonout"} & loaded == set()


def test_the_probe_sees_what_a_command_does_load(vault: Path) -> None:
    """The commands that use them load the importers and vobject: the probe above would see them."""
    loaded = _loaded(["export", "vcard"], cwd=vault)
    assert {"vobject", "vaultnet.vcard", "vaultnet.actions"} <= loaded
