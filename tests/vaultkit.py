"""The test suite's shared floor: the fixed day and mtimes, writing notes and vaults, reading a note back, the CLI
in-process and as a subprocess, and the vaults that more than one test module reads.

Test modules import what they need (`from vaultkit import TODAY, put, run`); the fixtures built on it live in
`conftest.py`. Every helper writes real files: nothing here mocks vaultnet.

Two mtimes matter to vaultnet and so to these helpers:

- `OLD_NS` is long past, outside the index's "racy" window: a note written with it (`put_old`) is trusted from the
  cache on the next run, so a test can count what the index re-reads.
- `MTIME` is the sample vault's fixed mtime: the calendar's DTSTAMP/LAST-MODIFIED come from it, so builds of two
  copies of a vault (`write_vault`, `copy_sample`) compare byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import FrameType
from typing import TypeVar, cast

import pytest
from click.testing import CliRunner, Result

from vaultnet import pipeline
from vaultnet.cli import cli
from vaultnet.config import Settings
from vaultnet.derived import Keeper
from vaultnet.fragments import CalendarFragments
from vaultnet.fragments import Index as FragmentIndex
from vaultnet.index import Entry, Index
from vaultnet.model import Contact
from vaultnet.parse import parse_note
from vaultnet.pipeline import Session
from vaultnet.render.markdown import Lines
from vaultnet.snapshot import Snapshot

TODAY = date(2026, 11, 21)  # a Saturday in ISO week 2026-W47: its Monday is 2026-11-16, its quarter began 2026-10-01
DAY = TODAY.isoformat()  # the same day as the CLI's --today and VAULTNET_TODAY take it
OLD_NS = 1_700_000_000_000_000_000  # 2023-11-14: outside the index's "racy" window
LATER_NS = OLD_NS + 86_400 * 1_000_000_000  # a day after OLD_NS: an edit the index must see
MTIME = int(datetime(2026, 11, 1, 12, 0, tzinfo=UTC).timestamp())  # seconds: the sample vault's every file
MTIME_NS = MTIME * 1_000_000_000
REPO = Path(__file__).resolve().parent.parent  # this checkout: its code, docs and pyproject.toml
DATA = REPO / "tests" / "data"
SAMPLE = DATA / "sample-vault"  # the golden tests' vault: read it through `copy_sample`, never in place
# The eight weeks of the weekly rhythm on TODAY, oldest first: (ISO week, its Monday).
RHYTHM_WEEKS = [
    ("2026-W40", date(2026, 9, 28)),
    ("2026-W41", date(2026, 10, 5)),
    ("2026-W42", date(2026, 10, 12)),
    ("2026-W43", date(2026, 10, 19)),
    ("2026-W44", date(2026, 10, 26)),
    ("2026-W45", date(2026, 11, 2)),
    ("2026-W46", date(2026, 11, 9)),
    ("2026-W47", date(2026, 11, 16)),
]
T = TypeVar("T")
PROBLEM = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<message>.+)$")  # a problem as the CLI prints it

# Anna's note in the small vaults of the CLI, pipeline and index tests: a close contact (a follow-up 30 days after
# the last interaction), a birthday on 11-25 and one logged call, on 2026-10-02, in which she gave.
ANNA_NOTE = """---
company: Acme
circle: close
birthday: 1990-11-25
---
# Log
- 2026-10-02 call: talked about her new team #gave
"""
# The small vault of the CLI and pipeline tests: Anna (ANNA_NOTE with a promise) and Ben in contacts/, Carla a contact
# by `type` in notes/, and a plain note. Written by `write_vault(root, SMALL_VAULT, mtime_ns=OLD_NS)`.
SMALL_VAULT = {
    "contacts/Anna.md": ANNA_NOTE + "\n- [ ] send the article 📅 2026-11-20\n",
    "contacts/work/Ben.md": "---\nname: Ben Okafor\nlast_contact: 2026-11-10\nfollow_up: 2026-11-19\n---\n",
    "notes/Carla.md": "---\ntype: contact\nname: Carla Diaz\n---\nMet at the meetup.\n",
    "notes/Ideas.md": "Ideas for the meetup, no front matter.\n",
}
# What is due in SMALL_VAULT on TODAY, in order: (kind, name, path, day).
SMALL_VAULT_DUE = [
    ("follow-up", "Anna", "contacts/Anna.md", "2026-11-01"),
    ("follow-up", "Ben Okafor", "contacts/work/Ben.md", "2026-11-19"),
    ("promise", "Anna", "contacts/Anna.md", "2026-11-20"),
    ("follow-up", "Carla Diaz", "notes/Carla.md", "2026-11-21"),
    ("birthday", "Anna", "contacts/Anna.md", "2026-11-25"),
]


# Switches of the test suite itself, not settings of vaultnet: `hide_vaultnet_environment` keeps them.
SUITE_SWITCHES = frozenset({"VAULTNET_UPDATE_GOLDEN"})


def hide_vaultnet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every `VAULTNET_*` variable but the suite's own switches from the environment (until the test ends)."""
    for name in list(os.environ):
        if name.startswith("VAULTNET_") and name not in SUITE_SWITCHES:
            monkeypatch.delenv(name)


def put(root: Path, rel: str, data: str | bytes = "x\n", mtime_ns: int | None = None) -> Path:
    """Write `data` (text as UTF-8, line ends as given) to `root/rel`, creating its folders.

    With `mtime_ns` the file gets that mtime; without, it keeps the one the write gave it (now)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def put_old(root: Path, rel: str, data: str | bytes, mtime_ns: int | None = OLD_NS) -> Path:
    """`put` with an old mtime unless told otherwise (None: now): the index trusts the note's fingerprint."""
    return put(root, rel, data, mtime_ns)


def set_mtimes(root: Path, mtime_ns: int = MTIME_NS) -> None:
    """Give every file of the vault outside `.vaultnet/` the same mtime (DTSTAMP comes from it)."""
    for path in root.rglob("*"):
        if path.is_file() and ".vaultnet" not in path.relative_to(root).parts:
            os.utime(path, ns=(mtime_ns, mtime_ns))


def write_notes(root: Path, notes: dict[str, str], toml: str | None = None) -> Path:
    """Write `notes` (vault-relative path -> text) and, if given, `vaultnet.toml` under `root`; return `root`.

    The files keep the mtimes their writes gave them."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in notes.items():
        put(root, rel, text)
    if toml is not None:
        put(root, "vaultnet.toml", toml)
    return root


def write_vault(root: Path, notes: dict[str, str], toml: str | None = None, mtime_ns: int = MTIME_NS) -> Path:
    """`write_notes`, then every file of the vault gets `mtime_ns`: a vault that builds the same anywhere."""
    write_notes(root, notes, toml)
    set_mtimes(root, mtime_ns)
    return root


def copy_sample(dest: Path, mtime_ns: int = MTIME_NS) -> Path:
    """A copy of the sample vault at `dest`, every file with the same fixed mtime."""
    shutil.copytree(SAMPLE, dest)
    set_mtimes(dest, mtime_ns)
    return dest


def vault_files(root: Path) -> dict[str, bytes]:
    """Every file of the vault outside vaultnet's cache folder, by vault-relative path, with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".vaultnet" not in p.relative_to(root).parts
    }


def kept(root: Path) -> tuple[dict[str, Entry], FragmentIndex]:
    """What the snapshot and its journal hold for the next command (read as a new `Session` would): each note
    with the fingerprint it was read at, and the calendar fragments that index into the calendar on disk."""
    settings = pipeline.load_settings(root)
    index, fragments = Index(root, settings, persist=False), CalendarFragments()
    Keeper(root, settings).restore(index, fragments, Lines(), settings.calendar_path)
    return index.entries(), fragments.index()


def through_snapshot(root: Path, value: T) -> T:
    """`value` saved to a snapshot in `root` and loaded back, as the next command loads it (`snapshot`'s
    restricted unpickler: a type it refuses fails the test)."""
    Snapshot(root, root / ".vaultnet", "test").save(value)
    loaded = Snapshot(root, root / ".vaultnet", "test").load()
    assert loaded is not None, "the snapshot was not saved or not loaded back"
    assert loaded[1] == []
    return cast(T, loaded[0])


def fm(body: str = "", **fields: str) -> str:
    """A note with the given front matter, values written as-is (quote them yourself), then `body`."""
    lines = [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def contact_of(text: str, path: str = "contacts/Anna Schmidt.md", settings: Settings | None = None) -> Contact:
    """The contact the real parser reads from `text` as the note at `path`, failing the test on any problem."""
    note = parse_note(path, text.encode("utf-8"), settings or Settings())
    assert note.problems == ()
    assert note.contact is not None
    return note.contact


def no_network_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the whole network fails the test from now on (until it ends): for code that must not need it."""

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole network was built")

    monkeypatch.setattr(pipeline, "build_network", no_network)


def run(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    """Run the CLI in-process with `args` (each turned into text); `env` is added to the environment.

    VAULTNET_TODAY from the outer environment never leaks in: a test that wants it sets it in `env`."""
    return CliRunner().invoke(cli, [str(a) for a in args], env={"VAULTNET_TODAY": None, **(env or {})})


def checkout_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess that imports this checkout's vaultnet: this process's, without any
    `VAULTNET_*` variable, with `extra` added."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("VAULTNET_")}
    return {**env, **extra, "PYTHONPATH": str(REPO)}


def parse_problems(stderr: str, pattern: re.Pattern[str] = PROBLEM) -> list[tuple[str, int, str]]:
    """The (path, line, message) of each line of `stderr` that `pattern` matches, in order."""
    found = (pattern.match(line) for line in stderr.splitlines())
    return [(m["path"], int(m["line"]), m["message"]) for m in found if m]


def installed_script() -> Path:
    """The `vaultnet` console script beside this Python (pip install -e .); skips the test without one."""
    script = Path(sys.executable).parent / "vaultnet"
    if not script.exists():
        pytest.skip(f"no installed console script at {script}")
    return script


# File modes bind neither root nor Windows: a test of read-only files skips there.
needs_file_permissions = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root ignores file permissions"
)


@contextmanager
def read_only(root: Path) -> Iterator[None]:
    """`root` and every folder below it read-only (0o555) for the block, writable (0o755) again after it."""
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    try:
        yield
    finally:
        for folder in folders:
            folder.chmod(0o755)


# -- vaults that more than one test module reads ---------------------------------------------------------------

# The vault of the `who` tests (vaultnet.insights.who and `vaultnet who`): who works where, with which tags and
# interests, who introduced whom (Bo introduced Ada and Cy, Ada introduced Gu), and when each was last in touch.
WHO_NOTES = {
    "contacts/Ada.md": fm(
        company='"Acme GmbH"',
        role="CTO",
        tags="[ml, founder]",
        interests='["machine learning", climbing]',
        last_contact="2026-11-01",
        introduced_by='"[[Bo]]"',
    ),
    "contacts/Bo.md": fm(company="Globex", tags="[investor]", last_contact="2026-10-01"),
    "contacts/Cy.md": fm(
        "# Log\n- 2026-11-15 coffee: models\n",
        company='"ACME Labs"',
        tags='["#ML"]',
        interests='["Machine Learning Ops"]',
        introduced_by='"[[Bo]]"',
    ),
    "contacts/Di.md": fm(company="acme", tags="[design]", met="2026-06-01"),  # never contacted: since met
    "contacts/Ed.md": fm(company="Acme"),  # nothing known: last
    "contacts/Fa.md": fm(company="Acme", tags="[ml]", archived="true", last_contact="2026-11-20"),
    "contacts/Gu.md": fm(company="Initech", tags="[ml]", introduced_by='"[[Ada]]"'),
}


# -- the fixture vaults of issue 9: vaults as people really keep them (tests/test_existing_vaults.py says how) ------

VAULTS = DATA / "vaults"  # each NAME/ beside the NAME.vaultnet.toml that should make it work


@dataclass(frozen=True)
class Expected:
    """What a fixture vault must give with its vaultnet.toml."""

    contacts: tuple[str, ...]  # every contact, by path
    last: dict[str, str]  # path -> the day of the last contact (a meeting, a daily note, a mapped property)
    fields: dict[str, dict[str, str]]  # path -> company, role, email, phone as vaultnet shows them
    meetings: tuple[str, ...] = ()  # paths whose last contact is a meeting note
    met: dict[str, str] = field(default_factory=dict)  # path -> met (no contact since): a mapped `met`


EXPECTED = {
    "people-folder": Expected(
        contacts=(
            "People/Jane Roe.md",
            "People/Priya Natarajan.md",
            "People/Sam Lee.md",
            "People/Tomás Herrera.md",
            "People/Work/Dana Whitfield.md",
        ),
        last={
            "People/Jane Roe.md": "2026-10-28",
            "People/Sam Lee.md": "2026-10-28",
            "People/Priya Natarajan.md": "2026-11-12",
        },
        met={"People/Tomás Herrera.md": "2016-08-01", "People/Work/Dana Whitfield.md": "2022-01-10"},
        fields={
            "People/Jane Roe.md": {
                "company": "Fernhill Ceramics",
                "role": "Studio owner",
                "email": "jane@fernhill-ceramics.example",
                "phone": "+44 7700 900123",
            },
            "People/Work/Dana Whitfield.md": {
                "company": "Northwind Labs",
                "role": "Engineering manager",
                "email": "dana.whitfield@northwind.example",
            },
        },
    ),
    "categories": Expected(
        contacts=(
            "References/Jane Roe.md",
            "References/Jo Park.md",
            "References/Mira Okonkwo.md",
            "References/Ruth Abernathy.md",
            "References/Sam Lee.md",
        ),
        last={
            "References/Jane Roe.md": "2026-11-03",  # dated by its file name; Alex Owner (the owner) is nobody
            "References/Sam Lee.md": "2026-10-14",
            "References/Mira Okonkwo.md": "2026-09-30",
            "References/Jo Park.md": "2026-09-30",
            "References/Ruth Abernathy.md": "2026-08-30",  # her `last_contacted`, mapped to last_contact
        },
        meetings=(
            "References/Jane Roe.md",
            "References/Sam Lee.md",
            "References/Mira Okonkwo.md",
            "References/Jo Park.md",
        ),
        fields={
            "References/Jane Roe.md": {
                "company": "Northwind Labs",
                "role": "Product designer",
                "email": "jane.roe@northwind.example",
            },
            "References/Sam Lee.md": {
                "company": "Harbour Sound",
                "role": "Session drummer",
                "email": "sam@harboursound.example",
            },
        },
    ),
    "capitalised": Expected(
        contacts=("People/Aiko Tanaka.md", "People/Konrad Baum.md", "People/Lena Fischer.md", "People/Omar Haddad.md"),
        last={
            "People/Lena Fischer.md": "2026-11-05",
            "People/Aiko Tanaka.md": "2026-11-05",
            "People/Konrad Baum.md": "2026-10-20",
        },
        met={"People/Omar Haddad.md": "2024-11-02"},
        fields={
            "People/Lena Fischer.md": {
                "company": "Brightwave",
                "role": "Head of Product",
                "email": "lena.fischer@brightwave.example",
                "phone": "+49 30 5550 1234",
            },
            "People/Omar Haddad.md": {"company": "Saltbox Studio", "role": "Founder", "email": "omar@saltbox.example"},
        },
    ),
}
NAMES = sorted(EXPECTED)


def copy_vault(name: str, dest: Path, with_settings: bool = True) -> Path:
    """A copy of the fixture vault `name` at `dest`, its vaultnet.toml copied in (unless told otherwise)."""
    shutil.copytree(VAULTS / name, dest)
    if with_settings:
        shutil.copyfile(VAULTS / f"{name}.vaultnet.toml", dest / "vaultnet.toml")
    set_mtimes(dest)
    return dest


def hashes(root: Path) -> dict[str, str]:
    """Every file below `root` (vaultnet's own folder too) by path, with the SHA-256 of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def contact_paths(root: Path) -> list[str]:
    return sorted(c.path for c in Session(root).contacts())


@contextmanager
def time_limit(seconds: float, error: type[Exception] = TimeoutError) -> Iterator[None]:
    """Raise `error` in the block once it has run `seconds` of wall-clock time: a test fails instead of hanging
    (SIGALRM; a regex or a loop in C is interrupted too: the regex engine checks for signals)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise error(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def khard(config: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """khard (in the test extras) run with `config` and its own home: what it makes of exported cards."""
    script = Path(sys.executable).with_name("khard")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "khard"]
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local/share"), "XDG_CACHE_HOME": str(home / ".cache")}  # fmt: skip
    return subprocess.run([*command, "-c", str(config), *args], capture_output=True, text=True, env=env, timeout=120)
