"""Tasks against the blind gold of `corpus/gold/tasks/` (format in its SPEC.md): `vanban eval-tasks`.

Scores, micro-averaged over documents:
  assignee      F1 over each document's set of assignees (who was ordered to act)
  deadline      F1 over (assignee, deadline date) pairs of the tasks that have a date
  coordinators  F1 over (assignee, coordinator) pairs
  tasks         F1 over (assignee, deadline-or-none) multisets: how many tasks, with their dates
Names compare folded, with abbreviations expanded and a leading "các"/article ignored.

The misses behind the figures: `python -m pipeline.evaluation.evaluate_tasks --errors [--split
dev|holdout] [--only REGEX] [--field assignee|deadline|coordinators|tasks]` lists, per document,
what the gold has and the extractor does not (`-`) and what the extractor adds (`+`).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import regex

from ..text.clean import fold
from .evaluate import REPO, resolve_source


@dataclass
class _S:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold, pred) -> None:
        g, p = Counter(gold), Counter(pred)
        self.tp += sum((g & p).values())
        self.fp += sum((p - g).values())
        self.fn += sum((g - p).values())

    @property
    def f1(self) -> float:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class TaskReport:
    scores: dict = field(default_factory=lambda: {k: _S() for k in ("assignee", "deadline", "coordinators", "tasks")})
    documents: int = 0
    per_doc: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (file, field, "-" missed | "+" extra, item)
    gold_dir: str = "corpus/gold/tasks"


def _n(name: str | None) -> str:
    from ..extract.agencies import expand_abbreviations

    k = fold(expand_abbreviations(name or ""))
    k = regex.sub(r"\s*\([^)]*\)", "", k)
    return regex.sub(r"[\s,.;:-]+", " ", k).strip()


def gold_files(gold_dir: Path | None = None) -> list[Path]:
    d = gold_dir or REPO / "corpus" / "gold" / "tasks"
    return sorted(p for p in d.glob("*.json"))


def evaluate_tasks(gold_dir: Path | None = None, only: str | None = None, split: str | None = None) -> TaskReport:
    """`split`: "dev" (two files of three, used to develop the grammar), "holdout" (every third file,
    kept unseen while developing, for an honest figure), None (all)."""
    from ..document import process

    rep = TaskReport()
    if gold_dir is not None:
        try:
            rep.gold_dir = str(Path(gold_dir).resolve().relative_to(REPO))
        except ValueError:
            rep.gold_dir = str(gold_dir)
    for i, f in enumerate(gold_files(gold_dir)):
        if only and not regex.search(only, f.name):
            continue
        if split == "dev" and i % 3 == 2 or split == "holdout" and i % 3 != 2:
            continue
        gold = json.loads(f.read_text(encoding="utf-8"))
        src = resolve_source(gold["source"])
        if src is None or not Path(src).exists():
            continue
        rec = process(src)
        rep.documents += 1
        g, p = gold["tasks"], rec.tasks
        s = rep.scores
        pairs = {
            "assignee": ({_n(t["assignee"]) for t in g}, {_n(t.assignee) for t in p}),
            "deadline": ({(_n(t["assignee"]), t["deadline"]) for t in g if t["deadline"]},
                         {(_n(t.assignee), t.deadline.date().isoformat()) for t in p if t.deadline}),
            "coordinators": ({(_n(t["assignee"]), _n(c)) for t in g for c in t["coordinators"]},
                             {(_n(t.assignee), _n(c)) for t in p for c in t.coordinators}),
            "tasks": ([(_n(t["assignee"]), t["deadline"]) for t in g],
                      [(_n(t.assignee), t.deadline.date().isoformat() if t.deadline else None) for t in p]),
        }
        for k, (gold_items, pred_items) in pairs.items():
            s[k].add(gold_items, pred_items)
            gc, pc = Counter(gold_items), Counter(pred_items)
            rep.errors += [(f.name, k, "-", x) for x in sorted((gc - pc).elements(), key=str)]
            rep.errors += [(f.name, k, "+", x) for x in sorted((pc - gc).elements(), key=str)]
        rep.per_doc.append((f.name, {_n(t["assignee"]) for t in g}, {_n(t.assignee) for t in p},
                            sorted((_n(t["assignee"]), t["deadline"]) for t in g if t["deadline"]),
                            sorted((_n(t.assignee), t.deadline.date().isoformat()) for t in p if t.deadline)))
    return rep


def format_report(rep: TaskReport) -> str:
    lines = [f"tasks on {rep.documents} gold documents ({rep.gold_dir})", f"{'field':<14}{'P':>7}{'R':>7}{'F1':>7}"]
    for k, s in rep.scores.items():
        p = s.tp / (s.tp + s.fp) if s.tp + s.fp else 1.0
        r = s.tp / (s.tp + s.fn) if s.tp + s.fn else 1.0
        lines.append(f"{k:<14}{p:7.3f}{r:7.3f}{s.f1:7.3f}   tp {s.tp} fp {s.fp} fn {s.fn}")
    return "\n".join(lines)


def format_errors(rep: TaskReport, only_field: str | None = None) -> str:
    lines, last = [], None
    for name, k, sign, item in rep.errors:
        if only_field and k != only_field:
            continue
        if name != last:
            lines.append(name)
            last = name
        lines.append(f"  {k:<13}{sign} {item}")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["dev", "holdout"])
    ap.add_argument("--only")
    ap.add_argument("--errors", action="store_true", help="list the misses (-) and the extras (+) per document")
    ap.add_argument("--field", choices=["assignee", "deadline", "coordinators", "tasks"])
    ap.add_argument("--gold", metavar="DIR", help="another folder of task gold files (corpus/gold/tasks_blind)")
    a = ap.parse_args()
    r = evaluate_tasks(gold_dir=Path(a.gold) if a.gold else None, split=a.split, only=a.only)
    if a.errors:
        print(format_errors(r, a.field))
    print(format_report(r))
