"""What the dataset already holds, for the unchanged-run check, readable without pyarrow.

Why: a nightly job re-runs over the same folders every night, and most nights nothing changed.
Deciding that needs the documents already ingested (their ids), the bad files already on record
(path and input key) and the paths with a failure row; read from Parquet, that costs importing
pyarrow and numpy, which is most of an unchanged run. `ingest` writes this side file after each run
(`save`), keyed to the snapshot it describes (`DIR/_current`); a later run that finds the same
snapshot reads it (`load`) and, when every input is unchanged, ends without opening the store. Any
commit by anyone makes a new snapshot, so a stale file is never used: it is ignored and rewritten.

File: `DIR/_graph/known.json`, written atomically (a temporary file, then a rename).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

FILE = Path("_graph") / "known.json"
VERSION = 1


@dataclass
class Known:
    doc_ids: set[str]
    failed: set[tuple[str, str]]  # (source_path, input key) of whole-file failures (`Dataset.failed_files`)
    fail_paths: set[str]  # paths with any whole-file failure row (`Dataset.failure_paths`)
    nodes: int
    edges: int


def current_snapshot(root: str | os.PathLike) -> str | None:
    """The name of the snapshot `DIR/_current` points to (None: not a snapshot dataset)."""
    try:
        return os.path.basename(os.readlink(Path(root) / "_current"))
    except OSError:
        return None


def save(root: str | os.PathLike, snapshot: str | None, doc_ids: set[str], failed: set[tuple[str, str]],
         fail_paths: set[str], nodes: int, edges: int) -> None:
    if snapshot is None:
        return
    path = Path(root) / FILE
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = {"version": VERSION, "snapshot": snapshot, "doc_ids": sorted(doc_ids),
            "failed": sorted([p, k] for p, k in failed), "fail_paths": sorted(fail_paths),
            "nodes": nodes, "edges": edges}
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a read-only dataset: the next run reads the store instead
        try:
            tmp.unlink()
        except OSError:
            pass


def load(root: str | os.PathLike) -> Known | None:
    """The side file when it describes the current snapshot, else None."""
    snap = current_snapshot(root)
    if snap is None:
        return None
    try:
        data = json.loads((Path(root) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("version") != VERSION or data.get("snapshot") != snap:
        return None
    try:
        return Known(set(data["doc_ids"]), {(p, k) for p, k in data["failed"]}, set(data["fail_paths"]),
                     int(data["nodes"]), int(data["edges"]))
    except (KeyError, TypeError, ValueError):
        return None
