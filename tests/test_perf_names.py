"""The shortcuts of the name resolvers (issue 12) answer exactly what the plain code they replace did.

`agencies.bare` reads `strip_accents` from a table of single characters; `expand_abbreviations`
runs a substitution only when its literal is in the name; `identity` tries the lazy `_BARE_UNIT_END`
only when a unit word ends the name, searches "(cũ)" only in a name with a parenthesis, and reads a
cited issuer's date-free part once per spelling; `units` finds the unit word of an unaccented match
by one lookup, tries the unaccented key only when the accented finds nothing and reads each gap
once. The tests draw texts from the pieces that make those cases hard and compare each shortcut
with the plain code, copied here as it was. (Speed itself is measured by `vanban bench`, never by
a test.)
"""
from __future__ import annotations

import datetime as dt
import unicodedata

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import agencies, identity, units
from pipeline.extract.agencies import Jurisdiction
from pipeline.models import Citation
from pipeline.text.clean import canonical_tone, fold, strip_accents

# marks with a combining class that are not nonspacing (NFD's ordering moves them and
# `strip_accents` keeps them), nonspacing marks, letters that decompose or fold to several
_MARK_PIECES = ["\u1734", "\u302e", "\u302f", "\U0001d165", "\U0001d16d", "\u0301", "\u0323", "\u0309", "\u0303", "\u0300",
                "\u0302", "\u0306", "\u031b", "ß", "İ", "ǰ", "ΐ", "ﬁ", "\u212a", "가", "Đ", "đ", "Ð", "ſ", "ς", "Σ"]
_VI_PIECES = ["Ủy ban nhân dân", "tỉnh", "TỈNH", "Lâm Đồng", "LÂM ĐỒNG", "Khánh Hoà", "hoà", "Uỷ", "thành phố", "TP.",
              "Hồ Chí Minh", "xã", "phường 03", "Q.1", "đặc khu", "thị xã", "Thị Xã", "huyện", "HUYỆN", "Đức Phổ", "(cũ)",
              "(mới)", "(cu)", " ", "  ", "\n", "-", "–", ".", ",", "Sở", "UBND", "HĐND", "QĐ-UBND", "12/2024/NĐ-CP", "a", "A"]


@settings(max_examples=800, deadline=None)
@given(st.text(max_size=12) | st.lists(st.sampled_from(_MARK_PIECES + _VI_PIECES), max_size=14).map("".join))
def test_bare_is_strip_accents(text):
    assert agencies.bare(text) == strip_accents(text)


_EXPAND_PIECES = ["UBND", "HĐND", "UBMTTQ", "UBMTTQVN", "MTTQ", "MTTQVN", "Việt Nam", "BCĐ", "BQL", "TP.", "TP", "TX.",
                  "TT.", "VP", "VPx", "xVP", " ", "  ", ".", "-", "Huế", "huế", "tỉnh", "Ủy", "X", "\n", "thành phố"]


def _plain_expand(name: str) -> str:
    for p, r in agencies._EXPAND:
        name = regex.sub(p, r, name)
    return regex.sub(r"\s+", " ", name).strip()


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_EXPAND_PIECES), max_size=14).map("".join))
def test_abbreviations_tried_by_their_literal_are_the_substitutions(name):
    assert agencies.expand_abbreviations(name) == _plain_expand(name)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_VI_PIECES + ["Ủy", "ủy", " uỷ", " ỦY", "y", "Huyện", "Tỉnh"]), max_size=10).map("".join),
       st.data())
def test_party_suffix_at_a_position_is_the_match_of_the_rest(name, data):
    pos = data.draw(st.integers(0, len(name)))
    plain = regex.match(r"\s+[uủ][yỷ](?!\p{L})", name[pos:], regex.IGNORECASE)
    assert bool(agencies._PARTY_SUFFIX.match(name, pos)) == bool(plain)


@given(st.text(max_size=8) | st.sampled_from(["BHXH", "TTĐT", "ĐẢNG", "BCH", "UBND", "XÃ", "Ỷ"]))
def test_vowel_set_is_the_vowel_class(token):
    low = token.lower()
    plain = regex.search(r"[aeiouyàáảãạâầấẩẫậăằắẳẵặèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", low)
    assert agencies._VOWELS.isdisjoint(low) == (not plain)


# -- identity --------------------------------------------------------------------------------------
_ISSUER_PIECES = ["Ủy ban nhân dân", "Chủ tịch", "Phó Chủ tịch", "Bộ trưởng", "Bộ Tài chính", "Sở", "Sở Y tế", "Phòng",
                  "Phòng Y tế", "Sở LĐ-TB&XH", "Sở Lao động – TB&XH", "Ban Thường vụ", "Tỉnh ủy", "Huyện ủy", "tỉnh", "huyện",
                  "thị xã", "thành phố", "xã", "quận", "phường", "đặc khu", "Tỉnh", "HUYỆN", "Quảng Ngãi", "Lâm Đồng", "Bình Sơn",
                  "Ia Lang", "Huế", "(cũ)", "(Cũ)", "(mới)", "(cu)", "(", ")", " ", "  ", "\n", ",", ".", "-", "–"]


def _plain_normalise_places(name: str, on) -> str:
    name = identity._NEW.sub("", identity._OLD.sub("", name))
    m = identity._PLACE_TAIL.search(name)
    if m:
        name = name[: m.start()] + identity._place(m.group(0), on)
    return name


def _plain_cited_issuer(c: Citation, where: Jurisdiction, citing_date) -> str | None:
    """`identity.canonical_cited_issuer` as it was: every step on every call."""
    raw = c.cited_issuer
    if not raw:
        return None
    on = c.cited_date or (dt.date(c.cited_year, 6, 30) if c.cited_year else citing_date)
    old = bool(identity._OLD.search(raw)) or bool(c.cited_issuer_raw and identity._OLD.search(c.cited_issuer_raw))
    name = identity._tidy(identity._expand_field(identity._strip_person(raw)))
    name = _plain_normalise_places(name, on if not old else dt.date(2025, 6, 30))
    m = identity._BARE_UNIT_END.match(name)
    if m and m.group("head") and not identity._HAS_PLACE.search(name):
        unit = m.group("unit").lower()
        head = m.group("head")
        if unit in {"huyện", "quận", "thị xã", "thành phố"} and where.commune and not where.district:
            district = None
            try:
                district = units.district_of_commune(where.commune, where.province, on)
            except Exception:
                district = None
            if district and (unit == "thành phố" or fold(district).startswith(unit)):
                return f"{head} {district}"
            tied = ", ".join(x for x in (where.commune, where.province) if x)
            return f"{head} {unit} <của {tied}>"
        if unit == "tỉnh" and where.province:
            return f"{head} {where.province}"
        lvl = where.level(unit)
        if lvl:
            return f"{head} {lvl}"
    if not identity._HAS_PLACE.search(name) and where.province:
        head = fold(name).split(" ", 1)[0]
        if head == "sở":
            return f"{name} {where.province}"
        if head == "phòng" and where.district:
            return f"{name} {where.district}"
    return name


_WHERES = [Jurisdiction(), Jurisdiction("tỉnh Quảng Ngãi", "huyện Bình Sơn", None, "Ủy ban nhân dân huyện Bình Sơn"),
           Jurisdiction("tỉnh Gia Lai", None, "xã Ia Lang", "Ủy ban nhân dân xã Ia Lang"),
           Jurisdiction("tỉnh Lâm Đồng", None, None, "Sở Nội vụ tỉnh Lâm Đồng"),
           Jurisdiction(None, "thành phố Huế", "phường 3", None)]
_DATES = [None, dt.date(2019, 5, 1), dt.date(2024, 12, 31), dt.date(2025, 3, 1), dt.date(2025, 8, 1)]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_ISSUER_PIECES), min_size=1, max_size=8).map(" ".join),
       st.sampled_from([None, "(cũ)", "Sở Y tế (cũ)", "x"]), st.sampled_from(_DATES), st.sampled_from([None, 2020, 2025]),
       st.sampled_from(_WHERES), st.sampled_from(_DATES))
def test_cited_issuer_read_once_per_spelling_is_the_plain_reading(raw, raw_as_written, date, year, where, citing):
    c = Citation(mention="", start=0, end=0, cited_issuer=raw, cited_issuer_raw=raw_as_written, cited_date=date,
                 cited_year=year)
    assert identity.canonical_cited_issuer(c, where, citing) == _plain_cited_issuer(c, where, citing)
    assert identity._normalise_places(raw, date) == _plain_normalise_places(raw, date)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_ISSUER_PIECES + ["Tỉnh\n", "xã\n", "THỊ XÃ", "ĐẶC KHU"]), max_size=8).map("".join))
def test_shape_and_old_mark_are_the_plain_searches(name):
    m = identity._BARE_UNIT_END.match(name)
    head = m.group("head") if m else None
    plain = (head or None, m.group("unit").lower() if head else None, bool(identity._HAS_PLACE.search(name)))
    assert identity._shape(name) == plain
    assert identity._marked_old(name) == bool(name and identity._OLD.search(name))


# -- units -------------------------------------------------------------------------------------------
def _plain_split(text: str):
    """`units._split` as it was: the unit word of an unaccented match found by scanning the words."""
    s = units._DASHES.sub("-", unicodedata.normalize("NFC", text))
    s = canonical_tone(" ".join(s.split())).strip(" .,;:")
    marker = None
    if m := units._MARKER.search(s):
        marker = "old" if strip_accents(m.group(1)) == "cu" else "new"
        s = s[:m.start()].strip(" .,;:")
    word = None
    if m := units._ABBR.match(s):
        word, s = units._ABBR_WORD[(m.group(1) or m.group(2)).casefold()], s[m.end():]
    else:
        accented, bare = units._word_res()
        m = accented.match(s) or (bare.match(s) if strip_accents(s) == s.casefold() else None)
        if m:
            folded = strip_accents(" ".join(m.group(1).split()))
            word = next(w for w in units._words() if strip_accents(w) == folded)
            s = m.group(2)
    return word, s.strip(" .,;:"), marker


def _plain_candidates(word, name):
    g = units._gazetteer()
    key = units._key(name)
    if not key:
        return []
    tries = ([(r, r.word, False) for r in g.accented.get(key, ())], g.plain.get(strip_accents(key), ()))
    for hits in tries:
        exact, other = [], []
        for r, w, alias in hits:
            same = word is None or w == word
            if not same and not units._level_ok(word, r.level):
                continue
            keep = r.level == "province" or (same and not alias)
            shown = r.name if keep else f"{word or w or r.word} {units._title(name, lower_rest=True)}"
            (exact if same else other).append((r, shown))
        if exact or other:
            return exact or other
    return []


_UNIT_PIECES = ["tỉnh", "TỈNH", "tinh", "TINH", "thành phố", "THANH PHO", "Tp", "TP.", "TX.", "TT.", "Q.", "P.", "H.", "x.",
                "thị xã", "thi xa", "thị trấn", "huyện", "huyen", "quận", "xã", "xa", "phường", "đặc khu", "dac khu",
                "Lâm Đồng", "LAM DONG", "Khánh Hoà", "Hồ Chí Minh", "Huế", "Thừa Thiên Huế", "Đức Phổ", "Bình Sơn", "Ia Lang",
                "Đình Xuyên", "Lý Sơn", "1", "03", "(cũ)", "(mới)", "(moi)", " ", "-", "–", ".", ","]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_UNIT_PIECES), min_size=1, max_size=6).map(" ".join), st.sampled_from(_DATES))
def test_unit_reading_is_the_plain_reading(text, on):
    split = units._split(text)
    assert split == _plain_split(text)
    assert list(units._candidates(*split[:2])) == _plain_candidates(*split[:2])
    cands = _plain_candidates(*split[:2])
    if cands:
        d = on or units.REFORM
        best = min(r.gap(d) for r, _ in cands)
        assert units._era_pick(cands, on, None) == [c for c in cands if c[0].gap(d) == best]


def test_unit_word_of_an_unaccented_match_is_the_first_bearing_it():
    for folded, word in units._word_of_bare().items():
        assert word == next(w for w in units._words() if strip_accents(w) == folded)
