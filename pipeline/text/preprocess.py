"""Page image clean-up before OCR: coloured ink out, grey, upright, straight, enough pixels.

Why each step (measured on scan-like renders of the gold documents, see `make eval-ocr`):
  - red seals and blue signatures sit on the signer's title and name; Tesseract reads the mix as
    noise or drops the line, so saturated red/blue ink is whitened while dark (black) strokes under
    it are kept; on a grey or bitonal scan the seal has no colour left and is found by its shape
    (`seal`: rings of a seal's size) and taken out: on grey-scan renders of 47 gold documents
    the signer is read in 40, against 13 without (README; VANBAN_SEAL_SHAPE=0 turns it off);
  - skew of a few degrees breaks Tesseract's line finding (CER 34% → ~1% with deskew alone);
  - a half-resolution scan (150 dpi) is upsampled to ~300 dpi, where the `vie` model was trained;
  - a photocopy's grey background is stretched back to white.
Orientation (90°/180°) is not guessed here: it costs an extra Tesseract pass, so `ocr` asks for it
only when the first pass reads badly.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np

from . import seal

TARGET_DPI = 300
SEAL_BY_COLOUR = 0.002  # share of the page whitened as coloured ink above which the seal went by colour
SKEW_POINTS = 80000  # ink pixels sampled for the skew profile (fewer moved real scans' angles by 0.2°)


@dataclass
class Prepared:
    image: np.ndarray  # uint8 grey, upright and straight
    dpi: int
    skew: float  # degrees corrected
    scale: float  # resize factor applied
    ink_removed: float  # share of pixels whitened as coloured ink
    # the page as it came (RGB or grey, before the colour ink was whitened) and the 2x3 affine map
    # from its pixels to `image`'s: `crop_source` cuts a small region of the original colours in
    # the prepared geometry (handwritten numbers are often blue, and the grey page has lost them)
    source: np.ndarray | None = None
    matrix: np.ndarray | None = None

    def crop_source(self, box: tuple[int, int, int, int]) -> np.ndarray | None:
        """The region (x0, y0, x1, y1) of `image`, taken from the source in its colours: only the
        pixels of the box are computed (a warp of the crop, not of the page)."""
        if self.source is None or self.matrix is None:
            return None
        x0, y0, x1, y1 = (int(round(v)) for v in box)
        w, h = max(1, x1 - x0), max(1, y1 - y0)
        m = self.matrix.copy()
        m[0, 2] -= x0
        m[1, 2] -= y0
        white = (255, 255, 255) if self.source.ndim == 3 else 255
        return cv2.warpAffine(self.source, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=white)


def to_array(img) -> np.ndarray:
    """PIL image or array → RGB uint8 array."""
    if isinstance(img, np.ndarray):
        arr = img
    else:
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        arr = np.asarray(img)
    if arr.ndim == 2:
        return arr
    if arr.shape[2] == 4:
        arr = arr[:, :, :3]
    return arr


VIOLET_BELOW = 0.4  # the crossing of signature and seal is looked for below this share of the page


def _colour_mask(rgb: np.ndarray, violet: bool = False) -> np.ndarray:
    """Seal and signature ink: saturated, not dark, red or blue. `violet`: also the dark violet
    where a blue signature crosses a red seal (see `remove_colour_ink`)."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    red = (h <= 12) | (h >= 155)
    blue = (h >= 95) & (h <= 140)
    # saturated and not dark: black text under a seal shows through as dark red/black and stays
    bright = (s > 80) & (v > 110)
    mask = bright & (red | blue)
    if not violet:
        return mask
    # where a blue signature crosses a red seal the two inks make a dark violet: too dark for the
    # test above, but far from grey (black text under blue ink stays near black, no colour).
    # Chroma max − min = S·V/255. Only where both inks are near (the crossing).
    dark_violet = blue & (v > 60) & (s.astype(np.uint16) * v >= 40 * 255) & ~mask
    if dark_violet.any():
        red_ink, blue_ink = (bright & red).astype(np.uint8), (bright & blue).astype(np.uint8)
        if red_ink.any() and blue_ink.any():
            k = np.ones((9, 9), np.uint8)
            mask |= dark_violet & cv2.dilate(red_ink, k).astype(bool) & cv2.dilate(blue_ink, k).astype(bool)
    return mask


def remove_colour_ink(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """Whiten saturated red (seals, "ĐẾN" stamps) and blue/violet (signatures) pixels; dark strokes
    stay. Returns the grey image and the share of pixels changed.

    The colour test runs on a quarter-resolution view first and at full resolution only inside the
    boxes where colour was found: a seal covers a few percent of a page, and the full-page test
    would cost a fifth of the Tesseract time."""
    if rgb.ndim == 2:
        return rgb, 0.0
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = np.ascontiguousarray(rgb[::4, ::4])
    m_small = _colour_mask(small).astype(np.uint8)
    if not m_small.any():
        return grey, 0.0
    m_small = cv2.dilate(m_small, np.ones((5, 5), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(m_small, connectivity=8)
    changed = 0
    H, W = grey.shape
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if area < 4:
            continue
        x0, y0 = max(0, x * 4 - 8), max(0, y * 4 - 8)
        x1, y1 = min(W, (x + w) * 4 + 8), min(H, (y + h) * 4 + 8)
        # the dark violet of a signature across a seal, only at the signature (lower on the page):
        # the blue ballpoint of a handwritten number next to a red receipt stamp at the top has
        # the same dark violet strokes, and those are what Tesseract reads the number from
        mask = _colour_mask(rgb[y0:y1, x0:x1], violet=(y0 + y1) / 2 > VIOLET_BELOW * H)
        if mask.any():
            region = grey[y0:y1, x0:x1]
            region[mask] = 255
            changed += int(mask.sum())
    return grey, changed / grey.size


def _binary_small(grey: np.ndarray, width: int = 800) -> tuple[np.ndarray, float]:
    f = width / grey.shape[1]
    small = cv2.resize(grey, (width, max(1, int(grey.shape[0] * f))), interpolation=cv2.INTER_AREA)
    _, b = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return b, f


def estimate_skew(grey: np.ndarray, max_angle: float = 6.0) -> float:
    """Skew angle in degrees by projection profiles: the angle at which text rows are sharpest.

    The profile is computed from the ink pixels' coordinates (a histogram of y·cos − x·sin), not by
    rotating images: ~30 candidate angles cost a few milliseconds."""
    b, _ = _binary_small(grey, width=1000)
    # the ink pixels (x, y) in row-major order, the order of np.nonzero (the sample below depends
    # on it) at a fifth of its cost
    pts = cv2.findNonZero(b)
    pts = np.zeros((0, 2), np.int32) if pts is None else pts.reshape(-1, 2)
    if len(pts) < 200:  # blank page
        return 0.0
    if len(pts) > SKEW_POINTS:
        pts = pts[np.random.default_rng(0).choice(len(pts), SKEW_POINTS, replace=False)]
    ys = pts[:, 1].astype(np.float64)
    xs = pts[:, 0].astype(np.float64) - b.shape[1] / 2
    n_bins = b.shape[0] + b.shape[1]
    proj = np.empty_like(ys)
    tmp = np.empty_like(ys)

    def score(a: float) -> float:
        # the row profile's sharpness: the sum of squared differences of neighbouring bins; the
        # counts are integers, so the sum is exact in float64 whatever the order of the additions
        t = np.deg2rad(a)
        np.multiply(ys, np.cos(t), out=proj)
        np.multiply(xs, np.sin(t), out=tmp)
        np.subtract(proj, tmp, out=proj)
        np.add(proj, b.shape[1], out=proj)
        hist = np.bincount(proj.astype(np.int64).clip(0, n_bins * 2 - 1), minlength=n_bins * 2)
        d = np.diff(hist)
        return float(np.dot(d, d))

    best = max(np.arange(-max_angle, max_angle + 1e-9, 0.5), key=score)
    fine = max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1), key=score)
    # image y grows downwards: a page turned counter-clockwise by `a` is corrected by rotating by -a
    return float(round(fine, 2))


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return grey
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def rotate90(grey: np.ndarray, quarter_turns: int) -> np.ndarray:
    """Counter-clockwise quarter turns (as Tesseract's OSD reports them, fixed by turning back)."""
    k = quarter_turns % 4
    return np.ascontiguousarray(np.rot90(grey, k)) if k else grey


def stretch_contrast(grey: np.ndarray) -> np.ndarray:
    """Photocopies: a grey background (90th percentile well below white) is pushed back to white."""
    hi, lo = (float(v) for v in np.percentile(grey[::4, ::4], [90, 1]))  # one partition, not two
    if hi >= 215 or hi - lo < 40:
        return grey
    out = (grey.astype(np.float32) - lo) * (255.0 / max(1.0, hi - lo))
    return np.clip(out, 0, 255).astype(np.uint8)


def prepare(img, dpi: int | None = None, deskew: bool = True, drop_colour: bool = True) -> Prepared:
    rgb = to_array(img)
    if drop_colour:
        grey, share = remove_colour_ink(rgb)
    else:
        grey, share = (rgb if rgb.ndim == 2 else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)), 0.0
    dpi = dpi or _guess_dpi(grey)
    scale = 1.0
    if dpi < 250:
        scale = TARGET_DPI / dpi
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        dpi = TARGET_DPI
    grey = stretch_contrast(grey)
    if share < SEAL_BY_COLOUR and os.environ.get("VANBAN_SEAL_SHAPE", "1") != "0":
        # no coloured seal came off: a grey or bitonal seal is looked for by its shape
        grey, _seals = seal.remove_seals(grey, dpi)
    angle = estimate_skew(grey) if deskew else 0.0
    grey = rotate(grey, angle)
    # source pixels → prepared pixels: the resize, then the rotation about the resized page's centre
    off = (scale - 1.0) / 2  # cv2.resize maps pixel centres: x' = s·x + (s − 1)/2
    matrix = np.array([[scale, 0.0, off], [0.0, scale, off]])
    if abs(angle) >= 0.05:
        h, w = grey.shape
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        matrix = rot @ np.vstack([matrix, [0.0, 0.0, 1.0]])
    return Prepared(grey, dpi, angle, scale, share, source=rgb, matrix=matrix)


def _guess_dpi(grey: np.ndarray) -> int:
    """An image without DPI metadata: assume an A4 page fills it (short side 210 mm)."""
    short = min(grey.shape[:2])
    return max(72, int(round(short / (210 / 25.4))))
