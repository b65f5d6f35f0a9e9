"""Every path of issue 11 at several vault sizes, in fresh processes with compiled bytecode: one Markdown table.

Run from the repository root::

    python3 benchmarks/bench_paths.py                          # 1,000 and 10,000 contacts (a few minutes)
    python3 benchmarks/bench_paths.py --sizes 100000 --save 100k.json   # the long one (about 20 minutes)
    python3 benchmarks/bench_paths.py --sizes 1000 --no-live --repeat 1  # a quick look

For each size it generates ``bench_build``'s seeded vault (``generate_vault``) plus events, daily notes and
goals (``vault_network.add_network_notes``; ``--plain-vault`` leaves them out), sets every file's mtime a day
back (a real vault was not written a moment ago), and measures, each the median of ``--repeat`` runs:

- cold build: ``vaultnet build`` without cache, paired with the floor in the same run (a process that reads
  every note and parses its front matter with CSafeLoader), and their ratio;
- nothing changed, one note changed (a log line in a contact) and one daily note changed: ``vaultnet build``;
- ``vaultnet due --json`` with the cache warm;
- ``vaultnet watch``: save a note -> the calendar on disk holds it (``paths_live``);
- ``vaultnet serve`` under ``--clients`` parallel HTTP clients: requests per second and the slowest answer;
- peak memory (VmHWM) of the one-changed build, and the cache on disk (``.vaultnet/`` without the calendar)
  against the notes' size.

Every vaultnet figure is the wall time of a new process, as a user sees it (``paths_children``); the API time
of ``build()`` (bench_build's child) is added for cold, unchanged and one changed unless ``--no-api``.
Targets are the issue's and apply at 10,000 contacts; other sizes are reported, each with its growth over the
previous column. ``--save``/``--load`` keep results as JSON, to put a separate 100k run beside 1k and 10k.
benchmarks/README.md explains every row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import (
    DEFAULT_TODAY,
    ChildError,
    NoteEditor,
    check_outputs,
    floor_read_parse,
    generate_vault,
    make_cold,
    run_api_child,
    time_median,
)
from bench_watch import AGE_S, age_files
from paths_children import Metric, Run, compile_vaultnet, folder_bytes, notes_bytes, run_cli, run_floor
from paths_live import measure_serve, measure_watch
from paths_report import SizeResult, load_results, print_report, save_results
from vault_network import add_network_notes, edit_daily

OUTPUTS_IN_CACHE_DIR = frozenset({"reminders.ics", "token"})  # outputs and the server's token, not cache


def series(
    argv: Sequence[str], prepare: Callable[[], object], repeat: int, check: Callable[[Run], None] | None = None
) -> tuple[Metric, Metric]:
    """(wall times, peak memory) of ``repeat`` runs of ``vaultnet ARGV``, each after ``prepare()``."""
    seconds, peak = Metric(), Metric()
    try:
        for _ in range(repeat):
            prepare()
            run = run_cli(*argv)
            if check is not None:
                check(run)
            seconds.runs.append(run.seconds)
            if run.peak_mib is not None:
                peak.runs.append(run.peak_mib)
            if run.dont_write_bytecode:
                seconds.note = "the child ran with dont_write_bytecode"
    except ChildError as exc:
        seconds.error = peak.error = str(exc)
    return seconds, peak


def measure_cold(res: SizeResult, root: Path, args: argparse.Namespace) -> None:
    """Cold CLI builds, each right after a floor process (paired: both see the same load), and the floor of
    bench_build measured in this process, for reference."""
    cold, floor = Metric(), Metric()
    try:
        for _ in range(args.repeat):
            seconds, mappings = run_floor(root)
            floor.runs.append(seconds)
            floor.extra["mappings"] = mappings
            make_cold(root)
            cold.runs.append(run_cli("build", str(root), "--today", args.today.isoformat()).seconds)
            missing = check_outputs(root)
            if missing:
                raise ChildError("; ".join(missing))
    except ChildError as exc:
        cold.error = str(exc)
    _, runs, _ = time_median(lambda: floor_read_parse(root), max(args.repeat, 5))
    res.metrics.update(cold=cold, floor=floor, floor_in_process=Metric(runs=runs))


def measure_api(res: SizeResult, root: Path, editor: NoteEditor, args: argparse.Namespace) -> None:
    """bench_build's API timings: ``build()`` alone, in a fresh child, imports not counted."""
    scenarios: tuple[tuple[str, Callable[[], object]], ...] = (
        ("api_cold", lambda: make_cold(root)),
        ("api_unchanged", lambda: None),
        ("api_one_changed", editor.edit_next),
    )
    for key, prepare in scenarios:
        metric = res.metrics[key] = Metric()
        try:
            for _ in range(args.repeat):
                prepare()
                metric.runs.append(run_api_child(root, args.today).build_s)
        except ChildError as exc:
            metric.error = str(exc)


def check_due(run: Run) -> None:
    """``due --json`` printed a JSON array: a fast answer that is not one would look good otherwise."""
    try:
        ok = isinstance(json.loads(run.stdout), list)
    except ValueError:
        ok = False
    if not ok:
        raise ChildError(f"vaultnet due --json printed no JSON array: {run.stdout[:200]!r}")


def measure_warm(
    res: SizeResult, root: Path, editor: NoteEditor, daily: list[Path], stems: list[str], args: argparse.Namespace
) -> None:
    """The CLI with a warm cache: nothing changed, one note changed (and its peak memory), one daily note
    changed, ``due --json``; then the cache's size."""
    build = ("build", str(root), "--today", args.today.isoformat())
    settle, _ = series(build, lambda: None, 1)  # not timed: the API's builds may have left other state behind
    res.metrics["unchanged"], _ = series(build, lambda: None, args.repeat)
    if settle.error is not None:
        res.metrics["unchanged"].error = settle.error
    res.metrics["one_changed"], res.metrics["memory"] = series(build, editor.edit_next, args.repeat)
    if daily:
        rng = random.Random(args.seed + 5)
        edits = iter(range(1, 10**6))

        def edit() -> None:
            k = next(edits)
            edit_daily(daily[k % len(daily)], rng.choice(stems), k)

        res.metrics["daily_changed"], _ = series(build, edit, args.repeat)
    due = ("due", str(root), "--json", "--today", args.today.isoformat())
    res.metrics["due"], _ = series(due, lambda: None, args.repeat, check_due)
    cache_dir = root / ".vaultnet"
    calendar = cache_dir / "reminders.ics"
    res.metrics["cache"] = Metric(
        runs=[float(folder_bytes(cache_dir, OUTPUTS_IN_CACHE_DIR))],
        extra={
            "folder": float(folder_bytes(cache_dir)),
            "calendar": float(calendar.stat().st_size if calendar.exists() else 0),
        },
    )


def measure_size(n_contacts: int, args: argparse.Namespace) -> SizeResult:
    """Generate a vault of ``n_contacts`` and measure every row on it; the vault is deleted afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="vaultnet-bench-paths-"))
    root = tmp / "vault"
    try:
        started = time.perf_counter()
        vault = generate_vault(root, n_contacts, args.notes, args.seed, args.today)
        extras = None if args.plain_vault else add_network_notes(vault, args.seed, args.today)
        age_files(root, AGE_S)
        res = SizeResult(n_contacts, sum(1 for _ in root.rglob("*.md")), notes_bytes(root))
        res.info.append(f"generated in {time.perf_counter() - started:.1f} s (not measured)")
        if extras is not None:
            res.info.append(f"{len(extras.events)} events, {len(extras.daily)} daily notes, {len(extras.goals)} goals, "
                            f"{len(extras.contacts_with_goals)} contacts with goals")  # fmt: skip
        editor = NoteEditor(vault.contact_paths, args.seed, args.today)
        measure_cold(res, root, args)
        if args.api:
            measure_api(res, root, NoteEditor(vault.contact_paths, args.seed + 100, args.today), args)
        stems = [p.stem for p in vault.contact_paths]
        measure_warm(res, root, editor, extras.daily if extras else [], stems, args)
        if args.live:
            limit = max(120.0, n_contacts / 100)
            res.metrics["watch"] = measure_watch(root, vault.contact_paths, args.edits, args.pause, limit, args.seed)
            res.metrics["serve"], res.metrics["serve_304"] = measure_serve(
                root, args.clients, args.serve_seconds, limit
            )
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument(
        "--sizes", type=int, nargs="*", default=[1000, 10_000], metavar="N", help="contacts (default 1000 10000)"
    )
    p.add_argument("--notes", type=int, default=200, help="plain notes without front matter (default 200)")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    p.add_argument("--edits", type=int, default=5, help="timed saves under watch (default 5)")
    p.add_argument("--pause", type=float, default=0.5, help="seconds between two saves under watch (default 0.5)")
    p.add_argument("--clients", type=int, default=20, help="parallel HTTP clients of serve (default 20)")
    p.add_argument("--serve-seconds", type=float, default=5.0, help="seconds of each load on serve (default 5)")
    p.add_argument("--seed", type=int, default=42, help="seed of the vault generator (default 42)")
    p.add_argument("--today", type=dt.date.fromisoformat, default=DEFAULT_TODAY, help="--today of build and due")
    p.add_argument(
        "--plain-vault", action="store_true", help="bench_build's vault alone: no events, daily notes, goals"
    )
    p.add_argument("--no-api", dest="api", action="store_false", help="skip the API timings of build()")
    p.add_argument("--no-live", dest="live", action="store_false", help="skip watch and serve")
    p.add_argument("--save", type=Path, metavar="FILE", help="write the results as JSON")
    p.add_argument("--load", type=Path, action="append", default=[], metavar="FILE", help="add saved results")
    p.add_argument("--strict", action="store_true", help="exit 1 if a target is missed or something failed")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.edits < 1 or args.clients < 1 or any(n < 2 for n in args.sizes) or args.notes < 0:
        p.error("--repeat, --edits and --clients must be >= 1, --sizes >= 2, --notes >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every size, print the report; the exit code (1 only with --strict and a miss or an error)."""
    args = parse_args(argv)
    command = shlex.join(["python3", "benchmarks/bench_paths.py", *(sys.argv[1:] if argv is None else argv)])
    results = [r for path in args.load for r in load_results(path)]
    n_pyc = compile_vaultnet() if args.sizes else 0
    measured = [measure_size(n, args) for n in args.sizes]
    if args.save is not None:
        save_results(args.save, measured)
    sizes = {r.contacts for r in measured}
    results = sorted([r for r in results if r.contacts not in sizes] + measured, key=lambda r: r.contacts)
    failed = print_report(results, args, command, n_pyc)
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
