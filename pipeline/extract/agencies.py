"""Names of issuing bodies: from the header's capitals to a full name, and back from "UBND tỉnh".

Forms handled:
  Header, one body:       ỦY BAN NHÂN DÂN / TỈNH LÂM ĐỒNG      → Ủy ban nhân dân tỉnh Lâm Đồng
  Header, body + parent:  UBND TỈNH LÂM ĐỒNG / SỞ NỘI VỤ       → Sở Nội vụ (parent: Ủy ban nhân dân tỉnh Lâm Đồng)
  Header, split name:     ỦY BAN THƯỜNG VỤ / QUỐC HỘI          → Ủy ban Thường vụ Quốc hội
  Flattened:              ỦY BAN NHÂN DÂN TỈNH KON TUM -------  → Ủy ban nhân dân tỉnh Kon Tum
  Relative, in the body:  của UBND tỉnh (in a Lâm Đồng document) → Ủy ban nhân dân tỉnh Lâm Đồng
                          của UBND thị xã (in a document of thị xã Đức Phổ) → Ủy ban nhân dân thị xã Đức Phổ
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from .. import rules
from ..text.clean import canonical_tone, fold, one_space, strip_accents


class _Reorders(Exception):
    """A character whose decomposition holds a mark that canonical ordering may move and
    `strip_accents` keeps (a spacing mark with a combining class): read by `strip_accents` itself."""


class _BareChars(dict):
    """Code point → `strip_accents` of that character alone, filled on first sight."""

    def __missing__(self, cp: int) -> str:
        c = chr(cp)
        if any(unicodedata.combining(d) and unicodedata.category(d) != "Mn"
               for d in unicodedata.normalize("NFD", c)):
            raise _Reorders
        self[cp] = out = strip_accents(c)
        return out


_BARE_CHARS = _BareChars()


def bare(s: str) -> str:
    """`strip_accents(s)`, by one table lookup per character instead of a decomposition and a
    category test per character (it runs on every new name, number and unit mention).

    Why per character gives the same: `strip_accents` is a replacement of Đ/đ, NFD, dropping the
    nonspacing marks (Mn) and `casefold` (which has no context), all per character except NFD's
    canonical ordering, which only moves marks with a combining class among themselves. Every Mn
    mark is dropped wherever it moves; the characters kept all have class 0 (never moved), except
    in a text holding a spacing mark with a class (`_Reorders`), which is left to `strip_accents`."""
    if s.isascii():
        return s.lower()  # NFD changes no ASCII character, none is a mark, casefold is lower
    try:
        return s.translate(_BARE_CHARS)
    except _Reorders:
        return strip_accents(s)


# abbreviations that appear inside names ("UBND TỈNH", "TP. HỒ CHÍ MINH")
_EXPAND = [
    (r"\bUBND\b", "Ủy ban nhân dân"),
    (r"\bHĐND\b", "Hội đồng nhân dân"),
    (r"\bUBMTTQ(?:VN\b|\s+Việt\s+Nam\b)?", "Ủy ban Mặt trận Tổ quốc Việt Nam"),
    (r"\bMTTQ(?:VN\b|\s+Việt\s+Nam\b)?", "Mặt trận Tổ quốc Việt Nam"),
    (r"\bBCĐ\b", "Ban Chỉ đạo"),
    (r"\bBQL\b", "Ban Quản lý"),
    (r"\bTP\.\s*", "thành phố "),
    (r"\bTP\s+(?=\p{Lu})", "thành phố "),
    (r"\bTX\.\s*", "thị xã "),
    (r"\bTT\.\s*", "thị trấn "),
    (r"\bVP\b", "Văn phòng"),
]

# words that stay lower case inside a body name; everything else after a unit word is a place
_LOWER = {"và", "các", "của", "nhân", "dân", "cũ", "mới"}


@cache
def _known_names() -> dict[str, str]:
    """fold(full name) → canonical spelling, for central bodies and generic heads."""
    out = {}
    for a in rules.agencies():
        if a.level == "central":
            out[fold(a.name)] = a.name
    return out


@cache
def _known_bare() -> dict[str, str]:
    """Central names without tone marks → canonical, when unambiguous: a typo or an OCR slip in a
    tone mark ("BỘ GIÁO DỤC VÀ ĐÀO TÀO") still names the body the gazetteer knows."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for a in rules.agencies():
        if a.level == "central":
            k = strip_accents(a.name)
            seen[k] = seen.get(k, 0) + 1
            out[k] = a.name
    return {k: v for k, v in out.items() if seen[k] == 1}


@cache
def _unit_re() -> regex.Pattern:
    words = "|".join(regex.escape(u[0]).replace(r"\ ", r"\s+") for u in rules.admin_units())
    # "XÃ HỘI" (society) in "Bảo hiểm xã hội", "Thương binh và Xã hội" is not the unit "xã"
    return regex.compile(rf"(?<!\p{{L}})(?P<unit>{words})(?!\p{{L}})(?!\s+h[ộo]i(?!\p{{L}}))", regex.IGNORECASE)


@cache
def _head_re() -> regex.Pattern:
    heads = "|".join(regex.escape(h).replace(r"\ ", r"\s+") for h, _ in rules.agency_heads())
    return regex.compile(rf"(?<!\p{{L}})(?:{heads})(?!\p{{L}})", regex.IGNORECASE)


@cache
def _head_canonical() -> dict[str, str]:
    return {fold(h): c for h, c in rules.agency_heads()}


def _required(pattern: str) -> str:
    """The literal every match of an `_EXPAND` pattern starts with ("UBND", "TP", "MTTQ" …): the
    characters after `\\b` up to the first regex syntax."""
    m = regex.match(r"\\b([\p{L}]+(?:\\\.)?)", pattern)
    return m.group(1).replace("\\", "")


# each pattern with the literal its matches hold: most names hold none, and a substring test is
# cheaper than a pattern's search (the substitutions still run in order, each on the previous result)
_EXPAND_RE = [(regex.compile(p), r, _required(p)) for p, r in _EXPAND]


def expand_abbreviations(name: str) -> str:
    for rx, rep, literal in _EXPAND_RE:
        if literal in name:
            name = rx.sub(rep, name)
    return one_space(name).strip()


def _title(word: str) -> str:
    return word[:1].upper() + word[1:].lower() if word else word


_FIELD_SEPARATORS = regex.compile(r"(\s+|,|-)")
_VOWELS = frozenset("aeiouyàáảãạâầấẩẫậăằắẳẵặèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")


def _field_case(text: str) -> str:
    """Field name after a head: first word of each conjunct capitalised (Bộ Văn hóa, Thể thao và Du lịch)."""
    out = []
    cap_next = True
    for tok in _FIELD_SEPARATORS.split(text):
        if not tok or tok.isspace() or tok in {",", "-"}:
            out.append(tok)
            if tok in {",", "-"}:
                cap_next = True
            continue
        low = tok.lower()
        if low == "và":
            out.append(low)
            cap_next = True
            continue
        if tok.isupper() and len(tok) <= 6 and _VOWELS.isdisjoint(low):
            out.append(tok)  # an acronym inside a name: "BHXH", "TTĐT"
            cap_next = False
            continue
        out.append(_title(low) if cap_next else low)
        cap_next = False
    return "".join(out)


class _LetterClass(dict):
    """Code point → "U" for a letter that is upper case, "l" for another letter, "" for anything
    else, filled on first sight: `name.translate` of it holds one character per letter of `name`
    (`str.isalpha` of the character alone, as filtering the string by it reads each), so its length
    and its count of "U" are the letters and the upper-case ones, counted in C instead of by a
    filter and a map calling the two tests per character (on every new name)."""

    def __missing__(self, cp: int) -> str:
        c = chr(cp)
        self[cp] = out = ("U" if c.isupper() else "l") if c.isalpha() else ""
        return out


_LETTER_CLASS = _LetterClass()


@lru_cache(maxsize=8192)
def display_name(raw: str) -> str:
    """Upper-case or abbreviated body name → normal Vietnamese capitalisation.

    "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG" → "Ủy ban nhân dân tỉnh Lâm Đồng";
    "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" → "Sở Văn hóa, Thể thao và Du lịch";
    "UBND thị xã Đức Phổ" → "Ủy ban nhân dân thị xã Đức Phổ"; a mixed-case name is kept.
    """
    name = canonical_tone(one_space(raw).strip(" -_*.,;:"))
    if not name:
        return name
    letters = name.translate(_LETTER_CLASS)  # "U" per upper-case letter, "l" per other letter
    mostly_upper = bool(letters) and letters.count("U") / len(letters) > 0.8
    name = expand_abbreviations(name)
    known = _known_names().get(fold(name)) or _known_bare().get(bare(name))
    if known:
        return known
    if not mostly_upper:
        return _fix_mixed(name)
    # head ("SỞ", "TỈNH ỦY", "ỦY BAN NHÂN DÂN") first, then the place part: unit word + place name
    hm = _head_re().match(name)
    m = _unit_re().search(name, hm.end() if hm else 0)
    head_part, place_part = (name[: m.start()], name[m.start():]) if m else (name, "")
    head_part = head_part.strip()
    hm = _head_re().match(head_part)
    if hm:
        canon = _head_canonical().get(fold(hm.group(0)), _title(hm.group(0).lower()))
        rest = head_part[hm.end():].strip()
        # Party committees are named by their place: "TỈNH ỦY QUẢNG NGÃI" → "Tỉnh ủy Quảng Ngãi"
        cased = _name_case(rest) if fold(canon).endswith("ủy") else _field_case(rest)
        head_txt = canon + (" " + cased if rest else "")
    else:
        head_txt = _field_case(head_part) if head_part else ""
    place_txt = _place_case(place_part) if place_part else ""
    return (head_txt + " " + place_txt).strip()


def _place_case(text: str) -> str:
    """"TỈNH LÂM ĐỒNG" → "tỉnh Lâm Đồng"; "THÀNH PHỐ HỒ CHÍ MINH" → "thành phố Hồ Chí Minh"."""
    out = []
    pos = 0
    for m in _unit_re().finditer(text):
        if m.start() > pos:
            out.append(_name_case(text[pos:m.start()]))
        out.append(m.group(0).lower())
        pos = m.end()
    out.append(_name_case(text[pos:]))
    return one_space("".join(out)).strip()


_LETTERS = regex.compile(r"\p{L}+")


def _name_case(text: str) -> str:
    return _LETTERS.sub(lambda w: w.group(0).lower() if w.group(0).lower() in _LOWER else _title(w.group(0)), text)


_PARTY_SUFFIX = regex.compile(r"\s+[uủ][yỷ](?!\p{L})", regex.IGNORECASE)


@cache
def _unit_firsts() -> tuple[str, ...]:
    """The first word of each unit word, lower case: every match of `_unit_re` holds one of them,
    and under its IGNORECASE each of their letters matches only characters that `str.lower` turns
    into that letter (no other character folds to them: tests/test_perf_agencies_round5.py)."""
    return tuple(sorted({u[0].split(" ")[0].lower() for u in rules.admin_units()}))


def _fix_mixed(name: str) -> str:
    """Mixed case as written: keep, but lower the unit words ("Tỉnh Lâm Đồng" → "tỉnh Lâm Đồng").
    A name holding no unit word's first word in any case is returned without the search (most
    bodies named without a place)."""
    lowered = name.lower()
    for w in _unit_firsts():
        if w in lowered:
            break
    else:
        return name
    def low(m: regex.Match) -> str:
        # "Huyện ủy", "Tỉnh ủy", "Thị ủy" are Party committees, not units
        if _PARTY_SUFFIX.match(name, m.end()):
            return m.group(0)
        return m.group(0).lower() if m.start() > 0 else m.group(0)
    return _unit_re().sub(low, name)


# heads that may open a second body inside one flattened header line
_SPLIT_HEADS = regex.compile(
    r"(?<!\p{L})(?:SỞ|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|HĐND|VĂN PHÒNG|BAN CHỈ ĐẠO|"
    r"BAN QUẢN LÝ|TỈNH ỦY|TỈNH UỶ|HUYỆN ỦY|THÀNH ỦY|ĐẢNG ỦY|(?<!BỘ )CÔNG AN|(?<!TỔNG |CHI )CỤC|TỔNG CỤC|CHI CỤC|"
    r"PHÒNG(?= [\p{Lu}])(?<!QUỐC PHÒNG)|TRUNG TÂM|BỘ CHỈ HUY|BỆNH VIỆN)(?!\p{L})"
)


def split_bodies(lines: list[str]) -> list[str]:
    """Header issuer lines → bodies, outermost first.

    A line that opens with a head word (SỞ, PHÒNG, CÔNG AN …) starts a body; a line that opens
    with a unit word (TỈNH, HUYỆN …) or anything else continues the previous one. Lines whose
    join is a known central name are one body (ỦY BAN THƯỜNG VỤ / QUỐC HỘI).
    """
    lines = [one_space(ln).strip(" -_*=.") for ln in lines]
    lines = [ln for ln in lines if ln]
    bodies: list[str] = []
    for ln in lines:
        if bodies and fold(bodies[-1] + " " + ln) in _known_names():
            bodies[-1] = bodies[-1] + " " + ln
            continue
        head = _head_re().match(ln)
        unit = _unit_re().match(ln)
        is_head = head is not None and not (unit and unit.end() >= head.end())
        if bodies and not is_head and not unit and fold(bodies[-1]) in _known_names():
            break  # a known central body is whole: the line after it is a title ("BỘ Y TẾ" / "GIÁ DỊCH VỤ …")
        if bodies and not is_head:
            bodies[-1] = bodies[-1] + " " + ln
        elif bodies and is_head and _incomplete(bodies[-1]):
            bodies[-1] = bodies[-1] + " " + ln
        else:
            bodies.append(ln)
    # a flattened line may hold two bodies: split at a strong head after some name
    out: list[str] = []
    for b in bodies:
        out.extend(_split_flat(b))
    return out


def _incomplete(body: str) -> bool:
    """"ỦY BAN THƯỜNG VỤ" / "BAN CHỈ ĐẠO" alone end a line but not a name."""
    m = _head_re().fullmatch(body.strip())
    return m is not None and fold(body) not in _known_names() and fold(body) not in {
        "chính phủ", "quốc hội", "văn phòng", "tỉnh ủy", "thành ủy", "huyện ủy", "đảng ủy"}


def _split_flat(body: str) -> list[str]:
    if fold(body) in _known_names():
        return [body]
    cuts = [m.start() for m in _SPLIT_HEADS.finditer(body) if m.start() > 0]
    parts, prev = [], 0
    for c in cuts:
        left = body[prev:c].strip()
        # only cut after a complete name: the left part must end with a place or a field name
        if left and not _incomplete(left) and len(left.split()) >= 2:
            parts.append(left)
            prev = c
    parts.append(body[prev:].strip())
    return [p for p in parts if p]


@dataclass(frozen=True)
class Jurisdiction:
    """Where a document's issuer sits, to complete "UBND tỉnh" or "của UBND huyện"."""

    province: str | None = None  # "tỉnh Lâm Đồng"
    district: str | None = None  # "thị xã Đức Phổ"
    commune: str | None = None  # "xã Bình Tân"
    own: str | None = None  # the citing document's issuer: "của Sở" in a Sở's own text is that Sở

    def level(self, unit: str) -> str | None:
        unit = fold(unit)
        if unit == "tỉnh":
            return self.province
        if unit in {"huyện", "quận", "thị xã"}:
            return self.district if self.district and fold(self.district).startswith(unit) else None
        if unit == "thành phố":
            for cand in (self.district, self.province):
                if cand and fold(cand).startswith("thành phố"):
                    return cand
            return None
        if unit in {"xã", "phường", "thị trấn", "đặc khu"}:
            return self.commune if self.commune and fold(self.commune).startswith(unit) else None
        return None


_UNIT_NAME = regex.compile(
    r"(?<!\p{L})(?P<unit>tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+"
    r"(?P<name>(?:\p{Lu}[\p{L}']*|\d+)(?:\s+(?:\p{Lu}[\p{L}']*|\d+))*)",
    regex.IGNORECASE,
)


def jurisdiction_of(*names: str | None) -> Jurisdiction:
    """Province / district / commune named in the issuer and its parent (display names)."""
    province = district = commune = None
    for name in names:
        if not name:
            continue
        for m in _UNIT_NAME.finditer(name):
            unit = m.group("unit").lower()
            if not m.group("name")[:1].isupper():
                continue
            full = f"{unit} {m.group('name')}"
            if unit == "tỉnh":
                province = province or full
            elif unit in {"huyện", "quận", "thị xã"}:
                district = district or full
            elif unit == "thành phố":
                if province is None and district is None and _is_central_city(m.group("name")):
                    province = full
                else:
                    district = district or full
            else:
                commune = commune or full
    return Jurisdiction(province, district, commune, names[0] if names else None)


# "của Sở", "của Giám đốc Sở" in a Sở's own document: the bare head names the citing body itself
_BARE_HEAD = regex.compile(
    r"^(?P<title>(?:Giám đốc|Bộ trưởng|Cục trưởng|Chi cục trưởng|Trưởng ban|Trưởng phòng|Thủ trưởng)\s+)?"
    r"(?P<head>Sở|Bộ|Cục|Chi cục|Ban|Phòng|Trung tâm)$", regex.IGNORECASE)


def _own_body(name: str, own: str | None) -> str | None:
    m = _BARE_HEAD.match(name)
    if not m or not own or not fold(own).startswith(fold(m.group("head")) + " "):
        return None
    return (m.group("title") or "") + own


_CENTRAL_CITIES = {"hà nội", "hồ chí minh", "hải phòng", "đà nẵng", "cần thơ", "huế"}


def _is_central_city(name: str) -> bool:
    return fold(name) in _CENTRAL_CITIES


_RELATIVE = regex.compile(
    r"^(?P<head>Ủy ban nhân dân|Hội đồng nhân dân|Ban Thường vụ|Thường trực)?\s*"
    r"(?P<unit>tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s*$",
    regex.IGNORECASE,
)


_PARTY_COMMITTEE = regex.compile(r"(?:(?:ban thường vụ|thường trực)\s+)?(huyện|thị|thành)\s+ủy")


@lru_cache(maxsize=8192)
def _issuer_reading(raw: str) -> tuple:
    """What `resolve_issuer` reads from the name alone, once per spelling: its issuer is asked about
    once per (name, document place), and most names come back in every document of a worker (a
    `Jurisdiction` is new in each), so only the few tests on the place are left per pair.

    (display name, the bare head's (folded head + " ", title) or None, a bare level's (head, unit)
    or None, a provincial Party committee?, a district's Party committee's unit or None, a Sở
    without its place?)"""
    name = display_name(raw)
    m = _BARE_HEAD.match(name)
    bare_head = (fold(m.group("head")) + " ", m.group("title") or "") if m else None
    m = _RELATIVE.match(name)
    relative = (m.group("head") or "", m.group("unit")) if m else None
    low = fold(name)
    pm = _PARTY_COMMITTEE.fullmatch(low)
    party = {"huyện": "huyện", "thị": "thị xã", "thành": "thành phố"}[pm.group(1)] if pm else None
    return (name, bare_head, relative, low in {"tỉnh ủy", "ban thường vụ tỉnh ủy", "thường trực tỉnh ủy"},
            party, low.startswith("sở ") and "tỉnh" not in low and "thành phố" not in low)


@lru_cache(maxsize=8192)
def resolve_issuer(raw: str | None, where: Jurisdiction | None = None) -> str | None:
    """A cited issuer as written → full name, completing a bare level from the citing document.

    "Chính phủ" → "Chính phủ"; "UBND tỉnh" (Lâm Đồng document) → "Ủy ban nhân dân tỉnh Lâm Đồng";
    "Tỉnh ủy" → "Tỉnh ủy" + province; "UBND huyện" in a commune document without its district →
    "Ủy ban nhân dân huyện" (left incomplete rather than guessed). The name's own part is read by
    `_issuer_reading`, once per spelling (tests/test_perf_agencies_round5.py compares it with the
    plain reading).
    """
    if not raw:
        return None
    if where is None:
        return display_name(raw)
    name, bare_head, relative, tinh_uy, party, so = _issuer_reading(raw)
    own = where.own
    if bare_head and own and fold(own).startswith(bare_head[0]):  # (`_own_body`)
        return bare_head[1] + own
    if relative:
        place = where.level(relative[1])
        if place:
            return f"{relative[0]} {place}".strip()
        return name
    if tinh_uy and where.province:
        return f"{name} {where.province.split(' ', 1)[1]}"
    # "Huyện ủy", "Thường trực Huyện ủy" in a document of huyện Ba Tơ → … Huyện ủy Ba Tơ
    if party and where.district and fold(where.district).startswith(party + " "):
        return f"{name} {where.district[len(party) + 1:]}"
    if so and where.province:
        return f"{name} {where.province}"
    return name
