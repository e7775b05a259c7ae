"""Graph export: GraphML (read back by networkx), Neo4j bulk-import CSV, JSON Lines."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.graph.export import camel, export_graphml, export_jsonl, export_neo4j

LIST_STR = pa.list_(pa.string())

NODES_SCHEMA = pa.schema([
    ("node_id", pa.string()), ("kind", pa.string()), ("doc_type", pa.string()), ("number", pa.string()),
    ("name", pa.string()), ("issue_date", pa.date32()), ("issue_year", pa.int32()), ("issuer", pa.string()),
    ("issuer_canonical", pa.string()), ("doc_id", pa.string()), ("doc_ids", LIST_STR),
    ("mentions", pa.int32()), ("cited_by", pa.int32()), ("status", pa.string()), ("status_by", pa.string()),
    ("status_date", pa.date32()),
])
EDGES_SCHEMA = pa.schema([
    ("source", pa.string()), ("target", pa.string()), ("relation", pa.string()), ("relations", LIST_STR),
    ("mentions", pa.int32()), ("doc_id", pa.string()), ("mention", pa.string()), ("page", pa.int32()),
    ("start", pa.int64()),
])

KH = "vb:76/KH-UBND|2024-03-26|ủy ban nhân dân tỉnh quảng ngãi"
ND = "vb:56/2017/NĐ-CP"
LAW = "law:luật tổ chức chính quyền địa phương|2015"
DRAFT = 'doc:ab12"<&>'
ISSUER = "Ủy ban nhân dân tỉnh Quảng Ngãi"
TRICKY = 'Căn cứ "Luật", điều 1; khoản 2\ndòng mới <script>alert(1)</script> & \x00\x07\x0b\x1f hết'
TRICKY_CLEAN = 'Căn cứ "Luật", điều 1; khoản 2\ndòng mới <script>alert(1)</script> &  hết'

NODES = [
    {"node_id": KH, "kind": "ingested", "doc_type": "Kế hoạch", "number": "76/KH-UBND", "name": None,
     "issue_date": dt.date(2024, 3, 26), "issue_year": 2024, "issuer": ISSUER,
     "issuer_canonical": "ubnd tỉnh quảng ngãi", "doc_id": "f1", "doc_ids": ["f1", "f2;bản ký"],
     "mentions": 0, "cited_by": 0, "status": None, "status_by": None, "status_date": None},
    {"node_id": ND, "kind": "external", "doc_type": "Nghị định", "number": "56/2017/NĐ-CP", "name": None,
     "issue_date": dt.date(2017, 5, 9), "issue_year": 2017, "issuer": "Chính phủ", "issuer_canonical": None,
     "doc_id": None, "doc_ids": [], "mentions": 2, "cited_by": 1, "status": "amended", "status_by": KH,
     "status_date": dt.date(2024, 3, 26)},
    {"node_id": LAW, "kind": "external", "doc_type": "Luật", "number": None,
     "name": "Luật Tổ chức chính quyền địa phương", "issue_date": None, "issue_year": 2015, "issuer": None,
     "issuer_canonical": None, "doc_id": None, "doc_ids": None, "mentions": 1, "cited_by": 1,
     "status": None, "status_by": None, "status_date": None},
]
# written as a second part, without the newer columns (a part written before they were added)
OLD_NODES = [{"node_id": DRAFT, "kind": "ingested", "doc_type": None, "number": None,
              "issue_date": None, "issuer": TRICKY, "doc_id": "f3"}]
EDGES = [
    {"source": KH, "target": ND, "relation": "basis", "relations": ["basis", "implements"], "mentions": 2,
     "doc_id": "f1", "mention": TRICKY, "page": 1, "start": 120},
    {"source": KH, "target": LAW, "relation": "repeals", "relations": ["repeals"], "mentions": 1,
     "doc_id": "f1", "mention": "Luật Tổ chức chính quyền địa phương năm 2015", "page": None, "start": None},
    {"source": DRAFT, "target": KH, "relation": None, "relations": [], "mentions": 1,
     "doc_id": "f3", "mention": None, "page": 2, "start": 5_000_000_000},
    {"source": KH, "target": "vb:không có", "relation": "basis", "relations": ["basis"], "mentions": 1,
     "doc_id": "f1", "mention": "dangling", "page": 1, "start": 1},  # target is not a node: skipped
]
DOCUMENTS = [{"doc_id": "f1", "subject": "Về việc triển khai, \"thực hiện\"; năm 2024", "signer": "Trần Văn A",
              "pages": 3}]


def _write(root: Path, table: str, rows: list[dict], schema: pa.Schema, name: str = "part-0.parquet") -> None:
    (root / table).mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), root / table / name)


@pytest.fixture
def data(tmp_path) -> Path:
    root = tmp_path / "ds"
    _write(root, "nodes", NODES, NODES_SCHEMA)
    _write(root, "nodes", OLD_NODES, pa.schema([f for f in NODES_SCHEMA if f.name in OLD_NODES[0]]),
           "part-1.parquet")
    _write(root, "edges", EDGES, EDGES_SCHEMA)
    _write(root, "documents", DOCUMENTS, pa.schema([("doc_id", pa.string()), ("subject", pa.string()),
                                                    ("signer", pa.string()), ("pages", pa.int32())]))
    return root


@pytest.fixture
def empty(tmp_path) -> Path:
    root = tmp_path / "empty"
    _write(root, "nodes", [], NODES_SCHEMA)
    _write(root, "edges", [], EDGES_SCHEMA)
    return root


def _no_leftovers(d: Path) -> None:
    assert not [p.name for p in d.iterdir() if p.name.startswith(".")]


# -- GraphML -------------------------------------------------------------------------------------

def test_graphml_round_trip(data, tmp_path):
    out = tmp_path / "out" / "graph.graphml"
    res = export_graphml(data, out)
    assert (res.nodes, res.edges, res.skipped_edges, res.files) == (4, 3, 1, [str(out)])
    _no_leftovers(out.parent)
    g = nx.read_graphml(out)
    assert g.is_directed()
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 3
    kh = g.nodes[KH]
    assert kh["issuer"] == ISSUER
    assert kh["issue_date"] == "2024-03-26" and kh["issue_year"] == 2024
    assert kh["doc_ids"] == "f1; f2;bản ký"
    assert kh["subject"] == DOCUMENTS[0]["subject"] and kh["pages"] == 3  # from documents
    assert kh["label"] == "76/KH-UBND" and g.nodes[LAW]["label"] == "Luật Tổ chức chính quyền địa phương"
    nd = g.nodes[ND]
    assert nd["status"] == "amended" and nd["status_by"] == KH and nd["mentions"] == 2
    assert "doc_ids" not in nd and "doc_id" not in nd  # empty list and null omitted
    assert g.nodes[DRAFT]["issuer"] == TRICKY_CLEAN  # escaped, illegal XML characters stripped
    e = g.edges[KH, ND]
    assert e["relation"] == "basis" and e["relations"] == "basis; implements" and e["mentions"] == 2
    assert e["mention"] == TRICKY_CLEAN and e["page"] == 1 and e["start"] == 120
    assert g.edges[DRAFT, KH]["start"] == 5_000_000_000 and "relation" not in g.edges[DRAFT, KH]
    assert "page" not in g.edges[KH, LAW]
    for _, attrs in list(g.nodes(data=True)) + [(None, d) for *_, d in g.edges(data=True)]:
        assert all(v not in ("None", "null", "nan", "") for v in attrs.values())


def test_graphml_declares_typed_keys(data, tmp_path):
    out = tmp_path / "g.graphml"
    export_graphml(data, out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert 'edgedefault="directed"' in text
    assert 'attr.name="issue_year" attr.type="int"' in text
    assert 'attr.name="start" attr.type="long"' in text
    assert 'attr.name="issue_date" attr.type="string"' in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "None" not in text


# -- Neo4j ---------------------------------------------------------------------------------------

def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        r = csv.reader(fh)
        header = next(r)
        return header, [dict(zip(header, row)) for row in r]


def test_neo4j_csv(data, tmp_path):
    out = tmp_path / "neo4j"
    res = export_neo4j(data, out)
    assert (res.nodes, res.edges, res.skipped_edges) == (4, 3, 1)
    assert sorted(Path(f).name for f in res.files) == ["import.sh", "nodes.csv", "relationships.csv"]
    _no_leftovers(out)
    header, nodes = _read_csv(out / "nodes.csv")
    assert header[0] == "nodeId:ID" and header[-1] == ":LABEL"
    for h in ("kind", "docType", "number", "name", "issueDate:date", "issueYear:int", "issuer",
              "issuerCanonical", "status", "statusBy", "statusDate:date", "docIds:string[]", "mentions:int",
              "citedBy:int", "docId", "subject", "pages:int"):
        assert h in header
    by_id = {n["nodeId:ID"]: n for n in nodes}
    assert set(by_id) == {KH, ND, LAW, DRAFT}
    assert by_id[KH][":LABEL"] == "Document;Ingested" and by_id[ND][":LABEL"] == "Document;External"
    assert by_id[KH]["docIds:string[]"] == "f1;f2,bản ký"  # ';' inside an item cannot survive
    assert by_id[ND]["docIds:string[]"] == "" and by_id[LAW]["issuer"] == ""
    assert by_id[KH]["issueDate:date"] == "2024-03-26" and by_id[KH]["issuer"] == ISSUER
    assert by_id[DRAFT]["issuer"] == TRICKY.replace("\x00", "")  # quoted, line break kept
    assert by_id[KH]["subject"] == DOCUMENTS[0]["subject"]

    rheader, rels = _read_csv(out / "relationships.csv")
    assert rheader[:5] == [":START_ID", ":END_ID", ":TYPE", "relations:string[]", "mentions:int"]
    assert {"docId", "mention", "page:int", "start:long"} <= set(rheader)
    assert all(r[":START_ID"] in by_id and r[":END_ID"] in by_id for r in rels)
    types = {(r[":START_ID"], r[":END_ID"]): r[":TYPE"] for r in rels}
    assert types == {(KH, ND): "BASIS", (KH, LAW): "REPEALS", (DRAFT, KH): "CITES"}
    first = next(r for r in rels if r[":END_ID"] == ND)
    assert first["relations:string[]"] == "basis;implements" and first["mention"] == TRICKY.replace("\x00", "")

    script = (out / "import.sh").read_text()
    assert ('neo4j-admin database import full "${1:-neo4j}" --nodes="$DIR/nodes.csv" '
            '--relationships="$DIR/relationships.csv" --array-delimiter=";"') in script


def test_camel():
    assert camel("issue_date") == "issueDate" and camel("node_id") == "nodeId" and camel("kind") == "kind"


# -- JSON Lines ----------------------------------------------------------------------------------

def test_jsonl(data, tmp_path):
    out = tmp_path / "graph.jsonl"
    res = export_jsonl(data, out)
    assert (res.nodes, res.edges, res.skipped_edges) == (4, 3, 1)
    raw = out.read_text(encoding="utf-8")
    assert ISSUER in raw  # not \u-escaped
    rows = [json.loads(line) for line in raw.splitlines()]
    assert [r["type"] for r in rows] == ["node"] * 4 + ["edge"] * 3
    nodes = {r["node_id"]: r for r in rows if r["type"] == "node"}
    assert nodes[KH]["issue_date"] == "2024-03-26" and nodes[KH]["doc_ids"] == ["f1", "f2;bản ký"]
    assert nodes[ND]["doc_ids"] == [] and nodes[LAW]["doc_ids"] is None
    assert nodes[DRAFT]["issuer"] == TRICKY and nodes[DRAFT]["issue_year"] is None
    edges = [r for r in rows if r["type"] == "edge"]
    assert all(e["source"] in nodes and e["target"] in nodes for e in edges)
    assert next(e for e in edges if e["target"] == ND)["relations"] == ["basis", "implements"]


# -- empty and missing tables ----------------------------------------------------------------------

def test_empty_tables(empty, tmp_path):
    g_res = export_graphml(empty, tmp_path / "e.graphml")
    g = nx.read_graphml(tmp_path / "e.graphml")
    assert (g_res.nodes, g_res.edges, g.number_of_nodes(), g.number_of_edges()) == (0, 0, 0, 0)
    n_res = export_neo4j(empty, tmp_path / "neo")
    header, rows = _read_csv(tmp_path / "neo" / "nodes.csv")
    assert (n_res.nodes, n_res.edges, rows) == (0, 0, [])
    assert header[0] == "nodeId:ID" and header[-1] == ":LABEL"
    assert _read_csv(tmp_path / "neo" / "relationships.csv")[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    j_res = export_jsonl(empty, tmp_path / "e.jsonl")
    assert (j_res.nodes, j_res.edges) == (0, 0) and (tmp_path / "e.jsonl").read_text() == ""


def test_missing_tables_and_minimal_columns(tmp_path):
    root = tmp_path / "min"
    _write(root, "nodes", [{"node_id": "a"}, {"node_id": "b"}, {"node_id": "a"}], pa.schema([("node_id", pa.string())]))
    assert export_jsonl(tmp_path / "nothing", tmp_path / "n.jsonl").as_dict()["nodes"] == 0  # no tables at all
    res = export_neo4j(root, tmp_path / "neo")  # no edges table; a repeated node id is written once
    assert (res.nodes, res.edges) == (2, 0)
    header, rows = _read_csv(tmp_path / "neo" / "nodes.csv")
    assert header == ["nodeId:ID", ":LABEL"] and [r["nodeId:ID"] for r in rows] == ["a", "b"]
    assert rows[0][":LABEL"] == "Document"
    g = nx.read_graphml(export_graphml(root, tmp_path / "m.graphml").files[0])
    assert sorted(g.nodes) == ["a", "b"] and g.nodes["a"]["label"] == "a"


def test_failed_export_leaves_no_file(tmp_path):
    root = tmp_path / "bad"
    _write(root, "nodes", [{"id": "a"}], pa.schema([("id", pa.string())]))
    with pytest.raises(ValueError, match="node_id"):
        export_graphml(root, tmp_path / "out" / "g.graphml")
    assert not (tmp_path / "out" / "g.graphml").exists()
    _no_leftovers(tmp_path / "out")


def test_crash_mid_export_keeps_the_previous_file(data, tmp_path, monkeypatch):
    from pipeline.graph import export

    out = tmp_path / "graph.jsonl"
    out.write_text("previous export\n", encoding="utf-8")
    calls = []

    def boom(kind, row):
        calls.append(kind)
        if len(calls) == 3:
            raise RuntimeError("disk gone")
        return "{}"
    monkeypatch.setattr(export, "_json_record", boom)
    with pytest.raises(RuntimeError):
        export_jsonl(data, out)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    _no_leftovers(tmp_path)


def test_typed_columns_added_later(tmp_path):
    root = tmp_path / "typed"
    schema = pa.schema([("node_id", pa.string()), ("score", pa.float64()), ("ocr", pa.bool_()),
                        ("years", pa.list_(pa.int32())), ("seen_at", pa.timestamp("s", tz="UTC"))])
    _write(root, "nodes", [{"node_id": "a", "score": 0.5, "ocr": True, "years": [2015, 2024],
                            "seen_at": dt.datetime(2024, 3, 26, 8, 0, tzinfo=dt.timezone.utc)},
                           {"node_id": "b", "score": float("nan"), "ocr": None, "years": None, "seen_at": None}],
           schema)
    g = nx.read_graphml(export_graphml(root, tmp_path / "t.graphml").files[0])
    assert g.nodes["a"]["score"] == 0.5 and g.nodes["a"]["ocr"] is True and g.nodes["a"]["years"] == "2015; 2024"
    assert g.nodes["a"]["seen_at"].startswith("2024-03-26T08:00:00")
    assert set(g.nodes["b"]) == {"label"}  # NaN and nulls omitted
    export_neo4j(root, tmp_path / "neo")
    header, rows = _read_csv(tmp_path / "neo" / "nodes.csv")
    assert header == ["nodeId:ID", "score:double", "ocr:boolean", "years:int[]", "seenAt:datetime", ":LABEL"]
    assert rows[0]["years:int[]"] == "2015;2024" and rows[0]["ocr:boolean"] == "true" and rows[1]["score:double"] == ""
    export_jsonl(root, tmp_path / "t.jsonl")
    rows = [json.loads(x) for x in (tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[1]["score"] is None and rows[0]["years"] == [2015, 2024]
