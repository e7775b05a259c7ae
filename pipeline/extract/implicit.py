"""Implicit citations: the provisions an amending article repeals without naming their document again.

Why: an amending act (a Nghị định or a Luật "sửa đổi, bổ sung …") names the document it amends
once, in its title or in an article's heading, then lists its changes item by item: "2. Bãi bỏ
khoản 2 Điều 5." That item repeals part of the amended document, but no citation stands on its
line, so the relation reader has nothing to give "repeals" to, and the graph never learns that the
document is partly repealed (the status an auditor asks for). As eyecite resolves "Id." to the
citation before it, `find_implicit` reads such an item as a short form of its antecedent: a
Citation on the provision as written (its mention and its `part`: "khoản 2 Điều 5"), with the
antecedent's document fields, relation "repeals" and `short_form` True. The link then records the
antecedent as partly repealed (a repeal with a part), never as repealed whole.

The verb is data: the `implicit` rows of `rules/relations.tsv`.

Surface forms handled (`Điều N.` headings at a line start, items below them up to the next):
  Form 1: the article's heading cites the document it amends:
      "Điều 1. Sửa đổi, bổ sung Điều 5 Nghị định số 22/2019/NĐ-CP …" / "2. Bãi bỏ khoản 2 Điều 5."
  Form 2: the heading names it by a short form that the reference reader resolved:
      "Điều 1. Sửa đổi, bổ sung một số điều của Luật Giá" / "a) Bãi bỏ khoản 13 Điều 14;"
  Form 3: the heading names only provisions, in a document whose title amends a document (the
      first the title names: "… của Nghị định số 45/2019/NĐ-CP đã được sửa đổi, bổ sung bởi …"):
      "Điều 2. Sửa đổi, bổ sung, bãi bỏ một số điểm, khoản của Điều 7" / "1. Bãi bỏ điểm d khoản 5."
  Form 4: the heading is the repeal itself, in such a document: "Điều 5. Bãi bỏ khoản 5 của Điều 12".
Not read:
  - an item whose line cites a document itself ("Bãi bỏ Điều 3 Quyết định số 12/QĐ-UBND"): the
    relation reader's;
  - an item inside quoted new wording (“…”): the amended text, not an instruction;
  - an item under a heading that names a document no citation was read for (no guess), or under a
    heading that amends nothing (no acting verb, no acting citation);
  - "Bãi bỏ:" with no provision after it (its sub-items are read);
  - documents that cannot act (a Báo cáo or a Tờ trình recounts a repeal; `can_act` False).
"""
from __future__ import annotations

import dataclasses
from bisect import bisect_left
from functools import cache

import regex

from ..models import Citation
from .regexes import type_word_re
from .relations import ACTING, cues

# "Điều 5." / "Điều 24a:" at a line start (not inside quoted wording: see `_Quotes`)
_ARTICLE_AT = regex.compile(r"[ \t]*Điều[ \t]+\d+[a-zđ]?[ \t]*[.:][ \t]*")  # (matched at a line start)
_INDENTED_ARTICLE = regex.compile(r"\n(?=[ \t]+Điều)")


def _article_heads(text: str) -> list:
    """The article headings of `text`: `_ARTICLE_AT` matched at the start of each line whose first
    word is "Điều" (a "(?m)^" pattern was tried at every character: a tenth of a second over the dev
    corpus; tests/test_implicit.py compares it). Such a line starts the text, follows "\n" directly ("\nĐiều", found by
    `str.find`), or after spaces and tabs (`_INDENTED_ARTICLE`, tried at each newline only). A match
    ends on its own line (its classes hold no newline), so no two overlap."""
    starts = [0] if text.startswith(("Điều", " ", "\t")) else []
    find = text.find
    i = find("\nĐiều")
    while i != -1:
        starts.append(i + 1)
        i = find("\nĐiều", i + 5)
    starts.extend(m.start() + 1 for m in _INDENTED_ARTICLE.finditer(text))
    out = []
    for ls in sorted(starts):
        m = _ARTICLE_AT.match(text, ls)
        if m is not None:
            out.append(m)
    return out


# an item marker: "2.", "a)", "-", "+"
_MARKER = regex.compile(r"[ \t]*(?:(?:\d{1,3}[a-zđ]?|[a-zđ])[.)][ \t]*|[-–+•][ \t]*)?", regex.IGNORECASE)
# what a repealed provision opens with: "khoản 2 Điều 5", "các điểm a, b", "cụm từ “…” tại …"
_PROVISION = regex.compile(
    r"(?:các[ \t]+)?(?:tiểu[ \t]+mục|điểm|khoản|điều|mục|phần|chương|phụ[ \t]+lục|tiết|cụm[ \t]+từ|"
    r"một[ \t]+số[ \t]+cụm[ \t]+từ|(?:toàn[ \t]+bộ[ \t]+)?nội[ \t]+dung)(?![\p{L}])",
    regex.IGNORECASE)
# a heading that amends: the verbs an amending article opens with
_AMENDING = regex.compile(r"\b(?:sửa[ \t]+đổi|bổ[ \t]+sung|bãi[ \t]+bỏ|thay[ \t]+thế)\b", regex.IGNORECASE)
MENTION_REACH = 200  # a provision's words: "cụm từ “…” tại khoản 1 Điều 4, khoản 2 Điều 4 và Mẫu số 02"


@cache
def _verbs() -> tuple[regex.Pattern, ...]:
    return tuple(c.rx for c in cues().get("implicit", ()))


class _Quotes:
    """Whether a position lies inside quoted wording: after an opening “ not yet closed by ”, or
    after an odd count of straight quotes (a quote closed on a later line keeps every line between
    inside it). The depth never goes below zero, so one stray ” does not open everything after it.

    The marks' states are computed over the whole text at once (an amending act quotes its new
    wording thousands of times): the text as an array of code points, the marks found by
    comparison, the depth as the running sum of +1/-1 less its running minimum (the sum floored at
    zero, as a walk that never goes below it: tests/test_implicit.py compares the plain walk), and
    the straight quotes' parity as their running count; a position is asked by bisection."""

    def __init__(self, text: str):
        import numpy as np

        a = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        opening, closing, straight = a == 0x201C, a == 0x201D, a == 0x22
        at = np.flatnonzero(opening | closing | straight)
        steps = opening[at].astype(np.int64) - closing[at].astype(np.int64)
        total = np.cumsum(steps)
        depth = total - np.minimum(np.minimum.accumulate(total), 0) if len(total) else total
        odd = np.cumsum(straight[at]) % 2 == 1
        self.at: list[int] = at.tolist()
        self.inside: list[bool] = ((depth > 0) | odd).tolist()  # the state just after each mark

    def __call__(self, pos: int) -> bool:
        i = bisect_left(self.at, pos) - 1  # the last mark before `pos`
        return i >= 0 and self.inside[i]


def _repeal_at(text: str, pos: int, end: int) -> tuple[int, int, str] | None:
    """(start, end, verb as written) of the provision a "Bãi bỏ …" opening at `pos` repeals, the
    provision running to the end of its line (`end`) at most, without its closing punctuation;
    None when no verb opens there or no provision follows it."""
    for rx in _verbs():
        vm = rx.match(text, pos, end)
        if vm is None:
            continue
        p = vm.end()
        while p < end and text[p] in " \t":
            p += 1
        if not _PROVISION.match(text, p, end):
            return None
        e = min(end, p + MENTION_REACH)
        while e > p and text[e - 1] in " \t.;:,":
            e -= 1
        return (p, e, vm.group(0).strip()) if e > p else None
    return None


def _acts(c: Citation) -> bool:
    return c.relation in ACTING or c.relation_also in ACTING


def find_implicit(text: str, cits: list[Citation], title_span: tuple[int, int] | None = None,
                  can_act: bool = True) -> list[Citation]:
    """The implicit citations of `text` (see the module docstring): one per "Bãi bỏ <provision>"
    item of an amending article, each a copy of its antecedent citation at the provision, with
    relation "repeals"; `cits` are the document's citations with their relations read (the
    antecedents), in text order. Returns them in text order; `cits` is not changed."""
    if not can_act or not cits or not _verbs():
        return []

    acts = [c for c in cits if _acts(c)]
    if not acts:
        return []  # every antecedent is an acting citation: a document that acts on none has none
    cit_starts = [c.start for c in cits]

    def cited_within(a: int, b: int) -> list[Citation]:
        i = bisect_left(cit_starts, a)
        out = []
        while i < len(cits) and cits[i].start < b:
            out.append(cits[i])
            i += 1
        return out

    def line_end(pos: int) -> int:
        e = text.find("\n", pos)
        return len(text) if e == -1 else e

    principal = None  # the document the title amends: the first acting citation of the title
    if title_span is not None:
        principal = next((c for c in cited_within(*title_span) if _acts(c) and c.cited_number), None)
    if principal is None and not any(
            _ARTICLE_AT.match(text, text.rfind("\n", 0, c.start) + 1, c.start) for c in acts):
        return []  # no antecedent: no title that amends, no article heading that cites what it amends
    heads = _article_heads(text)

    quoted: _Quotes | None = None  # (built only when an article has an antecedent)
    out: list[Citation] = []
    for k, h in enumerate(heads):
        h_end = line_end(h.start())
        in_heading = cited_within(h.start(), h_end)
        antecedent = next((c for c in in_heading if _acts(c) and (c.cited_number or c.cited_name)), None)
        if antecedent is None:
            if in_heading or principal is None or not _AMENDING.search(text, h.end(), h_end):
                continue  # a document the heading names is not the one amended, or nothing is amended
            if type_word_re().search(text, h.end(), h_end):
                continue  # the heading names a document no citation was read for: no guess
            antecedent = principal
        if quoted is None:
            quoted = _Quotes(text)
        if quoted(h.start()):
            continue  # "Điều 5. …" of quoted new wording: not an article of this document
        # the article runs to the next heading that is not quoted wording
        nxt = next((g for g in heads[k + 1:] if not quoted(g.start())), None)
        body_end = nxt.start() if nxt is not None else len(text)
        # Form 4: the heading itself repeals ("Điều 5. Bãi bỏ khoản 5 của Điều 12")
        items = {(h.end(), h_end)} if not in_heading else set()
        # the items: a verb that opens a line of the article's body (after its marker), outside
        # quoted wording (the verbs found by their pattern over the body, not tried at every line)
        for rx in _verbs():
            for vm in rx.finditer(text, h_end + 1, body_end):
                v = vm.start()
                ls = text.rfind("\n", 0, v) + 1
                if _MARKER.match(text, ls, v).end() == v and not quoted(ls):
                    items.add((v, line_end(v)))
        for a, e in sorted(items):
            got = _repeal_at(text, a, e)
            if got is None or cited_within(a, e):
                continue  # no repeal, or one that names its document (the relation reader's)
            s, t, verb = got
            out.append(dataclasses.replace(
                antecedent, mention=text[s:t], start=s, end=t, part=" ".join(text[s:t].split()),
                relation="repeals", relation_also=None, relation_cue=verb, short_form=True,
                target_id=None, number_key=None, target_key=None, cited_issuer_canonical=None))
    return out
