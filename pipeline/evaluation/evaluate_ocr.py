"""OCR evaluation: character error rate per condition, and what OCR does to the extracted fields.

Scan-like renders are made at run time from the gold documents' own text by the generator in
`tests/scanlike.py` (fonts with full Vietnamese coverage, two-column header, skew, half resolution,
JPEG, seals). Three measurements:

  1. CER per condition (clean, skew3, half_res, jpeg_q20, heavy, seal): edit distance between the
     OCR text and the rendered text, over whitespace-normalised strings, summed over pages.
  2. References F1 on renders vs the text path on the same documents, and exact header number and
     date (`make eval-ocr` renders each document under `clean` and `heavy` as an image-only PDF and
     runs the whole `process`).
  3. The real scans of ../shared/corpus/scans against corpus/gold/scans.json when present.

Every figure printed here is what `make eval-ocr` prints; nothing is hard-coded.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .evaluate import REPO, _norm_value, gold_key, load_gold, resolve_source
from ..extract.references import citation_key

CER_CONDITIONS = ["clean", "skew3", "half_res", "jpeg_q20", "heavy", "seal"]


def _scanlike():
    tests = str(REPO / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import scanlike  # noqa: E402  (the generator lives with the tests, made at run time)

    return scanlike


_WS = regex.compile(r"\s+")
_LEADERS = regex.compile(r"(?:[.…_·]\s?){3,}|-{3,}")


def normalise(s: str) -> str:
    """Both sides of the CER in the pipeline's character space: NFC, the character variants of
    `clean` (Cyrillic look-alikes in symbols, dashes, quotes), single spaces; runs of leader dots
    and rules ("……………", "-------", form blanks) count as one mark, not as text."""
    from ..text.clean import normalize_text

    s, _ = normalize_text(s, strip_boilerplate=False)
    s = _LEADERS.sub("…", s)
    return _WS.sub(" ", s).strip()


def char_errors(ref: str, hyp: str) -> tuple[int, int]:
    from rapidfuzz.distance import Levenshtein

    r, h = normalise(ref), normalise(hyp)
    return Levenshtein.distance(r, h), len(r)


@dataclass
class CerResult:
    edits: dict[str, int] = field(default_factory=dict)
    chars: dict[str, int] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def cer(self, cond: str) -> float:
        return self.edits.get(cond, 0) / max(1, self.chars.get(cond, 0))


def _cer_job(args) -> tuple[str, int, int, float]:
    text, cond, page_limit, seed = args
    os.environ["OMP_THREAD_LIMIT"] = "1"
    sl = _scanlike()
    from ..text.ocr import ocr_image

    # only the first pages are scored: render a prefix long enough for them, degrade only them
    r = sl.render(text[: 4000 * (page_limit + 1)], seed=seed)
    r = sl.Rendered(r.pages[:page_limit], r.reference[:page_limit], r.dpi,
                    r.regions[:page_limit] if getattr(r, "regions", None) else [], getattr(r, "issuer", ""))
    params = sl.CONDITIONS[cond]
    d = sl.degrade(r, seed=seed, **params) if params else r
    edits = chars = 0
    t0 = time.perf_counter()
    from ..text.repair import repair_text

    for img, ref in list(zip(d.pages, d.reference))[:page_limit]:
        hyp, _conf, _engine = ocr_image(img, d.dpi)
        hyp = repair_text(hyp)  # the pipeline's page text is the repaired one (raw kept apart)
        e, n = char_errors(ref, hyp)
        edits += e
        chars += n
    return cond, edits, chars, time.perf_counter() - t0


def gold_texts(gold_dir: Path, only: str | None = None) -> list[tuple[str, str, dict]]:
    out = []
    for path, gold in load_gold(gold_dir):
        if only and not regex.search(only, path.name):
            continue
        src = resolve_source(gold["source"])
        if src.exists() and src.suffix == ".txt":
            out.append((path.name, src.read_text(encoding="utf-8"), gold))
    return out


def run_cer(docs: list[tuple[str, str, dict]], conditions: list[str], page_limit: int, jobs: int) -> CerResult:
    res = CerResult()
    jobs_list = [(text, cond, page_limit, i) for cond in conditions for i, (_n, text, _g) in enumerate(docs)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for cond, e, n, secs in pool.map(_cer_job, jobs_list):
            res.edits[cond] = res.edits.get(cond, 0) + e
            res.chars[cond] = res.chars.get(cond, 0) + n
            res.pages[cond] = res.pages.get(cond, 0) + 1
            res.seconds[cond] = res.seconds.get(cond, 0.0) + secs
    return res


def _fields_job(args) -> dict:
    name, text, gold, cond, seed = args
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ["VANBAN_OCR_JOBS"] = "1"
    sl = _scanlike()
    from ..document import process

    r = sl.render(text, seed=seed)
    params = sl.CONDITIONS[cond]
    d = sl.degrade(r, seed=seed, **params) if params else r
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / f"{Path(name).stem}.pdf"
        sl.to_pdf(d, pdf)
        rec = process(pdf)
    h = rec.header
    pred_refs = {citation_key(c) for c in rec.citations if citation_key(c)}
    gold_refs = {gold_key(g) for g in gold.get("references", []) if gold_key(g)}
    return {
        "doc": name, "cond": cond, "pages": len(rec.pages),
        "number_ok": _norm_value("number", gold.get("number")) == _norm_value("number", h.number),
        "date_ok": (gold.get("issue_date") or None) == (h.issue_date.isoformat() if h.issue_date else None),
        "signer_ok": _norm_value("signer", gold.get("signer")) == _norm_value("signer", rec.signature.signer),
        "signer": rec.signature.signer, "gold_signer": gold.get("signer"),
        # a rendered page always has text: one that comes out empty is a loss
        "empty_pages": sum(1 for p in rec.pages if not p.text.strip()),
        "tp": len(gold_refs & pred_refs), "fp": len(pred_refs - gold_refs), "fn": len(gold_refs - pred_refs),
    }


def _text_path_refs(docs) -> dict[str, tuple[int, int, int]]:
    from ..document import process

    out = {}
    for name, _text, gold in docs:
        rec = process(resolve_source(gold["source"]), ocr=False)
        pred = {citation_key(c) for c in rec.citations if citation_key(c)}
        g = {gold_key(x) for x in gold.get("references", []) if gold_key(x)}
        out[name] = (len(g & pred), len(pred - g), len(g - pred))
    return out


def f1(tp: int, fp: int, fn: int) -> float:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0


FIELD_CONDITIONS = ("clean", "heavy", "seal")


def run(gold_dir: Path, conditions=CER_CONDITIONS, page_limit: int = 2, max_chars: int = 20000,
        jobs: int = 2, only: str | None = None, report: Path | None = None,
        field_conditions=FIELD_CONDITIONS, every: int = 1) -> str:
    """CER per condition and field scores per field condition (module docstring). `every`: score
    the fields on every k-th document only (each keeps its seed: the same pages as a full run)."""
    all_docs = gold_texts(gold_dir, only)
    docs = [d for d in all_docs if len(d[1]) <= max_chars]
    lines = [f"CER: {len(all_docs)} gold documents, first {page_limit} rendered pages each; "
             f"fields: the {len(docs)} of at most {max_chars} characters, every page"]
    t0 = time.perf_counter()
    cer = run_cer(all_docs, list(conditions), page_limit, jobs) if conditions else CerResult()
    lines.append(f"{'condition':<10}{'CER':>8}{'chars':>9}{'docs':>6}")
    for c in conditions:
        lines.append(f"{c:<10}{cer.cer(c):8.2%}{cer.chars.get(c, 0):9d}{cer.pages.get(c, 0):6d}")
    field_rows = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        field_rows = list(pool.map(_fields_job, [(n, t, g, cond, i)
                                                 for cond in field_conditions for i, (n, t, g) in enumerate(docs)
                                                 if i % max(1, every) == 0]))
    text_path = _text_path_refs([d for i, d in enumerate(docs) if i % max(1, every) == 0])
    tp, fp, fn = (sum(v[i] for v in text_path.values()) for i in range(3))
    base = f1(tp, fp, fn)
    lines.append(f"references F1, text path on the same documents: {base:.3f}")
    summary = {"cer": {c: cer.cer(c) for c in conditions}, "text_path_references_f1": base}
    for cond in field_conditions:
        rows = [r for r in field_rows if r["cond"] == cond]
        rtp, rfp, rfn = (sum(r[k] for r in rows) for k in ("tp", "fp", "fn"))
        score = f1(rtp, rfp, rfn)
        numbers = sum(r["number_ok"] for r in rows) / max(1, len(rows))
        dates = sum(r["date_ok"] for r in rows) / max(1, len(rows))
        signers = sum(r["signer_ok"] for r in rows) / max(1, len(rows))
        empty = sum(r["empty_pages"] for r in rows)
        lines.append(f"{cond:<6} renders: references F1 {score:.3f} ({score / base if base else 0:.3f} x text path); "
                     f"header number exact {numbers:.1%}, date exact {dates:.1%}, signer exact {signers:.1%} "
                     f"of {len(rows)} documents; {empty} empty pages")
        summary[cond] = {"references_f1": score, "ratio": score / base if base else 0,
                         "number_exact": numbers, "date_exact": dates, "signer_exact": signers,
                         "empty_pages": empty, "documents": len(rows)}
    lines.append(f"elapsed {time.perf_counter() - t0:.0f} s with {jobs} workers")
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps({"summary": summary, "documents": field_rows}, ensure_ascii=False, indent=1))
        lines.append(f"report: {report}")
    return "\n".join(lines)


SCAN_FIELDS = ["doc_type", "number", "symbol", "issue_date", "issuer", "signer"]


def _scan_job(entry: dict) -> dict:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from .evaluate import shared_corpus
    from ..document import process

    path = shared_corpus() / entry["file"]
    row = {"file": entry["file"]}
    try:
        rec = process(path)
    except Exception as e:  # a failure is a miss on every field, and is reported
        row["error"] = f"{type(e).__name__}: {e}"
        return row
    h, s = rec.header, rec.signature
    pred = {"doc_type": h.doc_type, "number": h.number, "symbol": h.symbol,
            "issue_date": h.issue_date.isoformat() if h.issue_date else None,
            "issuer": h.issuer, "signer": s.signer}
    for f in SCAN_FIELDS:
        g, p = _norm_value(f, entry.get(f)), _norm_value(f, pred[f])
        row[f] = {"gold": entry.get(f), "pred": pred[f], "ok": g == p}
    cited = {_norm_value("number", c.cited_number) for c in rec.citations if c.cited_number}
    gold_cited = {_norm_value("number", n) for n in entry.get("cited_numbers", [])}
    row["cited"] = {"tp": len(cited & gold_cited), "fp": len(cited - gold_cited), "fn": len(gold_cited - cited),
                    "extra": sorted(cited - gold_cited), "missed": sorted(gold_cited - cited)}
    row["ocr_pages"] = sum(p.ocr for p in rec.pages)
    got = [{"receiver": r.receiver, "register_number": r.register_number,
            "received_date": r.received_date.isoformat() if r.received_date else None} for r in rec.receipts]
    row["receipts"] = {"gold": entry.get("receipts", []), "pred": got}
    return row


def receipt_scores(rows: list[dict]) -> dict:
    """Receipt stamps (`text.stamps`): stamps found, their date and register number right, and
    receipts reported on files that carry none."""
    gold = [(g, r["receipts"]["pred"]) for r in rows if "receipts" in r for g in r["receipts"]["gold"]]
    found = sum(1 for _g, pred in gold if pred)
    date_ok = sum(1 for g, pred in gold if pred and pred[0]["received_date"] == g["received_date"])
    numbered = [(g, pred) for g, pred in gold if g["register_number"]]
    number_ok = sum(1 for g, pred in numbered if pred and pred[0]["register_number"] == g["register_number"])
    false = sum(len(r["receipts"]["pred"]) for r in rows if "receipts" in r and not r["receipts"]["gold"])
    return {"stamps": len(gold), "found": found, "date_ok": date_ok, "numbered": len(numbered),
            "number_ok": number_ok, "false_receipts": false}


def run_scans(jobs: int = 2, report: Path | None = None) -> str:
    gold_path = REPO / "corpus" / "gold" / "scans.json"
    from .evaluate import shared_corpus

    if not gold_path.exists() or not shared_corpus().exists():
        return "real scans: skipped (corpus/gold/scans.json or ../shared/corpus absent)"
    entries = json.loads(gold_path.read_text(encoding="utf-8"))["documents"]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(_scan_job, entries))
    lines = [f"real scans ({len(rows)} files of ../shared/corpus/scans, gold corpus/gold/scans.json): "
             "share of files whose field is exactly right (null = null counts as right)"]
    for f in SCAN_FIELDS:
        ok = sum(1 for r in rows if r.get(f, {}).get("ok"))
        lines.append(f"  {f:<11}{ok / len(rows):7.1%}  ({ok}/{len(rows)})")
    tp, fp, fn = (sum(r.get("cited", {}).get(k, 0) for r in rows) for k in ("tp", "fp", "fn"))
    lines.append(f"  cited numbers F1 {f1(tp, fp, fn):.3f} (tp {tp}, fp {fp}, fn {fn})")
    rs = receipt_scores(rows)
    lines.append(f"  receipt stamps: {rs['found']}/{rs['stamps']} found, date right {rs['date_ok']}/{rs['stamps']}, "
                 f"register number right {rs['number_ok']}/{rs['numbered']}, receipts on files without one "
                 f"{rs['false_receipts']}")
    errors = [r for r in rows if "error" in r]
    if errors:
        lines.append(f"  failed: {len(errors)}: " + "; ".join(f"{r['file']}: {r['error']}" for r in errors))
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    return "\n".join(lines)
