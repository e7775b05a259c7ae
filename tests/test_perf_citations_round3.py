"""The third round of citation shortcuts (issue 12) answers exactly what the plain code answered.

Each shortcut passes over work that cannot change a result: the named-law words found by their
openings and their neighbours tested without the pattern, a match's groups read by number, what a
symbol says cached on the symbol rather than on the whole number, an issuer's words tried against
the name tree and the stop words only when they open with a word those can start with, the term
after a name looked for only after spaces and "kh", and the end of a subject found from the few
characters that can end it instead of a look-ahead after each character. The tests draw texts from
the pieces that make those cases hard and compare each shortcut with the plain code. (Speed is
measured by `vanban bench` (the text path's stages), never by a test.)
"""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rules
from pipeline.extract import agencies, references, symbols
from pipeline.extract.agencies import Jurisdiction
from pipeline.extract.regexes import NUMBER, date_from_match, number_re


def _texts(pieces, max_size=30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- named laws: the words found by their openings, the neighbours tested by hand ----------------

_LAW_PIECES = ["Luật", "Bộ luật", "Bộ Luật", "Pháp lệnh", "Hiến pháp", "Hiến pháp lệnh", "luật", "xLuật", "Luậtx",
               "Luậ", "Bộ l", "Phá", "Pháp", "Hiến", "LuậtLuật", "1Luật", "Luật1", "ậ", "Đ", " ", "\n", "Đất đai",
               "sửa đổi", ",", "Bộ", "Pháp", "(", "ǅ", "ʰ", "٣"]


@settings(max_examples=1500, deadline=None)
@given(_texts(_LAW_PIECES, max_size=20))
def test_named_law_words_are_the_finditer(text):
    want = [(m.start(), m.group("type")) for m in references._NAMED_LAW.finditer(text)]
    assert references._named_law_words(text) == want


@settings(max_examples=300, deadline=None)
@given(st.characters())
def test_letter_test_is_the_patterns(c):
    assert references._is_letter(c) == (regex.match(r"\p{L}", c) is not None)


# --- groups read by number -----------------------------------------------------------------------

def _plain_parse_number(m):
    """`parse_number` as it was: the groups read by name, the symbol normalised each time."""
    if m.group("n_norm"):
        s = m.group("s_norm").strip()
        symbol = symbols.normalise_number(symbols._SPACE_SLASH.sub("-", symbols._HYPHEN_SPACES.sub("-", s)))
        digits, year = m.group("n_norm"), int(m.group("y_norm"))
        return symbols.Number(f"{digits}/{year}/{symbol}", digits, year, symbol, "normative")
    if m.group("n_party"):
        symbol = symbols.normalise_number(m.group("s_party"))
        return symbols.Number(f"{m.group('n_party')}-{symbol}", m.group("n_party"), None, symbol, "party")
    symbol = symbols.normalise_number(m.group("s_admin"))
    return symbols.Number(f"{m.group('n_admin')}/{symbol}", m.group("n_admin"), None, symbol, "admin")


# a pattern holding NUMBER after groups of its own: its groups have other numbers than number_re's
_PREFIXED = regex.compile(rf"(?P<lead>Số|số)(?P<colon>:?)\s*{NUMBER}", regex.V1)

_NUMBER_PIECES = ["12", "56", "/", "2017", "-", " ", "NĐ-CP", "QĐ-UBND", "TT BTC", "TTLT/BTP-BCA", "CT/TU", "HD", "x",
                  "Ð", "Số: ", "số ", "TTr-SNV", "CAT(PC04)", "QH14", "UBTVQH15", "Số: 12/QĐ-UBND", "số 56/2017/NĐ-CP",
                  "số 28-CT/TU ", "Số:45/2013/QH13", "số 3812/SLĐT BXH-VP"]


@settings(max_examples=800, deadline=None)
@given(_texts(_NUMBER_PIECES))
def test_number_parts_by_group_number_are_the_parts(text):
    for rx in (number_re(), _PREFIXED):
        for m in rx.finditer(text):
            assert symbols.parse_number(m) == _plain_parse_number(m)


_DATE_PIECES = [" ngày ", "ngày", "Ngày ", "05/7/2017", "5-7-17", "31/2/2020", "26 tháng 8 năm 2025", "19 tháng 6, 2015",
                ", ", " (", ")", "được ban hành ", "ký ", " ", "x", ", UBND tỉnh ban hành ", "năm 2020", "các "]


@settings(max_examples=800, deadline=None)
@given(_texts(_DATE_PIECES, max_size=12))
def test_dates_by_group_number_are_the_dates(text):
    for pos in range(min(len(text), 6)):
        m = references._DATE_AFTER.match(text, pos)
        if m:
            assert references._date_of(m) == date_from_match(m)
    m = references._DATE_BEFORE.search(text)
    if m:
        assert references._date_of(m) == date_from_match(m)


# --- what a symbol says, cached on the symbol ------------------------------------------------------

def _plain_segments(symbol):
    return [s for s in symbols._SEP.split(symbol) if s]


def _plain_type(num):
    segs = _plain_segments(num.symbol)
    if not segs:
        return None
    first = segs[0].split("(")[0]
    table = rules.abbr_to_type()
    if num.grammar == "party":
        return table.get("party", {}).get(first)
    if num.grammar == "normative":
        if symbols._QH.fullmatch(first):
            return "Luật"
        if symbols._UBTVQH.fullmatch(first):
            return "Nghị quyết"
        if first == "PL":
            return "Pháp lệnh"
        if first == "L":
            return "Lệnh"
        return table.get("normative", {}).get(first) or table.get("admin", {}).get(first)
    found = table.get("admin", {}).get(first)
    if found:
        return found
    if symbols._bare(first) in symbols._known_agency_abbrs() or first.isupper():
        return "Công văn" if len(segs) >= 1 else None
    return None


def _plain_known(num):
    segs = [symbols._bare(s) for s in _plain_segments(num.symbol)]
    abbrs = set()
    for fam in rules.abbr_to_type().values():
        abbrs.update(fam)
    known = symbols._known_agency_abbrs() | abbrs | {"QH", "UBTVQH", "PL", "CP", "TTg"}
    if num.grammar == "normative":
        return bool(segs) and (segs[0] in known or segs[0] in {"NĐ", "TT", "TTLT", "QĐ", "NQ", "NQLT", "VBHN"})
    if len(segs) >= 2:
        return any(s in known for s in segs)
    return False


def _plain_issuer(num, province=None):
    segs = _plain_segments(num.symbol)
    if not segs:
        return None
    by_abbr = rules.agency_by_abbr()
    if num.grammar == "party":
        a = by_abbr.get(("party", symbols._bare(segs[-1]))) or by_abbr.get(("party", segs[-1]))
        return a.name if a and a.level == "central" else None
    candidates = segs[1:] if num.grammar != "admin" or _plain_type(num) != "Công văn" else segs[:1]
    if num.grammar == "normative" and symbols._QH.fullmatch(segs[0]):
        return "Quốc hội"
    if num.grammar == "normative" and symbols._UBTVQH.fullmatch(segs[-1]):
        return "Ủy ban Thường vụ Quốc hội"
    names = []
    for s in candidates:
        a = by_abbr.get(("state", symbols._bare(s))) or by_abbr.get(("state", s))
        if a and a.level == "central":
            names.append(a.name)
        elif a and a.level == "province" and province:
            names.append(f"{a.name} {province}" if not a.name.endswith(" tỉnh") else f"{a.name[:-5]} {province}")
    if len(names) == 1:
        return names[0]
    if len(names) > 1:
        return " - ".join(names)
    return None


def _symbol_segments():
    abbrs = sorted({a.abbr for a in rules.agencies()})[::5]
    types = sorted({k for fam in rules.abbr_to_type().values() for k in fam})[::3]
    return abbrs + types + ["QH14", "UBTVQH15", "PL", "L", "TW", "TU", "CAT(PC04)", "x", "Ab", "12", "", "SNV", "SYT"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_symbol_segments()), min_size=1, max_size=4), st.lists(st.sampled_from("-/"), min_size=3,
       max_size=3), st.sampled_from(["normative", "admin", "party"]), st.sampled_from([None, "tỉnh Lâm Đồng", "thành phố Huế"]))
def test_what_the_symbol_says_is_the_plain_reading(segs, seps, grammar, province):
    symbol = segs[0] + "".join(sep + s for sep, s in zip(seps, segs[1:]))
    num = symbols.Number(f"1/{symbol}", "1", 2020 if grammar == "normative" else None, symbol, grammar)
    assert symbols.type_from_symbol(num) == _plain_type(num)
    assert symbols.symbol_is_known(num) == _plain_known(num)
    assert symbols.issuer_from_symbol(num, province) == _plain_issuer(num, province)
    assert symbols._segments(symbol) == _plain_segments(symbol)


_ISSUER_NAMES = ["UBND tỉnh", "Ủy ban nhân dân tỉnh", "Chính phủ", "Thủ tướng Chính phủ", "Bộ Tài chính", "Sở Nội vụ",
                 "Tỉnh ủy", "Huyện ủy", "UBND huyện", "Hội đồng nhân dân tỉnh", "Sở", "UBND", "Bộ trưởng Bộ Y tế"]
_WHERES = [None, Jurisdiction(), Jurisdiction(province="tỉnh Lâm Đồng"),
           Jurisdiction(province="tỉnh Quảng Ngãi", district="huyện Ba Tơ", own="Sở Nội vụ tỉnh Quảng Ngãi")]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_ISSUER_NAMES), st.sampled_from(_WHERES))
def test_cached_issuers_are_the_issuers(name, where):
    assert references.resolve_issuer(name, where) == agencies.resolve_issuer(name, where)


# --- an issuer's words: the name tree, the stop words and the term tried only where they may match --

def _issuer_pieces():
    names = sorted({a.name for a in rules.agencies() if a.level == "central"})
    return names[::4] + [n.upper() for n in names[:4]] + [n.lower() for n in names[4:8]] + list(references._NAME_TAILS) + [
        "BộTài chính", "BỘ", "bộ", "Ủy", "UBND", "nhân", "dân", "tỉnh", " ", "  ", "\n", ",", "-", " - ", "(cũ)", ".", "x",
        "İ", "ı", "ſ", "K", "ban hành", "Ban", "BAN", "quy định", "về", "VỀ", "đã", "được", "triển khai", "công tác ",
        "chỉ đạo", "ban ", "tổ chức thực", "Sửa đổi", "ſửa", "khóa", " khóa XII", " kh", "kh", "\tkhoa IV", "\x1ckhóa X", "1",
        "và", " và ", "&", "'"]


@settings(max_examples=1500, deadline=None)
@given(_texts(_issuer_pieces(), max_size=12))
def test_word_filter_never_skips_a_known_name(text):
    starts = [m.start() for m in references._WORD_START.finditer(text, 0, 160)]
    words = list(references._WORD_AT.finditer(text, 0, 160))
    assert [m.start() for m in words] == starts
    known = references._known_names_re()
    for m in words:
        if known.match(text, m.start(), 160):
            assert references._may_open_known_word(m.group(0))


@settings(max_examples=1500, deadline=None)
@given(_texts(_issuer_pieces(), max_size=12))
def test_stop_filter_never_skips_a_stop(text):
    for t in references._ISSUER_TOKEN.finditer(text):
        if references._ISSUER_STOP_BIGRAMS.match(text, t.start(), t.start() + references.WORD_REACH):
            assert references._may_stop_issuer(t.group(0))


@settings(max_examples=1500, deadline=None)
@given(_texts(_issuer_pieces(), max_size=12), st.integers(0, 40))
def test_term_filter_never_skips_a_term(text, end):
    if references._TERM.match(text, end, end + references.TERM_REACH):
        assert references._may_be_term(text, end)


# --- a subject: where the lazy pattern stops, found from the characters that can stop it ----------

_SUBJECT_PIECES = ["về việc", "về", "VỀ", "Về Việc", "v/v", "V/V", "quy định", "ban hành", "về\nviệc", "về  việc", "vềx",
                   "việc", ",", ", ", ".", ". ", ".\n", ";", "\n", " ", "  ", "\t", "\x1c", "x", "Abc", "abc", "ab cd",
                   "và ", "các ", ", và các Ab", ", 1", "1.2", "v/v.", "y" * 60, "z" * 150, "ẞ", "ǅ"]


@settings(max_examples=3000, deadline=None)
@given(_texts(_SUBJECT_PIECES, max_size=16), st.integers(0, 4), st.sampled_from([320, 20, 60, 400, 5]))
def test_subject_is_the_patterns(text, pos, reach):
    pos = min(pos, len(text))
    endpos = min(len(text), pos + reach)
    m = references._SUBJECT_AFTER.match(text, pos, endpos)
    assert references._subject_after(text, pos, endpos) == (m.group("subject") if m else None)


@settings(max_examples=200, deadline=None)
@given(st.characters())
def test_space_test_is_the_patterns(c):
    assert references._is_space(c) == (regex.match(r"\s", c) is not None)
