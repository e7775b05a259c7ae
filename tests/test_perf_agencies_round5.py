"""The fifth round of shortcuts in agencies and identity (issue 12) answers exactly what the plain code did.

Agencies: `display_name` counts a name's letters and upper-case letters by one `translate`,
`_fix_mixed` searches for unit words only in a name holding the first word of one, and
`resolve_issuer` reads the name's own part once per spelling (`_issuer_reading`), leaving only the
tests on the citing document's place per pair. Identity: `_strip_person` and `_expand_field` try
their patterns only where the name's first character can open them, and `_place_tail` / `_shape`
search for a place only in a name holding a unit word. The tests draw names from the pieces that
make those cases hard and compare each shortcut with the plain code (kept here, or in the module
as `_resolve_plain` here). Speed is measured by `vanban bench` (the text path's stages), never by a test.
"""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import rules
from pipeline.extract import agencies, identity
from pipeline.extract.agencies import Jurisdiction
from pipeline.text.clean import canonical_tone, fold, one_space


def _texts(pieces, max_size=12):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


_NAME_PIECES = [
    " ", "  ", "\t", ",", ".", "-", " - ", ":", "(cũ)", "(mới)", "Ủy ban nhân dân", "ỦY BAN NHÂN DÂN", "UBND", "HĐND",
    "Hội đồng nhân dân", "tỉnh", "Tỉnh", "TỈNH", "tinh", "thành phố", "Thành phố", "THÀNH PHỐ", "thành  phố", "TP.",
    "TP ", "huyện", "Huyện", "quận", "thị xã", "THỊ XÃ", "xã", "Xã", "xã hội", "XÃ HỘI", "phường", "thị trấn",
    "đặc khu", "ĐẶC KHU", " ủy", " Ủy", "Tỉnh ủy", "Huyện ủy", "Thành ủy", "Thị ủy", "Ban Thường vụ", "Thường trực",
    "Sở", "SỞ", "sở", "ſở", "Phòng", "PHÒNG", "phòng", "Bộ", "BỘ", "Cục", "Chi cục", "Ban", "ban", "Trung tâm",
    "Giám đốc", "Bộ trưởng", "Chủ tịch", "Phó", "Bí thư", "Trưởng ban", "Lâm Đồng", "LÂM ĐỒNG", "Quảng Ngãi",
    "Hà Nội", "Hồ Chí Minh", "Ba Tơ", "Bình Sơn", "Đức Phổ", "12", "Y tế", "Nội vụ", "Tài chính", "LĐ-TB&XH",
    "Lao động – TB&XH", "Văn hóa, Thể thao và Du lịch", "Chính phủ", "Quốc hội", "BỘ TÀI CHÍNH", "Bộ Tài chinh",
    "Ⓐ", "ǅ", "Ⅻ", "ª", "ß", "İ", "ı", "K", "x", "X", "a\u0301", "\u0301", "ǈ", "Σ", "ς", "中",
]
_names = _texts(_NAME_PIECES) | st.text(max_size=20)

_PLACES = [None, "", "tỉnh Lâm Đồng", "thành phố Hà Nội", "thành phố Huế", "huyện Ba Tơ", "thị xã Đức Phổ",
           "thành phố Quảng Ngãi", "quận 1", "xã Bình Tân", "phường 3", "thị trấn Châu Ổ", "đặc khu Phú Quốc"]
_OWN = [None, "", "Sở Y tế tỉnh Lâm Đồng", "Sở Nội vụ", "Ủy ban nhân dân tỉnh Lâm Đồng", "Cục Thuế", "Bộ Tài chính",
        "Ban Quản lý", "Phòng Y tế huyện Ba Tơ", "Trung tâm Y tế", "Chi cục Thuế"]
_wheres = st.none() | st.builds(Jurisdiction, st.sampled_from(_PLACES), st.sampled_from(_PLACES),
                                st.sampled_from(_PLACES), st.sampled_from(_OWN))


# --- agencies ------------------------------------------------------------------------------------

def _plain_mostly_upper(raw: str) -> bool:
    name = canonical_tone(one_space(raw).strip(" -_*.,;:"))
    letters = list(filter(str.isalpha, name))
    return bool(letters) and sum(map(str.isupper, letters)) / len(letters) > 0.8


def _resolve_plain(raw: str | None, where: Jurisdiction | None = None) -> str | None:
    """`resolve_issuer` read in one go, every test on each call (the reference of its tests)."""
    if not raw:
        return None
    name = agencies.display_name(raw)
    if where is None:
        return name
    own = agencies._own_body(name, where.own)
    if own:
        return own
    m = agencies._RELATIVE.match(name)
    if m:
        place = where.level(m.group("unit"))
        if place:
            head = m.group("head") or ""
            return f"{head} {place}".strip()
        return name
    low = agencies.fold(name)
    if low in {"tỉnh ủy", "ban thường vụ tỉnh ủy", "thường trực tỉnh ủy"} and where.province:
        return f"{name} {where.province.split(' ', 1)[1]}"
    # "Huyện ủy", "Thường trực Huyện ủy" in a document of huyện Ba Tơ → … Huyện ủy Ba Tơ
    pm = agencies._PARTY_COMMITTEE.fullmatch(low)
    if pm and where.district:
        unit = {"huyện": "huyện", "thị": "thị xã", "thành": "thành phố"}[pm.group(1)]
        if agencies.fold(where.district).startswith(unit + " "):
            return f"{name} {where.district[len(unit) + 1:]}"
    if low.startswith("sở ") and where.province and "tỉnh" not in low and "thành phố" not in low:
        return f"{name} {where.province}"
    return name


def _assert_only_lower_forms_match(letters: str) -> None:
    """Every character that one of `letters` matches case-insensitively (`regex`) lower-cases to
    that letter: a test of `str.lower` of a text then sees every place the pattern can match."""
    for letter in sorted(set(letters)):
        rx = regex.compile(regex.escape(letter), regex.IGNORECASE)
        for cp in range(0x110000):
            c = chr(cp)
            if rx.fullmatch(c):
                assert c.lower() == letter, (letter, hex(cp))


@settings(max_examples=1500, deadline=None)
@given(_names)
def test_letter_classes_count_as_filter_and_map(raw):
    letters = raw.translate(agencies._LETTER_CLASS)
    plain = list(filter(str.isalpha, raw))
    assert len(letters) == len(plain)
    assert letters.count("U") == sum(map(str.isupper, plain))


def _plain_fix_mixed(name: str) -> str:
    def low(m):
        if agencies._PARTY_SUFFIX.match(name, m.end()):
            return m.group(0)
        return m.group(0).lower() if m.start() > 0 else m.group(0)
    return agencies._unit_re().sub(low, name)


def test_unit_first_letters_lower_to_themselves():
    """Every character `_unit_re`'s IGNORECASE matches for a letter of a unit word's first word
    lowers to that letter, so a match's first word is in `str.lower` of the name."""
    firsts = agencies._unit_firsts()
    assert set(firsts) == {u[0].split(" ")[0].lower() for u in rules.admin_units()}
    _assert_only_lower_forms_match("".join(firsts))


@settings(max_examples=2000, deadline=None)
@given(_names)
def test_fix_mixed_is_the_plain_substitution(name):
    assert agencies._fix_mixed(name) == _plain_fix_mixed(name)


def _plain_display_name(raw: str) -> str:
    name = canonical_tone(one_space(raw).strip(" -_*.,;:"))
    if not name:
        return name
    mostly_upper = _plain_mostly_upper(raw)
    name = agencies.expand_abbreviations(name)
    known = agencies._known_names().get(fold(name)) or agencies._known_bare().get(agencies.bare(name))
    if known:
        return known
    if not mostly_upper:
        return _plain_fix_mixed(name)
    return agencies.display_name.__wrapped__(raw)  # (the upper-case path is unchanged)


@settings(max_examples=2000, deadline=None)
@given(_names)
def test_display_name_is_the_plain_reading(raw):
    assert agencies.display_name.__wrapped__(raw) == _plain_display_name(raw)


@settings(max_examples=3000, deadline=None)
@given(st.none() | _names, _wheres)
def test_resolve_issuer_is_the_plain_reading(raw, where):
    assert agencies.resolve_issuer(raw, where) == _resolve_plain(raw, where)
    assert agencies.resolve_issuer.__wrapped__(raw, where) == _resolve_plain(raw, where)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(["Sở", "Giám đốc Sở", "Sở Y tế", "Bộ trưởng Bộ", "Cục", "Chi cục", "Phòng", "ban", "Trung tâm",
                        "UBND tỉnh", "Ủy ban nhân dân huyện", "Tỉnh ủy", "Huyện ủy", "Thường trực Thị ủy",
                        "Ban Thường vụ Tỉnh ủy", "Thành ủy", "Sở Nội vụ", "Sở Nội vụ tỉnh", "HĐND xã", "thành phố"]),
       _wheres)
def test_resolve_issuer_on_relative_names(raw, where):
    assert agencies.resolve_issuer.__wrapped__(raw, where) == _resolve_plain(raw, where)


# --- identity ------------------------------------------------------------------------------------

def test_first_letters_of_the_ignorecase_patterns():
    """`_PARTY_ORGAN` opens with "ban" or "thường", `_FIELD_NAME` with "sở" or "phòng": the
    characters IGNORECASE matches for their first letters are the ones the shortcuts let through."""
    for letters, allowed in (("bt", "BbTt"), ("sp", "SsPpſ")):
        rx = regex.compile(f"[{letters}]", regex.IGNORECASE)
        got = {chr(cp) for cp in range(0x110000) if rx.fullmatch(chr(cp))}
        assert got == set(allowed)
    assert identity._PERSON.pattern.startswith("^(?:Phó\\s+)?(?:Chủ")
    firsts = {a[:1] for a in regex.search(r"\(\?:(Chủ.*?)\)\\s\+\(\?=", identity._PERSON.pattern).group(1).split("|")}
    assert firsts | {"P"} <= set("PCGBT")


def test_unit_literals_cover_the_unit_words():
    words = identity._UNIT_WORDS.split("|")
    assert all(any(lit in w for lit in identity._UNIT_LITERALS) for w in words)


_ID_PIECES = _NAME_PIECES + ["Chánh Văn phòng", "Tổng cục trưởng", "Cục trưởng", "Thủ trưởng", "Thứ trưởng",
                             "Ban Chấp hành", "BAN THƯỜNG VỤ", "thường trực", "Sở LĐ-TB&XH", "Phòng TC-KH", "Sở GD&ĐT",
                             "Sở Lao động - Thương binh và Xã hội", "Trưởng phòng", "Đảng ủy", "Thị ủy"]
_id_names = _texts(_ID_PIECES) | st.text(max_size=20)


@settings(max_examples=2000, deadline=None)
@given(_id_names)
def test_strip_person_is_the_plain_substitution(name):
    assert identity._strip_person(name) == identity._PARTY_ORGAN.sub("", identity._PERSON.sub("", name))


def _plain_expand_field(name: str) -> str:
    m = identity._FIELD_NAME.match(name)
    if not m or not identity._TWO_CAPITALS.search(m.group(2)):
        return name
    full = identity._field_initials().get((m.group(1).lower(), identity._initials(m.group(2))))
    return full + (m.group(3) or "") if full else name


@settings(max_examples=2000, deadline=None)
@given(_id_names)
def test_expand_field_is_the_plain_reading(name):
    assert identity._expand_field(name) == _plain_expand_field(name)


def _plain_place_tail(name: str):
    if "(" in name:
        name = identity._NEW.sub("", identity._OLD.sub("", name))
    m = identity._PLACE_TAIL.search(name)
    return (name[: m.start()], m.group(0)) if m else (name, None)


def _plain_shape(name: str):
    m = identity._BARE_UNIT_END.match(name) if identity._UNIT_AT_END.search(name[-16:]) else None
    head = m.group("head") if m else None
    return head or None, m.group("unit").lower() if head else None, bool(identity._HAS_PLACE.search(name))


@settings(max_examples=2000, deadline=None)
@given(_id_names)
def test_place_tail_and_shape_are_the_plain_searches(name):
    assert identity._place_tail.__wrapped__(name) == _plain_place_tail(name)
    assert identity._shape.__wrapped__(name) == _plain_shape(name)


def test_unit_word_letters_lower_to_themselves():
    """`_may_end_with_unit` tests `str.lower` of a name's end for `_UNIT_AT_END`'s IGNORECASE words."""
    _assert_only_lower_forms_match(identity._UNIT_WORDS.replace("|", ""))


@settings(max_examples=2000, deadline=None)
@given(_id_names.map(lambda s: s[-16:]) | _texts(_ID_PIECES + ["\n", "\n\n", "TỈNH\n", "Xã\n"], 4))
def test_may_end_with_unit_lets_every_match_through(tail):
    if identity._UNIT_AT_END.search(tail):
        assert identity._may_end_with_unit(tail)
