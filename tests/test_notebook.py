"""notebooks/audit.ipynb runs end to end on the bundled samples (nbclient, a real kernel)."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent


def test_audit_notebook_executes(tmp_path, monkeypatch):
    monkeypatch.setenv("VANBAN_DATA", str(tmp_path))
    monkeypatch.setenv("VANBAN_REPO", str(REPO))
    nb = nbformat.read(REPO / "notebooks" / "audit.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}).execute()
    text = "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "replaced" in text  # QĐ 1234/2024 is replaced by a later decision of the archive
    assert "Error" not in text and "Traceback" not in text
    assert (tmp_path / "neighbourhood.png").stat().st_size > 5000
