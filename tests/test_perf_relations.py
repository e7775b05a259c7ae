"""The shortcuts of `assign_relations` (issue 12, text-path throughput) answer exactly what the plain
searches they replace answered.

Each test draws texts from the pieces that make a shortcut's case hard and compares it with the
search it stands for, written out here as the code read before the shortcut. (Speed itself is
measured by `vanban bench` and build/perf/relations_time.py, never by a test.)
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import relations

# -- clause breaks ---------------------------------------------------------------------------------

_BREAK_PIECES = ["\n", ";", ".", ":", ")", " ", "  ", "\t", "\u00a0", "\u2028", "\x1c", " \n ", ".\n", ". \n  ",
                 "Thực hiện", "Căn", "Căncứ", "theo", "Theo", "Xét", "a", "X", "Đ", "Quyết định", "1.000", "...",
                 "Điều 5. ", ") Triển"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_BREAK_PIECES), max_size=24).map("".join), st.data())
def test_reverse_break_is_the_reverse_search(text, data):
    """`_reverse_break` (the last "\\n" / ";", the ".", ":" and ")" after it matched in place, the
    view left to the reverse search past BREAK_CANDIDATES of them) finds the break the reverse
    search finds."""
    b = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(b, len(text)))
    cap, relations.BREAK_CANDIDATES = relations.BREAK_CANDIDATES, data.draw(st.sampled_from([0, 1, 2, 12]))
    try:
        m = relations._CLAUSE_BREAK_REV.search(text, b, end)
        assert relations._reverse_break(text, b, end) == (m.span() if m else None)
    finally:
        relations.BREAK_CANDIDATES = cap


# -- part tails ------------------------------------------------------------------------------------

_PART_PIECES = ["khoản 2", "Điều 5", "điểm a", "tiểu mục 3", "tiểu  mục", "mục", "phụ lục", "Phụ lục II", "của", "tại",
                "thuộc", "các", "và", ",", " ", "  ", "\n", "Nghị định", "x", "Khoản 1.2", "ĐIỀU 4", "KHOẢN", "chương II",
                "a", "b)", "điều chỉnh", "Điều 44 của Luật X,", "TRIỂN KHAI", "quy định tại", "Căn cứ", "1.2.3", "IV",
                "ſ", "\u212a", "İ", "ß", "ŉ", "\u00a0", "\x1c", "tiết"]
_PART_TEXT = st.lists(st.sampled_from(_PART_PIECES), max_size=16).map(" ".join)


@settings(max_examples=1500, deadline=None)
@given(_PART_TEXT, st.data())
def test_part_cut_is_the_strip_of_each_view(text, data):
    """`part_cut` (the run of the characters a part is made of that ends the view, its part words
    tried in order, in one stretch or two; else the view read whole) is the leftmost start of the
    forward search, whatever view is read first."""
    looks, relations.PART_TAIL_LOOKS = relations.PART_TAIL_LOOKS, data.draw(
        st.sampled_from([(24, 96), (1,), (3, 8), (200,)]))
    try:
        clauses = relations._Clauses(text, ())
        end = data.draw(st.integers(0, len(text)))
        for _ in range(4):  # several views ending at one citation, in any order
            lo = data.draw(st.integers(0, end))
            assert clauses.part_cut(lo, end) == lo + len(relations._strip_part(text[lo:end])), (text[lo:end],)
    finally:
        relations.PART_TAIL_LOOKS = looks


@settings(max_examples=800, deadline=None)
@given(_PART_TEXT, st.data())
def test_part_tail_characters_hold_every_character_of_a_match(text, data):
    """Every character of a `_PART_TAIL` match, case-folded, is one `_run_tail_start` keeps in the
    run that ends a view (where case-folding keeps the length; else the view is read whole: "İ",
    which `[a-z]` matches, folds to two)."""
    end = data.draw(st.integers(0, len(text)))
    m = relations._PART_TAIL.search(text, 0, end)
    if m is not None and len(m.group().casefold()) == len(m.group()):
        assert all(ch in relations._PART_TAIL_CHARS for ch in m.group().casefold()), m.group()


# -- adjacent cues ---------------------------------------------------------------------------------

_CUE_PIECES = ["theo", "Theo", "THEO", "quy định", "tại", "căn cứ", "Căn Cứ", "sửa đổi", "bổ sung", "được", "xét",
               "đề nghị", "bãi bỏ", "thay thế", "kèm theo", "gửi kèm", "đính chính", "phúc đáp", "của", "các", " ", ",",
               "trên cơ sở", "ſửa", "ý kiến", "bởi", "đã", "hợp nhất", "một số điều", "khoản 2", "SỬA ĐỔI", "báo cáo"]


def _plain_adjacent(left: str) -> list[tuple[int, str]]:
    """The cue search as it was: every cue in the table's order, its words tested, then searched;
    the matches sorted by start (a stable sort: ties in the table's order)."""
    found = []
    folded = left.casefold()
    for cue in relations.cues().get("adjacent", ()):
        if all(w in folded for w in cue.words):
            m = cue.rx.search(left)
            if m:
                found.append((m.start(), cue.relation))
    found.sort(key=lambda x: x[0])
    return found


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_CUE_PIECES), max_size=10).map(" ".join))
def test_adjacent_cues_grouped_and_remembered_are_the_plain_search(left):
    """`_cues_ending` (cues grouped by their first word, the answer remembered per string) finds the
    cues the plain loop finds, in its order."""
    got = relations._cues_ending(left)
    assert [(s, r) for s, _, r in got] == _plain_adjacent(left)
    assert relations._cues_ending(left) == got  # (remembered)


# -- clause cues -----------------------------------------------------------------------------------

_CLAUSE_PIECES = ["Căn cứ", "căn  cứ", "Căn cứx", "Thực hiện", "để thực hiện", "Triển khai", "Theo", "theo quy định",
                  "Theo đề nghị", "Xét đề nghị", "xét báo cáo", "Xét", "xem xét", "trên cơ sở", "Tờ trình", "các",
                  "Bãi bỏ", "bãi bỏx", "a) ", "1. ", "- ", "Điều 2. ", "v/v ", "Đồng thời, ", "tiếp tục chỉ đạo ",
                  "và ", " ", "\n", "Quyết định"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_CLAUSE_PIECES), max_size=8).map("".join), st.data())
def test_clause_cues_as_one_pattern_are_the_cues_in_turn(text, data):
    """`_clause_cue` (one alternation, a named group per cue) names the first cue that matches in
    turn, with the same end."""
    clause = data.draw(st.integers(0, len(text)))
    m = relations._LIST_MARKER.match(text, clause, clause + relations.MARKER_REACH)
    start = m.end() if m else clause
    cm0 = relations._CONNECTIVE.match(text, start, start + relations.MARKER_REACH)
    start = cm0.end() if cm0 else start
    want = None
    for cue in relations.cues().get("clause", ()):
        cm = cue.rx.match(text, start, min(len(text), start + 200))
        if cm:
            want = (cue.relation, cm.end())
            break
    assert relations._clause_cue(text, clause) == want


# -- sections --------------------------------------------------------------------------------------

_SECTION_PIECES = ["* Căn cứ pháp lý:", "Căn cứ pháp lý :", "CĂN CỨ PHÁP LÝ:", "căn cứ\npháp lý:", "Căn cứ pháp lý",
                   "- Về đề nghị:", "Quyết định số 607", " ", "\n", "* ", "II. Nội dung", ":", "x", "a",
                   "x" * 1400]  # (a label more than 3000 characters back is not read)


def _plain_section(text: str, pos: int) -> str | None:
    """`section` as it was: every label of the text listed, the best before `pos` read."""
    labels = sorted((m.start(), m.end(), cue.relation) for cue in relations.cues().get("section", ())
                    for m in cue.rx.finditer(text))
    starts, reach_list, reach = [], [], -1
    for start, end, _ in labels:
        reach = max(reach, end)
        starts.append(start)
        reach_list.append(reach)
    stop = bisect_right(reach_list, pos)
    best = None
    for k in range(bisect_left(starts, pos - 3000), stop):
        start, end, relation = labels[k]
        if best is None or end > best[0]:
            best = (end, relation)
    if best and not relations._SECTION_END.search(text, best[0], pos):
        return best[1]
    return None


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_SECTION_PIECES), max_size=12).map("".join), st.data())
def test_section_from_the_line_is_the_listed_labels(text, data):
    """`section` (no label end on the line: no pass over the text) answers what the listed labels
    answer, whether the first position asked lists them or not."""
    clauses = relations._Clauses(text, ())
    for _ in range(3):
        pos = data.draw(st.integers(0, len(text)))
        assert clauses.section(pos, clauses.line_start(pos)) == _plain_section(text, pos)


def test_final_char_of_patterns():
    assert relations._final_char(r"\bcăn\s+cứ\s+pháp\s+lý\s*:") == ":"
    assert relations._final_char(r"a\:") is None  # an escape is not read
    assert relations._final_char(r"a\\:") == ":"
    assert relations._final_char(r"a|b:") is None  # a top-level alternative
    assert relations._final_char(r"(?:a|b):") == ":"
    assert relations._final_char(r"[|]:") == ":"
    assert relations._final_char(r"a:?") is None
    assert relations._final_char(r"a[:]") is None
    assert relations._final_char(r"ab") is None  # a letter has case


# -- list items and their heading ------------------------------------------------------------------

_ITEM_PIECES = ["Điều 1. Bãi bỏ các văn bản sau:\n", "Căn cứ pháp lý:\n", "1. ", "a) ", "- ", "b. ", "\n", "\n\n", "  ",
                "Quyết định số 1", "các Quyết định", "Cụm từ “x” tại ", "2. Các Thông tư sau hết hiệu lực:\n",
                "Thực hiện:\n", "x", "Abc ", "được bãi bỏ\n"]


def _plain_heading(text: str, c, clauses) -> str | None:
    """`_heading_relation` as it was: the walk up from the citation's line, line by line."""
    line_start = clauses.line_start(c.start)
    marker = relations._ITEM_MARKER.match(text, line_start, c.start)
    if not marker or c.start - marker.end() > relations.ITEM_HEAD_REACH:
        return None
    rest = text[marker.end(): clauses.part_cut(marker.end(), c.start)]
    if not (relations._ONLY_CAC.fullmatch(rest) or relations._PHRASE_ITEM.fullmatch(rest)):
        return None
    pos = line_start
    for _ in range(relations.HEADING_LINES):
        if pos <= 0:
            return None
        prev_end = pos - 1
        prev_start = clauses.line_start(prev_end)
        pos = prev_start
        kind = clauses.heading_line(prev_start, prev_end)
        if kind == "blank" or kind == "item":
            continue
        return kind
    return None


class _At:
    def __init__(self, start: int):
        self.start = start


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_ITEM_PIECES), min_size=1, max_size=14).map("".join), st.data())
def test_heading_walk_remembered_is_the_walk(text, data):
    """`_heading_relation` (lines opening with a word ruled out at once, walks remembered with their
    length) finds the heading the line-by-line walk finds, with a short or a long reach."""
    reach, relations.HEADING_LINES = relations.HEADING_LINES, data.draw(st.sampled_from([1, 2, 3, 80]))
    try:
        clauses, plain = relations._Clauses(text, ()), relations._Clauses(text, ())
        for _ in range(4):
            c = _At(data.draw(st.integers(0, len(text) - 1)))
            assert relations._heading_relation(text, c, clauses, clauses.line_start(c.start)) \
                == _plain_heading(text, c, plain)
    finally:
        relations.HEADING_LINES = reach


# -- a clause's opening ----------------------------------------------------------------------------

_OPENING_PIECES = ["1. ", "a) ", "- ", "Điều 5. ", "Điều 5.", "(2) ", "IV. ", "  ", "\n", "\x1c", "\u00a0", "Căn cứ ",
                   "x", "12.3) "]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_OPENING_PIECES), max_size=8).map("".join), st.data())
def test_opens_clause_is_the_marker_and_nothing_else(text, data):
    pos = data.draw(st.integers(0, len(text)))
    clause = data.draw(st.integers(0, pos))
    clauses = relations._Clauses(text, ())
    line = clauses.line_start(pos)
    want = False
    for start in {clause, max(clause, line)}:
        m = relations._LIST_MARKER.match(text, start, pos)
        if m is not None and not text[m.end():pos].strip():
            want = True
    assert relations._opens_clause(text, clause, pos, clauses) == want


# -- the whole -------------------------------------------------------------------------------------

def test_combined_clause_pattern_is_used():
    """The clause cues have no groups of their own: the one-pattern form is the one read."""
    assert relations._clause_cues_rx() is not None
    assert isinstance(relations._clause_cues_rx()[0], regex.Pattern)
