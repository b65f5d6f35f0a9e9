"""Obsidian's own settings (vaultnet.obsidian): `.obsidian/` files as Obsidian writes them become the defaults that
vaultnet.toml overrides, for the templates folders, the daily notes (folder and moment.js format) and Markdown links.

Every vault here is real files on disk, read through the real pipeline or CLI; the JSON is what Obsidian writes
(two-space indentation, beside keys vaultnet does not read).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from vaultkit import TODAY, fm, parse_problems, put, run, write_vault

from vaultnet import pipeline
from vaultnet.config import Settings, parse_settings
from vaultnet.index import settings_key
from vaultnet.obsidian import (
    APP_JSON,
    DAILY_NOTES_JSON,
    TEMPLATER_JSON,
    TEMPLATES_JSON,
    Obsidian,
    daily_format,
    read_obsidian,
)
from vaultnet.parse import daily_note_day
from vaultnet.problems import Problem
from vaultnet.watch import relevant


def obsidian_json(data: dict[str, object]) -> str:
    """A settings file as Obsidian writes it: JSON indented by two spaces, no newline at the end."""
    return json.dumps(data, indent=2)


# What Obsidian 1.x writes with the settings of the vaults (and keys vaultnet does not read).
TEMPLATES = obsidian_json({"folder": "Templates"})
DAILY_NOTES = obsidian_json({"folder": "Daily", "format": "YYYY-MM-DD", "template": "Templates/Daily"})
APP = obsidian_json({"useMarkdownLinks": True, "newLinkFormat": "relative", "alwaysUpdateLinks": True})
TEMPLATER = obsidian_json(
    {
        "command_timeout": 5,
        "templates_folder": "Templates/Templater",
        "templates_pairs": [["", ""]],
        "trigger_on_file_creation": False,
        "enable_folder_templates": True,
        "folder_templates": [{"folder": "", "template": ""}],
        "user_scripts_folder": "",
    }
)
TEMPLATE_NOTE = "---\ncreated: {{date}}\ntags: person\n---\n# {{title}}\n"


def contact(last_contact: str = "2026-01-05") -> str:
    return fm(last_contact=last_contact, circle="close")


def last_contact(vault: Path, path: str) -> date:
    snapshot, _ = pipeline.due(vault, TODAY)
    last = snapshot.network.last_interaction(path)
    assert last is not None
    return last.day


# -- reading .obsidian/ ----------------------------------------------------------------------------------------


def test_the_files_as_obsidian_writes_them(tmp_path: Path) -> None:
    put(tmp_path, TEMPLATES_JSON, TEMPLATES)
    put(tmp_path, TEMPLATER_JSON, TEMPLATER)
    put(tmp_path, DAILY_NOTES_JSON, obsidian_json({"folder": "Journal/Daily", "format": "YYYY/MM/YYYY-MM-DD"}))
    put(tmp_path, APP_JSON, APP)
    assert read_obsidian(tmp_path) == Obsidian(
        templates_folder="Templates",
        templater_folder="Templates/Templater",
        daily_notes_folder="Journal/Daily",
        daily_notes="YYYY/MM/YYYY-MM-DD",
        markdown_links=True,
    )
    settings = pipeline.load_settings(tmp_path)
    assert (settings.templates_folder, settings.other_templates_folders) == ("Templates", ("Templates/Templater",))
    assert (settings.daily_notes_folder, settings.daily_notes, settings.markdown_links) == (
        "Journal/Daily",
        "YYYY/MM/YYYY-MM-DD",
        True,
    )
    assert settings.problems == ()


def test_no_obsidian_folder_changes_nothing(tmp_path: Path) -> None:
    assert read_obsidian(tmp_path) == Obsidian()
    assert pipeline.load_settings(tmp_path) == Settings()


@pytest.mark.parametrize(
    ("daily", "folder", "fmt"),
    [
        ("{}", "", "YYYY-MM-DD"),  # Obsidian's defaults: the vault root (for vaultnet: anywhere) and YYYY-MM-DD
        (obsidian_json({"folder": "", "format": ""}), "", "YYYY-MM-DD"),
        (obsidian_json({"folder": "/"}), "", "YYYY-MM-DD"),
        (obsidian_json({"folder": "/Daily Notes/"}), "Daily Notes", "YYYY-MM-DD"),  # tidied, case and space kept
        (obsidian_json({"format": "DD.MM.YYYY"}), "", "DD.MM.YYYY"),
    ],
)
def test_missing_keys_mean_obsidians_defaults(tmp_path: Path, daily: str, folder: str, fmt: str) -> None:
    put(tmp_path, DAILY_NOTES_JSON, daily)
    settings = pipeline.load_settings(tmp_path)
    assert (settings.daily_notes_folder, settings.daily_notes, settings.problems) == (folder, fmt, ())


def test_templater_alone_names_the_templates_folder(tmp_path: Path) -> None:
    put(tmp_path, TEMPLATER_JSON, TEMPLATER)
    settings = pipeline.load_settings(tmp_path)
    assert settings.templates_folders == ("Templates/Templater",)


def test_templater_in_the_same_folder_is_one_folder(tmp_path: Path) -> None:
    put(tmp_path, TEMPLATES_JSON, TEMPLATES)
    put(tmp_path, TEMPLATER_JSON, obsidian_json({"templates_folder": "Templates"}))
    assert pipeline.load_settings(tmp_path).templates_folders == ("Templates",)


@pytest.mark.parametrize(
    ("rel", "text", "line", "message"),
    [
        (TEMPLATES_JSON, '{\n  "folder": "Templates",\n}', 3, "not valid JSON"),
        (APP_JSON, '{\n  "useMarkdownLinks": "yes"\n}', 2, 'useMarkdownLinks: expected true or false, got "yes"'),
        (DAILY_NOTES_JSON, '{\n  "format": "YYYY-MM-DD",\n  "folder": 3\n}', 3, "folder: expected a folder name"),
        (DAILY_NOTES_JSON, '{\n  "folder": "../Elsewhere"\n}', 2, "is not a folder inside the vault"),
        (TEMPLATER_JSON, '["Templates"]', 1, "expected a JSON object"),
        (TEMPLATES_JSON, b'{"folder": "Vorlagen\xe4"}', 1, "not UTF-8 text"),
    ],
)
def test_a_malformed_file_is_a_warning_that_names_it(
    tmp_path: Path, rel: str, text: str | bytes, line: int, message: str
) -> None:
    put(tmp_path, rel, text)
    settings = pipeline.load_settings(tmp_path)
    [problem] = settings.problems
    assert (problem.path, problem.line, problem.severity) == (rel, line, "warning")
    assert message in problem.message
    defaults = Settings()
    assert settings.templates_folders == defaults.templates_folders  # and vaultnet's defaults apply
    assert (settings.daily_notes_folder, settings.markdown_links) == (defaults.daily_notes_folder, False)


def test_an_empty_file_is_skipped_without_a_word(tmp_path: Path) -> None:
    put(tmp_path, APP_JSON, "")
    put(tmp_path, DAILY_NOTES_JSON, "\n")
    assert read_obsidian(tmp_path) == Obsidian()
    assert pipeline.load_settings(tmp_path) == Settings()


def test_a_folder_in_place_of_a_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / TEMPLATES_JSON).mkdir(parents=True)  # not a file: never opened
    found = read_obsidian(tmp_path)
    assert found == Obsidian(problems=found.problems)
    assert [(p.path, p.severity) for p in found.problems] == [(TEMPLATES_JSON, "warning")]
    assert "is a folder" in found.problems[0].message
    assert pipeline.load_settings(tmp_path) == Settings()


def test_a_malformed_file_shows_in_check_and_the_follow_up_note(tmp_path: Path) -> None:
    write_vault(tmp_path, {"contacts/Anna.md": contact(), DAILY_NOTES_JSON: '{"folder": "Daily",}'})
    result = run("check", tmp_path)
    assert result.exit_code == 0, result.output  # a warning: vaultnet goes on
    assert f"{DAILY_NOTES_JSON}:1: warning: not valid JSON" in result.output
    run("build", tmp_path, "--today", TODAY)
    assert f"{DAILY_NOTES_JSON}:1: warning: not valid JSON" in (tmp_path / "Follow-ups.md").read_text()


# -- the templates folders -------------------------------------------------------------------------------------


@pytest.fixture
def templated_vault(tmp_path: Path) -> Path:
    """The issue's vault: 28 templates with `created: {{date}}` in Templates/, and one contact."""
    notes = {f"Templates/Template {n}.md": TEMPLATE_NOTE for n in range(1, 29)}
    return write_vault(tmp_path, {**notes, "contacts/Anna Schmidt.md": contact()})


def test_28_templates_give_no_error_when_templates_json_names_their_folder(templated_vault: Path) -> None:
    put(templated_vault, TEMPLATES_JSON, TEMPLATES)
    result = run("check", templated_vault)
    assert (result.exit_code, result.stdout) == (0, "no errors\n"), result.output


def test_without_it_each_template_is_an_error_that_says_why_and_names_the_settings(templated_vault: Path) -> None:
    result = run("check", templated_vault)
    assert result.exit_code == 1
    problems = parse_problems(result.stderr)
    assert len(problems) == 28
    path, line, message = problems[0]
    assert (path, line) == (f"{templated_vault}/Templates/Template 1.md", 2)
    assert message.startswith("front matter is not valid YAML: {{date}} is a template placeholder;")
    assert "templates folder (templates/)" in message
    assert "templates_folder in vaultnet.toml" in message and "Obsidian's Templates settings" in message


def test_vaultnet_toml_names_the_one_templates_folder(templated_vault: Path) -> None:
    put(templated_vault, TEMPLATES_JSON, TEMPLATES)
    put(templated_vault, TEMPLATER_JSON, obsidian_json({"templates_folder": "Templater"}))
    put(templated_vault, "Templater/Person.md", "---\ncreated: <% tp.date.now() %>\nname: {{title}}\n---\n")
    put(templated_vault, "vaultnet.toml", 'templates_folder = "Templater"\n')
    result = run("check", templated_vault)
    problems = parse_problems(result.stderr)
    assert len(problems) == 28  # Templates/ is read again; Templater/ is not
    assert all("/Templates/" in path for path, _, _ in problems)
    assert "templates folder (Templater/)" in problems[0][2]


def test_both_templates_folders_are_skipped(templated_vault: Path) -> None:
    put(templated_vault, TEMPLATES_JSON, TEMPLATES)
    put(templated_vault, TEMPLATER_JSON, obsidian_json({"templates_folder": "Meta/Templater"}))
    put(templated_vault, "Meta/Templater/Person.md", "---\ncreated: <% tp.date.now() %>\nname: {{title}}\n---\n")
    put(templated_vault, "Meta/Templater/Meeting.md", "---\ntype: contact\ndate: <% tp.date.now() %>\n---\n")
    result = run("check", templated_vault)
    assert (result.exit_code, result.stdout) == (0, "no errors\n"), result.output


def test_a_placeholder_yaml_can_read_is_a_warning(tmp_path: Path) -> None:
    """Templater's placeholders and quoted ones are valid YAML: the note is read, with a warning that says why."""
    write_vault(
        tmp_path,
        {
            "People/_template.md": "---\ntype: contact\ncreated: <% tp.date.now() %>\n---\n",
            "contacts/Anna Schmidt.md": contact(),
            "notes/Meeting template.md": '---\ntitle: "{{title}}"\ndate: "{{date:YYYY-MM-DD}}"\n---\n',
        },
    )
    problems = pipeline.check(tmp_path)
    assert [(p.path, p.line, p.severity) for p in problems] == [
        ("People/_template.md", 3, "warning"),
        ("notes/Meeting template.md", 2, "warning"),
    ]
    assert problems[0].message.startswith("front matter holds the template placeholder <% tp.date.now() %>;")
    assert "{{title}}" in problems[1].message and "templates_folder in vaultnet.toml" in problems[1].message


def test_a_placeholder_beside_another_yaml_error_leaves_that_error_as_it_is(tmp_path: Path) -> None:
    write_vault(tmp_path, {"contacts/Anna.md": '---\ncreated: "{{date}}"\ntags: [#work]\n---\n'})
    problems = pipeline.check(tmp_path)
    assert [(p.line, p.severity) for p in problems] == [(2, "warning"), (3, "error")]
    assert "a # starts a comment" in problems[1].message


def test_notes_without_placeholders_are_untouched(tmp_path: Path) -> None:
    text = '---\nname: Anna\nnote: "curly {braces} and 50% < 60%"\n---\nWrite {{date}} in the body: fine.\n'
    write_vault(tmp_path, {"contacts/Anna.md": text})
    assert pipeline.check(tmp_path) == []


# -- daily notes ------------------------------------------------------------------------------------------------


@pytest.fixture
def daily_vault(tmp_path: Path) -> Path:
    """Anna is named in a daily note in Daily/, Ben in one in journal/: only Anna's counts below Daily/."""
    return write_vault(
        tmp_path,
        {
            "contacts/Anna Schmidt.md": contact(),
            "contacts/Ben Okafor.md": contact(),
            "Daily/2026-11-20.md": "- Lunch with [[Anna Schmidt]]\n",
            "journal/2026-11-19.md": "- Call with [[Ben Okafor]]\n",
            DAILY_NOTES_JSON: DAILY_NOTES,
        },
    )


def test_daily_notes_count_only_below_obsidians_daily_notes_folder(daily_vault: Path) -> None:
    assert last_contact(daily_vault, "contacts/Anna Schmidt.md") == date(2026, 11, 20)
    assert last_contact(daily_vault, "contacts/Ben Okafor.md") == date(2026, 1, 5)


def test_vaultnet_toml_overrides_the_daily_notes_folder(daily_vault: Path) -> None:
    put(daily_vault, "vaultnet.toml", 'daily_notes_folder = ""\n')
    assert last_contact(daily_vault, "contacts/Ben Okafor.md") == date(2026, 11, 19)
    put(daily_vault, "vaultnet.toml", 'daily_notes_folder = "journal"\n')
    assert last_contact(daily_vault, "contacts/Anna Schmidt.md") == date(2026, 1, 5)
    assert last_contact(daily_vault, "contacts/Ben Okafor.md") == date(2026, 11, 19)


def test_without_obsidians_setting_daily_notes_are_anywhere(daily_vault: Path) -> None:
    (daily_vault / DAILY_NOTES_JSON).unlink()
    assert last_contact(daily_vault, "contacts/Anna Schmidt.md") == date(2026, 11, 20)
    assert last_contact(daily_vault, "contacts/Ben Okafor.md") == date(2026, 11, 19)


def test_the_daily_notes_folder_keeps_its_case(daily_vault: Path) -> None:
    put(daily_vault, DAILY_NOTES_JSON, obsidian_json({"folder": "daily"}))
    assert last_contact(daily_vault, "contacts/Anna Schmidt.md") == date(2026, 1, 5)  # Daily/ is not daily/


def test_a_format_with_folders_and_literal_text(tmp_path: Path) -> None:
    put(tmp_path, DAILY_NOTES_JSON, obsidian_json({"folder": "Journal", "format": "YYYY/MM/[Day] YYYY-MM-DD dddd"}))
    write_vault(
        tmp_path,
        {
            "contacts/Anna Schmidt.md": contact(),
            "contacts/Ben Okafor.md": contact(),
            "Journal/2026/11/Day 2026-11-18 Wednesday.md": "- [[Anna Schmidt]]\n",
            "Journal/2026/10/Day 2026-11-19 Thursday.md": "- [[Ben Okafor]]\n",  # in the wrong month's folder
        },
    )
    assert last_contact(tmp_path, "contacts/Anna Schmidt.md") == date(2026, 11, 18)
    assert last_contact(tmp_path, "contacts/Ben Okafor.md") == date(2026, 1, 5)


def test_vaultnet_toml_overrides_the_format(daily_vault: Path) -> None:
    put(daily_vault, "Daily/20.11.2026.md", "- [[Ben Okafor]]\n")
    put(daily_vault, "vaultnet.toml", 'daily_notes = "DD.MM.YYYY"\n')
    assert last_contact(daily_vault, "contacts/Anna Schmidt.md") == date(2026, 1, 5)
    assert last_contact(daily_vault, "contacts/Ben Okafor.md") == date(2026, 11, 20)


def test_a_format_vaultnet_cannot_read_is_a_warning_that_names_the_tokens(daily_vault: Path) -> None:
    put(daily_vault, DAILY_NOTES_JSON, obsidian_json({"folder": "Daily", "format": "Do MMMM YYYY"}))
    settings = pipeline.load_settings(daily_vault)
    [problem] = settings.problems
    assert (problem.path, problem.line, problem.severity) == (DAILY_NOTES_JSON, 3, "warning")
    assert problem.message.startswith("format: 'Do MMMM YYYY' uses Do, which vaultnet cannot read in a file name")
    assert "set daily_notes in vaultnet.toml" in problem.message
    assert (settings.daily_notes, settings.daily_notes_folder) == ("YYYY-MM-DD", "Daily")  # the folder still holds
    assert last_contact(daily_vault, "contacts/Anna Schmidt.md") == date(2026, 11, 20)
    put(daily_vault, "vaultnet.toml", 'daily_notes = "YYYY-MM-DD"\n')
    assert pipeline.load_settings(daily_vault).problems == ()  # set in vaultnet.toml: the warning is moot


def test_a_format_vaultnet_cannot_read_in_vaultnet_toml_is_an_error_at_its_line() -> None:
    settings = parse_settings('daily_notes_folder = "Daily"\ndaily_notes = "gggg-[W]ww"\n')
    assert settings.daily_notes == "YYYY-MM-DD"
    assert settings.problems == (
        Problem(
            "vaultnet.toml",
            2,
            "daily_notes: 'gggg-[W]ww' uses gggg, ww, which vaultnet cannot read in a file name (it reads YYYY, MM, M, "
            "DD, D and the names dddd, ddd, dd, MMMM, MMM; put other text in [brackets])",
        ),
    )


@pytest.mark.parametrize(
    ("fmt", "path", "day"),
    [
        ("YYYY-MM-DD", "2026-11-20.md", date(2026, 11, 20)),
        ("YYYY-MM-DD", "notes/deep/2026-11-20.md", date(2026, 11, 20)),
        ("YYYY-MM-DD", "notes/x2026-11-20.md", None),
        ("YYYY-MM-DD", "notes/2026-02-30.md", None),  # no such day
        ("YYYYMMDD", "20261120.md", date(2026, 11, 20)),
        ("D.M.YYYY", "5.3.2026.md", date(2026, 3, 5)),
        ("YYYY-MM-DD ddd", "2026-11-20 Fri.md", date(2026, 11, 20)),
        ("dddd, YYYY-MM-DD", "Freitag, 2026-11-20.md", date(2026, 11, 20)),  # a name in any language
        ("YYYY-MM-DD MMMM", "2026-11-20 novembre.md", date(2026, 11, 20)),
        ("YYYY/MM/YYYY-MM-DD", "2026/11/2026-11-20.md", date(2026, 11, 20)),
        ("YYYY/MM/YYYY-MM-DD", "Archive/2026/11/2026-11-20.md", date(2026, 11, 20)),
        ("YYYY/MM/YYYY-MM-DD", "2026-11-20.md", None),  # the folders are part of the format
        ("YYYY/MM/YYYY-MM-DD", "2025/11/2026-11-20.md", None),  # the year twice must be one year
        ("YYYY/YYYY-MM/YYYY-MM-DD", "2026/2026-11/2026-11-20.md", date(2026, 11, 20)),
        ("[Journal] YYYY-MM-DD", "journal 2026-11-20.md", date(2026, 11, 20)),  # any case, as before
        ("[Journal] YYYY-MM-DD", "Jurnal 2026-11-20.md", None),
    ],
)
def test_daily_note_formats(fmt: str, path: str, day: date | None) -> None:
    assert daily_format(fmt).problem is None
    assert daily_note_day(path, Settings(daily_notes=fmt)) == day


@pytest.mark.parametrize(
    ("fmt", "named"),
    [
        ("YY-MM-DD", "uses YY,"),
        ("YYYY-[W]ww", "uses ww,"),
        ("YYYY-MM-DD-journal", "uses a, l,"),  # moment.js reads a and l as tokens: write [journal]
        ("YYYY-MMMM-DD", "must contain YYYY, MM and DD"),  # the month only as a name
        ("YYYY-MM", "must contain YYYY, MM and DD"),
    ],
)
def test_formats_vaultnet_cannot_read_say_why(fmt: str, named: str) -> None:
    reading = daily_format(fmt)
    assert reading.regex is None and reading.problem is not None and named in reading.problem


def test_the_daily_notes_folder_is_in_the_cache_key() -> None:
    assert settings_key(Settings()) != settings_key(Settings(daily_notes_folder="Daily"))
    assert settings_key(Settings()) != settings_key(Settings(other_templates_folders=("Templater",)))


# -- Markdown links in the follow-up note ------------------------------------------------------------------------

LINK_VAULT = {"contacts/Anna Schmidt.md": contact(), "contacts/work/Jürgen (Acme).md": contact()}


def follow_ups(vault: Path, rel: str = "Follow-ups.md") -> str:
    result = run("build", vault, "--today", TODAY)
    assert result.exit_code == 0, result.output
    return (vault / rel).read_text(encoding="utf-8")


def test_use_markdown_links_writes_markdown_links(tmp_path: Path) -> None:
    write_vault(tmp_path, {**LINK_VAULT, APP_JSON: APP})
    text = follow_ups(tmp_path)
    assert "- [Anna Schmidt](contacts/Anna%20Schmidt.md) — *" in text
    assert "[Jürgen (Acme)](contacts/work/Jürgen%20%28Acme%29.md)" in text
    assert "[[" not in text


def test_vaultnet_toml_overrides_use_markdown_links(tmp_path: Path) -> None:
    write_vault(tmp_path, {**LINK_VAULT, APP_JSON: APP}, toml="markdown_links = false\n")
    assert "- [[contacts/Anna Schmidt|Anna Schmidt]] — *" in follow_ups(tmp_path)
    write_vault(tmp_path, LINK_VAULT, toml="markdown_links = true\n")
    (tmp_path / APP_JSON).unlink()
    assert "- [Anna Schmidt](contacts/Anna%20Schmidt.md) — *" in follow_ups(tmp_path)


def test_markdown_links_from_a_follow_up_note_in_a_folder_are_relative(tmp_path: Path) -> None:
    toml = 'markdown_links = true\n[outputs]\nfollowups = "CRM/Today.md"\n'
    write_vault(tmp_path, LINK_VAULT, toml=toml)
    assert "[Anna Schmidt](../contacts/Anna%20Schmidt.md)" in follow_ups(tmp_path, "CRM/Today.md")


def test_a_markdown_link_resolves_to_the_note(tmp_path: Path) -> None:
    """Each link in the note, percent-decoded as Obsidian and CommonMark read it, names the contact's file."""
    from urllib.parse import unquote

    write_vault(tmp_path, {**LINK_VAULT, "contacts/50% [draft] #1.md": contact()}, toml="markdown_links = true\n")
    text = follow_ups(tmp_path)
    targets = {unquote(m) for m in re.findall(r"\]\(([^)\s]+)\)", text)}
    assert targets == {"contacts/Anna Schmidt.md", "contacts/work/Jürgen (Acme).md", "contacts/50% [draft] #1.md"}
    assert r"[50% \[draft\] #1](contacts/50%25%20%5Bdraft%5D%20%231.md)" in text


# -- keeping them current ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        *[(rel, True) for rel in (TEMPLATES_JSON, TEMPLATER_JSON, DAILY_NOTES_JSON, APP_JSON)],
        (".obsidian/workspace.json", False),  # Obsidian writes it on every click: no rebuild
        (".obsidian/plugins/other/data.json", False),
    ],
)
def test_the_watcher_reloads_on_obsidians_settings_files(tmp_path: Path, rel: str, expected: bool) -> None:
    assert relevant(tmp_path, str(tmp_path / rel), ("Follow-ups.md",)) is expected


def test_a_session_reloads_a_changed_obsidian_setting(daily_vault: Path) -> None:
    session = pipeline.Session(daily_vault, persist=False)
    assert session.reload_settings() is False
    put(daily_vault, DAILY_NOTES_JSON, obsidian_json({"folder": "journal"}))
    assert session.reload_settings() is True
    assert session.settings.daily_notes_folder == "journal"
    last = session.snapshot().network.last_interaction("contacts/Ben Okafor.md")
    assert last is not None and last.day == date(2026, 11, 19)
