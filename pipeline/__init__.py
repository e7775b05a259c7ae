"""vanban: Vietnamese government documents (scans, PDFs, Word, text) to a citation graph in Parquet.

The one entry point for a single file is `process(path) -> DocumentRecord` (pure: any executor can
run it); `vanban ingest` writes batches of them to the Parquet tables of DESIGN.md. `process` is
loaded on first use, so that importing one stage (`pipeline.references`) does not pull in the PDF
and OCR libraries.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["process", "__version__"]


def __getattr__(name: str):
    if name == "process":
        from .process import process

        return process
    raise AttributeError(name)
