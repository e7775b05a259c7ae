"""Throughput of the text path on one core: how fast normalisation + extraction run.

Files are read into memory first so that the figure is the extractors' speed, not the disk's;
a second figure times the whole `process` (decode, hash, normalise, extract) per file. Peak
memory is the process's maximum resident set size.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from .clean import normalize_text
from .evaluate import shared_corpus
from .models import DocumentRecord, Page
from .process import extract, process


def run_bench(corpus: str | None = None, repeat: int = 1) -> str:
    root = Path(corpus) if corpus else shared_corpus() / "dev"
    files = sorted(p for p in root.rglob("*.txt"))
    if not files:
        return f"no .txt files under {root}"
    texts = [f.read_text(encoding="utf-8") for f in files]
    total_bytes = sum(len(t.encode("utf-8")) for t in texts)
    # warm-up: compile the rules once, as every worker does
    rec = DocumentRecord(doc_id="x", source_path="x", source_sha256="x", kind="txt")
    t, _ = normalize_text(texts[0])
    rec.pages = [Page(1, t)]
    extract(rec, t)

    best_extract = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for raw in texts:
            norm, _ = normalize_text(raw)
            r = DocumentRecord(doc_id="x", source_path="x", source_sha256="x", kind="txt", pages=[Page(1, norm)])
            extract(r, norm)
        best_extract = min(best_extract, time.perf_counter() - t0)
    t0 = time.perf_counter()
    failures = 0
    for f in files:
        try:
            process(f, ocr=False)
        except Exception:
            failures += 1
    full = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024 * 1024)
    mb = total_bytes / 1e6
    return "\n".join([
        f"corpus: {root} ({len(files)} files, {mb:.1f} MB UTF-8)",
        f"extraction (normalise + header + signature + references), one core: "
        f"{len(files) / best_extract:.1f} docs/s, {mb / best_extract:.2f} MB/s ({best_extract:.2f} s)",
        f"full process() per file (read, hash, decode, normalise, extract): "
        f"{len(files) / full:.1f} docs/s, {mb / full:.2f} MB/s ({full:.2f} s, {failures} failures)",
        f"peak memory (max RSS): {peak_mb:.0f} MB",
    ])
