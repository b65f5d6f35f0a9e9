"""Golden files: the outputs of the sample vault (tests/data/sample-vault) on 2026-11-21, byte for byte.

The sample vault covers birthdays with and without a year (Feb 29 too), overdue and future follow-ups,
promises, a snoozed and an archived contact, names that need escaping, a long description, a `uid:`
field, a contact outside `contacts/`, a broken note and a calendar name with `,` and `;`.

To regenerate the golden files after an intended change of the outputs, run

    VAULTNET_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

then review `git diff tests/golden/` line by line: the golden files are the assertions.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from vaultkit import MTIME, TODAY, copy_sample

from vaultnet import pipeline
from vaultnet.cli import cli

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("VAULTNET_UPDATE_GOLDEN") == "1"


def due_json(vault: Path) -> tuple[bytes, str]:
    """`vaultnet due VAULT --json --today 2026-11-21`: (stdout as bytes, stderr)."""
    result = CliRunner().invoke(cli, ["due", str(vault), "--json", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes, result.stderr


def outputs(vault: Path) -> dict[str, bytes]:
    """Golden file name -> the bytes the real build and `due --json` produce for `vault`."""
    result = pipeline.build(vault, TODAY)  # a repeated build may skip its work: use only what every result has
    followups, calendar = (output.path for output in result.outputs)
    stdout, _ = due_json(vault)
    return {
        "Follow-ups.md": followups.read_bytes(),
        "reminders.ics": calendar.read_bytes(),
        "due.json": stdout,
    }


def diff(expected: bytes, actual: bytes, name: str) -> str:
    """A readable diff that shows line ends (`\\r`) too."""
    lines = [
        [repr(line) for line in data.decode("utf-8", "replace").splitlines(keepends=True)]
        for data in (expected, actual)
    ]
    return "\n".join(difflib.unified_diff(*lines, f"golden/{name}", f"built/{name}", lineterm="", n=2))


@pytest.mark.parametrize("name", ["Follow-ups.md", "reminders.ics", "due.json"])
def test_outputs_match_the_golden_files(sample_vault: Path, name: str) -> None:
    built = outputs(sample_vault)[name]
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(built)
        pytest.skip(f"wrote {golden}: review the diff before committing")
    assert golden.exists(), f"{golden} is missing: run with VAULTNET_UPDATE_GOLDEN=1 to create it"
    expected = golden.read_bytes()
    assert built == expected, diff(expected, built, name)


def test_outputs_are_byte_identical_in_two_folders_and_two_runs(tmp_path: Path) -> None:
    first = outputs(copy_sample(tmp_path / "one"))
    second = outputs(copy_sample(tmp_path / "two" / "nested"))
    again = outputs(tmp_path / "one")
    assert first == second == again


def test_second_build_reports_unchanged_and_leaves_the_files_alone(sample_vault: Path) -> None:
    vault = sample_vault
    first = pipeline.build(vault, TODAY)
    assert [o.changed for o in first.outputs] == [True, True]
    paths = [o.path for o in first.outputs]
    old = MTIME - 86_400
    for path in paths:
        os.utime(path, (old, old))  # a stamp a rewrite could not produce
    before = [(p.read_bytes(), p.stat().st_ino) for p in paths]

    second = pipeline.build(vault, TODAY)

    assert [o.path for o in second.outputs] == paths
    assert [o.changed for o in second.outputs] == [False, False]
    assert [p.stat().st_mtime_ns for p in paths] == [old * 1_000_000_000] * 2
    assert [(p.read_bytes(), p.stat().st_ino) for p in paths] == before
    assert not list(paths[1].parent.glob("*.tmp")) and not list(vault.glob(".*.tmp"))


def test_build_cli_reports_unchanged_outputs(sample_vault: Path) -> None:
    vault = sample_vault
    args = ["build", str(vault), "--today", TODAY.isoformat()]
    first = CliRunner().invoke(cli, args)
    second = CliRunner().invoke(cli, args)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout.count("wrote  ") == 2
    assert second.stdout.count("unchanged  ") == 2 and "wrote" not in second.stdout
    assert "8 contacts, 8 due on 2026-11-21, 1 problem" in second.stdout
    assert "contacts/broken.md:3: birthday: " in second.stderr


# What the golden files must say, checked independently of their bytes (a regenerated golden
# file that loses one of these is caught here).


def test_due_json_lists_the_expected_items(sample_vault: Path) -> None:
    stdout, stderr = due_json(sample_vault)
    items = json.loads(stdout)
    assert [(i["kind"], i["name"], i["path"], i["date"]) for i in items] == [
        ("follow-up", "Ivan Petrov", "people/Ivan Petrov.md", "2026-07-01"),
        ("follow-up", "Chen, Wei; the 🚀 founder", "contacts/chen-wei.md", "2026-10-15"),
        ("follow-up", "Anna Schmidt", "contacts/Anna Schmidt.md", "2026-11-01"),
        ("promise", "Anna Schmidt", "contacts/Anna Schmidt.md", "2026-11-15"),
        ("follow-up", "Grace Hopper", "contacts/grace.md", "2026-11-18"),
        ("follow-up", "Hana Never", "contacts/Hana Never.md", "2026-11-21"),
        ("birthday", "Björn Ødegaard", "contacts/Björn Ødegaard.md", "2026-11-23"),
        ("birthday", "Anna Schmidt", "contacts/Anna Schmidt.md", "2026-11-25"),
    ]
    assert all(i["reason"] for i in items)
    assert "turns 36" in items[-1]["reason"]
    assert "turns" not in items[-2]["reason"]  # --11-23: no year, no age
    # The broken note is reported on stderr; the other notes are still used.
    assert stderr.strip().endswith("contacts/broken.md:3: birthday: '1990-02-30' is not a valid birthday")


def test_followups_note_reports_the_broken_note_and_skips_archived(sample_vault: Path) -> None:
    vault = sample_vault
    text = outputs(vault)["Follow-ups.md"].decode()
    assert text.startswith("# Follow-ups for Saturday 2026-11-21\n")
    assert "- `contacts/broken.md:3: birthday: '1990-02-30' is not a valid birthday`" in text
    assert "Frank" not in text and "Broken Birthday" not in text
    assert "Eve Example" not in text.split("## Coming up")[0]  # snoozed: only in "coming up"
    assert "[[people/Ivan Petrov|Ivan Petrov]]" in text
