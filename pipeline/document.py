"""Per document: path → DocumentRecord. Pure (reads one file, writes nothing, no global state),
so a process pool or a Dask worker can run it; rules are compiled once per worker on first use.

Stages: read (bytes → raw pages) → ocr (pages without a usable text layer) → clean (normalise) →
extract (header, signature, recipients, references).
"""
from __future__ import annotations

import os
from pathlib import Path

import regex

from .text import read as reader
from .extract.agencies import jurisdiction_of
from .extract.identity import annotate
from .extract.entities import find_entities
from .extract.tasks import addressees, find_tasks
from .text.clean import normalize_text
from .errors import InputError
from .extract.header import read_header
from .models import PAGE_SEPARATOR, DocumentRecord, Failure, Page
from .extract.references import find_citations
from .extract.signature import read_recipients, read_signature
from .text.sources import KINDS, doc_id_from_sha, sha256_bytes

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # a file larger than this is refused (a failure row), not read
DEFAULT_MAX_TEXT_CHARS = 8_000_000  # extracted text larger than this is refused (20 MB dumps)

_VIET = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_VIETNAMESE_LETTERS = regex.compile(f"[{_VIET}{_VIET.upper()}]")


_LETTER = regex.compile(r"\p{L}")


def _check_language(text: str) -> None:
    """Refuse text that is not Vietnamese (an English page, a binary dump): judged on a sample."""
    mid = len(text) // 2
    sample = text[:4000] + text[mid: mid + 4000]
    letters = len(_LETTER.findall(sample))
    if letters == 0:
        raise InputError("language", "no letters in the text")
    viet = len(_VIETNAMESE_LETTERS.findall(sample))
    if viet / letters < 0.02:
        raise InputError("language", f"no Vietnamese text found ({viet} Vietnamese letters out of {letters})")


def read_pages(path: str, data: bytes, kind: str, ocr: bool = True) -> tuple[list[Page], list[Failure]]:
    """Raw pages of one file, OCR'd where the text layer is missing; page-level failures apart."""
    failures: list[Failure] = []
    if kind == "txt":
        raw = reader.read_txt(data)
    elif kind == "docx":
        raw = reader.read_docx(data)
    elif kind == "pdf":
        raw = reader.read_pdf(data, ocr=ocr)
    elif kind == "image":
        raw = [reader.RawPage(n, "", True, "image") for n in range(1, reader.image_frames(data) + 1)]
    else:
        raise InputError("read", f"unsupported file type {Path(path).suffix!r}")
    pages: list[Page] = []
    to_ocr = [p for p in raw if p.needs_ocr]
    ocr_results: dict[int, Page] = {}
    if to_ocr:
        if not ocr:
            raise InputError("needs_ocr", f"{len(to_ocr)} of {len(raw)} page(s) have no usable text layer "
                                          f"({to_ocr[0].reason}) and OCR is disabled")
        try:
            from .text.ocr import ocr_document
        except ImportError as e:
            raise InputError("needs_ocr", f"{len(to_ocr)} page(s) need OCR, which is not available: {e}") from None
        ocr_results, ocr_failures = ocr_document(path, data, kind, [p.page for p in to_ocr])
        failures.extend(ocr_failures)
    for p in raw:
        if p.needs_ocr:
            if p.page in ocr_results:
                pages.append(ocr_results[p.page])
            else:
                pages.append(Page(page=p.page, text="", ocr=True, ocr_confidence=None))
        else:
            pages.append(Page(page=p.page, text=p.text, engine=p.engine))
    return pages, failures


def process(path: str | os.PathLike, *, data: bytes | None = None, ocr: bool = True,
            max_bytes: int = DEFAULT_MAX_BYTES, max_chars: int = DEFAULT_MAX_TEXT_CHARS) -> DocumentRecord:
    """One document through every per-document stage. Raises `InputError` for a bad input."""
    path = str(path)
    kind = KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise InputError("read", f"unsupported file type {Path(path).suffix or '(no extension)'!r}")
    if data is None:
        try:
            size = os.path.getsize(path)
            if size > max_bytes:
                raise InputError("read", f"file too large: {size / 1e6:.1f} MB > limit {max_bytes / 1e6:.0f} MB")
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            raise InputError("read", f"cannot read file: {e.strerror or e}") from None
    elif len(data) > max_bytes:
        raise InputError("read", f"file too large: {len(data) / 1e6:.1f} MB > limit {max_bytes / 1e6:.0f} MB")
    sha = sha256_bytes(data)
    record = DocumentRecord(doc_id=doc_id_from_sha(sha), source_path=path, source_sha256=sha, kind=kind)
    pages, failures = read_pages(path, data, kind, ocr=ocr)
    for f in failures:
        f.doc_id = record.doc_id
    record.failures = failures
    total = sum(len(p.text) for p in pages)
    if total > max_chars:
        raise InputError("read", f"text too large: {total:,} characters > limit {max_chars:,}")
    removed = 0
    offset = 0
    for p in pages:
        p.text, r = normalize_text(p.text, strip_boilerplate=True)
        removed += r
        p.start = offset
        offset += len(p.text) + len(PAGE_SEPARATOR)
    record.pages = pages
    record.boilerplate_removed = removed
    text = record.text
    if not text.strip():
        if failures:
            raise InputError(failures[0].stage, "no page could be read: " + failures[0].error)
        raise InputError("read", "no text")
    _check_language(text)
    extract(record, text)
    return record


def extract(record: DocumentRecord, text: str) -> None:
    """Run the rule extractors over the normalised text (in place)."""
    h = read_header(text, untyped=None if record.ocr else "Văn bản",
                    fields=record.pages[0].header_fields if record.pages else None)
    record.header = h
    sig = read_signature(text)
    recipients, filing = read_recipients(text, h.body_start)
    sig.recipients, sig.filing = recipients, filing
    record.signature = sig
    where = jurisdiction_of(h.issuer, h.issuer_parent)
    exclude = [(h.number_span.start, h.number_span.end)] if h.number_span else []
    # the title (or a công văn's "V/v …" line) is one clause even when broken over lines
    title = None
    if h.subject_span:
        start = h.doc_type_span.start if h.doc_type_span else text.rfind("\n", 0, h.subject_span.start) + 1
        title = (start, h.subject_span.end)
    cits = find_citations(text, own_number=h.number, own_date=h.issue_date, where=where, exclude=exclude, title_span=title,
                          doc_type=h.doc_type)
    for c in cits:
        c.page = _page_of(record.pages, c.start)
    record.citations = cits
    record.tasks = _guarded(record, "tasks", lambda: find_tasks(
        text, h.body_start, h.doc_type, addressees(text, h.body_start),
        h.issue_year or (h.issue_date.year if h.issue_date else None), h.issuer, h.subject))
    annotate(record)
    # after annotate: the entities' normaliser completes names from the canonical issuer
    record.entities = _guarded(record, "entities", lambda: find_entities(text, h, sig))


def _guarded(record: DocumentRecord, stage: str, run) -> list:
    """Tasks and entities are read on top of the document's identity: a fault in either costs that
    table's rows for this document (a failure row says so), never the document itself."""
    try:
        return run()
    except Exception as e:  # noqa: BLE001 - any bug here must not lose the document
        record.failures.append(Failure(source_path=record.source_path, stage=stage, doc_id=record.doc_id,
                                       error=f"internal error in {stage}: {type(e).__name__}: {e}"))
        return []


def _page_of(pages: list[Page], offset: int) -> int:
    page = 1
    for p in pages:
        if p.start <= offset:
            page = p.page
    return page


def process_safe(path: str, **kw) -> DocumentRecord | Failure:
    """`process` for executors: a bad input comes back as a Failure instead of an exception."""
    try:
        return process(path, **kw)
    except InputError as e:
        return Failure(source_path=str(path), stage=e.stage, error=e.message)
    except MemoryError:
        return Failure(source_path=str(path), stage="extract", error="out of memory")
    except Exception as e:  # a bug must not stop a nightly batch: record it with its type
        return Failure(source_path=str(path), stage="extract", error=f"internal error: {type(e).__name__}: {e}")
