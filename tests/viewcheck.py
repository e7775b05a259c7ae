"""Helpers shared by tests/test_view.py and tests/test_browser.py: the dataset's own values, read
with pyarrow (independently of the view's index), and the highlights of a document page."""
from __future__ import annotations

import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.dataset as pads

from pipeline.graph.store import snapshot_dir
from pipeline.models import PAGE_SEPARATOR

HEADER = ("number", "date", "issuer", "signer")


def read(root: Path, table: str, filter_doc: str | None = None) -> list[dict]:
    snap = snapshot_dir(root) or root
    d = snap / table
    files = sorted(str(p) for p in d.glob("*.parquet")) if d.is_dir() else []
    if not files:
        return []
    t = pads.dataset(files, format="parquet").to_table()
    rows = t.to_pylist()
    return [r for r in rows if filter_doc is None or r.get("doc_id") == filter_doc]


def doc_text(root: Path, doc_id: str) -> str:
    """The document text as the pipeline defines it: its pages joined by the page separator."""
    pages = sorted(read(root, "pages", doc_id), key=lambda p: p["page"])
    text = PAGE_SEPARATOR.join(p["text"] or "" for p in pages)
    for p in pages:  # the stored offsets agree with that joining
        assert text[p["start"]:p["start"] + len(p["text"] or "")] == (p["text"] or "")
    return text


def expected_values(root: Path, doc_id: str) -> set[tuple[str, int, int]]:
    """(field, start, end) of every value extracted from the document, with a valid span."""
    text = doc_text(root, doc_id)
    out = set()
    doc = read(root, "documents", doc_id)[0]
    for f in HEADER:
        s, e = doc.get(f"{f}_start"), doc.get(f"{f}_end")
        if s is not None and e is not None:
            out.add((f, s, e))
    for c in read(root, "citations", doc_id):
        out.add(("citation", c["start"], c["end"]))
    for t in read(root, "tasks", doc_id):
        out.add(("task", t["start"], t["end"]))
    return {v for v in out if 0 <= v[1] < v[2] <= len(text)}


class Highlights(HTMLParser):
    """Collects every element with data-hl: its field, start, end and the text inside its pieces
    (joined in document order), plus the whole text of <pre id="text">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.values: dict[str, dict] = {}
        self.text_parts: list[str] = []
        self.in_text = 0
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "pre" and a.get("id") == "text":
            self.in_text += 1
        hl = a.get("data-hl")
        if hl and self.in_text:
            v = self.values.setdefault(hl, {"field": a["data-field"], "start": int(a["data-start"]),
                                            "end": int(a["data-end"]), "text": [], "tags": []})
            v["tags"].append((tag, a))
        if tag not in ("br", "img", "input", "meta", "link"):
            self.stack.append((tag, hl if self.in_text else None))

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        if tag == "pre" and self.in_text:
            self.in_text -= 1

    def handle_data(self, data):
        if not self.in_text:
            return
        self.text_parts.append(data)
        for _, hl in self.stack:
            if hl:
                self.values[hl]["text"].append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)


def highlights(html: str) -> Highlights:
    p = Highlights()
    p.feed(html)
    p.close()
    return p


def ocr_fixture(data: Path, dest: Path) -> tuple[Path, str, list[dict], bytes]:
    """A copy of the dataset with `words` and `page_images` for one document: the first lines of its
    text laid out as word boxes on a drawn page."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from PIL import Image, ImageDraw

    shutil.copytree(data, dest, symlinks=True)
    doc = next(d for d in read(dest, "documents") if d["number"] == "76/KH-UBND")
    text = doc_text(dest, doc["doc_id"])
    W, H = 1000, 1400
    words = []
    lines = list(re.finditer(r"[^\n]+", text[:1500]))
    cw = 0.92 / max(len(m.group(0)) for m in lines)  # one character's width
    for line_no, m in enumerate(lines):
        for w in re.finditer(r"\S+", m.group(0)):
            x0, y0 = 0.04 + w.start() * cw, 0.03 + line_no * 0.022
            words.append({"doc_id": doc["doc_id"], "page": 1, "text": w.group(0), "x0": x0, "y0": y0,
                          "x1": x0 + len(w.group(0)) * cw, "y1": y0 + 0.016, "conf": 91.0,
                          "start": m.start() + w.start(), "end": m.start() + w.end()})
    words.append({"doc_id": doc["doc_id"], "page": 1, "text": "ngoài", "x0": 0.5, "y0": 0.95, "x1": 0.6,
                  "y1": 0.97, "conf": 40.0, "start": None, "end": None})  # a word repair lost: no offsets
    img = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(img)
    for w in words:
        draw.rectangle([w["x0"] * W, w["y0"] * H, w["x1"] * W, w["y1"] * H], fill=60)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    png = buf.getvalue()
    snap = snapshot_dir(dest)
    f32 = pa.float32()
    words_schema = pa.schema([("doc_id", pa.string()), ("page", pa.int32()), ("text", pa.string()), ("x0", f32),
                              ("y0", f32), ("x1", f32), ("y1", f32), ("conf", f32), ("start", pa.int64()),
                              ("end", pa.int64())])
    img_schema = pa.schema([("doc_id", pa.string()), ("page", pa.int32()), ("mime", pa.string()),
                            ("width", pa.int32()), ("height", pa.int32()), ("data", pa.binary())])
    for t in ("words", "page_images"):
        (snap / t).mkdir(exist_ok=True)
    pq.write_table(pa.Table.from_pylist(words, schema=words_schema), snap / "words" / "part-test.parquet")
    pq.write_table(pa.Table.from_pylist([
        {"doc_id": doc["doc_id"], "page": 1, "mime": "image/png", "width": W, "height": H, "data": png},
        {"doc_id": doc["doc_id"], "page": 2, "mime": "text/html", "width": W, "height": H,
         "data": b"<script>alert(1)</script>"},
    ], schema=img_schema), snap / "page_images" / "part-test.parquet")
    # float32 in the file: compare with what was stored
    stored = [w for w in read(dest, "words") if w["start"] is not None]
    return dest, doc["doc_id"], stored, png
