"""Command line: `vanban ingest`, `vanban show`, `vanban eval`, `vanban bench`.

Exit codes (pipeline.errors.ExitCode): 0 ok, 2 bad arguments, 3 input missing, 4 some inputs
failed (see the failures table; the rest is written), 5 every input failed, 6 store error,
7 quality regression (eval --check), 130 interrupted.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict, is_dataclass
from pathlib import Path

from .errors import ExitCode, InputError, StoreError


def _jsonable(o):
    if is_dataclass(o):
        return {k: _jsonable(v) for k, v in asdict(o).items()}
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    if isinstance(o, dict):
        return {k: _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    return o


def cmd_ingest(args) -> int:
    from .ingest import ingest

    def progress(i, n):
        if args.progress and (i % 50 == 0 or i == n):
            print(f"  {i}/{n}", file=sys.stderr)

    import os

    # pages of one document are OCR'd in parallel; with several documents at once, share the cores
    ocr_jobs = args.ocr_jobs or max(1, (os.cpu_count() or 1) // max(1, args.jobs))
    os.environ["VANBAN_OCR_JOBS"] = str(ocr_jobs)
    os.environ["VANBAN_OCR_TIMEOUT"] = str(args.ocr_timeout)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        summary = ingest(args.paths, args.out, jobs=args.jobs, batch_size=args.batch_size,
                         ocr=not args.no_ocr, max_bytes=int(args.max_mb * 1e6), progress=progress)
    except StoreError as e:
        print(f"vanban: store error: {e}", file=sys.stderr)
        return ExitCode.store_error
    print(summary.format())
    return summary.exit_code()


def cmd_show(args) -> int:
    from .document import process

    try:
        rec = process(args.file, ocr=not args.no_ocr)
    except InputError as e:
        print(json.dumps({"source_path": args.file, "stage": e.stage, "error": e.message}, ensure_ascii=False, indent=2))
        return ExitCode.all_failed
    text = rec.text
    out = {
        "doc_id": rec.doc_id, "source_path": rec.source_path, "kind": rec.kind, "pages": len(rec.pages),
        "ocr": rec.ocr, "header": _jsonable(rec.header), "signature": _jsonable(rec.signature),
        "citations": [
            {**_jsonable(c), "evidence": text[c.start:c.end]} for c in rec.citations
        ],
        "failures": _jsonable(rec.failures),
    }
    for key in ("number_span", "date_span", "issuer_span", "subject_span", "doc_type_span"):
        span = getattr(rec.header, key)
        if span:
            out["header"][key]["text"] = text[span.start:span.end]
    if args.text:
        out["text"] = text
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return ExitCode.ok


def cmd_eval(args) -> int:
    from .evaluation.evaluate import evaluate, format_table, report_dict

    rep = evaluate(Path(args.gold))
    print(format_table(rep))
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(json.dumps(report_dict(rep), ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"report: {args.report}")
    if args.check:
        floors = json.loads(Path(args.check).read_text(encoding="utf-8"))
        bad = [f"{k}: F1 {rep.scores[k].f1:.3f} < floor {v:.3f}" for k, v in floors.items()
               if k in rep.scores and rep.scores[k].f1 + 1e-9 < v]
        if bad:
            print("quality regression:\n  " + "\n  ".join(bad), file=sys.stderr)
            return ExitCode.quality_regression
    return ExitCode.ok


def cmd_bench(args) -> int:
    from .evaluation.bench import run_bench, run_ocr_bench

    if not args.ocr_only:
        print(run_bench(args.corpus, repeat=args.repeat))
    if args.ocr or args.ocr_only:
        print(run_ocr_bench(pages=args.pages))
    return ExitCode.ok


def cmd_eval_ocr(args) -> int:
    from .evaluation.evaluate_ocr import CER_CONDITIONS, run, run_scans

    if not args.scans_only:
        print(run(Path(args.gold), conditions=args.conditions or CER_CONDITIONS, page_limit=args.pages,
                  max_chars=args.max_chars, jobs=args.jobs, only=args.only,
                  report=Path(args.report) if args.report else None), flush=True)
    report = Path(args.report).with_name("eval-scans.json") if args.report else None
    print(run_scans(jobs=args.jobs, report=report))
    return ExitCode.ok


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="vanban", description=__doc__.split("\n")[0])
    from . import __version__

    p.add_argument("--version", action="version", version=f"vanban {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True)

    pi = sub.add_parser("ingest", help="ingest files and folders into a Parquet dataset")
    pi.add_argument("paths", nargs="+")
    pi.add_argument("--out", required=True, help="dataset directory")
    pi.add_argument("--jobs", "-j", type=int, default=1, help="worker processes")
    pi.add_argument("--batch-size", type=int, default=100, help="documents per committed batch")
    pi.add_argument("--no-ocr", action="store_true", help="record pages without a text layer as needs_ocr")
    pi.add_argument("--max-mb", type=float, default=50, help="refuse files larger than this (MB)")
    pi.add_argument("--ocr-jobs", type=int, default=0, help="pages OCR'd at once per document (default: cores / jobs)")
    pi.add_argument("--ocr-timeout", type=float, default=120, help="seconds before a page's OCR is abandoned (a failure row)")
    pi.add_argument("--progress", action="store_true")
    pi.set_defaults(func=cmd_ingest)

    ps = sub.add_parser("show", help="print one document's extraction as JSON with spans")
    ps.add_argument("file")
    ps.add_argument("--text", action="store_true", help="include the normalised text")
    ps.add_argument("--no-ocr", action="store_true")
    ps.set_defaults(func=cmd_show)

    pe = sub.add_parser("eval", help="score the extractors against corpus/gold")
    pe.add_argument("--gold", default=str(Path(__file__).resolve().parent.parent / "corpus" / "gold"))
    pe.add_argument("--report", help="write a JSON report here")
    pe.add_argument("--check", help="JSON of F1 floors per field; exit 7 when one is not met")
    pe.set_defaults(func=cmd_eval)

    pb = sub.add_parser("bench", help="text-path throughput on a corpus (one core)")
    pb.add_argument("corpus", nargs="?", default=None)
    pb.add_argument("--repeat", type=int, default=1)
    pb.add_argument("--ocr", action="store_true", help="also time OCR against bare tesseract, 1 vs 2 workers")
    pb.add_argument("--ocr-only", action="store_true")
    pb.add_argument("--pages", type=int, default=8)
    pb.set_defaults(func=cmd_bench)

    po = sub.add_parser("eval-ocr", help="CER per condition and fields on scan-like renders of the gold set")
    po.add_argument("--gold", default=str(Path(__file__).resolve().parent.parent / "corpus" / "gold"))
    po.add_argument("--conditions", nargs="*")
    po.add_argument("--pages", type=int, default=2, help="pages per document for CER")
    po.add_argument("--max-chars", type=int, default=20000, help="skip longer gold documents")
    po.add_argument("--jobs", type=int, default=2)
    po.add_argument("--only", help="regex on gold file names")
    po.add_argument("--report")
    po.add_argument("--scans-only", action="store_true", help="only the real scans against corpus/gold/scans.json")
    po.set_defaults(func=cmd_eval_ocr)

    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return ExitCode.bad_args if e.code not in (0, None) else ExitCode.ok
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("vanban: interrupted; committed batches are kept", file=sys.stderr)
        return ExitCode.interrupted


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
