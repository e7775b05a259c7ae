"""Repair what OCR breaks and the graph needs: document numbers, dates, the names of bodies.

Entry point: `repair_text(text)` — the raw OCR text is kept beside the result (`pages.raw_text`).

Forms repaired (confusion pairs are data: rules/ocr_confusions.tsv):
  Symbols:  26/2021/TI-BTC → 26/2021/TT-BTC ; 12/C1-UBND → 12/CT-UBND ; 45/TIr-SYT → 45/TTr-SYT ;
            15/NQ-HĐÑD → 15/NQ-HĐND ; 26/2021/7NQ-CP → 26/2021/NQ-CP — a segment is changed only
            when the change makes it a known type or agency abbreviation.
  Digits:   2O24 → 2024, l2/QĐ → 12/QĐ (letters inside a digit run).
  Slash:    "Số: UBND-KGVX" (the slash of a blank number lost) → "Số: /UBND-KGVX"; "76⁄KH" → "76/KH";
            "2126:KH-UBND" → "2126/KH-UBND" (a colon before a type abbreviation and its hyphen);
            "95/2022NĐ-CP" → "95/2022/NĐ-CP" (the slash after a legal normative number's year).
  Years:    "65/2023/QH15 ngày 19/02/2025" → "65/2025/QH15 ngày 19/02/2025", "28/2025/QĐ-TTg ngày
            24/8/2625" → "… ngày 24/8/2025": the year inside a legal normative number is its year
            of issue; one digit apart from the date after it, the implausible one (else the
            number's) takes the other's.
  Dates:    "ngày 2O tháng 5 năm 2O24" → "ngày 20 tháng 5 năm 2024".
  Names:    tone-mark confusions in the names of bodies and provinces the gazetteer knows:
            "CÔNG AN TĨNH LÂM ĐÓNG" → "CÔNG AN TỈNH LÂM ĐỒNG", "Lâm Đông" → "Lâm Đồng".
"""
from __future__ import annotations

import unicodedata
from functools import cache

import regex

from .. import rules

_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "i": "1", "S": "5", "B": "8", "Z": "2"})


@cache
def _known_segments() -> frozenset[str]:
    known: set[str] = set()
    for fam in rules.abbr_to_type().values():
        known.update(fam)
    known.update(a.abbr for a in rules.agencies())
    known.update({"QH", "UBTVQH", "PL", "CP", "TTg", "TW", "TU", "HU", "ĐU"})
    return frozenset(known)


@cache
def _symbol_confusions() -> tuple[tuple[str, str], ...]:
    pairs = [(w, r) for w, r, ctx in rules.ocr_confusions() if ctx == "symbol"]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _bare(seg: str) -> str:
    return regex.sub(r"\d+$", "", seg.split("(")[0])


def repair_segment(seg: str) -> str:
    """One symbol segment: unchanged when known, else the first confusion repair that is known."""
    known = _known_segments()
    if not seg or _bare(seg) in known or seg in known:
        return seg
    # OCR of a bold sans capital: the whole segment may be one confusion away, or two
    candidates = [seg]
    for wrong, right in _symbol_confusions():
        nxt = []
        for c in candidates:
            if wrong in c:
                nxt.append(c.replace(wrong, right))
                # one occurrence at a time too (TI1 → TT1 vs TTI)
                i = c.find(wrong)
                nxt.append(c[:i] + right + c[i + len(wrong):])
        candidates.extend(nxt)
        for c in nxt:
            if c in known or _bare(c) in known:
                return c
        if len(candidates) > 64:
            break
    # a lost hyphen: "TIBNNMT" → "TT" + "BNNMT"
    types = {a for fam in rules.abbr_to_type().values() for a in fam}
    agencies = {a.abbr for a in rules.agencies()}
    for c in candidates:
        for k in range(2, min(5, len(c) - 1)):
            if c[:k] in types and _bare(c[k:]) in agencies:
                return c[:k] + "-" + c[k:]
    return seg


_NUMBER_LIKE = regex.compile(
    r"(?<![\w/])(?P<digits>[0-9OolI|]{0,5}[0-9][0-9OolI|]{0,5}|[0-9]{1,6})\s?(?P<sep>[/⁄\\|])\s?"
    r"(?:(?P<year>(?:19|20|2O|l9)[0-9Oo]{2})\s?[/⁄\\|]\s?)?"
    r"(?P<symbol>[A-Z0-9ĐÐÑ][A-Za-z0-9ĐđÐÑ&]*(?:\([A-Z0-9Đ][A-Za-z0-9]*\))?(?:\s?-\s?[A-Z0-9ĐÐÑ][A-Za-z0-9ĐđÐÑ&]*(?:\([A-Z0-9Đ][A-Za-z0-9]*\))?)*)"
)
_PARTY_LIKE = regex.compile(
    r"(?<![\w/])(?P<digits>[0-9][0-9OolI]{0,4})-(?P<type>[A-Z0-9][A-Za-z0-9]{0,3})/(?P<agency>[A-Z0-9Đ]{2,8})\b")


def _fix_symbol(symbol: str) -> str:
    parts = regex.split(r"(\s?-\s?)", symbol)
    out = []
    for p in parts:
        if regex.fullmatch(r"\s?-\s?", p):
            out.append("-")
        else:
            out.append(repair_segment(p))
    return "".join(out)


def _repair_numbers(text: str) -> str:
    def num(m: regex.Match) -> str:
        digits = m.group("digits").translate(_DIGIT_FIX)
        year = m.group("year")
        symbol = _fix_symbol(m.group("symbol"))
        if year:
            return f"{digits}/{year.translate(_DIGIT_FIX)}/{symbol}"
        return f"{digits}/{symbol}"

    text = _NUMBER_LIKE.sub(num, text)

    def party(m: regex.Match) -> str:
        t = repair_segment(m.group("type"))
        return f"{m.group('digits').translate(_DIGIT_FIX)}-{t}/{repair_segment(m.group('agency'))}"

    # "119- KH/TU": a space after the hyphen of a Party number, closed before the symbol is repaired
    text = _PARTY_SPACE.sub(r"\1-", text)
    return _PARTY_LIKE.sub(party, text)


_PARTY_SPACE = regex.compile(r"(?<![\w/])(\d{1,5})-\s+(?=[A-ZĐ0-9]{1,4}[a-zđ]?\s?/\s?[A-ZĐ])")


_BLANK_NO_SLASH = regex.compile(r"(?m)^(?P<head>[ \t]*Số\s*[:.]?\s*)(?P<sym>(?:[A-Z][A-Za-zĐ]*-)+[A-ZĐ][A-Za-zĐ0-9()]*)\b")
# the date line, with OCR's tone-mark slips in its three words ("nắm", "thang", "ngay")
_DATE = regex.compile(
    r"(?P<a>ng[aàáảãạ]y\s+)(?P<d>\S{1,2})(?P<b>\s+th[aàáảãạ]ng\s+)(?P<m>\S{1,2})(?P<c>\s+n[aăâắằẳẵặấầẩẫậ]m\s+)(?P<y>[0-9OolI]{4})(?!\d)")


def _repair_dates(text: str) -> str:
    def part(s: str) -> str:
        # a field that is digits up to OCR confusions is repaired; handwriting noise ("+2") is left
        fixed = s.translate(_DIGIT_FIX)
        return fixed if fixed.isdigit() else s

    def fix(m: regex.Match) -> str:
        return (f"ngày {part(m.group('d'))} tháng {part(m.group('m'))} năm " + m.group("y").translate(_DIGIT_FIX))

    return _DATE.sub(fix, text)


# letters that OCR confuses through their diacritics; each maps to the class of its variants
_BASES = "aăâeêioôơuưyd"


@cache
def _variant_class() -> dict[str, str]:
    groups: dict[str, set[str]] = {}
    for cp in range(0x00C0, 0x1EFA):
        ch = chr(cp)
        if not ch.isalpha():
            continue
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if ch.lower() in ("đ",):
            base = "d"
        if base in "aeiouyd":
            groups.setdefault(base, set()).add(ch)
    for b in "aeiouyd":
        groups.setdefault(b, set()).update({b, b.upper()})
    out = {}
    for base, chars in groups.items():
        cls = "[" + "".join(sorted(chars | {c.upper() for c in chars} | {c.lower() for c in chars})) + "]"
        for c in chars | {c.upper() for c in chars}:
            out[c] = cls
    return out


def _phrase_pattern(phrase: str) -> str:
    """A known phrase with every vowel and d/đ open to its marked variants; a vowel may be read
    twice ("LÂẦM ĐÔNG": OCR doubled a letter; Vietnamese never writes one vowel twice in a row)."""
    cls = _variant_class()
    out = []
    for ch in phrase:
        if ch == " ":
            out.append(r"\s+")
        elif ch in cls:
            out.append(cls[ch] + ("{1,2}" if ch.lower() not in "dđ" else ""))
        else:
            out.append(regex.escape(ch))
    return "".join(out)


def _undouble(found: str) -> str:
    """A vowel OCR read twice, once: "LÂẦM" → "LÂM" (the first reading kept)."""
    out = []
    for ch in found:
        if out and ch.isalpha() and _key(ch) == _key(out[-1]) and _key(ch) in "aeiouy":
            continue
        out.append(ch)
    return "".join(out)


@cache
def _name_lexicon() -> tuple[regex.Pattern, dict[str, str]]:
    """Multi-word names whose spelling we know: provinces, heads of bodies, central bodies, the
    Quốc hiệu. Matching ignores diacritics; the replacement keeps the case of the OCR'd text."""
    names = set()
    for row in rules.read_table("provinces.tsv", 5):
        province, kind = row[0].strip(), row[1].strip()
        names.add(province)
        names.add(f"{kind} {province}")
    for h, canon in rules.agency_heads():
        if " " in canon:
            names.add(canon)
    for a in rules.agencies():
        if " " in a.name:
            names.add(a.name)
    names.update({"Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc", "Kính gửi", "Nơi nhận"})
    names.update(t for t in rules.signer_titles() if "," not in t)
    names.update(t for t, _ in rules.titles())
    names.update({"Thiếu tướng", "Trung tướng", "Thượng tướng", "Đại tướng", "Đại tá", "Thượng tá", "Trung tá",
                  "Thiếu tá"})  # ranks before a police or army signer's name
    names = {n for n in names if len(n.split()) >= 2}
    by_key: dict[str, set[str]] = {}
    for n in names:
        by_key.setdefault(_key(n), set()).add(_key_case(n))
    # a spelling is restored only when the letters name one phrase: "THỦ TRƯỞNG" and "THỨ TRƯỞNG"
    # are both real titles, so neither is ever "repaired" into the other
    spelt = {}
    for n in sorted(names):
        spelt.setdefault(_key_case(n), n)
    canon = {k: spelt[next(iter(v))] for k, v in by_key.items() if len(v) == 1}
    names = {n for n in names if _key(n) in canon}
    alts = sorted(names, key=len, reverse=True)
    rx = regex.compile(r"(?<!\p{L})(?:" + "|".join(_phrase_pattern(n) for n in alts) + r")(?!\p{L})", regex.IGNORECASE)
    return rx, canon


def _key_case(s: str) -> str:
    return regex.sub(r"\s+", " ", s).casefold()


def _key(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return regex.sub(r"\s+", " ", "".join(c for c in s if unicodedata.category(c) != "Mn")).casefold()


def _same_case(model: str, text: str) -> str:
    if text.isupper():
        return model.upper()
    out = []
    for a, b in zip(model, text):
        out.append(a.upper() if b.isupper() else a.lower() if b.islower() else a)
    return "".join(out) + model[len(text):]


def _repair_names(text: str) -> str:
    rx, canon = _name_lexicon()

    def fix(m: regex.Match) -> str:
        found = _undouble(m.group(0))
        model = canon.get(_key(found))
        if model is None or len(model) != len(regex.sub(r"\s+", " ", found)):
            return found
        return _same_case(model, regex.sub(r"\s+", " ", found))

    return rx.sub(fix, text)


@cache
def _phrases() -> tuple[tuple[regex.Pattern, str], ...]:
    return tuple((regex.compile(p), r) for _n, p, r in rules.read_table("ocr_phrases.tsv", 3))


@cache
def _title_keys() -> dict[str, str]:
    """Key without tone marks → the printed title, for the signer titles that stand on a line alone."""
    out: dict[str, str] = {}
    for t in rules.signer_titles():
        if "," not in t and len(t) >= 6:
            out.setdefault(_key(t), t.upper())
    return out


def _close(a: str, b: str) -> bool:
    """Edit distance at most 1 (a letter misread, dropped or added)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


_TITLE_LINE = regex.compile(r"(?m)^[ \t]*(?P<t>\p{Lu}[\p{Lu} ]{4,28}\p{Lu})[ \t]*$")


def _repair_title_lines(text: str) -> str:
    """A signer's title alone on its line with one letter misread ("GLÁM ĐÓC" → "GIÁM ĐỐC"): the
    signature reader finds the name under a title it knows."""
    keys = _title_keys()

    def fix(m: regex.Match) -> str:
        found = m.group("t")
        k = _key(found)
        if k in keys:
            return m.group(0).replace(found, keys[k])
        hits = {v for kk, v in keys.items() if _close(k, kk)}
        return m.group(0).replace(found, hits.pop()) if len(hits) == 1 else m.group(0)

    return _TITLE_LINE.sub(fix, text)


# Quốc hội terms by the years of their laws (a boundary year belongs to both): an OCR'd "QH5" in a law
# of 2025 lost a digit of "QH15"
_TERMS = {13: range(2011, 2017), 14: range(2016, 2022), 15: range(2021, 2027), 16: range(2026, 2032)}
_QH_NUMBER = regex.compile(r"(?<=\b\d{1,4}/(?P<y>(?:19|20)\d\d)/(?:UBTV)?QH)(?P<t>\d{1,2})(?!\d)")


def _repair_terms(text: str) -> str:
    def fix(m: regex.Match) -> str:
        year, term = int(m.group("y")), m.group("t")
        allowed = [str(t) for t, years in _TERMS.items() if year in years]
        if not allowed or term in allowed:
            return term
        # the read digits must be a subsequence of exactly one term of that year
        fits = [a for a in allowed if _subsequence(term, a)]
        return fits[0] if len(fits) == 1 else term

    return _QH_NUMBER.sub(fix, text) if "QH" in text else text


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _type_alternation() -> str:
    """The document types' abbreviations of two letters or more, longest first, as an alternation."""
    types = sorted({a for fam in rules.abbr_to_type().values() for a in fam if len(a) >= 2}, key=len, reverse=True)
    return "|".join(map(regex.escape, types))


@cache
def _colon_slash() -> regex.Pattern:
    """"2126:KH-UBND": a number's slash read as a colon, before a document type's abbreviation and
    its hyphen (a colon is never written there)."""
    return regex.compile(r"(?<![\w/:])(?P<n>\d{1,5})\s?[:;]\s?(?=(?:" + _type_alternation() + r")\s?-)")


@cache
def _year_no_slash() -> regex.Pattern:
    """"95/2022NĐ-CP": the slash between a legal normative number's year and its type, lost."""
    return regex.compile(r"(?<![\w/])(?P<head>\d{1,5}/(?:19|20)\d{2})(?=(?:" + _type_alternation() + r")-)")


# "65/2023/QH15 ngày 19/02/2025": the year inside a legal normative number is its year of issue,
# so when it and the date that follows differ in one digit, one of them was misread: an
# implausible year (before 1945 or after next year: "2625", "2084") takes the other's,
# else the number takes the date's (three fields of a date are rarely all misread together)
_NUMBER_THEN_DATE = regex.compile(
    r"(?P<head>(?<![\w/])\d{1,5}/)(?P<y1>\d{4})(?P<mid>/[A-ZĐ][\w&-]*(?:\([\w]+\))?[ \t]*,?[ \t]*\n?[ \t]*ngày[ \t]+\d{1,2}"
    r"(?:[/.-]\d{1,2}[/.-]|[ \t]+tháng[ \t]+\d{1,2}[ \t]+năm[ \t]+))(?P<y2>\d{4})(?!\d)")


def _plausible_year(y: str) -> bool:
    """A year a cited document can bear: from the Democratic Republic's first texts to next year."""
    import datetime as dt

    return 1945 <= int(y) <= dt.date.today().year + 1


def _repair_number_years(text: str) -> str:
    def fix(m: regex.Match) -> str:
        y1, y2 = m.group("y1"), m.group("y2")
        if y1 == y2 or sum(a != b for a, b in zip(y1, y2)) != 1:
            return m.group(0)
        if not _plausible_year(y2) and _plausible_year(y1):
            y2 = y1
        else:
            y1 = y2
        return m.group("head") + y1 + m.group("mid") + y2

    return _NUMBER_THEN_DATE.sub(fix, text)


def repair_text(text: str) -> str:
    """OCR'd text → the same text with the forms of the module docstring repaired."""
    text = unicodedata.normalize("NFC", text)
    text = _repair_title_lines(text)
    for rx, rep in _phrases():
        text = rx.sub(rep, text)
    text = _BLANK_NO_SLASH.sub(lambda m: f"{m.group('head')}/{m.group('sym')}", text)
    text = _colon_slash().sub(lambda m: m.group("n") + "/", text)
    text = _year_no_slash().sub(lambda m: m.group("head") + "/", text)
    text = _repair_numbers(text)
    text = _repair_number_years(text)
    text = _repair_dates(text)
    text = _repair_names(text)
    return _repair_terms(text)  # after the number repair has closed "QHI5" into "QH5"
