"""Document numbers: normalise them, split them, and read the type and issuer off the symbol.

A symbol (ký hiệu) is TYPE-AGENCY for most documents ("KH-UBND", "NĐ-CP", "TT-BTC"), AGENCY-UNIT
for a công văn, which has no type abbreviation ("UBND-NC", "BYT-BH", "SNV-TCBC"), and TYPE/AGENCY
for the Party ("28-CT/TW"). Laws carry only the legislature and its term ("58/2010/QH12").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from .. import rules
from .regexes import number_re


@dataclass(frozen=True)
class Number:
    number: str  # normalised full number: "56/2017/NĐ-CP"
    digits: str  # "56"
    year: int | None  # 2017 for the normative grammar
    symbol: str  # "NĐ-CP"
    grammar: str  # normative | admin | party


_WS = regex.compile(r"\s+")
_SPACE_SLASH = regex.compile(r"[ /]")
_HYPHEN_SPACES = regex.compile(r"\s*-\s*")
_SEP = regex.compile(r"[-/]")
_TRAILING_DIGITS = regex.compile(r"\d+$")
_QH = regex.compile(r"QH\d*")
_UBTVQH = regex.compile(r"UBTVQH\d*")


def normalise_number(raw: str) -> str:
    """Spaces out, ASCII separators (clean already folded dashes), Ð→Đ."""
    s = _WS.sub("", raw)
    return s.replace("Ð", "Đ")


_NUMBER_GROUPS = ("n_norm", "y_norm", "s_norm", "n_party", "s_party", "n_admin", "s_admin")


def parse_number(m: regex.Match) -> Number:
    """Turn a `regexes.NUMBER` match into its parts."""
    return _parse_groups(m.group(*_NUMBER_GROUPS))


@lru_cache(maxsize=16384)
def _parse_groups(groups: tuple[str | None, ...]) -> Number:
    """`parse_number` of the NUMBER groups (a pure function of them, cached: a text cites the same
    numbers again and again, and a frozen `Number` may be shared)."""
    n_norm, y_norm, s_norm, n_party, s_party, n_admin, s_admin = groups
    if n_norm:
        # "TT BTC", "TTLT/BTP-BCA": a normative symbol has no space or slash inside
        symbol = normalise_number(_SPACE_SLASH.sub("-", _HYPHEN_SPACES.sub("-", s_norm.strip())))
        year = int(y_norm)
        return Number(f"{n_norm}/{year}/{symbol}", n_norm, year, symbol, "normative")
    if n_party:
        symbol = normalise_number(s_party)
        return Number(f"{n_party}-{symbol}", n_party, None, symbol, "party")
    symbol = normalise_number(s_admin)
    return Number(f"{n_admin}/{symbol}", n_admin, None, symbol, "admin")


def parse_number_text(text: str) -> Number | None:
    m = number_re().fullmatch(text.strip())
    return parse_number(m) if m else None


def _segments(symbol: str) -> list[str]:
    return [s for s in _SEP.split(symbol) if s]


def _bare(seg: str) -> str:
    """"CAT(PC04)" → "CAT"; "QH15" → "QH"."""
    seg = seg.split("(")[0]
    return _TRAILING_DIGITS.sub("", seg)


@cache
def _known_agency_abbrs() -> frozenset[str]:
    return frozenset(a.abbr for a in rules.agencies())


@lru_cache(maxsize=16384)
def type_from_symbol(num: Number) -> str | None:
    """Type name implied by the symbol, None when the symbol does not say.

    QĐ-UBND → Quyết định; TTr-SNV → Tờ trình; NĐ-CP → Nghị định; 58/2010/QH12 → Luật;
    28-CT/TW → Chỉ thị; UBND-NC, BYT-BH (agency first, no type) → Công văn.
    """
    segs = _segments(num.symbol)
    if not segs:
        return None
    first = segs[0].split("(")[0]
    table = rules.abbr_to_type()
    if num.grammar == "party":
        return table.get("party", {}).get(first)
    if num.grammar == "normative":
        if _QH.fullmatch(first):
            return "Luật"
        if _UBTVQH.fullmatch(first):
            return "Nghị quyết"
        if first == "PL":
            return "Pháp lệnh"
        if first == "L":
            return "Lệnh"
        found = table.get("normative", {}).get(first) or table.get("admin", {}).get(first)
        return found
    found = table.get("admin", {}).get(first)
    if found:
        return found
    if _bare(first) in _known_agency_abbrs() or first.isupper():
        # agency or unit first and no type abbreviation: a công văn (NĐ 30: no abbreviation)
        return "Công văn" if len(segs) >= 1 else None
    return None


@lru_cache(maxsize=16384)
def symbol_is_known(num: Number) -> bool:
    """True when some part of the symbol is a type or agency abbreviation we know.

    Guards bare numbers (no type word, no "số") against look-alikes such as scores "8/10",
    form codes "01/PCTN" (those are excluded by context too) or ratios.
    """
    segs = [_bare(s) for s in _segments(num.symbol)]
    abbrs = set()
    for fam in rules.abbr_to_type().values():
        abbrs.update(fam)
    known = _known_agency_abbrs() | abbrs | {"QH", "UBTVQH", "PL", "CP", "TTg"}
    if num.grammar == "normative":
        return bool(segs) and (segs[0] in known or segs[0] in {"NĐ", "TT", "TTLT", "QĐ", "NQ", "NQLT", "VBHN"})
    if len(segs) >= 2:
        return any(s in known for s in segs)
    return False


@lru_cache(maxsize=16384)
def issuer_from_symbol(num: Number, province: str | None = None) -> str | None:
    """Issuer implied by the symbol's agency part (NĐ-CP → Chính phủ, TT-BTC → Bộ Tài chính).

    A province-level body (SNV, SYT, CAT) is taken to be that of the citing document's province
    when it is known ("Công văn số 144/SNV-TCBC" in a Lâm Đồng document → Sở Nội vụ tỉnh Lâm Đồng):
    a Sở does not write to another province's Sở without naming it. UBND and HĐND stay None: the
    symbol does not say which level (tỉnh, huyện, xã).
    """
    segs = _segments(num.symbol)
    if not segs:
        return None
    by_abbr = rules.agency_by_abbr()
    if num.grammar == "party":
        a = by_abbr.get(("party", _bare(segs[-1]))) or by_abbr.get(("party", segs[-1]))
        return a.name if a and a.level == "central" else None
    candidates = segs[1:] if num.grammar != "admin" or type_from_symbol(num) != "Công văn" else segs[:1]
    if num.grammar == "normative" and _QH.fullmatch(segs[0]):
        return "Quốc hội"
    if num.grammar == "normative" and _UBTVQH.fullmatch(segs[-1]):
        return "Ủy ban Thường vụ Quốc hội"
    names = []
    for s in candidates:
        a = by_abbr.get(("state", _bare(s))) or by_abbr.get(("state", s))
        if a and a.level == "central":
            names.append(a.name)
        elif a and a.level == "province" and province:
            names.append(f"{a.name} {province}" if not a.name.endswith(" tỉnh") else f"{a.name[:-5]} {province}")
    if len(names) == 1:
        return names[0]
    if len(names) > 1:
        return " - ".join(names)
    return None
