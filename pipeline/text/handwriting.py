"""Numbers and days written by hand into the printed blanks of a signed page.

A clerk writes the number into `Số: ____/UBND-KT` and the day (sometimes the month) into
`ngày __ tháng __ năm 2025`. Tesseract reads handwriting as noise ("4l?", "ÁÈ", "+2") or, worse,
as a confident wrong number. This module:

1. finds the fields from the printed words around them, in Tesseract's word boxes of the page
   (`page_words`): the header's own `Số:` followed on its line by `/SYMBOL`, and `ngày … tháng …
   năm` in the date line; a receipt stamp (`ĐẾN`, `Số: … Ngày: …`) has no `/SYMBOL` after its
   `Số:` and no `tháng … năm` after its `Ngày:`, so it is never an anchor;
2. crops the blank between the anchors from the page in its original colours (handwriting is
   often blue ink, which the grey page has lost), with a margin above the line;
3. reads the crop with the PP-OCR recogniser shipped in the `rapidocr` wheel (its default ONNX
   models, offline, loaded once per process, one thread), decoding each character over the digits
   only: it reads handwritten digits far better than Tesseract (9 of 10 numbers and 10 of 10 days
   on the real scans' crops, against 2 and 2 for Tesseract's digit mode, at a quarter of the CPU
   time) but has no Vietnamese, so it is asked for digits and nothing else. Each crop is read in
   two forms, four when those disagree (`read_digits`); the confidence is the reading's support;
4. fuses the reading with the printed context (`_as_number`, `_as_small`, `fuse_date`,
   `clean_symbol`): the symbol after the slash, the month and year printed around the day, the
   signing times of a signed PDF (`signing_dates`: no date after them), plausibility (day 1–31,
   month 1–12, number 1–5 digits). Each field gets a confidence and a source (typed, handwritten,
   signature); a reading that is unsure is left blank (the field is null), never guessed.

The recogniser runs only on the small crops, only where Tesseract did not read a clean printed
value and the blank holds ink: a page with typed or empty fields costs nothing more.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

import numpy as np
import regex

# a handwritten field whose confidence is under this is left blank (null), not guessed
MIN_CONFIDENCE = 0.5
HEADER_ZONE = 0.45  # the header band: the top 45% of the page
# the recogniser's input is padded to at least this width:height (PP-OCR's default is 320:48 = 6.7;
# the crops of a number or a day are 2–5, and 3 reads them the same at half the cost)
MIN_RATIO = 3.0


@dataclass
class Word:
    """One Tesseract word in page coordinates (of the prepared page)."""

    row: int  # index of its row in the TSV (to rewrite it)
    text: str
    left: int
    top: int
    right: int
    bottom: int
    conf: float
    line: tuple  # (block, paragraph, line) of Tesseract: one line of the composed page

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


def page_words(tsv: str, regions: list[tuple[int, int, int, int, int]] | None = None) -> list[Word]:
    """Words of a Tesseract TSV, mapped back from the composed page (`layout.compose`: each band's
    left column above its right column) to the page's own coordinates."""
    out: list[Word] = []
    for i, row in enumerate(tsv.splitlines()[1:], 1):
        p = row.split("\t")
        if len(p) < 12 or p[0] != "5" or not p[11].strip():
            continue
        try:
            left, top, w, h = (int(v) for v in p[6:10])
            conf = float(p[10])
        except ValueError:
            continue
        dy = 0
        if regions:
            mid = top + h / 2
            for dst, src, _l, _r, height in regions:
                if dst <= mid < dst + height:
                    dy = src - dst
                    break
        out.append(Word(i, p[11], left, top + dy, left + w, top + h + dy, conf, (p[2], p[3], p[4])))
    return out


def _lines(words: list[Word]) -> dict[tuple, list[Word]]:
    lines: dict[tuple, list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    for ws in lines.values():
        ws.sort(key=lambda w: w.left)
    return lines


# -- anchors ----------------------------------------------------------------------------------------

# "Số:", "Số;", "SỐ:", "Sắ:", "Sô" … and a label fused with what follows ("Số:455", "Số:855/CAT")
_SO_LABEL = regex.compile(r"^(?:S[ốoóòỏõọôồổỗộơớờởỡợắăâấ6ơ0]|SỐ|SÔ)(?P<colon>[:;.,]{0,2})", regex.V1)
# the same label inside a word garbled by a stamp over it ("c==~S0z‡t0/HCCV")
_SO_INSIDE = regex.compile(r"S[^\s/]{0,6}?/\s*\p{Lu}{2}", regex.V1)
# the symbol after the blank: "/TTr-CAT(PC04)", "/2020/NĐ-CP", "/CAT-PA05", "/HCCV"; a handwritten last
# digit may eat the slash ("493TTr-CAT-PC04"): then the symbol starts at a capital that no capital
# precedes, followed by a hyphenated segment
_SYMBOL = regex.compile(
    r"-\s*\p{Lu}[\p{L}\d]*(?:-\p{Lu}[\p{L}\d]*)*/\p{Lu}[\p{L}\d&-]*"  # a Party number's "-CT/TU"
    r"|/\s*(?:\d{4}/)?\p{Lu}[\p{L}\d&]*(?:[-(][\p{L}\d&()\]\[]*)*"
    r"|(?<!\p{Lu})\p{Lu}[\p{Lu}\p{Ll}]{0,3}-\p{Lu}[\p{L}\d&()-]*", regex.V1)
# a symbol as printed: segments of capitals and digits (TTr, TTg, QĐi keep their lower case),
# hyphens, a parenthesised unit, a year segment of a normative number
_CLEAN_SYMBOL = regex.compile(r"(?:(?:19|20)\d\d/)?[A-ZĐ][A-Za-zĐđ0-9&]*(?:\([A-ZĐ0-9]+\))?(?:-[A-ZĐ][A-Za-zĐđ0-9&]*(?:\([A-ZĐ0-9]+\))?)*")
_NGAY = regex.compile(r"^ng[àaáạảãăâ][yuýỳvỵ]", regex.IGNORECASE)
_THANG = regex.compile(r"^th[áaàạảã]n[g9q]", regex.IGNORECASE)
_NAM = regex.compile(r"^n[ăaâắằ]m$", regex.IGNORECASE)
_YEAR = regex.compile(r"^(?:19|20)\d\d[,.;]?$")
_TYPED_NUMBER = regex.compile(r"\d{1,6}(?:[-.]\d{1,4})*(?:/\d{2,4})?")


@dataclass
class Field:
    """A blank of the header between two printed anchors."""

    kind: str  # number | day | month | year
    box: tuple[int, int, int, int]  # (x0, y0, x1, y1) on the prepared page: the blank
    typed: str  # what Tesseract read inside the blank
    typed_conf: float  # its lowest word confidence (0–100)
    line_height: int
    label_fused: bool = False  # the label's end is estimated: the crop may hold its last marks ("S0:")

    def typed_clean(self) -> bool:
        """Tesseract read a clean printed value: typed, not handwritten."""
        t = self.typed.replace(" ", "")
        if self.kind == "number":
            return bool(_TYPED_NUMBER.fullmatch(t)) and self.typed_conf >= 85
        if self.kind == "year":
            return bool(regex.fullmatch(r"(?:19|20)\d\d[,.;]?", t)) and self.typed_conf >= 80
        # a handwritten day Tesseract reads as digits does so at a low confidence ("28" at 49 for 23)
        return bool(regex.fullmatch(r"\d{1,2}", t)) and self.typed_conf >= (90 if self.kind == "day" else 75)


@dataclass
class Anchors:
    number: Field | None = None
    symbol: str | None = None  # the printed symbol after the blank, as Tesseract read it
    sep: str = "/"  # between the number and the symbol: "-" in a Party number (05-CT/TU)
    symbol_box: tuple[int, int, int, int] | None = None
    number_rows: list[int] = field(default_factory=list)  # TSV rows from the label to the symbol
    day: Field | None = None
    month: Field | None = None
    year: Field | None = None
    ngay_row: int | None = None
    day_rows: list[int] = field(default_factory=list)
    month_rows: list[int] = field(default_factory=list)
    thang_row: int | None = None
    year_row: int | None = None
    orphan: bool = False  # the number's label was not read: the blank found from its symbol alone


def _words_text(ws: list[Word]) -> tuple[str, float]:
    return "".join(w.text for w in ws), min([w.conf for w in ws] or [100.0])


def find_anchors(words: list[Word], shape: tuple[int, int]) -> Anchors:
    """The number and date blanks of the header, from the printed words around them."""
    h, w = shape[:2]
    a = Anchors()
    lines = _lines([x for x in words if x.top < h * HEADER_ZONE])
    so_cands, date_cands = [], []
    for key, ws in lines.items():
        for i, x in enumerate(ws):
            m = _SO_LABEL.match(x.text)
            if m and x.left + x.width / 2 < w * 0.62:
                sym = _symbol_after(ws, i, m.end())
                if sym is not None:
                    so_cands.append((x.top, i, ws, 0, m.end(), sym))
            elif x.left + x.width / 2 < w * 0.5 and (mi := _SO_INSIDE.search(x.text)):
                # a label the stamp garbled: the number runs from just after the "S…" to the slash
                lab = mi.start() + 1 + min(2, len(regex.match(r"[^\d/]*", x.text[mi.start() + 1:]).group(0)))
                sym = _symbol_after(ws, i, lab)
                if sym is not None:
                    so_cands.append((x.top, i, ws, mi.start(), lab, sym))
            if _NGAY.match(x.text):
                k = next((j for j in range(i + 1, min(len(ws), i + 4)) if _THANG.match(ws[j].text)), None)
                if k is None and i + 1 < len(ws) and _THANG.search(x.text[4:]):
                    k = i  # "ngày15tháng"
                if k is not None:
                    date_cands.append((x.top, i, k, ws))
    if so_cands:
        # the header's own Số is the top-most one with a symbol after it (a stamp's "Số:" has dots)
        _top, i, ws, start, lab, (j, pos) = min(so_cands, key=lambda c: c[0])
        _number_field(a, ws, i, start, lab, j, pos)
    else:
        _orphan_symbol(a, lines, w)
    if date_cands:
        # the date line: near the Số line when there is one, else a "Place, ngày …" line
        def rank(c):
            _t, i, _k, ws = c
            ng = ws[i]
            near = a.number is not None and abs(ng.top - a.number.box[1]) < 8 * a.number.line_height
            placed = i > 0 and ws[i - 1].text.endswith(",")
            return (not near, not placed, ng.left < w * 0.3, ng.top)
        best = min(date_cands, key=rank)
        _top, i, k, ws = best
        ng = ws[i]
        near = a.number is not None and abs(ng.top - a.number.box[1]) < 8 * a.number.line_height
        if near or (i > 0 and ws[i - 1].text.endswith(",")):
            _date_fields(a, ws, i, k)
    return a


def _symbol_after(ws: list[Word], i: int, start: int) -> tuple[int, int] | None:
    """(index of the word holding the symbol, character offset of the symbol in it) on the Số line:
    within a blank's width of the label (a few line heights), with no other label between (a stamp's
    "Số: 3456" beside the header's "Số:   /UBND-VP" on one line is not the header's label)."""
    sm = _SYMBOL.search(ws[i].text, start)
    if sm:
        return i, sm.start()
    lh = max(20, ws[i].height)
    for j in range(i + 1, min(len(ws), i + 4)):
        if ws[j].left - ws[i].right > 9 * lh:
            return None
        sm = _SYMBOL.search(ws[j].text)
        if sm:
            return j, sm.start()
        if _SO_LABEL.match(ws[j].text):
            return None
    return None


def _x_at(wd: Word, pos: int) -> int:
    """x of a character offset inside a word (proportional: Tesseract gives no character boxes)."""
    return wd.left + int(wd.width * pos / max(1, len(wd.text)))


def _number_field(a: Anchors, ws: list[Word], i: int, start: int, lab: int, j: int, pos: int) -> None:
    """The blank between "Số:" (word i, the label from character `start` to `lab`) and the symbol
    (word j from character `pos`)."""
    so, sw = ws[i], ws[j]
    lh = max(20, min(so.height, sw.height))
    label_w = int(1.3 * lh)  # "Số:" is about 1.3 line heights wide
    fused = j == i or lab < len(so.text)
    if j == i:
        typed = so.text[lab:pos]
        conf = so.conf
        x0 = _x_at(so, start) + label_w
        x1 = _x_at(so, pos)
    else:
        parts = [so.text[lab:]] + [x.text for x in ws[i + 1:j]] + [sw.text[:pos]]
        typed = "".join(parts)
        conf = min([x.conf for x in ws[i:j + 1]])
        # the label's own box, unless it swallowed the start of the handwriting
        x0 = min(so.right, so.left + int(1.45 * lh)) if not fused else _x_at(so, start) + label_w
        x1 = _x_at(sw, pos) if pos else sw.left
    sym = sw.text[pos:]
    a.sep = "-" if sym.startswith("-") else "/"
    a.symbol = sym[1:].strip() if sym.startswith(("/", "-")) else sym
    a.symbol_box = (_x_at(sw, pos), sw.top, sw.right, sw.bottom)
    top, bottom = min(so.top, sw.top), max(so.bottom, sw.bottom)
    a.number = Field("number", (x0, top, max(x0 + 4, x1), bottom), typed, conf, lh, label_fused=fused)
    a.number_rows = [x.row for x in ws[i:j + 1]]


_BLANK_SYMBOL = regex.compile(r"^/\s*(?:(?:19|20)\d\d/)?\p{Lu}[\p{L}\d&]*(?:\([\p{L}\d]+\))?-\p{Lu}", regex.V1)


def _orphan_symbol(a: Anchors, lines: dict[tuple, list[Word]], w: int) -> None:
    """No "Số:" was read (a stamp's box or ink over it took the label with it), but the left header
    column holds a blank number's symbol, "/UBND-VP", with nothing read before it: the blank is the
    stretch just before the symbol, and the label, if it is in the crop, is read with it."""
    cands = []
    for ws in lines.values():
        for j, x in enumerate(ws):
            if _BLANK_SYMBOL.match(x.text) and x.left + x.width / 2 < w * 0.62:
                lh = max(20, x.height)
                prev = [p for p in ws[:j] if p.conf >= 40 and p.right > x.left - 7 * lh]
                if not prev:
                    cands.append((x.top, j, ws, lh))
    if not cands:
        return
    _top, j, ws, lh = min(cands, key=lambda c: c[0])
    sw = ws[j]
    a.symbol = sw.text[1:].strip()
    a.symbol_box = (sw.left, sw.top, sw.right, sw.bottom)
    a.number = Field("number", (max(0, sw.left - 7 * lh), sw.top, sw.left, sw.bottom), "", 0.0, lh,
                     label_fused=True)
    a.number_rows = [sw.row]
    a.orphan = True


def _date_fields(a: Anchors, ws: list[Word], i: int, k: int) -> None:
    ng, th = ws[i], ws[k]
    n = next((j for j in range(k + 1, min(len(ws), k + 4)) if _NAM.match(ws[j].text.strip(",.")) or
              regex.match(r"n[ăaâ]m", ws[j].text)), None)
    nm = ws[n] if n is not None else None
    # the unit: the printed "năm" (ngày ≈ 1.15, tháng ≈ 1.35 of it), else the line height
    u = nm.width if nm is not None and nm.conf >= 60 and len(nm.text) == 3 else int(1.9 * max(20, th.height))
    lh = max(20, min(ng.height, th.height))
    if k == i:  # "ngày15tháng": one word
        x0 = ng.left + int(1.15 * u)
        x1 = ng.right - int(1.35 * u)
        typed, conf = ng.text[4:-5], ng.conf
    else:
        x0 = min(ng.right, ng.left + int(1.25 * u))
        x1 = max(th.left, th.right - int(1.45 * u))
        typed, conf = _words_text(ws[i + 1:k])
        typed = ng.text[4:] + typed if len(ng.text) > 4 else typed
    top, bottom = min(ng.top, th.top), max(ng.bottom, th.bottom)
    a.day = Field("day", (x0, top, max(x0 + 4, x1), bottom), typed, min(conf, ng.conf if len(ng.text) > 4 else 100), lh)
    a.ngay_row = ng.row
    a.day_rows = [x.row for x in ws[i + 1:k]]
    a.thang_row = th.row
    if nm is None:
        return
    typed, conf = _words_text(ws[k + 1:n])
    mx0 = th.right
    if k != i and len(th.text) > 5 and th.width > 1.6 * u:  # "tháng12": the month inside the word
        mx0 = th.left + int(1.35 * u)
        typed = th.text[5:] + typed
    mx1 = max(nm.left, nm.right - int(1.1 * u))
    a.month = Field("month", (mx0, min(th.top, nm.top), max(mx0 + 4, mx1), max(th.bottom, nm.bottom)), typed, conf, lh)
    a.month_rows = [x.row for x in ws[k + 1:n]]
    if n + 1 < len(ws) and ws[n + 1].left - nm.right < 1.5 * u:
        y = ws[n + 1]
        a.year = Field("year", (nm.right, min(nm.top, y.top), nm.right + int(1.6 * u), max(nm.bottom, y.bottom)),
                       y.text, y.conf, lh)
        a.year_row = y.row


# -- the recogniser ---------------------------------------------------------------------------------

_ENGINE = None
_ENGINE_LOCK = threading.Lock()
_ENGINE_ERROR: str | None = None

_DIGITS = "0123456789"
# letters PP-OCR puts for handwritten digits; in a field that holds only digits they are those digits
_LOOKALIKE = {"A": "4", "S": "5", "s": "5", "$": "5", "O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0",
              "l": "1", "I": "1", "|": "1", "i": "1", "!": "1", "J": "1", "B": "8", "&": "8", "Z": "2",
              "z": "2", "g": "9", "q": "9", "b": "6", "G": "6", "T": "7", "⁵": "5", "⁸": "8"}


def available() -> bool:
    """Whether the second recogniser can run (the `rapidocr` and `onnxruntime` wheels, the `ocr` extra)."""
    return _recogniser() is not None


_RAPID = None
_RAPID_LOCK = threading.Lock()


def rapidocr_engine():
    """The rapidocr engine (its default PP-OCR models, shipped in the wheel), built once per process
    and shared by the handwriting reader and the receipt stamps (`stamps`); one ONNX thread, like
    Tesseract's `OMP_THREAD_LIMIT=1`. Raises ImportError when the `ocr` extra is not installed."""
    global _RAPID
    with _RAPID_LOCK:
        if _RAPID is None:
            import logging

            from rapidocr import RapidOCR

            _RAPID = RapidOCR(params={
                "Global.log_level": "error",
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return _RAPID


def _recogniser():
    """The PP-OCR text recogniser of `rapidocr_engine`, with its digit columns, loaded once per process."""
    global _ENGINE, _ENGINE_ERROR
    if _ENGINE is not None or _ENGINE_ERROR is not None:
        return _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None and _ENGINE_ERROR is None:
            try:
                rec = rapidocr_engine()._load_rec_model()
                chars = list(rec.postprocess_op.character)
                _ENGINE = (rec, chars, np.array([chars.index(d) for d in _DIGITS]))
            except Exception as e:  # not installed, or a model that cannot load: Tesseract alone
                _ENGINE_ERROR = f"{type(e).__name__}: {e}"
    return _ENGINE


@dataclass
class Glyph:
    char: str  # as decoded over every character
    digit: str | None  # the digit it stands for in a digits-only field
    conf: float  # probability of that digit
    x: float  # position in the crop, 0–1


@dataclass
class Reading:
    glyphs: list[Glyph]

    @property
    def free(self) -> str:
        return "".join(g.char for g in self.glyphs)


def recognise(img: np.ndarray) -> Reading | None:
    """One crop (RGB or grey) → the characters PP-OCR reads, each with the digit it stands for."""
    out = recognise_batch([img])
    return out[0] if out else None


def recognise_batch(imgs: list[np.ndarray]) -> list[Reading] | None:
    """Several crops in one call of the recogniser (padded to the widest)."""
    eng = _recogniser()
    imgs = [i for i in imgs if i is not None and i.size]
    if eng is None or not imgs:
        return None
    rec, chars, digit_idx = eng
    imgs = [np.repeat(i[:, :, None], 3, axis=2) if i.ndim == 2 else i for i in imgs]
    ratio = max([MIN_RATIO] + [i.shape[1] / max(1, i.shape[0]) for i in imgs])
    batch = np.stack([rec.resize_norm_img(i, ratio) for i in imgs]).astype(np.float32)
    probs = rec.session(batch)
    return [_decode(probs[k], chars, digit_idx, imgs[k].shape[1] / max(1, imgs[k].shape[0]))
            for k in range(len(imgs))]


def _decode(probs: np.ndarray, chars: list[str], digit_idx: np.ndarray, ratio: float) -> Reading:
    """Greedy CTC decoding over every character, and for each character the digit it stands for in
    a digits-only field: the digits' probabilities renormalised among themselves (the field cannot
    hold a letter), discounted when the digits together are implausible there."""
    idx = probs.argmax(axis=1)
    glyphs: list[Glyph] = []
    t, n = 0, len(idx)
    steps = max(1.0, min(n, ratio * 48 / 8))  # the time steps that cover the image
    while t < n:
        c = idx[t]
        if c == 0:
            t += 1
            continue
        s = t
        while t < n and idx[t] == c:
            t += 1
        pd = probs[s:t][:, digit_idx].max(axis=0)
        mass = float(pd.sum())
        char = chars[c]
        share = pd / max(mass, 1e-9)
        if char in _DIGITS:
            digit = char
        elif char in _LOOKALIKE:
            digit = _LOOKALIKE[char]  # a digit-shaped letter ("A16", "S12")
        elif mass >= 0.2:
            digit = _DIGITS[int(pd.argmax())]
        else:
            glyphs.append(Glyph(char, None, 0.0, (s + t) / 2 / steps))
            continue
        conf = float(share[int(digit)]) * min(1.0, mass / 0.01)
        glyphs.append(Glyph(char, digit, conf, (s + t) / 2 / steps))
    return Reading(glyphs)


def _ink_box(crop: np.ndarray, band: tuple[int, int], core: tuple[int, int] | None = None) -> tuple[int, int, int, int] | None:
    """The box of the ink in a crop that belongs to the field's line (a component that reaches the
    band of the printed line and the blank itself, `core`, not only the margin around it, where the
    tail of a printed "y" or the foot of a "t" ends), or None for a blank. Coloured ink counts."""
    import cv2

    if crop.ndim == 3:
        grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
        hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
        ink = (grey < 150) | ((hsv[:, :, 1] > 70) & (hsv[:, :, 2] < 235) & (grey < 215))
    else:
        ink = crop < 150
    ink = ink.astype(np.uint8)
    n, _lab, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    H, W = ink.shape
    lo, hi = band
    lh = max(1, hi - lo)
    boxes = []
    for k in range(1, n):
        x, y, w, h, area = stats[k]
        if area < max(6, lh * lh // 150):
            continue
        if y + h < lo + 0.15 * lh or y > hi - 0.1 * lh:
            continue  # wholly above or below the line (the issuer's rule, a stamp's border)
        if h < 0.15 * lh or (h < 0.22 * lh and w < 0.3 * lh):
            continue  # a leader's dots or underscores, a rule, a speck: no digit is that flat or small
        if core is not None and (x + w <= core[0] + 0.15 * lh or x >= core[1] - 0.15 * lh):
            continue  # a printed neighbour's edge in the margin
        boxes.append((x, y, x + w, y + h, area))
    if not boxes or sum(b[4] for b in boxes) < lh * lh * 0.05:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return x0, y0, x1, y1


# -- reading and fusing the fields ------------------------------------------------------------------

@dataclass
class FieldReading:
    value: int | str | None  # the digits ("493"), a day or month (int); None: blank or unsure
    confidence: float
    source: str  # typed | handwritten | signature | blank
    read: str = ""  # what the recogniser read, for the audit

    def as_dict(self) -> dict:
        return {"value": self.value, "confidence": round(self.confidence, 3), "source": self.source, "read": self.read}


def _crop_field(prep, f: Field) -> tuple[np.ndarray | None, tuple[int, int] | None]:
    """The blank with a margin (handwriting rises above the line), tightened to its ink; None if blank."""
    x0, y0, x1, y1 = f.box
    lh = f.line_height
    H, W = prep.image.shape[:2]
    bx0, by0 = max(0, x0 - int(0.12 * lh)), max(0, y0 - int(0.75 * lh))
    bx1, by1 = min(W, x1 + int(0.12 * lh)), min(H, y1 + int(0.35 * lh))
    if bx1 - bx0 < 4 or by1 - by0 < 4:
        return None, None
    crop = prep.crop_source((bx0, by0, bx1, by1))
    if crop is None:
        crop = prep.image[by0:by1, bx0:bx1]
    ib = _ink_box(crop, (y0 - by0, y1 - by0), (x0 - bx0, x1 - bx0))
    if ib is None:
        return None, None
    pad = max(3, lh // 8)
    cx0, cy0 = max(0, ib[0] - pad), max(0, ib[1] - pad)
    cx1, cy1 = min(crop.shape[1], ib[2] + pad), min(crop.shape[0], ib[3] + pad)
    return crop[cy0:cy1, cx0:cx1], (bx0 + cx0, bx0 + cx1)


# the end of the label "Số:" as the recogniser reads it ("S6:", "S0:", "So.", "O."): the digits
# start after the last one in the crop (a stamp's "Số: 3456" further left is not the blank's)
_LABEL_TAIL = regex.compile(r"(?:S[0Oo6ôóốơ]?|(?<![\w])[0Oo6ôóố])\s*[:;.,]")


def _digits_of(reading: Reading, symbol: str | None = None, label: bool = False) -> tuple[str, float, str]:
    """The digits a reading holds, their lowest confidence, and what was read. Leading marks (the
    colon of the label) are skipped; the digits stop at the slash, at the symbol's first letters or at
    any other mark. A shape-alike letter counts as its digit only inside the run (not the symbol's T)."""
    gl = reading.glyphs
    k = 0
    if label:  # the end of "Số:" read with the field ("S0:40", "O.40")
        ms = list(_LABEL_TAIL.finditer(reading.free))
        if ms:
            last = ms[-1]
            if last.start() == 0 or regex.match(r"\s*\d", reading.free[last.end():]):
                k = last.end()  # one glyph per character (a space is a glyph)
    # skip the marks before the digits (a colon, the label's last letter); a digit-shaped letter
    # opens the number only when a digit follows it ("A16", not "g 12" nor "SO.40")
    while k < len(gl) and (gl[k].digit is None or gl[k].char not in _DIGITS and
                           (k + 1 >= len(gl) or gl[k + 1].char not in _DIGITS)):
        k += 1
    out: list[Glyph] = []
    extra = 0.0
    while k < len(gl):
        g = gl[k]
        if g.digit is None or g.char == "/":
            break
        if g.char not in _DIGITS:
            rest = "".join(x.char for x in gl[k:])
            nxt = gl[k + 1] if k + 1 < len(gl) else None
            if symbol and regex.match(r"[\p{L}]{1,3}", rest) and rest[:2].upper() == symbol.lstrip("/")[:2].upper():
                break  # the symbol's own letters ("493TTr-…")
            if nxt is not None and nxt.digit is None and nxt.char not in "/":
                break  # a word, not a digit
        out.append(g)
        k += 1
    tail = [g for g in gl[k:] if g.digit is not None and g.char != "/"]
    if tail and out:
        # digits after a break: a stray mark inside the number, or a neighbour's digits; either way unsure
        tail_text = "".join(g.char for g in gl[k:])
        if not (symbol and tail_text.lstrip("/").upper().startswith(symbol.lstrip("/")[:2].upper())):
            extra = 0.5
    digits = "".join(g.digit for g in out)
    conf = min([g.conf for g in out] or [0.0]) * (1 - extra)
    return digits, conf, reading.free


def _variants(crop: np.ndarray) -> list[np.ndarray]:
    """The crop as it is, contrast-stretched grey, with a white border (more context, smaller
    glyphs) and at half size: the recogniser's readings of these agree on a clear field and
    scatter on an ambiguous one."""
    import cv2

    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    lo, hi = np.percentile(grey, 2), np.percentile(grey, 98)
    norm = np.clip((grey.astype(np.float32) - lo) * (255.0 / max(1.0, hi - lo)), 0, 255).astype(np.uint8)
    b = max(2, crop.shape[0] // 3)
    pad = cv2.copyMakeBorder(norm, b, b, b, b, cv2.BORDER_CONSTANT, value=255)
    small = cv2.resize(norm, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return [crop, norm, pad, small]


def read_digits(crops: list[tuple[np.ndarray, str | None, bool]]) -> list[tuple[str, float, str]]:
    """The digits of several crops (each with the symbol after it and whether the label's end may be
    in it), by consensus of the recogniser over `_variants`: the reading with the most confidence
    behind it, and as its confidence the mean over the variants read of each one's confidence in that
    same reading (a variant that reads otherwise counts 0). Two variants first, in one call for the
    whole page; the other two only for the crops where those two disagree or are unsure."""
    variants = [_variants(c) for c, _s, _l in crops]
    results: list[list[tuple[str, float, str]]] = [[] for _ in crops]

    def run(ks: list[int], which: tuple[int, ...]) -> None:
        imgs = [variants[k][v] for k in ks for v in which]
        readings = recognise_batch(imgs) or []
        for n, r in enumerate(readings):
            k = ks[n // len(which)]
            results[k].append(_digits_of(r, crops[k][1], crops[k][2]))

    run(list(range(len(crops))), (0, 2))
    unsure = [k for k, res in enumerate(results)
              if len(res) < 2 or res[0][0] != res[1][0] or not res[0][0] or min(res[0][1], res[1][1]) < 0.9]
    if unsure:
        run(unsure, (1, 3))
    out = []
    for res in results:
        support: dict[str, float] = {}
        for digits, conf, _free in res:
            if digits:
                support[digits] = support.get(digits, 0.0) + conf
        if not support:
            out.append(("", 0.0, res[0][2] if res else ""))
            continue
        best = max(support, key=support.get)
        out.append((best, support[best] / len(res), res[0][2]))
    return out


def _as_number(res: tuple[str, float, str]) -> FieldReading:
    digits, conf, free = res
    if not digits:
        return FieldReading(None, 0.1, "handwritten", free)
    if len(digits) > 5:
        conf *= 0.3  # 1–5 digits: six is a neighbour read with it
    if digits.startswith("0"):
        conf *= 0.5  # a handwritten number does not start with 0
    return FieldReading(digits if conf >= MIN_CONFIDENCE else None, conf, "handwritten", free)


def _as_small(res: tuple[str, float, str], lo: int, hi: int) -> FieldReading:
    """A day (1–31) or a month (1–12)."""
    digits, conf, free = res
    if not digits:
        return FieldReading(None, 0.1, "handwritten", free)
    if len(digits) > 2 or not lo <= int(digits) <= hi:
        return FieldReading(None, conf * 0.2, "handwritten", free)
    return FieldReading(int(digits) if conf >= MIN_CONFIDENCE else None, conf, "handwritten", free)


def _as_year(res: tuple[str, float, str]) -> int | None:
    digits, conf, _free = res
    return int(digits) if regex.fullmatch(r"(?:19|20)\d\d", digits) and conf >= 0.8 else None


def _typed(f: Field) -> FieldReading | None:
    """The value Tesseract read cleanly in the blank (printed, not handwritten), or None."""
    if not f.typed_clean():
        return None
    t = f.typed.replace(" ", "")
    if f.kind == "number":
        return FieldReading(t, f.typed_conf / 100, "typed", f.typed)
    v = int(t[:4]) if f.kind == "year" else int(t)
    if f.kind == "day" and not 1 <= v <= 31 or f.kind == "month" and not 1 <= v <= 12:
        return None
    return FieldReading(v, f.typed_conf / 100, "typed", f.typed)


def fuse_date(day: FieldReading | None, month: FieldReading | None, year: int | None,
              signed: list[dt.date] | None = None) -> FieldReading:
    """The issue date from its parts and the printed context. `value` is an ISO date or None.

    - every part known and the date valid → confidence of its weakest part;
    - a date after the latest digital signature of the file is impossible (a document is numbered
      and dated before any signature of it is final, a certified copy after): null;
    - a date that is a signing date is confirmed;
    - an unread day, with the printed month and year of a signing date: that day, at a lower
      confidence (source `signature`).
    """
    if year is None or month is None or month.value is None:
        return FieldReading(None, 0.0, "blank")
    latest = max(signed) if signed else None
    if day is None or day.value is None:
        if latest is not None and (latest.year, latest.month) == (year, month.value):
            same = [d for d in signed if (d.year, d.month) == (year, month.value)]
            if len({d.day for d in same}) == 1:
                return FieldReading(latest.isoformat(), 0.55, "signature")
        return FieldReading(None, day.confidence if day else 0.0, day.source if day else "blank")
    try:
        date = dt.date(year, int(month.value), int(day.value))
    except ValueError:
        return FieldReading(None, 0.1, day.source)
    conf = min(day.confidence, month.confidence)
    source = "handwritten" if "handwritten" in (day.source, month.source) else "typed"
    if latest is not None:
        if date > latest:
            return FieldReading(None, min(conf, 0.3), source)
        if date in signed:
            conf = max(conf, 0.95)
    if source == "handwritten" and conf < MIN_CONFIDENCE:
        return FieldReading(None, conf, source)
    return FieldReading(date.isoformat(), conf, source)


def clean_symbol(prep, a: Anchors) -> str | None:
    """The printed symbol when Tesseract's reading of it holds characters no symbol has ("CATŒC04]",
    "(ĐÐ1)"): read again by the recogniser, which knows Latin capitals, with Tesseract's Đ kept where
    the recogniser says D. None when the first reading stands or the second is no better."""
    sym = a.symbol or ""
    if not sym or _CLEAN_SYMBOL.fullmatch(sym) and "ĐÐ" not in sym and "ÐĐ" not in sym:
        return None
    if a.symbol_box is None:
        return None
    x0, y0, x1, y1 = a.symbol_box
    lh = a.number.line_height if a.number else max(20, y1 - y0)
    crop = prep.crop_source((x0 - 4, y0 - lh // 4, x1 + 6, y1 + lh // 4))
    r = recognise(crop if crop is not None else prep.image[y0:y1, x0:x1])
    if r is None:
        return None
    text = r.free.strip().lstrip("/").replace(" ", "")
    if not _CLEAN_SYMBOL.fullmatch(text):
        return None
    # Đ: the recogniser has no Vietnamese; where Tesseract saw Đ (or Ð) and it reads D, write Đ
    import difflib

    tess = sym.replace("Ð", "Đ")
    out = list(text)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, tess, text, autojunk=False).get_opcodes():
        if op in ("equal", "replace"):
            for di, oi in zip(range(i1, i2), range(j1, j2)):
                if tess[di] == "Đ" and text[oi] == "D":
                    out[oi] = "Đ"
    return "".join(out)


@dataclass
class HeaderFields:
    """What the OCR stage learnt of the header's number and date, for the header extractor."""

    number: FieldReading | None = None
    symbol: str | None = None
    date: FieldReading | None = None
    day: FieldReading | None = None
    month: FieldReading | None = None
    year: int | None = None

    def as_dict(self) -> dict:
        out = {}
        if self.number is not None:
            out["number"] = self.number.as_dict()
        if self.symbol:
            out["symbol"] = self.symbol
        if self.date is not None:
            out["date"] = self.date.as_dict()
            out["day"] = self.day.as_dict() if self.day else None
            out["month"] = self.month.as_dict() if self.month else None
        return out


def read_fields(prep, words: list[Word], signed: list[dt.date] | None = None) -> tuple[HeaderFields, dict[int, str | None]]:
    """The header's number and date on one page: readings, and the edits of Tesseract's words
    (TSV row → new text, None to drop) that put them into the page text. The recogniser runs only
    on the blanks Tesseract did not read cleanly and that hold ink."""
    hf = HeaderFields()
    edits: dict[int, str | None] = {}
    a = find_anchors(words, prep.image.shape)
    fields = {f.kind: f for f in (a.number, a.day, a.month, a.year) if f is not None}
    got: dict[str, FieldReading] = {}
    todo: list[tuple[str, np.ndarray]] = []
    for kind, f in fields.items():
        typed = _typed(f)
        if typed is not None:
            got[kind] = typed
            continue
        crop, _span = _crop_field(prep, f)
        if crop is None:
            got[kind] = FieldReading(None, 0.0, "blank", f.typed)
        else:
            todo.append((kind, crop))
    if todo:
        results = read_digits([(c, a.symbol if k == "number" else None, k == "number" and a.number.label_fused)
                               for k, c in todo])
        for (kind, _c), res in zip(todo, results):
            t = fields[kind].typed.replace(" ", "")
            if res[0] and res[0] == t:
                # Tesseract read these digits too, below its clean threshold: the two readers agree,
                # on a printed value as a rule (a "05" keeps its zero), at the digit model's confidence
                got[kind] = FieldReading(t if kind == "number" else int(t), res[1], "typed", res[2])
                continue
            got[kind] = (_as_number(res) if kind == "number" else _as_small(res, 1, 31) if kind == "day"
                         else _as_small(res, 1, 12) if kind == "month" else
                         FieldReading(_as_year(res), res[1], "typed", res[2]))
    if a.number is not None:
        hf.number = got["number"]
        cleaned = clean_symbol(prep, a)
        # rewrite the Số line when the blank was read (the digits, or nothing when unsure: never
        # Tesseract's reading of handwriting) or the symbol was read again; a blank stays as printed
        if (hf.number.source == "handwritten" or cleaned) and not (a.orphan and not hf.number.value):
            sym = hf.symbol = cleaned or a.symbol
            rows = a.number_rows
            digits = hf.number.value
            edits[rows[0]] = f"Số: {digits or ''}{a.sep}{sym}"
            for r in rows[1:]:
                edits[r] = None
    if a.day is not None:
        day, month = got["day"], got.get("month")
        year = got["year"].value if "year" in got else None
        hf.day, hf.month, hf.year = day, month, year
        hf.date = fuse_date(day, month, year, signed)
        read = any(x is not None and x.source == "handwritten" for x in (day, month)) or \
            (a.year is not None and year is not None and not a.year.typed_clean())
        if read or hf.date.source == "signature":
            d = dt.date.fromisoformat(hf.date.value) if hf.date.value else None
            dtext = str(d.day) if d else ""
            mtext = str(d.month) if d else (str(month.value) if month is not None and month.value else "")
            if a.thang_row == a.ngay_row:
                edits[a.ngay_row] = f"ngày {dtext} tháng {mtext}".replace("  ", " ")
            else:
                edits[a.ngay_row] = "ngày"
                for r in a.day_rows:
                    edits[r] = None
                if a.day_rows:
                    edits[a.day_rows[0]] = dtext or None
                else:
                    edits[a.ngay_row] = f"ngày {dtext}".strip()
                edits[a.thang_row] = f"tháng {mtext}".strip()
                for r in a.month_rows:
                    edits[r] = None
            if a.year_row is not None and year is not None:
                edits[a.year_row] = str(year)
    return hf, edits


def apply_edits(tsv: str, edits: dict[int, str | None]) -> str:
    """Tesseract's TSV with the words of `edits` replaced (None: dropped)."""
    if not edits:
        return tsv
    rows = tsv.split("\n")
    for i, text in edits.items():
        if 0 < i < len(rows):
            p = rows[i].split("\t")
            if len(p) >= 12:
                p[11] = text if text is not None else ""
                rows[i] = "\t".join(p)
    return "\n".join(rows)


def signing_dates(data: bytes) -> list[dt.date]:
    """The signing times of a PDF's digital signatures (the /M of each signature dictionary), as
    local dates. Empty for an unsigned file or one pdfium cannot open."""
    if b"/ByteRange" not in data:
        return []
    try:
        import ctypes

        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        doc = pdfium.PdfDocument(data)
    except Exception:
        return []
    out = []
    try:
        for i in range(raw.FPDF_GetSignatureCount(doc.raw)):
            sig = raw.FPDF_GetSignatureObject(doc.raw, i)
            n = raw.FPDFSignatureObj_GetTime(sig, None, 0)
            if n <= 0:
                continue
            buf = ctypes.create_string_buffer(n)
            raw.FPDFSignatureObj_GetTime(sig, buf, n)
            m = regex.match(r"D:(\d{4})(\d{2})(\d{2})", buf.value.decode("latin-1"))
            if m:
                try:
                    out.append(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
                except ValueError:
                    pass
    except Exception:
        return out
    finally:
        doc.close()
    return out
