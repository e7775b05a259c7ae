"""The task reader's shortcuts of round 3 answer what the plain searches answer (issue 12).

`_verb_first` tries the ~200-verb alternation only when a text's first word opens one of its
branches; `_later_ask` gives up when no ask word is followed by an agency word; `_member_line` tries
the member pattern at the last comma only; `deadline_of` tries each recurrence pattern only when its
unit word is in the clause. Each is compared with the plain search on texts drawn from the pieces
that make it hard (every case of the words, "İ" and "ſ", which `regex.IGNORECASE` matches with "i"
and "s" though they do not lower-case to them, commas and roles in every place).
"""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import tasks as T


def _texts(pieces, max_size=12):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


def _case_odd(words) -> set[str]:
    """Every character `regex.IGNORECASE` matches with a letter of `words` that does not lower-case
    to that letter (read from every code point), after checking each such character is a letter."""
    everything = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    odd = set()
    for x in sorted(set("".join(words)) - {" "}):
        for c in regex.findall(regex.escape(x), everything, regex.IGNORECASE):
            assert regex.match(r"\p{L}", c), (x, c)
            if c.lower() != x:
                odd.add(c)
    return odd


def test_the_odd_characters_of_the_verbs_are_listed():
    assert T._VERB_FIRST_WORDS is not None  # the shape `_verb_first` relies on holds for `_STOP`
    assert _case_odd(T._VERB_FIRST_WORDS) <= T._CASE_ODD


_VERB_PIECES = ["tổ chức", "Tổ chức", "TỔ CHỨC", "tổ", "Tổ", "Tổ công tác", "Ban", "Ban hành", "BAN HÀNH", "Báo cáo", "báo",
                "Thanh tra", "Thanh tra tỉnh", " tỉnh", "Kiểm toán", "Kiểm tra", "kİểm tra", "Sở", "Sở Y tế", "Các", "các sở",
                "Trường hợp", "trường", "Trong trường hợp", "trong", "Lãnh đạo", "giao", "GIAO", "Giao", "ſử dụng", "sử dụng",
                "Sử", "Mỗi", " ", ",", "x", "1", "(", "\u0301", "đã", "sẽ", "Sẽ"]


@settings(max_examples=1500, deadline=None)
@given(_texts(_VERB_PIECES, 6))
def test_verb_first_by_the_first_word_is_the_verb_regex(t):
    assert T._verb_first(t) == (T._VERB_FIRST.match(t) is not None)


_ASK_PIECES = ["giao", "Giao", "GIAO", "đề nghị", "Đề nghị", "yêu cầu", "Yêu cầu", " ", "  ", "\t", ", ", ". ", ": ",
               "Sở Y tế", "Sở", "Sởx", "các sở", "Các", "UBND", "thông", " thông", "văn bản ", "theo ", "của ", "x", "Bộ",
               "Chủ tịch", "Ủy ban nhân dân", "\n", "İ"]


@settings(max_examples=2000, deadline=None)
@given(_texts(_ASK_PIECES, 10))
def test_later_ask_with_its_precheck_is_the_plain_search(body):
    m = T._later_ask(body)
    plain = T._LATER_ASK.search(body)
    assert (m and (m.span(), m.group("v"), m.group("rest"))) == (plain and (plain.span(), plain.group("v"), plain.group("rest")))


_MEMBER_PIECES = ["Ông Nguyễn Văn A", ", ", ",", " , ", "Giám đốc Sở Y tế", "Phó Trưởng ban", "Trưởng Ban", "Trưởng ban",
                  "Thành viên", "Ủy viên", "Uỷ viên", "Tổ trưởng", "Tổ phó", "Thư ký", "Chủ tịch Hội đồng", "Phó ",
                  "Phó Chủ tịch Hội đồng", " thường trực", ".", ";", " ", "x", "Trưởng", "viên", "1", "(", "Hội đồng"]


@settings(max_examples=2000, deadline=None)
@given(_texts(_MEMBER_PIECES, 8))
def test_member_line_at_the_last_comma_is_the_member_search(t):
    plain = ("," in t and T._MEMBER_WORDS.search(t) and T._MEMBER.search(t)
             if ("rưởng" in t or "viên" in t or "Thư ký" in t or "Tổ phó" in t or "Hội đồng" in t) else False)
    assert T._member_line(t) == bool(plain) == (T._MEMBER.search(t) is not None)


def test_the_recurrence_units_read_case_as_lower_casing_does():
    assert len(T._RECUR_UNITS) == len(T._RECUR)
    assert not _case_odd(T._RECUR_UNITS)


_RECUR_PIECES = ["hằng", "Hằng", "HÀNG", "hàng", "mỗi", "Mỗi", "định kỳ", "Định kỳ", " ", "  ", "\n", "06", "6", "sáu", "Sáu",
                 "ſáu", "tháng", "Tháng", "THÁNG", "tuần", "TUẦN", "quý", "Quý", "năm", "NĂM", ",", " 01 lần", " một lần",
                 " lần", "x", "trước ngày 15/12", "İ"]


def _plain_recurrence(text):
    low = text.lower()
    if "hằng" in low or "hàng" in low or "mỗi" in low or "tháng" in low and ("6" in low or "áu" in low):
        for rx, name in T._RECUR:
            if rx.search(text):
                return name
    return None


@settings(max_examples=2000, deadline=None)
@given(_texts(_RECUR_PIECES, 8))
def test_recurrence_tried_after_its_unit_is_the_plain_loop(text):
    for (rx, _), unit in zip(T._RECUR, T._RECUR_UNITS):
        if rx.search(text):
            assert unit in text.lower()
    assert T.deadline_of(text, 2024)[2] == _plain_recurrence(text)
