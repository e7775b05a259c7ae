"""The compile probe (`python -m pipeline.evaluation.compile_probe`): what it compiles, and its clear
refusal without Cython. The probe itself (a compile of a minute and two benches) is not run here."""
import sys

import pytest

from pipeline.evaluation import compile_probe
from pipeline.evaluation.evaluate import REPO


def test_it_compiles_every_text_path_module_and_no_package_init():
    names = {p.relative_to(REPO).as_posix() for p in compile_probe.compiled_modules(REPO)}
    assert "pipeline/text/clean.py" in names
    stages = {"header", "signature", "references", "relations", "tasks", "identity", "entities", "agencies"}
    assert {f"pipeline/extract/{s}.py" for s in stages} <= names
    assert not any(n.endswith("__init__.py") for n in names)
    assert all(n.startswith(("pipeline/extract/", "pipeline/text/clean.py")) for n in names)


def test_without_cython_it_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "Cython", None)  # import Cython → ImportError
    with pytest.raises(SystemExit, match="pip install cython"):
        compile_probe.compile_tree(tmp_path)


def test_a_used_folder_is_refused(tmp_path):
    (tmp_path / "pipeline").mkdir()
    with pytest.raises(SystemExit, match="already holds a copy"):
        compile_probe.main(["--keep", str(tmp_path)])
