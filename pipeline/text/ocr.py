"""OCR stage: pages without a usable text layer → text, per page, in parallel.

Entry point: `ocr_document(path, data, kind, pages)` → ({page: Page}, [Failure]).

Per page: render (PDF pages through pdfplumber/pypdfium2 at 300 dpi; PNG/JPEG/TIFF as they are,
multi-page TIFF page by page) → `preprocess.prepare` (colour ink out, upsample, contrast, deskew) →
`layout` (two-column header and signature bands re-composed in reading order) → one Tesseract call
(`vie`, LSTM, page segmentation mode 4: a single column of text of variable sizes) → word
confidences → `stamps` (an incoming stamp `ĐẾN` on page 1, read apart as a receipt record) →
`handwriting` (the header's `Số: ____/SYMBOL` and `ngày __ tháng __` blanks, found
from Tesseract's word boxes; where Tesseract did not read a clean printed value and the blank holds
ink, the small crop is read by the PP-OCR recogniser of the `rapidocr` wheel, fused with the printed
context and the file's signing dates, and written into the page text; `Page.header_fields` keeps
each field's confidence and source) → `repair` of document numbers and dates. A page that reads
badly (mean confidence under `ORIENTATION_RETRY_CONF`) is asked for its orientation (Tesseract OSD)
and read again turned.

Pages run in a thread pool: the work is in the Tesseract process, one per page, each limited to one
OpenMP thread (`OMP_THREAD_LIMIT=1`: measured 4.6x faster than letting each use every core). A
page that times out or fails becomes a failure row with its page number; the other pages stand.
"""
from __future__ import annotations

import io
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
import regex

from ..errors import InputError
from .layout import bands, compose
from ..models import Failure, Page
from .preprocess import prepare, rotate90
from .repair import repair_text

RENDER_DPI = 300
PSM = 4
def page_timeout() -> float:
    return float(os.environ.get("VANBAN_OCR_TIMEOUT", "120"))
ORIENTATION_RETRY_CONF = 55.0


def ocr_workers() -> int:
    env = os.environ.get("VANBAN_OCR_JOBS")
    if env:
        return max(1, int(env))
    return max(1, min(4, os.cpu_count() or 1))


@cache
def tesseract_version() -> str:
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise InputError("ocr", f"tesseract is not installed or does not run: {e}") from None
    first = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else "tesseract"
    return first.strip()


@cache
def _check_vie() -> None:
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    if "vie" not in (out.stdout + out.stderr).split():
        raise InputError("ocr", "the Tesseract Vietnamese model (vie) is not installed: apt-get install tesseract-ocr-vie")


def engine_label(prep=None) -> str:
    label = f"{tesseract_version()} vie oem1 psm{PSM} dpi{RENDER_DPI}"
    if prep is not None:
        label += f" deskew{prep.skew:+.1f} scale{prep.scale:.2f}"
    return label


@dataclass
class PageImage:
    page: int
    image: object  # PIL image or ndarray
    dpi: int | None


def page_images(data: bytes, kind: str, pages: list[int]) -> list[PageImage]:
    """Images of the wanted pages (1-based)."""
    from PIL import Image

    if kind == "pdf":
        import pdfplumber

        out = []
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for n in pages:
                try:
                    img = pdf.pages[n - 1].to_image(resolution=RENDER_DPI).original
                except Exception as e:  # one broken page must not stop the others
                    out.append(PageImage(n, e, None))
                    continue
                out.append(PageImage(n, img.convert("RGB"), RENDER_DPI))
        return out
    try:
        im = Image.open(io.BytesIO(data))
        im.load()
    except Exception as e:
        raise InputError("read", f"unreadable image: {type(e).__name__}: {e}") from None
    out = []
    n_frames = getattr(im, "n_frames", 1)
    dpi = im.info.get("dpi", (None, None))[0]
    dpi = int(round(dpi)) if dpi and dpi > 50 else None
    for i in range(n_frames):
        if i + 1 not in pages:
            continue
        im.seek(i)
        out.append(PageImage(i + 1, im.convert("RGB"), dpi))
    return out


# The image handed to Tesseract: an uncompressed BMP file. Tesseract (Leptonica) reads a PGM one
# byte per call and an image on its standard input one byte at a time: on an A4 page at 300 dpi
# (8.7 Mpx, more once `layout.compose` has stacked the columns) either costs it 100-170 ms more
# than a BMP or an uncompressed TIFF file, same pixels, same TSV. A compressed format (PNG) costs
# the encoding here instead (~50 ms a page).
IMAGE_SUFFIX = ".bmp"


class _Tesseract:
    """One `tesseract` run on a greyscale image, started at once and waited for with `result`:
    the caller can do other work (the stored page image) while the page is recognised."""

    def __init__(self, grey: np.ndarray, psm: int = PSM, extra: list[str] | None = None, lang: str = "vie"):
        fd, self.path = tempfile.mkstemp(suffix=IMAGE_SUFFIX)
        os.close(fd)
        self.proc = None
        try:
            if not cv2.imwrite(self.path, np.ascontiguousarray(grey)):
                raise RuntimeError("cannot write the page image for tesseract")
            cmd = ["tesseract", self.path, "stdout", "-l", lang, "--oem", "1", "--psm", str(psm)] + (extra or ["tsv"])
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         env=dict(os.environ, OMP_THREAD_LIMIT="1"))
        except BaseException:
            self.close()
            raise

    def result(self, timeout: float | None = None) -> str:
        """Tesseract's stdout (TSV, or OSD text), once it is done."""
        timeout = timeout or page_timeout()
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise TimeoutError(f"OCR timed out after {timeout:.0f} s") from None
        out, err = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
        if self.proc.returncode != 0 and not out:
            raise RuntimeError(f"tesseract failed: {err.strip()[:200]}")
        return out

    def close(self) -> None:
        """End the process if it still runs (a timeout, an error on this side) and remove the image."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            if not self.proc.stdout.closed:
                self.proc.communicate()  # reap it, close its pipes
        try:
            os.unlink(self.path)
        except OSError:
            pass


def _run_tesseract(grey: np.ndarray, psm: int = PSM, timeout: float | None = None, extra: list[str] | None = None,
                   lang: str = "vie") -> str:
    """Tesseract on an uncompressed greyscale image; TSV (or OSD text) on stdout."""
    tess = _Tesseract(grey, psm, extra, lang)
    try:
        return tess.result(timeout)
    finally:
        tess.close()


def tsv_to_text(tsv: str) -> tuple[str, float | None, int]:
    """Tesseract TSV → text in reading order (blank line between blocks), mean word confidence."""
    lines: list[str] = []
    confs: list[float] = []
    current: list[str] = []
    key = None
    last_block = None
    for row in tsv.splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        block, par, line = parts[2], parts[3], parts[4]
        word = parts[11]
        if not word.strip():
            continue
        k = (block, par, line)
        if k != key:
            if current:
                lines.append(" ".join(current))
            if last_block is not None and (block, par) != last_block:
                lines.append("")
            current = []
            key = k
            last_block = (block, par)
        current.append(word)
        try:
            c = float(parts[10])
            if c >= 0:
                confs.append(c)
        except ValueError:
            pass
    if current:
        lines.append(" ".join(current))
    mean = round(sum(confs) / len(confs), 2) if confs else None
    return "\n".join(lines), mean, len(confs)


def _osd_turns(grey: np.ndarray) -> int:
    """Quarter turns that make the page upright, from Tesseract's orientation detection."""
    try:
        out = _run_tesseract(grey, psm=0, timeout=60, extra=[], lang="osd")
    except Exception:
        return 0
    for ln in out.splitlines():
        if ln.startswith("Rotate:"):
            deg = int(ln.split(":")[1].strip() or 0)
            return (deg // 90) % 4
    return 0


@dataclass
class OcrResult:
    text: str
    confidence: float | None
    engine: str
    header_fields: dict | None = None  # `handwriting.HeaderFields.as_dict()` of the page
    # evidence for the auditor: the words read, each (text, x0, y0, x1, y1, conf) with the box in
    # fractions of the page image's width and height, in reading order; the page as it was read
    words: list | None = None
    image: bytes | None = None  # JPEG of the prepared page (`page_image_bytes`), None when disabled
    image_size: tuple[int, int] | None = None


PAGE_IMAGE_PX = 1400  # long side of the stored page image: legible on a screen, ~100 KB in grey JPEG


def page_image_px() -> int:
    """Long side in pixels of the page images kept in the dataset (`VANBAN_PAGE_IMAGE_PX`, 0: none)."""
    try:
        return max(0, int(os.environ.get("VANBAN_PAGE_IMAGE_PX", PAGE_IMAGE_PX)))
    except ValueError:
        return PAGE_IMAGE_PX


def page_image_bytes(grey: np.ndarray, long_side: int | None = None) -> tuple[bytes, tuple[int, int]] | None:
    """The page as Tesseract read it (after colour removal and deskew), grey JPEG, long side
    `long_side`: the word boxes are fractions of it, so they sit on it whatever its size."""
    long_side = page_image_px() if long_side is None else long_side
    if not long_side or grey is None or grey.size == 0:
        return None
    h, w = grey.shape[:2]
    f = min(1.0, long_side / max(h, w))
    small = cv2.resize(grey, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA) if f < 1 else grey
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 60])
    return (buf.tobytes(), (small.shape[1], small.shape[0])) if ok else None


def _word_boxes(tsv: str, regions, shape) -> list:
    """Tesseract's words in reading order with their boxes on the page (not the composed page), as
    fractions of its size."""
    from .handwriting import page_words

    h, w = shape[:2]
    if not h or not w:
        return []
    return [(x.text, round(x.left / w, 5), round(x.top / h, 5), round(x.right / w, 5), round(x.bottom / h, 5),
             round(x.conf, 1)) for x in page_words(tsv, regions)]


def ocr_image(img, dpi: int | None = None, signed: list | None = None) -> tuple[str, float | None, str]:
    """One page image → (text, mean word confidence, engine label)."""
    r = ocr_page_image(img, dpi, signed)
    return r.text, r.confidence, r.engine


def ocr_page_image(img, dpi: int | None = None, signed: list | None = None) -> OcrResult:
    """One page image → text, confidence, engine label, and the header's number and date blanks
    read by `handwriting` (a second recogniser on the small crops of blanks Tesseract could not
    read, fused with the printed context and the file's signing dates `signed`)."""
    prep = prepare(img, dpi)
    grey = prep.image
    first = _read(grey)
    text, conf = first.text, first.confidence
    used, used_grey = first, grey
    turned = False
    if conf is None or conf < ORIENTATION_RETRY_CONF:
        turns = _osd_turns(grey)
        if turns:
            turned_grey = rotate90(grey, -turns)
            again = _read(turned_grey)
            if (again.confidence or 0) > (conf or 0):
                text, conf, turned = again.text, again.confidence, True
                used, used_grey = again, turned_grey
    fields = None
    engine = engine_label(prep)
    tsv = used.tsv
    if not turned:  # the crops are cut in the prepared page's geometry
        got = _header_fields(prep, first.tsv, first.regions, signed)
        if got is not None:
            text, fields, extra, tsv = got
            engine += extra
    words = _word_boxes(tsv, used.regions, used_grey.shape)
    again = _signature_column(used_grey, tsv, used.regions)
    if again is not None:
        more, more_words = again
        text = text.rstrip("\n") + "\n\n" + more
        words += more_words
        engine += " + signature column re-read"
    img_bytes = used.page_image or page_image_bytes(used_grey)
    return OcrResult(text, conf, engine, fields, words, *(img_bytes or (None, None)))


def _words_score(text: str) -> int:
    """Vietnamese-shaped words (two letters or more, a valid syllable) less the noise tokens."""
    from .legacy import _valid_syllable

    good = bad = 0
    for t in text.split():
        letters = "".join(c for c in t if c.isalpha())
        if len(letters) >= 2 and len(letters) >= len(t) - 1 and _valid_syllable(letters):
            good += 1
        else:
            bad += 1
    return good - bad


SIGNATURE_SEARCH = 0.30  # how far below "Nơi nhận" the signature column is looked for (page height)


def _signature_column(grey: np.ndarray, tsv: str, regions) -> tuple[str, list] | None:
    """The signature column read on its own when the page read missed it.

    Why: under a seal that colour removal only partly whitened (a dark, unsaturated ring) and a pen
    stroke across it, Tesseract's page segmentation can drop the whole right-hand column beside
    `Nơi nhận:` — title, rank and name — although the same region read alone comes out clean. When
    the page has a `Nơi nhận` line and next to nothing was read to the right of the page's middle
    at that height and below, that region is read alone (page segmentation mode 4) and its text is
    added after the page's text, its words (with boxes) to the page's words."""
    from .handwriting import page_words

    H, W = grey.shape[:2]
    ws = page_words(tsv, regions)
    anchor = None
    for a, b in zip(ws, ws[1:]):
        if a.text.lower().startswith("nơi") and b.text.lower().startswith("nhận") and a.left < W * 0.5:
            anchor = a
    if anchor is None:
        return None
    lh = max(10, anchor.height)
    top, bottom = max(0, anchor.top - 3 * lh), min(H, int(anchor.top + SIGNATURE_SEARCH * H))
    right = [w for w in ws if w.left > W * 0.5 and top <= w.top <= bottom and any(c.isalpha() for c in w.text)]
    if len(right) >= 3:
        return None  # the column was read with the page
    x0 = int(W * 0.42)
    crop = np.ascontiguousarray(grey[top:bottom, x0:])
    # as it is, and binarised against the local background (the seal's grey ring and the paper's
    # shading drop out): the reading with the most Vietnamese words and the least noise wins
    best = None
    for img in (crop, cv2.adaptiveThreshold(crop, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 51, 25)):
        try:
            sub = _run_tesseract(img, psm=4, timeout=60)
        except Exception:
            continue
        text = tsv_to_text(sub)[0].strip()
        score = _words_score(text)
        if best is None or score > best[0]:
            best = (score, sub, text)
    if best is None or best[0] < 3:
        return None
    _score, sub, text = best
    boxes = [(w.text, round((w.left + x0) / W, 5), round((w.top + top) / H, 5), round((w.right + x0) / W, 5),
              round((w.bottom + top) / H, 5), round(w.conf, 1)) for w in page_words(sub)]
    return text, boxes


def _header_fields(prep, tsv: str, regions, signed) -> tuple[str, dict, str, str] | None:
    """The header's number and date read from their blanks, put into the page text. Returns the
    text, the fields, the engine label's suffix and the TSV with the edits (the words' evidence)."""
    from . import handwriting

    if not handwriting.available():
        return None
    try:
        hf, edits = handwriting.read_fields(prep, handwriting.page_words(tsv, regions), signed)
    except Exception:  # the second reading must never cost the page its first
        return None
    fields = hf.as_dict() or None
    if not edits:
        return tsv_to_text(tsv)[0], fields, "", tsv
    used = any(f and f.get("source") in ("handwritten", "signature")
               for f in (fields or {}).values() if isinstance(f, dict))
    edited = handwriting.apply_edits(tsv, edits)
    return tsv_to_text(edited)[0], fields, " + PP-OCR rec (handwritten fields)" if used else "", edited


@dataclass
class _Read:
    text: str
    confidence: float | None
    tsv: str  # Tesseract's words with their boxes, on the composed page
    regions: list  # `layout.compose`'s map from the composed page back to the page
    page_image: tuple | None = None  # `page_image_bytes` of the page read, made while Tesseract ran


LINE_MIN_CONF = 70.0


def _lone_lines(composed: np.ndarray) -> str:
    """A page that psm 4 read as empty although it has ink: each line of ink read on its own
    (psm 7), kept when Tesseract is sure of it and it holds a letter or a digit. A page that holds
    only its page number, or a lone line beside a seal, so does not come out empty; a seal's or a
    blank back's specks are not read into text. Returns a TSV in the page's coordinates (one
    block per line), so that the word boxes and the header fields read from it as from psm 4's."""
    from .layout import _ink, find_lines

    rows = ["level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"]
    pad = 20
    for k, ln in enumerate(find_lines(_ink(composed))[:40]):
        if not 12 <= ln.bottom - ln.top <= 120:
            continue
        y0, x0 = max(0, ln.top - 8), max(0, ln.left - 8)
        crop = composed[y0: ln.bottom + 8, x0: ln.right + 8]
        crop = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        try:
            tsv = _run_tesseract(crop, psm=7, timeout=30)
        except Exception:
            continue
        t, c, _ = tsv_to_text(tsv)
        if not t.strip() or (c or 0) < LINE_MIN_CONF or not any(ch.isalnum() for ch in t):
            continue
        for row in tsv.splitlines()[1:]:
            f = row.split("\t")
            if len(f) < 12 or f[0] != "5":
                continue
            f[2] = str(k + 1)
            f[6] = str(int(f[6]) + x0 - pad)
            f[7] = str(int(f[7]) + y0 - pad)
            rows.append("\t".join(f))
    return "\n".join(rows) if len(rows) > 1 else ""


def _read(grey: np.ndarray) -> _Read:
    """The page read in one Tesseract call on its composed image (`layout`). The stored page
    image is made while Tesseract reads: this process would only wait for it otherwise."""
    composed, regions = compose(grey, bands(grey))
    tess = _Tesseract(composed)
    try:
        page_image = page_image_bytes(grey)
        tsv = tess.result()
    finally:
        tess.close()
    text, conf, _ = tsv_to_text(tsv)
    if not text.strip() and (composed < 128).sum() > 30:
        lone = _lone_lines(composed)
        if lone:
            text, conf, _ = tsv_to_text(lone)
            return _Read(text, conf, lone, regions, page_image)
    return _Read(text, conf, tsv, regions, page_image)


def ocr_line(img, digits: bool = False) -> str:
    """One short line (a form widget's number or day): grey, a white border, page segmentation
    mode 7. `digits`: the line holds only a number or a day, read with the English model and a
    digit alphabet (the `vie` model reads an isolated italic "15" as "Z2"; `eng` reads it right)."""
    from .preprocess import remove_colour_ink, to_array

    grey, _ = remove_colour_ink(to_array(img))
    grey = cv2.copyMakeBorder(grey, 30, 30, 30, 30, cv2.BORDER_CONSTANT, value=255)
    extra = ["-c", "tessedit_char_whitelist=0123456789/-.", "tsv"] if digits else None
    try:
        text, _conf, _n = tsv_to_text(_run_tesseract(grey, psm=7, timeout=30, extra=extra,
                                                     lang="eng" if digits else "vie"))
    except Exception:
        return ""
    return text.strip()


def _ocr_page(pi: PageImage, signed: list | None = None) -> Page | Failure:
    if isinstance(pi.image, Exception):
        return Failure("", "render", f"page {pi.page}: cannot render: {type(pi.image).__name__}: {pi.image}", page=pi.page)
    try:
        r = ocr_page_image(pi.image, pi.dpi, signed)
    except TimeoutError as e:
        return Failure("", "ocr", f"page {pi.page}: {e}", page=pi.page)
    except Exception as e:
        return Failure("", "ocr", f"page {pi.page}: {type(e).__name__}: {e}", page=pi.page)
    raw = r.text
    repaired = repair_text(raw)
    return Page(page=pi.page, text=repaired, ocr=True, ocr_confidence=r.confidence, engine=r.engine,
                raw_text=raw if repaired != raw else None, header_fields=r.header_fields,
                words=r.words, image=r.image, image_size=r.image_size, receipts=_receipts(pi, raw))


# what a receipt stamp leaves in the page text when its ink is black: "ĐẾN", "Ngày:" with a colon
_STAMP_HINT = regex.compile(r"(?<!\p{L})(?:[ĐD][EÊẾÉ][NP](?!\p{L})|Ng[àa]?y\s*[:;])")


def _receipts(pi: PageImage, text: str = "") -> list | None:
    """Incoming stamps of the first page (`stamps`): read apart from the page, whose text has the
    stamp's coloured ink whitened out. A stamp in black ink is looked for by its frame when the
    page's text shows one (its `ĐẾN`, a `Ngày:` label) in the upper half."""
    if pi.page != 1:
        return None
    from .stamps import find_receipts

    try:
        head = text[: max(400, len(text) // 2)]
        return find_receipts(np.asarray(pi.image), page=pi.page, frames=bool(_STAMP_HINT.search(head))) or None
    except Exception:  # a stamp misread must never cost the page
        return None


def ocr_document(path: str, data: bytes, kind: str, pages: list[int]) -> tuple[dict[int, Page], list[Failure]]:
    tesseract_version()
    _check_vie()
    results: dict[int, Page] = {}
    failures: list[Failure] = []
    signed = None
    if kind == "pdf":
        from .handwriting import signing_dates

        signed = signing_dates(data) or None  # no date after the file's latest digital signature
    workers = min(ocr_workers(), len(pages)) or 1
    # render `workers` pages at a time, never the whole document: a 100-page scan is 2.6 GB of RGB
    # at 300 dpi, past the document's memory limit (`ingest --doc-memory`, 2 GB by default)
    done: list[tuple[PageImage, Page | Failure]] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for i in range(0, len(pages), workers):
            images = page_images(data, kind, pages[i:i + workers])
            done += zip(images, pool.map(lambda p: _ocr_page(p, signed), images))
            for pi in images:
                pi.image = None  # the page's pixels are not kept once read
    for pi, res in done:
        if isinstance(res, Failure):
            res.source_path = path
            failures.append(res)
        else:
            results[pi.page] = res
    return results, failures
