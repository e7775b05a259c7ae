"""Receipt stamps: when a document reached whom, read off the stamp the receiving office put on it.

Why: the incoming-document stamp (`ĐẾN`) is the only evidence on the page of the day a letter
reached its recipient and of the register number it got there; an auditor checking whether a
report came back on time needs that day. The stamp must also never be taken for the document's
own number or date (the OCR stage whitens coloured ink before reading the page, so a coloured
stamp does not leak into the text; this module reads it apart).

Entry point: `find_receipts(rgb)` → [Receipt] on a colour page image (page 1).

Where a stamp is found: coloured ink (red, or the violet of some stamp pads; `preprocess`'s colour
mask) in the upper half of the page, in a component of stamp size that is wider than high (a seal
is round and sits at the signature). Each candidate is read twice: by Tesseract (`vie`) for the
receiving body's name, which needs the diacritics, and by the PP-OCR detector and recogniser of
the `rapidocr` wheel for the handwritten or stamped register number and date, which it reads far
better than Tesseract. A candidate whose text has no `ĐẾN` is not a receipt stamp (an urgency
stamp `HỎA TỐC`, a seal) and is dropped.

Forms handled, one branch each:
- Form 1: `UBND TỈNH LÂM ĐỒNG / ĐẾN / Số: 17026 / Ngày: 23-10-2025 / Chuyển: P.NC` (paper stamp,
  number and Chuyển handwritten, date stamped or written).
- Form 2: `VP.UBND TỈNH BÌNH THUẬN / ĐẾN / Số: 3577 / Ngày 25/02/2025` (a digital stamp drawn by
  the e-office system as an image on a born-digital PDF: `read.read_pdf` renders the top of page 1
  when it holds an image).
- Form 3: `CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ / ĐẾN / Giờ: 5 / Ngày: 04/01/2021` (an hour field;
  a two-digit year is of this century).
- Form 4: `Số: ……` left blank: the register number is None, the date still counts.
- Form 5: a stamp in black ink (a grey or bitonal scan, a black pad): no colour to find it by, so
  a stamp-sized rectangular frame in the upper half is read the same way (`_frame_candidates`,
  looked for on grey pages and when the page text shows a stamp's `ĐẾN` / `Ngày:`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import cv2
import numpy as np
import regex

from .preprocess import _colour_mask
from .repair import repair_text

STAMP_MIN_W, STAMP_MAX_W = 0.10, 0.45  # share of the page width
STAMP_MIN_H, STAMP_MAX_H = 0.035, 0.20  # share of the page height
TOP_SHARE = 0.5  # receipt stamps sit in the upper half (seals at the signature lower down)
MAX_CANDIDATES = 3


@dataclass
class Receipt:
    receiver: str | None  # the receiving body as printed on the stamp
    register_number: str | None  # its incoming register number ("Số")
    received_date: dt.date | None
    received_hour: int | None
    forwarded_to: str | None  # "Chuyển": the unit it was passed to
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the page
    text: str  # what was read, for the auditor
    page: int = 1


def _candidates(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of coloured components of stamp size and shape in the upper half."""
    H, W = rgb.shape[:2]
    f = 4
    small = np.ascontiguousarray(rgb[: int(H * TOP_SHARE):f, ::f])
    mask = _colour_mask(small).astype(np.uint8)
    if mask.sum() < 50:
        return []
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    n, _lab, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) * (f if k < 4 else f * f) for k, v in enumerate(stats[i]))
        if not (STAMP_MIN_W * W <= w <= STAMP_MAX_W * W and STAMP_MIN_H * H <= h <= STAMP_MAX_H * H):
            continue
        if w < 1.15 * h:  # round or tall: a seal, not a rectangular receipt stamp
            continue
        out.append((area, (x, y, w, h)))
    out.sort(reverse=True)
    return [b for _a, b in out[:MAX_CANDIDATES]]


FRAME_FILL = 0.85  # a frame's inside fills its bounding box (a rectangle, not a ring)


def _frame_candidates(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of stamp-sized rectangular frames in the upper half of a page whose
    stamp carries no colour (a grey or bitonal scan, a black stamp pad). The frame's straight
    sides are kept apart from the text by morphology (long horizontal and vertical runs of ink;
    a stamp over the body's lines touches them, so its ink alone is not one blob); the inside of a
    closed frame of stamp size and shape is a candidate."""
    H, W = grey.shape[:2]
    f = 2
    top = np.ascontiguousarray(grey[: int(H * TOP_SHARE):f, ::f])
    _, ink = cv2.threshold(top, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ink = cv2.dilate(ink, np.ones((3, 3), np.uint8))  # a faint scan's broken lines, joined
    hk, vk = max(10, int(W / f * STAMP_MIN_W * 0.5)), max(6, int(H / f * STAMP_MIN_H * 0.5))
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, hk), np.uint8)) | \
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((vk, 1), np.uint8))
    # the frame's inside is a hole of the lines, whatever other line touches the frame (a rule
    # under the issuer's name, a table's edge): a stamp-sized, stamp-shaped, rectangular hole
    contours, hier = cv2.findContours(lines, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    # a stamp ruled into compartments (the receiving body's row above, ĐẾN / Số / Ngày below) has
    # one hole per compartment: the stamp is their union
    groups: dict[int, list] = {}
    for c, h_info in zip(contours, hier[0] if hier is not None else []):
        if h_info[3] < 0:  # an outer boundary, not a hole
            continue
        x, y, w, h = cv2.boundingRect(c)
        if w * h < 0.1 * (STAMP_MIN_W * W / f) * (STAMP_MIN_H * H / f) or cv2.contourArea(c) < FRAME_FILL * w * h:
            continue  # a speck between lines, or a ring
        groups.setdefault(int(h_info[3]), []).append((x, y, x + w, y + h))
    out = []
    for boxes in groups.values():
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        X, Y, Wb, Hb = (x0 - 2) * f, (y0 - 2) * f, (x1 - x0 + 4) * f, (y1 - y0 + 4) * f
        if not (STAMP_MIN_W * W <= Wb <= STAMP_MAX_W * W and STAMP_MIN_H * H * 0.8 <= Hb <= STAMP_MAX_H * H):
            continue
        if Wb < 1.15 * Hb:
            continue
        out.append((Wb * Hb, (max(0, X), max(0, Y), Wb, Hb)))
    out.sort(reverse=True)
    return [b for _a, b in out[:MAX_CANDIDATES]]


_DEN = regex.compile(r"(?<![\p{L}])[ĐD][EÊÉẾÈỀ]N(?![\p{L}])", regex.I)
# the register number; not a document number ("Số: 40/HCCV" of the letter under the stamp)
# ("S: 3456": the recogniser drops the "ố", so the label is S and its colon)
_NUMBER = regex.compile(r"(?:S[ốoôóồ]\s*[:.]?|S\s*[:.])[\s.:…]*(\d[\d.]{0,8}\d|\d)(?![\d.]*\s*/)", regex.I)
_HOUR = regex.compile(r"Gi[ờơo]\s*[:.]?[\s.:…]*(\d{1,2})(?!\d)", regex.I)
_FORWARD = regex.compile(r"Chuy[ểeêěễ']?\p{L}?n\s*[:.]?([^\n]*)", regex.I)


def _date(text: str) -> dt.date | None:
    """A day written into the stamp's dotted blank. The blank's dots and a stray stroke cut the
    handwriting into pieces ("2.3..10~.2025" is 23-10-2025), so the date is read from the digit
    groups: the year is the last four-digit group (else a two-digit one), day and month the
    groups before it, joined where one was cut. A handwritten slash is often read as a 1: a
    three-digit last group led by 1 is a two-digit year ("29|.3.121" is 29-03-2021), and a
    three-digit day or month ending in 1 lost its slash too ("291.3.121")."""
    groups = regex.findall(r"\d+", text)
    got = _date_of(groups)
    if got is None:  # the slashes read as 1s, taken out
        got = _date_of([g[:-1] if len(g) == 3 and g.endswith("1") and k < len(groups) - 1 else g
                        for k, g in enumerate(groups)])
    return got


def _date_of(groups: list[str]) -> dt.date | None:
    for y_len in (4, 2, 3):
        for k in range(len(groups) - 1, 0, -1):
            if len(groups[k]) != y_len:
                continue
            if y_len == 3:  # "29|.3.121": the slash before a two-digit year read as a 1
                if not groups[k].startswith("1"):
                    continue
                y = int(groups[k][1:]) + 2000
            else:
                y = int(groups[k]) + (2000 if y_len == 2 else 0)
            if not 1945 <= y <= dt.date.today().year + 1:
                continue
            before = groups[max(0, k - 4):k]
            for start in range(len(before)):  # every group before the year first: one cut in pieces
                g = before[start:]
                for cut in range(1, len(g)):
                    d, m = "".join(g[:cut]), "".join(g[cut:])
                    if len(d) > 2 or len(m) > 2:
                        continue
                    try:
                        return dt.date(y, int(m), int(d))
                    except ValueError:
                        continue
    return None


def parse_stamp(lines: list[str], receiver_lines: list[str] | None = None) -> dict | None:
    """The fields of a stamp's text lines (None: not a receipt stamp). `receiver_lines`: the same
    stamp read with diacritics (Tesseract), for the receiving body's name."""
    text = "\n".join(lines)
    if not _DEN.search(text):
        return None
    number = None
    m = _NUMBER.search(text) or _NUMBER.search("\n".join(receiver_lines or ()))
    if m:
        number = regex.sub(r"\D", "", m.group(1)) or None
    date_line = next((ln for ln in lines if regex.search(r"Ng[àa]y|N\d", ln, flags=regex.I)), "")
    received = _date(date_line) or _date(text)
    hour = None
    m = _HOUR.search(text)
    if m and int(m.group(1)) < 24:
        hour = int(m.group(1))
    fwd = None
    m = _FORWARD.search(text)
    if m:
        fwd = regex.sub(r"[.…:_\s]+", " ", m.group(1)).strip(" .") or None
        fwd = fwd.replace(" ", ".") if fwd and len(fwd) <= 8 else fwd
    receiver = None
    for ln in (receiver_lines or []) + lines:
        ln = ln.strip(" _|-—.,'\"`")
        if _DEN.search(ln) or regex.search(r"S[ốoô]\s*:|Ng[àa]y|Chuy", ln, flags=regex.I):
            break
        if len(regex.findall(r"\p{Lu}", ln)) >= 6:
            # the tone marks of the body's name as the gazetteer spells it ("TINH" → "TỈNH")
            receiver = repair_text(regex.sub(r"\s+", " ", ln))
            break
    return {"receiver": receiver, "register_number": number, "received_date": received,
            "received_hour": hour, "forwarded_to": fwd}


def _tesseract_lines(grey: np.ndarray) -> list[str]:
    from .ocr import _run_tesseract, tsv_to_text

    try:
        text = tsv_to_text(_run_tesseract(grey, psm=6, timeout=30))[0]
    except Exception:
        return []
    return [ln for ln in text.splitlines() if ln.strip()]


def find_receipts(rgb: np.ndarray, page: int = 1, frames: bool = False) -> list[Receipt]:
    """Receipt stamps on a page image (RGB or grey array): coloured stamps, else stamps drawn in
    black in a rectangular frame (`frames`: look for those too; a grey page always is). Empty
    without rapidocr."""
    if rgb is None or rgb.ndim not in (2, 3):
        return []
    if rgb.ndim == 3:
        rgb = rgb[:, :, :3]
        boxes = _candidates(rgb)
    else:
        boxes, frames = [], True
    framed = False
    if not boxes and frames:
        grey = rgb if rgb.ndim == 2 else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        boxes, framed = _frame_candidates(grey), True
        if rgb.ndim == 2:
            rgb = cv2.cvtColor(rgb, cv2.COLOR_GRAY2RGB)
    if not boxes:
        return []
    try:
        from .handwriting import rapidocr_engine

        eng = rapidocr_engine()
    except Exception:  # rapidocr missing: no receipt rather than a wrong one
        return []
    H, W = rgb.shape[:2]
    out = []
    for x, y, w, h in boxes:
        # a black stamp's box is its frame's inside: a wider margin gives the recogniser the edge lines
        pad = max(8, h // 8) if framed else max(4, h // 20)
        x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(W, x + w + pad), min(H, y + h + pad)
        crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        try:
            lines = [str(t) for t in (eng(crop).txts or ())]
        except Exception:
            continue
        if not _DEN.search("\n".join(lines)):
            continue
        grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
        tlines = _tesseract_lines(grey)
        fields = parse_stamp(lines, tlines)
        if fields is None:
            continue
        out.append(Receipt(**fields, box=(round(x0 / W, 4), round(y0 / H, 4), round(x1 / W, 4), round(y1 / H, 4)),
                           text=" | ".join(tlines or lines), page=page))
    return out
