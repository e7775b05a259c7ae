"""Entity evaluation: ORG, PER, LOC and TITLE against the blind gold of `corpus/gold/entities/`.

Gold format (`corpus/gold/entities/SPEC.md`): one JSON per document with `source`, `entities`
(label, text, start, end offsets into the raw file text, normalized, collective) and
`annotated_until` (entities are annotated only before that offset when it is set; predictions
after it are not scored).

Systems, side by side:
  rules        `extract.entities.find_entities` with the document's header and signature
  model        the spaCy `ner` of models/ner (spans), normalised by the same rules (only when the
               folder exists, or `--model DIR`)
  underthesea  `underthesea.ner` (the offline CRF), sentence by sentence; its PER/ORG/LOC spans,
               normalised as written (it has no TITLE)

Scores per label and overall:
  span         exact (label, start, end), on the text path only
  normalized   (label, normalised form) multiset per document, folded (case, tone placement,
               spaces, dashes); on the text path and on OCR'd scan-like renders, whose offsets
               differ from the gold's

OCR'd renders: each document's annotated text is drawn by `tests/scanlike.py`, degraded under a
condition (`clean`, `heavy`), OCR'd page by page as `text.ocr` does and repaired; the OCR text is
cached in `build/entities_ocr/` so that a second run only re-scores.

Command line: `python -m pipeline.evaluation.evaluate_entities [--ocr] [--model DIR] [--report FILE]`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import regex

from ..text.clean import fold
from .evaluate import REPO, resolve_source

LABELS = ("ORG", "PER", "LOC", "TITLE")
GOLD_DIR = REPO / "corpus" / "gold" / "entities"
OCR_CACHE = REPO / "build" / "entities_ocr"
OCR_CONDITIONS = ("clean", "heavy")


# ---- gold ------------------------------------------------------------------------------------------
@dataclass
class GoldDoc:
    name: str
    source: Path
    text: str                 # the raw file text the offsets refer to
    entities: list[dict]
    until: int | None


def load_gold(gold_dir: Path = GOLD_DIR) -> list[GoldDoc]:
    out = []
    for f in sorted(gold_dir.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "source" not in data or "entities" not in data:
            continue
        src = resolve_source(data["source"])
        if not src.exists():
            continue
        text = src.read_text(encoding="utf-8-sig")
        until = data.get("annotated_until")
        out.append(GoldDoc(f.stem, src, text, [e for e in data["entities"] if e.get("label") in LABELS],
                           int(until) if until else None))
    return out


def norm_key(s: str | None) -> str:
    """Folded comparison key of a normalised form."""
    s = fold(s or "")
    s = regex.sub(r"\s*[-–—]\s*", " - ", s)
    return regex.sub(r"\s+", " ", s).strip(" .,;:")


# ---- systems ---------------------------------------------------------------------------------------
def _record_for(text: str, ocr: bool = False):
    """A record of `text` through normalisation and the rule extractors (header, signature), with
    a map from the normalised text back to the raw text (the gold's offsets are into the raw file)."""
    from ..document import extract
    from ..models import DocumentRecord, Page
    from ..text.clean import normalize_text

    norm, _ = normalize_text(text, strip_boilerplate=True)
    rec = DocumentRecord(doc_id="eval", source_path="eval", source_sha256="", kind="txt",
                         pages=[Page(1, norm, ocr=ocr)])
    extract(rec, norm)
    return rec, norm


def _offset_map(raw: str, norm: str) -> list[int] | None:
    """norm offset → raw offset when the two texts differ (normalisation rarely changes length)."""
    if raw == norm:
        return None
    from difflib import SequenceMatcher

    m = [0] * (len(norm) + 1)
    sm = SequenceMatcher(None, norm, raw, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        for k in range(i1, i2 + 1):
            m[k] = j1 + min(k - i1, j2 - j1)
    return m


def rules_entities(text: str, ocr: bool = False) -> list[tuple[str, int, int, str]]:
    from ..extract.entities import find_entities

    rec, norm = _record_for(text, ocr)
    ents = find_entities(norm, rec.header, rec.signature)
    return _to_raw(text, norm, [(e.label, e.start, e.end, e.normalized) for e in ents])


def _to_raw(raw: str, norm: str, ents):
    m = _offset_map(raw, norm)
    if m is None:
        return list(ents)
    return [(lab, m[s], m[e], n) for lab, s, e, n in ents]


_MODELS: dict[str, object] = {}


def model_entities(text: str, model_dir: str, ocr: bool = False, combine: bool = False) -> list[tuple[str, int, int, str]]:
    from ..extract.entities import model_entities as _model

    rec, norm = _record_for(text, ocr)
    ents = _model(norm, model_dir, rec.header, rec.signature, combine=combine)
    return _to_raw(text, norm, [(e.label, e.start, e.end, e.normalized) for e in ents])


_UTS_LABEL = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}


def underthesea_entities(text: str) -> list[tuple[str, int, int, str]]:
    """underthesea's CRF NER, line by line (its sentences); spans found back in the line."""
    from underthesea import ner

    out = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if not line.strip() or len(line) > 5000:
            continue
        try:
            tags = ner(line)
        except Exception:
            continue
        cur = None
        cursor = 0
        for tok in tags:
            word, tag = tok[0], tok[-1]
            i = line.find(word, cursor)
            if i == -1:
                i = line.find(word.replace("_", " "), cursor)
                if i == -1:
                    continue
                word = word.replace("_", " ")
            cursor = i + len(word)
            lab = tag[2:] if len(tag) > 2 else None
            if tag.startswith("B-") and lab in _UTS_LABEL:
                if cur:
                    out.append(cur)
                cur = [_UTS_LABEL[lab], start + i, start + cursor]
            elif tag.startswith("I-") and cur and lab in _UTS_LABEL and _UTS_LABEL[lab] == cur[0]:
                cur[2] = start + cursor
            else:
                if cur:
                    out.append(cur)
                cur = None
        if cur:
            out.append(cur)
    return [(lab, s, e, regex.sub(r"\s+", " ", text[s:e])) for lab, s, e in out]


# ---- scoring ---------------------------------------------------------------------------------------
@dataclass
class Counts:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)

    def add(self, gold: Counter, pred: Counter) -> None:
        for k in gold | pred:
            lab = k[0]
            t = min(gold[k], pred[k])
            self.tp[lab] += t
            self.fp[lab] += pred[k] - t
            self.fn[lab] += gold[k] - t

    def f1(self, lab: str | None = None) -> tuple[float, float, float]:
        keys = [lab] if lab else list(LABELS)
        tp = sum(self.tp[k] for k in keys)
        fp = sum(self.fp[k] for k in keys)
        fn = sum(self.fn[k] for k in keys)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def row(self) -> dict:
        out = {}
        for lab in list(LABELS) + [None]:
            p, r, f = self.f1(lab)
            out[lab or "ALL"] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4),
                                 "tp": sum(self.tp[k] for k in ([lab] if lab else LABELS)),
                                 "fp": sum(self.fp[k] for k in ([lab] if lab else LABELS)),
                                 "fn": sum(self.fn[k] for k in ([lab] if lab else LABELS))}
        return out


def _in_scope(doc: GoldDoc, start: int) -> bool:
    return doc.until is None or start < doc.until


def score_text(docs: list[GoldDoc], system, errors: dict | None = None) -> tuple[Counts, Counts]:
    span, norm = Counts(), Counts()
    for d in docs:
        pred = [p for p in system(d.text) if _in_scope(d, p[1])]
        gold = [g for g in d.entities if _in_scope(d, g["start"])]
        gs = Counter((g["label"], g["start"], g["end"]) for g in gold)
        ps = Counter((p[0], p[1], p[2]) for p in pred)
        span.add(gs, ps)
        gn = Counter((g["label"], norm_key(g.get("normalized") or g["text"])) for g in gold)
        pn = Counter((p[0], norm_key(p[3] or d.text[p[1]:p[2]])) for p in pred)
        norm.add(gn, pn)
        if errors is not None:
            errors[d.name] = {
                "missed": sorted(f"{k[0]} {d.text[k[1]:k[2]]!r}@{k[1]}" for k in (gs - ps)),
                "spurious": sorted(f"{k[0]} {d.text[k[1]:k[2]]!r}@{k[1]}" for k in (ps - gs)),
                "norm_missed": sorted(f"{k[0]} {k[1]}" for k in (gn - pn)),
                "norm_spurious": sorted(f"{k[0]} {k[1]}" for k in (pn - gn)),
            }
    return span, norm


# ---- OCR'd renders ---------------------------------------------------------------------------------
def _scope_text(d: GoldDoc) -> str:
    """The annotated part of the document: up to `annotated_until`, cut at a line end."""
    if d.until is None or d.until >= len(d.text):
        return d.text
    cut = d.text.rfind("\n", 0, d.until)
    return d.text[: cut if cut > 0 else d.until]


def _ocr_job(args) -> tuple[str, str, str]:
    name, text, cond, seed = args
    cache = OCR_CACHE / f"{name}.{cond}.txt"
    if cache.exists():
        return name, cond, cache.read_text(encoding="utf-8")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from .evaluate_ocr import _scanlike
    from ..text.ocr import ocr_image
    from ..text.repair import repair_text

    sl = _scanlike()
    r = sl.render(text, seed=seed)
    params = sl.CONDITIONS[cond]
    dg = sl.degrade(r, seed=seed, **params) if params else r
    pages = []
    for img in dg.pages:
        hyp, _conf, _engine = ocr_image(img, dg.dpi)
        pages.append(repair_text(hyp))
    out = "\n\f\n".join(pages)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(out, encoding="utf-8")
    return name, cond, out


def ocr_texts(docs: list[GoldDoc], conditions=OCR_CONDITIONS, jobs: int = 2) -> dict[tuple[str, str], str]:
    args = [(d.name, _scope_text(d), c, i) for c in conditions for i, d in enumerate(docs)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return {(n, c): t for n, c, t in pool.map(_ocr_job, args)}


def score_ocr(docs: list[GoldDoc], texts: dict, cond: str, system) -> Counts:
    norm = Counts()
    for d in docs:
        t = texts.get((d.name, cond))
        if t is None:
            continue
        gold = [g for g in d.entities if _in_scope(d, g["start"])]
        gn = Counter((g["label"], norm_key(g.get("normalized") or g["text"])) for g in gold)
        pn = Counter((p[0], norm_key(p[3] or t[p[1]:p[2]])) for p in system(t))
        norm.add(gn, pn)
    return norm


# ---- report ----------------------------------------------------------------------------------------
def _fmt(name: str, c: Counts) -> str:
    cells = []
    for lab in list(LABELS) + [None]:
        _p, _r, f = c.f1(lab)
        cells.append(f"{f:6.3f}")
    return f"  {name:<22}" + " ".join(cells)


def run(gold_dir: Path = GOLD_DIR, model: str | None = None, ocr: bool = False, underthesea: bool = True,
        jobs: int = 2, report: Path | None = None, only: str | None = None, errors: bool = False) -> str:
    docs = load_gold(gold_dir)
    if only:
        docs = [d for d in docs if regex.search(only, d.name)]
    if not docs:
        return f"no entity gold in {gold_dir}"
    model = model or (str(REPO / "models" / "ner") if (REPO / "models" / "ner" / "meta.json").exists() else None)
    systems = {"rules": rules_entities}
    if model:
        systems["model"] = lambda t, ocr=False, _m=model: model_entities(t, _m, ocr)
        systems["rules+model"] = lambda t, ocr=False, _m=model: model_entities(t, _m, ocr, combine=True)
    if underthesea:
        try:
            import underthesea  # noqa: F401

            systems["underthesea"] = underthesea_entities
        except Exception:
            pass
    n_ents = sum(1 for d in docs for g in d.entities if _in_scope(d, g["start"]))
    head = f"  {'':<22}" + " ".join(f"{x:>6}" for x in list(LABELS) + ["all"])
    lines = [f"entity gold: {len(docs)} documents, {n_ents} entities ({gold_dir})", "F1, text path, exact span:", head]
    summary: dict = {"documents": len(docs), "entities": n_ents, "text": {}, "ocr": {}}
    err: dict = {}
    norms = {}
    for name, fn in systems.items():
        t0 = time.perf_counter()
        span, norm = score_text(docs, fn, err if (errors and name == "rules") else None)
        secs = time.perf_counter() - t0
        norms[name] = norm
        lines.append(_fmt(name, span) + f"   ({secs:.1f} s)")
        summary["text"][name] = {"span": span.row(), "normalized": norm.row(), "seconds": round(secs, 2)}
    lines += ["F1, text path, normalised form (label, normalized) per document:", head]
    for name, norm in norms.items():
        lines.append(_fmt(name, norm))
    if ocr:
        texts = ocr_texts(docs, jobs=jobs)
        for cond in OCR_CONDITIONS:
            lines += [f"F1, OCR'd scan-like renders ({cond}), normalised form per document:", head]
            summary["ocr"][cond] = {}
            for name, fn in systems.items():
                c = score_ocr(docs, texts, cond, (lambda t, _f=fn: _f(t, ocr=True)) if name != "underthesea" else fn)
                lines.append(_fmt(name, c))
                summary["ocr"][cond][name] = c.row()
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps({"summary": summary, "errors": err}, ensure_ascii=False, indent=1),
                          encoding="utf-8")
        lines.append(f"report: {report}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", default=str(GOLD_DIR))
    ap.add_argument("--model", default=None, help="a trained spaCy folder (default: models/ner when present)")
    ap.add_argument("--ocr", action="store_true", help="also score OCR'd scan-like renders")
    ap.add_argument("--no-underthesea", action="store_true")
    ap.add_argument("--only", default=None, help="regex on gold file names")
    ap.add_argument("--errors", action="store_true", help="list the rules' misses in the report")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--report", default=None)
    a = ap.parse_args(argv)
    print(run(Path(a.gold), a.model, a.ocr, not a.no_underthesea, a.jobs,
              Path(a.report) if a.report else None, a.only, a.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
