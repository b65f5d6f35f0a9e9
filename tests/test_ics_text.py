"""escape() and fold(): RFC 5545 TEXT escaping and line folding of the calendar's content lines."""

from __future__ import annotations

from icskit import unescape

from vaultnet.render.ics import escape, fold

# -- escape() and fold() --------------------------------------------------------------------------


def test_escape() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert escape("one\r\ntwo\rthree") == "one\\ntwo\\nthree"
    assert escape("bell\x07 and nul\x00 and del\x7f, tab\tkept") == "bell and nul and del\\, tab\tkept"
    assert escape("\\n is not a newline") == "\\\\n is not a newline"
    assert escape("plain ü 🚀") == "plain ü 🚀"
    for text in ("a,b;c\\d\ne", "C:\\New", "\\\\,;;\n\n", "x\\"):
        assert unescape(escape(text)) == text


def physical(folded: str) -> list[str]:
    return folded.split("\r\n")


def check_folded(line: str) -> list[str]:
    """Fold `line` and check the RFC 5545 rules; returns the physical lines."""
    folded = fold(line)
    parts = physical(folded)
    assert folded.replace("\r\n ", "") == line
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    return parts


def test_fold_at_exactly_75_octets() -> None:
    assert fold("A" * 75) == "A" * 75
    parts = check_folded("A" * 76)
    assert parts == ["A" * 75, " A"]
    parts = check_folded("B" * (75 + 74 + 1))
    assert [len(p) for p in parts] == [75, 75, 2]


def test_fold_never_splits_a_multibyte_character() -> None:
    for char in ("é", "€", "🚀"):
        for prefix in range(68, 80):
            line = "S" * prefix + char * 5 + "tail"
            for part in check_folded(line):
                part.encode().decode("utf-8")
                assert "\ufffd" not in part
    # 74 ASCII octets + a 2-octet character would be 76: the character moves to the next line.
    assert physical(fold("X" * 74 + "é")) == ["X" * 74, " é"]
    # A line of short characters but more than 75 octets is folded even if it has fewer than 75 characters.
    assert len("€" * 30) < 75 < len(("€" * 30).encode())
    assert len(check_folded("€" * 30)) == 2


def escape_split(parts: list[str]) -> list[int]:
    """Fold positions that fall between a backslash and the character it escapes."""
    line = "".join(p.removeprefix(" ") if i else p for i, p in enumerate(parts))
    cuts, at = set(), 0
    for part in parts[:-1]:
        at += len(part) - (1 if at else 0)
        cuts.add(at)
    inside, i = [], 0
    while i < len(line):
        if line[i] == "\\":
            if i + 1 in cuts:
                inside.append(i + 1)
            i += 2
        else:
            i += 1
    return inside


def test_fold_does_not_split_an_escape() -> None:
    for escaped in ("\\,", "\\;", "\\n", "\\\\"):
        for prefix in range(70, 80):
            parts = check_folded("D" * prefix + escaped + "x" * 10)
            assert escape_split(parts) == [], (escaped, prefix, parts)


def test_fold_does_not_split_an_escaped_backslash_before_text() -> None:
    """`\\\\` is one escape (a literal backslash); the fold must not fall between its two characters."""
    for prefix in range(68, 80):
        line = "DESCRIPTION:" + "p" * (prefix - 12) + escape("C:\\New, C:\\nothing")
        parts = check_folded(line)
        assert escape_split(parts) == [], (prefix, parts)


def test_fold_of_the_rendered_escape_of_text_round_trips() -> None:
    text = "Zürich, Tōkyō; 北京 and São Paulo \\ backslash\nnew line " * 4
    parts = check_folded("DESCRIPTION:" + escape(text))
    assert len(parts) > 3
    assert unescape("".join(p.removeprefix(" ") if i else p for i, p in enumerate(parts))[12:]) == text
