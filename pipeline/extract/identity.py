"""Identity of a document: its canonical issuer (with jurisdiction) and its graph key.

Why: the same number ("92/KH-UBND") is issued every year by every province, district and commune,
so a document is type + number + issuer + date, never the number alone. The issuer must be the
body with its full jurisdiction ("Sở Nội vụ tỉnh Lâm Đồng", not "Sở Nội vụ", which 34 provinces
share), read on the document's own date (before 1 July 2025 there were districts and 63 provinces;
after it, 34 provinces and no districts; later texts mark old units "(cũ)").

This module is per document and pure: `annotate(record)` fills `header.issuer_canonical`,
`record.node_id` and, on every citation, `cited_issuer_canonical`, `number_key` and `target_key`.
The graph stage (`pipeline.graph.link`) then resolves citations across the archive.

Issuer forms handled (document header):
  Form 1, body with its place:   Ủy ban nhân dân tỉnh Lâm Đồng               → kept (place normalised)
  Form 2, bare unit + place:     Ủy ban nhân dân xã + place line "Ia Lang"  → Ủy ban nhân dân xã Ia Lang
  Form 3, body under a parent:   Sở Nội vụ / parent UBND tỉnh Lâm Đồng     → Sở Nội vụ tỉnh Lâm Đồng
                                 Phòng Y tế / parent UBND huyện Bình Sơn   → Phòng Y tế huyện Bình Sơn
  Form 4, central body:          Bộ Tài chính                               → kept
  Form 5, old unit:              Ủy ban nhân dân huyện Bình Sơn (cũ)        → Ủy ban nhân dân huyện Bình Sơn
Cited issuer forms (on top of `agencies.resolve_issuer`, which completes "UBND tỉnh" from the
citing document):
  Form 6, abbreviated field:     Sở Lao động – TB&XH tỉnh, Sở LĐ-TB&XH      → Sở Lao động - Thương binh và Xã hội tỉnh …
  Form 7, person for the body:   Chủ tịch UBND tỉnh, Bộ trưởng Bộ Tài chính → the body
  Form 8, the commune's district: "của UBND huyện" in a pre-2025 commune document → that commune's
                                 district from the administrative-unit data; when the data cannot
                                 place it, a typed placeholder tied to the citing body:
                                 "Ủy ban nhân dân huyện <của xã Bình Châu, tỉnh Quảng Ngãi>"
  Form 9, bare unit at the end:  Sở Y tế tỉnh (no name)                      → the citing document's province
  Form 10, department alone:     Sở Y tế (in a document of tỉnh Quảng Ngãi) → Sở Y tế tỉnh Quảng Ngãi;
                                 Phòng Y tế (in a district's document)      → Phòng Y tế huyện …
Keys:
  Central normative number (N/YYYY/SYMBOL, unique in the country): vb:56/2017/NĐ-CP
  Administrative / Party number, and a local normative one (15/2024/NQ-HĐND is issued by every
  province): vb:76/KH-UBND|2024-03-26|ủy ban nhân dân tỉnh quảng ngãi
  Law cited by name:             law:luật tổ chức chính quyền địa phương|2015 (two laws of one name
                                 are two nodes; without a year: law:<name>)
  Unnumbered draft:              draft:<type>|<year>|<issuer>|<subject> (the linker joins it to the
                                 one signed copy of that type, issuer, year and subject); doc:<doc_id>
                                 when it has no subject
"""
from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache

import regex

from .. import rules
from ..models import Citation, DocumentRecord
from ..text.clean import fold, one_space
from .agencies import Jurisdiction, bare, display_name, jurisdiction_of

try:  # the administrative-unit data (a package); identity still works, less completely, without it
    from . import units as _units
except Exception:  # pragma: no cover - exercised only when the package is missing
    _units = None

REFORM = dt.date(2025, 7, 1)
_NORMATIVE = regex.compile(r"^\d+[a-zA-Z]?/\d{4}/")
_OLD = regex.compile(r"\s*\((?:cũ|cu)\)", regex.IGNORECASE)
_NEW = regex.compile(r"\s*\((?:mới|moi)\)", regex.IGNORECASE)


def _marked_old(text: str | None) -> bool:
    """Does `text` say "(cũ)"? (A mark holds its parenthesis: most names hold none, and the
    substring test is cheaper than the search.)"""
    return bool(text and "(" in text and _OLD.search(text))


# a person acting for the body: "Chủ tịch UBND tỉnh" issues as the UBND; "Thủ tướng Chính phủ" is a
# body of its own (QĐ-TTg) and stays
_PERSON = regex.compile(
    r"^(?:Phó\s+)?(?:Chủ\s+tịch|Giám\s+đốc|Bộ\s+trưởng|Thứ\s+trưởng|Trưởng\s+ban|Trưởng\s+phòng|Chánh\s+Văn\s+phòng|"
    r"Tổng\s+cục\s+trưởng|Cục\s+trưởng|Chi\s+cục\s+trưởng|Thủ\s+trưởng|Bí\s+thư)\s+(?=\p{Lu})")
_UNIT_WORDS = r"tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu"
_BARE_UNIT_END = regex.compile(rf"^(?P<head>.*?)\s*(?P<unit>{_UNIT_WORDS})$", regex.IGNORECASE)
_HAS_PLACE = regex.compile(rf"(?<!\p{{L}})(?:{_UNIT_WORDS})\s+(?:\p{{Lu}}|\d)")
_DEPARTMENT = regex.compile(
    r"^(?:Sở|Phòng|Công an|Ban|Văn phòng|Trung tâm|Chi cục|Thanh tra|Đài|Bộ Chỉ huy|Kho bạc|Bệnh viện|"
    r"Ủy ban nhân dân|Hội đồng nhân dân|Ủy ban Mặt trận|Ban Chỉ đạo|Ban Quản lý)(?!\p{L})")
# a department named after a central body ("Văn phòng Chính phủ", "Thanh tra Bộ Tài chính",
# "Ban Tổ chức Trung ương") is that body's: no place of a date line is its jurisdiction
_CENTRAL_PARENT = regex.compile(r"(?<!\p{L})(?:Chính phủ|Quốc hội|Chủ tịch nước|Trung ương|Bộ\s+\p{Lu}|"
                                r"Thủ tướng|Kiểm toán [Nn]hà nước|Tòa án nhân dân tối cao|Viện kiểm sát nhân dân tối cao)")
# the unit words as literals, none holding another ("thị xã" holds "xã"): a case-sensitive pattern
# that needs a unit word (`_HAS_PLACE`, `_PLACE_TAIL`) cannot match a text holding none of these
_UNIT_LITERALS = tuple(w for w in _UNIT_WORDS.split("|")
                       if not any(v != w and v in w for v in _UNIT_WORDS.split("|")))


def _may_name_unit(name: str) -> bool:
    """Does `name` hold a unit word as written (a substring test each, before a search that tries
    its alternation at every position: most bodies named without their place hold none)?"""
    for w in _UNIT_LITERALS:
        if w in name:
            return True
    return False


_SPACES = regex.compile(r"\s+")
_DASH = regex.compile(r"\s*[–—-]\s*")


# Patterns of the per-citation helpers below, compiled once: `regex.sub(pattern, …)` in a helper
# called for every citation looks the pattern up in `regex`'s cache each time (a third of `annotate`).
_NOT_KEY_CHAR = regex.compile(r"[^0-9A-Z/]")
_SO_PHONG = regex.compile(r"^(Sở|Phòng)\s+(.+)$")
_INITIAL_TOKEN = regex.compile(r"[\p{L}&]+")
_FIELD_NAME = regex.compile(rf"^(Sở|Phòng)\s+(.+?)(\s+(?:{_UNIT_WORDS})(?:\s+.*)?)?$", regex.IGNORECASE)
_TWO_CAPITALS = regex.compile(r"\p{Lu}{2,}")
_PLACE_TAIL = regex.compile(
    rf"(?<!\p{{L}})(?P<unit>{_UNIT_WORDS})\s+(?P<name>(?:\p{{Lu}}[\p{{L}}']*|\d+)(?:\s+(?:\p{{Lu}}[\p{{L}}']*|\d+))*)$")
_NOT_WORD = regex.compile(r"[^\p{L}\d]+")


# -- numbers ---------------------------------------------------------------------------------
@lru_cache(maxsize=65536)
def number_key(number: str | None) -> str | None:
    """Variant-proof form of a number for matching: no accents, no spaces or punctuation except
    the slashes, upper case ("3812/SLĐT BXH-VP" and "3812/SLĐTBXH-VP" → "3812/SLDTBXHVP").
    The graph compares these by edit distance to join typos inside the symbol."""
    if not number:
        return None
    s = bare(number).upper()
    s = _NOT_KEY_CHAR.sub("", s).lstrip("0")  # "08/KH-UBND" is "8/KH-UBND"
    return s or None


# a local body's normative number (N/YYYY/QĐ-UBND, N/YYYY/NQ-HĐND) is issued by every province and
# district alike: unique only with its issuer
_LOCAL_SYMBOL = regex.compile(r"-(?:UBND|HĐND|HDND)(?:\b|$)", regex.IGNORECASE)


def is_normative(number: str | None) -> bool:
    return bool(number and _NORMATIVE.match(number))


def is_unique_number(number: str | None) -> bool:
    """A central normative number (56/2017/NĐ-CP) names one document in the country."""
    return is_normative(number) and not _LOCAL_SYMBOL.search(number)


# -- issuers ---------------------------------------------------------------------------------
@cache
def _field_initials() -> dict[tuple[str, str], str]:
    """(head, initials of the field) → full name, from the agencies table: ("sở", "LĐTBXH") →
    "Sở Lao động - Thương binh và Xã hội"."""
    out: dict[tuple[str, str], str] = {}
    for a in rules.agencies():
        m = _SO_PHONG.match(a.name)
        if m:
            out[(m.group(1).lower(), _initials(m.group(2)))] = a.name
    return out


def _initials(text: str) -> str:
    """"Lao động - Thương binh và Xã hội" → "LĐTBXH"; "TB&XH" → "TBXH"; "Lao động – TB&XH" → "LĐTBXH"."""
    out = []
    for tok in _INITIAL_TOKEN.findall(text):
        bare = tok.replace("&", "")
        if not bare or tok.lower() == "và":
            continue
        if bare.isupper() and len(bare) >= 2:
            out.append(bare)
        else:
            out.append(bare[0].upper())
    return "".join(out)


def _expand_field(name: str) -> str:
    """Form 6: "Sở LĐ-TB&XH tỉnh X" / "Sở Lao động – TB&XH" → the full field name of the table."""
    if name[:1] not in "SsPpſ":  # `_FIELD_NAME` opens with Sở or Phòng under IGNORECASE: only these fold to S, P
        return name
    m = _FIELD_NAME.match(name)
    if not m or not _TWO_CAPITALS.search(m.group(2)):
        return name
    full = _field_initials().get((m.group(1).lower(), _initials(m.group(2))))
    return full + (m.group(3) or "") if full else name


def _tidy(name: str) -> str:
    name = one_space(name).strip(" ,;.")
    name = _DASH.sub(" - ", name) if " - " in name or "–" in name or "—" in name else name
    return name


def _place(unit_text: str, on: dt.date | None) -> str:
    """A unit as written → its display form, through the unit data when it knows the name."""
    if _units is not None:
        try:
            got = _units.canonical_place(unit_text, on)
        except Exception:
            got = None
        if got:
            return got
    return unit_text


@lru_cache(maxsize=65536)
def _place_tail(name: str) -> tuple[str, str | None]:
    """`name` without "(cũ)"/"(mới)" marks, split before its trailing place ("Sở Y tế tỉnh LÂM ĐỒNG"
    → ("Sở Y tế ", "tỉnh LÂM ĐỒNG")); no place → (name, None). Only the place depends on a date."""
    if "(" in name:  # (every mark holds its parenthesis)
        name = _NEW.sub("", _OLD.sub("", name))
    m = _PLACE_TAIL.search(name) if _may_name_unit(name) else None
    return (name[: m.start()], m.group(0)) if m else (name, None)


def _normalise_places(name: str, on: dt.date | None) -> str:
    """Normalise the place part ("tỉnh LÂM ĐỒNG", "TP. Huế") and drop "(cũ)"/"(mới)" marks."""
    head, tail = _place_tail(name)
    return head + _place(tail, on) if tail is not None else head


# a local Party committee's standing bodies issue in its name ("Chỉ thị … của Ban Thường vụ Tỉnh ủy"
# is numbered -CT/TU, the Tỉnh ủy's)
_PARTY_ORGAN = regex.compile(r"^(?:Ban\s+Thường\s+vụ|Thường\s+trực|Ban\s+Chấp\s+hành)\s+(?=(?:Tỉnh|Thành|Huyện|Thị|Đảng)\s+[uủ][yỷ])",
                             regex.IGNORECASE)


def _strip_person(name: str) -> str:
    """Each pattern only where the name's first character can open it (on every new cited issuer,
    most of which open with neither): every alternative of `_PERSON` (case-sensitive) opens with
    P, C, G, B or T; `_PARTY_ORGAN` with "ban" or "thường", and under IGNORECASE only B, b, T, t
    fold to those first letters."""
    if name[:1] in "PCGBT":
        name = _PERSON.sub("", name)
    if name[:1] in "BbTt":
        name = _PARTY_ORGAN.sub("", name)
    return name


def canonical_issuer(issuer: str | None, parent: str | None = None, place: str | None = None,
                     on: dt.date | None = None) -> str | None:
    """A document's issuer with its full jurisdiction (Forms 1–5 of the module docstring)."""
    if not issuer:
        return None
    name = _tidy(_expand_field(_strip_person(display_name(issuer))))
    name = _normalise_places(name, on)
    if _HAS_PLACE.search(name) or not _DEPARTMENT.match(name) or _CENTRAL_PARENT.search(name):
        return name  # Form 1, Form 4 (central and other named bodies)
    m = _BARE_UNIT_END.match(name)
    where = jurisdiction_of(parent) if parent else Jurisdiction()
    if m and m.group("head"):  # Form 2: "Ủy ban nhân dân xã" + the place line
        unit = m.group("unit").lower()
        lvl = where.level(unit)
        if lvl:
            return f"{m.group('head')} {lvl}"
        if place and unit != "tỉnh":
            return f"{m.group('head')} {_place(f'{unit} {place.strip()}', on)}"
        if place and unit == "tỉnh":
            return f"{m.group('head')} {_place(f'tỉnh {place.strip()}', on)}"
        return name
    # Form 3: a department under its parent: the parent's lowest unit is its jurisdiction; the
    # office of a body is named after that body ("Văn phòng Ủy ban nhân dân tỉnh Lâm Đồng")
    if fold(name) == "văn phòng" and parent and _HAS_PLACE.search(display_name(parent)):
        return f"{name} {_normalise_places(display_name(parent), on)}"
    lowest = where.commune or where.district or where.province
    if lowest:
        return f"{name} {lowest}"
    if place and _units is not None:
        prov = _province_of_place(place, on)
        if prov:
            return f"{name} {prov}"
    return name


def _province_of_place(place: str, on: dt.date | None) -> str | None:
    """The place line of a Sở's letter names its province ("Lâm Đồng") or a city in it."""
    for form in (f"tỉnh {place}", f"thành phố {place}"):
        try:
            u = _units.parse_unit(form, on)
        except Exception:
            u = None
        if u is not None and u.level == "province":
            return u.name
    return None


@lru_cache(maxsize=65536)
def _cited_reading(raw: str) -> tuple[str, str | None, bool, tuple[str | None, str | None, bool] | None]:
    """The date-free part of a cited issuer's reading, once per spelling (a text cites "Chính phủ" or
    "Ủy ban nhân dân tỉnh" many times, an archive thousands): the body for the person (Form 7), the
    field in full (Form 6), tidied, without "(cũ)"/"(mới)", split before a trailing place (the only
    part read on a date); whether `raw` is marked "(cũ)"; and, without a place, the name's `_shape`."""
    head, tail = _place_tail(_tidy(_expand_field(_strip_person(raw))))
    return head, tail, _marked_old(raw), _shape(head) if tail is None else None


_UNIT_AT_END = regex.compile(rf"(?:{_UNIT_WORDS})$", regex.IGNORECASE)


_UNIT_WORD_TUPLE = tuple(_UNIT_WORDS.split("|"))


def _may_end_with_unit(tail: str) -> bool:
    """Can `_UNIT_AT_END` match `tail`? Only if `tail` in lower case ends with a unit word, or does
    before one final newline (where its `$` also matches): every character its IGNORECASE matches
    for a letter of a unit word lowers to that letter (tests/test_perf_agencies_round5.py)."""
    low = tail.lower()
    if low.endswith("\n"):
        low = low[:-1]
    return low.endswith(_UNIT_WORD_TUPLE)


@lru_cache(maxsize=65536)
def _shape(name: str) -> tuple[str | None, str | None, bool]:
    """(text before a bare unit word ending `name`, that word in lower case, does `name` name a
    place?): "Ủy ban nhân dân huyện" → ("Ủy ban nhân dân", "huyện", False). The lazy head of
    `_BARE_UNIT_END` tries every split of the name; it is tried only when the name's last characters
    hold a unit word (the pattern has no look-behind, so its match on the tail is the match there)."""
    m = _BARE_UNIT_END.match(name) if _may_end_with_unit(name[-16:]) and _UNIT_AT_END.search(name[-16:]) else None
    head = m.group("head") if m else None
    return (head or None, m.group("unit").lower() if head else None,
            _may_name_unit(name) and _HAS_PLACE.search(name) is not None)


def canonical_cited_issuer(c: Citation, where: Jurisdiction, citing_date: dt.date | None) -> str | None:
    """A cited issuer with its jurisdiction, as valid on the cited document's date (Forms 5–9)."""
    raw = c.cited_issuer
    if not raw:
        return None
    on = c.cited_date or (dt.date(c.cited_year, 6, 30) if c.cited_year else citing_date)
    name, tail, old, shape = _cited_reading(raw)
    if tail is not None:  # the place as valid on the cited date (before the reform for a "(cũ)" one)
        old = old or _marked_old(c.cited_issuer_raw)
        name += _place(tail, on if not old else dt.date(2025, 6, 30))
        shape = _shape(name)
    head, unit, has_place = shape
    if head and not has_place:
        if unit in {"huyện", "quận", "thị xã", "thành phố"} and where.commune and not where.district:
            district = None
            if _units is not None:
                try:
                    district = _units.district_of_commune(where.commune, where.province, on)
                except Exception:
                    district = None
            if district and (unit == "thành phố" or fold(district).startswith(unit)):
                return f"{head} {district}"
            tied = ", ".join(x for x in (where.commune, where.province) if x)
            return f"{head} {unit} <của {tied}>"  # Form 8 placeholder: never a guess
        if unit == "tỉnh" and where.province:
            return f"{head} {where.province}"  # Form 9
        lvl = where.level(unit)
        if lvl:
            return f"{head} {lvl}"
    if not has_place and where.province:
        # Form 10: a department named without its place is the citing document's own: a Sở of its
        # province, a Phòng of its district
        head = fold(name).split(" ", 1)[0]
        if head == "sở":
            return f"{name} {where.province}"
        if head == "phòng" and where.district:
            return f"{name} {where.district}"
    return name


def _with_province(where: Jurisdiction, on: dt.date | None) -> Jurisdiction:
    """A district's or commune's document that does not name its province: the unit data does."""
    if where.province or _units is None:
        return where
    for unit in (where.district, where.commune):
        if unit:
            try:
                prov = _units.province_of(unit, on)
            except Exception:
                prov = None
            if prov:
                return Jurisdiction(prov, where.district, where.commune, where.own)
    return where


# -- keys ------------------------------------------------------------------------------------
def _when(date: dt.date | None, year: int | None) -> str:
    return date.isoformat() if date else (str(year) if year else "")


@lru_cache(maxsize=65536)
def _number_form(number: str) -> tuple[str, bool]:
    """A number without spaces, upper case, and whether it names one document in the country: a
    document's number is met again in every text citing it, with a different date or issuer."""
    # (a printable number without a space holds no white space: every `\s` but the space is a
    # character `isprintable` rejects, as `one_space` relies on)
    num = (number if number.isprintable() and " " not in number else _SPACES.sub("", number)).upper()
    return num, is_unique_number(num)


def node_key(number: str | None, date: dt.date | None, year: int | None, issuer: str | None) -> str | None:
    """Key of a numbered document: a normative number alone; otherwise number + date + issuer."""
    if not number:
        return None
    num, unique = _number_form(number)
    if unique:
        return "vb:" + num
    return "vb:" + "|".join([num, _when(date, year), fold(issuer)])


@lru_cache(maxsize=16384)
def _law_key(name: str) -> str:
    """`references.law_key`, once per name: a law is cited by name in text after text."""
    from .references import law_key

    return law_key(name)


def law_node_key(name: str, date: dt.date | None, year: int | None) -> str:
    y = date.year if date else year
    return "law:" + _law_key(name) + (f"|{y}" if y else "")


_LAW_TYPES = {"Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp"}


def document_law_key(record: DocumentRecord) -> str | None:
    """An ingested law's name key, so that "Luật An ninh mạng năm 2025" cited by name finds
    Luật 116/2025/QH15 whose title is "LUẬT AN NINH MẠNG": law:luật an ninh mạng|2025."""
    h = record.header
    if h.doc_type not in _LAW_TYPES or not h.subject:
        return None
    name = h.subject if fold(h.subject).startswith(fold(h.doc_type)) else f"{h.doc_type} {h.subject}"
    return law_node_key(name, h.issue_date, h.issue_year)


def document_node_id(record: DocumentRecord) -> str:
    """Key 1–2 for a numbered document. An unnumbered draft is named by what it is: type, year,
    issuer and subject ("draft:kế hoạch|2026|ủy ban nhân dân tỉnh lâm đồng|tăng cường …"), so that two
    drafts of one paper share a node and the linker can join them to the signed copy; without a
    subject it is only itself (doc:<doc_id>)."""
    h = record.header
    key = node_key(h.number, h.issue_date, h.issue_year, h.issuer_canonical or h.issuer)
    if key:
        return key
    paper = paper_key(record)
    return "draft:" + paper if paper else "doc:" + record.doc_id


def paper_key(record: DocumentRecord) -> str | None:
    """What a paper is, number aside: type|year|issuer|subject, for drafts and their signed copy."""
    h = record.header
    if not (h.subject and h.doc_type and (h.issuer_canonical or h.issuer)) or len(h.subject) < 12:
        return None
    subject = _NOT_WORD.sub(" ", fold(h.subject)).strip()
    year = str(h.issue_year or (h.issue_date.year if h.issue_date else ""))
    return "|".join([fold(h.doc_type), year, fold(h.issuer_canonical or h.issuer), subject])


def citation_target_key(c: Citation) -> str | None:
    if c.cited_number:
        return node_key(c.cited_number, c.cited_date, c.cited_year, c.cited_issuer_canonical or c.cited_issuer)
    if c.cited_name:
        return law_node_key(c.cited_name, c.cited_date, c.cited_year)
    return None


def annotate(record: DocumentRecord) -> DocumentRecord:
    """Fill the identity fields of a record in place (and return it)."""
    h = record.header
    h.issuer_canonical = canonical_issuer(h.issuer, h.issuer_parent, h.place, h.issue_date or (
        dt.date(h.issue_year, 6, 30) if h.issue_year else None))
    record.node_id = document_node_id(record)
    record.law_key = document_law_key(record)
    record.paper_key = paper_key(record)
    where = _with_province(jurisdiction_of(h.issuer_canonical, h.issuer_parent), h.issue_date)
    # a document assigns many tasks to one body: each assignee is read once (the probe holds only
    # the assignee and the document's own date and year)
    assigned: dict[str, str | None] = {}
    for t in record.tasks:  # an assignee is a body of the document's own jurisdiction
        if t.assignee_kind != "collective":
            if t.assignee in assigned:
                t.assignee_canonical = assigned[t.assignee]
                continue
            probe = Citation(mention="", start=0, end=0, cited_issuer=display_name(t.assignee),
                             cited_date=h.issue_date, cited_year=h.issue_year)
            t.assignee_canonical = assigned[t.assignee] = canonical_cited_issuer(probe, where, h.issue_date)
        else:
            t.assignee_canonical = t.assignee
    # a document cites one body and one number many times ("Chính phủ", "Nghị định 56/2017/NĐ-CP"):
    # each distinct input is resolved once. The canonical issuer depends only on the cited issuer,
    # the cited date or year, and whether the issuer as written is marked "(cũ)" (`where` and the
    # citing date are the document's); the number key on the number; the target key on the number,
    # the date or year, the canonical issuer or else the cited one, and the law's name.
    memo: dict[tuple, tuple[str | None, str | None, str | None]] = {}
    for c in record.citations:
        issuer = c.cited_issuer
        raw = c.cited_issuer_raw  # (`_marked_old` inline)
        key = (issuer, c.cited_date, c.cited_year, bool(issuer and raw and "(" in raw and _OLD.search(raw)),
               c.cited_number, c.cited_name)
        got = memo.get(key)
        if got is None:
            c.cited_issuer_canonical = canonical_cited_issuer(c, where, h.issue_date) if issuer else None
            got = memo[key] = (c.cited_issuer_canonical, number_key(c.cited_number), citation_target_key(c))
        c.cited_issuer_canonical, c.number_key, c.target_key = got
        c.target_id = got[2]
    return record


__all__ = ["annotate", "canonical_issuer", "canonical_cited_issuer", "number_key", "node_key",
           "citation_target_key", "document_node_id", "is_normative", "is_unique_number", "REFORM"]
