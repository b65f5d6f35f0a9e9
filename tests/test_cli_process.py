"""The command line as a process (issue 11, process hygiene): a one-shot command loads only what it uses, and the
console entry point (`vaultnet.cli:main`) ends it without the interpreter's teardown, with the same exit code,
output and files as a run that tears down; `watch` and `serve` keep the teardown.

Every test runs real processes with this checkout's code (`checkout_env`). A process reports what it loaded, or
leaves a mark from an `atexit` handler when (and only when) the interpreter's teardown ran.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from processes import leftovers
from vaultkit import DAY, SMALL_VAULT, WHO_NOTES, checkout_env, fm, run, write_vault

# What no one-shot reading command needs: the importers and exporters, the watcher, the server and the libraries
# only they use.
NOT_FOR_ONE_SHOT = (
    "vobject",
    "icalendar",
    "recurring_ical_events",
    "watchdog",
    "http.server",
    "socketserver",
    "vaultnet.actions",
    "vaultnet.adopt",
    "vaultnet.adopt_text",
    "vaultnet.changes",
    "vaultnet.contacts_io",
    "vaultnet.edit",
    "vaultnet.imports",
    "vaultnet.importing",
    "vaultnet.calsource",
    "vaultnet.mailsource",
    "vaultnet.linkedin",
    "vaultnet.serve",
    "vaultnet.vcard",
    "vaultnet.vcard_out",
    "vaultnet.vcf",
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
# The console entry point, with a mark on stderr that only the interpreter's teardown prints.
_MAIN = """
import atexit, sys
atexit.register(lambda: print("TEARDOWN", file=sys.stderr))
from vaultnet.cli import main
main()
"""
# The same command line through click's own entry, which ends in SystemExit and the full teardown: the reference.
_TEARDOWN = """
import sys
from vaultnet.cli import cli
cli.main(prog_name="vaultnet")
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


@pytest.mark.parametrize("args", [["build"], ["due", "--json"]])
def test_a_command_that_finds_nothing_changed_loads_no_yaml_parser(vault: Path, args: list[str]) -> None:
    first = _loaded(args, cwd=vault)  # reads every note: the YAML parser is needed
    assert {"yaml", "vaultnet.yamltext"} <= first
    again = _loaded(args, cwd=vault)
    assert {"yaml", "vaultnet.yamltext"} & again == set()


def test_the_probe_sees_what_a_command_does_load(vault: Path) -> None:
    """The commands that use them load the exporter and the imports: the probe above would see them."""
    loaded = _loaded(["export", "vcard"], cwd=vault)
    assert {"vaultnet.vcard_out", "vaultnet.imports"} <= loaded


# -- the quick exit ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["build"], ["due", "--json"], ["check"], ["stats"], ["due", "missing-folder"], ["due", "--bogus"], ["--version"]],
    ids=["build", "due", "check", "stats", "user-error", "usage-error", "version"],
)
def test_main_ends_a_one_shot_command_as_a_torn_down_run_would(vault: Path, tmp_path: Path, args: list[str]) -> None:
    """Exit code, stdout and stderr as click's own entry gives them, and no teardown (its mark is missing)."""
    twin = write_vault(tmp_path / "twin", NOTES)
    quick = _python(_MAIN, *args, cwd=vault)
    reference = _python(_TEARDOWN, *args, cwd=twin)
    assert "TEARDOWN" not in quick.stderr
    assert (quick.returncode, quick.stdout, quick.stderr) == (
        reference.returncode,
        reference.stdout.replace(str(twin), str(vault)),
        reference.stderr.replace(str(twin), str(vault)),
    )


def test_a_quick_exit_leaves_the_outputs_written_and_no_lock_or_temp_file(vault: Path, tmp_path: Path) -> None:
    built = _python(_MAIN, "build", cwd=vault)
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines()[:2] == ["wrote  Follow-ups.md", "wrote  .vaultnet/reminders.ics"]
    twin = write_vault(tmp_path / "twin", NOTES)
    assert run("build", twin, "--today", DAY).exit_code == 0  # in-process: the outputs as the tests know them
    for output in ("Follow-ups.md", ".vaultnet/reminders.ics"):
        assert (vault / output).read_bytes() == (twin / output).read_bytes()
    assert leftovers(vault) == []
    assert sorted(p.name for p in (vault / ".vaultnet").iterdir() if p.name.endswith("-journal")) == []
    again = _python(_MAIN, "build", cwd=vault)  # the cache was committed: the second build changes nothing
    assert again.stdout.splitlines()[:2] == ["unchanged  Follow-ups.md", "unchanged  .vaultnet/reminders.ics"]


def test_a_reader_that_closes_early_gets_the_same_exit_as_with_a_teardown(vault: Path) -> None:
    """`vaultnet due | true`: the reader is gone before the first line is written."""
    results = []
    for code in (_MAIN, _TEARDOWN):
        proc = subprocess.Popen([sys.executable, "-c", code, "due"], cwd=vault, env=checkout_env(VAULTNET_TODAY=DAY),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        stderr = proc.stderr.read()
        results.append((proc.wait(timeout=60), stderr.replace("TEARDOWN\n", "")))
    assert results[0] == results[1]
    assert results[0][0] != 0  # the output was lost: not a success


def test_a_reader_that_reads_one_line_gets_it(vault: Path) -> None:
    """`vaultnet due | head -1`: the first line arrives, whole."""
    proc = subprocess.Popen([sys.executable, "-c", _MAIN, "due"], cwd=vault, env=checkout_env(VAULTNET_TODAY=DAY),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    proc.wait(timeout=60)
    assert first.split() == ["DATE", "KIND", "NAME", "REASON"]


def test_serve_keeps_the_interpreter_teardown(vault: Path) -> None:
    """A long-running command ends as Python ends: its atexit handlers run (the mark is printed)."""
    proc = subprocess.Popen([sys.executable, "-c", _MAIN, "serve", "--port", "0"], cwd=vault, env=checkout_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stderr is not None
    try:
        line = proc.stderr.readline()
        assert line.startswith("calendar: http://"), line
        with urllib.request.urlopen(line.split()[1], timeout=60) as answer:  # serving: the command is set up
            assert answer.status == 200
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rest.splitlines()[-1] == "TEARDOWN"
