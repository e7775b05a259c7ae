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

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache

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
ITEM_HEAD_REACH = 2000  # what may stand between a list item's marker and its citation ("Cụm từ “…” tại")
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


def _reverse_break(text: str, b: int, end: int) -> tuple[int, int] | None:
    """The span of `_CLAUSE_BREAK_REV.search(text, b, end)`, without the search when the last "\\n"
    or ";" of the view is the answer (about half the citations): no longer break ends after it
    when no ".", ":" or ")" follows it in the view and the character after it is not a space (a
    longer break is one of those characters, then spaces, so it would start after the "\\n" or ";",
    or run through the character after it). At the "\\n" or ";" itself the one-character
    alternatives come first."""
    k = max(text.rfind("\n", b, end), text.rfind(";", b, end))
    if k >= 0:
        after = k + 1
        if (after == end or not text[after].isspace()) and text.find(".", after, end) < 0 \
                and text.find(":", after, end) < 0 and text.find(")", after, end) < 0:
            return k, after
    m = _CLAUSE_BREAK_REV.search(text, b, end)
    return m.span() if m is not None else None


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
            b = max(lo, end - LOCAL_READ)
            m = _reverse_break(self.text, b, end)
            # a break from before `b` ends past m only across a run of spaces from `b` through m
            # (m itself a newline): its "." and the spaces after it (every `\\s` is an `isspace`)
            if b == lo or (m is not None and not (self.text[m[0]] == "\n"
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
_PART_UNIT = r"(?:tiểu\s+mục|điểm|khoản|điều|mục|phần|chương|phụ\s+lục|tiết)"
_PART_TAIL = regex.compile(
    rf"(?:{_PART_UNIT}\s+(?:[0-9IVXLivxl]+[a-zđ]?(?:\.[0-9]+)*|[a-zđ](?!\p{{L}}))"
    r"(?:\s*(?:,|và)\s*(?:[0-9IVXLivxl]+[a-zđ]?(?:\.[0-9]+)*|[a-zđ](?!\p{L})))*\s*(?:,|và)?\s*)+"
    r"(?:(?:của|tại|thuộc)\s+)?(?:các\s+)?\Z",
    regex.IGNORECASE,
)
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
_ARTICLE_HEAD = regex.compile(r"\s*Điều\s+\d+[a-z]?\.\s")  # the citing document's own article heading
_ACTOR = regex.compile(r"\b(?:này|ban\s+hành\s+(?:Luật|Bộ\s+luật|Pháp\s+lệnh|Nghị\s+định|Nghị\s+quyết|Thông\s+tư|Quyết\s+định|Chỉ\s+thị))\b",
                       regex.IGNORECASE)
_ACTOR_REV = regex.compile(_ACTOR.pattern, regex.IGNORECASE | regex.REVERSE)


def _opens_clause(text: str, clause: int, pos: int, clauses: "_Clauses") -> bool:
    """True when only a list marker or "Điều N." stands between the clause (or line) start and `pos`."""
    line = clauses.line_start(pos)
    for start in {clause, max(clause, line)}:
        m = _LIST_MARKER.match(text, start, pos)
        if m is not None and not text[m.end():pos].strip():
            return True
    return False


def _part_start(text: str, c: Citation, clauses: "_Clauses") -> int:
    """Where the citation begins with its part ("khoản 4 Điều 3 Thông tư số …")."""
    return clauses.part_cut(max(0, c.start - 120), c.start)


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


def _adjacent(text: str, c: Citation, clause: int, clauses: "_Clauses") -> list[tuple[str, int]]:
    """Cues ending where the citation (or its part) begins: (relation, cue start), longest first."""
    base = max(clause, c.start - 260)
    left = text[base: clauses.part_cut(base, c.start)]
    found = []
    folded = left.casefold()
    for cue in cues().get("adjacent", ()):
        for w in cue.words:
            if w not in folded:
                break
        else:
            m = cue.rx.search(left)
            if m:
                found.append((cue.relation, base + m.start()))
    found.sort(key=lambda x: x[1])
    return found


def _by_type(c: Citation) -> str:
    return "report" if c.cited_type == "Báo cáo" else "proposal"


_CONNECTIVE = regex.compile(
    r"(?:v/v\s*)?(?:(?:tập\s+trung|khẩn\s+trương|chủ\s+động)\s+)?(?:đồng\s+thời,?\s*|và\s+|tiếp\s+tục\s+(?:chỉ\s+đạo\s+)?|chỉ\s+đạo\s+|tham\s+mưu\s+|chủ\s+trì\s+|phối\s+hợp\s+)?",
    regex.IGNORECASE)


_NEWLINE = regex.compile(r"\n")
_SECTION_END = regex.compile(r"\n|(?:^|\s)\*\s|(?<![\p{L}\d])[IVX]{1,4}\.\s+\p{Lu}")


def _clause_cue(text: str, clause: int) -> tuple[str, int] | None:
    m = _LIST_MARKER.match(text, clause, clause + MARKER_REACH)
    start = m.end() if m else clause
    cm0 = _CONNECTIVE.match(text, start, start + MARKER_REACH)
    start = cm0.end() if cm0 else start
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


def _heading_relation(text: str, c: Citation, clauses: "_Clauses") -> str | None:
    """Walk up over list items to the line that introduces them; its cue governs the items."""
    line_start = clauses.line_start(c.start)
    marker = _ITEM_MARKER.match(text, line_start, c.start)
    # the citation's line must itself be a list item opening with the citation (or "các …")
    if not marker or c.start - marker.end() > ITEM_HEAD_REACH:
        return None
    rest = text[marker.end(): clauses.part_cut(marker.end(), c.start)]
    if not (_ONLY_CAC.fullmatch(rest) or _PHRASE_ITEM.fullmatch(rest)):
        return None
    pos = line_start
    for _ in range(80):
        if pos <= 0:
            return None
        prev_end = pos - 1
        prev_start = clauses.line_start(prev_end)
        pos = prev_start
        kind = clauses.heading_line(prev_start, prev_end)
        if kind == "blank" or kind == "item":
            continue
        return kind
    return None


class _Clauses:
    """Clause starts of one text, found on demand: a reverse search from each citation to the
    nearest break is cheaper than listing every break of a 100-page law."""

    def __init__(self, text: str, soft: tuple[tuple[int, int], ...]):
        self.text, self.soft = text, soft
        self.cache: dict[int, int] = {}
        self._labels: list[tuple[int, int, str]] | None = None  # section labels: (start, end, relation)
        self._label_starts: list[int] = []
        self._label_reach: list[int] = []  # running maximum of the labels' ends, in start order
        self._newlines: list[int] | None = None
        self._headings: dict[int, str | None] = {}
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
        try:
            return self._clause_cues[pos]
        except KeyError:
            got = self._clause_cues[pos] = _clause_cue(self.text, pos)
            return got

    def part_cut(self, lo: int, end: int) -> int:
        """`lo + len(_strip_part(text[lo:end]))`: where text[lo:end] ends once a trailing part
        ("khoản 2 Điều 5 của") is cut off, remembered per `end`.

        Several views end at one citation (120 and 260 characters before it, its clause, its list
        item). Whether a part tail starts at s depends only on text[s:end] (`_PART_TAIL` looks
        neither behind nor past the end), so the leftmost tail start in a view is the leftmost one
        of a wider view when that lies inside the view; none in a wider view is none in any view
        inside it. Only a view that starts past a wider view's tail start is read again."""
        got = self._tails.get(end)
        if got is not None:
            lo0, s0 = got
            if lo >= lo0 and (s0 is None or lo <= s0):
                return end if s0 is None else s0
        s = None
        if _PART_TAIL_REV.search(self.text, lo, end) is not None:
            # `_PART_TAIL.search(text, lo, end)`: the first start that matches, tried only where a
            # part word stands (all of them, overlapping ones included: "mục" inside "tiểu mục"),
            # not at every character of the view
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
            nl = self.text.rfind("\n", max(0, pos - LOCAL_READ), pos)
            if nl >= 0 or pos <= LOCAL_READ:
                return nl + 1
            self._newlines = [m.start() for m in _NEWLINE.finditer(self.text)]
        i = bisect_left(self._newlines, pos)
        return self._newlines[i - 1] + 1 if i else 0

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

    def section(self, pos: int) -> str | None:
        """The relation of the labelled section holding `pos` ("* Căn cứ pháp lý: …"), if the
        label is within 3000 characters and no section mark stands between."""
        if self._labels is None:  # one pass over the text, on the first citation that asks
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

    def start(self, pos: int) -> int:
        got = self.cache.get(pos)
        if got is not None:
            return got
        if self._breaks is None:
            self._breaks = _Breaks(self.text)
        text, end = self.text, min(len(self.text), pos + 1)
        lo = max(0, pos - CLAUSE_REACH)
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
            if text[m_start] == "\n" and m_end - m_start == 1 and any(a <= m_start < b for a, b in self.soft):
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
    end = _CLAUSE_END.search(text, c.end, min(len(text), c.end + 600))
    rest = text[c.end: end.start() if end else min(len(text), c.end + 600)]
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
_AND_BEFORE = regex.compile(r"(?:\bvà|,)\s*\Z")
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


def _relation(text: str, c: Citation, prev: Citation | None, clauses: "_Clauses",
              cits: list[Citation], i: int) -> str:
    """The relation of c = cits[i]; cits[:i] are the citations before it, already assigned."""
    clause = clauses.start(c.start)
    same_clause = prev is not None and clause <= prev.start and prev.end <= c.start
    # "(Kế hoạch số 1014/KH-C04-P6 gửi kèm)": the phrase right after the citation
    for cue in cues().get("trailing", ()):
        if cue.rx.match(text, c.end, min(len(text), c.end + 40)):
            return cue.relation
    # "Thông tư số 28/2025/TT-BTC … hết hiệu lực": the citation must be the clause's subject
    # the views before the citation that lose their trailing part ("khoản 2 Điều 5") all end at
    # c.start: the widest of the two read for every citation is read first, and answers the other
    clauses.part_cut(min(max(0, c.start - 120), max(clause, c.start - 260)), c.start)
    after = _after_relation(text, c) if not same_clause and _opens_clause(text, clause, _part_start(text, c, clauses), clauses) else None
    if after:
        return after
    # 1. next item of a list
    if same_clause and _LIST_GAP.match(text[prev.end: c.start]):
        if prev.relation in {"proposal", "report"}:
            return _by_type(c) if c.cited_type in {"Báo cáo", "Tờ trình"} else prev.relation
        return prev.relation
    # 2. adjacent phrase
    for relation, cue_start in _adjacent(text, c, clause, clauses):
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
            break  # someone else's amendment: fall through to the clause's own cue
        return relation
    # 2b. a labelled section: "* Căn cứ pháp lý: - Về đề nghị kiện toàn: Ngày 04/4/2025, … Quyết định số 607 …"
    section = clauses.section(c.start)
    if section:
        return section
    # 3. phrase opening the clause (or the line, inside a title broken over lines)
    line = clauses.line_start(c.start)
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
            and _COORDINATED.search(text, prev.end, c.start) \
            and not _SENTENCE_OR_PARAGRAPH.search(text, prev.end, c.start):
        return prev.relation
    # 5. list item under a heading
    heading = _heading_relation(text, c, clauses)
    if heading:
        return heading
    return "mentions"
