"""Score the extractors against the hand-checked gold annotations of `corpus/gold/`.

Scoring rules are those of corpus/gold/SPEC.md: per field, a true positive needs gold and
prediction both present and equal after normalisation; references are scored as per-document sets
of cited-document keys (micro-averaged); relations as sets of (key, relation) pairs; cited dates as
(key, date) pairs for gold items that have a date; cited issuers as (key, issuer) pairs for gold
items that name one (the gold writes the issuer as the text does, "UBND tỉnh" expanded to "Ủy ban
nhân dân tỉnh"; a prediction counts when either its as-written or its resolved form equals it).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import regex

from ..text.clean import fold
from ..document import process
from ..extract.agencies import display_name
from ..extract.references import citation_key, law_key

FIELDS = ["doc_type", "number", "symbol", "issue_date", "place", "issuer", "signer"]
SET_FIELDS = ["references", "relations", "cited_dates", "cited_issuers"]

REPO = Path(__file__).resolve().parents[2]


def shared_corpus() -> Path:
    return Path(os.environ.get("VANBAN_SHARED_CORPUS", REPO.parent / "shared" / "corpus"))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Report:
    scores: dict[str, Score] = field(default_factory=dict)
    documents: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _norm_number(n: str | None) -> str | None:
    if not n:
        return None
    return fold(regex.sub(r"\s+", "", n)).replace("ð", "đ")


def _norm_value(name: str, v) -> str | None:
    if v is None or v == "":
        return None
    if name in {"number", "symbol"}:
        return _norm_number(str(v))
    if name == "signer":
        # names only: several signers compared as a set
        return " - ".join(sorted(fold(x) for x in str(v).split(" - ")))
    return fold(str(v))


# a person acting for the body names the same issuer: "Bộ trưởng Bộ Tài chính" ~ "Bộ Tài chính"
_PERSON_TITLE = regex.compile(
    r"^(?:bộ trưởng|thứ trưởng|giám đốc|phó giám đốc|chủ tịch(?! nước)|phó chủ tịch|thống đốc|thường trực|"
    r"chánh án|viện trưởng|cục trưởng|trưởng ban)\s+(?=\S)")
# the place a resolution appends to an issuer written without it: "Sở Nội vụ" → "… tỉnh Lâm Đồng"
_PLACE_TAIL = regex.compile(r"\s+(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+\S.*$")


def _norm_issuer(name: str | None) -> str | None:
    """Issuer names compare folded, abbreviations expanded, without a trailing "(cũ)", a term
    ("khóa XII") or a person's title."""
    if not name:
        return None
    name = regex.sub(r"\s+kh[óo]a\s+[IVXLC]+$|\s*\(cũ\)\s*$", "", display_name(name))  # the term is not the body
    return _PERSON_TITLE.sub("", fold(name))


def _issuer_forms(name: str | None) -> list[str]:
    """A predicted issuer, and without the place its resolution added."""
    n = _norm_issuer(name)
    if not n:
        return []
    bare = _PLACE_TAIL.sub("", n)
    return [n, bare] if bare != n else [n]


def gold_key(ref: dict) -> str | None:
    if ref.get("number"):
        return _norm_number(ref["number"])
    if ref.get("name"):
        return "name:" + law_key(ref["name"])
    return None


def load_gold(gold_dir: Path) -> list[tuple[Path, dict]]:
    out = []
    for f in sorted(gold_dir.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "source" in data:  # floors.json and other settings are not gold
            out.append((f, data))
    return out


def resolve_source(src: str) -> Path:
    if src.startswith("samples/"):
        return REPO / "corpus" / src
    return shared_corpus() / src


def _add(score: Score, gold, pred) -> str:
    if gold is not None and pred is not None and gold == pred:
        score.tp += 1
        return "ok"
    if pred is not None:
        score.fp += 1
    if gold is not None:
        score.fn += 1
    return "miss" if gold is not None and pred is None else "wrong" if pred is not None and gold is not None else (
        "spurious" if pred is not None else "ok")


def _add_sets(score: Score, gold: set, pred: set) -> None:
    score.tp += len(gold & pred)
    score.fp += len(pred - gold)
    score.fn += len(gold - pred)


def evaluate(gold_dir: Path, only: str | None = None) -> Report:
    rep = Report(scores={f: Score() for f in FIELDS + SET_FIELDS})
    for gold_path, gold in load_gold(gold_dir):
        if only and only not in gold_path.name:
            continue
        src = resolve_source(gold["source"])
        if not src.exists():
            rep.skipped.append(gold["source"])
            continue
        rec = process(src, ocr=False)
        h, s = rec.header, rec.signature
        pred = {
            "doc_type": h.doc_type, "number": h.number, "symbol": h.symbol,
            "issue_date": h.issue_date.isoformat() if h.issue_date else None,
            "place": h.place, "issuer": h.issuer, "signer": s.signer,
        }
        doc = {"gold": gold_path.name, "source": gold["source"], "fields": {}}
        for f in FIELDS:
            g, p = _norm_value(f, gold.get(f)), _norm_value(f, pred.get(f))
            status = _add(rep.scores[f], g, p)
            if status != "ok":
                doc["fields"][f] = {"gold": gold.get(f), "pred": pred.get(f), "status": status}
        gold_refs = {gold_key(r): r for r in gold.get("references", []) if gold_key(r)}
        pred_refs: dict[str, list] = {}
        for c in rec.citations:
            k = citation_key(c)
            if k:
                pred_refs.setdefault(k, []).append(c)
        g_keys, p_keys = set(gold_refs), set(pred_refs)
        _add_sets(rep.scores["references"], g_keys, p_keys)
        g_rel = {(k, r) for k, ref in gold_refs.items() for r in ref.get("relations", [])}
        p_rel = {(k, r) for k, cs in pred_refs.items() for c in cs for r in (c.relation, c.relation_also) if r}
        _add_sets(rep.scores["relations"], g_rel, p_rel)
        g_dates = {(k, ref["date"]) for k, ref in gold_refs.items() if ref.get("date")}
        p_dates = set()
        for k, cs in pred_refs.items():
            if k in gold_refs and gold_refs[k].get("date"):
                d = next((c.cited_date for c in cs if c.cited_date), None)
                if d:
                    p_dates.add((k, d.isoformat()))
        _add_sets(rep.scores["cited_dates"], g_dates, p_dates)
        g_iss = {(k, _norm_issuer(ref["issuer"])) for k, ref in gold_refs.items() if ref.get("issuer")}
        p_iss = set()
        for k, cs in pred_refs.items():
            if k in gold_refs and gold_refs[k].get("issuer"):
                want = _norm_issuer(gold_refs[k]["issuer"])
                forms = [f for c in cs for f in _issuer_forms(c.cited_issuer_raw) + _issuer_forms(c.cited_issuer)]
                if forms:
                    p_iss.add((k, want if want in forms else forms[0]))
        _add_sets(rep.scores["cited_issuers"], g_iss, p_iss)
        doc["references"] = {
            "missed": sorted(g_keys - p_keys), "spurious": sorted(p_keys - g_keys),
            "relation_missed": sorted(f"{k} {r}" for k, r in g_rel - p_rel if k in p_keys),
            "relation_spurious": sorted(f"{k} {r}" for k, r in p_rel - g_rel if k in g_keys),
            "date_wrong": sorted(f"{k} {d}" for k, d in g_dates - p_dates if k in p_keys),
            "issuer_wrong": sorted(f"{k} {i}" for k, i in p_iss - g_iss),
        }
        rep.documents.append(doc)
    return rep


def report_dict(rep: Report) -> dict:
    return {
        "fields": {k: v.as_dict() for k, v in rep.scores.items()},
        "documents": rep.documents,
        "skipped": rep.skipped,
    }


def format_table(rep: Report) -> str:
    lines = [f"{'field':<13}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for k, v in rep.scores.items():
        lines.append(f"{k:<13}{v.precision:8.3f}{v.recall:8.3f}{v.f1:8.3f}{v.tp:6d}{v.fp:6d}{v.fn:6d}")
    lines.append(f"documents scored: {len(rep.documents)}" + (f", skipped (source absent): {len(rep.skipped)}" if rep.skipped else ""))
    return "\n".join(lines)
