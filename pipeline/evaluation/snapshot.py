"""Extraction snapshot: the full record of every text document, to prove a change left output alone.

Why: speed work (issue 12) and refactors must not change what the pipeline extracts. A field-level
gold score can stay flat while individual values move, so this compares everything: each
document's complete `DocumentRecord` (pages' normalised text, header, signature, recipients,
citations with relations, tasks, entities, failures, keys) as canonical JSON, one line per document.

Documents: the text path only (`document.process(path, ocr=False)`) over
  - `<shared>/dev/*.txt`, `<shared>/local/*.txt` (the real corpus, when present),
  - `<shared>/scans/*.pdf` that have a text layer (a PDF that would need OCR is skipped: OCR is too
    slow and not what this guards),
  - `corpus/samples/*.txt` and every source named by a `corpus/gold/**/*.json` annotation.
Keys are paths relative to their root: `dev/…`, `local/…`, `scans/…` (shared corpus) and
`samples/…` (the repository's corpus). A document that fails is recorded as its failure row, so a
change in what fails shows too.

    python -m pipeline.evaluation.snapshot --write build/snapshot-baseline.jsonl
    python -m pipeline.evaluation.snapshot --check build/snapshot-baseline.jsonl   # exit 1 on any difference
    python -m pipeline.evaluation.snapshot --write-hashes tests/fixtures/extraction_hashes.json

    python -m pipeline.evaluation.snapshot --check-hashes tests/fixtures/extraction_hashes.json [--no-shared]

The hashes file (doc key → sha256 of the canonical JSON line) is what `tests/test_snapshot.py`
compares: small enough to commit, and any difference in any field changes the hash.

The command runs itself under PYTHONHASHSEED=0 (it re-executes when the variable is not "0"): at the
time of writing some entity normalisations depend on the iteration order of a set of strings, so
two runs with different hash seeds can differ ("Trưởng ban" / "Trưởng Ban"); a fixed seed keeps the
snapshot about the code, not about the seed.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
from pathlib import Path

from ..document import process_safe
from .evaluate import REPO, shared_corpus

SHARED_PREFIXES = ("dev/", "local/", "scans/")


def _plain(o):
    """Dataclasses, dates and containers as JSON-ready values (dates ISO, dataclasses by field,
    bytes by their sha256). A dataclass field that is None is left out: a field added later with a
    None default (OCR-only evidence on `Page`, say) then does not change the text path's snapshot,
    while any value that appears, disappears or changes still does."""
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        out = {}
        for f in dataclasses.fields(o):
            v = getattr(o, f.name)
            if v is not None:
                out[f.name] = _plain(v)
        return out
    if isinstance(o, (bytes, bytearray)):
        return "sha256:" + hashlib.sha256(o).hexdigest()
    if isinstance(o, (dt.date, dt.datetime)):
        return o.isoformat()
    if isinstance(o, (list, tuple)):
        return [_plain(x) for x in o]
    if isinstance(o, dict):
        return {str(k): _plain(v) for k, v in o.items()}
    if isinstance(o, set):
        return sorted(_plain(x) for x in o)
    return o


def canonical(key: str, result) -> str:
    """One document's record (or failure) as one canonical JSON line. `source_path` is replaced by
    the key so that the line does not depend on where the corpus is mounted."""
    d = _plain(result)
    d["source_path"] = key
    for f in d.get("failures") or []:
        if isinstance(f, dict):
            f["source_path"] = key
    d = {"key": key, "type": type(result).__name__, "record": d}
    return json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def documents(shared: Path | None = None, include_shared: bool = True) -> list[tuple[str, Path]]:
    """(key, path) of every document the snapshot covers, sorted by key, without duplicates."""
    shared = shared or shared_corpus()
    corpus = REPO / "corpus"
    out: dict[str, Path] = {}
    if include_shared and shared.exists():
        for sub in ("dev", "local"):
            for p in sorted((shared / sub).glob("*.txt")):
                out[f"{sub}/{p.name}"] = p
        for p in sorted((shared / "scans").glob("*.pdf")):
            out[f"scans/{p.name}"] = p
    for p in sorted((corpus / "samples").glob("*.txt")):
        out[f"samples/{p.name}"] = p
    for g in sorted((corpus / "gold").rglob("*.json")):
        try:
            src = json.loads(g.read_text(encoding="utf-8")).get("source")
        except (ValueError, AttributeError):
            continue
        if not isinstance(src, str) or src in out:
            continue
        if src.startswith(SHARED_PREFIXES):
            if include_shared and (shared / src).exists():
                out[src] = shared / src
        elif (corpus / src).exists():
            out[src] = corpus / src
    return sorted(out.items())


def snapshot(shared: Path | None = None, include_shared: bool = True, keys: set[str] | None = None) -> dict[str, str]:
    """key → canonical JSON line for every covered document (text path, OCR off). PDFs that need
    OCR are left out (their `needs_ocr` failure is not extraction output)."""
    lines: dict[str, str] = {}
    for key, path in documents(shared, include_shared):
        if keys is not None and key not in keys:
            continue
        res = process_safe(str(path), ocr=False)
        if key.endswith(".pdf") and getattr(res, "stage", None) == "needs_ocr":
            continue
        lines[key] = canonical(key, res)
    return lines


def sha(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def read_jsonl(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out[json.loads(line)["key"]] = line
    return out


def diff(old: dict[str, str], new: dict[str, str], limit: int = 20) -> list[str]:
    """Human-readable differences: documents added/removed, and the first differing top-level
    fields (and, for lists, the first differing item) of each changed document."""
    out = []
    for k in sorted(set(old) - set(new)):
        out.append(f"missing now: {k}")
    for k in sorted(set(new) - set(old)):
        out.append(f"new: {k}")
    for k in sorted(set(old) & set(new)):
        if old[k] == new[k]:
            continue
        a, b = json.loads(old[k])["record"], json.loads(new[k])["record"]
        for f in sorted(set(a) | set(b)):
            if a.get(f) == b.get(f):
                continue
            va, vb = a.get(f), b.get(f)
            if isinstance(va, list) and isinstance(vb, list):
                i = next((i for i, (x, y) in enumerate(zip(va, vb)) if x != y), min(len(va), len(vb)))
                out.append(f"{k}: {f}[{i}] (len {len(va)} → {len(vb)}): "
                           f"{json.dumps(va[i] if i < len(va) else None, ensure_ascii=False)[:400]} → "
                           f"{json.dumps(vb[i] if i < len(vb) else None, ensure_ascii=False)[:400]}")
            else:
                out.append(f"{k}: {f}: {json.dumps(va, ensure_ascii=False)[:400]} → "
                           f"{json.dumps(vb, ensure_ascii=False)[:400]}")
        if len(out) > limit:
            out.append("…")
            break
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.evaluation.snapshot", description=__doc__.split("\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="FILE", help="write the snapshot (JSON lines) to FILE")
    g.add_argument("--check", metavar="FILE", help="compare the current output with FILE; exit 1 on any difference")
    g.add_argument("--write-hashes", metavar="FILE", help="write per-document sha256 (the test fixture) to FILE")
    g.add_argument("--check-hashes", metavar="FILE", help="compare the current output's hashes with FILE; exit 1 on any difference")
    ap.add_argument("--no-shared", action="store_true", help="only the repository's own documents")
    a = ap.parse_args(argv)
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        args = [sys.executable, "-m", "pipeline.evaluation.snapshot"] + (sys.argv[1:] if argv is None else list(argv))
        return __import__("subprocess").run(args, env=env).returncode
    if a.check_hashes:
        want = json.loads(Path(a.check_hashes).read_text(encoding="utf-8"))
        if a.no_shared:
            want = {k: v for k, v in want.items() if not k.startswith(SHARED_PREFIXES)}
        got = {k: sha(v) for k, v in snapshot(include_shared=not a.no_shared).items()}
        bad = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        for k in bad:
            print(f"{k}: {want.get(k, '(absent)')[:12]} → {got.get(k, '(absent)')[:12]}")
        print(f"{'DIFFERENT' if bad else 'identical'}: {len(bad)} of {len(want)} documents differ")
        return 1 if bad else 0
    if a.check:
        old = read_jsonl(Path(a.check))
        new = snapshot(include_shared=not a.no_shared)
        if a.no_shared:
            old = {k: v for k, v in old.items() if not k.startswith(SHARED_PREFIXES)}
        d = diff(old, new)
        if d:
            print("\n".join(d))
            print(f"DIFFERENT: {sum(1 for k in set(old) | set(new) if old.get(k) != new.get(k))} of {len(old)} documents")
            return 1
        print(f"identical: {len(new)} documents")
        return 0
    lines = snapshot(include_shared=not a.no_shared)
    if a.write:
        p = Path(a.write)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("".join(lines[k] + "\n" for k in sorted(lines)), encoding="utf-8")
    else:
        p = Path(a.write_hashes)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps({k: sha(lines[k]) for k in sorted(lines)}, indent=1, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    print(f"wrote {len(lines)} documents to {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
