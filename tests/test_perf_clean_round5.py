"""The fifth round of shortcuts in `pipeline.text.clean` (issue 12) answers exactly what the plain code did.

`canonical_tone` asks `_tone_hint` once with `search` (most strings hold no pair) and reads the
pairs from the first match on. The tests compare it (and `one_space`, `fold`, which call or sit
beside it) with the plain substitutions, over drawn strings and over the whole alphabet where a
shortcut rests on a character class. Speed is measured by `vanban bench` (the text path's stages), never by a test.
"""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import clean


def _plain_tone(s: str) -> str:
    rx, mapping = clean._tone_re()
    return rx.sub(lambda m: mapping[m.group(0)], s)


def _texts(pieces, max_size=16):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- canonical_tone: one search, then the pairs from the first match on ---------------------------

_TONE_PIECES = ["oà", "OÀ", "Oà", "uỷ", "UỶ", "Uỷ", "oá", "oạ", "uý", "oè", "oẻ", "n", "h", "x", " ", ".", "\u0300",
                "ǅ", "ª", "Ⅻ", "ß", "1", "o", "u", "O", "U", "à", "ỷ", "\n", "-"]


@settings(max_examples=5000, deadline=None)
@given(st.one_of(st.text(max_size=40), _texts(_TONE_PIECES)))
def test_tone_is_the_plain_substitution(s):
    assert clean.canonical_tone(s) == _plain_tone(s)


@settings(max_examples=2000, deadline=None)
@given(_texts(_TONE_PIECES))
def test_tone_hint_from_the_first_match_lists_the_matches_of_the_whole_string(s):
    """`finditer(s, first.start())` finds what `finditer(s)` finds: the hint is two character
    classes (no anchor, no look-around reads before `pos`), and nothing matches before `first`."""
    hint = clean._tone_hint()
    first = hint.search(s)
    whole = [m.span() for m in hint.finditer(s)]
    if first is None:
        assert whole == []
    else:
        assert [m.span() for m in hint.finditer(s, first.start())] == whole


def test_tone_hint_is_two_literal_classes():
    hint = clean._tone_hint().pattern
    assert regex.fullmatch(r"\[[^\[\]\\()?^$]+\]\[[^\[\]\\()?^$]+\]", hint), hint


# --- one_space: a printable string's white space is spaces (its existing shortcut) -------------------

def test_printable_white_space_is_the_space():
    """Whole alphabet: the only printable character `regex`'s `\\s` matches is the space, so the
    white space runs of a printable string are runs of spaces."""
    rx = regex.compile(r"\s")
    assert [cp for cp in range(0x110000) if chr(cp).isprintable() and rx.match(chr(cp))] == [0x20]


_SPACE_PIECES = [" ", "  ", "   ", "a", "Ủy", ".", "\t", "\n", "\u00a0", "\u3000", "\u2009", "\x85", "\u200b", "\u180e", "x y"]


@settings(max_examples=5000, deadline=None)
@given(st.one_of(st.text(max_size=40), _texts(_SPACE_PIECES),
                 st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40)))
def test_one_space_is_the_substitution(s):
    assert clean.one_space(s) == clean._SPACES.sub(" ", s)


@settings(max_examples=3000, deadline=None)
@given(_texts([" ", "  ", "   ", "a", "Ủy", ".", "ǅ", "-"]))
def test_one_space_of_printable_strings_is_the_substitution(s):
    assert s.isprintable()
    assert clean.one_space(s) == clean._SPACES.sub(" ", s)


def test_fold_still_the_plain_fold_on_tone_and_space_strings():
    for s in ["Uỷ  ban", "  hoà  ", "UỶ BAN  NHÂN DÂN", "oà", "xoà", "hoàn  tất", "khoẻ\u00a0 mạnh", "Thuỷ lợi ."]:
        plain = regex.sub(r"\s+", " ", _plain_tone(clean.unicodedata.normalize("NFC", s)
                                                  .translate(clean._everywhere_table())).casefold()).strip(" .,;:")
        assert clean.fold.__wrapped__(s) == plain, s
