"""Benchmark ``vaultnet build`` against I/O and YAML-parsing floors.

Run from the repository root::

    python benchmarks/bench_build.py                      # 10,000 contacts, 3 repeats
    python benchmarks/bench_build.py --contacts 1000 --repeat 5
    python benchmarks/bench_build.py --keep /tmp/bench-vault --strict

What it does:

1. Generates a deterministic synthetic vault (``random.Random(seed)``, default seed 42) with
   ``contacts/`` (one Markdown note with YAML front matter per contact), ``notes/`` (plain notes
   without front matter) and a small ``.obsidian/`` folder.  Generation is not measured.
2. Measures floors in this process, each the median of ``max(--repeat, 5)`` runs, warm page cache:
   (a) walk + stat every file, (b) walk + read every ``.md`` file as bytes,
   (c1) split + ``yaml.load(..., Loader=yaml.CSafeLoader)`` over pre-read, pre-decoded texts,
   (c2) walk + read + decode + split + parse (the full minimal work of a cold build).
3. Measures ``vaultnet.pipeline.build`` (timed inside a fresh child interpreter, imports excluded)
   and the ``vaultnet build`` CLI (wall time of the whole process) for a cold build, a build with
   nothing changed and a build after one note changed; plus the peak RSS of the cold-build child
   (VmHWM on Linux, see ``CHILD_CODE``).  Each is the median of ``--repeat`` fresh processes.
4. Prints a Markdown table with targets.  Exit code is 0 even when a target is missed, unless
   ``--strict`` is given.

Only the standard library and PyYAML are used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml

T = TypeVar("T")

DEFAULT_TODAY = dt.date(2026, 11, 21)
MARKER_FILE = ".vaultnet-bench-vault"
"""Written into every generated vault so ``--keep DIR`` may safely wipe a previous benchmark vault."""

COLD_FACTOR = 2.0
"""Cold build target: at most this many times the read+parse floor (c2)."""
UNCHANGED_TARGET_S = 0.5
ONE_CHANGED_TARGET_S = 0.6
RESULT_PREFIX = "VAULTNET_BENCH_RESULT "
FLOOR_MIN_REPEAT = 5

# --------------------------------------------------------------------------------------------
# Synthetic vault generation
# --------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """Split a whitespace-separated word list."""
    return tuple(text.split())


FIRST_NAMES = _words(
    "Anna Bernd Carla David Elena Felix Greta Hannah Ingo Julia Karl Lena Marco Nina Oskar Paula "
    "Quentin Rosa Stefan Tanja Uwe Vera Wolfgang Xenia Yusuf Zoe Jürgen Sören Ölmez Ayşe Björn "
    "Chloé François Inés José Łukasz Mei Raj Priya Kenji Sofia Liam Emma Noah Olivia Lucas Mia "
    "Ahmed Fatima Ivan Olga Pierre Camille Giulia Matteo Sven Astrid Tomás Lucía Kwame Amara"
)
LAST_NAMES = _words(
    "Schmidt Meyer Weber Müller Schneider Fischer Wagner Becker Hoffmann Schulz Koch Richter Klein "
    "Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Werner Krause "
    "Lehmann Köhler Herrmann König Walter Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn "
    "Keller Vogel Friedrich Günther Yılmaz Kowalski Nowak Rossi Dubois García Martin Smith Jones "
    "Brown Tanaka Suzuki Kim Nguyen Singh Okafor Andersson Nielsen O'Brien"
)
COMPANIES = (
    "Acme GmbH",
    "Globex AG",
    "Initech",
    "Umbrella Labs",
    "Stark Industries",
    "Wayne Enterprises",
    "Müller & Söhne KG",
    "Nordwind Energie",
    "Blue Harbor Capital",
    "Spree Analytics",
    "Hanse Logistics",
    "Kiez Ventures",
    "Tiefsee Robotics",
    "Freelance",
    "Charité",
    "TU Berlin",
    "City of Hamburg",
    "Open Source Collective",
    "Rheinmetall Digital",
    "Alpenglow Studios",
)
ROLES = (
    "Head of Data",
    "CTO",
    "Founder",
    "Software Engineer",
    "Product Manager",
    "Designer",
    "Investor",
    "Researcher",
    "Recruiter",
    "Sales Lead",
    "Consultant",
    "PhD Student",
    "VP Engineering",
    "Journalist",
    "Professor",
    "Community Manager",
)
TAGS = _words(
    "data berlin hamburg munich investor founder engineering design climate health ai "
    "family school university conference meetup mentor client former-colleague"
)
INTERESTS = (
    "sailing",
    "climate tech",
    "running",
    "chess",
    "jazz",
    "photography",
    "bouldering",
    "cooking",
    "board games",
    "urban gardening",
    "rust",
    "machine learning",
    "cycling",
    "poetry",
    "wine",
    "football",
)
CIRCLES = ("close", "active", "loose", "dormant")
CIRCLE_WEIGHTS = (10, 30, 40, 20)
CADENCES = ("1w", "2w", "3w", "1m", "6w", "2m", "3m", "6m", "1y")
LOG_KINDS = ("call", "coffee", "email", "lunch", "meeting", "video", "event", "message")
LOG_TOPICS = (
    "talked about her new team",
    "caught up on the move",
    "feedback on the pitch deck",
    "discussed hiring",
    "brainstormed the workshop",
    "quick hello",
    "shared the conference notes",
    "asked about the open role",
    "congratulated on the promotion",
    "planned the hike",
)
PROMISES = (
    "send the article",
    "intro to a designer",
    "share the slides",
    "review the CV",
    "book the table",
    "return the book",
    "send the podcast link",
    "check in after the launch",
)
WORDS = _words(
    "the project team met early and we discussed plans for next quarter including budgets roadmap "
    "hiring travel conference talks weekend family kids dog garden startup funding round product "
    "launch feedback customers market research interview notes ideas coffee lunch dinner river "
    "city move apartment book recommendation podcast article open source community volunteering"
)


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """Return a uniformly random date in ``[start, end]``."""
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _sentence(rng: random.Random) -> str:
    """Return one pseudo-random English-ish sentence."""
    words = rng.choices(WORDS, k=rng.randint(6, 18))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random, names: Sequence[str]) -> str:
    """Return a paragraph of sentences, occasionally linking another contact note."""
    parts = [_sentence(rng) for _ in range(rng.randint(2, 7))]
    if names and rng.random() < 0.2:
        parts.insert(rng.randrange(len(parts) + 1), f"See also [[{rng.choice(names)}]].")
    return " ".join(parts)


def _free_text(rng: random.Random, names: Sequence[str]) -> str:
    """Return the free-text body of a contact: empty, short, a few paragraphs, or long."""
    r = rng.random()
    if r < 0.02:
        return ""
    if r < 0.62:
        return " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
    n = rng.randint(1, 3) if r < 0.92 else rng.randint(5, 25)
    return "\n\n".join(_paragraph(rng, names) for _ in range(n))


def _birthday(rng: random.Random) -> str | None:
    """Return a birthday value: none (~30%), ``--MM-DD``, a leap day, or a full date."""
    r = rng.random()
    if r < 0.30:
        return None
    if r < 0.40:
        d = _date_between(rng, dt.date(2001, 1, 1), dt.date(2001, 12, 31))
        return f"--{d.month:02d}-{d.day:02d}"
    if r < 0.41:
        return f"{rng.choice((1984, 1988, 1992, 1996, 2000))}-02-29"
    return _date_between(rng, dt.date(1950, 1, 1), dt.date(2004, 12, 31)).isoformat()


def contact_note(rng: random.Random, name: str, index: int, earlier: Sequence[str], today: dt.date) -> str:
    """Return the full Markdown text of one contact note.

    Args:
        rng: Seeded random generator (consumed deterministically).
        name: Display name, e.g. ``"Anna Schmidt"``.
        index: Contact number, used for a unique e-mail address.
        earlier: Note titles (file stems) of already generated contacts, for ``[[links]]``.
        today: The benchmark's "today"; log lines are dated before it.
    """
    first, last = name.split(" ", 1)
    ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    local = ascii_name.lower().replace("'", "")
    met = _date_between(rng, dt.date(2005, 1, 1), today - dt.timedelta(days=30))
    fm: list[str] = [
        "---",
        f"name: {name}" if "'" not in name else f'name: "{name}"',
        f"company: {rng.choice(COMPANIES)}",
        f"role: {rng.choice(ROLES)}",
        f"email: {local}{index}@example.org",
    ]
    if rng.random() < 0.7:
        fm.append(f'phone: "0{rng.randint(30, 89)}{rng.randint(1000000, 9999999)}"')
    tags = rng.sample(TAGS, rng.randint(0, 4))
    if tags or rng.random() < 0.5:
        fm.append(f"tags: [{', '.join(tags)}]")
    if rng.random() < 0.98:
        fm.append(f"circle: {rng.choices(CIRCLES, CIRCLE_WEIGHTS)[0]}")
    birthday = _birthday(rng)
    if birthday is not None:
        fm.append(f"birthday: {birthday}")
    fm.append(f"met: {met.isoformat()}")
    if earlier and rng.random() < 0.4:
        fm.append(f'introduced_by: "[[{rng.choice(earlier)}]]"')
    interests = rng.sample(INTERESTS, rng.randint(0, 3))
    if interests:
        fm.append("interests:")
        fm.extend(f"  - {i}" for i in interests)

    n_log = rng.choices(range(16), weights=[12, 14, 12, 10, 9, 8, 7, 6, 5, 4, 3, 3, 2, 2, 2, 1])[0]
    log_dates = sorted((_date_between(rng, met, today - dt.timedelta(days=1)) for _ in range(n_log)), reverse=True)
    if log_dates and rng.random() < 0.9:
        fm.append(f"last_contact: {log_dates[0].isoformat()}")
    elif rng.random() < 0.5:
        fm.append(f"last_contact: {_date_between(rng, met, today).isoformat()}")
    if rng.random() < 0.25:
        fm.append(f"cadence: {rng.choice(CADENCES)}")
    if rng.random() < 0.15:
        fm.append(f"follow_up: {_date_between(rng, today - dt.timedelta(60), today + dt.timedelta(90))}")
    if rng.random() < 0.05:
        fm.append(f"snooze_until: {_date_between(rng, today - dt.timedelta(30), today + dt.timedelta(60))}")
    if rng.random() < 0.03:
        fm.append("archived: true")
    fm.append("---")

    body: list[str] = [f"# {name}", ""]
    text = _free_text(rng, earlier)
    if text:
        body += [text, ""]
    if log_dates or rng.random() < 0.5:
        body.append("## Log")
        for d in log_dates:
            topic = rng.choice(LOG_TOPICS)
            if earlier and rng.random() < 0.1:
                topic = f"intro to [[{rng.choice(earlier)}]]"
            tag = rng.choices(("", " #gave", " #got"), weights=(60, 20, 20))[0]
            body.append(f"- {d.isoformat()} {rng.choice(LOG_KINDS)}: {topic}{tag}")
        body.append("")
    n_promises = rng.choices(range(4), weights=(50, 30, 14, 6))[0]
    if n_promises:
        body.append("## Promises")
        for _ in range(n_promises):
            what = rng.choice(PROMISES)
            if rng.random() < 0.35:
                body.append(f"- [x] {what}")
            elif rng.random() < 0.6:
                due = _date_between(rng, today - dt.timedelta(30), today + dt.timedelta(60))
                body.append(f"- [ ] {what} 📅 {due.isoformat()}")
            else:
                body.append(f"- [ ] {what}")
        body.append("")
    return "\n".join(fm) + "\n" + "\n".join(body)


def plain_note(rng: random.Random, index: int, contacts: Sequence[str], today: dt.date) -> tuple[str, str]:
    """Return ``(file stem, text)`` of a non-contact note without front matter."""
    d = _date_between(rng, today - dt.timedelta(days=900), today)
    kind = rng.choice(("Meeting", "Idea", "Reading", "Trip", "Journal"))
    stem = f"{kind} {d.isoformat()} {index:04d}"
    paras = [_paragraph(rng, contacts) for _ in range(rng.randint(1, 8))]
    return stem, f"# {kind} {d.isoformat()}\n\n" + "\n\n".join(paras) + "\n"


@dataclass
class Vault:
    """A generated benchmark vault."""

    root: Path
    contact_paths: list[Path]
    n_notes: int
    n_files: int
    n_bytes: int


def generate_vault(root: Path, n_contacts: int, n_notes: int, seed: int, today: dt.date) -> Vault:
    """Write a deterministic synthetic vault into ``root`` (which must be empty or absent)."""
    rng = random.Random(seed)
    (root / "contacts").mkdir(parents=True, exist_ok=True)
    (root / "notes").mkdir(exist_ok=True)
    (root / ".obsidian").mkdir(exist_ok=True)
    (root / MARKER_FILE).write_text("generated by benchmarks/bench_build.py; safe to delete\n")
    (root / ".obsidian" / "app.json").write_text('{"alwaysUpdateLinks": true}\n')
    (root / ".obsidian" / "workspace.json").write_text('{"main": {"type": "split"}}\n')

    width = max(5, len(str(n_contacts)))
    stems: list[str] = []
    paths: list[Path] = []
    n_bytes = 0
    for i in range(1, n_contacts + 1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        stem = f"{name} {i:0{width}d}"
        data = contact_note(rng, name, i, stems, today).encode("utf-8")
        path = root / "contacts" / f"{stem}.md"
        path.write_bytes(data)
        n_bytes += len(data)
        stems.append(stem)
        paths.append(path)
    for j in range(1, n_notes + 1):
        stem, text = plain_note(rng, j, stems, today)
        data = text.encode("utf-8")
        (root / "notes" / f"{stem}.md").write_bytes(data)
        n_bytes += len(data)
    return Vault(root, paths, n_notes, n_files=n_contacts + n_notes + 3, n_bytes=n_bytes)


def prepare_dir(keep: Path | None) -> Path:
    """Return an empty directory for the vault: a fresh temp dir, or ``keep`` (wiped if ours)."""
    if keep is None:
        return Path(tempfile.mkdtemp(prefix="vaultnet-bench-"))
    keep = keep.resolve()
    if keep.exists() and any(keep.iterdir()):
        if not (keep / MARKER_FILE).exists():
            sys.exit(f"--keep {keep}: directory is not empty and is not a benchmark vault; refusing to wipe")
        shutil.rmtree(keep)
    keep.mkdir(parents=True, exist_ok=True)
    return keep


# --------------------------------------------------------------------------------------------
# Floors
# --------------------------------------------------------------------------------------------


def _entries(root: Path) -> Iterator[os.DirEntry[str]]:
    """Yield every entry below ``root`` that is not a folder (skipping ``.vaultnet/``)."""
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                if not entry.is_dir(follow_symlinks=False):
                    yield entry
                elif entry.name != ".vaultnet":
                    stack.append(entry.path)


def walk_files(root: Path) -> list[str]:
    """Return the paths of all regular files below ``root`` (skipping ``.vaultnet/``)."""
    return [entry.path for entry in _entries(root) if entry.is_file(follow_symlinks=False)]


def split_front_matter(text: str) -> str | None:
    """Return the YAML between the leading ``---`` fences, or ``None`` if there is none."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end == -1:
        return None
    return text[4 : end + 1]


def has_mapping(text: str) -> bool:
    """Whether ``text`` has front matter that CSafeLoader parses to a mapping."""
    fm = split_front_matter(text)
    return fm is not None and isinstance(yaml.load(fm, Loader=yaml.CSafeLoader), dict)


def floor_stat(root: Path) -> int:
    """Floor (a): walk the vault and ``stat`` every file.  Returns the file count."""
    n = 0
    for entry in _entries(root):
        entry.stat(follow_symlinks=False)
        n += 1
    return n


def md_bytes(root: Path) -> Iterator[bytes]:
    """Yield the bytes of every ``.md`` file below ``root`` (skipping ``.vaultnet/``), read one at a time."""
    for path in walk_files(root):
        if path.endswith(".md"):
            with open(path, "rb") as f:
                yield f.read()


def floor_read(root: Path) -> int:
    """Floor (b): walk the vault and read every ``.md`` file as bytes.  Returns total bytes."""
    return sum(len(data) for data in md_bytes(root))


def floor_parse_only(texts: Sequence[str]) -> int:
    """Floor (c1): split + CSafeLoader-parse front matter of pre-read texts.  Returns #mappings."""
    return sum(has_mapping(text) for text in texts)


def floor_read_parse(root: Path) -> int:
    """Floor (c2): walk + read + decode + split + parse every ``.md`` file.  Returns #mappings."""
    return sum(has_mapping(data.decode("utf-8")) for data in md_bytes(root))


def time_median(fn: Callable[[], T], repeat: int) -> tuple[float, list[float], T]:
    """Run ``fn`` ``repeat`` (>= 1) times; return (median seconds, all timings, last return value)."""
    times: list[float] = []
    values: list[T] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        values.append(fn())
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, values[-1]


# --------------------------------------------------------------------------------------------
# vaultnet measurements (fresh child processes)
# --------------------------------------------------------------------------------------------

# Peak memory: ``ru_maxrss`` is the *process* high-water mark, and on Linux a child inherits its
# parent's high-water mark through fork/exec (verified: a child of a 200 MiB parent reports ~200 MiB).
# The benchmark process itself holds the whole vault in memory, so on Linux the child reads VmHWM
# from /proc/self/status instead (high-water mark of the child's own address space, reset at exec)
# and ``ru_maxrss`` is only the fallback (other OSes), reported with a caveat.
CHILD_CODE = f"""
import datetime, json, pathlib, resource, sys, time

def peak_kib():
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]), "VmHWM"
    except OSError:
        pass
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (value // 1024 if sys.platform == "darwin" else value), "ru_maxrss"

vault = pathlib.Path(sys.argv[1])
today = datetime.date.fromisoformat(sys.argv[2])
t0 = time.perf_counter()
from vaultnet.pipeline import build
t1 = time.perf_counter()
rss_imports, source = peak_kib()
t2 = time.perf_counter()
result = build(vault, today)
t3 = time.perf_counter()
rss_peak, source = peak_kib()
print({RESULT_PREFIX!r} + json.dumps({{
    "build_s": t3 - t2, "import_s": t1 - t0, "rss_imports_kib": rss_imports, "rss_peak_kib": rss_peak,
    "rss_source": source, "result_type": type(result).__name__,
}}))
"""


WARMUP_CODE = """
import vaultnet.pipeline
try:
    import vaultnet.cli
except ImportError:
    pass
"""


class ChildError(RuntimeError):
    """A vaultnet child process failed."""


@dataclass
class ChildResult:
    """What one ``build()`` child process reports."""

    build_s: float
    import_s: float
    rss_imports_mib: float
    rss_peak_mib: float
    rss_source: str
    result_type: str


def run_api_child(vault: Path, today: dt.date) -> ChildResult:
    """Run ``build(vault, today)`` in a fresh interpreter; return its timings and peak RSS."""
    proc = subprocess.run(
        # -P: do not put the current directory on sys.path, so the child imports vaultnet exactly
        # like the console script does, whatever directory the benchmark is started from.
        [sys.executable, "-P", "-c", CHILD_CODE, str(vault), today.isoformat()],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        raise ChildError(f"build child exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    data = json.loads(lines[-1][len(RESULT_PREFIX) :])
    return ChildResult(
        build_s=float(data["build_s"]),
        import_s=float(data["import_s"]),
        rss_imports_mib=int(data["rss_imports_kib"]) / 1024,
        rss_peak_mib=int(data["rss_peak_kib"]) / 1024,
        rss_source=str(data["rss_source"]),
        result_type=str(data["result_type"]),
    )


def run_cli(exe: Path, vault: Path, today: dt.date) -> float:
    """Run ``vaultnet build VAULT --today DAY``; return the wall time of the whole process."""
    cmd = [str(exe), "build", str(vault), "--today", today.isoformat()]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise ChildError(f"{shlex.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def make_cold(vault: Path) -> None:
    """Remove the cache and outputs so the next build is cold."""
    shutil.rmtree(vault / ".vaultnet", ignore_errors=True)
    (vault / "Follow-ups.md").unlink(missing_ok=True)


def check_outputs(vault: Path) -> list[str]:
    """Return warnings for expected outputs missing after a build."""
    missing = [p for p in ("Follow-ups.md", ".vaultnet/reminders.ics") if not (vault / p).is_file()]
    return [f"expected output {vault / p} missing after build" for p in missing]


class NoteEditor:
    """Appends a log line to a different contact note on every call and bumps its mtime."""

    def __init__(self, contact_paths: Sequence[Path], seed: int, today: dt.date) -> None:
        """Pick the notes to edit deterministically from ``contact_paths``."""
        rng = random.Random(seed + 1)
        self._order = rng.sample(list(contact_paths), min(len(contact_paths), 1000))
        self._next = 0
        self._today = today

    def edit_next(self) -> Path:
        """Insert a new log line at the top of the next note's ``## Log`` section."""
        path = self._order[self._next % len(self._order)]
        self._next += 1
        old_mtime_ns = path.stat().st_mtime_ns
        text = path.read_text(encoding="utf-8")
        line = f"- {self._today.isoformat()} call: benchmark edit {self._next} #gave\n"
        if "\n## Log\n" in text:
            text = text.replace("\n## Log\n", "\n## Log\n" + line, 1)
        else:
            text = text.rstrip("\n") + "\n\n## Log\n" + line
        path.write_text(text, encoding="utf-8")
        new_ns = max(time.time_ns(), old_mtime_ns + 1_000_000_000)
        os.utime(path, ns=(new_ns, new_ns))
        return path


@dataclass
class Row:
    """One line of the result table."""

    name: str
    runs: list[float] = field(default_factory=list)
    unit: str = "s"
    error: str | None = None
    target: str = "—"
    verdict: str = ""
    missed: bool = False

    @property
    def median(self) -> float | None:
        """Median of the runs, or ``None`` if there are none."""
        return statistics.median(self.runs) if self.runs else None


def measure_series(name: str, fn: Callable[[], float], prepare: Callable[[], object], repeat: int) -> Row:
    """Call ``prepare`` then ``fn`` ``repeat`` times, collecting ``fn``'s timings into a Row."""
    row = Row(name)
    try:
        for _ in range(repeat):
            prepare()
            row.runs.append(fn())
    except ChildError as exc:
        row.error = str(exc)
    return row


def measure_vaultnet(vault: Vault, today: dt.date, repeat: int, seed: int) -> tuple[list[Row], list[str]]:
    """Measure the API and CLI scenarios; return table rows and warnings."""
    rows: list[Row] = []
    warnings: list[str] = []
    root = vault.root
    editor = NoteEditor(vault.contact_paths, seed, today)

    # Unmeasured warm-up: compile .pyc files of vaultnet so the first timed child is not penalised.
    subprocess.run(
        [sys.executable, "-P", "-c", WARMUP_CODE],
        check=False,
        capture_output=True,
    )

    api: dict[str, list[ChildResult]] = {"cold": [], "unchanged": [], "changed": []}

    def api_run(kind: str) -> Callable[[], float]:
        def run() -> float:
            res = run_api_child(root, today)
            api[kind].append(res)
            return res.build_s

        return run

    def noop() -> None:
        return None

    def edit() -> None:
        editor.edit_next()

    cold = measure_series("API `build()` — cold", api_run("cold"), lambda: make_cold(root), repeat)
    warnings += check_outputs(root) if cold.error is None else []
    rows.append(cold)
    rows.append(measure_series("API `build()` — nothing changed", api_run("unchanged"), noop, repeat))
    rows.append(measure_series("API `build()` — one note changed", api_run("changed"), edit, repeat))

    source = api["cold"][0].rss_source if api["cold"] else "VmHWM"
    mem = Row(f"peak RSS of cold-build child ({source})", unit="MiB")
    mem.runs = [r.rss_peak_mib for r in api["cold"]]
    mem.error = cold.error
    if api["cold"]:
        base = statistics.median(r.rss_imports_mib for r in api["cold"])
        mem.verdict = f"info (after imports, before build: {base:.1f} MiB)"
        if source != "VmHWM":
            mem.verdict += "; ru_maxrss may include the benchmark process's own peak"
        imp = statistics.median(r.import_s for r in api["cold"])
        warnings.append(f"info: `import vaultnet.pipeline` in the child took {imp:.3f} s (median, not timed)")
        warnings.append(f"info: build() returned a {api['cold'][0].result_type}")
    rows.append(mem)

    exe = Path(sys.executable).parent / "vaultnet"
    if not exe.exists():
        for label in ("cold", "nothing changed", "one note changed"):
            rows.append(Row(f"CLI `vaultnet build` — {label}", error=f"console script {exe} not found"))
        return rows, warnings

    def cli() -> float:
        return run_cli(exe, root, today)

    cold_cli = measure_series("CLI `vaultnet build` — cold", cli, lambda: make_cold(root), repeat)
    warnings += check_outputs(root) if cold_cli.error is None else []
    rows.append(cold_cli)
    rows.append(measure_series("CLI `vaultnet build` — nothing changed", cli, noop, repeat))
    rows.append(measure_series("CLI `vaultnet build` — one note changed", cli, edit, repeat))
    return rows, warnings


def vaultnet_available() -> str | None:
    """Return ``None`` if ``vaultnet.pipeline.build`` imports, else the reason it does not."""
    try:
        from vaultnet.pipeline import build  # noqa: F401
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def apply_targets(rows: list[Row], floor_c2: float) -> None:
    """Fill in target and verdict columns of the vaultnet rows."""
    for row in rows:
        med = row.median
        if row.unit != "s":
            continue
        if "cold" in row.name:
            if row.name.startswith("API"):
                row.target = f"≤ {COLD_FACTOR:g}× floor (c2) = {COLD_FACTOR * floor_c2:.3f} s"
                if med is not None:
                    row.missed = med > COLD_FACTOR * floor_c2
            else:
                row.target = "— (info; includes interpreter start + imports)"
        elif "nothing changed" in row.name:
            row.target = f"≤ {UNCHANGED_TARGET_S} s"
            if med is not None:
                row.missed = med > UNCHANGED_TARGET_S
        elif "one note changed" in row.name:
            row.target = f"≤ {ONE_CHANGED_TARGET_S} s"
            if med is not None:
                row.missed = med > ONE_CHANGED_TARGET_S
        if med is not None:
            ratio = f"{med / floor_c2:.2f}× (c2)" if floor_c2 > 0 else "n/a"
            ok = "**MISSED**" if row.missed else ("ok" if row.target.startswith("≤") else "info")
            row.verdict = f"{ratio} — {ok}"


def fmt_value(row: Row) -> str:
    """Format a row's median cell."""
    if row.error is not None:
        return "ERROR" if row.error != "unavailable" else "n/a"
    med = row.median
    if med is None:
        return "n/a"
    return f"{med:.1f} MiB" if row.unit == "MiB" else f"{med:.3f}"


def machine_info() -> list[str]:
    """Return lines describing the machine and interpreter."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return [
        f"- machine: {platform.system()} {platform.release()} {platform.machine()}, CPU: {cpu}",
        f"- nproc: {usable} usable (os.cpu_count() = {os.cpu_count()})",
        f"- python: {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        f"- PyYAML {yaml.__version__}, libyaml (CSafeLoader) available: {yaml.__with_libyaml__}",
    ]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse command-line arguments."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--contacts", type=int, default=10_000, help="number of contact notes (default 10000)")
    p.add_argument("--notes", type=int, default=200, help="number of non-contact notes (default 200)")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    p.add_argument("--keep", type=Path, default=None, metavar="DIR", help="generate the vault in DIR and keep it")
    p.add_argument("--seed", type=int, default=42, help="random seed of the generator (default 42)")
    p.add_argument("--today", type=dt.date.fromisoformat, default=DEFAULT_TODAY, help="ISO date passed to build")
    p.add_argument("--strict", action="store_true", help="exit 1 if a target is missed or cannot be measured")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.contacts < 1 or args.notes < 0:
        p.error("--repeat and --contacts must be >= 1, --notes >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the vault, measure floors and vaultnet, print the report; return the exit code."""
    args = parse_args(argv)
    command = shlex.join([sys.executable, *sys.argv])
    root = prepare_dir(args.keep)
    try:
        t0 = time.perf_counter()
        vault = generate_vault(root, args.contacts, args.notes, args.seed, args.today)
        gen_s = time.perf_counter() - t0
        return report(args, vault, gen_s, command)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


def report(args: argparse.Namespace, vault: Vault, gen_s: float, command: str) -> int:
    """Run all measurements on ``vault`` and print the Markdown report; return the exit code."""
    repeat: int = args.repeat
    root = vault.root
    print("# vaultnet build benchmark\n")
    print(f"- command: `{command}`")
    for line in machine_info():
        print(line)
    print(
        f"- vault: {root}{' (kept)' if args.keep else ' (temporary)'} — {len(vault.contact_paths)} contacts, "
        f"{vault.n_notes} plain notes, {vault.n_files} files, {vault.n_bytes / 2**20:.1f} MiB of Markdown; "
        f"generated in {gen_s:.2f} s (not measured), seed {args.seed}, today {args.today}"
    )
    print(
        f"- each vaultnet value is the median of {repeat} run(s), each floor the median of "
        f"{max(repeat, FLOOR_MIN_REPEAT)}; page cache is warm (files were just written)\n"
    )

    # Warm the page cache and pre-read texts for the parse-only floor (not timed).
    texts = [data.decode("utf-8") for data in md_bytes(root)]

    # Floors are cheap and in-process, so they get at least FLOOR_MIN_REPEAT runs to damp noise.
    n = max(repeat, FLOOR_MIN_REPEAT)
    fa, fa_runs, n_files = time_median(lambda: floor_stat(root), n)
    fb, fb_runs, n_bytes = time_median(lambda: floor_read(root), n)
    fc1, fc1_runs, n_fm1 = time_median(lambda: floor_parse_only(texts), n)
    fc2, fc2_runs, n_fm2 = time_median(lambda: floor_read_parse(root), n)
    warnings: list[str] = []
    if n_fm1 != len(vault.contact_paths) or n_fm2 != len(vault.contact_paths):
        warnings.append(f"floor parsed {n_fm1}/{n_fm2} front-matter mappings, expected {len(vault.contact_paths)}")

    floors = [
        Row(f"floor (a) walk + stat all {n_files} files", fa_runs, verdict=f"{fa / fc2:.2f}× (c2)"),
        Row(
            f"floor (b) walk + read all .md ({n_bytes / 2**20:.1f} MiB)",
            fb_runs,
            verdict=f"{fb / fc2:.2f}× (c2)",
        ),
        Row(
            "floor (c1) split + CSafeLoader parse, pre-read texts",
            fc1_runs,
            verdict=f"{fc1 / fc2:.2f}× (c2)",
        ),
        Row(
            "floor (c2) walk + read + decode + split + parse",
            fc2_runs,
            verdict="1.00× — reference for the cold target",
        ),
    ]

    reason = vaultnet_available()
    if reason is None:
        rows, more = measure_vaultnet(vault, args.today, repeat, args.seed)
        warnings += more
        apply_targets(rows, fc2)
    else:
        rows = []
        print(f"> vaultnet.pipeline not available yet ({reason}); only floors are measured.\n")

    print("| measurement | median s | target | ratio to floor / ok? |")
    print("|---|---:|---|---|")
    for row in floors + rows:
        verdict = row.verdict
        if row.error is not None:
            verdict = "**ERROR** (see below)"
        print(f"| {row.name} | {fmt_value(row)} | {row.target} | {verdict} |")

    print("\n<details><summary>all runs</summary>\n")
    for row in floors + rows:
        runs = ", ".join(f"{r:.3f}" for r in row.runs) or "—"
        print(f"- {row.name}: {runs}{' MiB' if row.unit == 'MiB' else ' s'}")
    print("\n</details>\n")

    errors = [(row.name, row.error) for row in rows if row.error is not None]
    for name, error in errors:
        print(f"ERROR in {name}:\n```\n{error.strip()}\n```")
    for w in warnings:
        print(f"- {w}")

    missed = [row.name for row in rows if row.missed]
    if reason is not None:
        print("\nRESULT: vaultnet.pipeline not available yet — targets not checked.")
    elif missed or errors:
        for name in missed:
            print(f"MISSED: {name}")
        print(f"\nRESULT: MISSED {len(missed)} target(s), {len(errors)} error(s).")
    else:
        print("\nRESULT: all targets met.")
    failed = bool(missed or errors or reason is not None)
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
