"""vanban: Vietnamese government documents (scans, PDFs, Word, text) to a citation graph in Parquet.

The one entry point for a single file is `process(path) -> DocumentRecord` (pure: any executor can
run it); `vanban ingest` writes batches of them to the Parquet tables of DESIGN.md, and
`pipeline.graph` links and queries them.

Subpackages, by stage (imports flow one way, left to right):
  text/        sources, read (txt/docx/pdf/images), pdflayer, legacy fonts, OCR, clean
  extract/     header, signature, references, relations, agencies, symbols
  document.py  process(): one file through text and extract
  graph/       store (Parquet), identity, units, link (DuckDB), status, query, export
  ingest.py    the batch runner; cli.py the command line
  evaluation/  eval, eval-ocr, bench (tools over the rest)

`process` and the graph's query functions are loaded on first use, so that importing one stage
(`pipeline.extract.references`) does not pull in the PDF and OCR libraries.
"""
from __future__ import annotations

__version__ = "0.2.0"
__all__ = ["process", "__version__"]


def __getattr__(name: str):
    if name == "process":
        from .document import process

        return process
    raise AttributeError(name)
