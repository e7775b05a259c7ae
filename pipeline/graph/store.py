"""The Parquet dataset: one directory per table, one file per committed batch — published atomically.

Why this shape: every tool (pandas, DuckDB, Spark, polars) reads `DIR/<table>/` as one table, and a
nightly job only ever adds files.

How a batch becomes visible in one step (the commit point), whatever moment a crash hits:

    DIR/documents -> _current/documents        (a fixed symlink per table, made once)
    DIR/_current  -> _snap/000042              (THE commit point: one atomic rename of a symlink)
    DIR/_snap/000042/<table>/part-*.parquet    (a snapshot: every part of every table)

A batch is written to `DIR/_staging/<batch>/`; then a new snapshot `_snap/000043/` is built beside
the current one: a hard link to every part of the current snapshot (no data is copied), the
batch's new parts moved in, the failures parts that the batch supersedes rewritten. Everything is
fsynced, then a new symlink is renamed over `DIR/_current`. Until that rename every reader — one
that globs `DIR/<table>/*.parquet` (pandas, pyarrow, DuckDB `read_parquet`) or one that calls
`Dataset.read` — sees the old snapshot whole; after it, the new one whole: the documents, pages,
citations and failures of a batch appear together or not at all. `recover()` (on every open by a
writer) rolls back what a crash left: snapshots newer than `_current`, half-made staging folders,
leftover temporary links; a staging folder that an older version of vanban had marked COMMIT is
rolled forward. Older snapshots are kept a short while for readers that are still listing them,
then deleted (hard links: deleting them frees nothing that a newer snapshot still uses).

A reader that reads several tables and wants them from one moment resolves `DIR/_current` once
(`snapshot_dir(DIR)`) and reads `<that>/<table>/*.parquet`. Writers (`ingest`, `link`) hold the
`DIR/_lock` file, so there is one writer at a time. The linker rewrites a part in place (one atomic
rename within the current snapshot) and replaces derived tables the same way; a batch is never
half-visible because of it.

Documents are keyed by `doc_id` (content hash): a document already in the dataset is never
written twice. The failures table holds at most one whole-file row per path: a batch that
processes a path again supersedes its earlier row (cleared when the file now succeeds).

A dataset written by an older version (real table folders) is converted on the first open by a
writer: its parts are linked into a first snapshot, then each folder is swapped for its symlink.

The column names of DESIGN.md are a contract; columns are only ever added.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Callable, Iterable

from ..proc import process_alive  # noqa: F401 (re-exported: the lock and the worker pool use it)

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import StoreError
from .ids import IdSet
from ..models import DocumentRecord, Failure
from ..text.sources import display_path, path_bytes_b64

SNAP_DIR = "_snap"
CURRENT = "_current"
STAGING = "_staging"
KEEP_SNAPSHOTS = 2  # older snapshots kept for readers still listing them …
KEEP_SECONDS = 60.0  # … and any younger than this

# Test hook: called with the name of each step of a publish ("stage:documents", "link:pages",
# "commit", …). A test makes it raise to crash the writer at that step.
FAULT_HOOK: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if FAULT_HOOK is not None:
        FAULT_HOOK(name)


STRING = pa.string()
LIST_STR = pa.list_(pa.string())

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", STRING), ("source_path", STRING), ("source_sha256", STRING), ("kind", STRING),
        ("doc_type", STRING), ("number", STRING), ("symbol", STRING), ("issue_date", pa.date32()),
        ("issue_year", pa.int32()), ("place", STRING), ("issuer", STRING), ("issuer_parent", STRING),
        ("issuer_confidence", pa.float32()), ("issuer_source", STRING), ("signer", STRING),
        ("signer_title", STRING), ("subject", STRING), ("recipients", LIST_STR), ("filing", LIST_STR),
        ("pages", pa.int32()), ("ocr", pa.bool_()), ("text_chars", pa.int64()),
        ("boilerplate_removed", pa.int32()), ("number_start", pa.int64()), ("number_end", pa.int64()),
        ("date_start", pa.int64()), ("date_end", pa.int64()), ("issuer_start", pa.int64()),
        ("issuer_end", pa.int64()), ("signer_start", pa.int64()), ("signer_end", pa.int64()),
        ("extractor_version", STRING), ("batch_id", STRING), ("ingested_at", pa.timestamp("s", tz="UTC")),
        ("node_id", STRING), ("issuer_canonical", STRING), ("number_key", STRING), ("law_key", STRING),
        ("node_key", STRING), ("node_method", STRING), ("paper_key", STRING), ("source_path_bytes", STRING),
    ]),
    "pages": pa.schema([
        ("doc_id", STRING), ("page", pa.int32()), ("text", STRING), ("start", pa.int64()),
        ("ocr", pa.bool_()), ("ocr_confidence", pa.float32()), ("engine", STRING), ("raw_text", STRING),
    ]),
    # OCR evidence: every word read with its box (fractions of the page image) and its offsets in
    # the document text (null where repair or normalisation changed it past recognition)
    "words": pa.schema([
        ("doc_id", STRING), ("page", pa.int32()), ("text", STRING), ("x0", pa.float32()), ("y0", pa.float32()),
        ("x1", pa.float32()), ("y1", pa.float32()), ("conf", pa.float32()), ("start", pa.int64()), ("end", pa.int64()),
    ]),
    # the OCR'd page as it was read (grey JPEG, long side `text.ocr.PAGE_IMAGE_PX`), served by key
    "page_images": pa.schema([
        ("doc_id", STRING), ("page", pa.int32()), ("mime", STRING), ("width", pa.int32()), ("height", pa.int32()),
        ("data", pa.binary()),
    ]),
    # incoming-document stamps (`text.stamps`): the day the document reached the receiving body
    "receipts": pa.schema([
        ("doc_id", STRING), ("page", pa.int32()), ("receiver", STRING), ("register_number", STRING),
        ("received_date", pa.date32()), ("received_hour", pa.int32()), ("forwarded_to", STRING),
        ("x0", pa.float32()), ("y0", pa.float32()), ("x1", pa.float32()), ("y1", pa.float32()), ("text", STRING),
    ]),
    "citations": pa.schema([
        ("doc_id", STRING), ("mention", STRING), ("start", pa.int64()), ("end", pa.int64()),
        ("page", pa.int32()), ("cited_type", STRING), ("cited_number", STRING), ("cited_name", STRING),
        ("cited_date", pa.date32()), ("cited_year", pa.int32()), ("cited_issuer", STRING),
        ("cited_issuer_raw", STRING), ("cited_subject", STRING), ("part", STRING), ("relation", STRING),
        ("relation_cue", STRING), ("short_form", pa.bool_()), ("target_id", STRING),
        ("relation_also", STRING), ("cited_issuer_canonical", STRING), ("number_key", STRING),
        ("target_key", STRING), ("resolution", STRING), ("resolution_confidence", pa.float32()),
    ]),
    "tasks": pa.schema([
        ("doc_id", STRING), ("assignee", STRING), ("coordinators", LIST_STR), ("action", STRING),
        ("deadline", pa.timestamp("s")), ("deadline_text", STRING), ("start", pa.int64()), ("end", pa.int64()),
        ("assignee_kind", STRING), ("assignee_canonical", STRING), ("recurrence", STRING), ("report_to", STRING),
        ("section", STRING), ("task_no", pa.int32()),
    ]),
    "entities": pa.schema([
        ("doc_id", STRING), ("label", STRING), ("text", STRING), ("normalized", STRING),
        ("start", pa.int64()), ("end", pa.int64()), ("source", STRING), ("collective", pa.bool_()),
        ("link", STRING),
    ]),
    "failures": pa.schema([
        ("source_path", STRING), ("stage", STRING), ("error", STRING), ("page", pa.int32()),
        ("doc_id", STRING), ("batch_id", STRING), ("failed_at", pa.timestamp("s", tz="UTC")),
        ("source_sha256", STRING), ("source_path_bytes", STRING), ("input_key", STRING), ("transient", pa.bool_()),
    ]),
}
RESOLUTION_SCHEMA = pa.schema([
    ("target_key", STRING), ("node_id", STRING), ("method", STRING),
    ("confidence", pa.float32()), ("candidates", LIST_STR), ("block", STRING),
])
AMBIGUOUS_SCHEMA = pa.schema([
    ("doc_id", STRING), ("mention", STRING), ("start", pa.int64()), ("page", pa.int32()),
    ("target_key", STRING), ("candidates", LIST_STR),
])
NODES_SCHEMA = pa.schema([
    ("node_id", STRING), ("kind", STRING), ("doc_type", STRING), ("number", STRING),
    ("issue_date", pa.date32()), ("issuer", STRING), ("doc_id", STRING), ("name", STRING),
    ("issue_year", pa.int32()), ("issuer_canonical", STRING), ("doc_ids", LIST_STR),
    ("mentions", pa.int32()), ("cited_by", pa.int32()), ("status", STRING), ("status_by", STRING),
    ("status_date", pa.date32()), ("subject", STRING),
])
EDGES_SCHEMA = pa.schema([
    ("source", STRING), ("target", STRING), ("relation", STRING), ("mentions", pa.int32()),
    ("relations", LIST_STR), ("doc_id", STRING), ("mention", STRING),
    ("page", pa.int32()), ("start", pa.int64()),
])
STATUS_SCHEMA = pa.schema([
    ("node_id", STRING), ("status", STRING), ("by_node", STRING), ("by_doc_id", STRING),
    ("relation", STRING), ("part", STRING), ("mention", STRING), ("page", pa.int32()),
    ("start", pa.int64()), ("date", pa.date32()),
])
RESPONSES_SCHEMA = pa.schema([
    ("node_id", STRING), ("task_no", pa.int32()), ("assignee", STRING), ("assignee_canonical", STRING),
    ("deadline", pa.date32()), ("deadline_text", STRING), ("action", STRING), ("status", STRING),
    ("responder", STRING), ("response_node", STRING), ("response_doc_id", STRING), ("response_number", STRING),
    ("response_date", pa.date32()), ("mention", STRING), ("as_of", pa.date32()),
])
GRAPH_SCHEMAS = {"responses": RESPONSES_SCHEMA, "resolutions": RESOLUTION_SCHEMA, "ambiguous": AMBIGUOUS_SCHEMA, "nodes": NODES_SCHEMA,
                 "edges": EDGES_SCHEMA, "status": STATUS_SCHEMA}
SCHEMAS.update(GRAPH_SCHEMAS)
BATCH_TABLES = ["documents", "pages", "citations", "tasks", "entities", "failures", "words", "page_images", "receipts"]
DERIVED_TABLES = list(GRAPH_SCHEMAS)


def _span(s, attr: str):
    return getattr(s, attr) if s is not None else None


def document_rows(rec: DocumentRecord, batch_id: str, now: dt.datetime) -> dict[str, list[dict]]:
    """One record → rows of every per-document table."""
    from ..extract.identity import number_key  # here: a re-run that writes nothing does not load the rules
    h, s = rec.header, rec.signature
    doc = {
        "doc_id": rec.doc_id, "source_path": display_path(rec.source_path), "source_sha256": rec.source_sha256,
        "kind": rec.kind, "doc_type": h.doc_type, "number": h.number, "symbol": h.symbol,
        "issue_date": h.issue_date, "issue_year": h.issue_year, "place": h.place, "issuer": h.issuer,
        "issuer_parent": h.issuer_parent, "issuer_confidence": h.issuer_confidence,
        "issuer_source": h.issuer_source, "signer": s.signer, "signer_title": s.signer_title,
        "subject": h.subject, "recipients": s.recipients, "filing": s.filing, "pages": len(rec.pages),
        "ocr": rec.ocr, "text_chars": len(rec.text), "boilerplate_removed": rec.boilerplate_removed,
        "number_start": _span(h.number_span, "start"), "number_end": _span(h.number_span, "end"),
        "date_start": _span(h.date_span, "start"), "date_end": _span(h.date_span, "end"),
        "issuer_start": _span(h.issuer_span, "start"), "issuer_end": _span(h.issuer_span, "end"),
        "signer_start": _span(s.span, "start"), "signer_end": _span(s.span, "end"),
        "extractor_version": rec.extractor_version, "batch_id": batch_id, "ingested_at": now,
        "node_id": rec.node_id, "issuer_canonical": h.issuer_canonical, "number_key": number_key(h.number),
        "law_key": rec.law_key, "node_key": rec.node_id, "node_method": "own",
        "paper_key": rec.paper_key, "source_path_bytes": path_bytes_b64(rec.source_path),
    }
    pages = [{"doc_id": rec.doc_id, "page": p.page, "text": p.text, "start": p.start, "ocr": p.ocr,
              "ocr_confidence": p.ocr_confidence, "engine": p.engine, "raw_text": p.raw_text} for p in rec.pages]
    cits = [{"doc_id": rec.doc_id, "mention": c.mention, "start": c.start, "end": c.end, "page": c.page,
             "cited_type": c.cited_type, "cited_number": c.cited_number, "cited_name": c.cited_name,
             "cited_date": c.cited_date, "cited_year": c.cited_year, "cited_issuer": c.cited_issuer,
             "cited_issuer_raw": c.cited_issuer_raw, "cited_subject": c.cited_subject, "part": c.part,
             "relation": c.relation, "relation_cue": c.relation_cue, "short_form": c.short_form,
             "relation_also": c.relation_also, "target_id": c.target_id,
             "cited_issuer_canonical": c.cited_issuer_canonical, "number_key": c.number_key,
             "target_key": c.target_key, "resolution": None, "resolution_confidence": None}
            for c in rec.citations]
    tasks = [{"doc_id": rec.doc_id, "assignee": t.assignee, "coordinators": t.coordinators, "action": t.action,
              "deadline": t.deadline, "deadline_text": t.deadline_text, "start": t.start, "end": t.end,
              "assignee_kind": t.assignee_kind, "assignee_canonical": t.assignee_canonical,
              "recurrence": t.recurrence, "report_to": t.report_to, "section": t.section, "task_no": i}
             for i, t in enumerate(rec.tasks, 1)]
    ents = [{"doc_id": rec.doc_id, "label": e.label, "text": e.text, "normalized": e.normalized,
             "start": e.start, "end": e.end, "source": e.source,
             "collective": getattr(e, "collective", False), "link": getattr(e, "link", None)} for e in rec.entities]
    fails = [failure_row(f, batch_id, now) for f in rec.failures]
    words = [{"doc_id": rec.doc_id, "page": p.page, "text": w[0], "x0": w[1], "y0": w[2], "x1": w[3], "y1": w[4],
              "conf": w[5], "start": w[6] if len(w) > 6 else None, "end": w[7] if len(w) > 7 else None}
             for p in rec.pages for w in (p.words or ())]
    images = [{"doc_id": rec.doc_id, "page": p.page, "mime": "image/jpeg", "width": p.image_size[0],
               "height": p.image_size[1], "data": p.image} for p in rec.pages if p.image and p.image_size]
    receipts = [{"doc_id": rec.doc_id, "page": r.page, "receiver": r.receiver, "register_number": r.register_number,
                 "received_date": r.received_date, "received_hour": r.received_hour, "forwarded_to": r.forwarded_to,
                 "x0": r.box[0], "y0": r.box[1], "x1": r.box[2], "y1": r.box[3], "text": r.text} for r in rec.receipts]
    return {"documents": [doc], "pages": pages, "citations": cits, "tasks": tasks, "entities": ents,
            "failures": fails, "words": words, "page_images": images, "receipts": receipts}


def failure_row(f: Failure, batch_id: str, now: dt.datetime) -> dict:
    """A failure as a row. `input_key` is what must change for an unchanged bad file to be tried
    again (its sha256, or for an input without readable content the reason's identity, such as a
    broken symlink's target); a transient failure (a worker killed from outside) has none and is
    retried by the next run."""
    transient = bool(getattr(f, "transient", False))
    key = None if transient else (getattr(f, "input_key", None) or f.source_sha256)
    return {"source_path": display_path(f.source_path), "stage": f.stage, "error": f.error, "page": f.page,
            "doc_id": f.doc_id, "batch_id": batch_id, "failed_at": now, "source_sha256": f.source_sha256,
            "source_path_bytes": path_bytes_b64(f.source_path), "input_key": key, "transient": transient}


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _snap_no(p: Path) -> int | None:
    return int(p.name) if p.name.isdigit() else None


def snapshot_dir(root: str | os.PathLike) -> Path | None:
    """The snapshot a reader should pin to read several tables from one moment (None: no dataset,
    or a dataset of the old layout)."""
    cur = Path(root) / CURRENT
    try:
        target = os.readlink(cur)
    except OSError:
        return None
    return (Path(root) / target).resolve()


def table_dir(root: str | os.PathLike, table: str, pinned: Path | None = None) -> Path:
    """`<snapshot>/<table>` when the dataset has snapshots, else `DIR/<table>`."""
    snap = pinned or snapshot_dir(root)
    return snap / table if snap is not None else Path(root) / table


def _parts(d: Path) -> list[Path]:
    """The parts a reader sees: `*.parquet`, not hidden (temporary files start with a dot)."""
    try:
        return sorted(f for f in d.glob("*.parquet") if not f.name.startswith((".", "_")))
    except OSError:
        return []


class Dataset:
    """A dataset directory. Not safe for two writers at once: a lock file refuses the second.

    `readonly=True` opens without the lock and without recovery (a `--dry-run`, an inspection)."""

    def __init__(self, root: str | os.PathLike, readonly: bool = False):
        self.root = Path(root)
        self.readonly = readonly
        self._doc_ids: IdSet | None = None
        self._fail_index: dict[str, set[str]] | None = None  # path → failures parts with its whole-file rows
        self._lock_fd: int | None = None
        self.batches_committed = 0
        self.last_cleared = 0  # whole-file failure rows dropped by the last write_batch for files that now succeed

    # -- life cycle ------------------------------------------------------------------------
    def open(self) -> "Dataset":
        if self.readonly:
            return self
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._lock()
            try:
                self.recover()
            except BaseException:
                self.close()
                raise
        except OSError as e:
            raise StoreError(f"cannot open dataset {self.root}: {e}") from e
        return self

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
            try:
                (self.root / "_lock").unlink()
            except OSError:
                pass

    def __enter__(self) -> "Dataset":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def _lock(self) -> None:
        """`DIR/_lock` holds the writer's pid and start time; a lock whose process is gone (dead, a
        zombie, or its pid reused by another process) is stale and taken over."""
        path = self.root / "_lock"
        try:
            self._lock_fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            me = os.getpid()
            os.write(self._lock_fd, f"{me} {_start_time(me) or ''}".strip().encode() + b"\n")
        except FileExistsError:
            try:
                held = path.read_text().split()
            except OSError:
                held = ["?"]
            pid = held[0] if held else ""
            started = held[1] if len(held) > 1 else None
            if pid.isdigit() and not process_alive(int(pid), started) or pid == "":
                # stale lock of a dead process (or one killed between creating and writing it)
                if pid == "" and time.time() - _mtime(path) < 5:
                    raise StoreError(f"dataset {self.root} is being opened by another process")
                path.unlink(missing_ok=True)
                return self._lock()
            raise StoreError(f"dataset {self.root} is locked by process {pid} (another ingest is running)")

    # -- layout and recovery ---------------------------------------------------------------
    def snapshot(self) -> Path | None:
        return snapshot_dir(self.root)

    def _snapshots(self) -> list[Path]:
        d = self.root / SNAP_DIR
        if not d.is_dir():
            return []
        return sorted((p for p in d.iterdir() if _snap_no(p) is not None), key=_snap_no)

    def recover(self) -> list[str]:
        """Bring the directory to a committed state after a crash; returns the batches rolled forward.

        Rolls back: snapshots newer than `_current` (a publish that had not reached its commit
        point), staging folders, temporary symlinks. Rolls forward: a staging folder marked COMMIT
        by an older version. Converts a dataset of the old layout (real table folders)."""
        for f in self.root.glob(f"{CURRENT}.tmp-*"):
            f.unlink(missing_ok=True)
        cur = self.snapshot()
        if cur is not None and not cur.is_dir():
            raise StoreError(f"dataset {self.root}: {CURRENT} points to a missing snapshot {cur}")
        cur_no = _snap_no(cur) if cur is not None else -1
        for s in self._snapshots():
            if _snap_no(s) > cur_no:
                shutil.rmtree(s, ignore_errors=True)  # never committed
        legacy = [t for t in SCHEMAS if (self.root / t).is_dir() and not (self.root / t).is_symlink()]
        if cur is None or legacy:
            self._adopt(legacy)
        for t in SCHEMAS:
            link = self.root / t
            if not link.is_symlink():
                if link.exists():  # a file where a table should be
                    raise StoreError(f"dataset {self.root}: {link} is not a table folder")
                tmp = self.root / f".{t}.link-{uuid.uuid4().hex[:8]}"
                os.symlink(f"{CURRENT}/{t}", tmp)
                os.replace(tmp, link)
        cur = self.snapshot()
        for t in SCHEMAS:  # a table added by a newer version: an empty part with its schema
            d = cur / t
            d.mkdir(exist_ok=True)
            if not _parts(d):
                self._write_table(pa.Table.from_pylist([], schema=SCHEMAS[t]), d / "part-00000000-empty.parquet")
        shutil.rmtree(self.root / "_migrating", ignore_errors=True)
        done: list[str] = []
        staging = self.root / STAGING
        if staging.exists():
            for b in sorted(staging.iterdir()):
                if b.is_dir() and (b / "COMMIT").exists():
                    parts = {f.stem: pq.read_table(f) for f in sorted(b.glob("*.parquet"))
                             if f.stem in SCHEMAS and not (cur / f.stem / f"part-{b.name}.parquet").exists()}
                    self._commit(b.name, parts, {}, staged=None)
                    done.append(b.name)
                shutil.rmtree(b, ignore_errors=True)
        self._doc_ids = None
        self._fail_index = None
        return done

    def _adopt(self, legacy: list[str]) -> None:
        """Make the first snapshot (fresh dataset) or link the parts of old-layout table folders
        into a new one, then swap each folder for its symlink (after the commit, so a crash in
        between loses nothing: the next open finishes the swap)."""
        cur = self.snapshot()
        n = (_snap_no(cur) if cur is not None else 0) + 1
        snap = self.root / SNAP_DIR / f"{n:06d}"
        shutil.rmtree(snap, ignore_errors=True)
        snap.mkdir(parents=True)
        for t in SCHEMAS:
            d = snap / t
            d.mkdir()
            names = set()
            if cur is not None and (cur / t).is_dir():
                for f in _parts(cur / t):
                    os.link(f, d / f.name)
                    names.add(f.name)
            if t in legacy:
                for f in _parts(self.root / t):
                    if f.name not in names:
                        os.link(f, d / f.name)
                        names.add(f.name)
            if not names:
                self._write_table(pa.Table.from_pylist([], schema=SCHEMAS[t]), d / "part-00000000-empty.parquet")
            _fsync_dir(d)
        self._write_snapshot_info(snap, cur, [])
        _fsync_dir(snap)
        self._switch(snap)
        if legacy:
            mig = self.root / "_migrating"
            mig.mkdir(exist_ok=True)
            for t in legacy:
                os.replace(self.root / t, mig / t)
                tmp = self.root / f".{t}.link-{uuid.uuid4().hex[:8]}"
                os.symlink(f"{CURRENT}/{t}", tmp)
                os.replace(tmp, self.root / t)
            _fsync_dir(self.root)
            shutil.rmtree(mig, ignore_errors=True)

    def _switch(self, snap: Path) -> None:
        """The commit point: one atomic rename of the `_current` symlink."""
        tmp = self.root / f"{CURRENT}.tmp-{uuid.uuid4().hex[:8]}"
        os.symlink(os.path.relpath(snap, self.root), tmp)
        _step("commit")
        os.replace(tmp, self.root / CURRENT)
        _fsync_dir(self.root)

    @staticmethod
    def _write_snapshot_info(snap: Path, prev: Path | None, new_batches: list[str]) -> None:
        batches: list[str] = []
        if prev is not None:
            try:
                batches = json.loads((prev / "_snapshot.json").read_text()).get("batches", [])
            except (OSError, ValueError):
                batches = []
        info = {"snapshot": _snap_no(snap), "batches": batches + new_batches,
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        tmp = snap / "._snapshot.json.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(info, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, snap / "_snapshot.json")

    def _gc(self) -> None:
        cur = self.snapshot()
        older = [s for s in self._snapshots() if cur is None or _snap_no(s) < _snap_no(cur)]
        now = time.time()
        for s in older[:-KEEP_SNAPSHOTS] if KEEP_SNAPSHOTS else older:
            if now - _mtime(s) > KEEP_SECONDS:
                shutil.rmtree(s, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------
    def _table_dir(self, table: str) -> Path:
        return table_dir(self.root, table)

    def doc_ids(self) -> IdSet:
        """The ids of the documents stored, read once per `Dataset` and kept current by
        `write_batch`: packed (`ids.IdSet`), since the run keeps them all."""
        if self._doc_ids is None:
            ids = IdSet()
            for f in _parts(self._table_dir("documents")):
                t = _read(f, columns=["doc_id"])
                ids.update(t.column("doc_id").to_pylist())
            self._doc_ids = ids
        return self._doc_ids

    def _failure_rows(self) -> Iterable[tuple[str, pa.Table]]:
        for f in _parts(self._table_dir("failures")):
            yield f.name, _read(f)

    def failed_files(self) -> set[tuple[str, str]]:
        """(source_path, key) of every whole-file failure on record whose input has not changed
        since: an unchanged bad file is not processed or logged again on a re-run. The key is the
        file's sha256, or for an input without readable content (a broken symlink) the identity
        of its problem; transient failures (a worker killed from outside) have none."""
        out: set[tuple[str, str]] = set()
        for _, t in self._failure_rows():
            if "source_sha256" not in t.column_names or not t.num_rows:
                continue
            keys = (t.column("input_key") if "input_key" in t.column_names else t.column("source_sha256")).to_pylist()
            for path, key, doc in zip(t.column("source_path").to_pylist(), keys, t.column("doc_id").to_pylist()):
                if key and not doc:
                    out.add((path, key))
        return out

    def failure_paths(self) -> set[str]:
        """Paths with a whole-file failure row (of any kind)."""
        return set(self._failures_index())

    def _failures_index(self) -> dict[str, set[str]]:
        if self._fail_index is None:
            idx: dict[str, set[str]] = {}
            for name, t in self._failure_rows():
                for p, d in zip(t.column("source_path").to_pylist(), t.column("doc_id").to_pylist()):
                    if d is None and p is not None:
                        idx.setdefault(p, set()).add(name)
            self._fail_index = idx
        return self._fail_index

    def read(self, table: str) -> pa.Table:
        files = _parts(self._table_dir(table))
        if not files:
            return pa.Table.from_pylist([], schema=SCHEMAS[table])
        return pa.concat_tables([_conform(pq.read_table(f), SCHEMAS[table]) for f in files])

    # -- writing ---------------------------------------------------------------------------
    def clear_failures(self, paths: set[str]) -> int:
        """Drop the whole-file failure rows of these paths (files that now succeed), atomically."""
        paths = {display_path(p) for p in paths}
        if not paths & set(self._failures_index()):
            return 0
        batch_id = _batch_id()
        replaced, dropped = self._supersede(paths)
        try:
            self._commit(batch_id, {}, replaced, staged=self.root / STAGING / batch_id)
        except OSError as e:
            raise StoreError(f"cannot clear failures in {self.root}: {e}") from e
        idx = self._failures_index()
        for p in paths:
            idx.pop(p, None)
        self._rename_in_index(replaced, batch_id)
        return dropped

    def _rename_in_index(self, replaced: dict[str, pa.Table | None], batch_id: str) -> None:
        """After a commit: failures parts that were rewritten have new names (`_replaced_name`)."""
        if not replaced:
            return
        idx = self._failures_index()
        for p, names in list(idx.items()):
            new = {(_replaced_name(n, batch_id) if n in replaced else n) for n in names
                   if not (n in replaced and replaced[n] is None)}
            if new:
                idx[p] = new
            else:
                del idx[p]

    def write_batch(self, records: list[DocumentRecord], failures: list[Failure],
                    clear: Iterable[str] = ()) -> tuple[int, int]:
        """Commit one batch atomically. Returns (documents written, duplicates skipped).

        Earlier whole-file failure rows of the paths in this batch (its documents, its whole-file
        failures, and `clear`) are dropped in the same commit: a file that now succeeds loses its
        failure row, one that failed again keeps only the new row."""
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        batch_id = _batch_id()
        rows: dict[str, list[dict]] = {t: [] for t in BATCH_TABLES}
        known = self.doc_ids()
        written = skipped = 0
        new_ids: set[str] = set()
        for rec in records:
            if rec.doc_id in known or rec.doc_id in new_ids:
                skipped += 1
                continue
            new_ids.add(rec.doc_id)
            for t, r in document_rows(rec, batch_id, now).items():
                rows[t].extend(r)
            written += 1
        rows["failures"].extend(failure_row(f, batch_id, now) for f in failures)
        ok_paths = {display_path(r.source_path) for r in records} | {display_path(p) for p in clear}
        fail_paths = {display_path(f.source_path) for f in failures if f.doc_id is None}
        replaced, _ = self._supersede(ok_paths | fail_paths)
        self.last_cleared = len((ok_paths - fail_paths) & set(self._failures_index()))
        if not any(rows.values()) and not replaced:
            return written, skipped
        parts = {t: pa.Table.from_pylist(r, schema=SCHEMAS[t]) for t, r in rows.items() if r}
        try:
            self._commit(batch_id, parts, replaced, staged=self.root / STAGING / batch_id)
        except OSError as e:
            raise StoreError(f"cannot write batch {batch_id} to {self.root}: {e}") from e
        known.update(new_ids)
        idx = self._failures_index()
        for p in ok_paths | fail_paths:
            idx.pop(p, None)
        self._rename_in_index(replaced, batch_id)
        for r in rows["failures"]:
            if r["doc_id"] is None:
                idx.setdefault(r["source_path"], set()).add(f"part-{batch_id}.parquet")
        return written, skipped

    def _supersede(self, paths: set[str]) -> tuple[dict[str, pa.Table | None], int]:
        """The failures parts that hold whole-file rows of `paths`, filtered (None: nothing left)."""
        idx = self._failures_index()
        names = sorted({n for p in paths if p in idx for n in idx[p]})
        out: dict[str, pa.Table | None] = {}
        dropped = 0
        d = self._table_dir("failures")
        for name in names:
            t = _read(d / name)
            keep = [not (p in paths and doc is None) for p, doc in zip(t.column("source_path").to_pylist(),
                                                                      t.column("doc_id").to_pylist())]
            dropped += keep.count(False)
            out[name] = t.filter(pa.array(keep, pa.bool_())) if any(keep) else None
        return out, dropped

    def _commit(self, batch_id: str, parts: dict[str, pa.Table], replaced: dict[str, pa.Table | None],
                staged: Path | None) -> None:
        """Publish new parts and replaced failures parts in one new snapshot (see the module doc)."""
        cur = self.snapshot()
        if cur is None:
            raise StoreError(f"dataset {self.root} is not open for writing")
        stage = staged or (self.root / STAGING / f"roll-{batch_id}")
        n = max([_snap_no(s) for s in self._snapshots()] + [_snap_no(cur)]) + 1
        snap = self.root / SNAP_DIR / f"{n:06d}"
        try:
            self._build(cur, snap, stage, batch_id, parts, replaced)
            self._switch(snap)  # ← the commit point
        except OSError:
            # an error before the commit point (a full disk): nothing became visible; leave no debris
            # (a crash instead of an error leaves it to `recover` on the next open)
            shutil.rmtree(snap, ignore_errors=True)
            shutil.rmtree(stage, ignore_errors=True)
            raise
        self.batches_committed += 1
        _step("after-commit")
        try:
            info = {"batch_id": batch_id, "snapshot": n, "tables": {t: p.num_rows for t, p in parts.items()}}
            with open(self.root / "_manifest.jsonl", "a", encoding="utf-8") as fh:
                fh.write(json.dumps(info) + "\n")
            shutil.rmtree(stage, ignore_errors=True)
            self._gc()
        except OSError:
            pass  # housekeeping only: the batch is committed

    def _build(self, cur: Path, snap: Path, stage: Path, batch_id: str, parts: dict[str, pa.Table],
               replaced: dict[str, pa.Table | None]) -> None:
        """Everything before the commit point: staged parts, then the new snapshot beside the current one."""
        stage.mkdir(parents=True, exist_ok=True)
        files: dict[str, Path] = {}
        for t, table in parts.items():
            _step(f"stage:{t}")
            files[t] = stage / f"{t}.parquet"
            self._write_table(table, files[t])
        repl_files: dict[str, Path] = {}
        for name, table in replaced.items():
            if table is not None:
                _step("stage:failures-rewrite")
                repl_files[name] = stage / f"failures-{name}"
                self._write_table(table, repl_files[name])
        _fsync_dir(stage)
        _step("snapshot")
        snap.mkdir()
        for t in sorted({p.name for p in cur.iterdir() if p.is_dir()} | set(SCHEMAS)):
            d = snap / t
            d.mkdir()
            _step(f"link:{t}")
            src = cur / t
            for f in _parts(src) if src.is_dir() else []:
                if t == "failures" and f.name in replaced:
                    continue
                os.link(f, d / f.name)
        for name, path in repl_files.items():
            _step("place:failures-rewrite")
            os.replace(path, snap / "failures" / _replaced_name(name, batch_id))
        for t, path in files.items():
            _step(f"place:{t}")
            os.replace(path, snap / t / f"part-{batch_id}.parquet")
        for t in parts.keys() | ({"failures"} if replaced else set()):
            d = snap / t
            if len(_parts(d)) == 0:  # every row superseded: keep the schema readable
                self._write_table(pa.Table.from_pylist([], schema=SCHEMAS[t]), d / "part-00000000-empty.parquet")
        _step("fsync")
        for d in snap.iterdir():
            if d.is_dir():
                _fsync_dir(d)
        self._write_snapshot_info(snap, cur, [batch_id] if parts else [])
        _fsync_dir(snap)
        _fsync_dir(snap.parent)

    def replace_table(self, table: str, data: pa.Table) -> None:
        """Rewrite a derived table (nodes, edges) in one atomic rename."""
        d = self._table_dir(table)
        tmp = d / f".part-{uuid.uuid4().hex}.tmp"
        self._write_table(data.cast(SCHEMAS[table]), tmp)
        final = d / "part-00000001-derived.parquet"
        os.replace(tmp, final)
        for f in d.glob("*.parquet"):
            if f != final:
                f.unlink()

    @staticmethod
    def _write_table(table: pa.Table, path: Path) -> None:
        tmp = path.with_name("." + path.name + ".tmp")
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)


def _replaced_name(name: str, batch_id: str) -> str:
    """A rewritten failures part gets a new name: a reader that listed the old snapshot and opens a
    name in the new one fails loudly instead of mixing two moments."""
    stem = name[: -len(".parquet")] if name.endswith(".parquet") else name
    return f"{stem.split('~')[0]}~{batch_id}.parquet"


def _batch_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


def _read(path: Path, columns: list[str] | None = None) -> pa.Table:
    """One part (ParquetFile: without the dataset machinery, which a re-run need not import)."""
    with pq.ParquetFile(path) as f:
        return f.read(columns=columns)


def _mtime(p: Path) -> float:
    try:
        return p.lstat().st_mtime
    except OSError:
        return 0.0


def _conform(t: pa.Table, schema: pa.Schema) -> pa.Table:
    """A part written before a column was added reads with that column null (columns are only added)."""
    cols = [t.column(f.name).cast(f.type) if f.name in t.column_names else pa.nulls(t.num_rows, f.type)
            for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError):
        return None


    return True
