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


# the numbers of `_NUMBER_GROUPS` in each pattern holding NUMBER: a group read by its name costs
# ~0.2 µs (the `regex` module looks the name up each time), by its number a quarter of that, and
# `parse_number` reads seven (a tenth of reading a citation's number)
_GROUP_NUMBERS: dict[regex.Pattern, tuple[int, ...]] = {}


def parse_number(m: regex.Match) -> Number:
    """Turn a `regexes.NUMBER` match into its parts."""
    rx = m.re
    numbers = _GROUP_NUMBERS.get(rx)
    if numbers is None:
        numbers = _GROUP_NUMBERS[rx] = tuple(rx.groupindex[g] for g in _NUMBER_GROUPS)
    return _parse_groups(m.group(*numbers))


@lru_cache(maxsize=16384)
def _parse_groups(groups: tuple[str | None, ...]) -> Number:
    """`parse_number` of the NUMBER groups (a pure function of them, cached: a text cites the same
    numbers again and again, and a frozen `Number` may be shared)."""
    n_norm, y_norm, s_norm, n_party, s_party, n_admin, s_admin = groups
    if n_norm:
        symbol = _normative_symbol(s_norm)
        year = int(y_norm)
        return Number(f"{n_norm}/{year}/{symbol}", n_norm, year, symbol, "normative")
    if n_party:
        symbol = _symbol(s_party)
        return Number(f"{n_party}-{symbol}", n_party, None, symbol, "party")
    symbol = _symbol(s_admin)
    return Number(f"{n_admin}/{symbol}", n_admin, None, symbol, "admin")


# A symbol as printed → as normalised, cached: a text's numbers are new, their symbols ("KH-UBND",
# "NĐ-CP") mostly not
@lru_cache(maxsize=16384)
def _normative_symbol(raw: str) -> str:
    # "TT BTC", "TTLT/BTP-BCA": a normative symbol has no space or slash inside
    return normalise_number(_SPACE_SLASH.sub("-", _HYPHEN_SPACES.sub("-", raw.strip())))


_symbol = lru_cache(maxsize=16384)(normalise_number)


def parse_number_text(text: str) -> Number | None:
    m = number_re().fullmatch(text.strip())
    return parse_number(m) if m else None


def _segments(symbol: str) -> list[str]:
    """`_SEP.split(symbol)` without its empty parts, split by `str` (a third of the pattern's cost)."""
    return [s for s in symbol.replace("/", "-").split("-") if s]


def _bare(seg: str) -> str:
    """"CAT(PC04)" → "CAT"; "QH15" → "QH"."""
    seg = seg.split("(")[0]
    return _TRAILING_DIGITS.sub("", seg)


@cache
def _known_agency_abbrs() -> frozenset[str]:
    return frozenset(a.abbr for a in rules.agencies())


# What the symbol says (its type, whether it is known, its issuer) depends on the symbol and the
# grammar alone, not on the digits: cached on those strings, a text's "…/KH-UBND", "…/2024/NĐ-CP"
# are read once, not once a number (a `Number` key also hashes in Python, each call).


def type_from_symbol(num: Number) -> str | None:
    """Type name implied by the symbol, None when the symbol does not say.

    QĐ-UBND → Quyết định; TTr-SNV → Tờ trình; NĐ-CP → Nghị định; 58/2010/QH12 → Luật;
    28-CT/TW → Chỉ thị; UBND-NC, BYT-BH (agency first, no type) → Công văn.
    """
    return _type_of_symbol(num.symbol, num.grammar)


@lru_cache(maxsize=16384)
def _type_of_symbol(symbol: str, grammar: str) -> str | None:
    segs = _segments(symbol)
    if not segs:
        return None
    first = segs[0].split("(")[0]
    table = rules.abbr_to_type()
    if grammar == "party":
        return table.get("party", {}).get(first)
    if grammar == "normative":
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


def type_of_symbol(symbol: str, grammar: str) -> str | None:
    """`type_from_symbol` of a number with this symbol and grammar (for callers that cache on them)."""
    return _type_of_symbol(symbol, grammar)


def symbol_is_known(num: Number) -> bool:
    """True when some part of the symbol is a type or agency abbreviation we know.

    Guards bare numbers (no type word, no "số") against look-alikes such as scores "8/10",
    form codes "01/PCTN" (those are excluded by context too) or ratios.
    """
    return _symbol_is_known(num.symbol, num.grammar)


@cache
def _known_symbol_parts() -> frozenset[str]:
    abbrs = set()
    for fam in rules.abbr_to_type().values():
        abbrs.update(fam)
    return frozenset(_known_agency_abbrs() | abbrs | {"QH", "UBTVQH", "PL", "CP", "TTg"})


@lru_cache(maxsize=16384)
def _symbol_is_known(symbol: str, grammar: str) -> bool:
    segs = [_bare(s) for s in _segments(symbol)]
    known = _known_symbol_parts()
    if grammar == "normative":
        return bool(segs) and (segs[0] in known or segs[0] in {"NĐ", "TT", "TTLT", "QĐ", "NQ", "NQLT", "VBHN"})
    if len(segs) >= 2:
        return any(s in known for s in segs)
    return False


def issuer_from_symbol(num: Number, province: str | None = None) -> str | None:
    """Issuer implied by the symbol's agency part (NĐ-CP → Chính phủ, TT-BTC → Bộ Tài chính).

    A province-level body (SNV, SYT, CAT) is taken to be that of the citing document's province
    when it is known ("Công văn số 144/SNV-TCBC" in a Lâm Đồng document → Sở Nội vụ tỉnh Lâm Đồng):
    a Sở does not write to another province's Sở without naming it. UBND and HĐND stay None: the
    symbol does not say which level (tỉnh, huyện, xã).
    """
    return _issuer_of_symbol(num.symbol, num.grammar, province)


@lru_cache(maxsize=16384)
def _issuer_of_symbol(symbol: str, grammar: str, province: str | None) -> str | None:
    segs = _segments(symbol)
    if not segs:
        return None
    by_abbr = rules.agency_by_abbr()
    if grammar == "party":
        a = by_abbr.get(("party", _bare(segs[-1]))) or by_abbr.get(("party", segs[-1]))
        return a.name if a and a.level == "central" else None
    candidates = segs[1:] if grammar != "admin" or _type_of_symbol(symbol, grammar) != "Công văn" else segs[:1]
    if grammar == "normative" and _QH.fullmatch(segs[0]):
        return "Quốc hội"
    if grammar == "normative" and _UBTVQH.fullmatch(segs[-1]):
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
