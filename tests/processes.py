"""Real processes for the hostile tests: each forked from the test's process (so that the imports are paid once),
running the command line as `vaultnet` does, started together behind a barrier, and all of them within a deadline,
so that a hang fails the test instead of hanging the suite."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultnet.cli import cli

FORK = multiprocessing.get_context("fork")
DEADLINE = 40.0  # seconds for all the processes of one test: they take a few


@dataclass(frozen=True)
class Ran:
    code: int | None
    output: str


def cli_process(args: list[str], out: str, start: Any) -> None:
    """In a forked process: wait for the others, then run the command line; its output goes to the file `out`."""
    start.wait(timeout=DEADLINE)
    code = 1
    with open(out, "w", encoding="utf-8") as handle:
        sys.stdout = sys.stderr = handle
        try:
            cli.main(args, prog_name="vaultnet")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    os._exit(code)


def run_processes(commands: list[list[str]], folder: Path) -> list[Ran]:
    """Run each command line in its own process, all at once; their exit codes and outputs, in order."""
    start = FORK.Barrier(len(commands))
    outs = [folder / f"out-{i}.txt" for i in range(len(commands))]
    pairs = zip(commands, outs, strict=True)
    procs = [FORK.Process(target=cli_process, args=(args, str(out), start)) for args, out in pairs]
    for proc in procs:
        proc.start()
    deadline = time.monotonic() + DEADLINE
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
    hung = [proc for proc in procs if proc.is_alive()]
    for proc in hung:
        proc.kill()
    assert not hung, f"{len(hung)} vaultnet processes still ran after {DEADLINE} s"
    return [Ran(proc.exitcode, out.read_text(encoding="utf-8")) for proc, out in zip(procs, outs, strict=True)]


def run_alone(args: list[str]) -> Any:
    """Start the command line in a process of its own (output dropped); the caller joins it."""
    proc = FORK.Process(target=cli_process, args=(args, os.devnull, FORK.Barrier(1)))
    proc.start()
    return proc


def leftovers(root: Path) -> list[str]:
    """Temp files and lock files anywhere in the vault."""
    names = (p for p in root.rglob("*") if p.is_file())
    return sorted(str(p.relative_to(root)) for p in names if p.name.endswith((".tmp", ".lock")))


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
