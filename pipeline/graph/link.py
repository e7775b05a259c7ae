"""Per corpus: documents + citations → graph nodes and edges (derived tables, rebuilt each run).

Identity (DESIGN.md): number + issuer + date, never the number alone — "92/KH-UBND" is issued every
year by every province. A normative number (N/YYYY/SYMBOL) is unique in the country, so it alone
identifies. A citation resolves to an ingested document when its key matches exactly, or when the
number and year match exactly one ingested document whose issuer agrees with what the citation
says (a missing cited issuer or date does not block the match, a conflicting one does).
"""
from __future__ import annotations

from collections import Counter, defaultdict

import pyarrow as pa
import regex

from ..text.clean import fold
from .store import SCHEMAS, Dataset


def document_key(number: str | None, issue_date, issue_year, issuer: str | None, doc_id: str) -> str:
    if number and regex.search(r"/\d{4}/", number):
        return "vb:" + number.upper()
    if number:
        when = issue_date.isoformat() if issue_date else (str(issue_year) if issue_year else "")
        return "vb:" + "|".join([number.upper(), when, fold(issuer)])
    return "doc:" + doc_id  # an unnumbered draft is only itself


def _issuer_agrees(cited: str | None, own: str | None) -> bool:
    if not cited or not own:
        return True
    a, b = fold(cited), fold(own)
    return a == b or a in b or b in a


def build_graph(ds: Dataset) -> tuple[int, int]:
    docs = ds.read("documents").to_pylist()
    cits = ds.read("citations").to_pylist()
    nodes: dict[str, dict] = {}
    by_number: dict[str, list[dict]] = defaultdict(list)
    doc_node: dict[str, str] = {}
    for d in docs:
        key = document_key(d["number"], d["issue_date"], d["issue_year"], d["issuer"], d["doc_id"])
        if key in nodes:  # two files of one document (draft and signed copy): keep the first
            doc_node[d["doc_id"]] = key
            continue
        nodes[key] = {"node_id": key, "kind": "ingested", "doc_type": d["doc_type"], "number": d["number"],
                      "issue_date": d["issue_date"], "issuer": d["issuer"], "doc_id": d["doc_id"]}
        doc_node[d["doc_id"]] = key
        if d["number"]:
            by_number[fold(d["number"])].append(nodes[key] | {"issue_year": d["issue_year"]})
    edges: Counter = Counter()
    for c in cits:
        target = c["target_id"]
        if not target:
            continue
        if target not in nodes and c["cited_number"]:
            cands = [n for n in by_number.get(fold(c["cited_number"]), [])
                     if (c["cited_year"] is None or n["issue_year"] is None or c["cited_year"] == n["issue_year"])
                     and (c["cited_date"] is None or n["issue_date"] is None or c["cited_date"] == n["issue_date"])
                     and _issuer_agrees(c["cited_issuer"], n["issuer"])]
            if len(cands) == 1:
                target = cands[0]["node_id"]
        if target not in nodes:
            nodes[target] = {"node_id": target, "kind": "external", "doc_type": c["cited_type"],
                             "number": c["cited_number"] or c["cited_name"], "issue_date": c["cited_date"],
                             "issuer": c["cited_issuer"], "doc_id": None}
        source = doc_node.get(c["doc_id"])
        if source and source != target:
            edges[(source, target, c["relation"])] += 1
            if c.get("relation_also"):
                edges[(source, target, c["relation_also"])] += 1
    node_rows = list(nodes.values())
    edge_rows = [{"source": s, "target": t, "relation": r, "mentions": n} for (s, t, r), n in sorted(edges.items())]
    ds.replace_table("nodes", pa.Table.from_pylist(node_rows, schema=SCHEMAS["nodes"]))
    ds.replace_table("edges", pa.Table.from_pylist(edge_rows, schema=SCHEMAS["edges"]))
    return len(node_rows), len(edge_rows)
