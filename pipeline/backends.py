"""Backends: where the per-document function runs. One interface — `run(tasks)` yields (task,
DocumentRecord | Failure) as documents finish; `prestart(n)`, `stop()` (no new documents),
`close()` (end everything now); `killed` (workers lost) — so `ingest` only picks one:

- `inprocess` (`worker.InlinePool`): in this process, one document at a time, no deadline and no
  memory limit: for a debugger.
- `local` (`worker.WorkerPool`, the default): `--jobs N` worker processes on this machine, each
  document under its deadline and memory limit.
- `dask` (`DaskPool`): a Dask distributed cluster, `--scheduler tcp://host:8786`, or without one a
  `LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True)` started here and closed at
  the end.

On Dask, each task runs its document exactly as the local pool does: every Dask worker thread
keeps a one-process `WorkerPool` (`_task`), so the deadline, the memory limit (RLIMIT_AS and the
resident-memory watch), the kill of a stuck Tesseract with its process group and the clean failure
reasons are the local pool's own, not a second implementation. A Dask worker that dies mid-task
(its machine went away, the kernel killed it) is retried once on another worker
(`distributed.scheduler.allowed-failures` = 1 on a cluster started here; `retries=1` for an error
raised by the task itself), then the document is a failure row `worker lost: …`, marked transient
(tried again on the next run). Dask counts a task queued on a worker that dies as one that killed
it, so the local cluster sends a worker only the tasks it runs (`worker-saturation` = 1.0); an
existing cluster's scheduler should be started with the same two settings
(`DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1`, `DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION=1.0`).

Small plain text files (`.txt` up to `BATCH_BYTES`) go `BATCH` (16) to a task (`_batch`): such a
document takes ~2 ms of CPU, and Dask's own cost of a task (the scheduler's transitions, the
worker's state machine, the client's submit and gather: ~4 ms of CPU across the processes,
measured by build/perf/dask_small.py) was two thirds of the run. In a batch each document still
runs alone through the Dask worker thread's one-process pool, with its own deadline and memory
limit. A batch whose Dask worker is lost is retried once by Dask like any task; if that is lost
too, each of its documents is sent again alone with its own retry, so a document that kills its
worker costs no other document its record (it may itself take two more workers before its
failure row). Other documents (PDF, Word, images, page groups, pages of a split scan) go one to a
task. The record comes back from the document worker as the bytes it pickled (`WorkerPool(raw=True)`),
passed through the Dask worker untouched and unpickled by the client only.

Memory stays flat: at most `in_flight` tasks (4 per worker thread by default; a batch of up to 16
text files counts as one; an explicit `in_flight` bounds the documents: batches then only when it
leaves two per worker thread) are submitted at a time; the next is taken from the task iterator
as one finishes (`distributed.as_completed`), and its results are handed on and released. Long
scans (`split_pages`) come back as page plans and are OCR'd one page per task on any worker
(`pipeline.pages.SplitPool`).
"""
from __future__ import annotations

import collections
import logging
import os
import pickle
import signal
import threading
import uuid
from typing import Iterable, Iterator

from .limits import Limits
from .models import DocumentRecord, Failure
from .worker import InlinePool, InputFailure, WorkerPool

log = logging.getLogger("vanban.backends")

BACKENDS = ("inprocess", "local", "dask")
# Dask: plain text files up to BATCH_BYTES go BATCH to a task (`DaskPool.run`)
BATCH = 16
BATCH_BYTES = 256 * 1024
# environment the documents' workers need from the command (`cmd_ingest` sets them)
WORKER_ENV = ("OMP_THREAD_LIMIT", "VANBAN_OCR_JOBS", "VANBAN_OCR_TIMEOUT")


def make_pool(backend: str = "local", jobs: int = 1, limits: Limits | None = None, ocr: bool = True,
              split_pages: int | None = None, scheduler: str | None = None, in_flight: int | None = None):
    """The pool of a backend; with `split_pages`, long scans are split into page tasks."""
    limits = limits or Limits()
    if backend == "inprocess":
        pool = InlinePool(limits=limits, ocr=ocr, split_pages=split_pages)
    elif backend == "local":
        pool = WorkerPool(jobs=jobs, limits=limits, ocr=ocr, split_pages=split_pages)
    elif backend == "dask":
        pool = DaskPool(jobs=jobs, limits=limits, ocr=ocr, scheduler=scheduler, split_pages=split_pages,
                        in_flight=in_flight)
    else:
        raise ValueError(f"unknown backend {backend!r}: one of {', '.join(BACKENDS)}")
    if split_pages is not None:
        from .pages import SplitPool

        pool = SplitPool(pool)
    return pool


# -- on a Dask worker -----------------------------------------------------------------------------
_local = threading.local()


def _allow_children() -> None:
    """A Dask worker process is started daemonic (`distributed.worker.daemon`), and multiprocessing
    refuses children to a daemonic process. Our workers do not need that guard: each dies with its
    parent on its own (`worker.set_pdeathsig` and its watchdog)."""
    import multiprocessing as mp

    cur = mp.current_process()
    if cur._config.get("daemon"):
        cur._config["daemon"] = False


def _task(task, limits: dict, ocr: bool, split_pages: int | None, env: dict):
    """One document (or page, or assembly) on a Dask worker, under the local pool's limits."""
    key = (tuple(sorted(limits.items())), ocr, split_pages, tuple(sorted(env.items())))
    pools = getattr(_local, "pools", None)
    if pools is None:
        pools = _local.pools = {}
    pool = pools.get(key)
    if pool is None:
        _allow_children()
        # raw: the record comes back as the bytes the document worker pickled, passed on untouched
        # (unpickled by the client only: one pickle and one unpickle less per document here)
        pool = pools[key] = WorkerPool(jobs=1, limits=Limits(**limits), ocr=ocr, split_pages=split_pages, env=env,
                                       raw=True)
    out = list(pool.run([task], keep=True))
    if len(out) != 1:  # cannot happen: one task in, one result out
        return InputFailure(str(task), "worker", f"internal error: {len(out)} results for one task")
    return out[0][1]


def _decode(res):
    """A task's result as the client uses it: the record a document worker pickled (`raw`), or an
    object (a failure its Dask worker made, or a test's task function's)."""
    if isinstance(res, (bytes, bytearray, memoryview)):
        return pickle.loads(res)
    return res


class _Raised:
    """In a batch's results: the task function raised for this document (it is sent again alone,
    where Dask's retry applies as to any task)."""

    def __init__(self, error: str):
        self.error = error


def _batch(fn, tasks: list, limits: dict, ocr: bool, split_pages: int | None, env: dict) -> list:
    """Several small documents in one Dask task, one after the other, each exactly as `fn` runs it
    alone (`_task`: the one-process pool, its deadline and memory limit per document)."""
    out = []
    for task in tasks:
        try:
            out.append(fn(task, limits, ocr, split_pages, env))
        except Exception as e:  # noqa: BLE001 - sent again alone by the client
            out.append(_Raised(f"{type(e).__name__}: {e}"))
    return out


def _batchable(task, max_bytes: int) -> bool:
    """A plain text file of at most `max_bytes`: milliseconds of work, where Dask's own cost per task
    (scheduler, worker, client: ~4 ms of CPU) would be most of the time."""
    if not isinstance(task, str):  # a page group, a page or an assembly of a split scan
        return False
    from .text.sources import kind_of

    if kind_of(task) != "txt":
        return False
    try:
        return os.stat(task).st_size <= max_bytes
    except OSError:
        return False  # the worker reports it, alone


# -- on the client --------------------------------------------------------------------------------
class DaskPool:
    """Documents on a Dask distributed cluster (see the module doc)."""

    def __init__(self, jobs: int = 1, limits: Limits | None = None, ocr: bool = True, scheduler: str | None = None,
                 split_pages: int | None = None, in_flight: int | None = None, retries: int = 1, env: dict | None = None,
                 fn=None, connect_timeout: float = 60.0, batch: int = BATCH, batch_bytes: int = BATCH_BYTES):
        self.jobs = max(1, jobs)
        self.limits = limits or Limits()
        self.ocr = ocr
        self.scheduler = scheduler
        self.split_pages = split_pages
        self.in_flight = in_flight
        self.retries = retries
        self.env = env if env is not None else {k: os.environ[k] for k in WORKER_ENV if k in os.environ}
        self.fn = fn or _task  # the task function (a test passes one that kills its worker)
        self.connect_timeout = connect_timeout
        self.batch = max(1, batch)  # small text documents sent together, up to this many a task
        self.batch_bytes = batch_bytes
        self.batches = 0  # tasks of more than one document (a test reads them)
        self.client = None
        self.cluster = None
        self.stopping = False
        self.killed = 0  # document workers stopped for a limit or lost, Dask workers lost (after the retry)
        self.threads = 0
        self._pending: dict = {}

    # -- the cluster ----------------------------------------------------------------------------
    def _connect(self) -> None:
        if self.client is not None:
            return
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler:
            log.info("dask: connecting to %s", self.scheduler, extra={"event": "dask", "scheduler": self.scheduler})
            self.client = Client(self.scheduler, timeout=self.connect_timeout)
            self.client.wait_for_workers(1, timeout=self.connect_timeout)
        else:
            cfg = {"distributed.worker.daemon": False,  # our workers start their own processes
                   "distributed.scheduler.allowed-failures": 1,  # a task whose worker died: retried once
                   # a worker holds only the documents it runs: one lost takes no queued one with it
                   # (a task queued on a worker that dies counts as a death of its own)
                   "distributed.scheduler.worker-saturation": 1.0}
            # the workers ignore a terminal's Ctrl-C (inherited SIG_IGN): this process decides,
            # and closes the cluster cleanly
            main = threading.current_thread() is threading.main_thread()
            old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
            try:
                with dask.config.set(cfg):
                    self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                                dashboard_address=":0", silence_logs=logging.ERROR)
                    self.client = Client(self.cluster)
            finally:
                if main:
                    signal.signal(signal.SIGINT, old)
            log.info("dask: started a local cluster of %d workers", self.jobs,
                     extra={"event": "dask", "workers": self.jobs})
        info = self.client.scheduler_info()
        self.threads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()) or self.jobs

    def prestart(self, n_tasks: int) -> None:
        if n_tasks:
            self._connect()

    def stop(self) -> None:
        """Take no new documents (the ones submitted finish)."""
        self.stopping = True

    def close(self) -> None:
        """Cancel what is still running and close the client (and the cluster started here)."""
        pending, self._pending = self._pending, {}
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        if client is not None:
            try:
                if pending:
                    client.cancel(list(pending))
            except Exception:
                pass
            try:
                client.close()
            except Exception:
                pass
        if cluster is not None:
            try:
                cluster.close()
            except Exception:
                pass

    # -- the documents --------------------------------------------------------------------------
    def _shape(self) -> tuple[int, int, int]:
        """(tasks in flight, documents in flight, documents a batch): 4 tasks per worker thread by
        default; an explicit `in_flight` bounds the documents (batches only when it leaves two per
        worker thread)."""
        threads = max(1, self.threads)
        if self.in_flight:
            return self.in_flight, self.in_flight, min(self.batch, max(1, self.in_flight // (2 * threads)))
        return 4 * threads, 4 * threads * self.batch, self.batch

    def run(self, tasks: Iterable) -> Iterator[tuple[object, DocumentRecord | Failure]]:
        from distributed import as_completed

        it = iter(tasks)
        pending = self._pending  # future → (its documents, batched)
        again: collections.deque = collections.deque()  # documents of a lost batch: sent again alone
        held = None  # taken from `it` while making a batch, not batchable: sent next
        done = None
        limits = self.limits.as_dict()
        limit, doc_limit, k = self._shape()
        docs = 0  # documents in flight
        try:
            while True:
                while len(pending) < limit and docs < doc_limit:
                    if again:  # already submitted once: sent even after `stop`
                        group = [again.popleft()]
                    elif self.stopping:
                        break
                    else:
                        if held is not None:
                            task, held = held, None
                        else:
                            try:  # asked again each time: a split document's next step may appear later
                                task = next(it)
                            except StopIteration:
                                break
                        if self.client is None:  # connected when there is work
                            self._connect()
                            limit, doc_limit, k = self._shape()
                        group = [task]
                        if k > 1 and _batchable(task, self.batch_bytes):
                            while len(group) < min(k, doc_limit - docs):
                                try:
                                    nxt = next(it)
                                except StopIteration:
                                    break
                                if _batchable(nxt, self.batch_bytes):
                                    group.append(nxt)
                                else:
                                    held = nxt
                                    break
                    if done is None:
                        done = as_completed(loop=self.client.loop)
                    if len(group) == 1:
                        fut = self.client.submit(self.fn, group[0], limits, self.ocr, self.split_pages, self.env,
                                                 key=f"vanban-{uuid.uuid4().hex}", pure=False, retries=self.retries)
                    else:
                        self.batches += 1
                        fut = self.client.submit(_batch, self.fn, group, limits, self.ocr, self.split_pages, self.env,
                                                 key=f"vanban-batch-{uuid.uuid4().hex}", pure=False,
                                                 retries=self.retries)
                    pending[fut] = (group, len(group) > 1)
                    docs += len(group)
                    done.add(fut)
                if not pending:
                    return
                fut = next(done)
                group, batched = pending.pop(fut)
                docs -= len(group)
                out = self._batch_results(fut, group, again) if batched else [(group[0], self._result(fut, group[0]))]
                fut.release()
                yield from out
        finally:
            if pending and self.client is not None:
                try:
                    self.client.cancel(list(pending))
                except Exception:
                    pass
                pending.clear()

    def _batch_results(self, fut, group: list, again) -> list[tuple[object, DocumentRecord | Failure]]:
        """A batch's (task, result) pairs. A batch whose worker was lost (after Dask's retry) or
        that failed as a whole is not a failure of its documents: each is sent again alone, with
        its own retry, so a document that kills its worker costs no other one its record."""
        from concurrent.futures import CancelledError

        try:
            res = fut.result()
        except CancelledError:
            self.killed += 1
            return [(t, InputFailure(str(t), "worker", "worker lost: the task was cancelled by the cluster; it is "
                                                       "tried again on the next run", transient=True)) for t in group]
        except Exception as e:  # KilledWorker, or raised by the batch itself
            log.warning("dask: a batch of %d documents was lost (%s: %s); each is sent again alone", len(group),
                        type(e).__name__, e, extra={"event": "dask", "batch": len(group)})
            again.extend(group)
            return []
        if not isinstance(res, list) or len(res) != len(group):  # cannot happen
            again.extend(group)
            return []
        out = []
        for t, r in zip(group, res):
            if isinstance(r, _Raised):
                again.append(t)
                continue
            try:
                r = _decode(r)
            except Exception as e:  # cannot happen: the same package on both sides
                r = InputFailure(str(t), "worker", f"the Dask task failed: {type(e).__name__}: {e}")
            self._count(r)
            out.append((t, r))
        return out

    def _count(self, res) -> None:
        if isinstance(res, Failure) and res.stage in ("timeout", "memory", "worker") and "worker" in res.error:
            self.killed += 1  # its document worker was stopped (a limit) or died, on the Dask worker

    def _result(self, fut, task) -> DocumentRecord | Failure:
        from concurrent.futures import CancelledError

        from distributed import KilledWorker

        try:
            res = _decode(fut.result())
            self._count(res)
            return res
        except KilledWorker as e:
            self.killed += 1
            return InputFailure(str(task), "worker", f"worker lost: the Dask worker running it died, and so did "
                                                     f"the one it was retried on (last {e.last_worker.address}); "
                                                     f"it is tried again on the next run", transient=True)
        except CancelledError:
            self.killed += 1
            return InputFailure(str(task), "worker", "worker lost: the task was cancelled by the cluster; it is tried "
                                                     "again on the next run", transient=True)
        except Exception as e:  # raised by the task itself, after its retry (a fault outside `handle`)
            return InputFailure(str(task), "worker", f"the Dask task failed: {type(e).__name__}: {e}")


__all__ = ["BACKENDS", "DaskPool", "make_pool"]
