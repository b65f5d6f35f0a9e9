"""Reading notes on two cores (`vaultnet.parallel`): the same results in the same order as one process, a
failed or stuck child's half read by the parent, nothing lost, nothing waiting forever."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from vaultkit import DAY, OLD_NS, TODAY, checkout_env, copy_sample, put_old, vault_files

from vaultnet import cli_base, parallel, pipeline
from vaultnet import index as index_module
from vaultnet.config import Settings
from vaultnet.index import Index, Refresh
from vaultnet.pipeline import Session

# Where this test run cannot fork (one CPU, no fork), the tests that count forks are skipped; the others hold
# with or without a child.
needs_fork = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork and two CPUs")

PARENT = os.getpid()


def square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def in_child_only(action: Callable[[], object]) -> Callable[[int], tuple[int, int]]:
    """`square_and_pid`, except that in a forked child it does `action` (which may not return)."""

    def read(n: int) -> tuple[int, int]:
        if os.getpid() != PARENT:
            action()
        return square_and_pid(n)

    return read


def no_child_left() -> bool:
    """No child process of this one is left to reap (a zombie would be one)."""
    try:
        os.waitpid(-1, os.WNOHANG)  # (0, 0): one still runs; (pid, status): one was left unreaped
    except ChildProcessError:
        return True
    return False


# -- read_all ---------------------------------------------------------------------------------------------------


@needs_fork
def test_two_processes_give_what_one_gives_in_the_same_order() -> None:
    for n in (2, 3, 10, 501):  # even, odd, and more than a progress report's worth
        results = parallel.read_all(list(range(n)), square_and_pid, parallel_min=2)
        assert [value for value, _ in results] == [i * i for i in range(n)]
        pids = [pid for _, pid in results]
        assert pids[0::2] == [PARENT] * len(pids[0::2])  # every other item read here...
        assert PARENT not in pids[1::2]  # ...the rest by one child
        assert len(set(pids[1::2])) == 1
    assert no_child_left()


def test_below_the_threshold_one_process_reads_everything() -> None:
    results = parallel.read_all(list(range(50)), square_and_pid, parallel_min=51)
    assert results == [(i * i, PARENT) for i in range(50)]
    assert parallel.read_all([], square_and_pid, parallel_min=0) == []
    assert parallel.read_all([7], square_and_pid, parallel_min=0) == [(49, PARENT)]


def test_a_process_with_another_thread_does_not_fork() -> None:
    """A forked child would have only the calling thread, and could wait forever on a lock another held."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.can_fork()
        results = parallel.read_all(list(range(20)), square_and_pid, parallel_min=2)
    finally:
        stop.set()
        thread.join()
    assert results == [(i * i, PARENT) for i in range(20)]


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(lambda: os._exit(3), id="exits"),
        pytest.param(lambda: os.kill(os.getpid(), 9), id="killed"),
        pytest.param(lambda: int("boom"), id="raises"),
        pytest.param(lambda: None, id="ok"),
    ],
)
def test_whatever_becomes_of_the_child_every_item_is_read(action: Callable[[], object]) -> None:
    results = parallel.read_all(list(range(40)), in_child_only(action), parallel_min=2)
    assert [value for value, _ in results] == [i * i for i in range(40)]
    assert no_child_left()


def test_what_the_child_cannot_send_is_read_by_the_parent() -> None:
    """A result that does not pickle (here, a lambda in the child) is no loss: the parent reads that half."""

    def read(n: int) -> object:
        return (lambda: n) if os.getpid() != PARENT else n

    assert parallel.read_all(list(range(30)), read, parallel_min=2) == list(range(30))
    assert no_child_left()


def test_a_child_reaped_by_no_one_here_is_not_trusted() -> None:
    """Where SIGCHLD is ignored, the kernel reaps the child: with no exit status, its half is read here."""
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        results = parallel.read_all(list(range(10)), square_and_pid, parallel_min=2)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert results == [(i * i, PARENT) for i in range(10)]


def test_a_stuck_child_is_killed_and_its_half_read_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "STALL_SECONDS", 0.5)
    started = time.monotonic()
    results = parallel.read_all(list(range(10)), in_child_only(lambda: time.sleep(3600)), parallel_min=2)
    assert time.monotonic() - started < 10
    assert results == [(i * i, PARENT) for i in range(10)]
    assert no_child_left()


@pytest.mark.parametrize("bad", [0, 1], ids=["in the parent's half", "in the child's half"])
def test_an_error_reading_an_item_is_raised_as_one_process_raises_it(bad: int) -> None:
    def read(n: int) -> int:
        if n == bad:
            raise ValueError(f"cannot read {n}")
        return n

    with pytest.raises(ValueError, match=f"cannot read {bad}"):
        parallel.read_all(list(range(20)), read, parallel_min=2)
    assert no_child_left()


def test_progress_counts_both_processes_up_to_the_total() -> None:
    seen: list[tuple[int, int]] = []
    parallel.read_all(list(range(1000)), square_and_pid, lambda done, total: seen.append((done, total)), parallel_min=2)
    assert seen[-1] == (1000, 1000)
    assert {total for _, total in seen} == {1000}
    assert all(0 < done <= 1000 for done, _ in seen)
    assert len(seen) >= 5  # reported along the way, not only at the end


def test_progress_in_one_process_too() -> None:
    seen: list[tuple[int, int]] = []
    parallel.read_all(list(range(250)), square_and_pid, lambda done, total: seen.append((done, total)))
    assert seen == [(100, 250), (200, 250), (250, 250)]


# -- the index: a vault of a few thousand notes -------------------------------------------------------------------

COUNT = 2400  # above parallel.PARALLEL_MIN: a cold refresh of this vault forks


def big_vault(root: Path) -> Path:
    """`COUNT` small notes of every sort the index reads: contacts (with logs, links, an error now and then),
    plain notes, a note that is not UTF-8."""
    for i in range(COUNT):
        if i % 10 == 9:
            put_old(root, f"notes/idea {i:05}.md", f"An idea about [[Person {i - 1:05}]].\n")
            continue
        cadence = "soon" if i % 97 == 0 else f"{i % 12 + 1}w"  # "soon": an error in the note
        log = f"## Log\n- 2026-0{i % 9 + 1}-1{i % 10} met at the fair #gave\n"
        front = f"---\nname: Person {i:05}\ncadence: {cadence}\ntags: [t{i % 7}]\n---\n"
        body = front + f"Intro by [[Person {i // 2:05}]].\n"
        put_old(root, f"contacts/Person {i:05}.md", body + log)
    put_old(root, "contacts/Latin-1.md", "---\nname: Zoë\n---\n".encode("latin-1"))
    return root


def refresh(root: Path, monkeypatch: pytest.MonkeyPatch, minimum: int) -> Refresh:
    with monkeypatch.context() as patch:
        patch.setattr(parallel, "PARALLEL_MIN", minimum)
        return Index(root, Settings(), persist=False).refresh()


def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids `os.fork` returns in this process from now on (until the test ends)."""
    made: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return made


def same(a: Refresh, b: Refresh) -> None:
    assert list(a.notes.items()) == list(b.notes.items())  # the same notes, in the same order
    assert (a.parsed, a.unread, a.removed, a.racy) == (b.parsed, b.unread, b.removed, b.racy)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_vault(tmp_path_factory.mktemp("big") / "vault")


@needs_fork
def test_a_cold_refresh_on_two_cores_equals_one_on_one(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = forks(monkeypatch)
    one = refresh(big, monkeypatch, minimum=COUNT * 10)
    assert made == []
    two = refresh(big, monkeypatch, minimum=parallel.PARALLEL_MIN)
    assert len(made) == 1
    assert len(two.notes) == COUNT + 1
    assert any(p.severity == "error" for p in two.problems)
    same(one, two)
    assert no_child_left()


@needs_fork
def test_a_child_that_dies_loses_no_note(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = refresh(big, monkeypatch, minimum=COUNT * 10)
    parse = index_module.parse_note

    def dies_in_the_child(*args: object, **kwargs: object) -> object:
        if os.getpid() != PARENT:
            os._exit(1)
        return parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module, "parse_note", dies_in_the_child)
    made = forks(monkeypatch)
    same(refresh(big, monkeypatch, minimum=2), one)
    assert len(made) == 1
    assert no_child_left()


@needs_fork
def test_a_build_on_two_cores_writes_the_same_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample vault (every sort of note, the golden outputs) built with two processes forced."""
    one, two = copy_sample(tmp_path / "one"), copy_sample(tmp_path / "two")
    pipeline.build(one, TODAY)
    made = forks(monkeypatch)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    pipeline.build(two, TODAY)
    assert len(made) == 1
    assert vault_files(one) == vault_files(two)


@needs_fork
def test_only_changed_notes_are_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm refresh (a new command's, from the snapshot) hands `read_all` only what changed."""
    root = tmp_path / "vault"
    for i in range(10):
        put_old(root, f"contacts/P{i}.md", f"---\nname: P{i}\n---\n")
    Session(root).refresh()
    for i in (3, 7):
        put_old(root, f"contacts/P{i}.md", f"---\nname: Q{i}\n---\n", mtime_ns=OLD_NS + 10**9)
    made = forks(monkeypatch)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    result = Session(root).refresh()
    assert result.parsed == ["contacts/P3.md", "contacts/P7.md"]
    assert [c.name for c in result.contacts] == [f"Q{i}" if i in (3, 7) else f"P{i}" for i in range(10)]
    assert len(made) == 1


# -- progress on a terminal -------------------------------------------------------------------------------------

# The command line with the progress shown from the first note on (its delay at 0), for a small vault.
NO_DELAY = "import sys, vaultnet.cli_base as b; b.PROGRESS_DELAY = float(sys.argv[1]); del sys.argv[1]; " \
    "from vaultnet.cli import main; main()"  # fmt: skip


def run_cli(args: list[str], *, terminal: bool, delay: float = 0.0) -> tuple[str, str]:
    """stdout and stderr of the CLI run in a new process, its stderr a pseudo-terminal or a pipe."""
    command = [sys.executable, "-c", NO_DELAY, str(delay), *args]
    env = checkout_env(VAULTNET_TODAY=DAY)
    if not terminal:
        ran = subprocess.run(command, capture_output=True, env=env, timeout=120, check=False)
        return ran.stdout.decode(), ran.stderr.decode()
    master, slave = os.openpty()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, env=env) as proc:
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every process holding the terminal has closed it
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        proc.wait(timeout=120)
    return out, b"".join(chunks).decode()


def test_a_slow_build_shows_its_progress_on_a_terminal_and_erases_it(tmp_path: Path) -> None:
    vault = copy_sample(tmp_path / "vault")
    out, err = run_cli(["build", str(vault)], terminal=True)
    total = len([p for p in vault.rglob("*.md") if "Follow-ups" not in p.name])
    assert f"\rreading notes: {total}/{total}" in err
    erase = "\r" + " " * len(f"reading notes: {total}/{total}") + "\r"
    assert erase in err
    assert err.index(erase) > err.index("reading notes")  # erased after the last count, before anything else
    assert "wrote" in out


@pytest.mark.parametrize(
    ("args", "terminal", "delay"),
    [
        pytest.param(["build"], False, 0.0, id="piped"),
        pytest.param(["check"], False, 0.0, id="check piped"),
        pytest.param(["due", "--json"], True, 0.0, id="json"),
        pytest.param(["build"], True, 60.0, id="quick"),
    ],
)
def test_no_progress_when_piped_under_json_or_when_quick(
    tmp_path: Path, args: list[str], terminal: bool, delay: float
) -> None:
    vault = copy_sample(tmp_path / "vault")
    out, err = run_cli([*args, str(vault)], terminal=terminal, delay=delay)
    assert "reading notes" not in err
    assert "\r" not in err.replace("\r\n", "\n")  # the terminal's own line ends aside
    assert "vault" in out + err  # it ran: the sample vault's outputs, or its problems (check's are errors)


def test_progress_shows_on_the_terminal_for_due_and_check(tmp_path: Path) -> None:
    vault = copy_sample(tmp_path / "vault")
    for command in ("due", "check"):
        _, err = run_cli([command, str(vault)], terminal=True)
        assert "reading notes: " in err, command
        shutil.rmtree(vault / ".vaultnet")  # cold again: every note is read


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_is_rewritten_only_with_news_and_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent tells (total, total) again and again while it waits for the child: shown once."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(cli_base, "PROGRESS_DELAY", 0.0)
    monkeypatch.setattr(cli_base, "_PROGRESS_EVERY", 0.0)
    with cli_base.progress_line("reading notes") as progress:
        assert progress is not None
        for done in (100, 100, 200, 1000, 1000, 1000):
            progress(done, 1000)
    assert terminal.getvalue() == (
        "\rreading notes: 100/1000\rreading notes: 200/1000\rreading notes: 1000/1000\r" + " " * 24 + "\r"
    )
