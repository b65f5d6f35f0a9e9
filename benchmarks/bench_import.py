"""Benchmark `vaultnet import vcard` on address books of 10,000 (and more) cards, against an I/O floor.

Run from the repository root::

    python benchmarks/bench_import.py                     # 10,000 and 30,000 cards
    python benchmarks/bench_import.py --sizes 1000 10000 --repeat 3

What it does, for each size N:

1. Writes two address books, as a phone and a mail service export them (not measured): `phone.vcf` (vCard 3.0
   as Apple writes it: `itemN.` groups, `X-ABLabel`, a year-less birthday as 1604 with `X-APPLE-OMIT-YEAR`,
   folded lines, a NOTE; a few groups) with N * 0.8 cards, and `google.vcf` (vCard 3.0 as Google writes it:
   `CATEGORIES:myContacts`, escaped commas) with N * 0.2 cards, a quarter of them people of the phone's book
   again (the same e-mail, another spelling of it), so that the import matches as it goes. Names repeat (about
   1 in 50 is a namesake with another e-mail). N cards in all.
2. Floor, in this process: read both files and write N notes of 400 bytes each into a fresh folder (the I/O a
   new vault's import cannot avoid), the median of `--repeat` runs.
3. `vaultnet import vcard phone.vcf google.vcf` in a fresh process into a fresh vault (`vaultnet init` first,
   not measured), with compiled bytecode: wall time. Then the same command again (nothing to do: it must
   report `0 new, 0 updated`), wall time. Each the median of `--repeat` runs on fresh vaults.
4. Prints a Markdown table (the one in docs/benchmarks.md) with the targets of issue 12: 10,000 cards under 10 s.

Only the standard library is used; the vaultnet measured is the one in this checkout.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
TARGET_10K_S = 10.0
DAY = "2026-11-30"
FIRST = ["Anna", "Jürgen", "Łukasz", "Zoë", "Priya", "Kenji", "Amara", "Sofia", "Marco", "Hélène", "Ola", "Mia"]
LAST = ["Berg", "Weiß", "Yılmaz", "Ångström", "Raman", "Watanabe", "Nwosu", "Lindqvist", "Bianchi", "Dubois"]


def fold(line: str) -> str:
    """Fold at 75 bytes as Apple does (in the middle of a UTF-8 character, too: the reader must cope)."""
    data = line.encode("utf-8")
    parts = [data[i : i + 75] for i in range(0, len(data), 75)]
    return b"\r\n ".join(parts).decode("utf-8", "surrogateescape")


def apple_card(rng: random.Random, i: int) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {last} {i // 50 if i % 50 else i}"  # about 1 in 50 a namesake of another card
    lines = ["BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.1//EN",
             f"N:{last};{first} {i // 50};;;",
             f"FN:{name}", f"ORG:Company {i % 300};", "TITLE:Engineer", f"UID:{i:08d}-0000-4000-8000-{i:012d}",
             f"item1.EMAIL;type=INTERNET;type=pref:p{i}@example.com", "item1.X-ABLabel:_$!<Home>!$_",
             f"item2.TEL;type=CELL;type=VOICE;type=pref:+49 170 {i:07d}", "item2.X-ABLabel:_$!<Mobile>!$_"]  # fmt: skip
    if i % 3 == 0:
        lines.append(f"BDAY;X-APPLE-OMIT-YEAR=1604:1604-{1 + i % 12:02d}-{1 + i % 28:02d}")
    if i % 7 == 0:
        lines.append(fold("NOTE:Met at the meetup in Köln – talked about data platforms\\, hiring and the café."))
    if i % 11 == 0:
        lines += [f"item3.URL;type=pref:https://www.linkedin.com/in/person-{i}", "item3.X-ABLabel:_$!<HomePage>!$_"]
    lines += [f"REV:2019-01-{1 + i % 28:02d}T10:00:00Z", "END:VCARD"]
    return "\r\n".join(lines) + "\r\n"


def google_card(rng: random.Random, i: int, again: int | None) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"P{again}@Example.com" if again is not None else f"g{i}@gmail.example"
    name = f"{first} {last} g{i}" if again is None else f"{first} {last} {again // 50 if again % 50 else again}"
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{name}", f"N:{last};{first};;;",
             f"EMAIL;TYPE=INTERNET;TYPE=WORK:{email}", f"TEL;TYPE=WORK:+1 555 {i:07d}",
             "CATEGORIES:myContacts,friends\\, work", "END:VCARD"]  # fmt: skip
    return "\r\n".join(lines) + "\r\n"


def group_card(i: int) -> str:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Group {i}\r\nX-ADDRESSBOOKSERVER-KIND:group\r\nEND:VCARD\r\n"


def write_books(folder: Path, size: int, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    phone_count = size * 8 // 10
    groups = max(1, size // 2000)
    phone = [apple_card(rng, i) for i in range(phone_count - groups)] + [group_card(i) for i in range(groups)]
    google = [google_card(rng, i, i * 4 if i % 4 == 0 and i * 4 < phone_count - groups else None)
              for i in range(size - phone_count)]  # fmt: skip
    paths = folder / "phone.vcf", folder / "google.vcf"
    for path, cards in zip(paths, (phone, google), strict=True):
        path.write_bytes("".join(cards).encode("utf-8", "surrogateescape"))
    return paths


def floor(books: tuple[Path, Path], size: int, folder: Path) -> float:
    start = time.perf_counter()
    for book in books:
        book.read_bytes()
    out = folder / "floor"
    out.mkdir()
    note = b"x" * 400
    for i in range(size):
        (out / f"Note {i}.md").write_bytes(note)
    elapsed = time.perf_counter() - start
    shutil.rmtree(out)
    return elapsed


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("VAULTNET_") and k != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPATH"] = str(HERE)
    return out


def vaultnet(*args: str | Path) -> tuple[float, str]:
    command = [sys.executable, "-c", "from vaultnet.cli import main; main()", *map(str, args)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env(), check=False, timeout=3600)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()[-2000:]}")
    return elapsed, done.stdout.decode()


def summary(stdout: str) -> str:
    m = re.search(r"^\d+ cards read: .*$", stdout, re.MULTILINE)
    return m.group() if m else "(no summary line)"


def measure(size: int, repeat: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="vaultnet-import-") as tmp:
        folder = Path(tmp)
        books = write_books(folder, size, seed)
        floors = [floor(books, size, folder) for _ in range(repeat)]
        cold: list[float] = []
        again: list[float] = []
        lines: tuple[str, str] = ("", "")
        for run in range(repeat):
            vault = folder / f"vault{run}"
            vaultnet("init", vault)
            first_time, first_out = vaultnet("import", "vcard", *books, "--vault", vault, "--today", DAY)
            second_time, second_out = vaultnet("import", "vcard", *books, "--vault", vault, "--today", DAY)
            if not re.search(r"\b0 new, 0 updated\b", second_out):
                raise SystemExit(f"the second import changed the vault: {summary(second_out)}")
            cold.append(first_time)
            again.append(second_time)
            lines = (summary(first_out), summary(second_out))
            shutil.rmtree(vault)
    return {"size": size, "floor": statistics.median(floors), "cold": statistics.median(cold),
            "again": statistics.median(again), "first": lines[0], "second": lines[1]}  # fmt: skip


def table(results: list[dict[str, object]]) -> str:
    rows = ["| cards | import into an empty vault | the same import again | floor (read + write N notes) | target |",
            "|---:|---:|---:|---:|---|"]  # fmt: skip
    for r in results:
        cold, size = float(r["cold"]), int(r["size"])  # type: ignore[arg-type]
        verdict = ("ok" if cold < TARGET_10K_S else "**MISSED**") if size == 10_000 else "info"
        target = f"< {TARGET_10K_S:.0f} s: {verdict}" if size == 10_000 else "linear"
        rows.append(f"| {size:,} | {cold:.2f} s ({cold / size * 1000:.2f} ms a card) | {float(r['again']):.2f} s"  # type: ignore[arg-type]
                    f" | {float(r['floor']):.2f} s | {target} |")  # type: ignore[arg-type]  # fmt: skip
    rows.append("")
    rows += [f"- {int(r['size']):,} cards, first run: `{r['first']}`; second: `{r['second']}`" for r in results]  # type: ignore[call-overload]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    compileall.compile_dir(str(HERE / "vaultnet"), quiet=1)  # users' installs have .pyc files
    results = [measure(size, args.repeat, args.seed) for size in args.sizes]
    print(f"`python benchmarks/bench_import.py --sizes {' '.join(map(str, args.sizes))} --repeat {args.repeat}`")
    print()
    print(table(results))


if __name__ == "__main__":
    main()
