"""Page tasks: a long scan is OCR'd one page per task, on any worker, and put back together into
the very record that processing it whole gives.

Processing a document whole is `raw_pages` (text layers; the pages that need OCR marked) → OCR of
the marked pages → `merge_pages` → `_finish` (normalise, extractors). A scan of 40 pages is one
task of 40 × several seconds that holds back its batch while the other workers idle. Split:

1. the document's task (`worker.handle`, under the document's limits) sees from the declared page
   count that more than `split_pages` pages may need OCR, reads the text layers and, when more than
   `split_pages` pages really need OCR, returns a `PagePlan` (the raw pages, the pages to OCR)
   instead of a record;
2. `SplitPool` turns the plan into one `PageJob` per page, run ahead of new documents by the same
   pool (local worker processes or Dask), each under its own limits (`doc_timeout` +
   `page_timeout` for its one page; its memory limit): `ocr_page` reads the file again (checking
   its sha256), OCRs that page exactly as the whole-document OCR does (`text.ocr.ocr_document` for
   one page) and returns the page and its page-level failures;
3. when the last page is in, an `AssembleJob` (under the limits again) merges the pages in page
   order and runs the extractors on the joined text (`assemble`).

A page task that is stopped (its timeout, its memory limit, a crash) costs that page only: the page
is empty and a failure row names it, as when Tesseract fails on one page of a whole document.
"""
from __future__ import annotations

import collections
import itertools
import os
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .models import DocumentRecord, Failure, Page

DEFAULT_SPLIT_PAGES = 8  # a scan with more pages to OCR than this is split into page tasks


@dataclass
class PagePlan:
    """A long scan to OCR page by page: what the whole-document path has after `raw_pages`."""

    path: str
    kind: str
    sha: str
    raw: list  # text.read.RawPage, every page of the document in order
    pages: list[int]  # the pages that need OCR (1-based)
    max_chars: int


@dataclass(frozen=True)
class PageJob:
    """OCR one page of a planned document (`plan_id` ties it to its plan in `SplitPool`)."""

    path: str
    kind: str
    sha: str
    page: int
    plan_id: int = 0

    def __str__(self) -> str:
        return f"{self.path} (page {self.page})"


@dataclass
class PageResult:
    page: int
    found: Page | None  # None: not read (the failures say why)
    failures: list[Failure] = field(default_factory=list)


@dataclass(eq=False)
class AssembleJob:
    """Merge the pages of a planned document and run the extractors (its original task kept)."""

    task: object
    plan: PagePlan
    results: list  # PageResult | Failure (a page task that was stopped), in page order

    def __str__(self) -> str:
        return str(self.task)

    __hash__ = object.__hash__


# -- in a worker ----------------------------------------------------------------------------------
def plan(path: str, data: bytes, ocr: bool, max_bytes: int, split_pages: int):
    """A single file's document: its record when it is processed whole, or a `PagePlan` when more
    than `split_pages` of its pages need OCR. Raises `InputError` as `document.process` does."""
    from .document import DEFAULT_MAX_TEXT_CHARS, process, raw_pages
    from .text.sources import KINDS, sha256_bytes

    path = str(path)
    kind = KINDS.get(os.path.splitext(path)[1].lower())
    if not ocr or kind not in ("pdf", "image") or len(data) > max_bytes:
        return process(path, data=data, ocr=ocr, max_bytes=max_bytes)
    raw = raw_pages(path, data, kind, ocr)
    todo = [p.page for p in raw if p.needs_ocr]
    p = PagePlan(path, kind, sha256_bytes(data), raw, todo, DEFAULT_MAX_TEXT_CHARS)
    if len(todo) > split_pages:
        return p
    if not todo:  # no OCR needed after all: finish from the pages already read
        return assemble(p, {}, [])
    try:
        from .text.ocr import ocr_document
    except ImportError:
        return process(path, data=data, ocr=ocr, max_bytes=max_bytes)  # it words the refusal
    found, failures = ocr_document(path, data, kind, todo)
    return assemble(p, found, failures)


def ocr_page(job: PageJob, data: bytes) -> PageResult:
    """One page of a planned document, OCR'd as the whole-document OCR reads it."""
    from .errors import InputError
    from .text.ocr import ocr_document
    from .text.sources import sha256_bytes

    if sha256_bytes(data) != job.sha:
        raise InputError("read", "the file changed while its pages were being read")
    found, failures = ocr_document(job.path, data, job.kind, [job.page])
    return PageResult(job.page, found.get(job.page), list(failures))


def assemble(p: PagePlan, found: dict[int, Page], failures: list[Failure]) -> DocumentRecord:
    """The record of a planned document from its OCR'd pages (`document.process`'s last steps)."""
    from .document import _finish, merge_pages
    from .text.sources import doc_id_from_sha

    record = DocumentRecord(doc_id=doc_id_from_sha(p.sha), source_path=p.path, source_sha256=p.sha, kind=p.kind)
    return _finish(record, merge_pages(p.raw, found), list(failures), p.max_chars)


def assemble_job(job: AssembleJob) -> DocumentRecord:
    found: dict[int, Page] = {}
    failures: list[Failure] = []
    for n, r in zip(job.plan.pages, job.results):
        if isinstance(r, PageResult):
            if r.found is not None:
                found[n] = r.found
            failures.extend(r.failures)
        else:  # the page's task was stopped or failed: that page is empty, a failure row says why
            failures.append(Failure(source_path=job.plan.path, stage=r.stage, error=f"page {n}: {r.error}", page=n))
    return assemble(job.plan, found, failures)


# -- the driver -----------------------------------------------------------------------------------
class _Feed:
    """The tasks a pool takes: continuations (page and assemble jobs) first, then new documents.
    Not a one-shot iterator: after StopIteration it may yield again (an assemble job appears when
    a page finishes), and the pools poll it again before they end."""

    def __init__(self, tasks: Iterable):
        self.front: collections.deque = collections.deque()
        self.source = iter(tasks)
        self.stopping = False
        self.exhausted = False

    def __iter__(self):
        return self

    def __next__(self):
        if self.front:
            return self.front.popleft()
        if self.stopping or self.exhausted:
            raise StopIteration
        try:
            return next(self.source)
        except StopIteration:
            self.exhausted = True
            raise


class SplitPool:
    """A pool (`WorkerPool`, `InlinePool`, `DaskPool`, built with `split_pages`) whose long scans
    come back as `PagePlan`s, driven to records: `run(tasks)` yields (task, record | failure) per
    document as the pool it wraps does."""

    def __init__(self, pool):
        self.pool = pool
        self.stopping = False
        self._feed: _Feed | None = None
        self._ids = itertools.count(1)
        self.split_documents = 0
        self.page_tasks = 0

    @property
    def killed(self) -> int:
        return self.pool.killed

    def prestart(self, n_tasks: int) -> None:
        self.pool.prestart(n_tasks)

    def stop(self) -> None:
        """No new documents; the pages of documents already split are still read and assembled."""
        self.stopping = True
        if self._feed is not None:
            self._feed.stopping = True

    def close(self) -> None:
        self.pool.close()

    def run(self, tasks: Iterable) -> Iterator[tuple[object, DocumentRecord | Failure]]:
        feed = self._feed = _Feed(tasks)
        feed.stopping = self.stopping
        waiting: dict[int, tuple[object, PagePlan, dict[int, object]]] = {}
        for job, res in self.pool.run(feed):
            if isinstance(job, PageJob):
                task, p, got = waiting[job.plan_id]
                got[job.page] = res
                if len(got) == len(p.pages):
                    del waiting[job.plan_id]
                    feed.front.appendleft(AssembleJob(task, p, [got[n] for n in p.pages]))
                continue
            if isinstance(job, AssembleJob):
                yield job.task, res
                continue
            if isinstance(res, PagePlan):
                pid = next(self._ids)
                waiting[pid] = (job, res, {})
                self.split_documents += 1
                self.page_tasks += len(res.pages)
                # ahead of new documents: a split scan is finished before more work is started
                feed.front.extendleft(reversed([PageJob(res.path, res.kind, res.sha, n, pid) for n in res.pages]))
                continue
            yield job, res


__all__ = ["DEFAULT_SPLIT_PAGES", "PagePlan", "PageJob", "PageResult", "AssembleJob", "SplitPool", "plan",
           "ocr_page", "assemble", "assemble_job"]
