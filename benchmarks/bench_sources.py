"""Benchmark the calendars and mail of `[sources]` (issue 13): 50,000 messages and 5,000 events.

Run from the repository root::

    python benchmarks/bench_sources.py                        # 50,000 mails, 5,000 events, 2,000 contacts
    python benchmarks/bench_sources.py --mails 5000 --events 500 --repeat 3

It writes (not measured) a vault of `--contacts` contacts with e-mail addresses, a Maildir (`Sent`, as mbsync
keeps one: files in `cur/` and `new/`) of `--mails` messages, half sent by you to contacts, half from contacts to
you (a third of those answered), and a vdir (as vdirsyncer keeps one: one .ics file an event) of `--events`
events with contacts as attendees, a tenth of them weekly series. Then, each in a fresh process with compiled
bytecode, the median of `--repeat`:

1. **cold read**: every source read and matched to the contacts (`Sources.match`), the vault's notes not counted;
2. `vaultnet build` with nothing changed, on the vault with `[sources]` and on the same vault without: the
   difference is what the sources add to a warm build (their fingerprint: a look at their folders);
3. `vaultnet build` after one new mail (info: the new mail is read, every other file's kept result reused after a
   look at its size and time).

Prints the Markdown table of docs/benchmarks.md. Targets: cold read under 10 s; a warm build adds under 0.1 s.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
DAY = "2026-11-30"
COLD_TARGET_S = 10.0
WARM_TARGET_S = 0.1
CHILD = """
import sys, time
from datetime import date
from pathlib import Path
from vaultnet.capture import People
from vaultnet.pipeline import Session
root = Path(sys.argv[1])
(root / ".vaultnet" / "sources.json").unlink(missing_ok=True)  # cold: nothing kept from an earlier read
session = Session(root, persist=False)
contacts = session.snapshot().network.contacts
start = time.perf_counter()
found = session.sources.match(People(contacts), date.fromisoformat(sys.argv[2]))
print(time.perf_counter() - start, sum(len(v) for v in found.values()))
"""


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("VAULTNET_") and k != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPATH"] = str(HERE)
    return out


def write_vault(root: Path, contacts: int) -> list[str]:
    (root / "contacts").mkdir(parents=True)
    emails = []
    for i in range(contacts):
        email = f"person{i}@example{i % 40}.com"
        emails.append(email)
        (root / "contacts" / f"Person {i}.md").write_text(
            f"---\nname: Person {i}\nemail: {email}\ncircle: {('close', 'active', 'loose')[i % 3]}\n---\n"
            f"## Log\n\n- 2026-0{1 + i % 9}-1{i % 10} call: catching up\n",
            encoding="utf-8",
        )
    return emails


def write_maildir(folder: Path, emails: list[str], count: int, rng: random.Random) -> None:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True)
    start = date(2025, 1, 1)
    for i in range(count):
        day = start + timedelta(days=rng.randrange(690))
        other = rng.choice(emails)
        stamp = f"{day:%a, %d %b %Y} 10:{i % 60:02d}:00 +0100"
        if i % 2 == 0:
            head = f"From: Me <me@example.com>\nTo: Someone <{other}>\nDate: {stamp}\nMessage-ID: <s{i}@example.com>\n"
            if i % 6 == 0:
                head += f"In-Reply-To: <r{i - 1}@example.org>\n"
        else:
            head = f"From: Someone <{other}>\nTo: me@example.com\nDate: {stamp}\nMessage-ID: <r{i}@example.org>\n"
        body = head + "Subject: hello\nMIME-Version: 1.0\nContent-Type: text/plain\n\n" + "Some words.\n" * 20
        sub = "new" if i % 50 == 0 else "cur"
        (folder / sub / f"{1700000000 + i}.{i}_1.laptop,U={i}:2,S").write_text(body, encoding="utf-8")


def write_vdir(folder: Path, emails: list[str], count: int, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    for i in range(count):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
        people = "".join(f"ATTENDEE;CN=P;PARTSTAT=ACCEPTED:mailto:{rng.choice(emails)}\r\n" for _ in range(3))
        rule = "RRULE:FREQ=WEEKLY;COUNT=20\r\n" if i % 10 == 0 else ""
        text = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//vdirsyncer//bench//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:event-{i}@bench\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:{day:%Y%m%d}T090000Z\r\n"
            f"DTEND:{day:%Y%m%d}T100000Z\r\nSUMMARY:Meeting {i}\r\n{rule}"
            f"ORGANIZER:mailto:me@example.com\r\n{people}END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        (folder / f"event-{i}.ics").write_text(text, encoding="utf-8")


def vaultnet(*args: str | Path) -> float:
    command = [sys.executable, "-c", "from vaultnet.cli import main; main()", *map(str, args)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env(), check=False, timeout=3600)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{done.stderr.decode()[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mails", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--contacts", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    compileall.compile_dir(str(HERE / "vaultnet"), quiet=1)  # users' installs have .pyc files
    rng = random.Random(42)
    with tempfile.TemporaryDirectory(prefix="vaultnet-sources-") as tmp:
        base = Path(tmp)
        emails = write_vault(base / "plain", args.contacts)
        write_maildir(base / "Mail" / "Sent", emails, args.mails, rng)
        write_vdir(base / "calendars" / "work", emails, args.events, rng)
        shutil.copytree(base / "plain", base / "sourced")
        sources = f'[sources]\nme = ["me@example.com"]\nmail = ["{base / "Mail" / "Sent"}"]\n'
        (base / "sourced" / "vaultnet.toml").write_text(sources + f'calendars = ["{base / "calendars"}"]\n')
        colds, interactions = [], 0
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-c", CHILD, str(base / "sourced"), DAY], capture_output=True,
                                 env=env(), check=True, text=True).stdout.split()  # fmt: skip
            colds.append(float(out[0]))
            interactions = int(out[1])
        warm: dict[str, float] = {}
        for name in ("plain", "sourced"):
            vaultnet("build", base / name, "--today", DAY)
            warm[name] = statistics.median(vaultnet("build", base / name, "--today", DAY) for _ in range(args.repeat))
        new_mail = base / "Mail" / "Sent" / "new" / "1799999999.x_1.laptop"
        new_mail.write_text(f"From: me@example.com\nTo: {emails[0]}\nDate: Sun, 29 Nov 2026 10:00:00 +0100\n\nhi\n")
        after_mail = vaultnet("build", base / "sourced", "--today", DAY)
    cold, added = statistics.median(colds), warm["sourced"] - warm["plain"]
    print(f"`python benchmarks/bench_sources.py --mails {args.mails} --events {args.events} "
          f"--contacts {args.contacts} --repeat {args.repeat}`\n")  # fmt: skip
    print("| measurement | value | target |\n|---|---:|---|")
    print(
        f"| cold read: {args.mails:,} mails + {args.events:,} events read and matched ({interactions:,} "
        f"interactions) | {cold:.2f} s | < {COLD_TARGET_S:.0f} s: {'ok' if cold < COLD_TARGET_S else '**MISSED**'} |"
    )
    print(f"| `vaultnet build`, nothing changed, vault alone ({args.contacts:,} contacts) | {warm['plain']:.3f} s | |")
    print(f"| `vaultnet build`, nothing changed, with the sources | {warm['sourced']:.3f} s | |")
    print(
        f"| what the sources add to a warm build | {added:+.3f} s | < {WARM_TARGET_S} s: "
        f"{'ok' if added < WARM_TARGET_S else '**MISSED**'} |"
    )
    print(f"| `vaultnet build` after one new mail (info) | {after_mail:.2f} s | |")


if __name__ == "__main__":
    main()
