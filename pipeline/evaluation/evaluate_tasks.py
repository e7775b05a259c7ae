"""Tasks against the blind gold of `corpus/gold/tasks/` (format in its SPEC.md): `vanban eval-tasks`.

Scores, micro-averaged over documents:
  assignee      F1 over each document's set of assignees (who was ordered to act)
  deadline      F1 over (assignee, deadline date) pairs of the tasks that have a date
  coordinators  F1 over (assignee, coordinator) pairs
  tasks         F1 over (assignee, deadline-or-none) multisets: how many tasks, with their dates
Names compare folded, with abbreviations expanded and a leading "các"/article ignored.
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
        s["assignee"].add({_n(t["assignee"]) for t in g}, {_n(t.assignee) for t in p})
        s["deadline"].add({(_n(t["assignee"]), t["deadline"]) for t in g if t["deadline"]},
                          {(_n(t.assignee), t.deadline.date().isoformat()) for t in p if t.deadline})
        s["coordinators"].add({(_n(t["assignee"]), _n(c)) for t in g for c in t["coordinators"]},
                              {(_n(t.assignee), _n(c)) for t in p for c in t.coordinators})
        s["tasks"].add([(_n(t["assignee"]), t["deadline"]) for t in g],
                       [(_n(t.assignee), t.deadline.date().isoformat() if t.deadline else None) for t in p])
        rep.per_doc.append((f.name, {_n(t["assignee"]) for t in g}, {_n(t.assignee) for t in p},
                            sorted((_n(t["assignee"]), t["deadline"]) for t in g if t["deadline"]),
                            sorted((_n(t.assignee), t.deadline.date().isoformat()) for t in p if t.deadline)))
    return rep


def format_report(rep: TaskReport) -> str:
    lines = [f"tasks on {rep.documents} gold documents (corpus/gold/tasks)", f"{'field':<14}{'P':>7}{'R':>7}{'F1':>7}"]
    for k, s in rep.scores.items():
        p = s.tp / (s.tp + s.fp) if s.tp + s.fp else 1.0
        r = s.tp / (s.tp + s.fn) if s.tp + s.fn else 1.0
        lines.append(f"{k:<14}{p:7.3f}{r:7.3f}{s.f1:7.3f}   tp {s.tp} fp {s.fp} fn {s.fn}")
    return "\n".join(lines)
