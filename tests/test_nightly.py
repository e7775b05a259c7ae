"""Nightly jobs that never hang and never lose a row.

- Isolation: a document past its deadline or its memory limit, or whose worker is killed, is a
  failure row; the worker is replaced and the batch goes on.
- Signals and crashes, through `vanban ingest` in a subprocess: kill -9 of a worker, kill -9 of the
  parent, SIGTERM and SIGINT during a run; then a re-run: the dataset is complete, no table holds a
  duplicate, no process is left behind.
- Atomic publish: the writer crashed at every step of a publish (a hook, and os.replace / os.link
  failing at every call); readers in between (pandas, pyarrow, DuckDB over the table folders)
  never see a document without its citations or citations without their document.
- Every input accounted for, the operator's view (summary, JSON summary, JSON logs, dry run,
  --max-failures, a closed stdout), and the wheel.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline.evaluation.hostile import REPO, good_texts  # noqa: E402

from pipeline.errors import ExitCode  # noqa: E402
from pipeline.graph import store as store_mod  # noqa: E402
from pipeline.graph.store import SCHEMAS, Dataset, snapshot_dir  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402
from pipeline.limits import Limits, clean_reason  # noqa: E402
from pipeline.models import Citation, DocumentRecord, Failure, Page  # noqa: E402

ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO)}


# -- helpers ---------------------------------------------------------------------------------------
def write_corpus(d: Path, n: int, big_chars: int = 0) -> list[str]:
    d.mkdir(parents=True, exist_ok=True)
    names = []
    for name, text in good_texts(n):
        (d / name).write_text(text, encoding="utf-8")
        names.append(name)
    if big_chars:  # one slow document first in the walk order
        body = "".join(t for _, t in good_texts(24))
        (d / "000_big.txt").write_text((body * (big_chars // len(body) + 1))[:big_chars], encoding="utf-8")
        names.append("000_big.txt")
    return names


def slow_pdf(path: Path, mb: int = 20) -> None:
    """A valid one-page PDF whose 20 MB content stream (60 KB on disk, below the bomb cap) makes the
    PDF reader slow and hungry: ~70 MB/s of memory growth."""
    line = b"BT /F1 12 Tf 72 712 Td (Quyet dinh so 1234 ve viec tang cuong) Tj ET\n"
    stream = zlib.compress(line * (mb * 1_000_000 // len(line)), 6)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    x = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for o in offs:
        out += f"{o:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def vanban(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=REPO, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True, **kw)


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    p = vanban(*args)
    out, err = p.communicate(timeout=timeout)
    return subprocess.CompletedProcess(p.args, p.returncode, out.decode("utf-8", "replace"),
                                       err.decode("utf-8", "replace"))


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def descendants(pid: int) -> list[int]:
    from pipeline.worker import process_tree

    return process_tree(pid)[1:]


def alive(pid: int) -> bool:
    from pipeline.proc import process_alive

    return process_alive(pid)


def workers_of(pid: int) -> list[int]:
    """The document workers of a `vanban ingest` process: children of its forkserver."""
    out = []
    for c in children(pid):
        try:
            cmd = Path(f"/proc/{c}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in cmd:
            out.extend(children(c))
    return out


def wait_for(cond, timeout: float = 60, step: float = 0.05):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting")


def assert_none_left(pids: list[int], timeout: float = 15) -> None:
    wait_for(lambda: not [p for p in pids if alive(p)], timeout)


def batches(out: Path) -> int:
    try:
        return len((out / "_manifest.jsonl").read_text().splitlines())
    except OSError:
        return 0


def assert_complete(out: Path, expected: set[str]) -> None:
    """Every expected file once in documents, no duplicate in any table, no failure left."""
    d = pd.read_parquet(out / "documents")
    assert {Path(p).name for p in d.source_path} == expected
    assert d.doc_id.is_unique and len(d) == len(expected)
    pages = pd.read_parquet(out / "pages")
    assert not pages.duplicated(["doc_id", "page"]).any()
    assert set(pages.doc_id) == set(d.doc_id)
    cits = pd.read_parquet(out / "citations")
    assert not cits.duplicated(["doc_id", "start"]).any() and set(cits.doc_id) <= set(d.doc_id)
    f = pd.read_parquet(out / "failures")
    assert len(f) == 0, f[["source_path", "stage", "error"]].to_string()
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM read_parquet('{out}/documents/*.parquet')").fetchone()[0] == len(expected)
    assert not (out / "_lock").exists()


# -- isolation and limits --------------------------------------------------------------------------
def test_timeout_and_memory_limits_make_failure_rows_and_the_batch_goes_on(tmp_path):
    src = tmp_path / "in"
    names = write_corpus(src, 3)
    slow_pdf(src / "000_slow.pdf")
    out = tmp_path / "out"
    t0 = time.monotonic()
    r = run("ingest", str(src), "--out", str(out), "--doc-timeout", "2", "--doc-timeout-per-page", "0",
            "--doc-memory", "4000", "-q")
    took = time.monotonic() - t0
    assert r.returncode == ExitCode.partial, r.stderr
    f = pd.read_parquet(out / "failures")
    assert list(f.stage) == ["timeout"] and "timed out after 2 s" in f.error[0], f.error.tolist()
    assert took < 60
    assert {Path(p).name for p in pd.read_parquet(out / "documents").source_path} == set(names)
    # the same file with a memory limit below what it needs: stopped for memory, the others go on
    out2 = tmp_path / "out2"
    r = run("ingest", str(src), "--out", str(out2), "--doc-memory", "300", "--doc-timeout", "120", "-q")
    assert r.returncode == ExitCode.partial, r.stderr
    f = pd.read_parquet(out2 / "failures")
    assert list(f.stage) == ["memory"], f.error.tolist()
    assert "memory limit exceeded" in f.error[0] or "out of memory" in f.error[0]
    assert len(pd.read_parquet(out2 / "documents")) == 3


def test_a_crashed_worker_is_a_failure_row_and_is_replaced(tmp_path):
    from pipeline.worker import WorkerPool

    slow_pdf(tmp_path / "slow.pdf")
    (tmp_path / "ok.txt").write_text(good_texts(1)[0][1], encoding="utf-8")
    pool = WorkerPool(jobs=1, limits=Limits(doc_timeout=120, memory_mb=4000))
    busy = []

    def crash_it():  # a segfault in a reader library, as the parent sees it
        w = wait_for(lambda: [w for w in pool.workers if w.task and w.task[1].endswith("slow.pdf")], 60)[0]
        time.sleep(0.5)
        busy.append(w.pid)
        os.kill(w.pid, signal.SIGSEGV)

    th = threading.Thread(target=crash_it)
    th.start()
    out = dict(pool.run([str(tmp_path / "slow.pdf"), str(tmp_path / "ok.txt")]))
    th.join()
    bad = out[str(tmp_path / "slow.pdf")]
    assert isinstance(bad, Failure) and bad.stage == "worker" and "SIGSEGV" in bad.error and not bad.transient
    assert isinstance(out[str(tmp_path / "ok.txt")], DocumentRecord)  # a new worker took the next one
    assert pool.killed == 1 and not alive(busy[0]) and pool.workers == []


def test_workers_are_recycled_without_losing_a_document(tmp_path):
    from pipeline.worker import WorkerPool

    src = tmp_path / "in"
    names = write_corpus(src, 7)
    pool = WorkerPool(jobs=2, max_tasks=2)
    out = dict(pool.run([str(src / n) for n in names]))
    assert len(out) == 7 and all(isinstance(r, DocumentRecord) for r in out.values())
    assert pool.killed == 0 and pool._n >= 4  # each worker retired after 2 documents


def test_a_worker_asks_for_its_parents_death_signal_without_starting_a_process(monkeypatch):
    """A new worker opens libc for prctl(PR_SET_PDEATHSIG) without `ctypes.util.find_library`,
    which runs `ldconfig -p`: a fork of the worker at every worker start (with recycling, one
    more worker-sized process in the tree every `max_tasks` documents)."""
    import ctypes

    from pipeline import worker

    def no_subprocess(*_a, **_k):
        raise AssertionError("a subprocess was started to open libc")

    worker._libc.cache_clear()
    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    lib = worker._libc()
    assert lib is not None and hasattr(lib, "prctl")
    assert worker._libc() is lib  # opened once (in the forkserver: the workers inherit it)
    pid = os.fork()
    if pid == 0:  # a child, as a worker is: the signal is really set
        code = 98
        try:
            ok = worker.set_pdeathsig(signal.SIGTERM)
            got = ctypes.c_int(0)
            lib.prctl(2, ctypes.byref(got), 0, 0, 0)  # PR_GET_PDEATHSIG
            code = got.value if ok else 99
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == signal.SIGTERM


def test_kill_9_of_a_worker_then_rerun(tmp_path):
    src = tmp_path / "in"
    names = write_corpus(src, 40, big_chars=6_000_000)
    out = tmp_path / "out"
    p = vanban("ingest", str(src), "--out", str(out), "-j", "2", "--batch-size", "5")
    try:
        ws = wait_for(lambda: workers_of(p.pid) if len(workers_of(p.pid)) >= 1 else None)
        time.sleep(0.7)  # the big document takes seconds: it is in a worker now
        victims = workers_of(p.pid) or ws
        for w in victims:
            os.kill(w, signal.SIGKILL)
        p.communicate(timeout=300)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == ExitCode.partial
    f = pd.read_parquet(out / "failures")
    assert len(f) >= 1 and f.transient.all() and f.error.str.contains("SIGKILL").all(), f.error.tolist()
    assert "000_big.txt" in {Path(x).name for x in f.source_path}
    again = run("ingest", str(src), "--out", str(out), "-j", "2")
    assert again.returncode == ExitCode.ok, again.stdout + again.stderr
    assert_complete(out, set(names))


def test_kill_9_of_the_parent_then_rerun(tmp_path):
    src = tmp_path / "in"
    names = write_corpus(src, 300)
    out = tmp_path / "out"
    p = vanban("ingest", str(src), "--out", str(out), "-j", "2", "--batch-size", "10")
    try:
        wait_for(lambda: batches(out) >= 2 and len(workers_of(p.pid)) == 2, timeout=120, step=0.01)
        tree = descendants(p.pid)
        os.kill(p.pid, signal.SIGKILL)
        p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == -signal.SIGKILL
    assert len(tree) >= 3  # the forkserver and two workers
    assert_none_left(tree)  # the workers and the forkserver die with their parent
    # what a reader sees now: only whole batches
    d = pd.read_parquet(out / "documents")
    c = pd.read_parquet(out / "citations")
    assert 0 < len(d) < len(names) and set(c.doc_id) <= set(d.doc_id)
    again = run("ingest", str(src), "--out", str(out), "-j", "2")  # the stale lock is taken over
    assert again.returncode == ExitCode.ok, again.stdout + again.stderr
    assert_complete(out, set(names))


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, ExitCode.terminated), (signal.SIGINT, ExitCode.interrupted)])
def test_signal_stops_cleanly_then_rerun(tmp_path, sig, code):
    src = tmp_path / "in"
    names = write_corpus(src, 300)
    out = tmp_path / "out"
    summary = tmp_path / "summary.json"
    p = vanban("ingest", str(src), "--out", str(out), "-j", "2", "--batch-size", "10",
               "--summary-json", str(summary))
    try:
        wait_for(lambda: batches(out) >= 2 and len(workers_of(p.pid)) == 2, timeout=120, step=0.01)
        tree = descendants(p.pid)
        os.kill(p.pid, sig)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == code, err.decode()
    assert ("terminated" if sig == signal.SIGTERM else "interrupted") in err.decode()
    assert "committed batches are kept" in err.decode()
    assert not (out / "_lock").exists()
    assert_none_left(tree)
    s = json.loads(summary.read_text())
    assert s["exit_code"] == code and s["written"] > 0 and s["stopped"]
    assert len(pd.read_parquet(out / "documents")) == s["written"]  # what was in hand was committed
    again = run("ingest", str(src), "--out", str(out), "-j", "2")
    assert again.returncode == ExitCode.ok, again.stdout + again.stderr
    assert_complete(out, set(names))


# -- atomic publish ----------------------------------------------------------------------------------
class Crash(BaseException):
    """The process dies here (nothing after it runs: no cleanup)."""


def _rec(i: int, n_cits: int = 3) -> DocumentRecord:
    cits = [Citation(mention=f"Quyết định số {i}{k}/QĐ-UBND", start=10 * k, end=10 * k + 8, relation="basis")
            for k in range(n_cits)]
    return DocumentRecord(doc_id=f"doc{i:04d}", source_path=f"/in/{i}.txt", source_sha256=f"sha{i}", kind="txt",
                          pages=[Page(1, f"text {i}"), Page(2, f"more {i}")], citations=cits)


def _views(root: Path) -> dict[str, set]:
    """What readers see: pandas over the folders, and DuckDB over DIR/<table>/*.parquet."""
    out = {}
    d = pd.read_parquet(root / "documents")
    out["docs"] = set(d.doc_id)
    out["cit_docs"] = set(pd.read_parquet(root / "citations").doc_id)
    out["page_docs"] = set(pd.read_parquet(root / "pages").doc_id)
    out["fail_paths"] = set(pd.read_parquet(root / "failures").source_path)
    con = duckdb.connect()
    q = lambda t, c: {r[0] for r in con.execute(f"SELECT DISTINCT {c} FROM read_parquet('{root}/{t}/*.parquet')").fetchall()}  # noqa: E731
    assert q("documents", "doc_id") == out["docs"] and q("citations", "doc_id") == out["cit_docs"]
    assert q("pages", "doc_id") == out["page_docs"] and q("failures", "source_path") == out["fail_paths"]
    return out


def _check_all_or_nothing(root: Path, batch: list[DocumentRecord], fail_path: str, old_fail: str) -> bool:
    v = _views(root)
    ids = {r.doc_id for r in batch}
    seen = ids & v["docs"]
    assert seen in (set(), ids), "half a batch of documents"
    assert (ids & v["cit_docs"]) == seen and (ids & v["page_docs"]) == seen, "citations/pages apart from documents"
    assert (fail_path in v["fail_paths"]) == bool(seen), "failures apart from documents"
    assert (old_fail in v["fail_paths"]) != bool(seen), "a superseded failure row together with its successor"
    assert v["cit_docs"] <= v["docs"] and v["page_docs"] == v["docs"]
    return bool(seen)


def _base(root: Path) -> None:
    with Dataset(root) as ds:
        ds.write_batch([_rec(i) for i in range(5)], [Failure("/in/old.txt", "read", "empty file", source_sha256="x")])


BATCH2 = [_rec(i) for i in range(100, 106)]
FAILS2 = [Failure("/in/new_bad.txt", "read", "empty file", source_sha256="y")]


def _publish_with_fault(root: Path, arm) -> bool:
    """Publish BATCH2 (which also supersedes the failure row of /in/old.txt) with a fault armed;
    True when it crashed."""
    ds = Dataset(root).open()
    try:
        with arm():
            ds.write_batch(BATCH2, FAILS2, clear={"/in/old.txt"})
        crashed = False
    except (Crash, Exception):
        crashed = True
    ds.close()  # the lock of the dead writer (a real crash leaves a stale lock: recovered, tested elsewhere)
    return crashed


def _after_crash(root: Path) -> None:
    _check_all_or_nothing(root, BATCH2, "/in/new_bad.txt", "/in/old.txt")  # before any recovery
    with Dataset(root) as ds:  # recover
        visible = _check_all_or_nothing(root, BATCH2, "/in/new_bad.txt", "/in/old.txt")
        assert not list((root / "_staging").glob("*")) if (root / "_staging").exists() else True
        cur = snapshot_dir(root)
        assert all(int(s.name) <= int(cur.name) for s in (root / "_snap").iterdir())
        if not visible:
            ds.write_batch(BATCH2, FAILS2, clear={"/in/old.txt"})
    assert _check_all_or_nothing(root, BATCH2, "/in/new_bad.txt", "/in/old.txt")
    d = pd.read_parquet(root / "documents")
    assert d.doc_id.is_unique and len(d) == 11
    assert not pd.read_parquet(root / "pages").duplicated(["doc_id", "page"]).any()


def test_a_crash_at_every_step_of_a_publish_never_shows_half_a_batch(tmp_path, monkeypatch):
    base = tmp_path / "base"
    _base(base)
    steps = []
    # 1. a hook at every named step
    k = 0
    while True:
        root = tmp_path / f"hook{k}"
        shutil.copytree(base, root, symlinks=True)
        calls = []

        def hook(name, k=k, calls=calls):
            calls.append(name)
            if len(calls) == k + 1:
                raise Crash(name)

        class arm:
            def __enter__(self):
                monkeypatch.setattr(store_mod, "FAULT_HOOK", hook)

            def __exit__(self, *a):
                monkeypatch.setattr(store_mod, "FAULT_HOOK", None)

        crashed = _publish_with_fault(root, arm)
        if crashed:
            steps.append(calls[-1])
        _after_crash(root)
        shutil.rmtree(root)
        if not crashed:
            break
        k += 1
    assert "commit" in steps and "link:documents" in steps and "place:citations" in steps and "after-commit" in steps
    # 2. the file system failing at every call of os.replace / os.link / os.symlink
    for fn in ("replace", "link", "symlink"):
        k = 0
        while True:
            root = tmp_path / f"{fn}{k}"
            shutil.copytree(base, root, symlinks=True)
            real = getattr(os, fn)
            n = [0]

            def failing(*a, k=k, n=n, real=real, **kw):
                n[0] += 1
                if n[0] == k + 1:
                    raise OSError(28, "No space left on device")
                return real(*a, **kw)

            class arm:
                def __enter__(self, fn=fn, failing=failing):
                    monkeypatch.setattr(os, fn, failing)

                def __exit__(self, *a, fn=fn, real=real):
                    monkeypatch.setattr(os, fn, real)

            crashed = _publish_with_fault(root, arm)
            _after_crash(root)
            shutil.rmtree(root)
            if not crashed:
                break
            k += 3 if fn == "link" else 1  # one hard link failing is much like the next
        assert k > 0, fn


def test_a_pinned_reader_sees_whole_batches_while_a_writer_publishes(tmp_path):
    root = tmp_path / "ds"
    _base(root)
    stop = threading.Event()
    seen = []
    errors = []

    def reader():
        while not stop.is_set():
            snap = snapshot_dir(root)
            try:
                docs = set(pd.read_parquet(snap / "documents").doc_id)
                cits = set(pd.read_parquet(snap / "citations").doc_id)
                pages = set(pd.read_parquet(snap / "pages").doc_id)
                if not (cits <= docs and pages == docs and len(docs) % 5 == 0):
                    errors.append((len(docs), len(cits), len(pages)))
                seen.append(len(docs))
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

    th = threading.Thread(target=reader)
    th.start()
    with Dataset(root) as ds:
        for b in range(1, 25):
            ds.write_batch([_rec(1000 + 5 * b + i) for i in range(5)], [])
    stop.set()
    th.join()
    assert not errors, errors[:3]
    assert len(set(seen)) > 2


def test_old_layout_is_converted_and_stale_lock_taken_over(tmp_path):
    root = tmp_path / "old"
    for t, schema in SCHEMAS.items():  # a dataset written by an older vanban: real table folders
        (root / t).mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist([], schema=schema), root / t / "part-00000000-empty.parquet")
    from pipeline.graph.store import document_rows

    rows = document_rows(_rec(1), "b1", dt.datetime.now(dt.timezone.utc))
    for t in ("documents", "pages", "citations"):
        pq.write_table(pa.Table.from_pylist(rows[t], schema=SCHEMAS[t]), root / t / "part-b1.parquet")
    (root / "_lock").write_text("999999\n")
    with Dataset(root) as ds:
        assert ds.doc_ids() == {"doc0001"}
        ds.write_batch([_rec(2)], [])
    for t in SCHEMAS:
        assert (root / t).is_symlink()
    assert set(pd.read_parquet(root / "documents").doc_id) == {"doc0001", "doc0002"}
    assert len(pd.read_parquet(root / "citations")) == 6


def test_lock_of_a_reused_pid_or_a_zombie_is_stale(tmp_path):
    (tmp_path / "_lock").write_text(f"{os.getpid()} 1\n")  # a live pid, but another process's start time
    with Dataset(tmp_path) as ds:
        ds.write_batch([_rec(1)], [])
    z = subprocess.Popen(["true"])
    wait_for(lambda: not alive(z.pid))  # exited, not reaped: a zombie
    (tmp_path / "_lock").write_text(f"{z.pid}\n")
    with Dataset(tmp_path) as ds:
        assert ds.doc_ids() == {"doc0001"}
    z.wait()
    with Dataset(tmp_path):
        with pytest.raises(Exception, match="locked by process"):
            Dataset(tmp_path).open()


# -- every input accounted for ------------------------------------------------------------------
def test_non_utf8_names_are_stored_losslessly(tmp_path):
    name = os.fsdecode(b"/in/latin1_\xff\xfe.txt")
    with Dataset(tmp_path / "ds") as ds:
        ds.write_batch([DocumentRecord(doc_id="d1", source_path=name, source_sha256="s", kind="txt",
                                       pages=[Page(1, "x")])],
                       [Failure(name + "2", "read", "empty file", source_sha256="t")])
    d = pd.read_parquet(tmp_path / "ds" / "documents")
    assert d.source_path[0] == "/in/latin1_\\xff\\xfe.txt"
    assert base64.b64decode(d.source_path_bytes[0]) == b"/in/latin1_\xff\xfe.txt"
    f = pd.read_parquet(tmp_path / "ds" / "failures")
    assert base64.b64decode(f.source_path_bytes[0]) == b"/in/latin1_\xff\xfe.txt2"


def test_unreadable_file_is_a_failure_row_once(tmp_path, monkeypatch):
    from pipeline.text import sources

    src = tmp_path / "in"
    write_corpus(src, 2)
    locked = src / "locked.txt"
    locked.write_text("x", encoding="utf-8")
    real = sources._open_binary

    def deny(path):  # root reads anything: the permission error is simulated
        if Path(path).name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real(path)

    if os.geteuid() == 0:
        monkeypatch.setattr(sources, "_open_binary", deny)
    else:
        locked.chmod(0)
    out = tmp_path / "out"
    s = ingest([str(src)], str(out))
    assert s.exit_code() == ExitCode.partial and s.written == 2
    f = pd.read_parquet(out / "failures")
    assert list(f.error) == ["cannot read file: Permission denied"]
    again = ingest([str(src)], str(out))
    assert again.unchanged_failed == 1 and again.failed == 0  # not logged twice


def test_empty_folder_is_input_missing(tmp_path):
    (tmp_path / "empty").mkdir()
    r = run("ingest", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert r.returncode == ExitCode.input_missing
    assert "nothing to ingest" in r.stdout


def test_reasons_are_clear():
    assert clean_reason("") == "failed without a message from the reader"
    assert clean_reason("unreadable PDF: PDFPasswordIncorrect: ") == "encrypted PDF: a password is required"
    r = clean_reason("unreadable image: UnidentifiedImageError: cannot identify image file <_io.BytesIO object at 0x7f3a2c1d9e50>")
    assert "0x" not in r and r.endswith("<_io.BytesIO object>")
    assert clean_reason("unreadable PDF: PSEOF: ").startswith("unreadable PDF: PSEOF")
    assert not clean_reason("unreadable PDF: PSEOF: ").endswith(":")


def test_default_size_limit_is_the_readers():
    from pipeline.document import DEFAULT_MAX_BYTES
    from pipeline.limits import DEFAULT_MAX_BYTES as LIMITS_MAX

    assert DEFAULT_MAX_BYTES == LIMITS_MAX == Limits().max_bytes


# -- the operator's view -------------------------------------------------------------------------
def test_summary_json_logs_dry_run_and_max_failures(tmp_path):
    src = tmp_path / "in"
    write_corpus(src, 4)
    for i in range(3):
        (src / f"bad{i}.txt").write_bytes(b"")
    out = tmp_path / "out"
    # dry run: lists, writes nothing
    r = run("ingest", str(src), "--out", str(out), "--dry-run")
    assert r.returncode == ExitCode.ok and not out.exists()
    assert r.stdout.count("process ") == 7 and "nothing written" in r.stdout
    # --max-failures 1: stops, exit 10
    r = run("ingest", str(src), "--out", str(out), "--max-failures", "1", "--summary-json", str(tmp_path / "s.json"),
            "--log-json", "--no-progress")
    assert r.returncode == ExitCode.too_many_failures, r.stderr
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["exit_code"] == 10 and s["too_many_failures"] and s["failed"] >= 2
    assert all(x["error"] == "empty file" for x in s["failures"])
    logs = [json.loads(x) for x in r.stderr.splitlines() if x.strip()]
    assert any(x.get("event") == "failed" and x.get("error") == "empty file" for x in logs)
    assert any(x.get("event") == "start" for x in logs)
    # a re-run with a share: 3 of 7 failed is over 20%
    shutil.rmtree(out)
    r = run("ingest", str(src), "--out", str(out), "--max-failures", "20%", "--progress-interval", "0")
    assert r.returncode == ExitCode.too_many_failures
    assert "failed files (3):" in r.stdout and "bad0.txt: read: empty file" in r.stdout
    assert "progress: 7/7 documents" in r.stderr  # not a terminal: log lines, no bar
    shutil.rmtree(out)
    r = run("ingest", str(src), "--out", str(out), "--max-failures", "50%", "-q")
    assert r.returncode == ExitCode.partial and r.stderr == ""
    assert run("ingest", str(src), "--out", str(out), "--max-failures", "x").returncode == ExitCode.bad_args


def test_a_closed_stdout_ends_quietly(tmp_path):
    src = tmp_path / "in"
    write_corpus(src, 30)
    p = subprocess.Popen(f"{sys.executable} -m pipeline.cli ingest {src} --out {tmp_path / 'out'} --dry-run | head -1",
                         shell=True, cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0 and len(out.splitlines()) == 1
    assert b"Traceback" not in err and b"BrokenPipe" not in err


# -- the wheel --------------------------------------------------------------------------------------
def test_wheel_ships_the_rules_and_runs_show(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pipeline", "rules"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, src / name)
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(dist)],
                       capture_output=True, text=True, timeout=600, cwd=tmp_path)
    if r.returncode != 0 and ("No matching distribution" in r.stderr or "Could not find a version" in r.stderr):
        pytest.skip(f"no package index to build the wheel with: {r.stderr[-300:]}")
    assert r.returncode == 0, r.stderr[-2000:]
    [whl] = dist.glob("vanban-*.whl")
    names = zipfile.ZipFile(whl).namelist()
    rules = sorted(p.name for p in (REPO / "rules").glob("*.tsv"))
    assert sorted(n.split("/")[-1] for n in names if n.startswith("pipeline/_rules/")) == rules
    for init in REPO.glob("pipeline/**/__init__.py"):  # every subpackage is listed in pyproject
        assert str(init.relative_to(REPO)) in names, init
    site = tmp_path / "site"
    zipfile.ZipFile(whl).extractall(site)
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    shutil.copy(REPO / "corpus" / "samples" / "04_kh_76-kh-ubnd.txt", run_dir / "kh.txt")
    env = {**ENV, "PYTHONPATH": str(site)}
    env.pop("VANBAN_RULES", None)
    r = subprocess.run([sys.executable, "-c", "import pipeline, pipeline.rules as r; print(pipeline.__file__); "
                                              "print(r.rules_dir())"],
                       capture_output=True, text=True, cwd=run_dir, env=env, timeout=120)
    pkg, rules_at = r.stdout.split()
    assert pkg.startswith(str(site)) and rules_at == str(site / "pipeline" / "_rules"), r.stdout + r.stderr
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "show", "kh.txt"], capture_output=True, text=True,
                       cwd=run_dir, env=env, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)["header"]["number"] == "76/KH-UBND"
