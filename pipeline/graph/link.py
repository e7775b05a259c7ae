"""Per corpus: resolve every citation to one graph node and derive nodes, edges, status (DuckDB).

Why DuckDB: the archive is a folder of Parquet parts that grows every night; linking must not load
every row into Python. All joins and aggregations run in DuckDB over the Parquet files with a
memory limit (spilling to `DIR/_graph/tmp`); Python only sees the few candidate pairs of variant
spellings. A nightly run re-resolves only the number blocks that its new documents touch.

Resolution (each citation key → a node, with its evidence in the `resolutions` table):
  Case 1, exact:            the citation's key is an ingested document's node id
  Case 2, variant:          the number differs by one character or by spacing ("3812/SLĐT BXH-VP",
                            "3812/SLĐTĐBXH-VP") and date and issuer agree → that document (0.9)
  Case 3, compatible:       same number and date; one issuer completes the other ("Sở Nội vụ" vs
                            "Sở Nội vụ tỉnh Lâm Đồng", a typed placeholder) → that document (0.9)
  Case 4, unique candidate: no date or no issuer in the citation, and exactly one ingested document
                            fits → that document (0.8; 0.7 when both are missing)
  Case 5, ambiguous:        several ingested documents fit → none merged; the candidates are listed
                            in `ambiguous`, one row per citation, for an auditor to review
  Case 6, external:         no ingested document fits → an external node; external variants of one
                            document (Cases 2–3 among citations, same number block and date) are one
                            node, represented by their most cited form
Same number with another date or another issuer never merges: "92/KH-UBND" of 2023 and of 2024,
of one province and of another, are different documents. A normative number (N/YYYY/SYMBOL) is
unique in the country, so its number alone decides.

Tables written (derived; each replaced atomically):
  resolutions  target_key → node_id, method, confidence, candidates (list), block
  ambiguous    one row per ambiguous citation: doc_id, mention, start, page, target_key, candidates
  nodes        one per document, ingested or external (doc_ids lists every file of an ingested one)
  edges        one per (source, target): relation (strongest), relations, mentions, first evidence
  status       one per acting citation: a later ingested document that repeals, replaces or amends
And `citations.target_id` is rewritten, part by part, where its resolution changed.
"""
from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa

from ..limits import memory_bytes as _setting_bytes  # DuckDB's reading of its limit, in bytes
import pyarrow.parquet as pq

from .store import GRAPH_SCHEMAS, Dataset

# strongest first: the relation an edge is drawn with when a document cites another several ways
RELATION_ORDER = ["repeals", "replaces", "amends", "basis", "implements", "proposal", "report", "attached",
                  "mentions"]
STATUS_ORDER = ["repealed", "replaced", "partly_repealed", "partly_replaced", "amended"]



@dataclass
class LinkStats:
    nodes: int = 0
    edges: int = 0
    keys: int = 0  # distinct citation keys re-resolved in this run
    resolved: int = 0  # of those, resolved to an ingested document
    ambiguous: int = 0
    parts_rewritten: int = 0  # citations parts whose target_id changed
    drafts_joined: int = 0  # unnumbered drafts joined to their signed copy
    new_batches: int = 0
    incremental: bool = False
    seconds: float = 0.0


def _sql_list(values) -> str:
    return "[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


# rows of input per pass of an aggregation whose states DuckDB keeps outside its memory limit
# (`Linker._in_passes`), for every PASS_LIMIT bytes of that limit: more passes cost a scan each (at
# 100,000 documents and 512MB, four passes took 2.5 s more than one, at the same peak), fewer hold
# more states at once. Calibrated at 160 MiB, where 250,000 rows a pass was the size that completed
# at 100,000 documents; the linker scales them to its limit (`Linker._pass_rows`).
PASS_ROWS = 250_000
DOC_PASS_ROWS = 25_000  # documents: a dozen ordered aggregates of long strings per node
PASS_LIMIT = 160 * 10**6  # DuckDB's "160MB"

STATE_VERSION = 2  # a link state of another version is rebuilt in full


class Linker:
    def __init__(self, root: str | os.PathLike, memory_limit: str = "512MB", threads: int | None = None):
        import duckdb

        from .store import snapshot_dir

        self.root = Path(root)
        # the snapshot that is current now (`store`): the linker holds the writer's lock, so it stays
        # current while the linker reads and rewrites it
        self.data = snapshot_dir(self.root) or self.root
        self.state_dir = self.root / "_graph"
        self.state_dir.mkdir(exist_ok=True)
        tmp = self.state_dir / "tmp"
        tmp.mkdir(exist_ok=True)
        self.con = duckdb.connect()
        self.con.execute(f"SET memory_limit='{memory_limit}'")
        self.limit_bytes = _setting_bytes(self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        self.con.execute(f"SET temp_directory='{tmp}'")
        self.con.execute("SET preserve_insertion_order=false")
        if threads:
            self.con.execute(f"SET threads={int(threads)}")

    # -- helpers -------------------------------------------------------------------------------
    def _glob(self, table: str) -> str:
        return str(self.data / table / "*.parquet")

    def _has(self, table: str) -> bool:
        return any((self.data / table).glob("*.parquet"))

    def _state(self) -> dict:
        p = self.state_dir / "state.json"
        return json.loads(p.read_text()) if p.exists() else {}

    def _save_state(self, state: dict) -> None:
        p = self.state_dir / "state.json"
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, p)

    def _write(self, table: str, query: str) -> int:
        """Replace a derived table by the result of a query, in one atomic rename."""
        d = self.data / table
        d.mkdir(exist_ok=True)
        tmp = d / f".part-{uuid.uuid4().hex}.tmp"
        schema = GRAPH_SCHEMAS[table]
        cols = ", ".join(f'CAST("{f.name}" AS {_duck_type(f.type)}) AS "{f.name}"' for f in schema)
        # small row groups: a query for one node or one source reads one group (min/max pruning)
        self.con.execute(f"COPY (SELECT {cols} FROM ({query})) TO '{tmp}' "
                         f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)")
        final = d / "part-00000001-derived.parquet"
        os.replace(tmp, final)
        for f in d.glob("*.parquet"):
            if f != final:
                f.unlink()
        return self.con.execute(f"SELECT count(*) FROM read_parquet('{final}')").fetchone()[0]

    def _drop(self, *tables: str) -> None:
        for t in tables:
            self.con.execute(f"DROP TABLE IF EXISTS {t}")

    def _present(self, part: str, *columns: str) -> str:
        """Those of `columns` that the Parquet file `part` has, each followed by a comma: what a
        rewrite of a part replaces (EXCLUDE) when the part may have been written before a column
        existed (columns are only ever added; the rewritten part has them all)."""
        have = {r[0] for r in self.con.execute(f"DESCRIBE SELECT * FROM read_parquet('{part}')").fetchall()}
        return "".join(f"{c}, " for c in columns if c in have)

    def _rows(self, view: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]

    def _pass_rows(self, at_calibration: int) -> int:
        """Rows a pass may aggregate under this linker's memory limit: `at_calibration` rows per
        PASS_LIMIT bytes of it (a limit DuckDB does not report in bytes keeps the calibration)."""
        if not self.limit_bytes:
            return at_calibration
        return max(1_000, int(at_calibration * self.limit_bytes / PASS_LIMIT))

    def _in_passes(self, table: str, key: str, rows: int, query: str, per_pass: int | None = None) -> None:
        """CREATE TEMP TABLE `table` AS `query`, run in passes: the query's `{pass}` is replaced by a
        condition on the hash of `key` (its GROUP BY key) that selects one pass's share of the
        groups, as many passes as `rows` (the rows it aggregates) has PASS_ROWS. The result is the
        same table (one group is in one pass), in a memory that does not grow with the archive."""
        n = max(1, -(-rows // self._pass_rows(per_pass or PASS_ROWS)))
        for i in range(n):
            cond = f"hash({key}) % {n} = {i}" if n > 1 else "true"
            q = query.replace("{pass}", cond)
            self.con.execute(f"CREATE TEMP TABLE {table} AS {q}" if i == 0 else f"INSERT INTO {table} {q}")

    # -- the run -------------------------------------------------------------------------------
    def _source(self, table: str, extra: str = "") -> str:
        """What reads every part of a table: `read_parquet` over its glob when all its parts have one
        schema (the usual case), else one `read_parquet` per schema, unioned by name.

        Why not `union_by_name=true` always: with it DuckDB opens every part when the query is bound
        and keeps every part's footer until the query ends, outside its memory limit (85 MB for the
        1,001 + 1,001 parts of a 100,000-document archive, growing with the parts). Without it, a
        scan holds the footer of the part it reads. The schemas are read once here, one footer at a
        time (`parquet_schema`)."""
        glob = self._glob(table)
        rows = self.con.execute(f"""
            SELECT file_name, string_agg(name || ' ' || coalesce(duckdb_type, type, '') || ' '
                                         || coalesce(repetition_type, ''), ', ' ORDER BY column_id NULLS FIRST, name)
            FROM parquet_schema('{glob}') GROUP BY file_name""").fetchall()
        groups: dict[str, list[str]] = defaultdict(list)
        for f, sig in rows:
            groups[sig].append(f)
        if len(groups) <= 1:
            return f"read_parquet('{glob}'{extra})"
        return "(" + " UNION ALL BY NAME ".join(
            f"SELECT * FROM read_parquet({_sql_list(sorted(files))}{extra})"
            for _, files in sorted(groups.items(), key=lambda g: min(g[1]))) + ")"

    def _view(self, name: str, table: str, extra: str = "") -> None:
        """A view over a table's parts with every column of today's schema: a part written before a
        column was added reads it as null (columns are only ever added)."""
        from .store import SCHEMAS

        src = self._source(table, extra)
        have = {r[0] for r in self.con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
        missing = [f for f in SCHEMAS[table] if f.name not in have]
        add = "".join(f', NULL::{_duck_type(f.type)} AS "{f.name}"' for f in missing)
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT *{add} FROM {src}")

    def run(self, full: bool = False) -> LinkStats:
        t0 = time.perf_counter()
        stats = LinkStats()
        con = self.con
        self._view("docs", "documents")
        self._view("cits", "citations", ", filename=true")
        batches = {r[0] for r in con.execute("SELECT DISTINCT batch_id FROM docs WHERE batch_id IS NOT NULL").fetchall()}
        state = self._state()
        done = set(state.get("batches", []))
        have_res = self._has("resolutions") and not full and state.get("version") == STATE_VERSION
        new = batches - done if have_res else batches
        stats.new_batches = len(new)
        stats.incremental = have_res
        if have_res and not new and done <= batches:
            # nothing new since the last link: the graph is current, nothing is written
            stats.nodes = con.execute(f"SELECT count(*) FROM read_parquet('{self._glob('nodes')}')").fetchone()[0]
            stats.edges = con.execute(f"SELECT count(*) FROM read_parquet('{self._glob('edges')}')").fetchone()[0]
            stats.seconds = time.perf_counter() - t0
            return stats
        self._keys()
        if have_res:
            # the keys a new batch can change: its own citations' keys, and every key of the number
            # and year of a new document (a yearless key: of its number)
            con.execute(f"CREATE TEMP TABLE new_batches AS SELECT unnest({_sql_list(sorted(new)) if new else '[]::VARCHAR[]'}) AS b")
            con.execute("""CREATE TEMP TABLE nd AS SELECT DISTINCT dig, y FROM dkeys WHERE batch_id IN (SELECT b FROM new_batches)""")
            con.execute("""CREATE TEMP TABLE touched AS
                SELECT DISTINCT target_key FROM (
                  SELECT c.target_key FROM cits c JOIN docs d USING (doc_id)
                  WHERE d.batch_id IN (SELECT b FROM new_batches) AND c.target_key IS NOT NULL
                  UNION ALL SELECT k.target_key FROM ckeys k JOIN nd ON k.dig = nd.dig AND k.y = nd.y
                  UNION ALL SELECT k.target_key FROM ckeys k JOIN nd ON k.dig = nd.dig
                            WHERE k.y IS NULL OR nd.y IS NULL)""")
            # ... and every dated key of their numbers and dates: an unresolved key is merged with its
            # external variants (`_cluster_external`: keys of one number's digits and one date) in one
            # decision over all of them (the most cited one represents them all; a key without an
            # issuer joins the one named group that fits it). A touched key re-decided alone lost its
            # variants that no new batch touched (its own external node beside theirs), and they kept a
            # representative chosen without it. A key's digits and date are the least of its
            # citations' (`_keys`): before a new citation they may have been another of its
            # citations' — those digits and dates are re-decided too.
            con.execute("""CREATE TEMP TABLE classes AS
                SELECT k.dig, k.d FROM ckeys k JOIN touched USING (target_key) WHERE k.d IS NOT NULL
                UNION
                SELECT g.dig, t.d FROM
                  (SELECT DISTINCT target_key, regexp_extract(number_key, '^[0-9]+', 0) AS dig FROM cits
                   WHERE target_key IN (SELECT target_key FROM touched)) g
                  JOIN (SELECT DISTINCT target_key, cited_date AS d FROM cits
                        WHERE target_key IN (SELECT target_key FROM touched) AND cited_date IS NOT NULL) t
                  USING (target_key)
                WHERE NOT starts_with(g.target_key, 'law:')""")
            con.execute("""CREATE TEMP TABLE affected AS
                SELECT target_key FROM touched
                UNION SELECT k.target_key FROM ckeys k JOIN classes c ON k.dig = c.dig AND k.d = c.d""")
            self._drop("touched", "classes")
        else:
            con.execute("CREATE TEMP TABLE affected AS SELECT target_key FROM ckeys")
        self._resolve(stats, incremental=have_res)
        stats.parts_rewritten = self._rewrite_citations()
        stats.drafts_joined = self._join_drafts()
        self._derive(stats)
        self._save_state({"version": STATE_VERSION, "batches": sorted(batches)})
        stats.seconds = time.perf_counter() - t0
        return stats

    def _keys(self) -> None:
        """Citation keys and document keys with their parts: number skeleton, its digits, date, year,
        issuer, type. A key is vb:NUMBER (a central normative number), vb:NUMBER|DATE-or-YEAR|issuer,
        or law:name[|year]; only keys of one number (digits) and compatible years can be one document."""
        con = self.con
        self._in_passes("ckeys", "target_key", self._rows("cits"), """
            SELECT target_key, min(number_key) AS sk,
                   CASE WHEN starts_with(target_key, 'law:') THEN split_part(target_key, '|', 1)
                        ELSE regexp_extract(min(number_key), '^[0-9]+', 0) END AS dig,
                   CASE WHEN starts_with(target_key, 'law:') THEN NULL ELSE min(cited_date) END AS d,
                   coalesce(year(min(cited_date)), min(cited_year),
                            TRY_CAST(regexp_extract(target_key, '^vb:[0-9]+[A-Za-z]?/([0-9]{4})/', 1) AS INTEGER),
                            TRY_CAST(regexp_extract(target_key, '^law:[^|]*\\|([0-9]{4})$', 1) AS INTEGER)) AS y,
                   split_part(target_key, '|', 3) AS iss,
                   min(cited_type) AS typ,
                   regexp_matches(target_key, '^vb:[0-9]+[A-Za-z]?/[0-9]{4}/[^|]*$') AS normative,
                   count(*) AS n,
                   -- the earliest citing document: what it cites cannot be later than it
                   min(coalesce(cd.issue_date, make_date(cd.issue_year, 12, 31))) AS cmin
            FROM cits LEFT JOIN (SELECT doc_id, min(issue_date) AS issue_date, min(issue_year) AS issue_year
                                 FROM docs GROUP BY doc_id) cd USING (doc_id)
            WHERE target_key IS NOT NULL AND {pass} GROUP BY target_key""")
        con.execute("""CREATE TEMP TABLE dkeys AS
            SELECT node_id, min(number_key) AS sk, regexp_extract(min(number_key), '^[0-9]+', 0) AS dig,
                   min(issue_date) AS d,
                   coalesce(year(min(issue_date)), min(issue_year),
                            TRY_CAST(regexp_extract(node_id, '^vb:[0-9]+[A-Za-z]?/([0-9]{4})/', 1) AS INTEGER)) AS y,
                   split_part(node_id, '|', 3) AS iss, min(doc_type) AS typ,
                   regexp_matches(node_id, '^vb:[0-9]+[A-Za-z]?/[0-9]{4}/[^|]*$') AS normative,
                   min(batch_id) AS batch_id
            FROM (SELECT * REPLACE (coalesce(node_key, node_id) AS node_id) FROM docs)
            WHERE starts_with(node_id, 'vb:') GROUP BY node_id
            UNION ALL
            -- an ingested law also answers to its name ("Luật An ninh mạng năm 2025")
            SELECT node_id, NULL, split_part(min(law_key), '|', 1), NULL,
                   coalesce(year(min(issue_date)), min(issue_year)), '', min(doc_type), false, min(batch_id)
            FROM docs WHERE law_key IS NOT NULL GROUP BY node_id""")

    def _resolve(self, stats: LinkStats, incremental: bool) -> None:
        con = self.con
        compat = """
            ((k.d IS NOT NULL AND k.d = d.d) OR k.cmin IS NULL OR d.d IS NULL OR d.d <= k.cmin) AND (
            (starts_with(k.dig, 'law:') AND (k.y IS NULL OR d.y IS NULL OR k.y = d.y))
            OR (k.normative AND d.normative
                AND (k.sk = d.sk OR (length(k.sk) >= 8 AND k.d IS NOT NULL AND k.d = d.d AND levenshtein(k.sk, d.sk) = 1)))
            OR (NOT k.normative AND NOT d.normative AND NOT starts_with(k.dig, 'law:')
                AND (k.sk = d.sk OR (length(k.sk) >= 6 AND k.d IS NOT NULL AND d.d IS NOT NULL
                                     AND levenshtein(k.sk, d.sk) = 1))
                AND (k.d IS NULL OR d.d IS NULL OR k.d = d.d)
                AND (k.y IS NULL OR d.y IS NULL OR k.y = d.y)
                AND (k.iss = '' OR d.iss = '' OR k.iss = d.iss
                     OR starts_with(d.iss, trim(split_part(k.iss, '<', 1)) || ' ')
                     OR starts_with(k.iss, d.iss || ' '))
                AND (k.typ IS NULL OR d.typ IS NULL OR k.typ = d.typ OR k.typ IN ('Văn bản', 'Công văn')
                     OR d.typ IN ('Văn bản', 'Công văn'))))"""
        con.execute("CREATE TEMP TABLE ak AS SELECT * FROM ckeys WHERE target_key IN (SELECT target_key FROM affected)")
        # candidate pairs, joined on the number's digits and year (hash joins), then checked
        con.execute(f"""CREATE TEMP TABLE cand AS
            WITH pairs AS (
              SELECT k.target_key, d.node_id, d.dig FROM ak k JOIN dkeys d ON k.dig = d.dig AND k.y = d.y
              UNION
              SELECT k.target_key, d.node_id, d.dig FROM (SELECT * FROM ak WHERE y IS NULL) k JOIN dkeys d ON k.dig = d.dig
              UNION
              SELECT k.target_key, d.node_id, d.dig FROM (SELECT * FROM ak WHERE y IS NOT NULL) k
                     JOIN (SELECT * FROM dkeys WHERE y IS NULL) d ON k.dig = d.dig)
            SELECT k.target_key, d.node_id,
                   coalesce(k.target_key = d.node_id OR (k.sk = d.sk AND k.d = d.d AND k.iss = d.iss AND k.iss <> '')
                            OR (k.normative AND k.sk = d.sk)
                            OR (starts_with(k.dig, 'law:') AND k.y = d.y), false) AS exact,
                   coalesce(k.sk <> d.sk, false) AS variant,
                   (k.d IS NULL) AS no_date, (k.iss = '') AS no_issuer
            FROM pairs p JOIN ak k ON k.target_key = p.target_key
                 JOIN dkeys d ON d.node_id = p.node_id AND d.dig = p.dig
            WHERE {compat}""")
        con.execute("""CREATE TEMP TABLE res_new AS
            WITH g AS (
              SELECT target_key, count(*) AS n, count(*) FILTER (WHERE exact) AS n_exact,
                     list(node_id ORDER BY node_id) AS cands,
                     arg_max(node_id, exact::INT * 1000000 - length(node_id)) AS best, bool_or(variant) AS variant,
                     bool_or(no_date) AS no_date, bool_or(no_issuer) AS no_issuer
              FROM cand GROUP BY target_key)
            SELECT k.target_key, k.dig || '|' || coalesce(k.y::VARCHAR, '') AS block,
              CASE WHEN g.n = 1 OR g.n_exact = 1 THEN g.best ELSE NULL END AS node_id,
              CASE WHEN g.n IS NULL THEN NULL
                   WHEN g.n_exact = 1 THEN 'exact'
                   WHEN g.n > 1 THEN 'ambiguous'
                   WHEN g.variant THEN 'variant'
                   WHEN g.no_date OR g.no_issuer THEN 'unique_candidate'
                   ELSE 'compatible' END AS method,
              CASE WHEN g.n IS NULL THEN NULL
                   WHEN g.n_exact = 1 THEN 1.0
                   WHEN g.n > 1 THEN 0.0
                   WHEN g.variant THEN 0.9
                   WHEN g.no_date AND g.no_issuer THEN 0.7
                   WHEN g.no_date OR g.no_issuer THEN 0.8
                   ELSE 0.9 END AS confidence,
              CASE WHEN g.n > 1 AND g.n_exact <> 1 THEN g.cands ELSE NULL END AS candidates
            FROM ak k LEFT JOIN g USING (target_key)""")
        self._cluster_external()
        con.execute("""UPDATE res_new SET node_id = target_key, method = 'external', confidence = 1.0
                       WHERE node_id IS NULL AND method IS NULL""")
        con.execute("""UPDATE res_new SET node_id = target_key WHERE method = 'ambiguous'""")
        row = con.execute("""SELECT count(*), count(*) FILTER (WHERE method NOT IN ('external', 'ambiguous',
                             'external_variant')), count(*) FILTER (WHERE method = 'ambiguous') FROM res_new""").fetchone()
        stats.keys, stats.resolved, stats.ambiguous = row
        keep = ""
        if incremental and self._has("resolutions"):
            keep = (f"UNION ALL SELECT target_key, node_id, method, confidence, candidates, block "
                    f"FROM read_parquet('{self._glob('resolutions')}') "
                    f"WHERE target_key NOT IN (SELECT target_key FROM affected)")
        self._write("resolutions", f"SELECT target_key, node_id, method, confidence, candidates, block FROM res_new {keep}")
        self._drop("cand", "res_new", "ak", "ckeys", "dkeys")  # what DuckDB holds is what is still needed

    def _cluster_external(self) -> None:
        """Unresolved keys of one number and date that are variants of each other → one external node.

        Union-find over the candidate pairs (few: same digits, same date). A key without an issuer
        joins a group only when exactly one group fits it; two named issuers never join."""
        con = self.con
        pairs = con.execute("""
            WITH u AS (SELECT k.* FROM ak k JOIN res_new r USING (target_key)
                       WHERE r.method IS NULL AND NOT starts_with(k.target_key, 'law:') AND k.d IS NOT NULL)
            SELECT a.target_key, b.target_key, a.iss, b.iss, a.n, b.n
            FROM u a JOIN u b ON a.dig = b.dig AND a.d = b.d AND a.target_key < b.target_key
            WHERE ((a.normative AND b.normative AND (a.sk = b.sk OR (length(a.sk) >= 8 AND levenshtein(a.sk, b.sk) = 1)))
               OR (NOT a.normative AND NOT b.normative
                   AND (a.sk = b.sk OR (length(a.sk) >= 6 AND levenshtein(a.sk, b.sk) = 1))
                   AND (a.iss = '' OR b.iss = '' OR a.iss = b.iss
                        OR starts_with(b.iss, trim(split_part(a.iss, '<', 1)) || ' ')
                        OR starts_with(a.iss, trim(split_part(b.iss, '<', 1)) || ' '))
                   AND (a.typ IS NULL OR b.typ IS NULL OR a.typ = b.typ OR a.typ IN ('Văn bản', 'Công văn')
                        OR b.typ IN ('Văn bản', 'Công văn'))))
            -- in one order: which loose key joins which group can depend on the order they are met
            ORDER BY 1, 2""").fetchall()
        # a yearless law name cited nowhere else with a year stays its own node: the archive cannot
        # tell "Luật Doanh nghiệp" of 2014 from that of 2020 (an ingested law is matched above)
        if not pairs:
            return
        parent: dict[str, str] = {}
        weight: dict[str, int] = {}
        named: dict[str, str] = {}

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[rb] = ra

        loose: dict[str, set[str]] = defaultdict(set)
        for a, b, ia, ib, na, nb in pairs:
            weight[a], weight[b] = na, nb
            if ia:
                named[a] = ia
            if ib:
                named[b] = ib
            if ia and ib:
                union(a, b)
            elif not ia and not ib:
                loose[a].add(b)
                loose[b].add(a)
            else:
                loose[a if not ia else b].add(b if not ia else a)
        # a key without an issuer joins the one named group that fits it, if only one does
        ambiguous_rows = []
        for key, others in loose.items():
            groups = {find(o) for o in others if o in named}
            if len(groups) == 1:
                union(groups.pop(), key)
            elif not groups:
                for o in others:
                    if o not in named:
                        union(o, key)
            else:
                ambiguous_rows.append((key, sorted(groups)))
        members: dict[str, list[str]] = defaultdict(list)
        for k in list(parent):
            members[find(k)].append(k)
        rows = []
        for group in members.values():
            if len(group) < 2:
                continue
            rep = max(group, key=lambda k: (weight.get(k, 0), bool(named.get(k)), k))
            rows.extend((k, rep, "external_variant" if k != rep else "external", 0.9 if k != rep else 1.0, None)
                        for k in group)
        rows.extend((k, k, "ambiguous", 0.0, g) for k, g in ambiguous_rows if k not in parent or len(members[find(k)]) < 2)
        if not rows:
            return
        t = pa.table({"target_key": [r[0] for r in rows], "node_id": [r[1] for r in rows],
                      "method": [r[2] for r in rows], "confidence": pa.array([r[3] for r in rows], pa.float32()),
                      "candidates": pa.array([r[4] for r in rows], pa.list_(pa.string()))})
        con.register("ext_rows", t)
        con.execute("""UPDATE res_new SET node_id = e.node_id, method = e.method, confidence = e.confidence,
                       candidates = e.candidates FROM ext_rows e
                       WHERE res_new.target_key = e.target_key AND res_new.method IS NULL""")
        con.unregister("ext_rows")

    def _join_drafts(self) -> int:
        """An unnumbered draft joins the one numbered document of its type, issuer, year and subject
        (the signed copy); with none or several it keeps its own draft node. documents.node_id is
        rewritten where it changed; documents.node_key keeps the draft's own key."""
        con = self.con
        con.execute("""CREATE TEMP TABLE drafts AS
            WITH d AS (SELECT DISTINCT node_key, paper_key, split_part(paper_key, '|', 2) AS y FROM docs
                       WHERE starts_with(node_key, 'draft:')),
                 n AS (SELECT DISTINCT node_key, paper_key, split_part(paper_key, '|', 2) AS y FROM docs
                       WHERE starts_with(node_key, 'vb:') AND paper_key IS NOT NULL),
                 m AS (SELECT d.node_key AS draft, n.node_key AS node FROM d JOIN n
                       ON split_part(d.paper_key, '|', 1) = split_part(n.paper_key, '|', 1)
                      AND split_part(d.paper_key, '|', 3) = split_part(n.paper_key, '|', 3)
                      AND split_part(d.paper_key, '|', 4) = split_part(n.paper_key, '|', 4)
                      AND (d.y = '' OR n.y = '' OR d.y = n.y))
            SELECT draft, any_value(node) AS node FROM m GROUP BY draft HAVING count(DISTINCT node) = 1""")
        files = [r[0] for r in con.execute("""
            SELECT DISTINCT filename FROM """ + self._source("documents", ", filename=true") + """ x
                   LEFT JOIN drafts ON drafts.draft = x.node_key
            WHERE x.node_key IS NOT NULL AND x.node_id IS DISTINCT FROM coalesce(drafts.node, x.node_key)""").fetchall()]
        for f in files:
            tmp = _hidden_tmp(f)  # a reader of the folder (pandas, pyarrow) never lists it
            con.execute(f"""COPY (
                SELECT x.* EXCLUDE ({self._present(f, "node_id", "node_method")}file_row_number),
                       coalesce(drafts.node, x.node_key) AS node_id,
                       CASE WHEN drafts.node IS NULL THEN 'own' ELSE 'draft_of' END AS node_method
                FROM read_parquet('{f}', file_row_number=true) x LEFT JOIN drafts ON drafts.draft = x.node_key
                ORDER BY x.file_row_number) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)""")
            _reorder(tmp, f, "documents")
        return con.execute("SELECT count(*) FROM drafts").fetchone()[0]

    def _rewrite_citations(self) -> int:
        """citations.target_id := the resolved node, in the parts where it changed (atomic per part)."""
        con = self.con
        con.execute(f"CREATE TEMP TABLE res AS SELECT target_key, node_id, method, confidence FROM read_parquet('{self._glob('resolutions')}')")
        files = [r[0] for r in con.execute("""
            SELECT DISTINCT c.filename FROM cits c JOIN res r USING (target_key)
            WHERE c.target_id IS DISTINCT FROM r.node_id OR c.resolution IS DISTINCT FROM r.method""").fetchall()]
        for f in files:
            tmp = _hidden_tmp(f)  # a reader of the folder (pandas, pyarrow) never lists it
            con.execute(f"""COPY (
                SELECT c.* EXCLUDE ({self._present(f, "target_id", "resolution", "resolution_confidence")}file_row_number),
                       coalesce(r.node_id, c.target_key) AS target_id, r.method AS resolution,
                       CAST(r.confidence AS FLOAT) AS resolution_confidence
                FROM read_parquet('{f}', file_row_number=true) c LEFT JOIN res r USING (target_key)
                ORDER BY c.file_row_number) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)""")
            _reorder(tmp, f, "citations")
        self._drop("res")
        return len(files)

    def _write_responses(self) -> None:
        """The `responses` table, as of the day of the link (`vanban responses KEY --as-of` recomputes)."""
        from .responses import all_responses
        from .store import GRAPH_SCHEMAS as _G

        con = self.con
        self._view("documents", "documents")
        self._view("tasks", "tasks")
        con.execute(f"CREATE OR REPLACE VIEW citations AS SELECT * FROM cits")
        rows = all_responses(con)
        t = pa.Table.from_pylist(rows, schema=_G["responses"])
        con.register("resp_rows", t)
        self._write("responses", "SELECT * FROM resp_rows")

    def _derive(self, stats: LinkStats) -> None:
        con = self.con
        self._view("cits", "citations")
        order = _sql_list(RELATION_ORDER)
        # edges: one row per (source, target), every relation of every mention, the first as evidence
        # in passes, by the source's hash: the states of this aggregation (the first mention's
        # strings) live outside what DuckDB can spill; a pass holds those of a bounded share of the
        # edges, whatever the size of the archive. Lean states: the relations of an edge are a bit
        # mask over the relations present (not a list of every mention's), its first mention's
        # document is the head of the least `doc_id || start` key (not a third copy of that key).
        rels = [r[0] for r in con.execute("""SELECT DISTINCT r FROM (SELECT relation AS r FROM cits UNION ALL
                                             SELECT relation_also FROM cits) WHERE r IS NOT NULL ORDER BY r""").fetchall()]
        if len(rels) <= 62:
            vals = _sql_list(rels) if rels else "[]::VARCHAR[]"
            bit = "CASE WHEN {x} IS NULL THEN 0::BIGINT ELSE 1::BIGINT << (list_position({vals}, {x}) - 1) END"
            rel_state = (f"bit_or({bit.format(x='c.relation', vals=vals)} | "
                         f"{bit.format(x='c.relation_also', vals=vals)}) AS mask")
            rel_list = f"list_filter({vals}, lambda r: (mask & (1::BIGINT << (list_position({vals}, r) - 1))) <> 0)"
        else:  # pragma: no cover - more relation names than bits
            rel_state = """list_distinct(flatten(list([c.relation] || CASE WHEN c.relation_also IS NULL THEN []
                                                              ELSE [c.relation_also] END))) AS mask"""
            rel_list = "mask"
        key = "c.doc_id || lpad(c.start::VARCHAR, 12, '0')"  # exactly 12 characters after the doc_id
        self._in_passes("e0", "d.node_id", self._rows("cits"), f"""
            SELECT d.node_id AS source, c.target_id AS target, {rel_state},
                   count(*) AS mentions, min({key}) AS first_key,
                   arg_min(c.mention, {key}) AS mention, arg_min(c.page, {key}) AS page, min(c.start) AS start
            FROM cits c JOIN docs d USING (doc_id)
            WHERE c.target_id IS NOT NULL AND d.node_id IS NOT NULL AND c.target_id <> d.node_id AND {{pass}}
            GROUP BY 1, 2""")
        con.execute(f"""CREATE TEMP VIEW e AS
            SELECT source, target, {rel_list} AS rels, mentions, left(first_key, length(first_key) - 12) AS doc_id,
                   mention, page, start FROM e0""")
        stats.edges = self._write("edges", f"""
            SELECT source, target, {order}[list_min(list_transform(rels, lambda r: list_position({order}, r)))] AS relation,
                   mentions, list_sort(rels) AS relations, doc_id, mention, page, start
            FROM e ORDER BY source, target""")
        # the same edges sorted by target: "who cites X" reads one row group too
        idx = self.state_dir / "edges_by_target.parquet"
        tmp = self.state_dir / f".edges_by_target-{uuid.uuid4().hex}.tmp"
        con.execute(f"""COPY (SELECT * FROM read_parquet('{self._glob("edges")}') ORDER BY target, source)
                        TO '{tmp}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)""")
        os.replace(tmp, idx)
        con.execute("DROP VIEW e")
        self._drop("e0")
        # status: a later ingested document that repeals, replaces or amends a node
        con.execute("""CREATE TEMP TABLE st AS
            SELECT c.target_id AS node_id,
                   CASE WHEN r = 'repeals' AND c.part IS NULL THEN 'repealed'
                        WHEN r = 'repeals' THEN 'partly_repealed'
                        WHEN r = 'replaces' AND c.part IS NULL THEN 'replaced'
                        WHEN r = 'replaces' THEN 'partly_replaced'
                        ELSE 'amended' END AS status,
                   d.node_id AS by_node, c.doc_id AS by_doc_id, r AS relation, c.part, c.mention, c.page,
                   c.start, d.issue_date AS date
            FROM (SELECT *, unnest([relation, relation_also]) AS r FROM cits) c JOIN docs d USING (doc_id)
            WHERE r IN ('repeals', 'replaces', 'amends') AND c.target_id IS NOT NULL
              AND c.target_id <> d.node_id""")
        self._write("status", "SELECT DISTINCT * FROM st ORDER BY node_id, date, by_node")
        self._drop("st")
        status_order = _sql_list(STATUS_ORDER)
        # nodes: ingested ones from documents (every file listed), external ones from citations
        # the ingested and the external nodes first, in passes (their aggregates keep every value
        # of a group until it ends, outside DuckDB's memory limit)
        self._in_passes("ing", "node_id", self._rows("docs"), f"""
              SELECT node_id, 'ingested' AS kind, any_value(doc_type ORDER BY doc_id) AS doc_type,
                     any_value(number ORDER BY doc_id) AS number, any_value(issue_date ORDER BY doc_id) AS issue_date,
                     any_value(issuer ORDER BY doc_id) AS issuer, min(doc_id) AS doc_id, NULL::VARCHAR AS name,
                     any_value(issue_year ORDER BY doc_id) AS issue_year,
                     any_value(issuer_canonical ORDER BY doc_id) AS issuer_canonical,
                     list(doc_id ORDER BY doc_id) AS doc_ids, any_value(subject ORDER BY doc_id) AS subject
              FROM docs WHERE node_id IS NOT NULL AND {{pass}} GROUP BY node_id""", per_pass=DOC_PASS_ROWS)
        self._in_passes("ext", "target_id", self._rows("cits"), f"""
              -- ties broken by value (ORDER BY inside the aggregate), not by the order the rows
              -- happen to be in: the same dataset links the same whichever worker wrote which row
              SELECT target_id AS node_id, 'external' AS kind, mode(cited_type ORDER BY cited_type) AS doc_type,
                     mode(cited_number ORDER BY cited_number) AS number,
                     mode(cited_date ORDER BY cited_date) AS issue_date,
                     mode(cited_issuer ORDER BY cited_issuer) AS issuer,
                     NULL::VARCHAR AS doc_id, mode(cited_name ORDER BY cited_name) AS name,
                     coalesce(year(mode(cited_date ORDER BY cited_date)), mode(cited_year ORDER BY cited_year)) AS issue_year,
                     mode(cited_issuer_canonical ORDER BY cited_issuer_canonical) AS issuer_canonical,
                     []::VARCHAR[] AS doc_ids, mode(cited_subject ORDER BY cited_subject) AS subject
              FROM cits WHERE target_id IS NOT NULL AND target_id NOT IN (SELECT node_id FROM ing) AND {{pass}}
              GROUP BY target_id""")
        stats.nodes = self._write("nodes", f"""
            WITH deg AS (SELECT target AS node_id, sum(mentions) AS mentions, count(*) AS cited_by
                    FROM read_parquet('{self._glob('edges')}') GROUP BY target),
            sts AS (SELECT node_id, arg_min(status, list_position({status_order}, status)) AS status,
                           arg_min(by_node, list_position({status_order}, status)) AS status_by,
                           arg_min(date, list_position({status_order}, status)) AS status_date
                    FROM read_parquet('{self._glob('status')}') GROUP BY node_id)
            SELECT n.node_id, kind, doc_type, number, issue_date, issuer, doc_id, name, issue_year, issuer_canonical,
                   doc_ids, coalesce(deg.mentions, 0) AS mentions, coalesce(deg.cited_by, 0) AS cited_by,
                   sts.status, sts.status_by, sts.status_date, subject
            FROM (SELECT * FROM ing UNION ALL BY NAME SELECT * FROM ext) n
            LEFT JOIN deg USING (node_id) LEFT JOIN sts USING (node_id)
            ORDER BY n.node_id""")
        self._drop("ing", "ext")
        self._write_responses()
        self._write("ambiguous", """
            SELECT c.doc_id, c.mention, c.start, c.page, c.target_key, r.candidates
            FROM cits c JOIN read_parquet('""" + self._glob("resolutions") + """') r USING (target_key)
            WHERE r.method = 'ambiguous' ORDER BY c.doc_id, c.start""")


def _hidden_tmp(final: str) -> str:
    """A temporary file beside `final` whose name starts with a dot: pandas and pyarrow skip it when
    they list a table folder (a name ending in .tmp is still listed by them, half-written)."""
    p = Path(final)
    return str(p.with_name(f".{p.name}.{uuid.uuid4().hex[:8]}.tmp"))


def _reorder(tmp: str, final: str, table: str) -> None:
    """Put the rewritten part's columns back in the table's order, then replace it atomically."""
    from .store import SCHEMAS

    t = pq.read_table(tmp)
    names = [n for n in SCHEMAS[table].names if n in t.column_names]
    t = t.select(names).cast(pa.schema([SCHEMAS[table].field(n) for n in names]))
    pq.write_table(t, tmp, compression="zstd")
    os.replace(tmp, final)


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_list(t):
        return _duck_type(t.value_type) + "[]"
    return {pa.string(): "VARCHAR", pa.date32(): "DATE", pa.int32(): "INTEGER", pa.int64(): "BIGINT",
            pa.float32(): "FLOAT", pa.bool_(): "BOOLEAN"}[t]


def link(root: str | os.PathLike, *, full: bool = False, memory_limit: str = "512MB",
         threads: int | None = None) -> LinkStats:
    """Link the dataset at `root` (incremental unless `full`). Returns counts and timing."""
    lk = Linker(root, memory_limit=memory_limit, threads=threads)
    try:
        return lk.run(full=full)
    finally:
        lk.con.close()
        shutil.rmtree(lk.state_dir / "tmp", ignore_errors=True)


def current_counts(root: str | os.PathLike) -> tuple[int, int] | None:
    """(nodes, edges) when the graph is current with the dataset, else None — found without DuckDB.

    Why: an unchanged nightly re-run writes nothing, and starting DuckDB only to learn that the
    graph is current was a third of its time. The documents parts are named by their batch
    (`part-<batch>.parquet`, `store`), so the batches linked (the link state) can be compared with
    the batches present from the file names alone; the counts come from the Parquet footers."""
    import pyarrow.parquet as pq

    from .store import snapshot_dir

    root = Path(root)
    data = snapshot_dir(root) or root
    state_file = root / "_graph" / "state.json"
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return None
    if state.get("version") != STATE_VERSION or not any((data / "resolutions").glob("*.parquet")):
        return None
    present = set()
    for f in (data / "documents").glob("part-*.parquet"):
        name = f.stem[len("part-"):].split("~")[0]  # a rewritten part keeps its batch before "~"
        if name.endswith("-empty"):
            continue
        present.add(name)
    if present != set(state.get("batches", [])):
        return None
    try:
        return tuple(sum(pq.read_metadata(f).num_rows for f in (data / t).glob("*.parquet"))
                     for t in ("nodes", "edges"))  # type: ignore[return-value]
    except OSError:
        return None


def build_graph(ds: Dataset, memory_limit: str = "512MB") -> tuple[int, int]:
    """The batch runner's hook: link the dataset it has just written (nothing when it is current),
    DuckDB held to `memory_limit` (`vanban ingest --link-memory-limit`)."""
    current = current_counts(ds.root)
    if current is not None:
        return current
    s = link(ds.root, memory_limit=memory_limit)
    return s.nodes, s.edges


__all__ = ["link", "build_graph", "LinkStats", "GRAPH_SCHEMAS", "RELATION_ORDER"]
