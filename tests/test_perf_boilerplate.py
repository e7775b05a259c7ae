"""The boilerplate shortcuts of clean.py answer what the plain scans answered.

A `line` or `end` pattern with an anchor is tried only at the lines the anchor opens
(`clean._opened_lines`, boilerplate.tsv): every match must start there, and the removal must be the
plain removal (each pattern scanned over the whole text, or the whole tail). The texts are drawn
from the words that open portal lines and footers, their near misses, and line breaks and spaces.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import clean
from tests.test_perf_equivalence import _plain_removal

_PIECES = ["Cổng thông tin điện tử", "Bản quyền thuộc về", "Bản quyền", "Copyright", " ©", "©", "Địa chỉ:", "Điện thoại",
           "Fax", "Email", "Trang chủ", " > ", "›", "Bạn đang xem", "Đăng nhập", "Đăng ký", "Lưu trữ", "Facebook", "In",
           "Info", "Tải về", "Chia sẻ", ":", "\n", "\n\n", " ", "\t", "x", "Quyết định", "Quyết định 12/QĐ-UBND năm 2024. ",
           "năm 2024. ", "Điều 1", ". ", "a", "\r", "\u2028", "\x85", "12", "Đ"]

_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


def _opened_patterns():
    got = [b for b in clean._boilerplate_res() if b.opener is not None]
    assert {b.where for b in got} == {"line", "end"}  # portal_line, portal_meta_footer
    return got


@settings(max_examples=1500, deadline=None)
@given(_TEXTS)
def test_every_match_starts_at_a_line_its_anchor_opens(text):
    for b in _opened_patterns():
        opened = set(clean._opened_lines(text, b))
        for m in b.rx.finditer(text):
            assert m.start() in opened, (b.name, text, m.span())


@settings(max_examples=800, deadline=None)
@given(_TEXTS, st.integers(0, 40))
def test_end_pattern_first_opened_line_is_the_search(text, pos):
    for b in _opened_patterns():
        if b.where != "end":
            continue
        plain = b.rx.search(text, pos)
        got = next(filter(None, (b.rx.match(text, s) for s in clean._opened_lines(text, b, pos))), None)
        assert (got and got.span()) == (plain and plain.span())


@settings(max_examples=1500, deadline=None)
@given(_TEXTS)
def test_removal_is_the_plain_removal(text):
    assert clean.remove_boilerplate(text) == _plain_removal(text)


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.integers(1150, 1550))
def test_removal_with_a_long_tail_is_the_plain_removal(text, pad):
    """The `end` pattern reads only the last 1500 characters: a footer near that edge."""
    text = "x" * pad + "\n" + text
    assert clean.remove_boilerplate(text) == _plain_removal(text)


# --- broken symbols and footnote marks: one scan for both, then each from where it stopped ---------

def _plain_join(text: str) -> str:
    text = clean._BROKEN_SYMBOL.sub("-", text)
    return clean._footnote_re().sub(r"\1", text)


def _join_pieces():
    abbrs = list(clean._footnote_abbrs())
    return (["-", "-\n", "\n", "1", "12", "/", "2024/", "126/2024/NĐ", "NĐ", "QĐ", "UBND", " ", ",", ".", ")", "a", "x",
             "CP", "TTg", "Đ", "-CP1, ", "-\nCP1 "] + abbrs[:12] + abbrs[-6:])


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_join_pieces()), max_size=24).map("".join))
def test_join_broken_symbols_is_the_plain_substitution(text):
    assert clean._join_broken_symbols(text) == _plain_join(text)


def test_join_makes_a_footnote_mark():
    """A footnote mark that only the joined line break makes ("NĐ-" / "CP1,")."""
    text = "x 126/2024/NĐ-\nCP1, y"
    assert clean._join_broken_symbols(text) == _plain_join(text) == "x 126/2024/NĐ-CP, y"
