"""Find the documents a text cites.

Entry point: `find_citations(text, own_number=None, where=None)`.

The finder anchors on what is hardest to fake, the document number, then reads outwards: the type
word and parts to the left, the date, issuer and subject to the right. Named laws, which carry no
number, are found in a second pass. Forms handled (one branch each in `_read_left`):

  Full:          Quyết định số 2750/QĐ-UBND ngày 05/7/2017 của UBND thị xã
  No "số":       Công văn 627/BYT-BH ngày 27/01/2021
  Colon:         Công văn số: 144/SNV-TCBC
  List:          các Quyết định số: 2750/QĐ-UBND ngày 05/7/2017, 4799/QĐ-UBND ngày 31/12/2020 (one row each)
  Named+number:  Luật Viên chức số 58/2010/QH12
  Amending law:  Luật sửa đổi, bổ sung một số điều của Luật Cán bộ, công chức và Luật Viên chức số 52/2019/QH14
  Typeless:      văn bản số 1413/PC04 ; số 253/TTr-SNV (type from the symbol: TTr → Tờ trình)
  Bare symbol:   (Nghị định 56/2017/NĐ-CP, 12/2024/NĐ-CP) — a known symbol gives the type
  Part:          mục 18 phần VI Kế hoạch số 92/KH-UBND → part "mục 18 phần VI"
  Dates:         ngày 05/7/2017 · 9-5-2017 · ngày 26 tháng 8 năm 2025 · năm 2020 (year only)
  Named law:     Luật Trẻ em ; Bộ luật Lao động ; Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015
  Short form:    Kế hoạch số 92/KH-UBND after its full citation → date and issuer inherited

Not references: the document's own number, form and annex codes ("Mẫu số 01/PCTN"), phone numbers.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from functools import cache, lru_cache

import regex

from .. import rules
from .agencies import Jurisdiction, display_name
from .agencies import resolve_issuer as _resolve_issuer
from ..text.clean import fold
from ..models import Citation
from .regexes import (
    YEAR,
    date_from_match,
    make_date,
    date_re,
    excluded_before_re,
    generic_before_re,
    iter_numbers,

    law_type_before_re,
    part_before_re,
    OF_GAP_LETTERS,
    type_word_before_plain_re,
    type_word_before_re,
    type_word_re,
)
from .implicit import find_implicit
from .relations import assign_relations
from .symbols import Number, issuer_from_symbol, parse_number, symbol_is_known, type_from_symbol, type_of_symbol

# An issuer as printed, completed from the citing document's place: a pure function of the two,
# and the same few issuers ("UBND tỉnh", "Chính phủ", "Bộ Tài chính") are cited again and again
resolve_issuer = lru_cache(maxsize=16384)(_resolve_issuer)

_WHERE_MEMO: tuple = (None, {})  # the last place asked about (the object itself) and its issuers, one pair
_MISSING = object()


def _resolve_here(name: str, where: Jurisdiction | None) -> str | None:
    """`resolve_issuer(name, where)`, remembered for the last `where` object asked about: a text asks
    about one place, the same few issuers again and again, and the cache's key hashes and compares
    the place's four fields each time (a frozen place: the same object gives the same answers).
    The place and its answers are read and replaced as one pair, so that threads extracting texts
    of different places at once never share answers."""
    global _WHERE_MEMO
    last, memo = _WHERE_MEMO
    if last is not where or len(memo) > 4096:  # (bounded, as the cache)
        memo = {}
        _WHERE_MEMO = (where, memo)
    got = memo.get(name, _MISSING)
    if got is _MISSING:
        got = memo[name] = resolve_issuer(name, where)
    return got


# `fold` of a number, a name or an issuer (short strings that recur in every text: "56/2017/NĐ-CP",
# "Chính phủ"), cached: the keys of short forms and targets fold each citation's fields again
_fold_short = lru_cache(maxsize=16384)(fold)

LEFT_WINDOW = 260
# Every look to the right of a position is bounded (no extractor may be super-linear in its input):
# `regex` scans ahead for a pattern's required literal ("khóa", "Điều") over the whole rest of the
# text unless the match is given an end, so `match(text, pos)` costs the distance to the next
# occurrence. Each reach is far beyond what its grammar can span.
TERM_REACH = 120  # " khóa XII" after an issuer
WORD_REACH = 200  # a stop word or the type word after "và" in an issuer
LIST_GAP_REACH = 300  # ", và các số: " between two items of a list


class _SpanSet:
    """Half-open spans [a, b), merged once; `covers(x)` by bisection instead of a scan of every span."""

    def __init__(self, spans):
        merged: list[list[int]] = []
        for a, b in sorted((a, b) for a, b in spans if a < b):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def covers(self, x: int) -> bool:
        i = bisect_right(self.starts, x) - 1
        return i >= 0 and x < self.ends[i]


_WS = regex.compile(r"\s+")
# the four separators `str.split` takes for spaces and `\s` does not (U+001C-U+001F; every `\s` is a
# space to `str.split`: tests/test_perf_citations_scan.py)
_SPLIT_ONLY_SPACES = ("\x1c", "\x1d", "\x1e", "\x1f")


def _spaced(s: str, chars: str | None = None) -> str:
    """`_WS.sub(" ", s).strip(chars)`: the runs of spaces made one, the ends stripped. Where `s` holds
    none of the separators only `str.split` counts as spaces, that is `" ".join(s.split()).strip(chars)`
    (`chars` None or holding the space), a tenth of the pattern's cost (a subject, a part, a law's
    name: thousands a corpus)."""
    for ch in _SPLIT_ONLY_SPACES:
        if ch in s:
            return _WS.sub(" ", s).strip(chars)
    return " ".join(s.split()).strip(chars) if chars else " ".join(s.split())
_LAW_SYMBOLS = ("QH", "PL", "UBTVQH")  # what the symbol of a law, an ordinance, a resolution of the NA opens with
_NAME_HAS_NUMBER = regex.compile(r"\d+/\d{4}/|[;]")
_NUMBER_FOLLOWS = regex.compile(r"\s*(?:,\s*)?số\s*:?\s*\d")
_ACRONYM_LAW = regex.compile(r"(Bộ\s+luật|Luật|Pháp\s+lệnh)\s+([A-ZĐ]{2,8})(?:\s+.*)?")

# After the number: ", ngày 05/7/2017", " ngày 26 tháng 8 năm 2025", " (05/7/2017)", " năm 2020"
_DATE_AFTER = regex.compile(
    rf"\s*,?\s*(?:\(\s*)?(?:được\s+)?(?:ban\s+hành\s+|ký\s+)?(?:ngày\s*(?:ban\s+hành\s*)?:?\s*)?"
    rf"(?:{date_re().pattern})\s*\)?",
    regex.IGNORECASE,
)
_YEAR_AFTER = regex.compile(rf"\s*(?:ban\s+hành\s+)?năm\s+(?P<year>{YEAR})(?!\d)", regex.IGNORECASE)
# "của UBND tỉnh", "do Bộ Y tế ban hành", "của Bộ trưởng Bộ Tư pháp"
_ISSUER_AFTER = regex.compile(r"\s*,?\s*(?:của|do)\s+", regex.IGNORECASE)
_SUBJECT_OPENINGS = (r"về\s+việc|về|v/v|quy\s+định|hướng\s+dẫn|ban\s+hành|phê\s+duyệt|sửa\s+đổi|"
                     r"thực\s+hiện|triển\s+khai|thành\s+lập|hợp\s+nhất")
_SUBJECT_MAX = 300  # the longest subject after its opening words
_SUBJECT_ENDS = r"\s*(?:[;\n]|\.\s|\.$|\Z|,\s*(?:và\s+)?(?:các\s+)?\p{Lu})"  # (IGNORECASE: \p{Lu} is any cased letter)
_SUBJECT_AFTER = regex.compile(
    rf"\s*,?\s*(?P<subject>(?:{_SUBJECT_OPENINGS})\b[^;\n]{{0,{_SUBJECT_MAX}}}?)(?={_SUBJECT_ENDS})",
    regex.IGNORECASE,
)
# What each of the four patterns above opens with, past spaces, a comma and (a date's) parenthesis:
# its first two letters, or a digit. Most numbers are followed by none of them ("; Căn cứ", ".\n\n2.",
# " | Tên", ", Luật …", " và …"), and then one match of this answers for the four.
# Its groups name what the opening allows: `d` the date only, `b` the date or the year ("ban
# hành"), `y` the year only ("năm"); none, neither. (The four start where the first character that
# is no space, comma or bracket stands, so that the opening there decides: one alternative at most
# matches it, and what a date or a year opens with is in its group.)
_RIGHT_OPENING = regex.compile(
    r"\s*,?\s*(?:\(\s*)?(?:(?P<d>\d|đư|ký|ng)|(?P<b>ba)|(?P<y>nă)|củ|do|về|v/|qu|hư|ph|sử|th|tr|hợ)", regex.IGNORECASE)
# … and what the issuer and the subject open with, after the date: most dates end the mention
# (group `i`: the issuer's "của", "do", which no subject opens with; the rest, the subject's)
_TAIL_OPENING = regex.compile(r"\s*,?\s*(?:(?P<i>củ|do)|về|v/|qu|hư|ba|ph|sử|th|tr|hợ)", regex.IGNORECASE)
RIGHT_REACH = 320  # the longest reach of the four (the subject's)
# characters `_RIGHT_OPENING` cannot start with (no space, comma, bracket, digit or letter), the
# end of the text included: most numbers are followed by one ("; ", ".", ")")
_NO_OPENING = frozenset(["", ";", ".", ")", ":", "!", "?", '"', "'", "”", "“", "»", "]", "}", "|", "/", "-", "…"])

# connectors between items of one list: ", ", " và ", "; ", " và các "
_LIST_GAP = regex.compile(r"\A\s*(?:,|;|\bvà\b|\bhoặc\b|,\s*và|/)\s*(?:các\s+)?(?:số\s*:?\s*)?\Z", regex.IGNORECASE)

def _is_list_gap(gap: str) -> bool:
    """`_LIST_GAP.match(gap)` as a truth value. The pattern spans the whole gap and reads five words at
    most (", và các số :"): a longer gap, most of those between two citations, is answered by
    splitting off six of its words."""
    if len(gap) > 24 and len(gap.split(None, 5)) > 5:
        return False
    return _LIST_GAP.match(gap) is not None


def _is_list_gap_in(text: str, a: int, b: int) -> bool:
    """`_is_list_gap(text[a:b])`, the six words that rule a long gap out read from its first 64
    characters when they hold them (two citations stand ~1,400 characters apart on average: slicing
    and splitting all of it was most of sharing a list's issuer)."""
    if b - a > 64 and len(text[a: a + 64].split(None, 5)) > 5:
        return False  # (six pieces of the head are pieces of six words of the gap)
    return _is_list_gap(text[a:b])


# tokens allowed inside an issuer name after "của": capitalised words, and the lower-case words of
# body names. The rules tables (agencies, heads, units) give most of them ("Ủy ban nhân dân",
# "Bộ Chính trị", "Hội đồng nhân dân"); the list below adds what they leave out.
_ISSUER_LOWER_EXTRA = frozenset(
    "biên bí bảo chi chánh chấp chỉ chủ chứng cũ cấp du giám hoá hải hợp khoa kế lao liên môi mặt mới nam "
    "ngành ngân nhiệm nội phát phó quản sư sở thanh thuế thương thường thể thống thủ trung truyền trưởng trực "
    "tài tòa tôn tổ tổng uỷ viên việt văn xây y đào đảng đầu đốc".split()
)


@cache
def _issuer_lower() -> frozenset[str]:
    words = set(_ISSUER_LOWER_EXTRA)
    names = [a.name for a in rules.agencies()] + [c for _, c in rules.agency_heads()]
    names += [u[0] for u in rules.admin_units()]
    for name in names:
        words.update(w for w in regex.findall(r"\p{L}+", name) if w.islower())
    return frozenset(words)


# "của Thủ tướng Chính phủ và Văn bản số …": "và" followed by a type word opens the next citation
@cache
def _and_next_doc_re() -> regex.Pattern:
    return regex.compile(rf"(?:và|hoặc)\s+(?:các\s+)?(?:văn\s+bản|số\b|(?:khoản|điều|điểm|mục|phần|chương|phụ\s+lục)\b|"
                         rf"{type_word_re().pattern})", regex.IGNORECASE)


# verbs that follow a body as the subject of a clause end its name: "của Ban Thường vụ Thành ủy
# triển khai …", "Ban Chấp hành Trung ương Đảng chỉ đạo …", a title after the issuer "… của Bộ trưởng
# Bộ Thông tin và Truyền thông Sửa đổi, bổ sung …" (but "Ban chỉ đạo", "Tổ công tác triển khai Đề án
# 06" are names)
_ISSUER_STOP_BIGRAMS = regex.compile(
    r"(?:ban\s+hành|quy\s+định|hướng\s+dẫn|về\b|tại\b|thực\s+hiện|phê\s+duyệt|(?<!công\s+tác\s+)triển\s+khai|"
    r"(?<!ban\s)chỉ\s+đạo|sửa\s+đổi|bổ\s+sung|"
    r"tổ\s+chức\s+thực|đề\s+nghị|yêu\s+cầu|đã\b|được\b)", regex.IGNORECASE)


@cache
def _known_names_re() -> regex.Pattern:
    """Body names the tables know, matched whole whatever their case and punctuation: a comma
    ("Bộ Văn hóa, Thể thao và Du lịch") or a lower-case word ("Ủy ban Pháp luật và Tư pháp") inside
    must not end the name there, and a lower-case word right after one does ("Bộ Xây dựng công bố")."""
    names = [a.name for a in rules.agencies() if a.level == "central"] + list(_NAME_TAILS)
    # one branch per shared prefix ("Bộ\s*T" → "ài chính" | "ư pháp" | …), longest names first: the
    # same matches as the flat alternation of the names, without trying every name at every letter
    return regex.compile(rf"(?<!\p{{L}})(?:{_prefix_tree(sorted(set(names), key=rules.longest_first))})(?!\p{{L}})",
                         regex.IGNORECASE)


@cache
def _known_first_letter_re() -> regex.Pattern:
    """The first letters of the known names, matched as `_known_names_re` matches them (its tree opens
    with the case-folded first letter, matched case-insensitively)."""
    names = [a.name for a in rules.agencies() if a.level == "central"] + list(_NAME_TAILS)
    return regex.compile("|".join(sorted({regex.escape(n[0].casefold()[0]) for n in names})), regex.IGNORECASE)


@lru_cache(maxsize=4096)
def _may_open_known_name(letter: str) -> bool:
    """Whether a known name can start with `letter`: a word start that cannot is not tried against
    the whole name tree (most words of an issuer's tail: "Lâm", "Đồng", "Sở", "Giám đốc")."""
    return _known_first_letter_re().match(letter) is not None


@cache
def _known_first_words() -> tuple[str, ...]:
    """The first words of the known names, case-folded as `_known_names_re`'s tree spells them (its
    first unit runs to the name's first space or comma)."""
    names = [a.name for a in rules.agencies() if a.level == "central"] + list(_NAME_TAILS)
    return tuple(sorted({regex.split(r"[ ,]", n)[0].casefold() for n in names}))


@lru_cache(maxsize=8192)
def _may_open_known_word(word: str) -> bool:
    """Whether a known name can start where the run of letters `word` starts: the run opens with a
    name's first word ("Bộ", "Ủy", "Chính", "BộTài": the tree lets no space stand between words).
    Most words of an issuer cannot ("UBND", "nhân", "dân", "tỉnh", "Lâm", "Đồng", "Sở"), and are not
    tried against the whole name tree (an IGNORECASE letter lowers to the tree's letter but for the
    two odd cases; tests/test_perf_citations_round3.py)."""
    if _ODD_CASES[0] in word or _ODD_CASES[1] in word:
        return True
    return word.lower().startswith(_known_first_words())


def _prefix_tree(names: list[str], space: str = r"\s*", comma: str = r"\s*,") -> str:
    """The alternation of `names` (case-insensitive; a space matches `space`, by default any spacing,
    a comma `comma`, by default after any spacing) as a tree of shared prefixes; a longer name is
    tried before a shorter one it extends."""
    root: dict = {}
    for n in names:
        node = root
        for ch in n:
            unit = space if ch == " " else comma if ch == "," else regex.escape(ch.casefold())
            node = node.setdefault(unit, {})
        node[""] = {}

    def branch(node: dict) -> str:
        alts = [unit + branch(child) for unit, child in node.items() if unit]
        if "" in node:
            return f"(?:{'|'.join(alts)})?" if alts else ""
        return alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"

    return branch(root)


# what may follow a body name as part of it: "Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam"
_NAME_TAILS = ("nước Cộng hòa xã hội chủ nghĩa Việt Nam", "nước Cộng hoà xã hội chủ nghĩa Việt Nam")
# "Ban Chấp hành Trung ương khóa XII", "Hội đồng nhân dân tỉnh khóa X": the term belongs to the name
_TERM = regex.compile(r"\s+kh[óo]a\s+[IVXLC]+\b")
_UNIT_WORDS = frozenset({"tỉnh", "thành", "huyện", "quận", "thị", "xã", "phường", "đặc", "cũ"})
_AFTER_KNOWN_OK = _UNIT_WORDS | {"và"}  # what may follow a known name and still be part of the issuer


_TRAILING_CONNECTOR = regex.compile(r"\s+(?:và|các)$")
_CONNECTOR_ENDS = ("và", "các", "và\n", "các\n")  # what a name ends with when `_TRAILING_CONNECTOR` matches
_WORD_START = regex.compile(r"(?<!\p{L})\p{L}")
_WORD_AT = regex.compile(r"(?<!\p{L})\p{L}+")  # a word's letters from its start: the starts of `_WORD_START`
# the first words of `_ISSUER_STOP_BIGRAMS`'s branches: a token that opens with none cannot stop a name
_ISSUER_STOP_FIRSTS = ("ban", "quy", "hướng", "về", "tại", "thực", "phê", "triển", "chỉ", "sửa", "bổ", "tổ",
                       "đề", "yêu", "đã", "được")


@lru_cache(maxsize=8192)
def _may_stop_issuer(token: str) -> bool:
    """Whether `_ISSUER_STOP_BIGRAMS` may match at the start of `token` (an `_ISSUER_TOKEN`): it opens
    with a branch's first word (lower case, but for the odd cases; tests/test_perf_citations_round3.py).
    Most tokens of a name do not ("Ủy", "nhân", "dân", "tỉnh"), and are answered without the pattern."""
    if _ODD_CASES[0] in token or _ODD_CASES[1] in token:
        return True
    return token.lower().startswith(_ISSUER_STOP_FIRSTS)


def _may_be_term(text: str, end: int) -> bool:
    """Whether `_TERM.match(text, end, end + TERM_REACH)` may match: spaces, then "kh" (as printed: the
    pattern is case-sensitive). Most names are followed by another word."""
    return text[end: end + 1].isspace() and text[end: end + TERM_REACH].lstrip().startswith("kh")
_ISSUER_TOKEN = regex.compile(r"\(cũ\)|[\p{L}\d'&.]+|\s*-\s*")
_NEXT_LETTER = regex.compile(r"\s+(\p{L})")


@cache
def _unit_words() -> tuple[frozenset[str], frozenset[str]]:
    """The first and the last words of the unit words ("thành phố" → "thành", "phố"; "tỉnh"), as
    `rules/admin_units.tsv` lists them, case-folded."""
    words = [w.split() for w, *_ in rules.admin_units() if w.strip()]
    return frozenset(w[0].casefold() for w in words), frozenset(w[-1].casefold() for w in words)


@cache
def _place_follows_re() -> regex.Pattern:
    """At most two more lower-case words, then a unit word and a capital: the lower-case syllables
    of a body's own name ("Liên đoàn Quần | vợt tỉnh Bình Thuận", "Hội Nạn nhân chất | độc da cam
    tỉnh …"), which the name's place closes."""
    words = sorted({w.strip() for w, *_ in rules.admin_units() if w.strip()}, key=rules.longest_first)
    units = "|".join(regex.escape(w).replace(r"\ ", r"[ \t]+") for w in words)
    return regex.compile(rf"(?:[ \t]+\p{{Ll}}+){{0,2}}[ \t]+(?:{units})[ \t]+\p{{Lu}}")


def _read_issuer(text: str, pos: int) -> tuple[str | None, int]:
    """Issuer name starting at `pos` (after "của"/"do"): up to 14 tokens of a body name.

    Forms: "của UBND tỉnh", "của Ủy ban nhân dân tỉnh Lâm Đồng về việc …" (stops at "về"),
    "của Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch" (a known name with a comma),
    "của Thủ tướng Chính phủ và Văn bản số …" (stops before the next document),
    "của UBND tỉnh và các sở" (a lower-case word after "và" is not part of the name),
    "của Bộ trưởng Bộ Xây dựng công bố …" (a lower-case word after a known name ends it),
    "của Ban Chấp hành Trung ương khóa XII" (the term is kept), "của UBND huyện Sơn Tịnh (cũ)",
    "của UBND tỉnh Lâm Đồng tổ chức …" (a lower-case word after a place's name ends it, unless it
    opens a unit word: "UBND xã Hòa Bắc huyện Hòa Vang"),
    "của Liên đoàn Quần vợt tỉnh Bình Thuận" (lower-case syllables of the name, which a place closes).

    (Read per token, ~5 a name, 2,000 names a corpus: the loop keeps its work to the few tests a
    token needs; a word token holds no space, so it is its own stripped form.)
    """
    window = text[pos: pos + 200]
    # known names in the window (the longest is under 120 characters: a name starting past 160 is
    # not this issuer), found as far as the tokens read: a name counts only from where it starts
    keep: list[tuple[int, int]] = []
    known_match = _known_names_re().match
    end = pos
    count = 0
    expect_start = True
    unit = place = False  # the last word read ends a unit word ("tỉnh"); a place's name is being read
    for t in _ISSUER_TOKEN.finditer(window):
        word = t.group()
        at, t_end = t.span()
        # where a name may start (a letter after a non-letter, before 160) in this token: every letter
        # of the window stands in a token, and a token opens after a non-letter; a name starting inside
        # the token (past `at`) ends past it, and so tells nothing to this token's tests
        if at < 160:
            if word.isalpha():  # (most tokens: one run of letters, from the token's start)
                if _may_open_known_word(word if t_end <= 160 else word[:160 - at]):
                    km = known_match(window, at, 160)
                    if km:
                        keep.append((km.start() + pos, km.end() + pos))
            else:
                for ws in _WORD_AT.finditer(window, at, min(t_end, 160)):
                    if _may_open_known_word(ws.group()):
                        km = known_match(window, ws.start(), 160)
                        if km:
                            keep.append((km.start() + pos, km.end() + pos))
        absolute = pos + at
        if end != absolute:  # (tokens that touch leave no gap to read)
            gap = text[end:absolute]
            if gap.strip():  # punctuation between tokens: stop, unless inside a known name
                if not any(a < end and absolute < b for a, b in keep):
                    break
            if "\n" in gap:
                break
        w = "-" if "-" in word else word  # (`word.strip()`: only the hyphen token holds spaces)
        inside = False
        for a, b in keep:  # (a loop, not `any` over a generator: this runs per token)
            if a <= absolute < b:
                inside = True
                break
        if count > 0 and not inside and _may_stop_issuer(word) and _ISSUER_STOP_BIGRAMS.match(
                text, absolute, absolute + WORD_REACH):
            break
        low = w.lower()
        if low == "và" or low == "hoặc":
            if _and_next_doc_re().match(text, absolute, absolute + WORD_REACH):
                break
            nxt = _NEXT_LETTER.match(text, absolute + len(word), absolute + len(word) + 4)
            if nxt is None or not nxt.group(1).isupper():
                break
        if w == "-":
            if count == 0:
                break
            end = pos + t_end
            continue
        if w == "(cũ)":
            end = pos + t_end
            continue
        dotted = w.endswith(".")
        core = w.rstrip(".") if dotted else w
        if not inside and count and core[:1].islower() and core.lower() not in _AFTER_KNOWN_OK and any(
                b == end for _, b in keep):
            break  # a known name ended here: "Bộ Xây dựng | công bố"
        if place and not inside and core[:1].islower() and low not in _unit_words()[0]:
            break  # a place's name ended the body's: "UBND tỉnh Lâm Đồng | tổ chức chiến dịch …"
        if expect_start:
            if not (core[:1].isupper() or core.lower() in {"ủy", "uỷ", "bộ", "sở"}):
                return None, pos
            expect_start = False
        elif not (inside or core[:1].isupper() or core.lower() in _issuer_lower() or core.isdigit()
                  or _place_follows_re().match(text, pos + t_end, pos + t_end + WORD_REACH)):
            break
        if core[:1].islower():  # "tỉnh", "thành phố": a unit word; a capital after it opens a place
            unit, place = low in _unit_words()[1], False
        elif unit and core[:1].isupper():
            unit, place = False, True
        end = absolute + len(core) if dotted and not core.isupper() else pos + t_end
        count += 1
        if count >= 14 or dotted:
            break
    tm = _TERM.match(text, end, end + TERM_REACH) if count and _may_be_term(text, end) else None
    if tm:
        end = tm.end()
    name = text[pos:end].strip(" ,-")
    # trailing connector "và" belongs to the next item, not to the name
    # (`$` also matches before a final newline; a name that ends in neither word is left as it is)
    if name.endswith(_CONNECTOR_ENDS):
        name = _TRAILING_CONNECTOR.sub("", name)
    return (name or None), pos + len(text[pos:end].rstrip()) if name else pos


@cache
def _law_names_folded() -> tuple[tuple[str, str], ...]:
    return tuple((fold(n), n) for n in rules.law_names())


@cache
def _law_names_by_prefix() -> tuple[int, dict[str, tuple[tuple[str, str], ...]]]:
    """The gazetteer's (folded, name) pairs bucketed by their first `k` characters (`k` the shortest
    folded name's length), each bucket in the gazetteer's order: a window is compared with the few
    names sharing its opening instead of all ~200 (that scan was a tenth of citation reading). The
    first name of the order that fits wins, exactly as over the whole list."""
    names = _law_names_folded()
    k = min((len(f) for f, _ in names), default=0)
    buckets: dict[str, list[tuple[str, str]]] = {}
    for folded, name in names:
        buckets.setdefault(folded[:k], []).append((folded, name))
    return k, {p: tuple(v) for p, v in buckets.items()}


@cache
def _law_names_printed() -> tuple[int, dict[str, tuple[tuple[str, frozenset[str], str, int], ...]]]:
    """The gazetteer's names that a window may be compared with as printed, bucketed by their first
    `k` characters (`k` the shortest one's length): (name, what may follow it, the answer, its length).

    A window that opens with a name P whose fold is as long as itself, followed by an ASCII character
    c other than a letter, folds to P's fold followed by c (a space for a space; `fold` reads no step
    across such a character: NFC composes none onto the letter before it, the tone table ends at a
    letter, the table of variants holds no ASCII), or to P's fold alone (c and what follows stripped).
    So the names that fit it are P, each name whose fold opens P's fold at a boundary that is no
    letter, and a longer one whose fold opens with P's and continues with c: none, when c is not one of
    the characters that follow P's fold in a longer fold ("what may follow", with "<", "=", ">",
    which compose with a following U+0338). The bucket's answer is the first of those in the
    gazetteer's order; it is kept when it is printed as P opens (its span is then its own length).
    Most laws are cited as the gazetteer prints them, and the folds this spares were a third of
    reading a named law (tests/test_perf_citations_round4.py)."""
    pairs = _law_names_folded()
    out = []
    for folded, name in pairs:
        if len(name) != len(folded):
            continue
        n = len(folded)
        after = frozenset(f[n] for f, _ in pairs if len(f) > n and f.startswith(folded)) | {"<", "=", ">"}
        # the names that fit whenever this one does: itself, and those whose fold opens its fold at a
        # boundary that is no letter (the gazetteer's order: the first wins)
        fits = [(f, q) for f, q in pairs if f == folded or (len(f) < n and folded.startswith(f) and not folded[len(f)].isalpha())]
        won_folded, won = fits[0]
        if not (name.startswith(won) and len(won) == len(won_folded)):
            continue  # (the answer's span would need its fold)
        out.append((name, after, won, len(won)))
    k = min((len(n) for n, *_ in out), default=0)
    buckets: dict[str, list] = {}
    for entry in out:
        buckets.setdefault(entry[0][:k], []).append(entry)
    return k, {p: tuple(v) for p, v in buckets.items()}


_ASCII_SPACES = frozenset(" \t\n\x0b\x0c\r")  # the ASCII `\s`, which `fold` makes one space


def _fold_prefix(window: str, need: int) -> tuple[str, bool]:
    """A prefix of `fold(window)` at least `need` characters long, or the whole fold when shorter;
    and whether it is the whole fold.

    `fold` maps character by character except where it looks at neighbours — NFC composition, the
    tone at a syllable's end, runs of spaces, the strip at the ends — and none of these reaches
    across a space (U+0020 composes with nothing and is no letter): so the fold of the window cut
    just before a space is the whole window's fold cut there, short of what the strip drops at the
    cut. A law's name is compared with as much of the window as it is long (folding the 250
    characters for every "Luật" of a text was a fifth of citation reading: fold costs ~0.15 µs a
    character). The cut prefixes, a law's opening words, recur from citation to citation: their folds
    are cached."""
    cut = window.find(" ", need)
    if cut >= 0:
        head = _fold_short(window[:cut])  # (a law's opening words recur: cached)
        if len(head) >= need:
            return head, False
    return fold(window), True


# ("Bộ Luật Hình sự": a code's type word printed with a capital, as provincial texts often print it)
_NAMED_LAW = regex.compile(r"(?<![\p{L}])(?P<type>Bộ luật|Bộ Luật|Luật|Pháp lệnh|Hiến pháp)(?![\p{L}])")
_NAMED_LAW_WORDS = ("Bộ luật", "Bộ Luật", "Luật", "Pháp lệnh", "Hiến pháp")  # what every `_NAMED_LAW` match opens with
_NAMED_LAW_TYPES = {"Bộ luật": "Bộ luật", "Bộ Luật": "Bộ luật", "Pháp lệnh": "Pháp lệnh", "Hiến pháp": "Hiến pháp"}  # else "Luật"
_LETTER = regex.compile(r"\p{L}")
# each word's first four characters, as a pattern: the `regex` module finds a literal this short
# (opening with a capital, rare in running text) in ~0.3 ns a character, twice as fast as `str.find`
# finds the whole word (whose last letters are common ones); each find is a pass over the text
_NAMED_LAW_OPENINGS = tuple((regex.compile(regex.escape(w[:4])), w) for w in _NAMED_LAW_WORDS)


@lru_cache(maxsize=4096)
def _is_letter(c: str) -> bool:
    """Whether `\\p{L}` matches the character (the `regex` module's tables)."""
    return _LETTER.match(c) is not None


def _named_law_words(text: str) -> list[tuple[int, str]]:
    """The matches of `_NAMED_LAW.finditer(text)` as (start, type word), read without the pattern.

    A match is one of `_NAMED_LAW_WORDS` as printed with no letter on either side: the words are
    found by their first four characters (`_NAMED_LAW_OPENINGS`), and the two neighbours tested (the
    pattern tried at each word and a match object made for it cost as much as the rest of the
    named-law scan). One word can start inside another's match, "Luật" inside "Bộ Luật", and no
    other (the other words each open with a capital their fellows hold in lower case only): as
    `finditer`, a word inside the last match kept is not one (tests/test_perf_citations_round3.py)."""
    found: dict[int, str] = {}
    for opening, word in _NAMED_LAW_OPENINGS:
        if len(word) == 4:  # ("Luật" is its own opening: each find is the word)
            found.update(dict.fromkeys([m.start() for m in opening.finditer(text)], word))
            continue
        for m in opening.finditer(text):
            p = m.start()
            if text.startswith(word, p):
                found[p] = word
    n = len(text)
    out = []
    last = -1
    for p in sorted(found):
        if p < last:
            continue  # "Luật" of a "Bộ Luật" kept
        word = found[p]
        e = p + len(word)
        if (p and _is_letter(text[p - 1])) or (e < n and _is_letter(text[e])):
            continue
        out.append((p, word))
        last = e
    return out
_NAME_STOP = regex.compile(
    r"\s*(?:[;:()\"“”|]|\n(?![ \t]*\p{Ll})|\.(?:\s|$)|\bsố\b|\bngày\b|\bnăm\s+\d|\bcủa\b|\bđã\b|\bđược\b|\bquy\s+định\b|\bvà\s+(?:các|Luật|Bộ\s+[lL]uật|Nghị)\b|"
    r"\s\d|\bhiện\s+hành\b|\bthì\b|\bvề\b|\btại\b|\bnày\b|\bcó\s+hiệu\b|\bhướng\s+dẫn\b|\bvà\s+văn\b|\bvà\s+các\b|\bđể\b|"
    r",\s*(?:Luật|Bộ\s+[lL]uật|Nghị|Thông|Pháp|Quyết|\p{Ll}+\s+(?:Luật|Nghị)))",
)
_AMENDING_NAME = regex.compile(
    r"\A(?P<verb>sửa\s+đổi,?\s*(?:và\s+)?bổ\s+sung|sửa\s+đổi|bổ\s+sung)\s+(?:một\s+số\s+điều\s+)?(?:của\s+)?"
    r"(?P<rest>(?:(?:Bộ\s+[lL]uật|Luật|Pháp\s+lệnh)\s+(?:[^;\n(]|\n(?=[ \t]*\p{Ll}))*?))"
    r"(?=\s*(?:;|\(|\n(?![ \t]*\p{Ll})|\.\s|\bngày\b|\bsố\b|\bnăm\s+\d|$))",
)


_AMENDING_VERBS = ("sửa", "bổ")  # what every `_AMENDING_NAME` match opens with, as printed
_CONSTITUTION_TAIL = regex.compile(r"(?:nước\s+Cộng\s+h(?:òa|oà)\s+xã\s+hội\s+chủ\s+nghĩa\s+Việt\s+Nam)?")
_ACRONYM_WORD = regex.compile(r"[A-ZĐ]{2,8}")


def _named_law_at(text: str, m: regex.Match) -> tuple[str, int] | None:
    """Name of the law whose type word matched at `m`, and the end offset; None if generic."""
    return _named_law_from(text, m.start(), m.end(), m.group("type"))


def _named_law_from(text: str, start: int, type_end: int, kind: str) -> tuple[str, int] | None:
    """`_named_law_at` of the type word `kind` (a `_NAMED_LAW` match) at text[start:type_end]."""
    after = text[type_end: type_end + 400]
    if kind == "Hiến pháp" and after[:1] in (",", ";", ".", ")") :
        return "Hiến pháp", type_end  # "Tuân thủ Hiến pháp, pháp luật …": the one Constitution
    if not after[:1].isspace():
        return None
    rest = after.lstrip()
    if kind == "Hiến pháp":
        hm = _CONSTITUTION_TAIL.match(rest)
        return "Hiến pháp", type_end + (len(after) - len(rest)) + (hm.end() if hm else 0)
    am = _AMENDING_NAME.match(rest) if rest.startswith(_AMENDING_VERBS) else None
    if am:  # "Luật sửa đổi, bổ sung một số điều của Luật X và Luật Y"
        at = type_end + (len(after) - len(rest))
        end = _amended_laws_end(text, at + am.start("rest"), at + am.end())
        return _spaced(text[start:end], " ,"), end
    return _known_law_from(text, start) or _unknown_law_from(text, start, type_end, kind, after, rest)


_LAW_LIST_GAP = regex.compile(r"\s*(?:,\s*(?:và\s+)?|\s+và\s+)(?=(?:Bộ\s+[lL]uật|Luật|Pháp\s+lệnh)\b)")


def _amended_laws_end(text: str, a: int, e: int) -> int:
    """The end of an amending law's name whose amended laws run from `a` (the name read to `e`):
    where the last of them ends when every one is a law the gazetteer knows, so that what follows
    the list is not taken into the name ("Luật sửa đổi, bổ sung một số điều của Bộ luật Hình sự |
    liên quan tội phạm về ma túy", "… của Bộ luật Hình sự | 2025 về tội …"); else `e` (an unknown
    law in the list: its name's end is not known)."""
    p = a
    while True:
        got = _known_law_from(text, p)
        if got is None or got[1] > e:
            return e
        p = got[1]
        gap = _LAW_LIST_GAP.match(text, p, e)
        if gap is None:
            return p
        p = gap.end()


def _known_law_from(text: str, start: int) -> tuple[str, int] | None:
    """A law the gazetteer knows whose type word opens at `start`, however its first word is cased
    ("Luật tổ chức chính quyền địa phương"): (its name as the gazetteer spells it, its end); None
    when the text there names no known law. (fold collapses spaces: a name wrapped over two lines,
    an OCR'd table cell, is one name.)"""
    window = text[start: start + 250]
    k, printed = _law_names_printed()
    for name, follow, won, span in printed.get(window[:k], ()):
        c = window[len(name): len(name) + 1]
        if c and c < "\x80" and not c.isalpha() and window.startswith(name) and (
                " " if c in _ASCII_SPACES else c) not in follow:
            return won, start + span  # (what fits the fold of the window, read without it)
    k, buckets = _law_names_by_prefix()
    # fw: a prefix of fold(window) (all of it when `whole`), lengthened only for a name it opens:
    # the comparison of a name of n characters reads n + 1
    fw, whole = _fold_prefix(window, k)
    for folded, name in buckets.get(fw[:k], ()):
        n = len(folded)
        if len(fw) <= n and not whole:
            if not folded.startswith(fw):
                continue  # (fold(window) opens with fw, and so would the name)
            fw, whole = _fold_prefix(window, n + 1)
        if fw.startswith(folded) and (len(fw) == n or not fw[n].isalpha()):
            return name, start + len(_span_of(window, folded))
    return None


def _unknown_law_from(text: str, start: int, type_end: int, kind: str, after: str, rest: str) -> tuple[str, int] | None:
    """A law the gazetteer does not know, read from its printed name: the words after the type word
    up to a stop (`_NAME_STOP`), when they read as a name (capitalised, not a person's)."""
    if not rest[:1].isupper():  # "luật này", "Luật sư" (a lawyer) start in lower case
        return None
    stop = _NAME_STOP.search(rest)
    name_rest = rest[: stop.start()] if stop else rest[:80]
    name_rest = _spaced(name_rest, " ,")
    words = name_rest.split()
    if not words or len(words) > 12 or words[0] in {"sư"}:
        return None
    if _ACRONYM_WORD.fullmatch(words[0]):  # "Luật BHYT trong phạm vi …": the acronym alone
        name_rest = words[0]
        stop = None
        rest = rest[: rest.index(words[0]) + len(words[0])]
    if words[0].lower() in {"này", "sửa", "số", "khác", "mẫu", "về"}:
        return None
    # "Luật Đại Nghĩa - Ủy viên": a person named Luật; a law's name capitalises its first word only
    if 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words):
        return None
    name = f"{kind} {name_rest}"
    end = type_end + (len(after) - len(rest)) + len(rest[: stop.start()] if stop else name_rest)
    return name, end


def _span_of(window: str, folded: str) -> str:
    """The prefix of `window` whose fold is `folded` (spacing may differ)."""
    n = len(folded)
    for k in range(n, min(len(window), n + 20) + 1):
        if _fold_short(window[:k]) == folded:
            return window[:k]
    return window[:n]


# "Ngày 12/06/2025, Quốc hội ban hành Nghị quyết số 202/2025/QH15": date and issuer before the mention
_DATE_BEFORE = regex.compile(
    rf"(?:ngày|Ngày)\s+(?:{date_re().pattern})\s*,\s*(?P<who>[^,;\n]{{2,80}}?)\s+(?:đã\s+)?(?:ban\s+hành|ký|có)\s+(?:các\s+)?\Z",
    regex.IGNORECASE)


# The issuer written before the mention, when nothing follows it:
#   "Xét đề nghị của Giám đốc Sở Y tế tại Tờ trình số 45/TTr-SYT"
#   "Thực hiện chỉ đạo của UBND tỉnh tại Công văn số 2871/UBND-KGVX"
#   "UBND tỉnh (đã) ban hành Kế hoạch số 3450/KH-UBND", "Tỉnh ủy đã ban hành các Kế hoạch số …"
#   "Sở Tài chính có ý kiến tại Công văn số 356/STC-HCSN", "Ý kiến của Sở Xây dựng: Tại Công văn số …"
#   "Sau khi nghe Sở Y tế báo cáo tại Báo cáo số 97/BC-SYT"
_ISSUER_CONNECTOR = regex.compile(
    r"(?:\s*:\s*|\s+)(?:đã\s+|đều\s+)?(?:ban\s+hành|xây\s+dựng|có\s+ý\s+kiến\s+(?:tại|theo)|báo\s+cáo\s+tại|tại)\s+(?:các\s+)?\Z",
    regex.IGNORECASE | regex.REVERSE,
)
# titles of persons who sign for a body: "Giám đốc Sở Y tế", "Chủ tịch UBND tỉnh", "Bộ trưởng Bộ Tài chính"
_PERSON_HEADS = ("Chủ tịch", "Phó Chủ tịch", "Giám đốc", "Phó Giám đốc", "Bộ trưởng", "Thứ trưởng",
                 "Thủ trưởng", "Trưởng ban", "Chánh Văn phòng", "Thường trực", "Ban Thường vụ", "Tổ công tác",
                 "Ban Chủ nhiệm", "Thống đốc", "Tổng Giám đốc", "Cục trưởng", "Tổng cục trưởng")


@cache
def _issuer_head_re() -> regex.Pattern:
    """A head or a central body's name, whole, whatever its case ("Giám đốc Sở Y tế", "Bộ Tài chính").

    The ~140 names make one branch per shared prefix, longest first (`_prefix_tree`, a space as
    one or more): the matches of their flat alternation, a third of the time over a line of text."""
    heads = [h for h, _ in rules.agency_heads()] + [a.name for a in rules.agencies() if a.level == "central"]
    heads += list(_PERSON_HEADS)
    tree = _prefix_tree(sorted(set(heads), key=rules.longest_first), space=r"\s+", comma=",")
    return regex.compile(rf"(?<![\p{{L}}])(?:{tree})(?![\p{{L}}])", regex.IGNORECASE)


def _issuer_before(text: str, start: int, flags: int | None = None) -> str | None:
    """Issuer name ending just before the connector that leads to the mention at `start`.
    (`flags`: `_word_flags` of the last word before `start`, when the caller has read it.)"""
    lo = max(0, start - 140)
    if not (flags & _ENDS_CONNECTOR if flags is not None else _ends_with_word(text, lo, start, _CONNECTOR_VERBS)):
        return None  # (no connector's last word ends the window: `_ISSUER_CONNECTOR` cannot match)
    cm = _ISSUER_CONNECTOR.search(text, lo, start)
    if cm is None:
        return None
    line_start = max(text.rfind("\n", lo, cm.start()) + 1, lo)
    for hm in _issuer_head_re().finditer(text, line_start, cm.start()):
        if not hm.group(0)[:1].isupper():
            continue
        name, end = _read_issuer(text, hm.start())
        if name and end > cm.start():  # the connector's verb read as part of the name ("UBND tỉnh
            # xây dựng Kế hoạch …": "xây" and "dựng" are words of bodies' names): the name ends before it
            name = text[hm.start(): cm.start()].strip(" ,-") or None
            end = cm.start()
        if name and not text[end: cm.start()].strip(" ,"):
            return name
    return None


_AMENDING_TITLE = regex.compile(
    r"(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\s+sửa\s+đổi,?\s+bổ\s+sung[^;\n]{0,250}?(?:của|tại)\s+[^;\n\d]{0,500}\Z")


_AMENDING_HEAD = regex.compile(r"(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\s+sửa\s+đổi")
# where the amended laws begin inside an amending title: "… một số điều của | Luật A, Luật B"
_INNER_LAWS = regex.compile(r"\s(?:của|tại)\s+(?:các\s+)?(?=(?:Bộ\s+luật|Luật|Pháp\s+lệnh)\b)")


_ENACTS_BEFORE = regex.compile(r"ban\s+hành\s+\Z")
_TRAILING_SO = regex.compile(r"\s*(?:,\s*)?(?:số\s*:?)?\s*$")
_JOINT = regex.compile(r"\s+liên\s+tịch\b")
_YEAR_SEGMENT = regex.compile(r"/\d{4}/")
_SENTENCE_END = regex.compile(r"\.\s|\n")


def _amending(c: Citation) -> bool:
    """A numbered law whose name is an amending title: "Luật sửa đổi, bổ sung … của Luật A, Luật B số N"."""
    # (the pattern needs "sửa" as printed: most names lack it, and are answered without it)
    return bool(c.cited_name) and "sửa" in c.cited_name and _AMENDING_HEAD.match(c.cited_name) is not None


@lru_cache(maxsize=4096)
def _type_key(word: str) -> str:
    """A type word as printed ("Nghị  định", "NGHỊ ĐỊNH") → its key in `rules.type_words()`; cached,
    as a text prints the same few type words before most of its numbers."""
    return _WS.sub(" ", word).casefold()


@lru_cache(maxsize=8192)
def _typed(type_word: str, gap: str, symbol: str, grammar: str) -> str | None:
    """The type of a mention whose type word (as printed) and gap `type_word_before_re` read before a
    number of that symbol and grammar: a pure function of the four, cached (a text prints the same
    few "Nghị định số" before the same few symbols)."""
    word = _type_key(type_word)
    # "Thông tư liên tịch số …", "Nghị quyết liên tịch số …": the joint type, not its head word
    if "liên" in gap and _JOINT.match(gap) and f"{word} liên tịch" in rules.type_words():
        word = f"{word} liên tịch"
    tname = rules.type_words().get(word)
    implied = type_of_symbol(symbol, grammar)
    # a symbol that names another type wins over "Thông báo kết luận"-style generic words
    if tname == "Kết luận" and implied == "Thông báo":
        tname = implied
    if tname == "Công văn" and implied and implied not in {"Công văn"} and grammar != "admin":
        tname = implied
    return tname


_STANDARD_BEFORE = regex.compile(r"(?<!\p{L})(?:QCVN|TCVN|QCĐP)\s*[\d.\-]+:\Z")


def _type_and_start(text: str, m: regex.Match, num: Number, prev: Citation | None) -> tuple[str | None, int, str | None, str | None] | None:
    """What stands left of the number: (type, mention start, named-law name, how) or None to reject."""
    lo = max(0, m.start() - LEFT_WINDOW)
    left = text[lo: m.start()]
    # Branch 0: forms, annexes, accounts, phone numbers — not documents
    if _may_be_excluded_last(left) and excluded_before_re().search(left):
        return None
    # ... and a technical standard's code: "QCVN 101:2025/BNNMT", "TCVN 5574:2018" (the year after ":")
    if left.endswith(":") and "VN" in left[-16:] and _STANDARD_BEFORE.search(left):
        return None
    # Branch 1: a law named before its number: "Luật Viên chức số 58/2010/QH12"
    if num.grammar == "normative" and num.symbol.startswith(_LAW_SYMBOLS):
        lm = law_type_before_re().search(left)
        if lm and not _NAME_HAS_NUMBER.search(lm.group("name")):
            name = _spaced(f"{lm.group('type')} {lm.group('name')}", " ,")
            start = lo + lm.start()
            # "Luật sửa đổi, bổ sung … của Luật X số N": the number belongs to the amending law
            # (omnibus laws of 2025 amend eight laws in one title: the title runs to ~600 characters)
            back = max(0, start - 700)
            # (the title holds no ";": it starts after the last one, which in a list of bases ends the
            # item before; and the pattern needs "sửa" as printed: a window without it is answered
            # without the pattern)
            back = max(back, text.rfind(";", back, start) + 1)
            am = _AMENDING_TITLE.search(text, back, start) if text.find("sửa", back, start) >= 0 else None
            # … unless that amending law is the document itself: "Quốc hội ban hành Luật sửa đổi …"
            if am and not _ENACTS_BEFORE.search(text[max(0, am.start() - 40): am.start()]):
                start = am.start()
                name = _spaced(text[start: lo + lm.end()])
                name = _TRAILING_SO.sub("", name)
            return ("Bộ luật" if lm.group("type").startswith("Bộ") else
                    "Pháp lệnh" if lm.group("type").startswith("Pháp") else "Luật"), start, name, "named"
    # Branch 2: a type word right before: "Quyết định số", "Công văn", "các Nghị quyết số:"
    # (without the letter of "của" the pattern's "của <issuer>" gap cannot match: the search without it)
    of_gap = OF_GAP_LETTERS[0] in left or OF_GAP_LETTERS[1] in left
    tm = (type_word_before_re() if of_gap else type_word_before_plain_re()).search(left)
    if tm:
        return _typed(*tm.group("type", "gap"), num.symbol, num.grammar), lo + tm.start(), None, "typed"
    # Branch 3: generic "văn bản số 1413/PC04", "số 12/QĐ-UBND": the symbol gives the type
    gm = generic_before_re().search(left)
    if gm:
        return type_from_symbol(num) or "Công văn", lo + gm.start(), None, "generic"
    # Branch 4: next item of a list sharing one type word
    if prev is not None and prev.end <= m.start() <= prev.end + LIST_GAP_REACH and _is_list_gap(text[prev.end: m.start()]):
        implied = type_from_symbol(num)
        return implied or prev.cited_type, m.start(), None, "list"
    # Branch 5: a bare number whose symbol we know: "(12/2024/NĐ-CP)"
    if symbol_is_known(num):
        return type_from_symbol(num), m.start(), None, "bare"
    return None


def _read_right(text: str, pos: int, where: Jurisdiction | None, c: Citation) -> int:
    """Date, issuer, subject after the number; returns the mention's end."""
    end = pos
    if text[pos: pos + 1] in _NO_OPENING:
        return end  # (none of the four can match at `pos`: nothing follows the number)
    om = _RIGHT_OPENING.match(text, pos, min(len(text), pos + RIGHT_REACH))
    if om is None:
        return end
    opens = om.lastgroup  # (a date is read only after what opens one, a year likewise)
    dm = _DATE_AFTER.match(text, pos, min(len(text), pos + 80)) if opens == "d" or opens == "b" else None
    if dm:
        c.cited_date = _date_of(dm)
        c.cited_year = c.cited_date.year if c.cited_date else None
        end = dm.end()
    elif opens == "b" or opens == "y":
        ym = _YEAR_AFTER.match(text, pos, min(len(text), pos + 40))
        if ym:
            c.cited_year = int(ym.group("year"))
            end = ym.end()
    tail = _TAIL_OPENING.match(text, end, min(len(text), end + RIGHT_REACH))
    if tail is None:
        return end
    if tail.lastgroup == "i":  # (the issuer and the subject open where the first letter stands)
        im = _ISSUER_AFTER.match(text, end, min(len(text), end + 20))
        name, iend = _read_issuer(text, im.end()) if im else (None, end)
        if not name:
            return end  # ("của", "do" there: no subject opens with either)
        c.cited_issuer_raw = name
        c.cited_issuer = _resolve_here(name, where)
        end = iend
    subject = _subject_after(text, end, min(len(text), end + RIGHT_REACH))
    if subject is not None:
        c.cited_subject = _spaced(subject)
    return end


# `_SUBJECT_AFTER` read in two steps: its opening words by a pattern, then where the lazy subject
# stops found from the few characters that can stop it. The pattern tries its look-ahead after every
# character of the subject (~100 of them, a third of reading what follows a number).
_SUBJECT_OPENING = regex.compile(rf"\s*,?\s*(?P<subject>(?P<vv>về\s+việc)|(?:{_SUBJECT_OPENINGS.split('|', 1)[1]}))\b",
                                 regex.IGNORECASE)
_SUBJECT_STOPS = regex.compile(r"[;\n.,]")  # what `_SUBJECT_ENDS` reads after its spaces, but for the end
_SUBJECT_COMMA_END = regex.compile(r",\s*(?:và\s+)?(?:các\s+)?\p{Lu}", regex.IGNORECASE)
_SPACE = regex.compile(r"\s")


@lru_cache(maxsize=1024)
def _is_space(c: str) -> bool:
    """Whether `\\s` matches the character (the `regex` module's tables)."""
    return _SPACE.match(c) is not None


def _subject_after(text: str, pos: int, endpos: int) -> str | None:
    """`_SUBJECT_AFTER.match(text, pos, endpos)`'s subject, or None (tests/test_perf_citations_round3.py).

    Where spaces may lead to the opening words, only one place can hold them, after the spaces, a
    comma and spaces; and of the openings only "về việc" has another ("về") that matches there too.
    The subject from an opening runs lazily to the first place where `_SUBJECT_ENDS` holds: `\\s*`
    and then a stop, or the end. So it ends at the spaces before the first character of
    `_SUBJECT_STOPS` that stops it (";", a line break, "." before a space or the end, "," before a
    letter), or before the end, whichever comes first, if that is within `_SUBJECT_MAX` characters;
    it holds no ";" nor a line break, as the first of them stops it."""
    om = _SUBJECT_OPENING.match(text, pos, endpos)
    if om is None:
        return None
    start = om.start("subject")
    stop = _subject_stop(text, om.end(), endpos)
    if stop is None and om.group("vv") is not None:  # "về việc" gave no subject: "về" is tried
        stop = _subject_stop(text, start + 2, endpos)
    return None if stop is None else text[start:stop]


def _subject_stop(text: str, body: int, endpos: int) -> int | None:
    """Where a subject whose opening words end at `body` stops (see `_subject_after`), or None."""
    r = body
    while True:
        sm = _SUBJECT_STOPS.search(text, r, endpos)
        if sm is None:
            r = endpos
            break
        r = sm.start()
        if r - body > _SUBJECT_MAX:
            return None  # (a stop after this one leaves the subject longer still)
        ch = text[r]
        if ch == ";" or ch == "\n":
            break
        if ch == ".":
            if r + 1 == endpos or _is_space(text[r + 1]):
                break
        elif _SUBJECT_COMMA_END.match(text, r, endpos):
            break
        r += 1
    while r > body and _is_space(text[r - 1]):
        r -= 1
    return r if r - body <= _SUBJECT_MAX else None


# The last word of what must end a window for a pattern anchored at its end to match, lower case:
# `_ISSUER_CONNECTOR` ends with "ban hành", "… tại", "… theo", then perhaps "các"; `_DATE_BEFORE`
# with "ban hành", "ký", "có", then perhaps "các"; `excluded_before_re` with a keyword, then perhaps
# "số" and ":". Most windows end otherwise ("Căn cứ", "Quyết định số"), and are answered by a look
# at their last word instead of a pattern (~2 µs each, thousands a corpus).
_CONNECTOR_VERBS = ("hành", "dựng", "tại", "theo", "các")
_ENACTING_VERBS = ("hành", "ký", "có", "các")
_EXCLUDED_LAST = ("mẫu", "biểu", "lục", "khoản", "mã", "khai", "đồ", "thửa", "sơ", "thoại", "fax", "đt")
_EXCLUDED_BEFORE_SO = _EXCLUDED_LAST + ("biển", "số")  # "biển số", "mã số số", any keyword then "số"
# the two letters an IGNORECASE pattern matches that `str.lower` does not map to the pattern's
# letter: "İ" (i) and "ſ" (s); a window holding them is left to the pattern
_ODD_CASES = ("İ", "ſ")


def _tail_lower(s: str, n: int) -> str | None:
    """The last `n` characters of `s` in lower case, None if they hold an odd case."""
    tail = s[-n:]
    if _ODD_CASES[0] in tail or _ODD_CASES[1] in tail:
        return None
    return tail.lower()


def _ends_with_word(text: str, lo: int, hi: int, words: tuple[str, ...]) -> bool:
    """Whether text[lo:hi], its trailing spaces stripped, may end with one of `words` as an
    IGNORECASE pattern matches them (a necessary condition; tests/test_perf_citations_scan.py)."""
    u = text[max(lo, hi - 40): hi].rstrip()
    if len(u) < 8 and hi - 40 > lo:  # (spaces all the way: read the whole window)
        u = text[lo:hi].rstrip()
    tail = _tail_lower(u, 8)
    return tail is None or tail.endswith(words)


def _may_be_excluded(left: str) -> bool:
    """Whether `excluded_before_re` may match `left`: its keyword, then perhaps "số" and ":", must end
    it (a necessary condition; tests/test_perf_citations_scan.py)."""
    u = left.rstrip()
    if u.endswith(":"):
        u = u[:-1].rstrip()
    tail = _tail_lower(u, 8)
    if tail is None or tail.endswith(_EXCLUDED_LAST):
        return True
    if not tail.endswith("số"):
        return False
    tail = _tail_lower(u[:-2].rstrip(), 8)
    return tail is None or tail.endswith(_EXCLUDED_BEFORE_SO)


def _may_be_excluded_last(left: str) -> bool:
    """`_may_be_excluded(left)` read on the last three words of `left` (one space apart), cached on
    them: the test strips a ":", then "số", and reads the end of a keyword's last word, at most three
    words, each of its comparisons within one of them (a keyword holds no space) and within the eight
    characters it reads for an odd case. A text puts the same few words before its numbers
    ("Nghị định số", "Kế hoạch số"), where the test lowered the end of each context anew
    (tests/test_perf_citations_round4.py)."""
    words = left[-48:].rsplit(None, 3)
    if len(words) < 4 and len(left) > 48:  # (fewer than three whole words in the last 48 characters)
        words = left.rsplit(None, 3)
    return _may_be_excluded_words(tuple(words[-3:]))


@lru_cache(maxsize=8192)
def _may_be_excluded_words(words: tuple[str, ...]) -> bool:
    return _may_be_excluded(" ".join(words))


@lru_cache(maxsize=8192)
def _date_of_groups(groups: tuple[str | None, ...]):
    wd, wm, wy, d, m, y = groups
    return make_date(wd, wm, wy) if wd else make_date(d, m, y)


_DATE_GROUPS = ("wd", "wm", "wy", "d", "m", "y")
_DATE_GROUP_NUMBERS: dict[regex.Pattern, tuple[int, ...]] = {}


def _date_of(m: regex.Match):
    """`date_from_match(m)` for a match of a pattern holding `date_re`'s groups, cached on them (a
    text repeats its dates: "ngày 19 tháng 6 năm 2015"). The groups are read by their numbers in the
    match's pattern (by name, six cost ~1 µs: the `regex` module looks each name up)."""
    rx = m.re
    numbers = _DATE_GROUP_NUMBERS.get(rx)
    if numbers is None:
        numbers = _DATE_GROUP_NUMBERS[rx] = tuple(rx.groupindex[g] for g in _DATE_GROUPS)
    return _date_of_groups(m.group(*numbers))


def _may_hold(text: str, lo: int, hi: int, word: str) -> bool:
    """Whether text[lo:hi] may hold `word` (lower case) as an IGNORECASE pattern matches it: a
    necessary condition, a search of the lowered window far cheaper than a pattern that needs the
    word ("ngày" in `_DATE_BEFORE`) tried at each of its positions. (Each letter such a pattern
    matches lowers to the letter of `word`: tests/test_perf_citations.py.)"""
    return word in text[lo:hi].lower()


# What `part_before_re` reads last (its pattern's case-insensitive classes): an item's value
# ("18", "VI", "2a", "3.1", "c"), then perhaps "của"/"tại"/"thuộc", then perhaps "các"
_PART_VALUE = regex.compile(r"[0-9IVXLivxl]+[a-zđ]?(?:\.[0-9]+)*|[a-zđ]", regex.IGNORECASE)
_PART_CONNECTORS = ("của", "tại", "thuộc", "các")


@lru_cache(maxsize=8192)
def _part_token(token: str) -> int:
    """What the last word of a context is to `part_before_re`: 1 an item's value, 2 a word that
    ends with one of its connectors (or holds an odd case), 0 neither (cached: "theo", "cứ", "của")."""
    if _PART_VALUE.fullmatch(token):
        return 1
    tail = _tail_lower(token, 5)
    return 2 if tail is None or tail.endswith(_PART_CONNECTORS) else 0


_ENDS_CONNECTOR, _ENDS_ENACTING, _PART_VALUE_LAST, _PART_CONNECTOR_LAST = 1, 2, 4, 8


@lru_cache(maxsize=8192)
def _word_flags(word: str) -> int:
    """What the last word before a mention allows, as bits: `_ENDS_CONNECTOR`, `_ENDS_ENACTING` (it
    may end with a word of `_CONNECTOR_VERBS`, `_ENACTING_VERBS`: `_ends_with_word` of a window
    ending with it, read on the word alone, as no such word holds a space), `_PART_VALUE_LAST`,
    `_PART_CONNECTOR_LAST` (`_part_token`). A text puts the same few words before its mentions
    ("cứ", "theo", "tại", "tắt"): cached, each test is a bit, not a slice of the text lowered."""
    tail = _tail_lower(word, 8)
    flags = 0
    if tail is None or tail.endswith(_CONNECTOR_VERBS):
        flags |= _ENDS_CONNECTOR
    if tail is None or tail.endswith(_ENACTING_VERBS):
        flags |= _ENDS_ENACTING
    kind = _part_token(word)
    if kind == 1:
        flags |= _PART_VALUE_LAST
    elif kind == 2:
        flags |= _PART_CONNECTOR_LAST
    return flags


def _may_end_with_part(before: str) -> bool:
    """Whether `part_before_re` may match `before` (a necessary condition). The pattern ends with an
    item's value, which a space precedes, then perhaps a connector and "các" (words holding letters
    no value holds, so that only those can read them): so the last word of the context is a value,
    or ends with a connector, and then, past the connectors, the last word is a value. Most contexts
    end with "Căn cứ", "theo", "ban hành kèm theo" and are answered without the pattern, which three
    in four of them cost a search in vain (tests/test_perf_citations_round4.py)."""
    u = before.rstrip()
    if not u:
        return False
    kind = _part_token(u.rsplit(None, 1)[-1])
    if kind != 2:
        return kind == 1
    tail = _tail_lower(u, 5)
    if tail is None:
        return True
    if tail.endswith("các"):
        u = u[:-3].rstrip()
        tail = _tail_lower(u, 5)
        if tail is None:
            return True
    if tail.endswith(("của", "tại")):
        u = u[:-3].rstrip()
    elif tail.endswith("thuộc"):
        u = u[:-5].rstrip()
    return _PART_VALUE.fullmatch(u.rsplit(None, 1)[-1]) is not None if u else False


_CANNOT_ACT = frozenset({"Báo cáo", "Tờ trình", "Phiếu trình", "Giấy mời", "Biên bản"})


def find_citations(text: str, own_number: str | None = None, where: Jurisdiction | None = None,
                   own_date=None,
                   exclude: list[tuple[int, int]] | None = None,
                   title_span: tuple[int, int] | None = None, doc_type: str | None = None) -> list[Citation]:
    """All citations in `text`, in order, with relation, short forms resolved and target ids.

    `doc_type` (the citing document's) says whether it can act on others: a Báo cáo or a Tờ trình
    recounts or proposes amendments and repeals, it does not make them.

    `own_number` (the document's own number) is never a reference; `exclude` lists spans (the
    header's `Số:` line) to skip; `where` completes relative issuers ("UBND tỉnh").
    """
    exclude = exclude or []
    excluded = _SpanSet(exclude)
    own = fold(own_number) if own_number else None
    # the same number printed without its year ("95/UBTVQH15" for 95/2025/UBTVQH15) is still itself
    own_short = fold(_YEAR_SEGMENT.sub("/", own_number)) if own_number else None
    out: list[Citation] = []
    prev: Citation | None = None
    for m in iter_numbers(text):
        if excluded.covers(m.start()):
            continue
        num = parse_number(m)
        found = _type_and_start(text, m, num, prev)
        if found is None:
            continue
        tname, start, law_name, how = found
        c = Citation(mention="", start=start, end=m.end(), cited_type=tname, cited_number=num.number,
                     cited_name=law_name)
        if num.year:
            c.cited_year = num.year
        c.end = _read_right(text, m.end(), where, c)
        # the last word before the mention, read once for the three tests that need it (when a space
        # precedes it within the shortest of their windows, as it does but for a word of 120 letters)
        window = text[max(0, start - 120): start]
        last = window.rstrip().rsplit(None, 1)
        flags = _word_flags(last[1]) if len(last) == 2 else None
        if c.cited_date is None and (flags & _ENDS_ENACTING if flags is not None else _ends_with_word(
                text, max(0, start - 160), start, _ENACTING_VERBS)) and _may_hold(text, max(0, start - 160), start, "ngày"):
            db = _DATE_BEFORE.search(text, max(0, start - 160), start)
            if db:
                c.cited_date = _date_of(db)
                if c.cited_issuer_raw is None:
                    c.cited_issuer_raw = db.group("who").strip()
                    c.cited_issuer = resolve_issuer(c.cited_issuer_raw, where)
        if c.cited_issuer_raw is None:
            before = _issuer_before(text, start, flags)
            if before:
                c.cited_issuer_raw = before
                c.cited_issuer = resolve_issuer(before, where)
        implied = issuer_from_symbol(num, where.province if where else None)
        if c.cited_issuer is None and implied:
            c.cited_issuer = implied
        elif implied and c.cited_issuer_raw and " và " in c.cited_issuer_raw:
            _pick_coordinated(c, implied, where)
        if flags is None:
            may_part = _may_end_with_part(window)
        else:
            may_part = flags & _PART_VALUE_LAST or (flags & _PART_CONNECTOR_LAST and _may_end_with_part(window))
        pm = part_before_re().search(window) if may_part else None
        if pm:
            c.part = _spaced(pm.group("part"))
        c.mention = text[c.start: c.end].rstrip(" ,(\t")
        c.end = c.start + len(c.mention)
        c.relation_cue = how
        # the document's own number is not a reference, unless dated otherwise: "Kế hoạch số
        # 92/KH-UBND ngày 20/4/2023" in the 92/KH-UBND of 2024 is last year's plan
        if own and _fold_short(c.cited_number) in (own, own_short) and not (
                own_date and ((c.cited_date and c.cited_date != own_date)
                              or (c.cited_year and c.cited_year != own_date.year))):
            prev = c
            continue
        out.append(c)
        prev = c
    _share_list_issuer(out, text)
    _share_enacted_issuer(out, text)
    out.extend(_named_laws(text, out, exclude, where))
    out.extend(_bare_numbers(text, out, exclude, where))
    out.sort(key=lambda c: c.start)
    can_act = doc_type not in _CANNOT_ACT
    assign_relations(text, out, (title_span,) if title_span else (), can_act=can_act)
    resolve_short_forms(out, _LazyAcronyms(text))
    implied = find_implicit(text, out, title_span, can_act)  # "2. Bãi bỏ khoản 2 Điều 5." of an amending article
    if implied:
        out = sorted(out + implied, key=lambda c: c.start)
    for c in out:
        c.target_id = target_key(c)
    return out


def _inner_start(text: str, start: int, end: int) -> int:
    """Where the amended laws begin inside an amending title that spans text[start:end]."""
    im = _INNER_LAWS.search(text, start, end)
    return im.end() if im else end


def _pick_coordinated(c: Citation, implied: str, where: Jurisdiction | None) -> None:
    """"đề nghị của Hội Công chứng viên tỉnh và Sở Tư pháp tại Tờ trình số 62/TTr-STP": of two bodies
    proposing together, the symbol says whose paper it is."""
    parts = [p.strip() for p in c.cited_issuer_raw.split(" và ")]
    if not all(_issuer_head_re().match(p) for p in parts):  # "Sở Khoa học và Công nghệ" is one body
        return
    targets = [fold(t) for t in implied.split(" - ")]  # joint symbols name several bodies
    hits = [p for p in parts if p and any(t.startswith(fold(display_name(p))) for t in targets)]
    if len(hits) == 1 and len(parts) == 2:
        c.cited_issuer_raw = hits[0]
        c.cited_issuer = resolve_issuer(hits[0], where)


_ENACTED = regex.compile(r"(?:ban\s+hành|xây\s+dựng)\s+(?:các\s+)?\Z", regex.IGNORECASE)


def _share_enacted_issuer(cits: list[Citation], text: str) -> None:
    """"UBND tỉnh ban hành Kế hoạch số 3450/KH-UBND … năm 2026; Kế hoạch số 3664/KH-UBND …": the
    body that enacted the first item enacted the items that follow it in the sentence ("; " or ", "
    before each). An item after " và " is coordinated with the citation just before it: it shares
    the body only when that citation is an item of the list ("xây dựng Kế hoạch số 69/KH-UBND … và
    Kế hoạch số 70/KH-UBND"), not when it is another body's ("… của Bộ Tài chính tại Công văn số
    848/BTC-QLCS … và Công văn số 642/BTC-QLCS")."""
    owner: Citation | None = None
    last: Citation | None = None  # the owner, or the last citation that took its body
    prev: Citation | None = None
    clear_to = 0  # text[owner.end: clear_to] is known to hold no sentence end: each stretch is read once
    for c in cits:
        if owner is not None and c.start > clear_to:
            lo = max(owner.end, clear_to - 1)  # a ". " may straddle the stretch already read
            if _SENTENCE_END.search(text, lo, c.start):
                owner = None  # the sentence ended
            else:
                clear_to = c.start
        if c.cited_issuer_raw and _ENACTED.search(text, max(0, c.start - 30), c.start):
            owner, clear_to = c, c.end
            last = c
        elif owner is not None and c.cited_issuer_raw is None and (
                text[max(0, c.start - 2): c.start] in {"; ", ", "}
                or (prev is last and text[max(0, c.start - 4): c.start] == " và ")):
            c.cited_issuer_raw, c.cited_issuer = owner.cited_issuer_raw, owner.cited_issuer
            last = c
        prev = c


def _share_list_issuer(cits: list[Citation], text: str) -> None:
    """"Quyết định số 12/QĐ-UBND ngày …, 13/QĐ-UBND ngày … của UBND tỉnh": the issuer after the last
    item of a list applies to the earlier items that have none."""
    run: list[Citation] = []
    for c in cits:
        if run and run[-1].cited_issuer_raw is None and _is_list_gap_in(text, run[-1].end, c.start):
            run.append(c)
        else:
            _fill_run(run)
            run = [c]
    _fill_run(run)


def _fill_run(run: list[Citation]) -> None:
    if len(run) < 2 or run[-1].cited_issuer_raw is None:
        return
    for c in run[:-1]:
        if c.cited_issuer_raw is None and c.cited_type == run[-1].cited_type:
            c.cited_issuer_raw = run[-1].cited_issuer_raw
            c.cited_issuer = run[-1].cited_issuer


def _named_laws(text: str, numbered: list[Citation], exclude, where) -> list[Citation]:
    """Laws, codes and ordinances cited by name only: "Luật Trẻ em", "Bộ luật Lao động".

    The laws named inside an amending law's title are cited too ("Căn cứ Luật sửa đổi, bổ sung một
    số điều của Luật Đấu thầu, Luật Hải quan số 90/2025/QH15" cites 90/2025/QH15, Luật Đấu thầu and
    Luật Hải quan); only the title's opening words belong to the numbered citation alone.
    """
    amends = [_amending(c) for c in numbered]
    spans = _SpanSet([(c.start, c.start + 12) if a else (c.start, c.end) for c, a in zip(numbered, amends)] + list(exclude))
    amending = _SpanSet([(c.start, c.end) for c, a in zip(numbered, amends) if a])
    out: list[Citation] = []
    last_end = -1
    title_end = -1  # end of the amending title being read: its date and issuer are not the inner laws'
    for start, kind in _named_law_words(text):
        if start < last_end or spans.covers(start):
            continue
        got = _named_law_from(text, start, start + len(kind), kind)
        if not got:
            continue
        name, end = got
        # a named law followed by its number is the numbered citation's business (not when that
        # number is the amending law's whose title ends with this name)
        if text.find("số", end, end + 20) >= 0 and _NUMBER_FOLLOWS.match(text, end, end + 20) and not amending.covers(start):
            continue
        c = Citation(mention=text[start: end], start=start, end=end,
                     cited_type=_NAMED_LAW_TYPES.get(kind, "Luật"), cited_name=name)
        if c.start >= title_end:
            c.end = _read_right(text, end, where, c)
        c.mention = text[c.start: c.end].rstrip(" ,(\t")
        c.end = c.start + len(c.mention)
        c.relation_cue = "named"
        if c.cited_issuer is None and c.cited_type in {"Luật", "Bộ luật", "Hiến pháp"}:
            c.cited_issuer = "Quốc hội"
        out.append(c)
        last_end = c.end
        # "Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa
        # phương": the laws the title amends are cited too
        inner = _inner_start(text, start, end) if "sửa" in name and _AMENDING_HEAD.match(name) else end
        if inner < end:
            last_end, title_end = inner, end
    return out


# "Quyết định số 335 phê duyệt …", "Nghị quyết số 163 ngày 27/11/2024 của Quốc hội": a number with
# no symbol after "số" (what the main scan, which reads numbers by their symbols, leaves)
_BARE_NUMBER = regex.compile(r"(?P<so>số)[ \t]*:?[ \t]*(?P<num>[1-9]\d{0,4})(?![\d/\-–]|[.,:]\d|\p{L}|[ \t]*(?::|\.\.|…))"
                             r"(?=\s|[,;.)](?:\s|$)|$)")  # (a mark glued to it, "12§/KH-UBND", is a number OCR broke)
_BARE_SHORT = regex.compile(r"(\d+)[/\-]")
_NOT_BARE_TYPES = frozenset({"Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp"})  # laws are read by name


@cache
def _type_last_words() -> frozenset[str]:
    """The last words of the type words, lower-cased ("định" of "Quyết định"): what must stand
    before the "số" of a bare number, tested before the type-word pattern (`_bare_numbers`)."""
    return frozenset(w.split()[-1].lower() for w in rules.type_words() if w.split())


def _bare_numbers(text: str, numbered: list[Citation], exclude, where) -> list[Citation]:
    """Documents cited by type word, "số" and a bare number, with no symbol: "Quyết định số 335
    phê duyệt Đề án …", "Nghị quyết số 163 ngày 27/11/2024 của Quốc hội", "Quyết định số 28 của Thủ
    tướng Chính phủ" (speeches and reports write them so).

    Forms handled, each only with "số" right after the type word and the number right after it (a
    bare "Kế hoạch 2025" is a year, "Quyết định 12" too loose, "Quy định tại mục số 7" a part):
      Bare 1: the document cited with its date and issuer after it, read as for any citation;
      Bare 2: a short form of a document the text cites in full ("Chỉ thị số 36-CT/TW … Chỉ thị số
              36"): the same type and the full number's leading digits; it takes that number.
    Not read: a number the main scan already read (a symbol it found after it), inside an excluded
    span (the header's "Số:"), a law's type word (laws are cited by name), a number followed by a
    symbol, a decimal or a letter ("số 12a", "số 1.234"), or by ":" or dots (a form's footnote mark:
    "Theo Quyết định số4: ……… ngày …"), or by any mark but a space or a stop ("số 12§/KH-UBND": a
    number whose symbol OCR broke)."""
    if "số" not in text:
        return []
    spans: _SpanSet | None = None  # (the citations' spans and full numbers: made for a first candidate)
    full: dict[tuple[str, str], Citation] = {}
    types = rules.type_words()
    out: list[Citation] = []
    for m in _BARE_NUMBER.finditer(text):  # (the pattern opens with its literal: the scan is a search for it)
        so = m.start("so")
        if so and _is_letter(text[so - 1]):
            continue  # "số" ends a longer word
        lo = so - 60 if so > 60 else 0
        last = text[lo:so].rsplit(None, 1)
        if len(last) < 2 or last[1].lower() not in _type_last_words():
            continue  # the word before "số" ends no type word ("Mẫu số 02", "Phụ lục số 1")
        if spans is None:
            spans = _SpanSet([(c.start, c.end) for c in numbered] + list(exclude))
            for c in numbered:
                if c.cited_number and c.cited_type:
                    fm = _BARE_SHORT.match(c.cited_number)
                    if fm:
                        full.setdefault((c.cited_type, fm.group(1)), c)
        if spans.covers(so) or spans.covers(m.start("num")):
            continue  # the main scan read the number
        tm = type_word_before_plain_re().search(text, lo, m.start("num"))
        if tm is None or tm.start() >= so or text[tm.end("type"): so].strip():
            continue  # no type word right before "số" ("Quy định tại mục số 7" names a part)
        tname = types.get(_type_key(tm.group("type")))
        if tname is None or tname in _NOT_BARE_TYPES:
            continue
        if excluded_before_re().search(text, lo, tm.start()):
            continue  # "mẫu Quyết định số 1" of a form
        c = Citation(mention="", start=tm.start(), end=m.end(), cited_type=tname, cited_number=m.group("num"))
        c.end = _read_right(text, m.end(), where, c)
        c.mention = text[c.start: c.end].rstrip(" ,(\t")
        c.end = c.start + len(c.mention)
        c.relation_cue = "bare"
        if c.cited_issuer_raw is None:  # "Công an Thành phố đã ban hành Quyết định số 335"
            before = _issuer_before(text, c.start)
            if before:
                c.cited_issuer_raw, c.cited_issuer = before, resolve_issuer(before, where)
        f = full.get((tname, c.cited_number))
        if f is not None:  # Bare 2
            c.cited_number, c.short_form = f.cited_number, True
            c.cited_date = c.cited_date or f.cited_date
            c.cited_year = c.cited_year or f.cited_year
            if c.cited_issuer is None:
                c.cited_issuer, c.cited_issuer_raw = f.cited_issuer, c.cited_issuer_raw or f.cited_issuer_raw
        out.append(c)
    return out


def resolve_short_forms(cits: list[Citation], acronyms: dict[str, str] | None = None) -> None:
    """Later mentions "Kế hoạch số 92/KH-UBND" take the date and issuer of the full citation.

    Nghị định 30/2020 lets a text cite a document in full once and by type and number afterwards;
    the identity of the short form is the identity of the full one.
    """
    _link_names_to_numbers(cits, acronyms)
    _link_yearless_numbers(cits)
    full: dict[str, Citation] = {}
    keys = []  # (each citation's key, read once: the loops below change no number nor name)
    for c in cits:
        key = _fold_short(c.cited_number) if c.cited_number else (f"name:{_fold_short(c.cited_name)}" if c.cited_name else None)
        keys.append(key)
        if key is None:
            continue
        if key in full:
            f = full[key]
            if c.cited_date is None and c.cited_issuer is None:
                c.short_form = True
            if c.cited_date is None:
                c.cited_date = f.cited_date
            if c.cited_year is None:
                c.cited_year = f.cited_year
            if c.cited_issuer is None:
                c.cited_issuer = f.cited_issuer
                c.cited_issuer_raw = c.cited_issuer_raw or f.cited_issuer_raw
            if c.cited_type in (None, "Công văn") and f.cited_type:
                c.cited_type = f.cited_type
            # a later, fuller mention completes the earlier record too
            if f.cited_date is None and c.cited_date is not None:
                f.cited_date = c.cited_date
            if f.cited_issuer is None and c.cited_issuer is not None:
                f.cited_issuer = c.cited_issuer
        else:
            full[key] = c
    # back-fill earlier mentions from the record that gathered the most detail
    for c, key in zip(cits, keys):
        f = full.get(key) if key else None
        if f is not None and f is not c:
            c.cited_date = c.cited_date or f.cited_date
            c.cited_issuer = c.cited_issuer or f.cited_issuer


@lru_cache(maxsize=8192)
def law_key(name: str) -> str:
    """Key of a law cited by name: "Luật Đất đai năm 2024" → "luật đất đai"; every
    "Hiến pháp nước Cộng hòa …" → "hiến pháp"."""
    k = fold(regex.sub(r"\s+(?:năm\s+)?\d{4}$", "", name.strip()))
    if k.startswith("hiến pháp"):
        return "hiến pháp"
    return k


_WORD = regex.compile(r"\p{L}+")


@lru_cache(maxsize=4096)
def _initials(name: str) -> str:
    return "".join(w[0] for w in _WORD.findall(name)).upper()


class _KnownInitials:
    """The first name of `known` then of `more` (in order) of each kind ("Luật", "Bộ luật", "Pháp
    lệnh") and initials: built once per text on the first acronym, so that each lookup is a dict
    access, not a scan (most texts cite no law by an acronym, and build nothing)."""

    def __init__(self, known: list[str], more: tuple[str, ...] = ()):
        self.known = known
        self.more = more
        self.index: dict[tuple[str, str], str] | None = None

    def get(self, kind: str, initials: str) -> str | None:
        if self.index is None:
            self.index = {}
            for names in (self.known, self.more):
                for cand in names:
                    for k in _ACRONYM_KINDS:
                        if cand.startswith(k + " "):
                            self.index.setdefault((k, _initials(cand[len(k) + 1:])), cand)
        return self.index.get((kind, initials))


_ACRONYM_KINDS = ("Bộ luật", "Luật", "Pháp lệnh")  # the kinds `_ACRONYM_LAW` reads


@lru_cache(maxsize=8192)
def _acronym_law(name: str) -> tuple[str, str] | None:
    """`_ACRONYM_LAW.fullmatch(name)`'s kind and acronym, or None; cached (a law's name recurs)."""
    m = _ACRONYM_LAW.fullmatch(name)
    return (m.group(1), m.group(2)) if m else None


def _expand_acronym(name: str, known: "_KnownInitials", text_acronyms: dict[str, str]) -> str:
    """"Luật BHYT" → "Luật Bảo hiểm y tế" when the text defines BHYT or a known law has those initials."""
    parts = _acronym_law(name)
    if not parts:
        return name
    kind, acro = parts
    if acro in text_acronyms:
        return f"{kind} {text_acronyms[acro]}"
    return known.get(kind, acro.replace("Đ", "D")) or name


_ACRO_DEF = regex.compile(r"\(\s*(?:sau\s+đây\s+(?:gọi|viết)\s+tắt\s+là\s*:?\s*)?(?P<acro>[A-ZĐ]{2,8})\s*\)")


_LETTERS = regex.compile(r"[\p{L}]+")


def defined_acronyms(text: str) -> dict[str, str]:
    """Acronyms the text defines: "Luật Bảo hiểm y tế (BHYT)" → {"BHYT": "Bảo hiểm y tế"}."""
    out: dict[str, str] = {}
    for m in _ACRO_DEF.finditer(text):
        acro = m.group("acro")
        if acro in out:
            continue
        before = _LETTERS.findall(text, max(0, m.start() - 120), m.start())
        n = len(acro)
        for take in (n, n + 1, n + 2):  # allow "và", "của" inside the phrase
            words = before[-take:]
            if len(words) < n:
                break
            content = [w for w in words if w.lower() not in {"và", "của", "các", "cho"}]
            if "".join(w[0] for w in content).upper().replace("Đ", "D") == acro.replace("Đ", "D"):
                out[acro] = " ".join(words)
                break
    return out


class _LazyAcronyms:
    """`defined_acronyms(text)`, read on the first lookup: only a law cited by an acronym ("Luật
    BHYT") looks one up, in a few texts of a corpus, and the scan of every bracket of the text for
    the definitions was a thirtieth of citation reading (tests/test_perf_citations_round4.py)."""

    def __init__(self, text: str):
        self.text = text
        self.found: dict[str, str] | None = None

    def _defined(self) -> dict[str, str]:
        if self.found is None:
            self.found = defined_acronyms(self.text)
        return self.found

    def __bool__(self) -> bool:  # (never empty for `acronyms or {}`: the lookup decides)
        return True

    def __contains__(self, acro: str) -> bool:
        return acro in self._defined()

    def __getitem__(self, acro: str) -> str:
        return self._defined()[acro]


def _link_names_to_numbers(cits: list[Citation], acronyms: dict[str, str] | None = None) -> None:
    """A law cited by name only ("Luật Tố cáo", "Luật BHYT") after or before its numbered citation
    ("Luật Tố cáo số 25/2018/QH14") is that numbered law: take its number."""
    by_name: dict[str, Citation] = {}
    for c in cits:
        if c.cited_number and c.cited_name:
            by_name.setdefault(law_key(c.cited_name), c)
    # (the names as they are before any is expanded; the gazetteer's after them, read only if needed)
    known = _KnownInitials([c.cited_name for c in cits if c.cited_name], rules.law_names())
    acronyms = acronyms or {}
    for c in cits:
        if c.cited_number or not c.cited_name:
            continue
        name = _expand_acronym(c.cited_name, known, acronyms)
        if name != c.cited_name:
            c.cited_name = name
        full = by_name.get(law_key(name))
        if full is not None:
            c.cited_number = full.cited_number
            c.cited_date = c.cited_date or full.cited_date
            c.cited_year = c.cited_year or full.cited_year
            c.short_form = True


_WITH_YEAR = regex.compile(r"([\d.]+[a-z]?)/\d{4}/(.+)")
_WITHOUT_YEAR = regex.compile(r"([\d.]+[a-z]?)/([^/]+)")
_NORMATIVE = regex.compile(r"/\d{4}/")


# The numbers' parts, cached as pure functions of the number: a text cites the same numbers again
# and again, and the same numbers recur from text to text (each pattern cost ~1 µs a citation).
@lru_cache(maxsize=16384)
def _with_year(number: str) -> tuple[str, str] | None:
    """`_WITH_YEAR.fullmatch(number)`'s two groups, or None."""
    m = _WITH_YEAR.fullmatch(number)
    return (m.group(1), m.group(2)) if m else None


@lru_cache(maxsize=16384)
def _without_year(number: str) -> tuple[str, str] | None:
    """`_WITHOUT_YEAR.fullmatch(number)`'s two groups, or None."""
    m = _WITHOUT_YEAR.fullmatch(number)
    return (m.group(1), m.group(2)) if m else None


@lru_cache(maxsize=16384)
def _is_normative(number: str) -> bool:
    return _NORMATIVE.search(number) is not None


def _link_yearless_numbers(cits: list[Citation]) -> None:
    """"126/NĐ-CP" printed without its year, in a text that also cites 126/2024/NĐ-CP: one document."""
    full: dict[tuple[str, str], str] = {}
    yearless: list[tuple[Citation, tuple[str, str]]] = []  # (listed in the same pass, as each number parts once)
    for c in cits:
        if c.cited_number:
            with_year, without = _number_parts(c.cited_number)
            if with_year:
                full.setdefault(with_year, c.cited_number)
            elif without:
                yearless.append((c, without))
    if not full:
        return
    for c, parts in yearless:
        if parts in full:
            c.cited_number = full[parts]
            c.short_form = True


@lru_cache(maxsize=16384)
def _number_parts(number: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """`_with_year(number)` when it holds two "/" at least, and `_without_year(number)` when it holds
    exactly one (a number with a year holds two, one without it one: counted first); cached."""
    slashes = number.count("/")
    return (_with_year(number) if slashes >= 2 else None), (_without_year(number) if slashes == 1 else None)


def citation_key(c: Citation) -> str | None:
    """The within-document key of the cited document: its number, else its name."""
    if c.cited_number:
        return _fold_short(c.cited_number)
    if c.cited_name:
        return "name:" + law_key(c.cited_name)
    return None


def target_key(c: Citation) -> str | None:
    """Normalised node key: number + date (or year) + issuer. The graph stage refines identity.

    A normative number (N/YYYY/SYMBOL) is unique in the country; an administrative or Party number
    repeats every year in every body, so its key carries the year and the issuer.
    """
    if c.cited_number:
        parts = [c.cited_number.upper()]
        if _is_normative(c.cited_number):
            return "vb:" + parts[0]
        when = c.cited_date.isoformat() if c.cited_date else (str(c.cited_year) if c.cited_year else "")
        who = _fold_short(c.cited_issuer) if c.cited_issuer else ""
        return "vb:" + "|".join([parts[0], when, who])
    if c.cited_name:
        return "law:" + law_key(c.cited_name)
    return None


__all__ = ["find_citations", "resolve_short_forms", "citation_key", "target_key", "display_name", "replace"]
