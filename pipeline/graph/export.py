"""Export the citation graph (tables `nodes`, `edges`, plus a few `documents` columns) for other tools.

Why: the Parquet dataset is the pipeline's own store; analysts look at the graph in Gephi or
networkx, load it into Neo4j to query it with Cypher, or feed it to scripts line by line. Each
exporter streams: DuckDB reads the Parquet parts (`union_by_name`, so parts written before a
column was added still read) and hands over Arrow batches, which are written out row by row. No
exporter builds the whole graph in memory, and DuckDB spills its sort to a temporary folder
next to the output. Every file is written under a temporary name and renamed into place
(`os.replace`), so a crash never leaves a half-written file under the final name.

Formats handled:
GraphML (`export_graphml`): one XML file for Gephi, yEd, networkx, igraph.
Neo4j bulk-import CSV (`export_neo4j`): nodes.csv, relationships.csv, import.sh for `neo4j-admin database import full`.
JSON Lines (`export_jsonl`): one JSON object per node, then one per edge.

Rules shared by all formats:
- every column present in `nodes` / `edges` is exported, columns added later included; a node also
  gets the columns of DOCUMENT_ATTRS from its representative document (`doc_id`) when `nodes` does
  not already have them;
- nodes are ordered by node_id, a repeated node_id is written once (Neo4j refuses duplicates);
- edges are ordered by (source, target, relation); an edge whose source or target is not a node is
  skipped and counted in `ExportResult.skipped_edges` (Neo4j refuses such edges);
- dates and timestamps are ISO strings.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import os
import re
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa

# Columns of a node's representative document added to the node (when present, and when the nodes
# table has no column of that name): what a person looking at the graph wants to read.
DOCUMENT_ATTRS: tuple[str, ...] = ("subject", "signer", "signer_title", "place", "issuer_parent", "pages")
BATCH_ROWS = 10_000
MEMORY_LIMIT = os.environ.get("VANBAN_EXPORT_MEMORY", "1GB")  # DuckDB spills its sort to disk beyond this
LIST_SEPARATOR = "; "  # GraphML: list items joined into one string
NEO4J_ARRAY_DELIMITER = ";"
DEFAULT_RELATION_TYPE = "CITES"  # Neo4j :TYPE of an edge without a relation

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class ExportResult:
    format: str
    nodes: int = 0
    edges: int = 0
    skipped_edges: int = 0  # edges whose source or target is not a node (or null)
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"format": self.format, "nodes": self.nodes, "edges": self.edges,
                "skipped_edges": self.skipped_edges, "files": list(self.files)}


# -- reading -------------------------------------------------------------------------------------

def _parts(data_dir: Path, table: str) -> list[str]:
    d = data_dir / table
    if not d.is_dir():
        return []
    return sorted(str(f) for f in d.glob("*.parquet") if f.is_file() and not f.name.startswith((".", "_")))


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Graph:
    """The dataset's graph tables seen through DuckDB; yields the schema and rows of a query."""

    def __init__(self, data_dir: str | os.PathLike, spill_dir: str):
        self.dir = Path(data_dir)
        self.con = duckdb.connect(config={
            "temp_directory": spill_dir, "memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False})
        self.cols: dict[str, list[str]] = {}
        for table, empty in (("nodes", "SELECT NULL::VARCHAR AS node_id WHERE false"),
                             ("edges", "SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS target WHERE false"),
                             ("documents", "SELECT NULL::VARCHAR AS doc_id WHERE false")):
            files = _parts(self.dir, table)
            src = (f"SELECT * FROM read_parquet([{', '.join(_sql_str(f) for f in files)}], union_by_name=true)"
                   if files else empty)
            self.con.execute(f"CREATE VIEW {table} AS {src}")
            self.cols[table] = [r[0] for r in self.con.execute(f"DESCRIBE {table}").fetchall()]
        if "node_id" not in self.cols["nodes"]:
            raise ValueError(f"{self.dir / 'nodes'}: no node_id column")
        missing = {"source", "target"} - set(self.cols["edges"])
        if missing:
            raise ValueError(f"{self.dir / 'edges'}: no {', '.join(sorted(missing))} column")

    def close(self) -> None:
        self.con.close()

    def _cursor(self):
        cur = self.con.cursor()
        cur.execute("SET enable_progress_bar = false")  # a per-connection setting; it writes to stderr
        return cur

    def schema(self, sql: str) -> pa.Schema:
        cur = self._cursor()
        try:
            return self._reader(cur, f"SELECT * FROM ({sql}) LIMIT 0").schema
        finally:
            cur.close()

    @staticmethod
    def _reader(cur, sql: str) -> pa.RecordBatchReader:
        rel = cur.sql(sql)
        # a lazy Arrow stream; the method's name changed across DuckDB versions
        for name in ("to_arrow_reader", "fetch_arrow_reader", "record_batch"):
            if hasattr(rel, name):
                return getattr(rel, name)(BATCH_ROWS)
        return cur.execute(sql).fetch_record_batch(BATCH_ROWS)  # pragma: no cover - old DuckDB

    def rows(self, sql: str) -> Iterator[dict]:
        """The rows of a query, batch by batch; the query runs when iteration starts, on its own
        cursor, closed (its memory freed) as soon as the rows are consumed."""
        cur = self._cursor()
        try:
            for batch in self._reader(cur, sql):
                yield from batch.to_pylist()
        finally:
            cur.close()

    def node_sql(self, document_attrs=DOCUMENT_ATTRS) -> str:
        ncols, dcols = self.cols["nodes"], self.cols["documents"]
        extra = [c for c in document_attrs if c in dcols and c not in ncols and c != "doc_id"]
        if extra and "doc_id" in ncols:
            d = ", ".join(f"d.{_ident(c)}" for c in extra)
            return (f"SELECT n.*, {d} FROM nodes n LEFT JOIN documents d ON n.doc_id = d.doc_id "
                    "WHERE n.node_id IS NOT NULL ORDER BY n.node_id")
        return "SELECT * FROM nodes WHERE node_id IS NOT NULL ORDER BY node_id"

    def nodes(self, sql: str) -> Iterator[dict]:
        last = None
        for r in self.rows(sql):  # sorted, so a repeated node_id (or document) is adjacent
            if r["node_id"] != last:
                last = r["node_id"]
                yield r

    def edge_sql(self) -> str:
        """Edges whose both ends are nodes (Neo4j refuses the others)."""
        order = "e.source, e.target" + (", e.relation" if "relation" in self.cols["edges"] else "")
        return ("SELECT e.* FROM edges e WHERE e.source IN (SELECT node_id FROM nodes) "
                f"AND e.target IN (SELECT node_id FROM nodes) ORDER BY {order}")

    def edge_total(self) -> int:
        return self.con.execute("SELECT count(*) FROM edges").fetchone()[0]


@contextmanager
def _graph(data_dir, out_path: Path):
    """A _Graph whose DuckDB spill folder sits next to the output (same disk, cleaned up after)."""
    out_path.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".export-spill-", dir=out_path) as spill:
        g = _Graph(data_dir, spill)
        try:
            yield g
        finally:
            g.close()


@contextmanager
def _atomic(path: Path):
    """A text file written under a temporary name, fsynced and renamed into place on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


# -- value conversion ------------------------------------------------------------------------------

def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def _scalar_text(v) -> str | None:
    """A scalar as text (ISO dates, lower-case booleans); None for null and NaN."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else repr(v)
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return v.decode("utf-8", "replace")
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(_json_value(v), ensure_ascii=False, sort_keys=True)
    return str(v)


def _json_value(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, decimal.Decimal):
        return float(v) if v.is_finite() else None
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    return _scalar_text(v)


# -- GraphML -------------------------------------------------------------------------------------

def _xml_text(s: str) -> str:
    s = _XML_ILLEGAL.sub("", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_attr(s: str) -> str:
    return (_xml_text(s).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))


def _graphml_type(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "int" if t.bit_width <= 32 and not (pa.types.is_unsigned_integer(t) and t.bit_width == 32) else "long"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "double"
    return "string"


def _graphml_value(v, t: pa.DataType) -> str | None:
    """Text of one <data> element, None to omit it (null, NaN, empty string or empty list)."""
    if v is None:
        return None
    if _is_list(t):
        items = [s for s in (_scalar_text(x) for x in v) if s]
        return LIST_SEPARATOR.join(items) or None
    if pa.types.is_decimal(t):
        v = float(v)
    return _scalar_text(v) or None


def export_graphml(data_dir: str | os.PathLike, path: str | os.PathLike,
                   document_attrs: tuple[str, ...] = DOCUMENT_ATTRS) -> ExportResult:
    """Write the graph as one directed GraphML file. Node attributes are the node columns (lists
    joined with "; "), a `label` for Gephi (number, else name, else node id) and DOCUMENT_ATTRS;
    edge attributes are the edge columns. Null values are omitted, never written as "None"."""
    path = Path(path)
    res = ExportResult("graphml", files=[str(path)])
    with _graph(data_dir, path.parent) as g, _atomic(path) as fh:
        nsql, esql = g.node_sql(document_attrs), g.edge_sql()
        nschema, eschema = g.schema(nsql), g.schema(esql)
        nfields = [f for f in nschema if f.name != "node_id"]
        efields = [f for f in eschema if f.name not in ("source", "target")]
        add_label = "label" not in nschema.names
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                 'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        nkeys = [(f"n{i}", f) for i, f in enumerate(nfields)]
        ekeys = [(f"e{i}", f) for i, f in enumerate(efields)]
        if add_label:
            fh.write('  <key id="label" for="node" attr.name="label" attr.type="string"/>\n')
        for kind, keys in (("node", nkeys), ("edge", ekeys)):
            for kid, f in keys:
                fh.write(f'  <key id="{kid}" for="{kind}" attr.name="{_xml_attr(f.name)}" '
                         f'attr.type="{_graphml_type(f.type)}"/>\n')
        fh.write('  <graph id="citations" edgedefault="directed">\n')
        buf: list[str] = []
        for r in g.nodes(nsql):
            buf.append(f'    <node id="{_xml_attr(r["node_id"])}">\n')
            if add_label:
                label = r.get("number") or r.get("name") or r["node_id"]
                buf.append(f'      <data key="label">{_xml_text(str(label))}</data>\n')
            for kid, f in nkeys:
                s = _graphml_value(r[f.name], f.type)
                if s is not None:
                    buf.append(f'      <data key="{kid}">{_xml_text(s)}</data>\n')
            buf.append("    </node>\n")
            res.nodes += 1
            if len(buf) > 4096:
                fh.write("".join(buf))
                buf.clear()
        for r in g.rows(esql):
            buf.append(f'    <edge source="{_xml_attr(r["source"])}" target="{_xml_attr(r["target"])}">\n')
            for kid, f in ekeys:
                s = _graphml_value(r[f.name], f.type)
                if s is not None:
                    buf.append(f'      <data key="{kid}">{_xml_text(s)}</data>\n')
            buf.append("    </edge>\n")
            res.edges += 1
            if len(buf) > 4096:
                fh.write("".join(buf))
                buf.clear()
        buf.append("  </graph>\n</graphml>\n")
        fh.write("".join(buf))
        res.skipped_edges = g.edge_total() - res.edges
    return res


# -- Neo4j ---------------------------------------------------------------------------------------

def camel(name: str) -> str:
    """issue_date → issueDate (a Neo4j property name: letters, digits, no separators)."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    if not parts:
        return "value"
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _neo4j_type(t: pa.DataType) -> str | None:
    """The header type of a column (None: string, the default)."""
    if _is_list(t):
        inner = _neo4j_type(t.value_type) or "string"
        return "string[]" if inner.endswith("[]") else inner + "[]"  # a nested list: items as JSON text
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "int" if t.bit_width <= 32 and not (pa.types.is_unsigned_integer(t) and t.bit_width == 32) else "long"
    if pa.types.is_float16(t) or pa.types.is_float32(t):
        return "float"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "double"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "datetime" if t.tz else "localdatetime"
    if pa.types.is_time(t):
        return "localtime"
    return None


def _neo4j_header(name: str, t: pa.DataType) -> str:
    nt = _neo4j_type(t)
    return camel(name) + (f":{nt}" if nt else "")


def _csv_text(v) -> str | None:
    s = _scalar_text(v)
    return s.replace("\x00", "") if s is not None else None


def _neo4j_value(v, t: pa.DataType) -> str | None:
    """One CSV field; None is an empty field (no property). Array items lose their ';' (→ ',')."""
    if v is None:
        return None
    if _is_list(t):
        items = [s.replace(NEO4J_ARRAY_DELIMITER, ",") for s in (_csv_text(x) for x in v) if s]
        return NEO4J_ARRAY_DELIMITER.join(items) or None
    if pa.types.is_decimal(t):
        v = float(v)
    return _csv_text(v)


def _label(kind) -> str:
    k = re.sub(r"[^0-9A-Za-z]+", "", str(kind or "").title())
    return "Document;" + k if k else "Document"


def _rel_type(relation) -> str:
    t = re.sub(r"[^0-9A-Z]+", "_", str(relation or "").upper()).strip("_")
    if not t:
        return DEFAULT_RELATION_TYPE
    return "R_" + t if t[0].isdigit() else t


NEO4J_COMMAND = ('neo4j-admin database import full "${1:-neo4j}" --nodes="$DIR/nodes.csv" '
                 '--relationships="$DIR/relationships.csv" --array-delimiter=";" --multiline-fields=true')

IMPORT_SH = f"""#!/bin/sh
# Bulk-load this folder into a new Neo4j 5 database (written by pipeline.graph.export).
# The database must not exist yet, or the DBMS be stopped (add --overwrite-destination=true to
# replace an existing one); then CREATE DATABASE / start Neo4j. Usage: ./import.sh [database]
# Fields may hold line breaks (quoted), hence --multiline-fields=true.
# Neo4j 4.x: neo4j-admin import --database=neo4j --nodes=nodes.csv --relationships=relationships.csv --array-delimiter=";" --multiline-fields=true
set -e
DIR=$(cd "$(dirname "$0")" && pwd)
{NEO4J_COMMAND}
"""


def export_neo4j(data_dir: str | os.PathLike, out_dir: str | os.PathLike,
                 document_attrs: tuple[str, ...] = DOCUMENT_ATTRS) -> ExportResult:
    """Write nodes.csv, relationships.csv and import.sh into out_dir for
    `neo4j-admin database import full`. Property names are camelCase with typed headers
    (`nodeId:ID`, `issueDate:date`, `docIds:string[]`, `mentions:int`); a node's labels are
    `Document;<Kind>`; a relationship's :TYPE is its primary relation upper-cased (BASIS…)."""
    out = Path(out_dir)
    files = [out / "nodes.csv", out / "relationships.csv", out / "import.sh"]
    res = ExportResult("neo4j", files=[str(f) for f in files])
    with _graph(data_dir, out) as g, _atomic(files[0]) as nf, _atomic(files[1]) as ef:
        nsql, esql = g.node_sql(document_attrs), g.edge_sql()
        nschema = g.schema(nsql)
        nfields = [f for f in nschema if f.name != "node_id"]
        w = csv.writer(nf, lineterminator="\n")
        w.writerow(["nodeId:ID"] + [_neo4j_header(f.name, f.type) for f in nfields] + [":LABEL"])
        for r in g.nodes(nsql):
            w.writerow([_csv_text(r["node_id"])] + [_neo4j_value(r[f.name], f.type) for f in nfields]
                       + [_label(r.get("kind"))])
            res.nodes += 1
        efields = [f for f in g.schema(esql) if f.name not in ("source", "target", "relation")]
        w = csv.writer(ef, lineterminator="\n")
        w.writerow([":START_ID", ":END_ID", ":TYPE"] + [_neo4j_header(f.name, f.type) for f in efields])
        for r in g.rows(esql):
            w.writerow([_csv_text(r["source"]), _csv_text(r["target"]), _rel_type(r.get("relation"))]
                       + [_neo4j_value(r[f.name], f.type) for f in efields])
            res.edges += 1
        res.skipped_edges = g.edge_total() - res.edges
    with _atomic(files[2]) as fh:
        fh.write(IMPORT_SH)
    os.chmod(files[2], 0o755)
    return res


# -- JSON Lines ----------------------------------------------------------------------------------

def _json_record(kind: str, row: dict) -> str:
    rec = {"type": kind}
    for k, v in row.items():
        rec["_type" if k == "type" else k] = _json_value(v)
    return json.dumps(rec, ensure_ascii=False, allow_nan=False)


def export_jsonl(data_dir: str | os.PathLike, path: str | os.PathLike,
                 document_attrs: tuple[str, ...] = DOCUMENT_ATTRS) -> ExportResult:
    """Write one JSON object per line: {"type": "node", <node columns>} rows, then
    {"type": "edge", <edge columns>} rows. UTF-8 unescaped, nulls as null, lists as arrays."""
    path = Path(path)
    res = ExportResult("jsonl", files=[str(path)])
    with _graph(data_dir, path.parent) as g, _atomic(path) as fh:
        for r in g.nodes(g.node_sql(document_attrs)):
            fh.write(_json_record("node", r) + "\n")
            res.nodes += 1
        for r in g.rows(g.edge_sql()):
            fh.write(_json_record("edge", r) + "\n")
            res.edges += 1
        res.skipped_edges = g.edge_total() - res.edges
    return res
