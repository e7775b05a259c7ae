"""Handwritten numbers and days in the printed blanks of a signed page (`pipeline.text.handwriting`).

The pages are drawn here: a two-column header with a blank `Số:        /UBND-VP` and
`Lâm Đồng, ngày      tháng 01 năm 2026`, and digits written into the blanks with pen strokes
(slanted, jittered polylines in blue ink), so nothing here needs ../shared. A receipt stamp
("ĐẾN / Số: 3456 / Ngày: 12/5/2025" in a box) is drawn on the header to check that its number and
date never become the document's.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scanlike as sl  # noqa: E402

from pipeline.document import process  # noqa: E402
from pipeline.text import handwriting as hw  # noqa: E402

needs_recogniser = pytest.mark.skipif(not hw.available(), reason="rapidocr/onnxruntime (the `ocr` extra) not installed")

# pen strokes of the digits in a unit box (y down), drawn slanted with a little jitter
STROKES = {
    "0": [[(0.5, 0.0), (0.2, 0.12), (0.08, 0.5), (0.2, 0.88), (0.5, 1.0), (0.8, 0.88), (0.92, 0.5), (0.8, 0.12), (0.5, 0.0)]],
    "1": [[(0.25, 0.22), (0.55, 0.0), (0.55, 1.0)]],
    "2": [[(0.1, 0.25), (0.3, 0.03), (0.62, 0.0), (0.85, 0.18), (0.8, 0.45), (0.1, 1.0), (0.92, 1.0)]],
    "3": [[(0.12, 0.12), (0.4, 0.0), (0.75, 0.05), (0.82, 0.25), (0.45, 0.47), (0.8, 0.6), (0.88, 0.82), (0.6, 1.0),
           (0.25, 0.98), (0.08, 0.85)]],
    "4": [[(0.65, 1.0), (0.65, 0.0), (0.08, 0.7), (0.95, 0.7)]],
    "5": [[(0.85, 0.0), (0.25, 0.0), (0.18, 0.45), (0.5, 0.38), (0.8, 0.5), (0.85, 0.75), (0.6, 0.98), (0.25, 0.98),
           (0.1, 0.85)]],
    "6": [[(0.75, 0.02), (0.4, 0.12), (0.15, 0.5), (0.15, 0.8), (0.4, 1.0), (0.75, 0.9), (0.82, 0.65), (0.55, 0.5),
           (0.2, 0.62)]],
    "7": [[(0.08, 0.0), (0.92, 0.0), (0.4, 1.0)]],
    "8": [[(0.5, 0.47), (0.2, 0.3), (0.25, 0.05), (0.5, 0.0), (0.75, 0.05), (0.8, 0.3), (0.5, 0.47), (0.15, 0.7),
           (0.2, 0.95), (0.5, 1.0), (0.8, 0.95), (0.85, 0.7), (0.5, 0.47)]],
    "9": [[(0.82, 0.35), (0.5, 0.48), (0.18, 0.35), (0.22, 0.08), (0.5, 0.0), (0.8, 0.1), (0.82, 0.35), (0.7, 1.0)]],
}
BLUE = (30, 50, 160)


def write(draw: ImageDraw.ImageDraw, text: str, x: float, y: float, h: float, seed: int = 0,
          colour=BLUE) -> float:
    """Digits written by hand from (x, y), `h` pixels high; returns the x where the pen stopped."""
    rnd = random.Random(seed)
    w, pen = 0.6 * h, max(2, int(h / 11))
    for ch in text:
        for line in STROKES[ch]:
            pts = [(x + (px + rnd.uniform(-0.03, 0.03)) * w + 0.22 * (1 - py) * h, y + (py + rnd.uniform(-0.03, 0.03)) * h)
                   for px, py in line]
            draw.line(pts, fill=colour, width=pen, joint="curve")
        x += w * 1.15
    return x


def _font(style: str, px: int):
    return sl._load_font(sl._family().files[(False, style)], px)


def header_page(number: str | None = None, day: str | None = None, stamp: str | None = None,
                stamp_at: str = "below", leader: bool = False) -> Image.Image:
    """An A4 page at 300 dpi: header, a short body and a signature block. `number` / `day` are
    written into the blanks by hand; `stamp` ("red" or "black") draws a receipt stamp at `stamp_at`."""
    W, H = 2480, 3508
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    px = 50  # 12 pt
    reg, bold, ital = _font("regular", px), _font("bold", px), _font("italic", px)
    left_c, right_c = 640, 1700

    def centred(text, font, cx, y):
        w = d.textlength(text, font=font)
        d.text((cx - w / 2, y), text, font=font, fill="black")
        return cx - w / 2, cx + w / 2

    centred("ỦY BAN NHÂN DÂN", reg, left_c, 230)
    centred("TỈNH LÂM ĐỒNG", bold, left_c, 295)
    d.line((left_c - 110, 370, left_c + 110, 370), fill="black", width=3)
    centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _font("bold", 44), right_c, 230)
    centred("Độc lập - Tự do - Hạnh phúc", bold, right_c, 295)
    d.line((right_c - 330, 370, right_c + 330, 370), fill="black", width=3)

    # Số:            /UBND-VP  (left column)
    y_so = 420
    so_w, gap, sym = d.textlength("Số:", font=reg), 230, "/UBND-VP"
    x = left_c - (so_w + gap + d.textlength(sym, font=reg)) / 2
    d.text((x, y_so), "Số:", font=reg, fill="black")
    blank_so = x + so_w + 25
    d.text((x + so_w + gap, y_so), sym, font=reg, fill="black")
    centred("V/v báo cáo kết quả cải cách hành chính", _font("regular", 42), left_c, 500)

    # Lâm Đồng, ngày        tháng 01 năm 2026  (right column, italic)
    a, b = "Lâm Đồng, ngày", "tháng 01 năm 2026"
    dgap = 150
    total = d.textlength(a, font=ital) + dgap + d.textlength(b, font=ital)
    x = right_c - total / 2
    d.text((x, y_so), a, font=ital, fill="black")
    blank_day = x + d.textlength(a, font=ital) + 25
    d.text((x + d.textlength(a, font=ital) + dgap, y_so), b, font=ital, fill="black")

    body = [
        "Kính gửi: Ủy ban nhân dân tỉnh Lâm Đồng.",
        "Thực hiện Kế hoạch số 76/KH-UBND ngày 26 tháng 3 năm 2025 của Ủy ban nhân dân tỉnh",
        "về cải cách hành chính năm 2025, Văn phòng báo cáo kết quả thực hiện như sau:",
        "1. Các đơn vị đã hoàn thành việc rà soát thủ tục hành chính theo kế hoạch.",
        "2. Việc số hóa hồ sơ, kết quả giải quyết thủ tục hành chính được duy trì thường xuyên.",
        "Văn phòng kính báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo./.",
    ]
    y = 760
    for line in body:
        d.text((260, y), line, font=_font("regular", 46), fill="black")
        y += 90
    centred("CHÁNH VĂN PHÒNG", bold, right_c, y + 120)
    centred("Nguyễn Văn An", bold, right_c, y + 420)

    if leader:  # a draft printed with dotted blanks: "Số: ……/UBND-VP", "ngày …… tháng"
        for x0, x1 in ((blank_so, blank_so + gap - 45), (blank_day, blank_day + dgap - 45)):
            for x in range(int(x0), int(x1), 16):
                d.ellipse((x, y_so + 48, x + 5, y_so + 53), fill="black")
    if number:
        write(d, number, blank_so, y_so - 22, 72, seed=1)
    if day:
        write(d, day, blank_day, y_so - 20, 68, seed=2)
    if stamp:
        ink = (205, 35, 40) if stamp == "red" else (25, 25, 25)
        # below: under the Số and V/v lines, over the start of the body; issuer: over the issuer's
        # lines, its "Số:" level with the issuer; left: a small one in the margin, level with the Số line
        k = 0.55 if stamp_at == "left" else 1.0
        sx, sy = {"below": (170, 590), "issuer": (60, 150), "left": (30, y_so - 60)}[stamp_at]
        sf, big = _font("bold", int(34 * k)), _font("bold", int(60 * k))
        d.rectangle((sx, sy, sx + int(560 * k), sy + int(230 * k)), outline=ink, width=5)
        d.text((sx + 20 * k, sy + 15 * k), "UBND TỈNH LÂM ĐỒNG", font=sf, fill=ink)
        d.text((sx + 20 * k, sy + 90 * k), "ĐẾN", font=big, fill=ink)
        d.text((sx + 180 * k, sy + 70 * k), "Số: 3456", font=sf, fill=ink)
        d.text((sx + 180 * k, sy + 130 * k), "Ngày: 12/5/2025", font=sf, fill=ink)
    return img


def _run(tmp_path: Path, img: Image.Image, name: str = "page.png"):
    path = tmp_path / name
    img.save(path, dpi=(300, 300))
    return process(path)


@pytest.mark.ocr
@needs_recogniser
def test_handwritten_number_and_day_are_read_into_the_header(tmp_path):
    rec = _run(tmp_path, header_page(number="125", day="15"))
    h = rec.header
    assert h.number == "125/UBND-VP"
    assert h.number_source == "handwritten" and h.number_confidence >= 0.5
    assert h.issue_date == dt.date(2026, 1, 15)
    assert h.date_source == "handwritten" and h.date_confidence >= 0.5
    f = rec.pages[0].header_fields
    assert f["number"]["value"] == "125" and f["day"]["value"] == 15 and f["month"]["source"] == "typed"
    assert "PP-OCR" in rec.pages[0].engine


@pytest.mark.ocr
@needs_recogniser
@pytest.mark.parametrize("colour,where", [("black", "below"), ("red", "below"), ("black", "issuer"),
                                          ("black", "left")])
def test_incoming_stamp_number_is_not_the_documents(tmp_path, colour, where):
    # the blank left blank: the stamp's 3456 and 12/5/2025 must not fill it
    h = _run(tmp_path, header_page(stamp=colour, stamp_at=where)).header
    assert h.number is None and h.issue_date is None and h.issue_year == 2026
    # written: the header's own number and day, never the stamp's
    h = _run(tmp_path, header_page(number="125", day="15", stamp=colour, stamp_at=where), "signed.png").header
    assert h.number == "125/UBND-VP"
    assert h.issue_date == dt.date(2026, 1, 15)


@pytest.mark.ocr
@needs_recogniser
@pytest.mark.parametrize("leader", [False, True])
def test_a_blank_draft_stays_blank(tmp_path, leader):
    rec = _run(tmp_path, header_page(leader=leader))
    h = rec.header
    assert h.number is None and h.symbol == "UBND-VP" and h.issue_date is None
    assert rec.pages[0].header_fields["number"]["source"] == "blank"
    assert "PP-OCR" not in rec.pages[0].engine  # nothing to read: the recogniser did not run


@needs_recogniser
def test_recogniser_reads_written_digits_and_loads_once():
    img = Image.new("RGB", (420, 120), "white")
    write(ImageDraw.Draw(img), "289", 20, 25, 70)
    [(digits, conf, _free)] = hw.read_digits([(np.asarray(img), None, False)])
    assert digits == "289" and conf > 0.8
    assert hw._recogniser() is hw._recogniser()


def _reading(s: str, confs: dict[int, float] | None = None) -> hw.Reading:
    glyphs = []
    for i, c in enumerate(s):
        d = c if c.isdigit() else hw._LOOKALIKE.get(c)
        glyphs.append(hw.Glyph(c, d, (confs or {}).get(i, 0.99) if d else 0.0, i / max(1, len(s))))
    return hw.Reading(glyphs)


def test_digits_stop_at_the_symbol_and_skip_the_label():
    assert hw._digits_of(_reading("493TTr-C"), "TTr-CAT-PC04")[0] == "493"  # the 3 written over the slash
    assert hw._digits_of(_reading(":855/"), "CAT-PA05")[0] == "855"
    assert hw._digits_of(_reading("S0:40/1"), "HCCV", label=True)[0] == "40"  # "Số:" read with the field
    assert hw._digits_of(_reading("A16"), "TTr-CAT(PC04)")[0] == "416"  # an open-top 4
    assert hw._digits_of(_reading("g 12"))[0] == "12"  # the tail of "tháng" before the month
    digits, conf, _ = hw._digits_of(_reading("14x13"))
    assert digits == "14" and conf < 0.99  # digits after a stray mark make the reading unsure


def _fr(v, c=0.95, s="handwritten"):
    return hw.FieldReading(v, c, s)


def test_fuse_date_plausibility_and_signature():
    jan = _fr(1, 0.97, "typed")
    assert hw.fuse_date(_fr(15), jan, 2026).value == "2026-01-15"
    assert hw.fuse_date(_fr(31), _fr(2, 0.97, "typed"), 2026).value is None  # 31 February
    # no date after the file's latest digital signature; a signing day confirms
    assert hw.fuse_date(_fr(28), jan, 2026, [dt.date(2026, 1, 20)]).value is None
    f = hw.fuse_date(_fr(20, 0.6), jan, 2026, [dt.date(2026, 1, 20)])
    assert f.value == "2026-01-20" and f.confidence >= 0.95
    # an unread day: the signing day of the printed month and year, at a lower confidence
    f = hw.fuse_date(_fr(None, 0.2), jan, 2026, [dt.date(2026, 1, 20)])
    assert (f.value, f.source) == ("2026-01-20", "signature") and f.confidence < 0.9
    assert hw.fuse_date(_fr(None, 0.2), jan, 2026, [dt.date(2026, 2, 3)]).value is None
    # unsure handwriting is null, not a guess
    assert hw.fuse_date(_fr(15, 0.3), jan, 2026).value is None


def test_signing_dates_of_an_unsigned_file_is_empty(tmp_path):
    assert hw.signing_dates(b"%PDF-1.4 not signed") == []
    img = header_page()
    pdf = tmp_path / "p.pdf"
    img.save(pdf, "PDF", resolution=300)
    assert hw.signing_dates(pdf.read_bytes()) == []


@pytest.mark.ocr
@needs_recogniser
@pytest.mark.parametrize("where", ["below", "issuer"])
def test_a_red_receipt_stamp_is_kept_as_its_own_record(tmp_path, where):
    """The stamp is evidence of when the letter reached whom: a receipt record, apart from the
    header (whose number and day stay the document's own)."""
    rec = _run(tmp_path, header_page(number="125", day="15", stamp="red", stamp_at=where))
    assert rec.header.number == "125/UBND-VP" and rec.header.issue_date == dt.date(2026, 1, 15)
    [r] = rec.receipts
    assert r.register_number == "3456" and r.received_date == dt.date(2025, 5, 12)
    assert r.receiver and "LÂM ĐỒNG" in r.receiver.upper()
    assert r.box[1] < 0.3 and r.page == 1


@pytest.mark.ocr
@needs_recogniser
@pytest.mark.parametrize("where", ["below", "issuer"])
def test_a_black_receipt_stamp_is_found_by_its_frame(tmp_path, where):
    """Form 5: no colour to find it by (a black pad, a grey scan): the stamp's frame is."""
    page = header_page(number="125", day="15", stamp="black", stamp_at=where)
    for img in (page, page.convert("L")):
        rec = _run(tmp_path, img, f"{img.mode}.png")
        assert rec.header.number == "125/UBND-VP" and rec.header.issue_date == dt.date(2026, 1, 15)
        [r] = rec.receipts
        assert r.box[1] < 0.3 and r.page == 1 and "LÂM ĐỒNG" in (r.receiver or "")
        if where == "below":
            assert r.register_number == "3456" and r.received_date == dt.date(2025, 5, 12)
        # over the issuer's printed lines, black on black, the recogniser misreads the number and
        # the day (3450, no date): the stamp is found, its fields are not to be trusted (README)


def test_stamp_forms_are_parsed():
    from pipeline.text.stamps import parse_stamp

    # Form 1: dotted blank filled by hand, the dots are not separators
    f = parse_stamp(["UBND TINH LÂM DÓNG", "So:17.026", "DÊN", "Ngày:2.3.-10-2025...", "Chuyěn:.p.N.C."])
    assert (f["register_number"], f["received_date"], f["forwarded_to"]) == ("17026", dt.date(2025, 10, 23), "p.N.C")
    assert f["receiver"] == "UBND TỈNH LÂM ĐỒNG"  # the body's name as the gazetteer spells it
    # Form 3: an hour, a two-digit year
    f = parse_stamp(["CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", "ĐẾN", "Giờ: 5", "Ngày: 04/01/21"])
    assert (f["received_hour"], f["received_date"], f["receiver"]) == (5, dt.date(2021, 1, 4), "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ")
    # Form 4: the register number left blank; the letter's own "Số: 40/HCCV" under the stamp is not it
    f = parse_stamp(["So:40/HC", "SỞ TƯ PHÁP TỈNH LÂM ĐỒNG", "Só:", "DÉN", "N05/9/2025."])
    assert f["register_number"] is None and f["received_date"] == dt.date(2025, 9, 5)
    # a slash before a two-digit year read as a 1
    assert parse_stamp(["ĐẾN", "Gio:...C", "Ngay: 29|.3.121"])["received_date"] == dt.date(2021, 3, 29)
    # not a receipt stamp: an urgency stamp
    assert parse_stamp(["HỎA TỐC"]) is None
