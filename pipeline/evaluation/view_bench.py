"""The auditor's view at scale: search and document pages on the 100,000-document synthetic archive.

Target: the median answer of a search (by number, by full text, by issuer + date range) and of a
document page under 300 ms. The archive is the graph benchmark's (`evaluation.synth.make_archive`,
then a full link), built under `work_dir` once and reused while its parameters are unchanged; the
view's SQLite index is built (timed) when it does not match the archive's snapshot.

Requests go through the whole application (routing, security middleware, SQLite / DuckDB queries,
templates) with Starlette's test client, one at a time on a warm app, so the figures are the
server's own time without the network. Queries are drawn from the archive itself (seeded):
  number      a document's number as written ("153/BC-SNV"), resolved by `Graph.resolve`
  full text   two consecutive words of a document's subject, accents and case as typed
  issuer+date a document's issuer words with its province, and a one-year range around its date
  document    a random document's page; plus the page of the most cited document, reported apart
  neighbourhood  the SVG picture at depth 2 of 20 of those documents (no target; reported)
"""
from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

TARGET_MS = 300.0


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def ensure_archive(root: Path, n_docs: int, n_citations: int, seed: int = 0) -> dict:
    """The synthetic archive at `root`, linked; built only when missing or made with other parameters."""
    from ..graph.link import link
    from .synth import SYNTH_DIR, make_archive

    state = root / SYNTH_DIR / "state.json"
    want = {"n_docs": n_docs, "n_citations": n_citations}
    if state.exists() and (root / "nodes").is_dir():
        s = json.loads(state.read_text())
        if all(s.get(k) == v for k, v in want.items()):
            return {"reused": True}
    import shutil

    if root.exists():
        shutil.rmtree(root)
    t = time.perf_counter()
    info = make_archive(root, n_docs=n_docs, n_citations=n_citations, seed=seed)
    built = time.perf_counter() - t
    t = time.perf_counter()
    link(root, full=True)
    return {"reused": False, "build_seconds": round(built, 1), "link_seconds": round(time.perf_counter() - t, 1),
            "documents": info["documents"], "citations": info["citations"]}


def _queries(index: Path, n: int, seed: int) -> dict[str, list]:
    import sqlite3

    rng = random.Random(seed)
    con = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    total = con.execute("SELECT max(rowid) FROM docs").fetchone()[0]
    rows = []
    while len(rows) < n:
        r = con.execute("SELECT doc_id, number, issue_date, issuer, issuer_canonical, subject, node_id FROM docs "
                        "WHERE rowid = ?",
                        [rng.randint(1, total)]).fetchone()
        if r and r[1] and r[2] and r[3] and r[5]:
            rows.append(r)
    top = con.execute("SELECT node_id FROM nodes WHERE kind = 'ingested' ORDER BY cited_by DESC LIMIT 1").fetchone()
    hot = con.execute("SELECT doc_id FROM docs WHERE node_id = ? LIMIT 1", [top[0]]).fetchone() if top else None
    con.close()
    out: dict[str, list] = {"number": [], "fulltext": [], "issuer_date": [], "document": [], "hot": [], "graph": []}
    import datetime as dt

    for doc_id, number, date, issuer, canonical, subject, node_id in rows:
        out["number"].append({"number": number})
        words = [w for w in subject.split() if len(w) > 2 and w.lower() not in {"về", "việc", "năm"}]
        i = rng.randrange(max(1, len(words) - 1))
        out["fulltext"].append({"text": " ".join(words[i:i + 2])})
        d = dt.date.fromisoformat(date)
        province = (canonical or "").split(" tỉnh ")[-1].split(" thành phố ")[-1] if canonical else ""
        out["issuer_date"].append({"issuer": f"{issuer} {province}".strip(),
                                   "from": (d - dt.timedelta(days=180)).isoformat(),
                                   "to": (d + dt.timedelta(days=185)).isoformat()})
        out["document"].append(doc_id)
        out["graph"].append(node_id)
    if hot:
        out["hot"] = [hot[0]] * 5
    return out


def run_view_bench(work_dir="build/view-bench", n_docs: int = 100_000, n_citations: int = 1_000_000,
                   requests: int = 60, report=None, seed: int = 0) -> str:
    """Build or reuse the archive and its index, time the pages; return a printable table (and write
    the JSON report to `report` when given)."""
    from starlette.testclient import TestClient

    from ..view import build_index, create_app
    from ..view.index import index_path

    root = Path(work_dir) / "archive"
    res: dict = {"n_docs": n_docs, "n_citations": n_citations, "requests": requests, "seed": seed,
                 "target_ms": TARGET_MS}
    res["archive"] = ensure_archive(root, n_docs, n_citations, seed)
    st = build_index(root)
    res["index"] = {"rebuilt": st.rebuilt, "seconds": round(st.seconds, 1), "documents": st.documents,
                    "citations": st.citations, "mb": round(index_path(root).stat().st_size / 2**20, 1)}
    t = time.perf_counter()
    app = create_app(root)
    res["open_ms"] = round((time.perf_counter() - t) * 1000, 1)
    client = TestClient(app)
    qs = _queries(index_path(root), requests, seed)
    kinds = {
        "search_number": [("/", q) for q in qs["number"]],
        "search_fulltext": [("/", q) for q in qs["fulltext"]],
        "search_issuer_date": [("/", q) for q in qs["issuer_date"]],
        "document": [(f"/doc/{d}", None) for d in qs["document"]],
        "document_most_cited": [(f"/doc/{d}", None) for d in qs["hot"]],
        "neighbourhood_depth2": [("/graph", {"id": n, "depth": 2}) for n in qs["graph"][:20]],
    }
    for name, reqs in kinds.items():
        if not reqs:
            continue
        path, params = reqs[0]
        t = time.perf_counter()
        client.get(path, params=params)  # cold: first of its kind
        cold = (time.perf_counter() - t) * 1000
        times, hits = [], []
        for path, params in reqs:
            t = time.perf_counter()
            r = client.get(path, params=params)
            times.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"{path} {params}: HTTP {r.status_code}")
            hits.append(r.text.count('class="doc-link"') if path == "/" else 1)
        res[name] = {"median_ms": round(statistics.median(times), 1), "p95_ms": round(_pct(times, 0.95), 1),
                     "max_ms": round(max(times), 1), "cold_ms": round(cold, 1), "n": len(times),
                     "results_median": statistics.median(hits), "zero_results": sum(1 for h in hits if not h)}
    app.app.state.view.close()
    text = format_report(res)
    if report:
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        Path(report).write_text(json.dumps(res, ensure_ascii=False, indent=1))
    return text


def format_report(res: dict) -> str:
    a, ix = res["archive"], res["index"]
    lines = [f"view bench: {res['n_docs']:,} documents, {res['n_citations']:,} citations "
             f"({'archive reused' if a.get('reused') else 'archive built %.0f s + linked %.0f s' % (a['build_seconds'], a['link_seconds'])}); "
             f"index {ix['mb']} MB, {'built in %.1f s' % ix['seconds'] if ix['rebuilt'] else 'current (kept)'}; "
             f"app opened in {res['open_ms']:.0f} ms",
             f"  {'page':<24}{'median':>9}{'p95':>9}{'max':>9}{'cold':>9}   target median < {res['target_ms']:.0f} ms"]
    for name, label in (("search_number", "search: number"), ("search_fulltext", "search: full text"),
                        ("search_issuer_date", "search: issuer + dates"), ("document", "document page"),
                        ("document_most_cited", "most cited document"), ("neighbourhood_depth2", "neighbourhood, depth 2")):
        s = res.get(name)
        if not s:
            continue
        ok = ("ok" if s["median_ms"] < res["target_ms"] else "MISSED") if name != "neighbourhood_depth2" else "  "
        extra = f"  ({s['n']} requests, median {s['results_median']:g} results, {s['zero_results']} with none)" \
            if name.startswith("search") else f"  ({s['n']} requests)"
        lines.append(f"  {label:<24}{s['median_ms']:9.1f}{s['p95_ms']:9.1f}{s['max_ms']:9.1f}{s['cold_ms']:9.1f} ms {ok}{extra}")
    return "\n".join(lines)


__all__ = ["run_view_bench", "format_report", "ensure_archive", "TARGET_MS"]
