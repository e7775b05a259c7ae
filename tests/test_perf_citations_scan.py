"""The second round of citation shortcuts (issue 12) answers exactly what the plain code answered.

Each shortcut passes over work that cannot change a result: a number's separator skipped by what
follows it or by what precedes its digits, the common head of a number read without its pattern,
a run of spaces squeezed by `str.split`, pure functions of short strings cached. The tests draw
texts from the pieces that make those cases hard and compare each shortcut with the plain code.
(Speed is measured by build/perf/citations_time.py, never by a test.)
"""
from __future__ import annotations

import sys

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import references, regexes
from pipeline.extract.regexes import iter_numbers, number_re


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


def _texts(pieces, max_size=30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- numbers: separators skipped by their neighbours, the common head read without the pattern --

_NUMBER_PIECES = ["0", "1", "2", "12", "123456", "1234567", "2017", "19", "20", "/", "-", " ", "  ", ".", "a", "z",
                  "x", "_", "ậ", "và", "Q", "T", "Đ", "Ð", "QĐ-UBND", "/NĐ-CP", "NĐ-CP", "12.5", "12a", "٣", "𝟙", "\n",
                  "(", ")", "số ", "TW", "-HD/", "và/hoặc", "05/7/2017", "/2024/", "CT/TU", "UBND", ",", ":"]


@settings(max_examples=1500, deadline=None)
@given(_texts(_NUMBER_PIECES))
def test_numbers_with_the_neighbour_filters_are_the_finditer(text):
    assert _spans(iter_numbers(text)) == _spans(number_re().finditer(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789./- aAZĐ_(٣", max_size=40))
def test_numbers_from_digit_soup_are_the_finditer(text):
    assert _spans(iter_numbers(text)) == _spans(number_re().finditer(text))


def test_digit_test_is_the_patterns():
    d = regex.compile(r"\d")
    for c in ["0", "9", "٣", "𝟙", "a", "ậ", "Ⅻ", "²", "\u0e51"]:
        assert regexes._is_digit(c) == (d.match(c) is not None)


# --- spaces: `str.split` for `\s+` ---------------------------------------------------------------

def test_every_regex_space_is_a_split_space():
    ws = regex.compile(r"\s")
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        if ws.match(ch):
            assert ch.isspace()
        elif ch.isspace():
            assert ch in references._SPLIT_ONLY_SPACES


_SPACE_PIECES = ["Luật", " ", "  ", "\n", "\t", "\xa0", "\u2009", "\x1c", "\x1f", ",", " ,", "X", "ậ", "\r\n", "\u3000"]


@settings(max_examples=800, deadline=None)
@given(_texts(_SPACE_PIECES, 12), st.sampled_from([None, " ,", " "]))
def test_spaced_is_the_substitution(s, chars):
    assert references._spaced(s, chars) == references._WS.sub(" ", s).strip(chars)


# --- the little patterns answered from a literal or a cache --------------------------------------

@settings(max_examples=400, deadline=None)
@given(_texts(["UBND tỉnh", " và", " các", "và", "các", "\n", " ", "Sở", " hoặc", "-"], 6))
def test_trailing_connector_is_the_substitution(name):
    fast = references._TRAILING_CONNECTOR.sub("", name) if name.endswith(references._CONNECTOR_ENDS) else name
    assert fast == references._TRAILING_CONNECTOR.sub("", name)


@settings(max_examples=300, deadline=None)
@given(_texts(["Luật", "Bộ luật", "Pháp lệnh", " ", "sửa", " đổi", "sửa đổi", "Sửa", "X"], 6))
def test_amending_test_is_the_pattern(name):
    from pipeline.models import Citation
    c = Citation(mention="", start=0, end=0, cited_name=name or None)
    assert references._amending(c) == (bool(name) and references._AMENDING_HEAD.match(name) is not None)


@settings(max_examples=300, deadline=None)
@given(_texts(["12", "/", "2017", "2024", "NĐ-CP", "QĐ", "-", "a", ".", "5", "١٢٣٤"], 8))
def test_cached_number_parts_are_the_patterns(number):
    m = references._WITH_YEAR.fullmatch(number)
    assert references._with_year(number) == ((m.group(1), m.group(2)) if m else None)
    assert references._is_normative(number) == (references._NORMATIVE.search(number) is not None)
    m = references._ACRONYM_LAW.fullmatch(number)
    assert references._acronym_law(number) == ((m.group(1), m.group(2)) if m else None)


# --- windows answered by their last word instead of a pattern anchored at their end -------------

def test_odd_cases_are_the_only_letters_lower_misses():
    """Every character an IGNORECASE pattern matches for a letter of the words looked at lowers to
    that letter, but "İ" and "ſ" (which `_tail_lower` leaves to the pattern)."""
    words = references._CONNECTOR_VERBS + references._ENACTING_VERBS + references._EXCLUDED_BEFORE_SO + ("số",)
    letters = {ch for w in words for ch in w}
    odd = set()
    for letter in letters:
        rx = regex.compile(regex.escape(letter), regex.IGNORECASE)
        for c in range(sys.maxunicode + 1):
            ch = chr(c)
            if rx.fullmatch(ch) and ch.lower() != letter:
                odd.add(ch)
    assert odd <= set(references._ODD_CASES)


_LEFT_PIECES = ["Căn cứ ", "Quyết định", " số", "số", "SỐ", " ", "  ", "\n", "\t", ":", " : ", "mã", "Mã", "MÃ",
                "mẫu", "Biểu", "biểu mẫu", "phụ lục", "tài khoản", "tờ khai", "bản đồ", "tờ bản đồ", "thửa", "hồ sơ",
                "biển", "điện thoại", "fax", "ĐT", "đt", "x", "İ", "ſ", "ban hành", "BAN HÀNH", "ký", "có", "các",
                "tại", "TẠI", "theo", "đã", "có ý kiến", "báo cáo", "ngày 12/3/2024, ", "ngày 5 tháng 6 năm 2020, ",
                "UBND tỉnh ", "hành", "\x1c"]


@settings(max_examples=1500, deadline=None)
@given(_texts(_LEFT_PIECES, 10))
def test_last_word_filters_never_drop_a_match(left):
    text = "Mở đầu. " + left
    lo, hi = 0, len(text)
    if references.excluded_before_re().search(left):
        assert references._may_be_excluded(left)
    if references._ISSUER_CONNECTOR.search(text, lo, hi):
        assert references._ends_with_word(text, lo, hi, references._CONNECTOR_VERBS)
    if references._DATE_BEFORE.search(text, lo, hi):
        assert references._ends_with_word(text, lo, hi, references._ENACTING_VERBS)


@settings(max_examples=300, deadline=None)
@given(_texts(_LEFT_PIECES, 6), st.integers(0, 80))
def test_last_word_of_a_long_space_run(left, spaces):
    text = left + " " * spaces
    if references._ISSUER_CONNECTOR.search(text, 0, len(text)):
        assert references._ends_with_word(text, 0, len(text), references._CONNECTOR_VERBS)


_GAP_PIECES = [",", ";", " và ", "và", " hoặc ", "/", " các ", "các", " số ", "số", ":", " ", "  ", "\n", "x", "Luật",
               "\x1c", "VÀ", "ſố"]


@settings(max_examples=800, deadline=None)
@given(_texts(_GAP_PIECES, 12))
def test_list_gap_is_the_pattern(gap):
    assert references._is_list_gap(gap) == (references._LIST_GAP.match(gap) is not None)


_RIGHT_PIECES = [";", ".", ")", ":", "!", "?", '"', "'", "”", "“", "»", "]", "}", "|", "/", "-", "…", " ", ",", "(",
                 "ngày", "của", "12", "do", "về", "v/v", "năm 2020", "\n"]


@settings(max_examples=500, deadline=None)
@given(_texts(_RIGHT_PIECES, 6))
def test_characters_no_opening_starts_with(text):
    if text[:1] in references._NO_OPENING:
        assert references._RIGHT_OPENING.match(text, 0, len(text)) is None


@settings(max_examples=300, deadline=None)
@given(_texts(["sửa", "bổ", " đổi", " sung", "Sửa", " ", "Luật", "số", " 12"], 6))
def test_literal_openings_of_little_patterns(rest):
    if references._AMENDING_NAME.match(rest):
        assert rest.startswith(references._AMENDING_VERBS)
    if references._NUMBER_FOLLOWS.match(rest, 0, 20):
        assert rest.find("số", 0, 20) >= 0


def test_cached_dates_are_the_dates():
    for s in ["05/7/2017", "26 tháng 8 năm 2025", "31/2/2020", "9-5-17", "1 tháng 13 năm 2020"]:
        m = regexes.date_re().search(s)
        if m:
            assert references._date_of(m) == regexes.date_from_match(m)
