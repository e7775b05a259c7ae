"""The graph at scale: build a synthetic archive, link it, link a later batch, query it.

Figures (each beside its target):
  build            seconds to generate and write the archive (`evaluation.synth.make_archive`)
  full link        wall time and peak memory of `graph.link.link(root, full=True)`, in a fresh process
  incremental link wall time and peak memory of `link(root)` after `synth.add_documents` (target < 1 GB)
  queries          median / p95 over random node keys of `Graph.cites`, `Graph.cited_by` (< 200 ms)
                   and `Graph.trace(depth=3)` (< 1 s), on one warm connection; and the cold first call
  quality          citations resolved to the node they were generated to cite, by variant (the
                   generator's ground truth), and nodes that merge documents of several issuers

Peak memory is the link process's own high-water resident set (VmHWM of /proc/self/status in a fresh
interpreter), so the figure includes Python, pyarrow and DuckDB. Not `ru_maxrss`: on Linux it
survives execve, so a child's figure would start at the size of the benchmark process that forked it.
The child also times every SQL statement of the linker and reads its resident set after each, so
the report names the step that dominated time and the one that set the peak.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from .synth import add_documents, make_archive, truth_table

TARGETS = {"cites_ms": 200.0, "cited_by_ms": 200.0, "trace_ms": 1000.0, "incremental_peak_mb": 1024.0}
REPO = Path(__file__).resolve().parent.parent.parent

# Runs in a fresh interpreter: link with every SQL statement timed (and the resident set read after
# it); prints one JSON line.
_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from dataclasses import asdict
    root, full, memory_limit, threads = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4]
    threads = int(threads) if threads != "0" else None

    def status():
        out = {}
        try:
            for line in open("/proc/self/status"):
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0])
        except OSError:
            pass
        return out

    from pipeline.graph import link as L
    steps = []

    class Timed:
        def __init__(self, con):
            self._con = con
        def execute(self, sql, *a, **k):
            t = time.perf_counter()
            r = self._con.execute(sql, *a, **k)
            st = status()
            steps.append({"sql": " ".join(sql.split())[:160], "seconds": time.perf_counter() - t,
                          "rss_mb": st.get("VmRSS", 0) / 1024, "hwm_mb": st.get("VmHWM", 0) / 1024})
            return r
        def __getattr__(self, name):
            return getattr(self._con, name)

    orig_init = L.Linker.__init__
    def init(self, *a, **k):
        orig_init(self, *a, **k)
        self.con = Timed(self.con)
    L.Linker.__init__ = init
    imports_kb = status().get("VmHWM", 0)
    t = time.perf_counter()
    s = L.link(root, full=full, memory_limit=memory_limit, threads=threads)
    seconds = time.perf_counter() - t
    # VmHWM, not ru_maxrss: on Linux ru_maxrss survives execve, so a child's figure starts at the size
    # of the parent that forked it
    print("@@" + json.dumps({"stats": asdict(s), "seconds": seconds, "imports_kb": imports_kb,
                             "peak_kb": status().get("VmHWM", 0),
                             "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "steps": steps}))
""")


def _link_in_child(root: Path, full: bool, memory_limit: str, threads: int | None) -> dict:
    t = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-c", _CHILD, str(root), "1" if full else "0", memory_limit,
                        str(threads or 0)], capture_output=True, text=True, cwd=REPO, env=env)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"link failed (exit {p.returncode}):\n{p.stderr[-4000:]}")
    line = next(x for x in p.stdout.splitlines() if x.startswith("@@"))
    out = json.loads(line[2:])
    out["wall_seconds"] = wall
    out["peak_mb"] = out["peak_kb"] / 1024
    out["imports_mb"] = out["imports_kb"] / 1024
    steps = out.pop("steps")
    out["top_steps"] = sorted(steps, key=lambda s: -s["seconds"])[:8]
    peak_step = max(steps, key=lambda s: s["hwm_mb"], default=None)
    # the step after which the high-water mark first reached its final value set the peak
    if peak_step:
        first = next(s for s in steps if s["hwm_mb"] >= peak_step["hwm_mb"])
        out["peak_step"] = first
    out["sql_seconds"] = sum(s["seconds"] for s in steps)
    return out


def _count(root: Path, table: str) -> int:
    import duckdb

    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_parquet('{root / table / '*.parquet'}')").fetchone()[0]
    con.close()
    return n


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _sample_keys(root: Path, n: int, seed: int) -> list[str]:
    import duckdb

    con = duckdb.connect()
    keys = [r[0] for r in con.execute(
        f"SELECT node_id FROM read_parquet('{root / 'nodes' / '*.parquet'}') ORDER BY node_id").fetchall()]
    con.close()
    rng = random.Random(seed)
    return rng.sample(keys, min(n, len(keys)))


def _top_cited(root: Path, n: int) -> list[str]:
    import duckdb

    con = duckdb.connect()
    rows = con.execute(f"SELECT node_id FROM read_parquet('{root / 'nodes' / '*.parquet'}') "
                       f"ORDER BY cited_by DESC, node_id LIMIT {int(n)}").fetchall()
    con.close()
    return [r[0] for r in rows]


class _RawGraph:
    """The three questions as bare DuckDB queries over `edges` (no node lookup, no joins): the floor
    that `Graph` adds its key resolution and joins to."""

    def __init__(self, root: Path):
        import duckdb

        self.con = duckdb.connect()
        self.con.execute(f"CREATE VIEW edges AS SELECT * FROM read_parquet('{root / 'edges' / '*.parquet'}')")

    def cites(self, key: str) -> list:
        return self.con.execute("SELECT * FROM edges WHERE source = ?", [key]).fetchall()

    def cited_by(self, key: str) -> list:
        return self.con.execute("SELECT * FROM edges WHERE target = ?", [key]).fetchall()

    def trace(self, key: str, depth: int = 3, direction: str = "out") -> list:
        col, other = ("source", "target") if direction == "out" else ("target", "source")
        seen, frontier, out = {key}, [key], []
        for _ in range(depth):
            if not frontier:
                break
            rows = self.con.execute(f"SELECT source, target, relation FROM edges WHERE list_contains(?, {col})",
                                    [frontier]).fetchall()
            out.extend(rows)
            nxt = []
            for r in rows:
                nid = r[1] if direction == "out" else r[0]
                if nid not in seen:
                    seen.add(nid)
                    nxt.append(nid)
            frontier = nxt
        return out

    def close(self) -> None:
        self.con.close()


def _open_graph(root: Path):
    """`graph.query.Graph` when it exists; else the bare queries."""
    try:
        from ..graph.query import Graph
    except ImportError:  # pragma: no cover - before graph/query.py existed
        return _RawGraph(root), "raw"
    return Graph(root), "Graph"


def _time_queries(root: Path, keys: list[str], hot: list[str], impl: str = "graph") -> dict:
    def opener():
        if impl == "raw":
            return _RawGraph(root), "raw"
        return _open_graph(root)

    ops = {"cites": lambda g, k: g.cites(k), "cited_by": lambda g, k: g.cited_by(k),
           "trace": lambda g, k: g.trace(k, depth=3, direction="out")}
    out: dict = {}
    # cold: the first call of each question on a freshly opened graph
    for name, fn in ops.items():
        t = time.perf_counter()
        g, kind = opener()
        opened = time.perf_counter() - t
        t = time.perf_counter()
        fn(g, keys[0])
        out[f"{name}_cold_ms"] = (time.perf_counter() - t) * 1000
        out[f"{name}_open_ms"] = opened * 1000
        g.close()
    g, kind = opener()
    out["implementation"] = kind
    try:
        for name, fn in ops.items():
            fn(g, keys[0])  # warm
            times, rows = [], []
            for k in keys:
                t = time.perf_counter()
                r = fn(g, k)
                times.append((time.perf_counter() - t) * 1000)
                rows.append(len(r))
            out[name] = {"median_ms": statistics.median(times), "p95_ms": _pct(times, 0.95),
                         "max_ms": max(times), "rows_median": statistics.median(rows), "rows_max": max(rows)}
            ht = []
            for k in hot:
                t = time.perf_counter()
                r = fn(g, k)
                ht.append(((time.perf_counter() - t) * 1000, len(r)))
            out[name]["most_cited_ms"] = max(x[0] for x in ht) if ht else None
            out[name]["most_cited_rows"] = max(x[1] for x in ht) if ht else None
    finally:
        g.close()
    return out


def _quality(root: Path) -> dict:
    """Ground truth against the linker: share of citations whose target is the node generated."""
    import duckdb

    con = duckdb.connect()
    rows = con.execute(f"""
        SELECT t.variant, t.ingested, count(*) AS n,
               avg((c.target_id = t.true_target)::INT) AS ok,
               count(*) FILTER (WHERE c.resolution = 'ambiguous') AS ambiguous
        FROM read_parquet('{truth_table(root)}') t
        JOIN read_parquet('{root / 'citations' / '*.parquet'}') c USING (doc_id, start)
        WHERE NOT t.law GROUP BY ALL ORDER BY ALL""").fetchall()
    by = {f"{v}{'' if ing else ' (external)'}": {"citations": n, "correct": round(ok, 4), "ambiguous": a}
          for v, ing, n, ok, a in rows}
    merged = con.execute(f"""
        SELECT count(*), coalesce(sum(n), 0), coalesce(max(n), 0) FROM (
          SELECT node_id, count(DISTINCT issuer_canonical) AS n
          FROM read_parquet('{root / 'documents' / '*.parquet'}') GROUP BY node_id HAVING n > 1)""").fetchone()
    con.close()
    return {"by_variant": by, "nodes_merging_issuers": merged[0], "documents_in_them": merged[1],
            "max_issuers_in_one_node": merged[2]}


def run_graph_bench(work_dir, n_docs: int = 100_000, n_citations: int = 1_000_000, report=None, *,
                    seed: int = 0, queries: int = 50, new_docs: int = 1000, memory_limit: str = "512MB",
                    threads: int | None = None, keep: bool = True) -> str:
    """Build, link, extend, re-link and query a synthetic archive under `work_dir`; return a
    printable table (and write the JSON report to `report` when given)."""
    work = Path(work_dir)
    root = work / "archive"
    if root.exists():
        shutil.rmtree(root)
    work.mkdir(parents=True, exist_ok=True)
    res: dict = {"n_docs": n_docs, "n_citations": n_citations, "seed": seed, "memory_limit": memory_limit,
                 "threads": threads, "cpus": os.cpu_count(), "targets": TARGETS}
    res["build"] = make_archive(root, n_docs=n_docs, n_citations=n_citations, seed=seed)
    res["full_link"] = _link_in_child(root, True, memory_limit, threads)
    res["quality"] = _quality(root)
    add = add_documents(root, n=new_docs, seed=seed + 1)
    res["add_documents"] = {k: v for k, v in add.items() if not k.endswith("_nodes")}
    res["incremental_link"] = _link_in_child(root, False, memory_limit, threads)
    res["incremental_link"]["total_keys"] = _count(root, "resolutions")
    keys = _sample_keys(root, queries, seed)
    hot = _top_cited(root, 3)
    res["queries"] = _time_queries(root, keys, hot)
    res["queries"]["keys"] = len(keys)
    res["queries_raw"] = _time_queries(root, keys, hot, impl="raw")
    res["dataset_mb"] = round(sum(f.stat().st_size for f in root.rglob("*.parquet")) / 2**20, 1)
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
    text = format_report(res)
    if report:
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        Path(report).write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    return text


def _ok(value: float, target: float) -> str:
    return "ok" if value < target else "MISSED"


def format_report(res: dict) -> str:
    b, f, i, a, q = res["build"], res["full_link"], res["incremental_link"], res["add_documents"], res["queries"]
    qr = res.get("queries_raw", {})
    fs, is_ = f["stats"], i["stats"]
    lines = [
        f"graph bench: {b['documents']:,} documents, {b['citations']:,} citations "
        f"({res.get('cpus')} CPUs, DuckDB memory_limit {res['memory_limit']}, dataset {res.get('dataset_mb')} MB)",
        f"  build archive          {b['seconds']:8.1f} s   ({b['not_ingested_documents']:,} cited documents not "
        f"ingested, {b['external_citations']:,} citations of them; most cited document {b['max_cited']:,}×)",
        f"  full link              {f['seconds']:8.1f} s   peak {f['peak_mb']:7.0f} MB   "
        f"nodes {fs['nodes']:,}, edges {fs['edges']:,}, keys {fs['keys']:,} ({fs['resolved']:,} to documents, "
        f"{fs['ambiguous']:,} ambiguous)",
        f"  + {a['documents']:,} documents        {a['seconds']:8.1f} s   ({a['revived']} of them cited before as external)",
        f"  incremental link       {i['seconds']:8.1f} s   peak {i['peak_mb']:7.0f} MB   target < "
        f"{TARGETS['incremental_peak_mb']:.0f} MB: {_ok(i['peak_mb'], TARGETS['incremental_peak_mb'])}; "
        f"keys re-resolved {is_['keys']:,} of {i.get('total_keys', 0):,}, citation parts rewritten "
        f"{is_['parts_rewritten']} of {b['batches'] + 1}",
        f"  (a fresh interpreter with pipeline + DuckDB imported holds {f['imports_mb']:.0f} MB)",
        f"  queries, {q.get('keys', 50)} random nodes, one warm connection ({q.get('implementation')}; "
        f"'bare' = SQL on edges alone):",
        f"    {'':<16}{'target':>10} {'':<7}{'median':>9}{'p95':>9}{'cold':>9}{'3 most cited':>14}",
    ]
    for name, target in (("cites", TARGETS["cites_ms"]), ("cited_by", TARGETS["cited_by_ms"]),
                         ("trace", TARGETS["trace_ms"])):
        s = q[name]
        label = {"cites": "cites", "cited_by": "cited-by", "trace": "trace depth 3"}[name]
        lines.append(f"    {label:<16}{'< %.0f ms' % target:>10} {_ok(s['p95_ms'], target):<7}{s['median_ms']:9.1f}"
                     f"{s['p95_ms']:9.1f}{q[name + '_cold_ms']:9.1f}{s['most_cited_ms']:9.1f} ms"
                     f"  ({s['most_cited_rows']:,} rows)")
        if name in qr:
            r = qr[name]
            lines.append(f"    {'  bare':<16}{'':>10} {'':<7}{r['median_ms']:9.1f}{r['p95_ms']:9.1f}"
                         f"{qr[name + '_cold_ms']:9.1f}{r['most_cited_ms']:9.1f} ms")
    for title, run in (("full link", f), ("incremental link", i)):
        lines.append(f"  {title}: slowest SQL steps (of {run['sql_seconds']:.1f} s in SQL)")
        for s in run["top_steps"][:4]:
            lines.append(f"    {s['seconds']:7.2f} s  rss {s['rss_mb']:5.0f} MB  {s['sql'][:100]}")
        if run.get("peak_step"):
            p = run["peak_step"]
            lines.append(f"    peak set by ({p['hwm_mb']:.0f} MB): {p['sql'][:100]}")
    qual = res.get("quality")
    if qual:
        lines.append("  resolution against the generator's truth (share of citations on the right node):")
        for v, s in qual["by_variant"].items():
            lines.append(f"    {v:<28} {s['citations']:>9,}  {s['correct']:6.1%}  ambiguous {s['ambiguous']:,}")
        lines.append(f"  nodes merging documents of several issuers: {qual['nodes_merging_issuers']:,} "
                     f"({qual['documents_in_them']:,} issuers in them, up to {qual['max_issuers_in_one_node']} in one)")
    return "\n".join(lines)


__all__ = ["run_graph_bench", "format_report", "TARGETS"]


def run_rerun_bench(paths: list[str] | None = None, work_dir: str | None = None, added: int = 10) -> str:
    """A nightly job's three runs on a real archive: the first ingest, an unchanged re-run (which must
    write nothing and take ≤ 5% of the first), and a run after `added` new files (which processes
    those files only). Default archive: ../shared/corpus/dev and local/ (text, no OCR)."""
    import tempfile
    import time as _time

    from ..ingest import ingest
    from .evaluate import shared_corpus

    corpus = shared_corpus()
    paths = paths or [str(corpus / "dev"), str(corpus / "local")]
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        out = Path(tmp) / "out"
        extra = Path(tmp) / "extra"
        extra.mkdir()
        t0 = _time.perf_counter()
        first = ingest(paths, str(out), jobs=2)
        t_first = _time.perf_counter() - t0

        def files() -> dict[str, int]:
            return {str(p): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != "_lock"}

        before = files()
        t0 = _time.perf_counter()
        again = ingest(paths, str(out), jobs=2)
        t_again = _time.perf_counter() - t0
        changed = sum(1 for k, v in files().items() if before.get(k) != v)
        src = sorted(Path(paths[-1]).rglob("*.txt"))[:added]
        for i, f in enumerate(src):  # new files: known texts with a line of their own, so new content
            (extra / f"new_{i}.txt").write_text(f.read_text(encoding="utf-8") + f"\nBản sao số {i}.\n", encoding="utf-8")
        t0 = _time.perf_counter()
        more = ingest(paths + [str(extra)], str(out), jobs=2)
        t_more = _time.perf_counter() - t0
    return "\n".join([
        f"nightly re-runs on {', '.join(Path(p).name for p in paths)} ({first.written} documents, {first.failed} failed):",
        f"  first ingest + link         {t_first:7.2f} s",
        f"  unchanged re-run            {t_again:7.2f} s  ({t_again / t_first:.1%} of the first; target ≤ 5%), "
        f"{again.written} written, {changed} files changed in the dataset",
        f"  after adding {added} files      {t_more:7.2f} s  ({more.written} written, {more.unchanged} unchanged)",
    ])


# -- what the linker wrote, for comparing two linkers (or one linker under two memory settings) ----
# Derived tables and the columns the linker rewrites in place. Sorted content of every derived table
# (a tie in a table's ORDER BY may come out either way), plus the row order of the tables whose
# ORDER BY is a key, and the rewritten columns of each citations / documents part in its row order.
_DERIVED_ORDERED = {"edges": "source, target", "nodes": "node_id"}
_DERIVED = ("resolutions", "ambiguous", "nodes", "edges", "status", "responses")


def link_fingerprint(root) -> dict:
    """A digest of everything the linker writes to the dataset at `root`: {table: (rows, md5)}."""
    import duckdb

    from ..graph.store import snapshot_dir

    root = Path(root)
    data = snapshot_dir(root) or root
    con = duckdb.connect()
    out: dict = {}

    def digest(sql: str) -> tuple[int, str]:
        n, h = con.execute(f"SELECT count(*), md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) "
                           f"FROM (SELECT CAST(t AS VARCHAR) AS r FROM ({sql}) t)").fetchone()
        return n, h

    for table in _DERIVED:
        glob = data / table / "*.parquet"
        if not any((data / table).glob("*.parquet")):
            out[table] = (0, "")
            continue
        out[table] = digest(f"SELECT * FROM read_parquet('{glob}')")
        if table in _DERIVED_ORDERED:
            # the file's row order: each row's position with it
            out[table + ":order"] = digest(f"SELECT file_row_number, * EXCLUDE (file_row_number) "
                                           f"FROM read_parquet('{glob}', file_row_number=true)")
    idx = root / "_graph" / "edges_by_target.parquet"
    if idx.exists():
        out["edges_by_target"] = digest(f"SELECT * FROM read_parquet('{idx}')")
    for table, cols in (("citations", "doc_id, start, target_key, target_id, resolution, resolution_confidence"),
                        ("documents", "doc_id, node_key, node_id, node_method")):
        # a part is named by its first document (its file name holds the time of its batch)
        out[table] = digest(f"SELECT min(doc_id) OVER (PARTITION BY filename) AS part, file_row_number, {cols} "
                            f"FROM read_parquet('{data / table / '*.parquet'}', union_by_name=true, "
                            f"filename=true, file_row_number=true)")
    con.close()
    return out
