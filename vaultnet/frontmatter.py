"""Bytes -> text -> front matter: decoding a note, finding its front matter, reading the YAML as text.

Problems are data here too: a note that is not UTF-8, a front matter that is never closed or that is not
valid YAML comes back as a `Problem` with its line and a hint at the usual cause, never as an exception;
`template_placeholder` finds the usual cause of all in a template (`created: {{date}}`).
Turning the values into a contact, an event or a goal is `vaultnet.parse`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import yaml

from vaultnet.mdlines import FRONT_MATTER_CLOSE, FRONT_MATTER_OPEN
from vaultnet.problems import Problem

NOT_YAML = "front matter is not valid YAML"  # how every YAML problem starts
_NON_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_DEPTH = 300

_TEXT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]  # libyaml: parses and composes in C
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


class _TextLoader(_Parser, yaml.resolver.BaseResolver):
    """A YAML parser that leaves every scalar as text: no YAML 1.1 surprises (0301234567 read as octal,
    NO as False). The same result as PyYAML's BaseLoader, several times faster, which matters because
    front matter is read for every note of a cold build."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.resolver.BaseResolver.__init__(self)

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return _TEXT_TAGS[kind]


def load_yaml_text(text: str) -> Any:
    """YAML -> str / list / dict, every scalar as text (what `yaml.load(text, yaml.BaseLoader)` gives)."""
    loader = _TextLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    return None if node is None else _node_value(node)


def _node_value(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_node_value(item) for item in node.value]
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = _node_value(key_node)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
            )
        mapping[key] = _node_value(value_node)
    return mapping


def decode(path: str, data: bytes) -> tuple[str | None, Problem | None]:
    """Bytes -> text with `\n` line ends; a BOM is dropped. Undecodable data is a problem, not an exception."""
    if b"\x00" in data:
        return None, Problem(path, 0, "binary file, not a text note")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + bom
        line = data.count(b"\n", 0, start) + 1
        return None, Problem(path, line, f"not valid UTF-8 text (byte 0x{data[start]:02x}); save the note as UTF-8")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def split_front_matter(path: str, text: str) -> tuple[str | None, int, Problem | None]:
    """(front matter text or None, line number where the body starts, problem)."""
    first_end = text.find("\n")
    if text[: first_end if first_end >= 0 else len(text)].rstrip() != FRONT_MATTER_OPEN:
        return None, 1, None
    if first_end < 0:
        return None, 1, Problem(path, 1, "front matter opened with --- but never closed")
    lines = text[first_end + 1 :].split("\n")
    for index, line in enumerate(lines):
        if line.rstrip() in FRONT_MATTER_CLOSE:
            return "\n".join(lines[:index]), index + 3, None
    return (
        None,
        1,
        Problem(path, 1, "front matter opened with --- but never closed (add a line with --- after it)"),
    )


# What template plugins fill in when they make a note: the core Templates plugin's {{date}}, {{time}}, {{title}}
# (also {{date:YYYY-MM-DD}}), other plugins' {{VALUE}}, and Templater's <% tp.date.now() %>.
_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z][\w-]*(?::[^{}\n]*)?\s*\}\}|<%.*?%>")


def template_placeholder(fm_text: str, line: int | None = None) -> tuple[int, str] | None:
    """The first template placeholder in the front matter (on note line `line`, if given): (its line, itself)."""
    if "{{" not in fm_text and "<%" not in fm_text:
        return None  # the usual case, and cheap: every note of a cold build comes through here
    for number, text in enumerate(fm_text.split("\n"), start=2):
        m = _PLACEHOLDER.search(text) if line in (None, number) else None
        if m is not None:
            return number, m.group()
    return None


def template_hints(
    path: str, data: bytes, problems: tuple[Problem, ...], templates: tuple[str, ...]
) -> tuple[Problem, ...]:
    """A note's `problems`, told that it looks like a template when its front matter holds a placeholder
    (`created: {{date}}`), with the folders that keep templates out (`templates`) and the settings that name
    them: in place of the YAML error the placeholder causes, else as a warning at the placeholder."""
    text, _ = decode(path, data)
    fm_text, _, _ = split_front_matter(path, text or "")
    found = None if fm_text is None else template_placeholder(fm_text)
    if fm_text is None or found is None:
        return problems
    folders = ", ".join(f"{folder}/" for folder in templates)
    hint = (
        f"this note looks like a template: keep templates in the templates folder ({folders}), which vaultnet does "
        "not read, or name yours with templates_folder in vaultnet.toml or in Obsidian's Templates settings"
    )
    for index, problem in enumerate(problems):
        on_line = template_placeholder(fm_text, problem.line) if problem.message.startswith(NOT_YAML) else None
        if on_line is not None:  # the placeholder is what breaks the YAML: say that instead
            message = f"{NOT_YAML}: {on_line[1]} is a template placeholder; {hint}"
            return (*problems[:index], replace(problem, message=message), *problems[index + 1 :])
    line, placeholder = found
    return (
        *problems,
        Problem(path, line, f"front matter holds the template placeholder {placeholder}; {hint}", "warning"),
    )


def _flow_depth(text: str) -> int:
    """How deeply `[` / `{` nest (quotes ignored: an upper bound)."""
    depth = deepest = 0
    for ch in re.findall(r"[\[\]{}]", text):
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def load_front_matter(path: str, fm_text: str) -> tuple[dict[str, Any], Problem | None]:
    """The front matter's properties ({} when it is empty), or a problem that names the line and, where it can,
    the usual cause (a `#` tag read as a comment, a tab, an unquoted `@`)."""
    # libyaml's C composer recurses once per level and overflows the C stack (a crash) near 25,000 levels;
    # PyYAML's constructor stops at ~340 anyway (RecursionError, below), so refuse absurd nesting up front.
    if fm_text.count("[") + fm_text.count("{") > _MAX_DEPTH and _flow_depth(fm_text) > _MAX_DEPTH:
        return {}, Problem(path, 2, f"{NOT_YAML}: nested too deeply")
    try:
        data = load_yaml_text(fm_text)
    except yaml.reader.ReaderError:
        bad = _NON_PRINTABLE.search(fm_text)
        line = fm_text.count("\n", 0, bad.start()) + 2 if bad else 2
        what = f"control character U+{ord(bad.group()):04X} is not allowed (delete it)" if bad else "unreadable"
        return {}, Problem(path, line, f"{NOT_YAML}: {what}")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1
        what = exc.problem or exc.context or "invalid YAML"
        start = exc.context_mark
        if exc.context and start is not None and mark is not None and start.line != mark.line:
            what += f" ({exc.context.removeprefix('while ')} that starts on line {start.line + 2})"
        lines = fm_text.split("\n")
        last = min(line - 2, len(lines) - 1)
        first = max(last - 1, 0) if start is None else min(max(last - 1, 0), start.line)
        for index in range(first, last + 1):  # the line, the one before, and back to where the construct started
            if re.search(r"[\[,]\s*#", lines[index]):
                what += " (a # starts a comment in YAML: write tags without #, or quote them)"
                line = index + 2
                break
        else:
            source = "\n".join(lines[first : last + 1])
            if "\t" in source:
                what += " (tabs are not allowed for indentation in YAML: use spaces)"
            elif re.search(r"^\s*[\w-]+:\s*[@`]", source, re.MULTILINE):
                what += " (quote a value that starts with @ or `)"
        return {}, Problem(path, line, f"{NOT_YAML}: {what}")
    except yaml.YAMLError as exc:
        return {}, Problem(path, 1, f"{NOT_YAML}: {exc}")
    except RecursionError:
        return {}, Problem(path, 2, f"{NOT_YAML}: nested too deeply (or an alias refers to itself)")
    if data is None or data == "":
        return {}, None
    if not isinstance(data, dict):
        return {}, Problem(path, 2, "front matter must be a set of `key: value` properties")
    return data, None


def line_of_key(fm_text: str, key: str) -> int:
    """The line of a top-level property (the front matter's first line is the note's line 2), else 2."""
    pattern = re.compile(rf"""['"]?{re.escape(key)}['"]?\s*:""", re.IGNORECASE)
    for number, line in enumerate(fm_text.split("\n"), start=2):
        if pattern.match(line):
            return number
    return 2


def front_matter_tags(front_matter: Mapping[str, Any]) -> list[str]:
    """The tags of the `tags` (or `tag`) property, without `#`: a list, or one text split at commas and blanks."""
    tags: list[str] = []
    for key, value in front_matter.items():
        if isinstance(key, str) and key.strip().casefold() in ("tags", "tag"):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    tags.extend(t.lstrip("#") for t in item.replace(",", " ").split() if t.lstrip("#"))
    return tags
