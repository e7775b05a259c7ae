"""How well the graph links a real archive: `vanban eval-graph` over ../shared/corpus.

Two measures, both from the linked dataset:
  1. dev/ (central legal texts): every citation whose number and date match an ingested document
     (same number up to spacing and accents, same date; a normative number N/YYYY/… cited without
     a date counts too, being unique) must point to that document's node.
     Counted per (citing document, cited document) pair.
  2. local/ + scans/ ingested together: the in-corpus citation pairs that the corpus README lists
     (a citing text → a cited scan or text) must resolve to the cited document's node.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from ..ingest import ingest
from .evaluate import shared_corpus

# (citing file stem prefix, cited number) as listed under "In-corpus citation pairs" in the corpus README
LISTED_PAIRS = [
    ("local_lamdong_ttr_ttr-snv_4e57878d", "2873/SXD-QLN"),
    ("local_lamdong_ttr_ttr-snv_4e57878d", "4186/SNNMT-CCQLĐĐ"),
    ("_5677861c", "253/TTr-SNV"),
    ("_dd842706", "253/TTr-SNV"),
    ("_bd60196f", "519/SNV-TCCC"),
    ("_5bfdf47f", "788/STP-HCBT"),
    ("_f4e60cd3", "409/TTr-CAT(PC04)"),
]


def _views(con, out: Path) -> None:
    for t in ("documents", "citations", "nodes"):
        con.execute(f"CREATE OR REPLACE VIEW {t} AS SELECT * FROM read_parquet('{out / t}/*.parquet', union_by_name=true)")


def dev_pairs(out: Path) -> tuple[int, int, list[tuple]]:
    con = duckdb.connect()
    _views(con, out)
    rows = con.execute("""
        WITH m AS (
          SELECT DISTINCT c.doc_id AS citing, d.node_id AS expected, c.target_id, c.mention
          FROM citations c JOIN documents d
            ON c.number_key = d.number_key AND c.doc_id <> d.doc_id
           AND (c.cited_date = d.issue_date
                OR (c.cited_date IS NULL AND regexp_matches(d.number, '^[0-9]+[A-Za-z]?/[0-9]{4}/')))
          WHERE c.cited_number IS NOT NULL)
        SELECT citing, expected, bool_or(target_id = expected) AS ok, any_value(mention)
        FROM m GROUP BY citing, expected""").fetchall()
    bad = [r for r in rows if not r[2]]
    return len(rows) - len(bad), len(rows), bad


def listed_pairs(out: Path) -> list[tuple[str, str, bool, str | None]]:
    con = duckdb.connect()
    _views(con, out)
    res = []
    for stem, number in LISTED_PAIRS:
        got = con.execute("""
            SELECT c.target_id, n.kind, c.mention FROM citations c JOIN documents d USING (doc_id)
            LEFT JOIN nodes n ON n.node_id = c.target_id
            WHERE d.source_path LIKE ? AND replace(c.cited_number, ' ', '') = ?""",
                          [f"%{stem}%", number]).fetchall()
        cited = con.execute("SELECT node_id FROM documents WHERE replace(number, ' ', '') = ?", [number]).fetchall()
        ok = bool(got) and bool(cited) and all(g[0] in {c[0] for c in cited} for g in got)
        res.append((stem, number, ok, got[0][0] if got else None))
    return res


def run(jobs: int = 2, scans: bool = True, keep: str | None = None) -> str:
    corpus = shared_corpus()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(keep) if keep else Path(tmp)
        dev_out = base / "dev"
        ingest([str(corpus / "dev")], str(dev_out), jobs=jobs)
        ok, total, bad = dev_pairs(dev_out)
        lines.append(f"dev/: {ok} of {total} (citing, cited) pairs with matching number and date point to the "
                     f"ingested document's node")
        lines += [f"  missed: {b[3]!r} → {b[1]}" for b in bad[:20]]
        if scans:
            loc_out = base / "local"
            paths = [str(corpus / "local")] + [str(p) for p in sorted((corpus / "scans").glob("local_*"))]
            ingest(paths, str(loc_out), jobs=jobs)
            res = listed_pairs(loc_out)
            lines.append(f"local/ + scans/: {sum(r[2] for r in res)} of {len(res)} listed in-corpus pairs resolve "
                         f"to the cited document")
            lines += [f"  {'ok ' if r[2] else 'MISS'} {r[0]} → {r[1]} ({r[3]})" for r in res]
    return "\n".join(lines)


__all__ = ["run", "dev_pairs", "listed_pairs", "LISTED_PAIRS"]
