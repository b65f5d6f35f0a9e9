"""The vault a random address book (`vcardgen`) is imported into by the fuzzer (tests/test_import_fuzz.py): the
notes a user already had for some of its people, written by hand as users write them.

Block lists (at the key's column too, with comments between items), flow lists over two lines, a list as one
text with commas, quoted keys and values, comments after values, `[fields]` names (`org`, `E-mail`), empty values
(`role:`, `phone: ~`, `urls: null`), keys in other cases, CRLF, LF and lone CR, a BOM, no final newline, a log and
a promise, a `## Notes from import` of an earlier import, one inside a code block, and namesakes in two folders.
"""

from __future__ import annotations

import random

from vcardgen import Who

from vaultnet.changes import safe_filename
from vaultnet.edit import yaml_scalar

MAPPED = '[fields]\ncompany = ["org"]\nemail = ["e-mail"]\nphone = ["phone number"]\n'
BODY = """# {name}

Met at the conference. #friend

## Log
- 2026-10-02 call: talked about her new team #gave

- [ ] send the article 📅 2026-11-20
"""


def _identity(rng: random.Random, who: Who) -> dict[str, str]:
    """What a hand-written note knows of `who`: their uid, LinkedIn (spelled otherwise), an e-mail, or nothing."""
    out: dict[str, str] = {}
    choice = rng.choice(["uid", "linkedin", "email", "name"])
    if choice == "uid" and who.uid:
        out["uid"] = who.uid
    elif choice == "linkedin" and who.linkedin:
        out["linkedin"] = f"linkedin.com/in/{who.linkedin.upper()}/"
    elif choice == "email" and who.emails:
        out["email"] = who.emails[0].upper()
    return out


def _front(rng: random.Random, who: Who, style: str, ids: dict[str, str]) -> list[str]:
    lines = ["type: contact"] if rng.random() < 0.5 else []
    lines.append(f"{rng.choice(['name', 'Name', 'NAME'])}: {yaml_scalar(who.name)}")
    email = ids.get("email")
    if style == "block":
        lines += ["# how we met: a comment", "email:", *([f"  - {email}"] if email else ["  - old@home.example"])]
        lines += ["phone:", '  - "+49 30 1234"', "  # the office", "  - 030 555 # desk", "tags:", "- friends"]
        lines += ["company: Acme # where she works", "aliases:", "  - Jo", "", "interests: [go, chess]"]
    elif style == "flow":
        emails = ", ".join([*([email] if email else []), "second@home.example"])
        lines += [f"Emails: [{emails},", "  third@home.example]", "aliases: Jojo", "role:", "tags: friends, work"]
        lines += ["birthday: 1990-01-02", "phone: ~", "related: []", "urls: null"]
    elif style == "mapped":  # the vault's own names ([fields])
        lines += ["org: Initech", *([f"E-mail: {email}"] if email else []), 'Phone Number: "+49 30 999"']
        lines += ["email:", "circle: close  # keep close"]
    else:  # quoted keys and values, a comment after each
        lines += [f'"email": {yaml_scalar(email or "q@home.example")} # mine', "'company': 'O''Brien & Co' # quoted"]
        lines += ['"tags": ["a, b", c] # flow', "name_parts: {family: X}"]
    lines += [f"{key}: {yaml_scalar(value)}" for key, value in ids.items() if key != "email"]
    return lines


BODIES = [
    BODY,
    BODY + "\n## Notes from import\n\n> from an earlier import\n\n## Later\n\nMore text.\n",
    "# {name}\n\n```\n## Notes from import\n- [ ] not a task: code\n```\n",
    "",
]


def hand_notes(rng: random.Random, who: list[Who]) -> tuple[str, dict[str, bytes]]:
    """(vaultnet.toml, the notes) of a vault that had some of these people before the import."""
    toml = MAPPED if rng.random() < 0.5 else ""
    notes: dict[str, bytes] = {}
    for index, w in enumerate(rng.sample(who, k=rng.randint(0, min(3, len(who))))):
        style = rng.choice(["block", "flow", "quoted", *(["mapped"] if toml else [])])
        lines = ["---", *_front(rng, w, style, _identity(rng, w)), "---"]
        text = "\n".join(lines) + "\n" + rng.choice(BODIES).format(name=w.name)
        if rng.random() < 0.3:
            text = text.rstrip("\n")  # no final newline
        nl = rng.choice(["\r\n", "\n", "\n", "\r"])
        bom = "\ufeff" if rng.random() < 0.1 else ""
        notes[f"contacts/h{index}/{safe_filename(w.family)}.md"] = (bom + text.replace("\n", nl)).encode("utf-8")
    if rng.random() < 0.2 and who:  # namesakes the import cannot tell apart by name alone
        name = rng.choice(who).name
        for folder in ("a", "b"):
            notes[f"contacts/{folder}/Namesake.md"] = f"---\nname: {yaml_scalar(name)}\n---\n".encode()
    return toml, notes
