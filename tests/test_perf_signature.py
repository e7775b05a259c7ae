"""The shortcuts of the signature and recipients readers answer what the plain scans answered.

Each shortcut is compared with the plain code it replaces on texts built from the pieces that
steer it: block lines, gaps, names (Ê Đê "Y" and "H'" names among them), ranks, signed marks, the
characters the starts are listed around ("(", "[", "'", lower-case letters), case variants.
"""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import signature


def _texts(pieces, max_size=20):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


def _spans(matches):
    return [m.span() for m in matches]


# --- the block search: the pattern tried only where a block can start ---------------------------

_BLOCK_PIECES = ["TM. ", "KT. ", "TL.", "Q. ", "T/M ", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "ỦY BAN NHÂN DÂN", "GIÁM ĐỐC", "QUY",
                 " ¶ ", "¶", " ", "  ", "\n", "\t", "Nguyễn Văn An", "Trần Thị Bích", "Lê", " A", "Y Thông", "Y B", "Y",
                 "H' Hen", "K' A", "H'", "(Đã ký)", "(ký)", "(đã ký)", "(Ký, đóng dấu)", "(ký tên", ")", "(", "[đã ký]",
                 "[ ký ]", "[", "]", "Thiếu tướng", "Thiếu  ", "tướng", "Đồng chí ", "Ông ", "Bà ", "TS.", "PGS. TS.",
                 "PGS.TS. ", "Ls.", "100", "22,72", "- ", "Định mức", "Ủy ban", "ĐỐCNguyễn Văn A", "(%)", ". ", ".",
                 "Hà Nội", "x", "'", "Xy"]
_GAPS = st.sampled_from([" ¶ ", " ¶  ", "¶", " ", "  ", "\n", " ¶ ¶ "])
_LINES = st.sampled_from(["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "TL. BỘ TRƯỞNG", "QUY", "Y TẾ", "GIÁM ĐỐC",
                          "SỞ Y TẾ (CƠ QUAN)", "100", "A", "T/M", "Q.", "ĐỐC"])
_MARKS = st.sampled_from(["(Đã ký)", "(ký)", "(Ký, đóng dấu)", "(đã ký và đóng dấu)", "[đã ký]", "[ ký ]", "(ký", "(x)"])
_RANKS = st.sampled_from(["", "Thiếu tướng ", "Đại  tá ", "PGS. TS. ", "PGS.TS. ", "TS. ", "Ông ", "Bà ", "Ls. ", "Đồng chí ",
                          "tướng "])
_NAMES = st.sampled_from(["Nguyễn Văn An", "Nguyễn Văn An Bình Minh", "Lê Thị Hồng Anh Tú Bảo", "Y Thông", "Y B C", "Y A",
                          "H' Hen", "K' A Bé", "Trần A", "Ông Bà Tư", "An", "Xy Ông Nguyễn Văn"])


def _signature_like():
    """A block: lines, marks and a rank (any may be missing), a name, joined by gaps."""
    def join(parts):
        lines, gaps, marks, rank, name, tail = parts
        out = ""
        for i, line in enumerate(lines):
            out += line + gaps[i % len(gaps)]
        for mark in marks:
            out += mark + gaps[0]
        return out + rank + name + tail
    return st.tuples(st.lists(_LINES, max_size=4), st.lists(_GAPS, min_size=1, max_size=3), st.lists(_MARKS, max_size=2),
                     _RANKS, _NAMES, _GAPS).map(join)


_FLATS = st.lists(st.one_of(st.sampled_from(_BLOCK_PIECES), _signature_like()), max_size=12).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_FLATS)
def test_blocks_from_their_reaches_are_the_finditer(flat):
    assert _spans(signature._iter_blocks(flat)) == _spans(signature._block_re().finditer(flat))


@settings(max_examples=300, deadline=None)
@given(_FLATS)
def test_blocks_from_their_reaches_are_the_plain_pattern(flat):
    """Also against the pattern without the look-aheads that only make it faster: the starts are
    listed from what a block is, not from what those look-aheads test."""
    plain = regex.compile(signature._block_pattern(reach=False), regex.V1)
    assert _spans(signature._iter_blocks(flat)) == _spans(plain.finditer(flat))


def test_rank_words_count_every_rank():
    """`_WORDS_BACK` reaches back over a rank's words: `_RANK_WORDS` is the most any rank spans."""
    for form in signature._RANK_FORMS:
        # the form written out with a space for each "\s+" / "\s*": "PGS. TS.", "Thiếu tướng"
        sample = regex.sub(r"\\s[+*]", " ", form).replace("\\.?", ".").replace("\\", "")
        assert regex.fullmatch(form, sample), (form, sample)
        assert len(sample.split()) <= signature._RANK_WORDS


# --- flattening: the windows split at their gaps once, by `re` when only newlines can open one ----

_GAP_PIECES = ["KT. CHỦ TỊCH", "\n", "\n ", " \n", "|", "\t", "\f", "   ", "  ", " ", "Nguyễn Văn A", "x", "¶", "\r", "\xa0"]


@settings(max_examples=1500, deadline=None)
@given(_texts(_GAP_PIECES, 24), st.integers(0, 50))
def test_flattening_splits_at_the_gaps_of_the_gap_pattern(text, base):
    assert signature._split_gaps(text) == signature._GAP_KEEP.split(text)
    flat, anchors = signature._flatten(text, base)
    assert flat == signature._GAP_RE.sub(" ¶ ", text)
    # the anchors: where each text between gaps starts, in the flat text and in the original
    pairs, pos, flat_pos = [(0, base)], 0, 0
    for m in signature._GAP_RE.finditer(text):
        flat_pos += m.start() - pos + len(" ¶ ")
        pos = m.end()
        pairs.append((flat_pos, base + pos))
    assert anchors.pairs() == pairs


# --- recipients: "Nơi nhận" / "Kính gửi" found from a rare letter of their words ------------------

def test_letter_cases_are_those_ignorecase_matches():
    """`_CASES`: every character `regex`'s IGNORECASE matches for each letter, and no other."""
    for letter, cases in signature._CASES.items():
        rx = regex.compile(regex.escape(letter), regex.IGNORECASE)
        assert {chr(c) for c in range(0x110000) if rx.fullmatch(chr(c))} == set(cases), letter


def test_re_spaces_hold_the_regex_spaces():
    rx = regex.compile(r"\s")
    assert all(chr(c).isspace() for c in range(0x110000) if rx.fullmatch(chr(c)))


_WORD_PIECES = ["Nơi", "NƠI", "nơi", "NơI", "Nơİ", "nƠi", "Nơ", "ơi", " nhận", "nhận", "NHẬN", "nhậN", "Kính", "KÍNH", "\u212aính",
                "kính", "kÍnh", "chính", "gửi", "GỬI", "gỬi", " ", "  ", "\n", "\t", "\xa0", "\u2003", "\x1c", "\x85", ":", "x",
                "ơ", "Ơ", "i", "İ", "ı", "N", "í", "Í", "K", "k", "-"]


@settings(max_examples=1500, deadline=None)
@given(_texts(_WORD_PIECES, 16), st.integers(0, 80))
def test_words_found_from_their_letter_are_the_search(text, endpos):
    endpos = min(endpos, len(text))
    for rx, letter in ((signature._NOI_NHAN, signature._NOI_NHAN_LETTER), (signature._KINH_GUI, signature._KINH_GUI_LETTER)):
        for end in (None, endpos):
            got = signature._search_by_letter(rx, letter, text, end)
            want = rx.search(text, 0, len(text) if end is None else end)
            assert (got and got.span()) == (want and want.span())
