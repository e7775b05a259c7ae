"""The fifth round of citation shortcuts (issue 12) answers exactly what the plain code answered.

The type word before a number is searched without the pattern's "của <issuer>" gap where the left
context holds no letter of "của" that the gap needs (that branch cannot match there, and a branch
that fails leaves the others' order as it was). The tests draw left contexts from the pieces that
make the gap hard and compare the chosen search with the plain one.
(Speed is measured by `vanban bench` (the text path's stages), never by a test.)
"""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rules
from pipeline.extract import references, regexes
from tests.test_perf_citations_round4 import _plain_read_issuer  # (word starts read by their own finditer)


def _texts(pieces, max_size=30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


def _plain_type_word_before_re():
    """`type_word_before_re` as it was written before the shortcut (one pattern, the gap inside)."""
    return regex.compile(
        rf"(?P<type>{regexes._alternation(rules.type_words())})"
        r"(?P<gap>(?:\s+(?:hành\s+động|liên\s+tịch|chi\s+tiết|hỏa\s+tốc|khẩn|mật|hợp\s+nhất|liên\s+ngành|"
        r"của\s+[^\n;:]{2,60}?|[\w]+\s+[\w]+\s+(?=số)))?\s*(?:\(\s*[^()\n]{0,30}\)\s*)?"
        r"(?:số\s*(?:hiệu)?\s*:?|:)?\s*)\Z",
        regex.IGNORECASE | regex.REVERSE,
    )


def test_the_full_pattern_is_the_plain_one_and_the_other_lacks_only_the_gap():
    full = regexes.type_word_before_re()
    plain = _plain_type_word_before_re()
    assert (full.pattern, full.flags) == (plain.pattern, plain.flags)
    other = regexes.type_word_before_plain_re()
    assert other.pattern == full.pattern.replace(regexes._OF_GAP, "") != full.pattern
    assert other.flags == full.flags
    assert "ủ" in regexes._OF_GAP


def test_no_other_letter_matches_the_gap_letter_whatever_its_case():
    rx = regex.compile("ủ", regex.IGNORECASE)
    assert {chr(c) for c in range(0x110000) if rx.match(chr(c))} == set(regexes.OF_GAP_LETTERS)


_LEFT_PIECES = ["Quyết định", "Nghị định", "Thông tư", "Thông tư liên tịch", "Công văn", "Kế hoạch", "QUYẾT ĐỊNH",
                " của ", " CỦA ", " Của ", " cỦa ", "của", " UBND tỉnh", " Ủy ban nhân dân tỉnh Lâm Đồng", " Bộ Tài chính",
                " hành động", " liên  tịch", " chi tiết", " số ", " số: ", " số hiệu ", ":", " (hỏa tốc) ", "(", ")",
                " ", "  ", "\n", ";", "ngày 12/3/2024", " và ", " x" * 20, " Thủ tướng Chính phủ", "ủy", "Ủ", "ủa",
                "các ", " về việc ", "a" * 30]


def _key(m):
    return None if m is None else (m.span(), m.groupdict(), m.captures("gap"))


@settings(max_examples=4000, deadline=None)
@given(_texts(_LEFT_PIECES, max_size=14))
def test_the_type_word_search_without_the_gap_is_the_plain_one(left):
    of_gap = regexes.OF_GAP_LETTERS[0] in left or regexes.OF_GAP_LETTERS[1] in left
    chosen = (regexes.type_word_before_re() if of_gap else regexes.type_word_before_plain_re()).search(left)
    assert _key(chosen) == _key(_plain_type_word_before_re().search(left))
    if not of_gap:
        assert _key(regexes.type_word_before_plain_re().search(left)) == _key(regexes.type_word_before_re().search(left))


# --- an issuer's name starts read from its tokens --------------------------------------------------

_ISSUER_PIECES = ["Chính phủ", "Thủ tướng Chính phủ", "Bộ trưởng Bộ Tài chính", "Bộ Văn hóa, Thể thao và Du lịch",
                  "UBND tỉnh", "Ủy ban nhân dân", "tỉnh Lâm Đồng", " ", "  ", "\n", ",", ".", "TP.", "3", "3A", "-",
                  " - ", "(cũ)", "(", ")", " về việc", " và ", "'", "&", "Bộ", "BộTài chính", "Quốc hội", "Ban Chấp hành Trung ương",
                  "nước Cộng hòa xã hội chủ nghĩa Việt Nam", "x" * 40, "Đ", "İ", "ſ", "chính", "Y tế"]


@settings(max_examples=4000, deadline=None)
@given(_texts(_ISSUER_PIECES, max_size=18), st.integers(0, 3))
def test_issuers_are_read_as_before(text, pos):
    pos = min(pos, len(text))
    assert references._read_issuer(text, pos) == _plain_read_issuer(text, pos)


def test_names_starting_inside_a_token_and_near_the_limit_are_read_as_before():
    """Known names opening inside a token ("3Bộ Tài chính", "TP.Bộ Y tế") and tokens across the 160
    characters where known names may start."""
    for head in ("Ủy ban nhân dân tỉnh", "Bộ trưởng Bộ Tài chính"):
        for join in (" 3", " TP.", " '", " &", " (cũ)", " - ", " X.", " "):
            for pad in range(100, 200, 3):
                text = head + " " + "Lâm Đồng " * (pad // 9) + join[: 1 + pad % 3] + join + "Bộ Tài chính Bộ Y tế về việc x"
                for pos in (0, 1, len(head) + 1):
                    assert references._read_issuer(text, pos) == _plain_read_issuer(text, pos)
