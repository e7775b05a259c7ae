"""The relation of each citation to the citing document, from its governing phrase.

Vocabulary (DESIGN.md): basis, implements, proposal, report, amends, replaces, repeals, attached,
mentions. The cue phrases live in `rules/relations.tsv`; this module decides which cue governs
which citation. Cases, in the order they are tried:

  1. List item:      "Căn cứ Luật A; Luật B số 52/2019/QH14;" — B continues A's clause → same relation.
  2. Adjacent cue:   "bãi bỏ Quyết định số …", "kèm theo Công văn số …", "theo quy định tại Nghị định …"
                     — the cue ends where the citation (or its part, "khoản 2 Điều 5") begins.
     A cue that follows another citation in the same clause belongs to that citation's title
     ("Nghị định số 12 sửa đổi, bổ sung Nghị định số 43" inside "Căn cứ …"): the inner citation
     takes the outer one's relation, not the verb's.
  3. Clause cue:     "Căn cứ …", "Thực hiện …", "Xét đề nghị … tại Tờ trình số …" at the start of the
                     clause (a line, or after ";" / ". "), governing the first citation when it is
                     its object (little text between) and every citation chained after it.
  4. Otherwise:      mentions.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from . import rules
from .models import Citation

# Text between a clause cue and its first citation: at most this many characters, no verb-like
# break. "Thực hiện chỉ đạo của Chủ tịch UBND tỉnh tại Công văn số" is ~40.
OBJECT_GAP = 140


@dataclass(frozen=True)
class Cue:
    relation: str
    scope: str
    rx: regex.Pattern


@cache
def cues() -> tuple[Cue, ...]:
    out = []
    for relation, scope, pattern in rules.relation_cues():
        # "^" means start of a clause; the clause text we match against starts there
        out.append(Cue(relation, scope, regex.compile(pattern, regex.IGNORECASE)))
    return tuple(out)


_CLAUSE_BREAK = regex.compile(r"\n|;|\.\s+(?=\p{Lu})|:\s*\n")
_PARA_BREAK = regex.compile(r"\n")
_PART_TAIL = regex.compile(
    r"(?:(?:tiểu\s+mục|điểm|khoản|điều|mục|phần|chương|phụ\s+lục|tiết)\s+[0-9IVXLivxl]+[a-zđ]?(?:\.[0-9]+)*\s*(?:,|và)?\s*)+"
    r"(?:(?:của|tại|thuộc)\s+)?(?:các\s+)?\Z",
    regex.IGNORECASE,
)
_GAP_BREAK = regex.compile(
    r"[.;:]\s|\b(?:giao|yêu\s+cầu|đề\s+nghị|chỉ\s+đạo\s+các|đã|được|để|nhằm|trong\s+đó|đồng\s+thời)\b", regex.IGNORECASE)
_CHAIN_GAP = regex.compile(r"\A[^;\n]{0,400}\Z")


def _clause_start(text: str, pos: int) -> int:
    lo = max(0, pos - 1500)
    last = lo
    for m in _CLAUSE_BREAK.finditer(text, lo, pos):
        last = m.end()
    return last


def _para_start(text: str, pos: int) -> int:
    i = text.rfind("\n", 0, pos)
    return i + 1


def _strip_part(left: str) -> str:
    m = _PART_TAIL.search(left)
    return left[: m.start()] if m else left


def _adjacent_cue(text: str, c: Citation, floor: int) -> tuple[str, int] | None:
    """A cue that ends exactly where the citation (or its part) begins: (relation, cue start)."""
    left = _strip_part(text[max(floor, c.start - 220): c.start])
    best = None
    for cue in cues():
        if cue.scope != "adjacent":
            continue
        for m in cue.rx.finditer(left):
            if m.end() == len(left) or not left[m.end():].strip():
                if best is None or m.start() > best[1]:
                    best = (cue.relation, c.start - len(left) + m.start())
    return best


def _clause_cue(text: str, clause_start: int) -> tuple[str, int, str] | None:
    """A cue at the start of the clause: (relation, cue end, scope)."""
    head = text[clause_start: clause_start + 200]
    for cue in cues():
        if cue.scope not in {"clause", "paragraph"}:
            continue
        m = cue.rx.match(head)
        if m and (cue.rx.pattern.startswith("^") or m.start() == 0 or not head[: m.start()].strip()):
            return cue.relation, clause_start + m.end(), cue.scope
    return None


def assign_relations(text: str, cits: list[Citation]) -> None:
    """Set `relation` on every citation (in place). `cits` must be sorted by start."""
    prev: Citation | None = None
    for c in cits:
        c.relation = "mentions"
        clause = _clause_start(text, c.start)
        para = _para_start(text, c.start)
        # 2. adjacent cue
        adj = _adjacent_cue(text, c, clause)
        # 1./2b. inside the same clause as the previous citation, close behind it
        chained = (prev is not None and prev.end <= c.start and prev.end >= clause
                   and _CHAIN_GAP.match(text[prev.end: c.start]) is not None)
        if adj:
            relation, cue_start = adj
            embedded = chained and prev is not None and not regex.search(
                r"\b(?:này|đồng\s+thời)\b|\.\s", text[prev.end: cue_start], regex.IGNORECASE)
            if embedded and prev.relation in {"basis", "implements", "proposal", "report", "amends", "repeals", "replaces"} \
                    and relation in {"amends", "replaces", "repeals"}:
                c.relation = prev.relation
            else:
                c.relation = relation
            c.relation_cue = text[cue_start: c.start].strip()[:60] or c.relation_cue
            prev = c
            continue
        if chained and prev is not None and prev.relation != "mentions":
            gap = text[prev.end: c.start]
            if not _GAP_BREAK.search(gap) or len(gap) < 12:
                c.relation = prev.relation
                prev = c
                continue
        # 3. clause cue (a Căn cứ paragraph governs its ';'-separated items)
        for start, scope_ok in ((clause, {"clause", "paragraph"}), (para, {"paragraph"})):
            got = _clause_cue(text, start)
            if not got:
                continue
            relation, cue_end, scope = got
            if scope not in scope_ok:
                continue
            gap = text[cue_end: c.start]
            if start == para and start != clause:
                # a later item of a Căn cứ paragraph: its own clause must open with the citation
                own = _strip_part(text[clause: c.start])
                if own.strip() and not regex.fullmatch(r"\s*(?:và\s+)?(?:các\s+)?", own, regex.IGNORECASE):
                    continue
                c.relation = relation
                break
            if len(gap) <= OBJECT_GAP and not _GAP_BREAK.search(gap):
                c.relation = relation
                break
            if prev is not None and prev.start >= cue_end and prev.relation == relation and chained:
                c.relation = relation
                break
        prev = c
