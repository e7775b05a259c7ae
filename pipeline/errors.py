"""Failure classes and the process exit codes that scripts and cron jobs can rely on.

Like OCRmyPDF's ExitCode: each class of failure has its own code, so a nightly job can tell "some
inputs were bad" (look at the failures table, the batch is written) from "the store is broken"
(nothing was written, page someone).
"""
from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    ok = 0
    bad_args = 2  # wrong command line
    input_missing = 3  # a PATH given does not exist / nothing to ingest
    partial = 4  # some inputs failed: see the failures table; the rest is written
    all_failed = 5  # every input failed
    store_error = 6  # the output dataset could not be written or read
    quality_regression = 7  # `vanban eval --check`: a field fell below its recorded floor
    key_not_found = 8  # a graph query's KEY matches no document
    key_ambiguous = 9  # a graph query's KEY matches several documents: the candidates are printed
    interrupted = 130  # Ctrl-C / SIGTERM: committed batches are kept, nothing half-written


class InputError(Exception):
    """A document that cannot be processed; becomes one row of the failures table."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage
        self.message = message


class StoreError(Exception):
    """The dataset directory cannot be written or is inconsistent."""
