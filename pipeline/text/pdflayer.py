"""Text layers of PDF pages, read in the order of the document rather than the order of the page.

A PDF printed from a two-column header table gives, line by line, "UBND TỈNH LÂM ĐỒNG CỘNG HÒA XÃ
HỘI CHỦ NGHĨA VIỆT NAM" and "Nơi nhận: GIÁM ĐỐC"; this module groups the words into lines, finds
the two-column bands (a single wide gap near the middle, as `layout` does for images) and emits
each band's left column before its right one.

Digitally signed PDFs of the e-office systems stamp the number and the day of issue into signature
form fields over the header ("Số: [125]/STP-VP", "ngày [15] tháng 01"): those widgets have no
text layer, so they are rendered with their forms and read (the PP-OCR recogniser of `handwriting`,
else Tesseract's digit mode), and their text is placed where the widget sits.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

WIDGET_ZONE = 0.45  # widgets in the top 45% of page 1 carry the number and the date


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def _lines(words: list[Word]) -> list[list[Word]]:
    words = sorted(words, key=lambda w: (round(w.top), w.x0))
    lines: list[list[Word]] = []
    for w in words:
        if lines:
            last = lines[-1]
            ref = sum(x.top for x in last) / len(last)
            h = max(1.0, sum(x.bottom - x.top for x in last) / len(last))
            if abs(w.top - ref) <= 0.5 * h:
                last.append(w)
                continue
        lines.append([w])
    return [sorted(ln, key=lambda w: w.x0) for ln in lines]


def _gap(line: list[Word], width: float, side: float = 0.08) -> tuple[float, float] | None:
    gaps = [(a.x1, b.x0) for a, b in zip(line, line[1:]) if b.x0 - a.x1 >= width * 0.035]
    central = [(s, e) for s, e in gaps if width * 0.25 <= (s + e) / 2 <= width * 0.75]
    if len(gaps) > 2 or len(central) != 1:
        return None
    s, e = central[0]
    if s - line[0].x0 < width * side or line[-1].x1 - e < width * side:
        return None
    return s, e


def _join(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def ordered_text(words: list[Word], width: float) -> str:
    """Lines in reading order, two-column bands left column first."""
    lines = _lines(words)
    if not lines:
        return ""
    heights = sorted(max(w.bottom for w in ln) - min(w.top for w in ln) for ln in lines)
    lh = heights[len(heights) // 2] or 10.0
    out: list[str] = []
    i = 0
    while i < len(lines):
        g = _gap(lines[i], width)
        if g is None:
            out.append(_join(lines[i]))
            i += 1
            continue
        lo, hi = g
        members = [lines[i]]
        j = i + 1
        while j < len(lines):
            ln = lines[j]
            top = min(w.top for w in ln)
            prev_bottom = max(w.bottom for w in members[-1])
            g2 = _gap(ln, width, side=0.03)  # a band's later lines may be short on one side
            if g2 and min(hi, g2[1]) - max(lo, g2[0]) > 0 and top - prev_bottom < 3.5 * lh:
                lo, hi = max(lo, g2[0]), min(hi, g2[1])
            elif g2 is None and top - prev_bottom < 1.5 * lh and (ln[-1].x1 <= hi or ln[0].x0 >= lo):
                pass  # only one column has a line here
            else:
                break
            members.append(ln)
            j += 1
        if len(members) < 2:
            out.append(_join(lines[i]))
            i += 1
            continue
        split = (lo + hi) / 2
        left = [_join([w for w in ln if w.x1 <= split]) for ln in members]
        right = [_join([w for w in ln if w.x0 >= split]) for ln in members]
        out.extend(x for x in left if x)
        out.extend(x for x in right if x)
        i = j
    return "\n".join(out)


def page_words(page) -> list[Word]:
    raw = page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5)
    return [Word(unicodedata.normalize("NFC", w["text"]), w["x0"], w["x1"], w["top"], w["bottom"]) for w in raw]


def signature_widgets(page) -> list[tuple[float, float, float, float]]:
    """Boxes (x0, top, x1, bottom) of form widgets in the header zone of the page."""
    out = []
    for a in page.annots or []:
        data = a.get("data") or {}
        sub = str(data.get("Subtype", ""))
        if "Widget" not in sub:
            continue
        if a["bottom"] <= page.height * WIDGET_ZONE:
            out.append((a["x0"], a["top"], a["x1"], a["bottom"]))
    return out


def widget_words(data: bytes, page_index: int, boxes, page_height: float) -> list[Word]:
    """Render the page with and without its forms; what only the forms draw (the stamped number,
    the day) is OCR'd box by box as one line and placed where it was drawn."""
    import numpy as np
    import pypdfium2 as pdfium

    from .ocr import ocr_line

    scale = 300 / 72
    doc = pdfium.PdfDocument(data)
    try:
        try:
            doc.init_forms()
        except Exception:
            pass
        page = doc[page_index]
        with_forms = np.asarray(page.render(scale=scale, may_draw_forms=True).to_pil().convert("L"), dtype=np.int16)
        plain = np.asarray(page.render(scale=scale, may_draw_forms=False).to_pil().convert("L"), dtype=np.int16)
    finally:
        doc.close()
    only_forms = np.where(np.abs(with_forms - plain) > 40, with_forms, 255).astype(np.uint8)
    words = []
    from PIL import Image

    for x0, top, x1, bottom in boxes:
        a, b = max(0, int(top * scale) - 6), int(bottom * scale) + 6
        c, d = max(0, int(x0 * scale) - 6), int(x1 * scale) + 6
        crop = only_forms[a:b, c:d]
        ink = np.nonzero(crop < 128)
        if not len(ink[0]):
            continue
        ys, xs = ink
        crop = crop[max(0, ys.min() - 4): ys.max() + 5, max(0, xs.min() - 4): xs.max() + 5]
        text = _widget_text(crop) or ocr_line(Image.fromarray(crop), digits=True)
        if text:
            words.append(Word(text, (c + xs.min()) / scale, (c + xs.max()) / scale,
                              (a + ys.min()) / scale, (a + ys.max()) / scale))
    return words


def _widget_text(crop) -> str | None:
    """A widget's number or day by the PP-OCR recogniser (`handwriting`): on the signed PDFs of
    ../shared/corpus/scans it reads all 11 widget crops as Tesseract's digit mode does, in a third
    of the time. Only a clean reading (digits, with / . - between groups) at a high confidence is
    kept; anything else goes to Tesseract."""
    import regex

    from . import handwriting

    if not handwriting.available():
        return None
    r = handwriting.recognise(crop)
    if r is None:
        return None
    text = r.free.strip()
    confs = [g.conf for g in r.glyphs if g.char.isdigit()]
    if regex.fullmatch(r"\d{1,6}(?:[/.\-]\d{1,4}){0,2}", text) and confs and min(confs) >= 0.9:
        return text
    return None
