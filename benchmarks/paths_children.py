"""Fresh child processes for ``bench_paths.py``: the ``vaultnet`` command line, the floor, compiled bytecode.

Every vaultnet figure of ``bench_paths.py`` is the wall time of a new process, which is what a user waits for.
The children run the vaultnet that this benchmark imports (its folder goes first on ``PYTHONPATH``), from
bytecode compiled beforehand (``compile_vaultnet``), and without ``PYTHONDONTWRITEBYTECODE``, so that what
vaultnet imports from elsewhere is compiled too after the warm-up. ``VAULTNET_*`` variables are dropped: a
developer's ``VAULTNET_TODAY`` must not change what is measured.

The command line runs through ``CLI_CODE``, which does what the ``vaultnet`` console script does
(``from vaultnet.cli import main; sys.exit(main())``) and then writes the process's peak memory (``VmHWM`` from
``/proc/self/status``) to a file: also when vaultnet leaves through ``os._exit`` (a one-shot command may skip
the interpreter's teardown). ``ru_maxrss`` would not do: on Linux a child's high-water mark includes its parent's
(see benchmarks/README.md).
"""

from __future__ import annotations

import compileall
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_build import ChildError  # one error class for every child, bench_build's API child too

import vaultnet

VAULTNET_DIR = Path(vaultnet.__file__).resolve().parent
"""The package measured: the one this process imports (with PYTHONPATH=$PWD, the checkout's)."""

CLI_CODE = r"""
import os, sys
_out = sys.argv.pop(1)
_real_exit = os._exit

def _report():
    peak = -1
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1])
    except OSError:
        pass
    with open(_out, "w", encoding="ascii") as f:
        f.write(f"{peak} {sys.flags.dont_write_bytecode}\n")

def _exit(code):
    _report()
    _real_exit(code)

os._exit = _exit
sys.argv[0] = "vaultnet"
from vaultnet.cli import main
try:
    main()
except SystemExit:
    _report()
    raise
_report()
"""

# The floor (c2) of bench_build.py as a process of its own: walk, read, decode, split and parse every note's
# front matter with CSafeLoader. It starts an interpreter as the command line does, so wall time against wall
# time compares the work after start-up; it imports only os and yaml, to keep its own start-up minimal.
FLOOR_CODE = r"""
import os, sys, yaml
stack, mappings = [sys.argv[1]], 0
while stack:
    with os.scandir(stack.pop()) as it:
        for entry in it:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != ".vaultnet":
                    stack.append(entry.path)
            elif entry.name.endswith(".md"):
                with open(entry.path, "rb") as f:
                    text = f.read().decode("utf-8")
                if text.startswith("---\n"):
                    end = text.find("\n---\n", 3)
                    if end != -1 and isinstance(yaml.load(text[4 : end + 1], Loader=yaml.CSafeLoader), dict):
                        mappings += 1
print(mappings)
"""

WARMUP_CODE = "import vaultnet.cli, vaultnet.pipeline, vaultnet.serve, vaultnet.watch"


@dataclass
class Metric:
    """One row's measurement at one size: every run (seconds, MiB, bytes or requests per second), a note for the
    table (the floor, the API time, ...), and what went wrong, if anything."""

    runs: list[float] = field(default_factory=list)
    note: str = ""
    error: str | None = None
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def median(self) -> float | None:
        """The median of the runs; None without runs."""
        return statistics.median(self.runs) if self.runs else None


@dataclass
class Run:
    """One finished command-line process."""

    seconds: float  # wall time, from start to exit
    peak_mib: float | None  # VmHWM; None where /proc is not there
    stdout: str
    dont_write_bytecode: bool


def child_env() -> dict[str, str]:
    """The environment of every child: this vaultnet first on the path, bytecode writable, no VAULTNET_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULTNET_") and k != "PYTHONDONTWRITEBYTECODE"}
    path = [str(VAULTNET_DIR.parent), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(path)
    return env


def compile_vaultnet() -> int:
    """Compile every module of the measured vaultnet (whatever PYTHONDONTWRITEBYTECODE says: compileall writes
    anyway), then import everything once in a child so that its dependencies are compiled too. Returns how many
    ``.pyc`` files vaultnet has."""
    if not compileall.compile_dir(str(VAULTNET_DIR), quiet=1):
        raise ChildError(f"compileall failed for {VAULTNET_DIR}")
    proc = subprocess.run([sys.executable, "-P", "-c", WARMUP_CODE], env=child_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise ChildError(f"importing vaultnet failed:\n{proc.stderr[-2000:]}")
    return sum(1 for _ in VAULTNET_DIR.rglob(f"*.{sys.implementation.cache_tag}.pyc"))


def cli_command(*args: str) -> list[str]:
    """The argv that runs ``vaultnet ARGS`` as the console script would, without the peak-memory report."""
    return [sys.executable, "-P", "-c", "import sys\nfrom vaultnet.cli import main\nsys.exit(main())", *args]


def run_cli(*args: str) -> Run:
    """Run ``vaultnet ARGS`` in a fresh process; its wall time, peak memory and output. Raises ChildError if it
    exits with an error."""
    fd, report = tempfile.mkstemp(prefix="vaultnet-bench-peak-")
    os.close(fd)
    cmd = [sys.executable, "-P", "-c", CLI_CODE, report, *args]
    try:
        started = time.perf_counter()
        proc = subprocess.run(cmd, env=child_env(), capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        fields = Path(report).read_text(encoding="ascii").split()
    finally:
        os.unlink(report)
    if proc.returncode != 0:
        raise ChildError(f"vaultnet {shlex.join(args)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    peak = int(fields[0]) / 1024 if fields and int(fields[0]) >= 0 else None
    return Run(seconds, peak, proc.stdout, len(fields) > 1 and fields[1] != "0")


def run_floor(root: Path) -> tuple[float, int]:
    """Wall time of the floor process over ``root``, and how many front-matter mappings it parsed."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-P", "-c", FLOOR_CODE, str(root)], env=child_env(), capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise ChildError(f"the floor process exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return seconds, int(proc.stdout.split()[-1])


def folder_bytes(folder: Path, skip: frozenset[str] = frozenset()) -> int:
    """Total size of the files below ``folder`` (apparent sizes, links not followed), except names in ``skip``."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            if name not in skip:
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def notes_bytes(root: Path) -> int:
    """The notes' size: every ``.md`` file of the vault outside ``.vaultnet/`` (outputs such as Follow-ups.md
    are not written yet when this is called)."""
    total = 0
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".vaultnet"]
        total += sum(os.lstat(os.path.join(dirpath, n)).st_size for n in files if n.endswith(".md"))
    return total
