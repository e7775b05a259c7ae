"""Round seals on grey and bitonal pages, found by their shape and taken out before OCR.

Why: on a colour scan the red seal goes by its colour (`preprocess.remove_colour_ink`). A grey
scanner turns it into grey strokes, a 1-bit (fax-like) scanner into black ones, over the signer's
authority line, title and name; Tesseract reads the mix as noise or drops the lines, and the
document loses its signer. What is left to tell the seal by is its shape: two concentric rings,
the issuing body's name set between them, a star or emblem in the middle (Nghị định 99/2016 on
seals; every round seal of a state body is built so).

Entry point: `remove_seals(grey, dpi) -> (grey, seals)`; the page is changed in place.

Found:
  1. Circles of a seal's size (28–52 mm across at the page's dpi) by a Hough transform on a
     quarter-size view of the page.
  2. Kept only when a ring at that radius is inked on most of its circumference (text lines and
     tables make circles for the transform, not inked rings).

Removed, per seal, by the form its ink took:
  Grey form:    the ring prints clearly lighter than the text (red ink turns mid grey). Around
                the seal, out to 1.6 radii (the signature's ink, lighter than the text's on a
                grey scan of blue ink, runs out of it), only strokes darker than the midpoint
                between the ring's grey and the text's black that reach the text's own black
                somewhere are kept (hysteresis: a faded letter stays whole, the darker spots
                where the signature crosses the ring go); the rest is set to the paper's grey.
                A signature as dark as the text stays.
  Black form:   ring and text the same black (a bitonal scan): every ink blob that lies wholly
                inside the seal (ring pieces, lettering, the star) is whitened unless it sits in a
                horizontal row of letter-sized blobs (printed text: the seal's lettering follows
                the ring); blobs that reach out of the seal (a text line the ring runs into) stay.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SEAL_MM = (28.0, 52.0)  # diameters of the round seals of state bodies, with margin
RING_COVER = 0.55  # share of the circumference a ring must ink
ANGLES = 360
SIGNATURE_REACH = 1.6
GREY_GAP = 45  # ring ink this much lighter than the text's: the grey form


@dataclass(frozen=True)
class Seal:
    x: float
    y: float
    r: float  # outer ring radius, page pixels
    form: str  # "grey" | "black"
    levels: tuple[float, float] | None = None  # (ring ink, text ink) grey levels (`_levels`)


def _ring_cover(img: np.ndarray, cx: float, cy: float, r: float, dark: int, width: int = 2) -> float:
    """Share of ANGLES rays on which some pixel within ±width of radius r is darker than `dark`."""
    h, w = img.shape
    t = np.linspace(0, 2 * np.pi, ANGLES, endpoint=False)
    hit = np.zeros(ANGLES, bool)
    for d in range(-width, width + 1):
        xs = np.clip(np.rint(cx + (r + d) * np.cos(t)).astype(int), 0, w - 1)
        ys = np.clip(np.rint(cy + (r + d) * np.sin(t)).astype(int), 0, h - 1)
        hit |= img[ys, xs] < dark
    return float(hit.mean())


def find_seals(grey: np.ndarray, dpi: int) -> list[Seal]:
    """The round seals of a page (see the module docstring). Cheap: one quarter-size Hough pass."""
    h, w = grey.shape
    f = 4
    small = cv2.resize(grey, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    small = cv2.medianBlur(small, 3)
    px_mm = dpi / 25.4 / f
    rmin, rmax = int(px_mm * SEAL_MM[0] / 2), int(px_mm * SEAL_MM[1] / 2)
    if rmin < 8 or min(small.shape) < 2 * rmin:
        return []
    found = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT, dp=1, minDist=2 * rmin, param1=120, param2=40,
                             minRadius=rmin, maxRadius=rmax)
    if found is None:
        return []
    paper = float(np.percentile(small, 90))
    out = []
    for cx, cy, r in found[0][:4]:
        if _ring_cover(small, cx, cy, r, int(paper) - 40) < RING_COVER:
            continue
        # the transform may lock on the inner ring: the outer one is the widest inked ring near it
        for rr in np.arange(r * 1.3, r, -1.0):
            if rr <= rmax * 1.1 and _ring_cover(small, cx, cy, rr, int(paper) - 40, width=1) >= 0.75:
                r = rr
                break
        X, Y, R = cx * f + (f - 1) / 2, cy * f + (f - 1) / 2, r * f
        lv = _levels(grey, X, Y, R)
        form = "grey" if lv and lv[0] - lv[1] >= GREY_GAP else "black"
        out.append(Seal(float(X), float(Y), float(R), form, lv))
    return out


def _disc(shape, cx: float, cy: float, r: float) -> tuple[slice, slice, np.ndarray]:
    h, w = shape
    x0, x1 = max(0, int(cx - r)), min(w, int(cx + r) + 1)
    y0, y1 = max(0, int(cy - r)), min(h, int(cy + r) + 1)
    yy, xx = np.ogrid[y0:y1, x0:x1]
    return slice(y0, y1), slice(x0, x1), np.hypot(xx - cx, yy - cy)


def _levels(grey: np.ndarray, cx: float, cy: float, r: float) -> tuple[float, float] | None:
    """(ring ink level, text ink level) of a seal: the median of the inked pixels on the outer ring
    band, and the darkest ink inside the disc."""
    sy, sx, dist = _disc(grey.shape, cx, cy, r * 1.04)
    region = grey[sy, sx]
    paper = float(np.percentile(region, 95))
    inked = region < paper - 40
    band = inked & (dist > r * 0.92) & (dist < r * 1.04)
    if band.sum() < 50 or inked.sum() < 100:
        return None
    return float(np.median(region[band])), float(np.percentile(region[inked], 2))


def remove_seals(grey: np.ndarray, dpi: int) -> tuple[np.ndarray, list[Seal]]:
    """Find the page's round seals and whiten them (see the module docstring)."""
    seals = find_seals(grey, dpi)
    for s in seals:
        if s.form == "grey":
            _remove_grey(grey, s)
        else:
            _remove_black(grey, s)
    return grey, seals


def _remove_grey(grey: np.ndarray, s: Seal) -> None:
    ring, text = s.levels
    cut = (ring + text) / 2
    # the signature is written across the seal and out of it: its ink, lighter than the text's
    # too on a grey scan of blue ink, goes as far as SIGNATURE_REACH radii from the centre
    sy, sx, dist = _disc(grey.shape, s.x, s.y, s.r * SIGNATURE_REACH)
    region = grey[sy, sx]
    # hysteresis: ink darker than the cut is text when its stroke reaches the text's own black
    # somewhere (a faded letter of a real scan is kept whole); the darker spots where the
    # signature crosses the seal's ring never do
    ink = (region <= cut).astype(np.uint8)
    core = region < text + (ring - text) * 0.3
    n, labels = cv2.connectedComponents(ink, connectivity=8)
    is_text = np.zeros(n, bool)
    is_text[np.unique(labels[core])] = True
    is_text[0] = False
    # a pixel around the kept strokes stays too: their anti-aliased edges
    keep = cv2.dilate(is_text[labels].astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    # set to the paper's own grey, so that no bright disc edge is left for the binariser
    outside = (dist > s.r * 1.02) & (dist < s.r * 1.2)
    paper = np.percentile(region[outside], 60) if outside.any() else 255
    region[(dist <= s.r * SIGNATURE_REACH) & ~keep] = max(int(paper), int(cut) + 1)


def _remove_black(grey: np.ndarray, s: Seal) -> None:
    """Black form: ink blobs wholly inside the seal that are not part of a text row go."""
    dark = 128
    sy, sx, dist = _disc(grey.shape, s.x, s.y, s.r * 1.08)
    region = grey[sy, sx]
    ink = (region < dark).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return
    far = np.zeros(n)
    np.maximum.at(far, labels.ravel(), np.broadcast_to(dist, labels.shape).ravel())
    inside = far <= s.r * 1.04
    text = _text_rows(stats, n) | ~inside
    text |= _marks_of(stats, text)
    drop = inside & ~text
    drop[0] = False
    region[drop[labels]] = 255


def _marks_of(stats: np.ndarray, text: np.ndarray) -> np.ndarray:
    """Small blobs just above or below a text blob, within its width: tone marks and dots
    (Vietnamese letters carry up to two marks, each its own blob)."""
    x, y, w, h = (stats[:, k].astype(float) for k in range(4))
    out = np.zeros(len(text), bool)
    rows = np.nonzero(text)[0]
    rows = rows[rows > 0]
    if not len(rows):
        return out
    for i in range(1, len(text)):
        if text[i] or h[i] > 0.6 * np.median(h[rows]) + 2:
            continue
        cx = x[i] + w[i] / 2
        near = (x[rows] - 2 <= cx) & (cx <= x[rows] + w[rows] + 2) & \
               (y[i] + h[i] >= y[rows] - 0.8 * h[rows]) & (y[i] <= y[rows] + h[rows] * 1.5)
        out[i] = bool(near.any())
    return out


def _text_rows(stats: np.ndarray, n: int, min_row: int = 3) -> np.ndarray:
    """Blobs that sit in a horizontal row of at least `min_row` letter-sized blobs (similar
    heights, most of their height shared, gaps under a letter's height): printed text. The seal's
    lettering follows the ring, so only a few of its letters ever line up."""
    x, y, w, h = (stats[:, k].astype(float) for k in range(4))
    idx = [i for i in range(1, n) if h[i] >= 6 and w[i] >= 2]
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    by_x = sorted(idx, key=lambda i: x[i])
    for k, i in enumerate(by_x):
        for j in by_x[k + 1:]:
            gap = x[j] - (x[i] + w[i])
            if gap > max(h[i], h[j]):
                if x[j] > x[i] + w[i] + 3 * max(h[i], h[j]):
                    break
                continue
            if not 0.5 <= h[i] / h[j] <= 2.0:
                continue
            overlap = min(y[i] + h[i], y[j] + h[j]) - max(y[i], y[j])
            if overlap >= 0.6 * min(h[i], h[j]):
                parent[find(i)] = find(j)
    size: dict[int, int] = {}
    for i in idx:
        size[find(i)] = size.get(find(i), 0) + 1
    out = np.zeros(n, bool)
    for i in idx:
        out[i] = size[find(i)] >= min_row
    return out
