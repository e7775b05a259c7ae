"""The linker's memory work (views without union_by_name, aggregations in passes, lean edge states)
changes nothing it writes.

`fixtures/link_fingerprint.json` is the digest (`graph_bench.link_fingerprint`: every derived table,
the row order of nodes and edges, the rewritten columns of every citations and documents part) of
what the linker of commit b1f9e15 — before this work — wrote for the synthetic archive below: a full
link of 3,000 documents, then an incremental link after 200 more. The incremental half was
regenerated when the incremental link was made to equal a full link (it had split groups of
external variants: 3,422 nodes where a full link of the same 3,200 documents gives 3,420;
tests/test_link_incremental.py). Regenerate it (after a deliberate
change of what the linker writes) with `_build_and_link(tmp)` and json.dump of its result."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import pipeline.graph.link as L
from pipeline.evaluation.graph_bench import link_fingerprint
from pipeline.evaluation.synth import add_documents, make_archive
from pipeline.graph.store import snapshot_dir

GOLDEN = Path(__file__).parent / "fixtures" / "link_fingerprint.json"


def _norm(fp: dict) -> dict:
    return {k: list(v) for k, v in fp.items()}


def _build_and_link(root: Path, before_link=None) -> dict:
    make_archive(root, n_docs=3000, n_citations=30000, batch_size=100)
    if before_link:
        before_link(root)
    L.link(root, full=True)
    full = _norm(link_fingerprint(root))
    add_documents(root, n=200, batch_size=100)
    L.link(root)
    return {"full": full, "incremental": _norm(link_fingerprint(root))}


def test_output_is_the_same_as_before_the_memory_work(tmp_path):
    assert _build_and_link(tmp_path / "a") == json.loads(GOLDEN.read_text())


def test_output_is_the_same_in_many_passes_and_with_parts_of_older_schemas(tmp_path, monkeypatch):
    """Passes forced (5 over the citations, 5 over the documents) and half the citations parts
    written before `relation_cue` and `cited_issuer_raw` existed (columns the linker does not read)."""
    monkeypatch.setattr(L, "PASS_ROWS", 7000)
    monkeypatch.setattr(L, "DOC_PASS_ROWS", 700)
    monkeypatch.setattr(L, "PASS_LIMIT", L._setting_bytes("488.2 MiB"))  # DuckDB's reading of the default 512MB

    def old_parts(root: Path) -> None:
        parts = sorted((snapshot_dir(root) / "citations").glob("part-*.parquet"))
        for f in parts[::2]:
            t = pq.read_table(f)
            t = t.drop_columns(["relation_cue", "cited_issuer_raw"])
            pq.write_table(t, f, compression="zstd")

    assert _build_and_link(tmp_path / "b", before_link=old_parts) == json.loads(GOLDEN.read_text())


def test_pass_size_follows_the_memory_limit(tmp_path):
    """A pass aggregates PASS_ROWS rows per PASS_LIMIT bytes of DuckDB's limit: more under a larger
    limit (fewer scans), fewer under a smaller one (bounded state), never less than 1,000."""
    make_archive(tmp_path, n_docs=20, n_citations=100, batch_size=20)
    sizes = {}
    for limit in ("160MB", "512MB", "2GB", "100KB"):
        lk = L.Linker(tmp_path, memory_limit=limit)
        try:
            sizes[limit] = lk._pass_rows(L.PASS_ROWS)
        finally:
            lk.con.close()
    assert abs(sizes["160MB"] - L.PASS_ROWS) <= L.PASS_ROWS // 100  # (DuckDB reads it back rounded: "152.5 MiB")
    assert L.PASS_ROWS < sizes["512MB"] < sizes["2GB"]
    assert 3 * L.PASS_ROWS <= sizes["512MB"] <= 3.3 * L.PASS_ROWS
    assert sizes["100KB"] == 1_000
    assert L._setting_bytes("488.2 MiB") == int(488.2 * 2**20)
    assert L._setting_bytes("unlimited") is None


def test_a_table_of_two_schemas_is_read_as_one(tmp_path):
    make_archive(tmp_path, n_docs=300, n_citations=3000, batch_size=100)
    parts = sorted((snapshot_dir(tmp_path) / "citations").glob("part-*.parquet"))
    t = pq.read_table(parts[0])
    pq.write_table(t.drop_columns(["cited_subject"]), parts[0])
    lk = L.Linker(tmp_path)
    try:
        src = lk._source("citations")
        assert "UNION ALL BY NAME" in src
        lk._view("cits", "citations")
        n, missing = lk.con.execute("SELECT count(*), count(*) FILTER (WHERE cited_subject IS NULL) FROM cits").fetchone()
        assert n == 3000 and missing >= t.num_rows
        assert "UNION" not in lk._source("documents")  # one schema: one read_parquet over the glob
    finally:
        lk.con.close()
