"""Command line: `vanban ingest`, `show`, graph queries (`cites`, `cited-by`, `trace`, `path`,
`status`, `show-node`, `ambiguous`), `link`, `export`, `eval`, `bench`, and the auditor's view
(`index`, `serve`).

Exit codes (pipeline.errors.ExitCode): 0 ok, 2 bad arguments, 3 input missing (or nothing to
ingest), 4 some inputs failed (see the failures table; the rest is written), 5 every input failed,
6 store error, 7 quality regression (eval --check), 8 key not found, 9 ambiguous key, 10 more
failures than `ingest --max-failures`, 130 interrupted (SIGINT), 143 terminated (SIGTERM).
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


class _JsonFormatter:
    """One JSON object per line: ts, level, logger, msg, and the record's extra fields."""

    _STD = set(vars(__import__("logging").LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

    def format(self, record) -> str:
        out = {"ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        for k, v in vars(record).items():
            if k not in self._STD and not k.startswith("_"):
                out[k] = v
        if record.exc_info:
            import logging

            out["exc"] = logging.Formatter().formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def _setup_logging(verbose: int, quiet: bool, json_lines: bool, tqdm_bar=None):
    """Logs go to stderr: plain lines, or JSON lines with --log-json; through the bar on a terminal."""
    import logging

    class _Handler(logging.StreamHandler):
        def emit(self, record):
            try:
                msg = self.format(record)
                if bar is not None and bar[0] is not None:
                    bar[0].write(msg, file=sys.stderr)
                else:
                    sys.stderr.write(msg + "\n")
                    sys.stderr.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass

    bar = [tqdm_bar]
    logger = logging.getLogger("vanban")
    for h in list(logger.handlers):
        if getattr(h, "_vanban", False):
            logger.removeHandler(h)
    h = _Handler()
    h._vanban = True
    h.setFormatter(_JsonFormatter() if json_lines else logging.Formatter("vanban: %(message)s"))
    logger.addHandler(h)
    logger.propagate = False
    logger.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    return bar


def _fmt_secs(s: float) -> str:
    if s != s or s == float("inf"):
        return "?"
    s = int(round(s))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


class _Progress:
    """Documents done (and pages when OCR runs), rate and ETA: a bar on a terminal (tqdm), else a
    log line every `interval` seconds."""

    def __init__(self, bar_holder, use_bar: bool, interval: float = 10.0):
        import logging
        import time

        self._time = time.monotonic
        self.log = logging.getLogger("vanban.progress")
        self.bar_holder = bar_holder
        self.use_bar = use_bar
        self.interval = interval
        self.t0 = self._time()
        self.last = self.t0
        self.failed = self.pages = self.ocr_pages = 0
        self.bar = None
        self.total = 0

    def update(self, done: int, total: int, path=None, result=None) -> None:
        from .models import Failure

        self.total = total
        if result is not None:
            if isinstance(result, Failure):
                self.failed += 1
            else:
                self.pages += len(result.pages)
                self.ocr_pages += sum(1 for p in result.pages if p.ocr)
        if self.use_bar:
            if self.bar is None and total:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, smoothing=0.1,
                                desc="ingest")
                self.bar_holder[0] = self.bar
            if self.bar is not None:
                self.bar.n = done
                post = {"failed": self.failed}
                if self.ocr_pages:
                    post["ocr pages"] = self.ocr_pages
                else:
                    post["pages"] = self.pages
                self.bar.set_postfix(post, refresh=False)
                self.bar.refresh()
            return
        now = self._time()
        if done and (now - self.last >= self.interval or done == total):
            self.last = now
            rate = done / max(now - self.t0, 1e-9)
            eta = (total - done) / rate if rate > 0 else float("inf")
            pages = f", {self.ocr_pages} pages OCR'd" if self.ocr_pages else f", {self.pages} pages"
            self.log.info(f"progress: {done}/{total} documents ({self.failed} failed{pages}), {rate:.1f} docs/s, "
                          f"ETA {_fmt_secs(eta)}",
                          extra={"event": "progress", "done": done, "total": total, "failed": self.failed,
                                 "pages": self.pages, "ocr_pages": self.ocr_pages, "rate": round(rate, 3),
                                 "eta_s": None if eta == float("inf") else round(eta, 1)})

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
            self.bar_holder[0] = None


def _write_json_atomic(path: str, data: dict) -> None:
    import os

    p = Path(path)
    if p.parent and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, p)


def _memory_size(value: str) -> str:
    """A memory size DuckDB takes ("512MB", "1.5GB", "800MiB"), refused at the command line rather
    than after a night's ingest, when the link starts."""
    from .limits import memory_bytes

    if memory_bytes(value) is None:
        raise argparse.ArgumentTypeError(f"not a memory size: {value!r} (say 512MB, 2GB, 800MiB)")
    return value.strip()


def cmd_ingest(args) -> int:
    import os
    import time

    from .errors import Interrupted
    from .ingest import Summary, ingest, parse_max_failures
    from .limits import Limits

    try:
        parse_max_failures(args.max_failures)
    except ValueError as e:
        print(f"vanban: {e}", file=sys.stderr)
        return ExitCode.bad_args
    if args.scheduler and args.backend in (None, "dask"):
        args.backend = "dask"  # --scheduler: an existing Dask cluster
    elif args.scheduler:
        print(f"vanban: --scheduler is for --backend dask, not {args.backend}", file=sys.stderr)
        return ExitCode.bad_args
    args.backend = args.backend or "local"
    for name in ("jobs", "batch_size"):
        if getattr(args, name) < 1:
            print(f"vanban: --{name.replace('_', '-')} must be at least 1", file=sys.stderr)
            return ExitCode.bad_args
    if args.doc_timeout <= 0 or args.doc_timeout_per_page < 0 or args.doc_memory < 64:
        print("vanban: --doc-timeout must be > 0, --doc-timeout-per-page >= 0, --doc-memory >= 64 (MB)",
              file=sys.stderr)
        return ExitCode.bad_args
    tty = sys.stderr.isatty()
    use_bar = (args.progress or tty) and not args.quiet and not args.log_json and not args.no_progress
    bar = _setup_logging(args.verbose, args.quiet, args.log_json)
    progress = None if (args.quiet and not args.progress) or args.dry_run else _Progress(bar, use_bar,
                                                                                         args.progress_interval)
    # pages of one document are OCR'd in parallel; with several documents at once, share the cores
    ocr_jobs = args.ocr_jobs or max(1, (os.cpu_count() or 1) // max(1, args.jobs))
    os.environ["VANBAN_OCR_JOBS"] = str(ocr_jobs)
    os.environ["VANBAN_OCR_TIMEOUT"] = str(args.ocr_timeout)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    limits = Limits(doc_timeout=args.doc_timeout, page_timeout=args.doc_timeout_per_page,
                    memory_mb=int(args.doc_memory))
    t0 = time.monotonic()
    summary: Summary | None = None
    code: int
    error: str | None = None
    try:
        summary = ingest(args.paths, args.out, jobs=args.jobs, batch_size=args.batch_size,
                         ocr=not args.no_ocr, max_bytes=int(args.max_mb * 1e6), progress=progress,
                         retry_failed=args.retry_failed, limits=limits, max_failures=args.max_failures,
                         dry_run=args.dry_run, isolate=True, group_pages=not args.no_group_pages,
                         backend=args.backend, scheduler=args.scheduler,
                         split_pages=args.split_pages if args.split_pages > 0 else None,
                         link_memory_limit=args.link_memory_limit)
        code = summary.exit_code()
    except StoreError as e:
        error = f"store error: {e}"
        print(f"vanban: {error}", file=sys.stderr)
        code = ExitCode.store_error
    except Interrupted as e:
        error = f"interrupted by {signal_name(e.signum)}"
        code = e.exit_code
        if args.summary_json:
            part = getattr(e, "summary", None)
            data = part.as_dict() if part is not None else {}
            data.update({"exit_code": int(code), "error": error, "out": args.out, "paths": args.paths,
                         "seconds": round(time.monotonic() - t0, 3)})
            _write_json_atomic(args.summary_json, data)
        raise
    finally:
        if progress is not None:
            progress.close()
    if args.summary_json:
        data = summary.as_dict() if summary is not None else {}
        data.update({"exit_code": int(code), "out": args.out, "paths": args.paths,
                     "seconds": round(time.monotonic() - t0, 3)})
        if error:
            data["error"] = error
        if args.dry_run and summary is not None:
            data["plan"] = [{"source_path": p, "action": a, "detail": d} for p, a, d in summary.dry_run]
        _write_json_atomic(args.summary_json, data)
    if summary is None:
        return code
    if args.dry_run:
        from .text.sources import printable

        for path, action, detail in summary.dry_run:
            print(f"{action:8} {printable(path)}  ({printable(detail)})")
        print(f"dry run: {summary.to_process} to process, {summary.unchanged} unchanged, "
              f"{summary.unchanged_failed} failed before and unchanged, {summary.failed} would fail, "
              f"of {summary.seen} input files; nothing written")
        return ExitCode.input_missing if summary.seen == 0 else ExitCode.ok
    print(summary.format(listed=args.list_failures))
    return code


def signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


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

    rep = evaluate(Path(args.gold), only=args.only)
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
        print(run_bench(args.corpus, repeat=args.repeat, report=Path(args.text_report) if args.text_report else None),
              flush=True)
    if args.ocr or args.ocr_only:
        print(run_ocr_bench(pages=args.pages, report=Path(args.ocr_report) if args.ocr_report else None), flush=True)
        from .evaluation.scan_bench import run_scan_ocr_bench

        print(run_scan_ocr_bench(report=Path("reports/bench-ocr-scans.json")), flush=True)
    if args.graph:
        from .evaluation.graph_bench import run_graph_bench

        from .evaluation.graph_bench import run_rerun_bench

        print(run_rerun_bench(), flush=True)
        print(run_graph_bench(args.graph_dir, n_docs=args.graph_docs, n_citations=args.graph_citations,
                              report=args.graph_report, keep=False), flush=True)
    if getattr(args, "view", False):
        from .evaluation.view_bench import run_view_bench

        print(run_view_bench(args.view_dir, n_docs=args.graph_docs, n_citations=args.graph_citations,
                             report=args.view_report), flush=True)
    if getattr(args, "hostile", False):
        from .evaluation.hostile import format_hostile, run_hostile_bench

        print(format_hostile(run_hostile_bench(report=Path("reports/bench-hostile.json"))), flush=True)
    if getattr(args, "scale", False):
        from .evaluation.scale_bench import run_scale_bench

        sizes = [int(x) for x in args.scale_sizes.split(",") if x.strip()]
        print(run_scale_bench(args.scale_dir, sizes=sizes, jobs=args.scale_jobs, report=args.scale_report,
                              plot=str(Path(args.scale_report).with_suffix(".png"))), flush=True)
    return ExitCode.ok


def cmd_eval_tasks(args) -> int:
    from .evaluation.evaluate_tasks import evaluate_tasks, format_report

    gold = Path(args.gold) if args.gold else None
    if gold is not None and not gold.is_dir():
        print(f"vanban eval-tasks: no such folder: {gold}", file=sys.stderr)
        return ExitCode.bad_args
    report = evaluate_tasks(gold_dir=gold, split=args.split, only=args.only)
    if args.errors:
        from .evaluation.evaluate_tasks import format_errors

        print(format_errors(report, None))
    print(format_report(report))
    return ExitCode.ok


def cmd_eval_entities(args) -> int:
    from .evaluation.evaluate_entities import main as ent_main

    argv = (["--ocr"] if args.ocr else []) + (["--model", args.model] if args.model else []) + \
        (["--report", args.report] if args.report else [])
    return int(ent_main(argv) or 0)


def cmd_eval_graph(args) -> int:
    from .evaluation.graph_eval import run

    print(run(jobs=args.jobs, scans=not args.no_scans, keep=args.keep))
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


# -- graph queries --------------------------------------------------------------------------------
_COLUMNS = {
    "cites": ["relation", "doc_type", "number", "name", "issue_date", "issuer", "kind", "status", "mentions",
              "mention", "page", "source_path"],
    "cited-by": ["relation", "doc_type", "number", "issue_date", "issuer", "mentions", "mention", "page",
                 "source_path"],
    "trace": ["depth", "source_label", "relation", "target_label", "mentions", "mention", "page", "doc_id"],
    "path": ["source", "relation", "target", "mention", "page", "doc_id"],
    "status": ["status", "by_type", "by_number", "date", "relation", "part", "mention", "page", "source_path"],
    "ambiguous": ["doc_id", "page", "mention", "candidates"],
    "responses": ["task_no", "assignee", "deadline", "status", "responder", "response_number", "response_date",
                  "deadline_text"],
    "candidates": ["node_id", "kind", "doc_type", "number", "issue_date", "issuer_canonical", "mentions"],
}


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v).replace("\n", " ")


def _emit(rows: list[dict], cols: list[str], fmt: str, out=None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        print(json.dumps(_jsonable(rows), ensure_ascii=False, indent=1), file=out)
        return
    if fmt == "csv":
        import csv

        w = csv.writer(out)
        keys = list(rows[0].keys()) if rows else cols
        w.writerow(keys)
        for r in rows:
            w.writerow([_cell(r.get(k)) for k in keys])
        return
    if not rows:
        print("(none)", file=out)
        return
    cells = [[_cell(r.get(c))[:70] for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip(), file=out)
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip(), file=out)


def cmd_query(args) -> int:
    from .graph.query import AmbiguousKey, Graph, KeyNotFound

    try:
        g = Graph(args.data)
    except FileNotFoundError as e:
        print(f"vanban: {e}", file=sys.stderr)
        return ExitCode.input_missing
    fmt = "json" if args.json else "csv" if args.csv else "table"
    try:
        with g:
            if args.cmd == "cites":
                rows = g.cites(args.key)
            elif args.cmd == "cited-by":
                rows = g.cited_by(args.key)
            elif args.cmd == "trace":
                rows = g.trace(args.key, depth=args.depth, direction=args.direction)
            elif args.cmd == "path":
                rows = g.path(args.key, args.to, max_depth=args.max_depth)
                if not rows and fmt == "table":
                    print("no chain of citations between them (either direction)")
                    return ExitCode.ok
            elif args.cmd == "status":
                st = g.status(args.key)
                if fmt != "table":
                    _emit([st] if fmt == "json" else st["acts"], _COLUMNS["status"], fmt)
                    return ExitCode.ok
                n = st["node"]
                print(f"{n['node_id']}\nstatus: {st['status'] or 'no repealing, replacing or amending document in the archive'}")
                rows = st["acts"]
            elif args.cmd == "ambiguous":
                rows = g.ambiguous()
            elif args.cmd == "responses":
                as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
                rows = g.responses(args.key, as_of=as_of)
            else:  # show-node
                info = g.show_node(args.key)
                if fmt == "table":
                    for k, v in info["node"].items():
                        print(f"{k:17} {_cell(v)}")
                    print(f"{'cites':17} {info['cites']}\n{'cited by':17} {info['cited_by']}")
                    print("files:")
                    _emit(info["files"], ["doc_id", "source_path", "kind", "pages", "signer"], fmt)
                    if info["merged_keys"]:
                        print("merged variants:")
                        _emit(info["merged_keys"], ["target_key", "method", "confidence"], fmt)
                else:
                    _emit([info] if fmt == "json" else [info["node"]], [], fmt)
                return ExitCode.ok
    except KeyNotFound as e:
        print(f"vanban: {e}", file=sys.stderr)
        return ExitCode.key_not_found
    except AmbiguousKey as e:
        print(f"vanban: {e}. Candidates:", file=sys.stderr)
        _emit(e.candidates, _COLUMNS["candidates"], fmt if fmt != "table" else "table", out=sys.stderr)
        return ExitCode.key_ambiguous
    _emit(rows, _COLUMNS[args.cmd], fmt)
    return ExitCode.ok


def cmd_link(args) -> int:
    from .graph.link import link
    from .graph.store import Dataset

    if not Path(args.data, "documents").is_dir():
        print(f"vanban: {args.data} is not a dataset", file=sys.stderr)
        return ExitCode.input_missing
    with Dataset(args.data):
        s = link(args.data, full=args.full, memory_limit=args.memory_limit)
    print(f"graph: {s.nodes} nodes, {s.edges} edges; {s.keys} keys re-resolved ({s.resolved} to ingested "
          f"documents, {s.ambiguous} ambiguous), {s.parts_rewritten} citation parts updated, "
          f"{'incremental' if s.incremental else 'full'}, {s.seconds:.2f} s")
    return ExitCode.ok


def cmd_export(args) -> int:
    from .graph import export

    if not Path(args.data, "nodes").is_dir():
        print(f"vanban: {args.data} holds no graph", file=sys.stderr)
        return ExitCode.input_missing
    if not (args.graphml or args.neo4j or args.jsonl):
        print("vanban: give --graphml FILE, --neo4j DIR or --jsonl FILE", file=sys.stderr)
        return ExitCode.bad_args
    if args.graphml:
        print("graphml:", export.export_graphml(args.data, args.graphml))
    if args.neo4j:
        print("neo4j:", export.export_neo4j(args.data, args.neo4j))
    if args.jsonl:
        print("jsonl:", export.export_jsonl(args.data, args.jsonl))
    return ExitCode.ok


def cmd_index(args) -> int:
    from .view.index import build_index

    if not Path(args.data, "documents").is_dir():
        print(f"vanban: {args.data} is not a dataset (no documents/ table)", file=sys.stderr)
        return ExitCode.input_missing
    s = build_index(args.data, force=args.force, log=(lambda m: print(m, file=sys.stderr)) if args.verbose else None)
    print(f"index: {s.path} ({'built' if s.rebuilt else 'current, kept'}: {s.documents:,} documents, "
          f"{s.citations:,} citations, {s.nodes:,} nodes, {s.words:,} OCR words; {s.seconds:.1f} s)")
    return ExitCode.ok


def cmd_serve(args) -> int:
    from .view import serve

    return serve(args.data, host=args.host, port=args.port, token=args.token)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="vanban", description=__doc__.split("\n")[0])
    from . import __version__

    p.add_argument("--version", action="version", version=f"vanban {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True)

    pi = sub.add_parser("ingest", help="ingest files and folders into a Parquet dataset",
                        description="Ingest files and folders into a Parquet dataset. Exit codes: 0 ok, "
                                    "3 nothing to ingest, 4 some inputs failed, 5 all failed, 6 store error, "
                                    "10 more failures than --max-failures, 130 SIGINT, 143 SIGTERM.")
    pi.add_argument("paths", nargs="+")
    pi.add_argument("--out", required=True, help="dataset directory")
    pi.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (documents at once)")
    pi.add_argument("--backend", choices=["local", "inprocess", "dask"], default=None,
                    help="where documents run: local worker processes (default), inprocess (one at a time in "
                         "this process, no limits: for debugging), dask (a Dask cluster: --scheduler, or a local "
                         "cluster of --jobs workers)")
    pi.add_argument("--scheduler", metavar="tcp://HOST:8786", help="an existing Dask scheduler (implies --backend dask)")
    pi.add_argument("--split-pages", type=int, default=8, metavar="N",
                    help="a scan with more than N pages to OCR is OCR'd one page per task (default 8; 0: never)")
    pi.add_argument("--batch-size", type=int, default=100, help="documents per committed batch")
    pi.add_argument("--link-memory-limit", default="512MB", metavar="SIZE", type=_memory_size,
                    help="DuckDB's memory limit for the link after the run (spills to disk beyond; the "
                         "linker's peak is about this plus 200 MB, whatever the archive's size)")
    pi.add_argument("--no-ocr", action="store_true", help="record pages without a text layer as needs_ocr")
    pi.add_argument("--max-mb", type=float, default=50, help="refuse files larger than this (MB)")
    pi.add_argument("--ocr-jobs", type=int, default=0, help="pages OCR'd at once per document (default: cores / jobs)")
    pi.add_argument("--ocr-timeout", type=float, default=120, help="seconds before a page's OCR is abandoned (a failure row)")
    pi.add_argument("--doc-timeout", type=float, default=120, metavar="S",
                    help="seconds one document may take (plus --doc-timeout-per-page per page that may need "
                         "OCR); past it the worker is stopped and the document is a failure row (default 120)")
    pi.add_argument("--doc-timeout-per-page", type=float, default=60, metavar="S",
                    help="seconds added to --doc-timeout per PDF or image page when OCR is on (default 60)")
    pi.add_argument("--doc-memory", type=float, default=2048, metavar="MB",
                    help="memory one document's worker may use; past it the document is a failure row (default 2048)")
    pi.add_argument("--max-failures", metavar="N|P%",
                    help="stop after more than N failures, or fail the run when more than P%% of the files "
                         "processed failed: exit 10 (the rest is written)")
    pi.add_argument("--no-group-pages", action="store_true",
                    help="take every page image alone (by default scan_p1.jpg, scan_p2.jpg … are one document)")
    pi.add_argument("--dry-run", action="store_true", help="list what would be processed, skipped or refused; write nothing")
    pi.add_argument("--summary-json", metavar="FILE", help="write the run's summary as JSON (for schedulers)")
    pi.add_argument("--list-failures", type=int, default=20, metavar="N", help="failed files named in the summary (default 20)")
    pi.add_argument("-v", "--verbose", action="count", default=0, help="log every document")
    pi.add_argument("-q", "--quiet", action="store_true", help="only warnings, errors and the summary")
    pi.add_argument("--log-json", action="store_true", help="logs as JSON lines on stderr")
    pi.add_argument("--progress", action="store_true", help="a progress bar even when stderr is not a terminal")
    pi.add_argument("--no-progress", action="store_true", help="no progress bar (periodic log lines instead)")
    pi.add_argument("--progress-interval", type=float, default=10.0, metavar="S",
                    help="seconds between progress log lines when not on a terminal (default 10)")
    pi.add_argument("--retry-failed", action="store_true",
                    help="process again files that failed before and have not changed (skipped by default)")
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
    pe.add_argument("--only", help="score only the gold files whose name holds this (a blind batch: holdout8_)")
    pe.set_defaults(func=cmd_eval)

    pb = sub.add_parser("bench", help="text-path throughput on a corpus (one core)")
    pb.add_argument("corpus", nargs="?", default=None)
    pb.add_argument("--repeat", type=int, default=1)
    pb.add_argument("--ocr", action="store_true", help="also time OCR against bare tesseract, 1 vs 2 workers")
    pb.add_argument("--ocr-only", action="store_true")
    pb.add_argument("--pages", type=int, default=8)
    pb.add_argument("--text-report", default="reports/bench-text.json",
                    help="where the text path's figures go as JSON ('' for none)")
    pb.add_argument("--ocr-report", default="reports/bench-ocr.json",
                    help="where the OCR figures (per page vs bare tesseract, 1 vs 2 workers) go as JSON ('' for none)")
    pb.add_argument("--graph", action="store_true",
                    help="build a synthetic archive, time the full and the incremental link and the queries")
    pb.add_argument("--graph-docs", type=int, default=100_000)
    pb.add_argument("--graph-citations", type=int, default=1_000_000)
    pb.add_argument("--graph-dir", default="build/graph-bench")
    pb.add_argument("--graph-report", default="reports/graph-bench.json")
    pb.add_argument("--view", action="store_true",
                    help="the auditor's view on the synthetic archive (--graph-docs): search and document pages, "
                         "median and p95 (target median < 300 ms)")
    pb.add_argument("--view-dir", default="build/view-bench", help="where the view bench keeps its archive (reused)")
    pb.add_argument("--view-report", default="reports/view-bench.json")
    pb.add_argument("--hostile", action="store_true",
                    help="ingest a generated hostile batch (bombs, broken names and links, 100 good files), "
                         "then again unchanged: time, peak memory, re-run share (reports/bench-hostile.json)")
    pb.add_argument("--scale", action="store_true",
                    help="ingest a synthetic text archive at each --scale-sizes: peak memory of the process tree "
                         "(flat in the archive size), docs/s, local pool vs Dask (reports/bench-scale.json, .png)")
    pb.add_argument("--scale-sizes", default="10000,50000,100000", metavar="N,N",
                    help="archive sizes (default 10000,50000,100000)")
    pb.add_argument("--scale-jobs", type=int, default=2, help="workers for the scale bench (default 2)")
    pb.add_argument("--scale-dir", default="build/scale-bench", help="where the scale bench keeps its archive (reused)")
    pb.add_argument("--scale-report", default="reports/bench-scale.json")
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

    def data_opts(sp, fmt=True):
        sp.add_argument("--data", default="out", help="dataset directory (default: out/)")
        if fmt:
            g = sp.add_mutually_exclusive_group()
            g.add_argument("--json", action="store_true", help="JSON output")
            g.add_argument("--csv", action="store_true", help="CSV output")
        sp.set_defaults(func=cmd_query)
        return sp

    key_help = "a node id, doc id, number (76/KH-UBND), loose words (KH 76/2024 Quảng Ngãi) or a law name"
    for name, hlp in (("cites", "what a document cites"), ("cited-by", "which documents cite it"),
                      ("status", "repealed / replaced / amended by later ingested documents, with evidence"),
                      ("show-node", "one node: fields, files, merged variants")):
        data_opts(sub.add_parser(name, help=hlp)).add_argument("key", help=key_help)
    pt = data_opts(sub.add_parser("trace", help="the chain of citations from a document"))
    pt.add_argument("key", help=key_help)
    pt.add_argument("--depth", type=int, default=3)
    pt.add_argument("--direction", choices=["out", "in", "both"], default="out",
                    help="out: what it cites, and so on; in: who cites it, and so on")
    pp = data_opts(sub.add_parser("path", help="the shortest chain of citations between two documents"))
    pp.add_argument("key")
    pp.add_argument("to")
    pp.add_argument("--max-depth", type=int, default=6)
    data_opts(sub.add_parser("ambiguous", help="citations that fit several documents (none merged), for review"))
    pr = data_opts(sub.add_parser("responses", help="per task of a directive: who answered, on time / late / missing"))
    pr.add_argument("key", help=key_help)
    pr.add_argument("--as-of", help="status as of this date (YYYY-MM-DD; default today)")
    pl = sub.add_parser("link", help="re-link the graph of a dataset (ingest does it after each run)")
    pl.add_argument("--data", default="out")
    pl.add_argument("--full", action="store_true", help="re-resolve every citation, not only new blocks")
    pl.add_argument("--memory-limit", default="512MB", type=_memory_size, help="DuckDB memory limit (spills to disk beyond; the "
                    "linker's peak is about this plus 200 MB, whatever the archive's size)")
    pl.set_defaults(func=cmd_link)
    px = sub.add_parser("export", help="export the graph: GraphML, Neo4j import CSVs, JSON Lines")
    px.add_argument("--data", default="out")
    px.add_argument("--graphml", metavar="FILE")
    px.add_argument("--neo4j", metavar="DIR")
    px.add_argument("--jsonl", metavar="FILE")
    px.set_defaults(func=cmd_export)

    pt2 = sub.add_parser("eval-tasks", help="assigned tasks against corpus/gold/tasks")
    pt2.add_argument("--split", choices=["dev", "holdout"], help="two files in three (dev) or every third (holdout)")
    pt2.add_argument("--only", help="regex on gold file names")
    pt2.add_argument("--gold", metavar="DIR", help="another folder of task gold files (default corpus/gold/tasks; "
                     "corpus/gold/tasks_blind holds a batch annotated after the grammar was written)")
    pt2.add_argument("--errors", action="store_true", help="list the misses (-) and the extras (+) per document")
    pt2.set_defaults(func=cmd_eval_tasks)
    pen = sub.add_parser("eval-entities", help="ORG/PER/LOC/TITLE against corpus/gold/entities (rules vs model)")
    pen.add_argument("--ocr", action="store_true", help="also on scan-like OCR'd renders")
    pen.add_argument("--model", help="a trained NER model folder to compare")
    pen.add_argument("--report")
    pen.set_defaults(func=cmd_eval_entities)
    pg = sub.add_parser("eval-graph", help="linking on ../shared/corpus: dev/ pairs, listed local/scan pairs")
    pg.add_argument("--jobs", type=int, default=2)
    pg.add_argument("--no-scans", action="store_true", help="dev/ only (no OCR)")
    pg.add_argument("--keep", help="keep the datasets in this folder")
    pg.set_defaults(func=cmd_eval_graph)
    pix = sub.add_parser("index", help="build the auditor's view index (SQLite: documents, full text) of a dataset")
    pix.add_argument("--data", default="out", help="dataset directory (default: out/)")
    pix.add_argument("--force", action="store_true", help="rebuild even when the index matches the snapshot")
    pix.add_argument("-v", "--verbose", action="store_true")
    pix.set_defaults(func=cmd_index)
    psv = sub.add_parser("serve", help="the auditor's view: a local read-only web application over a dataset")
    psv.add_argument("--data", default="out", help="dataset directory (default: out/)")
    psv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; others need --token)")
    psv.add_argument("--port", type=int, default=8765)
    psv.add_argument("--token", help="required from every client (?token=T once, or Authorization: Bearer T)")
    psv.set_defaults(func=cmd_serve)

    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return ExitCode.bad_args if e.code not in (0, None) else ExitCode.ok
    import signal
    import threading

    from .errors import Interrupted, clear_signals, on_signal, signalled

    handlers = {}
    clear_signals()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            handlers[sig] = signal.signal(sig, on_signal)
    try:
        code = int(args.func(args))
        if signalled() is not None:  # a signal whose exception was dropped on its way (a GC callback)
            raise Interrupted(signalled())
        return code
    except KeyboardInterrupt as e:  # SIGINT / SIGTERM (Interrupted), or a bare KeyboardInterrupt
        code = e.exit_code if isinstance(e, Interrupted) else ExitCode.interrupted
        name = signal_name(e.signum) if isinstance(e, Interrupted) else "SIGINT"
        _quiet_print(f"vanban: {'terminated' if code == ExitCode.terminated else 'interrupted'} ({name}); "
                     f"committed batches are kept, nothing is half-written; run again to continue")
        return code
    except BrokenPipeError:  # `vanban cites … | head`: the reader has gone, end quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.ok
    finally:
        for sig, h in handlers.items():
            signal.signal(sig, h)


def _quiet_print(msg: str) -> None:
    try:
        print(msg, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
