"""The relation of each citation to the citing document, from its governing phrase.

Vocabulary (DESIGN.md): basis, implements, proposal, report, amends, replaces, repeals, attached,
mentions. Cue phrases and their scopes live in `rules/relations.tsv`. For each citation, in order:

  1. List item of the previous citation, same clause, joined only by ", " / " và " / ";":
       "Căn cứ Luật A; Luật B" · "các Quyết định số: 2750/QĐ-UBND …, 4799/QĐ-UBND …"  → same relation.
  2. Adjacent phrase, ending where the citation (or its part "khoản 2 Điều 5") begins; the longest wins:
       "theo quy định tại Nghị định số …" → mentions · "kèm theo Công văn số …" → attached
       "Xét đề nghị của Sở Nội vụ tại Tờ trình số …" → proposal
       "Luật X … được sửa đổi, bổ sung bởi Luật số 54/2014/QH13" → the chain's relation (inherit)
       "bãi bỏ / thay thế / sửa đổi, bổ sung … Quyết định số …" → repeals / replaces / amends, only
       when the citing document acts (phrase opens the clause, or "Quyết định này …", or the
       enactment formula "Chính phủ ban hành Nghị định sửa đổi …"); else the rule falls through.
  2b. Section label: "* Căn cứ pháp lý: …" governs what follows it up to the next section mark.
  3. Phrase opening the clause: "Căn cứ …", "Thực hiện …", "Theo Kế hoạch …", "Xét đề nghị …" —
     governs its object (little text between) and every citation chained behind it in the clause
     ("Căn cứ Nghị định 137 … sửa đổi, bổ sung Nghị định 123 …" → both basis).
  4. A Căn cứ paragraph governs its later ";"-separated items.
  0. Trailing phrase right after the citation: "(Kế hoạch số 1014/KH-C04-P6 gửi kèm)" → attached.
  5. Heading: a list item whose introducing line holds the phrase
       "Điều 1. Bãi bỏ toàn bộ một số văn bản …" / "1. Quyết định số 104/2000/QĐ-TTg …" → repeals.
  6. Otherwise: mentions.
"""
from __future__ import annotations

import re
import string
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Callable

import regex

from .. import rules
from ..models import Citation

# Text between a clause-opening phrase and its object: "Thực hiện chỉ đạo của Chủ tịch UBND tỉnh tại
# Công văn số" is ~40 characters; a longer gap, or one with a verb break, means another object.
OBJECT_GAP = 140
# Every scan is bounded (no extractor may be super-linear in its input): a line start comes from an
# index of the text's newlines, not `rfind` over a line that may be the whole text, and a match at a
# position is given an end, since `regex` otherwise looks for the pattern's literal ("Điều") over the
# whole rest of the text. Each reach is far beyond what its grammar spans.
MARKER_REACH = 200  # "  12.3) ", "Điều 5. " and the connective words after it
OPENING_REACH = 200  # "Điều 9. Bãi bỏ", "sửa đổi, bổ sung"
HEADING_LINES = 80  # how far up a list item looks for its heading line
ITEM_HEAD_REACH = 2000  # what may stand between a list item's marker and its citation ("Cụm từ “…” tại")
# the subject's titles before "hết hiệu lực": "Thông tư số 32/2017 … quy định … của Luật Hóa chất và
# Nghị định số 113/2017 … và Thông tư số 17/2022 … sửa đổi, bổ sung … hết hiệu lực" runs to 700 characters
AFTER_REACH = 1500
OWN_REACH = 2000  # a clause's text before its citation, read as a list item ("và các", "- Hướng dân") or a title
ACTING = {"amends", "replaces", "repeals"}
TITLE_INHERITABLE = {"basis", "proposal", "report", "implements"}


@dataclass(frozen=True)
class Cue:
    relation: str
    scope: str
    rx: regex.Pattern
    # words every match holds, case-folded ("theo", "căn", "bãi"), as far as the pattern says so
    # plainly (`_required_words`): a view without one of them is not searched.
    words: tuple[str, ...] = ()


@cache
def cues() -> dict[str, tuple[Cue, ...]]:
    out: dict[str, list[Cue]] = {}
    for relation, scope, pattern in rules.relation_cues():
        flags = regex.IGNORECASE | (regex.MULTILINE if scope == "heading" else 0)
        words = _required_words(pattern) if scope == "adjacent" else ()
        if scope == "adjacent":  # the phrase must reach the citation
            pattern = rf"(?:{pattern})\s*\Z"
        out.setdefault(scope, []).append(Cue(relation, scope, regex.compile(pattern, flags), words))
    return {k: tuple(v) for k, v in out.items()}


def _required_words(pattern: str) -> tuple[str, ...]:
    """The literal words every match of a cue pattern holds, case-folded ("\\btheo\\s+…" → ("theo",),
    "\\b(?:đã\\s+)?(?:được\\s+)?sửa\\s+đổi…" → ("sửa", "đổi")): the words outside every group, escape
    and class, a quantified last letter left out; none in a pattern with a top-level alternative.

    Why: each adjacent cue is searched in the 260 characters before every citation; most views hold
    few of the cue words, and a substring test of the case-folded view is far cheaper than a search.
    The test is only a necessary condition of a match: under IGNORECASE a letter matches another of
    its simple case folding class, and `str.casefold` maps every member of such a class (ſ, K and
    İ included) to a string holding the class's folded letter."""
    words, run = [], ""
    depth, i, n = 0, 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":  # an escape: "\\s", "\\b", "\\p{L}", "\\N{…}" (never a literal letter here)
            words.append(run)
            run = ""
            i += 2
            if i < n and pattern[i - 1] in "pPN" and pattern[i] == "{":
                i = pattern.find("}", i) + 1 or n
            continue
        if ch == "[":  # a class, "]" first in it literal
            words.append(run)
            run = ""
            i += 2 if pattern[i + 1: i + 2] in ("]", "^") else 1
            if pattern[i - 1] == "^" and pattern[i: i + 1] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
            i += 1
            continue
        if ch in "?*+{" and run:  # a quantified last letter is not required
            run = run[:-1]
        if ch.isalpha() and depth == 0:
            run += ch
        else:
            words.append(run)
            run = ""
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "|" and depth == 0:
                return ()
            elif ch == "{":  # a counted quantifier "{0,80}": no letters
                i = max(i, pattern.find("}", i))
        i += 1
    words.append(run)
    return tuple(dict.fromkeys(w.casefold() for w in words if w))


# what ends a clause; the clause of a citation starts after the last break before it
_CLAUSE_BREAK = r"\n|;|\.\s+(?=\p{Lu})|:\s+(?=\p{Lu})|\)\s+(?=(?:Thực|Căn|Triển|Xét|Theo)\b)"
# the definition of `_Breaks.last(lo, end)`: the break with the rightmost end in text[lo:end]
_CLAUSE_BREAK_REV = regex.compile(_CLAUSE_BREAK, regex.REVERSE)
_CLAUSE_BREAK_AT = regex.compile(_CLAUSE_BREAK)
_WS_RUN_REV = regex.compile(r"\s+", regex.REVERSE)
CLAUSE_REACH = 20000  # a clause is never longer
BREAK_LOOKAHEAD = 16  # past a break's end, what its lookahead may read (") Triển" and a word boundary)
# The searches below read a short stretch directly, as a scan is cheap there; the first time one
# must read further, the text's matches are listed once and every later search of the text bisects.
LOCAL_READ = 1000


class _Occurrences:
    """`rx.search(text, a, b)` for a pattern whose matches cannot overlap. A long view (a clause of up
    to 20000 characters, read once per citation) is answered from the pattern's matches in the whole
    text, listed once, by bisection. A view that ends inside a word can match where the whole text
    does not ("… đề nghị|x": the trailing \\b holds at the view's end): `rx_rev`, the pattern compiled
    REVERSE, anchored at the end, finds that match."""

    def __init__(self, text: str, rx: regex.Pattern, rx_rev: regex.Pattern | None):
        self.text, self.rx, self.rx_rev = text, rx, rx_rev
        self.matches: list[regex.Match] | None = None
        self.starts: list[int] = []

    def search(self, a: int, b: int) -> regex.Match | None:
        if self.matches is None:
            if b - a <= LOCAL_READ:
                return self.rx.search(self.text, a, b)
            self.matches = list(self.rx.finditer(self.text))
            self.starts = [m.start() for m in self.matches]
        i = bisect_left(self.starts, a)
        best = self.matches[i] if i < len(self.matches) and self.matches[i].end() <= b else None
        if self.rx_rev is not None:
            tail = self.rx_rev.match(self.text, a, b)
            if tail is not None and (best is None or tail.start() < best.start()):
                best = tail
        return best


# past this many ".", ":" and ")" read one by one, a view is left to the reverse search ("........" of a
# table of contents)
BREAK_CANDIDATES = 12


def _reverse_break(text: str, b: int, end: int) -> tuple[int, int] | None:
    """The span of `_CLAUSE_BREAK_REV.search(text, b, end)`, without reading the view backwards
    character by character: the break with the rightmost end is the last "\\n" or ";" of the view,
    unless a longer break ends after it. A longer break is ".", ":" or ")", then spaces up to where it
    ends: it starts after that "\\n" or ";", or (a "\\n" among its spaces) just before the spaces
    around the "\\n". Those characters are found with `rfind` from the right, and each one followed by
    a space is matched at its place: the spaces after it are where it ends (a shorter run leaves a
    space for the lookahead, which it does not take), so the first that matches ends rightmost. At
    one end the one-character alternatives come first, as the pattern orders them."""
    # (comparisons, not `max`: this runs once per citation, and a ";" before the "\n" is not looked for)
    k = text.rfind("\n", b, end)
    j = text.rfind(";", k + 1 if k >= 0 else b, end)
    if j > k:
        k = j
    lo = k + 1 if k >= 0 else b
    dot, colon, paren = text.rfind(".", lo, end), text.rfind(":", lo, end), text.rfind(")", lo, end)
    for _ in range(BREAK_CANDIDATES):
        s = dot if dot > colon else colon
        if paren > s:
            s = paren
        if s < 0:
            break
        if s + 1 < end and text[s + 1].isspace():  # (every character `\s` matches is a space to `isspace`)
            m = _CLAUSE_BREAK_AT.match(text, s, end)
            if m is not None:
                return s, m.end()
        if s == dot:
            dot = text.rfind(".", lo, s)
        elif s == colon:
            colon = text.rfind(":", lo, s)
        else:
            paren = text.rfind(")", lo, s)
    else:
        m = _CLAUSE_BREAK_REV.search(text, b, end)
        return m.span() if m is not None else None
    if k < 0:
        return None
    # (a longer break through the "\\n" ends past it only when a space follows the "\\n": its spaces are
    # one run, and a run that stops at the "\\n" ends where the "\\n" does)
    if text[k] == "\n" and k > b and k + 1 < end and text[k + 1].isspace() \
            and (text[k - 1] in ".:)" or text[k - 1].isspace()):
        s = _WS_RUN_REV.match(text, b, k + 1).start() - 1
        if s >= b and text[s] in ".:)":
            m = _CLAUSE_BREAK_AT.match(text, s, end)
            if m is not None and m.end() > k + 1:
                return s, m.end()
    return k, k + 1


class _Breaks:
    """`_CLAUSE_BREAK_REV.search(text, lo, end)` without reading text[lo:end] backwards: on a text with
    no break for 20000 characters (a list of citations joined by commas) that costs 20000 steps per
    citation. The last LOCAL_READ characters are read directly: a break found there is the answer
    unless a break from further back could reach past it, which only a run of spaces from the start
    of that stretch through the break found allows. Else the breaks of the whole text are listed once (a forward pass)
    and a query takes the one with the rightmost end by bisection. Only near `end`, where the end of
    the view cuts a break's lookahead (") Theo" at the very end), are right ends checked one by one,
    with the pattern itself. At one right end the one-character breaks ("\\n", ";") win, as the
    pattern's alternatives are ordered."""

    def __init__(self, text: str):
        self.text = text
        self.entries: list[tuple[int, bool, int]] | None = None
        self.ends: list[int] = []

    def last(self, lo: int, end: int) -> tuple[int, int] | None:
        """(start, end) of the break `_CLAUSE_BREAK_REV.search(text, lo, end)` finds, or None."""
        if self.entries is None:
            b = end - LOCAL_READ if end - LOCAL_READ > lo else lo
            m = _reverse_break(self.text, b, end)
            # a break from before `b` ends past m only across a run of spaces from `b` through m
            # (m itself a newline): its "." and the spaces after it (every `\\s` is an `isspace`)
            # (the first character is looked at before the stretch is copied: it is seldom a space)
            if b == lo or (m is not None and not (self.text[m[0]] == "\n" and self.text[b].isspace()
                                                 and self.text[b: m[1]].isspace())):
                return m
            # (end, long, start): at equal ends the one-character break sorts first
            self.entries = sorted((m.end(), m.end() - m.start() > 1, m.start())
                                  for m in _CLAUSE_BREAK_AT.finditer(self.text, overlapped=True))
            self.ends = [e for e, _, _ in self.entries]
        near = max(lo, end - BREAK_LOOKAHEAD)
        for q in range(end, near, -1):
            got = self._ending_at(q, lo, end)
            if got is not None:
                return got
        i = bisect_right(self.ends, near)
        while i > 0:
            e = self.ends[i - 1]
            if e <= lo:
                return None
            j = bisect_left(self.ends, e, 0, i)
            for k in range(j, i):
                s = self.entries[k][2]
                if s >= lo:  # a break that starts before the view is not in it
                    return s, e
            i = j
        return None

    def _ending_at(self, q: int, lo: int, end: int) -> tuple[int, int] | None:
        """The break ending at `q` as the pattern reads text[lo:end], if any."""
        text = self.text
        c = text[q - 1]
        if c == "\n" or c == ";":
            return q - 1, q
        if not c.isspace():  # (every character `\\s` matches is a space to `isspace`)
            return None
        run = _WS_RUN_REV.match(text, lo, q)  # the spaces before `q`, then ".", ":" or ")" before them
        if run is None:
            return None
        s = run.start() - 1
        if s < lo or text[s] not in ".:)":
            return None
        m = _CLAUSE_BREAK_AT.match(text, s, end)
        return (s, q) if m is not None and m.end() == q else None

_LIST_MARKER = regex.compile(r"\s*(?:[-+•*]\s*|\(?(?:\d{1,3}|[a-zđ]|[IVX]{1,5})(?:\.\d{1,3})*[.)]\s+|Điều\s+\d+[a-z]?\.\s*)?", regex.IGNORECASE)
_PART_UNITS = (r"tiểu\s+mục", "điểm", "khoản", "điều", "mục", "phần", "chương", r"phụ\s+lục", "tiết")
_PART_UNIT = "(?:" + "|".join(_PART_UNITS) + ")"
# the word each part word opens with, case-folded: a part word starts where one of them stands
_PART_UNIT_OPENINGS = tuple(dict.fromkeys(u.split("\\")[0].casefold() for u in _PART_UNITS))
_PART_UNIT_SHORTEST = min(map(len, _PART_UNIT_OPENINGS))
# every place in case-folded text where one of those words starts, in order (a lookahead: words
# that overlap are each found)
_PART_UNIT_OPENING_AT = re.compile("(?=" + "|".join(map(re.escape, _PART_UNIT_OPENINGS)) + ")")
_PART_TAIL = regex.compile(
    rf"(?:{_PART_UNIT}\s+(?:[0-9IVXLivxl]+[a-zđ]?(?:\.[0-9]+)*|[a-zđ](?!\p{{L}}))"
    r"(?:\s*(?:,|và)\s*(?:[0-9IVXLivxl]+[a-zđ]?(?:\.[0-9]+)*|[a-zđ](?!\p{L})))*\s*(?:,|và)?\s*)+"
    r"(?:(?:của|tại|thuộc)\s+)?(?:các\s+)?\Z",
    regex.IGNORECASE,
)
# the characters a `_PART_TAIL` match is made of, case-folded, for `rstrip`: every space (what
# `str.isspace` holds, which is every `\s` of `regex`, lies below U+3001), digits, ASCII letters, "đ",
# "." and ",", and the letters of the pattern's words. (Under IGNORECASE a letter matches the members
# of its case folding class, which `casefold` maps to the class's folded letter.)
_PART_TAIL_CHARS = "".join(sorted({ch.casefold() for ch in _PART_TAIL.pattern if ch.isalpha()}
                                  | set(string.ascii_lowercase + string.digits + "đ.,")
                                  | {chr(i) for i in range(0x3001) if chr(i).isspace()}))
# how far back `_run_tail_start` reads: most views end in a run of a few characters, a part
# ("điểm a khoản 1 Điều 162 của ") or capitals ("TRIỂN KHAI ") in a longer one
PART_TAIL_LOOKS = (24, 96)


@lru_cache(maxsize=4096)
def _run_tail_start(stretch: str, whole: bool) -> int | None | bool:
    """Where in `stretch`, the end of a view (all of it if `whole`), the leftmost `_PART_TAIL`
    match that ends the view starts (None: there is none), read case-folded; False when the
    stretch is not enough to tell.

    A match is a run of the characters the pattern reads ("khoản 2 điều 5 của "), opening with a
    part word. So it starts inside the run of those characters that ends the view (" tại " of "… quy
    định tại ", " " of "Căn cứ "), at a place where the first word of a part word stands: those places
    are tried in order, as a forward search would try them, and most views have none. (`casefold`
    keeps each position when it keeps the length, no character folding to none.) When the run fills
    a stretch that is not the whole view, a longer one is read. A function of the string alone (the
    pattern reads nothing before its start), so remembered: the same words stand before many
    citations."""
    folded = stretch.casefold()
    if len(folded) != len(stretch):
        return False
    run = len(folded.rstrip(_PART_TAIL_CHARS))
    if (run == 0 and not whole) or (run and folded[run - 1].isspace()):  # (a space not listed)
        return False
    if len(folded) - run < _PART_UNIT_SHORTEST:  # (a space, " tại ": no part word fits)
        return None
    for m in _PART_UNIT_OPENING_AT.finditer(folded, run):
        if _PART_TAIL.match(stretch, m.start()) is not None:
            return m.start()
    return None


# where a `_PART_TAIL` match can start: a part word (every match opens with one)
_PART_UNIT_RE = regex.compile(_PART_UNIT, regex.IGNORECASE)
_GAP_BREAK = regex.compile(
    r"[.;:]\s|\b(?:giao(?!\s+(?:của|tại))|yêu\s+cầu(?!\s+của)|đề\s+nghị|chỉ\s+đạo\s+các|đã\s+ban\s+hành|nhằm|trong\s+đó|đồng\s+thời)\b",
    regex.IGNORECASE)
# the verb's object is something else and the document only its topic or its source of rules:
# "Tiếp tục thực hiện tốt công tác tuyên truyền … về Nghị quyết số 57-NQ/TW",
# "Thực hiện nghiêm các nội dung quy định tại Nghị định số 58/2026/NĐ-CP" (SPEC: mentions)
_GAP_NOT_OBJECT = regex.compile(r"(?:\bvề|\bquy\s+định\s+(?:tại|của))\s+(?:các\s+)?\Z", regex.IGNORECASE)
_LIST_GAP = regex.compile(r"\A\s*(?:[,;]|\bvà\b|\bhoặc\b|,\s*và)?\s*(?:các\s+)?\Z", regex.IGNORECASE)
# the characters a `_LIST_GAP` match may hold first after its spaces (",", ";", "và", "hoặc", "các", in
# either case)
_LIST_GAP_FIRST = frozenset(",;vVhHcC")


def _list_gap(text: str, start: int, end: int) -> bool:
    """`_LIST_GAP.match(text[start:end]) is not None`, without copying a gap that may be a clause long:
    after its spaces (each `\\s` a space to `isspace`) a match holds only what `_LIST_GAP_FIRST` opens,
    so a gap whose first character that is not a space is another is none. Only when that character
    is one of them (or the gap opens with more than SPACE_LOOK spaces) is it matched."""
    j = start
    stop = start + SPACE_LOOK if start + SPACE_LOOK < end else end
    while j < stop and text[j].isspace():
        j += 1
    if j < stop and text[j] not in _LIST_GAP_FIRST:
        return False
    return _LIST_GAP.match(text[start:end]) is not None
_ARTICLE_HEAD = regex.compile(r"\s*Điều\s+\d+[a-z]?\.\s")  # the citing document's own article heading
_ACTOR = regex.compile(r"\b(?:này|ban\s+hành\s+(?:Luật|Bộ\s+luật|Pháp\s+lệnh|Nghị\s+định|Nghị\s+quyết|Thông\s+tư|Quyết\s+định|Chỉ\s+thị))\b",
                       regex.IGNORECASE)
_ACTOR_REV = regex.compile(_ACTOR.pattern, regex.IGNORECASE | regex.REVERSE)


# the characters a `_LIST_MARKER` match may end with before its spaces: each branch's last atom that
# is not `\s` ("-", "1.", "a)", "Điều 5."); its letters, digits and "(" are followed by one of them
_MARKER_LAST = frozenset("-+•*.)")
# how many spaces before `pos` `_opens_clause` reads back over before it leaves the case to the marker match
SPACE_LOOK = 8


def _opens_clause(text: str, clause: int, pos: int, clauses: "_Clauses") -> bool:
    """True when only a list marker or "Điều N." stands between the clause (or line) start and `pos`.
    (What follows a marker is almost never a space, as the marker takes the spaces after it: the
    rest, up to a clause long, is copied and stripped only when it opens with one.)

    Most views end in a word ("Căn cứ ", "quy định tại "), answered without the line's start or the
    marker match: the last character before `pos` that is not a space must be the end of a marker
    (`_MARKER_LAST`), since a marker's spaces are `\\s` and every `\\s` is a space to `isspace`;
    a word's last letter on the line of `pos` means no start on that line opens at `pos`."""
    j = pos - 1
    stop = pos - SPACE_LOOK if pos - SPACE_LOOK > clause else clause
    while j >= stop and text[j].isspace():
        j -= 1
    if j >= stop and text[j] not in _MARKER_LAST and text.find("\n", j + 1, pos) < 0:
        return False
    line = clauses.line_start(pos)
    for start in (clause,) if line <= clause else (clause, line):
        m = _LIST_MARKER.match(text, start, pos)
        if m is None:
            continue
        e = m.end()
        if e == pos or (text[e].isspace() and not text[e:pos].strip()):
            return True
    return False


# `_PART_TAIL` read from the end: whether the view ends with a part at all. A forward search tries
# every start of the view and almost always fails; read backwards from `\Z` the same pattern fails at
# once (a pattern without atomic groups or back-references matches some suffix in one direction iff
# in the other), and only a view that has one pays for the forward search that finds its leftmost start.
_PART_TAIL_REV = regex.compile(_PART_TAIL.pattern, _PART_TAIL.flags | regex.REVERSE)


def _strip_part(left: str) -> str:
    if _PART_TAIL_REV.search(left) is None:
        return left
    m = _PART_TAIL.search(left)
    return left[: m.start()] if m else left


def _group_end(pattern: str, i: int) -> int | None:
    """Where the group opening at pattern[i] ("(") ends (past its ")"), escapes and classes skipped."""
    depth, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i += 2 if pattern[i + 1: i + 2] in ("]", "^") else 1
            if pattern[i - 1] == "^" and pattern[i: i + 1] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _loosened(pattern: str) -> str | None:
    """`pattern` with its assertions taken out ("\\b", "\\B", "^", "$", "\\A", "\\Z", "\\z", "\\m",
    "\\M", "\\G", lookarounds): it matches every string the pattern matches (conditions left out),
    and what it matches at a place depends on the characters it reads alone, not on those around
    them. None when the pattern holds what this does not take apart (back-references, atomic groups,
    possessive quantifiers, conditionals, inline flags, "\\K"), or an assertion is quantified.

    Why: a loosened cue tried on a short stretch of a view's end (or of what follows a citation), as
    a partial match, tells whether the cue can match there at all: a match of the whole view holds a
    match of the loosened pattern, and that one, cut at the stretch's edge, is a partial match of the
    stretch. (An assertion at the edge would read a character the stretch does not hold.) The
    answer is one per stretch, and a few stretches ("tại ", " cứ ", " ngày") end or follow most
    citations."""
    out, i, n = [], 0, len(pattern)
    quantified = False  # whether the last atom copied is a quantifier ("+" after one: possessive)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1: i + 2]
            if nxt in ("", "K", "g") or nxt.isdigit():
                return None
            if nxt in "bBAZzmMG":
                if pattern[i + 2: i + 3] in ("*", "+", "?", "{"):
                    return None
                i += 2
                continue
            out.append(pattern[i: i + 2])
            i += 2
            quantified = False
            continue
        if ch == "[":  # a class, "]" first in it literal: copied whole
            j = i + (2 if pattern[i + 1: i + 2] in ("]", "^") else 1)
            if pattern[j - 1] == "^" and pattern[j: j + 1] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            if j >= n:
                return None
            out.append(pattern[i: j + 1])
            i = j + 1
            quantified = False
            continue
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):  # a lookaround: taken out whole
            j = _group_end(pattern, i)
            if j is None or pattern[j: j + 1] in ("*", "+", "?", "{"):
                return None
            i = j
            continue
        if ch == "(" and pattern[i + 1: i + 2] == "?" and not (
                pattern[i + 2: i + 3] == ":" or pattern[i + 2: i + 4] == "P<"):
            return None
        if ch in "^$":
            if pattern[i + 1: i + 2] in ("*", "+", "?", "{"):
                return None
            i += 1
            continue
        if ch == "+" and quantified:
            return None
        quantified = ch in "*+?}"
        out.append(ch)
        i += 1
    return "".join(out)


def _loose_pattern(parts, join, extra: int = 0) -> regex.Pattern | None:
    """The patterns `parts` loosened (`_loosened`) and joined by `join` (a function of their loosened
    texts) into one pattern with their common flags (and `extra`). None when one cannot be loosened,
    their flags differ, or a flag changes how a pattern's text reads (FULLCASE, VERBOSE, REVERSE)."""
    if len({p.flags for p in parts}) != 1 or parts[0].flags & (regex.FULLCASE | regex.VERBOSE | regex.REVERSE):
        return None
    loose = [_loosened(p.pattern) for p in parts]
    if None in loose:
        return None
    try:
        return regex.compile(join(loose), parts[0].flags | extra)
    except regex.error:
        return None


def _partial_test(rx: regex.Pattern, reverse: bool) -> Callable[[str], bool] | None:
    """Whether a stretch can be the end (`reverse`) or the start of a match of `rx`, as a function of
    the stretch: the loosened pattern's partial match (`_loosened`). None when `rx` cannot be
    loosened."""
    test = _loose_pattern((rx,), lambda loose: loose[0], regex.REVERSE if reverse else 0)
    if test is None:
        return None
    match = test.match
    return lambda stretch: match(stretch, partial=True) is not None


# how much of what follows a citation tells which trailing cues may match there (" ngày", ", kè")
TRAIL_KEY = 4


@cache
def _trailing_cues() -> tuple[tuple[str, Callable], ...]:
    return tuple((cue.relation, cue.rx.match) for cue in cues().get("trailing", ()))


@cache
def _trailing_tests() -> tuple[Callable[[str], bool] | None, ...]:
    return tuple(_partial_test(cue.rx, False) for cue in cues().get("trailing", ()))


@lru_cache(maxsize=1024)
def _trailing_candidates(head: str) -> tuple[tuple[str, Callable], ...]:
    """The trailing cues that may match text that opens with `head` (the TRAIL_KEY characters after a
    citation, or fewer at the end of the text): most citations are followed by what opens none of them."""
    return tuple(cue for cue, test in zip(_trailing_cues(), _trailing_tests()) if test is None or test(head))


@cache
def _adjacent_cues() -> tuple[tuple[str, tuple[tuple[int, str, tuple[str, ...], Callable], ...]], ...]:
    """The adjacent cues grouped by the first word they require ("" for none), each as (its place
    in the table, relation, the other words, search): a view without the word is spared the tests
    of every cue that requires it."""
    groups: dict[str, list] = {}
    for i, cue in enumerate(cues().get("adjacent", ())):
        first, rest = (cue.words[0], cue.words[1:]) if cue.words else ("", ())
        groups.setdefault(first, []).append((i, cue.relation, rest, cue.rx.search))
    return tuple((first, tuple(group)) for first, group in groups.items())


@cache
def _adjacent_tests() -> tuple[Callable[[str], bool] | None, ...]:
    return tuple(_partial_test(cue.rx, True) for cue in cues().get("adjacent", ()))


@lru_cache(maxsize=1024)
def _adjacent_candidates(end: str) -> tuple[tuple[str, tuple[tuple[int, str, tuple[str, ...], Callable], ...]], ...]:
    """`_adjacent_cues` cut to the cues that may end a view ending with `end`: a view ending with
    " theo " or " cứ " is the end of few of them. (Each cue whose loosened pattern, read from the end,
    partially matches `end`; see `_loosened`.)"""
    tests = _adjacent_tests()
    out = []
    for first, group in _adjacent_cues():
        kept = tuple(g for g in group if tests[g[0]] is None or tests[g[0]](end))
        if kept:
            out.append((first, kept))
    return tuple(out)


@lru_cache(maxsize=4096)
def _cues_ending(left: str) -> tuple[tuple[int, int, str], ...]:
    """The adjacent cues that end where `left` ends, `left` being what stands before a citation (or
    its part) in its clause, 260 characters at most: (cue start in `left`, place in the table,
    relation), longest first, then in the table's order.

    A function of the string alone, so remembered: many citations stand behind the same words
    ("Căn cứ ", a table's header, "Sửa đổi, bổ sung một số điều của "), in one document and across
    them."""
    # (the cues that may end with the view's last word and the spaces around it ("… quy định tại "), a
    # few of them: `_adjacent_candidates`)
    words = left.rsplit(None, 1)
    groups = _adjacent_candidates(left[len(words[0]):] if len(words) == 2 else left)
    if not groups:
        return ()
    found = []
    folded = left.casefold()
    # (a cue whose matches open with its first word (`_opening_word_cues`) is tried where that word
    # stands, in order, the first that matches being what the search finds; the answer at a place
    # is remembered by the text from the character before it, which is all the match reads: many
    # views end with the same "… theo quy định tại ". `casefold` must keep the places, as it does
    # when it keeps the length, no character folding to none.)
    opening = _opening_word_cues() if len(folded) == len(left) else ()
    for first, group in groups:
        at = folded.find(first)
        if at < 0:
            continue
        for i, relation, rest, search in group:
            for w in rest:
                if w not in folded:
                    break
            else:
                if i in opening:
                    k = at
                    while k >= 0:
                        if _cue_matches_at(i, left[k - 1:], 1) if k else _cue_matches_at(i, left, 0):
                            found.append((k, i, relation))
                            break
                        k = folded.find(first, k + 1)
                    continue
                m = search(left)
                if m:
                    found.append((m.start(), i, relation))
    if len(found) > 1:
        found.sort()
    return tuple(found)


@cache
def _opening_word_cues() -> frozenset[int]:
    """The adjacent cues (places in the table) whose every match opens with their first required word
    (`Cue.words`): the pattern starts with "\\b" and that word's letters, followed by what is neither a
    letter nor a quantifier ("\\btheo\\s+…", not "\\b(?:đã\\s+)?được…"). Under IGNORECASE a letter
    matches only what `casefold` maps to it (see `_required_words`), so such a match starts where the
    case-folded view holds the word."""
    out = set()
    for i, (cue, (_, _, pattern)) in enumerate(zip(cues().get("adjacent", ()),
                                                   [r for r in rules.relation_cues() if r[1] == "adjacent"])):
        if not cue.words or not pattern.startswith("\\b"):
            continue
        word = cue.words[0]
        letters, after = pattern[2: 2 + len(word)], pattern[2 + len(word): 3 + len(word)]
        if letters.isalpha() and letters.casefold() == word and len(letters.casefold()) == len(letters) \
                and not after.isalpha() and after not in ("?", "*", "+", "{", "|"):
            out.add(i)
    return frozenset(out)


@lru_cache(maxsize=4096)
def _cue_matches_at(i: int, tail: str, at: int) -> bool:
    """Whether adjacent cue `i` matches tail[at:] to its end (`at` 1: tail[0] is the character before,
    which its leading "\\b" reads; 0: the start of the view): as its search of a view tries the place
    where tail[at:] ends the view."""
    return cues()["adjacent"][i].rx.match(tail, at) is not None


def _by_type(c: Citation) -> str:
    return "report" if c.cited_type == "Báo cáo" else "proposal"


_CONNECTIVE = regex.compile(
    r"(?:v/v\s*)?(?:(?:tập\s+trung|khẩn\s+trương|chủ\s+động)\s+)?(?:đồng\s+thời,?\s*|và\s+|tiếp\s+tục\s+(?:chỉ\s+đạo\s+)?|chỉ\s+đạo\s+|tham\s+mưu\s+|chủ\s+trì\s+|phối\s+hợp\s+)?",
    regex.IGNORECASE)


_SECTION_END = regex.compile(r"\n|(?:^|\s)\*\s|(?<![\p{L}\d])[IVX]{1,4}\.\s+\p{Lu}")


@cache
def _clause_cues_rx() -> tuple[regex.Pattern, tuple[str, ...]] | None:
    """The clause cues as one pattern of alternatives, one named group each, in their order: an
    alternation tries its branches in order, each as it would alone, so the branch that matches is
    the first cue that would, with the same end (`_clause_cue` calls one match, not one per cue).
    None when a cue has groups of its own (the branch would not be the last group closed)."""
    clause = cues().get("clause", ())
    if not clause or any(c.rx.groups for c in clause):
        return None
    pattern = "|".join(f"(?P<c{i}>{c.rx.pattern})" for i, c in enumerate(clause))
    try:
        return regex.compile(pattern, clause[0].rx.flags), tuple(c.relation for c in clause)
    except regex.error:  # a global inline flag, say
        return None


def _final_char(pattern: str) -> str | None:
    """The character every match of `pattern` ends with, when the pattern plainly says so: its last
    atom a literal that has no case (the ":" of "…pháp\\s+lý\\s*:"), in a pattern without a
    top-level alternative. None when it does not."""
    if not pattern or pattern[-1] in "\\.^$*+?{}[]|()" or pattern[-1].lower() != pattern[-1].upper():
        return None
    if (len(pattern) - 1 - len(pattern[:-1].rstrip("\\"))) % 2:  # an escaped character ("\\s")
        return None
    depth, i, n = 0, 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":  # a class, "]" first in it literal
            i += 2 if pattern[i + 1: i + 2] in ("]", "^") else 1
            if pattern[i - 1] == "^" and pattern[i: i + 1] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return None
        i += 1
    return pattern[-1]


@cache
def _label_final_chars() -> frozenset[str] | None:
    """The characters the section labels end with ({":"}), if every label pattern has one and a
    line break ends a section (`_Clauses.section` then needs a label end on the citation's line)."""
    if not _SECTION_END.match("\n"):
        return None
    ends = [None if c.rx.flags & regex.VERBOSE else _final_char(c.rx.pattern) for c in cues().get("section", ())]
    return None if None in ends else frozenset(ends)


@cache
def _labels_read_no_further() -> bool:
    """Whether every section label pattern reads nothing past its last character: it ends with a
    literal (`_label_final_chars`) and holds no lookahead. A label that ends by `pos` is then a match
    of a search of the text up to `pos` (`_Clauses.section`)."""
    return _label_final_chars() is not None and not any(
        "(?=" in c.rx.pattern or "(?!" in c.rx.pattern for c in cues().get("section", ()))


# how much of a clause's opening tells whether a clause cue may open it ("- Quyế" cannot; "Căn cứ" may)
CLAUSE_KEY = 6


@cache
def _clause_opening_test() -> Callable[[str], bool] | None:
    """Whether text that opens with a stretch may hold a clause cue where `_clause_cue` looks: a list
    marker, connective words, then a cue, each loosened (`_loosened`) and read as one pattern. What
    `_clause_cue` matches is matched by it (the marker's and the connective's matches followed by the
    cue's), so a stretch that is not the opening of one of its matches (a partial match) opens no
    cue. None when a pattern cannot be loosened or their flags differ."""
    parts = [_LIST_MARKER, _CONNECTIVE] + [c.rx for c in cues().get("clause", ())]
    if len(parts) == 2:
        return None
    rx = _loose_pattern(parts, lambda loose: f"(?:{loose[0]})(?:{loose[1]})(?:" + "|".join(f"(?:{p})" for p in loose[2:]) + ")")
    if rx is None:
        return None
    match = rx.match
    return lambda stretch: match(stretch, partial=True) is not None


@lru_cache(maxsize=2048)
def _may_open_clause_cue(opening: str) -> bool:
    test = _clause_opening_test()
    return test is None or test(opening)


def _clause_cue(text: str, clause: int) -> tuple[str, int] | None:
    m = _LIST_MARKER.match(text, clause, clause + MARKER_REACH)
    start = m.end() if m else clause
    cm0 = _CONNECTIVE.match(text, start, start + MARKER_REACH)
    start = cm0.end() if cm0 else start
    combined = _clause_cues_rx()
    if combined is not None:
        rx, relations = combined
        cm = rx.match(text, start, min(len(text), start + 200))
        return (relations[int(cm.lastgroup[1:])], cm.end()) if cm else None
    for cue in cues().get("clause", ()):
        cm = cue.rx.match(text, start, min(len(text), start + 200))
        if cm:
            return cue.relation, cm.end()
    return None


_ITEM_MARKER = regex.compile(r"\s*(?:[-+•*]|\(?(?:\d{1,3}|[a-zđ])(?:\.\d{1,3})*[.)])\s*", regex.IGNORECASE)
_ITEM_LINE = regex.compile(r"\s*(?:[-+•*]|\(?(?:\d{1,3}|[a-zđ])(?:\.\d{1,3})*[.)])\s+", regex.IGNORECASE)
_DIEU_LINE = regex.compile(r"\s*Điều\s+\d")
# an item that names wording inside the document: "b) Cụm từ “được Bộ … giao nhiệm vụ” tại khoản 1 mục VI
# và “…” tại khoản 2 Điều 6 Thông tư số 32/2021/TT-BGDĐT" (under "Bãi bỏ một số cụm từ tại các Thông tư sau:")
_PHRASE_ITEM = regex.compile(r"\s*(?:các\s+)?(?:cụm\s+)?từ(?:\s+ngữ)?\s*:?\s*[“\"].*[”\"]\s*(?:tại|của|trong)?\s*", regex.IGNORECASE)
_ONLY_CAC = regex.compile(r"\s*(?:các\s+)?", regex.IGNORECASE)


def _heading_relation(text: str, c: Citation, clauses: "_Clauses", line_start: int) -> str | None:
    """Walk up over list items to the line that introduces them; its cue governs the items.
    (`line_start`: where the citation's line starts.)"""
    # (a line that opens with a letter is an item only as "a) " or "b. ": most lines are ruled out so)
    first = text[line_start]
    if first.isalpha() and (line_start + 1 >= c.start or text[line_start + 1] not in ".)"):
        return None
    marker = _ITEM_MARKER.match(text, line_start, c.start)
    # the citation's line must itself be a list item opening with the citation (or "các …")
    if not marker or c.start - marker.end() > ITEM_HEAD_REACH:
        return None
    opening, cut = marker.end(), clauses.part_cut(marker.end(), c.start)
    # (most items hold other words before the citation ("Quyết định …; Thông tư …"): their first
    # ITEM_REST_KEY characters rule both patterns out, `_may_be_item_rest`)
    if not _may_be_item_rest(text[opening: opening + ITEM_REST_KEY if opening + ITEM_REST_KEY < cut else cut]):
        return None
    rest = text[opening: cut]
    if not (_ONLY_CAC.fullmatch(rest) or _PHRASE_ITEM.fullmatch(rest)):
        return None
    return clauses.heading_above(line_start)


# how much of what stands between an item's marker and its citation tells whether it may be "các "
# or a phrase ("Cụm từ “…” tại ")
ITEM_REST_KEY = 4


@cache
def _item_rest_test() -> Callable[[str], bool] | None:
    """Whether a stretch may open (or be) a string that `_ONLY_CAC` or `_PHRASE_ITEM` matches whole:
    the two loosened (`_loosened`) as one pattern, its partial full match. A string either matches
    whole is one the loosened pattern matches whole, and a stretch that opens it is a partial full
    match of it. None when a pattern cannot be loosened or their flags differ."""
    rx = _loose_pattern((_ONLY_CAC, _PHRASE_ITEM), lambda loose: "|".join(f"(?:{p})" for p in loose))
    if rx is None:
        return None
    fullmatch = rx.fullmatch
    return lambda stretch: fullmatch(stretch, partial=True) is not None


@lru_cache(maxsize=1024)
def _may_be_item_rest(opening: str) -> bool:
    test = _item_rest_test()
    return test is None or test(opening)


_UNREAD = object()  # a memo's mark for a place not read yet (None is an answer)


class _Clauses:
    """Clause starts of one text, found on demand: a reverse search from each citation to the
    nearest break is cheaper than listing every break of a 100-page law."""

    def __init__(self, text: str, soft: tuple[tuple[int, int], ...]):
        self.text, self.soft, self.n = text, soft, len(text)
        self._soft_end = max((b for _, b in soft), default=0)  # no soft span reaches past it
        self.cache: dict[int, int] = {}
        self._labels: list[tuple[int, int, str]] | None = None  # section labels: (start, end, relation)
        self._label_starts: list[int] = []
        self._label_reach: list[int] = []  # running maximum of the labels' ends, in start order
        self._label_window_read = 0  # characters searched for a label before the pass (`section`)
        self._newlines: list[int] | None = None
        self._headings: dict[int, str | None] = {}
        self._above: dict[int, tuple[str | None, int]] = {}  # `heading_above`: (relation, lines read)
        self._breaks: _Breaks | None = None
        self._occurrences: dict[str, _Occurrences] = {}
        self._tails: dict[int, tuple[int, int | None]] = {}
        self._clause_cues: dict[int, tuple[str, int] | None] = {}

    def occurrences(self, name: str) -> _Occurrences:
        """The matches in the text of `_ACTOR`, `_PROPOSING` or `_ENACTS_ACTING`, listed on first use."""
        got = self._occurrences.get(name)
        if got is None:
            rx, rx_rev = {"actor": (_ACTOR, _ACTOR_REV), "proposing": (_PROPOSING, _PROPOSING_REV),
                          "enacts": (_ENACTS_ACTING, None)}[name]
            got = self._occurrences[name] = _Occurrences(self.text, rx, rx_rev)
        return got

    def clause_cue(self, pos: int) -> tuple[str, int] | None:
        """`_clause_cue(text, pos)`, read once per position: the citations of one clause share it."""
        got = self._clause_cues.get(pos, _UNREAD)
        if got is _UNREAD:
            # (most clauses open with what opens no cue: `_may_open_clause_cue` on their first words)
            got = self._clause_cues[pos] = _clause_cue(self.text, pos) \
                if _may_open_clause_cue(self.text[pos: pos + CLAUSE_KEY]) else None
        return got

    def part_cut(self, lo: int, end: int) -> int:
        """`lo + len(_strip_part(text[lo:end]))`: where text[lo:end] ends once a trailing part
        ("khoản 2 Điều 5 của") is cut off, remembered per `end`.

        Several views end at one citation (120 and 260 characters before it, its clause, its list
        item). Whether a part tail starts at s depends only on text[s:end] (`_PART_TAIL` looks
        neither behind nor past the end), so the leftmost tail start in a view is the leftmost one
        of a wider view when that lies inside the view; none in a wider view is none in any view
        inside it. Only a view that starts past a wider view's tail start is read again.

        A view is read from its end, in a stretch of it or two (`_run_tail_start`); only when the
        characters a part is made of fill them is it read whole: whether it ends with a part at all
        (the pattern from the end), then the first start that matches, tried only where a part word
        stands (all of them, overlapping ones included: "mục" inside "tiểu mục"), not at every
        character of the view."""
        got = self._tails.get(end)
        if got is not None:
            lo0, s0 = got
            if lo >= lo0 and (s0 is None or lo <= s0):
                return end if s0 is None else s0
        for look in PART_TAIL_LOOKS:
            a = end - look if end - look > lo else lo
            s = _run_tail_start(self.text[a:end], a == lo)
            if s is not False:
                if s is not None:
                    s += a
                break
            if a == lo:
                break
        if s is False:
            s = None
            if _PART_TAIL_REV.match(self.text, lo, end) is not None:
                for u in _PART_UNIT_RE.finditer(self.text, lo, end, overlapped=True):
                    if _PART_TAIL.match(self.text, u.start(), end) is not None:
                        s = u.start()
                        break
        if got is None or lo < got[0]:
            self._tails[end] = (lo, s)
        return end if s is None else s

    def line_start(self, pos: int) -> int:
        """`text.rfind("\\n", 0, pos) + 1`: read directly when the line is short, else by bisection in
        the newlines, listed once (a text that is one huge line must not be read back per citation)."""
        if self._newlines is None:
            nl = self.text.rfind("\n", pos - LOCAL_READ if pos > LOCAL_READ else 0, pos)
            if nl >= 0 or pos <= LOCAL_READ:
                return nl + 1
            self._newlines = newlines = []  # (`find` from one to the next: no match objects)
            text, i = self.text, self.text.find("\n")
            while i >= 0:
                newlines.append(i)
                i = text.find("\n", i + 1)
        i = bisect_left(self._newlines, pos)
        return self._newlines[i - 1] + 1 if i else 0

    def heading_above(self, line: int) -> str | None:
        """What the items' walk finds above the line starting at `line`: up over blank and item
        lines to the line that introduces them, its relation if it is at most HEADING_LINES lines up
        (None: its line has no cue, or the top of the text). The walk from each line is remembered
        with its length, so the items of one list, each walking up to the same heading, read their
        lines once, not once per item."""
        path = []
        pos = line
        while True:
            got = self._above.get(pos)
            if got is not None:
                kind, steps = got
                break
            if pos <= 0:
                kind, steps = None, 0
                break
            if len(path) == HEADING_LINES:
                return None  # (the lines walked are not remembered: their walks are longer still)
            prev_end = pos - 1
            prev_start = self.line_start(prev_end)
            path.append(pos)
            kind = self.heading_line(prev_start, prev_end)
            if kind != "blank" and kind != "item":
                steps = 0
                break
            pos = prev_start
        for i, p in enumerate(path):
            self._above[p] = (kind, len(path) - i + steps)
        return kind if len(path) + steps <= HEADING_LINES else None

    def heading_line(self, start: int, end: int) -> str | None:
        """What the line text[start:end] is to the items below it: "blank", "item" (a sibling, skipped),
        or the relation its heading cue names (None: no cue). Read once per line."""
        if start in self._headings:
            return self._headings[start]
        line = self.text[start:end]
        got = None
        if not line.strip():
            got = "blank"
        # a sibling item is skipped; an item that ends with ":" introduces the list
        # ("2. Các Thông tư sau hết hiệu lực kể từ ngày …:")
        elif _ITEM_LINE.match(line) and not _DIEU_LINE.match(line) and not line.rstrip().endswith(":"):
            got = "item"
        else:
            for cue in cues().get("heading", ()):
                if cue.rx.search(line):
                    got = cue.relation
                    break
        self._headings[start] = got
        return got

    def section(self, pos: int, line: int) -> str | None:
        """The relation of the labelled section holding `pos` ("* Căn cứ pháp lý: …"), if the
        label is within 3000 characters and no section mark stands between. (`line`: where the
        line of `pos` starts.)"""
        if self._labels is None:  # one pass over the text, on the first citation that asks
            # (unless the line holds no label end: a label that ends before the line is cut off by the
            # line break, a section mark, so the answer is None without the pass. Only the line's last
            # 3000 characters are read: a label read starts within them.)
            ends = _label_final_chars()
            if ends is not None:
                since = max(line - 1, pos - 3000, 0)
                for ch in ends:
                    if self.text.find(ch, since, pos) >= 0:
                        break
                else:
                    return None
                # (nor unless a label stands in the 3000 characters before `pos`: a label read ends by
                # `pos` and starts within them, and its pattern reads nothing past its last character,
                # so the search of that stretch finds it, or an earlier one. While the stretches read
                # so add up to less than the text, no pass is made for a text that has no label.)
                lo = max(pos - 3000, 0)
                if self._label_window_read + (pos - lo) <= self.n and _labels_read_no_further():
                    self._label_window_read += pos - lo
                    for cue in cues().get("section", ()):
                        if cue.rx.search(self.text, lo, pos) is not None:
                            break
                    else:
                        return None
            self._labels = sorted((m.start(), m.end(), cue.relation) for cue in cues().get("section", ())
                                  for m in cue.rx.finditer(self.text))
            reach = -1
            for start, end, _ in self._labels:
                reach = max(reach, end)
                self._label_starts.append(start)
                self._label_reach.append(reach)
        # the labels read are those before the first (in start order) that ends past `pos`, and of
        # them the ones starting within 3000 characters: found by bisection, not by a scan of all
        stop = bisect_right(self._label_reach, pos)
        best = None
        for k in range(bisect_left(self._label_starts, pos - 3000), stop):
            start, end, relation = self._labels[k]
            if best is None or end > best[0]:
                best = (end, relation)
        if best and not _SECTION_END.search(self.text, best[0], pos):
            return best[1]
        return None

    def _in_soft(self, pos: int) -> bool:
        for a, b in self.soft:
            if a <= pos < b:
                return True
        return False

    def start(self, pos: int) -> int:
        """Where the clause holding `pos` starts: after the last break that ends at or before `pos`
        (a "\\n" inside a soft span not counting), at most CLAUSE_REACH characters back."""
        got = self.cache.get(pos)
        if got is not None:
            return got
        text = self.text
        if self._breaks is None:
            self._breaks = _Breaks(self.text)
        end = pos + 1 if pos < self.n else self.n
        lo = pos - CLAUSE_REACH if pos > CLAUSE_REACH else 0
        found = 0
        while True:
            m = self._breaks.last(lo, end)
            if m is None:
                found = 0 if lo == 0 else lo
                break
            m_start, m_end = m
            if m_end > pos:  # a break right at `pos` (the citation starts a clause) counts
                end = m_end - 1
                continue
            if m_start < self._soft_end and m_end - m_start == 1 and text[m_start] == "\n" \
                    and self._in_soft(m_start):
                end = m_start
                continue
            found = m_end
            break
        self.cache[pos] = found
        return found


# what the citing document does to an attached regulation: "Điều 9. Bãi bỏ một số điểm … của Quy định
# … ban hành kèm theo Thông tư số 09/2023", "Sửa đổi, bổ sung một số điều của Quy định … kèm theo …"
_ACTING_OPEN = regex.compile(
    r"(?:Điều\s+\d+[a-z]?\.\s*)?(?:(?P<amends>sửa\s+đổi(?:,?\s*(?:và\s+)?bổ\s+sung)?|bổ\s+sung)|(?P<repeals>bãi\s+bỏ)|"
    r"(?P<replaces>thay\s+thế))\b", regex.IGNORECASE)
_ENACTS_ACTING = regex.compile(
    r"ban\s+hành\s+(?:Luật|Nghị\s+định|Nghị\s+quyết|Thông\s+tư|Quyết\s+định)\s+(?:(?P<amends>sửa\s+đổi|bổ\s+sung)|"
    r"(?P<repeals>bãi\s+bỏ)|(?P<replaces>thay\s+thế))", regex.IGNORECASE)


_PROPOSING = regex.compile(r"\b(?:kính\s+trình|đề\s+nghị|đề\s+xuất|xin\s+ý\s+kiến)\b", regex.IGNORECASE)
_PROPOSING_REV = regex.compile(_PROPOSING.pattern, regex.IGNORECASE | regex.REVERSE)


def _in_parentheses(text: str, start: int, pos: int) -> bool:
    """"… đề nghị của Ủy ban MTTQ tỉnh (kèm theo Công văn số 227 …)": an enclosure named in passing."""
    seg = text[start:pos]
    return seg.count("(") > seg.count(")")


def _governing(text: str, c: Citation, clause: int, clauses: "_Clauses") -> str | None:
    """The relation of the clause an attached regulation is cited in: Căn cứ → basis, an acting
    verb opening the clause (or its line) → amends / repeals / replaces, the enactment formula."""
    line = clauses.line_start(c.start)
    for start in dict.fromkeys((clause, max(clause, line))):
        got = clauses.clause_cue(start)
        if got and got[0] in {"basis", "implements", "repeals"}:
            return got[0]
        m = _LIST_MARKER.match(text, start, start + MARKER_REACH)
        opening = m.end() if m else start
        am = _ACTING_OPEN.match(text, opening, opening + OPENING_REACH)
        if am:
            return _ON_ANNEX[am.lastgroup]
    em = clauses.occurrences("enacts").search(clause, c.start)
    return _ON_ANNEX[em.lastgroup] if em else None


# replacing a form or an annex attached to a document amends that document; it does not replace it
_ON_ANNEX = {"amends": "amends", "repeals": "repeals", "replaces": "amends"}


def assign_relations(text: str, cits: list[Citation], soft: tuple[tuple[int, int], ...] = (),
                     can_act: bool = True) -> None:
    """Set `relation` on every citation (in place). `cits` must be sorted by start; `soft` spans
    (the document's title) are one clause even when broken over lines. A document that cannot act
    (`can_act` False: a report, a submission) amends, replaces and repeals nothing: those mentions
    are mentions."""
    clauses = _Clauses(text, soft) if cits else None
    for i, c in enumerate(cits):
        c.relation = _relation(text, c, cits[i - 1] if i else None, clauses, cits, i)
        if c.relation == "attached" and not _in_parentheses(text, clauses.start(c.start), c.start):
            also = _governing(text, c, clauses.start(c.start), clauses)
            c.relation_also = also if also and also != "attached" else None
        if not can_act:
            if c.relation in ACTING:
                c.relation = "mentions"
            if c.relation_also in ACTING:
                c.relation_also = None


_CLAUSE_END = regex.compile(r"[;\n]|\.\s|\.\Z")


def _after_relation(text: str, c: Citation) -> str | None:
    """"Thông tư số 28/2025/TT-BTC ngày … hướng dẫn … hết hiệu lực kể từ …": the citation that opens
    its clause is the subject of what follows it."""
    end = _CLAUSE_END.search(text, c.end, min(len(text), c.end + AFTER_REACH))
    rest = text[c.end: end.start() if end else min(len(text), c.end + AFTER_REACH)]
    for cue in cues().get("after", ()):
        if cue.rx.search(rest):
            return cue.relation
    return None


# "…; Hướng dân số 37/HD-BCA-C04 …": a type word with a typo, the type read from the symbol
_MISSPELT_TYPE = regex.compile(r"\s*(?:[-+•]\s*)?(?:và\s+)?\p{Lu}\p{Ll}{1,7}(?:\s+\p{Ll}{1,7})?\s*")
# an item that is another document's title holding the citation: "…; Luật sửa đổi, bổ sung một số
# điều của Luật Đấu thầu, …" — the laws in the title take the paragraph's relation (SPEC: basis)
_TITLE_ITEM = regex.compile(
    r"\s*(?:[-+•]\s*)?(?:Bộ\s+luật|Luật|Pháp\s+lệnh|Nghị\s+định|Nghị\s+quyết|Thông\s+tư)\s+(?:sửa\s+đổi|bổ\s+sung|"
    r"quy\s+định\s+chi\s+tiết|hướng\s+dẫn)[^;\n]*\Z")
# "… bãi bỏ Thông tư số 15/2020 … và các Thông tư sửa đổi, bổ sung: Thông tư số 05/2021 …"
_COORDINATED = regex.compile(
    r"(?:\bvà|,)\s*(?:các\s+)?(?:(?:Thông\s+tư|Nghị\s+định|Quyết\s+định|Nghị\s+quyết|văn\s+bản)\s+"
    r"(?:sửa\s+đổi,?\s*(?:bổ\s+sung)?|bổ\s+sung|hướng\s+dẫn)[^;.\n]{0,40}?:\s*)?\Z", regex.IGNORECASE)
# the characters a `_COORDINATED` match may end with before its spaces: the last atom that is not `\s`
# of each way through it ("và", ",", "các", the ":" of a title), in either case
_COORDINATED_LAST = frozenset(",:àÀcC")


def _coordinated(text: str, start: int, end: int) -> bool:
    """`_COORDINATED.search(text, start, end) is not None`, without the forward search over what may
    be a paragraph: a match ends with `_COORDINATED_LAST` and then spaces (each `\\s` a space to
    `isspace`), so a view whose last character that is not a space is another has none. Only when
    that character is one of them (or the view ends in more than SPACE_LOOK spaces) is it searched."""
    j = end - 1
    stop = end - SPACE_LOOK if end - SPACE_LOOK > start else start
    while j >= stop and text[j].isspace():
        j -= 1
    if j >= stop and text[j] not in _COORDINATED_LAST:
        return False
    return _COORDINATED.search(text, start, end) is not None


_AND_BEFORE = regex.compile(r"(?:\bvà|,)\s*\Z")
_TITLE_AMENDS = regex.compile(r"\b(?:sửa\s+đổi|bổ\s+sung)\b", regex.IGNORECASE)
_TITLE_HEAD = regex.compile(
    r"\s*(?:[-+•]\s*)?(?:Bộ\s+luật|Luật|Pháp\s+lệnh|Nghị\s+định|Nghị\s+quyết|Thông\s+tư)\s+(?:sửa\s+đổi|bổ\s+sung|"
    r"quy\s+định\s+chi\s+tiết|hướng\s+dẫn)")  # how `_TITLE_ITEM` opens


def _ends_with_and(text: str, start: int, end: int) -> bool:
    """`_AND_BEFORE.search(text[start:end])`, reading only the end: the spaces, and "và" or "," before them."""
    run = _WS_RUN_REV.match(text, start, end)
    last = run.start() if run is not None else end
    return _AND_BEFORE.search(text[max(start, last - 3): end]) is not None
_BARE_ITEM = regex.compile(r"\s*(?:[-+•]\s*)?(?:và\s+)?(?:các\s+)?", regex.IGNORECASE)
_SENTENCE_OR_PARAGRAPH = regex.compile(r"\.\s+\p{Lu}|\n\s*\n\s*(?:Điều|Căn|Chương|\d+\.)")


def _chain_head(cits: list[Citation], i: int, clause: int) -> Citation | None:
    """The first citation of the clause among cits[:i]: the document an amendment chain hangs from
    ("Thông tư số 05/2024 … quy định … Luật Nhà ở, đã được sửa đổi … tại Thông tư số 09/2025")."""
    head = None
    for k in range(i - 1, -1, -1):
        b = cits[k]
        if b.start < clause:
            break
        head = b
    return head


def _fellow_of_acting(text: str, cits: list[Citation], i: int, clause: int) -> str | None:
    """"Nghị định số X … quy định chi tiết … của Luật Phí và lệ phí và Nghị định số Y … hết hiệu
    lực": cits[i] (Y) follows, after "và" or ",", a mention inside the title of an acting citation
    of its clause and of its type (X): the mentions between are passed over, and Y takes X's
    relation. Not when X's
    title amends ("Thông tư số X … sửa đổi, bổ sung một số điều của Thông tư số A, Thông tư số B và
    Thông tư số C": C ends the title's list, it is not X's fellow). None otherwise."""
    c = cits[i]
    k = i - 1
    while k >= 0 and cits[k].relation == "mentions" and cits[k].start >= clause:
        k -= 1
    if k < 0 or k == i - 1:
        return None
    head = cits[k]
    # (fellows are of one kind: "Thông tư số X … hướng dẫn thi hành Luật A và Nghị định số Y" names
    # in X's title what X guides, and a decree is not repealed by a circular)
    if head.relation in ACTING and head.cited_type == c.cited_type and head.start >= clause and head.end <= c.start \
            and not _SENTENCE_OR_PARAGRAPH.search(text, head.end, c.start) \
            and not _TITLE_AMENDS.search(text, head.end, c.start):
        return head.relation
    return None


def _relation(text: str, c: Citation, prev: Citation | None, clauses: "_Clauses",
              cits: list[Citation], i: int) -> str:
    """The relation of c = cits[i]; cits[:i] are the citations before it, already assigned."""
    start = c.start
    clause = clauses.start(start)
    same_clause = prev is not None and clause <= prev.start and prev.end <= start
    # "(Kế hoạch số 1014/KH-C04-P6 gửi kèm)": the phrase right after the citation
    reach = c.end + 40
    if reach > clauses.n:
        reach = clauses.n
    # (only the cues that may open with what follows the citation: `_trailing_candidates`)
    head = text[c.end: c.end + TRAIL_KEY if c.end + TRAIL_KEY < reach else reach]
    for relation, match in _trailing_candidates(head):
        if match(text, c.end, reach):
            return relation
    # 1. next item of a list
    if same_clause and _list_gap(text, prev.end, start):
        if prev.relation == "mentions":
            fellow = _fellow_of_acting(text, cits, i, clause)
            if fellow:
                return fellow
        if prev.relation in {"proposal", "report"}:
            return _by_type(c) if c.cited_type in {"Báo cáo", "Tờ trình"} else prev.relation
        return prev.relation
    # the two views before the citation read for most citations, cut where their trailing part
    # begins ("khoản 2 Điều 5"): the 120 characters before it and its clause's last 260. The wider
    # is read first, and mostly answers the other (see `part_cut`)
    near = start - 120 if start > 120 else 0
    base = start - 260 if start - 260 > clause else clause
    if near < base:
        cut_near = clauses.part_cut(near, start)
        cut_base = cut_near if cut_near >= base else clauses.part_cut(base, start)
    else:
        cut_base = clauses.part_cut(base, start)
        cut_near = cut_base if cut_base >= near else clauses.part_cut(near, start)
    if not same_clause and _opens_clause(text, clause, cut_near, clauses):
        # "Thông tư số 28/2025/TT-BTC … hết hiệu lực": the citation must be the clause's subject
        after = _after_relation(text, c)
        if after:
            return after
    # 2. adjacent phrase
    for offset, _, relation in _cues_ending(text[base:cut_base]):
        cue_start = base + offset
        c.relation_cue = text[cue_start: c.start].strip()[:60]
        if relation == "inherit":
            head = _chain_head(cits, i, clause)
            return head.relation if head is not None else "mentions"
        if relation == "proposal" and not (_opens_clause(text, clause, cue_start, clauses)
                                           or _ends_with_and(text, clause, cue_start)):
            continue  # "… triển khai theo đề nghị của Bộ tại Công văn số …": not the document's proposal
        if relation == "by_type":
            return _by_type(c)
        if relation in ACTING:
            embedded = same_clause and not _ACTOR.search(text, prev.end, cue_start)
            cue_line = clauses.line_start(cue_start)
            acts = (_opens_clause(text, clause, cue_start, clauses) or clauses.occurrences("actor").search(clause, cue_start) is not None
                    or _ARTICLE_HEAD.match(text, cue_line, cue_line + MARKER_REACH) is not None)
            # "Sở Y tế kính trình UBND tỉnh xem xét, ban hành Quyết định … và thay thế Quyết định số …":
            # a proposal that someone else act
            proposed = clauses.occurrences("proposing").search(clause, cue_start) is not None
            if acts and not embedded and not proposed:
                return relation
            if embedded and not proposed:
                # the phrase reaches back over the citation before ("Sửa đổi khoản 5 Điều 12 Nghị định
                # số X được sửa đổi, bổ sung tại khoản 5 Điều 1 Nghị định số Y"): it is X's; a shorter
                # phrase nearer this citation ("được sửa đổi, bổ sung tại": X's chain) may still say
                continue
            break  # someone else's amendment: fall through to the clause's own cue
        return relation
    # 2b. a labelled section: "* Căn cứ pháp lý: - Về đề nghị kiện toàn: Ngày 04/4/2025, … Quyết định số 607 …"
    line = clauses.line_start(start)
    section = clauses.section(start, line)
    if section:
        return section
    # 3. phrase opening the clause (or the line, inside a title broken over lines)
    got = clauses.clause_cue(clause) or (clauses.clause_cue(line) if line > clause else None)
    if got:
        relation, cue_end = got
        gap = text[cue_end: c.start]
        if len(gap) <= OBJECT_GAP and not _GAP_BREAK.search(gap) and not _GAP_NOT_OBJECT.search(gap):
            return _by_type(c) if relation == "by_type" else relation
        if same_clause and prev.start >= cue_end and prev.relation in TITLE_INHERITABLE \
                and not _GAP_BREAK.search(text[prev.end: c.start]):
            return prev.relation
    # 4. later items of a paragraph opened by Căn cứ / Xét / Thực hiện ("…; Báo cáo thẩm tra số …"),
    #    or continuing a list the document acts on ("Thông tư này thay thế Thông tư số …; Thông tư số …")
    para = line
    # (a clause that runs OWN_REACH characters before its citation is read only when it opens with a
    # title: a list item's opening words are few)
    if para < clause and (c.start - clause <= OWN_REACH or _TITLE_HEAD.match(text, clause, c.start)):
        own = text[clause: clauses.part_cut(clause, c.start)]
        if _BARE_ITEM.fullmatch(own) or _TITLE_ITEM.match(own) \
                or (c.relation_cue == "generic" and _MISSPELT_TYPE.fullmatch(own)):
            got = clauses.clause_cue(para)
            if got:
                return _by_type(c) if got[0] == "by_type" else (
                    _by_type(c) if got[0] in {"proposal", "report"} and c.cited_type in {"Báo cáo", "Tờ trình"} else got[0])
            if prev is not None and para <= prev.start and prev.relation in ACTING | {"basis", "implements"} \
                    and text[max(0, clause - 3):clause].strip().endswith(";"):
                return prev.relation
    if same_clause and prev.relation in TITLE_INHERITABLE and prev.relation != "implements" \
            and not _GAP_BREAK.search(text[prev.end: c.start]):
        return prev.relation
    # "… sửa đổi, bổ sung Nghị định số X ngày … về … và Nghị định số Y": coordinated objects
    # (the titles between may hold ";": the coordination spans the paragraph, not the clause)
    if prev is not None and prev.relation in ACTING and prev.end <= c.start \
            and _coordinated(text, prev.end, c.start) \
            and not _SENTENCE_OR_PARAGRAPH.search(text, prev.end, c.start):
        return prev.relation
    # 5. list item under a heading
    heading = _heading_relation(text, c, clauses, line)
    if heading:
        return heading
    return "mentions"
