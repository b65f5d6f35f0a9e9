"""What every command of the command line shares: the one error boundary, the vault option and the way
the vault is found, `--today`, dates as arguments, and how problems are printed.

Nothing here knows a command; `cli` and `cli_write` define them.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shlex
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from vaultnet.config import CONFIG_NAME
from vaultnet.parallel import Progress
from vaultnet.problems import ParamError, Problem, UserError, printable
from vaultnet.values import parse_date

VAULT_ENV = "VAULTNET_VAULT"
DEBUG_ENV = "VAULTNET_DEBUG"
VAULT_RULE = (
    f"-C/--vault DIR (or VAULT, where a command takes it), else ${VAULT_ENV}, else the nearest folder upward "
    f"from here that holds {CONFIG_NAME} or .obsidian/, else this folder (`init`: the folder it is given, else "
    "this one)."
)


class Command(click.Command):
    """A command whose library errors about one parameter name it as the user typed it: a `ParamError`
    about `kind` reads `Invalid value for '--kind': ...`, as click says it of its own checks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ParamError as exc:
            param = next((p for p in self.get_params(ctx) if p.name == exc.param), None)
            if param is None:
                raise  # not one of this command's parameters: the message names it as the library does
            raise UserError(f"Invalid value for {param.get_error_hint(ctx)}: {exc.reason}", exc.problems) from exc


class Group(click.Group):
    """The root group holds the one error boundary: a user's error becomes a message and exit code 2 (3 for a
    write refused so as not to lose another program's save: `WriteRefused`), an unexpected exception one line asking
    for a report (the traceback only with --debug)."""

    command_class = Command
    group_class = type  # subgroups (`import`, `export`) are Groups too, and their commands Commands

    def invoke(self, ctx: click.Context) -> Any:
        if ctx.parent is not None:  # a subgroup: the root's boundary handles what happens below it
            return super().invoke(ctx)
        debug = bool(ctx.params.get("debug"))
        code = 2
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own: usage errors, exit codes, Ctrl-C
        except UserError as exc:
            _traceback(debug)
            for problem in exc.problems:
                echo(problem.format(), err=True)
            echo(f"vaultnet: {exc.message}", err=True)
            code = exc.exit_code
        except OSError as exc:  # e.g. a read-only vault, a full disk: say what and where
            _traceback(debug)
            where = f"{shown(exc.filename)}: " if exc.filename else ""
            echo(f"vaultnet: {where}{exc.strerror or exc}", err=True)
        except Exception as exc:
            _traceback(debug)
            hint = "please report it" if debug else "run again with --debug to see the traceback, and please report it"
            echo(f"vaultnet: internal error: {type(exc).__name__}: {exc} ({hint})", err=True)
        ctx.exit(code)


def _traceback(debug: bool) -> None:
    if debug:
        echo(traceback.format_exc(), err=True, nl=False)


debug_option = click.option(
    "--debug",
    is_flag=True,
    envvar=DEBUG_ENV,
    help=f"Show the traceback behind any error (also ${DEBUG_ENV}=1), for a bug report.",
)

# -- the vault -------------------------------------------------------------------------------------------------


def find_vault(start: Path) -> Path | None:
    """The nearest folder from `start` upward that holds vaultnet.toml or .obsidian/ (None: no such)."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / ".obsidian").is_dir():
            return folder
    return None


def default_vault(*, discover: bool = True) -> Path:
    """The vault when none is typed: $VAULTNET_VAULT, else the nearest marked folder upward, else this one.
    A found folder is given relative to this one (`..`), so that printed paths work from here."""
    if not discover:
        return Path(".")
    named = os.environ.get(VAULT_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    cwd = Path.cwd()
    found = find_vault(cwd)
    return Path(os.path.relpath(found, cwd)) if found is not None else Path(".")


def pick_vault(typed: Path | None, option: Path | None, metavar: str, *, discover: bool = True) -> Path:
    """The vault from the positional argument and -C/--vault (the same folder, if both are given), else the
    default (see `default_vault`)."""
    if typed is not None and option is not None and typed.resolve() != option.resolve():
        raise click.UsageError(
            f"{metavar} {typed} and --vault {option} are different folders: give one", click.get_current_context()
        )
    chosen = typed if typed is not None else option
    return chosen if chosen is not None else default_vault(discover=discover)


_FOLDER = click.Path(file_okay=False, path_type=Path)


def _vault_option(discover: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """-C/--vault DIR: defined here only, for every command."""
    default = (
        f"${VAULT_ENV}, else the nearest folder upward that holds {CONFIG_NAME} or .obsidian/, else this folder"
        if discover
        else "this folder"
    )
    return click.option(
        "-C", "--vault", "vault_dir", type=_FOLDER, metavar="DIR",
        help=f"The vault (the folder that holds your notes). Default: {default}.",
    )  # fmt: skip


def with_vault(
    *, argument: str | None = None, discover: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give the command `vault: Path`, chosen by -C/--vault (and by the positional `argument`, e.g. VAULT,
    when the command takes one) or else found (see `default_vault`; `discover=False`: this folder)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def run(*args: Any, vault_dir: Path | None, vault_typed: Path | None = None, **kwargs: Any) -> Any:
            vault = pick_vault(vault_typed, vault_dir, argument or "VAULT", discover=discover)
            return command(*args, vault=vault, **kwargs)

        decorated = _vault_option(discover)(run)
        if argument is not None:
            positional = click.argument("vault_typed", metavar=f"[{argument}]", type=_FOLDER, required=False)
            decorated = positional(decorated)
        return decorated

    return decorate


# -- other arguments -------------------------------------------------------------------------------------------

today_option = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    envvar="VAULTNET_TODAY",
    help="Compute as if today were this date (YYYY-MM-DD); also read from VAULTNET_TODAY.",
)


def day_of(value: datetime | None) -> date:
    """The day `--today` names, else the real today."""
    return value.date() if value is not None else date.today()


def as_day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """A callback for options that take a date as vaultnet reads dates in notes (YYYY-MM-DD)."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


# -- printing --------------------------------------------------------------------------------------------------
# Every command prints through `echo` (and `echo_data`), never click.echo itself: what a note or a file name holds
# reaches the terminal with its control characters shown escaped (`problems.printable`), so that no note can send
# the terminal an escape sequence. A path or a name inside one line is passed through `shown` first, so that a
# newline in it cannot start a line of its own (a fake `path:line: message`).


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text of one or more lines (stdout, or stderr with `err`), control characters shown escaped;
    line ends and tabs stay. JSON stays valid JSON (the escapes are JSON's own, and JSON escapes the rest)."""
    click.echo(printable(message, lines=True), err=err, nl=nl)


def echo_shown(text: str) -> None:
    """Print text that `printable(text, lines=True)` made already (a reading command's text, kept so): as `echo`
    would print it, without a second pass over megabytes."""
    click.echo(text, nl=False)


def echo_data(text: str) -> None:
    """Print data meant for a file or a pipe (a vCard) as it is; to a terminal, as `echo` prints."""
    click.echo(printable(text, lines=True) if sys.stdout.isatty() else text, nl=False)


def shown(value: object) -> str:
    """A path or a name to print inside a line: all on that line, every control character shown escaped."""
    return printable(str(value))


class _Notices(logging.Handler):
    """Each distinct message of vaultnet's loggers as one line `vaultnet: ...` on stderr, once."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.said:
            self.said.add(message)
            click.echo(f"vaultnet: {message}", err=True)


@contextlib.contextmanager
def print_notices() -> Iterator[None]:
    """For the length of a command: what the library announces through logging (the cache that was unreadable
    and rebuilt) is printed, each message once."""
    logger = logging.getLogger("vaultnet")
    handler = _Notices()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def report(vault: Path, problems: Iterable[Problem], *, warnings_in_full: bool = True) -> None:
    """Print problems as `path:line: message` on stderr, paths as seen from here. Without `warnings_in_full`
    (the daily commands) errors are printed in full, warnings as one line that says where to see them."""
    prefix = "" if vault == Path(".") else str(vault) + os.sep
    hidden = 0
    for problem in problems:
        if problem.severity == "warning" and not warnings_in_full:
            hidden += 1
            continue
        echo(problem.format(prefix=prefix), err=True)
    if hidden:
        check = "vaultnet check" if vault == Path(".") else f"vaultnet check {shlex.quote(str(vault))}"
        echo(f"{count(hidden, 'warning')}: `{check}` shows {'it' if hidden == 1 else 'them'}", err=True)


PROGRESS_DELAY = 1.5  # seconds: a command that is done sooner shows no progress at all
_PROGRESS_EVERY = 0.1  # seconds between two rewrites of the line


@contextlib.contextmanager
def progress_line(what: str, *, quiet: bool = False) -> Iterator[Progress | None]:
    """A `progress` for the library (see `parallel.Progress`): `what: done/total` on one line of stderr,
    rewritten in place, once the command has run for `PROGRESS_DELAY` seconds, and erased when the block ends.
    None, and so nothing shown, unless stderr is a terminal, or with `quiet` (`--json`: a program reads it)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    started = time.monotonic()
    width = 0  # of the longest line shown: the next one covers it, the end erases it
    last = 0.0
    shown_line = ""

    def show(done: int, total: int) -> None:
        nonlocal width, last, shown_line
        now = time.monotonic()
        if now - started < PROGRESS_DELAY or (now - last < _PROGRESS_EVERY and done < total):
            return
        line = f"{what}: {done}/{total}"
        if line == shown_line:
            return  # told again (the parent waiting for the child's last notes): nothing new to show
        last, shown_line = now, line
        # Numbers only, no note's text: written as they are (`echo` would show the carriage return escaped).
        sys.stderr.write("\r" + line.ljust(width))
        sys.stderr.flush()
        width = max(width, len(line))

    try:
        yield show
    finally:
        if width:
            sys.stderr.write("\r" + " " * width + "\r")
            sys.stderr.flush()
