"""Running vaultnet as a user whom file modes bind, also when the suite runs as root (a container, CI).

Root ignores file modes: `chmod 000` on a note stops nobody. To test what a normal user meets, a test runs the
code in a child process that has lost root's power over file modes:

- `unprivileged_preexec` is a `preexec_fn` for `subprocess` (the real CLI, as a user starts it);
- `as_unprivileged(fn)` runs `fn` in a forked child of the test process and returns what it returns.

As root, the child drops the capabilities CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (from its bounding set,
for what it executes, and from its own sets): it keeps uid 0, so it still reaches the interpreter and the test's
files (which `nobody` could not: /root and pytest's temp folders are 0700), but a file's mode binds it as
it binds the file's owner. Not root: the child is the user already. Where neither works (Windows, a root
without the right to drop capabilities) the test is skipped, with the reason.
"""

from __future__ import annotations

import ctypes
import functools
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import Result

T = TypeVar("T")

_CAPS = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH (linux/capability.h)
_PR_CAPBSET_DROP = 24
_CAP_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_file_rights() -> None:
    """In this process (a child): as root, lose the power to ignore file modes, for good and for what it runs."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _CAPS:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    mask = 0xFFFFFFFF & ~sum(1 << cap for cap in _CAPS)
    for field in ("effective", "permitted", "inheritable"):
        setattr(data[0], field, getattr(data[0], field) & mask)
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


@functools.cache
def why_not() -> str | None:
    """Why file modes cannot be made to bind a child here (None: they can)."""
    if os.name != "posix" or (not sys.platform.startswith("linux") and os.geteuid() == 0):
        return "needs a POSIX user, or Linux capabilities to drop as root"
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe"
        probe.write_text("secret")
        probe.chmod(0o000)
        code = f"open({str(probe)!r}).read()"
        try:
            result = subprocess.run([sys.executable, "-c", code], preexec_fn=drop_file_rights, capture_output=True,
                                    timeout=30)  # fmt: skip
        except (OSError, subprocess.SubprocessError) as exc:
            return f"cannot drop root's power over file modes: {exc}"
        if b"PermissionError" not in result.stderr:
            return "file modes do not bind a child process here"
    return None


def unprivileged_preexec() -> Callable[[], None]:
    """The `preexec_fn` for a subprocess that file modes bind; skips the test where there is none."""
    reason = why_not()
    if reason is not None:
        pytest.skip(reason)
    return drop_file_rights


def outcome(result: Result) -> tuple[int, str, str]:
    """What a CliRunner result says (exit code, output, stderr), in a form that crosses from the child."""
    return result.exit_code, result.output, result.stderr


def as_unprivileged(fn: Callable[[], T], timeout: int = 60) -> T:
    """What `fn()` returns (it must pickle), run in a forked child that file modes bind; an exception in the
    child fails the test with the child's traceback. Skips the test where file modes cannot bind a child."""
    reason = why_not()
    if reason is not None:
        pytest.skip(reason)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read)
        try:
            signal.alarm(timeout)
            drop_file_rights()
            payload = pickle.dumps((True, fn()))
        except BaseException:
            payload = pickle.dumps((False, traceback.format_exc()))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        raise AssertionError("the unprivileged child died without an answer")
    ok, value = pickle.loads(data)
    if not ok:
        raise AssertionError(f"in the unprivileged child:\n{value}")
    return value  # type: ignore[no-any-return]
