"""The interpreter probe (`python -m pipeline.evaluation.interpreter_probe`): how it finds and checks
interpreters, what it installs, and its clear refusals. The probe itself (a virtual environment per
interpreter, a snapshot and two benches) is not run here."""
import sys
from pathlib import Path

import pytest

from pipeline.evaluation import interpreter_probe as ip


def test_it_reads_the_version_of_an_interpreter():
    assert ip.version_of(sys.executable) == tuple(sys.version_info[:3])


def test_a_path_that_is_not_python_is_refused_clearly(tmp_path):
    with pytest.raises(SystemExit, match="does not run"):
        ip.version_of(str(tmp_path / "no-python"))
    fake = tmp_path / "fake"
    fake.write_text("#!/bin/sh\necho not python >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(SystemExit, match="does not run as Python"):
        ip.version_of(str(fake))


def test_an_interpreter_older_than_vanban_supports_is_refused(tmp_path):
    old = tmp_path / "python3.9"
    old.write_text("#!/bin/sh\necho 3 9 18\n")
    old.chmod(0o755)
    with pytest.raises(SystemExit, match=r"needs Python >= 3.10: .*3\.9\.18"):
        ip.main([str(old)])


def test_found_interpreters_are_other_versions_than_this_one(monkeypatch, tmp_path):
    # a pyenv root with this interpreter under another name, a second entry of another version, and
    # one that is too old: only the other version is kept, once
    root = tmp_path / "pyenv"
    for name, v in (("3.99.1", "3 99 1"), ("3.99.1-copy", "3 99 1"), ("3.8.0", "3 8 0")):
        b = root / "versions" / name / "bin"
        b.mkdir(parents=True)
        (b / "python").write_text(f"#!/bin/sh\necho {v}\n")
        (b / "python").chmod(0o755)
    same = root / "versions" / "3.0-this" / "bin"
    same.mkdir(parents=True)
    (same / "python").symlink_to(Path(sys.executable).resolve())
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    found = ip.found_interpreters()
    assert found == [str(root / "versions" / "3.99.1" / "bin" / "python")]


def test_it_installs_the_core_dependencies_the_text_path_imports():
    deps = ip.core_dependencies()
    names = {d.split(">")[0].split("=")[0].split("[")[0].strip() for d in deps}
    assert {"regex", "numpy", "vietnamadminunits"} <= names
    assert not names & {"pytest", "dask", "underthesea"}  # extras are not the text path's
