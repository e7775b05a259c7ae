"""The fourth round of shortcuts in `assign_relations` (issue 12, text-path throughput) answers exactly
what the plain code it replaces answered.

The shortcuts: a cue loosened (its assertions taken out) and tried as a partial match on a short
stretch (the view's last word, the first characters after a citation or of a clause) tells which
cues may match there at all; an adjacent cue whose matches open with its first word is tried where
that word stands, its answer remembered by the text from there; a "\\n" not followed by a space ends
no longer break. Each test draws texts from the pieces that make a case hard and compares the
shortcut with the plain code, written out here. (Speed is measured by `vanban bench` (the text path's stages), never by a test.)
"""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rules
from pipeline.extract import relations

from tests.test_perf_relations import _CUE_PIECES, _plain_adjacent

_SPACES = [" ", "  ", "\n", " \n ", "\t", "\u00a0", "\x1c", "\u2028"]
_ODD = ["x", "ſ", "\u212a", "İ", "ß", ".", ";", "(", ")", ":", "-", "1", "Đ"]


def _text(pieces, size=14, sep=""):
    return st.lists(st.sampled_from(pieces + _SPACES + _ODD), max_size=size).map(sep.join)


# -- loosened patterns -----------------------------------------------------------------------------

def test_loosened_takes_out_assertions_and_refuses_what_it_cannot_take_apart():
    assert relations._loosened(r"\bfoo\s*\Z") == r"foo\s*"
    assert relations._loosened(r"^a$") == "a"
    assert relations._loosened(r"theo\b(?!\s+(?:quy\s+định|đề\s+nghị))") == "theo"
    assert relations._loosened(r"(?<!được\s)(?<!bị\s)\bbãi\s+bỏ\b") == r"bãi\s+bỏ"
    assert relations._loosened(r"[^;\n\b$^]{0,80}?x") == r"[^;\n\b$^]{0,80}?x"  # a class is copied whole
    assert relations._loosened(r"[]b]\b") == "[]b]"
    assert relations._loosened(r"a\\b") == r"a\\b"  # an escaped backslash, then a letter
    assert relations._loosened(r"(?P<x>a)\b") == "(?P<x>a)"
    for refused in (r"(a)\1", r"(?>a)", r"a*+", r"a++", r"(?i)a", r"\b*a", r"a$?", r"(?=a)*", r"\Ka", r"\g<1>",
                    r"(?(1)a|b)", r"(?#x)a", r"[abc"):
        assert relations._loosened(refused) is None, refused


def _patterns():
    """Every pattern the shortcuts loosen, with its flags."""
    out = [(relations._LIST_MARKER.pattern, relations._LIST_MARKER.flags),
           (relations._CONNECTIVE.pattern, relations._CONNECTIVE.flags)]
    for scope, cs in relations.cues().items():
        out += [(c.rx.pattern, c.rx.flags) for c in cs]
    return out


_LOOSE_PIECES = (_CUE_PIECES + ["gửi kèm", "đính kèm theo", "(", ")", "Điều 9.", "Thực hiện", "triển khai", "Bãi bỏ",
                                "được bãi bỏ", "bị", "hết hiệu lực", "căn cứ pháp lý:", "v/v", "Đồng thời,", "1.", "a)"])


@settings(max_examples=1500, deadline=None)
@given(_text(_LOOSE_PIECES, 10, " "), st.data())
def test_loosened_pattern_matches_where_the_pattern_matches(text, data):
    """A match of a pattern (at any place, in any view) is a match of its loosened pattern there: the
    loosened one is the same pattern with conditions left out."""
    pattern, flags = data.draw(st.sampled_from(_patterns()))
    loose = relations._loosened(pattern)
    if loose is None:
        return
    rx, lrx = regex.compile(pattern, flags), regex.compile(loose, flags)
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    m = rx.match(text, a, b)
    if m is not None:  # (the same way through, read on the match alone: it reads nothing around it)
        assert lrx.fullmatch(text[m.start(): m.end()]) is not None, (pattern, m.group())


@settings(max_examples=2000, deadline=None)
@given(_text(_LOOSE_PIECES, 10, " "), st.data())
def test_a_stretch_of_a_match_is_a_partial_match_of_the_loosened_pattern(text, data):
    """What the partial tests rest on: where an adjacent cue matches a view, every stretch that ends
    the view passes its test (read from the end); where a trailing cue or a clause cue matches, every
    stretch that opens the text read passes its test."""
    i = data.draw(st.integers(0, len(relations.cues()["adjacent"]) - 1))
    k = data.draw(st.integers(0, len(text)))
    test = relations._adjacent_tests()[i]
    if test is not None and relations.cues()["adjacent"][i].rx.search(text):
        assert test(text[k:]), (i, text, k)
    for cue, test in zip(relations._trailing_cues(), relations._trailing_tests()):
        if test is not None and cue[1](text):
            assert test(text[:k]), (text, k)
    test = relations._clause_opening_test()
    if test is not None and relations._clause_cue(text, 0):
        assert test(text[:k]), (text, k)


# -- adjacent cues from the view's last word, tried where their word stands --------------------------

_VIEW_PIECES = _CUE_PIECES + ["Căn cứ", "quy định", "theo quy định tại", "xtheo", "theoo", "ban hành kèm theo", "của Bộ",
                              "sửa đổi, bổ sung một số điều của", "được hướng dẫn tại", "điều 5", "Luật số 12/2020",
                              "xét đề nghị của Sở", "thay thế cho", "toàn bộ"]


@settings(max_examples=2500, deadline=None)
@given(_text(_VIEW_PIECES, 12, " "))
def test_adjacent_cues_from_the_last_word_and_the_opening_word_are_the_plain_search(left):
    """`_cues_ending` (only the cues that may end with the view's last word; a cue opening with its
    word tried where the word stands, its answer remembered by what follows) finds the cues the
    plain loop finds, in its order, from a cold start and from what earlier views left."""
    want = _plain_adjacent(left)
    assert [(s, r) for s, _, r in relations._cues_ending.__wrapped__(left)] == want
    relations._adjacent_candidates.cache_clear()
    relations._cue_matches_at.cache_clear()
    assert [(s, r) for s, _, r in relations._cues_ending.__wrapped__(left)] == want


@settings(max_examples=1500, deadline=None)
@given(_text(_VIEW_PIECES, 8, " "), _text(_VIEW_PIECES, 8, " "))
def test_a_remembered_opening_word_answer_is_the_answer_of_another_view(head, tail):
    """The answer at a word is read by the text from the character before it: two views that share
    that text share it (the memo is filled by one view and read by the other)."""
    for left in (head + tail, tail, "x" + tail, " " + tail):
        assert [(s, r) for s, _, r in relations._cues_ending.__wrapped__(left)] == _plain_adjacent(left)


def test_opening_word_cues_are_those_that_open_with_their_word():
    raw = [p for _, scope, p in rules.relation_cues() if scope == "adjacent"]
    for i in relations._opening_word_cues():
        cue = relations.cues()["adjacent"][i]
        assert raw[i].lower().startswith("\\b" + cue.words[0]), raw[i]


# -- trailing cues from the first characters after a citation ---------------------------------------

_TRAIL_PIECES = ["(", ")", "được", "gửi", "đính", "kèm", "kèm theo", "theo", "Kèm Theo", "GỬI KÈM", ",", ";", ".",
                 "ngày 12", "của", "về việc", "số", "-"]


@settings(max_examples=2000, deadline=None)
@given(_text(_TRAIL_PIECES, 10, " "), st.data())
def test_trailing_candidates_hold_every_trailing_cue_that_matches(text, data):
    """`_trailing_candidates` of the first TRAIL_KEY characters after a citation (fewer at the end of
    its window) keeps, in order, every trailing cue that matches there: `_relation` tries those
    alone."""
    reach = data.draw(st.integers(0, len(text)))
    head = text[: relations.TRAIL_KEY if relations.TRAIL_KEY < reach else reach]
    kept = relations._trailing_candidates(head)
    relations._trailing_candidates.cache_clear()
    assert relations._trailing_candidates(head) == kept
    full = relations._trailing_cues()
    assert [c for c in full if c in kept] == list(kept)
    for cue in full:
        if cue[1](text, 0, reach):
            assert cue in kept, (text[:reach], cue[0])


# -- clause cues from the clause's first characters -------------------------------------------------

_CLAUSE_PIECES = ["Căn cứ", "căn  cứ", "Căn cứx", "Thực hiện", "để thực hiện", "Triển khai", "Theo", "theo quy định",
                  "Theo đề nghị", "Xét đề nghị", "xét báo cáo", "Xét", "xem xét", "trên cơ sở", "Tờ trình", "các",
                  "Bãi bỏ", "bãi bỏx", "a) ", "1. ", "- ", "Điều 2. ", "v/v ", "Đồng thời, ", "tiếp tục chỉ đạo ",
                  "và ", "Quyết định", "IV. ", "(2) ", "tập trung ", "quán triệt", "tổ chức thực hiện", "Tổ chức"]


@settings(max_examples=2500, deadline=None)
@given(_text(_CLAUSE_PIECES, 8), st.data())
def test_clause_cue_after_its_opening_is_read_is_the_clause_cue(text, data):
    """`_Clauses.clause_cue` (no cue where the clause's first CLAUSE_KEY characters open none) is
    `_clause_cue` at that place."""
    clauses = relations._Clauses(text, ())
    for _ in range(3):
        pos = data.draw(st.integers(0, len(text)))
        assert clauses.clause_cue(pos) == relations._clause_cue(text, pos), text[pos:]


# -- a "\n" ends no longer break when no space follows it ------------------------------------------

_NL_PIECES = ["\n", "\n ", " \n", ".", ":", ")", " ", "  ", "\u00a0", "Thực", "Căn", "A", "a", ";", "Đ", "x"]


@settings(max_examples=2500, deadline=None)
@given(st.lists(st.sampled_from(_NL_PIECES), max_size=16).map("".join), st.data())
def test_reverse_break_at_a_newline_is_the_reverse_search(text, data):
    """`_reverse_break` (the break through a "\\n" looked for only when a space follows it) finds the
    break the reverse search finds."""
    b = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(b, len(text)))
    m = relations._CLAUSE_BREAK_REV.search(text, b, end)
    assert relations._reverse_break(text, b, end) == (m.span() if m else None)


# -- an item's words before its citation ------------------------------------------------------------

_REST_PIECES = ["các", "Các", "CÁC", "cụm từ", "Cụm từ", "từ", "Từ ngữ", "từ:", "“", "”", "\"", "được Bộ giao", "tại", "của",
                "trong", "Quyết định", "Nghị định số 12", "ſ", "\u212a", "İ", "x", ";", " ", "\n"]


@settings(max_examples=2500, deadline=None)
@given(st.lists(st.sampled_from(_REST_PIECES + [" ", "  ", "\u00a0", "\t"]), max_size=10).map("".join), st.data())
def test_item_rest_ruled_out_by_its_opening_is_not_matched_whole(rest, data):
    """`_may_be_item_rest` of the first characters of what stands between an item's marker and its
    citation (all of it when shorter) is true wherever `_ONLY_CAC` or `_PHRASE_ITEM` matches it whole."""
    k = data.draw(st.integers(0, len(rest)))
    if relations._ONLY_CAC.fullmatch(rest) or relations._PHRASE_ITEM.fullmatch(rest):
        assert relations._may_be_item_rest(rest[:k]), (rest, k)
        assert relations._item_rest_test()(rest[:k]), (rest, k)


_ITEM_PIECES = ["\n", "- ", "1. ", "a) ", "b.", "(2) ", "+ ", "Điều 1. ", "các ", "Cụm từ “được giao” tại ", "Quyết định ",
                "Thông tư số 05/2021; ", "khoản 2 Điều 5 ", "Bãi bỏ các Thông tư sau:", "Căn cứ:", " ", "x"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_ITEM_PIECES), max_size=10).map("".join), st.data())
def test_heading_relation_with_the_rest_ruled_out_early_is_the_plain_walk(text, data):
    """`_heading_relation` (an item's words ruled out by their first characters before the two
    patterns are tried) answers what it answered with the patterns alone."""
    if not text:
        return
    clauses = relations._Clauses(text, ())
    start = data.draw(st.integers(0, len(text) - 1))
    line = clauses.line_start(start)
    c = relations.Citation(mention=text[start:], start=start, end=len(text))
    want = _plain_heading_relation(text, c, relations._Clauses(text, ()), line)
    assert relations._heading_relation(text, c, clauses, line) == want


def _plain_heading_relation(text, c, clauses, line_start):
    first = text[line_start]
    if first.isalpha() and (line_start + 1 >= c.start or text[line_start + 1] not in ".)"):
        return None
    marker = relations._ITEM_MARKER.match(text, line_start, c.start)
    if not marker or c.start - marker.end() > relations.ITEM_HEAD_REACH:
        return None
    rest = text[marker.end(): clauses.part_cut(marker.end(), c.start)]
    if not (relations._ONLY_CAC.fullmatch(rest) or relations._PHRASE_ITEM.fullmatch(rest)):
        return None
    return clauses.heading_above(line_start)
