"""What compiling the text path as it is would buy: the text-path bench on the source tree and on a
copy whose text-path modules Cython compiled, unchanged, in one run, with the copy's output checked.

Why: issue 12 asks 20 MB/s per core of the text path. Its profile is flat (the regex engines
and the interpreter's glue between their calls, no Python function above a few percent of a pass),
so more shortcuts cannot close the gap, and the question left is whether a compiled engine is a
build step or a rewrite. This probe answers the first half: the same source, compiled as it stands, with
no types added (the annotations are hints, and some are looser than what is passed: a lazy sequence
where `list` is written), so that behaviour cannot change.

    pip install cython    # only this probe uses it: not a dependency of vanban
    python -m pipeline.evaluation.compile_probe [--corpus DIR] [--repeat 3] [--keep DIR] [--report FILE]

Steps: copy `pipeline/`, `rules/` and `corpus/` to a temporary root; compile there every module of
the text path (`pipeline/extract/*.py`, `pipeline/text/clean.py`); run `bench.measure_text_path` in a
child process on each tree (the same corpus, the same best-of passes); write the extraction snapshot
(`pipeline.evaluation.snapshot`) from the source tree and check the compiled tree against it, so a
figure from a tree that extracts something else is never reported as a speed-up.
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

from .evaluate import REPO

#: What is compiled: every stage `bench.measure_text_path` times (normalise + extract).
TEXT_PATH_MODULES = ("pipeline/extract/*.py", "pipeline/text/clean.py")


def compiled_modules(root: Path) -> list[Path]:
    """The text path's module files under `root` (package `__init__` files stay Python)."""
    out: list[Path] = []
    for pattern in TEXT_PATH_MODULES:
        out.extend(p for p in sorted(root.glob(pattern)) if p.name != "__init__.py")
    return out


def copy_tree(dst: Path) -> Path:
    """The parts of the repository the bench and the snapshot read, copied under `dst`."""
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.c")
    for part in ("pipeline", "rules", "corpus"):
        shutil.copytree(REPO / part, dst / part, ignore=ignore)
    return dst


def compile_tree(root: Path, jobs: int = 2) -> list[Path]:
    """Compile the text path's modules of `root` in place (extension modules beside the sources,
    which Python imports before them). Raises SystemExit with a clear message without Cython."""
    try:
        import Cython  # noqa: F401  (only to fail early, with the fix in the message)
    except ImportError:
        raise SystemExit("compile_probe needs Cython: pip install cython") from None
    mods = [str(p.relative_to(root)) for p in compiled_modules(root)]
    script = (
        "import sys\nfrom setuptools import setup\nfrom Cython.Build import cythonize\n"
        f"setup(script_args=['build_ext', '--inplace', '-j', '{jobs}'], ext_modules=cythonize({mods!r}, "
        "language_level=3, quiet=True, compiler_directives={'binding': True, 'annotation_typing': False}))\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=root, check=True, stdout=subprocess.DEVNULL)
    missing = [p for p in compiled_modules(root) if not list(p.parent.glob(p.stem + ".*.so"))]
    if missing:
        raise SystemExit(f"compile_probe: no extension module was built for {', '.join(map(str, missing))}")
    return compiled_modules(root)


def _in_tree(root: Path, code: str, *args: str, python: str | None = None) -> subprocess.CompletedProcess:
    """`python -c code args` (this interpreter by default) importing `pipeline` and the rules from `root`."""
    env = dict(os.environ, PYTHONPATH=str(root), VANBAN_RULES=str(root / "rules"), OMP_THREAD_LIMIT="1")
    return subprocess.run([python or sys.executable, *(["-c", code] if code else []), *args], cwd=root, env=env,
                          capture_output=True, text=True)


def measure(root: Path, corpus: str | None, repeat: int, python: str | None = None) -> dict:
    """`measure_text_path` in a child process (under `python`, this interpreter by default)
    importing `pipeline` from `root`."""
    code = ("import json, sys, pipeline.extract.references as m\n"
            "from pipeline.evaluation.bench import measure_text_path\n"
            f"r = measure_text_path({corpus!r}, {repeat})\nr['module_file'] = m.__file__\n"
            "print(json.dumps(r))")
    p = _in_tree(root, code, python=python)
    if p.returncode:
        raise SystemExit(f"the bench failed in {root} under {python or sys.executable}:\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def same_output(source: Path, compiled: Path, work: Path, python: str | None = None) -> tuple[bool, str]:
    """Whether the tree `compiled`, run under `python` (this interpreter by default), extracts
    exactly what the source tree does under this interpreter (the snapshot)."""
    base = work / "snapshot-source.jsonl"
    if not base.exists():
        w = _in_tree(source, "", "-m", "pipeline.evaluation.snapshot", "--write", str(base))
        if w.returncode:
            return False, w.stderr[-2000:]
    c = _in_tree(compiled, "", "-m", "pipeline.evaluation.snapshot", "--check", str(base), python=python)
    return c.returncode == 0, (c.stdout + c.stderr)[-2000:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.evaluation.compile_probe", description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", help="a folder of .txt files (default: the shared corpus' dev/)")
    ap.add_argument("--repeat", type=int, default=3, help="passes of the bench, best taken (default 3)")
    ap.add_argument("--keep", metavar="DIR", help="build the compiled copy in DIR and keep it")
    ap.add_argument("--report", metavar="FILE", help="also write the figures as JSON to FILE")
    a = ap.parse_args(argv)
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="vanban-compiled-"))
    try:
        if (work / "pipeline").exists():
            raise SystemExit(f"compile_probe: {work} already holds a copy; give an empty folder")
        compiled = copy_tree(work)
        mods = compile_tree(compiled)
        same, detail = same_output(REPO, compiled, work)
        src = measure(REPO, a.corpus, a.repeat)
        cmp_ = measure(compiled, a.corpus, a.repeat)
        if not cmp_["module_file"].endswith(".so"):
            raise SystemExit(f"compile_probe: the compiled tree imported {cmp_['module_file']}, not an extension")
        r = {"modules_compiled": len(mods), "same_output": same,
             "source_mb_per_s_cpu": src["mb_per_s_cpu"], "compiled_mb_per_s_cpu": cmp_["mb_per_s_cpu"],
             "ratio": round(cmp_["mb_per_s_cpu"] / src["mb_per_s_cpu"], 3),
             "source_stages_cpu_s": src["stages_cpu_s"], "compiled_stages_cpu_s": cmp_["stages_cpu_s"],
             "target_mb_per_s": src["target_mb_per_s"], "repeat": a.repeat, "corpus": src["corpus"]}
        print(f"text path, {src['corpus']}, best of {a.repeat}: source {r['source_mb_per_s_cpu']:.2f} MB/s, "
              f"compiled ({len(mods)} modules, Cython, no types) {r['compiled_mb_per_s_cpu']:.2f} MB/s "
              f"= {r['ratio']:.3f} × (target {r['target_mb_per_s']:.0f})")
        print("compiled output: " + ("identical to the source tree's (snapshot)" if same else "DIFFERENT\n" + detail))
        if a.report:
            Path(a.report).parent.mkdir(parents=True, exist_ok=True)
            Path(a.report).write_text(json.dumps(r, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return 0 if same else 1
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
