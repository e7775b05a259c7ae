"""The grammar of Vietnamese document numbers, dates and type words, compiled once from `rules/`.

Kept apart from the extractors (as eyecite keeps its regexes) so that the surface forms are read
in one place. Every pattern runs on text already normalised by `clean` (ASCII dash and slash).

Document numbers (số, ký hiệu), three grammars:
  Administrative (Nghị định 30/2020):   76/KH-UBND, 627/BYT-BH, 409/TTr-CAT(PC04), 1413/PC04
  Legal normative (Luật BHVBQPPL):      56/2017/NĐ-CP, 58/2010/QH12, 03/2016/TTLT-BTP-BCA-BQP
  Party (Hướng dẫn 36-HD/VPTW):         28-CT/TW, 119-KH/TU, 35-HD/BTCTW, 08-QĐi/TW
with the noise of real texts: spaces around separators ("416/QĐ- TTg", "56 / 2017 / NĐ-CP"),
one space inside a symbol before a hyphen ("3812/SLĐT BXH-VP"), letters in other scripts already
folded by `clean`.

Dates: "05/7/2017", "9-5-2017", "05.7.2017", "26 tháng 8 năm 2025", and the blank draft forms
"ngày    tháng 12 năm 2025" / "ngày … tháng … năm 2024".
"""
from __future__ import annotations

import datetime as dt
from functools import cache

import regex

from .. import rules

# one symbol segment: starts with a capital, may hold lower-case letters (TTg, TTr, QyĐ, QĐi),
# digits (QH15, C04) and a parenthesised unit (CAT(PC04))
# lower-case letters only where the types put them (TTg, TTr, CTr, QĐi at a segment's end, QyĐ),
# so that a symbol glued to the next word ("43/2025/TT-BYTngày") still ends where it should
SEG = r"[A-ZĐ](?:[A-ZĐ0-9&]|y(?=Đ)|[gri](?![a-zđà-ỹ]))*(?:\([A-ZĐ0-9][A-ZĐa-z0-9]*\))?"
SEG_UPPER = r"[A-ZĐ][A-ZĐ0-9&]*"
HY = r"(?:[ ]?-[ ]?)"  # hyphen with at most one stray space either side
SL = r"(?:[ ]?/[ ]?)"
DIGITS = r"\d{1,6}(?:\.\d{1,3}(?=/))?[a-z]?"  # "66.12/2026/NQ-CP" (a numbered series)
SYMBOL = rf"{SEG}(?:{HY}{SEG}|[ ]{SEG_UPPER}(?=-))*"
YEAR = r"(?:19|20)\d{2}"

# The order of the alternatives matters: normative (with a year) before administrative.
# The look-ahead after the look-behind is what all three grammars open with (digits, then a slash or
# a hyphen): it changes no match, but rejects the ~95% of digit runs that are not numbers (dates,
# amounts, list markers) before the three alternatives are each tried there.
NUMBER = (
    rf"(?<![\w/.\-])(?=\d{{1,6}}(?:\.\d{{1,3}})?[a-z]?[ ]?[/-])(?:"
    rf"(?P<n_norm>{DIGITS}){SL}(?P<y_norm>{YEAR}){SL}(?P<s_norm>{SYMBOL}(?:/{SEG}(?:{HY}{SEG})*)?|(?:TT|NĐ|QĐ|NQ|TTLT|CT)[ ][A-ZĐ]{{2,}}(?:-{SEG})*)"
    rf"|(?P<n_party>{DIGITS}){HY}(?P<s_party>{SEG}{SL}{SEG}(?:{HY}{SEG})*)"
    rf"|(?P<n_admin>{DIGITS}){SL}(?!{YEAR}\b)(?P<s_admin>{SYMBOL})"
    rf")(?:(?![\w])|(?<=[A-ZĐ0-9)])(?=\p{{Ll}}{{2}}))"
)

# a blank number of an unsigned draft: "Số:     /BC-UBND", "Số: …/2025/TT-BNNMT"
BLANK_NUMBER = rf"[ \t._…]*/[ ]?(?:(?P<y_blank>{YEAR})/)?(?P<s_blank>{SYMBOL})"

DAY = r"(?:0?[1-9]|[12]\d|3[01])"
MONTH = r"(?:0?[1-9]|1[0-2])"
NUMERIC_DATE = rf"(?P<d>{DAY})\s?(?P<sep>[/.\-])\s?(?P<m>{MONTH})\s?(?P=sep)\s?(?P<y>{YEAR}|\d{{2}})(?!\d)"
WORD_DATE = rf"(?P<wd>{DAY})\s+tháng\s+(?P<wm>{MONTH})\s*(?:năm|,)\s*(?P<wy>{YEAR})"
DATE = rf"(?:{WORD_DATE}|{NUMERIC_DATE})"

QUOC_HIEU = (r"c[ộo]ng\s+h(?:òa|oà|oa)\s+x[ãa]\s+h[ộo]i\s+ch[ủu]\s+ngh[ĩi]a\s+vi[ệe]t\s+nam")
MOTTO = r"đ[ộo]c\s+l[ậa]p\s*-\s*t[ựu]\s+do\s*-\s*h[ạa]nh\s+ph[úu]c"
PARTY_MOTTO = r"đ[ảa]ng\s+c[ộo]ng\s+s[ảa]n\s+vi[ệe]t\s+nam"


@cache
def number_re() -> regex.Pattern:
    return regex.compile(NUMBER, regex.V1)


# What a number opens with, up to its first separator, read backwards from that separator: the
# digits, a series ".12", a letter, a stray space (NUMBER's DIGITS, then SL or HY). At most 12 characters.
_NUMBER_HEAD_REV = regex.compile(r"(?<![\w/.\-])\d{1,6}(?:\.\d{1,3})?[a-z]?[ ]?", regex.REVERSE)
_HEAD_REACH = 12
_NOT_BEFORE_SEPARATOR = frozenset(
    chr(c) for c in range(128) if not (chr(c).isdigit() or "a" <= chr(c) <= "z" or chr(c) == " "))
_ASCII_DIGITS = frozenset("0123456789")
# What follows a number's first separator (past one stray space): a symbol's first segment ([A-ZĐ],
# all three grammars), or after a slash the year of the normative grammar ("19…", "20…")
_OPENS_AFTER_HYPHEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZĐ")
_OPENS_AFTER_SLASH = _OPENS_AFTER_HYPHEN | {"1", "2"}
# ends a digit run that no head may start after: in the look-behind's [\w/.\-], and not "." (the
# series "66.12/…" reads on past it)
_RULES_OUT_HEAD = frozenset("/-_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGIT = regex.compile(r"\d")


@cache
def _is_digit(c: str) -> bool:
    """Whether the pattern `\\d` matches the character (the `regex` module's Unicode tables, not `str`'s)."""
    return _DIGIT.match(c) is not None


def iter_numbers(text: str):
    """The matches of `number_re().finditer(text)`, found without running the pattern at every
    position of the text (a fifth of citation reading on long texts).

    Every number holds a "/" or "-" within its first 13 characters (the separator after its digits),
    and its start is fixed by that separator: the digit run the look-behind allows, read backwards
    (`_NUMBER_HEAD_REV`). So the starts are listed from the separators, which `str.find` finds at
    memory speed, and the pattern is matched at each start in order, skipping those inside the
    previous match: the leftmost non-overlapping matches, as `finditer` returns them.

    A separator is passed over, without the head's pattern, when a character next to it rules a
    number out: what follows it (a number's first separator opens a symbol or a year), what stands
    before it (a head ends in a digit), or what stands before that digit's run (the second slash of a
    date, "05/7/2017", follows "/7"). Each of these only drops starts at which no number can match,
    and `_matches_at` needs no more than every start at which one can. The common head, a run of
    ASCII digits after a space or a bracket, is read without the pattern too."""
    starts: set[int] = set()
    n = len(text)
    for sep, opens in (("/", _OPENS_AFTER_SLASH), ("-", _OPENS_AFTER_HYPHEN)):
        p = text.find(sep, 1)
        while p >= 0:
            q = p + 1
            if q < n and text[q] == " ":
                q += 1
            if q < n and text[q] in opens:
                # a head reads, backwards from the separator: at most one space, at most one letter
                # a-z, then a digit ("lập - Tự do", "và/Hoặc" have none)
                i = p - 1
                c = text[i]
                if c == " " and i:
                    i -= 1
                    c = text[i]
                if "a" <= c <= "z" and i:
                    i -= 1
                    c = text[i]
                if c in _ASCII_DIGITS:
                    j = i  # the run of ASCII digits ending at i, and what stands before it
                    while j and text[j - 1] in _ASCII_DIGITS and i - j < 12:
                        j -= 1
                    b = text[j - 1] if j else ""
                    if b in _RULES_OUT_HEAD:
                        pass
                    elif not b or (b < "\x80" and b not in _ASCII_DIGITS and b != "."):
                        # the common head, " 56/…", "(12-…": the whole run when the look-behind
                        # allows what precedes it and the run fits \d{1,6} (none else: no "." in it)
                        if i - j < 6:
                            starts.add(j)
                    else:  # a series ".12", a letter or a digit of another script before: the pattern decides
                        h = _NUMBER_HEAD_REV.match(text, max(0, p - _HEAD_REACH), p)
                        if h is not None:
                            starts.add(h.start())
                elif c > "\x7f" and _is_digit(c):
                    h = _NUMBER_HEAD_REV.match(text, max(0, p - _HEAD_REACH), p)
                    if h is not None:
                        starts.add(h.start())
            p = text.find(sep, p + 1)
    yield from _matches_at(number_re(), text, starts)


def _matches_at(rx: regex.Pattern, text: str, starts: set[int]):
    """`rx` matched at each start in order, skipping the starts inside the previous match: the
    leftmost non-overlapping matches, as `finditer` gives them when every match starts there."""
    end = 0
    for s in sorted(starts):
        if s < end:
            continue
        m = rx.match(text, s)
        if m is not None:
            end = m.end()
            yield m


def iter_from_literals(rx: regex.Pattern, text: str, literals: tuple[str, ...]):
    """The matches of `rx.finditer(text)` for a pattern whose every match starts with one of
    `literals` (case as printed): the literals are found with `str.find`, far faster than the
    pattern tried at every position (a leading look-behind or an alternation of words defeats the
    `regex` module's own literal search), and the pattern is matched at each, in order, skipping
    those inside the previous match."""
    starts: set[int] = set()
    for lit in literals:
        p = text.find(lit)
        while p >= 0:
            starts.add(p)
            p = text.find(lit, p + 1)
    yield from _matches_at(rx, text, starts)


def iter_from_openings(rx: regex.Pattern, text: str, openings: tuple[regex.Pattern, ...]):
    """`iter_from_literals` with the openings given as patterns that each open with a literal
    ("Q(?=\\s*\\.?\\s)"), which the `regex` module finds by its fast literal search: every match of
    `rx` must start where one of them matches."""
    starts = {m.start() for o in openings for m in o.finditer(text)}
    yield from _matches_at(rx, text, starts)


@cache
def date_re() -> regex.Pattern:
    return regex.compile(DATE, regex.IGNORECASE)


def _alternation(words) -> str:
    return "|".join(regex.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=rules.longest_first))


@cache
def type_word_re() -> regex.Pattern:
    """Any type word, case-insensitive, as a whole word."""
    return regex.compile(rf"(?<!\p{{L}})(?:{_alternation(rules.type_words())})(?!\p{{L}})", regex.IGNORECASE)


_OF_GAP = r"của\s+[^\n;:]{2,60}?|"  # the gap "của <issuer>" of `type_word_before_re`
# the letter of "của" no other branch needs, in both cases (IGNORECASE folds nothing else to it:
# tests/test_perf_citations_round5.py): a left context without it cannot match `_OF_GAP`
OF_GAP_LETTERS = ("ủ", "Ủ")


def _type_word_before(of_gap: bool) -> regex.Pattern:
    return regex.compile(
        rf"(?P<type>{_alternation(rules.type_words())})"
        r"(?P<gap>(?:\s+(?:hành\s+động|liên\s+tịch|chi\s+tiết|hỏa\s+tốc|khẩn|mật|hợp\s+nhất|liên\s+ngành|"
        + (_OF_GAP if of_gap else "") +
        r"[\w]+\s+[\w]+\s+(?=số)))?\s*(?:\(\s*[^()\n]{0,30}\)\s*)?"
        r"(?:số\s*(?:hiệu)?\s*:?|:)?\s*)\Z",
        regex.IGNORECASE | regex.REVERSE,
    )


@cache
def type_word_before_re() -> regex.Pattern:
    """A type word ending the left context of a number, with what may stand between.

    Forms: "Quyết định số 12/…", "Quyết định số: 12/…", "Quyết định 12/…", "các Quyết định số",
    "Nghị quyết liên tịch số", "Chương trình hành động số 08-CTr/TU", "Kế hoạch chi tiết số".
    """
    return _type_word_before(True)


@cache
def type_word_before_plain_re() -> regex.Pattern:
    """`type_word_before_re` without its "của <issuer>" gap: the same search where the left context
    holds no `OF_GAP_LETTERS` (a failing branch of the other is the same as an absent one). That gap
    is its costly branch (up to 60 readings of the issuer for each reading of the spaces and "số"
    after it), tried before the shorter readings wherever the type word is not followed by a fixed
    word: most left contexts hold no "của" to try it on."""
    return _type_word_before(False)


@cache
def law_type_before_re() -> regex.Pattern:
    """A law type word followed by its name before the number: "Luật Viên chức số 58/2010/QH12"."""
    return regex.compile(
        r"(?P<type>Bộ\s+luật|Luật|Pháp\s+lệnh)\s+(?P<name>[^\n;:()]{1,160}?)\s*(?:,\s*)?(?:số\s*:?)?\s*\Z",
        regex.REVERSE,
    )


@cache
def generic_before_re() -> regex.Pattern:
    """Type-less mentions where the symbol gives the type: "văn bản số 1413/PC04", "số 12/QĐ-UBND"."""
    return regex.compile(
        r"(?P<generic>(?:các\s+)?(?:văn\s+bản|công\s+văn|vb)\s*(?:số\s*:?)?\s*|\bsố\s*:?\s*)\Z",
        regex.IGNORECASE | regex.REVERSE,
    )


@cache
def excluded_before_re() -> regex.Pattern:
    """Left contexts where a number-shaped token is not a document: forms, annexes, accounts."""
    return regex.compile(
        r"(?:mẫu|biểu|biểu\s+mẫu|mẫu\s+biểu|phụ\s+lục|tài\s+khoản|mã\s+số|mã|tờ\s+khai|"
        r"bản\s+đồ|thửa|tờ\s+bản\s+đồ|hồ\s+sơ|biển\s+số|điện\s+thoại|fax|ĐT)\s*(?:số\s*)?:?\s*\Z",
        regex.IGNORECASE | regex.REVERSE,
    )


@cache
def part_before_re() -> regex.Pattern:
    """Parts of a cited document before its type word: "mục 18 phần VI", "điểm c khoản 2 Điều 5"."""
    unit = r"(?:tiểu\s+mục|điểm|khoản|điều|mục|phần|chương|phụ\s+lục|tiết)"
    item = rf"{unit}\s+(?:[0-9IVXLivxl]+[a-zđ]?(?:\.[0-9]+)*|[a-zđ](?!\p{{L}}))"
    return regex.compile(
        rf"(?P<part>{item}(?:\s*(?:,|và)?\s*{item})*)\s*(?:(?:của|tại|thuộc)\s+)?(?:các\s+)?\Z",
        regex.IGNORECASE | regex.REVERSE,
    )


def make_date(d: str | int, m: str | int, y: str | int) -> dt.date | None:
    """A valid date or None (31/2 is OCR noise, not a date). Two-digit years: 00–49 → 20xx."""
    try:
        year = int(y)
        if year < 100:
            year += 2000 if year < 50 else 1900
        return dt.date(year, int(m), int(d))
    except (TypeError, ValueError):
        return None


def date_from_match(m: regex.Match) -> dt.date | None:
    if m.group("wd"):
        return make_date(m.group("wd"), m.group("wm"), m.group("wy"))
    return make_date(m.group("d"), m.group("m"), m.group("y"))
