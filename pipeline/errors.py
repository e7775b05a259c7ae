"""Failure classes and the process exit codes that scripts and cron jobs can rely on.

Like OCRmyPDF's ExitCode: each class of failure has its own code, so a nightly job can tell "some
inputs were bad" (look at the failures table, the batch is written) from "the store is broken"
(nothing was written, page someone).

Signals: the command line turns SIGINT and SIGTERM into `Interrupted` (a KeyboardInterrupt). Code
that must not be cut in the middle (committing a batch) runs inside `critical()`: a signal that
arrives there is held and raised when the section ends.
"""
from __future__ import annotations

import contextlib
import enum
import signal


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
    too_many_failures = 10  # `ingest --max-failures`: more inputs failed than allowed (the rest is written)
    interrupted = 130  # Ctrl-C (SIGINT): committed batches are kept, nothing half-written
    terminated = 143  # SIGTERM: committed batches are kept, nothing half-written


class InputError(Exception):
    """A document that cannot be processed; becomes one row of the failures table."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage
        self.message = message


class StoreError(Exception):
    """The dataset directory cannot be written or is inconsistent."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM received: stop, keep what is committed."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.terminated if self.signum == signal.SIGTERM else ExitCode.interrupted


_critical = 0
_held: list[int] = []
_received: list[int] = []  # every signal `on_signal` was given, until `clear_signals`


def on_signal(signum, frame=None) -> None:
    """The handler for SIGINT / SIGTERM: raise `Interrupted`, or hold it inside `critical()`.

    The signal is also recorded: Python runs a handler wherever the main thread is, and an exception
    raised inside a garbage-collector callback (Dask's `GCDiagnosis`) or a `__del__` is printed and
    dropped ("Exception ignored in …"), so the run would go on as if no signal had come. The loops
    that must stop ask `raise_if_signalled` between steps, and `vanban` ends interrupted if one came."""
    _received.append(signum)
    if _critical:
        _held.append(signum)
        return
    raise Interrupted(signum)


def raise_if_signalled() -> None:
    """Raise `Interrupted` for a signal whose exception was dropped before it reached the caller."""
    if _received and not _critical:
        raise Interrupted(_received[0])


def signalled() -> int | None:
    """The first signal received since `clear_signals`, or None."""
    return _received[0] if _received else None


def clear_signals() -> None:
    _received.clear()
    _held.clear()


@contextlib.contextmanager
def critical():
    """A section that a signal must not cut (a commit): the signal is raised when it ends."""
    global _critical
    _critical += 1
    try:
        yield
    finally:
        _critical -= 1
        if not _critical and _held:
            signum = _held[0]
            _held.clear()
            raise Interrupted(signum)
