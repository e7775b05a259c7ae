"""The hostile nightly batch, made and run: every kind of bad input mixed with good files, through
`vanban ingest` as cron runs it (a subprocess, 2 workers), then the same batch again unchanged.

Why here and not only in the tests: the issue's budget (exit 4, under 5 minutes, peak memory under
2 GB, an unchanged re-run at most 5% of the first) is a benchmark figure (`vanban bench --hostile`,
`make bench`), not a timed unit test; `tests/test_hostile.py` checks correctness on the same batch.

The bad inputs: zero-byte, truncated, random-bytes and encrypted PDFs, a PDF whose FlateDecode
stream inflates to 1 GiB (1 MB on disk), a docx whose document.xml declares 1 GiB, a 30000 × 30000
PNG, a JPEG named .pdf, non-UTF-8 and control-character file names, broken and looping symlinks, a
FIFO, UTF-16 with and without a BOM, CP1258 text and a 200 MB text file. Needs reportlab (dev extra).
"""
from __future__ import annotations

import io
import json
import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

from ..worker import tree_rss

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "corpus" / "samples"
GiB = 1 << 30


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


def run_hostile_bench(n_good: int = 100, reruns: int = 3, report: Path | None = None) -> dict:
    """Make the batch in a temporary folder, ingest it, then re-ingest it unchanged `reruns` times
    (the median counts). Returns the figures (also written to `report` as JSON)."""
    with tempfile.TemporaryDirectory(prefix="vanban-hostile-") as tmp:
        root = Path(tmp)
        docs, fails = make_hostile_batch(root / "in", n_good=n_good)
        first, secs, peak = run_vanban(["ingest", str(root / "in"), "--out", str(root / "out"), "-j", "2"])
        again = [run_vanban(["ingest", str(root / "in"), "--out", str(root / "out"), "-j", "2"]) for _ in range(reruns)]
    rerun = statistics.median(s for _r, s, _p in again)
    out = {"good_files": len(docs), "bad_inputs": len(fails), "exit_code": first.returncode,
           "seconds": round(secs, 2), "peak_mb": round(peak / 2**20), "rerun_exit_codes": [r.returncode for r, _s, _p in again],
           "rerun_seconds": round(rerun, 3), "rerun_share": round(rerun / secs, 4),
           "rerun_wrote_nothing": all("0 written" in r.stdout for r, _s, _p in again)}
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(out, indent=1))
    return out


def format_hostile(r: dict) -> str:
    return (f"hostile batch ({r['good_files']} good files + {r['bad_inputs']} bad inputs, 2 workers): exit {r['exit_code']}, "
            f"{r['seconds']:.1f} s, peak {r['peak_mb']} MB; unchanged re-run {r['rerun_seconds']:.2f} s = "
            f"{100 * r['rerun_share']:.1f}% of the first (exit {r['rerun_exit_codes'][0]}, "
            f"{'nothing written' if r['rerun_wrote_nothing'] else 'ROWS WRITTEN'})")


if __name__ == "__main__":
    print(format_hostile(run_hostile_bench(report=REPO / "reports" / "bench-hostile.json")))
