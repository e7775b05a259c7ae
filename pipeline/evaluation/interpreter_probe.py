"""What another Python interpreter would buy the text path: the text-path bench under this
interpreter and under each other one given (or found), in one run, with each one's output checked.

Why: issue 12 asks 20 MB/s per core of the text path, whose profile is flat (the regex engines and
the interpreter's glue between their calls). After the compile probe (the same modules compiled by
Cython), the other engine left without a rewrite is a newer CPython: each release changes the cost
of the glue. This probe measures it instead of assuming it.

    python -m pipeline.evaluation.interpreter_probe [PYTHON ...] [--corpus DIR] [--repeat 3] [--keep DIR] [--report FILE]

PYTHON: interpreters to compare with this one; none given, every CPython 3.10 or newer found as
`python3.X` on PATH or under pyenv's `versions/` (`$PYENV_ROOT`, default `~/.pyenv`).

Steps, for each interpreter: a fresh virtual environment in a temporary folder, with vanban's core
dependencies (`[project] dependencies` of pyproject.toml: what the text path imports) installed by
pip from the package index the machine is set to use; the extraction snapshot
(`pipeline.evaluation.snapshot`) written under this interpreter and checked under that one, so a
figure from an interpreter that extracts something else is never reported as a speed-up; then
`bench.measure_text_path` on this repository, the same corpus and best-of passes, in a child
process. This interpreter is measured in the same run, so the ratios compare like with like.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .compile_probe import measure, same_output
from .evaluate import REPO

OLDEST = (3, 10)  # pyproject's requires-python


def version_of(python: str) -> tuple[int, int, int]:
    """(major, minor, micro) of the interpreter `python`; SystemExit with a clear message when it
    does not run."""
    try:
        out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3])"], capture_output=True,
                             text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SystemExit(f"interpreter_probe: {python} does not run: {e}") from None
    parts = out.stdout.split()
    if out.returncode or len(parts) != 3:
        raise SystemExit(f"interpreter_probe: {python} does not run as Python: {out.stderr.strip()[-300:]}")
    return tuple(int(p) for p in parts)  # type: ignore[return-value]


def found_interpreters() -> list[str]:
    """CPython 3.10 or newer on this machine other than the running one, one per version (PATH's
    `python3.X` first, then pyenv's `versions/3.X.Y/bin/python`), oldest first."""
    cands: list[Path] = []
    for minor in range(OLDEST[1], 20):
        w = shutil.which(f"python3.{minor}")
        if w:
            cands.append(Path(w))
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if root.is_dir():
        cands.extend(sorted(p / "bin" / "python" for p in root.iterdir() if p.name[:1].isdigit()))
    this = Path(sys.executable).resolve()
    this_version = sys.version_info[:3]
    seen: dict[tuple[int, int, int], str] = {}
    for c in cands:
        if not c.exists() or c.resolve() == this:
            continue
        try:
            v = version_of(str(c))
        except SystemExit:
            continue
        if v >= OLDEST + (0,) and v != this_version and v not in seen:
            seen[v] = str(c)
    return [seen[v] for v in sorted(seen)]


def core_dependencies() -> list[str]:
    """`[project] dependencies` of the repository's pyproject.toml: what the text path imports."""
    import tomllib

    with open(REPO / "pyproject.toml", "rb") as f:
        return list(tomllib.load(f)["project"]["dependencies"])


def make_env(python: str, where: Path) -> str:
    """A virtual environment of `python` at `where` with the core dependencies; its interpreter."""
    subprocess.run([python, "-m", "venv", str(where)], check=True, stdout=subprocess.DEVNULL)
    py = str(where / "bin" / "python")
    p = subprocess.run([py, "-m", "pip", "install", "-q", *core_dependencies()], capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"interpreter_probe: pip could not install vanban's dependencies for {python}:\n"
                         f"{p.stderr[-2000:]}")
    return py


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.evaluation.interpreter_probe",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("python", nargs="*", help="interpreters to compare (default: every CPython >= 3.10 found)")
    ap.add_argument("--corpus", help="a folder of .txt files (default: the shared corpus' dev/)")
    ap.add_argument("--repeat", type=int, default=3, help="passes of the bench, best taken (default 3)")
    ap.add_argument("--keep", metavar="DIR", help="build the environments in DIR and keep them")
    ap.add_argument("--report", metavar="FILE", help="also write the figures as JSON to FILE")
    a = ap.parse_args(argv)
    others = a.python or found_interpreters()
    if not others:
        raise SystemExit("interpreter_probe: no other CPython >= 3.10 found; name one")
    versions = {p: version_of(p) for p in others}
    old = [f"{p} ({'.'.join(map(str, v))})" for p, v in versions.items() if v < OLDEST + (0,)]
    if old:
        raise SystemExit(f"interpreter_probe: vanban needs Python >= 3.10: {', '.join(old)}")
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="vanban-interpreters-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        this = ".".join(map(str, sys.version_info[:3]))
        base = measure(REPO, a.corpus, a.repeat)
        rows = [{"python": sys.executable, "version": this, "mb_per_s_cpu": base["mb_per_s_cpu"], "ratio": 1.0,
                 "same_output": True, "stages_cpu_s": base["stages_cpu_s"]}]
        for p in others:
            v = ".".join(map(str, versions[p]))
            py = make_env(p, work / f"venv-{v}")
            same, detail = same_output(REPO, REPO, work, python=py)
            r = measure(REPO, a.corpus, a.repeat, python=py)
            rows.append({"python": p, "version": v, "mb_per_s_cpu": r["mb_per_s_cpu"],
                         "ratio": round(r["mb_per_s_cpu"] / base["mb_per_s_cpu"], 3), "same_output": same,
                         "stages_cpu_s": r["stages_cpu_s"], **({} if same else {"difference": detail})})
        print(f"text path, {base['corpus']}, best of {a.repeat} (target {base['target_mb_per_s']:.0f} MB/s):")
        for r in rows:
            mark = "" if r["same_output"] else "  OUTPUT DIFFERENT (snapshot)"
            who = "this interpreter" if r["ratio"] == 1.0 and r["python"] == sys.executable else r["python"]
            print(f"  CPython {r['version']:<8} {r['mb_per_s_cpu']:6.2f} MB/s  {r['ratio']:.3f} ×  ({who}){mark}")
        if a.report:
            Path(a.report).parent.mkdir(parents=True, exist_ok=True)
            Path(a.report).write_text(json.dumps({"corpus": base["corpus"], "repeat": a.repeat, "rows": rows},
                                                 indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return 0 if all(r["same_output"] for r in rows) else 1
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
