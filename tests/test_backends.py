"""Backends (issue 12): the same per-document function on local worker processes, in process, or
on a Dask cluster gives the same tables; long scans split into page tasks give the record that
processing them whole gives; discovery streams; pools take tasks lazily (memory flat); a Dask
worker lost mid-task is retried once, then a failure row; Ctrl-C closes the cluster."""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline.evaluation.hostile import REPO, good_texts  # noqa: E402

from pipeline.backends import DaskPool, make_pool  # noqa: E402
from pipeline.discovery import iter_discover  # noqa: E402
from pipeline.errors import ExitCode  # noqa: E402
from pipeline.graph.store import Dataset, SCHEMAS  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402
from pipeline.models import DocumentRecord, Failure  # noqa: E402
from pipeline.text.sources import discover  # noqa: E402

SAMPLES = REPO / "corpus" / "samples"
SHARED_LOCAL = Path(os.environ.get("VANBAN_SHARED_CORPUS", REPO.parent / "shared" / "corpus")) / "local"
RUN_COLUMNS = {"batch_id", "ingested_at", "failed_at"}  # differ from run to run by design


# -- helpers ---------------------------------------------------------------------------------------
def _canon(v):
    if isinstance(v, float) and v != v:
        return "NaN"
    if isinstance(v, (list, tuple)):
        return [_canon(x) for x in v]
    if isinstance(v, dict):
        return {k: _canon(x) for k, x in v.items()}
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.hex()
    return v


def tables(out: Path) -> dict[str, list[str]]:
    """Every table of a dataset, run-specific columns dropped, rows as sorted canonical JSON."""
    ds = Dataset(out, readonly=True)
    got = {}
    for t in SCHEMAS:
        rows = ds.read(t).to_pylist()
        got[t] = sorted(json.dumps({k: _canon(v) for k, v in r.items() if k not in RUN_COLUMNS},
                                   ensure_ascii=False, sort_keys=True) for r in rows)
    return got


def assert_same_tables(a: Path, b: Path) -> None:
    ta, tb = tables(a), tables(b)
    assert ta["documents"], "nothing was ingested"
    for t in SCHEMAS:
        if ta[t] != tb[t]:
            only_a = sorted(set(ta[t]) - set(tb[t]))[:3]
            only_b = sorted(set(tb[t]) - set(ta[t]))[:3]
            pytest.fail(f"table {t}: {len(ta[t])} vs {len(tb[t])} rows; only in {a.name}: {only_a}; "
                        f"only in {b.name}: {only_b}")


def write_texts(d: Path, n: int) -> list[str]:
    d.mkdir(parents=True, exist_ok=True)
    for name, text in good_texts(n):
        (d / name).write_text(text, encoding="utf-8")
    return sorted(p.name for p in d.iterdir())


def descendants(pid: int) -> list[int]:
    from pipeline.worker import process_tree

    return process_tree(pid)[1:]


def alive(pid: int) -> bool:
    from pipeline.proc import process_alive

    return process_alive(pid)


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> Path:
    """The scan-like copies `make run` ingests (a sealed 2-page PDF, a photo, a 2-page TIFF)."""
    out = tmp_path_factory.mktemp("scans")
    r = subprocess.run([sys.executable, str(REPO / "tests" / "make_scans.py"), str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out


# -- identical tables ------------------------------------------------------------------------------
# Extraction no longer depends on Python's string hashing (rules are sorted, tests/test_entities*
# compares two seeds), but Dask's nannies set PYTHONHASHSEED=6640 in their workers when it is
# unset or 0: the runs compared here set that value in every process anyway (the command, the
# forkserver, the Dask workers and their document workers inherit it), so that what is compared
# is the backends alone.
HASH_SEED = "6640"


def cli_ingest(out: Path, *args: str, timeout: float = 900) -> dict:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO), "PYTHONHASHSEED": HASH_SEED}
    summary = out.parent / f"{out.name}.json"
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "ingest", *args, "--out", str(out), "-q",
                        "--summary-json", str(summary)], cwd=REPO, env=env, capture_output=True, text=True,
                       timeout=timeout)
    assert r.returncode in (ExitCode.ok, ExitCode.partial), r.stderr[-3000:]
    return json.loads(summary.read_text())


@pytest.mark.ocr
def test_local_pool_and_dask_give_identical_tables(tmp_path, scans):
    """Samples and three scans: local pool, documents whole; Dask LocalCluster of 2 workers, every
    scan of more than one page split into page tasks. Every table, row by row."""
    local, dask = tmp_path / "local", tmp_path / "dask"
    a = cli_ingest(local, str(SAMPLES), str(scans), "--backend", "local", "-j", "2", "--split-pages", "0")
    b = cli_ingest(dask, str(SAMPLES), str(scans), "--backend", "dask", "-j", "2", "--split-pages", "1")
    assert a["written"] == b["written"] == 27 and a["failed"] == b["failed"] == 0
    assert a["ocr_pages"] == b["ocr_pages"] == 5
    assert_same_tables(local, dask)


def test_an_existing_cluster_started_apart_gives_the_local_tables(tmp_path):
    """A cluster that is not ours, as the README tells a user to start one: `dask scheduler` and
    `dask worker` launched as their own processes from another folder (the workers get the code
    and the rules by PYTHONPATH, as from an installed package), the scheduler with the two settings
    of the README; `vanban ingest --scheduler tcp://…` connects to it and leaves it running."""
    sched_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": HASH_SEED, "OMP_THREAD_LIMIT": "1",
           "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
           "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0"}
    dask_cli = str(Path(sys.executable).with_name("dask"))
    elsewhere = tmp_path / "cluster"
    elsewhere.mkdir()
    procs = [subprocess.Popen([dask_cli, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(sched_file)], cwd=elsewhere, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sched_file.exists(), "the scheduler did not start"
        procs.append(subprocess.Popen([dask_cli, "worker", "--scheduler-file", str(sched_file), "--nworkers", "2",
                                       "--nthreads", "1", "--no-dashboard"], cwd=elsewhere, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        address = json.loads(sched_file.read_text())["address"]
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        local, dask = tmp_path / "local", tmp_path / "dask"
        a = cli_ingest(local, str(SAMPLES), "--backend", "local", "-j", "2", "--no-ocr")
        b = cli_ingest(dask, str(SAMPLES), "--scheduler", address, "--no-ocr")
        assert a["written"] == b["written"] > 20 and a["failed"] == b["failed"] == 0
        assert_same_tables(local, dask)
        assert all(p.poll() is None for p in procs), "ingest must leave an existing cluster running"
    finally:
        for p in procs[::-1]:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)


@pytest.mark.corpus
def test_local_pool_and_dask_give_identical_tables_on_the_local_corpus(tmp_path):
    if not SHARED_LOCAL.is_dir():
        pytest.skip(f"{SHARED_LOCAL} not found")
    local, dask = tmp_path / "local", tmp_path / "dask"
    a = cli_ingest(local, str(SHARED_LOCAL), "--backend", "local", "-j", "2", "--no-ocr")
    b = cli_ingest(dask, str(SHARED_LOCAL), "--backend", "dask", "-j", "2", "--no-ocr")
    assert a["written"] == b["written"] > 0 and (a["failed"], a["unchanged"]) == (b["failed"], b["unchanged"])
    assert_same_tables(local, dask)


def test_inprocess_backend_gives_the_local_tables(tmp_path):
    a = cli_ingest(tmp_path / "local", str(SAMPLES), "--backend", "local", "-j", "2", "--no-ocr")
    b = cli_ingest(tmp_path / "inprocess", str(SAMPLES), "--backend", "inprocess", "--no-ocr")
    assert a["written"] == b["written"] == 24
    assert_same_tables(tmp_path / "local", tmp_path / "inprocess")


# -- page tasks ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def long_scan(tmp_path_factory) -> Path:
    """An image-only PDF of a sample long enough for three pages, lightly degraded."""
    import scanlike as sl

    text = (SAMPLES / "04_kh_76-kh-ubnd.txt").read_text(encoding="utf-8")
    r = sl.degrade(sl.render(text, seed=3), seed=3, skew_deg=0.5, noise=0.01)
    path = tmp_path_factory.mktemp("long") / "kh76_scan.pdf"
    sl.to_pdf(r, path)
    assert len(r.pages) >= 3
    return path


@pytest.mark.ocr
def test_a_split_scan_is_the_record_of_the_whole(long_scan):
    from pipeline.document import process
    from pipeline.pages import SplitPool

    whole = process(long_scan)
    assert len(whole.pages) >= 3 and all(p.ocr for p in whole.pages)
    pool = make_pool("local", jobs=2, split_pages=1)
    assert isinstance(pool, SplitPool)
    [(task, split)] = list(pool.run([str(long_scan)]))
    assert task == str(long_scan) and isinstance(split, DocumentRecord), split
    assert pool.split_documents == 1 and pool.page_tasks == len(whole.pages)
    assert split == whole  # every field: pages, offsets, OCR confidences, header, citations, tasks …
    assert split.header.number == "76/KH-UBND"


def test_a_long_pdf_with_a_text_layer_is_not_split(tmp_path):
    """Pages that may need OCR by their count, none by their text layer: the plan step finishes the
    record from the pages it read, the record of the whole."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from pipeline.document import process

    pdfmetrics.registerFont(TTFont("DejaVuSerif", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"))
    path = tmp_path / "kh76.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    lines = (SAMPLES / "04_kh_76-kh-ubnd.txt").read_text(encoding="utf-8").splitlines()
    for k in range(0, len(lines), 30):
        c.setFont("DejaVuSerif", 10)
        for i, ln in enumerate(lines[k:k + 30]):
            c.drawString(50, 800 - 16 * i, ln[:110])
        c.showPage()
    c.save()
    whole = process(path)
    assert len(whole.pages) >= 3 and not whole.ocr
    pool = make_pool("inprocess", split_pages=1)
    [(_, rec)] = list(pool.run([str(path)]))
    assert pool.split_documents == 0 and rec == whole


@pytest.mark.ocr
def test_a_stopped_page_task_costs_that_page_only(long_scan, monkeypatch):
    """A page task that fails (here: its file changed under it) is an empty page with a failure row
    naming the page; the document is assembled from the other pages."""
    from pipeline import pages as pages_mod
    from pipeline.pages import SplitPool
    from pipeline.worker import InlinePool

    real = pages_mod.ocr_page

    def flaky(job, data):
        if job.page == 2:
            raise MemoryError
        return real(job, data)

    monkeypatch.setattr(pages_mod, "ocr_page", flaky)
    pool = SplitPool(InlinePool(split_pages=1))
    [(_, rec)] = list(pool.run([str(long_scan)]))
    assert isinstance(rec, DocumentRecord), rec
    assert rec.pages[1].text == "" and rec.pages[0].text and rec.pages[2].text
    [f] = [f for f in rec.failures if f.page == 2]
    assert f.stage == "memory" and f.error.startswith("page 2: out of memory") and f.doc_id == rec.doc_id


# -- streaming, bounded --------------------------------------------------------------------------
def _random_tree(root: Path, rng: random.Random, depth: int = 0) -> None:
    stems = ["a", "scan", "doc", "page", "trang"]
    for _ in range(rng.randint(0, 7)):
        r = rng.random()
        if r < 0.2 and depth < 3:
            d = root / f"{rng.choice(stems)}{rng.randint(0, 3)}"
            d.mkdir(exist_ok=True)
            _random_tree(d, rng, depth + 1)
        elif r < 0.25:
            link = root / f"ln{rng.randint(0, 9)}"
            if not os.path.lexists(link):
                os.symlink(rng.choice(["..", "/nonexistent", "."]), link)
        else:
            name = (rng.choice(stems) + rng.choice(["_p", "-page-", "_", "", "."]) + str(rng.randint(1, 4))
                    + rng.choice([".jpg", ".png", ".tif", ".txt", ".pdf", ".json", ".docx", ""]))
            (root / name).write_bytes(b"x")


def test_streamed_discovery_is_discover(tmp_path):
    """`iter_discover` yields what `discover` lists, in order, grouped the same, on random trees
    (nested folders, numbered page images, folders of pages only, symlink loops, broken links,
    sidecars, loose files and missing paths on the command line)."""
    grouped = 0
    for seed in range(150):
        rng = random.Random(seed)
        root = tmp_path / f"t{seed}"
        root.mkdir()
        _random_tree(root, rng)
        if rng.random() < 0.5:
            (root / "pages").mkdir()
            for i in range(1, rng.randint(3, 5)):
                (root / "pages" / f"{i:03d}.png").write_bytes(b"x")
        files = sorted(str(p) for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        args = [str(root) + rng.choice(["", "/"])]
        if files and rng.random() < 0.3:
            args = rng.sample(files, min(3, len(files)))
        elif files and rng.random() < 0.3:
            args.append(rng.choice(files))  # a loose file inside a walked folder
        if rng.random() < 0.2:
            args.append(str(root / "missing"))
        for group in (True, False):
            missing: list[str] = []
            streamed = list(iter_discover(args, group=group, missing=missing))
            listed, listed_missing = discover(args, group=group)
            assert streamed == listed and missing == listed_missing, (seed, group, args)
            grouped += sum(1 for s in listed if s.members)
    assert grouped > 20  # the trees did exercise the grouping


def test_pools_take_tasks_lazily(tmp_path):
    """The pools never read the task iterator far ahead of the results: memory flat in the archive."""
    names = write_texts(tmp_path / "in", 30)
    for backend, bound in (("local", 2), ("dask", 3)):
        taken = []

        def tasks():
            for n in names:
                taken.append(n)
                yield str(tmp_path / "in" / n)

        pool = make_pool(backend, jobs=2, ocr=False) if backend == "local" else DaskPool(jobs=2, ocr=False, in_flight=3)
        ahead = []
        try:
            for i, (_, res) in enumerate(pool.run(tasks()), 1):
                assert isinstance(res, DocumentRecord)
                ahead.append(len(taken) - i)
        finally:
            pool.close()
        assert len(ahead) == 30 and max(ahead) <= bound, (backend, ahead)


# -- Dask: worker lost, signals --------------------------------------------------------------------
def _kill_worker_on_victim(task, limits, ocr, split_pages, env):
    """A task function that kills its own Dask worker for the file named victim (a machine lost)."""
    if "victim" in str(task):
        os.kill(os.getpid(), signal.SIGKILL)
    from pipeline.backends import _task

    return _task(task, limits, ocr, split_pages, env)


def test_a_lost_dask_worker_is_retried_once_then_a_failure_row(tmp_path):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    src = tmp_path / "in"
    names = write_texts(src, 4)
    (src / "victim.txt").write_text(good_texts(5)[4][1], encoding="utf-8")
    pool = DaskPool(jobs=2, ocr=False, fn=_kill_worker_on_victim)
    try:
        out = dict(pool.run([str(src / n) for n in [*names, "victim.txt"]]))
    finally:
        pool.close()
    bad = out[str(src / "victim.txt")]
    assert isinstance(bad, Failure) and bad.stage == "worker" and bad.transient
    assert bad.error.startswith("worker lost:") and "retried" in bad.error
    assert all(isinstance(out[str(src / n)], DocumentRecord) for n in names)
    assert pool.killed == 1 and pool.client is None and pool.cluster is None


def test_ctrl_c_closes_the_dask_cluster_and_keeps_committed_batches(tmp_path):
    src = tmp_path / "in"
    write_texts(src, 400)
    out = tmp_path / "out"
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO)}
    p = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", str(src), "--out", str(out), "--backend",
                          "dask", "-j", "2", "--batch-size", "10", "-q"], cwd=REPO, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    tree: list[int] = []
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 120:
            if (out / "_manifest.jsonl").exists() and len((out / "_manifest.jsonl").read_text().splitlines()) >= 2:
                break
            time.sleep(0.05)
        tree = descendants(p.pid)
        os.kill(p.pid, signal.SIGINT)
        _, err = p.communicate(timeout=90)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == ExitCode.interrupted, err.decode()[-2000:]
    assert len(tree) >= 4  # two Dask workers, each with its document worker (and forkserver)
    t0 = time.monotonic()
    while [x for x in tree if alive(x)] and time.monotonic() - t0 < 30:
        time.sleep(0.1)
    assert not [x for x in tree if alive(x)], "processes left behind"
    import pandas as pd

    d = pd.read_parquet(out / "documents")
    assert 0 < len(d) < 400 and d.doc_id.is_unique
    # the re-run completes the archive without a duplicate
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "ingest", str(src), "--out", str(out), "--backend",
                        "dask", "-j", "2", "-q"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == ExitCode.ok, r.stderr[-2000:]
    d = pd.read_parquet(out / "documents")
    assert len(d) == 400 and d.doc_id.is_unique


def test_cli_backend_options(tmp_path):
    from pipeline.cli import main

    assert main(["ingest", str(SAMPLES), "--out", str(tmp_path / "o"), "--backend", "local",
                 "--scheduler", "tcp://127.0.0.1:1", "-q"]) == ExitCode.bad_args
    summary = tmp_path / "s.json"
    code = main(["ingest", str(SAMPLES), "--out", str(tmp_path / "o"), "--backend", "inprocess", "--no-ocr",
                 "-q", "--summary-json", str(summary)])
    assert code == ExitCode.ok and json.loads(summary.read_text())["written"] == 24


def test_scale_bench_measures_every_run(tmp_path):
    """`vanban bench --scale` in small: the synthetic archive, one measured run per size and backend,
    the JSON report and the plot."""
    from pipeline.evaluation.scale_bench import archive_paths, make_text_archive, run_scale_bench

    info = make_text_archive(tmp_path / "w" / "archive", 300)
    assert info["documents"] == 300 and len(archive_paths(tmp_path / "w" / "archive", 150)) == 150
    report, plot = tmp_path / "scale.json", tmp_path / "scale.png"
    text = run_scale_bench(tmp_path / "w", sizes=[150, 300], jobs=2, report=report, plot=plot, log=lambda m: None)
    res = json.loads(report.read_text())
    assert [(r["backend"], r["archive_docs"], r["documents"]) for r in res["runs"]] == [
        ("local", 150, 150), ("local", 300, 300), ("dask", 150, 150)]
    for r in res["runs"]:
        assert r["failed"] == 0 and r["docs_per_s"] > 0 and r["samples"] > 0
        assert 0 < r["peak_tree_ingest_mb"] <= r["peak_tree_mb"] and r["processes"] >= 3
    m = res["memory_flat"]
    assert m["ratio"] == pytest.approx(m["big_peak_mb"] / m["small_peak_mb"], abs=1e-3)
    assert plot.stat().st_size > 10_000 and "memory flat" in text
    for r in res["runs"]:  # the linker on its own under each budget, after each local ingest
        budgets = r.get("link_budgets", {})
        assert sorted(budgets) == ([] if r["backend"] == "dask" else ["160MB", "512MB"])
        assert all(v["peak_mb"] > 0 and v["seconds"] > 0 for v in budgets.values())
    assert "link --full --memory-limit 160MB: 150 docs" in text


def test_a_dataset_inside_its_input_folder_is_not_an_input(tmp_path):
    """Discovery streams while the dataset is written: a dataset under an input folder is skipped,
    on the first run (as when discovery listed everything before the dataset existed) and after."""
    import shutil

    src = tmp_path / "in"
    shutil.copytree(SAMPLES, src)
    first = ingest([str(src)], str(src / "dataset"), backend="inprocess", ocr=False)
    again = ingest([str(src)], str(src / "dataset"), backend="inprocess", ocr=False)
    assert (first.seen, first.written, first.failed) == (24, 24, 0)
    assert (again.seen, again.unchanged, again.failed, again.written) == (24, 24, 0, 0)
