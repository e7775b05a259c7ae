"""The third round of shortcuts in `assign_relations` (issue 12, text-path throughput) answers exactly
what the plain code it replaces answered.

Each test draws texts from the pieces that make a shortcut's case hard (spaces `\\s` does not match,
"\\n" among the spaces, case variants, the characters a shortcut looks for) and compares the shortcut
with the code as it read before, written out here. (Speed is measured by `vanban bench` (the text path's stages), never by a test.)
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import relations

from tests.test_perf_relations import _SECTION_PIECES, _plain_section

_SPACES = [" ", "  ", "\n", " \n ", "\t", "\u00a0", "\x1c", "\u2028", " " * 9]


def _text(pieces):
    return st.lists(st.sampled_from(pieces + _SPACES), max_size=14).map("".join)


# -- a clause (or line) opened by a list marker ---------------------------------------------------

_MARKER_PIECES = ["1.", "1. ", "a)", "b) ", "(2)", "IV.", "- ", "-", "+", "•", "*", "Điều 5.", "Điều 5. ", "ĐIỀU 5.",
                  "12.3)", "Căn cứ", "cứ", "tại", "x", ".", ")", ":", "K", "\u212a", "Quyết định"]


def _plain_opens_clause(text, clause, pos, clauses):
    """`_opens_clause` as it read: the marker matched at the clause (and the line) start."""
    line = clauses.line_start(pos)
    for start in (clause,) if line <= clause else (clause, line):
        m = relations._LIST_MARKER.match(text, start, pos)
        if m is None:
            continue
        e = m.end()
        if e == pos or (text[e].isspace() and not text[e:pos].strip()):
            return True
    return False


@settings(max_examples=2000, deadline=None)
@given(_text(_MARKER_PIECES), st.data())
def test_opens_clause_from_the_last_character_is_the_marker_match(text, data):
    """`_opens_clause` (the last character before `pos` that is not a space read first) answers what
    the marker match at the clause and line starts answers."""
    pos = data.draw(st.integers(0, len(text)))
    clause = data.draw(st.integers(0, pos))
    clauses = relations._Clauses(text, ())
    assert relations._opens_clause(text, clause, pos, clauses) == _plain_opens_clause(text, clause, pos, clauses)


# -- coordinated objects ----------------------------------------------------------------------------

_COORDINATED_PIECES = ["và", "VÀ", "Và", ",", "các", "CÁC", "Các", "Thông tư sửa đổi, bổ sung", "Nghị định hướng dẫn",
                       "văn bản bổ sung", ":", "x", "c", "à", "ngày 12", ";", ".", "số 05/2021"]


@settings(max_examples=2000, deadline=None)
@given(_text(_COORDINATED_PIECES), st.data())
def test_coordinated_from_the_last_character_is_the_search(text, data):
    """`_coordinated` (the view's last character that is not a space read first) answers what the
    search of the view answers."""
    end = data.draw(st.integers(0, len(text)))
    start = data.draw(st.integers(0, end))
    assert relations._coordinated(text, start, end) == (relations._COORDINATED.search(text, start, end) is not None)


# -- the gap between two items of a list ----------------------------------------------------------

_GAP_PIECES = [",", ";", "và", "VÀ", "hoặc", "HOẶC", "các", "Các", ", và", "vàx", "h", "c", "ngày 12", "x", "Nghị định"]


@settings(max_examples=2000, deadline=None)
@given(_text(_GAP_PIECES), st.data())
def test_list_gap_from_the_first_character_is_the_match(text, data):
    """`_list_gap` (the gap's first character that is not a space read first) answers what the
    match of the copied gap answers."""
    end = data.draw(st.integers(0, len(text)))
    start = data.draw(st.integers(0, end))
    assert relations._list_gap(text, start, end) == (relations._LIST_GAP.match(text[start:end]) is not None)


# -- section labels searched near the citation before the text is listed ---------------------------

@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_SECTION_PIECES), max_size=14).map("".join), st.data())
def test_section_searched_near_is_the_listed_labels(text, data):
    """`section` (the 3000 characters before `pos` searched for a label while those searches add up
    to less than the text; the text listed once one is found, or past that) answers what the listed
    labels answer, over many positions asked of one text."""
    clauses = relations._Clauses(text, ())
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(text)))
        assert clauses.section(pos, clauses.line_start(pos)) == _plain_section(text, pos)


def test_section_labels_read_no_further_than_their_end():
    """The rules' section labels end with a literal and look nowhere ahead: the near search holds."""
    assert relations._labels_read_no_further()
