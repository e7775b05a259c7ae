"""The task reader's shortcuts (issue 12, text-path throughput) answer what the plain searches answer.

Each shortcut in `pipeline.extract.tasks` skips work that cannot change a result: a case-insensitive
regex run in place of lower-casing a text, a dictionary look-up in place of an alternation, a regex
tried only when the literals every match holds are there, a run of table rows passed over at once.
The tests draw texts from the pieces that make those cases hard (every case of the words, "İ" whose
lower case is two characters, the characters around a marker) and compare each shortcut with the
plain search. (Speed is measured by `vanban bench`, never by a test.)
"""
from __future__ import annotations

import re

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import tasks as T


def _texts(pieces, max_size=25):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


_CUE_PIECES = ["giao", "Giao", "GIAO", "gIaO", "gİao", "İ", "i̇", "đề nghị", "ĐỀ NGHỊ", "Đề Nghị", "yêu cầu", "YÊU CẦU",
               "trách nhiệm", "TRÁCH NHIỆM", "chủ trì", "CHỦ TRÌ", "phối hợp", "PHỐI HỢP", "phối", "hợp", "gia", "o",
               "\n", " ", "x", "|", "Sở", "ı", "K"]


@settings(max_examples=500, deadline=None)
@given(_texts(_CUE_PIECES), st.integers(0, 50))
def test_cue_lines_found_case_insensitively_are_the_lower_cased_search(chunk, start):
    assert T._cue_line_starts(chunk, start) == T._cue_line_starts_plain(chunk, start)


def test_the_case_insensitive_words_read_case_as_lower_casing_does():
    """The prechecks of case-insensitive regexes test lower-cased text: a character matches a
    letter of their words under `regex.IGNORECASE` exactly when it lower-cases to it, but "İ"."""
    words = T._CUE_WORDS + T._COMPOSITION_WORDS + T._LEADIN_WORDS + ("hằng", "hàng", "mỗi", "tháng", "áu", "6")
    everything = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    lowered: dict[str, set[str]] = {}
    for c in everything:
        lowered.setdefault(c.lower(), set()).add(c)
    for x in sorted(set("".join(words)) - {" "}):
        by_regex = set(regex.findall(regex.escape(x), everything, regex.IGNORECASE))
        assert by_regex - lowered[x] <= {"İ"} and lowered[x] <= by_regex, x


def test_every_isalpha_character_is_a_regex_letter():
    """`_head` reads a first word that `str.isalpha` calls letters as the run of `\\p{L}`."""
    letters = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000 and chr(i).isalpha())
    assert regex.fullmatch(r"\p{L}*", letters)


_HEAD_PIECES = ["Sở", "Bộ", "Bộ Chỉ huy", "Ủy ban", "Ủy ban nhân dân", "Ủy", "Uỷ ban", "Ban", "Ban hành", "Các", "các", "Tổ",
                "Tổng", "Tổ công tác", "Chủ tịch", "Chủ", "Phó Chủ tịch", "Phó", "UBND", "UBNDx", "Mỗi", " ", ",", ":", "x",
                "a", "(", "1", "\n", "Hội", "Hội đồng nhân dân", "Trưởng", "Trường", "Cảnh sát", "Cổng", "Đài", "Hạt"]


@settings(max_examples=800, deadline=None)
@given(_texts(_HEAD_PIECES, 6))
def test_the_head_word_look_up_is_the_head_regex(t):
    assert T._head(t) == (T._HEAD.match(t) is not None)


_MARKER_PIECES = ["Điều", "Điều 3", "Đồng", "Đ", "(", ")", "1", "2", "12", "123", "١", "I", "V", "X", "IV", "XII", "Việc",
                  "Xã", ".", " ", "\t", "a", "b)", "A", ",", "%", "/", "-", ":", ";", "'", "Sở", "\u00a0"]


@settings(max_examples=800, deadline=None)
@given(_texts(_MARKER_PIECES, 8))
def test_the_marker_precheck_never_hides_a_marker(raw):
    if not T._may_open_marker(raw):
        assert T._MARKER.match(raw) is None


_ROW_PIECES = ["| 1 | Gạo | 10.000 |", "| 2 | Muối | 5 |", "| Sở Y tế | giao |", "| Đơn vị | Trách nhiệm |", "| Cơ quan |",
               "| Nội dung | Trách nhiệm thực hiện | Thời gian |", "  | x |", "", "   ", "1. Sở Y tế chủ trì", "- Báo cáo",
               "Sở Tài chính phối hợp", "a) Tổ chức", "Điều 2.", "| GIAO |", "x | y | z"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ROW_PIECES), max_size=30).map("\n".join), st.booleans(), st.sampled_from(["", "Sở A\n", "x"]),
       st.sampled_from(["", "\n| 9 | y |", "\nSở B giao"]))
def test_table_runs_passed_over_at_once_are_the_rows_dropped_one_by_one(body, trailing_break, before, after):
    if trailing_break:
        body += "\n"
    text = before + body + after  # the outline read is the part between `before` and `after`

    def lines():
        return [(ln.start, ln.end, ln.text, ln.body_start, ln.kind, ln.label, ln.cue)
                for ln in T._lines(text, len(before), len(before) + len(body))]

    got = lines()
    run = T._TABLE_RUN
    T._TABLE_RUN = re.compile(r"[^\S\n]*\|[^\n]*(?:\n|\Z)")  # one row: read row by row
    try:
        assert got == lines()
    finally:
        T._TABLE_RUN = run


_LINE_PIECES = ["QUY CHẾ", "PHỤ LỤC", "DANH MỤC", "Kèm theo", "kèm theo", "(Ban hành kèm theo", "Ban hành ", "năm 2020. ",
                "năm", " ", "x", ".", "Quyết định 435/QĐ-UBND ", "Thành lập", "thành lập", "THÀNH LẬP", "KİỆN TOÀN",
                "kiện toàn", "gồm", "GỒM", "gồm có", ":", "Thành phần", "Cơ cấu tổ chức", "yêu cầu", "YÊU CẦU", "đề nghị",
                "giao", "GİAO", "chỉ đạo", "ý kiến như sau", "thực hiện các nội dung", "nhiệm vụ sau", "Sở Y tế", "\n"]


@settings(max_examples=800, deadline=None)
@given(_texts(_LINE_PIECES, 10))
def test_the_line_prechecks_answer_as_their_regexes(t):
    if not T._could_be_annex(t):
        assert not (T._maybe_annex(t) and T._ANNEX_TITLE.match(t))
    assert T._composition_head(t) == (T._COMPOSITION_HEAD.search(t) is not None)
    assert T._directive_leadin(t) == (T._DIRECTIVE_LEADIN.search(t) is not None)
    if t[:1] not in T._NO_TASK_SECTION_FIRST:
        assert T._NO_TASK_SECTION.match(t) is None
    if t[:1] not in T._NO_TASK_ARTICLE_FIRST:
        assert T._NO_TASK_ARTICLE.match(t) is None


_CLAUSE_PIECES = ["Chủ tịch UBND tỉnh ", "Bộ ", "Sở ", "giao ", "Giao ", "đề nghị ", "yêu cầu ", "Sở Y tế ", "các sở ",
                  "chủ trì", "Căn cứ ", "Trong thời gian ", "Theo ", "Để ", ", ", ". ", "; ", ".", ";", "UBND các huyện ",
                  "báo cáo ", "trước ngày 15/7/2024", "hằng tháng", "HẰNG NĂM", "mỗi quý", "định kỳ 6 tháng", "sáu tháng một lần",
                  "SÁU THÁNG MỘT LẦN", "ſáu tháng một lần", "6 tháng, 01 lần", "tháng", "Mỗi", "Đồng thời, ", "Riêng, ",
                  "đã ", "nhận được", "Kính trình", "kính mời", "cho biết", "Trách nhiệm của ", "Nhiệm vụ của", "Trách nhiệm ",
                  ":", "\n", "x"]


@settings(max_examples=800, deadline=None)
@given(_texts(_CLAUSE_PIECES, 12))
def test_the_clause_prechecks_answer_as_their_regexes(body):
    if not (body.startswith(T._INNER_ASK_SUBJECTS) and ("giao" in body or "đề nghị" in body or "yêu cầu" in body)):
        assert T._INNER_ASK.match(body) is None
    if not body.startswith(T._ADVERBIAL_STARTS):
        assert T._ADVERBIAL.match(body) is None
    if body[:1] not in "GgĐđYy":
        assert T._GIAO.match(body) is None
    if not body.startswith(("Trách nhiệm của", "Nhiệm vụ của")):
        assert T._RESP_OF.match(body) is None
    last = len(body) - 1
    if body.find(".", 0, last) < 0 and body.find(";", 0, last) < 0:
        assert next(T._SENTENCE.finditer(body), None) is None
    # the recurrence and the not-task words, against the plain loops
    recurrence = next((name for rx, name in T._RECUR if rx.search(body)), None)
    assert T.deadline_of(body, 2024)[2] == recurrence
    assert T._not_task(body) == any(w in body.lower() for w in T._NOT_TASK_WORDS)


def test_no_executor_block_without_its_opening_words():
    """`find_tasks` reads executor blocks only in a text holding "Cơ quan" or "Đơn vị"."""
    for text in ("1. Rà soát hồ sơ.\n- Cơ quan thực hiện: Sở Y tế chủ trì\n- Thời gian thực hiện: Quý II/2026",
                 "1. Rà soát hồ sơ.\n- Đơn vị thực hiện: Sở Y tế\n- Thời gian thực hiện: Quý II/2026"):
        assert T._executor_blocks(T._lines(text, 0, len(text)))[0]  # the opening words are what it needs
        bare = text.replace("Cơ quan", "Cơ sở").replace("Đơn vị", "Đơn sở")
        assert T._executor_blocks(T._lines(bare, 0, len(bare))) == ({}, set())


_ASK_PIECES = ["giao ", "Giao ", "đề nghị ", "Đề nghị ", "yêu cầu ", "Yêu cầu ", "văn bản ", "Sở Y tế ", "Bộ ", "các sở ", ", ",
               ". ", ": ", "; ", " ", "  ", "\t", "\u3000", "\x1c", "\n", "x", "Sở", "giao", "Ngoại giao "]


@settings(max_examples=1000, deadline=None)
@given(_texts(_ASK_PIECES, 12))
def test_the_later_ask_started_at_its_first_word_is_the_full_search(body):
    def key(m):
        return None if m is None else (m.span(), m.groupdict())

    assert key(T._later_ask(body)) == key(T._LATER_ASK.search(body))


def test_only_letters_read_their_addressees():
    """A caller may skip `addressees` for a type outside `LETTER_TYPES`: `find_tasks` does not read
    them there (a letter's lead-in that names nobody gives its items to them)."""
    text = "Kính gửi: Sở Y tế\nVề việc này, ý kiến chỉ đạo như sau:\n1. Rà soát hồ sơ và báo cáo trước ngày 15/7/2024.\n"
    recipients = ["Sở Y tế"]
    letter = T.find_tasks(text, 0, "Công văn", recipients, 2024)
    assert [t.assignee for t in letter] == ["Sở Y tế"]
    assert T.find_tasks(text, 0, "Công văn", [], 2024) != letter
    for doc_type in ("Quyết định", "Kế hoạch", "Nghị định", "Chỉ thị"):
        assert doc_type not in T.LETTER_TYPES
        assert repr(T.find_tasks(text, 0, doc_type, recipients, 2024)) == repr(T.find_tasks(text, 0, doc_type, [], 2024))
