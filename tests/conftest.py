"""Shared fixtures. Tests that need the real documents of ../shared/corpus skip with a clear
message when that folder is absent (a user's machine, a trimmed CI image)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "corpus" / "samples"
SHARED = Path(os.environ.get("VANBAN_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))


def pytest_collection_modifyitems(config, items):
    skip_corpus = pytest.mark.skip(reason=f"real corpus not found at {SHARED} (set VANBAN_SHARED_CORPUS)")
    has_tess = shutil.which("tesseract") is not None and _has_vie()
    skip_ocr = pytest.mark.skip(reason="tesseract with the 'vie' model is not installed (make install does it)")
    for item in items:
        if "corpus" in item.keywords and not SHARED.exists():
            item.add_marker(skip_corpus)
        if "ocr" in item.keywords and not has_tess:
            item.add_marker(skip_ocr)


def _has_vie() -> bool:
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except Exception:
        return False
    return "vie" in out.split()


@pytest.fixture
def shared() -> Path:
    return SHARED


@pytest.fixture
def samples() -> Path:
    return SAMPLES
