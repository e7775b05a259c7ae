"""Questions an auditor asks of the linked graph, answered by DuckDB over the Parquet dataset.

`Graph(data_dir)` opens the dataset read-only (views over the Parquet parts, nothing loaded into
Python) and answers: which documents does this one cite (`cites`), which cite it (`cited_by`), the
chain in either direction (`trace`), how two documents connect (`path`), one node with its files
and status (`node`, `status`). Every row carries its evidence: the mention as written, the citing
file and its page.

Keys are loose, as a person types them (`resolve`):
  Key 1, node id:      vb:76/KH-UBND|2024-03-26|ủy ban nhân dân tỉnh quảng ngãi
  Key 2, doc id:       the 20 hex characters of an ingested file
  Key 3, number:       76/KH-UBND, 56/2017/NĐ-CP, 05-CT/TU (spacing, accents and case ignored)
  Key 4, loose words:  KH 76/2024 Quảng Ngãi (type, number, year, words of the issuer in any order)
  Key 5, law name:     Luật Tổ chức chính quyền địa phương 2015
A key that fits several nodes raises `AmbiguousKey` with the candidates; none raises `KeyNotFound`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import regex

from ..extract.identity import number_key
from ..text.clean import fold, strip_accents

TABLES = ["nodes", "edges", "documents", "citations", "status", "resolutions", "ambiguous", "tasks", "responses"]


class KeyNotFound(LookupError):
    def __init__(self, key: str):
        super().__init__(f"no document in the graph matches {key!r}")
        self.key = key


class AmbiguousKey(LookupError):
    def __init__(self, key: str, candidates: list[dict]):
        super().__init__(f"{key!r} matches {len(candidates)} documents; give the year, the issuer or a node id")
        self.key = key
        self.candidates = candidates


_DOC_ID = regex.compile(r"^[0-9a-f]{20}$")
_NUMBER = regex.compile(r"\d+[a-zA-Z]?(?:/\d{4})?[/-][\p{L}\d/().&-]*[\p{L}\d)]|\d+[a-zA-Z]?/\d{4}")
_YEAR = regex.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)")
NODE_COLS = ("node_id, kind, doc_type, number, name, issue_date, issuer, issuer_canonical, doc_ids, "
             "mentions, cited_by, status, status_by, status_date")


@dataclass
class _Parsed:
    number: str | None
    digits: str | None
    year: int | None
    type_abbr: str | None
    words: list[str]


class Graph:
    """A read-only view of one dataset directory (default `out/`)."""

    def __init__(self, data: str | os.PathLike = "out"):
        import duckdb

        self.root = Path(data)
        if not (self.root / "nodes").is_dir():
            raise FileNotFoundError(f"{self.root} holds no graph (run `vanban ingest … --out {self.root}`)")
        self.con = duckdb.connect()
        self._snap = None
        self._views()

    def _views(self) -> None:
        """Every view over one snapshot (`store.snapshot_dir`): a batch that an ingest publishes while
        this Graph is open is seen whole after the next re-pin, or not at all."""
        from .store import snapshot_dir

        self._snap = snapshot_dir(self.root) or self.root
        for t in TABLES:
            files = list((self._snap / t).glob("*.parquet"))
            if files:
                self.con.execute(f"CREATE OR REPLACE VIEW {t} AS SELECT * FROM "
                                 f"read_parquet('{self._snap / t}/*.parquet', union_by_name=true)")
        idx = self.root / "_graph" / "edges_by_target.parquet"
        src = f"read_parquet('{idx}')" if idx.exists() else "edges"
        self.con.execute(f"CREATE OR REPLACE VIEW edges_in AS SELECT * FROM {src}")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Graph":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _rows(self, sql: str, params=()) -> list[dict]:
        if self._snap is not None and not self._snap.exists():  # old snapshots are removed after a minute
            self._views()
        cur = self.con.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    # -- keys ----------------------------------------------------------------------------------
    def resolve(self, key: str) -> list[dict]:
        """Every node the key may mean (Keys 1–5), best first."""
        key = key.strip()
        rows = self._rows(f"SELECT {NODE_COLS} FROM nodes WHERE node_id = ?", [key])
        if rows:
            return rows
        if _DOC_ID.match(key):
            rows = self._rows(f"SELECT {NODE_COLS} FROM nodes WHERE list_contains(doc_ids, ?)", [key])
            if rows:
                return rows
        if fold(key).startswith(("luật", "bộ luật", "pháp lệnh", "hiến pháp")):
            y = _YEAR.search(key)
            name = fold(_YEAR.sub("", key)).replace(" năm", "").strip()
            rows = self._rows(f"SELECT {NODE_COLS} FROM nodes WHERE (node_id = ? OR starts_with(node_id, ?))"
                              + (" AND issue_year = ?" if y else "") + " ORDER BY mentions DESC",
                              ["law:" + name, "law:" + name + "|"] + ([int(y.group(1))] if y else []))
            if rows:
                return rows
        p = _parse(key)
        if not p.digits:
            return []
        where, params = ["regexp_extract(nk, '^[0-9]+', 0) = ?"], [p.digits]
        if p.number and "/" in p.number and not regex.fullmatch(r"\d+[a-zA-Z]?/\d{4}", p.number):
            where.append("nk = ?")
            params.append(number_key(p.number))
        if p.year:
            where.append("issue_year = ?")
            params.append(p.year)
        if p.type_abbr:
            where.append("(position(? IN nk) > 0 OR upper(strip_accents(coalesce(doc_type, ''))) = ?)")
            params += [p.type_abbr, p.type_abbr]
        for w in p.words:
            where.append("position(? IN lower(strip_accents(coalesce(issuer_canonical, issuer, '')))) > 0")
            params.append(w)
        sql = (f"SELECT {NODE_COLS} FROM (SELECT *, upper(regexp_replace(strip_accents(replace(replace("
               f"coalesce(number, ''), 'Đ', 'D'), 'đ', 'd')), '[^0-9A-Za-z/]', '', 'g')) AS nk FROM nodes) "
               f"WHERE {' AND '.join(where)} ORDER BY kind = 'ingested' DESC, mentions DESC, node_id")
        return self._rows(sql, params)

    def node(self, key: str) -> dict:
        rows = self.resolve(key)
        if not rows:
            raise KeyNotFound(key)
        if len(rows) > 1:
            raise AmbiguousKey(key, rows)
        return rows[0]

    # -- questions -----------------------------------------------------------------------------
    def cites(self, key: str) -> list[dict]:
        """What the document cites: one row per cited node, with its relations and first mention."""
        n = self.node(key)
        return self._edges("e.source = ?", [n["node_id"]], other="target")

    def cited_by(self, key: str) -> list[dict]:
        """Who cites the document: one row per citing node."""
        n = self.node(key)
        return self._edges("e.target = ?", [n["node_id"]], other="source")

    def _edges(self, cond: str, params, other: str) -> list[dict]:
        table = "edges_in" if other == "source" else "edges"
        rows = self._rows(f"""SELECT e.source, e.target, e.relation, e.relations, e.mentions, e.mention, e.doc_id, e.page
                              FROM {table} e WHERE {cond}""", params)
        if not rows:
            return rows
        ends = self._rows(f"""SELECT node_id, doc_type, number, name, issue_date,
                                     coalesce(issuer_canonical, issuer) AS issuer, kind, status
                              FROM nodes WHERE list_contains(?, node_id)""", [sorted({r[other] for r in rows})])
        by_node = {n["node_id"]: n for n in ends}
        paths = dict(self.con.execute("SELECT doc_id, min(source_path) FROM documents WHERE list_contains(?, doc_id) "
                                      "GROUP BY doc_id", [sorted({r["doc_id"] for r in rows if r["doc_id"]})]).fetchall())
        out = []
        blank = dict.fromkeys(["doc_type", "number", "name", "issue_date", "issuer", "kind", "status"])
        for r in rows:
            n = by_node.get(r[other], blank)
            out.append({**{k: r[k] for k in ("source", "target", "relation", "relations", "mentions")},
                        **{k: n.get(k) for k in blank}, "mention": r["mention"], "doc_id": r["doc_id"],
                        "page": r["page"], "source_path": paths.get(r["doc_id"])})
        out.sort(key=lambda r: (r["relation"] or "", str(r["issue_date"] or "9999"), r[other]))
        return out

    def trace(self, key: str, depth: int = 3, direction: str = "out") -> list[dict]:
        """The chain from a document: what it cites, what those cite … (`out`), who cites it … (`in`),
        or both. One row per edge walked, with the depth at which it was reached."""
        if direction not in {"out", "in", "both"}:
            raise ValueError("direction is out, in or both")
        start = self.node(key)["node_id"]
        seen = {start}
        frontier = [start]
        out: list[dict] = []
        for level in range(1, depth + 1):
            if not frontier:
                break
            parts = []
            if direction in {"out", "both"}:
                parts.append("SELECT * FROM edges WHERE list_contains($f, source)")
            if direction in {"in", "both"}:
                parts.append("SELECT * FROM edges_in WHERE list_contains($f, target)")
            rows = self._rows(f"""
                SELECT DISTINCT source, target, relation, relations, mentions, mention, doc_id, page
                FROM ({' UNION ALL '.join(parts)}) ORDER BY source, target""", {"f": frontier})
            labels = dict(self.con.execute(
                "SELECT node_id, coalesce(name, number) FROM nodes WHERE list_contains(?, node_id)",
                [sorted({x for r in rows for x in (r["source"], r["target"])})]).fetchall()) if rows else {}
            for r in rows:
                r["source_label"], r["target_label"] = labels.get(r["source"]), labels.get(r["target"])
            nxt = []
            for r in rows:
                r["depth"] = level
                out.append(r)
                for nid in (r["target"], r["source"]):
                    if nid not in seen:
                        seen.add(nid)
                        nxt.append(nid)
            frontier = nxt
        return out

    def path(self, a: str, b: str, max_depth: int = 6) -> list[dict]:
        """The shortest chain of citations from A to B (following cites; if none, from B to A)."""
        na, nb = self.node(a)["node_id"], self.node(b)["node_id"]
        for src, dst in ((na, nb), (nb, na)):
            chain = self._bfs(src, dst, max_depth)
            if chain is not None:
                return chain
        return []

    def _bfs(self, src: str, dst: str, max_depth: int) -> list[dict] | None:
        if src == dst:
            return []
        parent: dict[str, dict] = {}
        frontier = [src]
        seen = {src}
        for _ in range(max_depth):
            rows = self._rows("""SELECT source, target, relation, relations, mentions, mention, doc_id, page
                                 FROM edges WHERE list_contains(?, source)""", [frontier])
            nxt = []
            for r in rows:
                t = r["target"]
                if t in seen:
                    continue
                seen.add(t)
                parent[t] = r
                if t == dst:
                    chain = []
                    while t != src:
                        chain.append(parent[t])
                        t = parent[t]["source"]
                    return chain[::-1]
                nxt.append(t)
            if not nxt:
                return None
            frontier = nxt
        return None

    def status(self, key: str) -> dict:
        """Legal status from the archive: the later documents that repeal, replace or amend this one,
        each with the clause as written and its date. No acting document → status None (the archive
        says nothing; it does not prove the document is in force)."""
        n = self.node(key)
        acts = []
        if self._has("status"):
            acts = self._rows("""SELECT s.*, d.number AS by_number, d.doc_type AS by_type, d.source_path
                                 FROM status s LEFT JOIN (SELECT doc_id, any_value(number) AS number,
                                 any_value(doc_type) AS doc_type, any_value(source_path) AS source_path
                                 FROM documents GROUP BY doc_id) d ON d.doc_id = s.by_doc_id
                                 WHERE s.node_id = ? ORDER BY s.date NULLS LAST""", [n["node_id"]])
        return {"node": n, "status": n.get("status"), "acts": acts}

    def show_node(self, key: str) -> dict:
        n = self.node(key)
        files = self._rows("""SELECT doc_id, source_path, kind, pages, ocr, issuer, issuer_canonical, signer, subject
                              FROM documents WHERE node_id = ? ORDER BY doc_id""", [n["node_id"]])
        res = self._rows("""SELECT target_key, method, confidence FROM resolutions WHERE node_id = ? AND
                            target_key <> node_id ORDER BY target_key""", [n["node_id"]]) if self._has("resolutions") else []
        return {"node": n, "files": files, "merged_keys": res,
                "cites": len(self._edges("e.source = ?", [n["node_id"]], "target")),
                "cited_by": len(self._edges("e.target = ?", [n["node_id"]], "source"))}

    def responses(self, key: str, as_of=None) -> list[dict]:
        """Per task and assignee of a directive: the ingested documents that answer it and the status
        (on_time, late, missing, not_yet_due, answered, no_answer) as of a date (default today)."""
        from dataclasses import asdict

        from .responses import responses_for

        n = self.node(key)
        if not self._has("tasks"):
            return []
        return [asdict(r) for r in responses_for(self.con, n["node_id"], as_of)]

    def ambiguous(self) -> list[dict]:
        """Citations that fit several documents, for review (none of them was merged)."""
        if not self._has("ambiguous"):
            return []
        return self._rows("SELECT * FROM ambiguous ORDER BY doc_id, start")

    def most_cited(self, limit: int = 20) -> list[dict]:
        return self._rows(f"SELECT {NODE_COLS} FROM nodes ORDER BY cited_by DESC, mentions DESC, node_id LIMIT ?", [limit])

    def _has(self, table: str) -> bool:
        return bool(self.con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [table]).fetchone()[0])


def _parse(key: str) -> _Parsed:
    """Key 3/4: "76/KH-UBND", "KH 76/2024 Quảng Ngãi", "Kế hoạch 76 năm 2024 UBND tỉnh Quảng Ngãi"."""
    from .. import rules

    m = _NUMBER.search(key)
    number = regex.sub(r"\s+", "", m.group(0)) if m else None
    rest = key[: m.start()] + " " + key[m.end():] if m else key
    digits = regex.match(r"\d+", number).group(0) if number else None
    if not digits:
        d = regex.search(r"(?<!\d)\d{1,5}(?!\d)", rest)
        if d:
            digits = d.group(0)
            rest = rest[: d.start()] + " " + rest[d.end():]
    y = _YEAR.search(number or "") or _YEAR.search(rest)
    year = int(y.group(1)) if y else None
    if y and y.string is rest:
        rest = rest[: y.start()] + " " + rest[y.end():]
    type_abbr = None
    abbrs = {t.abbr.upper(): t for t in rules.doc_types() if t.abbr}
    names = {fold(t.name): t for t in rules.doc_types()}
    low = fold(rest)
    for name, t in sorted(names.items(), key=lambda kv: -len(kv[0])):
        if t.abbr and regex.search(rf"(?<!\p{{L}}){regex.escape(name)}(?!\p{{L}})", low):
            type_abbr = strip_accents(t.abbr).upper()
            low = low.replace(name, " ")
            break
    words = []
    for w in regex.findall(r"[\p{L}.]+", low):
        if w.upper() in abbrs and type_abbr is None:
            type_abbr = strip_accents(w).upper()
            continue
        w = w.strip(".")
        if w in {"số", "năm", "ngày", "của", "ubnd", "ủy", "ban", "nhân", "dân", "tỉnh", "huyện", "xã",
                 "thành", "phố", "thị", "sở", "quận", "phường", ""}:
            continue
        words.append(strip_accents(w))
    return _Parsed(number, digits, year, type_abbr, words)


def open_graph(data: str | os.PathLike = "out") -> Graph:
    return Graph(data)


__all__ = ["Graph", "open_graph", "KeyNotFound", "AmbiguousKey"]
