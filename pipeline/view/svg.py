"""The citation neighbourhood of one document as a server-drawn SVG picture.

Why SVG drawn here: the view ships no JavaScript (the Content-Security-Policy forbids all script),
and a picture of a few dozen nodes needs no layout engine. The layout is radial: the document in
the centre, what it cites and what cites it (depth 1) on a ring, their own neighbours (depth 2) on
an outer ring next to the node that reached them. Every node is an SVG `<a>` to its page; every
edge runs from the citing to the cited document, coloured by relation (legend beside the picture).

A hub (a decree cited by thousands) would make an unreadable hairball, so each ring is capped
(`MAX_RING1`, `MAX_RING2`) keeping the nodes with most mentions first; the page says how many
were left out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

RELATION_COLOURS = {
    "basis": "#1f5fbf", "implements": "#2a9d3a", "proposal": "#8e44ad", "report": "#138d90",
    "amends": "#e67e22", "replaces": "#c0392b", "repeals": "#7b3f00", "attached": "#6c757d",
    "mentions": "#a0a020",
}
RELATION_LABELS = {
    "basis": "căn cứ (basis)", "implements": "thực hiện (implements)", "proposal": "đề nghị (proposal)",
    "report": "báo cáo (report)", "amends": "sửa đổi (amends)", "replaces": "thay thế (replaces)",
    "repeals": "bãi bỏ (repeals)", "attached": "kèm theo (attached)", "mentions": "nhắc đến (mentions)",
}
MAX_RING1 = 36
MAX_RING2 = 60


def colour(relation: str | None) -> str:
    return RELATION_COLOURS.get(relation or "", "#999999")


@dataclass
class Placed:
    node_id: str
    x: float
    y: float
    ring: int
    label: str
    title: str
    href: str
    kind: str


@dataclass
class Picture:
    svg: Markup
    nodes: int
    edges: int
    left_out: int
    relations: list[str]


def layout(centre: str, rows: list[dict], labels: dict[str, dict], href, depth: int) -> Picture:
    """`rows` from `Graph.trace(centre, depth, direction="both")`; `labels` node id → node fields;
    `href(node)` → the link of a node."""
    ring1: dict[str, int] = {}
    ring2: dict[str, tuple[str, int]] = {}  # node → (parent on ring 1, weight)
    for r in rows:
        a, b = r["source"], r["target"]
        if r["depth"] == 1:
            other = b if a == centre else a
            if other != centre:
                ring1[other] = ring1.get(other, 0) + (r.get("mentions") or 1)
    for r in rows:
        if r["depth"] != 2:
            continue
        a, b = r["source"], r["target"]
        parent, other = (a, b) if a in ring1 else (b, a)
        if parent in ring1 and other not in ring1 and other != centre:
            w = ring2.get(other, (parent, 0))[1] + (r.get("mentions") or 1)
            ring2[other] = (ring2.get(other, (parent, 0))[0], w)
    all_nodes = 1 + len(ring1) + len(ring2)
    keep1 = sorted(ring1, key=lambda n: (-ring1[n], n))[:MAX_RING1]
    keep1_set = set(keep1)
    keep2 = sorted((n for n in ring2 if ring2[n][0] in keep1_set), key=lambda n: (-ring2[n][1], n))[:MAX_RING2 if depth > 1 else 0]
    # ring 1 ordered by relation to the centre, so colours group together
    rel_of = {}
    for r in rows:
        if r["depth"] == 1:
            rel_of.setdefault(r["target"] if r["source"] == centre else r["source"],
                              ("0" if r["source"] == centre else "1") + (r["relation"] or ""))
    keep1.sort(key=lambda n: (rel_of.get(n, ""), _label(labels.get(n), n)))
    size = 980 if keep2 else 760
    pad = 190  # room for the labels left and right of the outer ring
    width = size + 2 * pad
    cx, cy = width / 2, size / 2
    r1 = size * (0.25 if keep2 else 0.34)
    r2 = size * 0.43
    placed: dict[str, Placed] = {centre: _place(centre, cx, cy, 0, labels, href)}
    angle: dict[str, float] = {}
    for i, n in enumerate(keep1):
        a = 2 * math.pi * i / max(1, len(keep1)) - math.pi / 2
        angle[n] = a
        placed[n] = _place(n, cx + r1 * math.cos(a), cy + r1 * math.sin(a), 1, labels, href)
    by_parent: dict[str, list[str]] = {}
    for n in keep2:
        by_parent.setdefault(ring2[n][0], []).append(n)
    # ring 2: children spread around their parent's angle, in the parent order, without overlaps
    order2 = [n for p in keep1 for n in by_parent.get(p, [])]
    for i, n in enumerate(order2):
        a = 2 * math.pi * i / max(1, len(order2)) - math.pi / 2
        pa = angle[ring2[n][0]]
        # pull towards the parent when there are few children
        if len(order2) < len(keep1) * 2:
            a = pa + (by_parent[ring2[n][0]].index(n) - (len(by_parent[ring2[n][0]]) - 1) / 2) * 0.12
        placed[n] = _place(n, cx + r2 * math.cos(a), cy + r2 * math.sin(a), 2, labels, href)
    edges: dict[tuple[str, str], str] = {}
    for r in rows:
        if r["source"] in placed and r["target"] in placed and r["source"] != r["target"]:
            edges.setdefault((r["source"], r["target"]), r["relation"] or "mentions")
    rels = sorted(set(edges.values()), key=lambda x: list(RELATION_COLOURS).index(x) if x in RELATION_COLOURS else 99)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 {width:.0f} {size:.0f}" '
           f'width="{width:.0f}" height="{size:.0f}" role="img" aria-label="citation neighbourhood">', "<defs>"]
    for rel in rels:
        out.append(f'<marker id="arrow-{escape(rel)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour(rel)}"/></marker>')
    out.append("</defs><g class=\"edges\">")
    for (a, b), rel in edges.items():
        pa, pb = placed[a], placed[b]
        dx, dy = pb.x - pa.x, pb.y - pa.y
        d = math.hypot(dx, dy) or 1
        ra, rb = _radius(pa), _radius(pb) + 2
        x1, y1 = pa.x + dx / d * ra, pa.y + dy / d * ra
        x2, y2 = pb.x - dx / d * rb, pb.y - dy / d * rb
        out.append(f'<line class="edge rel-{escape(rel)}" data-source="{escape(a)}" data-target="{escape(b)}" '
                   f'data-relation="{escape(rel)}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="{colour(rel)}" stroke-width="{2 if centre in (a, b) else 1.2}" '
                   f'marker-end="url(#arrow-{escape(rel)})"><title>{escape(_label(labels.get(a), a))} → '
                   f'{escape(RELATION_LABELS.get(rel, rel))} → {escape(_label(labels.get(b), b))}</title></line>')
    out.append('</g><g class="nodes">')
    for p in sorted(placed.values(), key=lambda p: -p.ring):
        r = _radius(p)
        anchor = "middle" if p.ring == 0 else ("start" if p.x >= cx else "end")
        tx = p.x if p.ring == 0 else p.x + (r + 4 if p.x >= cx else -r - 4)
        ty = p.y + (r + 15 if p.ring == 0 else 4)
        out.append(f'<a class="node ring{p.ring} kind-{escape(p.kind)}" href="{escape(p.href)}" '
                   f'data-node="{escape(p.node_id)}"><title>{escape(p.title)}</title>'
                   f'<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="{r}"/>'
                   f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}">{escape(p.label)}</text></a>')
    out.append("</g></svg>")
    return Picture(Markup("".join(out)), len(placed), len(edges), all_nodes - len(placed), rels)


def _radius(p: Placed) -> int:
    return 14 if p.ring == 0 else 8 if p.ring == 1 else 6


def _label(n: dict | None, node_id: str) -> str:
    if not n:
        return node_id.split("|")[0].removeprefix("vb:").removeprefix("law:")
    text = n.get("number") or n.get("name") or node_id.split("|")[0]
    if n.get("number") and n.get("doc_type"):
        text = f"{_abbr(n['doc_type'])} {text}"
    return text if len(text) <= 34 else text[:33] + "…"


def _abbr(doc_type: str) -> str:
    return "".join(w[0] for w in doc_type.split()).upper() if " " in doc_type else doc_type


def _place(node_id: str, x: float, y: float, ring: int, labels: dict[str, dict], href) -> Placed:
    n = labels.get(node_id) or {}
    title = " · ".join(str(v) for v in (n.get("doc_type"), n.get("number") or n.get("name"), n.get("issue_date"),
                                          n.get("issuer"), "external" if n.get("kind") == "external" else None,
                                          n.get("status")) if v) or node_id
    return Placed(node_id, x, y, ring, _label(n, node_id), title, href(node_id, n), n.get("kind") or "external")


__all__ = ["layout", "Picture", "RELATION_COLOURS", "RELATION_LABELS", "colour"]
