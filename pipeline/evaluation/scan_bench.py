"""OCR time per page on real signed scans, against bare `tesseract -l vie` on the same page images.

Why apart from `bench.run_ocr_bench` (clean renders of the samples): real signed pages are where
the extra work runs — the handwritten number and day read by the second recogniser (PP-OCR), the
receipt stamp read apart, the seal whitened — and the issue's budget (≤ 1.3 × bare Tesseract,
second recogniser included) is about those pages. The pipeline side is the whole per-page OCR path
(`text.ocr._ocr_page`: prepare, layout, Tesseract, handwriting, stamps, repair, word boxes, the
page image kept); the bare side is the `tesseract` command on the same 300 dpi image.

The pages: the first page of each file of ../shared/corpus/scans that has no text layer (or a
picture), up to `pages`; skipped when the shared corpus is absent.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path


def _first_pages(limit: int) -> list[tuple[str, object]]:
    from .evaluate import shared_corpus

    root = shared_corpus() / "scans"
    if not root.is_dir():
        return []
    from PIL import Image

    from ..text.ocr import page_images
    from ..text.read import read_pdf

    out = []
    for f in sorted(root.iterdir()):
        if len(out) >= limit:
            break
        data = f.read_bytes()
        if f.suffix.lower() == ".pdf":
            try:
                if not read_pdf(data)[0].needs_ocr:
                    continue  # born-digital: no OCR on this page
                img = page_images(data, "pdf", [1])[0].image
            except Exception:
                continue
        elif f.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):
            img = Image.open(io.BytesIO(data)).convert("RGB")
        else:
            continue
        if isinstance(img, Exception):
            continue
        out.append((f.name, img))
    return out


def run_scan_ocr_bench(pages: int = 12, report: Path | None = None) -> str:
    from ..text.ocr import PageImage, _ocr_page

    imgs = _first_pages(pages)
    if not imgs:
        return "OCR on real scans: skipped (../shared/corpus/scans absent)"
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        _ocr_page(PageImage(1, imgs[0][1], 300))  # warm-up: the rules, both recognisers' models
        for name, img in imgs:
            p = os.path.join(tmp, "page.png")
            img.save(p, dpi=(300, 300))
            b, o = [], []
            for _ in range(2):  # each side twice, alternating, best of two
                t0 = time.perf_counter()
                subprocess.run(["tesseract", p, "stdout", "-l", "vie"], capture_output=True, env=env, check=False)
                b.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                page = _ocr_page(PageImage(1, img, 300))
                o.append(time.perf_counter() - t0)
            engine = getattr(page, "engine", "") or ""
            rows.append({"file": name, "bare_s": round(min(b), 3), "pipeline_s": round(min(o), 3),
                         "second_recogniser": "PP-OCR" in engine,
                         "receipt": bool(getattr(page, "receipts", None))})
    sb, so = sum(r["bare_s"] for r in rows), sum(r["pipeline_s"] for r in rows)
    hw = [r for r in rows if r["second_recogniser"]]
    res = {"pages": len(rows), "bare_s_per_page": round(sb / len(rows), 3), "pipeline_s_per_page": round(so / len(rows), 3),
           "ratio": round(so / sb, 3), "pages_with_second_recogniser": len(hw),
           "ratio_on_those": round(sum(r["pipeline_s"] for r in hw) / sum(r["bare_s"] for r in hw), 3) if hw else None,
           "rows": rows}
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(res, indent=1))
    line = (f"OCR on real scans ({len(rows)} first pages of ../shared/corpus/scans, one core): bare tesseract "
            f"{res['bare_s_per_page']:.2f} s/page, pipeline {res['pipeline_s_per_page']:.2f} s/page = {res['ratio']:.2f} x")
    if hw:
        line += f"; on the {len(hw)} pages where the second recogniser ran: {res['ratio_on_those']:.2f} x"
    return line
