"""Atomic batches: a crash before COMMIT leaves nothing, after COMMIT is finished on reopen."""
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.errors import StoreError
from pipeline.models import DocumentRecord, Failure, Page
from pipeline.graph.store import SCHEMAS, Dataset


def rec(i: int) -> DocumentRecord:
    return DocumentRecord(doc_id=f"d{i}", source_path=f"/x/{i}.txt", source_sha256=f"s{i}", kind="txt",
                          pages=[Page(1, f"text {i}")])


def test_batch_and_dedup(tmp_path):
    with Dataset(tmp_path) as ds:
        assert ds.write_batch([rec(1), rec(2)], []) == (2, 0)
        assert ds.write_batch([rec(2), rec(3)], [Failure("/x/bad", "read", "empty file")]) == (1, 1)
    with Dataset(tmp_path) as ds:
        assert ds.doc_ids() == {"d1", "d2", "d3"}
        assert ds.read("failures").num_rows == 1
        assert ds.read("pages").num_rows == 3


def test_uncommitted_staging_is_dropped(tmp_path):
    with Dataset(tmp_path) as ds:
        ds.write_batch([rec(1)], [])
    stage = tmp_path / "_staging" / "crashed"
    stage.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([], schema=SCHEMAS["documents"]), stage / "documents.parquet")
    with Dataset(tmp_path) as ds:
        assert not stage.exists()
        assert ds.doc_ids() == {"d1"}


def test_committed_staging_is_finished(tmp_path):
    with Dataset(tmp_path) as ds:
        ds.write_batch([rec(1)], [])
    # simulate a crash after COMMIT and after moving only the first file
    from pipeline.graph.store import document_rows
    import datetime as dt

    rows = document_rows(rec(2), "b2", dt.datetime.now(dt.timezone.utc))
    stage = tmp_path / "_staging" / "b2"
    stage.mkdir(parents=True)
    for t in ("documents", "pages"):
        pq.write_table(pa.Table.from_pylist(rows[t], schema=SCHEMAS[t]), stage / f"{t}.parquet")
    (stage / "COMMIT").write_text(json.dumps({"batch_id": "b2"}))
    os.replace(stage / "documents.parquet", tmp_path / "documents" / "part-b2.parquet")
    with Dataset(tmp_path) as ds:
        assert ds.doc_ids() == {"d1", "d2"}
        assert ds.read("pages").num_rows == 2
        assert not (tmp_path / "_staging" / "b2").exists()


def test_second_writer_is_refused(tmp_path):
    with Dataset(tmp_path):
        with pytest.raises(StoreError, match="locked"):
            Dataset(tmp_path).open()


def test_stale_lock_of_dead_process_is_taken_over(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "_lock").write_text("999999\n")
    with Dataset(tmp_path) as ds:
        ds.write_batch([rec(1)], [])
