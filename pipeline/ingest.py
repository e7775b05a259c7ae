"""The batch runner: files → a backend (`pipeline.backends`: worker processes, this process, or a
Dask cluster) → committed batches → graph.

Every input is accounted for: a bad input (unreadable, a broken symlink, a bomb, a timeout, a
crashed worker) becomes a failures row with a clear reason and the batch goes on; a document
already in the dataset (same content hash) is skipped before any work is spent on it; a bad file
that has not changed is not tried again (`retry_failed` does). Results are committed every
`batch_size` documents, each batch atomically (`graph.store`), so an interrupted run keeps every
committed batch — the results already in hand are committed before it stops — and a re-run picks
up where it stopped without duplicating a row. The linker runs after each run (`build_graph`).
"""
from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import pickle
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .errors import ExitCode, Interrupted, critical, raise_if_signalled
from .limits import DEFAULT_MAX_BYTES, Limits
from .models import DocumentRecord, Failure
from .backends import make_pool
from .discovery import iter_discover
from .text.sources import Source, display_path, doc_id_from_sha, hash_file, printable
from .worker import InputFailure

log = logging.getLogger("vanban.ingest")


@dataclass
class Summary:
    seen: int = 0
    written: int = 0
    unchanged: int = 0  # already in the dataset (same content)
    failed: int = 0
    unchanged_failed: int = 0  # failed before with the same content: not retried (--retry-failed does)
    failures_cleared: int = 0  # files that failed before and now succeeded
    missing: list[str] = field(default_factory=list)
    relations: Counter = field(default_factory=Counter)
    failure_stages: Counter = field(default_factory=Counter)
    nodes: int = 0
    edges: int = 0
    # this run's whole-file failures: (path as stored, stage, reason)
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    page_failures: int = 0
    pages: int = 0  # pages of the documents written
    blank_pages_skipped: int = 0  # nearly blank page images of multi-image documents (duplex backs)
    ocr_pages: int = 0
    to_process: int = 0
    not_processed: int = 0  # left when the run stopped early (--max-failures)
    workers_lost: int = 0  # workers killed for a limit or that died
    batches: int = 0
    seconds: float = 0.0
    max_failures: str | None = None
    too_many_failures: bool = False
    stopped: str | None = None
    dry_run: list[tuple[str, str, str]] = field(default_factory=list)  # (path, action, detail)

    def exit_code(self) -> ExitCode:
        if self.seen == 0:
            return ExitCode.input_missing  # a path missing, or nothing in it to ingest
        if self.too_many_failures:
            return ExitCode.too_many_failures
        if self.failed and self.written == 0 and self.unchanged == 0:
            return ExitCode.all_failed
        if self.failed or self.missing or self.unchanged_failed:
            return ExitCode.partial
        return ExitCode.ok

    def format(self, listed: int = 20) -> str:
        lines = [f"documents: {self.written} written, {self.unchanged} unchanged (already ingested), "
                 f"{self.failed} failed, {self.unchanged_failed} failed before and unchanged (not retried), "
                 f"of {self.seen} input files"]
        if self.seen == 0 and not self.missing:
            lines.append("nothing to ingest: no input file found under the paths given")
        if self.blank_pages_skipped:
            lines.append(f"blank pages skipped: {self.blank_pages_skipped} (nearly blank page images, duplex backs)")
        if self.failures_cleared:
            lines.append(f"failures cleared: {self.failures_cleared} (those files now succeed)")
        if self.relations:
            lines.append("citations by relation: " + ", ".join(f"{k} {v}" for k, v in self.relations.most_common()))
        if self.failure_stages:
            lines.append("failures by stage: " + ", ".join(f"{k} {v}" for k, v in self.failure_stages.most_common()))
        if self.failures:
            n = len(self.failures)
            lines.append(f"failed files ({n}{', the first ' + str(listed) if n > listed else ''}):")
            for path, stage, reason in self.failures[:listed]:
                lines.append(f"  {printable(path)}: {stage}: {printable(reason)}")
            if n > listed:
                lines.append(f"  … and {n - listed} more (see the failures table, or --summary-json)")
        if self.missing:
            lines.append("missing paths: " + ", ".join(printable(m) for m in self.missing))
        if self.stopped:
            lines.append(f"stopped early: {self.stopped}; {self.not_processed} files not processed (a re-run does them)")
        elif self.too_many_failures:
            lines.append(f"too many failures: {self.failed} > --max-failures {self.max_failures}")
        lines.append(f"graph: {self.nodes} nodes, {self.edges} edges")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "exit_code": int(self.exit_code()), "seen": self.seen, "written": self.written,
            "unchanged": self.unchanged, "failed": self.failed, "unchanged_failed": self.unchanged_failed,
            "failures_cleared": self.failures_cleared, "page_failures": self.page_failures,
            "pages": self.pages, "ocr_pages": self.ocr_pages, "batches": self.batches,
            "blank_pages_skipped": self.blank_pages_skipped,
            "workers_lost": self.workers_lost, "seconds": round(self.seconds, 3),
            "missing": self.missing, "failure_stages": dict(self.failure_stages),
            "relations": dict(self.relations), "nodes": self.nodes, "edges": self.edges,
            "max_failures": self.max_failures, "too_many_failures": self.too_many_failures,
            "stopped": self.stopped, "not_processed": self.not_processed,
            "failures": [{"source_path": p, "stage": s, "error": e} for p, s, e in self.failures],
        }


def parse_max_failures(spec: str | int | None) -> tuple[int | None, float | None]:
    """`N` (a count) or `P%` (a share of the files processed) → (count, percent)."""
    if spec is None or spec == "":
        return None, None
    s = str(spec).strip()
    try:
        if s.endswith("%"):
            p = float(s[:-1])
            if not 0 <= p <= 100:
                raise ValueError
            return None, p
        n = int(s)
        if n < 0:
            raise ValueError
        return n, None
    except ValueError:
        raise ValueError(f"--max-failures takes a count (10) or a percentage (5%), not {spec!r}") from None


def _problem_key(path: str, err: OSError) -> str:
    try:
        st = os.lstat(path)
        return f"unreadable:{err.errno}:{st.st_size}:{st.st_mtime_ns}:{st.st_mode:o}"
    except OSError:
        return f"unreadable:{err.errno}"


def _hash(s: Source, max_bytes: int | None = None) -> tuple[str | None, str | None, str | None, str | None]:
    """(sha256, problem reason, problem key, too-large key) of one source. A file over `max_bytes`
    is refused unread, so it is not hashed either: its identity is its size and modification time."""
    if s.problem:
        return None, s.problem, s.key, None
    if s.members:
        return _hash_group(s, max_bytes)
    try:
        if max_bytes is not None:
            st = os.stat(s.path)
            if st.st_size > max_bytes:
                return None, None, None, f"too-large:{st.st_size}:{st.st_mtime_ns}"
        return hash_file(s.path), None, None, None
    except OSError as e:
        return None, f"cannot read file: {e.strerror or e}", _problem_key(s.path, e), None


def _hash_group(s: Source, max_bytes: int | None) -> tuple[str | None, str | None, str | None, str | None]:
    """A multi-image document: the sha256 of its members' bytes concatenated in page order (as
    `document.process` computes it), so an unchanged group is recognised on a re-run."""
    import hashlib

    from .text.sources import _open_binary

    h = hashlib.sha256()
    for m in s.members:
        try:
            if max_bytes is not None:
                st = os.stat(m)
                if st.st_size > max_bytes:
                    return None, None, None, f"too-large:{st.st_size}:{st.st_mtime_ns}"
            with _open_binary(m) as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
        except OSError as e:
            return (None, f"{os.path.basename(m)}: cannot read file: {e.strerror or e}", _problem_key(m, e), None)
    return h.hexdigest(), None, None, None


def _notify(progress, done: int, total: int, path: str | None = None, result=None) -> None:
    if progress is None:
        return
    if hasattr(progress, "update"):
        progress.update(done, total, path, result)
    else:
        progress(done, total)


HASH_CHUNK = 256  # inputs hashed at a time (discovery and hashing stream: memory flat in the archive)


def _scan(sources: Iterable[Source], max_bytes: int, threads: int,
          hashed: dict | None = None) -> Iterator[tuple[Source, tuple]]:
    """(source, `_hash` of it), in discovery order, hashed `HASH_CHUNK` at a time in threads;
    `hashed`: hashes already taken in this run (path → `_hash`), used once, not taken again."""
    hashed = hashed if hashed is not None else {}

    def one(s):
        h = hashed.pop(s.path, None)
        return h if h is not None else _hash(s, max_bytes)

    with ThreadPoolExecutor(max_workers=threads) as hashers:
        for chunk in _chunks(sources, HASH_CHUNK):
            yield from zip(chunk, hashers.map(one, chunk))


def _chunks(it: Iterable, n: int) -> Iterator[list]:
    it = iter(it)
    while True:
        chunk = list(itertools.islice(it, n))
        if not chunk:
            return
        yield chunk


class _Spool:
    """The documents to process, (task, sha256) pairs, pickled to an anonymous temporary file as
    the inputs are triaged and read back one at a time by the pool: the run knows how many there
    are before it starts (progress, ETA) without holding them."""

    def __init__(self):
        self.fh = tempfile.TemporaryFile(prefix="vanban-todo-")
        self.count = 0

    def add(self, task, sha: str | None) -> None:
        pickle.dump((task, sha), self.fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[tuple[object, str | None]]:
        self.fh.flush()
        self.fh.seek(0)
        for _ in range(self.count):
            yield pickle.load(self.fh)

    def close(self) -> None:
        self.fh.close()


def ingest(paths: list[str], out: str, jobs: int = 1, batch_size: int = 100, ocr: bool = True,
           max_bytes: int = DEFAULT_MAX_BYTES, progress=None, retry_failed: bool = False,
           limits: Limits | None = None, max_failures: str | int | None = None,
           dry_run: bool = False, isolate: bool | None = None, group_pages: bool = True,
           backend: str | None = None, scheduler: str | None = None, split_pages: int | None = None,
           link_memory_limit: str = "512MB") -> Summary:
    """Ingest files and folders into the dataset at `out`. See the module doc.

    `backend` (`pipeline.backends`): "local" (worker processes, each document under `limits`:
    deadline, memory), "inprocess" (this process, no deadline or memory limit) or "dask" (a Dask
    cluster: `scheduler` "tcp://host:8786", or a local cluster of `jobs` workers). None picks by
    `isolate`: None (the default of this function) isolates when `jobs` > 1 and runs in this
    process when `jobs` is 1, as the library always did; `vanban ingest` always isolates.

    `split_pages`: a scan with more pages to OCR than this is OCR'd one page per task
    (`pipeline.pages`); None processes every document whole.

    `group_pages`: page images of one document given as separate files are one document
    (`text.sources`, multi-image documents); False (`--no-group-pages`) takes every file alone.

    Memory stays flat in the size of the archive: inputs are discovered and hashed as a stream
    (`pipeline.discovery`), the documents to process are spooled to a temporary file, the pool
    takes them as it frees up, and results are committed every `batch_size`."""
    t0 = time.monotonic()
    limits = dataclasses.replace(limits or Limits(), max_bytes=max_bytes)
    max_n, max_pct = parse_max_failures(max_failures)
    summary = Summary(max_failures=None if max_failures in (None, "") else str(max_failures))
    # the dataset is never an input (when it lies under an input folder)
    sources = iter_discover(paths, group=group_pages, missing=summary.missing, exclude=[out])
    for m in summary.missing:
        log.warning("missing path: %s", printable(m), extra={"event": "missing", "path": display_path(m)})
    if dry_run:
        return _dry_run(sources, out, retry_failed, summary, t0, max_bytes)
    if backend is None:
        if isolate is None:
            isolate = jobs > 1
        backend = "local" if isolate else "inprocess"
    hashed: dict[str, tuple] = {}
    if not retry_failed:
        quick = _unchanged_run(paths, out, group_pages, max_bytes, jobs, backend, t0, hashed)
        if quick is not None:
            return quick
        summary = Summary(max_failures=summary.max_failures)  # the full run counts afresh
        sources = iter_discover(paths, group=group_pages, missing=summary.missing, exclude=[out])
    from .graph.store import Dataset  # here: an unchanged run does not need pyarrow

    with Dataset(out) as ds:
        known = ds.doc_ids()
        failed_before = set() if retry_failed else ds.failed_files()
        fail_paths = ds.failure_paths()
        todo = _Spool()  # paths, or `PageGroup`s for multi-image documents, with their sha256
        shas: dict[str, list] = {}  # path → [sha256, tasks in flight]: only the documents in the pool
        pending_fail: list[Failure] = []
        pending_docs: list[DocumentRecord] = []
        clear: set[str] = set()
        early = 0

        def flush() -> None:
            nonlocal pending_docs, pending_fail, clear
            if not pending_docs and not pending_fail and not clear:
                return
            with critical():  # a signal here is held until the batch is committed and counted
                written, skipped = ds.write_batch(pending_docs, pending_fail, clear=clear)
                docs, fails = pending_docs, pending_fail
                pending_docs, pending_fail, clear = [], [], set()
                summary.batches += 1
                summary.failures_cleared += ds.last_cleared
                summary.written += written
                summary.unchanged += skipped
                for rec in docs:
                    summary.relations.update(c.relation for c in rec.citations)
            log.debug("batch committed: %d documents written, %d duplicates, %d failures", written, skipped,
                      len(fails), extra={"event": "batch", "written": written, "failures": len(fails)})

        def tasks() -> Iterator:
            for task, sha in todo:
                entry = shas.setdefault(str(task), [sha, 0])
                entry[1] += 1
                yield task

        pool = make_pool(backend, jobs=jobs, limits=limits, ocr=ocr, split_pages=split_pages, scheduler=scheduler)
        done = 0
        try:
            for s, h in _scan(sources, max_bytes, max(2, min(8, jobs * 2)), hashed):
                summary.seen += 1
                verdict, dp, failure = _triage(s, h, failed_before, known, max_bytes)
                if verdict == "failed_before":
                    summary.unchanged_failed += 1
                elif verdict == "refuse":
                    pending_fail.append(failure)
                    _record_failure(summary, failure)
                    early += 1
                elif verdict == "unchanged":
                    summary.unchanged += 1
                    if dp in fail_paths:
                        clear.add(s.path)  # an old failure row of a file whose content is now in the dataset
                else:
                    todo.add(s.task, h[0])
                if len(pending_fail) + len(clear) >= batch_size:
                    flush()  # refused before processing: committed as they come, not held
            summary.to_process = todo.count
            log.info("ingest: %d input files, %d to process, %d unchanged, %d failed before and unchanged, "
                     "%d refused before processing", summary.seen, todo.count, summary.unchanged,
                     summary.unchanged_failed, early,
                     extra={"event": "start", "seen": summary.seen, "to_process": todo.count, "jobs": jobs,
                            "backend": backend})
            if max_n is not None and summary.failed > max_n:  # refused before processing already
                pool.stop()
                summary.too_many_failures = True
                summary.stopped = f"more than {max_n} failures (--max-failures) before processing"
            if not pool.stopping:
                pool.prestart(todo.count)
            _notify(progress, 0, todo.count)
            for task, res in pool.run(tasks()):
                raise_if_signalled()  # (a signal whose exception a GC callback dropped)
                done += 1
                path = str(task)  # a multi-image document is named by its label
                entry = shas.get(path)
                if entry is not None:
                    entry[1] -= 1
                    if entry[1] <= 0:
                        del shas[path]
                if isinstance(res, Failure) and not isinstance(res.source_path, str):
                    res.source_path = str(res.source_path)
                if isinstance(res, Failure):
                    if res.source_sha256 is None and res.doc_id is None:
                        res.source_sha256 = entry[0] if entry else None
                    pending_fail.append(res)
                    _record_failure(summary, res)
                else:
                    pending_docs.append(res)
                    summary.pages += len(res.pages)
                    summary.blank_pages_skipped += getattr(res, "blank_pages_skipped", 0)
                    summary.ocr_pages += sum(1 for p in res.pages if p.ocr)
                    for f in res.failures:  # page-level failures of a usable document
                        summary.failure_stages[f.stage] += 1
                        summary.page_failures += 1
                    log.debug("done: %s (%d pages)", printable(display_path(path)), len(res.pages),
                              extra={"event": "done", "path": display_path(path), "pages": len(res.pages)})
                _notify(progress, done, todo.count, path, res)
                if max_n is not None and summary.failed > max_n and not pool.stopping:
                    pool.stop()
                    summary.too_many_failures = True
                    summary.stopped = f"more than {max_n} failures (--max-failures)"
                    log.error("stopping: %d failures > --max-failures %d", summary.failed, max_n,
                              extra={"event": "stop", "failed": summary.failed})
                if len(pending_docs) + len(pending_fail) >= batch_size:
                    flush()
            summary.workers_lost = pool.killed
            if summary.stopped:
                summary.not_processed = todo.count - done
            flush()
        except Interrupted as e:
            e.summary = summary
            with critical():  # a second signal waits: the workers end, the results in hand are committed
                pool.close()
                summary.workers_lost = pool.killed
                summary.stopped = f"interrupted by {e.args[0] if e.args else 'a signal'}"
                summary.not_processed = max(0, todo.count - done)
                flush()
            summary.seconds = time.monotonic() - t0
            raise
        finally:
            pool.close()
            todo.close()
        if max_pct is not None:
            attempted = max(1, done + early)  # processed, or refused before processing
            if 100.0 * summary.failed / attempted > max_pct:
                summary.too_many_failures = True
        # the linker re-links only what new batches touch; with none it writes nothing
        from .graph.link import build_graph  # here: DuckDB starts only when there is linking to do

        summary.nodes, summary.edges = build_graph(ds, memory_limit=link_memory_limit)
        from .graph import known as known_file

        known_file.save(out, known_file.current_snapshot(out), ds.doc_ids(), ds.failed_files(), ds.failure_paths(),
                        summary.nodes, summary.edges)
    summary.seconds = time.monotonic() - t0
    return summary


def _unchanged_run(paths: list[str], out: str, group_pages: bool, max_bytes: int, jobs: int, backend: str,
                   t0: float, hashed: dict) -> Summary | None:
    """The summary of a run in which nothing changed, found without opening the store (no pyarrow,
    no lock: nothing is written): every input is already ingested with the same content, or failed
    before and is unchanged, and no stale failure row needs clearing. None when any input needs
    work: the full run then goes on, reusing the hashes taken here (`hashed`)."""
    from .graph import known as known_file

    k = known_file.load(out)
    if k is None:
        return None
    summary = Summary()
    sources = iter_discover(paths, group=group_pages, missing=summary.missing, exclude=[out])
    if summary.missing:
        return None
    for s, h in _scan(sources, max_bytes, max(2, min(8, jobs * 2))):
        hashed[s.path] = h
        verdict, dp, _failure = _triage(s, h, k.failed, k.doc_ids, max_bytes)
        if verdict == "failed_before":
            summary.unchanged_failed += 1
        elif verdict == "unchanged" and dp not in k.fail_paths:
            summary.unchanged += 1
        else:
            return None
        summary.seen += 1
    if summary.missing:
        return None
    log.info("ingest: %d input files, %d to process, %d unchanged, %d failed before and unchanged, "
             "%d refused before processing", summary.seen, 0, summary.unchanged, summary.unchanged_failed, 0,
             extra={"event": "start", "seen": summary.seen, "to_process": 0, "jobs": jobs, "backend": backend})
    summary.nodes, summary.edges = k.nodes, k.edges
    summary.seconds = time.monotonic() - t0
    return summary


def _record_failure(summary: Summary, f: Failure) -> None:
    summary.failed += 1
    summary.failure_stages[f.stage] += 1
    dp = display_path(f.source_path)
    summary.failures.append((dp, f.stage, f.error))
    log.info("failed: %s: %s: %s", printable(dp), f.stage, printable(f.error),
             extra={"event": "failed", "path": dp, "stage": f.stage, "error": f.error})


def _triage(s: Source, hashed: tuple, failed_before: set, known: set, max_bytes: int):
    """What a run does with one input, before any worker sees it (the run and the dry run alike):
    ("failed_before" | "refuse" | "unchanged" | "process", display path, the failure when refused)."""
    sha, problem, pkey, big = hashed
    dp = display_path(s.path)
    key = sha or pkey or big
    if key and (dp, key) in failed_before:
        return "failed_before", dp, None
    if problem:
        return "refuse", dp, InputFailure(s.path, "read", problem, input_key=pkey)
    if big:
        size = int(big.split(":")[1])
        return "refuse", dp, InputFailure(s.path, "limits", f"file too large: {size / 1e6:.1f} MB > limit "
                                                            f"{max_bytes / 1e6:.0f} MB", input_key=big)
    if s.kind is None:
        ext = os.path.splitext(s.path)[1]
        return "refuse", dp, InputFailure(s.path, "read", f"unsupported file type {ext or '(no extension)'!r}",
                                          source_sha256=sha)
    if doc_id_from_sha(sha) in known:
        return "unchanged", dp, None
    return "process", dp, None


def _dry_run(sources: Iterable[Source], out: str, retry_failed: bool, summary: Summary, t0: float,
             max_bytes: int) -> Summary:
    """What a run would do, without writing anything (the dataset is only read, without the lock)."""
    from .graph.store import Dataset

    ds = Dataset(out, readonly=True)
    exists = os.path.isdir(out)
    known = ds.doc_ids() if exists else set()
    failed_before = set() if retry_failed or not exists else ds.failed_files()
    for s, h in _scan(sources, max_bytes, 4):
        summary.seen += 1
        verdict, dp, failure = _triage(s, h, failed_before, known, max_bytes)
        if verdict == "failed_before":
            summary.unchanged_failed += 1
            summary.dry_run.append((dp, "skip", "failed before, unchanged"))
        elif verdict == "refuse":
            summary.failed += 1
            summary.dry_run.append((dp, "fail", failure.error))
        elif verdict == "unchanged":
            summary.unchanged += 1
            summary.dry_run.append((dp, "skip", "unchanged (already ingested)"))
        else:
            summary.to_process += 1
            summary.dry_run.append((dp, "process", s.kind))
    summary.seconds = time.monotonic() - t0
    return summary
