"""Every extracted value drawn on its evidence: marks over the text, boxes over the page image.

Why here and not in a template: values overlap (a citation inside a task's sentence, an issuer that
is also an entity), and HTML elements must nest. `mark_text` walks the boundaries of every span and
closes and re-opens an element where two spans cross, so each value may be drawn in several
pieces; every piece carries the value's `data-hl` id, `data-field`, `data-start` and `data-end`,
and the text of its pieces joined is exactly text[start:end] (the tests check this against the
dataset). Everything is escaped here: the result is `Markup` only because each piece of text and
each attribute went through `markupsafe.escape`.

`page_boxes` maps the same values onto an OCR'd page: the words (fractions of the page image, with
their offsets in the document text) whose [start, end) overlaps a value's span, merged per line
into one rectangle.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

# outer first when two spans start together and are as long: a task holds citations, a citation
# holds the cited issuer's entity
_RANK = {"page-break": 0, "task": 1, "citation": 2, "number": 3, "date": 3, "issuer": 3, "signer": 3, "entity": 4}


@dataclass
class Span:
    field: str  # number, date, issuer, signer, citation, task, entity, page-break
    start: int
    end: int
    classes: str = ""
    href: str | None = None
    title: str | None = None
    extra: dict = field(default_factory=dict)  # more data-* attributes
    hl: str = ""  # id shared by the pieces of one value


def _open(s: Span, piece: int, link_open: bool) -> tuple[str, bool]:
    """The opening tag of one piece; an <a> only when no other link is open (links cannot nest)."""
    is_link = bool(s.href) and not link_open
    tag = "a" if is_link else "span"
    cls = f"hl f-{s.field} {s.classes}".strip() + (" cont" if piece else "")
    if s.field == "page-break":  # the separator between two pages: marked, not a value
        attrs = [("class", "sep")]
    else:
        attrs = [("class", cls), ("data-hl", s.hl), ("data-field", s.field), ("data-start", s.start),
                 ("data-end", s.end)]
    if piece:
        attrs.append(("data-piece", piece))
    if is_link:
        attrs.append(("href", s.href))
    if s.title:
        attrs.append(("title", s.title))
    attrs += [(f"data-{k}", v) for k, v in s.extra.items() if v is not None]
    return f"<{tag} " + " ".join(f'{k}="{escape(str(v))}"' for k, v in attrs) + ">", is_link


def mark_text(text: str, spans: list[Span]) -> Markup:
    """The text as HTML with every span an element (split where spans cross)."""
    n = len(text)
    spans = [s for s in spans if s.start is not None and s.end is not None and 0 <= s.start < s.end <= n]
    for i, s in enumerate(spans):
        s.hl = s.hl or f"hl{i}"
    order = sorted(spans, key=lambda s: (s.start, -s.end, _RANK.get(s.field, 5)))
    cuts = sorted({0, n} | {s.start for s in spans} | {s.end for s in spans})
    starts: dict[int, list[Span]] = {}
    for s in order:
        starts.setdefault(s.start, []).append(s)
    out: list[str] = []
    stack: list[tuple[Span, str, bool]] = []  # (span, closing tag, is link)
    pieces: dict[str, int] = {}
    prev = 0
    for p in cuts:
        if p > prev:
            out.append(str(escape(text[prev:p])))
            prev = p
        # close what ends here; spans opened inside one that ends are closed and re-opened
        if any(s.end == p for s, _, _ in stack):
            reopen = []
            while stack and any(s.end == p for s, _, _ in stack):
                s, close, _ = stack.pop()
                out.append(close)
                if s.end > p:
                    reopen.append(s)
            for s in reversed(reopen):
                _push(out, stack, pieces, s)
        for s in starts.get(p, []):
            _push(out, stack, pieces, s)
    while stack:
        out.append(stack.pop()[1])
    return Markup("".join(out))


def _push(out: list[str], stack: list, pieces: dict[str, int], s: Span) -> None:
    piece = pieces.get(s.hl, -1) + 1
    pieces[s.hl] = piece
    tag, is_link = _open(s, piece, any(link for _, _, link in stack))
    out.append(tag)
    stack.append((s, "</a>" if is_link else "</span>", is_link))


@dataclass
class Box:
    span: Span
    x: float  # pixels of the page image
    y: float
    w: float
    h: float
    words: str  # the words boxed, for the tooltip


def page_boxes(spans: list[Span], words: list[dict], width: int, height: int) -> list[Box]:
    """Rectangles over one page image for every value whose span overlaps words of that page:
    consecutive words of one line (overlapping vertically) are merged into one rectangle."""
    words = sorted((w for w in words if w.get("start") is not None and w.get("end") is not None),
                   key=lambda w: (w["start"], w["end"]))
    out: list[Box] = []
    if not words:
        return out
    import bisect

    starts = [w["start"] for w in words]
    for s in spans:
        if s.field == "page-break":
            continue
        # words are short: any word overlapping [s.start, s.end) starts after s.start - 200
        i = bisect.bisect_left(starts, s.start - 200)
        hit = [w for w in words[i:bisect.bisect_left(starts, s.end)] if w["start"] < s.end and w["end"] > s.start]
        line: list[dict] = []
        for w in hit + [None]:
            if line and (w is None or not _same_line(line[-1], w)):
                x0, y0 = min(v["x0"] for v in line), min(v["y0"] for v in line)
                x1, y1 = max(v["x1"] for v in line), max(v["y1"] for v in line)
                out.append(Box(s, round(x0 * width, 1), round(y0 * height, 1), round((x1 - x0) * width, 1),
                               round((y1 - y0) * height, 1), " ".join(str(v.get("text") or "") for v in line)))
                line = []
            if w is not None:
                line.append(w)
    return out


def _same_line(a: dict, b: dict) -> bool:
    overlap = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
    return overlap > 0.5 * min(a["y1"] - a["y0"], b["y1"] - b["y0"]) and b["x0"] >= a["x0"] - 0.01


__all__ = ["Span", "Box", "mark_text", "page_boxes"]
