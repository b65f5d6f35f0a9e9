"""Hostile paths, through the real command line: links out of the vault, special files, names that are not
UTF-8 or too long, unreadable notes and folders, settings files that are not files, and names that try to
drive the terminal (docs/security.md says what vaultnet guarantees).

Every case runs `vaultnet` as a subprocess under a time limit and a memory limit, so that a regression (a FIFO
opened, /dev/zero read whole) fails the test instead of hanging the suite or the machine. Every run is also held
to what must always be true of vaultnet's output, whatever the vault holds: no traceback, valid UTF-8, and no
control character that a terminal would act on (`check_output`). Cases that need file modes to bind run the
command as a user they bind (see `unprivileged`).
"""

from __future__ import annotations

import json
import os
import re
import resource
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from unprivileged import drop_file_rights, unprivileged_preexec
from vaultkit import DAY, PROBLEM, SMALL_VAULT, checkout_env, put, write_vault

from vaultnet.render.markdown import written_by_vaultnet

pytestmark = pytest.mark.hostile

TIME_LIMIT = 20  # seconds for one command; each takes well under one
MEMORY_LIMIT = 1 << 30  # bytes of address space: reading /dev/zero whole would hit it, not the machine
CLI = [sys.executable, "-c", "from vaultnet.cli import main; main()"]
CJK_NAME = "漢字" * 50  # 100 characters, 300 bytes of UTF-8: more than a file name may hold
BAD_NAME = b"Bad\xffName.md"  # not UTF-8
# Characters no output may hold: C0 controls but tab and line ends, DEL, C1 controls (CSI is 0x9b).
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def vaultnet(*args: str | Path, unprivileged: bool = False) -> Run:
    """Run the real CLI (this checkout's) with `args`, within the limits; its output held to `check_output`."""
    preexec: Callable[[], None] = _limits
    if unprivileged:
        unprivileged_preexec()  # skips the test where file modes cannot bind a child

        def preexec() -> None:
            _limits()
            drop_file_rights()

    done = subprocess.run(
        [*CLI, *(os.fsdecode(a) for a in args)],
        capture_output=True,
        timeout=TIME_LIMIT,
        env=checkout_env(VAULTNET_TODAY=DAY),
        preexec_fn=preexec,
    )
    run = Run(done.returncode, check_output(done.stdout), check_output(done.stderr))
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err
    return run


def check_output(data: bytes) -> str:
    """`data` as text, asserting what holds of everything vaultnet prints."""
    text = data.decode("utf-8")  # strict: a name that is not UTF-8 is printed escaped, never as its bytes
    assert not TERMINAL_CONTROLS.search(text), f"a control character reached the terminal: {text!r}"
    return text


def problems(run: Run) -> list[tuple[str, int, str]]:
    """The `path:line: message` lines vaultnet printed on stderr."""
    return [(m["path"], int(m["line"]), m["message"]) for m in map(PROBLEM.match, run.err.splitlines()) if m]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """The small vault (Anna, Ben, Carla) at tmp_path/vault, with an empty folder `victim` beside it."""
    (tmp_path / "victim").mkdir()
    return write_vault(tmp_path / "vault", SMALL_VAULT)


def victim(vault: Path) -> Path:
    """The folder beside the vault that a link in the vault points into: nothing may appear or change there."""
    return vault.parent / "victim"


# -- links: nothing is written (or read) outside the vault through one ------------------------------------------

# A follow-up note as vaultnet writes it: the guard against overwriting notes alone would let it be replaced.
OURS = b"# Follow-ups for Saturday 2026-11-14\n\n> Written by vaultnet from the notes in this vault\n"


@pytest.mark.parametrize("target", [None, b"", OURS], ids=["dangling", "empty", "vaultnets-own"])
def test_build_never_writes_through_a_symlinked_output(vault: Path, target: bytes | None) -> None:
    assert written_by_vaultnet(OURS)
    bashrc = victim(vault) / "bashrc"
    if target is not None:
        bashrc.write_bytes(target)
    (vault / "Follow-ups.md").symlink_to("../victim/bashrc")
    run = vaultnet("build", vault)
    assert run.code == 2
    assert f"{vault / 'Follow-ups.md'} is a symbolic link" in run.err
    assert (bashrc.read_bytes() if bashrc.exists() else None) == target
    assert sorted(p.name for p in victim(vault).iterdir()) == ([] if target is None else ["bashrc"])


def test_build_never_writes_under_a_symlinked_folder(vault: Path) -> None:
    put(vault, "vaultnet.toml", '[outputs]\nfollowups = "out/notes.md"\n')
    (vault / "out").symlink_to("../victim", target_is_directory=True)
    run = vaultnet("build", vault)
    assert run.code == 2
    assert f"{vault / 'out' / 'notes.md'} lies in {vault / 'out'}, which is a symbolic link" in run.err
    assert list(victim(vault).iterdir()) == []


def test_a_fifo_at_an_outputs_path_is_refused_not_opened(vault: Path) -> None:
    os.mkfifo(vault / "Follow-ups.md")
    run = vaultnet("build", vault)
    assert run.code == 2 and f"{vault / 'Follow-ups.md'} is a FIFO (named pipe), not a regular file" in run.err


def test_export_never_writes_through_a_link(vault: Path) -> None:
    (vault.parent / "out.vcf").symlink_to("victim/contacts.vcf")
    run = vaultnet("export", "vcard", "-C", vault, "--out", vault.parent / "out.vcf")
    assert run.code == 2 and "out.vcf is a symbolic link" in run.err
    assert list(victim(vault).iterdir()) == []


def test_a_symlinked_cache_folder_is_never_written_through(vault: Path) -> None:
    """.vaultnet -> ../victim: the calendar is refused, the cache stays in memory, the token is refused."""
    (vault / ".vaultnet").symlink_to("../victim", target_is_directory=True)
    build = vaultnet("build", vault)
    assert build.code == 2 and "reminders.ics lies in" in build.err and "which is a symbolic link" in build.err
    for command in ("check", "due", "today"):
        assert vaultnet(command, vault).code in (0, 1)
    serve = vaultnet("serve", vault, "--port", "0")  # the token would be written there: refused before serving
    assert serve.code == 2 and ".vaultnet is a symbolic link" in serve.err
    assert list(victim(vault).iterdir()) == []


def test_symlinked_files_in_the_cache_folder_are_never_written_through(vault: Path) -> None:
    cache = vault / ".vaultnet"
    cache.mkdir()
    for name in ("cache.sqlite", "cache.sqlite-journal", "snapshot", "journal", "token", ".gitignore"):
        (cache / name).symlink_to(f"../../victim/{name}")
    put(vault, "vaultnet.toml", "[outputs]\ncalendar = false\n")
    assert vaultnet("build", vault).code == 0
    assert vaultnet("check", vault).code == 0
    serve = vaultnet("serve", vault, "--port", "0")
    assert serve.code == 2 and "token is a symbolic link" in serve.err
    assert list(victim(vault).iterdir()) == []


def test_a_note_is_read_through_a_link_only_when_it_stays_in_the_vault(vault: Path) -> None:
    put(victim(vault), "Spy.md", "---\nname: Outside Olga\nfollow_up: 2026-11-01\n---\n")
    put(vault, "people/Dana.md", "---\nname: Dana Inside\nfollow_up: 2026-11-01\n---\n")
    (vault / "contacts" / "Olga.md").symlink_to("../../victim/Spy.md")
    (vault / "contacts" / "Dana.md").symlink_to("../people/Dana.md")
    (vault / "contacts" / "Zero.md").symlink_to("/dev/zero")
    due = vaultnet("due", vault, "--json")
    assert due.code == 0
    names = {item["name"] for item in json.loads(due.out)}
    assert "Dana Inside" in names and "Outside Olga" not in names
    check = vaultnet("check", vault)
    assert ("contacts/Olga.md", 1, "warning: this note is a link to a file outside the vault: vaultnet does not "
            "read it") in [(p.removeprefix(f"{vault}/"), n, m) for p, n, m in problems(check)]  # fmt: skip
    assert "contacts/Zero.md:1: warning:" in check.err


def test_writing_commands_never_write_through_a_symlinked_note_or_folder(vault: Path) -> None:
    real = put(vault, "people/Dana.md", "---\nname: Dana\n---\n")
    (vault / "contacts" / "Dana.md").symlink_to("../people/Dana.md")
    for command in (["log", "dana", "lunch"], ["snooze", "dana", "2w"], ["archive", "dana"]):
        run = vaultnet(*command, "-C", vault)
        assert run.code == 2 and "contacts/Dana.md is a symbolic link" in run.err
    assert real.read_text() == "---\nname: Dana\n---\n"
    put(vault, "vaultnet.toml", 'contacts_folder = "linked"\n')
    (vault / "linked").symlink_to("../victim", target_is_directory=True)
    new = vaultnet("new", "Eve", "-C", vault)
    assert new.code == 2 and "which is a symbolic link" in new.err
    assert list(victim(vault).iterdir()) == []


def test_a_settings_file_linked_out_of_the_vault_is_not_read(vault: Path) -> None:
    put(victim(vault), "settings.toml", 'contacts_folder = "elsewhere"\n')
    (vault / "vaultnet.toml").symlink_to("../victim/settings.toml")
    check = vaultnet("check", vault)
    assert check.code == 1
    assert f"{vault}/vaultnet.toml:1: this file is a link to a file outside the vault: vaultnet uses its default " \
        "settings" in check.err  # fmt: skip


# -- special files are never opened ------------------------------------------------------------------------------


def make_device(path: Path) -> bool:
    """A character device at `path` (the kind of /dev/zero), where this user may make one (root, mostly)."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except (PermissionError, AttributeError):
        return False
    return True


def test_special_files_named_like_notes_are_skipped_with_a_warning(vault: Path) -> None:
    os.mkfifo(vault / "contacts" / "Pipe.md")
    (vault / "contacts" / "Linked pipe.md").symlink_to("Pipe.md")  # a link inside the vault: to a FIFO still
    device = make_device(vault / "contacts" / "Device.md")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(vault / "contacts" / "Socket.md"))
    try:
        for command in ("check", "due", "build"):
            run = vaultnet(command, vault)
            assert run.code in (0, 1), run.err
        check = vaultnet("check", vault)
    finally:
        server.close()
    found = {p.removeprefix(f"{vault}/"): m for p, _, m in problems(check)}
    assert found["contacts/Pipe.md"] == "warning: this is a FIFO (named pipe), not a note: vaultnet does not open it"
    assert found["contacts/Linked pipe.md"] == found["contacts/Pipe.md"]
    assert found["contacts/Socket.md"] == "warning: this is a socket, not a note: vaultnet does not open it"
    if device:
        assert found["contacts/Device.md"] == "warning: this is a device, not a note: vaultnet does not open it"
    assert check.code == 0  # warnings only: what is no note is no error


def special_settings(path: Path, kind: str) -> None:
    """Make `path` a folder, a FIFO, a link to /dev/zero, or a 2 MB file."""
    if kind == "folder":
        path.mkdir(parents=True)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    else:
        path.write_bytes(b"# a comment\n" * 200_000)


@pytest.mark.parametrize("kind", ["folder", "fifo", "zero", "huge"])
def test_a_settings_file_that_is_not_a_small_regular_file_is_a_problem_and_the_defaults_apply(
    vault: Path, kind: str
) -> None:
    special_settings(vault / "vaultnet.toml", kind)
    (vault / ".obsidian").mkdir()
    special_settings(vault / ".obsidian" / "app.json", kind)
    check = vaultnet("check", vault)
    assert check.code == 1  # an unusable vaultnet.toml is an error, as invalid TOML is
    found = {p.removeprefix(f"{vault}/"): m for p, _, m in problems(check)}
    why = {"folder": "is a folder", "fifo": "is a FIFO", "zero": "outside the vault", "huge": "larger than 1 MB"}
    assert found["vaultnet.toml"].startswith("this file ") and why[kind] in found["vaultnet.toml"]
    assert found["vaultnet.toml"].endswith(": vaultnet uses its default settings")
    assert found[".obsidian/app.json"].startswith("warning: this file ") and why[kind] in found[".obsidian/app.json"]
    due = vaultnet("due", vault, "--json")  # the defaults: the small vault's usual list
    assert due.code == 0 and {i["name"] for i in json.loads(due.out)} == {"Anna", "Ben Okafor", "Carla Diaz"}


# -- every input error is a problem, never a traceback -----------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_reported_escaped_and_skipped_by_every_command(vault: Path) -> None:
    (vault / "contacts" / os.fsdecode(BAD_NAME)).write_text("---\nname: Bad\nfollow_up: 2026-11-01\n---\n")
    expected = f"{vault}/contacts/Bad\\xffName.md:1: the file name is not valid UTF-8: vaultnet skips this note"
    for args in (["check", vault], ["build", vault], ["due", vault], ["today", vault], ["stats", vault],
                 ["who", vault, "--company", "Acme"], ["export", "vcard", "-C", vault]):  # fmt: skip
        run = vaultnet(*args)
        assert run.code == (1 if args[0] == "check" else 0), (args, run.err)
        assert expected in run.err, (args, run.err)
    for args in (["log", "anna", "lunch", "-C", vault], ["new", "Paula", "-C", vault]):
        assert vaultnet(*args).code == 0
    hook = vaultnet("check-files", "-C", vault, vault / "contacts" / os.fsdecode(BAD_NAME))  # pre-commit's check
    assert hook.code == 1 and expected in hook.err
    assert "contacts/Bad\\xffName.md" in (vault / "Follow-ups.md").read_text(encoding="utf-8")


def test_an_unreadable_note_is_a_problem_of_its_own_and_the_rest_goes_on(vault: Path) -> None:
    (vault / "contacts" / "Anna.md").chmod(0o000)
    check = vaultnet("check", vault, unprivileged=True)
    assert check.code == 1
    [(path, _, message)] = [p for p in problems(check) if "Anna" in p[0]]
    assert path == f"{vault}/contacts/Anna.md" and "cannot be read (permission denied)" in message
    due = vaultnet("due", vault, "--json", unprivileged=True)
    assert due.code == 0
    assert {i["name"] for i in json.loads(due.out)} == {"Ben Okafor", "Carla Diaz"}
    (vault / "contacts" / "Anna.md").chmod(0o644)  # readable again, with the same fingerprint: read again
    again = vaultnet("due", vault, "--json", unprivileged=True)
    assert "Anna" in {i["name"] for i in json.loads(again.out)}


def test_an_unreadable_folder_is_a_problem_not_silence(vault: Path) -> None:
    (vault / "contacts" / "work").chmod(0o000)
    try:
        check = vaultnet("check", vault, unprivileged=True)
        build = vaultnet("build", vault, unprivileged=True)
    finally:
        (vault / "contacts" / "work").chmod(0o755)
    assert check.code == 1 and build.code == 0
    assert f"{vault}/contacts/work:1: cannot read this folder (permission denied): the notes in it are skipped" \
        in check.err  # fmt: skip
    assert "Ben Okafor" not in (vault / "Follow-ups.md").read_text(encoding="utf-8")


# -- names are safe ----------------------------------------------------------------------------------------------


def test_a_name_too_long_for_a_file_name_is_cut_and_kept_whole_in_the_note(vault: Path) -> None:
    new = vaultnet("new", CJK_NAME, "-C", vault)
    assert new.code == 0, new.err
    [made] = [p for p in (vault / "contacts").iterdir() if p.name.startswith("漢")]
    assert len(made.name.encode()) <= 255 and made.name.endswith(".md")
    assert yaml.safe_load(made.read_text(encoding="utf-8").split("---")[1])["name"] == CJK_NAME
    again = vaultnet("new", CJK_NAME, "-C", vault)
    assert again.code == 2 and "exists already" in again.err
    assert vaultnet("log", CJK_NAME, "called", "-C", vault).code == 0


def test_a_vcard_import_of_long_names_writes_every_note_and_is_safe_to_repeat(vault: Path, tmp_path: Path) -> None:
    cards = "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{i:02d}{CJK_NAME}\r\nEND:VCARD\r\n" for i in range(30))
    put(tmp_path, "long.vcf", cards)
    first = vaultnet("import", "vcard", tmp_path / "long.vcf", "-C", vault)
    assert first.code == 0, first.err
    assert "30 cards read: 30 new" in first.out
    assert len([p for p in (vault / "contacts").iterdir() if "漢" in p.name]) == 30
    again = vaultnet("import", "vcard", tmp_path / "long.vcf", "-C", vault)
    assert again.code == 0 and "0 new, 0 updated, 30 unchanged" in again.out


FORGED = "Eve\nforged.md:9: this line was never written by vaultnet"
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m\u202etxt.exe"


def test_a_newline_in_a_file_name_cannot_forge_a_problem_line(vault: Path) -> None:
    put(vault, f"contacts/{FORGED}.md", "---\nbirthday: 1990-02-30\n---\n")  # an error, printed with its path
    check = vaultnet("check", vault)
    assert check.code == 1
    assert all(line.startswith(f"{vault}/") or not PROBLEM.match(line) for line in check.err.splitlines())
    assert "contacts/Eve\\nforged.md:9: this line was never written by vaultnet.md:2: birthday:" in check.err


def test_escape_sequences_in_names_never_reach_the_terminal(vault: Path) -> None:
    put(vault, f"contacts/{ESCAPES}.md", "---\nbirthday: 1990-02-30\n---\n")  # a problem, with this path
    # YAML's own escapes: a note may hold no raw control character in its front matter
    put(vault, "contacts/Mallory.md", '---\nname: "Mal\\e[2J\\x9b31m\\u202etxt\\nlory"\nfollow_up: 2026-11-01\n---\n')
    due = vaultnet("due", vault, "--json")
    assert "Mal\x1b[2J\x9b31m\u202etxt\nlory" in {i["name"] for i in json.loads(due.out)}  # kept, escaped
    commands = (["check", vault], ["due", vault], ["today", vault], ["build", vault],
                ["who", vault, "--company", "x"], ["log", "mal", "hi", "-C", vault])  # fmt: skip
    runs = [vaultnet(*args) for args in commands]
    assert all(r.code in (0, 1) for r in runs), [r.err for r in runs]
    assert "\\x1b[2J" in runs[0].err and "\\u202e" in runs[0].err  # shown escaped
    assert "Mal\\x1b[2J\\u009b31m\\u202etxt\\nlory" in runs[1].out  # one row of the table
