"""Cold builds of a vault a person already has: `[contacts]` selectors and an `[interactions]` folder.

The target (issue 9): a cold build at 10,000 contacts with a `[contacts]` selector and an `[interactions]`
folder is no slower than 10% over a cold build of the same vault by the code before those settings existed,
which read the meeting notes as plain notes. Both are measured in the same run, alternately, each build in a
fresh interpreter with compiled bytecode, so that the machine's load hits both alike.

    python3 benchmarks/bench_selectors.py --baseline DIR     # DIR: a checkout of the code to compare with
    git worktree add /tmp/before e99f812 && python3 benchmarks/bench_selectors.py --baseline /tmp/before

Without --baseline only this checkout is measured (with and without the settings).
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import generate_vault  # the same synthetic vault as bench_build.py

HERE = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 21)
SETTINGS = """\
[contacts]
folders = ["contacts"]
tags = ["person"]
where = { type = ["person", "contact"], categories = "[[People]]" }
exclude = ["**/README.md", "**/_*"]

[interactions]
folders = ["meetings"]
people = ["people", "attendees"]
date = ["date"]

[fields]
company = ["org", "organization"]
role = ["title", "position"]
"""
CHILD = """
import sys, time, datetime
from pathlib import Path
from vaultnet.pipeline import build
started = time.perf_counter()
build(Path(sys.argv[1]), datetime.date.fromisoformat(sys.argv[2]))
print(time.perf_counter() - started)
"""


def add_meetings(root: Path, count: int, seed: int) -> None:
    """Meeting notes as people keep them: a date, and the people met as links or plain names."""
    rng = random.Random(seed)
    people = sorted(p.stem for p in (root / "contacts").glob("*.md"))
    (root / "meetings").mkdir()
    for index in range(count):
        day = TODAY - dt.timedelta(days=rng.randint(1, 700))
        met = rng.sample(people, rng.randint(1, 4))
        names = ", ".join(f'"[[{name}]]"' if rng.random() < 0.7 else f'"{name}"' for name in met)
        text = f"---\ndate: {day.isoformat()}\npeople: [{names}, Alex Owner]\n---\n# Sync {index}\n\nNotes.\n"
        (root / "meetings" / f"{day.isoformat()} Sync {index:05d}.md").write_text(text, encoding="utf-8")


def cold_build(code: Path, vault: Path) -> float:
    """One cold build in a fresh interpreter that imports vaultnet from `code`."""
    for leftover in (vault / ".vaultnet", vault / "Follow-ups.md"):
        if leftover.is_dir():
            subprocess.run(["rm", "-rf", str(leftover)], check=True)
        else:
            leftover.unlink(missing_ok=True)
    env = {"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-P", "-c", CHILD, str(vault), TODAY.isoformat()],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--meetings", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="a checkout of the code to compare with")
    args = parser.parse_args()
    for code in (HERE, args.baseline):
        if code is not None:
            compileall.compile_dir(code / "vaultnet", quiet=1)  # users' installs have .pyc files
    with tempfile.TemporaryDirectory() as tmp:
        plain, adopted = Path(tmp) / "plain", Path(tmp) / "adopted"
        for vault in (plain, adopted):
            generate_vault(vault, args.contacts, 200, 42, TODAY)
            add_meetings(vault, args.meetings, 7)
        (adopted / "vaultnet.toml").write_text(SETTINGS, encoding="utf-8")
        runs: dict[str, list[float]] = {}
        cases = [("this code, no vaultnet.toml", HERE, plain), ("this code, selectors + [interactions]", HERE, adopted)]
        if args.baseline is not None:
            cases.insert(0, ("baseline code, no vaultnet.toml", args.baseline, plain))
        for _ in range(args.repeat):  # alternately: the machine's load hits every case alike
            for name, code, vault in cases:
                runs.setdefault(name, []).append(cold_build(code, vault))
    medians = {name: statistics.median(times) for name, times in runs.items()}
    reference = medians[cases[0][0]]
    print(f"cold build, {args.contacts} contacts + {args.meetings} meeting notes, median of {args.repeat}\n")
    print("| case | median s | vs first row |\n|---|---:|---:|")
    for name, median in medians.items():
        print(f"| {name} | {median:.3f} | {median / reference - 1:+.1%} |")
    print("\nall runs: " + "; ".join(f"{n}: {', '.join(f'{t:.3f}' for t in ts)}" for n, ts in runs.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
