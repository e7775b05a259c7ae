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


# --- citations: what follows a number, named laws, issuers before a mention ---------------------

def _old_read_right(text, pos, where, c):
    """`references._read_right` as it was: the four patterns tried in turn, with no opening test."""
    end = pos
    dm = references._DATE_AFTER.match(text, pos, min(len(text), pos + 80))
    if dm:
        c.cited_date = references.date_from_match(dm)
        c.cited_year = c.cited_date.year if c.cited_date else None
        end = dm.end()
    else:
        ym = references._YEAR_AFTER.match(text, pos, min(len(text), pos + 40))
        if ym:
            c.cited_year = int(ym.group("year"))
            end = ym.end()
    im = references._ISSUER_AFTER.match(text, end, min(len(text), end + 20))
    if im:
        name, iend = references._read_issuer(text, im.end())
        if name:
            c.cited_issuer_raw = name
            c.cited_issuer = references.resolve_issuer(name, where)
            end = iend
    sm = references._SUBJECT_AFTER.match(text, end, min(len(text), end + 320))
    if sm:
        c.cited_subject = references._WS.sub(" ", sm.group("subject")).strip()
    return end


_RIGHT_PIECES = [" ", "  ", "\n", "\t", ",", ", ", "(", ")", "ngày", "Ngày", "NGÀY", " ngày ", "05/7/2017", "9-5-2017",
                 "26 tháng 8 năm 2025", "năm", " năm 2020", "2020", "được", "ĐƯỢC", "ban hành", "ký", "KÝ", "của", "CỦA",
                 "do", " Bộ Y tế", " UBND tỉnh", " về việc", "về", "v/v", "quy định", "hướng dẫn", "phê duyệt", "sửa đổi",
                 "thực hiện", "triển khai", "thành lập", "hợp nhất", ";", ".", "và", " Luật", "|", "x", "Căn cứ", "ſ", "K"]


@settings(max_examples=1500, deadline=None)
@given(_texts(_RIGHT_PIECES, max_size=12))
def test_what_follows_a_number_is_read_as_before(text):
    from pipeline.models import Citation

    for pos in range(0, len(text) + 1, max(1, len(text) // 6)):
        new, old = Citation(mention="", start=0, end=0), Citation(mention="", start=0, end=0)
        assert references._read_right(text, pos, None, new) == _old_read_right(text, pos, None, old)
        assert new == old


@settings(max_examples=800, deadline=None)
@given(_texts(_RIGHT_PIECES, max_size=12))
def test_the_openings_are_necessary(text):
    """Wherever one of the four patterns after a number matches, its opening test passes."""
    for pos in range(len(text) + 1):
        end = min(len(text), pos + references.RIGHT_REACH)
        tail = any(rx.match(text, pos, min(len(text), pos + reach)) for rx, reach in (
            (references._ISSUER_AFTER, 20), (references._SUBJECT_AFTER, 320)))
        if tail:
            assert references._TAIL_OPENING.match(text, pos, end)
        if tail or references._DATE_AFTER.match(text, pos, min(len(text), pos + 80)) or \
                references._YEAR_AFTER.match(text, pos, min(len(text), pos + 40)):
            assert references._RIGHT_OPENING.match(text, pos, end)


_FOLD_PIECES = ["Luật", "luật", "LUẬT", " ", "  ", "\n", "\t", "\xa0", "\xad", "\u200b", "Đất", "đai", "hoà", "Hoà", "hòa",
                "uỷ", "Ủy", "a\u0300", "o\u0302\u0301", ".", ",", ";", ":", "-", "–", "x", "1", "ß", "İ", "Tổ chức", "Quốc hội"]


@settings(max_examples=1500, deadline=None)
@given(_texts(_FOLD_PIECES, max_size=25), st.integers(0, 40))
def test_a_folded_prefix_is_a_prefix_of_the_fold(window, need):
    got, whole = references._fold_prefix(window, need)
    full = references.fold(window)
    assert full.startswith(got)
    assert got == full if whole else len(got) >= need


def _old_named_law_at(text, m):
    """`references._named_law_at` as it was: the whole 250-character window folded."""
    start = m.start()
    after = text[m.end(): m.end() + 400]
    if not after[:1].isspace():
        return None
    rest = after.lstrip()
    if m.group("type") == "Hiến pháp":
        hm = references._CONSTITUTION_TAIL.match(rest)
        return "Hiến pháp", m.end() + (len(after) - len(rest)) + (hm.end() if hm else 0)
    am = references._AMENDING_NAME.match(rest)
    if am:
        end = m.end() + (len(after) - len(rest)) + am.end()
        return references._WS.sub(" ", text[start:end]).strip(" ,"), end
    window = text[start: start + 250]
    fw = references.fold(window)
    k, buckets = references._law_names_by_prefix()
    for folded, name in buckets.get(fw[:k], ()):
        if fw.startswith(folded) and (len(fw) == len(folded) or not fw[len(folded)].isalpha()):
            return name, start + len(references._span_of(window, folded))
    if not rest[:1].isupper():
        return None
    stop = references._NAME_STOP.search(rest)
    name_rest = rest[: stop.start()] if stop else rest[:80]
    name_rest = references._WS.sub(" ", name_rest).strip(" ,")
    words = name_rest.split()
    if not words or len(words) > 12 or words[0] in {"sư"}:
        return None
    if references._ACRONYM_WORD.fullmatch(words[0]):
        name_rest = words[0]
        stop = None
        rest = rest[: rest.index(words[0]) + len(words[0])]
    if words[0].lower() in {"này", "sửa", "số", "khác", "mẫu", "về"}:
        return None
    if 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words):
        return None
    name = f"{m.group('type')} {name_rest}"
    end = m.end() + (len(after) - len(rest)) + len(rest[: stop.start()] if stop else name_rest)
    return name, end


def _law_name_pieces():
    names = list(rules.law_names())
    return names[::4][:40] + [n.upper() for n in names[:5]] + [n.replace(" ", "  ") for n in names[1:6]]


@settings(max_examples=1500, deadline=None)
@given(_texts(_law_name_pieces() + ["Luật ", "Bộ luật ", "Luật", " ", "\n", "\xa0", " năm 2013", "hoà", "số 45/2013/QH13",
                                    ",", ".", "x", "sư", "Đất đai", "đai", "Trẻ em", " và "], max_size=8))
def test_named_laws_read_from_a_folded_prefix_as_before(text):
    for m in references._NAMED_LAW.finditer(text):
        assert references._named_law_at(text, m) == _old_named_law_at(text, m)


def _flat_issuer_head_re():
    heads = [h for h, _ in rules.agency_heads()] + [a.name for a in rules.agencies() if a.level == "central"]
    heads += list(references._PERSON_HEADS)
    alt = "|".join(references.regex.escape(h).replace(r"\ ", r"\s+") for h in sorted(set(heads), key=rules.longest_first))
    return references.regex.compile(rf"(?<![\p{{L}}])(?:{alt})(?![\p{{L}}])", references.regex.IGNORECASE)


def _head_pieces():
    heads = sorted(set([h for h, _ in rules.agency_heads()] + list(references._PERSON_HEADS)
                       + [a.name for a in rules.agencies() if a.level == "central"]))
    return heads[::3] + [h.upper() for h in heads[:8]] + [h.lower() for h in heads[8:16]] + \
        [h.replace(" ", "  ") for h in heads[16:20]] + [h[:-1] for h in heads[20:26]]


@settings(max_examples=1500, deadline=None)
@given(_texts(_head_pieces() + [" ", "\n", "x", "Sở", "Bộ ", "tỉnh", ",", " và ", "Ủy ban", "a"], max_size=8))
def test_the_head_tree_matches_as_the_flat_alternation(text):
    assert _spans(references._issuer_head_re().finditer(text)) == _spans(_flat_issuer_head_re().finditer(text))


def test_the_letters_of_ngay_lower_to_themselves():
    """`_may_hold` lowers a window to look for "ngày": every character an IGNORECASE pattern
    matches for one of its letters lowers to that letter (scanned over the whole BMP)."""
    for letter in "ngày":
        rx = references.regex.compile(references.regex.escape(letter), references.regex.IGNORECASE)
        for cp in range(0x10000):
            ch = chr(cp)
            if rx.fullmatch(ch):
                assert ch.lower() == letter, (letter, hex(cp))


@settings(max_examples=800, deadline=None)
@given(_texts(["ngày", "Ngày", "NGÀY", "nGàY", " 12/06/2025", " 5 tháng 6 năm 2025", ", ", "Quốc hội", " ban hành ",
               " đã ", "ký ", "có ", "các ", " ", "\n", "x", "ngay"], max_size=12))
def test_a_date_before_needs_its_ngay(text):
    for hi in range(len(text) + 1):
        lo = max(0, hi - 160)
        if references._DATE_BEFORE.search(text, lo, hi):
            assert references._may_hold(text, lo, hi, "ngày")
