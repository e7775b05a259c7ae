"""Typed records that flow between stages.

Every extracted value carries its evidence span (start, end) into the document's normalised text,
so that an auditor can go back to the words. Records are plain dataclasses: they pickle across
process pools and Dask workers, and `store` turns them into Arrow rows.

Naming: code uses English names (`number`, `issuer`, `signer`); the Parquet contract of
DESIGN.md uses the same names, so a record field and its column are one word.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

EXTRACTOR_VERSION = "0.3.0"

# Pages are joined with this separator to form the document text that every offset refers to.
PAGE_SEPARATOR = "\n\f\n"


@dataclass
class Span:
    start: int
    end: int


@dataclass
class Page:
    """One page of text. `start` is its offset in the joined document text."""

    page: int
    text: str
    start: int = 0
    ocr: bool = False
    ocr_confidence: Optional[float] = None
    engine: Optional[str] = None
    raw_text: Optional[str] = None  # OCR output before repair, when it differs
    # what the OCR stage read of the header's number and date blanks (`text.handwriting`): per field
    # {"value", "confidence", "source": typed | handwritten | signature | blank, "read"}; None when
    # the page was not OCR'd or has no such blanks
    header_fields: Optional[dict] = None
    # OCR evidence (`text.ocr`): words read, each (text, x0, y0, x1, y1, conf) with its box in
    # fractions of the page image, then, once the page text is final (`document.place_words`),
    # (…, start, end) with the word's offsets in the document text (None where it was not found);
    # the page image as read (JPEG bytes) and its size in pixels
    words: Optional[list] = None
    image: Optional[bytes] = None
    image_size: Optional[tuple] = None
    receipts: Optional[list] = None  # `text.stamps.Receipt`s found on the page (incoming stamps)


@dataclass
class Header:
    doc_type: Optional[str] = None
    doc_type_span: Optional[Span] = None
    number: Optional[str] = None  # "76/KH-UBND"; None when blank in the document
    symbol: Optional[str] = None  # "KH-UBND"
    number_span: Optional[Span] = None
    # how the number was read: typed (printed or a text layer), handwritten (read from the blank by
    # the second recogniser); its confidence 0–1. A handwritten number read unsure is None with a
    # low confidence, not a guess
    number_confidence: Optional[float] = None
    number_source: Optional[str] = None
    issue_date: Optional[dt.date] = None
    issue_year: Optional[int] = None
    date_span: Optional[Span] = None
    date_confidence: Optional[float] = None
    date_source: Optional[str] = None  # typed | handwritten | signature (the day of a digital signature)
    place: Optional[str] = None
    issuer: Optional[str] = None
    issuer_parent: Optional[str] = None
    issuer_span: Optional[Span] = None
    issuer_confidence: Optional[float] = None  # 1.0 header, lower when inferred from the body
    issuer_source: Optional[str] = None  # header | portal | body | place
    # the issuer with its full jurisdiction, valid on the document's date ("Sở Nội vụ tỉnh Lâm Đồng");
    # `issuer` stays as printed (extract.identity)
    issuer_canonical: Optional[str] = None
    subject: Optional[str] = None
    subject_span: Optional[Span] = None
    body_start: int = 0  # offset where the body (after title/subject) begins


@dataclass
class Signature:
    signer: Optional[str] = None
    signer_title: Optional[str] = None
    authority: Optional[str] = None  # "TM." / "KT." / "TM. … / KT." stacked prefixes
    span: Optional[Span] = None
    recipients: list[str] = field(default_factory=list)
    filing: list[str] = field(default_factory=list)  # "Lưu: VT, NC" entries: not recipients


@dataclass
class Citation:
    """A mention of another document in the text.

    Surface forms handled (see `references.find_citations`):
      Full:      Quyết định số 2750/QĐ-UBND ngày 05/7/2017 của UBND thị xã
      List:      các Quyết định số: 2750/QĐ-UBND ngày 05/7/2017, 4799/QĐ-UBND ngày 31/12/2020
      Normative: Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ
      Party:     Chỉ thị số 28-CT/TW
      Named law: Luật Viên chức số 58/2010/QH12;  Luật Trẻ em (no number)
      Typeless:  văn bản số 1413/PC04 (type from the symbol)
      Part:      mục 18 phần VI Kế hoạch số 92/KH-UBND
      Short:     Kế hoạch số 92/KH-UBND (after a full citation: date and issuer inherited)
    """

    mention: str
    start: int
    end: int
    cited_type: Optional[str] = None
    cited_number: Optional[str] = None
    cited_name: Optional[str] = None  # for named laws ("Luật Trẻ em")
    cited_date: Optional[dt.date] = None
    cited_year: Optional[int] = None
    cited_issuer: Optional[str] = None  # resolved full name
    cited_issuer_raw: Optional[str] = None  # as written ("UBND thị xã")
    cited_subject: Optional[str] = None
    part: Optional[str] = None  # "mục 18 phần VI"
    relation: str = "mentions"
    # a mention may carry a second relation: "Căn cứ Bộ tiêu chí … ban hành kèm theo Quyết định số
    # 1187/QĐ-BNV" is both basis and attached; "Sửa đổi … Quy định ban hành kèm theo Thông tư số 09/2023"
    # both amends and attached
    relation_also: Optional[str] = None
    relation_cue: Optional[str] = None
    short_form: bool = False
    target_id: Optional[str] = None  # the graph node the citation resolves to (graph.link rewrites it)
    page: int = 1
    cited_issuer_canonical: Optional[str] = None  # with its jurisdiction, valid on the cited date
    number_key: Optional[str] = None  # variant-proof number for matching (extract.identity.number_key)
    target_key: Optional[str] = None  # the mention's own key, before resolution across the archive


@dataclass
class Task:
    assignee: str
    action: str
    start: int
    end: int
    coordinators: list[str] = field(default_factory=list)
    deadline: Optional[dt.datetime] = None
    deadline_text: Optional[str] = None
    assignee_kind: str = "body"  # body | collective | person
    recurrence: Optional[str] = None  # weekly | monthly | quarterly | semiannual | annual
    report_to: Optional[str] = None  # "Ủy ban nhân dân tỉnh (qua Sở Y tế)"
    section: Optional[str] = None  # outline path "V.1", "Điều 2.1"
    assignee_canonical: Optional[str] = None  # with its jurisdiction (extract.identity)


@dataclass
class Entity:
    label: str
    text: str
    start: int
    end: int
    normalized: Optional[str] = None
    source: str = "rule"
    collective: bool = False  # "UBND các huyện, thị xã": a class of bodies
    link: Optional[str] = None  # ORG: the body with its jurisdiction; LOC: the unit path; PER: the full name


@dataclass
class Failure:
    source_path: str
    stage: str
    error: str
    page: Optional[int] = None
    doc_id: Optional[str] = None
    source_sha256: Optional[str] = None  # of a whole-file failure: an unchanged bad file is not retried


@dataclass
class DocumentRecord:
    doc_id: str
    source_path: str
    source_sha256: str
    kind: str  # txt | pdf | docx | image
    pages: list[Page] = field(default_factory=list)
    header: Header = field(default_factory=Header)
    signature: Signature = field(default_factory=Signature)
    citations: list[Citation] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)  # per-page problems; doc still usable
    boilerplate_removed: int = 0  # characters of portal furniture removed
    blank_pages_skipped: int = 0  # nearly blank page images of a multi-image document (duplex backs), not read
    extractor_version: str = EXTRACTOR_VERSION
    node_id: Optional[str] = None  # graph identity: number + date + canonical issuer (extract.identity)
    paper_key: Optional[str] = None  # type|year|issuer|subject: a draft meets its signed copy by it
    law_key: Optional[str] = None  # a law's name key (law:luật an ninh mạng|2025), to meet citations by name

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(p.text for p in self.pages)

    @property
    def receipts(self) -> list:
        """Incoming-document stamps on the pages (`text.stamps`): when the document reached whom."""
        return [r for p in self.pages for r in (p.receipts or ())]

    @property
    def ocr(self) -> bool:
        return any(p.ocr for p in self.pages)
