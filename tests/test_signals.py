"""A signal whose exception is dropped on its way (raised inside a garbage-collector callback, which
Python prints and ignores) still stops the run: `on_signal` records it, the ingest loop asks
`raise_if_signalled`, and `vanban` ends with the interrupted exit code."""
import signal

import pytest

from pipeline import errors
from pipeline.errors import ExitCode, Interrupted


def _dropped(signum):
    """`on_signal` run where its exception cannot reach the caller (as in a GC callback)."""
    try:
        errors.on_signal(signum)
    except Interrupted:
        pass


def test_a_dropped_signal_is_raised_at_the_next_check():
    errors.clear_signals()
    try:
        errors.raise_if_signalled()  # nothing received: nothing raised
        _dropped(signal.SIGTERM)
        with pytest.raises(Interrupted) as e:
            errors.raise_if_signalled()
        assert e.value.exit_code == ExitCode.terminated
    finally:
        errors.clear_signals()


def test_vanban_ends_interrupted_when_a_signal_was_dropped(monkeypatch, capsys):
    from pipeline import cli

    def swallowed(args):
        _dropped(signal.SIGINT)
        return ExitCode.ok

    real = cli.argparse.ArgumentParser.parse_args

    def parse(self, argv=None, namespace=None):
        ns = real(self, argv, namespace)
        ns.func = swallowed
        return ns

    monkeypatch.setattr(cli.argparse.ArgumentParser, "parse_args", parse)
    assert cli.main(["eval-tasks"]) == ExitCode.interrupted
    assert "interrupted (SIGINT)" in capsys.readouterr().err
    errors.clear_signals()
