"""The batch runner: files → `process` in a pool of worker processes → committed batches → graph.

A bad input becomes a failures row and the batch goes on; a document already in the dataset
(same content hash) is skipped before any work is spent on it; results are committed every
`batch_size` documents, so an interrupted run keeps everything committed so far and a re-run
picks up where it stopped without duplicating a row.
"""
from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from .errors import ExitCode
from .graph.link import build_graph
from .models import DocumentRecord, Failure
from .document import DEFAULT_MAX_BYTES, process_safe
from .text.sources import discover, doc_id_from_sha, sha256_bytes
from .graph.store import Dataset


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

    def exit_code(self) -> ExitCode:
        if self.missing and self.seen == 0:
            return ExitCode.input_missing
        if self.failed and self.written == 0 and self.unchanged == 0:
            return ExitCode.all_failed
        if self.failed or self.missing or self.unchanged_failed:
            return ExitCode.partial
        return ExitCode.ok

    def format(self) -> str:
        lines = [f"documents: {self.written} written, {self.unchanged} unchanged (already ingested), "
                 f"{self.failed} failed, {self.unchanged_failed} failed before and unchanged (not retried), "
                 f"of {self.seen} input files"]
        if self.failures_cleared:
            lines.append(f"failures cleared: {self.failures_cleared} (those files now succeed)")
        if self.relations:
            lines.append("citations by relation: " + ", ".join(f"{k} {v}" for k, v in self.relations.most_common()))
        if self.failure_stages:
            lines.append("failures by stage: " + ", ".join(f"{k} {v}" for k, v in self.failure_stages.most_common()))
        if self.missing:
            lines.append("missing paths: " + ", ".join(self.missing))
        lines.append(f"graph: {self.nodes} nodes, {self.edges} edges")
        return "\n".join(lines)


def _hash_file(path: str, max_bytes: int) -> str | None:
    try:
        if os.path.getsize(path) > max_bytes:
            return None
        import hashlib

        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def ingest(paths: list[str], out: str, jobs: int = 1, batch_size: int = 100, ocr: bool = True,
           max_bytes: int = DEFAULT_MAX_BYTES, progress=None, retry_failed: bool = False) -> Summary:
    summary = Summary()
    sources, summary.missing = discover(paths)
    with Dataset(out) as ds:
        known = ds.doc_ids()
        failed_before = set() if retry_failed else ds.failed_files()
        todo: list[str] = []
        shas: dict[str, str | None] = {}
        early_failures: list[Failure] = []
        for s in sources:
            summary.seen += 1
            sha = _hash_file(s.path, max_bytes)
            if sha and (s.path, sha) in failed_before:
                summary.unchanged_failed += 1
                continue
            if s.kind is None:
                early_failures.append(Failure(s.path, "read", f"unsupported file type {os.path.splitext(s.path)[1]!r}",
                                              source_sha256=sha))
                continue
            if sha and doc_id_from_sha(sha) in known:
                summary.unchanged += 1
                continue
            shas[s.path] = sha
            todo.append(s.path)
        retried = {p for p, _ in (ds.failed_files() if retry_failed else failed_before)}
        pending_docs: list[DocumentRecord] = []
        pending_fail: list[Failure] = list(early_failures)

        def flush() -> None:
            nonlocal pending_docs, pending_fail
            for f in pending_fail:
                if f.source_sha256 is None and f.doc_id is None:
                    f.source_sha256 = shas.get(f.source_path)
            written, skipped = ds.write_batch(pending_docs, pending_fail)
            summary.failures_cleared += ds.clear_failures({r.source_path for r in pending_docs} & retried)
            summary.written += written
            summary.unchanged += skipped
            for rec in pending_docs:
                summary.relations.update(c.relation for c in rec.citations)
            for f in pending_fail:
                summary.failure_stages[f.stage] += 1
            summary.failed += len(pending_fail)
            pending_docs, pending_fail = [], []

        work = partial(process_safe, ocr=ocr, max_bytes=max_bytes)
        if jobs > 1 and len(todo) > 1:
            pool = ProcessPoolExecutor(max_workers=jobs)
            results = pool.map(work, todo, chunksize=max(1, min(16, len(todo) // (jobs * 4) or 1)))
        else:
            pool = None
            results = map(work, todo)
        try:
            for i, res in enumerate(results, 1):
                if isinstance(res, Failure):
                    pending_fail.append(res)
                else:
                    pending_docs.append(res)
                    for f in res.failures:  # page-level failures of a usable document
                        summary.failure_stages[f.stage] += 1
                if progress:
                    progress(i, len(todo))
                if len(pending_docs) + len(pending_fail) >= batch_size:
                    flush()
            flush()
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        # the linker re-links only what new batches touch; with none it writes nothing
        summary.nodes, summary.edges = build_graph(ds)
    return summary
