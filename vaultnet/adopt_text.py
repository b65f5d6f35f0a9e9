"""What `vaultnet init` found in a vault (`adopt.Survey`), said twice: as the `vaultnet.toml` it writes and as
the summary it prints.

The settings file is the generated settings template (`config.config_template`) with the sections init filled
(`[contacts]`, `[interactions]`, `[fields]`, `[outputs]`) put in front of the template's tables: a section the
template has too is merged into ours, so that each table is there once (TOML allows no more), and the template's
commented-out lines for the keys init did not set stay. Every line init writes has a comment that says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from vaultnet.adopt import Found, Rule, Survey
from vaultnet.settings_spec import toml_key, toml_text

# A `[table]` header (stripped line): group 1, stripped, is the table. Linear: no lazy name between two `\s*`.
_HEADER = re.compile(r"\[([^\[\]#]+)\]\s*+(?:#.*)?")
_COMMENTED_KEY = re.compile(r"#\s*([A-Za-z0-9_\"'-]+)\s*=")
_COLUMN = 38  # where the template's comments start too (after `# key = value` padded to 36)
_SHOWN = 3  # notes named in a comment; the rest are counted

HELP = {
    "contacts": "Which notes are contacts: a note that matches any rule here and no exclude pattern.",
    "interactions": "Notes that record a meeting: every person they name counts as met on the note's date.",
    "fields": "Your property names for vaultnet's fields (tried after vaultnet's own, in any case).",
    "outputs": "Where `vaultnet build` writes, relative to the vault.",
}


def settings_text(survey: Survey, template: str, outputs: Mapping[str, tuple[str, str]] | None = None) -> str:
    """The `vaultnet.toml` for the surveyed vault; `outputs`: [outputs] keys init sets, (value, why)."""
    sections = {
        "contacts": contact_lines(survey.contacts),
        "interactions": meeting_lines(survey),
        "fields": field_lines(survey.fields),
        "outputs": [_line(f"{key} = {toml_text(value)}", why) for key, (value, why) in (outputs or {}).items()],
    }
    head = [
        f"# Written by `vaultnet init` from what it found in the {survey.notes} notes of this vault: which are",
        "# contacts, which record meetings, and your names for vaultnet's fields. Change it as you like: init",
        "# never writes this file again.",
    ]
    if not survey.contacts.rules:
        head += [
            "#",
            "# init found no people: no folder named People or Contacts, no note whose categories, type or tags",
            "# say Person. vaultnet's default applies (notes in contacts/, or with `type: contact`); or add a",
            "# [contacts] section (docs/format.md says how).",
        ]
    return merge(template, head, {name: lines for name, lines in sections.items() if lines})


def contact_lines(found: Found) -> list[str]:
    """`[contacts]`: the rules that found the people, and what is left out of them."""
    if not found.rules:
        return []
    lefts = [(toml_text(left.pattern), f"{_names(left.notes)}: {left.why}") for left in found.exclude]
    return _rule_lines(found) + _array("exclude", lefts)


def meeting_lines(survey: Survey) -> list[str]:
    """`[interactions]`: the meeting notes, the properties that name their people, and the one that dates them."""
    if not survey.meetings.rules:
        return []
    lines = _rule_lines(survey.meetings, " name people")
    keys = ", ".join(toml_text(k) for k in survey.people_keys)
    lines.append(_line(f"people = [{keys}]", "the properties that name who was there (links or plain names)"))
    if survey.date_keys:
        dates = ", ".join(toml_text(k) for k in survey.date_keys)
        undated = f"; {_count(survey.undated)} without: the date in the file name" if survey.undated else ""
        lines.append(_line(f"date = [{dates}]", f"the property with the day{undated}"))
    else:
        lines.append(f"{'#':<{_COLUMN}}  # no date property: a meeting's day is the date in its file name")
    return lines


def _rule_lines(found: Found, what: str = "") -> list[str]:
    """The `folders`, `tags` and `where` lines of a selection, each rule with what it found."""
    lines = []
    for key in ("folders", "tags"):
        lines += _array(key, [(toml_text(r.name), _how(r) + what) for r in found.of(key)])
    where = found.of("where")
    if where:
        parts = [f"{toml_key(r.name)} = {_toml_values(r.values)}" for r in where]
        lines.append(_line(f"where = {{ {', '.join(parts)} }}", "; ".join(_how(r) + what for r in where)))
    return lines


def _toml_values(values: tuple[str, ...]) -> str:
    return toml_text(values[0]) if len(values) == 1 else f"[{', '.join(map(toml_text, values))}]"


def field_lines(fields: Iterable[tuple[str, tuple[str, ...]]]) -> list[str]:
    """`[fields]`: a line per vaultnet field whose property the vault names otherwise."""
    lines = []
    for name, keys in fields:
        written = ", ".join(toml_text(k) for k in keys)
        lines.append(_line(f"{name} = [{written}]", f"vaultnet's {name} is your {' or '.join(keys)}"))
    return lines


def _array(key: str, entries: list[tuple[str, str]]) -> list[str]:
    """`key = [value]  # why` for one entry; an array over several lines, a comment on each, for more."""
    if not entries:
        return []
    if len(entries) == 1:
        value, why = entries[0]
        return [_line(f"{key} = [{value}]", why)]
    return [f"{key} = [", *(_line(f"    {value},", why) for value, why in entries), "]"]


def _line(setting: str, comment: str) -> str:
    return f"{setting:<{_COLUMN}}  # {comment}"


def _count(notes: Iterable[object] | int, one: str = "note") -> str:
    n = notes if isinstance(notes, int) else len(list(notes))
    return f"{n} {one}" + ("" if n == 1 else "s")


def _names(paths: tuple[str, ...]) -> str:
    """Up to `_SHOWN` paths, and how many more."""
    shown = ", ".join(paths[:_SHOWN])
    return shown + (f" and {len(paths) - _SHOWN} more" if len(paths) > _SHOWN else "")


# -- putting our sections into the template ------------------------------------------------------------------


def merge(template: str, head: list[str], sections: dict[str, list[str]]) -> str:
    """`head`, the template up to its first table, our sections (each merged with the template's table of that
    name, if it has one), then the rest of the template."""
    lines = template.rstrip("\n").split("\n")
    starts = _chunk_starts(lines)
    first = starts[0] if starts else len(lines)
    out = [*head, "", *lines[:first]]
    if out[-1].strip():
        out.append("")
    theirs: dict[str, list[list[str]]] = {}
    rest: list[str] = []
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        chunk = lines[start:end]
        name = _table_name(chunk)
        if name.split(".", 1)[0] in sections:
            theirs.setdefault(name.split(".", 1)[0], []).append(chunk)
        else:
            rest.extend(chunk)
    for name, ours in sections.items():
        out += [f"# {HELP.get(name, name)}", f"[{name}]", *ours, *_kept(theirs.get(name, []), ours), ""]
    return "\n".join(out + rest).rstrip("\n") + "\n"


def _chunk_starts(lines: list[str]) -> list[int]:
    """Where each table of the template starts: its header, with the comment lines right above it (its help)."""
    starts: list[int] = []
    for index, line in enumerate(lines):
        if _HEADER.fullmatch(line.strip()):
            start = index
            while start > (starts[-1] + 1 if starts else 0) and lines[start - 1].startswith("#"):
                start -= 1
            starts.append(start)
    return starts


def _table_name(chunk: list[str]) -> str:
    for line in chunk:
        m = _HEADER.fullmatch(line.strip())
        if m:
            return m.group(1).strip()
    return ""


def _kept(chunks: list[list[str]], ours: list[str]) -> list[str]:
    """The template's lines for a table we write too: its commented-out settings for keys we did not set
    (a subtable of ours, `[contacts.where]`, only when we did not set that key either)."""
    ours_keys = {m.group(1) for line in ours if (m := re.match(r"\s*([A-Za-z0-9_\"'-]+)\s*=", line))}
    kept: list[str] = []
    for chunk in chunks:
        name = _table_name(chunk)
        if "." in name:
            if name.split(".", 1)[1] not in ours_keys:
                kept += [line for line in chunk if line.strip()]
            continue
        header = next(i for i, line in enumerate(chunk) if _HEADER.fullmatch(line.strip()))
        skipping = False
        for line in chunk[header + 1 :]:
            key = _COMMENTED_KEY.match(line)
            if key:  # the lines after a setting (its example) go with it
                skipping = key.group(1).strip("\"'") in ours_keys
            if line.strip() and not skipping:
                kept.append(line)
    return kept


# -- the summary --------------------------------------------------------------------------------------------------


def summary(survey: Survey) -> list[str]:
    """What init found, for the terminal: how many contacts and how, what it left out and why."""
    contacts = survey.contacts
    how = "; ".join(map(_how, contacts.rules)) or "none found: vaultnet's default applies (contacts/)"
    lines = [f"init read {_count(survey.notes)} and found:", f"  {_count(contacts.notes, 'contact')}: {how}"]
    for left in contacts.exclude:
        lines.append(f"  left out: {_names(left.notes)}: {left.why}; exclude {toml_text(left.pattern)}")
    if survey.meetings.rules:
        how = "; ".join(map(_how, survey.meetings.rules))
        lines.append(f"  {_count(survey.meetings.notes, 'meeting note')} naming people: {how}")
    if survey.fields:
        mapped = ", ".join(f"{key} -> {name}" for name, keys in survey.fields for key in keys)
        lines.append(f"  your names for vaultnet's fields: {mapped}")
    for folder, why in survey.skipped:
        lines.append(f"  not read: {folder}/ ({why}: templates are not notes)")
    if survey.unreadable:
        unreadable = _count(survey.unreadable)
        lines.append(f"  {unreadable} with front matter vaultnet cannot read: `vaultnet check` names them")
    return [*lines, "vaultnet.toml says so, a comment on each line; next: `vaultnet check`, then `vaultnet build`"]


def _how(rule: Rule) -> str:
    """How a rule found its notes: `5 notes in People/`, `2 notes tagged #person`, `4 notes with type person`."""
    found = _count(rule.notes)
    if rule.key == "folders":
        return f"{found} in {rule.name}/"
    if rule.key == "tags":
        return f"{found} tagged #{rule.name}"
    return f"{found} with {rule.name} {' or '.join(rule.values)}"
