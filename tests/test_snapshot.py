"""Extraction output is pinned per document: the sha256 of each document's full canonical record
(`pipeline.evaluation.snapshot`: pages, header, signature, recipients, citations with relations,
tasks, entities, failures) must equal `tests/fixtures/extraction_hashes.json`.

Why: speed work and refactors must leave output byte-identical, and a flat gold score does not
prove that. The fixture holds hashes, not the records (those are ~36 MB); to see *what* changed,
write a full snapshot before your change and diff after:

    python -m pipeline.evaluation.snapshot --write build/snapshot-baseline.jsonl   # before
    python -m pipeline.evaluation.snapshot --check build/snapshot-baseline.jsonl   # after: field-level diff

When you change extraction ON PURPOSE, check the diff is what you meant, then regenerate the
hashes (with the shared corpus present, so its documents are covered too) and commit them:

    python -m pipeline.evaluation.snapshot --write-hashes tests/fixtures/extraction_hashes.json

The repository's own documents (corpus/samples, and gold sources there) always run; the shared
corpus documents (dev/, local/, scans/ PDFs with a text layer) are marked `corpus`. Both run in a
subprocess under PYTHONHASHSEED=0 (the snapshot command sees to it): some output still depends on
set iteration order.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "extraction_hashes.json"


def _check(*extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.evaluation.snapshot", "--check-hashes", str(FIXTURE), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=900)


def test_samples_and_gold_extraction_unchanged():
    r = _check("--no-shared")
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.corpus
def test_shared_corpus_extraction_unchanged():
    r = _check()
    assert r.returncode == 0, r.stdout + r.stderr
