"""The fourth round of citation shortcuts (issue 12) answers exactly what the plain code answered.

Each shortcut passes over work that cannot change a result: the acronyms a text defines read only
when a law is cited by one, a law the gazetteer prints as the text does taken without folding the
text, the last word before a mention read once for the three tests that look at it (and the part
pattern tried only where that word allows it), the form/annex test read on the context's last three
words, a long gap between two citations ruled out by its first words, the date and the year after a
number read only after what opens one, an issuer's tokens read with fewer tests each. The tests draw
texts from the pieces that make those cases hard and compare each shortcut with the plain code.
(Speed is measured by `vanban bench` (the text path's stages), never by a test.)
"""
from __future__ import annotations

import dataclasses

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rules
from pipeline.extract import references
from pipeline.extract.regexes import excluded_before_re, part_before_re
from pipeline.models import Citation


def _texts(pieces, max_size=30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- named laws compared with the gazetteer as printed ---------------------------------------------

def _plain_named_law_from(text, start, type_end, kind):
    """`_named_law_from` as it was before the printed names: the window's fold compared."""
    after = text[type_end: type_end + 400]
    if not after[:1].isspace():
        return None
    rest = after.lstrip()
    if kind == "Hiến pháp":
        hm = references._CONSTITUTION_TAIL.match(rest)
        return "Hiến pháp", type_end + (len(after) - len(rest)) + (hm.end() if hm else 0)
    am = references._AMENDING_NAME.match(rest) if rest.startswith(references._AMENDING_VERBS) else None
    if am:
        end = type_end + (len(after) - len(rest)) + am.end()
        return references._spaced(text[start:end], " ,"), end
    window = text[start: start + 250]
    fw = references.fold(window)
    k, buckets = references._law_names_by_prefix()
    for folded, name in buckets.get(fw[:k], ()):
        if fw.startswith(folded) and (len(fw) == len(folded) or not fw[len(folded)].isalpha()):
            return name, start + len(references._span_of(window, folded))
    saved = references._law_names_printed
    references._law_names_printed = lambda: (0, {})  # (the rest of the reading, without the shortcut)
    try:
        return references._named_law_from(text, start, type_end, kind)
    finally:
        references._law_names_printed = saved


def _gazetteer_pieces():
    names = list(rules.law_names())
    # the names that open others ("Luật Đầu tư" / "Luật Đầu tư công"), as printed, re-cased, re-spaced
    opening = [n for n in names if any(m != n and m.startswith(n) for m in names)]
    return (names[::5] + opening[:12] + [n.upper() for n in names[:3]] + [n.lower() for n in names[3:6]]
            + [n.replace(" ", "  ") for n in names[6:8]] + [n[:-1] for n in names[8:11]])


_AFTER_NAME = [" ", ",", ";", ".", ":", "\n", "\t", "\r", "\x0b", "\x1c", "(", ")", "<", "=", ">", "\u0338", "\u0301", "2", "0",
               "x", "X", "à", "Đ", "\xa0", "\xad", "\u200b", "–", " công", " đại học", ", thuế nhập khẩu", " và ", " số 45/2013/QH13",
               "hoà", "Luật ", "'", '"', "/", "-", "İ", "ſ"]


@settings(max_examples=3000, deadline=None)
@given(_texts(_gazetteer_pieces() + _AFTER_NAME, max_size=8))
def test_printed_law_names_read_as_the_fold(text):
    for start, kind in references._named_law_words(text):
        assert references._named_law_from(text, start, start + len(kind), kind) == \
            _plain_named_law_from(text, start, start + len(kind), kind)


def test_each_printed_name_answers_as_the_fold():
    """Every name the gazetteer prints, followed by each ASCII character and what may come after it,
    is read as the fold reads it (the cases the drawn texts may miss)."""
    _, printed = references._law_names_printed()
    for bucket in printed.values():
        for name, _, _, _ in bucket:
            kind = next(w for w in references._NAMED_LAW_WORDS if name.startswith(w))
            for c in [chr(i) for i in range(32, 128)] + ["\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f"]:
                for tail in ("", " tiếp", " công nghệ", "\u0338", "x"):
                    text = "Căn cứ " + name + c + tail
                    assert references._named_law_from(text, 7, 7 + len(kind), kind) == \
                        _plain_named_law_from(text, 7, 7 + len(kind), kind), (name, c, tail)


# --- the acronyms a text defines, read on the first lookup -----------------------------------------

_ACRO_PIECES = ["Luật Bảo hiểm y tế", " (BHYT)", "(BHXH)", " (sau đây gọi tắt là BHYT)", "Luật BHYT", "Luật BHXH", "Luật ",
                "Bảo hiểm xã hội", " ", ", ", "; ", "Luật Đất đai", "(LĐĐ)", "Luật LĐĐ", "Bộ luật BLDS", "Luật Doanh nghiệp",
                " số 59/2020/QH14", "Luật DN", "\n", "Luật Trẻ em", "Nghị định số 126/2024/NĐ-CP", "Nghị định 126/NĐ-CP",
                "Quyết định số 12/QĐ-UBND ngày 05/7/2017 của UBND tỉnh", "Quyết định số 12/QĐ-UBND", "Công văn 12/2020/QĐ-UBND",
                "Thông tư 5/TT-BTC", "Thông tư số 5/2019/TT-BTC", "Nghị định 126.1/2024/NĐ-CP", "Nghị định số 126.1/NĐ-CP"]


def _plain_link_names_to_numbers(cits, acronyms):
    """`_link_names_to_numbers` as it was: the known names listed before the loop, the acronyms a dict."""
    by_name = {}
    for c in cits:
        if c.cited_number and c.cited_name:
            by_name.setdefault(references.law_key(c.cited_name), c)
    known = [c.cited_name for c in cits if c.cited_name] + list(rules.law_names())
    index = {}
    for cand in known:
        for k in references._ACRONYM_KINDS:
            if cand.startswith(k + " "):
                index.setdefault((k, references._initials(cand[len(k) + 1:])), cand)
    for c in cits:
        if c.cited_number or not c.cited_name:
            continue
        name = c.cited_name
        m = references._ACRONYM_LAW.fullmatch(name)
        if m:
            kind, acro = m.group(1), m.group(2)
            name = f"{kind} {acronyms[acro]}" if acro in acronyms else index.get((kind, acro.replace("Đ", "D"))) or name
        if name != c.cited_name:
            c.cited_name = name
        full = by_name.get(references.law_key(name))
        if full is not None:
            c.cited_number = full.cited_number
            c.cited_date = c.cited_date or full.cited_date
            c.cited_year = c.cited_year or full.cited_year
            c.short_form = True


def _plain_link_yearless_numbers(cits):
    full = {}
    for c in cits:
        m = references._WITH_YEAR.fullmatch(c.cited_number) if c.cited_number and c.cited_number.count("/") >= 2 else None
        if m:
            full.setdefault((m.group(1), m.group(2)), c.cited_number)
    if not full:
        return
    for c in cits:
        m = references._WITHOUT_YEAR.fullmatch(c.cited_number) if c.cited_number and c.cited_number.count("/") == 1 else None
        if m and (m.group(1), m.group(2)) in full:
            c.cited_number = full[(m.group(1), m.group(2))]
            c.short_form = True


def _plain_resolve_short_forms(cits, acronyms):
    _plain_link_names_to_numbers(cits, acronyms)
    _plain_link_yearless_numbers(cits)
    full = {}
    for c in cits:
        key = references._fold_short(c.cited_number) if c.cited_number else (
            f"name:{references._fold_short(c.cited_name)}" if c.cited_name else None)
        if key is None:
            continue
        if key in full:
            f = full[key]
            if c.cited_date is None and c.cited_issuer is None:
                c.short_form = True
            if c.cited_date is None:
                c.cited_date = f.cited_date
            if c.cited_year is None:
                c.cited_year = f.cited_year
            if c.cited_issuer is None:
                c.cited_issuer = f.cited_issuer
                c.cited_issuer_raw = c.cited_issuer_raw or f.cited_issuer_raw
            if c.cited_type in (None, "Công văn") and f.cited_type:
                c.cited_type = f.cited_type
            if f.cited_date is None and c.cited_date is not None:
                f.cited_date = c.cited_date
            if f.cited_issuer is None and c.cited_issuer is not None:
                f.cited_issuer = c.cited_issuer
        else:
            full[key] = c
    for c in cits:
        key = references._fold_short(c.cited_number) if c.cited_number else (
            f"name:{references._fold_short(c.cited_name)}" if c.cited_name else None)
        f = full.get(key) if key else None
        if f is not None and f is not c:
            c.cited_date = c.cited_date or f.cited_date
            c.cited_issuer = c.cited_issuer or f.cited_issuer


def _cits_of(text):
    saved = references.resolve_short_forms
    references.resolve_short_forms = lambda cits, acronyms=None: None
    try:
        return references.find_citations(text)
    finally:
        references.resolve_short_forms = saved


@settings(max_examples=600, deadline=None)
@given(_texts(_ACRO_PIECES, max_size=14))
def test_short_forms_with_lazy_acronyms_are_as_before(text):
    mine, plain = _cits_of(text), _cits_of(text)
    references.resolve_short_forms(mine, references._LazyAcronyms(text))
    _plain_resolve_short_forms(plain, references.defined_acronyms(text))
    assert [dataclasses.asdict(c) for c in mine] == [dataclasses.asdict(c) for c in plain]


@settings(max_examples=300, deadline=None)
@given(_texts(_ACRO_PIECES, max_size=14), st.sampled_from(["BHYT", "BHXH", "LĐĐ", "DN", "X"]))
def test_lazy_acronyms_are_the_acronyms(text, acro):
    lazy, plain = references._LazyAcronyms(text), references.defined_acronyms(text)
    assert bool(lazy) and (acro in lazy) == (acro in plain)
    if acro in plain:
        assert lazy[acro] == plain[acro]


_NUMBER_TEXTS = ["126/NĐ-CP", "126/2024/NĐ-CP", "12/QĐ-UBND", "12.1/KH", "5a/TB", "1/2/3", "x/y"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_NUMBER_TEXTS))
def test_yearless_parts_are_the_patterns(number):
    m = references._WITHOUT_YEAR.fullmatch(number)
    assert references._without_year(number) == ((m.group(1), m.group(2)) if m else None)


# --- the last word before a mention, read once -----------------------------------------------------

_BEFORE_PIECES = ["khoản", "Khoản", "KHOẢN", "điều", "Điều", "điểm", "mục", "phần", "chương", "phụ lục", "tiểu mục", "tiết",
                  " ", "  ", "\n", "\t", "\xa0", "\x1c", "2", "18", "VI", "iv", "a", "đ", "b)", "3.1", "2a", "1.2.3", ",", " và ",
                  "của", "Của", "CỦA", "tại", "TẠI", "thuộc", "các", "CÁC", "2của", "ccủa", "theo", "cứ", "Căn cứ", "quy định",
                  "ban hành", "Ban Hành", "ký", "có", "đã", "ý kiến", "báo cáo", "UBND tỉnh", "Giám đốc Sở Y tế", ":", ".",
                  "İ", "ſ", "K", "ngày 05/7/2017, ", "Ngày 12/06/2025, ", "x", "số", "Kế hoạch"]


def _flags_of(text, start):
    """The last word's flags as `find_citations` reads them (None: each test reads its own window)."""
    window = text[max(0, start - 120): start]
    last = window.rstrip().rsplit(None, 1)
    return window, (references._word_flags(last[1]) if len(last) == 2 else None)


@settings(max_examples=4000, deadline=None)
@given(_texts(_BEFORE_PIECES, max_size=14), _texts(["", " ", "x", "y" * 130, "  " * 70], max_size=2))
def test_the_last_word_never_skips_a_part_a_connector_or_a_date(text, lead):
    text = lead + text
    start = len(text)
    window, flags = _flags_of(text, start)
    if part_before_re().search(window):
        assert references._may_end_with_part(window)
        assert flags is None or flags & references._PART_VALUE_LAST or flags & references._PART_CONNECTOR_LAST
    if references._ISSUER_CONNECTOR.search(text, max(0, start - 140), start):
        assert flags is None or flags & references._ENDS_CONNECTOR
    if references._DATE_BEFORE.search(text, max(0, start - 160), start):
        assert flags is None or flags & references._ENDS_ENACTING


@settings(max_examples=3000, deadline=None)
@given(_texts(["mẫu", "Mẫu", "biểu", "biểu mẫu", "phụ lục", "tài khoản", "mã số", "mã", "tờ khai", "bản đồ", "thửa",
               "tờ bản đồ", "hồ sơ", "biển số", "điện thoại", "fax", "ĐT", "đt", " ", "  ", "\n", ":", " số", "số", "số:",
               "x", "Nghị định", "İ", "ſ", "\x1c", "\xa0", "y" * 50], max_size=10))
def test_the_last_three_words_never_skip_an_excluded_context(left):
    if excluded_before_re().search(left):
        assert references._may_be_excluded_last(left)


@settings(max_examples=2000, deadline=None)
@given(_texts([",", ";", " và ", "và", " hoặc ", "/", " các ", "số", ":", " ", "\n", "x", "Luật", "y" * 30], max_size=12),
       st.integers(0, 5))
def test_a_list_gap_read_from_its_head_is_the_gap(gap, lead):
    text = "z" * lead + gap + "z"
    assert references._is_list_gap_in(text, lead, lead + len(gap)) == references._is_list_gap(gap)


# --- the date and the year after a number, read after what opens them ------------------------------

_RIGHT_PIECES = [" ", ",", "(", " (", "ngày ", "Ngày", "NGÀY ", "05/7/2017", "26 tháng 8 năm 2025", "được ", "ban hành ", "Ban hành ",
                 "ký ", "năm 2020", "NĂM 2020", "của ", "do ", "về ", "v/v", "quy định", "\n", "x", "9-5-2017", ")", "K"]


@settings(max_examples=3000, deadline=None)
@given(_texts(_RIGHT_PIECES, max_size=8))
def test_the_opening_names_what_may_follow(text):
    om = references._RIGHT_OPENING.match(text, 0, min(len(text), references.RIGHT_REACH))
    opens = om.lastgroup if om else None
    if references._DATE_AFTER.match(text, 0, min(len(text), 80)):
        assert opens in ("d", "b")
    if references._YEAR_AFTER.match(text, 0, min(len(text), 40)):
        assert opens in ("b", "y")


# --- an issuer's tokens, read with fewer tests each ------------------------------------------------

def _plain_read_issuer(text, pos):
    """`_read_issuer` as it was before this round (its later grammar, the place that ends a body's
    name and the lower-case syllables a place closes, added as the plain tests they are)."""
    R = references
    window = text[pos: pos + 200]
    keep = []
    known = R._known_names_re()
    word_starts = R._WORD_AT.finditer(window, 0, 160)
    next_start = next(word_starts, None)
    end = pos
    count = 0
    expect_start = True
    unit = place = False
    for t in R._ISSUER_TOKEN.finditer(window):
        word = t.group(0)
        absolute = pos + t.start()
        while next_start is not None and next_start.start() <= t.start():
            if R._may_open_known_word(next_start.group(0)):
                km = known.match(window, next_start.start(), 160)
                if km:
                    keep.append((km.start() + pos, km.end() + pos))
            next_start = next(word_starts, None)
        if end != absolute:
            gap = text[end:absolute]
            if gap.strip():
                if not any(a < end and absolute < b for a, b in keep):
                    break
            if "\n" in gap:
                break
        w = word.strip()
        inside = any(a <= absolute < b for a, b in keep)
        if count > 0 and not inside and R._may_stop_issuer(word) and R._ISSUER_STOP_BIGRAMS.match(
                text, absolute, absolute + R.WORD_REACH):
            break
        if w.lower() in {"và", "hoặc"}:
            if R._and_next_doc_re().match(text, absolute, absolute + R.WORD_REACH):
                break
            nxt = R._NEXT_LETTER.match(text, absolute + len(word), absolute + len(word) + 4)
            if nxt is None or not nxt.group(1).isupper():
                break
        if w == "-":
            if count == 0:
                break
            end = pos + t.end()
            continue
        if w == "(cũ)":
            end = pos + t.end()
            continue
        core = w.rstrip(".")
        if not inside and count and core[:1].islower() and core.lower() not in R._AFTER_KNOWN_OK and any(
                b == end for _, b in keep):
            break
        first_words, last_words = R._unit_words()
        if place and not inside and core[:1].islower() and w.lower() not in first_words:
            break
        if expect_start:
            if not (core[:1].isupper() or core.lower() in {"ủy", "uỷ", "bộ", "sở"}):
                return None, pos
            expect_start = False
        elif not (inside or core[:1].isupper() or core.lower() in R._issuer_lower() or core.isdigit()
                  or R._place_follows_re().match(text, pos + t.end(), pos + t.end() + R.WORD_REACH)):
            break
        if core[:1].islower():
            unit, place = w.lower() in last_words, False
        elif unit and core[:1].isupper():
            unit, place = False, True
        end = pos + t.start() + len(word.rstrip(".")) if word.endswith(".") and not core.isupper() else pos + t.end()
        count += 1
        if count >= 14 or word.endswith("."):
            break
    tm = R._TERM.match(text, end, end + R.TERM_REACH) if count and R._may_be_term(text, end) else None
    if tm:
        end = tm.end()
    name = text[pos:end].strip(" ,-")
    if name.endswith(R._CONNECTOR_ENDS):
        name = R._TRAILING_CONNECTOR.sub("", name)
    return (name or None), pos + len(text[pos:end].rstrip()) if name else pos


_ISSUER_PIECES = ["Chính phủ", "CHÍNH PHỦ", "Thủ tướng Chính phủ", "Bộ trưởng Bộ Tài chính", "Bộ Văn hóa, Thể thao và Du lịch",
                  "UBND tỉnh", "Ủy ban nhân dân", "Uỷ ban", "tỉnh Lâm Đồng", " ", "  ", "\n", ",", ".", "TP.HCM", "3A", "-",
                  " - ", "(cũ)", " về việc", " quy định", " và ", " và Văn bản số", " hoặc ", "các sở", "công bố",
                  " khóa XII", "Ban Chấp hành Trung ương", "Ban Thường vụ", " triển khai", "công tác triển khai",
                  "Sở Y tế", "sở", "x", "Đ", "İ", "ſ", "1", "'", "&", "Quốc hội", "nước Cộng hòa xã hội chủ nghĩa Việt Nam",
                  " huyện", " thành phố", "Hòa Vang", " tổ chức", "Liên đoàn Quần", " vợt"]


@settings(max_examples=4000, deadline=None)
@given(_texts(_ISSUER_PIECES, max_size=14), st.integers(0, 3))
def test_issuers_are_read_as_before(text, pos):
    pos = min(pos, len(text))
    assert references._read_issuer(text, pos) == _plain_read_issuer(text, pos)


def test_a_long_issuer_window_is_read_as_before():
    """Names running past the 160 characters where known names may start, and past the window."""
    for head in ("Bộ trưởng Bộ Tài chính", "Ủy ban nhân dân tỉnh", "Ban Chấp hành Trung ương"):
        for pad in range(150, 210, 7):
            text = head + " " + "Lâm Đồng Bộ Y tế " * (pad // 16) + "Bộ Tài chính về việc x"
            for pos in (0, 1, len(head) + 1):
                assert references._read_issuer(text, pos) == _plain_read_issuer(text, pos)


def test_regex_letters_that_lowercase_to_the_words():
    """The words the shortcuts read by `str.lower` ("của", "tại", "thuộc", "các", "hành", "theo", "ký",
    "có") hold no letter that an IGNORECASE pattern matches but `str.lower` maps elsewhere, but for the
    odd cases `_tail_lower` gives up on."""
    every = "".join(chr(code) for code in range(0x110000))
    for letter in set("củatạithuộccáchànhtheokýcó"):
        for ch in regex.findall(regex.escape(letter), every, regex.IGNORECASE):
            if ch not in references._ODD_CASES:
                assert ch.lower() == letter, (hex(ord(ch)), letter)


def test_citations_are_those_of_the_plain_reading_on_samples():
    """A few real sentences through `find_citations`, the shortcuts against their plain tests."""
    text = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật Đầu tư công, Luật Đầu tư "
            "và Luật PPP;\nCăn cứ Nghị định số 56/2017/NĐ-CP ngày 09/5/2017 của Chính phủ quy định chi tiết; "
            "theo khoản 2 Điều 5 của Quyết định số 12/QĐ-UBND ngày 05/7/2017 của UBND tỉnh về việc ban hành; "
            "Mẫu số 01/PCTN; Luật Bảo hiểm y tế (BHYT) và Luật BHYT; UBND tỉnh ban hành Kế hoạch số 3450/KH-UBND năm "
            "2026; Kế hoạch số 3664/KH-UBND; Công văn 627/BYT-BH, 628/BYT-BH và 629/BYT-BH của Bộ Y tế.")
    got = references.find_citations(text)
    assert [c.cited_number or c.cited_name for c in got][:3] == [
        "Luật Tổ chức chính quyền địa phương", "Luật Đầu tư công", "Luật Đầu tư"]
    assert any(c.part == "khoản 2 Điều 5" for c in got)
    assert not any(c.cited_number == "01/PCTN" for c in got)
    assert all(isinstance(c, Citation) for c in got)


# --- the typed branch, cached on the type word, the gap, the symbol ---------------------------------

def _plain_typed(tm, num):
    """The typed branch of `_type_and_start` as it was."""
    word = references._type_key(tm.group("type"))
    gap = tm.group("gap")
    if "liên" in gap and references._JOINT.match(gap) and f"{word} liên tịch" in rules.type_words():
        word = f"{word} liên tịch"
    tname = rules.type_words().get(word)
    implied = references.type_from_symbol(num)
    if tname == "Kết luận" and implied == "Thông báo":
        tname = implied
    if tname == "Công văn" and implied and implied not in {"Công văn"} and num.grammar != "admin":
        tname = implied
    return tname


_TYPED_PIECES = ["Quyết định", "Nghị định", "Thông tư", "Thông tư liên tịch", "Nghị quyết liên tịch", "Công văn", "Kết luận",
                 "Thông báo kết luận", "Văn bản", "QUYẾT ĐỊNH", "Kế hoạch  chi tiết", " liên tịch", " liên  tịch", " số ", " số: ",
                 "(hỏa tốc)", " của UBND tỉnh ", " "]
_TYPED_NUMBERS = ["12/QĐ-UBND", "56/2017/NĐ-CP", "03/2016/TTLT-BTP-BCA", "28-CT/TU", "627/BYT-BH", "12/TB-UBND",
                  "45/2013/QH13", "5/KL-TW", "7/CV-X", "8/UBND-NC", "9/2024/TT-BTC"]


@settings(max_examples=2000, deadline=None)
@given(_texts(_TYPED_PIECES, max_size=6), st.sampled_from(_TYPED_NUMBERS))
def test_the_typed_branch_cached_is_the_plain_one(left, number):
    from pipeline.extract.regexes import type_word_before_re
    from pipeline.extract.symbols import parse_number_text
    num = parse_number_text(number)
    tm = type_word_before_re().search(left)
    if tm:
        assert references._typed(*tm.group("type", "gap"), num.symbol, num.grammar) == _plain_typed(tm, num)


def _plain_read_right(text, pos, where, c):
    """`_read_right` as it was: each of the four patterns tried after the opening test."""
    R = references
    end = pos
    if text[pos: pos + 1] in R._NO_OPENING or not R._RIGHT_OPENING.match(text, pos, min(len(text), pos + R.RIGHT_REACH)):
        return end
    dm = R._DATE_AFTER.match(text, pos, min(len(text), pos + 80))
    if dm:
        c.cited_date = R._date_of(dm)
        c.cited_year = c.cited_date.year if c.cited_date else None
        end = dm.end()
    else:
        ym = R._YEAR_AFTER.match(text, pos, min(len(text), pos + 40))
        if ym:
            c.cited_year = int(ym.group("year"))
            end = ym.end()
    if not R._TAIL_OPENING.match(text, end, min(len(text), end + R.RIGHT_REACH)):
        return end
    im = R._ISSUER_AFTER.match(text, end, min(len(text), end + 20))
    if im:
        name, iend = R._read_issuer(text, im.end())
        if name:
            c.cited_issuer_raw = name
            c.cited_issuer = R.resolve_issuer(name, where)
            end = iend
    subject = R._subject_after(text, end, min(len(text), end + R.RIGHT_REACH))
    if subject is not None:
        c.cited_subject = R._spaced(subject)
    return end


_AFTER_NUMBER = _RIGHT_PIECES + ["của ", "Của ", "do ", "doanh nghiệp", "của các sở", "UBND tỉnh", "Chính phủ", " về việc ",
                                 "hướng dẫn ", "; ", ".", "của\n", "CỦA ", " " * 25, "các "]


@settings(max_examples=4000, deadline=None)
@given(_texts(_AFTER_NUMBER, max_size=10))
def test_what_follows_a_number_is_read_as_before(text):
    mine, plain = Citation(mention="", start=0, end=0), Citation(mention="", start=0, end=0)
    assert references._read_right(text, 0, None, mine) == _plain_read_right(text, 0, None, plain)
    assert dataclasses.asdict(mine) == dataclasses.asdict(plain)


@settings(max_examples=3000, deadline=None)
@given(_texts(["Luật sửa đổi, bổ sung một số điều của ", "Luật sửa đổi,\nbổ sung ", "Bộ luật ", "Luật Đất đai", ", ", "; ", ";",
               "\n", " và ", "Luật Hải quan", " tại ", "2019", "x", " ", "Quốc hội ban hành ", "của"], max_size=12),
       st.integers(0, 40))
def test_an_amending_title_is_looked_for_after_the_last_semicolon(text, back):
    back = min(back, len(text))
    start = len(text)
    cut = max(back, text.rfind(";", back, start) + 1)
    plain = references._AMENDING_TITLE.search(text, back, start)
    mine = references._AMENDING_TITLE.search(text, cut, start)
    assert (plain and plain.span()) == (mine and mine.span())
