"""Scale: memory flat in the size of the archive, throughput per backend (`vanban bench --scale`).

An archive of synthetic text documents (`synth._Generator`: the headers, numbers, issuers and
citation sentences of the graph benchmark's archive, written out as .txt files with a signature
block, 1,000 to a folder) is ingested by `vanban ingest` in a fresh process for each size and
backend. While it runs, the resident memory of the whole process tree (the command, the
forkserver, the document workers; for Dask the scheduler in the command, the nannies, the Dask
workers and their document workers) is read from /proc every `interval` seconds:

  peak_tree_mb     the highest sum of resident sets of the tree at one moment
  peak_parent_mb   the command's own high-water mark (VmHWM; the linker runs in it)
  ingest / link    the run is split where the last batch was committed (the `_manifest.jsonl` of the
                   dataset stops growing): the per-document phase, then the linker (DuckDB over
                   the whole dataset, capped at 512 MB: the reduce step, which is not per document)
  peak_sample      the tree at the ingest's highest sample: each process with its role (command,
                   forkserver, resource_tracker, worker, other: e.g. a child of a worker), age and
                   resident MB; `crowded_samples`, the first samples with more processes than the
                   local pool's usual tree (a one-sample peak is named, not guessed at)

Target: the 100,000-document archive's ingest-phase peak within 10% of the 10,000-document one's.
Throughput is documents written per second of the ingest phase, on the same archive, for the local
pool and a Dask LocalCluster with as many workers.

The report goes to `reports/bench-scale.json` and a plot of throughput and peak memory against the
archive size to `reports/bench-scale.png`.
"""
from __future__ import annotations

import collections
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..worker import process_tree, rss

REPO = Path(__file__).resolve().parent.parent.parent
PER_DIR = 1000
TARGET_RATIO = 1.10


# -- the archive ----------------------------------------------------------------------------------
def _document_text(rec) -> str:
    sig = rec.signature
    closing = ["", "Nơi nhận:", "- Như trên;", "- Lưu: VT.", f"{sig.authority} {rec.header.issuer.upper()}",
               sig.signer_title.upper(), "", sig.signer, ""]
    return rec.pages[0].text.rstrip("\n") + "\n" + "\n".join(closing)


def make_text_archive(root, n: int, seed: int = 0, mean_citations: int = 8) -> dict:
    """`n` synthetic text documents under `root/pNNN/` (1,000 a folder), in date order. An archive
    already there with at least `n` documents is kept (the first `n` are the same for any larger n
    made with the same seed, so the sizes share their documents)."""
    from .synth import END, START, PHANTOM_RATE, CENTRAL_PHANTOM_RATE, _citation_counts, _Generator

    root = Path(root)
    info_path = root / "archive.json"
    if info_path.exists():
        info = json.loads(info_path.read_text())
        if info.get("documents", 0) >= n and info.get("seed") == seed:
            return info
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    g = _Generator(seed)
    g.seed_central()
    span = END.toordinal() - START.toordinal()
    counts = _citation_counts(random.Random(seed + 1), n, n * mean_citations)
    written = 0
    nbytes = 0
    while written < n:
        date = START.toordinal() + (written * span) // max(n, 1)
        body = g.pick_body(date)
        phantom = g.rng.random() < (CENTRAL_PHANTOM_RATE if body.entity < 0 else PHANTOM_RATE)
        i = g.issue(body, date, ingested=not phantom)
        if phantom:
            continue
        rec, _ = g.record(i, next(counts))
        d = root / f"p{written // PER_DIR:03d}"
        if written % PER_DIR == 0:
            d.mkdir(exist_ok=True)
        text = _document_text(rec)
        (d / f"{written:06d}.txt").write_text(text, encoding="utf-8")
        nbytes += len(text.encode("utf-8"))
        written += 1
    info = {"documents": written, "seed": seed, "bytes": nbytes, "seconds": round(time.perf_counter() - t0, 1)}
    info_path.write_text(json.dumps(info))
    return info


def archive_paths(root, n: int) -> list[str]:
    """The paths to ingest for the first `n` documents: their whole folders, and the files of the
    last folder when `n` is not a multiple of 1,000."""
    root = Path(root)
    out = [str(root / f"p{k:03d}") for k in range(n // PER_DIR)]
    out += [str(root / f"p{n // PER_DIR:03d}" / f"{i:06d}.txt") for i in range(n - n % PER_DIR, n)]
    return out


# -- one measured run -----------------------------------------------------------------------------
def _hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


_CLK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_info(pid: int) -> dict | None:
    """(ppid, state, age, command line) of one process from /proc, for the peak sample's roles."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            head, rest = fh.read().rsplit(b")", 1)
        fields = rest.split()
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        with open("/proc/uptime") as fh:
            up = float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return {"pid": pid, "ppid": int(fields[1]), "state": fields[0].decode(),
            "comm": head.split(b"(", 1)[1].decode("utf-8", "replace"),
            "age_s": round(up - int(fields[19]) / _CLK, 2), "cmd": cmd[:160]}


def _roles(root: int, procs: list[dict]) -> list[dict]:
    """Name each process of the tree: the command, the forkserver, the resource tracker, the
    document workers (children of the forkserver), or what its command line says."""
    server = {p["pid"] for p in procs if p["ppid"] == root and "forkserver" in p["cmd"]}
    for p in procs:
        if p["pid"] == root:
            p["role"] = "command"
        elif p["pid"] in server:
            p["role"] = "forkserver"
        elif "resource_tracker" in p["cmd"]:
            p["role"] = "resource_tracker"
        elif p["ppid"] in server:
            p["role"] = "worker"
        else:
            p["role"] = "other"
    return procs


def _manifest_lines(out: Path) -> int:
    try:
        with open(out / "_manifest.jsonl", "rb") as fh:
            return sum(1 for _ in fh)
    except OSError:
        return 0


def measure_ingest(paths: list[str], out, backend: str = "local", jobs: int = 2, batch_size: int = 100,
                   interval: float = 0.25, extra: list[str] | None = None) -> dict:
    """Run `vanban ingest` in a fresh process and sample its process tree (see the module doc)."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    summary = out.parent / f"{out.name}-summary.json"
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "pipeline.cli", "ingest", *paths, "--out", str(out), "-j", str(jobs),
           "--backend", backend, "--batch-size", str(batch_size), "--no-ocr", "-q", "--no-progress",
           "--summary-json", str(summary), *(extra or [])]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    samples: list[tuple[float, int, int, int]] = []  # (t, tree bytes, processes, batches committed)
    parent_hwm = [0]
    # the highest sample of each phase, with every process of the tree (role, age, resident MB):
    # "link" holds the samples since the last commit; when another batch is committed they were
    # ingest after all (the split below: ingest is up to the first sample at the last count)
    peaks: dict[str, dict] = {"ingest": {}, "link": {}}
    crowded: list[dict] = []  # the first samples with more processes than the run's usual count
    # the local pool's usual tree: the command, the forkserver, its resource tracker, the workers
    usual = jobs + 3 if backend == "local" else 10 ** 6
    stop = threading.Event()

    def snapshot(t: float, pids: list[int], sizes: list[int]) -> dict:
        procs = []
        for x, b in zip(pids, sizes):
            info = _proc_info(x)
            if info is not None:
                info["mb"] = round(b / 2 ** 20, 1)
                procs.append(info)
        return {"t": round(t, 2), "bytes": sum(sizes), "mb": round(sum(sizes) / 2 ** 20, 1),
                "processes": _roles(p.pid, procs)}

    def sample() -> None:
        last = -1
        while not stop.is_set():
            pids = process_tree(p.pid)
            sizes = [rss(x) for x in pids]
            total = sum(sizes)
            parent_hwm[0] = max(parent_hwm[0], _hwm(p.pid))
            t = time.monotonic() - t0
            batches = _manifest_lines(out)
            samples.append((t, total, len(pids), batches))
            phase = "link"
            if batches != last:
                last, phase = batches, "ingest"
                if peaks["link"].get("bytes", -1) > peaks["ingest"].get("bytes", -1):
                    peaks["ingest"] = peaks["link"]
                peaks["link"] = {}
            snap = None
            if total > peaks[phase].get("bytes", -1):
                snap = peaks[phase] = snapshot(t, pids, sizes)
            if len(pids) > usual and len(crowded) < 5:
                crowded.append(snap or snapshot(t, pids, sizes))
            stop.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, stderr = p.communicate()
    stop.set()
    th.join()
    seconds = time.monotonic() - t0
    if p.returncode not in (0, 4):
        raise RuntimeError(f"vanban ingest failed ({p.returncode}): {stderr.decode()[-2000:]}")
    s = json.loads(summary.read_text())
    last = max((b for *_, b in samples), default=0)
    t_commit = min((t for t, _, _, b in samples if b == last), default=seconds)
    ingest_s = [m for t, m, _, _ in samples if t <= t_commit]
    link_s = [m for t, m, _, _ in samples if t > t_commit]
    mb = 2 ** 20
    return {
        "backend": backend, "jobs": jobs, "documents": s["written"], "failed": s["failed"], "batches": s["batches"],
        "seconds": round(seconds, 1), "ingest_seconds": round(t_commit, 1),
        "docs_per_s": round(s["written"] / max(t_commit, 1e-9), 1),
        "peak_tree_mb": round(max((m for _, m, _, _ in samples), default=0) / mb, 1),
        "peak_tree_ingest_mb": round(max(ingest_s, default=0) / mb, 1),
        # the ingest's tree memory over time (0th … 100th percentile of the samples): a peak that
        # is one sample (a worker being replaced) shows against the level of the run
        "tree_ingest_mb_percentiles": [round(sorted(ingest_s)[int(q * (len(ingest_s) - 1) / 10)] / mb)
                                       for q in range(11)] if ingest_s else [],
        "peak_tree_link_mb": round(max(link_s, default=0) / mb, 1),
        "peak_parent_mb": round(parent_hwm[0] / mb, 1),
        "processes": max((n for _, _, n, _ in samples), default=0),
        "samples": len(samples), "nodes": s["nodes"], "edges": s["edges"],
        # what the tree held at the highest sample of the ingest (of the link): each process's
        # role, age and resident MB; more processes than usual (a worker's child) show here
        "peak_sample": {k: v for k, v in peaks["ingest"].items() if k != "bytes"},
        "peak_sample_link": {k: v for k, v in peaks["link"].items() if k != "bytes"},
        "crowded_samples": crowded,
        "process_counts": dict(sorted(collections.Counter(n for _, _, n, _ in samples).items())),
    }


# -- the benchmark --------------------------------------------------------------------------------
def run_scale_bench(work_dir="build/scale-bench", sizes=(10_000, 50_000, 100_000), jobs: int = 2,
                    compare_at: int | None = None, report="reports/bench-scale.json",
                    plot="reports/bench-scale.png", keep: bool = False, log=print,
                    link_budgets: tuple[str, ...] = ("512MB", "160MB")) -> str:
    """Ingest the synthetic archive at each size with the local pool, and at `compare_at` (the
    smallest size by default) with Dask too; after each local ingest, link the dataset again on its
    own under each of `link_budgets` (DuckDB's memory limit: the linker's peak is that limit plus what
    lives outside it); write the JSON report and the plot; return a table."""
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    sizes = sorted(sizes)
    compare_at = compare_at or sizes[0]
    archive = work / "archive"
    log(f"scale bench: making a synthetic archive of {max(sizes):,} text documents in {archive}")
    built = make_text_archive(archive, max(sizes))
    runs = []
    plan = [("local", n) for n in sizes] + [("dask", compare_at)]
    for backend, n in plan:
        log(f"scale bench: ingest {n:,} documents, backend {backend}, {jobs} workers")
        r = measure_ingest(archive_paths(archive, n), work / f"out-{backend}-{n}", backend=backend, jobs=jobs)
        r["archive_docs"] = n
        runs.append(r)
        log(f"  {r['docs_per_s']} docs/s, peak {r['peak_tree_ingest_mb']} MB (ingest), {r['peak_tree_link_mb']} MB (link); "
            f"ingest percentiles {r['tree_ingest_mb_percentiles']} MB; processes per sample {r['process_counts']}")
        log("  the highest sample: " + ", ".join(f"{q['role']} {q['mb']:.0f} MB" for q in r["peak_sample"].get("processes", [])))
        if backend == "local" and link_budgets:
            # the linker again, on its own, under each memory limit: its peak (VmHWM of the process)
            # and time, full link of the dataset the ingest wrote
            from .graph_bench import _link_in_child
            r["link_budgets"] = {}
            for budget in link_budgets:
                lk = _link_in_child(work / f"out-{backend}-{n}", True, budget, None)
                r["link_budgets"][budget] = {"peak_mb": round(lk["peak_mb"], 1), "seconds": round(lk["seconds"], 2)}
                log(f"  vanban link --full --memory-limit {budget}: peak {lk['peak_mb']:.0f} MB, {lk['seconds']:.1f} s")
        if not keep:
            shutil.rmtree(work / f"out-{backend}-{n}", ignore_errors=True)
    local = [r for r in runs if r["backend"] == "local"]
    small, big = local[0], local[-1]
    ratio = big["peak_tree_ingest_mb"] / max(small["peak_tree_ingest_mb"], 1e-9)
    dask = next(r for r in runs if r["backend"] == "dask")
    same = next(r for r in local if r["archive_docs"] == compare_at)
    res = {
        "cpus": os.cpu_count(), "jobs": jobs, "archive": built, "runs": runs,
        "memory_flat": {"small_docs": small["archive_docs"], "big_docs": big["archive_docs"],
                        "small_peak_mb": small["peak_tree_ingest_mb"], "big_peak_mb": big["peak_tree_ingest_mb"],
                        "ratio": round(ratio, 3), "target": TARGET_RATIO, "ok": ratio <= TARGET_RATIO},
        "local_vs_dask": {"docs": compare_at, "local_docs_per_s": same["docs_per_s"],
                          "dask_docs_per_s": dask["docs_per_s"],
                          "dask_over_local": round(dask["docs_per_s"] / max(same["docs_per_s"], 1e-9), 3)},
        "command": "vanban bench --scale",
    }
    if report:
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        Path(report).write_text(json.dumps(res, ensure_ascii=False, indent=1))
    if plot:
        _plot(res, plot)
    return format_report(res)


def _plot(res: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=100)
    for backend, style in (("local", "o-"), ("dask", "s--")):
        rs = sorted((r for r in res["runs"] if r["backend"] == backend), key=lambda r: r["archive_docs"])
        if not rs:
            continue
        x = [r["archive_docs"] for r in rs]
        a.plot(x, [r["docs_per_s"] for r in rs], style, label=f"{backend} ({res['jobs']} workers)")
        b.plot(x, [r["peak_tree_ingest_mb"] for r in rs], style, label=f"{backend}: ingest")
        if backend == "local":
            b.plot(x, [r["peak_tree_link_mb"] for r in rs], "^:", label="local: link (DuckDB)")
    sizes = sorted({r["archive_docs"] for r in res["runs"]})
    for ax, title, unit in ((a, "throughput", "documents / s"), (b, "peak memory, process tree", "MB")):
        ax.set_xscale("log")
        ax.set_xticks(sizes, [f"{n / 1000:g}k" for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("archive size (documents)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("vanban ingest, synthetic text archive", fontsize=10)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def format_report(res: dict) -> str:
    lines = [f"scale: synthetic text archive, {res['jobs']} workers, {res['cpus']} cpus",
             f"{'backend':8} {'docs':>8} {'docs/s':>8} {'ingest s':>9} {'peak MB':>8} {'link MB':>8} {'parent MB':>9}"]
    for r in res["runs"]:
        lines.append(f"{r['backend']:8} {r['archive_docs']:>8,} {r['docs_per_s']:>8.1f} {r['ingest_seconds']:>9.1f} "
                     f"{r['peak_tree_ingest_mb']:>8.1f} {r['peak_tree_link_mb']:>8.1f} {r['peak_parent_mb']:>9.1f}")
    m = res["memory_flat"]
    lines.append(f"memory flat: {m['big_docs']:,} documents peak {m['big_peak_mb']} MB vs {m['small_docs']:,} "
                 f"{m['small_peak_mb']} MB: ratio {m['ratio']} (target <= {m['target']}) "
                 f"{'ok' if m['ok'] else 'MISSED'}")
    budgets = [(r["archive_docs"], b, v) for r in res["runs"] for b, v in r.get("link_budgets", {}).items()]
    for b in dict.fromkeys(b for _, b, _ in budgets):
        at = [(n, v) for n, bb, v in budgets if bb == b]
        lines.append(f"link --full --memory-limit {b}: " + ", ".join(
            f"{n:,} docs {v['peak_mb']:.0f} MB {v['seconds']:.1f} s" for n, v in at)
            + (f" (peak {at[-1][1]['peak_mb'] / max(at[0][1]['peak_mb'], 1e-9):.2f}x)" if len(at) > 1 else ""))
    c = res["local_vs_dask"]
    lines.append(f"local vs dask on {c['docs']:,} documents: {c['local_docs_per_s']} vs {c['dask_docs_per_s']} docs/s "
                 f"(dask {c['dask_over_local']:.2f}x)")
    return "\n".join(lines)


__all__ = ["make_text_archive", "measure_ingest", "run_scale_bench", "format_report"]
