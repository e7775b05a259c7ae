"""The header (thể thức, Nghị định 30/2020 Phụ lục I): issuer, number, place and date, type, subject.

Entry point: `read_header(text)`.

Layouts handled (the two header columns arrive in any order once flattened to text):
  vbpl:       CHÍNH PHỦ / CỘNG HÒA … / Độc lập … / Số: 249/2025/NĐ-CP / Hà Nội, ngày 19 tháng 09 năm 2025 / NGHỊ ĐỊNH / subject
  docx table: ỦY BAN NHÂN DÂN / TỈNH LÂM ĐỒNG / Số:   /BC-UBND / V/v … / CỘNG HÒA … / Lâm Đồng, ngày   tháng 01 năm 2026
  flattened:  ỦY BAN NHÂN DÂN TỈNH KON TUM ------- CỘNG HÒA … Số: 435/QĐ-UBND Kon Tum, ngày 04 tháng 5 năm 2020 QUYẾT ĐỊNH V/V …
  Party:      TỈNH ỦY QUẢNG NGÃI / * / Số 05-CT/TU / ĐẢNG CỘNG SẢN VIỆT NAM / Quảng Ngãi, ngày …
  Law:        QUỐC HỘI / … / Luật số: 121/2025/QH15 ; Nghị quyết số: 95/2025/UBTVQH15
  Portal:     Số hiệu: … / Loại văn bản: … / Cơ quan ban hành: … / Ngày ban hành: … / Người ký: …
  No header:  consolidated texts (VBHN), body-only copies — issuer inferred from the body
              ("UBND thị xã Đức Phổ báo cáo …") or the place line, at a lower confidence.
Blank draft fields: "Số:      /BC-UBND" → number None, symbol "BC-UBND";
"ngày    tháng 12 năm 2025" → date None, year 2025.
"""
from __future__ import annotations

from functools import cache

import regex

from .. import rules
from .agencies import display_name, split_bodies
from ..text.clean import fold, one_space
from ..models import Header, Span
from .regexes import BLANK_NUMBER, MOTTO, NUMBER, PARTY_MOTTO, SEG, YEAR, _matches_at, make_date

SYMBOL_STRICT = rf"{SEG}(?:-{SEG})+"  # at least two segments: a symbol, not a stray word
from .symbols import issuer_from_symbol, parse_number, parse_number_text, type_from_symbol

HEADER_WINDOW = 2500

# "Số: 76/KH-UBND", "SỐ: …", "Số 05-CT/TU" (Party), and the lower-case "số:" of a law's or
# resolution's own line ("Luật số: 121/2025/QH15"); a body phrase "Kết luận số 96-KL/TW" is not a Số line.
_SO = regex.compile(
    rf"(?:(?<!\p{{L}})(?P<label>Số|SỐ)(?:\s+hiệu)?|(?m:^)[ \t]*(?:Luật|Bộ\s+luật|Nghị\s+quyết(?:\s+liên\s+tịch)?|Pháp\s+lệnh|Lệnh)\s+số(?=\s*:))"
    rf"\s*[:.;]?\s*(?:{NUMBER}|(?P<blank>{BLANK_NUMBER}))",
    regex.V1,
)
# OCR of a handwritten number: "Số; <4%vTTr-CAT-PC04" — the symbol is still worth keeping
_ODD_NUMBER = regex.compile(r"(?:S[ốốoóắ]|SỐ)\s*[:.;]*\s*(?P<n>\d{1,6}(?:[-.]\d{1,4})+(?:/\d{2,4})?|\d{1,6}/\d{2})/", regex.V1)
_SO_SYMBOL_ONLY = regex.compile(
    rf"(?<!\p{{L}})(?:S[ốốoóắ]|SỐ)\s*[:.;]*\s*(?:[^\n]{{0,10}}?/[ ]?(?P<s_blank>{SYMBOL_STRICT})|[^\s/]{{0,6}}?"
    r"(?P<s_blank2>(?:TTr|QĐ|KH|BC|TB|CV|NQ|CT|GM|UBND|SNV|STP|STC|SYT|CAT)(?:-[A-ZĐ][A-Za-zĐ0-9()]*)+))",
    regex.V1,
)
# tolerant: OCR gives "CỘNG HOÀA NA HỘI CHỦ NGHĨA VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT"
_QUOC_HIEU = regex.compile(
    r"c[ộoôố]ng\s+h\S{1,4}\s+\S{1,3}\s+h[ộoôóỏ]i\s+ch\S{1,2}\s+ngh\S{1,3}(?:\s+vi\S{1,3}t)?(?:\s+nam)?",
    regex.IGNORECASE)
_MOTTO = regex.compile(MOTTO, regex.IGNORECASE)
_PARTY = regex.compile(PARTY_MOTTO, regex.IGNORECASE)
_BLANKISH = r"[\s._…\-]*"
_DATE_LINE = regex.compile(
    rf"(?:(?P<place>(?:TP\.\s*)?\p{{Lu}}[\p{{L}}'.]*(?:[ \t]+(?:\p{{Lu}}[\p{{L}}'.]*|\d+)){{0,5}})[ \t]*,[ \t]*)?"
    rf"ngày(?P<d>[ \t]*\d{{1,2}}|{_BLANKISH}|[ \t]*[^\s\d]{{1,2}}\d?)[ \t]*tháng(?P<m>[ \t]*\d{{1,2}}|{_BLANKISH}|[ \t]*[^\s\d]{{1,2}}\d?)[ \t]*năm[ \t]*(?P<y>{YEAR})?",
    regex.IGNORECASE,
)
_DATE_LINE_NUMERIC = regex.compile(
    rf"(?P<place>\p{{Lu}}[\p{{L}}'.]*(?:[ \t]+\p{{Lu}}[\p{{L}}'.]*){{0,5}})[ \t]*,[ \t]*ngày[ \t]*(?P<d>\d{{1,2}})[/.\-](?P<m>\d{{1,2}})[/.\-](?P<y>{YEAR})")
# Where a date line can first begin. Every `_DATE_LINE` match holds the word "ngày" (as the pattern
# reads it: case-insensitive), and its place runs on that word's line: no newline inside, except in
# the whitespace after a leading "TP.". So no match starts before the line of the first "ngày" (or
# that "TP."), and the search starts there instead of trying the place pattern, which with
# IGNORECASE reads a run of words at every letter, all over the header's lines (a quarter of the
# header's time).
_NGAY = regex.compile("ngày", regex.IGNORECASE)
_NGAY_EXACT = regex.compile("ngày")
_TP_THEN_BLANK = regex.compile(r"TP\.\s*\Z", regex.IGNORECASE | regex.REVERSE)


def _first_start(text: str, pos: int, word: regex.Pattern, tp: bool) -> int | None:
    """The lowest offset ≥ `pos` at which a date line (holding `word`, its place led by "TP." when
    `tp`) can start in `text`; None when `word` is not there."""
    w = word.search(text, pos)
    if w is None:
        return None
    lo = max(pos, text.rfind("\n", 0, w.start()) + 1)
    if tp:
        tm = _TP_THEN_BLANK.search(text, pos, lo)
        if tm:
            lo = tm.start()
    return lo


def _date_lines(text: str, pos: int = 0):
    """`_DATE_LINE.finditer(text, pos)`, the search started where a match can first begin."""
    lo = _first_start(text, pos, _NGAY, tp=True)
    return iter(()) if lo is None else _DATE_LINE.finditer(text, lo)


def _numeric_date_lines(text: str):
    """`_DATE_LINE_NUMERIC.finditer(text)`, the search started where a match can first begin."""
    lo = _first_start(text, 0, _NGAY_EXACT, tp=False)
    return iter(()) if lo is None else _DATE_LINE_NUMERIC.finditer(text, lo)


_VV = regex.compile(r"(?<!\p{L})V/[vV]\s*[:.]?\s*(?P<subject>[^\n]+(?:\n(?!\s*(?:CỘNG|Độc|Kính|\p{Lu}[\p{L}]*(?:[ \t]+\p{Lu}[\p{L}]*){0,4},\s*ngày))[^\n]{0,200})?)")
_BODY_START = regex.compile(
    r"^\s*(?:Căn\s+cứ|Kính\s+gửi|Thực\s+hiện|Theo\s+đề\s+nghị|Xét\s+đề\s+nghị|Điều\s+1\b|I\.\s|Phần\s+I\b|Chương\s+I\b|1\.\s)",
    regex.MULTILINE | regex.IGNORECASE,
)
_PORTAL = regex.compile(
    r"^\s*(?P<key>Số\s+hiệu|Loại\s+văn\s+bản|Cơ\s+quan\s+ban\s+hành|Nơi\s+ban\s+hành|Ngày\s+ban\s+hành|Người\s+ký)\s*:\s*(?P<value>[^\n]+)$",
    regex.MULTILINE | regex.IGNORECASE,
)
# body phrases that name the issuer when the header is missing: "UBND thị xã Đức Phổ báo cáo …"
# "UBND thị xã Đức Phổ báo cáo …", "Sở Nội vụ kính trình Chủ tịch UBND tỉnh …"
_BODY_ISSUER = regex.compile(
    r"(?P<name>(?:(?:UBND|Ủy\s+ban\s+nhân\s+dân|Uỷ\s+ban\s+nhân\s+dân)"
    r"\s+(?:tỉnh|thành\s+phố|TP\.?|huyện|quận|thị\s+xã|xã|phường|thị\s+trấn|đặc\s+khu)(?:\s+\p{Lu}[\p{L}]*){0,4})"
    r"|Sở(?:\s*(?:,|\svà|\s-)?\s+\p{Lu}[\p{L}]*(?:\s+\p{Ll}[\p{L}]*)?){1,4})"
    r"\s+(?:báo\s+cáo|kính\s+trình|trình|ban\s+hành|xây\s+dựng|thông\s+báo|đề\s+nghị|có\s+ý\s+kiến)\b",
)


@cache
def _titles_re() -> regex.Pattern:
    alts = "|".join(regex.escape(t).replace(r"\ ", r"\s+") for t, _ in rules.titles())
    return regex.compile(rf"(?<![\p{{L}}])(?P<title>{alts})(?![\p{{L}}])")


_WS_ANY = regex.compile(r"\s+")
_TWO_LETTERS = regex.compile(r"\p{L}{2}")
_SLASH_OR_DIGIT = regex.compile(r"[/\d]")


@cache
def _title_names() -> dict[str, str]:
    """Title as the table prints it → its name (the first row of a title wins, as a scan would)."""
    out: dict[str, str] = {}
    for t, name in rules.titles():
        out.setdefault(t, name)
    return out


def _title_name(title: str) -> str:
    key = one_space(title)  # (`_WS_ANY.sub(" ", title)`, by the test that skips it on single spaces)
    name = _title_names().get(key)
    return name if name is not None else key.title()


def _is_upper_line(line: str) -> bool:
    """At least two letters, 85% of them upper case. (The letters listed and counted by `filter` and
    `map` over the string's methods: the loops run in C, not as a generator per character.)"""
    letters = list(filter(str.isalpha, line))
    return len(letters) >= 2 and sum(map(str.isupper, letters)) / len(letters) >= 0.85


_MARKS = regex.compile(r"^(?:KHẨN|HỎA\s+TỐC|HOẢ\s+TỐC|THƯỢNG\s+KHẨN|MẬT|TỐI\s+MẬT|TUYỆT\s+MẬT|DỰ\s+THẢO|BẢN\s+SAO)\b.*$")
_COLUMN_GAP = regex.compile(r"\t+|[ ]{3,}|\s*\|\s*")
# per header line and column, compiled once (`regex.sub(pattern, …)` looks the pattern up each call)
_RULE_RUN = regex.compile(r"[-_=*]{2,}|^\s*\*\s*$")
_SO_WORD = regex.compile(r"(?:Số|SỐ)\b")
_COMMA_NGAY = regex.compile(r",\s*ngày", regex.IGNORECASE)
_TRAILING_GAP = regex.compile(r"(?:\t|[ ]{2,})\Z")
# What every match of the patterns removed from an issuer line holds, as `_issuer_block` tests it
# before the substitution (a header line holds none of most of them; each substitution cost more
# than the tests): `_QUOC_HIEU` an "ng" in any case ("c[ộoôố]ng"), `_MOTTO` and `_PARTY` a "đ" in
# any case (their first letter), `_RULE_RUN` one of its four characters "-_=*". Under IGNORECASE,
# "n", "g" and "đ" match only their two cases, which `str.lower` maps to the lower one
# (tests/test_perf_small_round4.py checks every character).


def _issuer_block(text: str, stop: int) -> tuple[list[str], int | None]:
    """Upper-case lines before `stop` (the title), quốc hiệu, motto, Số and date lines removed: the
    issuer's lines, in order, whichever column came first when the header table was flattened."""
    lines = []
    first = None
    pos = 0
    for raw in text[:stop].split("\n"):
        line_start = pos
        pos += len(raw) + 1
        if raw.count("|") >= 2 and not (_QUOC_HIEU.search(raw) or _SO.search(raw)):
            break  # a table row of the body (docx tables flattened with bars) is never the header
        # side-by-side columns ("ỦY BAN NHÂN DÂN        CỘNG HÒA …"): the left one is the issuer's
        # (a line without a tab, three spaces or a bar holds no gap: it is its one column)
        if "\t" in raw or "   " in raw or "|" in raw:
            cols = [c for c in _COLUMN_GAP.split(raw) if c.strip()]
        else:
            cols = [raw] if raw.strip() else []
        for col in cols or [""]:
            low = col.lower()
            line = _QUOC_HIEU.sub(" ", col) if "ng" in low else col
            if "đ" in low:
                line = _MOTTO.sub(" ", line)
                line = _PARTY.sub(" ", line)
            if "-" in line or "_" in line or "=" in line or "*" in line:
                line = _RULE_RUN.sub(" ", line)
            line = line.strip(" -_*\t")
            # (a line that is not upper case is passed over whatever the tests below say: it is
            # tested first, as the cheapest)
            if not line or not _is_upper_line(line) or _MARKS.match(line):
                continue
            if " " not in line and ("/" in line or line.startswith("-")):  # "/QĐ-UBND" of a blank Số
                continue
            if _SO_WORD.match(line) or _COMMA_NGAY.search(line):
                continue
            if first is None:
                first = line_start + max(0, raw.find(line[:5]))
            lines.append(line)
    return lines, first


def _column_start(text: str, pos: int) -> bool:
    """"Hà Nội, ngày 30/9/2024" opens a line or a column (after a tab or a run of spaces), not a
    sentence: "… tại Kết luận số 96-KL/TW, ngày 30/9/2024" is a citation's date."""
    return _at_line_start(text, pos) or _TRAILING_GAP.search(text[max(0, pos - 4):pos]) is not None


def _is_body_name(name: str) -> bool:
    """An issuer line opens with a head word (ỦY BAN, SỞ, BỘ, CÔNG AN …) or is a known body;
    "STT" of a table or "THAM LUẬN" is not an issuer."""
    from .agencies import _head_re, _known_names

    return _head_re().match(name.strip()) is not None or fold(display_name(name)) in _known_names()


# what a portal key opens with, as `_PORTAL` reads it (case-insensitive)
_PORTAL_KEY_START = regex.compile(r"[SLCN]", regex.IGNORECASE)


# the last two letters of each `_PORTAL` key (hiệu, bản, hành, ký), in lower case: every character
# IGNORECASE matches for one of these letters has it as its `str.lower` (the Kelvin sign "K" too)
_PORTAL_KEY_ENDS = frozenset({"ệu", "ản", "nh", "ký"})


def _portal_colon(window: str) -> bool:
    """Can `_PORTAL` match in `window`? Every match holds a key, blanks (`\\s*`) and a ":": so a ":"
    whose nearest non-blank characters before it end a key. Header windows hold a few ":" ("Số:",
    "Kính gửi:", "… như sau:"), and this test, not the listing of every line's first character,
    rules nearly all of them out. (Every `\\s` of `regex` is a `str.isspace` character, and the
    cases: tests/test_perf_small_round4.py.)"""
    i = window.find(":")
    while i >= 0:
        j = i
        while j > 0 and window[j - 1].isspace():
            j -= 1
        if j >= 2 and window[j - 2: j].lower() in _PORTAL_KEY_ENDS:
            return True
        i = window.find(":", i + 1)
    return False


def _portal_fields(text: str) -> dict[str, str]:
    """Portal metadata lines ("Số hiệu: …", "Người ký: …") in the header window, key → value.

    `_PORTAL` is tried only at the starts of lines whose first visible character can open a key, in
    order, skipping those inside the previous match (a value may run onto the next line): the same
    keys and values as its `finditer` over the window, which tried the pattern at every character.
    (A match `finditer` starts on a blank line above its key reads the same key and value from the
    key's line.)"""
    window = text[:HEADER_WINDOW]
    if not _portal_colon(window):
        return {}
    starts = []
    pos = 0
    for line in window.split("\n"):
        c = line.lstrip()[:1]
        if c and (c in "SLCNslcn" or (c > "\x7f" and _PORTAL_KEY_START.match(c))):
            starts.append(pos)
        pos += len(line) + 1
    out = {}
    for m in _matches_at(_PORTAL, window, starts):
        out[fold(m.group("key"))] = m.group("value").strip()
    return out


def read_header(text: str, untyped: str | None = "Văn bản", fields: dict | None = None) -> Header:
    """The header fields of a normalised text. `untyped` is the type of a whole text that names
    none (a speech, a score table); an OCR'd page without any header passes None, since a page cut
    from a longer document does not say what the document is. `fields`: what the OCR stage read of
    the first page's number and date blanks (`Page.header_fields`), for their confidence and source."""
    h = Header()
    window = text[:HEADER_WINDOW]
    body = _BODY_START.search(window)
    zone_end = body.start() if body else len(window)
    zone = window[:zone_end]

    # Số: number / blank number
    so = _SO.search(zone) or _SO_SYMBOL_ONLY.search(zone)
    if so:
        if so.re is _SO_SYMBOL_ONLY or so.group("blank") is not None:
            h.symbol = _WS_ANY.sub("", so.group("s_blank") or so.group("s_blank2"))
            if so.re is not _SO_SYMBOL_ONLY and so.group("y_blank"):
                h.issue_year = int(so.group("y_blank"))
            h.number_span = Span(so.start(), so.end())
            # an office's own numbering outside the three grammars: "Số:10-01/26/PT-NC" (kept as printed)
            odd = _ODD_NUMBER.match(so.group(0)) if so.re is _SO_SYMBOL_ONLY else None
            if odd:
                h.number = _WS_ANY.sub("", odd.group("n")) + "/" + h.symbol
        else:
            num = parse_number(so)
            h.number, h.symbol = num.number, num.symbol
            h.number_span = Span(so.start("n_norm") if so.group("n_norm") else so.start("n_party") if so.group("n_party") else so.start("n_admin"), so.end())

    # Place, ngày … tháng … năm …
    dm = next((m for m in _date_lines(zone) if m.group("place") or _at_line_start(zone, m.start())), None) \
        or next((m for m in _numeric_date_lines(zone) if _column_start(zone, m.start())), None)
    if dm is None:
        # a header table flattened cell by cell may put the place-date cell after "Kính gửi: …"
        # ("Kính gửi:\nCỘNG HÒA …\nĐộc lập …\nLâm Đồng, ngày  tháng 12 năm 2025\n- Các sở …")
        tail = window[: min(len(window), zone_end + 600)]
        dm = next((m for m in _date_lines(tail, zone_end) if m.group("place") and _at_line_start(tail, m.start())
                   and tail.count("\n", zone_end, m.start()) <= 8), None)
    if dm:
        h.date_span = Span(dm.start(), dm.end())
        if dm.group("y"):
            h.issue_year = int(dm.group("y"))
        d, m = (dm.group("d") or "").strip(" ._…-\t"), (dm.group("m") or "").strip(" ._…-\t")
        if d.isdigit() and m.isdigit() and dm.group("y"):
            h.issue_date = make_date(d, m, dm.group("y"))
        place = dm.group("place")
        if place:
            place = _clean_place(place)
            h.place = place or None

    # type title (upper case, after the Số and date lines) and its subject
    after = max([s.end for s in (h.number_span, h.date_span) if s] or [0])
    qh = _QUOC_HIEU.search(zone)
    if qh:
        after = max(after, qh.end())
    mo = _MOTTO.search(zone)
    if mo:
        after = max(after, mo.end())
    tm = _find_title(window, after, zone_end)
    if tm is None and after:
        tm = _find_title(window, 0, zone_end, own_line_only=True)
    if tm:
        h.doc_type = _title_name(tm.group("title"))
        h.doc_type_span = Span(tm.start(), tm.end())
        h.subject, h.subject_span = _subject_after(window, tm.end())
    vv = _VV.search(zone)
    if h.doc_type is None and vv:
        h.doc_type = "Công văn"
    if vv and (h.subject is None or h.doc_type == "Công văn"):
        h.subject = one_space(vv.group("subject")).strip(" |\t")
        h.subject_span = Span(vv.start("subject"), vv.end("subject"))
    if h.doc_type is None and h.number:
        num = parse_number(_SO.search(zone))
        h.doc_type = type_from_symbol(num)
    elif h.doc_type is None and h.symbol:
        h.doc_type = _type_from_blank_symbol(h.symbol)

    # issuer: upper-case lines of the header before the title (or before the Số / date line
    # when there is no title), whichever column came first
    stop = tm.start() if tm else min([x for x in (so.start() if so else None, dm.start() if dm else None)
                                      if x is not None] or [zone_end])
    lines, first = _issuer_block(window, stop)
    if lines:
        bodies = [b for b in split_bodies(lines) if _is_body_name(b)]
        if bodies:
            h.issuer = display_name(bodies[-1])
            h.issuer_parent = display_name(bodies[-2]) if len(bodies) >= 2 else None
            h.issuer_confidence = 1.0
            h.issuer_source = "header"
            if first is not None:
                h.issuer_span = Span(first, first + sum(len(ln) + 1 for ln in lines))

    if h.issue_date is None and h.date_span is None and h.doc_type in {"Luật", "Bộ luật", "Pháp lệnh", "Nghị quyết", "Hiến pháp"}:
        _date_of_passage(text, h)
    _consolidated(text, h)

    portal = _portal_fields(text)
    if portal:
        _apply_portal(h, portal)

    if h.issuer is None:
        _issuer_from_body(text, h, zone_end)
    if (h.issuer is None or h.issuer_source == "place") and h.number:
        # a scan cut at the top, a body-only copy: a central symbol still names its issuer, and
        # names it better than the place line's guess
        num = parse_number_text(h.number)
        implied = issuer_from_symbol(num) if num else None
        if implied:
            h.issuer, h.issuer_confidence, h.issuer_source = implied, 0.5, "symbol"

    # a text with no type title, no V/v and no symbol (a speech, a score table) is still a document:
    # "Văn bản", the catch-all class of the type table
    if h.doc_type is None and untyped and _TWO_LETTERS.search(window):
        h.doc_type = untyped
    h.body_start = max([s.end for s in (h.number_span, h.date_span, h.subject_span, h.doc_type_span) if s] or [0])
    _field_evidence(h, fields)
    return h


def _field_evidence(h: Header, fields: dict | None) -> None:
    """Confidence and source of the number and the date. A value read from a text layer or printed
    is typed (1.0, or Tesseract's confidence on a scan); the OCR stage's reading of a handwritten
    blank carries its own. A blank read unsure stays None, with the low confidence it had."""
    fields = fields or {}
    f = fields.get("number")
    if h.number is not None:
        h.number_source, h.number_confidence = "typed", 1.0
        if f and f.get("value") and regex.match(rf"{regex.escape(str(f['value']))}(?:/|$)", h.number):
            h.number_source, h.number_confidence = f["source"], f["confidence"]
    elif f and h.symbol:
        h.number_source, h.number_confidence = f["source"], f["confidence"]
    f = fields.get("date")
    if h.issue_date is not None:
        h.date_source, h.date_confidence = "typed", 1.0
        if f and f.get("value") == h.issue_date.isoformat():
            h.date_source, h.date_confidence = f["source"], f["confidence"]
    elif f and h.date_span is not None:
        h.date_source, h.date_confidence = f["source"], f["confidence"]


_VBHN = regex.compile(
    rf"(?P<issuer>(?:[^\S\n]*\p{{Lu}}[\p{{Lu}}\s,-]{{2,80}}\n)+)[\s_\-]*Số\s*:?\s*(?P<num>\d+/VBHN-[A-ZĐ][\w-]*)\s*"
    rf"(?:XÁC\s+THỰC\s+VĂN\s+BẢN\s+HỢP\s+NHẤT)\s*(?P<place>[^\n,]{{2,40}}),\s*ngày\s+(?P<d>\d{{1,2}})\s+tháng\s+(?P<m>\d{{1,2}})\s+năm\s+(?P<y>{YEAR})",
)


def _consolidated(text: str, h: Header) -> None:
    """A consolidated text (văn bản hợp nhất) opens with the title of the text it consolidates and
    carries its own identity in the authentication block at the end: "BỘ XÂY DỰNG / Số: 07/VBHN-BXD /
    XÁC THỰC VĂN BẢN HỢP NHẤT / Hà Nội, ngày 03 tháng 3 năm 2026"."""
    lo = max(0, len(text) - 4000)
    # every match holds the literal "/VBHN-" at or after `lo`: without it, the search (which tries
    # the upper-case issuer lines at every capital of the tail) cannot succeed
    if text.find("/VBHN-", lo) < 0:
        return
    m = _VBHN.search(text, lo)
    if not m:
        return
    num = parse_number_text(m.group("num"))
    if not num:
        return
    h.doc_type, h.number, h.symbol = "Văn bản hợp nhất", num.number, num.symbol
    h.number_span = Span(m.start("num"), m.end("num"))
    h.issue_date = make_date(m.group("d"), m.group("m"), m.group("y"))
    h.issue_year = int(m.group("y"))
    h.date_span = Span(m.start("place"), m.end("y"))
    h.place = _clean_place(m.group("place")) or None
    lines = [ln.strip(" _-") for ln in m.group("issuer").split("\n") if ln.strip(" _-")]
    if lines:
        bodies = split_bodies(lines)
        h.issuer = display_name(bodies[-1])
        h.issuer_parent = display_name(bodies[-2]) if len(bodies) > 1 else None
        h.issuer_confidence, h.issuer_source = 1.0, "authentication"
        h.issuer_span = Span(m.start("issuer"), m.end("issuer"))


# "… thông qua ngày 10 tháng 12 năm 2025", "… thông qua tại Phiên họp thứ 49 ngày 26 tháng 9 năm 2025"
_PASSED = regex.compile(rf"thông\s+qua(?:\s+tại\s+(?:[Pp]hiên\s+họp|[Kk]ỳ\s+họp)\s+thứ\s+[\w]+)?,?\s+ngày\s+(?P<d>\d{{1,2}})\s+tháng\s+(?P<m>\d{{1,2}})\s+năm\s+(?P<y>{YEAR})", regex.IGNORECASE)


def _date_of_passage(text: str, h: Header) -> None:
    """Laws and ordinances printed without a date line are dated by their passage
    ("… khóa XV, kỳ họp thứ 10 thông qua ngày 10 tháng 12 năm 2025"), the date they are cited by."""
    last = None
    for m in _PASSED.finditer(text, max(0, len(text) - 20000)):
        last = m
    if last:
        h.issue_date = make_date(last.group("d"), last.group("m"), last.group("y"))
        h.issue_year = int(last.group("y"))
        h.date_span = Span(last.start(), last.end())


def _at_line_start(text: str, pos: int) -> bool:
    """A date without a place is the date line only on its own line: "ngày 07 tháng 02 năm 2025"
    inside a title ("… Nghị quyết số 70/2025/UBTVQH15 ngày 07 tháng 02 năm 2025 …") is a citation's."""
    return not text[text.rfind("\n", 0, pos) + 1: pos].strip()


def _clean_place(place: str) -> str:
    place = one_space(place).strip(" ,")
    words = place.split(" ")
    # keep the trailing capitalised run ("Hạnh phúc Hà Nội" → "Hà Nội"; "…/QĐ-UBND Kon Tum" → "Kon Tum")
    keep: list[str] = []
    for w in reversed(words):
        if w[:1].isupper() and not _SLASH_OR_DIGIT.search(w) and not _is_upper_line(w) or w in {"TP.", "TP"}:
            keep.append(w)
        elif w[:1].isupper() and len(w) > 1 and _is_upper_line(w) and not keep:
            break
        else:
            break
    return " ".join(reversed(keep))


# `_find_title`'s patterns, compiled once (`regex.search(pattern, …)` looks the pattern up per call)
_YEAR_OR_RULE_END = regex.compile(r"\d{4}\s*$|[-]{3,}\s*$")
_FLAT_SUBJECT_OPENING = regex.compile(r"\s*(?:V/V|VỀ|V/v|Về|\p{Lu})")


def _find_title(window: str, start: int, end: int, own_line_only: bool = False) -> regex.Match | None:
    for m in _titles_re().finditer(window, start, max(end, start)):
        line_start = window.rfind("\n", 0, m.start()) + 1
        line_end = window.find("\n", m.end())
        line_end = len(window) if line_end < 0 else line_end
        before = window[line_start: m.start()].strip()
        after = window[m.end(): line_end].strip()
        alone = not before and (not after or not _is_upper_line(after) or after.startswith(("V/V", "VỀ", "V/v", "Về")))
        # flattened: "… năm 2020 QUYẾT ĐỊNH V/V BAN HÀNH …"
        flat = not own_line_only and (before == "" or _YEAR_OR_RULE_END.search(before)) and \
            _FLAT_SUBJECT_OPENING.match(window[m.end(): m.end() + 5] or "x")
        if alone or flat:
            return m
    return None


# `_subject_after`'s patterns, compiled once (`regex.match(pattern, …)` looks the pattern up per call)
_NEXT_CHAR = regex.compile(r"\n*[ \t]*(\S)")
_RULE_LINE = regex.compile(r"[-_*=]{3,}")
_AUTHORITY_LINE = regex.compile(r"(?:CHỦ\s+TỊCH|BỘ\s+TRƯỞNG|THỦ\s+TƯỚNG|GIÁM\s+ĐỐC|QUỐC\s+HỘI\b|CHÍNH\s+PHỦ\b|ỦY\s+BAN|UỶ\s+BAN|HỘI\s+ĐỒNG)")
_BODY_DATE = regex.compile(r"Ngày\s+\d{1,2}(?:\s*[/.\-]|\s+tháng)")
_TRAILING_AUTHORITY = regex.compile(r"\s+(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN[\p{Lu}\s]*$")


def _subject_after(window: str, pos: int) -> tuple[str | None, Span | None]:
    """The subject (trích yếu): rest of the title line, or the following lines up to a break."""
    rest_line_end = window.find("\n", pos)
    rest_line_end = len(window) if rest_line_end < 0 else rest_line_end
    rest = window[pos:rest_line_end].strip()
    lines: list[tuple[int, str]] = []
    start = None
    if rest:
        start = pos + (len(window[pos:rest_line_end]) - len(window[pos:rest_line_end].lstrip()))
        lines.append((start, rest))
        cursor = rest_line_end + 1
    else:
        cursor = rest_line_end + 1
        # skip blank lines and decorations
        while cursor < len(window):
            nl = window.find("\n", cursor)
            nl = len(window) if nl < 0 else nl
            ln = window[cursor:nl].strip(" \t-_*")
            if ln:
                break
            cursor = nl + 1
    # `_is_upper_line` of the last line kept (None: not yet asked), and the length of the lines
    # joined with spaces, kept as the lines are added rather than recomputed for each
    last_upper = None
    joined = sum(len(x) for _, x in lines) + len(lines) - 1
    while cursor < len(window) and len(lines) < 12:
        nl = window.find("\n", cursor)
        nl = len(window) if nl < 0 else nl
        raw = window[cursor:nl]
        ln = raw.strip()
        if not ln:
            # vbpl prints a wrapped title with blank lines between its lines: continue when the
            # next line reads as a continuation (starts in lower case or with a digit)
            nxt = _NEXT_CHAR.match(window, nl)
            if lines and nxt and (nxt.group(1).islower() or nxt.group(1).isdigit()):
                cursor = nl + 1
                continue
            break
        if _RULE_LINE.match(ln):
            break
        if _BODY_START.match(ln) or _AUTHORITY_LINE.match(ln):
            break
        upper = None
        if lines:
            upper = _is_upper_line(ln)
            if last_upper is None:
                last_upper = _is_upper_line(lines[-1][1])
            if upper != last_upper:
                break
        # the body begins: "Ngày 18/3/2024, Chủ tịch UBND huyện chủ trì …", or a paragraph (a title
        # wraps in short lines; a text file holds a body paragraph on one long line)
        if _BODY_DATE.match(ln) or (lines and len(ln) > 250):
            break
        if start is None:
            start = cursor + (len(raw) - len(raw.lstrip()))
        lines.append((cursor, ln))
        last_upper = upper
        joined += len(ln) + 1
        cursor = nl + 1
        if joined > 900:  # (len(" ".join(the lines)))
            break
    if not lines:
        return None, None
    subject = one_space(" ".join(x for _, x in lines)).strip(" |\t")
    # flattened header: the subject runs into the issuer authority line ("… ỦY BAN NHÂN DÂN TỈNH KON TUM")
    subject = _TRAILING_AUTHORITY.sub("", subject)
    end = lines[-1][0] + len(lines[-1][1])
    return subject, Span(start or lines[0][0], end)


def _type_from_blank_symbol(symbol: str) -> str | None:
    """"BC-UBND" → Báo cáo; "UBND-NC" (no type abbreviation) → Công văn."""
    fake = regex.match(NUMBER, f"1/{symbol}", regex.V1)
    if not fake:
        return None
    return type_from_symbol(parse_number(fake))


def _apply_portal(h: Header, portal: dict[str, str]) -> None:
    """Portal metadata blocks (vbpl.vn, thuvienphapluat.vn) fill what the header left empty."""
    if h.number is None and "số hiệu" in portal:
        m = regex.search(NUMBER, portal["số hiệu"], regex.V1)
        if m:
            num = parse_number(m)
            h.number, h.symbol = num.number, num.symbol
    if h.doc_type is None and "loại văn bản" in portal:
        h.doc_type = portal["loại văn bản"].strip()
    if h.issuer is None and "cơ quan ban hành" in portal:
        h.issuer = display_name(portal["cơ quan ban hành"])
        h.issuer_confidence = 0.9
        h.issuer_source = "portal"
    if h.issue_date is None and "ngày ban hành" in portal:
        m = regex.search(rf"(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-]({YEAR})", portal["ngày ban hành"])
        if m:
            h.issue_date = make_date(*m.groups())
            h.issue_year = h.issue_date.year if h.issue_date else h.issue_year
    if "người ký" in portal:
        h.__dict__.setdefault("portal_signer", portal["người ký"])


_ISSUER_LINE = regex.compile(
    r"^[ \t]*(?P<name>(?:UBND|Ủy\s+ban\s+nhân\s+dân|Uỷ\s+ban\s+nhân\s+dân|Sở\s+\p{Lu}[\p{L} ,-]{2,60}?|Công\s+an)"
    r"(?:\s+(?:tỉnh|thành\s+phố|TP\.?|huyện|quận|thị\s+xã|xã|phường|thị\s+trấn|đặc\s+khu)(?:\s+\p{Lu}[\p{L}]*){1,4})?)[ \t]*$",
    regex.MULTILINE | regex.IGNORECASE,
)


def _issuer_from_body(text: str, h: Header, zone_end: int) -> None:
    """No header: a line naming the body under a tham luận's title ("UBND Tỉnh Điện Biên"), or
    "UBND thị xã Đức Phổ báo cáo …" in the first paragraphs; else only the place line is known."""
    for rx, end, confidence in ((_ISSUER_LINE, max(zone_end, 1200), 0.7), (_BODY_ISSUER, 6000, 0.6)):
        m = rx.search(text, 0, min(len(text), end))
        if m:
            h.issuer = display_name(m.group("name"))
            h.issuer_confidence = confidence
            h.issuer_source = "body"
            h.issuer_span = Span(m.start("name"), m.end("name"))
            return
    if h.place:
        # only the place is known: the provincial People's Committee of that place is the best
        # guess an auditor can be shown, flagged by its low confidence
        kind = _province_kind(h.place)
        if kind:
            h.issuer = display_name(f"Ủy ban nhân dân {kind} {h.place}")
            h.issuer_confidence = 0.3
            h.issuer_source = "place"


@cache
def _provinces() -> dict[str, str]:
    return {fold(r[0]): r[1].strip() for r in rules.read_table("provinces.tsv", 5)}


def _province_kind(place: str) -> str | None:
    return _provinces().get(fold(regex.sub(r"^(?:TP\.?|Thành phố|Tỉnh)\s+", "", place)))
