"""Multi-image documents (issue 8, part 4): page images of one document given as separate files
are ingested as one document (`text.sources` grouping rule), unless `--no-group-pages`."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.cli import main
from pipeline.document import PageGroup, blank_frames, process_safe
from pipeline.ingest import ingest
from pipeline.models import Failure
from pipeline.text.sources import discover, page_key

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
W, H = 1240, 1754  # A4 at 150 dpi

PAGE1 = [
    ("ỦY BAN NHÂN DÂN", 80, 110, True),
    ("TỈNH QUẢNG NGÃI", 80, 150, True),
    ("Số: 76/KH-UBND", 80, 200, False),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 560, 110, True),
    ("Độc lập - Tự do - Hạnh phúc", 640, 150, True),
    ("Quảng Ngãi, ngày 26 tháng 3 năm 2024", 600, 200, False),
    ("KẾ HOẠCH", 540, 320, True),
    ("Nâng cao năng lực phòng, chống dịch bệnh", 330, 370, True),
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", 120, 470, False),
    ("Thực hiện Chỉ thị số 05-CT/TU ngày 18/12/2023 của Ban Thường vụ Tỉnh ủy,", 120, 520, False),
    ("Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện như sau:", 120, 570, False),
]
PAGE2 = [
    ("I. MỤC ĐÍCH, YÊU CẦU", 120, 110, True),
    ("1. Nâng cao năng lực của hệ thống y tế trên địa bàn tỉnh.", 120, 170, False),
    ("2. Giao Sở Y tế chủ trì, phối hợp với các sở, ngành triển khai thực hiện.", 120, 220, False),
    ("Nơi nhận:", 80, 400, True),
    ("- Sở Y tế;", 80, 440, False),
    ("- Lưu: VT.", 80, 480, False),
    ("TM. ỦY BAN NHÂN DÂN", 700, 400, True),
    ("KT. CHỦ TỊCH", 760, 440, True),
    ("PHÓ CHỦ TỊCH", 750, 480, True),
    ("Võ Thị Thanh Hà", 740, 640, True),
]


def _page(lines, path: Path) -> None:
    img = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(img)
    regular, bold = ImageFont.truetype(FONT, 26), ImageFont.truetype(FONT_BOLD, 26)
    for text, x, y, b in lines:
        d.text((x, y), text, font=bold if b else regular, fill=0)
    img.save(path, dpi=(150, 150))


@pytest.fixture(scope="module")
def kh76_pages(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scans") / "kh76"
    folder.mkdir()
    _page(PAGE1, folder / "kh76_p1.png")
    _page(PAGE2, folder / "kh76_p2.png")
    return folder


def _touch(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        (folder / n).write_bytes(n.encode())


def test_page_tokens():
    assert page_key("a/scan_p1.jpg") == ("scan", "jpg", 1)
    assert page_key("a/doc-page-0002.png") == ("doc", "png", 2)
    assert page_key("a/X_12.TIFF") == ("x_", "tif", 12)
    assert page_key("a/page-1.jpeg") == ("", "jpg", 1)
    assert page_key("a/Trang 3.jpg") == ("", "jpg", 3)
    assert page_key("a/scan.jpg") is None
    assert page_key("a/scan_p1.pdf") is None


def test_grouping_rule(tmp_path):
    mixed = tmp_path / "mixed"
    _touch(mixed, "scan_p2.jpg", "scan_p1.JPEG", "scan_p10.jpg", "doc-page-0001.png", "doc-page-0002.png",
           "X_1.tif", "X_2.tiff", "lone_p1.jpg", "other_p1.png", "note.txt")
    found, _ = discover([str(mixed)])
    groups = {s.path: [Path(m).name for m in s.members] for s in found if s.members}
    singles = sorted(Path(s.path).name for s in found if not s.members)
    assert singles == ["lone_p1.jpg", "note.txt", "other_p1.png"]
    assert groups == {
        str(mixed / "doc-page-0001.png") + " (+1 pages)": ["doc-page-0001.png", "doc-page-0002.png"],
        str(mixed / "scan_p1.JPEG") + " (+2 pages)": ["scan_p1.JPEG", "scan_p2.jpg", "scan_p10.jpg"],
        str(mixed / "X_1.tif") + " (+1 pages)": ["X_1.tif", "X_2.tiff"],
    }
    # a folder of nothing but numbered page images is one document, named by the folder
    only = tmp_path / "only"
    _touch(only, "page-2.jpg", "page-1.jpg", "3.png", "README.md")
    [g] = discover([str(only)])[0]
    assert g.path == str(only) and [Path(m).name for m in g.members] == ["page-1.jpg", "page-2.jpg", "3.png"]
    # the same with a sub-folder or another kind of file: rule 1 only
    _touch(only / "sub", "a.txt")
    found = discover([str(only)])[0]
    assert [Path(s.path).name for s in found if s.members] == ["page-1.jpg (+1 pages)"]
    # grouping off: every file alone
    assert all(s.members is None for s in discover([str(mixed)], group=False)[0])


def test_group_is_picklable_and_failures_name_it(tmp_path):
    _touch(tmp_path, "bad_p1.png", "bad_p2.png")
    [s] = discover([str(tmp_path)])[0]
    task = s.task
    assert isinstance(task, PageGroup) and pickle.loads(pickle.dumps(task)) == task
    res = process_safe(task)
    assert isinstance(res, Failure) and res.source_path == str(tmp_path)
    assert "bad_p1.png" in res.error
    summary = ingest([str(tmp_path)], str(tmp_path / "out"))
    assert summary.failed == 1 and summary.failures[0][0] == str(tmp_path)


@pytest.mark.ocr
def test_page_images_are_one_document(kh76_pages, tmp_path):
    out = tmp_path / "out"
    s = ingest([str(kh76_pages)], str(out), isolate=True)  # through the worker pool (the group pickled)
    assert (s.written, s.failed, s.pages) == (1, 0, 2), s.format()
    docs = pd.read_parquet(out / "documents")
    assert len(docs) == 1
    row = docs.iloc[0]
    assert row.source_path == str(kh76_pages)
    assert row.number == "76/KH-UBND"
    pages = pd.read_parquet(out / "pages")
    assert sorted(pages.page) == [1, 2]
    assert "Võ Thị Thanh Hà" in " ".join(pages.sort_values("page").text)
    # an unchanged re-run recognises the group and writes nothing
    again = ingest([str(kh76_pages)], str(out))
    assert (again.written, again.unchanged, again.failed) == (0, 1, 0)
    # grouping off (--no-group-pages): two documents, one per image
    out2 = tmp_path / "out2"
    summary = tmp_path / "summary.json"
    assert main(["ingest", str(kh76_pages), "--out", str(out2), "--no-group-pages", "-q",
                 "--summary-json", str(summary)]) == 0
    assert json.loads(summary.read_text())["written"] == 2
    assert len(pd.read_parquet(out2 / "documents")) == 2


def _blank_back(path: Path, seed: int = 0) -> None:
    """The back of a duplex scan: off-white paper, scanner noise and speckle, the seal of the
    front showing through faintly."""
    import numpy as np

    img = Image.new("RGB", (W, H), (250, 248, 245))
    ImageDraw.Draw(img).ellipse((800, 300, 1100, 600), outline=(235, 205, 205), width=12)
    rng = np.random.default_rng(seed)
    a = np.asarray(img).astype(int) + rng.normal(0, 6, (H, W, 3)).astype(int)
    a[rng.random((H, W)) < 0.0005] = 30
    Image.fromarray(np.clip(a, 0, 255).astype("uint8")).save(path, quality=70)


def test_blank_backs_are_detected(tmp_path):
    _blank_back(tmp_path / "back.jpg")
    assert blank_frames((tmp_path / "back.jpg").read_bytes()) == {1}
    _page(PAGE2[-1:], tmp_path / "name_only.png")  # only the signer's name: kept
    assert blank_frames((tmp_path / "name_only.png").read_bytes()) == set()


@pytest.mark.ocr
def test_blank_back_of_a_duplex_scan_is_skipped(kh76_pages, tmp_path):
    folder = tmp_path / "duplex"
    folder.mkdir()
    (folder / "kh76_p1.png").write_bytes((kh76_pages / "kh76_p1.png").read_bytes())
    _blank_back(folder / "kh76_p2.png")
    (folder / "kh76_p3.png").write_bytes((kh76_pages / "kh76_p2.png").read_bytes())
    s = ingest([str(folder)], str(tmp_path / "out"))
    assert (s.written, s.pages, s.blank_pages_skipped) == (1, 2, 1), s.format()
    assert "blank pages skipped: 1" in s.format()
    pages = pd.read_parquet(tmp_path / "out" / "pages")
    assert sorted(pages.page) == [1, 2]
