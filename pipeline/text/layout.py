"""Keep the two columns of a header or signature block apart before recognition.

An official page opens with a two-column header (issuer and Số on the left, Quốc hiệu and the
date on the right) and ends with a two-column block (Nơi nhận on the left, the signature on the
right). Read line by line across the page, as Tesseract does by default, they interleave:
"BỘ CÔNG AN CỘNG HOÀ XÃ HỘI…". This module finds text lines, marks the ones with a single wide
gap near the middle as two-column lines, groups them into bands, and re-composes the page so that
each band's left column comes first, then its right column, then the single-column text below.
One Tesseract call then reads the page in the order of the document.

Table rows (several wide gaps) are not split: a table is read row by row, and the body text
around it keeps its order.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass
class Line:
    top: int
    bottom: int
    left: int
    right: int
    split: int | None = None  # x of the column gap for a two-column line
    gap: tuple[int, int] | None = None  # the gap itself
    # which columns of the page hold ink on this line (`find_lines` computes it; the column-gap
    # tests reuse it rather than summing the line's pixels again)
    inked: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass
class Band:
    top: int
    bottom: int
    split: int | None  # None: one column


def _ink(grey: np.ndarray) -> np.ndarray:
    _, b = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    # a scanner's dark page edge is not text: blank 1.5% on each side
    h, w = b.shape
    mx, my = int(w * 0.015), int(h * 0.01)
    b[:, :mx] = 0
    b[:, w - mx:] = 0
    b[:my, :] = 0
    b[h - my:, :] = 0
    return b


def _sums(ink: np.ndarray, axis: int) -> np.ndarray:
    """Ink per column (axis 0) or per row (axis 1) of a 0/1 uint8 image. cv2.reduce: a numpy sum
    over a whole page widens every pixel to 64 bits first and costs several times more."""
    if ink.dtype != np.uint8 or ink.size == 0:
        return ink.sum(axis=axis)
    return cv2.reduce(ink, axis, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()


def _runs(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of True in a 1-D boolean array, ends exclusive."""
    d = np.diff(flags.astype(np.int8), prepend=0, append=0)
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def find_lines(ink: np.ndarray) -> list[Line]:
    """Text lines: runs of at least 4 rows holding more than a speck of ink, with the columns
    their ink spans."""
    h, w = ink.shape
    on = _sums(ink, 1) > max(2, int(w * 0.002))
    lines: list[Line] = []
    for start, end in zip(*_runs(on)):
        if end - start >= 4:  # a rule or a speck is not a line of text
            inked = _sums(ink[start:end], 0) > 0
            cols = np.flatnonzero(inked)
            if len(cols):
                lines.append(Line(int(start), int(end), int(cols[0]), int(cols[-1]), inked=inked))
    return lines


def _inked(ink: np.ndarray, line: Line) -> np.ndarray:
    if line.inked is None:
        line.inked = _sums(ink[line.top:line.bottom], 0) > 0
    return line.inked


def _column_split(ink: np.ndarray, line: Line, width: int, side: float = 0.08,
                  gap_min: float = 0.035) -> tuple[int, int] | None:
    """The single wide empty gap (start, end) centred between 25% and 75% of the width, if any."""
    cols = _inked(ink, line)
    min_gap = max(12, int(width * gap_min))
    starts, ends = _runs(~cols[line.left: line.right + 1])
    gaps = [(int(s) + line.left, int(e) + line.left) for s, e in zip(starts, ends) if e - s >= min_gap]
    central = [(s, e) for s, e in gaps if width * 0.25 <= (s + e) / 2 <= width * 0.75]
    if len(gaps) > 2 or len(central) != 1:  # none, or a table row
        return None
    s, e = central[0]
    # ink on both sides, each side a real column (not a page number)
    if s - line.left < width * side or line.right - e < width * side:
        return None
    return (s, e)


def bands(grey: np.ndarray) -> list[Band]:
    """Vertical bands of the page, each one or two columns, top to bottom."""
    ink = _ink(grey)
    h, w = ink.shape
    lines = find_lines(ink)
    if not lines:
        return [Band(0, h, None)]
    heights = sorted(ln.bottom - ln.top for ln in lines)
    lh = heights[len(heights) // 2]
    # specks and rules are not lines: they stay inside whichever band surrounds them
    lines = [ln for ln in lines if ln.bottom - ln.top >= 0.4 * lh and ln.right - ln.left >= w * 0.01] or lines
    for ln in lines:
        ln.gap = _column_split(ink, ln, w)
        ln.split = (ln.gap[0] + ln.gap[1]) // 2 if ln.gap else None
    out: list[Band] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.split is None:
            _append_single(out, ln)
            i += 1
            continue
        # a two-column band: two-column lines, one-sided lines, and lines whose ink leaves the
        # column gap clear (a seal's remains straddle the signature column, not the gap)
        split, j = ln.split, i + 1
        lo, hi = ln.gap  # the corridor every member leaves empty
        members = [ln]
        while j < len(lines):
            nxt = lines[j]
            close = nxt.top - members[-1].bottom < 3.5 * lh
            if not close:
                break
            gap = nxt.gap or _column_split(ink, nxt, w, side=0.03)  # later lines may be short on one side
            if gap is not None and min(hi, gap[1]) - max(lo, gap[0]) >= w * 0.01:
                nxt.gap = gap
                lo, hi = max(lo, gap[0]), min(hi, gap[1])
                split = (lo + hi) // 2
                members.append(nxt)
            elif nxt.split is None and nxt.top - members[-1].bottom < 1.2 * lh \
                    and (nxt.right < hi or nxt.left > lo or _gap_clear(ink, nxt, split, w)):
                members.append(nxt)  # only one column has a line here
            elif nxt.split is None and nxt.top - members[-1].bottom < 3 * lh \
                    and _centred_in_column(nxt, members, lo, hi, w):
                members.append(nxt)  # Số and V/v under the issuer, after the short rule
            else:
                break
            j += 1
        two = sum(1 for m in members if m.split is not None)
        if two >= 1 and len(members) >= 2:
            # lines just above whose narrower gap lies in the same corridor belong to the band
            # (a long issuer line beside the Quốc hiệu leaves only a narrow gap)
            k = i - 1
            while k >= 0 and out and out[-1].split is None and out[-1].bottom == lines[k].bottom \
                    and members[0].top - lines[k].bottom < 1.5 * lh:
                g = _column_split(ink, lines[k], w, side=0.03, gap_min=0.012)
                if g is None or min(hi, g[1]) - max(lo, g[0]) < w * 0.005:
                    break
                members.insert(0, lines[k])
                prev = out[-1]
                if prev.top >= lines[k].top:
                    out.pop()
                else:
                    prev.bottom = lines[k - 1].bottom if k > 0 else prev.top
                k -= 1
            top, bottom = members[0].top, members[-1].bottom
            out.append(Band(top, bottom, _band_split(ink, top, bottom, w) or split))
        else:
            for m in members:
                _append_single(out, m)
        i = j
    return _pad(out, h, lh)


def _centred_in_column(ln: Line, members: list[Line], lo: int, hi: int, w: int) -> bool:
    """A one-column line centred under the column it belongs to (not "Kính gửi:", which sits
    further right, nor a body line)."""
    if ln.right < hi:
        spans = [(m.left, min(m.right, lo)) for m in members if m.left < lo]
    elif ln.left > lo:
        spans = [(max(m.left, hi), m.right) for m in members if m.right > hi]
    else:
        return False
    if not spans:
        return False
    centre = sum((a + b) / 2 for a, b in spans) / len(spans)
    return abs((ln.left + ln.right) / 2 - centre) < w * 0.04


def _gap_clear(ink: np.ndarray, ln: Line, split: int, w: int) -> bool:
    half = max(6, int(w * 0.012))
    corridor = ink[ln.top:ln.bottom, max(0, split - half): split + half]
    return corridor.size > 0 and corridor.sum() <= 0.004 * corridor.size


def _band_split(ink: np.ndarray, top: int, bottom: int, w: int) -> int | None:
    """The middle of the widest empty vertical corridor of the whole band (25%–75% of the width)."""
    cols = _sums(ink[top:bottom], 0)
    limit = max(1, int((bottom - top) * 0.004))
    lo, hi = int(w * 0.25), int(w * 0.75)
    # empty runs that start between lo and hi (one under way at lo counts from lo) and may end
    # past hi; the first of the widest wins
    starts, ends = _runs(cols[lo:] <= limit)
    keep = starts < hi - lo
    if not keep.any():
        return None
    starts, ends = starts[keep] + lo, ends[keep] + lo
    k = int(np.argmax(ends - starts))
    if ends[k] - starts[k] >= w * 0.02:
        return int(starts[k] + ends[k]) // 2
    return None


def _append_single(out: list[Band], ln: Line) -> None:
    if out and out[-1].split is None:
        out[-1].bottom = ln.bottom
    else:
        out.append(Band(ln.top, ln.bottom, None))


def _pad(out: list[Band], h: int, lh: int) -> list[Band]:
    """Extend bands to the midpoints between them so that no ink is cut off and none is read twice
    (overlapping bands would hand Tesseract the same half line in two pieces)."""
    if not out:
        return out
    res = []
    for k, b in enumerate(out):
        top = 0 if k == 0 else (out[k - 1].bottom + b.top) // 2
        bottom = h if k == len(out) - 1 else (b.bottom + out[k + 1].top) // 2
        res.append(Band(top, max(bottom, top + 1), b.split))
    return res


def compose(grey: np.ndarray, parts: list[Band]) -> tuple[np.ndarray, list[tuple[int, int, int, int, int]]]:
    """The page re-laid out in reading order: each two-column band as its left column above its
    right column. Returns the image and, per placed region, (dst_top, src_top, src_left, src_right, height)."""
    h, w = grey.shape
    if all(b.split is None for b in parts):
        return grey, [(0, 0, 0, w, h)]
    pieces: list[np.ndarray] = []
    regions = []
    y = 0
    gap = np.full((24, w), 255, dtype=np.uint8)
    for b in parts:
        if b.split is None:
            crops = [(0, w)]
        else:
            crops = [(0, b.split), (b.split, w)]
        for left, right in crops:
            piece = np.full((b.bottom - b.top, w), 255, dtype=np.uint8)
            piece[:, left:right] = grey[b.top:b.bottom, left:right]
            pieces.append(piece)
            regions.append((y, b.top, left, right, b.bottom - b.top))
            y += piece.shape[0]
            pieces.append(gap)
            y += gap.shape[0]
    return np.vstack(pieces), regions
