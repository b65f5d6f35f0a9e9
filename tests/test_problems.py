"""Problems as data, and text made printable (vaultnet/problems.py): what a terminal would act on is shown escaped."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.problems import _UNSAFE_TEXT, _escaped, printable

_PIECES = ["a", "ü", "\n", "\r", "\r\n", "\t", "\x1b", "\x7f", "\x85", "\u202e", "\udcff", " "]
_TRICKY = st.lists(st.sampled_from(_PIECES)).map("".join)


@given(_TRICKY)
@settings(max_examples=400)
def test_printable_of_lines_is_the_one_pattern_it_stands_for(text: str) -> None:
    """`printable(lines=True)` looks in two steps (for speed); it gives what the one pattern gives, and is
    idempotent (a text shown once is shown the same again)."""
    assert printable(text, lines=True) == _UNSAFE_TEXT.sub(_escaped, text)
    assert printable(printable(text, lines=True), lines=True) == printable(text, lines=True)
    assert printable(printable(text)) == printable(text)


def test_a_lone_carriage_return_is_escaped_and_crlf_kept() -> None:
    assert printable("a\r\nb\rc\x1b[31m", lines=True) == "a\r\nb\\rc\\x1b[31m"
