"""OCR stage end to end on scan-like renders made at test time (tests/scanlike.py), and the
pieces that do not need Tesseract (layout, text-layer ordering, failure handling)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scanlike as sl  # noqa: E402

from pipeline.text import ocr as ocr_mod  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402
from pipeline.text.layout import bands  # noqa: E402
from pipeline.text.pdflayer import Word, ordered_text  # noqa: E402
from pipeline.text.preprocess import estimate_skew, prepare, remove_colour_ink, rotate  # noqa: E402
from pipeline.document import process  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "samples"


@pytest.fixture(scope="module")
def kh76() -> sl.Rendered:
    return sl.render((SAMPLES / "04_kh_76-kh-ubnd.txt").read_text(encoding="utf-8"))


def test_layout_finds_the_two_column_header_and_signature(kh76):
    first = bands(prepare(kh76.pages[0], 300).image)
    assert first[0].split is not None  # header band: issuer column | quốc hiệu column
    last = bands(prepare(kh76.pages[-1], 300).image)
    assert any(b.split is not None for b in last[1:])  # Nơi nhận | signature


def test_deskew_recovers_the_angle(kh76):
    grey = np.asarray(kh76.pages[0].convert("L"))
    assert abs(estimate_skew(rotate(grey, 2.5)) + 2.5) < 0.3


def test_colour_ink_is_whitened_but_black_text_stays(kh76):
    sealed = sl.degrade(kh76, seal=True, signature_ink=True, seed=3)
    page = np.asarray(sealed.pages[-1])
    grey, share = remove_colour_ink(page)
    assert share > 0.001
    red = (page[:, :, 0] > 150) & (page[:, :, 1] < 90) & (page[:, :, 2] < 90)
    assert (grey[red] == 255).mean() > 0.95
    black = page.max(axis=2) < 60
    assert (grey[black] < 100).mean() > 0.95


def test_text_layer_two_columns_in_reading_order():
    words = [Word("UBND", 60, 100, 50, 60), Word("TỈNH", 104, 140, 50, 60), Word("CỘNG", 300, 340, 50, 60),
             Word("HÒA", 344, 370, 50, 60), Word("SỞ", 80, 100, 64, 74), Word("NỘI", 104, 124, 64, 74),
             Word("VỤ", 128, 140, 64, 74), Word("Độc", 310, 330, 64, 74), Word("lập", 334, 352, 64, 74)]
    assert ordered_text(words, 595).splitlines() == ["UBND TỈNH", "SỞ NỘI VỤ", "CỘNG HÒA", "Độc lập"]


@pytest.mark.ocr
def test_scan_pdf_header_and_signer(kh76, tmp_path):
    pdf = tmp_path / "kh76.pdf"
    sl.to_pdf(sl.degrade(kh76, seal=True, signature_ink=True, seed=1), pdf)
    rec = process(pdf)
    h = rec.header
    assert rec.ocr and all(p.ocr and p.ocr_confidence for p in rec.pages)
    assert (h.number, h.doc_type, str(h.issue_date)) == ("76/KH-UBND", "Kế hoạch", "2024-03-26")
    assert h.issuer == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert rec.signature.signer == "Võ Thị Thanh Hà"  # under the red seal and the blue signature
    assert "05-CT/TU" in {c.cited_number for c in rec.citations}
    assert "tesseract" in rec.pages[0].engine


@pytest.mark.ocr
def test_degraded_photo_page_as_jpeg(kh76, tmp_path):
    r = sl.degrade(sl.Rendered(kh76.pages[:1], kh76.reference[:1], kh76.dpi, kh76.regions[:1], kh76.issuer),
                   skew_deg=2.5, scale=0.5, jpeg_quality=25, noise=0.02, seed=5)
    [jpg] = sl.save_images(r, tmp_path, fmt="jpg")
    rec = process(jpg)
    assert rec.kind == "image" and rec.header.number == "76/KH-UBND"


@pytest.mark.ocr
def test_upside_down_page_is_turned(kh76, tmp_path):
    r = sl.degrade(sl.Rendered(kh76.pages[:1], kh76.reference[:1], kh76.dpi, kh76.regions[:1], kh76.issuer),
                   rotate90=2, seed=2)
    [png] = sl.save_images(r, tmp_path, fmt="png")
    assert process(png).header.number == "76/KH-UBND"


@pytest.mark.ocr
def test_unreadable_page_is_a_failure_row_and_the_others_stand(kh76, tmp_path, monkeypatch):
    [tif] = sl.save_images(kh76, tmp_path, fmt="tiff-multi")
    real = ocr_mod._read
    calls = {"n": 0}

    def flaky(grey):
        calls["n"] += 1
        if calls["n"] == 2:
            raise TimeoutError("OCR timed out after 120 s")
        return real(grey)

    monkeypatch.setattr(ocr_mod, "_read", flaky)
    monkeypatch.setenv("VANBAN_OCR_JOBS", "1")
    out = tmp_path / "out"
    ingest([str(tif)], str(out))
    docs, pages, fails = (pd.read_parquet(out / t) for t in ("documents", "pages", "failures"))
    assert len(docs) == 1 and docs.number[0] == "76/KH-UBND"
    assert list(fails.page) == [2] and "timed out" in fails.error[0] and fails.stage[0] == "ocr"
    assert sorted(pages.page) == [1, 2, 3] and pages.set_index("page").text[2] == ""


@pytest.mark.ocr
def test_word_boxes_are_kept_as_evidence_on_the_page_image(kh76, tmp_path):
    """Each OCR'd word keeps its box and its offsets in the final text, so the number and the
    signer can be boxed on the page image an auditor looks at."""
    import io

    from PIL import Image

    pdf = tmp_path / "kh76.pdf"
    sl.to_pdf(sl.degrade(kh76, seal=True, signature_ink=True, seed=1), pdf)
    rec = process(pdf)
    h, text = rec.header, rec.text
    first = rec.pages[0]
    assert first.image and first.image_size
    assert Image.open(io.BytesIO(first.image)).size == tuple(first.image_size)
    placed = [w for p in rec.pages for w in p.words if w[6] is not None]
    assert len(placed) > 0.95 * sum(len(p.words) for p in rec.pages)
    for w in placed:  # a placed word is the text at its offsets (normalised the same way)
        assert text[w[6]:w[7]] in (w[0], text[w[6]:w[7]]) and len(text[w[6]:w[7]]) == w[7] - w[6]
    on_number = [w for w in first.words if w[6] is not None and w[6] < h.number_span.end and w[7] > h.number_span.start]
    assert "".join(w[0] for w in on_number).endswith("76/KH-UBND")
    assert all(w[4] < 0.25 for w in on_number)  # in the header band at the top of the page
    s = rec.signature.span
    last = [w for p in rec.pages for w in p.words if w[6] is not None and w[6] < s.end and w[7] > s.start]
    assert "Hà" in {w[0] for w in last} and all(w[1] > 0.4 for w in last)  # right-hand signature column


def _junk_layer(text: str, keep_every: int) -> str:
    """What a cheap scanner's OCR layer makes of a page: marks gone from all words but one in
    `keep_every`, "ố" read as "6", letters doubled."""
    import unicodedata

    out = []
    for i, w in enumerate(text.split()):
        w = w.replace("ố", "6").replace("Đ", "D")
        if i % keep_every:
            w = "".join(c for c in unicodedata.normalize("NFD", w) if not unicodedata.combining(c))
        if i % 7 == 3:
            w = w[:1] + w[:1] + w[1:]
        out.append(w)
    return " ".join(out)


@pytest.mark.ocr
@pytest.mark.parametrize("keep_every,reason", [(5, "garbage"), (2, "poor_layer")])
def test_a_page_whose_text_layer_is_junk_is_re_read(kh76, tmp_path, keep_every, reason):
    """A scan with an invisible scanner-OCR layer of poor quality ("S6:", marks gone: from four
    words in five, or from one in two, where every word is still a valid syllable) is routed to OCR
    page by page, as a legacy-font layer is decoded: the number and signer come from the image."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    src = (SAMPLES / "04_kh_76-kh-ubnd.txt").read_text(encoding="utf-8").split("\n")
    pdf = tmp_path / "junk_layer.pdf"
    pages = sl.degrade(kh76, seed=2).pages
    c = canvas.Canvas(str(pdf), pagesize=(595, 842))
    per = max(1, len(src) // len(pages) + 1)
    for i, img in enumerate(pages):
        c.drawImage(ImageReader(img.convert("RGB")), 0, 0, 595, 842)
        t = c.beginText(40, 800)
        t.setTextRenderMode(3)  # invisible, as scanner OCR layers are
        t.setFont("DejaVu", 9)
        for line in src[i * per:(i + 1) * per]:
            t.textLine(_junk_layer(line, keep_every))
        c.drawText(t)
        c.showPage()
    c.save()
    from pipeline.text.read import read_pdf

    routed = read_pdf(pdf.read_bytes())
    assert routed[0].needs_ocr and routed[0].reason == reason
    rec = process(pdf)
    assert rec.pages[0].ocr and "tesseract" in rec.pages[0].engine
    assert rec.header.number == "76/KH-UBND" and rec.signature.signer == "Võ Thị Thanh Hà"


def test_a_poor_layer_is_used_as_it_is_when_ocr_is_off(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    pdf = tmp_path / "poor.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(595, 842))
    t = c.beginText(40, 800)
    t.setFont("DejaVu", 9)
    for line in (SAMPLES / "04_kh_76-kh-ubnd.txt").read_text(encoding="utf-8").split("\n")[:60]:
        t.textLine(_junk_layer(line, 2))
    c.drawText(t)
    c.save()
    rec = process(pdf, ocr=False)
    assert not rec.pages[0].ocr and "poor" in rec.pages[0].engine and "76/KH-UBND" in rec.text
