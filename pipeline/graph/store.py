"""The Parquet dataset: one directory per table, one file per committed batch.

Why this shape: every tool (pandas, DuckDB, Spark, polars) reads `DIR/<table>/` as one table, and a
nightly job only ever adds files. A batch is written to `DIR/_staging/<batch>/`, marked complete
with a COMMIT file, then moved into place file by file; a crash before COMMIT leaves nothing
visible, a crash after it is finished on the next open (`recover`). Documents are keyed by
`doc_id` (content hash): a document already in the dataset is never written twice.

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

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import StoreError
from ..extract.identity import number_key
from ..models import DocumentRecord, Failure

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
        ("node_key", STRING), ("node_method", STRING), ("paper_key", STRING),
    ]),
    "pages": pa.schema([
        ("doc_id", STRING), ("page", pa.int32()), ("text", STRING), ("start", pa.int64()),
        ("ocr", pa.bool_()), ("ocr_confidence", pa.float32()), ("engine", STRING), ("raw_text", STRING),
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
        ("start", pa.int64()), ("end", pa.int64()), ("source", STRING),
    ]),
    "failures": pa.schema([
        ("source_path", STRING), ("stage", STRING), ("error", STRING), ("page", pa.int32()),
        ("doc_id", STRING), ("batch_id", STRING), ("failed_at", pa.timestamp("s", tz="UTC")),
        ("source_sha256", STRING),
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
BATCH_TABLES = ["documents", "pages", "citations", "tasks", "entities", "failures"]
DERIVED_TABLES = list(GRAPH_SCHEMAS)


def _span(s, attr: str):
    return getattr(s, attr) if s is not None else None


def document_rows(rec: DocumentRecord, batch_id: str, now: dt.datetime) -> dict[str, list[dict]]:
    """One record → rows of every per-document table."""
    h, s = rec.header, rec.signature
    doc = {
        "doc_id": rec.doc_id, "source_path": rec.source_path, "source_sha256": rec.source_sha256,
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
        "paper_key": rec.paper_key,
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
             "start": e.start, "end": e.end, "source": e.source} for e in rec.entities]
    fails = [failure_row(f, batch_id, now) for f in rec.failures]
    return {"documents": [doc], "pages": pages, "citations": cits, "tasks": tasks, "entities": ents,
            "failures": fails}


def failure_row(f: Failure, batch_id: str, now: dt.datetime) -> dict:
    return {"source_path": f.source_path, "stage": f.stage, "error": f.error, "page": f.page,
            "doc_id": f.doc_id, "batch_id": batch_id, "failed_at": now, "source_sha256": f.source_sha256}


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


class Dataset:
    """A dataset directory. Not safe for two writers at once: a lock file refuses the second."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._doc_ids: set[str] | None = None
        self._lock_fd: int | None = None

    # -- life cycle ------------------------------------------------------------------------
    def open(self) -> "Dataset":
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for t in SCHEMAS:
                (self.root / t).mkdir(exist_ok=True)
            self._lock()
            self.recover()
            for t in SCHEMAS:
                self._ensure_schema_file(t)
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
        path = self.root / "_lock"
        try:
            self._lock_fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.write(self._lock_fd, f"{os.getpid()}\n".encode())
        except FileExistsError:
            pid = path.read_text().strip() if path.exists() else "?"
            if pid.isdigit() and not _alive(int(pid)):
                path.unlink()  # stale lock of a dead process
                return self._lock()
            raise StoreError(f"dataset {self.root} is locked by process {pid} (another ingest is running)")

    def _ensure_schema_file(self, table: str) -> None:
        """Every table exists with its schema, even when empty (a reader must find the columns)."""
        d = self.root / table
        if not any(d.glob("*.parquet")):
            self._write_table(pa.Table.from_pylist([], schema=SCHEMAS[table]), d / "part-00000000-empty.parquet")

    def recover(self) -> list[str]:
        """Finish committed batches left in staging by a crash; drop uncommitted ones."""
        staging = self.root / "_staging"
        done = []
        if not staging.exists():
            return done
        for b in sorted(staging.iterdir()):
            if (b / "COMMIT").exists():
                self._publish(b)
                done.append(b.name)
            else:
                shutil.rmtree(b, ignore_errors=True)
        return done

    # -- reading ---------------------------------------------------------------------------
    def doc_ids(self) -> set[str]:
        if self._doc_ids is None:
            ids: set[str] = set()
            for f in sorted((self.root / "documents").glob("*.parquet")):
                t = pq.read_table(f, columns=["doc_id"])
                ids.update(x for x in t.column("doc_id").to_pylist() if x)
            self._doc_ids = ids
        return self._doc_ids

    def failed_files(self) -> set[tuple[str, str]]:
        """(source_path, sha256) of every whole-file failure on record: an unchanged bad file is not
        processed or logged again on a re-run."""
        out: set[tuple[str, str]] = set()
        for f in sorted((self.root / "failures").glob("*.parquet")):
            t = pq.read_table(f)
            if "source_sha256" not in t.column_names:
                continue
            for path, sha, doc in zip(t.column("source_path").to_pylist(), t.column("source_sha256").to_pylist(),
                                      t.column("doc_id").to_pylist()):
                if sha and not doc:
                    out.add((path, sha))
        return out

    def clear_failures(self, paths: set[str]) -> int:
        """Drop the whole-file failure rows of files that now succeeded (each part replaced atomically)."""
        if not paths:
            return 0
        dropped = 0
        for f in sorted((self.root / "failures").glob("*.parquet")):
            t = pq.read_table(f)
            if not t.num_rows:
                continue
            keep = [not (p in paths and d is None) for p, d in zip(t.column("source_path").to_pylist(),
                                                                  t.column("doc_id").to_pylist())]
            if all(keep):
                continue
            dropped += keep.count(False)
            self._write_table(t.filter(pa.array(keep)), f)
        return dropped

    def read(self, table: str) -> pa.Table:
        files = sorted((self.root / table).glob("*.parquet"))
        if not files:
            return pa.Table.from_pylist([], schema=SCHEMAS[table])
        return pa.concat_tables([_conform(pq.read_table(f), SCHEMAS[table]) for f in files])

    # -- writing ---------------------------------------------------------------------------
    def write_batch(self, records: list[DocumentRecord], failures: list[Failure]) -> tuple[int, int]:
        """Commit one batch atomically. Returns (documents written, duplicates skipped)."""
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        batch_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:8]
        rows: dict[str, list[dict]] = {t: [] for t in BATCH_TABLES}
        known = self.doc_ids()
        written = skipped = 0
        for rec in records:
            if rec.doc_id in known:
                skipped += 1
                continue
            known.add(rec.doc_id)
            for t, r in document_rows(rec, batch_id, now).items():
                rows[t].extend(r)
            written += 1
        rows["failures"].extend(failure_row(f, batch_id, now) for f in failures)
        if not any(rows.values()):
            return written, skipped
        stage = self.root / "_staging" / batch_id
        try:
            stage.mkdir(parents=True)
            for t, r in rows.items():
                if r:
                    self._write_table(pa.Table.from_pylist(r, schema=SCHEMAS[t]), stage / f"{t}.parquet")
            (stage / "COMMIT").write_text(json.dumps({"batch_id": batch_id, "documents": written,
                                                      "failures": len(rows["failures"])}))
            _fsync_dir(stage)
            self._publish(stage)
        except OSError as e:
            raise StoreError(f"cannot write batch {batch_id} to {self.root}: {e}") from e
        return written, skipped

    def _publish(self, stage: Path) -> None:
        batch_id = stage.name
        for f in sorted(stage.glob("*.parquet")):
            target = self.root / f.stem / f"part-{batch_id}.parquet"
            if not target.exists():
                os.replace(f, target)
        info = (stage / "COMMIT").read_text() if (stage / "COMMIT").exists() else "{}"
        with open(self.root / "_manifest.jsonl", "a", encoding="utf-8") as fh:
            fh.write(info.strip() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        shutil.rmtree(stage, ignore_errors=True)
        _fsync_dir(self.root)

    def replace_table(self, table: str, data: pa.Table) -> None:
        """Rewrite a derived table (nodes, edges) in one atomic rename."""
        d = self.root / table
        tmp = d / f".part-{uuid.uuid4().hex}.tmp"
        self._write_table(data.cast(SCHEMAS[table]), tmp)
        final = d / "part-00000001-derived.parquet"
        os.replace(tmp, final)
        for f in d.glob("*.parquet"):
            if f != final:
                f.unlink()

    @staticmethod
    def _write_table(table: pa.Table, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)


def _conform(t: pa.Table, schema: pa.Schema) -> pa.Table:
    """A part written before a column was added reads with that column null (columns are only added)."""
    cols = [t.column(f.name).cast(f.type) if f.name in t.column_names else pa.nulls(t.num_rows, f.type)
            for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
