"""Administrative units (tỉnh, huyện, xã …) as they stood on a date, before and after 1 July 2025.

Why: a document names places as its own date knew them. A 2024 decision of "UBND xã Ia Lang" sits
in huyện Đức Cơ, tỉnh Gia Lai; a 2025 report of "tỉnh Lâm Đồng" covers what were three provinces.
The citation graph needs a unit's display name, its district and province on the document's date,
and the province that absorbed an old one. The gazetteer is the package `vietnamadminunits`: its
63-province three-level table (as of June 2025, with aliases for units merged earlier), its
34-province two-level table, and `convert_address` for the old → new provinces. Its address parser
is not used for lookups: it wants a whole address, ignores the unit word ("Xã Bình Sơn" → huyện
Bình Sơn) and finds no commune without its district; so the tables are read once into dictionaries
and every lookup is a dict hit (`parse_unit` is cached on top).

Before 1 July 2025: tỉnh / thành phố (trực thuộc trung ương) → huyện, quận, thị xã, thành phố
(thuộc tỉnh) → xã, phường, thị trấn. From then: 34 tỉnh / thành phố → xã, phường, đặc khu.

Forms handled (one unit mention each; unit words from rules/admin_units.tsv):
  Form 1: word + name:         xã Ia Lang · huyện Đức Cơ · thị xã Đức Phổ · đặc khu Lý Sơn · phường 03 → phường 3
  Form 2: upper case:          TỈNH LÂM ĐỒNG → tỉnh Lâm Đồng
  Form 3: abbreviated word:    TP. Hồ Chí Minh · Tp Huế · TX. Đức Phổ · TT. Chư Ty · Q.1 · P. 3 · H. Đức Cơ
  Form 4: old tone placement:  tỉnh Khánh Hoà → tỉnh Khánh Hòa
  Form 5: no diacritics:       TINH LAM DONG → tỉnh Lâm Đồng
  Form 6: marked era:          tỉnh Bình Thuận (cũ) → the pre-reform unit at any date; "(mới)" → post-reform
  Form 7: bare name:           Lâm Đồng → tỉnh Lâm Đồng (the highest level bearing the name)
  Form 8: former name:         xã Đình Xuyên (since merged into xã Thiên Đức; the package's aliases)
                               → kept as written, placed in its successor's district (huyện Gia Lâm)
  Form 9: changed unit word:   huyện Đức Phổ (a thị xã since 2020) → kept as written, in tỉnh Quảng Ngãi
  Form 10: Huế:                tỉnh Thừa Thiên Huế until 1 Jan 2025, then thành phố Huế (province level);
                               before that day "thành phố Huế" is the district-level city (fix-up rows)
Which reading: the unit valid on `on`; failing that, the one nearest in time (a 2025-08 text may
name "huyện Đức Cơ"); `on=None` prefers the post-reform unit and falls back to the pre-reform one.
A name borne by several units of that reading is answered without its district (never guessed).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from .. import rules
from ..text.clean import canonical_tone, strip_accents
from .agencies import bare as _bare

REFORM = dt.date(2025, 7, 1)
HUE_CITY = dt.date(2025, 1, 1)  # tỉnh Thừa Thiên Huế → thành phố Huế (Nghị quyết 175/2024/QH15)
_HUE, _TTH = "thành phố Huế", "tỉnh Thừa Thiên Huế"
_LEVELS = ("province", "district", "commune")


@dataclass(frozen=True)
class Unit:
    level: str            # "province" | "district" | "commune"
    name: str             # display form with unit word: "huyện Đức Cơ"
    province: str | None  # the province it lies in, valid on the date asked (a province: itself)
    district: str | None  # for a commune before the reform: its district; None after the reform
    old: bool             # True for a pre-reform unit (valid before 2025-07-01)


@dataclass(frozen=True)
class _Row:
    """One unit of one era in the gazetteer."""
    level: str
    word: str                      # lower-case unit word: "thị xã"
    name: str                      # display: "thị xã Đức Phổ"
    province: str                  # its province as named in the same era (a province: itself)
    district: str | None
    old: bool
    since: dt.date | None = None
    until: dt.date | None = None   # exclusive

    def gap(self, d: dt.date) -> int:
        """Days between `d` and this row's validity (0 when valid on `d`)."""
        if self.since and d < self.since:
            return (self.since - d).days
        if self.until and d >= self.until:
            return (d - self.until).days + 1
        return 0


# ---- text → (word, name, marker) ---------------------------------------------------------------

_ABBR = regex.compile(r"^(?:(tp|tx|tt)(?:\.\s*|\s+)|(q|p|h|x)\.\s*)(?=\S)", regex.IGNORECASE)
_ABBR_WORD = {"tp": "thành phố", "tx": "thị xã", "tt": "thị trấn", "q": "quận", "p": "phường", "h": "huyện", "x": "xã"}
_MARKER = regex.compile(r"\s*\(\s*(cũ|mới|cu|moi)\s*\)\s*$", regex.IGNORECASE)
# (`re`: a class of seven code points means the same to both modules, and `re` substitutes faster)
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
# what a match of `_ABBR` opens with: these letters have no other case-insensitive equivalent in
# `regex` (tests/test_perf_entities_round4.py), so another first character is no abbreviation
_ABBR_FIRST = frozenset("tTqQpPhHxX")
_NOT_KEY = regex.compile(r"[^\p{L}\p{N}]+")
_LEADING_ZERO = regex.compile(r"(?<!\d)0+(?=\d)")


@cache
def _words() -> dict[str, str]:
    """unit word → level ("province_or_district" for thành phố), longest first."""
    return {w: level for w, level, _from, _to in rules.admin_units()}


@cache
def _word_of_bare() -> dict[str, str]:
    """Unaccented unit word → the first unit word (in table order) bearing it: what a match of the
    unaccented pattern names, found by one lookup."""
    out: dict[str, str] = {}
    for w in _words():
        out.setdefault(strip_accents(w), w)
    return out


@cache
def _word_res() -> tuple[regex.Pattern, regex.Pattern]:
    words = list(_words())
    accented = "|".join(regex.escape(w).replace(r"\ ", r"\s+") for w in words)
    bare = "|".join(regex.escape(strip_accents(w)).replace(r"\ ", r"\s+") for w in words)
    return (regex.compile(rf"^({accented})\s+(\S.*)$", regex.IGNORECASE),
            regex.compile(rf"^({bare})\s+(\S.*)$", regex.IGNORECASE))


def _key(name: str) -> str:
    """Accented comparison key of a name: "Khánh Hoà" → "khánhhòa", "03" → "3".

    Most names are letters and single spaces: then dropping the spaces is dropping every run of
    `_NOT_KEY` (each character `isalnum` accepts is a letter or a number to `regex`:
    tests/test_perf_names_more.py), and only a name holding a "0" can lose a leading zero."""
    s = canonical_tone(name).casefold()
    joined = s.replace(" ", "")
    s = joined if joined.isalnum() else _NOT_KEY.sub("", s)
    return _LEADING_ZERO.sub("", s) if "0" in s else s


def _plain(key: str) -> str:
    return _bare(key)


def _title(name: str, lower_rest: bool = False) -> str:
    """Title Case each syllable: "Đại áng" → "Đại Áng"; from upper-case text, "ĐỨC PHỔ" → "Đức Phổ"."""
    return " ".join(t[:1].upper() + (t[1:].lower() if lower_rest else t[1:]) for t in name.split())


@lru_cache(maxsize=65536)
def _split(text: str) -> tuple[str | None, str, str | None]:
    """"TP. Hồ Chí Minh (cũ)" → ("thành phố", "Hồ Chí Minh", "old"). Memoised: one mention is read
    on many dates (each document's own) and as a `within`."""
    s = _DASHES.sub("-", unicodedata.normalize("NFC", text))
    s = canonical_tone(" ".join(s.split())).strip(" .,;:")
    marker = None
    if ")" in s and (m := _MARKER.search(s)):  # (a mark holds its parenthesis)
        marker = "old" if _bare(m.group(1)) == "cu" else "new"
        s = s[:m.start()].strip(" .,;:")
    word = None
    if s[:1] in _ABBR_FIRST and (m := _ABBR.match(s)):
        word, s = _ABBR_WORD[(m.group(1) or m.group(2)).casefold()], s[m.end():]
    else:
        accented, bare = _word_res()
        m = accented.match(s) or (bare.match(s) if _bare(s) == s.casefold() else None)
        if m:
            folded = _bare(" ".join(m.group(1).split()))
            word = _word_of_bare().get(folded) or next(w for w in _words() if strip_accents(w) == folded)
            s = m.group(2)
    return word, s.strip(" .,;:"), marker


# ---- the gazetteer, read once from the package ---------------------------------------------------

@dataclass(frozen=True)
class _Gazetteer:
    accented: dict[str, tuple[_Row, ...]]                             # name key → rows
    plain: dict[str, tuple[tuple[_Row, str | None, bool], ...]]      # unaccented key → (row, word, alias?)
    successor: dict[str, str]                                         # old province → new province


def _display(full: str) -> tuple[str, str] | None:
    """Package spelling "Thành Phố Bắc Kạn" → ("thành phố", "thành phố Bắc Kạn")."""
    m = _word_res()[0].match(canonical_tone(full.strip()))
    if not m:
        return None
    word = " ".join(m.group(1).casefold().split())
    return word, f"{word} {_title(m.group(2))}"


@cache
def _word_keys() -> dict[str, str]:
    return {_plain(_key(w)): w for w in _words()}


def _alias_keys(aliases: str | None) -> list[tuple[str | None, str]]:
    """Package alias keys ["huyentaytra", "taytra"] → [("huyện", "taytra")]; a key without a word
    partner ("hcm") → (None, "hcm")."""
    if not aliases:
        return []
    keys = json.loads(aliases)
    words = _word_keys()
    out = []
    for k in keys:
        word = next((w for wk, w in words.items() if wk + k in keys), None)
        prefixed = any(k.startswith(wk) and k[len(wk):] in keys for wk in words)
        if word or not prefixed:
            out.append((word, _LEADING_ZERO.sub("", k)))
    return out


@cache
def _gazetteer() -> _Gazetteer:
    from vietnamadminunits import convert_address
    from vietnamadminunits.database.main import get_data

    rows: dict[_Row, list[str | None]] = {}   # row → its alias lists (JSON)

    def add(level, full, province, district, old, aliases=None, since=None, until=None) -> _Row | None:
        shown = _display(full) if full else None
        if not shown:
            return None
        r = _Row(level, shown[0], shown[1], province or shown[1], district, old, since, until)
        rows.setdefault(r, []).append(aliases)
        return r

    for rec in get_data(table="admin_units_legacy"):
        hue = rec["provinceKey"] == "thanhphohue"
        p = add("province", rec["province"], None, None, True, rec["provinceAlias"],
                since=HUE_CITY if hue else None, until=REFORM)
        d = add("district", rec["district"], p.name, None, True, rec["districtAlias"], until=REFORM)
        add("commune", rec["ward"], p.name, d and d.name, True, rec["wardAlias"], until=REFORM)
    province_aliases = {r["province"]: r["provinceAlias"] for r in get_data("province, provinceAlias", "admin_units_legacy")}
    for rec in get_data(table="admin_units"):  # the new table has no aliases; a province keeps its own ("hcm")
        p = add("province", rec["province"], None, None, False, province_aliases.get(rec["province"]), since=REFORM)
        add("commune", rec["ward"], p.name, None, False, since=REFORM)
    # fix-up: before 2025 Huế was a district-level city of tỉnh Thừa Thiên Huế
    add("province", _TTH, _HUE, None, True, until=HUE_CITY)
    add("district", _HUE, _HUE, None, True, until=HUE_CITY)

    accented, plain = defaultdict(list), defaultdict(list)
    for r, alias_lists in rows.items():
        name_key = _key(r.name[len(r.word):])
        accented[name_key].append(r)
        plain[_plain(name_key)].append((r, r.word, False))
        for word, k in {a for lst in alias_lists for a in _alias_keys(lst)}:
            if k != _plain(name_key):
                plain[k].append((r, word, True))

    successor = {}
    for r in rows:
        if r.level == "province" and r.old and r.name != _TTH:
            new = _display(convert_address(r.name).province or "")
            successor[r.name] = new[1] if new else r.name
    successor[_TTH] = successor[_HUE]
    return _Gazetteer({k: tuple(v) for k, v in accented.items()},
                      {k: tuple(dict.fromkeys(v)) for k, v in plain.items()}, successor)


# ---- lookup ------------------------------------------------------------------------------------

def _level_ok(word: str, level: str) -> bool:
    allowed = _words()[word]
    return level == allowed or (allowed == "province_or_district" and level in ("province", "district"))


@lru_cache(maxsize=65536)
def _candidates(word: str | None, name: str) -> tuple[tuple[_Row, str], ...]:
    """Rows bearing `name` under `word`, with the display to answer: the package's spelling, or the
    text's own for a former name or a changed unit word below province level. The accented key
    first; the unaccented one (and its `strip_accents`) only when the accented finds nothing."""
    g = _gazetteer()
    key = _key(name)
    if not key:
        return ()
    as_written = None  # the name as the text spells it, title-cased: made once, when a row needs it
    for hits in _tries(g, key):
        exact, other = [], []
        for r, w, alias in hits:
            same = word is None or w == word
            if not same and not _level_ok(word, r.level):
                continue
            if r.level == "province" or (same and not alias):
                shown = r.name
            else:
                as_written = as_written or _title(name, lower_rest=True)
                shown = f"{word or w or r.word} {as_written}"
            (exact if same else other).append((r, shown))
        if exact or other:
            return tuple(exact or other)
    return ()


def _tries(g: _Gazetteer, key: str):
    """The rows under the accented key, then those under its unaccented form (computed on demand)."""
    yield [(r, r.word, False) for r in g.accented.get(key, ())]
    yield g.plain.get(_plain(key), ())


def _as_date(on) -> dt.date | None:
    if isinstance(on, dt.datetime):
        return on.date()
    if isinstance(on, dt.date):
        return on
    if isinstance(on, str):
        try:
            return dt.date.fromisoformat(on.strip()[:10])
        except ValueError:
            return None
    return None


def _era_pick(cands: list[tuple[_Row, str]], on: dt.date | None, marker: str | None) -> list[tuple[_Row, str]]:
    """Keep the rows nearest in time to the date the mention refers to."""
    if marker:  # the text says which era: a name unknown in it is not answered from the other
        want_old = marker == "old"
        cands = [c for c in cands if c[0].old == want_old]
        if not cands:
            return []
        if want_old and (on is None or on >= REFORM):
            on = REFORM - dt.timedelta(days=1)
        elif not want_old and (on is None or on < REFORM):
            on = REFORM
    if len(cands) == 1:  # (one row: nearest whatever the date)
        return list(cands)
    d = on or REFORM  # unknown date: the post-reform unit if there is one, else the latest old one
    gaps = [r.gap(d) for r, _ in cands]
    best = min(gaps)
    return [c for c, g in zip(cands, gaps) if g == best]


def _old_province_on(name: str, on: dt.date | None) -> str:
    """A pre-reform province's name valid on `on`."""
    if on is None:
        return name
    if on >= REFORM:
        return _gazetteer().successor.get(name, name)
    if name == _HUE and on < HUE_CITY:
        return _TTH
    if name == _TTH and on >= HUE_CITY:
        return _HUE
    return name


@lru_cache(maxsize=4096)
def _within(within: str, on: dt.date | None) -> tuple[frozenset[str], frozenset[str], bool] | None:
    """`within` (a province or a district) → (districts, provinces, strict?); None when unknown."""
    word, name, marker = _split(within)
    rows = [r for r, _ in _candidates(word, name) if r.level in ("province", "district")]
    if not rows:
        return None
    strict = marker == "old" or (on is not None and on < REFORM)  # "tỉnh Gia Lai" in 2024: the old one
    provinces = frozenset(r.province for r in rows if r.level == "province")  # Thừa Thiên Huế → thành phố Huế
    if provinces:
        return frozenset(), provinces, strict
    return frozenset(r.name for r in rows), frozenset(r.province for r in rows), strict


def _within_ok(r: _Row, spec: tuple[frozenset[str], frozenset[str], bool] | None) -> bool:
    if spec is None:
        return True  # an unknown `within` does not constrain
    districts, provinces, strict = spec
    succ = _gazetteer().successor
    if not r.old:  # a new unit lies in the new province named, or in the one that absorbed it
        return r.province in provinces or r.province in {succ.get(p) for p in provinces}
    if districts:
        return r.district in districts
    return r.province in provinces or (not strict and succ.get(r.province) in provinces)


@lru_cache(maxsize=65536)
def _parse(text: str, on: dt.date | None, within: str | None, force_old: bool = False) -> Unit | None:
    word, name, marker = _split(text)
    cands = _candidates(word, name)
    if within:
        spec = _within(within, on)
        cands = [c for c in cands if _within_ok(c[0], spec)]
    if not cands:
        return None
    cands = _era_pick(cands, on, "old" if force_old else marker)
    if not cands:
        return None
    if len(cands) > 1:
        top = min(_LEVELS.index(r.level) for r, _ in cands)     # a bare name: the highest level
        cands = [c for c in cands if _LEVELS.index(c[0].level) == top]
    r, shown = cands[0]
    if len(cands) > 1 and len({(c[0].province, c[0].district, c[1]) for c in cands}) > 1:  # ambiguous: never guess
        shown = shown if len({c[1] for c in cands}) == 1 else f"{word or r.word} {_title(name, True)}"
        province = r.province if len({c[0].province for c in cands}) == 1 else None
        r = _Row(r.level, r.word, shown, province, None, r.old)
    base = r.name if r.level == "province" else r.province
    province = _old_province_on(base, on) if (r.old and base) else base
    return Unit(r.level, shown, province, r.district if r.level == "commune" else None, r.old)


# ---- public API ----------------------------------------------------------------------------------

def parse_unit(text: str, on: dt.date | None = None, within: str | None = None) -> Unit | None:
    """One unit mention → Unit as valid on `on` (see the module docstring); None when unknown.
    `within` (a province or district, either era) narrows a repeated name; no unique match → district None."""
    if not isinstance(text, str) or not text.strip():
        return None
    return _parse(text, _as_date(on), within if isinstance(within, str) and within.strip() else None)


def district_of_commune(commune: str, province: str | None = None, on: dt.date | None = None) -> str | None:
    """The pre-reform district of a commune ("xã Ia Lang" → "huyện Đức Cơ"), only when unique."""
    if not isinstance(commune, str) or not commune.strip():
        return None
    u = _parse(commune, _as_date(on), province if isinstance(province, str) and province.strip() else None, True)
    return u.district if u and u.level == "commune" else None


def province_of(unit: str, on: dt.date | None = None) -> str | None:
    """"huyện Bình Sơn" → "tỉnh Quảng Ngãi" (the province's name valid on `on`); ambiguous → None."""
    u = parse_unit(unit, on)
    return u.province if u else None


def _province_rows(text) -> tuple[list[_Row], str | None]:
    if not isinstance(text, str) or not text.strip():
        return [], None
    word, name, marker = _split(text)
    return [r for r, _ in _candidates(word, name) if r.level == "province"], marker


def successor_province(old_province: str) -> str | None:
    """Pre-reform province → the post-reform one that absorbed it ("tỉnh Kon Tum" → "tỉnh Quảng Ngãi")."""
    rows, _ = _province_rows(old_province)
    old = [r for r in rows if r.old]
    return _gazetteer().successor.get(old[0].name) if old else None


def predecessors(new_province: str) -> list[str]:
    """Post-reform province → the pre-reform provinces merged into it, sorted by name."""
    rows, _ = _province_rows(new_province)
    new = {r.name for r in rows if not r.old}
    olds = [o for o, n in _gazetteer().successor.items() if n in new and o != _TTH]
    return sorted(olds, key=lambda o: strip_accents(_split(o)[1]))


def province_on(province: str, on: dt.date | None) -> str:
    """A province's name valid on `on`: an old one maps to its successor from the reform on; a
    "(cũ)" mention stays old. Not a known province: the text as given (stripped)."""
    rows, marker = _province_rows(province)
    if not rows:
        return province.strip() if isinstance(province, str) else province
    on = _as_date(on)
    picked = _era_pick([(r, r.name) for r in rows], on, marker)
    if not picked:
        return province.strip()
    r, _ = picked[0]
    return _old_province_on(r.name, on) if r.old and marker != "old" else r.name


def canonical_place(text: str, on: dt.date | None = None) -> str | None:
    """One unit mention in display form ("TP. Hồ Chí Minh" → "thành phố Hồ Chí Minh"); unknown → None."""
    u = parse_unit(text, on)
    return u.name if u else None
