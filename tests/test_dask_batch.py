"""Dask sends small text documents several to a task (`backends._batch`): Dask's own cost per task
(~4 ms of CPU across scheduler, worker and client) was most of the time of a text document. Each
document of a batch still runs alone in the Dask worker's one-process pool (deadline, memory limit),
a batch whose worker is lost sends its documents again alone (so one document that kills its
worker costs no other one its record), and the records are the local pool's."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
pytest.importorskip("distributed")

from pipeline.evaluation.hostile import good_texts  # noqa: E402

from pipeline.backends import DaskPool, _batch, _batchable, _Raised, make_pool  # noqa: E402
from pipeline.limits import Limits  # noqa: E402
from pipeline.models import DocumentRecord, Failure  # noqa: E402


def write_texts(d: Path, n: int) -> list[str]:
    d.mkdir(parents=True, exist_ok=True)
    for name, text in good_texts(n):
        (d / name).write_text(text, encoding="utf-8")
    return sorted(str(p) for p in d.iterdir())


def _register():
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])


# -- on the worker, without Dask ----------------------------------------------------------------------
def _fake(task, limits, ocr, split_pages, env):
    if "bad" in task:
        raise ValueError("boom")
    return (task, limits["doc_timeout"], ocr, split_pages, env)


def test_a_batch_is_each_document_as_alone_in_order():
    lim = Limits().as_dict()
    out = _batch(_fake, ["a.txt", "bad.txt", "c.txt"], lim, False, None, {"X": "1"})
    assert out[0] == ("a.txt", lim["doc_timeout"], False, None, {"X": "1"})
    assert isinstance(out[1], _Raised) and "ValueError: boom" in out[1].error
    assert out[2][0] == "c.txt"


def test_only_small_plain_text_files_are_batched(tmp_path):
    from pipeline.document import PageGroup

    (tmp_path / "a.txt").write_text("x" * 100)
    (tmp_path / "big.txt").write_text("x" * 5000)
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    assert _batchable(str(tmp_path / "a.txt"), 1000)
    assert not _batchable(str(tmp_path / "big.txt"), 1000)
    assert not _batchable(str(tmp_path / "a.pdf"), 1000)
    assert not _batchable(str(tmp_path / "missing.txt"), 1000)
    assert not _batchable(PageGroup((str(tmp_path / "a.txt"),)), 1000)


# -- on a LocalCluster ---------------------------------------------------------------------------------
def test_batched_records_are_the_local_pools(tmp_path):
    paths = write_texts(tmp_path / "in", 40)
    local = make_pool("local", jobs=2, ocr=False)
    try:
        want = dict(local.run(paths))
    finally:
        local.close()
    pool = DaskPool(jobs=2, ocr=False)
    try:
        got = dict(pool.run(paths))
    finally:
        pool.close()
    assert pool.batches >= 2 and pool.killed == 0
    assert set(got) == set(paths)
    for p in paths:
        assert isinstance(got[p], DocumentRecord), got[p]
        assert got[p] == want[p], p


def _kill_worker_on_victim(task, limits, ocr, split_pages, env):
    if "victim" in str(task):
        os.kill(os.getpid(), signal.SIGKILL)
    from pipeline.backends import _task

    return _task(task, limits, ocr, split_pages, env)


def test_a_lost_batch_sends_its_documents_again_alone(tmp_path):
    """The victim kills its Dask worker: its batch is lost twice (Dask's retry), then each of its
    documents is sent alone: the others are records, the victim a `worker lost` failure row."""
    _register()
    src = tmp_path / "in"
    paths = write_texts(src, 6)
    (src / "victim.txt").write_text(good_texts(7)[6][1], encoding="utf-8")
    tasks = paths[:3] + [str(src / "victim.txt")] + paths[3:]
    pool = DaskPool(jobs=2, ocr=False, fn=_kill_worker_on_victim)
    try:
        out = list(pool.run(tasks))
    finally:
        pool.close()
    assert pool.batches >= 1
    got = dict(out)
    assert len(out) == len(tasks) and set(got) == set(tasks)
    bad = got[str(src / "victim.txt")]
    assert isinstance(bad, Failure) and bad.stage == "worker" and bad.transient
    assert bad.error.startswith("worker lost:") and "retried" in bad.error
    assert all(isinstance(got[p], DocumentRecord) for p in paths)
    assert pool.killed == 1


def _stuck_on_slow(task, limits, ocr, split_pages, env):
    """The document named stuck.txt is read as the slow PDF next to it (a stuck reader)."""
    from pipeline.backends import _task

    if str(task).endswith("stuck.txt"):
        task = str(task)[:-len("stuck.txt")] + "slow.pdf"
    return _task(task, limits, ocr, split_pages, env)


def test_a_document_past_its_deadline_in_a_batch_costs_that_document_only(tmp_path):
    from test_nightly import slow_pdf

    _register()
    src = tmp_path / "in"
    paths = write_texts(src, 6)
    (src / "stuck.txt").write_text(good_texts(7)[6][1], encoding="utf-8")
    slow_pdf(tmp_path / "slow.pdf")
    os.replace(tmp_path / "slow.pdf", src / "slow.pdf")
    tasks = paths[:2] + [str(src / "stuck.txt")] + paths[2:]
    pool = DaskPool(jobs=1, ocr=False, limits=Limits(doc_timeout=2, page_timeout=0, memory_mb=4000),
                    fn=_stuck_on_slow)
    try:
        got = dict(pool.run(tasks))
    finally:
        pool.close()
    assert pool.batches == 1  # all in one task: the documents after the stuck one ran after its kill
    bad = got[str(src / "stuck.txt")]
    assert isinstance(bad, Failure) and bad.stage == "timeout" and "timed out after 2 s" in bad.error
    assert all(isinstance(got[p], DocumentRecord) for p in paths)
    assert pool.killed == 1


def test_a_raw_pool_passes_the_pickled_record_on(tmp_path):
    """The Dask worker's pool (`raw`): a document worker's record comes as the bytes it pickled (the
    client unpickles them: one unpickle and one pickle less on the Dask worker), the same record
    as the local pool's; a failure the pool itself makes (timeout) stays an object."""
    import pickle

    from pipeline.worker import WorkerPool
    from test_nightly import slow_pdf

    paths = write_texts(tmp_path / "in", 3)
    slow_pdf(tmp_path / "slow.pdf")
    tasks = [paths[0], str(tmp_path / "slow.pdf"), *paths[1:]]
    lim = Limits(doc_timeout=2, page_timeout=0, memory_mb=4000)
    got = {}
    for raw in (False, True):
        pool = WorkerPool(jobs=1, limits=lim, ocr=False, raw=raw)
        try:
            got[raw] = dict(pool.run(tasks))
        finally:
            pool.close()
    for p in paths:
        assert isinstance(got[True][p], bytes) and pickle.loads(got[True][p]) == got[False][p]
    slow = got[True][str(tmp_path / "slow.pdf")]
    assert isinstance(slow, Failure) and slow.stage == "timeout"
