"""Scan-like page images and image-only PDFs of Vietnamese official documents, made at test time.

The plain text of a document (as the files in ``corpus/samples`` have it) is split into the parts of
the Nghị định 30/2020/NĐ-CP layout and rendered onto A4 pages:

* a two-column header: left, centred, the issuing body (last line bold), a short rule, ``Số: …`` and,
  for a công văn, the ``V/v …`` subject; right, centred, the quốc hiệu and motto (bold), a rule and
  the place/date line (italic);
* the centred bold document type and subject, a short rule;
* the body: justified paragraphs with a first-line indent, wrapped to the text width, continued on
  further pages (page numbers at the top from page 2);
* a closing two-column block: ``Nơi nhận:`` (bold italic) and its ``- …;`` lines (small) on the left,
  the signature block centred on the right (authority lines bold, space to sign, signer's name bold).

``render`` makes a clean render; ``degrade`` adds what a scanner, a copier and a signing office do
(skew, blur, noise, JPEG, lower resolution, 90° turns, a red seal, blue signature ink, photocopy
grey); ``to_pdf`` writes an image-only PDF and ``save_images`` PNG/JPEG/TIFF files. ``CONDITIONS``
names the presets of the OCR evaluation. Everything is deterministic for a given seed, and nothing
binary is committed: the pages are made from the text when a test asks for them.

``Rendered.reference`` holds, per page, the text drawn on it in reading order (left header column,
right header column, title, body …; on the last page the ``Nơi nhận`` column, then the signature
column), one rendered line per line, which is what an OCR result is scored against.

Only numpy, OpenCV and Pillow are used. Fonts: DejaVu Serif (regular, bold, italic, bold italic, and
its condensed cut for header lines that would not fit) from /usr/share/fonts/truetype/dejavu, else a
font family with Vietnamese coverage found through ``fc-list :lang=vi``.

Command line (writes page images, a PDF and the reference text)::

    python tests/scanlike.py corpus/samples/04_kh_76-kh-ubnd.txt /tmp/kh76 --condition heavy --pdf
"""
from __future__ import annotations

import io
import math
import re
import subprocess
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Sequence, Union

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "Rendered", "DocumentParts", "FontNotFoundError", "CONDITIONS",
    "render", "degrade", "to_pdf", "save_images", "split_document", "a4_size",
]

Box = tuple[int, int, int, int]
Range = Union[float, tuple[float, float]]


# ------------------------------------------------------------------------------------------------
# Public data types
# ------------------------------------------------------------------------------------------------

@dataclass
class Rendered:
    """Rendered pages and the text drawn on them.

    pages:     RGB page images.
    reference: per page, the text drawn on it in reading order (left header column, right header
               column, title, body …; last page: Nơi nhận column, then signature column), rendered
               lines joined with "\\n"; pages after the first begin with their page number.
               Rules, the seal and the signature ink are not text and are not in it.
    dpi:       resolution of the images (A4 = 210 × 297 mm at this dpi).
    regions:   optional layout metadata, per page: region name → (x0, y0, x1, y1) in pixels. Names:
               header_left, header_right, title, body, recipients, signature, signature_titles,
               signature_name, page_number. ``degrade`` keeps them in step with its geometric
               changes and uses them to place the seal and the signature ink.
    issuer:    the issuing body (header issuer lines joined), written around the seal.
    """

    pages: list[Image.Image]
    reference: list[str]
    dpi: int
    regions: list[dict[str, Box]] = field(default_factory=list)
    issuer: str = ""


@dataclass
class DocumentParts:
    """A document's text split into the parts of the Nghị định 30 layout (see ``split_document``).

    Lines are NFC, stripped, with inner whitespace kept as it was (the renderer collapses it).
    ``body`` keeps blank lines ("") as paragraph breaks.
    """

    issuer: list[str] = field(default_factory=list)       # left header: issuing body lines ("*" kept)
    number: list[str] = field(default_factory=list)       # left header: "Số: …"
    vv: list[str] = field(default_factory=list)           # left header: "V/v …" and its continuation
    national: list[str] = field(default_factory=list)     # right header: quốc hiệu, motto (or Party line)
    place_date: list[str] = field(default_factory=list)   # right header: "Quảng Ngãi, ngày …"
    title: list[str] = field(default_factory=list)        # document type ("KẾ HOẠCH")
    subject: list[str] = field(default_factory=list)      # subject lines under the type
    body: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)   # "Nơi nhận:" and its "- …;" lines
    signature: list[str] = field(default_factory=list)    # authority lines (TM./KT./… , titles)
    signer: list[str] = field(default_factory=list)       # the signer's name (0 or 1 line)
    trailing: list[str] = field(default_factory=list)     # anything after the signer's name

    @property
    def has_header(self) -> bool:
        return bool(self.issuer or self.number or self.vv or self.national or self.place_date)

    @property
    def header_left(self) -> list[str]:
        return self.issuer + self.number + self.vv

    @property
    def header_right(self) -> list[str]:
        return self.national + self.place_date


class FontNotFoundError(RuntimeError):
    """No TrueType font with Vietnamese coverage is installed."""


# ------------------------------------------------------------------------------------------------
# Text normalisation and line classification
# ------------------------------------------------------------------------------------------------

_SPACE_CHARS = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_SPACE_TABLE = {ord(c): " " for c in _SPACE_CHARS}
_WS_RUN = re.compile(r"\s+")


def _normalise(text: str) -> list[str]:
    """NFC, unified newlines, no control or format characters (tabs kept); returns the lines."""
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFC", text).translate(_SPACE_TABLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        out.append(ch)
    return "".join(out).split("\n")


def _collapse(s: str) -> str:
    return _WS_RUN.sub(" ", s).strip()


_RE_QH = re.compile(r"C[ỘO]NG\s+H(?:[ÒO]A|OÀ)\s+X[ÃA]\s+H[ỘO]I\s+CH[ỦU]\s+NGH[ĨI]A(?:\s+VI[ỆE]T(?:\s+NAM)?)?",
                    re.IGNORECASE)
_RE_PARTY = re.compile(r"ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM")
_RE_MOTTO = re.compile(r"Độc\s+lập\s*[-–—]\s*Tự\s+do\s*[-–—]\s*Hạnh\s+phúc", re.IGNORECASE)
_RE_SO_COLON = re.compile(r"Số\s*:")
_RE_VV = re.compile(r"V/[vV](?=\s|$|[.:])")
_RE_KG = re.compile(r"Kính\s+gửi\b\s*:?")
_RE_NOINHAN = re.compile(r"N[ơo]i\s+nh[ậa]n\s*(?::|$|(?=\s+[-–+]\s))", re.IGNORECASE)
_RE_RULE_RUN = re.compile(r"[-_=~]{4,}|\*{3,}")
_RE_RULE_LINE = re.compile(r"^[-_=~*.·•–—\s]+$")
_RE_ITEM = re.compile(r"^[-–+•]\s*\S")
_RE_ITEM_SPLIT = re.compile(r"\s+(?=[-–+•]\s+\S)")
_RE_NUMBERED = re.compile(r"^(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s", re.IGNORECASE)
_RE_HEADING = re.compile(r"^(?:[IVXLC]+\.\s|Điều\s+\d+|Chương\s+[IVXLC\d]+|Mục\s+[IVXLC\d]+|Phần\s+thứ\b)")
_RE_BODY_START = re.compile(r"^(?:Căn\s+cứ|Thực\s+hiện|Theo|Xét|Kính\s+gửi|Trên\s+cơ\s+sở|Nhằm|Ngày\s+\d)")
_RE_AUTH = re.compile(r"^(?:T/M|T\.M\.?|TM\.|KT\.|K/T|TL\.|T/L|TUQ\.|Q\.)\s*")
_ROLE = (r"(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|GIÁM\s+ĐỐC|TỔNG\s+GIÁM\s+ĐỐC|CHÁNH\s+VĂN\s+PHÒNG|CHÁNH\s+THANH\s+TRA|"
         r"CHÁNH\s+ÁN|BÍ\s+THƯ(?:\s+THƯỜNG\s+TRỰC)?|BỘ\s+TRƯỞNG|THỨ\s+TRƯỞNG|THỦ\s+TƯỚNG|CỤC\s+TRƯỞNG|"
         r"VỤ\s+TRƯỞNG|VIỆN\s+TRƯỞNG|HIỆU\s+TRƯỞNG|TỔNG\s+CỤC\s+TRƯỞNG|CHỦ\s+NHIỆM|TRƯỞNG\s+BAN|"
         r"TRƯỞNG\s+PHÒNG|TRƯỞNG\s+ĐOÀN|TỔ\s+TRƯỞNG|THỦ\s+TRƯỞNG|KẾ\s+TOÁN\s+TRƯỞNG|TRƯỞNG|"
         r"GIÁM\s+ĐỐC\s+SỞ)")
_RE_ROLE_START = re.compile(r"^" + _ROLE + r"\b")
_RE_ROLE_ANY = re.compile(r"(?<!\S)" + _ROLE + r"(?=\s|$)")
_RE_AUTH_ANY = re.compile(r"(?<!\S)(?:T/M|TM\.|KT\.|TL\.|TUQ\.|Q\.)(?=\s|\S)")

_HEADER_ANCHORS = ("qh", "motto", "date", "so", "vv")


def _letters(s: str) -> list[str]:
    return [c for c in s if c.isalpha()]


def _is_upper(s: str) -> bool:
    letters = _letters(s)
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


_RE_RANK = re.compile(r"^(?:(?:Thiếu|Trung|Thượng|Đại)\s+(?:tướng|tá|úy)|(?:GS|PGS|TS|ThS|BS|KS|CN|Ls)\.(?:\s?(?:TS|ThS|BS)\.)?)\s+")


def _is_name(s: str) -> bool:
    s = _RE_RANK.sub("", s.strip(), count=1)
    toks = s.split()
    if not 2 <= len(toks) <= 6:
        return False
    return all(t.isalpha() and t[0].isupper() and (len(t) == 1 or t[1:].islower()) for t in toks)


def _date_start(s: str) -> int | None:
    """Start of a "<Place>, ngày …" anchor in s (the place: 1–5 capitalised words), else None."""
    for m in re.finditer(r",\s*ngày\b", s):
        head = s[:m.start()]
        toks = list(re.finditer(r"\S+", head))
        start = None
        for tok in reversed(toks[-5:]):
            w = tok.group()
            if w[0].isupper() or (w[0] in "(" and len(w) > 1 and w[1].isupper()):
                start = tok.start()
            else:
                break
        if start is not None:
            return start
    return None


def _is_date_line(s: str) -> bool:
    return len(s) <= 90 and _date_start(s) == 0 and bool(re.search(r"\b(?:tháng|năm)\b", s))


def _is_so_line(s: str) -> bool:
    if not s.startswith("Số") or len(s) > 80:
        return False
    m = re.match(r"Số\s*[:.]?\s*", s)
    rest = s[m.end():] if m else ""
    if not m or (m.end() == 2 and s[2:3] not in ("", " ", ":")):
        return False
    return bool(re.search(r"[/\d]", rest[:40])) or rest.strip() == ""


def _kind(s: str) -> str:
    """Classify one stripped header/closing segment."""
    if not s:
        return "blank"
    if s == "*":
        return "star"
    if _RE_RULE_LINE.match(s) and len(re.findall(r"[-_=~*–—]", s)) >= 3:
        return "rule"
    if _RE_QH.match(s) or _RE_PARTY.match(s):
        return "qh"
    if _RE_MOTTO.match(s):
        return "motto"
    if _RE_VV.match(s):
        return "vv"
    if _RE_KG.match(s):
        return "kinhgui"
    if _RE_NOINHAN.match(s):
        return "noinhan"
    if _is_so_line(s):
        return "so"
    if _is_date_line(s):
        return "date"
    if _RE_ITEM.match(s):
        return "item"
    if _is_upper(s) and len(s) <= 90:
        return "upper"
    return "other"


_CELL_GAP = re.compile(r"\t+|[ ]{4,}|\s*\|\s*")


def _cells(line: str) -> list[str]:
    """Split a line of side-by-side columns (tabs, runs of spaces, table bars) into cells.

    A gap only separates cells when what follows it starts like a new unit (a capital letter or a
    list dash), so that "Số:      /BC-UBND" and "ngày      tháng 3" stay whole.
    """
    pieces = [p for p in _CELL_GAP.split(line)]
    cells: list[str] = []
    for p in pieces:
        p = p.strip()
        if not p:
            continue
        if cells and not (p[0].isupper() or p[0] in "-–+•*"):
            cells[-1] = cells[-1] + " " + p
        else:
            cells.append(p)
    return cells


def _split_anchors(cell: str) -> list[str]:
    """Split a flattened header cell before the anchors it contains (quốc hiệu, motto, Số:, V/v,
    place/date, Kính gửi) and at rule runs; list items after "Kính gửi:" go on their own lines."""
    cuts = {0}
    for rx in (_RE_QH, _RE_PARTY, _RE_MOTTO, _RE_SO_COLON, _RE_VV, _RE_KG):
        for m in rx.finditer(cell):
            if m.start() > 0 and (rx is not _RE_QH or cell[m.start():m.start() + 4].isupper()):
                cuts.add(m.start())
    d = _date_start(cell)
    if d:
        cuts.add(d)
    rules = [(m.start(), m.end()) for m in _RE_RULE_RUN.finditer(cell)]
    for a, b in rules:
        cuts.add(a)
        cuts.add(b)
    bounds = sorted(c for c in cuts if 0 <= c <= len(cell)) + [len(cell)]
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:]):
        piece = cell[a:b].strip()
        if not piece:
            continue
        if any(a <= ra and rb <= b and piece == cell[ra:rb] for ra, rb in rules):
            out.append("-----")
            continue
        if _RE_KG.match(piece):
            out.extend(x for x in _split_kinhgui(piece) if x)
        else:
            out.append(piece)
    return out


def _split_kinhgui(piece: str) -> list[str]:
    m = _RE_KG.match(piece)
    head, rest = piece[:m.end()].strip(), piece[m.end():].strip()
    if rest and _RE_ITEM.match(rest):
        return [head] + [p.strip() for p in _RE_ITEM_SPLIT.split(rest)]
    return [piece]


# ------------------------------------------------------------------------------------------------
# The splitter
# ------------------------------------------------------------------------------------------------

def split_document(text: str) -> DocumentParts:
    """Split the plain text of an official document into header, title, body and closing parts.

    Copes with the header lines in any order (issuer before or after the quốc hiệu, Số before or
    after the motto), side-by-side header rows (tabs, runs of spaces, ``|``), flattened web-copy
    headers on one line, a ``V/v`` subject under the Số line, ``Kính gửi`` inside the header zone,
    and closing blocks whose ``Nơi nhận`` and signature columns share lines. With no recognisable
    header, everything is body. Never raises on any str.
    """
    lines = _normalise(text)
    parts = DocumentParts()
    rest = _split_header(lines, parts)
    if rest is None:
        parts.body = _trim_blank([ln.strip() for ln in lines])
        return parts
    rest = _split_title(rest, parts)
    body = _split_closing(rest, parts)
    parts.body = _trim_blank(body)
    return parts


def _trim_blank(lines: list[str]) -> list[str]:
    out: list[str] = []
    for ln in lines:
        if not ln and (not out or not out[-1]):
            continue
        out.append(ln)
    while out and not out[-1]:
        out.pop()
    return out


def _split_header(lines: list[str], parts: DocumentParts) -> list[str] | None:
    """Fill the header fields; return the remaining lines (pending body lines first), or None."""
    segs: list[tuple[str, int]] = []
    nonblank = 0
    for i, raw in enumerate(lines[:40]):
        if not raw.strip():
            segs.append(("", i))
            continue
        nonblank += 1
        if nonblank > 30:
            break
        for cell in _cells(raw):
            for piece in _split_anchors(cell):
                segs.append((piece, i))

    kinds = [_kind(t) for t, _ in segs]
    last = -1
    have: set[str] = set()
    run = 0
    in_vv = False
    vv_cont: set[int] = set()
    seen = 0
    for j, (t, _) in enumerate(segs):
        k = kinds[j]
        if k == "blank":
            in_vv = False
            continue
        seen += 1
        if seen > 30:
            break
        if k in _HEADER_ANCHORS:
            last = j
            have.add(k)
            run = 0
            in_vv = k == "vv"
            continue
        if in_vv and k in ("other", "upper") and len(t) <= 100 and len([c for c in vv_cont if c > j - 4]) < 3:
            vv_cont.add(j)
            last = j
            continue
        in_vv = False
        if k in ("rule", "star"):
            continue
        if len(t) > 150:
            break
        complete = {"so", "date"} <= have and bool({"qh", "motto"} & have)
        if complete:
            break
        run += 1
        if run > 4:
            break

    if last < 0 or not ({"qh", "motto"} & have or {"so", "date"} <= have):
        return None

    pending: list[str] = []
    in_kg = False
    for j in range(last + 1):
        t, k = segs[j][0], kinds[j]
        if k == "blank":
            continue
        if j in vv_cont:
            parts.vv.append(t)
            continue
        if k == "kinhgui":
            in_kg = True
            pending.append(t)
            continue
        if k in _HEADER_ANCHORS or k == "rule":
            in_kg = False
        if k == "qh" or k == "motto":
            parts.national.append(t)
        elif k == "date":
            parts.place_date.append(t)
        elif k == "so":
            parts.number.append(t)
        elif k == "vv":
            parts.vv.append(t)
        elif k == "rule":
            continue
        elif in_kg or k == "item":
            pending.append(t)
        elif k in ("upper", "star") and not parts.number:
            parts.issuer.append(t)
        elif k == "other" and not parts.number and len(t) <= 60:
            parts.issuer.append(t)
        else:
            pending.append(t)
    # Canonical order on the right: quốc hiệu before motto.
    parts.national.sort(key=lambda s: 0 if (_RE_QH.match(s) or _RE_PARTY.match(s)) else 1)

    raw_last = segs[last][1]
    leftover = [t for j, (t, i) in enumerate(segs) if j > last and i == raw_last and t != "-----"]
    return pending + leftover + lines[raw_last + 1:]


def _is_title_line(s: str) -> bool:
    return (_is_upper(s) and 2 <= len(s) <= 60 and not re.search(r"\d", s)
            and not _RE_NUMBERED.match(s) and not _RE_AUTH.match(s) and _kind(s) == "upper")


def _is_subject_line(s: str) -> bool:
    return (0 < len(s) <= 300 and not _is_upper(s) and not _RE_BODY_START.match(s)
            and not _RE_NUMBERED.match(s) and not _RE_ITEM.match(s) and _kind(s) in ("other", "vv"))


def _split_title(lines: list[str], parts: DocumentParts) -> list[str]:
    stripped = [ln.strip() for ln in lines]
    i = 0
    while i < len(stripped) and not stripped[i]:
        i += 1
    if i >= len(stripped) or not _is_title_line(_collapse(stripped[i])):
        return stripped[i:]
    parts.title.append(stripped[i])
    i += 1
    # One blank line may separate the type from a subject that stands alone before the body.
    if (i + 1 < len(stripped) and not stripped[i] and _is_subject_line(stripped[i + 1])
            and (i + 2 >= len(stripped) or not stripped[i + 2])):
        i += 1
    while i < len(stripped) and len(parts.subject) < 4 and stripped[i] and _is_subject_line(_collapse(stripped[i])):
        parts.subject.append(stripped[i])
        i += 1
    if i < len(stripped) and _kind(_collapse(stripped[i])) == "rule":
        i += 1
    return stripped[i:]


def _split_flat_signature(s: str) -> list[str]:
    """"TUQ. CHỦ TỊCH GIÁM ĐỐC SỞ Y TẾ Lê Văn Thạnh" → authority lines and the name."""
    toks = s.split()
    name: list[str] = []
    k = len(toks)
    while k > 0 and len(name) < 6 and _is_name(" ".join(toks[k - 1:k] + ["Xx"])):
        k -= 1
        name.insert(0, toks[k])
    if len(name) < 2 or k == 0 or not _is_upper(" ".join(toks[:k])):
        name, k = [], len(toks)
    head = " ".join(toks[:k])
    out: list[str] = []
    if head:
        cuts = sorted({m.start() for m in _RE_AUTH_ANY.finditer(head)} | {0})
        chunks = [head[a:b].strip() for a, b in zip(cuts, cuts[1:] + [len(head)])]
        for ch in chunks:
            if not ch:
                continue
            roles = [m.start() for m in _RE_ROLE_ANY.finditer(ch)]
            first_ok = 1 if not ch.startswith(("TM.", "T/M")) else 0
            splits = roles[first_ok:] if len(roles) > first_ok else []
            bounds = [0] + [r for r in splits if r > 0] + [len(ch)]
            out.extend(ch[a:b].strip() for a, b in zip(bounds, bounds[1:]) if ch[a:b].strip())
    if name:
        out.append(" ".join(name))
    return out


def _is_authority(s: str) -> bool:
    return bool(_RE_AUTH.match(s)) or (_is_upper(s) and len(s) <= 60 and bool(_RE_ROLE_START.match(s)))


def _signature_from(cands: list[str], parts: DocumentParts) -> list[str]:
    """Pick the signature block out of candidate lines; return the lines before it."""
    flat: list[str] = []
    for c in cands:
        c = c.strip()
        if not c:
            continue
        if len(c) >= 12 and (len(_RE_AUTH_ANY.findall(c)) + len(_RE_ROLE_ANY.findall(c)) >= 2 or
                            (_RE_AUTH.match(c) and not _is_upper(c))):
            flat.extend(_split_flat_signature(c))
        else:
            flat.append(c)
    # The signature starts at the last run of authority lines that precedes a name (or the end).
    auth_idx = [i for i, s in enumerate(flat) if _is_authority(s)]
    if not auth_idx:
        return flat
    name_idx = None
    for i in range(auth_idx[0] + 1, len(flat)):
        if _is_name(flat[i]):
            name_idx = i
            break
    anchor = max((i for i in auth_idx if name_idx is None or i < name_idx), default=auth_idx[0])
    start = anchor
    while start > 0 and start - 1 >= anchor - 5 and _is_upper(flat[start - 1]) and len(flat[start - 1]) <= 60 \
            and not _RE_ITEM.match(flat[start - 1]):
        start -= 1
    end = name_idx if name_idx is not None else anchor
    if name_idx is None:
        while end + 1 < len(flat) and end + 1 <= anchor + 4 and _is_upper(flat[end + 1]) and len(flat[end + 1]) <= 60:
            end += 1
        parts.signature = flat[start:end + 1]
    else:
        parts.signature = [s for s in flat[start:name_idx] if s]
        parts.signer = [flat[name_idx]]
    parts.trailing = flat[end + 1:]
    return flat[:start]


def _split_closing(lines: list[str], parts: DocumentParts) -> list[str]:
    """Take the Nơi nhận list and the signature block off the end; return the body lines."""
    idx = None
    for i in range(len(lines) - 1, -1, -1):
        s = lines[i].strip()
        if _RE_NOINHAN.match(s) and len(_collapse(s)) <= 400:
            idx = i
            break
    if idx is None:
        # No Nơi nhận: a signature block among the last lines.
        tail_start = len(lines)
        count = 0
        while tail_start > 0 and count < 10:
            tail_start -= 1
            if lines[tail_start].strip():
                count += 1
        tail = [ln.strip() for ln in lines[tail_start:]]
        if any(_is_authority(_collapse(c)) for cell in tail for c in _cells(cell)) or \
                any(len(_RE_AUTH_ANY.findall(t)) + len(_RE_ROLE_ANY.findall(t)) >= 2 and _RE_AUTH.match(t) for t in tail):
            cands = [c for ln in tail for c in (_cells(ln) or [""])]
            probe = DocumentParts()
            before = _signature_from(cands, probe)
            near_end = len(probe.trailing) <= 2 and all(len(t) <= 200 for t in probe.trailing)
            if (probe.signature or probe.signer) and near_end:
                parts.signature, parts.signer, parts.trailing = probe.signature, probe.signer, probe.trailing
                return [ln.strip() for ln in lines[:tail_start]] + before
        return [ln.strip() for ln in lines]

    body = [ln.strip() for ln in lines[:idx]]
    right: list[str] = []      # signature-side cells met while the list runs (side-by-side rows)
    after: list[str] = []      # cells after the list, up to the signer's name
    tail_raw: list[str] = []   # raw lines after that (appendices, portal footers)
    in_list = True
    seen_name = False
    scanned = 0
    for n, raw in enumerate(lines[idx:]):
        if not raw.strip():
            if in_list and parts.recipients:
                in_list = len(parts.recipients) < 2  # a blank line ends a started list
            continue
        if not in_list:
            scanned += 1
            if seen_name or scanned > 12:
                tail_raw = [ln.strip() for ln in lines[idx + n:]]
                break
        for c_i, cell in enumerate(_cells(raw)):
            if in_list and not parts.recipients and c_i == 0 and _RE_NOINHAN.match(cell):
                m = _RE_NOINHAN.match(cell)
                parts.recipients.append(cell[:m.end()].strip())
                rest = cell[m.end():].strip()
                if rest:
                    parts.recipients.extend(p.strip() for p in _RE_ITEM_SPLIT.split(rest) if p.strip())
                continue
            if in_list and (_RE_ITEM.match(cell) or (c_i == 0 and cell[0].islower() and parts.recipients)):
                if _RE_ITEM.match(cell):
                    parts.recipients.extend(p.strip() for p in _RE_ITEM_SPLIT.split(cell) if p.strip())
                else:
                    parts.recipients.append(cell)
                continue
            if in_list and c_i == 0:
                in_list = False
            (right if in_list else after).append(cell)
            if _ends_with_name(cell):
                seen_name = True
    cands = right + after
    before = _signature_from(cands, parts) if cands else []
    if not (parts.signature or parts.signer):
        # The signature may stand before Nơi nhận (some exports put it first).
        k = len(body)
        back = []
        while k > 0 and len(back) < 6:
            k -= 1
            if body[k]:
                back.insert(0, body[k])
        probe = DocumentParts()
        pre = _signature_from(back, probe)
        if probe.signature and probe.signer and not probe.trailing:
            parts.signature, parts.signer = probe.signature, probe.signer
            body = body[:k] + pre
        parts.trailing = _trim_blank([c for c in cands if c.strip()] + tail_raw)
        return body
    parts.trailing = _trim_blank(parts.trailing + tail_raw)
    return body + before


def _ends_with_name(cell: str) -> bool:
    if _is_name(cell):
        return True
    if len(cell) > 120 or not _is_upper(cell.split()[0] if cell.split() else ""):
        return False
    flat = _split_flat_signature(cell)
    return len(flat) > 1 and _is_name(flat[-1])


# ------------------------------------------------------------------------------------------------
# Fonts
# ------------------------------------------------------------------------------------------------

_DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_DEJAVU = {
    False: {"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf",
            "italic": "DejaVuSerif-Italic.ttf", "bolditalic": "DejaVuSerif-BoldItalic.ttf"},
    True: {"regular": "DejaVuSerifCondensed.ttf", "bold": "DejaVuSerifCondensed-Bold.ttf",
           "italic": "DejaVuSerifCondensed-Italic.ttf", "bolditalic": "DejaVuSerifCondensed-BoldItalic.ttf"},
}
_STYLES = ("regular", "bold", "italic", "bolditalic")


@dataclass(frozen=True)
class _Family:
    files: dict            # (condensed: bool, style) -> path
    fake_bold: frozenset   # (condensed, style) drawn with a stroke because the file is not bold
    seal: str              # a bold (preferably sans) face for the seal lettering


def _style_of(style_name: str) -> str | None:
    s = style_name.lower()
    if any(w in s for w in ("light", "thin", "black", "medium", "semi", "demi", "extra", "heavy", "narrow")):
        return None
    bold, italic = "bold" in s, ("italic" in s or "oblique" in s)
    if bold and italic:
        return "bolditalic"
    if bold:
        return "bold"
    if italic:
        return "italic"
    if any(w in s for w in ("regular", "book", "roman", "normal", "medium")) or s.strip() == "":
        return "regular"
    return None


def _fc_family() -> _Family | None:
    try:
        out = subprocess.run(["fc-list", ":lang=vi", "file", "family", "style"], capture_output=True,
                             text=True, timeout=30).stdout
    except Exception:
        return None
    fams: dict[str, dict[str, str]] = {}
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        if not path.lower().endswith((".ttf", ".otf")) or "condensed" in path.lower():
            continue
        family, _, style = rest.partition(":style=")
        family = family.split(",")[0].strip()
        st = _style_of(style.split(",")[0])
        if family and st:
            fams.setdefault(family, {}).setdefault(st, path)
    cands = [f for f in fams if "regular" in fams[f]]
    if not cands:
        return None

    def rank(f: str) -> tuple:
        serif = "serif" in f.lower() and "sans" not in f.lower() or "times" in f.lower()
        return (not serif, -len(fams[f]), f)

    best = fams[sorted(cands, key=rank)[0]]
    files, fake = {}, set()
    for cond in (False, True):
        for st in _STYLES:
            if st in best:
                files[(cond, st)] = best[st]
            elif st == "bolditalic" and "bold" in best:
                files[(cond, st)] = best["bold"]
            else:
                files[(cond, st)] = best["regular"]
                if "bold" in st:
                    fake.add((cond, st))
    return _Family(files, frozenset(fake), files[(False, "bold")])


@lru_cache(maxsize=1)
def _family() -> _Family:
    files = {}
    for cond, names in _DEJAVU.items():
        for st, fn in names.items():
            p = _DEJAVU_DIR / fn
            if p.is_file():
                files[(cond, st)] = str(p)
    if (False, "regular") in files:
        fake = set()
        for cond in (False, True):
            for st in _STYLES:
                if (cond, st) not in files:
                    files[(cond, st)] = files.get((False, st)) or files.get((cond, "regular")) or files[(False, "regular")]
                    if "bold" in st and (False, st) not in files:
                        fake.add((cond, st))
        sans = _DEJAVU_DIR / "DejaVuSans-Bold.ttf"
        return _Family(files, frozenset(fake), str(sans) if sans.is_file() else files[(False, "bold")])
    fam = _fc_family()
    if fam is None:
        raise FontNotFoundError(
            "no TrueType font with Vietnamese coverage found: DejaVu Serif is not in "
            f"{_DEJAVU_DIR} and `fc-list :lang=vi` lists no usable family. Install one, e.g. "
            "`sudo apt-get install fonts-dejavu-core` (make install does it).")
    return fam


@lru_cache(maxsize=512)
def _load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(1, int(size)))


@lru_cache(maxsize=4096)
def _glyph_ok(path: str, ch: str) -> bool:
    if ch == " ":
        return True
    font = _load_font(path, 32)
    try:
        mask = font.getmask(ch)
        probe = font.getmask("\U000f0000")
    except Exception:
        return False
    return not (mask.size == probe.size and bytes(mask) == bytes(probe))


@dataclass(frozen=True)
class _F:
    """A font choice: style, size in points, condensed cut."""

    style: str = "regular"
    pt: float = 13.0
    condensed: bool = False


class _Ctx:
    def __init__(self, dpi: int):
        self.dpi = dpi
        self.fam = _family()

    def px(self, pt: float) -> float:
        return pt * self.dpi / 72.0

    def mm(self, mm: float) -> float:
        return mm * self.dpi / 25.4

    def font(self, f: _F) -> tuple[ImageFont.FreeTypeFont, int]:
        key = (f.condensed, f.style)
        path = self.fam.files[key]
        size = max(1, round(self.px(f.pt)))
        stroke = max(1, round(size / 40)) if key in self.fam.fake_bold else 0
        return _load_font(path, size), stroke

    def width(self, text: str, f: _F) -> float:
        font, stroke = self.font(f)
        return font.getlength(text) + 2 * stroke if text else 0.0

    def clean(self, text: str) -> str:
        """Collapse whitespace and drop characters the font has no glyph for."""
        path = self.fam.files[(False, "regular")]
        text = _collapse(text)
        if all(ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF for c in text):
            return text  # Latin incl. Vietnamese: DejaVu / the fc-list family has it
        return _collapse("".join(c for c in text if _glyph_ok(path, c)))


# ------------------------------------------------------------------------------------------------
# Layout primitives
# ------------------------------------------------------------------------------------------------

@dataclass
class _Text:
    x: float
    y: float           # top of the line box
    text: str
    f: _F


@dataclass
class _Rule:
    x0: float
    x1: float
    y: float
    th: int


@dataclass
class _Block:
    h: float
    prims: list = field(default_factory=list)
    ref: list[str] = field(default_factory=list)
    regions: dict = field(default_factory=dict)    # name -> box relative to the block top
    space: bool = False                            # vertical space, dropped at a page top
    keep_next: bool = False
    page_break: bool = False                       # start a new page (unless already at a top)


def _union(a: Box | None, b: Box | None) -> Box | None:
    if b is None:
        return a
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _break_word(ctx: _Ctx, word: str, f: _F, width: float) -> list[str]:
    out, cur = [], ""
    for ch in word:
        if cur and ctx.width(cur + ch, f) > width:
            out.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def _wrap(ctx: _Ctx, text: str, f: _F, width: float, first_indent: float = 0.0,
          hanging: float = 0.0) -> list[list[str]]:
    """Greedy word wrap; returns the words of each line. Over-long words are broken."""
    words = text.split()
    space = ctx.width(" ", f)
    lines: list[list[str]] = []
    cur: list[str] = []
    cur_w = 0.0
    avail = width - first_indent
    for w in words:
        ww = ctx.width(w, f)
        if ww > avail and not cur:
            chunks = _break_word(ctx, w, f, max(avail, space * 2))
            for c in chunks[:-1]:
                lines.append([c])
                avail = width - hanging
            w, ww = chunks[-1], ctx.width(chunks[-1], f)
        if cur and cur_w + space + ww > avail:
            lines.append(cur)
            avail = width - hanging
            cur, cur_w = [], 0.0
            if ww > avail:
                chunks = _break_word(ctx, w, f, max(avail, space * 2))
                for c in chunks[:-1]:
                    lines.append([c])
                w, ww = chunks[-1], ctx.width(chunks[-1], f)
        cur.append(w)
        cur_w = ww if len(cur) == 1 else cur_w + space + ww
    if cur:
        lines.append(cur)
    return lines


def _balanced(ctx: _Ctx, text: str, f: _F, width: float) -> list[str]:
    """Wrap into the fewest lines, with the widest line as narrow as possible (centred headings)."""
    greedy = [" ".join(ws) for ws in _wrap(ctx, text, f, width)]
    words = text.split()
    k = len(greedy)
    if k <= 1 or len(words) > 80 or any(ctx.width(w, f) > width for w in words):
        return greedy
    n = len(words)
    wid = [[0.0] * (n + 1) for _ in range(n + 1)]
    for a in range(n):
        for b in range(a + 1, n + 1):
            wid[a][b] = ctx.width(" ".join(words[a:b]), f)
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for j in range(1, k + 1):
        for b in range(1, n + 1):
            for a in range(j - 1, b):
                if best[j - 1][a] == inf or wid[a][b] > width:
                    continue
                v = max(best[j - 1][a], wid[a][b])
                if v < best[j][b]:
                    best[j][b], back[j][b] = v, a
    if best[k][n] == inf:
        return greedy
    out, b = [], n
    for j in range(k, 0, -1):
        a = back[j][b]
        out.insert(0, " ".join(words[a:b]))
        b = a
    return out


def _fit(ctx: _Ctx, text: str, f: _F, width: float, min_pt: float) -> list[tuple[str, _F]]:
    """One line in the given font if it fits; else the condensed cut, shrinking to min_pt; else
    wrapped (balanced) in the condensed cut one point smaller."""
    if ctx.width(text, f) <= width:
        return [(text, f)]
    pt = f.pt
    while pt >= min_pt - 1e-6:
        g = _F(f.style, pt, True)
        if ctx.width(text, g) <= width:
            return [(text, g)]
        pt -= 0.5
    g = _F(f.style, max(min_pt, f.pt - 1), True)
    return [(ln, g) for ln in _balanced(ctx, text, g, width)]


def _centred(ctx: _Ctx, items: list[tuple[str, _F]], x0: float, width: float, y: float,
             leading: float, prims: list, ref: list[str]) -> tuple[float, Box | None]:
    """Centre each (text, font) line in [x0, x0 + width]; returns the new y and the ink box."""
    box = None
    for text, f in items:
        w = ctx.width(text, f)
        x = x0 + (width - w) / 2
        adv = ctx.px(f.pt) * leading
        prims.append(_Text(x, y, text, f))
        ref.append(_collapse(text))
        box = _union(box, (int(x), int(y), int(math.ceil(x + w)), int(math.ceil(y + adv))))
        y += adv
    return y, box


# ------------------------------------------------------------------------------------------------
# Page geometry and the render
# ------------------------------------------------------------------------------------------------

def a4_size(dpi: int) -> tuple[int, int]:
    """(width, height) in pixels of an A4 page at dpi."""
    return round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)


@dataclass
class _Geom:
    left: float
    right: float
    top: float
    bottom: float
    leading: float
    sign_space: float     # mm between the authority lines and the name


def _geometry(seed: int) -> _Geom:
    if not seed:
        return _Geom(30.0, 20.0, 20.0, 20.0, 1.3, 25.0)
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 7])
    return _Geom(float(rng.uniform(27, 33)), float(rng.uniform(18, 22)), float(rng.uniform(18, 24)),
                 float(rng.uniform(18, 24)), float(rng.uniform(1.22, 1.38)), float(rng.uniform(20, 30)))


def render(text: str, *, dpi: int = 300, seed: int = 0) -> Rendered:
    """Render the plain text of an official document onto clean A4 page images.

    Body text is 13 pt, header lines 12–13 pt (condensed or wrapped when a column is too narrow),
    margins 30/20/20/20 mm (left/right/top/bottom). ``seed`` 0 gives that canonical layout; other
    seeds move the margins, line spacing and signing space a little. Text that has no recognisable
    header is rendered as body. Always returns at least one page.
    """
    dpi = int(dpi)
    if dpi < 10:
        raise ValueError(f"dpi must be at least 10, got {dpi}")
    ctx = _Ctx(dpi)
    try:
        parts = split_document(text)
    except Exception:  # the splitter is a heuristic; a render must still come out
        parts = DocumentParts(body=[ln.strip() for ln in _normalise(text)])
    geom = _geometry(seed)
    W, H = a4_size(dpi)
    left, tw = ctx.mm(geom.left), W - ctx.mm(geom.left) - ctx.mm(geom.right)
    top, bottom = ctx.mm(geom.top), H - ctx.mm(geom.bottom)

    blocks: list[_Block] = []
    header = _header_block(ctx, parts, left, tw)
    if header is not None and header.h > (bottom - top) * 0.8:
        header = None  # absurd header: fall back to body text
        parts = DocumentParts(body=[ln.strip() for ln in _normalise(text)])
    if header is not None:
        blocks.append(header)
        blocks.append(_Block(ctx.px(18), space=True))
    title = _title_block(ctx, parts, left, tw)
    if title is not None:
        blocks.append(title)
        blocks.append(_Block(ctx.px(10), space=True))
    blocks.extend(_body_blocks(ctx, parts.body, left, tw, geom.leading))
    closing = _closing_blocks(ctx, parts, left, tw, geom, bottom - top)
    if closing:
        blocks.append(_Block(ctx.px(12), space=True))
        blocks.extend(closing)
    trailing = [t for t in parts.trailing if t.strip()]
    if len(trailing) > 3:
        # An appendix after the signature: it starts on a new page, as body text.
        blocks.append(_Block(0, page_break=True))
        blocks.extend(_body_blocks(ctx, parts.trailing, left, tw, geom.leading))
    elif trailing:
        blocks.append(_Block(ctx.px(12), space=True))
        for t in trailing:
            blocks.extend(_paragraph(ctx, t, _F("regular", 11), left, tw, 0, 1.25, justify=False))

    pages, refs, regions = _paginate(ctx, blocks, W, H, left, tw, top, bottom)
    issuer = _collapse(" ".join(s for s in parts.issuer if s != "*"))
    return Rendered(pages, refs, dpi, regions, issuer)


def _header_block(ctx: _Ctx, parts: DocumentParts, left: float, tw: float) -> _Block | None:
    if not parts.has_header:
        return None
    wl, wr = tw * 0.40, tw * 0.60
    xl, xr = left, left + wl
    lead = 1.22
    prims: list = []
    ref_l: list[str] = []
    ref_r: list[str] = []
    th = max(1, round(ctx.px(0.6)))

    # Left column: issuer, rule, Số, V/v.
    y = 0.0
    box_l = None
    issuer = []
    for s in (ctx.clean(s) for s in parts.issuer):
        if s:
            issuer.extend(_split_issuer(ctx, s, wl * 0.98))
    for i, s in enumerate(issuer):
        style = "bold" if i == len(issuer) - 1 and s != "*" else "regular"
        if s == "*" and i == len(issuer) - 1 and i > 0:
            style = "regular"
        y, b = _centred(ctx, _fit(ctx, s, _F(style, 13), wl * 0.98, 10.5), xl, wl, y, lead, prims, ref_l)
        box_l = _union(box_l, b) if b else box_l
    if issuer and "*" not in issuer:
        named = [s for s in issuer if s != "*"]
        lw = ctx.width(named[-1], _F("bold", 13)) if named else wl / 3
        rw = min(wl * 0.9, max(wl * 0.25, lw * 0.4))
        y += ctx.px(3)
        prims.append(_Rule(xl + (wl - rw) / 2, xl + (wl + rw) / 2, y, th))
        y += ctx.px(4)
    if issuer and (parts.number or parts.vv):
        y += ctx.px(6)
    for s in parts.number:
        s = ctx.clean(s)
        if s:
            y, b = _centred(ctx, _fit(ctx, s, _F("regular", 13), wl * 0.98, 10.5), xl, wl, y, lead, prims, ref_l)
            box_l = _union(box_l, b)
    if parts.vv:
        y += ctx.px(3)
        vv = ctx.clean(" ".join(parts.vv))
        lines = [" ".join(ws) for ws in _wrap(ctx, vv, _F("regular", 12), wl * 0.95)] if vv else []
        y, b = _centred(ctx, [(ln, _F("regular", 12)) for ln in lines], xl, wl, y, 1.2, prims, ref_l)
        box_l = _union(box_l, b) if b else box_l
    h_left = y

    # Right column: quốc hiệu, motto, rule, place/date.
    y = 0.0
    box_r = None
    last_w = 0.0
    nat = [s for s in (ctx.clean(s) for s in parts.national) if s]
    for s in nat:
        motto = bool(_RE_MOTTO.match(s))
        f = _F("bold", 13 if motto else 12.5)
        items = _fit(ctx, s, f, wr * 0.98, 10.5)
        y, b = _centred(ctx, items, xr, wr, y, lead, prims, ref_r)
        box_r = _union(box_r, b)
        last_w = max(ctx.width(t, g) for t, g in items)
    if nat:
        rw = min(wr * 0.95, last_w)
        y += ctx.px(3)
        prims.append(_Rule(xr + (wr - rw) / 2, xr + (wr + rw) / 2, y, th))
        y += ctx.px(10)
    for s in parts.place_date:
        s = ctx.clean(s)
        if s:
            y, b = _centred(ctx, _fit(ctx, s, _F("italic", 13), wr * 0.98, 10.5), xr, wr, y, lead, prims, ref_r)
            box_r = _union(box_r, b)
    h = max(h_left, y)
    regions = {}
    if box_l:
        regions["header_left"] = box_l
    if box_r:
        regions["header_right"] = box_r
    if not prims:
        return None
    return _Block(h, prims, ref_l + ref_r, regions)


_ORG_UNIT = re.compile(r"\s(?=(?:SỞ|BAN|PHÒNG|VĂN PHÒNG|TRUNG TÂM|CHI CỤC|CỤC|VỤ|VIỆN|TRƯỜNG|HỘI ĐỒNG)\s)")
_ORG_PLACE = re.compile(r"\s(?=(?:TỈNH|HUYỆN|THÀNH PHỐ|THỊ XÃ|QUẬN|XÃ|PHƯỜNG|THỊ TRẤN)\s)")


def _split_issuer(ctx: _Ctx, s: str, width: float) -> list[str]:
    """A flattened issuer line that does not fit ("UBND TỈNH LÂM ĐỒNG SỞ NỘI VỤ") is broken where
    the parent body ends or the place name starts, as the two issuer lines of a real header."""
    if ctx.width(s, _F("bold", 13)) <= width or not _is_upper(s):
        return [s]
    for rx in (_ORG_UNIT, _ORG_PLACE):
        for m in rx.finditer(s):
            a, b = s[:m.start()].strip(), s[m.end():].strip()
            if a and b and len(a.split()) >= 2:
                return [a, b]
    return [s]


def _title_block(ctx: _Ctx, parts: DocumentParts, left: float, tw: float) -> _Block | None:
    title = [s for s in (ctx.clean(s) for s in parts.title) if s]
    subject = [s for s in (ctx.clean(s) for s in parts.subject) if s]
    if not title and not subject:
        return None
    prims: list = []
    ref: list[str] = []
    y = 0.0
    box = None
    widest = 0.0
    f = _F("bold", 14)
    fs = f
    if any(ctx.width(s, fs) > tw * 0.92 for s in subject):
        fs = _F("bold", 14, condensed=True)
        if any(ctx.width(s, fs) > tw * 0.92 for s in subject):
            subject = [" ".join(subject)]   # the source breaks do not fit: re-wrap the whole subject
    for group, g in ((title, f), (subject, fs)):
        for s in group:
            items = [(ln, g) for ln in _balanced(ctx, s, g, tw * 0.92)]
            y, b = _centred(ctx, items, left, tw, y, 1.25, prims, ref)
            box = _union(box, b)
            widest = max([widest] + [ctx.width(t, g) for t, g in items])
    if subject:
        rw = min(tw * 0.5, max(tw * 0.2, widest * 0.4))
        y += ctx.px(3)
        prims.append(_Rule(left + (tw - rw) / 2, left + (tw + rw) / 2, y, max(1, round(ctx.px(0.6)))))
        y += ctx.px(4)
    return _Block(y, prims, ref, {"title": box} if box else {}, keep_next=True)


def _paragraph(ctx: _Ctx, text: str, f: _F, x0: float, width: float, indent: float, leading: float,
               justify: bool = True, hanging: float = 0.0, region: str = "body") -> list[_Block]:
    """One block per wrapped line (so that pages can break between lines)."""
    text = ctx.clean(text)
    if not text:
        return []
    space = ctx.width(" ", f)
    adv = ctx.px(f.pt) * leading
    lines = _wrap(ctx, text, f, width, first_indent=indent, hanging=hanging)
    out = []
    for n, words in enumerate(lines):
        x = x0 + (indent if n == 0 else hanging)
        avail = width - (indent if n == 0 else hanging)
        widths = [ctx.width(w, f) for w in words]
        natural = sum(widths) + space * (len(words) - 1)
        gap = space
        if justify and n < len(lines) - 1 and len(words) > 1:
            g = (avail - sum(widths)) / (len(words) - 1)
            if space <= g <= space * 3:
                gap = g
        prims = []
        if gap == space:
            prims.append(_Text(x, 0, " ".join(words), f))
            right = x + natural
        else:
            cx = x
            for w, ww in zip(words, widths):
                prims.append(_Text(cx, 0, w, f))
                cx += ww + gap
            right = x + avail
        out.append(_Block(adv, prims, [" ".join(words)], {region: (int(x), 0, int(math.ceil(right)), int(adv))}))
    return out


def _body_blocks(ctx: _Ctx, body: list[str], left: float, tw: float, leading: float) -> list[_Block]:
    blocks: list[_Block] = []
    body_f = _F("regular", 13)
    indent = ctx.mm(10)
    in_kg = False
    prev_blank = True
    th = max(1, round(ctx.px(0.6)))
    for raw in body:
        s = _collapse(raw)
        if not s:
            if not prev_blank:
                blocks.append(_Block(ctx.px(6), space=True))
            prev_blank = True
            in_kg = False
            continue
        prev_blank = False
        k = _kind(s)
        if k == "rule":
            rw = tw / 4
            blocks.append(_Block(ctx.px(8), [_Rule(left + (tw - rw) / 2, left + (tw + rw) / 2, ctx.px(4), th)]))
            continue
        if k == "kinhgui":
            m = _RE_KG.match(s)
            rest = s[m.end():].strip()
            if not rest:
                x = left + tw * 0.22
                blocks.extend(_paragraph(ctx, s, body_f, x, left + tw - x, 0, leading, justify=False))
                in_kg = True
            elif ctx.width(ctx.clean(s), body_f) <= tw * 0.9:
                prims, ref = [], []
                _centred(ctx, [(ctx.clean(s), body_f)], left, tw, 0, leading, prims, ref)
                blocks.append(_Block(ctx.px(13) * leading, prims, ref,
                                     {"body": (int(prims[0].x), 0, int(prims[0].x + ctx.width(ref[0], body_f)),
                                               int(ctx.px(13) * leading))}))
            else:
                blocks.extend(_paragraph(ctx, s, body_f, left, tw, indent, leading))
            blocks.append(_Block(ctx.px(3), space=True))
            continue
        if in_kg and k == "item":
            x = left + tw * 0.32
            blocks.extend(_paragraph(ctx, s, body_f, x, left + tw - x, 0, leading, justify=False,
                                     hanging=ctx.width("- ", body_f)))
            continue
        in_kg = False
        if k == "upper" and not _RE_NUMBERED.match(s) and not _RE_HEADING.match(s):
            f = _F("bold", 13)
            s2 = ctx.clean(s)
            if s2:
                items = [(ln, f) for ln in _balanced(ctx, s2, f, tw * 0.92)]
                prims, ref = [], []
                y, box = _centred(ctx, items, left, tw, 0, leading, prims, ref)
                blocks.append(_Block(y, prims, ref, {"body": box} if box else {}, keep_next=True))
                blocks.append(_Block(ctx.px(3), space=True))
            continue
        heading = bool(_RE_HEADING.match(s)) and len(s) <= 90 or (k == "upper" and len(s) <= 120)
        f = _F("bold", 13) if heading else body_f
        lines = _paragraph(ctx, s, f, left, tw, indent, leading)
        if heading and lines:
            lines[-1].keep_next = True
        blocks.extend(lines)
        blocks.append(_Block(ctx.px(3), space=True))
    return blocks


def _closing_blocks(ctx: _Ctx, parts: DocumentParts, left: float, tw: float, geom: _Geom,
                    page_h: float) -> list[_Block]:
    rec = [s for s in (ctx.clean(s) for s in parts.recipients) if s]
    sig = [s for s in (ctx.clean(s) for s in parts.signature) if s]
    name = [s for s in (ctx.clean(s) for s in parts.signer) if s]
    if not (rec or sig or name):
        return []
    wl = tw * 0.45
    xr, wr = left + tw * 0.45, tw * 0.55
    prims_l: list = []
    ref_l: list[str] = []
    y = 0.0
    box_l = None
    for i, s in enumerate(rec):
        if i == 0 and _RE_NOINHAN.match(s):
            f = _F("bolditalic", 12)
            prims_l.append(_Text(left, y, s, f))
            ref_l.append(s)
            adv = ctx.px(12) * 1.25
            box_l = _union(box_l, (int(left), int(y), int(left + ctx.width(s, f)), int(y + adv)))
            y += adv
            continue
        f = _F("regular", 11)
        hang = ctx.width("- ", f) if _RE_ITEM.match(s) else 0
        for b in _paragraph(ctx, s, f, left, wl * 0.95, 0, 1.2, justify=False, hanging=hang, region="recipients"):
            for p in b.prims:
                p.y += y
                prims_l.append(p)
            ref_l.extend(b.ref)
            r = b.regions["recipients"]
            box_l = _union(box_l, (r[0], int(y), r[2], int(y + b.h)))
            y += b.h
    h_left = y

    prims_r: list = []
    ref_r: list[str] = []
    y = 0.0
    box_t = None
    for s in sig:
        y, b = _centred(ctx, _fit(ctx, s, _F("bold", 13), wr * 0.96, 11), xr, wr, y, 1.25, prims_r, ref_r)
        box_t = _union(box_t, b)
    box_n = None
    if sig or name:
        y += ctx.mm(geom.sign_space)
    for s in name:
        y, b = _centred(ctx, _fit(ctx, s, _F("bold", 14), wr * 0.96, 11), xr, wr, y, 1.25, prims_r, ref_r)
        box_n = _union(box_n, b)
    h_right = y

    regions = {}
    if box_l:
        regions["recipients"] = box_l
    if box_t or box_n:
        regions["signature"] = (int(xr), 0, int(xr + wr), int(h_right))
    if box_t:
        regions["signature_titles"] = box_t
    if box_n:
        regions["signature_name"] = box_n
    h = max(h_left, h_right)
    if h <= page_h:
        return [_Block(h, prims_l + prims_r, ref_l + ref_r, regions)]
    # A Nơi nhận list taller than a page: the list flows as lines, the signature follows as a block.
    out = []
    for i, s in enumerate(rec):
        f = _F("bolditalic", 12) if i == 0 and _RE_NOINHAN.match(s) else _F("regular", 11)
        out.extend(_paragraph(ctx, s, f, left, wl * 0.95, 0, 1.2, justify=False, region="recipients"))
    sig_regions = {k: v for k, v in regions.items() if k.startswith("signature")}
    out.append(_Block(h_right, prims_r, ref_r, sig_regions))
    return out


def _paginate(ctx: _Ctx, blocks: list[_Block], W: int, H: int, left: float, tw: float, top: float,
              bottom: float) -> tuple[list[Image.Image], list[str], list[dict[str, Box]]]:
    placed: list[list[tuple[_Block, float]]] = [[]]
    y = top
    for i, b in enumerate(blocks):
        if b.page_break:
            if y > top + 0.5:
                placed.append([])
                y = top
            continue
        if b.space:
            if y <= top + 0.5:
                continue
            y += b.h
            if y > bottom:
                placed.append([])
                y = top
            continue
        need = b.h
        if b.keep_next:
            nxt = next((n for n in blocks[i + 1:] if not n.space and not n.page_break), None)
            if nxt is not None and nxt.h + b.h <= bottom - top:
                need += nxt.h
        if y + need > bottom and y > top + 0.5:
            placed.append([])
            y = top
        placed[-1].append((b, y))
        y += b.h

    pages, refs, regions = [], [], []
    for n, items in enumerate(placed):
        img = Image.new("L", (W, H), 255)
        draw = ImageDraw.Draw(img)
        ref: list[str] = []
        reg: dict[str, Box] = {}
        if n > 0:
            f = _F("regular", 13)
            num = str(n + 1)
            x = left + (tw - ctx.width(num, f)) / 2
            py = max(0.0, top / 2 - ctx.px(13) / 2)
            _draw_text(ctx, draw, _Text(x, py, num, f), 0)
            ref.append(num)
            reg["page_number"] = (int(x), int(py), int(x + ctx.width(num, f)) + 1, int(py + ctx.px(13) * 1.25))
        for b, by in items:
            for p in b.prims:
                if isinstance(p, _Text):
                    _draw_text(ctx, draw, p, by)
                else:
                    yy = int(round(by + p.y))
                    draw.rectangle([int(round(p.x0)), yy, int(round(p.x1)), yy + p.th - 1], fill=0)
            ref.extend(b.ref)
            for name, (x0, y0, x1, y1) in b.regions.items():
                box = (int(x0), int(y0 + by), int(x1), int(math.ceil(y1 + by)))
                reg[name] = _union(reg.get(name), box)
        pages.append(img.convert("RGB"))
        refs.append("\n".join(r for r in ref if r))
        regions.append(reg)
    return pages, refs, regions


def _draw_text(ctx: _Ctx, draw: ImageDraw.ImageDraw, p: _Text, dy: float) -> None:
    font, stroke = ctx.font(p.f)
    base = dy + p.y + font.getmetrics()[0]
    kw = {"stroke_width": stroke, "stroke_fill": 0} if stroke else {}
    draw.text((p.x + stroke, base), p.text, font=font, fill=0, anchor="ls", **kw)


# ------------------------------------------------------------------------------------------------
# Degradations
# ------------------------------------------------------------------------------------------------

CONDITIONS: dict[str, dict] = {
    "clean": {},
    "skew3": {"skew_deg": 3.0},
    "half_res": {"scale": 0.5},                       # 150 dpi effective from a 300 dpi render
    "jpeg_q20": {"jpeg_quality": 20},
    "heavy": {"skew_deg": (-3.0, 3.0), "scale": 0.5, "jpeg_quality": (15, 30), "noise": 0.03, "blur": 0.8},
    "seal": {"seal": True, "signature_ink": True},    # red seal + blue signature over the signature block
    # the same signed page scanned in grey, and as a bitonal (fax-like, 1-bit) scan: the seal cannot
    # be told from the text by its colour any more, only by its shape
    "seal_grey": {"seal": True, "signature_ink": True, "mode": "grey"},
    "seal_bitonal": {"seal": True, "signature_ink": True, "mode": "bitonal"},
}
"""Named degradation presets for the OCR evaluation: ``degrade(r, **CONDITIONS[name], seed=s)``.
A (lo, hi) pair is drawn uniformly per page from the seed."""


def _pick(value, rng: np.random.Generator) -> float:
    if isinstance(value, (tuple, list)):
        lo, hi = float(value[0]), float(value[1])
        return float(rng.uniform(min(lo, hi), max(lo, hi)))
    return float(value or 0.0)


def _pick_int(value, rng: np.random.Generator) -> int | None:
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        lo, hi = int(value[0]), int(value[1])
        return int(rng.integers(min(lo, hi), max(lo, hi) + 1))
    return int(value)


def _map_box(box: Box, fn, size: tuple[int, int]) -> Box | None:
    x0, y0, x1, y1 = box
    pts = [fn(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    w, h = size
    nb = (max(0, int(math.floor(min(xs)))), max(0, int(math.floor(min(ys)))),
          min(w, int(math.ceil(max(xs)))), min(h, int(math.ceil(max(ys)))))
    return nb if nb[2] > nb[0] and nb[3] > nb[1] else None


def _map_regions(reg: dict[str, Box], fn, size: tuple[int, int]) -> dict[str, Box]:
    out = {}
    for k, b in reg.items():
        nb = _map_box(b, fn, size)
        if nb:
            out[k] = nb
    return out


def degrade(r: Rendered, *, skew_deg: Range = 0.0, blur: float = 0.0, noise: float = 0.0,
            jpeg_quality: int | tuple[int, int] | None = None, scale: float = 1.0, rotate90: int = 0,
            seal: bool = False, signature_ink: bool = False, photocopy: bool = False,
            mode: str = "colour", seed: int = 0) -> Rendered:
    """Make clean renders look scanned, copied, signed. Returns a new Rendered (same reference).

    skew_deg:      rotation in degrees, counter-clockwise positive, about the page centre; a (lo, hi)
                   pair draws one angle per page.
    blur:          Gaussian sigma in pixels of the input images (before scaling).
    noise:         sensor noise, standard deviation as a fraction of 255, added after scaling.
    jpeg_quality:  JPEG round-trip at this quality (or a (lo, hi) pair, drawn per page); None: none.
    scale:         resize factor; the returned dpi is round(dpi * scale) (0.5 → 150 dpi from 300).
    rotate90:      turns the whole page by rotate90 × 90° counter-clockwise (0–3).
    seal:          red (#d01010, alpha ~0.6) round seal — two rings, the issuer around them, a star in
                   the middle — over the left part of the signature block, partly covering the
                   authority lines and the signer's name.
    signature_ink: a blue handwritten scribble between the authority lines and the name.
    photocopy:     grey paper, less contrast, toner speckles and a faint streak (output stays RGB).
    mode:          "colour" (default), "grey" (a greyscale scanner: luminance, stored as RGB) or
                   "bitonal" (a 1-bit scanner: luminance thresholded at 160, stored as RGB).
    seed:          all randomness comes from it (per page and per effect): same seed, same pixels.

    Seal and ink go on the page with the signature block (``regions``; else the last page).
    Order: seal, signature ink, photocopy (on paper) → skew → blur → scale → noise → JPEG → rotate90.
    """
    if not scale or scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    k90 = int(rotate90) % 4
    seed = int(seed) & 0xFFFFFFFF
    sig_page = _signature_page(r)
    pages: list[Image.Image] = []
    regions: list[dict[str, Box]] = []
    for i, img in enumerate(r.pages):
        def rng(op: int, _i: int = i) -> np.random.Generator:
            return np.random.default_rng([seed, _i, op])

        reg = dict(r.regions[i]) if i < len(r.regions) else {}
        angle = _pick(skew_deg, rng(4))
        marks = (seal or signature_ink) and i == sig_page
        if marks or photocopy or abs(angle) > 1e-6 or blur > 0 or scale != 1.0 or noise > 0:
            arr = np.asarray(img.convert("RGB"), dtype=np.float32).copy()
            h, w = arr.shape[:2]
            if seal and marks:
                _draw_seal(arr, reg, r.issuer, r.dpi, rng(1))
            if signature_ink and marks:
                _draw_signature(arr, reg, r.dpi, rng(2))
            if photocopy:
                arr = _photocopy(arr, r.dpi, rng(3))
            if abs(angle) > 1e-6:
                M = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
                sample = arr[:: max(1, h // 64), :: max(1, w // 64)].reshape(-1, 3)
                border = tuple(float(v) for v in np.median(sample, axis=0))
                arr = cv2.warpAffine(arr, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                     borderValue=border)
                reg = _map_regions(reg, lambda x, y, M=M: (M[0, 0] * x + M[0, 1] * y + M[0, 2],
                                                            M[1, 0] * x + M[1, 1] * y + M[1, 2]), (w, h))
            if blur > 0:
                arr = cv2.GaussianBlur(arr, (0, 0), float(blur))
            if scale != 1.0:
                nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
                arr = cv2.resize(arr, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
                sx, sy = nw / w, nh / h
                reg = _map_regions(reg, lambda x, y, sx=sx, sy=sy: (x * sx, y * sy), (nw, nh))
                w, h = nw, nh
            if noise > 0:
                g = rng(5)
                sigma = float(noise) * 255.0
                arr += g.normal(0.0, sigma, (h, w, 1)).astype(np.float32)
                arr += g.normal(0.0, sigma * 0.3, (h, w, 3)).astype(np.float32)
            out = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
        else:
            out = np.asarray(img.convert("RGB"))
        h, w = out.shape[:2]
        q = _pick_int(jpeg_quality, rng(6))
        if q is not None:
            buf = io.BytesIO()
            Image.fromarray(out, "RGB").save(buf, format="JPEG", quality=max(1, min(95, q)))
            out = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
        if mode in ("grey", "bitonal"):
            lum = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
            if mode == "bitonal":
                lum = np.where(lum < 160, 0, 255).astype(np.uint8)
            out = np.ascontiguousarray(np.repeat(lum[:, :, None], 3, axis=2))
        elif mode != "colour":
            raise ValueError(f"mode must be colour, grey or bitonal, got {mode!r}")
        if k90:
            out = np.ascontiguousarray(np.rot90(out, k90))
            for _ in range(k90):
                reg = _map_regions(reg, lambda x, y, w=w: (y, w - x), (h, w))
                w, h = h, w
        pages.append(Image.fromarray(np.ascontiguousarray(out), "RGB"))
        regions.append(reg)
    dpi = max(1, round(r.dpi * scale))
    return Rendered(pages, list(r.reference), dpi, regions, r.issuer)


def _signature_page(r: Rendered) -> int:
    for i in range(len(r.pages) - 1, -1, -1):
        if i < len(r.regions) and ("signature_titles" in r.regions[i] or "signature_name" in r.regions[i]):
            return i
    return len(r.pages) - 1


def _signature_anchor(arr: np.ndarray, reg: dict[str, Box], dpi: int) -> tuple[Box, Box | None]:
    """(authority-lines box, name box) — from the regions, else guessed from the ink."""
    titles, name = reg.get("signature_titles"), reg.get("signature_name")
    if titles:
        return titles, name
    if name:
        x0, y0, x1, y1 = name
        gap = int(dpi / 25.4 * 25)
        return (x0, max(0, y0 - gap - (y1 - y0) * 2), x1, max(1, y0 - gap)), name
    h, w = arr.shape[:2]
    ppm = dpi / 25.4
    dark = arr[:, w // 2:].mean(axis=2) < 128
    rows = np.flatnonzero(dark.any(axis=1))
    if len(rows):
        # Text lines of the right half; the last is the name, the run above the signing gap the titles.
        breaks = np.flatnonzero(np.diff(rows) > 1)
        runs = [(int(rows[a]), int(rows[b])) for a, b in zip(np.r_[0, breaks + 1], np.r_[breaks, len(rows) - 1])]
        name_run = runs[-1]
        k = len(runs) - 2
        while k >= 0 and name_run[0] - runs[k][1] < 8 * ppm:
            k -= 1
        if k >= 0:
            top = k
            while top > 0 and runs[top][0] - runs[top - 1][1] < 4 * ppm:
                top -= 1
            y0, y1 = runs[top][0], runs[k][1]
            cols = np.flatnonzero(dark[y0:y1 + 1].any(axis=0))
            ncols = np.flatnonzero(dark[name_run[0]:name_run[1] + 1].any(axis=0))
            if len(cols) and len(ncols):
                titles = (int(cols[0]) + w // 2, y0, int(cols[-1]) + w // 2, y1)
                name = (int(ncols[0]) + w // 2, name_run[0], int(ncols[-1]) + w // 2, name_run[1])
                return titles, name
    return (int(w * 0.55), int(h * 0.6), int(w * 0.85), int(h * 0.66)), (int(w * 0.6), int(h * 0.75), int(w * 0.8), int(h * 0.78))


def _blend_ink(arr: np.ndarray, mask: np.ndarray, x0: int, y0: int, colour: tuple[int, int, int]) -> None:
    """Multiply-blend ink of the given colour with coverage mask (0..1) at (x0, y0), clipped."""
    h, w = arr.shape[:2]
    mh, mw = mask.shape
    ax0, ay0, ax1, ay1 = max(0, x0), max(0, y0), min(w, x0 + mw), min(h, y0 + mh)
    if ax1 <= ax0 or ay1 <= ay0:
        return
    m = mask[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0, None]
    c = np.array(colour, dtype=np.float32) / 255.0
    arr[ay0:ay1, ax0:ax1] *= 1.0 - m * (1.0 - c)


def _ink_texture(shape: tuple[int, int], rng: np.random.Generator, lo: float, sigma: float) -> np.ndarray:
    t = rng.random(shape).astype(np.float32)
    t = cv2.GaussianBlur(t, (0, 0), max(0.5, sigma))
    t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    return lo + (1.0 - lo) * t


def _star(cx: float, cy: float, r_out: float, rot: float = -90.0) -> np.ndarray:
    pts = []
    for k in range(10):
        rr = r_out if k % 2 == 0 else r_out * 0.382
        a = math.radians(rot + k * 36)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return np.array(pts)


def _draw_seal(arr: np.ndarray, reg: dict[str, Box], issuer: str, dpi: int, rng: np.random.Generator) -> None:
    ppm = dpi / 25.4
    titles, name = _signature_anchor(arr, reg, dpi)
    R = ppm * float(rng.uniform(19, 21))          # ~40 mm across
    tx0, ty0, tx1, ty1 = titles
    cx = tx0 + R * float(rng.uniform(0.6, 0.9))
    if name:
        cy = (ty1 + name[1]) / 2 + ppm * float(rng.uniform(-2, 2))
    else:
        cy = ty1 + ppm * 12
    size = int(2 * R + 8 * ppm)
    ox, oy = int(cx - size / 2), int(cy - size / 2)
    pc = size / 2.0
    SH = 4                                          # cv2 sub-pixel shift
    mask = np.zeros((size, size), np.uint8)
    c_fp = (int(pc * (1 << SH)), int(pc * (1 << SH)))
    cv2.circle(mask, c_fp, int(R * (1 << SH)), 255, max(1, int(round(ppm * 1.1))), cv2.LINE_AA, SH)
    r_in = R - ppm * 6.0
    cv2.circle(mask, c_fp, int(r_in * (1 << SH)), 255, max(1, int(round(ppm * 0.4))), cv2.LINE_AA, SH)
    rot = float(rng.uniform(-20, 20))
    star = _star(pc, pc, ppm * 6.5, -90 + rot)
    cv2.fillPoly(mask, [np.round(star * (1 << SH)).astype(np.int32)], 255, cv2.LINE_AA, SH)

    # Lettering around the ring (tops outwards), a small star closing the circle at the bottom.
    text = _collapse(issuer.upper()) or "ỦY BAN NHÂN DÂN"
    r_text = (R + r_in) / 2
    font_path = _family().seal
    px = max(6, int(ppm * 3.6))
    arc_max = math.radians(290) * r_text
    while px > 6:
        font = _load_font(font_path, px)
        adv = [font.getlength(c) for c in text]
        if sum(adv) <= arc_max:
            break
        px -= 1
    font = _load_font(font_path, px)
    adv = [font.getlength(c) for c in text]
    spacing = max(0.0, (arc_max - sum(adv)) / max(1, len(text) - 1))
    spacing = min(spacing, px * 0.6)
    total = sum(adv) + spacing * (len(text) - 1)
    theta = -total / r_text / 2 + math.radians(rot)
    cell = int(px * 2)
    for ch, a in zip(text, adv):
        mid = theta + (a / 2) / r_text
        theta += (a + spacing) / r_text
        if ch.isspace():
            continue
        glyph = Image.new("L", (cell, cell), 0)
        ImageDraw.Draw(glyph).text((cell / 2, cell / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid), resample=Image.BICUBIC)
        gx = int(round(pc + r_text * math.sin(mid) - cell / 2))
        gy = int(round(pc - r_text * math.cos(mid) - cell / 2))
        g = np.asarray(glyph)
        a0x, a0y, a1x, a1y = max(0, gx), max(0, gy), min(size, gx + cell), min(size, gy + cell)
        if a1x > a0x and a1y > a0y:
            sub = mask[a0y:a1y, a0x:a1x]
            np.maximum(sub, g[a0y - gy:a1y - gy, a0x - gx:a1x - gx], out=sub)
    bottom = math.pi + math.radians(rot)
    small = _star(pc + r_text * math.sin(bottom), pc - r_text * math.cos(bottom), ppm * 1.6,
                  -90 + math.degrees(bottom))
    cv2.fillPoly(mask, [np.round(small * (1 << SH)).astype(np.int32)], 255, cv2.LINE_AA, SH)

    m = mask.astype(np.float32) / 255.0
    m = cv2.GaussianBlur(m, (0, 0), max(0.4, ppm * 0.05))
    m *= _ink_texture(m.shape, rng, 0.55, ppm * 0.3)
    alpha = float(rng.uniform(0.58, 0.7))
    _blend_ink(arr, np.clip(m * alpha, 0.0, 1.0), ox, oy, (208, 16, 16))


def _bezier(p0, p1, p2, p3, n: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    return ((1 - t) ** 3) * p0 + 3 * ((1 - t) ** 2) * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3


def _draw_signature(arr: np.ndarray, reg: dict[str, Box], dpi: int, rng: np.random.Generator) -> None:
    """A cursive-looking scribble: a looping stroke (forward drift plus oscillations, which makes
    the loops), then a Bézier flourish under the name, with pen pressure varying along the way."""
    ppm = dpi / 25.4
    titles, name = _signature_anchor(arr, reg, dpi)
    tx0, ty0, tx1, ty1 = titles
    if name:
        nx0, ny0, nx1, ny1 = name
        y_top, y_bot = ty1 + (ny0 - ty1) * 0.25, ny0 + (ny1 - ny0) * 0.6
        cx0, cx1 = min(tx0, nx0), max(tx1, nx1)
    else:
        y_top, y_bot = ty1 + ppm * 4, ty1 + ppm * 20
        cx0, cx1 = tx0, tx1
    span = max(ppm * 30, cx1 - cx0)
    band = max(ppm * 6, y_bot - y_top)
    xa = cx0 + span * float(rng.uniform(0.25, 0.35))
    xb = cx0 + span * float(rng.uniform(0.68, 0.8))
    n = 420
    t = np.linspace(0.0, 1.0, n)
    f1 = float(rng.uniform(2.5, 4.5))
    loops = (xb - xa) / (2 * math.pi * f1) * float(rng.uniform(1.4, 2.3))
    wobble = np.interp(t, np.linspace(0, 1, 6), rng.normal(0, 0.1, 6))
    ph = float(rng.uniform(0, 2 * math.pi))
    env = 0.6 + 0.4 * np.sin(math.pi * t) + wobble
    yc = y_top + band * 0.5 + band * 0.2 * (t - 0.5) * float(rng.uniform(-1, 1))
    y = yc + band * 0.32 * env * np.cos(2 * math.pi * f1 * t + ph)
    x = xa + (xb - xa) * t + loops * np.sin(2 * math.pi * f1 * t + ph) + 0.35 * (yc - y)
    stroke = np.stack([x, y], axis=1)
    p0 = stroke[-1]
    p3 = np.array([xa - span * 0.05, y_bot + band * float(rng.uniform(0.05, 0.25))])
    p1 = p0 + np.array([span * 0.08, band * 0.7])
    p2 = p3 + np.array([span * 0.25, band * 0.1])
    flourish = _bezier(p0, p1, p2, p3, 80)
    tail = _bezier(p3, p3 + [span * 0.1, -band * 0.05], p3 + [span * 0.35, -band * 0.15],
                   p3 + [span * float(rng.uniform(0.45, 0.6)), -band * 0.2], 60)
    path = np.concatenate([stroke, flourish, tail])
    x_min, y_min = path.min(axis=0) - ppm * 3
    x_max, y_max = path.max(axis=0) + ppm * 3
    ox, oy = int(x_min), int(y_min)
    mw, mh = max(1, int(x_max - ox)), max(1, int(y_max - oy))
    mask = np.zeros((mh, mw), np.uint8)
    SH = 3
    base = max(1.0, ppm * float(rng.uniform(0.35, 0.5)))
    phase = float(rng.uniform(0, 2 * math.pi))
    local = np.round((path - [ox, oy]) * (1 << SH)).astype(np.int32)
    for k in range(len(local) - 1):
        w = base * (0.7 + 0.3 * math.sin(phase + k * 0.05))
        cv2.line(mask, (int(local[k][0]), int(local[k][1])), (int(local[k + 1][0]), int(local[k + 1][1])), 255,
                 max(1, int(round(w))), cv2.LINE_AA, SH)
    m = mask.astype(np.float32) / 255.0
    m *= _ink_texture(m.shape, rng, 0.75, ppm * 0.2)
    _blend_ink(arr, np.clip(m * 0.9, 0, 1), ox, oy, (25, 45, 160))


def _photocopy(arr: np.ndarray, dpi: int, rng: np.random.Generator) -> np.ndarray:
    h, w = arr.shape[:2]
    gray = arr @ np.array([0.299, 0.587, 0.114], np.float32)
    bg = float(rng.uniform(205, 228))
    ink = float(rng.uniform(30, 55))
    out = ink + (gray / 255.0) * (bg - ink)
    shade = cv2.resize(rng.normal(0, 1, (6, 5)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    out += shade * float(rng.uniform(3, 7))
    # Darker bands along the edges, as when the page does not cover the glass.
    edge = int(max(1, w * rng.uniform(0.004, 0.012)))
    out[:, :edge] -= float(rng.uniform(20, 60))
    # A faint vertical drum streak.
    sx = int(rng.integers(0, w))
    sw = max(1, int(dpi / 150 * rng.integers(1, 4)))
    out[:, sx:sx + sw] -= float(rng.uniform(8, 20))
    # Toner speckles.
    n = int(h * w * 2.5e-5)
    ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
    rad = rng.integers(1, max(2, int(dpi / 150) + 2), n)
    spk = np.zeros((h, w), np.uint8)
    for x, y, rr in zip(xs, ys, rad):
        cv2.circle(spk, (int(x), int(y)), int(rr), 255, -1, cv2.LINE_AA)
    out -= (spk.astype(np.float32) / 255.0) * (out - ink - 10)
    out = np.clip(out, 0, 255)
    return np.repeat(out[:, :, None], 3, axis=2)


# ------------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------------

def to_pdf(r: Rendered, path: str | PathLike, *, jpeg_quality: int | None = None) -> None:
    """Write an image-only PDF (no text layer): one page per image, page size = image size at r.dpi.

    Pages are stored losslessly (Flate; greyscale when R = G = B), or as JPEG when jpeg_quality is
    given. The file is byte-for-byte deterministic.
    """
    objs: list[bytes] = [b"", b""]   # 1: catalog, 2: pages (filled in below)
    kids: list[int] = []
    dpi = max(1, int(r.dpi))

    def add(b: bytes) -> int:
        objs.append(b)
        return len(objs)

    for img in r.pages:
        rgb = img.convert("RGB")
        arr = np.asarray(rgb)
        h, w = arr.shape[:2]
        gray = bool(np.array_equal(arr[..., 0], arr[..., 1]) and np.array_equal(arr[..., 1], arr[..., 2]))
        cs = b"/DeviceGray" if gray else b"/DeviceRGB"
        if jpeg_quality:
            buf = io.BytesIO()
            (Image.fromarray(arr[..., 0], "L") if gray else rgb).save(buf, format="JPEG", quality=int(jpeg_quality))
            data, filt = buf.getvalue(), b"/DCTDecode"
        else:
            data, filt = zlib.compress((arr[..., 0] if gray else arr).tobytes(), 6), b"/FlateDecode"
        im = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
                 b"/BitsPerComponent 8 /Filter %s /Length %d >>\nstream\n" % (w, h, cs, filt, len(data))
                 + data + b"\nendstream")
        wpt, hpt = w * 72.0 / dpi, h * 72.0 / dpi
        content = b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (wpt, hpt)
        co = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] "
                        b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (wpt, hpt, im, co)))
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info = add(b"<< /Producer (vanban tests/scanlike.py) >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objs) + 1, info, xref))
    Path(path).write_bytes(out.getvalue())


def save_images(r: Rendered, directory: str | PathLike, fmt: str = "png") -> list[Path]:
    """Write the pages as page-001.<ext>, … in directory (created if needed); return the paths.

    fmt: "png", "jpg"/"jpeg" (quality 95), "tif"/"tiff" (one LZW TIFF per page) or "tiff-multi"
    (all pages in one multi-page TIFF, pages.tif). The dpi is recorded in the files.
    """
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    fmt = fmt.lower().lstrip(".")
    dpi = (int(r.dpi), int(r.dpi))
    if fmt == "tiff-multi":
        p = d / "pages.tif"
        imgs = [im.convert("RGB") for im in r.pages]
        if imgs:
            imgs[0].save(p, format="TIFF", save_all=True, append_images=imgs[1:], dpi=dpi, compression="tiff_lzw")
        return [p] if imgs else []
    if fmt in ("png",):
        ext, kw = "png", {"format": "PNG", "dpi": dpi}
    elif fmt in ("jpg", "jpeg"):
        ext, kw = "jpg", {"format": "JPEG", "quality": 95, "dpi": dpi}
    elif fmt in ("tif", "tiff"):
        ext, kw = "tif", {"format": "TIFF", "compression": "tiff_lzw", "dpi": dpi}
    else:
        raise ValueError(f"unknown image format {fmt!r}: use png, jpg, tif or tiff-multi")
    paths = []
    for n, im in enumerate(r.pages, start=1):
        p = d / f"page-{n:03d}.{ext}"
        im.convert("RGB").save(p, **kw)
        paths.append(p)
    return paths


def _main(argv: Sequence[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Render a document's text into scan-like pages.")
    ap.add_argument("text", help="a .txt file")
    ap.add_argument("out", help="output directory")
    ap.add_argument("--condition", default="clean", choices=sorted(CONDITIONS))
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fmt", default="png")
    ap.add_argument("--pdf", action="store_true", help="also write document.pdf")
    a = ap.parse_args(argv)
    r = render(Path(a.text).read_text(encoding="utf-8", errors="replace"), dpi=a.dpi, seed=a.seed)
    r = degrade(r, **CONDITIONS[a.condition], seed=a.seed)
    out = Path(a.out)
    paths = save_images(r, out, a.fmt)
    for n, ref in enumerate(r.reference, start=1):
        (out / f"page-{n:03d}.txt").write_text(ref + "\n", encoding="utf-8")
    if a.pdf:
        to_pdf(r, out / "document.pdf")
    print(f"{len(r.pages)} page(s) at {r.dpi} dpi → {out} ({len(paths)} image file(s))")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
