"""The batch runner with real and hostile inputs: every bad file is one failures row with a clear
reason, the rest of the batch is written, a re-run adds nothing twice."""
import io
import shutil

import pandas as pd
import pytest

from pipeline.errors import ExitCode
from pipeline.ingest import ingest
from pipeline.document import process

GOOD = ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 76/KH-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nQuảng Ngãi, ngày 26 tháng 3 năm 2024\n\nKẾ HOẠCH\nNâng cao năng lực y tế cơ sở\n\n"
        "Thực hiện Chỉ thị số 05-CT/TU ngày 18/12/2023 của Ban Thường vụ Tỉnh ủy, UBND tỉnh ban hành Kế hoạch.\n"
        "Nơi nhận:\n- Sở Y tế;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nVõ Thị Thanh Hà\n")


def _docx_bytes(text: str) -> bytes:
    import docx

    d = docx.Document()
    table = d.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.text = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 2468/UBND-KGVX\nV/v đôn đốc thực hiện Kế hoạch số 76/KH-UBND"
    right.text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nQuảng Ngãi, ngày 12 tháng 6 năm 2024"
    for line in text.split("\n"):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf_with_text(path, lines):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
    pdfmetrics.registerFont(TTFont("DejaVuSerif", font))
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("DejaVuSerif", 11)
    y = 800
    for ln in lines:
        c.drawString(60, y, ln)
        y -= 16
    c.showPage()
    c.save()


@pytest.fixture
def batch(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    (d / "bom.txt").write_bytes(b"\xef\xbb\xbf" + GOOD.replace("76/KH", "77/KH").encode("utf-8"))
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (d / "latin1.txt").write_bytes("Quyết định số 12/QĐ-UBND".encode("cp1258", errors="replace") + b"\xff\xfe\xfa")
    (d / "fake.pdf").write_bytes(b"this is not a pdf at all")
    (d / "english.txt").write_text("This is an English memo about the weather. " * 50, encoding="utf-8")
    (d / "huge.txt").write_text(("Quyết định số 1/QĐ-UBND về việc tăng cường. " * 480_000), encoding="utf-8")  # ~21 MB
    (d / "draft.docx").write_bytes(_docx_bytes("Kính gửi: Sở Y tế\nUBND tỉnh đề nghị Sở Y tế thực hiện Kế hoạch số 76/KH-UBND."))
    (d / "notes.xyz").write_text("?", encoding="utf-8")
    return d


def test_hostile_batch_goes_on(batch, tmp_path):
    out = tmp_path / "out"
    s = ingest([str(batch)], str(out), jobs=1)  # default limits
    assert s.exit_code() == ExitCode.partial
    docs = pd.read_parquet(out / "documents")
    fails = pd.read_parquet(out / "failures")
    assert sorted(p.split("/")[-1] for p in docs.source_path) == ["bom.txt", "draft.docx", "good.txt"]
    reasons = dict(zip(fails.source_path.str.split("/").str[-1], fails.error))
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert "not UTF-8" in reasons["latin1.txt"]
    assert "not a PDF" in reasons["fake.pdf"]
    assert "Vietnamese" in reasons["english.txt"]
    assert "too large" in reasons["huge.txt"]
    assert "unsupported file type" in reasons["notes.xyz"]
    # the docx header table was read: number, type, issuer
    d = docs.set_index(docs.source_path.str.split("/").str[-1]).loc["draft.docx"]
    assert (d.number, d.doc_type, d.issuer) == ("2468/UBND-KGVX", "Công văn", "Ủy ban nhân dân tỉnh Quảng Ngãi")


def test_rerun_adds_nothing_twice(batch, tmp_path):
    out = tmp_path / "out"
    ingest([str(batch / "good.txt"), str(batch / "bom.txt")], str(out))
    s2 = ingest([str(batch)], str(out))
    assert s2.unchanged == 2 and s2.written == 1  # only the docx is new
    docs = pd.read_parquet(out / "documents")
    assert docs.doc_id.is_unique and len(docs) == 3
    cits = pd.read_parquet(out / "citations")
    assert (cits.groupby("doc_id").size() > 0).all()


def test_same_content_under_two_names_is_one_document(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(GOOD, encoding="utf-8")
    (d / "b.txt").write_text(GOOD, encoding="utf-8")
    s = ingest([str(d)], str(tmp_path / "out"))
    assert s.written == 1 and s.unchanged == 1


def test_parallel_matches_serial(tmp_path, samples):
    a = ingest([str(samples)], str(tmp_path / "a"), jobs=1)
    b = ingest([str(samples)], str(tmp_path / "b"), jobs=2, batch_size=3)
    da = pd.read_parquet(tmp_path / "a" / "citations").sort_values(["doc_id", "start"]).reset_index(drop=True)
    db = pd.read_parquet(tmp_path / "b" / "citations").sort_values(["doc_id", "start"]).reset_index(drop=True)
    assert a.written == b.written == len(list(samples.glob("*.txt")))
    pd.testing.assert_frame_equal(da, db)


def test_pdf_text_layer_and_needs_ocr(tmp_path):
    pdf = tmp_path / "cv.pdf"
    _pdf_with_text(pdf, GOOD.split("\n"))
    rec = process(pdf, ocr=False)
    assert rec.header.number == "76/KH-UBND" and rec.kind == "pdf" and not rec.ocr
    # a PDF page with no text layer is a needs_ocr failure when OCR is off
    from reportlab.pdfgen import canvas

    img_pdf = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(img_pdf))
    c.rect(50, 50, 200, 200, fill=1)
    c.showPage()
    c.save()
    out = tmp_path / "out"
    ingest([str(img_pdf)], str(out), ocr=False)
    fails = pd.read_parquet(out / "failures")
    assert list(fails.stage) == ["needs_ocr"]


def test_missing_path_exit_code(tmp_path):
    s = ingest([str(tmp_path / "nope")], str(tmp_path / "out"))
    assert s.exit_code() == ExitCode.input_missing


def test_tables_exist_with_schema_even_when_empty(tmp_path):
    from pipeline.graph.store import SCHEMAS

    out = tmp_path / "out"
    ingest([str(tmp_path / "nope")], str(out))
    for table, schema in SCHEMAS.items():
        df = pd.read_parquet(out / table)
        assert list(df.columns) == schema.names, table


def test_an_unchanged_run_is_decided_without_the_store(tmp_path):
    """After a run, `_graph/known.json` describes the snapshot; an unchanged re-run reads it and
    ends without importing pyarrow, with the same counts; a changed input, or a snapshot written
    since, sends the run through the store again."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from pipeline.graph import known

    samples = Path(__file__).resolve().parent.parent / "corpus" / "samples"
    src = tmp_path / "in"
    src.mkdir()
    for f in sorted(samples.glob("*.txt"))[:3]:
        shutil.copy(f, src / f.name)
    (src / "bad.xyz").write_text("?")
    out = tmp_path / "out"
    first = ingest([str(src)], str(out))
    k = known.load(out)
    assert k is not None and len(k.doc_ids) == 3 and len(k.failed) == 1
    code = ("import sys; from pipeline.ingest import ingest; "
            f"s = ingest([{str(src)!r}], {str(out)!r}); "
            "print(s.seen, s.unchanged, s.unchanged_failed, s.written, s.nodes, s.edges, 'pyarrow' in sys.modules)")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert got == [str(x) for x in (4, 3, 1, 0, first.nodes, first.edges)] + ["False"]
    # a new file: the store is opened and the file written; the side file follows the new snapshot
    shutil.copy(sorted(samples.glob("*.txt"))[4], src / "new.txt")
    again = ingest([str(src)], str(out))
    assert again.written == 1 and again.unchanged == 3 and len(known.load(out).doc_ids) == 4
    # a side file of another snapshot is not used
    (out / known.FILE).write_text((out / known.FILE).read_text().replace(known.current_snapshot(out), "999999"))
    assert known.load(out) is None
    assert ingest([str(src)], str(out)).unchanged == 4
