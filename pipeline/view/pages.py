"""What each page shows, as plain dicts for the templates: the document page's highlighted text
and page images, the node page, the neighbourhood, the responses of a directive.

Why apart from the routes: these are the view's rules (which spans are drawn, how a citation is
titled, how responses group) and tests call them without a server.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from ..models import PAGE_SEPARATOR
from .data import ViewData
from .highlight import Span, mark_text, page_boxes
from .svg import RELATION_LABELS, layout

HEADER_FIELDS = ("number", "date", "issuer", "signer")
STATUS_LABELS = {"on_time": "on time", "late": "late", "missing": "missing", "not_yet_due": "not yet due",
                 "answered": "answered (no deadline)", "no_answer": "no answer (no deadline)"}


def doc_href(doc_id: str) -> str:
    return f"/doc/{quote(doc_id)}"


def node_href(node_id: str) -> str:
    return "/node?" + urlencode({"id": node_id})


def graph_href(node_id: str, depth: int = 1) -> str:
    return "/graph?" + urlencode({"id": node_id, "depth": depth})


def _cited_label(c: dict) -> str:
    parts = [c.get("target_type") or c.get("cited_type"), c.get("target_number") or c.get("cited_number")
             or c.get("target_name") or c.get("cited_name"), c.get("target_date") or c.get("cited_date"),
             c.get("target_issuer") or c.get("cited_issuer")]
    return " · ".join(str(p) for p in parts if p)


def value_spans(doc: dict, citations: list[dict], tasks: list[dict], entities: list[dict] | None,
                pages: list[dict]) -> list[Span]:
    """Every extracted value of the document as a span to draw (plus the page separators)."""
    spans: list[Span] = []
    values = {"number": doc.get("number"), "date": doc.get("issue_date"), "issuer": doc.get("issuer"),
              "signer": doc.get("signer")}
    for f in HEADER_FIELDS:
        s, e = doc.get(f"{f}_start"), doc.get(f"{f}_end")
        if s is not None and e is not None:
            spans.append(Span(f, s, e, title=f"{f}: {values[f] or ''}", hl=f))
    for i, c in enumerate(citations):
        rel = c.get("relation") or "mentions"
        target = _cited_label(c)
        title = f"{RELATION_LABELS.get(rel, rel)} → {target or 'unresolved'}" + \
            (" (not in the archive)" if c.get("target_kind") == "external" else "")
        spans.append(Span("citation", c["start"], c["end"], classes=f"rel-{rel}",
                          href=node_href(c["target_id"]) if c.get("target_id") else None, title=title,
                          extra={"relation": rel, "target": c.get("target_id")}, hl=f"c{i}"))
    # several tasks often share one sentence ("Giao Sở Y tế chủ trì …, báo cáo … trước ngày …"): one
    # highlight for the sentence, every task of it in the tooltip
    grouped: dict[tuple[int, int], list[dict]] = {}
    for t in tasks:
        grouped.setdefault((t["start"], t["end"]), []).append(t)
    for i, ((start, end), group) in enumerate(sorted(grouped.items(), key=lambda kv: kv[0])):
        lines = []
        for t in group:
            deadline = (t.get("deadline") or "")[:10]
            lines.append(f"task {t.get('task_no') or '?'}: {t.get('assignee') or '?'}"
                         + (f" · deadline {deadline}" if deadline else "")
                         + (f" ({t['deadline_text']})" if t.get("deadline_text") else "")
                         + (f" · with {', '.join(t['coordinators'])}" if t.get("coordinators") else ""))
        assignees = list(dict.fromkeys(t.get("assignee") or "?" for t in group))
        deadlines = list(dict.fromkeys((t.get("deadline") or "")[:10] for t in group if t.get("deadline")))
        spans.append(Span("task", start, end, title="\n".join(lines), hl=f"t{i}",
                          extra={"assignee": "; ".join(assignees), "deadline": "; ".join(deadlines) or None,
                                 "tasks": ",".join(str(t.get("task_no")) for t in group)}))
    for i, e in enumerate(entities or []):
        spans.append(Span("entity", e["start"], e["end"], classes=f"ent-{e.get('label') or ''}",
                          title=f"{e.get('label')}: {e.get('normalized') or e.get('text')}", hl=f"e{i}"))
    for p in pages[1:]:
        s = p.get("start")
        if s is not None and s >= len(PAGE_SEPARATOR):
            spans.append(Span("page-break", s - len(PAGE_SEPARATOR), s, extra={"page": p["page"]}, hl=f"p{p['page']}"))
    return spans


def document_page(vd: ViewData, doc_id: str, show_entities: bool = False) -> dict | None:
    doc = vd.document(doc_id)
    if doc is None:
        return None
    pages = vd.pages(doc_id)
    citations = vd.citations(doc_id)
    tasks = vd.tasks(doc_id)
    entities = vd.entities(doc_id) if show_entities else None
    spans = value_spans(doc, citations, tasks, entities, pages)
    text_html = mark_text(doc["text"], [s for s in spans])
    node = vd.node(doc["node_id"]) if doc.get("node_id") else None
    # page images with the values boxed on them
    images = []
    if any(p.get("mime") for p in pages):
        words = vd.words(doc_id)
        by_page: dict[int, list[dict]] = {}
        for w in words:
            by_page.setdefault(w["page"], []).append(w)
        for p in pages:
            if not p.get("mime") or not p.get("width") or not p.get("height"):
                continue
            boxes = page_boxes(spans, by_page.get(p["page"], []), p["width"], p["height"])
            images.append({"page": p["page"], "width": p["width"], "height": p["height"], "boxes": boxes,
                           "src": f"/page-image/{doc_id}/{p['page']}"})
    # tasks with the responses stored at the last link
    stored = vd.responses_stored(doc["node_id"]) if doc.get("node_id") else []
    by_task: dict[int, list[dict]] = {}
    for r in stored:
        by_task.setdefault(r["task_no"], []).append(r)
    for t in tasks:
        t["responses"] = by_task.get(t.get("task_no"), [])
    citing, citing_total = vd.citing(doc["node_id"]) if doc.get("node_id") else ([], 0)
    others = [f for f in vd.files_of(doc["node_id"]) if f["doc_id"] != doc_id] if doc.get("node_id") else []
    return {"doc": doc, "text_html": text_html, "citations": citations, "tasks": tasks, "node": node,
            "status": vd.status(doc["node_id"]) if doc.get("node_id") else [], "citing": citing,
            "citing_total": citing_total, "images": images, "pages": pages, "other_files": others,
            "responses_as_of": stored[0]["as_of"] if stored else None, "show_entities": show_entities,
            "entities": entities or [], "fields": {f: (doc.get(f"{f}_start"), doc.get(f"{f}_end")) for f in HEADER_FIELDS}}


def node_page(vd: ViewData, node_id: str) -> dict | None:
    node = vd.node(node_id)
    if node is None:
        return None
    citing, total = vd.citing(node_id)
    return {"node": node, "citing": citing, "citing_total": total, "files": vd.files_of(node_id),
            "status": vd.status(node_id)}


def neighbourhood_page(vd: ViewData, node_id: str, depth: int) -> dict | None:
    node = vd.node(node_id)
    if node is None:
        return None
    rows = vd.neighbourhood(node_id, depth)
    ids = sorted({x for r in rows for x in (r["source"], r["target"])} | {node_id})
    labels = vd.labels(ids)

    def href(nid: str, n: dict) -> str:
        import json

        docs = n.get("doc_ids")
        docs = json.loads(docs) if isinstance(docs, str) else docs
        return doc_href(docs[0]) if n.get("kind") == "ingested" and docs and len(docs) == 1 else node_href(nid)

    pic = layout(node_id, rows, labels, href, depth)
    return {"node": node, "picture": pic, "depth": depth, "relation_labels": RELATION_LABELS}


def responses_page(vd: ViewData, doc_id: str, as_of: dt.date) -> dict | None:
    doc = vd.document(doc_id)
    if doc is None or not doc.get("node_id"):
        return None
    rows = vd.responses_as_of(doc["node_id"], as_of)
    assignees: dict[str, dict] = {}
    for r in rows:
        a = assignees.setdefault(r["assignee"], {"assignee": r["assignee"], "rows": [], "counts": {}})
        a["rows"].append(r)
        a["counts"][r["status"]] = a["counts"].get(r["status"], 0) + 1
    statuses = [s for s in STATUS_LABELS if any(s in a["counts"] for a in assignees.values())]
    totals = {s: sum(a["counts"].get(s, 0) for a in assignees.values()) for s in statuses}
    return {"doc": doc, "rows": rows, "assignees": list(assignees.values()), "statuses": statuses,
            "totals": totals, "as_of": as_of, "status_labels": STATUS_LABELS}


__all__ = ["document_page", "node_page", "neighbourhood_page", "responses_page", "value_spans",
           "doc_href", "node_href", "graph_href"]
