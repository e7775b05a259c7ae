"""Limits of one document's work, and the checks that refuse a hostile file before it inflates.

A nightly job must never hang and never run out of memory because of one file. Three layers:

1. Declared sizes, checked here before any reader inflates anything (`inspect`):
   - PDF: every FlateDecode stream is inflated into a counter (nothing kept) and refused past
     `max_inflate` (a 1 MB stream of zlib'd zeros that would inflate to 1 GiB is refused after
     128 MB, in about half a second); image XObjects by their declared width × height; the page
     count and each page's declared size rendered at 300 dpi against `max_pixels` / `max_pages`;
     an encrypted PDF that needs a user password is refused with that reason.
   - docx (zip): the declared uncompressed size of each member and of the whole archive, and the
     compression ratio of large members (a zip bomb), from `zipfile`'s central directory.
   - Images: width × height from the header (Pillow opens lazily) against `max_pixels`, every
     frame of a TIFF; Pillow's own bomb check (`Image.MAX_IMAGE_PIXELS`) is set to the same cap
     in the workers, and its warning is made an error.
   - A file whose content is another format than its name says (a JPEG named .pdf) is named as such.
2. The worker's own limits (`pipeline.worker`): an address-space limit (`RLIMIT_AS`) and a
   resident-memory watch by the parent, a wall-clock deadline of `doc_timeout` plus
   `page_timeout` per page that may need OCR.
3. A worker that dies (a crash in a C library) or is killed becomes a failure row; the batch goes on.

`clean_reason` makes every failure reason clear and stable: never empty, no memory address
(`<… object at 0x7f…>`), known reader exceptions in words.
"""
from __future__ import annotations

import io
import re
import zlib
from dataclasses import asdict, dataclass

MB = 1024 * 1024
# the same as `document.DEFAULT_MAX_BYTES` (a test checks it): kept here so that the batch runner
# does not import the readers in the parent process (an unchanged nightly re-run stays fast)
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
RENDER_DPI = 300


@dataclass
class Limits:
    doc_timeout: float = 120.0  # seconds for one document …
    page_timeout: float = 60.0  # … plus this per page that may need OCR (PDF and image pages, OCR on)
    memory_mb: int = 2048  # per document: the worker's resident memory (and address space above its start)
    max_bytes: int = DEFAULT_MAX_BYTES  # a larger file is refused unread
    max_pixels: int = 180_000_000  # an image, a frame, or a PDF page rendered at 300 dpi (A0 is 139 Mpx)
    max_pages: int = 5000
    max_inflate: int = 128 * MB  # one compressed stream or zip member, inflated
    max_inflate_total: int = 1024 * MB  # all members of a zip, declared
    max_ratio: int = 100  # compression ratio of a zip member larger than `ratio_floor`
    ratio_floor: int = 10 * MB
    max_zip_members: int = 10_000

    def deadline(self, pages: int = 0) -> float:
        """Seconds allowed for a document with `pages` pages that may need OCR."""
        return self.doc_timeout + self.page_timeout * max(0, pages)

    def as_dict(self) -> dict:
        return asdict(self)


class Refused(Exception):
    """A file refused before it is read (a limit, a bomb, a format that is not what its name says)."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage
        self.message = message


# -- formats by content -------------------------------------------------------------------------
_MAGIC = [
    (b"%PDF", "a PDF"), (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a zip archive (docx, xlsx, odt …)"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip file"), (b"BM", "a BMP image"), (b"RIFF", "a RIFF (WebP, WAV …) file"),
    (b"<html", "an HTML page"), (b"<!DOCTYPE html", "an HTML page"), (b"\x7fELF", "an executable"),
]


def sniff(data: bytes) -> str | None:
    head = data[:16].lstrip()
    for magic, name in _MAGIC:
        if head.startswith(magic) or head[:len(magic)].lower() == magic.lower() and magic.startswith(b"<"):
            return name
    return None


def _mismatch(data: bytes, label: str, ok: str, ext: str) -> None:
    """A file whose content is a known other format than its name says: named as such."""
    what = sniff(data)
    if what and what != ok:
        raise Refused("read", f"not {label}: the content is {what} (the name ends in {ext})")


# -- PDF ------------------------------------------------------------------------------------------
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_INT = rb"\s*(\d+)"


def _stream_dict(data: bytes, pos: int) -> bytes:
    start = max(0, pos - 4096)
    head = data[start:pos]
    m = None
    for m in _OBJ.finditer(head):
        pass
    return head[m.end():] if m else head


def _declared(d: bytes, key: bytes) -> int | None:
    m = re.search(rb"/" + key + _INT + rb"(?!\d)(?!\s+\d+\s+R)", d)
    return int(m.group(1)) if m else None


def check_pdf_streams(data: bytes, lim: Limits) -> None:
    """Refuse a PDF whose FlateDecode stream would inflate past `max_inflate` (counted, not kept)."""
    for m in _STREAM.finditer(data):
        d = _stream_dict(data, m.start())
        if b"/FlateDecode" not in d and not re.search(rb"/Fl\b", d):
            continue
        if b"/Image" in d:
            w, h = _declared(d, b"Width"), _declared(d, b"Height")
            if w and h:
                if w * h > lim.max_pixels:
                    raise Refused("limits", f"image too large: an embedded image declares {w} × {h} pixels "
                                            f"({w * h / 1e6:.0f} Mpx > limit {lim.max_pixels / 1e6:.0f} Mpx)")
                continue  # readers decode at most the declared size
        _inflate_bounded(data, m.end(), lim.max_inflate)


def _inflate_bounded(data: bytes, start: int, cap: int) -> None:
    """Inflate from `start` into a counter, 16 KB of input at a time (deflate expands at most
    ~1032×, so one step yields at most ~17 MB), and refuse past `cap`."""
    z = zlib.decompressobj()
    out = 0
    pos = start
    try:
        while pos < len(data) and not z.eof:
            buf = data[pos:pos + 16384]
            pos += len(buf)
            out += len(z.decompress(buf))
            if out > cap:
                raise Refused("limits", f"decompression bomb: a FlateDecode stream of the PDF inflates past "
                                        f"{cap // MB} MB (from {pos - start:,} compressed bytes read so far)")
    except zlib.error:
        return  # not a zlib stream (or an encrypted one): the readers will tell


def _pdfium_open(data: bytes):
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(data)


def check_pdf(data: bytes, lim: Limits, ocr: bool) -> int:
    """Refuse a hostile or unreadable-by-design PDF; returns the page count (0 when unknown)."""
    if b"%PDF" not in data[:1024]:
        _mismatch(data, "a PDF", "a PDF", ".pdf")
        return 0  # `process` says why
    check_pdf_streams(data, lim)
    try:
        doc = _pdfium_open(data)
    except ImportError:
        if b"/Encrypt" in data[-65536:] or b"/Encrypt" in data[:65536]:
            pass  # pdfminer will say; `clean_reason` words it
        return 0
    except Exception as e:
        msg = str(e)
        if "password" in msg.lower():
            raise Refused("read", "encrypted PDF: a password is required") from None
        return 0  # a damaged file: pdfplumber may still read it, else says why
    try:
        n = len(doc)
        if n > lim.max_pages:
            raise Refused("limits", f"too many pages: {n:,} > limit {lim.max_pages:,}")
        for i in range(n):
            w, h = doc.get_page_size(i)
            px = (w / 72 * RENDER_DPI) * (h / 72 * RENDER_DPI)
            if px > lim.max_pixels:
                raise Refused("limits", f"page {i + 1} is too large: {w / 72 * 2.54:.0f} × {h / 72 * 2.54:.0f} cm "
                                        f"declared, {px / 1e6:.0f} Mpx at {RENDER_DPI} dpi > limit "
                                        f"{lim.max_pixels / 1e6:.0f} Mpx")
        return n
    finally:
        doc.close()


# -- docx -----------------------------------------------------------------------------------------
def check_docx(data: bytes, lim: Limits) -> None:
    import zipfile

    if not data.startswith(b"PK"):
        _mismatch(data, "a .docx file", "a zip archive (docx, xlsx, odt …)", ".docx")
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        return  # `process` says why
    infos = zf.infolist()
    if len(infos) > lim.max_zip_members:
        raise Refused("limits", f"zip bomb: the .docx holds {len(infos):,} members (> limit {lim.max_zip_members:,})")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > lim.max_inflate:
            raise Refused("limits", f"decompression bomb: {i.filename!r} in the .docx declares "
                                    f"{i.file_size / MB:,.0f} MB uncompressed (> limit {lim.max_inflate // MB} MB)")
        if i.file_size > lim.ratio_floor and i.file_size > lim.max_ratio * max(1, i.compress_size):
            raise Refused("limits", f"decompression bomb: {i.filename!r} in the .docx inflates "
                                    f"{i.file_size // max(1, i.compress_size):,}× ({i.compress_size:,} → "
                                    f"{i.file_size:,} bytes; limit {lim.max_ratio}×)")
    if total > lim.max_inflate_total:
        raise Refused("limits", f"decompression bomb: the .docx declares {total / MB:,.0f} MB uncompressed "
                                f"(> limit {lim.max_inflate_total // MB} MB)")


# -- images ---------------------------------------------------------------------------------------
def set_image_cap(max_pixels: int) -> None:
    """Pillow refuses any image above the cap, wherever it is opened (OCR, PDF renders)."""
    import warnings

    try:
        from PIL import Image
    except ImportError:
        return
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def check_image(data: bytes, lim: Limits) -> int:
    """Refuse an image above the pixel cap from its header; returns its frame count."""
    try:
        from PIL import Image
    except ImportError:
        return 1
    what = sniff(data)
    if what in ("a PDF", "a zip archive (docx, xlsx, odt …)", "an old Office file (.doc/.xls)", "an HTML page",
                "an executable", "a gzip file", "an RTF document"):
        raise Refused("read", f"not an image: the content is {what}")
    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # read the header without Pillow's own check: we word the refusal
    try:
        try:
            im = Image.open(io.BytesIO(data))
        except Exception:
            return 1  # `process` says why
        with im:
            frames = getattr(im, "n_frames", 1) or 1
            if frames > lim.max_pages:
                raise Refused("limits", f"too many pages: {frames:,} frames > limit {lim.max_pages:,}")
            for f in range(frames):
                if f:
                    try:
                        im.seek(f)
                    except Exception:
                        break
                w, h = im.size
                if w * h > lim.max_pixels:
                    where = f" (frame {f + 1})" if frames > 1 else ""
                    raise Refused("limits", f"image too large: {w:,} × {h:,} pixels{where} = {w * h / 1e6:,.0f} Mpx "
                                            f"> limit {lim.max_pixels / 1e6:.0f} Mpx (a decompression bomb?)")
        return frames
    finally:
        Image.MAX_IMAGE_PIXELS = old


def inspect(data: bytes, kind: str | None, lim: Limits, ocr: bool = True) -> int:
    """Raise `Refused` for a file that must not be read; return the pages that may need OCR."""
    if kind == "pdf":
        n = check_pdf(data, lim, ocr)
        return n if ocr else 0
    if kind == "docx":
        check_docx(data, lim)
        return 0
    if kind == "image":
        n = check_image(data, lim)
        return n if ocr else 0
    if kind == "txt":
        what = sniff(data)
        if what in ("a PDF", "a PNG image", "a JPEG image", "a zip archive (docx, xlsx, odt …)",
                    "an old Office file (.doc/.xls)", "an executable", "a gzip file"):
            raise Refused("read", f"not a text file: the content is {what}")
    return 0


# -- reasons --------------------------------------------------------------------------------------
_ADDRESS = re.compile(r"\s+at\s+0x[0-9a-fA-F]+")
_LONG_HEX = re.compile(r"\b0x[0-9a-fA-F]{8,}\b")
_PASSWORD = re.compile(r"PDFPasswordIncorrect|Incorrect password|password (is )?required|PDFEncryptionError", re.I)
_EARLY_END = re.compile(r"PSEOF|unexpected EOF|Unexpected end of", re.I)


def clean_reason(message: str | None, limit: int = 600) -> str:
    """A clear, stable failure reason: never empty, no memory address, known errors in words."""
    msg = (message or "").strip()
    if not msg:
        return "failed without a message from the reader"
    if _PASSWORD.search(msg):
        return "encrypted PDF: a password is required"
    if "DecompressionBomb" in msg:
        m = re.search(r"\((\d+) pixels\)", msg)
        px = f" ({int(m.group(1)) / 1e6:,.0f} Mpx)" if m else ""
        return f"image too large{px}: refused as a possible decompression bomb"
    msg = _ADDRESS.sub("", msg)
    msg = _LONG_HEX.sub("0x…", msg)
    if _EARLY_END.search(msg) and "truncat" not in msg.lower():
        msg += " (the file ends too early: truncated?)"
    if msg.endswith(":"):
        msg += " no details given by the reader"
    elif re.search(r":\s*$", msg):
        msg = msg.rstrip() + " no details given by the reader"
    if len(msg) > limit:
        msg = msg[: limit - 1] + "…"
    return msg


_SIZE_UNITS = {"bytes": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def memory_bytes(value: str) -> int | None:
    """A memory size as DuckDB writes and reads it ("512MB", "488.2 MiB", "2GB") in bytes; None for
    anything else. The linker reads its limit back with it; the command line checks `--memory-limit`
    with it, so that a size DuckDB would refuse is refused before a night's ingest, not after."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)\s*", str(value))
    if not m or m.group(2).lower() not in _SIZE_UNITS:
        return None
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])
