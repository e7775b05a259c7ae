"""The shortcuts of `normalize_text` and `fold` answer what the plain code answered.

`_scan` lists the characters outside the blocks of Vietnamese letters from the UTF-16 high bytes;
`_nfc` skips NFC when every character is one NFC leaves alone; `_fold_special` looks the special
characters up in that list. Each is compared with the plain computation on arbitrary Unicode text
and on texts drawn from the pieces that make the cases hard (combining marks, Hangul jamo, characters
outside the BMP, quotes, look-alikes, singletons NFC replaces).
"""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import clean
from tests.test_perf_equivalence import _old_normalize

_PIECES = ["Quyết định", "Quye\u0301t", "\u0301", "\u0323", "\u0300\u0323", "\u0323\u0300", "e", "a", "ê", "\u0302", "ư",
           "“", "”", "–", "\u2000", "\u2001", "\u2002", "\u20d0", "\u20e8", "\u20d1\u20e8", "…", "\u2044", "\u00a0", "\u00ad",
           "С", "TT-BTС", "Ω", "\u2126", "\u212b", "K", "\u212a", "\u1100", "\u1161", "\u11a8", "\uac00", "가", "\u0915\u093c",
           "\u0958", "\U0001d15e", "\U0001d157\U0001d165", "😀", "\ud800", "\r\n", "\r", "\n", " ", "1", "/", "-", "NĐ-CP",
           "\u0344", "\u0374", ";", "\u037e", "\u0387", "\u30ab\u3099", "\u3099", "\u0b47\u0b3e", "\u0b3e", "\u1b05\u1b35",
           "\u0f73", "\uff0f", "\ufeff", "\u1e9b\u0323", "\u0110", "\u00d0"]
_TEXTS = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))


@settings(max_examples=3000, deadline=None)
@given(_TEXTS)
def test_scan_lists_the_characters_outside_the_dense_blocks(text):
    high, rare = clean._scan(text)
    assert high == text.encode("utf-16-le", "surrogatepass")[1::2]
    if rare is not None:
        assert rare == {c for c in text if ord(c) > 0xFFFF or bytes([ord(c) >> 8]) not in clean._DENSE_BLOCKS}


@settings(max_examples=3000, deadline=None)
@given(_TEXTS)
def test_nfc_shortcut_is_nfc(text):
    assert clean._nfc(text, clean._scan(text)[1]) == unicodedata.normalize("NFC", text)


@settings(max_examples=2000, deadline=None)
@given(_TEXTS)
def test_fold_special_from_the_scan_is_the_plain_class(text):
    """(The look-alikes in table order, not in the text's: `_fix_symbol_lookalikes` sorts their places.)"""
    text = unicodedata.normalize("NFC", text)
    plain, seen = clean._fold_special_plain(text)
    for got, found in (clean._fold_special(text, clean._scan(text)), clean._fold_special(text)):
        assert got == plain and sorted(found) == sorted(seen) and len(found) == len(seen)


@settings(max_examples=2000, deadline=None)
@given(_TEXTS)
def test_normalize_text_is_the_plain_normalisation(text):
    assert clean.normalize_text(text) == _old_normalize(text)


def test_every_character_of_the_dense_blocks_is_nfc_inert():
    assert clean._dense_blocks_inert()


def test_no_decomposition_outside_the_bmp_ends_with_a_bmp_character():
    """`_composing_seconds` reads the BMP only."""
    for cp in range(0x10000, 0x110000):
        d = unicodedata.decomposition(chr(cp))
        if d and d[0] != "<":
            parts = d.split()
            assert len(parts) != 2 or int(parts[1], 16) > 0xFFFF, hex(cp)


def test_nfc_inert_characters_are_nfc_after_any_character():
    """Brute force over the blocks the corpus meets: an inert character after any BMP character
    (and a dense-block letter) changes nothing NFC does."""
    befores = [chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF]
    for block in (0x00, 0x01, 0x03, 0x04, 0x1E, 0x20, 0x22, 0x25, 0x30, 0x11):
        for lo in range(256):
            c = chr(block << 8 | lo)
            if not clean._nfc_inert(c):
                continue
            for b in befores:
                pair = b + c
                if unicodedata.is_normalized("NFC", b):
                    assert unicodedata.is_normalized("NFC", pair), (hex(ord(b)), hex(ord(c)))


# --- fold and canonical_tone: steps skipped where they cannot change the string ------------------

def _plain_tone(s: str) -> str:
    rx, mapping = clean._tone_re()
    return rx.sub(lambda m: mapping[m.group(0)], s)


def _plain_fold(s):
    if not s:
        return ""
    s = unicodedata.normalize("NFC", s).translate(clean._everywhere_table())
    s = _plain_tone(s).casefold()
    return clean._SPACES.sub(" ", s).strip(" .,;:")


_FOLD_PIECES = ["Uỷ ban", "UỶ BAN", "Ủy", "hoà", "HOÀ", "Hoà", "hoàn", "oà", "oàx", "uý", "Quý", "thuỷ", "khoẻ", "o", "u",
                "à", "\u0300", "o\u0300", " ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u2028", "\u3000", "\x1c", "\x85", "\u200b",
                "\u180e", "“", "–", ".", ",", ";", ":", " .", "ẞ", "ß", "İ", "ﬁ", "Σ", "ς", "\u0130\u0307", "Đ", "đ", "x"]


@settings(max_examples=5000, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(_FOLD_PIECES), max_size=16).map("".join)))
def test_fold_is_the_plain_fold(s):
    assert clean.fold.__wrapped__(s) == _plain_fold(s)
    assert clean.canonical_tone(s) == _plain_tone(s)


def test_fold_of_nothing():
    assert clean.fold(None) == clean.fold("") == ""


def test_every_regex_space_but_the_space_is_not_printable():
    """`fold` reads a printable string without "  " as one whose `\\s+` runs are single spaces."""
    import regex
    spaces = [chr(cp) for cp in range(0x110000) if regex.match(r"\s", chr(cp))]
    assert " " in spaces
    assert all(not c.isprintable() for c in spaces if c != " ")


def test_tone_hint_is_in_every_old_form():
    rx, mapping = clean._tone_re()
    assert clean._tone_hint() is not None
    assert all(clean._tone_hint().fullmatch(k) for k in mapping)


@pytest.mark.corpus
def test_fold_of_the_corpus_lines_is_the_plain_fold(shared):
    """Real strings: every line of the dev documents, raw and normalised, and its pieces between
    punctuation (the names, titles and clauses `fold` is asked about)."""
    import regex
    n = 0
    for path in sorted((shared / "dev").rglob("*.txt"))[:120]:
        raw = path.read_text(encoding="utf-8")
        for text in (raw, clean.normalize_text(raw)[0]):
            for line in text.split("\n"):
                for s in {line, *regex.split(r"[,;:()]", line)}:
                    assert clean.fold.__wrapped__(s) == _plain_fold(s), s
                    n += 1
    assert n > 10000


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(_FOLD_PIECES), max_size=16).map("".join)))
def test_one_space_is_the_substitution(s):
    assert clean.one_space(s) == clean._SPACES.sub(" ", s)
