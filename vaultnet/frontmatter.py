"""Bytes -> text -> front matter: decoding a note, finding its front matter, reading the YAML as text.

Problems are data here too: a note that is not UTF-8, a front matter that is never closed or that is not
valid YAML comes back as a `Problem` with its line and a hint at the usual cause, never as an exception;
`template_placeholder` finds the usual cause of all in a template (`created: {{date}}`). So does a note past
one of `vaultnet.limits`, and a front matter that uses YAML aliases (`*name`): nothing Obsidian writes, and
what a "billion laughs" bomb is made of (nine short lines that expand to a billion values).
Turning the values into a contact, an event or a goal is `vaultnet.parse`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from vaultnet.limits import front_matter_too_big, long_line, note_too_big
from vaultnet.mdlines import FRONT_MATTER_CLOSE, FRONT_MATTER_OPEN
from vaultnet.problems import Problem

NOT_YAML = "front matter is not valid YAML"  # how every YAML problem starts
_NON_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_DEPTH = 300


def too_big(path: str, size: int) -> Problem | None:
    """The problem of a note of `size` bytes past `limits.NOTE_BYTES`, else None (for a caller that knows the
    size before it reads the note, and need not read it)."""
    message = note_too_big(size)
    return None if message is None else Problem(path, 0, message)


def decode(path: str, data: bytes) -> tuple[str | None, Problem | None]:
    """Bytes -> text with `\n` line ends; a BOM is dropped. Undecodable data is a problem, not an exception,
    and so is a note past `vaultnet.limits` (too big, or a line too long)."""
    if (big := too_big(path, len(data))) is not None:
        return None, big
    if b"\x00" in data:
        return None, Problem(path, 0, "binary file, not a text note")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + bom
        line = data.count(b"\n", 0, start) + 1
        return None, Problem(path, line, f"not valid UTF-8 text (byte 0x{data[start]:02x}); save the note as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if (long := long_line(text)) is not None:
        return None, Problem(path, *long)
    return text, None


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
# (also {{date:YYYY-MM-DD}}), other plugins' {{VALUE}}, and Templater's <% tp.date.now() %> (`_placeholder`).
# Possessive: `{{a:` and a long run of blanks fails at once instead of trying each split of the run.
_PLACEHOLDER = re.compile(r"\{\{\s*+[A-Za-z][\w-]*+(?::[^{}\n]*+)?\s*+\}\}")


def _placeholder(line: str) -> str | None:
    """The first placeholder in `line` (no line break in it), as written. Templater's `<% ... %>` is found with
    string methods: a regex `<%.*?%>` would scan to the end of the line from each of many `<%` (quadratic)."""
    found = _PLACEHOLDER.search(line)
    close = line.rfind("%>")
    opening = line.find("<%", 0, close) if close >= 0 else -1  # the first `<%` with a `%>` after it, if any
    if opening >= 0 and (found is None or opening < found.start()):
        return line[opening : line.find("%>", opening + 2) + 2]
    return None if found is None else found.group()


def template_placeholder(fm_text: str, line: int | None = None) -> tuple[int, str] | None:
    """The first template placeholder in the front matter (on note line `line`, if given): (its line, itself)."""
    if "{{" not in fm_text and "<%" not in fm_text:
        return None  # the usual case, and cheap: every note of a cold build comes through here
    for number, text in enumerate(fm_text.split("\n"), start=2):
        found = _placeholder(text) if line in (None, number) else None
        if found is not None:
            return number, found
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


def load_yaml_text(text: str) -> Any:
    """YAML -> str / list / dict, every scalar as text (see `yamltext.load_yaml_text`)."""
    from vaultnet.yamltext import load_yaml_text as load

    return load(text)


def load_front_matter(path: str, fm_text: str) -> tuple[dict[str, Any], Problem | None]:
    """The front matter's properties ({} when it is empty), or a problem that names the line and, where it can,
    the usual cause (a `#` tag read as a comment, a tab, an unquoted `@`). A front matter past
    `limits.FRONT_MATTER_CHARS`, or that uses a YAML alias, is a problem too."""
    # PyYAML is imported by the first note read, not by every command: one that finds nothing changed reads none.
    import yaml

    from vaultnet.yamltext import AliasFound

    if (too_long := front_matter_too_big(fm_text)) is not None:
        return {}, Problem(path, 1, too_long)
    # libyaml's C composer recurses once per level and overflows the C stack (a crash) near 25,000 levels;
    # PyYAML's constructor stops at ~340 anyway (RecursionError, below), so refuse absurd nesting up front.
    if fm_text.count("[") + fm_text.count("{") > _MAX_DEPTH and _flow_depth(fm_text) > _MAX_DEPTH:
        return {}, Problem(path, 2, f"{NOT_YAML}: nested too deeply")
    try:
        data = load_yaml_text(fm_text)
    except AliasFound as alias:
        message = f"front matter uses YAML aliases (*{alias.name}), which vaultnet does not read: write the value out"
        return {}, Problem(path, alias.line + 2, message)
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
            if re.search(r"[\[,]\s*+#", lines[index]):
                what += " (a # starts a comment in YAML: write tags without #, or quote them)"
                line = index + 2
                break
        else:
            source = "\n".join(lines[first : last + 1])
            if "\t" in source:
                what += " (tabs are not allowed for indentation in YAML: use spaces)"
            elif re.search(r"^[^\S\n]*+[\w-]++:\s*+[@`]", source, re.MULTILINE):  # no `\s*` from each blank line
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
    """The note line of the top-level property `key` (the front matter's first line is the note's line 2; 2 when
    the key is not found): `key:`, perhaps quoted, in any case."""
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


class EntryLines:
    """The lines the entries of a list property stand on (`met: [[Ann]], [[Bob]]`, or one per line), found in
    the front matter's text in order: each entry from where the one before it was found, on from its key's line;
    an entry not found stands where the one before it does.

    In time linear in the text, whatever it holds: found entries move the search on, and the text searched for
    entries that are not there (written with YAML escapes, say) is budgeted at a few times the text's length;
    past that, no entry is searched for any more. Looking from the found line's start for each, as this once did,
    read the text again for each entry: seconds for a front matter of thousands of escaped entries.
    """

    def __init__(self, fm_text: str, key: str) -> None:
        self.text = fm_text
        self.line = line_of_key(fm_text, key)
        self.at = 0
        for _ in range(self.line - 2):  # to the start of the key's line
            self.at = fm_text.index("\n", self.at) + 1
        self.budget = 8 * len(fm_text) + 4096  # characters to scan in all

    def find(self, *needles: str) -> int:
        """The note line of the first of `needles` found from the last entry's place (the last entry's line when
        none is). A needle that spans lines is never found: an entry stands on one line."""
        for needle in needles:
            if "\n" in needle:
                continue
            end = min(len(self.text), self.at + max(self.budget, 0))
            found = self.text.find(needle, self.at, end)
            self.budget -= (found if found >= 0 else end) - self.at
            if found >= 0:
                self.line += self.text.count("\n", self.at, found)
                self.at = found
                return self.line
        return self.line


def unquoted_link(value: Any) -> Any:
    """`[[Name]]` unquoted is YAML's list holding a list holding `Name`: the link it was meant as (as text);
    any other value as it is."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) and len(value[0]) == 1:
        inner = value[0][0]
        if isinstance(inner, str):
            return f"[[{inner}]]"
    return value
