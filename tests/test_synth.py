"""The synthetic archive and the graph over it, at a small size (the benchmark runs it at 100,000)."""
from __future__ import annotations

import pytest

duckdb = pytest.importorskip("duckdb")

from pipeline.evaluation.synth import add_documents, make_archive, truth_table  # noqa: E402
from pipeline.graph.link import link  # noqa: E402

N_DOCS, N_CITS = 2000, 20000


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth") / "archive"
    info = make_archive(root, n_docs=N_DOCS, n_citations=N_CITS, seed=0, batch_size=500)
    stats = link(root, full=True)
    con = duckdb.connect()
    nodes_before = dict(con.execute(f"SELECT node_id, kind FROM read_parquet('{root}/nodes/*.parquet')").fetchall())
    return root, info, stats, nodes_before, con


def q(con, sql):
    return con.execute(sql).fetchall()


def test_requested_counts(archive):
    root, info, _, _, con = archive
    assert info["documents"] == N_DOCS and info["citations"] == N_CITS
    assert info["batches"] == N_DOCS // 500
    assert q(con, f"SELECT count(*) FROM read_parquet('{root}/documents/*.parquet')")[0][0] == N_DOCS
    assert q(con, f"SELECT count(*) FROM read_parquet('{root}/citations/*.parquet')")[0][0] == N_CITS
    # every citation's span is the mention in the page text
    bad = q(con, f"""SELECT count(*) FROM read_parquet('{root}/citations/*.parquet') c
                     JOIN read_parquet('{root}/pages/*.parquet') p USING (doc_id)
                     WHERE substr(p.text, c.start + 1, c."end" - c.start) <> c.mention""")[0][0]
    assert bad == 0


def test_link_gives_nodes_and_edges(archive):
    _, info, stats, nodes, _ = archive
    assert stats.nodes == len(nodes) > N_DOCS * 0.9
    assert stats.edges > N_CITS * 0.5
    assert "external" in set(nodes.values()) and "ingested" in set(nodes.values())
    assert info["max_cited"] >= 100  # Zipf-like: some documents are cited very often


def test_same_number_of_two_provinces_is_two_nodes(archive):
    root, _, _, nodes, con = archive
    # an administrative number ("92/KH-UBND") issued by the Ủy ban of two provinces
    rows = q(con, f"""SELECT number, list(DISTINCT node_id) FROM read_parquet('{root}/documents/*.parquet')
                      WHERE NOT regexp_matches(number, '^[0-9]+/[0-9]{{4}}/')
                        AND issuer_canonical LIKE 'Ủy ban nhân dân tỉnh %'
                      GROUP BY number HAVING count(DISTINCT issuer_canonical) >= 2""")
    assert rows, "the archive should hold one number issued by two provinces"
    for _, ids in rows:
        assert len(ids) >= 2
        for node_id in ids:
            assert nodes[node_id] == "ingested"


def test_typo_variant_resolves_to_its_document(archive):
    root, _, _, _, con = archive
    rows = q(con, f"""SELECT c.cited_number, c.target_key, c.target_id, t.true_target, c.resolution
                      FROM read_parquet('{truth_table(root)}') t
                      JOIN read_parquet('{root}/citations/*.parquet') c USING (doc_id, start)
                      WHERE t.variant = 'typo' AND t.ingested
                        AND NOT regexp_matches(t.true_target, '^vb:[0-9]+/[0-9]{{4}}/')""")
    assert len(rows) >= 20
    for number, key, target, truth, method in rows:
        assert key != truth, number  # the typo makes another key …
        assert target == truth, (number, key, target, method)  # … which the graph resolves to the document
        assert method == "variant"


def test_incremental_link_ingests_new_and_external(archive):
    root, _, _, before, con = archive
    added = add_documents(root, n=300, seed=1)
    stats = link(root)
    assert stats.incremental and stats.new_batches == 1
    after = dict(q(con, f"SELECT node_id, kind FROM read_parquet('{root}/nodes/*.parquet')"))
    assert all(after.get(n) == "ingested" for n in added["new_nodes"])
    revived = [n for n in added["revived_nodes"] if before.get(n) == "external"]
    assert len(revived) >= 10
    assert all(after[n] == "ingested" for n in revived)
    assert q(con, f"SELECT count(*) FROM read_parquet('{root}/documents/*.parquet')")[0][0] == N_DOCS + 300


def test_same_seed_same_archive(tmp_path):
    a = make_archive(tmp_path / "a", n_docs=150, n_citations=1200, seed=3)
    b = make_archive(tmp_path / "b", n_docs=150, n_citations=1200, seed=3)
    assert a["citations"] == b["citations"] == 1200
    con = duckdb.connect()
    ids = [q(con, f"SELECT list(node_id ORDER BY node_id), list(doc_id ORDER BY doc_id) "
                  f"FROM read_parquet('{tmp_path / x}/documents/*.parquet')")[0] for x in ("a", "b")]
    assert ids[0] == ids[1]
