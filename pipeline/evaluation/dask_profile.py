"""Local pool vs Dask on small synthetic text documents: where does Dask's time go?

    python -m pipeline.evaluation.dask_profile ingest --n 4000 --rounds 2     # CLI ingest, alternating
    python -m pipeline.evaluation.dask_profile pool --n 3000 --rounds 2       # pool.run only, no store
    python -m pipeline.evaluation.dask_profile spy --n 3000 --backend dask    # py-spy over the whole tree

`ingest` runs `vanban ingest --no-ocr -j 2 --batch-size 100` in a fresh process for each backend,
alternating local / dask (other benchmarks share the machine: compare the ratios of one round),
and samples every process of the tree from /proc every 0.1 s: CPU seconds (user+sys) per role
(command = client + in-process scheduler, nanny, dask worker, forkserver, doc = the document
child), and per thread of the command. `pool` times `make_pool(backend).run(paths)` alone in this
process (no triage, no store). `spy` records the CLI run with `py-spy --subprocesses` (raw collapsed
stacks) and prints, per role, the hottest functions (self time and inclusive time); py-spy is not a
dependency of the project (`pip install py-spy` into the venv first).

Found with it (issue 12): one small text document a Dask task cost about 4 ms of CPU in Dask itself
(scheduler graph updates, client result fetches, the workers' event loops), twice the document's
extraction, hence `backends.BATCH` small text files a task.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
WORK = REPO / "build" / "dask-profile"

from pipeline.evaluation.scale_bench import _CLK as CLK, _manifest_lines, archive_paths, make_text_archive  # noqa: E402
from pipeline.worker import process_tree  # noqa: E402


def archive(n: int) -> list[str]:
    root = WORK / "archive"
    make_text_archive(root, n)
    return archive_paths(root, n)


def _stat(path: str):
    try:
        with open(path, "rb") as fh:
            head, rest = fh.read().rsplit(b")", 1)
        f = rest.split()
        return head.split(b"(", 1)[1].decode(), int(f[1]), (int(f[11]) + int(f[12])) / CLK
    except (OSError, ValueError, IndexError):
        return None


def _cmd(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def classify(root: int, procs: dict[int, dict]) -> None:
    def role(pid, depth=0):
        p = procs[pid]
        if "role" in p:
            return p["role"]
        pr = role(p["ppid"], depth + 1) if p["ppid"] in procs and pid != root and depth < 10 else None
        if pid == root:
            r = "command"
        elif pr == "forkserver":
            r = "doc"
        elif "forkserver" in p["cmd"]:
            r = "forkserver"
        elif "resource_tracker" in p["cmd"]:
            r = "tracker"
        elif pr == "command":  # LocalCluster: the nannies live in the command, the workers are its children
            r = "daskworker"
        else:
            r = "other"
        p["role"] = r
        return r

    for pid in procs:
        role(pid)


def run_cli(paths: list[str], backend: str, out: Path, jobs: int = 2, prefix: list[str] | None = None,
            interval: float = 0.1, extra_env: dict | None = None) -> dict:
    if out.exists():
        shutil.rmtree(out)
    summary = out.parent / f"{out.name}-summary.json"
    # "<backend>-old": another copy of the package, put in build/dask-profile/old by hand (say,
    # `git archive` of an earlier commit), run in turn with this one to compare the two
    root = WORK / "old" if backend.endswith("-old") else REPO
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(root), **(extra_env or {})}
    entry = ["-m", "pipeline.cli"]
    cmd = [sys.executable, *entry, "ingest", *paths, "--out", str(out), "-j", str(jobs),
           "--backend", backend.split("-")[0], "--batch-size", "100", "--no-ocr", "-q", "--no-progress",
           "--summary-json", str(summary)]
    t0 = time.monotonic()
    p = subprocess.Popen((prefix or []) + cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs: dict[int, dict] = {}
    threads: dict[str, float] = {}
    marks: list[tuple[float, int]] = []
    stop = threading.Event()
    root_pid = [None]

    def sample():
        while not stop.is_set():
            pids = process_tree(p.pid)
            if prefix:  # py-spy is the root: the command is its child
                kids = [x for x in pids if x != p.pid and procs.get(x, {}).get("ppid") == p.pid]
                for x in pids:
                    if x not in procs:
                        s = _stat(f"/proc/{x}/stat")
                        if s and s[1] == p.pid and "pipeline.cli" in _cmd(x):
                            root_pid[0] = x
            else:
                root_pid[0] = p.pid
            for x in pids:
                s = _stat(f"/proc/{x}/stat")
                if s is None:
                    continue
                d = procs.setdefault(x, {"comm": s[0], "ppid": s[1], "cmd": _cmd(x)[:200], "cpu": 0.0})
                d["cpu"] = max(d["cpu"], s[2])
            if root_pid[0]:
                try:
                    for t in os.listdir(f"/proc/{root_pid[0]}/task"):
                        s = _stat(f"/proc/{root_pid[0]}/task/{t}/stat")
                        if s:
                            k = f"{s[0]}#{t}"
                            threads[k] = max(threads.get(k, 0.0), s[2])
                except OSError:
                    pass
            marks.append((time.monotonic() - t0, _manifest_lines(out)))
            stop.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    so, se = p.communicate()
    stop.set()
    th.join()
    wall = time.monotonic() - t0
    if p.returncode not in (0, 4):
        raise RuntimeError(se.decode()[-3000:])
    s = json.loads(summary.read_text())
    last = max((b for _, b in marks), default=0)
    t_commit = min((t for t, b in marks if b == last), default=wall)
    t_first = min((t for t, b in marks if b > 0), default=0.0)
    procs.pop(p.pid, None) if prefix else None
    classify(root_pid[0] or p.pid, procs)
    cpu = collections.Counter()
    count = collections.Counter()
    for d in procs.values():
        cpu[d["role"]] += d["cpu"]
        count[d["role"]] += 1
    shutil.rmtree(out, ignore_errors=True)
    top_threads = sorted(threads.items(), key=lambda kv: -kv[1])[:8]
    return {"backend": backend, "written": s["written"], "wall": round(wall, 2), "ingest_s": round(t_commit, 2),
            "first_commit_s": round(t_first, 2),
            "docs_per_s": round(s["written"] / max(t_commit, 1e-9), 1),
            # docs/s between the first and the last commit: the steady state, start-up left out
            "steady_docs_per_s": round((s["written"] - 100) / max(t_commit - t_first, 1e-9), 1),
            "cpu_s": {k: round(v, 2) for k, v in sorted(cpu.items())}, "procs": dict(count),
            "cpu_total": round(sum(cpu.values()), 2),
            "command_threads": {k: round(v, 2) for k, v in top_threads}}


def cmd_ingest(a) -> None:
    paths = archive(a.n)
    res = []
    order = a.backends.split(",")
    for r in range(a.rounds):
        for b in (order if r % 2 == 0 else order[::-1]):
            x = run_cli(paths, b, WORK / f"out-{b}")
            x["round"] = r
            res.append(x)
            print(json.dumps(x), flush=True)
    for r in range(a.rounds):
        row = {x["backend"]: x for x in res if x["round"] == r}
        loc = row.get("local")
        for name, x in row.items():
            if loc is None or name == "local":
                continue
            print(f"round {r}: local {loc['docs_per_s']} {name} {x['docs_per_s']} docs/s "
                  f"ratio {x['docs_per_s'] / loc['docs_per_s']:.2f}; steady "
                  f"{loc['steady_docs_per_s']} vs {x['steady_docs_per_s']} "
                  f"ratio {x['steady_docs_per_s'] / loc['steady_docs_per_s']:.2f}; cpu s total "
                  f"{loc['cpu_total']} vs {x['cpu_total']}", flush=True)


def cmd_pool(a) -> None:
    from pipeline.backends import make_pool
    archive(a.n)
    paths = sorted(str(p) for p in (WORK / "archive").glob("p*/*.txt"))[:a.n]
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    order = a.backends.split(",")
    for r in range(a.rounds):
        row = {}
        for b in (order if r % 2 == 0 else order[::-1]):
            pool = make_pool(b, jobs=2, ocr=False)
            try:
                pool.prestart(len(paths))
                list(pool.run(paths[:50]))  # warm: cluster up, workers forked
                t0 = time.perf_counter()
                n = sum(1 for _ in pool.run(paths[50:]))
                dt = time.perf_counter() - t0
            finally:
                pool.close()
            row[b] = n / dt
            print(f"round {r} {b}: {n} docs in {dt:.2f} s = {n / dt:.1f} docs/s", flush=True)
        if "local" in row and "dask" in row:
            print(f"round {r}: dask/local {row['dask'] / row['local']:.2f}", flush=True)


def _summarise_raw(path: Path, top: int = 25) -> None:
    """py-spy raw output: `process PID:"cmd";thread (…);frame;frame… count` per line."""
    import re

    by_proc_self = collections.defaultdict(collections.Counter)
    by_proc_incl = collections.defaultdict(collections.Counter)
    totals = collections.Counter()
    cmds = {}
    for line in path.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        try:
            n = int(n)
        except ValueError:
            continue
        frames = re.findall(r'process \d+:"[^"]*"|[^;]+', stack)
        procs = [f for f in frames if f.startswith("process ")]
        m = re.match(r'process (\d+):"(.*)"', procs[-1]) if procs else None
        pid = m.group(1) if m else "?"
        depth = len(procs)
        cmds[pid] = f"depth {depth}: " + (m.group(2) if m else "?")[:110]
        frames = [f for f in frames if not f.startswith(("thread ", "process "))]
        totals[pid] += n
        if frames:
            by_proc_self[pid][frames[-1]] += n
        for f in set(frames):
            by_proc_incl[pid][f] += n
    for pid, tot in totals.most_common():
        print(f"\n=== process {pid} ({tot} samples): {cmds[pid]}")
        print("  -- self")
        for f, n in by_proc_self[pid].most_common(top):
            print(f"  {n:6d} {100 * n / tot:5.1f}%  {f[:150]}")
        print("  -- inclusive")
        for f, n in by_proc_incl[pid].most_common(top):
            print(f"  {n:6d} {100 * n / tot:5.1f}%  {f[:150]}")


def cmd_spy(a) -> None:
    paths = archive(a.n)
    raw = WORK / f"spy-{a.backend}{a.tag}.txt"
    prefix = ["sudo"] if os.geteuid() != 0 else []
    prefix += [str(REPO / ".venv" / "bin" / "py-spy"), "record", "--subprocesses", "--format", "raw",
               "--rate", str(a.rate), "--nonblocking", "-o", str(raw), "--"]
    if a.idle:
        prefix.insert(prefix.index("--"), "--idle")
    if a.gil:
        prefix.insert(prefix.index("--"), "--gil")
    x = run_cli(paths, a.backend, WORK / f"out-spy-{a.backend}", prefix=prefix)
    print(json.dumps(x))
    _summarise_raw(raw, a.top)


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ingest")
    p.add_argument("--n", type=int, default=4000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--backends", default="local,dask")
    p = sub.add_parser("pool")
    p.add_argument("--n", type=int, default=3000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--backends", default="local,dask")
    p = sub.add_parser("spy")
    p.add_argument("--n", type=int, default=3000)
    p.add_argument("--backend", default="dask")
    p.add_argument("--rate", type=int, default=200)
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--idle", action="store_true")
    p.add_argument("--gil", action="store_true", help="only threads holding the GIL: Python CPU time")
    p.add_argument("--tag", default="")
    p = sub.add_parser("summarise")
    p.add_argument("raw")
    p.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    if a.cmd == "summarise":
        _summarise_raw(Path(a.raw), a.top)
    else:
        {"ingest": cmd_ingest, "pool": cmd_pool, "spy": cmd_spy}[a.cmd](a)


if __name__ == "__main__":
    main()
