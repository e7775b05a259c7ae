"""Named entities of a document: organisations (ORG), people (PER), places (LOC) and positions
(TITLE), each with its span in the text, a normalised form and, for ORG and LOC, the body or unit
it names with its full jurisdiction (`EntityMention.link`).

Entry point: `find_entities(text, header=None, signature=None, where=None)`. The conventions are
those of the entity gold (`corpus/gold/entities/SPEC.md`).

Forms handled (tables in `rules/entities_*.tsv`, `agencies.tsv`, `surnames.tsv`, `signer_titles.tsv`,
`provinces.tsv`; places through `extract.units`, valid on the document's date):
  ORG, unit body:      UBND tỉnh (a Quảng Ngãi document)       → Ủy ban nhân dân tỉnh Quảng Ngãi
                       Công an xã, Trạm Y tế xã (a commune's text) → … xã Bình Thạnh
                       UBND huyện Bình Sơn (cũ)                 → span without "(cũ)", normalised with it
  ORG, department:     Sở Y tế                                  → Sở Y tế tỉnh Quảng Ngãi
                       Sở Lao động – TB&XH tỉnh, Phòng LĐTBXH   → … Lao động - Thương binh và Xã hội …
                       Ban Tuyên giáo Tỉnh ủy, Thanh tra Bộ Công an, Công ty TNHH Tập đoàn Sơn Hải
  ORG, organ:          Thường trực HĐND tỉnh, Văn phòng UBND tỉnh, Ban Thường vụ Tỉnh ủy, TM. BAN THƯỜNG VỤ
  ORG, central:        Bộ Y tế, Chính phủ, Đảng; a symbol abbreviation alone (BYT, VPCP, VPUB)
  ORG, collective:     UBND các huyện, thị xã, thành phố; các sở, ban, ngành; UBND cấp xã (collective=True)
  ORG, header:         one ORG per header body (UBND TỈNH LÂM ĐỒNG / SỞ NỘI VỤ); VPUB: KGVX, TH (office units)
  ORG, levels:         UBND các cấp, Ủy ban nhân dân cấp tỉnh và cấp huyện, Tòa án nhân dân khu vực 1, UBND TP
  ORG, plural:         các Sở Y tế tỉnh, thành phố …, các Trung tâm Y tế khu vực, các Sở: Y tế, Tài chính, Nội vụ
                       (one span, "các" inside, collective); các Bộ; các phòng chức năng thuộc Sở Y tế
  ORG, central list:   Tòa án nhân dân tối cao, Văn phòng Trung ương, các Ban của Đảng, các Ủy ban của Quốc hội,
                       Cơ quan Trung ương của các đoàn thể, Các Vụ, Cục, Văn phòng Bộ - Bộ Y tế, Công báo,
                       Cổng Thông tin điện tử Chính phủ / Bộ Y tế, Cổng TTĐT
  ORG, named by scope: Hiệp hội rau quả Đà Lạt, Hội Y học giấc ngủ Việt Nam, Hội Công chứng viên tỉnh Lâm Đồng,
                       Tập đoàn dầu khí Việt Nam; Ban Chỉ đạo công tác … huyện Bình Sơn; Báo Đấu thầu;
                       Bảo hiểm xã hội (BHXH) Việt Nam (an inserted abbreviation inside the span)
  TITLE + body:        a title whose last word opens the body: Trưởng Trạm Y tế các xã, Chánh Thanh tra Bộ Công an
                       (ORG "Thanh tra Bộ Công an"), Trưởng Ban Vận động thành lập Hội …; Đại diện lãnh đạo BHXH tỉnh
  PER:                 the signer; Đ/c Duệ, đồng chí Nguyễn Ngọc Phúc, Ông Trần Văn Tuyên (the cue outside the
                       span); a full name (a surname of rules/surnames.tsv and one to four capitalised
                       syllables) on its own line or after a title; the drafter of "Lưu: VT, NC.Châu". A given
                       name alone is linked (`link`) to the one full name of the document ending with it
  TITLE:               Phó Chủ tịch UBND tỉnh (holding the ORG "UBND tỉnh", the one nesting allowed),
                       Thủ tướng Chính phủ, các PCT UBND tỉnh, CT, PCT (Nơi nhận), KT. CHỦ TỊCH / PHÓ CHỦ TỊCH
                       (completed with the issuing body), Lãnh đạo UBND tỉnh, Thủ trưởng các cơ quan, đơn vị
  LOC:                 the quốc hiệu, tỉnh Quảng Ngãi, huyện đảo Lý Sơn, xã Bình Thạnh (cũ), TP. Hồ Chí Minh,
                       a province named alone (Lâm Đồng), Việt Nam, the place of the date line, the names
                       listed after "các xã:"
Never entities: document numbers and symbols (the UBND of 76/KH-UBND is no body), dates, the
motto, bodies inside a law's name (Luật Tổ chức Chính phủ).

Speed: one pass over the text finds where a trigger of any kind can start, and each hit is then
read outwards with small anchored patterns; nothing else runs over the whole text, so the cost is
linear. The triggers are two character tries (`_Master.rx`: words that open with a capital, and
the others: "tỉnh", "xã", "các …", "ông"), tried only at the positions `_trigger_starts` keeps: the
text as an array of UTF-16 code units (numpy), a hash of each position's first two characters in
a small table, then the hashed opening of some trigger word one character more at a time
(`_openings`). `re` scanning the text itself tested every capital (and every c, t, h) at ~5 ns a
character, more than what follows; the tries still decide every match (`_matches_at` gives their
`finditer`, tests/test_perf_entities.py), and short texts use `finditer` itself.

spaCy is not needed on this path: `spacy_pipeline()` wraps the rules as a spaCy component (with a
tokenizer that keeps 76/KH-UBND and 26/3/2024 whole) for training, and `model_entities` runs a
trained NER (`pipeline/evaluation/train_ner.py`), which did not beat these rules (see
`evaluation/evaluate_entities.py`).
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import attrgetter
from typing import Optional

import regex

from .. import rules
from ..models import Citation, Entity, Header, Signature
from ..text.clean import canonical_tone, fold, one_space
from .agencies import Jurisdiction, display_name, jurisdiction_of, resolve_issuer

try:  # the administrative-unit data (a package); entities still work, less completely, without it
    from . import units as _units
except Exception:  # pragma: no cover
    _units = None

LABELS = ("ORG", "PER", "LOC", "TITLE")


@lru_cache(maxsize=4096)
def _rx(pattern: str, flags: int = 0) -> regex.Pattern:
    """Compiled once: `regex.match(pattern, …)` re-reads its cache and flags on every call, which
    costs more than the match itself on short strings."""
    return regex.compile(pattern, flags)


def _rmatch(p, s, flags=0):
    return _rx(p, flags).match(s)


def _rsearch(p, s, flags=0):
    return _rx(p, flags).search(s)


def _rfullmatch(p, s, flags=0):
    return _rx(p, flags).fullmatch(s)


def _rsub(p, repl, s, flags=0):
    return _rx(p, flags).sub(repl, s)


def _rfinditer(p, s, flags=0):
    return _rx(p, flags).finditer(s)


@dataclass
class EntityMention(Entity):
    """An `Entity` with what the Parquet row does not hold yet: whether it names a group of bodies
    ("UBND các huyện, thị xã"), and the canonical body or unit it links to (ORG: the body with
    its jurisdiction; LOC: the unit with its district and province; PER: the full name)."""

    collective: bool = False
    link: Optional[str] = None
    evidence: str = "text"  # text | header | signature: header and signer spans win a tie


# ---- character classes -------------------------------------------------------------------------
_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_LO = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_TSYL = rf"(?:[{_UP}][{_LO}]*(?:'[{_UP}{_LO}][{_LO}]*)?(?![{_UP}{_LO}0-9]))"  # Title-case syllable: Quảng, H'Hen
_USYL = rf"(?:[{_UP}]+(?![{_LO}]))"                                      # upper-case syllable: QUẢNG
_LSYL = rf"(?:[{_LO}]+)"                                          # lower-case syllable
_WORDCH = rf"[{_UP}{_LO}0-9]"
_UNIT_WORDS = ("thành phố", "thị trấn", "thị xã", "đặc khu", "tỉnh", "huyện", "quận", "xã", "phường")
_UNIT_ALT = "|".join(w.replace(" ", r"\s+") for w in _UNIT_WORDS)
_UNIT_CI = rf"(?i:{_UNIT_ALT})"
_ERA = r"(?:\s*\((?:cũ|mới|Cũ|Mới|CŨ|MỚI)\))"


def _trie(words, space: str = r"\s+", ends: dict | None = None) -> str:
    """One regex alternation of `words` as a character trie: a position costs one test per
    character instead of one per word (Python's `re` tries alternatives one by one); longest first.
    `ends` maps a word to the zero-width condition that must follow it (tried shorter words on failure)."""
    root: dict = {}
    for w in words:
        node = root
        key = regex.sub(r"\s+", " ", w.strip())
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = (ends or {}).get(w, "")

    def emit(node: dict) -> str:
        kids = [(ch, sub) for ch, sub in node.items() if ch != ""]
        parts = [(space if ch == " " else re.escape(ch)) + emit(sub) for ch, sub in sorted(kids, key=lambda x: x[0])]
        if "" in node:
            parts.append(node[""])  # the word ends here (with its condition), after every longer word
        if len(parts) == 1:
            return parts[0]
        return "(?:" + "|".join(parts) + ")"

    return "(?:" + emit(root) + ")"


def _variants(s: str) -> set[str]:
    """A table entry as printed: itself, in upper case, every word capitalised ("Tỉnh Ủy", "Ủy Ban
    Nhân Dân"), with the old tone placement (Uỷ, hoà)."""
    out = {s, s.upper(), " ".join(w[:1].upper() + w[1:] for w in s.split())}
    for a, b in rules.tone_variants():
        for v in list(out):
            for x, y in ((b, a), (b.upper(), a.upper()), (b[:1].upper() + b[1:], a[:1].upper() + a[1:])):
                if x in v:
                    out.add(v.replace(x, y))
    return out


# ---- the tables, compiled once per process -------------------------------------------------------
@dataclass(frozen=True)
class _Tables:
    heads: dict[str, rules.OrgHead]          # fold(head as printed) → head
    heads_raw: dict[str, rules.OrgHead]      # head as printed (every variant) → head
    head_re: re.Pattern
    fields_re: regex.Pattern                  # known fields at a position (case-insensitive)
    field_abbr: dict[str, str]                # "LĐTBXH" → "Lao động - Thương binh và Xã hội"
    field_abbr_re: regex.Pattern
    symbol_orgs: dict[str, str]               # "BYT" → "Bộ Y tế" (standalone in running text)
    titles: dict[str, str]                    # fold(title) → normal-case title
    title_re: re.Pattern
    title_abbr: dict[str, str]                # "PCT" → "Phó Chủ tịch"
    surnames: frozenset[str]
    loc_re: re.Pattern
    prov_re: re.Pattern
    collective_re: re.Pattern
    stop: frozenset[str]
    office: dict[str, str]                    # "KGVX" → "Phòng Khoa giáo - Văn xã" (VPUB: lines)


def _prov_names() -> set[str]:
    """The provinces' names and their other names (`prov_re`)."""
    return {r[0] for r in rules.provinces()} | {r[4] for r in rules.provinces() if r[4]}


# lower-case syllables that end a name read by the generic grammar ("Sở Y tế chủ trì")
_STOP = frozenset("""của về tại theo để trong với cho là có được đã sẽ đang chủ phối thực tham báo trình xem
tổng hướng kiểm rà triển đề các những này đó năm ngày tháng số và hoặc nhưng thì khi nếu đến từ trên dưới sau
trước đối bằng như tỉnh huyện xã phường quận thị thành đặc cấp giao thuộc gửi ban nhằm do vì mà cùng
không chưa còn ra vào lên xuống ở hằng hàng mỗi mọi biết nghiên cứu tổ chức lập xây dựng quản lý
đôn đốc đảm bảo phải bị""".split())


@cache
def _tables() -> _Tables:
    heads: dict[str, rules.OrgHead] = {}
    heads_raw: dict[str, rules.OrgHead] = {}
    for h in rules.entity_org_heads():
        for v in sorted(_variants(h.head)):
            heads.setdefault(fold(v), h)
            heads_raw.setdefault(v, h)
    # symbol abbreviations of agencies.tsv, standing alone in running text (BYT, BTC …): central
    # state bodies only; "UBND", "HĐND" are heads above; Party and local ones are not read alone
    symbol_orgs = {a.abbr: a.name for a in rules.agencies()
                   if a.level == "central" and a.family == "state" and len(a.abbr) >= 3
                   and not a.name.startswith(("Thủ tướng", "Chủ tịch"))}
    for a, e, k in rules.entity_abbreviations():
        if k == "org":
            symbol_orgs[a] = e
    head_forms = sorted({v for h in rules.entity_org_heads() for v in _variants(h.head)}, key=lambda x: (-len(x), x))
    head_re = re.compile(rf"{_trie(list(head_forms) + list(symbol_orgs))}(?![{_UP}{_LO}0-9&])")

    fields = set(rules.entity_fields())
    for a in rules.agencies():
        m = re.match(r"^(?:Sở|Bộ|Phòng)\s+(.+)$", a.name)
        if m:
            fields.add(m.group(1))
    field_forms = sorted(fields, key=lambda x: (-len(x), x))
    forms = set()
    for f in field_forms:
        for v in (f, f.lower(), f.upper(), f[:1].upper() + f[1:].lower(), " ".join(w[:1].upper() + w[1:] for w in f.split())):
            forms.add(v)
            forms.add(v.replace(" và ", " & ").replace(" VÀ ", " & "))
    fields_trie = _trie(forms, space=r"[ \t]+")
    # (case-insensitive: a known field printed in another mix of cases, "Xúc tiến đầu tư, Thương mại và Du
    # lịch", "quản lý các Khu công nghiệp", is still that field)
    fields_re = re.compile(rf"{fields_trie}(?![{_UP}{_LO}0-9])", re.IGNORECASE)
    field_abbr = {a: e for a, e, k in rules.entity_abbreviations() if k == "field"}
    field_abbr_re = re.compile(rf"{_trie(field_abbr)}(?![{_UP}{_LO}0-9&])")

    titles: dict[str, str] = {}
    for t in rules.entity_titles():
        titles.setdefault(fold(t), t)
    for t in rules.signer_titles():  # upper case: give it the normal case of the first word rule
        titles.setdefault(fold(t), _title_case(t))
    title_forms = sorted({v for t in titles.values() for v in _variants(t)} | set(rules.signer_titles()),
                         key=lambda x: (-len(x), x))
    title_abbr = {a: e for a, e, k in rules.entity_abbreviations() if k == "title"}
    office = {a: e for a, e, k in rules.entity_abbreviations() if k == "office"}
    title_re = re.compile(
        rf"{_trie(title_forms)}(?![{_UP}{_LO}0-9])"
        rf"|(?:{'|'.join(re.escape(a) for a in sorted(title_abbr, key=lambda x: (-len(x), x)))})(?=\s*[,.]?\s*(?:PCT|CT|UBND|HĐND|Sở|Phòng|Ban|\(|;|,|[A-ZĐ]\.[A-ZĐ]))")

    surnames = frozenset(s for s in rules.surnames() if s and s[0].isupper() and "'" not in s)
    unit_forms = [w for u in _UNIT_WORDS for w in (u, u[:1].upper() + u[1:], u.upper())]
    loc_re = re.compile(
        rf"{_trie(unit_forms + ['TP.', 'Tp.', 'TX.', 'TT.'])}"
        rf"[ \t]*(?:đảo[ \t]+)?(?=[{_UP}0-9])")
    prov_names = _prov_names()
    prov_re = re.compile(rf"{_trie(prov_names)}"
                         rf"(?![{_UP}{_LO}0-9])")
    collective_re = re.compile(
        r"(?:(?:các|Các)[ \t]+)?(?:sở|Sở)(?:[ \t]*,[ \t]*(?:ban|ngành|đoàn thể)(?![a-zà-ỹđ]))+"
        r"(?:[ \t]+(?:tỉnh|Thành phố|thành phố|TP)(?![a-zà-ỹđ]))?"
        r"|(?:các|Các)[ \t]+bộ[ \t]*,[ \t]*(?:ngành|cơ quan ngang [bB]ộ)(?:[ \t]*,[ \t]*(?:cơ quan thuộc Chính phủ|ngành))*"
        r"(?:[ \t]+Trung ương)?(?![a-zà-ỹđ])"
        r"|(?:(?:các|Các)[ \t]+)?Bộ[ \t]*,[ \t]*(?:ngành|cơ quan ngang [bB]ộ)(?:[ \t]*,[ \t]*(?:cơ quan thuộc Chính phủ|ngành))*"
        r"(?:[ \t]+Trung ương)?(?![a-zà-ỹđ])"
        r"|(?:các|Các)[ \t]+đoàn thể(?:[ \t]+(?:tỉnh|TP|Thành phố|thành phố|huyện|xã))?(?![a-zà-ỹđ])"
        r"|(?:các[ \t]+)?cơ quan (?:ngang bộ|thuộc Chính phủ)(?![a-zà-ỹđ])"
        r"|(?:Các|các)[ \t]+(?:huyện ủy|Huyện ủy)(?:,[ \t]*(?:thị ủy|thành ủy|đảng ủy)(?![a-zà-ỹđ]))+(?:[ \t]+trực thuộc Tỉnh ủy)?"
        r"|(?:Các|các)[ \t]+cơ quan chuyên môn(?: thuộc (?:UBND|Ủy ban nhân dân) (?:tỉnh|huyện|xã|Thành phố|thành phố))?(?![ \t]*(?:của|thuộc|cấp))"
        # the stock central list: "các Ban của Đảng", "các Ủy ban của Quốc hội", "Cơ quan Trung ương
        # của các đoàn thể", "Các Vụ, Cục, Văn phòng Bộ"
        r"|(?:các|Các)[ \t]+(?:Ban|Ủy ban|Uỷ ban)[ \t]+của[ \t]+(?:Đảng|Quốc hội)(?![\w])"
        r"|[Cc]ơ quan Trung ương của các đoàn thể(?![\w])"
        r"|(?:các|Các)[ \t]+Vụ[ \t]*,[ \t]*Cục(?:[ \t]*,[ \t]*(?:Văn phòng Bộ|Thanh tra Bộ|Tổng cục|đơn vị)(?![\w]))*"
        # Party sets: "Các ban cán sự đảng, đảng đoàn", "Các ban đảng", "các tổ chức chính trị - xã hội"
        r"|(?:các|Các)[ \t]+ban cán sự đảng(?:[ \t]*,[ \t]*đảng đoàn)?(?![\w])"
        r"|(?:các|Các)[ \t]+ban (?:đảng|Đảng)(?![\w])"
        r"|(?:các|Các)[ \t]+tổ chức chính trị[ \t]*-[ \t]*xã hội(?![\w])"
        # the departments of a commune or district: "các phòng, ban chuyên môn", "các phòng, ban"
        r"|(?:các|Các)[ \t]+phòng[ \t]*,[ \t]*ban(?:[ \t]+chuyên môn)?(?![\w])"
        r"|(?:các|Các)[ \t]+phòng[ \t]+(?:chức năng|chuyên môn|nghiệp vụ)(?![\w])"
        # a plural head alone: "phối hợp với các Bộ, cơ quan liên quan"
        r"|(?:các|Các)[ \t]+(?:Bộ|Sở)(?=[ \t]*(?:[,;.)]|và(?![\w])|$))")
    return _Tables(heads, heads_raw, head_re, fields_re, field_abbr, field_abbr_re, symbol_orgs, titles, title_re, title_abbr,
                   surnames, loc_re, prov_re, collective_re, _STOP, office)


_CATEGORY_END = {  # what must follow a trigger of each kind
    "org": rf"(?![{_UP}{_LO}0-9&])", "title": rf"(?![{_UP}{_LO}0-9])", "tabbr": rf"(?![{_UP}{_LO}0-9])",
    "sur": rf"\s+(?=[{_UP}])", "cue": rf"\s+(?=[{_UP}])", "loc": rf"[ \t]*(?:đảo[ \t]+)?(?=[{_UP}0-9])",
    "prov": rf"(?![{_UP}{_LO}0-9])", "vn": rf"(?![{_LO}])", "coll": r"", "cac": r"",
}


@dataclass(frozen=True)
class _Master:
    rx: tuple[re.Pattern, ...]
    dispatch: dict[str, tuple[tuple[str, str, int], ...]]   # trigger → ((category, prefix, words), …)
    ends: dict[str, re.Pattern]
    single: dict[str, str]                                   # trigger of one kind, whole word → kind
    openings: "_Openings | None"                             # where a trigger can start (None: numpy missing)


@cache
def _master() -> _Master:
    """Both character tries (`rx[0]`: the words that open with a capital, `rx[1]`: the others) and
    what reads their hits: each hit is dispatched to the kinds whose trigger is that word or a
    whole-word prefix of it ("Hà Nội" is a province and starts with the surname "Hà"). The tries are
    tried only where one of their words can start (`_openings`, see `_triggers`)."""
    t = _tables()
    cats: dict[str, set[str]] = {}

    def add(words, cat):
        for w in words:
            w = _rsub(r"\s+", " ", w.strip())
            if w:
                cats.setdefault(w, set()).add(cat)

    head_forms = {v for h in rules.entity_org_heads() for v in _variants(h.head)}
    add(head_forms | set(t.symbol_orgs), "org")
    title_forms = {v for x in t.titles.values() for v in _variants(x)} | set(rules.signer_titles())
    add(title_forms, "title")
    add(t.title_abbr, "tabbr")
    add(["lãnh đạo"], "title")  # "Đại diện lãnh đạo Bảo hiểm xã hội tỉnh"
    add(t.surnames, "sur")
    add(rules.person_cues(), "cue")
    add([w for u in _UNIT_WORDS for w in (u, u[:1].upper() + u[1:], u.upper())] + ["TP.", "Tp.", "TX.", "TT."], "loc")
    add({r[0] for r in rules.provinces()} | {r[4] for r in rules.provinces() if r[4]}, "prov")
    add(["Việt Nam"], "vn")
    add(["Sở,", "Bộ,", "Sở ,", "Bộ ,", "Sở, ban", "cơ quan ngang bộ", "cơ quan thuộc Chính phủ",
         "Cơ quan Trung ương", "cơ quan Trung ương"], "coll")
    add([f"{c} {w}" for c in ("các", "Các") for w in (
        "sở", "Sở", "Bộ", "bộ", "đoàn thể", "huyện ủy", "Huyện ủy", "cơ quan ngang", "cơ quan thuộc", "cơ quan chuyên môn",
        "Ban", "Ủy ban", "Uỷ ban", "Vụ", "ban", "tổ chức chính trị", "phòng,", "phòng ,", "phòng chức năng",
        "phòng chuyên môn", "phòng nghiệp vụ",
        "xã", "phường", "huyện", "tỉnh", "thị xã", "đặc khu")], "cac")
    dispatch = {}
    for w in cats:
        parts = w.split(" ")
        got = []
        for k in range(len(parts), 0, -1):
            pre = " ".join(parts[:k])
            for c in sorted(cats.get(pre, ())):
                if not any(g[0] == c for g in got):
                    got.append((c, pre, k))
        dispatch[w] = tuple(got)
    la = {c: (p if p.startswith("(?") or not p else f"(?={p})") for c, p in _CATEGORY_END.items()}
    word_end = {w: "(?:" + "|".join(sorted({la[c] or "" for c in cs})) + ")" for w, cs in cats.items()}
    # two tries: a trie whose words all start with a capital is tried only at capitals
    upper = [w for w in cats if w[:1].isupper()]
    lower = [w for w in cats if not w[:1].isupper()]
    rx = (re.compile(_trie(upper, ends=word_end)), re.compile(_trie(lower, ends=word_end)))
    ends = {c: re.compile(p) for c, p in _CATEGORY_END.items()}
    single = {w: d[0][0] for w, d in dispatch.items() if len(d) == 1 and d[0][1] == w
              and w[:4] not in ("các ", "Các ")}
    return _Master(rx, dispatch, ends, single, _openings(cats))


# every character Python's `re` takes for `\s` in a str pattern (the tries' word spacing: str.isspace,
# none above U+3000), and every character of `_UP` (the capital a name opens with)
_RE_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_UPPER_CHARS = "".join(map(chr, range(ord("A"), ord("Z") + 1))) + _UP[3:]
_CAPITALS = frozenset(_UPPER_CHARS)  # `[{_UP}]` as a set of characters
_OPENING_CHARS = 8       # how many characters of a trigger's opening `_openings` compares
_HASH_BITS = 18          # the size of its tables (2**18 booleans each: 4.5 MB in all)
_PAIR_BITS = 18          # the first test, over the whole text: a 256 KB table
_MUL_PAIR = 0x9E3779B1   # multiplicative hashes (odd constants): of the first two characters as read,
_MUL_NEXT = 0x01000193   # of an opening, one character more
_SCAN_MIN = 6000         # shorter texts: the tries' own `finditer` (the arrays' fixed cost is higher)
_FEW_LEFT = 200          # positions left after which each is tried by the tries rather than hashed on


@dataclass(frozen=True)
class _Openings:
    """Hashed tables of the openings of every trigger word (see `_openings`), as numpy arrays.

    pair: hash of (first, second character) of some opening, every whitespace character spelled out;
    prefix[L] / whole[L]: hash of an opening's first L characters (the hash of the pair as read,
    then each character more with whitespace read as " "), when they are a prefix of a longer
    opening / a whole opening (L = 2: the pair's hash)."""
    pair: object             # bool[2**_PAIR_BITS]
    prefix: tuple            # bool[2**_HASH_BITS] for each length (2**_PAIR_BITS for L = 2)
    whole: tuple
    spaces: object           # intp[65536]: every whitespace character → " ", the others unchanged
    upper: object            # bool[65536]: the first characters of the words of the capitalised trie
    single_chars: str        # first characters of the one-character openings (looked for with str.find)


# what must follow a trigger word, as the openings `_opening_strings` add after it (" ": any
# whitespace character): a name cue's `\s+(?=[UP])`; a unit word's `[ \t]*(?:đảo[ \t]+)?(?=[UP0-9])`.
# The other kinds' conditions only forbid a next character: nothing is added after their words.
_UNIT_NEXT = _UPPER_CHARS + "0123456789đ"
_CONTINUATIONS = {
    "sur": tuple(" " + u for u in _UPPER_CHARS) + ("  ",),
    "cue": tuple(" " + u for u in _UPPER_CHARS) + ("  ",),
    "loc": tuple(_UNIT_NEXT) + tuple(" " + u for u in _UNIT_NEXT) + ("  ",),
}


def _opening_strings(w: str, own: set[str]) -> set[str]:
    """What every text a trie matches with the word `w` starts with, cut at `_OPENING_CHARS`
    characters, with " " standing for any whitespace character.

    The trie reads each space of `w` as `\\s+`: a run of one whitespace character followed by the
    next syllable, or of two or more (the opening stops after the second: what follows is unknown).
    The word is then followed by the condition of one of its kinds (`own`): when each of them
    requires more text (`_CONTINUATIONS`: a name cue, a unit word), the openings go on with it."""
    k = _OPENING_CHARS
    parts = w.split(" ")
    out = {(" ".join(parts[:i + 1]) + "  ")[:k] for i in range(len(parts) - 1)}  # a run of 2+ inside
    if all(c in _CONTINUATIONS for c in own):
        out.update((w + nxt)[:k] for c in own for nxt in _CONTINUATIONS[c])
    else:
        out.add(w[:k])
    return out


def _hash_pair(a: int, b: int, mul: int, bits: int) -> int:
    """The hash `_trigger_starts` computes with numpy for a pair of characters (uint32 arithmetic)."""
    return ((a | (b << 16)) * mul & 0xFFFFFFFF) >> (32 - bits)


def _hash_next(h: int, c: int) -> int:
    return ((h * _MUL_NEXT) ^ c) & ((1 << _HASH_BITS) - 1)


def _openings(cats: dict[str, set[str]]) -> "_Openings | None":
    """The tables `_trigger_starts` reads: every opening of every trigger word of both tries, by
    its first two characters (every whitespace character spelled out) and then, one character
    more at a time, by the hash of the opening so far (one chain for each spelling of the second
    character: the hash of the pair computed over the whole text is the chain's first link)."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with pandas; without it the tries scan the text
        return None

    openings: set[str] = set()
    for w, own in cats.items():
        openings |= _opening_strings(w, own)
    spaces = np.arange(65536, dtype=np.intp)  # (intp, as the hashes of the rounds: no index is converted)
    for c in _RE_SPACES:
        spaces[ord(c)] = ord(" ")
    pair = np.zeros(1 << _PAIR_BITS, dtype=bool)
    prefix = tuple(np.zeros(1 << (_PAIR_BITS if L == 2 else _HASH_BITS), dtype=bool) for L in range(_OPENING_CHARS + 1))
    whole = tuple(np.zeros(1 << (_PAIR_BITS if L == 2 else _HASH_BITS), dtype=bool) for L in range(_OPENING_CHARS + 1))
    single = set()
    for o in openings:
        if len(o) == 1:
            single.add(o)
            continue
        for second in (_RE_SPACES if o[1] == " " else o[1]):
            h = _hash_pair(ord(o[0]), ord(second), _MUL_PAIR, _PAIR_BITS)
            pair[h] = True
            for L in range(2, len(o) + 1):
                if L > 2:
                    h = _hash_next(h, ord(o[L - 1]))
                (whole if L == len(o) else prefix)[L][h] = True
    upper = np.zeros(65536, dtype=bool)
    for w in cats:
        if w[:1].isupper():
            upper[ord(w[0])] = True
    return _Openings(pair, prefix, whole, spaces, upper, "".join(sorted(single)))


def _trigger_starts(text: str, op: _Openings) -> tuple[list[int], list[int]] | None:
    """Every position where a word of the capitalised trie can start, and every position where a
    word of the other trie can (a superset: hashes may collide), each in text order (a position
    may come twice); None when the text holds a character beyond U+FFFF (its UTF-16 code units
    would not be its positions).

    The text as an array of UTF-16 code units. Over the whole text, one hash of the first two
    characters (the buffer read as 32-bit words at both alignments); then, on the positions left,
    the opening one character more at a time (whitespace read as " "), the hash going on from the
    pair's. The pair's test keeps nearly only real openings of two characters: the next round reads
    the third character of all of them (no second test of the pair)."""
    import numpy as np

    n = len(text)
    raw = (text + "\0" * (_OPENING_CHARS + 1)).encode("utf-16-le")
    if len(raw) != 2 * (n + _OPENING_CHARS + 1):
        return None
    a = np.frombuffer(raw, dtype=np.uint16)
    spaces = op.spaces
    mask = (1 << _HASH_BITS) - 1
    idxs, hs = [], []
    for off in (0, 1):  # the pair at every position: the buffer read as 32-bit words at both alignments
        u = np.frombuffer(raw, dtype=np.uint32, count=(len(raw) - 2 * off) // 4, offset=2 * off)
        x = (u * np.uint32(_MUL_PAIR)) >> np.uint32(32 - _PAIR_BITS)
        i = op.pair.take(x).nonzero()[0]  # (`np.flatnonzero` of a 1-d array, without its Python wrapper)
        hs.append(x[i])
        idxs.append(i * 2 + off)
    idx = np.concatenate(idxs)
    # the rounds hash in intp (the pair's hash < 2**_PAIR_BITS, times _MUL_NEXT < 2**25: no overflow
    # before the mask, the same values as in uint32): `take` converts any other index type first
    h = np.concatenate(hs).astype(np.intp)
    inside = idx < n  # (the positions of the padding)
    idx, h = idx[inside], h[inside]
    starts = [idx[op.whole[2].take(h)]]
    for L in range(3, _OPENING_CHARS + 1):
        h = ((h * _MUL_NEXT) ^ spaces.take(a[L - 1:].take(idx))) & mask
        starts.append(idx[op.whole[L].take(h)])
        if L == _OPENING_CHARS:
            break
        keep = op.prefix[L].take(h)
        idx, h = idx[keep], h[keep]
        if len(idx) <= _FEW_LEFT:  # trying the tries there costs less than the rounds left
            starts.append(idx)
            break
    # (a position may be there twice, as the opening of two words: `_matches_at` tries it once)
    found = np.concatenate(starts)
    if op.single_chars:  # a word of one character (its opening cannot be longer)
        more = []
        for c in op.single_chars:
            i = text.find(c)
            while i != -1:
                more.append(i)
                i = text.find(c, i + 1)
        found = np.concatenate([found, np.array(more, dtype=found.dtype)])
    found.sort()
    capital = op.upper.take(a[found])  # the trie a position's first character opens
    return found[capital].tolist(), found[~capital].tolist()


def _trie_matches(text: str, ms: _Master):
    """The matches of `ms.rx[0].finditer(text)` and of `ms.rx[1].finditer(text)`: one iterator a
    trie, each in text order, read as they are found (not gathered into lists first).

    Each trie is tried only at the positions `_trigger_starts` keeps, in text order, going on from
    the end of its last match: as `finditer`, which tries every position. Most of the text is not
    the opening of any trigger, and the scan of `re` at every capital (and every c, t, h) cost more
    than the extraction that follows (short texts: `finditer` itself)."""
    starts = _trigger_starts(text, ms.openings) if ms.openings is not None and len(text) >= _SCAN_MIN else None
    if starts is None:
        return ms.rx[0].finditer(text), ms.rx[1].finditer(text)
    return _matches_at(text, ms, starts)


def _matches_at(text: str, ms: _Master, starts: tuple[list[int], list[int]]) -> tuple:
    """Both tries' `finditer` matches, each trie tried only at its `starts` (in text order, with
    every position where one of its matches can start), going on from the end of its last match."""
    return tuple(_matches_from(text, rx, at) for rx, at in zip(ms.rx, starts))


def _matches_from(text: str, rx, at: list[int]):
    match = rx.match
    nxt = 0
    for p in at:
        if p >= nxt:
            m = match(text, p)
            if m is not None:
                nxt = m.end()
                yield m


def _triggers(text: str) -> dict[str, list[tuple[int, int]]]:
    """category → [(start, end of the trigger word)] over the whole text, each list in text order:
    the matches of both tries (as their `finditer`: `_trie_matches`), each dispatched to its kinds."""
    ms = _master()
    hits: dict[str, list[tuple[int, int]]] = {c: [] for c in _CATEGORY_END}
    single = ms.single
    dispatch = ms.dispatch
    inner: list = []
    starts = _trigger_starts(text, ms.openings) if ms.openings is not None and len(text) >= _SCAN_MIN else None
    if starts is None:
        for found in (ms.rx[0].finditer(text), ms.rx[1].finditer(text)):
            for m in found:
                w = m.group()
                c = single.get(w)
                if c is not None:  # one kind, the whole word: the trie checked its end
                    hits[c].append(m.span())
                else:
                    _dispatch(text, m.start(), m.end(), w, hits, dispatch, ms, inner)
    else:
        # `_matches_at`, read in place (no generator between the match and its dispatch): each trie
        # tried at its starts, going on from the end of its last match
        for rx, at in zip(ms.rx, starts):
            match = rx.match
            nxt = 0
            for p in at:
                if p >= nxt:
                    m = match(text, p)
                    if m is not None:
                        nxt = m.end()
                        w = text[p:nxt]
                        c = single.get(w)
                        if c is not None:
                            hits[c].append((p, nxt))
                        else:
                            _dispatch(text, p, nxt, w, hits, dispatch, ms, inner)
    while inner:
        s, e, w = inner.pop()
        c = single.get(w)
        if c is not None:
            hits[c].append((s, e))
        else:
            _dispatch(text, s, e, w, hits, dispatch, ms, inner)
    for v in hits.values():
        v.sort()
    return hits


_SPACES = re.compile(r"\s+")


def _dispatch(text: str, s: int, e0: int, w: str, hits: dict, dispatch: dict, ms: "_Master", inner: list) -> None:
    """A trie match (text[s:e0] == w) that is not one kind's whole word: a word of several kinds,
    or one whose spacing differs from the table's, or "các …" (whose next word is a trigger of its own)."""
    if w[:3] in ("các", "Các") and w[3:4] in (" ", "\t", "\n"):
        # "Các Sở Y tế tỉnh", "các Bộ", "Các Bộ trưởng": the word after "các" is a trigger of its
        # own, which the scan (one match per position, longest first) did not report
        p = _SPACES.match(text, s + 3).end()
        # (the capitalised trie alone: a word of the other opens with no capital, and "các xã …",
        # is read by the unit list; the tries were tried in turn, the first match kept)
        im = ms.rx[0].match(text, p)
        if im and im.group(0)[:1].isupper():
            inner.append((im.start(), im.end(), im.group()))
    printed = w
    kinds = dispatch.get(w)  # (a word of the tables is single-spaced: printed so, it is its own key)
    if kinds is None:
        if " " in w or "\n" in w or "\t" in w:
            w = " ".join(w.split())  # (a trie match opens and ends with a word: `_SPACES.sub(" ", w)`)
        kinds = dispatch.get(w, ())
    for c, pre, k in kinds:
        if pre == w:
            e = e0
        elif printed == w:  # a whole-word prefix of a word printed single-spaced
            e = s + len(pre)
        else:  # a whole-word prefix: its end in the text, over its own spacing
            e = s
            for i, part in enumerate(pre.split(" ")[:k]):
                sm = _SPACES.match(text, e) if i else None
                if sm:
                    e = sm.end()
                e = text.index(part, e) + len(part)
        if ms.ends[c].match(text, e):
            hits[c].append((s, e))


def _title_case(t: str) -> str:
    """"PHÓ CHỦ TỊCH" → "Phó Chủ tịch" (the table's own spelling when it has one)."""
    low = t.lower()
    words = low.split()
    out = []
    for i, w in enumerate(words):
        out.append(w[:1].upper() + w[1:] if i == 0 or words[i - 1] == "phó" or w in {"chủ", "giám", "bộ", "thứ",
                   "thủ", "bí", "chánh", "tổng", "cục", "vụ", "trưởng"} and i == 1 else w)
    return " ".join(out)


# ---- context: the document's jurisdiction and date ------------------------------------------------
@dataclass(frozen=True)
class _Context:
    where: Jurisdiction
    on: dt.date | None
    issuer: str | None          # canonical issuer of the document
    province: str | None
    central: bool = False       # a central body's document: no local jurisdiction to complete

    def __hash__(self) -> int:
        """Hashed once: the context is the cache key of every normalisation of the document."""
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash((self.where, self.on, self.issuer, self.province, self.central))
            object.__setattr__(self, "_hash", h)
        return h


_CONTEXTS: dict["_Context", "_Context"] = {}


def _interned(ctx: _Context) -> _Context:
    """One object per distinct context: the normalisers' caches are keyed by the context, and a
    key that is the very object cached compares without the dataclass `__eq__` (by identity)."""
    got = _CONTEXTS.get(ctx)
    if got is None:
        if len(_CONTEXTS) >= 4096:
            _CONTEXTS.clear()
        _CONTEXTS[ctx] = got = ctx
    return got


@cache
def _central_names() -> frozenset[str]:
    return frozenset(fold(a.name) for a in rules.agencies() if a.level == "central")


def _context(header: Header | None, where: Jurisdiction | None) -> _Context:
    on = None
    issuer = None
    if header is not None:
        on = header.issue_date or (dt.date(header.issue_year, 6, 30) if header.issue_year else None)
        issuer = header.issuer_canonical
        if issuer is None and header.issuer:
            from .identity import canonical_issuer

            try:
                issuer = canonical_issuer(header.issuer, header.issuer_parent, header.place, on)
            except Exception:
                issuer = header.issuer
    if where is None:
        where = jurisdiction_of(issuer, header.issuer_parent if header else None) if issuer else Jurisdiction()
        try:
            from .identity import _with_province

            where = _with_province(where, on)
        except Exception:
            pass
    central = bool(issuer) and (fold(issuer) in _central_names() or fold(issuer).startswith(
        ("bộ ", "chính phủ", "thủ tướng", "quốc hội", "văn phòng chính phủ", "ủy ban thường vụ quốc hội")))
    if central and fold(issuer) not in _central_names():
        # a central body has no place: "Văn phòng Chính phủ thành phố Hà Nội" (the place of the
        # date line glued to the issuer upstream) is the Văn phòng Chính phủ
        m = _rmatch(r"(.+?)\s+(?:tỉnh|thành phố)\s+\S.*$", issuer)
        if m and fold(m.group(1)) in _central_names():
            issuer = m.group(1)
            where = Jurisdiction()
    if where.province is None and header is not None and not central:
        prov = None
        m = _rmatch(r"(?i)^(?:Ban Thường vụ |Ban Chấp hành )?(Tỉnh|Thành) ủy (.+)$", issuer or "")
        cand = [f"{'tỉnh' if m.group(1).lower() == 'tỉnh' else 'thành phố'} {m.group(2)}"] if m else []
        if header.place:
            cand += [f"tỉnh {header.place}", f"thành phố {header.place}"]
        for c in cand:
            try:
                u = _units.parse_unit(c, on) if _units else None
            except Exception:
                u = None
            if u is not None and u.level == "province":
                prov = u.name
                break
        if prov:
            where = Jurisdiction(prov, where.district, where.commune, where.own)
    return _interned(_Context(where, on, issuer, where.province, central))


# ---- ORG -------------------------------------------------------------------------------------------
_SP = r"[ \t]+"
_NAME_T = rf"(?:{_TSYL}|\d+(?![\d/.,]))(?:[ \t]+(?:{_TSYL}|\d+(?![\d/.,]))){{0,3}}(?:[ \t]*-[ \t]*{_TSYL}(?:[ \t]+{_TSYL}){{0,2}})?"
_NAME_U = rf"(?:{_USYL}|\d+(?![\d/.,]))(?:[ \t]+(?:{_USYL}|\d+(?![\d/.,]))){{0,3}}(?:[ \t]*-[ \t]*{_USYL}(?:[ \t]+{_USYL}){{0,2}})?"
_UNIT_TAIL = re.compile(
    rf"(?P<sp>\s+)(?:(?P<coll>(?:các|cấp)){_SP})?(?P<unit>{_UNIT_CI}|TP\.?|khu{_SP}vực)"
    rf"(?P<more>(?:\s*,\s*(?:cấp\s+)?(?:{_UNIT_ALT}))*(?:\s+và\s+(?:cấp\s+)?(?:{_UNIT_ALT}))?(?:\s+trực\s+thuộc\s+(?i:trung\s+ương|tỉnh))?)"
    rf"(?:{_SP}(?:đảo{_SP})?(?P<name>{_NAME_T}|{_NAME_U}))?(?P<era>{_ERA})?(?![{_LO}{_UP}])")
_UNIT_TAIL_UPPER_NL = re.compile(
    rf"(?P<sp>[ \t]*\n[ \t]*)(?P<unit>(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|THỊ TRẤN|ĐẶC KHU))"
    rf"(?:{_SP}(?P<name>{_NAME_U}))?(?![{_LO}{_UP}])")
_NAME_AFTER = re.compile(rf"{_SP}(?P<name>{_NAME_T})(?P<era>{_ERA})?(?![{_LO}{_UP}0-9])")
_IN_LAW_NAME = re.compile(r"(?:Luật|Bộ luật|Pháp lệnh|Nghị quyết)(?:[ \t]+(?!(?:do|của|thì|tại|theo|được|đã|năm|số|với|cho|để|khi|là|có|gửi|ngày)(?![\w]))[^\s,.;:()/]+){0,6}[ \t]+$")
# a cheap test before _IN_LAW_NAME: what every match of it holds (the "uật" of Luật, luật, Bộ luật),
# found by `in` in the 60 characters before a body (`re` scanning them for the three words cost more;
# tests/test_perf_entities_round3.py)
_LAW_MARKS = ("uật", "Pháp lệnh", "Nghị quyết")
_HAS_UNIT = re.compile(rf"(?i)(?<![{_LO}])(?:{_UNIT_ALT})(?![{_LO}])")
_VIET_NAM = re.compile(r"Việt Nam(?![a-zà-ỹđ])")
_UNIT_LIST = regex.compile(rf"(?<![\p{{L}}])các[ \t]+(?P<w>xã|phường|huyện|tỉnh|thị xã|đặc khu)[ \t]*:?[ \t]*"
                           rf"(?P<list>{_NAME_T}(?:[ \t]*,[ \t]*{_NAME_T})+)")
_COLON_LIST = re.compile(rf"[ \t]*:[ \t]*{_NAME_T}(?:[ \t]*,[ \t]*{_NAME_T})+")
_ERA_AT = re.compile(r"[ \t]*\((cũ|mới|Cũ|Mới|CŨ|MỚI)\)")
_PARTY_TAIL = re.compile(rf"[ \t]+(?:Tỉnh|Thành|Huyện|Thị|Đảng)[ \t]+[uủ][yỷ](?![{_LO}])(?:[ \t]+{_TSYL}(?:[ \t]+{_TSYL})?)?"
                            rf"|[ \t]+Trung[ \t]+ương(?![{_LO}])(?:[ \t]+Đảng)?")


def _era_of(text: str, end: int) -> str:
    """" (cũ)" when the text marks a unit as former ("(mới)" is dropped: the current unit is the default)."""
    c = text[end:end + 1]
    if c not in (" ", "\t", "("):
        return ""  # (what `_ERA_AT` opens with: spaces or tabs, then "(")
    if c != "(" and text[end + 1:end + 2] not in (" ", "\t", "("):
        return ""  # (one space or tab, then neither another nor "(")
    m = _ERA_AT.match(text, end)
    return " (cũ)" if m and m.group(1).lower() == "cũ" else ""




def _prev_ok(text: str, start: int) -> bool:
    """A mention starts a word: not inside a symbol (76/KH-UBND, QĐ-BYT) or another word."""
    if start == 0:
        return True
    c = text[start - 1]
    return not (c.isalnum() or c in "-/&._'’")


_NUMBERED = re.compile(r"[ \t]+số[ \t]+\d{1,2}(?![\d/])")
_CONJ = re.compile(rf"(?:{_TSYL}(?:[ \t]+{_LSYL})?|[{_UP}][{_UP}&]+)")
_CONJ_UPPER = re.compile(rf"{_USYL}(?:[ \t]+{_USYL}){{0,4}}")
_VU_COMPOUNDS = frozenset("nhiệm phục dịch chức nghiệp nghĩa thời mùa sự vụ".split())
_ASSOC_HEADS = ("hội", "hiệp hội", "tập đoàn", "tổng công ty")

_WS4 = re.compile(r"[ \t]{1,4}")
_CAP_UNIT = re.compile(r"(?:Thành[ \t]+phố|Tỉnh|Huyện|Quận|Thị[ \t]+xã|Thị[ \t]+trấn|Xã|Phường|TP)(?![\w])")
_SEP = re.compile(rf"[ \t]*(?:,|-|–|&)[ \t]*|[ \t]+(?:và|VÀ)[ \t]+|[ \t]+(?=[{_UP}])")


@cache
def _known_field_re() -> re.Pattern:
    """A field abbreviation, else a known field, at a position: `field_abbr_re` then `fields_re`
    as one alternation (the first alternative is tried first, as the first pattern was), one call."""
    t = _tables()
    return re.compile(f"(?:{t.field_abbr_re.pattern})|(?i:{t.fields_re.pattern})")  # (the fields' case as theirs)


def _field_at(text: str, pos: int, upper: bool, known_only: bool = False) -> int | None:
    """End of a field name starting at `pos` (just after the head and its space), or None."""
    m = _known_field_re().match(text, pos)
    if m:
        return m.end()
    if known_only:
        return None
    t = _tables()
    # generic: conjuncts that open with a capital, each with at most one lower-case syllable
    # (the second syllable of a compound word: "Xây dựng", "Xúc tiến"), joined by "và", "," or "-";
    # a capital after a plain space continues a proper name and takes no lower-case syllable
    conj = _CONJ_UPPER if upper else _CONJ
    end = None
    p = pos
    first = True
    plain = False
    while True:
        m = conj.match(text, p)
        if not m:
            break
        word = text[m.start():m.end()]
        if plain and _CAP_UNIT.match(text, m.start()):
            break  # "Ban QLDA ĐTXD Thành phố": the unit of the name, read by the unit tail
        if plain and not upper and " " in word.strip():
            word = word.split()[0]
        if not upper and word.count(" ") == 1:
            second = word.split()[1]
            if second in t.stop:
                word = word.split()[0]
        if first and word.split()[0].lower() in t.stop and not word[0].isupper():
            break
        if (upper or word.isupper()) and not _FUNC_WORDS.isdisjoint(word.lower().split()):
            # "CHỨC VỤ CỦA NGƯỜI KÝ": a function word ends an upper-case name (the words of a
            # conjunct are split by spaces and tabs only: `split` finds one when the scan would)
            cut = next((w.start() for w in _rfinditer(r"\S+", word) if w.group(0).lower() in _FUNC_WORDS), None)
            if cut is not None:
                word = word[:cut].rstrip()
                if not word:
                    break
        end = m.start() + len(word)
        first = False
        sep = _SEP.match(text, end, end + 8)
        if not sep:
            break
        nxt = sep.end()
        if text[nxt:nxt + 1] not in _CAPITALS:
            break
        if t.title_re.match(text, nxt):
            break  # "Thanh tra Cơ yếu, Chánh Thanh tra …": the next item is a post, not a conjunct
        plain = not sep.group(0).strip()
        if plain and _PARTY_TAIL.match(text, end):
            break
        # a capital after a plain space may open a name that is not the field ("Sở Y tế Quảng Ngãi"):
        # continue only through "và", ",", "-" or another capitalised syllable of the same name
        p = nxt
    return end


@cache
def _field_more() -> re.Pattern:
    """What can follow a field name and still be part of the body: a superset, in one test, of
    the four read after it (`_NUMBERED`, `_PARTY_TAIL`, `_unit_tail` with `_UNIT_TAIL` or
    `_ALL_LEVELS`, a province of `prov_re` after one space); when it does not match, none of them
    does and the body ends with its field ("Sở Y tế chủ trì")."""
    firsts = sorted({n[0] for n in _prov_names()})
    return re.compile(rf"[ \t]+số[ \t]+\d|[ \t]+(?:Tỉnh|Thành|Huyện|Thị|Đảng)[ \t]+[uủ][yỷ]|[ \t]+Trung[ \t]+ương"
                      rf"|\s+(?:(?:các|cấp){_SP})?(?:{_UNIT_CI}|TP|khu{_SP}vực)|[ \t]+các[ \t]+cấp"
                      rf"| (?:{'|'.join(map(re.escape, firsts))})")


_XA_HOI = regex.compile(r"\s*h[ộo]i", regex.I)
_DIGITS = regex.compile(r"[\d ]+")
_ALL_LEVELS = re.compile(r"(?P<sp>[ \t]+)(?P<coll>các)[ \t]+(?P<unit>cấp)(?P<more>)(?P<name>)(?P<era>)(?![\w])")


def _unit_tail(text: str, pos: int, upper: bool, allow_newline: bool = False):
    if not text[pos:pos + 1].isspace():
        return None  # (the three patterns open with whitespace: `\s+`, `[ \t]+`, `[ \t]*\n`)
    m = _UNIT_TAIL.match(text, pos)
    if m is None and not upper:
        m = _ALL_LEVELS.match(text, pos)  # "Ủy ban nhân dân các cấp"
        if m:
            return m.start(), m.end(), m
    if m and "\n" in m.group("sp") and not allow_newline:
        m = None
    if m is None and allow_newline:
        m = _UNIT_TAIL_UPPER_NL.match(text, pos)
    if not m:
        return None
    # "xã hội" (society) is not the unit xã ("Bảo hiểm xã hội"): the unit word is followed by a
    # name, a list of units, a "(cũ)" or ends the name
    unit = fold(m.group("unit"))
    name = m.group("name")
    if unit == "xã" and name is None and _XA_HOI.match(text[m.end("unit"):m.end("unit") + 6]):
        return None
    if name and upper != name.isupper() and not _DIGITS.fullmatch(name):
        # "UBND tỉnh QUẢNG" mixed: keep the unit without the name
        return m.start(), m.end("unit"), m
    if name and not m.group("more"):
        keep = _place_keep(m.group("unit"), name)
        if keep < len(name):
            end = m.start("name") + keep
            if keep == 0:
                end = m.end("unit")
            return m.start(), end, m
    if m.group("era"):  # "(cũ)" stays outside the span; the normalised form keeps it
        return m.start(), m.start("era"), m
    return m.start(), m.end(), m


_COMMUNE_WORDS = {"phường", "quận"}


@lru_cache(maxsize=16384)
def _place_keep(unit: str, name: str) -> int:
    """How much of `name` after the unit word is the place: the longest prefix the unit data knows
    ("tỉnh Quảng Ngãi Khóa XIII" → "Quảng Ngãi"); unknown names keep two syllables; a number only
    after a commune-level word ("phường 3", not "UBND tỉnh 2 lần")."""
    word = fold(unit)
    toks = list(_rfinditer(r"\S+", name))
    if not toks:
        return 0
    if toks[0].group(0).isdigit() and word not in _COMMUNE_WORDS:
        return 0
    if len(toks) <= 1:
        return len(name)
    if _units is not None:
        for k in range(len(toks), 0, -1):
            part = name[:toks[k - 1].end()].rstrip(" -")
            try:
                if _units.parse_unit(f"{word} {part}") is not None:
                    return len(part)
            except Exception:
                break
    if word in ("tỉnh",) or toks[0].group(0) in _tables().surnames and len(toks) >= 3:
        return 0  # every province is known; "tỉnh Võ Thị Thanh Hà" is a body and a signer
    if len(toks) > 2:
        return toks[1].end() if toks[1].group(0) != "-" else toks[0].end()
    return len(name) if toks[-1].group(0) != "-" else toks[0].end()


@dataclass(slots=True)
class _Org:
    start: int
    end: int
    raw: str
    collective: bool = False
    canonical_hint: str | None = None  # expansion built while reading (heads, abbreviations)
    organ: str | None = None           # "Thường trực", "Văn phòng" … of the body `inner`
    inner: "_Org | None" = None
    era: str = ""                      # " (cũ)" printed after the name
    fixed: bool = False                # a body of one name (Chính phủ, Bộ Chính trị): the canonical as is


@lru_cache(maxsize=4096)
def _head_info(head_txt: str) -> tuple | None:
    """What `_org_at` reads from the head as printed, once per spelling: (the body a symbol
    abbreviation names or None, the head of the table, whether in upper case, its folded canonical
    form); None when the head is no body's ("Tt" is not TT, a lower-case "bộ")."""
    t = _tables()
    upper = head_txt.isupper() and len(head_txt) > 3 and not head_txt.isascii()
    if head_txt in t.symbol_orgs:
        return t.symbol_orgs[head_txt], None, upper, None
    h = t.heads_raw.get(head_txt) or t.heads.get(fold(head_txt))
    if h is None:
        return None
    if h.head.isupper() and not head_txt.isupper():
        return None  # "Tt" is not TT
    if not upper and not head_txt[:1].isupper():
        return None
    return None, h, upper, fold(h.canonical)


def _org_at(text: str, start: int, end: int, depth: int = 0) -> _Org | None:
    """Read an organisation whose head spans text[start:end]."""
    t = _tables()
    head_txt = text[start:end]
    info = _head_info(head_txt)
    if info is None:
        return None
    name, h, upper, hc = info
    if name is None:
        grammar = h.grammar
    else:
        # "BYT" alone; "VPUB" (+ unit)
        if name.startswith("Văn phòng"):
            tail = _unit_tail(text, end, False)
            e = tail[1] if tail else end
            return _Org(start, e, text[start:e], False, name + text[end:e])
        return _Org(start, end, head_txt, False, name)
    if grammar != "field":  # (the other grammars each return in their branch)
        if grammar == "fixed":
            return _Org(start, end, head_txt, False, h.canonical, None, None, "", True)
        if grammar == "unit":
            ab = _INSERTED_ABBR.match(text, end) if text[end:end + 2] in _PAREN_OPENINGS or text[end:end + 1] == "(" else None
            if ab:  # "Bảo hiểm xã hội (BHXH) Việt Nam": an inserted abbreviation is inside the one span
                m = _unit_tail(text, ab.end(), upper) or _NAME_AFTER.match(text, ab.end())
                if m is not None:
                    e = m[1] if isinstance(m, tuple) else m.end()
                    if isinstance(m, tuple) or fold(m.group("name")) == "việt nam":
                        return _Org(start, e, text[start:e], False, head_txt + text[ab.end():e], None, None,
                                    _era_of(text, e))
            tail = _unit_tail(text, end, upper, allow_newline=upper)
            if tail:
                _s, e, m = tail
                coll = bool(m.group("coll") in ("các", "cấp") or m.group("more"))
                lm = _COLON_LIST.match(text, e) if m.group("coll") == "các" and not m.group("name") else None
                if lm:  # "UBND các xã: Đức Trọng, Hiệp Thạnh, Đinh Văn Lâm Hà"
                    e = lm.end()
                return _Org(start, e, text[start:e], coll, None, None, None, _era_of(text, e))
            # a name without a unit word: "Bảo hiểm xã hội Việt Nam", "Công an Thành phố Hồ Chí Minh"
            m = _NAME_AFTER.match(text, end)
            if m and fold(m.group("name")) in {"việt nam"}:
                return _Org(start, m.end(), text[start:m.end()])
            if h.alone:
                return _Org(start, end, head_txt)
            return None
        if grammar == "organ" or grammar == "party":
            # an organ of the body named next: "Thường trực HĐND tỉnh", "Văn phòng UBND tỉnh",
            # "Ban Thường vụ Tỉnh ủy", "Đảng ủy UBND tỉnh"
            m = _WS4.match(text, end)
            if m and depth < 2:
                p = m.end()
                hm = t.head_re.match(text, p)
                if hm and _prev_ok(text, p):
                    inner = _org_at(text, p, hm.end(), depth + 1)
                    if inner is not None and (grammar == "organ" or
                                              t.heads.get(fold(text[p:hm.end()]), h).grammar != "field"):
                        return _Org(start, inner.end, text[start:inner.end], inner.collective, None, h.canonical, inner)
            if grammar == "party":
                tail = _unit_tail(text, end, upper)
                if tail:
                    return _Org(start, tail[1], text[start:tail[1]])
                m = _NAME_AFTER.match(text, end)
                if m and not _is_person_start(m.group("name")):
                    nm = m.group("name")
                    words = nm.split()
                    # a place name of one or two syllables: "Tỉnh ủy Lâm Đồng"
                    keep = " ".join(words[:3]) if len(words) <= 3 else " ".join(words[:2])
                    e = end + m.start("name") - m.start() + len(keep)
                    return _Org(start, e, text[start:e])
                return _Org(start, end, head_txt) if h.alone else None
            if _TM_BEFORE.search(text[max(0, start - 6):start]):
                return _Org(start, end, head_txt, False, None, h.canonical)  # "TM. BAN THƯỜNG VỤ": of the issuer
            return _Org(start, end, head_txt) if h.alone else None
        if grammar == "name":
            m = _NAME_AFTER.match(text, end)
            if m:
                e = m.end()
                lm = _SECOND_SYL.match(text, e) if " " not in m.group("name").strip() and not m.group("era") else None
                if lm and lm.group(1) not in t.stop:  # "Báo Đấu thầu", "Báo Nhân dân": a one-word name
                    e = lm.end()
                return _Org(start, e, text[start:e])
            return _Org(start, end, head_txt) if h.alone else None
    # field
    if hc == "vụ" and start and text[start - 1] in " \t":
        prev = text[max(0, start - 12):start].split()
        if prev and fold(prev[-1]) in _VU_COMPOUNDS:
            return None  # "NHIỆM VỤ", "DỊCH VỤ CÔNG", "CHỨC VỤ CỦA NGƯỜI KÝ": a word, not a department
    m = _WS4.match(text, end)
    if not m:
        lm = _FIELD_LIST_AT.match(text, end)
        if lm and not _CAC_BEFORE.search(text, max(0, start - 6), start):
            lm = None
        if lm:  # "các Sở: Y tế, Tài chính, Kế hoạch và Đầu tư, Nội vụ": one body per field, one span
            p, fe = lm.end(), None
            while True:
                f = _field_at(text, p, upper, known_only=True)
                if f is None:
                    break
                fe = f
                sep = _LIST_SEP.match(text, fe)
                if not sep:
                    break
                p = sep.end()
            if fe is not None and p != lm.end():
                return _Org(start, fe, text[start:fe], True)
        return None
    p = m.end()
    # a body right after the head: "Thanh tra Bộ Công an", "Văn phòng Chính phủ"
    if depth < 2 and hc in ("thanh tra", "văn phòng", "ban", "hội đồng"):
        hm = t.head_re.match(text, p)
        if hm:
            inner = _org_at(text, p, hm.end(), depth + 1)
            if inner is not None and t.heads.get(fold(text[p:hm.end()])) is not None and (
                    t.heads[fold(text[p:hm.end()])].grammar in ("fixed", "unit", "party")
                    or fold(text[p:hm.end()]) in ("bộ", "cục", "tổng cục")):
                return _Org(start, inner.end, text[start:inner.end], inner.collective, None, h.canonical,
                            inner, inner.era)
    fe = _field_at(text, p, upper, known_only=hc == "bộ")
    if hc in _ASSOC_HEADS and not upper:
        # an association is named by its scope: "Hiệp hội rau quả Đà Lạt", "Hội Y học giấc ngủ Việt Nam"
        ae = _assoc_tail(text, fe if fe is not None and text[p].isupper() else end)
        if ae is not None:
            return _Org(start, ae, text[start:ae])
    if fe is None:
        return None
    if hc in ("công ty", "tổng công ty", "tập đoàn"):
        # "Công ty TNHH Tập đoàn Sơn Hải", "Cty TNHH MTV Thoát nước HN": the name after the form
        nm = _COMPANY_NAME.match(text[fe:fe + 120])
        if nm:
            got = nm.group(0)
            last = got.split()[-1] if got.split() else ""
            if last in t.stop:
                got = got[: got.rfind(last)].rstrip()
            fe += len(got)
    field_txt = text[p:fe]
    ft = fold(field_txt)
    if ft in _NOT_FIELDS:
        return None
    if hc == "hội" and fold(field_txt.split()[0]) in _EVENT_WORDS:
        return None  # "HỘI NGHỊ …", "Hội thảo", "Hội trường": an event or a hall, not an association
    if field_txt[:1].islower() and not upper and (
            hc in ("hội", "hiệp hội", "bộ", "tập đoàn", "tổng công ty")
            or field_txt.split()[0] in _STOP and _CAC_BEFORE.search(text, max(0, start - 6), start)):
        # "Các Hội vận động hội viên", "các Bộ quản lý ngành", "các Ban xây dựng kế hoạch": a verb
        # or a common noun, not a name (associations and ministries are named with a capital)
        return None
    if head_txt in t.surnames and _looks_like_given_names(field_txt):
        return None  # "Đoàn Thị Bích Thủy" is a person
    if ft == "chỉ đạo" and hc == "ban":
        de = _steering_desc(text, fe)
        if de is not None:  # "Ban Chỉ đạo công tác chăm sóc sức khỏe Nhân dân huyện Bình Sơn"
            return _Org(start, de, text[start:de], False, None, None, None, _era_of(text, de))
    if not text[fe:fe + 1].isspace() or not _field_more().match(text, fe):
        # "Sở Y tế;", "Bộ Tài chính,", "Sở Y tế chủ trì": nothing more follows the name
        return _Org(start, fe, text[start:fe], False, None, None, None, _era_of(text, fe))
    num = _NUMBERED.match(text, fe)
    if num:  # "Ban Quản lý dự án đầu tư xây dựng số 1"
        fe = num.end()
    e = fe
    coll = False
    pm = _PARTY_TAIL.match(text, fe)
    if pm:  # "Ban Tuyên giáo Tỉnh ủy", "Ban Tổ chức Trung ương"
        e = pm.end()
        return _Org(start, e, text[start:e], False, None, None, None, _era_of(text, e))
    tail = _unit_tail(text, fe, upper)
    if tail:
        e = tail[1]
        coll = tail[2].group("coll") in ("các", "cấp") or bool(tail[2].group("more"))
    else:
        # a place name right after: "Báo Quảng Ngãi", "Sở Y tế Lâm Đồng" (rare)
        pm = t.prov_re.match(text, fe + 1) if text[fe:fe + 1] == " " else None
        if pm:
            e = pm.end()
    return _Org(start, e, text[start:e], coll, None, None, None, _era_of(text, e))


# the name after a company's form ("Công ty TNHH" + " Tập đoàn Sơn Hải"), compiled with the module
_COMPANY_NAME = regex.compile(rf"[ \t]+(?:{_TSYL}(?:[ \t]+{_LSYL})?|[{_UP}]{{2,}})(?:[ \t]+(?:{_TSYL}(?:[ \t]+{_LSYL})?|[{_UP}]{{2,}}))*")
_ASSOC_TAIL = re.compile(rf"((?:[ \t]+{_LSYL}){{1,4}})[ \t]+(?P<place>{_TSYL}(?:[ \t]+{_TSYL}){{0,2}})")


def _assoc_tail(text: str, pos: int) -> int | None:
    """End of an association's name read on from `pos` through a few lower-case syllables (its
    field) to the place that is its scope: " rau quả Đà Lạt", " giấc ngủ Việt Nam"; None when the
    lower-case words are a verb phrase or no place follows."""
    p = pos
    for _ in range(4):  # "Hiệp hội Bất động sản tỉnh Lâm Đồng": the field, then a unit and its name
        w = _DESC_WORD.match(text, p)
        if not w or not w.group(1).islower() or w.group(1) in _STOP:
            break
        p = w.end()
        tail = _unit_tail(text, p, False)
        if tail and tail[2].group("name"):
            return tail[1]
    m = _ASSOC_TAIL.match(text, pos)
    if not m or any(w in _STOP for w in m.group(1).split()):
        return None
    words = m.group("place").split()
    for k in range(len(words), 0, -1):
        name = " ".join(words[:k])
        if fold(name) == "việt nam" or fold(name) in _province_keys() or (
                k >= 2 and _units is not None and _safe_unit(name) is not None):
            mm = _rmatch(r"[ \t]+".join(regex.escape(w) for w in words[:k]), text[m.start("place"):m.start("place") + 80])
            return m.start("place") + mm.end()
    return None


@lru_cache(maxsize=4096)
def _safe_unit(name: str):
    try:
        return _units.parse_unit(name)
    except Exception:
        return None


_DESC_WORD = re.compile(rf"[ \t]+({_LSYL}|{_TSYL})")
_CLAUSE_END = re.compile(r"[ \t]*(?:[;(\n]|\.(?:\s|$)|$)")


def _steering_desc(text: str, pos: int) -> int | None:
    """End of a steering committee's description after "Ban Chỉ đạo": the words up to its unit
    ("… công tác chăm sóc sức khỏe Nhân dân huyện Bình Sơn") or, in a list line, to the end of the
    item ("… Đổi mới và Phát triển doanh nghiệp;"). None when a verb or a function word comes first
    ("Ban Chỉ đạo xây dựng báo cáo", "Ban Chỉ đạo Trung ương về …": the name stays short)."""
    p, n, prev_cap = pos, 0, False
    while n < 10:
        if n:
            tail = _unit_tail(text, p, False)
            if tail and tail[2].group("name"):
                return tail[1]
            if _CLAUSE_END.match(text, p):
                return p if n <= 8 else None
        m = _DESC_WORD.match(text, p)
        if not m:
            return None
        w = m.group(1)
        if w in _STOP and not prev_cap and not (w == "và" and _rmatch(rf"[ \t]+[{_UP}]", text[m.end():m.end() + 2])):
            return None  # a verb or a function word ("triển" of "Phát triển" is the compound's second syllable)
        p, n, prev_cap = m.end(), n + 1, w[:1].isupper()
    return None


_TM_BEFORE = regex.compile(r"(?:TM|T/M)\.?[ \t]*$")  # "TM. BAN THƯỜNG VỤ" (searched in the 6 characters before)
# what `_INSERTED_ABBR` opens with: "(", or a space or a tab followed by another or by "("
_PAREN_OPENINGS = frozenset(a + b for a in " \t" for b in " \t(")
_INSERTED_ABBR = re.compile(r"[ \t]*\([A-ZĐ][A-ZĐ&]+\)(?=[ \t])")
_SECOND_SYL = re.compile(rf"[ \t]+({_LSYL})(?![{_UP}{_LO}0-9])")
_OF_MINISTRY = re.compile(r"[ \t]*[-–][ \t]*|[ \t]+(?:thuộc|của)[ \t]+")
_FUNC_WORDS = frozenset("""của về tại theo để trong với cho là có được đã sẽ đang các những này đó thì khi nếu
đến từ ở do vì mà""".split())
_EVENT_WORDS = frozenset("nghị thảo thi diễn chợ đàm trường ý chẩn".split())
_CAC_BEFORE = regex.compile(r"(?<![\p{L}])[Cc]ác[ \t]+$")
_FIELD_LIST_AT = re.compile(r"[ \t]*:[ \t]*")
_LIST_SEP = re.compile(r"[ \t]*,[ \t]*|[ \t]+và[ \t]+")


# a field head followed by these is not a body ("Ban hành", "Phòng, chống", "Bộ luật")
_NOT_FIELDS = {fold(x) for x in ("BHYT", "BHXH", "luật", "Luật", "Tiêu chí", "tiêu chí", "hành", "chỉ số", "Chỉ số", "quy tắc", "Quy tắc",
                                 "Quy chế", "Quy định", "Hướng dẫn", "Kế hoạch", "Nghị quyết", "Tài liệu", "Phụ lục",
                                 "Luật Dân sự", "Luật Hình sự", "Luật Lao động")}


_MIDDLE = frozenset("Thị Văn Đức Ngọc Hữu Minh Thanh Quang Xuân Thành Hồng Kim Công Đình Quốc Anh Tiến Trọng Duy Mạnh".split())


def _looks_like_given_names(field: str) -> bool:
    words = field.split()
    return bool(words) and words[0] in _MIDDLE and all(w[:1].isupper() for w in words) and len(words) <= 3


def _is_person_start(name: str) -> bool:
    first = name.split()[0]
    return first in _tables().surnames and len(name.split()) >= 3


def _expand_field_abbr(raw: str) -> str:
    t = _tables()
    return t.field_abbr_re.sub(lambda m: t.field_abbr[_norm_abbr(m.group(0), t.field_abbr)], raw)


def _norm_abbr(s: str, table: dict[str, str]) -> str:
    if s in table:
        return s
    s2 = _rsub(r"\s+", " ", s)
    return s2 if s2 in table else next(k for k in table if _rsub(r"\s+", "", k) == _rsub(r"\s+", "", s))


def _org_key(o: _Org) -> tuple:
    """What `_org_norm` reads of a body (its span aside), the body it is an organ of included."""
    return (o.raw, o.canonical_hint, o.collective, o.organ, o.era, o.fixed, None if o.inner is None else _org_key(o.inner))


def _org_norm(o: _Org, ctx: _Context) -> str:
    n = _org_norm0(o, ctx)
    if o.era and not n.endswith(o.era.strip()):
        n += o.era
    return n


def _org_norm0(o: _Org, ctx: _Context) -> str:
    if o.fixed and o.canonical_hint:
        return o.canonical_hint
    if o.organ and o.inner is not None:
        inner = _org_norm(o.inner, ctx)
        return f"{o.organ} {inner.removesuffix(o.era)}" if o.era else f"{o.organ} {inner}"
    if o.organ and o.inner is None:
        return f"{o.organ} {ctx.issuer}" if ctx.issuer else o.organ
    if o.canonical_hint and fold(o.canonical_hint).startswith("văn phòng ủy ban nhân dân") and \
            fold(o.canonical_hint) == "văn phòng ủy ban nhân dân" and ctx.issuer and \
            fold(ctx.issuer).startswith("ủy ban nhân dân"):
        return f"Văn phòng {ctx.issuer}"
    return _normalize_org(o.raw, o.canonical_hint, o.collective, ctx)


@lru_cache(maxsize=16384)
def _org_base(raw: str, hint: str | None) -> tuple[str, str | None]:
    """What `_normalize_org` reads of a name whatever the document: the name with single spaces,
    modern tones and its field abbreviations spelled out; and, when it is a bare body whose head
    reads a unit ("TM. ỦY BAN NHÂN DÂN"), that head's folded canonical form. Once per name in a
    worker (the documents' contexts differ, their names repeat)."""
    base = hint or raw
    base = canonical_tone(one_space(base)).strip(" ,;.")
    base = _expand_field_abbr(base)
    bare = None
    heads = _tables().heads
    if base.isupper() or fold(base) in heads and heads[fold(base)].alone and not hint:
        h = heads.get(fold(base))
        if h and h.grammar == "unit":
            bare = fold(h.canonical)
    return base, bare


@lru_cache(maxsize=16384)
def _normalize_org(raw: str, hint: str | None, collective: bool, ctx: _Context) -> str:
    """An organisation as written → its full name with its jurisdiction."""
    base, bare = _org_base(raw, hint)
    if bare is not None and ctx.issuer and fold(ctx.issuer).startswith(bare):
        # a bare body of the signature block ("TM. ỦY BAN NHÂN DÂN") is the issuer itself
        return ctx.issuer
    if collective:
        if base.isupper():
            name = display_name(base)
        elif " của " in base:  # "các Ban của Đảng": the owner stays as printed
            a, b = base.split(" của ", 1)
            name = f"{_expand_heads(a)} của {b}"
        else:
            name = _expand_heads(base)
        if name.startswith("Các"):
            name = _rsub(r"^Các(?=\s)", "các", name)
        name = name.replace(": ", " ").replace(":", " ")
        if not name.startswith("các ") and _rmatch(r"(?i)(?:sở|bộ)\s*,", name):
            name = "các " + name
        # a bare unit word at the end is the document's own: "các Sở, ban, ngành Thành phố"
        m = _rsearch(r"\s+(tỉnh|Tỉnh|thành phố|Thành phố|TP|huyện|xã)$", name) if name.rstrip("\n").endswith(
            ("tỉnh", "Tỉnh", "thành phố", "Thành phố", "TP", "huyện", "xã")) else None  # (what a match ends with)
        if m:
            unit = {"tp": "thành phố"}.get(fold(m.group(1)), fold(m.group(1)))
            lvl = ctx.where.level(unit)
            if lvl:
                name = name[: m.start()] + " " + lvl
        if fold(name).endswith("trực thuộc tỉnh ủy") and ctx.province:
            name += " " + ctx.province.split(" ", 1)[1]
        return name
    name = _expand_heads(base)
    try:
        name = resolve_issuer(name, ctx.where) or name
    except Exception:
        pass
    try:
        c = Citation(mention=raw, start=0, end=0, cited_issuer=name, cited_issuer_raw=raw, cited_date=ctx.on)
        name = _identity().canonical_cited_issuer(c, ctx.where, ctx.on) or name
    except Exception:
        pass
    name = one_space(name).strip()
    lowest = ctx.where.commune or ctx.where.district
    if lowest and not _HAS_UNIT.search(name) and fold(name).startswith(("phòng ", "trạm ", "công chức ")):
        name = f"{name} {lowest}"  # a commune's (or district's) own office
    return _complete_party(name, ctx)


@cache
def _identity():
    """The module `identity` (imported late: it imports this package); its function is looked up
    on each call, as the `from … import` inside the function did."""
    from . import identity

    return identity


def _place_name(unit: str | None) -> str | None:
    """"tỉnh Lâm Đồng" → "Lâm Đồng"."""
    if not unit:
        return None
    m = _rmatch(rf"(?i)^(?:{_UNIT_ALT})\s+(.+)$", unit)
    return m.group(1) if m else None


def _complete_party(name: str, ctx: _Context) -> str:
    """"Thành ủy" (a Hà Nội document) → "Thành ủy Hà Nội"; "Ban Dân vận Tỉnh ủy" → "… Tỉnh ủy Bình Thuận";
    "Mặt trận Tổ quốc Việt Nam" in a provincial document → "… tỉnh …"."""
    prov = ctx.province
    if " ủy" in name:  # (what both patterns hold: most names hold neither, and are not searched)
        pname = _place_name(prov)
        m = _rsearch(r"(?<![\p{L}])(Tỉnh|Thành) ủy$", name)
        if m and pname:
            return f"{name} {pname}"
        m = _rsearch(r"(?<![\p{L}])(Huyện|Thị) ủy$", name)
        if m and ctx.where.district:
            return f"{name} {_place_name(ctx.where.district)}"
    if fold(name) in ("mặt trận tổ quốc việt nam", "ủy ban mặt trận tổ quốc việt nam") and \
            ctx.issuer and not fold(ctx.issuer).startswith(("chính phủ", "bộ ", "quốc hội", "thủ tướng")):
        lowest = ctx.where.commune or ctx.where.district or prov
        if lowest:
            return f"{name} {lowest}"
    return name


@cache
def _head_expand_re() -> tuple[regex.Pattern, dict[str, str]]:
    table = {}
    for h in rules.entity_org_heads():
        for v in sorted(_variants(h.head)):
            table.setdefault(v, h.canonical)
    # the heads as one character trie (longest first on each path, as the alternation of the heads
    # sorted longest first that it replaces: `regex` tried each of them at every position)
    trie = _trie(sorted(table, key=lambda x: (-len(x), x)))
    return regex.compile(rf"(?<![\p{{L}}\d]){trie}(?![\p{{L}}\d])"), {fold(k): v for k, v in table.items()}


@lru_cache(maxsize=16384)
def _expand_heads(name: str) -> str:
    """The heads of `name` spelled out (a pure function of the name: once per name in a worker)."""
    if name.isupper() and " " in name.strip():
        return display_name(name)
    rx, table = _head_expand_re()
    return rx.sub(lambda m: table.get(fold(m.group(0)), m.group(0)), name)


# ---- LOC -------------------------------------------------------------------------------------------
_LOC_NAME = re.compile(rf"(?P<name>{_NAME_T}|{_NAME_U})(?P<era>{_ERA})?(?![{_LO}{_UP}])")


@lru_cache(maxsize=16384)
def _normalize_loc(raw: str, ctx: _Context) -> tuple[str, str | None]:
    """A place as written → (its display name valid on the date, its path: unit, district, province)."""
    text = one_space(raw).strip()
    text = _rsub(r"(?i)^(huyện|thị xã|thành phố)\s+đảo\s+", r"\1 ", text)
    if _units is None:
        return text, None
    u = None
    try:
        within = ctx.province
        u = _units.parse_unit(text, ctx.on, within) or _units.parse_unit(text, ctx.on)
    except Exception:
        u = None
    if u is None:
        word = _rmatch(rf"(?i)({_UNIT_ALT})\s+(.*)$", text)
        if word:
            return f"{word.group(1).lower()} {word.group(2)}", None
        return text, None
    path = ", ".join(x for x in (u.name, u.district, u.province if u.level != "province" else None) if x)
    return _fix_qu(u.name), _fix_qu(path)


_QU = regex.compile(r"([Qq])([úùủũụ])([yY])")
_Y_TONE = {"ú": "ý", "ù": "ỳ", "ủ": "ỷ", "ũ": "ỹ", "ụ": "ỵ"}


def _fix_qu(s: str | None) -> str | None:
    """"Phú Qúy" → "Phú Quý": after q the u is part of the consonant and the tone sits on y
    (the modern-placement rule of clean.canonical_tone does not know that)."""
    if not s:
        return s
    return _QU.sub(lambda m: m.group(1) + "u" + (_Y_TONE[m.group(2)] if m.group(3) == "y" else _Y_TONE[m.group(2)].upper()), s)


# ---- PER -------------------------------------------------------------------------------------------
_NAME_RUN = re.compile(rf"{_TSYL}(?:[ \t]+{_TSYL}){{0,4}}")
_SYLLABLE = re.compile(r"[^ \t]+")
_TITLE_WORDS = {"phó", "chủ", "giám", "bộ", "thứ", "bí", "chánh", "trưởng", "tổng", "cục", "vụ", "thủ", "tỉnh", "huyện",
                "đại", "thiếu", "trung", "thượng", "ủy", "uỷ", "hiệu", "viện", "kế", "chuyên", "lãnh", "các",
                "ban", "sở", "phòng", "văn", "đoàn", "giáo", "bác", "trạm", "công", "thường", "thư", "tổ", "người"}


def _person_name(text: str, pos: int, cue: bool) -> tuple[int, int] | None:
    """A person's name starting at `pos`: (start, end) or None."""
    t = _tables()
    m = _NAME_RUN.match(text, pos)
    if not m:
        return None
    words = m.group(0).split()
    # stop before a title, a unit word or an organisation inside the run ("Duệ Phó Chánh …")
    keep = []
    for i, w in enumerate(words):
        lw = w.lower()
        if i > 0 and (lw in _TITLE_WORDS and not (lw == "văn" and i == 1)) and w not in t.surnames | {"Thị", "Văn"}:
            break
        keep.append(w)
    words = keep
    if not words:
        return None
    first = words[0]
    if cue:
        if first.lower() in _TITLE_WORDS and first not in t.surnames:
            return None
        if len(words) > 4:
            words = words[:4]
    else:
        if first not in t.surnames or len(words) < 2:
            return None
        if len(words) > 5:
            return None
    # the end over the run's own spacing (tabs, several spaces): the end of its len(words)-th
    # syllable; as if single-spaced when that is more than 200 characters on (the name was looked
    # for within 200 characters)
    run = m.group(0)
    if len(words) == len(run.split()):
        end = m.end()
    else:
        end = pos + next(itertools.islice(_SYLLABLE.finditer(run), len(words) - 1, None)).end()
    if end - pos > 200:
        end = pos + len(" ".join(words))
    return pos, end


def _looks_like_place(name: str, ctx: _Context) -> bool:
    if fold(name) in _province_keys():
        return True
    if _units is None:
        return False
    try:
        u = _units.parse_unit(name, ctx.on, ctx.province)
    except Exception:
        u = None
    return u is not None


@cache
def _province_keys() -> frozenset[str]:
    return frozenset(fold(r[0]) for r in rules.provinces()) | frozenset(fold(r[4]) for r in rules.provinces() if r[4])


def _line_bounds(text: str, s: int, e: int) -> tuple[str, str]:
    ls = text.rfind("\n", max(0, s - 200), s) + 1 if s else 0
    if ls == 0 and s > 200:
        ls = s - 200
    le = text.find("\n", e, e + 200)
    le = le if le != -1 else min(len(text), e + 200)
    return text[ls:s], text[e:le]


# ---- the finder ------------------------------------------------------------------------------------
_AFTER_CAPITAL = regex.compile(r"(?r)(?:[\p{Lu}][\p{L}]*|\)|ông|bà)[ \t]*[:\-–,]?[ \t]*$")
_PRIORITY = {"ORG": 4, "LOC": 3, "TITLE": 2, "PER": 1}
_QUOC_HIEU = regex.compile(r"(?P<qh>C[ỘO]NG\s+H[\p{L}]{1,3}\s+X[ÃA]\s+H[ỘO]I\s+CH[ỦU]\s+NGH[ĨI]A\s+VI[ỆE]T(?:\s+NAM)?)|"
                           r"Độc\s+lập\s*[-–]\s*Tự\s+do\s*[-–]\s*Hạnh\s+phúc", regex.IGNORECASE)
_MAX_CHARS = 8_000_000
# where `_QUOC_HIEU` can start (a superset): its first three letters in either case ("CỘN", "côn",
# "Độc"); these letters have no other case-insensitive equivalent in `regex` (checked over every
# code point). One letter is consumed, so no start is skipped; one character class first, so `re`
# tests it alone at each position
_QH_START = re.compile(r"[CcĐđ](?=[ỘộOo][NnCc])")
# the same starts, one pattern for each first letter: a pattern that opens with one literal
# character is scanned for it (the class above is tested at each character, ~4 ns a character)
_QH_FIRSTS = tuple(re.compile(re.escape(c) + r"(?=[ỘộOo][NnCc])") for c in "CcĐđ")


def _quoc_hieu(text: str, end: int) -> list:
    """`list(_QUOC_HIEU.finditer(text, 0, end))`, tried only where a match can start: the
    case-insensitive `regex` scan costs ~30 ns a character, the stdlib test of three letters ~2."""
    out = []
    nxt = 0
    starts = [c.start() for rx in _QH_FIRSTS for c in rx.finditer(text, 0, end)]
    starts.sort()  # (the starts of `_QH_START.finditer(text, 0, end)`: each position has one letter)
    for p in starts:
        if p < nxt:
            continue
        m = _QUOC_HIEU.match(text, p, end)
        if m:
            out.append(m)
            nxt = m.end()
    return out


def find_entities(text: str, header: Header | None = None, signature: Signature | None = None,
                  where: Jurisdiction | None = None) -> list[Entity]:
    """Every ORG, PER, LOC and TITLE mention of `text`, in text order, none overlapping.

    `header` (from `extract.header.read_header`, ideally after `identity.annotate`) gives the date
    that places are read on, the issuer's jurisdiction that completes "UBND tỉnh" and "Sở Y tế",
    and the issuer's own span; `signature` gives the signer; `where` overrides the jurisdiction.
    """
    if not isinstance(text, str) or not text or text.isspace():  # (`not text.strip()`, without its copy)
        return []
    text = text[:_MAX_CHARS]
    t = _tables()
    ctx = _context(header, where)
    cands: list[EntityMention] = []
    quoc_hieu = _quoc_hieu(text, min(len(text), 4000))  # the motto, the quốc hiệu
    blocked: list[tuple[int, int]] = [(m.start(), m.end()) for m in quoc_hieu if not m.group("qh")]

    # the header: the issuer and its parent as the header prints them (one ORG each), the
    # quốc hiệu (LOC) and the place of the date line
    if header is not None and header.issuer_span is not None:
        cands.extend(_header_bodies(text, header, ctx))
    for m in quoc_hieu:
        if m.group("qh"):
            cands.append(EntityMention("LOC", m.group("qh"), m.start("qh"), m.end("qh"),
                                       "Cộng hòa xã hội chủ nghĩa Việt Nam", "rule", evidence="header"))
    if header is not None and header.date_span is not None and header.place:
        s = header.date_span.start
        seg = text[s:header.date_span.end]
        i = seg.find(header.place)
        if i != -1 and (i == 0 or not seg[i - 1].isalpha()):
            raw = header.place
            norm, path = _header_place(raw, ctx)
            cands.append(EntityMention("LOC", raw, s + i, s + i + len(raw), norm, "rule", link=path, evidence="header"))

    hits = _triggers(text)
    if ctx.province is None and not ctx.central and hits["prov"] and header is not None:
        ctx = _province_from_text(text, hits["prov"], ctx)

    # ORG
    org_end = -1
    org_norms: dict[tuple, str] = {}  # (what `_org_norm` reads of an _Org without an inner body) → its form
    law1, law2, law3 = _LAW_MARKS
    add = cands.append
    for s, he in hits["org"]:  # in text order
        if s < org_end or s and (text[s - 1].isalnum() or text[s - 1] in "-/&._'’"):
            continue  # a head inside the body just read ("HĐND" of "Thường trực HĐND tỉnh")
        if text[s] in "Hh" and fold(text[max(0, s - 4):s]).endswith(("xã ", "xa ")):
            continue  # "CỘNG HÒA XÃ HỘI …", "xã hội": not the head "Hội"
        # (`_org_at` reads the text and nothing else: the law test, a filter like the two above,
        # is made only for a head that opens a body)
        o = _org_at(text, s, he)
        if o is None:
            continue
        lo = s - 60 if s > 60 else 0
        w = text[lo:s]
        if (law1 in w or law2 in w or law3 in w) and _IN_LAW_NAME.search(text, lo, s):
            continue  # "Luật Tổ chức Chính phủ" names a law, not the body
        raw = o.raw  # (text[o.start:o.end])
        # the same body, printed again in the document: normalised once (`_org_norm` reads these
        # fields of the body and of the body it is an organ of, and the document's context)
        if o.fixed and o.canonical_hint and not o.era:
            norm = o.canonical_hint  # (what `_org_norm` gives a body of one name: "Chính phủ")
        else:
            key = (raw, o.canonical_hint, o.collective, o.organ, o.era, o.fixed, None if o.inner is None else _org_key(o.inner))
            norm = org_norms.get(key)
            if norm is None:
                norm = org_norms[key] = _org_norm(o, ctx)
        e = o.end
        if s > 1 and not o.fixed and o.organ is None and "ác" in text[s - 6 if s > 6 else 0:s]:
            cm = _CAC_BEFORE.search(text, s - 6 if s > 6 else 0, s)
            if cm:  # "các Trung tâm Y tế khu vực", "Các Sở Y tế tỉnh, thành phố …": a set of bodies
                o.start, o.collective = cm.start(), True
                norm = "các " + norm if not norm.startswith("các ") else norm
                raw = text[o.start:e]
        org_end = e
        add(EntityMention("ORG", raw, o.start, e, norm, "rule", o.collective, norm))
    for m in _collectives(text, hits, t):
        a, b = m.start(), m.end()
        low = fold(m.group(0))
        of = _OF_MINISTRY.match(text, b) if low.startswith(("các vụ", "các phòng")) else None
        if of and (low.startswith("các vụ") or "thuộc" in of.group(0)):
            # "Các Vụ, Cục, Văn phòng Bộ - Bộ Y tế", "các phòng chức năng thuộc Sở Y tế": the units of
            # the body named next
            hm = t.head_re.match(text, of.end())
            o = _org_at(text, of.end(), hm.end()) if hm and (fold(hm.group(0)) == "bộ" or low.startswith("các phòng")) else None
            if o is not None:
                b = o.end
        if b == m.end() and low.startswith("các phòng") and _rmatch(r"các phòng\s+\w", low):
            continue  # "Các phòng chuyên môn … thuộc các cơ quan, đơn vị": without a named owner, generic
        raw = text[a:b]
        cands.append(EntityMention("ORG", raw, a, b, _normalize_org(raw, None, True, ctx),
                                   "rule", collective=True))

    # LOC: a unit word and its name; a province named alone
    for s, le in hits["loc"]:
        if not _prev_ok(text, s):
            continue
        m = t.loc_re.match(text, s)
        if not m:
            continue
        nm = _LOC_NAME.match(text, m.end())
        if not nm:
            continue
        e = nm.end()
        word = fold(text[s:m.end()])
        name = nm.group("name")
        if word.startswith("xã") and fold(name).startswith("hội"):
            continue
        unit_word = text[s:m.end()]
        if "ả" in unit_word or "Ả" in unit_word:  # (the letter of "đảo" in either case, as `regex` reads it)
            unit_word = _rsub(r"(?i)\s*đảo\s*$", "", unit_word)
        unit_word = unit_word.strip()
        unit_word = {"tp.": "thành phố", "tx.": "thị xã", "tt.": "thị trấn"}.get(unit_word.casefold(), unit_word)
        keep = _place_keep(unit_word, name)
        if keep == 0:
            continue
        e = m.end() + keep
        era = _era_of(text, e) if keep == len(name) else ""
        raw = text[s:e]
        norm, path = _normalize_loc(raw, ctx)
        norm = norm + era
        if path is None and (name.isupper() or len(name.split()) > 2):
            continue  # an upper-case or long name the unit data does not know is not a place
        cands.append(EntityMention("LOC", raw, s, e, norm, "rule", False, path))
    for s, e in hits["prov"]:
        if not _prev_ok(text, s):
            continue
        raw = text[s:e]
        norm, path = _normalize_loc(_bare_province(raw), ctx)
        cands.append(EntityMention("LOC", raw, s, e, norm + _era_of(text, e), "rule", False, path))
    for a, b in hits["vn"]:
        if _prev_ok(text, a):
            cands.append(EntityMention("LOC", text[a:b], a, b, "Việt Nam", "rule"))
    for m in (x for x in (_UNIT_LIST.match(text, a) for a, _b in hits["cac"]) if x):
        # "các xã: Đức Trọng, Hiệp Thạnh, Đinh Văn Lâm Hà"
        word = fold(m.group("w"))
        for nm in _rfinditer(_NAME_T, m.group("list")):
            a = m.start("list") + nm.start()
            norm, path = _normalize_loc(f"{word} {nm.group(0)}", ctx)
            cands.append(EntityMention("LOC", nm.group(0), a, a + len(nm.group(0)), norm, "rule", link=path))

    # office departments in a "VPUB: …" distribution line; drafters' initials after "Lưu: VT, NC."
    tail0 = max(0, len(text) - 4000)
    cands.extend(_office_lines(text, ctx, tail0))

    # TITLE: the position, with the body it heads when the body follows ("Phó Chủ tịch UBND tỉnh")
    orgs_at = {c.start: c for c in cands if c.label == "ORG"}
    cands.extend(_titles(text, orgs_at, ctx, signature, hits))

    # PER: after a cue, or a full name with a surname
    cue_starts = {a for a, _b in hits["cue"]}
    per_hits = sorted([(a, b, True) for a, b in hits["cue"]] +
                      [(a, b, False) for a, b in hits["sur"] if a not in cue_starts])
    for s, pe0, is_cue in per_hits:
        if not _prev_ok(text, s):
            continue
        if is_cue:
            ws = _SPACES.match(text[pe0:pe0 + 20])
            got = _person_name(text, pe0 + (ws.end() if ws else 0), cue=True)
            if not got:
                continue
            ps, pe = got
            raw = text[ps:pe]
            if _looks_like_place(raw, ctx) and len(raw.split()) > 1:
                continue
            cands.append(EntityMention("PER", raw, ps, pe, _person_norm(raw), "rule"))
        else:
            got = _person_name(text, s, cue=False)
            if not got:
                continue
            ps, pe = got
            raw = text[ps:pe]
            nwords = len(raw.split())
            before, after = _line_bounds(text, ps, pe)
            own_line = not before.strip(" \t-–•+*") and not after.strip(" \t.;,")
            if nwords < 3 and not own_line and not _after_title(before):
                continue
            if _looks_like_place(raw, ctx):
                continue
            # read only when needed: after a capitalised word, ")", "ông", "bà" (the search runs
            # backwards from the end of `before`, where any match must end)
            if nwords >= 3 or own_line or nwords >= 2 and _AFTER_CAPITAL.search(before):
                cands.append(EntityMention("PER", raw, ps, pe, _person_norm(raw), "rule"))

    # the signer (its name as the signature block prints it)
    if signature is not None and signature.signer:
        for name in signature.signer.split(" - "):
            name = name.strip()
            if not name:
                continue
            lo = signature.span.start if signature.span else max(0, len(text) - 5000)
            hi = signature.span.end if signature.span else len(text)
            i = text.rfind(name, max(0, lo - 200), min(len(text), hi + 200))
            if i == -1:
                i = text.rfind(name)
            if i != -1:
                cands.append(EntityMention("PER", name, i, i + len(name), _person_norm(name), "rule", link=name,
                                           evidence="signature"))

    out = _resolve(cands, blocked)
    _link_people(out)
    return out


_OFFICE_LINE = regex.compile(r"(?m)^[ \t]*[-+•]?[ \t]*(?:VPUB(?:ND)?|VP[ \t]*UB\w*(?:[ \t]+(?:tỉnh|Thành phố|TP|huyện|xã))?)[ \t]*:"
                             r"(?P<list>[^\n;]*)")
_DRAFTER = regex.compile(rf"(?m)^[ \t]*[-+•]?[ \t]*Lưu[ \t]*:?[^\n]*?(?:[.(](?P<name>{_TSYL}(?:[ \t]{_TSYL})?)\)?"
                         r"[ \t.]*(?:\(\d+\w*\))?[ \t.;]*$)")
_INITIALS = regex.compile(rf"(?<![\p{{L}}.])(?:[{_UP}]\.){{1,3}}[ \t]?{_TSYL}")


def _collectives(text: str, hits: dict, t: _Tables):
    """Collective bodies ("các sở, ban, ngành", "Bộ, ngành Trung ương"), read only where a trigger is."""
    seen = set()
    for a, _b in sorted(hits["coll"] + hits["cac"]):
        for start in (a,):
            m = t.collective_re.match(text, start)
            if m and m.start() not in seen and (_prev_ok(text, start)):
                seen.add(m.start())
                yield m


def _line_matches(rx, text: str, lo: int, word: str) -> list:
    """`list(rx.finditer(text, lo))` for `_OFFICE_LINE` and `_DRAFTER`: patterns that open with
    `(?m)^` and match one line that holds `word` ("VP", "Lưu"), read on no further line (their
    classes hold no newline). So each match is the pattern matched at the start of a line, at or
    after `lo`, holding `word` (`^` at `lo` only when a line starts there, as `finditer` reads it);
    the lines are found by `str.find` (the `regex` scan tried `^` at each of the 4000 characters)."""
    out = []
    find = text.find
    i = find(word, lo)
    while i != -1:
        ls = text.rfind("\n", 0, i) + 1
        if ls >= lo:
            m = rx.match(text, ls)
            if m is not None:
                out.append(m)
        nl = find("\n", i)
        if nl == -1:
            break
        i = find(word, nl + 1)
    return out


def _office_lines(text: str, ctx: _Context, lo: int = 0) -> list[EntityMention]:
    """"- VPUB: CVP, PCVP P.T.T.Huyền, phòng: KGVX, TH, CBTH" → the office's units (ORG), the titles
    (found by the title pass) and the staff (PER); "- Lưu: VT, NC.Châu" → the drafter (PER)."""
    out: list[EntityMention] = []
    t = _tables()
    if "VP" in text[lo:]:
        office = t.office
        for m in _line_matches(_OFFICE_LINE, text, lo, "VP"):
            base = m.start("list")
            seg = m.group("list")
            body = ctx.issuer if ctx.issuer and fold(ctx.issuer).startswith("ủy ban nhân dân") else None
            for w in _rfinditer(r"(?<![\p{L}\d.])[\p{Lu}Đ][\p{Lu}Đ&\-]+(?![\p{L}\d])", seg):
                code = w.group(0)
                if code in office and body:
                    out.append(EntityMention("ORG", code, base + w.start(), base + w.end(),
                                             f"{office[code]}, Văn phòng {body}", "rule"))
            for w in _INITIALS.finditer(seg):
                out.append(EntityMention("PER", w.group(0), base + w.start(), base + w.end(), w.group(0), "rule"))
    if "Lưu" in text[lo:]:
        for m in _line_matches(_DRAFTER, text, lo, "Lưu"):
            if m.group("name") and m.group("name") not in t.office:
                out.append(EntityMention("PER", m.group("name"), m.start("name"), m.end("name"),
                                         m.group("name"), "rule"))
    return out


_TITLE_BODY = {  # a position without its body: the body that position heads, from the issuer
    "chủ tịch": "ubnd", "phó chủ tịch": "ubnd", "phó chủ tịch thường trực": "ubnd",
    "giám đốc": "dept", "phó giám đốc": "dept", "thủ trưởng": "dept",
    "chánh văn phòng": "office", "phó chánh văn phòng": "office", "lãnh đạo văn phòng": "office",
    "thủ tướng": "gov", "phó thủ tướng": "gov", "bộ trưởng": "dept", "thứ trưởng": "dept",
    "bí thư": "party", "phó bí thư": "party", "phó bí thư thường trực": "party", "tỉnh ủy viên": "party",
    "trưởng ban": "dept", "phó trưởng ban": "dept", "cục trưởng": "dept", "phó cục trưởng": "dept",
    "chủ nhiệm": "dept", "phó chủ nhiệm": "dept", "bộ trưởng, chủ nhiệm": "dept",
    "chánh thanh tra": "dept", "phó chánh thanh tra": "dept", "chi cục trưởng": "dept",
}


def _title_body(title: str, ctx: _Context, in_signature: bool) -> str | None:
    kind = _TITLE_BODY.get(fold(title))
    if kind is None and fold(title).startswith("công chức "):
        return ctx.where.commune  # "Công chức Văn hóa - Xã hội": a post of the commune
    iss = ctx.issuer
    if not kind:
        return None
    if kind == "gov":
        return "Chính phủ"
    if not iss:
        return None
    fi = fold(iss)
    if kind == "ubnd":
        if fi.startswith(("ủy ban nhân dân", "hội đồng nhân dân")):
            return iss
        if fi.startswith("văn phòng ủy ban nhân dân"):
            return iss[len("Văn phòng "):]
        lowest = ctx.where.commune or ctx.where.district or ctx.where.province
        return f"Ủy ban nhân dân {lowest}" if lowest else None
    if kind == "office":
        if fi.startswith("văn phòng"):
            return iss[len("Văn phòng "):]
        return iss
    if kind == "party":
        return iss if _rsearch(r"(?i)ủy\b|đảng", fi) else None
    return iss  # the head of the issuing body


def _titles(text: str, orgs_at: dict[int, EntityMention], ctx: _Context, signature: Signature | None,
            hits: dict[str, list[tuple[int, int]]]) -> list[EntityMention]:
    t = _tables()
    out: list[EntityMention] = []
    sig_lo = signature.span.start if signature is not None and signature.span else len(text)
    abbr_ok = _ABBR_OK
    title_hits = hits["title"] + [(a, b) for a, b in hits["tabbr"] if abbr_ok.match(text, b)]
    add = out.append
    for s, e in sorted(set(title_hits)):
        if s and (text[s - 1].isalnum() or text[s - 1] in "-/&._'’"):
            continue  # (`_prev_ok`)
        raw = text[s:e]
        folded = fold(raw)  # (once: the three tests below read it)
        lead = folded in ("lãnh đạo",)
        if not text[s].isupper() and not (lead and _rsearch(r"(?i)đại\s+diện\s+$", text[max(0, s - 12):s])):
            continue
        norm = t.title_abbr.get(raw) or t.titles.get(folded) or _title_case(raw)
        if folded in ("ủy viên",) and not _rmatch(r"[ \t]+\S", text[e:e + 3]):
            continue
        coll = False
        s_title = s
        # "các PCT UBND tỉnh", "Các Bộ trưởng": a group of holders
        before = text[s - 6 if s > 6 else 0:s]
        cm = _CAC_TITLE.search(before) if "ác" in before else None
        if cm:
            s = s - (len(before) - cm.start(1))
            coll = True
        # the body right after: "Chủ tịch UBND tỉnh", "Giám đốc Sở Y tế", "Thủ trưởng các Sở, ban, ngành"
        sp = _WS4.match(text, e)
        org = orgs_at.get(sp.end()) if sp else None
        inner = _title_inner_org(text, s_title, e, org, ctx) if " " in raw or "\t" in raw else None
        if inner is not None:
            # "Trưởng Trạm Y tế các xã", "Chánh Thanh tra Bộ Công an": the title's last word opens
            # the body it heads; the ORG is that body, the TITLE runs to its end
            o, onorm = inner
            add(EntityMention("ORG", text[o.start:o.end], o.start, o.end, onorm, "rule", o.collective, onorm))
            pre = text[s_title:o.start].strip()
            pnorm = t.titles.get(fold(pre)) or t.title_abbr.get(pre) or _title_case(pre)
            full = f"{'các ' if coll else ''}{pnorm} {onorm}"
            add(EntityMention("TITLE", text[s:o.end], s, o.end, full, "rule", coll or o.collective))
            continue
        # (both bodies open with a space or a tab: most titles are followed by neither)
        spaced = org is None and text[e:e + 1] in (" ", "\t")
        # (after one space or tab, what both patterns open with: `_BARE_OPEN`, "các", "cơ")
        nxt = text[e + 1:e + 2] if spaced else ""
        bm = _BARE_BODY.match(text, e) if nxt in _BARE_OPEN else None
        if bm and ctx.issuer and fold(ctx.issuer).startswith(fold(bm.group("h"))):
            full = f"{'các ' if coll else ''}{norm} {ctx.issuer}"
            add(EntityMention("TITLE", text[s:bm.end()], s, bm.end(), full, "rule", coll))
            continue
        gm = _GENERIC_BODIES.match(text, e) if nxt in ("c", " ", "\t") and (
            nxt != "c" or text.startswith(("các", "cơ"), e + 1)) else None
        if gm:
            out.append(EntityMention("TITLE", text[s:gm.end()], s, gm.end(),
                                     one_space(f"{norm}{gm.group(0)}"), "rule", collective=True))
            continue
        if org is not None:
            body = org.normalized
            full = f"{norm} {body}"
            # (a match ends the title, before at most one newline, with "phòng" in any case: the
            # letters of "phòng" have no case-insensitive equivalent in `regex` but their `lower`)
            vp = _VAN_PHONG_END.search(raw) if raw.rstrip("\n")[-5:].lower() == "phòng" else None
            if vp and not fold(body).startswith("văn phòng"):
                # "Chánh Văn phòng UBND tỉnh": the body is the office of the UBND
                body = f"Văn phòng {body}"
                full = f"{norm.rsplit(' ', 2)[0] if fold(norm).endswith('văn phòng') else norm} {body}"
                full = one_space(full.replace("Văn phòng Văn phòng", "Văn phòng"))
                add(EntityMention("ORG", text[s + vp.start():org.end], s + vp.start(), org.end, body, "rule"))
            if coll:
                full = "các " + full
            add(EntityMention("TITLE", text[s:org.end], s, org.end, full, "rule", coll or org.collective))
            continue
        if lead:
            continue  # "lãnh đạo" without a body is a common noun
        body = _title_body(norm, ctx, s >= sig_lo - 400)
        if coll and not fold(norm).startswith(("phó ", "thứ trưởng", "ủy viên", "uỷ viên")):
            body = None  # "Các Bộ trưởng": a post held once per body, in the plural, is not the issuer's
        full = f"{norm} {body}" if body and not fold(norm).endswith(fold(body)) else norm
        if fold(norm) == "tỉnh ủy viên" and body:
            full = f"{norm} {body}"
        if coll:
            full = "các " + full
        add(EntityMention("TITLE", text[s:e], s, e, full, "rule", coll))
    # "CT, PCT UBND tỉnh": the first titles of a list share the body of the last one
    _in_text_order(out)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        # the two are one list when only "," or "và" is between them (read in place: the text
        # between two titles may be long)
        if a.end > b.start or not _LIST_GAP.fullmatch(text, a.end, b.start):
            continue
        if b.end > b.start + len(b.text.split()[0]) and a.text == text[a.start:a.end] and " " not in a.text.strip() or (
                b.normalized and a.normalized and len(b.normalized) > len(a.normalized) and a.text.isupper() is False
                and _bare_title(a, t)):
            head = t.title_abbr.get(a.text) or t.titles.get(fold(a.text)) or a.normalized.split(" Ủy ban")[0]
            body = _body_of(b, t)
            if body:
                a.normalized = f"{head} {body}"
    return out


_ABBR_OK = re.compile(r"\s*[,.]?\s*(?:PCT|CT|UBND|HĐND|Sở|Phòng|Ban|\(|;|,|[A-ZĐ]\.[A-ZĐ])")
_CAC_TITLE = regex.compile(r"(?:^|(?<=[\s(]))([Cc]ác)[ \t]+$")  # "các" before a title (in the 6 characters before)
_VAN_PHONG_END = regex.compile(r"(?i)văn\s+phòng$")
_LIST_GAP = re.compile(r"[ \t]*(?:,|và)[ \t]*(?:các[ \t]+)?")
_BARE_HEADS = ("Sở", "Bộ", "Cục", "Ban", "Hội", "hội", "Trung tâm", "Chi cục")
_BARE_BODY = regex.compile(rf"[ \t]+(?P<h>{'|'.join(_BARE_HEADS)})(?![\p{{L}}\d])(?![ \t]+\p{{Lu}})")
# what follows the first space or tab of a match of `_BARE_BODY`: another, or a head's first letter
_BARE_OPEN = frozenset(h[0] for h in _BARE_HEADS) | {" ", "\t"}
_GENERIC_BODIES = regex.compile(
    r"[ \t]+(?:các[ \t]+)?cơ[ \t]+quan(?:[ \t]*,[ \t]*(?:đơn[ \t]+vị|địa[ \t]+phương|tổ[ \t]+chức))*"
    r"(?:[ \t]+(?:ngang[ \t]+bộ|thuộc[ \t]+Chính[ \t]+phủ|có[ \t]+liên[ \t]+quan|liên[ \t]+quan|thực[ \t]+hiện[ \t]+"
    r"nhiệm[ \t]+vụ[ \t]+quản[ \t]+lý[ \t]+nhà[ \t]+nước))?(?![\p{L}])")


@lru_cache(maxsize=4096)
def _capital_words(title: str, spaced_before: bool) -> tuple[int, ...]:
    """The offsets in `title` of the words that open with a capital (a word: after a space or a
    tab; the first one when a space or a tab is printed before the title), once per title as printed."""
    first = (0,) if spaced_before and title[:1].isupper() else ()
    return first + tuple(i for i in range(1, len(title)) if title[i - 1] in " \t" and title[i].isupper())


def _title_inner_org(text: str, s: int, e: int, org: EntityMention | None, ctx: _Context):
    """The body a title's own last word(s) open, read past the title's end: "Trưởng Trạm" + "Y tế
    các xã" → "Trạm Y tế các xã"; "Chánh Thanh tra" + "Bộ Công an" → "Thanh tra Bộ Công an" (the
    whole office, longer than the "Bộ Công an" after the title). (org, normalised) or None."""
    offsets = _inner_heads(text[s:e], s > 0 and text[s - 1] in " \t")
    if not offsets:
        return None
    t = _tables()
    for i in offsets:
        p = s + i
        hm = t.head_re.match(text, p)
        if not hm or hm.end() < e:
            continue
        head = t.heads.get(fold(hm.group(0)))
        if head is None or fold(head.canonical) == "văn phòng":
            return None  # "Chánh Văn phòng UBND tỉnh": read by the title pass itself
        o = _org_at(text, p, hm.end())
        if o is None or o.end <= e or (org is not None and o.end < org.end):
            return None
        return o, _org_norm(o, ctx)
    return None


@lru_cache(maxsize=4096)
def _inner_heads(title: str, spaced_before: bool) -> tuple[int, ...]:
    """The offsets of `_capital_words(title, spaced_before)` where a head of `head_re` may start
    and run to the title's end or past it: the rest of the title, single-spaced, is the beginning
    of a head's form (a head matched there reaching the end begins with that rest). Once per title
    as printed; most titles hold none ("Phó Chủ tịch")."""
    openings = _head_openings()
    return tuple(i for i in _capital_words(title, spaced_before) if " ".join(title[i:].split()) in openings)


@cache
def _head_openings() -> frozenset[str]:
    """Every beginning (a character prefix) of every form of `head_re`, single-spaced."""
    t = _tables()
    forms = {v for h in rules.entity_org_heads() for v in _variants(h.head)} | set(t.symbol_orgs)
    return frozenset(f[:k] for f in (" ".join(x.split()) for x in forms) for k in range(1, len(f) + 1))


def _bare_title(e: EntityMention, t: _Tables) -> bool:
    return e.text in t.title_abbr or fold(e.text) in t.titles


def _body_of(e: EntityMention, t: _Tables) -> str | None:
    """The body part of a TITLE's normalised form ("Phó Chủ tịch Ủy ban nhân dân tỉnh X" → "Ủy ban …")."""
    n = e.normalized or ""
    if n.startswith("các "):
        n = n[4:]
    # the longest title that n starts with, followed by a space: the title is n up to one of its
    # spaces (looked up from the last space back, as the titles were tried longest first)
    titles = _title_set()
    i = n.rfind(" ")
    while i != -1:
        if n[:i] in titles:
            return n[i + 1:]
        i = n.rfind(" ", 0, i)
    return None


@cache
def _title_set() -> frozenset[str]:
    """Every title in its normal case."""
    t = _tables()
    return frozenset(t.titles.values()) | frozenset(t.title_abbr.values())


def _header_bodies(text: str, header: Header, ctx: _Context) -> list[EntityMention]:
    """The issuer lines of the header: one ORG per body ("UBND TỈNH LÂM ĐỒNG" / "SỞ NỘI VỤ"); the
    Prime Minister's header ("THỦ TƯỚNG CHÍNH PHỦ") is a TITLE holding the ORG "CHÍNH PHỦ"."""
    out = []
    for e in _header_bodies0(text, header, ctx):
        m = _rmatch(r"(?i)(?:phó\s+)?thủ\s+tướng\s+(chính\s+phủ)$", e.text)
        if m:
            out.append(EntityMention("TITLE", e.text, e.start, e.end, "Thủ tướng Chính phủ", "rule", evidence="header"))
            out.append(EntityMention("ORG", m.group(1), e.start + m.start(1), e.end, "Chính phủ", "rule",
                                     evidence="header"))
        else:
            out.append(e)
    return out


def _header_bodies0(text: str, header: Header, ctx: _Context) -> list[EntityMention]:
    from .agencies import split_bodies

    s0, e0 = header.issuer_span.start, header.issuer_span.end
    seg = text[s0:e0]
    # a page marker of an OCR'd file ("# PAGE 1") or a rule of "=" is no body, whatever the span says
    lines = [(m.start() + s0, m.end() + s0) for m in _rfinditer(r"[^\n]+", seg)
             if m.group(0).strip(" \t-_*=") and not m.group(0).lstrip().startswith("#")]
    if not lines:
        return []
    bodies = split_bodies([text[a:b] for a, b in lines])
    out = []
    if len(bodies) <= 1 or not header.issuer_parent:
        a, b = _trim(text, lines[0][0], lines[-1][1])
        return [EntityMention("ORG", text[a:b], a, b, ctx.issuer or header.issuer, "rule", link=ctx.issuer,
                              evidence="header")]
    # map bodies back to line groups: bodies hold the lines in order, joined by spaces
    li = 0
    spans = []
    for body in bodies:
        if li >= len(lines):  # split_bodies cut a line in two: the rest has no line of its own
            break
        words = len(body.split())
        start = lines[li][0]
        count = 0
        end = start
        while li < len(lines) and count < words:
            count += len(text[lines[li][0]:lines[li][1]].split())
            end = lines[li][1]
            li += 1
        spans.append(_trim(text, start, end))
    from .identity import canonical_issuer

    for k, (a, b) in enumerate(spans):
        if k == len(spans) - 1:
            norm = ctx.issuer or header.issuer
        else:
            try:
                norm = canonical_issuer(display_name(text[a:b]), None, header.place, ctx.on)
            except Exception:
                norm = display_name(text[a:b])
        out.append(EntityMention("ORG", text[a:b], a, b, norm, "rule", link=norm, evidence="header"))
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \t\n-_*=":
        a += 1
    while b > a and text[b - 1] in " \t\n-_*=.":
        b -= 1
    return a, b


def _province_from_text(text: str, prov_hits, ctx: _Context) -> _Context:
    """A commune's or district's document that never names its province in the header: the
    province its own text names most ("… tỉnh Quảng Ngãi (mới)")."""
    import dataclasses
    from collections import Counter

    c = Counter(fold(text[a:b]) for a, b in prov_hits)
    name = c.most_common(1)[0][0]
    raw = next(text[a:b] for a, b in prov_hits if fold(text[a:b]) == name)
    norm, _path = _normalize_loc(_bare_province(raw), ctx)
    if not norm or not norm.startswith(("tỉnh ", "thành phố ")):
        return ctx
    w = ctx.where
    return _interned(dataclasses.replace(ctx, where=Jurisdiction(norm, w.district, w.commune, w.own), province=norm))


def _after_title(before: str) -> bool:
    """A name right after a position or a body: "Phó Chủ tịch UBND tỉnh Lê Văn A", "Giám đốc: Lê A"."""
    b = before.rstrip(" \t:-–,")
    if not b:
        return False
    t = _tables()
    tail = fold(b[-40:])
    return tail.endswith(_title_keys()) or tail.endswith(("tỉnh", "huyện", "xã", "ủy"))


@cache
def _title_keys() -> tuple[str, ...]:
    """The folded titles, as one tuple for `str.endswith`."""
    return tuple(_tables().titles)


def _person_norm(raw: str) -> str:
    name = one_space(raw).strip()  # a name keeps its own tone marks (Quý, not Qúy)
    if name.isupper():
        name = " ".join(w[:1] + w[1:].lower() for w in name.split())
    return name


@lru_cache(maxsize=4096)
def _bare_province(raw: str) -> str:
    """"Lâm Đồng" → "tỉnh Lâm Đồng" (a pure function of the name: once per name in a worker)."""
    name = _rsub(_ERA + "$", "", raw).strip()
    era = raw[len(name):].strip()
    folded = fold(name)
    kind = next((r[1] for r in rules.provinces() if fold(r[0]) == folded), "tỉnh")
    return f"{kind} {name}{(' ' + era) if era else ''}"


def _header_place(place: str, ctx: _Context) -> tuple[str, str | None]:
    """The place of the date line: the issuer's own unit when it bears the name, else a province."""
    for unit in (ctx.where.commune, ctx.where.district, ctx.where.province):
        if unit and fold(unit).endswith(" " + fold(place)):
            return _normalize_loc(unit, ctx)
    norm, path = _normalize_loc(_bare_province(place), ctx)
    if path is None:
        try:
            u = _units.parse_unit(place, ctx.on, ctx.province) if _units else None
        except Exception:
            u = None
        if u:
            return _normalize_loc(u.name, ctx)
    return norm, path


_START_END = attrgetter("start", "end")  # a mention's span, the sort key of every mention (in C)
_START = attrgetter("start")
_END = attrgetter("end")


def _resolve(cands: list[EntityMention], blocked: list[tuple[int, int]]) -> list[EntityMention]:
    """No two mentions of ORG, PER and LOC overlap (the longest wins; on equal length the header's
    and the signer's, then the higher label); TITLEs do not overlap one another, and a TITLE may
    hold the body it heads ("Phó Chủ tịch UBND tỉnh" ⊃ "UBND tỉnh") but never cut a mention."""
    import bisect

    if len(blocked) == 1:  # the motto, in nearly every document
        a, b = blocked[0]
        cands = [c for c in cands if c.end > c.start and not (c.start < b and a < c.end)]
    elif blocked:
        cands = [c for c in cands if c.end > c.start and not any(c.start < b and a < c.end for a, b in blocked)]

    def greedy(items: list[EntityMention]) -> list[EntityMention]:
        items.sort(key=lambda c: (-(c.end - c.start), c.evidence == "text", -_PRIORITY[c.label], c.start, c.label, c.normalized or "", c.link or ""))
        taken: list[tuple[int, int]] = []
        out: list[EntityMention] = []
        for c in items:
            i = bisect.bisect_left(taken, (c.start, c.start))
            clash = (i > 0 and taken[i - 1][1] > c.start) or (i < len(taken) and taken[i][0] < c.end)
            if clash:
                continue
            taken.insert(i, (c.start, c.end))
            out.append(c)
        return out

    def pick(items: list[EntityMention]) -> list[EntityMention]:
        # the greedy choice only depends on the mentions a mention overlaps: run it on each group
        # of overlapping mentions (most mentions overlap none and are kept as they are: a group
        # is made a list only when a second mention joins it)
        items.sort(key=_START_END)
        out: list[EntityMention] = []
        append = out.append
        first = None                       # the first mention of the current group
        group: list[EntityMention] | None = None   # the group, once it holds two mentions or more
        end = -1
        for c in items:
            if c.start >= end:
                if group is not None:
                    out.extend(greedy(group))
                    group = None
                elif first is not None:
                    append(first)
                first = c
                end = c.end
            else:
                if group is None:
                    group = [first]
                group.append(c)
                if c.end > end:
                    end = c.end
        if group is not None:
            out.extend(greedy(group))
        elif first is not None:
            append(first)
        return out

    flat = pick([c for c in cands if c.label != "TITLE"])
    titles = pick([c for c in cands if c.label == "TITLE"])
    # the mentions by span (sorted by key in C: no (start, end, mention) tuple a mention; two
    # mentions of `flat` never share a span, `pick` keeping no two that overlap)
    spans = sorted(flat, key=_START_END)
    starts = list(map(_START, spans))
    ends = list(map(_END, spans))
    n = len(spans)
    kept_titles = []
    for ttl in titles:
        i = bisect.bisect_left(starts, ttl.start)
        ok = True
        # a mention that starts before the title and runs into it, or starts inside and runs out
        if i > 0 and ends[i - 1] > ttl.start:
            ok = False
        j = i
        while ok and j < n and starts[j] < ttl.end:
            if ends[j] > ttl.end or spans[j].label != "ORG":
                ok = False
            j += 1
        if ok:
            kept_titles.append(ttl)
    out = flat + kept_titles
    return _in_text_order(out)


def _order_key(c: EntityMention):
    return (c.start, -(c.end - c.start), c.label, c.normalized or "")


def _in_text_order(out: list[EntityMention]) -> list[EntityMention]:
    """`out` sorted by `_order_key` (stable): sorted by start in C, then each run of mentions with
    the same start (a TITLE and the ORG it opens with, rare) sorted by the whole key, which orders
    them as the one sort by the whole key would."""
    out.sort(key=_START)
    starts = list(map(_START, out))
    if len(set(starts)) == len(starts):
        return out
    i, n = 0, len(out)
    while i < n:
        j = i + 1
        s = starts[i]
        while j < n and starts[j] == s:
            j += 1
        if j - i > 1:
            out[i:j] = sorted(out[i:j], key=_order_key)
        i = j
    return out


def _link_people(ents: list[EntityMention]) -> None:
    """A given name alone ("Đ/c Phúc") → the one full name of the document that ends with it."""
    t = _tables()
    full = {e.normalized for e in ents if e.label == "PER" and e.normalized and len(e.normalized.split()) >= 2
            and e.normalized.split()[0] in t.surnames}
    for e in ents:
        if e.label != "PER":
            continue
        if e.normalized in full:
            e.link = e.normalized
            continue
        cands = {f for f in full if f.endswith(" " + e.normalized)}
        if len(cands) == 1:
            e.link = cands.pop()  # the name stays as written; the link is the full name


# ---- spaCy: the same rules as a pipeline component, and the tokenizer ---------------------------------
def make_tokenizer(nlp):
    """Whitespace and punctuation split that keeps numbers, symbols and dates whole (76/KH-UBND,
    26/3/2024, 409/TTr-CAT(PC04), Đ/c, TP.)."""
    from spacy.tokenizer import Tokenizer

    prefix = re.compile(r"""^[\(\[\{"'“‘«–—-]""")
    suffix = re.compile(r"""[\)\]\}"'”’»,;:!?…]$|(?<=[^\W\d_]{2})\.$|(?<=[\d)])\.$""")
    infix = re.compile(r"""(?<=[^\W\d_])[,;:](?=[^\W\d_])""")
    token_match = re.compile(r"^(?:\d[\w./()\-]*\w\)?|[\w]+(?:[/\-&][\w]+)+|Đ/c|đ/c|TP\.|Tp\.|TX\.|TT\.|TM\.|KT\.|TL\.|TUQ\.)$").match
    return Tokenizer(nlp.vocab, prefix_search=prefix.search, suffix_search=suffix.search,
                     infix_finditer=infix.finditer, token_match=token_match)


def spacy_pipeline(model_path: str | None = None):
    """A spaCy `Language` whose tokenizer keeps numbers and dates whole and whose component
    `vanban_entity_rules` sets `doc.ents` from `find_entities` (header-free). With `model_path`,
    the trained `ner` of that folder is loaded instead (models/ner)."""
    import spacy
    from spacy.language import Language

    if model_path:
        nlp = spacy.load(model_path)
        return nlp
    if "vanban_entity_rules" not in Language.factories:
        @Language.component("vanban_entity_rules")
        def _rules_component(doc):
            spans = []
            for e in find_entities(doc.text):
                sp = doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand")
                if sp is not None:
                    spans.append(sp)
            doc.ents = spacy.util.filter_spans(spans)
            return doc
    nlp = spacy.blank("xx")
    nlp.max_length = _MAX_CHARS + 1
    nlp.tokenizer = make_tokenizer(nlp)
    nlp.add_pipe("vanban_entity_rules")
    return nlp


_NLP: dict[str, object] = {}


def load_model(model_path: str):
    """The trained spaCy NER of `model_path`, loaded once per process."""
    nlp = _NLP.get(model_path)
    if nlp is None:
        import spacy

        nlp = spacy.load(model_path)
        nlp.max_length = _MAX_CHARS + 1
        _NLP[model_path] = nlp
    return nlp


def model_entities(text: str, model_path: str, header: Header | None = None, signature: Signature | None = None,
                   where: Jurisdiction | None = None, combine: bool = False) -> list[Entity]:
    """Entities from the trained NER (`models/ner`), normalised by the rules' normalisers; a
    position followed by a body becomes the TITLE that holds it, as the rules do. With `combine`,
    the rules' entities come first and the model adds only mentions that overlap none of them."""
    if not isinstance(text, str) or not text.strip():
        return []
    text = text[:_MAX_CHARS]
    t = _tables()
    ctx = _context(header, where)
    nlp = load_model(model_path)
    doc = nlp(text)
    preds: list[EntityMention] = []
    for e in doc.ents:
        s, en, lab = e.start_char, e.end_char, e.label_
        raw = text[s:en]
        if lab == "ORG":
            hm = t.head_re.match(text, s)
            o = _org_at(text, s, hm.end()) if hm else None
            norm = _org_norm(o, ctx) if o is not None and o.end == en else _normalize_org(raw, None, False, ctx)
            preds.append(EntityMention("ORG", raw, s, en, norm, "model"))
        elif lab == "LOC":
            key = _bare_province(raw) if fold(raw) in _province_keys() else raw
            norm, path = _normalize_loc(key, ctx)
            preds.append(EntityMention("LOC", raw, s, en, norm, "model", link=path))
        elif lab == "PER":
            preds.append(EntityMention("PER", raw, s, en, _person_norm(raw), "model"))
        elif lab == "TITLE":
            preds.append(EntityMention("TITLE", raw, s, en, None, "model"))
    orgs_at = {p.start: p for p in preds if p.label == "ORG"}
    out = []
    for p in preds:
        if p.label != "TITLE":
            out.append(p)
            continue
        norm = t.title_abbr.get(p.text) or t.titles.get(fold(p.text)) or _title_case(p.text)
        sp = _rmatch(r"[ \t]+", text[p.end:p.end + 4])
        org = orgs_at.get(p.end + sp.end()) if sp else None
        if org is not None:
            out.append(EntityMention("TITLE", text[p.start:org.end], p.start, org.end, f"{norm} {org.normalized}", "model"))
        else:
            body = _title_body(norm, ctx, False)
            out.append(EntityMention("TITLE", p.text, p.start, p.end, f"{norm} {body}" if body else norm, "model"))
    if combine:
        rules_out = find_entities(text, header, signature, where)
        taken = [(e.start, e.end) for e in rules_out]
        extra = [e for e in out if not any(e.start < b and a < e.end for a, b in taken)]
        out = sorted(list(rules_out) + extra, key=lambda e: (e.start, -(e.end - e.start)))
    _link_people(out)
    return out


__all__ = ["find_entities", "model_entities", "load_model", "EntityMention", "LABELS", "spacy_pipeline", "make_tokenizer"]
