"""What the pages ask of the dataset, answered from the side index (`index.py`) and, for the
questions the graph already answers, from `graph.query.Graph` (key resolution, trace, responses as
of a date).

Why one object per served dataset: it owns the index file and the Graph, notices a newer snapshot
(`refresh`, at most every `CHECK_SECONDS`), rebuilds the index in a background thread while the old
one keeps answering, then swaps both at once. Every question is a handful of indexed SQLite reads
(no table is ever loaded whole): what keeps a page under the 300 ms target on 100,000 documents.

Thread safety: the web server answers in a thread pool. SQLite connections are per thread (read
only); the DuckDB connection behind Graph is shared, so calls into it hold a lock.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

import regex

from .index import build_index, connect, fingerprint, fold_chars, index_path, search_key, stored_fingerprint

log = logging.getLogger("vanban.view")
CHECK_SECONDS = 2.0
COUNT_CAP = 1000  # "1000+ results": counting every hit of a common word would cost more than the page
_DOC_ID = regex.compile(r"^[0-9a-f]{20}$")
_WORD = regex.compile(r'"[^"]+"|[\p{L}\p{N}]+')


class Unavailable(RuntimeError):
    """The dataset cannot be served (no graph yet, or the index could not be built)."""


def fts_query(text: str) -> str | None:
    """User words → an FTS5 query that cannot be a syntax error: every word (or "quoted phrase")
    becomes a quoted string, folded like the indexed text; all must match."""
    terms = []
    for m in _WORD.finditer(text or ""):
        t = fold_chars(m.group(0).strip('"'))
        words = regex.findall(r"[\p{L}\p{N}]+", t)
        if words:
            terms.append('"' + " ".join(words) + '"')
    return " ".join(terms) if terms else None


_ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "tp": "thanh pho", "tx": "thi xa"}


def issuer_words(issuer: str) -> list[str]:
    """An issuer as typed → the accent-free words to find in the stored issuer (abbreviations spelled out)."""
    words = regex.findall(r"[\p{L}\p{N}]+", search_key(issuer))
    return [x for w in words for x in _ABBREVIATIONS.get(w, w).split()]


def _rows(cur) -> list[dict]:
    return [dict(r) for r in cur.fetchall()]


def _like(s: str) -> str:
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class ViewData:
    def __init__(self, data_dir, build: bool = True):
        from ..graph.query import Graph

        self.root = Path(data_dir)
        if not (self.root / "documents").is_dir():
            raise Unavailable(f"{self.root} is not a vanban dataset (no documents/ table; "
                              f"run `vanban ingest … --out {self.root}`)")
        if not (self.root / "nodes").is_dir():
            raise Unavailable(f"{self.root} holds no graph yet (run `vanban link --data {self.root}`)")
        self.path = index_path(self.root)
        if build and stored_fingerprint(self.path) != fingerprint(self.root):
            log.info("building the view index of %s", self.root)
            build_index(self.root)
        if not self.path.exists():
            raise Unavailable(f"no index at {self.path} (run `vanban index --data {self.root}`)")
        self._graph = _quiet(Graph(self.root))
        self._glock = threading.Lock()
        self._local = threading.local()
        self._gen = 0
        self._checked = time.monotonic()
        self._building: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self.snapshot = self._meta("snapshot")

    # -- connections ---------------------------------------------------------------------------
    def sql(self) -> sqlite3.Connection:
        self.refresh()
        con = getattr(self._local, "con", None)
        if con is None or self._local.gen != self._gen:
            if con is not None:
                con.close()
            con = connect(self.path)
            self._local.con, self._local.gen = con, self._gen
        return con

    def _meta(self, key: str) -> str | None:
        row = self.sql().execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        with self._glock:
            self._graph.close()

    @property
    def rebuilding(self) -> bool:
        return self._building is not None and self._building.is_alive()

    def refresh(self) -> None:
        """A newer snapshot → rebuild the index in the background; answers come from the old one
        until the new one is in place."""
        now = time.monotonic()
        if now - self._checked < CHECK_SECONDS or self.rebuilding:
            return
        with self._state_lock:
            if now - self._checked < CHECK_SECONDS:
                return
            self._checked = now
            try:
                stale = stored_fingerprint(self.path) != fingerprint(self.root)
            except OSError:  # a snapshot removed while listed: look again next time
                return
            if stale:
                self._building = threading.Thread(target=self._rebuild, name="vanban-index", daemon=True)
                self._building.start()

    def _rebuild(self) -> None:
        from ..graph.query import Graph

        try:
            build_index(self.root)
            graph = _quiet(Graph(self.root))
        except Exception:  # keep serving the old index; the next check tries again
            log.exception("rebuilding the view index failed")
            return
        with self._glock:
            old, self._graph = self._graph, graph
            old.close()
        self._gen += 1
        self.snapshot = stored_snapshot(self.path)

    def graph(self, fn, *args, **kw):
        """Call `fn(graph, …)` on the shared Graph under its lock."""
        with self._glock:
            return fn(self._graph, *args, **kw)

    # -- documents -----------------------------------------------------------------------------
    def document(self, doc_id: str) -> dict | None:
        if not _DOC_ID.match(doc_id or ""):
            return None
        row = self.sql().execute("SELECT d.*, t.text FROM docs d LEFT JOIN doc_text t ON t.rowid = d.rowid "
                                 "WHERE d.doc_id = ?", [doc_id]).fetchone()
        if row is None:
            return None
        d = dict(row)
        d["recipients"] = json.loads(d["recipients"]) if d.get("recipients") else []
        d["text"] = d["text"] or ""
        return d

    def pages(self, doc_id: str) -> list[dict]:
        return _rows(self.sql().execute("SELECT p.*, i.mime, i.width, i.height FROM pages p LEFT JOIN page_images i "
                                        "ON i.doc_id = p.doc_id AND i.page = p.page WHERE p.doc_id = ? ORDER BY p.page",
                                        [doc_id]))

    def citations(self, doc_id: str) -> list[dict]:
        return _rows(self.sql().execute("""
            SELECT c.*, n.kind AS target_kind, n.doc_type AS target_type, n.number AS target_number,
                   n.name AS target_name, n.issue_date AS target_date,
                   coalesce(n.issuer_canonical, n.issuer) AS target_issuer, n.status AS target_status
            FROM citations c LEFT JOIN nodes n ON n.node_id = c.target_id
            WHERE c.doc_id = ? ORDER BY c.start""", [doc_id]))

    def tasks(self, doc_id: str) -> list[dict]:
        rows = _rows(self.sql().execute("SELECT * FROM tasks WHERE doc_id = ? ORDER BY task_no, start", [doc_id]))
        for r in rows:
            r["coordinators"] = json.loads(r["coordinators"]) if r.get("coordinators") else []
        return rows

    def entities(self, doc_id: str) -> list[dict]:
        return _rows(self.sql().execute("SELECT * FROM entities WHERE doc_id = ? ORDER BY start", [doc_id]))

    def words(self, doc_id: str) -> list[dict]:
        return _rows(self.sql().execute("SELECT * FROM words WHERE doc_id = ? ORDER BY page, start", [doc_id]))

    def responses_stored(self, node_id: str) -> list[dict]:
        """The `responses` table: statuses as of the last link."""
        return _rows(self.sql().execute("SELECT * FROM responses WHERE node_id = ? ORDER BY task_no, assignee",
                                        [node_id]))

    def files_of(self, node_id: str) -> list[dict]:
        return _rows(self.sql().execute("SELECT doc_id, doc_type, number, issue_date, issuer, source_path, pages, ocr "
                                        "FROM docs WHERE node_id = ? ORDER BY doc_id", [node_id]))

    # -- nodes ---------------------------------------------------------------------------------
    def node(self, node_id: str) -> dict | None:
        row = self.sql().execute("SELECT * FROM nodes WHERE node_id = ?", [node_id]).fetchone()
        if row is None:
            return None
        n = dict(row)
        n["doc_ids"] = json.loads(n["doc_ids"]) if n.get("doc_ids") else []
        return n

    def citing(self, node_id: str, limit: int = 500) -> tuple[list[dict], int]:
        """Every citation of a node, with the citing document (most recent first), and how many in all."""
        con = self.sql()
        total = con.execute("SELECT count(*) FROM citations WHERE target_id = ?", [node_id]).fetchone()[0]
        rows = _rows(con.execute("""
            SELECT c.doc_id, c.start, c."end", c.mention, c.relation, c.relation_cue, c.part, c.page,
                   d.doc_type, d.number, d.issue_date, coalesce(d.issuer_canonical, d.issuer) AS issuer, d.node_id
            FROM citations c JOIN docs d ON d.doc_id = c.doc_id
            WHERE c.target_id = ? ORDER BY d.issue_date DESC, c.doc_id, c.start LIMIT ?""", [node_id, limit]))
        return rows, total

    def status(self, node_id: str) -> list[dict]:
        return _rows(self.sql().execute("""
            SELECT s.*, d.doc_type AS by_type, d.number AS by_number, d.issue_date AS by_date
            FROM status s LEFT JOIN docs d ON d.doc_id = s.by_doc_id
            WHERE s.node_id = ? ORDER BY s.date""", [node_id]))

    def labels(self, node_ids: list[str]) -> dict[str, dict]:
        if not node_ids:
            return {}
        rows = self.sql().execute("SELECT node_id, kind, doc_type, number, name, issue_date, issuer, doc_ids, status "
                                  "FROM nodes WHERE node_id IN (SELECT value FROM json_each(?))",
                                  [json.dumps(node_ids)])
        return {r["node_id"]: dict(r) for r in rows}

    # -- search --------------------------------------------------------------------------------
    def doc_types(self) -> list[str]:
        return [r[0] for r in self.sql().execute("SELECT DISTINCT doc_type FROM docs WHERE doc_type IS NOT NULL "
                                                 "ORDER BY doc_type")]

    def search(self, number: str = "", issuer: str = "", doc_type: str = "", date_from: str = "", date_to: str = "",
               text: str = "", page: int = 1, per_page: int = 20) -> dict:
        """Documents matching every criterion given, newest first (best first with full text), one
        page of them; with `number`, also the matching documents that are not in the archive."""
        where, params, external = [], [], []
        join, order = "", "d.issue_date DESC, d.doc_id"
        if number.strip():
            nodes = self.graph(lambda g: g.resolve(number))
            external = [n for n in nodes if n.get("kind") != "ingested"]
            where.append("d.node_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps([n["node_id"] for n in nodes]))
        for w in issuer_words(issuer):  # every word, in any order: "Sở Y tế Quảng Ngãi", "UBND Bình Sơn"
            where.append("d.issuer_key LIKE ? ESCAPE '\\'")
            params.append(_like(w))
        if doc_type.strip():
            where.append("d.doc_type = ?")
            params.append(doc_type.strip())
        if date_from:
            where.append("d.issue_date >= ?")
            params.append(date_from)
        if date_to:
            where.append("d.issue_date <= ?")
            params.append(date_to)
        q = fts_query(text)
        if q:
            join = "JOIN (SELECT rowid AS r, rank FROM doc_fts WHERE doc_fts MATCH ?) f ON f.r = d.rowid"
            params.insert(0, q)
            order = "f.rank, d.issue_date DESC"
        cond = ("WHERE " + " AND ".join(where)) if where else ""
        con = self.sql()
        total = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM docs d {join} {cond} LIMIT {COUNT_CAP + 1})",
                            params).fetchone()[0]
        page = max(1, page)
        rows = _rows(con.execute(f"""SELECT d.rowid AS rid, d.doc_id, d.node_id, d.doc_type, d.number, d.issue_date,
                                            d.issuer, d.subject, d.source_path, d.ocr
                                     FROM docs d {join} {cond} ORDER BY {order} LIMIT ? OFFSET ?""",
                                 params + [per_page, (page - 1) * per_page]))
        if q and rows:
            texts = dict(con.execute("SELECT rowid, text FROM doc_text WHERE rowid IN (SELECT value FROM json_each(?))",
                                     [json.dumps([r["rid"] for r in rows])]).fetchall())
            for r in rows:
                r["snippet"] = snippet(texts.get(r["rid"]) or "", q)
        return {"rows": rows, "total": min(total, COUNT_CAP), "more": total > COUNT_CAP, "page": page,
                "per_page": per_page, "external": external}

    # -- graph ---------------------------------------------------------------------------------
    def neighbourhood(self, node_id: str, depth: int, ring1: int = 36, per_parent: int = 8) -> list[dict]:
        """The edges around a node for the picture, in `Graph.trace` form (source, target, relation,
        mentions, depth), walked in DuckDB over the graph's pinned `edges` / `edges_in` views but
        capped as it goes: at depth 1 the `ring1` neighbours with most mentions, at depth 2 at most
        `per_parent` edges from each of them. `Graph.trace(depth=2)` from a decree cited 5,000 times
        returns tens of thousands of rows (14 s on the 100,000-document archive); the picture shows
        a hundred nodes at most anyway."""

        def walk(g) -> list[dict]:
            cap = 500
            rows = g._rows(f"""
                (SELECT source, target, relation, mentions FROM edges WHERE source = $n AND target <> $n
                 ORDER BY mentions DESC, target LIMIT {cap})
                UNION ALL
                (SELECT source, target, relation, mentions FROM edges_in WHERE target = $n AND source <> $n
                 ORDER BY mentions DESC, source LIMIT {cap})""", {"n": node_id})
            weight: dict[str, int] = {}
            for r in rows:
                r["depth"] = 1
                other = r["target"] if r["source"] == node_id else r["source"]
                weight[other] = weight.get(other, 0) + (r["mentions"] or 1)
            kept = sorted(weight, key=lambda n: (-weight[n], n))[:ring1]
            if depth < 2 or not kept:
                return rows
            more = g._rows(f"""
                SELECT source, target, relation, mentions FROM (
                  SELECT *, row_number() OVER (PARTITION BY parent ORDER BY mentions DESC, other) AS k FROM (
                    SELECT source, target, relation, mentions, source AS parent, target AS other
                    FROM edges WHERE list_contains($f, source) AND target <> $n
                    UNION ALL
                    SELECT source, target, relation, mentions, target AS parent, source AS other
                    FROM edges_in WHERE list_contains($f, target) AND source <> $n))
                WHERE k <= {int(per_parent)} ORDER BY source, target""", {"f": kept, "n": node_id})
            seen = {(r["source"], r["target"]) for r in rows}
            for r in more:
                if (r["source"], r["target"]) not in seen and r["source"] != r["target"]:
                    seen.add((r["source"], r["target"]))
                    r["depth"] = 2
                    rows.append(r)
            return rows

        return self.graph(walk)

    def responses_as_of(self, node_id: str, as_of: dt.date | None) -> list[dict]:
        return self.graph(lambda g: g.responses(node_id, as_of=as_of))

    def page_image(self, doc_id: str, page: int) -> tuple[str, bytes] | None:
        """The stored image of one page, looked up by key in the dataset (never a path from the
        request): (mime, bytes), or None."""
        if not _DOC_ID.match(doc_id or ""):
            return None
        known = self.sql().execute("SELECT mime FROM page_images WHERE doc_id = ? AND page = ?", [doc_id, page]).fetchone()
        if known is None:
            return None

        def read(g):
            from ..graph.store import snapshot_dir

            snap = snapshot_dir(self.root) or self.root
            glob = str(snap / "page_images" / "*.parquet").replace("'", "''")
            return g.con.execute(f"SELECT mime, data FROM read_parquet('{glob}', union_by_name=true) "
                                 f"WHERE doc_id = ? AND page = ? LIMIT 1", [doc_id, page]).fetchone()

        row = self.graph(read)
        return (row[0], bytes(row[1])) if row and row[1] is not None else None


def _quiet(graph):
    """No DuckDB progress bar on the server's terminal."""
    graph.con.execute("SET enable_progress_bar = false")
    return graph


def stored_snapshot(path: Path) -> str | None:
    con = connect(path)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'snapshot'").fetchone()
        return row[0] if row else None
    finally:
        con.close()


def snippet(text: str, query: str, width: int = 90) -> list[tuple[str, bool]]:
    """Around the first hit of the query's words: [(piece, is_hit)], cut from the original text at
    the offsets found in its folded form (same length, `fold_chars`)."""
    words = [w for w in regex.findall(r"[\p{L}\p{N}]+", query) if w]
    if not text:
        return []
    folded = fold_chars(text)
    pat = regex.compile(r"(?<![\p{L}\p{N}])(?:" + "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))
                        + r")(?![\p{L}\p{N}])") if words else None
    m = pat.search(folded) if pat else None
    a = max(0, (m.start() if m else 0) - width)
    b = min(len(text), (m.end() if m else 0) + width * 2)
    out: list[tuple[str, bool]] = []
    pos = a
    for h in (pat.finditer(folded, a, b) if pat else []):
        if h.start() > pos:
            out.append((text[pos:h.start()], False))
        out.append((text[h.start():h.end()], True))
        pos = h.end()
    out.append((text[pos:b], False))
    if a > 0:
        out.insert(0, ("… ", False))
    if b < len(text):
        out.append((" …", False))
    return out


__all__ = ["ViewData", "Unavailable", "fts_query", "snippet"]
