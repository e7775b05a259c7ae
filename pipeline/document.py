"""Per document: path → DocumentRecord. Pure (reads one file, writes nothing, no global state),
so a process pool or a Dask worker can run it; rules are compiled once per worker on first use.

Stages: read (bytes → raw pages) → ocr (pages without a usable text layer) → clean (normalise) →
extract (header, signature, recipients, references).
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from .text import read as reader
from .extract.agencies import jurisdiction_of
from .extract.identity import annotate
from .extract.entities import find_entities
from .extract.tasks import LETTER_TYPES, addressees, find_tasks
from .text.clean import normalize_text
from .text.evidence import place_words
from .errors import InputError
from .extract.header import read_header
from .models import PAGE_SEPARATOR, DocumentRecord, Failure, Page
from .extract.references import find_citations
from .extract.signature import read_recipients, read_signature
from .text.sources import KINDS, doc_id_from_sha, sha256_bytes

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # a file larger than this is refused (a failure row), not read
DEFAULT_MAX_TEXT_CHARS = 8_000_000  # extracted text larger than this is refused (20 MB dumps)

_VIET = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_VIETNAMESE_LETTERS = frozenset(_VIET + _VIET.upper())  # the letters with Vietnamese marks, both cases
_LETTER = regex.compile(r"\p{L}")


@lru_cache(maxsize=8192)
def _is_letter(ch: str) -> bool:
    return _LETTER.match(ch) is not None


def _letter_counts(sample: str) -> tuple[int, int]:
    """(letters, letters with Vietnamese marks) of `sample`, counted per code point.

    Why not `len(_LETTER.findall(sample))`: that builds a string per letter of the 8,000-character
    sample, for every document (`vanban bench`'s process() pass went from 1.56 s to 1.34 s when it
    stopped). Each distinct character is judged once instead (by the same `regex` letter class, so the
    Unicode version that decides what a letter is stays `regex`'s, not `str.isalpha`'s)."""
    letters = viet = 0
    for ch, n in Counter(sample).items():
        if _is_letter(ch):
            letters += n
        if ch in _VIETNAMESE_LETTERS:
            viet += n
    return letters, viet


def _check_language(text: str) -> None:
    """Refuse text that is not Vietnamese (an English page, a binary dump): judged on a sample."""
    mid = len(text) // 2
    sample = text[:4000] + text[mid: mid + 4000]
    letters, viet = _letter_counts(sample)
    if letters == 0:
        raise InputError("language", "no letters in the text")
    if viet / letters < 0.02:
        raise InputError("language", f"no Vietnamese text found ({viet} Vietnamese letters out of {letters})")


@dataclass(frozen=True)
class PageGroup:
    """Page images of one document given as separate files (`text.sources`, multi-image documents):
    read as consecutive pages, pages numbered 1..N across the members. `label` is its stored
    `source_path` (the first member with ` (+N pages)`, or the folder). Picklable, hashable."""

    members: tuple[str, ...]
    label: str = ""

    def __post_init__(self):
        object.__setattr__(self, "members", tuple(str(m) for m in self.members))
        if not self.label:
            from .text.sources import group_label

            object.__setattr__(self, "label", group_label(self.members))

    def __str__(self) -> str:
        return self.label


def _as_group(path) -> PageGroup | None:
    if isinstance(path, PageGroup):
        return path
    if isinstance(path, (list, tuple)):
        return PageGroup(tuple(str(p) for p in path))
    return None


BLANK_INK_SHARE = 0.0005  # a page image with less ink than this share of its pixels is blank
BLANK_WHITE = 200  # grey level (after a 3x3 median, which drops speckle) above which a pixel is paper


def blank_frames(data: bytes) -> set[int]:
    """Frames (1-based) of an image that are nearly blank: the back of a duplex scan. Paper is any
    pixel lighter than `BLANK_WHITE` once speckle is removed, so a seal or text showing through
    faintly from the other side still counts as blank; a page with as little as a signer's name
    (about 0.1% of the pixels) is kept. Unreadable images: none (the reader reports them)."""
    import io

    import cv2
    import numpy as np
    from PIL import Image

    out: set[int] = set()
    try:
        im = Image.open(io.BytesIO(data))
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            grey = cv2.medianBlur(np.asarray(im.convert("L")), 3)
            if (grey < BLANK_WHITE).mean() < BLANK_INK_SHARE:
                out.add(i + 1)
    except Exception:
        return set()
    return out


def read_group_pages(group: PageGroup, datas: list[bytes], ocr: bool = True) -> tuple[list[Page], list[Failure], int]:
    """Pages of a multi-image document: each member's frames in turn, numbered 1..N; the members
    are OCR'd at once (as the pages of one file are). Nearly blank page images (`blank_frames`:
    the backs of a duplex scan) are skipped and counted (the third value); the pages kept are
    numbered 1..N without gaps."""
    if not ocr:
        raise InputError("needs_ocr", f"{len(group.members)} page image(s) have no text layer and OCR is disabled")
    try:
        from .text.ocr import ocr_document, ocr_workers
    except ImportError as e:
        raise InputError("needs_ocr", f"page images need OCR, which is not available: {e}") from None
    def named(i: int, fn):
        try:
            return fn()
        except InputError as e:
            raise InputError(e.stage, f"{os.path.basename(group.members[i])}: {e.message}") from None

    frames = [named(i, lambda d=d: reader.image_frames(d)) for i, d in enumerate(datas)]
    blanks = [blank_frames(d) for d in datas]
    wanted = [[n for n in range(1, frames[i] + 1) if n not in blanks[i]] for i in range(len(datas))]

    def one(i: int):
        if not wanted[i]:
            return {}, []
        return named(i, lambda: ocr_document(group.members[i], datas[i], "image", wanted[i]))

    with ThreadPoolExecutor(max_workers=max(1, min(ocr_workers(), len(datas)))) as pool:
        results = list(pool.map(one, range(len(datas))))
    pages: list[Page] = []
    failures: list[Failure] = []
    offset = 0
    for i, (found, fails) in enumerate(results):
        renumber = {n: offset + k for k, n in enumerate(wanted[i], 1)}
        for n in wanted[i]:
            p = found.get(n) or Page(page=n, text="", ocr=True, ocr_confidence=None)
            p.page = renumber[n]
            pages.append(p)
        for f in fails:
            if f.page is not None:
                f.page = renumber.get(f.page, f.page)
            f.error = f"{os.path.basename(group.members[i])}: {f.error}"
            f.source_path = group.label
            failures.append(f)
        offset += len(wanted[i])
    skipped = sum(len(b) for b in blanks)
    if not pages and skipped:
        raise InputError("read", f"every page image is blank ({skipped})")
    return pages, failures, skipped


def raw_pages(path: str, data: bytes, kind: str, ocr: bool = True) -> list[reader.RawPage]:
    """The pages of one file before OCR: text-layer pages, and the pages marked `needs_ocr`."""
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
    if not ocr:  # a poor scanner layer is still text: used as it is when OCR is off
        raw = [dataclasses.replace(p, needs_ocr=False, engine="text layer (poor, OCR off)")
               if p.reason == "poor_layer" else p for p in raw]
    return raw


def read_pages(path: str, data: bytes, kind: str, ocr: bool = True) -> tuple[list[Page], list[Failure]]:
    """Raw pages of one file, OCR'd where the text layer is missing; page-level failures apart.
    (`raw_pages`, OCR, `merge_pages`: page tasks, `pipeline.pages`, OCR one page per task between.)"""
    failures: list[Failure] = []
    raw = raw_pages(path, data, kind, ocr)
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
    return merge_pages(raw, ocr_results), failures


def merge_pages(raw: list[reader.RawPage], ocr_results: dict[int, Page]) -> list[Page]:
    """The document's pages in order: text-layer pages as read, OCR'd pages from `ocr_results`."""
    pages: list[Page] = []
    for p in raw:
        if p.needs_ocr:
            if p.page in ocr_results:
                pages.append(ocr_results[p.page])
            elif p.reason == "poor_layer":  # OCR failed on the page: its poor layer is better than nothing
                pages.append(Page(page=p.page, text=p.text, engine="text layer (poor; OCR failed)"))
            else:
                pages.append(Page(page=p.page, text="", ocr=True, ocr_confidence=None))
        else:
            pages.append(Page(page=p.page, text=p.text, engine=p.engine, receipts=p.receipts))
    return pages


def _read_file(path: str, max_bytes: int) -> bytes:
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise InputError("read", f"file too large: {size / 1e6:.1f} MB > limit {max_bytes / 1e6:.0f} MB")
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise InputError("read", f"cannot read file: {e.strerror or e}") from None


def process(path: str | os.PathLike | PageGroup | list, *, data: bytes | list[bytes] | None = None,
            ocr: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
            max_chars: int = DEFAULT_MAX_TEXT_CHARS) -> DocumentRecord:
    """One document through every per-document stage. Raises `InputError` for a bad input.

    `path` may be a `PageGroup` (or a list of image paths): a multi-image document, its members
    read as consecutive pages; `data` is then the members' bytes (a list) or None."""
    group = _as_group(path)
    if group is not None:
        for m in group.members:
            if KINDS.get(Path(m).suffix.lower()) != "image":
                raise InputError("read", f"a page group holds only images, not {os.path.basename(m)!r}")
        datas = list(data) if data is not None else [_read_file(m, max_bytes) for m in group.members]
        if len(datas) != len(group.members):
            raise InputError("read", f"{len(datas)} page images given for {len(group.members)} members")
        h = hashlib.sha256()
        for m, d in zip(group.members, datas):
            if len(d) > max_bytes:
                raise InputError("read", f"{os.path.basename(m)}: file too large: {len(d) / 1e6:.1f} MB > limit "
                                         f"{max_bytes / 1e6:.0f} MB")
            h.update(d)
        sha = h.hexdigest()
        path, kind = group.label, "image"
        record = DocumentRecord(doc_id=doc_id_from_sha(sha), source_path=path, source_sha256=sha, kind=kind)
        pages, failures, record.blank_pages_skipped = read_group_pages(group, datas, ocr=ocr)
        return _finish(record, pages, failures, max_chars)
    path = str(path)
    kind = KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise InputError("read", f"unsupported file type {Path(path).suffix or '(no extension)'!r}")
    if data is None:
        data = _read_file(path, max_bytes)
    elif len(data) > max_bytes:
        raise InputError("read", f"file too large: {len(data) / 1e6:.1f} MB > limit {max_bytes / 1e6:.0f} MB")
    sha = sha256_bytes(data)
    record = DocumentRecord(doc_id=doc_id_from_sha(sha), source_path=path, source_sha256=sha, kind=kind)
    pages, failures = read_pages(path, data, kind, ocr=ocr)
    return _finish(record, pages, failures, max_chars)


def _finish(record: DocumentRecord, pages: list[Page], failures: list[Failure], max_chars: int) -> DocumentRecord:
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
        if p.words:
            p.words = place_words(p.text, p.words, offset)
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
    sig = read_signature(text, ocr=record.ocr)
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
    starts = [p.start for p in record.pages]
    if len(starts) == 1:  # one page (every text file): `_page_of` without a bisection per citation
        only, first = record.pages[0].page, starts[0]
        for c in cits:
            c.page = only if c.start >= first else 1
    else:
        for c in cits:
            c.page = _page_of(record.pages, c.start, starts)
    record.citations = cits
    # only a letter's addressees are its assignees ("Kính gửi: Sở Y tế …"): others are not read
    record.tasks = _guarded(record, "tasks", lambda: find_tasks(
        text, h.body_start, h.doc_type, addressees(text, h.body_start) if h.doc_type in LETTER_TYPES else [],
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


def _page_of(pages: list[Page], offset: int, starts: list[int] | None = None) -> int:
    """The page holding an offset (bisection over the page starts: linear in citations)."""
    import bisect

    starts = starts if starts is not None else [p.start for p in pages]
    i = bisect.bisect_right(starts, offset) - 1
    return pages[i].page if i >= 0 else 1


def process_safe(path: str | PageGroup | list, **kw) -> DocumentRecord | Failure:
    """`process` for executors: a bad input comes back as a Failure instead of an exception."""
    group = _as_group(path)
    if group is not None:
        path = group  # failures name the group by its label
    try:
        return process(path, **kw)
    except InputError as e:
        return Failure(source_path=str(path), stage=e.stage, error=e.message)
    except MemoryError:
        return Failure(source_path=str(path), stage="extract", error="out of memory")
    except Exception as e:  # a bug must not stop a nightly batch: record it with its type
        return Failure(source_path=str(path), stage="extract", error=f"internal error: {type(e).__name__}: {e}")
