"""The shortcuts of issue 12 in the citation, signature and header readers answer exactly what the
plain searches they replace answered.

Each shortcut skips work that cannot change a result: a number's separator skipped by the
characters before it, a known body name tried only at a letter that can open one, the signature
triggers found in one pass per first letter, a date line searched from the line of its "ngày",
portal keys tried at line starts, flattened windows' anchors listed on demand, a number's parts
and a title's casing cached as pure functions of their strings. The tests draw texts from the
pieces that make those cases hard and compare each shortcut with the plain search. (Speed itself is
measured by `vanban bench`, never by a test.)
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rules
from pipeline.extract import header, references, signature, symbols
from pipeline.extract.regexes import iter_numbers, number_re


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


def _texts(pieces, max_size=30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- numbers: the separators skipped by the characters before them ------------------------------

_NUMBER_PIECES = ["0", "1", "12", "2017", "/", "-", " ", "  ", ".", "a", "b", "z", "x", "ậ", "lập", "và", "Q",
                  "QĐ-UBND", "/NĐ-CP", "12.5", "12a", "٣", "\n", "(", "số ", "TW", "-HD/", "và/hoặc"]


@settings(max_examples=800, deadline=None)
@given(_texts(_NUMBER_PIECES))
def test_numbers_with_the_separator_filter_are_the_finditer(text):
    assert _spans(iter_numbers(text)) == _spans(number_re().finditer(text))


def _old_parse_number(m):
    """`parse_number` as it was before its cache: read from the match each time."""
    if m.group("n_norm"):
        symbol = symbols.normalise_number(symbols._SPACE_SLASH.sub("-", symbols._HYPHEN_SPACES.sub("-", m.group("s_norm").strip())))
        digits, year = m.group("n_norm"), int(m.group("y_norm"))
        return symbols.Number(f"{digits}/{year}/{symbol}", digits, year, symbol, "normative")
    if m.group("n_party"):
        symbol = symbols.normalise_number(m.group("s_party"))
        return symbols.Number(f"{m.group('n_party')}-{symbol}", m.group("n_party"), None, symbol, "party")
    symbol = symbols.normalise_number(m.group("s_admin"))
    return symbols.Number(f"{m.group('n_admin')}/{symbol}", m.group("n_admin"), None, symbol, "admin")


@settings(max_examples=400, deadline=None)
@given(_texts(["12", "56", "/", "2017", "/", "-", " ", "NĐ-CP", "QĐ-UBND", "TT BTC", "TTLT/BTP-BCA", "CT/TU", "HD", "x"]))
def test_cached_number_parts_are_the_parts(text):
    for m in number_re().finditer(text):
        assert symbols.parse_number(m) == _old_parse_number(m)


# --- issuers: a known name tried only at a letter that can open one -----------------------------

def _known_name_samples():
    names = [a.name for a in rules.agencies() if a.level == "central"] + list(references._NAME_TAILS)
    return sorted(set(names))[:40]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_known_name_samples()), st.sampled_from(["", "x", "Đ", " ", "Bộ "]),
       st.sampled_from(["lower", "upper", "same", "title"]))
def test_a_letter_that_opens_a_known_name_is_tried(name, before, case):
    text = before + {"lower": name.lower(), "upper": name.upper(), "same": name, "title": name.title()}[case]
    for m in references._WORD_START.finditer(text):
        if references._known_names_re().match(text, m.start()):
            assert references._may_open_known_name(m.group(0))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzĐđÂâỦủỦƯưÔôÝýİıſK ", min_size=1, max_size=3))
def test_no_letter_that_opens_a_known_name_is_skipped(text):
    if references._known_names_re().match(text, 0, 160) and text[:1].isalpha():
        assert references._may_open_known_name(text[0])


# --- signature: triggers found in one pass per first letter ------------------------------------

_TRIGGER_PIECES = ["TM", "KT", "Q", "TL", "TUQ", "T/M", "K/T", "T.M", "K.T", "Nơi", " nhận", ".", " ", "\n", "\t",
                   "K", "T", "M", "x", "a", "CHỦ TỊCH", "theo", "TMKT", "KTT", "QQ"]


@settings(max_examples=800, deadline=None)
@given(_texts(_TRIGGER_PIECES))
def test_triggers_from_their_openings_are_the_finditer(text):
    from pipeline.extract.regexes import iter_from_openings

    got = iter_from_openings(signature._TRIGGER, text, signature._TRIGGER_OPENINGS)
    assert _spans(got) == _spans(signature._TRIGGER.finditer(text))


def _old_flatten(text, base=0):
    out, anchors, pos, flat_len = [], [(0, base)], 0, 0
    for m in signature._GAP_RE.finditer(text):
        out.append(text[pos:m.start()])
        flat_len += m.start() - pos
        out.append(" ¶ ")
        flat_len += 3
        anchors.append((flat_len, base + m.end()))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), anchors


@settings(max_examples=400, deadline=None)
@given(_texts(["KT. CHỦ TỊCH", "\n", "|", "\t", "\f", "   ", "  ", " ", "Nguyễn Văn A", "x", "¶"]), st.integers(0, 50))
def test_flattened_windows_map_back_as_before(text, base):
    flat, anchors = signature._flatten(text, base)
    old_flat, old_anchors = _old_flatten(text, base)
    assert flat == old_flat
    assert anchors.pairs() == old_anchors
    for p in range(len(flat) + 1):
        assert signature._unflat(anchors, p) == signature._unflat(old_anchors, p)


# --- header: the date line searched from the line of its "ngày"; portal keys at line starts ----

_DATE_PIECES = ["Hà Nội", "TP. Hồ Chí Minh", "TP.", "tp.", "\n", " ", "\t", ", ", ",", "ngày", "Ngày", "NGÀY", " 12", "05",
                " tháng ", "tháng", " 3 ", " năm ", "năm", "2025", "…", "...", "x", "Số: 12/QĐ-UBND", "/", "-", "."]


@settings(max_examples=800, deadline=None)
@given(_texts(_DATE_PIECES), st.integers(0, 20))
def test_date_lines_from_the_first_ngay_are_the_finditer(text, pos):
    pos = min(pos, len(text))
    assert _spans(header._date_lines(text, pos)) == _spans(header._DATE_LINE.finditer(text, pos))
    assert _spans(header._numeric_date_lines(text)) == _spans(header._DATE_LINE_NUMERIC.finditer(text))


_PORTAL_PIECES = ["Số hiệu", "Loại văn bản", "Cơ quan ban hành", "Nơi ban hành", "Ngày ban hành", "Người ký", "số  hiệu",
                  "NGƯỜI KÝ", ":", " : ", "\n", "\n\n", "  ", "\t", "12/QĐ-UBND", "Nguyễn Văn A", "x", "ſố hiệu"]


def _old_portal_fields(text):
    """`_portal_fields` as it was: the pattern's `finditer` over the header window."""
    out = {}
    for m in header._PORTAL.finditer(text[:header.HEADER_WINDOW]):
        out[header.fold(m.group("key"))] = m.group("value").strip()
    return list(out.items())


@settings(max_examples=800, deadline=None)
@given(_texts(_PORTAL_PIECES))
def test_portal_fields_at_line_starts_are_the_finditer(text):
    assert list(header._portal_fields(text).items()) == _old_portal_fields(text)
