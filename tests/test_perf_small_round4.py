"""The fourth round of shortcuts in the small stages (issue 12) answers exactly what the plain code did.

Header: an issuer line's substitutions tried only when what every match holds is there, its columns
split only when a gap can be, the letter counts of `_is_upper_line` by `filter`/`map`, the portal
fields read only when a ":" follows the end of a key, `_subject_after` asking each line's case once.
Signature: the triggers read a chunk at a time, the windows given one by one (the reading stops
where the signature is settled). Identity: each distinct citation resolved once per document, each
assignee once. Document: one page needs no bisection. The tests draw texts from the pieces that
make those cases hard and compare each shortcut with the plain code (kept here, or in the module
as `*_plain`). Speed is measured by `vanban bench` (the text path's stages), never by a test.
"""
from __future__ import annotations

import datetime as dt

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import header, identity, signature
from pipeline.extract.regexes import iter_from_openings
from pipeline.models import Citation, DocumentRecord, Header, Page, Task


def _texts(pieces, max_size=30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- header: the letters and cases the pre-tests rely on ------------------------------------------

def test_ignorecase_letters_lower_to_the_tested_letter():
    """`_issuer_block` tests "ng" and "đ", `_portal_colon` the last two letters of each portal key,
    in `str.lower` of the text: every character IGNORECASE matches for one of those letters must
    lower to it (the Kelvin sign for "k" does)."""
    for letter in "ngđệảnhkuý":
        rx = regex.compile(letter, regex.IGNORECASE)
        for cp in range(0x110000):
            c = chr(cp)
            if rx.fullmatch(c):
                assert c.lower() == letter, (letter, hex(cp))


def test_regex_spaces_are_str_spaces():
    rx = regex.compile(r"\s")
    assert all(chr(c).isspace() for c in range(0x110000) if rx.fullmatch(chr(c)))


def test_portal_key_ends_are_the_keys():
    keys = regex.search(r"\(\?P<key>(.*?)\)\\s\*:", header._PORTAL.pattern).group(1).split("|")
    ends = {regex.sub(r"\\s\+", " ", k)[-2:].lower() for k in keys}
    assert ends == set(header._PORTAL_KEY_ENDS)


def _plain_is_upper_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) / len(letters) >= 0.85


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=30) | _texts(["ỦY", "BAN", "ban", " ", "Ⓐ", "ǅ", "Ⅻ", "ª", "1", "ß", "ﬁ", "İ", "x", "X"], 12))
def test_upper_line_is_the_plain_count(line):
    assert header._is_upper_line(line) == _plain_is_upper_line(line)


def _plain_issuer_block(text: str, stop: int):
    """`_issuer_block` as it was: every column split, every substitution made."""
    lines, first, pos = [], None, 0
    for raw in text[:stop].split("\n"):
        line_start = pos
        pos += len(raw) + 1
        if raw.count("|") >= 2 and not (header._QUOC_HIEU.search(raw) or header._SO.search(raw)):
            break
        cols = [c for c in header._COLUMN_GAP.split(raw) if c.strip()]
        for col in cols or [""]:
            line = header._QUOC_HIEU.sub(" ", col)
            line = header._MOTTO.sub(" ", line)
            line = header._PARTY.sub(" ", line)
            line = header._RULE_RUN.sub(" ", line).strip(" -_*\t")
            if not line or header._MARKS.match(line):
                continue
            if " " not in line and ("/" in line or line.startswith("-")):
                continue
            if header._SO_WORD.match(line) or header._COMMA_NGAY.search(line):
                continue
            if _plain_is_upper_line(line):
                if first is None:
                    first = line_start + max(0, raw.find(line[:5]))
                lines.append(line)
    return lines, first


_HEADER_PIECES = ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Cộng hoà xã hội chủ nghĩa Việt Nam",
                  "CỘNG", "NG", "nG", "Độc lập - Tự do - Hạnh phúc", "ĐỘC LẬP - TỰ DO - HẠNH PHÚC", "ĐẢNG CỘNG SẢN VIỆT NAM",
                  "Đ", "đ", "độc", "-------", "---", "--", "-", "_", "__", "=", "==", "*", " * ", "**", "\n", "\n", "\t", "   ",
                  "  ", " ", "|", " | ", "Số: 12/KH-UBND", "SỐ", "/QĐ-UBND", "Hà Nội, ngày 1 tháng 2 năm 2024", ", ngày",
                  "KHẨN", "MẬT", "DỰ THẢO", "SỞ Y TẾ", "x", "ABC", "abc", "ß", "İ", "ǅ"]


@settings(max_examples=2000, deadline=None)
@given(_texts(_HEADER_PIECES, 24), st.integers(0, 400))
def test_issuer_block_is_the_plain_one(text, stop):
    stop = min(stop, len(text))
    assert header._issuer_block(text, stop) == _plain_issuer_block(text, stop)


def _plain_portal_fields(text: str) -> dict[str, str]:
    window = text[:header.HEADER_WINDOW]
    return {header.fold(m.group("key")): m.group("value").strip() for m in header._PORTAL.finditer(window)}


_PORTAL_PIECES = ["Số hiệu", "SỐ HIỆU", "số  hiệu", "Loại văn bản", "LOẠI VĂN BẢN", "Cơ quan ban hành", "Nơi ban hành",
                  "Ngày ban hành", "NGÀY BAN HÀNH", "Người ký", "NGƯỜI KÝ", "người \u212aý", "Người kÝ", "hiệu", "bản", "hành",
                  "ký", ":", " :", "\n:", ": ", "\xa0", "\u2003", "\x1c", "\x85", "\n", "\n", " ", "  ", "\t", "12/KH-UBND",
                  "Nguyễn Văn A", "x", "như sau", "Nơi nhận", "ệu", "ản", "nh", "ký"]


@settings(max_examples=2000, deadline=None)
@given(_texts(_PORTAL_PIECES, 20))
def test_portal_fields_are_the_finditer(text):
    assert header._portal_fields(text) == _plain_portal_fields(text)


def _plain_subject_after(window: str, pos: int) -> tuple[str | None, Span | None]:
    """`_subject_after` as it was: each line's case asked again for the next, the lines joined to measure them."""
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
    while cursor < len(window) and len(lines) < 12:
        nl = window.find("\n", cursor)
        nl = len(window) if nl < 0 else nl
        raw = window[cursor:nl]
        ln = raw.strip()
        if not ln:
            # vbpl prints a wrapped title with blank lines between its lines: continue when the
            # next line reads as a continuation (starts in lower case or with a digit)
            nxt = header._NEXT_CHAR.match(window, nl)
            if lines and nxt and (nxt.group(1).islower() or nxt.group(1).isdigit()):
                cursor = nl + 1
                continue
            break
        if header._RULE_LINE.match(ln):
            break
        if header._BODY_START.match(ln) or header._AUTHORITY_LINE.match(ln):
            break
        if lines and _plain_is_upper_line(ln) != _plain_is_upper_line(lines[-1][1]):
            break
        # the body begins: "Ngày 18/3/2024, Chủ tịch UBND huyện chủ trì …", or a paragraph (a title
        # wraps in short lines; a text file holds a body paragraph on one long line)
        if header._BODY_DATE.match(ln) or (lines and len(ln) > 250):
            break
        if start is None:
            start = cursor + (len(raw) - len(raw.lstrip()))
        lines.append((cursor, ln))
        cursor = nl + 1
        if len(" ".join(x for _, x in lines)) > 900:
            break
    if not lines:
        return None, None
    subject = header._WS_ANY.sub(" ", " ".join(x for _, x in lines)).strip(" |\t")
    # flattened header: the subject runs into the issuer authority line ("… ỦY BAN NHÂN DÂN TỈNH KON TUM")
    subject = header._TRAILING_AUTHORITY.sub("", subject)
    end = lines[-1][0] + len(lines[-1][1])
    return subject, header.Span(start or lines[0][0], end)


_SUBJECT_PIECES = ["VỀ VIỆC", "Về việc thử", "\n", "\n\n", "\n \n", " ", "\t", "---", "___", "***", "CHỦ TỊCH", "ỦY BAN",
                   "Căn cứ", "Ngày 18/3/2024", "Ngày 1 tháng", "ban hành", "1. ", "x" * 120, "y" * 260, "|", "ABC DEF", "abc"]


@settings(max_examples=2000, deadline=None)
@given(_texts(_SUBJECT_PIECES, 30), st.integers(0, 40))
def test_subject_is_the_plain_one(window, pos):
    pos = min(pos, len(window))
    assert header._subject_after(window, pos) == _plain_subject_after(window, pos)


# --- signature: the windows read a chunk at a time --------------------------------------------------

_SIG_PIECES = ["TM", "KT", "Q", "TL", "TUQ", "T/M", "K/T", "T.M", "K.T", ".", ". ", " ", "\t", "\n", "\x1c", "\x85", "\u2028",
               "\xa0", "Nơi", "nhận", "Nơi nhận", "Nơi  nhận", "UBND", "xTM", "a", "Đ", "CHỦ TỊCH", "theo", "ĐQ", ":", "T",
               "K", "x" * 40, "y" * 700, "\n" * 30, " " * 50, "CHỦ TỊCH\nNguyễn Văn A", "ậ", "ơ", "/", "h", "i", "n"]


def _windows_plain(text: str) -> list[tuple[int, int]]:
    """`signature._windows` from every trigger of the text at once (the code it replaced)."""
    spans = [(max(0, len(text) - 2 * signature.WINDOW), len(text))]
    for m in iter_from_openings(signature._TRIGGER, text, signature._TRIGGER_OPENINGS):
        spans.append((max(0, m.start() - signature.WINDOW), min(len(text), m.end() + signature.WINDOW)))
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


@settings(max_examples=1500, deadline=None)
@given(_texts(_SIG_PIECES, 40), st.sampled_from([1, 2, 3, 5, 8, 64, 700, 4096, signature.TRIGGER_CHUNK]))
def test_windows_by_chunks_are_the_plain_windows(text, chunk):
    saved = signature.TRIGGER_CHUNK
    signature.TRIGGER_CHUNK = chunk
    try:
        assert signature._windows(text) == _windows_plain(text)
        lazy = signature._LazyWindows(text)
        head = next(iter(lazy), None)
        assert list(lazy) == _windows_plain(text)  # read on after a partial read
        assert head == (_windows_plain(text) or [None])[0]
    finally:
        signature.TRIGGER_CHUNK = saved


_BLOCK_PIECES = ["TM. ỦY BAN NHÂN DÂN\n", "KT. CHỦ TỊCH\n", "PHÓ CHỦ TỊCH\n", "CHỦ TỊCH\n", "(Đã ký)\n", "Nguyễn Văn An\n",
                 "Trần Thị Bình\n", "Nơi nhận:\n", "- Như trên;\n", "- Lưu: VT.\n", "PHỤ LỤC\n", "Nội dung văn bản.\n",
                 "y" * 900 + "\n", "z" * 1600, "\n\n", "KT. GIÁM ĐỐC\n", "BỘ TRƯỞNG\n", "\t\t", "   "]


@settings(max_examples=400, deadline=None)
@given(_texts(_BLOCK_PIECES, 30), st.sampled_from([1, 50, 3000, signature.TRIGGER_CHUNK]))
def test_signature_is_read_as_from_every_window(text, chunk):
    """The block chosen from the windows read one by one is the one chosen from the whole list."""
    saved = signature.TRIGGER_CHUNK
    signature.TRIGGER_CHUNK = chunk
    try:
        want = signature._read_signature(text, side=False, windows=_windows_plain(text))
        got = signature._read_signature(text, side=False, windows=signature._LazyWindows(text))
        assert got == want
    finally:
        signature.TRIGGER_CHUNK = saved


# --- identity: each distinct citation and assignee resolved once --------------------------------------

_ISSUERS = [None, "", "Chính phủ", "Ủy ban nhân dân tỉnh", "Ủy ban nhân dân huyện", "Sở Y tế", "Bộ Tài chính",
            "Ủy ban nhân dân tỉnh Quảng Ngãi", "Ủy ban nhân dân huyện Bình Sơn (cũ)", "Phòng Y tế"]
_NUMBERS = [None, "56/2017/NĐ-CP", "12/KH-UBND", "15/2024/NQ-HĐND", "08/KH-UBND", "3812/SLĐT BXH-VP"]
_DATES = [None, dt.date(2024, 3, 26), dt.date(2025, 8, 1)]

_CITATIONS = st.builds(
    lambda issuer, raw, number, name, date, year: Citation(
        mention="x", start=0, end=1, cited_issuer=issuer, cited_issuer_raw=raw, cited_number=number,
        cited_name=name, cited_date=date, cited_year=year),
    st.sampled_from(_ISSUERS), st.sampled_from([None, "UBND tỉnh", "UBND huyện Bình Sơn (cũ)", "(cũ)"]),
    st.sampled_from(_NUMBERS), st.sampled_from([None, "Luật Đất đai", "Bộ luật Dân sự"]), st.sampled_from(_DATES),
    st.sampled_from([None, 2017, 2024]))
_TASKS = st.builds(lambda a, kind: Task(assignee=a, action="x", start=0, end=1, assignee_kind=kind),
                   st.sampled_from(["Sở Y tế", "UBND huyện", "Ủy ban nhân dân tỉnh", "các sở, ngành", "Phòng Nội vụ"]),
                   st.sampled_from(["body", "collective", "person"]))


def _plain_annotate(record: DocumentRecord) -> None:
    """`annotate`'s citation and task loops as they were: each citation's keys computed, the
    canonical issuer memoised on (issuer, date, year, "(cũ)"), each task's probe made."""
    h = record.header
    where = identity._with_province(identity.jurisdiction_of(h.issuer_canonical, h.issuer_parent), h.issue_date)
    for t in record.tasks:
        if t.assignee_kind != "collective":
            probe = Citation(mention="", start=0, end=0, cited_issuer=identity.display_name(t.assignee),
                             cited_date=h.issue_date, cited_year=h.issue_year)
            t.assignee_canonical = identity.canonical_cited_issuer(probe, where, h.issue_date)
        else:
            t.assignee_canonical = t.assignee
    memo = {}
    for c in record.citations:
        key = (c.cited_issuer, c.cited_date, c.cited_year,
               identity._marked_old(c.cited_issuer_raw)) if c.cited_issuer else None
        if key is None:
            c.cited_issuer_canonical = None
        elif key in memo:
            c.cited_issuer_canonical = memo[key]
        else:
            c.cited_issuer_canonical = memo[key] = identity.canonical_cited_issuer(c, where, h.issue_date)
        c.number_key = identity.number_key(c.cited_number)
        c.target_key = identity.citation_target_key(c)
        c.target_id = c.target_key


def _record(cits, tasks, issuer, date):
    h = Header(issuer=issuer, issue_date=date, issue_year=date.year if date else None, number="12/KH-UBND")
    return DocumentRecord(doc_id="x", source_path="x", source_sha256="x", kind="txt", pages=[Page(1, "x")],
                          header=h, citations=cits, tasks=tasks)


@settings(max_examples=400, deadline=None)
@given(st.lists(_CITATIONS, max_size=12), st.lists(_TASKS, max_size=6), st.sampled_from(_ISSUERS[2:]), st.sampled_from(_DATES))
def test_annotate_is_the_plain_loops(cits, tasks, issuer, date):
    import copy

    got = _record(copy.deepcopy(cits), copy.deepcopy(tasks), issuer, date)
    want = _record(copy.deepcopy(cits), copy.deepcopy(tasks), issuer, date)
    identity.annotate(got)
    identity.annotate(want)  # the document's own fields, then the loops again the plain way
    _plain_annotate(want)
    assert got.citations == want.citations
    assert got.tasks == want.tasks


# --- document: the page of each citation --------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.integers(0, 5), st.integers(1, 9), st.lists(st.integers(0, 20), max_size=8))
def test_one_page_needs_no_bisection(start, page, offsets):
    from pipeline.document import _page_of

    pages = [Page(page, "x")]
    pages[0].start = start
    only, first = pages[0].page, start
    for o in offsets:
        assert (only if o >= first else 1) == _page_of(pages, o)


# --- clean: an old tone form only where a syllable ends ------------------------------------------------

def test_tone_pairs_never_overlap_and_letters_are_regex_letters():
    """`canonical_tone` reads the hint's matches in turn (no pair's second letter opens a pair, so
    none hides another) and tests the next character with `str.isalpha`, every one of which
    `regex`'s `\\p{L}` matches (the others are asked of `regex`)."""
    from pipeline.text import clean

    rx, mapping = clean._tone_re()
    assert not ({k[0] for k in mapping} & {k[1] for k in mapping})
    letter = regex.compile(r"\p{L}")
    assert all(letter.fullmatch(chr(cp)) for cp in range(0x110000) if chr(cp).isalpha())


_TONE_PIECES = ["hoà", "hoàn", "hoạch", "toàn", "khoản", "Uỷ", "UỶ", "uỷ ban", "thuỷ", "Quý", "quýt", "oà", "OÀ", "Oà", "o", "u",
                "O", "U", "à", "ạ", "ý", "ỳ", " ", ".", ",", "1", "²", "Ⅻ", "ǅ", "ʰ", "x", "\u0300", "-", "\n", "\u0558", "\ua7cb",
                "\U0001e030", "\u0c5c"]


@settings(max_examples=3000, deadline=None)
@given(st.text(max_size=30) | _texts(_TONE_PIECES, 14))
def test_tone_is_the_plain_substitution(s):
    from pipeline.text import clean

    rx, mapping = clean._tone_re()
    assert clean.canonical_tone(s) == rx.sub(lambda m: mapping[m.group(0)], s)
