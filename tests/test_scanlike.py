"""Tests of the scan-like page generator (tests/scanlike.py) that OCR tests and `make eval-ocr` use."""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scanlike as sl  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "samples"
KH76 = SAMPLES / "04_kh_76-kh-ubnd.txt"


@pytest.fixture(scope="module")
def kh76_text() -> str:
    return KH76.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def kh76_150(kh76_text) -> sl.Rendered:
    return sl.render(kh76_text, dpi=150)


@pytest.fixture(scope="module")
def last_page(kh76_150) -> sl.Rendered:
    """The signature page alone (small and quick to degrade)."""
    r = kh76_150
    return sl.Rendered(r.pages[-1:], r.reference[-1:], r.dpi, r.regions[-1:], r.issuer)


@pytest.mark.parametrize("dpi", [100, 150])
def test_render_pages_are_a4_at_the_dpi(kh76_text, dpi):
    r = sl.render(kh76_text, dpi=dpi)
    assert len(r.pages) >= 1 and len(r.reference) == len(r.pages)
    assert r.dpi == dpi
    size = (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi))
    assert size == sl.a4_size(dpi)
    for page in r.pages:
        assert page.mode == "RGB" and page.size == size


def test_reference_reading_order(kh76_150):
    first, last = kh76_150.reference[0].splitlines(), kh76_150.reference[-1].splitlines()
    # Left header column, right header column, then the title.
    assert first[:6] == ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "Số: 76/KH-UBND",
                         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                         "Quảng Ngãi, ngày 26 tháng 3 năm 2024"]
    assert first[6] == "KẾ HOẠCH"
    # Last page: the Nơi nhận column, then the signature column ending with the signer.
    i = last.index("Nơi nhận:")
    assert last[i + 1] == "- Ban Thường vụ Tỉnh ủy (b/c);"
    assert last[-4:] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Võ Thị Thanh Hà"]
    assert all(ref == ref.strip() for ref in kh76_150.reference)


def test_split_header_variants():
    # Quốc hiệu first, issuer after the date (14), V/v under Số (13), a flattened web copy (11).
    gm = sl.split_document((SAMPLES / "14_gm_412-gm-syt.txt").read_text(encoding="utf-8"))
    assert gm.header_left == ["UBND TỈNH QUẢNG NGÃI", "SỞ Y TẾ", "Số: 412/GM-SYT"]
    assert gm.header_right[-1] == "Quảng Ngãi, ngày 06 tháng 10 năm 2025"
    assert gm.title == ["GIẤY MỜI"] and gm.signer == ["Trần Thị Mỹ Dung"]
    cv = sl.split_document((SAMPLES / "13_cv_1056-ubnd-tckh.txt").read_text(encoding="utf-8"))
    assert cv.number == ["Số: 1056/UBND-TCKH"] and len(cv.vv) == 2 and not cv.title
    assert cv.body[0] == "Kính gửi: Sở Tài chính tỉnh Quảng Ngãi."
    web = sl.split_document((SAMPLES / "11_cv_456-ubnd-kgvx.txt").read_text(encoding="utf-8"))
    assert web.issuer == ["ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"] and web.number == ["Số: 456/UBND-KGVX"]
    assert web.national == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert web.signature == ["TUQ. CHỦ TỊCH", "GIÁM ĐỐC SỞ Y TẾ"] and web.signer == ["Lê Văn Thạnh"]
    assert web.trailing and web.trailing[0].startswith("Cổng thông tin")
    # Side-by-side columns in one text line.
    side = sl.split_document("ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH X\t\tĐộc lập - Tự do - "
                             "Hạnh phúc\nSố:     /UBND-NC      X, ngày   tháng 3 năm 2025\n\nNội dung.\n"
                             "Nơi nhận:\t\tKT. CHỦ TỊCH\n- Như trên;\t\tPHÓ CHỦ TỊCH\n- Lưu: VT.\n\n\tNguyễn Văn A\n")
    assert side.issuer == ["ỦY BAN NHÂN DÂN", "TỈNH X"] and side.number == ["Số: /UBND-NC"]
    assert [" ".join(x.split()) for x in side.place_date] == ["X, ngày tháng 3 năm 2025"]
    assert side.recipients == ["Nơi nhận:", "- Như trên;", "- Lưu: VT."]
    assert side.signature == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] and side.signer == ["Nguyễn Văn A"]


def test_signature_without_noi_nhan():
    text = ("ỦY BAN NHÂN DÂN\nTỈNH X\nSố: 5/QĐ-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\nX, ngày 1 tháng 2 năm 2024\n\nQUYẾT ĐỊNH\nVề việc A\n\n"
            "Nội dung một.\nNội dung hai./.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn A\n")
    parts = sl.split_document(text)
    assert parts.title == ["QUYẾT ĐỊNH"] and parts.subject == ["Về việc A"]
    assert parts.body == ["Nội dung một.", "Nội dung hai./."] and not parts.recipients
    assert parts.signature == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] and parts.signer == ["Nguyễn Văn A"]


def test_no_header_is_all_body():
    parts = sl.split_document("Một đoạn văn bản thường.\nKhông có quốc hiệu.\n")
    assert not parts.has_header and parts.body == ["Một đoạn văn bản thường.", "Không có quốc hiệu."]
    r = sl.render("Một đoạn văn bản thường.", dpi=60)
    assert r.reference == ["Một đoạn văn bản thường."]


def test_arbitrary_text_never_crashes():
    frags = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 1/QĐ-UBND", "V/v ",
             "Kính gửi:", "Nơi nhận:", "- Như trên;", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "Nguyễn Văn A",
             "Hà Nội, ngày 1 tháng 2 năm 2024", "\t", "    ", " | ", "\n", "\r", "\x00", "\x0c", "\u200b", "😀",
             "漢字", "e\u0301", "*", "-----", "x" * 200, ", ngày", "TUQ.", "(", ":", "/"]
    rnd = random.Random(1234)
    for i in range(400):
        text = "".join(rnd.choice(frags) if rnd.random() < 0.7 else chr(rnd.randint(1, 0x2FFF))
                       for _ in range(rnd.randint(0, 30)))
        sl.split_document(text)
        if i % 100 == 0:
            r = sl.render(text, dpi=40, seed=i)
            assert len(r.pages) == len(r.reference) >= 1
    assert sl.render("", dpi=40).reference == [""]


@pytest.mark.parametrize("name", sorted(sl.CONDITIONS))
def test_degrade_presets_size_and_determinism(last_page, name):
    cond = sl.CONDITIONS[name]
    a = sl.degrade(last_page, **cond, seed=7)
    b = sl.degrade(last_page, **cond, seed=7)
    scale = cond.get("scale", 1.0)
    w, h = last_page.pages[0].size
    assert a.dpi == round(last_page.dpi * scale)
    assert a.pages[0].size == (round(w * scale), round(h * scale)) and a.pages[0].mode == "RGB"
    assert a.reference == last_page.reference
    assert np.array_equal(np.asarray(a.pages[0]), np.asarray(b.pages[0]))
    if name != "clean":
        c = sl.degrade(last_page, **cond, seed=8)
        differs = not np.array_equal(np.asarray(a.pages[0]), np.asarray(c.pages[0]))
        changed = not np.array_equal(np.asarray(a.pages[0].resize(last_page.pages[0].size)),
                                     np.asarray(last_page.pages[0]))
        assert changed and (differs or name in ("skew3", "half_res", "jpeg_q20"))


def test_seal_and_ink_land_on_the_signature_block(last_page):
    d = sl.degrade(last_page, seal=True, signature_ink=True, seed=3)
    arr = np.asarray(d.pages[0]).astype(int)
    x0, y0, x1, y1 = last_page.regions[0]["signature"]
    pad = int(last_page.dpi / 25.4 * 25)
    block = arr[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1]
    red = (block[..., 0] - block[..., 2] > 60).sum()
    blue = (block[..., 2] - block[..., 0] > 60).sum()
    assert red > 1000 and blue > 200
    outside = arr[: y0 - pad]
    assert (np.abs(outside[..., 0] - outside[..., 2]) > 30).sum() == 0


def test_rotate90_and_photocopy(last_page):
    d = sl.degrade(last_page, rotate90=1, photocopy=True, seed=1)
    w, h = last_page.pages[0].size
    assert d.pages[0].size == (h, w)
    back = np.rot90(np.asarray(d.pages[0]), -1)
    assert back.shape[:2] == (h, w)
    gray = np.asarray(d.pages[0]).astype(int)
    assert np.median(gray) < 235  # grey paper


def test_to_pdf_is_image_only(tmp_path, kh76_150):
    pdfplumber = pytest.importorskip("pdfplumber")
    r = sl.degrade(kh76_150, seal=True, seed=1)
    path = tmp_path / "scan.pdf"
    sl.to_pdf(r, path)
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == len(r.pages)
        for page, img in zip(pdf.pages, r.pages):
            assert not (page.extract_text() or "").strip()
            assert not page.chars
            assert len(page.images) == 1
            assert page.width == pytest.approx(img.width * 72 / r.dpi, abs=0.01)
            assert page.width == pytest.approx(595.3, abs=0.5) and page.height == pytest.approx(841.9, abs=0.5)
    data = path.read_bytes()
    sl.to_pdf(r, tmp_path / "again.pdf")
    assert (tmp_path / "again.pdf").read_bytes() == data


def test_save_images_formats(tmp_path, last_page):
    from PIL import Image

    r = sl.Rendered(last_page.pages * 2, last_page.reference * 2, last_page.dpi)
    for fmt, ext in (("png", ".png"), ("jpg", ".jpg"), ("tif", ".tif")):
        paths = sl.save_images(r, tmp_path / fmt, fmt)
        assert [p.suffix for p in paths] == [ext, ext] and all(p.exists() for p in paths)
    (multi,) = sl.save_images(r, tmp_path / "multi", "tiff-multi")
    with Image.open(multi) as im:
        assert im.n_frames == 2 and round(im.info["dpi"][0]) == r.dpi
    with pytest.raises(ValueError):
        sl.save_images(r, tmp_path, "bmp")


def _tesseract_vie() -> str | None:
    if shutil.which("tesseract") is None:
        return "tesseract is not installed (make install: apt-get install tesseract-ocr tesseract-ocr-vie)"
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except Exception as e:  # pragma: no cover
        return f"tesseract --list-langs failed: {e}"
    if "vie" not in langs.split():
        return "tesseract has no 'vie' model (apt-get install tesseract-ocr-vie)"
    return None


@pytest.mark.ocr
def test_tesseract_reads_the_clean_render(tmp_path, kh76_text):
    why = _tesseract_vie()
    if why:
        pytest.skip(why)
    r = sl.render(kh76_text, dpi=300)
    (png,) = sl.save_images(sl.Rendered(r.pages[:1], r.reference[:1], r.dpi), tmp_path)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = subprocess.run(["tesseract", str(png), "stdout", "-l", "vie", "--psm", "4"], capture_output=True,
                         text=True, timeout=120, env=env).stdout
    assert "Số" in out and "76/KH-UBND" in out, out[:500]
