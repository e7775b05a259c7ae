"""Text stage: bytes of one file → pages of raw text (before `clean`).

Forms handled:
  .txt   UTF-8 with or without BOM (also UTF-16 with a BOM); anything else is refused with the
         byte offset of the first bad byte, never guessed (a wrong guess would corrupt names);
  .docx  python-docx, paragraphs and tables in document order; a table cell's lines are emitted
         cell by cell, left column first (the two-column header and signature tables);
  .pdf   the text layer through pdfplumber, page by page; a page without a usable layer is marked
         for OCR (`Page.ocr` is decided later by the OCR stage).
"""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

import regex

from ..errors import InputError

# a page with fewer visible characters than this has no usable text layer
MIN_PAGE_CHARS = 30


@dataclass
class RawPage:
    page: int
    text: str
    needs_ocr: bool = False
    reason: str | None = None  # why OCR is needed: no_text_layer, garbage (an undecodable font map)
    engine: str | None = None  # how the text was obtained when not plain: "legacy:tcvn3", "legacy:vni"
    receipts: list | None = None  # incoming stamps drawn as images on a born-digital page (`stamps`)


def decode_text(data: bytes) -> str:
    if not data.strip():
        raise InputError("read", "empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise InputError("read", f"invalid UTF-16 text: {e.reason} at byte {e.start}") from None
    if b"\x00" in data[:4096]:
        head = data[:4096]
        if max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4:  # every other byte NUL
            raise InputError("read", "UTF-16 text without a byte-order mark: save it as UTF-8 "
                                     "(or as UTF-16 with its BOM)")
        raise InputError("read", "binary content (NUL bytes): not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError("read", f"not UTF-8 text: invalid byte 0x{data[e.start]:02x} at offset {e.start} "
                                 f"(convert the file to UTF-8; legacy TCVN3/VNI text is not guessed)") from None


def read_txt(data: bytes) -> list[RawPage]:
    text = decode_text(data)
    # form feeds split pages (pdftotext output, exported archives)
    parts = text.split("\f") if "\f" in text else [text]
    return [RawPage(i + 1, p) for i, p in enumerate(parts)]


def read_docx(data: bytes) -> list[RawPage]:
    try:
        import docx  # python-docx
        from docx.document import Document as _Doc  # noqa: F401
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as e:  # pragma: no cover - dependency is declared
        raise InputError("read", f"python-docx is not installed: {e}") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # zipfile.BadZipFile, KeyError, lxml errors …
        raise InputError("read", f"not a valid .docx file: {type(e).__name__}: {e}") from None

    lines: list[str] = []

    def walk_table(table: "Table") -> None:
        for row in table.rows:
            seen = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat
                    continue
                seen.add(id(cell._tc))
                for block in _iter_blocks(cell):
                    if isinstance(block, Paragraph):
                        lines.append(block.text)
                    else:
                        walk_table(block)

    def _iter_blocks(parent):
        from docx.oxml.ns import qn

        element = parent.element.body if hasattr(parent, "element") and hasattr(parent.element, "body") else parent._tc
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                yield Paragraph(child, parent)
            elif child.tag == qn("w:tbl"):
                yield Table(child, parent)

    for block in _iter_blocks(document):
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            walk_table(block)
    text = "\n".join(lines)
    if not text.strip():
        raise InputError("read", "the .docx file holds no text")
    return [RawPage(1, text)]


def route_page(page: int, text: str) -> RawPage:
    """Decide for one text-layer page: use it, decode it (legacy font), or OCR it.

    Route 1: few characters → no text layer (a scan) → OCR.
    Route 2: TCVN3/VNI → decoded.
    Route 3: neither Unicode Vietnamese nor a known legacy encoding (a font subset with a broken
    map: "ceNG HoA x,l ugr") → OCR ("garbage").
    Route 4: Unicode, but a scanner's OCR layer that lost most marks ("S6: 76/KH-UBND … ngay 26
    thang 3", `legacy.marks_lost_share`) → OCR ("poor_layer"); its text is kept for the case OCR
    is off or fails on the page.
    """
    from .legacy import MARKS_LOST_SHARE, assess, marks_lost_share

    visible = regex.sub(r"\s+", "", text)
    if len(visible) < MIN_PAGE_CHARS:
        return RawPage(page, text, True, "no_text_layer")
    kind, decoded = assess(text)
    if kind in {"tcvn3", "vni"}:
        return RawPage(page, decoded, False, None, f"legacy:{kind}")
    if kind == "garbage":
        return RawPage(page, text, True, "garbage")
    lost = marks_lost_share(text)
    if lost is not None and lost > MARKS_LOST_SHARE:
        return RawPage(page, text, True, "poor_layer")
    return RawPage(page, text)


def read_pdf(data: bytes, ocr: bool = True) -> list[RawPage]:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise InputError("read", "not a PDF: the file does not start with %PDF")
    try:
        import pdfplumber
    except ImportError as e:  # pragma: no cover
        raise InputError("read", f"pdfplumber is not installed: {e}") from None
    from .pdflayer import ordered_text, page_words, signature_widgets, widget_words

    pages: list[RawPage] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for i, page in enumerate(pdf.pages, 1):
                try:
                    words = page_words(page)
                except Exception as e:  # a broken page content stream
                    pages.append(RawPage(i, "", True, f"text_layer_error: {type(e).__name__}"))
                    continue
                text = ordered_text(words, float(page.width))
                raw = route_page(i, text)
                engine = raw.engine
                if not raw.needs_ocr and i == 1 and ocr:
                    try:
                        boxes = signature_widgets(page)
                    except Exception:  # a malformed annotation tree (seen: endless recursion)
                        boxes = []
                    if boxes:
                        try:
                            extra = widget_words(data, i - 1, boxes, float(page.height))
                        except Exception:
                            extra = []
                        if extra:
                            raw = route_page(i, ordered_text(words + extra, float(page.width)))
                            engine = "text layer + OCR of signature fields"
                raw.engine = raw.engine or engine
                if not raw.needs_ocr and i == 1 and ocr:
                    raw.receipts = _image_stamps(page)
                pages.append(raw)
    except InputError:
        raise
    except Exception as e:
        # pdfplumber wraps pdfminer's errors (PdfminerException(PDFPasswordIncorrect())), whose
        # text is often empty: name the case, never leave the reason blank
        inner = e.args[0] if type(e).__name__ == "PdfminerException" and e.args and isinstance(e.args[0], Exception) else e
        if type(inner).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError"):
            raise InputError("read", "encrypted PDF: a password is required") from None
        detail = str(inner).strip() or "no details from the PDF reader"
        raise InputError("read", f"unreadable PDF: {type(inner).__name__}: {detail}") from None
    if not pages:
        raise InputError("read", "the PDF has no pages")
    return pages


STAMP_RENDER_DPI = 300


def _image_stamps(page) -> list | None:
    """An e-office system draws its incoming stamp (`ĐẾN`, Số, Ngày) as an image over the top of a
    born-digital page; its text is not in the layer. Only when the upper half of page 1 holds an
    image is that half rendered and read (`stamps.find_receipts`)."""
    try:
        top = float(page.height) * 0.5
        if not any(float(im["top"]) < top and float(im["x1"]) - float(im["x0"]) > 40 for im in page.images):
            return None
        import numpy as np

        from .stamps import find_receipts

        half = page.crop((0, 0, float(page.width), top)).to_image(resolution=STAMP_RENDER_DPI).original.convert("RGB")
        arr = np.asarray(half)
        # the finder works in page proportions: pad the half page back to a whole one
        full = np.full((arr.shape[0] * 2, arr.shape[1], 3), 255, np.uint8)
        full[: arr.shape[0]] = arr
        return find_receipts(full, page=1) or None
    except Exception:  # a stamp misread must never cost the page
        return None


def image_frames(data: bytes) -> int:
    """Pages of an image file (a multi-page TIFF has several); a clear error for a broken image."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return max(1, getattr(im, "n_frames", 1))
    except Exception as e:
        raise InputError("read", f"unreadable image: {type(e).__name__}: {e}") from None
