"""Where the pipeline's OCR spends its time outside the Tesseract process, per stage.

Why: `vanban bench --ocr-only` compares the pipeline's OCR of a page with the bare `tesseract -l
vie` command on the same PNG, in wall-clock time. On a shared machine the wall-clock ratio is
noisy; what the pipeline adds around Tesseract is better seen in this process's CPU time
(`time.process_time`), stage by stage. The stages are timed by wrapping the functions `ocr_image`
calls (each stage's time excludes the stages it calls, so the rows add up). The Tesseract process's
own CPU time is not this process's: the `tesseract:` rows are what handing it the image and reading
its TSV cost here, and, in wall time, the wait for it.

Usage: `python -m pipeline.evaluation.ocr_profile [--pages 8] [--repeat 3] [--texts out.json]`
on the 8 scan-like renders `run_ocr_bench` uses. `--texts` writes each page's OCR text (after
`repair_text`) to compare two versions of the code: speed work must leave it unchanged. The last
lines put the Tesseract processes' CPU time beside the bare command's on the same PNGs, and the
CPU-time analogue of the bench's ratio (noisy wall clocks left out).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager

# (module, function name, stage label): the functions `ocr_image` goes through
STAGES = [
    ("pipeline.text.preprocess", "to_array", "to array"),
    ("pipeline.text.preprocess", "remove_colour_ink", "colour ink"),
    ("pipeline.text.preprocess", "stretch_contrast", "contrast"),
    ("pipeline.text.seal", "remove_seals", "seal search"),
    ("pipeline.text.preprocess", "estimate_skew", "deskew: angle"),
    ("pipeline.text.preprocess", "rotate", "deskew: rotate"),
    ("pipeline.text.ocr", "bands", "layout: bands"),
    ("pipeline.text.ocr", "compose", "layout: compose"),
    ("pipeline.text.ocr", "_run_tesseract", "tesseract: other calls"),
    ("pipeline.text.ocr", "_Tesseract.__init__", "tesseract: start"),
    ("pipeline.text.ocr", "_Tesseract.send", "tesseract: send image"),
    ("pipeline.text.ocr", "_Tesseract.result", "tesseract: wait, read"),
    ("pipeline.text.ocr", "tsv_to_text", "tsv to text"),
    ("pipeline.text.ocr", "_header_fields", "header fields"),
    ("pipeline.text.ocr", "_word_boxes", "word boxes"),
    ("pipeline.text.ocr", "_signature_column", "signature column"),
    ("pipeline.text.ocr", "page_image_bytes", "page image"),
]


class _Clock:
    """Exclusive CPU and wall time per stage: a stage's clock stops while a stage it calls runs."""

    def __init__(self):
        self.cpu = defaultdict(float)
        self.wall = defaultdict(float)
        self.stack: list[list] = []  # [label, cpu start, wall start, child cpu, child wall]

    @contextmanager
    def stage(self, label: str):
        c0, w0 = time.process_time(), time.perf_counter()
        self.stack.append([label, c0, w0, 0.0, 0.0])
        try:
            yield
        finally:
            _l, c0, w0, cc, cw = self.stack.pop()
            dc, dw = time.process_time() - c0, time.perf_counter() - w0
            self.cpu[label] += dc - cc
            self.wall[label] += dw - cw
            if self.stack:
                self.stack[-1][3] += dc
                self.stack[-1][4] += dw


def _wrap(clock: _Clock, fn, label: str):
    def wrapped(*a, **k):
        with clock.stage(label):
            return fn(*a, **k)

    wrapped.__wrapped__ = fn
    return wrapped


def _children_cpu() -> float:
    """CPU time of this process's ended children (the tesseract runs)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def bench_pages(pages: int = 8, seed: int = 0) -> list:
    """The page images `bench.run_ocr_bench` reads: scan-like renders of corpus/samples."""
    from .evaluate import REPO
    from .evaluate_ocr import _scanlike

    sl = _scanlike()
    images = []
    for i, f in enumerate(sorted((REPO / "corpus" / "samples").glob("*.txt"))):
        images.extend(sl.render(f.read_text(encoding="utf-8"), seed=seed + i).pages)
        if len(images) >= pages:
            break
    return images[:pages]


def profile(pages: int = 8, repeat: int = 3, texts: str | None = None) -> str:
    import importlib

    from PIL import Image

    from ..text import ocr
    from ..text.repair import repair_text

    clock = _Clock()
    for mod, name, label in STAGES:
        owner = importlib.import_module(mod)
        *path, attr = name.split(".")
        for part in path:  # "Class.method"
            owner = getattr(owner, part, None)
        if owner is not None and hasattr(owner, attr):  # an older version of the code may lack it
            setattr(owner, attr, _wrap(clock, getattr(owner, attr), label))
    # `prepare` imported seal and the preprocess helpers by module, `ocr` took `bands`/`compose`
    # by name: the setattr calls above reach both
    images = bench_pages(pages)
    out_texts = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, img in enumerate(images):
            p = os.path.join(tmp, f"p{k}.png")
            img.save(p, dpi=(300, 300))
            paths.append(p)
        repair_text(ocr.ocr_image(images[0], 300)[0])  # warm-up: models, compiled rules, caches
        clock.cpu.clear()
        clock.wall.clear()
        total_c = total_w = ours_tess = bare_tess = 0.0
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        for r in range(repeat):
            for p in paths:
                t0 = _children_cpu()
                subprocess.run(["tesseract", p, "stdout", "-l", "vie"], capture_output=True, env=env, check=False)
                bare_tess += _children_cpu() - t0
                t0 = _children_cpu()
                c0, w0 = time.process_time(), time.perf_counter()
                with clock.stage("decode PNG"):
                    with Image.open(p) as im:
                        rgb = im.convert("RGB")
                with clock.stage("ocr (rest)"):
                    text, _c, _e = ocr.ocr_image(rgb, 300)
                with clock.stage("repair"):
                    text = repair_text(text)
                total_c += time.process_time() - c0
                total_w += time.perf_counter() - w0
                ours_tess += _children_cpu() - t0
                if r == 0:
                    out_texts.append(text)
    n = len(paths) * repeat
    rows = [f"{len(paths)} pages x {repeat}: per page, this process's CPU time (wall time in brackets; "
            f"wall includes waiting for the tesseract process)"]
    for label in sorted(clock.cpu, key=lambda k: -clock.cpu[k]):
        rows.append(f"  {label:<22}{1000 * clock.cpu[label] / n:8.1f} ms  ({1000 * clock.wall[label] / n:7.1f} ms)")
    rows.append(f"  {'total':<22}{1000 * total_c / n:8.1f} ms  ({1000 * total_w / n:7.1f} ms)")
    rows.append(f"tesseract processes' CPU per page: the pipeline's {1000 * ours_tess / n:.0f} ms, the bare "
                f"`tesseract -l vie` on the PNG {1000 * bare_tess / n:.0f} ms")
    rows.append(f"CPU ratio (this process + its tesseract) / bare tesseract: {(total_c + ours_tess) / bare_tess:.3f}")
    if texts:
        with open(texts, "w", encoding="utf-8") as fh:
            json.dump(out_texts, fh, ensure_ascii=False, indent=1)
        rows.append(f"texts: {texts}")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--texts", help="write the pages' OCR texts (JSON list) here")
    a = ap.parse_args()
    print(profile(a.pages, a.repeat, a.texts))


if __name__ == "__main__":
    main()
