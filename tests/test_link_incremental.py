"""An incremental link (the nightly one: only the keys a new batch touches are re-resolved) writes
exactly what a full link of the same dataset writes: every derived table, the order of its rows, and
the rewritten columns of every citations and documents part.

Each test links a synthetic archive, adds a batch, links incrementally, then links a copy of the
result in full and compares the two table by table (a readable difference first, then the digest of
everything, `graph_bench.link_fingerprint`)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.graph.link as L
from pipeline.evaluation.graph_bench import link_fingerprint
from pipeline.evaluation.synth import add_documents, make_archive
from pipeline.graph.store import snapshot_dir

TABLES = ["resolutions", "ambiguous", "nodes", "edges", "status", "responses"]
PART_COLUMNS = {"citations": "doc_id, start, target_key, target_id, resolution, resolution_confidence",
                "documents": "doc_id, node_key, node_id, node_method"}


def _rows(root: Path) -> dict[str, list[tuple]]:
    data = snapshot_dir(root) or root
    con = duckdb.connect()
    try:
        out = {}
        for t in TABLES:
            if not any((data / t).glob("*.parquet")):
                out[t] = []
                continue
            out[t] = sorted(con.execute(f"SELECT * FROM read_parquet('{data / t}/*.parquet')").fetchall(), key=repr)
        for t, cols in PART_COLUMNS.items():
            out[t] = sorted(con.execute(f"SELECT {cols} FROM read_parquet('{data / t}/*.parquet', union_by_name=true)")
                            .fetchall(), key=repr)
        return out
    finally:
        con.close()


def _full_copy(root: Path, to: Path) -> L.LinkStats:
    shutil.copytree(root, to, symlinks=True)
    return L.link(to, full=True)


def assert_same_graph(incremental: Path, full: Path) -> None:
    a, b = _rows(incremental), _rows(full)
    for t in a:
        ra, rb = Counter(map(repr, a[t])), Counter(map(repr, b[t]))  # rows hold lists: compared as text
        only_inc, only_full = sorted((ra - rb).elements())[:5], sorted((rb - ra).elements())[:5]
        assert (len(a[t]), only_inc) == (len(b[t]), only_full), (
            f"{t}: {len(a[t])} rows incremental, {len(b[t])} full; "
            f"only incremental {only_inc}; only full {only_full}")
    assert link_fingerprint(incremental) == link_fingerprint(full)  # row order and the edges index too


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """500 documents in 5 batches, linked in full."""
    root = tmp_path_factory.mktemp("incr") / "base"
    make_archive(root, n_docs=500, n_citations=5000, batch_size=100)
    L.link(root, full=True)
    return root


def _copy(archive: Path, to: Path) -> Path:
    shutil.copytree(archive, to, symlinks=True)
    return to


def test_incremental_link_after_a_new_batch_is_the_full_link(archive, tmp_path):
    root = _copy(archive, tmp_path / "a")
    add_documents(root, n=100, batch_size=50)  # two more batches, some of them cited as external before
    inc = L.link(root)
    assert inc.incremental and inc.new_batches == 2
    full = _full_copy(root, tmp_path / "b")
    assert (inc.nodes, inc.edges) == (full.nodes, full.edges)
    assert full.parts_rewritten == 0  # the incremental link left no citation to correct
    assert_same_graph(root, tmp_path / "b")


def test_a_key_that_an_old_batch_merged_with_its_variants_is_cited_again(archive, tmp_path):
    """The new batch cites one variant spelling of an external document whose other spellings only
    old batches cite: the spellings stay one node, represented by the most cited one."""
    root = _copy(archive, tmp_path / "a")
    data = snapshot_dir(root)
    res = pq.read_table(data / "resolutions").to_pylist()
    variant = sorted(r["target_key"] for r in res if r["method"] == "external_variant")[0]
    _add_batch_citing(root, variant)
    L.link(root)
    _full_copy(root, tmp_path / "b")
    got = {r["target_key"]: r["node_id"] for r in pq.read_table(snapshot_dir(root) / "resolutions").to_pylist()}
    assert got[variant] != variant  # still merged with its other spellings, not a node of its own
    assert_same_graph(root, tmp_path / "b")


def test_a_new_citation_gives_a_merged_key_an_earlier_date(archive, tmp_path):
    """A normative key's date is its earliest citation's: a new citation with an earlier date moves
    it away from the variants it was merged with; they are merged again without it."""
    root = _copy(archive, tmp_path / "a")
    data = snapshot_dir(root)
    res = pq.read_table(data / "resolutions").to_pylist()
    reps: dict[str, int] = {}
    for r in res:
        if r["method"] == "external_variant":
            reps[r["node_id"]] = reps.get(r["node_id"], 0) + 1
    rep = sorted((k for k, n in reps.items() if n >= 2 and k.count("|") == 0), key=lambda k: (-reps[k], k))[0]
    cits = pq.read_table(data / "citations", filters=[("target_key", "=", rep)])
    date = min(d for d in cits.column("cited_date").to_pylist() if d is not None)
    _add_batch_citing(root, rep, cited_date=date - dt.timedelta(days=1))
    L.link(root)
    _full_copy(root, tmp_path / "b")
    got = {r["target_key"]: r["node_id"] for r in pq.read_table(snapshot_dir(root) / "resolutions").to_pylist()}
    assert got[rep] == rep
    assert not any(got[r["target_key"]] == rep for r in res if r["node_id"] == rep and r["target_key"] != rep)
    assert_same_graph(root, tmp_path / "b")


def _parts(root: Path) -> set[str]:
    """The names of the citations parts that hold rows (not the empty part that gives a new dataset
    its schema); a name, not a path: each batch makes a new snapshot folder."""
    return {f.name for f in (snapshot_dir(root) / "citations").glob("part-*.parquet") if pq.read_metadata(f).num_rows}


def _add_batch_citing(root: Path, key: str, cited_date: dt.date | None = None) -> None:
    """One more batch (synthetic), whose first citation is made to cite `key` (as an old citation of
    it does, with `cited_date` when given)."""
    before = _parts(root)
    add_documents(root, n=20, batch_size=20)
    data = snapshot_dir(root)
    (name,) = _parts(root) - before  # batch ids of one second do not sort in time
    new = data / "citations" / name
    like = pq.read_table(data / "citations", filters=[("target_key", "=", key)]).slice(0, 1).to_pylist()[0]
    t = pq.read_table(new)
    rows = t.to_pylist()
    keep = {"doc_id", "mention", "start", "end", "page", "part", "relation", "relation_cue", "relation_also",
            "short_form", "target_id", "resolution", "resolution_confidence"}
    rows[0] = {k: (rows[0][k] if k in keep else like[k]) for k in rows[0]}
    rows[0].update(target_id=key, resolution=None, resolution_confidence=None)
    if cited_date is not None:
        rows[0].update(cited_date=cited_date, cited_year=cited_date.year)
    tmp = new.with_name(".rewrite.tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=t.schema), tmp, compression="zstd")
    os.replace(tmp, new)  # a new file: the older snapshots' hard links keep theirs


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_citations_parts_written_before_the_resolution_columns(archive, tmp_path, mode):
    """A part without `resolution` and `resolution_confidence` is rewritten with them."""
    root = _copy(archive, tmp_path / "a")
    ref = _copy(archive, tmp_path / "ref")
    old = sorted(_parts(root))[::2]  # old batches only: a new batch is written with today's schema
    for d in (root, ref):
        add_documents(d, n=40, batch_size=40, seed=3)
    parts = [snapshot_dir(root) / "citations" / n for n in _parts(root)]
    for f in (snapshot_dir(root) / "citations" / n for n in old):
        t = pq.read_table(f).drop_columns(["resolution", "resolution_confidence"])
        tmp = f.with_name(".drop.tmp")
        pq.write_table(t, tmp, compression="zstd")
        os.replace(tmp, f)
    s = L.link(root, full=mode == "full")
    assert s.incremental == (mode == "incremental")
    assert s.parts_rewritten >= len(old)
    for f in parts:
        assert {"resolution", "resolution_confidence"} <= set(pq.read_schema(f).names)
    L.link(ref, full=mode == "full")
    assert _rows(root) == _rows(ref)  # what the parts of today's schema link to
    _full_copy(root, tmp_path / "b")
    assert_same_graph(root, tmp_path / "b")
