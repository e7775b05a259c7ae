"""A hostile nightly batch: every kind of bad input mixed with 100 good files, through `vanban
ingest` as cron runs it (a subprocess, 2 workers). Every good file ends in `documents`, every bad
one in `failures` with a clear reason; the run ends with exit 4, well inside its time and memory
budget; an unchanged re-run writes nothing. (Its time as a share of the first run is a benchmark
figure: `vanban bench --hostile`, not asserted here.)

The bad inputs are made by `pipeline.evaluation.hostile`: zero-byte, truncated, random-bytes and encrypted PDFs, a PDF whose
FlateDecode stream inflates to 1 GiB (1 MB on disk), a docx whose document.xml declares 1 GiB, a
30000 × 30000 PNG, a JPEG named .pdf, non-UTF-8 and control-character file names, broken and
looping symlinks, a FIFO, UTF-16 with and without a BOM, CP1258 text and a 200 MB text file."""
from __future__ import annotations

import base64
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.evaluation.hostile import GiB, make_hostile_batch, run_vanban


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


def test_unchanged_rerun_writes_nothing(hostile):
    src, out, docs, fails, res, secs, peak = hostile
    before = dataset_files(out)
    again, secs2, _ = run_vanban(["ingest", str(src), "--out", str(out), "-j", "2"])
    print(f"\nunchanged re-run: exit {again.returncode}, {secs2:.2f} s = {100 * secs2 / secs:.1f}% of the first run")
    assert again.returncode == 4  # the bad files are still there, unchanged: not retried
    assert "0 written" in again.stdout and f"{len(fails)} failed before and unchanged" in again.stdout
    assert dataset_files(out) == before  # not one file written
