"""Find input files, hash them, and tell their kind.

A document's identity in the store is its content hash: the same bytes under two names, or the
same file ingested again tomorrow, is one document (`doc_id`), so nightly re-runs add nothing twice.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

KINDS = {
    ".txt": "txt",
    ".text": "txt",
    ".pdf": "pdf",
    ".docx": "docx",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}

DOC_ID_CHARS = 20


@dataclass(frozen=True)
class Source:
    path: str
    kind: str | None  # None: an extension we do not read (reported as a failure)


def discover(paths: list[str]) -> tuple[list[Source], list[str]]:
    """Files under `paths` (recursive, sorted for a stable order) and the paths that do not exist."""
    found: list[Source] = []
    missing: list[str] = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            missing.append(p)
            continue
        files = [path] if path.is_file() else sorted(f for f in path.rglob("*") if f.is_file())
        for f in files:
            if any(part.startswith(".") for part in f.parts[-1:]) or f.name in {"README.md", "MANIFEST.tsv"}:
                continue
            if f.suffix.lower() in {".json", ".md", ".tsv", ".py", ".parquet"}:
                continue
            found.append(Source(str(f), KINDS.get(f.suffix.lower())))
    return found, missing


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc_id_from_sha(sha: str) -> str:
    return sha[:DOC_ID_CHARS]
