"""The README and the help texts keep up with the command line.

Every command and subcommand of `vaultnet.cli.cli` is named in README.md (as `vaultnet NAME`) and has a help text,
and so has every option of every command. The command tree is walked at collection time, so a command or option
added later is checked without touching this file. Hidden commands and options are meant to be undocumented.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from vaultkit import REPO

from vaultnet.cli import cli

README = REPO / "README.md"


def walk(command: click.Command, path: str = "vaultnet") -> Iterator[tuple[str, click.Command]]:
    """(`vaultnet import vcard`, its command) for `command` and every visible command below it, depth first."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                yield from walk(sub, f"{path} {name}")


COMMANDS = dict(walk(cli))


def named_in(text: str, command: str) -> bool:
    """Whether `text` names `command` as a whole (`vaultnet build` is not named by `vaultnet build-hook`)."""
    return re.search(rf"(?<![\w-]){re.escape(command)}(?![\w-])", text) is not None


def test_the_walk_reaches_subcommands() -> None:
    assert {"vaultnet", "vaultnet build", "vaultnet import vcard", "vaultnet export vcard"} <= set(COMMANDS)


def test_a_command_is_named_only_as_a_whole() -> None:
    assert named_in("run `vaultnet build ~/notes` daily", "vaultnet build")
    assert named_in("vaultnet build", "vaultnet build")
    assert not named_in("vaultnet build-hook", "vaultnet build")
    assert not named_in("vaultnet builder", "vaultnet build")
    assert not named_in("vaultnet import linkedin", "vaultnet import vcard")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_named_in_the_readme(name: str) -> None:
    assert named_in(README.read_text(encoding="utf-8"), name), f"README.md does not mention `{name}`"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_help_text(name: str) -> None:
    assert (COMMANDS[name].help or "").strip(), f"`{name}` has no help text (its docstring or help=)"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_a_help_text(name: str) -> None:
    options = [p for p in COMMANDS[name].params if isinstance(p, click.Option) and not p.hidden]
    without = [" / ".join(p.opts) for p in options if not (p.help or "").strip()]
    assert without == [], f"options of `{name}` without help: {without}"
