"""The auditor's view reads one SQLite file, built from the Parquet dataset: `DIR/_index/view.sqlite`.

Why a side index: a page of the view asks for one document (its text, citations, tasks, who cites
it …) or one page of search results. Over Parquet, each such question scans a column of every part
(doc ids are hashes, so row-group statistics prune nothing): fine for 24 documents, too slow for
100,000. SQLite answers them through B-tree indexes in a millisecond, and its FTS5 module gives the
full-text search over the archive (stdlib `sqlite3`, no server, nothing to download).

What it holds: the rows of the dataset's tables that the pages show (documents, the text of each
document assembled from its pages, pages, citations, tasks, entities, nodes, status, responses, OCR
words that carry offsets, which pages have an image), indexed by doc id / node id (the edges stay in
Parquet: the neighbourhood picture walks them in DuckDB over the graph's views),
and a contentless FTS5 table over the text with accents and case folded one character for one
(`fold_chars`: "quyet dinh" finds "quyết định"; snippets are cut from the stored text). The page images themselves stay in the dataset and are read by key when shown.

Keyed to the snapshot: the index records a fingerprint of the committed snapshot (`DIR/_current`)
and of every part file it was built from (name, size, mtime, inode: the linker rewrites parts in
place, by rename). `is_stale()` compares it with the dataset now, so a new ingest or link
invalidates it. The index is written to a temporary file and renamed into place: a reader sees the
old index or the new one, never half of one. When DIR is not writable the index goes to
`$XDG_CACHE_HOME/vanban/<hash of DIR>/` instead.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from ..graph.store import snapshot_dir
from ..text.clean import fold, strip_accents

SCHEMA_VERSION = "2"
INDEX_NAME = "view.sqlite"
# tables read; the fingerprint covers their parts
TABLES = ["documents", "pages", "citations", "tasks", "entities", "nodes", "edges", "status", "responses",
          "words", "page_images"]
BATCH = 20_000  # rows per insert batch (bounded memory on a large archive)


class _FoldTable(dict):
    """str.translate table, filled on demand: a character → its base letter, lower case ("Ế" → "e",
    "đ" → "d"); a character whose fold is not one character stays as it is."""

    def __missing__(self, cp: int):
        import unicodedata

        c = chr(cp)
        base = unicodedata.normalize("NFD", c)[0].lower() if c not in "đĐ" else "d"
        v = base if len(base) == 1 else c
        self[cp] = v
        return v


_FOLD = _FoldTable()


def fold_chars(s: str) -> str:
    """Accents and case off, one character for one: offsets in the folded text are offsets in the
    original. The FTS5 table holds this form (the unicode61 tokenizer keeps "đ" apart from "d", a
    person types "dinh" for "định"), and the snippets are cut from the original at the same offsets."""
    return s.translate(_FOLD) if s else ""


def search_key(s: str | None) -> str:
    """Accent- and case-free form used for issuer matching ("Ủy ban … Quảng Ngãi" → "uy ban … quang ngai")."""
    return strip_accents(fold(s)) if s else ""


def index_dir(data_dir: str | os.PathLike) -> Path:
    """`DIR/_index`, or a per-dataset cache folder when DIR is read-only."""
    root = Path(data_dir).resolve()
    d = root / "_index"
    if (d.is_dir() and os.access(d, os.W_OK)) or (not d.exists() and os.access(root, os.W_OK)):
        return d
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "vanban" / hashlib.sha1(str(root).encode()).hexdigest()[:16]


def index_path(data_dir: str | os.PathLike) -> Path:
    return index_dir(data_dir) / INDEX_NAME


def _parts(snap: Path, table: str) -> list[Path]:
    d = snap / table
    return sorted(d.glob("*.parquet")) if d.is_dir() else []


def fingerprint(data_dir: str | os.PathLike) -> str:
    """The snapshot and every part of the tables read: changes with any ingest or link."""
    root = Path(data_dir)
    snap = snapshot_dir(root) or root
    h = hashlib.sha1(f"v{SCHEMA_VERSION}|{snap.resolve()}".encode())
    for t in TABLES:
        for p in _parts(snap, t):
            st = p.stat()
            h.update(f"|{t}/{p.name}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode())
    return h.hexdigest()


def stored_fingerprint(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def is_stale(data_dir: str | os.PathLike) -> bool:
    return stored_fingerprint(index_path(data_dir)) != fingerprint(data_dir)


@dataclass
class IndexStats:
    path: Path
    documents: int
    citations: int
    nodes: int
    words: int
    seconds: float
    rebuilt: bool


_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE docs (rowid INTEGER PRIMARY KEY, doc_id TEXT UNIQUE NOT NULL, node_id TEXT, kind TEXT,
  doc_type TEXT, number TEXT, issue_date TEXT, issue_year INTEGER, place TEXT, issuer TEXT,
  issuer_canonical TEXT, issuer_key TEXT, signer TEXT, signer_title TEXT, subject TEXT, recipients TEXT,
  pages INTEGER, ocr INTEGER, text_chars INTEGER, source_path TEXT,
  number_start INTEGER, number_end INTEGER, date_start INTEGER, date_end INTEGER,
  issuer_start INTEGER, issuer_end INTEGER, signer_start INTEGER, signer_end INTEGER);
CREATE TABLE doc_text (rowid INTEGER PRIMARY KEY, text TEXT);
CREATE VIRTUAL TABLE doc_fts USING fts5(text, content='', tokenize='unicode61 remove_diacritics 2');
CREATE TABLE pages (doc_id TEXT, page INTEGER, start INTEGER, length INTEGER, ocr INTEGER,
  ocr_confidence REAL, engine TEXT);
CREATE TABLE citations (doc_id TEXT, start INTEGER, "end" INTEGER, page INTEGER, mention TEXT,
  relation TEXT, relation_cue TEXT, cited_type TEXT, cited_number TEXT, cited_name TEXT, cited_date TEXT,
  cited_issuer TEXT, target_id TEXT, resolution TEXT, part TEXT);
CREATE TABLE tasks (doc_id TEXT, task_no INTEGER, assignee TEXT, assignee_canonical TEXT, assignee_kind TEXT,
  coordinators TEXT, action TEXT, deadline TEXT, deadline_text TEXT, recurrence TEXT, report_to TEXT,
  section TEXT, start INTEGER, "end" INTEGER);
CREATE TABLE entities (doc_id TEXT, label TEXT, text TEXT, normalized TEXT, start INTEGER, "end" INTEGER);
CREATE TABLE nodes (node_id TEXT PRIMARY KEY, kind TEXT, doc_type TEXT, number TEXT, name TEXT,
  issue_date TEXT, issuer TEXT, issuer_canonical TEXT, doc_ids TEXT, mentions INTEGER, cited_by INTEGER,
  status TEXT, status_by TEXT, status_date TEXT, subject TEXT);
CREATE TABLE status (node_id TEXT, status TEXT, by_node TEXT, by_doc_id TEXT, relation TEXT, part TEXT,
  mention TEXT, page INTEGER, start INTEGER, date TEXT);
CREATE TABLE responses (node_id TEXT, task_no INTEGER, assignee TEXT, assignee_canonical TEXT,
  deadline TEXT, deadline_text TEXT, action TEXT, status TEXT, responder TEXT, response_node TEXT,
  response_doc_id TEXT, response_number TEXT, response_date TEXT, mention TEXT, as_of TEXT);
CREATE TABLE words (doc_id TEXT, page INTEGER, text TEXT, x0 REAL, y0 REAL, x1 REAL, y1 REAL, conf REAL,
  start INTEGER, "end" INTEGER);
CREATE TABLE page_images (doc_id TEXT, page INTEGER, mime TEXT, width INTEGER, height INTEGER,
  PRIMARY KEY (doc_id, page));
"""

_INDEXES = """
CREATE INDEX docs_node ON docs(node_id);
CREATE INDEX docs_date ON docs(issue_date);
CREATE INDEX docs_type_date ON docs(doc_type, issue_date);
CREATE INDEX pages_doc ON pages(doc_id, page);
CREATE INDEX citations_doc ON citations(doc_id, start);
CREATE INDEX citations_target ON citations(target_id);
CREATE INDEX tasks_doc ON tasks(doc_id, task_no);
CREATE INDEX entities_doc ON entities(doc_id, start);
CREATE INDEX status_node ON status(node_id);
CREATE INDEX responses_node ON responses(node_id, task_no);
CREATE INDEX words_doc ON words(doc_id, page);
"""

# per table: (columns of the SQLite table, in order) — read by name from the Parquet parts; a column
# the dataset lacks (an older dataset) is read as NULL
_COPY = {
    "pages": ["doc_id", "page", "start", "length", "ocr", "ocr_confidence", "engine"],
    "citations": ["doc_id", "start", "end", "page", "mention", "relation", "relation_cue", "cited_type",
                  "cited_number", "cited_name", "cited_date", "cited_issuer", "target_id", "resolution", "part"],
    "tasks": ["doc_id", "task_no", "assignee", "assignee_canonical", "assignee_kind", "coordinators", "action",
              "deadline", "deadline_text", "recurrence", "report_to", "section", "start", "end"],
    "entities": ["doc_id", "label", "text", "normalized", "start", "end"],
    "nodes": ["node_id", "kind", "doc_type", "number", "name", "issue_date", "issuer", "issuer_canonical",
              "doc_ids", "mentions", "cited_by", "status", "status_by", "status_date", "subject"],
    "status": ["node_id", "status", "by_node", "by_doc_id", "relation", "part", "mention", "page", "start", "date"],
    "responses": ["node_id", "task_no", "assignee", "assignee_canonical", "deadline", "deadline_text", "action",
                  "status", "responder", "response_node", "response_doc_id", "response_number", "response_date",
                  "mention", "as_of"],
    "words": ["doc_id", "page", "text", "x0", "y0", "x1", "y1", "conf", "start", "end"],
    "page_images": ["doc_id", "page", "mime", "width", "height"],
}
_DERIVED = {"pages": {"length": "length(text)"}}  # computed columns (the text itself lives in doc_text)
_WHERE = {"words": "start IS NOT NULL AND \"end\" IS NOT NULL"}  # only words that evidence an offset

_DOC_COLS = ["doc_id", "node_id", "kind", "doc_type", "number", "issue_date", "issue_year", "place", "issuer",
             "issuer_canonical", "signer", "signer_title", "subject", "recipients", "pages", "ocr", "text_chars",
             "source_path", "number_start", "number_end", "date_start", "date_end", "issuer_start", "issuer_end",
             "signer_start", "signer_end"]


def _sqlval(v):
    """Parquet value → SQLite value: dates as ISO text, lists as JSON, booleans as 0/1."""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return json.dumps(list(v), ensure_ascii=False)
    if isinstance(v, bool):
        return int(v)
    return v


def _columns(con, snap: Path, table: str) -> set[str]:
    if not _parts(snap, table):
        return set()
    return {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {_scan(snap, table)}").fetchall()}


def _scan(snap: Path, table: str) -> str:
    glob = str(snap / table / "*.parquet").replace("'", "''")
    return f"read_parquet('{glob}', union_by_name=true)"


def _stream(con, sql: str, params=()):
    cur = con.execute(sql, params)
    while True:
        rows = cur.fetchmany(BATCH)
        if not rows:
            break
        yield rows


def page_text(pages: list[tuple[int, str]]) -> str:
    """A document's text from its pages as (start, text): each page at its offset. The gap between
    pages is the separator the pipeline joins them with (`models.PAGE_SEPARATOR`)."""
    from ..models import PAGE_SEPARATOR

    out: list[str] = []
    n = 0
    for start, text in sorted(pages, key=lambda p: p[0]):
        start = n if start is None else int(start)
        if start > n:
            gap = start - n
            out.append(PAGE_SEPARATOR if gap == len(PAGE_SEPARATOR) else "\n" * gap)
            n = start
        elif start < n:  # overlapping pages (should not happen): keep what is already there
            text = text[n - start:] if text else text
        text = text or ""
        out.append(text)
        n += len(text)
    return "".join(out)


def build_index(data_dir: str | os.PathLike, force: bool = False, log=None) -> IndexStats:
    """Build (or keep, when current) the view's SQLite index of the dataset at `data_dir`."""
    import duckdb

    root = Path(data_dir)
    if not (root / "documents").is_dir():
        raise FileNotFoundError(f"{root} is not a vanban dataset (no documents/ table; run `vanban ingest … --out {root}`)")
    path = index_path(root)
    fp = fingerprint(root)
    t0 = time.perf_counter()
    if not force and path.exists() and stored_fingerprint(path) == fp:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("docs", "citations", "nodes", "words")]
        finally:
            con.close()
        return IndexStats(path, *counts, time.perf_counter() - t0, rebuilt=False)
    snap = snapshot_dir(root) or root
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    dcon = duckdb.connect()
    spill = path.parent / ".duckdb_tmp"  # sorting the pages of a large archive may spill: next to the index
    dcon.execute("SET enable_progress_bar = false")
    dcon.execute("SET memory_limit = '1GB'")
    dcon.execute(f"SET temp_directory = '{str(spill).replace(chr(39), chr(39) * 2)}'")
    scon = sqlite3.connect(tmp)
    try:
        scon.execute("PRAGMA journal_mode = OFF")
        scon.execute("PRAGMA synchronous = OFF")
        scon.execute("PRAGMA page_size = 8192")
        scon.executescript(_DDL)
        scon.execute("BEGIN")
        ndocs = _copy_documents(dcon, scon, snap, log)
        counts = {"docs": ndocs}
        for table, cols in _COPY.items():
            counts[table] = _copy_table(dcon, scon, snap, table, cols)
            if log:
                log(f"index: {table} {counts[table]:,} rows")
        scon.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("fingerprint", fp), ("schema", SCHEMA_VERSION), ("snapshot", str(snap.name)),
            ("built", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")), ("data", str(root.resolve()))])
        scon.execute("COMMIT")
        scon.executescript(_INDEXES)
        scon.execute("INSERT INTO doc_fts(doc_fts) VALUES ('optimize')")
        scon.execute("ANALYZE")
        scon.commit()
    except BaseException:
        scon.close()
        dcon.close()
        tmp.unlink(missing_ok=True)
        shutil.rmtree(spill, ignore_errors=True)
        raise
    scon.close()
    dcon.close()
    shutil.rmtree(spill, ignore_errors=True)
    os.replace(tmp, path)
    return IndexStats(path, ndocs, counts["citations"], counts["nodes"], counts["words"],
                      time.perf_counter() - t0, rebuilt=True)


def _copy_documents(dcon, scon, snap: Path, log=None) -> int:
    """documents + their text (pages joined at their offsets) + the FTS rows, one document at a time
    in doc_id order (both tables sorted the same way, so the pages stream alongside)."""
    have = _columns(dcon, snap, "documents")
    sel = ", ".join(_q(c) if c in have else f"NULL AS {_q(c)}" for c in _DOC_COLS)
    # one row per doc_id (a re-ingest never writes a doc twice, but be safe)
    docs = _stream(dcon, f"SELECT {sel} FROM {_scan(snap, 'documents')} QUALIFY row_number() OVER "
                         f"(PARTITION BY doc_id ORDER BY doc_id) = 1 ORDER BY doc_id")
    page_rows = iter(())
    if _parts(snap, "pages"):
        page_rows = (r for batch in _stream(dcon.cursor(), f"SELECT doc_id, start, text FROM {_scan(snap, 'pages')} "
                                                             f"ORDER BY doc_id, page") for r in batch)
    pending = next(page_rows, None)
    n = 0
    for batch in docs:
        drows, trows = [], []
        for r in batch:
            n += 1
            rec = dict(zip(_DOC_COLS, r))
            pages = []
            while pending is not None and pending[0] < rec["doc_id"]:
                pending = next(page_rows, None)
            while pending is not None and pending[0] == rec["doc_id"]:
                pages.append((pending[1], pending[2]))
                pending = next(page_rows, None)
            vals = [_sqlval(rec[c]) for c in _DOC_COLS]
            vals.insert(_DOC_COLS.index("issuer_canonical") + 1,
                        search_key(rec["issuer"]) + " | " + search_key(rec["issuer_canonical"]))
            drows.append([n] + vals)
            trows.append((n, page_text(pages)))
        cols = ["rowid"] + _DOC_COLS[:_DOC_COLS.index("issuer_canonical") + 1] + ["issuer_key"] + \
            _DOC_COLS[_DOC_COLS.index("issuer_canonical") + 1:]
        scon.executemany(f"INSERT INTO docs ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
                         drows)
        scon.executemany("INSERT INTO doc_text (rowid, text) VALUES (?, ?)", trows)
        scon.executemany("INSERT INTO doc_fts (rowid, text) VALUES (?, ?)", [(i, fold_chars(t)) for i, t in trows])
        if log:
            log(f"index: documents {n:,}")
    return n


def _copy_table(dcon, scon, snap: Path, table: str, cols: list[str]) -> int:
    have = _columns(dcon, snap, table)
    if not have:
        return 0
    derived = _DERIVED.get(table, {})
    sel = ", ".join(derived[c] if c in derived else _q(c) if c in have else f"NULL AS {_q(c)}" for c in cols)
    where = f" WHERE {_WHERE[table]}" if table in _WHERE and {"start", "end"} <= have else ""
    n = 0
    ins = f"INSERT OR IGNORE INTO {table} ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})"
    for batch in _stream(dcon, f"SELECT {sel} FROM {_scan(snap, table)}{where}"):
        scon.executemany(ins, [[_sqlval(v) for v in r] for r in batch])
        n += len(batch)
    return n


def _q(c: str) -> str:
    return f'"{c}"'


def connect(path: Path) -> sqlite3.Connection:
    """A read-only connection to a built index."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    con.row_factory = sqlite3.Row
    return con


__all__ = ["build_index", "fold_chars", "is_stale", "fingerprint", "index_path", "connect", "page_text", "search_key", "IndexStats"]
