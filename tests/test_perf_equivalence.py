"""The shortcuts of issue 12 (text-path throughput) answer exactly what the scans they replace answered.

Each shortcut skips work that cannot change a result: a pattern tried only where a match can
start (found with `str.find`), a search skipped when a word every match holds is absent, a view's
trailing part read once for several views, a clause break read with `rfind`, one pass over a text
for two character tables. The tests draw texts from the pieces that make those cases hard and
compare each shortcut with the plain search. (Speed itself is measured by `vanban bench`, never
by a test.)
"""
from __future__ import annotations

import unicodedata

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rules
from pipeline.extract import references, relations
from pipeline.extract.regexes import iter_from_literals, iter_numbers, number_re
from pipeline.text import clean

_NUMBER_PIECES = ["0", "1", "12", "2017", "2024/", "1234567", "/", "-", " ", ".", "a", "x", "Q", "Đ", "QĐ-UBND",
                  "/NĐ-CP", "NĐ-CP", "12.5", "TTr", "CAT(PC04)", "ngày", "\n", "(", ")", ",", "số ", "_", "TW", "-HD/"]


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_NUMBER_PIECES), max_size=30).map("".join))
def test_numbers_from_separators_are_the_finditer(text):
    assert _spans(iter_numbers(text)) == _spans(number_re().finditer(text))


_LAW_PIECES = ["Luật", "Bộ luật", "Bộ Luật", "Pháp lệnh", "Hiến pháp", "Hiến pháp lệnh", "luật", "xLuật", "Luậtx",
               " ", "\n", "Đất đai", "sửa đổi", ",", "Bộ", "Pháp"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LAW_PIECES), max_size=20).map("".join))
def test_named_laws_from_their_words_are_the_finditer(text):
    got = iter_from_literals(references._NAMED_LAW, text, references._NAMED_LAW_WORDS)
    assert _spans(got) == _spans(references._NAMED_LAW.finditer(text))


def _old_normalize(text: str) -> tuple[str, int]:
    """`normalize_text` as it was before the shortcuts: every step on every text."""
    everywhere, _ = rules.character_map()
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = clean._everywhere_re().sub(lambda m: everywhere[m.group(0)], text)
    text = clean._fix_symbol_lookalikes(text)  # (no look-alikes given: the class read over the text)
    if "-\n" in text:
        text = clean._BROKEN_SYMBOL.sub("-", text)
    text = clean._footnote_re().sub(r"\1", text)
    removed = 0
    for b in clean._boilerplate_res():
        where, rx = b.where, b.rx
        if where == "start":
            m = rx.match(text)
            if m:
                removed += m.end() - m.start()
                text = text[m.end():]
        elif where == "end":
            m = rx.search(text, max(0, len(text) - 1500))
            if m:
                removed += len(text) - m.start()
                text = text[: m.start()].rstrip() + "\n"
        else:
            new, n = rx.subn("", text)
            if n:
                removed += len(text) - len(new)
                text = new
    return text, removed


_CLEAN_PIECES = ["Cổng thông tin điện tử tỉnh", "Bản quyền thuộc về Sở", "Copyright ©", "Copyright", "Địa chỉ: 12 Lê Lợi",
                 " Điện thoại 0123", "Trang chủ > Văn bản", "Bạn đang xem", "Đăng nhập | Đăng ký", "Quyết định 12 năm 2020. ",
                 "Điều 1. ", "\n", "\r\n", "\r", " ", "\t", "“", "”", "–", "\u00a0", "\u00ad", "Т", "С", "TT-BT", "12/2024/NĐ-",
                 "CP", "CP1, ", "56/2017/NĐ–CP", "u\u0301", "Facebook", "Lưu trữ", "1676/SNV-", "-\n", "TCBC nêu", "TTg2 ",
                 "126/2024/NĐ-CP1. ", "/2024/BTC-", "Ð", "Α", "е", "\u200b", "\ufeff", "\u2009", "’", "…", "𝐀", "Quyết định ",
                 "Thông tư 5/BTC ", "năm 2020. ", "Điều 1. ", ". ", "; ", ": ", "1. ", "II. "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CLEAN_PIECES), max_size=25).map("".join))
def test_normalisation_is_the_step_by_step_one(text):
    assert clean.normalize_text(text) == _old_normalize(text)


_SPECIAL_PIECES = ["a", "Đ", "ư", "ạ", " ", "\n", "-", "/", "\u00a0", "\u00ad", "\u2013", "“", "”", "\u2044", "\ufeff", "\uff1a",
                   "Т", "С", "е", "Α", "Ð", "\u0189", "\u2026", "\u20ac", "𝐀", "\u0301", "\udc80", "TT-BT", "x"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_SPECIAL_PIECES), max_size=20).map("".join))
def test_special_characters_by_blocks_are_the_class_substitution(text):
    """`_fold_special` (the characters possible by their UTF-16 blocks, then `in` and `replace`)
    folds and reports what one substitution of the character class does."""
    got, lookalikes = clean._fold_special(text)
    plain, plain_lookalikes = clean._fold_special_plain(text)
    assert got == plain
    assert sorted(lookalikes) == sorted(plain_lookalikes)
    assert clean._fix_symbol_lookalikes(got, lookalikes) == clean._fix_symbol_lookalikes(plain)


_BREAK_SYMBOL_PIECES = ["-\n", "-", "\n", "1676/SNV", "126/2024/NĐ", "/", "2024", "12", "A", "TCBC", "CP", "TTg", "BTC", "x", "nêu",
                        " ", "1", ",", ".", ")", "Đ", "-\n-\n", "QĐ-UBND"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_BREAK_SYMBOL_PIECES), max_size=20).map("".join))
def test_broken_symbols_from_their_breaks_are_the_substitutions(text):
    """The "-\n" tried where `str.find` lists them, the footnote marks only in a text with the hint:
    what the two substitutions over the whole text give."""
    plain = clean._BROKEN_SYMBOL.sub("-", text)
    assert clean._join_broken_lines(text) == plain
    plain = clean._footnote_re().sub(r"\1", plain)
    assert clean._join_broken_symbols(text) == plain
    if clean._footnote_re().search(text):
        assert clean._footnote_hint().search(text)


_PART_PIECES = ["khoản 2", "Điều 5", "điểm a", "tiểu mục 3", "mục", "phụ lục", "của", "tại", "các", "và", ",", " ",
                "\n", "Nghị định", "x", "Khoản 1.2", "ĐIỀU 4", "chương II", "a", "b)", "điều chỉnh"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PART_PIECES), max_size=14).map(" ".join), st.data())
def test_part_cut_is_the_strip_of_each_view(text, data):
    clauses = relations._Clauses(text, ())
    end = data.draw(st.integers(0, len(text)))
    for _ in range(4):  # several views ending at one citation, in any order
        lo = data.draw(st.integers(0, end))
        assert clauses.part_cut(lo, end) == lo + len(relations._strip_part(text[lo:end]))


_BREAK_PIECES = ["\n", ";", ".", ":", ")", " ", "  ", "\t", "Thực hiện", "Căn", "theo", "Xét", "a", "X", "Quyết định"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_BREAK_PIECES), max_size=20).map("".join), st.data())
def test_reverse_break_is_the_reverse_search(text, data):
    b = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(b, len(text)))
    m = relations._CLAUSE_BREAK_REV.search(text, b, end)
    assert relations._reverse_break(text, b, end) == (m.span() if m else None)


def test_required_words_of_patterns():
    assert relations._required_words(r"\btheo\s+(?:đúng\s+)?quy\s+định") == ("theo", "quy", "định")
    assert relations._required_words(r"\b(?:đã\s+)?(?:được\s+)?sửa\s+đổi") == ("sửa", "đổi")
    assert relations._required_words(r"\b(?:xét|theo)\s+") == ()
    assert relations._required_words(r"\bfoo|bar") == ()  # a top-level alternative: nothing is required
    assert relations._required_words(r"ab?c") == ("a", "c")  # a quantified letter is not
    assert relations._required_words(r"[abc]xyz\p{Lu}q") == ("xyz", "q")
    assert relations._required_words(r"x[^\]a]y{0,2}") == ("x",)


_CUE_PIECES = ["theo", "Theo", "THEO", "quy định", "tại", "căn cứ", "Căn Cứ", "sửa đổi", "bổ sung", "được", "xét",
               "đề nghị", "bãi bỏ", "thay thế", "kèm theo", "gửi kèm", "đính chính", "phúc đáp", "của", "các", " ", ",",
               "trên cơ sở", "ſửa", "ý kiến"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_CUE_PIECES), max_size=10).map(" ".join))
def test_cue_words_are_held_by_every_match(left):
    folded = left.casefold()
    for cue in relations.cues()["adjacent"]:
        if cue.rx.search(left):
            assert all(w in folded for w in cue.words), (cue.rx.pattern, left)


def test_boilerplate_needles_are_in_every_match():
    for _name, _where, pattern, needles, _anchor in rules.boilerplate():
        for needle in needles:
            assert needle in pattern  # each needle is printed in the pattern (a literal of a branch)


_PORTAL_PIECES = ["Cổng thông tin điện tử", "Bản quyền thuộc về", "Copyright", " ©", "©", "Địa chỉ:", "Điện thoại", "Fax",
                  "Trang chủ", " > ", "›", "Bạn đang xem", "Đăng nhập", "Đăng ký", "\n", "\n\n", " ", "\t", "x", "Quyết định",
                  "Quyết định 12/QĐ-UBND năm 2024. ", "Công văn 5/UBND năm 2023. ", "năm 2024. ", "Điều 1", "Chương II",
                  "1. ", "II. ", ". ", "; ", "a", ": ", "Thông tư", "Công văn", "Nghị định 7", " năm", "2020", ".", "(", "12", "Đ",
                  "Mục", "Phần"]


def _plain_removal(text: str) -> tuple[str, int]:
    """Every boilerplate pattern scanned over the whole text, as before needles and anchors."""
    removed = 0
    for b in clean._boilerplate_res():
        if b.where == "start":
            m = b.rx.match(text)
            if m:
                removed += m.end() - m.start()
                text = text[m.end():]
        elif b.where == "end":
            m = b.rx.search(text, max(0, len(text) - 1500))
            if m:
                removed += len(text) - m.start()
                text = text[: m.start()].rstrip() + "\n"
        else:
            new, n = b.rx.subn("", text)
            removed += len(text) - len(new)
            text = new
    return text, removed


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_PORTAL_PIECES), max_size=24).map("".join))
def test_boilerplate_from_needles_and_anchors_is_the_plain_removal(text):
    """`remove_boilerplate` (only needle lines tried, anchors first) removes what the plain scans remove."""
    assert clean.remove_boilerplate(text) == _plain_removal(text)


_BLOCK_PIECES = ["TM. ", "KT. ", "TL.", "Q. ", "T/M ", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "ỦY BAN NHÂN DÂN", "GIÁM ĐỐC", " ¶ ", "¶",
                 " ", "  ", "Nguyễn Văn An", "Trần Thị Bích", "Y Thông", "Y B", "H' Hen", "K' A", "(Đã ký)", "(ký)", "(đã ký)",
                 "[đã ký]", "[ ký ]", "Thiếu tướng", "TS.", "PGS. TS.", "Ls.", "100", "22,72", "- ", "Định mức", "Ủy ban",
                 "ĐỐCNguyễn Văn A", "(%)", ". ", "Hà Nội", "x", "'"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_BLOCK_PIECES), max_size=16).map("".join))
def test_signature_block_look_aheads_change_no_match(flat):
    from pipeline.extract import signature

    plain = regex.compile(signature._block_pattern(reach=False), regex.V1)
    assert _spans(signature._block_re().finditer(flat)) == _spans(plain.finditer(flat))


_TRIGGER_PIECES = ["TM", "KT", "Q", "TL", "TUQ", "T/M", "K/T", "T.M", "K.T", ".", " ", "\t", "\n", "Nơi", "nhận", "Nơi  nhận",
                   "UBND", "xTM", "a", "Đ", "CHỦ TỊCH", "theo", "ĐQ", ":"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_TRIGGER_PIECES), max_size=16).map("".join))
def test_signature_triggers_from_their_openings_are_the_finditer(text):
    from pipeline.extract import signature
    from pipeline.extract.regexes import iter_from_openings

    got = iter_from_openings(signature._TRIGGER, text, signature._TRIGGER_OPENINGS)
    assert _spans(got) == _spans(signature._TRIGGER.finditer(text))


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_PORTAL_PIECES), max_size=24).map("".join))
def test_boilerplate_from_anchor_starts_is_the_finditer(text):
    """A pattern whose anchor captures `start` (boilerplate.tsv) is matched there only: the spans
    are those of its `finditer`."""
    anchored = [b for b in clean._boilerplate_res() if b.starts_at_anchor]
    assert anchored  # tvpl_chunk
    for b in anchored:
        assert clean._anchored_matches(text, b) == [m.span() for m in b.rx.finditer(text)]


def test_boilerplate_anchor_starts_on_a_portal_chunk():
    """The case the anchor is for, on a text that holds it (the drawn texts may rarely do)."""
    text = "Điều 9. Hiệu lực.\nQuyết định 435/QĐ-UBND năm 2020. Điều 10. Tổ chức; Thông tư 5 năm 2021. II. Mục"
    b = next(b for b in clean._boilerplate_res() if b.starts_at_anchor)
    spans = [m.span() for m in b.rx.finditer(text)]
    assert spans and clean._anchored_matches(text, b) == spans
