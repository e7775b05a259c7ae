"""The OCR stage's faster code paths give what the plain ones gave (issue 12: the pipeline's OCR
within 1.10 x bare Tesseract). Each fast path is checked against a straightforward reference
written here; no timing is asserted."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scanlike as sl  # noqa: E402

from pipeline.text import layout  # noqa: E402
from pipeline.text import ocr as ocr_mod  # noqa: E402
from pipeline.text.preprocess import SKEW_POINTS, _binary_small, estimate_skew, prepare, rotate  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "samples"


@pytest.fixture(scope="module")
def pages() -> list[np.ndarray]:
    """Prepared pages: a header page, a last page (signature block), a skewed, noisy page."""
    r = sl.render((SAMPLES / "04_kh_76-kh-ubnd.txt").read_text(encoding="utf-8"))
    skewed = sl.degrade(r, seed=3, **sl.CONDITIONS["skew3"])
    return [prepare(r.pages[0], 300).image, prepare(r.pages[-1], 300).image,
            prepare(skewed.pages[0], skewed.dpi, deskew=False).image]


# -- references: the loops the vectorised layout code replaced --------------------------------------
def _ref_find_lines(ink):
    h, w = ink.shape
    on = ink.sum(axis=1) > max(2, int(w * 0.002))
    out, y = [], 0
    while y < h:
        if not on[y]:
            y += 1
            continue
        start = y
        while y < h and on[y]:
            y += 1
        if y - start >= 4:
            cols = np.nonzero(ink[start:y].sum(axis=0))[0]
            if len(cols):
                out.append((start, y, int(cols[0]), int(cols[-1])))
    return out


def _ref_gaps(ink, ln, min_gap):
    cols = ink[ln.top:ln.bottom].sum(axis=0) > 0
    gaps, x = [], ln.left
    while x <= ln.right:
        if cols[x]:
            x += 1
            continue
        s = x
        while x <= ln.right and not cols[x]:
            x += 1
        if x - s >= min_gap:
            gaps.append((s, x))
    return gaps


def _ref_band_split(ink, top, bottom, w):
    cols = ink[top:bottom].sum(axis=0)
    limit = max(1, int((bottom - top) * 0.004))
    best, x, hi = None, int(w * 0.25), int(w * 0.75)
    while x < hi:
        if cols[x] > limit:
            x += 1
            continue
        s = x
        while x < w and cols[x] <= limit:
            x += 1
        if best is None or x - s > best[1] - best[0]:
            best = (s, x)
    if best and best[1] - best[0] >= w * 0.02:
        return (best[0] + best[1]) // 2
    return None


def test_layout_lines_gaps_and_band_splits_match_the_plain_loops(pages):
    for grey in pages:
        ink = layout._ink(grey)
        w = ink.shape[1]
        lines = layout.find_lines(ink)
        assert [(ln.top, ln.bottom, ln.left, ln.right) for ln in lines] == _ref_find_lines(ink)
        for ln in lines:
            # `_column_split` keeps the central one of these gaps: compare through it, at both widths
            for gap_min in (0.035, 0.012):
                gaps = _ref_gaps(ink, ln, max(12, int(w * gap_min)))
                central = [(s, e) for s, e in gaps if w * 0.25 <= (s + e) / 2 <= w * 0.75]
                want = None
                if len(gaps) <= 2 and len(central) == 1:
                    s, e = central[0]
                    if s - ln.left >= w * 0.03 and ln.right - e >= w * 0.03:
                        want = (s, e)
                assert layout._column_split(ink, ln, w, side=0.03, gap_min=gap_min) == want
        for top in range(0, ink.shape[0] - 200, 150):
            assert layout._band_split(ink, top, top + 400, w) == _ref_band_split(ink, top, top + 400, w)


def _ref_skew(grey, max_angle=6.0):
    b, _ = _binary_small(grey, width=1000)
    ys, xs = np.nonzero(b)
    if len(ys) < 200:
        return 0.0
    if len(ys) > SKEW_POINTS:
        pick = np.random.default_rng(0).choice(len(ys), SKEW_POINTS, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64) - b.shape[1] / 2
    n_bins = b.shape[0] + b.shape[1]

    def score(a):
        t = np.deg2rad(a)
        proj = ys * np.cos(t) - xs * np.sin(t)
        hist = np.bincount((proj + b.shape[1]).astype(np.int64).clip(0, n_bins * 2 - 1), minlength=n_bins * 2)
        return float(np.square(np.diff(hist.astype(np.float64))).sum())

    best = max(np.arange(-max_angle, max_angle + 1e-9, 0.5), key=score)
    fine = max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1), key=score)
    return float(round(fine, 2))


def test_skew_angle_is_the_one_the_plain_projection_gives(pages):
    for grey in [*pages, rotate(pages[0], 1.7), rotate(pages[1], -3.2), np.full((800, 600), 255, np.uint8)]:
        assert estimate_skew(grey) == _ref_skew(grey)


@pytest.mark.ocr
def test_tesseract_reads_the_bmp_as_it_read_the_pgm(pages, tmp_path):
    """The image goes to Tesseract as a BMP file (`ocr.IMAGE_SUFFIX`): same pixels, same TSV as the
    PGM it used to be given, at a fraction of Tesseract's decoding time."""
    import cv2

    crop = np.ascontiguousarray(pages[0][:700])
    path = tmp_path / "p.pgm"
    cv2.imwrite(str(path), crop)
    from_pgm = subprocess.run(["tesseract", str(path), "stdout", "-l", "vie", "--oem", "1", "--psm", "4", "tsv"],
                              capture_output=True, text=True, env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    assert ocr_mod._run_tesseract(crop) == from_pgm.stdout


@pytest.mark.ocr
def test_a_timed_out_read_leaves_no_process_and_no_image_file(pages, monkeypatch):
    made = []

    class Recorded(ocr_mod._Tesseract):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(ocr_mod, "_Tesseract", Recorded)
    with pytest.raises(TimeoutError):
        ocr_mod._run_tesseract(pages[0], timeout=0.01)
    [tess] = made
    assert tess.proc.returncode is not None and not os.path.exists(tess.path)
