"""A hostile nightly batch: every kind of bad input mixed with 100 good files, through `vanban
ingest` as cron runs it (a subprocess, 2 workers). Every good file ends in `documents`, every bad
one in `failures` with a clear reason; the run ends with exit 4, well inside its time and memory
budget; an unchanged re-run writes nothing and costs a few percent of the first.

The bad inputs are made here: zero-byte, truncated, random-bytes and encrypted PDFs, a PDF whose
FlateDecode stream inflates to 1 GiB (1 MB on disk), a docx whose document.xml declares 1 GiB, a
30000 × 30000 PNG, a JPEG named .pdf, non-UTF-8 and control-character file names, broken and
looping symlinks, a FIFO, UTF-16 with and without a BOM, CP1258 text and a 200 MB text file."""
from __future__ import annotations

import base64
import io
import os
import random
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "corpus" / "samples"
GiB = 1 << 30

# -- makers ---------------------------------------------------------------------------------------


def zlib_zeros(n_bytes: int, raw: bool = False) -> tuple[bytes, int]:
    """A valid zlib (or raw deflate) stream of `n_bytes` zero bytes, made in about a second: the
    deflate output of a 16 MiB chunk after a full flush does not depend on what came before, so it
    is repeated. Returns (stream, crc32 of the data)."""
    chunk = b"\0" * (1 << 24)
    n = n_bytes // len(chunk)
    assert n * len(chunk) == n_bytes
    c = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    head = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    mid = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    adler, crc = 1, 0
    for _ in range(n):
        adler = zlib.adler32(chunk, adler)
        crc = zlib.crc32(chunk, crc)
    body = head + mid * (n - 1) + b"\x03\x00"  # an empty final block
    return (body if raw else body + struct.pack(">I", adler)), crc


def pdf_bomb(path: Path, inflated: int = GiB) -> None:
    stream, _ = zlib_zeros(inflated)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + o + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(out.getvalue())


def docx_bomb(path: Path, inflated: int = GiB) -> None:
    """A .docx (zip) whose word/document.xml declares and really inflates to `inflated` bytes."""
    members = [("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                       b'package/2006/content-types"/>')]
    out = io.BytesIO()
    central = []

    def add(name: str, data: bytes, crc: int, size: int, method: int) -> None:
        off = out.tell()
        n = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size, len(n), 0) + n + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, len(data), size,
                                   len(n), 0, 0, 0, 0, 0, off) + n)

    for name, data in members:
        add(name, data, zlib.crc32(data), len(data), 0)
    bomb, crc = zlib_zeros(inflated, raw=True)
    add("word/document.xml", bomb, crc, inflated, 8)
    cd = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - cd, cd, 0))
    path.write_bytes(out.getvalue())


def png_huge(path: Path, w: int = 30000, h: int = 30000) -> None:
    """A single-colour PNG of w × h pixels (1-bit grey), about 100 KB on disk."""
    row = b"\0" * (1 + (w + 7) // 8)
    c = zlib.compressobj(9)
    idat = b"".join(c.compress(row * 1000) for _ in range(h // 1000)) + c.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def pdf_text(path: Path, text: str, user_password: str | None = None, owner_password: str | None = None) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSerif", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"))
    enc = None
    if user_password is not None or owner_password is not None:
        enc = pdfencrypt.StandardEncryption(user_password or "", ownerPassword=owner_password or "owner")
    c = canvas.Canvas(str(path), encrypt=enc)
    c.setFont("DejaVuSerif", 10)
    y = 800
    for ln in text.split("\n")[:45]:
        c.drawString(50, y, ln[:110])
        y -= 15
    c.showPage()
    c.save()


def good_texts(n: int) -> list[tuple[str, str]]:
    """n different good documents: the samples, each with one line changed."""
    samples = sorted(SAMPLES.glob("*.txt"))
    out = []
    for i in range(n):
        s = samples[i % len(samples)]
        text = s.read_text(encoding="utf-8")
        out.append((f"g{i:03d}_{s.stem}.txt", text.rstrip("\n") + f"\n(Bản lưu trữ số {i:03d}.)\n"))
    return out


def make_hostile_batch(root: Path, n_good: int = 100, big_mb: int = 200) -> tuple[set[str], dict[str, tuple[str, ...]]]:
    """Write the batch under root; returns (names expected in documents, name → accepted reason words).
    Names are paths relative to root, as `os.fsdecode` gives them."""
    good, bad, links = root / "good", root / "bad", root / "links"
    for d in (good, bad, links):
        d.mkdir(parents=True)
    docs: set[str] = set()
    fails: dict[str, tuple[str, ...]] = {}
    for name, text in good_texts(n_good):
        (good / name).write_text(text, encoding="utf-8")
        docs.add(f"good/{name}")
    sample = (SAMPLES / "04_kh_76-kh-ubnd.txt").read_text(encoding="utf-8")
    other = (SAMPLES / "02_qd_1234-qd-ubnd.txt").read_text(encoding="utf-8")
    rnd = random.Random(7)

    def bad_file(name: str, data: bytes, *reasons: str) -> None:
        (bad / name).write_bytes(data)
        fails[f"bad/{name}"] = reasons

    for ext in ("txt", "pdf", "docx", "png"):
        bad_file(f"zero.{ext}", b"", "empty file")
    good_pdf = root / "tmp.pdf"
    pdf_text(good_pdf, sample)
    data = good_pdf.read_bytes()
    good_pdf.unlink()
    bad_file("truncated.pdf", data[: len(data) // 2], "truncated", "unreadable pdf")
    bad_file("random.pdf", rnd.randbytes(50_000), "not a pdf")
    bad_file("random.docx", rnd.randbytes(50_000), "docx")
    bad_file("random.png", rnd.randbytes(50_000), "unreadable image", "not an image")
    bad_file("random.txt", rnd.randbytes(50_000), "not utf-8", "binary")
    pdf_text(bad / "encrypted_user.pdf", sample, user_password="secret")
    fails["bad/encrypted_user.pdf"] = ("encrypted pdf: a password is required",)
    pdf_text(bad / "encrypted_owner_only.pdf", other, owner_password="owner")  # readable: a document
    docs.add("bad/encrypted_owner_only.pdf")
    pdf_bomb(bad / "bomb.pdf")
    fails["bad/bomb.pdf"] = ("decompression bomb",)
    docx_bomb(bad / "bomb.docx")
    fails["bad/bomb.docx"] = ("decompression bomb",)
    png_huge(bad / "huge.png")
    fails["bad/huge.png"] = ("image too large",)
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buf, "JPEG")
    bad_file("photo_named.pdf", buf.getvalue(), "the content is a jpeg image")
    # names: not UTF-8 (a Latin-1 name) and control characters
    bad_file(os.fsdecode(b"latin1_\xff\xfe.txt"), sample.encode("cp1258", errors="replace"), "not utf-8")
    (bad / os.fsdecode(b"ok_caf\xe9.txt")).write_text(sample.replace("76/KH", "78/KH"), encoding="utf-8")
    docs.add("bad/" + os.fsdecode(b"ok_caf\xe9.txt"))
    for i, name in enumerate(("ctl_\x1b[31m_red.txt", "tab\there.txt", "new\nline.txt")):
        (bad / name).write_text(sample.replace("76/KH", f"8{i}/KH"), encoding="utf-8")
        docs.add(f"bad/{name}")
    # encodings
    (bad / "utf16_bom.txt").write_bytes(sample.replace("76/KH", "91/KH").encode("utf-16"))
    docs.add("bad/utf16_bom.txt")
    bad_file("utf16_no_bom.txt", sample.replace("76/KH", "92/KH").encode("utf-16-le"), "binary", "not utf-8", "utf-16")
    bad_file("cp1258.txt", other.encode("cp1258", errors="replace"), "not utf-8")
    with open(bad / "big.txt", "wb") as fh:
        line = ("Quyết định số 1/QĐ-UBND về việc tăng cường công tác. " * 20 + "\n").encode("utf-8")
        for _ in range(big_mb * (1 << 20) // len(line) + 1):
            fh.write(line)
    fails["bad/big.txt"] = ("too large",)
    bad_file("notes.xyz", b"?", "unsupported file type")
    os.mkfifo(bad / "pipe.txt")
    fails["bad/pipe.txt"] = ("fifo",)
    # links
    os.symlink("does-not-exist.txt", links / "broken.txt")
    fails["links/broken.txt"] = ("broken symlink",)
    os.symlink("loop_b.txt", links / "loop_a.txt")
    os.symlink("loop_a.txt", links / "loop_b.txt")
    fails["links/loop_a.txt"] = ("symlink loop",)
    fails["links/loop_b.txt"] = ("symlink loop",)
    os.symlink("..", links / "up")
    fails["links/up"] = ("symlink loop",)
    return docs, fails


# -- running ---------------------------------------------------------------------------------------


def tree_rss(pid: int) -> int:
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            todo.extend(int(x) for x in Path(f"/proc/{p}/task/{p}/children").read_text().split())
        except (OSError, ValueError):
            pass
    return total


def run_vanban(args: list[str], timeout: float = 600, **kw) -> tuple[subprocess.CompletedProcess, float, int]:
    """`vanban ARGS` as a scheduler runs it; returns (result, seconds, peak resident bytes of its tree)."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO)}
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=kw.pop("cwd", REPO), env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, **kw)
    peak = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss(p.pid))
            stop.wait(0.05)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        out, err = p.communicate(timeout=timeout)
    finally:
        stop.set()
        th.join()
        if p.poll() is None:
            p.kill()
    return subprocess.CompletedProcess(p.args, p.returncode, out.decode("utf-8", "replace"),
                                       err.decode("utf-8", "replace")), time.monotonic() - t0, peak[0]


def dataset_files(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file() and p.name != "_lock"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    src = root / "in"
    docs, fails = make_hostile_batch(src)
    out = root / "out"
    res, secs, peak = run_vanban(["ingest", str(src), "--out", str(out), "-j", "2",
                                  "--summary-json", str(root / "summary.json")])
    return src, out, docs, fails, res, secs, peak


def test_hostile_batch_is_accounted_for(hostile):
    src, out, docs, fails, res, secs, peak = hostile
    print(f"\nhostile batch: exit {res.returncode}, {secs:.1f} s, peak {peak / 2**20:.0f} MB (2 workers)")
    assert res.returncode == 4, res.stderr[-3000:]
    assert secs < 300 and peak < 2 * GiB
    d = pd.read_parquet(out / "documents")
    f = pd.read_parquet(out / "failures")
    prefix = os.fsdecode(bytes(src)) + "/"

    def rel(stored: str, b64) -> str:
        raw = base64.b64decode(b64) if isinstance(b64, str) else stored.encode("utf-8")
        return os.fsdecode(raw)[len(prefix):]

    got_docs = {rel(p, b) for p, b in zip(d.source_path, d.source_path_bytes)}
    whole = f[f.doc_id.isna()]
    got_fails = {rel(p, b): e for p, b, e in zip(whole.source_path, whole.source_path_bytes, whole.error)}
    assert got_docs == docs
    assert set(got_fails) == set(fails), (set(got_fails) ^ set(fails))
    for name, reasons in fails.items():
        err = got_fails[name]
        assert err and any(r in err.lower() for r in reasons), (name, err)
    for err in f.error:
        assert err.strip() and " at 0x" not in err and not err.rstrip().endswith(":"), err
    # names: valid UTF-8 text, lossless bytes beside it
    latin = whole[whole.source_path.str.contains("latin1_", regex=False)].iloc[0]
    assert latin.source_path.endswith("latin1_\\xff\\xfe.txt")
    assert base64.b64decode(latin.source_path_bytes).endswith(b"latin1_\xff\xfe.txt")
    assert d.doc_id.is_unique and len(whole.source_path.unique()) == len(whole)
    # DuckDB reads the same tables through the same paths
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM read_parquet('{out}/documents/*.parquet')").fetchone()[0] == len(docs)
    assert "failed files" in res.stdout and "decompression bomb" in res.stdout


def test_unchanged_rerun_writes_nothing_and_is_quick(hostile):
    src, out, docs, fails, res, secs, peak = hostile
    before = dataset_files(out)
    again, secs2, _ = run_vanban(["ingest", str(src), "--out", str(out), "-j", "2"])
    print(f"\nunchanged re-run: exit {again.returncode}, {secs2:.2f} s = {100 * secs2 / secs:.1f}% of the first run")
    assert again.returncode == 4  # the bad files are still there, unchanged: not retried
    assert "0 written" in again.stdout and f"{len(fails)} failed before and unchanged" in again.stdout
    assert dataset_files(out) == before  # not one file written
    assert secs2 <= 0.05 * secs or secs2 < 3.0, (secs, secs2)
