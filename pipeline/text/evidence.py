"""Word boxes as evidence: each OCR'd word placed on the final text of its page.

Why: an auditor checks an extracted value on the scanned page, not on our text. The OCR stage
keeps Tesseract's words with their boxes (`text.ocr`); the page text then goes through repair and
normalisation, so a word's offsets are found again here, once the text is final, by walking the
page text in reading order. Entry point: `place_words(text, words, base)`.

Forms handled, one branch each:
- Form 1: the word stands as read (most words): found at or just after the cursor.
- Form 2: normalisation changed its characters (NFC, look-alike letters, tone placement): the word
  is normalised the same way first, then found.
- Form 3: repair rewrote it ("76/KH-UBNĐ" → "76/KH-UBND") or a handwritten field replaced it, or
  boilerplate removal dropped it: not found within the window → offsets None, box kept; the cursor
  does not move, so one lost word never shifts the words after it.
"""
from __future__ import annotations

from .clean import normalize_text

WINDOW = 160  # how far past the cursor a word may be (line joins, dropped noise between words)


def place_words(text: str, words: list | None, base: int = 0) -> list | None:
    """`words` [(text, x0, y0, x1, y1, conf)] → [(text, x0, y0, x1, y1, conf, start, end)] with the
    offsets (plus `base`, the page's start in the document) of each word in `text`, or None."""
    if not words:
        return words
    out = []
    cursor = 0
    for w in words:
        token = w[0]
        start = text.find(token, cursor, cursor + WINDOW + len(token))
        if start < 0:
            norm = normalize_text(token, strip_boilerplate=False)[0].strip()
            if norm and norm != token:
                start = text.find(norm, cursor, cursor + WINDOW + len(norm))
                token = norm
        if start < 0:
            out.append((*w[:6], None, None))
            continue
        end = start + len(token)
        out.append((*w[:6], base + start, base + end))
        cursor = end
    return out
